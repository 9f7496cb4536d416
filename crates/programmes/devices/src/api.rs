//! The programme's API: `GET /api/v1/devices` (the cases and loans of the caller's area).

#[allow(unused_imports)]
use crate::prelude::*;
use axum::Json;
use axum::extract::State;
use serde_json::json;
use zhucan_web::AppState;
use zhucan_web::auth::ApiCaller;
use zhucan_web::error::{ApiError, ApiResult, OrApi};
use zhucan_web::scope;
use zhucan_web::trail::audit_event;
use zhucan_web::usecase::Right;

use crate::pages::SeesDevices;
use crate::rules;

/// `GET /api/v1/devices`: the device cases and loans whose person is in the caller's area
/// (masked IDs), with whether each loan is overdue.
#[utoipa::path(get, path = "/api/v1/devices",
    responses((status = 200, description = "{cases: [{id, citizen_id (masked), area, item, status, assessed_on, fitted_on, subsidy_fen, followup_due, followed_on}], loans: [{id, code, citizen_id (masked), area, lent_on, due_on, returned_on, renewals, overdue}]}", body = Object), (status = 401, body = zhucan_web::api::ErrorBody), (status = 403, body = zhucan_web::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn devices(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<serde_json::Value>> {
    let lang = caller.lang;
    if !SeesDevices::held_by(&caller.user) {
        return Err(ApiError::forbidden().in_lang(lang));
    }
    let Some(area) = scope::person_area(&caller.user).cloned() else {
        return Err(ApiError::forbidden().in_lang(lang));
    };
    let today = zhucan_web::view::today();
    let cases: Vec<serde_json::Value> = state
        .store
        .device_cases_in(area.as_str())
        .await
        .or_api(lang)?
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "citizen_id": c.citizen_id.masked(),
                "area": c.area_code,
                "item": c.item_key,
                "status": c.status.key(),
                "assessed_on": c.assessed_on,
                "fitted_on": c.fitted_on,
                "subsidy_fen": c.subsidy_fen,
                "followup_due": c.followup_due,
                "followed_on": c.followed_on,
            })
        })
        .collect();
    let loans: Vec<serde_json::Value> = state
        .store
        .loans_in(area.as_str())
        .await
        .or_api(lang)?
        .iter()
        .map(|l| {
            json!({
                "id": l.id,
                "code": l.code,
                "citizen_id": l.citizen_id.masked(),
                "area": l.area_code,
                "lent_on": l.lent_on,
                "due_on": l.due_on,
                "returned_on": l.returned_on,
                "renewals": l.renewals,
                "overdue": rules::overdue(l.due_on, l.returned_on, today),
            })
        })
        .collect();
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "devices.list",
        area.as_str(),
        "ok",
        json!({"via": "api", "cases": cases.len(), "loans": loans.len()}),
    ));
    Ok(Json(json!({"cases": cases, "loans": loans})))
}
