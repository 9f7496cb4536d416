//! The review over what the store and the registry hold: the terms of an employer's township on
//! the year's last day, what the registry says of each declared employee on that day, and the
//! contract's JSON of a result. Used by the command (a file) and by the pages (a stored
//! declaration) alike.

use std::collections::HashMap;
use std::sync::Arc;

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
    /// Each township by its code and by its name (the first of a name wins).
    townships: HashMap<String, AreaCode>,
}

impl Setting {
    pub async fn load(store: &Store) -> Result<Setting, StoreError> {
        let areas = store.areas().await?;
        let mut townships = HashMap::new();
        for a in areas
            .iter()
            .filter(|a| a.code.level() == AreaLevel::Township)
        {
            townships
                .entry(a.code.to_string())
                .or_insert_with(|| a.code.clone());
            townships
                .entry(a.name.clone())
                .or_insert_with(|| a.code.clone());
        }
        Ok(Setting {
            policy: store.policy().await?,
            areas,
            district: store.district().await?,
            townships,
        })
    }

    /// The township an employer's `乡镇街道` names (its code or its name), or `None`.
    pub fn township_of(&self, text: &str) -> Option<AreaCode> {
        self.townships.get(text.trim()).cloned()
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

/// The terms of each area on one day, each resolved once (a declaration has thousands of
/// employers in a few dozen townships).
pub struct AreaTerms<'s> {
    setting: &'s Setting,
    day: NaiveDate,
    memo: HashMap<AreaCode, Result<Arc<Terms>, ParamKey>>,
    /// By an employer's `乡镇街道` as written (trimmed): whether it is a township of the
    /// district, and the terms or the area and the parameter missing.
    by_text: TownshipTerms,
}

type TownshipTerms =
    HashMap<String, (bool, Result<Arc<Terms>, (AreaCode, ParamKey)>), foldhash::fast::RandomState>;

impl<'s> AreaTerms<'s> {
    pub fn new(setting: &'s Setting, day: NaiveDate) -> AreaTerms<'s> {
        AreaTerms {
            setting,
            day,
            memo: HashMap::new(),
            by_text: TownshipTerms::default(),
        }
    }

    /// The terms in force for `area`, or the first parameter missing.
    pub fn get(&mut self, area: &AreaCode) -> Result<Arc<Terms>, ParamKey> {
        if let Some(t) = self.memo.get(area) {
            return t.clone();
        }
        let t = self.setting.terms(area, self.day).map(Arc::new);
        self.memo.insert(area.clone(), t.clone());
        t
    }

    /// The terms for an employer's `乡镇街道` as written (its township, else the district's),
    /// and whether it names a township of the district.
    pub fn for_township(&mut self, text: &str) -> (bool, Result<Arc<Terms>, (AreaCode, ParamKey)>) {
        let key = text.trim();
        if let Some(x) = self.by_text.get(key) {
            return x.clone();
        }
        let township = self.setting.township_of(key);
        let known = township.is_some();
        let area = township.unwrap_or_else(|| self.setting.district.clone());
        let t = self.get(&area).map_err(|k| (area, k));
        self.by_text.insert(key.to_string(), (known, t.clone()));
        (known, t)
    }
}

/// What the registry says of each person on `day`, in the order given (`None`: not in the
/// registry), read from the facts snapshot: active is the indicators' "Active at t" (the
/// certificate governing the day in force, the person not dead or moved out by then — the
/// public-security feed's deaths and moves included), severe is that certificate's grade
/// 1–2. No database read: the snapshot is in memory, like the tables a database would join.
pub fn standings<'a>(
    snap: &Snapshot,
    ids: impl IntoIterator<Item = &'a CitizenId>,
    day: NaiveDate,
) -> Vec<Option<Standing>> {
    let t = zhucan_facts::snapshot::day(day);
    // Two passes, the lookups first: each loop is short, so the processor overlaps the
    // cache misses of many persons (half the time at 60 000 lines).
    let found: Vec<Option<usize>> = ids.into_iter().map(|id| snap.index_of(id)).collect();
    found
        .into_iter()
        .map(|i| {
            i.and_then(|i| snap.persons.get(i)).map(|p| Standing {
                active: snap.active(p, t).is_some(),
                severe: snap
                    .cert_at(p, t)
                    .is_some_and(|c| matches!(c.grade, Grade::One | Grade::Two)),
            })
        })
        .collect()
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
    let ids: Vec<CitizenId> = people.iter().map(|p| p.citizen_id.clone()).collect();
    let listing = store.employers_listing(d.year, &ids).await?;
    Ok(review_of(snap, setting, d, people, |id| {
        listing.get(id).is_some_and(|&n| n > 1)
    }))
}

/// The same without the database: `several(id)` says whether more than one employer listed
/// the person in the declaration's year (many declarations reviewed at once read that once,
/// [`EmploymentStore::listed_by_several`]).
pub fn review_of(
    snap: &Snapshot,
    setting: &Setting,
    d: &Declaration,
    people: &[DeclaredPerson],
    several: impl Fn(&CitizenId) -> bool,
) -> Result<(EmployerResult, Terms), ParamKey> {
    let day = judged_on(d.year).ok_or(ParamKey::EmploymentQuotaRatio)?;
    let area = AreaCode::parse(&d.area_code).unwrap_or_else(|| setting.district.clone());
    let terms = setting.terms(&area, day)?;
    let standing = standings(snap, people.iter().map(|p| &p.citizen_id), day);
    let employer = Employer {
        uscc: d.uscc.clone(),
        avg_staff_micro: d.avg_staff_micro,
        avg_wage_fen: d.avg_wage_fen,
    };
    let results = people
        .iter()
        .zip(standing)
        .map(|(p, standing)| {
            let e = Employee {
                uscc: &d.uscc,
                citizen_id: &p.citizen_id,
                contract_months: p.contract_months,
                monthly_wage_fen: p.monthly_wage_fen,
                insured: p.insured,
            };
            rules::judge_employee(&e, standing, several(&p.citizen_id), &terms)
        })
        .collect();
    Ok((rules::review_employer(&employer, results, &terms), terms))
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
    terms: &mut AreaTerms<'_>,
    sheet: &str,
    e: &DeclaredEmployer,
    lang: Lang,
) -> Result<(Arc<Terms>, Vec<Issue>), (AreaCode, ParamKey)> {
    let mut warnings = Vec::new();
    let (known, t) = terms.for_township(&e.township);
    if !known && !e.township.trim().is_empty() {
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
    let t = t?;
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
/// `standing` is [`standings`] of the declaration's employees, in their order.
pub fn unknown_persons(
    decl: &zhucan_workbook::declaration::Declaration,
    standing: &[Option<Standing>],
    lang: Lang,
) -> Vec<Issue> {
    let mut seen = std::collections::HashSet::new();
    decl.employees
        .iter()
        .zip(standing)
        .filter(|(e, s)| s.is_none() && seen.insert(&e.citizen_id))
        .map(|(e, _)| unknown_person(&decl.employee_sheet, e.row, &e.citizen_id, lang))
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
    let standing = standings(snap, decl.employees.iter().map(|e| &e.citizen_id), day);
    unknown_persons(decl, &standing, lang)
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
