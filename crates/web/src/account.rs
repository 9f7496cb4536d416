//! The signed-in account's own settings: two-step verification (TOTP) enrolment.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::AppState;
use crate::auth::{PageCaller, must_enroll};
use crate::pages::{csrf_failed, csrf_ok, error_page};
use crate::totp;
use crate::trail::{self, audit_event};
use crate::view::{Chrome, render};

#[derive(Template)]
#[template(path = "two_factor.html")]
struct TwoFactorPage {
    c: Chrome,
    enabled: bool,
    required: bool,
    qr: Option<String>,
    secret_grouped: String,
    error: Option<String>,
    recovery_codes: Vec<String>,
    codes_left: i64,
}

fn chrome(caller: &PageCaller) -> Chrome {
    let title = crate::t(caller.lang, "two-step-verification");
    crate::pages::chrome(Some(caller), caller.lang, "/account/2fa", "2fa", title)
}

fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn internal(caller: &PageCaller) -> Response {
    error_page(
        Some(caller),
        caller.lang,
        StatusCode::INTERNAL_SERVER_ERROR,
        "操作失败，已记录。",
        "The operation failed; it has been logged.",
    )
}

async fn enrol_page(
    state: &AppState,
    caller: &PageCaller,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let user = match state.store.user_by_id(&caller.user.id).await {
        Ok(Some(u)) => u,
        _ => return internal(caller),
    };
    if user.totp_enabled {
        let codes_left = state.store.recovery_codes_left(&user.id).await.unwrap_or(0);
        let page = TwoFactorPage {
            c: chrome(caller),
            enabled: true,
            required: false,
            qr: None,
            secret_grouped: String::new(),
            error: None,
            recovery_codes: vec![],
            codes_left,
        };
        return render(StatusCode::OK, &page);
    }
    // The pending secret (sealed at rest); a new one when there is none or it does not open.
    let pending = user
        .totp_secret
        .as_deref()
        .and_then(|stored| state.secret_key.open(&user.id, stored).ok());
    let secret = match pending {
        Some(s) => s,
        None => {
            let s = totp::new_secret();
            let sealed = state.secret_key.seal(&user.id, &s);
            if state
                .store
                .set_totp_pending(&user.id, &sealed)
                .await
                .is_err()
            {
                return internal(caller);
            }
            s
        }
    };
    let uri = totp::otpauth_uri(&secret, &user.username, "zhucan");
    let page = TwoFactorPage {
        c: chrome(caller),
        enabled: false,
        required: must_enroll(&user),
        qr: totp::qr_data_uri(&uri),
        secret_grouped: grouped(&secret),
        error,
        recovery_codes: vec![],
        codes_left: 0,
    };
    render(status, &page)
}

pub async fn two_factor(State(state): State<AppState>, caller: PageCaller) -> Response {
    enrol_page(&state, &caller, None, StatusCode::OK).await
}

pub async fn enable_two_factor(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = caller.lang;
    if !csrf_ok(&caller, &form) {
        return csrf_failed(&caller);
    }
    let user = match state.store.user_by_id(&caller.user.id).await {
        Ok(Some(u)) => u,
        _ => return internal(&caller),
    };
    let secret = user
        .totp_secret
        .as_deref()
        .and_then(|stored| state.secret_key.open(&user.id, stored).ok());
    let (Some(secret), false) = (secret, user.totp_enabled) else {
        return enrol_page(&state, &caller, None, StatusCode::OK).await;
    };
    let code = form.get("code").map(String::as_str).unwrap_or("");
    let Some(step) = totp::matching_step(
        &secret,
        code,
        chrono::Utc::now().timestamp(),
        user.totp_last_step,
    ) else {
        let msg = crate::t(lang, "the-code-is-wrong-enter-the");
        return enrol_page(
            &state,
            &caller,
            Some(msg.to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| zhucan_store::accounts::hash_secret(c))
        .collect();
    if state
        .store
        .enable_totp(&user.id, step, &hashes)
        .await
        .is_err()
    {
        return internal(&caller);
    }
    trail::record(
        &state.store,
        audit_event(
            &caller.user,
            &caller.client,
            "account.2fa_enabled",
            &caller.user.username,
            "ok",
            serde_json::json!({}),
        ),
    )
    .await;
    let page = TwoFactorPage {
        c: chrome(&caller),
        enabled: true,
        required: false,
        qr: None,
        secret_grouped: String::new(),
        error: None,
        recovery_codes: codes,
        codes_left: 10,
    };
    render(StatusCode::OK, &page)
}
