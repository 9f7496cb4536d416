//! Reading one cell: its text as the clerk sees it and typed values (dates, months, numbers…)
//! from whatever Excel stored (text, numbers, date serials, booleans, errors).

use std::borrow::Cow;

use calamine::Data;
use chrono::NaiveDate;
use zhucan_domain::parse::{
    Month, ValueError, date_from_serial, parse_date, parse_int, parse_yes_no, parse_yuan_to_fen,
};
use zhucan_domain::{Lang, Localized};

/// Full-width ASCII (U+FF01–U+FF5E) to ASCII, ideographic space to space.
pub(crate) fn half_width(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}'
}

/// Trims white space including U+3000, the BOM and zero-width spaces.
pub(crate) fn trim(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// Trims and maps full-width ASCII to ASCII, borrowing when nothing changes.
pub(crate) fn norm(s: &str) -> Cow<'_, str> {
    let t = trim(s);
    if t.chars()
        .any(|c| matches!(c, '\u{ff01}'..='\u{ff5e}' | '\u{3000}'))
    {
        Cow::Owned(t.chars().map(half_width).collect())
    } else {
        Cow::Borrowed(t)
    }
}

/// Empty, or text of white space only.
pub(crate) fn is_blank(d: &Data) -> bool {
    match d {
        Data::Empty => true,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => trim(s).is_empty(),
        _ => false,
    }
}

/// A number as Excel shows it in a General cell: whole numbers without decimals.
pub(crate) fn fmt_num(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e21 {
        // Excel keeps 15 significant digits: 331003199309090090 shows as 331003199309090000.
        let s = format!("{:.14e}", f.abs());
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: usize = exp.parse().unwrap_or(0);
        let mut out: String = if f < 0.0 { "-".into() } else { String::new() };
        let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
        out.push_str(&digits);
        for _ in digits.len()..exp + 1 {
            out.push('0');
        }
        out
    } else {
        format!("{f}")
    }
}

fn fmt_datetime(dt: &calamine::ExcelDateTime) -> String {
    let v = dt.as_f64();
    if dt.is_duration() || !(0.0..2_958_466.0).contains(&v) {
        return fmt_num(v);
    }
    let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
    if (hh, mm, ss) == (0, 0, 0) {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
    }
}

/// The cell as text, as the clerk sees it (for reports).
pub(crate) fn display(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => fmt_num(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => fmt_datetime(dt),
        Data::Error(e) => e.to_string(),
    }
}

/// The column letters of a 0-based column index (`0` → `A`, `27` → `AB`).
pub(crate) fn column_letters(mut col: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A cell that could not be read: the message for the clerk.
pub(crate) type Bad = String;

/// What is needed to judge a cell.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx {
    pub lang: Lang,
    pub today: NaiveDate,
}

impl Ctx {
    pub fn msg(&self, e: &ValueError) -> String {
        e.message(self.lang)
    }

    pub fn pick(&self, zh: &str, en: &str) -> String {
        self.lang.pick(zh, en).to_string()
    }
}

/// A whole number stored in a numeric cell, if it is one.
fn whole(f: f64) -> Option<i64> {
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 9e15).then_some(f as i64)
}

fn numeric(d: &Data) -> Option<f64> {
    match d {
        Data::Int(i) => Some(*i as f64),
        Data::Float(f) => Some(*f),
        _ => None,
    }
}

/// A control character that no cell may hold (C0 and C1 controls and DEL, but not a tab or a
/// line break, which Excel keeps in wrapped text).
pub(crate) fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// A text with its control characters shown as `U+0000` (for reports: never a raw NUL).
pub(crate) fn visible(s: &str) -> Cow<'_, str> {
    if s.chars().any(is_forbidden_control) {
        Cow::Owned(
            s.chars()
                .map(|c| {
                    if is_forbidden_control(c) {
                        format!("U+{:04X}", u32::from(c))
                    } else {
                        c.to_string()
                    }
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

/// Plain text of a text-like field (name, phone, household ID…). Numbers lose no decimals. A
/// text zhucan's export escaped (`'=…`, see `sheet_text`) reads back without its `'`.
pub(crate) fn text(d: &Data) -> Cow<'_, str> {
    match d {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            Cow::Borrowed(zhucan_domain::parse::unescape_sheet_text(trim(s)))
        }
        Data::Empty => Cow::Borrowed(""),
        other => Cow::Owned(display(other)),
    }
}

/// An identifier (citizen ID, certificate number, area code). Numbers of more than 15 digits
/// have lost their last digits in Excel and are refused.
pub(crate) fn ident<'a>(d: &'a Data, ctx: &Ctx) -> Result<Cow<'a, str>, Bad> {
    match d {
        Data::Int(_) | Data::Float(_) => {
            let f = numeric(d).unwrap_or(f64::NAN);
            if f.is_finite() && f.abs() >= 1e15 {
                return Err(ctx.pick(
                    "数字格式导致末位丢失，请将该列设为文本格式后重新填写",
                    "stored as a number, Excel has lost the last digits: format the column as Text and enter the number again",
                ));
            }
            Ok(Cow::Owned(match d {
                Data::Int(i) => i.to_string(),
                _ => fmt_num(f),
            }))
        }
        Data::String(s) => {
            let t = trim(s);
            // `="3310…"` as written by some exporters to keep a number as text.
            let t = t
                .strip_prefix("=\"")
                .and_then(|r| r.strip_suffix('"'))
                .unwrap_or(t);
            let t = t.strip_prefix('\'').unwrap_or(t);
            Ok(Cow::Borrowed(t))
        }
        other => Ok(text(other)),
    }
}

