//! Benchmark (not a test): the annual quota review (按比例就业年审) of 20 000 employers and
//! 60 000 listed disabled employees, the levy (就业保障金) of each, as `zhucan employment
//! review` computes it (`zhucan_employment::cli::review_declaration`: the parameters resolved
//! per employer's area, one bulk read of the listed persons' registry files, the rules);
//! exports the same inputs as CSV for the DuckDB side (`bench/employment_duckdb.py`). Run by
//! `bench/employment-vs-duckdb.sh`.
//!
//!     cargo run --release --example employment_bench -- DATABASE_URL OUT_DIR [YEAR] [RUNS] [EMPLOYERS] [LINES]
//!
//! The declaration is synthetic and deterministic (a fixed seed), built in memory as the
//! workbook reader would hand it over (no duplicate person at one employer, every listed
//! employer declared): staff counts on both sides of the exemption (30, 31, the exemption of
//! a township that has its own), small and very large employers, average wages under, at and
//! over the cap of their area, townships written as names, codes, with spaces, empty or not
//! of the district; employee lines drawn from the registry's persons (a share of them not
//! certified on Y-12-31: dead, moved out, expired, revoked, certified only later), some listed
//! by two or three employers, some with valid IDs nobody in the registry holds, contracts of
//! 11 and 12 months, wages at and one fen under the minimum, uninsured ones.
//!
//! Once per database it adds parameter versions so that areas differ (a township's own local
//! wage and minimum wage, one where grade 1–2 count double from mid-year, one with its own
//! exemption and reward, district versions from mid-year, two on the same day, and versions
//! that take effect only after the year's end), and changes about 3% of the registry's files
//! around the year's end through `save_file` (re-assessments to another grade issued after the
//! year's end or during the year, revocations dated after and before Y-12-31, deaths after
//! it, moves out on the day itself): the demo gives every person one certificate.
//!
//! Writes `OUT_DIR/zhucan.json` (timings, counts), `OUT_DIR/zhucan_{employers,employees}.csv`
//! (the results, for the check) and the inputs `OUT_DIR/{employers,employees,persons,
//! certificates,areas,params}.csv`.

// A benchmark is the process itself: it reads any file.
#![allow(clippy::disallowed_methods)]

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;
use zhucan_domain::Lang;
use zhucan_domain::area::{AreaCode, AreaLevel};
use zhucan_domain::disability::Grade;
use zhucan_domain::ids::CertificateNo;
use zhucan_domain::ids::{CitizenId, with_check_char};
use zhucan_domain::person::{Certificate, CertificateStatus, is_active_over};
use zhucan_domain::policy::{ParamEntry, ParamKey, ParamValue};
use zhucan_domain::uscc::Uscc;
use zhucan_employment::cli::{review_declaration, review_lines};
use zhucan_employment::review::{AreaTerms, Setting, judged_on, line_terms, standings};
use zhucan_employment::rules::EmployerResult;
use zhucan_store::Store;
use zhucan_store::registry::Actor;
use zhucan_workbook::declaration::{Declaration, DeclaredEmployee, DeclaredEmployer};

mod common;
use common::{Error, Pages, Rng, csv_file as file, field, ms, opt, stats};

const SOURCE: &str = "基准测试（bench/employment-vs-duckdb.sh）";
const EMPLOYER_SHEET: &str = "单位";
const EMPLOYEE_SHEET: &str = "残疾职工";

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate, Error> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("bad date {y}-{m}-{d}").into())
}

