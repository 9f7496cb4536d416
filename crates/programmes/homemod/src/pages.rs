//! The programme's pages: the staff queue per township (due dates, overdue warnings, budgets,
//! the export), a project's page with the form of its current step, the contractor's list of
//! its projects, the photos, and the payment record.

#[allow(unused_imports)]
use crate::prelude::*;
use std::collections::HashMap;

use askama::Template;
use axum::extract::{FromRequest, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use chrono::Datelike;
use serde::Deserialize;
use zhucan_domain::access::Role;
use zhucan_domain::area::{AreaCode, AreaLevel};
use zhucan_domain::lang::Lang;
use zhucan_domain::parse::{fen_to_yuan, parse_date, parse_yuan_to_fen};
use zhucan_domain::workflow::{StepBy, step_at};
use zhucan_service::rules::{NeedKind, ServiceDef, StaffAct, check_upload};
use zhucan_service::store::Need;
use zhucan_service::store::{ActedIn, AppQuery, Application, Upload};
use zhucan_service::taken::{WaitingNeeds, check_need, takeable, waiting};
use zhucan_store::User;
use zhucan_store::registry::Actor;
use zhucan_web::AppState;
use zhucan_web::auth::PageCaller;
use zhucan_web::forms::{FormField, Submission, fill, yes_no_options};
use zhucan_web::pages::{area_names, check_present, chrome, typed_person};
use zhucan_web::scope;
use zhucan_web::trail::audit_event;
use zhucan_web::usecase::{
    CsrfForm, CsrfMultipart, ExportsPersons, Holds, OrPage, PageError, PageResult, Right,
};
use zhucan_web::view::{AreaNames, Chrome, render, today};

use crate::rules::{self, Household, Item, SurveyLine, Terms, step};
use crate::store::{Budget, Contractor, Project, StepRecord};

/// Works the projects of an area: reads them (district, township and village staff).
#[derive(Debug, Clone, Copy)]
pub struct WorksProjects;

impl Right for WorksProjects {
    fn held_by(user: &User) -> bool {
        user.role.works_subsidies() && user.role.reads_persons()
    }
}

/// Acts on projects: accepts, surveys, inspects, rejects, records payments (district and
/// township staff).
#[derive(Debug, Clone, Copy)]
pub struct ActsOnProjects;

impl Right for ActsOnProjects {
    fn held_by(user: &User) -> bool {
        user.role.decides_subsidies()
    }
}

/// A contractor's account.
#[derive(Debug, Clone, Copy)]
pub struct IsContractor;

impl Right for IsContractor {
    fn held_by(user: &User) -> bool {
        user.role == Role::Contractor
    }
}

/// Works projects as staff, or builds them as a contractor: who may post a step's form.
#[derive(Debug, Clone, Copy)]
pub struct WorksOrBuilds;

impl Right for WorksOrBuilds {
    fn held_by(user: &User) -> bool {
        WorksProjects::held_by(user) || IsContractor::held_by(user)
    }
}

/// Sets the townships' budgets (the district administrator).
#[derive(Debug, Clone, Copy)]
pub struct SetsBudgets;

impl Right for SetsBudgets {
    fn held_by(user: &User) -> bool {
        user.role.runs_payroll()
    }
}

fn yuan(f: i64) -> String {
    fen_to_yuan(f)
}

fn opt_yuan(f: Option<i64>) -> String {
    f.map(yuan).unwrap_or_default()
}

/// The service definition of the programme's applications.
async fn service_def(state: &AppState, caller: &PageCaller) -> Result<ServiceDef, PageError> {
    state
        .store
        .service(rules::SERVICE)
        .await
        .or_page(caller)?
        .map(|(d, _)| d)
        .ok_or_else(|| PageError::not_found(caller))
}

/// The key of the step an application is at (empty once decided).
fn step_key(def: &ServiceDef, app: &Application) -> String {
    if !matches!(app.status.as_str(), "submitted" | "needs_info") {
        return String::new();
    }
    step_at(&def.steps, app.step)
        .map(|s| s.key.clone())
        .unwrap_or_default()
}

/// Where the project stands, in words.
pub(crate) fn stage(def: &ServiceDef, app: &Application, lang: Lang) -> String {
    match app.status.as_str() {
        "approved" => crate::t(lang, "stage-accepted").into(),
        "rejected" => crate::t(lang, "stage-rejected").into(),
        "withdrawn" => crate::t(lang, "stage-withdrawn").into(),
        "needs_info" => crate::t(lang, "stage-waiting-for-applicant").into(),
        _ => def.step_label(app.step, lang),
    }
}

fn is_open(app: &Application) -> bool {
    matches!(app.status.as_str(), "submitted" | "needs_info")
}

pub(crate) fn overdue(app: &Application) -> bool {
    is_open(app) && app.due_on < today().to_string()
}

/// The organisation (contractor code) a confined account is bound to.
async fn org_of(state: &AppState, caller: &PageCaller) -> Result<Option<String>, PageError> {
    state
        .store
        .account_org(&caller.user.id)
        .await
        .or_page(caller)
}

/// Who reads a project, and how far.
enum Viewer {
    /// Staff whose area holds the person (`writes`: may change the file).
    Staff { writes: bool },
    /// The contractor the project is assigned to.
    Contractor,
}

/// The application, its project (if accepted) and the viewer, or 403/404: staff within their
/// area; a contractor only on the projects assigned to its organisation (else 404, so an ID
/// tells nothing).
async fn load(
    state: &AppState,
    caller: &PageCaller,
    id: &str,
) -> Result<
    (
        Application,
        Option<Project>,
        Viewer,
        zhucan_store::PersonFile,
    ),
    PageError,
> {
    let confined = caller.user.role.confined();
    if !confined && !WorksProjects::held_by(&caller.user) {
        return Err(PageError::forbidden(caller));
    }
    let app = state
        .store
        .application(id)
        .await
        .or_page(caller)?
        .filter(|a| a.service_key == rules::SERVICE)
        .ok_or_else(|| PageError::not_found(caller))?;
    let project = state.store.project(id).await.or_page(caller)?;
    if confined {
        if caller.user.role != Role::Contractor {
            return Err(PageError::not_found(caller));
        }
        let org = org_of(state, caller).await?;
        let assigned = project.as_ref().and_then(|p| p.contractor.as_deref());
        if org.is_none() || assigned != org.as_deref() {
            return Err(PageError::not_found(caller));
        }
        #[expect(
            clippy::disallowed_methods,
            reason = "a contractor reads only the name and address of the household of a project assigned to it (checked above), to do the works"
        )]
        let reach = zhucan_store::Reach::system("homemod.contractor");
        let file = state
            .store
            .person_file(&app.citizen_id, &reach)
            .await
            .or_page(caller)?
            .ok_or_else(|| PageError::not_found(caller))?;
        return Ok((app, project, Viewer::Contractor, file));
    }
    let file = state
        .store
        .person_file(&app.citizen_id, &zhucan_store::Reach::of(&caller.user))
        .await
        .or_page(caller)?
        .filter(|f| scope::can_read(&caller.user, &f.person))
        .ok_or_else(|| PageError::not_found(caller))?;
    let writes = scope::can_write(&caller.user, &file.person);
    Ok((app, project, Viewer::Staff { writes }, file))
}

// ---------------------------------------------------------------- the queue

#[derive(Debug, Deserialize, Default)]
pub struct QueueParams {
    year: Option<String>,
    stage: Option<String>,
    /// A stated need to act on: the application form is filled from it.
    need: Option<String>,
}

