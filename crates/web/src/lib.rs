//! The zhucan web service: the staff pages (governance end, 治理端), the JSON API of
//! `contract.md` with its OpenAPI document, and the health check.
//!
//! Pages are server-rendered semantic HTML (askama) that work without JavaScript; the only
//! asset is one embedded stylesheet. Every request is authenticated in [`auth`] and every
//! person it touches is checked against the caller's area in [`scope`].

// Handlers' helpers return `Result<T, Response>` to answer early; a response is big by nature.
#![allow(clippy::result_large_err)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::{MethodRouter, delete, get, post};
use tower_http::set_header::SetResponseHeaderLayer;
use zhucan_store::Store;

pub mod account;
pub mod admin;
pub mod api;
pub mod audit_pages;
pub mod auth;
pub mod charts;
pub mod citizen;
pub mod citizen_api;
pub mod ecert;
pub mod ecert_pages;
pub mod error;
pub mod evaluation;
pub mod export;
pub mod file_edit;
pub mod forms;
pub mod limits;
pub mod maintenance;
pub mod notify;
pub mod pages;
pub mod plan;
pub mod plan_api;
pub mod plan_pages;
pub mod policy;
pub mod registry_import;
pub mod registry_io;
pub mod scope;
pub mod secrets;
pub mod security;
pub mod service_desk;
pub mod sessions;
pub mod subsidy_api;
pub mod subsidy_pages;
pub mod totp;
pub mod trail;
pub mod usecase;
pub mod view;

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
    /// Sign-in attempts allowed per client address per `login_rate_window`.
    pub login_rate_max: usize,
    pub login_rate_window: Duration,
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
    /// The key that signs electronic-certificate tokens. `None` (tests only): a random key
    /// for the life of the process.
    pub cert_key: Option<ecert::CertKey>,
    /// Former certificate keys, kept after a rotation to verify the tokens they signed.
    pub cert_retired_keys: Vec<ecert::CertKey>,
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
            login_rate_max: 20,
            login_rate_window: Duration::from_secs(60),
            audit_retention_months: 6,
            password_min_length: 10,
            policy_refresh: Duration::from_secs(5),
            maintenance_every: None,
            secret_key: None,
            cert_key: None,
            cert_retired_keys: Vec::new(),
            cert_token_ttl: ecert::DEFAULT_TTL,
            public_url: None,
            verify_rate_max: 60,
        }
    }
}

/// Shared state of all handlers.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    /// Sign-in attempts per client address.
    pub login_limiter: Arc<limits::RateLimiter>,
    /// The queue of read records for the audit trail.
    pub audit: Arc<trail::AuditSink>,
    /// The registry's facts in memory, kept exact (indicators, drill-downs).
    pub facts: Arc<zhucan_engine::FactsCache>,
    /// Where texts to citizens go.
    pub sms: Arc<dyn notify::SmsGateway>,
    /// The security policy in force.
    pub policy: Arc<policy::PolicyCache>,
    /// The server key sealing TOTP secrets.
    pub secret_key: Arc<secrets::SecretKey>,
    /// The keys signing (and verifying) electronic-certificate tokens.
    pub cert_keys: Arc<ecert::CertKeys>,
    /// Certificate verifications per client address.
    pub verify_limiter: Arc<limits::RateLimiter>,
    /// Recent indicator trends, exact under the facts' change counters.
    pub trends: Arc<plan::TrendCache>,
    /// Roster uploads running or finished (their progress and reports).
    pub imports: Arc<registry_io::ImportJobs>,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> Self {
        let login_limiter = Arc::new(limits::RateLimiter::new(config.login_rate_window));
        let audit = Arc::new(trail::AuditSink::start(store.clone()));
        let facts = Arc::new(zhucan_engine::FactsCache::new(store.clone()));
        let policy = Arc::new(policy::PolicyCache::new(
            policy::Policy::defaults(&config),
            config.policy_refresh,
        ));
        let secret_key = Arc::new(config.secret_key.clone().unwrap_or_else(|| {
            tracing::warn!("no server key configured: TOTP secrets are sealed with a key that lasts only as long as this process");
            secrets::SecretKey::random()
        }));
        let cert_keys = Arc::new(ecert::CertKeys {
            active: config.cert_key.clone().unwrap_or_else(|| {
                tracing::warn!("no certificate signing key configured: certificate codes are signed with a key that lasts only as long as this process");
                ecert::CertKey::random()
            }),
            retired: config.cert_retired_keys.clone(),
        });
        let verify_limiter = Arc::new(limits::RateLimiter::new(Duration::from_secs(60)));
        AppState {
            store,
            config: Arc::new(config),
            login_limiter,
            audit,
            facts,
            sms: Arc::new(notify::LoggingGateway),
            policy,
            secret_key,
            cert_keys,
            verify_limiter,
            trends: Arc::default(),
            imports: Arc::default(),
        }
    }

    /// The security policy in force.
    pub async fn policy(&self) -> policy::Policy {
        self.policy.get(&self.store).await
    }
}

