//! The staff side of the service end: the application queue by township and step with due
//! dates and overdue warnings, an application's steps and decision, the needs queue with
//! triage and closing, unmet needs by township and kind, and a person's needs.

#[allow(unused_imports)]
use crate::prelude::*;
use std::collections::{BTreeMap, HashMap};

use crate::rules::{ActRefused, NeedKind, ServiceDef, StaffAct};
use crate::store::{Acted, AppQuery, Application};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use zhucan_domain::area::AreaCode;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::lang::Lang;
use zhucan_domain::parse::Month;
use zhucan_store::registry::Actor;
use zhucan_subsidies::store::{CaseKind, NewCase};

use zhucan_web::AppState;
use zhucan_web::auth::PageCaller;
use zhucan_web::forms::{FormField, Submission};
use zhucan_web::pages::{chrome, load_scoped};
use zhucan_web::scope;
use zhucan_web::trail::{self, audit_event};
use zhucan_web::usecase::{CsrfForm, Holds, OrPage, PageError, PageResult, Right, writable_record};
use zhucan_web::view::{AreaNames, Chrome, render};

const PER_PAGE: u32 = 50;

/// Works the service desk: works subsidy cases and reads the person files of an area.
#[derive(Debug, Clone, Copy)]
pub struct WorksDesk;

impl Right for WorksDesk {
    fn held_by(user: &zhucan_store::User) -> bool {
        let role = user.role;
        role.works_subsidies() && role.reads_persons()
    }
}

/// Decides applications (completes steps, asks for information, approves, rejects). Every
/// role holding it also holds [`WorksDesk`].
#[derive(Debug, Clone, Copy)]
pub struct DecidesServices;

impl Right for DecidesServices {
    fn held_by(user: &zhucan_store::User) -> bool {
        user.role.decides_subsidies()
    }
}

/// The area whose applications and needs the desk works.
fn desk_area(caller: &PageCaller) -> Result<AreaCode, PageError> {
    scope::person_area(&caller.user)
        .cloned()
        .ok_or_else(|| PageError::forbidden(caller))
}

fn today() -> chrono::NaiveDate {
    zhucan_web::view::today()
}

fn step_label(def: Option<&ServiceDef>, app: &Application, lang: Lang) -> String {
    match app.status.as_str() {
        "approved" | "rejected" => crate::citizen::app_status(&app.status, lang).to_string(),
        "needs_info" => crate::t(lang, "waiting-for-the-applicant").into(),
        _ => def
            .map(|d| d.step_label(app.step, lang))
            .unwrap_or_default(),
    }
}

/// Each step of the service with where the application stands on it.
fn step_progress(def: &ServiceDef, app: &Application, lang: Lang) -> Vec<(String, String)> {
    def.steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let i = i as i64;
            let state = match app.status.as_str() {
                "approved" => crate::t(lang, "done"),
                "rejected" if i < app.step => crate::t(lang, "done"),
                "rejected" if i == app.step => crate::t(lang, "rejected-at-this-step"),
                "rejected" => crate::t(lang, "not-done"),
                _ if i < app.step => crate::t(lang, "done"),
                "needs_info" if i == app.step => crate::t(lang, "current-waiting-for-information"),
                _ if i == app.step => crate::t(lang, "current"),
                _ => crate::t(lang, "not-started"),
            };
            (
                lang.pick(&s.label, &s.label_en).to_string(),
                state.to_string(),
            )
        })
        .collect()
}

/// Why the workflow refuses an act, naming the step still to be done.
fn refusal_message(def: &ServiceDef, refused: ActRefused, lang: Lang) -> String {
    let name = |i: i64| {
        usize::try_from(i)
            .ok()
            .and_then(|i| def.steps.get(i))
            .map(|s| lang.pick(&s.label, &s.label_en).to_string())
            .unwrap_or_default()
    };
    match refused {
        ActRefused::StepsRemain { step, remaining } => {
            let todo: Vec<String> = (step..step + remaining).map(name).collect();
            match lang {
                Lang::Zh => format!(
                    "还不能批准：第 {} 步“{}”尚未完成（批准前还要依次完成：{}）。必须办理的环节不能跳过，请先完成本环节。",
                    step + 1,
                    name(step),
                    todo.join("、")
                ),
                Lang::En => format!(
                    "Cannot approve yet: step {} “{}” is still to be done (before the decision, in order: {}). A step that must be done cannot be skipped; complete this step first.",
                    step + 1,
                    name(step),
                    todo.join(", ")
                ),
            }
        }
        ActRefused::DecisionDue => {
            let last = def.steps.len() as i64 - 1;
            match lang {
                Lang::Zh => format!("这是最后一个环节“{}”：请选择批准或不予批准。", name(last)),
                Lang::En => format!(
                    "This is the last step, “{}”: approve or reject.",
                    name(last)
                ),
            }
        }
    }
}

