//! The two subsidies against a literal reading of `policy.md` (`zhucan_facts::reference`), on
//! registries full of edge cases: through the store on both backends and through a workbook
//! import and `zhucan subsidies …`; parameters changing only the months after their date; the
//! payroll's second-account approval and closed months; the cases the system opens itself.

#[allow(unused_imports)]
use crate::support::prelude::*;
use zhucan_domain::area::AreaCode;
use zhucan_domain::parse::Month;
use zhucan_domain::policy::{ParamEntry, ParamKey, ParamValue};
use zhucan_store::Role;
use zhucan_store::registry::Actor;
use zhucan_subsidies::reference;
use zhucan_subsidies::rules::{Benefit, BenefitKind};
use zhucan_subsidies::store::{CaseKind, CaseQuery, PayrollRefusal};

use crate::indicators::{areas_under_test, load, registry, zhucan};
use crate::support::{TestApp, TestDb, audit_rows, csrf_of, d, page_text, user};

fn month(y: i32, m: u32) -> Month {
    Month::new(y, m).expect("month")
}

const MONTHS: [(i32, u32); 5] = [(2021, 12), (2023, 3), (2024, 2), (2024, 3), (2025, 12)];

fn district() -> AreaCode {
    AreaCode::parse("331003").expect("code")
}

pub(crate) async fn audit_of(
    db: &TestDb,
    m: Month,
    area: &AreaCode,
) -> Vec<(String, &'static str, &'static str)> {
    let snap = zhucan::facts_cache(db.store.clone())
        .snapshot()
        .await
        .expect("snap");
    let policy = db.store.policy().await.expect("policy");
    let mut v: Vec<_> = snap
        .audit(&policy, m, area)
        .into_iter()
        .map(|f| (f.citizen_id.to_string(), f.subsidy.key(), f.finding.key()))
        .collect();
    v.sort();
    v
}

pub(crate) async fn payroll_of(
    db: &TestDb,
    m: Month,
    area: &AreaCode,
) -> Vec<(String, &'static str, i64)> {
    let snap = zhucan::facts_cache(db.store.clone())
        .snapshot()
        .await
        .expect("snap");
    let policy = db.store.policy().await.expect("policy");
    let mut v: Vec<_> = snap
        .payroll(&policy, m, area)
        .into_iter()
        .map(|l| (l.citizen_id.to_string(), l.subsidy.key(), l.amount_fen))
        .collect();
    v.sort();
    v
}

crate::contract!(
    the_audit_and_payroll_match_the_policy,
    payroll_approval_and_closed_months,
    a_re_assessment_keeps_an_eligible_person_paid_and_withdraws_stale_cases
);

