//! Importing a roster: a person's rows of one file commit together, every run is on record
//! from its start (a killed one reads as interrupted, on the import page too), and the audit
//! shows its start.

#[allow(unused_imports)]
use crate::support::prelude::*;
use std::process::{Command, Stdio};

use zhucan_domain::Lang;
use zhucan_domain::ids::with_check_char;
use zhucan_store::Role;
use zhucan_store::audit::AuditQuery;
use zhucan_store::import_runs::{NewRun, RunEnd, RunStatus};
use zhucan_store::registry::Actor;

use crate::support::{TestApp, TestDb, audit_rows, page_text, raw_sql, user};

fn id(birth: &str, seq: u32) -> String {
    with_check_char(&format!("331003{birth}{seq:03}"))
        .expect("17 digits")
        .to_string()
}

const HEAD: &str =
    "姓名,公民身份号码,残疾人证号,残疾类别,残疾等级,发证日期,乡镇街道,家庭经济状况,调查年度\n";

fn row(name: &str, cid: &str, year: i32) -> String {
    format!("{name},{cid},{cid}44,肢体,四级,2020-01-01,院桥镇,低保,{year}\n")
}

fn parse(csv: &str) -> zhucan_workbook::ParsedWorkbook {
    let areas = vec![zhucan_domain::area::Area {
        code: zhucan_domain::area::AreaCode::parse("331003107").expect("code"),
        name: "院桥镇".into(),
        population: None,
        valid_from: None,
        valid_until: None,
    }];
    let opts = zhucan_workbook::ImportOptions {
        survey_year: None,
        today: chrono::Local::now().date_naive(),
        lang: Lang::Zh,
    };
    let parsed =
        zhucan_workbook::read_bytes("r.csv", csv.as_bytes(), &areas, &opts, &mut |_, _| {})
            .expect("parsed");
    assert!(parsed.rejected.is_empty(), "{:#?}", parsed.rejected);
    parsed
}

/// A database that refuses to store the person named 爆炸测试 (a failure in the middle of an
/// import, as a kill or a full disk would cause).
async fn refuse_one_name(db: &TestDb) {
    if db.url.starts_with("sqlite:") {
        raw_sql(
            &db.url,
            "CREATE TRIGGER refuse_one BEFORE INSERT ON persons WHEN NEW.name = '爆炸测试' BEGIN SELECT RAISE(ABORT, 'refused'); END;",
        )
        .await;
    } else {
        raw_sql(
            &db.url,
            "CREATE FUNCTION refuse_one() RETURNS trigger AS $$ BEGIN IF NEW.name = '爆炸测试' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
             CREATE TRIGGER refuse_one BEFORE INSERT ON persons FOR EACH ROW EXECUTE FUNCTION refuse_one();",
        )
        .await;
    }
}

fn start_event(object: &str) -> zhucan_store::audit::AuditEvent {
    zhucan_web::programme::cli_event(
        "registry.import.start",
        object,
        serde_json::json!({"via": "test"}),
    )
}

crate::contract!(a_persons_rows_of_one_file_commit_together);

async fn a_persons_rows_of_one_file_commit_together(db: TestDb) {
    refuse_one_name(&db).await;
    let a = id("19800101", 11);
    let b = id("19810202", 21);
    let c = id("19820303", 31);
    // A's three survey years are spread over the file; with batches of two rows in file order
    // the second batch (A 2024 + the refused C) fails after the first (A 2023 + B) committed.
    let csv = format!(
        "{HEAD}{}{}{}{}{}",
        row("王一", &a, 2023),
        row("李二", &b, 2025),
        row("王一", &a, 2024),
        row("爆炸测试", &c, 2025),
        row("王一", &a, 2025),
    );
    let parsed = parse(&csv);
    let run = db
        .store
        .start_import_run(
            &NewRun {
                file_name: "r.csv",
                file_sha256: "0",
                actor: "cli:test",
            },
            &start_event("r.csv"),
        )
        .await
        .expect("run");
    let actor = Actor {
        name: "import",
        source: "import",
    };
    let r =
        zhucan_registry::import::apply(&db.store, parsed, &actor, 2, &run, &mut |_, _| {}).await;
    assert!(r.is_err(), "the refused row stops the import");
    let years_of = async |cid: &str| -> Vec<i32> {
        let cid = zhucan_domain::ids::CitizenId::from_trusted(cid.to_string()).expect("id");
        db.store
            .person_file(&cid, &crate::support::any())
            .await
            .expect("read")
            .map(|f| f.surveys.iter().map(|s| s.year).collect())
            .unwrap_or_default()
    };
    let years = years_of(&a).await;
    let b_years = years_of(&b).await;
    assert!(
        years.is_empty() || years.len() == 3,
        "a person's rows of one file commit together, found only the years {years:?}"
    );
    // The run counts exactly what was committed, in the batches' own transactions.
    let runs = db.store.import_runs(None, 10).await.expect("runs");
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].id, run);
    assert_eq!(
        runs[0].status,
        RunStatus::Running,
        "its owner (this test) is alive"
    );
    let committed_rows = (years.len() + b_years.len()) as i64;
    assert_eq!(runs[0].imported, committed_rows, "{:?}", runs[0]);
    db.store
        .finish_import_run(
            &run,
            &RunEnd {
                status: RunStatus::Interrupted,
                rows_total: 5,
                rejected: 0,
                message: "refused",
            },
            &zhucan_web::programme::cli_event("registry.import", "r.csv", serde_json::json!({})),
        )
        .await
        .expect("finish");
    let runs = db.store.import_runs(None, 10).await.expect("runs");
    assert_eq!(runs[0].status, RunStatus::Interrupted);
    assert_eq!(runs[0].rows_total, 5);
    assert!(runs[0].finished_at.is_some());
    let q = AuditQuery {
        object: Some("r.csv".into()),
        limit: 10,
        ..Default::default()
    };
    let rows = audit_rows(&db.store, &q, 2).await;
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    assert!(actions.contains(&"registry.import.start"), "{actions:?}");
    assert!(actions.contains(&"registry.import"), "{actions:?}");
}

