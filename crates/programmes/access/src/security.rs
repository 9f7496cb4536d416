//! The security administrator's policy settings (`/security/settings`, security
//! administrator only — 三权分立: it sets the policy but manages no accounts and reads no
//! person files or audit trail). Every change is stored as a new version of the setting and
//! audited with old → new values in the same transaction; the running service applies it at
//! once.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use zhucan_domain::Lang;
use zhucan_domain::access::Role;
use zhucan_store::StoreError;
use zhucan_store::settings::Setting;

use zhucan_web::AppState;
use zhucan_web::auth::PageCaller;
use zhucan_web::forms::{FormField, Submission};
use zhucan_web::policy::{self, KNOBS, Policy};

use zhucan_web::trail::audit_event;
use zhucan_web::usecase::Holds;
use zhucan_web::usecase::{CsrfForm, PageError, PageResult, Right};
use zhucan_web::view::{Chrome, minute, render};

/// One row of the table of current values.
struct SettingRow {
    label: String,
    value: String,
    default: String,
    version: String,
    changed: String,
}

#[derive(Template)]
#[template(path = "security_settings.html")]
struct SettingsPage {
    c: Chrome,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    revision: i64,
    rows: Vec<SettingRow>,
}

/// Sets the security policy: the security administrator only.
#[derive(Debug, Clone, Copy)]
pub struct SetsSecurityPolicy;

impl Right for SetsSecurityPolicy {
    fn held_by(user: &zhucan_store::User) -> bool {
        user.role == Role::SecurityAdmin
    }

    fn refusal() -> Option<(&'static str, &'static str)> {
        Some((
            "只有安全管理员可以设置安全策略。",
            "Only security administrators set the security policy.",
        ))
    }
}

/// The signed-in security administrator.
type SecurityAdmin = Holds<SetsSecurityPolicy>;

fn internal(caller: &PageCaller) -> PageError {
    PageError::message(
        caller,
        StatusCode::INTERNAL_SERVER_ERROR,
        "操作失败，已记录。",
        "The operation failed; it has been logged.",
    )
}

fn conflict(caller: &PageCaller) -> PageError {
    PageError::message(
        caller,
        StatusCode::CONFLICT,
        "其他人已修改安全策略（或表单不完整）：请重新打开本页，核对后再保存。未作任何更改。",
        "Someone else changed the security policy meanwhile (or the form is incomplete): reopen this page, check and save again. Nothing was changed.",
    )
}

fn knob_fields(lang: Lang) -> Vec<FormField> {
    KNOBS
        .iter()
        .map(|k| {
            FormField::new(k.name, lang.pick(k.zh, k.en), "text")
                .required()
                .hint(lang.pick(k.hint_zh, k.hint_en))
                .autocomplete("off")
        })
        .collect()
}

async fn page(
    state: &AppState,
    caller: &PageCaller,
    sub: Option<&Submission>,
    notice: Option<String>,
) -> Response {
    let lang = caller.lang;
    let stored: Vec<Setting> = match state.store.settings().await {
        Ok(s) => s,
        Err(_) => return internal(caller).into_response(),
    };
    let current = state.policy.reload(&state.store).await;
    let defaults = state.policy.defaults();
    let keys = policy::keys();
    // A form sent back with errors keeps the revision it was based on.
    let revision = sub
        .and_then(|s| s.values.get("revision"))
        .and_then(|r| r.trim().parse().ok())
        .unwrap_or_else(|| {
            stored
                .iter()
                .filter(|s| keys.contains(&s.key.as_str()))
                .map(|s| s.version)
                .sum()
        });
    let mut fields = knob_fields(lang);
    let (errors, status) = match sub {
        Some(s) => (s.apply(&mut fields), StatusCode::UNPROCESSABLE_ENTITY),
        None => {
            for (f, v) in fields.iter_mut().zip(current.values()) {
                f.value = v.to_string();
            }
            (vec![], StatusCode::OK)
        }
    };
    let rows = KNOBS
        .iter()
        .zip(current.values().iter().zip(defaults.values()))
        .map(|(k, (v, d))| {
            let s = stored.iter().find(|s| s.key == k.key);
            SettingRow {
                label: lang.pick(k.zh, k.en).to_string(),
                value: v.to_string(),
                default: d.to_string(),
                version: s
                    .map(|s| s.version.to_string())
                    .unwrap_or_else(|| crate::t(lang, "default").to_string()),
                changed: s
                    .map(|s| format!("{}（{}）", minute(&s.updated_at), s.updated_by))
                    .unwrap_or_else(|| "—".to_string()),
            }
        })
        .collect();
    let here: String = "/security/settings".into();
    let title: String = crate::t(lang, "security-policy").to_string();
    let c = zhucan_web::pages::chrome(Some(caller), lang, &here, "security", &title);
    render(
        status,
        &SettingsPage {
            c,
            fields,
            errors,
            notice,
            revision,
            rows,
        },
    )
}

