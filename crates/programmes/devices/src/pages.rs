//! The programme's pages: the cases and loans of an area (with the forms to open a case and to
//! lend an item), a case with the form of its step, a loan with renewal and return, and the
//! stock of the service points with their utilisation.

#[allow(unused_imports)]
use crate::prelude::*;
use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use chrono::NaiveDate;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::institution::InstitutionKind;
use zhucan_domain::lang::Lang;
use zhucan_domain::parse::{fen_to_yuan, parse_yuan_to_fen};
use zhucan_store::registry::Actor;
use zhucan_store::{PersonFile, User};
use zhucan_web::AppState;
use zhucan_web::auth::PageCaller;
use zhucan_web::forms::{FormField, Submission, enum_options, fill, past_date};
use zhucan_web::pages::{area_names, check_present, chrome, names_of, typed_person};
use zhucan_web::scope;
use zhucan_web::trail::audit_event;
use zhucan_web::usecase::{CsrfForm, ExportsPersons, Holds, OrPage, PageError, PageResult, Right};
use zhucan_web::view::{AreaNames, Chrome, keep_numbers_whole, render, today};

use crate::rules::{self, Condition, Item, Mode, Status, Terms};
use crate::store::{Case, Fitting, Lent, Linked, Loan, StockItem};
use zhucan_service::rules::NeedKind;
use zhucan_service::store::{AppQuery, Application, Need};
use zhucan_service::taken::{WaitingNeeds, check_need, takeable, waiting};

/// Reads the cases and loans of an area (district, township and village staff).
#[derive(Debug, Clone, Copy)]
pub struct SeesDevices;

impl Right for SeesDevices {
    fn held_by(user: &User) -> bool {
        user.role.works_subsidies() && user.role.reads_persons()
    }
}

/// Opens, decides, fits and follows up cases; lends, renews and takes back items (district
/// and township staff).
#[derive(Debug, Clone, Copy)]
pub struct ActsOnDevices;

impl Right for ActsOnDevices {
    fn held_by(user: &User) -> bool {
        user.role.decides_subsidies()
    }
}

/// Lends, renews and takes back items: staff who act on devices, or the account of a device
/// service point (辅具服务点, role `institution`), on the items of its own point only.
#[derive(Debug, Clone, Copy)]
pub struct LendsItems;

impl Right for LendsItems {
    fn held_by(user: &User) -> bool {
        ActsOnDevices::held_by(user) || crate::point::ServesPoint::held_by(user)
    }
}

/// Adds items to the stock of the service points (the district administrator).
#[derive(Debug, Clone, Copy)]
pub struct KeepsStock;

impl Right for KeepsStock {
    fn held_by(user: &User) -> bool {
        user.role.runs_payroll()
    }
}

fn yuan(f: i64) -> String {
    fen_to_yuan(f)
}

fn area_of(caller: &PageCaller) -> Result<zhucan_domain::AreaCode, PageError> {
    scope::person_area(&caller.user)
        .cloned()
        .ok_or_else(|| PageError::forbidden(caller))
}

pub(crate) fn date_field(name: &str, label: &str, lang: Lang) -> FormField {
    let mut f = FormField::new(name, label, "date")
        .required()
        .hint(crate::t(lang, "date-hint"));
    f.value = today().to_string();
    f
}

pub(crate) fn item_label(items: &[Item], key: &str, lang: Lang) -> String {
    items
        .iter()
        .find(|i| i.key == key)
        .map(|i| i.label(lang).to_string())
        .unwrap_or_else(|| key.to_string())
}

pub(crate) fn point_label(id: &str, names: &AreaNames) -> String {
    match id.split_once('/') {
        Some((t, n)) => format!("{n}（{}）", names.name(t)),
        None => id.to_string(),
    }
}

/// A person's file for a case or loan of `citizen_id`: within the caller's area (404
/// otherwise), and whether they may change it.
async fn file_of(
    state: &AppState,
    caller: &PageCaller,
    id: &CitizenId,
) -> Result<(PersonFile, bool), PageError> {
    let file = state
        .store
        .person_file(id, &zhucan_store::Reach::of(&caller.user))
        .await
        .or_page(caller)?
        .filter(|f| scope::can_read(&caller.user, &f.person))
        .ok_or_else(|| PageError::not_found(caller))?;
    let writes =
        scope::can_write(&caller.user, &file.person) && ActsOnDevices::held_by(&caller.user);
    Ok((file, writes))
}

// ---------------------------------------------------------------- the overview

struct CaseRow {
    id: String,
    name: String,
    masked_id: String,
    item: String,
    status: String,
    assessed: String,
    followup: String,
    late: bool,
}

struct AppRow {
    id: String,
    name: String,
    masked_id: String,
    device: String,
    submitted: String,
}

struct LoanRow {
    id: String,
    name: String,
    masked_id: String,
    code: String,
    item: String,
    lent: String,
    due: String,
    returned: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "devices_overview.html")]
struct OverviewPage {
    c: Chrome,
    applications: Vec<AppRow>,
    from_app: Option<String>,
    waiting: WaitingNeeds,
    from_need: Option<String>,
    cases: Vec<CaseRow>,
    loans: Vec<LoanRow>,
    summary: String,
    can_act: bool,
    can_export: bool,
    purpose: String,
    purpose_required: bool,
    purpose_threshold: usize,
    case_fields: Vec<FormField>,
    lend_fields: Vec<FormField>,
    errors: Vec<(String, String)>,
}

