//! Job matching's staff pages (人岗匹配): the area's job seekers (indicator 9's gap: of working
//! age, counted, not employed, from the registry and the feeds) with their registrations; a
//! seeker's page (skills, wished jobs, adaptations needed; the vacancies offered with their
//! reasons and those ruled out with why; the referrals and their outcome); the vacancies,
//! posted by staff or by the employer's own account; a referral's outcome (a placement writes
//! the person's employment fact: indicator 9 moves).

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use zhucan_domain::Lang;
use zhucan_domain::access::Role;
use zhucan_domain::area::{AreaCode, AreaLevel};
use zhucan_domain::disability::Category;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::parse::{fen_to_yuan, parse_yuan_to_fen};
use zhucan_domain::person::EmploymentStatus;
use zhucan_facts::snapshot::Snapshot;
use zhucan_plan::prelude::IndicatorFacts;
use zhucan_plan::{Indicator, Measured, Members, Part};
use zhucan_service::rules::NeedKind;
use zhucan_service::taken::{WaitingNeeds, check_need, takeable, waiting};
use zhucan_store::registry::Actor;
use zhucan_store::{PersonFile, StoreError, User};
use zhucan_web::AppState;
use zhucan_web::auth::PageCaller;
use zhucan_web::forms::{FormField, Submission, enum_options, fill, township_options};
use zhucan_web::pages::{area_names, chrome};
use zhucan_web::scope;
use zhucan_web::trail::audit_event;
use zhucan_web::usecase::{
    CsrfForm, Holds, OrPage, PageError, PageResult, ReadableFile, Right, writable_file,
};
use zhucan_web::view::{AreaNames, Chrome, render, today};

use crate::jobs::{
    JobsStore, NewRegistration, Outcome, Referral, Referred, Registration, StoredVacancy,
    VacancyInput,
};
use crate::matching::{
    Access, Fit, Reason, ReferralStatus, Seeker, Unfit, VacancyStatus, assess, rank, tags,
};
use crate::store::Written;

/// Works with job seekers and vacancies (district, township and village staff of the area).
#[derive(Debug, Clone, Copy)]
pub struct WorksJobs;

impl Right for WorksJobs {
    fn held_by(user: &User) -> bool {
        user.role.works_subsidies()
    }
}

/// Sees vacancies: staff, or an employer (its own).
#[derive(Debug, Clone, Copy)]
pub struct SeesVacancies;

impl Right for SeesVacancies {
    fn held_by(user: &User) -> bool {
        WorksJobs::held_by(user) || user.role == Role::Employer
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    pub page: Option<String>,
    pub done: Option<String>,
    /// A stated 就业 need to act on (需求转办).
    pub need: Option<String>,
}

const PER_PAGE: usize = 50;

/// Where a person stands for job matching today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Counted by indicator 9 and not employed: a job seeker.
    Seeking,
    /// Counted and employed.
    Employed,
    /// Not counted (age, in school, retired, unable to work, no certificate in force).
    Outside,
}

impl Standing {
    pub fn of(snap: &Snapshot, id: &CitizenId, day: chrono::NaiveDate) -> Standing {
        match snap.standing(id, Measured::Indicator(Indicator::EmploymentRate), day) {
            Some((true, false)) => Standing::Seeking,
            Some((true, true)) => Standing::Employed,
            _ => Standing::Outside,
        }
    }

    pub fn text(self, lang: Lang) -> &'static str {
        match self {
            Standing::Seeking => crate::t(lang, "standing-seeking"),
            Standing::Employed => crate::t(lang, "standing-employed"),
            Standing::Outside => crate::t(lang, "standing-outside"),
        }
    }
}

/// The seeker as the match reads them.
pub fn seeker_of(file: &PersonFile, reg: &Registration) -> Seeker {
    Seeker {
        category: file.certificate.category,
        components: file.certificate.components.clone(),
        township: file.person.township.clone(),
        skills: reg.skills.clone(),
        wishes: reg.wishes.clone(),
        needs: reg.needs.clone(),
    }
}

/// The open vacancies offered to a seeker (best first) and those ruled out with why.
pub type Offers = (Vec<(StoredVacancy, Fit)>, Vec<(StoredVacancy, Vec<Unfit>)>);

pub async fn offers_for(state: &AppState, s: &Seeker) -> Result<Offers, StoreError> {
    let open: Vec<StoredVacancy> = state
        .store
        .vacancies()
        .await?
        .into_iter()
        .filter(|v| v.status == VacancyStatus::Open && v.left() > 0)
        .collect();
    let matchable: Vec<crate::matching::Vacancy> =
        open.iter().filter_map(StoredVacancy::for_match).collect();
    let by_id: HashMap<&str, &StoredVacancy> = open.iter().map(|v| (v.id.as_str(), v)).collect();
    let offered: Vec<(StoredVacancy, Fit)> = rank(s, &matchable)
        .into_iter()
        .filter_map(|(v, f)| by_id.get(v.id.as_str()).map(|sv| ((*sv).clone(), f)))
        .collect();
    let ruled_out = matchable
        .iter()
        .filter_map(|v| match assess(s, v) {
            Err(why) => by_id.get(v.id.as_str()).map(|sv| ((*sv).clone(), why)),
            Ok(_) => None,
        })
        .collect();
    Ok((offered, ruled_out))
}

/// The reasons in words.
pub fn reason_texts(reasons: &[Reason], lang: Lang, township: &str) -> Vec<String> {
    reasons.iter().map(|r| r.text(lang, township)).collect()
}

/// Stored reasons (JSON) back in words; unreadable ones are skipped.
pub fn stored_reasons(v: &serde_json::Value, lang: Lang, township: &str) -> Vec<String> {
    serde_json::from_value::<Vec<Reason>>(v.clone())
        .map(|r| reason_texts(&r, lang, township))
        .unwrap_or_default()
}

fn yuan(f: i64) -> String {
    fen_to_yuan(f)
}

