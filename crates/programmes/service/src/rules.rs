//! The service catalogue (服务目录) as data: each service states who may apply, the form's fields,
//! the documents to upload, the promised days and the workflow steps, in plain and easy-read
//! (易读) words. Applications are checked against it here, field by field.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use zhucan_domain::coded_enum;
use zhucan_domain::disability::{Category, Grade};
use zhucan_domain::lang::Lang;
use zhucan_domain::person::EconomicStatus;
use zhucan_subsidies::rules::Subsidy;

use zhucan_domain::workflow;
pub use zhucan_domain::workflow::{ActRefused, StaffAct, StepDef, Transition};

coded_enum! {
    /// Who may apply for a service.
    pub enum Eligibility {
        Anyone = ("anyone", "任何人", "anyone"),
        Uncertified = ("uncertified", "尚未持有有效残疾人证的人", "people without a valid certificate"),
        RenewalDue = ("renewal_due", "残疾人证一年内到期或已过期的持证人", "holders whose certificate ends within a year or has ended"),
        Certified = ("certified", "持有效残疾人证", "holders of a valid certificate"),
        LowIncome = ("low_income", "低保、低边家庭的持证残疾人", "certified persons in 低保 or 低边 households"),
        SevereCare = ("severe_care", "一、二级或三、四级智力、精神残疾人", "grade 1–2, or grade 3–4 intellectual or mental"),
        Severe = ("severe", "一、二级重度残疾人", "grade 1–2 (severe)"),
        WorkingAge = ("working_age", "劳动年龄段（16 至 59 周岁）的持证残疾人", "certified persons of working age (16–59)"),
        InSchool = ("in_school", "在读的残疾学生", "students with a disability"),
        LowIncomeOrSevere = ("low_income_or_severe", "低保、低边家庭或一、二级重度残疾人", "低保/低边 households or grade 1–2"),
    }
}

coded_enum! {
    /// The kind of a form field.
    pub enum FieldKind {
        Text = ("text", "文字", "text"),
        Date = ("date", "日期", "date"),
        Select = ("select", "选择", "choice"),
        YesNo = ("yes_no", "是/否", "yes/no"),
        Phone = ("phone", "电话", "phone"),
    }
}

/// One field of an application form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDef {
    pub name: String,
    pub label: String,
    pub label_en: String,
    pub kind: FieldKind,
    /// For selects: (key, Chinese, English).
    #[serde(default)]
    pub options: Vec<(String, String, String)>,
    pub required: bool,
    #[serde(default)]
    pub hint: Option<(String, String)>,
}

/// A document to upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocDef {
    pub key: String,
    pub label: String,
    pub label_en: String,
    pub required: bool,
}

/// One service of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDef {
    pub key: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub description_en: String,
    /// The same in easy-read words (short sentences, everyday words).
    pub easy_read: String,
    pub easy_read_en: String,
    pub eligibility: Eligibility,
    pub fields: Vec<FieldDef>,
    pub documents: Vec<DocDef>,
    pub promised_days: i64,
    pub steps: Vec<StepDef>,
    /// A subsidy whose enrolment an approval records.
    #[serde(default)]
    pub subsidy: Option<Subsidy>,
    /// The programme whose case pages work the application's steps and decision (its key:
    /// `homemod` works a home modification at `/homemod/projects/{id}`): the desk then only
    /// asks for information or rejects, since the steps record the programme's own data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handled_by: Option<String>,
}

impl ServiceDef {
    pub fn name(&self, lang: Lang) -> &str {
        lang.pick(&self.name, &self.name_en)
    }

    pub fn description(&self, lang: Lang) -> &str {
        lang.pick(&self.description, &self.description_en)
    }

    pub fn easy_read(&self, lang: Lang) -> &str {
        lang.pick(&self.easy_read, &self.easy_read_en)
    }

    /// The label of the required document `key`, empty for a key the service no longer has.
    pub fn document_label(&self, key: &str, lang: Lang) -> &str {
        self.documents
            .iter()
            .find(|d| d.key == key)
            .map(|d| lang.pick(&d.label, &d.label_en))
            .unwrap_or("")
    }
}

impl ServiceDef {
    /// Where the programme that works this service shows an application (see
    /// [`ServiceDef::handled_by`]).
    pub fn handled_at(&self, id: &str) -> Option<String> {
        self.handled_by
            .as_ref()
            .map(|p| format!("/{p}/projects/{id}"))
    }

