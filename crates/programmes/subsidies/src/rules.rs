//! The two subsidies (两项补贴, `policy.md`): eligibility for one person and one month,
//! condition by condition, and the amount — written once, over typed facts, with the
//! parameters in force. Both the registry-wide pass and the one-person explanation call
//! [`decide`].
//!
//! Eligibility for a month is judged on its first day, with the survey values of that year: a
//! subsidy starts the month after the event that makes a person eligible and stops the month
//! after the event that ends it.

use serde::{Deserialize, Serialize};

use zhucan_domain::coded_enum;
use zhucan_domain::disability::{Category, Grade};
use zhucan_domain::lang::Lang;
use zhucan_domain::parse::{Month, fen_to_yuan};
use zhucan_domain::person::EconomicStatus;
use zhucan_domain::policy::{ParamEntry, ParamKey, ParamValue, Policy, Tier};
use zhucan_domain::ratio::{Micro, format_percent};

/// The rules' own version (the parameters have theirs): bump when the logic changes.
pub const RULESET: &str = "两项补贴规则 2026.1（国发〔2015〕52号，浙民福〔2021〕191号）";

coded_enum! {
    /// 两项补贴.
    pub enum Subsidy {
        Living = ("living", "困难残疾人生活补贴", "living subsidy"),
        Nursing = ("nursing", "重度残疾人护理补贴", "nursing subsidy"),
    }
}

coded_enum! {
    /// An allowance from another programme that bars a subsidy or competes with it.
    pub enum BenefitKind {
        WorkInjuryNursing = ("work_injury_nursing", "工伤保险生活护理费", "work-injury nursing allowance"),
        OrphanAllowance = ("orphan_allowance", "孤儿基本生活费", "orphans' allowance"),
        SameNeedLiving = ("same_need_living", "同类生活补助", "another living allowance for the same need"),
        SameNeedNursing = ("same_need_nursing", "同类护理补贴", "another nursing allowance for the same need"),
    }
}

/// An allowance a person draws, as recorded (by staff or a partner department's feed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Benefit {
    pub kind: BenefitKind,
    /// For same-need allowances: the monthly amount (择高 compares it).
    pub amount_fen: Option<i64>,
    pub since: Month,
    pub until: Option<Month>,
    pub source: String,
}

impl Benefit {
    pub fn covers(&self, m: Month) -> bool {
        self.since <= m && self.until.is_none_or(|u| u >= m)
    }
}

pub use zhucan_domain::disability::Categories;

/// What the rules need to know about one person for one month, as of the month's first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthFacts {
    /// The certificate was issued on or before the first day.
    pub certified: bool,
    pub revoked: bool,
    /// Valid-until is before the first day.
    pub expired: bool,
    /// Died on or before the first day.
    pub deceased: bool,
    /// Moved out of the district on or before the first day.
    pub moved_out: bool,
    pub grade: Grade,
    pub category: Category,
    pub components: Categories,
    /// The household's economic status in the survey values of the month's year, or as the
    /// civil-affairs roll says on the first day.
    pub economic: Option<EconomicStatus>,
    /// The effective date of the civil-affairs row that decided `economic` (none: the survey).
    pub economic_from: Option<chrono::NaiveDate>,
    /// In approved residential care (机构托养: care need 寄宿 and receiving care).
    pub residential_care: bool,
    pub work_injury_allowance: bool,
    pub orphan_allowance: bool,
    /// The highest same-need allowance in force, per subsidy.
    pub same_need_living_fen: Option<i64>,
    pub same_need_nursing_fen: Option<i64>,
    /// Enrolled for the month (the survey row of the month's year, or a decision).
    pub receiving_living: bool,
    pub receiving_nursing: bool,
}

impl MonthFacts {
    pub fn receiving(&self, s: Subsidy) -> bool {
        match s {
            Subsidy::Living => self.receiving_living,
            Subsidy::Nursing => self.receiving_nursing,
        }
    }
}

/// The parameters in force for one area on one day (what a decision depends on).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InForce {
    pub dibao_standard: Option<(i64, i64)>,
    pub living_ratio: Option<(i64, Micro)>,
    pub living_statuses: Option<(i64, Vec<EconomicStatus>)>,
    pub nursing_tiers: Option<(i64, Vec<Tier>)>,
    pub residential_uplift: Option<(i64, Micro)>,
}

