//! `POST /api/v1/feeds/{kind}` and `POST /api/v1/records/{kind}` (`contract.md`): a
//! department's system pushes its rows as CSV, xlsx or JSON `{"rows": […]}` and gets the
//! run's report; `GET /api/v1/feeds/runs` and `/api/v1/feeds/runs/{id}` list and show runs.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use zhucan_domain::Lang;
use zhucan_domain::access::Role;
use zhucan_domain::ledger::FactKind;
use zhucan_web::AppState;
use zhucan_web::auth::ApiCaller;
use zhucan_web::error::{ApiError, ApiResult, ErrorCode, OrApi, codes};

use crate::run::{Body, Refusal, Sender, authorize, submit};
use crate::store::{FeedsStore, RunRow};

pub static UNKNOWN_KIND: ErrorCode =
    ErrorCode::new("unknown_kind", 404, &crate::MESSAGES, "error-unknown-kind");
pub static KIND_FORBIDDEN: ErrorCode = ErrorCode::new(
    "kind_forbidden",
    403,
    &crate::MESSAGES,
    "error-kind-forbidden",
);
pub static FILE_REFUSED: ErrorCode =
    ErrorCode::new("file_refused", 422, &crate::MESSAGES, "error-file-refused");
pub static ERROR_CODES: &[&ErrorCode] = &[&UNKNOWN_KIND, &KIND_FORBIDDEN, &FILE_REFUSED];

fn unknown(kind: &str, feeds: bool) -> ApiError {
    let list = FactKind::keys(if feeds {
        &FactKind::FEEDS
    } else {
        &FactKind::RECORDS
    });
    ApiError::with(
        &UNKNOWN_KIND,
        format!("未知的数据类型“{kind}”：应为 {list} 之一"),
        format!("unknown kind “{kind}”: use one of {list}"),
    )
}

fn refused(r: &Refusal) -> ApiError {
    ApiError::with(&KIND_FORBIDDEN, r.message(Lang::Zh), r.message(Lang::En))
}

/// The sender of an API call (a partner's department read from its account).
pub async fn sender_of(
    state: &AppState,
    user: &zhucan_store::User,
    client: &str,
) -> zhucan_store::Result<Sender> {
    let department = match user.role {
        Role::Partner => state.store.department_of(&user.id).await?,
        _ => None,
    };
    Ok(Sender {
        account: user.username.clone(),
        role: Some(user.role),
        area: user.area.clone(),
        department,
        client: client.to_string(),
    })
}

/// The body as the content type says: JSON rows, CSV text, or a workbook.
fn body_of(headers: &HeaderMap, bytes: Bytes, lang: Lang) -> ApiResult<Body> {
    let ct = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ct.starts_with("application/json") {
        #[derive(serde::Deserialize)]
        struct Rows {
            rows: Vec<serde_json::Map<String, serde_json::Value>>,
        }
        let rows: Rows = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::with(
                &codes::INVALID_JSON,
                format!("请求体不是 {{\"rows\": [{{…}}]}} 形式的 JSON：{e}"),
                format!("the body is not JSON of the form {{\"rows\": [{{…}}]}}: {e}"),
            )
            .in_lang(lang)
        })?;
        return Ok(Body::Rows(rows.rows));
    }
    let name = if ct.starts_with("text/csv") || ct.starts_with("text/plain") {
        "push.csv"
    } else if ct.contains("ms-excel") {
        "push.xls"
    } else {
        "push.xlsx"
    };
    Ok(Body::File {
        name: name.into(),
        bytes: bytes.to_vec(),
    })
}

async fn push(
    state: &AppState,
    caller: &ApiCaller,
    kind: &str,
    feeds: bool,
    headers: &HeaderMap,
    bytes: Bytes,
) -> ApiResult<Json<crate::run::Report>> {
    let lang = caller.lang;
    let k = if feeds {
        FactKind::feed(kind)
    } else {
        FactKind::record(kind)
    }
    .ok_or_else(|| unknown(kind, feeds).in_lang(lang))?;
    let sender = sender_of(state, &caller.user, &caller.client)
        .await
        .or_api(lang)?;
    let within = authorize(k, &sender).map_err(|r| refused(&r).in_lang(lang))?;
    let body = body_of(headers, bytes, lang)?;
    let report = submit(
        &state.store,
        k,
        "push",
        body,
        &sender,
        within.as_ref(),
        lang,
    )
    .await
    .map_err(|crate::run::RunError::Store(e)| ApiError::from(e).in_lang(lang))?;
    if let Some(e) = &report.error {
        return Err(ApiError::with(&FILE_REFUSED, e.clone(), e.clone()).in_lang(lang));
    }
    Ok(Json(report))
}

