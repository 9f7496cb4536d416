//! The staff pages (治理端). Each handler: authenticate ([`PageCaller`]), check scope
//! ([`crate::scope`]), load, render. Forms re-render with their values and per-field errors.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, Local};
use serde::Deserialize;
use zhucan_domain::Lang;
use zhucan_domain::area::Area;
use zhucan_domain::ids::CitizenId;
use zhucan_store::{PersonFile, StoreError};

use crate::AppState;
use crate::auth::{self, LANG_COOKIE, PageCaller, SESSION_COOKIE, request_lang};
use crate::forms::Submission;
use crate::scope;
use crate::trail::{self, Client, audit_event};
use crate::view::{AreaNames, Chrome, DISPLAY_COOKIE, Display, render, url_encode};

pub fn chrome(
    caller: Option<&PageCaller>,
    lang: Lang,
    here: &str,
    nav: &'static str,
    title: &str,
) -> Chrome {
    Chrome {
        lang,
        user: caller.map(|c| c.user.clone()),
        csrf: caller.map(|c| c.csrf.clone()).unwrap_or_default(),
        here: here.to_string(),
        nav,
        title: title.to_string(),
        display: caller
            .map(|c| c.display)
            .unwrap_or_else(crate::view::request_display),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    message: String,
}

/// An error page with a status.
pub fn error_page(
    caller: Option<&PageCaller>,
    lang: Lang,
    status: StatusCode,
    zh: &str,
    en: &str,
) -> Response {
    let title = match status {
        StatusCode::NOT_FOUND => crate::t(lang, "not-found"),
        StatusCode::FORBIDDEN => crate::t(lang, "not-allowed"),
        StatusCode::CONFLICT => crate::t(lang, "conflict"),
        _ => crate::t(lang, "something-went-wrong"),
    };
    render(
        status,
        &ErrorPage {
            c: chrome(caller, lang, "/", "", title),
            message: lang.pick(zh, en).to_string(),
        },
    )
}

pub fn store_error(caller: &PageCaller, e: StoreError) -> Response {
    tracing::error!(error = %e, "storage error");
    error_page(
        Some(caller),
        caller.lang,
        StatusCode::INTERNAL_SERVER_ERROR,
        "服务器内部错误，已记录，请稍后再试。",
        "Internal error; it has been logged. Please try again later.",
    )
}

pub fn not_found_for(caller: &PageCaller) -> Response {
    error_page(
        Some(caller),
        caller.lang,
        StatusCode::NOT_FOUND,
        "没有找到该页面或人员，或者不在您的工作范围内。",
        "There is no such page or person, or it is outside your area.",
    )
}

pub fn forbidden_for(caller: &PageCaller) -> Response {
    error_page(
        Some(caller),
        caller.lang,
        StatusCode::FORBIDDEN,
        "您的角色无权使用此功能。",
        "Your role may not use this function.",
    )
}

pub fn csrf_ok(caller: &PageCaller, form: &HashMap<String, String>) -> bool {
    form.get("_csrf")
        .is_some_and(|t| constant_eq(t, &caller.csrf))
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub fn csrf_failed(caller: &PageCaller) -> Response {
    error_page(
        Some(caller),
        caller.lang,
        StatusCode::FORBIDDEN,
        "表单已过期或来源不明，请返回重新提交。",
        "The form has expired or did not come from this site; go back and submit it again.",
    )
}

/// 404 for any unknown path.
pub async fn not_found(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let caller = auth::session_of(&state, &headers).await;
    let lang = request_lang(&headers);
    error_page(
        caller.as_ref(),
        lang,
        StatusCode::NOT_FOUND,
        "没有找到该页面或人员，或者不在您的工作范围内。",
        "There is no such page or person, or it is outside your area.",
    )
}

// ---------------------------------------------------------------- login, logout, language

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    error: Option<String>,
    username: String,
    next: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only local paths may be redirect targets.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

pub async fn login_form(headers: HeaderMap, Query(q): Query<NextQuery>) -> Response {
    let lang = request_lang(&headers);
    let next = safe_next(q.next.as_deref());
    let page = LoginPage {
        c: chrome(
            None,
            lang,
            &format!("/login?next={}", url_encode(&next)),
            "",
            crate::t(lang, "sign-in"),
        ),
        error: None,
        username: String::new(),
        next,
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    totp: Option<String>,
    next: Option<String>,
}

/// The sign-in page refusing an attempt held by the throttle (429 or the lock's 403, with
/// `Retry-After`).
fn throttled_login(lang: Lang, t: auth::Throttle, username: String, next: String) -> Response {
    let (status, wait, zh, en) = match t {
        auth::Throttle::RateLimited(w) | auth::Throttle::AddressLimited(w) => (
            StatusCode::TOO_MANY_REQUESTS,
            w,
            format!("登录尝试过于频繁，请 {w} 秒后再试。"),
            format!("Too many sign-in attempts; try again in {w} seconds."),
        ),
        auth::Throttle::Locked(w) => (
            StatusCode::FORBIDDEN,
            w,
            format!(
                "该账户因连续多次密码错误已临时锁定，请 {} 分钟后再试，或联系管理员。",
                w.div_ceil(60)
            ),
            format!(
                "This account is locked after repeated wrong passwords; try again in {} minutes or ask an administrator.",
                w.div_ceil(60)
            ),
        ),
    };
    let page = LoginPage {
        c: chrome(None, lang, "/login", "", crate::t(lang, "sign-in")),
        error: Some(lang.pick(&zh, &en).to_string()),
        username,
        next,
    };
    let mut resp = render(status, &page);
    if let Ok(v) = axum::http::HeaderValue::from_str(&wait.to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

pub async fn login(
    State(state): State<AppState>,
    Client(client): Client,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let lang = request_lang(&headers);
    let next = safe_next(f.next.as_deref());
    let verdict = auth::admit(
        &state,
        &client,
        f.username.trim(),
        "login",
        f.totp.as_deref(),
    )
    .await;
    let held = match verdict {
        Ok(held) => held,
        Err(t) => return throttled_login(lang, t, f.username, next),
    };
    let user = match state.store.user_by_username(f.username.trim()).await {
        Ok(u) => u,
        Err(e) => {
            tracing::error!(error = %e, "login lookup failed");
            None
        }
    };
    let password_ok = match &user {
        Some(u) if !u.disabled => auth::verify_password(&f.password, &u.password_hash),
        _ => {
            // Spend the same time as a real check so that usernames cannot be probed.
            let _ = auth::verify_password(&f.password, &DUMMY_HASH);
            false
        }
    };
    // The second factor, checked only after a right password.
    let factor = match &user {
        Some(u) if password_ok => auth::check_second_factor(&state, u, f.totp.as_deref()).await,
        _ => Ok(()),
    };
    let ok = password_ok && factor.is_ok();
    if let Some(t) = held
        && !user.as_ref().is_some_and(|u| t.lets_through(u, ok))
    {
        return throttled_login(lang, t, f.username, next);
    }
    let detail = match factor {
        Err(auth::SecondFactor::Required) => serde_json::json!({"reason": "second factor missing"}),
        Err(_) => serde_json::json!({"reason": "second factor wrong"}),
        Ok(()) => serde_json::json!({}),
    };
    match &user {
        Some(u) => {
            let outcome = if ok { "ok" } else { "failed" };
            trail::record(
                &state.store,
                audit_event(u, &client, "login", &u.username, outcome, detail),
            )
            .await
        }
        None => {
            trail::record(
                &state.store,
                trail::anonymous_event(f.username.trim(), &client, "login", "failed"),
            )
            .await
        }
    }
    match (ok, user) {
        (true, Some(u)) => {
            match auth::start_session(&state, &u, lang, &client, user_agent(&headers)).await {
                Ok(cookie) => {
                    let to = if auth::must_enroll(&u) {
                        "/account/2fa".to_string()
                    } else if next == "/" {
                        crate::view::home_of(&u).to_string()
                    } else {
                        next
                    };
                    ([(header::SET_COOKIE, cookie)], Redirect::to(&to)).into_response()
                }
                Err(e) => {
                    tracing::error!(error = %e, "session start failed");
                    error_page(
                        None,
                        lang,
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "无法登录，请稍后再试。",
                        "Could not sign in; try again later.",
                    )
                }
            }
        }
        _ => {
            let message = match factor {
                Err(auth::SecondFactor::Required) => {
                    crate::t(lang, "this-account-uses-two-step-verification")
                }
                Err(_) => crate::t(lang, "the-verification-code-is-wrong-or"),
                Ok(()) => crate::t(lang, "the-username-or-password-is-wrong"),
            };
            let page = LoginPage {
                c: chrome(None, lang, "/login", "", crate::t(lang, "sign-in")),
                error: Some(message.to_string()),
                username: f.username,
                next,
            };
            render(StatusCode::UNAUTHORIZED, &page)
        }
    }
}

/// The browser's `User-Agent`, for the list of sessions.
fn user_agent(headers: &HeaderMap) -> &str {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// A real Argon2id hash of a random password, so that a sign-in with an unknown username costs
/// the same time as one with a wrong password.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let pw = zhucan_store::accounts::random_id();
    auth::hash_password(&pw).unwrap_or_default()
});

pub async fn logout(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !csrf_ok(&caller, &form) {
        return csrf_failed(&caller);
    }
    let _ = state.store.delete_session(&caller.session_hash).await;
    trail::record(
        &state.store,
        audit_event(
            &caller.user,
            &caller.client,
            "logout",
            &caller.user.username,
            "ok",
            serde_json::json!({}),
        ),
    )
    .await;
    (
        [(
            header::SET_COOKIE,
            auth::set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies),
        )],
        Redirect::to("/login"),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct LangQuery {
    to: Option<String>,
    next: Option<String>,
}

pub async fn switch_lang(State(state): State<AppState>, Query(q): Query<LangQuery>) -> Response {
    let lang = q.to.as_deref().and_then(Lang::from_tag).unwrap_or_default();
    let value = match lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    };
    (
        [(
            header::SET_COOKIE,
            auth::set_cookie(
                LANG_COOKIE,
                value,
                365 * 24 * 3600,
                state.config.secure_cookies,
            ),
        )],
        Redirect::to(&safe_next(q.next.as_deref())),
    )
        .into_response()
}

// ---------------------------------------------------------------- home

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    area_name: String,
    persons: i64,
    /// (href, label) of the common tasks shown to the caller.
    tasks: Vec<(&'static str, &'static str)>,
}

pub async fn area_names(state: &AppState) -> Result<(Vec<Area>, AreaNames), StoreError> {
    let areas = state.store.areas().await?;
    let names = AreaNames::new(&areas);
    Ok((areas, names))
}

pub async fn home(State(state): State<AppState>, caller: PageCaller) -> Response {
    let start = crate::view::home_of(&caller.user);
    if start != "/" {
        return Redirect::to(start).into_response();
    }
    let (_, names) = match area_names(&state).await {
        Ok(a) => a,
        Err(e) => return store_error(&caller, e),
    };
    let persons = match scope::person_area(&caller.user) {
        Some(area) => match state.store.count_persons(Some(area)).await {
            Ok(n) => n,
            Err(e) => return store_error(&caller, e),
        },
        None => 0,
    };
    let lang = caller.lang;
    render(
        StatusCode::OK,
        &HomePage {
            area_name: names.of(&caller.user.area),
            persons,
            tasks: state
                .programmes
                .home_tasks()
                .iter()
                .filter(|t| (t.shown)(&caller.user))
                .map(|t| (t.href, t.label(lang)))
                .collect(),
            c: chrome(Some(&caller), lang, "/", "home", crate::t(lang, "overview")),
        },
    )
}

/// Loads a person by URL handle, within the caller's scope.
pub async fn load_scoped(
    state: &AppState,
    caller: &PageCaller,
    handle: &str,
) -> Result<Option<PersonFile>, StoreError> {
    if scope::person_area(&caller.user).is_none() {
        return Ok(None);
    }
    let Some(id) = state.store.citizen_by_ref(handle).await? else {
        return Ok(None);
    };
    state
        .store
        .person_file(&id, &zhucan_store::Reach::of(&caller.user))
        .await
}

/// The file behind `handle` when the caller may change it; otherwise the response to send
/// ("not found" outside the caller's writable scope, or the storage error page).
pub async fn writable_by_handle(
    state: &AppState,
    caller: &PageCaller,
    handle: &str,
) -> Result<PersonFile, Response> {
    match load_scoped(state, caller, handle).await {
        Ok(Some(f)) if scope::can_write(&caller.user, &f.person) => Ok(f),
        Ok(_) => Err(not_found_for(caller)),
        Err(e) => Err(store_error(caller, e)),
    }
}

/// The citizen ID, checked, for the API path.
pub fn parse_path_id(s: &str) -> Option<CitizenId> {
    CitizenId::parse(s).ok().map(|p| p.id)
}

impl From<Submission> for HashMap<String, String> {
    fn from(s: Submission) -> Self {
        s.values
    }
}

#[allow(dead_code)]
pub fn year_now() -> i32 {
    Local::now().year()
}

// ---------------------------------------------------------------- display preferences

#[derive(Debug, Deserialize)]
pub struct DisplayParams {
    set: Option<String>,
    next: Option<String>,
}

/// `GET /display?set=large.contrast.easy&next=…`: keeps the reader's display preferences.
pub async fn display(State(state): State<AppState>, Query(q): Query<DisplayParams>) -> Response {
    let d = Display::parse(q.set.as_deref().unwrap_or(""));
    let next = match q.next.as_deref() {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    };
    (
        [(
            header::SET_COOKIE,
            auth::set_cookie(
                DISPLAY_COOKIE,
                &d.value(),
                365 * 24 * 3600,
                state.config.secure_cookies,
            ),
        )],
        Redirect::to(&next),
    )
        .into_response()
}

/// The person of a citizen ID typed in a form's `field`, within the caller's reach and
/// writable by them; otherwise the field's error (the same words whether the person is absent
/// or out of reach, so that an ID tells nothing).
pub async fn typed_person(
    state: &AppState,
    caller: &PageCaller,
    sub: &mut Submission,
    field: &str,
) -> Result<Option<PersonFile>, crate::usecase::PageError> {
    use crate::usecase::OrPage;
    use zhucan_domain::Localized;
    let lang = caller.lang;
    let raw = sub.get(field).to_string();
    if raw.is_empty() {
        sub.fail(field, crate::t(lang, "is-required").to_string());
        return Ok(None);
    }
    let id = match CitizenId::parse(&raw) {
        Ok(p) => p.id,
        Err(e) => {
            sub.fail(field, format!("“{raw}”：{}", e.message(lang)));
            return Ok(None);
        }
    };
    let file = state
        .store
        .person_file(&id, &zhucan_store::Reach::of(&caller.user))
        .await
        .or_page(caller)?
        .filter(|f| scope::can_write(&caller.user, &f.person));
    if file.is_none() {
        sub.fail(
            field,
            crate::tf(lang, "no-person-in-your-area", &[("v", id.masked().into())]),
        );
    }
    Ok(file)
}

/// Refuses (on `field`) a service day on or after the person's death or move out of the
/// district.
pub fn check_present(
    sub: &mut Submission,
    field: &str,
    file: &PersonFile,
    day: chrono::NaiveDate,
    lang: Lang,
) {
    let p = &file.person;
    if p.died_on.is_some_and(|d| d <= day) || p.moved_out_on.is_some_and(|d| d <= day) {
        sub.fail(
            field,
            crate::tf(lang, "person-gone-on", &[("v", day.to_string().into())]),
        );
    }
}

/// The names of the persons of `ids` (those in the registry), by citizen ID.
pub async fn names_of(
    state: &AppState,
    caller: &PageCaller,
    ids: &[CitizenId],
) -> Result<HashMap<String, String>, crate::usecase::PageError> {
    use crate::usecase::OrPage;
    Ok(state
        .store
        .summaries_of(ids)
        .await
        .or_page(caller)?
        .into_iter()
        .map(|s| (s.citizen_id.as_str().to_string(), s.name))
        .collect())
}
