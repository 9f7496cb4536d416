//! Partner feeds and programme records (`feeds-and-records.md`): one sheet of rows of one kind,
//! from an `.xlsx`/`.csv` file or from JSON rows (the API), read by the same header rules as
//! the registry workbook into typed [`Fact`]s with a report of every bad cell.

use calamine::Data;
use chrono::{Datelike, NaiveDate};
use zhucan_domain::Lang;
use zhucan_domain::Localized;
use zhucan_domain::area::{Area, AreaCode};
use zhucan_domain::ids::{CitizenId, ParsedCitizenId};
use zhucan_domain::ledger::{EventKind, Fact, FactKind, InsuranceKind, ResidenceChange};
use zhucan_domain::parse::not_future;
use zhucan_domain::person::{
    CareNeed, EconomicStatus, EmploymentStatus, Insurance, SchoolStage, parse_name,
};

use crate::areas::{AreaIndex, Village};
use crate::cell::{self, Bad, Ctx};
use crate::columns::{FieldDef, HeaderMatcher, f, fa, find_header};
use crate::grid::{Book, Grid};
use crate::rows::{Layout, RowCheck};
use crate::{FileError, ImportOptions, Issue, Loaded, Progress, column_warnings, data_rows};

/// One accepted row.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFact {
    /// The row as Excel numbers it (for JSON rows: the position in `rows`, from 1).
    pub row: u32,
    pub citizen_id: CitizenId,
    /// The name as the sender wrote it (checked against the registry: a warning).
    pub name: Option<String>,
    pub fact: Fact,
}

/// Everything read from one file or one JSON body.
#[derive(Debug, Clone)]
pub struct ParsedFacts {
    pub kind: FactKind,
    /// The sheet read (as in the file; `rows` for JSON).
    pub sheet: String,
    /// Data rows seen (blank, note and repeated-header rows not counted).
    pub received: usize,
    pub rows: Vec<ParsedFact>,
    /// One issue per bad cell; a row with any is not applied.
    pub rejected: Vec<Issue>,
    pub warnings: Vec<Issue>,
}

const ID: FieldDef = fa(
    "公民身份号码",
    "citizen_id",
    true,
    &["身份证号", "身份证号码", "证件号码", "公民身份证号码"],
);
const NAME: FieldDef = f("姓名", "name", false);

/// The columns of each kind: the citizen ID and the name first, then the kind's own.
pub(crate) fn fields(kind: FactKind) -> &'static [FieldDef] {
    match kind {
        FactKind::CivilAffairs => &CIVIL_AFFAIRS_FIELDS,
        FactKind::PublicSecurity => &PUBLIC_SECURITY_FIELDS,
        FactKind::Insurance => &INSURANCE_FIELDS,
        FactKind::Employment => &EMPLOYMENT_FIELDS,
        FactKind::Health => &HEALTH_FIELDS,
        FactKind::Education => &EDUCATION_FIELDS,
        FactKind::RehabService => &REHAB_SERVICE_FIELDS,
        FactKind::DeviceFitting => &DEVICE_FITTING_FIELDS,
        FactKind::DeviceLoan => &DEVICE_LOAN_FIELDS,
        FactKind::HomeModification => &HOME_MODIFICATION_FIELDS,
        FactKind::EventAttendance => &EVENT_ATTENDANCE_FIELDS,
        FactKind::Care => &CARE_FIELDS,
    }
}

const CIVIL_AFFAIRS_FIELDS: [FieldDef; 4] = [
    ID,
    NAME,
    fa("救助类别", "status", true, &["救助类型", "家庭经济状况"]),
    fa(
        "生效日期",
        "effective_from",
        true,
        &["认定日期", "起始日期"],
    ),
];

const PUBLIC_SECURITY_FIELDS: [FieldDef; 6] = [
    ID,
    NAME,
    fa("变动类型", "change", true, &["户籍变动类型"]),
    fa("变动日期", "changed_on", true, &["户籍变动日期"]),
    fa(
        "乡镇街道",
        "township",
        false,
        &["乡镇(街道)", "乡镇（街道）"],
    ),
    fa("村社区", "village", false, &["村(社区)", "村（社区）"]),
];

