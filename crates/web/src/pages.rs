//! The staff pages (治理端). Each handler: authenticate ([`PageCaller`]), check scope
//! ([`crate::scope`]), load, render. Forms re-render with their values and per-field errors.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, Local};
use serde::Deserialize;
use zhucan_domain::area::{Area, AreaCode, AreaLevel};
use zhucan_domain::disability::format_components;
use zhucan_domain::ids::{CitizenId, mask_phone};
use zhucan_domain::parse::fen_to_yuan;
use zhucan_domain::person::{CertificateStatus, Survey};
use zhucan_domain::timeline::apply_life_event;
use zhucan_domain::{Lang, Localized};
use zhucan_store::registry::Actor;
use zhucan_store::{PersonFile, PersonQuery, StoreError};

use crate::AppState;
use crate::auth::{self, LANG_COOKIE, PageCaller, SESSION_COOKIE, request_lang};
use crate::forms::{self, FormField, Submission};
use crate::scope;
use crate::trail::{self, Client, audit_event};
use crate::view::{AreaNames, Chrome, render, url_encode};

pub(crate) fn chrome(
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
        display: caller.map(|c| c.display).unwrap_or_default(),
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
        StatusCode::NOT_FOUND => lang.pick("未找到", "Not found"),
        StatusCode::FORBIDDEN => lang.pick("无权访问", "Not allowed"),
        StatusCode::CONFLICT => lang.pick("保存冲突", "Conflict"),
        _ => lang.pick("出错了", "Something went wrong"),
    };
    render(
        status,
        &ErrorPage {
            c: chrome(caller, lang, "/", "", title),
            message: lang.pick(zh, en).to_string(),
        },
    )
}

pub(crate) fn store_error(caller: &PageCaller, e: StoreError) -> Response {
    tracing::error!(error = %e, "storage error");
    error_page(
        Some(caller),
        caller.lang,
        StatusCode::INTERNAL_SERVER_ERROR,
        "服务器内部错误，已记录，请稍后再试。",
        "Internal error; it has been logged. Please try again later.",
    )
}

pub(crate) fn not_found_for(caller: &PageCaller) -> Response {
    error_page(
        Some(caller),
        caller.lang,
        StatusCode::NOT_FOUND,
        "没有找到该页面或人员，或者不在您的工作范围内。",
        "There is no such page or person, or it is outside your area.",
    )
}

pub(crate) fn forbidden_for(caller: &PageCaller) -> Response {
    error_page(
        Some(caller),
        caller.lang,
        StatusCode::FORBIDDEN,
        "您的角色无权使用此功能。",
        "Your role may not use this function.",
    )
}

