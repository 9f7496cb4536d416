//! The programme's API: `GET /api/v1/care/institutions` (the institutions of the caller's
//! area with their values and residents at a date).

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::json;
use zhucan_web::AppState;
use zhucan_web::auth::ApiCaller;
use zhucan_web::error::{ApiError, ApiResult, OrApi};
use zhucan_web::scope;
use zhucan_web::usecase::Right;

use crate::pages::WorksCare;
use crate::rules;
use crate::store::CareStore;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct InstitutionsQuery {
    /// The day, `YYYY-MM-DD` (default: today).
    at: Option<String>,
}

/// `GET /api/v1/care/institutions`: every institution of the caller's area with its values
/// at `at` (the directory with its dated decisions applied) and the number in care there
/// that day.
#[utoipa::path(get, path = "/api/v1/care/institutions", params(InstitutionsQuery),
    responses((status = 200, description = "{at, institutions: [{id, name, kind, township, open, standardized, designated, operator, beds, residents, decisions}]}", body = Object), (status = 400, body = zhucan_web::api::ErrorBody), (status = 401, body = zhucan_web::api::ErrorBody), (status = 403, body = zhucan_web::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn institutions(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<InstitutionsQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let lang = caller.lang;
    if !WorksCare::held_by(&caller.user) {
        return Err(ApiError::forbidden().in_lang(lang));
    }
    let Some(area) = scope::person_area(&caller.user).cloned() else {
        return Err(ApiError::forbidden().in_lang(lang));
    };
    let at = match q.at.as_deref() {
        None => zhucan_web::view::today(),
        Some(raw) => zhucan_domain::parse::parse_date(raw).map_err(|_| {
            ApiError::invalid(
                "at",
                raw,
                "日期应为 2026-03-01 这样的格式",
                "the date must look like 2026-03-01",
            )
            .in_lang(lang)
        })?,
    };
    let stays = state.store.care_stays_at("").await.or_api(lang)?;
    let rows: Vec<serde_json::Value> = state
        .store
        .institutions()
        .await
        .or_api(lang)?
        .iter()
        .filter(|i| area.contains(&i.township) || i.township.contains(&area))
        .map(|i| {
            let s = i.state_at(at);
            let id = i.id();
            json!({
                "id": id,
                "name": i.name,
                "kind": i.kind.key(),
                "township": i.township.to_string(),
                "open": s.open,
                "standardized": s.standardized,
                "designated": s.designated,
                "operator": s.operator.map(|o| o.key()),
                "beds": s.beds,
                "residents": stays
                    .iter()
                    .filter(|st| st.institution_id == id && rules::in_care_on(st.since, st.until, at))
                    .count(),
                "decisions": i.decisions,
            })
        })
        .collect();
    Ok(Json(json!({"at": at.to_string(), "institutions": rows})))
}
