//! The JSON API of `contract.md` (`/api/v1/…`), its OpenAPI 3 document, and `/healthz`.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use zhucan_domain::access::TokenScope;
use zhucan_domain::area::AreaCode;
use zhucan_domain::ids::{CitizenId, mask_phone};
use zhucan_domain::{Lang, Localized};
use zhucan_store::{PersonFile, PersonQuery};

use crate::AppState;
use crate::auth::{self, ApiCaller, request_lang};
use crate::error::ApiError;
use crate::scope;
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
    /// Stable machine-readable code: `unauthorized`, `forbidden`, `token_read_only`, `not_found`, `invalid_parameter`, `invalid_json`, `invalid_credentials`, `second_factor_required`, `second_factor_wrong`, `second_factor_not_enrolled`, `account_locked`, `version_conflict`, `rate_limited`, `internal`.
    pub code: String,
    /// One sentence for people, in Chinese or English by `Accept-Language`.
    pub message: String,
}

/// `POST /api/v1/session`: exchanges a username and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/session", request_body = SessionRequest,
    responses((status = 200, body = SessionResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn create_session(
    State(state): State<AppState>,
    Client(client): Client,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let lang = request_lang(&headers);
    let req: SessionRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!("请求体不是有效的 JSON（需要 username 和 password）：{e}"),
                format!("the body is not valid JSON with username and password: {e}"),
            )
            .in_lang(lang)
            .into_response();
        }
    };
    let scope = match req.scope.as_deref().map(str::trim) {
        None | Some("") => TokenScope::ReadWrite,
        Some(s) => match TokenScope::parse(s) {
            Some(sc) => sc,
            None => {
                return ApiError::invalid(
                    "scope",
                    s,
                    "应为 read 或 read_write",
                    "must be read or read_write",
                )
                .in_lang(lang)
                .into_response();
            }
        },
    };
    if let Some(t) = auth::throttle(&state, &client, req.username.trim(), "api.session").await {
        let mut e = match t {
            auth::Throttle::RateLimited(w) => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("登录尝试过于频繁，请 {w} 秒后再试"),
                format!("too many sign-in attempts; try again in {w} seconds"),
            ),
            auth::Throttle::Locked(w) => ApiError::new(
                StatusCode::FORBIDDEN,
                "account_locked",
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
        e.retry_after = Some(match t {
            auth::Throttle::RateLimited(w) | auth::Throttle::Locked(w) => w,
        });
        return e.in_lang(lang).into_response();
    }
    let user = match state.store.user_by_username(req.username.trim()).await {
        Ok(u) => u,
        Err(e) => return ApiError::from(e).in_lang(lang).into_response(),
    };
    let password_ok = user
        .as_ref()
        .is_some_and(|u| !u.disabled && auth::verify_password(&req.password, &u.password_hash));
    let factor = match &user {
        Some(u) if password_ok && auth::must_enroll(u) => Err(auth::SecondFactor::NotEnrolled),
        Some(u) if password_ok => auth::check_second_factor(&state, u, req.totp.as_deref()).await,
        _ => Ok(()),
    };
    let ok = password_ok && factor.is_ok();
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
    let Some(user) = user.filter(|_| ok) else {
        let e = match factor {
            Err(auth::SecondFactor::NotEnrolled) => ApiError::new(
                StatusCode::FORBIDDEN,
                "second_factor_not_enrolled",
                "管理员账户须先在网页上开启双重验证，才能使用 API",
                "administrator accounts must enrol two-step verification on the web before using the API",
            ),
            Err(auth::SecondFactor::Required) => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "second_factor_required",
                "该账户已开启双重验证：请在 totp 字段中提供动态验证码",
                "this account uses two-step verification: send the current code in the totp field",
            ),
            Err(auth::SecondFactor::Wrong) => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "second_factor_wrong",
                "动态验证码不正确或已使用",
                "the verification code is wrong or already used",
            ),
            Ok(()) => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "用户名或密码不正确",
                "wrong username or password",
            ),
        };
        return e.in_lang(lang).into_response();
    };
    let label = format!("api session from {client}");
    match auth::issue_token(
        &state.store,
        &user,
        state.config.api_token_ttl,
        scope,
        &label,
    )
    .await
    {
        Ok((token, id, expires_at)) => Json(SessionResponse {
            token,
            id,
            scope: scope.key().to_string(),
            expires_at,
        })
        .into_response(),
        Err(e) => ApiError::from(e).in_lang(lang).into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct PersonsParams {
    q: Option<String>,
    area: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

/// A person in a search result (identifiers masked).
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonListItem {
    /// Opaque handle of the file.
    #[serde(rename = "ref")]
    pub handle: String,
    pub citizen_id_masked: String,
    pub name: String,
    pub township_code: String,
    pub village_code: Option<String>,
    pub category: String,
    pub grade: String,
    pub certificate_status: String,
    pub died_on: Option<String>,
    pub moved_out_on: Option<String>,
}

/// One page of persons.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonList {
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
    pub items: Vec<PersonListItem>,
}

fn bad_param(lang: Lang, field: &str, value: &str, zh: &str, en: &str) -> Response {
    ApiError::invalid(field, value, zh, en)
        .in_lang(lang)
        .into_response()
}

/// `GET /api/v1/persons?q=…&area=…&page=…`: searches persons within the caller's area.
#[utoipa::path(get, path = "/api/v1/persons",
    params(("q" = Option<String>, Query, description = "name, citizen ID or certificate number"),
           ("area" = Option<String>, Query, description = "area code (township or village) inside the caller's area"),
           ("page" = Option<u32>, Query, description = "1-based page"), ("per_page" = Option<u32>, Query, description = "1–200, default 50")),
    responses((status = 200, body = PersonList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn persons(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<PersonsParams>,
) -> Response {
    let lang = caller.lang;
    let Some(scope_area) = scope::person_area(&caller.user).cloned() else {
        return ApiError::forbidden().in_lang(lang).into_response();
    };
    let page = match p.page.as_deref() {
        None | Some("") => 1,
        Some(s) => match s.parse::<u32>() {
            Ok(n) if n >= 1 => n,
            _ => {
                return bad_param(
                    lang,
                    "page",
                    s,
                    "应为不小于 1 的整数",
                    "must be a whole number ≥ 1",
                );
            }
        },
    };
    let per_page = match p.per_page.as_deref() {
        None | Some("") => 50,
        Some(s) => match s.parse::<u32>() {
            Ok(n) if (1..=200).contains(&n) => n,
            _ => {
                return bad_param(
                    lang,
                    "per_page",
                    s,
                    "应为 1 到 200 的整数",
                    "must be a whole number from 1 to 200",
                );
            }
        },
    };
    let area = match p.area.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(scope_area.clone()),
        Some(s) => match AreaCode::parse(s) {
            None => {
                return bad_param(
                    lang,
                    "area",
                    s,
                    "应为 6、9 或 12 位区划代码",
                    "must be a 6-, 9- or 12-digit area code",
                );
            }
            Some(a) if scope_area.contains(&a) => Some(a),
            Some(a) if a.contains(&scope_area) => Some(scope_area.clone()),
            // Outside the caller's area: an empty result, exactly as for an unknown area.
            Some(_) => None,
        },
    };
    let Some(area) = area else {
        return Json(PersonList {
            total: 0,
            page,
            per_page,
            items: vec![],
        })
        .into_response();
    };
    let q = PersonQuery {
        text: p.q.clone(),
        area: Some(area),
        page,
        per_page,
    };
    match state.store.search(&q).await {
        Ok(r) => {
            let detail = serde_json::json!({"q": q.text, "area": q.area.as_ref().map(|a| a.to_string()), "page": page, "total": r.total});
            state.audit.queue(audit_event(
                &caller.user,
                &caller.client,
                "person.search",
                "",
                "ok",
                detail,
            ));
            Json(PersonList {
                total: r.total,
                page: r.page,
                per_page: r.per_page,
                items: r
                    .items
                    .into_iter()
                    .map(|s| PersonListItem {
                        handle: s.handle,
                        citizen_id_masked: s.citizen_id.masked(),
                        name: s.name,
                        township_code: s.township_code,
                        village_code: s.village_code,
                        category: s.category,
                        grade: s.grade,
                        certificate_status: s.status,
                        died_on: s.died_on,
                        moved_out_on: s.moved_out_on,
                    })
                    .collect(),
            })
            .into_response()
        }
        Err(e) => ApiError::from(e).in_lang(lang).into_response(),
    }
}

/// The declared field list of the partner-department view (data minimisation).
pub const PARTNER_FIELDS: &[&str] = &[
    "ref",
    "person.citizen_id",
    "person.name",
    "person.sex",
    "person.birth_date",
    "person.township",
    "person.village",
    "certificate",
];

/// The person file as the API returns it: phone numbers masked; for a minimal view only
/// [`PARTNER_FIELDS`].
pub fn file_json_for(f: &PersonFile, minimal: bool) -> serde_json::Value {
    let full = file_json(f);
    if !minimal {
        return full;
    }
    let mut out = serde_json::Map::new();
    out.insert("ref".into(), full["ref"].clone());
    out.insert("certificate".into(), full["certificate"].clone());
    let mut person = serde_json::Map::new();
    for k in [
        "citizen_id",
        "name",
        "sex",
        "birth_date",
        "township",
        "village",
    ] {
        person.insert(k.into(), full["person"][k].clone());
    }
    out.insert("person".into(), serde_json::Value::Object(person));
    serde_json::Value::Object(out)
}

/// The person file as the API returns it: phone numbers masked.
pub fn file_json(f: &PersonFile) -> serde_json::Value {
    let mut f = f.clone();
    f.person.phone = f.person.phone.as_deref().map(mask_phone);
    f.person.guardian_phone = f.person.guardian_phone.as_deref().map(mask_phone);
    let mut v = serde_json::to_value(&f).unwrap_or(serde_json::Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert("ref".into(), serde_json::Value::String(f.handle.clone()));
        o.remove("handle");
        if let Some(p) = o.get_mut("person").and_then(|p| p.as_object_mut()) {
            p.insert(
                "sex".into(),
                serde_json::to_value(f.person.citizen_id.sex()).unwrap_or_default(),
            );
            p.insert(
                "birth_date".into(),
                serde_json::Value::String(f.person.citizen_id.birth_date().to_string()),
            );
        }
    }
    v
}

/// `GET /api/v1/persons/{citizen_id}`: the whole person file, within the caller's area;
/// 404 for a person outside it.
#[utoipa::path(get, path = "/api/v1/persons/{citizen_id}",
    params(("citizen_id" = String, Path, description = "18-character citizen ID")),
    responses((status = 200, description = "the person file (一人一档)", body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn person(
    State(state): State<AppState>,
    caller: ApiCaller,
    axum::extract::Path(raw): axum::extract::Path<String>,
) -> Response {
    let lang = caller.lang;
    if scope::person_area(&caller.user).is_none() {
        return ApiError::forbidden().in_lang(lang).into_response();
    }
    let id: CitizenId = match CitizenId::parse(&raw) {
        Ok(p) => p.id,
        Err(e) => {
            return ApiError::invalid("citizen_id", &raw, e.message(Lang::Zh), e.message(Lang::En))
                .in_lang(lang)
                .into_response();
        }
    };
    match state.store.person_file(&id).await {
        Ok(Some(f)) if scope::can_read(&caller.user, &f.person) => {
            state.audit.queue(audit_event(
                &caller.user,
                &caller.client,
                "person.read",
                id.as_str(),
                "ok",
                serde_json::json!({}),
            ));
            Json(file_json_for(&f, caller.user.role.minimal_view())).into_response()
        }
        Ok(_) => {
            trail::record(
                &state.store,
                audit_event(
                    &caller.user,
                    &caller.client,
                    "person.read",
                    id.as_str(),
                    "denied",
                    serde_json::json!({}),
                ),
            )
            .await;
            ApiError::not_found().in_lang(lang).into_response()
        }
        Err(e) => ApiError::from(e).in_lang(lang).into_response(),
    }
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
pub async fn tokens(State(state): State<AppState>, caller: ApiCaller) -> Response {
    let now = chrono::Utc::now().to_rfc3339();
    match state.store.tokens_of(&caller.user.id, &now).await {
        Ok(list) => Json(TokenList {
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
        })
        .into_response(),
        Err(e) => ApiError::from(e).in_lang(caller.lang).into_response(),
    }
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
) -> Response {
    let event = audit_event(
        &caller.user,
        &caller.client,
        "token.revoke",
        &caller.user.username,
        "ok",
        serde_json::json!({"token": id, "via": "api"}),
    );
    match state.store.revoke_token(&caller.user.id, &id, &event).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => ApiError::not_found().in_lang(caller.lang).into_response(),
        Err(e) => ApiError::from(e).in_lang(caller.lang).into_response(),
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "zhucan API", description = "助残 · 数字残联 — the registry API (contract.md)."),
    paths(healthz, create_session, persons, person, tokens, revoke_token, crate::plan_api::indicators, crate::plan_api::members, crate::subsidy_api::audit, crate::subsidy_api::payroll, crate::subsidy_api::explain, crate::citizen_api::me, crate::citizen_api::applications, crate::citizen_api::certificate_token, crate::ecert_pages::verify_api),
    components(schemas(SessionRequest, SessionResponse, ErrorBody, ErrorDetail, PersonList, PersonListItem, TokenList, TokenItem, crate::plan_api::MembersPage, crate::plan_api::MemberPerson, crate::ecert_pages::VerifyResponse, crate::ecert::CertificateToken)),
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

/// `GET /api/openapi.json`.
pub async fn openapi(headers: HeaderMap) -> Response {
    let _ = request_lang(&headers);
    Json(ApiDoc::openapi()).into_response()
}
