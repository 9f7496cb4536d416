//! The persons sheet (人员): one row → one [`PersonRecord`] or the list of its problems.

use std::collections::HashMap;

use calamine::Data;
use chrono::{Datelike, NaiveDate};
use zhucan_domain::disability::{Category, Grade, parse_components};
use zhucan_domain::ids::{CertificateNo, CitizenId, IdError, ParsedCertificateNo, ParsedCitizenId};
use zhucan_domain::parse::{Month, not_future};
use zhucan_domain::person::{
    CareNeed, Certificate, CertificateStatus, EconomicStatus, EmploymentStatus, HukouType,
    Insurance, NotEmployedReason, Person, PersonRecord, RecordExtras, SchoolStage, Survey,
    parse_name,
};
use zhucan_domain::{Lang, Localized};

use crate::Issue;
use crate::areas::{AreaIndex, Village};
use crate::cell::{self, Bad, Ctx};
use crate::columns::p;
use crate::rows::{Layout, RowCheck};

/// A row that passed every check.
#[derive(Debug)]
pub(crate) struct GoodRow {
    pub record: PersonRecord,
    pub extras: RecordExtras,
    pub warnings: Vec<Issue>,
}

/// Parses the rows of one persons sheet.
pub(crate) struct PersonParser<'a> {
    pub layout: Layout<'a>,
    pub areas: &'a AreaIndex,
    /// `--survey-year`, used when a row has none.
    pub survey_year: Option<i32>,
    /// The formula cells of the sheet: (Excel row, absolute 0-based column) → formula.
    pub formulas: &'a HashMap<(u32, u32), String>,
}

/// The identity and contact columns: they hold what was written, never a computed value.
const FORMULA_FREE: [usize; 6] = [
    p::NAME,
    p::CITIZEN_ID,
    p::CERTIFICATE_NO,
    p::PHONE,
    p::GUARDIAN_NAME,
    p::GUARDIAN_PHONE,
];

