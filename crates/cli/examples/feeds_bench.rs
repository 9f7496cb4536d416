//! Benchmark (not a test): the partner feeds of issue 13 over a demo district — a civil-affairs
//! roll (persons / 5 rows) and a public-security list (persons / 50 changes) applied through
//! `zhucan_feeds::run::submit`, each timed, with the first indicator and audit computation
//! after it (the facts cache's incremental refresh) next to the same computation before the
//! feeds. Writes the persons and the two feeds as CSV for the DuckDB side
//! (`bench/feeds_duckdb.py`). Run by `bench/feeds-vs-duckdb.sh`.
//!
//!     cargo run --release --example feeds_bench -- DATABASE_URL OUT_DIR [RUNS]
//!
//! The database must not hold the feeds yet (the script works on a copy of the demo).
//! Writes `OUT_DIR/zhucan.json` (timings, counts) and `OUT_DIR/{persons,roll,
//! public_security}.csv`.

// A benchmark is the process itself: it reads any file.
#![allow(clippy::disallowed_methods)]

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use chrono::{Datelike, Days, NaiveDate};
use zhucan_domain::Lang;
use zhucan_domain::area::{AreaCode, AreaLevel};
use zhucan_domain::ids::CitizenId;
use zhucan_domain::ledger::FactKind;
use zhucan_domain::parse::Month;
use zhucan_facts::FactsCache;
use zhucan_feeds::run::{Body, Report, Sender, submit};
use zhucan_plan::facts::IndicatorFacts;
use zhucan_plan::{PlanData, Query};
use zhucan_store::Store;
use zhucan_subsidies::facts::SubsidyEngine;

mod common;
use common::{Error, Pages, Rng, csv_file, field, ms, stats};

/// Unmatched rows added to each feed (valid IDs of nobody in the registry).
const UNMATCHED: usize = 10;

/// A day of 2025 between day-of-year `from` and `to` (0-based, inclusive).
fn day_2025(rng: &mut Rng, from: u64, to: u64) -> Result<NaiveDate, Error> {
    let jan1 = NaiveDate::from_ymd_opt(2025, 1, 1).ok_or("date")?;
    let d = from + rng.below(to - from + 1);
    Ok(jan1 + Days::new(d))
}

/// What the feeds need of a person.
struct Person {
    id: CitizenId,
    name: String,
    township: AreaCode,
    village: Option<AreaCode>,
}

/// One computation: the freshness check (or refresh), the 14 indicators for the areas, the
/// audit of the month for the district.
struct Computation {
    refresh_ms: f64,
    evaluate_ms: f64,
    audit_ms: f64,
    findings: usize,
    /// Indicator 8's numerator and denominator for the district (a visible effect).
    indicator_8: (Option<i64>, Option<i64>),
}

impl Computation {
    fn total_ms(&self) -> f64 {
        self.refresh_ms + self.evaluate_ms + self.audit_ms
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "refresh_ms": self.refresh_ms,
            "evaluate_ms": self.evaluate_ms,
            "audit_ms": self.audit_ms,
            "total_ms": self.total_ms(),
            "findings": self.findings,
            "indicator_8_district": [self.indicator_8.0, self.indicator_8.1],
        })
    }
}

struct Ctx<'a> {
    cache: &'a FactsCache,
    plan: &'a PlanData,
    policy: &'a zhucan_domain::policy::Policy,
    query: Query<'a>,
    month: Month,
    district: &'a AreaCode,
}

