//! The data exchange's pages: the runs list with the upload form, a run's page (its progress
//! while it runs, then its counts, the unmatched rows with their resolution and the rejected
//! cells), and the partner accounts' departments.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use zhucan_domain::Lang;
use zhucan_domain::Localized;
use zhucan_domain::access::Role;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::ledger::{Department, FactKind};
use zhucan_store::User;
use zhucan_store::registry::Actor;
use zhucan_web::AppState;
use zhucan_web::auth::PageCaller;
use zhucan_web::pages::chrome;
use zhucan_web::trail::audit_event;
use zhucan_web::usecase::{CsrfForm, CsrfMultipart, Holds, OrPage, PageError, PageResult, Right};
use zhucan_web::view::{Chrome, render};

use crate::api::{RunScope, sender_of};
use crate::run::{Body, authorize};
use crate::store::{FeedsStore, RunRow, UnmatchedRow};

/// Sees runs: district staff and auditors all, township and village staff their area's,
/// partner departments their own.
#[derive(Debug, Clone, Copy)]
pub struct SeesRuns;

impl Right for SeesRuns {
    fn held_by(user: &User) -> bool {
        matches!(
            user.role,
            Role::DistrictAdmin
                | Role::Auditor
                | Role::Partner
                | Role::TownshipStaff
                | Role::VillageWorker
        )
    }
}

/// Sets partner accounts' departments: district and system administrators.
#[derive(Debug, Clone, Copy)]
pub struct SetsDepartments;

impl Right for SetsDepartments {
    fn held_by(user: &User) -> bool {
        matches!(user.role, Role::DistrictAdmin | Role::SystemAdmin)
    }
}

/// The largest file a page upload takes.
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

/// Rows of a report shown on the page (the JSON has them all).
const SHOWN: usize = 200;

/// The kinds an account may send from the page.
fn sendable(user: &User, department: Option<Department>) -> Vec<FactKind> {
    match user.role {
        Role::DistrictAdmin => FactKind::ALL.to_vec(),
        Role::Partner => department.map(|d| d.kinds().to_vec()).unwrap_or_default(),
        r if r.writes_persons() => FactKind::RECORDS.to_vec(),
        _ => Vec::new(),
    }
}

struct RunLine {
    id: String,
    kind: String,
    channel: String,
    actor: String,
    started: String,
    status: String,
    counts: String,
}

fn status_label(status: &str, lang: Lang) -> &'static str {
    match status {
        "running" => crate::t(lang, "status-running"),
        "done" => crate::t(lang, "status-done"),
        "failed" => crate::t(lang, "status-failed"),
        _ => crate::t(lang, "status-interrupted"),
    }
}

fn kind_label(key: &str, lang: Lang) -> String {
    FactKind::parse(key).map_or(key.to_string(), |k| k.label(lang).to_string())
}

fn counts_text(r: &RunRow, lang: Lang) -> String {
    crate::tf(
        lang,
        "counts-line",
        &[
            ("received", r.received.into()),
            ("matched", r.matched.into()),
            ("changed", r.changed.into()),
            ("unchanged", r.unchanged.into()),
            ("unmatched", r.unmatched.into()),
            ("rejected", r.rejected.into()),
        ],
    )
}

/// A run still `running` whose heartbeat is older than ten minutes was cut short.
fn effective_status(r: &RunRow) -> &str {
    if r.status == "running"
        && chrono::DateTime::parse_from_rfc3339(&r.heartbeat_at).is_ok_and(|h| {
            chrono::Utc::now().signed_duration_since(h) > chrono::Duration::minutes(10)
        })
    {
        return "interrupted";
    }
    &r.status
}

