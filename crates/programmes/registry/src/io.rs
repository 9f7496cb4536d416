//! The registry workbook in the browser: a township clerk (or a district administrator)
//! uploads a roster for their own area — read and written in the background, with a progress
//! bar and the report of every rejected cell to read and download — and exports their area.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use zhucan_domain::{Lang, Localized};
use zhucan_store::import_runs::{NewRun, RunEnd, RunStatus};
use zhucan_store::registry::Actor;
use zhucan_workbook::Issue;

use crate::import::Summary;
use zhucan_web::AppState;
use zhucan_web::auth::PageCaller;
use zhucan_web::pages::chrome;
use zhucan_web::scope;
use zhucan_web::trail::{self, audit_event};
use zhucan_web::usecase::{
    CsrfForm, CsrfMultipart, Holds, OrPage, PageError, PageResult, WritesPersons,
};
use zhucan_web::view::{Chrome, render};

/// The largest roster a page upload takes.
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

/// Rows per transaction of a page upload (small: the service keeps serving meanwhile).
const WEB_BATCH: usize = 500;

/// How many finished uploads the service remembers (their reports live in memory: a
/// restart loses the report, never the imported rows).
const KEPT_JOBS: usize = 200;

/// Rejected cells shown on the page (the download has them all).
const SHOWN_ISSUES: usize = 200;

/// Where an upload stands.
#[derive(Debug, Clone)]
pub enum Phase {
    Reading { done: usize, total: usize },
    Writing { done: usize, total: usize },
    Done(Summary),
    Failed { zh: String, en: String },
}

/// One upload, run in the background.
#[derive(Debug)]
pub struct Job {
    pub id: String,
    /// The account that uploaded (only it sees the job).
    pub owner: String,
    pub file: String,
    pub started: String,
    pub phase: Mutex<Phase>,
}

impl Job {
    fn phase(&self) -> Phase {
        self.phase
            .lock()
            .map(|p| p.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    fn set(&self, p: Phase) {
        match self.phase.lock() {
            Ok(mut g) => *g = p,
            Err(e) => *e.into_inner() = p,
        }
    }
}

/// The uploads the service knows, newest last.
#[derive(Debug, Default)]
pub struct ImportJobs {
    jobs: Mutex<VecDeque<Arc<Job>>>,
}

impl ImportJobs {
    fn add(&self, job: Arc<Job>) {
        let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.push_back(job);
        while jobs.len() > KEPT_JOBS {
            jobs.pop_front();
        }
    }

    /// The job `id` of `owner`.
    fn get(&self, id: &str, owner: &str) -> Option<Arc<Job>> {
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.iter()
            .find(|j| j.id == id && j.owner == owner)
            .cloned()
    }

    /// The jobs of `owner`, newest first.
    fn of(&self, owner: &str) -> Vec<Arc<Job>> {
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.iter()
            .rev()
            .filter(|j| j.owner == owner)
            .cloned()
            .collect()
    }
}

/// The caller's upload area and its name, or 403.
async fn import_reach(state: &AppState, caller: &PageCaller) -> Result<String, PageError> {
    let Some(area) = scope::import_area(&caller.user) else {
        return Err(PageError::forbidden(caller));
    };
    let names = state.store.areas().await.or_page(caller)?;
    Ok(names
        .iter()
        .find(|a| a.code == *area)
        .map(|a| a.name.clone())
        .unwrap_or_else(|| area.to_string()))
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    c: Chrome,
    area_name: String,
    whole_district: bool,
    error: Option<String>,
    /// (link, file, started, state) of the caller's recent uploads.
    recent: Vec<(String, String, String, String)>,
    /// The recorded import runs (the caller's; every one for the whole district): (file,
    /// started, status key, status, rows committed / rows of the file, rejected rows, by).
    runs: Vec<ImportRunLine>,
}

/// One line of the import runs table.
struct ImportRunLine {
    file: String,
    started: String,
    status_key: &'static str,
    status: String,
    rows: String,
    rejected: i64,
    actor: String,
}

/// The recorded runs shown to `caller` (the store says interrupted for a run whose process is
/// gone).
async fn run_lines(state: &AppState, caller: &PageCaller, whole: bool) -> Vec<ImportRunLine> {
    let lang = caller.lang;
    let runs = state
        .store
        .import_runs((!whole).then_some(caller.user.username.as_str()), 20)
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "import runs");
            Vec::new()
        });
    runs.into_iter()
        .map(|r| ImportRunLine {
            file: r.file_name,
            started: zhucan_web::view::minute(&r.started_at),
            status_key: r.status.key(),
            status: r.status.label(lang).to_string(),
            rows: if r.rows_total > 0 {
                format!("{} / {}", r.imported, r.rows_total)
            } else {
                r.imported.to_string()
            },
            rejected: r.rejected,
            actor: r.actor,
        })
        .collect()
}