impl Ctx<'_> {
    async fn compute(&self) -> Result<Computation, Error> {
        let t0 = Instant::now();
        let snap = self.cache.snapshot().await?;
        let t1 = Instant::now();
        let reports = snap.evaluate(self.plan, &self.query);
        let t2 = Instant::now();
        let findings = snap.audit(self.policy, self.month, self.district);
        let t3 = Instant::now();
        let indicator_8 = reports
            .iter()
            .find(|r| r.area.code == self.district.as_str())
            .and_then(|r| r.indicators.iter().find(|i| i.id == 8))
            .map_or((None, None), |i| (i.numerator, i.denominator));
        Ok(Computation {
            refresh_ms: (t1 - t0).as_secs_f64() * 1000.0,
            evaluate_ms: (t2 - t1).as_secs_f64() * 1000.0,
            audit_ms: (t3 - t2).as_secs_f64() * 1000.0,
            findings: findings.len(),
            indicator_8,
        })
    }

    /// `runs` warm computations: the totals and the parts.
    async fn warm(&self, runs: usize) -> Result<(serde_json::Value, Computation), Error> {
        let (mut total, mut eval, mut audit, mut check) = (vec![], vec![], vec![], vec![]);
        let mut last = None;
        for _ in 0..runs {
            let c = self.compute().await?;
            total.push(c.total_ms());
            eval.push(c.evaluate_ms);
            audit.push(c.audit_ms);
            check.push(c.refresh_ms);
            last = Some(c);
        }
        let last = last.ok_or("no run")?;
        Ok((
            serde_json::json!({
                "total": stats(&total),
                "freshness_check": stats(&check),
                "evaluate": stats(&eval),
                "audit": stats(&audit),
                "findings": last.findings,
                "indicator_8_district": [last.indicator_8.0, last.indicator_8.1],
            }),
            last,
        ))
    }
}

/// Reads every person (in citizen ID order) and writes `persons.csv` for DuckDB: the ID, the
/// township and the survey's economic status (the row of 2025, else the latest before).
async fn read_persons(store: &Store, dir: &Path) -> Result<Vec<Person>, Error> {
    let mut pf = csv_file(dir, "persons.csv")?;
    writeln!(pf, "citizen_id,township_code,economic_status")?;
    let mut out = Vec::new();
    let mut pages = Pages::new(5_000);
    loop {
        let page = pages.next(store).await?;
        if page.is_empty() {
            break;
        }
        for e in page {
            let p = e.person;
            let status = e
                .surveys
                .iter()
                .filter(|s| s.year <= 2025)
                .max_by_key(|s| s.year)
                .and_then(|s| s.economic_status)
                .map_or("", |s| s.zh());
            writeln!(pf, "{},{},{}", p.citizen_id, p.township, status)?;
            out.push(Person {
                id: p.citizen_id,
                name: p.name,
                township: p.township,
                village: p.village,
            });
        }
    }
    pf.flush()?;
    Ok(out)
}

/// `n` valid citizen IDs that nobody in the registry holds (the persons are sorted by ID).
fn strangers(persons: &[Person], n: usize) -> Result<Vec<CitizenId>, Error> {
    let mut out = Vec::new();
    for p in persons {
        if out.len() == n {
            break;
        }
        let s = p.id.as_str();
        let Some(head) = s.get(..14) else { continue };
        // Another sequence number on the same birth date: 990–999 (rarely used).
        let seq = 990 + out.len() % 10;
        let Some(id) = zhucan_domain::ids::with_check_char(&format!("{head}{seq:03}")) else {
            continue;
        };
        let taken = persons
            .binary_search_by(|q| q.id.as_str().cmp(id.as_str()))
            .is_ok();
        if !taken && !out.contains(&id) {
            out.push(id);
        }
    }
    if out.len() < n {
        return Err("could not make unmatched IDs".into());
    }
    Ok(out)
}

