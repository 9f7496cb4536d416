//! The facts ledger (事实台账): what partner departments' feeds (涉残数据互联共享) and the
//! federation's programme records say about a person, each fact with its own date, kept for
//! ever (`feeds-and-records.md`). The registry's survey row says what was known once a year;
//! a ledger fact wins over it wherever it speaks, on the fact's own date.
//!
//! This module is the vocabulary and the literal rules: the kinds, the typed facts, which
//! department sends which kind, when two facts are one (the later replaces the earlier) and
//! what the facts say about a day ([`at`]). Storage, parsing and the in-memory engine use it.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::area::AreaCode;
use crate::coded_enum;
use crate::lang::Lang;
use crate::person::{CareNeed, EconomicStatus, EmploymentStatus, Insurance, SchoolStage};

coded_enum! {
    /// The kind of a ledger row: six partner feeds, then six programme records.
    pub enum FactKind {
        CivilAffairs = ("civil_affairs", "民政救助", "civil-affairs assistance roll", "民政"),
        PublicSecurity = ("public_security", "公安户籍变动", "public-security residence changes", "公安"),
        Insurance = ("insurance", "社会保险参保", "social insurance enrolment", "参保"),
        Employment = ("employment", "就业登记", "employment register", "就业"),
        Health = ("health", "卫健签约随访", "family doctor and follow-up", "卫健"),
        Education = ("education", "教育学籍", "school enrolment", "教育"),
        RehabService = ("rehab_service", "康复服务记录", "rehabilitation service record", "康复服务"),
        DeviceFitting = ("device_fitting", "辅具适配记录", "assistive device fitting", "辅具适配"),
        DeviceLoan = ("device_loan", "辅具借用记录", "assistive device loan", "辅具借用"),
        HomeModification = ("home_modification", "无障碍改造验收", "home modification accepted", "无障碍改造"),
        EventAttendance = ("event_attendance", "文体活动参与", "event attendance", "文体活动"),
        Care = ("care", "托养服务记录", "care stay", "托养服务", "托养"),
    }
}

impl FactKind {
    /// The six partner feeds (`zhucan feed import`).
    pub const FEEDS: [FactKind; 6] = [
        FactKind::CivilAffairs,
        FactKind::PublicSecurity,
        FactKind::Insurance,
        FactKind::Employment,
        FactKind::Health,
        FactKind::Education,
    ];

    /// The six programme records (`zhucan records import`).
    pub const RECORDS: [FactKind; 6] = [
        FactKind::RehabService,
        FactKind::DeviceFitting,
        FactKind::DeviceLoan,
        FactKind::HomeModification,
        FactKind::EventAttendance,
        FactKind::Care,
    ];

    /// A partner department's feed (else a programme record).
    pub fn is_feed(self) -> bool {
        Self::FEEDS.contains(&self)
    }

    /// A feed kind by its key only (`civil_affairs`), as the command line and the API name it.
    pub fn feed(key: &str) -> Option<FactKind> {
        Self::FEEDS.into_iter().find(|k| k.key() == key.trim())
    }

    /// A record kind by its key only.
    pub fn record(key: &str) -> Option<FactKind> {
        Self::RECORDS.into_iter().find(|k| k.key() == key.trim())
    }

    /// The keys of `kinds`, joined with `, ` (for messages).
    pub fn keys(kinds: &[FactKind]) -> String {
        kinds.iter().map(|k| k.key()).collect::<Vec<_>>().join(", ")
    }
}

coded_enum! {
    /// A partner department (协同部门): each sends its own feed kinds.
    pub enum Department {
        CivilAffairs = ("civil_affairs", "民政", "civil affairs", "民政局"),
        PublicSecurity = ("public_security", "公安", "public security", "公安局", "公安分局"),
        MedicalInsurance = ("medical_insurance", "医保", "medical insurance", "医保局", "医疗保障局", "insurance"),
        HumanResources = ("human_resources", "人社", "human resources and social security", "人社局", "人力社保局", "employment"),
        Health = ("health", "卫健", "health", "卫健局", "卫生健康局"),
        Education = ("education", "教育", "education", "教育局"),
    }
}