/// What a queue page is shown again with: a refused budget or application form, or a stated
/// need to apply from.
enum QueuePosted<'a> {
    Budget(&'a Submission),
    Apply(&'a Submission),
    Need(&'a Need),
}

struct QueueRow {
    id: String,
    name: String,
    masked_id: String,
    area: String,
    stage: String,
    submitted: String,
    due: String,
    overdue: bool,
    quote: String,
    subsidy: String,
}

struct BudgetRow {
    township: String,
    budget: String,
    used: String,
    committed: String,
    left: String,
    over: bool,
}

#[derive(Template)]
#[template(path = "homemod_queue.html")]
struct QueuePage {
    c: Chrome,
    year: i64,
    stage: String,
    stages: Vec<(String, String)>,
    rows: Vec<QueueRow>,
    summary: String,
    budgets: Vec<BudgetRow>,
    contractors: Vec<(String, String, String, usize)>,
    can_set_budget: bool,
    can_export: bool,
    budget_fields: Vec<FormField>,
    can_apply: bool,
    apply_fields: Vec<FormField>,
    from_need: Option<String>,
    waiting: WaitingNeeds,
    can_act: bool,
    purpose: String,
    purpose_required: bool,
    purpose_threshold: usize,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

/// The staff's area (a township or the district; a village worker's village).
fn area_of(caller: &PageCaller) -> Result<AreaCode, PageError> {
    scope::person_area(&caller.user)
        .cloned()
        .ok_or_else(|| PageError::forbidden(caller))
}

/// The rows of the queue: the applications of the area, with their projects.
async fn queue_rows(
    state: &AppState,
    caller: &PageCaller,
    def: &ServiceDef,
    area: &AreaCode,
    year: i64,
    stage_key: &str,
) -> Result<Vec<(Application, Option<Project>, String)>, PageError> {
    let (_, apps) = state
        .store
        .applications(&AppQuery {
            status: None,
            area: Some(area.clone()),
            service_key: Some(rules::SERVICE.into()),
            page: 1,
            per_page: 100_000,
            ..AppQuery::default()
        })
        .await
        .or_page(caller)?;
    let projects: HashMap<String, Project> = state
        .store
        .projects_in(area.as_str(), None)
        .await
        .or_page(caller)?
        .into_iter()
        .map(|p| (p.application_id.clone(), p))
        .collect();
    let ids: Vec<_> = apps.iter().map(|a| a.citizen_id.clone()).collect();
    let names: HashMap<String, String> = state
        .store
        .summaries_of(&ids)
        .await
        .or_page(caller)?
        .into_iter()
        .map(|s| (s.citizen_id.as_str().to_string(), s.name))
        .collect();
    Ok(apps
        .into_iter()
        .filter(|a| a.submitted_at.get(..4) == Some(year.to_string().as_str()))
        .filter(|a| match stage_key {
            "" => true,
            "open" => is_open(a),
            "overdue" => overdue(a),
            "approved" | "rejected" => a.status == stage_key,
            k => is_open(a) && step_key(def, a) == k,
        })
        .map(|a| {
            let p = projects.get(&a.id).cloned();
            let name = names
                .get(a.citizen_id.as_str())
                .cloned()
                .unwrap_or_default();
            (a, p, name)
        })
        .collect())
}

fn budget_rows(budgets: &[Budget], names: &AreaNames) -> Vec<BudgetRow> {
    budgets
        .iter()
        .map(|b| BudgetRow {
            township: names.name(&b.township),
            budget: opt_yuan(b.budget_fen),
            used: yuan(b.used_fen),
            committed: yuan(b.committed_fen),
            left: opt_yuan(b.left_fen()),
            over: b.left_fen().is_some_and(|l| l < 0),
        })
        .collect()
}

fn budget_fields(lang: Lang, townships: Vec<(String, String)>, year: i64) -> Vec<FormField> {
    let mut y = FormField::new("year", crate::t(lang, "year"), "text").required();
    y.value = year.to_string();
    vec![
        FormField::new("township", crate::t(lang, "township"), "select")
            .required()
            .options(townships),
        y,
        FormField::new("budget_yuan", crate::t(lang, "budget-yuan"), "text").required(),
    ]
}

fn stages(def: &ServiceDef, lang: Lang) -> Vec<(String, String)> {
    let mut v = vec![
        (String::new(), crate::t(lang, "all").to_string()),
        ("open".into(), crate::t(lang, "open-projects").to_string()),
        (
            "overdue".into(),
            crate::t(lang, "overdue-projects").to_string(),
        ),
    ];
    v.extend(
        def.steps
            .iter()
            .map(|s| (s.key.clone(), s.label(lang).to_string())),
    );
    v.push(("approved".into(), crate::t(lang, "stage-accepted").into()));
    v.push(("rejected".into(), crate::t(lang, "stage-rejected").into()));
    v
}

fn year_of(raw: Option<&str>) -> i64 {
    raw.and_then(|y| y.trim().parse::<i64>().ok())
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| i64::from(today().year()))
}

#[allow(clippy::too_many_arguments)]
async fn queue_page(
    state: &AppState,
    caller: &PageCaller,
    year: i64,
    stage_key: &str,
    errors: Vec<(String, String)>,
    posted: Option<QueuePosted<'_>>,
    purpose: String,
    notice: Option<String>,
) -> PageResult {
    let lang = caller.lang;
    let area = area_of(caller)?;
    let def = service_def(state, caller).await?;
    let (areas, names) = area_names(state).await.or_page(caller)?;
    let rows = queue_rows(state, caller, &def, &area, year, stage_key).await?;
    let township_area = if area.level() == AreaLevel::Village {
        area.parent().unwrap_or(area.clone())
    } else {
        area.clone()
    };
    let budgets = state
        .store
        .budgets(township_area.as_str(), year)
        .await
        .or_page(caller)?;
    let contractors = state.store.contractors().await.or_page(caller)?;
    let assigned: Vec<(String, String, String, usize)> = contractors
        .iter()
        .map(|c| {
            let n = rows
                .iter()
                .filter(|(a, p, _)| {
                    is_open(a) && p.as_ref().and_then(|p| p.contractor.as_deref()) == Some(&c.code)
                })
                .count();
            (c.code.clone(), c.name.clone(), c.contact.clone(), n)
        })
        .collect();
    let townships: Vec<(String, String)> = areas
        .iter()
        .filter(|a| a.code.level() == AreaLevel::Township && area.contains(&a.code))
        .map(|a| (a.code.to_string(), a.name.clone()))
        .collect();
    let mut bf = budget_fields(lang, townships, year);
    let mut af = apply_fields(&def, lang);
    let mut from_need = None;
    let mut errors = errors;
    match posted {
        Some(QueuePosted::Budget(s)) => errors.extend(s.apply(&mut bf)),
        Some(QueuePosted::Apply(s)) => {
            from_need = Some(s.get("a_need").to_string()).filter(|n| !n.is_empty());
            errors.extend(s.apply(&mut af));
        }
        Some(QueuePosted::Need(n)) => {
            from_need = Some(n.id.clone());
            fill(&mut af, "a_citizen_id", n.citizen_id.as_str());
            fill(
                &mut af,
                "f_note",
                n.description.chars().take(300).collect::<String>(),
            );
        }
        None => {}
    }
    let n_over = rows.iter().filter(|(a, _, _)| overdue(a)).count();
    let summary = crate::tf(
        lang,
        "projects-n-overdue-m",
        &[("n", rows.len().into()), ("m", n_over.into())],
    );
    let threshold = state.policy().await.export_purpose_rows;
    let view = QueuePage {
        c: chrome(
            Some(caller),
            lang,
            "/homemod",
            "homemod",
            crate::t(lang, "home-modification"),
        ),
        year,
        stage: stage_key.to_string(),
        stages: stages(&def, lang),
        summary,
        purpose_required: rows.len() > threshold,
        purpose_threshold: threshold,
        rows: rows
            .iter()
            .map(|(a, p, name)| QueueRow {
                id: a.id.clone(),
                name: name.clone(),
                masked_id: a.citizen_id.masked(),
                area: names.name(&a.area),
                stage: stage(&def, a, lang),
                submitted: a.submitted_at.get(..10).unwrap_or("").into(),
                due: a.due_on.clone(),
                overdue: overdue(a),
                quote: opt_yuan(p.as_ref().and_then(|p| p.quote_fen)),
                subsidy: opt_yuan(
                    p.as_ref()
                        .and_then(|p| p.subsidy_fen.or(p.subsidy_planned_fen)),
                ),
            })
            .collect(),
        budgets: budget_rows(&budgets, &names),
        contractors: assigned,
        can_set_budget: SetsBudgets::held_by(&caller.user),
        can_export: ExportsPersons::held_by(&caller.user),
        budget_fields: bf,
        can_apply: WorksProjects::held_by(&caller.user),
        apply_fields: af,
        from_need,
        waiting: waiting(state, caller, &area, NeedKind::HomeModification, "/homemod").await?,
        can_act: WorksProjects::held_by(&caller.user),
        purpose,
        errors: errors.clone(),
        notice,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(status, &view))
}

/// `GET /homemod`: the projects of the caller's area for a year.
pub async fn queue(
    State(state): State<AppState>,
    caller: Holds<WorksProjects>,
    Query(q): Query<QueueParams>,
) -> PageResult {
    let year = year_of(q.year.as_deref());
    let stage_key = q.stage.clone().unwrap_or_default();
    let need = match q.need.as_deref() {
        Some(id) => Some(
            takeable(&state, &caller, id, NeedKind::HomeModification)
                .await?
                .ok_or_else(|| PageError::not_found(&caller))?,
        ),
        None => None,
    };
    queue_page(
        &state,
        &caller,
        year,
        &stage_key,
        vec![],
        need.as_ref().map(QueuePosted::Need),
        String::new(),
        None,
    )
    .await
}

/// The staff's form to apply for a household: the person, the service's own questions (the
/// household's form on the service end) and, hidden, the stated need it acts on.
fn apply_fields(def: &ServiceDef, lang: Lang) -> Vec<FormField> {
    let mut v = vec![
        FormField::new("a_citizen_id", crate::t(lang, "citizen-id"), "text")
            .required()
            .hint(crate::t(lang, "apply-for-hint")),
    ];
    v.extend(zhucan_service::citizen::form_fields(def, lang));
    v
}

/// The queue of this year again, with the refused application form and its errors.
async fn apply_refused(state: &AppState, caller: &PageCaller, sub: &Submission) -> PageResult {
    queue_page(
        state,
        caller,
        i64::from(today().year()),
        "",
        vec![],
        Some(QueuePosted::Apply(sub)),
        String::new(),
        None,
    )
    .await
}

/// `POST /homemod/apply`: staff apply for a household (at the office, on a visit, or from a
/// need the household stated), in the household's name; the project then runs as any other.
pub async fn apply(
    State(state): State<AppState>,
    caller: Holds<WorksProjects>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let def = service_def(&state, &caller).await?;
    let mut sub = Submission::new(form);
    let file = typed_person(&state, &caller, &mut sub, "a_citizen_id").await?;
    let answers = zhucan_service::citizen::read_answers(&def, &mut sub, lang);
    let need_id = check_need(
        &state,
        &caller,
        &mut sub,
        "a_need",
        "a_citizen_id",
        NeedKind::HomeModification,
        file.as_ref().map(|f| &f.person.citizen_id),
    )
    .await?;
    if let Some(f) = &file {
        let day = today();
        check_present(&mut sub, "a_citizen_id", f, day, lang);
        if !def
            .eligibility
            .admits(&zhucan_service::applicant::applicant_of(f, day))
        {
            sub.fail(
                "a_citizen_id",
                zhucan_service::tf(
                    lang,
                    "not-eligible-to-apply",
                    &[("who", def.eligibility.label(lang).to_string().into())],
                ),
            );
        }
        let (_, open) = state
            .store
            .applications(&AppQuery {
                status: Some("active".into()),
                service_key: Some(rules::SERVICE.into()),
                citizen_ids: vec![f.person.citizen_id.clone()],
                page: 1,
                per_page: 1,
                ..AppQuery::default()
            })
            .await
            .or_page(&caller)?;
        if let Some(a) = open.first() {
            sub.fail(
                "a_citizen_id",
                zhucan_service::tf(
                    lang,
                    "already-applied",
                    &[(
                        "v",
                        a.submitted_at.get(..10).unwrap_or("").to_string().into(),
                    )],
                ),
            );
        }
    }
    let (Some(file), Some(answers), true) = (file, answers, sub.errors.is_empty()) else {
        return apply_refused(&state, &caller, &sub).await;
    };
    let id = &file.person.citizen_id;
    let due = today() + chrono::Duration::days(def.promised_days);
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "homemod.apply_for",
        id.as_str(),
        "ok",
        serde_json::json!({"need": (!need_id.is_empty()).then_some(&need_id), "due_on": due}),
    );
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    let app = state
        .store
        .apply_for(
            id,
            &def,
            file.person.home_area(),
            &answers,
            due,
            Some(need_id.as_str()).filter(|n| !n.is_empty()),
            &actor,
            &audit,
        )
        .await
        .or_page(&caller)?;
    let Some(app) = app else {
        // The need was taken or closed between the check and the write: nothing was written.
        sub.fail(
            "a_citizen_id",
            zhucan_service::tf(lang, "not-a-waiting-need", &[("v", need_id.clone().into())]),
        );
        return apply_refused(&state, &caller, &sub).await;
    };
    zhucan_service::notify::notify(
        &state.store,
        id,
        &format!("已为您申请“{}”", def.name),
        &format!("工作人员已为您提交申请，我们会在 {due} 前办结，办理进度可在“我的申请”中查看。"),
        &format!("/me/applications/{app}"),
    )
    .await;
    Ok(Redirect::to(&format!("/homemod/projects/{app}")).into_response())
}

/// `POST /homemod/budgets`: a township's budget for a year (the district administrator).
pub async fn set_budget(
    State(state): State<AppState>,
    caller: Holds<SetsBudgets>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let area = area_of(&caller)?;
    let mut sub = Submission::new(form);
    let township = sub.get("township").trim().to_string();
    let code =
        AreaCode::parse(&township).filter(|c| c.level() == AreaLevel::Township && area.contains(c));
    if code.is_none() {
        sub.fail(
            "township",
            crate::tf(
                lang,
                "not-a-township-of-the-area",
                &[("v", township.clone().into())],
            ),
        );
    }
    let year_raw = sub.get("year").trim().to_string();
    let year = year_raw
        .parse::<i64>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    if year.is_none() {
        sub.fail(
            "year",
            crate::tf(lang, "not-a-year", &[("v", year_raw.clone().into())]),
        );
    }
    let raw = sub.get("budget_yuan").trim().to_string();
    let fen = parse_yuan_to_fen(&raw)
        .ok()
        .filter(|f| (0..=100_000_000_000).contains(f));
    if fen.is_none() {
        sub.fail(
            "budget_yuan",
            crate::tf(lang, "not-an-amount", &[("v", raw.clone().into())]),
        );
    }
    let (Some(code), Some(year), Some(fen)) = (code, year, fen) else {
        let y = year.unwrap_or_else(|| i64::from(today().year()));
        return queue_page(
            &state,
            &caller,
            y,
            "",
            vec![],
            Some(QueuePosted::Budget(&sub)),
            String::new(),
            None,
        )
        .await;
    };
    let old = state
        .store
        .budget(code.as_str(), year)
        .await
        .or_page(&caller)?;
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "homemod.budget.set",
        code.as_str(),
        "ok",
        serde_json::json!({"year": year, "old": old.budget_fen, "new": fen}),
    );
    state
        .store
        .set_budget(code.as_str(), year, fen, &caller.user.username, &audit)
        .await
        .or_page(&caller)?;
    Ok(Redirect::to(&format!("/homemod?year={year}")).into_response())
}