fn phase_text(p: &Phase, lang: Lang) -> String {
    match p {
        Phase::Reading { done, total } => match lang {
            Lang::Zh => format!("正在读取：{done} / {total} 行"),
            Lang::En => format!("reading: {done} of {total} rows"),
        },
        Phase::Writing { done, total } => match lang {
            Lang::Zh => format!("正在写入：{done} / {total} 行"),
            Lang::En => format!("writing: {done} of {total} rows"),
        },
        Phase::Done(s) => s.line(lang),
        Phase::Failed { zh, en } => lang.pick(zh, en).to_string(),
    }
}

async fn import_page(
    state: &AppState,
    caller: &PageCaller,
    area_name: String,
    error: Option<String>,
) -> Response {
    let lang = caller.lang;
    let whole_district = scope::import_area(&caller.user)
        .is_some_and(|a| a.level() == zhucan_domain::area::AreaLevel::District);
    let runs = run_lines(state, caller, whole_district).await;
    let recent = state
        .ext::<ImportJobs>()
        .map(|j| j.of(&caller.user.username))
        .unwrap_or_default()
        .iter()
        .take(10)
        .map(|j| {
            (
                format!("/import/{}", j.id),
                j.file.clone(),
                zhucan_web::view::minute(&j.started),
                phase_text(&j.phase(), lang),
            )
        })
        .collect();
    render(
        if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &ImportPage {
            c: chrome(
                Some(caller),
                lang,
                "/import",
                "import",
                crate::t(lang, "import-a-roster"),
            ),
            whole_district,
            area_name,
            error,
            recent,
            runs,
        },
    )
}

/// `GET /import`.
pub async fn import_form(
    State(state): State<AppState>,
    caller: Holds<WritesPersons>,
) -> PageResult {
    let name = import_reach(&state, &caller).await?;
    Ok(import_page(&state, &caller.caller, name, None).await)
}

/// `POST /import`: starts the upload's import in the background and shows its progress.
pub async fn import_upload(
    State(state): State<AppState>,
    caller: Holds<WritesPersons>,
    CsrfMultipart(posted): CsrfMultipart,
) -> PageResult {
    let caller = caller.caller;
    let lang = caller.lang;
    let area_name = import_reach(&state, &caller).await?;
    let Some((_, file_name, bytes)) = posted
        .files
        .into_iter()
        .find(|(field, _, b)| field == "file" && !b.is_empty())
    else {
        let m = crate::t(lang, "choose-the-file-to-import");
        return Ok(import_page(&state, &caller, area_name, Some(m.into())).await);
    };
    let survey_year = match posted.values.get("survey_year").map(|s| s.trim()) {
        None | Some("") => None,
        Some(y) => match y.parse::<i32>() {
            Ok(y) if (1990..=2100).contains(&y) => Some(y),
            _ => {
                let m = match lang {
                    Lang::Zh => format!("调查年度“{y}”无效：应为四位年份，如 2025"),
                    Lang::En => {
                        format!("the survey year “{y}” is not valid: four digits, e.g. 2025")
                    }
                };
                return Ok(import_page(&state, &caller, area_name, Some(m)).await);
            }
        },
    };
    let job = Arc::new(Job {
        id: zhucan_store::accounts::random_id(),
        owner: caller.user.username.clone(),
        file: file_name.clone(),
        started: zhucan_store::now_text(),
        phase: Mutex::new(Phase::Reading { done: 0, total: 0 }),
    });
    let Some(jobs) = state.ext::<ImportJobs>() else {
        return Err(PageError::message(
            &caller,
            StatusCode::INTERNAL_SERVER_ERROR,
            "导入功能未启用。",
            "Imports are not enabled in this service.",
        ));
    };
    jobs.add(job.clone());
    let (st, c, j) = (state.clone(), caller.clone(), job.clone());
    tokio::spawn(async move {
        let phase = run(&st, &c, &j, bytes, survey_year, &area_name).await;
        j.set(phase);
    });
    Ok(Redirect::to(&format!("/import/{}", job.id)).into_response())
}

