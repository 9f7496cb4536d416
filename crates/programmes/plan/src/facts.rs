//! The 14 indicators of 专栏1 (`indicators.md`) and the computable targets of 专栏2–5, for any
//! date and any area, in one pass over the snapshot.
//!
//! Every definition lives in [`Snapshot::classify`] (persons) and the institution/township
//! functions below; the pass, the drill-down and the per-township table all use them, so a
//! number and the people behind it cannot disagree.

use std::collections::HashMap;

use crate::rules::{Attribute, MICRO, Measure, Micro, Plan, PlanTarget, ProgressEntry, TargetUnit};
use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use zhucan_domain::area::{AreaCode, AreaKind, AreaLevel};
use zhucan_domain::disability::Grade;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::institution::{Institution, InstitutionKind};
use zhucan_domain::lang::Lang;
use zhucan_domain::person::{
    CareNeed, EconomicStatus, EmploymentStatus, Insurance, NotEmployedReason,
};

use zhucan_facts::snapshot::{NO_INCOME, NONE, P, S, Snapshot, day, month_no, receiving, ymd};

/// The 14 indicators, in the order of 专栏1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    IncomeGrowth,
    LivingSubsidyCoverage,
    NursingSubsidyCoverage,
    HomeOfDisabledCoverage,
    CareInstitutionCoverage,
    ChildRehabStandardized,
    PensionInsurance,
    MedicalInsurance,
    EmploymentRate,
    HighSchoolProgression,
    RehabCoverage,
    DeviceFitting,
    HomeModification,
    CultureSports,
}

/// The targets of 专栏2–5 that the registry answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ComputedTarget {
    /// 专栏2-6: severe, mental and intellectual disability needing institutional care (日间 or
    /// 寄宿) who receive it.
    CareInstitutionalShare,
    /// 专栏3-4: persons in quota, concentrated or self employment.
    EmployedQuotaConcentratedSelf,
    /// 专栏3-5: blind massage institutions open.
    BlindMassageInstitutions,
    /// 专栏5-8: active persons holding the smart card.
    SmartCardRate,
}

/// What the people (or places) behind a number are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Persons,
    Households,
    Townships,
    Institutions,
    District,
}

impl Indicator {
    pub const ALL: [Indicator; 14] = [
        Indicator::IncomeGrowth,
        Indicator::LivingSubsidyCoverage,
        Indicator::NursingSubsidyCoverage,
        Indicator::HomeOfDisabledCoverage,
        Indicator::CareInstitutionCoverage,
        Indicator::ChildRehabStandardized,
        Indicator::PensionInsurance,
        Indicator::MedicalInsurance,
        Indicator::EmploymentRate,
        Indicator::HighSchoolProgression,
        Indicator::RehabCoverage,
        Indicator::DeviceFitting,
        Indicator::HomeModification,
        Indicator::CultureSports,
    ];

    /// 1–14.
    pub fn id(self) -> u8 {
        self as u8 + 1
    }

    pub fn key(self) -> &'static str {
        match self {
            Indicator::IncomeGrowth => "income_growth",
            Indicator::LivingSubsidyCoverage => "living_subsidy_coverage",
            Indicator::NursingSubsidyCoverage => "nursing_subsidy_coverage",
            Indicator::HomeOfDisabledCoverage => "home_of_disabled_coverage",
            Indicator::CareInstitutionCoverage => "care_institution_coverage",
            Indicator::ChildRehabStandardized => "child_rehab_standardized",
            Indicator::PensionInsurance => "pension_insurance",
            Indicator::MedicalInsurance => "medical_insurance",
            Indicator::EmploymentRate => "employment_rate",
            Indicator::HighSchoolProgression => "high_school_progression",
            Indicator::RehabCoverage => "rehab_coverage",
            Indicator::DeviceFitting => "device_fitting",
            Indicator::HomeModification => "home_modification",
            Indicator::CultureSports => "culture_sports",
        }
    }

    pub fn from_key(key: &str) -> Option<Indicator> {
        Indicator::ALL.into_iter().find(|i| i.key() == key)
    }

    pub fn subject(self) -> Subject {
        match self {
            Indicator::IncomeGrowth | Indicator::HomeModification => Subject::Households,
            Indicator::HomeOfDisabledCoverage => Subject::Townships,
            Indicator::CareInstitutionCoverage => Subject::District,
            Indicator::ChildRehabStandardized => Subject::Institutions,
            _ => Subject::Persons,
        }
    }

    /// The person-count bit of a person indicator.
    fn bit(self) -> Option<usize> {
        Some(match self {
            Indicator::LivingSubsidyCoverage => B_LIVING,
            Indicator::NursingSubsidyCoverage => B_NURSING,
            Indicator::PensionInsurance => B_PENSION,
            Indicator::MedicalInsurance => B_MEDICAL,
            Indicator::EmploymentRate => B_EMPLOYMENT,
            Indicator::HighSchoolProgression => B_HIGH_SCHOOL,
            Indicator::RehabCoverage => B_REHAB,
            Indicator::DeviceFitting => B_DEVICE,
            Indicator::CultureSports => B_CULTURE,
            _ => return None,
        })
    }

    /// What the numerator and denominator count, for the page's explanations.
    pub fn describe(self, lang: Lang) -> (&'static str, &'static str) {
        use Indicator::*;
        match (self, lang) {
            (IncomeGrowth, Lang::Zh) => (
                "本年有收入记录的残疾人家庭（按户平均）",
                "上年有收入记录的残疾人家庭（按户平均）",
            ),
            (IncomeGrowth, Lang::En) => (
                "households with an income row this year (mean per household)",
                "households with an income row last year (mean per household)",
            ),
            (LivingSubsidyCoverage, Lang::Zh) => ("享受生活补贴", "低保、低边持证残疾人"),
            (LivingSubsidyCoverage, Lang::En) => (
                "receiving the living subsidy",
                "active persons in 低保 or 低边 households",
            ),
            (NursingSubsidyCoverage, Lang::Zh) => ("享受护理补贴", "重度（护理类）非特困残疾人"),
            (NursingSubsidyCoverage, Lang::En) => (
                "receiving the nursing subsidy",
                "severe-care persons not supported as 特困",
            ),
            (HomeOfDisabledCoverage, Lang::Zh) => (
                "建有规范化“残疾人之家”的乡镇（街道）",
                "街道、镇和万人以上的乡",
            ),
            (HomeOfDisabledCoverage, Lang::En) => (
                "townships with a standardized open home of the disabled",
                "街道, 镇 and 乡 of 10 000 people or more",
            ),
            (CareInstitutionCoverage, Lang::Zh) => ("有开放的专业托养机构", "全区"),
            (CareInstitutionCoverage, Lang::En) => (
                "an open professional care institution exists",
                "the district",
            ),
            (ChildRehabStandardized, Lang::Zh) => ("规范化", "定点且开放的儿童康复机构"),
            (ChildRehabStandardized, Lang::En) => (
                "standardized",
                "designated, open child rehabilitation institutions",
            ),
            (PensionInsurance, Lang::Zh) => ("参加基本养老保险", "16 周岁以上非在校残疾人"),
            (PensionInsurance, Lang::En) => (
                "enrolled in basic pension insurance",
                "active persons aged 16+ not in school",
            ),
            (MedicalInsurance, Lang::Zh) => ("参加基本医疗保险", "持证残疾人"),
            (MedicalInsurance, Lang::En) => {
                ("enrolled in basic medical insurance", "active persons")
            }
            (EmploymentRate, Lang::Zh) => (
                "已就业",
                "劳动年龄段（男 16–59、女 16–54）非在校、非退休、未丧失劳动能力的残疾人",
            ),
            (EmploymentRate, Lang::En) => (
                "employed",
                "working age (men 16–59, women 16–54), not in school, retired or unable to work",
            ),
            (HighSchoolProgression, Lang::Zh) => {
                ("在读高中阶段及以上", "完成义务教育的 15–17 周岁残疾人")
            }
            (HighSchoolProgression, Lang::En) => (
                "in high-school-stage education or above",
                "persons aged 15–17 who completed compulsory education",
            ),
            (RehabCoverage, Lang::Zh) => ("获得康复服务", "有康复需求"),
            (RehabCoverage, Lang::En) => ("received rehabilitation", "need rehabilitation"),
            (DeviceFitting, Lang::Zh) => ("辅具已适配", "有辅具需求"),
            (DeviceFitting, Lang::En) => ("device fitted", "need an assistive device"),
            (HomeModification, Lang::Zh) => (
                "已完成无障碍改造的家庭",
                "有改造需求的低保、低边、特困残疾人家庭",
            ),
            (HomeModification, Lang::En) => (
                "households with the modification done",
                "低保/低边/特困 households with a member needing home modification",
            ),
            (CultureSports, Lang::Zh) => ("参加文体服务", "持证残疾人"),
            (CultureSports, Lang::En) => ("took part in culture or sports", "active persons"),
        }
    }
}

