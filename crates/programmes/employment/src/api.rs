//! The programme's API: `GET /api/v1/employment/reviews` (the year's declarations of the
//! caller's area with their status and the decision in force).

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::json;
use zhucan_web::AppState;
use zhucan_web::auth::ApiCaller;
use zhucan_web::error::{ApiError, ApiResult, OrApi};
use zhucan_web::scope;
use zhucan_web::usecase::Right;

use crate::pages::SeesEmployment;
use crate::review::judged_on;
use crate::store::EmploymentStore;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ReviewsQuery {
    /// The declared year (the staff and wages of that year, reviewed the year after).
    year: i64,
}

/// `GET /api/v1/employment/reviews?year=Y`: each declaration of the caller's area for year Y:
/// the employer, its status (`declared`, `confirmed`, `contested`), the declaration's version
/// and the decision in force (the contract's employer object, or null before a confirmation).
#[utoipa::path(get, path = "/api/v1/employment/reviews", params(ReviewsQuery),
    responses((status = 200, description = "{year, employers: [{uscc, name, area, status, version, listed, decision: {…contract.md's employer object} | null, decided_at}]}", body = Object), (status = 401, body = zhucan_web::api::ErrorBody), (status = 403, body = zhucan_web::api::ErrorBody), (status = 422, body = zhucan_web::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn reviews(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<ReviewsQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let lang = caller.lang;
    if !SeesEmployment::held_by(&caller.user) {
        return Err(ApiError::forbidden().in_lang(lang));
    }
    let Some(area) = scope::person_area(&caller.user).cloned() else {
        return Err(ApiError::forbidden().in_lang(lang));
    };
    if judged_on(q.year).is_none() {
        return Err(ApiError::invalid(
            "year",
            &q.year.to_string(),
            "年份应在 2000 到 2100 之间",
            "the year must be from 2000 to 2100",
        )
        .in_lang(lang));
    }
    let mut rows = Vec::new();
    for d in state
        .store
        .declarations(q.year, area.as_str())
        .await
        .or_api(lang)?
    {
        let decision = if d.status == crate::rules::Status::Confirmed {
            state
                .store
                .decisions(q.year, d.uscc.as_str())
                .await
                .or_api(lang)?
                .into_iter()
                .next()
        } else {
            None
        };
        rows.push(json!({
            "uscc": d.uscc.as_str(),
            "name": d.name,
            "area": d.area_code,
            "status": d.status.key(),
            "version": d.version,
            "listed": d.listed,
            "decided_at": decision.as_ref().map(|x| x.decided_at.clone()),
            "decision": decision.map(|x| x.result),
        }));
    }
    Ok(Json(json!({"year": q.year, "employers": rows})))
}
