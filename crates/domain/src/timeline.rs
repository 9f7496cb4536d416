//! The life-cycle timeline (全生命周期): every change to a person file is an appended event;
//! history is never overwritten.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::area::AreaCode;
use crate::coded_enum;
use crate::lang::Lang;
use crate::person::{Certificate, CertificateStatus, Person, PersonRecord, Survey};

coded_enum! {
    /// What happened.
    pub enum EventKind {
        Registered = ("registered", "建档", "file opened"),
        CertificateIssued = ("certificate_issued", "发证", "certificate issued"),
        Reassessed = ("reassessed", "重新评定", "re-assessed", "换证"),
        Renewed = ("renewed", "证件换领", "certificate renewed", "到期换证"),
        Revoked = ("revoked", "注销", "certificate revoked"),
        Reinstated = ("reinstated", "恢复", "certificate reinstated"),
        MovedIn = ("moved_in", "迁入", "moved in"),
        MovedOut = ("moved_out", "迁出", "moved out"),
        Relocated = ("relocated", "区内迁移", "moved within the district"),
        Deceased = ("deceased", "死亡", "deceased"),
        Corrected = ("corrected", "信息更正", "record corrected"),
        SmartCard = ("smart_card", "换发智能化证", "smart card issued"),
        SubsidyEnrolled = ("subsidy_enrolled", "补贴发放", "subsidy started"),
        SubsidyStopped = ("subsidy_stopped", "补贴停发", "subsidy stopped"),
        BenefitRecorded = ("benefit_recorded", "其他补助登记", "other allowance recorded"),
        ServiceApplied = ("service_applied", "服务申请", "applied for a service"),
        ServiceStep = ("service_step", "服务办理", "service step"),
        ServiceDecided = ("service_decided", "服务办结", "service decided"),
        NeedRecorded = ("need_recorded", "需求登记", "need recorded"),
        SurveyUpdated = ("survey_updated", "动态更新", "survey updated"),
    }
}

/// An event to append to a person's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEvent {
    pub kind: EventKind,
    /// When it happened (may be unknown for corrections: then the recording date).
    pub occurred_on: Option<NaiveDate>,
    /// A short plain-language description, in Chinese (the stored language of the registry).
    pub summary: String,
}

impl NewEvent {
    fn new(kind: EventKind, occurred_on: Option<NaiveDate>, summary: impl Into<String>) -> Self {
        NewEvent {
            kind,
            occurred_on,
            summary: summary.into(),
        }
    }
}

