//! Benchmark (not a test): person-file reads per second with and without the audit record that
//! every read writes, on a demo district in SQLite.
//!
//!     cargo run --release --example audit_cost -- [PERSONS] [SECONDS] [TASKS]

// A benchmark is the process itself: it reads any file.
#![allow(clippy::disallowed_methods)]

use std::time::{Duration, Instant};

use zhucan_domain::person::{PersonRecord, RecordExtras};

use zhucan_store::audit::AuditEvent;
use zhucan_store::registry::Actor;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let persons: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(25_000);
    let seconds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5);
    let tasks: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(4);
    let dir = tempfile::tempdir()?;
    let store = zhucan::open_store(&format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ))
    .await?;
    let opts = zhucan_demo::DemoOptions {
        persons,
        ..zhucan_demo::DemoOptions::default()
    };
    let district = zhucan_demo::district(&opts);
    store.upsert_areas(&district.areas).await?;
    let mut rows: Vec<(PersonRecord, RecordExtras)> = Vec::new();
    let _ = zhucan_demo::persons::<()>(&opts, &district, &mut |b| {
        rows.extend_from_slice(b);
        Ok(())
    });
    for chunk in rows.chunks(50_000) {
        store
            .merge_records(
                chunk,
                &Actor {
                    name: "demo",
                    source: "demo",
                },
            )
            .await?;
    }
    let mut ids: Vec<_> = rows
        .iter()
        .map(|(r, _)| r.person.citizen_id.clone())
        .collect();
    ids.dedup();
    println!(
        "demo district: {} persons, {} tasks, {seconds} s per run",
        ids.len(),
        tasks
    );
    // The service's path: reads queue their record; one task appends them in group commits.
    let sink = std::sync::Arc::new(zhucan_web::trail::AuditSink::start(store.clone()));
    for audit in [false, true] {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let mut handles = Vec::new();
        for t in 0..tasks {
            let (store, ids, sink) = (store.clone(), ids.clone(), sink.clone());
            handles.push(tokio::spawn(async move {
                let mut n = 0usize;
                let mut i = t * 7919;
                while Instant::now() < deadline {
                    let id = &ids[i % ids.len()];
                    i += 104_729;
                    let file = store
                        .person_file(id, &zhucan_store::Reach::system("benchmark"))
                        .await
                        .ok()
                        .flatten();
                    if audit && file.is_some() {
                        let e = AuditEvent {
                            account: "bench".into(),
                            role: "township_staff".into(),
                            area: "331003107".into(),
                            client: "127.0.0.1".into(),
                            action: "person.read".into(),
                            object: id.to_string(),
                            outcome: "ok".into(),
                            detail: serde_json::json!({}),
                        };
                        sink.queue(e);
                    }
                    n += 1;
                }
                n
            }));
        }
        let mut total = 0;
        for h in handles {
            total += h.await.unwrap_or(0);
        }
        println!(
            "{}: {} person-file reads in {seconds} s = {:.0} reads/s",
            if audit {
                "with audit   "
            } else {
                "without audit"
            },
            total,
            total as f64 / seconds as f64
        );
    }
    let t = Instant::now();
    sink.flush().await;
    println!(
        "flushing the audit queue after the run: {:.2} s",
        t.elapsed().as_secs_f64()
    );
    match store.verify_audit().await? {
        zhucan_store::audit::AuditCheck::Intact { records, .. } => {
            println!("audit chain intact: {records} records")
        }
        other => println!("audit chain: {other:?}"),
    }
    Ok(())
}
