//! The five-year plan (规划) as data: its period, its quantified targets (专栏1 indicators and
//! 专栏2–5 targets) and the progress staff record for targets the registry cannot compute.
//!
//! Ratios are held in millionths ([`Micro`]) so that comparing a coverage with its target is
//! exact integer arithmetic.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::coded_enum;
use crate::ids::normalize;
use crate::lang::{Lang, Localized};

coded_enum! {
    /// 指标属性.
    pub enum Attribute {
        Binding = ("binding", "约束性", "binding"),
        Expected = ("expected", "预期性", "expected"),
    }
}

coded_enum! {
    /// What a target's numbers are.
    pub enum TargetUnit {
        Ratio = ("ratio", "比例", "ratio"),
        Count = ("count", "数量", "count"),
        Growth = ("growth", "增长率", "growth rate"),
    }
}

coded_enum! {
    /// Where a target's value comes from.
    pub enum Measure {
        Computed = ("computed", "系统计算", "computed from the registry"),
        Manual = ("manual", "人工填报", "entered by staff"),
    }
}

/// A fraction in millionths: `990_000` is 0.99 (99 %).
pub type Micro = i64;

/// One million: the [`Micro`] value of 1.
pub const MICRO: i64 = 1_000_000;

/// A development plan and the period its targets are measured over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub id: String,
    pub name: String,
    pub name_en: String,
    /// 基期: the baseline date (2020-12-31).
    pub baseline_date: NaiveDate,
    /// The date the targets are due (2025-12-31).
    pub target_date: NaiveDate,
    pub source: String,
}

impl Plan {
    /// The share of the plan period elapsed at `t`, as (elapsed days, total days), clamped to
    /// `[0, total]` (`indicators.md`: f).
    pub fn elapsed(&self, t: NaiveDate) -> (i64, i64) {
        let total = (self.target_date - self.baseline_date).num_days().max(1);
        let e = (t - self.baseline_date).num_days().clamp(0, total);
        (e, total)
    }
}

/// One quantified target of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanTarget {
    pub key: String,
    pub seq: i64,
    /// 专栏 and item, e.g. `专栏1-2`.
    pub section: String,
    pub name: String,
    pub name_en: String,
    pub unit: TargetUnit,
    pub attribute: Option<Attribute>,
    /// Ratios in millionths, counts as counts.
    pub baseline: Option<i64>,
    pub target: Option<i64>,
    pub target_year: i32,
    pub measure: Measure,
}

impl PlanTarget {
    pub fn name(&self, lang: Lang) -> &str {
        lang.pick(&self.name, &self.name_en)
    }
}

/// Progress of a manual target as staff recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressEntry {
    pub key: String,
    pub as_of: NaiveDate,
    /// Ratios in millionths, counts as counts.
    pub value: i64,
    pub evidence: String,
    pub entered_by: String,
    pub entered_at: String,
}

/// The district GDP growth of a year (indicator 1's target), as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GdpGrowth {
    pub area: String,
    pub year: i32,
    pub rate: Micro,
    pub source: String,
    pub entered_by: String,
    pub entered_at: String,
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
pub(crate) fn scaled(s: &str, scale: u32) -> Option<i64> {
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

/// Reads a target value: for ratios a percentage (`95%`, `95`) or fraction (`0.95`) within
/// 0–100 %; for counts a whole number ≥ 0.
pub fn parse_target_value(unit: TargetUnit, input: &str) -> Result<i64, RateError> {
    let s = normalize(input).replace([' ', ','], "");
    if s.is_empty() {
        return Err(RateError::Required);
    }
    match unit {
        TargetUnit::Count => {
            let n: i64 = s.parse().map_err(|_| RateError::NotARate)?;
            if !(0..=1_000_000_000).contains(&n) {
                return Err(RateError::Range {
                    min_percent: 0,
                    max_percent: 1_000_000_000,
                });
            }
            Ok(n)
        }
        TargetUnit::Ratio | TargetUnit::Growth => {
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
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rates() {
        assert_eq!(parse_rate("6.5%"), Ok(65_000));
        assert_eq!(parse_rate("0.065"), Ok(65_000));
        assert_eq!(parse_rate(" -2% "), Ok(-20_000));
        assert_eq!(parse_rate("０.０６"), Ok(60_000));
        assert_eq!(parse_rate(""), Err(RateError::Required));
        assert_eq!(parse_rate("abc"), Err(RateError::NotARate));
        assert_eq!(parse_rate("0.0000001"), Err(RateError::NotARate));
        assert!(matches!(parse_rate("6.5"), Err(RateError::Range { .. })));
        assert!(matches!(parse_rate("150%"), Err(RateError::Range { .. })));
    }

    #[test]
    fn target_values() {
        assert_eq!(parse_target_value(TargetUnit::Ratio, "95%"), Ok(950_000));
        assert_eq!(parse_target_value(TargetUnit::Ratio, "95"), Ok(950_000));
        assert_eq!(parse_target_value(TargetUnit::Ratio, "0.95"), Ok(950_000));
        assert_eq!(parse_target_value(TargetUnit::Ratio, "1"), Ok(1_000_000));
        assert!(parse_target_value(TargetUnit::Ratio, "101%").is_err());
        assert_eq!(parse_target_value(TargetUnit::Count, "1,200"), Ok(1200));
        assert!(parse_target_value(TargetUnit::Count, "-3").is_err());
        assert!(parse_target_value(TargetUnit::Count, "2.5").is_err());
    }

    #[test]
    fn percents() {
        assert_eq!(format_percent(990_000), "99%");
        assert_eq!(format_percent(989_796), "98.98%");
        assert_eq!(format_percent(440_000), "44%");
        assert_eq!(format_percent(65_000), "6.5%");
        assert_eq!(format_percent(-20_000), "-2%");
        assert_eq!(format_fraction(0.989_795_918), "98.98%");
    }

    #[test]
    fn elapsed_share_is_clamped() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        let p = Plan {
            id: "p".into(),
            name: "p".into(),
            name_en: "p".into(),
            baseline_date: d(2020, 12, 31),
            target_date: d(2025, 12, 31),
            source: String::new(),
        };
        assert_eq!(p.elapsed(d(2019, 1, 1)), (0, 1826));
        assert_eq!(p.elapsed(d(2020, 12, 31)), (0, 1826));
        assert_eq!(p.elapsed(d(2023, 7, 2)), (913, 1826));
        assert_eq!(p.elapsed(d(2026, 12, 1)), (1826, 1826));
    }

    proptest! {
        #[test]
        fn rate_parser_never_panics_and_round_trips(s in "\\PC{0,12}", v in -1_000_000i64..=1_000_000) {
            let _ = parse_rate(&s);
            let _ = parse_target_value(TargetUnit::Ratio, &s);
            let _ = parse_target_value(TargetUnit::Count, &s);
            let frac = format!("{}{}.{:06}", if v < 0 { "-" } else { "" }, v.abs() / MICRO, v.abs() % MICRO);
            prop_assert_eq!(parse_rate(&frac), Ok(v));
        }
    }
}
