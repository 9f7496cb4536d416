//! The two subsidies' pages (两项补贴): the 应补尽补 audit, the case queue and decisions, the
//! monthly payroll with second-account approval and its exports, the policy parameters with a
//! preview, the what-if, and one person's explanation with their other allowances and payment
//! account.

#[allow(unused_imports)]
use crate::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

use crate::facts::{AuditFinding, WhatIfRow, explain_person};
use crate::rules::{Benefit, BenefitKind, Cond, Finding, Subsidy};
use crate::store::{CaseKind, CaseQuery, NewCase, PaymentAccount, PayrollLine, PayrollRefusal};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use zhucan_domain::Localized;
use zhucan_domain::area::{AreaCode, AreaLevel};
use zhucan_domain::ids::{CitizenId, mask};
use zhucan_domain::lang::Lang;
use zhucan_domain::parse::{Month, fen_to_yuan};
use zhucan_domain::policy::{ParamEntry, ParamKey, Policy, parse_value};
use zhucan_facts::Snapshot;
use zhucan_store::registry::Actor;

use zhucan_web::AppState;
use zhucan_web::auth::PageCaller;
use zhucan_web::forms::{FormField, Submission};
use zhucan_web::pages::{chrome, load_scoped};
use zhucan_web::scope;
use zhucan_web::trail::{self, audit_event};
use zhucan_web::usecase::{CsrfForm, Holds, OrPage, PageError, PageResult, Right, writable_record};
use zhucan_web::view::{AreaNames, Chrome, render, url_encode};

const PER_PAGE: usize = 50;

/// The current month (the default).
fn this_month() -> Month {
    Month::of(zhucan_web::view::today())
}

fn parse_month(raw: Option<&str>, lang: Lang) -> Result<Month, String> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(this_month()),
        Some(s) => Month::parse(s).map_err(|e| format!("“{s}”{}", e.message(lang))),
    }
}

/// A reason code in words.
pub fn reason_label(code: &str, lang: Lang) -> String {
    if code == "not_enrolled" {
        return crate::t(lang, "eligible-not-enrolled").into();
    }
    match Cond::parse(code) {
        Some(c) => match lang {
            Lang::Zh => format!("不满足：{}", c.label(lang)),
            Lang::En => format!("fails: {}", c.label(lang)),
        },
        None => code.to_string(),
    }
}

/// Withheld persons listed on a draft payroll page.
const WITHHELD_SHOWN: usize = 200;

/// Reasons followed by the partner rows behind them: "不再是低保或低边 · 依据：民政救助名册（2025-11-15 起）".
fn with_basis(reasons: String, basis: &[crate::facts::Basis], lang: Lang) -> String {
    if basis.is_empty() {
        return reasons;
    }
    let b: Vec<String> = basis.iter().map(|b| b.text(lang)).collect();
    format!("{reasons} · {}{}", crate::t(lang, "basis"), b.join("；"))
}

fn reasons_text(codes: &[impl AsRef<str>], lang: Lang) -> String {
    codes
        .iter()
        .map(|c| reason_label(c.as_ref(), lang))
        .collect::<Vec<_>>()
        .join(crate::t(lang, "symbol"))
}

async fn snapshot(state: &AppState, caller: &PageCaller) -> Result<Arc<Snapshot>, PageError> {
    state.facts.snapshot().await.or_page(caller)
}

async fn policy(state: &AppState, caller: &PageCaller) -> Result<Policy, PageError> {
    state.store.policy().await.or_page(caller)
}

/// Works the subsidies of the persons in the account's area: the role works subsidy cases and
/// reads person files (`scope::person_area`).
#[derive(Debug, Clone, Copy)]
pub struct SubsidyStaff;

impl Right for SubsidyStaff {
    fn held_by(user: &zhucan_store::User) -> bool {
        let role = user.role;
        role.works_subsidies() && role.reads_persons()
    }
}

/// Decides subsidy cases.
#[derive(Debug, Clone, Copy)]
pub struct DecidesSubsidies;

impl Right for DecidesSubsidies {
    fn held_by(user: &zhucan_store::User) -> bool {
        user.role.decides_subsidies()
    }
}

/// The signed-in staff member who runs the district's payroll and edits the policy
/// parameters: the role runs payroll and the account is at district level (else 403).
#[derive(Debug, Clone, Copy)]
pub struct DistrictPayroll;

impl Right for DistrictPayroll {
    fn held_by(user: &zhucan_store::User) -> bool {
        user.role.runs_payroll() && user.area.level() == AreaLevel::District
    }
}

/// The area whose persons' subsidies the caller works (403 without [`SubsidyStaff`]): checked
/// again by the pages that handlers of other rights show too (a decision or a parameter that
/// did not validate).
fn works(caller: &PageCaller) -> Result<AreaCode, PageError> {
    if !SubsidyStaff::held_by(&caller.user) {
        return Err(PageError::forbidden(caller));
    }
    Ok(caller.user.area.clone())
}

fn bad_request(caller: &PageCaller, field: &str, msg: &str) -> PageError {
    PageError::message(
        caller,
        StatusCode::BAD_REQUEST,
        &format!("参数 {field}：{msg}"),
        &format!("parameter {field}: {msg}"),
    )
}

// ---------------------------------------------------------------- audit

#[derive(Debug, Deserialize, Default)]
pub struct AuditParams {
    month: Option<String>,
    subsidy: Option<String>,
    finding: Option<String>,
    page: Option<String>,
}

struct FindingRow {
    handle: String,
    name: String,
    masked_id: String,
    township: String,
    subsidy_key: &'static str,
    subsidy: &'static str,
    finding_key: &'static str,
    finding: &'static str,
    reasons: String,
    case: Option<(String, String)>,
    kind: &'static str,
}

#[derive(Template)]
#[template(path = "subsidies_audit.html")]
struct AuditPage {
    c: Chrome,
    month: String,
    month_error: Option<String>,
    errors: Vec<(String, String)>,
    area_name: String,
    counts: Vec<(String, usize, String)>,
    rows: Vec<FindingRow>,
    summary: String,
    page_label: String,
    prev_href: Option<String>,
    next_href: Option<String>,
    can_open: bool,
}