enum OverviewPosted<'a> {
    Case(&'a Submission),
    Lend(&'a Submission),
    /// `GET /devices?from=`: the case form filled from an application.
    From(&'a Application),
    /// `GET /devices?need=`: the case form filled from a stated need.
    Need(&'a Need),
}

/// The catalogue item a service-end answer (`answers.device`) names.
fn item_of_answer(answer: &str) -> &str {
    match answer {
        "cane" => "white_cane",
        other => other,
    }
}

/// The area's open `device` applications that no case answers yet.
async fn pending_applications(
    state: &AppState,
    caller: &PageCaller,
    area: &zhucan_domain::AreaCode,
    cases: &[Case],
) -> Result<Vec<Application>, PageError> {
    let (_, apps) = state
        .store
        .applications(&AppQuery {
            area: Some(area.clone()),
            service_key: Some(SERVICE.into()),
            page: 1,
            per_page: 10_000,
            ..AppQuery::default()
        })
        .await
        .or_page(caller)?;
    Ok(apps
        .into_iter()
        .filter(|a| matches!(a.status.as_str(), "submitted" | "needs_info"))
        .filter(|a| {
            !cases
                .iter()
                .any(|c| c.application_id.as_deref() == Some(a.id.as_str()))
        })
        .collect())
}

/// The service end's service whose applications a case may answer.
pub const SERVICE: &str = "device";

fn case_fields(lang: Lang, items: &[Item]) -> Vec<FormField> {
    let mut opts = vec![(String::new(), crate::t(lang, "choose").to_string())];
    opts.extend(items.iter().map(|i| {
        (
            i.key.clone(),
            format!(
                "{}（{}，{} {}）",
                i.label(lang),
                i.mode.label(lang),
                crate::t(lang, "cap"),
                yuan(i.cap_fen)
            ),
        )
    }));
    vec![
        FormField::new("c_citizen_id", crate::t(lang, "citizen-id"), "text")
            .required()
            .hint(crate::t(lang, "citizen-id-hint")),
        FormField::new("c_item", crate::t(lang, "recommended-device"), "select")
            .required()
            .options(opts),
        date_field("c_assessed_on", crate::t(lang, "assessed-on"), lang),
        FormField::new("c_assessment", crate::t(lang, "assessment"), "text")
            .required()
            .hint(crate::t(lang, "assessment-hint")),
    ]
}

pub(crate) fn lend_fields(lang: Lang, available: Vec<(String, String)>) -> Vec<FormField> {
    let mut opts = vec![(String::new(), crate::t(lang, "choose").to_string())];
    opts.extend(available);
    vec![
        FormField::new("l_citizen_id", crate::t(lang, "citizen-id"), "text")
            .required()
            .hint(crate::t(lang, "citizen-id-hint")),
        FormField::new("l_code", crate::t(lang, "stock-item"), "select")
            .required()
            .hint(crate::t(lang, "stock-item-hint"))
            .options(opts),
        date_field("l_lent_on", crate::t(lang, "lent-on"), lang),
    ]
}

/// The items of the stock that may be lent now, as choices.
async fn available(
    state: &AppState,
    caller: &PageCaller,
    items: &[Item],
    names: &AreaNames,
) -> Result<Vec<(String, String)>, PageError> {
    let out: std::collections::HashSet<String> = state
        .store
        .open_loans()
        .await
        .or_page(caller)?
        .into_iter()
        .map(|l| l.code)
        .collect();
    Ok(state
        .store
        .stock()
        .await
        .or_page(caller)?
        .into_iter()
        .filter(|s| s.condition.lendable() && !out.contains(&s.code))
        .map(|s| {
            let label = format!(
                "{} {}（{}）",
                s.code,
                item_label(items, &s.item_key, caller.lang),
                point_label(&s.point_id, names)
            );
            (s.code, label)
        })
        .collect())
}

async fn overview_page(
    state: &AppState,
    caller: &PageCaller,
    posted: Option<OverviewPosted<'_>>,
) -> PageResult {
    let lang = caller.lang;
    let area = area_of(caller)?;
    let (_, anames) = area_names(state).await.or_page(caller)?;
    let items = state.store.device_items().await.or_page(caller)?;
    let cases = state
        .store
        .device_cases_in(area.as_str())
        .await
        .or_page(caller)?;
    let loans = state.store.loans_in(area.as_str()).await.or_page(caller)?;
    let stock: HashMap<String, StockItem> = state
        .store
        .stock()
        .await
        .or_page(caller)?
        .into_iter()
        .map(|s| (s.code.clone(), s))
        .collect();
    let apps = pending_applications(state, caller, &area, &cases).await?;
    let mut ids: Vec<CitizenId> = cases.iter().map(|c| c.citizen_id.clone()).collect();
    ids.extend(loans.iter().map(|l| l.citizen_id.clone()));
    ids.extend(apps.iter().map(|a| a.citizen_id.clone()));
    let names = names_of(state, caller, &ids).await?;
    let day = today();
    let mut cf = case_fields(lang, &items);
    let mut lf = lend_fields(lang, available(state, caller, &items, &anames).await?);
    let mut from_app = None;
    let mut from_need = None;
    let errors = match posted {
        Some(OverviewPosted::Case(s)) => {
            from_app = Some(s.get("c_application").to_string()).filter(|a| !a.is_empty());
            from_need = Some(s.get("c_need").to_string()).filter(|a| !a.is_empty());
            s.apply(&mut cf)
        }
        Some(OverviewPosted::Need(n)) => {
            from_need = Some(n.id.clone());
            fill(&mut cf, "c_citizen_id", n.citizen_id.as_str());
            fill(
                &mut cf,
                "c_assessment",
                n.description.chars().take(300).collect::<String>(),
            );
            vec![]
        }
        Some(OverviewPosted::Lend(s)) => s.apply(&mut lf),
        Some(OverviewPosted::From(a)) => {
            from_app = Some(a.id.clone());
            fill(&mut cf, "c_citizen_id", a.citizen_id.as_str());
            fill(
                &mut cf,
                "c_item",
                item_of_answer(a.answers.get("device").map(String::as_str).unwrap_or("")),
            );
            vec![]
        }
        None => vec![],
    };
    let threshold = state.policy().await.export_purpose_rows;
    let n_over = loans
        .iter()
        .filter(|l| rules::overdue(l.due_on, l.returned_on, day))
        .count();
    let view = OverviewPage {
        c: chrome(
            Some(caller),
            lang,
            "/devices",
            "devices",
            crate::t(lang, "devices"),
        ),
        summary: crate::tf(
            lang,
            "cases-n-loans-m-overdue-k",
            &[
                ("n", cases.len().into()),
                (
                    "m",
                    loans
                        .iter()
                        .filter(|l| l.returned_on.is_none())
                        .count()
                        .into(),
                ),
                ("k", n_over.into()),
            ],
        ),
        applications: apps
            .iter()
            .map(|a| AppRow {
                id: a.id.clone(),
                name: names
                    .get(a.citizen_id.as_str())
                    .cloned()
                    .unwrap_or_default(),
                masked_id: a.citizen_id.masked(),
                device: a
                    .answers
                    .get("device")
                    .map(|d| item_label(&items, item_of_answer(d), lang))
                    .unwrap_or_default(),
                submitted: a.submitted_at.get(..10).unwrap_or("").to_string(),
            })
            .collect(),
        from_app,
        waiting: waiting(state, caller, &area, NeedKind::Device, "/devices").await?,
        from_need,
        cases: cases
            .iter()
            .map(|c| CaseRow {
                id: c.id.clone(),
                name: names
                    .get(c.citizen_id.as_str())
                    .cloned()
                    .unwrap_or_default(),
                masked_id: c.citizen_id.masked(),
                item: item_label(&items, &c.item_key, lang),
                status: c.status.label(lang).to_string(),
                assessed: c.assessed_on.to_string(),
                followup: c.followup_due.map(|d| d.to_string()).unwrap_or_default(),
                late: c.status == Status::Fitted && c.followup_due.is_some_and(|d| d < day),
            })
            .collect(),
        loans: loans
            .iter()
            .map(|l| LoanRow {
                id: l.id.clone(),
                name: names
                    .get(l.citizen_id.as_str())
                    .cloned()
                    .unwrap_or_default(),
                masked_id: l.citizen_id.masked(),
                code: l.code.clone(),
                item: stock
                    .get(&l.code)
                    .map(|s| item_label(&items, &s.item_key, lang))
                    .unwrap_or_default(),
                lent: l.lent_on.to_string(),
                due: l.due_on.to_string(),
                returned: l.returned_on.map(|d| d.to_string()).unwrap_or_default(),
                overdue: rules::overdue(l.due_on, l.returned_on, day),
            })
            .collect(),
        can_act: ActsOnDevices::held_by(&caller.user),
        can_export: ExportsPersons::held_by(&caller.user),
        purpose: String::new(),
        purpose_required: cases.len() + loans.len() > threshold,
        purpose_threshold: threshold,
        case_fields: cf,
        lend_fields: lf,
        errors: errors.clone(),
    };
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(code, &view))
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct OverviewParams {
    /// An application to answer: the case form is filled from it.
    from: Option<String>,
    /// A stated need to act on: the case form is filled from it.
    need: Option<String>,
}

/// The open `device` application `id` of a person the caller may change, or `None`.
async fn linkable(
    state: &AppState,
    caller: &PageCaller,
    id: &str,
) -> Result<Option<Application>, PageError> {
    let Some(a) = state
        .store
        .application(id)
        .await
        .or_page(caller)?
        .filter(|a| {
            a.service_key == SERVICE && matches!(a.status.as_str(), "submitted" | "needs_info")
        })
    else {
        return Ok(None);
    };
    let writable = state
        .store
        .person_file(&a.citizen_id, &zhucan_store::Reach::of(&caller.user))
        .await
        .or_page(caller)?
        .is_some_and(|f| scope::can_write(&caller.user, &f.person));
    Ok(writable.then_some(a))
}

/// `GET /devices`: the area's pending applications, cases and loans.
pub async fn overview(
    State(state): State<AppState>,
    caller: Holds<SeesDevices>,
    Query(q): Query<OverviewParams>,
) -> PageResult {
    if let Some(id) = q.from.as_deref()
        && ActsOnDevices::held_by(&caller.user)
    {
        let Some(a) = linkable(&state, &caller, id).await? else {
            return Err(PageError::not_found(&caller));
        };
        return overview_page(&state, &caller, Some(OverviewPosted::From(&a))).await;
    }
    if let Some(id) = q.need.as_deref()
        && ActsOnDevices::held_by(&caller.user)
    {
        let Some(n) = takeable(&state, &caller, id, NeedKind::Device).await? else {
            return Err(PageError::not_found(&caller));
        };
        return overview_page(&state, &caller, Some(OverviewPosted::Need(&n))).await;
    }
    overview_page(&state, &caller, None).await
}

/// `POST /devices/cases`: opens a case with its assessment and recommended item.
pub async fn open_case(
    State(state): State<AppState>,
    caller: Holds<ActsOnDevices>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let mut sub = Submission::new(form);
    let file = typed_person(&state, &caller, &mut sub, "c_citizen_id").await?;
    let key = sub.get("c_item").to_string();
    let item = if key.is_empty() {
        sub.fail("c_item", crate::t(lang, "is-required").into());
        None
    } else {
        let it = state.store.device_item(&key).await.or_page(&caller)?;
        if it.is_none() {
            sub.fail(
                "c_item",
                crate::tf(lang, "not-a-device", &[("v", key.clone().into())]),
            );
        }
        it
    };
    let on = past_date(&mut sub, "c_assessed_on", today(), lang);
    let assessment = sub.required_text("c_assessment", 300, lang);
    let app_id = sub.get("c_application").to_string();
    let app = if app_id.is_empty() {
        None
    } else {
        let a = linkable(&state, &caller, &app_id).await?;
        match (&a, &file) {
            (Some(a), Some(f)) if a.citizen_id != f.person.citizen_id => {
                sub.fail("c_citizen_id", crate::t(lang, "not-the-applicant").into())
            }
            (None, _) => sub.fail(
                "c_citizen_id",
                crate::tf(
                    lang,
                    "not-an-open-application",
                    &[("v", app_id.clone().into())],
                ),
            ),
            _ => {}
        }
        a
    };
    let need_id = check_need(
        &state,
        &caller,
        &mut sub,
        "c_need",
        "c_citizen_id",
        NeedKind::Device,
        file.as_ref().map(|f| &f.person.citizen_id),
    )
    .await?;
    if let (Some(f), Some(it)) = (&file, &item)
        && !it.suits(f.certificate.category)
    {
        sub.fail(
            "c_item",
            crate::tf(
                lang,
                "device-does-not-suit",
                &[
                    ("item", it.label(lang).to_string().into()),
                    (
                        "category",
                        f.certificate.category.label(lang).to_string().into(),
                    ),
                ],
            ),
        );
    }
    if let (Some(f), Some(d)) = (&file, on) {
        check_present(&mut sub, "c_assessed_on", f, d, lang);
    }
    let (Some(file), Some(item), Some(on), Some(assessment), true) =
        (file, item, on, assessment, sub.errors.is_empty())
    else {
        return overview_page(&state, &caller, Some(OverviewPosted::Case(&sub))).await;
    };
    let c = Case {
        id: String::new(),
        citizen_id: file.person.citizen_id.clone(),
        area_code: file.person.home_area().to_string(),
        item_key: item.key.clone(),
        status: Status::Assessed,
        assessed_on: on,
        assessment: assessment.clone(),
        assessed_by: caller.user.username.clone(),
        decided_by: None,
        decision_note: None,
        fitted_on: None,
        mode: None,
        invoice_fen: None,
        subsidy_fen: None,
        ratio_basis: None,
        fitted_by: None,
        followup_due: None,
        followed_on: None,
        followup_note: None,
        followed_by: None,
        application_id: app.map(|a| a.id),
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "devices.assess",
        c.citizen_id.as_str(),
        "ok",
        serde_json::json!({"item": item.key, "assessed_on": on, "assessment": assessment, "application": c.application_id, "need": (!need_id.is_empty()).then_some(&need_id)}),
    );
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    let id = state
        .store
        .open_device_case(
            &c,
            Some(need_id.as_str()).filter(|n| !n.is_empty()),
            &actor,
            &audit,
        )
        .await
        .or_page(&caller)?;
    Ok(Redirect::to(&format!("/devices/cases/{id}")).into_response())
}

// ---------------------------------------------------------------- a case

#[derive(Template)]
#[template(path = "devices_case.html")]
struct CasePage {
    c: Chrome,
    id: String,
    application: Option<String>,
    name: String,
    masked_id: String,
    handle: String,
    category: String,
    item: String,
    mode: String,
    cap: String,
    status: String,
    assessed_on: String,
    assessment: String,
    decision_note: String,
    fitted_on: String,
    invoice: String,
    subsidy: String,
    basis: String,
    followup_due: String,
    late: bool,
    followed_on: String,
    followup_note: String,
    form_hint: String,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
}

fn step_fields(lang: Lang, status: Status, item: Option<&Item>) -> Vec<FormField> {
    let choose = |main: (&str, &str)| {
        FormField::new("action", crate::t(lang, "action"), "select")
            .required()
            .options(vec![
                (String::new(), crate::t(lang, "choose").into()),
                (main.0.into(), main.1.into()),
                (
                    "reject".into(),
                    crate::t(lang, "reject-with-reasons").into(),
                ),
            ])
    };
    match status {
        Status::Assessed => vec![
            choose(("approve", crate::t(lang, "approve"))),
            FormField::new("note", crate::t(lang, "note-or-reasons"), "text")
                .hint(crate::t(lang, "note-hint")),
        ],
        Status::Approved => {
            let price = if item.is_some_and(|i| i.mode == Mode::Cash) {
                crate::t(lang, "invoice-yuan")
            } else {
                crate::t(lang, "price-yuan")
            };
            vec![
                date_field("fitted_on", crate::t(lang, "fitted-on"), lang),
                FormField::new("price_yuan", price, "text")
                    .required()
                    .hint(crate::t(lang, "price-hint")),
            ]
        }
        Status::Fitted => vec![
            date_field("followed_on", crate::t(lang, "followed-on"), lang),
            FormField::new("note", crate::t(lang, "followup-note"), "text")
                .required()
                .hint(crate::t(lang, "followup-hint")),
        ],
        _ => vec![],
    }
}

async fn terms(
    state: &AppState,
    caller: &PageCaller,
    area: &zhucan_domain::AreaCode,
) -> Result<Result<Terms, String>, PageError> {
    let policy = state.store.policy().await.or_page(caller)?;
    Ok(Terms::resolve(&policy, area, today()).map_err(|k| {
        crate::tf(
            caller.lang,
            "parameter-not-set",
            &[("p", k.label(caller.lang).to_string().into())],
        )
    }))
}

async fn case_page(
    state: &AppState,
    caller: &PageCaller,
    id: &str,
    posted: Option<&Submission>,
) -> PageResult {
    let lang = caller.lang;
    if !SeesDevices::held_by(&caller.user) {
        return Err(PageError::forbidden(caller));
    }
    let c = state
        .store
        .device_case(id)
        .await
        .or_page(caller)?
        .ok_or_else(|| PageError::not_found(caller))?;
    let (file, writes) = file_of(state, caller, &c.citizen_id).await?;
    let item = state.store.device_item(&c.item_key).await.or_page(caller)?;
    let mut fields = if writes {
        step_fields(lang, c.status, item.as_ref())
    } else {
        vec![]
    };
    let mut form_hint = String::new();
    if writes && c.status == Status::Approved {
        let snap = state.facts.snapshot().await.or_page(caller)?;
        let status = snap.economic_on(&c.citizen_id, today());
        form_hint = match terms(state, caller, file.person.home_area()).await? {
            Ok(t) => t.basis(status, lang),
            Err(m) => m,
        };
    }
    let errors = posted.map(|s| s.apply(&mut fields)).unwrap_or_default();
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "devices.read",
        c.citizen_id.as_str(),
        "ok",
        serde_json::json!({"case": id}),
    ));
    let view = CasePage {
        c: chrome(
            Some(caller),
            lang,
            &format!("/devices/cases/{id}"),
            "devices",
            crate::t(lang, "device-case"),
        ),
        id: c.id.clone(),
        application: c.application_id.clone(),
        name: file.person.name.clone(),
        masked_id: c.citizen_id.masked(),
        handle: file.handle.clone(),
        category: format!(
            "{}{}",
            file.certificate.category.label(lang),
            file.certificate.grade.label(lang)
        ),
        item: item
            .as_ref()
            .map(|i| i.label(lang).to_string())
            .unwrap_or_else(|| c.item_key.clone()),
        mode: item
            .as_ref()
            .map(|i| i.mode.label(lang).to_string())
            .unwrap_or_default(),
        cap: item.as_ref().map(|i| yuan(i.cap_fen)).unwrap_or_default(),
        status: c.status.label(lang).to_string(),
        assessed_on: c.assessed_on.to_string(),
        assessment: c.assessment.clone(),
        decision_note: c.decision_note.clone().unwrap_or_default(),
        fitted_on: c.fitted_on.map(|d| d.to_string()).unwrap_or_default(),
        invoice: c.invoice_fen.map(yuan).unwrap_or_default(),
        subsidy: c.subsidy_fen.map(yuan).unwrap_or_default(),
        basis: c.ratio_basis.clone().unwrap_or_default(),
        followup_due: c.followup_due.map(|d| d.to_string()).unwrap_or_default(),
        late: c.status == Status::Fitted && c.followup_due.is_some_and(|d| d < today()),
        followed_on: c.followed_on.map(|d| d.to_string()).unwrap_or_default(),
        followup_note: c.followup_note.clone().unwrap_or_default(),
        form_hint,
        fields,
        errors: errors.clone(),
    };
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(code, &view))
}