impl Department {
    /// The feed kinds this department may send: 医保 and 人社 both send insurance; 人社 also
    /// employment.
    pub fn kinds(self) -> &'static [FactKind] {
        match self {
            Department::CivilAffairs => &[FactKind::CivilAffairs],
            Department::PublicSecurity => &[FactKind::PublicSecurity],
            Department::MedicalInsurance => &[FactKind::Insurance],
            Department::HumanResources => &[FactKind::Insurance, FactKind::Employment],
            Department::Health => &[FactKind::Health],
            Department::Education => &[FactKind::Education],
        }
    }

    pub fn sends(self, kind: FactKind) -> bool {
        self.kinds().contains(&kind)
    }
}

coded_enum! {
    /// 变动类型 of a public-security row.
    pub enum ResidenceChange {
        Death = ("death", "死亡", "death", "身故", "注销(死亡)"),
        MovedOut = ("moved_out", "迁出", "moved out", "户口迁出"),
        MovedIn = ("moved_in", "迁入", "moved in", "户口迁入"),
    }
}

coded_enum! {
    /// 险种 of an insurance row.
    pub enum InsuranceKind {
        Pension = ("pension", "养老", "pension", "养老保险", "基本养老保险"),
        Medical = ("medical", "医疗", "medical", "医疗保险", "基本医疗保险"),
    }
}

coded_enum! {
    /// 活动类型 of an event-attendance row.
    pub enum EventKind {
        Culture = ("culture", "文化", "culture", "文化活动"),
        Sports = ("sports", "体育", "sports", "体育活动"),
        AccessibleFilm = ("accessible_film", "无障碍观影", "accessible film", "观影"),
        Reading = ("reading", "阅读", "reading", "读书"),
        Other = ("other", "其他", "other"),
    }
}

/// One fact, typed by its kind (the columns of `feeds-and-records.md`, name aside).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fact {
    CivilAffairs {
        status: EconomicStatus,
        effective_from: NaiveDate,
    },
    PublicSecurity {
        change: ResidenceChange,
        changed_on: NaiveDate,
        /// For 迁入: the new residence in the district.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        township: Option<AreaCode>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        village: Option<AreaCode>,
    },
    Insurance {
        insurance: InsuranceKind,
        /// 城乡居民 or 城镇职工 (never 无).
        scheme: Insurance,
        enrolled_on: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ended_on: Option<NaiveDate>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        paid_by_government: Option<bool>,
    },
    Employment {
        /// Never 未就业 (a feed says who works).
        employment_status: EmploymentStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        employer_uscc: Option<String>,
        from: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<NaiveDate>,
    },
    Health {
        family_doctor: bool,
        signed_on: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mental_followup_on: Option<NaiveDate>,
    },
    Education {
        school_year: i32,
        school_stage: SchoolStage,
        completed_compulsory: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        inclusive: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        school: Option<String>,
    },
    RehabService {
        served_on: NaiveDate,
        service: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        institution: Option<String>,
    },
    DeviceFitting {
        fitted_on: NaiveDate,
        device: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subsidy_fen: Option<i64>,
    },
    DeviceLoan {
        device: String,
        lent_on: NaiveDate,
        due_on: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        returned_on: Option<NaiveDate>,
    },
    HomeModification {
        accepted_on: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        items: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cost_fen: Option<i64>,
    },
    EventAttendance {
        attended_on: NaiveDate,
        event: String,
        event_kind: EventKind,
    },
    /// A care stay (托养): home, day or residential care from a day, with its last day once
    /// it ends. Never 无.
    Care {
        mode: CareNeed,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        institution: Option<String>,
        from: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<NaiveDate>,
    },
}

impl Fact {
    pub fn kind(&self) -> FactKind {
        match self {
            Fact::CivilAffairs { .. } => FactKind::CivilAffairs,
            Fact::PublicSecurity { .. } => FactKind::PublicSecurity,
            Fact::Insurance { .. } => FactKind::Insurance,
            Fact::Employment { .. } => FactKind::Employment,
            Fact::Health { .. } => FactKind::Health,
            Fact::Education { .. } => FactKind::Education,
            Fact::RehabService { .. } => FactKind::RehabService,
            Fact::DeviceFitting { .. } => FactKind::DeviceFitting,
            Fact::DeviceLoan { .. } => FactKind::DeviceLoan,
            Fact::HomeModification { .. } => FactKind::HomeModification,
            Fact::EventAttendance { .. } => FactKind::EventAttendance,
            Fact::Care { .. } => FactKind::Care,
        }
    }

