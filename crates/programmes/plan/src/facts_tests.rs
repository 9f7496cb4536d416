//! The engine against the literal reading of the spec (`reference`), on registries full of
//! edge cases, and the status rules at their boundaries.

#[allow(unused_imports)]
use crate::prelude::*;
use crate::rules::{Attribute, Measure, Plan, PlanTarget, TargetUnit};
use chrono::NaiveDate;
use zhucan_domain::area::AreaCode;

use crate::facts::{Indicator, Measured, Members, Part, PlanData, Query, Status, ratio_status};
use crate::reference::{self, snapshot_of};
use zhucan_facts::Snapshot;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).expect("code")
}

pub(crate) fn plan() -> PlanData {
    let targets = Indicator::ALL
        .iter()
        .map(|i| PlanTarget {
            key: i.key().into(),
            seq: i64::from(i.id()),
            section: format!("专栏1-{}", i.id()),
            name: i.key().into(),
            name_en: i.key().into(),
            unit: TargetUnit::Ratio,
            attribute: Some(Attribute::Binding),
            baseline: Some(980_000),
            target: Some(990_000),
            target_year: 2025,
            measure: Measure::Computed,
        })
        .collect();
    PlanData {
        plan: Plan {
            id: "p".into(),
            name: "p".into(),
            name_en: "p".into(),
            baseline_date: d(2020, 12, 31),
            target_date: d(2025, 12, 31),
            source: String::new(),
        },
        targets,
        progress: vec![],
    }
}

const ANCHORS: [(i32, u32, u32); 4] = [(2021, 12, 31), (2023, 3, 1), (2024, 2, 29), (2025, 12, 31)];

fn anchors() -> Vec<NaiveDate> {
    ANCHORS.iter().map(|&(y, m, dd)| d(y, m, dd)).collect()
}

fn areas_under_test() -> Vec<AreaCode> {
    [
        "331003",
        "331003001",
        "331003101",
        "331003200",
        "331003201",
        "331003101201",
    ]
    .iter()
    .map(|c| code(c))
    .collect()
}