pub(crate) fn csrf_ok(caller: &PageCaller, form: &HashMap<String, String>) -> bool {
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

pub(crate) fn csrf_failed(caller: &PageCaller) -> Response {
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
            lang.pick("登录", "Sign in"),
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

pub async fn login(
    State(state): State<AppState>,
    Client(client): Client,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let lang = request_lang(&headers);
    let next = safe_next(f.next.as_deref());
    if let Some(t) = auth::throttle(&state, &client, f.username.trim(), "login").await {
        let (status, wait, zh, en) = match t {
            auth::Throttle::RateLimited(w) => (
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
            c: chrome(None, lang, "/login", "", lang.pick("登录", "Sign in")),
            error: Some(lang.pick(&zh, &en).to_string()),
            username: f.username,
            next,
        };
        let mut resp = render(status, &page);
        if let Ok(v) = axum::http::HeaderValue::from_str(&wait.to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return resp;
    }
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
                Err(auth::SecondFactor::Required) => lang.pick(
                    "该账户已开启双重验证：请同时填写验证器应用中的 6 位动态验证码（或一个恢复码）。",
                    "This account uses two-step verification: also enter the 6-digit code from your authenticator app (or a recovery code).",
                ),
                Err(_) => lang.pick("动态验证码不正确或已使用，请输入验证器中的最新验证码。", "The verification code is wrong or already used; enter the current code from your authenticator."),
                Ok(()) => lang.pick("用户名或密码不正确。", "The username or password is wrong."),
            };
            let page = LoginPage {
                c: chrome(None, lang, "/login", "", lang.pick("登录", "Sign in")),
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
}

async fn area_names(state: &AppState) -> Result<(Vec<Area>, AreaNames), StoreError> {
    let areas = state.store.areas().await?;
    let names = AreaNames::new(&areas);
    Ok((areas, names))
}

pub async fn home(State(state): State<AppState>, caller: PageCaller) -> Response {
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
            c: chrome(
                Some(&caller),
                lang,
                "/",
                "home",
                lang.pick("工作台", "Overview"),
            ),
        },
    )
}

// ---------------------------------------------------------------- search

#[derive(Template)]
#[template(path = "persons.html")]
struct PersonsPage {
    c: Chrome,
    q: String,
    area: String,
    townships: Vec<(String, String)>,
    rows: Vec<PersonRow>,
    summary: String,
    notice: Option<String>,
    page_label: String,
    prev_href: Option<String>,
    next_href: Option<String>,
}

struct PersonRow {
    handle: String,
    name: String,
    masked_id: String,
    category: String,
    township: String,
    status: String,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    area: Option<String>,
    page: Option<String>,
}

/// Narrows the caller's area to the requested one when it lies inside it; `None` if the
/// requested area is outside (the search then finds nobody, as for an unknown area).
fn narrow(scope_area: &AreaCode, requested: Option<&str>) -> Option<Option<AreaCode>> {
    match requested.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(s) => match AreaCode::parse(s) {
            Some(a) if scope_area.contains(&a) => Some(Some(a)),
            Some(a) if a.contains(scope_area) => Some(None),
            _ => None,
        },
    }
}

pub async fn persons(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(q): Query<SearchQuery>,
) -> Response {
    let lang = caller.lang;
    let Some(scope_area) = scope::person_area(&caller.user).cloned() else {
        return forbidden_for(&caller);
    };
    let (areas, names) = match area_names(&state).await {
        Ok(a) => a,
        Err(e) => return store_error(&caller, e),
    };
    let text = q.q.clone().unwrap_or_default();
    let page: u32 = q
        .page
        .as_deref()
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let townships: Vec<(String, String)> = areas
        .iter()
        .filter(|a| a.code.level() == AreaLevel::Township && (scope_area.contains(&a.code)))
        .map(|a| (a.code.to_string(), a.name.clone()))
        .collect();
    let area_q = q.area.clone().unwrap_or_default();
    let here = format!(
        "/persons?q={}&area={}&page={page}",
        url_encode(&text),
        url_encode(&area_q)
    );
    let mut notice = None;
    let effective = match narrow(&scope_area, q.area.as_deref()) {
        Some(Some(a)) => Some(a),
        Some(None) => Some(scope_area.clone()),
        None => {
            notice = Some(
                lang.pick(
                    "所选地区不在您的工作范围内。",
                    "The chosen area is outside your area.",
                )
                .to_string(),
            );
            None
        }
    };
    let show = q.q.is_some() || q.area.is_some() || q.page.is_some();
    let (total, items) = match (&effective, show) {
        (Some(area), true) => {
            let query = PersonQuery {
                text: Some(text.clone()),
                area: Some(area.clone()),
                page,
                per_page: 20,
            };
            match state.store.search(&query).await {
                Ok(p) => {
                    let detail = serde_json::json!({"q": text, "area": area.to_string(), "page": page, "total": p.total});
                    state.audit.queue(audit_event(
                        &caller.user,
                        &caller.client,
                        "person.search",
                        "",
                        "ok",
                        detail,
                    ));
                    (p.total, p.items)
                }
                Err(e) => return store_error(&caller, e),
            }
        }
        _ => (0, vec![]),
    };
    let rows = items
        .into_iter()
        .map(|s| PersonRow {
            handle: s.handle,
            name: s.name,
            masked_id: s.citizen_id.masked(),
            category: format!(
                "{}{}",
                zhucan_domain::Category::parse(&s.category)
                    .map(|c| c.label(lang))
                    .unwrap_or(""),
                zhucan_domain::Grade::parse(&s.grade)
                    .map(|g| g.label(lang))
                    .unwrap_or("")
            ),
            township: names.name(&s.township_code),
            status: status_text(
                lang,
                &s.status,
                s.died_on.is_some(),
                s.moved_out_on.is_some(),
            ),
        })
        .collect::<Vec<_>>();
    let pages = ((total + 19) / 20).max(1) as u32;
    let link = |p: u32| {
        format!(
            "/persons?q={}&area={}&page={p}",
            url_encode(&text),
            url_encode(&area_q)
        )
    };
    let summary = if !show {
        lang.pick("请输入查询条件。", "Enter what to search for.")
            .to_string()
    } else {
        match lang {
            Lang::Zh => format!("共找到 {total} 人。"),
            Lang::En => format!("{total} persons found."),
        }
    };
    render(
        StatusCode::OK,
        &PersonsPage {
            c: chrome(
                Some(&caller),
                lang,
                &here,
                "persons",
                lang.pick("人员查询", "Find a person"),
            ),
            q: text.clone(),
            area: area_q.clone(),
            townships,
            rows,
            summary,
            notice,
            page_label: match lang {
                Lang::Zh => format!("第 {page} 页，共 {pages} 页"),
                Lang::En => format!("Page {page} of {pages}"),
            },
            prev_href: (page > 1).then(|| link(page - 1)),
            next_href: (page < pages).then(|| link(page + 1)),
        },
    )
}

fn status_text(lang: Lang, status: &str, died: bool, moved: bool) -> String {
    if died {
        lang.pick("已死亡", "deceased").into()
    } else if moved {
        lang.pick("已迁出", "moved out").into()
    } else if status == "revoked" {
        lang.pick("已注销", "revoked").into()
    } else {
        lang.pick("有效", "valid").into()
    }
}

// ---------------------------------------------------------------- the person file

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    c: Chrome,
    v: PersonView,
    notice: Option<String>,
}

