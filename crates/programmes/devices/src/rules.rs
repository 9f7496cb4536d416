//! The rules of assistive devices, without HTTP or SQL: the catalogue's items, who an item
//! suits, the subsidy of a fitting (in full for the households of the full-subsidy statuses,
//! else the ratio parameter; never more than the item's price cap), the loan's due date and
//! renewal, and what is overdue.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use zhucan_domain::area::AreaCode;
use zhucan_domain::coded_enum;
use zhucan_domain::disability::Category;
use zhucan_domain::lang::Lang;
use zhucan_domain::person::EconomicStatus;
use zhucan_domain::policy::{ParamEntry, ParamKey, ParamValue, Policy};
use zhucan_domain::ratio::{MICRO, Micro};

coded_enum! {
    /// How an item is subsidised.
    pub enum Mode {
        InKind = ("in_kind", "实物适配", "in kind"),
        Cash = ("cash", "现金补贴（凭发票）", "cash subsidy against an invoice"),
    }
}

coded_enum! {
    /// A stock item's condition.
    pub enum Condition {
        Good = ("good", "完好", "good"),
        Fair = ("fair", "可用（有磨损）", "fair (worn)"),
        Repair = ("repair", "维修中", "in repair"),
        Retired = ("retired", "已报废", "retired"),
    }
}

impl Condition {
    /// Whether an item in this condition may be lent.
    pub fn lendable(self) -> bool {
        matches!(self, Condition::Good | Condition::Fair)
    }
}

coded_enum! {
    /// A case's status.
    pub enum Status {
        Assessed = ("assessed", "已评估，待审批", "assessed, to approve"),
        Approved = ("approved", "已审批，待适配", "approved, to fit"),
        Fitted = ("fitted", "已适配，待回访", "fitted, to follow up"),
        Followed = ("followed", "已回访", "followed up"),
        Rejected = ("rejected", "不予适配", "rejected"),
    }
}

coded_enum! {
    /// The kind of an item in the catalogue (its shelf).
    pub enum Kind {
        Mobility = ("mobility", "移动辅具", "mobility"),
        Daily = ("daily", "生活自理辅具", "daily living"),
        Hearing = ("hearing", "听力辅具", "hearing"),
        Visual = ("visual", "视力辅具", "visual"),
        Rehab = ("rehab", "康复训练辅具", "rehabilitation training"),
    }
}

/// A new item's key: 2 to 40 of `a-z`, `0-9` and `_`, starting with a letter (it names the
/// item in the records, the service-end answers and the API, so it never changes).
pub fn valid_key(k: &str) -> bool {
    (2..=40).contains(&k.len())
        && k.starts_with(|c: char| c.is_ascii_lowercase())
        && k.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The disability categories an item suits, typed as keys or labels separated by commas or
/// `、` (empty: any category); `Err` with the part that is not a category.
pub fn parse_suits(s: &str) -> Result<Vec<Category>, String> {
    let mut out = Vec::new();
    for part in s.split([',', '，', '、', ';', '；']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let c = Category::parse(part).ok_or_else(|| part.to_string())?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out.sort();
    Ok(out)
}

/// An item of the catalogue (辅具目录).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub key: String,
    pub label: String,
    pub label_en: String,
    /// mobility, daily, hearing, visual, rehab.
    pub category: String,
    /// The disability categories it suits (empty: any).
    pub disabilities: Vec<Category>,
    pub mode: Mode,
    pub cap_fen: i64,
    pub loanable: bool,
    pub loan_days: i64,
    /// How many times a loan may be renewed (each by `loan_days`).
    pub max_renewals: i64,
    pub followup_days: i64,
}

impl Item {
    pub fn label(&self, lang: Lang) -> &str {
        lang.pick(&self.label, &self.label_en)
    }

    /// Whether it suits a person of this disability category.
    pub fn suits(&self, c: Category) -> bool {
        self.disabilities.is_empty() || self.disabilities.contains(&c)
    }
}

/// The parameters in force for an area on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub full_statuses: Vec<EconomicStatus>,
    pub ratio: Micro,
}

impl Terms {
    /// The parameters in force, or the first missing one.
    pub fn resolve(policy: &Policy, area: &AreaCode, day: NaiveDate) -> Result<Terms, ParamKey> {
        let v = |k| policy.at(k, area, day).map(|e| &e.value).ok_or(k);
        let full_statuses = match v(ParamKey::DeviceFullStatuses)? {
            ParamValue::Statuses(s) => s.clone(),
            _ => return Err(ParamKey::DeviceFullStatuses),
        };
        let ratio = match v(ParamKey::DeviceSubsidyRatio)? {
            ParamValue::Ratio(r) => *r,
            _ => return Err(ParamKey::DeviceSubsidyRatio),
        };
        Ok(Terms {
            full_statuses,
            ratio,
        })
    }