/// `POST /homemod/export`: the queue of the caller's area for a year as a workbook.
pub async fn export(
    State(state): State<AppState>,
    caller: Holds<ExportsPersons>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    if !WorksProjects::held_by(&caller.user) {
        return Err(PageError::forbidden(&caller));
    }
    let area = area_of(&caller)?;
    let def = service_def(&state, &caller).await?;
    let year = year_of(form.get("year").map(String::as_str));
    let stage_key = form.get("stage").cloned().unwrap_or_default();
    let rows = queue_rows(&state, &caller, &def, &area, year, &stage_key).await?;
    let threshold = state.policy().await.export_purpose_rows;
    let purpose = match zhucan_web::purpose::check_purpose(
        lang,
        form.get("purpose").map(String::as_str),
        rows.len(),
        threshold,
    ) {
        Ok(p) => p,
        Err(message) => {
            let typed = form
                .get("purpose")
                .map(|s| s.trim().to_string())
                .unwrap_or_default();
            return queue_page(
                &state,
                &caller,
                year,
                &stage_key,
                vec![("purpose".into(), message)],
                None,
                typed,
                None,
            )
            .await;
        }
    };
    let (_, names) = area_names(&state).await.or_page(&caller)?;
    let contractors: HashMap<String, String> = state
        .store
        .contractors()
        .await
        .or_page(&caller)?
        .into_iter()
        .map(|c| (c.code, c.name))
        .collect();
    let heads = [
        crate::t(lang, "application"),
        crate::t(lang, "name"),
        crate::t(lang, "citizen-id"),
        crate::t(lang, "area"),
        crate::t(lang, "stage"),
        crate::t(lang, "applied"),
        crate::t(lang, "due"),
        crate::t(lang, "overdue"),
        crate::t(lang, "contractor"),
        crate::t(lang, "quote-yuan"),
        crate::t(lang, "accepted-on"),
        crate::t(lang, "cost-yuan"),
        crate::t(lang, "subsidy-yuan"),
        crate::t(lang, "paid-on"),
    ];
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|(a, p, name)| {
            let p = p.as_ref();
            vec![
                a.id.clone(),
                name.clone(),
                a.citizen_id.masked(),
                names.name(&a.area),
                stage(&def, a, lang),
                a.submitted_at.get(..10).unwrap_or("").into(),
                a.due_on.clone(),
                if overdue(a) {
                    crate::t(lang, "yes").into()
                } else {
                    String::new()
                },
                p.and_then(|p| p.contractor.as_ref())
                    .map(|c| contractors.get(c).cloned().unwrap_or_else(|| c.clone()))
                    .unwrap_or_default(),
                opt_yuan(p.and_then(|p| p.quote_fen)),
                p.and_then(|p| p.accepted_on.clone()).unwrap_or_default(),
                opt_yuan(p.and_then(|p| p.cost_fen)),
                opt_yuan(p.and_then(|p| p.subsidy_fen)),
                p.and_then(|p| p.paid_on.clone()).unwrap_or_default(),
            ]
        })
        .collect();
    let title = format!(
        "{} · {} · {year}",
        crate::t(lang, "home-modification"),
        names.of(&area)
    );
    let Ok(bytes) = zhucan_web::xlsx::list_xlsx(&title, &heads, &lines) else {
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
            "homemod.export",
            area.as_str(),
            "ok",
            serde_json::json!({"year": year, "stage": stage_key, "rows": lines.len(), "purpose": purpose}),
        ),
    )
    .await;
    Ok(zhucan_web::xlsx::download(
        &format!("homemod-{}-{year}.xlsx", area.as_str()),
        bytes,
    ))
}