struct PersonView {
    handle: String,
    writable: bool,
    revealed: bool,
    can_reveal: bool,
    minimal: bool,
    name: String,
    masked_id: String,
    sex: String,
    birth: String,
    age: String,
    phone: String,
    guardian: String,
    legacy: Option<String>,
    masked_cert: String,
    category: String,
    grade: String,
    issued: String,
    valid_until: String,
    cert_status: String,
    smart_card: String,
    cert_history: Vec<(String, String, String, String, String)>,
    township: String,
    village: String,
    hukou: String,
    household_id: String,
    household_size: String,
    members: Vec<(String, String)>,
    status_flags: Vec<String>,
    survey_years: Vec<i32>,
    survey_rows: Vec<(String, Vec<String>)>,
    /// The survey years a clerk may update from the file: this year, then the stored ones.
    survey_links: Vec<i32>,
    events: Vec<(String, String, String)>,
}

fn yes_no(lang: Lang, v: Option<bool>) -> String {
    match v {
        Some(true) => lang.pick("是", "yes").into(),
        Some(false) => lang.pick("否", "no").into(),
        None => "—".into(),
    }
}

/// "needed / received" as two yes/no answers.
fn need_and_service(lang: Lang, need: Option<bool>, got: Option<bool>) -> String {
    format!("{} / {}", yes_no(lang, need), yes_no(lang, got))
}

fn opt_label<T: Copy>(v: Option<T>, f: impl Fn(T) -> &'static str) -> String {
    v.map(f).unwrap_or("—").to_string()
}

fn survey_rows(lang: Lang, surveys: &[Survey]) -> Vec<(String, Vec<String>)> {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let row = |label: String, f: &dyn Fn(&Survey) -> String| {
        (label, surveys.iter().map(f).collect::<Vec<_>>())
    };
    let month =
        |m: Option<zhucan_domain::Month>| m.map(|m| m.to_string()).unwrap_or_else(|| "—".into());
    vec![
        row(t("家庭经济状况", "Economic status"), &|s| {
            opt_label(s.economic_status, |v| v.label(lang))
        }),
        row(
            t(
                "家庭人均可支配收入（元/年）",
                "Income per capita (yuan/year)",
            ),
            &|s| {
                s.income_per_capita_fen
                    .map(fen_to_yuan)
                    .unwrap_or_else(|| "—".into())
            },
        ),
        row(t("生活补贴", "Living subsidy"), &|s| {
            format!(
                "{} ~ {}",
                month(s.living_subsidy_since),
                month(s.living_subsidy_until)
            )
        }),
        row(t("护理补贴", "Nursing subsidy"), &|s| {
            format!(
                "{} ~ {}",
                month(s.nursing_subsidy_since),
                month(s.nursing_subsidy_until)
            )
        }),
        row(t("养老保险", "Pension insurance"), &|s| {
            opt_label(s.pension_insurance, |v| v.label(lang))
        }),
        row(t("医疗保险", "Medical insurance"), &|s| {
            opt_label(s.medical_insurance, |v| v.label(lang))
        }),
        row(t("就业状况", "Employment"), &|s| {
            opt_label(s.employment_status, |v| v.label(lang))
        }),
        row(t("未就业原因", "Reason not employed"), &|s| {
            opt_label(s.not_employed_reason, |v| v.label(lang))
        }),
        row(t("在读阶段", "School stage"), &|s| {
            opt_label(s.school_stage, |v| v.label(lang))
        }),
        row(
            t("完成义务教育", "Completed compulsory education"),
            &|s| yes_no(lang, s.completed_compulsory),
        ),
        row(
            t("康复需求 / 已获得", "Rehabilitation needed / received"),
            &|s| need_and_service(lang, s.needs_rehab, s.received_rehab),
        ),
        row(
            t("辅具需求 / 已适配", "Assistive device needed / fitted"),
            &|s| need_and_service(lang, s.needs_device, s.device_fitted),
        ),
        row(
            t("无障碍改造需求 / 已完成", "Home modification needed / done"),
            &|s| need_and_service(lang, s.needs_home_modification, s.home_modification_done),
        ),
        row(
            t("托养需求 / 接受服务", "Care need / receiving care"),
            &|s| {
                format!(
                    "{} / {}",
                    opt_label(s.care_need, |v| v.label(lang)),
                    yes_no(lang, s.receives_care)
                )
            },
        ),
        row(t("文体服务", "Culture and sports"), &|s| {
            yes_no(lang, s.culture_sports)
        }),
    ]
}