/// `GET /devices/cases/{id}`.
pub async fn case(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> PageResult {
    case_page(&state, &caller, &id, None).await
}

pub(crate) fn stale(caller: &PageCaller) -> PageError {
    PageError::message(
        caller,
        StatusCode::CONFLICT,
        "这一步已由他人办理，请刷新后再看。",
        "Someone else has done this step; reload the page.",
    )
}

/// `POST /devices/cases/{id}/act`: the form of the case's step.
pub async fn act(
    State(state): State<AppState>,
    caller: Holds<ActsOnDevices>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let c = state
        .store
        .device_case(&id)
        .await
        .or_page(&caller)?
        .ok_or_else(|| PageError::not_found(&caller))?;
    let (file, writes) = file_of(&state, &caller, &c.citizen_id).await?;
    if !writes {
        return Err(PageError::not_found(&caller));
    }
    let item = state
        .store
        .device_item(&c.item_key)
        .await
        .or_page(&caller)?
        .ok_or_else(|| PageError::not_found(&caller))?;
    let mut sub = Submission::new(form);
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    let linked_app = match c.application_id.as_deref() {
        Some(a) => state.store.application(a).await.or_page(&caller)?,
        None => None,
    };
    let linked_def = match &linked_app {
        Some(_) => state
            .store
            .service(SERVICE)
            .await
            .or_page(&caller)?
            .map(|(d, _)| d),
        None => None,
    };
    let linked = match (&linked_app, &linked_def) {
        (Some(app), Some(def)) => Some(Linked { app, def }),
        _ => None,
    };
    let note = sub.get("note").to_string();
    if note.chars().count() > 300 {
        sub.fail("note", crate::t(lang, "at-most-300-characters").into());
    }
    let done = match c.status {
        Status::Assessed => {
            let action = sub.get("action").to_string();
            match action.as_str() {
                "approve" => {}
                "reject" if note.is_empty() => sub.fail("note", crate::t(lang, "say-why").into()),
                "reject" => {}
                "" => sub.fail("action", crate::t(lang, "is-required").into()),
                v => sub.fail(
                    "action",
                    crate::tf(lang, "not-a-choice", &[("v", v.to_string().into())]),
                ),
            }
            if !sub.errors.is_empty() {
                return case_page(&state, &caller, &id, Some(&sub)).await;
            }
            let approve = action == "approve";
            let audit = audit_event(
                &caller.user,
                &caller.client,
                if approve {
                    "devices.approve"
                } else {
                    "devices.reject"
                },
                c.citizen_id.as_str(),
                "ok",
                serde_json::json!({"case": id, "note": note}),
            );
            state
                .store
                .decide_device_case(&c, approve, &note, linked.as_ref(), &actor, &audit)
                .await
                .or_page(&caller)?
        }
        Status::Approved => {
            let on = past_date(&mut sub, "fitted_on", today(), lang);
            if let Some(d) = on {
                if d < c.assessed_on {
                    sub.fail(
                        "fitted_on",
                        crate::tf(
                            lang,
                            "before-the-assessment",
                            &[
                                ("v", d.to_string().into()),
                                ("from", c.assessed_on.to_string().into()),
                            ],
                        ),
                    );
                }
                check_present(&mut sub, "fitted_on", &file, d, lang);
            }
            let raw = sub.get("price_yuan").to_string();
            let price = parse_yuan_to_fen(&raw)
                .ok()
                .filter(|f| *f > 0 && *f <= 100_000_000);
            if price.is_none() {
                sub.fail(
                    "price_yuan",
                    crate::tf(lang, "not-an-amount", &[("v", raw.into())]),
                );
            }
            let t = match terms(&state, &caller, file.person.home_area()).await? {
                Ok(t) => Some(t),
                Err(m) => {
                    sub.fail("price_yuan", m);
                    None
                }
            };
            let (Some(on), Some(price), Some(t), true) = (on, price, t, sub.errors.is_empty())
            else {
                return case_page(&state, &caller, &id, Some(&sub)).await;
            };
            let snap = state.facts.snapshot().await.or_page(&caller)?;
            let status = snap.economic_on(&c.citizen_id, on);
            let f = Fitting {
                fitted_on: on,
                mode: item.mode,
                invoice_fen: Some(price),
                subsidy_fen: t.subsidy_fen(&item, status, price),
                basis: t.basis(status, Lang::Zh),
                followup_due: rules::due_after(on, item.followup_days),
            };
            let audit = audit_event(
                &caller.user,
                &caller.client,
                "devices.fit",
                c.citizen_id.as_str(),
                "ok",
                serde_json::json!({"case": id, "fitted_on": on, "mode": item.mode.key(), "price_fen": price, "subsidy_fen": f.subsidy_fen, "basis": f.basis}),
            );
            state
                .store
                .fit_device(&c, &f, &item.label, linked.as_ref(), &actor, &audit)
                .await
                .or_page(&caller)?
        }
        Status::Fitted => {
            let on = past_date(&mut sub, "followed_on", today(), lang);
            if let (Some(d), Some(f)) = (on, c.fitted_on)
                && d < f
            {
                sub.fail(
                    "followed_on",
                    crate::tf(
                        lang,
                        "before-the-fitting",
                        &[("v", d.to_string().into()), ("from", f.to_string().into())],
                    ),
                );
            }
            if note.is_empty() {
                sub.fail("note", crate::t(lang, "is-required").into());
            }
            let (Some(on), true) = (on, sub.errors.is_empty()) else {
                return case_page(&state, &caller, &id, Some(&sub)).await;
            };
            let audit = audit_event(
                &caller.user,
                &caller.client,
                "devices.follow_up",
                c.citizen_id.as_str(),
                "ok",
                serde_json::json!({"case": id, "followed_on": on, "note": note}),
            );
            state
                .store
                .follow_up_device(&c, on, &note, &actor, &audit)
                .await
                .or_page(&caller)?
        }
        _ => false,
    };
    if !done {
        return Err(stale(&caller));
    }
    if c.status == Status::Approved {
        zhucan_service::notify::notify(
            &state.store,
            &c.citizen_id,
            &format!("您的{}已适配", item.label),
            "辅助器具已为您适配。工作人员会回访使用情况。",
            "/me",
        )
        .await;
    }
    Ok(Redirect::to(&format!("/devices/cases/{id}")).into_response())
}

// ---------------------------------------------------------------- loans

/// `POST /devices/loans`: lends an item of the stock.
pub async fn lend(
    State(state): State<AppState>,
    caller: Holds<ActsOnDevices>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let mut sub = Submission::new(form);
    let file = typed_person(&state, &caller, &mut sub, "l_citizen_id").await?;
    match lend_checked(&state, &caller, &mut sub, file, None).await? {
        Some(id) => Ok(Redirect::to(&format!("/devices/loans/{id}")).into_response()),
        None => overview_page(&state, &caller, Some(OverviewPosted::Lend(&sub))).await,
    }
}

/// Checks the rest of a lend form (the item `l_code`, of `point` when given, and the day
/// `l_lent_on`) for the borrower `file` already looked up, and lends: the loan's id, or
/// `None` with the problems in `sub` and nothing written.
pub(crate) async fn lend_checked(
    state: &AppState,
    caller: &PageCaller,
    sub: &mut Submission,
    file: Option<PersonFile>,
    point: Option<&str>,
) -> Result<Option<String>, PageError> {
    let lang = caller.lang;
    let code = sub.get("l_code").to_string();
    let stock = if code.is_empty() {
        sub.fail("l_code", crate::t(lang, "is-required").into());
        None
    } else {
        let s = state
            .store
            .stock_item(&code)
            .await
            .or_page(caller)?
            .filter(|s| point.is_none_or(|p| p == s.point_id));
        if s.is_none() {
            sub.fail(
                "l_code",
                crate::tf(lang, "not-a-stock-item", &[("v", code.clone().into())]),
            );
        }
        s
    };
    let item = match &stock {
        Some(s) => state.store.device_item(&s.item_key).await.or_page(caller)?,
        None => None,
    };
    let on = past_date(sub, "l_lent_on", today(), lang);
    if let (Some(f), Some(d)) = (&file, on) {
        check_present(sub, "l_lent_on", f, d, lang);
    }
    let (Some(file), Some(stock), Some(item), Some(on), true) =
        (file, stock, item, on, sub.errors.is_empty())
    else {
        return Ok(None);
    };
    let l = Loan {
        id: String::new(),
        code: stock.code.clone(),
        citizen_id: file.person.citizen_id.clone(),
        area_code: file.person.home_area().to_string(),
        lent_on: on,
        due_on: rules::due_after(on, item.loan_days.max(1)),
        returned_on: None,
        renewals: 0,
        return_condition: None,
        reminded_on: None,
        lent_by: caller.user.username.clone(),
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "devices.lend",
        l.citizen_id.as_str(),
        "ok",
        serde_json::json!({"code": l.code, "item": item.key, "point": stock.point_id, "lent_on": on, "due_on": l.due_on}),
    );
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    match state
        .store
        .lend(&l, &item.label, &actor, &audit)
        .await
        .or_page(caller)?
    {
        Lent::Done(id) => Ok(Some(id)),
        Lent::NotAvailable => {
            sub.fail(
                "l_code",
                crate::tf(lang, "not-available", &[("v", code.into())]),
            );
            Ok(None)
        }
    }
}

#[derive(Template)]
#[template(path = "devices_loan.html")]
struct LoanPage {
    c: Chrome,
    id: String,
    name: String,
    masked_id: String,
    handle: String,
    code: String,
    item: String,
    point: String,
    lent_on: String,
    due_on: String,
    overdue: bool,
    renewals: String,
    returned_on: String,
    return_condition: String,
    reminded_on: String,
    can_renew: bool,
    renew_fields: Vec<FormField>,
    can_return: bool,
    return_fields: Vec<FormField>,
    errors: Vec<(String, String)>,
}

enum LoanPosted<'a> {
    Renew(&'a Submission),
    Return(&'a Submission),
}

async fn loan_page(
    state: &AppState,
    caller: &PageCaller,
    id: &str,
    posted: Option<LoanPosted<'_>>,
) -> PageResult {
    let lang = caller.lang;
    let (l, stock, file, writes, staff) = loan_of(state, caller, id).await?;
    let (_, anames) = area_names(state).await.or_page(caller)?;
    let item = match &stock {
        Some(s) => state.store.device_item(&s.item_key).await.or_page(caller)?,
        None => None,
    };
    let max = item.as_ref().map(|i| i.max_renewals).unwrap_or(0);
    let out = l.returned_on.is_none();
    let mut rf = vec![
        FormField::new("days", crate::t(lang, "renew-days"), "text")
            .required()
            .hint(crate::t(lang, "renew-days-hint")),
    ];
    if let Some(i) = &item {
        rf[0].value = i.loan_days.to_string();
    }
    let mut bf = vec![
        date_field("returned_on", crate::t(lang, "returned-on"), lang),
        FormField::new("condition", crate::t(lang, "condition"), "select")
            .required()
            .options(enum_options(
                Condition::ALL,
                Condition::key,
                |c| c.label(lang).to_string(),
                Some(crate::t(lang, "choose")),
            )),
    ];
    let errors = match posted {
        Some(LoanPosted::Renew(s)) => s.apply(&mut rf),
        Some(LoanPosted::Return(s)) => s.apply(&mut bf),
        None => vec![],
    };
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "devices.read",
        l.citizen_id.as_str(),
        "ok",
        serde_json::json!({"loan": id}),
    ));
    let view = LoanPage {
        c: chrome(
            Some(caller),
            lang,
            &format!("/devices/loans/{id}"),
            "devices",
            crate::t(lang, "device-loan"),
        ),
        id: l.id.clone(),
        name: file.person.name.clone(),
        masked_id: l.citizen_id.masked(),
        handle: if staff {
            file.handle.clone()
        } else {
            String::new()
        },
        code: l.code.clone(),
        item: item
            .as_ref()
            .map(|i| i.label(lang).to_string())
            .unwrap_or_default(),
        point: stock
            .as_ref()
            .map(|s| point_label(&s.point_id, &anames))
            .unwrap_or_default(),
        lent_on: l.lent_on.to_string(),
        due_on: l.due_on.to_string(),
        overdue: rules::overdue(l.due_on, l.returned_on, today()),
        renewals: format!("{} / {max}", l.renewals),
        returned_on: l.returned_on.map(|d| d.to_string()).unwrap_or_default(),
        return_condition: l
            .return_condition
            .map(|c| c.label(lang).to_string())
            .unwrap_or_default(),
        reminded_on: l.reminded_on.map(|d| d.to_string()).unwrap_or_default(),
        can_renew: writes && out && l.renewals < max,
        renew_fields: rf,
        can_return: writes && out,
        return_fields: bf,
        errors: errors.clone(),
    };
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(code, &view))
}

