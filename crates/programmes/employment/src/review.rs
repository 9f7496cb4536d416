//! The review over what the store and the registry hold: the terms of an employer's township on
//! the year's last day, what the registry says of each declared employee on that day, and the
//! contract's JSON of a result. Used by the command (a file) and by the pages (a stored
//! declaration) alike.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::json;
use zhucan_domain::Grade;
use zhucan_domain::Lang;
use zhucan_domain::area::{Area, AreaCode, AreaLevel};
use zhucan_domain::ids::CitizenId;
use zhucan_domain::parse::fen_to_yuan;
use zhucan_domain::policy::{ParamKey, Policy};
use zhucan_facts::Snapshot;
use zhucan_store::{Store, StoreError};
use zhucan_workbook::Issue;
use zhucan_workbook::declaration::DeclaredEmployer;

use crate::rules::{self, Employee, Employer, EmployerResult, Standing, Terms};
use crate::store::{Declaration, DeclaredPerson, EmploymentStore};

/// The year's last day, the day a year's review is judged on; `None` outside 2000–2100.
pub fn judged_on(year: i64) -> Option<NaiveDate> {
    i32::try_from(year)
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31))
}

/// What a review reads besides the declaration: the parameters and the district's areas.
pub struct Setting {
    pub policy: Policy,
    pub areas: Vec<Area>,
    pub district: AreaCode,
}

impl Setting {
    pub async fn load(store: &Store) -> Result<Setting, StoreError> {
        Ok(Setting {
            policy: store.policy().await?,
            areas: store.areas().await?,
            district: store.district().await?,
        })
    }

    /// The township an employer's `乡镇街道` names (its code or its name), or `None`.
    pub fn township_of(&self, text: &str) -> Option<AreaCode> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        self.areas
            .iter()
            .filter(|a| a.code.level() == AreaLevel::Township)
            .find(|a| a.code.as_str() == t || a.name == t)
            .map(|a| a.code.clone())
    }

    /// The area an employer is reviewed for: its township, else the district.
    pub fn area_of(&self, township: &str) -> AreaCode {
        self.township_of(township)
            .unwrap_or_else(|| self.district.clone())
    }

    pub fn terms(&self, area: &AreaCode, day: NaiveDate) -> Result<Terms, ParamKey> {
        Terms::resolve(&self.policy, area, day)
    }
}

/// What the registry says of each person on `day` (`None`: not in the registry), read from
/// the facts snapshot: active is the indicators' "Active at t" (the certificate governing the
/// day in force, the person not dead or moved out by then — the public-security feed's
/// deaths and moves included), severe is that certificate's grade 1–2. No database read:
/// the snapshot is in memory, like the tables a database would join.
pub fn standings(
    snap: &Snapshot,
    ids: &[CitizenId],
    day: NaiveDate,
) -> HashMap<CitizenId, Option<Standing>> {
    let t = zhucan_facts::snapshot::day(day);
    let mut out = HashMap::with_capacity(ids.len());
    for id in ids {
        if out.contains_key(id) {
            continue;
        }
        let s = snap
            .index_of(id)
            .and_then(|i| snap.persons.get(i))
            .map(|p| Standing {
                active: snap.active(p, t).is_some(),
                severe: snap
                    .cert_at(p, t)
                    .is_some_and(|c| matches!(c.grade, Grade::One | Grade::Two)),
            });
        out.insert(id.clone(), s);
    }
    out
}

/// The review of one stored declaration, as it stands now (the other employers of the year
/// are read only for who else listed the same persons). `Ok(Err(k))`: parameter `k` is not
/// in force for the employer's area.
pub async fn review_stored(
    store: &Store,
    snap: &Snapshot,
    setting: &Setting,
    d: &Declaration,
    people: &[DeclaredPerson],
) -> Result<Result<(EmployerResult, Terms), ParamKey>, StoreError> {
    let Some(day) = judged_on(d.year) else {
        return Ok(Err(ParamKey::EmploymentQuotaRatio));
    };
    let area = AreaCode::parse(&d.area_code).unwrap_or_else(|| setting.district.clone());
    let terms = match setting.terms(&area, day) {
        Ok(t) => t,
        Err(k) => return Ok(Err(k)),
    };
    let ids: Vec<CitizenId> = people.iter().map(|p| p.citizen_id.clone()).collect();
    let listing = store.employers_listing(d.year, &ids).await?;
    let standing = standings(snap, &ids, day);
    let employer = Employer {
        uscc: d.uscc.clone(),
        avg_staff_micro: d.avg_staff_micro,
        avg_wage_fen: d.avg_wage_fen,
    };
    let results = people
        .iter()
        .map(|p| {
            let e = Employee {
                uscc: d.uscc.clone(),
                citizen_id: p.citizen_id.clone(),
                contract_months: p.contract_months,
                monthly_wage_fen: p.monthly_wage_fen,
                insured: p.insured,
            };
            let n = listing.get(&p.citizen_id).copied().unwrap_or(1).max(1);
            rules::judge_employee(
                &e,
                standing.get(&p.citizen_id).copied().flatten(),
                n,
                &terms,
            )
        })
        .collect();
    Ok(Ok((
        rules::review_employer(&employer, results, &terms),
        terms,
    )))
}