fn page_no(raw: Option<&str>) -> usize {
    raw.and_then(|s| s.trim().parse::<usize>().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(1)
}

fn stale(caller: &PageCaller) -> PageError {
    PageError::message(
        caller,
        StatusCode::CONFLICT,
        "这条记录刚被别人改过（或已不能这样处理），请返回重新打开后再操作。",
        "This record was just changed by someone else (or can no longer be handled this way); go back, open it again and retry.",
    )
}

fn done_notice(lang: Lang, done: Option<&str>) -> Option<String> {
    let text = match done? {
        "saved" => crate::t(lang, "notice-registration-saved"),
        "referred" => crate::t(lang, "notice-referred"),
        "already" => crate::t(lang, "notice-already-referred"),
        "outcome" => crate::t(lang, "notice-outcome-recorded"),
        "posted" => crate::t(lang, "notice-vacancy-posted"),
        "updated" => crate::t(lang, "notice-vacancy-updated"),
        "interest" => crate::t(lang, "notice-interest-sent"),
        _ => return None,
    };
    Some(text.to_string())
}

/// A checkbox of a group.
pub struct Check {
    pub name: String,
    pub label: String,
    pub checked: bool,
}

/// The adaptation checkboxes (`{prefix}_{key}`), those in `on` checked.
pub fn access_checks(prefix: &str, on: &[Access], lang: Lang) -> Vec<Check> {
    Access::ALL
        .iter()
        .map(|a| Check {
            name: format!("{prefix}_{}", a.key()),
            label: a.label(lang).to_string(),
            checked: on.contains(a),
        })
        .collect()
}

/// The adaptations ticked in a posted form.
pub fn posted_access(sub: &Submission, prefix: &str) -> Vec<Access> {
    Access::ALL
        .iter()
        .copied()
        .filter(|a| !sub.get(&format!("{prefix}_{}", a.key())).is_empty())
        .collect()
}

fn category_checks(on: &[Category], lang: Lang) -> Vec<Check> {
    Category::ALL
        .iter()
        .map(|c| Check {
            name: format!("cat_{}", c.key()),
            label: c.label(lang).to_string(),
            checked: on.contains(c),
        })
        .collect()
}

fn posted_categories(sub: &Submission) -> Vec<Category> {
    Category::ALL
        .iter()
        .copied()
        .filter(|c| !sub.get(&format!("cat_{}", c.key())).is_empty())
        .collect()
}

// ---------------------------------------------------------------- registration form

/// The registration's text fields, filled from the stored one or the posted form.
pub fn registration_fields(
    lang: Lang,
    reg: Option<&Registration>,
    sub: Option<&Submission>,
) -> (Vec<FormField>, Vec<(String, String)>) {
    let mut fields = vec![
        FormField::new("skills", crate::t(lang, "skills"), "text")
            .hint(crate::t(lang, "tags-hint")),
        FormField::new("wishes", crate::t(lang, "wishes"), "text")
            .required()
            .hint(crate::t(lang, "wishes-hint")),
        FormField::new("note", crate::t(lang, "seeker-note"), "text")
            .hint(crate::t(lang, "at-most-200-characters")),
    ];
    if let Some(r) = reg {
        fill(&mut fields, "skills", crate::matching::join_tags(&r.skills));
        fill(&mut fields, "wishes", crate::matching::join_tags(&r.wishes));
        fill(&mut fields, "note", r.note.clone());
    }
    let errors = sub.map(|s| s.apply(&mut fields)).unwrap_or_default();
    (fields, errors)
}

/// Reads a posted registration; errors are put on the submission.
pub fn parse_registration(
    sub: &mut Submission,
    file: &PersonFile,
    source: &'static str,
    lang: Lang,
) -> Option<NewRegistration> {
    let tag_field = |sub: &mut Submission, name: &str| match tags(sub.get(name)) {
        Ok(t) => Some(t),
        Err(bad) => {
            sub.fail(
                name,
                crate::tf(
                    lang,
                    "bad-tag",
                    &[
                        ("v", bad.into()),
                        ("max", crate::matching::MAX_TAGS.into()),
                        ("len", crate::matching::MAX_TAG_CHARS.into()),
                    ],
                ),
            );
            None
        }
    };
    let skills = tag_field(sub, "skills");
    let wishes = tag_field(sub, "wishes");
    if wishes.as_ref().is_some_and(Vec::is_empty) {
        sub.fail("wishes", crate::t(lang, "wishes-required").to_string());
    }
    let note = sub.get("note").trim().to_string();
    if note.chars().count() > 200 {
        sub.fail("note", crate::t(lang, "at-most-200-characters").to_string());
    }
    let needs = posted_access(sub, "need");
    if !sub.errors.is_empty() {
        return None;
    }
    Some(NewRegistration {
        citizen_id: file.person.citizen_id.clone(),
        area_code: file.person.home_area().to_string(),
        skills: skills?,
        wishes: wishes?,
        needs,
        note,
        source,
        takes_need: None,
    })
}

fn version_of(sub: &Submission) -> Option<i64> {
    sub.get("version").trim().parse::<i64>().ok()
}

// ---------------------------------------------------------------- the seekers' list

struct SeekerRow {
    handle: String,
    name: String,
    masked_id: String,
    township: String,
    disability: String,
    registered: String,
    seeking: bool,
}

#[derive(Template)]
#[template(path = "employment_seekers.html")]
struct SeekersPage {
    c: Chrome,
    rows: Vec<SeekerRow>,
    waiting: WaitingNeeds,
    can_act: bool,
    summary: String,
    page_label: String,
    prev_href: Option<String>,
    next_href: Option<String>,
}

/// The persons behind one part of indicator 9 in `area` today (its gap: the job seekers), with
/// the facts they were read from.
pub(crate) async fn employment_members(
    state: &AppState,
    caller: &PageCaller,
    part: Part,
    area: &AreaCode,
) -> Result<(std::sync::Arc<Snapshot>, Vec<CitizenId>), PageError> {
    let snap = state.facts.snapshot().await.or_page(caller)?;
    let (s2, a2, day) = (snap.clone(), area.clone(), today());
    let members = tokio::task::spawn_blocking(move || {
        s2.members(
            Measured::Indicator(Indicator::EmploymentRate),
            part,
            &a2,
            day,
        )
    })
    .await
    .map_err(|_| {
        PageError::message(
            caller,
            StatusCode::INTERNAL_SERVER_ERROR,
            "名单暂时无法计算，请稍后再试。",
            "The list could not be computed; please try again.",
        )
    })?;
    let ids = match members {
        Members::Persons(ids) => ids,
        _ => Vec::new(),
    };
    Ok((snap, ids))
}

/// `GET /employment/seekers`: the area's job seekers — indicator 9's gap today, and anyone
/// else registered — with their registration.
pub async fn seekers(
    State(state): State<AppState>,
    caller: Holds<WorksJobs>,
    Query(q): Query<ListParams>,
) -> PageResult {
    let lang = caller.lang;
    let area = scope::person_area(&caller.user)
        .cloned()
        .ok_or_else(|| PageError::forbidden(&caller))?;
    if let Some(id) = q.need.as_deref() {
        // "据此办理": the person's registration form, taking the need.
        let Some(n) = takeable(&state, &caller, id, NeedKind::Employment).await? else {
            return Err(PageError::not_found(&caller));
        };
        let file = scope::read_file(&state.store, &caller.user, &n.citizen_id)
            .await
            .or_page(&caller)?
            .ok_or_else(|| PageError::not_found(&caller))?;
        return Ok(Redirect::to(&format!(
            "/employment/seekers/{}?need={}",
            file.handle, n.id
        ))
        .into_response());
    }
    let waiting = waiting(
        &state,
        &caller,
        &area,
        NeedKind::Employment,
        "/employment/seekers",
    )
    .await?;
    let (snap, mut ids) = employment_members(&state, &caller, Part::Gap, &area).await?;
    let regs: HashMap<String, Registration> = state
        .store
        .registrations(area.as_str())
        .await
        .or_page(&caller)?
        .into_iter()
        .map(|r| (r.citizen_id.to_string(), r))
        .collect();
    let seeking: HashSet<String> = ids.iter().map(|i| i.to_string()).collect();
    let mut others: Vec<CitizenId> = regs
        .values()
        .filter(|r| !seeking.contains(r.citizen_id.as_str()))
        .map(|r| r.citizen_id.clone())
        .collect();
    others.sort();
    ids.extend(others);
    let total = ids.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = page_no(q.page.as_deref()).min(pages);
    let slice: Vec<CitizenId> = ids
        .iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .cloned()
        .collect();
    let (_, names) = area_names(&state).await.or_page(&caller)?;
    let summaries = state.store.summaries_of(&slice).await.or_page(&caller)?;
    let rows = summaries
        .into_iter()
        .map(|s| {
            let reg = regs.get(s.citizen_id.as_str());
            SeekerRow {
                masked_id: s.citizen_id.masked(),
                township: names.name(&s.township_code),
                disability: format!(
                    "{} {}",
                    Category::parse(&s.category)
                        .map(|c| c.label(lang))
                        .unwrap_or(""),
                    zhucan_domain::Grade::parse(&s.grade)
                        .map(|g| g.label(lang))
                        .unwrap_or("")
                ),
                registered: match reg {
                    Some(r) if r.skills.is_empty() => crate::t(lang, "registered").to_string(),
                    Some(r) => crate::matching::join_tags(&r.skills),
                    None => crate::t(lang, "not-registered").to_string(),
                },
                seeking: Standing::of(&snap, &s.citizen_id, today()) == Standing::Seeking,
                handle: s.handle,
                name: s.name,
            }
        })
        .collect();
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "employment.seekers",
        area.as_str(),
        "ok",
        serde_json::json!({"page": page, "total": total}),
    ));
    let href = |n: usize| format!("/employment/seekers?page={n}");
    Ok(render(
        StatusCode::OK,
        &SeekersPage {
            c: chrome(
                Some(&caller),
                lang,
                "/employment/seekers",
                "employment_seekers",
                crate::t(lang, "job-seekers"),
            ),
            rows,
            waiting,
            can_act: true,
            summary: crate::tf(
                lang,
                "seekers-summary",
                &[("n", seeking.len().into()), ("r", regs.len().into())],
            ),
            page_label: crate::tf(
                lang,
                "page-of",
                &[("page", page.into()), ("pages", pages.into())],
            ),
            prev_href: (page > 1).then(|| href(page - 1)),
            next_href: (page < pages).then(|| href(page + 1)),
        },
    ))
}