const INSURANCE_FIELDS: [FieldDef; 7] = [
    ID,
    NAME,
    f("险种", "insurance", true),
    f("参保类型", "scheme", true),
    f("参保日期", "enrolled_on", true),
    fa("停保日期", "ended_on", false, &["终止日期"]),
    fa("政府代缴", "paid_by_government", false, &["是否政府代缴"]),
];

const EMPLOYMENT_FIELDS: [FieldDef; 6] = [
    ID,
    NAME,
    fa(
        "就业形式",
        "employment_status",
        true,
        &["就业状况", "就业类型"],
    ),
    fa(
        "用人单位统一社会信用代码",
        "employer_uscc",
        false,
        &["统一社会信用代码", "用人单位代码"],
    ),
    fa("开始日期", "from", true, &["就业日期", "起始日期"]),
    f("结束日期", "until", false),
];

const HEALTH_FIELDS: [FieldDef; 5] = [
    ID,
    NAME,
    fa("家庭医生签约", "family_doctor", true, &["是否签约家庭医生"]),
    f("签约日期", "signed_on", true),
    f("精神障碍随访日期", "mental_followup_on", false),
];

const EDUCATION_FIELDS: [FieldDef; 7] = [
    ID,
    NAME,
    f("学年", "school_year", true),
    f("在读阶段", "school_stage", true),
    f("完成义务教育", "completed_compulsory", true),
    f("随班就读", "inclusive", false),
    fa("学校", "school", false, &["学校名称"]),
];

const REHAB_SERVICE_FIELDS: [FieldDef; 5] = [
    ID,
    NAME,
    f("服务日期", "served_on", true),
    fa("服务类型", "service", true, &["服务项目", "康复项目"]),
    fa("服务机构", "institution", false, &["康复机构"]),
];

const DEVICE_FITTING_FIELDS: [FieldDef; 5] = [
    ID,
    NAME,
    f("适配日期", "fitted_on", true),
    fa("辅具名称", "device", true, &["辅助器具名称"]),
    fa("补贴金额", "subsidy_yuan", false, &["补贴金额(元)"]),
];

const DEVICE_LOAN_FIELDS: [FieldDef; 6] = [
    ID,
    NAME,
    fa("辅具名称", "device", true, &["辅助器具名称"]),
    f("借出日期", "lent_on", true),
    f("应还日期", "due_on", true),
    f("归还日期", "returned_on", false),
];

const HOME_MODIFICATION_FIELDS: [FieldDef; 5] = [
    ID,
    NAME,
    f("验收日期", "accepted_on", true),
    f("改造项目", "items", false),
    fa("费用", "cost_yuan", false, &["费用(元)", "改造费用"]),
];

const EVENT_ATTENDANCE_FIELDS: [FieldDef; 5] = [
    ID,
    NAME,
    f("活动日期", "attended_on", true),
    f("活动名称", "event", true),
    f("活动类型", "event_kind", true),
];

const CARE_FIELDS: [FieldDef; 6] = [
    ID,
    NAME,
    fa("托养方式", "mode", true, &["托养类型", "托养形式"]),
    fa("托养机构", "institution", false, &["服务机构"]),
    fa("开始日期", "from", true, &["入托日期", "入住日期"]),
    fa("结束日期", "until", false, &["离托日期", "退出日期"]),
];

