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

    mod properties {
        use super::*;
        use proptest::prelude::*;

        const FLAGS: [(&str, bool); 6] = [
            ("yes", true),
            ("是", true),
            ("true", true),
            ("no", false),
            ("否", false),
            ("false", false),
        ];

        fn kind() -> impl Strategy<Value = DecisionKind> {
            proptest::sample::select(DecisionKind::ALL.to_vec())
        }

        proptest! {
            // Any text: a value, or Missing only for an empty required value, never a panic;
            // an opening or closing carries no value and takes any.
            #[test]
            fn any_text_is_a_value_or_a_named_refusal(k in kind(), v in "\\PC{0,12}") {
                match change(k, &v) {
                    Ok(c) => prop_assert_eq!(c.kind(), k),
                    Err(BadValue::Missing) => prop_assert!(v.trim().is_empty()),
                    Err(BadValue::Invalid) => prop_assert!(!v.trim().is_empty()),
                }
                if matches!(k, DecisionKind::Opened | DecisionKind::Closed) {
                    prop_assert!(change(k, &v).is_ok());
                }
            }

            // The accepted flags, with any surrounding blanks; any other word is refused.
            #[test]
            fn a_flag_is_one_of_six_words(i in 0usize..6, pad in "[ \\t]{0,3}", other in "[a-z]{1,6}") {
                let (word, b) = FLAGS[i];
                let padded = format!("{pad}{word}{pad}");
                prop_assert_eq!(change(DecisionKind::Standardized, &padded), Ok(Change::Standardized(b)));
                prop_assert_eq!(change(DecisionKind::Designated, &padded), Ok(Change::Designated(b)));
                if !FLAGS.iter().any(|(w, _)| *w == other) {
                    prop_assert_eq!(change(DecisionKind::Standardized, &other), Err(BadValue::Invalid));
                }
            }

            // Beds: a whole number 0..=100000 as written, anything else refused, blank unknown.
            #[test]
            fn beds_are_a_bounded_whole_number(n in -1_000i64..200_000) {
                let got = change(DecisionKind::Beds, &n.to_string());
                if (0..=100_000).contains(&n) {
                    prop_assert_eq!(got, Ok(Change::Beds(Some(n))));
                } else {
                    prop_assert_eq!(got, Err(BadValue::Invalid));
                }
            }

            // A stay covers exactly the days from its first to its last.
            #[test]
            fn a_stay_covers_its_days(a in 0i64..400, len in proptest::option::of(0i64..400), x in 0i64..900) {
                let base = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
                let since = base + chrono::Days::new(a as u64);
                let until = len.map(|l| since + chrono::Days::new(l as u64));
                let day = base + chrono::Days::new(x as u64);
                let expected = day >= since && until.is_none_or(|u| day <= u);
                prop_assert_eq!(in_care_on(since, until, day), expected);
            }
        }
    }
}
