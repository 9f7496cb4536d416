//! The rules of home modification (无障碍改造), without HTTP or SQL: who may have their home
//! modified (the household's economic status, once per rule period), the survey's items and
//! the quote against each item's price cap, and the subsidy of an accepted project.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use zhucan_domain::area::AreaCode;
use zhucan_domain::lang::Lang;
use zhucan_domain::parse::fen_to_yuan;
use zhucan_domain::person::EconomicStatus;
use zhucan_domain::policy::{ParamEntry, ParamKey, ParamValue, Policy};
use zhucan_domain::ratio::{MICRO, Micro};

/// The service of the catalogue whose applications are the programme's projects.
pub const SERVICE: &str = "home_modification";

/// The workflow steps of [`SERVICE`] by key (the catalogue's order).
pub mod step {
    pub const ACCEPT: &str = "accept";
    pub const SURVEY: &str = "survey";
    pub const WORKS: &str = "works";
    pub const DECIDE: &str = "decide";
}

/// A survey item of the catalogue (改造项目), with its price cap per unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub key: String,
    pub label: String,
    pub label_en: String,
    pub unit: String,
    pub unit_en: String,
    pub cap_fen: i64,
}

impl Item {
    pub fn label(&self, lang: Lang) -> &str {
        lang.pick(&self.label, &self.label_en)
    }

    pub fn unit(&self, lang: Lang) -> &str {
        lang.pick(&self.unit, &self.unit_en)
    }
}

/// The default items (seeded with the programme's tables; staff keep them as data).
pub fn default_items() -> Vec<Item> {
    let i = |key: &str, label: &str, label_en: &str, unit: &str, unit_en: &str, cap: i64| Item {
        key: key.into(),
        label: label.into(),
        label_en: label_en.into(),
        unit: unit.into(),
        unit_en: unit_en.into(),
        cap_fen: cap * 100,
    };
    vec![
        i("ramp", "坡道", "ramp", "处", "each", 2000),
        i("grab_bar", "扶手", "grab bar", "米", "metre", 200),
        i(
            "anti_slip",
            "防滑地面",
            "anti-slip floor",
            "平方米",
            "m²",
            150,
        ),
        i(
            "threshold",
            "门槛改造",
            "threshold removed",
            "处",
            "each",
            300,
        ),
        i("widened_door", "门加宽", "widened door", "处", "each", 1500),
        i(
            "lowered_stove",
            "低位灶台",
            "lowered stove",
            "处",
            "each",
            1500,
        ),
        i("shower_seat", "淋浴座椅", "shower seat", "件", "each", 400),
        i(
            "toilet_frame",
            "坐便扶架",
            "toilet frame",
            "件",
            "each",
            500,
        ),
        i(
            "flashing_doorbell",
            "闪光门铃",
            "flashing doorbell",
            "件",
            "each",
            300,
        ),
        i("other", "其他", "other", "项", "item", 2000),
    ]
}

/// One line of a survey: an item, how many, at what unit price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyLine {
    pub item: String,
    pub quantity: i64,
    pub unit_price_fen: i64,
}

impl SurveyLine {
    pub fn total_fen(&self) -> i64 {
        self.quantity.saturating_mul(self.unit_price_fen)
    }
}

/// The quote of a survey: the sum of its lines.
pub fn quote_fen(lines: &[SurveyLine]) -> i64 {
    lines.iter().map(SurveyLine::total_fen).sum()
}

/// The items of a survey in words ("坡道 1 处、扶手 3 米"), as the record's `items` column.
pub fn items_text(lines: &[SurveyLine], items: &[Item], lang: Lang) -> String {
    lines
        .iter()
        .map(|l| match items.iter().find(|i| i.key == l.item) {
            Some(i) => format!("{} {} {}", i.label(lang), l.quantity, i.unit(lang)),
            None => format!("{} {}", l.item, l.quantity),
        })
        .collect::<Vec<_>>()
        .join(if lang == Lang::Zh { "、" } else { ", " })
}

/// Why a survey line was refused (the field is `q_<item>` or `p_<item>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub field: String,
    pub zh: String,
    pub en: String,
}

impl LineError {
    pub fn message(&self, lang: Lang) -> String {
        lang.pick(&self.zh, &self.en).to_string()
    }
}