/// The parameter versions that make areas differ (see the module comment), once per database;
/// returns how many were added.
async fn bench_params(
    store: &Store,
    year: i32,
    district: &AreaCode,
    townships: &[AreaCode],
) -> Result<usize, Error> {
    if store
        .policy()
        .await?
        .entries
        .iter()
        .any(|e| e.source == SOURCE)
    {
        return Ok(0);
    }
    let [t0, t1, t2, ..] = townships else {
        return Err("the district has fewer than three townships".into());
    };
    let entry = |key, area: &AreaCode, value, from: NaiveDate| ParamEntry {
        id: 0,
        key,
        area: area.clone(),
        value,
        effective_from: from,
        source: SOURCE.into(),
        author: "bench".into(),
        entered_at: String::new(),
    };
    let jan = date(year, 1, 1)?;
    let jul = date(year, 7, 1)?;
    let next_jan = date(year + 1, 1, 1)?;
    let next_mar = date(year + 1, 3, 1)?;
    use ParamKey::*;
    use ParamValue::*;
    let list = [
        // A township with its own local wage and minimum wage; a later wage not yet in force.
        entry(EmploymentLocalAverageWage, t0, Fen(12_000_000), jan),
        entry(EmploymentMinimumWage, t0, Fen(269_000), jan),
        entry(EmploymentLocalAverageWage, t0, Fen(13_000_000), next_jan),
        // A township where grade 1–2 count double from mid-year.
        entry(EmploymentSevereDouble, t1, Flag(true), jul),
        // A township with its own exemption and reward.
        entry(EmploymentExemptStaff, t2, Count(20), jan),
        entry(EmploymentReward, t2, Fen(600_000), jan),
        // The district: a new local wage from mid-year, two rewards entered for the same day
        // (the later entry wins), a minimum wage from next year (not in force on Y-12-31).
        entry(EmploymentLocalAverageWage, district, Fen(10_500_000), jul),
        entry(EmploymentReward, district, Fen(550_000), jul),
        entry(EmploymentReward, district, Fen(520_000), jul),
        entry(EmploymentMinimumWage, district, Fen(260_000), next_mar),
    ];
    for e in &list {
        store.add_param(e).await?;
    }
    Ok(list.len())
}

/// FNV-1a of a citizen ID, in 0..1 000: a stable, well-spread choice of persons.
fn bucket(id: &CitizenId) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.as_str().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h % 1_000
}

/// Changes to the registry around the year's end, made once per database through the
/// store's real path (`save_file`), so that the standings have more to judge than the demo
/// gives (every demo person holds one certificate): re-assessments with a new grade issued
/// after the year's end (the former certificate governs the day) or during the year (the
/// new one does), revocations dated after the day (still in force on it) and before it,
/// deaths after the day, moves out on the day itself. Returns the count of each.
async fn registry_changes(store: &Store, year: i32) -> Result<serde_json::Value, Error> {
    let actor = Actor {
        name: "bench",
        source: "form",
    };
    let reach = zhucan_store::Reach::system("benchmark");
    let later = date(year + 1, 3, 1)?;
    let during = date(year, 9, 1)?;
    let mut n = [0usize; 6];
    let mut pages = Pages::new(5_000);
    loop {
        let page = pages.next(store).await?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            let id = &e.person.citizen_id;
            let group = match bucket(id) {
                0..8 => 0,
                8..16 if e.certificate.issued_on < during => 1,
                16..20 => 2,
                20..24 => 3,
                24..27 => 4,
                27..30 => 5,
                _ => continue,
            };
            if e.certificate.status == CertificateStatus::Revoked
                || e.person.died_on.is_some()
                || e.person.moved_out_on.is_some()
            {
                continue;
            }
            let Some(file) = store.person_file(id, &reach).await? else {
                continue;
            };
            let mut next = file.record();
            let c = &mut next.certificate;
            match group {
                0 | 1 => {
                    let grade = match c.grade {
                        Grade::One | Grade::Two => Grade::Four,
                        Grade::Three | Grade::Four => Grade::Two,
                    };
                    let issued = if group == 0 { later } else { during };
                    c.number = CertificateNo::compose(id, c.category, grade);
                    c.grade = grade;
                    c.issued_on = issued;
                    c.valid_until = Certificate::default_valid_until(issued);
                }
                2 | 3 => {
                    c.status = CertificateStatus::Revoked;
                    c.revoked_on = Some(if group == 2 {
                        date(year + 1, 2, 1)?
                    } else {
                        date(year, 10, 1)?
                    });
                }
                4 => next.person.died_on = Some(date(year + 1, 1, 15)?),
                _ => next.person.moved_out_on = Some(date(year, 12, 31)?),
            }
            store.save_file(&next, file.version, None, &actor).await?;
            n[group] += 1;
        }
    }
    Ok(serde_json::json!({
        "reassessed_after_the_day": n[0],
        "reassessed_during_the_year": n[1],
        "revoked_after_the_day": n[2],
        "revoked_before_the_day": n[3],
        "died_after_the_day": n[4],
        "moved_out_on_the_day": n[5],
    }))
}