#[test]
fn batches_never_split_a_person() {
    let a = id("19800101", 11);
    let b = id("19810202", 21);
    let csv = format!(
        "{HEAD}{}{}{}{}",
        row("王一", &a, 2023),
        row("李二", &b, 2025),
        row("王一", &a, 2024),
        row("王一", &a, 2025),
    );
    let rows: Vec<_> = parse(&csv)
        .persons
        .into_iter()
        .map(|p| (p.record, p.extras))
        .collect();
    let batches = zhucan_registry::import::person_batches(rows, 2);
    let shape: Vec<Vec<(String, i32)>> = batches
        .iter()
        .map(|b| {
            b.iter()
                .map(|(r, _)| (r.person.name.clone(), r.survey.year))
                .collect()
        })
        .collect();
    assert_eq!(
        shape,
        vec![
            vec![
                ("王一".to_string(), 2023),
                ("王一".to_string(), 2024),
                ("王一".to_string(), 2025)
            ],
            vec![("李二".to_string(), 2025)],
        ]
    );
}

#[test]
fn a_killed_import_is_on_record_and_reads_as_interrupted() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("z.db").display());
    let mut csv = String::from(HEAD);
    for i in 0..20_000u32 {
        let birth = (crate::support::d(1940, 1, 1) + chrono::Duration::days(i64::from(i)))
            .format("%Y%m%d")
            .to_string();
        let pid = id(&birth, 1 + i % 900);
        for year in [2023, 2024, 2025] {
            csv.push_str(&row(&format!("人员{i}"), &pid, year));
        }
    }
    let path = dir.path().join("big.csv");
    std::fs::write(&path, csv).expect("write");
    let rt = tokio::runtime::Runtime::new().expect("rt");
    // The database exists (with its schema) before the import starts.
    let store = rt.block_on(async { zhucan::open_store(&url).await.expect("open") });
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhucan"))
        .args([
            "import",
            path.to_str().unwrap_or(""),
            "--database-url",
            &url,
        ])
        .env("ZHUCAN_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    // Kill it once its first batch is in (or, at the latest, after a while).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let runs = rt.block_on(store.import_runs(None, 10)).unwrap_or_default();
        if runs
            .first()
            .is_some_and(|r| r.imported > 0 || r.status != RunStatus::Running)
        {
            break;
        }
        if std::time::Instant::now() > deadline {
            assert!(!runs.is_empty(), "the run was never recorded");
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    rt.block_on(async {
        let runs = store.import_runs(None, 10).await.expect("runs");
        assert_eq!(runs.len(), 1);
        let run = &runs[0];
        if run.status != RunStatus::Done {
            assert_eq!(
                run.status,
                RunStatus::Interrupted,
                "a run whose process is gone reads as interrupted: {run:?}"
            );
        }
        let q = AuditQuery {
            action: Some("registry.import.start".into()),
            limit: 10,
            ..Default::default()
        };
        let rows = audit_rows(&store, &q, 1).await;
        assert_eq!(rows.len(), 1, "the start is audited");
        assert!(rows[0].detail.contains(&run.id), "{}", rows[0].detail);
        // Whoever is stored has all three years.
        let mut after = String::new();
        loop {
            let page = store.export_page(&after, 500).await.expect("whole files");
            let Some(last) = page.last() else { break };
            after = last.0.person.citizen_id.to_string();
            for (f, surveys) in &page {
                assert_eq!(surveys.len(), 3, "{}", f.person.name);
            }
        }
    });
    // The next import writes the interruption down and completes the file.
    let out = Command::new(env!("CARGO_BIN_EXE_zhucan"))
        .args([
            "import",
            path.to_str().unwrap_or(""),
            "--database-url",
            &url,
        ])
        .env("ZHUCAN_LOG", "error")
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    rt.block_on(async {
        let runs = store.import_runs(None, 10).await.expect("runs");
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].status, RunStatus::Done);
        assert_eq!(runs[0].imported, 60_000);
        assert_eq!(runs[0].rows_total, 60_000);
    });
}

crate::contract!(the_import_page_shows_interrupted_runs);

async fn the_import_page_shows_interrupted_runs(db: TestDb) {
    user(&db.store, "yuanqiao", Role::TownshipStaff, "331003107").await;
    let run = db
        .store
        .start_import_run(
            &NewRun {
                file_name: "院桥镇花名册.xlsx",
                file_sha256: "0",
                actor: "yuanqiao",
            },
            &start_event("院桥镇花名册.xlsx"),
        )
        .await
        .expect("run");
    // Its process died on another machine long ago: only the stale heartbeat tells.
    raw_sql(
        &db.url,
        &format!(
            "UPDATE import_runs SET owner = 'another-machine/1', heartbeat_at = '2020-01-01T00:00:00.000Z' WHERE id = '{run}'"
        ),
    )
    .await;
    let app = TestApp::start(db).await;
    let c = app.browser("yuanqiao").await;
    let html = page_text(&c, &app.url("/import")).await;
    assert!(html.contains("院桥镇花名册.xlsx"), "{html}");
    assert!(html.contains("已中断"), "{html}");
    // The next start writes it down.
    let gone = app.db.store.sweep_import_runs().await.expect("sweep");
    assert_eq!(gone, vec![run]);
}
