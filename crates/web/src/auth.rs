//! Authentication: Argon2id passwords, browser sessions (cookie → hashed session ID in the
//! database, with idle and absolute timeouts and a CSRF token), bearer API tokens, and the
//! same-origin guard on state-changing requests.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use zhucan_domain::Lang;
use zhucan_domain::access::TokenScope;
use zhucan_store::accounts::{hash_secret, random_id};
use zhucan_store::{ApiTokenInfo, NewSession, NewToken, Store, User};

use crate::AppState;
use crate::error::{ApiError, OrApi};

pub const SESSION_COOKIE: &str = "zhucan_session";
pub const LANG_COOKIE: &str = "zhucan_lang";

/// Hashes a password with Argon2id (PHC string).
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Checks a password against a stored PHC string.
pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// The password policy: at least `min_len` characters (the policy setting, never fewer than
/// 10), at least two of letters, digits and other characters. Returns the reason in both
/// languages.
pub fn check_password_policy(password: &str, min_len: usize) -> Result<(), (String, String)> {
    let min_len = min_len.max(10);
    let n = password.chars().count();
    let classes = [
        password.chars().any(|c| c.is_alphabetic()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if n < min_len || classes < 2 {
        return Err((
            format!("密码至少 {min_len} 位，且须包含字母、数字、符号中的两类"),
            format!(
                "a password needs at least {min_len} characters from at least two of: letters, digits, symbols"
            ),
        ));
    }
    Ok(())
}

/// Reads a cookie by name.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The language for this request: the language cookie, else `Accept-Language`, else Chinese.
pub fn request_lang(headers: &HeaderMap) -> Lang {
    if let Some(l) = cookie(headers, LANG_COOKIE).and_then(Lang::from_tag) {
        return l;
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .and_then(Lang::from_tag)
        .unwrap_or_default()
}

/// A `Set-Cookie` value with the service's attributes.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Starts a session for `user` from `client` (with the browser's `User-Agent`); returns the
/// `Set-Cookie` header value. The absolute lifetime is the policy's.
pub async fn start_session(
    state: &AppState,
    user: &User,
    lang: Lang,
    client: &str,
    user_agent: &str,
) -> Result<String, zhucan_store::StoreError> {
    let policy = state.policy().await;
    let id = format!("{}{}", random_id(), random_id());
    let csrf = random_id();
    let expires = Utc::now()
        + chrono::Duration::from_std(policy.session_max).unwrap_or(chrono::Duration::hours(12));
    state
        .store
        .create_session(&NewSession {
            id_hash: hash_secret(&id),
            user_id: user.id.clone(),
            csrf_token: csrf,
            lang: lang.tag().to_string(),
            expires_at: expires.to_rfc3339(),
            client: client.to_string(),
            user_agent: user_agent.to_string(),
        })
        .await?;
    Ok(set_cookie(
        SESSION_COOKIE,
        &id,
        policy.session_max.as_secs() as i64,
        state.config.secure_cookies,
    ))
}

pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// A signed-in staff member on a page.
#[derive(Debug, Clone)]
pub struct PageCaller {
    pub user: User,
    pub csrf: String,
    pub lang: Lang,
    pub session_hash: String,
    /// The session's public ID (to mark "this session" in lists).
    pub session_id: String,
    /// The client's address, for the audit trail.
    pub client: String,
    /// How the reader wants pages shown.
    pub display: crate::view::Display,
}

/// Where a page request that may not proceed goes: the login page (remembering the target),
/// or, for an administrator without a second factor, its enrolment.
pub enum ToLogin {
    Login(String),
    Enroll,
}

impl IntoResponse for ToLogin {
    fn into_response(self) -> Response {
        match self {
            ToLogin::Login(target) => {
                let next = percent_encoding::utf8_percent_encode(
                    &target,
                    percent_encoding::NON_ALPHANUMERIC,
                )
                .to_string();
                Redirect::to(&format!("/login?next={next}")).into_response()
            }
            ToLogin::Enroll => Redirect::to("/account/2fa").into_response(),
        }
    }
}

/// Looks up the session behind the request's cookie, enforcing the policy's idle and
/// absolute timeouts.
pub async fn session_of(state: &AppState, headers: &HeaderMap) -> Option<PageCaller> {
    let raw = cookie(headers, SESSION_COOKIE)?;
    let hash = hash_secret(raw);
    let store = &state.store;
    let s = store.session(&hash).await.ok().flatten()?;
    let now = Utc::now();
    let idle = chrono::Duration::from_std(state.policy().await.session_idle)
        .unwrap_or(chrono::Duration::minutes(30));
    let last = parse_time(&s.last_seen_at)?;
    let expires = parse_time(&s.expires_at)?;
    if now > expires || now - last > idle {
        let _ = store.delete_session(&hash).await;
        return None;
    }
    let lang = request_lang(headers);
    // Record activity at most once a minute (or more often under a very short idle timeout).
    let touch_after = chrono::Duration::seconds(60).min(idle / 4);
    if now - last > touch_after || s.lang != lang.tag() {
        let _ = store.touch_session(&hash, lang.tag()).await;
    }
    Some(PageCaller {
        user: s.user,
        csrf: s.csrf_token,
        lang,
        session_hash: hash,
        session_id: s.id,
        client: String::new(),
        display: crate::view::display_of(headers),
    })
}

impl FromRequestParts<AppState> for PageCaller {
    type Rejection = ToLogin;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // Several extractors of one request ask for the caller: the session is read once.
        if let Some(c) = parts.extensions.get::<PageCaller>() {
            return Ok(c.clone());
        }
        let target = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let target = if parts.method == Method::GET {
            target
        } else {
            "/".into()
        };
        let client = crate::trail::client_of(&parts.extensions);
        let caller = session_of(state, &parts.headers)
            .await
            .map(|c| PageCaller { client, ..c })
            .ok_or(ToLogin::Login(target))?;
        let path = parts.uri.path();
        if must_enroll(&caller.user) && !(path.starts_with("/account/2fa") || path == "/logout") {
            return Err(ToLogin::Enroll);
        }
        crate::access_log::note_account(&parts.extensions, &caller.user);
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

/// A caller of the JSON API, authenticated by `Authorization: Bearer TOKEN`. A `read` token
/// is refused (403 `token_read_only`) on every request but GET and HEAD, before any handler
/// runs.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub user: User,
    pub lang: Lang,
    pub client: String,
    /// The token's metadata (its public ID, scope, expiry).
    pub token: ApiTokenInfo,
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = request_lang(&parts.headers);
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::unauthorized().in_lang(lang))?;
        let now = Utc::now().to_rfc3339();
        let (user, info) = state
            .store
            .token_user(&hash_secret(token), &now)
            .await
            .or_api(lang)?
            .ok_or_else(|| ApiError::unauthorized().in_lang(lang))?;
        let reads_only = matches!(parts.method, Method::GET | Method::HEAD);
        if !reads_only && !info.scope.0.allows_writes() {
            return Err(ApiError::of(&crate::error::codes::TOKEN_READ_ONLY).in_lang(lang));
        }
        crate::access_log::note_account(&parts.extensions, &user);
        Ok(ApiCaller {
            user,
            lang,
            client: crate::trail::client_of(&parts.extensions),
            token: info,
        })
    }
}

/// Issues an API token for `user` with `scope`; returns the token (shown once, stored only as
/// a hash), its public ID and its expiry. `label` says how it was issued.
pub async fn issue_token(
    store: &Store,
    user: &User,
    ttl: std::time::Duration,
    scope: TokenScope,
    label: &str,
) -> Result<(String, String, String), zhucan_store::StoreError> {
    let token = format!("zc_{}{}", random_id(), random_id());
    let expires = (Utc::now()
        + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::hours(12)))
    .to_rfc3339();
    let id = store
        .create_api_token(&NewToken {
            user_id: user.id.clone(),
            token_hash: hash_secret(&token),
            scope,
            label: label.to_string(),
            expires_at: expires.clone(),
        })
        .await?;
    Ok((token, id, expires))
}