    /// The day the fact speaks of (its main date; for education the school year's 1 September).
    pub fn date(&self) -> NaiveDate {
        match self {
            Fact::CivilAffairs { effective_from, .. } => *effective_from,
            Fact::PublicSecurity { changed_on, .. } => *changed_on,
            Fact::Insurance { enrolled_on, .. } => *enrolled_on,
            Fact::Employment { from, .. } => *from,
            Fact::Health { signed_on, .. } => *signed_on,
            Fact::Education { school_year, .. } => {
                NaiveDate::from_ymd_opt(*school_year, 9, 1).unwrap_or(NaiveDate::MIN)
            }
            Fact::RehabService { served_on, .. } => *served_on,
            Fact::DeviceFitting { fitted_on, .. } => *fitted_on,
            Fact::DeviceLoan { lent_on, .. } => *lent_on,
            Fact::HomeModification { accepted_on, .. } => *accepted_on,
            Fact::EventAttendance { attended_on, .. } => *attended_on,
            Fact::Care { from, .. } => *from,
        }
    }

    /// What makes two rows of one person the same fact: a later row with the same identity
    /// replaces the earlier (a correction, an ended insurance, a returned device); rows with
    /// different identities are different facts. Repeated identical rows change nothing.
    pub fn identity(&self) -> String {
        match self {
            Fact::CivilAffairs { effective_from, .. } => effective_from.to_string(),
            Fact::PublicSecurity {
                change, changed_on, ..
            } => format!("{}|{changed_on}", change.key()),
            Fact::Insurance {
                insurance,
                enrolled_on,
                ..
            } => format!("{}|{enrolled_on}", insurance.key()),
            Fact::Employment { from, .. } => from.to_string(),
            Fact::Health { signed_on, .. } => signed_on.to_string(),
            Fact::Education { school_year, .. } => school_year.to_string(),
            Fact::RehabService {
                served_on,
                service,
                institution,
            } => format!(
                "{served_on}|{service}|{}",
                institution.as_deref().unwrap_or("")
            ),
            Fact::DeviceFitting {
                fitted_on, device, ..
            } => format!("{fitted_on}|{device}"),
            Fact::DeviceLoan {
                device, lent_on, ..
            } => format!("{lent_on}|{device}"),
            Fact::HomeModification { accepted_on, .. } => accepted_on.to_string(),
            Fact::EventAttendance {
                attended_on, event, ..
            } => format!("{attended_on}|{event}"),
            Fact::Care {
                from, institution, ..
            } => format!("{from}|{}", institution.as_deref().unwrap_or("")),
        }
    }

    /// The dates that may not lie in the future, with their column keys. End and due dates
    /// (`ended_on`, `until`, `due_on`) are planned dates and may.
    pub fn past_dates(&self) -> Vec<(&'static str, NaiveDate)> {
        let mut out = Vec::with_capacity(2);
        match self {
            Fact::CivilAffairs { effective_from, .. } => {
                out.push(("effective_from", *effective_from))
            }
            Fact::PublicSecurity { changed_on, .. } => out.push(("changed_on", *changed_on)),
            Fact::Insurance { enrolled_on, .. } => out.push(("enrolled_on", *enrolled_on)),
            Fact::Employment { from, .. } => out.push(("from", *from)),
            Fact::Health {
                signed_on,
                mental_followup_on,
                ..
            } => {
                out.push(("signed_on", *signed_on));
                if let Some(d) = mental_followup_on {
                    out.push(("mental_followup_on", *d));
                }
            }
            Fact::Education { .. } => {}
            Fact::RehabService { served_on, .. } => out.push(("served_on", *served_on)),
            Fact::DeviceFitting { fitted_on, .. } => out.push(("fitted_on", *fitted_on)),
            Fact::DeviceLoan {
                lent_on,
                returned_on,
                ..
            } => {
                out.push(("lent_on", *lent_on));
                if let Some(d) = returned_on {
                    out.push(("returned_on", *d));
                }
            }
            Fact::HomeModification { accepted_on, .. } => out.push(("accepted_on", *accepted_on)),
            Fact::EventAttendance { attended_on, .. } => out.push(("attended_on", *attended_on)),
            Fact::Care { from, .. } => out.push(("from", *from)),
        }
        out
    }