/// A number of persons as the review states it (up to six decimals, no trailing zeros).
pub fn persons(v: f64) -> String {
    let s = format!("{v:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The contract's employer object.
pub fn result_json(name: &str, e: &EmployerResult) -> serde_json::Value {
    json!({
        "uscc": e.uscc.as_str(),
        "name": name,
        "avg_staff": e.avg_staff(),
        "quota": e.quota(),
        "counted": e.counted,
        "shortfall": e.shortfall(),
        "exempt": e.exempt,
        "pay_share": e.pay_share(),
        "levy_fen": e.levy_fen,
        "reward_fen": e.reward_fen,
        "employees": e.employees.iter().map(|x| json!({
            "citizen_id": x.citizen_id.as_str(),
            "counts": x.counts,
            "reasons": x.reasons,
        })).collect::<Vec<_>>(),
    })
}

/// The declarations of a file read without problems, as the store keeps them (each
/// employer's township resolved).
pub fn new_declarations(
    decl: &zhucan_workbook::declaration::Declaration,
    setting: &Setting,
) -> Vec<crate::store::NewDeclaration> {
    let mut people: HashMap<&str, Vec<DeclaredPerson>> = HashMap::new();
    for e in &decl.employees {
        people
            .entry(e.uscc.as_str())
            .or_default()
            .push(DeclaredPerson {
                citizen_id: e.citizen_id.clone(),
                name: e.name.clone(),
                contract_months: e.contract_months,
                monthly_wage_fen: e.monthly_wage_fen,
                insured: e.insured,
            });
    }
    decl.employers
        .iter()
        .map(|e| crate::store::NewDeclaration {
            uscc: e.uscc.clone(),
            name: e.name.clone(),
            township: e.township.clone(),
            area_code: setting.area_of(&e.township).to_string(),
            avg_staff_micro: e.avg_staff_micro,
            avg_wage_fen: e.avg_wage_fen,
            employees: people.remove(e.uscc.as_str()).unwrap_or_default(),
            expected: None,
        })
        .collect()
}

/// A problem of a declaration file, with its sheet, row and column.
pub fn issue_text(i: &Issue, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "“{}”表第 {} 行“{}”列（{}）：{}",
            i.sheet, i.row, i.column, i.value, i.message
        ),
        Lang::En => format!(
            "sheet “{}” row {} column “{}” ({}): {}",
            i.sheet, i.row, i.column, i.value, i.message
        ),
    }
}

/// The terms an employer is reviewed under, with the warnings its line earns (a township not
/// of the district; an annual wage below the minimum wage × 12), or the area and the
/// parameter not in force.
pub fn line_terms(
    setting: &Setting,
    sheet: &str,
    e: &DeclaredEmployer,
    day: NaiveDate,
    lang: Lang,
) -> Result<(Terms, Vec<Issue>), (AreaCode, ParamKey)> {
    let mut warnings = Vec::new();
    if setting.township_of(&e.township).is_none() && !e.township.trim().is_empty() {
        warnings.push(Issue {
            sheet: sheet.to_string(),
            row: e.row,
            column: "乡镇街道".into(),
            value: e.township.clone(),
            message: lang
                .pick(
                    "不是本区的乡镇（街道）：按全区的参数审核",
                    "not a township of the district: reviewed with the district's parameters",
                )
                .into(),
        });
    }
    let area = setting.area_of(&e.township);
    let t = setting.terms(&area, day).map_err(|k| (area.clone(), k))?;
    if e.avg_wage_fen < t.minimum_wage_fen * 12 {
        warnings.push(Issue {
            sheet: sheet.to_string(),
            row: e.row,
            column: "职工年平均工资".into(),
            value: fen_to_yuan(e.avg_wage_fen),
            message: match lang {
                Lang::Zh => format!(
                    "低于最低工资标准 × 12（{} 元）：是否填了月工资？此处应为年平均工资",
                    fen_to_yuan(t.minimum_wage_fen * 12)
                ),
                Lang::En => format!(
                    "below the minimum wage × 12 ({} yuan): a monthly wage? This column is the annual average",
                    fen_to_yuan(t.minimum_wage_fen * 12)
                ),
            },
        });
    }
    Ok((t, warnings))
}

/// The warnings for the employees the registry does not know (each person once, at the first
/// row listing them): they are not counted.
pub fn unknown_persons(
    decl: &zhucan_workbook::declaration::Declaration,
    standing: &HashMap<CitizenId, Option<Standing>>,
    lang: Lang,
) -> Vec<Issue> {
    let mut seen = std::collections::HashSet::new();
    decl.employees
        .iter()
        .filter(|e| {
            standing.get(&e.citizen_id).is_some_and(Option::is_none) && seen.insert(&e.citizen_id)
        })
        .map(|e| unknown_person(&decl.employee_sheet, e.row, &e.citizen_id, lang))
        .collect()
}

/// The same for a declaration about to be stored.
pub fn unknown_warnings(
    snap: &Snapshot,
    decl: &zhucan_workbook::declaration::Declaration,
    year: i64,
    lang: Lang,
) -> Vec<Issue> {
    let Some(day) = judged_on(year) else {
        return Vec::new();
    };
    let ids: Vec<CitizenId> = decl
        .employees
        .iter()
        .map(|e| e.citizen_id.clone())
        .collect();
    unknown_persons(decl, &standings(snap, &ids, day), lang)
}

/// The warning for an employee not in the registry.
pub fn unknown_person(sheet: &str, row: u32, id: &CitizenId, lang: Lang) -> Issue {
    Issue {
        sheet: sheet.to_string(),
        row,
        column: "公民身份号码".into(),
        value: id.masked(),
        message: lang
            .pick(
                "残疾人档案中没有此人：不计入安排人数（unknown_person）",
                "not in the registry: not counted (unknown_person)",
            )
            .into(),
    }
}
