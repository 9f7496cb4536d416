//! Row shapes and their conversion to domain types. Stored values were validated on the way in;
//! a value that no longer parses is reported as [`StoreError::Corrupt`], never a panic.

use chrono::NaiveDate;
use zhucan_domain::area::AreaCode;
use zhucan_domain::disability::{Category, Grade};
use zhucan_domain::ids::{CertificateNo, CitizenId};
use zhucan_domain::parse::Month;
use zhucan_domain::person::{
    CareNeed, Certificate, CertificateStatus, EconomicStatus, EmploymentStatus, HukouType,
    Insurance, NotEmployedReason, Person, SchoolStage, Survey,
};

use crate::{Result, StoreError};

pub fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} = {value:?}"))
}

pub fn date(what: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| corrupt(what, s))
}

pub fn opt_date(what: &str, s: Option<String>) -> Result<Option<NaiveDate>> {
    s.map(|s| date(what, &s)).transpose()
}

fn opt_month(what: &str, s: Option<String>) -> Result<Option<Month>> {
    s.map(|s| Month::parse(&s).map_err(|_| corrupt(what, &s)))
        .transpose()
}

macro_rules! opt_enum {
    ($ty:ty, $what:literal, $v:expr) => {
        $v.map(|s| <$ty>::parse(&s).ok_or_else(|| corrupt($what, &s)))
            .transpose()
    };
}