/// How much of a file to show.
#[derive(Debug, Clone, Copy)]
struct Disclosure {
    writable: bool,
    /// Full identifiers (after an audited reveal).
    revealed: bool,
    can_reveal: bool,
    /// Partner departments: the declared minimal field list only.
    minimal: bool,
}

fn person_view(
    lang: Lang,
    f: &PersonFile,
    names: &AreaNames,
    members: Vec<(String, String)>,
    d: Disclosure,
) -> PersonView {
    let writable = d.writable;
    let shown_phone = |ph: &str| {
        if d.revealed {
            ph.to_string()
        } else {
            mask_phone(ph)
        }
    };
    let p = &f.person;
    let c = &f.certificate;
    let today = Local::now().date_naive();
    let cat = |c: &zhucan_domain::person::Certificate| {
        let mut s = c.category.label(lang).to_string();
        if !c.components.is_empty() {
            s.push_str(&format!("（{}）", format_components(&c.components, lang)));
        }
        s
    };
    let mut flags = Vec::new();
    if let Some(d) = p.died_on {
        flags.push(match lang {
            Lang::Zh => format!("已于 {d} 死亡。"),
            Lang::En => format!("Deceased on {d}."),
        });
    }
    if let Some(d) = p.moved_out_on {
        flags.push(match lang {
            Lang::Zh => format!("已于 {d} 迁出本区。"),
            Lang::En => format!("Moved out of the district on {d}."),
        });
    }
    if c.status == zhucan_domain::person::CertificateStatus::Revoked {
        flags.push(
            lang.pick("残疾人证已注销。", "The certificate is revoked.")
                .into(),
        );
    } else if c.valid_until < today {
        flags.push(match lang {
            Lang::Zh => format!("残疾人证已于 {} 到期，请办理换领。", c.valid_until),
            Lang::En => format!(
                "The certificate expired on {}; it needs renewal.",
                c.valid_until
            ),
        });
    }
    let age = match lang {
        Lang::Zh => format!("{} 岁", p.citizen_id.age_on(today)),
        Lang::En => format!("age {}", p.citizen_id.age_on(today)),
    };
    PersonView {
        handle: f.handle.clone(),
        writable,
        name: p.name.clone(),
        masked_id: if d.revealed {
            p.citizen_id.to_string()
        } else {
            p.citizen_id.masked()
        },
        revealed: d.revealed,
        can_reveal: d.can_reveal && !d.revealed,
        minimal: d.minimal,
        sex: p.citizen_id.sex().label(lang).into(),
        birth: p.citizen_id.birth_date().to_string(),
        age,
        phone: p
            .phone
            .as_deref()
            .map(shown_phone)
            .unwrap_or_else(|| "—".into()),
        guardian: match (&p.guardian_name, &p.guardian_phone) {
            (None, None) => "—".into(),
            (n, ph) => format!(
                "{} {}",
                n.clone().unwrap_or_default(),
                ph.as_deref().map(shown_phone).unwrap_or_default()
            ),
        },
        legacy: f
            .legacy_id
            .as_deref()
            .map(|l| zhucan_domain::ids::mask(l, 6, 3)),
        masked_cert: if d.revealed {
            c.number.to_string()
        } else {
            c.number.masked()
        },
        category: cat(c),
        grade: c.grade.label(lang).into(),
        issued: c.issued_on.to_string(),
        valid_until: c.valid_until.to_string(),
        cert_status: c.status.label(lang).into(),
        smart_card: yes_no(lang, Some(c.smart_card)),
        cert_history: f
            .certificates
            .iter()
            .map(|h| {
                let hc = &h.certificate;
                (
                    hc.number.masked(),
                    format!("{}{}", cat(hc), hc.grade.label(lang)),
                    hc.issued_on.to_string(),
                    hc.valid_until.to_string(),
                    format!(
                        "{}{}{}",
                        hc.status.label(lang),
                        hc.revoked_on
                            .filter(|_| hc.status == CertificateStatus::Revoked)
                            .map(|d| match lang {
                                Lang::Zh => format!("（{d}）"),
                                Lang::En => format!(" ({d})"),
                            })
                            .unwrap_or_default(),
                        if h.is_current {
                            lang.pick("（现证）", " (current)")
                        } else {
                            lang.pick("（历史）", " (former)")
                        }
                    ),
                )
            })
            .collect(),
        township: names.of(&p.township),
        village: p
            .village
            .as_ref()
            .map(|v| names.of(v))
            .or_else(|| f.village_name.clone())
            .unwrap_or_else(|| "—".into()),
        hukou: opt_label(p.hukou_type, |h| h.label(lang)),
        household_id: p
            .household_id
            .clone()
            .unwrap_or_else(|| lang.pick("（自成一户）", "(own household)").into()),
        household_size: p
            .household_size
            .map(|n| n.to_string())
            .unwrap_or_else(|| "—".into()),
        members,
        status_flags: flags,
        survey_years: f.surveys.iter().map(|s| s.year).collect(),
        survey_rows: survey_rows(lang, &f.surveys),
        survey_links: {
            let mut y: Vec<i32> = f.surveys.iter().map(|s| s.year).collect();
            y.push(year_now());
            y.sort_unstable_by(|a, b| b.cmp(a));
            y.dedup();
            y
        },
        events: f
            .events
            .iter()
            .rev()
            .map(|e| {
                (
                    e.occurred_on
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| e.recorded_at.chars().take(10).collect()),
                    if e.summary.is_empty() {
                        e.kind.label(lang).to_string()
                    } else {
                        format!("{}：{}", e.kind.label(lang), e.summary)
                    },
                    match lang {
                        Lang::Zh => format!(
                            "{} 由 {} 记录（{}）",
                            e.recorded_at
                                .chars()
                                .take(16)
                                .collect::<String>()
                                .replace('T', " "),
                            e.recorded_by,
                            source_label(lang, &e.source)
                        ),
                        Lang::En => format!(
                            "recorded {} by {} ({})",
                            e.recorded_at
                                .chars()
                                .take(16)
                                .collect::<String>()
                                .replace('T', " "),
                            e.recorded_by,
                            source_label(lang, &e.source)
                        ),
                    },
                )
            })
            .collect(),
    }
}

