//! Account administration (system administrator only: 三权分立 — it manages accounts but reads
//! no person files and no audit trail). Every change is written to the audit trail.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use zhucan_domain::Lang;
use zhucan_domain::access::Role;
use zhucan_domain::area::{AreaCode, AreaLevel};
use zhucan_store::{NewUser, StoreError};

use zhucan_web::AppState;
use zhucan_web::auth::{self, PageCaller};
use zhucan_web::forms::{FormField, Submission};
use zhucan_web::pages::error_page;
use zhucan_web::trail::{self, audit_event};
use zhucan_web::usecase::{CsrfForm, Holds, PageError, PageResult, Right};
use zhucan_web::view::{Chrome, render};

struct UserRow {
    username: String,
    href: String,
    role: String,
    area: String,
    totp: String,
    status: String,
    can_toggle: bool,
    toggle_action: &'static str,
    toggle_label: String,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    c: Chrome,
    users: Vec<UserRow>,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

/// Manages accounts: the system administrator only.
#[derive(Debug, Clone, Copy)]
pub struct ManagesAccounts;

impl Right for ManagesAccounts {
    fn held_by(user: &zhucan_store::User) -> bool {
        user.role == Role::SystemAdmin
    }

    fn refusal() -> Option<(&'static str, &'static str)> {
        Some((
            "只有系统管理员可以管理账户。",
            "Only system administrators manage accounts.",
        ))
    }
}

/// The signed-in system administrator.
type Admin = Holds<ManagesAccounts>;

/// The account page of `username`.
fn account_href(username: &str) -> String {
    format!("/admin/users/{}", zhucan_web::view::url_encode(username))
}

/// The role, area and village fields (of a new account and of a change of rights).
fn rights_fields(lang: Lang, areas: &[zhucan_domain::area::Area]) -> Vec<FormField> {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let mut roles = vec![(String::new(), t("请选择", "Choose"))];
    roles.extend(
        Role::ALL
            .iter()
            .filter(|r| **r != Role::Citizen)
            .map(|r| (r.key().to_string(), r.label(lang).to_string())),
    );
    let area_options: Vec<(String, String)> = areas
        .iter()
        .filter(|a| matches!(a.code.level(), AreaLevel::District | AreaLevel::Township))
        .map(|a| (a.code.to_string(), a.name.clone()))
        .collect();
    vec![
        FormField::new("role", &t("角色", "Role"), "select")
            .required()
            .options(roles),
        FormField::new("area", &t("所属地区", "Area"), "select")
            .required()
            .options(area_options),
        FormField::new("village", &t("村（社区）代码", "Village code"), "text").hint(&t(
            "村（社区）专职委员填写 12 位代码，其他角色留空",
            "12-digit code for a village worker; otherwise empty",
        )),
    ]
}

fn fields(lang: Lang, areas: &[zhucan_domain::area::Area]) -> Vec<FormField> {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let mut v = vec![
        FormField::new("username", &t("用户名", "Username"), "text")
            .required()
            .hint(&t(
                "字母、数字和 . _ - @，最多 64 个字符",
                "letters, digits and . _ - @, at most 64 characters",
            ))
            .autocomplete("off"),
    ];
    v.extend(rights_fields(lang, areas));
    v.push(
        FormField::new("password", &t("初始密码", "Initial password"), "password")
            .required()
            .hint(&t("含字母、数字、符号中的两类，长度见安全策略；请当面或电话告知本人", "from two of letters, digits, symbols, as long as the security policy asks; hand it over in person"))
            .autocomplete("new-password"),
    );
    v
}

/// Reads the role (never citizen) and the area (a village code when given) of a form.
fn parse_rights(sub: &mut Submission, lang: Lang) -> (Option<Role>, Option<AreaCode>) {
    let role = Role::parse(sub.get("role")).filter(|r| *r != Role::Citizen);
    if role.is_none() {
        let v = sub.get("role").to_string();
        let msg = if v.is_empty() {
            crate::t(lang, "choose-a-role").to_string()
        } else {
            match lang {
                Lang::Zh => format!("“{v}”不是可选的角色，请从列表中选择"),
                Lang::En => format!("“{v}” is not a role you can give; choose one from the list"),
            }
        };
        sub.fail("role", msg);
    }
    let area = match sub.get("village") {
        "" => AreaCode::parse(sub.get("area")),
        v => AreaCode::parse(v).filter(|a| a.level() == AreaLevel::Village),
    };
    if area.is_none() {
        let (field, v) = if sub.get("village").is_empty() {
            ("area", sub.get("area").to_string())
        } else {
            ("village", sub.get("village").to_string())
        };
        sub.fail(
            field,
            match lang {
                Lang::Zh => format!("地区代码“{v}”无效：请选择地区，村（社区）代码须为 12 位"),
                Lang::En => format!(
                    "the area code “{v}” is invalid: choose an area; a village code has 12 digits"
                ),
            },
        );
    }
    (role, area)
}

async fn page(
    state: &AppState,
    caller: &PageCaller,
    sub: Option<&Submission>,
    notice: Option<String>,
) -> Response {
    let lang = caller.lang;
    let (users, areas) = match (state.store.users().await, state.store.areas().await) {
        (Ok(u), Ok(a)) => (u, a),
        _ => {
            return error_page(
                Some(caller),
                lang,
                StatusCode::INTERNAL_SERVER_ERROR,
                "读取失败，已记录。",
                "Could not read the accounts; it has been logged.",
            );
        }
    };
    let names = zhucan_web::view::AreaNames::new(&areas);
    let rows = users
        .iter()
        .map(|u| UserRow {
            username: u.username.clone(),
            href: account_href(&u.username),
            role: u.role.label(lang).to_string(),
            area: names.of(&u.area),
            totp: lang
                .pick(
                    if u.totp_enabled {
                        "已开启"
                    } else {
                        "未开启"
                    },
                    if u.totp_enabled { "on" } else { "off" },
                )
                .to_string(),
            status: lang
                .pick(
                    if u.disabled { "已停用" } else { "正常" },
                    if u.disabled { "disabled" } else { "active" },
                )
                .to_string(),
            can_toggle: u.id != caller.user.id,
            toggle_action: if u.disabled { "enable" } else { "disable" },
            toggle_label: lang
                .pick(
                    if u.disabled { "启用" } else { "停用" },
                    if u.disabled { "Enable" } else { "Disable" },
                )
                .to_string(),
        })
        .collect();
    let mut fs = fields(lang, &areas);
    let (errors, status) = match sub {
        Some(s) => {
            let mut values = s.values.clone();
            values.remove("password");
            let shown = Submission {
                values,
                errors: s.errors.clone(),
            };
            (shown.apply(&mut fs), StatusCode::UNPROCESSABLE_ENTITY)
        }
        None => (vec![], StatusCode::OK),
    };
    let here: String = "/admin/users".into();
    let title: String = crate::t(lang, "accounts").to_string();
    let c = zhucan_web::pages::chrome(Some(caller), lang, &here, "admin", &title);
    render(
        status,
        &UsersPage {
            c,
            users: rows,
            fields: fs,
            errors,
            notice,
        },
    )
}

pub async fn users(State(state): State<AppState>, caller: Admin) -> PageResult {
    Ok(page(&state, &caller, None, None).await)
}

pub async fn create(
    State(state): State<AppState>,
    caller: Admin,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let mut sub = Submission::new(form);
    let username = sub.get("username").to_string();
    if username.is_empty()
        || username.chars().count() > 64
        || !username
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        sub.fail(
            "username",
            crate::t(lang, "use-letters-digits-and-at-most").into(),
        );
    }
    let (role, area) = parse_rights(&mut sub, lang);
    let min_len = state.policy().await.password_min_length;
    if let Err((zh, en)) = auth::check_password_policy(sub.get("password"), min_len) {
        sub.fail("password", lang.pick(&zh, &en).into());
    }
    if let (Some(role), Some(area), true) = (role, area.clone(), sub.errors.is_empty()) {
        let hash = auth::hash_password(sub.get("password")).map_err(|_| {
            PageError::message(
                &caller,
                StatusCode::INTERNAL_SERVER_ERROR,
                "密码处理失败。",
                "Password hashing failed.",
            )
        })?;
        let new = NewUser {
            username: username.clone(),
            password_hash: hash,
            role,
            area: area.clone(),
            display_name: None,
        };
        match state.store.create_user(&new).await {
            Ok(_) => {
                let detail = serde_json::json!({"role": role.key(), "area": area.to_string()});
                trail::record(
                    &state.store,
                    audit_event(
                        &caller.user,
                        &caller.client,
                        "account.create",
                        &username,
                        "ok",
                        detail,
                    ),
                )
                .await;
                let notice = match lang {
                    Lang::Zh => format!("已创建账户 {username}。"),
                    Lang::En => format!("Account {username} created."),
                };
                return Ok(page(&state, &caller, None, Some(notice)).await);
            }
            Err(StoreError::Exists(_)) => {
                sub.fail("username", crate::t(lang, "this-username-is-taken").into())
            }
            Err(StoreError::NotFound(_)) => {
                sub.fail("area", crate::t(lang, "the-area-is-not-in-the").into())
            }
            Err(e) => {
                tracing::error!(error = %e, "account creation failed");
                return Err(PageError::message(
                    &caller,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "创建失败，已记录。",
                    "The account could not be created; it has been logged.",
                ));
            }
        }
    }
    Ok(page(&state, &caller, Some(&sub), None).await)
}