/// Reads one kind's file (`.xlsx`, `.xls`, `.ods`, `.csv`): the first sheet with a header of
/// that kind. A file whose header belongs to another kind is refused by name.
pub fn read_facts(
    kind: FactKind,
    name_for_extension: &str,
    bytes: &[u8],
    known_areas: &[Area],
    opts: &ImportOptions,
) -> Result<ParsedFacts, FileError> {
    let mut book = Book::open(name_for_extension, bytes)?;
    let names = book.sheet_names().to_vec();
    let matcher = HeaderMatcher::new(fields(kind));
    let mut first_partial: Option<Loaded> = None;
    let mut other_kind: Option<FactKind> = None;
    for n in &names {
        let grid = book.grid(n)?;
        if grid.is_empty() {
            continue;
        }
        if let Some(header) = find_header(&grid, &matcher) {
            let l = Loaded {
                name: n.clone(),
                grid,
                header,
            };
            if l.header.missing_required(fields(kind)).is_empty() {
                return read_loaded(kind, l, known_areas, opts, 0);
            }
            if other_kind.is_none() {
                other_kind = detect_other(kind, &l.grid);
            }
            first_partial.get_or_insert(l);
        } else if other_kind.is_none() {
            other_kind = detect_other(kind, &grid);
        }
    }
    if let Some(found) = other_kind {
        return Err(FileError::WrongKind {
            expected: kind.key().to_string(),
            found: found.key().to_string(),
        });
    }
    match first_partial {
        Some(l) => Err(FileError::MissingColumns {
            sheet: l.name.clone(),
            columns: l.header.missing_required(fields(kind)),
        }),
        None => match names.first() {
            Some(n) if names.len() == 1 => Err(FileError::NoHeaderRow { sheet: n.clone() }),
            _ => Err(FileError::NoHeaderRow {
                sheet: names.join("、"),
            }),
        },
    }
}

/// Another kind whose whole header (every required column) the grid holds.
fn detect_other(kind: FactKind, grid: &Grid) -> Option<FactKind> {
    FactKind::ALL
        .iter()
        .copied()
        .filter(|k| *k != kind)
        .find(|k| {
            let m = HeaderMatcher::new(fields(*k));
            find_header(grid, &m).is_some_and(|h| h.missing_required(fields(*k)).is_empty())
        })
}