/// The channel a timeline event came through (`Actor::source`), in words. Every value a write
/// path stores has its own label (`form`: staff pages; `service end`: the citizen's own pages,
/// the person or a guardian; `import`, `demo`; `feed`, reserved for departments' data); a value
/// not known here is shown as stored rather than under another channel's label.
fn source_label(lang: Lang, s: &str) -> &str {
    match s {
        "import" => lang.pick("花名册导入", "workbook import"),
        "demo" => lang.pick("演示数据", "demo data"),
        "form" => lang.pick("工作人员页面登记", "staff form"),
        "service end" => lang.pick(
            "本人或监护人提交（服务端）",
            "submitted by the person or a guardian (service end)",
        ),
        "feed" => lang.pick("部门数据", "department feed"),
        other => other,
    }
}

/// Loads a person by URL handle, within the caller's scope.
pub(crate) async fn load_scoped(
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
    let Some(file) = state.store.person_file(&id).await? else {
        return Ok(None);
    };
    Ok(scope::can_read(&caller.user, &file.person).then_some(file))
}

/// The file behind `handle` when the caller may change it; otherwise the response to send
/// ("not found" outside the caller's writable scope, or the storage error page).
pub(crate) async fn writable_by_handle(
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

/// As [`writable_by_handle`], for a citizen ID held by a case, an application or a need.
pub(crate) async fn writable_by_id(
    state: &AppState,
    caller: &PageCaller,
    id: &zhucan_domain::ids::CitizenId,
) -> Result<PersonFile, Response> {
    match state.store.person_file(id).await {
        Ok(Some(f)) if scope::can_write(&caller.user, &f.person) => Ok(f),
        Ok(_) => Err(not_found_for(caller)),
        Err(e) => Err(store_error(caller, e)),
    }
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    saved: Option<String>,
}

pub async fn person(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(handle): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let notice = q
        .saved
        .map(|_| caller.lang.pick("已保存。", "Saved.").to_string());
    person_page(&state, &caller, handle, notice, false).await
}

/// `POST /persons/{handle}/reveal`: the same file with full identifiers, for roles with the
/// reveal right; the reveal is audited.
pub async fn reveal(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(handle): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !caller.user.role.can_reveal() {
        return forbidden_for(&caller);
    }
    if !csrf_ok(&caller, &form) {
        return csrf_failed(&caller);
    }
    person_page(&state, &caller, handle, None, true).await
}

async fn person_page(
    state: &AppState,
    caller: &PageCaller,
    handle: String,
    notice: Option<String>,
    reveal: bool,
) -> Response {
    let (state, caller) = (state.clone(), caller.clone());
    let lang = caller.lang;
    if scope::person_area(&caller.user).is_none() {
        return forbidden_for(&caller);
    }
    let file = match load_scoped(&state, &caller, &handle).await {
        Ok(Some(f)) => f,
        Ok(None) => {
            let detail = serde_json::json!({"handle": handle});
            trail::record(
                &state.store,
                audit_event(
                    &caller.user,
                    &caller.client,
                    "person.read",
                    "",
                    "denied",
                    detail,
                ),
            )
            .await;
            return not_found_for(&caller);
        }
        Err(e) => return store_error(&caller, e),
    };
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        if reveal {
            "person.reveal"
        } else {
            "person.read"
        },
        file.person.citizen_id.as_str(),
        "ok",
        serde_json::json!({}),
    ));
    let (_, names) = match area_names(&state).await {
        Ok(a) => a,
        Err(e) => return store_error(&caller, e),
    };
    let mut members = Vec::new();
    if let Some(hh) = &file.person.household_id {
        match state
            .store
            .household_members(hh, &file.person.citizen_id)
            .await
        {
            Ok(ms) => {
                for (h, id, name) in ms {
                    if let Ok(Some(m)) = state.store.person_file(&id).await
                        && scope::can_read(&caller.user, &m.person)
                    {
                        members.push((h, name));
                    }
                }
            }
            Err(e) => return store_error(&caller, e),
        }
    }
    let disclosure = Disclosure {
        writable: scope::can_write(&caller.user, &file.person),
        revealed: reveal,
        can_reveal: caller.user.role.can_reveal(),
        minimal: caller.user.role.minimal_view(),
    };
    let v = person_view(lang, &file, &names, members, disclosure);
    render(
        StatusCode::OK,
        &PersonPage {
            c: chrome(
                Some(&caller),
                lang,
                &format!("/persons/{handle}"),
                "persons",
                &v.name.clone(),
            ),
            v,
            notice,
        },
    )
}

