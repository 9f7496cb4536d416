//! The electronic certificate on the web: the public verification page and its JSON twin
//! (no sign-in, rate-limited per client address, audited as anonymous reads), and the staff
//! page that shows a person's certificate card with its QR code.

use askama::Template;
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Local;
use serde::Serialize;
use utoipa::ToSchema;
use zhucan_domain::Lang;

use crate::token::{self as ecert, CertificateCard, Verification};
use zhucan_web::AppState;
use zhucan_web::auth::{PageCaller, request_lang};
use zhucan_web::pages::{chrome, forbidden_for, load_scoped, not_found_for};
use zhucan_web::scope;
use zhucan_web::trail::{Client, audit_event};
use zhucan_web::view::{Chrome, render};

/// The answer of `GET /api/v1/verify/{token}` (contract.md). Only what a verifier needs:
/// no ID, no photo, no address.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyResponse {
    /// Whether the certificate is valid now.
    pub valid: bool,
    /// `ok`, `malformed`, `unknown_key`, `bad_signature`, `expired`, `not_found`,
    /// `certificate_changed`, `revoked`, `deceased`, `moved_out`, `certificate_expired`;
    /// `rate_limited` (429) and `unavailable` (503) are no verdict.
    pub reason: String,
    /// The holder's name, all but the first character hidden (张**). Present for `ok`,
    /// `revoked` and `certificate_expired` only.
    pub name: Option<String>,
    /// Category key: visual, hearing, speech, physical, intellectual, mental, multiple.
    pub category: Option<String>,
    /// Grade key: 1 (most severe) to 4.
    pub grade: Option<String>,
    /// The certificate's validity date (YYYY-MM-DD).
    pub valid_until: Option<String>,
}

impl From<&Verification> for VerifyResponse {
    fn from(v: &Verification) -> Self {
        VerifyResponse {
            valid: v.valid,
            reason: v.reason.to_string(),
            name: v.name_masked.clone(),
            category: v.category.map(|c| c.key().to_string()),
            grade: v.grade.map(|g| g.key().to_string()),
            valid_until: v.valid_until.map(|d| d.to_string()),
        }
    }
}

/// The client address may verify once more, or must wait this many seconds.
fn limited(state: &AppState, client: &str) -> Option<u64> {
    crate::token::keys_of(state)?
        .verify_limiter
        .check(client, state.config.verify_rate_max)
        .err()
}

/// Appends the anonymous read to the audit trail: the person's handle (when the token was
/// authentic) and the reason, nothing else.
fn audit(state: &AppState, client: &str, v: &Verification, via: &str) {
    state.audit.queue(zhucan_store::audit::AuditEvent {
        account: "(public)".into(),
        role: "public".into(),
        area: String::new(),
        client: client.to_string(),
        action: "certificate.verify".into(),
        object: v.handle.clone().unwrap_or_default(),
        outcome: if v.valid { "valid" } else { "not_valid" }.into(),
        detail: serde_json::json!({"reason": v.reason, "via": via}),
    });
}

fn with_headers(mut resp: Response, retry_after: Option<u64>) -> Response {
    let h = resp.headers_mut();
    h.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    if let Some(s) = retry_after
        && let Ok(v) = HeaderValue::from_str(&s.to_string())
    {
        h.insert(header::RETRY_AFTER, v);
    }
    resp
}

/// `GET /api/v1/verify/{token}`: the verdict as JSON, for anyone. Always 200 with a
/// verdict (a tampered, expired or revoked token gives `"valid": false`); 429 with
/// `Retry-After` when the client address checks too often; 503 when the registry cannot be
/// read.
#[utoipa::path(get, path = "/api/v1/verify/{token}",
    params(("token" = String, Path, description = "the token of the certificate's QR code")),
    responses((status = 200, body = VerifyResponse, description = "the verdict"),
              (status = 429, body = VerifyResponse, description = "too many checks from this address (Retry-After)"),
              (status = 503, body = VerifyResponse, description = "the registry cannot be read: no verdict")))]