impl ComputedTarget {
    pub const ALL: [ComputedTarget; 4] = [
        ComputedTarget::CareInstitutionalShare,
        ComputedTarget::EmployedQuotaConcentratedSelf,
        ComputedTarget::BlindMassageInstitutions,
        ComputedTarget::SmartCardRate,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ComputedTarget::CareInstitutionalShare => "care_institutional_share",
            ComputedTarget::EmployedQuotaConcentratedSelf => "employed_quota_concentrated_self",
            ComputedTarget::BlindMassageInstitutions => "blind_massage_institutions",
            ComputedTarget::SmartCardRate => "smart_card_rate",
        }
    }

    pub fn from_key(key: &str) -> Option<ComputedTarget> {
        ComputedTarget::ALL.into_iter().find(|t| t.key() == key)
    }

    pub fn subject(self) -> Subject {
        match self {
            ComputedTarget::BlindMassageInstitutions => Subject::Institutions,
            _ => Subject::Persons,
        }
    }

    fn bit(self) -> Option<usize> {
        match self {
            ComputedTarget::CareInstitutionalShare => Some(B_CARE),
            ComputedTarget::EmployedQuotaConcentratedSelf => Some(B_EMPLOYED_QCS),
            ComputedTarget::SmartCardRate => Some(B_SMART),
            ComputedTarget::BlindMassageInstitutions => None,
        }
    }
}

// Person-count bits.
const B_LIVING: usize = 0;
const B_NURSING: usize = 1;
const B_PENSION: usize = 2;
const B_MEDICAL: usize = 3;
const B_EMPLOYMENT: usize = 4;
const B_HIGH_SCHOOL: usize = 5;
const B_REHAB: usize = 6;
const B_DEVICE: usize = 7;
const B_CULTURE: usize = 8;
const B_CARE: usize = 9;
const B_SMART: usize = 10;
/// A count: only the numerator bit is used.
const B_EMPLOYED_QCS: usize = 11;
const NB: usize = 12;

/// The reference date in the forms the pass compares with.
#[derive(Debug, Clone, Copy)]
pub struct At {
    pub day: i32,
    pub ymd: u32,
    pub year: i32,
    pub month: i32,
    /// t one year earlier (indicator 1's previous year).
    pub prev_day: i32,
}

impl At {
    pub fn new(t: NaiveDate) -> At {
        let prev = t.checked_sub_months(Months::new(12)).unwrap_or(t);
        At {
            day: day(t),
            ymd: ymd(t),
            year: t.year(),
            month: month_no(zhucan_domain::parse::Month::of(t)),
            prev_day: day(prev),
        }
    }
}

/// What one person contributes at a date.
#[derive(Debug, Clone, Copy)]
pub struct Class {
    pub den: u16,
    pub num: u16,
    /// Income counted in M(Y) (or `NO_INCOME`).
    pub income: i64,
    /// Income counted in M(Y−1).
    pub income_prev: i64,
    /// Indicator 13: a qualifying member, and one whose modification is done.
    pub hm_q: bool,
    pub hm_d: bool,
}

impl Class {
    const EMPTY: Class = Class {
        den: 0,
        num: 0,
        income: NO_INCOME,
        income_prev: NO_INCOME,
        hm_q: false,
        hm_d: false,
    };
}

#[inline]
fn insured(i: Option<Insurance>) -> bool {
    matches!(i, Some(Insurance::Resident | Insurance::Employee))
}