// ---------------------------------------------------------------- registration

#[derive(Template)]
#[template(path = "person_form.html")]
struct PersonFormPage {
    c: Chrome,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
}

pub async fn new_person_form(State(state): State<AppState>, caller: PageCaller) -> Response {
    let lang = caller.lang;
    if !caller.user.role.writes_persons() {
        return forbidden_for(&caller);
    }
    let areas = match state.store.areas().await {
        Ok(a) => a,
        Err(e) => return store_error(&caller, e),
    };
    let mut fields = forms::person_fields(lang, &areas, &caller.user.area);
    if caller.user.area.level() != AreaLevel::District {
        let own = caller.user.area.as_str().get(..9).unwrap_or("").to_string();
        for f in fields.iter_mut().filter(|f| f.name == "township") {
            f.value = own.clone();
        }
    }
    render(
        StatusCode::OK,
        &PersonFormPage {
            c: chrome(
                Some(&caller),
                lang,
                "/persons/new",
                "new",
                lang.pick("登记新持证人员", "Register a person"),
            ),
            fields,
            errors: vec![],
        },
    )
}

pub async fn new_person(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = caller.lang;
    if !caller.user.role.writes_persons() {
        return forbidden_for(&caller);
    }
    if !csrf_ok(&caller, &form) {
        return csrf_failed(&caller);
    }
    let areas = match state.store.areas().await {
        Ok(a) => a,
        Err(e) => return store_error(&caller, e),
    };
    let today = Local::now().date_naive();
    let mut sub = Submission::new(form);
    let parsed = forms::parse_person(&mut sub, lang, &areas, today);
    if let Some(rec) = &parsed
        && !scope::can_register_in(
            &caller.user,
            &rec.person.township,
            rec.person.village.as_ref(),
        )
    {
        sub.fail(
            "township",
            lang.pick(
                "只能登记您工作范围内的人员",
                "you can only register persons in your area",
            )
            .into(),
        );
    }
    if let (Some(rec), true) = (&parsed, sub.errors.is_empty()) {
        let actor = Actor {
            name: &caller.user.username,
            source: "form",
        };
        match state.store.register(rec, &actor).await {
            Ok(()) => {
                let detail = serde_json::json!({"new": rec});
                trail::record(
                    &state.store,
                    audit_event(
                        &caller.user,
                        &caller.client,
                        "person.create",
                        rec.person.citizen_id.as_str(),
                        "ok",
                        detail,
                    ),
                )
                .await;
                match state.store.person_file(&rec.person.citizen_id).await {
                    Ok(Some(f)) => {
                        return Redirect::to(&format!("/persons/{}?saved=1", f.handle))
                            .into_response();
                    }
                    Ok(None) => return not_found_for(&caller),
                    Err(e) => return store_error(&caller, e),
                }
            }
            Err(StoreError::Exists(_)) => sub.fail(
                "citizen_id",
                lang.pick(
                    "该身份证号已建档，请通过人员查询找到其档案",
                    "this citizen ID already has a file; find it with the search",
                )
                .into(),
            ),
            Err(e) => return store_error(&caller, e),
        }
    }
    let mut fields = forms::person_fields(lang, &areas, &caller.user.area);
    let errors = sub.apply(&mut fields);
    render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &PersonFormPage {
            c: chrome(
                Some(&caller),
                lang,
                "/persons/new",
                "new",
                lang.pick("登记新持证人员（有错误）", "Register a person (errors)"),
            ),
            fields,
            errors,
        },
    )
}

