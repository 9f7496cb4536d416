//! The five-year plan (规划) as data: its period, its quantified targets (专栏1 indicators and
//! 专栏2–5 targets) and the progress staff record for targets the registry cannot compute.
//!
//! Ratios are held in millionths ([`Micro`]) so that comparing a coverage with its target is
//! exact integer arithmetic.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use zhucan_domain::coded_enum;
use zhucan_domain::ids::normalize;
use zhucan_domain::lang::Lang;
pub use zhucan_domain::ratio::{
    MICRO, Micro, RateError, format_fraction, format_percent, parse_rate, parse_ratio, scaled,
};

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
        TargetUnit::Ratio | TargetUnit::Growth => zhucan_domain::ratio::parse_ratio(&s),
    }
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