/// `="3310…"`: how some exporters keep a long number as text — a quoted constant, not a
/// computation, accepted in the identifier columns.
fn is_quoted_constant(t: &str) -> bool {
    t.strip_prefix("=\"")
        .and_then(|r| r.strip_suffix('"'))
        .is_some_and(|r| r.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// At most 60 characters of a formula, control characters shown.
fn short(formula: &str) -> String {
    let v = cell::visible(formula.trim_start_matches('='));
    if v.chars().count() > 60 {
        format!("{}…", v.chars().take(60).collect::<String>())
    } else {
        v.into_owned()
    }
}

fn citizen(d: &Data, c: &Ctx) -> Result<ParsedCitizenId, Bad> {
    let s = cell::ident(d, c)?;
    CitizenId::parse_on(&s, c.today).map_err(|e| e.message(c.lang))
}

/// An error of the citizen-ID part of a certificate number (reported on the ID column already
/// when the ID itself is bad).
fn is_id_part_error(e: &IdError) -> bool {
    match e {
        IdError::Char { pos, .. } => *pos <= 18,
        IdError::BirthDate { .. } | IdError::FutureBirth { .. } | IdError::CheckDigit { .. } => {
            true
        }
        _ => false,
    }
}

fn past_date(d: &Data, c: &Ctx) -> Result<NaiveDate, Bad> {
    let date = cell::date(d, c)?;
    not_future(date, c.today).map_err(|e| c.msg(&e))
}

fn yes_no(d: &Data, c: &Ctx) -> Result<bool, Bad> {
    cell::yes_no(d, c)
}

fn month(d: &Data, c: &Ctx) -> Result<Month, Bad> {
    cell::month(d, c)
}

fn name(d: &Data, c: &Ctx) -> Result<String, Bad> {
    parse_name(&cell::text(d)).map_err(|e| c.msg(&e))
}

fn ident_string(d: &Data, c: &Ctx) -> Result<String, Bad> {
    Ok(cell::norm(&cell::ident(d, c)?).into_owned())
}

impl PersonParser<'_> {
    /// Rejects, in the identity and contact columns, a formula cell (its cached value is not
    /// what the clerk wrote) and a text starting with `=` (a formula once opened in a
    /// spreadsheet; `="…"` around an identifier is a constant and passes).
    fn reject_formulas(&self, rc: &mut RowCheck<'_>, skip: &[usize]) {
        let lang = rc.lang();
        for f in FORMULA_FREE {
            let Some(col) = rc.abs_col(f) else { continue };
            if skip.contains(&f) {
                continue;
            }
            let at = rc.cell_ref(f);
            if let Some(formula) = self.formulas.get(&(rc.excel_row, col)) {
                let formula = short(formula);
                let m = match lang {
                    Lang::Zh => format!(
                        "单元格 {at} 是公式“={formula}”：身份和联系信息须填写实际内容，不能用公式"
                    ),
                    Lang::En => format!(
                        "cell {at} is the formula “={formula}”: identity and contact columns take the actual value, not a formula"
                    ),
                };
                rc.reject(f, m);
                continue;
            }
            let Some(Data::String(s)) = rc.raw(f) else {
                continue;
            };
            let t = zhucan_domain::parse::unescape_sheet_text(cell::trim(s));
            let constant = matches!(f, p::CITIZEN_ID | p::CERTIFICATE_NO) && is_quoted_constant(t);
            if t.starts_with('=') && !constant {
                let m = match lang {
                    Lang::Zh => format!(
                        "单元格 {at} 以“=”开头，会被电子表格当作公式：身份和联系信息须填写实际内容"
                    ),
                    Lang::En => format!(
                        "cell {at} starts with “=”, which spreadsheets run as a formula: identity and contact columns take the actual value"
                    ),
                };
                rc.reject(f, m);
            }
        }
    }

    /// Checks one row (`excel_row` as Excel numbers it).
    pub fn parse_row(&self, row: &[Data], excel_row: u32) -> Result<GoodRow, Vec<Issue>> {
        let mut rc = RowCheck::new(&self.layout, row, excel_row);
        let lang = rc.lang();
        let today = rc.ctx().today;
        let controls = rc.reject_control_chars();
        self.reject_formulas(&mut rc, &controls);

        let name = rc.req(p::NAME, name);
        let cid = rc.req(p::CITIZEN_ID, citizen);
        let id_bad = cid.is_none() && rc.cell(p::CITIZEN_ID).is_some();

        // Certificate number: reported unless its only fault is the (bad) ID it starts with.
        let cert: Option<ParsedCertificateNo> = if rc.cell(p::CERTIFICATE_NO).is_none() {
            rc.req(p::CERTIFICATE_NO, |_, _| Err(String::new()))
        } else {
            let parsed = rc.opt(p::CERTIFICATE_NO, |d, c| {
                let s = cell::ident(d, c)?;
                match CertificateNo::parse_on(&s, c.today) {
                    Ok(v) => Ok(Some(v)),
                    Err(e) if id_bad && is_id_part_error(&e) => Ok(None),
                    Err(e) => Err(cert_message(&e, c.lang)),
                }
            });
            parsed.flatten()
        };
        if let (Some(id), Some(cn)) = (&cid, &cert)
            && cn.citizen.id != id.id
        {
            let m = match lang {
                Lang::Zh => format!("残疾人证号应以公民身份号码 {} 开头", id.id),
                Lang::En => format!(
                    "the certificate number must start with the citizen ID {}",
                    id.id
                ),
            };
            rc.reject(p::CERTIFICATE_NO, m);
        }

        let category = rc.req(p::CATEGORY, |d, c| {
            cell::choice(d, Category::parse, Category::choices, c)
        });
        let grade = rc.req(p::GRADE, |d, c| {
            cell::choice(d, Grade::parse, Grade::choices, c)
        });
        if let Some(cn) = &cert {
            if let Some(cat) = category
                && cat != cn.category
            {
                let m = match lang {
                    Lang::Zh => format!(
                        "与残疾人证号第 19 位不一致：证号表示“{}”（{}）",
                        cn.category.zh(),
                        cn.category.digit()
                    ),
                    Lang::En => format!(
                        "does not match digit 19 of the certificate number, which says {} ({})",
                        cn.category.zh(),
                        cn.category.digit()
                    ),
                };
                rc.reject(p::CATEGORY, m);
            }
            if let Some(g) = grade
                && g != cn.grade
            {
                let m = match lang {
                    Lang::Zh => format!(
                        "与残疾人证号第 20 位不一致：证号表示“{}”（{}）",
                        cn.grade.zh(),
                        cn.grade.digit()
                    ),
                    Lang::En => format!(
                        "does not match digit 20 of the certificate number, which says {} ({})",
                        cn.grade.zh(),
                        cn.grade.digit()
                    ),
                };
                rc.reject(p::GRADE, m);
            }
        }

        let mut components = rc
            .opt(p::COMPONENTS, |d, c| {
                parse_components(&cell::norm(&cell::text(d))).map_err(|part| match c.lang {
                    Lang::Zh => format!(
                        "多重残疾构成中的“{part}”无效：应为 {} 中的类别，用“、”分隔",
                        single_choices()
                    ),
                    Lang::En => format!(
                        "“{part}” is not a component category: use {} separated by “、”",
                        single_choices()
                    ),
                })
            })
            .unwrap_or_default();
        let effective_category = cert.as_ref().map(|c| c.category).or(category);
        match effective_category {
            Some(Category::Multiple)
                if components.is_empty() && rc.cell(p::COMPONENTS).is_none() =>
            {
                let m = rc.ctx().pick(
                    "多重残疾未填写多重残疾构成",
                    "multiple disability without its component categories",
                );
                rc.warn(p::COMPONENTS, m);
            }
            Some(c) if c != Category::Multiple && !components.is_empty() => {
                let m = rc.ctx().pick(
                    "不是多重残疾，已忽略多重残疾构成",
                    "not a multiple disability: the components are ignored",
                );
                rc.warn(p::COMPONENTS, m);
                components.clear();
            }
            _ => {}
        }

        let birth = cid.as_ref().map(|c| c.id.birth_date());
        let issued = rc.req(p::ISSUED_ON, past_date);
        if let (Some(i), Some(b)) = (issued, birth)
            && i < b
        {
            let m = before_birth(b, lang);
            rc.reject(p::ISSUED_ON, m);
        }
        let valid_until = rc.opt(p::VALID_UNTIL, cell::date);
        if let (Some(v), Some(i)) = (valid_until, issued)
            && v < i
        {
            let m = match lang {
                Lang::Zh => format!("有效期至早于发证日期（{i}）"),
                Lang::En => format!("valid-until is before the issue date ({i})"),
            };
            rc.reject(p::VALID_UNTIL, m);
        }
        let stated = rc.opt(p::STATUS, |d, c| {
            cell::choice(d, CertificateStatus::parse, CertificateStatus::choices, c)
        });
        let revoked_on = rc.opt(p::REVOKED_ON, past_date);
        if let (Some(r), Some(i)) = (revoked_on, issued)
            && r < i
        {
            let m = match lang {
                Lang::Zh => format!("注销日期早于发证日期（{i}）"),
                Lang::En => format!("the revocation date is before the issue date ({i})"),
            };
            rc.reject(p::REVOKED_ON, m);
        }
        if revoked_on.is_some() && stated == Some(CertificateStatus::Valid) {
            let m = rc.ctx().pick(
                "证件状态为“有效”，不能填写注销日期",
                "the certificate status is “valid”: a revocation date cannot be given",
            );
            rc.reject(p::REVOKED_ON, m);
        }
        // A revocation date alone says the certificate is revoked.
        let status = stated.unwrap_or(if revoked_on.is_some() {
            CertificateStatus::Revoked
        } else {
            CertificateStatus::Valid
        });
        let smart_card = rc.opt(p::SMART_CARD, yes_no).unwrap_or(false);

        let areas = self.areas;
        let township = rc.req(p::TOWNSHIP, |d, c| {
            let s = cell::ident(d, c)?;
            areas.township(&s, c.lang)
        });
        let mut extras = RecordExtras {
            village_name: None,
            legacy_id: cid.as_ref().and_then(|c| c.upgraded_from.clone()),
        };
        let mut village = None;
        if let Some(t) = &township {
            match rc.opt(p::VILLAGE, |d, c| {
                let s = cell::ident(d, c)?;
                areas.village(t, &s, c.lang)
            }) {
                Some(Village::Known(code)) => village = Some(code),
                Some(Village::Unknown(name)) => {
                    let m = match lang {
                        Lang::Zh => format!("村社区“{name}”不在区划表中，已按名称保存"),
                        Lang::En => {
                            format!(
                                "village “{name}” is not in the area dictionary: kept as a name"
                            )
                        }
                    };
                    rc.warn(p::VILLAGE, m);
                    extras.village_name = Some(name);
                }
                Some(Village::None) | None => {}
            }
        }

        let hukou_type = rc.opt(p::HUKOU, |d, c| {
            cell::choice(d, HukouType::parse, HukouType::choices, c)
        });
        let household_id = rc.opt(p::HOUSEHOLD_ID, ident_string);
        let household_size = rc.opt(p::HOUSEHOLD_SIZE, |d, c| cell::int(d, 1, 999, c));
        let phone = rc.opt(p::PHONE, ident_string);
        let guardian_name = rc.opt(p::GUARDIAN_NAME, ident_string);
        let guardian_phone = rc.opt(p::GUARDIAN_PHONE, ident_string);
        let died_on = rc.opt(p::DIED_ON, past_date);
        let moved_out_on = rc.opt(p::MOVED_OUT_ON, past_date);
        for (field, date) in [(p::DIED_ON, died_on), (p::MOVED_OUT_ON, moved_out_on)] {
            if let (Some(d), Some(b)) = (date, birth)
                && d < b
            {
                let m = before_birth(b, lang);
                rc.reject(field, m);
            }
        }

        let economic_status = rc.opt(p::ECONOMIC_STATUS, |d, c| {
            cell::choice(d, EconomicStatus::parse, EconomicStatus::choices, c)
        });
        let income_per_capita_fen = rc.opt(p::INCOME, cell::yuan_to_fen);
        let living_subsidy_since = rc.opt(p::LIVING_SINCE, month);
        let living_subsidy_until = rc.opt(p::LIVING_UNTIL, month);
        let nursing_subsidy_since = rc.opt(p::NURSING_SINCE, month);
        let nursing_subsidy_until = rc.opt(p::NURSING_UNTIL, month);
        for (field, since, until) in [
            (p::LIVING_UNTIL, living_subsidy_since, living_subsidy_until),
            (
                p::NURSING_UNTIL,
                nursing_subsidy_since,
                nursing_subsidy_until,
            ),
        ] {
            if let (Some(s), Some(u)) = (since, until)
                && u < s
            {
                let m = match lang {
                    Lang::Zh => format!("停发年月早于开始年月（{s}）"),
                    Lang::En => format!("the last month is before the first month ({s})"),
                };
                rc.reject(field, m);
            }
        }
        let insurance =
            |d: &Data, c: &Ctx| cell::choice(d, Insurance::parse, Insurance::choices, c);
        let pension_insurance = rc.opt(p::PENSION, insurance);
        let medical_insurance = rc.opt(p::MEDICAL, insurance);
        let employment_status = rc.opt(p::EMPLOYMENT, |d, c| {
            cell::choice(d, EmploymentStatus::parse, EmploymentStatus::choices, c)
        });
        let not_employed_reason = rc.opt(p::NOT_EMPLOYED_REASON, |d, c| {
            cell::choice(d, NotEmployedReason::parse, NotEmployedReason::choices, c)
        });
        let school_stage = rc.opt(p::SCHOOL_STAGE, |d, c| {
            cell::choice(d, SchoolStage::parse, SchoolStage::choices, c)
        });
        let completed_compulsory = rc.opt(p::COMPLETED_COMPULSORY, yes_no);
        let needs_rehab = rc.opt(p::NEEDS_REHAB, yes_no);
        let received_rehab = rc.opt(p::RECEIVED_REHAB, yes_no);
        let needs_device = rc.opt(p::NEEDS_DEVICE, yes_no);
        let device_fitted = rc.opt(p::DEVICE_FITTED, yes_no);
        let needs_home_modification = rc.opt(p::NEEDS_HOME_MOD, yes_no);
        let home_modification_done = rc.opt(p::HOME_MOD_DONE, yes_no);
        let care_need = rc.opt(p::CARE_NEED, |d, c| {
            cell::choice(d, CareNeed::parse, CareNeed::choices, c)
        });
        let receives_care = rc.opt(p::RECEIVES_CARE, yes_no);
        let culture_sports = rc.opt(p::CULTURE_SPORTS, yes_no);

        let max_year = today.year();
        let year_cell = rc.opt(p::SURVEY_YEAR, |d, c| {
            cell::int(d, 1949, i64::from(max_year), c)
        });
        let year_present = rc.cell(p::SURVEY_YEAR).is_some();

        if let Some(cn) = &cert
            && let Some(up) = &cn.citizen.upgraded_from
            && cid.as_ref().is_some_and(|c| c.upgraded_from.is_none())
        {
            // A 17-character certificate built on the 15-digit ID: say so too.
            let m = match lang {
                Lang::Zh => format!("旧证号（基于 15 位身份证号 {up}）已转换为 {}", cn.number),
                Lang::En => format!(
                    "old number (on the 15-digit ID {up}) converted to {}",
                    cn.number
                ),
            };
            rc.warn(p::CERTIFICATE_NO, m);
        }

        let (Some(name), Some(cid), Some(cert), Some(issued), Some(township)) =
            (name, cid, cert, issued, township)
        else {
            return Err(rc.issues);
        };
        if !rc.issues.is_empty() {
            return Err(rc.issues);
        }

        let year = match year_cell {
            Some(y) => y as i32,
            None => {
                let y = self.survey_year.unwrap_or_else(|| issued.year());
                if self.layout.header.has(p::SURVEY_YEAR) && !year_present {
                    let m = defaulted_year_message(self.survey_year, y, lang);
                    rc.warn(p::SURVEY_YEAR, m);
                }
                y
            }
        };
        if let Some(up) = &cid.upgraded_from {
            let m = match lang {
                Lang::Zh => format!("15 位身份证号 {up} 已升级为 18 位：{}", cid.id),
                Lang::En => format!("15-digit ID {up} upgraded to 18 digits: {}", cid.id),
            };
            rc.warn(p::CITIZEN_ID, m);
        }

        let record = PersonRecord {
            person: Person {
                citizen_id: cid.id,
                name,
                township,
                village,
                hukou_type,
                household_id,
                household_size,
                phone,
                guardian_name,
                guardian_phone,
                died_on,
                moved_out_on,
            },
            certificate: Certificate {
                number: cert.number,
                category: cert.category,
                grade: cert.grade,
                components,
                issued_on: issued,
                valid_until: valid_until
                    .unwrap_or_else(|| Certificate::default_valid_until(issued)),
                status,
                revoked_on: revoked_on.filter(|_| status == CertificateStatus::Revoked),
                smart_card,
            },
            survey: Survey {
                year,
                economic_status,
                income_per_capita_fen,
                living_subsidy_since,
                living_subsidy_until,
                nursing_subsidy_since,
                nursing_subsidy_until,
                pension_insurance,
                medical_insurance,
                employment_status,
                not_employed_reason,
                school_stage,
                completed_compulsory,
                needs_rehab,
                received_rehab,
                needs_device,
                device_fitted,
                needs_home_modification,
                home_modification_done,
                care_need,
                receives_care,
                culture_sports,
            },
        };
        Ok(GoodRow {
            record,
            extras,
            warnings: rc.warnings,
        })
    }
}

/// The message for a survey year taken from the command or the issue date.
pub(crate) fn defaulted_year_message(given: Option<i32>, year: i32, lang: Lang) -> String {
    match (given, lang) {
        (Some(_), Lang::Zh) => format!("未填调查年度，按指定的 {year} 年导入"),
        (Some(_), Lang::En) => format!("no survey year: imported as the given year {year}"),
        (None, Lang::Zh) => "未填调查年度，按发证日期所在年份导入".to_string(),
        (None, Lang::En) => "no survey year: the year of the issue date is used".to_string(),
    }
}

fn before_birth(birth: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("早于出生日期（{birth}）"),
        Lang::En => format!("is before the date of birth ({birth})"),
    }
}

fn cert_message(e: &IdError, lang: Lang) -> String {
    match e {
        IdError::Length { len, .. } => match lang {
            Lang::Zh => {
                format!("残疾人证号位数错误：应为 20 位（身份证号 + 类别 + 等级），实际 {len} 位")
            }
            Lang::En => format!(
                "wrong length: a certificate number has 20 characters (citizen ID + category + grade), found {len}"
            ),
        },
        other => other.message(lang),
    }
}

fn single_choices() -> String {
    Category::ALL
        .iter()
        .filter(|c| **c != Category::Multiple)
        .map(|c| c.zh())
        .collect::<Vec<_>>()
        .join("/")
}