/// `GET /devices/loans/{id}`.
pub async fn loan(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> PageResult {
    loan_page(&state, &caller, &id, None).await
}

/// A loan with its stock item and the borrower's file, for a reader: staff within the
/// borrower's area (403/404 otherwise), or the account of the service point the item belongs
/// to (404 for any other item, so an id tells nothing). Also whether the reader may change it,
/// and whether it is staff (who may open the person's file).
async fn loan_of(
    state: &AppState,
    caller: &PageCaller,
    id: &str,
) -> Result<(Loan, Option<StockItem>, PersonFile, bool, bool), PageError> {
    let confined = caller.user.role.confined();
    if !confined && !SeesDevices::held_by(&caller.user) {
        return Err(PageError::forbidden(caller));
    }
    let l = state
        .store
        .loan(id)
        .await
        .or_page(caller)?
        .ok_or_else(|| PageError::not_found(caller))?;
    let stock = state.store.stock_item(&l.code).await.or_page(caller)?;
    if confined {
        let point = crate::point::point_of(state, caller).await?;
        if point.is_none() || stock.as_ref().map(|s| &s.point_id) != point.as_ref() {
            return Err(PageError::not_found(caller));
        }
        let file = crate::point::borrower_file(state, caller, &l.citizen_id)
            .await?
            .ok_or_else(|| PageError::not_found(caller))?;
        return Ok((l, stock, file, true, false));
    }
    let (file, writes) = file_of(state, caller, &l.citizen_id).await?;
    Ok((l, stock, file, writes, true))
}

/// The loan, its item and label, for a change by staff of the borrower's area or by the
/// item's service point.
async fn loan_for_change(
    state: &AppState,
    caller: &PageCaller,
    id: &str,
) -> Result<(Loan, Item), PageError> {
    let (l, stock, _, writes, _) = loan_of(state, caller, id).await?;
    if !writes {
        return Err(PageError::not_found(caller));
    }
    if l.returned_on.is_some() {
        return Err(PageError::message(
            caller,
            StatusCode::CONFLICT,
            "这件辅具已归还。",
            "This item has been returned.",
        ));
    }
    let item = match stock {
        Some(s) => state.store.device_item(&s.item_key).await.or_page(caller)?,
        None => None,
    }
    .ok_or_else(|| PageError::not_found(caller))?;
    Ok((l, item))
}

/// `POST /devices/loans/{id}/renew`: extends the due date (at most the item's renewals).
pub async fn renew(
    State(state): State<AppState>,
    caller: Holds<LendsItems>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let (l, item) = loan_for_change(&state, &caller, &id).await?;
    let mut sub = Submission::new(form);
    if l.renewals >= item.max_renewals {
        return Err(PageError::message(
            &caller,
            StatusCode::CONFLICT,
            &format!("已续借 {} 次，不能再续借，请归还。", l.renewals),
            &format!(
                "renewed {} times already: no more renewals; return it",
                l.renewals
            ),
        ));
    }
    let raw = sub.get("days").to_string();
    let days = raw
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=item.loan_days.max(1)).contains(d));
    let Some(days) = days else {
        sub.fail(
            "days",
            crate::tf(
                lang,
                "not-renew-days",
                &[("v", raw.into()), ("max", item.loan_days.max(1).into())],
            ),
        );
        return loan_page(&state, &caller, &id, Some(LoanPosted::Renew(&sub))).await;
    };
    let due: NaiveDate = rules::due_after(l.due_on.max(today()), days);
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "devices.renew",
        l.citizen_id.as_str(),
        "ok",
        serde_json::json!({"loan": id, "old_due": l.due_on, "due_on": due, "renewal": l.renewals + 1}),
    );
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    if !state
        .store
        .renew(&l, due, &item.label, &actor, &audit)
        .await
        .or_page(&caller)?
    {
        return Err(stale(&caller));
    }
    Ok(Redirect::to(&format!("/devices/loans/{id}")).into_response())
}

