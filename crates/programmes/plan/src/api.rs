//! The indicators API: `GET /api/v1/indicators` (the document of `indicators.md`) and the
//! drill-down `GET /api/v1/indicators/{key}/members`.

#[allow(unused_imports)]
use crate::prelude::*;
use crate::rules::parse_rate;
use crate::{Measured, Members, Part};
use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::web::{self as plan, AreaChoice, BadParam, EvalError};
use zhucan_web::AppState;
use zhucan_web::auth::ApiCaller;
use zhucan_web::error::{ApiError, ApiResult, ErrorCode, OrApi};
use zhucan_web::scope;
use zhucan_web::trail::audit_event;

#[derive(Debug, Deserialize)]
pub struct IndicatorParams {
    at: Option<String>,
    area: Option<String>,
    gdp_growth: Option<String>,
}

impl From<BadParam> for ApiError {
    fn from(b: BadParam) -> Self {
        ApiError::invalid(b.field, &b.value, b.zh, b.en)
    }
}

/// The plan's error codes (rows of `docs/error-codes.md`).
pub static NO_PLAN: ErrorCode = ErrorCode::new("no_plan", 503, &crate::MESSAGES, "error-no-plan");

/// Every error code of the plan's API.
pub static ERROR_CODES: &[&ErrorCode] = &[&NO_PLAN];

impl From<EvalError> for ApiError {
    fn from(e: EvalError) -> Self {
        match e {
            EvalError::Store(e) => e.into(),
            EvalError::NoPlan => ApiError::of(&NO_PLAN),
            EvalError::Task => ApiError::internal(),
        }
    }
}

/// The date and area of a request within the caller's scope.
async fn resolve(
    state: &AppState,
    caller: &ApiCaller,
    at: Option<&str>,
    area: Option<&str>,
) -> ApiResult<(chrono::NaiveDate, zhucan_domain::AreaCode)> {
    let lang = caller.lang;
    let scope_area = scope::person_area(&caller.user)
        .cloned()
        .ok_or_else(ApiError::forbidden)
        .or_api(lang)?;
    let at = plan::parse_at(at).or_api(lang)?;
    let areas = state.store.areas().await.or_api(lang)?;
    match plan::parse_area(area, &scope_area, &areas) {
        AreaChoice::Area(a) => Ok((at, a)),
        AreaChoice::Bad(b) => Err(b).or_api(lang),
        AreaChoice::Hidden => None.or_api(lang),
    }
}

/// `GET /api/v1/indicators?at=DATE&area=CODE`: the 14 indicators (`indicators.md`).
#[utoipa::path(get, path = "/api/v1/indicators",
    params(("at" = Option<String>, Query, description = "reference date (default today)"),
           ("area" = Option<String>, Query, description = "district, township or village code inside the caller's area (default: the caller's area)"),
           ("gdp_growth" = Option<String>, Query, description = "the district GDP growth to judge indicator 1 against (6.5% or 0.065); default: the rate entered for the year")),
    responses((status = 200, description = "the indicators document of indicators.md", body = Object),
              (status = 400, body = zhucan_web::api::ErrorBody), (status = 401, body = zhucan_web::api::ErrorBody),
              (status = 403, body = zhucan_web::api::ErrorBody), (status = 404, body = zhucan_web::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn indicators(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<IndicatorParams>,
) -> ApiResult<Json<crate::Report>> {
    let lang = caller.lang;
    let (at, area) = resolve(&state, &caller, p.at.as_deref(), p.area.as_deref()).await?;
    let gdp = match p
        .gdp_growth
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => Some(
            parse_rate(s)
                .map_err(|e| ApiError::rejected("gdp_growth", s, &e))
                .or_api(lang)?,
        ),
        None => plan::gdp_growth(&state, at.year()).await.or_api(lang)?,
    };
    let live = plan::live(&state).await.or_api(lang)?;
    plan::evaluate(&live, at, vec![area], gdp, false)
        .await
        .or_api(lang)?
        .into_iter()
        .next()
        .map(Json)
        .ok_or_else(ApiError::internal)
        .or_api(lang)
}

#[derive(Debug, Deserialize)]
pub struct MembersParams {
    at: Option<String>,
    area: Option<String>,
    part: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

/// One person behind a number (identifiers masked).
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberPerson {
    #[serde(rename = "ref")]
    pub handle: String,
    pub citizen_id_masked: String,
    pub name: String,
    pub township_code: String,
    pub village_code: Option<String>,
    pub category: String,
    pub grade: String,
}

/// The people (or townships, institutions) behind one part of a number.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembersPage {
    pub key: String,
    pub part: String,
    pub reference_date: String,
    pub area: String,
    /// `persons`, `townships` or `institutions`.
    pub subject: String,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    /// Persons, or township/institution objects.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<serde_json::Value>,
}

fn number(
    raw: Option<&str>,
    field: &'static str,
    default: usize,
    max: usize,
) -> Result<usize, BadParam> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => match s.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(BadParam {
                field,
                value: s.to_string(),
                zh: format!("应为 1 到 {max} 的整数"),
                en: format!("must be a whole number from 1 to {max}"),
            }),
        },
    }
}