/// The events that turn the file `old` (if any) into `new`, as a registry import or a form save
/// would. An unchanged record yields no events, which makes re-imports idempotent.
pub fn events_between(old: Option<(&Person, &Certificate)>, new: &PersonRecord) -> Vec<NewEvent> {
    let p = &new.person;
    let c = &new.certificate;
    let mut out = Vec::new();
    let Some((op, oc)) = old else {
        out.push(NewEvent::new(
            EventKind::CertificateIssued,
            Some(c.issued_on),
            format!(
                "{}{}，证号尾号 {}",
                c.category.zh(),
                c.grade.zh(),
                tail(c.number.as_str())
            ),
        ));
        if let Some(d) = p.moved_out_on {
            out.push(NewEvent::new(EventKind::MovedOut, Some(d), ""));
        }
        if let Some(d) = p.died_on {
            out.push(NewEvent::new(EventKind::Deceased, Some(d), ""));
        }
        if c.status == CertificateStatus::Revoked {
            out.push(NewEvent::new(
                EventKind::Revoked,
                c.revoked_on,
                "残疾人证注销",
            ));
        }
        return out;
    };
    if oc.number != c.number {
        out.push(NewEvent::new(
            EventKind::Reassessed,
            Some(c.issued_on),
            format!(
                "{}{} → {}{}",
                oc.category.zh(),
                oc.grade.zh(),
                c.category.zh(),
                c.grade.zh()
            ),
        ));
    } else if c.valid_until > oc.valid_until && c.issued_on >= oc.issued_on {
        out.push(NewEvent::new(
            EventKind::Renewed,
            Some(c.issued_on),
            format!("有效期至 {}", c.valid_until),
        ));
    } else if c.issued_on != oc.issued_on
        || c.valid_until != oc.valid_until
        || c.components != oc.components
    {
        out.push(NewEvent::new(EventKind::Corrected, None, "证件信息更正"));
    }
    match (oc.status, c.status) {
        (CertificateStatus::Valid, CertificateStatus::Revoked) => out.push(NewEvent::new(
            EventKind::Revoked,
            c.revoked_on,
            "残疾人证注销",
        )),
        (CertificateStatus::Revoked, CertificateStatus::Valid) if oc.number == c.number => {
            out.push(NewEvent::new(EventKind::Reinstated, None, "证件恢复有效"))
        }
        _ => {}
    }
    if !oc.smart_card && c.smart_card {
        out.push(NewEvent::new(
            EventKind::SmartCard,
            None,
            "换发智能化残疾人证",
        ));
    }
    match (op.moved_out_on, p.moved_out_on) {
        (None, Some(d)) => out.push(NewEvent::new(EventKind::MovedOut, Some(d), "")),
        (Some(_), None) => out.push(NewEvent::new(EventKind::MovedIn, None, "迁回本区")),
        (Some(a), Some(b)) if a != b => out.push(NewEvent::new(
            EventKind::Corrected,
            None,
            format!("迁出日期更正为 {b}"),
        )),
        _ => {}
    }
    match (op.died_on, p.died_on) {
        (None, Some(d)) => out.push(NewEvent::new(EventKind::Deceased, Some(d), "")),
        (Some(_), None) => out.push(NewEvent::new(EventKind::Corrected, None, "撤销死亡记录")),
        (Some(a), Some(b)) if a != b => out.push(NewEvent::new(
            EventKind::Corrected,
            None,
            format!("死亡日期更正为 {b}"),
        )),
        _ => {}
    }
    if op.township != p.township || op.village != p.village {
        out.push(NewEvent::new(
            EventKind::Relocated,
            None,
            format!(
                "居住地变更：{} → {}",
                area_text(&op.township, &op.village),
                area_text(&p.township, &p.village)
            ),
        ));
    }
    let other_changed = op.name != p.name
        || op.hukou_type != p.hukou_type
        || op.household_id != p.household_id
        || op.household_size != p.household_size
        || op.phone != p.phone
        || op.guardian_name != p.guardian_name
        || op.guardian_phone != p.guardian_phone;
    if other_changed {
        // Each change with its old and new value (phones masked: the timeline is read by
        // everyone who reads the file).
        let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "（空）".into());
        let phone = |v: &Option<String>| {
            v.as_deref()
                .map(crate::ids::mask_phone)
                .unwrap_or_else(|| "（空）".into())
        };
        let mut fields = Vec::new();
        if op.name != p.name {
            fields.push(format!("姓名 {} → {}", op.name, p.name));
        }
        if op.hukou_type != p.hukou_type {
            let h = |v: Option<crate::person::HukouType>| v.map_or("（空）", |h| h.zh());
            fields.push(format!(
                "户口性质 {} → {}",
                h(op.hukou_type),
                h(p.hukou_type)
            ));
        }
        if op.household_id != p.household_id {
            fields.push(format!(
                "户编号 {} → {}",
                text(&op.household_id),
                text(&p.household_id)
            ));
        }
        if op.household_size != p.household_size {
            let n = |v: Option<i64>| v.map_or("（空）".to_string(), |n| n.to_string());
            fields.push(format!(
                "家庭人口数 {} → {}",
                n(op.household_size),
                n(p.household_size)
            ));
        }
        if op.phone != p.phone {
            fields.push(format!(
                "联系电话 {} → {}",
                phone(&op.phone),
                phone(&p.phone)
            ));
        }
        if op.guardian_name != p.guardian_name {
            fields.push(format!(
                "监护人 {} → {}",
                text(&op.guardian_name),
                text(&p.guardian_name)
            ));
        }
        if op.guardian_phone != p.guardian_phone {
            fields.push(format!(
                "监护人电话 {} → {}",
                phone(&op.guardian_phone),
                phone(&p.guardian_phone)
            ));
        }
        out.push(NewEvent::new(
            EventKind::Corrected,
            None,
            format!("信息更正：{}", fields.join("；")),
        ));
    }
    out
}

fn tail(s: &str) -> &str {
    &s[s.len().saturating_sub(4)..]
}

fn area_text(t: &AreaCode, v: &Option<AreaCode>) -> String {
    match v {
        Some(v) => v.to_string(),
        None => t.to_string(),
    }
}

/// A life event recorded by staff on the person file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LifeEvent {
    /// Re-assessment: new category and/or grade, hence a new certificate.
    Reassess {
        category: crate::Category,
        grade: crate::Grade,
        components: Vec<crate::Category>,
        on: NaiveDate,
    },
    /// Renewal: same number, new validity.
    Renew {
        on: NaiveDate,
        valid_until: NaiveDate,
    },
    Revoke {
        on: NaiveDate,
    },
    MoveOut {
        on: NaiveDate,
    },
    MoveIn {
        on: NaiveDate,
        township: AreaCode,
        village: Option<AreaCode>,
    },
    Decease {
        on: NaiveDate,
    },
}

