//! The zhucan web service: the staff pages (governance end, 治理端), the JSON API of
//! `contract.md` with its OpenAPI document, and the health check.
//!
//! Pages are server-rendered semantic HTML (askama) that work without JavaScript; the only
//! asset is one embedded stylesheet. Every request is authenticated in [`auth`] and every
//! person it touches is checked against the caller's area in [`scope`].

// Handlers' helpers return `Result<T, Response>` to answer early; a response is big by nature.
#![allow(clippy::result_large_err)]

// Templates name the catalogue by crate (`zhucan_web::t`), here too.
extern crate self as zhucan_web;
// The crate's messages in Chinese and English (`messages/*.ftl`): `t`, `tf`, `MESSAGES`.
zhucan_domain::catalogue!();

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::{MethodRouter, delete, get, post};
use tower_http::set_header::SetResponseHeaderLayer;
use zhucan_store::Store;

pub mod access_log;
pub mod account;
pub mod api;
pub mod auth;
pub mod cli_out;
pub mod error;
pub mod forms;
pub mod limits;
pub mod maintenance;
pub mod pages;
pub mod policy;
pub mod programme;
pub mod purpose;
pub mod scope;
pub mod secrets;
pub mod totp;
pub mod trail;
pub mod usecase;
pub mod view;
pub mod xlsx;

pub use programme::{Extensions, NavEntry, Programme, Programmes};

/// Runtime settings of the web service. The security policy among them (timeouts, lockout,
/// sign-in rate, audit retention, password length) are defaults: the security administrator's
/// stored settings override them while the service runs (see [`policy`]).
#[derive(Debug, Clone)]
pub struct Config {
    /// Idle session timeout.
    pub session_idle: Duration,
    /// Absolute session lifetime.
    pub session_max: Duration,
    /// Mark cookies `Secure` (set when served behind TLS).
    pub secure_cookies: bool,
    /// Lifetime of API tokens issued by `POST /api/v1/session`.
    pub api_token_ttl: Duration,
    /// Failed sign-ins that lock an account …
    pub lockout_failures: i64,
    /// … within this window, for this long.
    pub lockout_window: Duration,
    /// Sign-in attempts allowed per client address per `login_rate_window` (high: a whole
    /// office behind one NAT shares an address).
    pub login_rate_max: usize,
    /// Sign-in attempts allowed per account (the username tried) per `login_rate_window`.
    pub login_account_rate_max: usize,
    pub login_rate_window: Duration,
    /// Exports of more persons than this need a stated purpose (a default of the policy).
    pub export_purpose_rows: usize,
    /// Months the audit trail is kept (at least 6).
    pub audit_retention_months: u32,
    /// Minimum password length.
    pub password_min_length: usize,
    /// How long the running service trusts its cached copy of the stored policy.
    pub policy_refresh: Duration,
    /// How often the service purges audit records past retention and stale sessions
    /// (`None`: never; `zhucan serve` runs it daily).
    pub maintenance_every: Option<Duration>,
    /// The server key that seals TOTP secrets. `None` (tests only): a random key for the
    /// life of the process.
    pub secret_key: Option<secrets::SecretKey>,
    /// The 32-byte seed of the key that signs electronic-certificate tokens (the ecert
    /// programme's). `None` (tests only): a random key for the life of the process.
    pub cert_key: Option<[u8; 32]>,
    /// Seeds of former certificate keys, kept after a rotation to verify the tokens they
    /// signed.
    pub cert_retired_keys: Vec<[u8; 32]>,
    /// Lifetime of a certificate token (the QR code); default 5 minutes.
    pub cert_token_ttl: Duration,
    /// The public base of verification URLs (`https://host`); `None`: the request's `Host`.
    pub public_url: Option<String>,
    /// Certificate verifications allowed per client address per minute.
    pub verify_rate_max: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            session_idle: Duration::from_secs(30 * 60),
            session_max: Duration::from_secs(12 * 3600),
            secure_cookies: false,
            api_token_ttl: Duration::from_secs(12 * 3600),
            lockout_failures: 5,
            lockout_window: Duration::from_secs(15 * 60),
            login_rate_max: 300,
            login_account_rate_max: 10,
            login_rate_window: Duration::from_secs(60),
            export_purpose_rows: 1000,
            audit_retention_months: 6,
            password_min_length: 10,
            policy_refresh: Duration::from_secs(5),
            maintenance_every: None,
            secret_key: None,
            cert_key: None,
            cert_retired_keys: Vec::new(),
            cert_token_ttl: Duration::from_secs(5 * 60),
            public_url: None,
            verify_rate_max: 60,
        }
    }
}

/// Shared state of all handlers: the kernel's parts, and what each programme keeps
/// ([`AppState::ext`]).
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    /// Sign-in attempts per client address.
    pub login_limiter: Arc<limits::RateLimiter>,
    /// Sign-in attempts per account (username tried).
    pub account_limiter: Arc<limits::RateLimiter>,
    /// The queue of read records for the audit trail.
    pub audit: Arc<trail::AuditSink>,
    /// The registry's facts in memory, kept exact, with the programmes' fact layers.
    pub facts: Arc<zhucan_facts::FactsCache>,
    /// The security policy in force.
    pub policy: Arc<policy::PolicyCache>,
    /// The server key sealing TOTP secrets.
    pub secret_key: Arc<secrets::SecretKey>,
    /// The programmes this service runs.
    pub programmes: Programmes,
    /// What the programmes keep (their caches, keys and job tables), by type.
    ext: Arc<Extensions>,
}