    /// A one-line summary in a language, for the timeline and the person file.
    pub fn summary(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let yn = |b: bool| match (b, zh) {
            (true, true) => "是",
            (false, true) => "否",
            (true, false) => "yes",
            (false, false) => "no",
        };
        let opt_date = |d: &Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        match self {
            Fact::CivilAffairs {
                status,
                effective_from,
            } => match zh {
                true => format!("救助类别：{}，{effective_from} 起", status.zh()),
                false => format!("assistance: {} from {effective_from}", status.label(lang)),
            },
            Fact::PublicSecurity {
                change,
                changed_on,
                township,
                village,
            } => {
                let place = village
                    .as_ref()
                    .or(township.as_ref())
                    .map(|c| format!(" {c}"))
                    .unwrap_or_default();
                format!("{}{place}，{changed_on}", change.label(lang))
            }
            Fact::Insurance {
                insurance,
                scheme,
                enrolled_on,
                ended_on,
                paid_by_government,
            } => {
                let ended = opt_date(ended_on);
                let gov = paid_by_government.map(yn).unwrap_or("");
                match zh {
                    true => format!(
                        "{}保险：{}，{enrolled_on} 参保{}{}",
                        insurance.zh(),
                        scheme.zh(),
                        if ended.is_empty() {
                            String::new()
                        } else {
                            format!("，{ended} 停保")
                        },
                        if gov.is_empty() {
                            String::new()
                        } else {
                            format!("，政府代缴：{gov}")
                        }
                    ),
                    false => format!(
                        "{} insurance: {}, enrolled {enrolled_on}{}{}",
                        insurance.label(lang),
                        scheme.label(lang),
                        if ended.is_empty() {
                            String::new()
                        } else {
                            format!(", ended {ended}")
                        },
                        if gov.is_empty() {
                            String::new()
                        } else {
                            format!(", paid by the government: {gov}")
                        }
                    ),
                }
            }
            Fact::Employment {
                employment_status,
                employer_uscc,
                from,
                until,
            } => {
                let until = opt_date(until);
                let employer = employer_uscc.clone().unwrap_or_default();
                match zh {
                    true => format!(
                        "{}，{from} 起{}{}",
                        employment_status.zh(),
                        if until.is_empty() {
                            String::new()
                        } else {
                            format!("至 {until}")
                        },
                        if employer.is_empty() {
                            String::new()
                        } else {
                            format!("，用人单位 {employer}")
                        }
                    ),
                    false => format!(
                        "{} from {from}{}{}",
                        employment_status.label(lang),
                        if until.is_empty() {
                            String::new()
                        } else {
                            format!(" until {until}")
                        },
                        if employer.is_empty() {
                            String::new()
                        } else {
                            format!(", employer {employer}")
                        }
                    ),
                }
            }
            Fact::Health {
                family_doctor,
                signed_on,
                mental_followup_on,
            } => {
                let f = opt_date(mental_followup_on);
                match zh {
                    true => format!(
                        "家庭医生签约：{}（{signed_on}）{}",
                        yn(*family_doctor),
                        if f.is_empty() {
                            String::new()
                        } else {
                            format!("，精神障碍随访 {f}")
                        }
                    ),
                    false => format!(
                        "family doctor: {} ({signed_on}){}",
                        yn(*family_doctor),
                        if f.is_empty() {
                            String::new()
                        } else {
                            format!(", mental-health follow-up {f}")
                        }
                    ),
                }
            }
            Fact::Education {
                school_year,
                school_stage,
                completed_compulsory,
                inclusive,
                school,
            } => {
                let school = school.clone().unwrap_or_default();
                match zh {
                    true => format!(
                        "{school_year} 学年：{}，完成义务教育：{}{}{}",
                        school_stage.zh(),
                        yn(*completed_compulsory),
                        inclusive
                            .map(|i| format!("，随班就读：{}", yn(i)))
                            .unwrap_or_default(),
                        if school.is_empty() {
                            String::new()
                        } else {
                            format!("，{school}")
                        }
                    ),
                    false => format!(
                        "school year {school_year}: {}, completed compulsory: {}{}{}",
                        school_stage.label(lang),
                        yn(*completed_compulsory),
                        inclusive
                            .map(|i| format!(", inclusive: {}", yn(i)))
                            .unwrap_or_default(),
                        if school.is_empty() {
                            String::new()
                        } else {
                            format!(", {school}")
                        }
                    ),
                }
            }
            Fact::RehabService {
                served_on,
                service,
                institution,
            } => format!(
                "{service}{}，{served_on}",
                institution
                    .as_ref()
                    .map(|i| format!("（{i}）"))
                    .unwrap_or_default()
            ),
            Fact::DeviceFitting {
                fitted_on,
                device,
                subsidy_fen,
            } => format!(
                "{device}，{fitted_on}{}",
                subsidy_fen
                    .map(|f| format!("，¥{}", crate::parse::fen_to_yuan(f)))
                    .unwrap_or_default()
            ),
            Fact::DeviceLoan {
                device,
                lent_on,
                due_on,
                returned_on,
            } => {
                let r = opt_date(returned_on);
                match zh {
                    true => format!(
                        "{device}，{lent_on} 借出，应还 {due_on}{}",
                        if r.is_empty() {
                            String::new()
                        } else {
                            format!("，{r} 归还")
                        }
                    ),
                    false => format!(
                        "{device}, lent {lent_on}, due {due_on}{}",
                        if r.is_empty() {
                            String::new()
                        } else {
                            format!(", returned {r}")
                        }
                    ),
                }
            }
            Fact::HomeModification {
                accepted_on,
                items,
                cost_fen,
            } => format!(
                "{}{}，{accepted_on}",
                items.clone().unwrap_or_default(),
                cost_fen
                    .map(|f| format!(" ¥{}", crate::parse::fen_to_yuan(f)))
                    .unwrap_or_default()
            ),
            Fact::EventAttendance {
                attended_on,
                event,
                event_kind,
            } => format!("{event}（{}），{attended_on}", event_kind.label(lang)),
            Fact::Care {
                mode,
                institution,
                from,
                until,
            } => {
                let place = institution.clone().unwrap_or_default();
                let until = opt_date(until);
                match zh {
                    true => format!(
                        "{}托养{}{}，{from} 起{}",
                        mode.zh().trim_end_matches("托养"),
                        if place.is_empty() { "" } else { "：" },
                        place,
                        if until.is_empty() {
                            String::new()
                        } else {
                            format!("，{until} 止")
                        }
                    ),
                    false => format!(
                        "{}{}{place}, from {from}{}",
                        mode.label(lang),
                        if place.is_empty() { "" } else { " at " },
                        if until.is_empty() {
                            String::new()
                        } else {
                            format!(" to {until}")
                        }
                    ),
                }
            }
        }
    }
}

