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

/// Whether a person counts at date `t` (`indicators.md`, "Active at t").
pub fn is_active_at(person: &Person, cert: &Certificate, t: NaiveDate) -> bool {
    cert.issued_on <= t
        && cert.status == CertificateStatus::Valid
        && cert.valid_until >= t
        && person.died_on.is_none_or(|d| d > t)
        && person.moved_out_on.is_none_or(|d| d > t)
}

/// Facts of an imported row kept beside the record: a village named but not in the area
/// dictionary, and the legacy 15-digit ID the citizen ID was upgraded from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordExtras {
    pub village_name: Option<String>,
    pub legacy_id: Option<String>,
}
