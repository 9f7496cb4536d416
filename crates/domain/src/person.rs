//! The person file (一人一档): identity, certificate, household, residence, and the per-year
//! survey (动态更新) values.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::area::AreaCode;
use crate::coded_enum;
use crate::disability::{Category, Grade, is_severe_care};
use crate::ids::{CertificateNo, CitizenId};
use crate::parse::Month;

coded_enum! {
    /// 证件状态.
    pub enum CertificateStatus {
        Valid = ("valid", "有效", "valid", "正常"),
        Revoked = ("revoked", "注销", "revoked", "已注销"),
    }
}

coded_enum! {
    /// 户口性质.
    pub enum HukouType {
        Agricultural = ("agricultural", "农业", "agricultural", "农业户口"),
        NonAgricultural = ("non_agricultural", "非农业", "non-agricultural", "非农业户口", "非农"),
    }
}

coded_enum! {
    /// 家庭经济状况.
    pub enum EconomicStatus {
        None = ("none", "无", "none", "一般", "否"),
        Dibao = ("dibao", "低保", "minimum living guarantee", "低保户"),
        Dibian = ("dibian", "低边", "marginal low-income", "低保边缘", "低边户"),
        Tekun = ("tekun", "特困", "extreme poverty", "特困供养", "特困人员"),
    }
}

coded_enum! {
    /// 养老保险 / 医疗保险.
    pub enum Insurance {
        None = ("none", "无", "none", "未参保", "否"),
        Resident = ("resident", "城乡居民", "urban-rural resident", "城乡居民保险"),
        Employee = ("employee", "城镇职工", "urban employee", "职工", "城镇职工保险"),
    }
}

coded_enum! {
    /// 就业状况.
    pub enum EmploymentStatus {
        Quota = ("quota", "按比例就业", "quota employment"),
        Concentrated = ("concentrated", "集中就业", "concentrated employment"),
        SelfEmployed = ("self_employed", "个体就业", "self-employment"),
        PublicWelfare = ("public_welfare", "公益性岗位", "public-welfare job", "公益性岗位就业"),
        Supported = ("supported", "辅助性就业", "supported employment"),
        Farming = ("farming", "农村种养加", "rural farming", "种养加"),
        Flexible = ("flexible", "灵活就业", "flexible employment"),
        NotEmployed = ("not_employed", "未就业", "not employed", "无业"),
    }
}

coded_enum! {
    /// 未就业原因.
    pub enum NotEmployedReason {
        InSchool = ("in_school", "在校学习", "in school"),
        Retired = ("retired", "退休", "retired"),
        NoWish = ("no_wish", "无就业意愿", "no wish to work"),
        NoSkills = ("no_skills", "无就业技能", "no job skills"),
        Incapable = ("incapable", "丧失劳动能力", "unable to work"),
        Other = ("other", "其他", "other"),
    }
}

coded_enum! {
    /// 在读阶段.
    pub enum SchoolStage {
        NotInSchool = ("none", "未在读", "not in school", "无"),
        Preschool = ("preschool", "学前", "preschool", "学前教育"),
        Primary = ("primary", "小学", "primary school"),
        Junior = ("junior", "初中", "junior secondary"),
        Senior = ("senior", "高中", "senior secondary", "普通高中"),
        Vocational = ("vocational", "中职", "vocational secondary", "中专"),
        SpecialSenior = ("special_senior", "特教高中", "special-education senior secondary"),
        Tertiary = ("tertiary", "大专及以上", "college or above", "大学", "大专"),
    }
}

impl SchoolStage {
    /// Whether the person is in school (any stage other than 未在读).
    pub fn in_school(self) -> bool {
        self != SchoolStage::NotInSchool
    }

    /// High-school stage or beyond (indicator 10's numerator).
    pub fn is_high_school_or_above(self) -> bool {
        matches!(
            self,
            SchoolStage::Senior
                | SchoolStage::Vocational
                | SchoolStage::SpecialSenior
                | SchoolStage::Tertiary
        )
    }
}

coded_enum! {
    /// 托养需求.
    pub enum CareNeed {
        None = ("none", "无", "none"),
        Home = ("home", "居家", "home care", "居家托养"),
        Day = ("day", "日间", "day care", "日间照料", "日间托养"),
        Residential = ("residential", "寄宿", "residential care", "寄宿托养", "机构托养"),
    }
}