async fn the_audit_and_payroll_match_the_policy(db: TestDb) {
    let mut reg = registry(808, 300);
    load(&db, &mut reg).await;
    for (y, mo) in MONTHS {
        let m = month(y, mo);
        for area in areas_under_test() {
            assert_eq!(
                audit_of(&db, m, &area).await,
                reference::expected_findings(&reg, m, &area),
                "audit {m} {area}"
            );
            assert_eq!(
                payroll_of(&db, m, &area).await,
                reference::expected_payments(&reg, m, &area),
                "payroll {m} {area}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workbook_never_seen_gives_the_policy_findings_on_the_command_line() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("z.db").display());
    let mut reg = registry(909, 300);
    let book = dir.path().join("roster.xlsx");
    crate::support::write_workbook(&mut reg, &book);
    let out = zhucan(&url, &["import", book.to_str().expect("path")]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut explained = 0;
    for (y, mo) in MONTHS {
        let m = month(y, mo);
        for area in areas_under_test() {
            let out = zhucan(
                &url,
                &[
                    "subsidies",
                    "audit",
                    "--month",
                    &m.to_string(),
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
            assert_eq!(v["month"], m.to_string());
            let mut got: Vec<(String, String, String)> = v["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .map(|f| {
                    assert!(
                        f["reasons"].as_array().is_some_and(|r| !r.is_empty()),
                        "reasons: {f}"
                    );
                    (
                        f["citizen_id"].as_str().unwrap_or("").to_string(),
                        f["subsidy"].as_str().unwrap_or("").to_string(),
                        f["finding"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect();
            got.sort();
            let want: Vec<(String, String, String)> = reference::expected_findings(&reg, m, &area)
                .into_iter()
                .map(|(a, b, c)| (a, b.to_string(), c.to_string()))
                .collect();
            assert_eq!(got, want, "audit {m} {area}");

            let out = zhucan(
                &url,
                &[
                    "subsidies",
                    "payroll",
                    "--month",
                    &m.to_string(),
                    "--area",
                    area.as_str(),
                    "--format",
                    "json",
                ],
            );
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
            let mut got: Vec<(String, String, i64)> = v["payments"]
                .as_array()
                .expect("payments")
                .iter()
                .map(|p| {
                    (
                        p["citizen_id"].as_str().unwrap_or("").into(),
                        p["subsidy"].as_str().unwrap_or("").into(),
                        p["amount_fen"].as_i64().unwrap_or(0),
                    )
                })
                .collect();
            got.sort();
            let want: Vec<(String, String, i64)> = reference::expected_payments(&reg, m, &area)
                .into_iter()
                .map(|(a, b, c)| (a, b.to_string(), c))
                .collect();
            assert_eq!(got, want, "payroll {m} {area}");
            assert_eq!(
                v["total_fen"].as_i64(),
                Some(want.iter().map(|w| w.2).sum())
            );
            // One finding explained: its verdict and reasons agree with the audit.
            if area == district()
                && let Some(f) = reference::expected_findings(&reg, m, &area).first()
            {
                let out = zhucan(
                    &url,
                    &[
                        "subsidies",
                        "explain",
                        &f.0,
                        "--month",
                        &m.to_string(),
                        "--format",
                        "json",
                    ],
                );
                let e: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
                let s = e["subsidies"]
                    .as_array()
                    .expect("subsidies")
                    .iter()
                    .find(|x| x["subsidy"] == f.1)
                    .expect("subsidy");
                assert_eq!(s["finding"], f.2);
                assert!(s["rule_version"].as_str().is_some_and(|r| !r.is_empty()));
                assert!(s["conditions"].as_array().is_some_and(|c| c.len() >= 10));
                assert!(s["parameters"].as_array().is_some_and(|p| !p.is_empty()));
                explained += 1;
            }
        }
    }
    assert!(explained > 0);
    let text = zhucan(
        &url,
        &[
            "subsidies",
            "explain",
            &reference::files(&reg.rows)[0].person.citizen_id.to_string(),
            "--month",
            "2025-12",
        ],
    );
    assert!(String::from_utf8_lossy(&text.stdout).contains("规则版本"));
    for (args, needle) in [
        (vec!["subsidies", "audit", "--month", "2025-13"], "--month"),
        (
            vec!["subsidies", "payroll", "--month", "2025-09", "--area", "99"],
            "--area",
        ),
        (
            vec![
                "subsidies",
                "explain",
                "110105194912310021",
                "--month",
                "2025-09",
            ],
            "110105194912310021",
        ),
        (
            vec![
                "subsidies",
                "payroll",
                "--month",
                "2025-09",
                "--format",
                "xlsx",
            ],
            "--out",
        ),
    ] {
        let out = zhucan(&url, &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(needle) && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parameter_changes_the_months_after_its_date_and_none_before() {
    let db = TestDb::sqlite().await;
    let mut reg = registry(111, 250);
    load(&db, &mut reg).await;
    let before = payroll_of(&db, month(2025, 9), &district()).await;
    let living = |v: &[(String, &str, i64)]| {
        v.iter()
            .filter(|x| x.1 == "living")
            .map(|x| x.2)
            .collect::<Vec<_>>()
    };
    assert!(living(&before).iter().all(|a| *a == 34_500) && !living(&before).is_empty());
    db.store
        .add_param(&ParamEntry {
            id: 0,
            key: ParamKey::DibaoStandard,
            area: district(),
            value: ParamValue::Fen(130_000),
            effective_from: d(2025, 10, 1),
            source: "黄政发〔2025〕1号（测试）".into(),
            author: "test".into(),
            entered_at: String::new(),
        })
        .await
        .expect("param");
    assert_eq!(
        payroll_of(&db, month(2025, 9), &district()).await,
        before,
        "the month before is unchanged"
    );
    let after = payroll_of(&db, month(2025, 10), &district()).await;
    assert!(
        !living(&after).is_empty() && living(&after).iter().all(|a| *a == 39_000),
        "130000 × 30 %"
    );
    // Nursing extended to grade 3 physical from 2026-01 (a tiers version): more eligible then.
    let tiers = zhucan_domain::policy::parse_value(
        ParamKey::NursingTiers,
        "1:*:300, 2:*:240, 3:肢体:180, 3:智力:180, 3:精神:180, 4:智力:180, 4:精神:180",
    )
    .expect("tiers");
    let base = db.store.policy().await.expect("policy");
    let scenario = base.with(&[ParamEntry {
        id: 0,
        key: ParamKey::NursingTiers,
        area: district(),
        value: tiers,
        effective_from: d(2026, 1, 1),
        source: "what-if".into(),
        author: "test".into(),
        entered_at: String::new(),
    }]);
    let snap = zhucan::facts_cache(db.store.clone())
        .snapshot()
        .await
        .expect("snap");
    let rows = snap.what_if(&base, &scenario, month(2026, 1), &district());
    let nursing: (i64, i64) = rows.iter().fold((0, 0), |(g, l), r| {
        (g + r.by_subsidy[1].gain, l + r.by_subsidy[1].lose)
    });
    assert!(
        nursing.0 > 0 && nursing.1 == 0,
        "grade 3 physical gain, nobody loses: {nursing:?}"
    );
    let before_cost: i64 = rows.iter().map(|r| r.by_subsidy[1].cost_before_fen).sum();
    let after_cost: i64 = rows.iter().map(|r| r.by_subsidy[1].cost_after_fen).sum();
    // Each new grade-3 physical person costs ¥180 a month (¥270 in residential care).
    let delta = after_cost - before_cost;
    assert!(
        delta >= nursing.0 * 18_000 && delta <= nursing.0 * 27_000,
        "{delta} for {}",
        nursing.0
    );
    // Live data untouched.
    assert_eq!(db.store.policy().await.expect("p"), base);
}

async fn payroll_approval_and_closed_months(db: TestDb) {
    let mut reg = registry(222, 250);
    load(&db, &mut reg).await;
    let store = db.store.clone();
    let m = month(2025, 11);
    // One long-lived facts cache, as the server keeps: it must see the payroll close.
    let facts = zhucan::facts_cache(store.clone());
    let snap = facts.snapshot().await.expect("snap");
    let policy = store.policy().await.expect("policy");
    assert!(snap.closed_months().is_empty());
    let lines = snap.payroll(&policy, m, &district());
    assert!(!lines.is_empty());
    let run = store
        .submit_payroll(m, &lines, "clerk_a")
        .await
        .expect("submit")
        .expect("accepted");
    assert_eq!(
        store
            .approve_payroll(m, &run.digest, "clerk_a")
            .await
            .expect("a"),
        Err(PayrollRefusal::SameAccount)
    );
    assert_eq!(
        store
            .approve_payroll(m, "0000", "clerk_b")
            .await
            .expect("a"),
        Err(PayrollRefusal::Changed)
    );
    assert_eq!(
        store
            .approve_payroll(m, &run.digest, "clerk_b")
            .await
            .expect("a"),
        Ok(())
    );
    assert_eq!(
        store.submit_payroll(m, &lines, "clerk_a").await.expect("s"),
        Err(PayrollRefusal::Closed)
    );
    let (closed_run, closed_lines) = store.payroll(m).await.expect("p").expect("stored");
    assert_eq!(closed_run.status, "approved");
    let snap = facts.snapshot().await.expect("snap");
    assert_eq!(
        snap.closed_months(),
        vec![m],
        "the cache sees the month close"
    );
    assert!(
        snap.payroll(&policy, month(2025, 12), &district())
            .iter()
            .all(|l| l.kind == "regular"),
        "paid as due: no corrections"
    );

    // A death recorded late (before the closed month began): the closed month stays as paid;
    // the next month recovers what was paid for it.
    let paid_person = lines
        .iter()
        .find(|l| l.kind == "regular")
        .expect("a payment")
        .citizen_id
        .clone();
    let paid_amount: i64 = lines
        .iter()
        .filter(|l| l.citizen_id == paid_person)
        .map(|l| l.amount_fen)
        .sum();
    crate::support::change_file(&store, &paid_person, "form", |r| {
        r.person.died_on = Some(d(2025, 10, 20));
    })
    .await;
    let (_, still) = store.payroll(m).await.expect("p").expect("stored");
    assert_eq!(still, closed_lines, "a closed month never changes");
    let snap = facts.snapshot().await.expect("snap");
    let dec = snap.payroll(&policy, month(2025, 12), &district());
    let recovery: i64 = dec
        .iter()
        .filter(|l| l.citizen_id == paid_person && l.kind == "recovery" && l.for_month == m)
        .map(|l| l.amount_fen)
        .sum();
    assert_eq!(recovery, -paid_amount);
    assert!(
        !dec.iter()
            .any(|l| l.citizen_id == paid_person && l.kind == "regular"),
        "no longer paid"
    );
    // Every other correction nets to zero: nothing else changed.
    assert!(
        dec.iter()
            .filter(|l| l.kind != "regular")
            .all(|l| l.citizen_id == paid_person)
    );

    // An enrolment approved with a start in the closed month pays arrears for it.
    let audit = snap.audit(&policy, m, &district());
    if let Some(f) = audit
        .iter()
        .find(|f| f.finding.key() == "eligible_not_receiving" && f.citizen_id != paid_person)
    {
        let township = AreaCode::parse(&f.township).expect("t");
        let case = store
            .open_case(&zhucan_subsidies::store::NewCase {
                citizen_id: &f.citizen_id,
                subsidy: f.subsidy,
                kind: CaseKind::Enrol,
                month: m,
                reasons: vec!["not_enrolled"],
                trigger: "staff",
                area: &township,
                opened_by: "test",
            })
            .await
            .expect("open")
            .expect("new");
        assert!(
            store
                .decide_case(
                    &case.id,
                    true,
                    "",
                    2026,
                    &Actor {
                        name: "clerk_b",
                        source: "form"
                    }
                )
                .await
                .expect("decide")
        );
        let snap = facts.snapshot().await.expect("snap");
        let dec = snap.payroll(&policy, month(2025, 12), &district());
        let arrears: Vec<_> = dec
            .iter()
            .filter(|l| l.citizen_id == f.citizen_id && l.kind == "arrears")
            .collect();
        assert_eq!(arrears.len(), 1, "{arrears:?}");
        assert_eq!(Some(arrears[0].amount_fen), f.amount_fen);
        assert!(
            snap.audit(&policy, month(2025, 12), &district())
                .iter()
                .all(|x| !(x.citizen_id == f.citizen_id && x.subsidy == f.subsidy))
        );
        let events = store
            .person_file(&f.citizen_id, &crate::support::any())
            .await
            .expect("f")
            .expect("e")
            .events;
        assert!(
            events
                .iter()
                .any(|e| e.kind == zhucan_domain::timeline::EventKind::SubsidyEnrolled)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_system_opens_cases_itself_after_a_change() {
    let db = TestDb::sqlite().await;
    let mut reg = registry(333, 200);
    load(&db, &mut reg).await;
    let facts = std::sync::Arc::new(zhucan::facts_cache(db.store.clone()));
    let mut opener = zhucan_subsidies::cases::CaseOpener::new(db.store.clone(), facts.clone());
    let today = d(2025, 12, 15);
    let first = opener.run_once(today).await.expect("round");
    let findings = audit_of(&db, month(2025, 12), &district()).await;
    assert_eq!(
        first,
        findings.len(),
        "the first round opens a case per finding"
    );
    assert_eq!(
        opener.run_once(today).await.expect("round"),
        0,
        "nothing changed: nothing opened"
    );
    // A work-injury nursing allowance recorded for a person receiving a subsidy: a stop case.
    let snap = facts.snapshot().await.expect("snap");
    let policy = db.store.policy().await.expect("policy");
    let payroll = snap.payroll(&policy, month(2025, 12), &district());
    let receiving = payroll.first().expect("someone is paid").citizen_id.clone();
    db.store
        .add_benefit(
            &receiving,
            &Benefit {
                kind: BenefitKind::WorkInjuryNursing,
                amount_fen: Some(50_000),
                since: month(2025, 6),
                until: None,
                source: "人社局".into(),
            },
            &Actor {
                name: "test",
                source: "form",
            },
        )
        .await
        .expect("benefit");
    assert!(opener.run_once(today).await.expect("round") >= 1);
    let (_, cases) = db
        .store
        .cases(&CaseQuery {
            status: Some("open".into()),
            citizen_id: Some(receiving.clone()),
            page: 1,
            per_page: 10,
            ..CaseQuery::default()
        })
        .await
        .expect("cases");
    let stop = cases
        .iter()
        .find(|c| c.kind == CaseKind::Stop && c.trigger == "change")
        .expect("a stop case after the change");
    assert!(stop.reasons.iter().any(|r| r == "work_injury_allowance"));
    assert_eq!(
        stop.month,
        month(2025, 6),
        "from the first month the allowance bars the subsidy"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_run_the_audit_cases_payroll_and_policy() {
    let db = TestDb::sqlite().await;
    let mut reg = registry(444, 200);
    load(&db, &mut reg).await;
    user(&db.store, "admin", Role::DistrictAdmin, "331003").await;
    user(&db.store, "admin2", Role::DistrictAdmin, "331003").await;
    user(&db.store, "dc", Role::TownshipStaff, "331003001").await;
    user(&db.store, "dept", Role::Partner, "331003").await;
    let app = TestApp::start(db).await;
    let admin = app.browser("admin").await;
    let page = page_text(&admin, &app.url("/subsidies?month=2025-12")).await;
    let csrf = csrf_of(&page);
    let want = reference::expected_findings(&reg, month(2025, 12), &district());
    assert!(
        page.contains(&format!("2025-12：共 {} 条", want.len())),
        "the page counts the findings"
    );
    // Open a case from the audit and approve it.
    let f = want
        .iter()
        .find(|f| f.2 == "eligible_not_receiving")
        .expect("an eligible person");
    let id = zhucan_domain::ids::CitizenId::parse(&f.0).expect("id").id;
    let handle = app.db.store.ref_of(&id).await.expect("r").expect("handle");
    let r = admin
        .post(app.url("/subsidies/cases"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("person", handle.as_str()),
            ("subsidy", f.1),
            ("kind", "enrol"),
            ("month", "2025-12"),
        ])
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 303);
    let case_url = r
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .expect("location")
        .to_string();
    let case_page = page_text(&admin, &app.url(&case_url)).await;
    assert!(case_page.contains("✓") && case_page.contains("f-decision"));
    let r = admin
        .post(app.url(&format!("{case_url}/decide")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("decision", "reject"),
            ("note", ""),
        ])
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("f-note-error"));
    let r = admin
        .post(app.url(&format!("{case_url}/decide")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("decision", "approve"),
            ("note", ""),
        ])
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 303);
    let r = admin
        .post(app.url(&format!("{case_url}/decide")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("decision", "approve"),
            ("note", ""),
        ])
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 409, "a decided case cannot be decided again");
    let now = page_text(&admin, &app.url("/subsidies?month=2025-12")).await;
    assert!(
        now.contains(&format!("2025-12：共 {} 条", want.len() - 1)),
        "the approved person is no longer a finding"
    );

    // Payroll: submit, the same account may not approve, a second one may.
    let p = page_text(&admin, &app.url("/subsidies/payroll?month=2025-12")).await;
    assert!(p.contains("草稿"));
    let r = admin
        .post(app.url("/subsidies/payroll/submit"))
        .form(&[("_csrf", csrf.as_str()), ("month", "2025-12")])
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 303);
    let run = app
        .db
        .store
        .payroll(month(2025, 12))
        .await
        .expect("p")
        .expect("run")
        .0;
    let r = admin
        .post(app.url("/subsidies/payroll/approve"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("month", "2025-12"),
            ("digest", run.digest.as_str()),
        ])
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 409);
    assert!(
        r.text().await.expect("t").contains("另一名管理员审批"),
        "refused as the same account"
    );
    let admin2 = app.browser("admin2").await;
    let p2 = page_text(&admin2, &app.url("/subsidies/payroll?month=2025-12")).await;
    let csrf2 = csrf_of(&p2);
    assert!(p2.contains("/subsidies/payroll/approve"));
    let r = admin2
        .post(app.url("/subsidies/payroll/approve"))
        .form(&[
            ("_csrf", csrf2.as_str()),
            ("month", "2025-12"),
            ("digest", run.digest.as_str()),
        ])
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 303);
    let closed = page_text(&admin2, &app.url("/subsidies/payroll?month=2025-12")).await;
    assert!(closed.contains("已审批关账"));
    let bank = admin2
        .post(app.url("/subsidies/payroll/export"))
        .form(&[
            ("_csrf", csrf2.as_str()),
            ("month", "2025-12"),
            ("format", "bank"),
        ])
        .send()
        .await
        .expect("r");
    assert_eq!(bank.status(), 200);
    let csv = bank.text().await.expect("csv");
    assert!(
        csv.starts_with('\u{feff}')
            && csv.contains("金额（元）")
            && csv.lines().count() as i64 == run.lines + 1
    );
    let rows = audit_rows(
        &app.db.store,
        &zhucan_store::audit::AuditQuery {
            action: Some("payroll.approve".into()),
            limit: 100,
            ..Default::default()
        },
        2,
    )
    .await;
    assert_eq!(rows.len(), 2, "{rows:?}");

    // Policy: a bad value names the field; a preview changes nothing; a save adds a version.
    let r = admin
        .post(app.url("/subsidies/policy"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("key", "dibao_standard"),
            ("area", "331003"),
            ("value", "lots"),
            ("effective_from", "2026-01-01"),
            ("source", "x"),
            ("action", "preview"),
        ])
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("“lots”"));
    let r = admin
        .post(app.url("/subsidies/policy"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("key", "dibao_standard"),
            ("area", "331003"),
            ("value", "1300"),
            ("effective_from", "2026-01-01"),
            ("source", "文件"),
            ("action", "preview"),
        ])
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 200);
    assert!(r.text().await.expect("t").contains("预览"));
    let versions = app.db.store.policy().await.expect("p").entries.len();
    let r = admin
        .post(app.url("/subsidies/policy"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("key", "dibao_standard"),
            ("area", "331003"),
            ("value", "1300"),
            ("effective_from", "2026-01-01"),
            ("source", "文件"),
            ("action", "save"),
        ])
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 303);
    assert_eq!(
        app.db.store.policy().await.expect("p").entries.len(),
        versions + 1
    );
    // A parameter no rule reads is marked as on record only; one a rule reads is not.
    let note = "仅作记录，暂无规则使用（待相关业务上线）";
    let pol = page_text(&admin, &app.url("/subsidies/policy")).await;
    let tekun = ParamKey::TekunMultiplier.label(zhucan_domain::lang::Lang::Zh);
    let dibao = ParamKey::DibaoStandard.label(zhucan_domain::lang::Lang::Zh);
    assert!(
        pol.contains(&format!(
            "<th scope=\"row\">{tekun}<span class=\"hint\">{note}</span></th>"
        )),
        "the 特困 multiple is marked"
    );
    assert!(
        pol.contains(&format!("<th scope=\"row\">{dibao}</th>"))
            && !pol.contains(&format!("{dibao}<span class=\"hint\">")),
        "the 低保 standard is not marked"
    );
    // … and so is a what-if on it (nothing can change), unlike one on the standard.
    let wi = |key: &str, value: &str| {
        app.url(&format!(
            "/subsidies/what-if?key={key}&area=331003&value={value}&effective_from=2026-01-01"
        ))
    };
    let w = page_text(&admin, &wi("tekun_multiplier", "1.5")).await;
    assert!(w.contains("情景") && w.contains(note), "what-if on 特困");
    let w = page_text(&admin, &wi("dibao_standard", "1300")).await;
    assert!(w.contains("情景") && !w.contains(note), "what-if on 低保");

    // One person's page: the explanation; an allowance form checks its fields.
    let person = page_text(
        &admin,
        &app.url(&format!("/persons/{handle}/subsidies?month=2025-12")),
    )
    .await;
    assert!(person.contains("规则版本") && person.contains("✓"));
    let r = admin
        .post(app.url(&format!("/persons/{handle}/benefits")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("kind", "same_need_nursing"),
            ("amount", ""),
            ("since", "2025-13"),
            ("source", ""),
        ])
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("t");
    assert!(
        body.contains("f-amount-error")
            && body.contains("“2025-13”")
            && body.contains("f-source-error")
    );
    let r = admin
        .post(app.url(&format!("/persons/{handle}/account")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("bank", "农商银行"),
            ("account_no", "6228 4800 1234 5678 9"),
            ("holder", "本人"),
        ])
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 303);

    // Scope: a township account neither sees other townships' people nor runs the payroll; the
    // partner department has no subsidy pages.
    let dc = app.browser("dc").await;
    let r = dc
        .get(app.url(&format!("/persons/{handle}/subsidies")))
        .send()
        .await
        .expect("r");
    let in_dc = reference::files(&reg.rows)
        .iter()
        .any(|x| x.person.citizen_id == id && x.person.township.as_str() == "331003001");
    assert_eq!(r.status(), if in_dc { 200 } else { 404 });
    let tok = app.token("dc").await;
    let r = reqwest::Client::new()
        .get(app.url("/api/v1/subsidies/audit?month=2025-12&area=331003201"))
        .bearer_auth(&tok)
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 404);
    let v: serde_json::Value = reqwest::Client::new()
        .get(app.url("/api/v1/subsidies/audit?month=2025-12"))
        .bearer_auth(&tok)
        .send()
        .await
        .expect("r")
        .json()
        .await
        .expect("j");
    assert!(
        v["findings"]
            .as_array()
            .expect("f")
            .iter()
            .all(|f| f["township"] == "331003001")
    );
    let dept = app.browser("dept").await;
    assert_eq!(
        dept.get(app.url("/subsidies"))
            .send()
            .await
            .expect("r")
            .status(),
        403
    );
}

/// The clerk's day-one case (issue 11): a 肢体一级 person paid the nursing subsidy is
/// re-assessed to 二级 — still eligible, never a stop case, paid at the new tier from the month
/// after; another, eligible and waiting for enrolment, is re-assessed to 三级 before the month
/// began — the open enrolment case is withdrawn with the reason.
async fn a_re_assessment_keeps_an_eligible_person_paid_and_withdraws_stale_cases(db: TestDb) {
    use zhucan_domain::timeline::{LifeEvent, apply_life_event};
    use zhucan_domain::{Category, Grade};
    let today = d(2025, 12, 15);
    let mut paid = crate::support::record(
        "钱一",
        d(1960, 1, 1),
        51,
        "331003101",
        Category::Physical,
        Grade::One,
    );
    paid.certificate.issued_on = d(2016, 11, 15);
    paid.certificate.valid_until = d(2026, 11, 15);
    paid.survey.nursing_subsidy_since = Some(month(2016, 12));
    let waiting = crate::support::record(
        "孙二",
        d(1961, 2, 2),
        52,
        "331003101",
        Category::Physical,
        Grade::One,
    );
    crate::support::put(&db.store, &[paid.clone(), waiting.clone()]).await;
    let facts = std::sync::Arc::new(zhucan::facts_cache(db.store.clone()));
    let mut opener = zhucan_subsidies::cases::CaseOpener::new(db.store.clone(), facts.clone());
    assert_eq!(
        opener.run_once(today).await.expect("round"),
        1,
        "one enrolment case"
    );
    let actor = Actor {
        name: "clerk",
        source: "form",
    };
    for (r, grade, on) in [
        (&paid, Grade::Two, d(2025, 12, 10)),
        (&waiting, Grade::Three, d(2025, 12, 1)),
    ] {
        let f = db
            .store
            .person_file(&r.person.citizen_id, &crate::support::any())
            .await
            .expect("file")
            .expect("exists");
        let ev = LifeEvent::Reassess {
            category: Category::Physical,
            grade,
            components: vec![],
            on,
        };
        let (next, events) = apply_life_event(&f.record(), &ev, today).expect("apply");
        db.store
            .save_file(&next, f.version, Some(events), &actor)
            .await
            .expect("save");
    }
    assert_eq!(
        opener.run_once(today).await.expect("round"),
        0,
        "no stop case"
    );
    let cases = |status: &'static str| {
        let store = db.store.clone();
        async move {
            store
                .cases(&CaseQuery {
                    status: Some(status.into()),
                    page: 1,
                    per_page: 50,
                    ..CaseQuery::default()
                })
                .await
                .expect("cases")
                .1
        }
    };
    assert!(cases("open").await.is_empty(), "no case stays open");
    let withdrawn = cases("withdrawn").await;
    assert_eq!(withdrawn.len(), 1);
    assert_eq!(withdrawn[0].citizen_id, waiting.person.citizen_id);
    assert_eq!(withdrawn[0].kind, CaseKind::Enrol);
    assert_eq!(withdrawn[0].note.as_deref(), Some("no_longer_eligible"));
    let trail = db
        .store
        .audit_search(&zhucan_store::audit::AuditQuery {
            action: Some("subsidy.case.withdraw".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("audit")
        .1;
    assert_eq!(trail.len(), 1, "the withdrawal is audited");
    // Paid every month: 一级 until the re-assessment's month, 二级 from the month after.
    let id = paid.person.citizen_id.to_string();
    for (m, fen) in [
        (month(2025, 1), 30_000),
        (month(2025, 11), 30_000),
        (month(2025, 12), 30_000),
        (month(2026, 1), 24_000),
    ] {
        let lines: Vec<i64> = payroll_of(&db, m, &district())
            .await
            .into_iter()
            .filter(|(who, s, _)| *who == id && *s == "nursing")
            .map(|l| l.2)
            .collect();
        assert_eq!(lines, [fen], "{m}");
    }
    let findings = audit_of(&db, month(2025, 12), &district()).await;
    assert!(
        !findings.iter().any(|(who, _, _)| *who == id),
        "no finding for the re-assessed person: {findings:?}"
    );
}