/// The feeds' files: returns (roll rows, public-security rows) written, matched ones only.
fn write_feeds(
    persons: &[Person],
    dir: &Path,
    roll_rows: usize,
    ps_rows: usize,
) -> Result<serde_json::Value, Error> {
    let mut rng = Rng(0x2026_1204);
    // A shuffled order of the persons: the roll takes the first ones, the list the next ones.
    let mut order: Vec<u32> = (0..persons.len() as u32).collect();
    for i in (1..order.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        order.swap(i, j);
    }
    let statuses = ["无", "低保", "低边", "特困"];

    // The roll: every tenth row a second, later row for a person already on it.
    let second = roll_rows / 10;
    let first = roll_rows - second;
    let ps_persons = ps_rows - ps_rows / 5;
    if first + ps_persons > persons.len() {
        return Err("the district is too small for the feeds".into());
    }
    let mut rf = csv_file(dir, "roll.csv")?;
    writeln!(rf, "citizen_id,name,status,effective_from")?;
    let mut firsts = Vec::with_capacity(first);
    for &i in &order[..first] {
        let p = &persons[i as usize];
        let on = day_2025(&mut rng, 0, 303)?; // to 31 October
        let s = statuses[rng.below(4) as usize];
        writeln!(rf, "{},{},{s},{on}", p.id, field(&p.name))?;
        firsts.push(on);
    }
    for (k, &i) in order[..second].iter().enumerate() {
        let p = &persons[i as usize];
        // After the first row, to 31 December: some after 1 December (not yet in force then).
        let from = u64::from(firsts[k].ordinal0()) + 1;
        let on = day_2025(&mut rng, from, 364)?;
        let s = statuses[rng.below(4) as usize];
        writeln!(rf, "{},{},{s},{on}", p.id, field(&p.name))?;
    }
    let stranger = strangers(persons, 2 * UNMATCHED)?;
    for id in &stranger[..UNMATCHED] {
        writeln!(rf, "{id},查无此人,低保,2025-06-01")?;
    }
    rf.flush()?;

    // The list: deaths and moves out; every fifth row a move back in (to another person's
    // township and village) after a move out of the same person.
    let mut pf = csv_file(dir, "public_security.csv")?;
    writeln!(pf, "citizen_id,name,change,changed_on,township,village")?;
    let list = &order[first..first + ps_persons];
    let moves_in = ps_rows / 5;
    let (mut deaths, mut outs) = (0usize, 0usize);
    let mut out_dates = Vec::new();
    for (k, &i) in list.iter().enumerate() {
        let p = &persons[i as usize];
        // The first `moves_in` persons move out (and back in below); the rest half and half.
        let death = k >= moves_in && k % 2 == 0;
        let on = day_2025(&mut rng, 0, 300)?;
        if death {
            deaths += 1;
            writeln!(pf, "{},{},死亡,{on},,", p.id, field(&p.name))?;
        } else {
            outs += 1;
            writeln!(pf, "{},{},迁出,{on},,", p.id, field(&p.name))?;
        }
        if k < moves_in {
            out_dates.push(on);
        }
    }
    for (k, &i) in list[..moves_in].iter().enumerate() {
        let p = &persons[i as usize];
        let to = &persons[rng.below(persons.len() as u64) as usize];
        let from = u64::from(out_dates[k].ordinal0()) + 1;
        let on = day_2025(&mut rng, from, 330)?;
        writeln!(
            pf,
            "{},{},迁入,{on},{},{}",
            p.id,
            field(&p.name),
            to.township,
            to.village
                .as_ref()
                .map(|v| v.to_string())
                .unwrap_or_default()
        )?;
    }
    for id in &stranger[UNMATCHED..] {
        writeln!(pf, "{id},查无此人,死亡,2025-06-01,,")?;
    }
    pf.flush()?;
    Ok(serde_json::json!({
        "roll": {"rows": roll_rows, "persons": first, "second_rows": second, "unmatched": UNMATCHED},
        "public_security": {"rows": ps_rows, "persons": ps_persons, "deaths": deaths,
                            "moved_out": outs, "moved_in": moves_in, "unmatched": UNMATCHED},
    }))
}

fn counts(r: &Report) -> serde_json::Value {
    serde_json::json!({
        "status": r.status,
        "received": r.received,
        "matched": r.matched,
        "changed": r.changed,
        "unchanged": r.unchanged,
        "unmatched": r.unmatched.len(),
        "rejected": r.rejected.len(),
        "warnings": r.warnings.len(),
        "error": r.error,
    })
}