/// The indicators of `indicators.md` over the registry's facts (the plan's engine).
#[allow(async_fn_in_trait)]
pub trait IndicatorFacts {
    /// Every definition of `indicators.md` for one person.
    fn classify(&self, p: &P, at: &At) -> Class;

    /// One pass: every person that `bucket_of` places in a bucket `< buckets` is classified at
    /// each date of `ats` and counted in that bucket, for that date. Several dates in one pass
    /// read each person's facts once (the monthly trend); the counts of each date are those of
    /// a pass for that date alone, added up in the same order.
    fn pass(&self, ats: &[At], buckets: usize, bucket_of: impl Fn(&P) -> Option<u32>) -> Vec<Pass>;

    /// Counts for each date of `ats` and each area, in one pass for districts and townships
    /// (and one per village).
    fn counts_for(&self, ats: &[At], areas: &[AreaCode]) -> Vec<Vec<Counts>>;

    fn area_ref(&self, code: &AreaCode) -> AreaRef;

    /// Every indicator (and, if asked, target) for each area of `q`, from one pass.
    fn evaluate(&self, plan: &PlanData, q: &Query<'_>) -> Vec<Report>;

    fn report(&self, plan: &PlanData, q: &Query<'_>, area: &AreaCode, c: &Counts) -> Report;

    fn indicator(
        &self,
        plan: &PlanData,
        q: &Query<'_>,
        area: &AreaCode,
        c: &Counts,
        i: Indicator,
    ) -> IndicatorResult;

    fn targets(
        &self,
        plan: &PlanData,
        t: NaiveDate,
        area: &AreaCode,
        c: &Counts,
    ) -> Vec<TargetResult>;

    /// The monthly trend of one area: the last day of each month from the plan's baseline
    /// month to `t`'s month (the last point is `t` itself). Each point is what [`evaluate`]
    /// gives for its date.
    ///
    /// The points are computed several months per pass over the persons, on up to two
    /// threads (each a run of consecutive months), and come out in date order.
    ///
    /// [`evaluate`]: Snapshot::evaluate
    fn trend(&self, plan: &PlanData, area: &AreaCode, t: NaiveDate) -> Vec<Report>;

    /// The persons, townships or institutions behind one part of a number, within `area`.
    /// Persons are in township order, then citizen ID.
    fn members(&self, what: Measured, part: Part, area: &AreaCode, t: NaiveDate) -> Members;

    fn person_indices(
        &self,
        area: &AreaCode,
        keep: impl Fn(usize, &Class) -> bool,
        at: &At,
    ) -> Vec<usize>;

    fn persons_where(&self, area: &AreaCode, keep: impl Fn(&Class) -> bool, at: &At) -> Members;

    /// Where one person stands in a person indicator or target at `t`: (in its denominator,
    /// in its numerator); `None` for a person not in the registry or a number that does not
    /// count persons one by one. Job matching reads indicator 9's gap through it.
    fn standing(&self, id: &CitizenId, what: Measured, t: NaiveDate) -> Option<(bool, bool)>;
}

impl IndicatorFacts for Snapshot {
    /// Every definition of `indicators.md` for one person.
    #[inline]
    fn classify(&self, p: &P, at: &At) -> Class {
        let rows = self.rows(p);
        let mut k = Class::EMPTY;
        // One scan of the (year-ordered) rows: the survey values for Y, and the row of Y − 1.
        let (mut sv, mut prev) = (None, None);
        for s in rows {
            if s.year > at.year {
                break;
            }
            if s.year == at.year - 1 {
                prev = Some(s);
            }
            sv = Some(s);
        }
        if self.active(p, at.prev_day).is_some()
            && let Some(s) = prev
        {
            k.income_prev = s.income;
        }
        // The certificate in force at t decides the category and grade (a re-assessment
        // counts from its issue date).
        let Some(c) = self.active(p, at.day) else {
            return k;
        };
        if let Some(s) = sv.filter(|s: &&S| s.year == at.year) {
            k.income = s.income;
        }
        // Partner feeds and programme records win over the survey, on their own dates.
        let laid;
        let sv = if self.has_ledger(p) {
            laid = self.overlay(p, sv, at.day);
            laid.as_ref()
        } else {
            sv
        };
        let (mut den, mut num) = (0u16, 0u16);
        let mut set = |bit: usize, d: bool, n: bool| {
            den |= u16::from(d) << bit;
            num |= u16::from(d && n) << bit;
        };
        let age = p.age(at.ymd);
        let econ = sv.and_then(|s| s.economic);
        let in_school = sv.and_then(|s| s.school).is_some_and(|s| s.in_school());
        // 2. Living subsidy.
        set(
            B_LIVING,
            matches!(econ, Some(EconomicStatus::Dibao | EconomicStatus::Dibian)),
            sv.is_some_and(|s| receiving(s.living, at.month)),
        );
        // 3. Nursing subsidy (特困 get neither subsidy).
        set(
            B_NURSING,
            c.severe_care && econ != Some(EconomicStatus::Tekun),
            sv.is_some_and(|s| receiving(s.nursing, at.month)),
        );
        // 7. Pension insurance.
        set(
            B_PENSION,
            age >= 16 && !in_school,
            insured(sv.and_then(|s| s.pension)),
        );
        // 8. Medical insurance.
        set(B_MEDICAL, true, insured(sv.and_then(|s| s.medical)));
        // 9. Employment.
        let working_age = if p.male {
            (16..=59).contains(&age)
        } else {
            (16..=54).contains(&age)
        };
        let excluded_reason = matches!(
            sv.and_then(|s| s.not_employed_reason),
            Some(
                NotEmployedReason::InSchool
                    | NotEmployedReason::Retired
                    | NotEmployedReason::Incapable
            )
        );
        let employment = sv.and_then(|s| s.employment);
        set(
            B_EMPLOYMENT,
            working_age && !in_school && !excluded_reason,
            employment.is_some_and(|e| e != EmploymentStatus::NotEmployed),
        );
        // 10. High-school progression.
        set(
            B_HIGH_SCHOOL,
            (15..=17).contains(&age) && sv.and_then(|s| s.completed_compulsory) == Some(true),
            sv.and_then(|s| s.school)
                .is_some_and(|s| s.is_high_school_or_above()),
        );
        // 11. Rehabilitation, 12. devices.
        set(
            B_REHAB,
            sv.and_then(|s| s.needs_rehab) == Some(true),
            sv.and_then(|s| s.received_rehab) == Some(true),
        );
        set(
            B_DEVICE,
            sv.and_then(|s| s.needs_device) == Some(true),
            sv.and_then(|s| s.device_fitted) == Some(true),
        );
        // 13. Home modification (households).
        if matches!(
            econ,
            Some(EconomicStatus::Dibao | EconomicStatus::Dibian | EconomicStatus::Tekun)
        ) && sv.and_then(|s| s.needs_home_modification) == Some(true)
        {
            k.hm_q = true;
            k.hm_d = sv.and_then(|s| s.home_modification_done) == Some(true);
        }
        // 14. Culture and sports.
        set(
            B_CULTURE,
            true,
            sv.and_then(|s| s.culture_sports) == Some(true),
        );
        // 专栏2-6: institutional care for severe, mental and intellectual disability.
        set(
            B_CARE,
            (matches!(c.grade, Grade::One | Grade::Two) || c.mental_or_intellectual)
                && matches!(
                    sv.and_then(|s| s.care_need),
                    Some(CareNeed::Day | CareNeed::Residential)
                ),
            sv.and_then(|s| s.receives_care) == Some(true),
        );
        // 专栏5-8: smart cards.
        set(B_SMART, true, c.smart_card);
        // 专栏3-4: quota, concentrated and self employment.
        set(
            B_EMPLOYED_QCS,
            matches!(
                employment,
                Some(
                    EmploymentStatus::Quota
                        | EmploymentStatus::Concentrated
                        | EmploymentStatus::SelfEmployed
                )
            ),
            true,
        );
        k.den = den;
        k.num = num;
        k
    }

    /// One pass: every person that `bucket_of` places in a bucket `< buckets` is classified at
    /// each date of `ats` and counted in that bucket, for that date. Several dates in one pass
    /// read each person's facts once (the monthly trend); the counts of each date are those of
    /// a pass for that date alone, added up in the same order.
    fn pass(&self, ats: &[At], buckets: usize, bucket_of: impl Fn(&P) -> Option<u32>) -> Vec<Pass> {
        let n = ats.len();
        // Date j's counts of bucket b at `j * buckets + b`; its part of household slot s at
        // `s * n + j`.
        let mut single = vec![Counts::default(); buckets * n];
        let mut hh = vec![Hh::EMPTY; self.slots as usize * n];
        let mut overflow: Vec<HashMap<(u32, u32), Hh>> = vec![HashMap::new(); n];
        for p in &self.persons {
            let Some(b) = bucket_of(p) else { continue };
            let slot = if p.household == NONE {
                NONE
            } else {
                self.hh_slot[p.household as usize]
            };
            for (j, at) in ats.iter().enumerate() {
                let k = self.classify(p, at);
                let acc = &mut single[j * buckets + b as usize];
                acc.add_bits(&k);
                if slot == NONE {
                    acc.add_alone(&k);
                    continue;
                }
                let h = &mut hh[slot as usize * n + j];
                if h.bucket == NONE || h.bucket == b {
                    h.bucket = b;
                    h.add(&k);
                } else {
                    overflow[j].entry((slot, b)).or_insert(Hh::EMPTY).add(&k);
                }
            }
        }
        let mut passes = Vec::with_capacity(n);
        let mut singles = single.chunks_exact(buckets.max(1));
        for (j, overflow) in overflow.into_iter().enumerate() {
            let mut single = if buckets == 0 {
                Vec::new()
            } else {
                singles.next().map(<[Counts]>::to_vec).unwrap_or_default()
            };
            let spanning: std::collections::HashSet<u32> = overflow.keys().map(|k| k.0).collect();
            let mut parts = Vec::new();
            for (slot, h) in hh.iter().skip(j).step_by(n).enumerate() {
                if h.bucket == NONE {
                    continue;
                }
                if spanning.contains(&(slot as u32)) {
                    parts.push((slot as u32, h.bucket, *h));
                } else {
                    single[h.bucket as usize].add_household(h);
                }
            }
            for ((slot, b), h) in overflow {
                parts.push((slot, b, h));
            }
            passes.push(Pass { single, parts });
        }
        passes
    }

    /// Counts for each date of `ats` and each area, in one pass for districts and townships
    /// (and one per village).
    fn counts_for(&self, ats: &[At], areas: &[AreaCode]) -> Vec<Vec<Counts>> {
        let by_township = areas
            .iter()
            .any(|a| a.level() != AreaLevel::Village)
            .then(|| self.pass(ats, self.townships.len(), |p| Some(p.township)));
        let mut out: Vec<Vec<Counts>> = (0..ats.len())
            .map(|_| Vec::with_capacity(areas.len()))
            .collect();
        for a in areas {
            match (a.level(), &by_township) {
                (AreaLevel::Village, _) | (_, None) => {
                    let sel = self.selector(a);
                    let passes = self.pass(ats, 1, |p| sel.selects(p).then_some(0));
                    for (o, pass) in out.iter_mut().zip(&passes) {
                        o.push(pass.counts(|_| true));
                    }
                }
                (_, Some(passes)) => {
                    for (o, pass) in out.iter_mut().zip(passes) {
                        o.push(pass.counts(|t| self.township_in(t, a)));
                    }
                }
            }
        }
        out
    }

    fn area_ref(&self, code: &AreaCode) -> AreaRef {
        AreaRef {
            code: code.to_string(),
            name: self.area(code).map(|a| a.name.clone()).unwrap_or_default(),
        }
    }

    /// Every indicator (and, if asked, target) for each area of `q`, from one pass.
    fn evaluate(&self, plan: &PlanData, q: &Query<'_>) -> Vec<Report> {
        let counts = self
            .counts_for(&[At::new(q.at)], q.areas)
            .pop()
            .unwrap_or_default();
        q.areas
            .iter()
            .zip(counts)
            .map(|(area, c)| self.report(plan, q, area, &c))
            .collect()
    }

    fn report(&self, plan: &PlanData, q: &Query<'_>, area: &AreaCode, c: &Counts) -> Report {
        Report {
            reference_date: q.at,
            area: self.area_ref(area),
            indicators: Indicator::ALL
                .iter()
                .map(|&i| self.indicator(plan, q, area, c, i))
                .collect(),
            targets: if q.with_targets {
                self.targets(plan, q.at, area, c)
            } else {
                Vec::new()
            },
        }
    }

    fn indicator(
        &self,
        plan: &PlanData,
        q: &Query<'_>,
        area: &AreaCode,
        c: &Counts,
        i: Indicator,
    ) -> IndicatorResult {
        let t = q.at;
        let def = plan.target(i.key());
        let (baseline, target) = match i {
            Indicator::IncomeGrowth => (None, q.gdp_growth),
            _ => (def.and_then(|d| d.baseline), def.and_then(|d| d.target)),
        };
        let ratio = |n: i64, d: i64| -> (Option<i64>, Option<i64>, Option<f64>, Status) {
            let value = (d > 0).then(|| n as f64 / d as f64);
            let status = ratio_status(n, d, baseline, target, plan.plan.elapsed(t));
            (Some(n), Some(d), value, status)
        };
        let (numerator, denominator, value, status) = match i {
            Indicator::IncomeGrowth => {
                let value = match (c.income.value(), c.income_prev.value()) {
                    (Some(m), Some(prev)) if prev != 0.0 => Some(m / prev - 1.0),
                    _ => None,
                };
                let status = match (value, q.gdp_growth) {
                    (Some(v), Some(g)) => {
                        if v >= g as f64 / MICRO as f64 {
                            Status::Met
                        } else {
                            Status::Behind
                        }
                    }
                    _ => Status::NoData,
                };
                (None, None, value, status)
            }
            Indicator::HomeOfDisabledCoverage => {
                let mut n = 0;
                let mut d = 0;
                for tw in qualifying_townships(self, area, t) {
                    d += 1;
                    if has_standard_home(self, &tw.code, t) {
                        n += 1;
                    }
                }
                ratio(n, d)
            }
            Indicator::CareInstitutionCoverage => {
                if area.level() == AreaLevel::District {
                    let n = i64::from(
                        open_institutions(self, area, InstitutionKind::CareInstitution, t)
                            .next()
                            .is_some(),
                    );
                    ratio(n, 1)
                } else {
                    (None, None, None, Status::NoData)
                }
            }
            Indicator::ChildRehabStandardized => {
                let mut n = 0;
                let mut d = 0;
                for inst in open_institutions(self, area, InstitutionKind::ChildRehab, t)
                    .filter(|i| i.designated_at(t))
                {
                    d += 1;
                    if inst.standardized_at(t) {
                        n += 1;
                    }
                }
                ratio(n, d)
            }
            Indicator::HomeModification => ratio(i64::from(c.hm_num), i64::from(c.hm_den)),
            _ => match i.bit() {
                Some(b) => ratio(i64::from(c.num[b]), i64::from(c.den[b])),
                None => (None, None, None, Status::NoData),
            },
        };
        IndicatorResult {
            id: i.id(),
            key: i.key(),
            name: def.map(|d| d.name.clone()).unwrap_or_default(),
            name_en: def.map(|d| d.name_en.clone()).unwrap_or_default(),
            attribute: def.and_then(|d| d.attribute),
            baseline: fraction(baseline),
            target: fraction(target),
            numerator,
            denominator,
            value,
            status,
        }
    }

    fn targets(
        &self,
        plan: &PlanData,
        t: NaiveDate,
        area: &AreaCode,
        c: &Counts,
    ) -> Vec<TargetResult> {
        plan.targets
            .iter()
            .filter(|d| Indicator::from_key(&d.key).is_none())
            .map(|d| {
                let mut r = TargetResult {
                    key: d.key.clone(),
                    section: d.section.clone(),
                    name: d.name.clone(),
                    name_en: d.name_en.clone(),
                    unit: d.unit,
                    measure: d.measure,
                    target: match d.unit {
                        TargetUnit::Count => d.target.map(|v| v as f64),
                        _ => fraction(d.target),
                    },
                    numerator: None,
                    denominator: None,
                    value: None,
                    status: Status::NoData,
                    as_of: None,
                    evidence: None,
                    entered_by: None,
                    drillable: false,
                };
                let computed = ComputedTarget::from_key(&d.key);
                match (d.measure, computed) {
                    (Measure::Computed, Some(ct)) => {
                        r.drillable = true;
                        let n = match ct {
                            ComputedTarget::BlindMassageInstitutions => {
                                open_institutions(self, area, InstitutionKind::BlindMassage, t)
                                    .count() as i64
                            }
                            _ => ct.bit().map_or(0, |b| i64::from(c.num[b])),
                        };
                        match d.unit {
                            TargetUnit::Count => {
                                r.numerator = Some(n);
                                r.value = Some(n as f64);
                                r.status = count_status(n, d.target);
                            }
                            _ => {
                                let den = ct.bit().map_or(0, |b| i64::from(c.den[b]));
                                r.numerator = Some(n);
                                r.denominator = Some(den);
                                r.value = (den > 0).then(|| n as f64 / den as f64);
                                r.status = ratio_status(
                                    n,
                                    den,
                                    d.baseline,
                                    d.target,
                                    plan.plan.elapsed(t),
                                );
                            }
                        }
                    }
                    _ => {
                        // Manual: the latest entry on or before t.
                        if let Some(e) = plan
                            .progress
                            .iter()
                            .filter(|e| e.key == d.key && e.as_of <= t)
                            .max_by(|a, b| {
                                a.as_of
                                    .cmp(&b.as_of)
                                    .then_with(|| a.entered_at.cmp(&b.entered_at))
                            })
                        {
                            r.as_of = Some(e.as_of);
                            r.evidence = Some(e.evidence.clone());
                            r.entered_by = Some(e.entered_by.clone());
                            match d.unit {
                                TargetUnit::Count => {
                                    r.value = Some(e.value as f64);
                                    r.status = count_status(e.value, d.target);
                                }
                                _ => {
                                    r.value = fraction(Some(e.value));
                                    r.status = match d.target {
                                        Some(tg) if e.value >= tg => Status::Met,
                                        Some(_) => Status::Behind,
                                        None => Status::NoData,
                                    };
                                }
                            }
                        }
                    }
                }
                r
            })
            .collect()
    }

    /// The monthly trend of one area: the last day of each month from the plan's baseline
    /// month to `t`'s month (the last point is `t` itself). Each point is what [`evaluate`]
    /// gives for its date.
    ///
    /// The points are computed several months per pass over the persons, on up to two
    /// threads (each a run of consecutive months), and come out in date order.
    ///
    /// [`evaluate`]: Snapshot::evaluate
    fn trend(&self, plan: &PlanData, area: &AreaCode, t: NaiveDate) -> Vec<Report> {
        let dates = trend_dates(plan.plan.baseline_date, t);
        let areas = [area.clone()];
        // Months per pass: the households' accumulators of a pass stay within ~32 MB.
        let per_pass = (32 << 20) / (std::mem::size_of::<Hh>() * (self.slots as usize).max(1));
        let per_pass = per_pass.clamp(1, 12);
        let run = |dates: &[NaiveDate]| -> Vec<Report> {
            let mut out = Vec::with_capacity(dates.len());
            for block in dates.chunks(per_pass) {
                let ats: Vec<At> = block.iter().map(|&d| At::new(d)).collect();
                for (&d, counts) in block.iter().zip(self.counts_for(&ats, &areas)) {
                    let q = Query {
                        at: d,
                        areas: &areas,
                        gdp_growth: None,
                        with_targets: false,
                    };
                    out.extend(counts.first().map(|c| self.report(plan, &q, area, c)));
                }
            }
            out
        };
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
        if workers < 2 || dates.len() < 2 {
            return run(&dates);
        }
        let (first, second) = dates.split_at(dates.len() / 2);
        std::thread::scope(|s| {
            let later = s.spawn(|| run(second));
            let mut out = run(first);
            match later.join() {
                Ok(rest) => out.extend(rest),
                Err(panic) => std::panic::resume_unwind(panic),
            }
            out
        })
    }

    /// The persons, townships or institutions behind one part of a number, within `area`.
    /// Persons are in township order, then citizen ID.
    fn members(&self, what: Measured, part: Part, area: &AreaCode, t: NaiveDate) -> Members {
        let at = At::new(t);
        let pick = |d: bool, n: bool| match part {
            Part::Denominator => d,
            Part::Numerator => d && n,
            Part::Gap => d && !n,
        };
        match what {
            Measured::Indicator(Indicator::HomeOfDisabledCoverage) => Members::Townships(
                qualifying_townships(self, area, t)
                    .filter(|a| pick(true, has_standard_home(self, &a.code, t)))
                    .cloned()
                    .collect(),
            ),
            Measured::Indicator(Indicator::CareInstitutionCoverage) => Members::Institutions(
                open_institutions(self, area, InstitutionKind::CareInstitution, t)
                    .filter(|_| part != Part::Gap)
                    .cloned()
                    .collect(),
            ),
            Measured::Indicator(Indicator::ChildRehabStandardized) => Members::Institutions(
                open_institutions(self, area, InstitutionKind::ChildRehab, t)
                    .filter(|i| i.designated_at(t) && pick(true, i.standardized_at(t)))
                    .cloned()
                    .collect(),
            ),
            Measured::Target(ComputedTarget::BlindMassageInstitutions) => Members::Institutions(
                open_institutions(self, area, InstitutionKind::BlindMassage, t)
                    .filter(|_| part != Part::Gap)
                    .cloned()
                    .collect(),
            ),
            Measured::Indicator(Indicator::IncomeGrowth) => {
                // Numerator: the households of M(Y); denominator: those of M(Y−1).
                self.persons_where(
                    area,
                    |k| match part {
                        Part::Numerator => k.income != NO_INCOME,
                        Part::Denominator => k.income_prev != NO_INCOME,
                        Part::Gap => false,
                    },
                    &at,
                )
            }
            Measured::Indicator(Indicator::HomeModification) => {
                let sel = self.selector(area);
                // Households with a qualifying member whose modification is done.
                let mut done_slots = std::collections::HashSet::new();
                for p in self.persons.iter().filter(|p| sel.selects(p)) {
                    let k = self.classify(p, &at);
                    if k.hm_q && k.hm_d && p.household != NONE {
                        let slot = self.hh_slot[p.household as usize];
                        if slot != NONE {
                            done_slots.insert(slot);
                        }
                    }
                }
                let idx = self.person_indices(
                    area,
                    |i, k| {
                        if !k.hm_q {
                            return false;
                        }
                        let p = &self.persons[i];
                        let slot = if p.household == NONE {
                            NONE
                        } else {
                            self.hh_slot[p.household as usize]
                        };
                        let household_done = if slot == NONE {
                            k.hm_d
                        } else {
                            done_slots.contains(&slot)
                        };
                        match part {
                            Part::Denominator => true,
                            Part::Numerator => k.hm_d,
                            Part::Gap => !household_done,
                        }
                    },
                    &at,
                );
                Members::Persons(idx.into_iter().filter_map(|i| self.citizen_id(i)).collect())
            }
            Measured::Indicator(i) => match i.bit() {
                Some(b) => self.persons_where(
                    area,
                    |k| pick(k.den & (1 << b) != 0, k.num & (1 << b) != 0),
                    &at,
                ),
                None => Members::Persons(Vec::new()),
            },
            Measured::Target(ct) => match ct.bit() {
                Some(b) => self.persons_where(
                    area,
                    |k| pick(k.den & (1 << b) != 0, k.num & (1 << b) != 0),
                    &at,
                ),
                None => Members::Persons(Vec::new()),
            },
        }
    }

    fn person_indices(
        &self,
        area: &AreaCode,
        keep: impl Fn(usize, &Class) -> bool,
        at: &At,
    ) -> Vec<usize> {
        let sel = self.selector(area);
        let mut out: Vec<usize> = self
            .persons
            .iter()
            .enumerate()
            .filter(|(_, p)| sel.selects(p))
            .filter(|(i, p)| keep(*i, &self.classify(p, at)))
            .map(|(i, _)| i)
            .collect();
        out.sort_by(|a, b| {
            let (pa, pb) = (&self.persons[*a], &self.persons[*b]);
            self.townships[pa.township as usize]
                .cmp(&self.townships[pb.township as usize])
                .then_with(|| self.ids[*a].cmp(&self.ids[*b]))
        });
        out
    }

    fn persons_where(&self, area: &AreaCode, keep: impl Fn(&Class) -> bool, at: &At) -> Members {
        let idx = self.person_indices(area, |_, k| keep(k), at);
        Members::Persons(idx.into_iter().filter_map(|i| self.citizen_id(i)).collect())
    }

    fn standing(&self, id: &CitizenId, what: Measured, t: NaiveDate) -> Option<(bool, bool)> {
        let bit = match what {
            Measured::Indicator(i) => i.bit(),
            Measured::Target(ct) => ct.bit(),
        }?;
        let p = self.persons.get(self.index_of(id)?)?;
        let k = self.classify(p, &At::new(t));
        let den = k.den & (1 << bit) != 0;
        Some((den, den && k.num & (1 << bit) != 0))
    }
}

/// A running mean of household values.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mean {
    sum: f64,
    n: u64,
}

impl Mean {
    fn add(&mut self, v: f64) {
        self.sum += v;
        self.n += 1;
    }
    fn merge(&mut self, o: &Mean) {
        self.sum += o.sum;
        self.n += o.n;
    }
    fn value(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }
}

/// Counts of one area (or one township bucket).
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    den: [u32; NB],
    num: [u32; NB],
    income: Mean,
    income_prev: Mean,
    hm_den: u32,
    hm_num: u32,
}

