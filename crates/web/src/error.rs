//! Errors as users see them: JSON `{"error": {"code", "message"}}` for the API with a stable
//! machine-readable code, an HTML page for browsers. Internal details go to the log only.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use zhucan_domain::Lang;
use zhucan_store::StoreError;

/// An error answer of the API.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub zh: String,
    pub en: String,
    pub lang: Lang,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
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

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "未找到", "not found")
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "需要登录：请提供有效的 Bearer 令牌",
            "sign-in required: send a valid bearer token",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "您的角色无权进行此操作",
            "your role may not do this",
        )
    }

    pub fn invalid(field: &str, value: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            format!("参数 {field}（“{value}”）无效：{}", zh.into()),
            format!("parameter {field} (“{value}”) is invalid: {}", en.into()),
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "服务器内部错误，已记录，请稍后再试",
            "internal error; it has been logged, please try again later",
        )
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
            StoreError::VersionConflict { .. } => ApiError::new(
                StatusCode::CONFLICT,
                "version_conflict",
                "该档案已被他人修改，请刷新后重试",
                "the file was changed by someone else; reload and try again",
            ),
            StoreError::NotFound(_) => ApiError::not_found(),
            StoreError::Exists(_) => ApiError::new(
                StatusCode::CONFLICT,
                "exists",
                "记录已存在",
                "already exists",
            ),
            other => {
                tracing::error!(error = %other, "storage error");
                ApiError::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"code": self.code, "message": self.message()}});
        let mut resp = (self.status, Json(body)).into_response();
        if let Some(s) = self.retry_after
            && let Ok(v) = axum::http::HeaderValue::from_str(&s.to_string())
        {
            resp.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        resp
    }
}