fn compare(reg: &reference::Registry, snap: &Snapshot, t: NaiveDate, seed: u64) {
    let areas = areas_under_test();
    let q = Query {
        at: t,
        areas: &areas,
        gdp_growth: Some(60_000),
        with_targets: true,
    };
    let reports = snap.evaluate(&plan(), &q);
    for (area, report) in areas.iter().zip(&reports) {
        let want = reference::expected(reg, t, area);
        for (got, exp) in report.indicators.iter().zip(&want) {
            let ctx = format!("seed {seed}, t {t}, area {area}, indicator {}", got.id);
            assert_eq!(got.id, exp.id, "{ctx}");
            assert_eq!(got.numerator, exp.numerator, "numerator: {ctx}");
            assert_eq!(got.denominator, exp.denominator, "denominator: {ctx}");
            match (got.value, exp.value) {
                (Some(a), Some(b)) => assert!(
                    (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                    "value {a} vs {b}: {ctx}"
                ),
                (a, b) => assert_eq!(a, b, "value: {ctx}"),
            }
        }
    }
}

#[test]
fn engine_matches_the_literal_spec_on_edge_case_registries() {
    let today = d(2026, 11, 30);
    for seed in 0..40 {
        let reg = reference::random(seed, 300, &anchors(), today);
        let snap = snapshot_of(&reg);
        for t in anchors()
            .into_iter()
            .chain([d(2026, 11, 30), d(2020, 1, 1)])
        {
            compare(&reg, &snap, t, seed);
        }
    }
}

#[test]
fn updating_a_person_replaces_their_facts() {
    let today = d(2026, 11, 30);
    let reg = reference::random(7, 200, &anchors(), today);
    let mut snap = snapshot_of(&reg);
    // Re-applying every file (as a cache refresh does) changes nothing.
    for f in reference::files(&reg.rows) {
        let surveys: Vec<_> = f.surveys.values().cloned().collect();
        snap.upsert(&f.person, &f.certificate, &f.former, &surveys);
    }
    compare(&reg, &snap, d(2025, 12, 31), 7);
    // Move every second person's rows to another township and household: the snapshot follows.
    let mut changed = reg.clone();
    for (i, r) in changed.rows.iter_mut().enumerate() {
        if i % 2 == 0 {
            r.person.township = code("331003201");
            r.person.village = None;
            r.person.household_id = Some("MOVED".into());
        }
    }
    for f in reference::files(&changed.rows) {
        let surveys: Vec<_> = f.surveys.values().cloned().collect();
        snap.upsert(&f.person, &f.certificate, &f.former, &surveys);
    }
    compare(&changed, &snap, d(2025, 12, 31), 7);
    compare(&changed, &snap, d(2024, 2, 29), 7);
}

#[test]
fn drill_down_lists_exactly_the_counted_people() {
    let today = d(2026, 11, 30);
    let reg = reference::random(11, 400, &anchors(), today);
    let snap = snapshot_of(&reg);
    let t = d(2025, 12, 31);
    for area in areas_under_test() {
        let q = Query {
            at: t,
            areas: std::slice::from_ref(&area),
            gdp_growth: None,
            with_targets: true,
        };
        let report = snap.evaluate(&plan(), &q).remove(0);
        for r in &report.indicators {
            let i = Indicator::from_key(r.key).expect("key");
            let len = |part| match snap.members(Measured::Indicator(i), part, &area, t) {
                Members::Persons(v) => v.len() as i64,
                Members::Townships(v) => v.len() as i64,
                Members::Institutions(v) => v.len() as i64,
            };
            match i {
                Indicator::IncomeGrowth
                | Indicator::HomeModification
                | Indicator::CareInstitutionCoverage => {}
                _ => {
                    assert_eq!(
                        Some(len(Part::Denominator)),
                        r.denominator,
                        "{} {area}",
                        r.key
                    );
                    assert_eq!(Some(len(Part::Numerator)), r.numerator, "{} {area}", r.key);
                    assert_eq!(
                        Some(len(Part::Gap)),
                        r.denominator.zip(r.numerator).map(|(d, n)| d - n),
                        "{} {area}",
                        r.key
                    );
                }
            }
        }
        // Households: every listed gap person belongs to the denominator list.
        let den = snap.members(
            Measured::Indicator(Indicator::HomeModification),
            Part::Denominator,
            &area,
            t,
        );
        let gap = snap.members(
            Measured::Indicator(Indicator::HomeModification),
            Part::Gap,
            &area,
            t,
        );
        if let (Members::Persons(den), Members::Persons(gap)) = (den, gap) {
            assert!(gap.iter().all(|g| den.contains(g)));
        }
    }
}

#[test]
fn status_at_its_boundaries() {
    let year = (0, 1826);
    let half = (913, 1826);
    let done = (1826, 1826);
    // Met is value ≥ target, exactly.
    assert_eq!(
        ratio_status(99, 100, Some(980_000), Some(990_000), year),
        Status::Met
    );
    assert_eq!(
        ratio_status(98, 100, Some(980_000), Some(990_000), year),
        Status::OnTrack
    );
    assert_eq!(
        ratio_status(97, 100, Some(980_000), Some(990_000), year),
        Status::Behind
    );
    // Half way: the line is at 98.5 %.
    assert_eq!(
        ratio_status(985, 1000, Some(980_000), Some(990_000), half),
        Status::OnTrack
    );
    assert_eq!(
        ratio_status(984, 1000, Some(980_000), Some(990_000), half),
        Status::Behind
    );
    // At the end the line is the target.
    assert_eq!(
        ratio_status(989, 1000, Some(980_000), Some(990_000), done),
        Status::Behind
    );
    assert_eq!(
        ratio_status(990, 1000, Some(980_000), Some(990_000), done),
        Status::Met
    );
    // 1843/1862 = 98.98 %: not met, on track until the line passes it.
    assert_eq!(
        ratio_status(1843, 1862, Some(980_000), Some(990_000), half),
        Status::OnTrack
    );
    assert_eq!(
        ratio_status(1843, 1862, Some(980_000), Some(990_000), done),
        Status::Behind
    );
    // No denominator: no data.
    assert_eq!(
        ratio_status(0, 0, Some(980_000), Some(990_000), half),
        Status::NoData
    );
    // No baseline: met or behind.
    assert_eq!(
        ratio_status(89, 100, None, Some(900_000), half),
        Status::Behind
    );
}

#[test]
fn trend_has_month_ends_then_the_date() {
    let dates = crate::facts::trend_dates(d(2020, 12, 31), d(2021, 3, 15));
    assert_eq!(
        dates,
        vec![
            d(2020, 12, 31),
            d(2021, 1, 31),
            d(2021, 2, 28),
            d(2021, 3, 15)
        ]
    );
    assert_eq!(
        crate::facts::trend_dates(d(2020, 12, 31), d(2020, 12, 31)),
        vec![d(2020, 12, 31)]
    );
    assert!(crate::facts::trend_dates(d(2020, 12, 31), d(2019, 1, 1)).is_empty());
}

#[test]
fn the_trend_is_the_evaluation_of_each_date_in_order() {
    let reg = reference::random(5, 400, &anchors(), d(2026, 11, 30));
    let snap = snapshot_of(&reg);
    let plan = plan();
    for area in areas_under_test() {
        for t in [d(2026, 11, 30), d(2021, 2, 1), d(2020, 12, 31)] {
            let trend = snap.trend(&plan, &area, t);
            let dates = crate::facts::trend_dates(plan.plan.baseline_date, t);
            assert_eq!(trend.len(), dates.len(), "{area} {t}");
            for (point, at) in trend.iter().zip(dates) {
                let areas = [area.clone()];
                let q = Query {
                    at,
                    areas: &areas,
                    gdp_growth: None,
                    with_targets: false,
                };
                assert_eq!(Some(point), snap.evaluate(&plan, &q).first(), "{area} {at}");
            }
        }
    }
}

#[test]
fn generated_registries_exercise_every_indicator() {
    let reg = reference::random(6, 300, &anchors(), d(2026, 11, 30));
    let e = reference::expected(&reg, d(2025, 12, 31), &code("331003"));
    for x in &e {
        if x.id == 1 {
            assert!(x.value.is_some(), "indicator 1 has a value");
        } else {
            let (n, dd) = (x.numerator.unwrap_or(0), x.denominator.unwrap_or(0));
            assert!(dd > 0 && n > 0, "indicator {} has people: {n}/{dd}", x.id);
            if ![4, 5, 6].contains(&x.id) {
                assert!(n < dd, "indicator {} has a gap: {n}/{dd}", x.id);
            }
        }
    }
}