    /// The ratio for a household of `status`.
    pub fn ratio_for(&self, status: Option<EconomicStatus>) -> Micro {
        match status {
            Some(s) if self.full_statuses.contains(&s) => MICRO,
            _ => self.ratio,
        }
    }

    /// The subsidy of a fitting: the ratio of the price (the invoice for a cash subsidy, the
    /// cap for an item given in kind), never above the item's cap.
    pub fn subsidy_fen(&self, item: &Item, status: Option<EconomicStatus>, price_fen: i64) -> i64 {
        zhucan_domain::ratio::apply(price_fen.clamp(0, item.cap_fen), self.ratio_for(status))
    }

    /// Why that ratio, in words (kept with the fitting).
    pub fn basis(&self, status: Option<EconomicStatus>, lang: Lang) -> String {
        let pct = zhucan_domain::ratio::format_percent(self.ratio_for(status));
        match (status, lang) {
            (Some(s), Lang::Zh) => format!("家庭经济状况：{}，补贴 {pct}", s.label(lang)),
            (Some(s), Lang::En) => format!("household status: {}, subsidy {pct}", s.label(lang)),
            (None, Lang::Zh) => format!("家庭经济状况未登记，补贴 {pct}"),
            (None, Lang::En) => format!("household status not recorded, subsidy {pct}"),
        }
    }
}

/// The day a loan or follow-up of `days` from `from` falls due.
pub fn due_after(from: NaiveDate, days: i64) -> NaiveDate {
    from.checked_add_days(Days::new(days.max(0).unsigned_abs()))
        .unwrap_or(NaiveDate::MAX)
}

/// Whether a loan is overdue on `day`: out, and its due date passed.
pub fn overdue(due_on: NaiveDate, returned_on: Option<NaiveDate>, day: NaiveDate) -> bool {
    returned_on.is_none() && due_on < day
}

/// Whether an overdue loan should be reminded on `day`: never reminded, or last reminded a
/// week or more ago.
pub fn remind(
    due_on: NaiveDate,
    returned_on: Option<NaiveDate>,
    reminded_on: Option<NaiveDate>,
    day: NaiveDate,
) -> bool {
    overdue(due_on, returned_on, day) && reminded_on.is_none_or(|r| due_after(r, 7) <= day)
}

/// The default catalogue (seeded with the programme's tables; staff keep it as data).
pub fn default_items() -> Vec<Item> {
    use Category::*;
    let i = |key: &str,
             label: &str,
             label_en: &str,
             category: &str,
             disabilities: Vec<Category>,
             mode: Mode,
             cap_yuan: i64,
             loan_days: i64| Item {
        key: key.into(),
        label: label.into(),
        label_en: label_en.into(),
        category: category.into(),
        disabilities,
        mode,
        cap_fen: cap_yuan * 100,
        loanable: loan_days > 0,
        loan_days,
        max_renewals: if loan_days > 0 { 2 } else { 0 },
        followup_days: 30,
    };
    vec![
        i(
            "wheelchair",
            "轮椅",
            "wheelchair",
            "mobility",
            vec![Physical, Multiple],
            Mode::InKind,
            1500,
            90,
        ),
        i(
            "walker",
            "助行器",
            "walker",
            "mobility",
            vec![Physical, Multiple, Visual],
            Mode::InKind,
            300,
            90,
        ),
        i(
            "crutches",
            "拐杖",
            "crutches",
            "mobility",
            vec![Physical],
            Mode::InKind,
            200,
            60,
        ),
        i(
            "commode_chair",
            "坐便椅",
            "commode chair",
            "daily",
            vec![],
            Mode::InKind,
            400,
            90,
        ),
        i(
            "nursing_bed",
            "护理床",
            "nursing bed",
            "daily",
            vec![Physical, Multiple, Intellectual, Mental],
            Mode::InKind,
            3000,
            180,
        ),
        i(
            "hearing_aid",
            "助听器",
            "hearing aid",
            "hearing",
            vec![Hearing, Multiple],
            Mode::Cash,
            4000,
            0,
        ),
        i(
            "white_cane",
            "盲杖",
            "white cane",
            "visual",
            vec![Visual, Multiple],
            Mode::InKind,
            100,
            0,
        ),
        i(
            "magnifier",
            "助视器",
            "magnifier",
            "visual",
            vec![Visual, Multiple],
            Mode::InKind,
            800,
            0,
        ),
        i(
            "prosthesis",
            "假肢",
            "prosthesis",
            "mobility",
            vec![Physical],
            Mode::Cash,
            10000,
            0,
        ),
    ]
}