/// Why a life event cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifeEventError {
    #[error("date before birth")]
    BeforeBirth,
    #[error("date in the future")]
    Future,
    #[error("already deceased")]
    Deceased,
    #[error("certificate already revoked")]
    AlreadyRevoked,
    #[error("not moved out")]
    NotMovedOut,
    #[error("already moved out")]
    AlreadyMovedOut,
    #[error("same category and grade")]
    SameGrade,
    #[error("valid-until before the renewal date")]
    ValidUntil,
    #[error("multiple disability needs components")]
    Components,
}

impl crate::Localized for LifeEventError {
    fn message(&self, lang: Lang) -> String {
        let (zh, en) = match self {
            LifeEventError::BeforeBirth => {
                ("日期早于出生日期", "the date is before the person's birth")
            }
            LifeEventError::Future => ("日期不能晚于今天", "the date cannot be after today"),
            LifeEventError::Deceased => ("此人已登记死亡", "this person is recorded as deceased"),
            LifeEventError::AlreadyRevoked => ("证件已注销", "the certificate is already revoked"),
            LifeEventError::NotMovedOut => ("此人未登记迁出", "this person has not moved out"),
            LifeEventError::AlreadyMovedOut => {
                ("此人已登记迁出", "this person has already moved out")
            }
            LifeEventError::SameGrade => (
                "类别和等级与现证相同，请改用“证件换领”",
                "category and grade are unchanged; use “renew” instead",
            ),
            LifeEventError::ValidUntil => (
                "有效期至应晚于换领日期",
                "valid-until must be after the renewal date",
            ),
            LifeEventError::Components => (
                "多重残疾须填写至少两个构成类别",
                "a multiple disability needs at least two component categories",
            ),
        };
        lang.pick(zh, en).to_string()
    }
}

/// Applies a life event to the current file, returning the new record state and its events.
pub fn apply_life_event(
    record: &PersonRecord,
    event: &LifeEvent,
    today: NaiveDate,
) -> Result<(PersonRecord, Vec<NewEvent>), LifeEventError> {
    let on = match event {
        LifeEvent::Reassess { on, .. }
        | LifeEvent::Renew { on, .. }
        | LifeEvent::Revoke { on }
        | LifeEvent::MoveOut { on }
        | LifeEvent::MoveIn { on, .. }
        | LifeEvent::Decease { on } => *on,
    };
    if on > today {
        return Err(LifeEventError::Future);
    }
    if on < record.person.citizen_id.birth_date() {
        return Err(LifeEventError::BeforeBirth);
    }
    if record.person.died_on.is_some() {
        return Err(LifeEventError::Deceased);
    }
    let mut next = record.clone();
    let ev = match event {
        LifeEvent::Reassess {
            category,
            grade,
            components,
            on,
        } => {
            if *category == record.certificate.category && *grade == record.certificate.grade {
                return Err(LifeEventError::SameGrade);
            }
            if *category == crate::Category::Multiple && components.len() < 2 {
                return Err(LifeEventError::Components);
            }
            let number =
                crate::CertificateNo::compose(&record.person.citizen_id, *category, *grade);
            next.certificate = Certificate {
                number,
                category: *category,
                grade: *grade,
                components: if *category == crate::Category::Multiple {
                    components.clone()
                } else {
                    vec![]
                },
                issued_on: *on,
                valid_until: Certificate::default_valid_until(*on),
                status: CertificateStatus::Valid,
                revoked_on: None,
                smart_card: false,
            };
            NewEvent::new(
                EventKind::Reassessed,
                Some(*on),
                format!(
                    "{}{} → {}{}",
                    record.certificate.category.zh(),
                    record.certificate.grade.zh(),
                    category.zh(),
                    grade.zh()
                ),
            )
        }
        LifeEvent::Renew { on, valid_until } => {
            if valid_until <= on {
                return Err(LifeEventError::ValidUntil);
            }
            next.certificate.issued_on = *on;
            next.certificate.valid_until = *valid_until;
            next.certificate.status = CertificateStatus::Valid;
            next.certificate.revoked_on = None;
            NewEvent::new(
                EventKind::Renewed,
                Some(*on),
                format!("有效期至 {valid_until}"),
            )
        }
        LifeEvent::Revoke { on } => {
            if record.certificate.status == CertificateStatus::Revoked {
                return Err(LifeEventError::AlreadyRevoked);
            }
            next.certificate.status = CertificateStatus::Revoked;
            next.certificate.revoked_on = Some(*on);
            NewEvent::new(EventKind::Revoked, Some(*on), "残疾人证注销")
        }
        LifeEvent::MoveOut { on } => {
            if record.person.moved_out_on.is_some() {
                return Err(LifeEventError::AlreadyMovedOut);
            }
            next.person.moved_out_on = Some(*on);
            NewEvent::new(EventKind::MovedOut, Some(*on), "")
        }
        LifeEvent::MoveIn {
            on,
            township,
            village,
        } => {
            if record.person.moved_out_on.is_none() {
                return Err(LifeEventError::NotMovedOut);
            }
            next.person.moved_out_on = None;
            next.person.township = township.clone();
            next.person.village = village.clone();
            NewEvent::new(
                EventKind::MovedIn,
                Some(*on),
                format!("迁入 {}", area_text(township, village)),
            )
        }
        LifeEvent::Decease { on } => {
            next.person.died_on = Some(*on);
            NewEvent::new(EventKind::Deceased, Some(*on), "")
        }
    };
    Ok((next, vec![ev]))
}