/// Reads one item's quantity and unit price as typed (both empty: the item is not in the
/// survey). The quantity is a whole number from 1 to 100, the price in yuan at most the item's
/// cap.
pub fn read_line(
    item: &Item,
    quantity: &str,
    price: &str,
) -> Result<Option<SurveyLine>, LineError> {
    let (q, p) = (quantity.trim(), price.trim());
    if q.is_empty() && p.is_empty() {
        return Ok(None);
    }
    let qf = format!("q_{}", item.key);
    let pf = format!("p_{}", item.key);
    let quantity = zhucan_domain::parse::parse_int(q, 1, 100).map_err(|_| LineError {
        field: qf.clone(),
        zh: format!("{}的数量“{q}”应为 1 到 100 的整数", item.label),
        en: format!(
            "the quantity of {} “{q}” must be a whole number from 1 to 100",
            item.label_en
        ),
    })?;
    let unit_price_fen = zhucan_domain::parse::parse_yuan_to_fen(p)
        .ok()
        .filter(|f| *f > 0)
        .ok_or_else(|| LineError {
            field: pf.clone(),
            zh: format!("{}的单价“{p}”不是有效金额（元，最多两位小数）", item.label),
            en: format!(
                "the unit price of {} “{p}” is not an amount in yuan (two decimals at most)",
                item.label_en
            ),
        })?;
    if unit_price_fen > item.cap_fen {
        return Err(LineError {
            field: pf,
            zh: format!(
                "{}的单价 {} 元超过限价 {} 元/{}",
                item.label,
                fen_to_yuan(unit_price_fen),
                fen_to_yuan(item.cap_fen),
                item.unit
            ),
            en: format!(
                "the unit price of {} ({} yuan) is over its cap of {} yuan a {}",
                item.label_en,
                fen_to_yuan(unit_price_fen),
                fen_to_yuan(item.cap_fen),
                item.unit_en
            ),
        });
    }
    Ok(Some(SurveyLine {
        item: item.key.clone(),
        quantity,
        unit_price_fen,
    }))
}

/// The parameters in force for an area on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub statuses: Vec<EconomicStatus>,
    pub period_years: i64,
    pub cap_fen: i64,
    pub ratio: Micro,
}

impl Terms {
    /// The parameters in force, or the first missing one.
    pub fn resolve(policy: &Policy, area: &AreaCode, day: NaiveDate) -> Result<Terms, ParamKey> {
        let v = |k| policy.at(k, area, day).map(|e| &e.value).ok_or(k);
        let statuses = match v(ParamKey::HomemodStatuses)? {
            ParamValue::Statuses(s) => s.clone(),
            _ => return Err(ParamKey::HomemodStatuses),
        };
        let period_years = match v(ParamKey::HomemodPeriodYears)? {
            ParamValue::Years(y) => *y,
            _ => return Err(ParamKey::HomemodPeriodYears),
        };
        let cap_fen = match v(ParamKey::HomemodHouseholdCap)? {
            ParamValue::Fen(f) => *f,
            _ => return Err(ParamKey::HomemodHouseholdCap),
        };
        let ratio = match v(ParamKey::HomemodSubsidyRatio)? {
            ParamValue::Ratio(r) => *r,
            _ => return Err(ParamKey::HomemodSubsidyRatio),
        };
        Ok(Terms {
            statuses,
            period_years,
            cap_fen,
            ratio,
        })
    }

    /// The subsidy of an accepted cost: the ratio of it, at most the household cap.
    pub fn subsidy_fen(&self, cost_fen: i64) -> i64 {
        zhucan_domain::ratio::apply(cost_fen.max(0), self.ratio).min(self.cap_fen)
    }
}

/// What eligibility looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household {
    /// The applicant's household economic status today (survey, with civil affairs' roll).
    pub economic: Option<EconomicStatus>,
    /// The latest modification accepted for any member of the household.
    pub last_done: Option<NaiveDate>,
}

/// The eligibility judgement, with its reasons in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    pub eligible: bool,
    pub reasons: Vec<(String, String)>,
}

impl Judgement {
    pub fn text(&self, lang: Lang) -> String {
        self.reasons
            .iter()
            .map(|(zh, en)| lang.pick(zh, en).to_string())
            .collect::<Vec<_>>()
            .join(if lang == Lang::Zh { "；" } else { "; " })
    }
}

/// Whether the household may have its home modified on `day`: its economic status is one of
/// the parameter's, and no modification was accepted for it within the rule period.
pub fn judge(terms: &Terms, h: &Household, day: NaiveDate) -> Judgement {
    let mut reasons = Vec::new();
    let mut eligible = true;
    let list_zh = terms
        .statuses
        .iter()
        .map(|s| s.zh())
        .collect::<Vec<_>>()
        .join("、");
    let list_en = terms
        .statuses
        .iter()
        .map(|s| s.label(Lang::En))
        .collect::<Vec<_>>()
        .join(", ");
    match h.economic {
        Some(s) if terms.statuses.contains(&s) => reasons.push((
            format!("家庭经济状况为{}（符合：{list_zh}）", s.zh()),
            format!(
                "household status {} (eligible: {list_en})",
                s.label(Lang::En)
            ),
        )),
        Some(s) => {
            eligible = false;
            reasons.push((
                format!("家庭经济状况为{}，不在改造对象（{list_zh}）之内", s.zh()),
                format!(
                    "household status {} is not among those eligible ({list_en})",
                    s.label(Lang::En)
                ),
            ));
        }
        None => {
            eligible = false;
            reasons.push((
                format!("没有家庭经济状况记录，无法认定为改造对象（{list_zh}）"),
                format!("no household status on file, so not shown eligible ({list_en})"),
            ));
        }
    }
    if let Some(last) = h.last_done {
        let until = add_years(last, terms.period_years);
        if day < until {
            eligible = false;
            reasons.push((
                format!(
                    "本户已于 {last} 完成改造，{} 年内不再重复改造（{until} 起可再申请）",
                    terms.period_years
                ),
                format!(
                    "the household's home was modified on {last}; not again within {} years (from {until})",
                    terms.period_years
                ),
            ));
        } else {
            reasons.push((
                format!("本户上次改造于 {last}，已满 {} 年", terms.period_years),
                format!(
                    "the household was last modified on {last}, {} years or more ago",
                    terms.period_years
                ),
            ));
        }
    }
    Judgement { eligible, reasons }
}