/// The default parameters (seeded for the district).
pub fn default_params(district: &AreaCode) -> Vec<ParamEntry> {
    let e = |key, value| ParamEntry::plan_default(key, district, value);
    vec![
        e(
            ParamKey::DeviceFullStatuses,
            ParamValue::Statuses(vec![EconomicStatus::Dibao, EconomicStatus::Tekun]),
        ),
        e(ParamKey::DeviceSubsidyRatio, ParamValue::Ratio(MICRO / 2)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn terms() -> Terms {
        let district = AreaCode::parse("331003").expect("area");
        Terms::resolve(
            &Policy::new(default_params(&district)),
            &district,
            d(2026, 3, 1),
        )
        .expect("terms")
    }

    fn item(key: &str) -> Item {
        default_items()
            .into_iter()
            .find(|i| i.key == key)
            .expect("item")
    }

    #[test]
    fn the_subsidy_is_full_for_dibao_and_tekun_and_the_ratio_for_others_under_the_cap() {
        let t = terms();
        let aid = item("hearing_aid");
        assert_eq!(
            t.subsidy_fen(&aid, Some(EconomicStatus::Dibao), 300_000),
            300_000
        );
        assert_eq!(
            t.subsidy_fen(&aid, Some(EconomicStatus::Tekun), 300_000),
            300_000
        );
        assert_eq!(t.subsidy_fen(&aid, None, 300_000), 150_000);
        assert_eq!(
            t.subsidy_fen(&aid, Some(EconomicStatus::Dibian), 300_000),
            150_000
        );
        // Over the cap: the cap is the price subsidised.
        assert_eq!(
            t.subsidy_fen(&aid, Some(EconomicStatus::Dibao), 900_000),
            400_000
        );
        assert_eq!(t.subsidy_fen(&aid, None, 900_000), 200_000);
        assert!(
            t.basis(Some(EconomicStatus::Dibao), Lang::Zh)
                .contains("100%")
        );
    }

    #[test]
    fn new_items_have_plain_keys_and_named_categories() {
        assert!(valid_key("bath_chair2"));
        for bad in [
            "",
            "a",
            "Bath",
            "2chair",
            "bath-chair",
            "轮椅",
            &"a".repeat(41),
        ] {
            assert!(!valid_key(bad), "{bad}");
        }
        assert_eq!(
            parse_suits("肢体、多重, visual"),
            Ok(vec![
                Category::Visual,
                Category::Physical,
                Category::Multiple
            ])
            .map(|mut v: Vec<Category>| {
                v.sort();
                v
            })
        );
        assert_eq!(parse_suits(" "), Ok(vec![]));
        assert_eq!(parse_suits("肢体、飞行"), Err("飞行".to_string()));
        for it in default_items() {
            assert!(Kind::parse(&it.category).is_some(), "{}", it.category);
            assert!(valid_key(&it.key), "{}", it.key);
        }
    }

    #[test]
    fn items_suit_their_categories() {
        assert!(item("wheelchair").suits(Category::Physical));
        assert!(!item("wheelchair").suits(Category::Hearing));
        assert!(
            item("commode_chair").suits(Category::Speech),
            "any category"
        );
    }

    #[test]
    fn loans_fall_due_and_are_reminded_weekly() {
        let due = d(2026, 3, 31);
        assert!(!overdue(due, None, d(2026, 3, 31)));
        assert!(overdue(due, None, d(2026, 4, 1)));
        assert!(!overdue(due, Some(d(2026, 4, 2)), d(2026, 4, 5)));
        assert!(remind(due, None, None, d(2026, 4, 1)));
        assert!(!remind(due, None, Some(d(2026, 4, 1)), d(2026, 4, 7)));
        assert!(remind(due, None, Some(d(2026, 4, 1)), d(2026, 4, 8)));
        assert_eq!(due_after(d(2026, 1, 1), 90), d(2026, 4, 1));
    }

    proptest! {
        /// Any text reads as categories or names the part that is not one, without a panic;
        /// the keys of what was read read back as the same categories.
        #[test]
        fn suits_never_panic_and_round_trip(s in "\\PC{0,40}") {
            if let Ok(c) = parse_suits(&s) {
                let keys = c.iter().map(|c| c.key()).collect::<Vec<_>>().join(",");
                prop_assert_eq!(parse_suits(&keys), Ok(c));
            }
        }

        /// A subsidy is never negative, never above the price, never above the cap.
        #[test]
        fn subsidy_bounds(price in -1_000_000i64..10_000_000, full in proptest::bool::ANY) {
            let t = terms();
            let it = item("wheelchair");
            let st = full.then_some(EconomicStatus::Dibao);
            let s = t.subsidy_fen(&it, st, price);
            prop_assert!(s >= 0);
            prop_assert!(s <= it.cap_fen);
            prop_assert!(s <= price.max(0));
        }
    }
}
