//! Benchmark (not a test): the 应补尽补 audit and the monthly payroll of the two subsidies over
//! the whole registry, warm, freshness check included; exports the same facts as CSV for the
//! DuckDB side (`bench/subsidies_duckdb.py`). Run by `bench/subsidies-vs-duckdb.sh`.
//!
//!     cargo run --release --example subsidies_bench -- DATABASE_URL OUT_DIR [MONTH] [RUNS]
//!
//! Before measuring, it makes the demo district's subsidy history realistic, once per database:
//! the two months before MONTH are paid and closed (submitted by one account, approved by
//! another), and then facts arrive late, as they do — allowances from other departments
//! (work-injury nursing, orphans', same-need allowances, some since before the closed months),
//! deaths recorded after the months they fall in, a township's higher 低保 standard effective
//! from the first closed month, a village's living ratio and a new district nursing tier table —
//! so that MONTH's payroll carries arrears and recoveries as well as regular payments.
//!
//! Writes `OUT_DIR/zhucan.json` (timings, counts), `OUT_DIR/zhucan_{audit,payroll}.csv` (the
//! results, for the check) and the inputs `OUT_DIR/{persons,surveys,benefits,params,
//! param_statuses,param_tiers,paid,closed}.csv`.

// A benchmark is the process itself: it reads any file.
#![allow(clippy::disallowed_methods)]

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use zhucan_domain::area::{AreaCode, AreaLevel};
use zhucan_domain::disability::{Category, Grade};
use zhucan_domain::ids::CitizenId;
use zhucan_domain::parse::Month;
use zhucan_domain::policy::{ParamEntry, ParamKey, ParamValue, Policy, Tier};
use zhucan_store::Store;
use zhucan_store::registry::Actor;
use zhucan_subsidies::prelude::*;
use zhucan_subsidies::rules::{Benefit, BenefitKind};
use zhucan_subsidies::store::PayrollLine;

mod common;
use common::{Error, Pages, csv_file as file, ms, opt, stats};

const SOURCE: &str = "基准测试（bench/subsidies-vs-duckdb.sh）";

/// FNV-1a of a citizen ID, in 0..100 000: a stable, well-spread choice of persons.
fn bucket(id: &CitizenId) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.as_str().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h % 100_000
}

fn prev(m: Month) -> Result<Month, Error> {
    let (y, mo) = (m.year(), m.month());
    let p = if mo == 1 {
        Month::new(y - 1, 12)
    } else {
        Month::new(y, mo - 1)
    };
    p.ok_or_else(|| "month out of range".into())
}

fn month(y: i32, m: u32) -> Result<Month, Error> {
    Month::new(y, m).ok_or_else(|| format!("bad month {y}-{m}").into())
}

/// Closes month `c`: its live payroll, submitted by one account and approved by another.
async fn close_month(store: &Store, c: Month, district: &AreaCode) -> Result<usize, Error> {
    let policy = store.policy().await?;
    let snap = zhucan::facts_cache(store.clone()).snapshot().await?;
    let lines = snap.payroll(&policy, c, district);
    let run = store
        .submit_payroll(c, &lines, "bench-clerk")
        .await?
        .map_err(|r| format!("submit {c}: {r:?}"))?;
    store
        .approve_payroll(c, &run.digest, "bench-head")
        .await?
        .map_err(|r| format!("approve {c}: {r:?}"))?;
    Ok(lines.len())
}