pub async fn audit(
    State(state): State<AppState>,
    caller: Holds<SubsidyStaff>,
    Query(p): Query<AuditParams>,
) -> PageResult {
    let lang = caller.lang;
    let scope_area = caller.user.area.clone();
    let title = crate::t(lang, "subsidy-audit-2");
    let m = match parse_month(p.month.as_deref(), lang) {
        Ok(m) => m,
        Err(msg) => {
            let page = AuditPage {
                c: chrome(Some(&caller), lang, "/subsidies", "subsidies", title),
                month: p.month.clone().unwrap_or_default(),
                month_error: Some(msg.clone()),
                errors: vec![(
                    "month".into(),
                    format!("{}：{msg}", crate::t(lang, "month")),
                )],
                area_name: String::new(),
                counts: vec![],
                rows: vec![],
                summary: String::new(),
                page_label: String::new(),
                prev_href: None,
                next_href: None,
                can_open: false,
            };
            return Ok(render(StatusCode::BAD_REQUEST, &page));
        }
    };
    let (snap, pol) = (
        snapshot(&state, &caller).await,
        policy(&state, &caller).await,
    );
    let (snap, pol) = (snap?, pol?);
    let area = scope_area.clone();
    let s2 = snap.clone();
    let all: Vec<AuditFinding> = tokio::task::spawn_blocking(move || s2.audit(&pol, m, &area))
        .await
        .map_err(|_| bad_request(&caller, "month", "internal"))?;
    let mut counts = Vec::new();
    for s in Subsidy::ALL {
        for f in Finding::ALL {
            let n = all
                .iter()
                .filter(|x| x.subsidy == *s && x.finding == *f)
                .count();
            counts.push((
                format!("{} · {}", s.label(lang), f.label(lang)),
                n,
                format!(
                    "/subsidies?month={m}&subsidy={}&finding={}",
                    s.key(),
                    f.key()
                ),
            ));
        }
    }
    let shown: Vec<&AuditFinding> = all
        .iter()
        .filter(|x| {
            p.subsidy
                .as_deref()
                .is_none_or(|s| s.is_empty() || s == x.subsidy.key())
        })
        .filter(|x| {
            p.finding
                .as_deref()
                .is_none_or(|f| f.is_empty() || f == x.finding.key())
        })
        .collect();
    let total = shown.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page: usize = p
        .page
        .as_deref()
        .and_then(|s| s.parse().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(1)
        .min(pages);
    let slice: Vec<&AuditFinding> = shown
        .iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .copied()
        .collect();
    let ids: Vec<CitizenId> = slice.iter().map(|f| f.citizen_id.clone()).collect();
    let summaries = state.store.summaries_of(&ids).await.or_page(&caller)?;
    let by_id: HashMap<String, zhucan_store::PersonSummary> = summaries
        .into_iter()
        .map(|s| (s.citizen_id.to_string(), s))
        .collect();
    let names = AreaNames::new(&state.store.areas().await.or_page(&caller)?);
    let mut rows = Vec::new();
    for f in slice {
        let Some(s) = by_id.get(f.citizen_id.as_str()) else {
            continue;
        };
        let (_, open) = state
            .store
            .cases(&CaseQuery {
                status: Some("open".into()),
                citizen_id: Some(f.citizen_id.clone()),
                page: 1,
                per_page: 10,
                ..CaseQuery::default()
            })
            .await
            .or_page(&caller)?;
        let kind = match f.finding {
            Finding::EligibleNotReceiving => CaseKind::Enrol,
            Finding::ReceivingNotEligible => CaseKind::Stop,
        };
        rows.push(FindingRow {
            handle: s.handle.clone(),
            name: s.name.clone(),
            masked_id: f.citizen_id.masked(),
            township: names.name(&f.township),
            subsidy_key: f.subsidy.key(),
            subsidy: f.subsidy.label(lang),
            finding_key: f.finding.key(),
            finding: f.finding.label(lang),
            reasons: with_basis(reasons_text(&f.reasons, lang), &f.basis, lang),
            case: open
                .iter()
                .find(|c| c.subsidy == f.subsidy && c.kind == kind)
                .map(|c| (c.id.clone(), crate::t(lang, "case-open").to_string())),
            kind: kind.key(),
        });
    }
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "subsidy.audit",
        &m.to_string(),
        "ok",
        serde_json::json!({"area": scope_area.to_string(), "findings": all.len()}),
    ));
    let q = format!(
        "month={m}&subsidy={}&finding={}",
        url_encode(p.subsidy.as_deref().unwrap_or("")),
        url_encode(p.finding.as_deref().unwrap_or(""))
    );
    let page_view = AuditPage {
        c: chrome(
            Some(&caller),
            lang,
            &format!("/subsidies?{q}"),
            "subsidies",
            title,
        ),
        month: m.to_string(),
        month_error: None,
        errors: vec![],
        area_name: names.of(&scope_area),
        counts,
        rows,
        summary: match lang {
            Lang::Zh => format!("{m}：共 {total} 条"),
            Lang::En => format!("{m}: {total} findings"),
        },
        page_label: match lang {
            Lang::Zh => format!("第 {page} 页，共 {pages} 页"),
            Lang::En => format!("Page {page} of {pages}"),
        },
        prev_href: (page > 1).then(|| format!("/subsidies?{q}&page={}", page - 1)),
        next_href: (page < pages).then(|| format!("/subsidies?{q}&page={}", page + 1)),
        can_open: caller.user.role.works_subsidies(),
    };
    Ok(render(StatusCode::OK, &page_view))
}

// ---------------------------------------------------------------- cases

/// `POST /subsidies/cases`: staff open a case for a person (from the audit or the person's page).
pub async fn open_case(
    State(state): State<AppState>,
    caller: Holds<SubsidyStaff>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let get = |k: &str| {
        form.get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let file = load_scoped(&state, &caller, &get("person"))
        .await
        .or_page(&caller)?
        .ok_or_else(|| PageError::not_found(&caller))?;
    let Some(subsidy) = Subsidy::parse(&get("subsidy")) else {
        return Err(bad_request(&caller, "subsidy", &get("subsidy")));
    };
    let Some(kind) = CaseKind::parse(&get("kind")) else {
        return Err(bad_request(&caller, "kind", &get("kind")));
    };
    let m = parse_month(Some(&get("month")), lang)
        .map_err(|msg| bad_request(&caller, "month", &msg))?;
    let reasons: Vec<&str> = vec!["staff"];
    let c = NewCase {
        citizen_id: &file.person.citizen_id,
        subsidy,
        kind,
        month: m,
        reasons,
        trigger: "staff",
        area: file.person.home_area(),
        opened_by: &caller.user.username,
    };
    let opened = state.store.open_case(&c).await.or_page(&caller)?;
    let id = match opened {
        Some(case) => {
            trail::record(
                &state.store,
                audit_event(&caller.user, &caller.client, "subsidy.case_open", file.person.citizen_id.as_str(), "ok",
                    serde_json::json!({"case": case.id, "subsidy": subsidy.key(), "kind": kind.key(), "month": m.to_string()})),
            )
            .await;
            case.id
        }
        None => {
            // An open case exists: go to it.
            let (_, open) = state
                .store
                .cases(&CaseQuery {
                    status: Some("open".into()),
                    citizen_id: Some(file.person.citizen_id.clone()),
                    page: 1,
                    per_page: 20,
                    ..CaseQuery::default()
                })
                .await
                .or_page(&caller)?;
            open.into_iter()
                .find(|c| c.subsidy == subsidy && c.kind == kind)
                .ok_or_else(|| PageError::not_found(&caller))?
                .id
        }
    };
    Ok(Redirect::to(&format!("/subsidies/cases/{id}")).into_response())
}

#[derive(Debug, Deserialize, Default)]
pub struct CasesParams {
    status: Option<String>,
    page: Option<String>,
}

struct CaseRow {
    id: String,
    name: String,
    masked_id: String,
    township: String,
    subsidy: &'static str,
    kind: String,
    month: String,
    status: String,
    trigger: String,
    opened_at: String,
}

#[derive(Template)]
#[template(path = "subsidies_cases.html")]
struct CasesPage {
    c: Chrome,
    statuses: Vec<(String, String, bool)>,
    rows: Vec<CaseRow>,
    summary: String,
    page_label: String,
    prev_href: Option<String>,
    next_href: Option<String>,
}

fn kind_label(k: CaseKind, lang: Lang) -> &'static str {
    match k {
        CaseKind::Enrol => crate::t(lang, "enrol"),
        CaseKind::Stop => crate::t(lang, "stop"),
    }
}

fn status_label(s: &str, lang: Lang) -> String {
    match s {
        "open" => crate::t(lang, "open").into(),
        "approved" => crate::t(lang, "approved").into(),
        "rejected" => crate::t(lang, "rejected").into(),
        "withdrawn" => crate::t(lang, "withdrawn").into(),
        other => other.into(),
    }
}

fn trigger_label(s: &str, lang: Lang) -> String {
    match s {
        "audit" => crate::t(lang, "monthly-audit").into(),
        "change" => crate::t(lang, "after-a-change-to-the-file").into(),
        "staff" => crate::t(lang, "opened-by-staff").into(),
        other => other.into(),
    }
}