/// A person's name as registered: trimmed, non-empty, at most 50 characters.
pub fn parse_name(input: &str) -> Result<String, crate::parse::ValueError> {
    let s: String = input.trim().chars().filter(|c| !c.is_control()).collect();
    if s.is_empty() {
        return Err(crate::parse::ValueError::Required);
    }
    if s.chars().count() > 50 {
        return Err(crate::parse::ValueError::TooLong { max: 50 });
    }
    Ok(s)
}

/// Identity, residence and household (the person fields of the workbook).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub citizen_id: CitizenId,
    pub name: String,
    pub township: AreaCode,
    pub village: Option<AreaCode>,
    pub hukou_type: Option<HukouType>,
    /// 户编号: rows sharing it are one household; `None` = own household.
    pub household_id: Option<String>,
    pub household_size: Option<i64>,
    pub phone: Option<String>,
    pub guardian_name: Option<String>,
    pub guardian_phone: Option<String>,
    pub died_on: Option<NaiveDate>,
    pub moved_out_on: Option<NaiveDate>,
}

impl Person {
    /// The smallest area the person belongs to: the village when known, else the township.
    pub fn home_area(&self) -> &AreaCode {
        self.village.as_ref().unwrap_or(&self.township)
    }
}

/// A disability certificate (残疾人证). A change of category or grade is a new certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub number: CertificateNo,
    pub category: Category,
    pub grade: Grade,
    /// For 多重: the component categories.
    pub components: Vec<Category>,
    pub issued_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub status: CertificateStatus,
    /// When a revoked certificate was revoked, when known (a revocation recorded by staff,
    /// or the day an import learned of it). `None` on a revoked certificate: the date is not
    /// known, and the certificate is read as never in force (the literal spec).
    #[serde(default)]
    pub revoked_on: Option<NaiveDate>,
    /// 智能化残疾人证 (third generation) held.
    pub smart_card: bool,
}

impl Certificate {
    /// Default validity: 10 years after issue (the day before the tenth anniversary is not
    /// used: the spec says "issued + 10 years").
    pub fn default_valid_until(issued: NaiveDate) -> NaiveDate {
        issued
            .checked_add_months(chrono::Months::new(120))
            .unwrap_or(NaiveDate::MAX)
    }

    pub fn is_severe_care(&self) -> bool {
        is_severe_care(self.category, self.grade, &self.components)
    }

    /// Revoked on or before `d` (a revocation of unknown date counts from the start).
    pub fn revoked_by(&self, d: NaiveDate) -> bool {
        self.status == CertificateStatus::Revoked && self.revoked_on.is_none_or(|r| r <= d)
    }

    /// In force on `d`: issued on or before it, not revoked on or before it, valid on it.
    pub fn in_force_on(&self, d: NaiveDate) -> bool {
        self.issued_on <= d && !self.revoked_by(d) && self.valid_until >= d
    }
}

/// The certificate that governs day `d` among all the certificates a person has held: the
/// one issued last on or before `d` (a later issue — a renewal, a re-assessment, a category
/// change — supersedes the earlier one from its issue date). Its category and grade are the
/// person's on `d`; the person is certified on `d` when it is [`Certificate::in_force_on`]
/// `d`. `None` before the first issue.
///
/// `history` may come in any order; of two issued on the same day, the later in the list
/// wins (callers list the current certificate last).
pub fn governing_on<'a>(
    history: impl IntoIterator<Item = &'a Certificate>,
    d: NaiveDate,
) -> Option<&'a Certificate> {
    let mut best: Option<&Certificate> = None;
    for c in history {
        if c.issued_on <= d && best.is_none_or(|b| c.issued_on >= b.issued_on) {
            best = Some(c);
        }
    }
    best
}

/// The survey values of one year (动态更新), from 家庭经济状况 down.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Survey {
    pub year: i32,
    pub economic_status: Option<EconomicStatus>,
    /// 家庭人均可支配收入, in fen per year.
    pub income_per_capita_fen: Option<i64>,
    pub living_subsidy_since: Option<Month>,
    pub living_subsidy_until: Option<Month>,
    pub nursing_subsidy_since: Option<Month>,
    pub nursing_subsidy_until: Option<Month>,
    pub pension_insurance: Option<Insurance>,
    pub medical_insurance: Option<Insurance>,
    pub employment_status: Option<EmploymentStatus>,
    pub not_employed_reason: Option<NotEmployedReason>,
    pub school_stage: Option<SchoolStage>,
    pub completed_compulsory: Option<bool>,
    pub needs_rehab: Option<bool>,
    pub received_rehab: Option<bool>,
    pub needs_device: Option<bool>,
    pub device_fitted: Option<bool>,
    pub needs_home_modification: Option<bool>,
    pub home_modification_done: Option<bool>,
    pub care_need: Option<CareNeed>,
    pub receives_care: Option<bool>,
    pub culture_sports: Option<bool>,
}

