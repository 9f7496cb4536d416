//! The registry's forms: registration, life events, the file's edit and the yearly survey —
//! field models for the templates and the parsing of submitted values into domain types, with
//! one message per field.

use chrono::NaiveDate;
use zhucan_domain::area::{Area, AreaCode, AreaLevel};
use zhucan_domain::disability::{Category, Grade, parse_components};
use zhucan_domain::ids::{CertificateNo, CitizenId};
use zhucan_domain::parse::{ValueError, not_future, parse_date, parse_int};
use zhucan_domain::person::{
    Certificate, CertificateStatus, EconomicStatus, HukouType, Person, PersonRecord, Survey,
    parse_name,
};
use zhucan_domain::timeline::LifeEvent;
use zhucan_domain::{Lang, Localized};
pub use zhucan_web::forms::{FormField, Submission};
use zhucan_web::forms::{enum_options, find_area, msg, opt_text, township_options, yes_no_options};

/// Category, components and grade (of a new certificate when `new` is set).
fn disability_fields(lang: Lang, new: bool) -> [FormField; 3] {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let blank = crate::t(lang, "choose");
    let (cat, grade) = if new {
        (
            t("新残疾类别", "New category"),
            t("新残疾等级", "New grade"),
        )
    } else {
        (
            t("残疾类别", "Disability category"),
            t("残疾等级", "Disability grade"),
        )
    };
    [
        FormField::new("category", &cat, "select")
            .required()
            .options(enum_options(
                Category::ALL,
                Category::key,
                |c| c.label(lang).to_string(),
                Some(blank),
            )),
        FormField::new(
            "components",
            &t("多重残疾构成", "Components of a multiple disability"),
            "text",
        )
        .hint(&t(
            "仅多重残疾填写，如：智力、肢体",
            "only for multiple disability, e.g. intellectual, physical",
        )),
        FormField::new("grade", &grade, "select")
            .required()
            .options(enum_options(
                Grade::ALL,
                Grade::key,
                |g| g.label(lang).to_string(),
                Some(blank),
            )),
    ]
}

/// The registration form's fields.
pub fn person_fields(lang: Lang, areas: &[Area], scope: &AreaCode) -> Vec<FormField> {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let [category, components, grade] = disability_fields(lang, false);
    vec![
        FormField::new("name", &t("姓名", "Name"), "text")
            .required()
            .autocomplete("off"),
        FormField::new(
            "citizen_id",
            &t("公民身份号码", "Citizen ID number"),
            "text",
        )
        .required()
        .hint(&t(
            "18 位，末位可为 X；旧 15 位号码会自动升位",
            "18 characters, the last may be X; a 15-digit number is upgraded",
        )),
        category,
        components,
        grade,
        FormField::new("issued_on", &t("发证日期", "Certificate issued on"), "date")
            .required()
            .hint(&t("如 2025-03-01", "e.g. 2025-03-01")),
        FormField::new("valid_until", &t("有效期至", "Valid until"), "date").hint(&t(
            "不填则为发证日期后 10 年",
            "leave empty for 10 years after issue",
        )),
        FormField::new(
            "smart_card",
            &t("已换发智能化残疾人证", "Holds the smart card"),
            "select",
        )
        .options(yes_no_options(lang)),
        FormField::new("township", &t("乡镇（街道）", "Township"), "select")
            .required()
            .options(township_options(areas, scope, lang)),
        FormField::new("village", &t("村（社区）", "Village or community"), "text")
            .hint(&t("填写 12 位区划代码或名称", "12-digit code or name")),
        FormField::new("hukou_type", &t("户口性质", "Hukou type"), "select").options(enum_options(
            HukouType::ALL,
            HukouType::key,
            |h| h.label(lang).to_string(),
            Some(crate::t(lang, "not-given")),
        )),
        FormField::new("household_id", &t("户编号", "Household number"), "text").hint(&t(
            "同户人员填写相同编号；不填则自成一户",
            "the same number for members of one household; empty = own household",
        )),
        FormField::new("household_size", &t("家庭人口数", "Household size"), "text"),
        FormField::new("phone", &t("联系电话", "Phone"), "tel").autocomplete("off"),
        FormField::new("guardian_name", &t("监护人姓名", "Guardian's name"), "text"),
        FormField::new(
            "guardian_phone",
            &t("监护人电话", "Guardian's phone"),
            "tel",
        ),
        FormField::new(
            "economic_status",
            &t("家庭经济状况", "Household economic status"),
            "select",
        )
        .options(enum_options(
            EconomicStatus::ALL,
            EconomicStatus::key,
            |e| e.label(lang).to_string(),
            Some(crate::t(lang, "not-given")),
        )),
    ]
}