/// Sends a file as the operator's run; returns the report and the milliseconds.
async fn send(
    store: &Store,
    kind: FactKind,
    path: &Path,
    sender: &Sender,
) -> Result<(Report, f64), Error> {
    let bytes = std::fs::read(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let t = Instant::now();
    let r = submit(
        store,
        kind,
        "file",
        Body::File { name, bytes },
        sender,
        None,
        Lang::Zh,
    )
    .await?;
    let took = ms(t);
    if let Some(e) = &r.error {
        return Err(format!("{} refused: {e}", kind.key()).into());
    }
    if let Some(i) = r.rejected.first() {
        return Err(format!(
            "{}: {} rows rejected, first: row {} {} “{}”: {}",
            kind.key(),
            r.rejected.len(),
            i.row,
            i.column,
            i.value,
            i.message
        )
        .into());
    }
    println!(
        "{}: received {}, matched {}, changed {}, unchanged {}, unmatched {}, warnings {} in {took:.0} ms",
        kind.key(),
        r.received,
        r.matched,
        r.changed,
        r.unchanged,
        r.unmatched.len(),
        r.warnings.len()
    );
    Ok((r, took))
}

/// Only reading the file (what `submit` does before matching), on its own.
async fn read_only(store: &Store, kind: FactKind, path: &Path) -> Result<f64, Error> {
    let bytes = std::fs::read(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let t = Instant::now();
    let parsed = zhucan_feeds::run::read(
        store,
        kind,
        Body::File { name, bytes },
        Lang::Zh,
        zhucan_store::registry::today(),
    )
    .await?;
    let took = ms(t);
    println!(
        "{}: reading alone {} rows in {took:.0} ms",
        kind.key(),
        parsed.rows.len()
    );
    Ok(took)
}

/// The roll's persons' economic status at 2025-12-01 as the facts engine lays the ledger over
/// the survey: counts by status (for the check against DuckDB's latest row per person).
fn roll_statuses(
    snap: &zhucan_facts::Snapshot,
    roll: &Path,
    at: NaiveDate,
) -> Result<serde_json::Value, Error> {
    let text = std::fs::read_to_string(roll)?;
    let mut ids: Vec<&str> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let t = zhucan_facts::snapshot::day(at);
    let mut by = std::collections::BTreeMap::<String, usize>::new();
    for id in ids {
        let Ok(id) = CitizenId::from_trusted(id.to_string()) else {
            continue;
        };
        let Some(i) = snap.index_of(&id) else {
            continue;
        };
        let Some(p) = snap.persons.get(i) else {
            continue;
        };
        let status = snap
            .overlay(p, None, t)
            .and_then(|s| s.economic)
            .map_or("(none in force)", |e| e.zh());
        *by.entry(status.to_string()).or_default() += 1;
    }
    Ok(serde_json::to_value(by)?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .ok_or("usage: feeds_bench DATABASE_URL OUT_DIR [RUNS]")?;
    let out = Path::new(args.get(2).map_or("target/bench", String::as_str)).to_path_buf();
    let runs: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(10);
    std::fs::create_dir_all(&out)?;
    let at = NaiveDate::from_ymd_opt(2025, 12, 31).ok_or("date")?;
    let status_at = NaiveDate::from_ymd_opt(2025, 12, 1).ok_or("date")?;
    let month = Month::new(2025, 12).ok_or("month")?;

    let store = zhucan::open_store(url).await?;
    if !store.ledger_all().await?.is_empty() {
        return Err("the database already holds ledger facts: run on a fresh copy".into());
    }
    let plan = zhucan_plan::load_plan(&store)
        .await?
        .ok_or("the database holds no plan")?;
    let policy = store.policy().await?;
    let district = store.district().await?;
    let mut areas = vec![district.clone()];
    areas.extend(
        store
            .areas()
            .await?
            .into_iter()
            .filter(|a| a.code.level() == AreaLevel::Township && district.contains(&a.code))
            .map(|a| a.code),
    );

    // The inputs.
    let t = Instant::now();
    let persons = read_persons(&store, &out).await?;
    let n = persons.len();
    let (roll_rows, ps_rows) = (n / 5, n / 50);
    let made = write_feeds(&persons, &out, roll_rows, ps_rows)?;
    drop(persons);
    println!(
        "inputs: {n} persons exported, roll of {roll_rows} + {UNMATCHED} rows, list of {ps_rows} + {UNMATCHED} changes in {:.0} ms",
        ms(t)
    );
    let (roll, ps) = (out.join("roll.csv"), out.join("public_security.csv"));

    // Cold, then warm before the feeds.
    let cache = zhucan::facts_cache(store.clone());
    let t = Instant::now();
    cache.snapshot().await?;
    let cold_ms = ms(t);
    println!("cold load through FactsCache: {cold_ms:.0} ms");
    let ctx = Ctx {
        cache: &cache,
        plan: &plan,
        policy: &policy,
        query: Query {
            at,
            areas: &areas,
            gdp_growth: None,
            with_targets: false,
        },
        month,
        district: &district,
    };
    let (before, b) = ctx.warm(runs).await?;
    println!(
        "before the feeds, warm ({runs} runs): median {:.1} ms (evaluate {:.1}, audit {:.1}); {} findings",
        before["total"]["median_ms"].as_f64().unwrap_or(0.0),
        before["evaluate"]["median_ms"].as_f64().unwrap_or(0.0),
        before["audit"]["median_ms"].as_f64().unwrap_or(0.0),
        b.findings
    );

    let sender = Sender {
        account: "cli:bench".into(),
        role: None,
        area: district.clone(),
        department: None,
        client: "bench".into(),
    };
    let mut feeds = serde_json::Map::new();
    for (kind, path) in [
        (FactKind::CivilAffairs, &roll),
        (FactKind::PublicSecurity, &ps),
    ] {
        let read_ms = read_only(&store, kind, path).await?;
        let (report, apply_ms) = send(&store, kind, path, &sender).await?;
        let first = ctx.compute().await?;
        println!(
            "{}: first computation after: refresh {:.1} ms + evaluate {:.1} + audit {:.1} = {:.1} ms; {} findings",
            kind.key(),
            first.refresh_ms,
            first.evaluate_ms,
            first.audit_ms,
            first.total_ms(),
            first.findings
        );
        let mut statuses = serde_json::Value::Null;
        if kind == FactKind::CivilAffairs {
            let snap = cache.snapshot().await?;
            statuses = roll_statuses(&snap, &roll, status_at)?;
            println!("roll persons' economic status at {status_at}: {statuses}");
        }
        let (warm, _) = ctx.warm(runs).await?;
        println!(
            "{}: warm after ({runs} runs): median {:.1} ms",
            kind.key(),
            warm["total"]["median_ms"].as_f64().unwrap_or(0.0)
        );
        feeds.insert(
            kind.key().to_string(),
            serde_json::json!({
                "file": path.file_name().map(|f| f.to_string_lossy().into_owned()),
                "report": counts(&report),
                "read_only_ms": read_ms,
                "apply_ms": apply_ms,
                "first_after": first.json(),
                "warm_after": warm,
                "statuses_at_2025_12_01": statuses,
            }),
        );
    }

    // The roll again: idempotent, every matched row unchanged.
    let (again, again_ms) = send(&store, FactKind::CivilAffairs, &roll, &sender).await?;
    if again.changed != 0 {
        return Err(format!("re-sending the roll changed {} rows", again.changed).into());
    }
    let after_again = ctx.compute().await?;
    println!(
        "roll re-sent: {again_ms:.0} ms; the next computation {:.1} ms (refresh {:.2} ms)",
        after_again.total_ms(),
        after_again.refresh_ms
    );

    let doc = serde_json::json!({
        "persons": n,
        "reference_date": at,
        "audit_month": month.to_string(),
        "areas": areas.len(),
        "inputs": made,
        "timings": {
            "cold_load_ms": cold_ms,
            "before": before,
        },
        "feeds": feeds,
        "roll_again": {
            "report": counts(&again),
            "apply_ms": again_ms,
            "next_computation": after_again.json(),
        },
    });
    std::fs::write(out.join("zhucan.json"), serde_json::to_string_pretty(&doc)?)?;
    println!("results in {}", out.join("zhucan.json").display());
    Ok(())
}