/// `POST /devices/loans/{id}/return`: takes the item back, with its condition.
pub async fn give_back(
    State(state): State<AppState>,
    caller: Holds<LendsItems>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let (l, item) = loan_for_change(&state, &caller, &id).await?;
    let mut sub = Submission::new(form);
    let on = past_date(&mut sub, "returned_on", today(), lang);
    if let Some(d) = on
        && d < l.lent_on
    {
        sub.fail(
            "returned_on",
            crate::tf(
                lang,
                "before-the-loan",
                &[
                    ("v", d.to_string().into()),
                    ("from", l.lent_on.to_string().into()),
                ],
            ),
        );
    }
    let condition = sub.required_choice("condition", Condition::parse, lang);
    let (Some(on), Some(condition), true) = (on, condition, sub.errors.is_empty()) else {
        return loan_page(&state, &caller, &id, Some(LoanPosted::Return(&sub))).await;
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "devices.return",
        l.citizen_id.as_str(),
        "ok",
        serde_json::json!({"loan": id, "returned_on": on, "condition": condition.key()}),
    );
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    if !state
        .store
        .return_loan(&l, on, condition, &item.label, &actor, &audit)
        .await
        .or_page(&caller)?
    {
        return Err(stale(&caller));
    }
    Ok(Redirect::to(&format!("/devices/loans/{id}")).into_response())
}