/// One row of the persons sheet: a person as known in one survey year. Importing and the demo
/// generator both produce these; the store merges them into the person file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRecord {
    pub person: Person,
    pub certificate: Certificate,
    pub survey: Survey,
}

/// How a newly stated certificate enters a person's certificate history (every certificate
/// a person held is kept; see [`governing_on`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateChange {
    /// The same as the current certificate.
    Unchanged,
    /// A new issue — another number (re-assessment, category change) or the same number
    /// issued later (renewal, re-issue after revocation): it becomes current, the earlier
    /// certificates stay in the history, governing the days before its issue.
    Issue(Certificate),
    /// A correction (or status change) of the current certificate, in place.
    Correct(Certificate),
}

/// Classifies `incoming` against the `current` certificate. A revocation stated without a
/// date (the workbook has no column for it) keeps the date already known, else takes
/// `learned_on` when the same certificate was valid until now: the registry said it was valid
/// until the day it learned otherwise, so no month it paid becomes a recovery.
pub fn certificate_change(
    current: &Certificate,
    incoming: &Certificate,
    learned_on: NaiveDate,
) -> CertificateChange {
    let mut new = incoming.clone();
    if new.status == CertificateStatus::Revoked
        && new.revoked_on.is_none()
        && new.number == current.number
        && new.issued_on == current.issued_on
    {
        new.revoked_on = match current.status {
            CertificateStatus::Revoked => current.revoked_on,
            CertificateStatus::Valid => Some(learned_on.max(new.issued_on)),
        };
    }
    if new.status == CertificateStatus::Valid {
        new.revoked_on = None;
    }
    if new == *current {
        CertificateChange::Unchanged
    } else if new.number != current.number || new.issued_on > current.issued_on {
        CertificateChange::Issue(new)
    } else {
        CertificateChange::Correct(new)
    }
}

impl CertificateChange {
    /// The certificate that is current after the change.
    pub fn resulting<'a>(&'a self, current: &'a Certificate) -> &'a Certificate {
        match self {
            CertificateChange::Unchanged => current,
            CertificateChange::Issue(c) | CertificateChange::Correct(c) => c,
        }
    }

    /// Applies the change to a history of `(certificate, is_current)` pairs (one current).
    /// Certificates are kept unique by number and issue date.
    pub fn apply(&self, history: &mut Vec<(Certificate, bool)>) {
        let same_key =
            |a: &Certificate, b: &Certificate| a.number == b.number && a.issued_on == b.issued_on;
        match self {
            CertificateChange::Unchanged => {}
            CertificateChange::Issue(new) => {
                history.retain(|(c, _)| !same_key(c, new));
                for (_, cur) in history.iter_mut() {
                    *cur = false;
                }
                history.push((new.clone(), true));
            }
            CertificateChange::Correct(new) => {
                history.retain(|(c, cur)| *cur || !same_key(c, new));
                match history.iter_mut().find(|(_, cur)| *cur) {
                    Some(slot) => slot.0 = new.clone(),
                    None => history.push((new.clone(), true)),
                }
            }
        }
    }
}

/// Whether a person counts at date `t` (`indicators.md`, "Active at t") when `cert` is the
/// only certificate they have held. Over a history, use [`governing_on`] first.
pub fn is_active_at(person: &Person, cert: &Certificate, t: NaiveDate) -> bool {
    cert.in_force_on(t)
        && person.died_on.is_none_or(|d| d > t)
        && person.moved_out_on.is_none_or(|d| d > t)
}

/// Whether a person counts at date `t` over their whole certificate history.
pub fn is_active_over(person: &Person, history: &[Certificate], t: NaiveDate) -> bool {
    governing_on(history, t).is_some_and(|c| is_active_at(person, c, t))
}