/// What the declaration needs of the registry: every citizen ID, and whether the person is
/// certified and active on the day (only to choose a share of inactive ones).
struct Registry {
    active: Vec<CitizenId>,
    inactive: Vec<CitizenId>,
    all: HashSet<CitizenId>,
}

/// Exports the registry (persons and every certificate, current and former) as CSV and
/// returns its IDs.
async fn export_registry(store: &Store, dir: &Path, day: NaiveDate) -> Result<Registry, Error> {
    let mut pf = file(dir, "persons.csv")?;
    let mut cf = file(dir, "certificates.csv")?;
    writeln!(pf, "citizen_id,died_on,moved_out_on")?;
    writeln!(
        cf,
        "citizen_id,ord,is_current,issued_on,valid_until,status,revoked_on,grade"
    )?;
    let mut reg = Registry {
        active: Vec::new(),
        inactive: Vec::new(),
        all: HashSet::new(),
    };
    let mut pages = Pages::new(5_000);
    loop {
        let page = pages.next(store).await?;
        if page.is_empty() {
            break;
        }
        for e in page {
            let p = &e.person;
            writeln!(
                pf,
                "{},{},{}",
                p.citizen_id,
                opt(p.died_on),
                opt(p.moved_out_on)
            )?;
            // The history as the store hands it over: former certificates (oldest issue
            // first), then the current one.
            let mut history = e.former.clone();
            history.push(e.certificate.clone());
            let last = history.len() - 1;
            for (k, c) in history.iter().enumerate() {
                writeln!(
                    cf,
                    "{},{k},{},{},{},{},{},{}",
                    p.citizen_id,
                    k == last,
                    c.issued_on,
                    c.valid_until,
                    c.status.key(),
                    opt(c.revoked_on),
                    c.grade.digit(),
                )?;
            }
            if is_active_over(p, &history, day) {
                reg.active.push(p.citizen_id.clone());
            } else {
                reg.inactive.push(p.citizen_id.clone());
            }
            reg.all.insert(p.citizen_id.clone());
        }
    }
    pf.flush()?;
    cf.flush()?;
    Ok(reg)
}

/// The synthetic declaration (see the module comment).
struct Built {
    decl: Declaration,
    /// How the lines were drawn (for the report).
    mix: serde_json::Value,
}

/// How an employer's township is written.
fn township_text(rng: &mut Rng, code: &AreaCode, name: &str) -> String {
    match rng.below(100) {
        0..60 => name.to_string(),
        60..85 => code.to_string(),
        85..89 => format!(" {name} "),
        89..97 => String::new(),
        _ => "外区某镇".to_string(),
    }
}

