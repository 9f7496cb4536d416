//! The access log: one line per request — method, route template (axum's `MatchedPath`, never
//! the raw path, so no citizen ID or handle), status, latency, request ID and the signed-in
//! account (its ID and username, identifiers masked). No query string, no body, no personal
//! data. The line is a `tracing` event (target `zhucan_web::access_log`, level INFO); the
//! binary's subscriber writes it with the other logs.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use zhucan_store::User;

/// The request ID header: taken from the request when it is a plain token (a proxy's), else
/// made here; echoed on the response.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Where the extractors note who the caller is, for the log line.
#[derive(Debug, Clone, Default)]
pub struct AccountSlot(Arc<Mutex<Option<(String, String)>>>);

/// Notes the signed-in account of the request carrying these extensions (called by the
/// caller extractors).
pub fn note_account(ext: &axum::http::Extensions, user: &User) {
    if let Some(slot) = ext.get::<AccountSlot>()
        && let Ok(mut g) = slot.0.lock()
    {
        *g = Some((
            user.id.clone(),
            zhucan_domain::ids::mask_identifiers_in(&user.username),
        ));
    }
}

fn incoming_id(req: &Request) -> Option<String> {
    let v = req.headers().get(&REQUEST_ID)?.to_str().ok()?;
    (!v.is_empty()
        && v.len() <= 64
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then(|| v.to_string())
}

/// The middleware (`Router::layer`, so that `MatchedPath` is known).
pub async fn access_log(mut req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "(unmatched)".to_string());
    let request_id = incoming_id(&req).unwrap_or_else(zhucan_store::accounts::random_id);
    let slot = AccountSlot::default();
    req.extensions_mut().insert(slot.clone());
    let mut resp = next.run(req).await;
    let latency_ms = start.elapsed().as_secs_f64() * 1000.0;
    let (account_id, account) = slot
        .0
        .lock()
        .ok()
        .and_then(|g| g.clone())
        .unwrap_or_else(|| ("-".to_string(), "-".to_string()));
    let status = resp.status().as_u16();
    tracing::info!(
        method = %method,
        route = %route,
        status,
        latency_ms = format_args!("{latency_ms:.1}"),
        request_id = %request_id,
        account_id = %account_id,
        account = %account,
        "request"
    );
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert(REQUEST_ID.clone(), v);
    }
    resp
}
