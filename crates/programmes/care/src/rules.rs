//! The care programme's pure rules: the modes of care a stay may have, the reading of a
//! posted decision about an institution, and what a stay says about a day. No HTTP, no SQL.

use chrono::NaiveDate;
use zhucan_domain::institution::{Change, DecisionKind, Operator};
use zhucan_domain::person::CareNeed;

/// The modes of a stay (无 is no stay).
pub const MODES: [CareNeed; 3] = [CareNeed::Home, CareNeed::Day, CareNeed::Residential];

/// A mode by its key or label (居家、日间、寄宿 and their longer spellings); never 无.
pub fn mode(raw: &str) -> Option<CareNeed> {
    CareNeed::parse(raw).filter(|m| *m != CareNeed::None)
}

/// Why a posted decision cannot be read (the field named by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadValue {
    /// The kind needs a value and none was given.
    Missing,
    /// The value is not one of the kind's (yes/no, an operator, a whole number 0–100 000).
    Invalid,
}

/// The change a decision of `kind` with the posted `value` makes: yes/no for standardisation
/// and designation, an operator, a number of beds (empty: none stated); opening and closing
/// take no value.
pub fn change(kind: DecisionKind, value: &str) -> Result<Change, BadValue> {
    let v = value.trim();
    let flag = || match v {
        "" => Err(BadValue::Missing),
        "yes" | "是" | "true" => Ok(true),
        "no" | "否" | "false" => Ok(false),
        _ => Err(BadValue::Invalid),
    };
    Ok(match kind {
        DecisionKind::Standardized => Change::Standardized(flag()?),
        DecisionKind::Designated => Change::Designated(flag()?),
        DecisionKind::Operator => Change::Operator(match v {
            "" => return Err(BadValue::Missing),
            _ => Operator::parse(v).ok_or(BadValue::Invalid)?,
        }),
        DecisionKind::Beds => Change::Beds(match v {
            "" => None,
            _ => Some(
                v.parse::<i64>()
                    .ok()
                    .filter(|n| (0..=100_000).contains(n))
                    .ok_or(BadValue::Invalid)?,
            ),
        }),
        DecisionKind::Opened => Change::Opened,
        DecisionKind::Closed => Change::Closed,
    })
}

/// Whether a stay from `since` to `until` (its last day, inclusive) is in care on `d`.
pub fn in_care_on(since: NaiveDate, until: Option<NaiveDate>, d: NaiveDate) -> bool {
    since <= d && until.is_none_or(|u| u >= d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_read_their_values() {
        assert_eq!(
            change(DecisionKind::Standardized, "是"),
            Ok(Change::Standardized(true))
        );
        assert_eq!(
            change(DecisionKind::Designated, "no"),
            Ok(Change::Designated(false))
        );
        assert_eq!(
            change(DecisionKind::Standardized, ""),
            Err(BadValue::Missing)
        );
        assert_eq!(
            change(DecisionKind::Operator, "公建民营"),
            Ok(Change::Operator(Operator::PublicPrivate))
        );
        assert_eq!(change(DecisionKind::Operator, "某"), Err(BadValue::Invalid));
        assert_eq!(change(DecisionKind::Beds, "40"), Ok(Change::Beds(Some(40))));
        assert_eq!(change(DecisionKind::Beds, ""), Ok(Change::Beds(None)));
        assert_eq!(change(DecisionKind::Beds, "-1"), Err(BadValue::Invalid));
        assert_eq!(change(DecisionKind::Closed, "whatever"), Ok(Change::Closed));
    }

    #[test]
    fn a_stay_counts_from_its_first_to_its_last_day() {
        let d = |s: &str| s.parse::<NaiveDate>().expect("date");
        assert!(!in_care_on(d("2026-03-10"), None, d("2026-03-09")));
        assert!(in_care_on(d("2026-03-10"), None, d("2026-03-10")));
        assert!(in_care_on(
            d("2026-03-10"),
            Some(d("2026-04-30")),
            d("2026-04-30")
        ));
        assert!(!in_care_on(
            d("2026-03-10"),
            Some(d("2026-04-30")),
            d("2026-05-01")
        ));
        assert_eq!(mode("寄宿托养"), Some(CareNeed::Residential));
        assert_eq!(mode("无"), None);
    }
}