/// Disables or enables the account `username` (the form's CSRF token already checked).
async fn toggle(state: AppState, caller: Admin, username: String, disable: bool) -> PageResult {
    let user = match state.store.user_by_username(&username).await {
        Ok(Some(u)) if u.id != caller.user.id => u,
        Ok(_) => {
            return Err(PageError::message(
                &caller,
                StatusCode::NOT_FOUND,
                "没有该账户（也不能停用自己）。",
                "No such account (and you cannot disable yourself).",
            ));
        }
        Err(e) => {
            tracing::error!(error = %e, "account lookup failed");
            return Err(internal(&caller));
        }
    };
    if let Err(e) = state.store.set_user_disabled(&user.id, disable).await {
        tracing::error!(error = %e, "account toggle failed");
        return Err(internal(&caller));
    }
    let action = if disable {
        "account.disable"
    } else {
        "account.enable"
    };
    trail::record(
        &state.store,
        audit_event(
            &caller.user,
            &caller.client,
            action,
            &username,
            "ok",
            serde_json::json!({}),
        ),
    )
    .await;
    Ok(Redirect::to("/admin/users").into_response())
}

pub async fn disable(
    State(state): State<AppState>,
    caller: Admin,
    Path(username): Path<String>,
    _: CsrfForm,
) -> PageResult {
    toggle(state, caller, username, true).await
}

