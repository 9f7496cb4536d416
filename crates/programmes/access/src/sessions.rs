//! The signed-in account's own sessions and API tokens (`/account/sessions`): where and when
//! each session started and was last active, "this session", and a button to end any of them;
//! the usable tokens with their scope and expiry, and a button to revoke each. Every ending and
//! revoking is audited (in the same transaction as the change).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use zhucan_domain::Lang;
use zhucan_store::{ApiTokenInfo, SessionRow, User};

use zhucan_web::AppState;
use zhucan_web::auth::{self, PageCaller, SESSION_COOKIE, parse_time};
use zhucan_web::trail::audit_event;
use zhucan_web::usecase::{CsrfForm, PageError, PageResult};
use zhucan_web::view::{Chrome, minute, render};

/// A session as a list shows it.
pub struct SessionView {
    pub id: String,
    pub created: String,
    pub last_seen: String,
    pub client: String,
    pub browser: String,
    pub current: bool,
}

/// A token as a list shows it.
pub struct TokenView {
    pub id: String,
    pub label: String,
    pub scope: String,
    pub created: String,
    pub expires: String,
}

/// A short name of the browser and system from a `User-Agent`.
pub fn browser_name(ua: &str, lang: Lang) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
        ("reqwest", "reqwest"),
    ]
    .iter()
    .find(|(k, _)| ua.contains(k))
    .map(|(_, n)| *n);
    let system = [
        ("Windows", "Windows"),
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Mac OS", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(k, _)| ua.contains(k))
    .map(|(_, n)| *n);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b}（{s}）"),
        (Some(b), None) => b.to_string(),
        (None, Some(s)) => s.to_string(),
        (None, None) if ua.is_empty() => crate::t(lang, "unknown").to_string(),
        (None, None) => ua.chars().take(40).collect(),
    }
}

/// The sessions still alive under the policy's idle timeout.
pub async fn live_sessions(
    state: &AppState,
    user: &User,
    current: Option<&str>,
    lang: Lang,
) -> zhucan_store::Result<Vec<SessionView>> {
    let now = chrono::Utc::now();
    let idle = chrono::Duration::from_std(state.policy().await.session_idle)
        .unwrap_or(chrono::Duration::minutes(30));
    let rows: Vec<SessionRow> = state.store.sessions_of(&user.id, &now.to_rfc3339()).await?;
    Ok(rows
        .into_iter()
        .filter(|s| parse_time(&s.last_seen_at).is_some_and(|t| now - t <= idle))
        .map(|s| SessionView {
            current: current == Some(s.id.as_str()),
            created: minute(&s.created_at),
            last_seen: minute(&s.last_seen_at),
            client: if s.client.is_empty() {
                crate::t(lang, "not-recorded").to_string()
            } else {
                s.client
            },
            browser: browser_name(&s.user_agent, lang),
            id: s.id,
        })
        .collect())
}

/// The usable tokens of an account.
pub async fn live_tokens(
    state: &AppState,
    user: &User,
    lang: Lang,
) -> zhucan_store::Result<Vec<TokenView>> {
    let now = chrono::Utc::now().to_rfc3339();
    let rows: Vec<ApiTokenInfo> = state.store.tokens_of(&user.id, &now).await?;
    Ok(rows
        .into_iter()
        .map(|t| TokenView {
            label: if t.label.is_empty() {
                crate::t(lang, "issued-earlier").to_string()
            } else {
                t.label
            },
            scope: t.scope.0.label(lang).to_string(),
            created: minute(&t.created_at),
            expires: minute(&t.expires_at),
            id: t.id,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "account_sessions.html")]
struct SessionsPage {
    c: Chrome,
    sessions: Vec<SessionView>,
    tokens: Vec<TokenView>,
    end_base: String,
    revoke_base: String,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

fn internal(caller: &PageCaller) -> PageError {
    PageError::message(
        caller,
        StatusCode::INTERNAL_SERVER_ERROR,
        "操作失败，已记录。",
        "The operation failed; it has been logged.",
    )
}

fn not_yours(caller: &PageCaller) -> PageError {
    PageError::message(
        caller,
        StatusCode::NOT_FOUND,
        "没有该会话或令牌（或已结束）。",
        "There is no such session or token (or it has already ended).",
    )
}

pub async fn sessions_page(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(q): Query<Done>,
) -> PageResult {
    let lang = caller.lang;
    let (Ok(sessions), Ok(tokens)) = (
        live_sessions(&state, &caller.user, Some(&caller.session_id), lang).await,
        live_tokens(&state, &caller.user, lang).await,
    ) else {
        return Err(internal(&caller));
    };
    let notice = match q.done.as_deref() {
        Some("session") => Some(crate::t(lang, "the-session-has-ended")),
        Some("token") => Some(crate::t(lang, "the-token-has-been-revoked")),
        _ => None,
    }
    .map(str::to_string);
    let here: String = "/account/sessions".into();
    let title: String = crate::t(lang, "sessions-and-tokens").to_string();
    let c = zhucan_web::pages::chrome(Some(&caller), lang, &here, "sessions", &title);
    Ok(render(
        StatusCode::OK,
        &SessionsPage {
            c,
            sessions,
            tokens,
            end_base: "/account/sessions".into(),
            revoke_base: "/account/tokens".into(),
            notice,
        },
    ))
}

pub async fn end_own_session(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
    _: CsrfForm,
) -> PageResult {
    let current = id == caller.session_id;
    let event = audit_event(
        &caller.user,
        &caller.client,
        "session.end",
        &caller.user.username,
        "ok",
        serde_json::json!({"session": id, "current": current}),
    );
    match state.store.end_session(&caller.user.id, &id, &event).await {
        Ok(true) if current => Ok((
            [(
                header::SET_COOKIE,
                auth::set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies),
            )],
            Redirect::to("/login"),
        )
            .into_response()),
        Ok(true) => Ok(Redirect::to("/account/sessions?done=session").into_response()),
        Ok(false) => Err(not_yours(&caller)),
        Err(e) => {
            tracing::error!(error = %e, "ending a session failed");
            Err(internal(&caller))
        }
    }
}

pub async fn revoke_own_token(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
    _: CsrfForm,
) -> PageResult {
    let event = audit_event(
        &caller.user,
        &caller.client,
        "token.revoke",
        &caller.user.username,
        "ok",
        serde_json::json!({"token": id, "via": "page"}),
    );
    match state.store.revoke_token(&caller.user.id, &id, &event).await {
        Ok(true) => Ok(Redirect::to("/account/sessions?done=token").into_response()),
        Ok(false) => Err(not_yours(&caller)),
        Err(e) => {
            tracing::error!(error = %e, "revoking a token failed");
            Err(internal(&caller))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers() {
        let ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
        assert_eq!(browser_name(ua, Lang::Zh), "Chrome（Linux）");
        assert_eq!(browser_name("", Lang::En), "unknown");
    }
}