pub async fn cases(
    State(state): State<AppState>,
    caller: Holds<SubsidyStaff>,
    Query(p): Query<CasesParams>,
) -> PageResult {
    let lang = caller.lang;
    let scope_area = caller.user.area.clone();
    let status = p
        .status
        .clone()
        .filter(|s| ["open", "approved", "rejected", "withdrawn", ""].contains(&s.as_str()))
        .unwrap_or_else(|| "open".into());
    let page: u32 = p
        .page
        .as_deref()
        .and_then(|s| s.parse().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(1);
    let (total, list) = state
        .store
        .cases(&CaseQuery {
            status: (!status.is_empty()).then(|| status.clone()),
            area: Some(scope_area.clone()),
            citizen_id: None,
            page,
            per_page: PER_PAGE as u32,
        })
        .await
        .or_page(&caller)?;
    let ids: Vec<CitizenId> = list.iter().map(|c| c.citizen_id.clone()).collect();
    let names_by_id: HashMap<String, String> = state
        .store
        .summaries_of(&ids)
        .await
        .or_page(&caller)?
        .into_iter()
        .map(|s| (s.citizen_id.to_string(), s.name))
        .collect();
    let names = AreaNames::new(&state.store.areas().await.or_page(&caller)?);
    let pages = (total as usize).div_ceil(PER_PAGE).max(1);
    let href = |n: usize| format!("/subsidies/cases?status={status}&page={n}");
    let page = page as usize;
    let view = CasesPage {
        c: chrome(
            Some(&caller),
            lang,
            &format!("/subsidies/cases?status={status}"),
            "subsidies",
            crate::t(lang, "subsidy-cases"),
        ),
        statuses: [
            ("open", "待办", "open"),
            ("approved", "已批准", "approved"),
            ("rejected", "不予批准", "rejected"),
            ("withdrawn", "已撤回", "withdrawn"),
            ("", "全部", "all"),
        ]
        .iter()
        .map(|(k, zh, en)| {
            (
                format!("/subsidies/cases?status={k}"),
                lang.pick(zh, en).to_string(),
                *k == status,
            )
        })
        .collect(),
        rows: list
            .iter()
            .map(|c| CaseRow {
                id: c.id.clone(),
                name: names_by_id
                    .get(c.citizen_id.as_str())
                    .cloned()
                    .unwrap_or_default(),
                masked_id: c.citizen_id.masked(),
                township: names.name(&c.area),
                subsidy: c.subsidy.label(lang),
                kind: kind_label(c.kind, lang).into(),
                month: c.month.to_string(),
                status: status_label(&c.status, lang),
                trigger: trigger_label(&c.trigger, lang),
                opened_at: zhucan_web::view::minute(&c.opened_at),
            })
            .collect(),
        summary: match lang {
            Lang::Zh => format!("共 {total} 件"),
            Lang::En => format!("{total} cases"),
        },
        page_label: match lang {
            Lang::Zh => format!("第 {page} 页，共 {pages} 页"),
            Lang::En => format!("Page {page} of {pages}"),
        },
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
    };
    Ok(render(StatusCode::OK, &view))
}

#[derive(Template)]
#[template(path = "subsidies_case.html")]
struct CasePage {
    c: Chrome,
    id: String,
    handle: String,
    name: String,
    masked_id: String,
    subsidy: &'static str,
    kind: String,
    month: String,
    status: String,
    reasons: String,
    trigger: String,
    opened: String,
    decided: Option<String>,
    note: String,
    conditions: Vec<(bool, String)>,
    can_decide: bool,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
}

async fn case_page(
    state: &AppState,
    caller: &PageCaller,
    id: &str,
    sub: Option<Submission>,
) -> PageResult {
    let lang = caller.lang;
    works(caller)?;
    let case = state
        .store
        .case(id)
        .await
        .or_page(caller)?
        .ok_or_else(|| PageError::not_found(caller))?;
    let file = state
        .store
        .person_file(&case.citizen_id, &zhucan_store::Reach::of(&caller.user))
        .await
        .or_page(caller)?
        .filter(|f| scope::can_read(&caller.user, &f.person))
        .ok_or_else(|| PageError::not_found(caller))?;
    let pol = policy(state, caller).await?;
    let benefits: Vec<Benefit> = state
        .store
        .benefits_of(std::slice::from_ref(&case.citizen_id))
        .await
        .or_page(caller)?
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    let e = explain_person(&file, benefits, &pol, case.month, lang);
    let conditions = e
        .subsidies
        .iter()
        .find(|x| x.subsidy == case.subsidy)
        .map(|x| {
            x.conditions
                .iter()
                .map(|c| (c.met, c.text.clone()))
                .collect()
        })
        .unwrap_or_default();
    let mut fields = decide_fields(lang);
    let (errors, status) = match &sub {
        Some(s) => (s.apply(&mut fields), StatusCode::UNPROCESSABLE_ENTITY),
        None => (vec![], StatusCode::OK),
    };
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "subsidy.case_read",
        case.citizen_id.as_str(),
        "ok",
        serde_json::json!({"case": case.id}),
    ));
    let view = CasePage {
        c: chrome(
            Some(caller),
            lang,
            &format!("/subsidies/cases/{id}"),
            "subsidies",
            crate::t(lang, "subsidy-case"),
        ),
        id: case.id.clone(),
        handle: file.handle.clone(),
        name: file.person.name.clone(),
        masked_id: case.citizen_id.masked(),
        subsidy: case.subsidy.label(lang),
        kind: kind_label(case.kind, lang).into(),
        month: case.month.to_string(),
        status: status_label(&case.status, lang),
        reasons: reasons_text(&case.reasons, lang),
        trigger: trigger_label(&case.trigger, lang),
        opened: format!(
            "{} · {}",
            zhucan_web::view::minute(&case.opened_at),
            case.opened_by
        ),
        decided: case.decided_at.as_ref().map(|d| {
            format!(
                "{} · {}",
                zhucan_web::view::minute(d),
                case.decided_by.clone().unwrap_or_default()
            )
        }),
        note: match (case.status.as_str(), &case.note) {
            ("withdrawn", Some(code)) => crate::cases::withdrawal_text(code, lang).to_string(),
            (_, n) => n.clone().unwrap_or_default(),
        },
        conditions,
        can_decide: caller.user.role.decides_subsidies() && case.status == "open",
        fields,
        errors,
    };
    Ok(render(status, &view))
}

fn decide_fields(lang: Lang) -> Vec<FormField> {
    vec![
        FormField::new("decision", crate::t(lang, "decision"), "select")
            .required()
            .options(vec![
                (String::new(), crate::t(lang, "choose").into()),
                ("approve".into(), crate::t(lang, "approve").into()),
                ("reject".into(), crate::t(lang, "reject").into()),
            ]),
        FormField::new("note", crate::t(lang, "note-required-to-reject"), "text"),
    ]
}

pub async fn case(
    State(state): State<AppState>,
    caller: Holds<SubsidyStaff>,
    Path(id): Path<String>,
) -> PageResult {
    case_page(&state, &caller, &id, None).await
}

pub async fn decide_case(
    State(state): State<AppState>,
    caller: Holds<DecidesSubsidies>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let (case, _) = writable_record(&state, &caller, state.store.case(&id).await, |c| {
        &c.citizen_id
    })
    .await?;
    let mut sub = Submission::new(form);
    let decision = sub.get("decision").to_string();
    let note = sub.get("note").to_string();
    let approve = match decision.as_str() {
        "approve" => Some(true),
        "reject" => Some(false),
        "" => {
            sub.fail("decision", crate::t(lang, "is-required").into());
            None
        }
        other => {
            sub.fail(
                "decision",
                format!("“{other}”{}", crate::t(lang, "is-not-a-choice")),
            );
            None
        }
    };
    if approve == Some(false) && note.is_empty() {
        sub.fail(
            "note",
            crate::t(lang, "give-the-reason-for-a-rejection").into(),
        );
    }
    if note.chars().count() > 500 {
        sub.fail(
            "note",
            crate::t(lang, "must-be-at-most-500-characters").into(),
        );
    }
    let (Some(approve), true) = (approve, sub.errors.is_empty()) else {
        return case_page(&state, &caller, &id, Some(sub)).await;
    };
    let year = chrono::Datelike::year(&zhucan_web::view::today());
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    let done = state
        .store
        .decide_case(&id, approve, &note, year, &actor)
        .await
        .or_page(&caller)?;
    if !done {
        return Err(PageError::message(
            &caller,
            StatusCode::CONFLICT,
            "该待办已被他人处理。",
            "Someone else has already decided this case.",
        ));
    }
    trail::record(
        &state.store,
        audit_event(&caller.user, &caller.client, "subsidy.case_decide", case.citizen_id.as_str(), "ok",
            serde_json::json!({"case": id, "subsidy": case.subsidy.key(), "kind": case.kind.key(), "month": case.month.to_string(), "old": "open", "new": if approve { "approved" } else { "rejected" }, "note": note})),
    )
    .await;
    Ok(Redirect::to(&format!("/subsidies/cases/{id}")).into_response())
}

// ---------------------------------------------------------------- payroll

#[derive(Debug, Deserialize, Default)]
pub struct PayrollParams {
    month: Option<String>,
    page: Option<String>,
}

struct LineRow {
    name: String,
    masked_id: String,
    township: String,
    subsidy: &'static str,
    kind: &'static str,
    for_month: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "subsidies_payroll.html")]
