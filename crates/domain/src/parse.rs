//! Cell and form value parsers shared by the workbook importer and the web forms:
//! dates, months, yes/no, whole numbers and money. Each either parses or returns a typed error.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::ids::normalize;
use crate::lang::{Lang, Localized};

/// Why a value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("not a date")]
    Date,
    #[error("not a month")]
    Month,
    #[error("not yes/no")]
    YesNo,
    #[error("not a whole number")]
    Integer,
    #[error("not a number")]
    Number,
    #[error("out of range")]
    Range { min: i64, max: i64 },
    #[error("in the future")]
    Future { today: NaiveDate },
    #[error("not one of the allowed values")]
    Choice { choices: String },
    #[error("required")]
    Required,
    #[error("too long")]
    TooLong { max: usize },
}

impl Localized for ValueError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (ValueError::Date, Lang::Zh) => {
                "不是有效日期（可写 2025-03-01、2025/3/1、2025年3月1日 或 20250301）".into()
            }
            (ValueError::Date, Lang::En) => {
                "not a valid date (write 2025-03-01, 2025/3/1, 2025年3月1日 or 20250301)".into()
            }
            (ValueError::Month, Lang::Zh) => {
                "不是有效年月（可写 2025-03、2025/03 或 202503）".into()
            }
            (ValueError::Month, Lang::En) => {
                "not a valid month (write 2025-03, 2025/03 or 202503)".into()
            }
            (ValueError::YesNo, Lang::Zh) => "应填 是/否（或 Y/N、1/0、有/无）".into(),
            (ValueError::YesNo, Lang::En) => "must be yes/no (是/否, Y/N, 1/0, 有/无)".into(),
            (ValueError::Integer, Lang::Zh) => "应为整数".into(),
            (ValueError::Integer, Lang::En) => "must be a whole number".into(),
            (ValueError::Number, Lang::Zh) => "应为数字".into(),
            (ValueError::Number, Lang::En) => "must be a number".into(),
            (ValueError::Range { min, max }, Lang::Zh) => format!("应在 {min} 到 {max} 之间"),
            (ValueError::Range { min, max }, Lang::En) => {
                format!("must be between {min} and {max}")
            }
            (ValueError::Future { today }, Lang::Zh) => format!("日期不能晚于今天（{today}）"),
            (ValueError::Future { today }, Lang::En) => {
                format!("date cannot be after today ({today})")
            }
            (ValueError::Choice { choices }, Lang::Zh) => format!("应为以下之一：{choices}"),
            (ValueError::Choice { choices }, Lang::En) => format!("must be one of: {choices}"),
            (ValueError::Required, Lang::Zh) => "必填".into(),
            (ValueError::Required, Lang::En) => "is required".into(),
            (ValueError::TooLong { max }, Lang::Zh) => format!("不能超过 {max} 个字"),
            (ValueError::TooLong { max }, Lang::En) => {
                format!("must be at most {max} characters")
            }
        }
    }
}

/// The Excel epoch for date serials (1900 system, with Lotus' phantom 29 Feb 1900).
fn excel_serial(n: f64) -> Option<NaiveDate> {
    if !n.is_finite() || !(1.0..=2_958_465.0).contains(&n) {
        return None;
    }
    let days = n.floor() as i64;
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    base.checked_add_signed(chrono::Duration::days(days))
}

/// Reads an Excel date serial.
pub fn date_from_serial(n: f64) -> Result<NaiveDate, ValueError> {
    excel_serial(n).ok_or(ValueError::Date)
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    let y: i32 = y.trim().parse().ok()?;
    let m: u32 = m.trim().parse().ok()?;
    let d: u32 = d.trim().parse().ok()?;
    if !(1800..=9999).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Reads a date written as `2025-03-01`, `2025/3/1`, `2025.3.1`, `2025年3月1日` or `20250301`
/// (a trailing time such as ` 00:00:00` is ignored). Does not judge whether it is in the future.
pub fn parse_date(input: &str) -> Result<NaiveDate, ValueError> {
    let s = normalize(input);
    let s = s.split([' ', 'T']).next().unwrap_or("");
    if s.is_empty() {
        return Err(ValueError::Required);
    }
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return ymd(&s[0..4], &s[4..6], &s[6..8]).ok_or(ValueError::Date);
    }
    if let Some(rest) = s.strip_suffix('日') {
        let (y, rest) = rest.split_once('年').ok_or(ValueError::Date)?;
        let (m, d) = rest.split_once('月').ok_or(ValueError::Date)?;
        return ymd(y, m, d).ok_or(ValueError::Date);
    }
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    if parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return ymd(parts[0], parts[1], parts[2]).ok_or(ValueError::Date);
    }
    Err(ValueError::Date)
}