impl InForce {
    /// The parameters in force for `area` on the first day of `month`.
    pub fn resolve(policy: &Policy, area: &zhucan_domain::area::AreaCode, month: Month) -> InForce {
        let day = month.first_day();
        let get = |k: ParamKey| policy.at(k, area, day);
        let fen = |e: Option<&ParamEntry>| match e.map(|e| (e.id, &e.value)) {
            Some((id, ParamValue::Fen(v))) => Some((id, *v)),
            _ => None,
        };
        let ratio = |e: Option<&ParamEntry>| match e.map(|e| (e.id, &e.value)) {
            Some((id, ParamValue::Ratio(v))) => Some((id, *v)),
            _ => None,
        };
        InForce {
            dibao_standard: fen(get(ParamKey::DibaoStandard)),
            living_ratio: ratio(get(ParamKey::LivingRatio)),
            living_statuses: match get(ParamKey::LivingStatuses).map(|e| (e.id, &e.value)) {
                Some((id, ParamValue::Statuses(v))) => Some((id, v.clone())),
                _ => None,
            },
            nursing_tiers: match get(ParamKey::NursingTiers).map(|e| (e.id, &e.value)) {
                Some((id, ParamValue::Tiers(v))) => Some((id, v.clone())),
                _ => None,
            },
            residential_uplift: ratio(get(ParamKey::ResidentialUplift)),
        }
    }

    /// The parameter versions a decision used.
    pub fn versions(&self, s: Subsidy) -> Vec<i64> {
        match s {
            Subsidy::Living => [
                self.dibao_standard.map(|x| x.0),
                self.living_ratio.map(|x| x.0),
                self.living_statuses.as_ref().map(|x| x.0),
            ]
            .into_iter()
            .flatten()
            .collect(),
            Subsidy::Nursing => [
                self.nursing_tiers.as_ref().map(|x| x.0),
                self.residential_uplift.map(|x| x.0),
            ]
            .into_iter()
            .flatten()
            .collect(),
        }
    }
}

coded_enum! {
    /// One condition of eligibility. The key is the reason code when it fails.
    pub enum Cond {
        Certified = ("not_certified", "已持证（发证日期不晚于当月 1 日）", "certified (issued on or before the first of the month)"),
        NotRevoked = ("certificate_revoked", "残疾人证未注销", "certificate not revoked"),
        NotExpired = ("certificate_expired", "残疾人证在有效期内", "certificate not expired"),
        Alive = ("deceased", "在世", "alive"),
        Resident = ("moved_out", "未迁出本区", "has not moved out of the district"),
        LowIncome = ("not_low_income", "家庭为低保或低边", "household is 低保 or 低边"),
        SevereCare = ("not_severe_care", "属于护理补贴对象（一、二级或三、四级智力、精神）", "in the nursing-subsidy categories (grade 1–2, or grade 3–4 intellectual or mental)"),
        NotTekun = ("tekun", "非特困供养人员", "not supported as 特困"),
        NoWorkInjury = ("work_injury_allowance", "未领取工伤保险生活护理费", "no work-injury nursing allowance"),
        NoOrphanAllowance = ("orphan_allowance", "未领取孤儿基本生活费", "no orphans' allowance"),
        NoHigherAllowance = ("higher_allowance", "没有更高的同类补贴（择高）", "no higher allowance for the same need"),
        PolicyInForce = ("no_policy", "当月有适用的政策参数", "the policy parameters are in force for the month"),
    }
}

impl Cond {
    fn bit(self) -> u16 {
        1 << (self as u16)
    }

    /// The conditions of a subsidy, in the order a clerk reads them.
    pub fn of(s: Subsidy) -> &'static [Cond] {
        match s {
            Subsidy::Living => &[
                Cond::Certified,
                Cond::NotRevoked,
                Cond::NotExpired,
                Cond::Alive,
                Cond::Resident,
                Cond::LowIncome,
                Cond::NotTekun,
                Cond::NoWorkInjury,
                Cond::NoOrphanAllowance,
                Cond::NoHigherAllowance,
                Cond::PolicyInForce,
            ],
            Subsidy::Nursing => &[
                Cond::Certified,
                Cond::NotRevoked,
                Cond::NotExpired,
                Cond::Alive,
                Cond::Resident,
                Cond::SevereCare,
                Cond::NotTekun,
                Cond::NoWorkInjury,
                Cond::NoHigherAllowance,
                Cond::PolicyInForce,
            ],
        }
    }
}

