//! The data exchange end to end: partner feeds and programme records reach the subsidy audit,
//! the payroll's explanation, the indicators and the person file at once (through the same
//! facts cache, kept exact), re-sending changes nothing, bad rows are reported by row, column
//! and value, and a partner account sends only its department's kinds.

#[allow(unused_imports)]
use crate::support::prelude::*;
use zhucan_domain::area::AreaCode;
use zhucan_domain::ledger::{Department, FactKind};
use zhucan_domain::parse::Month;
use zhucan_domain::person::{EconomicStatus, PersonRecord};
use zhucan_domain::{Category, Grade, Lang};
use zhucan_feeds::prelude::*;
use zhucan_feeds::run::{Body, Report, Sender, submit};
use zhucan_store::{Role, Store};

use crate::indicators::{evaluate_json, zhucan};
use crate::support::{TestApp, TestDb, audit_rows, d, put, record, user};

fn district() -> AreaCode {
    AreaCode::parse("331003").expect("code")
}

fn operator(store_area: &AreaCode) -> Sender {
    Sender {
        account: "cli:test".into(),
        role: None,
        area: store_area.clone(),
        department: None,
        client: "test".into(),
    }
}

async fn feed(store: &Store, kind: FactKind, csv: &str) -> Report {
    submit(
        store,
        kind,
        "file",
        Body::File {
            name: "feed.csv".into(),
            bytes: csv.as_bytes().to_vec(),
        },
        &operator(&district()),
        None,
        Lang::Zh,
    )
    .await
    .expect("run")
}

/// Four persons of 院桥镇 on 低保, paid the living subsidy since January 2025.
fn persons() -> Vec<PersonRecord> {
    (0..4)
        .map(|i| {
            let mut r = record(
                &format!("测试{i}"),
                d(1970 + i, 3, 4),
                100 + i as u32,
                "331003107",
                Category::Physical,
                Grade::Three,
            );
            r.survey.economic_status = Some(EconomicStatus::Dibao);
            r.survey.living_subsidy_since = Month::new(2025, 1);
            r
        })
        .collect()
}