// ---------------------------------------------------------------- the contractor's list

struct WorkRow {
    id: String,
    name: String,
    address: String,
    stage: String,
    due: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "homemod_works.html")]
struct WorksPage {
    c: Chrome,
    contractor: Option<String>,
    rows: Vec<WorkRow>,
}

/// `GET /homemod/works`: the projects assigned to the contractor's organisation.
pub async fn works(State(state): State<AppState>, caller: Holds<IsContractor>) -> PageResult {
    let lang = caller.lang;
    let org = org_of(&state, &caller).await?;
    let def = service_def(&state, &caller).await?;
    let mut rows = Vec::new();
    let mut contractor = None;
    if let Some(code) = org.as_deref() {
        contractor = state
            .store
            .contractor(code)
            .await
            .or_page(&caller)?
            .map(|c| c.name);
        for p in state
            .store
            .projects_of_contractor(code)
            .await
            .or_page(&caller)?
        {
            let Some(a) = state
                .store
                .application(&p.application_id)
                .await
                .or_page(&caller)?
            else {
                continue;
            };
            #[expect(
                clippy::disallowed_methods,
                reason = "the contractor's own projects (assigned to its organisation): the household's name for the list"
            )]
            let reach = zhucan_store::Reach::system("homemod.contractor");
            let name = state
                .store
                .person_file(&a.citizen_id, &reach)
                .await
                .or_page(&caller)?
                .map(|f| f.person.name)
                .unwrap_or_default();
            rows.push(WorkRow {
                id: a.id.clone(),
                name,
                address: a.answers.get("address").cloned().unwrap_or_default(),
                stage: stage(&def, &a, lang),
                due: a.due_on.clone(),
                overdue: overdue(&a),
            });
        }
    }
    Ok(render(
        StatusCode::OK,
        &WorksPage {
            c: chrome(
                Some(&caller),
                lang,
                "/homemod/works",
                "homemod_works",
                crate::t(lang, "my-projects"),
            ),
            contractor,
            rows,
        },
    ))
}

// ---------------------------------------------------------------- a project

struct LineView {
    item: String,
    quantity: String,
    price: String,
    total: String,
}

struct ItemInput {
    key: String,
    label: String,
    unit: String,
    cap: String,
    quantity: String,
    price: String,
    error: Option<String>,
    error_field: String,
}

#[derive(Template)]
#[template(path = "homemod_project.html")]
struct ProjectPage {
    c: Chrome,
    id: String,
    name: String,
    masked_id: String,
    handle: Option<String>,
    area: String,
    address: String,
    phone: String,
    stage: String,
    due: String,
    overdue: bool,
    steps: Vec<(String, String)>,
    eligibility: String,
    lines: Vec<LineView>,
    survey_note: String,
    quote: String,
    planned: String,
    contractor: String,
    works_note: String,
    works_done_on: String,
    accepted_on: String,
    cost: String,
    subsidy: String,
    acceptance_note: String,
    paid_on: String,
    payment_ref: String,
    files: Vec<(i64, String, String)>,
    /// The step the caller may act at (`accept`, `survey`, `works`, `decide`), else empty.
    form: String,
    form_hint: String,
    fields: Vec<FormField>,
    items: Vec<ItemInput>,
    photos_error: Option<String>,
    can_pay: bool,
    pay_fields: Vec<FormField>,
    version: i64,
    errors: Vec<(String, String)>,
}

