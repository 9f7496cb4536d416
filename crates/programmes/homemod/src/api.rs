//! The programme's API: `GET /api/v1/homemod/projects` (the projects of the caller's area).

#[allow(unused_imports)]
use crate::prelude::*;
use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::json;
use zhucan_service::store::AppQuery;
use zhucan_web::AppState;
use zhucan_web::auth::ApiCaller;
use zhucan_web::error::{ApiError, ApiResult, OrApi};
use zhucan_web::scope;
use zhucan_web::trail::audit_event;
use zhucan_web::usecase::Right;

use crate::pages::WorksProjects;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ProjectsQuery {
    /// The year the applications were made (default: this year).
    year: Option<i64>,
}

/// `GET /api/v1/homemod/projects`: the home modification projects of the caller's area for a
/// year: the application's stage and due date, and what each step recorded (masked IDs).
#[utoipa::path(get, path = "/api/v1/homemod/projects", params(ProjectsQuery),
    responses((status = 200, description = "{year, projects: [{application, citizen_id (masked), area, status, step, due_on, overdue, quote_fen, contractor, accepted_on, cost_fen, subsidy_fen, paid_on}]}", body = Object), (status = 401, body = zhucan_web::api::ErrorBody), (status = 403, body = zhucan_web::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn projects(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<ProjectsQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let lang = caller.lang;
    if !WorksProjects::held_by(&caller.user) {
        return Err(ApiError::forbidden().in_lang(lang));
    }
    let Some(area) = scope::person_area(&caller.user).cloned() else {
        return Err(ApiError::forbidden().in_lang(lang));
    };
    let year = q
        .year
        .unwrap_or_else(|| i64::from(chrono::Datelike::year(&zhucan_web::view::today())));
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::invalid(
            "year",
            &year.to_string(),
            "年份应在 2000 到 2100 之间",
            "the year must be from 2000 to 2100",
        )
        .in_lang(lang));
    }
    let (_, apps) = state
        .store
        .applications(&AppQuery {
            area: Some(area.clone()),
            service_key: Some(crate::rules::SERVICE.into()),
            page: 1,
            per_page: 100_000,
            ..AppQuery::default()
        })
        .await
        .or_api(lang)?;
    let projects: std::collections::HashMap<String, crate::store::Project> = state
        .store
        .projects_in(area.as_str(), None)
        .await
        .or_api(lang)?
        .into_iter()
        .map(|p| (p.application_id.clone(), p))
        .collect();
    let today = zhucan_web::view::today().to_string();
    let rows: Vec<serde_json::Value> = apps
        .iter()
        .filter(|a| a.submitted_at.get(..4) == Some(year.to_string().as_str()))
        .map(|a| {
            let p = projects.get(&a.id);
            let open = matches!(a.status.as_str(), "submitted" | "needs_info");
            json!({
                "application": a.id,
                "citizen_id": a.citizen_id.masked(),
                "area": a.area,
                "status": a.status,
                "step": a.step,
                "submitted_at": a.submitted_at,
                "due_on": a.due_on,
                "overdue": open && a.due_on < today,
                "quote_fen": p.and_then(|p| p.quote_fen),
                "subsidy_planned_fen": p.and_then(|p| p.subsidy_planned_fen),
                "contractor": p.and_then(|p| p.contractor.clone()),
                "works_done_on": p.and_then(|p| p.works_done_on.clone()),
                "accepted_on": p.and_then(|p| p.accepted_on.clone()),
                "cost_fen": p.and_then(|p| p.cost_fen),
                "subsidy_fen": p.and_then(|p| p.subsidy_fen),
                "paid_on": p.and_then(|p| p.paid_on.clone()),
            })
        })
        .collect();
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "homemod.list",
        area.as_str(),
        "ok",
        json!({"via": "api", "year": year, "rows": rows.len()}),
    ));
    Ok(Json(json!({"year": year, "projects": rows})))
}