// ---------------------------------------------------------------- one seeker

/// A vacancy offered on a seeker's page.
pub struct OfferRow {
    pub id: String,
    pub employer: String,
    pub title: String,
    pub township: String,
    pub wage: String,
    pub form: String,
    pub positions_left: i64,
    pub access: String,
    pub reasons: Vec<String>,
    /// The person's referral to it, if any (its status).
    pub referred: Option<String>,
    /// Whether staff may refer the person to it (no referral yet, or only their interest).
    pub can_refer: bool,
}

pub struct RuledOutRow {
    pub employer: String,
    pub title: String,
    pub why: Vec<String>,
}

/// A referral on a seeker's or a vacancy's page.
pub struct ReferralRow {
    pub id: String,
    pub version: i64,
    /// The vacancy (on a seeker's page) or the person (on a vacancy's page).
    pub what: String,
    pub href: Option<String>,
    pub status: String,
    pub open: bool,
    pub reasons: Vec<String>,
    pub placed_on: String,
    pub note: String,
    pub date_error: Option<String>,
    pub note_error: Option<String>,
    pub outcome_error: Option<String>,
}

pub fn offer_rows(
    offered: &[(StoredVacancy, Fit)],
    referrals: &[Referral],
    names: &AreaNames,
    township: &str,
    lang: Lang,
) -> Vec<OfferRow> {
    offered
        .iter()
        .map(|(v, f)| OfferRow {
            id: v.id.clone(),
            employer: v.employer_name.clone(),
            title: v.title.clone(),
            township: names.name(&v.area_code),
            wage: yuan(v.monthly_wage_fen),
            form: v.form.label(lang).to_string(),
            positions_left: v.left(),
            access: v
                .access
                .iter()
                .map(|a| a.label(lang))
                .collect::<Vec<_>>()
                .join("、"),
            reasons: reason_texts(&f.reasons, lang, township),
            referred: referrals
                .iter()
                .find(|r| r.vacancy_id == v.id)
                .map(|r| r.status.label(lang).to_string()),
            can_refer: referrals
                .iter()
                .find(|r| r.vacancy_id == v.id)
                .is_none_or(|r| r.status == ReferralStatus::Interested),
        })
        .collect()
}

fn outcome_errors(errors: &[(String, String)], id: &str) -> [Option<String>; 3] {
    let find = |f: &str| {
        errors
            .iter()
            .find(|(k, _)| k == &format!("{f}-{id}"))
            .map(|(_, m)| m.clone())
    };
    [find("placed_on"), find("note"), find("outcome")]
}

#[derive(Template)]
#[template(path = "employment_seeker.html")]
struct SeekerPage {
    c: Chrome,
    handle: String,
    masked_id: String,
    township: String,
    disability: String,
    standing: String,
    seeking: bool,
    registered: bool,
    version: String,
    fields: Vec<FormField>,
    needs: Vec<Check>,
    can_write: bool,
    offers: Vec<OfferRow>,
    ruled_out: Vec<RuledOutRow>,
    referrals: Vec<ReferralRow>,
    outcomes: Vec<(String, String)>,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    /// The stated 就业 need the registration form takes: (need id, what the person said).
    from_need: Option<(String, String)>,
}

/// The outcomes staff may record.
pub fn outcome_options(lang: Lang) -> Vec<(String, String)> {
    [
        ReferralStatus::Placed,
        ReferralStatus::Declined,
        ReferralStatus::Withdrawn,
    ]
    .iter()
    .map(|s| (s.key().to_string(), s.label(lang).to_string()))
    .collect()
}

/// `GET /employment/seekers/{handle}`.
pub async fn seeker(
    State(state): State<AppState>,
    caller: Holds<WorksJobs>,
    ReadableFile(file): ReadableFile,
    Query(q): Query<ListParams>,
) -> PageResult {
    let notice = done_notice(caller.lang, q.done.as_deref());
    let from_need = match q.need.as_deref() {
        Some(id) => Some(
            need_of(&state, &caller, &file, id)
                .await?
                .ok_or_else(|| PageError::not_found(&caller))?,
        ),
        None => None,
    };
    seeker_page(&state, &caller, &file, None, Vec::new(), notice, from_need).await
}

/// The stated 就业 need `id` of this person that waits for a case within the caller's
/// reach: (its id, what the person said).
async fn need_of(
    state: &AppState,
    caller: &PageCaller,
    file: &PersonFile,
    id: &str,
) -> Result<Option<(String, String)>, PageError> {
    Ok(takeable(state, caller, id, NeedKind::Employment)
        .await?
        .filter(|n| n.citizen_id == file.person.citizen_id)
        .map(|n| (n.id, n.description)))
}

