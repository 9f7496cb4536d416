//! The subsidies API: the audit, the payroll and one person's explanation, within the
//! caller's area (the same documents as `zhucan subsidies …`).

#[allow(unused_imports)]
use crate::prelude::*;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use zhucan_domain::Localized;
use zhucan_domain::area::AreaCode;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::lang::Lang;
use zhucan_domain::parse::Month;

use zhucan_web::AppState;
use zhucan_web::auth::ApiCaller;
use zhucan_web::error::ApiError;
use zhucan_web::scope;
use zhucan_web::trail::audit_event;

#[derive(Debug, Deserialize)]
pub struct MonthParams {
    month: Option<String>,
    area: Option<String>,
}

fn month_of(raw: Option<&str>, lang: Lang) -> Result<Month, Response> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Month::of(zhucan_web::view::today())),
        Some(s) => Month::parse(s).map_err(|e| {
            ApiError::invalid("month", s, e.message(Lang::Zh), e.message(Lang::En))
                .in_lang(lang)
                .into_response()
        }),
    }
}

fn area_of(caller: &ApiCaller, raw: Option<&str>) -> Result<AreaCode, Response> {
    let lang = caller.lang;
    if !caller.user.role.works_subsidies() {
        return Err(ApiError::forbidden().in_lang(lang).into_response());
    }
    let Some(scope_area) = scope::person_area(&caller.user).cloned() else {
        return Err(ApiError::forbidden().in_lang(lang).into_response());
    };
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(scope_area),
        Some(s) => match AreaCode::parse(s) {
            None => Err(ApiError::invalid(
                "area",
                s,
                "应为 6、9 或 12 位区划代码",
                "must be a 6-, 9- or 12-digit area code",
            )
            .in_lang(lang)
            .into_response()),
            Some(a) if scope_area.contains(&a) => Ok(a),
            Some(_) => Err(ApiError::not_found().in_lang(lang).into_response()),
        },
    }
}