impl Counts {
    #[inline]
    fn add_bits(&mut self, k: &Class) {
        // Branch-free: every bit, set or not (the bits are unpredictable from person to person).
        for b in 0..NB {
            self.den[b] += u32::from(k.den >> b) & 1;
            self.num[b] += u32::from(k.num >> b) & 1;
        }
    }

    /// A person who is a household on their own: the household's means are their values.
    #[inline]
    fn add_alone(&mut self, k: &Class) {
        if k.income != NO_INCOME {
            self.income.add(k.income as f64);
        }
        if k.income_prev != NO_INCOME {
            self.income_prev.add(k.income_prev as f64);
        }
        if k.hm_q {
            self.hm_den += 1;
            self.hm_num += u32::from(k.hm_d);
        }
    }

    fn add_household(&mut self, h: &Hh) {
        if h.inc_n > 0 {
            self.income.add(h.inc_sum as f64 / f64::from(h.inc_n));
        }
        if h.prev_n > 0 {
            self.income_prev
                .add(h.prev_sum as f64 / f64::from(h.prev_n));
        }
        if h.q {
            self.hm_den += 1;
            if h.d {
                self.hm_num += 1;
            }
        }
    }

    fn merge(&mut self, o: &Counts) {
        for b in 0..NB {
            self.den[b] += o.den[b];
            self.num[b] += o.num[b];
        }
        self.income.merge(&o.income);
        self.income_prev.merge(&o.income_prev);
        self.hm_den += o.hm_den;
        self.hm_num += o.hm_num;
    }
}

