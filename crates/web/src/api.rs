//! The JSON API of `contract.md` (`/api/v1/…`), its OpenAPI 3 document, and `/healthz`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use zhucan_domain::access::TokenScope;

use crate::AppState;
use crate::auth::{self, ApiCaller, request_lang};
use crate::error::{ApiError, ApiResult, OrApi, codes};
use crate::trail::{self, Client, audit_event};

/// `GET /healthz`: 200 when the database answers.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "the service and its database are up"), (status = 503, description = "the database does not answer")))]
pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(serde_json::json!({"status": "ok"}))).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}

/// Credentials for `POST /api/v1/session`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SessionRequest {
    pub username: String,
    pub password: String,
    /// The current TOTP code, when the account has a second factor.
    pub totp: Option<String>,
    /// `read` (GET requests only) or `read_write` (the default: every right of the account).
    pub scope: Option<String>,
}

/// A new API token.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResponse {
    pub token: String,
    /// The token's public ID (to list or revoke it; not a credential).
    pub id: String,
    /// `read` or `read_write`.
    pub scope: String,
    pub expires_at: String,
}

/// The error document of every API error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, one row of the error-code table (`docs/error-codes.md`):
    /// `unauthorized`, `forbidden`, `not_found`, `invalid_parameter`, `rate_limited`, …
    pub code: String,
    /// One sentence for people, in Chinese or English by `Accept-Language`.
    pub message: String,
}

/// The API's refusal of an attempt held by the throttle (429 or the lock's 403, with
/// `Retry-After`).
fn throttled_session(t: auth::Throttle) -> ApiError {
    let w = t.wait();
    let mut e = match t {
        auth::Throttle::RateLimited(_) | auth::Throttle::AddressLimited(_) => ApiError::with(
            &codes::RATE_LIMITED,
            format!("登录尝试过于频繁，请 {w} 秒后再试"),
            format!("too many sign-in attempts; try again in {w} seconds"),
        ),
        auth::Throttle::Locked(_) => ApiError::with(
            &codes::ACCOUNT_LOCKED,
            format!(
                "该账户因连续多次密码错误已临时锁定，请 {} 分钟后再试",
                w.div_ceil(60)
            ),
            format!(
                "the account is locked after repeated wrong passwords; try again in {} minutes",
                w.div_ceil(60)
            ),
        ),
    };
    e.retry_after = Some(w);
    e
}