fn value(doc: &[serde_json::Value], id: u64) -> (i64, i64) {
    let i = &doc[0]["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .find(|x| x["id"] == id)
        .expect("indicator")
        .clone();
    (
        i["numerator"].as_i64().unwrap_or(-1),
        i["denominator"].as_i64().unwrap_or(-1),
    )
}

crate::contract!(feeds_reach_the_audit_the_indicators_and_the_file);

async fn feeds_reach_the_audit_the_indicators_and_the_file(db: TestDb) {
    let recs = persons();
    put(&db.store, &recs).await;
    let id = |i: usize| recs[i].person.citizen_id.to_string();
    let cache = std::sync::Arc::new(zhucan::facts_cache(db.store.clone()));
    let mut opener = zhucan_subsidies::cases::CaseOpener::new(db.store.clone(), cache.clone());
    assert_eq!(opener.run_once(d(2025, 12, 15)).await.expect("round"), 0);
    let policy = db.store.policy().await.expect("policy");
    let dec = Month::new(2025, 12).expect("m");
    let nov = Month::new(2025, 11).expect("m");
    assert!(
        cache
            .snapshot()
            .await
            .expect("snap")
            .audit(&policy, dec, &district())
            .is_empty(),
        "everyone is eligible and paid before the feeds"
    );

    // A civil-affairs roll: two persons leave 低保 on 15 November; one unknown ID; a bad
    // status and a date in the future are rejected by row and column.
    let unknown = zhucan_domain::ids::with_check_char("11010119900307777")
        .expect("id")
        .to_string();
    let roll = format!(
        "公民身份号码,姓名,救助类别,生效日期\n{},测试0,无,2025-11-15\n{},测试1,无,2025/11/15\n{unknown},某人,低保,2025-01-01\n{},测试2,小康,2025-11-01\n{},测试3,低保,2999-01-01\n",
        id(0),
        id(1),
        id(2),
        id(3)
    );
    let r = feed(&db.store, FactKind::CivilAffairs, &roll).await;
    assert_eq!(
        (r.received, r.matched, r.changed, r.unchanged),
        (5, 2, 2, 0),
        "{r:?}"
    );
    assert_eq!(r.unmatched.len(), 1);
    assert_eq!(r.unmatched[0].citizen_id, unknown.as_str());
    assert_eq!(r.unmatched[0].row, 4);
    let cols: Vec<(u32, &str)> = r
        .rejected
        .iter()
        .map(|i| (i.row, i.column.as_str()))
        .collect();
    assert_eq!(
        cols,
        vec![(5, "救助类别"), (6, "生效日期")],
        "{:?}",
        r.rejected
    );
    assert!(r.rejected[0].value == "小康" && r.rejected[0].message.contains("低保"));
    assert_eq!(r.exit_code(), 3);

    let snap = cache.snapshot().await.expect("snap");
    assert!(
        snap.audit(&policy, nov, &district()).is_empty(),
        "November is still paid"
    );
    let found = snap.audit(&policy, dec, &district());
    let stopped: Vec<(String, Vec<&str>)> = found
        .iter()
        .map(|f| (f.citizen_id.to_string(), f.reasons.clone()))
        .collect();
    assert_eq!(
        stopped,
        vec![
            (id(0), vec!["not_low_income"]),
            (id(1), vec!["not_low_income"])
        ]
    );
    for f in &found {
        assert_eq!(f.basis.len(), 1);
        assert_eq!(f.basis[0].source, "civil_affairs");
        assert_eq!(f.basis[0].on, d(2025, 11, 15));
    }
    // The payroll of December leaves them out; the person's explanation names the roll.
    let pay = snap.payroll(&policy, dec, &district());
    assert!(pay.iter().all(|l| l.citizen_id.to_string() != id(0)));
    assert!(pay.iter().any(|l| l.citizen_id.to_string() == id(2)));
    let file = db
        .store
        .person_file(&recs[0].person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    let ex = zhucan_subsidies::facts::explain_person(&file, vec![], &policy, dec, Lang::Zh);
    let living = &ex.subsidies[0];
    assert!(!living.eligible);
    assert!(
        living
            .conditions
            .iter()
            .any(|c| c.text.contains("民政救助名册 2025-11-15")),
        "{:?}",
        living.conditions
    );
    assert_eq!(file.ledger.len(), 1, "the row is on the person's file");

    // The case opener (1+X) sees the roll at its next round: a stop case for each.
    assert_eq!(opener.run_once(d(2025, 12, 15)).await.expect("round"), 2);
    let (_, cases) = db
        .store
        .cases(&zhucan_subsidies::store::CaseQuery {
            status: Some("open".into()),
            citizen_id: Some(recs[0].person.citizen_id.clone()),
            page: 1,
            per_page: 10,
            ..Default::default()
        })
        .await
        .expect("cases");
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].kind, zhucan_subsidies::store::CaseKind::Stop);

    // Re-sending the roll changes nothing.
    let again = feed(&db.store, FactKind::CivilAffairs, &roll).await;
    assert_eq!((again.changed, again.unchanged), (0, 2));

    // Public security reports a death: the file closes, the next audit finds the person paid
    // while deceased, and the indicators no longer count them.
    let before = evaluate_json(&db, d(2025, 12, 31), &[district()]).await;
    let deaths = format!(
        "citizen_id,name,change,changed_on\n{},测试3,死亡,2025-10-01\n",
        id(3)
    );
    let r = feed(&db.store, FactKind::PublicSecurity, &deaths).await;
    assert_eq!((r.matched, r.changed), (1, 1), "{r:?}");
    let file3 = db
        .store
        .person_file(&recs[3].person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    assert_eq!(file3.person.died_on, Some(d(2025, 10, 1)));
    let found = cache
        .snapshot()
        .await
        .expect("snap")
        .audit(&policy, dec, &district());
    assert!(
        found
            .iter()
            .any(|f| f.citizen_id.to_string() == id(3) && f.reasons == vec!["deceased"]),
        "{found:?}"
    );
    let after = evaluate_json(&db, d(2025, 12, 31), &[district()]).await;
    assert_eq!(
        value(&after, 8).1,
        value(&before, 8).1 - 1,
        "indicator 8 counts one fewer"
    );

    // Insurance, a rehabilitation service and an event move indicators 8, 11 and 14 at once.
    let ins = format!(
        "公民身份号码,姓名,险种,参保类型,参保日期\n{},测试2,医疗,城乡居民,2025-03-01\n",
        id(2)
    );
    assert_eq!(feed(&db.store, FactKind::Insurance, &ins).await.changed, 1);
    let rehab = format!(
        "公民身份号码,姓名,服务日期,服务类型,服务机构\n{},测试2,2025-06-01,肢体康复训练,区康复中心\n",
        id(2)
    );
    assert_eq!(
        feed(&db.store, FactKind::RehabService, &rehab)
            .await
            .changed,
        1
    );
    let event = format!(
        "citizen_id,name,attended_on,event,event_kind\n{},测试1,2025-09-09,助残日游园,文化\n",
        id(1)
    );
    assert_eq!(
        feed(&db.store, FactKind::EventAttendance, &event)
            .await
            .changed,
        1
    );
    let now = evaluate_json(&db, d(2025, 12, 31), &[district()]).await;
    assert_eq!(value(&now, 8).0, value(&after, 8).0 + 1, "indicator 8");
    assert_eq!(
        value(&now, 11),
        (value(&after, 11).0 + 1, value(&after, 11).1 + 1),
        "indicator 11"
    );
    assert_eq!(value(&now, 14).0, value(&after, 14).0 + 1, "indicator 14");
    // Before the service's date the survey stands.
    let early = evaluate_json(&db, d(2025, 5, 31), &[district()]).await;
    assert_eq!(value(&early, 11).0, 0, "no service yet on 31 May");

    // Every run is in the audit trail.
    let q = zhucan_store::audit::AuditQuery {
        account: None,
        action: Some("feeds.run".into()),
        object: None,
        from: None,
        until: None,
        limit: 100,
        offset: 0,
    };
    let rows = audit_rows(&db.store, &q, 6).await;
    assert!(rows.len() >= 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partners_send_only_their_departments_kinds_and_see_only_their_runs() {
    let db = TestDb::sqlite().await;
    let recs = persons();
    put(&db.store, &recs).await;
    user(&db.store, "minzheng", Role::Partner, "331003").await;
    user(&db.store, "gongan", Role::Partner, "331003").await;
    user(&db.store, "nodept", Role::Partner, "331003").await;
    for (name, dep) in [
        ("minzheng", Department::CivilAffairs),
        ("gongan", Department::PublicSecurity),
    ] {
        let u = db
            .store
            .user_by_username(name)
            .await
            .expect("u")
            .expect("exists");
        let audit = zhucan_web::programme::cli_event(
            "feeds.partner.department",
            name,
            serde_json::json!({}),
        );
        db.store
            .set_department(&u.id, Some(dep), "test", &audit)
            .await
            .expect("set");
    }
    let app = TestApp::start(db).await;
    let c = reqwest::Client::new();
    let t_mz = app.token("minzheng").await;
    let t_ga = app.token("gongan").await;
    let t_no = app.token("nodept").await;
    let deaths = format!(
        "citizen_id,name,change,changed_on\n{},测试3,死亡,2025-10-01\n",
        recs[3].person.citizen_id
    );
    // Civil affairs may not push a public-security feed.
    let r = c
        .post(app.url("/api/v1/feeds/public_security"))
        .bearer_auth(&t_mz)
        .header("content-type", "text/csv")
        .body(deaths.clone())
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    let v: serde_json::Value = r.json().await.expect("json");
    assert_eq!(v["error"]["code"], "kind_forbidden");
    // Nor may an account without a department.
    let r = c
        .post(app.url("/api/v1/feeds/civil_affairs"))
        .bearer_auth(&t_no)
        .json(&serde_json::json!({"rows": []}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    // Civil affairs pushes its roll as JSON rows.
    let r = c
        .post(app.url("/api/v1/feeds/civil_affairs"))
        .bearer_auth(&t_mz)
        .json(&serde_json::json!({"rows": [
            {"citizen_id": recs[0].person.citizen_id.to_string(), "name": "测试0", "status": "无", "effective_from": "2025-11-15"},
            {"citizen_id": recs[1].person.citizen_id.to_string(), "name": "别名", "status": "低保", "effective_from": "2031-01-01"},
        ]}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.expect("json");
    assert_eq!(v["matched"], 1, "{v}");
    assert_eq!(v["changed"], 1);
    assert_eq!(v["rejected"][0]["row"], 2);
    assert_eq!(v["rejected"][0]["column"], "effective_from");
    // A public-security list sent as the civil-affairs roll is refused by name.
    let r = c
        .post(app.url("/api/v1/feeds/civil_affairs"))
        .bearer_auth(&t_mz)
        .header("content-type", "text/csv")
        .body(deaths.clone())
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    let v: serde_json::Value = r.json().await.expect("json");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("public_security")),
        "{v}"
    );
    // Public security pushes the death.
    let r = c
        .post(app.url("/api/v1/feeds/public_security"))
        .bearer_auth(&t_ga)
        .header("content-type", "text/csv")
        .body(deaths)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    // Each sees its own department's runs only.
    let runs = |t: String| {
        let c = c.clone();
        let url = app.url("/api/v1/feeds/runs");
        async move {
            let v: serde_json::Value = c
                .get(url)
                .bearer_auth(t)
                .send()
                .await
                .expect("get")
                .json()
                .await
                .expect("json");
            v["runs"]
                .as_array()
                .expect("runs")
                .iter()
                .map(|r| r["kind"].as_str().unwrap_or("").to_string())
                .collect::<Vec<_>>()
        }
    };
    let mz = runs(t_mz.clone()).await;
    assert!(
        mz.iter().all(|k| k == "civil_affairs") && mz.len() == 2,
        "{mz:?}"
    );
    assert_eq!(runs(t_ga.clone()).await, vec!["public_security"]);
    assert!(runs(t_no).await.is_empty());
    // The run's page: civil affairs cannot open the public-security run.
    let list = app.state.store.runs(None, None, 10).await.expect("runs");
    let ga_run = list
        .iter()
        .find(|r| r.kind == "public_security")
        .expect("run");
    let r = c
        .get(app.url(&format!("/api/v1/feeds/runs/{}", ga_run.id)))
        .bearer_auth(&t_mz)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 404);
    // Staff see the run page with its counts and the unmatched rows to resolve.
    user(&app.db.store, "admin", Role::DistrictAdmin, "331003").await;
    let admin = app.browser("admin").await;
    let page =
        crate::support::page_text(&admin, &app.url(&format!("/feeds/runs/{}", ga_run.id))).await;
    assert!(page.contains("公安户籍变动"), "{page}");
    let page = crate::support::page_text(&admin, &app.url("/feeds")).await;
    assert!(page.contains("民政救助"));

    // Township staff upload a month's service records on the page: the run goes on in the
    // background, its page shows the progress and then the counts; a person of another
    // township is unmatched ("not in your area").
    user(&app.db.store, "yq", Role::TownshipStaff, "331003107").await;
    let outsider = record(
        "外镇",
        d(1966, 6, 6),
        7,
        "331003001",
        Category::Visual,
        Grade::Two,
    );
    put(&app.db.store, std::slice::from_ref(&outsider)).await;
    let yq = app.browser("yq").await;
    let form = crate::support::page_text(&yq, &app.url("/feeds")).await;
    let csv = format!(
        "公民身份号码,姓名,服务日期,服务类型\n{},测试2,2025-06-01,肢体康复训练\n{},外镇,2025-06-01,肢体康复训练\n",
        recs[2].person.citizen_id, outsider.person.citizen_id
    );
    let part = reqwest::multipart::Part::bytes(csv.into_bytes())
        .file_name("rehab.csv")
        .mime_str("text/csv")
        .expect("mime");
    let body = reqwest::multipart::Form::new()
        .text("_csrf", crate::support::csrf_of(&form))
        .text("kind", "rehab_service")
        .part("file", part);
    let r = yq
        .post(app.url("/feeds/upload"))
        .multipart(body)
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), 303);
    let to = r
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .expect("location")
        .to_string();
    let id = to.trim_start_matches("/feeds/runs/").to_string();
    let mut done = None;
    for _ in 0..200 {
        let run = app
            .state
            .store
            .run(&id)
            .await
            .expect("run")
            .expect("exists");
        if run.status != "running" {
            done = Some(run);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let run = done.expect("the run ends");
    assert_eq!(
        (run.status.as_str(), run.matched, run.changed, run.unmatched),
        ("done", 1, 1, 1)
    );
    let page = crate::support::page_text(&yq, &app.url(&to)).await;
    assert!(page.contains("您的工作范围内没有此公民身份号码"), "{page}");
    // A township clerk may not send a department's feed.
    let part = reqwest::multipart::Part::bytes(b"citizen_id,status,effective_from\n".to_vec())
        .file_name("roll.csv");
    let body = reqwest::multipart::Form::new()
        .text("_csrf", crate::support::csrf_of(&form))
        .text("kind", "civil_affairs")
        .part("file", part);
    let r = yq
        .post(app.url("/feeds/upload"))
        .multipart(body)
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_says_what_it_applied_by_its_exit_code() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("z.db").display());
    {
        let store = zhucan::open_store(&url).await.expect("open");
        put(&store, &persons()).await;
    }
    let recs = persons();
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        format!(
            "残疾人事务 2025 年 11 月康复服务\n公民身份号码,姓名,服务日期,服务类型\n{},测试0,2025-11-03,家庭康复指导\n",
            recs[0].person.citizen_id
        ),
    )
    .expect("write");
    let report = dir.path().join("r.json");
    let out = zhucan(
        &url,
        &[
            "records",
            "import",
            "rehab_service",
            good.to_str().expect("p"),
            "--report",
            report.to_str().expect("p"),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("json");
    assert_eq!(v["kind"], "rehab_service");
    assert_eq!(v["changed"], 1);
    // The same file again: unchanged, still 0.
    let out = zhucan(
        &url,
        &[
            "records",
            "import",
            "rehab_service",
            good.to_str().expect("p"),
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    // A missing column: 2, naming it.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "公民身份号码,姓名,救助类别\n110101199003077777,某,无\n",
    )
    .expect("write");
    let out = zhucan(
        &url,
        &["feed", "import", "civil_affairs", bad.to_str().expect("p")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("生效日期"));
    // An unknown kind: 2.
    let out = zhucan(
        &url,
        &["feed", "import", "weather", bad.to_str().expect("p")],
    );
    assert_eq!(out.status.code(), Some(2));
    // An unmatched row: 3.
    let um = dir.path().join("um.csv");
    std::fs::write(
        &um,
        "citizen_id,name,status,effective_from\n110101199003077777,某,低保,2025-01-01\n",
    )
    .expect("write");
    let out = zhucan(
        &url,
        &["feed", "import", "civil_affairs", um.to_str().expect("p")],
    );
    assert_eq!(out.status.code(), Some(3));
}

/// A fact as a CSV line with the English keys of its kind (header first).
fn csv_of(kind: FactKind, rows: &[&zhucan_facts::reference::SentRow]) -> String {
    use zhucan_domain::ledger::Fact;
    let o = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let yn = |b: bool| if b { "是" } else { "否" };
    let header = match kind {
        FactKind::CivilAffairs => "citizen_id,name,status,effective_from",
        FactKind::PublicSecurity => "citizen_id,name,change,changed_on,township",
        FactKind::Insurance => "citizen_id,name,insurance,scheme,enrolled_on,ended_on",
        FactKind::Employment => "citizen_id,name,employment_status,from,until",
        FactKind::Health => "citizen_id,name,family_doctor,signed_on",
        FactKind::Education => "citizen_id,name,school_year,school_stage,completed_compulsory",
        FactKind::RehabService => "citizen_id,name,served_on,service",
        FactKind::DeviceFitting => "citizen_id,name,fitted_on,device",
        FactKind::DeviceLoan => "citizen_id,name,device,lent_on,due_on,returned_on",
        FactKind::HomeModification => "citizen_id,name,accepted_on",
        FactKind::EventAttendance => "citizen_id,name,attended_on,event,event_kind",
        FactKind::Care => "citizen_id,name,mode,institution,from,until",
    };
    let mut out = format!("{header}\n");
    for r in rows {
        let id = &r.citizen_id;
        let line = match &r.fact {
            Fact::CivilAffairs {
                status,
                effective_from,
            } => format!("{id},,{},{effective_from}", status.zh()),
            Fact::PublicSecurity {
                change,
                changed_on,
                township,
                ..
            } => format!(
                "{id},,{},{changed_on},{}",
                change.zh(),
                township.as_ref().map(|t| t.to_string()).unwrap_or_default()
            ),
            Fact::Insurance {
                insurance,
                scheme,
                enrolled_on,
                ended_on,
                ..
            } => format!(
                "{id},,{},{},{enrolled_on},{}",
                insurance.zh(),
                scheme.zh(),
                o(*ended_on)
            ),
            Fact::Employment {
                employment_status,
                from,
                until,
                ..
            } => format!("{id},,{},{from},{}", employment_status.zh(), o(*until)),
            Fact::Health {
                family_doctor,
                signed_on,
                ..
            } => format!("{id},,{},{signed_on}", yn(*family_doctor)),
            Fact::Education {
                school_year,
                school_stage,
                completed_compulsory,
                ..
            } => format!(
                "{id},,{school_year},{},{}",
                school_stage.zh(),
                yn(*completed_compulsory)
            ),
            Fact::RehabService {
                served_on, service, ..
            } => format!("{id},,{served_on},{service}"),
            Fact::DeviceFitting {
                fitted_on, device, ..
            } => format!("{id},,{fitted_on},{device}"),
            Fact::DeviceLoan {
                device,
                lent_on,
                due_on,
                returned_on,
            } => format!("{id},,{device},{lent_on},{due_on},{}", o(*returned_on)),
            Fact::HomeModification { accepted_on, .. } => format!("{id},,{accepted_on}"),
            Fact::EventAttendance {
                attended_on,
                event,
                event_kind,
            } => format!("{id},,{attended_on},{event},{}", event_kind.zh()),
            Fact::Care {
                mode,
                institution,
                from,
                until,
            } => format!(
                "{id},,{},{},{from},{}",
                mode.zh(),
                institution.as_deref().unwrap_or(""),
                o(*until)
            ),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

crate::contract!(feeds_match_the_literal_reading_on_registries_never_seen);

/// Random registries full of edge cases, and random feeds and records over them: after the
/// runs, the indicators (2–14) of every anchor date and area and the subsidy audit of every
/// test month are those of `feeds-and-records.md` read literally
/// (`zhucan_facts::reference::as_of`).
async fn feeds_match_the_literal_reading_on_registries_never_seen(db: TestDb) {
    use crate::indicators::{anchors, areas_under_test, load, registry};
    let today = d(2026, 11, 30);
    // `ZHUCAN_FEED_SEED=N` draws another registry and other feeds (the long version, by hand).
    let seed: u64 = std::env::var("ZHUCAN_FEED_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4711);
    let mut reg = registry(seed, 300);
    load(&db, &mut reg).await;
    let sent = zhucan_facts::reference::sent_rows(seed + 1, &reg, &anchors(), today);
    assert!(sent.len() > 200, "{} rows", sent.len());
    for kind in FactKind::ALL {
        let rows: Vec<_> = sent.iter().filter(|r| r.fact.kind() == *kind).collect();
        if rows.is_empty() {
            continue;
        }
        let r = feed(&db.store, *kind, &csv_of(*kind, &rows)).await;
        assert!(r.rejected.is_empty(), "{kind:?}: {:?}", r.rejected);
        assert!(r.unmatched.is_empty(), "{kind:?}: {:?}", r.unmatched);
        assert_eq!(r.matched as usize, rows.len(), "{kind:?}");
    }
    let mut compared = 0;
    for t in anchors() {
        let lit = zhucan_facts::reference::as_of(&reg, &sent, t, today);
        let areas = areas_under_test();
        let got = evaluate_json(&db, t, &areas).await;
        for (g, area) in got.iter().zip(&areas) {
            let want = zhucan_plan::reference::expected(&lit, t, area);
            let inds = g["indicators"].as_array().expect("indicators");
            for (gi, w) in inds.iter().zip(&want).skip(1) {
                let ctx = format!("t {t}, area {area}, indicator {}", w.id);
                assert_eq!(gi["numerator"].as_i64(), w.numerator, "numerator: {ctx}");
                assert_eq!(
                    gi["denominator"].as_i64(),
                    w.denominator,
                    "denominator: {ctx}"
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 100);
    for (y, mo) in [(2021, 12), (2023, 3), (2024, 2), (2025, 12)] {
        let m = Month::new(y, mo).expect("m");
        let lit = zhucan_facts::reference::as_of(&reg, &sent, m.first_day(), today);
        for area in areas_under_test() {
            assert_eq!(
                crate::subsidies::audit_of(&db, m, &area).await,
                zhucan_subsidies::reference::expected_findings(&lit, m, &area),
                "audit {m} {area}"
            );
        }
    }
}