/// A household's contributions within one bucket.
#[derive(Debug, Clone, Copy)]
pub struct Hh {
    bucket: u32,
    inc_sum: i64,
    inc_n: u32,
    prev_sum: i64,
    prev_n: u32,
    q: bool,
    d: bool,
}

impl Hh {
    const EMPTY: Hh = Hh {
        bucket: NONE,
        inc_sum: 0,
        inc_n: 0,
        prev_sum: 0,
        prev_n: 0,
        q: false,
        d: false,
    };

    #[inline]
    fn add(&mut self, k: &Class) {
        if k.income != NO_INCOME {
            self.inc_sum = self.inc_sum.saturating_add(k.income);
            self.inc_n += 1;
        }
        if k.income_prev != NO_INCOME {
            self.prev_sum = self.prev_sum.saturating_add(k.income_prev);
            self.prev_n += 1;
        }
        if k.hm_q {
            self.q = true;
            self.d |= k.hm_d;
        }
    }

    fn merge(&mut self, o: &Hh) {
        self.inc_sum = self.inc_sum.saturating_add(o.inc_sum);
        self.inc_n += o.inc_n;
        self.prev_sum = self.prev_sum.saturating_add(o.prev_sum);
        self.prev_n += o.prev_n;
        self.q |= o.q;
        self.d |= o.d;
    }
}

