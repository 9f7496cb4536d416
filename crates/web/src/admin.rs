//! Account administration (system administrator only: 三权分立 — it manages accounts but reads
//! no person files and no audit trail). Every change is written to the audit trail.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use zhucan_domain::Lang;
use zhucan_domain::access::Role;
use zhucan_domain::area::{AreaCode, AreaLevel};
use zhucan_store::{NewUser, StoreError};

use crate::AppState;
use crate::auth::{self, PageCaller};
use crate::forms::{FormField, Submission};
use crate::pages::{csrf_failed, csrf_ok, error_page};
use crate::trail::{self, audit_event};
use crate::view::{Chrome, render};

struct UserRow {
    username: String,
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

fn forbidden(caller: &PageCaller) -> Response {
    error_page(
        Some(caller),
        caller.lang,
        StatusCode::FORBIDDEN,
        "只有系统管理员可以管理账户。",
        "Only system administrators manage accounts.",
    )
}

fn fields(lang: Lang, areas: &[zhucan_domain::area::Area]) -> Vec<FormField> {
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
        FormField::new("username", &t("用户名", "Username"), "text")
            .required()
            .hint(&t("字母、数字和 . _ - @，最多 64 个字符", "letters, digits and . _ - @, at most 64 characters"))
            .autocomplete("off"),
        FormField::new("role", &t("角色", "Role"), "select").required().options(roles),
        FormField::new("area", &t("所属地区", "Area"), "select").required().options(area_options),
        FormField::new("village", &t("村（社区）代码", "Village code"), "text")
            .hint(&t("村（社区）专职委员填写 12 位代码，其他角色留空", "12-digit code for a village worker; otherwise empty")),
        FormField::new("password", &t("初始密码", "Initial password"), "password")
            .required()
            .hint(&t("至少 10 位，含字母、数字、符号中的两类；请当面或电话告知本人", "at least 10 characters from two of letters, digits, symbols; hand it over in person"))
            .autocomplete("new-password"),
    ]
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
    let names = crate::view::AreaNames::new(&areas);
    let rows = users
        .iter()
        .map(|u| UserRow {
            username: u.username.clone(),
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
    let c = Chrome {
        lang,
        user: Some(caller.user.clone()),
        csrf: caller.csrf.clone(),
        here: "/admin/users".into(),
        nav: "admin",
        title: lang.pick("账户管理", "Accounts").to_string(),
    };
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

pub async fn users(State(state): State<AppState>, caller: PageCaller) -> Response {
    if caller.user.role != Role::SystemAdmin {
        return forbidden(&caller);
    }
    page(&state, &caller, None, None).await
}

pub async fn create(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if caller.user.role != Role::SystemAdmin {
        return forbidden(&caller);
    }
    if !csrf_ok(&caller, &form) {
        return csrf_failed(&caller);
    }
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
            lang.pick(
                "用户名只能使用字母、数字和 . _ - @，最多 64 个字符",
                "use letters, digits and . _ - @, at most 64 characters",
            )
            .into(),
        );
    }
    let role = Role::parse(sub.get("role")).filter(|r| *r != Role::Citizen);
    if role.is_none() {
        sub.fail("role", lang.pick("请选择角色", "choose a role").into());
    }
    let area = match sub.get("village") {
        "" => AreaCode::parse(sub.get("area")),
        v => AreaCode::parse(v).filter(|a| a.level() == AreaLevel::Village),
    };
    if area.is_none() {
        let field = if sub.get("village").is_empty() {
            "area"
        } else {
            "village"
        };
        sub.fail(
            field,
            lang.pick("地区代码无效", "the area code is invalid").into(),
        );
    }
    if let Err((zh, en)) = auth::check_password_policy(sub.get("password")) {
        sub.fail("password", lang.pick(zh, en).into());
    }
    if let (Some(role), Some(area), true) = (role, area.clone(), sub.errors.is_empty()) {
        let hash = match auth::hash_password(sub.get("password")) {
            Ok(h) => h,
            Err(_) => {
                return error_page(
                    Some(&caller),
                    lang,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "密码处理失败。",
                    "Password hashing failed.",
                );
            }
        };
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
                return page(&state, &caller, None, Some(notice)).await;
            }
            Err(StoreError::Exists(_)) => sub.fail(
                "username",
                lang.pick("该用户名已被使用", "this username is taken")
                    .into(),
            ),
            Err(StoreError::NotFound(_)) => sub.fail(
                "area",
                lang.pick("该地区不在区划字典中", "the area is not in the dictionary")
                    .into(),
            ),
            Err(e) => {
                tracing::error!(error = %e, "account creation failed");
                return error_page(
                    Some(&caller),
                    lang,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "创建失败，已记录。",
                    "The account could not be created; it has been logged.",
                );
            }
        }
    }
    page(&state, &caller, Some(&sub), None).await
}

async fn toggle(
    state: AppState,
    caller: PageCaller,
    username: String,
    form: HashMap<String, String>,
    disable: bool,
) -> Response {
    if caller.user.role != Role::SystemAdmin {
        return forbidden(&caller);
    }
    if !csrf_ok(&caller, &form) {
        return csrf_failed(&caller);
    }
    let user = match state.store.user_by_username(&username).await {
        Ok(Some(u)) if u.id != caller.user.id => u,
        Ok(_) => {
            return error_page(
                Some(&caller),
                caller.lang,
                StatusCode::NOT_FOUND,
                "没有该账户（也不能停用自己）。",
                "No such account (and you cannot disable yourself).",
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "account lookup failed");
            return error_page(
                Some(&caller),
                caller.lang,
                StatusCode::INTERNAL_SERVER_ERROR,
                "操作失败，已记录。",
                "The operation failed; it has been logged.",
            );
        }
    };
    if let Err(e) = state.store.set_user_disabled(&user.id, disable).await {
        tracing::error!(error = %e, "account toggle failed");
        return error_page(
            Some(&caller),
            caller.lang,
            StatusCode::INTERNAL_SERVER_ERROR,
            "操作失败，已记录。",
            "The operation failed; it has been logged.",
        );
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
    Redirect::to("/admin/users").into_response()
}

pub async fn disable(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(username): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    toggle(state, caller, username, form, true).await
}

pub async fn enable(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(username): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    toggle(state, caller, username, form, false).await
}
