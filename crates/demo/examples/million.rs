//! Times the generator: `cargo run --release -p zhucan-demo --example million [PERSONS] [SEED]
//! [check]`. With `check`, also verifies that every citizen ID parses and is unique (this keeps
//! the IDs in memory). Not a test: a million persons are too slow in a debug build.

use std::time::Instant;

use zhucan_demo::{DemoOptions, district, persons};
use zhucan_domain::CitizenId;

fn main() {
    let mut args = std::env::args().skip(1);
    let n = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let seed = args.next().and_then(|a| a.parse().ok()).unwrap_or(2021);
    let check = args.next().is_some_and(|a| a == "check");
    let mut ids = std::collections::BTreeSet::new();
    let mut bad = 0usize;
    let opts = DemoOptions {
        persons: n,
        seed,
        ..DemoOptions::default()
    };
    let start = Instant::now();
    let d = district(&opts);
    let (mut rows, mut batches, mut people) = (0usize, 0usize, 0usize);
    let mut last = String::new();
    let r: Result<(), std::convert::Infallible> = persons(&opts, &d, &mut |b| {
        batches += 1;
        rows += b.len();
        for (r, _) in b {
            if r.person.citizen_id.as_str() != last {
                people += 1;
                if check {
                    let id = r.person.citizen_id.as_str();
                    if CitizenId::parse_on(id, opts.today).is_err() || !ids.insert(id.to_string()) {
                        bad += 1;
                    }
                }
                last.clear();
                last.push_str(r.person.citizen_id.as_str());
            }
        }
        Ok(())
    });
    if r.is_err() {
        return;
    }
    println!(
        "{people} persons, {rows} rows in {batches} batches, {} households, {} areas, {} institutions: {:.2?}",
        d.households,
        d.areas.len(),
        d.institutions.len(),
        start.elapsed()
    );
    if check {
        println!(
            "{} distinct citizen IDs, {bad} invalid or duplicate",
            ids.len()
        );
    }
}