// ---------------------------------------------------------------- queue

#[derive(Debug, Deserialize, Default)]
pub struct QueueParams {
    status: Option<String>,
    service: Option<String>,
    overdue: Option<String>,
    page: Option<String>,
}

struct QueueRow {
    id: String,
    name: String,
    masked_id: String,
    area: String,
    service: String,
    step: String,
    submitted: String,
    due: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "desk_queue.html")]
struct QueuePage {
    c: Chrome,
    status: String,
    service: String,
    overdue: bool,
    statuses: Vec<(String, String)>,
    services: Vec<(String, String)>,
    rows: Vec<QueueRow>,
    summary: String,
    page_label: String,
    prev_href: Option<String>,
    next_href: Option<String>,
}

pub async fn queue(
    State(state): State<AppState>,
    caller: Holds<WorksDesk>,
    Query(q): Query<QueueParams>,
) -> PageResult {
    let lang = caller.lang;
    let area = desk_area(&caller)?;
    let catalogue = state.store.services().await.or_page(&caller)?;
    let status = q
        .status
        .clone()
        .filter(|s| ["active", "approved", "rejected", "needs_info", "all"].contains(&s.as_str()))
        .unwrap_or_else(|| "active".into());
    let service = q
        .service
        .clone()
        .filter(|s| catalogue.iter().any(|(d, _)| &d.key == s))
        .unwrap_or_default();
    let overdue = q.overdue.is_some();
    let page: u32 = q
        .page
        .as_deref()
        .and_then(|s| s.parse().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(1);
    let (total, apps) = state
        .store
        .applications(&AppQuery {
            status: (status != "all").then(|| status.clone()),
            area: Some(area.clone()),
            service_key: (!service.is_empty()).then(|| service.clone()),
            due_before: overdue.then(|| today().to_string()),
            page,
            per_page: PER_PAGE,
            ..AppQuery::default()
        })
        .await
        .or_page(&caller)?;
    let ids: Vec<CitizenId> = apps.iter().map(|a| a.citizen_id.clone()).collect();
    let names_by: HashMap<String, String> = state
        .store
        .summaries_of(&ids)
        .await
        .or_page(&caller)?
        .into_iter()
        .map(|s| (s.citizen_id.to_string(), s.name))
        .collect();
    let names = AreaNames::new(&state.store.areas().await.or_page(&caller)?);
    let t = today().to_string();
    let pages = (total as u32).div_ceil(PER_PAGE).max(1);
    let qs = format!(
        "status={status}&service={service}{}",
        if overdue { "&overdue=1" } else { "" }
    );
    let view = QueuePage {
        c: chrome(
            Some(&caller),
            lang,
            &format!("/services/queue?{qs}"),
            "desk",
            crate::t(lang, "service-desk"),
        ),
        statuses: [
            ("active", "办理中", "in progress"),
            ("needs_info", "待补充材料", "waiting for information"),
            ("approved", "已批准", "approved"),
            ("rejected", "不予批准", "rejected"),
            ("all", "全部", "all"),
        ]
        .iter()
        .map(|(k, zh, en)| (k.to_string(), lang.pick(zh, en).to_string()))
        .collect(),
        services: catalogue
            .iter()
            .map(|(d, _)| (d.key.clone(), d.name(lang).to_string()))
            .collect(),
        status: status.clone(),
        service: service.clone(),
        overdue,
        rows: apps
            .iter()
            .map(|a| {
                let def = catalogue
                    .iter()
                    .find(|(d, _)| d.key == a.service_key)
                    .map(|(d, _)| d);
                QueueRow {
                    id: a.id.clone(),
                    name: names_by
                        .get(a.citizen_id.as_str())
                        .cloned()
                        .unwrap_or_default(),
                    masked_id: a.citizen_id.masked(),
                    area: names.name(&a.area),
                    service: def
                        .map(|d| d.name(lang).to_string())
                        .unwrap_or_else(|| a.service_key.clone()),
                    step: step_label(def, a, lang),
                    submitted: a.submitted_at.get(..10).unwrap_or("").into(),
                    due: a.due_on.clone(),
                    overdue: matches!(a.status.as_str(), "submitted" | "needs_info")
                        && a.due_on < t,
                }
            })
            .collect(),
        summary: match lang {
            Lang::Zh => format!("共 {total} 件"),
            Lang::En => format!("{total} applications"),
        },
        page_label: match lang {
            Lang::Zh => format!("第 {page} 页，共 {pages} 页"),
            Lang::En => format!("Page {page} of {pages}"),
        },
        prev_href: (page > 1).then(|| format!("/services/queue?{qs}&page={}", page - 1)),
        next_href: (page < pages).then(|| format!("/services/queue?{qs}&page={}", page + 1)),
    };
    Ok(render(StatusCode::OK, &view))
}

// ---------------------------------------------------------------- one application

#[derive(Template)]
#[template(path = "desk_application.html")]
struct AppPage {
    c: Chrome,
    id: String,
    handle: String,
    name: String,
    masked_id: String,
    service: String,
    status: String,
    step: String,
    submitted: String,
    due: String,
    overdue: bool,
    answers: Vec<(String, String)>,
    files: Vec<(i64, String, String, String)>,
    events: Vec<(String, String, String, String)>,
    decision: Option<String>,
    steps: Vec<(String, String)>,
    can_act: bool,
    /// The programme's page that works the steps ([`ServiceDef::handled_at`]).
    handled_at: Option<String>,
    version: i64,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
}

fn act_fields(lang: Lang, def: &ServiceDef, app: &Application) -> Vec<FormField> {
    let last = def.at_last_step(app.step);
    let step = def
        .steps
        .get(usize::try_from(app.step).unwrap_or(usize::MAX))
        .map(|s| lang.pick(&s.label, &s.label_en).to_string())
        .unwrap_or_default();
    let mut actions = vec![(String::new(), crate::t(lang, "choose").to_string())];
    // Before the last step the clerk completes the step; at the last step the decision
    // completes it. Rejecting (with reasons) is open at every step.
    // A service a programme works (its project pages record each step's data) is moved on
    // there; the desk only asks for information or rejects.
    if def.handled_by.is_some() {
    } else if last {
        actions.push(("approve".into(), crate::t(lang, "approve").into()));
    } else {
        actions.push((
            "step".into(),
            format!("{}{step}", crate::t(lang, "complete-this-step")),
        ));
    }
    actions.extend([
        (
            "info".into(),
            crate::t(lang, "ask-the-applicant-for-more-information").into(),
        ),
        ("reject".into(), crate::t(lang, "reject").into()),
    ]);
    let last_name = def
        .steps
        .last()
        .map(|s| lang.pick(&s.label, &s.label_en).to_string())
        .unwrap_or_default();
    let action_hint = if def.handled_by.is_some() {
        crate::t(lang, "steps-are-worked-on-the-project-page").to_string()
    } else if last {
        crate::t(lang, "this-is-the-last-step-the").to_string()
    } else {
        match lang {
            Lang::Zh => format!(
                "环节须逐一完成，不能跳过；批准在最后一个环节“{last_name}”进行。发现不符合条件的，可在任何环节写明理由不予批准"
            ),
            Lang::En => format!(
                "steps are done one at a time and none is skipped; approval comes at the last step, “{last_name}”. An application found ineligible may be rejected at any step, with reasons"
            ),
        }
    };
    vec![
        FormField::new("action", crate::t(lang, "action"), "select")
            .required()
            .hint(&action_hint)
            .options(actions),
        FormField::new(
            "note",
            crate::t(lang, "note-or-reasons-sent-to-the"),
            "text",
        )
        .hint(crate::t(lang, "required-to-ask-for-information-or")),
        FormField::new("easy", crate::t(lang, "easy-read-reasons-optional"), "text")
            .hint(crate::t(lang, "short-sentences-and-everyday-words")),
    ]
}

/// The application page; the caller holds [`WorksDesk`] (checked by the handler).
async fn app_page(
    state: &AppState,
    caller: &PageCaller,
    id: &str,
    sub: Option<&Submission>,
) -> PageResult {
    let lang = caller.lang;
    let app = state
        .store
        .application(id)
        .await
        .or_page(caller)?
        .ok_or_else(|| PageError::not_found(caller))?;
    let file = state
        .store
        .person_file(&app.citizen_id, &zhucan_store::Reach::of(&caller.user))
        .await
        .or_page(caller)?
        .filter(|f| scope::can_read(&caller.user, &f.person))
        .ok_or_else(|| PageError::not_found(caller))?;
    let (def, _) = state
        .store
        .service(&app.service_key)
        .await
        .or_page(caller)?
        .ok_or_else(|| PageError::not_found(caller))?;
    let (events, files) = match (
        state.store.application_events(id).await,
        state.store.application_files(id).await,
    ) {
        (Ok(e), Ok(f)) => (e, f),
        (Err(e), _) | (_, Err(e)) => return Err(PageError::store(caller, e)),
    };
    let mut fields = act_fields(lang, &def, &app);
    let errors = match sub {
        Some(s) => s.apply(&mut fields),
        None => vec![],
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "service.read",
        app.citizen_id.as_str(),
        "ok",
        serde_json::json!({"application": id}),
    ));
    let label_of = |name: &str| {
        def.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| lang.pick(&f.label, &f.label_en).to_string())
            .unwrap_or_else(|| name.to_string())
    };
    let value_of = |name: &str, v: &str| {
        let shown = def
            .fields
            .iter()
            .find(|f| f.name == name)
            .and_then(|f| f.options.iter().find(|(k, _, _)| k == v))
            .map(|(_, zh, en)| lang.pick(zh, en).to_string())
            .unwrap_or_else(|| v.to_string());
        if name == "contact_phone" {
            zhucan_domain::ids::mask_phone(&shown)
        } else {
            shown
        }
    };
    let view = AppPage {
        c: chrome(
            Some(caller),
            lang,
            &format!("/services/applications/{id}"),
            "desk",
            def.name(lang),
        ),
        id: app.id.clone(),
        handle: file.handle.clone(),
        name: file.person.name.clone(),
        masked_id: app.citizen_id.masked(),
        service: def.name(lang).to_string(),
        status: crate::citizen::app_status(&app.status, lang).to_string(),
        step: step_label(Some(&def), &app, lang),
        submitted: app.submitted_at.get(..10).unwrap_or("").into(),
        due: app.due_on.clone(),
        overdue: matches!(app.status.as_str(), "submitted" | "needs_info")
            && app.due_on < today().to_string(),
        answers: app
            .answers
            .iter()
            .map(|(k, v)| (label_of(k), value_of(k, v)))
            .collect(),
        files: files
            .iter()
            .map(|f| {
                (
                    f.seq,
                    f.file_name.clone(),
                    def.document_label(&f.document_key, lang).to_string(),
                    format!("{:.0} KB", f.size as f64 / 1024.0),
                )
            })
            .collect(),
        events: events
            .iter()
            .map(|e| {
                (
                    e.at.get(..16).unwrap_or("").replace('T', " "),
                    e.actor.clone(),
                    crate::citizen::event_label(&e.kind, lang).to_string(),
                    e.note.clone(),
                )
            })
            .collect(),
        decision: app.decision.clone().filter(|d| !d.is_empty()),
        steps: step_progress(&def, &app, lang),
        can_act: caller.user.role.decides_subsidies()
            && scope::can_write(&caller.user, &file.person)
            && matches!(app.status.as_str(), "submitted" | "needs_info"),
        handled_at: def.handled_at(&app.id),
        version: app.version,
        fields,
        errors,
    };
    Ok(render(status, &view))
}