async fn seeker_page(
    state: &AppState,
    caller: &PageCaller,
    file: &PersonFile,
    sub: Option<&Submission>,
    extra_errors: Vec<(String, String)>,
    notice: Option<String>,
    from_need: Option<(String, String)>,
) -> PageResult {
    let lang = caller.lang;
    let id = &file.person.citizen_id;
    let reg = state.store.registration(id).await.or_page(caller)?;
    let snap = state.facts.snapshot().await.or_page(caller)?;
    let standing = Standing::of(&snap, id, today());
    let (_, names) = area_names(state).await.or_page(caller)?;
    let township = names.name(file.person.township.as_str());
    let referrals = state.store.referrals_of(id).await.or_page(caller)?;
    let (offers, ruled_out) = match &reg {
        Some(r) => {
            let (o, x) = offers_for(state, &seeker_of(file, r))
                .await
                .or_page(caller)?;
            (
                offer_rows(&o, &referrals, &names, &township, lang),
                x.into_iter()
                    .map(|(v, why)| RuledOutRow {
                        employer: v.employer_name,
                        title: v.title,
                        why: why.iter().map(|u| u.text(lang)).collect(),
                    })
                    .collect(),
            )
        }
        None => (Vec::new(), Vec::new()),
    };
    let mut referral_rows = Vec::new();
    for r in &referrals {
        let v = state.store.vacancy(&r.vacancy_id).await.or_page(caller)?;
        let [date_error, note_error, outcome_error] = outcome_errors(&extra_errors, &r.id);
        referral_rows.push(ReferralRow {
            id: r.id.clone(),
            version: r.version,
            what: v
                .as_ref()
                .map(|v| format!("{}：{}", v.employer_name, v.title))
                .unwrap_or_default(),
            href: v
                .as_ref()
                .map(|v| format!("/employment/vacancies/{}", v.id)),
            status: r.status.label(lang).to_string(),
            open: r.status.open(),
            reasons: stored_reasons(&r.reasons, lang, &township),
            placed_on: r.placed_on.map(|d| d.to_string()).unwrap_or_default(),
            note: r.note.clone(),
            date_error,
            note_error,
            outcome_error,
        });
    }
    let (fields, mut errors) = registration_fields(lang, reg.as_ref(), sub);
    let needs = match sub {
        Some(s) => access_checks("need", &posted_access(s, "need"), lang),
        None => access_checks(
            "need",
            reg.as_ref().map(|r| r.needs.as_slice()).unwrap_or(&[]),
            lang,
        ),
    };
    errors.extend(extra_errors);
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "employment.seeker.read",
        id.as_str(),
        "ok",
        serde_json::json!({}),
    ));
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let here = format!("/employment/seekers/{}", file.handle);
    Ok(render(
        code,
        &SeekerPage {
            c: chrome(
                Some(caller),
                lang,
                &here,
                "employment_seekers",
                &crate::tf(
                    lang,
                    "seeker-title",
                    &[("v", file.person.name.clone().into())],
                ),
            ),
            handle: file.handle.clone(),
            masked_id: id.masked(),
            township,
            disability: format!(
                "{} {}",
                file.certificate.category.label(lang),
                file.certificate.grade.label(lang)
            ),
            standing: standing.text(lang).to_string(),
            seeking: standing == Standing::Seeking,
            registered: reg.is_some(),
            version: reg
                .as_ref()
                .map(|r| r.version.to_string())
                .unwrap_or_default(),
            fields,
            needs,
            can_write: scope::can_write(&caller.user, &file.person),
            offers,
            ruled_out,
            referrals: referral_rows,
            outcomes: outcome_options(lang),
            notice,
            errors,
            from_need,
        },
    ))
}

/// The person of a typed citizen ID whom the caller may change, or the message for the
/// field (a malformed ID, or nobody of the caller's area: the same words either way for a
/// well-formed one, so the form tells nothing of other areas).
pub(crate) async fn writable_by_id(
    state: &AppState,
    caller: &PageCaller,
    raw: &str,
) -> Result<Result<PersonFile, String>, PageError> {
    let lang = caller.lang;
    let id = match CitizenId::parse(raw) {
        Err(e) => return Ok(Err(zhucan_web::forms::msg(lang, &e))),
        Ok(p) => p.id,
    };
    Ok(
        match scope::read_file(&state.store, &caller.user, &id)
            .await
            .or_page(caller)?
        {
            Some(f) if scope::can_write(&caller.user, &f.person) => Ok(f),
            _ => Err(crate::tf(
                lang,
                "trainee-not-found",
                &[("v", raw.to_string().into())],
            )),
        },
    )
}

/// `POST /employment/seekers/{handle}`: saves the registration (求职登记).
pub async fn register(
    State(state): State<AppState>,
    caller: Holds<WorksJobs>,
    Path(handle): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let file = writable_file(&state, &caller, &handle).await?;
    let mut sub = Submission::new(form);
    let need_id = check_need(
        &state,
        &caller,
        &mut sub,
        "stated_need",
        "note",
        NeedKind::Employment,
        Some(&file.person.citizen_id),
    )
    .await?;
    let Some(mut new) = parse_registration(&mut sub, &file, "staff", lang) else {
        let from_need = need_of(&state, &caller, &file, &need_id).await?;
        return seeker_page(
            &state,
            &caller,
            &file,
            Some(&sub),
            Vec::new(),
            None,
            from_need,
        )
        .await;
    };
    new.takes_need = Some(need_id).filter(|n| !n.is_empty());
    save_registration(&state, &caller, &new, version_of(&sub)).await?;
    Ok(Redirect::to(&format!("/employment/seekers/{handle}?done=saved")).into_response())
}

/// Saves a registration with its audit record (staff's or the citizen's).
pub async fn save_registration(
    state: &AppState,
    caller: &PageCaller,
    new: &NewRegistration,
    version: Option<i64>,
) -> Result<(), PageError> {
    let old = state
        .store
        .registration(&new.citizen_id)
        .await
        .or_page(caller)?;
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "employment.seeker.register",
        new.citizen_id.as_str(),
        "ok",
        serde_json::json!({
            "old": old.map(|o| serde_json::json!({"skills": o.skills, "wishes": o.wishes, "needs": o.needs.iter().map(|a| a.key()).collect::<Vec<_>>(), "note": o.note})),
            "new": {"skills": new.skills, "wishes": new.wishes, "needs": new.needs.iter().map(|a| a.key()).collect::<Vec<_>>(), "note": new.note, "source": new.source},
        }),
    );
    match state
        .store
        .register_seeker(new, version, &caller.user.username, &audit)
        .await
        .or_page(caller)?
    {
        Written::Done => Ok(()),
        _ => Err(stale(caller)),
    }
}

/// `POST /employment/seekers/{handle}/refer`: refers the person to an open vacancy that
/// suits them (the match's reasons are kept with the referral).
pub async fn refer(
    State(state): State<AppState>,
    caller: Holds<WorksJobs>,
    Path(handle): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let file = writable_file(&state, &caller, &handle).await?;
    let vacancy_id = form.get("vacancy").cloned().unwrap_or_default();
    let back = match form.get("back").map(String::as_str) {
        Some("vacancy") => format!("/employment/vacancies/{vacancy_id}"),
        _ => format!("/employment/seekers/{handle}"),
    };
    let done = express(
        &state,
        &caller,
        &file,
        &vacancy_id,
        ReferralStatus::Referred,
        "employment.referral.refer",
    )
    .await?;
    Ok(Redirect::to(&format!("{back}?done={done}")).into_response())
}