/// Refuses state-changing browser requests that come from another site (CSRF defence in depth,
/// on top of the per-session form token): `Sec-Fetch-Site: cross-site`, or an `Origin` that is
/// not this host. Requests carrying a bearer token (no ambient credentials) are exempt.
pub async fn csrf_origin_guard(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !req.headers().contains_key(header::AUTHORIZATION) && is_cross_site(req.headers()) {
        return (
            StatusCode::FORBIDDEN,
            "cross-site request refused / 已拒绝跨站请求",
        )
            .into_response();
    }
    next.run(req).await
}

fn is_cross_site(h: &HeaderMap) -> bool {
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && site == "cross-site"
    {
        return true;
    }
    match (
        h.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        h.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => {
            let o = origin.split("://").nth(1).unwrap_or(origin);
            o != host
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_roundtrip_and_policy() {
        let h = hash_password("correct horse 9").unwrap_or_default();
        assert!(verify_password("correct horse 9", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(check_password_policy("short1", 10).is_err());
        assert!(check_password_policy("onlyletterslong", 10).is_err());
        assert!(check_password_policy("letters and 123", 10).is_ok());
        assert!(
            check_password_policy("letters and 123", 16).is_err(),
            "a longer minimum"
        );
        assert!(
            check_password_policy("letters 12", 4).is_ok(),
            "never fewer than 10"
        );
        assert!(check_password_policy("letters 1", 4).is_err());
    }

    #[test]
    fn cross_site_detection() {
        let mut h = HeaderMap::new();
        h.insert(
            header::HOST,
            "127.0.0.1:8080"
                .parse()
                .unwrap_or(axum::http::HeaderValue::from_static("x")),
        );
        assert!(!is_cross_site(&h));
        h.insert(
            header::ORIGIN,
            axum::http::HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(!is_cross_site(&h));
        h.insert(
            header::ORIGIN,
            axum::http::HeaderValue::from_static("http://evil.example"),
        );
        assert!(is_cross_site(&h));
    }
}

/// Why a sign-in attempt is refused (or held) before the password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttle {
    /// Too many attempts for this account (from any address): wait this many seconds.
    RateLimited(u64),
    /// Too many attempts from this client address (many people share one behind a NAT): wait
    /// this many seconds — unless the attempt brings a right password *and* a right second
    /// factor ([`Throttle::lets_through`]).
    AddressLimited(u64),
    /// The account is locked after repeated failures: wait this many seconds.
    Locked(u64),
}

impl Throttle {
    /// Seconds to wait.
    pub fn wait(self) -> u64 {
        match self {
            Throttle::RateLimited(w) | Throttle::AddressLimited(w) | Throttle::Locked(w) => w,
        }
    }

    /// Whether a sign-in that passed the password and second-factor checks goes through
    /// despite this: only the address limit yields, and only to an account with a second
    /// factor (the per-account limit and the lockout still bound guessing of either).
    pub fn lets_through(self, user: &User, signed_in: bool) -> bool {
        matches!(self, Throttle::AddressLimited(_)) && signed_in && user.totp_enabled
    }
}

/// The key of an account in the per-account limiter (usernames are matched without case or
/// surrounding space, so `Admin ` and `admin` count together).
fn account_key(username: &str) -> String {
    username.trim().to_lowercase()
}

/// Applies the per-account rate limit, the per-address rate limit and the per-account
/// lockout (their limits are the security policy's) to a sign-in attempt. The caller refuses
/// on [`Throttle::RateLimited`] and [`Throttle::Locked`] at once. On
/// [`Throttle::AddressLimited`] (returned before the store is asked, so that a flood from one
/// address costs no query) a caller whose attempt carries a second-factor code may check
/// [`lockout`], then the credentials, and let a fully verified sign-in through
/// ([`Throttle::lets_through`]); otherwise it refuses with 429 the same way whatever the
/// password was.
pub async fn throttle(
    state: &AppState,
    client: &str,
    username: &str,
    action: &str,
) -> Option<Throttle> {
    let policy = state.policy().await;
    if let Err(wait) = state
        .account_limiter
        .check(&account_key(username), policy.login_rate_per_account)
    {
        return Some(Throttle::RateLimited(wait));
    }
    if let Err(wait) = state
        .login_limiter
        .check(client, policy.login_rate_per_minute)
    {
        return Some(Throttle::AddressLimited(wait));
    }
    lockout(state, client, username, action).await
}

/// The per-account lockout after repeated failures: [`Throttle::Locked`] while it lasts. A
/// refused attempt while locked is recorded as `locked` (it does not extend the lock).
pub async fn lockout(
    state: &AppState,
    client: &str,
    username: &str,
    action: &str,
) -> Option<Throttle> {
    let policy = state.policy().await;
    let window =
        chrono::Duration::from_std(policy.lockout_window).unwrap_or(chrono::Duration::minutes(15));
    let now = Utc::now();
    match state
        .store
        .login_locked_until(username, policy.lockout_failures, window, now)
        .await
    {
        Ok(Some(until)) => {
            crate::trail::record(
                &state.store,
                crate::trail::anonymous_event(username, client, action, "locked"),
            )
            .await;
            Some(Throttle::Locked((until - now).num_seconds().max(1) as u64))
        }
        Ok(None) => None,
        Err(e) => {
            tracing::error!(error = %e, "lockout check failed");
            None
        }
    }
}

/// What a sign-in does with a [`throttle`] verdict: `Err(t)` refuses at once; `Ok(held)` goes
/// on to check the credentials, `held` being the address limit to apply afterwards unless
/// [`Throttle::lets_through`].
pub async fn admit(
    state: &AppState,
    client: &str,
    username: &str,
    action: &str,
    totp: Option<&str>,
) -> Result<Option<Throttle>, Throttle> {
    match throttle(state, client, username, action).await {
        None => Ok(None),
        Some(t @ Throttle::AddressLimited(_)) if totp.is_some_and(|c| !c.trim().is_empty()) => {
            match lockout(state, client, username, action).await {
                Some(l) => Err(l),
                None => Ok(Some(t)),
            }
        }
        Some(t) => Err(t),
    }
}

/// Why the second factor was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    /// The account needs a code and none was given.
    Required,
    /// The code (or recovery code) is wrong, expired or already used.
    Wrong,
    /// An administrator role without an enrolled second factor (API only: pages enrol).
    NotEnrolled,
}

/// Checks the second factor of a sign-in whose password was right: a 6-digit TOTP code
/// (each step accepted once) or an unused recovery code. The stored secret is opened with the
/// server key (a plain secret from before encryption is sealed now).
pub async fn check_second_factor(
    state: &AppState,
    user: &User,
    code: Option<&str>,
) -> Result<(), SecondFactor> {
    if !user.totp_enabled {
        return Ok(());
    }
    let store = &state.store;
    let code = code
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or(SecondFactor::Required)?;
    let stored = user.totp_secret.as_deref().ok_or(SecondFactor::Wrong)?;
    let secret = match state.secret_key.open(&user.id, stored) {
        Ok(s) => Some(s),
        Err(_) => {
            tracing::error!(account = %user.username, "the TOTP secret does not open with the server key (wrong key?)");
            None
        }
    };
    if let Some(secret) = &secret
        && !crate::secrets::is_sealed(stored)
    {
        let sealed = state.secret_key.seal(&user.id, secret);
        let _ = store.replace_totp_secret(&user.id, stored, &sealed).await;
    }
    if let Some(step) = secret.as_deref().and_then(|s| {
        crate::totp::matching_step(s, code, Utc::now().timestamp(), user.totp_last_step)
    }) {
        return match store.use_totp_step(&user.id, step).await {
            Ok(true) => Ok(()),
            _ => Err(SecondFactor::Wrong),
        };
    }
    let hash = hash_secret(&crate::totp::normalize_recovery(code));
    match store.use_recovery_code(&user.id, &hash).await {
        Ok(true) => Ok(()),
        _ => Err(SecondFactor::Wrong),
    }
}

/// Whether the account must enrol a second factor before doing anything else.
pub fn must_enroll(user: &User) -> bool {
    user.role.is_admin() && !user.totp_enabled
}
