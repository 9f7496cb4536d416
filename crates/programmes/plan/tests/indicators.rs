//! The plan's indicators against a literal reading of `indicators.md`
//! (`zhucan_facts::reference`), on registries full of edge cases: through the store on both
//! backends, through a workbook import and `zhucan indicators`, and through the API; zero
//! staleness after a write; the pages, forms and public suppression.

#[allow(unused_imports)]
use crate::support::prelude::*;
use std::process::Command;

use chrono::NaiveDate;
use zhucan_domain::area::AreaCode;
use zhucan_domain::person::{PersonRecord, RecordExtras};
use zhucan_plan::Query;
use zhucan_plan::reference::{self, Registry};
use zhucan_store::Role;
use zhucan_store::registry::Actor;

use crate::support::{TestApp, TestDb, audit_rows, csrf_of, d, page_text, user};

const TODAY: (i32, u32, u32) = (2026, 11, 30);

pub(crate) fn anchors() -> Vec<NaiveDate> {
    vec![
        d(2021, 12, 31),
        d(2023, 3, 1),
        d(2024, 2, 29),
        d(2025, 12, 31),
    ]
}

pub(crate) fn registry(seed: u64, persons: usize) -> Registry {
    reference::random(seed, persons, &anchors(), d(TODAY.0, TODAY.1, TODAY.2))
}

pub(crate) fn areas_under_test() -> Vec<AreaCode> {
    ["331003", "331003001", "331003201", "331003101201"]
        .iter()
        .map(|c| AreaCode::parse(c).expect("code"))
        .collect()
}

/// Loads a registry; the area dictionary then also holds the default district's townships,
/// which the reference must see too (indicator 4 counts every township of the dictionary).
pub(crate) async fn load(db: &TestDb, reg: &mut Registry) {
    db.store.upsert_areas(&reg.areas).await.expect("areas");
    db.store
        .upsert_institutions(&reg.institutions)
        .await
        .expect("institutions");
    // The dated decisions, in their order, for the institutions that have none stored yet.
    let stored = db.store.institutions().await.expect("institutions");
    for i in &reg.institutions {
        if stored
            .iter()
            .any(|s| s.id() == i.id() && !s.decisions.is_empty())
        {
            continue;
        }
        for d in &i.decisions {
            let new = zhucan_store::institutions::NewDecision {
                institution_id: i.id(),
                effective_on: d.effective_on,
                change: d.change,
                document: None,
                reason: None,
            };
            db.store
                .record_institution_decision(
                    &new,
                    "test",
                    &crate::support::test_event("institution.decide"),
                )
                .await
                .expect("decision");
        }
    }
    let rows: Vec<(PersonRecord, RecordExtras)> = reg
        .rows
        .iter()
        .map(|r| (r.clone(), RecordExtras::default()))
        .collect();
    // Small batches: some persons' rows fall in different batches (the row-by-row merge).
    for chunk in rows.chunks(97) {
        db.store
            .merge_records(
                chunk,
                &Actor {
                    name: "test",
                    source: "import",
                },
            )
            .await
            .expect("merge");
    }
    reg.areas = db.store.areas().await.expect("areas");
}