// ---------------------------------------------------------------- life events

#[derive(Template)]
#[template(path = "event_form.html")]
struct EventFormPage {
    c: Chrome,
    name: String,
    handle: String,
    version: i64,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
}

#[derive(Deserialize)]
pub struct KindQuery {
    kind: Option<String>,
}

fn event_kind_field(lang: Lang, value: &str) -> FormField {
    let mut o = vec![(String::new(), lang.pick("请选择", "Choose").to_string())];
    o.extend(
        forms::EVENT_KINDS
            .iter()
            .map(|(k, zh, en)| (k.to_string(), lang.pick(zh, en).to_string())),
    );
    let mut f = FormField::new("kind", lang.pick("事件类型", "Kind of event"), "select")
        .required()
        .options(o);
    f.value = value.to_string();
    f
}

fn event_fields_for(lang: Lang, kind: &str, areas: &[Area], scope: &AreaCode) -> Vec<FormField> {
    let mut fields = vec![event_kind_field(lang, kind)];
    fields.extend(forms::event_fields(kind, lang, areas, scope));
    fields
}

pub async fn event_form(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(handle): Path<String>,
    Query(q): Query<KindQuery>,
) -> Response {
    let lang = caller.lang;
    if !caller.user.role.writes_persons() {
        return forbidden_for(&caller);
    }
    let file = match load_scoped(&state, &caller, &handle).await {
        Ok(Some(f)) => f,
        Ok(None) => return not_found_for(&caller),
        Err(e) => return store_error(&caller, e),
    };
    let areas = match state.store.areas().await {
        Ok(a) => a,
        Err(e) => return store_error(&caller, e),
    };
    let kind = q.kind.unwrap_or_default();
    let kind = if forms::EVENT_KINDS.iter().any(|(k, _, _)| *k == kind) {
        kind
    } else {
        String::new()
    };
    let fields = if kind.is_empty() {
        let mut all = vec![event_kind_field(lang, "")];
        all.extend(forms::event_fields(
            "reassess",
            lang,
            &areas,
            &caller.user.area,
        ));
        all.extend(
            forms::event_fields("renew", lang, &areas, &caller.user.area)
                .into_iter()
                .skip(1),
        );
        all.extend(
            forms::event_fields("move_in", lang, &areas, &caller.user.area)
                .into_iter()
                .skip(1),
        );
        all
    } else {
        event_fields_for(lang, &kind, &areas, &caller.user.area)
    };
    let fields = dedupe(fields);
    render(
        StatusCode::OK,
        &EventFormPage {
            c: chrome(
                Some(&caller),
                lang,
                &format!("/persons/{handle}/events"),
                "persons",
                lang.pick("记录生命周期事件", "Record a life event"),
            ),
            name: file.person.name.clone(),
            handle,
            version: file.version,
            fields,
            errors: vec![],
        },
    )
}