/// Refuses a date after `today`.
pub fn not_future(d: NaiveDate, today: NaiveDate) -> Result<NaiveDate, ValueError> {
    if d > today {
        Err(ValueError::Future { today })
    } else {
        Ok(d)
    }
}

/// A calendar month (`2025-03`), the unit of subsidy payments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1800..=9999).contains(&year) && (1..=12).contains(&month))
            .then_some(Month { year, month })
    }

    pub fn of(d: NaiveDate) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The month after this one.
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// Reads `2025-03`, `2025/03`, `2025/3`, `202503`, `2025年3月`, or a whole date (its month).
    pub fn parse(input: &str) -> Result<Month, ValueError> {
        let s = normalize(input);
        if s.is_empty() {
            return Err(ValueError::Required);
        }
        let mk = |y: &str, m: &str| -> Result<Month, ValueError> {
            let y: i32 = y.trim().parse().map_err(|_| ValueError::Month)?;
            let m: u32 = m.trim().parse().map_err(|_| ValueError::Month)?;
            Month::new(y, m).ok_or(ValueError::Month)
        };
        if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
            return mk(&s[0..4], &s[4..6]);
        }
        if let Some(rest) = s.strip_suffix('月') {
            let (y, m) = rest.split_once('年').ok_or(ValueError::Month)?;
            return mk(y, m);
        }
        let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
        if parts.len() == 2
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        {
            return mk(parts[0], parts[1]);
        }
        parse_date(&s).map(Month::of).map_err(|_| ValueError::Month)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Month::parse(&s).map_err(|e| serde::de::Error::custom(e.message(Lang::En)))
    }
}

/// Reads a yes/no cell: `是/否`, `Y/N`, `yes/no`, `1/0`, `有/无`, `true/false`, `√/×`.
pub fn parse_yes_no(input: &str) -> Result<bool, ValueError> {
    let s = normalize(input);
    let l = s.to_ascii_lowercase();
    match l.as_str() {
        "" => Err(ValueError::Required),
        "是" | "y" | "yes" | "1" | "有" | "true" | "√" | "1.0" => Ok(true),
        "否" | "n" | "no" | "0" | "无" | "false" | "×" | "0.0" => Ok(false),
        _ => Err(ValueError::YesNo),
    }
}

/// Reads a whole number in a range (`12`, `12.0`).
pub fn parse_int(input: &str, min: i64, max: i64) -> Result<i64, ValueError> {
    let s = normalize(input).replace(',', "");
    if s.is_empty() {
        return Err(ValueError::Required);
    }
    let n = if let Ok(n) = s.parse::<i64>() {
        n
    } else {
        let f: f64 = s.parse().map_err(|_| ValueError::Integer)?;
        if !f.is_finite() || f.fract() != 0.0 || f.abs() > 9e15 {
            return Err(ValueError::Integer);
        }
        f as i64
    };
    if n < min || n > max {
        return Err(ValueError::Range { min, max });
    }
    Ok(n)
}

/// Reads an amount of yuan (`12345.6`, `12,345.60`, `¥12345`) as fen, rounded to the nearest fen.
pub fn parse_yuan_to_fen(input: &str) -> Result<i64, ValueError> {
    let s = normalize(input).replace([',', '¥', '￥', '元'], "");
    if s.is_empty() {
        return Err(ValueError::Required);
    }
    let f: f64 = s.trim().parse().map_err(|_| ValueError::Number)?;
    if !f.is_finite() || !(0.0..=1e12).contains(&f) {
        return Err(ValueError::Range {
            min: 0,
            max: 1_000_000_000_000,
        });
    }
    Ok((f * 100.0).round() as i64)
}