    /// Whether `step` (0-based) is the service's last step (or past it, if the catalogue lost
    /// steps since the application was made): the step that the decision completes.
    pub fn at_last_step(&self, step: i64) -> bool {
        workflow::at_last_step(&self.steps, step)
    }

    /// The step `step` (0-based) by its label, numbered from 1 ("2. 审核").
    pub fn step_label(&self, step: i64, lang: Lang) -> String {
        workflow::step_label(&self.steps, step, lang)
    }

    /// The workflow rule of [`workflow::transition`] over the service's steps.
    pub fn transition(&self, step: i64, act: StaffAct) -> Result<Transition, ActRefused> {
        workflow::transition(&self.steps, step, act)
    }
}

/// What eligibility needs to know about a person (now).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applicant {
    /// Holds a valid, current certificate (and is alive and in the district).
    pub active: bool,
    pub grade: Grade,
    pub category: Category,
    pub mental_or_intellectual: bool,
    pub age: i32,
    pub economic: Option<EconomicStatus>,
    pub in_school: bool,
    /// Not revoked, alive, in the district, and the certificate ends within a year (or has).
    pub renewal_due: bool,
}

impl Eligibility {
    /// Whether `a` may apply.
    pub fn admits(self, a: &Applicant) -> bool {
        let low = matches!(
            a.economic,
            Some(EconomicStatus::Dibao | EconomicStatus::Dibian)
        );
        let severe = matches!(a.grade, Grade::One | Grade::Two);
        match self {
            Eligibility::Anyone => true,
            Eligibility::Uncertified => !a.active,
            Eligibility::RenewalDue => a.renewal_due,
            Eligibility::Certified => a.active,
            Eligibility::LowIncome => a.active && low,
            Eligibility::SevereCare => a.active && (severe || a.mental_or_intellectual),
            Eligibility::Severe => a.active && severe,
            Eligibility::WorkingAge => a.active && (16..=59).contains(&a.age),
            Eligibility::InSchool => a.active && a.in_school,
            Eligibility::LowIncomeOrSevere => a.active && (low || severe),
        }
    }
}

/// A field that could not be accepted: (field name, message).
pub type FieldErrors = Vec<(String, String)>;