/// `GET /api/v1/subsidies/audit?month=YYYY-MM&area=CODE`.
#[utoipa::path(get, path = "/api/v1/subsidies/audit",
    params(("month" = Option<String>, Query, description = "YYYY-MM (default this month)"), ("area" = Option<String>, Query, description = "area inside the caller's area")),
    responses((status = 200, description = "{month, findings: [{citizen_id, subsidy, finding, reasons}]}", body = Object), (status = 400, body = zhucan_web::api::ErrorBody), (status = 403, body = zhucan_web::api::ErrorBody), (status = 404, body = zhucan_web::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn audit(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<MonthParams>,
) -> Response {
    let lang = caller.lang;
    let (m, area) = match (
        month_of(p.month.as_deref(), lang),
        area_of(&caller, p.area.as_deref()),
    ) {
        (Ok(m), Ok(a)) => (m, a),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let (snap, policy) = match (state.facts.snapshot().await, state.store.policy().await) {
        (Ok(s), Ok(p)) => (s, p),
        (Err(e), _) | (_, Err(e)) => return ApiError::from(e).in_lang(lang).into_response(),
    };
    let a2 = area.clone();
    let findings = match tokio::task::spawn_blocking(move || snap.audit(&policy, m, &a2)).await {
        Ok(f) => f,
        Err(_) => return ApiError::internal().in_lang(lang).into_response(),
    };
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "subsidy.audit",
        &m.to_string(),
        "ok",
        json!({"area": area.to_string(), "findings": findings.len()}),
    ));
    Json(json!({
        "month": m.to_string(),
        "area": area.to_string(),
        "findings": findings.iter().map(|f| json!({
            "citizen_id": f.citizen_id.to_string(),
            "subsidy": f.subsidy.key(),
            "finding": f.finding.key(),
            "reasons": f.reasons,
            "township": f.township,
        })).collect::<Vec<_>>(),
    }))
    .into_response()
}

/// `GET /api/v1/subsidies/payroll?month=YYYY-MM&area=CODE`.
#[utoipa::path(get, path = "/api/v1/subsidies/payroll",
    params(("month" = Option<String>, Query, description = "YYYY-MM (default this month)"), ("area" = Option<String>, Query, description = "area inside the caller's area")),
    responses((status = 200, description = "{month, status, payments: [{citizen_id, subsidy, amount_fen, kind, for_month}], total_fen}", body = Object), (status = 400, body = zhucan_web::api::ErrorBody), (status = 403, body = zhucan_web::api::ErrorBody), (status = 404, body = zhucan_web::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn payroll(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<MonthParams>,
) -> Response {
    let lang = caller.lang;
    let (m, area) = match (
        month_of(p.month.as_deref(), lang),
        area_of(&caller, p.area.as_deref()),
    ) {
        (Ok(m), Ok(a)) => (m, a),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let stored = match state.store.payroll(m).await {
        Ok(s) => s,
        Err(e) => return ApiError::from(e).in_lang(lang).into_response(),
    };
    let (status, lines) = match stored {
        Some((run, lines)) if run.status == "approved" => (
            "approved",
            lines
                .into_iter()
                .filter(|l| AreaCode::parse(&l.township).is_some_and(|t| area.contains(&t)))
                .collect(),
        ),
        _ => {
            let (snap, policy) = match (state.facts.snapshot().await, state.store.policy().await) {
                (Ok(s), Ok(p)) => (s, p),
                (Err(e), _) | (_, Err(e)) => {
                    return ApiError::from(e).in_lang(lang).into_response();
                }
            };
            let a2 = area.clone();
            match tokio::task::spawn_blocking(move || snap.payroll(&policy, m, &a2)).await {
                Ok(l) => ("draft", l),
                Err(_) => return ApiError::internal().in_lang(lang).into_response(),
            }
        }
    };
    let lines: Vec<crate::store::PayrollLine> = lines;
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "payroll.read",
        &m.to_string(),
        "ok",
        json!({"area": area.to_string(), "lines": lines.len()}),
    ));
    Json(json!({
        "month": m.to_string(),
        "area": area.to_string(),
        "status": status,
        "payments": lines.iter().map(|l| json!({
            "citizen_id": l.citizen_id.to_string(),
            "subsidy": l.subsidy.key(),
            "amount_fen": l.amount_fen,
            "kind": l.kind,
            "for_month": l.for_month.to_string(),
            "township": l.township,
        })).collect::<Vec<_>>(),
        "total_fen": lines.iter().map(|l| l.amount_fen).sum::<i64>(),
    }))
    .into_response()
}

/// `GET /api/v1/persons/{citizen_id}/subsidies?month=YYYY-MM`: each subsidy's decision,
/// condition by condition, with the rule version.
#[utoipa::path(get, path = "/api/v1/persons/{citizen_id}/subsidies",
    params(("citizen_id" = String, Path, description = "18-character citizen ID"), ("month" = Option<String>, Query, description = "YYYY-MM (default this month)")),
    responses((status = 200, description = "the explanation", body = Object), (status = 400, body = zhucan_web::api::ErrorBody), (status = 403, body = zhucan_web::api::ErrorBody), (status = 404, body = zhucan_web::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn explain(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(raw): Path<String>,
    Query(p): Query<MonthParams>,
) -> Response {
    let lang = caller.lang;
    if let Err(r) = area_of(&caller, None) {
        return r;
    }
    let m = match month_of(p.month.as_deref(), lang) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let id: CitizenId = match CitizenId::parse(&raw) {
        Ok(p) => p.id,
        Err(e) => {
            return ApiError::invalid("citizen_id", &raw, e.message(Lang::Zh), e.message(Lang::En))
                .in_lang(lang)
                .into_response();
        }
    };
    let file = match state
        .store
        .person_file(&id, &zhucan_store::Reach::of(&caller.user))
        .await
    {
        Ok(Some(f)) if scope::can_read(&caller.user, &f.person) => f,
        Ok(_) => return ApiError::not_found().in_lang(lang).into_response(),
        Err(e) => return ApiError::from(e).in_lang(lang).into_response(),
    };
    let (benefits, policy) = match (
        state.store.benefits_of(std::slice::from_ref(&id)).await,
        state.store.policy().await,
    ) {
        (Ok(b), Ok(p)) => (b.into_iter().map(|(_, b)| b).collect(), p),
        (Err(e), _) | (_, Err(e)) => return ApiError::from(e).in_lang(lang).into_response(),
    };
    let e = crate::facts::explain_person(&file, benefits, &policy, m, lang);
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "subsidy.explain",
        id.as_str(),
        "ok",
        json!({"month": m.to_string()}),
    ));
    Json(e).into_response()
}