/// Refers the person (staff) or records their interest (the citizen): the vacancy must be
/// open and suit their registration. The `done` notice's key.
pub async fn express(
    state: &AppState,
    caller: &PageCaller,
    file: &PersonFile,
    vacancy_id: &str,
    status: ReferralStatus,
    action: &str,
) -> Result<&'static str, PageError> {
    let id = &file.person.citizen_id;
    let v = state
        .store
        .vacancy(vacancy_id)
        .await
        .or_page(caller)?
        .ok_or_else(|| PageError::not_found(caller))?;
    let reg = state
        .store
        .registration(id)
        .await
        .or_page(caller)?
        .ok_or_else(|| {
            PageError::message(
                caller,
                StatusCode::CONFLICT,
                crate::t(Lang::Zh, "register-first"),
                crate::t(Lang::En, "register-first"),
            )
        })?;
    let m = v.for_match().ok_or_else(|| PageError::not_found(caller))?;
    let fit = match assess(&seeker_of(file, &reg), &m) {
        Ok(f) => f,
        Err(why) => {
            let zh: Vec<String> = why.iter().map(|u| u.text(Lang::Zh)).collect();
            let en: Vec<String> = why.iter().map(|u| u.text(Lang::En)).collect();
            return Err(PageError::message(
                caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("这个岗位不适合：{}。", zh.join("；")),
                &format!("This vacancy does not suit: {}.", en.join("; ")),
            ));
        }
    };
    let reasons = serde_json::to_value(&fit.reasons).unwrap_or_default();
    let audit = audit_event(
        &caller.user,
        &caller.client,
        action,
        id.as_str(),
        "ok",
        serde_json::json!({"vacancy": v.id, "uscc": v.uscc.as_str(), "reasons": reasons}),
    );
    match state
        .store
        .refer(&v.id, id, status, &reasons, &caller.user.username, &audit)
        .await
        .or_page(caller)?
    {
        Referred::New(_) | Referred::Promoted(_) => Ok(if status == ReferralStatus::Interested {
            "interest"
        } else {
            "referred"
        }),
        Referred::Already(_) => Ok("already"),
        Referred::Closed => Err(stale(caller)),
    }
}

// ---------------------------------------------------------------- a referral's outcome

/// `POST /employment/referrals/{id}/outcome`: placed (with the first day of work), not
/// hired, or withdrawn — by staff who may change the person's file, or by the employer of
/// the vacancy.
pub async fn outcome(
    State(state): State<AppState>,
    caller: Holds<SeesVacancies>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let r = state
        .store
        .referral(&id)
        .await
        .or_page(&caller)?
        .ok_or_else(|| PageError::not_found(&caller))?;
    let v = state
        .store
        .vacancy(&r.vacancy_id)
        .await
        .or_page(&caller)?
        .ok_or_else(|| PageError::not_found(&caller))?;
    let from_vacancy = form.get("back").is_some_and(|b| b == "vacancy");
    // Staff: through the person's file; the employer: its own vacancy.
    let file = if caller.user.role == Role::Employer {
        if crate::pages::own_uscc(&state, &caller).await?.as_deref() != Some(v.uscc.as_str())
            || r.status == ReferralStatus::Interested
        {
            return Err(PageError::not_found(&caller));
        }
        None
    } else {
        match scope::read_file(&state.store, &caller.user, &r.citizen_id)
            .await
            .or_page(&caller)?
        {
            Some(f) if scope::can_write(&caller.user, &f.person) => Some(f),
            _ => return Err(PageError::not_found(&caller)),
        }
    };
    let mut sub = Submission::new(form);
    let status = match ReferralStatus::parse(sub.get("outcome")) {
        Some(s) if !s.open() => Some(s),
        _ => {
            let v = sub.get("outcome").to_string();
            sub.fail(
                format!("outcome-{id}"),
                crate::tf(lang, "bad-outcome", &[("v", v.into())]),
            );
            None
        }
    };
    let placed_on = if status == Some(ReferralStatus::Placed) {
        let raw = sub.get("placed_on").to_string();
        match zhucan_domain::parse::parse_date(&raw) {
            Ok(d) if d <= today() => Some(d),
            _ => {
                sub.fail(
                    format!("placed_on-{id}"),
                    crate::tf(lang, "bad-placed-on", &[("v", raw.into())]),
                );
                None
            }
        }
    } else {
        None
    };
    let note = sub.get("note").trim().to_string();
    if note.chars().count() > 200 {
        sub.fail(
            format!("note-{id}"),
            crate::t(lang, "at-most-200-characters").to_string(),
        );
    }
    if !sub.errors.is_empty() {
        let errors: Vec<(String, String)> = sub.errors.clone();
        return match (&file, from_vacancy) {
            (Some(f), false) => seeker_page(&state, &caller, f, None, errors, None, None).await,
            _ => vacancy_page(&state, &caller, &v.id, None, errors, None).await,
        };
    }
    let Some(status) = status else {
        return Err(stale(&caller));
    };
    let version = sub.get("version").trim().parse::<i64>().unwrap_or(-1);
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "employment.referral.outcome",
        r.citizen_id.as_str(),
        "ok",
        serde_json::json!({"referral": r.id, "vacancy": v.id, "uscc": v.uscc.as_str(), "old": r.status.key(), "new": status.key(), "placed_on": placed_on.map(|d| d.to_string()), "form": v.form.key()}),
    );
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    match state
        .store
        .record_outcome(
            &id,
            version,
            &Outcome {
                status,
                placed_on,
                note,
            },
            &actor,
            &audit,
        )
        .await
        .or_page(&caller)?
    {
        Written::Done => {}
        Written::Missing => return Err(PageError::not_found(&caller)),
        Written::Stale => return Err(stale(&caller)),
    }
    let back = match &file {
        Some(f) if !from_vacancy => format!("/employment/seekers/{}", f.handle),
        _ => format!("/employment/vacancies/{}", v.id),
    };
    Ok(Redirect::to(&format!("{back}?done=outcome")).into_response())
}

// ---------------------------------------------------------------- vacancies

struct VacancyLine {
    id: String,
    employer: String,
    title: String,
    township: String,
    positions: i64,
    placed: i64,
    wage: String,
    status: String,
}

#[derive(Template)]
#[template(path = "employment_vacancies.html")]
struct VacanciesPage {
    c: Chrome,
    rows: Vec<VacancyLine>,
    can_post: bool,
    fields: Vec<FormField>,
    categories: Vec<Check>,
    access: Vec<Check>,
    notice: Option<String>,
    errors: Vec<(String, String)>,
}

/// The vacancy form's fields (the employer's two only for staff).
fn vacancy_fields(
    lang: Lang,
    areas: &[zhucan_domain::area::Area],
    scope_area: &AreaCode,
    staff: bool,
    edit: bool,
) -> Vec<FormField> {
    let mut f = Vec::new();
    if staff {
        f.push(
            FormField::new("uscc", crate::t(lang, "uscc"), "text")
                .required()
                .hint(crate::t(lang, "uscc-hint")),
        );
    }
    f.push(FormField::new("employer_name", crate::t(lang, "employer-name"), "text").required());
    f.push(FormField::new("title", crate::t(lang, "vacancy-title"), "text").required());
    f.push(
        FormField::new("township", crate::t(lang, "workplace-township"), "select")
            .required()
            .options(township_options(areas, scope_area, lang)),
    );
    f.push(FormField::new(
        "workplace",
        crate::t(lang, "workplace"),
        "text",
    ));
    f.push(
        FormField::new("form", crate::t(lang, "employment-form"), "select")
            .required()
            .options(enum_options(
                &EmploymentStatus::ALL[..EmploymentStatus::ALL.len() - 1],
                EmploymentStatus::key,
                |s| s.label(lang).to_string(),
                None,
            )),
    );
    f.push(FormField::new("positions", crate::t(lang, "positions"), "number").required());
    f.push(
        FormField::new("wage", crate::t(lang, "monthly-wage-yuan"), "text")
            .required()
            .hint(crate::t(lang, "monthly-wage-hint")),
    );
    f.push(
        FormField::new("skills", crate::t(lang, "skills-asked"), "text")
            .hint(crate::t(lang, "tags-hint")),
    );
    f.push(
        FormField::new("description", crate::t(lang, "vacancy-description"), "text")
            .hint(crate::t(lang, "at-most-500-characters")),
    );
    if edit {
        f.push(
            FormField::new("status", crate::t(lang, "vacancy-status"), "select")
                .required()
                .options(enum_options(
                    VacancyStatus::ALL,
                    VacancyStatus::key,
                    |s| s.label(lang).to_string(),
                    None,
                )),
        );
    }
    for x in &mut f {
        x.value = match x.name.as_str() {
            "form" => EmploymentStatus::Quota.key().to_string(),
            "positions" => "1".to_string(),
            "status" => VacancyStatus::Open.key().to_string(),
            _ => String::new(),
        };
    }
    f
}