#[derive(sqlx::FromRow)]
pub struct PersonRow {
    pub citizen_id: String,
    #[sqlx(rename = "ref")]
    pub handle: String,
    pub name: String,
    pub township_code: String,
    pub village_code: Option<String>,
    pub village_name: Option<String>,
    pub hukou_type: Option<String>,
    pub household_id: Option<String>,
    pub household_size: Option<i64>,
    pub phone: Option<String>,
    pub guardian_name: Option<String>,
    pub guardian_phone: Option<String>,
    pub died_on: Option<String>,
    pub moved_out_on: Option<String>,
    pub legacy_id: Option<String>,
    pub latest_survey_year: i64,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

pub const PERSON_COLUMNS: &str = "citizen_id, ref, name, township_code, village_code, village_name, hukou_type, household_id, household_size, phone, guardian_name, guardian_phone, died_on, moved_out_on, legacy_id, latest_survey_year, version, created_at, updated_at";

impl PersonRow {
    pub fn to_person(&self) -> Result<Person> {
        Ok(Person {
            citizen_id: CitizenId::from_trusted(self.citizen_id.clone())
                .map_err(|_| corrupt("citizen_id", &self.citizen_id))?,
            name: self.name.clone(),
            township: AreaCode::parse(&self.township_code)
                .ok_or_else(|| corrupt("township_code", &self.township_code))?,
            village: self
                .village_code
                .as_deref()
                .map(|v| AreaCode::parse(v).ok_or_else(|| corrupt("village_code", v)))
                .transpose()?,
            hukou_type: opt_enum!(HukouType, "hukou_type", self.hukou_type.clone())?,
            household_id: self.household_id.clone(),
            household_size: self.household_size,
            phone: self.phone.clone(),
            guardian_name: self.guardian_name.clone(),
            guardian_phone: self.guardian_phone.clone(),
            died_on: opt_date("died_on", self.died_on.clone())?,
            moved_out_on: opt_date("moved_out_on", self.moved_out_on.clone())?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct CertRow {
    pub certificate_no: String,
    pub category: String,
    pub grade: String,
    pub components: String,
    pub issued_on: String,
    pub valid_until: String,
    pub status: String,
    pub revoked_on: Option<String>,
    pub smart_card: bool,
    pub is_current: bool,
    pub recorded_at: String,
}

pub const CERT_COLUMNS: &str = "certificate_no, category, grade, components, issued_on, valid_until, status, revoked_on, smart_card, is_current, recorded_at";

impl CertRow {
    pub fn to_certificate(&self) -> Result<Certificate> {
        let components = if self.components.is_empty() {
            vec![]
        } else {
            self.components
                .split(',')
                .map(|k| Category::parse(k).ok_or_else(|| corrupt("components", &self.components)))
                .collect::<Result<Vec<_>>>()?
        };
        Ok(Certificate {
            number: CertificateNo::from_trusted(self.certificate_no.clone())
                .map_err(|_| corrupt("certificate_no", &self.certificate_no))?,
            category: Category::parse(&self.category)
                .ok_or_else(|| corrupt("category", &self.category))?,
            grade: Grade::parse(&self.grade).ok_or_else(|| corrupt("grade", &self.grade))?,
            components,
            issued_on: date("issued_on", &self.issued_on)?,
            valid_until: date("valid_until", &self.valid_until)?,
            status: CertificateStatus::parse(&self.status)
                .ok_or_else(|| corrupt("status", &self.status))?,
            revoked_on: self
                .revoked_on
                .as_deref()
                .map(|d| date("revoked_on", d))
                .transpose()?,
            smart_card: self.smart_card,
        })
    }
}

pub fn components_text(c: &[Category]) -> String {
    c.iter().map(|c| c.key()).collect::<Vec<_>>().join(",")
}

#[derive(sqlx::FromRow, PartialEq)]
pub struct SurveyRow {
    pub survey_year: i64,
    pub economic_status: Option<String>,
    pub income_per_capita_fen: Option<i64>,
    pub living_subsidy_since: Option<String>,
    pub living_subsidy_until: Option<String>,
    pub nursing_subsidy_since: Option<String>,
    pub nursing_subsidy_until: Option<String>,
    pub pension_insurance: Option<String>,
    pub medical_insurance: Option<String>,
    pub employment_status: Option<String>,
    pub not_employed_reason: Option<String>,
    pub school_stage: Option<String>,
    pub completed_compulsory: Option<bool>,
    pub needs_rehab: Option<bool>,
    pub received_rehab: Option<bool>,
    pub needs_device: Option<bool>,
    pub device_fitted: Option<bool>,
    pub needs_home_modification: Option<bool>,
    pub home_modification_done: Option<bool>,
    pub care_need: Option<String>,
    pub receives_care: Option<bool>,
    pub culture_sports: Option<bool>,
}

pub const SURVEY_COLUMNS: &str = "survey_year, economic_status, income_per_capita_fen, living_subsidy_since, living_subsidy_until, nursing_subsidy_since, nursing_subsidy_until, pension_insurance, medical_insurance, employment_status, not_employed_reason, school_stage, completed_compulsory, needs_rehab, received_rehab, needs_device, device_fitted, needs_home_modification, home_modification_done, care_need, receives_care, culture_sports";

impl SurveyRow {
    pub fn from_survey(s: &Survey) -> SurveyRow {
        SurveyRow {
            survey_year: i64::from(s.year),
            economic_status: s.economic_status.map(|v| v.key().to_string()),
            income_per_capita_fen: s.income_per_capita_fen,
            living_subsidy_since: s.living_subsidy_since.map(|m| m.to_string()),
            living_subsidy_until: s.living_subsidy_until.map(|m| m.to_string()),
            nursing_subsidy_since: s.nursing_subsidy_since.map(|m| m.to_string()),
            nursing_subsidy_until: s.nursing_subsidy_until.map(|m| m.to_string()),
            pension_insurance: s.pension_insurance.map(|v| v.key().to_string()),
            medical_insurance: s.medical_insurance.map(|v| v.key().to_string()),
            employment_status: s.employment_status.map(|v| v.key().to_string()),
            not_employed_reason: s.not_employed_reason.map(|v| v.key().to_string()),
            school_stage: s.school_stage.map(|v| v.key().to_string()),
            completed_compulsory: s.completed_compulsory,
            needs_rehab: s.needs_rehab,
            received_rehab: s.received_rehab,
            needs_device: s.needs_device,
            device_fitted: s.device_fitted,
            needs_home_modification: s.needs_home_modification,
            home_modification_done: s.home_modification_done,
            care_need: s.care_need.map(|v| v.key().to_string()),
            receives_care: s.receives_care,
            culture_sports: s.culture_sports,
        }
    }

    pub fn to_survey(&self) -> Result<Survey> {
        Ok(Survey {
            year: i32::try_from(self.survey_year)
                .map_err(|_| corrupt("survey_year", &self.survey_year.to_string()))?,
            economic_status: opt_enum!(
                EconomicStatus,
                "economic_status",
                self.economic_status.clone()
            )?,
            income_per_capita_fen: self.income_per_capita_fen,
            living_subsidy_since: opt_month(
                "living_subsidy_since",
                self.living_subsidy_since.clone(),
            )?,
            living_subsidy_until: opt_month(
                "living_subsidy_until",
                self.living_subsidy_until.clone(),
            )?,
            nursing_subsidy_since: opt_month(
                "nursing_subsidy_since",
                self.nursing_subsidy_since.clone(),
            )?,
            nursing_subsidy_until: opt_month(
                "nursing_subsidy_until",
                self.nursing_subsidy_until.clone(),
            )?,
            pension_insurance: opt_enum!(
                Insurance,
                "pension_insurance",
                self.pension_insurance.clone()
            )?,
            medical_insurance: opt_enum!(
                Insurance,
                "medical_insurance",
                self.medical_insurance.clone()
            )?,
            employment_status: opt_enum!(
                EmploymentStatus,
                "employment_status",
                self.employment_status.clone()
            )?,
            not_employed_reason: opt_enum!(
                NotEmployedReason,
                "not_employed_reason",
                self.not_employed_reason.clone()
            )?,
            school_stage: opt_enum!(SchoolStage, "school_stage", self.school_stage.clone())?,
            completed_compulsory: self.completed_compulsory,
            needs_rehab: self.needs_rehab,
            received_rehab: self.received_rehab,
            needs_device: self.needs_device,
            device_fitted: self.device_fitted,
            needs_home_modification: self.needs_home_modification,
            home_modification_done: self.home_modification_done,
            care_need: opt_enum!(CareNeed, "care_need", self.care_need.clone())?,
            receives_care: self.receives_care,
            culture_sports: self.culture_sports,
        })
    }
}