pub async fn application(
    State(state): State<AppState>,
    caller: Holds<WorksDesk>,
    Path(id): Path<String>,
) -> PageResult {
    app_page(&state, &caller, &id, None).await
}

pub async fn act(
    State(state): State<AppState>,
    caller: Holds<DecidesServices>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let (app, file) = writable_record(&state, &caller, state.store.application(&id).await, |a| {
        &a.citizen_id
    })
    .await?;
    let (def, _) = state
        .store
        .service(&app.service_key)
        .await
        .or_page(&caller)?
        .ok_or_else(|| PageError::not_found(&caller))?;
    let mut sub = Submission::new(form);
    let action = match sub.get("action") {
        "step" => Some(StaffAct::CompleteStep),
        "info" => Some(StaffAct::RequestInfo),
        "approve" => Some(StaffAct::Approve),
        "reject" => Some(StaffAct::Reject),
        "" => {
            sub.fail("action", crate::t(lang, "is-required").into());
            None
        }
        other => {
            sub.fail(
                "action",
                format!("“{other}”{}", crate::t(lang, "is-not-a-choice")),
            );
            None
        }
    };
    let note = sub.get("note").to_string();
    let easy = sub.get("easy").to_string();
    if matches!(action, Some(StaffAct::RequestInfo | StaffAct::Reject)) && note.is_empty() {
        sub.fail("note", crate::t(lang, "say-what-is-needed-or-why").into());
    }
    for (f, v) in [("note", &note), ("easy", &easy)] {
        if v.chars().count() > 1000 {
            sub.fail(f, crate::t(lang, "must-be-at-most-1000-characters").into());
        }
    }
    let version: i64 = sub.get("version").parse().unwrap_or(-1);
    let stale = || {
        PageError::message(
            &caller,
            StatusCode::CONFLICT,
            "这份申请已被他人处理或已办结，请刷新后再看。",
            "Someone else has acted on this application, or it is decided; reload it.",
        )
    };
    // A stale form is refused before its act is judged: the step it was judged at is gone.
    if version != app.version || !matches!(app.status.as_str(), "submitted" | "needs_info") {
        return Err(stale());
    }
    // The workflow judges the act at the stored step (the store judges it again in its
    // transaction): nothing is skipped, and approval waits for the last step.
    if let Some(a) = action
        && let Err(refused) = def.transition(app.step, a)
    {
        sub.fail("action", refusal_message(&def, refused, lang));
    } else if matches!(action, Some(StaffAct::CompleteStep | StaffAct::Approve))
        && def.handled_by.is_some()
    {
        sub.fail(
            "action",
            crate::t(lang, "steps-are-worked-on-the-project-page").into(),
        );
    }
    let (Some(action), true) = (action, sub.errors.is_empty()) else {
        return app_page(&state, &caller, &id, Some(&sub)).await;
    };
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    let updated = match state
        .store
        .act_on_application(&id, version, action, &def, &note, &easy, &actor)
        .await
    {
        Ok(Acted::Done(a)) => *a,
        Ok(Acted::Stale) => return Err(stale()),
        Ok(Acted::Refused(refused)) => {
            sub.fail("action", refusal_message(&def, refused, lang));
            return app_page(&state, &caller, &id, Some(&sub)).await;
        }
        Err(e) => return Err(PageError::store(&caller, e)),
    };
    trail::record(&state.store, audit_event(&caller.user, &caller.client, "service.act", app.citizen_id.as_str(), "ok",
        serde_json::json!({"application": id, "old": {"status": app.status, "step": app.step}, "new": {"status": updated.status, "step": updated.step}, "note": note}))).await;
    // An approved subsidy application records the enrolment from the month it was made.
    if updated.status == "approved"
        && let Some(subsidy) = def.subsidy
    {
        let month = app
            .submitted_at
            .get(..7)
            .and_then(|m| Month::parse(m).ok())
            .unwrap_or_else(|| Month::of(today()));
        let area = file.person.home_area().clone();
        let case = state
            .store
            .open_case(&NewCase {
                citizen_id: &app.citizen_id,
                subsidy,
                kind: CaseKind::Enrol,
                month,
                reasons: vec!["application"],
                trigger: "staff",
                area: &area,
                opened_by: &caller.user.username,
            })
            .await;
        if let Ok(Some(c)) = case {
            let year = chrono::Datelike::year(&today());
            if let Err(e) = state
                .store
                .decide_case(&c.id, true, &format!("申请 {id} 批准"), year, &actor)
                .await
            {
                tracing::error!(error = %e, "enrolment after approval failed");
            }
        }
    }
    let (title, body) = match updated.status.as_str() {
        "approved" => (
            format!("您的“{}”申请已批准", def.name),
            if note.is_empty() {
                "详情请在“我的申请”中查看。".to_string()
            } else {
                note.clone()
            },
        ),
        "rejected" => (format!("您的“{}”申请未获批准", def.name), note.clone()),
        "needs_info" => (format!("您的“{}”申请需要补充材料", def.name), note.clone()),
        _ => (
            format!("您的“{}”申请有新进展", def.name),
            step_label(Some(&def), &updated, Lang::Zh),
        ),
    };
    crate::notify::notify(
        &state.store,
        &app.citizen_id,
        &title,
        &body,
        &format!("/me/applications/{id}"),
    )
    .await;
    Ok(Redirect::to(&format!("/services/applications/{id}")).into_response())
}