/// What a form posted (and the errors found) to show again.
struct Posted<'a> {
    sub: &'a Submission,
    photos_error: Option<String>,
}

fn step_progress(def: &ServiceDef, app: &Application, lang: Lang) -> Vec<(String, String)> {
    def.steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let i = i as i64;
            let st = match app.status.as_str() {
                "approved" => crate::t(lang, "done"),
                "rejected" if i < app.step => crate::t(lang, "done"),
                "rejected" if i == app.step => crate::t(lang, "rejected-here"),
                "rejected" => crate::t(lang, "not-done"),
                _ if i < app.step => crate::t(lang, "done"),
                _ if i == app.step => crate::t(lang, "current"),
                _ => crate::t(lang, "not-started"),
            };
            let by = if s.by == StepBy::Staff {
                String::new()
            } else {
                format!("（{}）", s.by.label(lang))
            };
            (format!("{}{by}", s.label(lang)), st.to_string())
        })
        .collect()
}

fn action_field(lang: Lang, main: (&str, &str)) -> FormField {
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
}

fn date_field(name: &str, label: &str, hint: &str) -> FormField {
    let mut f = FormField::new(name, label, "date").required().hint(hint);
    f.value = today().to_string();
    f
}

/// The fields of the form of `form` (a step key) for the caller.
fn step_fields(
    lang: Lang,
    form: &str,
    contractors: &[Contractor],
    judgement: Option<&rules::Judgement>,
) -> Vec<FormField> {
    let note = |required: bool| {
        let f = FormField::new("note", crate::t(lang, "note-or-reasons"), "text")
            .hint(crate::t(lang, "note-hint"));
        if required { f.required() } else { f }
    };
    match form {
        step::ACCEPT => {
            let (main, hint) = match judgement {
                Some(j) if !j.eligible => (
                    crate::t(lang, "accept-anyway"),
                    crate::t(lang, "ineligible-hint"),
                ),
                _ => (
                    crate::t(lang, "accept-eligible"),
                    crate::t(lang, "accept-hint"),
                ),
            };
            vec![action_field(lang, ("accept", main)).hint(hint), note(false)]
        }
        step::SURVEY => {
            let mut opts = vec![(String::new(), crate::t(lang, "choose").to_string())];
            opts.extend(
                contractors
                    .iter()
                    .filter(|c| c.active)
                    .map(|c| (c.code.clone(), format!("{}（{}）", c.name, c.code))),
            );
            vec![
                action_field(lang, ("survey", crate::t(lang, "record-the-survey"))),
                date_field(
                    "surveyed_on",
                    crate::t(lang, "surveyed-on"),
                    crate::t(lang, "date-hint"),
                ),
                FormField::new("contractor", crate::t(lang, "contractor"), "select")
                    .required()
                    .hint(crate::t(lang, "contractor-hint"))
                    .options(opts),
                note(false),
            ]
        }
        step::WORKS => vec![
            date_field(
                "done_on",
                crate::t(lang, "works-done-on"),
                crate::t(lang, "date-hint"),
            ),
            FormField::new("note", crate::t(lang, "works-note"), "text")
                .required()
                .hint(crate::t(lang, "works-note-hint")),
        ],
        step::DECIDE => vec![
            action_field(lang, ("inspect", crate::t(lang, "accept-the-works"))),
            date_field(
                "accepted_on",
                crate::t(lang, "accepted-on"),
                crate::t(lang, "date-hint"),
            ),
            FormField::new("cost_yuan", crate::t(lang, "cost-yuan"), "text")
                .required()
                .hint(crate::t(lang, "cost-hint")),
            FormField::new("confirmed", crate::t(lang, "household-confirmed"), "select")
                .required()
                .hint(crate::t(lang, "household-confirmed-hint"))
                .options({
                    let mut o = vec![(String::new(), crate::t(lang, "choose").to_string())];
                    o.extend(yes_no_options(lang));
                    o
                }),
            note(false),
        ],
        _ => vec![],
    }
}

/// The eligibility judgement of the applicant's household today.
async fn judgement(
    state: &AppState,
    caller: &PageCaller,
    app: &Application,
    area: &AreaCode,
) -> Result<Result<rules::Judgement, String>, PageError> {
    let day = today();
    let policy = state.store.policy().await.or_page(caller)?;
    let terms = match Terms::resolve(&policy, area, day) {
        Ok(t) => t,
        Err(k) => {
            return Ok(Err(crate::tf(
                caller.lang,
                "parameter-not-set",
                &[("p", k.label(caller.lang).to_string().into())],
            )));
        }
    };
    let snap = state.facts.snapshot().await.or_page(caller)?;
    let household = match snap.index_of(&app.citizen_id) {
        Some(i) => {
            let Some(p) = snap.persons.get(i) else {
                return Err(PageError::not_found(caller));
            };
            Household {
                economic: snap.economic_on(&app.citizen_id, day),
                last_done: snap
                    .hm_dates(p)
                    .iter()
                    .filter(|d| **d <= day)
                    .max()
                    .copied(),
            }
        }
        None => Household {
            economic: None,
            last_done: None,
        },
    };
    Ok(Ok(rules::judge(&terms, &household, day)))
}