/// Facts of an imported row kept beside the record: a village named but not in the area
/// dictionary, and the legacy 15-digit ID the citizen ID was upgraded from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordExtras {
    pub village_name: Option<String>,
    pub legacy_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::with_check_char;
    use crate::{Category, Grade};
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn cert(grade: Grade, issued: NaiveDate) -> Certificate {
        let id = with_check_char("33100319600101123").expect("id");
        Certificate {
            number: CertificateNo::compose(&id, Category::Physical, grade),
            category: Category::Physical,
            grade,
            components: vec![],
            issued_on: issued,
            valid_until: Certificate::default_valid_until(issued),
            status: CertificateStatus::Valid,
            revoked_on: None,
            smart_card: false,
        }
    }

    #[test]
    fn changes_are_issues_or_corrections() {
        let today = d(2026, 12, 3);
        let a = cert(Grade::One, d(2016, 11, 15));
        assert_eq!(
            certificate_change(&a, &a, today),
            CertificateChange::Unchanged
        );
        let renewed = Certificate {
            issued_on: d(2026, 11, 10),
            valid_until: d(2036, 11, 10),
            ..a.clone()
        };
        assert_eq!(
            certificate_change(&a, &renewed, today),
            CertificateChange::Issue(renewed.clone())
        );
        let b = cert(Grade::Two, d(2026, 12, 3));
        assert_eq!(
            certificate_change(&a, &b, today),
            CertificateChange::Issue(b.clone())
        );
        let corrected = Certificate {
            valid_until: d(2030, 1, 1),
            ..a.clone()
        };
        assert_eq!(
            certificate_change(&a, &corrected, today),
            CertificateChange::Correct(corrected.clone())
        );
        // A revocation stated without a date takes the day it was learned …
        let revoked = Certificate {
            status: CertificateStatus::Revoked,
            ..a.clone()
        };
        let CertificateChange::Correct(r) = certificate_change(&a, &revoked, today) else {
            panic!("a correction");
        };
        assert_eq!(r.revoked_on, Some(today));
        // … and keeps a known date when stated again without one.
        assert_eq!(
            certificate_change(&r, &revoked, d(2027, 5, 1)),
            CertificateChange::Unchanged
        );
        // Reinstated: no revocation date remains.
        assert_eq!(
            certificate_change(&r, &a, today),
            CertificateChange::Correct(a.clone())
        );
    }

    #[test]
    fn the_latest_issue_on_or_before_a_day_governs_it() {
        let a = cert(Grade::One, d(2016, 11, 15));
        let b = cert(Grade::Three, d(2026, 12, 3));
        let h = [a.clone(), b.clone()];
        assert_eq!(governing_on(&h, d(2016, 11, 14)), None);
        assert_eq!(governing_on(&h, d(2016, 11, 15)), Some(&a));
        assert_eq!(governing_on(&h, d(2026, 12, 2)), Some(&a));
        assert_eq!(governing_on(&h, d(2026, 12, 3)), Some(&b));
        let revoked = Certificate {
            status: CertificateStatus::Revoked,
            revoked_on: Some(d(2020, 3, 1)),
            ..a.clone()
        };
        assert!(revoked.in_force_on(d(2020, 2, 29)));
        assert!(!revoked.in_force_on(d(2020, 3, 1)));
        let unknown = Certificate {
            revoked_on: None,
            ..revoked
        };
        assert!(!unknown.in_force_on(d(2017, 1, 1)));
    }

    fn arb_cert() -> impl Strategy<Value = Certificate> {
        (0usize..4, 0i64..4000, any::<bool>(), 0i64..4000).prop_map(|(g, off, rev, roff)| {
            let issued = d(2015, 1, 1) + chrono::Duration::days(off);
            let mut c = cert(Grade::ALL[g], issued);
            if rev {
                c.status = CertificateStatus::Revoked;
                c.revoked_on = (roff % 2 == 0).then(|| issued + chrono::Duration::days(roff));
            }
            c
        })
    }

    proptest! {
        /// Whatever sequence of certificates is stated, the history keeps exactly one current
        /// certificate, unique by number and issue date, and that one is what the last change
        /// resulted in.
        #[test]
        fn a_history_always_has_one_current_certificate(
            first in arb_cert(),
            next in proptest::collection::vec(arb_cert(), 0..12),
        ) {
            let today = d(2026, 12, 3);
            let mut history = vec![(first.clone(), true)];
            let mut current = first;
            for n in next {
                let change = certificate_change(&current, &n, today);
                change.apply(&mut history);
                current = change.resulting(&current).clone();
                prop_assert_eq!(history.iter().filter(|(_, c)| *c).count(), 1);
                let now = history.iter().find(|(_, c)| *c).map(|(c, _)| c.clone());
                prop_assert_eq!(now.as_ref(), Some(&current));
                let mut keys: Vec<_> = history.iter().map(|(c, _)| (c.number.clone(), c.issued_on)).collect();
                keys.sort();
                let before = keys.len();
                keys.dedup();
                prop_assert_eq!(keys.len(), before);
            }
        }
    }
}