struct PayrollPage {
    c: Chrome,
    /// Enrolled persons left out of a draft month, with the reasons (and the partner rows
    /// behind them): (name, masked ID, subsidy, reasons).
    withheld: Vec<(String, String, String, String)>,
    withheld_total: usize,
    month: String,
    month_error: Option<String>,
    errors: Vec<(String, String)>,
    status: String,
    status_key: String,
    run: Option<String>,
    totals: Vec<(String, usize, String)>,
    total: String,
    rows: Vec<LineRow>,
    page_label: String,
    prev_href: Option<String>,
    next_href: Option<String>,
    can_submit: bool,
    can_approve: bool,
    digest: String,
    can_bank: bool,
    notice: Option<String>,
}

async fn payroll_lines(
    state: &AppState,
    caller: &PageCaller,
    m: Month,
    area: &AreaCode,
) -> Result<(String, Option<crate::store::PayrollRun>, Vec<PayrollLine>), PageError> {
    let stored = state.store.payroll(m).await.or_page(caller)?;
    if let Some((run, lines)) = &stored
        && run.status == "approved"
    {
        let lines = lines
            .iter()
            .filter(|l| AreaCode::parse(&l.township).is_some_and(|t| area.contains(&t)))
            .cloned()
            .collect();
        return Ok(("approved".into(), Some(run.clone()), lines));
    }
    let snap = snapshot(state, caller).await?;
    let pol = policy(state, caller).await?;
    let a = area.clone();
    let lines = tokio::task::spawn_blocking(move || snap.payroll(&pol, m, &a))
        .await
        .map_err(|_| bad_request(caller, "month", "internal"))?;
    let run = stored.map(|(r, _)| r);
    Ok(("draft".into(), run, lines))
}

fn status_text(status: &str, run: &Option<crate::store::PayrollRun>, lang: Lang) -> String {
    match (status, run) {
        ("approved", Some(r)) => match lang {
            Lang::Zh => format!(
                "已审批关账（{} 提交，{} 审批）：本月数据不再变动，更正将在以后月份补发或追回。",
                r.submitted_by,
                r.approved_by.clone().unwrap_or_default()
            ),
            Lang::En => format!(
                "Approved and closed (submitted by {}, approved by {}): this month never changes; corrections are arrears or recoveries in later months.",
                r.submitted_by,
                r.approved_by.clone().unwrap_or_default()
            ),
        },
        (_, Some(r)) => match lang {
            Lang::Zh => format!(
                "已由 {} 提交，待另一名管理员审批。下表为按当前数据重新计算的草稿。",
                r.submitted_by
            ),
            Lang::En => format!(
                "Submitted by {}, awaiting approval by another administrator. The table is the draft recomputed from today's data.",
                r.submitted_by
            ),
        },
        _ => crate::t(lang, "draft-computed-live-from-today-s").into(),
    }
}

pub async fn payroll(
    State(state): State<AppState>,
    caller: Holds<SubsidyStaff>,
    Query(p): Query<PayrollParams>,
) -> PageResult {
    payroll_page(&state, &caller, &p, None).await
}

async fn payroll_page(
    state: &AppState,
    caller: &PageCaller,
    p: &PayrollParams,
    notice: Option<String>,
) -> PageResult {
    let lang = caller.lang;
    let scope_area = works(caller)?;
    let title = crate::t(lang, "subsidy-payroll");
    let m = match parse_month(p.month.as_deref(), lang) {
        Ok(m) => m,
        Err(msg) => {
            let view = PayrollPage {
                c: chrome(Some(caller), lang, "/subsidies/payroll", "subsidies", title),
                withheld: vec![],
                withheld_total: 0,
                month: p.month.clone().unwrap_or_default(),
                month_error: Some(msg.clone()),
                errors: vec![(
                    "month".into(),
                    format!("{}：{msg}", crate::t(lang, "month")),
                )],
                status: String::new(),
                status_key: String::new(),
                run: None,
                totals: vec![],
                total: String::new(),
                rows: vec![],
                page_label: String::new(),
                prev_href: None,
                next_href: None,
                can_submit: false,
                can_approve: false,
                digest: String::new(),
                can_bank: false,
                notice: None,
            };
            return Ok(render(StatusCode::BAD_REQUEST, &view));
        }
    };
    let (status, run, lines) = payroll_lines(state, caller, m, &scope_area).await?;
    let mut totals: Vec<(String, usize, String)> = Vec::new();
    for s in Subsidy::ALL {
        for kind in ["regular", "arrears", "recovery"] {
            let sel: Vec<&PayrollLine> = lines
                .iter()
                .filter(|l| l.subsidy == *s && l.kind == kind)
                .collect();
            if sel.is_empty() {
                continue;
            }
            totals.push((
                format!(
                    "{} · {}",
                    s.label(lang),
                    crate::workbooks::kind_label(kind, lang)
                ),
                sel.len(),
                fen_to_yuan(sel.iter().map(|l| l.amount_fen).sum()),
            ));
        }
    }
    let total_fen: i64 = lines.iter().map(|l| l.amount_fen).sum();
    let pages = lines.len().div_ceil(PER_PAGE).max(1);
    let page: usize = p
        .page
        .as_deref()
        .and_then(|s| s.parse().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(1)
        .min(pages);
    let slice: Vec<&PayrollLine> = lines
        .iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .collect();
    let ids: Vec<CitizenId> = slice.iter().map(|l| l.citizen_id.clone()).collect();
    let names_by_id: HashMap<String, String> = state
        .store
        .summaries_of(&ids)
        .await
        .or_page(caller)?
        .into_iter()
        .map(|s| (s.citizen_id.to_string(), s.name))
        .collect();
    let names = AreaNames::new(&state.store.areas().await.or_page(caller)?);
    let whole_district = scope_area.level() == AreaLevel::District;
    let runs = caller.user.role.runs_payroll() && whole_district;
    let submitted_by = run
        .as_ref()
        .filter(|r| r.status == "submitted")
        .map(|r| r.submitted_by.clone());
    let digest = crate::store::digest(&lines);
    // A draft also lists who is enrolled but left out, and why.
    let withheld_all: Vec<crate::facts::AuditFinding> = if status == "approved" {
        Vec::new()
    } else {
        let snap = snapshot(state, caller).await?;
        let pol = policy(state, caller).await?;
        let a = scope_area.clone();
        tokio::task::spawn_blocking(move || snap.audit(&pol, m, &a))
            .await
            .map_err(|_| bad_request(caller, "month", "internal"))?
            .into_iter()
            .filter(|f| f.finding == crate::rules::Finding::ReceivingNotEligible)
            .collect()
    };
    let withheld_ids: Vec<CitizenId> = withheld_all
        .iter()
        .take(WITHHELD_SHOWN)
        .map(|f| f.citizen_id.clone())
        .collect();
    let withheld_names: HashMap<String, String> = state
        .store
        .summaries_of(&withheld_ids)
        .await
        .or_page(caller)?
        .into_iter()
        .map(|s| (s.citizen_id.to_string(), s.name))
        .collect();
    let view = PayrollPage {
        withheld: withheld_all
            .iter()
            .take(WITHHELD_SHOWN)
            .map(|f| {
                (
                    withheld_names
                        .get(f.citizen_id.as_str())
                        .cloned()
                        .unwrap_or_default(),
                    f.citizen_id.masked(),
                    f.subsidy.label(lang).to_string(),
                    with_basis(reasons_text(&f.reasons, lang), &f.basis, lang),
                )
            })
            .collect(),
        withheld_total: withheld_all.len(),
        c: chrome(
            Some(caller),
            lang,
            &format!("/subsidies/payroll?month={m}"),
            "subsidies",
            title,
        ),
        month: m.to_string(),
        month_error: None,
        errors: vec![],
        status: status_text(&status, &run, lang),
        status_key: if status == "approved" {
            "approved".into()
        } else if submitted_by.is_some() {
            "submitted".into()
        } else {
            "draft".into()
        },
        run: run.as_ref().map(|r| {
            format!(
                "{} · {} 笔 · {} 元",
                r.digest.get(..12).unwrap_or(""),
                r.lines,
                fen_to_yuan(r.total_fen)
            )
        }),
        totals,
        total: fen_to_yuan(total_fen),
        rows: slice
            .iter()
            .map(|l| LineRow {
                name: names_by_id
                    .get(l.citizen_id.as_str())
                    .cloned()
                    .unwrap_or_default(),
                masked_id: l.citizen_id.masked(),
                township: names.name(&l.township),
                subsidy: l.subsidy.label(lang),
                kind: crate::workbooks::kind_label(&l.kind, lang),
                for_month: l.for_month.to_string(),
                amount: fen_to_yuan(l.amount_fen),
            })
            .collect(),
        page_label: match lang {
            Lang::Zh => format!("第 {page} 页，共 {pages} 页（{} 笔）", lines.len()),
            Lang::En => format!("Page {page} of {pages} ({} payments)", lines.len()),
        },
        prev_href: (page > 1).then(|| format!("/subsidies/payroll?month={m}&page={}", page - 1)),
        next_href: (page < pages)
            .then(|| format!("/subsidies/payroll?month={m}&page={}", page + 1)),
        can_submit: runs && status != "approved",
        can_approve: runs
            && status != "approved"
            && submitted_by
                .as_deref()
                .is_some_and(|s| s != caller.user.username),
        digest: run.as_ref().map(|r| r.digest.clone()).unwrap_or(digest),
        can_bank: runs,
        notice,
    };
    Ok(render(StatusCode::OK, &view))
}

fn month_of_form(caller: &PageCaller, form: &HashMap<String, String>) -> Result<Month, PageError> {
    let raw = form.get("month").map(String::as_str).unwrap_or("");
    Month::parse(raw).map_err(|e| {
        bad_request(
            caller,
            "month",
            &format!("“{raw}”{}", e.message(caller.lang)),
        )
    })
}

pub async fn submit_payroll(
    State(state): State<AppState>,
    caller: Holds<DistrictPayroll>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let m = month_of_form(&caller, &form)?;
    let district = caller.user.area.clone();
    let (status, _, lines) = payroll_lines(&state, &caller, m, &district).await?;
    if status == "approved" {
        return Err(PageError::message(
            &caller,
            StatusCode::CONFLICT,
            "该月发放已审批关账，不能再修改；更正请在以后月份补发或追回。",
            "This month is approved and closed; corrections are arrears or recoveries in a later month.",
        ));
    }
    let run = state
        .store
        .submit_payroll(m, &lines, &caller.user.username)
        .await
        .or_page(&caller)?
        .map_err(|_| {
            PageError::message(
                &caller,
                StatusCode::CONFLICT,
                "该月发放已审批关账。",
                "This month is closed.",
            )
        })?;
    trail::record(&state.store, audit_event(&caller.user, &caller.client, "payroll.submit", &m.to_string(), "ok",
        serde_json::json!({"lines": run.lines, "total_fen": run.total_fen, "digest": run.digest}))).await;
    Ok(Redirect::to(&format!("/subsidies/payroll?month={m}")).into_response())
}

pub async fn approve_payroll(
    State(state): State<AppState>,
    caller: Holds<DistrictPayroll>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let m = month_of_form(&caller, &form)?;
    let digest = form.get("digest").cloned().unwrap_or_default();
    let r = state
        .store
        .approve_payroll(m, &digest, &caller.user.username)
        .await
        .or_page(&caller)?;
    let outcome = if r.is_ok() { "ok" } else { "denied" };
    trail::record(&state.store, audit_event(&caller.user, &caller.client, "payroll.approve", &m.to_string(), outcome,
        serde_json::json!({"digest": digest, "refusal": r.as_ref().err().map(|x| format!("{x:?}"))}))).await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/subsidies/payroll?month={m}")).into_response()),
        Err(refusal) => {
            let (zh, en) = match refusal {
                PayrollRefusal::Closed => ("该月发放已审批关账。", "This month is already closed."),
                PayrollRefusal::NotSubmitted => (
                    "该月发放尚未提交。",
                    "This month's payroll has not been submitted.",
                ),
                PayrollRefusal::SameAccount => (
                    "提交人不能审批自己提交的发放，须由另一名管理员审批。",
                    "The account that submitted a payroll cannot approve it: another administrator must.",
                ),
                PayrollRefusal::Changed => (
                    "提交后发放名单已变化，请重新查看后再审批。",
                    "The payroll changed after you looked at it; review it again.",
                ),
            };
            Err(PageError::message(&caller, StatusCode::CONFLICT, zh, en))
        }
    }
}