async fn project_page(
    state: &AppState,
    caller: &PageCaller,
    id: &str,
    posted: Option<Posted<'_>>,
) -> PageResult {
    let lang = caller.lang;
    let (app, project, viewer, file) = load(state, caller, id).await?;
    let def = service_def(state, caller).await?;
    let (_, names) = area_names(state).await.or_page(caller)?;
    let items = state.store.items().await.or_page(caller)?;
    let contractors = state.store.contractors().await.or_page(caller)?;
    let files = state.store.application_files(id).await.or_page(caller)?;
    let current = step_key(&def, &app);
    let staff_acts =
        matches!(viewer, Viewer::Staff { writes: true }) && ActsOnProjects::held_by(&caller.user);
    let form = match (&viewer, current.as_str()) {
        (Viewer::Contractor, step::WORKS) if app.status == "submitted" => step::WORKS,
        (Viewer::Staff { .. }, step::ACCEPT | step::SURVEY | step::DECIDE)
            if staff_acts && app.status == "submitted" =>
        {
            match current.as_str() {
                step::ACCEPT => step::ACCEPT,
                step::SURVEY => step::SURVEY,
                _ => step::DECIDE,
            }
        }
        _ => "",
    };
    let judged = if form == step::ACCEPT {
        Some(judgement(state, caller, &app, file.person.home_area()).await?)
    } else {
        None
    };
    let mut form_hint = String::new();
    let mut ok_judgement = None;
    if let Some(j) = &judged {
        match j {
            Ok(j) => {
                form_hint = j.text(lang);
                ok_judgement = Some(j.clone());
            }
            Err(m) => form_hint = m.clone(),
        }
    }
    if matches!(viewer, Viewer::Staff { .. }) && current == step::WORKS {
        form_hint = crate::t(lang, "waiting-for-the-contractor").into();
    }
    let mut fields = step_fields(lang, form, &contractors, ok_judgement.as_ref());
    let mut errors = Vec::new();
    let mut photos_error = None;
    let sub = posted.as_ref().map(|p| p.sub);
    if let Some(p) = &posted {
        errors = p.sub.apply(&mut fields);
        photos_error = p.photos_error.clone();
        if let Some(e) = &photos_error {
            errors.push(("photos".into(), e.clone()));
        }
    }
    let item_inputs: Vec<ItemInput> = if form == step::SURVEY {
        items
            .iter()
            .map(|it| {
                let qf = format!("q_{}", it.key);
                let pf = format!("p_{}", it.key);
                let err = sub.and_then(|s| {
                    s.errors
                        .iter()
                        .find(|(f, _)| *f == qf || *f == pf)
                        .map(|(f, m)| (f.clone(), m.clone()))
                });
                ItemInput {
                    key: it.key.clone(),
                    label: it.label(lang).to_string(),
                    unit: it.unit(lang).to_string(),
                    cap: yuan(it.cap_fen),
                    quantity: sub.map(|s| s.get(&qf).to_string()).unwrap_or_default(),
                    price: sub.map(|s| s.get(&pf).to_string()).unwrap_or_default(),
                    error_field: err.as_ref().map(|e| e.0.clone()).unwrap_or_default(),
                    error: err.map(|e| e.1),
                }
            })
            .collect()
    } else {
        vec![]
    };
    if let Some(s) = sub {
        for (f, m) in &s.errors {
            if (f.starts_with("q_") || f.starts_with("p_") || f == "items")
                && !errors.iter().any(|(g, _)| g == f)
            {
                errors.push((f.clone(), m.clone()));
            }
        }
    }
    let contractor_name = |code: &str| {
        contractors
            .iter()
            .find(|c| c.code == code)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| code.to_string())
    };
    let p = project.as_ref();
    let lines = p
        .map(|p| {
            p.survey
                .iter()
                .map(|l| line_view(l, &items, lang))
                .collect()
        })
        .unwrap_or_default();
    let is_contractor = matches!(viewer, Viewer::Contractor);
    // A contractor sees the household's name, address and phone (to do the works), never
    // the citizen ID, the file or the money beyond the quote.
    let phone = app
        .answers
        .get("contact_phone")
        .cloned()
        .unwrap_or_default();
    let phone = if is_contractor && is_open(&app) {
        phone
    } else {
        zhucan_domain::ids::mask_phone(&phone)
    };
    let can_pay = staff_acts && p.is_some_and(|p| p.accepted_on.is_some() && p.paid_on.is_none());
    let mut pay_fields = vec![
        date_field(
            "paid_on",
            crate::t(lang, "paid-on"),
            crate::t(lang, "date-hint"),
        ),
        FormField::new("payment_ref", crate::t(lang, "payment-ref"), "text")
            .required()
            .hint(crate::t(lang, "payment-ref-hint")),
    ];
    if let Some(s) = sub
        && s.get("form") == "payment"
    {
        errors = s.apply(&mut pay_fields);
    }
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "homemod.read",
        app.citizen_id.as_str(),
        "ok",
        serde_json::json!({"application": id}),
    ));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = ProjectPage {
        c: chrome(
            Some(caller),
            lang,
            &format!("/homemod/projects/{id}"),
            if is_contractor {
                "homemod_works"
            } else {
                "homemod"
            },
            crate::t(lang, "home-modification-project"),
        ),
        id: app.id.clone(),
        name: file.person.name.clone(),
        masked_id: if is_contractor {
            String::new()
        } else {
            app.citizen_id.masked()
        },
        handle: (!is_contractor).then(|| file.handle.clone()),
        area: names.of(file.person.home_area()),
        address: app.answers.get("address").cloned().unwrap_or_default(),
        phone,
        stage: stage(&def, &app, lang),
        due: app.due_on.clone(),
        overdue: overdue(&app),
        steps: step_progress(&def, &app, lang),
        eligibility: p.map(|p| p.eligibility.clone()).unwrap_or_default(),
        lines,
        survey_note: p.and_then(|p| p.survey_note.clone()).unwrap_or_default(),
        quote: opt_yuan(p.and_then(|p| p.quote_fen)),
        planned: if is_contractor {
            String::new()
        } else {
            opt_yuan(p.and_then(|p| p.subsidy_planned_fen))
        },
        contractor: p
            .and_then(|p| p.contractor.as_deref())
            .map(contractor_name)
            .unwrap_or_default(),
        works_note: p.and_then(|p| p.works_note.clone()).unwrap_or_default(),
        works_done_on: p.and_then(|p| p.works_done_on.clone()).unwrap_or_default(),
        accepted_on: p.and_then(|p| p.accepted_on.clone()).unwrap_or_default(),
        cost: opt_yuan(p.and_then(|p| p.cost_fen)),
        subsidy: if is_contractor {
            String::new()
        } else {
            opt_yuan(p.and_then(|p| p.subsidy_fen))
        },
        acceptance_note: p
            .and_then(|p| p.acceptance_note.clone())
            .unwrap_or_default(),
        paid_on: p.and_then(|p| p.paid_on.clone()).unwrap_or_default(),
        payment_ref: if is_contractor {
            String::new()
        } else {
            p.and_then(|p| p.payment_ref.clone()).unwrap_or_default()
        },
        files: files
            .iter()
            .map(|f| (f.seq, f.file_name.clone(), doc_label(&f.document_key, lang)))
            .collect(),
        form: form.to_string(),
        form_hint,
        fields,
        items: item_inputs,
        photos_error,
        can_pay,
        pay_fields,
        version: app.version,
        errors,
    };
    Ok(render(status, &view))
}

fn doc_label(key: &str, lang: Lang) -> String {
    match key {
        "survey_photo" => crate::t(lang, "survey-photo").into(),
        "works_photo" => crate::t(lang, "works-photo").into(),
        "acceptance_photo" => crate::t(lang, "acceptance-photo").into(),
        _ => crate::t(lang, "application-document").into(),
    }
}

fn line_view(l: &SurveyLine, items: &[Item], lang: Lang) -> LineView {
    let it = items.iter().find(|i| i.key == l.item);
    LineView {
        item: it
            .map(|i| i.label(lang).to_string())
            .unwrap_or(l.item.clone()),
        quantity: format!(
            "{} {}",
            l.quantity,
            it.map(|i| i.unit(lang)).unwrap_or_default()
        ),
        price: yuan(l.unit_price_fen),
        total: yuan(l.total_fen()),
    }
}