fn fill_vacancy(fields: &mut [FormField], v: &StoredVacancy) {
    fill(fields, "uscc", v.uscc.to_string());
    fill(fields, "employer_name", v.employer_name.clone());
    fill(fields, "title", v.title.clone());
    fill(fields, "township", v.area_code.clone());
    fill(fields, "workplace", v.workplace.clone());
    fill(fields, "form", v.form.key());
    fill(fields, "positions", v.positions.to_string());
    fill(fields, "wage", yuan(v.monthly_wage_fen));
    fill(fields, "skills", crate::matching::join_tags(&v.skills));
    fill(fields, "description", v.description.clone());
    fill(fields, "status", v.status.key());
}

/// Reads a posted vacancy; `uscc` is the employer account's own (else the form's).
fn parse_vacancy(
    sub: &mut Submission,
    lang: Lang,
    areas: &[zhucan_domain::area::Area],
    within: Option<&AreaCode>,
    own: Option<&str>,
    edit: bool,
) -> Option<VacancyInput> {
    let raw_uscc = own
        .map(str::to_string)
        .unwrap_or_else(|| sub.get("uscc").trim().to_string());
    let uscc = match zhucan_domain::uscc::Uscc::parse(&raw_uscc) {
        Ok(u) => Some(u),
        Err(e) => {
            sub.fail("uscc", zhucan_web::forms::msg(lang, &e));
            None
        }
    };
    let employer_name = sub.required_text("employer_name", 100, lang);
    let title = sub.required_text("title", 50, lang);
    let township_raw = sub.get("township").trim().to_string();
    let area = areas
        .iter()
        .find(|a| {
            a.code.as_str() == township_raw
                && a.code.level() == AreaLevel::Township
                && within.is_none_or(|w| w.contains(&a.code) || a.code.contains(w))
        })
        .map(|a| a.code.to_string());
    if area.is_none() {
        sub.fail(
            "township",
            crate::tf(lang, "bad-township", &[("v", township_raw.into())]),
        );
    }
    let workplace = sub.get("workplace").trim().to_string();
    if workplace.chars().count() > 100 {
        sub.fail(
            "workplace",
            crate::t(lang, "at-most-100-characters").to_string(),
        );
    }
    let form = match EmploymentStatus::parse(sub.get("form")) {
        Some(f) if f != EmploymentStatus::NotEmployed => Some(f),
        _ => {
            let v = sub.get("form").to_string();
            sub.fail("form", crate::tf(lang, "bad-form", &[("v", v.into())]));
            None
        }
    };
    let positions_raw = sub.get("positions").trim().to_string();
    let positions = match positions_raw.parse::<i64>() {
        Ok(n) if (1..=999).contains(&n) => Some(n),
        _ => {
            sub.fail(
                "positions",
                crate::tf(lang, "bad-positions", &[("v", positions_raw.into())]),
            );
            None
        }
    };
    let wage_raw = sub.get("wage").trim().to_string();
    let wage = match parse_yuan_to_fen(&wage_raw) {
        Ok(f) if f > 0 && f <= 100_000_000 => Some(f),
        _ => {
            sub.fail(
                "wage",
                crate::tf(lang, "bad-wage", &[("v", wage_raw.into())]),
            );
            None
        }
    };
    let skills = match tags(sub.get("skills")) {
        Ok(t) => Some(t),
        Err(bad) => {
            sub.fail(
                "skills",
                crate::tf(
                    lang,
                    "bad-tag",
                    &[
                        ("v", bad.into()),
                        ("max", crate::matching::MAX_TAGS.into()),
                        ("len", crate::matching::MAX_TAG_CHARS.into()),
                    ],
                ),
            );
            None
        }
    };
    let description = sub.get("description").trim().to_string();
    if description.chars().count() > 500 {
        sub.fail(
            "description",
            crate::t(lang, "at-most-500-characters").to_string(),
        );
    }
    let status = if edit {
        match VacancyStatus::parse(sub.get("status")) {
            Some(s) => Some(s),
            None => {
                let v = sub.get("status").to_string();
                sub.fail("status", crate::tf(lang, "bad-status", &[("v", v.into())]));
                None
            }
        }
    } else {
        Some(VacancyStatus::Open)
    };
    let categories = posted_categories(sub);
    let access = posted_access(sub, "acc");
    if !sub.errors.is_empty() {
        return None;
    }
    Some(VacancyInput {
        uscc: uscc?,
        employer_name: employer_name?,
        title: title?,
        area_code: area?,
        workplace,
        form: form?,
        positions: positions?,
        monthly_wage_fen: wage?,
        categories,
        skills: skills?,
        access,
        description,
        status: status?,
    })
}

/// `GET /employment/vacancies`: the vacancies (an employer: its own) and the form to post one.
pub async fn vacancies(State(state): State<AppState>, caller: Holds<SeesVacancies>) -> PageResult {
    vacancies_page(&state, &caller, None, None).await
}

async fn vacancies_page(
    state: &AppState,
    caller: &PageCaller,
    sub: Option<&Submission>,
    notice: Option<String>,
) -> PageResult {
    let lang = caller.lang;
    let employer = caller.user.role == Role::Employer;
    let own = if employer {
        crate::pages::own_uscc(state, caller).await?
    } else {
        None
    };
    let (areas, names) = area_names(state).await.or_page(caller)?;
    let district = state.store.district().await.or_page(caller)?;
    let scope_area = scope::person_area(&caller.user)
        .cloned()
        .unwrap_or_else(|| district.clone());
    let list = match (&own, employer) {
        (Some(u), _) => state.store.vacancies_of(u).await.or_page(caller)?,
        (None, true) => Vec::new(),
        (None, false) => state.store.vacancies().await.or_page(caller)?,
    };
    let rows = list
        .iter()
        .map(|v| VacancyLine {
            id: v.id.clone(),
            employer: v.employer_name.clone(),
            title: v.title.clone(),
            township: names.name(&v.area_code),
            positions: v.positions,
            placed: v.placed,
            wage: yuan(v.monthly_wage_fen),
            status: v.status.label(lang).to_string(),
        })
        .collect();
    let mut fields = vacancy_fields(lang, &areas, &scope_area, !employer, false);
    if let Some(u) = &own
        && let Some((name, area)) = state.store.employer_of(u).await.or_page(caller)?
    {
        fill(&mut fields, "employer_name", name);
        fill(&mut fields, "township", area);
    }
    let errors = sub.map(|s| s.apply(&mut fields)).unwrap_or_default();
    let (categories, access) = match sub {
        Some(s) => (
            category_checks(&posted_categories(s), lang),
            access_checks("acc", &posted_access(s, "acc"), lang),
        ),
        None => (category_checks(&[], lang), access_checks("acc", &[], lang)),
    };
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        code,
        &VacanciesPage {
            c: chrome(
                Some(caller),
                lang,
                "/employment/vacancies",
                "employment_vacancies",
                crate::t(lang, "vacancies"),
            ),
            rows,
            can_post: !employer || own.is_some(),
            fields,
            categories,
            access,
            notice,
            errors,
        },
    ))
}