/// The result of one pass: counts per bucket, with households that span buckets kept apart so
/// that a district adds them up once.
pub struct Pass {
    /// Persons on their own and households wholly in the bucket.
    single: Vec<Counts>,
    /// Parts of households spanning several buckets.
    parts: Vec<(u32, u32, Hh)>,
}

impl Pass {
    /// Counts of a set of buckets.
    fn counts(&self, inside: impl Fn(u32) -> bool) -> Counts {
        let mut c = Counts::default();
        for (b, s) in self.single.iter().enumerate() {
            if inside(b as u32) {
                c.merge(s);
            }
        }
        // In slot order, so that the sums come out the same bit for bit every time.
        let mut merged: std::collections::BTreeMap<u32, Hh> = std::collections::BTreeMap::new();
        for (slot, b, h) in &self.parts {
            if inside(*b) {
                merged.entry(*slot).or_insert(Hh::EMPTY).merge(h);
            }
        }
        for h in merged.values() {
            c.add_household(h);
        }
        c
    }
}

/// 达标 / 按进度 / 滞后 / 无数据.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Met,
    OnTrack,
    Behind,
    NoData,
}

impl Status {
    pub fn key(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::OnTrack => "on_track",
            Status::Behind => "behind",
            Status::NoData => "no_data",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Status::Met => crate::t(lang, "met"),
            Status::OnTrack => crate::t(lang, "on-track"),
            Status::Behind => crate::t(lang, "behind"),
            Status::NoData => crate::t(lang, "no-data"),
        }
    }
}