/// Reads and writes one upload; the final phase.
async fn run(
    state: &AppState,
    caller: &PageCaller,
    job: &Arc<Job>,
    bytes: Vec<u8>,
    survey_year: Option<i32>,
    area_name: &str,
) -> Phase {
    let lang = caller.lang;
    let failed = |e: String| Phase::Failed {
        zh: format!("导入失败：{e}"),
        en: format!("the import failed: {e}"),
    };
    let internal = || failed(crate::t(lang, "internal-error-logged").into());
    let Some(area) = scope::import_area(&caller.user) else {
        return failed(crate::t(lang, "not-allowed").into());
    };
    // The run is recorded (with its audit record) before anything is read or written: if the
    // service dies meanwhile, the run stays on record and reads as interrupted.
    let start = audit_event(
        &caller.user,
        &caller.client,
        "registry.import.start",
        &job.file,
        "running",
        serde_json::json!({"via": "page", "area": area.to_string()}),
    );
    let run = match state
        .store
        .start_import_run(
            &NewRun {
                file_name: &job.file,
                file_sha256: &crate::import::sha256_hex(&bytes),
                actor: &caller.user.username,
            },
            &start,
        )
        .await
    {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "import: run");
            return internal();
        }
    };
    let _beat = crate::import::heartbeat(&state.store, &run);
    let end = |status: RunStatus, rows_total: usize, rejected: usize, message: String| {
        let e = audit_event(
            &caller.user,
            &caller.client,
            "registry.import",
            &job.file,
            match status {
                RunStatus::Done => "ok",
                other => other.key(),
            },
            serde_json::json!({"via": "page", "area": area.to_string()}),
        );
        let run = run.clone();
        async move {
            let r = state
                .store
                .finish_import_run(
                    &run,
                    &RunEnd {
                        status,
                        rows_total: i64::try_from(rows_total).unwrap_or(i64::MAX),
                        rejected: i64::try_from(rejected).unwrap_or(i64::MAX),
                        message: &message,
                    },
                    &e,
                )
                .await;
            if let Err(e) = r {
                tracing::error!(error = %e, "import: the run could not be closed");
            }
        }
    };
    let known = match state.store.areas().await {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "import: areas");
            end(RunStatus::Failed, 0, 0, e.to_string()).await;
            return internal();
        }
    };
    let opts = zhucan_workbook::ImportOptions {
        survey_year,
        today: zhucan_web::view::today(),
        lang,
    };
    let (name, j) = (job.file.clone(), job.clone());
    let parsed = tokio::task::spawn_blocking(move || {
        zhucan_workbook::read_bytes(&name, &bytes, &known, &opts, &mut |done, total| {
            j.set(Phase::Reading { done, total })
        })
    })
    .await;
    let mut parsed = match parsed {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => {
            end(RunStatus::Failed, 0, 0, e.message(Lang::En)).await;
            return Phase::Failed {
                zh: format!("无法导入“{}”：{}", job.file, e.message(Lang::Zh)),
                en: format!("cannot import “{}”: {}", job.file, e.message(Lang::En)),
            };
        }
        Err(e) => {
            end(RunStatus::Failed, 0, 0, e.to_string()).await;
            return failed(e.to_string());
        }
    };
    let reach = crate::import::reach_of(area, area_name);
    if let Err(e) = crate::import::restrict(&state.store, &mut parsed, reach, lang).await {
        tracing::error!(error = %e, "import: scope");
        end(RunStatus::Failed, 0, 0, e.to_string()).await;
        return internal();
    }
    let actor = Actor {
        name: &caller.user.username,
        source: "import",
    };
    let rows_total = parsed.persons.len();
    let rejected_rows: std::collections::HashSet<(String, u32)> = parsed
        .rejected
        .iter()
        .map(|i| (i.sheet.clone(), i.row))
        .collect();
    let j = job.clone();
    let result = crate::import::apply(
        &state.store,
        parsed,
        &actor,
        WEB_BATCH,
        &run,
        &mut |done, total| j.set(Phase::Writing { done, total }),
    )
    .await;
    match result {
        Ok(s) => {
            end(
                RunStatus::Done,
                rows_total,
                s.rejected_rows(),
                String::new(),
            )
            .await;
            Phase::Done(s)
        }
        Err(e) => {
            tracing::error!(error = %e, "import: write");
            end(
                RunStatus::Interrupted,
                rows_total,
                rejected_rows.len(),
                e.to_string(),
            )
            .await;
            failed(crate::t(lang, "a-database-error-the-rows-written").into())
        }
    }
}