/// `POST /subsidies/payroll/export`: the payroll as xlsx (names), or the bank file (payroll
/// staff only), audited.
pub async fn export_payroll(
    State(state): State<AppState>,
    caller: Holds<SubsidyStaff>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let scope_area = caller.user.area.clone();
    let m = month_of_form(&caller, &form)?;
    let bank = form.get("format").is_some_and(|f| f == "bank");
    if bank && !caller.user.role.runs_payroll() {
        return Err(PageError::forbidden(&caller));
    }
    let (status, _, lines) = payroll_lines(&state, &caller, m, &scope_area).await?;
    let ids: Vec<CitizenId> = lines.iter().map(|l| l.citizen_id.clone()).collect();
    let names: HashMap<String, String> = state
        .store
        .summaries_of(&ids)
        .await
        .or_page(&caller)?
        .into_iter()
        .map(|s| (s.citizen_id.to_string(), s.name))
        .collect();
    trail::record(&state.store, audit_event(&caller.user, &caller.client, "payroll.export", &m.to_string(), "ok",
        serde_json::json!({"format": if bank { "bank" } else { "xlsx" }, "status": status, "lines": lines.len(), "area": scope_area.to_string()}))).await;
    if bank {
        let accounts = state.store.payment_accounts(&ids).await.or_page(&caller)?;
        let csv = crate::workbooks::bank_csv(m, &lines, &names, &accounts);
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"bank-{m}.csv\""),
                ),
            ],
            csv,
        )
            .into_response());
    }
    match crate::workbooks::payroll_xlsx(m, &status, &lines, Some(&names), lang) {
        Ok(b) => Ok((
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"payroll-{m}.xlsx\""),
                ),
            ],
            b,
        )
            .into_response()),
        Err(e) => {
            tracing::error!(error = %e, "payroll workbook failed");
            Err(PageError::message(
                &caller,
                StatusCode::INTERNAL_SERVER_ERROR,
                "导出失败，已记录。",
                "The export failed; it has been logged.",
            ))
        }
    }
}

// ---------------------------------------------------------------- policy parameters and what-if

struct ParamRow {
    id: i64,
    key: String,
    /// For a parameter no rule reads: the note that it is only on record.
    note: Option<&'static str>,
    area: String,
    value: String,
    from: String,
    source: String,
    author: String,
}

struct WhatIfLine {
    township: String,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "subsidies_policy.html")]
struct PolicyPage {
    c: Chrome,
    params: Vec<ParamRow>,
    can_edit: bool,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
    preview: Option<String>,
    what_if: Vec<WhatIfLine>,
    what_if_total: Option<WhatIfLine>,
    what_if_note: Option<String>,
    /// The parameters no rule reads, by name.
    unread: String,
    notice: Option<String>,
    action: &'static str,
}

/// The note beside a parameter that no rule reads ([`ParamKey::read_by_rules`]).
fn reference_note(key: ParamKey, lang: Lang) -> Option<&'static str> {
    // Another programme's parameter is read by that programme's rules.
    (key.programme() == "subsidies" && !key.read_by_rules())
        .then(|| crate::t(lang, "recorded-for-reference-only-no-rule"))
}

/// What a scenario on a parameter no rule reads can show: nothing changes.
fn what_if_note(key: ParamKey, lang: Lang) -> Option<String> {
    reference_note(key, lang).map(|n| match lang {
        Lang::Zh => format!("“{}”{n}：改动它不会改变任何人的补贴资格或金额，下表因此没有变化。", key.label(lang)),
        Lang::En => format!("“{}” is {n}: changing it changes no one's eligibility or amount, so the table shows no change.", key.label(lang)),
    })
}