/// The decision for one subsidy: which conditions failed, the amount when eligible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub subsidy: Subsidy,
    /// Failed conditions (bits of [`Cond`]).
    pub failed: u16,
    /// The monthly amount the person is entitled to, when eligible.
    pub amount_fen: Option<i64>,
    pub receiving: bool,
}

impl Verdict {
    pub fn eligible(&self) -> bool {
        self.failed == 0
    }

    pub fn fails(&self, c: Cond) -> bool {
        self.failed & c.bit() != 0
    }

    /// The failed conditions, in order.
    pub fn failed_conditions(&self) -> Vec<Cond> {
        Cond::of(self.subsidy)
            .iter()
            .copied()
            .filter(|c| self.fails(*c))
            .collect()
    }

    pub fn finding(&self) -> Option<Finding> {
        match (self.eligible(), self.receiving) {
            (true, false) => Some(Finding::EligibleNotReceiving),
            (false, true) => Some(Finding::ReceivingNotEligible),
            _ => None,
        }
    }

    /// The reason codes of a finding: the failed conditions, or `not_enrolled`.
    pub fn reasons(&self) -> Vec<&'static str> {
        match self.finding() {
            Some(Finding::EligibleNotReceiving) => vec!["not_enrolled"],
            Some(Finding::ReceivingNotEligible) => {
                self.failed_conditions().iter().map(|c| c.key()).collect()
            }
            None => vec![],
        }
    }
}

coded_enum! {
    /// What the 应补尽补 audit finds.
    pub enum Finding {
        EligibleNotReceiving = ("eligible_not_receiving", "符合条件但未享受", "eligible, not receiving"),
        ReceivingNotEligible = ("receiving_not_eligible", "享受中但已不符合条件", "receiving, no longer eligible"),
    }
}

/// Rounds `a × r / 10⁶` to the nearest fen (half away from zero), in integers.
pub fn apply_ratio(a: i64, r: Micro) -> i64 {
    zhucan_domain::ratio::apply(a, r)
}

/// The nursing tier a certificate falls in (the first that matches).
pub fn tier_of<'a>(tiers: &'a [Tier], f: &MonthFacts) -> Option<&'a Tier> {
    tiers.iter().find(|t| {
        t.grade == f.grade
            && match t.category {
                None => true,
                Some(c) => {
                    c == f.category
                        || (f.category == Category::Multiple && f.components.contains(c))
                }
            }
    })
}

/// Decides one subsidy for one person and month.
pub fn decide(s: Subsidy, f: &MonthFacts, p: &InForce) -> Verdict {
    let mut failed = 0u16;
    let mut fail = |c: Cond, bad: bool| {
        if bad {
            failed |= c.bit();
        }
    };
    fail(Cond::Certified, !f.certified);
    fail(Cond::NotRevoked, f.revoked);
    fail(Cond::NotExpired, f.expired);
    fail(Cond::Alive, f.deceased);
    fail(Cond::Resident, f.moved_out);
    fail(Cond::NotTekun, f.economic == Some(EconomicStatus::Tekun));
    fail(Cond::NoWorkInjury, f.work_injury_allowance);
    let amount = match s {
        Subsidy::Living => {
            let statuses = p.living_statuses.as_ref().map(|x| x.1.as_slice());
            // 特困 has its own reason, not "lost low-income status".
            fail(
                Cond::LowIncome,
                f.economic != Some(EconomicStatus::Tekun)
                    && statuses.is_some_and(|st| !f.economic.is_some_and(|e| st.contains(&e))),
            );
            fail(Cond::NoOrphanAllowance, f.orphan_allowance);
            match (p.dibao_standard, p.living_ratio, statuses) {
                (Some((_, standard)), Some((_, ratio)), Some(_)) => {
                    Some(apply_ratio(standard, ratio))
                }
                _ => None,
            }
        }
        Subsidy::Nursing => match &p.nursing_tiers {
            Some((_, tiers)) => {
                let tier = tier_of(tiers, f);
                fail(Cond::SevereCare, tier.is_none());
                tier.map(|t| {
                    let uplift = match (f.residential_care, p.residential_uplift) {
                        (true, Some((_, u))) => apply_ratio(t.amount_fen, u),
                        _ => 0,
                    };
                    t.amount_fen + uplift
                })
            }
            None => None,
        },
    };
    let same_need = match s {
        Subsidy::Living => f.same_need_living_fen,
        Subsidy::Nursing => f.same_need_nursing_fen,
    };
    // 择高: another allowance for the same need that pays at least as much wins.
    fail(
        Cond::NoHigherAllowance,
        same_need.is_some_and(|o| amount.is_none_or(|a| o >= a)),
    );
    let policy_missing = match s {
        Subsidy::Living => amount.is_none(),
        Subsidy::Nursing => p.nursing_tiers.is_none(),
    };
    fail(Cond::PolicyInForce, policy_missing);
    Verdict {
        subsidy: s,
        failed,
        amount_fen: if failed == 0 { amount } else { None },
        receiving: f.receiving(s),
    }
}