pub async fn enable(
    State(state): State<AppState>,
    caller: Admin,
    Path(username): Path<String>,
    _: CsrfForm,
) -> PageResult {
    toggle(state, caller, username, false).await
}

// ---------------------------------------------------------------- one account

#[derive(Template)]
#[template(path = "admin_account.html")]
struct AccountPage {
    c: Chrome,
    username: String,
    role: String,
    area: String,
    totp: String,
    status: String,
    own: bool,
    action: String,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    sessions: Vec<crate::sessions::SessionView>,
    tokens: Vec<crate::sessions::TokenView>,
    end_base: String,
    revoke_base: String,
}

fn internal(caller: &PageCaller) -> PageError {
    PageError::message(
        caller,
        StatusCode::INTERNAL_SERVER_ERROR,
        "操作失败，已记录。",
        "The operation failed; it has been logged.",
    )
}

/// The account named in the path (404 without one).
async fn target(
    state: &AppState,
    caller: &PageCaller,
    username: &str,
) -> Result<zhucan_store::User, PageError> {
    match state.store.user_by_username(username).await {
        Ok(Some(u)) => Ok(u),
        Ok(None) => Err(PageError::message(
            caller,
            StatusCode::NOT_FOUND,
            "没有该账户。",
            "There is no such account.",
        )),
        Err(e) => {
            tracing::error!(error = %e, "account lookup failed");
            Err(internal(caller))
        }
    }
}