pub async fn file(
    State(state): State<AppState>,
    caller: Holds<WorksDesk>,
    Path((id, seq)): Path<(String, i64)>,
) -> PageResult {
    let app = state
        .store
        .application(&id)
        .await
        .or_page(&caller)?
        .ok_or_else(|| PageError::not_found(&caller))?;
    state
        .store
        .person_file(&app.citizen_id, &zhucan_store::Reach::of(&caller.user))
        .await
        .or_page(&caller)?
        .filter(|f| scope::can_read(&caller.user, &f.person))
        .ok_or_else(|| PageError::not_found(&caller))?;
    Ok(crate::citizen::send_file(&state, &caller, &id, seq).await)
}

// ---------------------------------------------------------------- needs

#[derive(Debug, Deserialize, Default)]
pub struct NeedsParams {
    status: Option<String>,
    page: Option<String>,
}

struct NeedRow {
    id: String,
    name: String,
    masked_id: String,
    area: String,
    kind: String,
    description: String,
    status: String,
    recorded: String,
    channel: String,
}

#[derive(Template)]
#[template(path = "desk_needs.html")]
struct NeedsPage {
    c: Chrome,
    status: String,
    rows: Vec<NeedRow>,
    kinds: Vec<String>,
    unmet: Vec<(String, Vec<i64>, i64)>,
    summary: String,
    page_label: String,
    prev_href: Option<String>,
    next_href: Option<String>,
}