/// The survey values of one year that `new` changes, each with its old and new value, for the
/// timeline ("动态更新 2025：家庭经济状况 无 → 低保；…"); `None` when nothing changed.
pub fn survey_changes(old: &Survey, new: &Survey) -> Option<NewEvent> {
    fn label<T: Copy>(v: Option<T>, f: fn(T) -> &'static str) -> &'static str {
        v.map_or("（空）", f)
    }
    fn yn(v: Option<bool>) -> &'static str {
        match v {
            Some(true) => "是",
            Some(false) => "否",
            None => "（空）",
        }
    }
    let mut parts: Vec<String> = Vec::new();
    let mut push = |name: &str, a: String, b: String| {
        if a != b {
            parts.push(format!("{name} {a} → {b}"));
        }
    };
    push(
        "家庭经济状况",
        label(old.economic_status, |v| v.zh()).into(),
        label(new.economic_status, |v| v.zh()).into(),
    );
    let yuan = |f: Option<i64>| f.map_or("（空）".to_string(), crate::parse::fen_to_yuan);
    push(
        "家庭人均可支配收入",
        yuan(old.income_per_capita_fen),
        yuan(new.income_per_capita_fen),
    );
    let month =
        |m: Option<crate::parse::Month>| m.map_or("（空）".to_string(), |m| m.to_string());
    push(
        "生活补贴开始",
        month(old.living_subsidy_since),
        month(new.living_subsidy_since),
    );
    push(
        "生活补贴停发",
        month(old.living_subsidy_until),
        month(new.living_subsidy_until),
    );
    push(
        "护理补贴开始",
        month(old.nursing_subsidy_since),
        month(new.nursing_subsidy_since),
    );
    push(
        "护理补贴停发",
        month(old.nursing_subsidy_until),
        month(new.nursing_subsidy_until),
    );
    push(
        "养老保险",
        label(old.pension_insurance, |v| v.zh()).into(),
        label(new.pension_insurance, |v| v.zh()).into(),
    );
    push(
        "医疗保险",
        label(old.medical_insurance, |v| v.zh()).into(),
        label(new.medical_insurance, |v| v.zh()).into(),
    );
    push(
        "就业状况",
        label(old.employment_status, |v| v.zh()).into(),
        label(new.employment_status, |v| v.zh()).into(),
    );
    push(
        "未就业原因",
        label(old.not_employed_reason, |v| v.zh()).into(),
        label(new.not_employed_reason, |v| v.zh()).into(),
    );
    push(
        "在读阶段",
        label(old.school_stage, |v| v.zh()).into(),
        label(new.school_stage, |v| v.zh()).into(),
    );
    push(
        "完成义务教育",
        yn(old.completed_compulsory).into(),
        yn(new.completed_compulsory).into(),
    );
    push(
        "康复需求",
        yn(old.needs_rehab).into(),
        yn(new.needs_rehab).into(),
    );
    push(
        "获得康复服务",
        yn(old.received_rehab).into(),
        yn(new.received_rehab).into(),
    );
    push(
        "辅具需求",
        yn(old.needs_device).into(),
        yn(new.needs_device).into(),
    );
    push(
        "辅具已适配",
        yn(old.device_fitted).into(),
        yn(new.device_fitted).into(),
    );
    push(
        "无障碍改造需求",
        yn(old.needs_home_modification).into(),
        yn(new.needs_home_modification).into(),
    );
    push(
        "无障碍改造已完成",
        yn(old.home_modification_done).into(),
        yn(new.home_modification_done).into(),
    );
    push(
        "托养需求",
        label(old.care_need, |v| v.zh()).into(),
        label(new.care_need, |v| v.zh()).into(),
    );
    push(
        "接受托养服务",
        yn(old.receives_care).into(),
        yn(new.receives_care).into(),
    );
    push(
        "文体服务",
        yn(old.culture_sports).into(),
        yn(new.culture_sports).into(),
    );
    (!parts.is_empty()).then(|| {
        NewEvent::new(
            EventKind::SurveyUpdated,
            None,
            format!("{} 年度：{}", new.year, parts.join("；")),
        )
    })
}
