//! Fractions held exactly, in millionths ([`Micro`]): coverage ratios, rates and policy
//! ratios compare with integer arithmetic. Reading and formatting them.

use crate::ids::normalize;
use crate::lang::{Lang, Localized};

/// A fraction in millionths: `990_000` is 0.99 (99 %).
pub type Micro = i64;

/// One million: the [`Micro`] value of 1.
pub const MICRO: i64 = 1_000_000;

/// `a × r` for a ratio `r` in millionths, rounded half away from zero (an amount in fen times
/// a subsidy ratio).
pub fn apply(a: i64, r: Micro) -> i64 {
    let p = i128::from(a) * i128::from(r);
    let half = i128::from(MICRO / 2);
    let q = if p >= 0 {
        (p + half) / i128::from(MICRO)
    } else {
        (p - half) / i128::from(MICRO)
    };
    i64::try_from(q).unwrap_or(i64::MAX)
}

/// Why a rate could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    #[error("required")]
    Required,
    #[error("not a rate")]
    NotARate,
    #[error("out of range")]
    Range { min_percent: i64, max_percent: i64 },
}

impl Localized for RateError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (RateError::Required, Lang::Zh) => "必填".into(),
            (RateError::Required, Lang::En) => "is required".into(),
            (RateError::NotARate, Lang::Zh) => {
                "不是有效比率（可写 6.5% 或 0.065，最多 6 位小数）".into()
            }
            (RateError::NotARate, Lang::En) => {
                "not a valid rate (write 6.5% or 0.065, at most 6 decimal places)".into()
            }
            (
                RateError::Range {
                    min_percent,
                    max_percent,
                },
                Lang::Zh,
            ) => format!("应在 {min_percent}% 到 {max_percent}% 之间"),
            (
                RateError::Range {
                    min_percent,
                    max_percent,
                },
                Lang::En,
            ) => format!("must be between {min_percent}% and {max_percent}%"),
        }
    }
}

/// Reads a decimal with at most `scale` fraction digits as an integer scaled by 10^scale
/// (`"6.5"`, scale 4 → 65000). Exact: no floating point.
pub fn scaled(s: &str, scale: u32) -> Option<i64> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if frac.len() > scale as usize || int.len() > 9 {
        return None;
    }
    let int: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut f: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    for _ in frac.len()..scale as usize {
        f *= 10;
    }
    let v = int.checked_mul(10_i64.pow(scale))?.checked_add(f)?;
    Some(if neg { -v } else { v })
}

/// Reads a rate such as a GDP growth: `6.5%` or `0.065` (a fraction), into millionths. A bare
/// number is a fraction; a percentage needs its `%`. Accepts −100 % … +100 %.
pub fn parse_rate(input: &str) -> Result<Micro, RateError> {
    let s = normalize(input).replace(' ', "");
    if s.is_empty() {
        return Err(RateError::Required);
    }
    let v = if let Some(p) = s.strip_suffix('%') {
        scaled(p, 4).ok_or(RateError::NotARate)?
    } else {
        scaled(&s, 6).ok_or(RateError::NotARate)?
    };
    if !(-MICRO..=MICRO).contains(&v) {
        return Err(RateError::Range {
            min_percent: -100,
            max_percent: 100,
        });
    }
    Ok(v)
}

/// Reads a ratio of 0–100 %: a percentage (`95%`, `95`) or a fraction (`0.95`).
pub fn parse_ratio(input: &str) -> Result<Micro, RateError> {
    let s = normalize(input).replace([' ', ','], "");
    if s.is_empty() {
        return Err(RateError::Required);
    }
    let v = if let Some(p) = s.strip_suffix('%') {
        scaled(p, 4).ok_or(RateError::NotARate)?
    } else {
        let f = scaled(&s, 6).ok_or(RateError::NotARate)?;
        // "95" means 95 %, "0.95" a fraction.
        if f > MICRO {
            scaled(&s, 4).ok_or(RateError::NotARate)?
        } else {
            f
        }
    };
    if !(0..=MICRO).contains(&v) {
        return Err(RateError::Range {
            min_percent: 0,
            max_percent: 100,
        });
    }
    Ok(v)
}

/// Formats millionths as a percentage with up to two decimals (`99%`, `98.98%`).
pub fn format_percent(v: Micro) -> String {
    // Hundredths of a percent, rounded half away from zero.
    let h = (v + if v >= 0 { 50 } else { -50 }) / 100;
    let sign = if h < 0 { "-" } else { "" };
    let a = h.unsigned_abs();
    let (int, frac) = (a / 100, a % 100);
    if frac == 0 {
        format!("{sign}{int}%")
    } else if frac % 10 == 0 {
        format!("{sign}{int}.{}%", frac / 10)
    } else {
        format!("{sign}{int}.{frac:02}%")
    }
}

/// Formats a fraction (0.98979…) as a percentage with two decimals (`98.98%`).
pub fn format_fraction(v: f64) -> String {
    format!("{:.2}%", v * 100.0)
}
