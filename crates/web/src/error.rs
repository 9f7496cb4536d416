//! Errors as users see them: JSON `{"error": {"code", "message"}}` for the API with a stable
//! machine-readable code, an HTML page for browsers. Internal details go to the log only.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::sync::LazyLock;

use zhucan_domain::messages::Catalogue;
use zhucan_domain::{Lang, Localized};
use zhucan_store::StoreError;

/// One row of the error-code table (`docs/error-codes.md`): a stable machine-readable code,
/// its HTTP status and its message, kept in the owning crate's catalogue. The kernel's rows are
/// in [`codes`]; a programme declares its own rows beside its API and lists them in
/// `Programme::error_codes`; a test checks that no two rows share a code and that the document
/// shows them all.
#[derive(Debug)]
pub struct ErrorCode {
    pub code: &'static str,
    pub status: u16,
    /// The catalogue that holds the message (the owning crate's `MESSAGES`).
    pub messages: &'static LazyLock<Catalogue>,
    /// The message's key in that catalogue.
    pub key: &'static str,
}

impl ErrorCode {
    pub const fn new(
        code: &'static str,
        status: u16,
        messages: &'static LazyLock<Catalogue>,
        key: &'static str,
    ) -> ErrorCode {
        ErrorCode {
            code,
            status,
            messages,
            key,
        }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The code's standing message.
    pub fn message(&self, lang: Lang) -> &'static str {
        let messages: &'static Catalogue = self.messages;
        messages.text(lang, self.key)
    }
}

/// The kernel's error codes.
pub mod codes {
    use super::ErrorCode;
    use crate::MESSAGES as M;

    pub static UNAUTHORIZED: ErrorCode =
        ErrorCode::new("unauthorized", 401, &M, "error-unauthorized");
    pub static FORBIDDEN: ErrorCode = ErrorCode::new("forbidden", 403, &M, "error-forbidden");
    pub static TOKEN_READ_ONLY: ErrorCode =
        ErrorCode::new("token_read_only", 403, &M, "error-token-read-only");
    pub static NOT_FOUND: ErrorCode = ErrorCode::new("not_found", 404, &M, "error-not-found");
    pub static INVALID_PARAMETER: ErrorCode =
        ErrorCode::new("invalid_parameter", 400, &M, "error-invalid-parameter");
    pub static INVALID_JSON: ErrorCode =
        ErrorCode::new("invalid_json", 400, &M, "error-invalid-json");
    pub static INVALID_CREDENTIALS: ErrorCode =
        ErrorCode::new("invalid_credentials", 401, &M, "error-invalid-credentials");
    pub static SECOND_FACTOR_REQUIRED: ErrorCode = ErrorCode::new(
        "second_factor_required",
        401,
        &M,
        "error-second-factor-required",
    );
    pub static SECOND_FACTOR_WRONG: ErrorCode =
        ErrorCode::new("second_factor_wrong", 401, &M, "error-second-factor-wrong");
    pub static SECOND_FACTOR_NOT_ENROLLED: ErrorCode = ErrorCode::new(
        "second_factor_not_enrolled",
        403,
        &M,
        "error-second-factor-not-enrolled",
    );
    pub static ACCOUNT_LOCKED: ErrorCode =
        ErrorCode::new("account_locked", 403, &M, "error-account-locked");
    pub static VERSION_CONFLICT: ErrorCode =
        ErrorCode::new("version_conflict", 409, &M, "error-version-conflict");
    pub static EXISTS: ErrorCode = ErrorCode::new("exists", 409, &M, "error-exists");
    pub static RATE_LIMITED: ErrorCode =
        ErrorCode::new("rate_limited", 429, &M, "error-rate-limited");
    pub static INTERNAL: ErrorCode = ErrorCode::new("internal", 500, &M, "error-internal");