fn policy_fields(
    lang: Lang,
    areas: &[zhucan_domain::area::Area],
    scope_area: &AreaCode,
) -> Vec<FormField> {
    let mut keys = vec![(String::new(), crate::t(lang, "choose").to_string())];
    keys.extend(ParamKey::ALL.iter().map(|k| {
        let label = match reference_note(*k, lang) {
            Some(_) => format!("{}{}", k.label(lang), crate::t(lang, "reference-only")),
            None => k.label(lang).to_string(),
        };
        (k.key().to_string(), label)
    }));
    let area_opts: Vec<(String, String)> = areas
        .iter()
        .filter(|a| a.code.level() != AreaLevel::Village && scope_area.contains(&a.code))
        .map(|a| (a.code.to_string(), a.name.clone()))
        .collect();
    vec![
        FormField::new("key", crate::t(lang, "parameter-2"), "select")
            .required()
            .hint(crate::t(lang, "parameters-marked-reference-only-are-read"))
            .options(keys),
        FormField::new("area", crate::t(lang, "applies-to"), "select")
            .required()
            .options(area_opts),
        FormField::new("value", crate::t(lang, "value"), "text")
            .required()
            .hint(crate::t(lang, "amounts-in-yuan-1150-ratios-as")),
        FormField::new("effective_from", crate::t(lang, "effective-from"), "date")
            .required()
            .hint(crate::t(lang, "e-g-2026-01-01-months")),
        FormField::new("source", crate::t(lang, "source-document"), "text").required(),
    ]
}

/// A parsed parameter change, or the form with its errors.
fn parse_change(
    sub: &mut Submission,
    lang: Lang,
    scope_area: &AreaCode,
    user: &str,
) -> Option<ParamEntry> {
    let key = match ParamKey::parse(sub.get("key")) {
        Some(k) => Some(k),
        None => {
            let m = if sub.get("key").is_empty() {
                crate::t(lang, "is-required").to_string()
            } else {
                format!(
                    "“{}”{}",
                    sub.get("key"),
                    crate::t(lang, "is-not-a-parameter")
                )
            };
            sub.fail("key", m);
            None
        }
    };
    let area = match AreaCode::parse(sub.get("area")) {
        Some(a) if scope_area.contains(&a) && a.level() != AreaLevel::Village => Some(a),
        _ => {
            let m = format!(
                "“{}”{}",
                sub.get("area"),
                crate::t(lang, "is-not-an-area-you-may")
            );
            sub.fail("area", m);
            None
        }
    };
    let value = key.and_then(|k| match parse_value(k, sub.get("value")) {
        Ok(v) => Some(v),
        Err(e) => {
            sub.fail("value", e.message(lang));
            None
        }
    });
    let from = match zhucan_domain::parse::parse_date(sub.get("effective_from")) {
        Ok(d) => Some(d),
        Err(e) => {
            let m = format!("“{}”{}", sub.get("effective_from"), e.message(lang));
            sub.fail("effective_from", m);
            None
        }
    };
    let source = sub.get("source").to_string();
    if source.is_empty() {
        sub.fail("source", crate::t(lang, "is-required").into());
    } else if source.chars().count() > 200 {
        sub.fail(
            "source",
            crate::t(lang, "must-be-at-most-200-characters").into(),
        );
    }
    match (key, area, value, from, sub.errors.is_empty()) {
        (Some(key), Some(area), Some(value), Some(effective_from), true) => Some(ParamEntry {
            id: 0,
            key,
            area,
            value,
            effective_from,
            source,
            author: user.to_string(),
            entered_at: String::new(),
        }),
        _ => None,
    }
}

fn what_if_lines(rows: &[WhatIfRow], names: &AreaNames) -> (Vec<WhatIfLine>, WhatIfLine) {
    let mut total = WhatIfRow::default();
    for r in rows {
        for k in 0..2 {
            let (t, x) = (&mut total.by_subsidy[k], &r.by_subsidy[k]);
            t.eligible_before += x.eligible_before;
            t.eligible_after += x.eligible_after;
            t.gain += x.gain;
            t.lose += x.lose;
            t.cost_before_fen += x.cost_before_fen;
            t.cost_after_fen += x.cost_after_fen;
        }
    }
    let cells = |r: &WhatIfRow| {
        r.by_subsidy
            .iter()
            .flat_map(|c| {
                [
                    format!("{} → {}", c.eligible_before, c.eligible_after),
                    format!("+{} / −{}", c.gain, c.lose),
                    format!(
                        "{} → {}",
                        fen_to_yuan(c.cost_before_fen),
                        fen_to_yuan(c.cost_after_fen)
                    ),
                ]
            })
            .collect::<Vec<_>>()
    };
    (
        rows.iter()
            .map(|r| WhatIfLine {
                township: names.name(&r.township),
                cells: cells(r),
            })
            .collect(),
        WhatIfLine {
            township: String::new(),
            cells: cells(&total),
        },
    )
}

async fn policy_page(
    state: &AppState,
    caller: &PageCaller,
    sub: Option<Submission>,
    preview: Option<(ParamEntry, Vec<WhatIfRow>)>,
    notice: Option<String>,
) -> PageResult {
    let lang = caller.lang;
    let scope_area = works(caller)?;
    let pol = policy(state, caller).await?;
    let areas = state.store.areas().await.or_page(caller)?;
    let names = AreaNames::new(&areas);
    let mut fields = policy_fields(lang, &areas, &scope_area);
    let (errors, status) = match &sub {
        Some(s) => {
            let e = s.apply(&mut fields);
            let st = if e.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            (e, st)
        }
        None => (vec![], StatusCode::OK),
    };
    let what_if_note = preview
        .as_ref()
        .and_then(|(e, _)| what_if_note(e.key, lang));
    let (what_if, what_if_total, preview_text) = match &preview {
        Some((e, rows)) => {
            let (lines, total) = what_if_lines(rows, &names);
            let text = match lang {
                Lang::Zh => format!(
                    "预览：{}（{}）自 {} 起改为 {} 后，{} 各乡镇的变化（未保存）：",
                    e.key.label(lang),
                    names.of(&e.area),
                    e.effective_from,
                    e.value.text(),
                    Month::of(e.effective_from)
                ),
                Lang::En => format!(
                    "Preview: {} ({}) set to {} from {} — the change per township in {} (not saved):",
                    e.key.label(lang),
                    names.of(&e.area),
                    e.value.text(),
                    e.effective_from,
                    Month::of(e.effective_from)
                ),
            };
            (lines, Some(total), Some(text))
        }
        None => (vec![], None, None),
    };
    let mut params: Vec<&ParamEntry> = pol.entries.iter().collect();
    params.sort_by(|a, b| {
        (a.key, &a.area, a.effective_from, a.id).cmp(&(b.key, &b.area, b.effective_from, b.id))
    });
    let view = PolicyPage {
        c: chrome(
            Some(caller),
            lang,
            "/subsidies/policy",
            "subsidies",
            crate::t(lang, "subsidy-policy-parameters"),
        ),
        params: params
            .iter()
            .map(|e| ParamRow {
                id: e.id,
                key: e.key.label(lang).to_string(),
                note: reference_note(e.key, lang),
                area: names.of(&e.area),
                value: e.value.text(),
                from: e.effective_from.to_string(),
                source: e.source.clone(),
                author: e.author.clone(),
            })
            .collect(),
        can_edit: caller.user.role.runs_payroll() && scope_area.level() == AreaLevel::District,
        fields,
        errors,
        preview: preview_text,
        what_if,
        what_if_total,
        what_if_note,
        unread: ParamKey::ALL
            .iter()
            .filter(|k| !k.read_by_rules())
            .map(|k| k.label(lang))
            .collect::<Vec<_>>()
            .join(crate::t(lang, "symbol-2")),
        notice,
        action: "/subsidies/policy",
    };
    Ok(render(status, &view))
}

#[derive(Debug, Deserialize, Default)]
pub struct SavedParams {
    saved: Option<String>,
}

pub async fn policy_view(
    State(state): State<AppState>,
    caller: Holds<SubsidyStaff>,
    Query(q): Query<SavedParams>,
) -> PageResult {
    let notice = q
        .saved
        .map(|_| crate::t(caller.lang, "the-new-parameter-version-is-saved").to_string());
    policy_page(&state, &caller, None, None, notice).await
}

async fn what_if_of(
    state: &AppState,
    caller: &PageCaller,
    e: &ParamEntry,
    area: AreaCode,
) -> Result<Vec<WhatIfRow>, PageError> {
    let snap = snapshot(state, caller).await?;
    let base = policy(state, caller).await?;
    let scenario = base.with(std::slice::from_ref(e));
    let m = Month::of(e.effective_from);
    tokio::task::spawn_blocking(move || snap.what_if(&base, &scenario, m, &area))
        .await
        .map_err(|_| bad_request(caller, "value", "internal"))
}