#[derive(Template)]
#[template(path = "import_job.html")]
struct JobPage {
    c: Chrome,
    id: String,
    file: String,
    started: String,
    /// `reading`, `writing`, `done` or `failed`.
    state: &'static str,
    status: String,
    /// For `<progress>`: value and max (none while the size is unknown).
    progress: Option<(usize, usize)>,
    rejected: Vec<Issue>,
    rejected_total: usize,
    warnings: Vec<Issue>,
    warnings_total: usize,
}

fn job_of(state: &AppState, caller: &PageCaller, id: &str) -> Result<Arc<Job>, PageError> {
    state
        .ext::<ImportJobs>()
        .and_then(|j| j.get(id, &caller.user.username))
        .ok_or_else(|| PageError::not_found(caller))
}

/// `GET /import/{job}`: the upload's progress, then its report.
pub async fn import_job(
    State(state): State<AppState>,
    caller: Holds<WritesPersons>,
    Path(id): Path<String>,
) -> PageResult {
    let lang = caller.lang;
    let job = job_of(&state, &caller, &id)?;
    let phase = job.phase();
    let (st, progress) = match &phase {
        Phase::Reading { done, total } => ("reading", (*total > 0).then_some((*done, *total))),
        Phase::Writing { done, total } => ("writing", (*total > 0).then_some((*done, *total))),
        Phase::Done(_) => ("done", None),
        Phase::Failed { .. } => ("failed", None),
    };
    let (rejected, warnings) = match &phase {
        Phase::Done(s) => (s.rejected.clone(), s.warnings.clone()),
        _ => (vec![], vec![]),
    };
    Ok(render(
        StatusCode::OK,
        &JobPage {
            c: chrome(
                Some(&caller),
                lang,
                &format!("/import/{id}"),
                "import",
                crate::t(lang, "import-progress-and-report"),
            ),
            id: job.id.clone(),
            file: job.file.clone(),
            started: zhucan_web::view::minute(&job.started),
            state: st,
            status: phase_text(&phase, lang),
            progress,
            rejected_total: rejected.len(),
            warnings_total: warnings.len(),
            rejected: rejected.into_iter().take(SHOWN_ISSUES).collect(),
            warnings: warnings.into_iter().take(SHOWN_ISSUES).collect(),
        },
    ))
}

/// `GET /import/{job}/report.xlsx` and `…/report.json`: the whole report.
pub async fn import_report(
    State(state): State<AppState>,
    caller: Holds<WritesPersons>,
    Path((id, file)): Path<(String, String)>,
) -> PageResult {
    let job = job_of(&state, &caller, &id)?;
    let Phase::Done(s) = job.phase() else {
        return Err(PageError::not_found(&caller));
    };
    let (ctype, body) = match file.as_str() {
        "report.json" => (
            "application/json; charset=utf-8",
            registry_import_json(&s).into_bytes(),
        ),
        "report.xlsx" => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            zhucan_workbook::report_xlsx_bytes(s.imported(), &s.rejected, &s.warnings).map_err(
                |e| {
                    tracing::error!(error = %e, "import report");
                    PageError::message(
                        &caller,
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "报告生成失败，已记录。",
                        "The report could not be written; it has been logged.",
                    )
                },
            )?,
        ),
        _ => return Err(PageError::not_found(&caller)),
    };
    Ok((
        [
            (header::CONTENT_TYPE, ctype.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"import-{id}-{file}\""),
            ),
        ],
        body,
    )
        .into_response())
}

fn registry_import_json(s: &Summary) -> String {
    zhucan_workbook::report_json(s.imported(), &s.rejected, &s.warnings)
}

// ---------------------------------------------------------------- export