// ---------------------------------------------------------------- the stock

struct PointRow {
    point: String,
    total: usize,
    available: usize,
    on_loan: usize,
    repair: usize,
    retired: usize,
    utilisation: String,
}

struct StockRow {
    code: String,
    point: String,
    item: String,
    condition: String,
    loan: Option<(String, String, bool)>,
    note: String,
}

#[derive(Template)]
#[template(path = "devices_stock.html")]
struct StockPage {
    c: Chrome,
    points: Vec<PointRow>,
    rows: Vec<StockRow>,
    can_add: bool,
    add_fields: Vec<FormField>,
    can_mark: bool,
    mark_fields: Vec<FormField>,
    errors: Vec<(String, String)>,
}

enum StockPosted<'a> {
    Add(&'a Submission),
    Mark(&'a Submission),
}

async fn stock_page(
    state: &AppState,
    caller: &PageCaller,
    posted: Option<StockPosted<'_>>,
) -> PageResult {
    let lang = caller.lang;
    let (_, anames) = area_names(state).await.or_page(caller)?;
    let items = state.store.device_items().await.or_page(caller)?;
    let stock = state.store.stock().await.or_page(caller)?;
    let open: HashMap<String, Loan> = state
        .store
        .open_loans()
        .await
        .or_page(caller)?
        .into_iter()
        .map(|l| (l.code.clone(), l))
        .collect();
    let day = today();
    let mut points: Vec<PointRow> = Vec::new();
    let mut ids: Vec<&str> = stock.iter().map(|s| s.point_id.as_str()).collect();
    ids.dedup();
    for p in ids {
        let of: Vec<&StockItem> = stock.iter().filter(|s| s.point_id == p).collect();
        let on_loan = of.iter().filter(|s| open.contains_key(&s.code)).count();
        let retired = of
            .iter()
            .filter(|s| s.condition == Condition::Retired)
            .count();
        let repair = of
            .iter()
            .filter(|s| s.condition == Condition::Repair)
            .count();
        let usable = of.len().saturating_sub(retired);
        points.push(PointRow {
            point: point_label(p, &anames),
            total: of.len(),
            available: usable.saturating_sub(repair).saturating_sub(on_loan),
            on_loan,
            repair,
            retired,
            utilisation: if usable == 0 {
                "—".into()
            } else {
                format!("{:.0}%", on_loan as f64 * 100.0 / usable as f64)
            },
        });
    }
    let rows = stock
        .iter()
        .map(|s| StockRow {
            code: s.code.clone(),
            point: point_label(&s.point_id, &anames),
            item: item_label(&items, &s.item_key, lang),
            condition: s.condition.label(lang).to_string(),
            loan: open.get(&s.code).map(|l| {
                (
                    l.id.clone(),
                    keep_numbers_whole(l.due_on),
                    rules::overdue(l.due_on, None, day),
                )
            }),
            note: s.note.clone(),
        })
        .collect();
    let institutions = state.store.institutions().await.or_page(caller)?;
    let mut point_opts = vec![(String::new(), crate::t(lang, "choose").to_string())];
    point_opts.extend(
        institutions
            .iter()
            .filter(|i| i.kind == InstitutionKind::DeviceService && i.closed_on.is_none())
            .map(|i| {
                (
                    format!("{}/{}", i.township, i.name),
                    format!("{}（{}）", i.name, anames.of(&i.township)),
                )
            }),
    );
    let mut item_opts = vec![(String::new(), crate::t(lang, "choose").to_string())];
    item_opts.extend(
        items
            .iter()
            .filter(|i| i.loanable)
            .map(|i| (i.key.clone(), i.label(lang).to_string())),
    );
    let mut af = vec![
        FormField::new("s_code", crate::t(lang, "stock-code"), "text")
            .required()
            .hint(crate::t(lang, "stock-code-hint")),
        FormField::new("s_point", crate::t(lang, "service-point"), "select")
            .required()
            .options(point_opts),
        FormField::new("s_item", crate::t(lang, "device"), "select")
            .required()
            .options(item_opts),
    ];
    let mut mf = vec![
        FormField::new("k_code", crate::t(lang, "stock-code"), "text").required(),
        FormField::new("k_condition", crate::t(lang, "condition"), "select")
            .required()
            .options(enum_options(
                Condition::ALL,
                Condition::key,
                |c| c.label(lang).to_string(),
                Some(crate::t(lang, "choose")),
            )),
        FormField::new("k_note", crate::t(lang, "note"), "text")
            .hint(crate::t(lang, "repair-hint")),
    ];
    let errors = match posted {
        Some(StockPosted::Add(s)) => s.apply(&mut af),
        Some(StockPosted::Mark(s)) => s.apply(&mut mf),
        None => vec![],
    };
    let view = StockPage {
        c: chrome(
            Some(caller),
            lang,
            "/devices/stock",
            "devices",
            crate::t(lang, "stock"),
        ),
        points,
        rows,
        can_add: KeepsStock::held_by(&caller.user),
        add_fields: af,
        can_mark: ActsOnDevices::held_by(&caller.user),
        mark_fields: mf,
        errors: errors.clone(),
    };
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(code, &view))
}

/// `GET /devices/stock`: the stock of every service point and its utilisation.
pub async fn stock(State(state): State<AppState>, caller: Holds<SeesDevices>) -> PageResult {
    stock_page(&state, &caller, None).await
}

/// `POST /devices/stock`: adds an item to a service point's stock.
pub async fn add_stock(
    State(state): State<AppState>,
    caller: Holds<KeepsStock>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let mut sub = Submission::new(form);
    let code = sub.get("s_code").to_string();
    let valid = !code.is_empty()
        && code.chars().count() <= 40
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
    if !valid {
        sub.fail(
            "s_code",
            crate::tf(lang, "not-a-stock-code", &[("v", code.clone().into())]),
        );
    }
    let point = sub.get("s_point").to_string();
    let known = state
        .store
        .institutions()
        .await
        .or_page(&caller)?
        .iter()
        .any(|i| {
            i.kind == InstitutionKind::DeviceService
                && i.closed_on.is_none()
                && format!("{}/{}", i.township, i.name) == point
        });
    if !known {
        sub.fail(
            "s_point",
            crate::tf(lang, "not-a-service-point", &[("v", point.clone().into())]),
        );
    }
    let key = sub.get("s_item").to_string();
    let item = state.store.device_item(&key).await.or_page(&caller)?;
    if !item.as_ref().is_some_and(|i| i.loanable) {
        sub.fail(
            "s_item",
            crate::tf(lang, "not-a-loanable-device", &[("v", key.clone().into())]),
        );
    }
    if !sub.errors.is_empty() {
        return stock_page(&state, &caller, Some(StockPosted::Add(&sub))).await;
    }
    let s = StockItem {
        code: code.clone(),
        point_id: point,
        item_key: key,
        condition: Condition::Good,
        note: String::new(),
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "devices.stock.add",
        &code,
        "ok",
        serde_json::json!({"point": s.point_id, "item": s.item_key}),
    );
    if !state
        .store
        .add_stock(&s, &caller.user.username, &audit)
        .await
        .or_page(&caller)?
    {
        sub.fail(
            "s_code",
            crate::tf(lang, "stock-code-taken", &[("v", code.into())]),
        );
        return stock_page(&state, &caller, Some(StockPosted::Add(&sub))).await;
    }
    Ok(Redirect::to("/devices/stock").into_response())
}

/// `POST /devices/stock/condition`: an item to repair, back from repair, or retired.
pub async fn condition(
    State(state): State<AppState>,
    caller: Holds<ActsOnDevices>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let mut sub = Submission::new(form);
    let code = sub.get("k_code").to_string();
    let old = state.store.stock_item(&code).await.or_page(&caller)?;
    if old.is_none() {
        sub.fail(
            "k_code",
            crate::tf(lang, "not-a-stock-item", &[("v", code.clone().into())]),
        );
    }
    let cond = sub.required_choice("k_condition", Condition::parse, lang);
    let note = sub.get("k_note").to_string();
    if note.chars().count() > 200 {
        sub.fail("k_note", crate::t(lang, "at-most-200-characters").into());
    }
    let (Some(old), Some(cond), true) = (old, cond, sub.errors.is_empty()) else {
        return stock_page(&state, &caller, Some(StockPosted::Mark(&sub))).await;
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "devices.stock.condition",
        &code,
        "ok",
        serde_json::json!({"old": old.condition.key(), "new": cond.key(), "note": note}),
    );
    if !state
        .store
        .set_condition(&code, cond, &note, &audit)
        .await
        .or_page(&caller)?
    {
        sub.fail("k_code", crate::t(lang, "on-loan-now").into());
        return stock_page(&state, &caller, Some(StockPosted::Mark(&sub))).await;
    }
    Ok(Redirect::to("/devices/stock").into_response())
}