/// Parses the components of a multiple disability, with the message for a bad one.
fn components_field(input: &str, lang: Lang) -> Result<Vec<Category>, String> {
    parse_components(input).map_err(|bad| match lang {
        Lang::Zh => format!("“{bad}”不是残疾类别"),
        Lang::En => format!("“{bad}” is not a category"),
    })
}

/// Resolves the village field (code or name) inside the chosen township.
fn village_field(
    areas: &[Area],
    township: Option<&AreaCode>,
    input: &str,
    lang: Lang,
) -> Result<Option<AreaCode>, String> {
    if input.is_empty() {
        return Ok(None);
    }
    match find_area(areas, input, AreaLevel::Village, township) {
        Some(a) if township.is_some_and(|t| t.contains(&a.code)) => Ok(Some(a.code.clone())),
        _ => Err(match lang {
            Lang::Zh => format!("“{input}”不是所选乡镇下的村（社区）"),
            Lang::En => format!("“{input}” is not a village of the chosen township"),
        }),
    }
}

/// Residence, household, contact and guardian as a form states them.
struct Home {
    township: AreaCode,
    village: Option<AreaCode>,
    hukou_type: Option<HukouType>,
    household_id: Option<String>,
    household_size: Option<i64>,
    phone: Option<String>,
    guardian_name: Option<String>,
    guardian_phone: Option<String>,
}

