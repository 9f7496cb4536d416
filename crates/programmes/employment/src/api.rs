//! The programme's API: `GET /api/v1/employment/reviews` (the year's declarations of the
//! caller's area with their status and the decision in force), the vacancies, and a job
//! seeker's matches.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::json;
use zhucan_web::AppState;
use zhucan_web::auth::ApiCaller;
use zhucan_web::error::{ApiError, ApiResult, OrApi};
use zhucan_web::scope;
use zhucan_web::usecase::Right;

use crate::jobs::{JobsStore, StoredVacancy};
use crate::jobs_pages::{SeesVacancies, Standing, WorksJobs, offers_for, seeker_of};
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

/// `GET /api/v1/employment/vacancies`: the open vacancies with a position left (no personal
/// data): staff see all, an employer its own.
#[utoipa::path(get, path = "/api/v1/employment/vacancies",
    responses((status = 200, description = "{vacancies: [{id, uscc, employer, title, area, workplace, form, positions, placed, monthly_wage_fen, categories, skills, access, status}]}", body = Object), (status = 401, body = zhucan_web::api::ErrorBody), (status = 403, body = zhucan_web::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn vacancies(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<serde_json::Value>> {
    let lang = caller.lang;
    if !SeesVacancies::held_by(&caller.user) {
        return Err(ApiError::forbidden().in_lang(lang));
    }
    let list = if caller.user.role.confined() {
        match state
            .store
            .account_org(&caller.user.id)
            .await
            .or_api(lang)?
        {
            Some(u) => state.store.vacancies_of(&u).await.or_api(lang)?,
            None => Vec::new(),
        }
    } else {
        state.store.vacancies().await.or_api(lang)?
    };
    let rows: Vec<serde_json::Value> = list.iter().map(vacancy_json).collect();
    Ok(Json(json!({"vacancies": rows})))
}

fn vacancy_json(v: &StoredVacancy) -> serde_json::Value {
    json!({
        "id": v.id, "uscc": v.uscc.as_str(), "employer": v.employer_name, "title": v.title,
        "area": v.area_code, "workplace": v.workplace, "form": v.form.key(),
        "positions": v.positions, "placed": v.placed, "monthly_wage_fen": v.monthly_wage_fen,
        "categories": v.categories.iter().map(|c| c.key()).collect::<Vec<_>>(),
        "skills": v.skills, "access": v.access.iter().map(|a| a.key()).collect::<Vec<_>>(),
        "status": v.status.key(),
    })
}

/// `GET /api/v1/employment/seekers/{handle}/matches`: where the person stands (`seeking`,
/// `employed`, `outside`), their registration, and the open vacancies that suit them, best
/// first, each with its reasons (and those ruled out with why).
#[utoipa::path(get, path = "/api/v1/employment/seekers/{handle}/matches",
    params(("handle" = String, Path, description = "the person file's handle")),
    responses((status = 200, description = "{standing, registered, offers: [{vacancy, reasons: [{kind, value}]}], ruled_out: [{vacancy, why: [{kind, value}]}]}", body = Object), (status = 401, body = zhucan_web::api::ErrorBody), (status = 403, body = zhucan_web::api::ErrorBody), (status = 404, body = zhucan_web::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn matches(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(handle): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let lang = caller.lang;
    if !WorksJobs::held_by(&caller.user) {
        return Err(ApiError::forbidden().in_lang(lang));
    }
    let id = state
        .store
        .citizen_by_ref(&handle)
        .await
        .or_api(lang)?
        .ok_or_else(|| ApiError::not_found().in_lang(lang))?;
    let file = scope::read_file(&state.store, &caller.user, &id)
        .await
        .or_api(lang)?
        .ok_or_else(|| ApiError::not_found().in_lang(lang))?;
    let snap = state.facts.snapshot().await.or_api(lang)?;
    let standing = match Standing::of(&snap, &id, zhucan_web::view::today()) {
        Standing::Seeking => "seeking",
        Standing::Employed => "employed",
        Standing::Outside => "outside",
    };
    let reg = state.store.registration(&id).await.or_api(lang)?;
    let (offers, ruled_out) = match &reg {
        Some(r) => offers_for(&state, &seeker_of(&file, r))
            .await
            .or_api(lang)?,
        None => (Vec::new(), Vec::new()),
    };
    state.audit.queue(zhucan_web::trail::audit_event(
        &caller.user,
        &caller.client,
        "employment.seeker.read",
        id.as_str(),
        "ok",
        json!({"via": "api"}),
    ));
    Ok(Json(json!({
        "standing": standing,
        "registered": reg.is_some(),
        "registration": reg.map(|r| json!({"skills": r.skills, "wishes": r.wishes, "needs": r.needs.iter().map(|a| a.key()).collect::<Vec<_>>(), "version": r.version})),
        "offers": offers.iter().map(|(v, f)| json!({"vacancy": vacancy_json(v), "reasons": f.reasons})).collect::<Vec<_>>(),
        "ruled_out": ruled_out.iter().map(|(v, why)| json!({"vacancy": vacancy_json(v), "why": why})).collect::<Vec<_>>(),
    })))
}