/// `POST /employment/vacancies`: posts a vacancy (staff for a township of their area; the
/// employer for itself).
pub async fn post_vacancy(
    State(state): State<AppState>,
    caller: Holds<SeesVacancies>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let employer = caller.user.role == Role::Employer;
    let own = if employer {
        Some(
            crate::pages::own_uscc(&state, &caller)
                .await?
                .ok_or_else(|| PageError::forbidden(&caller))?,
        )
    } else {
        None
    };
    let (areas, _) = area_names(&state).await.or_page(&caller)?;
    let district = state.store.district().await.or_page(&caller)?;
    let scope_area = scope::person_area(&caller.user)
        .cloned()
        .unwrap_or(district);
    let mut sub = Submission::new(form);
    let within = (!employer).then_some(&scope_area);
    let Some(input) = parse_vacancy(&mut sub, lang, &areas, within, own.as_deref(), false) else {
        return vacancies_page(&state, &caller, Some(&sub), None).await;
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "employment.vacancy.post",
        "",
        "ok",
        vacancy_json(&input),
    );
    let id = state
        .store
        .post_vacancy(&input, &caller.user.username, &audit)
        .await
        .or_page(&caller)?;
    Ok(Redirect::to(&format!("/employment/vacancies/{id}?done=posted")).into_response())
}

fn vacancy_json(v: &VacancyInput) -> serde_json::Value {
    serde_json::json!({
        "uscc": v.uscc.as_str(), "employer_name": v.employer_name, "title": v.title,
        "area": v.area_code, "workplace": v.workplace, "form": v.form.key(),
        "positions": v.positions, "monthly_wage_fen": v.monthly_wage_fen,
        "categories": v.categories.iter().map(|c| c.key()).collect::<Vec<_>>(),
        "skills": v.skills, "access": v.access.iter().map(|a| a.key()).collect::<Vec<_>>(),
        "description": v.description, "status": v.status.key(),
    })
}

/// A vacancy the caller may see: an employer its own (else 404); staff any. And whether the
/// caller may change it (the employer; staff whose area holds the workplace).
async fn visible_vacancy(
    state: &AppState,
    caller: &PageCaller,
    id: &str,
) -> Result<(StoredVacancy, bool), PageError> {
    let v = state
        .store
        .vacancy(id)
        .await
        .or_page(caller)?
        .ok_or_else(|| PageError::not_found(caller))?;
    if caller.user.role == Role::Employer {
        if crate::pages::own_uscc(state, caller).await?.as_deref() != Some(v.uscc.as_str()) {
            return Err(PageError::not_found(caller));
        }
        return Ok((v, true));
    }
    let editable =
        scope::person_area(&caller.user).is_some_and(|a| v.area_code.starts_with(a.as_str()));
    Ok((v, editable))
}

struct CandidateRow {
    handle: String,
    name: String,
    masked_id: String,
    township: String,
    reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "employment_vacancy.html")]
struct VacancyPage {
    c: Chrome,
    id: String,
    version: i64,
    employer: String,
    uscc: String,
    township: String,
    workplace: String,
    form: String,
    positions: i64,
    placed: i64,
    wage: String,
    categories_text: String,
    skills: String,
    access_text: String,
    description: String,
    status: String,
    editable: bool,
    employer_view: bool,
    fields: Vec<FormField>,
    categories: Vec<Check>,
    access: Vec<Check>,
    referrals: Vec<ReferralRow>,
    outcomes: Vec<(String, String)>,
    candidates: Vec<CandidateRow>,
    notice: Option<String>,
    errors: Vec<(String, String)>,
}

/// `GET /employment/vacancies/{id}`: the vacancy, its referrals and outcomes, and (staff) the
/// registered seekers of the area it suits, best first, with the reasons.
pub async fn vacancy(
    State(state): State<AppState>,
    caller: Holds<SeesVacancies>,
    Path(id): Path<String>,
    Query(q): Query<ListParams>,
) -> PageResult {
    let notice = done_notice(caller.lang, q.done.as_deref());
    vacancy_page(&state, &caller, &id, None, Vec::new(), notice).await
}

async fn vacancy_page(
    state: &AppState,
    caller: &PageCaller,
    id: &str,
    sub: Option<&Submission>,
    extra_errors: Vec<(String, String)>,
    notice: Option<String>,
) -> PageResult {
    let lang = caller.lang;
    let (v, editable) = visible_vacancy(state, caller, id).await?;
    let v = &v;
    let employer_view = caller.user.role == Role::Employer;
    let (areas, names) = area_names(state).await.or_page(caller)?;
    let district = state.store.district().await.or_page(caller)?;
    let scope_area = scope::person_area(&caller.user)
        .cloned()
        .unwrap_or(district);
    // The referrals: the employer sees the persons referred to it (name and masked ID);
    // staff see those of their area, linked to the seeker's page.
    let mut referrals = Vec::new();
    let mut referred: HashSet<String> = HashSet::new();
    let all = state.store.referrals_to(&v.id).await.or_page(caller)?;
    let ids: Vec<CitizenId> = all.iter().map(|r| r.citizen_id.clone()).collect();
    let summaries: HashMap<String, zhucan_store::PersonSummary> = state
        .store
        .summaries_of(&ids)
        .await
        .or_page(caller)?
        .into_iter()
        .map(|s| (s.citizen_id.to_string(), s))
        .collect();
    for r in &all {
        referred.insert(r.citizen_id.to_string());
        // An interest the person stated is staff's to refer; the employer sees referrals.
        if employer_view && r.status == ReferralStatus::Interested {
            continue;
        }
        let Some(s) = summaries.get(r.citizen_id.as_str()) else {
            continue;
        };
        let in_area = !employer_view
            && scope::person_area(&caller.user).is_some_and(|a| {
                s.village_code
                    .as_deref()
                    .unwrap_or(&s.township_code)
                    .starts_with(a.as_str())
            });
        if !employer_view && !in_area {
            continue;
        }
        let township = names.name(&s.township_code);
        let [date_error, note_error, outcome_error] = outcome_errors(&extra_errors, &r.id);
        referrals.push(ReferralRow {
            id: r.id.clone(),
            version: r.version,
            what: format!("{}（{}）", s.name, s.citizen_id.masked()),
            href: in_area.then(|| format!("/employment/seekers/{}", s.handle)),
            status: r.status.label(lang).to_string(),
            open: r.status.open(),
            reasons: stored_reasons(&r.reasons, lang, &township),
            placed_on: r.placed_on.map(|d| d.to_string()).unwrap_or_default(),
            note: r.note.clone(),
            date_error,
            note_error,
            outcome_error,
        });
    }
    let candidates = if employer_view {
        Vec::new()
    } else {
        candidates_for(state, caller, v, &names, &referred).await?
    };
    let mut fields = vacancy_fields(lang, &areas, &scope_area, false, true);
    fill_vacancy(&mut fields, v);
    let mut errors = sub.map(|s| s.apply(&mut fields)).unwrap_or_default();
    errors.extend(extra_errors);
    let (categories, access) = match sub {
        Some(s) => (
            category_checks(&posted_categories(s), lang),
            access_checks("acc", &posted_access(s, "acc"), lang),
        ),
        None => (
            category_checks(&v.categories, lang),
            access_checks("acc", &v.access, lang),
        ),
    };
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let here = format!("/employment/vacancies/{}", v.id);
    Ok(render(
        code,
        &VacancyPage {
            c: chrome(
                Some(caller),
                lang,
                &here,
                "employment_vacancies",
                &crate::tf(lang, "vacancy-page-title", &[("v", v.title.clone().into())]),
            ),
            id: v.id.clone(),
            version: v.version,
            employer: v.employer_name.clone(),
            uscc: v.uscc.to_string(),
            township: names.name(&v.area_code),
            workplace: v.workplace.clone(),
            form: v.form.label(lang).to_string(),
            positions: v.positions,
            placed: v.placed,
            wage: yuan(v.monthly_wage_fen),
            categories_text: if v.categories.is_empty() {
                crate::t(lang, "any-disability").to_string()
            } else {
                v.categories
                    .iter()
                    .map(|c| c.label(lang))
                    .collect::<Vec<_>>()
                    .join("、")
            },
            skills: crate::matching::join_tags(&v.skills),
            access_text: v
                .access
                .iter()
                .map(|a| a.label(lang))
                .collect::<Vec<_>>()
                .join("、"),
            description: v.description.clone(),
            status: v.status.label(lang).to_string(),
            editable,
            employer_view,
            fields,
            categories,
            access,
            referrals,
            outcomes: outcome_options(lang),
            candidates,
            notice,
            errors,
        },
    ))
}

