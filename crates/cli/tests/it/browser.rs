//! Every page in headless Chromium with axe-core (WCAG 2.1 A/AA): zero violations, no
//! horizontal scrolling at 360 px, tables that break no number, date or ID and keep text cells
//! at least four characters wide (at 360 px and at 200% zoom), and keyboard-only journeys
//! (among them the display switches combining on every kind of page, focus on the error
//! summary after a failed submission, a citizen signing in to their own file). The harness is
//! `tests/browser/axe.mjs`; `scripts/install-test-deps` installs Chromium and its npm packages.

#[allow(unused_imports)]
use crate::support::prelude::*;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::json;
use zhucan_domain::person::{PersonRecord, RecordExtras};
use zhucan_store::Role;
use zhucan_store::registry::Actor;

use crate::support::{PASSWORD, TestApp, TestDb, user};

fn harness() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser/axe.mjs")
}

/// Loads a small demo district (areas, institutions, 300 persons).
async fn demo(db: &TestDb) {
    let opts = zhucan_demo::DemoOptions {
        persons: 300,
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
    for chunk in rows.chunks(1000) {
        db.store
            .merge_records(
                chunk,
                &Actor {
                    name: "demo",
                    source: "demo",
                },
            )
            .await
            .expect("merge");
    }
}

fn run_harness(job: &serde_json::Value) -> serde_json::Value {
    if std::env::var("ZHUCAN_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        eprintln!("ZHUCAN_SKIP_BROWSER=1: browser checks skipped");
        return json!({"summary": {"violations": 0, "journeysFailed": 0}});
    }
    let mut child = Command::new("node")
        .arg(harness())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node must be installed: run scripts/install-test-deps");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(job.to_string().as_bytes())
        .expect("write job");
    let out = child.wait_with_output().expect("harness");
    assert_ne!(
        out.status.code(),
        Some(2),
        "the browser harness could not run: run scripts/install-test-deps (Chromium, playwright-core, axe-core)"
    );
    serde_json::from_slice(&out.stdout).expect("harness result JSON")
}

fn assert_clean(result: &serde_json::Value) {
    let mut problems = Vec::new();
    for p in result["pages"].as_array().into_iter().flatten() {
        for v in p["violations"].as_array().into_iter().flatten() {
            problems.push(format!(
                "{} {} [{}]: {} {}",
                p["session"], p["path"], v["id"], v["help"], v["nodes"]
            ));
        }
    }
    for j in result["journeys"].as_array().into_iter().flatten() {
        if j["ok"] != true {
            problems.push(format!(
                "journey {} {}: {}",
                j["session"], j["name"], j["error"]
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "accessibility problems:\n{}",
        problems.join("\n")
    );
    assert_eq!(result["summary"]["violations"], 0);
}

/// The sessions of the service end (the rest are the governance end's).
const SERVICE_END: [&str; 5] = [
    "anonymous-signup",
    "verify",
    "citizen",
    "township-desk",
    "citizen-after",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_governance_page_passes_axe_and_keyboard_journeys_work() {
    run_suite(|name| !SERVICE_END.contains(&name)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_service_end_page_passes_axe_and_a_citizen_applies_with_the_keyboard() {
    run_suite(|name| SERVICE_END.contains(&name)).await;
}

/// Builds the district and every session, and runs those `keep` names.
async fn run_suite(keep: fn(&str) -> bool) {
    let db = TestDb::sqlite().await;
    demo(&db).await;
    user(&db.store, "admin", Role::DistrictAdmin, "331003").await;
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    user(&db.store, "audit", Role::Auditor, "331003").await;
    user(&db.store, "dept", Role::Partner, "331003").await;
    user(&db.store, "sysadmin", Role::SystemAdmin, "331003").await;
    user(&db.store, "sec", Role::SecurityAdmin, "331003").await;
    // A token, so that the sessions pages list one.
    let yq = db
        .store
        .user_by_username("yq")
        .await
        .expect("lookup")
        .expect("exists");
    zhucan_web::auth::issue_token(
        &db.store,
        &yq,
        std::time::Duration::from_secs(3600),
        zhucan_store::TokenScope::Read,
        "cli:ops",
    )
    .await
    .expect("token");
    let page = db
        .store
        .search(&zhucan_store::PersonQuery {
            text: None,
            area: zhucan_domain::AreaCode::parse("331003107"),
            page: 1,
            per_page: 1,
        })
        .await
        .expect("search");
    let h = page
        .items
        .first()
        .map(|p| p.handle.clone())
        .expect("a person in 院桥镇");
    let name = page
        .items
        .first()
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let person_id = page
        .items
        .first()
        .map(|p| p.citizen_id.clone())
        .expect("a person");
    let case_id = db
        .store
        .open_case(&zhucan_subsidies::store::NewCase {
            citizen_id: &person_id,
            subsidy: zhucan_subsidies::rules::Subsidy::Living,
            kind: zhucan_subsidies::store::CaseKind::Enrol,
            month: zhucan_domain::parse::Month::new(2025, 12).expect("m"),
            reasons: vec!["not_enrolled"],
            trigger: "audit",
            area: &zhucan_domain::AreaCode::parse("331003107").expect("a"),
            opened_by: "system",
        })
        .await
        .expect("case")
        .expect("new")
        .id;
    // Certificate codes: one valid, one of a revoked certificate (an hour each, longer than
    // the suite); a citizen account for the person whose certificate is valid.
    let certified = db
        .store
        .search(&zhucan_store::PersonQuery {
            text: None,
            area: zhucan_domain::AreaCode::parse("331003107"),
            page: 1,
            per_page: 200,
        })
        .await
        .expect("search");
    let today = chrono::Local::now().date_naive();
    let mut in_force = Vec::new();
    for p in &certified.items {
        let f = db
            .store
            .person_file(&p.citizen_id, &crate::support::any())
            .await
            .expect("file")
            .expect("exists");
        if zhucan_domain::person::is_active_at(&f.person, &f.certificate, today) {
            in_force.push(f);
        }
    }
    let valid_file = in_force.first().cloned().expect("a certificate in force");
    let revoked_file = in_force.get(1).cloned().expect("another one");
    crate::support::citizen(&db.store, "jm", &valid_file.person.citizen_id).await;
    crate::support::change_file(&db.store, &revoked_file.person.citizen_id, "form", |r| {
        r.certificate.status = zhucan_domain::person::CertificateStatus::Revoked;
    })
    .await;
    // A records run with an unmatched and a rejected row, for the data exchange's pages.
    let feed_run = {
        let unknown = zhucan_domain::ids::with_check_char("11010119900307777").expect("id");
        let csv = format!(
            "公民身份号码,姓名,服务日期,服务类型\n{},{},2025-06-01,肢体康复训练\n{unknown},某人,2025-06-02,孤独症康复\n{},{},2999-01-01,家庭康复指导\n",
            valid_file.person.citizen_id,
            valid_file.person.name,
            valid_file.person.citizen_id,
            valid_file.person.name
        );
        let sender = zhucan_feeds::run::Sender {
            account: "cli:test".into(),
            role: None,
            area: zhucan_domain::AreaCode::parse("331003").expect("code"),
            department: None,
            client: "test".into(),
        };
        zhucan_feeds::run::submit(
            &db.store,
            zhucan_domain::ledger::FactKind::RehabService,
            "file",
            zhucan_feeds::run::Body::File {
                name: "rehab.csv".into(),
                bytes: csv.into_bytes(),
            },
            &sender,
            None,
            zhucan_domain::Lang::Zh,
        )
        .await
        .expect("run")
        .run
    };
    let config = zhucan_web::Config {
        login_rate_max: 1000,
        login_account_rate_max: 1000,
        verify_rate_max: 10_000,
        cert_token_ttl: std::time::Duration::from_secs(3600),
        ..zhucan_web::Config::default()
    };
    let app = TestApp::start_with(db, config).await;
    let code_of = |f: &zhucan_store::PersonFile| {
        zhucan_ecert::token::issue_for(&app.state, f, chrono::Utc::now())
            .expect("token")
            .0
    };
    let valid_token = code_of(&valid_file);
    let revoked_token = code_of(&revoked_file);
    let hv = valid_file.handle.clone();
    // A small roster for the upload journey: one new 院桥镇 person, one of another township.
    let roster = {
        let a = zhucan_domain::ids::with_check_char("33100319800707071").expect("id");
        let b = zhucan_domain::ids::with_check_char("33100319800707072").expect("id");
        format!(
            "姓名,公民身份号码,残疾人证号,残疾类别,残疾等级,发证日期,乡镇街道\n院桥新,{a},{a}41,肢体,一级,2020-05-01,院桥镇\n东城新,{b},{b}41,肢体,一级,2020-05-01,331003001\n"
        )
    };
    let login = |u: &str| {
        let secret = if u == "admin" || u == "sysadmin" || u == "sec" {
            json!(crate::support::TOTP_SECRET)
        } else {
            json!(null)
        };
        json!({"path": "/login", "username": u, "password": PASSWORD, "totpSecret": secret})
    };
    let staff_pages = |prefix: &str| {
        json!([
            {"path": "/", "name": format!("{prefix}home")},
            {"path": "/persons", "name": format!("{prefix}search-empty")},
            {"path": "/persons?q=%E7%8E%8B", "name": format!("{prefix}search-results")},
            {"path": "/persons?q=&area=331003107&page=2", "name": format!("{prefix}search-page2")},
            {"path": format!("/persons/{h}"), "name": format!("{prefix}person-file")},
            {"path": format!("/persons/{h}/events"), "name": format!("{prefix}event-choose")},
            {"path": format!("/persons/{h}/events?kind=reassess"), "name": format!("{prefix}event-reassess")},
            {"path": format!("/persons/{h}/events?kind=move_in"), "name": format!("{prefix}event-move-in")},
            {"path": "/persons/new", "name": format!("{prefix}register")},
            {"path": format!("/persons/{h}/edit"), "name": format!("{prefix}edit-file")},
            {"path": format!("/persons/{h}/surveys/2025"), "name": format!("{prefix}survey-form")},
            {"path": format!("/persons/{h}/surveys/1800"), "name": format!("{prefix}survey-bad-year"), "status": 404},
            {"path": "/import", "name": format!("{prefix}import")},
            {"path": "/export", "name": format!("{prefix}export")},
            {"path": "/account/2fa", "name": format!("{prefix}two-factor")},
            {"path": "/indicators?at=2025-12-31", "name": format!("{prefix}indicators")},
            {"path": "/subsidies?month=2025-12", "name": format!("{prefix}subsidies")},
            {"path": "/account/sessions", "name": format!("{prefix}sessions")},
            {"path": "/feeds", "name": format!("{prefix}feeds")},
            {"path": "/no-such-page", "name": format!("{prefix}not-found"), "status": 404},
        ])
    };
    // The display switches (大字, 高对比度, 易读), keyboard only: each one turned on where the
    // previous one was (they combine), kept on the next page (remembered), then all turned off.
    let switch = |n: usize| format!("nav.tools a[href^='/display'] >> nth={n}");
    let switches = |name: &str, first: &str, second: &str, third: &str| {
        json!({"name": name, "steps": [
            {"goto": first}, {"focus": switch(0)}, {"press": "Enter"},
            {"expectClasses": "large-text", "absent": "high-contrast easy-read"},
            {"goto": second}, {"expectClasses": "large-text"}, {"focus": switch(1)}, {"press": "Enter"},
            {"expectClasses": "large-text high-contrast", "absent": "easy-read"},
            {"goto": third}, {"expectClasses": "large-text high-contrast"}, {"focus": switch(2)}, {"press": "Enter"},
            {"expectClasses": "large-text high-contrast easy-read"},
            {"goto": first}, {"expectClasses": "large-text high-contrast easy-read"},
            {"focus": switch(0)}, {"press": "Enter"},
            {"expectClasses": "high-contrast easy-read", "absent": "large-text"},
            {"goto": format!("/display?set=&next={first}")},
            {"expectClasses": "", "absent": "large-text high-contrast easy-read"}
        ]})
    };
    let mut admin_pages = staff_pages("").as_array().cloned().unwrap_or_default();
    for (path, name, status) in [
        ("/indicators?at=2025-12-31", "indicators", 200),
        ("/indicators?at=2025-02-30", "indicators-bad-date", 400),
        (
            "/indicators?at=2025-12-31&area=331003107",
            "indicators-township",
            200,
        ),
        (
            "/indicators/living_subsidy_coverage/people?at=2025-12-31&part=gap",
            "drill-persons",
            200,
        ),
        (
            "/indicators/home_of_disabled_coverage/people?at=2025-12-31",
            "drill-townships",
            200,
        ),
        (
            "/indicators/child_rehab_standardized/people?at=2025-12-31&part=numerator",
            "drill-institutions",
            200,
        ),
        ("/indicators/report?at=2025-12-31", "evaluation-report", 200),
        ("/indicators/targets?at=2025-12-31", "plan-targets", 200),
        ("/indicators/gdp", "gdp-growth", 200),
        ("/subsidies?month=2025-12", "subsidy-audit", 200),
        ("/subsidies?month=2025-13", "subsidy-audit-bad-month", 400),
        ("/subsidies/cases", "subsidy-cases", 200),
        ("/subsidies/payroll?month=2025-12", "subsidy-payroll", 200),
        (
            "/subsidies/payroll?month=someday",
            "subsidy-payroll-bad-month",
            400,
        ),
        ("/subsidies/policy", "subsidy-policy", 200),
        ("/devices/catalogue", "devices-catalogue", 200),
        ("/feeds/partners", "feed-partners", 200),
        ("/subsidies/what-if", "subsidy-what-if", 200),
        (
            "/subsidies/what-if?key=nursing_tiers&area=331003&value=1%3A*%3A300%2C2%3A*%3A240%2C3%3A%E8%82%A2%E4%BD%93%3A180&effective_from=2026-01-01",
            "subsidy-what-if-result",
            200,
        ),
        (
            "/subsidies/what-if?key=dibao_standard&area=331003&value=lots&effective_from=2026-01-01",
            "subsidy-what-if-error",
            400,
        ),
    ] {
        admin_pages.push(json!({"path": path, "name": name, "status": status}));
    }
    admin_pages.push(json!({"path": format!("/feeds/runs/{feed_run}"), "name": "feed-run"}));
    admin_pages
        .push(json!({"path": format!("/subsidies/cases/{case_id}"), "name": "subsidy-case"}));
    admin_pages.push(json!({"path": format!("/persons/{h}/subsidies?month=2025-12"), "name": "person-subsidies"}));
    admin_pages
        .push(json!({"path": format!("/persons/{hv}/certificate"), "name": "certificate-card"}));
    admin_pages.push(json!({"path": format!("/persons/{}/certificate", revoked_file.handle), "name": "certificate-card-revoked"}));
    let job = json!({
        "base": app.base,
        "sessions": [
            {"name": "anonymous", "login": null, "pages": [
                {"path": "/login", "name": "login"},
                {"path": "/public/indicators?at=2025-12-31", "name": "public-indicators"},
                {"path": "/public/indicators?at=someday", "name": "public-bad-date", "status": 400},
            ], "journeys": [
                switches("display-switches-public", "/login", "/public/indicators?at=2025-12-31", &format!("/verify/{valid_token}")),
                {"name": "failed-login-error", "steps": [
                    {"goto": "/login"}, {"focus": "input[name=username]"}, {"type": "admin"},
                    {"press": "Tab"}, {"type": "wrong password"}, {"press": "Enter"},
                    {"expectText": "用户名或密码不正确"}, {"expectFocus": ".error-summary"},
                    {"expectTitle": "^错误：登录"}, {"axe": true}
                ]},
                {"name": "keyboard-login-search-open", "steps": [
                    {"goto": "/login"}, {"press": "Tab"}, {"expectFocus": "a.skip"},
                    {"focus": "input[name=username]"}, {"type": "yq"}, {"press": "Tab"}, {"type": PASSWORD}, {"press": "Enter"},
                    {"expectUrl": "/$"}, {"goto": "/persons"}, {"focus": "#q"}, {"type": name}, {"press": "Enter"},
                    {"expectText": name}, {"expectUrl": "q="}, {"expectFocus": "#results"}
                ]}
            ]},
            {"name": "admin", "login": login("admin"), "pages": admin_pages, "journeys": [
                switches("display-switches-staff", "/persons", "/indicators?at=2025-12-31", "/subsidies/cases"),
                {"name": "register-errors", "steps": [
                    {"goto": "/persons/new"}, {"focus": "form.stack button[type=submit]"}, {"press": "Enter"},
                    {"expectText": "请更正以下问题"}, {"expectFocus": ".error-summary"},
                    {"expectTitle": "^错误："}, {"axe": true}
                ]},
                {"name": "event-errors", "steps": [
                    {"goto": format!("/persons/{h}/events?kind=decease")}, {"focus": "form.stack button[type=submit]"}, {"press": "Enter"},
                    {"expectText": "请更正以下问题"}, {"axe": true}
                ]},
                {"name": "dashboard-to-people", "steps": [
                    {"goto": "/indicators?at=2025-12-31"}, {"focus": "table.indicators a[href*='part=gap']"}, {"press": "Enter"},
                    {"expectUrl": "part=gap"}, {"expectText": "共"}, {"axe": true}
                ]},
                {"name": "dashboard-form", "steps": [
                    {"goto": "/indicators"}, {"focus": "#f-at"}, {"press": "Control+A"}, {"type": "2024-06-30"}, {"press": "Enter"},
                    {"expectUrl": "at=2024-06-30"}, {"expectText": "2024-06-30"}
                ]},
                {"name": "gdp-errors", "steps": [
                    {"goto": "/indicators/gdp"}, {"focus": "#f-rate"}, {"type": "7"}, {"focus": "form.stack button[type=submit]"}, {"press": "Enter"},
                    {"expectText": "请更正以下问题"}, {"axe": true}
                ]},
                {"name": "case-decide-errors", "steps": [
                    {"goto": format!("/subsidies/cases/{case_id}")}, {"focus": "form.stack button[type=submit]"}, {"press": "Enter"},
                    {"expectText": "请更正以下问题"}, {"axe": true}
                ]},
                {"name": "policy-errors", "steps": [
                    {"goto": "/subsidies/policy"}, {"focus": "form.stack button[value=preview]"}, {"press": "Enter"},
                    {"expectText": "请更正以下问题"}, {"axe": true}
                ]},
                {"name": "benefit-errors", "steps": [
                    {"goto": format!("/persons/{h}/subsidies")}, {"focus": "form[action$='/benefits'] button[type=submit]"}, {"press": "Enter"},
                    {"expectText": "请更正以下问题"}, {"axe": true}
                ]},
                {"name": "certificate-card-to-verify", "steps": [
                    {"goto": format!("/persons/{hv}/certificate")}, {"focus": "a.verify-url"}, {"press": "Enter"},
                    {"expectUrl": "/verify/"}, {"expectText": "真实有效"}, {"expectText": "核验时间"}, {"axe": true}
                ]},
                {"name": "progress-errors", "steps": [
                    {"goto": "/indicators/targets"}, {"focus": "form.stack button[type=submit]"}, {"press": "Enter"},
                    {"expectText": "请更正以下问题"}, {"axe": true}
                ]}
            ]},
            {"name": "admin-en", "login": login("admin"), "pages": [
                {"path": "/lang?to=en&next=/persons", "name": "switch"},
                {"path": "/persons?q=%E7%8E%8B", "name": "search-en"},
                {"path": format!("/persons/{h}"), "name": "person-en"},
                {"path": "/persons/new", "name": "register-en"},
                {"path": "/indicators?at=2025-12-31", "name": "indicators-en"},
                {"path": "/public/indicators?at=2025-12-31", "name": "public-en"},
                {"path": "/subsidies/payroll?month=2025-12", "name": "payroll-en"},
                {"path": format!("/persons/{h}/subsidies?month=2025-12"), "name": "person-subsidies-en"},
                {"path": "/account/sessions", "name": "sessions-en"},
                {"path": format!("/persons/{hv}/certificate"), "name": "certificate-card-en"}
            ]},
            {"name": "township", "login": login("yq"), "pages": staff_pages("township-"), "journeys": [
                // Keeping a file current, keyboard only: the details, a survey year, a roster.
                {"name": "edit-file-with-the-keyboard", "steps": [
                    {"goto": format!("/persons/{h}")}, {"focus": "a[href$='/edit']"}, {"press": "Enter"},
                    {"expectUrl": "/edit$"}, {"focus": "#f-phone"}, {"press": "Control+A"}, {"type": "13955556666"},
                    {"focus": "form.stack button[type=submit]"}, {"press": "Enter"},
                    {"expectUrl": "saved=1"}, {"expectText": "139****6666"}, {"axe": true}
                ]},
                {"name": "edit-file-errors", "steps": [
                    {"goto": format!("/persons/{h}/edit")}, {"focus": "#f-household_size"}, {"press": "Control+A"}, {"type": "many"},
                    {"press": "Enter"}, {"expectText": "请更正以下问题"}, {"axe": true}
                ]},
                {"name": "survey-with-the-keyboard", "steps": [
                    {"goto": format!("/persons/{h}")}, {"focus": "a[href*='/surveys/']"}, {"press": "Enter"},
                    {"expectUrl": "/surveys/"}, {"focus": "#f-income_per_capita"}, {"press": "Control+A"}, {"type": "12345"},
                    {"focus": "form.stack button[type=submit]"}, {"press": "Enter"},
                    {"expectUrl": "saved=1"}, {"expectText": "动态更新"}, {"axe": true}
                ]},
                {"name": "survey-errors", "steps": [
                    {"goto": format!("/persons/{h}/surveys/2025")}, {"focus": "#f-income_per_capita"}, {"press": "Control+A"}, {"type": "lots"},
                    {"focus": "form.stack button[type=submit]"}, {"press": "Enter"},
                    {"expectText": "请更正以下问题"}, {"axe": true}
                ]},
                {"name": "upload-a-roster", "steps": [
                    {"goto": "/import"}, {"focus": "#f-file"},
                    {"setFile": "#f-file", "fileName": "roster.csv", "fileContent": roster},
                    {"focus": "form.stack button[type=submit]"}, {"press": "Enter"},
                    {"expectUrl": "/import/"}, {"reloadUntil": "导入完成"},
                    {"expectText": "不在您的工作范围"}, {"axe": true}
                ]},
                {"name": "upload-without-a-file", "steps": [
                    {"goto": "/import"}, {"focus": "form.stack button[type=submit]"}, {"press": "Enter"},
                    {"expectText": "请选择要导入的文件"}, {"axe": true}
                ]},
                {"name": "reveal", "steps": [
                    {"goto": format!("/persons/{h}")}, {"focus": "form[action$='/reveal'] button"}, {"press": "Enter"},
                    {"expectText": "正在显示完整个人信息"}, {"axe": true}
                ]},
                {"name": "two-factor-wrong-code", "steps": [
                    {"goto": "/account/2fa"}, {"focus": "#code"}, {"type": "000000"}, {"press": "Enter"},
                    {"expectText": "验证码不正确"}, {"axe": true}
                ]}
            ]},
            {"name": "sysadmin", "login": login("sysadmin"), "pages": [
                {"path": "/admin/users", "name": "accounts"},
                {"path": "/admin/users/yq", "name": "account-yq"},
                {"path": "/admin/users/sysadmin", "name": "account-own"},
                {"path": "/admin/users/nobody", "name": "account-missing", "status": 404},
                {"path": "/account/sessions", "name": "sysadmin-sessions"},
                {"path": "/security/settings", "name": "sysadmin-no-policy", "status": 403},
                {"path": "/", "name": "sysadmin-home"}
            ], "journeys": [
                {"name": "account-errors", "steps": [
                    {"goto": "/admin/users"}, {"focus": "form.stack button[type=submit]"}, {"press": "Enter"},
                    {"expectText": "请更正以下问题"}, {"axe": true}
                ]},
                {"name": "rights-errors", "steps": [
                    {"goto": "/admin/users/yq"}, {"focus": "#f-village"}, {"type": "123"}, {"press": "Enter"},
                    {"expectText": "请更正以下问题"}, {"expectText": "“123”"}, {"axe": true}
                ]},
                {"name": "rights-unchanged", "steps": [
                    {"goto": "/admin/users/yq"}, {"focus": "form.stack button[type=submit]"}, {"press": "Enter"},
                    {"expectText": "没有变化"}, {"axe": true}
                ]}
            ]},
            {"name": "security", "login": login("sec"), "pages": [
                {"path": "/security/settings", "name": "security-settings"},
                {"path": "/", "name": "security-home"},
                {"path": "/admin/users", "name": "security-no-accounts", "status": 403},
                {"path": "/lang?to=en&next=/security/settings", "name": "security-settings-en"}
            ], "journeys": [
                // The last page switched this session to English.
                {"name": "policy-errors-en", "steps": [
                    {"goto": "/security/settings"}, {"focus": "#f-session_idle_minutes"}, {"press": "End"}, {"type": "abc"}, {"press": "Enter"},
                    {"expectText": "There is a problem"}, {"expectText": "“30abc” is invalid"},
                    {"expectFocus": ".error-summary"}, {"expectTitle": "^Error: "}, {"axe": true}
                ]},
                {"name": "policy-saved-en", "steps": [
                    {"goto": "/security/settings"}, {"focus": "#f-lockout_failures"}, {"press": "End"}, {"press": "Backspace"}, {"type": "6"}, {"press": "Enter"},
                    {"expectText": "1 setting saved"}, {"axe": true}
                ]}
            ]},
            {"name": "partner", "login": login("dept"), "pages": [
                {"path": format!("/persons/{h}"), "name": "partner-person"}
            ]},
            {"name": "auditor", "login": login("audit"), "pages": [
                {"path": "/", "name": "auditor-home"},
                {"path": "/audit", "name": "audit-trail"},
                {"path": "/audit?action=login&from=2020-01-01", "name": "audit-search"},
                {"path": "/persons", "name": "auditor-forbidden", "status": 403}
            ]},
            {"name": "verify", "login": null, "pages": [
                {"path": format!("/verify/{valid_token}"), "name": "verify-valid"},
                {"path": format!("/verify/{revoked_token}"), "name": "verify-revoked"},
                {"path": "/verify/not-a-code", "name": "verify-malformed"},
                {"path": format!("/lang?to=en&next=/verify/{valid_token}"), "name": "verify-valid-en"},
                {"path": format!("/verify/{revoked_token}"), "name": "verify-revoked-en"}
            ]},
            {"name": "anonymous-signup", "login": null, "pages": [
                {"path": "/signup", "name": "signup"},
                {"path": "/display?set=large.contrast.easy&next=/signup", "name": "signup-high-contrast"}
            ], "journeys": [
                {"name": "signup-errors", "steps": [
                    {"goto": "/signup"}, {"focus": "form.stack button[type=submit]"}, {"press": "Enter"},
                    {"expectText": "请更正以下问题"}, {"expectFocus": ".error-summary"},
                    {"expectTitle": "^错误："}, {"axe": true}
                ]},
                // A citizen's first page after signing in is their own file, with no staff
                // wording.
                {"name": "citizen-signs-in-to-their-file", "steps": [
                    {"goto": "/login"}, {"focus": "input[name=username]"}, {"type": "jm"},
                    {"press": "Tab"}, {"type": PASSWORD}, {"press": "Enter"},
                    {"expectUrl": "/me$"}, {"expectNoText": "工作范围"}, {"expectNoText": "工作台"}
                ]}
            ]},
            // The end-to-end journey, keyboard only: the citizen applies, township staff
            // approve, the citizen sees the decision.
            {"name": "citizen", "login": login("jm"), "pages": [
                {"path": "/", "name": "citizen-home"},
                {"path": "/me", "name": "my-file"},
                {"path": "/me/services", "name": "my-services"},
                {"path": "/me/services/device", "name": "apply-device"},
                {"path": "/me/services/no_such", "name": "apply-unknown", "status": 404},
                {"path": "/me/needs", "name": "my-needs"},
                {"path": "/me/messages", "name": "my-messages"},
                {"path": "/me/certificate", "name": "my-certificate"},
                {"path": "/display?set=large.contrast&next=/me", "name": "my-file-high-contrast"},
                {"path": "/display?set=easy&next=/me/services", "name": "my-services-easy-read"},
                {"path": "/display?set=&next=/me", "name": "my-file-normal"}
            ], "journeys": [
                switches("display-switches-citizen", "/me", "/me/services", "/me/certificate"),
                {"name": "apply-errors", "steps": [
                    {"goto": "/me/services/device"}, {"focus": "form.stack button[type=submit]"}, {"press": "Enter"},
                    {"expectText": "请更正以下问题"}, {"expectFocus": ".error-summary"},
                    {"expectTitle": "^错误："}, {"axe": true}
                ]},
                {"name": "my-certificate-to-verify", "steps": [
                    {"goto": "/me"}, {"focus": "a[href^='/me/certificate']"}, {"press": "Enter"},
                    {"expectUrl": "/me/certificate"}, {"focus": "a.verify-url"}, {"press": "Enter"},
                    {"expectUrl": "/verify/"}, {"expectText": "真实有效"}, {"axe": true}
                ]},
                {"name": "need-errors", "steps": [
                    {"goto": "/me/needs"}, {"focus": "form.stack button[type=submit]"}, {"press": "Enter"},
                    {"expectText": "请更正以下问题"}, {"axe": true}
                ]},
                {"name": "apply-with-the-keyboard", "steps": [
                    {"goto": "/me/services/device"}, {"focus": "#f-f_device"}, {"press": "ArrowDown"},
                    {"focus": "#f-f_contact_phone"}, {"press": "Control+A"}, {"type": "13812345678"},
                    {"focus": "form.stack button[type=submit]"}, {"press": "Enter"},
                    {"expectUrl": "/me/applications/"}, {"expectText": "办理中"}, {"axe": true}
                ]}
            ]},
            {"name": "township-desk", "login": login("yq"), "pages": [
                {"path": "/services/queue", "name": "desk-queue"},
                {"path": "/services/queue?overdue=1", "name": "desk-queue-overdue"},
                {"path": "/needs", "name": "desk-needs"},
                {"path": format!("/persons/{h}/needs"), "name": "desk-person-needs"}
            ], "journeys": [
                // The device service's three steps are done one by one (the first option
                // after "choose" completes the current step); approval is offered only at the
                // last step, in the same place.
                {"name": "approve-with-the-keyboard", "steps": [
                    {"goto": "/services/queue"}, {"focus": "table a[href^='/services/applications/']"}, {"press": "Enter"},
                    {"expectUrl": "/services/applications/"}, {"axe": true},
                    {"focus": "#f-action"}, {"press": "ArrowDown"},
                    {"focus": "form.stack button[type=submit]"}, {"press": "Enter"},
                    {"expectText": "审核：当前环节"},
                    {"focus": "#f-action"}, {"press": "ArrowDown"},
                    {"focus": "form.stack button[type=submit]"}, {"press": "Enter"},
                    {"expectText": "审批：当前环节"}, {"axe": true},
                    {"focus": "#f-action"}, {"press": "ArrowDown"},
                    {"focus": "#f-note"}, {"type": "同意配发轮椅"},
                    {"focus": "form.stack button[type=submit]"}, {"press": "Enter"},
                    {"expectText": "已批准"}
                ]},
                {"name": "person-need-errors", "steps": [
                    {"goto": format!("/persons/{h}/needs")}, {"focus": "form.stack button[type=submit]"}, {"press": "Enter"},
                    {"expectText": "请更正以下问题"}, {"axe": true}
                ]}
            ]},
            {"name": "citizen-after", "login": login("jm"), "journeys": [
                {"name": "sees-the-decision", "steps": [
                    {"goto": "/me"}, {"expectText": "已批准"},
                    {"focus": "a[href^='/me/applications/']"}, {"press": "Enter"},
                    {"expectUrl": "/me/applications/"}, {"expectText": "同意配发轮椅"}, {"axe": true},
                    {"goto": "/me/messages"}, {"expectText": "已批准"}, {"axe": true}
                ]}
            ]}
        ]
    });
    let mut job = job;
    if let Some(list) = job["sessions"].as_array_mut() {
        list.retain(|s| keep(s["name"].as_str().unwrap_or("")));
    }
    let result = run_harness(&job);
    assert_clean(&result);
}

/// Home modification end to end, keyboard only: a household applies on the service end,
/// township staff accept and survey it, the contractor records the works (with a photo), staff
/// accept them — and indicator 13 of the township and the district moves at once by exactly
/// that household. Every page of the programme passes axe on the way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_home_modification_is_worked_with_the_keyboard_and_moves_indicator_13() {
    let db = TestDb::sqlite().await;
    demo(&db).await;
    let mut me = crate::support::record(
        "改造户",
        crate::support::d(1970, 7, 7),
        77,
        "331003107",
        zhucan_domain::Category::Physical,
        zhucan_domain::Grade::One,
    );
    me.survey.economic_status = Some(zhucan_domain::person::EconomicStatus::Dibao);
    crate::support::put(&db.store, std::slice::from_ref(&me)).await;
    crate::support::citizen(&db.store, "hh", &me.person.citizen_id).await;
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    user(&db.store, "admin", Role::DistrictAdmin, "331003").await;
    let event = |action: &str| zhucan_store::audit::AuditEvent {
        account: "test".into(),
        role: "system_admin".into(),
        area: "331003".into(),
        client: "test".into(),
        action: action.into(),
        object: "test".into(),
        outcome: "ok".into(),
        detail: json!({}),
    };
    db.store
        .put_contractor(
            &zhucan_homemod::store::Contractor {
                code: "C001".into(),
                name: "黄岩安居建设有限公司".into(),
                contact: "0576-84000000".into(),
                active: true,
            },
            "test",
            &event("homemod.contractor.put"),
        )
        .await
        .expect("contractor");
    user(&db.store, "gc", Role::Contractor, "331003").await;
    let gc = db
        .store
        .user_by_username("gc")
        .await
        .expect("lookup")
        .expect("exists");
    db.store
        .set_account_org(&gc.id, Some("C001"), &event("account.org"))
        .await
        .expect("bind");
    let app = TestApp::start(db).await;
    let token = app.token("admin").await;
    let indicator = |area: &'static str| {
        let url = app.url(&format!("/api/v1/indicators?area={area}"));
        let token = token.clone();
        async move {
            let v: serde_json::Value = reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("indicators")
                .json()
                .await
                .expect("json");
            v["indicators"]
                .as_array()
                .and_then(|a| a.iter().find(|i| i["key"] == "home_modification"))
                .map(|i| {
                    (
                        i["numerator"].as_i64().unwrap_or(0),
                        i["denominator"].as_i64().unwrap_or(0),
                    )
                })
                .expect("indicator 13")
        }
    };
    let district_before = indicator("331003").await;
    let township_before = indicator("331003107").await;
    let login = |u: &str| json!({"path": "/login", "username": u, "password": PASSWORD, "totpSecret": null});
    let submit = json!({"focus": "form.stack button[type=submit]"});
    let job = json!({
        "base": app.base,
        "sessions": [
            {"name": "household", "login": login("hh"), "pages": [
                {"path": "/me/services/home_modification", "name": "apply-home-modification"}
            ], "journeys": [
                {"name": "apply-for-modification", "steps": [
                    {"goto": "/me/services/home_modification"},
                    {"focus": "#f-f_address"}, {"type": "院桥镇某村 7 号"},
                    {"focus": "#f-f_contact_phone"}, {"press": "Control+A"}, {"type": "13812345678"},
                    submit, {"press": "Enter"},
                    {"expectUrl": "/me/applications/"}, {"expectText": "办理中"}, {"axe": true}
                ]}
            ]},
            {"name": "township-survey", "login": login("yq"), "pages": [
                {"path": "/homemod", "name": "homemod-queue"},
                {"path": "/homemod?stage=overdue", "name": "homemod-queue-overdue"}
            ], "journeys": [
                {"name": "accept-and-survey", "steps": [
                    {"goto": "/homemod"}, {"focus": "table a[href^='/homemod/projects/']"}, {"press": "Enter"},
                    {"expectUrl": "/homemod/projects/"}, {"expectText": "低保"}, {"axe": true},
                    {"focus": "#f-action"}, {"press": "ArrowDown"}, submit, {"press": "Enter"},
                    {"expectText": "入户评估：当前环节"}, {"axe": true},
                    // A price over its cap: the error summary takes the focus.
                    {"focus": "#f-action"}, {"press": "ArrowDown"},
                    {"focus": "#f-contractor"}, {"press": "ArrowDown"},
                    {"focus": "#f-q_ramp"}, {"type": "1"}, {"focus": "#f-p_ramp"}, {"type": "2500"},
                    submit, {"press": "Enter"},
                    {"expectText": "超过限价"}, {"expectFocus": ".error-summary"}, {"expectTitle": "^错误："}, {"axe": true},
                    {"focus": "#f-p_ramp"}, {"press": "Control+A"}, {"type": "1500"},
                    {"focus": "#f-q_grab_bar"}, {"type": "2"}, {"focus": "#f-p_grab_bar"}, {"type": "150"},
                    submit, {"press": "Enter"},
                    {"expectText": "施工（施工单位）：当前环节"}, {"expectText": "1800.00"}, {"axe": true}
                ]}
            ]},
            {"name": "contractor", "login": login("gc"), "pages": [
                {"path": "/homemod/works", "name": "contractor-works"}
            ], "journeys": [
                {"name": "record-the-works", "steps": [
                    {"goto": "/"}, {"expectUrl": "/homemod/works$"},
                    {"focus": "table a[href^='/homemod/projects/']"}, {"press": "Enter"},
                    {"expectUrl": "/homemod/projects/"}, {"expectText": "院桥镇某村 7 号"}, {"axe": true},
                    {"focus": "#f-note"}, {"type": "坡道和扶手已安装"},
                    {"setFile": "#f-photos", "fileName": "works.pdf", "mimeType": "application/pdf", "fileContent": "%PDF-1.4\n%works\n"},
                    submit, {"press": "Enter"},
                    {"expectUrl": "/homemod/works$"}, {"expectText": "4. 验收"}, {"axe": true}
                ]}
            ]},
            {"name": "township-accept", "login": login("yq"), "journeys": [
                {"name": "accept-the-works", "steps": [
                    {"goto": "/homemod"}, {"focus": "table a[href^='/homemod/projects/']"}, {"press": "Enter"},
                    {"expectText": "坡道和扶手已安装"}, {"axe": true},
                    {"focus": "#f-action"}, {"press": "ArrowDown"},
                    {"focus": "#f-cost_yuan"}, {"type": "1800"},
                    {"focus": "#f-confirmed"}, {"press": "ArrowDown"}, {"press": "ArrowDown"},
                    submit, {"press": "Enter"},
                    {"expectText": "已验收"}, {"expectText": "1800.00"}, {"axe": true}
                ]}
            ]},
            {"name": "household-after", "login": login("hh"), "journeys": [
                {"name": "sees-the-acceptance", "steps": [
                    {"goto": "/me/messages"}, {"expectText": "您家的无障碍改造已验收"}, {"axe": true}
                ]}
            ]}
        ]
    });
    let result = run_harness(&job);
    assert_clean(&result);
    if std::env::var("ZHUCAN_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        return;
    }
    let district_after = indicator("331003").await;
    let township_after = indicator("331003107").await;
    assert_eq!(
        district_after.0,
        district_before.0 + 1,
        "{district_before:?} → {district_after:?}"
    );
    assert_eq!(
        township_after.0,
        township_before.0 + 1,
        "{township_before:?} → {township_after:?}"
    );
}

/// Rehabilitation end to end, keyboard only: township staff place a child at a designated
/// institution, the institution's own account records the month's sessions — and indicator 11
/// of the township and the district moves at once by exactly that child. Every page of the
/// programme passes axe on the way, errors included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_is_placed_and_served_with_the_keyboard_and_moves_indicator_11() {
    let db = TestDb::sqlite().await;
    demo(&db).await;
    let birth = chrono::Local::now()
        .date_naive()
        .checked_sub_months(chrono::Months::new(12 * 5))
        .expect("five years ago");
    let mut kid = crate::support::record(
        "康复儿",
        birth,
        88,
        "331003107",
        zhucan_domain::Category::Intellectual,
        zhucan_domain::Grade::Two,
    );
    kid.survey.needs_rehab = Some(true);
    kid.survey.received_rehab = Some(false);
    crate::support::put(&db.store, std::slice::from_ref(&kid)).await;
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    user(&db.store, "admin", Role::DistrictAdmin, "331003").await;
    // The API reader is another account: a second factor's code is used once per account, and
    // the browser signs in as `admin`.
    user(&db.store, "reader", Role::DistrictAdmin, "331003").await;
    let event = |action: &str| zhucan_store::audit::AuditEvent {
        account: "test".into(),
        role: "system_admin".into(),
        area: "331003".into(),
        client: "test".into(),
        action: action.into(),
        object: "test".into(),
        outcome: "ok".into(),
        detail: json!({}),
    };
    let inst = "331003107/星星儿童康复中心";
    db.store
        .upsert_institutions(&[zhucan_domain::institution::Institution {
            name: "星星儿童康复中心".into(),
            kind: zhucan_domain::institution::InstitutionKind::ChildRehab,
            township: zhucan_domain::AreaCode::parse("331003107").expect("t"),
            standardized: true,
            designated: true,
            beds: None,
            stars: None,
            opened_on: crate::support::d(2015, 1, 1),
            closed_on: None,
            decisions: Vec::new(),
        }])
        .await
        .expect("institution");
    db.store
        .put_designation(
            &zhucan_rehab::rules::Designation {
                institution_id: inst.into(),
                capacity: 20,
                agreement_no: "HY-KF-2026-01".into(),
                agreement_from: crate::support::d(2021, 1, 1),
                agreement_to: crate::support::d(2030, 12, 31),
                exited_on: None,
                exit_reason: None,
            },
            "test",
            &event("rehab.designate"),
        )
        .await
        .expect("designate");
    crate::support::org_account(&db.store, "star", inst).await;
    let app = TestApp::start(db).await;
    let token = app.token("reader").await;
    let indicator = |area: &'static str| {
        let url = app.url(&format!("/api/v1/indicators?area={area}"));
        let token = token.clone();
        async move {
            let v: serde_json::Value = reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("indicators")
                .json()
                .await
                .expect("json");
            v["indicators"]
                .as_array()
                .and_then(|a| a.iter().find(|i| i["key"] == "rehab_coverage"))
                .and_then(|i| i["numerator"].as_i64())
                .expect("indicator 11")
        }
    };
    let district_before = indicator("331003").await;
    let township_before = indicator("331003107").await;
    let login = |u: &str| {
        let secret = if u == "admin" {
            json!(crate::support::TOTP_SECRET)
        } else {
            json!(null)
        };
        json!({"path": "/login", "username": u, "password": PASSWORD, "totpSecret": secret})
    };
    let submit = json!({"focus": "form.stack button[type=submit]"});
    let kid_id = kid.person.citizen_id.as_str().to_string();
    let job = json!({
        "base": app.base,
        "sessions": [
            {"name": "township-place", "login": login("yq"), "pages": [
                {"path": "/rehab", "name": "rehab-overview"}
            ], "journeys": [
                {"name": "place-a-child", "steps": [
                    {"goto": "/rehab"},
                    // Nothing typed: the error summary takes the focus.
                    submit, {"press": "Enter"},
                    {"expectFocus": ".error-summary"}, {"expectTitle": "^错误："}, {"axe": true},
                    {"focus": "#f-p_citizen_id"}, {"type": kid_id},
                    {"focus": "#f-p_institution"}, {"press": "ArrowDown"},
                    {"focus": "#f-p_service"}, {"press": "ArrowDown"},
                    submit, {"press": "Enter"},
                    {"expectUrl": "/rehab/placements/"}, {"expectText": "康复儿"}, {"axe": true},
                    {"focus": "#f-r_sessions"}, {"type": "很多"},
                    submit, {"press": "Enter"},
                    {"expectText": "不是 1–100 的整数"}, {"expectFocus": ".error-summary"}, {"axe": true}
                ]}
            ]},
            {"name": "institution", "login": login("star"), "pages": [
                {"path": "/rehab/institution", "name": "rehab-institution"}
            ], "journeys": [
                {"name": "record-the-month", "steps": [
                    {"goto": "/"}, {"expectUrl": "/rehab/institution$"}, {"expectText": "康复儿"},
                    {"focus": "table a[href^='/rehab/placements/']"}, {"press": "Enter"},
                    {"expectUrl": "/rehab/placements/"}, {"axe": true},
                    {"focus": "#f-r_sessions"}, {"type": "12"},
                    submit, {"press": "Enter"},
                    {"expectText": "录入"}, {"axe": true}
                ]}
            ]},
            {"name": "district", "login": login("admin"), "pages": [
                {"path": "/rehab/settlements", "name": "rehab-settlements"},
                {"path": "/rehab", "name": "rehab-overview-district"}
            ]}
        ]
    });
    let result = run_harness(&job);
    assert_clean(&result);
    if std::env::var("ZHUCAN_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        return;
    }
    assert_eq!(indicator("331003").await, district_before + 1);
    assert_eq!(indicator("331003107").await, township_before + 1);
}

/// Assistive devices, keyboard only: township staff assess a wheelchair, approve and fit it —
/// and indicator 12 of the township moves at once; the case, the loans, a loan and the stock
/// pass axe, errors included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_is_fitted_with_the_keyboard_and_moves_indicator_12() {
    let db = TestDb::sqlite().await;
    demo(&db).await;
    let mut me = crate::support::record(
        "轮椅用户",
        crate::support::d(1966, 6, 6),
        66,
        "331003107",
        zhucan_domain::Category::Physical,
        zhucan_domain::Grade::One,
    );
    me.survey.needs_device = Some(true);
    me.survey.device_fitted = Some(false);
    // The borrower of the loan whose page is audited is someone else: a loan out already
    // counts its borrower in indicator 12.
    let borrower = crate::support::record(
        "借用人",
        crate::support::d(1960, 1, 6),
        67,
        "331003107",
        zhucan_domain::Category::Physical,
        zhucan_domain::Grade::Two,
    );
    crate::support::put(&db.store, &[me.clone(), borrower.clone()]).await;
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    user(&db.store, "reader", Role::DistrictAdmin, "331003").await;
    let event = zhucan_store::audit::AuditEvent {
        account: "test".into(),
        role: "system_admin".into(),
        area: "331003".into(),
        client: "test".into(),
        action: "devices.stock.add".into(),
        object: "test".into(),
        outcome: "ok".into(),
        detail: json!({}),
    };
    let actor = Actor {
        name: "test",
        source: "form",
    };
    db.store
        .add_stock(
            &zhucan_devices::store::StockItem {
                code: "W-9".into(),
                point_id: "331003107/院桥镇辅具服务点".into(),
                item_key: "wheelchair".into(),
                condition: zhucan_devices::rules::Condition::Good,
                note: String::new(),
            },
            "test",
            &event,
        )
        .await
        .expect("stock");
    let today = chrono::Local::now().date_naive();
    let loan = match db
        .store
        .lend(
            &zhucan_devices::store::Loan {
                id: String::new(),
                code: "W-9".into(),
                citizen_id: borrower.person.citizen_id.clone(),
                area_code: "331003107".into(),
                lent_on: today - chrono::Days::new(100),
                due_on: today - chrono::Days::new(10),
                returned_on: None,
                renewals: 0,
                return_condition: None,
                reminded_on: None,
                lent_by: "test".into(),
            },
            "轮椅",
            &actor,
            &event,
        )
        .await
        .expect("lend")
    {
        zhucan_devices::store::Lent::Done(id) => id,
        other => panic!("{other:?}"),
    };
    // The service point's own account.
    crate::support::org_account(&db.store, "fj", "331003107/院桥镇辅具服务点").await;
    let app = TestApp::start(db).await;
    let token = app.token("reader").await;
    let indicator = || {
        let url = app.url("/api/v1/indicators?area=331003107");
        let token = token.clone();
        async move {
            let v: serde_json::Value = reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("indicators")
                .json()
                .await
                .expect("json");
            v["indicators"]
                .as_array()
                .and_then(|a| a.iter().find(|i| i["key"] == "device_fitting"))
                .and_then(|i| i["numerator"].as_i64())
                .expect("indicator 12")
        }
    };
    let before = indicator().await;
    let login =
        json!({"path": "/login", "username": "yq", "password": PASSWORD, "totpSecret": null});
    let point_login =
        json!({"path": "/login", "username": "fj", "password": PASSWORD, "totpSecret": null});
    let submit = json!({"focus": "form.stack button[type=submit]"});
    let id = me.person.citizen_id.as_str().to_string();
    let job = json!({
        "base": app.base,
        "sessions": [
            {"name": "township-devices", "login": login, "pages": [
                {"path": "/devices", "name": "devices-overview"},
                {"path": "/devices/stock", "name": "devices-stock"},
                {"path": "/devices/catalogue", "name": "devices-catalogue"},
                {"path": format!("/devices/loans/{loan}"), "name": "devices-loan"}
            ], "journeys": [
                {"name": "assess-and-fit", "steps": [
                    {"goto": "/devices"},
                    {"focus": "#f-c_citizen_id"}, {"type": id},
                    {"focus": "#f-c_item"}, {"press": "ArrowDown"},
                    {"focus": "#f-c_assessment"}, {"type": "下肢无力"},
                    submit, {"press": "Enter"},
                    {"expectUrl": "/devices/cases/"}, {"expectText": "已评估"}, {"axe": true},
                    {"focus": "#f-action"}, {"press": "ArrowDown"},
                    submit, {"press": "Enter"},
                    {"expectText": "已审批，待适配"}, {"axe": true},
                    {"focus": "#f-price_yuan"}, {"type": "很贵"},
                    submit, {"press": "Enter"},
                    {"expectText": "不是有效金额"}, {"expectFocus": ".error-summary"}, {"expectTitle": "^错误："}, {"axe": true},
                    {"focus": "#f-price_yuan"}, {"press": "Control+A"}, {"type": "1200"},
                    submit, {"press": "Enter"},
                    {"expectText": "已适配，待回访"}, {"expectText": "600.00"}, {"axe": true}
                ]}
            ]},
            {"name": "service-point", "login": point_login, "pages": [
                {"path": "/devices/point", "name": "devices-point"},
                {"path": format!("/devices/loans/{loan}"), "name": "devices-point-loan"}
            ], "journeys": [
                {"name": "point-lend-errors", "steps": [
                    {"goto": "/"}, {"expectUrl": "/devices/point$"}, {"expectText": "W-9"},
                    {"focus": "#f-l_citizen_id"}, {"type": id},
                    {"focus": "#f-l_name"}, {"type": "别的名字"},
                    submit, {"press": "Enter"},
                    {"expectText": "的持证残疾人"}, {"expectFocus": ".error-summary"}, {"expectTitle": "^错误："}, {"axe": true}
                ]}
            ]}
        ]
    });
    let result = run_harness(&job);
    assert_clean(&result);
    if std::env::var("ZHUCAN_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        return;
    }
    assert_eq!(indicator().await, before + 1);
}

/// Job matching, keyboard only: the citizen sees a vacancy that suits them with the reasons
/// and says they are interested; township staff refer them, then record an outcome without
/// the first day of work (the error tied to the field); an empty vacancy form is refused by
/// field; every page of it passes axe.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_seeker_is_matched_and_referred_with_the_keyboard() {
    use zhucan_employment::jobs::{NewRegistration, VacancyInput};
    use zhucan_employment::matching::{Access, VacancyStatus};
    let db = TestDb::sqlite().await;
    demo(&db).await;
    let seeker = crate::support::record(
        "求职甲",
        chrono::NaiveDate::from_ymd_opt(1986, 6, 6).expect("d"),
        903,
        "331003107",
        zhucan_domain::Category::Physical,
        zhucan_domain::Grade::Three,
    );
    crate::support::put(&db.store, std::slice::from_ref(&seeker)).await;
    crate::support::user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    crate::support::citizen(&db.store, "qiuzhi", &seeker.person.citizen_id).await;
    let ev = crate::support::test_event("employment.test");
    let vid = db
        .store
        .post_vacancy(
            &VacancyInput {
                uscc: zhucan_domain::uscc::Uscc::with_check("91331003000000903").expect("uscc"),
                employer_name: "无障碍测试公司".into(),
                title: "数据录入员".into(),
                area_code: "331003107".into(),
                workplace: String::new(),
                form: zhucan_domain::person::EmploymentStatus::Quota,
                positions: 2,
                monthly_wage_fen: 400_000,
                categories: vec![],
                skills: vec!["数据录入".into()],
                access: vec![Access::StepFree],
                description: String::new(),
                status: VacancyStatus::Open,
            },
            "test",
            &ev,
        )
        .await
        .expect("vacancy");
    db.store
        .register_seeker(
            &NewRegistration {
                citizen_id: seeker.person.citizen_id.clone(),
                area_code: "331003107".into(),
                skills: vec!["数据录入".into()],
                wishes: vec!["录入员".into()],
                needs: vec![Access::StepFree],
                note: String::new(),
                source: "staff",
                takes_need: None,
            },
            None,
            "test",
            &ev,
        )
        .await
        .expect("register");
    let handle = db
        .store
        .person_file(&seeker.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists")
        .handle;
    // A stated employment need waits on the seekers' list; its registration form takes it.
    let need = crate::support::stated_need(
        &db.store,
        &seeker.person,
        zhucan_service::rules::NeedKind::Employment,
        "想找一份录入工作",
    )
    .await;
    let app = TestApp::start(db).await;
    let login = |u: &str| json!({"path": "/login", "username": u, "password": PASSWORD, "totpSecret": null});
    let here = format!("/employment/seekers/{handle}");
    let taking = format!("{here}?need={}", need.id);
    let vacancy = format!("/employment/vacancies/{vid}");
    let job = json!({
        "base": app.base,
        "sessions": [
            {"name": "job-seeker", "login": login("qiuzhi"), "pages": [
                {"path": "/me/jobs", "name": "me-jobs"}
            ], "journeys": [
                {"name": "say-interested", "steps": [
                    {"goto": "/me/jobs"}, {"expectText": "技能相符：数据录入"},
                    {"focus": "form[action='/me/jobs/interest'] button"}, {"press": "Enter"},
                    {"expectText": "已收到您的意向"}, {"axe": true}
                ]}
            ]},
            {"name": "township-jobs", "login": login("yq"), "pages": [
                {"path": "/employment/seekers", "name": "employment-seekers"},
                {"path": here, "name": "employment-seeker"},
                {"path": taking, "name": "employment-seeker-taking-a-need"},
                {"path": "/employment/vacancies", "name": "employment-vacancies"},
                {"path": vacancy, "name": "employment-vacancy"},
                {"path": "/employment/households", "name": "employment-households"},
                {"path": "/employment/training", "name": "employment-training"},
                {"path": "/employment/massage", "name": "employment-massage"},
                {"path": "/employment/placements", "name": "employment-placements"},
                {"path": "/care", "name": "care-institutions"},
                {"path": "/care?at=20x5-01-01", "name": "care-institutions-bad-day", "status": 422},
                {"path": "/employment/training?year=20x5", "name": "employment-training-bad-year", "status": 422}
            ], "journeys": [
                {"name": "refer-and-record", "steps": [
                    {"goto": here}, {"expectText": "本人有意向"},
                    {"focus": "form[action$='/refer'] button"}, {"press": "Enter"},
                    {"expectText": "已推荐，等待用人单位答复"}, {"axe": true},
                    {"focus": "form[action$='/outcome'] button"}, {"press": "Enter"},
                    {"expectText": "上岗日期"}, {"expectFocus": ".error-summary"}, {"expectTitle": "^错误："}, {"axe": true}
                ]},
                {"name": "empty-vacancy", "steps": [
                    {"goto": "/employment/vacancies"},
                    {"focus": "form[action='/employment/vacancies'] button"}, {"press": "Enter"},
                    {"expectFocus": ".error-summary"}, {"expectTitle": "^错误："}, {"axe": true}
                ]}
            ]}
        ]
    });
    let result = run_harness(&job);
    assert_clean(&result);
}

/// The quota review, keyboard only: the district confirms an employer's review (and
/// indicator 9 moves by the one employee counted); the employer objects, first without a
/// reason (the error tied to the field), then with one; every page of it — the year's list,
/// the review, the employer's own page, the public list — passes axe.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quota_review_is_confirmed_and_contested_with_the_keyboard_and_moves_indicator_9() {
    use zhucan_employment::store::{Declarant, DeclaredPerson, NewDeclaration};
    let db = TestDb::sqlite().await;
    demo(&db).await;
    let worker = crate::support::record(
        "就业甲",
        chrono::NaiveDate::from_ymd_opt(1985, 3, 3).expect("d"),
        901,
        "331003107",
        zhucan_domain::Category::Physical,
        zhucan_domain::Grade::Three,
    );
    crate::support::put(&db.store, std::slice::from_ref(&worker)).await;
    crate::support::user(&db.store, "admin", Role::DistrictAdmin, "331003").await;
    crate::support::user(&db.store, "reader", Role::DistrictAdmin, "331003").await;
    let uscc = zhucan_domain::uscc::Uscc::with_check("91331003000000901").expect("uscc");
    crate::support::user(&db.store, "dw", Role::Employer, "331003").await;
    let u = db
        .store
        .user_by_username("dw")
        .await
        .expect("lookup")
        .expect("exists");
    db.store
        .set_account_org(
            &u.id,
            Some(uscc.as_str()),
            &crate::support::test_event("account.org"),
        )
        .await
        .expect("bind");
    db.store
        .save_declarations(
            2025,
            &[NewDeclaration {
                uscc: uscc.clone(),
                name: "无障碍测试公司".into(),
                township: "院桥镇".into(),
                area_code: "331003107".into(),
                avg_staff_micro: 120_000_000,
                avg_wage_fen: 10_000_000,
                employees: vec![DeclaredPerson {
                    citizen_id: worker.person.citizen_id.clone(),
                    name: Some("就业甲".into()),
                    contract_months: 12,
                    monthly_wage_fen: 300_000,
                    insured: true,
                }],
                expected: None,
            }],
            "import",
            Declarant::Staff,
            "test",
            &crate::support::test_event("employment.declare"),
        )
        .await
        .expect("declare");
    let app = TestApp::start(db).await;
    let token = app.token("reader").await;
    let before = crate::support::indicator(&app, &token, "331003", "employment_rate").await;
    let login = |u: &str| {
        let secret = if u == "admin" {
            json!(crate::support::TOTP_SECRET)
        } else {
            json!(null)
        };
        json!({"path": "/login", "username": u, "password": PASSWORD, "totpSecret": secret})
    };
    let review = format!("/employment/employers/{uscc}?year=2025");
    let edit = format!("/employment/declare?year=2025&uscc={uscc}");
    let job = json!({
        "base": app.base,
        "sessions": [
            {"name": "district-employment", "login": login("admin"), "pages": [
                {"path": "/employment?year=2025", "name": "employment-overview"},
                {"path": "/employment?year=20x5", "name": "employment-bad-year", "status": 422},
                {"path": review, "name": "employment-review"},
                {"path": "/employment/declare?year=2025", "name": "employment-declare"},
                {"path": edit, "name": "employment-declare-edit"}
            ], "journeys": [
                {"name": "confirm-the-review", "steps": [
                    {"goto": "/employment?year=2025"},
                    {"focus": "table a[href^='/employment/employers/']"}, {"press": "Enter"},
                    {"expectUrl": "/employment/employers/"}, {"expectText": "就业甲"},
                    {"focus": "form[action$='/confirm'] button"}, {"press": "Enter"},
                    {"expectText": "已确认"}, {"axe": true}
                ]}
            ]},
            {"name": "employer", "login": login("dw"), "pages": [
                {"path": "/employment/employer", "name": "employment-own"},
                {"path": "/employment/declare?year=2026", "name": "employment-declare-own"}
            ], "journeys": [
                {"name": "enter-a-declaration", "steps": [
                    {"goto": "/employment/declare?year=2026"},
                    {"focus": "#f-name"}, {"type": "无障碍测试公司"}, {"press": "Enter"},
                    {"expectText": "必填"}, {"expectFocus": ".error-summary"}, {"expectTitle": "^错误："}, {"axe": true},
                    {"focus": "#f-avg_staff"}, {"type": "30"},
                    {"focus": "#f-avg_wage_yuan"}, {"type": "80000"}, {"press": "Enter"},
                    {"expectText": "新增 1 家"}, {"axe": true}
                ]},
                {"name": "contest-the-review", "steps": [
                    {"goto": "/"}, {"expectUrl": "/employment/employer$"}, {"expectText": "2025"},
                    {"focus": "table a[href$='year=2025']"}, {"press": "Enter"},
                    {"expectUrl": "/employment/employers/"}, {"axe": true},
                    {"focus": "form[action$='/contest'] button"}, {"press": "Enter"},
                    {"expectText": "必填"}, {"expectFocus": ".error-summary"}, {"expectTitle": "^错误："}, {"axe": true},
                    {"focus": "#f-reason"}, {"type": "合同已续签"},
                    {"focus": "form[action$='/contest'] button"}, {"press": "Enter"},
                    {"expectText": "异议已提交"}, {"axe": true}
                ]}
            ]},
            {"name": "public-employment", "login": null, "pages": [
                {"path": "/public/employment?year=2025", "name": "employment-public"}
            ]}
        ]
    });
    let result = run_harness(&job);
    assert_clean(&result);
    if std::env::var("ZHUCAN_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        return;
    }
    let after = crate::support::indicator(&app, &token, "331003", "employment_rate").await;
    assert_eq!(after.0, before.0 + 1);
}