/// `POST /subsidies/policy`: preview a new parameter version's effect, or save it.
pub async fn policy_change(
    State(state): State<AppState>,
    caller: Holds<DistrictPayroll>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let save = form.get("action").is_some_and(|a| a == "save");
    let mut sub = Submission::new(form);
    let Some(entry) = parse_change(&mut sub, lang, &caller.user.area, &caller.user.username) else {
        return policy_page(&state, &caller, Some(sub), None, None).await;
    };
    if !save {
        let rows = what_if_of(&state, &caller, &entry, caller.user.area.clone()).await?;
        return policy_page(&state, &caller, Some(sub), Some((entry, rows)), None).await;
    }
    let id = state.store.add_param(&entry).await.or_page(&caller)?;
    trail::record(&state.store, audit_event(&caller.user, &caller.client, "policy.param_add", entry.key.key(), "ok",
        serde_json::json!({"id": id, "area": entry.area.to_string(), "new": entry.value.text(), "effective_from": entry.effective_from.to_string(), "source": entry.source}))).await;
    Ok(Redirect::to("/subsidies/policy?saved=1").into_response())
}

#[derive(Debug, Deserialize, Default)]
pub struct WhatIfParams {
    key: Option<String>,
    area: Option<String>,
    value: Option<String>,
    effective_from: Option<String>,
}

#[derive(Template)]
#[template(path = "subsidies_what_if.html")]
struct WhatIfPage {
    c: Chrome,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
    preview: Option<String>,
    what_if: Vec<WhatIfLine>,
    what_if_total: Option<WhatIfLine>,
    what_if_note: Option<String>,
}

/// `GET /subsidies/what-if`: a scenario without touching live data (any subsidy staff).
pub async fn what_if(
    State(state): State<AppState>,
    caller: Holds<SubsidyStaff>,
    Query(p): Query<WhatIfParams>,
) -> PageResult {
    let lang = caller.lang;
    let scope_area = caller.user.area.clone();
    let areas = state.store.areas().await.or_page(&caller)?;
    let names = AreaNames::new(&areas);
    let mut fields = policy_fields(lang, &areas, &scope_area);
    fields.retain(|f| f.name != "source");
    let asked = p.key.is_some();
    let mut values = HashMap::new();
    for (k, v) in [
        ("key", &p.key),
        ("area", &p.area),
        ("value", &p.value),
        ("effective_from", &p.effective_from),
    ] {
        values.insert(k.to_string(), v.clone().unwrap_or_default());
    }
    values.insert("source".into(), "what-if".into());
    let mut sub = Submission::new(values);
    let (mut preview, mut lines, mut total, mut note) = (None, vec![], None, None);
    let mut status = StatusCode::OK;
    if asked {
        match parse_change(&mut sub, lang, &scope_area, &caller.user.username) {
            Some(e) => {
                let rows = what_if_of(&state, &caller, &e, scope_area.clone()).await?;
                let (l, t) = what_if_lines(&rows, &names);
                preview = Some(match lang {
                    Lang::Zh => format!(
                        "情景：{}（{}）自 {} 起为 {}，{} 的变化：",
                        e.key.label(lang),
                        names.of(&e.area),
                        e.effective_from,
                        e.value.text(),
                        Month::of(e.effective_from)
                    ),
                    Lang::En => format!(
                        "Scenario: {} ({}) = {} from {}; the change in {}:",
                        e.key.label(lang),
                        names.of(&e.area),
                        e.value.text(),
                        e.effective_from,
                        Month::of(e.effective_from)
                    ),
                });
                lines = l;
                total = Some(t);
                note = what_if_note(e.key, lang);
            }
            None => status = StatusCode::BAD_REQUEST,
        }
    }
    let errors = if asked {
        sub.apply(&mut fields)
    } else {
        vec![]
    };
    let view = WhatIfPage {
        c: chrome(
            Some(&caller),
            lang,
            "/subsidies/what-if",
            "subsidies",
            crate::t(lang, "what-if-the-policy-changed"),
        ),
        fields,
        errors,
        preview,
        what_if: lines,
        what_if_total: total,
        what_if_note: note,
    };
    Ok(render(status, &view))
}

// ---------------------------------------------------------------- one person

#[derive(Debug, Deserialize, Default)]
pub struct PersonParams {
    month: Option<String>,
    saved: Option<String>,
}

struct Explained {
    subsidy: &'static str,
    subsidy_key: &'static str,
    verdict: String,
    conditions: Vec<(bool, String)>,
    finding: Option<String>,
    kind: Option<&'static str>,
    parameters: Vec<String>,
    rule_version: &'static str,
}

#[derive(Template)]
#[template(path = "subsidies_person.html")]
struct PersonPage {
    c: Chrome,
    handle: String,
    name: String,
    masked_id: String,
    month: String,
    month_error: Option<String>,
    subsidies: Vec<Explained>,
    cases: Vec<(String, String, String, String, String)>,
    payments: Vec<(String, String, String, String, String)>,
    benefits: Vec<(String, String, String, String)>,
    account: Option<String>,
    can_write: bool,
    benefit_fields: Vec<FormField>,
    account_fields: Vec<FormField>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

fn benefit_fields(lang: Lang) -> Vec<FormField> {
    let mut kinds = vec![(String::new(), crate::t(lang, "choose").to_string())];
    kinds.extend(
        BenefitKind::ALL
            .iter()
            .map(|k| (k.key().to_string(), k.label(lang).to_string())),
    );
    vec![
        FormField::new("kind", crate::t(lang, "allowance"), "select")
            .required()
            .options(kinds),
        FormField::new(
            "amount",
            crate::t(lang, "monthly-amount-yuan-for-same-need"),
            "text",
        ),
        FormField::new("since", crate::t(lang, "from-month"), "text")
            .required()
            .hint(crate::t(lang, "e-g-2025-03")),
        FormField::new("until", crate::t(lang, "until-month-optional"), "text"),
        FormField::new(
            "source",
            crate::t(lang, "source-department-document"),
            "text",
        )
        .required(),
    ]
}

fn account_fields(lang: Lang) -> Vec<FormField> {
    vec![
        FormField::new("bank", crate::t(lang, "bank"), "text").required(),
        FormField::new("account_no", crate::t(lang, "account-number"), "text")
            .required()
            .hint(crate::t(lang, "n-8-to-30-digits")),
        FormField::new("holder", crate::t(lang, "account-holder"), "text").required(),
    ]
}

async fn person_page(
    state: &AppState,
    caller: &PageCaller,
    handle: &str,
    p: &PersonParams,
    sub: Option<(&'static str, Submission)>,
) -> PageResult {
    let lang = caller.lang;
    works(caller)?;
    let file = load_scoped(state, caller, handle)
        .await
        .or_page(caller)?
        .ok_or_else(|| PageError::not_found(caller))?;
    let (m, month_error) = match parse_month(p.month.as_deref(), lang) {
        Ok(m) => (m, None),
        Err(msg) => (this_month(), Some(msg)),
    };
    let pol = policy(state, caller).await?;
    let id = file.person.citizen_id.clone();
    let benefits: Vec<Benefit> = state
        .store
        .benefits_of(std::slice::from_ref(&id))
        .await
        .or_page(caller)?
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    let e = explain_person(&file, benefits.clone(), &pol, m, lang);
    let (_, cases) = state
        .store
        .cases(&CaseQuery {
            citizen_id: Some(id.clone()),
            page: 1,
            per_page: 50,
            ..CaseQuery::default()
        })
        .await
        .or_page(caller)?;
    let payments = state.store.payments_of(&id).await.or_page(caller)?;
    let account = state
        .store
        .payment_accounts(std::slice::from_ref(&id))
        .await
        .or_page(caller)?
        .remove(id.as_str());
    let mut bf = benefit_fields(lang);
    let mut af = account_fields(lang);
    let (errors, status) = match &sub {
        Some(("benefit", s)) => (s.apply(&mut bf), StatusCode::UNPROCESSABLE_ENTITY),
        Some((_, s)) => (s.apply(&mut af), StatusCode::UNPROCESSABLE_ENTITY),
        None => (
            vec![],
            if month_error.is_some() {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            },
        ),
    };
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "subsidy.explain",
        id.as_str(),
        "ok",
        serde_json::json!({"month": m.to_string()}),
    ));
    let view = PersonPage {
        c: chrome(
            Some(caller),
            lang,
            &format!("/persons/{handle}/subsidies?month={m}"),
            "subsidies",
            crate::t(lang, "the-two-subsidies"),
        ),
        handle: handle.to_string(),
        name: file.person.name.clone(),
        masked_id: id.masked(),
        month: p
            .month
            .clone()
            .filter(|_| month_error.is_some())
            .unwrap_or_else(|| m.to_string()),
        month_error,
        subsidies: e
            .subsidies
            .iter()
            .map(|x| Explained {
                subsidy: x.subsidy.label(lang),
                subsidy_key: x.subsidy.key(),
                verdict: format!(
                    "{}，{}{}",
                    if x.eligible {
                        crate::t(lang, "eligible")
                    } else {
                        crate::t(lang, "not-eligible")
                    },
                    if x.receiving {
                        crate::t(lang, "receiving")
                    } else {
                        crate::t(lang, "not-receiving")
                    },
                    x.amount_fen
                        .map(|a| format!("，{} {}", fen_to_yuan(a), crate::t(lang, "yuan-a-month")))
                        .unwrap_or_default()
                ),
                conditions: x
                    .conditions
                    .iter()
                    .map(|c| (c.met, c.text.clone()))
                    .collect(),
                finding: x
                    .finding
                    .map(|f| format!("{}：{}", f.label(lang), reasons_text(&x.reasons, lang))),
                kind: x.finding.map(|f| match f {
                    Finding::EligibleNotReceiving => "enrol",
                    Finding::ReceivingNotEligible => "stop",
                }),
                parameters: x
                    .parameters
                    .iter()
                    .map(|p| {
                        format!(
                            "#{} {} = {}（{} 起；{}）",
                            p.id, p.key, p.value, p.effective_from, p.source
                        )
                    })
                    .collect(),
                rule_version: x.rule_version,
            })
            .collect(),
        cases: cases
            .iter()
            .map(|c| {
                (
                    c.id.clone(),
                    c.subsidy.label(lang).to_string(),
                    kind_label(c.kind, lang).to_string(),
                    c.month.to_string(),
                    status_label(&c.status, lang),
                )
            })
            .collect(),
        payments: payments
            .iter()
            .take(36)
            .map(|(pm, l)| {
                (
                    pm.to_string(),
                    l.subsidy.label(lang).to_string(),
                    crate::workbooks::kind_label(&l.kind, lang).to_string(),
                    l.for_month.to_string(),
                    fen_to_yuan(l.amount_fen),
                )
            })
            .collect(),
        benefits: benefits
            .iter()
            .map(|b| {
                (
                    b.kind.label(lang).to_string(),
                    b.amount_fen.map(fen_to_yuan).unwrap_or_default(),
                    format!(
                        "{} – {}",
                        b.since,
                        b.until.map(|u| u.to_string()).unwrap_or_default()
                    ),
                    b.source.clone(),
                )
            })
            .collect(),
        account: account
            .map(|a| format!("{} {}（{}）", a.bank, mask(&a.account_no, 4, 4), a.holder)),
        can_write: scope::can_write(&caller.user, &file.person),
        benefit_fields: bf,
        account_fields: af,
        errors,
        notice: p
            .saved
            .as_ref()
            .map(|_| crate::t(lang, "saved").to_string()),
    };
    Ok(render(status, &view))
}