/// One line of an explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionLine {
    pub code: &'static str,
    pub met: bool,
    pub text: String,
}

/// The explanation of a verdict in plain words, condition by condition.
pub fn explain(v: &Verdict, f: &MonthFacts, p: &InForce, lang: Lang) -> Vec<ConditionLine> {
    Cond::of(v.subsidy)
        .iter()
        .map(|&c| {
            let met = !v.fails(c);
            let fact = match (c, lang) {
                (Cond::LowIncome, _) | (Cond::NotTekun, _) => match (f.economic, f.economic_from) {
                    (Some(e), Some(on)) => crate::tf(
                        lang,
                        "status-from-civil-affairs-roll",
                        &[
                            ("status", e.label(lang).into()),
                            ("on", on.to_string().into()),
                        ],
                    ),
                    (Some(e), None) => format!("（{}）", e.label(lang)),
                    (None, _) => crate::t(lang, "no-household-status").into(),
                },
                (Cond::SevereCare, _) => match lang {
                    Lang::Zh => format!("（{}{}）", f.category.zh(), f.grade.zh()),
                    Lang::En => {
                        format!("({}, {})", f.category.label(lang), f.grade.label(lang))
                    }
                },
                _ => String::new(),
            };
            ConditionLine {
                code: c.key(),
                met,
                text: format!("{} {}{}", if met { "✓" } else { "✗" }, c.label(lang), fact),
            }
        })
        .chain(amount_line(v, f, p, lang))
        .collect()
}

fn amount_line(v: &Verdict, f: &MonthFacts, p: &InForce, lang: Lang) -> Option<ConditionLine> {
    let a = v.amount_fen?;
    let text = match v.subsidy {
        Subsidy::Living => {
            let (s, r) = (p.dibao_standard?.1, p.living_ratio?.1);
            match lang {
                Lang::Zh => format!(
                    "金额：低保标准 {} 元 × {} = {} 元/月",
                    fen_to_yuan(s),
                    format_percent(r),
                    fen_to_yuan(a)
                ),
                Lang::En => format!(
                    "Amount: standard ¥{} × {} = ¥{} a month",
                    fen_to_yuan(s),
                    format_percent(r),
                    fen_to_yuan(a)
                ),
            }
        }
        Subsidy::Nursing => {
            let base = p
                .nursing_tiers
                .as_ref()
                .and_then(|(_, t)| tier_of(t, f))?
                .amount_fen;
            let up = if f.residential_care {
                p.residential_uplift
                    .map(|(_, u)| match lang {
                        Lang::Zh => format!("，机构托养上浮 {}", format_percent(u)),
                        Lang::En => format!(", residential care +{}", format_percent(u)),
                    })
                    .unwrap_or_default()
            } else {
                String::new()
            };
            match lang {
                Lang::Zh => format!(
                    "金额：{}{} 档 {} 元{up} = {} 元/月",
                    f.category.zh(),
                    f.grade.zh(),
                    fen_to_yuan(base),
                    fen_to_yuan(a)
                ),
                Lang::En => format!(
                    "Amount: tier {} {} ¥{}{up} = ¥{} a month",
                    f.category.label(lang),
                    f.grade.label(lang),
                    fen_to_yuan(base),
                    fen_to_yuan(a)
                ),
            }
        }
    };
    Some(ConditionLine {
        code: "amount",
        met: true,
        text,
    })
}