/// The registered seekers of the caller's area (seeking work today) the vacancy suits, best
/// first, at most 20.
async fn candidates_for(
    state: &AppState,
    caller: &PageCaller,
    v: &StoredVacancy,
    names: &AreaNames,
    referred: &HashSet<String>,
) -> Result<Vec<CandidateRow>, PageError> {
    let lang = caller.lang;
    let Some(area) = scope::person_area(&caller.user).cloned() else {
        return Ok(Vec::new());
    };
    let Some(m) = v.for_match() else {
        return Ok(Vec::new());
    };
    let regs = state
        .store
        .registrations(area.as_str())
        .await
        .or_page(caller)?;
    let snap = state.facts.snapshot().await.or_page(caller)?;
    let day = today();
    let regs: Vec<Registration> = regs
        .into_iter()
        .filter(|r| !referred.contains(r.citizen_id.as_str()))
        .filter(|r| Standing::of(&snap, &r.citizen_id, day) == Standing::Seeking)
        .collect();
    let ids: Vec<CitizenId> = regs.iter().map(|r| r.citizen_id.clone()).collect();
    let summaries: HashMap<String, zhucan_store::PersonSummary> = state
        .store
        .summaries_of(&ids)
        .await
        .or_page(caller)?
        .into_iter()
        .map(|s| (s.citizen_id.to_string(), s))
        .collect();
    // A 多重 certificate's components are not in the summary: read them, for those persons
    // only, in one bulk read, so that every component is weighed as on the person's page.
    let multiple: Vec<CitizenId> = summaries
        .values()
        .filter(|s| Category::parse(&s.category) == Some(Category::Multiple))
        .map(|s| s.citizen_id.clone())
        .collect();
    let components: HashMap<String, Vec<Category>> = if multiple.is_empty() {
        HashMap::new()
    } else {
        state
            .store
            .files_of(&multiple)
            .await
            .or_page(caller)?
            .into_iter()
            .map(|f| (f.person.citizen_id.to_string(), f.certificate.components))
            .collect()
    };
    let mut fits = Vec::new();
    for r in &regs {
        let Some(s) = summaries.get(r.citizen_id.as_str()) else {
            continue;
        };
        let (Some(category), Some(township)) = (
            Category::parse(&s.category),
            AreaCode::parse(&s.township_code),
        ) else {
            continue;
        };
        let seeker = Seeker {
            category,
            components: components
                .get(r.citizen_id.as_str())
                .cloned()
                .unwrap_or_default(),
            township,
            skills: r.skills.clone(),
            wishes: r.wishes.clone(),
            needs: r.needs.clone(),
        };
        if let Ok(f) = assess(&seeker, &m) {
            fits.push((s, f));
        }
    }
    fits.sort_by(|(sa, a), (sb, b)| {
        (
            std::cmp::Reverse(a.skills),
            std::cmp::Reverse(a.same_township),
            std::cmp::Reverse(a.wish),
            sa.citizen_id.as_str(),
        )
            .cmp(&(
                std::cmp::Reverse(b.skills),
                std::cmp::Reverse(b.same_township),
                std::cmp::Reverse(b.wish),
                sb.citizen_id.as_str(),
            ))
    });
    Ok(fits
        .into_iter()
        .take(20)
        .map(|(s, f)| {
            let township = names.name(&s.township_code);
            CandidateRow {
                handle: s.handle.clone(),
                name: s.name.clone(),
                masked_id: s.citizen_id.masked(),
                reasons: reason_texts(&f.reasons, lang, &township),
                township,
            }
        })
        .collect())
}

/// `POST /employment/vacancies/{id}`: changes or closes a vacancy.
pub async fn update_vacancy(
    State(state): State<AppState>,
    caller: Holds<SeesVacancies>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let (v, editable) = visible_vacancy(&state, &caller, &id).await?;
    if !editable {
        return Err(PageError::forbidden(&caller));
    }
    let (areas, _) = area_names(&state).await.or_page(&caller)?;
    let district = state.store.district().await.or_page(&caller)?;
    let scope_area = scope::person_area(&caller.user)
        .cloned()
        .unwrap_or(district);
    let mut sub = Submission::new(form);
    let own = v.uscc.to_string();
    let within = (caller.user.role != Role::Employer).then_some(&scope_area);
    let Some(input) = parse_vacancy(&mut sub, lang, &areas, within, Some(&own), true) else {
        return vacancy_page(&state, &caller, &v.id, Some(&sub), Vec::new(), None).await;
    };
    if input.positions < v.placed {
        sub.fail(
            "positions",
            crate::tf(
                lang,
                "positions-below-placed",
                &[("v", input.positions.into()), ("n", v.placed.into())],
            ),
        );
        return vacancy_page(&state, &caller, &v.id, Some(&sub), Vec::new(), None).await;
    }
    let version = version_of(&sub).unwrap_or(-1);
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "employment.vacancy.update",
        &id,
        "ok",
        serde_json::json!({"version": version, "new": vacancy_json(&input)}),
    );
    match state
        .store
        .update_vacancy(&id, version, &input, &caller.user.username, &audit)
        .await
        .or_page(&caller)?
    {
        Written::Done => {
            Ok(Redirect::to(&format!("/employment/vacancies/{id}?done=updated")).into_response())
        }
        Written::Missing => Err(PageError::not_found(&caller)),
        Written::Stale => Err(stale(&caller)),
    }
}
