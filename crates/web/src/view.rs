//! What every page shares (the chrome: language, account, CSRF token, navigation) and the
//! small formatting helpers the templates use.

use std::collections::HashMap;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use zhucan_domain::Lang;
use zhucan_domain::area::{Area, AreaCode};
use zhucan_store::User;

/// How a reader wants pages shown: larger text, high contrast, easy-read wording first.
/// Kept in a cookie, switched at `/display`, for signed-in and anonymous readers alike.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Display {
    pub large: bool,
    pub contrast: bool,
    pub easy: bool,
}

/// The display cookie.
pub const DISPLAY_COOKIE: &str = "zhucan_display";

impl Display {
    pub fn parse(s: &str) -> Display {
        let has = |k: &str| s.split(['.', ',']).any(|x| x == k);
        Display {
            large: has("large"),
            contrast: has("contrast"),
            easy: has("easy"),
        }
    }

    pub fn value(self) -> String {
        let mut v = Vec::new();
        if self.large {
            v.push("large");
        }
        if self.contrast {
            v.push("contrast");
        }
        if self.easy {
            v.push("easy");
        }
        v.join(".")
    }
}

/// The zone times are shown in: 北京时间 (UTC+8), where the federation works, whatever the
/// server's own zone. Stored times are UTC (RFC 3339).
const BEIJING: chrono::FixedOffset = match chrono::FixedOffset::east_opt(8 * 3600) {
    Some(z) => z,
    None => panic!("UTC+8 is a valid offset"),
};

/// Today, where the federation works (the server's local date).
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// A stored time to the minute in Beijing time: `2026-12-01T18:51:06.123Z` →
/// `2026-12-02 02:51`; anything unparsable is shown as it is.
pub fn minute(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| {
            t.with_timezone(&BEIJING)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| at.to_string())
}

/// A stored time's day in Beijing time (`2026-12-01T18:51:06Z` → `2026-12-02`).
pub fn day_of(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| t.with_timezone(&BEIJING).format("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| at.chars().take(10).collect())
}

/// The reader's display preferences from the request's cookie.
pub fn display_of(headers: &axum::http::HeaderMap) -> Display {
    crate::auth::cookie(headers, DISPLAY_COOKIE)
        .map(Display::parse)
        .unwrap_or_default()
}

/// The parts of the page around the content.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub lang: Lang,
    pub user: Option<User>,
    pub csrf: String,
    /// The current path and query, for the language switch.
    pub here: String,
    /// Which main navigation entry is current.
    pub nav: &'static str,
    pub title: String,
    pub display: Display,
}

impl Chrome {
    /// The same chrome with the reader's display preferences.
    pub fn with_display(mut self, d: Display) -> Chrome {
        self.display = d;
        self
    }

    /// Classes on `<html>` for the display preferences.
    pub fn display_class(&self) -> String {
        let mut v = Vec::new();
        if self.display.large {
            v.push("large-text");
        }
        if self.display.contrast {
            v.push("high-contrast");
        }
        if self.display.easy {
            v.push("easy-read");
        }
        v.join(" ")
    }

    /// The link that turns one display preference on or off here.
    pub fn display_href(&self, which: &str) -> String {
        let mut d = self.display;
        match which {
            "large" => d.large = !d.large,
            "contrast" => d.contrast = !d.contrast,
            "easy" => d.easy = !d.easy,
            _ => d = Display::default(),
        }
        format!(
            "/display?set={}&next={}",
            url_encode(&d.value()),
            url_encode(&self.here)
        )
    }

    pub fn is_citizen(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.role == zhucan_domain::access::Role::Citizen)
    }

    /// Picks the text for the page's language.
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(zh, en)
    }

    pub fn other_lang(&self) -> Lang {
        match self.lang {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// The language switch link.
    pub fn lang_href(&self) -> String {
        let to = match self.other_lang() {
            Lang::Zh => "zh",
            Lang::En => "en",
        };
        format!("/lang?to={to}&next={}", url_encode(&self.here))
    }

    pub fn other_lang_label(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "English",
            Lang::En => "中文",
        }
    }

    /// `aria-current="page"` for the current navigation entry.
    pub fn current(&self, key: &str) -> &'static str {
        if self.nav == key { "page" } else { "false" }
    }

    pub fn role_label(&self) -> &'static str {
        self.user
            .as_ref()
            .map(|u| u.role.label(self.lang))
            .unwrap_or("")
    }

    pub fn can_write(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role.writes_persons())
    }

    pub fn works_subsidies(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role.works_subsidies())
    }

    pub fn reads_persons(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role.reads_persons())
    }

    pub fn is_sysadmin(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.role == zhucan_domain::access::Role::SystemAdmin)
    }

    pub fn is_security_admin(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.role == zhucan_domain::access::Role::SecurityAdmin)
    }

    pub fn is_auditor(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.role == zhucan_domain::access::Role::Auditor)
    }
}

/// The menu of this service (every programme's entries), set once when the service's state is
/// built.
static NAV: std::sync::OnceLock<Vec<crate::NavEntry>> = std::sync::OnceLock::new();

/// Sets the menu (the first call wins: the programmes of one process do not change).
pub fn set_nav(entries: Vec<crate::NavEntry>) {
    let _ = NAV.set(entries);
}

impl Chrome {
    /// The menu entries shown to the signed-in account: (href, label, `aria-current` value).
    pub fn nav_items(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        let Some(u) = &self.user else {
            return vec![];
        };
        NAV.get()
            .map(|v| {
                v.iter()
                    .filter(|e| (e.shown)(u))
                    .map(|e| (e.href, e.label(self.lang), self.current(e.key)))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Percent-encodes a URL component.
pub fn url_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Renders a template with a status code; a rendering failure is logged and becomes a 500.
pub fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error / 服务器内部错误",
            )
                .into_response()
        }
    }
}

/// Area names by code, for display.
#[derive(Debug, Clone, Default)]
pub struct AreaNames(HashMap<String, String>);

impl AreaNames {
    pub fn new(areas: &[Area]) -> Self {
        AreaNames(
            areas
                .iter()
                .map(|a| (a.code.to_string(), a.name.clone()))
                .collect(),
        )
    }

    /// The name of an area, or its code when unknown.
    pub fn name(&self, code: &str) -> String {
        self.0
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }

    pub fn opt(&self, code: &Option<String>) -> String {
        code.as_deref().map(|c| self.name(c)).unwrap_or_default()
    }

    pub fn of(&self, code: &AreaCode) -> String {
        self.name(code.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_beijing() {
        assert_eq!(minute("2026-12-01T18:51:06.123Z"), "2026-12-02 02:51");
        assert_eq!(minute("2026-12-01T08:00:00+08:00"), "2026-12-01 08:00");
        assert_eq!(minute("garbage"), "garbage");
        assert_eq!(day_of("2026-12-01T18:51:06Z"), "2026-12-02");
        assert_eq!(day_of("2026-12-01"), "2026-12-01");
    }
}
