//! The subsidies API: the audit, the payroll and one person's explanation, within the
//! caller's area (the same documents as `zhucan subsidies …`).

#[allow(unused_imports)]
use crate::prelude::*;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::json;
use zhucan_domain::area::AreaCode;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::lang::Lang;
use zhucan_domain::parse::Month;

use zhucan_web::AppState;
use zhucan_web::auth::ApiCaller;
use zhucan_web::error::{ApiError, ApiResult, OrApi};
use zhucan_web::scope;
use zhucan_web::trail::audit_event;

#[derive(Debug, Deserialize)]
pub struct MonthParams {
    month: Option<String>,
    area: Option<String>,
}

fn month_of(raw: Option<&str>, lang: Lang) -> ApiResult<Month> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Month::of(zhucan_web::view::today())),
        Some(s) => Month::parse(s)
            .map_err(|e| ApiError::rejected("month", s, &e))
            .or_api(lang),
    }
}

fn area_of(caller: &ApiCaller, raw: Option<&str>) -> ApiResult<AreaCode> {
    let lang = caller.lang;
    let scope_area = scope::person_area(&caller.user)
        .filter(|_| caller.user.role.works_subsidies())
        .cloned()
        .ok_or_else(ApiError::forbidden)
        .or_api(lang)?;
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(scope_area),
        Some(s) => match AreaCode::parse(s) {
            None => Err(ApiError::invalid(
                "area",
                s,
                "应为 6、9 或 12 位区划代码",
                "must be a 6-, 9- or 12-digit area code",
            ))
            .or_api(lang),
            Some(a) if scope_area.contains(&a) => Ok(a),
            Some(_) => None.or_api(lang),
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
) -> ApiResult<Json<serde_json::Value>> {
    let lang = caller.lang;
    let m = month_of(p.month.as_deref(), lang)?;
    let area = area_of(&caller, p.area.as_deref())?;
    let snap = state.facts.snapshot().await.or_api(lang)?;
    let policy = state.store.policy().await.or_api(lang)?;
    let a2 = area.clone();
    let findings = tokio::task::spawn_blocking(move || snap.audit(&policy, m, &a2))
        .await
        .or_api(lang)?;
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "subsidy.audit",
        &m.to_string(),
        "ok",
        json!({"area": area.to_string(), "findings": findings.len()}),
    ));
    Ok(Json(json!({
        "month": m.to_string(),
        "area": area.to_string(),
        "findings": findings.iter().map(|f| json!({
            "citizen_id": f.citizen_id.to_string(),
            "subsidy": f.subsidy.key(),
            "finding": f.finding.key(),
            "reasons": f.reasons,
            "basis": f.basis,
            "township": f.township,
        })).collect::<Vec<_>>(),
    })))
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
) -> ApiResult<Json<serde_json::Value>> {
    let lang = caller.lang;
    let m = month_of(p.month.as_deref(), lang)?;
    let area = area_of(&caller, p.area.as_deref())?;
    let stored = state.store.payroll(m).await.or_api(lang)?;
    let (status, lines) = match stored {
        Some((run, lines)) if run.status == "approved" => (
            "approved",
            lines
                .into_iter()
                .filter(|l| AreaCode::parse(&l.township).is_some_and(|t| area.contains(&t)))
                .collect(),
        ),
        _ => {
            let snap = state.facts.snapshot().await.or_api(lang)?;
            let policy = state.store.policy().await.or_api(lang)?;
            let a2 = area.clone();
            let lines = tokio::task::spawn_blocking(move || snap.payroll(&policy, m, &a2))
                .await
                .or_api(lang)?;
            ("draft", lines)
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
    Ok(Json(json!({
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
    })))
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
) -> ApiResult<Json<crate::facts::Explanation>> {
    let lang = caller.lang;
    area_of(&caller, None)?;
    let m = month_of(p.month.as_deref(), lang)?;
    let id: CitizenId = CitizenId::parse(&raw)
        .map(|p| p.id)
        .map_err(|e| ApiError::rejected("citizen_id", &raw, &e))
        .or_api(lang)?;
    let file = state
        .store
        .person_file(&id, &zhucan_store::Reach::of(&caller.user))
        .await
        .or_api(lang)?
        .filter(|f| scope::can_read(&caller.user, &f.person))
        .or_api(lang)?;
    let benefits = state
        .store
        .benefits_of(std::slice::from_ref(&id))
        .await
        .or_api(lang)?
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    let policy = state.store.policy().await.or_api(lang)?;
    let e = crate::facts::explain_person(&file, benefits, &policy, m, lang);
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "subsidy.explain",
        id.as_str(),
        "ok",
        json!({"month": m.to_string()}),
    ));
    Ok(Json(e))
}