impl AppState {
    pub fn new(store: Store, config: Config, programmes: Programmes) -> Self {
        let login_limiter = Arc::new(limits::RateLimiter::new(config.login_rate_window));
        let account_limiter = Arc::new(limits::RateLimiter::new(config.login_rate_window));
        let audit = Arc::new(trail::AuditSink::start(store.clone()));
        let facts = Arc::new(zhucan_facts::FactsCache::new(
            store.clone(),
            programmes.fact_layers(),
        ));
        let policy = Arc::new(policy::PolicyCache::new(
            policy::Policy::defaults(&config),
            config.policy_refresh,
        ));
        let secret_key = Arc::new(config.secret_key.clone().unwrap_or_else(|| {
            tracing::warn!("no server key configured: TOTP secrets are sealed with a key that lasts only as long as this process");
            secrets::SecretKey::random()
        }));
        let mut state = AppState {
            store,
            config: Arc::new(config),
            login_limiter,
            account_limiter,
            audit,
            facts,
            policy,
            secret_key,
            programmes: programmes.clone(),
            ext: Arc::default(),
        };
        let mut ext = Extensions::default();
        for p in programmes.iter() {
            p.install(&state, &mut ext);
        }
        state.ext = Arc::new(ext);
        view::set_nav(programmes.nav());
        state
    }

    /// The security policy in force.
    pub async fn policy(&self) -> policy::Policy {
        self.policy.get(&self.store).await
    }

    /// What a programme keeps in the state (installed by [`Programme::install`]).
    pub fn ext<T: std::any::Any + Send + Sync>(&self) -> Option<&T> {
        self.ext.get::<T>()
    }
}

const CSS: &str = include_str!("../static/app.css");

async fn stylesheet() -> impl axum::response::IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}

/// The kernel's routes: signing in and out, language and display, two-step verification,
/// the API session and tokens, the OpenAPI document, the health check, the stylesheet.
fn kernel_routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/", get(pages::home)),
        ("/login", get(pages::login_form).post(pages::login)),
        ("/logout", post(pages::logout)),
        ("/lang", get(pages::switch_lang)),
        ("/display", get(pages::display)),
        (
            "/account/2fa",
            get(account::two_factor).post(account::enable_two_factor),
        ),
        ("/api/v1/session", post(api::create_session)),
        ("/api/v1/tokens", get(api::tokens)),
        ("/api/v1/tokens/{id}", delete(api::revoke_token)),
        ("/api/openapi.json", get(api::openapi)),
        ("/healthz", get(api::healthz)),
        ("/static/app.css", get(stylesheet)),
    ]
}

/// Every route of the service: the kernel's, then each programme's. The router is built from
/// this list and the authorisation tests read it, so that a route without a rule fails the
/// test suite.
pub fn routes(programmes: &Programmes) -> Vec<(&'static str, MethodRouter<AppState>)> {
    let mut all = kernel_routes();
    all.extend(programmes.routes());
    all
}

/// The service: [`routes`] with the security layers.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for (path, handler) in routes(&state.programmes) {
        router = router.route(path, handler);
    }
    router
        .fallback(pages::not_found)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(on_panic))
        .layer(axum::middleware::from_fn(auth::csrf_origin_guard))
        .layer(axum::middleware::from_fn(view::display_layer))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(64 * 1024 * 1024))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        // Outermost, so that every answer (a refused origin, a too-large body, a panic) is
        // logged; `Router::layer` wraps each route, so the route template is known.
        .layer(axum::middleware::from_fn(access_log::access_log))
        .with_state(state)
}

/// A handler that panicked answers 500 with one sentence; the details go to the log only.
fn on_panic(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    use axum::response::IntoResponse;
    tracing::error!("a request handler panicked");
    error::ApiError::internal().into_response()
}

/// Serves until Ctrl-C. Binds `addr` (port 0 picks a free port) and reports the bound address
/// through `on_bound` before serving.
pub async fn serve(
    state: AppState,
    addr: SocketAddr,
    on_bound: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    on_bound(listener.local_addr()?);
    let audit = state.audit.clone();
    // Load the facts in the background so that the first dashboard is quick, then keep
    // opening the subsidy cases the registry's changes call for (1+X, 应补尽补).
    let facts = state.facts.clone();
    tokio::spawn(async move {
        if let Err(e) = facts.snapshot().await {
            tracing::warn!(error = %e, "the registry's facts could not be loaded yet");
        }
    });
    // The programmes' jobs (the subsidy case opener, …).
    for p in state.programmes.iter() {
        for job in p.jobs(&state) {
            tokio::spawn(job);
        }
    }
    let housekeeping = state
        .config
        .maintenance_every
        .map(|every| tokio::spawn(maintenance::run_every(state.clone(), every)));
    let result = axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    if let Some(h) = housekeeping {
        h.abort();
    }
    // Every queued audit record is written before the process ends.
    audit.flush().await;
    result
}