pub async fn needs(
    State(state): State<AppState>,
    caller: Holds<WorksDesk>,
    Query(q): Query<NeedsParams>,
) -> PageResult {
    let lang = caller.lang;
    let area = desk_area(&caller)?;
    let status = q
        .status
        .clone()
        .filter(|s| ["open", "triaged", "closed", "all"].contains(&s.as_str()))
        .unwrap_or_else(|| "open".into());
    let page: u32 = q
        .page
        .as_deref()
        .and_then(|s| s.parse().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(1);
    let (total, list) = state
        .store
        .needs(
            &area,
            (status != "all").then_some(status.as_str()),
            &[],
            page,
            PER_PAGE,
        )
        .await
        .or_page(&caller)?;
    let unmet = state.store.unmet_needs(&area).await.or_page(&caller)?;
    let names = AreaNames::new(&state.store.areas().await.or_page(&caller)?);
    let ids: Vec<CitizenId> = list.iter().map(|n| n.citizen_id.clone()).collect();
    let names_by: HashMap<String, String> = state
        .store
        .summaries_of(&ids)
        .await
        .or_page(&caller)?
        .into_iter()
        .map(|s| (s.citizen_id.to_string(), s.name))
        .collect();
    let mut table: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (t, k, n) in &unmet {
        let row = table
            .entry(t.clone())
            .or_insert_with(|| vec![0; NeedKind::ALL.len()]);
        if let Some(i) = NeedKind::ALL.iter().position(|x| x.key() == k) {
            row[i] += n;
        }
    }
    let pages = (total as u32).div_ceil(PER_PAGE).max(1);
    let view = NeedsPage {
        c: chrome(
            Some(&caller),
            lang,
            &format!("/needs?status={status}"),
            "needs_desk",
            crate::t(lang, "needs"),
        ),
        status: status.clone(),
        kinds: NeedKind::ALL
            .iter()
            .map(|k| k.label(lang).to_string())
            .collect(),
        unmet: table
            .into_iter()
            .map(|(t, v)| {
                let s = v.iter().sum();
                (names.name(&t), v, s)
            })
            .collect(),
        rows: list
            .iter()
            .map(|n| NeedRow {
                id: n.id.clone(),
                name: names_by
                    .get(n.citizen_id.as_str())
                    .cloned()
                    .unwrap_or_default(),
                masked_id: n.citizen_id.masked(),
                area: names.name(&n.area),
                kind: n.kind.label(lang).to_string(),
                description: n.description.clone(),
                status: crate::citizen::need_status(&n.status, lang).to_string(),
                recorded: n.recorded_at.get(..10).unwrap_or("").into(),
                channel: match n.channel.as_str() {
                    "citizen" => crate::t(lang, "the-person-or-family"),
                    "village_worker" => crate::t(lang, "village-worker"),
                    _ => crate::t(lang, "staff"),
                }
                .to_string(),
            })
            .collect(),
        summary: match lang {
            Lang::Zh => format!("共 {total} 条"),
            Lang::En => format!("{total} needs"),
        },
        page_label: match lang {
            Lang::Zh => format!("第 {page} 页，共 {pages} 页"),
            Lang::En => format!("Page {page} of {pages}"),
        },
        prev_href: (page > 1).then(|| format!("/needs?status={status}&page={}", page - 1)),
        next_href: (page < pages).then(|| format!("/needs?status={status}&page={}", page + 1)),
    };
    Ok(render(StatusCode::OK, &view))
}

#[derive(Template)]
#[template(path = "desk_need.html")]
struct NeedPage {
    c: Chrome,
    id: String,
    handle: String,
    name: String,
    kind: String,
    description: String,
    status: String,
    handled: String,
    satisfaction: String,
    can_act: bool,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
}

fn need_act_fields(lang: Lang, services: &[(ServiceDef, bool)]) -> Vec<FormField> {
    let mut actions = vec![(String::new(), crate::t(lang, "choose").to_string())];
    actions.extend([
        (
            "service".into(),
            crate::t(lang, "triage-to-a-service").into(),
        ),
        ("refer".into(), crate::t(lang, "refer-elsewhere").into()),
        ("close".into(), crate::t(lang, "close").into()),
    ]);
    let mut svc = vec![(String::new(), crate::t(lang, "for-a-service").to_string())];
    svc.extend(
        services
            .iter()
            .map(|(s, _)| (s.key.clone(), s.name(lang).to_string())),
    );
    vec![
        FormField::new("action", crate::t(lang, "action-2"), "select")
            .required()
            .options(actions),
        FormField::new("service", crate::t(lang, "service"), "select").options(svc),
        FormField::new(
            "text",
            crate::t(lang, "where-it-was-referred-or-the"),
            "text",
        ),
    ]
}

/// The need page; the caller holds [`WorksDesk`] (checked by the handler).
async fn need_page(
    state: &AppState,
    caller: &PageCaller,
    id: &str,
    sub: Option<&Submission>,
) -> PageResult {
    let lang = caller.lang;
    let need = state
        .store
        .need(id)
        .await
        .or_page(caller)?
        .ok_or_else(|| PageError::not_found(caller))?;
    let file = state
        .store
        .person_file(&need.citizen_id, &zhucan_store::Reach::of(&caller.user))
        .await
        .or_page(caller)?
        .filter(|f| scope::can_read(&caller.user, &f.person))
        .ok_or_else(|| PageError::not_found(caller))?;
    let services = state.store.services().await.unwrap_or_default();
    let mut fields = need_act_fields(lang, &services);
    let errors = match sub {
        Some(s) => s.apply(&mut fields),
        None => vec![],
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = NeedPage {
        c: chrome(
            Some(caller),
            lang,
            &format!("/needs/{id}"),
            "needs_desk",
            crate::t(lang, "need"),
        ),
        id: need.id.clone(),
        handle: file.handle.clone(),
        name: file.person.name.clone(),
        kind: need.kind.label(lang).to_string(),
        description: need.description.clone(),
        status: crate::citizen::need_status(&need.status, lang).to_string(),
        handled: [
            need.service_key
                .as_ref()
                .and_then(|k| services.iter().find(|(s, _)| &s.key == k))
                .map(|(s, _)| s.name(lang).to_string()),
            need.referral.clone(),
            need.outcome.clone(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("；"),
        satisfaction: need
            .satisfaction
            .map(|s| s.label(lang).to_string())
            .unwrap_or_default(),
        can_act: scope::can_write(&caller.user, &file.person) && need.status != "closed",
        fields,
        errors,
    };
    Ok(render(status, &view))
}

pub async fn need(
    State(state): State<AppState>,
    caller: Holds<WorksDesk>,
    Path(id): Path<String>,
) -> PageResult {
    need_page(&state, &caller, &id, None).await
}

pub async fn need_act(
    State(state): State<AppState>,
    caller: Holds<WorksDesk>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let (need, _) = writable_record(&state, &caller, state.store.need(&id).await, |n| {
        &n.citizen_id
    })
    .await?;
    let services = state.store.services().await.unwrap_or_default();
    let mut sub = Submission::new(form);
    let action = sub.get("action").to_string();
    let text = sub.get("text").to_string();
    let service = sub.get("service").to_string();
    match action.as_str() {
        "service" if !services.iter().any(|(s, _)| s.key == service) => {
            sub.fail("service", crate::t(lang, "choose-a-service").into())
        }
        "refer" | "close" if text.is_empty() => sub.fail(
            "text",
            crate::t(lang, "say-where-it-was-referred-or").into(),
        ),
        "service" | "refer" | "close" => {}
        "" => sub.fail("action", crate::t(lang, "is-required").into()),
        other => sub.fail(
            "action",
            format!("“{other}”{}", crate::t(lang, "is-not-a-choice")),
        ),
    }
    if text.chars().count() > 500 {
        sub.fail(
            "text",
            crate::t(lang, "must-be-at-most-500-characters").into(),
        );
    }
    if !sub.errors.is_empty() {
        return need_page(&state, &caller, &id, Some(&sub)).await;
    }
    let done = match action.as_str() {
        "service" => {
            state
                .store
                .triage_need(&id, Some(&service), None, &caller.user.username)
                .await
        }
        "refer" => {
            state
                .store
                .triage_need(&id, None, Some(&text), &caller.user.username)
                .await
        }
        _ => {
            state
                .store
                .close_need(&id, &text, &caller.user.username)
                .await
        }
    };
    if !done.or_page(&caller)? {
        return Err(PageError::message(
            &caller,
            StatusCode::CONFLICT,
            "该需求已办结。",
            "This need is already closed.",
        ));
    }
    trail::record(
        &state.store,
        audit_event(
            &caller.user,
            &caller.client,
            "need.act",
            need.citizen_id.as_str(),
            "ok",
            serde_json::json!({"need": id, "action": action, "old": need.status}),
        ),
    )
    .await;
    let (title, body) = match action.as_str() {
        "service" => (
            "您的需求已转入服务办理".to_string(),
            services
                .iter()
                .find(|(s, _)| s.key == service)
                .map(|(s, _)| format!("请在“服务事项”中申请“{}”，或等待工作人员联系。", s.name))
                .unwrap_or_default(),
        ),
        "refer" => ("您的需求已转介".to_string(), text.clone()),
        _ => (
            "您的需求已办结".to_string(),
            format!("{text} 请告诉我们您是否满意。"),
        ),
    };
    crate::notify::notify(&state.store, &need.citizen_id, &title, &body, "/me/needs").await;
    Ok(Redirect::to(&format!("/needs/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "desk_person_needs.html")]
struct PersonNeedsPage {
    c: Chrome,
    handle: String,
    name: String,
    needs: Vec<(String, String, String, String)>,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
}

/// A person's needs; the caller holds [`WorksDesk`] (checked by the handler).
async fn person_needs_page(
    state: &AppState,
    caller: &PageCaller,
    handle: &str,
    sub: Option<&Submission>,
) -> PageResult {
    let lang = caller.lang;
    let area = desk_area(caller)?;
    let file = load_scoped(state, caller, handle)
        .await
        .or_page(caller)?
        .ok_or_else(|| PageError::not_found(caller))?;
    let (_, list) = state
        .store
        .needs(
            &area,
            None,
            std::slice::from_ref(&file.person.citizen_id),
            1,
            100,
        )
        .await
        .or_page(caller)?;
    let mut kinds = vec![(String::new(), crate::t(lang, "choose").to_string())];
    kinds.extend(
        NeedKind::ALL
            .iter()
            .map(|k| (k.key().to_string(), k.label(lang).to_string())),
    );
    let mut fields = vec![
        FormField::new("kind", crate::t(lang, "kind"), "select")
            .required()
            .options(kinds),
        FormField::new("description", crate::t(lang, "the-need"), "text").required(),
    ];
    let errors = match sub {
        Some(s) => s.apply(&mut fields),
        None => vec![],
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = PersonNeedsPage {
        c: chrome(
            Some(caller),
            lang,
            &format!("/persons/{handle}/needs"),
            "desk",
            crate::t(lang, "needs-2"),
        ),
        handle: handle.to_string(),
        name: file.person.name.clone(),
        needs: list
            .iter()
            .map(|n| {
                (
                    n.id.clone(),
                    n.kind.label(lang).to_string(),
                    n.description.clone(),
                    crate::citizen::need_status(&n.status, lang).to_string(),
                )
            })
            .collect(),
        fields,
        errors,
    };
    Ok(render(status, &view))
}

pub async fn person_needs(
    State(state): State<AppState>,
    caller: Holds<WorksDesk>,
    Path(handle): Path<String>,
) -> PageResult {
    person_needs_page(&state, &caller, &handle, None).await
}

/// A village worker (or staff) records a need heard on a visit.
pub async fn record_need(
    State(state): State<AppState>,
    caller: Holds<WorksDesk>,
    Path(handle): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let file = zhucan_web::pages::writable_by_handle(&state, &caller, &handle)
        .await
        .map_err(PageError::response)?;
    let mut sub = Submission::new(form);
    let kind = sub.required_choice("kind", NeedKind::parse, lang);
    let description = sub
        .required_text("description", 500, lang)
        .unwrap_or_default();
    let (Some(kind), true) = (kind, sub.errors.is_empty()) else {
        return person_needs_page(&state, &caller, &handle, Some(&sub)).await;
    };
    let channel = if caller.user.role == zhucan_domain::access::Role::VillageWorker {
        "village_worker"
    } else {
        "staff"
    };
    let area = file.person.home_area().clone();
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    state
        .store
        .record_need(
            &file.person.citizen_id,
            kind,
            &description,
            channel,
            &area,
            &actor,
        )
        .await
        .or_page(&caller)?;
    trail::record(
        &state.store,
        audit_event(
            &caller.user,
            &caller.client,
            "need.record",
            file.person.citizen_id.as_str(),
            "ok",
            serde_json::json!({"kind": kind.key(), "channel": channel}),
        ),
    )
    .await;
    Ok(Redirect::to(&format!("/persons/{handle}/needs")).into_response())
}