fn build(
    rng: &mut Rng,
    setting: &Setting,
    reg: &Registry,
    day: NaiveDate,
    n_employers: usize,
    n_lines: usize,
) -> Result<Built, Error> {
    let townships: Vec<(&AreaCode, &str)> = setting
        .areas
        .iter()
        .filter(|a| a.code.level() == AreaLevel::Township && setting.district.contains(&a.code))
        .map(|a| (&a.code, a.name.as_str()))
        .collect();
    if townships.is_empty() {
        return Err("no township in the district".into());
    }
    // Employers: staff, wage, township, and how many lines each wants.
    let mut employers = Vec::with_capacity(n_employers);
    let mut employer_terms = Vec::with_capacity(n_employers);
    let mut wants = Vec::with_capacity(n_employers);
    let prefixes = ["91", "91", "91", "92", "12", "52"];
    for i in 0..n_employers {
        let (code, name) = townships[rng.below(townships.len() as u64) as usize];
        let township = township_text(rng, code, name);
        let area = setting.area_of(&township);
        let terms = setting
            .terms(&area, day)
            .map_err(|k| format!("no {} for {area}", k.key()))?;
        let exempt = terms.exempt_staff * 1_000_000;
        let (staff, want): (i64, u64) = match rng.below(1000) {
            // Small employers (exempt): whole or with decimals.
            0..250 => (rng.range(1_000_000, 29_999_999), rng.below(3)),
            // Around the boundaries: 30 and 31, the area's exemption and one over it, just over.
            250..280 => (30_000_000, rng.below(3)),
            280..310 => (31_000_000, rng.below(3)),
            310..325 => (exempt, rng.below(3)),
            325..340 => (exempt + 1_000_000, rng.below(3)),
            340..350 => (30_000_001, rng.below(2)),
            // Medium and large ones; a few very large.
            350..800 => (rng.range(32_000_000, 300_000_000), rng.below(7)),
            800..980 => (rng.range(300_000_000, 5_000_000_000), 2 + rng.below(60)),
            _ => (
                rng.range(5_000_000_000, 50_000_000_000),
                50 + rng.below(700),
            ),
        };
        let cap = terms.local_wage_fen * terms.cap_multiple / 1_000_000;
        let wage = match rng.below(100) {
            0..50 => rng.range(5_000_000, cap - 1),
            50..60 => cap,
            60..62 => cap + 1,
            62..85 => rng.range(cap + 2, 3 * cap),
            85..97 => rng.range(3_000_000, 5_000_000),
            // A monthly wage by mistake (a warning, still reviewed).
            _ => rng.range(250_000, 900_000),
        };
        let p = prefixes[i % prefixes.len()];
        let uscc =
            Uscc::with_check(&format!("{p}331003{:09}", 100_000_000 + i * 7 + 3)).ok_or("uscc")?;
        employers.push(DeclaredEmployer {
            row: i as u32 + 2,
            uscc,
            name: format!("基准单位{i:05}"),
            township,
            avg_staff_micro: staff,
            avg_wage_fen: wage,
        });
        wants.push(want);
        employer_terms.push(terms);
    }
    // Scale the wanted lines to exactly `n_lines` (the remainder to the first employers).
    let total: u64 = wants.iter().sum::<u64>().max(1);
    let mut slots: Vec<usize> = wants
        .iter()
        .map(|&w| (w as u128 * n_lines as u128 / total as u128) as usize)
        .collect();
    let mut short = n_lines - slots.iter().sum::<usize>();
    for s in slots.iter_mut() {
        if short == 0 {
            break;
        }
        *s += 1;
        short -= 1;
    }

    // The persons of the lines: some listed by two or three employers, some unknown, about a
    // tenth not active on the day (more than the registry's share).
    let triples = n_lines / 600;
    let doubles = n_lines / 40;
    let singles = n_lines - 3 * triples - 2 * doubles;
    let distinct = singles + doubles + triples;
    let unknown = n_lines / 100;
    let known = distinct - unknown;
    let want_inactive = (known / 10).min(reg.inactive.len());
    let want_active = known - want_inactive;
    if want_active > reg.active.len() {
        return Err(format!(
            "the registry has {} active persons: too few for {known} listed persons",
            reg.active.len()
        )
        .into());
    }
    let mut active = reg.active.clone();
    let mut inactive = reg.inactive.clone();
    rng.shuffle(&mut active);
    rng.shuffle(&mut inactive);
    let mut people: Vec<CitizenId> = active[..want_active]
        .iter()
        .chain(&inactive[..want_inactive])
        .cloned()
        .collect();
    // Valid IDs of the district that nobody in the registry holds.
    let mut strangers: HashSet<CitizenId> = HashSet::new();
    while strangers.len() < unknown {
        let birth = date(1960, 1, 1)? + chrono::Days::new(rng.below(16_000));
        let first17 = format!("331003{}{:03}", birth.format("%Y%m%d"), rng.below(1000));
        let id = with_check_char(&first17).ok_or("citizen id")?;
        if !reg.all.contains(&id) && strangers.insert(id.clone()) {
            people.push(id);
        }
    }
    rng.shuffle(&mut people);
    let mut seq: Vec<CitizenId> = Vec::with_capacity(n_lines);
    for (k, id) in people.iter().enumerate() {
        let times = if k < triples {
            3
        } else if k < triples + doubles {
            2
        } else {
            1
        };
        for _ in 0..times {
            seq.push(id.clone());
        }
    }
    rng.shuffle(&mut seq);
    // Lines in employer order; no person twice at one employer (as the reader guarantees).
    let owner: Vec<usize> = slots
        .iter()
        .enumerate()
        .flat_map(|(e, &k)| std::iter::repeat_n(e, k))
        .collect();
    let clash = |seq: &[CitizenId], owner: &[usize], i: usize| {
        let e = owner[i];
        let mut j = i;
        while j > 0 && owner[j - 1] == e {
            j -= 1;
        }
        (j..i).any(|k| seq[k] == seq[i])
    };
    for i in 0..n_lines {
        let mut tries = 0;
        while clash(&seq, &owner, i) {
            let j = i + rng.below((n_lines - i) as u64) as usize;
            seq.swap(i, j);
            tries += 1;
            if tries > 1000 {
                return Err("cannot place the listed persons".into());
            }
        }
    }
    let mut employees = Vec::with_capacity(n_lines);
    for (i, (id, &e)) in seq.iter().zip(&owner).enumerate() {
        let (er, terms) = (&employers[e], &employer_terms[e]);
        let months = match rng.below(100) {
            0..10 => 11,
            10..25 => 12,
            25..30 => rng.range(1, 10),
            30..35 => 60,
            _ => rng.range(13, 36),
        };
        let min = terms.minimum_wage_fen;
        let wage = match rng.below(100) {
            0..7 => min,
            7..12 => min - 1,
            12..16 => rng.range(100_000, min - 2),
            // The district's minimum: under a township's own higher one.
            16..20 => 249_000,
            _ => rng.range(min + 1, 900_000),
        };
        employees.push(DeclaredEmployee {
            row: i as u32 + 2,
            uscc: er.uscc.clone(),
            citizen_id: id.clone(),
            name: None,
            contract_months: months,
            monthly_wage_fen: wage,
            insured: !rng.pct(7),
        });
    }
    let mix = serde_json::json!({
        "employers": employers.len(),
        "lines": employees.len(),
        "distinct_persons": distinct,
        "listed_by_two": doubles,
        "listed_by_three": triples,
        "unknown_persons": unknown,
        "inactive_persons_drawn": want_inactive,
        "registry_active": reg.active.len(),
        "registry_inactive": reg.inactive.len(),
    });
    Ok(Built {
        decl: Declaration {
            employer_sheet: EMPLOYER_SHEET.into(),
            employee_sheet: EMPLOYEE_SHEET.into(),
            employers,
            employees,
            rejected: Vec::new(),
            warnings: Vec::new(),
        },
        mix,
    })
}