// ---------------------------------------------------------------- the export

/// `POST /devices/export`: the area's cases and loans as a workbook (masked IDs), audited;
/// a long list needs its purpose stated.
pub async fn export(
    State(state): State<AppState>,
    caller: Holds<ExportsPersons>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    if !SeesDevices::held_by(&caller.user) {
        return Err(PageError::forbidden(&caller));
    }
    let area = area_of(&caller)?;
    let items = state.store.device_items().await.or_page(&caller)?;
    let cases = state
        .store
        .device_cases_in(area.as_str())
        .await
        .or_page(&caller)?;
    let loans = state.store.loans_in(area.as_str()).await.or_page(&caller)?;
    let threshold = state.policy().await.export_purpose_rows;
    let purpose = match zhucan_web::purpose::check_purpose(
        lang,
        form.get("purpose").map(String::as_str),
        cases.len() + loans.len(),
        threshold,
    ) {
        Ok(p) => p,
        Err(message) => {
            return Err(PageError::message(
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                &message,
                &message,
            ));
        }
    };
    let stock: HashMap<String, StockItem> = state
        .store
        .stock()
        .await
        .or_page(&caller)?
        .into_iter()
        .map(|s| (s.code.clone(), s))
        .collect();
    let mut ids: Vec<CitizenId> = cases.iter().map(|c| c.citizen_id.clone()).collect();
    ids.extend(loans.iter().map(|l| l.citizen_id.clone()));
    let names = names_of(&state, &caller, &ids).await?;
    let day = today();
    let heads = [
        crate::t(lang, "kind"),
        crate::t(lang, "name"),
        crate::t(lang, "citizen-id"),
        crate::t(lang, "device"),
        crate::t(lang, "status"),
        crate::t(lang, "assessed-on"),
        crate::t(lang, "fitted-on"),
        crate::t(lang, "subsidy-yuan"),
        crate::t(lang, "followup-due"),
        crate::t(lang, "stock-code"),
        crate::t(lang, "lent-on"),
        crate::t(lang, "due-on"),
        crate::t(lang, "returned-on"),
        crate::t(lang, "overdue"),
    ];
    let d = |x: Option<NaiveDate>| x.map(|d| d.to_string()).unwrap_or_default();
    let mut rows: Vec<Vec<String>> = cases
        .iter()
        .map(|c| {
            vec![
                crate::t(lang, "device-case").to_string(),
                names
                    .get(c.citizen_id.as_str())
                    .cloned()
                    .unwrap_or_default(),
                c.citizen_id.masked(),
                item_label(&items, &c.item_key, lang),
                c.status.label(lang).to_string(),
                c.assessed_on.to_string(),
                d(c.fitted_on),
                c.subsidy_fen.map(yuan).unwrap_or_default(),
                d(c.followup_due),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]
        })
        .collect();
    rows.extend(loans.iter().map(|l| {
        let overdue = rules::overdue(l.due_on, l.returned_on, day);
        vec![
            crate::t(lang, "device-loan").to_string(),
            names
                .get(l.citizen_id.as_str())
                .cloned()
                .unwrap_or_default(),
            l.citizen_id.masked(),
            stock
                .get(&l.code)
                .map(|s| item_label(&items, &s.item_key, lang))
                .unwrap_or_default(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            l.code.clone(),
            l.lent_on.to_string(),
            l.due_on.to_string(),
            d(l.returned_on),
            if overdue {
                crate::t(lang, "overdue").to_string()
            } else {
                String::new()
            },
        ]
    }));
    let title = format!("{} · {}", crate::t(lang, "devices"), area.as_str());
    let Ok(bytes) = zhucan_web::xlsx::list_xlsx(&title, &heads, &rows) else {
        return Err(PageError::message(
            &caller,
            StatusCode::INTERNAL_SERVER_ERROR,
            "工作簿生成失败",
            "the workbook could not be written",
        ));
    };
    zhucan_web::trail::record(
        &state.store,
        audit_event(
            &caller.user,
            &caller.client,
            "devices.export",
            area.as_str(),
            "ok",
            serde_json::json!({"rows": rows.len(), "purpose": purpose}),
        ),
    )
    .await;
    Ok(zhucan_web::xlsx::download(
        &format!("devices-{}.xlsx", area.as_str()),
        bytes,
    ))
}

// ---------------------------------------------------------------- the catalogue

/// Changes the catalogue's terms (the district administrator, as the stock).
#[derive(Debug, Clone, Copy)]
pub struct KeepsCatalogue;

impl Right for KeepsCatalogue {
    fn held_by(user: &User) -> bool {
        KeepsStock::held_by(user)
    }
}

struct CatalogueRow {
    key: String,
    label: String,
    category: String,
    suits: String,
    mode: String,
    cap: String,
    loan: String,
    followup_days: i64,
    active: bool,
}

#[derive(Template)]
#[template(path = "devices_catalogue.html")]
struct CataloguePage {
    c: Chrome,
    rows: Vec<CatalogueRow>,
    can_edit: bool,
    fields: Vec<FormField>,
    new_fields: Vec<FormField>,
    errors: Vec<(String, String)>,
}

fn terms_fields(lang: Lang, items: &[(Item, bool)]) -> Vec<FormField> {
    let mut opts = vec![(String::new(), crate::t(lang, "choose").to_string())];
    opts.extend(
        items
            .iter()
            .map(|(i, _)| (i.key.clone(), i.label(lang).to_string())),
    );
    vec![
        FormField::new("i_item", crate::t(lang, "device"), "select")
            .required()
            .options(opts),
        FormField::new("i_cap_yuan", crate::t(lang, "cap"), "text").required(),
        FormField::new("i_loan_days", crate::t(lang, "loan-days"), "text")
            .required()
            .hint(crate::t(lang, "loan-days-hint")),
        FormField::new("i_max_renewals", crate::t(lang, "max-renewals"), "text").required(),
        FormField::new("i_followup_days", crate::t(lang, "followup-days"), "text").required(),
        FormField::new("i_active", crate::t(lang, "offered"), "select")
            .required()
            .options(
                std::iter::once((String::new(), crate::t(lang, "choose").to_string()))
                    .chain(zhucan_web::forms::yes_no_options(lang))
                    .collect(),
            ),
    ]
}

/// The form of a new catalogue item.
fn new_item_fields(lang: Lang) -> Vec<FormField> {
    let choose = crate::t(lang, "choose");
    vec![
        FormField::new("n_key", crate::t(lang, "item-key"), "text")
            .required()
            .hint(crate::t(lang, "item-key-hint")),
        FormField::new("n_label", crate::t(lang, "item-label"), "text").required(),
        FormField::new("n_label_en", crate::t(lang, "item-label-en"), "text").required(),
        FormField::new("n_kind", crate::t(lang, "item-category"), "select")
            .required()
            .options(enum_options(
                rules::Kind::ALL,
                rules::Kind::key,
                |k| k.label(lang).to_string(),
                Some(choose),
            )),
        FormField::new("n_suits", crate::t(lang, "suits"), "text")
            .hint(crate::t(lang, "suits-hint")),
        FormField::new("n_mode", crate::t(lang, "item-mode"), "select")
            .required()
            .options(enum_options(
                Mode::ALL,
                Mode::key,
                |m| m.label(lang).to_string(),
                Some(choose),
            )),
        FormField::new("n_cap_yuan", crate::t(lang, "cap"), "text").required(),
        FormField::new("n_loan_days", crate::t(lang, "loan-days"), "text")
            .required()
            .hint(crate::t(lang, "loan-days-hint")),
        FormField::new("n_max_renewals", crate::t(lang, "max-renewals"), "text").required(),
        FormField::new("n_followup_days", crate::t(lang, "followup-days"), "text").required(),
    ]
}

/// Which catalogue form was posted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CatalogueForm {
    Terms,
    New,
}