async fn account_page(
    state: &AppState,
    caller: &PageCaller,
    user: &zhucan_store::User,
    sub: Option<&Submission>,
    notice: Option<String>,
) -> Response {
    let lang = caller.lang;
    let areas = match state.store.areas().await {
        Ok(a) => a,
        Err(_) => return internal(caller).into_response(),
    };
    let (sessions, tokens) = match (
        crate::sessions::live_sessions(state, user, Some(&caller.session_id), lang).await,
        crate::sessions::live_tokens(state, user, lang).await,
    ) {
        (Ok(s), Ok(t)) => (s, t),
        _ => return internal(caller).into_response(),
    };
    let names = zhucan_web::view::AreaNames::new(&areas);
    let mut fs = rights_fields(lang, &areas);
    let (errors, status) = match sub {
        Some(s) => (s.apply(&mut fs), StatusCode::UNPROCESSABLE_ENTITY),
        None => {
            // The current rights, as the form would submit them.
            let (area, village) = if user.area.level() == AreaLevel::Village {
                (
                    user.area.as_str().chars().take(9).collect::<String>(),
                    user.area.to_string(),
                )
            } else {
                (user.area.to_string(), String::new())
            };
            let mut values = HashMap::new();
            values.insert("role".to_string(), user.role.key().to_string());
            values.insert("area".to_string(), area);
            values.insert("village".to_string(), village);
            Submission::new(values).apply(&mut fs);
            (vec![], StatusCode::OK)
        }
    };
    let href = account_href(&user.username);
    let here: String = href.clone();
    let title: String = match lang {
        Lang::Zh => format!("账户 {}", user.username),
        Lang::En => format!("Account {}", user.username),
    };
    let c = zhucan_web::pages::chrome(Some(caller), lang, &here, "admin", &title);
    render(
        status,
        &AccountPage {
            c,
            username: user.username.clone(),
            role: user.role.label(lang).to_string(),
            area: names.of(&user.area),
            totp: lang
                .pick(
                    if user.totp_enabled {
                        "已开启"
                    } else {
                        "未开启"
                    },
                    if user.totp_enabled { "on" } else { "off" },
                )
                .to_string(),
            status: lang
                .pick(
                    if user.disabled { "已停用" } else { "正常" },
                    if user.disabled { "disabled" } else { "active" },
                )
                .to_string(),
            own: user.id == caller.user.id,
            action: href.clone(),
            fields: fs,
            errors,
            notice,
            sessions,
            tokens,
            end_base: format!("{href}/sessions"),
            revoke_base: format!("{href}/tokens"),
        },
    )
}

#[derive(serde::Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// `GET /admin/users/{username}`: one account, its rights (with the form to change them), its
/// sessions and its tokens.
pub async fn account(
    State(state): State<AppState>,
    caller: Admin,
    Path(username): Path<String>,
    axum::extract::Query(q): axum::extract::Query<Done>,
) -> PageResult {
    let user = target(&state, &caller, &username).await?;
    let lang = caller.lang;
    let notice = match q.done.as_deref() {
        Some("session") => Some(crate::t(lang, "the-session-has-ended")),
        Some("token") => Some(crate::t(lang, "the-token-has-been-revoked")),
        _ => None,
    }
    .map(str::to_string);
    Ok(account_page(&state, &caller, &user, None, notice).await)
}