/// yyyymmdd as a whole number (`20250301`).
fn yyyymmdd(n: i64) -> Option<NaiveDate> {
    if !(10_000_000..=99_999_999).contains(&n) {
        return None;
    }
    NaiveDate::from_ymd_opt(
        (n / 10_000) as i32,
        ((n / 100) % 100) as u32,
        (n % 100) as u32,
    )
}

fn date_err(ctx: &Ctx) -> Bad {
    ctx.msg(&ValueError::Date)
}

/// A date: an Excel serial, a date-formatted cell, `20250301` as a number, or any spelling
/// `parse_date` accepts.
pub(crate) fn date(d: &Data, ctx: &Ctx) -> Result<NaiveDate, Bad> {
    match d {
        Data::String(s) | Data::DateTimeIso(s) => parse_date(s).map_err(|e| match e {
            ValueError::Required => date_err(ctx),
            e => ctx.msg(&e),
        }),
        Data::Int(_) | Data::Float(_) => {
            let f = numeric(d).unwrap_or(f64::NAN);
            if let Some(n) = whole(f)
                && n >= 10_000_000
            {
                return yyyymmdd(n).ok_or_else(|| date_err(ctx));
            }
            date_from_serial(f).map_err(|e| ctx.msg(&e))
        }
        Data::DateTime(dt) => {
            let v = dt.as_f64();
            if let Some(n) = whole(v)
                && n >= 10_000_000
            {
                return yyyymmdd(n).ok_or_else(|| date_err(ctx));
            }
            if !(1.0..2_958_466.0).contains(&v) {
                return Err(date_err(ctx));
            }
            let (y, m, day, ..) = dt.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(day))
                .ok_or_else(|| date_err(ctx))
        }
        _ => Err(date_err(ctx)),
    }
}

/// A month: `2025-03`, `2025/03`, `202503` (text or number), or a date (its month).
pub(crate) fn month(d: &Data, ctx: &Ctx) -> Result<Month, Bad> {
    let bad = || ctx.msg(&ValueError::Month);
    let yyyymm = |n: i64| Month::new((n / 100) as i32, (n % 100) as u32);
    match d {
        Data::String(s) | Data::DateTimeIso(s) => Month::parse(s).map_err(|_| bad()),
        Data::Int(_) | Data::Float(_) | Data::DateTime(_) => {
            let f = match d {
                Data::DateTime(dt) => dt.as_f64(),
                _ => numeric(d).unwrap_or(f64::NAN),
            };
            match whole(f) {
                Some(n) if (100_000..=999_999).contains(&n) => yyyymm(n).ok_or_else(bad),
                _ => date(d, ctx).map(Month::of).map_err(|_| bad()),
            }
        }
        _ => Err(bad()),
    }
}

/// A yes/no cell.
pub(crate) fn yes_no(d: &Data, ctx: &Ctx) -> Result<bool, Bad> {
    match d {
        Data::Bool(b) => Ok(*b),
        Data::Int(_) | Data::Float(_) => match numeric(d) {
            Some(1.0) => Ok(true),
            Some(0.0) => Ok(false),
            _ => Err(ctx.msg(&ValueError::YesNo)),
        },
        Data::String(s) => parse_yes_no(s).map_err(|e| ctx.msg(&e)),
        _ => Err(ctx.msg(&ValueError::YesNo)),
    }
}

/// A whole number in `min..=max`.
pub(crate) fn int(d: &Data, min: i64, max: i64, ctx: &Ctx) -> Result<i64, Bad> {
    let f = match d {
        Data::String(s) => {
            let t = norm(s);
            let t = t.trim_end_matches(['人', '年', '张', '个', '星']);
            return parse_int(t, min, max).map_err(|e| ctx.msg(&e));
        }
        Data::DateTime(dt) => dt.as_f64(),
        Data::Int(_) | Data::Float(_) => numeric(d).unwrap_or(f64::NAN),
        _ => return Err(ctx.msg(&ValueError::Integer)),
    };
    let n = whole(f).ok_or_else(|| ctx.msg(&ValueError::Integer))?;
    if n < min || n > max {
        return Err(ctx.msg(&ValueError::Range { min, max }));
    }
    Ok(n)
}