/// The default parameters (`policy.md`'s example values), as entries of the district.
pub fn default_params(district: &zhucan_domain::area::AreaCode) -> Vec<ParamEntry> {
    use chrono::NaiveDate;
    let d = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(NaiveDate::MIN);
    let start = d(2016, 1);
    let e = |id: i64, key: ParamKey, value: ParamValue, from: NaiveDate, source: &str| ParamEntry {
        id,
        key,
        area: district.clone(),
        value,
        effective_from: from,
        source: source.into(),
        author: "system".into(),
        entered_at: String::new(),
    };
    let policy_doc = "国发〔2015〕52号；浙民福〔2021〕191号";
    let tiers = vec![
        Tier {
            grade: Grade::One,
            category: None,
            amount_fen: 30_000,
        },
        Tier {
            grade: Grade::Two,
            category: None,
            amount_fen: 24_000,
        },
        Tier {
            grade: Grade::Three,
            category: Some(Category::Intellectual),
            amount_fen: 18_000,
        },
        Tier {
            grade: Grade::Three,
            category: Some(Category::Mental),
            amount_fen: 18_000,
        },
        Tier {
            grade: Grade::Four,
            category: Some(Category::Intellectual),
            amount_fen: 18_000,
        },
        Tier {
            grade: Grade::Four,
            category: Some(Category::Mental),
            amount_fen: 18_000,
        },
    ];
    vec![
        e(
            1,
            ParamKey::DibaoStandard,
            ParamValue::Fen(115_000),
            start,
            "示例值：2025-07-01 前的低保标准未录入，暂按同值，请按历年文件补录",
        ),
        e(
            2,
            ParamKey::DibaoStandard,
            ParamValue::Fen(115_000),
            d(2025, 7),
            "示例值（policy.md）：¥1,150/月，自 2025-07-01 起",
        ),
        e(
            3,
            ParamKey::LivingRatio,
            ParamValue::Ratio(300_000),
            start,
            &format!("{policy_doc}（示例比例 30%）"),
        ),
        e(
            4,
            ParamKey::LivingStatuses,
            ParamValue::Statuses(vec![EconomicStatus::Dibao, EconomicStatus::Dibian]),
            start,
            policy_doc,
        ),
        e(
            5,
            ParamKey::NursingTiers,
            ParamValue::Tiers(tiers),
            start,
            &format!("{policy_doc}（示例档次）"),
        ),
        e(
            6,
            ParamKey::ResidentialUplift,
            ParamValue::Ratio(500_000),
            start,
            &format!("{policy_doc}（机构托养上浮 50%）"),
        ),
        e(
            7,
            ParamKey::TekunMultiplier,
            ParamValue::Ratio(1_300_000),
            start,
            "特困供养标准不低于低保标准的 1.3 倍",
        ),
        e(
            8,
            ParamKey::MarginalRatio,
            ParamValue::Ratio(1_500_000),
            start,
            "低边：人均收入不超过低保标准的 150%",
        ),
        e(
            9,
            ParamKey::EmploymentDisregardYears,
            ParamValue::Years(3),
            start,
            "低保家庭残疾人就业收入 3 年内不计入",
        ),
        e(
            10,
            ParamKey::EmploymentTaperYears,
            ParamValue::Years(1),
            start,
            "就业收入渐退期 1 年",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use zhucan_domain::area::AreaCode;

    fn base() -> MonthFacts {
        MonthFacts {
            certified: true,
            revoked: false,
            expired: false,
            deceased: false,
            moved_out: false,
            grade: Grade::Two,
            category: Category::Physical,
            components: Categories::default(),
            economic: Some(EconomicStatus::Dibao),
            economic_from: None,
            residential_care: false,
            work_injury_allowance: false,
            orphan_allowance: false,
            same_need_living_fen: None,
            same_need_nursing_fen: None,
            receiving_living: true,
            receiving_nursing: true,
        }
    }

    fn params() -> InForce {
        let district = AreaCode::parse("331003").expect("a");
        InForce::resolve(
            &Policy::new(default_params(&district)),
            &AreaCode::parse("331003107").expect("a"),
            Month::new(2025, 9).expect("m"),
        )
    }

    #[test]
    fn every_condition_and_boundary() {
        let p = params();
        type Case = (
            &'static str,
            fn(&mut MonthFacts),
            Option<i64>,
            Option<i64>,
            &'static [&'static str],
            &'static [&'static str],
        );
        // (case, change, living amount, nursing amount, living reasons, nursing reasons)
        let cases: &[Case] = &[
            (
                "eligible for both",
                |_| {},
                Some(34_500),
                Some(24_000),
                &[],
                &[],
            ),
            (
                "grade 1",
                |f| f.grade = Grade::One,
                Some(34_500),
                Some(30_000),
                &[],
                &[],
            ),
            (
                "grade 3 physical: no nursing",
                |f| f.grade = Grade::Three,
                Some(34_500),
                None,
                &[],
                &["not_severe_care"],
            ),
            (
                "grade 3 intellectual",
                |f| {
                    f.grade = Grade::Three;
                    f.category = Category::Intellectual
                },
                Some(34_500),
                Some(18_000),
                &[],
                &[],
            ),
            (
                "grade 4 mental",
                |f| {
                    f.grade = Grade::Four;
                    f.category = Category::Mental
                },
                Some(34_500),
                Some(18_000),
                &[],
                &[],
            ),
            (
                "grade 4 multiple with a mental component",
                |f| {
                    f.grade = Grade::Four;
                    f.category = Category::Multiple;
                    f.components = Categories::of(&[Category::Physical, Category::Mental])
                },
                Some(34_500),
                Some(18_000),
                &[],
                &[],
            ),
            (
                "grade 4 multiple without",
                |f| {
                    f.grade = Grade::Four;
                    f.category = Category::Multiple;
                    f.components = Categories::of(&[Category::Physical, Category::Hearing])
                },
                Some(34_500),
                None,
                &[],
                &["not_severe_care"],
            ),
            (
                "residential care +50%",
                |f| f.residential_care = true,
                Some(34_500),
                Some(36_000),
                &[],
                &[],
            ),
            (
                "低边",
                |f| f.economic = Some(EconomicStatus::Dibian),
                Some(34_500),
                Some(24_000),
                &[],
                &[],
            ),
            (
                "not low-income",
                |f| f.economic = Some(EconomicStatus::None),
                None,
                Some(24_000),
                &["not_low_income"],
                &[],
            ),
            (
                "no household status",
                |f| f.economic = None,
                None,
                Some(24_000),
                &["not_low_income"],
                &[],
            ),
            (
                "特困: neither",
                |f| f.economic = Some(EconomicStatus::Tekun),
                None,
                None,
                &["tekun"],
                &["tekun"],
            ),
            (
                "not yet certified on the 1st",
                |f| f.certified = false,
                None,
                None,
                &["not_certified"],
                &["not_certified"],
            ),
            (
                "revoked",
                |f| f.revoked = true,
                None,
                None,
                &["certificate_revoked"],
                &["certificate_revoked"],
            ),
            (
                "expired",
                |f| f.expired = true,
                None,
                None,
                &["certificate_expired"],
                &["certificate_expired"],
            ),
            (
                "died before the 1st",
                |f| f.deceased = true,
                None,
                None,
                &["deceased"],
                &["deceased"],
            ),
            (
                "moved out",
                |f| f.moved_out = true,
                None,
                None,
                &["moved_out"],
                &["moved_out"],
            ),
            (
                "work-injury nursing allowance: neither",
                |f| f.work_injury_allowance = true,
                None,
                None,
                &["work_injury_allowance"],
                &["work_injury_allowance"],
            ),
            (
                "orphan: nursing only",
                |f| f.orphan_allowance = true,
                None,
                Some(24_000),
                &["orphan_allowance"],
                &[],
            ),
            (
                "a higher same-need nursing allowance wins",
                |f| f.same_need_nursing_fen = Some(24_000),
                Some(34_500),
                None,
                &[],
                &["higher_allowance"],
            ),
            (
                "a lower one does not",
                |f| f.same_need_nursing_fen = Some(23_999),
                Some(34_500),
                Some(24_000),
                &[],
                &[],
            ),
            (
                "dead and 特困: every reason",
                |f| {
                    f.deceased = true;
                    f.economic = Some(EconomicStatus::Tekun)
                },
                None,
                None,
                &["deceased", "tekun"],
                &["deceased", "tekun"],
            ),
        ];
        for (name, change, living, nursing, lr, nr) in cases {
            let mut f = base();
            change(&mut f);
            let l = decide(Subsidy::Living, &f, &p);
            let n = decide(Subsidy::Nursing, &f, &p);
            assert_eq!(l.amount_fen, *living, "{name}: living amount");
            assert_eq!(n.amount_fen, *nursing, "{name}: nursing amount");
            assert_eq!(l.reasons(), lr.to_vec(), "{name}: living reasons");
            assert_eq!(n.reasons(), nr.to_vec(), "{name}: nursing reasons");
        }
    }

    #[test]
    fn findings_and_explanations() {
        let p = params();
        let mut f = base();
        f.receiving_living = false;
        let v = decide(Subsidy::Living, &f, &p);
        assert_eq!(v.finding(), Some(Finding::EligibleNotReceiving));
        assert_eq!(v.reasons(), vec!["not_enrolled"]);
        let lines = explain(&v, &f, &p, Lang::Zh);
        assert!(lines.iter().all(|l| l.met));
        assert!(
            lines
                .last()
                .is_some_and(|l| l.text.contains("1150.00") && l.text.contains("345.00"))
        );
        f.deceased = true;
        f.receiving_living = true;
        let v = decide(Subsidy::Living, &f, &p);
        assert_eq!(v.finding(), Some(Finding::ReceivingNotEligible));
        let lines = explain(&v, &f, &p, Lang::En);
        assert!(
            lines
                .iter()
                .any(|l| l.code == "deceased" && !l.met && l.text.starts_with('✗'))
        );
        assert!(lines.iter().all(|l| l.code != "amount"));
        // Nothing in force before the policy starts.
        let none = InForce::resolve(
            &Policy::new(default_params(&AreaCode::parse("331003").expect("a"))),
            &AreaCode::parse("331003").expect("a"),
            Month::new(2015, 12).expect("m"),
        );
        assert_eq!(
            decide(Subsidy::Living, &base(), &none).reasons(),
            vec!["no_policy"]
        );
    }

    #[test]
    fn ratios_round_to_the_fen() {
        assert_eq!(apply_ratio(115_000, 300_000), 34_500);
        assert_eq!(apply_ratio(115_001, 300_000), 34_500);
        assert_eq!(apply_ratio(115_002, 300_000), 34_501);
        assert_eq!(apply_ratio(24_000, 500_000), 12_000);
        assert_eq!(apply_ratio(-5, 500_000), -3);
    }

    /// The keys marked as read by a rule are exactly those whose value changes what
    /// `InForce::resolve` returns: each key's entries are removed from the default policy in
    /// turn and the resolved parameters compared.
    #[test]
    fn the_keys_read_by_rules_are_those_in_force_resolves() {
        let district = AreaCode::parse("331003").expect("area");
        let all = crate::rules::default_params(&district);
        assert!(
            ParamKey::ALL
                .iter()
                .filter(|k| k.programme() == "subsidies")
                .all(|k| all.iter().any(|e| e.key == *k)),
            "the default policy has every subsidy key"
        );
        let month = zhucan_domain::parse::Month::parse("2025-08").expect("month");
        let full = crate::rules::InForce::resolve(&Policy::new(all.clone()), &district, month);
        let read: Vec<ParamKey> = ParamKey::ALL
            .iter()
            .copied()
            .filter(|k| k.programme() == "subsidies")
            .filter(|k| {
                let without = all.iter().filter(|e| e.key != *k).cloned().collect();
                crate::rules::InForce::resolve(&Policy::new(without), &district, month) != full
            })
            .collect();
        assert_eq!(read, ParamKey::READ_BY_RULES);
        for k in ParamKey::ALL
            .iter()
            .filter(|k| k.programme() == "subsidies")
        {
            assert_eq!(k.read_by_rules(), read.contains(k), "{}", k.key());
        }
        assert!(!ParamKey::TekunMultiplier.read_by_rules());
        assert!(!ParamKey::MarginalRatio.read_by_rules());
        assert!(ParamKey::DibaoStandard.read_by_rules());
    }
}