/// `POST /admin/users/{username}`: gives the account another role and/or area. Its sessions
/// end and its tokens are revoked (its rights changed); audited with old → new values. No one
/// changes their own rights (三权分立: the system administrator cannot give itself other roles).
pub async fn change_rights(
    State(state): State<AppState>,
    caller: Admin,
    Path(username): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let user = target(&state, &caller, &username).await?;
    let lang = caller.lang;
    if user.id == caller.user.id {
        return Err(PageError::message(
            &caller,
            StatusCode::FORBIDDEN,
            "不能更改自己的角色或地区（三权分立）：请由另一名系统管理员操作。",
            "You cannot change your own role or area (separation of duties): another system administrator must do it.",
        ));
    }
    let mut sub = Submission::new(form);
    let (role, area) = parse_rights(&mut sub, lang);
    let (Some(role), Some(area), true) = (role, area, sub.errors.is_empty()) else {
        return Ok(account_page(&state, &caller, &user, Some(&sub), None).await);
    };
    let result = state
        .store
        .set_user_rights(&user.id, role, &area, |change| {
            audit_event(
                &caller.user,
                &caller.client,
                "account.rights_change",
                &user.username,
                "ok",
                serde_json::json!({
                    "role": [change.old_role.key(), role.key()],
                    "area": [change.old_area.to_string(), area.to_string()],
                    "sessions_ended": change.sessions_ended,
                    "tokens_revoked": change.tokens_revoked,
                }),
            )
        })
        .await;
    let notice = match result {
        Ok(None) => crate::t(lang, "role-and-area-are-unchanged-nothing").to_string(),
        Ok(Some(change)) => match lang {
            Lang::Zh => format!(
                "已将 {} 的角色改为“{}”、地区改为 {}；该账户的 {} 个会话已结束，{} 个令牌已吊销，须重新登录。",
                user.username,
                role.label(lang),
                area,
                change.sessions_ended,
                change.tokens_revoked
            ),
            Lang::En => format!(
                "{} is now “{}” in {}; its {} sessions were ended and {} tokens revoked: it must sign in again.",
                user.username,
                role.label(lang),
                area,
                change.sessions_ended,
                change.tokens_revoked
            ),
        },
        Err(StoreError::NotFound(_)) => {
            let field = if sub.get("village").is_empty() {
                "area"
            } else {
                "village"
            };
            sub.fail(
                field,
                match lang {
                    Lang::Zh => format!("地区“{area}”不在区划字典中"),
                    Lang::En => format!("the area “{area}” is not in the area dictionary"),
                },
            );
            return Ok(account_page(&state, &caller, &user, Some(&sub), None).await);
        }
        Err(e) => {
            tracing::error!(error = %e, "changing rights failed");
            return Err(internal(&caller));
        }
    };
    let Ok(Some(user)) = state.store.user_by_id(&user.id).await else {
        return Err(internal(&caller));
    };
    Ok(account_page(&state, &caller, &user, None, Some(notice)).await)
}

/// `POST /admin/users/{username}/sessions/{id}/end`: ends one session of the account.
pub async fn end_session(
    State(state): State<AppState>,
    caller: Admin,
    Path((username, id)): Path<(String, String)>,
    _: CsrfForm,
) -> PageResult {
    let user = target(&state, &caller, &username).await?;
    let event = audit_event(
        &caller.user,
        &caller.client,
        "session.end",
        &user.username,
        "ok",
        serde_json::json!({"session": id, "by": "system_admin"}),
    );
    match state.store.end_session(&user.id, &id, &event).await {
        Ok(true) => Ok(
            Redirect::to(&format!("{}?done=session", account_href(&user.username))).into_response(),
        ),
        Ok(false) => Err(PageError::message(
            &caller,
            StatusCode::NOT_FOUND,
            "该账户没有这个会话（或已结束）。",
            "The account has no such session (or it has already ended).",
        )),
        Err(e) => {
            tracing::error!(error = %e, "ending a session failed");
            Err(internal(&caller))
        }
    }
}

/// `POST /admin/users/{username}/tokens/{id}/revoke`: revokes one token of the account.
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Admin,
    Path((username, id)): Path<(String, String)>,
    _: CsrfForm,
) -> PageResult {
    let user = target(&state, &caller, &username).await?;
    let event = audit_event(
        &caller.user,
        &caller.client,
        "token.revoke",
        &user.username,
        "ok",
        serde_json::json!({"token": id, "by": "system_admin"}),
    );
    match state.store.revoke_token(&user.id, &id, &event).await {
        Ok(true) => Ok(
            Redirect::to(&format!("{}?done=token", account_href(&user.username))).into_response(),
        ),
        Ok(false) => Err(PageError::message(
            &caller,
            StatusCode::NOT_FOUND,
            "该账户没有这个令牌（或已吊销）。",
            "The account has no such token (or it is already revoked).",
        )),
        Err(e) => {
            tracing::error!(error = %e, "revoking a token failed");
            Err(internal(&caller))
        }
    }
}