/// Where a ledger row came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub kind: FactKind,
    /// The run (file or push) that brought it; `None` for a record typed by staff.
    pub run: Option<String>,
    /// The day it was received.
    pub received_on: NaiveDate,
}

/// One ledger row of one person, with its order of arrival (`seq`: later rows have higher).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: i64,
    pub fact: Fact,
    pub source: Source,
}

/// A person's ledger as the rules read it: of rows with the same kind and identity only the
/// latest arrival, in date order (then arrival).
pub fn current(mut entries: Vec<Entry>) -> Vec<Entry> {
    entries.sort_by(|a, b| {
        (a.fact.kind(), a.fact.identity(), b.seq).cmp(&(b.fact.kind(), b.fact.identity(), a.seq))
    });
    entries.dedup_by(|later, first| {
        later.fact.kind() == first.fact.kind() && later.fact.identity() == first.fact.identity()
    });
    entries.sort_by_key(|e| (e.fact.date(), e.seq));
    entries
}

/// Where the person lived at a day, by the latest public-security move on or before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Residence {
    /// 迁出: left the district on that day.
    MovedOut(NaiveDate),
    /// 迁入: living in the district at the place given (if given).
    MovedIn {
        on: NaiveDate,
        township: Option<AreaCode>,
        village: Option<AreaCode>,
    },
}