/// The late facts (see the module comment); returns what was recorded.
async fn late_facts(
    store: &Store,
    m: Month,
    first_closed: Month,
    district: &AreaCode,
) -> Result<serde_json::Value, Error> {
    let actor = Actor {
        name: "bench",
        source: "form",
    };
    let before = prev(first_closed)?;
    let (mut benefits, mut deaths) = (0usize, 0usize);
    let mut pages = Pages::new(5_000);
    loop {
        let page = pages.next(store).await?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            let id = &e.person.citizen_id;
            let h = bucket(id);
            let benefit = |kind, amount_fen, since, until| Benefit {
                kind,
                amount_fen,
                since,
                until,
                source: SOURCE.into(),
            };
            let b = match h {
                0..100 => Some(benefit(BenefitKind::WorkInjuryNursing, None, before, None)),
                100..150 => Some(benefit(
                    BenefitKind::OrphanAllowance,
                    None,
                    month(2024, 1)?,
                    None,
                )),
                150..550 => Some(benefit(
                    BenefitKind::SameNeedLiving,
                    Some(20_000 + (h as i64 * 337) % 30_000),
                    first_closed,
                    (h % 2 == 1).then_some(prev(m)?),
                )),
                550..950 => Some(benefit(
                    BenefitKind::SameNeedNursing,
                    Some(10_000 + (h as i64 * 211) % 30_000),
                    month(2025, 6)?,
                    None,
                )),
                _ => None,
            };
            if let Some(b) = b {
                store.add_benefit(id, &b, &actor).await?;
                benefits += 1;
            }
            let died_on = before.first_day() + chrono::Days::new(14);
            if (950..1_000).contains(&h) && e.person.died_on.is_none() {
                let Some(file) = store
                    .person_file(id, &zhucan_store::Reach::system("benchmark"))
                    .await?
                else {
                    continue;
                };
                let mut next = file.record();
                next.person.died_on = Some(died_on);
                store.save_file(&next, file.version, None, &actor).await?;
                deaths += 1;
            }
        }
    }
    // Parameters: a township's higher 低保 standard from the first closed month (arrears), a
    // village's living ratio from the month before MONTH, a new district tier table from MONTH.
    let areas = store.areas().await?;
    let townships: Vec<&AreaCode> = areas
        .iter()
        .map(|a| &a.code)
        .filter(|c| c.level() == AreaLevel::Township && district.contains(c))
        .collect();
    let township = townships
        .get(1)
        .ok_or("the district has fewer than two townships")?;
    let village = areas
        .iter()
        .map(|a| &a.code)
        .find(|c| {
            c.level() == AreaLevel::Village && townships.get(2).is_some_and(|t| t.contains(c))
        })
        .ok_or("no village in the third township")?;
    let entry = |key, area: &AreaCode, value, from: Month| ParamEntry {
        id: 0,
        key,
        area: area.clone(),
        value,
        effective_from: from.first_day(),
        source: SOURCE.into(),
        author: "bench".into(),
        entered_at: String::new(),
    };
    let tier = |grade, category, amount_fen| Tier {
        grade,
        category,
        amount_fen,
    };
    let tiers = vec![
        tier(Grade::One, None, 32_000),
        tier(Grade::Two, None, 26_000),
        tier(Grade::Three, Some(Category::Intellectual), 19_000),
        tier(Grade::Three, Some(Category::Mental), 19_000),
        tier(Grade::Four, Some(Category::Intellectual), 19_000),
        tier(Grade::Four, Some(Category::Mental), 18_500),
    ];
    for e in [
        entry(
            ParamKey::DibaoStandard,
            township,
            ParamValue::Fen(125_000),
            first_closed,
        ),
        entry(
            ParamKey::LivingRatio,
            village,
            ParamValue::Ratio(350_000),
            prev(m)?,
        ),
        entry(
            ParamKey::NursingTiers,
            district,
            ParamValue::Tiers(tiers),
            m,
        ),
    ] {
        store.add_param(&e).await?;
    }
    Ok(serde_json::json!({
        "benefits": benefits,
        "deaths": deaths,
        "township_dibao_standard": township.to_string(),
        "village_living_ratio": village.to_string(),
    }))
}