/// An amount of yuan ≥ 0, as fen.
pub(crate) fn yuan_to_fen(d: &Data, ctx: &Ctx) -> Result<i64, Bad> {
    let negative = || {
        ctx.pick(
            "应为不小于 0 的金额（元）",
            "must be an amount of yuan not below 0",
        )
    };
    match d {
        Data::String(s) => {
            let t = norm(s);
            if t.starts_with('-') {
                return Err(negative());
            }
            parse_yuan_to_fen(&t).map_err(|e| match e {
                ValueError::Range { .. } => negative(),
                e => ctx.msg(&e),
            })
        }
        Data::Int(_) | Data::Float(_) => {
            let f = numeric(d).unwrap_or(f64::NAN);
            if !f.is_finite() {
                return Err(ctx.msg(&ValueError::Number));
            }
            if !(0.0..=1e12).contains(&f) {
                return Err(negative());
            }
            Ok((f * 100.0).round() as i64)
        }
        _ => Err(ctx.msg(&ValueError::Number)),
    }
}

/// A value of a coded list (`Category`, `HukouType`…): key, Chinese label or alias.
pub(crate) fn choice<T>(
    d: &Data,
    parse: fn(&str) -> Option<T>,
    choices: fn() -> String,
    ctx: &Ctx,
) -> Result<T, Bad> {
    let t = text(d);
    let t = norm(&t);
    parse(&t).ok_or_else(|| {
        let choices = choices();
        match ctx.lang {
            Lang::Zh => format!("“{t}”不是有效值，应为以下之一：{choices}"),
            Lang::En => format!("“{t}” is not allowed: must be one of {choices}"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    fn ctx() -> Ctx {
        Ctx {
            lang: Lang::Zh,
            today: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or(NaiveDate::MIN),
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn dates_from_every_cell_kind() {
        let c = ctx();
        let want = Ok(d(2025, 3, 1));
        assert_eq!(date(&Data::Float(45717.0), &c), want);
        assert_eq!(date(&Data::Int(45717), &c), want);
        assert_eq!(date(&Data::Float(20250301.0), &c), want);
        assert_eq!(date(&Data::Int(20250301), &c), want);
        let dt = ExcelDateTime::new(45717.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(date(&Data::DateTime(dt), &c), want);
        let dt = ExcelDateTime::new(20250301.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(date(&Data::DateTime(dt), &c), want);
        let dt = ExcelDateTime::new(44255.0, ExcelDateTimeType::DateTime, true);
        assert_eq!(date(&Data::DateTime(dt), &c), want);
        for s in [
            "2025/3/1",
            "2025年3月1日",
            "20250301",
            "２０２５-０３-０１",
            "2025-03-01T00:00:00",
        ] {
            assert_eq!(date(&Data::String(s.into()), &c), want, "{s}");
        }
        assert!(date(&Data::Float(20251301.0), &c).is_err());
        assert!(date(&Data::Bool(true), &c).is_err());
        assert!(date(&Data::Float(-3.0), &c).is_err());
    }

    #[test]
    fn months() {
        let c = ctx();
        let want = Month::new(2025, 3).ok_or(String::new());
        assert_eq!(month(&Data::Int(202503), &c), want);
        assert_eq!(month(&Data::Float(202503.0), &c), want);
        assert_eq!(month(&Data::Float(45717.0), &c), want);
        assert_eq!(month(&Data::String("2025/03".into()), &c), want);
        assert!(month(&Data::Int(202513), &c).is_err());
    }

    #[test]
    fn identifiers_stored_as_numbers() {
        let c = ctx();
        assert_eq!(
            ident(&Data::Float(110105491231002.0), &c).as_deref(),
            Ok("110105491231002")
        );
        let e = ident(&Data::Float(331003199001011234.0), &c).expect_err("lost digits");
        assert!(e.contains("文本格式"), "{e}");
        assert_eq!(
            ident(&Data::String(" ='331'".into()), &c).as_deref(),
            Ok("='331'")
        );
        assert_eq!(
            ident(&Data::String("=\"331\"".into()), &c).as_deref(),
            Ok("331")
        );
    }

    #[test]
    fn numbers_and_yes_no() {
        let c = ctx();
        assert_eq!(int(&Data::String("３人".into()), 1, 99, &c), Ok(3));
        assert!(int(&Data::Float(2.5), 1, 99, &c).is_err());
        assert_eq!(yuan_to_fen(&Data::Float(1234.5), &c), Ok(123_450));
        assert!(yuan_to_fen(&Data::Float(-1.0), &c).is_err());
        assert!(yuan_to_fen(&Data::String("-1".into()), &c).is_err());
        assert_eq!(yes_no(&Data::Bool(true), &c), Ok(true));
        assert_eq!(yes_no(&Data::Float(0.0), &c), Ok(false));
        assert_eq!(yes_no(&Data::String("有".into()), &c), Ok(true));
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(fmt_num(3.31e17), "331000000000000000");
    }
}