#[derive(Template)]
#[template(path = "feeds.html")]
struct FeedsPage {
    c: Chrome,
    kinds: Vec<(&'static str, String)>,
    runs: Vec<RunLine>,
    error: Option<String>,
    department: Option<String>,
}

async fn feeds_page(
    state: &AppState,
    caller: &PageCaller,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let lang = caller.lang;
    let scope = RunScope::of(state, &caller.user)
        .await
        .or_page(caller)?
        .ok_or_else(|| PageError::forbidden(caller))?;
    let department = match caller.user.role {
        Role::Partner => state
            .store
            .department_of(&caller.user.id)
            .await
            .or_page(caller)?,
        _ => None,
    };
    let runs = scope.list(state, 200).await.or_page(caller)?;
    let page = FeedsPage {
        c: chrome(
            Some(caller),
            lang,
            "/feeds",
            "feeds",
            crate::t(lang, "feeds-title"),
        ),
        kinds: sendable(&caller.user, department)
            .into_iter()
            .map(|k| (k.key(), format!("{}（{}）", k.label(lang), k.key())))
            .collect(),
        runs: runs
            .iter()
            .map(|r| RunLine {
                id: r.id.clone(),
                kind: kind_label(&r.kind, lang),
                channel: match r.channel.as_str() {
                    "push" => crate::t(lang, "channel-push"),
                    "upload" => crate::t(lang, "channel-upload"),
                    _ => crate::t(lang, "channel-file"),
                }
                .to_string(),
                actor: r.actor.clone(),
                started: zhucan_web::view::minute(&r.started_at),
                status: status_label(effective_status(r), lang).to_string(),
                counts: counts_text(r, lang),
            })
            .collect(),
        error,
        department: department.map(|d| d.label(lang).to_string()),
    };
    Ok(render(status, &page))
}

/// `GET /feeds`.
pub async fn feeds(State(state): State<AppState>, caller: Holds<SeesRuns>) -> PageResult {
    feeds_page(&state, &caller, None, StatusCode::OK).await
}

/// `POST /feeds/upload`: records the run and applies it in the background; the run's page
/// shows its progress.
pub async fn upload(
    State(state): State<AppState>,
    caller: Holds<SeesRuns>,
    CsrfMultipart(posted): CsrfMultipart,
) -> PageResult {
    let caller = caller.caller;
    let lang = caller.lang;
    let kind_raw = posted.values.get("kind").cloned().unwrap_or_default();
    let Some(kind) = FactKind::parse(&kind_raw).filter(|k| k.key() == kind_raw.trim()) else {
        let m = crate::tf(lang, "choose-a-kind", &[("value", kind_raw.into())]);
        return feeds_page(&state, &caller, Some(m), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let Some((_, file_name, bytes)) = posted
        .files
        .into_iter()
        .find(|(field, _, b)| field == "file" && !b.is_empty())
    else {
        let m = crate::t(lang, "choose-a-file").to_string();
        return feeds_page(&state, &caller, Some(m), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    if bytes.len() > UPLOAD_LIMIT {
        let m = crate::t(lang, "file-too-large").to_string();
        return feeds_page(&state, &caller, Some(m), StatusCode::PAYLOAD_TOO_LARGE).await;
    }
    let sender = sender_of(&state, &caller.user, &caller.client)
        .await
        .or_page(&caller)?;
    let within = match authorize(kind, &sender) {
        Ok(w) => w,
        Err(r) => {
            return feeds_page(
                &state,
                &caller,
                Some(r.message(lang)),
                StatusCode::FORBIDDEN,
            )
            .await;
        }
    };
    let body = Body::File {
        name: file_name,
        bytes,
    };
    let run = crate::run::start(&state.store, kind, "upload", &body, &sender)
        .await
        .map_err(|crate::run::RunError::Store(e)| e)
        .or_page(&caller)?;
    let store = state.store.clone();
    let id = run.clone();
    tokio::spawn(async move {
        let today = zhucan_store::registry::today();
        let r = match crate::run::read(&store, kind, body, lang, today).await {
            Ok(parsed) => {
                crate::run::apply(&store, &id, parsed, &sender, within.as_ref(), lang, today).await
            }
            Err(e) => crate::run::fail(&store, &id, kind, &sender, &e.message(lang)).await,
        };
        if let Err(e) = r {
            tracing::error!(run = %id, error = %e, "feed run failed");
        }
    });
    Ok(Redirect::to(&format!("/feeds/runs/{run}")).into_response())
}

struct IssueLine {
    sheet: String,
    row: u32,
    column: String,
    value: String,
    message: String,
}

struct UnmatchedLine {
    row_no: i64,
    citizen_id: String,
    name: String,
    summary: String,
    reason: String,
    open: bool,
    resolution: String,
}

#[derive(Template)]
#[template(path = "feeds_run.html")]
struct RunPage {
    c: Chrome,
    id: String,
    kind: String,
    file: String,
    channel: String,
    actor: String,
    department: String,
    started: String,
    finished: String,
    status_key: String,
    status: String,
    progress: Option<(i64, i64)>,
    counts: Vec<(String, i64)>,
    error: String,
    unmatched: Vec<UnmatchedLine>,
    rejected: Vec<IssueLine>,
    rejected_total: usize,
    warnings: Vec<IssueLine>,
    warnings_total: usize,
    can_resolve: bool,
    notice: Option<String>,
}

#[derive(serde::Deserialize, Default)]
struct StoredReport {
    #[serde(default)]
    rejected: Vec<zhucan_workbook::Issue>,
    #[serde(default)]
    warnings: Vec<zhucan_workbook::Issue>,
    #[serde(default)]
    error: Option<String>,
}

fn issue_lines(v: &[zhucan_workbook::Issue]) -> Vec<IssueLine> {
    v.iter()
        .take(SHOWN)
        .map(|i| IssueLine {
            sheet: i.sheet.clone(),
            row: i.row,
            column: i.column.clone(),
            value: i.value.clone(),
            message: i.message.clone(),
        })
        .collect()
}

async fn scoped_run(state: &AppState, caller: &PageCaller, id: &str) -> Result<RunRow, PageError> {
    let scope = RunScope::of(state, &caller.user)
        .await
        .or_page(caller)?
        .ok_or_else(|| PageError::forbidden(caller))?;
    state
        .store
        .run(id)
        .await
        .or_page(caller)?
        .filter(|r| scope.covers(r))
        .ok_or_else(|| PageError::not_found(caller))
}

/// Whether the caller resolves unmatched rows: staff who write person files (not partners).
fn resolves(user: &User) -> bool {
    user.role.writes_persons()
}

fn unmatched_line(u: &UnmatchedRow, lang: Lang, reveal: bool) -> UnmatchedLine {
    let summary = u.fact().map(|f| f.summary(lang)).unwrap_or_default();
    let resolution = match u.status.as_str() {
        "applied" => crate::tf(
            lang,
            "resolved-applied",
            &[
                (
                    "to",
                    mask(u.resolved_to.as_deref().unwrap_or(""), reveal).into(),
                ),
                ("by", u.resolved_by.clone().unwrap_or_default().into()),
            ],
        ),
        "not_ours" => crate::tf(
            lang,
            "resolved-not-ours",
            &[("by", u.resolved_by.clone().unwrap_or_default().into())],
        ),
        _ => String::new(),
    };
    UnmatchedLine {
        row_no: u.row_no,
        citizen_id: mask(&u.citizen_id, reveal),
        name: u.name.clone().unwrap_or_default(),
        summary,
        reason: u.reason.clone(),
        open: u.status == "open",
        resolution,
    }
}

/// The ID as written: in full for the staff who resolve it (it names no registered person),
/// masked otherwise.
fn mask(id: &str, reveal: bool) -> String {
    if reveal {
        return id.to_string();
    }
    CitizenId::from_trusted(id.to_string()).map_or_else(
        |_| {
            let n = id.chars().count();
            id.chars()
                .enumerate()
                .map(|(i, c)| if i < 6 || i + 4 >= n { c } else { '*' })
                .collect()
        },
        |c| c.masked(),
    )
}

async fn run_page(
    state: &AppState,
    caller: &PageCaller,
    id: &str,
    notice: Option<String>,
) -> PageResult {
    let lang = caller.lang;
    let r = scoped_run(state, caller, id).await?;
    let report: StoredReport = serde_json::from_str(&r.report).unwrap_or_default();
    let unmatched = state.store.unmatched_of(id).await.or_page(caller)?;
    let reveal = resolves(&caller.user);
    let status_key = effective_status(&r).to_string();
    let title = crate::t(lang, "run-title");
    let page = RunPage {
        c: chrome(
            Some(caller),
            lang,
            &format!("/feeds/runs/{id}"),
            "feeds",
            title,
        ),
        id: r.id.clone(),
        kind: format!("{}（{}）", kind_label(&r.kind, lang), r.kind),
        file: r.file_name.clone(),
        channel: r.channel.clone(),
        actor: r.actor.clone(),
        department: r
            .department
            .as_deref()
            .and_then(Department::parse)
            .map(|d| d.label(lang).to_string())
            .unwrap_or_default(),
        started: zhucan_web::view::minute(&r.started_at),
        finished: r
            .finished_at
            .as_deref()
            .map(zhucan_web::view::minute)
            .unwrap_or_default(),
        status: status_label(&status_key, lang).to_string(),
        progress: (status_key == "running").then_some((r.done_rows, r.received.max(r.done_rows))),
        counts: vec![
            (crate::t(lang, "count-received").to_string(), r.received),
            (crate::t(lang, "count-matched").to_string(), r.matched),
            (crate::t(lang, "count-changed").to_string(), r.changed),
            (crate::t(lang, "count-unchanged").to_string(), r.unchanged),
            (crate::t(lang, "count-unmatched").to_string(), r.unmatched),
            (crate::t(lang, "count-rejected").to_string(), r.rejected),
        ],
        error: report.error.clone().unwrap_or_else(|| r.message.clone()),
        unmatched: unmatched
            .iter()
            .take(SHOWN)
            .map(|u| unmatched_line(u, lang, reveal))
            .collect(),
        rejected_total: report.rejected.len(),
        rejected: issue_lines(&report.rejected),
        warnings_total: report.warnings.len(),
        warnings: issue_lines(&report.warnings),
        can_resolve: reveal,
        status_key,
        notice,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /feeds/runs/{id}`.
pub async fn run(
    State(state): State<AppState>,
    caller: Holds<SeesRuns>,
    Path(id): Path<String>,
) -> PageResult {
    run_page(&state, &caller, &id, None).await
}

/// `GET /feeds/runs/{id}/report.json`: the run's report as a download.
pub async fn report_json(
    State(state): State<AppState>,
    caller: Holds<SeesRuns>,
    Path(id): Path<String>,
) -> PageResult {
    let r = scoped_run(&state, &caller, &id).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"feed-run-{id}.json\""),
            ),
        ],
        r.report,
    )
        .into_response())
}

/// `POST /feeds/runs/{id}/resolve`: an unmatched row applied to the corrected person, or
/// marked not ours.
pub async fn resolve(
    State(state): State<AppState>,
    caller: Holds<SeesRuns>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let caller = caller.caller;
    let lang = caller.lang;
    if !resolves(&caller.user) {
        return Err(PageError::forbidden(&caller));
    }
    scoped_run(&state, &caller, &id).await?;
    let row_no: i64 = form
        .get("row")
        .and_then(|r| r.trim().parse().ok())
        .ok_or_else(|| PageError::not_found(&caller))?;
    let actor = Actor {
        name: &caller.user.username,
        source: "feed",
    };
    let today = zhucan_store::registry::today();
    let to = match form.get("action").map(String::as_str) {
        Some("not_ours") => None,
        _ => {
            let raw = form.get("citizen_id").cloned().unwrap_or_default();
            let parsed = match CitizenId::parse_on(&raw, today) {
                Ok(p) => p.id,
                Err(e) => {
                    let m = crate::tf(
                        lang,
                        "corrected-id-invalid",
                        &[("value", raw.into()), ("why", e.message(lang).into())],
                    );
                    return run_page(&state, &caller, &id, Some(m)).await;
                }
            };
            // The corrected person must be one the caller may change.
            let reach = zhucan_store::Reach::of(&caller.user);
            let writable = state
                .store
                .person_file(&parsed, &reach)
                .await
                .or_page(&caller)?
                .is_some_and(|f| zhucan_web::scope::can_write(&caller.user, &f.person));
            if !writable {
                let m = crate::tf(
                    lang,
                    "corrected-id-unknown",
                    &[("value", parsed.masked().into())],
                );
                return run_page(&state, &caller, &id, Some(m)).await;
            }
            Some(parsed)
        }
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "feeds.unmatched.resolve",
        &format!("{id}#{row_no}"),
        "ok",
        serde_json::json!({"to": to.as_ref().map(|c| c.masked()), "not_ours": to.is_none()}),
    );
    let done = state
        .store
        .resolve_unmatched(&id, row_no, to.as_ref(), &actor, &audit, today)
        .await
        .or_page(&caller)?;
    let notice = match done {
        None => crate::t(lang, "already-resolved").to_string(),
        Some(_) if to.is_none() => crate::t(lang, "marked-not-ours").to_string(),
        Some(true) => crate::t(lang, "applied-to-person").to_string(),
        Some(false) => crate::t(lang, "applied-unchanged").to_string(),
    };
    run_page(&state, &caller, &id, Some(notice)).await
}

struct PartnerLine {
    username: String,
    department: String,
}

#[derive(Template)]
#[template(path = "feeds_partners.html")]
struct PartnersPage {
    c: Chrome,
    partners: Vec<PartnerLine>,
    departments: Vec<(&'static str, String)>,
    notice: Option<String>,
    error: Option<String>,
}

async fn partners_page(
    state: &AppState,
    caller: &PageCaller,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let lang = caller.lang;
    let rows = state.store.departments().await.or_page(caller)?;
    let page = PartnersPage {
        c: chrome(
            Some(caller),
            lang,
            "/feeds/partners",
            "feeds",
            crate::t(lang, "partners-title"),
        ),
        partners: rows
            .into_iter()
            .map(|(_, u, d)| PartnerLine {
                username: u,
                department: format!("{}（{}）", d.label(lang), FactKind::keys(d.kinds())),
            })
            .collect(),
        departments: Department::ALL
            .iter()
            .map(|d| (d.key(), d.label(lang).to_string()))
            .collect(),
        notice,
        error,
    };
    Ok(render(status, &page))
}

/// `GET /feeds/partners`.
pub async fn partners(State(state): State<AppState>, caller: Holds<SetsDepartments>) -> PageResult {
    partners_page(&state, &caller, None, None, StatusCode::OK).await
}

/// `POST /feeds/partners`: sets a partner account's department.
pub async fn set_partner(
    State(state): State<AppState>,
    caller: Holds<SetsDepartments>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let caller = caller.caller;
    let lang = caller.lang;
    let username = form
        .get("username")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let dept_raw = form.get("department").cloned().unwrap_or_default();
    let Some(user) = state
        .store
        .user_by_username(&username)
        .await
        .or_page(&caller)?
    else {
        let m = crate::tf(lang, "no-such-account", &[("value", username.into())]);
        return partners_page(
            &state,
            &caller,
            None,
            Some(m),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    if user.role != Role::Partner {
        let m = crate::tf(lang, "not-a-partner", &[("value", username.into())]);
        return partners_page(
            &state,
            &caller,
            None,
            Some(m),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let department = match dept_raw.trim() {
        "" => None,
        d => match Department::parse(d) {
            Some(d) => Some(d),
            None => {
                let m = crate::tf(
                    lang,
                    "unknown-department",
                    &[("value", dept_raw.clone().into())],
                );
                return partners_page(
                    &state,
                    &caller,
                    None,
                    Some(m),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        },
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "feeds.partner.department",
        &user.username,
        "ok",
        serde_json::json!({"department": department.map(|d| d.key())}),
    );
    state
        .store
        .set_department(&user.id, department, &caller.user.username, &audit)
        .await
        .or_page(&caller)?;
    let m = crate::tf(
        lang,
        "department-set",
        &[
            ("user", user.username.clone().into()),
            (
                "department",
                department.map_or("—", |d| d.label(lang)).into(),
            ),
        ],
    );
    partners_page(&state, &caller, Some(m), None, StatusCode::OK).await
}