/// Exports what the rules read, as the store holds it: persons with their current
/// certificate, survey rows (the subsidy columns), allowances, parameters flattened, what
/// closed payrolls paid.
async fn export_csv(store: &Store, dir: &Path) -> Result<serde_json::Value, Error> {
    let mut pf = file(dir, "persons.csv")?;
    let mut sf = file(dir, "surveys.csv")?;
    writeln!(
        pf,
        "citizen_id,township_code,village_code,died_on,moved_out_on,category,grade,components,\
         issued_on,valid_until,certificate_status,revoked_on"
    )?;
    writeln!(
        sf,
        "citizen_id,survey_year,economic_status,living_since,living_until,nursing_since,\
         nursing_until,care_need,receives_care"
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
            let components: Vec<&str> = c.components.iter().map(|c| c.key()).collect();
            writeln!(
                pf,
                "{},{},{},{},{},{},{},{},{},{},{},{}",
                p.citizen_id,
                p.township,
                opt(p.village.as_ref()),
                opt(p.died_on),
                opt(p.moved_out_on),
                c.category.key(),
                c.grade.digit(),
                components.join("|"),
                c.issued_on,
                c.valid_until,
                c.status.key(),
                opt(c.revoked_on),
            )?;
            persons += 1;
            for s in &e.surveys {
                writeln!(
                    sf,
                    "{},{},{},{},{},{},{},{},{}",
                    p.citizen_id,
                    s.year,
                    opt(s.economic_status.map(|v| v.key())),
                    opt(s.living_subsidy_since),
                    opt(s.living_subsidy_until),
                    opt(s.nursing_subsidy_since),
                    opt(s.nursing_subsidy_until),
                    opt(s.care_need.map(|v| v.key())),
                    opt(s.receives_care),
                )?;
                rows += 1;
            }
        }
    }
    pf.flush()?;
    sf.flush()?;

    let mut bf = file(dir, "benefits.csv")?;
    writeln!(bf, "citizen_id,kind,amount_fen,since,until")?;
    let all = store.all_benefits().await?;
    for (id, b) in &all {
        writeln!(
            bf,
            "{id},{},{},{},{}",
            b.kind.key(),
            opt(b.amount_fen),
            b.since,
            opt(b.until)
        )?;
    }
    bf.flush()?;

    let policy: Policy = store.policy().await?;
    let mut xf = file(dir, "params.csv")?;
    let mut stf = file(dir, "param_statuses.csv")?;
    let mut tf = file(dir, "param_tiers.csv")?;
    writeln!(xf, "id,key,area_code,effective_from,fen,micro")?;
    writeln!(stf, "id,status")?;
    writeln!(tf, "id,ord,grade,category,amount_fen")?;
    for e in &policy.entries {
        let (fen, micro) = match &e.value {
            ParamValue::Fen(f) => (Some(*f), None),
            ParamValue::Ratio(r) => (None, Some(*r)),
            ParamValue::Statuses(list) => {
                for s in list {
                    writeln!(stf, "{},{}", e.id, s.key())?;
                }
                (None, None)
            }
            ParamValue::Tiers(list) => {
                for (k, t) in list.iter().enumerate() {
                    writeln!(
                        tf,
                        "{},{k},{},{},{}",
                        e.id,
                        t.grade.digit(),
                        opt(t.category.map(|c| c.key())),
                        t.amount_fen
                    )?;
                }
                (None, None)
            }
            ParamValue::Years(_) | ParamValue::Count(_) | ParamValue::Flag(_) => (None, None),
        };
        writeln!(
            xf,
            "{},{},{},{},{},{}",
            e.id,
            e.key.key(),
            e.area,
            e.effective_from,
            opt(fen),
            opt(micro)
        )?;
    }
    xf.flush()?;
    stf.flush()?;
    tf.flush()?;

    let paid = store.paid().await?;
    let mut df = file(dir, "paid.csv")?;
    writeln!(df, "citizen_id,subsidy,for_month,amount_fen")?;
    for ((id, s, m), a) in &paid {
        writeln!(df, "{id},{},{m},{a}", s.key())?;
    }
    df.flush()?;
    let mut cf = file(dir, "closed.csv")?;
    writeln!(cf, "month")?;
    for m in store.closed_months().await? {
        writeln!(cf, "{m}")?;
    }
    cf.flush()?;
    Ok(serde_json::json!({
        "persons": persons,
        "survey_rows": rows,
        "benefits": all.len(),
        "params": policy.entries.len(),
        "paid": paid.len(),
    }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .ok_or("usage: subsidies_bench DATABASE_URL OUT_DIR [MONTH] [RUNS]")?;
    let out = Path::new(args.get(2).map_or("target/bench", String::as_str)).to_path_buf();
    let m = Month::parse(args.get(3).map_or("2025-12", String::as_str))
        .map_err(|e| format!("MONTH: {e:?}"))?;
    let runs: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(20);
    std::fs::create_dir_all(&out)?;

    let store = zhucan::open_store(url).await?;
    let district = store.district().await?;
    let (c1, c2) = (prev(prev(m)?)?, prev(m)?);

    // The history, once per database.
    let mut setup = serde_json::Value::Null;
    if store.closed_months().await?.is_empty() {
        let t = Instant::now();
        let n1 = close_month(&store, c1, &district).await?;
        let n2 = close_month(&store, c2, &district).await?;
        let late = late_facts(&store, m, c1, &district).await?;
        println!(
            "history: closed {c1} ({n1} lines) and {c2} ({n2} lines); then late facts {late}; {:.0} ms",
            ms(t)
        );
        setup = serde_json::json!({"closed": [[c1.to_string(), n1], [c2.to_string(), n2]], "late_facts": late});
    }

    let t = Instant::now();
    let inputs = export_csv(&store, &out).await?;
    println!("CSV export: {inputs} in {:.0} ms", ms(t));

    // Cold: the facts cache loads every file, allowance and closed payroll line.
    let cache = zhucan::facts_cache(store.clone());
    let t = Instant::now();
    let persons = cache.snapshot().await?.len();
    let cold_ms = ms(t);
    let policy = store.policy().await?;
    println!("cold load: {persons} persons (and what closed months paid) in {cold_ms:.0} ms");

    // Warm: the freshness check, then the audit and the payroll of the whole district.
    let (mut total, mut audit_t, mut payroll_t) = (Vec::new(), Vec::new(), Vec::new());
    let (mut findings, mut lines) = (Vec::new(), Vec::<PayrollLine>::new());
    for _ in 0..runs {
        let t0 = Instant::now();
        let snap = cache.snapshot().await?;
        let t1 = Instant::now();
        findings = snap.audit(&policy, m, &district);
        let t2 = Instant::now();
        lines = snap.payroll(&policy, m, &district);
        let t3 = Instant::now();
        total.push((t3 - t0).as_secs_f64() * 1000.0);
        audit_t.push((t2 - t1).as_secs_f64() * 1000.0);
        payroll_t.push((t3 - t2).as_secs_f64() * 1000.0);
    }
    let warm = stats(&total);
    let count = |k: &str| lines.iter().filter(|l| l.kind == k).count();
    println!(
        "warm, {runs} runs: audit {} findings, payroll {} lines ({} regular, {} arrears, {} recoveries); \
         total median {:.1} ms (audit {:.1}, payroll {:.1}), min {:.1} ms",
        findings.len(),
        lines.len(),
        count("regular"),
        count("arrears"),
        count("recovery"),
        warm["median_ms"].as_f64().unwrap_or(0.0),
        stats(&audit_t)["median_ms"].as_f64().unwrap_or(0.0),
        stats(&payroll_t)["median_ms"].as_f64().unwrap_or(0.0),
        warm["min_ms"].as_f64().unwrap_or(0.0),
    );

    let mut af = file(&out, "zhucan_audit.csv")?;
    writeln!(af, "citizen_id,subsidy,finding,reasons")?;
    for f in &findings {
        writeln!(
            af,
            "{},{},{},{}",
            f.citizen_id,
            f.subsidy.key(),
            f.finding.key(),
            f.reasons.join("|")
        )?;
    }
    af.flush()?;
    let mut lf = file(&out, "zhucan_payroll.csv")?;
    writeln!(
        lf,
        "citizen_id,subsidy,kind,for_month,amount_fen,township_code"
    )?;
    for l in &lines {
        writeln!(
            lf,
            "{},{},{},{},{},{}",
            l.citizen_id,
            l.subsidy.key(),
            l.kind,
            l.for_month,
            l.amount_fen,
            l.township
        )?;
    }
    lf.flush()?;

    let doc = serde_json::json!({
        "month": m.to_string(),
        "district": district.to_string(),
        "persons": persons,
        "setup": setup,
        "inputs": inputs,
        "findings": findings.len(),
        "payroll_lines": lines.len(),
        "payroll_total_fen": lines.iter().map(|l| l.amount_fen).sum::<i64>(),
        "timings": {
            "cold_load_ms": cold_ms,
            "warm_total": warm,
            "warm_audit": stats(&audit_t),
            "warm_payroll": stats(&payroll_t),
        },
    });
    std::fs::write(out.join("zhucan.json"), serde_json::to_string_pretty(&doc)?)?;
    println!("results in {}", out.join("zhucan.json").display());
    Ok(())
}