/// What the ledger says about one day `d` (each `None` / `false`: the ledger is silent and
/// the survey value stands). Home modification is a household's and is judged beside this.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactsAt {
    /// The economic status and the civil-affairs row that decided it.
    pub economic: Option<(EconomicStatus, Source, NaiveDate)>,
    /// The earliest reported death (whatever `d`: compare it with `d`).
    pub died_on: Option<NaiveDate>,
    pub residence: Option<Residence>,
    pub pension: Option<Insurance>,
    pub medical: Option<Insurance>,
    pub employment: Option<EmploymentStatus>,
    pub school: Option<(SchoolStage, bool)>,
    /// A rehabilitation service dated in Y up to d.
    pub rehab: bool,
    /// A device fitted in Y up to d, or a loan out on some day of Y up to d.
    pub device: bool,
    /// An event attended in Y up to d.
    pub culture: bool,
    /// Care: the mode of the latest stay in care on d; `Some(None)`: every stay started by d
    /// has ended (not in care); `None`: no stay started by d.
    pub care: Option<Option<CareNeed>>,
}

/// An insurance enrolment as the rules read it: (enrolled on, arrival, scheme, ended on).
type Enrolment = (NaiveDate, i64, Insurance, Option<NaiveDate>);

/// The facts for day `d` from a person's [`current`] ledger (`feeds-and-records.md`, "Facts
/// for a day d").
pub fn at(entries: &[Entry], d: NaiveDate) -> FactsAt {
    let y = d.year();
    let year_start = NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(d);
    let mut out = FactsAt::default();
    // Latest enrolment per insurance kind: (enrolled_on, seq, scheme, ended_on).
    let mut ins: [Option<Enrolment>; 2] = [None, None];
    // Employment: (latest open from, seq, status); any row started.
    let mut open_job: Option<(NaiveDate, i64, EmploymentStatus)> = None;
    let mut any_job = false;
    // Education: the row of Y, else the latest before it.
    let mut school: Option<(i32, i64, SchoolStage, bool)> = None;
    let mut economic: Option<(NaiveDate, i64, EconomicStatus, Source)> = None;
    let mut residence: Option<(NaiveDate, i64, Residence)> = None;
    // Care: (latest open from, seq, mode); any stay started.
    let mut open_care: Option<(NaiveDate, i64, CareNeed)> = None;
    let mut any_care = false;
    let in_year = |x: NaiveDate| x >= year_start && x <= d;
    for e in entries {
        match &e.fact {
            Fact::CivilAffairs {
                status,
                effective_from,
            } if *effective_from <= d
                && economic
                    .as_ref()
                    .is_none_or(|(f, s, ..)| (*effective_from, e.seq) > (*f, *s)) =>
            {
                economic = Some((*effective_from, e.seq, *status, e.source.clone()));
            }
            Fact::PublicSecurity {
                change,
                changed_on,
                township,
                village,
            } => {
                if *change == ResidenceChange::Death {
                    out.died_on = Some(out.died_on.map_or(*changed_on, |x| x.min(*changed_on)));
                } else if *changed_on <= d
                    && residence
                        .as_ref()
                        .is_none_or(|(on, s, _)| (*changed_on, e.seq) > (*on, *s))
                {
                    let r = match change {
                        ResidenceChange::MovedOut => Residence::MovedOut(*changed_on),
                        _ => Residence::MovedIn {
                            on: *changed_on,
                            township: township.clone(),
                            village: village.clone(),
                        },
                    };
                    residence = Some((*changed_on, e.seq, r));
                }
            }
            Fact::Insurance {
                insurance,
                scheme,
                enrolled_on,
                ended_on,
                ..
            } if *enrolled_on <= d => {
                let slot = &mut ins[usize::from(*insurance == InsuranceKind::Medical)];
                if slot
                    .as_ref()
                    .is_none_or(|(on, s, ..)| (*enrolled_on, e.seq) > (*on, *s))
                {
                    *slot = Some((*enrolled_on, e.seq, *scheme, *ended_on));
                }
            }
            Fact::Employment {
                employment_status,
                from,
                until,
                ..
            } if *from <= d => {
                any_job = true;
                if until.is_none_or(|u| u >= d)
                    && open_job
                        .as_ref()
                        .is_none_or(|(f, s, _)| (*from, e.seq) > (*f, *s))
                {
                    open_job = Some((*from, e.seq, *employment_status));
                }
            }
            Fact::Education {
                school_year,
                school_stage,
                completed_compulsory,
                ..
            } if *school_year <= y
                && school
                    .as_ref()
                    .is_none_or(|(sy, s, ..)| (*school_year, e.seq) > (*sy, *s)) =>
            {
                school = Some((*school_year, e.seq, *school_stage, *completed_compulsory));
            }
            Fact::RehabService { served_on, .. } if in_year(*served_on) => out.rehab = true,
            Fact::DeviceFitting { fitted_on, .. } if in_year(*fitted_on) => out.device = true,
            Fact::DeviceLoan {
                lent_on,
                returned_on,
                ..
            } => {
                // Out on some day x of [Y-01-01, d]: lent_on ≤ x and not returned by x.
                let out_on_some_day =
                    *lent_on <= d && returned_on.is_none_or(|r| r > year_start.max(*lent_on));
                if out_on_some_day {
                    out.device = true;
                }
            }
            Fact::EventAttendance { attended_on, .. } if in_year(*attended_on) => {
                out.culture = true
            }
            Fact::Care {
                mode, from, until, ..
            } if *from <= d => {
                any_care = true;
                if until.is_none_or(|u| u >= d)
                    && open_care
                        .as_ref()
                        .is_none_or(|(f, s, _)| (*from, e.seq) > (*f, *s))
                {
                    open_care = Some((*from, e.seq, *mode));
                }
            }
            _ => {}
        }
    }
    let scheme_at = |slot: &Option<Enrolment>| {
        slot.as_ref().map(|(_, _, scheme, ended)| match ended {
            Some(end) if *end < d => Insurance::None,
            _ => *scheme,
        })
    };
    out.pension = scheme_at(&ins[0]);
    out.medical = scheme_at(&ins[1]);
    out.employment = match open_job {
        Some((_, _, s)) => Some(s),
        None if any_job => Some(EmploymentStatus::NotEmployed),
        None => None,
    };
    out.care = match open_care {
        Some((_, _, m)) => Some(Some(m)),
        None if any_care => Some(None),
        None => None,
    };
    out.school = school.map(|(_, _, stage, done)| (stage, done));
    out.economic = economic.map(|(on, _, status, source)| (status, source, on));
    out.residence = residence.map(|(_, _, r)| r);
    out
}

