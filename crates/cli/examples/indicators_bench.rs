//! Benchmark (not a test): the 14 indicators for the district and each of its townships at one
//! date, warm, including the freshness check before every computation; one computation right
//! after a write; the monthly trend. Also exports the same facts as CSV for the DuckDB side
//! (`bench/indicators_duckdb.py`). Run by `bench/indicators-vs-duckdb.sh`.
//!
//!     cargo run --release --example indicators_bench -- DATABASE_URL OUT_DIR [DATE] [RUNS]
//!
//! Writes `OUT_DIR/zhucan.json` (results and timings) and `OUT_DIR/{persons,surveys,areas,
//! institutions}.csv`.

// A benchmark is the process itself: it reads any file.
#![allow(clippy::disallowed_methods)]

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;
use zhucan_domain::area::{AreaCode, AreaLevel};
use zhucan_domain::disability::format_components;
use zhucan_domain::lang::Lang;
use zhucan_domain::person::CertificateStatus;
use zhucan_plan::facts::IndicatorFacts;
use zhucan_plan::{Query, Report};
use zhucan_store::Store;
use zhucan_store::registry::Actor;

mod common;
use common::{Error, Pages, csv_file, field, ms, opt, stats};

/// Exports the facts the indicators read, as the store holds them (not as the engine keeps
/// them): persons with their current certificate, every survey row, areas, institutions.
async fn export_csv(store: &Store, dir: &Path) -> Result<(usize, usize), Error> {
    let file = |name: &str| csv_file(dir, name);
    let mut pf = file("persons.csv")?;
    let mut sf = file("surveys.csv")?;
    writeln!(
        pf,
        "citizen_id,township_code,village_code,household_id,died_on,moved_out_on,\
         category,grade,components,issued_on,valid_until,certificate_status,smart_card,revoked_on"
    )?;
    writeln!(
        sf,
        "citizen_id,survey_year,economic_status,income_per_capita_fen,\
         living_subsidy_since,living_subsidy_until,nursing_subsidy_since,nursing_subsidy_until,\
         pension_insurance,medical_insurance,employment_status,not_employed_reason,school_stage,\
         completed_compulsory,needs_rehab,received_rehab,needs_device,device_fitted,\
         needs_home_modification,home_modification_done,care_need,receives_care,culture_sports"
    )?;
    let (mut persons, mut rows) = (0usize, 0usize);
    let mut pages = Pages::new(5_000);
    loop {
        let page = pages.next(store).await?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            let (p, c) = (&e.person, &e.certificate);
            writeln!(
                pf,
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                p.citizen_id,
                p.township,
                opt(p.village.as_ref()),
                opt(p.household_id.as_deref()),
                opt(p.died_on),
                opt(p.moved_out_on),
                c.category.zh(),
                c.grade.digit(),
                field(&format_components(&c.components, Lang::Zh)),
                c.issued_on,
                c.valid_until,
                c.status.zh(),
                c.smart_card,
                opt(c.revoked_on),
            )?;
            persons += 1;
            for s in &e.surveys {
                writeln!(
                    sf,
                    "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                    p.citizen_id,
                    s.year,
                    opt(s.economic_status.map(|v| v.zh())),
                    opt(s.income_per_capita_fen),
                    opt(s.living_subsidy_since),
                    opt(s.living_subsidy_until),
                    opt(s.nursing_subsidy_since),
                    opt(s.nursing_subsidy_until),
                    opt(s.pension_insurance.map(|v| v.zh())),
                    opt(s.medical_insurance.map(|v| v.zh())),
                    opt(s.employment_status.map(|v| v.zh())),
                    opt(s.not_employed_reason.map(|v| v.zh())),
                    opt(s.school_stage.map(|v| v.zh())),
                    opt(s.completed_compulsory),
                    opt(s.needs_rehab),
                    opt(s.received_rehab),
                    opt(s.needs_device),
                    opt(s.device_fitted),
                    opt(s.needs_home_modification),
                    opt(s.home_modification_done),
                    opt(s.care_need.map(|v| v.zh())),
                    opt(s.receives_care),
                    opt(s.culture_sports),
                )?;
                rows += 1;
            }
        }
    }
    pf.flush()?;
    sf.flush()?;
    let mut af = file("areas.csv")?;
    writeln!(af, "code,name,population,valid_from,valid_until")?;
    for a in store.areas().await? {
        writeln!(
            af,
            "{},{},{},{},{}",
            a.code,
            field(&a.name),
            opt(a.population),
            opt(a.valid_from),
            opt(a.valid_until)
        )?;
    }
    af.flush()?;
    let mut inf = file("institutions.csv")?;
    writeln!(
        inf,
        "name,kind,township_code,standardized,designated,opened_on,closed_on"
    )?;
    for i in store.institutions().await? {
        writeln!(
            inf,
            "{},{},{},{},{},{},{}",
            field(&i.name),
            i.kind.zh(),
            i.township,
            i.standardized,
            i.designated,
            i.opened_on,
            opt(i.closed_on)
        )?;
    }
    inf.flush()?;
    Ok((persons, rows))
}