#[derive(Template)]
#[template(path = "export.html")]
struct ExportPage {
    c: Chrome,
    area_name: String,
    whole_district: bool,
    /// Persons the export would hold, and whether that needs a stated purpose
    /// (`zhucan_web::purpose`).
    persons: i64,
    purpose_required: bool,
    purpose_threshold: usize,
    purpose: String,
    /// The form's errors (field, message), linked from the summary.
    errors: Vec<(String, String)>,
}

/// The export page, with what was typed and the form's errors.
async fn export_view(
    state: &AppState,
    caller: &PageCaller,
    status: StatusCode,
    purpose: String,
    errors: Vec<(String, String)>,
) -> PageResult {
    let lang = caller.lang;
    let (area, area_name, whole_district) = export_reach(state, caller).await?;
    let persons = state
        .store
        .count_persons((!whole_district).then_some(&area))
        .await
        .or_page(caller)?;
    let purpose_threshold = state.policy().await.export_purpose_rows;
    Ok(render(
        status,
        &ExportPage {
            c: chrome(
                Some(caller),
                lang,
                "/export",
                "export",
                crate::t(lang, "export-registry"),
            ),
            area_name,
            whole_district,
            persons,
            purpose_required: usize::try_from(persons).unwrap_or(usize::MAX) > purpose_threshold,
            purpose_threshold,
            purpose,
            errors,
        },
    ))
}

/// The caller's export area: (code, name, whole district), or 403.
async fn export_reach(
    state: &AppState,
    caller: &PageCaller,
) -> Result<(zhucan_domain::area::AreaCode, String, bool), PageError> {
    let Some(area) = scope::export_area(&caller.user) else {
        return Err(PageError::forbidden(caller));
    };
    let names = state.store.areas().await.or_page(caller)?;
    let name = names
        .iter()
        .find(|a| a.code == *area)
        .map(|a| a.name.clone())
        .unwrap_or_else(|| area.to_string());
    Ok((
        area.clone(),
        name,
        area.level() == zhucan_domain::area::AreaLevel::District,
    ))
}

/// `GET /export`.
pub async fn export_page(State(state): State<AppState>, caller: PageCaller) -> PageResult {
    export_view(&state, &caller, StatusCode::OK, String::new(), Vec::new()).await
}

/// `POST /export/registry.xlsx`: the workbook of the caller's area.
pub async fn export_download(
    State(state): State<AppState>,
    caller: PageCaller,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let (area, _, whole) = export_reach(&state, &caller).await?;
    let within = (!whole).then_some(&area);
    let persons = state.store.count_persons(within).await.or_page(&caller)?;
    let threshold = state.policy().await.export_purpose_rows;
    let typed = form.get("purpose").map(String::as_str);
    let purpose = match zhucan_web::purpose::check_purpose(
        caller.lang,
        typed,
        usize::try_from(persons).unwrap_or(usize::MAX),
        threshold,
    ) {
        Ok(p) => p,
        Err(message) => {
            let typed = typed.map(str::trim).unwrap_or_default().to_string();
            return export_view(
                &state,
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                typed,
                vec![("purpose".into(), message)],
            )
            .await;
        }
    };
    let dir = std::env::temp_dir().join(format!(
        "zhucan-export-{}",
        zhucan_store::accounts::random_id()
    ));
    let path = dir.join("registry.xlsx");
    let result = async {
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let n = crate::export::write_registry(&state.store, &path, within).await?;
        std::fs::read(&path)
            .map(|b| (n, b))
            .map_err(|e| e.to_string())
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    trail::record(
        &state.store,
        audit_event(
            &caller.user,
            &caller.client,
            "registry.export",
            "registry.xlsx",
            if result.is_ok() { "ok" } else { "failed" },
            serde_json::json!({"area": area.to_string(), "persons": result.as_ref().map(|r| r.0).unwrap_or(0), "purpose": (!purpose.is_empty()).then_some(&purpose), "purpose_threshold": threshold}),
        ),
    )
    .await;
    match result {
        Ok((_, bytes)) => Ok((
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"registry-{area}.xlsx\""),
                ),
            ],
            bytes,
        )
            .into_response()),
        Err(e) => {
            tracing::error!(error = %e, "export failed");
            Err(PageError::message(
                &caller,
                StatusCode::INTERNAL_SERVER_ERROR,
                "导出失败，已记录。",
                "The export failed; it has been logged.",
            ))
        }
    }
}