/// The home-modification acceptances of a household (any member's), as the rules read them:
/// done at `d` when one was accepted on or before `d`; needed in Y when one was accepted in Y
/// up to `d`.
pub fn home_modification_at(accepted: &[NaiveDate], d: NaiveDate) -> (bool, bool) {
    let year_start = NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d);
    let done = accepted.iter().any(|a| *a <= d);
    let in_year = accepted.iter().any(|a| *a >= year_start && *a <= d);
    (done, in_year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn entry(seq: i64, fact: Fact) -> Entry {
        Entry {
            seq,
            source: Source {
                kind: fact.kind(),
                run: Some(format!("run-{seq}")),
                received_on: d("2026-01-01"),
            },
            fact,
        }
    }

    #[test]
    fn economic_status_follows_the_latest_roll_on_or_before_the_day() {
        let ledger = current(vec![
            entry(
                1,
                Fact::CivilAffairs {
                    status: EconomicStatus::Dibao,
                    effective_from: d("2024-01-01"),
                },
            ),
            entry(
                2,
                Fact::CivilAffairs {
                    status: EconomicStatus::None,
                    effective_from: d("2025-11-15"),
                },
            ),
        ]);
        let e = |day| at(&ledger, d(day)).economic.map(|x| x.0);
        assert_eq!(e("2023-12-31"), None);
        assert_eq!(e("2025-11-14"), Some(EconomicStatus::Dibao));
        assert_eq!(e("2025-11-15"), Some(EconomicStatus::None));
        assert_eq!(e("2025-12-01"), Some(EconomicStatus::None));
    }

    #[test]
    fn a_later_row_with_the_same_identity_replaces_the_earlier() {
        let open = Fact::Employment {
            employment_status: EmploymentStatus::Flexible,
            employer_uscc: None,
            from: d("2024-03-01"),
            until: None,
        };
        let ended = Fact::Employment {
            employment_status: EmploymentStatus::Flexible,
            employer_uscc: None,
            from: d("2024-03-01"),
            until: Some(d("2025-06-30")),
        };
        let ledger = current(vec![entry(1, open.clone()), entry(2, ended)]);
        assert_eq!(ledger.len(), 1);
        assert_eq!(
            at(&ledger, d("2025-06-30")).employment,
            Some(EmploymentStatus::Flexible)
        );
        assert_eq!(
            at(&ledger, d("2025-07-01")).employment,
            Some(EmploymentStatus::NotEmployed)
        );
        assert_eq!(at(&ledger, d("2024-02-29")).employment, None);
        let only_open = current(vec![entry(1, open)]);
        assert_eq!(
            at(&only_open, d("2030-01-01")).employment,
            Some(EmploymentStatus::Flexible)
        );
    }

    #[test]
    fn insurance_ends_and_moves_follow_the_latest_row() {
        let ledger = current(vec![
            entry(
                1,
                Fact::Insurance {
                    insurance: InsuranceKind::Pension,
                    scheme: Insurance::Resident,
                    enrolled_on: d("2020-01-01"),
                    ended_on: Some(d("2024-12-31")),
                    paid_by_government: Some(true),
                },
            ),
            entry(
                2,
                Fact::PublicSecurity {
                    change: ResidenceChange::MovedOut,
                    changed_on: d("2024-05-01"),
                    township: None,
                    village: None,
                },
            ),
            entry(
                3,
                Fact::PublicSecurity {
                    change: ResidenceChange::MovedIn,
                    changed_on: d("2025-02-01"),
                    township: Some(AreaCode::parse("331003102").expect("code")),
                    village: None,
                },
            ),
        ]);
        assert_eq!(
            at(&ledger, d("2024-12-31")).pension,
            Some(Insurance::Resident)
        );
        assert_eq!(at(&ledger, d("2025-01-01")).pension, Some(Insurance::None));
        assert_eq!(at(&ledger, d("2025-01-01")).medical, None);
        assert_eq!(
            at(&ledger, d("2024-06-01")).residence,
            Some(Residence::MovedOut(d("2024-05-01")))
        );
        assert!(matches!(
            at(&ledger, d("2025-03-01")).residence,
            Some(Residence::MovedIn { .. })
        ));
        assert_eq!(at(&ledger, d("2024-01-01")).residence, None);
    }

    #[test]
    fn care_follows_the_latest_stay_in_care_on_the_day() {
        let stay = |mode, from: &str, until: Option<&str>| Fact::Care {
            mode,
            institution: Some("黄岩区托养中心".into()),
            from: d(from),
            until: until.map(d),
        };
        let ledger = current(vec![
            entry(1, stay(CareNeed::Day, "2024-01-01", Some("2025-03-09"))),
            entry(2, stay(CareNeed::Residential, "2025-03-10", None)),
        ]);
        assert_eq!(at(&ledger, d("2023-12-31")).care, None);
        assert_eq!(at(&ledger, d("2025-03-09")).care, Some(Some(CareNeed::Day)));
        assert_eq!(
            at(&ledger, d("2025-03-10")).care,
            Some(Some(CareNeed::Residential))
        );
        // The residential stay ends: the same stay again with its last day replaces it.
        let ended = current(vec![
            entry(1, stay(CareNeed::Day, "2024-01-01", Some("2025-03-09"))),
            entry(2, stay(CareNeed::Residential, "2025-03-10", None)),
            entry(
                3,
                stay(CareNeed::Residential, "2025-03-10", Some("2025-06-30")),
            ),
        ]);
        assert_eq!(ended.len(), 2);
        assert_eq!(
            at(&ended, d("2025-06-30")).care,
            Some(Some(CareNeed::Residential))
        );
        assert_eq!(at(&ended, d("2025-07-01")).care, Some(None));
    }

    #[test]
    fn services_count_in_their_year_up_to_the_day() {
        let ledger = current(vec![
            entry(
                1,
                Fact::RehabService {
                    served_on: d("2025-03-10"),
                    service: "肢体康复训练".into(),
                    institution: None,
                },
            ),
            entry(
                2,
                Fact::DeviceLoan {
                    device: "轮椅".into(),
                    lent_on: d("2024-11-01"),
                    due_on: d("2025-11-01"),
                    returned_on: Some(d("2025-01-15")),
                },
            ),
        ]);
        let f = at(&ledger, d("2025-03-09"));
        assert!(!f.rehab);
        assert!(f.device, "the loan was out in January 2025");
        assert!(at(&ledger, d("2025-12-31")).rehab);
        assert!(!at(&ledger, d("2026-06-01")).rehab);
        assert!(!at(&ledger, d("2026-06-01")).device, "returned in 2025");
        assert_eq!(
            home_modification_at(&[d("2023-05-01")], d("2025-01-01")),
            (true, false)
        );
    }
}