/// Status of `n / d` against a target and the straight line from the baseline
/// (`indicators.md`), in exact integer arithmetic.
pub fn ratio_status(
    n: i64,
    d: i64,
    baseline: Option<Micro>,
    target: Option<Micro>,
    (elapsed, total): (i64, i64),
) -> Status {
    if d <= 0 {
        return Status::NoData;
    }
    let Some(t) = target else {
        return Status::NoData;
    };
    let (n, d, t) = (i128::from(n), i128::from(d), i128::from(t));
    let m = i128::from(MICRO);
    if n * m >= t * d {
        return Status::Met;
    }
    if let Some(b) = baseline {
        let b = i128::from(b);
        let (e, total) = (i128::from(elapsed), i128::from(total.max(1)));
        if n * m * total >= (b * total + (t - b) * e) * d {
            return Status::OnTrack;
        }
    }
    Status::Behind
}

/// One indicator at one date for one area: the document of `indicators.md`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorResult {
    pub id: u8,
    pub key: &'static str,
    pub name: String,
    pub name_en: String,
    pub attribute: Option<Attribute>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub value: Option<f64>,
    pub status: Status,
}

/// A 专栏2–5 target at one date for one area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetResult {
    pub key: String,
    pub section: String,
    pub name: String,
    pub name_en: String,
    pub unit: TargetUnit,
    pub measure: Measure,
    pub target: Option<f64>,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    /// A fraction for ratios, the count for counts.
    pub value: Option<f64>,
    pub status: Status,
    /// For manual targets: the date, evidence and author of the entry used.
    pub as_of: Option<NaiveDate>,
    pub evidence: Option<String>,
    pub entered_by: Option<String>,
    /// Whether the value can be drilled into (computed person or institution targets).
    pub drillable: bool,
}