/// `POST /api/v1/feeds/{kind}`.
#[utoipa::path(post, path = "/api/v1/feeds/{kind}",
    params(("kind" = String, Path, description = "civil_affairs, public_security, insurance, employment, health or education")),
    request_body(content = String, description = "text/csv, an xlsx workbook, or application/json {\"rows\": [{\"citizen_id\": …}]} with the English keys of feeds-and-records.md"),
    responses((status = 200, description = "the run's report {kind, received, matched, changed, unchanged, unmatched, rejected}", body = Object),
        (status = 401, body = zhucan_web::api::ErrorBody), (status = 403, body = zhucan_web::api::ErrorBody),
        (status = 404, body = zhucan_web::api::ErrorBody), (status = 422, body = zhucan_web::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn push_feed(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(kind): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult<Json<crate::run::Report>> {
    push(&state, &caller, &kind, true, &headers, bytes).await
}

/// `POST /api/v1/records/{kind}`.
#[utoipa::path(post, path = "/api/v1/records/{kind}",
    params(("kind" = String, Path, description = "rehab_service, device_fitting, device_loan, home_modification or event_attendance")),
    request_body(content = String, description = "text/csv, an xlsx workbook, or application/json {\"rows\": […]}"),
    responses((status = 200, description = "the run's report", body = Object),
        (status = 401, body = zhucan_web::api::ErrorBody), (status = 403, body = zhucan_web::api::ErrorBody),
        (status = 404, body = zhucan_web::api::ErrorBody), (status = 422, body = zhucan_web::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn push_records(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(kind): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult<Json<crate::run::Report>> {
    push(&state, &caller, &kind, false, &headers, bytes).await
}

/// Which runs an account sees: a partner its department's, district staff and auditors all,
/// township and village staff their area's; citizens and administrators of other kinds none.
pub enum RunScope {
    All,
    Department(Option<zhucan_domain::ledger::Department>),
    Area(zhucan_domain::area::AreaCode),
}

impl RunScope {
    pub async fn of(
        state: &AppState,
        user: &zhucan_store::User,
    ) -> zhucan_store::Result<Option<RunScope>> {
        Ok(match user.role {
            Role::DistrictAdmin | Role::Auditor => Some(RunScope::All),
            Role::Partner => Some(RunScope::Department(
                state.store.department_of(&user.id).await?,
            )),
            Role::TownshipStaff | Role::VillageWorker => Some(RunScope::Area(user.area.clone())),
            _ => None,
        })
    }

    pub fn covers(&self, run: &RunRow) -> bool {
        match self {
            RunScope::All => true,
            RunScope::Department(d) => {
                d.is_some() && run.department.as_deref() == d.map(|d| d.key())
            }
            RunScope::Area(a) => {
                zhucan_domain::area::AreaCode::parse(&run.area_code).is_some_and(|c| a.contains(&c))
            }
        }
    }

    pub async fn list(&self, state: &AppState, limit: i64) -> zhucan_store::Result<Vec<RunRow>> {
        match self {
            RunScope::All => state.store.runs(None, None, limit).await,
            RunScope::Department(None) => Ok(Vec::new()),
            RunScope::Department(Some(d)) => state.store.runs(Some(*d), None, limit).await,
            RunScope::Area(a) => state.store.runs(None, Some(a), limit).await,
        }
    }
}

/// `GET /api/v1/feeds/runs`: the runs the caller sees, newest first.
#[utoipa::path(get, path = "/api/v1/feeds/runs",
    responses((status = 200, description = "{runs: [{id, kind, channel, actor, status, started_at, received, matched, changed, unchanged, unmatched, rejected}]}", body = Object),
        (status = 401, body = zhucan_web::api::ErrorBody), (status = 403, body = zhucan_web::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn runs(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<serde_json::Value>> {
    let lang = caller.lang;
    let scope = RunScope::of(&state, &caller.user)
        .await
        .or_api(lang)?
        .ok_or_else(|| ApiError::forbidden().in_lang(lang))?;
    let runs = scope.list(&state, 500).await.or_api(lang)?;
    Ok(Json(serde_json::json!({ "runs": runs })))
}

/// `GET /api/v1/feeds/runs/{id}`: one run's report (404 for a run outside the caller's scope).
#[utoipa::path(get, path = "/api/v1/feeds/runs/{id}",
    params(("id" = String, Path, description = "the run")),
    responses((status = 200, description = "the run with its report", body = Object),
        (status = 401, body = zhucan_web::api::ErrorBody), (status = 403, body = zhucan_web::api::ErrorBody),
        (status = 404, body = zhucan_web::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn run(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let lang = caller.lang;
    let scope = RunScope::of(&state, &caller.user)
        .await
        .or_api(lang)?
        .ok_or_else(|| ApiError::forbidden().in_lang(lang))?;
    let run = state
        .store
        .run(&id)
        .await
        .or_api(lang)?
        .filter(|r| scope.covers(r))
        .or_api(lang)?;
    let unmatched = state.store.unmatched_of(&id).await.or_api(lang)?;
    let report: serde_json::Value =
        serde_json::from_str(&run.report).unwrap_or(serde_json::Value::Null);
    Ok(Json(serde_json::json!({
        "run": run,
        "report": report,
        "unmatched_rows": unmatched,
    })))
}