async fn catalogue_page(
    state: &AppState,
    caller: &PageCaller,
    posted: Option<(&Submission, CatalogueForm)>,
) -> PageResult {
    let lang = caller.lang;
    let items = state.store.device_catalogue().await.or_page(caller)?;
    let mut fields = terms_fields(lang, &items);
    let mut new_fields = new_item_fields(lang);
    let errors = match posted {
        Some((s, CatalogueForm::Terms)) => s.apply(&mut fields),
        Some((s, CatalogueForm::New)) => s.apply(&mut new_fields),
        None => Vec::new(),
    };
    let view = CataloguePage {
        c: chrome(
            Some(caller),
            lang,
            "/devices/catalogue",
            "devices",
            crate::t(lang, "catalogue"),
        ),
        rows: items
            .iter()
            .map(|(i, active)| CatalogueRow {
                key: i.key.clone(),
                label: i.label(lang).to_string(),
                category: rules::Kind::parse(&i.category)
                    .map(|k| k.label(lang).to_string())
                    .unwrap_or_else(|| i.category.clone()),
                suits: if i.disabilities.is_empty() {
                    crate::t(lang, "any-category").to_string()
                } else {
                    i.disabilities
                        .iter()
                        .map(|c| c.label(lang))
                        .collect::<Vec<_>>()
                        .join("、")
                },
                mode: i.mode.label(lang).to_string(),
                cap: yuan(i.cap_fen),
                loan: if i.loanable {
                    crate::tf(
                        lang,
                        "loan-terms",
                        &[
                            ("days", i.loan_days.into()),
                            ("renewals", i.max_renewals.into()),
                        ],
                    )
                } else {
                    crate::t(lang, "not-lent").to_string()
                },
                followup_days: i.followup_days,
                active: *active,
            })
            .collect(),
        can_edit: KeepsCatalogue::held_by(&caller.user),
        fields,
        new_fields,
        errors: errors.clone(),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(status, &view))
}

/// `GET /devices/catalogue`: the device catalogue (辅具目录) with its terms.
pub async fn catalogue(State(state): State<AppState>, caller: Holds<SeesDevices>) -> PageResult {
    catalogue_page(&state, &caller, None).await
}

/// A whole number of `field` within `range`, else the field's error.
fn read_count(
    sub: &mut Submission,
    field: &str,
    range: std::ops::RangeInclusive<i64>,
    lang: Lang,
) -> Option<i64> {
    let raw = sub.get(field).to_string();
    let v = raw.parse::<i64>().ok().filter(|n| range.contains(n));
    if v.is_none() {
        sub.fail(
            field,
            crate::tf(
                lang,
                "not-a-count-in",
                &[
                    ("v", raw.into()),
                    ("min", (*range.start()).into()),
                    ("max", (*range.end()).into()),
                ],
            ),
        );
    }
    v
}

/// An item's terms from the fields `{prefix}_cap_yuan`, `_loan_days`, `_max_renewals` and
/// `_followup_days` (price cap in fen, loan days, renewals, follow-up days), each `None` with
/// its field's error when it is not valid.
fn read_terms(
    sub: &mut Submission,
    prefix: &str,
    lang: Lang,
) -> (Option<i64>, Option<i64>, Option<i64>, Option<i64>) {
    let field = format!("{prefix}_cap_yuan");
    let raw = sub.get(&field).to_string();
    let cap = parse_yuan_to_fen(&raw)
        .ok()
        .filter(|f| (1..=100_000_000).contains(f));
    if cap.is_none() {
        sub.fail(field, crate::tf(lang, "not-a-price", &[("v", raw.into())]));
    }
    let loan_days = read_count(sub, &format!("{prefix}_loan_days"), 0..=730, lang);
    let renewals = read_count(sub, &format!("{prefix}_max_renewals"), 0..=12, lang);
    let followup = read_count(sub, &format!("{prefix}_followup_days"), 1..=365, lang);
    (cap, loan_days, renewals, followup)
}

/// `POST /devices/catalogue`: changes an item's terms, audited with the old and new ones.
pub async fn set_terms(
    State(state): State<AppState>,
    caller: Holds<KeepsCatalogue>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let mut sub = Submission::new(form);
    let key = sub.get("i_item").to_string();
    let item = state.store.device_item(&key).await.or_page(&caller)?;
    if item.is_none() {
        sub.fail(
            "i_item",
            crate::tf(lang, "not-a-device", &[("v", key.clone().into())]),
        );
    }
    let (cap, loan_days, renewals, followup) = read_terms(&mut sub, "i", lang);
    let active = match sub.get("i_active") {
        "yes" => Some(true),
        "no" => Some(false),
        v => {
            let v = v.to_string();
            sub.fail(
                "i_active",
                crate::tf(lang, "not-yes-or-no", &[("v", v.into())]),
            );
            None
        }
    };
    let (
        Some(old),
        Some(cap_fen),
        Some(loan_days),
        Some(max_renewals),
        Some(followup_days),
        Some(active),
        true,
    ) = (
        item,
        cap,
        loan_days,
        renewals,
        followup,
        active,
        sub.errors.is_empty(),
    )
    else {
        return catalogue_page(&state, &caller, Some((&sub, CatalogueForm::Terms))).await;
    };
    let t = crate::store::ItemTerms {
        cap_fen,
        loan_days,
        max_renewals,
        followup_days,
        active,
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "devices.catalogue.terms",
        &key,
        "ok",
        serde_json::json!({
            "old": {"cap_fen": old.cap_fen, "loan_days": old.loan_days, "max_renewals": old.max_renewals, "followup_days": old.followup_days},
            "new": t,
        }),
    );
    if !state
        .store
        .set_item_terms(&key, &t, &audit)
        .await
        .or_page(&caller)?
    {
        return Err(PageError::not_found(&caller));
    }
    Ok(Redirect::to("/devices/catalogue").into_response())
}

/// `POST /devices/catalogue/items`: adds an item to the catalogue (offered at once), audited.
pub async fn add_item(
    State(state): State<AppState>,
    caller: Holds<KeepsCatalogue>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let mut sub = Submission::new(form);
    let key = sub.get("n_key").trim().to_string();
    if !rules::valid_key(&key) {
        sub.fail(
            "n_key",
            crate::tf(lang, "not-an-item-key", &[("v", key.clone().into())]),
        );
    } else if state
        .store
        .device_item(&key)
        .await
        .or_page(&caller)?
        .is_some()
    {
        sub.fail(
            "n_key",
            crate::tf(lang, "item-key-taken", &[("v", key.clone().into())]),
        );
    }
    let label = sub.required_text("n_label", 40, lang);
    let label_en = sub.required_text("n_label_en", 80, lang);
    let kind = sub.required_choice("n_kind", rules::Kind::parse, lang);
    let mode = sub.required_choice("n_mode", Mode::parse, lang);
    let suits = match rules::parse_suits(sub.get("n_suits")) {
        Ok(s) => Some(s),
        Err(part) => {
            sub.fail(
                "n_suits",
                crate::tf(lang, "not-a-category", &[("v", part.into())]),
            );
            None
        }
    };
    let (cap, loan_days, renewals, followup) = read_terms(&mut sub, "n", lang);
    let (
        Some(label),
        Some(label_en),
        Some(kind),
        Some(mode),
        Some(disabilities),
        Some(cap_fen),
        Some(loan_days),
        Some(max_renewals),
        Some(followup_days),
        true,
    ) = (
        label,
        label_en,
        kind,
        mode,
        suits,
        cap,
        loan_days,
        renewals,
        followup,
        sub.errors.is_empty(),
    )
    else {
        return catalogue_page(&state, &caller, Some((&sub, CatalogueForm::New))).await;
    };
    let item = Item {
        key: key.clone(),
        label,
        label_en,
        category: kind.key().to_string(),
        disabilities,
        mode,
        cap_fen,
        loanable: loan_days > 0,
        loan_days,
        max_renewals,
        followup_days,
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "devices.catalogue.add",
        &key,
        "ok",
        serde_json::json!({
            "label": item.label, "category": item.category, "mode": item.mode.key(),
            "disabilities": item.disabilities.iter().map(|c| c.key()).collect::<Vec<_>>(),
            "cap_fen": cap_fen, "loan_days": loan_days, "max_renewals": max_renewals,
            "followup_days": followup_days,
        }),
    );
    if !state
        .store
        .add_device_item(&item, &audit)
        .await
        .or_page(&caller)?
    {
        // Taken between the check and the insert.
        sub.fail(
            "n_key",
            crate::tf(lang, "item-key-taken", &[("v", key.into())]),
        );
        return catalogue_page(&state, &caller, Some((&sub, CatalogueForm::New))).await;
    }
    Ok(Redirect::to("/devices/catalogue").into_response())
}