/// The area of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaRef {
    pub code: String,
    pub name: String,
}

/// Every indicator and target of one area at one date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub reference_date: NaiveDate,
    pub area: AreaRef,
    pub indicators: Vec<IndicatorResult>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<TargetResult>,
}

/// The plan's data an evaluation needs.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanData {
    pub plan: Plan,
    pub targets: Vec<PlanTarget>,
    pub progress: Vec<ProgressEntry>,
}

impl PlanData {
    fn target(&self, key: &str) -> Option<&PlanTarget> {
        self.targets.iter().find(|t| t.key == key)
    }
}

fn fraction(v: Option<Micro>) -> Option<f64> {
    v.map(|v| v as f64 / MICRO as f64)
}

/// Townships of indicator 4's denominator within `area`: 街道 and 镇, and 乡 of 10 000 people
/// or more, in the dictionary and valid at `t`.
pub fn qualifying_townships<'a>(
    snap: &'a Snapshot,
    area: &'a AreaCode,
    t: NaiveDate,
) -> impl Iterator<Item = &'a zhucan_domain::area::Area> + 'a {
    snap.areas.iter().filter(move |a| {
        a.code.level() == AreaLevel::Township
            && area.contains(&a.code)
            && a.valid_from.is_none_or(|f| f <= t)
            && a.valid_until.is_none_or(|u| u >= t)
            && match a.kind() {
                AreaKind::Subdistrict | AreaKind::Town => true,
                AreaKind::Township => a.population.is_some_and(|p| p >= 10_000),
                _ => false,
            }
    })
}

/// Whether township `code` has a standardized 残疾人之家 open at `t`.
pub fn has_standard_home(snap: &Snapshot, code: &AreaCode, t: NaiveDate) -> bool {
    snap.institutions.iter().any(|i| {
        i.kind == InstitutionKind::HomeOfDisabled
            && &i.township == code
            && i.is_open_at(t)
            && i.standardized_at(t)
    })
}

/// Institutions of `kind` in `area` open at `t`.
pub fn open_institutions<'a>(
    snap: &'a Snapshot,
    area: &'a AreaCode,
    kind: InstitutionKind,
    t: NaiveDate,
) -> impl Iterator<Item = &'a Institution> + 'a {
    snap.institutions
        .iter()
        .filter(move |i| i.kind == kind && area.contains(&i.township) && i.is_open_at(t))
}

/// How to compute: the reference date, the areas, the GDP growth for indicator 1.
#[derive(Debug, Clone)]
pub struct Query<'a> {
    pub at: NaiveDate,
    pub areas: &'a [AreaCode],
    /// The GDP growth of the reference year (indicator 1's target), if known.
    pub gdp_growth: Option<Micro>,
    /// Also evaluate the 专栏2–5 targets.
    pub with_targets: bool,
}

/// Month ends from `from`'s month until before `t`'s month, then `t`.
pub fn trend_dates(from: NaiveDate, t: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut m = zhucan_domain::parse::Month::of(from);
    let last = zhucan_domain::parse::Month::of(t);
    while m < last && out.len() < 600 {
        let end = m.next().first_day().pred_opt().unwrap_or(t);
        out.push(end);
        m = m.next();
    }
    if from <= t {
        out.push(t);
    }
    out
}

fn count_status(n: i64, target: Option<i64>) -> Status {
    match target {
        Some(t) if n >= t => Status::Met,
        Some(_) => Status::Behind,
        None => Status::NoData,
    }
}

/// Which members of a number to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// Everyone in the denominator.
    Denominator,
    /// Everyone in the numerator.
    Numerator,
    /// In the denominator but not the numerator (e.g. eligible but not receiving).
    Gap,
}

impl Part {
    pub fn parse(s: &str) -> Option<Part> {
        match s {
            "denominator" | "den" => Some(Part::Denominator),
            "numerator" | "num" => Some(Part::Numerator),
            "gap" => Some(Part::Gap),
            _ => None,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Part::Denominator => "denominator",
            Part::Numerator => "numerator",
            Part::Gap => "gap",
        }
    }
}

/// What a drill-down lists.
#[derive(Debug, Clone, PartialEq)]
pub enum Members {
    Persons(Vec<zhucan_domain::ids::CitizenId>),
    Townships(Vec<zhucan_domain::area::Area>),
    Institutions(Vec<Institution>),
}

/// A number to drill into: an indicator or a computed target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measured {
    Indicator(Indicator),
    Target(ComputedTarget),
}

impl Measured {
    pub fn from_key(key: &str) -> Option<Measured> {
        Indicator::from_key(key)
            .map(Measured::Indicator)
            .or_else(|| ComputedTarget::from_key(key).map(Measured::Target))
    }

    pub fn key(self) -> &'static str {
        match self {
            Measured::Indicator(i) => i.key(),
            Measured::Target(t) => t.key(),
        }
    }
}