/// Reads JSON rows (`{"rows": [{"citizen_id": …, …}]}` with the English keys) by the same rules:
/// row numbers are positions in `rows`, from 1.
pub fn read_fact_rows(
    kind: FactKind,
    rows: &[serde_json::Map<String, serde_json::Value>],
    known_areas: &[Area],
    opts: &ImportOptions,
) -> Result<ParsedFacts, FileError> {
    let mut keys: Vec<String> = Vec::new();
    for r in rows {
        for k in r.keys() {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    let mut cells: Vec<Vec<Data>> = Vec::with_capacity(rows.len() + 1);
    cells.push(keys.iter().map(|k| Data::String(k.clone())).collect());
    for r in rows {
        cells.push(
            keys.iter()
                .map(|k| match r.get(k) {
                    None | Some(serde_json::Value::Null) => Data::Empty,
                    Some(serde_json::Value::String(s)) => Data::String(s.clone()),
                    Some(serde_json::Value::Bool(b)) => Data::Bool(*b),
                    Some(serde_json::Value::Number(n)) => match n.as_i64() {
                        Some(i) => Data::Int(i),
                        None => Data::Float(n.as_f64().unwrap_or(f64::NAN)),
                    },
                    Some(other) => Data::String(other.to_string()),
                })
                .collect(),
        );
    }
    let grid = Grid::Rows(cells);
    let matcher = HeaderMatcher::new(fields(kind));
    let header = match find_header(&grid, &matcher) {
        Some(h) => h,
        None if rows.is_empty() => {
            return Ok(ParsedFacts {
                kind,
                sheet: "rows".into(),
                received: 0,
                rows: Vec::new(),
                rejected: Vec::new(),
                warnings: Vec::new(),
            });
        }
        None => {
            if let Some(found) = detect_other(kind, &grid) {
                return Err(FileError::WrongKind {
                    expected: kind.key().to_string(),
                    found: found.key().to_string(),
                });
            }
            return Err(FileError::MissingColumns {
                sheet: "rows".into(),
                columns: fields(kind)
                    .iter()
                    .filter(|f| f.required && !keys.iter().any(|k| k == f.key || k == f.zh))
                    .map(|f| crate::MissingColumn {
                        header: f.zh,
                        key: f.key,
                    })
                    .collect(),
            });
        }
    };
    let missing = header.missing_required(fields(kind));
    if !missing.is_empty() {
        if let Some(found) = detect_other(kind, &grid) {
            return Err(FileError::WrongKind {
                expected: kind.key().to_string(),
                found: found.key().to_string(),
            });
        }
        return Err(FileError::MissingColumns {
            sheet: "rows".into(),
            columns: missing,
        });
    }
    let l = Loaded {
        name: "rows".into(),
        grid,
        header,
    };
    // Excel row 2 is the first data row: JSON row 1.
    read_loaded(kind, l, known_areas, opts, 1)
}

fn read_loaded(
    kind: FactKind,
    l: Loaded,
    known_areas: &[Area],
    opts: &ImportOptions,
    row_offset: u32,
) -> Result<ParsedFacts, FileError> {
    let ctx = Ctx {
        lang: opts.lang,
        today: opts.today,
    };
    let mut out = ParsedFacts {
        kind,
        sheet: l.name.clone(),
        received: 0,
        rows: Vec::new(),
        rejected: Vec::new(),
        warnings: Vec::new(),
    };
    column_warnings(&l, opts.lang, &mut out.warnings);
    let index = AreaIndex::new(known_areas, &[], opts.today);
    let layout = Layout {
        sheet: &l.name,
        header: &l.header,
        start_col: l.grid.start_col(),
        ctx,
    };
    let mut noop = |_: usize, _: usize| {};
    let mut prog = Progress {
        done: 0,
        total: l.data_rows(),
        f: &mut noop,
    };
    data_rows(&l, &mut prog, |excel_row, row| {
        out.received += 1;
        let mut rc = RowCheck::new(&layout, row, excel_row.saturating_sub(row_offset));
        rc.reject_control_chars();
        let parsed = parse_row(kind, &mut rc, &index);
        out.warnings.append(&mut rc.warnings);
        match parsed {
            Some(p) if rc.issues.is_empty() => out.rows.push(p),
            _ => out.rejected.append(&mut rc.issues),
        }
    });
    Ok(out)
}

fn citizen(d: &Data, c: &Ctx) -> Result<ParsedCitizenId, Bad> {
    let s = cell::ident(d, c)?;
    CitizenId::parse_on(&s, c.today).map_err(|e| e.message(c.lang))
}

pub(crate) fn name(d: &Data, c: &Ctx) -> Result<String, Bad> {
    parse_name(&cell::text(d)).map_err(|e| c.msg(&e))
}

/// A span's first day (column F4, required, not in the future) and last day (F5, optional,
/// not before the first).
fn span(rc: &mut RowCheck<'_>) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let from = rc.req(F4, past_date);
    let until = rc.opt(F5, cell::date);
    if let (Some(f), Some(u)) = (from, until)
        && u < f
    {
        let m = rc.ctx().pick(
            "结束日期不能早于开始日期",
            "the end date is before the start",
        );
        rc.reject(F5, m);
    }
    (from, until)
}

fn past_date(d: &Data, c: &Ctx) -> Result<NaiveDate, Bad> {
    let date = cell::date(d, c)?;
    not_future(date, c.today).map_err(|e| c.msg(&e))
}

/// A short text (a device, a service, a school): at most 100 characters.
pub(crate) fn short_text(d: &Data, c: &Ctx) -> Result<String, Bad> {
    let s: String = cell::norm(&cell::text(d))
        .trim()
        .chars()
        .filter(|ch| !ch.is_control())
        .collect();
    if s.chars().count() > 100 {
        return Err(c.msg(&zhucan_domain::parse::ValueError::TooLong { max: 100 }));
    }
    Ok(s)
}

/// A unified social credit code (统一社会信用代码, GB 32100), with its check character.
fn uscc(d: &Data, c: &Ctx) -> Result<String, Bad> {
    zhucan_domain::uscc::Uscc::parse(&cell::ident(d, c)?)
        .map(String::from)
        .map_err(|e| e.message(c.lang))
}

/// Field `i` of the kind's list.
const F2: usize = 2;
const F3: usize = 3;
const F4: usize = 4;
const F5: usize = 5;
const F6: usize = 6;

fn parse_row(kind: FactKind, rc: &mut RowCheck<'_>, areas: &AreaIndex) -> Option<ParsedFact> {
    let today = rc.ctx().today;
    let lang = rc.lang();
    let cid = rc.req(0, citizen);
    let name = rc.opt(1, name);
    let fact = match kind {
        FactKind::CivilAffairs => {
            let status = rc.req(F2, |d, c| {
                cell::choice(d, EconomicStatus::parse, EconomicStatus::choices, c)
            });
            let from = rc.req(F3, past_date);
            Fact::CivilAffairs {
                status: status?,
                effective_from: from?,
            }
        }
        FactKind::PublicSecurity => {
            let change = rc.req(F2, |d, c| {
                cell::choice(d, ResidenceChange::parse, ResidenceChange::choices, c)
            });
            let on = rc.req(F3, past_date);
            let (mut township, mut village) = (None, None);
            if change == Some(ResidenceChange::MovedIn) {
                township = rc.opt(F4, |d, c| {
                    areas.township(&cell::norm(&cell::text(d)), c.lang)
                });
                if let Some(t) = &township {
                    match rc.opt(F5, |d, c| {
                        areas.village(t, &cell::norm(&cell::text(d)), c.lang)
                    }) {
                        Some(Village::Known(code)) => village = Some(code),
                        Some(Village::Unknown(_)) => {
                            let m = rc.ctx().pick(
                                "村社区不在区划表中：只记录乡镇街道",
                                "the village is not in the area dictionary: only the township is recorded",
                            );
                            rc.warn(F5, m);
                        }
                        _ => {}
                    }
                } else if rc.cell(F5).is_some() && rc.cell(F4).is_none() {
                    let m = rc.ctx().pick(
                        "填写村社区时须同时填写乡镇街道",
                        "a village needs its township",
                    );
                    rc.reject(F4, m);
                }
                if rc.cell(F4).is_none() && rc.cell(F5).is_none() {
                    let m = rc.ctx().pick(
                        "迁入未填写乡镇街道：档案的居住地保持不变",
                        "moved in without a township: the file keeps its residence",
                    );
                    rc.warn(F4, m);
                }
            }
            Fact::PublicSecurity {
                change: change?,
                changed_on: on?,
                township,
                village,
            }
        }
        FactKind::Insurance => {
            let insurance = rc.req(F2, |d, c| {
                cell::choice(d, InsuranceKind::parse, InsuranceKind::choices, c)
            });
            let scheme = rc.req(F3, |d, c| {
                cell::choice(
                    d,
                    |s| Insurance::parse(s).filter(|i| *i != Insurance::None),
                    || [Insurance::Resident.zh(), Insurance::Employee.zh()].join("/"),
                    c,
                )
            });
            let enrolled = rc.req(F4, past_date);
            let ended = rc.opt(F5, cell::date);
            if let (Some(e), Some(x)) = (enrolled, ended)
                && x < e
            {
                let m = rc.ctx().pick(
                    "停保日期不能早于参保日期",
                    "the end date is before the enrolment",
                );
                rc.reject(F5, m);
            }
            let gov = rc.opt(F6, cell::yes_no);
            Fact::Insurance {
                insurance: insurance?,
                scheme: scheme?,
                enrolled_on: enrolled?,
                ended_on: ended,
                paid_by_government: gov,
            }
        }
        FactKind::Employment => {
            let status = rc.req(F2, |d, c| {
                cell::choice(
                    d,
                    |s| EmploymentStatus::parse(s).filter(|e| *e != EmploymentStatus::NotEmployed),
                    || {
                        EmploymentStatus::ALL
                            .iter()
                            .filter(|e| **e != EmploymentStatus::NotEmployed)
                            .map(|e| e.zh())
                            .collect::<Vec<_>>()
                            .join("/")
                    },
                    c,
                )
            });
            let employer = rc.opt(F3, uscc);
            let (from, until) = span(rc);
            Fact::Employment {
                employment_status: status?,
                employer_uscc: employer,
                from: from?,
                until,
            }
        }
        FactKind::Health => {
            let doctor = rc.req(F2, cell::yes_no);
            let signed = rc.req(F3, past_date);
            let followup = rc.opt(F4, past_date);
            Fact::Health {
                family_doctor: doctor?,
                signed_on: signed?,
                mental_followup_on: followup,
            }
        }
        FactKind::Education => {
            let year = rc.req(F2, |d, c| {
                let y = cell::int(d, 1950, i64::from(c.today.year()), c)?;
                i32::try_from(y).map_err(|_| c.msg(&zhucan_domain::parse::ValueError::Integer))
            });
            let stage = rc.req(F3, |d, c| {
                cell::choice(d, SchoolStage::parse, SchoolStage::choices, c)
            });
            let done = rc.req(F4, cell::yes_no);
            let inclusive = rc.opt(F5, cell::yes_no);
            let school = rc.opt(F6, short_text).filter(|s| !s.is_empty());
            Fact::Education {
                school_year: year?,
                school_stage: stage?,
                completed_compulsory: done?,
                inclusive,
                school,
            }
        }
        FactKind::RehabService => {
            let on = rc.req(F2, past_date);
            let service = rc.req(F3, short_text);
            let institution = rc.opt(F4, short_text).filter(|s| !s.is_empty());
            Fact::RehabService {
                served_on: on?,
                service: service?,
                institution,
            }
        }
        FactKind::DeviceFitting => {
            let on = rc.req(F2, past_date);
            let device = rc.req(F3, short_text);
            let subsidy = rc.opt(F4, cell::yuan_to_fen);
            Fact::DeviceFitting {
                fitted_on: on?,
                device: device?,
                subsidy_fen: subsidy,
            }
        }
        FactKind::DeviceLoan => {
            let device = rc.req(F2, short_text);
            let lent = rc.req(F3, past_date);
            let due = rc.req(F4, cell::date);
            let returned = rc.opt(F5, past_date);
            if let Some(l) = lent {
                if due.is_some_and(|d| d < l) {
                    let m = rc.ctx().pick(
                        "应还日期不能早于借出日期",
                        "the due date is before the loan",
                    );
                    rc.reject(F4, m);
                }
                if returned.is_some_and(|r| r < l) {
                    let m = rc.ctx().pick(
                        "归还日期不能早于借出日期",
                        "the return date is before the loan",
                    );
                    rc.reject(F5, m);
                }
            }
            Fact::DeviceLoan {
                device: device?,
                lent_on: lent?,
                due_on: due?,
                returned_on: returned,
            }
        }
        FactKind::HomeModification => {
            let on = rc.req(F2, past_date);
            let items = rc.opt(F3, short_text).filter(|s| !s.is_empty());
            let cost = rc.opt(F4, cell::yuan_to_fen);
            Fact::HomeModification {
                accepted_on: on?,
                items,
                cost_fen: cost,
            }
        }
        FactKind::EventAttendance => {
            let on = rc.req(F2, past_date);
            let event = rc.req(F3, short_text);
            let ek = rc.req(F4, |d, c| {
                cell::choice(d, EventKind::parse, EventKind::choices, c)
            });
            Fact::EventAttendance {
                attended_on: on?,
                event: event?,
                event_kind: ek?,
            }
        }
        FactKind::Care => {
            let mode = rc.req(F2, |d, c| {
                cell::choice(
                    d,
                    |s| CareNeed::parse(s).filter(|m| *m != CareNeed::None),
                    || {
                        CareNeed::ALL
                            .iter()
                            .filter(|m| **m != CareNeed::None)
                            .map(|m| m.zh())
                            .collect::<Vec<_>>()
                            .join("/")
                    },
                    c,
                )
            });
            let institution = rc.opt(F3, short_text).filter(|s| !s.is_empty());
            let (from, until) = span(rc);
            Fact::Care {
                mode: mode?,
                institution,
                from: from?,
                until,
            }
        }
    };
    let _ = (today, lang);
    let cid = cid?;
    if cid.upgraded_from.is_some() {
        let m = rc.ctx().pick(
            "15 位身份证号已升级为 18 位",
            "the 15-digit ID was upgraded to 18 digits",
        );
        rc.warn(0, m);
    }
    Some(ParsedFact {
        row: rc.excel_row,
        citizen_id: cid.id,
        name,
        fact,
    })
}

/// The township of a code or name (for tests and the staff form).
pub fn township_code(known: &[Area], input: &str, lang: Lang) -> Result<AreaCode, String> {
    AreaIndex::new(known, &[], chrono::Local::now().date_naive()).township(input, lang)
}