/// Formats fen as yuan with two decimals (`1234.50`).
pub fn fen_to_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn date_spellings() {
        for s in [
            "2025-03-01",
            "2025/3/1",
            "2025年3月1日",
            "20250301",
            "2025.03.01",
            " 2025-03-01 00:00:00",
            "２０２５-03-01",
        ] {
            assert_eq!(parse_date(s), Ok(d(2025, 3, 1)), "{s}");
        }
        assert_eq!(date_from_serial(45717.0), Ok(d(2025, 3, 1)));
        assert_eq!(parse_date("2025-02-30"), Err(ValueError::Date));
        assert_eq!(parse_date("yesterday"), Err(ValueError::Date));
        assert_eq!(parse_date(""), Err(ValueError::Required));
    }

    #[test]
    fn month_spellings() {
        for s in [
            "2025-03",
            "2025/03",
            "202503",
            "2025/3",
            "2025年3月",
            "2025-03-15",
        ] {
            assert_eq!(
                Month::parse(s).map(|m| m.to_string()),
                Ok("2025-03".into()),
                "{s}"
            );
        }
        assert_eq!(Month::parse("2025-13"), Err(ValueError::Month));
        assert_eq!(Month::new(2025, 12).map(Month::next), Month::new(2026, 1));
    }

    #[test]
    fn yes_no() {
        for s in ["是", "Y", "y", "1", "有", "true", "TRUE", "yes"] {
            assert_eq!(parse_yes_no(s), Ok(true), "{s}");
        }
        for s in ["否", "N", "0", "无", "false"] {
            assert_eq!(parse_yes_no(s), Ok(false), "{s}");
        }
        assert_eq!(parse_yes_no("maybe"), Err(ValueError::YesNo));
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_int("3", 1, 99), Ok(3));
        assert_eq!(parse_int("3.0", 1, 99), Ok(3));
        assert_eq!(parse_int("3.5", 1, 99), Err(ValueError::Integer));
        assert_eq!(
            parse_int("0", 1, 99),
            Err(ValueError::Range { min: 1, max: 99 })
        );
        assert_eq!(parse_yuan_to_fen("12,345.67"), Ok(1_234_567));
        assert_eq!(fen_to_yuan(1_234_567), "12345.67");
        assert_eq!(fen_to_yuan(-5), "-0.05");
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in "\\PC{0,30}") {
            let _ = parse_date(&s);
            let _ = Month::parse(&s);
            let _ = parse_yes_no(&s);
            let _ = parse_int(&s, 0, 100);
            let _ = parse_yuan_to_fen(&s);
        }

        #[test]
        fn serials_never_panic(n in proptest::num::f64::ANY) {
            let _ = date_from_serial(n);
        }

        #[test]
        fn dates_roundtrip(days in 0i64..80_000) {
            let date = d(1900, 1, 1) + chrono::Duration::days(days);
            prop_assert_eq!(parse_date(&date.format("%Y-%m-%d").to_string()), Ok(date));
            prop_assert_eq!(parse_date(&date.format("%Y/%-m/%-d").to_string()), Ok(date));
            prop_assert_eq!(parse_date(&date.format("%Y年%-m月%-d日").to_string()), Ok(date));
            prop_assert_eq!(parse_date(&date.format("%Y%m%d").to_string()), Ok(date));
        }

        /// An amount shown in yuan (a catalogue's cap, a subsidy) reads back to the same fen
        /// when a form posts it again.
        #[test]
        fn yuan_roundtrips(fen in 0i64..10_000_000_000) {
            prop_assert_eq!(parse_yuan_to_fen(&fen_to_yuan(fen)), Ok(fen));
        }
    }
}

/// The characters that make a spreadsheet program read a text cell as a formula (or that it
/// strips before one): `=`, `+`, `-`, `@`, a tab and a carriage return.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text as zhucan writes it into a spreadsheet or CSV cell: a text starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a leading `'`, so that no program opening the
/// file takes it for a formula (CSV/formula injection). Numbers written as numbers are not
/// text and never pass here. The importer reads the `'` back off ([`unescape_sheet_text`]).
pub fn sheet_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(FORMULA_STARTS) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// The text [`sheet_text`] escaped: a leading `'` before `=`, `+`, `-`, `@`, a tab or a
/// carriage return is dropped; anything else is returned as it is.
pub fn unescape_sheet_text(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => s,
    }
}

#[cfg(test)]
mod sheet_text_tests {
    use super::*;

    #[test]
    fn formula_starts_are_escaped_and_read_back() {
        for s in ["=1+1", "+86 138", "-x", "@SUM(A1)", "\t=1", "\r=1"] {
            let e = sheet_text(s);
            assert!(e.starts_with('\''), "{s:?}");
            assert_eq!(unescape_sheet_text(&e), s);
        }
        for s in ["王一", "138 0000 1111", "'quoted", ""] {
            assert_eq!(sheet_text(s), s);
            assert_eq!(unescape_sheet_text(s), s);
        }
    }
}
