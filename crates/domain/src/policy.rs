//! Policy parameters as versioned data (`policy.md`): every amount, ratio and threshold of the
//! two subsidies has an area, an effective date, a source document and an author. The value in
//! force for an area on a day is the one of the most specific area (village → township →
//! district) with the latest effective date on or before that day.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::area::AreaCode;
use crate::coded_enum;
use crate::disability::{Category, Grade};
use crate::ids::normalize;
use crate::lang::{Lang, Localized};
use crate::person::EconomicStatus;
use crate::ratio::{MICRO, Micro, format_percent};

coded_enum! {
    /// Which parameter.
    pub enum ParamKey {
        DibaoStandard = ("dibao_standard", "低保标准（元/月）", "minimum living standard (yuan a month)"),
        LivingRatio = ("living_ratio", "生活补贴比例（占低保标准）", "living subsidy ratio (of the standard)"),
        LivingStatuses = ("living_statuses", "生活补贴对象家庭经济状况", "household statuses eligible for the living subsidy"),
        NursingTiers = ("nursing_tiers", "护理补贴档次（等级:类别:元/月）", "nursing subsidy tiers (grade:category:yuan a month)"),
        ResidentialUplift = ("residential_uplift", "机构托养护理补贴上浮比例", "uplift for approved residential care"),
        TekunMultiplier = ("tekun_multiplier", "特困供养标准倍数（不低于低保标准的倍数）", "特困 support as a multiple of the standard"),
        MarginalRatio = ("marginal_ratio", "低边认定比例（人均收入不超过低保标准的倍数）", "低边 threshold as a multiple of the standard"),
        EmploymentDisregardYears = ("employment_disregard_years", "就业收入不计入年限", "years earned income is disregarded"),
        EmploymentTaperYears = ("employment_taper_years", "就业收入渐退期（年）", "taper years of earned income"),
        HomemodStatuses = ("homemod_statuses", "无障碍改造对象家庭经济状况", "household statuses eligible for home modification"),
        HomemodPeriodYears = ("homemod_period_years", "同一家庭再次改造间隔（年）", "years before a household may be modified again"),
        HomemodHouseholdCap = ("homemod_household_cap", "无障碍改造每户补助上限（元）", "home modification subsidy cap per household (yuan)"),
        HomemodSubsidyRatio = ("homemod_subsidy_ratio", "无障碍改造补助比例（占验收费用）", "home modification subsidy ratio (of the accepted cost)"),
        RehabChildMonthly = ("rehab_child_monthly", "残疾儿童康复补助（元/人·月）", "child rehabilitation subsidy (yuan a child a month)"),
        RehabChildAgeLimit = ("rehab_child_age_limit", "儿童康复救助年龄上限（周岁，不含）", "child rehabilitation age limit (years, exclusive)"),
        DeviceFullStatuses = ("device_full_statuses", "辅具全额补贴对象家庭经济状况", "household statuses whose devices are subsidised in full"),
        DeviceSubsidyRatio = ("device_subsidy_ratio", "辅具补贴比例（其他对象）", "device subsidy ratio (everyone else)"),
        EmploymentQuotaRatio = ("employment_quota_ratio", "按比例安排残疾人就业的比例（占在职职工）", "quota of disabled employees (of the staff)"),
        EmploymentReducedThreshold = ("employment_reduced_threshold", "保障金分档减缴的安排比例界限", "placement ratio dividing the two reduced levy shares"),
        EmploymentShareAbove = ("employment_share_above", "安排比例达到界限但未达规定比例的缴纳比例", "levy share to pay at or above that ratio but under the quota"),
        EmploymentShareBelow = ("employment_share_below", "安排比例低于界限的缴纳比例", "levy share to pay under that ratio"),
        EmploymentExemptStaff = ("employment_exempt_staff", "免征保障金的在职职工人数（含）以下", "staff at or under which the levy is not charged"),
        EmploymentLocalAverageWage = ("employment_local_average_wage", "当地社会平均工资（元/年）", "local average wage (yuan a year)"),
        EmploymentWageCapMultiple = ("employment_wage_cap_multiple", "保障金计征工资上限（当地社会平均工资的倍数）", "levy wage cap (multiple of the local average wage)"),
        EmploymentMinimumWage = ("employment_minimum_wage", "最低工资标准（元/月）", "minimum wage (yuan a month)"),
        EmploymentReward = ("employment_reward", "超比例安排奖励（元/人·年）", "reward per disabled employee over the quota (yuan a year)"),
        EmploymentMinContractMonths = ("employment_min_contract_months", "计入安排的劳动合同最短期限（月）", "shortest contract that counts (months)"),
        EmploymentSevereDouble = ("employment_severe_double", "一、二级残疾职工按两人计算", "a grade 1–2 employee counts as two"),
    }
}

