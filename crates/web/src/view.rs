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

tokio::task_local! {
    /// The display preferences of the request being answered, set by [`display_layer`].
    static REQUEST_DISPLAY: Display;
}

/// Keeps the request's display preferences (its cookie) for every page rendered while
/// answering it, signed in or not: the sign-in page, the public pages, certificate checks and
/// error pages show the switches' state and combine them like every other page.
pub async fn display_layer(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let d = display_of(req.headers());
    REQUEST_DISPLAY.scope(d, next.run(req)).await
}

/// The display preferences of the request being answered (none outside a request).
pub fn request_display() -> Display {
    REQUEST_DISPLAY.try_with(|d| *d).unwrap_or_default()
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

    /// The title of a page that shows a failed submission ("错误：…" / "Error: …"): it is
    /// the first thing a screen reader announces, before the error summary that has focus.
    pub fn error_title(&self) -> String {
        crate::tf(
            self.lang,
            "error-title",
            &[("title", self.title.as_str().into())],
        )
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

/// Where an account's pages start: the overview (`/`) for staff; a citizen and an account
/// confined to one organisation's cases have no staff overview, their pages start at their
/// first menu entry (their own file, `/me`; a contractor's projects).
pub fn home_of(u: &User) -> &'static str {
    if u.role != zhucan_domain::access::Role::Citizen && !u.role.confined() {
        return "/";
    }
    NAV.get()
        .and_then(|v| {
            v.iter()
                .filter(|e| (e.shown)(u))
                .min_by_key(|e| e.order)
                .map(|e| e.href)
        })
        .unwrap_or("/")
}

/// Text for a table cell with its numbers, dates and IDs kept whole (issue 22), for `|safe`:
/// the text HTML-escaped, and each run from a digit to a digit (or `%`, `*`, `X`) with
/// `. , : % * / -` inside wrapped in `<span class="nw">` (`white-space: nowrap`). For cells of
/// free or machine text (notes, audit details, user agents) that may wrap anywhere else.
pub fn keep_numbers_whole(text: impl std::fmt::Display) -> String {
    fn escape(c: char, out: &mut String) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    let inside = |c: char| c.is_ascii_digit() || ".,:%*Xx/-".contains(c);
    let ends = |c: char| c.is_ascii_digit() || "%*Xx".contains(c);
    let chars: Vec<char> = text.to_string().chars().collect();
    let mut out = String::with_capacity(chars.len() + 16);
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            escape(chars[i], &mut out);
            i += 1;
            continue;
        }
        let mut end = i + 1;
        while end < chars.len() && inside(chars[end]) {
            end += 1;
        }
        while end > i + 1 && !ends(chars[end - 1]) {
            end -= 1;
        }
        let run = &chars[i..end];
        if run.len() > 1 {
            out.push_str("<span class=\"nw\">");
        }
        for &c in run {
            escape(c, &mut out);
        }
        if run.len() > 1 {
            out.push_str("</span>");
        }
        i = end;
    }
    out
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

    #[test]
    fn numbers_in_text_are_kept_whole_and_the_rest_escaped() {
        assert_eq!(
            keep_numbers_whole("自 2025-07-01 起，98.00%。"),
            r#"自 <span class="nw">2025-07-01</span> 起，<span class="nw">98.00%</span>。"#
        );
        assert_eq!(
            keep_numbers_whole(r#"{"a":"<3310****0712>"}"#),
            r#"{&quot;a&quot;:&quot;&lt;<span class="nw">3310****0712</span>&gt;&quot;}"#
        );
        assert_eq!(keep_numbers_whole("7 - x"), "7 - x");
        assert_eq!(
            keep_numbers_whole("1.5."),
            r#"<span class="nw">1.5</span>."#
        );
    }
}