/// `GET /api/v1/indicators/{key}/members`: the people behind an indicator's numerator,
/// denominator or gap, within the caller's area.
#[utoipa::path(get, path = "/api/v1/indicators/{key}/members",
    params(("key" = String, Path, description = "indicator key (e.g. living_subsidy_coverage) or computed target key"),
           ("at" = Option<String>, Query, description = "reference date (default today)"),
           ("area" = Option<String>, Query, description = "area inside the caller's area"),
           ("part" = Option<String>, Query, description = "numerator, denominator or gap (default denominator)"),
           ("page" = Option<u32>, Query, description = "1-based page"), ("per_page" = Option<u32>, Query, description = "1–500, default 100")),
    responses((status = 200, body = MembersPage), (status = 400, body = zhucan_web::api::ErrorBody), (status = 401, body = zhucan_web::api::ErrorBody),
              (status = 403, body = zhucan_web::api::ErrorBody), (status = 404, body = zhucan_web::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn members(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(key): Path<String>,
    Query(p): Query<MembersParams>,
) -> ApiResult<Json<MembersPage>> {
    let lang = caller.lang;
    let (at, area) = resolve(&state, &caller, p.at.as_deref(), p.area.as_deref()).await?;
    let m = Measured::from_key(&key).or_api(lang)?;
    let part = match p.part.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Part::Denominator,
        Some(s) => Part::parse(s)
            .ok_or_else(|| BadParam {
                field: "part",
                value: s.to_string(),
                zh: "应为 numerator、denominator 或 gap".into(),
                en: "must be numerator, denominator or gap".into(),
            })
            .or_api(lang)?,
    };
    let page = number(p.page.as_deref(), "page", 1, usize::MAX).or_api(lang)?;
    let per_page = number(p.per_page.as_deref(), "per_page", 100, 500).or_api(lang)?;
    let live = plan::live(&state).await.or_api(lang)?;
    let snap = live.snap.clone();
    let a2 = area.clone();
    let mem = tokio::task::spawn_blocking(move || snap.members(m, part, &a2, at))
        .await
        .or_api(lang)?;
    let skip = (page - 1).saturating_mul(per_page);
    let (subject, total, items) = match mem {
        Members::Persons(ids) => {
            let slice: Vec<_> = ids.iter().skip(skip).take(per_page).cloned().collect();
            let rows = state.store.summaries_of(&slice).await.or_api(lang)?;
            let items = rows
                .into_iter()
                .map(|s| {
                    serde_json::to_value(MemberPerson {
                        handle: s.handle,
                        citizen_id_masked: s.citizen_id.masked(),
                        name: s.name,
                        township_code: s.township_code,
                        village_code: s.village_code,
                        category: s.category,
                        grade: s.grade,
                    })
                    .unwrap_or_default()
                })
                .collect();
            state.audit.queue(audit_event(
                &caller.user,
                &caller.client,
                "indicator.people",
                m.key(),
                "ok",
                serde_json::json!({"area": area.to_string(), "at": at.to_string(), "part": part.key(), "page": page, "total": ids.len()}),
            ));
            ("persons", ids.len(), items)
        }
        Members::Townships(v) => (
            "townships",
            v.len(),
            v.iter()
                .skip(skip)
                .take(per_page)
                .map(|a| serde_json::json!({"code": a.code, "name": a.name, "population": a.population}))
                .collect(),
        ),
        Members::Institutions(v) => (
            "institutions",
            v.len(),
            v.iter()
                .skip(skip)
                .take(per_page)
                .map(|i| serde_json::to_value(i).unwrap_or_default())
                .collect(),
        ),
    };
    Ok(Json(MembersPage {
        key: m.key().to_string(),
        part: part.key().to_string(),
        reference_date: at.to_string(),
        area: area.to_string(),
        subject: subject.to_string(),
        total,
        page,
        per_page,
        items,
    }))
}