/// Keeps the first field of each name (the combined form shares the date field).
fn dedupe(fields: Vec<FormField>) -> Vec<FormField> {
    let mut seen = std::collections::HashSet::new();
    fields
        .into_iter()
        .filter(|f| seen.insert(f.name.clone()))
        .collect()
}

pub async fn record_event(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(handle): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = caller.lang;
    if !caller.user.role.writes_persons() {
        return forbidden_for(&caller);
    }
    if !csrf_ok(&caller, &form) {
        return csrf_failed(&caller);
    }
    let file = match writable_by_handle(&state, &caller, &handle).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let areas = match state.store.areas().await {
        Ok(a) => a,
        Err(e) => return store_error(&caller, e),
    };
    let today = Local::now().date_naive();
    let kind = form.get("kind").cloned().unwrap_or_default();
    let version: i64 = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1);
    let mut sub = Submission::new(form);
    if !forms::EVENT_KINDS.iter().any(|(k, _, _)| *k == kind) {
        sub.fail(
            "kind",
            lang.pick("请选择事件类型", "choose the kind of event")
                .into(),
        );
    }
    let event = if sub.errors.is_empty() {
        forms::parse_event(&kind, &mut sub, lang, &areas, today)
    } else {
        None
    };
    if let Some(ev) = event {
        if let zhucan_domain::timeline::LifeEvent::MoveIn {
            township, village, ..
        } = &ev
            && !scope::can_register_in(&caller.user, township, village.as_ref())
        {
            sub.fail(
                "township",
                lang.pick(
                    "只能迁入您工作范围内的乡镇",
                    "you can only move a person into your area",
                )
                .into(),
            );
        } else {
            match apply_life_event(&file.record(), &ev, today) {
                Ok((next, events)) => {
                    let actor = Actor {
                        name: &caller.user.username,
                        source: "form",
                    };
                    let detail = serde_json::json!({"event": kind, "changes": trail::diff(&file.record(), &next)});
                    match state
                        .store
                        .save_file(&next, version, Some(events), &actor)
                        .await
                    {
                        Ok(_) => {
                            trail::record(
                                &state.store,
                                audit_event(
                                    &caller.user,
                                    &caller.client,
                                    "person.change",
                                    file.person.citizen_id.as_str(),
                                    "ok",
                                    detail,
                                ),
                            )
                            .await;
                            return Redirect::to(&format!("/persons/{handle}?saved=1"))
                                .into_response();
                        }
                        Err(StoreError::VersionConflict { .. }) => {
                            return error_page(
                                Some(&caller),
                                lang,
                                StatusCode::CONFLICT,
                                "保存未成功：在您填写期间，其他人已修改了该档案。请重新打开档案，核对后再记录。",
                                "Not saved: someone else changed this file while you were filling in the form. Open the file again, check it, and record the event again.",
                            );
                        }
                        Err(e) => return store_error(&caller, e),
                    }
                }
                Err(e) => sub.fail("on", e.message(lang)),
            }
        }
    }
    let mut fields = event_fields_for(lang, &kind, &areas, &caller.user.area);
    let errors = sub.apply(&mut fields);
    render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &EventFormPage {
            c: chrome(
                Some(&caller),
                lang,
                &format!("/persons/{handle}/events"),
                "persons",
                lang.pick("记录生命周期事件（有错误）", "Record a life event (errors)"),
            ),
            name: file.person.name.clone(),
            handle,
            version,
            fields,
            errors,
        },
    )
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
fn year_now() -> i32 {
    Local::now().year()
}