pub async fn verify_api(
    State(state): State<AppState>,
    Client(client): Client,
    token: Result<Path<String>, PathRejection>,
) -> Response {
    if let Some(wait) = limited(&state, &client) {
        let body = VerifyResponse {
            valid: false,
            reason: "rate_limited".into(),
            name: None,
            category: None,
            grade: None,
            valid_until: None,
        };
        return with_headers(
            (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response(),
            Some(wait),
        );
    }
    let token = token.map(|Path(t)| t).unwrap_or_default();
    let v = ecert::verify_token(&state, &token).await;
    audit(&state, &client, &v, "api");
    let status = if v.unavailable() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    with_headers(
        (status, Json(VerifyResponse::from(&v))).into_response(),
        None,
    )
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    c: Chrome,
    /// `valid`, `invalid` or `unknown` (no verdict).
    verdict: &'static str,
    word: String,
    sentence: String,
    name: Option<String>,
    category: Option<String>,
    grade: Option<String>,
    valid_until: Option<String>,
    checked_at: String,
}

/// `GET /verify/{token}`: the verdict as a page, for anyone (Chinese by default, English
/// through the language switch).
pub async fn verify_page(
    State(state): State<AppState>,
    Client(client): Client,
    headers: HeaderMap,
    token: Result<Path<String>, PathRejection>,
) -> Response {
    let lang = request_lang(&headers);
    let token = token.map(|Path(t)| t).unwrap_or_default();
    let safe = token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    let here = if safe {
        format!("/verify/{token}")
    } else {
        format!("/verify/{}", zhucan_web::view::url_encode(&token))
    };
    let title = crate::t(lang, "disability-certificate-check");
    let c = chrome(None, lang, &here, "", title);
    let now = Local::now().format("%Y-%m-%d %H:%M:%S").to_string();
    if let Some(wait) = limited(&state, &client) {
        let page = VerifyPage {
            c,
            verdict: "unknown",
            word: crate::t(lang, "try-again-later").into(),
            sentence: match lang {
                Lang::Zh => format!("本设备核验过于频繁，请 {wait} 秒后再试。这不表示证件无效。"),
                Lang::En => format!(
                    "This device has checked too often; try again in {wait} seconds. This does not mean the certificate is not valid."
                ),
            },
            name: None,
            category: None,
            grade: None,
            valid_until: None,
            checked_at: now,
        };
        return with_headers(render(StatusCode::TOO_MANY_REQUESTS, &page), Some(wait));
    }
    let v = ecert::verify_token(&state, &token).await;
    audit(&state, &client, &v, "page");
    let (verdict, word, status) = if v.valid {
        ("valid", crate::t(lang, "valid"), StatusCode::OK)
    } else if v.unavailable() {
        (
            "unknown",
            crate::t(lang, "cannot-check-now"),
            StatusCode::SERVICE_UNAVAILABLE,
        )
    } else {
        ("invalid", crate::t(lang, "not-valid"), StatusCode::OK)
    };
    let page = VerifyPage {
        c,
        verdict,
        word: word.into(),
        sentence: ecert::reason_text(v.reason, lang).into(),
        name: v.name_masked.clone(),
        category: v.category.map(|c| c.label(lang).to_string()),
        grade: v.grade.map(|g| g.label(lang).to_string()),
        valid_until: v.valid_until.map(|d| d.to_string()),
        checked_at: v
            .checked_at
            .with_timezone(&Local)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
    };
    with_headers(render(status, &page), None)
}

#[derive(Template)]
#[template(path = "certificate.html")]
struct CardPage {
    c: Chrome,
    handle: String,
    card: CertificateCard,
}

/// `GET /persons/{handle}/certificate`: the person's certificate card with a fresh QR code,
/// for the roles that read person files, within their area (404 outside). Audited as
/// `certificate.card`.
pub async fn staff_card(
    State(state): State<AppState>,
    caller: PageCaller,
    headers: HeaderMap,
    Path(handle): Path<String>,
) -> Response {
    let lang = caller.lang;
    if scope::person_area(&caller.user).is_none() {
        return forbidden_for(&caller);
    }
    let file = match load_scoped(&state, &caller, &handle).await {
        Ok(Some(f)) => f,
        Ok(None) => {
            state.audit.queue(audit_event(
                &caller.user,
                &caller.client,
                "certificate.card",
                "",
                "denied",
                serde_json::json!({"handle": handle}),
            ));
            return not_found_for(&caller);
        }
        Err(e) => return zhucan_web::pages::store_error(&caller, e),
    };
    let (token, expires) = match ecert::issue_for(&state, &file, chrono::Utc::now()) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "certificate token could not be issued");
            return zhucan_web::pages::error_page(
                Some(&caller),
                lang,
                StatusCode::INTERNAL_SERVER_ERROR,
                "无法生成二维码，已记录，请稍后再试。",
                "The code could not be made; it has been logged. Please try again later.",
            );
        }
    };
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "certificate.card",
        file.person.citizen_id.as_str(),
        "ok",
        serde_json::json!({"expires_at": expires.to_rfc3339(), "kid": crate::token::keys_of(&state).map(|k| k.keys.active.kid()).unwrap_or_default()}),
    ));
    let here = format!("/persons/{handle}/certificate");
    let card = CertificateCard::new(
        lang,
        &file,
        ecert::verify_url(&state, &headers, &token),
        expires,
        state.config.cert_token_ttl,
        here.clone(),
    );
    let title = match lang {
        Lang::Zh => format!("{} · 电子残疾人证", file.person.name),
        Lang::En => format!("{} · electronic certificate", file.person.name),
    };
    render(
        StatusCode::OK,
        &CardPage {
            c: chrome(Some(&caller), lang, &here, "persons", &title),
            handle,
            card,
        },
    )
}