pub async fn person(
    State(state): State<AppState>,
    caller: Holds<SubsidyStaff>,
    Path(handle): Path<String>,
    Query(p): Query<PersonParams>,
) -> PageResult {
    person_page(&state, &caller, &handle, &p, None).await
}

pub async fn add_benefit(
    State(state): State<AppState>,
    caller: Holds<SubsidyStaff>,
    Path(handle): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    // After the CSRF check, as before: a forged form learns nothing of the file.
    let file = zhucan_web::pages::writable_by_handle(&state, &caller, &handle)
        .await
        .map_err(PageError::response)?;
    let mut sub = Submission::new(form);
    let kind = sub.required_choice("kind", BenefitKind::parse, lang);
    let amount = match sub.get("amount") {
        "" => None,
        a => match zhucan_domain::parse::parse_yuan_to_fen(a) {
            Ok(f) => Some(f),
            Err(e) => {
                let m = format!("“{a}”{}", e.message(lang));
                sub.fail("amount", m);
                None
            }
        },
    };
    if matches!(
        kind,
        Some(BenefitKind::SameNeedLiving | BenefitKind::SameNeedNursing)
    ) && amount.is_none()
        && !sub.errors.iter().any(|e| e.0 == "amount")
    {
        sub.fail(
            "amount",
            crate::t(lang, "a-same-need-allowance-needs-its").into(),
        );
    }
    let since = match Month::parse(sub.get("since")) {
        Ok(m) => Some(m),
        Err(e) => {
            let m = format!("“{}”{}", sub.get("since"), e.message(lang));
            sub.fail("since", m);
            None
        }
    };
    let until = match sub.get("until") {
        "" => None,
        u => match Month::parse(u) {
            Ok(m) if since.is_none_or(|s| m >= s) => Some(m),
            Ok(_) => {
                let m = format!("“{u}”{}", crate::t(lang, "is-before-the-first-month"));
                sub.fail("until", m);
                None
            }
            Err(e) => {
                let m = format!("“{u}”{}", e.message(lang));
                sub.fail("until", m);
                None
            }
        },
    };
    let source = sub.required_text("source", 200, lang).unwrap_or_default();
    let (Some(kind), Some(since), true) = (kind, since, sub.errors.is_empty()) else {
        return person_page(
            &state,
            &caller,
            &handle,
            &PersonParams::default(),
            Some(("benefit", sub)),
        )
        .await;
    };
    let b = Benefit {
        kind,
        amount_fen: amount,
        since,
        until,
        source,
    };
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    state
        .store
        .add_benefit(&file.person.citizen_id, &b, &actor)
        .await
        .or_page(&caller)?;
    trail::record(&state.store, audit_event(&caller.user, &caller.client, "person.change", file.person.citizen_id.as_str(), "ok",
        serde_json::json!({"benefit": {"new": {"kind": kind.key(), "amount_fen": amount, "since": since.to_string(), "until": until.map(|u| u.to_string())}}}))).await;
    Ok(Redirect::to(&format!("/persons/{handle}/subsidies?saved=1")).into_response())
}

pub async fn set_account(
    State(state): State<AppState>,
    caller: Holds<SubsidyStaff>,
    Path(handle): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    // After the CSRF check, as before: a forged form learns nothing of the file.
    let file = zhucan_web::pages::writable_by_handle(&state, &caller, &handle)
        .await
        .map_err(PageError::response)?;
    let mut sub = Submission::new(form);
    let bank = sub.get("bank").to_string();
    let account_no: String =
        zhucan_domain::ids::normalize(sub.get("account_no")).replace([' ', '-'], "");
    let holder = sub.get("holder").to_string();
    for (field, v) in [("bank", &bank), ("holder", &holder)] {
        if v.is_empty() {
            sub.fail(field, crate::t(lang, "is-required").into());
        } else if v.chars().count() > 60 {
            sub.fail(
                field,
                crate::t(lang, "must-be-at-most-60-characters").into(),
            );
        }
    }
    if !(8..=30).contains(&account_no.len()) || !account_no.bytes().all(|b| b.is_ascii_digit()) {
        let m = format!(
            "“{}”{}",
            sub.get("account_no"),
            crate::t(lang, "must-be-8-to-30-digits")
        );
        sub.fail("account_no", m);
    }
    if !sub.errors.is_empty() {
        return person_page(
            &state,
            &caller,
            &handle,
            &PersonParams::default(),
            Some(("account", sub)),
        )
        .await;
    }
    let a = PaymentAccount {
        bank,
        account_no: account_no.clone(),
        holder,
    };
    state
        .store
        .set_payment_account(&file.person.citizen_id, &a, &caller.user.username)
        .await
        .or_page(&caller)?;
    trail::record(
        &state.store,
        audit_event(
            &caller.user,
            &caller.client,
            "person.change",
            file.person.citizen_id.as_str(),
            "ok",
            serde_json::json!({"payment_account": {"new": mask(&account_no, 4, 4)}}),
        ),
    )
    .await;
    Ok(Redirect::to(&format!("/persons/{handle}/subsidies?saved=1")).into_response())
}