/// `d` plus `years` years (29 February to 28 February).
pub fn add_years(d: NaiveDate, years: i64) -> NaiveDate {
    let y = d
        .year()
        .saturating_add(i32::try_from(years).unwrap_or(i32::MAX / 2));
    NaiveDate::from_ymd_opt(y, d.month(), d.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, d.month(), 28))
        .unwrap_or(NaiveDate::MAX)
}

/// The default parameters (seeded with the programme's tables for the district).
pub fn default_params(district: &AreaCode) -> Vec<ParamEntry> {
    let e = |key, value| ParamEntry::plan_default(key, district, value);
    vec![
        e(
            ParamKey::HomemodStatuses,
            ParamValue::Statuses(vec![
                EconomicStatus::Dibao,
                EconomicStatus::Dibian,
                EconomicStatus::Tekun,
            ]),
        ),
        e(ParamKey::HomemodPeriodYears, ParamValue::Years(5)),
        e(ParamKey::HomemodHouseholdCap, ParamValue::Fen(1_000_000)),
        e(ParamKey::HomemodSubsidyRatio, ParamValue::Ratio(MICRO)),
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
            d(2026, 1, 1),
        )
        .expect("terms")
    }

    #[test]
    fn eligibility_follows_the_status_list_and_the_period() {
        let t = terms();
        let dibao = Household {
            economic: Some(EconomicStatus::Dibao),
            last_done: None,
        };
        assert!(judge(&t, &dibao, d(2026, 3, 1)).eligible);
        let none = Household {
            economic: Some(EconomicStatus::None),
            last_done: None,
        };
        let j = judge(&t, &none, d(2026, 3, 1));
        assert!(!j.eligible);
        assert!(
            j.text(Lang::Zh).contains("不在改造对象"),
            "{}",
            j.text(Lang::Zh)
        );
        let unknown = Household {
            economic: None,
            last_done: None,
        };
        assert!(!judge(&t, &unknown, d(2026, 3, 1)).eligible);
        // Once per five years: refused the day before, eligible on the anniversary.
        let done = Household {
            economic: Some(EconomicStatus::Tekun),
            last_done: Some(d(2021, 3, 1)),
        };
        let j = judge(&t, &done, d(2026, 2, 28));
        assert!(!j.eligible && j.text(Lang::Zh).contains("2026-03-01"));
        assert!(judge(&t, &done, d(2026, 3, 1)).eligible);
    }

    #[test]
    fn a_line_is_read_against_its_cap() {
        let items = default_items();
        let ramp = items.iter().find(|i| i.key == "ramp").expect("ramp");
        assert_eq!(read_line(ramp, "", " "), Ok(None));
        assert_eq!(
            read_line(ramp, "2", "1500"),
            Ok(Some(SurveyLine {
                item: "ramp".into(),
                quantity: 2,
                unit_price_fen: 150_000
            }))
        );
        let over = read_line(ramp, "1", "2000.01").expect_err("over the cap");
        assert_eq!(over.field, "p_ramp");
        assert!(over.zh.contains("超过限价 2000.00") || over.zh.contains("超过限价 2000"));
        assert_eq!(read_line(ramp, "0", "10").expect_err("qty").field, "q_ramp");
        assert_eq!(
            read_line(ramp, "1", "abc").expect_err("price").field,
            "p_ramp"
        );
        assert_eq!(read_line(ramp, "", "10").expect_err("qty").field, "q_ramp");
    }

    #[test]
    fn the_subsidy_is_the_ratio_of_the_cost_up_to_the_cap() {
        let mut t = terms();
        assert_eq!(t.subsidy_fen(500_000), 500_000);
        assert_eq!(t.subsidy_fen(2_000_000), 1_000_000);
        t.ratio = MICRO / 2;
        assert_eq!(t.subsidy_fen(300_001), 150_001);
    }

    #[test]
    fn add_years_keeps_the_day_or_ends_february() {
        assert_eq!(add_years(d(2024, 2, 29), 1), d(2025, 2, 28));
        assert_eq!(add_years(d(2021, 6, 30), 5), d(2026, 6, 30));
    }

    proptest! {
        #[test]
        fn the_subsidy_never_exceeds_the_cost_or_the_cap(cost in 0i64..100_000_000, ratio in 0i64..=MICRO) {
            let mut t = terms();
            t.ratio = ratio;
            let s = t.subsidy_fen(cost);
            prop_assert!(s >= 0 && s <= cost && s <= t.cap_fen);
        }
    }
}