/// `GET /homemod/projects/{id}`.
pub async fn project(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> PageResult {
    project_page(&state, &caller, &id, None).await
}

/// `GET /homemod/projects/{id}/files/{seq}`: a photo or document of the project (audited).
pub async fn file(
    State(state): State<AppState>,
    caller: PageCaller,
    Path((id, seq)): Path<(String, i64)>,
) -> PageResult {
    load(&state, &caller, &id).await?;
    Ok(zhucan_service::citizen::send_file(&state, &caller, &id, seq).await)
}

/// The photos posted with a step, checked by content and size.
fn photos(
    posted: &[(String, String, Vec<u8>)],
    key: &str,
    lang: Lang,
) -> Result<Vec<Upload>, String> {
    let mut out = Vec::new();
    for (field, name, data) in posted {
        if field != "photos" {
            continue;
        }
        if out.len() >= 6 {
            return Err(crate::t(lang, "at-most-six-photos").into());
        }
        let content_type = check_upload(name, data, lang)?;
        out.push(Upload {
            document_key: key.into(),
            file_name: name.chars().take(120).collect(),
            content_type: content_type.into(),
            data: data.clone(),
        });
    }
    Ok(out)
}

fn read_date(sub: &mut Submission, field: &str, lang: Lang) -> Option<chrono::NaiveDate> {
    let raw = sub.get(field).trim().to_string();
    match parse_date(&raw) {
        Ok(d) if d <= today() => Some(d),
        Ok(_) => {
            sub.fail(
                field,
                crate::tf(lang, "date-in-the-future", &[("v", raw.into())]),
            );
            None
        }
        Err(_) => {
            sub.fail(field, crate::tf(lang, "not-a-date", &[("v", raw.into())]));
            None
        }
    }
}

/// `POST /homemod/projects/{id}/act`: the current step's form (multipart, with photos).
pub async fn act(
    State(state): State<AppState>,
    caller: Holds<WorksOrBuilds>,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> PageResult {
    let lang = caller.lang;
    // The project is found (within reach) before the body is read: a project out of reach is
    // the same 404 whatever is posted.
    let (app, project, viewer, file) = load(&state, &caller, &id).await?;
    let CsrfMultipart(posted) = CsrfMultipart::from_request(req, &state).await?;
    let def = service_def(&state, &caller).await?;
    let mut sub = Submission::new(posted.values);
    let stale = || {
        PageError::message(
            &caller,
            StatusCode::CONFLICT,
            "这个项目已被他人处理，请刷新后再看。",
            "Someone else has acted on this project; reload it.",
        )
    };
    let version: i64 = sub.get("version").parse().unwrap_or(-1);
    if version != app.version || app.status != "submitted" {
        return Err(stale());
    }
    let current = step_key(&def, &app);
    let is_contractor = matches!(viewer, Viewer::Contractor);
    let allowed = match &viewer {
        Viewer::Contractor => current == step::WORKS,
        Viewer::Staff { writes } => {
            *writes && ActsOnProjects::held_by(&caller.user) && current != step::WORKS
        }
    };
    if !allowed {
        return Err(
            if is_contractor || matches!(viewer, Viewer::Staff { writes: true }) {
                PageError::message(
                    &caller,
                    StatusCode::FORBIDDEN,
                    "这一环节不由您办理。",
                    "This step is not yours to do.",
                )
            } else {
                PageError::not_found(&caller)
            },
        );
    }
    let action = if is_contractor {
        "works".to_string()
    } else {
        sub.get("action").to_string()
    };
    let note = sub.get("note").trim().to_string();
    if note.chars().count() > 500 {
        sub.fail("note", crate::t(lang, "at-most-500-characters").into());
    }
    let expected = match current.as_str() {
        step::ACCEPT => "accept",
        step::SURVEY => "survey",
        step::WORKS => "works",
        _ => "inspect",
    };
    if action == "reject" {
        if note.is_empty() {
            sub.fail("note", crate::t(lang, "say-why").into());
        }
    } else if action.is_empty() {
        sub.fail("action", crate::t(lang, "is-required").into());
    } else if action != expected {
        sub.fail(
            "action",
            crate::tf(lang, "not-a-choice", &[("v", action.clone().into())]),
        );
    }
    let doc_key = match current.as_str() {
        step::SURVEY => "survey_photo",
        step::WORKS => "works_photo",
        _ => "acceptance_photo",
    };
    let mut photos_error = None;
    let uploads = match photos(&posted.files, doc_key, lang) {
        Ok(u) => u,
        Err(e) => {
            photos_error = Some(e);
            vec![]
        }
    };
    if action == "works" && uploads.is_empty() && photos_error.is_none() {
        photos_error = Some(crate::t(lang, "works-need-a-photo").into());
    }
    let area = file.person.home_area().clone();
    let township = file.person.township.clone();
    let record = if action == "reject" {
        Some(StepRecord::Reject)
    } else {
        match current.as_str() {
            step::ACCEPT => {
                let j = judgement(&state, &caller, &app, &area).await?;
                let text = match &j {
                    Ok(j) => j.text(Lang::Zh),
                    Err(m) => {
                        sub.fail("action", m.clone());
                        String::new()
                    }
                };
                // Staff may accept an application the rules find ineligible only with
                // their reasons (a need the data does not show), which the audit keeps.
                if let Ok(j) = &j
                    && !j.eligible
                    && note.is_empty()
                {
                    sub.fail("note", crate::t(lang, "say-why-accepting").into());
                }
                Some(StepRecord::Accept {
                    township: township.to_string(),
                    area_code: area.to_string(),
                    year: i64::from(today().year()),
                    eligibility: if note.is_empty() {
                        text
                    } else {
                        format!("{text}；{note}")
                    },
                })
            }
            step::SURVEY => survey_record(&state, &caller, &mut sub, &area, &township).await?,
            step::WORKS => read_date(&mut sub, "done_on", lang).and_then(|d| {
                if note.is_empty() {
                    sub.fail("note", crate::t(lang, "is-required").into());
                    None
                } else {
                    Some(StepRecord::Works {
                        note: note.clone(),
                        done_on: d,
                    })
                }
            }),
            _ => inspect_record(&state, &caller, &mut sub, project.as_ref(), &area, &note).await?,
        }
    };
    let (Some(record), true, None) = (record, sub.errors.is_empty(), &photos_error) else {
        return project_page(
            &state,
            &caller,
            &id,
            Some(Posted {
                sub: &sub,
                photos_error,
            }),
        )
        .await;
    };
    let act = match record {
        StepRecord::Reject => StaffAct::Reject,
        StepRecord::Inspect { .. } => StaffAct::Approve,
        _ => StaffAct::CompleteStep,
    };
    let audit_action = match &record {
        StepRecord::Accept { .. } => "homemod.accept",
        StepRecord::Survey { .. } => "homemod.survey",
        StepRecord::Works { .. } => "homemod.works",
        StepRecord::Inspect { .. } => "homemod.inspect",
        StepRecord::Reject => "homemod.reject",
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        audit_action,
        app.citizen_id.as_str(),
        "ok",
        serde_json::json!({"application": id, "old": {"status": app.status, "step": app.step}, "record": record_detail(&record), "photos": uploads.len(), "note": note}),
    );
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    let step_note = if note.is_empty() {
        def.step_label(app.step, Lang::Zh)
    } else {
        note.clone()
    };
    match state
        .store
        .step(
            &app, &def, act, &record, &step_note, &uploads, &actor, &audit,
        )
        .await
        .or_page(&caller)?
    {
        ActedIn::Done => {}
        ActedIn::Stale => return Err(stale()),
        ActedIn::Refused(_) => return Err(stale()),
    }
    // The citizen follows on the service end, in plain words.
    let (title, body) = match &record {
        StepRecord::Reject => ("您的家庭无障碍改造申请未获批准".to_string(), note.clone()),
        StepRecord::Inspect { .. } => (
            "您家的无障碍改造已验收".to_string(),
            "改造已完成并验收合格。详情请在“我的申请”中查看。".to_string(),
        ),
        StepRecord::Accept { .. } => (
            "您的家庭无障碍改造申请已受理".to_string(),
            "工作人员会上门查看需要改造的地方。".to_string(),
        ),
        StepRecord::Survey { .. } => (
            "您家的无障碍改造已评估".to_string(),
            "施工单位会联系您安排施工。".to_string(),
        ),
        StepRecord::Works { .. } => (
            "您家的无障碍改造已施工".to_string(),
            "工作人员会上门验收，请您一起确认。".to_string(),
        ),
    };
    zhucan_service::notify::notify(
        &state.store,
        &app.citizen_id,
        &title,
        &body,
        &format!("/me/applications/{id}"),
    )
    .await;
    let to = if is_contractor {
        "/homemod/works".to_string()
    } else {
        format!("/homemod/projects/{id}")
    };
    Ok(Redirect::to(&to).into_response())
}

fn record_detail(r: &StepRecord) -> serde_json::Value {
    match r {
        StepRecord::Accept { eligibility, .. } => serde_json::json!({"eligibility": eligibility}),
        StepRecord::Survey {
            lines,
            quote_fen,
            subsidy_planned_fen,
            contractor,
            surveyed_on,
            ..
        } => {
            serde_json::json!({"lines": lines, "quote_fen": quote_fen, "subsidy_planned_fen": subsidy_planned_fen, "contractor": contractor, "surveyed_on": surveyed_on})
        }
        StepRecord::Works { done_on, .. } => serde_json::json!({"done_on": done_on}),
        StepRecord::Inspect {
            accepted_on,
            cost_fen,
            subsidy_fen,
            items,
            ..
        } => {
            serde_json::json!({"accepted_on": accepted_on, "cost_fen": cost_fen, "subsidy_fen": subsidy_fen, "items": items, "confirmed_by_household": true})
        }
        StepRecord::Reject => serde_json::json!({}),
    }
}

async fn terms_or_fail(
    state: &AppState,
    caller: &PageCaller,
    sub: &mut Submission,
    area: &AreaCode,
    field: &str,
) -> Result<Option<Terms>, PageError> {
    let policy = state.store.policy().await.or_page(caller)?;
    Ok(match Terms::resolve(&policy, area, today()) {
        Ok(t) => Some(t),
        Err(k) => {
            sub.fail(
                field,
                crate::tf(
                    caller.lang,
                    "parameter-not-set",
                    &[("p", k.label(caller.lang).to_string().into())],
                ),
            );
            None
        }
    })
}

async fn survey_record(
    state: &AppState,
    caller: &PageCaller,
    sub: &mut Submission,
    area: &AreaCode,
    township: &AreaCode,
) -> Result<Option<StepRecord>, PageError> {
    let lang = caller.lang;
    let items = state.store.items().await.or_page(caller)?;
    let mut lines = Vec::new();
    for it in &items {
        let q = sub.get(&format!("q_{}", it.key)).to_string();
        let p = sub.get(&format!("p_{}", it.key)).to_string();
        match rules::read_line(it, &q, &p) {
            Ok(Some(l)) => lines.push(l),
            Ok(None) => {}
            Err(e) => {
                let m = e.message(lang);
                sub.fail(e.field, m);
            }
        }
    }
    if lines.is_empty() && sub.errors.is_empty() {
        sub.fail("items", crate::t(lang, "at-least-one-item").into());
    }
    let surveyed_on = read_date(sub, "surveyed_on", lang);
    let code = sub.get("contractor").trim().to_string();
    let contractor = if code.is_empty() {
        sub.fail("contractor", crate::t(lang, "is-required").into());
        None
    } else {
        match state.store.contractor(&code).await.or_page(caller)? {
            Some(c) if c.active => Some(c),
            _ => {
                sub.fail(
                    "contractor",
                    crate::tf(lang, "not-a-contractor", &[("v", code.clone().into())]),
                );
                None
            }
        }
    };
    let Some(terms) = terms_or_fail(state, caller, sub, area, "action").await? else {
        return Ok(None);
    };
    let quote = rules::quote_fen(&lines);
    let planned = terms.subsidy_fen(quote);
    // The township's budget for the year, when one is set, must hold the planned subsidy.
    let year = i64::from(today().year());
    let budget = state
        .store
        .budget(township.as_str(), year)
        .await
        .or_page(caller)?;
    if let Some(left) = budget.left_fen()
        && planned > left
        && !lines.is_empty()
    {
        sub.fail(
            "items",
            crate::tf(
                lang,
                "over-the-budget",
                &[
                    ("planned", yuan(planned).into()),
                    ("left", yuan(left).into()),
                ],
            ),
        );
    }
    let (Some(surveyed_on), Some(c)) = (surveyed_on, contractor) else {
        return Ok(None);
    };
    Ok(Some(StepRecord::Survey {
        lines,
        note: sub.get("note").trim().to_string(),
        surveyed_on,
        quote_fen: quote,
        subsidy_planned_fen: planned,
        contractor: c.code,
    }))
}

async fn inspect_record(
    state: &AppState,
    caller: &PageCaller,
    sub: &mut Submission,
    project: Option<&Project>,
    area: &AreaCode,
    note: &str,
) -> Result<Option<StepRecord>, PageError> {
    let lang = caller.lang;
    let accepted_on = read_date(sub, "accepted_on", lang);
    if let (Some(a), Some(done)) = (
        accepted_on,
        project
            .and_then(|p| p.works_done_on.as_deref())
            .and_then(|d| parse_date(d).ok()),
    ) && a < done
    {
        sub.fail(
            "accepted_on",
            crate::tf(
                lang,
                "accepted-before-works",
                &[
                    ("v", a.to_string().into()),
                    ("done", done.to_string().into()),
                ],
            ),
        );
    }
    let raw = sub.get("cost_yuan").trim().to_string();
    let cost = parse_yuan_to_fen(&raw)
        .ok()
        .filter(|f| *f > 0 && *f <= 100_000_000);
    if cost.is_none() {
        sub.fail(
            "cost_yuan",
            crate::tf(lang, "not-an-amount", &[("v", raw.clone().into())]),
        );
    }
    match sub.get("confirmed") {
        "yes" | "是" => {}
        "" => sub.fail("confirmed", crate::t(lang, "is-required").into()),
        _ => sub.fail("confirmed", crate::t(lang, "household-must-confirm").into()),
    }
    let Some(terms) = terms_or_fail(state, caller, sub, area, "cost_yuan").await? else {
        return Ok(None);
    };
    let items = state.store.items().await.or_page(caller)?;
    let (Some(accepted_on), Some(cost_fen)) = (accepted_on, cost) else {
        return Ok(None);
    };
    let lines = project.map(|p| p.survey.clone()).unwrap_or_default();
    Ok(Some(StepRecord::Inspect {
        accepted_on,
        cost_fen,
        subsidy_fen: terms.subsidy_fen(cost_fen),
        note: note.to_string(),
        items: rules::items_text(&lines, &items, Lang::Zh),
    }))
}

/// `POST /homemod/projects/{id}/payment`: the payment of an accepted project's subsidy.
pub async fn payment(
    State(state): State<AppState>,
    caller: Holds<ActsOnProjects>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let (app, project, viewer, _) = load(&state, &caller, &id).await?;
    if !matches!(viewer, Viewer::Staff { writes: true }) {
        return Err(PageError::not_found(&caller));
    }
    let Some(project) = project.filter(|p| p.accepted_on.is_some() && p.paid_on.is_none()) else {
        return Err(PageError::message(
            &caller,
            StatusCode::CONFLICT,
            "这个项目尚未验收或已登记支付。",
            "This project is not accepted yet, or its payment is already recorded.",
        ));
    };
    let mut sub = Submission::new(form);
    sub.values.insert("form".into(), "payment".into());
    let paid_on = read_date(&mut sub, "paid_on", lang);
    let reference = sub.get("payment_ref").trim().to_string();
    if reference.is_empty() {
        sub.fail("payment_ref", crate::t(lang, "is-required").into());
    } else if reference.chars().count() > 60 {
        sub.fail(
            "payment_ref",
            crate::t(lang, "at-most-60-characters").into(),
        );
    }
    let Some(paid_on) = paid_on.filter(|_| sub.errors.is_empty()) else {
        return project_page(
            &state,
            &caller,
            &id,
            Some(Posted {
                sub: &sub,
                photos_error: None,
            }),
        )
        .await;
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "homemod.payment",
        app.citizen_id.as_str(),
        "ok",
        serde_json::json!({"application": id, "subsidy_fen": project.subsidy_fen, "paid_on": paid_on, "reference": reference}),
    );
    if !state
        .store
        .record_payment(&id, paid_on, &reference, &caller.user.username, &audit)
        .await
        .or_page(&caller)?
    {
        return Err(PageError::message(
            &caller,
            StatusCode::CONFLICT,
            "这个项目的支付已登记。",
            "This project's payment is already recorded.",
        ));
    }
    Ok(Redirect::to(&format!("/homemod/projects/{id}")).into_response())
}