/// `GET /security/settings`.
pub async fn settings_page(State(state): State<AppState>, caller: SecurityAdmin) -> PageResult {
    Ok(page(&state, &caller, None, None).await)
}

/// `POST /security/settings`: validates every field (a message per field naming the value),
/// then stores the changed values as new versions, audited with old → new, all or nothing.
pub async fn save_settings(
    State(state): State<AppState>,
    caller: SecurityAdmin,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let expected: Option<i64> = form.get("revision").and_then(|r| r.trim().parse().ok());
    let values = match policy::parse_form(&form, lang) {
        Ok(v) => v,
        Err(errors) => {
            let mut sub = Submission::new(form);
            for (f, m) in errors {
                sub.fail(f, m);
            }
            return Ok(page(&state, &caller, Some(&sub), None).await);
        }
    };
    let Some(expected) = expected else {
        return Err(conflict(&caller));
    };
    let current: Policy = state.policy.reload(&state.store).await;
    let shown = current.values();
    let changes: Vec<(String, String)> = KNOBS
        .iter()
        .zip(values.iter().zip(shown))
        .filter(|(_, (new, old))| **new != *old)
        .map(|(k, (new, _))| (k.key.to_string(), new.to_string()))
        .collect();
    let keys = policy::keys();
    let result = state
        .store
        .save_settings(&keys, expected, &changes, &caller.user.username, |done| {
            let mut detail = serde_json::Map::new();
            for ch in done {
                let old = ch.old.clone().unwrap_or_else(|| {
                    KNOBS
                        .iter()
                        .position(|k| k.key == ch.key)
                        .map(|i| shown[i].to_string())
                        .unwrap_or_default()
                });
                detail.insert(
                    ch.key.clone(),
                    serde_json::json!([old, ch.new, {"version": ch.version}]),
                );
            }
            audit_event(
                &caller.user,
                &caller.client,
                "settings.change",
                "security_policy",
                "ok",
                serde_json::Value::Object(detail),
            )
        })
        .await;
    match result {
        Ok(done) => {
            state.policy.reload(&state.store).await;
            let notice = if done.is_empty() {
                crate::t(lang, "nothing-changed-nothing-was-saved").to_string()
            } else {
                match lang {
                    Lang::Zh => format!("已保存 {} 项设置，立即生效。", done.len()),
                    Lang::En if done.len() == 1 => {
                        "1 setting saved; it applies at once.".to_string()
                    }
                    Lang::En => format!("{} settings saved; they apply at once.", done.len()),
                }
            };
            Ok(page(&state, &caller, None, Some(notice)).await)
        }
        Err(StoreError::VersionConflict { .. }) => Err(conflict(&caller)),
        Err(e) => {
            tracing::error!(error = %e, "saving the policy failed");
            Err(internal(&caller))
        }
    }
}