/// The residence, household, contact and guardian fields (shared by registration and the
/// file's edit form); `None` when one is wrong (its message is in `errs`).
fn residence_and_contact(
    sub: &Submission,
    lang: Lang,
    areas: &[Area],
    errs: &mut Vec<(&'static str, String)>,
) -> Option<Home> {
    let township = find_area(areas, sub.get("township"), AreaLevel::Township, None);
    if township.is_none() {
        errs.push(("township", crate::t(lang, "choose-a-township").into()));
    }
    let village = village_field(areas, township.map(|t| &t.code), sub.get("village"), lang)
        .map_err(|m| errs.push(("village", m)))
        .ok()
        .flatten();
    let hukou_type = match sub.get("hukou_type") {
        "" => None,
        s => HukouType::parse(s),
    };
    let household_size = match sub.get("household_size") {
        "" => None,
        s => parse_int(s, 1, 99)
            .map_err(|e| errs.push(("household_size", msg(lang, &e))))
            .ok(),
    };
    let household_id = opt_text(sub.get("household_id"), 40, "household_id", errs, lang);
    let phone = opt_text(sub.get("phone"), 30, "phone", errs, lang);
    let guardian_name = opt_text(sub.get("guardian_name"), 50, "guardian_name", errs, lang);
    let guardian_phone = opt_text(sub.get("guardian_phone"), 30, "guardian_phone", errs, lang);
    Some(Home {
        township: township?.code.clone(),
        village,
        hukou_type,
        household_id,
        household_size,
        phone,
        guardian_name,
        guardian_phone,
    })
}

/// The fields of the file's edit form — what changes in a person's life without a new
/// certificate — filled from `rec`.
pub fn edit_fields(
    lang: Lang,
    areas: &[Area],
    scope: &AreaCode,
    rec: &PersonRecord,
) -> Vec<FormField> {
    const EDITABLE: [&str; 10] = [
        "name",
        "township",
        "village",
        "hukou_type",
        "household_id",
        "household_size",
        "phone",
        "guardian_name",
        "guardian_phone",
        "smart_card",
    ];
    let p = &rec.person;
    let value = |name: &str| -> String {
        match name {
            "name" => p.name.clone(),
            "township" => p.township.to_string(),
            "village" => p
                .village
                .as_ref()
                .map(|v| v.to_string())
                .unwrap_or_default(),
            "hukou_type" => p
                .hukou_type
                .map(|h| h.key().to_string())
                .unwrap_or_default(),
            "household_id" => p.household_id.clone().unwrap_or_default(),
            "household_size" => p.household_size.map(|n| n.to_string()).unwrap_or_default(),
            "phone" => p.phone.clone().unwrap_or_default(),
            "guardian_name" => p.guardian_name.clone().unwrap_or_default(),
            "guardian_phone" => p.guardian_phone.clone().unwrap_or_default(),
            "smart_card" => (if rec.certificate.smart_card {
                "yes"
            } else {
                "no"
            })
            .into(),
            _ => String::new(),
        }
    };
    let mut fields: Vec<FormField> = EDITABLE
        .iter()
        .filter_map(|n| {
            person_fields(lang, areas, scope)
                .into_iter()
                .find(|f| f.name == *n)
        })
        .map(|mut f| {
            f.value = value(&f.name);
            f
        })
        .collect();
    for f in fields.iter_mut().filter(|f| f.name == "township") {
        f.hint = Some(crate::t(lang, "a-move-within-the-district-is").into());
    }
    fields
}

/// Parses the edit form over the file's current record: the same person and certificate with
/// the edited residence, household, contact, guardian, name and smart card.
pub fn parse_edit(
    sub: &mut Submission,
    lang: Lang,
    areas: &[Area],
    current: &PersonRecord,
) -> Option<PersonRecord> {
    let mut errs: Vec<(&'static str, String)> = Vec::new();
    let name = parse_name(sub.get("name"))
        .map_err(|e| errs.push(("name", msg(lang, &e))))
        .ok();
    let home = residence_and_contact(sub, lang, areas, &mut errs);
    let smart_card = match sub.get("smart_card") {
        "yes" => true,
        "no" | "" => false,
        _ => {
            errs.push((
                "smart_card",
                ValueError::Choice {
                    choices: "是 / 否".into(),
                }
                .message(lang),
            ));
            false
        }
    };
    sub.errors
        .extend(errs.into_iter().map(|(f, m)| (f.to_string(), m)));
    if !sub.errors.is_empty() {
        return None;
    }
    let (name, home) = (name?, home?);
    let mut next = current.clone();
    next.person = Person {
        name,
        township: home.township,
        village: home.village,
        hukou_type: home.hukou_type,
        household_id: home.household_id,
        household_size: home.household_size,
        phone: home.phone,
        guardian_name: home.guardian_name,
        guardian_phone: home.guardian_phone,
        ..current.person.clone()
    };
    // The smart card is issued once; the form cannot take it back.
    next.certificate.smart_card = current.certificate.smart_card || smart_card;
    Some(next)
}

/// Parses the registration form into a record (for survey year `year`), or fills `sub.errors`.
pub fn parse_person(
    sub: &mut Submission,
    lang: Lang,
    areas: &[Area],
    today: NaiveDate,
) -> Option<PersonRecord> {
    let mut errs: Vec<(&'static str, String)> = Vec::new();
    let name = parse_name(sub.get("name"))
        .map_err(|e| errs.push(("name", msg(lang, &e))))
        .ok();
    let id = CitizenId::parse_on(sub.get("citizen_id"), today)
        .map_err(|e| errs.push(("citizen_id", msg(lang, &e))))
        .ok();
    let category = Category::parse(sub.get("category"));
    if category.is_none() {
        errs.push((
            "category",
            ValueError::Choice {
                choices: Category::choices(),
            }
            .message(lang),
        ));
    }
    let grade = Grade::parse(sub.get("grade"));
    if grade.is_none() {
        errs.push((
            "grade",
            ValueError::Choice {
                choices: Grade::choices(),
            }
            .message(lang),
        ));
    }
    let mut components = Vec::new();
    if category == Some(Category::Multiple) {
        match components_field(sub.get("components"), lang) {
            Ok(c) if c.len() >= 2 => components = c,
            Ok(_) => errs.push((
                "components",
                crate::t(lang, "a-multiple-disability-needs-at-least").into(),
            )),
            Err(m) => errs.push(("components", m)),
        }
    }
    let issued = match parse_date(sub.get("issued_on")).and_then(|d| not_future(d, today)) {
        Ok(d) => {
            if let Some(id) = &id
                && d < id.id.birth_date()
            {
                errs.push((
                    "issued_on",
                    crate::t(lang, "the-issue-date-is-before-the").into(),
                ));
                None
            } else {
                Some(d)
            }
        }
        Err(e) => {
            errs.push(("issued_on", msg(lang, &e)));
            None
        }
    };
    let valid_until = match sub.get("valid_until") {
        "" => issued.map(Certificate::default_valid_until),
        s => match parse_date(s) {
            Ok(d) if issued.is_some_and(|i| d <= i) => {
                errs.push((
                    "valid_until",
                    crate::t(lang, "must-be-after-the-issue-date").into(),
                ));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errs.push(("valid_until", msg(lang, &e)));
                None
            }
        },
    };
    let home = residence_and_contact(sub, lang, areas, &mut errs);
    let economic_status = match sub.get("economic_status") {
        "" => None,
        s => EconomicStatus::parse(s),
    };
    sub.errors
        .extend(errs.into_iter().map(|(f, m)| (f.to_string(), m)));
    if !sub.errors.is_empty() {
        return None;
    }
    let (name, id, category, grade, issued, valid_until, home) =
        (name?, id?, category?, grade?, issued?, valid_until?, home?);
    Some(PersonRecord {
        certificate: Certificate {
            number: CertificateNo::compose(&id.id, category, grade),
            category,
            grade,
            components,
            issued_on: issued,
            valid_until,
            status: CertificateStatus::Valid,
            revoked_on: None,
            smart_card: sub.get("smart_card") == "yes",
        },
        person: Person {
            citizen_id: id.id,
            name,
            township: home.township,
            village: home.village,
            hukou_type: home.hukou_type,
            household_id: home.household_id,
            household_size: home.household_size,
            phone: home.phone,
            guardian_name: home.guardian_name,
            guardian_phone: home.guardian_phone,
            died_on: None,
            moved_out_on: None,
        },
        survey: Survey {
            year: chrono::Datelike::year(&today),
            economic_status,
            ..Survey::default()
        },
    })
}

/// The life events staff can record, with their labels.
pub const EVENT_KINDS: &[(&str, &str, &str)] = &[
    (
        "reassess",
        "重新评定（类别或等级变更，换发新证）",
        "Re-assessment (new category or grade, new certificate)",
    ),
    ("renew", "证件到期换领", "Certificate renewal"),
    ("revoke", "注销残疾人证", "Revoke the certificate"),
    ("move_out", "迁出本区", "Moved out of the district"),
    ("move_in", "迁回本区", "Moved back into the district"),
    ("decease", "死亡", "Deceased"),
];

/// The fields of one kind of life event.
pub fn event_fields(kind: &str, lang: Lang, areas: &[Area], scope: &AreaCode) -> Vec<FormField> {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let [category, components, grade] = disability_fields(lang, true);
    let date = FormField::new("on", &t("发生日期", "Date"), "date")
        .required()
        .hint(&t("如 2025-03-01", "e.g. 2025-03-01"));
    match kind {
        "reassess" => vec![date, category, components, grade],
        "renew" => vec![
            date,
            FormField::new(
                "valid_until",
                &t("新有效期至", "New valid-until date"),
                "date",
            )
            .required(),
        ],
        "move_in" => vec![
            date,
            FormField::new(
                "township",
                &t("迁入乡镇（街道）", "Township moved to"),
                "select",
            )
            .required()
            .options(township_options(areas, scope, lang)),
            FormField::new("village", &t("村（社区）", "Village or community"), "text")
                .hint(&t("填写 12 位区划代码或名称", "12-digit code or name")),
        ],
        _ => vec![date],
    }
}

/// Parses a life-event form.
pub fn parse_event(
    kind: &str,
    sub: &mut Submission,
    lang: Lang,
    areas: &[Area],
    today: NaiveDate,
) -> Option<LifeEvent> {
    let on = match parse_date(sub.get("on")).and_then(|d| not_future(d, today)) {
        Ok(d) => Some(d),
        Err(e) => {
            sub.fail("on", msg(lang, &e));
            None
        }
    };
    let ev = match kind {
        "reassess" => {
            let category = Category::parse(sub.get("category"));
            if category.is_none() {
                sub.fail(
                    "category",
                    ValueError::Choice {
                        choices: Category::choices(),
                    }
                    .message(lang),
                );
            }
            let grade = Grade::parse(sub.get("grade"));
            if grade.is_none() {
                sub.fail(
                    "grade",
                    ValueError::Choice {
                        choices: Grade::choices(),
                    }
                    .message(lang),
                );
            }
            let components = components_field(sub.get("components"), lang).unwrap_or_else(|m| {
                sub.fail("components", m);
                vec![]
            });
            LifeEvent::Reassess {
                category: category?,
                grade: grade?,
                components,
                on: on?,
            }
        }
        "renew" => {
            let until = match parse_date(sub.get("valid_until")) {
                Ok(d) => Some(d),
                Err(e) => {
                    sub.fail("valid_until", msg(lang, &e));
                    None
                }
            };
            LifeEvent::Renew {
                on: on?,
                valid_until: until?,
            }
        }
        "revoke" => LifeEvent::Revoke { on: on? },
        "move_out" => LifeEvent::MoveOut { on: on? },
        "decease" => LifeEvent::Decease { on: on? },
        "move_in" => {
            let township = find_area(areas, sub.get("township"), AreaLevel::Township, None)
                .map(|a| a.code.clone());
            if township.is_none() {
                sub.fail("township", crate::t(lang, "choose-a-township").into());
            }
            let village = village_field(areas, township.as_ref(), sub.get("village"), lang)
                .unwrap_or_else(|m| {
                    sub.fail("village", m);
                    None
                });
            LifeEvent::MoveIn {
                on: on?,
                township: township?,
                village,
            }
        }
        _ => return None,
    };
    if sub.errors.is_empty() {
        Some(ev)
    } else {
        None
    }
}

/// A yes / no / not-stated choice.
fn tri_options(lang: Lang) -> Vec<(String, String)> {
    vec![
        (String::new(), crate::t(lang, "not-stated").into()),
        ("yes".into(), crate::t(lang, "yes").into()),
        ("no".into(), crate::t(lang, "no").into()),
    ]
}

fn tri_value(v: Option<bool>) -> String {
    match v {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => String::new(),
    }
}

/// The survey fields (动态更新) staff record for one year, filled from `s`. The subsidy
/// enrolments are not among them: subsidy decisions set them.
pub fn survey_fields(lang: Lang, s: &Survey) -> Vec<FormField> {
    use zhucan_domain::person::{
        CareNeed, EmploymentStatus, Insurance, NotEmployedReason, SchoolStage,
    };
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let blank = Some(crate::t(lang, "not-stated"));
    let select = |name: &str, label: String, options: Vec<(String, String)>, value: String| {
        let mut f = FormField::new(name, &label, "select").options(options);
        f.value = value;
        f
    };
    let tri = |name: &str, label: String, v: Option<bool>| {
        select(name, label, tri_options(lang), tri_value(v))
    };
    macro_rules! choice {
        ($name:expr, $label:expr, $ty:ty, $v:expr) => {
            select(
                $name,
                $label,
                enum_options(<$ty>::ALL, <$ty>::key, |x| x.label(lang).to_string(), blank),
                $v.map(|x: $ty| x.key().to_string()).unwrap_or_default(),
            )
        };
    }
    let mut income = FormField::new(
        "income_per_capita",
        &t(
            "家庭人均可支配收入（元/年）",
            "Disposable income per head (yuan a year)",
        ),
        "text",
    )
    .hint(&t("如 18000 或 18000.50", "e.g. 18000 or 18000.50"));
    income.value = s
        .income_per_capita_fen
        .map(zhucan_domain::parse::fen_to_yuan)
        .unwrap_or_default();
    vec![
        choice!(
            "economic_status",
            t("家庭经济状况", "Household economic status"),
            EconomicStatus,
            s.economic_status
        ),
        income,
        choice!(
            "pension_insurance",
            t("养老保险", "Pension insurance"),
            Insurance,
            s.pension_insurance
        ),
        choice!(
            "medical_insurance",
            t("医疗保险", "Medical insurance"),
            Insurance,
            s.medical_insurance
        ),
        choice!(
            "employment_status",
            t("就业状况", "Employment"),
            EmploymentStatus,
            s.employment_status
        ),
        choice!(
            "not_employed_reason",
            t("未就业原因", "Reason for not working"),
            NotEmployedReason,
            s.not_employed_reason
        ),
        choice!(
            "school_stage",
            t("在读阶段", "School stage"),
            SchoolStage,
            s.school_stage
        ),
        tri(
            "completed_compulsory",
            t("完成义务教育", "Completed compulsory education"),
            s.completed_compulsory,
        ),
        tri(
            "needs_rehab",
            t("康复需求", "Needs rehabilitation"),
            s.needs_rehab,
        ),
        tri(
            "received_rehab",
            t("获得康复服务", "Received rehabilitation"),
            s.received_rehab,
        ),
        tri(
            "needs_device",
            t("辅具需求", "Needs an assistive device"),
            s.needs_device,
        ),
        tri(
            "device_fitted",
            t("辅具已适配", "Device fitted"),
            s.device_fitted,
        ),
        tri(
            "needs_home_modification",
            t("无障碍改造需求", "Needs home modification"),
            s.needs_home_modification,
        ),
        tri(
            "home_modification_done",
            t("无障碍改造已完成", "Home modification done"),
            s.home_modification_done,
        ),
        choice!(
            "care_need",
            t("托养需求", "Care need"),
            CareNeed,
            s.care_need
        ),
        tri(
            "receives_care",
            t("接受托养服务", "Receives care"),
            s.receives_care,
        ),
        tri(
            "culture_sports",
            t("参加文体活动", "Took part in culture or sports"),
            s.culture_sports,
        ),
    ]
}

/// Parses the survey form over `before` (the year's current values; the enrolments are
/// kept as they are), or fills `sub.errors`.
pub fn parse_survey(sub: &mut Submission, lang: Lang, before: &Survey) -> Option<Survey> {
    use zhucan_domain::person::{
        CareNeed, EmploymentStatus, Insurance, NotEmployedReason, SchoolStage,
    };
    let mut errs: Vec<(String, String)> = Vec::new();
    fn choice<T>(
        sub: &Submission,
        field: &str,
        parse: fn(&str) -> Option<T>,
        choices: fn() -> String,
        lang: Lang,
        errs: &mut Vec<(String, String)>,
    ) -> Option<T> {
        match sub.get(field) {
            "" => None,
            v => {
                let r = parse(v);
                if r.is_none() {
                    errs.push((
                        field.to_string(),
                        ValueError::Choice { choices: choices() }.message(lang),
                    ));
                }
                r
            }
        }
    }
    let tri = |field: &str, errs: &mut Vec<(String, String)>| -> Option<bool> {
        match sub.get(field) {
            "" => None,
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                errs.push((
                    field.to_string(),
                    ValueError::Choice {
                        choices: crate::t(lang, "yes-no-not-stated").into(),
                    }
                    .message(lang),
                ));
                None
            }
        }
    };
    let income = match sub.get("income_per_capita") {
        "" => None,
        v => match zhucan_domain::parse::parse_yuan_to_fen(v) {
            Ok(f) if f >= 0 => Some(f),
            Ok(_) => {
                errs.push((
                    "income_per_capita".into(),
                    crate::t(lang, "the-income-cannot-be-negative").into(),
                ));
                None
            }
            Err(e) => {
                errs.push(("income_per_capita".into(), msg(lang, &e)));
                None
            }
        },
    };
    let s = Survey {
        year: before.year,
        economic_status: choice(
            sub,
            "economic_status",
            EconomicStatus::parse,
            EconomicStatus::choices,
            lang,
            &mut errs,
        ),
        income_per_capita_fen: income,
        living_subsidy_since: before.living_subsidy_since,
        living_subsidy_until: before.living_subsidy_until,
        nursing_subsidy_since: before.nursing_subsidy_since,
        nursing_subsidy_until: before.nursing_subsidy_until,
        pension_insurance: choice(
            sub,
            "pension_insurance",
            Insurance::parse,
            Insurance::choices,
            lang,
            &mut errs,
        ),
        medical_insurance: choice(
            sub,
            "medical_insurance",
            Insurance::parse,
            Insurance::choices,
            lang,
            &mut errs,
        ),
        employment_status: choice(
            sub,
            "employment_status",
            EmploymentStatus::parse,
            EmploymentStatus::choices,
            lang,
            &mut errs,
        ),
        not_employed_reason: choice(
            sub,
            "not_employed_reason",
            NotEmployedReason::parse,
            NotEmployedReason::choices,
            lang,
            &mut errs,
        ),
        school_stage: choice(
            sub,
            "school_stage",
            SchoolStage::parse,
            SchoolStage::choices,
            lang,
            &mut errs,
        ),
        completed_compulsory: tri("completed_compulsory", &mut errs),
        needs_rehab: tri("needs_rehab", &mut errs),
        received_rehab: tri("received_rehab", &mut errs),
        needs_device: tri("needs_device", &mut errs),
        device_fitted: tri("device_fitted", &mut errs),
        needs_home_modification: tri("needs_home_modification", &mut errs),
        home_modification_done: tri("home_modification_done", &mut errs),
        care_need: choice(
            sub,
            "care_need",
            CareNeed::parse,
            CareNeed::choices,
            lang,
            &mut errs,
        ),
        receives_care: tri("receives_care", &mut errs),
        culture_sports: tri("culture_sports", &mut errs),
    };
    if s.employment_status
        .is_some_and(|e| e != zhucan_domain::person::EmploymentStatus::NotEmployed)
        && s.not_employed_reason.is_some()
    {
        errs.push((
            "not_employed_reason".into(),
            crate::t(lang, "leave-the-reason-empty-for-a").into(),
        ));
    }
    sub.errors.extend(errs);
    sub.errors.is_empty().then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn areas() -> Vec<Area> {
        ["331003", "331003107", "331003107201"]
            .iter()
            .filter_map(|c| AreaCode::parse(c))
            .map(|code| Area {
                name: format!("地区{code}"),
                code,
                population: None,
                valid_from: None,
                valid_until: None,
            })
            .collect()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or(NaiveDate::MIN)
    }

    const PERSON_FIELDS: [&str; 16] = [
        "name",
        "citizen_id",
        "category",
        "components",
        "grade",
        "issued_on",
        "valid_until",
        "smart_card",
        "township",
        "village",
        "hukou_type",
        "household_id",
        "household_size",
        "phone",
        "guardian_name",
        "economic_status",
    ];

    proptest! {
        /// Any submitted values either parse into a record or name the fields that are wrong.
        #[test]
        fn person_form_parses_or_names_fields(values in proptest::collection::vec("\\PC{0,24}", 16)) {
            let map: HashMap<String, String> = PERSON_FIELDS.iter().map(|k| k.to_string()).zip(values).collect();
            let mut sub = Submission::new(map);
            let parsed = parse_person(&mut sub, Lang::Zh, &areas(), today());
            prop_assert_eq!(parsed.is_some(), sub.errors.is_empty());
            for (field, message) in &sub.errors {
                prop_assert!(PERSON_FIELDS.contains(&field.as_str()) && !message.is_empty());
            }
        }

        #[test]
        fn event_forms_never_panic(kind in "(reassess|renew|revoke|move_out|move_in|decease|x)", on in "\\PC{0,16}", a in "\\PC{0,16}", b in "\\PC{0,16}") {
            let map: HashMap<String, String> = [("on", on), ("category", a.clone()), ("grade", b.clone()), ("valid_until", a.clone()), ("township", a), ("village", b)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            let mut sub = Submission::new(map);
            let ev = parse_event(&kind, &mut sub, Lang::En, &areas(), today());
            prop_assert!(ev.is_none() || sub.errors.is_empty());
        }
    }

    #[test]
    fn a_valid_registration_parses() {
        let map: HashMap<String, String> = [
            ("name", "张三"),
            ("citizen_id", "11010519491231002X"),
            ("category", "physical"),
            ("grade", "2"),
            ("issued_on", "2025-03-01"),
            ("township", "331003107"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let mut sub = Submission::new(map);
        let rec = parse_person(&mut sub, Lang::Zh, &areas(), today());
        assert!(sub.errors.is_empty(), "{:?}", sub.errors);
        assert_eq!(
            rec.map(|r| r.certificate.number.to_string()),
            Some("11010519491231002X42".into())
        );
    }
}
