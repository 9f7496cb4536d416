//! A literal, slow reading of `indicators.md` over workbook rows, for tests only (feature
//! `reference`): the tests compare the indicators engine with it, on random registries, through
//! the store, the command line and the API.

use std::collections::HashMap;

use chrono::{Datelike, Months, NaiveDate};
use zhucan_domain::area::{Area, AreaCode, AreaKind, AreaLevel};
use zhucan_domain::disability::is_severe_care;
use zhucan_domain::institution::{Institution, InstitutionKind};
use zhucan_domain::person::{
    EconomicStatus, EmploymentStatus, Insurance, NotEmployedReason, SchoolStage, Survey,
};
pub use zhucan_facts::reference::*;

/// What the spec says one indicator is.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    pub id: u8,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub value: Option<f64>,
}

fn mean_of_households(files: &[&File], t: NaiveDate, y: i32) -> Option<f64> {
    let mut hh: HashMap<String, Vec<i64>> = HashMap::new();
    for f in files {
        if !active(f, t) {
            continue;
        }
        if let Some(income) = f.surveys.get(&y).and_then(|s| s.income_per_capita_fen) {
            hh.entry(household(f)).or_default().push(income);
        }
    }
    if hh.is_empty() {
        return None;
    }
    let sum: f64 = hh
        .values()
        .map(|v| v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64)
        .sum();
    Some(sum / hh.len() as f64)
}

fn ratio(n: i64, d: i64, id: u8) -> Expected {
    Expected {
        id,
        numerator: Some(n),
        denominator: Some(d),
        value: (d > 0).then(|| n as f64 / d as f64),
    }
}