/// `POST /api/v1/session`: exchanges a username and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/session", request_body = SessionRequest,
    responses((status = 200, body = SessionResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn create_session(
    State(state): State<AppState>,
    Client(client): Client,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<Json<SessionResponse>> {
    let lang = request_lang(&headers);
    let req: SessionRequest = serde_json::from_slice(&body)
        .map_err(|e| {
            ApiError::with(
                &codes::INVALID_JSON,
                format!("请求体不是有效的 JSON（需要 username 和 password）：{e}"),
                format!("the body is not valid JSON with username and password: {e}"),
            )
        })
        .or_api(lang)?;
    let scope = match req.scope.as_deref().map(str::trim) {
        None | Some("") => TokenScope::ReadWrite,
        Some(s) => TokenScope::parse(s)
            .ok_or_else(|| {
                ApiError::invalid(
                    "scope",
                    s,
                    "应为 read 或 read_write",
                    "must be read or read_write",
                )
            })
            .or_api(lang)?,
    };
    let held = auth::admit(
        &state,
        &client,
        req.username.trim(),
        "api.session",
        req.totp.as_deref(),
    )
    .await
    .map_err(throttled_session)
    .or_api(lang)?;
    let user = state
        .store
        .user_by_username(req.username.trim())
        .await
        .or_api(lang)?;
    let password_ok = user
        .as_ref()
        .is_some_and(|u| !u.disabled && auth::verify_password(&req.password, &u.password_hash));
    let factor = match &user {
        Some(u) if password_ok && auth::must_enroll(u) => Err(auth::SecondFactor::NotEnrolled),
        Some(u) if password_ok => auth::check_second_factor(&state, u, req.totp.as_deref()).await,
        _ => Ok(()),
    };
    let ok = password_ok && factor.is_ok();
    if let Some(t) = held
        && !user.as_ref().is_some_and(|u| t.lets_through(u, ok))
    {
        return Err(throttled_session(t).in_lang(lang));
    }
    match &user {
        Some(u) => {
            let outcome = if ok { "ok" } else { "failed" };
            let detail = match factor {
                Ok(()) => serde_json::json!({}),
                Err(f) => serde_json::json!({"reason": format!("{f:?}")}),
            };
            trail::record(
                &state.store,
                audit_event(u, &client, "api.session", &u.username, outcome, detail),
            )
            .await;
        }
        None => {
            trail::record(
                &state.store,
                trail::anonymous_event(req.username.trim(), &client, "api.session", "failed"),
            )
            .await
        }
    }
    let user = user
        .filter(|_| ok)
        .ok_or_else(|| match factor {
            Err(auth::SecondFactor::NotEnrolled) => {
                ApiError::of(&codes::SECOND_FACTOR_NOT_ENROLLED)
            }
            Err(auth::SecondFactor::Required) => ApiError::of(&codes::SECOND_FACTOR_REQUIRED),
            Err(auth::SecondFactor::Wrong) => ApiError::of(&codes::SECOND_FACTOR_WRONG),
            Ok(()) => ApiError::of(&codes::INVALID_CREDENTIALS),
        })
        .or_api(lang)?;
    let label = format!("api session from {client}");
    let (token, id, expires_at) = auth::issue_token(
        &state.store,
        &user,
        state.config.api_token_ttl,
        scope,
        &label,
    )
    .await
    .or_api(lang)?;
    Ok(Json(SessionResponse {
        token,
        id,
        scope: scope.key().to_string(),
        expires_at,
    }))
}

/// One of the caller's API tokens (its metadata; never the token itself).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenItem {
    /// The public ID (to revoke it).
    pub id: String,
    /// `read` or `read_write`.
    pub scope: String,
    /// How it was issued.
    pub label: String,
    pub created_at: String,
    pub expires_at: String,
    /// Whether this is the token of the request.
    pub current: bool,
}

/// The caller's usable tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    pub items: Vec<TokenItem>,
}

/// `GET /api/v1/tokens`: the caller's own usable (unrevoked, unexpired) tokens.
#[utoipa::path(get, path = "/api/v1/tokens",
    responses((status = 200, body = TokenList), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn tokens(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<TokenList>> {
    let now = chrono::Utc::now().to_rfc3339();
    let list = state
        .store
        .tokens_of(&caller.user.id, &now)
        .await
        .or_api(caller.lang)?;
    Ok(Json(TokenList {
        items: list
            .into_iter()
            .map(|t| TokenItem {
                current: t.id == caller.token.id,
                id: t.id,
                scope: t.scope.0.key().to_string(),
                label: t.label,
                created_at: t.created_at,
                expires_at: t.expires_at,
            })
            .collect(),
    }))
}

/// `DELETE /api/v1/tokens/{id}`: revokes one of the caller's own tokens (a `read_write` token
/// is needed: a read-only token gets 403 `token_read_only`). Audited.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}",
    params(("id" = String, Path, description = "the token's public ID (from GET /api/v1/tokens)")),
    responses((status = 204, description = "revoked"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: ApiCaller,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> ApiResult<StatusCode> {
    let event = audit_event(
        &caller.user,
        &caller.client,
        "token.revoke",
        &caller.user.username,
        "ok",
        serde_json::json!({"token": id, "via": "api"}),
    );
    let revoked = state
        .store
        .revoke_token(&caller.user.id, &id, &event)
        .await
        .or_api(caller.lang)?;
    revoked
        .then_some(StatusCode::NO_CONTENT)
        .or_api(caller.lang)
}

#[derive(OpenApi)]
#[openapi(
    info(title = "zhucan API", description = "助残 · 数字残联 — the API of contract.md: the kernel's routes and every programme's."),
    paths(healthz, create_session, tokens, revoke_token),
    components(schemas(SessionRequest, SessionResponse, ErrorBody, ErrorDetail, TokenList, TokenItem)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// `GET /api/openapi.json`: the kernel's part of the document and every programme's.
pub async fn openapi(State(state): State<AppState>) -> Response {
    let mut doc = ApiDoc::openapi();
    for p in state.programmes.iter() {
        if let Some(part) = p.openapi() {
            doc.merge(part);
        }
    }
    Json(doc).into_response()
}