impl ParamKey {
    /// The programme whose rules read the parameter (its key): the policy pages group by it.
    pub fn programme(self) -> &'static str {
        match self {
            ParamKey::HomemodStatuses
            | ParamKey::HomemodPeriodYears
            | ParamKey::HomemodHouseholdCap
            | ParamKey::HomemodSubsidyRatio => "homemod",
            ParamKey::RehabChildMonthly | ParamKey::RehabChildAgeLimit => "rehab",
            ParamKey::DeviceFullStatuses | ParamKey::DeviceSubsidyRatio => "devices",
            ParamKey::EmploymentQuotaRatio
            | ParamKey::EmploymentReducedThreshold
            | ParamKey::EmploymentShareAbove
            | ParamKey::EmploymentShareBelow
            | ParamKey::EmploymentExemptStaff
            | ParamKey::EmploymentLocalAverageWage
            | ParamKey::EmploymentWageCapMultiple
            | ParamKey::EmploymentMinimumWage
            | ParamKey::EmploymentReward
            | ParamKey::EmploymentMinContractMonths
            | ParamKey::EmploymentSevereDouble => "employment",
            _ => "subsidies",
        }
    }
}

impl ParamKey {
    /// The subsidy parameters a rule reads: exactly those `zhucan_subsidies::rules::InForce::resolve` takes
    /// (no other code reads a parameter by key). The others — the 特困 multiple, the 低边
    /// threshold and the earned-income disregard and taper — are kept as versioned records
    /// for the day civil affairs' assessments are modelled (`DECISIONS.md`, "Not modelled"):
    /// changing them changes no decision, payroll or what-if.
    pub const READ_BY_RULES: [ParamKey; 5] = [
        ParamKey::DibaoStandard,
        ParamKey::LivingRatio,
        ParamKey::LivingStatuses,
        ParamKey::NursingTiers,
        ParamKey::ResidentialUplift,
    ];

    /// Whether a rule reads this parameter (see [`ParamKey::READ_BY_RULES`]).
    pub fn read_by_rules(self) -> bool {
        Self::READ_BY_RULES.contains(&self)
    }
}

/// One nursing tier: a grade, a category (or any), an amount. A 多重 certificate matches a
/// category through its components.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    pub grade: Grade,
    /// `None`: any category.
    pub category: Option<Category>,
    pub amount_fen: i64,
}

impl Tier {
    /// Whether a certificate of `grade`, `category` (with `components`) falls in this tier.
    pub fn matches(&self, grade: Grade, category: Category, components: &[Category]) -> bool {
        self.grade == grade
            && match self.category {
                None => true,
                Some(c) => {
                    c == category || (category == Category::Multiple && components.contains(&c))
                }
            }
    }
}

/// A typed parameter value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum ParamValue {
    /// An amount in fen.
    Fen(i64),
    /// A ratio in millionths.
    Ratio(Micro),
    Statuses(Vec<EconomicStatus>),
    Tiers(Vec<Tier>),
    Years(i64),
    /// A whole number of something else (staff, months).
    Count(i64),
    /// Yes or no.
    Flag(bool),
}

