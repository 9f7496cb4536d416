//! The service end's API: `GET /api/v1/me` (the signed-in citizen's own file and their
//! wards'), and `GET /api/v1/me/applications`.

#[allow(unused_imports)]
use crate::prelude::*;
use crate::store::AppQuery;
use axum::Json;
use axum::extract::State;
use serde_json::json;
use zhucan_domain::access::Role;
use zhucan_domain::parse::Month;

use zhucan_web::AppState;
use zhucan_web::auth::ApiCaller;
use zhucan_web::error::{ApiError, ApiResult, OrApi};
use zhucan_web::trail::audit_event;

/// The persons linked to a citizen account, and the reach they make.
type Links = (
    Vec<(zhucan_domain::ids::CitizenId, crate::store::Relation)>,
    zhucan_store::Reach,
);

async fn linked(state: &AppState, caller: &ApiCaller) -> ApiResult<Links> {
    if caller.user.role != Role::Citizen {
        return Err(ApiError::forbidden().in_lang(caller.lang));
    }
    let links = state
        .store
        .persons_of_account(&caller.user.id)
        .await
        .or_api(caller.lang)?;
    let reach = state
        .store
        .reach_of_citizen(&caller.user)
        .await
        .or_api(caller.lang)?;
    Ok((links, reach))
}

/// `GET /api/v1/me`: the citizen's own file (full identifiers: their own) and their wards'.
#[utoipa::path(get, path = "/api/v1/me",
    responses((status = 200, description = "{persons: [{relation, file, subsidies, applications}]}", body = Object), (status = 401, body = zhucan_web::api::ErrorBody), (status = 403, body = zhucan_web::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn me(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<serde_json::Value>> {
    let lang = caller.lang;
    let (links, reach) = linked(&state, &caller).await?;
    let policy = state.store.policy().await.or_api(lang)?;
    let m = Month::of(zhucan_web::view::today());
    let mut persons = Vec::new();
    for (id, relation) in links {
        let Ok(Some(f)) = state.store.person_file(&id, &reach).await else {
            continue;
        };
        let benefits = state
            .store
            .benefits_of(std::slice::from_ref(&id))
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|(_, b)| b)
            .collect();
        let e = zhucan_subsidies::facts::explain_person(&f, benefits, &policy, m, lang);
        let (_, apps) = state
            .store
            .applications(&AppQuery {
                citizen_ids: vec![id.clone()],
                page: 1,
                per_page: 200,
                ..AppQuery::default()
            })
            .await
            .unwrap_or_default();
        let mut file = zhucan_registry::api::file_json(&f);
        // Their own numbers, unmasked (identifiers.md: a person's own page may show them).
        if let Some(p) = file.get_mut("person").and_then(|p| p.as_object_mut()) {
            p.insert("phone".into(), json!(f.person.phone));
            p.insert("guardian_phone".into(), json!(f.person.guardian_phone));
        }
        persons.push(json!({
            "relation": relation.key(),
            "file": file,
            "subsidies": e.subsidies.iter().map(|x| json!({"subsidy": x.subsidy.key(), "eligible": x.eligible, "receiving": x.receiving, "amount_fen": x.amount_fen, "reasons": x.reasons})).collect::<Vec<_>>(),
            "applications": apps.iter().map(|a| json!({"id": a.id, "service": a.service_key, "status": a.status, "step": a.step, "submitted_at": a.submitted_at, "due_on": a.due_on, "decision": a.decision})).collect::<Vec<_>>(),
        }));
        state.audit.queue(audit_event(
            &caller.user,
            &caller.client,
            "person.read",
            id.as_str(),
            "ok",
            json!({"via": "api/me"}),
        ));
    }
    Ok(Json(json!({"persons": persons})))
}

/// `GET /api/v1/me/applications`: the citizen's applications and their wards'.
#[utoipa::path(get, path = "/api/v1/me/applications",
    responses((status = 200, description = "{applications: [...]}", body = Object), (status = 401, body = zhucan_web::api::ErrorBody), (status = 403, body = zhucan_web::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn applications(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<serde_json::Value>> {
    let (links, _) = linked(&state, &caller).await?;
    if links.is_empty() {
        return Ok(Json(json!({"applications": []})));
    }
    let ids = links.into_iter().map(|(i, _)| i).collect();
    let (_, apps) = state
        .store
        .applications(&AppQuery {
            citizen_ids: ids,
            page: 1,
            per_page: 500,
            ..AppQuery::default()
        })
        .await
        .or_api(caller.lang)?;
    Ok(Json(json!({"applications": apps})))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct TokenParams {
    /// The file's opaque handle, for a guardian with several wards; default the account's own
    /// file (else the first linked one).
    person: Option<String>,
}

/// `GET /api/v1/me/certificate/token`: a fresh signed token for the citizen's electronic
/// certificate (what the QR code carries), with its expiry and verification URL.
#[utoipa::path(get, path = "/api/v1/me/certificate/token", params(TokenParams),
    responses((status = 200, body = zhucan_ecert::token::CertificateToken), (status = 401, body = zhucan_web::api::ErrorBody), (status = 403, body = zhucan_web::api::ErrorBody), (status = 404, body = zhucan_web::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn certificate_token(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: axum::http::HeaderMap,
    axum::extract::Query(q): axum::extract::Query<TokenParams>,
) -> ApiResult<Json<zhucan_ecert::token::CertificateToken>> {
    let lang = caller.lang;
    let (mut links, reach) = linked(&state, &caller).await?;
    // The own file first, then the wards in their order.
    links.sort_by_key(|(_, r)| *r != crate::store::Relation::Own);
    let wanted = q.person.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let mut chosen = None;
    for (id, _) in &links {
        if let Some(f) = state.store.person_file(id, &reach).await.or_api(lang)?
            && wanted.is_none_or(|h| h == f.handle)
        {
            chosen = Some(f);
            break;
        }
    }
    let file = chosen.or_api(lang)?;
    let body = zhucan_ecert::token::certificate_token(&state, &file, &headers).or_api(lang)?;
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "certificate.card",
        file.person.citizen_id.as_str(),
        "ok",
        json!({"via": "api/me", "expires_at": body.expires_at}),
    ));
    Ok(Json(body))
}
