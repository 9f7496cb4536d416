//! The programme's pages: the year's declarations of an area with the import of the
//! declaration workbook (staff), an employer's review (its employees counted or not and why,
//! the quota, the levy or the reward, the decisions; staff confirm it, the employer contests
//! it), the employer's own page with its declaration upload, and the public review list
//! (公示: employer, quota, placed, result — no personal data).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{FromRequest, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use serde::Deserialize;
use zhucan_domain::access::Role;
use zhucan_domain::ledger::Fact;
use zhucan_domain::parse::fen_to_yuan;
use zhucan_domain::person::EmploymentStatus;
use zhucan_domain::{Lang, Localized};
use zhucan_store::User;
use zhucan_store::ledger::NewFact;
use zhucan_web::AppState;
use zhucan_web::auth::{PageCaller, request_lang};
use zhucan_web::forms::{FormField, Submission};
use zhucan_web::pages::{area_names, chrome};
use zhucan_web::scope;
use zhucan_web::trail::audit_event;
use zhucan_web::usecase::{CsrfForm, CsrfMultipart, Holds, OrPage, PageError, PageResult, Right};
use zhucan_web::view::{AreaNames, Chrome, render, today};
use zhucan_workbook::ImportOptions;
use zhucan_workbook::declaration::read_declaration;

use crate::review::{
    AreaTerms, Setting, issue_text, judged_on, line_terms, new_declarations, persons, result_json,
    review_of, review_stored, unknown_warnings,
};
use crate::rules::{EmployerResult, Status};
use crate::store::{Declarant, Declaration, EmploymentStore, NewDecision, Written};

/// Reads the declarations and reviews of an area (district and township staff).
#[derive(Debug, Clone, Copy)]
pub struct SeesEmployment;

impl Right for SeesEmployment {
    fn held_by(user: &User) -> bool {
        user.role.decides_subsidies()
    }
}

/// Imports the declarations and confirms the reviews (the district administrator: the
/// levy is the district's).
#[derive(Debug, Clone, Copy)]
pub struct RunsReview;

impl Right for RunsReview {
    fn held_by(user: &User) -> bool {
        user.role.runs_payroll()
    }
}

/// An employer's account.
#[derive(Debug, Clone, Copy)]
pub struct IsEmployer;

impl Right for IsEmployer {
    fn held_by(user: &User) -> bool {
        user.role == Role::Employer
    }
}

/// Staff of the area, or the employer itself.
#[derive(Debug, Clone, Copy)]
pub struct SeesReview;

impl Right for SeesReview {
    fn held_by(user: &User) -> bool {
        SeesEmployment::held_by(user) || IsEmployer::held_by(user)
    }
}

fn yuan(f: i64) -> String {
    fen_to_yuan(f)
}

/// The year asked for: the last year by default (year Y is reviewed in Y+1).
pub(crate) fn year_of(raw: Option<&str>) -> Result<i64, String> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(i64::from(today().year() - 1)),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|y| judged_on(*y).is_some())
            .ok_or_else(|| s.to_string()),
    }
}

pub(crate) fn bad_year(lang: Lang, v: &str) -> String {
    crate::tf(lang, "not-a-year", &[("v", v.to_string().into())])
}