const CSS: &str = include_str!("../static/app.css");

/// The largest form with uploads (a few documents of at most 5 MB each).
const UPLOAD_LIMIT: usize = 24 * 1024 * 1024;

async fn stylesheet() -> impl axum::response::IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}

/// Every route of the service with its handlers. The router is built from this table and the
/// authorisation tests read it, so that a route without a rule fails the test suite.
pub fn routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/", get(pages::home)),
        ("/login", get(pages::login_form).post(pages::login)),
        ("/logout", post(pages::logout)),
        ("/lang", get(pages::switch_lang)),
        ("/persons", get(pages::persons)),
        (
            "/persons/new",
            get(pages::new_person_form).post(pages::new_person),
        ),
        ("/persons/{handle}", get(pages::person)),
        ("/persons/{handle}/reveal", post(pages::reveal)),
        (
            "/persons/{handle}/edit",
            get(file_edit::edit_form).post(file_edit::save_edit),
        ),
        (
            "/persons/{handle}/surveys/{year}",
            get(file_edit::survey_form).post(file_edit::save_survey),
        ),
        (
            "/persons/{handle}/certificate",
            get(ecert_pages::staff_card),
        ),
        ("/verify/{token}", get(ecert_pages::verify_page)),
        (
            "/persons/{handle}/events",
            get(pages::event_form).post(pages::record_event),
        ),
        ("/export", get(registry_io::export_page)),
        ("/export/registry.xlsx", post(registry_io::export_download)),
        (
            "/import",
            get(registry_io::import_form)
                .post(registry_io::import_upload)
                .layer(DefaultBodyLimit::max(registry_io::UPLOAD_LIMIT)),
        ),
        ("/import/{job}", get(registry_io::import_job)),
        ("/import/{job}/{file}", get(registry_io::import_report)),
        ("/admin/users", get(admin::users).post(admin::create)),
        (
            "/admin/users/{username}",
            get(admin::account).post(admin::change_rights),
        ),
        ("/admin/users/{username}/disable", post(admin::disable)),
        ("/admin/users/{username}/enable", post(admin::enable)),
        (
            "/admin/users/{username}/sessions/{id}/end",
            post(admin::end_session),
        ),
        (
            "/admin/users/{username}/tokens/{id}/revoke",
            post(admin::revoke_token),
        ),
        (
            "/account/2fa",
            get(account::two_factor).post(account::enable_two_factor),
        ),
        ("/indicators", get(plan_pages::dashboard)),
        ("/indicators/report", get(plan_pages::report)),
        ("/indicators/report.xlsx", get(plan_pages::report_xlsx)),
        (
            "/indicators/targets",
            get(plan_pages::targets).post(plan_pages::record_progress),
        ),
        (
            "/indicators/gdp",
            get(plan_pages::gdp).post(plan_pages::set_gdp),
        ),
        ("/indicators/{key}/people", get(plan_pages::people)),
        (
            "/indicators/{key}/people.xlsx",
            post(plan_pages::people_export),
        ),
        ("/public/indicators", get(plan_pages::public)),
        ("/signup", get(citizen::signup_form).post(citizen::signup)),
        ("/display", get(citizen::display)),
        ("/me", get(citizen::me)),
        ("/me/services", get(citizen::services)),
        (
            "/me/services/{key}",
            get(citizen::service)
                .post(citizen::apply)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        ),
        ("/me/applications/{id}", get(citizen::application)),
        (
            "/me/applications/{id}/answer",
            post(citizen::answer).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        ),
        ("/me/applications/{id}/files/{seq}", get(citizen::file)),
        ("/me/needs", get(citizen::needs).post(citizen::add_need)),
        ("/me/needs/{id}/satisfaction", post(citizen::rate_need)),
        ("/me/messages", get(citizen::messages)),
        ("/me/certificate", get(citizen::my_certificate)),
        ("/services/queue", get(service_desk::queue)),
        (
            "/services/applications/{id}",
            get(service_desk::application),
        ),
        ("/services/applications/{id}/act", post(service_desk::act)),
        (
            "/services/applications/{id}/files/{seq}",
            get(service_desk::file),
        ),
        ("/needs", get(service_desk::needs)),
        ("/needs/{id}", get(service_desk::need)),
        ("/needs/{id}/act", post(service_desk::need_act)),
        (
            "/persons/{handle}/needs",
            get(service_desk::person_needs).post(service_desk::record_need),
        ),
        ("/subsidies", get(subsidy_pages::audit)),
        (
            "/subsidies/cases",
            get(subsidy_pages::cases).post(subsidy_pages::open_case),
        ),
        ("/subsidies/cases/{id}", get(subsidy_pages::case)),
        (
            "/subsidies/cases/{id}/decide",
            post(subsidy_pages::decide_case),
        ),
        ("/subsidies/payroll", get(subsidy_pages::payroll)),
        (
            "/subsidies/payroll/submit",
            post(subsidy_pages::submit_payroll),
        ),
        (
            "/subsidies/payroll/approve",
            post(subsidy_pages::approve_payroll),
        ),
        (
            "/subsidies/payroll/export",
            post(subsidy_pages::export_payroll),
        ),
        (
            "/subsidies/policy",
            get(subsidy_pages::policy_view).post(subsidy_pages::policy_change),
        ),
        ("/subsidies/what-if", get(subsidy_pages::what_if)),
        ("/persons/{handle}/subsidies", get(subsidy_pages::person)),
        (
            "/persons/{handle}/benefits",
            post(subsidy_pages::add_benefit),
        ),
        (
            "/persons/{handle}/account",
            post(subsidy_pages::set_account),
        ),
        ("/account/sessions", get(sessions::sessions_page)),
        (
            "/account/sessions/{id}/end",
            post(sessions::end_own_session),
        ),
        (
            "/account/tokens/{id}/revoke",
            post(sessions::revoke_own_token),
        ),
        (
            "/security/settings",
            get(security::settings_page).post(security::save_settings),
        ),
        ("/audit", get(audit_pages::audit_page)),
        ("/audit/export.csv", get(audit_pages::audit_export)),
        ("/api/v1/session", post(api::create_session)),
        ("/api/v1/persons", get(api::persons)),
        ("/api/v1/persons/{citizen_id}", get(api::person)),
        ("/api/v1/indicators", get(plan_api::indicators)),
        ("/api/v1/me", get(citizen_api::me)),
        ("/api/v1/me/applications", get(citizen_api::applications)),
        (
            "/api/v1/me/certificate/token",
            get(citizen_api::certificate_token),
        ),
        ("/api/v1/subsidies/audit", get(subsidy_api::audit)),
        ("/api/v1/subsidies/payroll", get(subsidy_api::payroll)),
        (
            "/api/v1/persons/{citizen_id}/subsidies",
            get(subsidy_api::explain),
        ),
        ("/api/v1/indicators/{key}/members", get(plan_api::members)),
        ("/api/v1/tokens", get(api::tokens)),
        ("/api/v1/tokens/{id}", delete(api::revoke_token)),
        ("/api/v1/verify/{token}", get(ecert_pages::verify_api)),
        ("/api/openapi.json", get(api::openapi)),
        ("/healthz", get(api::healthz)),
        ("/static/app.css", get(stylesheet)),
    ]
}

/// The service: [`routes`] with the security layers.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for (path, handler) in routes() {
        router = router.route(path, handler);
    }
    router
        .fallback(pages::not_found)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(on_panic))
        .layer(axum::middleware::from_fn(auth::csrf_origin_guard))
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
    let (facts, store) = (state.facts.clone(), state.store.clone());
    tokio::spawn(async move {
        if let Err(e) = facts.snapshot().await {
            tracing::warn!(error = %e, "the registry's facts could not be loaded yet");
        }
        zhucan_engine::cases::run_every(store, facts, Duration::from_secs(30)).await;
    });
    // Texts queued for citizens go to the SMS gateway (the logging one, by default).
    tokio::spawn(notify::run_outbox(
        state.store.clone(),
        state.sms.clone(),
        Duration::from_secs(10),
    ));
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