impl ParamValue {
    /// The storage text (parsed back by [`parse_value`]).
    pub fn text(&self) -> String {
        match self {
            ParamValue::Fen(f) => crate::parse::fen_to_yuan(*f),
            ParamValue::Ratio(r) => format_percent(*r),
            ParamValue::Statuses(v) => v.iter().map(|s| s.zh()).collect::<Vec<_>>().join("、"),
            ParamValue::Tiers(v) => v
                .iter()
                .map(|t| {
                    format!(
                        "{}:{}:{}",
                        t.grade.digit(),
                        t.category.map(|c| c.zh()).unwrap_or("*"),
                        crate::parse::fen_to_yuan(t.amount_fen)
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
            ParamValue::Years(y) => y.to_string(),
            ParamValue::Count(n) => n.to_string(),
            ParamValue::Flag(b) => if *b { "是" } else { "否" }.into(),
        }
    }
}

/// Why a parameter value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{zh}")]
pub struct ParamError {
    pub zh: String,
    pub en: String,
}

impl Localized for ParamError {
    fn message(&self, lang: Lang) -> String {
        lang.pick(&self.zh, &self.en).to_string()
    }
}

fn err(zh: impl Into<String>, en: impl Into<String>) -> ParamError {
    ParamError {
        zh: zh.into(),
        en: en.into(),
    }
}

fn yuan(s: &str) -> Result<i64, ParamError> {
    crate::parse::parse_yuan_to_fen(s)
        .ok()
        .filter(|f| *f <= 100_000_000)
        .ok_or_else(|| {
            err(
                format!("“{s}”不是有效金额（元，最多两位小数，不超过 100 万）"),
                format!("“{s}” is not an amount in yuan (two decimals at most, up to 1 000 000)"),
            )
        })
}

/// Reads a value for `key` as staff write it: yuan (`1150`), a percentage (`30%` or `0.3`),
/// statuses (`低保、低边`), tiers (`1:*:300, 2:*:240, 3:智力:180`), years (`3`).
pub fn parse_value(key: ParamKey, input: &str) -> Result<ParamValue, ParamError> {
    let s = normalize(input);
    let s = s.trim();
    if s.is_empty() {
        return Err(err("必填", "is required"));
    }
    match key {
        ParamKey::DibaoStandard
        | ParamKey::HomemodHouseholdCap
        | ParamKey::RehabChildMonthly
        | ParamKey::EmploymentLocalAverageWage
        | ParamKey::EmploymentMinimumWage
        | ParamKey::EmploymentReward => Ok(ParamValue::Fen(yuan(s)?)),
        ParamKey::LivingRatio
        | ParamKey::ResidentialUplift
        | ParamKey::HomemodSubsidyRatio
        | ParamKey::DeviceSubsidyRatio
        | ParamKey::EmploymentQuotaRatio
        | ParamKey::EmploymentReducedThreshold
        | ParamKey::EmploymentShareAbove
        | ParamKey::EmploymentShareBelow => {
            let v = crate::ratio::parse_ratio(s).map_err(|_| {
                err(
                    format!("“{s}”不是有效比例（写 30% 或 0.3，0–100%）"),
                    format!("“{s}” is not a ratio (write 30% or 0.3, 0–100%)"),
                )
            })?;
            Ok(ParamValue::Ratio(v))
        }
        ParamKey::TekunMultiplier
        | ParamKey::MarginalRatio
        | ParamKey::EmploymentWageCapMultiple => {
            // A multiple: 1.3 or 130%.
            let v = match s.strip_suffix('%') {
                Some(p) => crate::ratio::scaled(p.trim(), 4),
                None => crate::ratio::scaled(s, 6),
            }
            .filter(|v| (0..=10 * MICRO).contains(v))
            .ok_or_else(|| {
                err(
                    format!("“{s}”不是有效倍数（写 1.3 或 130%）"),
                    format!("“{s}” is not a multiple (write 1.3 or 130%)"),
                )
            })?;
            Ok(ParamValue::Ratio(v))
        }
        ParamKey::LivingStatuses | ParamKey::HomemodStatuses | ParamKey::DeviceFullStatuses => {
            let mut out = Vec::new();
            for part in s
                .split([',', '，', '、', '/', ' '])
                .filter(|p| !p.is_empty())
            {
                let st = EconomicStatus::parse(part).ok_or_else(|| {
                    err(
                        format!("“{part}”不是家庭经济状况（{}）", EconomicStatus::choices()),
                        format!(
                            "“{part}” is not a household status ({})",
                            EconomicStatus::choices()
                        ),
                    )
                })?;
                if !out.contains(&st) {
                    out.push(st);
                }
            }
            Ok(ParamValue::Statuses(out))
        }
        ParamKey::NursingTiers => {
            let mut out = Vec::new();
            for part in s
                .split([',', '，', ';', '；'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                let bad = || {
                    err(
                        format!("“{part}”不是“等级:类别:金额”（如 1:*:300 或 3:智力:180）"),
                        format!(
                            "“{part}” is not grade:category:amount (e.g. 1:*:300 or 3:智力:180)"
                        ),
                    )
                };
                let mut f = part.split([':', '：']).map(str::trim);
                let (Some(g), Some(c), Some(a), None) = (f.next(), f.next(), f.next(), f.next())
                else {
                    return Err(bad());
                };
                let grade = Grade::parse(g).ok_or_else(bad)?;
                let category = match c {
                    "*" | "全部" | "any" => None,
                    c => Some(Category::parse(c).ok_or_else(bad)?),
                };
                out.push(Tier {
                    grade,
                    category,
                    amount_fen: yuan(a)?,
                });
            }
            if out.is_empty() {
                return Err(err("至少需要一个档次", "at least one tier is needed"));
            }
            Ok(ParamValue::Tiers(out))
        }
        ParamKey::EmploymentExemptStaff | ParamKey::EmploymentMinContractMonths => {
            let n = crate::parse::parse_int(s, 0, 100_000).map_err(|_| {
                err(
                    format!("“{s}”应为 0 到 100000 的整数"),
                    format!("“{s}” must be a whole number from 0 to 100000"),
                )
            })?;
            Ok(ParamValue::Count(n))
        }
        ParamKey::EmploymentSevereDouble => match s.to_lowercase().as_str() {
            "是" | "yes" | "y" | "true" | "1" => Ok(ParamValue::Flag(true)),
            "否" | "no" | "n" | "false" | "0" => Ok(ParamValue::Flag(false)),
            _ => Err(err(
                format!("“{s}”应为“是”或“否”"),
                format!("“{s}” must be yes or no"),
            )),
        },
        ParamKey::EmploymentDisregardYears
        | ParamKey::EmploymentTaperYears
        | ParamKey::HomemodPeriodYears
        | ParamKey::RehabChildAgeLimit => {
            let n = crate::parse::parse_int(s, 0, 20).map_err(|_| {
                err(
                    format!("“{s}”应为 0 到 20 的整数"),
                    format!("“{s}” must be a whole number from 0 to 20"),
                )
            })?;
            Ok(ParamValue::Years(n))
        }
    }
}

/// One version of a parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamEntry {
    /// The entry's number (the version), unique.
    pub id: i64,
    pub key: ParamKey,
    /// The area it applies to (and everything inside it).
    pub area: AreaCode,
    pub value: ParamValue,
    pub effective_from: NaiveDate,
    /// The document it comes from (文件).
    pub source: String,
    pub author: String,
    pub entered_at: String,
}

impl ParamEntry {
    /// A programme's default for the district, as its migration seeds it: in force from
    /// 2021-01-01 (the plan's first year), from the plan's document, by `system`.
    pub fn plan_default(key: ParamKey, district: &AreaCode, value: ParamValue) -> ParamEntry {
        ParamEntry {
            id: 0,
            key,
            area: district.clone(),
            value,
            effective_from: NaiveDate::from_ymd_opt(2021, 1, 1).unwrap_or(NaiveDate::MIN),
            source: "黄岩区残疾人事业发展“十四五”规划（示例值，以区残联文件为准）".into(),
            author: "system".into(),
            entered_at: String::new(),
        }
    }
}

/// Every version of every parameter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub entries: Vec<ParamEntry>,
}

impl Policy {
    pub fn new(mut entries: Vec<ParamEntry>) -> Policy {
        entries.sort_by_key(|e| (e.key, e.effective_from, e.id));
        Policy { entries }
    }

    /// The entry in force for `area` on `day`: the most specific area that has one, then the
    /// latest effective date (then the latest entry).
    pub fn at(&self, key: ParamKey, area: &AreaCode, day: NaiveDate) -> Option<&ParamEntry> {
        let mut a = Some(area.clone());
        while let Some(code) = a {
            if let Some(e) = self
                .entries
                .iter()
                .filter(|e| e.key == key && e.area == code && e.effective_from <= day)
                .max_by_key(|e| (e.effective_from, e.id))
            {
                return Some(e);
            }
            a = code.parent();
        }
        None
    }

    /// This policy with `extra` entries added on top (a what-if scenario); the added entries
    /// win over stored ones of the same key, area and date.
    pub fn with(&self, extra: &[ParamEntry]) -> Policy {
        let top = self.entries.iter().map(|e| e.id).max().unwrap_or(0);
        let mut entries = self.entries.clone();
        for (i, e) in extra.iter().enumerate() {
            let mut e = e.clone();
            e.id = top + 1 + i as i64;
            entries.push(e);
        }
        Policy::new(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn entry(id: i64, area: &str, from: NaiveDate, fen: i64) -> ParamEntry {
        ParamEntry {
            id,
            key: ParamKey::DibaoStandard,
            area: AreaCode::parse(area).expect("area"),
            value: ParamValue::Fen(fen),
            effective_from: from,
            source: String::new(),
            author: String::new(),
            entered_at: String::new(),
        }
    }

    #[test]
    fn the_value_in_force_is_the_most_specific_and_latest() {
        let p = Policy::new(vec![
            entry(1, "331003", d(2024, 7, 1), 108_000),
            entry(2, "331003", d(2025, 7, 1), 115_000),
            entry(3, "331003107", d(2025, 1, 1), 110_000),
            entry(4, "331003", d(2025, 7, 1), 116_000),
        ]);
        let t = AreaCode::parse("331003107201").expect("a");
        let v = |a: &AreaCode, day| {
            p.at(ParamKey::DibaoStandard, a, day)
                .map(|e| e.value.clone())
        };
        let district = AreaCode::parse("331003001").expect("a");
        assert_eq!(v(&district, d(2024, 6, 30)), None);
        assert_eq!(v(&district, d(2024, 7, 1)), Some(ParamValue::Fen(108_000)));
        // Two entries on the same day: the later one wins.
        assert_eq!(v(&district, d(2025, 7, 1)), Some(ParamValue::Fen(116_000)));
        // The township's own standard wins inside it.
        assert_eq!(v(&t, d(2025, 8, 1)), Some(ParamValue::Fen(110_000)));
        assert_eq!(v(&t, d(2024, 12, 31)), Some(ParamValue::Fen(108_000)));
        let s = p.with(&[entry(0, "331003", d(2026, 1, 1), 120_000)]);
        assert_eq!(
            s.at(ParamKey::DibaoStandard, &district, d(2026, 1, 1))
                .map(|e| e.value.clone()),
            Some(ParamValue::Fen(120_000))
        );
        assert_eq!(v(&district, d(2026, 1, 1)), Some(ParamValue::Fen(116_000)));
    }

    #[test]
    fn values_parse_as_staff_write_them() {
        assert_eq!(
            parse_value(ParamKey::DibaoStandard, "1150"),
            Ok(ParamValue::Fen(115_000))
        );
        assert_eq!(
            parse_value(ParamKey::DibaoStandard, "¥1,150.5"),
            Ok(ParamValue::Fen(115_050))
        );
        assert_eq!(
            parse_value(ParamKey::LivingRatio, "30%"),
            Ok(ParamValue::Ratio(300_000))
        );
        assert_eq!(
            parse_value(ParamKey::LivingRatio, "0.3"),
            Ok(ParamValue::Ratio(300_000))
        );
        assert_eq!(
            parse_value(ParamKey::TekunMultiplier, "1.3"),
            Ok(ParamValue::Ratio(1_300_000))
        );
        assert_eq!(
            parse_value(ParamKey::MarginalRatio, "150%"),
            Ok(ParamValue::Ratio(1_500_000))
        );
        assert_eq!(
            parse_value(ParamKey::LivingStatuses, "低保、低边"),
            Ok(ParamValue::Statuses(vec![
                EconomicStatus::Dibao,
                EconomicStatus::Dibian
            ]))
        );
        let tiers =
            parse_value(ParamKey::NursingTiers, "1:*:300, 2:*:240；3:智力:180").expect("tiers");
        let ParamValue::Tiers(t) = &tiers else {
            panic!("tiers")
        };
        assert_eq!(t.len(), 3);
        assert!(t[2].matches(Grade::Three, Category::Multiple, &[Category::Intellectual]));
        assert!(!t[2].matches(Grade::Three, Category::Physical, &[]));
        assert!(t[0].matches(Grade::One, Category::Physical, &[]));
        assert_eq!(
            parse_value(ParamKey::NursingTiers, &tiers.text()),
            Ok(tiers)
        );
        assert!(parse_value(ParamKey::NursingTiers, "5:*:300").is_err());
        assert!(parse_value(ParamKey::LivingStatuses, "富裕").is_err());
        assert!(parse_value(ParamKey::EmploymentDisregardYears, "30").is_err());
        assert!(parse_value(ParamKey::DibaoStandard, "").is_err());
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_text_round_trips(s in "\\PC{0,40}", fen in 0i64..10_000_000, r in 0i64..=1_000_000) {
            for k in ParamKey::ALL {
                let _ = parse_value(*k, &s);
            }
            let v = ParamValue::Fen(fen);
            prop_assert_eq!(parse_value(ParamKey::DibaoStandard, &v.text()), Ok(v));
            let v = ParamValue::Ratio(r - r % 100);
            prop_assert_eq!(parse_value(ParamKey::LivingRatio, &v.text()), Ok(v));
        }
    }
}