/// The declaration and the review's parameters as CSV (the parameters flattened: every
/// version of every employment key, its value as one integer — ratios in millionths, money
/// in fen, counts, flags as 0/1).
fn export_inputs(dir: &Path, decl: &Declaration, setting: &Setting) -> Result<usize, Error> {
    let mut ef = file(dir, "employers.csv")?;
    writeln!(ef, "ord,uscc,township,avg_staff_micro,avg_wage_fen")?;
    for (k, e) in decl.employers.iter().enumerate() {
        writeln!(
            ef,
            "{k},{},{},{},{}",
            e.uscc,
            field(&e.township),
            e.avg_staff_micro,
            e.avg_wage_fen
        )?;
    }
    ef.flush()?;
    let mut lf = file(dir, "employees.csv")?;
    writeln!(
        lf,
        "ord,uscc,citizen_id,contract_months,monthly_wage_fen,insured"
    )?;
    for (k, e) in decl.employees.iter().enumerate() {
        writeln!(
            lf,
            "{k},{},{},{},{},{}",
            e.uscc, e.citizen_id, e.contract_months, e.monthly_wage_fen, e.insured
        )?;
    }
    lf.flush()?;
    let mut af = file(dir, "areas.csv")?;
    writeln!(af, "ord,code,name")?;
    for (k, a) in setting.areas.iter().enumerate() {
        writeln!(af, "{k},{},{}", a.code, field(&a.name))?;
    }
    af.flush()?;
    let mut pf = file(dir, "params.csv")?;
    writeln!(pf, "id,key,area_code,effective_from,value")?;
    let mut n = 0;
    for e in &setting.policy.entries {
        let value = match &e.value {
            ParamValue::Ratio(r) => *r,
            ParamValue::Fen(f) => *f,
            ParamValue::Count(c) => *c,
            ParamValue::Flag(b) => i64::from(*b),
            _ => continue,
        };
        if e.key.key().starts_with("employment_") {
            writeln!(
                pf,
                "{},{},{},{},{value}",
                e.id,
                e.key.key(),
                e.area,
                e.effective_from
            )?;
            n += 1;
        }
    }
    pf.flush()?;
    Ok(n)
}