/// The numerator and denominator of indicator `id` in the report of `area`.
fn parts(reports: &[Report], area: &AreaCode, id: u8) -> (Option<i64>, Option<i64>) {
    reports
        .iter()
        .find(|r| r.area.code == area.as_str())
        .and_then(|r| r.indicators.iter().find(|i| i.id == id))
        .map_or((None, None), |i| (i.numerator, i.denominator))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .ok_or("usage: indicators_bench DATABASE_URL OUT_DIR [DATE] [RUNS]")?;
    let out = Path::new(args.get(2).map_or("target/bench", String::as_str)).to_path_buf();
    let at: NaiveDate = args.get(3).map_or("2025-12-31", String::as_str).parse()?;
    let runs: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(30);
    std::fs::create_dir_all(&out)?;

    let store = zhucan::open_store(url).await?;
    let plan = zhucan_plan::load_plan(&store)
        .await?
        .ok_or("the database holds no plan")?;
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
    let q = Query {
        at,
        areas: &areas,
        gdp_growth: None,
        with_targets: false,
    };

    // Cold: the first snapshot loads every person file from the store.
    let cache = zhucan::facts_cache(store.clone());
    let t = Instant::now();
    let snap = cache.snapshot().await?;
    let cold_ms = ms(t);
    let persons = snap.len();
    drop(snap);
    println!(
        "cold load through FactsCache: {persons} persons in {cold_ms:.0} ms; {} areas",
        areas.len()
    );

    let t = Instant::now();
    let (csv_persons, csv_rows) = export_csv(&store, &out).await?;
    let export_ms = ms(t);
    println!("CSV export: {csv_persons} persons, {csv_rows} survey rows in {export_ms:.0} ms");

    // Warm: the freshness check (one small query) and the 14 × areas computation, each run.
    let (mut total, mut check, mut eval) = (Vec::new(), Vec::new(), Vec::new());
    let mut reports = Vec::new();
    for _ in 0..runs {
        let t0 = Instant::now();
        let snap = cache.snapshot().await?;
        let t1 = Instant::now();
        reports = snap.evaluate(&plan, &q);
        let t2 = Instant::now();
        drop(snap);
        total.push((t2 - t0).as_secs_f64() * 1000.0);
        check.push((t1 - t0).as_secs_f64() * 1000.0);
        eval.push((t2 - t1).as_secs_f64() * 1000.0);
    }
    let warm = stats(&total);
    println!(
        "warm, {runs} runs (freshness check + 14 indicators × {} areas): median {:.2} ms, min {:.2} ms",
        areas.len(),
        warm["median_ms"].as_f64().unwrap_or(0.0),
        warm["min_ms"].as_f64().unwrap_or(0.0)
    );

    // A write, then the next computation: it must see the write (zero staleness). Five times,
    // a different person each time; the store's part of the refresh is timed on its own too.
    let mut writes = Vec::new();
    let mut last = reports.clone();
    for _ in 0..5 {
        let victim = pick_active(&store, at).await?;
        let file = store
            .person_file(&victim, &zhucan_store::Reach::system("benchmark"))
            .await?
            .ok_or("the chosen person vanished")?;
        let died = at.pred_opt().ok_or("date")?;
        let mut next = file.record();
        next.person.died_on = Some(died);
        let seen_before = store.change_counters().await?;
        let tw = Instant::now();
        store
            .save_file(
                &next,
                file.version,
                None,
                &Actor {
                    name: "bench",
                    source: "form",
                },
            )
            .await?;
        let write_ms = ms(tw);
        let t0 = Instant::now();
        let snap = cache.snapshot().await?;
        let t1 = Instant::now();
        let after = snap.evaluate(&plan, &q);
        let t2 = Instant::now();
        drop(snap);
        // The same store reads again, now that SQLite's caches have caught up with the write.
        let tq = Instant::now();
        let ids = store.changed_ids_since(seen_before.registry()).await?;
        let files = store.files_of(&ids).await?;
        let store_ms = ms(tq);
        let medical = Indicator8::of(&last, &after, &district, &file.person.township);
        let refresh_ms = (t1 - t0).as_secs_f64() * 1000.0;
        let compute_ms = (t2 - t1).as_secs_f64() * 1000.0;
        println!(
            "after a write (death recorded, {write_ms:.1} ms): refresh {refresh_ms:.2} ms \
             (the store's reads for {} file, repeated: {store_ms:.2} ms) + compute {compute_ms:.2} ms; \
             medical-insurance denominator district {} → {}, township {} → {}",
            files.len(),
            medical.district.0,
            medical.district.1,
            medical.township.0,
            medical.township.1
        );
        let visible = medical.district.1 + 1 == medical.district.0
            && medical.township.1 + 1 == medical.township.0;
        if !visible {
            return Err("the write is not visible in the next computation".into());
        }
        writes.push(serde_json::json!({
            "person": victim.masked(),
            "died_on": died,
            "write_ms": write_ms,
            "refresh_ms": refresh_ms,
            "store_reads_repeated_ms": store_ms,
            "evaluate_ms": compute_ms,
            "total_ms": refresh_ms + compute_ms,
            "medical_insurance_denominator": {
                "district": [medical.district.0, medical.district.1],
                "township": [medical.township.0, medical.township.1],
            },
            "visible": visible,
        }));
        last = after;
    }

    // The dashboard's monthly trend of the district.
    let snap = cache.snapshot().await?;
    let mut trends = serde_json::Map::new();
    let today = chrono::Local::now().date_naive();
    for t in [at, today] {
        let mut times = Vec::new();
        let mut points = 0;
        for _ in 0..3 {
            let s = Instant::now();
            points = snap.trend(&plan, &district, t).len();
            times.push(ms(s));
        }
        let st = stats(&times);
        println!(
            "trend of the district to {t}: {points} monthly points, median {:.0} ms, min {:.0} ms",
            st["median_ms"].as_f64().unwrap_or(0.0),
            st["min_ms"].as_f64().unwrap_or(0.0)
        );
        trends.insert(
            t.to_string(),
            serde_json::json!({"points": points, "timing": st}),
        );
    }
    drop(snap);

    let doc = serde_json::json!({
        "reference_date": at,
        "persons": persons,
        "survey_rows": csv_rows,
        "areas": areas.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
        "timings": {
            "cold_load_ms": cold_ms,
            "csv_export_ms": export_ms,
            "warm_total": warm,
            "warm_freshness_check": stats(&check),
            "warm_evaluate": stats(&eval),
            "trend": trends,
        },
        "after_write": writes,
        "reports": reports,
    });
    std::fs::write(out.join("zhucan.json"), serde_json::to_string_pretty(&doc)?)?;
    println!("results in {}", out.join("zhucan.json").display());
    Ok(())
}

/// Indicator 8's denominator (active persons) before and after the write.
struct Indicator8 {
    district: (i64, i64),
    township: (i64, i64),
}

impl Indicator8 {
    fn of(before: &[Report], after: &[Report], district: &AreaCode, tw: &AreaCode) -> Indicator8 {
        let den = |r: &[Report], a: &AreaCode| parts(r, a, 8).1.unwrap_or(-1);
        Indicator8 {
            district: (den(before, district), den(after, district)),
            township: (den(before, tw), den(after, tw)),
        }
    }
}

/// A person active at `at` with a valid certificate and no death or move recorded.
async fn pick_active(store: &Store, at: NaiveDate) -> Result<zhucan_domain::ids::CitizenId, Error> {
    let mut pages = Pages::new(500);
    loop {
        let page = pages.next(store).await?;
        if page.is_empty() {
            return Err("no active person".into());
        }
        if let Some(e) = page.iter().find(|e| {
            e.certificate.status == CertificateStatus::Valid
                && e.certificate.issued_on <= at
                && e.certificate.valid_until >= at
                && e.person.died_on.is_none()
                && e.person.moved_out_on.is_none()
                && !e.surveys.is_empty()
        }) {
            return Ok(e.person.citizen_id.clone());
        }
    }
}