/// Checks submitted answers against the form; returns the accepted answers (trimmed, only
/// the form's own fields) or every field's problem, naming the field and the value.
pub fn check_answers(
    def: &ServiceDef,
    values: &BTreeMap<String, String>,
    lang: Lang,
) -> Result<BTreeMap<String, String>, FieldErrors> {
    let mut out = BTreeMap::new();
    let mut errors = Vec::new();
    for f in &def.fields {
        let v = values
            .get(&f.name)
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        if v.is_empty() {
            if f.required {
                errors.push((f.name.clone(), crate::t(lang, "is-required").to_string()));
            }
            continue;
        }
        let bad = |why_zh: &str, why_en: &str| match lang {
            Lang::Zh => format!("“{v}”{why_zh}"),
            Lang::En => format!("“{v}” {why_en}"),
        };
        let ok = match f.kind {
            FieldKind::Text => {
                if v.chars().count() > 500 {
                    Err(bad("超过 500 个字", "is longer than 500 characters"))
                } else {
                    Ok(v.clone())
                }
            }
            FieldKind::Date => zhucan_domain::parse::parse_date(&v)
                .map(|d| d.to_string())
                .map_err(|e| format!("“{v}”{}", zhucan_domain::Localized::message(&e, lang))),
            FieldKind::Select => f
                .options
                .iter()
                .find(|(k, zh, en)| *k == v || *zh == v || en.eq_ignore_ascii_case(&v))
                .map(|(k, _, _)| k.clone())
                .ok_or_else(|| bad("不是可选项", "is not one of the choices")),
            FieldKind::YesNo => zhucan_domain::parse::parse_yes_no(&v)
                .map(|b| {
                    if b {
                        "yes".to_string()
                    } else {
                        "no".to_string()
                    }
                })
                .map_err(|_| bad("应为 是 或 否", "must be yes or no")),
            FieldKind::Phone => {
                let digits: String = zhucan_domain::ids::normalize(&v)
                    .chars()
                    .filter(|c| !matches!(c, ' ' | '-'))
                    .collect();
                if (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
                    Ok(digits)
                } else {
                    Err(bad(
                        "不是有效电话号码（7 到 15 位数字）",
                        "is not a phone number (7 to 15 digits)",
                    ))
                }
            }
        };
        match ok {
            Ok(v) => {
                out.insert(f.name.clone(), v);
            }
            Err(m) => errors.push((f.name.clone(), m)),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The largest upload accepted.
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;

/// Checks an uploaded file: a PDF, JPEG or PNG by its first bytes (not its name), at most
/// [`MAX_UPLOAD_BYTES`]. Returns the content type.
pub fn check_upload(name: &str, bytes: &[u8], lang: Lang) -> Result<&'static str, String> {
    if bytes.is_empty() {
        return Err(match lang {
            Lang::Zh => format!("文件“{name}”是空的"),
            Lang::En => format!("the file “{name}” is empty"),
        });
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(match lang {
            Lang::Zh => format!(
                "文件“{name}”有 {:.1} MB，超过 5 MB",
                bytes.len() as f64 / 1_048_576.0
            ),
            Lang::En => format!(
                "the file “{name}” is {:.1} MB, over 5 MB",
                bytes.len() as f64 / 1_048_576.0
            ),
        });
    }
    if bytes.starts_with(b"%PDF-") {
        Ok("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Ok("image/png")
    } else {
        Err(match lang {
            Lang::Zh => format!("文件“{name}”不是 PDF、JPG 或 PNG"),
            Lang::En => format!("the file “{name}” is not a PDF, JPG or PNG"),
        })
    }
}

/// A file name safe to store and offer back for download.
pub fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let s: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*'))
        .take(100)
        .collect();
    if s.trim().is_empty() {
        "file".into()
    } else {
        s
    }
}

coded_enum! {
    /// What a need is about (需求征集).
    pub enum NeedKind {
        Rehab = ("rehab", "康复", "rehabilitation"),
        Device = ("device", "辅助器具", "assistive device"),
        HomeModification = ("home_modification", "无障碍改造", "home accessibility"),
        Care = ("care", "托养照护", "care"),
        Employment = ("employment", "就业", "employment"),
        Education = ("education", "教育", "education"),
        Living = ("living", "生活困难", "hardship"),
        Other = ("other", "其他", "other"),
    }
}

coded_enum! {
    /// The citizen's answer when a need is closed.
    pub enum Satisfaction {
        Satisfied = ("satisfied", "满意", "satisfied"),
        Neutral = ("neutral", "基本满意", "fairly satisfied"),
        Unsatisfied = ("unsatisfied", "不满意", "not satisfied"),
    }
}

fn field(name: &str, label: &str, label_en: &str, kind: FieldKind, required: bool) -> FieldDef {
    FieldDef {
        name: name.into(),
        label: label.into(),
        label_en: label_en.into(),
        kind,
        options: vec![],
        required,
        hint: None,
    }
}

fn doc(key: &str, label: &str, label_en: &str, required: bool) -> DocDef {
    DocDef {
        key: key.into(),
        label: label.into(),
        label_en: label_en.into(),
        required,
    }
}

fn steps(list: &[(&str, &str, &str)]) -> Vec<StepDef> {
    list.iter()
        .map(|(k, zh, en)| StepDef::new(k, zh, en))
        .collect()
}

/// The default catalogue (the district edits it as data).
pub fn default_catalogue() -> Vec<ServiceDef> {
    let contact = || {
        field(
            "contact_phone",
            "联系电话",
            "Contact phone",
            FieldKind::Phone,
            true,
        )
    };
    let note = || {
        field(
            "note",
            "补充说明（可不填）",
            "Anything else (optional)",
            FieldKind::Text,
            false,
        )
    };
    let accept_review = steps(&[
        ("accept", "受理", "accept"),
        ("review", "审核", "review"),
        ("decide", "审批", "decide"),
    ]);
    let svc = |key: &str,
               name: &str,
               name_en: &str,
               desc: &str,
               desc_en: &str,
               easy: &str,
               easy_en: &str,
               elig: Eligibility,
               days: i64| ServiceDef {
        key: key.into(),
        name: name.into(),
        name_en: name_en.into(),
        description: desc.into(),
        description_en: desc_en.into(),
        easy_read: easy.into(),
        easy_read_en: easy_en.into(),
        eligibility: elig,
        fields: vec![contact(), note()],
        documents: vec![],
        promised_days: days,
        steps: accept_review.clone(),
        subsidy: None,
        handled_by: None,
    };
    let mut cert_new = svc(
        "cert_new",
        "残疾人证新办",
        "A new disability certificate",
        "首次申请残疾人证：提交申请后，残联安排到定点医院进行残疾评定，评定合格后发证。",
        "Apply for a first certificate: the federation arranges an assessment at a designated hospital and issues the certificate if you qualify.",
        "第一次办残疾人证。先申请。再去医院检查。合格就发证。",
        "Get your first disability card. Apply. Go to the hospital for a check. If you qualify, you get the card.",
        Eligibility::Uncertified,
        20,
    );
    cert_new.fields.insert(
        0,
        FieldDef {
            options: Category::ALL
                .iter()
                .filter(|c| **c != Category::Multiple)
                .map(|c| {
                    (
                        c.key().to_string(),
                        c.zh().to_string(),
                        c.label(Lang::En).to_string(),
                    )
                })
                .collect(),
            ..field(
                "category",
                "申请评定的残疾类别",
                "Category to assess",
                FieldKind::Select,
                true,
            )
        },
    );
    cert_new.documents = vec![
        doc(
            "id_card",
            "身份证或户口簿",
            "ID card or household register",
            true,
        ),
        doc("photo", "近期免冠照片", "A recent photo", true),
    ];
    cert_new.steps = steps(&[
        ("accept", "受理", "accept"),
        ("assess", "评定安排", "assessment"),
        ("decide", "审核发证", "decide and issue"),
    ]);
    let mut cert_renew = svc(
        "cert_renew",
        "残疾人证换领",
        "Renew the certificate",
        "残疾人证有效期 10 年，到期前一年内可换领新证（含第三代智能化残疾人证）。",
        "A certificate is valid 10 years; renew it within the last year (also to get the smart card).",
        "残疾人证快到期了。可以换新证。",
        "Your card will end soon. You can get a new one.",
        Eligibility::RenewalDue,
        10,
    );
    cert_renew.documents = vec![doc("photo", "近期免冠照片", "A recent photo", true)];
    let mut cert_change = svc(
        "cert_change",
        "残疾类别或等级变更（重新评定）",
        "Change of category or grade (re-assessment)",
        "残疾状况变化时申请重新评定；类别或等级变更后换发新证号的残疾人证，原证记入档案历史。",
        "If your disability changed, ask for a re-assessment; a new category or grade gives a new certificate number and the old one stays in your file.",
        "身体情况变了。可以重新检查。结果不同就换新证。",
        "Your disability changed. You can be checked again. If the result is different, you get a new card.",
        Eligibility::Certified,
        20,
    );
    cert_change.documents = vec![doc(
        "medical",
        "近期病历或诊断证明",
        "Recent medical records",
        true,
    )];
    let cert_lost = svc(
        "cert_lost",
        "残疾人证挂失补办",
        "Replace a lost certificate",
        "残疾人证遗失或损坏，挂失后补办；补办期间可使用电子证照。",
        "Report a lost or damaged certificate and get a replacement; meanwhile the electronic certificate works.",
        "残疾人证丢了或坏了。可以补办。补办时可以用手机上的电子证。",
        "You lost or broke your card. You can get a new one. Meanwhile use the card on your phone.",
        Eligibility::Certified,
        10,
    );
    let mut living = svc(
        "living_subsidy",
        "困难残疾人生活补贴",
        "Living subsidy",
        "低保、低边家庭的持证残疾人，每月按当地低保标准的一定比例发放生活补贴（特困供养人员除外）。",
        "Certified persons in 低保 or 低边 households get a monthly share of the local minimum living standard (not those supported as 特困).",
        "家里是低保或低边，可以每月领生活补贴。",
        "If your family gets 低保 or 低边, you can get money every month.",
        Eligibility::LowIncome,
        15,
    );
    living.documents = vec![doc(
        "dibao_proof",
        "低保或低边证明（可不传，系统可查）",
        "低保/低边 proof (optional: we can check it)",
        false,
    )];
    living.subsidy = Some(Subsidy::Living);
    let mut nursing = svc(
        "nursing_subsidy",
        "重度残疾人护理补贴",
        "Nursing subsidy",
        "一、二级残疾人和三、四级智力、精神残疾人，每月发放护理补贴；在机构托养的上浮发放。",
        "Grade 1–2, and grade 3–4 intellectual or mental: a monthly nursing subsidy, higher in residential care.",
        "残疾比较重，需要人照顾，可以每月领护理补贴。",
        "If you need someone to look after you, you can get money every month.",
        Eligibility::SevereCare,
        15,
    );
    nursing.subsidy = Some(Subsidy::Nursing);
    let mut rehab = svc(
        "rehab",
        "基本康复服务",
        "Basic rehabilitation",
        "康复训练、康复医疗和残疾儿童康复救助，按需求安排定点机构。",
        "Rehabilitation training and care, and child rehabilitation aid, at designated institutions.",
        "想做康复训练，可以申请。我们帮你找地方。",
        "If you want rehabilitation, apply. We find a place for you.",
        Eligibility::Certified,
        20,
    );
    rehab.fields.insert(
        0,
        FieldDef {
            options: vec![
                ("training".into(), "康复训练".into(), "training".into()),
                (
                    "child".into(),
                    "儿童康复".into(),
                    "child rehabilitation".into(),
                ),
                ("mental".into(), "精神康复".into(), "mental health".into()),
                ("other".into(), "其他".into(), "other".into()),
            ],
            ..field(
                "kind",
                "需要的康复",
                "Rehabilitation needed",
                FieldKind::Select,
                true,
            )
        },
    );
    let mut device = svc(
        "device",
        "辅助器具适配",
        "Assistive devices",
        "轮椅、助听器、盲杖、假肢等辅助器具的评估适配，实物配发或补贴，也可租借。",
        "Assessment and fitting of wheelchairs, hearing aids, canes, prostheses and more; given, subsidised or lent.",
        "需要轮椅、助听器这类东西，可以申请。",
        "If you need a wheelchair, a hearing aid or similar, apply.",
        Eligibility::Certified,
        20,
    );
    device.fields.insert(
        0,
        FieldDef {
            options: vec![
                ("wheelchair".into(), "轮椅".into(), "wheelchair".into()),
                ("hearing_aid".into(), "助听器".into(), "hearing aid".into()),
                ("cane".into(), "盲杖".into(), "white cane".into()),
                (
                    "prosthesis".into(),
                    "假肢矫形器".into(),
                    "prosthesis or orthosis".into(),
                ),
                ("other".into(), "其他".into(), "other".into()),
            ],
            ..field(
                "device",
                "需要的辅具",
                "Device needed",
                FieldKind::Select,
                true,
            )
        },
    );
    let mut home = svc(
        "home_modification",
        "家庭无障碍改造",
        "Home accessibility modification",
        "对符合条件的困难残疾人家庭进行扶手、坡道、卫浴等无障碍改造，入户评估、施工、验收。",
        "Handrails, ramps and bathrooms adapted for eligible households: survey, works and acceptance.",
        "家里进出、洗澡不方便，可以申请改造。",
        "If your home is hard to get around, apply to have it changed.",
        Eligibility::Certified,
        60,
    );
    home.fields.insert(
        0,
        field("address", "改造地址", "Address", FieldKind::Text, true),
    );
    home.steps = steps(&[
        ("accept", "受理", "accept"),
        ("survey", "入户评估", "home survey"),
        ("works", "施工", "works"),
        ("decide", "验收", "acceptance"),
    ]);
    // The works are recorded by the contractor the project is assigned to; the project pages
    // of the home modification programme work every step.
    if let Some(works) = home.steps.iter_mut().find(|s| s.key == "works") {
        works.by = zhucan_domain::workflow::StepBy::Contractor;
    }
    home.handled_by = Some("homemod".into());
    let mut care = svc(
        "care",
        "托养照护服务",
        "Care",
        "居家托养、日间照料（残疾人之家）和寄宿制托养。",
        "Home care, day care (homes of the disabled) and residential care.",
        "需要有人照顾，可以申请托养。",
        "If you need care, apply.",
        Eligibility::SevereCare,
        30,
    );
    care.fields.insert(
        0,
        FieldDef {
            options: vec![
                ("home".into(), "居家托养".into(), "home care".into()),
                ("day".into(), "日间照料".into(), "day care".into()),
                (
                    "residential".into(),
                    "寄宿托养".into(),
                    "residential care".into(),
                ),
            ],
            ..field("care", "托养方式", "Kind of care", FieldKind::Select, true)
        },
    );
    let employment = svc(
        "employment",
        "就业登记与职业培训",
        "Job seeking and training",
        "登记求职意向，推荐岗位（按比例就业、公益性岗位、辅助性就业），免费职业技能培训。",
        "Register as a job seeker, get job offers (quota, public-welfare, supported jobs) and free training.",
        "想找工作或学技能，可以登记。",
        "If you want a job or training, sign up.",
        Eligibility::WorkingAge,
        15,
    );
    let mut education = svc(
        "education_aid",
        "残疾学生教育资助",
        "Education aid",
        "学前至大学阶段残疾学生和残疾人家庭子女的教育资助。",
        "Aid for students with a disability, from preschool to university.",
        "在上学，可以申请助学钱。",
        "If you are a student, you can get money for school.",
        Eligibility::InSchool,
        20,
    );
    education.fields.insert(
        0,
        field("school", "就读学校", "School", FieldKind::Text, true),
    );
    education.documents = vec![doc(
        "enrolment",
        "在读证明或录取通知书",
        "Proof of enrolment",
        true,
    )];
    let insurance = svc(
        "insurance_subsidy",
        "社会保险缴费补助",
        "Insurance contribution aid",
        "困难和重度残疾人参加城乡居民基本养老、医疗保险的个人缴费由财政补助。",
        "The government pays the personal part of resident pension and medical insurance for low-income and severely disabled people.",
        "家里困难或残疾重，交社保的钱政府帮你出。",
        "If your family is poor or your disability is severe, the government pays your insurance.",
        Eligibility::LowIncomeOrSevere,
        20,
    );
    let transport = svc(
        "transport",
        "公交免费乘车",
        "Free public transport",
        "重度残疾人及一名陪护人免费乘坐市内公交，凭电子证照或智能化残疾人证乘车。",
        "Severely disabled people and one companion ride city buses free, with the electronic certificate or the smart card.",
        "残疾重的人和一个陪同的人，坐公交车不要钱。",
        "Severely disabled people and one helper ride the bus free.",
        Eligibility::Severe,
        7,
    );
    let mut out = vec![
        cert_new,
        cert_renew,
        cert_change,
        cert_lost,
        living,
        nursing,
        rehab,
        device,
        home,
        care,
        employment,
        education,
        insurance,
        transport,
    ];
    for s in &mut out {
        if s.steps.is_empty() {
            s.steps = accept_review.clone();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn applicant() -> Applicant {
        Applicant {
            active: true,
            grade: Grade::Two,
            category: Category::Physical,
            mental_or_intellectual: false,
            age: 40,
            economic: Some(EconomicStatus::Dibao),
            in_school: false,
            renewal_due: false,
        }
    }

    #[test]
    fn eligibility_rules() {
        let a = applicant();
        assert!(Eligibility::LowIncome.admits(&a));
        assert!(Eligibility::Severe.admits(&a));
        assert!(!Eligibility::InSchool.admits(&a));
        let old = Applicant { age: 60, ..a };
        assert!(!Eligibility::WorkingAge.admits(&old));
        let mild = Applicant {
            grade: Grade::Four,
            economic: None,
            ..a
        };
        assert!(!Eligibility::SevereCare.admits(&mild));
        assert!(Eligibility::SevereCare.admits(&Applicant {
            mental_or_intellectual: true,
            ..mild
        }));
        assert!(!Eligibility::Certified.admits(&Applicant { active: false, ..a }));
        assert!(Eligibility::Anyone.admits(&Applicant { active: false, ..a }));
        assert!(
            Eligibility::Uncertified.admits(&Applicant { active: false, ..a })
                && !Eligibility::Uncertified.admits(&a)
        );
        assert!(
            !Eligibility::RenewalDue.admits(&a)
                && Eligibility::RenewalDue.admits(&Applicant {
                    renewal_due: true,
                    ..a
                })
        );
    }

    #[test]
    fn answers_are_checked_field_by_field() {
        let cat = default_catalogue();
        let device = cat.iter().find(|s| s.key == "device").expect("device");
        let mut v = BTreeMap::new();
        v.insert("device".to_string(), "轮椅".to_string());
        v.insert("contact_phone".to_string(), "138 1234 5678".to_string());
        v.insert("unknown".to_string(), "x".to_string());
        let ok = check_answers(device, &v, Lang::Zh).expect("ok");
        assert_eq!(ok.get("device").map(String::as_str), Some("wheelchair"));
        assert_eq!(
            ok.get("contact_phone").map(String::as_str),
            Some("13812345678")
        );
        assert!(!ok.contains_key("unknown"));
        v.insert("device".to_string(), "飞机".to_string());
        v.insert("contact_phone".to_string(), "12".to_string());
        let e = check_answers(device, &v, Lang::Zh).expect_err("errors");
        assert_eq!(e.len(), 2);
        assert!(e[0].1.contains("飞机") && e[1].1.contains("12"));
        assert_eq!(
            check_answers(device, &BTreeMap::new(), Lang::En)
                .expect_err("e")
                .len(),
            2
        );
        // Every service has steps, promised days and an easy-read text.
        for s in &cat {
            assert!(
                !s.steps.is_empty() && s.promised_days > 0 && !s.easy_read.is_empty(),
                "{}",
                s.key
            );
        }
    }

    #[test]
    fn steps_advance_one_at_a_time_and_approval_comes_last() {
        let cat = default_catalogue();
        let home = cat
            .iter()
            .find(|s| s.key == "home_modification")
            .expect("home");
        assert_eq!(home.steps.len(), 4);
        // At step 1 of 4 approval is refused, naming the step still to be done.
        assert_eq!(
            home.transition(0, StaffAct::Approve),
            Err(ActRefused::StepsRemain {
                step: 0,
                remaining: 3
            })
        );
        assert_eq!(home.step_label(0, Lang::Zh), "1. 受理");
        // Walking the steps: each completion moves exactly one step on.
        let mut step = 0;
        while !home.at_last_step(step) {
            assert!(home.transition(step, StaffAct::Approve).is_err());
            assert_eq!(
                home.transition(step, StaffAct::CompleteStep),
                Ok(Transition::Step(step + 1))
            );
            step += 1;
        }
        assert_eq!(step, 3);
        // The last step is completed by a decision, never by "complete this step".
        assert_eq!(
            home.transition(step, StaffAct::CompleteStep),
            Err(ActRefused::DecisionDue)
        );
        assert_eq!(
            home.transition(step, StaffAct::Approve),
            Ok(Transition::Approved)
        );
        // A rejection with reasons and a request for information are open at every step.
        for s in 0..=3 {
            assert_eq!(
                home.transition(s, StaffAct::Reject),
                Ok(Transition::Rejected)
            );
            assert_eq!(
                home.transition(s, StaffAct::RequestInfo),
                Ok(Transition::InfoRequested)
            );
        }
        // A step beyond the catalogue's (it lost steps since) counts as the last.
        assert!(home.at_last_step(9));
        assert_eq!(home.step_label(9, Lang::En), "");
        assert_eq!(home.step_label(-1, Lang::En), "");
    }

    #[test]
    fn uploads_are_checked_by_content() {
        assert_eq!(
            check_upload("a.pdf", b"%PDF-1.7 ...", Lang::Zh),
            Ok("application/pdf")
        );
        assert_eq!(
            check_upload("a.txt", &[0xFF, 0xD8, 0xFF, 0xE0], Lang::Zh),
            Ok("image/jpeg")
        );
        assert!(check_upload("evil.pdf", b"MZ\x90\x00", Lang::Zh).is_err());
        assert!(check_upload("empty.png", b"", Lang::En).is_err());
        assert!(check_upload("big.pdf", &vec![b'%'; MAX_UPLOAD_BYTES + 1], Lang::En).is_err());
        assert_eq!(safe_file_name("../../etc/pass\"wd"), "passwd");
        assert_eq!(safe_file_name("C:\\x\\诊断.pdf"), "诊断.pdf");
        assert_eq!(safe_file_name(""), "file");
    }

    proptest! {
        #[test]
        fn checks_never_panic(s in "\\PC{0,60}", b in proptest::collection::vec(any::<u8>(), 0..64)) {
            let cat = default_catalogue();
            let mut v = BTreeMap::new();
            for svc in &cat {
                for f in &svc.fields {
                    v.insert(f.name.clone(), s.clone());
                }
                let _ = check_answers(svc, &v, Lang::Zh);
            }
            let _ = check_upload(&s, &b, Lang::En);
            let _ = safe_file_name(&s);
        }
    }
}