/// The review, stage by stage, as `review_declaration` does it (for the breakdown; its
/// results are checked equal to the whole call's).
async fn staged(
    store: &Store,
    snap: &zhucan_facts::Snapshot,
    decl: &Declaration,
    day: NaiveDate,
) -> Result<(Vec<EmployerResult>, [f64; 4]), Error> {
    let t0 = Instant::now();
    let setting = Setting::load(store).await?;
    let t1 = Instant::now();
    let mut area_terms = AreaTerms::new(&setting, day);
    let mut terms = Vec::with_capacity(decl.employers.len());
    for e in &decl.employers {
        let (t, _) = line_terms(&mut area_terms, &decl.employer_sheet, e, Lang::Zh)
            .map_err(|(a, k)| format!("no {} for {a}", k.key()))?;
        terms.push(t);
    }
    let t2 = Instant::now();
    let standing = standings(snap, decl.employees.iter().map(|e| &e.citizen_id), day);
    let t3 = Instant::now();
    let results = review_lines(decl, &terms, &standing);
    let t4 = Instant::now();
    let d = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1000.0;
    Ok((results, [d(t0, t1), d(t1, t2), d(t2, t3), d(t3, t4)]))
}

fn median(v: &[f64]) -> f64 {
    stats(v)["median_ms"].as_f64().unwrap_or(0.0)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let usage = "usage: employment_bench DATABASE_URL OUT_DIR [YEAR] [RUNS] [EMPLOYERS] [LINES]";
    let args: Vec<String> = std::env::args().collect();
    let url = args.get(1).ok_or(usage)?;
    let out = Path::new(args.get(2).map_or("target/bench", String::as_str)).to_path_buf();
    let year: i32 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(2025);
    let runs: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(20);
    let n_employers: usize = args.get(5).and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let n_lines: usize = args.get(6).and_then(|s| s.parse().ok()).unwrap_or(60_000);
    std::fs::create_dir_all(&out)?;
    let day = judged_on(i64::from(year)).ok_or("YEAR: 2000–2100")?;

    let store = zhucan::open_store(url).await?;
    let district = store.district().await?;
    let townships: Vec<AreaCode> = store
        .areas()
        .await?
        .into_iter()
        .map(|a| a.code)
        .filter(|c| c.level() == AreaLevel::Township && district.contains(c))
        .collect();
    let added = bench_params(&store, year, &district, &townships).await?;
    let mut changes = serde_json::Value::Null;
    if added > 0 {
        let t = Instant::now();
        changes = registry_changes(&store, year).await?;
        println!(
            "once per database: {added} parameter versions; registry changes {changes} in {:.0} ms",
            ms(t)
        );
    }

    let t = Instant::now();
    let reg = export_registry(&store, &out, day).await?;
    println!(
        "registry export: {} persons ({} active on {day}) in {:.0} ms",
        reg.all.len(),
        reg.active.len(),
        ms(t)
    );
    let setting = Setting::load(&store).await?;
    let t = Instant::now();
    let mut rng = Rng(0x5eed_2025_0015);
    let built = build(&mut rng, &setting, &reg, day, n_employers, n_lines)?;
    let decl = built.decl;
    println!("declaration built in {:.0} ms: {}", ms(t), built.mix);
    let params = export_inputs(&out, &decl, &setting)?;

    // The facts cache, loaded once (the service keeps it warm; the command loads it per run).
    let t = Instant::now();
    let cache = zhucan::facts_cache(store.clone());
    let cold = cache.snapshot().await?;
    let cold_ms = ms(t);
    println!(
        "facts cache cold load: {} persons in {cold_ms:.0} ms",
        cold.len()
    );
    drop(cold);

    // The whole review, warm, `runs` times: the cache's freshness check, then
    // `review_declaration` (parameters per employer's area, the standings from the snapshot,
    // the rules).
    let mut total = Vec::with_capacity(runs);
    let mut results = Vec::new();
    let mut warnings = Vec::new();
    for _ in 0..runs {
        let mut w = Vec::new();
        let t = Instant::now();
        let snap = cache.snapshot().await?;
        let (r, _terms) = review_declaration(&store, &snap, &decl, day, Lang::Zh, &mut w)
            .await
            .map_err(|f| format!("review: {}", f.en))?;
        total.push(ms(t));
        results = r;
        warnings = w;
    }
    // The same, stage by stage; and the freshness check alone.
    let mut stages: [Vec<f64>; 4] = Default::default();
    let mut read = Vec::with_capacity(runs);
    let mut unique: Vec<CitizenId> = decl
        .employees
        .iter()
        .map(|e| e.citizen_id.clone())
        .collect();
    unique.sort_unstable();
    unique.dedup();
    for _ in 0..runs {
        let t = Instant::now();
        let snap = cache.snapshot().await?;
        read.push(ms(t));
        let (r, s) = staged(&store, &snap, &decl, day).await?;
        if r != results {
            return Err("the staged review differs from review_declaration".into());
        }
        for (v, x) in stages.iter_mut().zip(s) {
            v.push(x);
        }
    }
    let warm = stats(&total);
    let levy: i64 = results.iter().map(|r| r.levy_fen).sum();
    let reward: i64 = results.iter().map(|r| r.reward_fen).sum();
    let counted: i64 = results.iter().map(|r| r.counted).sum();
    let exempt = results.iter().filter(|r| r.exempt).count();
    let mut reasons: HashMap<&str, usize> = HashMap::new();
    for x in results.iter().flat_map(|r| &r.employees) {
        for k in &x.reasons {
            *reasons.entry(k.key()).or_default() += 1;
        }
    }
    let mut reasons: Vec<(&str, usize)> = reasons.into_iter().collect();
    reasons.sort();
    println!(
        "review_declaration, {runs} runs: {} employers ({exempt} exempt), {} employee lines, \
         {counted} counted; levy ¥{:.2}, rewards ¥{:.2}; {} warnings; median {:.1} ms, min {:.1} ms",
        results.len(),
        decl.employees.len(),
        levy as f64 / 100.0,
        reward as f64 / 100.0,
        warnings.len(),
        median(&total),
        warm["min_ms"].as_f64().unwrap_or(0.0),
    );
    println!(
        "  stages (medians): Setting::load {:.1} ms, line_terms × {} {:.1} ms, standings {:.1} ms, rules::review {:.1} ms",
        median(&stages[0]),
        decl.employers.len(),
        median(&stages[1]),
        median(&stages[2]),
        median(&stages[3]),
    );
    println!(
        "  the facts cache's freshness check alone ({} distinct persons listed): {:.2} ms",
        unique.len(),
        median(&read),
    );
    println!("  reasons: {reasons:?}");

    let mut rf = file(&out, "zhucan_employers.csv")?;
    writeln!(
        rf,
        "uscc,quota_e12,counted,shortfall_e12,exempt,pay_share,levy_wage_e6,levy_fen,reward_fen"
    )?;
    let mut xf = file(&out, "zhucan_employees.csv")?;
    writeln!(xf, "uscc,citizen_id,counts,reasons")?;
    for r in &results {
        writeln!(
            rf,
            "{},{},{},{},{},{},{},{},{}",
            r.uscc,
            r.quota_e12,
            r.counted,
            r.shortfall_e12,
            r.exempt,
            r.pay_share,
            r.levy_wage_e6,
            r.levy_fen,
            r.reward_fen
        )?;
        for x in &r.employees {
            let reasons: Vec<&str> = x.reasons.iter().map(|k| k.key()).collect();
            writeln!(
                xf,
                "{},{},{},{}",
                r.uscc,
                x.citizen_id,
                x.counts,
                reasons.join("|")
            )?;
        }
    }
    rf.flush()?;
    xf.flush()?;

    let doc = serde_json::json!({
        "year": year,
        "day": day.to_string(),
        "district": district.to_string(),
        "declaration": built.mix,
        "params": params,
        "registry_changes": changes,
        "employers": results.len(),
        "employee_lines": decl.employees.len(),
        "exempt": exempt,
        "counted": counted,
        "levy_total_fen": levy,
        "reward_total_fen": reward,
        "warnings": warnings.len(),
        "reasons": reasons.iter().map(|(k, n)| (k.to_string(), *n)).collect::<HashMap<_, _>>(),
        "timings": {
            "warm_total": warm,
            "setting_load": stats(&stages[0]),
            "line_terms": stats(&stages[1]),
            "standings": stats(&stages[2]),
            "rules_review": stats(&stages[3]),
            "freshness_check": stats(&read),
            "facts_cold_load_ms": cold_ms,
        },
    });
    std::fs::write(out.join("zhucan.json"), serde_json::to_string_pretty(&doc)?)?;
    println!("results in {}", out.join("zhucan.json").display());
    Ok(())
}