    /// Every kernel row, in the order of the document.
    pub static ALL: &[&ErrorCode] = &[
        &UNAUTHORIZED,
        &FORBIDDEN,
        &TOKEN_READ_ONLY,
        &NOT_FOUND,
        &INVALID_PARAMETER,
        &INVALID_JSON,
        &INVALID_CREDENTIALS,
        &SECOND_FACTOR_REQUIRED,
        &SECOND_FACTOR_WRONG,
        &SECOND_FACTOR_NOT_ENROLLED,
        &ACCOUNT_LOCKED,
        &VERSION_CONFLICT,
        &EXISTS,
        &RATE_LIMITED,
        &INTERNAL,
    ];
}

/// An error answer of the API: a row of the error-code table and its message (the row's own,
/// or a more precise one naming the field and value).
#[derive(Debug)]
pub struct ApiError {
    pub code: &'static ErrorCode,
    pub zh: String,
    pub en: String,
    pub lang: Lang,
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// The code with its standing message.
    pub fn of(code: &'static ErrorCode) -> Self {
        Self::with(code, code.message(Lang::Zh), code.message(Lang::En))
    }

    /// The code with a more precise message.
    pub fn with(code: &'static ErrorCode, zh: impl Into<String>, en: impl Into<String>) -> Self {
        ApiError {
            code,
            zh: zh.into(),
            en: en.into(),
            lang: Lang::Zh,
            retry_after: None,
        }
    }

    pub fn in_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }

    pub fn status(&self) -> StatusCode {
        self.code.status()
    }

    pub fn not_found() -> Self {
        Self::of(&codes::NOT_FOUND)
    }

    pub fn unauthorized() -> Self {
        Self::of(&codes::UNAUTHORIZED)
    }

    pub fn forbidden() -> Self {
        Self::of(&codes::FORBIDDEN)
    }

    pub fn invalid(field: &str, value: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::with(
            &codes::INVALID_PARAMETER,
            format!("参数 {field}（“{value}”）无效：{}", zh.into()),
            format!("parameter {field} (“{value}”) is invalid: {}", en.into()),
        )
    }

    /// A parameter whose value did not parse: [`ApiError::invalid`] with the parser's own
    /// message.
    pub fn rejected(field: &str, value: &str, why: &impl Localized) -> Self {
        Self::invalid(field, value, why.message(Lang::Zh), why.message(Lang::En))
    }

    pub fn internal() -> Self {
        Self::of(&codes::INTERNAL)
    }

    pub fn message(&self) -> &str {
        match self.lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::VersionConflict { .. } => ApiError::of(&codes::VERSION_CONFLICT),
            StoreError::NotFound(_) => ApiError::not_found(),
            StoreError::Exists(_) => ApiError::of(&codes::EXISTS),
            other => {
                tracing::error!(error = %other, "storage error");
                ApiError::internal()
            }
        }
    }
}

/// A blocking computation that did not finish (it panicked): 500.
impl From<tokio::task::JoinError> for ApiError {
    fn from(_: tokio::task::JoinError) -> Self {
        ApiError::internal()
    }
}

/// What an API handler returns: `?` ends it with the error's JSON answer.
pub type ApiResult<T = Response> = Result<T, ApiError>;

/// `?` in an API handler: the failure (anything that becomes an [`ApiError`]; for an
/// `Option`, an absent value is 404) answered in the caller's language.
pub trait OrApi<T> {
    fn or_api(self, lang: Lang) -> ApiResult<T>;
}

impl<T, E: Into<ApiError>> OrApi<T> for Result<T, E> {
    fn or_api(self, lang: Lang) -> ApiResult<T> {
        self.map_err(|e| e.into().in_lang(lang))
    }
}

impl<T> OrApi<T> for Option<T> {
    fn or_api(self, lang: Lang) -> ApiResult<T> {
        self.ok_or_else(|| ApiError::not_found().in_lang(lang))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body =
            serde_json::json!({"error": {"code": self.code.code, "message": self.message()}});
        let mut resp = (self.status(), Json(body)).into_response();
        if let Some(s) = self.retry_after
            && let Ok(v) = axum::http::HeaderValue::from_str(&s.to_string())
        {
            resp.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        resp
    }
}