fn assert_matches(got: &serde_json::Value, reg: &Registry, t: NaiveDate, area: &AreaCode) {
    let want = reference::expected(reg, t, area);
    let inds = got["indicators"].as_array().expect("indicators");
    assert_eq!(inds.len(), 14);
    for (g, w) in inds.iter().zip(&want) {
        let ctx = format!("t {t}, area {area}, indicator {}", w.id);
        assert_eq!(g["id"].as_u64(), Some(u64::from(w.id)), "{ctx}");
        assert_eq!(g["numerator"].as_i64(), w.numerator, "numerator: {ctx}");
        assert_eq!(
            g["denominator"].as_i64(),
            w.denominator,
            "denominator: {ctx}"
        );
        match (g["value"].as_f64(), w.value) {
            (Some(a), Some(b)) => {
                assert!(
                    (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                    "value {a} vs {b}: {ctx}"
                )
            }
            (a, b) => assert_eq!(a, b, "value: {ctx}"),
        }
    }
}

pub(crate) async fn evaluate_json(
    db: &TestDb,
    t: NaiveDate,
    areas: &[AreaCode],
) -> Vec<serde_json::Value> {
    let plan = zhucan_plan::load_plan(&db.store)
        .await
        .expect("plan")
        .expect("a plan");
    let snap = zhucan::facts_cache(db.store.clone())
        .snapshot()
        .await
        .expect("snapshot");
    snap.evaluate(
        &plan,
        &Query {
            at: t,
            areas,
            gdp_growth: None,
            with_targets: false,
        },
    )
    .iter()
    .map(|r| serde_json::to_value(r).expect("json"))
    .collect()
}

crate::contract!(the_store_and_engine_match_the_spec, writes_are_seen_at_once);

async fn the_store_and_engine_match_the_spec(db: TestDb) {
    for seed in [101, 202] {
        let mut reg = registry(seed, 250);
        let db = if seed == 101 {
            &db
        } else {
            // A second registry on a fresh database of the same backend.
            &match db.store.backend() {
                zhucan_store::Backend::Sqlite => TestDb::sqlite().await,
                zhucan_store::Backend::Postgres => TestDb::postgres().await.expect("pg"),
            }
        };
        load(db, &mut reg).await;
        let areas = areas_under_test();
        for t in anchors().into_iter().chain([d(2026, 11, 30)]) {
            let got = evaluate_json(db, t, &areas).await;
            for (g, a) in got.iter().zip(&areas) {
                assert_matches(g, &reg, t, a);
            }
        }
    }
}

async fn writes_are_seen_at_once(db: TestDb) {
    let mut reg = registry(303, 200);
    load(&db, &mut reg).await;
    let cache = zhucan::facts_cache(db.store.clone());
    let plan = zhucan_plan::load_plan(&db.store)
        .await
        .expect("plan")
        .expect("plan");
    let t = d(2025, 12, 31);
    let district = AreaCode::parse("331003").expect("code");
    let eval = |snap: &zhucan_facts::Snapshot| {
        serde_json::to_value(
            snap.evaluate(
                &plan,
                &Query {
                    at: t,
                    areas: std::slice::from_ref(&district),
                    gdp_growth: None,
                    with_targets: false,
                },
            )
            .remove(0),
        )
        .expect("json")
    };
    assert_matches(
        &eval(&cache.snapshot().await.expect("snap")),
        &reg,
        t,
        &district,
    );

    // A death recorded through the file's own save path is counted in the very next computation.
    let active = reference::files(&reg.rows)
        .into_iter()
        .find(|f| {
            f.person.died_on.is_none()
                && f.person.moved_out_on.is_none()
                && f.certificate.status == zhucan_domain::person::CertificateStatus::Valid
                && f.certificate.issued_on < d(2025, 1, 1)
                && f.certificate.valid_until > t
        })
        .expect("an active person");
    crate::support::change_file(&db.store, &active.person.citizen_id, "form", |r| {
        r.person.died_on = Some(d(2025, 6, 1));
    })
    .await;
    for r in reg.rows.iter_mut() {
        if r.person.citizen_id == active.person.citizen_id {
            r.person.died_on = Some(d(2025, 6, 1));
        }
    }
    assert_matches(
        &eval(&cache.snapshot().await.expect("snap")),
        &reg,
        t,
        &district,
    );

    // A re-imported batch that moves persons and changes survey rows, and new areas and
    // institutions, are seen too.
    let mut changed = reg.clone();
    for (i, r) in changed.rows.iter_mut().enumerate() {
        if i % 3 == 0 {
            r.person.township = AreaCode::parse("331003202").expect("code");
            r.person.village = None;
            r.survey.culture_sports = Some(true);
        }
    }
    changed
        .institutions
        .push(zhucan_domain::institution::Institution {
            name: "新开残疾人之家".into(),
            kind: zhucan_domain::institution::InstitutionKind::HomeOfDisabled,
            township: AreaCode::parse("331003200").expect("code"),
            standardized: true,
            designated: false,
            beds: None,
            stars: None,
            opened_on: d(2025, 1, 1),
            closed_on: None,
            decisions: Vec::new(),
        });
    load(&db, &mut changed).await;
    assert_matches(
        &eval(&cache.snapshot().await.expect("snap")),
        &changed,
        t,
        &district,
    );
}

pub(crate) fn zhucan(url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_zhucan"))
        .args(args)
        .arg("--database-url")
        .arg(url)
        .env_remove("LANG")
        .env("ZHUCAN_LOG", "error")
        .output()
        .expect("run zhucan")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workbook_never_seen_gives_the_spec_numbers_on_the_command_line() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("z.db").display());
    let mut reg = registry(404, 300);
    let book = dir.path().join("roster.xlsx");
    crate::support::write_workbook(&mut reg, &book);
    let out = zhucan(&url, &["import", book.to_str().expect("path")]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "import: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    reg.areas = zhucan::open_store(&url)
        .await
        .expect("open")
        .areas()
        .await
        .expect("areas");
    for t in anchors() {
        for area in areas_under_test() {
            let out = zhucan(
                &url,
                &[
                    "indicators",
                    "--at",
                    &t.to_string(),
                    "--area",
                    area.as_str(),
                    "--format",
                    "json",
                ],
            );
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
            assert_eq!(v["reference_date"], t.to_string());
            assert_eq!(v["area"]["code"], area.to_string());
            assert_matches(&v, &reg, t, &area);
        }
    }
    // The GDP growth judges indicator 1; the table and the workbook come out too.
    let out = zhucan(
        &url,
        &[
            "indicators",
            "--at",
            "2025-12-31",
            "--gdp-growth=-99%",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["indicators"][0]["target"], -0.99);
    assert_eq!(v["indicators"][0]["status"], "met");
    // The table speaks the command line's language: the plan's names and the dashboard's
    // status words, never the JSON's machine keys.
    let statuses = |lang| {
        [
            zhucan_plan::Status::Met,
            zhucan_plan::Status::OnTrack,
            zhucan_plan::Status::Behind,
            zhucan_plan::Status::NoData,
        ]
        .map(|s| s.label(lang))
    };
    for (lang, name) in [
        (None, "困难残疾人生活补贴覆盖率"),
        (Some("zh"), "困难残疾人生活补贴覆盖率"),
        (
            Some("en"),
            "Living subsidy coverage of low-income disabled people",
        ),
    ] {
        let mut args = vec!["indicators", "--at", "2025-12-31"];
        if let Some(l) = lang {
            args.extend(["--lang", l]);
        }
        let out = zhucan(&url, &args);
        assert_eq!(out.status.code(), Some(0));
        let table = String::from_utf8_lossy(&out.stdout).to_string();
        let words = statuses(if lang == Some("en") {
            zhucan_domain::Lang::En
        } else {
            zhucan_domain::Lang::Zh
        });
        assert!(table.contains(name), "{lang:?}: {table}");
        assert!(
            !table.contains("living_subsidy_coverage") && !table.contains("no_data"),
            "{lang:?}: {table}"
        );
        let rows: Vec<&str> = table.lines().skip(2).collect();
        assert_eq!(rows.len(), 14, "{table}");
        for row in rows {
            assert!(
                words.iter().any(|w| row.ends_with(w)),
                "{lang:?}: a status word ends {row:?}"
            );
        }
    }
    let xlsx = dir.path().join("eval.xlsx");
    let out = zhucan(
        &url,
        &[
            "indicators",
            "--at",
            "2025-12-31",
            "--format",
            "xlsx",
            "--out",
            xlsx.to_str().expect("p"),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read(&xlsx).expect("xlsx").starts_with(b"PK"));

    // Bad input: one sentence naming the option and the value, exit 2, in either language.
    for (args, needle) in [
        (vec!["indicators", "--at", "2025-13-01"], "--at"),
        (vec!["indicators", "--area", "12345"], "--area"),
        (vec!["indicators", "--area", "331003999"], "331003999"),
        (vec!["indicators", "--gdp-growth", "abc"], "--gdp-growth"),
        (vec!["indicators", "--format", "pdf"], "--format"),
        (vec!["indicators", "--format", "xlsx"], "--out"),
    ] {
        let out = zhucan(&url, &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(needle) && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_zhucan"))
        .args([
            "indicators",
            "--at",
            "yesterday",
            "--lang",
            "en",
            "--database-url",
            &url,
        ])
        .env("ZHUCAN_LOG", "error")
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("is invalid"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_district_document_is_stable() {
    // The indicators document of a small seeded demo district (snapshot).
    let db = TestDb::sqlite().await;
    let opts = zhucan_demo::DemoOptions {
        persons: 400,
        ..zhucan_demo::DemoOptions::default()
    };
    let district = zhucan_demo::district(&opts);
    db.store.upsert_areas(&district.areas).await.expect("areas");
    db.store
        .upsert_institutions(&district.institutions)
        .await
        .expect("institutions");
    let mut rows: Vec<(PersonRecord, RecordExtras)> = Vec::new();
    let _ = zhucan_demo::persons::<()>(&opts, &district, &mut |b| {
        rows.extend_from_slice(b);
        Ok(())
    });
    db.store
        .merge_records(
            &rows,
            &Actor {
                name: "demo",
                source: "demo",
            },
        )
        .await
        .expect("merge");
    let v = evaluate_json(
        &db,
        d(2025, 12, 31),
        &[AreaCode::parse("331003").expect("c")],
    )
    .await;
    insta::assert_json_snapshot!("demo_400_indicators_2025_12_31", v[0]);
}

async fn app_with_registry(reg: &mut Registry) -> TestApp {
    let db = TestDb::sqlite().await;
    load(&db, reg).await;
    user(&db.store, "admin", Role::DistrictAdmin, "331003").await;
    user(&db.store, "dc", Role::TownshipStaff, "331003001").await;
    TestApp::start(db).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_serves_the_spec_document_within_scope() {
    let mut reg = registry(505, 200);
    let app = app_with_registry(&mut reg).await;
    let admin = app.token("admin").await;
    let dc = app.token("dc").await;
    let c = reqwest::Client::new();
    let get = |tok: &str, path: &str| c.get(app.url(path)).bearer_auth(tok.to_string()).send();

    let r = get(&admin, "/api/v1/indicators?at=2025-12-31&area=331003")
        .await
        .expect("r");
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.expect("json");
    assert_matches(
        &v,
        &reg,
        d(2025, 12, 31),
        &AreaCode::parse("331003").expect("c"),
    );
    assert_eq!(v["indicators"][1]["key"], "living_subsidy_coverage");
    assert_eq!(v["indicators"][1]["attribute"], "binding");
    assert_eq!(v["indicators"][1]["baseline"], 0.98);
    assert_eq!(v["indicators"][1]["target"], 0.99);

    // A township account: its own township by default, another township is "not found".
    let r = get(&dc, "/api/v1/indicators?at=2024-02-29")
        .await
        .expect("r");
    let v: serde_json::Value = r.json().await.expect("json");
    assert_eq!(v["area"]["code"], "331003001");
    assert_matches(
        &v,
        &reg,
        d(2024, 2, 29),
        &AreaCode::parse("331003001").expect("c"),
    );
    for path in [
        "/api/v1/indicators?area=331003201",
        "/api/v1/indicators?area=331003",
        "/api/v1/indicators/living_subsidy_coverage/members?area=331003201",
    ] {
        let r = get(&dc, path).await.expect("r");
        assert_eq!(r.status(), 404, "{path}");
    }
    // Bad parameters name the field and the value.
    for (path, field) in [
        ("/api/v1/indicators?at=2025-02-30", "at"),
        ("/api/v1/indicators?area=abc", "area"),
        ("/api/v1/indicators?gdp_growth=lots", "gdp_growth"),
        (
            "/api/v1/indicators/living_subsidy_coverage/members?part=all",
            "part",
        ),
        (
            "/api/v1/indicators/living_subsidy_coverage/members?per_page=0",
            "per_page",
        ),
    ] {
        let r = get(&admin, path).await.expect("r");
        assert_eq!(r.status(), 400, "{path}");
        let v: serde_json::Value = r.json().await.expect("json");
        assert_eq!(v["error"]["code"], "invalid_parameter");
        assert!(
            v["error"]["message"].as_str().unwrap_or("").contains(field),
            "{v}"
        );
    }
    // The drill-down lists exactly the numbers' people, for the gap too.
    let v: serde_json::Value = get(&admin, "/api/v1/indicators?at=2025-12-31")
        .await
        .expect("r")
        .json()
        .await
        .expect("j");
    let n = v["indicators"][1]["numerator"].as_u64().expect("n");
    let dd = v["indicators"][1]["denominator"].as_u64().expect("d");
    for (part, want) in [("numerator", n), ("denominator", dd), ("gap", dd - n)] {
        let m: serde_json::Value = get(
            &admin,
            &format!("/api/v1/indicators/living_subsidy_coverage/members?at=2025-12-31&part={part}&per_page=500"),
        )
        .await
        .expect("r")
        .json()
        .await
        .expect("j");
        assert_eq!(m["total"].as_u64(), Some(want), "{part}");
        assert_eq!(
            m["items"].as_array().map(|a| a.len() as u64),
            Some(want.min(500))
        );
        assert!(
            m["items"][0]["citizen_id_masked"]
                .as_str()
                .is_none_or(|s| s.contains('*'))
        );
    }
    let r = get(&admin, "/api/v1/indicators/no_such/members")
        .await
        .expect("r");
    assert_eq!(r.status(), 404);
    // The OpenAPI document describes both routes.
    let doc: serde_json::Value = c
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .expect("r")
        .json()
        .await
        .expect("j");
    assert!(doc["paths"]["/api/v1/indicators"].is_object());
    assert!(doc["paths"]["/api/v1/indicators/{key}/members"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_link_every_number_to_its_people_and_forms_check_their_fields() {
    let mut reg = registry(606, 200);
    let app = app_with_registry(&mut reg).await;
    let admin = app.browser("admin").await;
    let page = admin
        .get(app.url("/indicators?at=2025-12-31"))
        .send()
        .await
        .expect("r");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    let want = reference::expected(
        &reg,
        d(2025, 12, 31),
        &AreaCode::parse("331003").expect("c"),
    );
    let living = &want[1];
    assert!(html.contains(&format!(
        "/indicators/living_subsidy_coverage/people?at=2025-12-31&#38;area=331003&#38;part=numerator\" title=\"享受生活补贴\">{}</a>",
        living.numerator.expect("n")
    )), "the numerator links to its people");
    assert!(
        html.contains("东城街道") && html.contains("<svg"),
        "township table and charts"
    );
    // The drill-down page shows the same count and the people.
    let people = page_text(
        &admin,
        &app.url("/indicators/living_subsidy_coverage/people?at=2025-12-31&area=331003&part=gap"),
    )
    .await;
    let gap = living.denominator.expect("d") - living.numerator.expect("n");
    assert!(people.contains(&format!("共 {gap} 条")), "gap count");
    // Its export.
    let csrf = csrf_of(&people);
    let x = admin
        .post(app.url("/indicators/living_subsidy_coverage/people.xlsx"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("at", "2025-12-31"),
            ("area", "331003"),
            ("part", "gap"),
        ])
        .send()
        .await
        .expect("r");
    assert_eq!(x.status(), 200);
    assert!(x.bytes().await.expect("b").starts_with(b"PK"));
    let rows = audit_rows(
        &app.db.store,
        &zhucan_store::audit::AuditQuery {
            action: Some("indicator.export".into()),
            limit: 100,
            ..Default::default()
        },
        1,
    )
    .await;
    assert_eq!(rows.len(), 1);
    // Bad date on the dashboard: 400 with the field named.
    let r = admin
        .get(app.url("/indicators?at=2025-02-30"))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 400);
    let body = r.text().await.expect("t");
    assert!(body.contains("2025-02-30") && body.contains("aria-invalid=\"true\""));

    // GDP growth: field errors, then a saved rate judges indicator 1.
    let gdp = page_text(&admin, &app.url("/indicators/gdp")).await;
    let csrf = csrf_of(&gdp);
    let r = admin
        .post(app.url("/indicators/gdp"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("year", "1999"),
            ("rate", "7"),
            ("source", ""),
        ])
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("t");
    assert!(
        body.contains("“1999”") && body.contains("“7”") && body.contains("f-source-error"),
        "{body}"
    );
    let r = admin
        .post(app.url("/indicators/gdp"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("year", "2025"),
            ("rate", "-99%"),
            ("source", "统计公报"),
        ])
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 303);
    let tok = app.token("admin").await;
    let v: serde_json::Value = reqwest::Client::new()
        .get(app.url("/api/v1/indicators?at=2025-12-31"))
        .bearer_auth(&tok)
        .send()
        .await
        .expect("r")
        .json()
        .await
        .expect("j");
    assert_eq!(v["indicators"][0]["target"], -0.99);
    assert_eq!(v["indicators"][0]["status"], "met");

    // Manual target progress: errors name the field; a saved entry shows with its evidence.
    let r = admin
        .post(app.url("/indicators/targets"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("target", "petition_closure"),
            ("as_of", "2099-01-01"),
            ("value", "120%"),
            ("evidence", ""),
        ])
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("t");
    assert!(
        body.contains("“2099-01-01”")
            && body.contains("“120%”")
            && body.contains("f-evidence-error")
    );
    let r = admin
        .post(app.url("/indicators/targets"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("target", "petition_closure"),
            ("as_of", "2025-12-31"),
            ("value", "96%"),
            ("evidence", "信访台账 2025"),
        ])
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 303);
    let t = page_text(&admin, &app.url("/indicators/targets?at=2026-01-15")).await;
    // (The evidence's numbers are kept whole on one line: `view::keep_numbers_whole`.)
    assert!(t.contains(r#"信访台账 <span class="nw">2025</span>"#) && t.contains("96%"));
    // Before the entry's date the target has no data.
    let t = page_text(&admin, &app.url("/indicators/targets?at=2025-06-30")).await;
    assert!(!t.contains("信访台账"));
    // Township staff may read but not enter.
    let dc = app.browser("dc").await;
    let page = page_text(&dc, &app.url("/indicators/gdp")).await;
    assert!(!page.contains("<form class=\"stack\""));
    let r = dc
        .post(app.url("/indicators/gdp"))
        .form(&[
            ("_csrf", csrf_of(&page).as_str()),
            ("year", "2025"),
            ("rate", "5%"),
            ("source", "x"),
        ])
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_page_withholds_small_numbers_and_needs_no_login() {
    // Three persons in all: every person count is under 5.
    let mut reg = registry(707, 40);
    let first: Vec<String> = reference::files(&reg.rows)
        .iter()
        .take(3)
        .map(|f| f.person.citizen_id.to_string())
        .collect();
    reg.rows
        .retain(|r| first.contains(&r.person.citizen_id.to_string()));
    let app = app_with_registry(&mut reg).await;
    let html = reqwest::get(app.url("/public/indicators?at=2025-12-31"))
        .await
        .expect("r")
        .text()
        .await
        .expect("t");
    assert!(html.contains("不公布"), "withheld cells");
    for f in reference::files(&reg.rows) {
        assert!(!html.contains(&f.person.name), "no names");
        assert!(!html.contains(f.person.citizen_id.as_str()));
    }
    // No person count under 5 is published: each row's numerator and denominator cells are
    // either 5 or more, a dash, or withheld.
    let table = html.split("<tbody>").nth(1).unwrap_or("");
    for row in table.split("<tr>").skip(1) {
        let cells: Vec<&str> = row
            .split("<td")
            .skip(1)
            .map(|c| c.split_once('>').map_or("", |(_, text)| text))
            .map(|c| c.split('<').next().unwrap_or(""))
            .collect();
        let id: u32 = cells.first().and_then(|c| c.parse().ok()).expect("id cell");
        if [4, 5, 6].contains(&id) {
            continue; // townships and institutions, not persons
        }
        for cell in &cells[3..5] {
            let small = cell.parse::<i64>().is_ok_and(|n| n < 5);
            assert!(!small, "indicator {id} publishes {cell}");
        }
    }
    let r = reqwest::get(app.url("/public/indicators?at=someday"))
        .await
        .expect("r");
    assert_eq!(r.status(), 400);
}

/// The dashboard's monthly trend is kept while the facts and the plan are unchanged, and
/// computed anew after a write: what it shows is always what a fresh computation gives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_trend_is_reused_only_while_the_facts_are_unchanged() {
    use std::sync::Arc;
    use zhucan_plan::web::{live, trend};
    let db = TestDb::sqlite().await;
    let recs: Vec<PersonRecord> = (0..4)
        .map(|i| {
            crate::support::record(
                "赵六",
                d(1960 + i, 1, 1),
                11 + i as u32 * 2,
                "331003107",
                zhucan_domain::Category::Physical,
                zhucan_domain::Grade::Two,
            )
        })
        .collect();
    crate::support::put(&db.store, &recs).await;
    let app = TestApp::start(db).await;
    let area = AreaCode::parse("331003").expect("code");
    let at = d(2025, 12, 31);
    let before = live(&app.state).await.expect("live");
    let first = trend(&app.state, &before, area.clone(), at)
        .await
        .expect("trend");
    assert_eq!(*first, before.snap.trend(&before.plan, &area, at));
    let same = live(&app.state).await.expect("live");
    let again = trend(&app.state, &same, area.clone(), at)
        .await
        .expect("trend");
    assert!(
        Arc::ptr_eq(&first, &again),
        "unchanged facts: the kept trend"
    );
    // Another date or area is its own entry.
    let other = trend(&app.state, &same, area.clone(), d(2025, 6, 30))
        .await
        .expect("trend");
    assert_eq!(other.len() + 6, first.len());

    crate::support::change_file(&app.db.store, &recs[0].person.citizen_id, "form", |r| {
        r.person.died_on = Some(d(2025, 6, 1));
    })
    .await;
    let after = live(&app.state).await.expect("live");
    assert_ne!(after.stamp, before.stamp);
    let fresh = trend(&app.state, &after, area.clone(), at)
        .await
        .expect("trend");
    assert!(!Arc::ptr_eq(&first, &fresh));
    assert_eq!(*fresh, after.snap.trend(&after.plan, &area, at));
    assert_ne!(*fresh, *first, "the death changes the trend's later months");
}

/// Issue 23.4: a drill-down list is exported with the registry export's right (a partner
/// department or a village worker is refused, as at `/export`); a partner sees the counts but
/// no names; a list longer than the policy's threshold needs a stated purpose, which the audit
/// trail records.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drill_down_exports_need_the_export_right_and_a_purpose_when_large() {
    let mut reg = registry(607, 200);
    let app = app_with_registry(&mut reg).await;
    user(&app.db.store, "partner", Role::Partner, "331003").await;
    user(
        &app.db.store,
        "village",
        Role::VillageWorker,
        "331003001001",
    )
    .await;
    let keys = zhucan_web::policy::keys();
    app.db
        .store
        .save_settings(
            &keys,
            0,
            &[("policy.export_purpose_rows".into(), "5".into())],
            "sec",
            |_| zhucan_store::audit::AuditEvent {
                account: "sec".into(),
                action: "settings.change".into(),
                ..Default::default()
            },
        )
        .await
        .expect("save");
    let list = "/indicators/culture_sports/people?at=2025-12-31&area=331003&part=denominator";
    let export = |c: &reqwest::Client, csrf: &str, purpose: Option<&str>| {
        let mut form = vec![
            ("_csrf", csrf.to_string()),
            ("at", "2025-12-31".to_string()),
            ("area", "331003".to_string()),
            ("part", "denominator".to_string()),
        ];
        if let Some(p) = purpose {
            form.push(("purpose", p.to_string()));
        }
        let r = c
            .post(app.url("/indicators/culture_sports/people.xlsx"))
            .form(&form)
            .send();
        async move { r.await.expect("post") }
    };
    // The partner: the counts, no names, no export form; the export itself is refused.
    let partner = app.browser("partner").await;
    let html = page_text(&partner, &app.url(list)).await;
    let any_name = reg.rows.first().map(|r| r.person.name.clone());
    assert!(html.contains("数据最小化"), "{html}");
    assert!(
        !html.contains("people.xlsx"),
        "no export form for a partner"
    );
    assert!(
        !html.contains("href=\"/persons/"),
        "no named persons for a partner"
    );
    if let Some(n) = any_name {
        assert!(!html.contains(&format!(">{n}</a>")));
    }
    let csrf = csrf_of(&html);
    let r = export(&partner, &csrf, Some("核对名单")).await;
    assert_eq!(r.status(), 403, "a partner may not bulk-export");
    // A village worker neither (as at /export).
    let village = app.browser("village").await;
    let home = page_text(&village, &app.url("/")).await;
    let r = export(&village, &csrf_of(&home), Some("核对名单")).await;
    assert_eq!(r.status(), 403);
    // The district administrator: over the threshold, the purpose is required …
    let admin = app.browser("admin").await;
    let html = page_text(&admin, &app.url(list)).await;
    assert!(html.contains("name=\"purpose\"") && html.contains("aria-required=\"true\""));
    let csrf = csrf_of(&html);
    let r = export(&admin, &csrf, None).await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("body");
    assert!(
        body.contains("href=\"#f-purpose\"") && body.contains("id=\"f-purpose-error\""),
        "the error is linked to the field: {body}"
    );
    assert!(body.contains("用途“”无效"), "the field and value are named");
    let r = export(&admin, &csrf, Some("  ab ")).await;
    assert_eq!(r.status(), 422, "too short a purpose");
    assert!(r.text().await.expect("b").contains("value=\"ab\""), "kept");
    let long = "用".repeat(201);
    let r = export(&admin, &csrf, Some(&long)).await;
    assert_eq!(r.status(), 422, "too long a purpose");
    assert!(r.text().await.expect("b").contains("过长"));
    // … and recorded with the export.
    let r = export(&admin, &csrf, Some("年度残疾人文体活动核查")).await;
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.expect("b").starts_with(b"PK"));
    let rows = audit_rows(
        &app.db.store,
        &zhucan_store::audit::AuditQuery {
            action: Some("indicator.export".into()),
            limit: 100,
            ..Default::default()
        },
        1,
    )
    .await;
    assert_eq!(rows.len(), 1, "refused exports write no export record");
    let detail: serde_json::Value = serde_json::from_str(&rows[0].detail).expect("json");
    assert_eq!(detail["purpose"], "年度残疾人文体活动核查");
    assert_eq!(detail["purpose_threshold"], 5);
}