/// The 14 indicators of `reg` at `t` for `area`, by the letter of `indicators.md`.
pub fn expected(reg: &Registry, t: NaiveDate, area: &AreaCode) -> Vec<Expected> {
    let all = files(&reg.rows);
    let mine: Vec<&File> = all.iter().filter(|f| in_area(f, area)).collect();
    let act: Vec<&File> = mine.iter().copied().filter(|f| active(f, t)).collect();
    let y = t.year();
    let count = |pred: &dyn Fn(&File, Option<&Survey>) -> bool| -> i64 {
        act.iter().filter(|f| pred(f, values_for(f, y))).count() as i64
    };
    let mut out = Vec::new();

    // 1
    let prev_t = t.checked_sub_months(Months::new(12)).unwrap_or(t);
    let value = match (
        mean_of_households(&mine, t, y),
        mean_of_households(&mine, prev_t, y - 1),
    ) {
        (Some(m), Some(p)) if p != 0.0 => Some(m / p - 1.0),
        _ => None,
    };
    out.push(Expected {
        id: 1,
        numerator: None,
        denominator: None,
        value,
    });

    // 2
    let low = |s: Option<&Survey>| {
        matches!(
            s.and_then(|s| s.economic_status),
            Some(EconomicStatus::Dibao | EconomicStatus::Dibian)
        )
    };
    let d2 = count(&|_, s| low(s));
    let n2 = count(&|_, s| {
        low(s) && s.is_some_and(|s| receiving(s.living_subsidy_since, s.living_subsidy_until, t))
    });
    out.push(ratio(n2, d2, 2));

    // 3
    let severe = |f: &File, s: Option<&Survey>| {
        let c = cert_at(f, t);
        is_severe_care(c.category, c.grade, &c.components)
            && s.and_then(|s| s.economic_status) != Some(EconomicStatus::Tekun)
    };
    let d3 = count(&|f, s| severe(f, s));
    let n3 = count(&|f, s| {
        severe(f, s)
            && s.is_some_and(|s| receiving(s.nursing_subsidy_since, s.nursing_subsidy_until, t))
    });
    out.push(ratio(n3, d3, 3));

    // 4
    let homes = |code: &AreaCode| {
        reg.institutions.iter().any(|i| {
            i.kind == InstitutionKind::HomeOfDisabled
                && &i.township == code
                && literal_state(i, t).standardized
                && literal_state(i, t).open
        })
    };
    let townships: Vec<&Area> = reg
        .areas
        .iter()
        .filter(|a| {
            a.code.level() == AreaLevel::Township
                && area.contains(&a.code)
                && match a.code.kind() {
                    AreaKind::Subdistrict | AreaKind::Town => true,
                    AreaKind::Township => a.population.unwrap_or(0) >= 10_000,
                    _ => false,
                }
        })
        .collect();
    let n4 = townships.iter().filter(|a| homes(&a.code)).count() as i64;
    out.push(ratio(n4, townships.len() as i64, 4));

    // 5
    let open = |i: &Institution| literal_state(i, t).open;
    if area.level() == AreaLevel::District {
        let any = reg.institutions.iter().any(|i| {
            i.kind == InstitutionKind::CareInstitution && area.contains(&i.township) && open(i)
        });
        out.push(ratio(i64::from(any), 1, 5));
    } else {
        out.push(Expected {
            id: 5,
            numerator: None,
            denominator: None,
            value: None,
        });
    }

    // 6
    let rehab: Vec<&Institution> = reg
        .institutions
        .iter()
        .filter(|i| {
            i.kind == InstitutionKind::ChildRehab
                && literal_state(i, t).designated
                && area.contains(&i.township)
                && open(i)
        })
        .collect();
    let n6 = rehab
        .iter()
        .filter(|i| literal_state(i, t).standardized)
        .count() as i64;
    out.push(ratio(n6, rehab.len() as i64, 6));

    let in_school = |s: Option<&Survey>| {
        s.and_then(|s| s.school_stage)
            .is_some_and(|st| st != SchoolStage::NotInSchool)
    };
    let insured =
        |i: Option<Insurance>| matches!(i, Some(Insurance::Resident | Insurance::Employee));

    // 7
    let d7 = |f: &File, s: Option<&Survey>| age(f, t) >= 16 && !in_school(s);
    out.push(ratio(
        count(&|f, s| d7(f, s) && insured(s.and_then(|s| s.pension_insurance))),
        count(&d7),
        7,
    ));

    // 8
    out.push(ratio(
        count(&|_, s| insured(s.and_then(|s| s.medical_insurance))),
        act.len() as i64,
        8,
    ));

    // 9
    let d9 = |f: &File, s: Option<&Survey>| {
        let a = age(f, t);
        let male = f.person.citizen_id.sex() == zhucan_domain::Sex::Male;
        let working = if male {
            (16..=59).contains(&a)
        } else {
            (16..=54).contains(&a)
        };
        working
            && !in_school(s)
            && !matches!(
                s.and_then(|s| s.not_employed_reason),
                Some(
                    NotEmployedReason::InSchool
                        | NotEmployedReason::Retired
                        | NotEmployedReason::Incapable
                )
            )
    };
    out.push(ratio(
        count(&|f, s| {
            d9(f, s)
                && s.and_then(|s| s.employment_status)
                    .is_some_and(|e| e != EmploymentStatus::NotEmployed)
        }),
        count(&d9),
        9,
    ));

    // 10
    let d10 = |f: &File, s: Option<&Survey>| {
        (15..=17).contains(&age(f, t)) && s.and_then(|s| s.completed_compulsory) == Some(true)
    };
    out.push(ratio(
        count(&|f, s| {
            d10(f, s)
                && matches!(
                    s.and_then(|s| s.school_stage),
                    Some(
                        SchoolStage::Senior
                            | SchoolStage::Vocational
                            | SchoolStage::SpecialSenior
                            | SchoolStage::Tertiary
                    )
                )
        }),
        count(&d10),
        10,
    ));

    // 11, 12
    let yes = |v: Option<bool>| v == Some(true);
    out.push(ratio(
        count(&|_, s| yes(s.and_then(|s| s.needs_rehab)) && yes(s.and_then(|s| s.received_rehab))),
        count(&|_, s| yes(s.and_then(|s| s.needs_rehab))),
        11,
    ));
    out.push(ratio(
        count(&|_, s| yes(s.and_then(|s| s.needs_device)) && yes(s.and_then(|s| s.device_fitted))),
        count(&|_, s| yes(s.and_then(|s| s.needs_device))),
        12,
    ));

    // 13
    let mut hh: HashMap<String, bool> = HashMap::new();
    for f in &act {
        let s = values_for(f, y);
        let qualifies = matches!(
            s.and_then(|s| s.economic_status),
            Some(EconomicStatus::Dibao | EconomicStatus::Dibian | EconomicStatus::Tekun)
        ) && yes(s.and_then(|s| s.needs_home_modification));
        if qualifies {
            let done = hh.entry(household(f)).or_insert(false);
            *done |= yes(s.and_then(|s| s.home_modification_done));
        }
    }
    out.push(ratio(
        hh.values().filter(|d| **d).count() as i64,
        hh.len() as i64,
        13,
    ));

    // 14
    out.push(ratio(
        count(&|_, s| yes(s.and_then(|s| s.culture_sports))),
        act.len() as i64,
        14,
    ));
    out
}

/// An institution's values at `t`, read literally: its directory row, then every decision
/// effective on or before `t` applied in (day, order of recording) order; an opening or
/// closing of the directory comes before a decision of the same day.
fn literal_state(i: &Institution, t: NaiveDate) -> zhucan_domain::institution::StateAt {
    use zhucan_domain::institution::Change;
    let mut events: Vec<(NaiveDate, i64, Change)> = vec![(i.opened_on, -2, Change::Opened)];
    if let Some(c) = i.closed_on {
        events.push((c, -1, Change::Closed));
    }
    events.extend(
        i.decisions
            .iter()
            .map(|d| (d.effective_on, d.seq, d.change)),
    );
    events.sort_by_key(|(on, seq, _)| (*on, *seq));
    let mut s = zhucan_domain::institution::StateAt {
        open: false,
        standardized: i.standardized,
        designated: i.designated,
        operator: None,
        beds: i.beds,
    };
    for (_, _, c) in events.into_iter().filter(|(on, ..)| *on <= t) {
        match c {
            Change::Opened => s.open = true,
            Change::Closed => s.open = false,
            Change::Standardized(b) => s.standardized = b,
            Change::Designated(b) => s.designated = b,
            Change::Operator(o) => s.operator = Some(o),
            Change::Beds(b) => s.beds = b,
        }
    }
    s
}