/// The year a form posted (required), or the message for its field.
pub(crate) fn posted_year(lang: Lang, raw: &str) -> Result<i64, String> {
    match year_of(Some(raw)) {
        Ok(y) if !raw.trim().is_empty() => Ok(y),
        _ if raw.trim().is_empty() => Err(crate::t(lang, "year-required").to_string()),
        _ => Err(bad_year(lang, raw)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct YearParams {
    pub year: Option<String>,
}

/// The employer a confined account is bound to.
pub(crate) async fn own_uscc(
    state: &AppState,
    caller: &PageCaller,
) -> Result<Option<String>, PageError> {
    state
        .store
        .account_org(&caller.user.id)
        .await
        .or_page(caller)
}

/// The employer account's own code (403 while the account is bound to none); `None` for
/// staff.
pub(crate) async fn bound_uscc(
    state: &AppState,
    caller: &PageCaller,
) -> Result<Option<String>, PageError> {
    if !caller.user.role.confined() {
        return Ok(None);
    }
    match own_uscc(state, caller).await? {
        Some(u) => Ok(Some(u)),
        None => Err(PageError::message(
            caller,
            StatusCode::FORBIDDEN,
            "本账户尚未绑定用人单位。",
            "This account is not bound to an employer.",
        )),
    }
}

/// The declaration at `uscc` for `year` if the caller may see it: staff of its area, or the
/// employer bound to it (else 404, so a USCC's existence does not leak).
pub(crate) async fn visible(
    state: &AppState,
    caller: &PageCaller,
    uscc: &str,
    year: i64,
) -> Result<Declaration, PageError> {
    let allowed = if caller.user.role.confined() {
        own_uscc(state, caller).await?.as_deref() == Some(uscc)
    } else {
        scope::person_area(&caller.user).is_some()
    };
    if !allowed {
        return Err(PageError::not_found(caller));
    }
    let d = state
        .store
        .declaration(year, uscc)
        .await
        .or_page(caller)?
        .ok_or_else(|| PageError::not_found(caller))?;
    match scope::person_area(&caller.user) {
        Some(area) if !caller.user.role.confined() && !d.area_code.starts_with(area.as_str()) => {
            Err(PageError::not_found(caller))
        }
        _ => Ok(d),
    }
}

fn file_fields(
    lang: Lang,
    year: i64,
    error: Option<String>,
    year_error: Option<String>,
) -> Vec<FormField> {
    let mut y = FormField::new("year", crate::t(lang, "declared-year"), "text").required();
    y.value = year.to_string();
    y.error = year_error;
    let mut f = FormField::new("file", crate::t(lang, "declaration-file"), "file")
        .required()
        .hint(crate::t(lang, "declaration-file-hint"));
    f.error = error;
    vec![y, f]
}

/// What a posted declaration workbook gave: the year and the file's declarations, or the
/// problems to show (by field).
struct Upload {
    year: i64,
    decl: zhucan_workbook::declaration::Declaration,
}

async fn read_upload(
    caller: &PageCaller,
    posted: zhucan_web::usecase::Posted,
) -> Result<Result<Upload, (i64, Vec<(String, String)>)>, PageError> {
    let lang = caller.lang;
    let raw_year = posted.values.get("year").cloned().unwrap_or_default();
    let year = match posted_year(lang, &raw_year) {
        Ok(y) => y,
        Err(v) => {
            let shown = year_of(None).unwrap_or(2025);
            return Ok(Err((shown, vec![("year".into(), v)])));
        }
    };
    let Some((_, name, bytes)) = posted
        .files
        .into_iter()
        .find(|(f, _, data)| f == "file" && !data.is_empty())
    else {
        return Ok(Err((
            year,
            vec![("file".into(), crate::t(lang, "choose-a-file").into())],
        )));
    };
    let opts = ImportOptions {
        survey_year: None,
        today: today(),
        lang,
    };
    let parsed = tokio::task::spawn_blocking(move || read_declaration(&name, &bytes, &opts)).await;
    let decl = match parsed {
        Ok(Ok(d)) => d,
        Ok(Err(e)) => return Ok(Err((year, vec![("file".into(), e.message(lang))]))),
        Err(_) => {
            return Err(PageError::message(
                caller,
                StatusCode::INTERNAL_SERVER_ERROR,
                "文件读取失败",
                "the file could not be read",
            ));
        }
    };
    if !decl.rejected.is_empty() {
        let mut problems = vec![(
            "file".to_string(),
            crate::tf(
                lang,
                "declaration-refused",
                &[("n", decl.rejected.len().into())],
            ),
        )];
        problems.extend(
            decl.rejected
                .iter()
                .map(|i| ("file".to_string(), issue_text(i, lang))),
        );
        return Ok(Err((year, problems)));
    }
    Ok(Ok(Upload { year, decl }))
}

/// Every warning a declaration about to be stored earns, the employees unknown to the
/// registry included.
pub(crate) async fn all_issues(
    state: &AppState,
    caller: &PageCaller,
    setting: &Setting,
    decl: &zhucan_workbook::declaration::Declaration,
    year: i64,
) -> Result<Vec<zhucan_workbook::Issue>, PageError> {
    let mut out = decl.warnings.clone();
    if let Some(day) = judged_on(year) {
        let mut terms = AreaTerms::new(setting, day);
        for e in &decl.employers {
            if let Ok((_, w)) = line_terms(&mut terms, &decl.employer_sheet, e, caller.lang) {
                out.extend(w);
            }
        }
    }
    let snap = state.facts.snapshot().await.or_page(caller)?;
    out.extend(unknown_warnings(&snap, decl, year, caller.lang));
    Ok(out)
}

/// The same, as lines.
async fn all_warnings(
    state: &AppState,
    caller: &PageCaller,
    setting: &Setting,
    decl: &zhucan_workbook::declaration::Declaration,
    year: i64,
) -> Result<Vec<String>, PageError> {
    let issues = all_issues(state, caller, setting, decl, year).await?;
    Ok(issues.iter().map(|i| issue_text(i, caller.lang)).collect())
}

// ---------------------------------------------------------------- the staff overview

struct Row {
    uscc: String,
    name: String,
    township: String,
    staff: String,
    listed: i64,
    status: String,
    contested: bool,
    counted: String,
    levy: String,
    reward: String,
}

struct PublicBodyRow {
    uscc: String,
    name: String,
    township: String,
    counted: String,
    met: bool,
}

#[derive(Template)]
#[template(path = "employment_overview.html")]
struct OverviewPage {
    c: Chrome,
    year: String,
    year_error: Option<String>,
    rows: Vec<Row>,
    total_levy: String,
    total_reward: String,
    /// 专栏3: the public bodies, and how many employ at least one counted person.
    public_bodies: Vec<PublicBodyRow>,
    public_bodies_met: usize,
    can_import: bool,
    file_fields: Vec<FormField>,
    notice: Option<String>,
    warnings: Vec<String>,
    errors: Vec<(String, String)>,
}

/// `GET /employment`: the year's declarations in the caller's area.
pub async fn overview(
    State(state): State<AppState>,
    caller: Holds<SeesEmployment>,
    Query(q): Query<YearParams>,
) -> PageResult {
    match year_of(q.year.as_deref()) {
        Ok(y) => overview_page(&state, &caller, y, None, Vec::new(), None, Vec::new()).await,
        Err(v) => {
            let y = year_of(None).unwrap_or(2025);
            overview_page(
                &state,
                &caller,
                y,
                Some(v.clone()),
                vec![("q-year".into(), bad_year(caller.lang, &v))],
                None,
                Vec::new(),
            )
            .await
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn overview_page(
    state: &AppState,
    caller: &PageCaller,
    year: i64,
    shown_year: Option<String>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    warnings: Vec<String>,
) -> PageResult {
    let lang = caller.lang;
    let area = scope::person_area(&caller.user)
        .cloned()
        .ok_or_else(|| PageError::forbidden(caller))?;
    let (_, names) = area_names(state).await.or_page(caller)?;
    let list = state
        .store
        .declarations(year, area.as_str())
        .await
        .or_page(caller)?;
    let mut rows = Vec::new();
    let (mut levy, mut reward) = (0i64, 0i64);
    for d in list {
        let decided = if d.status == Status::Confirmed {
            state
                .store
                .decisions(year, d.uscc.as_str())
                .await
                .or_page(caller)?
                .into_iter()
                .next()
        } else {
            None
        };
        if let Some(x) = &decided {
            levy += x.levy_fen;
            reward += x.reward_fen;
        }
        rows.push(Row {
            uscc: d.uscc.to_string(),
            name: d.name.clone(),
            township: names.name(&d.area_code),
            staff: persons(d.avg_staff_micro as f64 / 1e6),
            listed: d.listed,
            status: d.status.label(lang).to_string(),
            contested: d.status == Status::Contested,
            counted: decided
                .as_ref()
                .map(|x| x.counted.to_string())
                .unwrap_or_default(),
            levy: decided
                .as_ref()
                .map(|x| yuan(x.levy_fen))
                .unwrap_or_default(),
            reward: decided
                .as_ref()
                .map(|x| yuan(x.reward_fen))
                .unwrap_or_default(),
        });
    }
    let bodies = state
        .store
        .public_bodies(year, area.as_str())
        .await
        .or_page(caller)?;
    let public_bodies_met = bodies
        .iter()
        .filter(|b| b.counted.is_some_and(|n| n >= 1))
        .count();
    let public_bodies: Vec<PublicBodyRow> = bodies
        .into_iter()
        .map(|b| PublicBodyRow {
            met: b.counted.is_some_and(|n| n >= 1),
            counted: b
                .counted
                .map(|n| n.to_string())
                .unwrap_or_else(|| crate::t(lang, "not-confirmed-yet").to_string()),
            township: names.name(&b.area_code),
            uscc: b.uscc,
            name: b.name,
        })
        .collect();
    let year_error = errors
        .iter()
        .find(|(f, _)| f == "q-year")
        .map(|(_, m)| m.clone());
    let file_error = errors
        .iter()
        .find(|(f, _)| f == "file")
        .map(|(_, m)| m.clone());
    let upload_year_error = errors
        .iter()
        .find(|(f, _)| f == "year")
        .map(|(_, m)| m.clone());
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        code,
        &OverviewPage {
            c: chrome(
                Some(caller),
                lang,
                "/employment",
                "employment",
                crate::t(lang, "employment-title"),
            ),
            year: shown_year.unwrap_or_else(|| year.to_string()),
            year_error,
            rows,
            total_levy: yuan(levy),
            total_reward: yuan(reward),
            public_bodies,
            public_bodies_met,
            can_import: RunsReview::held_by(&caller.user),
            file_fields: file_fields(lang, year, file_error, upload_year_error),
            notice,
            warnings,
            errors,
        },
    ))
}

pub(crate) fn saved_notice(lang: Lang, year: i64, s: &crate::store::Saved) -> String {
    crate::tf(
        lang,
        "declarations-saved",
        &[
            ("year", year.into()),
            ("added", s.added.into()),
            ("changed", s.changed.into()),
            ("unchanged", s.unchanged.into()),
        ],
    )
}

/// `POST /employment/import`: the declaration workbook of a year, whole or not at all.
pub async fn import(
    State(state): State<AppState>,
    caller: Holds<RunsReview>,
    req: axum::extract::Request,
) -> PageResult {
    let lang = caller.lang;
    let CsrfMultipart(posted) = CsrfMultipart::from_request(req, &state).await?;
    let up = match read_upload(&caller, posted).await? {
        Ok(u) => u,
        Err((year, problems)) => {
            return overview_page(&state, &caller, year, None, problems, None, Vec::new()).await;
        }
    };
    let setting = Setting::load(&state.store).await.or_page(&caller)?;
    let warnings = all_warnings(&state, &caller, &setting, &up.decl, up.year).await?;
    let list = new_declarations(&up.decl, &setting);
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "employment.declare",
        &up.year.to_string(),
        "ok",
        serde_json::json!({"file": up.decl.employer_sheet}),
    );
    let saved = state
        .store
        .save_declarations(
            up.year,
            &list,
            "import",
            Declarant::Staff,
            &caller.user.username,
            &audit,
        )
        .await
        .or_page(&caller)?;
    let notice = saved_notice(lang, up.year, &saved);
    overview_page(
        &state,
        &caller,
        up.year,
        None,
        Vec::new(),
        Some(notice),
        warnings,
    )
    .await
}

/// `GET /employment/review.xlsx?year=Y`: the year's review of every declaration of the
/// caller's area as it stands (the district's administrator: the employees sheet has full
/// citizen IDs, as the declarations do), audited as an export.
pub async fn review_xlsx(
    State(state): State<AppState>,
    caller: Holds<RunsReview>,
    Query(q): Query<YearParams>,
) -> Result<Response, PageError> {
    let lang = caller.lang;
    let year = year_of(q.year.as_deref()).map_err(|v| {
        PageError::message(
            &caller,
            StatusCode::UNPROCESSABLE_ENTITY,
            &bad_year(Lang::Zh, &v),
            &bad_year(Lang::En, &v),
        )
    })?;
    let area = scope::person_area(&caller.user)
        .cloned()
        .ok_or_else(|| PageError::forbidden(&caller))?;
    let (_, names) = area_names(&state).await.or_page(&caller)?;
    let setting = Setting::load(&state.store).await.or_page(&caller)?;
    let list = state
        .store
        .declarations(year, area.as_str())
        .await
        .or_page(&caller)?;
    let snap = state.facts.snapshot().await.or_page(&caller)?;
    // Three queries whatever the number of employers.
    let mut people = state
        .store
        .declared_employees_in(year, area.as_str())
        .await
        .or_page(&caller)?;
    let several = state.store.listed_by_several(year).await.or_page(&caller)?;
    let mut reviewed = Vec::with_capacity(list.len());
    for d in &list {
        let listed = people.remove(d.uscc.as_str()).unwrap_or_default();
        match review_of(&snap, &setting, d, &listed, |id| several.contains(id)) {
            Ok((result, terms)) => reviewed.push((d, names.name(&d.area_code), result, terms)),
            Err(k) => {
                let zh = format!(
                    "{}（{}）：{}",
                    d.name,
                    d.uscc,
                    crate::tf(
                        Lang::Zh,
                        "parameter-not-set",
                        &[("p", k.label(Lang::Zh).to_string().into())]
                    )
                );
                let en = format!(
                    "{} ({}): {}",
                    d.name,
                    d.uscc,
                    crate::tf(
                        Lang::En,
                        "parameter-not-set",
                        &[("p", k.label(Lang::En).to_string().into())]
                    )
                );
                return Err(PageError::message(&caller, StatusCode::CONFLICT, &zh, &en));
            }
        }
    }
    let lines: Vec<crate::export::ReviewLine<'_>> = reviewed
        .iter()
        .map(|(d, township, result, terms)| crate::export::ReviewLine {
            name: &d.name,
            township,
            result,
            versions: terms
                .version
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(","),
        })
        .collect();
    let bytes = crate::export::review_xlsx(year, &lines, lang).map_err(|_| {
        PageError::message(
            &caller,
            StatusCode::INTERNAL_SERVER_ERROR,
            "审核表生成失败",
            "the review workbook could not be made",
        )
    })?;
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "employment.review.export",
        &year.to_string(),
        "ok",
        serde_json::json!({"employers": lines.len(), "employees": lines.iter().map(|l| l.result.employees.len()).sum::<usize>()}),
    ));
    Ok(zhucan_web::xlsx::download(
        &format!("employment-review-{year}.xlsx"),
        bytes,
    ))
}

// ---------------------------------------------------------------- an employer's review

struct EmployeeLine {
    masked_id: String,
    name: String,
    contract_months: i64,
    wage: String,
    insured: String,
    counts: i64,
    reasons: String,
}

struct DecisionLine {
    decided_at: String,
    decided_by: String,
    counted: i64,
    quota: String,
    result: String,
    answered: String,
}

#[derive(Template)]
#[template(path = "employment_review.html")]
struct ReviewPage {
    c: Chrome,
    year: i64,
    uscc: String,
    township: String,
    staff: String,
    wage: String,
    status: String,
    version: i64,
    declared: String,
    sector: String,
    public_body: bool,
    contest: Option<String>,
    /// The review now (`None`: a parameter is missing, said in `review_error`).
    result: Option<Summary>,
    review_error: Option<String>,
    employees: Vec<EmployeeLine>,
    decisions: Vec<DecisionLine>,
    can_confirm: bool,
    can_contest: bool,
    /// The district's staff, or the employer while its review is not confirmed.
    can_correct: bool,
    can_profile: bool,
    is_employer: bool,
    reason_field: Vec<FormField>,
    profile_fields: Vec<FormField>,
    notice: Option<String>,
    errors: Vec<(String, String)>,
}

/// The review's figures as shown.
struct Summary {
    quota: String,
    counted: i64,
    shortfall: String,
    outcome: String,
    share: String,
}

/// An outcome in words: exempt, the levy due, the reward, or nothing due.
fn outcome_text(lang: Lang, exempt: bool, levy_fen: i64, reward_fen: i64) -> String {
    if exempt {
        crate::t(lang, "outcome-exempt").into()
    } else if levy_fen > 0 {
        crate::tf(lang, "outcome-levy", &[("yuan", yuan(levy_fen).into())])
    } else if reward_fen > 0 {
        crate::tf(lang, "outcome-reward", &[("yuan", yuan(reward_fen).into())])
    } else {
        crate::t(lang, "outcome-met").into()
    }
}

fn summary(lang: Lang, r: &EmployerResult) -> Summary {
    Summary {
        quota: persons(r.quota()),
        counted: r.counted,
        shortfall: persons(r.shortfall()),
        outcome: outcome_text(lang, r.exempt, r.levy_fen, r.reward_fen),
        share: if r.exempt {
            "—".into()
        } else {
            format!("{}%", persons(r.pay_share() * 100.0))
        },
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ReviewParams {
    pub year: Option<String>,
    pub done: Option<String>,
}

/// `GET /employment/employers/{uscc}?year=Y`: the employer's declaration and its review.
pub async fn review(
    State(state): State<AppState>,
    caller: Holds<SeesReview>,
    Path(uscc): Path<String>,
    Query(q): Query<ReviewParams>,
) -> PageResult {
    let year = year_of(q.year.as_deref()).map_err(|_| PageError::not_found(&caller))?;
    let notice = match q.done.as_deref() {
        Some("confirmed") => Some(crate::t(caller.lang, "review-confirmed").to_string()),
        Some("contested") => Some(crate::t(caller.lang, "review-contested").to_string()),
        Some("profile") => Some(crate::t(caller.lang, "profile-saved").to_string()),
        _ => None,
    };
    review_page(&state, &caller, &uscc, year, notice, Vec::new(), None).await
}

async fn review_page(
    state: &AppState,
    caller: &PageCaller,
    uscc: &str,
    year: i64,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    kept: Option<&Submission>,
) -> PageResult {
    let lang = caller.lang;
    let d = visible(state, caller, uscc, year).await?;
    let (_, names): (_, AreaNames) = area_names(state).await.or_page(caller)?;
    let people = state
        .store
        .declared_employees(year, uscc)
        .await
        .or_page(caller)?;
    let setting = Setting::load(&state.store).await.or_page(caller)?;
    let snap = state.facts.snapshot().await.or_page(caller)?;
    let reviewed = review_stored(&state.store, &snap, &setting, &d, &people)
        .await
        .or_page(caller)?;
    let (result, review_error, judged) = match reviewed {
        Ok((r, _)) => (Some(summary(lang, &r)), None, Some(r)),
        Err(k) => (
            None,
            Some(crate::tf(
                lang,
                "parameter-not-set",
                &[("p", k.label(lang).to_string().into())],
            )),
            None,
        ),
    };
    let employees = people
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let j = judged.as_ref().and_then(|r| r.employees.get(i));
            EmployeeLine {
                masked_id: p.citizen_id.masked(),
                name: p.name.clone().unwrap_or_default(),
                contract_months: p.contract_months,
                wage: yuan(p.monthly_wage_fen),
                insured: crate::t(lang, if p.insured { "yes" } else { "no" }).into(),
                counts: j.map_or(0, |j| j.counts),
                reasons: j
                    .map(|j| {
                        j.reasons
                            .iter()
                            .map(|r| r.label(lang))
                            .collect::<Vec<_>>()
                            .join("；")
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    let decisions = state
        .store
        .decisions(year, uscc)
        .await
        .or_page(caller)?
        .into_iter()
        .map(|x| DecisionLine {
            decided_at: x
                .decided_at
                .chars()
                .take(16)
                .collect::<String>()
                .replace('T', " "),
            decided_by: x.decided_by,
            counted: x.counted,
            quota: x.quota,
            result: outcome_text(lang, x.exempt, x.levy_fen, x.reward_fen),
            answered: x.answered.unwrap_or_default(),
        })
        .collect();
    let (sector, public_body) = state
        .store
        .profile(uscc)
        .await
        .or_page(caller)?
        .unwrap_or_default();
    let is_employer = IsEmployer::held_by(&caller.user);
    let mut reason = FormField::new("reason", crate::t(lang, "contest-reason"), "text")
        .required()
        .hint(crate::t(lang, "contest-reason-hint"));
    let mut sector_field = FormField::new("sector", crate::t(lang, "sector"), "text");
    sector_field.value = sector.clone();
    if let Some(sub) = kept {
        reason.value = sub.get("reason").to_string();
        sector_field.value = sub.get("sector").to_string();
    }
    reason.error = errors
        .iter()
        .find(|(f, _)| f == "reason")
        .map(|(_, m)| m.clone());
    sector_field.error = errors
        .iter()
        .find(|(f, _)| f == "sector")
        .map(|(_, m)| m.clone());
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let here = format!("/employment/employers/{uscc}?year={year}");
    Ok(render(
        code,
        &ReviewPage {
            c: chrome(
                Some(caller),
                lang,
                &here,
                if is_employer {
                    "employment_employer"
                } else {
                    "employment"
                },
                &crate::tf(lang, "review-of", &[("name", d.name.clone().into())]),
            ),
            year,
            uscc: d.uscc.to_string(),
            township: names.name(&d.area_code),
            staff: persons(d.avg_staff_micro as f64 / 1e6),
            wage: yuan(d.avg_wage_fen),
            status: d.status.label(lang).to_string(),
            version: d.version,
            declared: format!(
                "{} {}",
                d.declared_at.chars().take(10).collect::<String>(),
                d.declared_by
            ),
            sector,
            public_body,
            contest: d.contest.clone(),
            can_confirm: RunsReview::held_by(&caller.user)
                && d.status != Status::Confirmed
                && result.is_some(),
            can_contest: is_employer && d.status == Status::Confirmed,
            can_correct: RunsReview::held_by(&caller.user)
                || (is_employer && d.status != Status::Confirmed),
            can_profile: RunsReview::held_by(&caller.user),
            is_employer,
            result,
            review_error,
            employees,
            decisions,
            reason_field: vec![reason],
            profile_fields: vec![sector_field],
            notice,
            errors,
        },
    ))
}

/// The year a form posts for and the declaration it acts on (404 when the caller may not
/// see it).
async fn posted(
    state: &AppState,
    caller: &PageCaller,
    uscc: &str,
    form: &HashMap<String, String>,
) -> Result<(i64, Declaration), PageError> {
    let year =
        year_of(form.get("year").map(String::as_str)).map_err(|_| PageError::not_found(caller))?;
    Ok((year, visible(state, caller, uscc, year).await?))
}

/// The form's declaration version (a stale page is refused).
fn version_of(form: &HashMap<String, String>) -> Option<i64> {
    form.get("version").and_then(|v| v.trim().parse().ok())
}

/// Where a guarded write ends: back at the review (saying what was done), or 404 / 409.
fn after(caller: &PageCaller, w: Written, uscc: &str, year: i64, done: &str) -> PageResult {
    match w {
        Written::Done => Ok(Redirect::to(&format!(
            "/employment/employers/{uscc}?year={year}&done={done}"
        ))
        .into_response()),
        Written::Missing => Err(PageError::not_found(caller)),
        Written::Stale => Err(stale(caller)),
    }
}

pub(crate) fn stale(caller: &PageCaller) -> PageError {
    PageError::message(
        caller,
        StatusCode::CONFLICT,
        "申报已变更或已处理，请返回审核页重新查看后再操作。",
        "The declaration changed or was already acted on: open the review again and retry.",
    )
}

/// `POST /employment/employers/{uscc}/confirm`: the review as it stands becomes the
/// decision; the counted employees' employment is recorded.
pub async fn confirm(
    State(state): State<AppState>,
    caller: Holds<RunsReview>,
    Path(uscc): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let (year, d) = posted(&state, &caller, &uscc, &form).await?;
    let Some(version) = version_of(&form) else {
        return Err(stale(&caller));
    };
    let people = state
        .store
        .declared_employees(year, &uscc)
        .await
        .or_page(&caller)?;
    let setting = Setting::load(&state.store).await.or_page(&caller)?;
    let snap = state.facts.snapshot().await.or_page(&caller)?;
    let (r, terms) = match review_stored(&state.store, &snap, &setting, &d, &people)
        .await
        .or_page(&caller)?
    {
        Ok(x) => x,
        Err(k) => {
            let m = crate::tf(
                caller.lang,
                "parameter-not-set",
                &[("p", k.label(caller.lang).to_string().into())],
            );
            return Err(PageError::message(
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                &m,
                &m,
            ));
        }
    };
    let from = chrono::NaiveDate::from_ymd_opt(i32::try_from(year).unwrap_or(2000), 1, 1)
        .unwrap_or(chrono::NaiveDate::MIN);
    let facts: Vec<NewFact> = r
        .employees
        .iter()
        .filter(|e| e.counts > 0)
        .map(|e| NewFact {
            citizen_id: e.citizen_id.clone(),
            fact: Fact::Employment {
                employment_status: EmploymentStatus::Quota,
                employer_uscc: Some(uscc.clone()),
                from,
                until: None,
            },
        })
        .collect();
    let decision = NewDecision {
        quota: persons(r.quota()),
        counted: r.counted,
        exempt: r.exempt,
        levy_fen: r.levy_fen,
        reward_fen: r.reward_fen,
        result: result_json(&d.name, &r),
        facts,
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "employment.review.confirm",
        &uscc,
        "ok",
        serde_json::json!({
            "year": year,
            "version": version,
            "counted": r.counted,
            "levy_fen": r.levy_fen,
            "reward_fen": r.reward_fen,
            "exempt": r.exempt,
            "terms": terms.version,
            "answered": d.contest,
        }),
    );
    let written = state
        .store
        .decide(
            year,
            &uscc,
            version,
            &decision,
            &caller.user.username,
            &audit,
        )
        .await
        .or_page(&caller)?;
    after(&caller, written, &uscc, year, "confirmed")
}

/// `POST /employment/employers/{uscc}/contest`: the employer objects to its confirmed review.
pub async fn contest(
    State(state): State<AppState>,
    caller: Holds<IsEmployer>,
    Path(uscc): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let (year, _) = posted(&state, &caller, &uscc, &form).await?;
    let Some(version) = version_of(&form) else {
        return Err(stale(&caller));
    };
    let mut sub = Submission::new(form);
    let reason = sub.required_text("reason", 500, caller.lang);
    let Some(reason) = reason.filter(|_| sub.errors.is_empty()) else {
        let errors = sub.errors.clone();
        return review_page(&state, &caller, &uscc, year, None, errors, Some(&sub)).await;
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "employment.review.contest",
        &uscc,
        "ok",
        serde_json::json!({"year": year, "version": version, "reason": reason}),
    );
    let written = state
        .store
        .contest(year, &uscc, version, &reason, &caller.user.username, &audit)
        .await
        .or_page(&caller)?;
    after(&caller, written, &uscc, year, "contested")
}

/// `POST /employment/employers/{uscc}/profile`: the employer's sector and whether it is a
/// public body (机关事业单位, for the plan's "every public body employs one").
pub async fn profile(
    State(state): State<AppState>,
    caller: Holds<RunsReview>,
    Path(uscc): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let (year, _) = posted(&state, &caller, &uscc, &form).await?;
    let public_body = form.get("public_body").is_some_and(|v| v == "yes");
    let sub = Submission::new(form);
    let sector = sub.get("sector").to_string();
    if sector.chars().count() > 50 {
        let errors = vec![(
            "sector".to_string(),
            crate::t(caller.lang, "at-most-50-characters").to_string(),
        )];
        return review_page(&state, &caller, &uscc, year, None, errors, Some(&sub)).await;
    }
    let old = state.store.profile(&uscc).await.or_page(&caller)?;
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "employment.employer.profile",
        &uscc,
        "ok",
        serde_json::json!({"old": old, "new": (&sector, public_body)}),
    );
    if !state
        .store
        .set_profile(&uscc, &sector, public_body, &caller.user.username, &audit)
        .await
        .or_page(&caller)?
    {
        return Err(PageError::not_found(&caller));
    }
    Ok(Redirect::to(&format!(
        "/employment/employers/{uscc}?year={year}&done=profile"
    ))
    .into_response())
}

// ---------------------------------------------------------------- the employer's own page

struct OwnRow {
    year: i64,
    status: String,
    listed: i64,
    declared: String,
}

#[derive(Template)]
#[template(path = "employment_own.html")]
struct OwnPage {
    c: Chrome,
    uscc: Option<String>,
    name: String,
    rows: Vec<OwnRow>,
    file_fields: Vec<FormField>,
    notice: Option<String>,
    warnings: Vec<String>,
    errors: Vec<(String, String)>,
}

/// `GET /employment/employer`: the employer's declarations by year and its upload.
pub async fn own(State(state): State<AppState>, caller: Holds<IsEmployer>) -> PageResult {
    own_page(&state, &caller, None, Vec::new(), Vec::new(), None).await
}

async fn own_page(
    state: &AppState,
    caller: &PageCaller,
    year: Option<i64>,
    errors: Vec<(String, String)>,
    warnings: Vec<String>,
    notice: Option<String>,
) -> PageResult {
    let lang = caller.lang;
    let uscc = own_uscc(state, caller).await?;
    let mut rows = Vec::new();
    let mut name = String::new();
    if let Some(u) = uscc.as_deref() {
        for d in state.store.declarations_of(u).await.or_page(caller)? {
            if name.is_empty() {
                name = d.name.clone();
            }
            rows.push(OwnRow {
                year: d.year,
                status: d.status.label(lang).to_string(),
                listed: d.listed,
                declared: d.declared_at.chars().take(10).collect(),
            });
        }
    }
    let field_error = |k: &str| errors.iter().find(|(f, _)| f == k).map(|(_, m)| m.clone());
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        code,
        &OwnPage {
            c: chrome(
                Some(caller),
                lang,
                "/employment/employer",
                "employment_employer",
                crate::t(lang, "our-declarations"),
            ),
            uscc,
            name,
            rows,
            file_fields: file_fields(
                lang,
                year.unwrap_or_else(|| year_of(None).unwrap_or(2025)),
                field_error("file"),
                field_error("year"),
            ),
            notice,
            warnings,
            errors,
        },
    ))
}

/// `POST /employment/employer/import`: the employer's own declaration workbook (every row
/// must be its own USCC), refused while its review of that year is confirmed.
pub async fn own_import(
    State(state): State<AppState>,
    caller: Holds<IsEmployer>,
    req: axum::extract::Request,
) -> PageResult {
    let lang = caller.lang;
    let CsrfMultipart(posted) = CsrfMultipart::from_request(req, &state).await?;
    let Some(own) = bound_uscc(&state, &caller).await? else {
        // Only an employer's account holds the right.
        return Err(PageError::forbidden(&caller));
    };
    let up = match read_upload(&caller, posted).await? {
        Ok(u) => u,
        Err((year, problems)) => {
            return own_page(&state, &caller, Some(year), problems, Vec::new(), None).await;
        }
    };
    // Every line, of either sheet, must be the employer's own.
    let lines = up
        .decl
        .employers
        .iter()
        .map(|e| (&up.decl.employer_sheet, e.row, &e.uscc))
        .chain(
            up.decl
                .employees
                .iter()
                .map(|e| (&up.decl.employee_sheet, e.row, &e.uscc)),
        );
    let mut problems: Vec<(String, String)> = lines
        .filter(|(_, _, u)| u.as_str() != own)
        .map(|(sheet, row, u)| {
            let issue = zhucan_workbook::Issue {
                sheet: sheet.clone(),
                row,
                column: "统一社会信用代码".into(),
                value: u.to_string(),
                message: crate::t(lang, "not-your-uscc").into(),
            };
            ("file".to_string(), issue_text(&issue, lang))
        })
        .collect();
    if up.decl.employers.is_empty() {
        problems.push((
            "file".to_string(),
            crate::t(lang, "no-employer-line").into(),
        ));
    }
    if !problems.is_empty() {
        return own_page(&state, &caller, Some(up.year), problems, Vec::new(), None).await;
    }
    let setting = Setting::load(&state.store).await.or_page(&caller)?;
    let warnings = all_warnings(&state, &caller, &setting, &up.decl, up.year).await?;
    let list = new_declarations(&up.decl, &setting);
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "employment.declare",
        &own,
        "ok",
        serde_json::json!({"year": up.year}),
    );
    let saved = state
        .store
        .save_declarations(
            up.year,
            &list,
            "employer",
            Declarant::Employer,
            &caller.user.username,
            &audit,
        )
        .await
        .or_page(&caller)?;
    if !saved.locked.is_empty() {
        return own_page(
            &state,
            &caller,
            Some(up.year),
            vec![("file".to_string(), crate::t(lang, "review-locked").into())],
            Vec::new(),
            None,
        )
        .await;
    }
    let notice = saved_notice(lang, up.year, &saved);
    own_page(
        &state,
        &caller,
        Some(up.year),
        Vec::new(),
        warnings,
        Some(notice),
    )
    .await
}

// ---------------------------------------------------------------- the public list (公示)

struct PublicRow {
    uscc: String,
    name: String,
    township: String,
    quota: String,
    counted: i64,
    result: String,
}

#[derive(Template)]
#[template(path = "employment_public.html")]
struct PublicPage {
    c: Chrome,
    year: String,
    district: String,
    rows: Vec<PublicRow>,
    errors: Vec<(String, String)>,
}

/// `GET /public/employment?year=Y`: the confirmed reviews of a year, for anyone.
pub async fn public(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<YearParams>,
) -> Response {
    let lang = request_lang(&headers);
    let title = crate::t(lang, "public-list-title");
    let (year, errors, shown) = match year_of(q.year.as_deref()) {
        Ok(y) => (y, Vec::new(), y.to_string()),
        Err(v) => (
            year_of(None).unwrap_or(2025),
            vec![("q-year".to_string(), bad_year(lang, &v))],
            v,
        ),
    };
    let loaded = async {
        let (areas, names) = area_names(&state).await?;
        let district = areas
            .iter()
            .find(|a| a.code.level() == zhucan_domain::area::AreaLevel::District)
            .map(|a| a.name.clone())
            .unwrap_or_default();
        let list = state.store.published(year).await?;
        Ok::<_, zhucan_store::StoreError>((district, names, list))
    }
    .await;
    let (district, names, list) = match loaded {
        Ok(x) => x,
        Err(e) => {
            tracing::error!(error = %e, "public employment list");
            return zhucan_web::pages::error_page(
                None,
                lang,
                StatusCode::SERVICE_UNAVAILABLE,
                "暂时无法读取公示名单，请稍后再试。",
                "The list cannot be read now; try again later.",
            );
        }
    };
    let rows = list
        .into_iter()
        .map(|p| PublicRow {
            uscc: p.uscc.to_string(),
            name: p.name,
            township: names.name(&p.area_code),
            quota: p.decision.quota.clone(),
            counted: p.decision.counted,
            result: outcome_text(
                lang,
                p.decision.exempt,
                p.decision.levy_fen,
                p.decision.reward_fen,
            ),
        })
        .collect();
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        code,
        &PublicPage {
            c: chrome(None, lang, "/public/employment", "", title),
            year: shown,
            district,
            rows,
            errors,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::year_of;
    use proptest::prelude::*;

    proptest! {
        /// Any text: a year of 2000–2100 is taken as it is, anything else is named back.
        #[test]
        fn a_year_is_taken_only_when_it_is_one(raw in "\\PC{0,8}") {
            match year_of(Some(&raw)) {
                Ok(y) => {
                    let t = raw.trim();
                    prop_assert!(t.is_empty() || (t.parse::<i64>() == Ok(y) && (2000..=2100).contains(&y)));
                }
                Err(v) => prop_assert_eq!(v, raw.trim()),
            }
        }

        #[test]
        fn every_year_of_the_range_is_one(y in 1990i64..2110) {
            prop_assert_eq!(year_of(Some(&y.to_string())).is_ok(), (2000..=2100).contains(&y));
        }
    }
}
