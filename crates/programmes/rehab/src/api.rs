//! The programme's API: `GET /api/v1/rehab/records` (the month's service records of the
//! caller's area).

#[allow(unused_imports)]
use crate::prelude::*;
use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::json;
use zhucan_web::AppState;
use zhucan_web::auth::ApiCaller;
use zhucan_web::error::{ApiError, ApiResult, OrApi};
use zhucan_web::scope;
use zhucan_web::trail::audit_event;
use zhucan_web::usecase::Right;

use crate::pages::SeesRehab;
use crate::rules::Month;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct RecordsQuery {
    /// The month, `YYYY-MM` (default: this month).
    month: Option<String>,
}

/// `GET /api/v1/rehab/records`: the rehabilitation service records of a month whose person is
/// in the caller's area (masked IDs), with the children's placements open in it.
#[utoipa::path(get, path = "/api/v1/rehab/records", params(RecordsQuery),
    responses((status = 200, description = "{month, records: [{id, citizen_id (masked), area, service, institution, placement, served_on, sessions, source}], placements_open}", body = Object), (status = 400, body = zhucan_web::api::ErrorBody), (status = 401, body = zhucan_web::api::ErrorBody), (status = 403, body = zhucan_web::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn records(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<RecordsQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let lang = caller.lang;
    if !SeesRehab::held_by(&caller.user) {
        return Err(ApiError::forbidden().in_lang(lang));
    }
    let Some(area) = scope::person_area(&caller.user).cloned() else {
        return Err(ApiError::forbidden().in_lang(lang));
    };
    let month = match q.month.as_deref() {
        None => Month::of(zhucan_web::view::today()),
        Some(raw) => Month::parse(raw).ok_or_else(|| {
            ApiError::invalid(
                "month",
                raw,
                "月份应为 2026-03 这样的格式",
                "the month must look like 2026-03",
            )
            .in_lang(lang)
        })?,
    };
    let records = state
        .store
        .records_in(area.as_str(), &month.key())
        .await
        .or_api(lang)?;
    let open = state
        .store
        .placements_in(area.as_str())
        .await
        .or_api(lang)?
        .iter()
        .filter(|p| p.started_on <= month.last() && p.ended_on.is_none_or(|e| e >= month.first()))
        .count();
    let rows: Vec<serde_json::Value> = records
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "citizen_id": r.citizen_id.masked(),
                "area": r.area_code,
                "service": r.service.key(),
                "institution": r.institution_id,
                "placement": r.placement_id,
                "served_on": r.served_on,
                "sessions": r.sessions,
                "source": r.source,
            })
        })
        .collect();
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "rehab.list",
        area.as_str(),
        "ok",
        json!({"via": "api", "month": month.key(), "rows": rows.len()}),
    ));
    Ok(Json(
        json!({"month": month.key(), "records": rows, "placements_open": open}),
    ))
}
