//! Care and institutions: the institutions' dated decisions move indicators 4–6 on their own
//! day, whatever the day they are recorded; a residential stay gives the nursing subsidy's
//! +50% from the next month; an institution account sees and ends only its own residents.

#[allow(unused_imports)]
use crate::support::prelude::*;
use crate::support::{
    TestApp, TestDb, audit_rows, d, indicator_at, location, org_account, page_text, post_form, put,
    record, test_event, user,
};
use zhucan_care::store::{CareStore, NewStay, Written};
use zhucan_domain::access::Role;
use zhucan_domain::area::AreaCode;
use zhucan_domain::disability::{Category, Grade};
use zhucan_domain::institution::{Change, Institution, InstitutionKind};
use zhucan_domain::ledger::Fact;
use zhucan_domain::parse::Month;
use zhucan_domain::person::{CareNeed, PersonRecord};
use zhucan_store::institutions::NewDecision;

const TOWNSHIP: &str = "331003107";

fn institution(name: &str, kind: InstitutionKind, opened: chrono::NaiveDate) -> Institution {
    Institution {
        name: name.into(),
        kind,
        township: AreaCode::parse(TOWNSHIP).expect("code"),
        standardized: false,
        designated: false,
        beds: Some(40),
        stars: None,
        opened_on: opened,
        closed_on: None,
        decisions: Vec::new(),
    }
}

fn home() -> Institution {
    institution(
        "院桥镇残疾人之家",
        InstitutionKind::HomeOfDisabled,
        d(2021, 3, 1),
    )
}

fn care_home() -> Institution {
    institution(
        "黄岩区托养中心",
        InstitutionKind::CareInstitution,
        d(2020, 1, 1),
    )
}

fn other_care_home() -> Institution {
    institution(
        "院桥镇托养站",
        InstitutionKind::CareInstitution,
        d(2020, 1, 1),
    )
}

/// A grade-1 person (severe-care category) enrolled in the nursing subsidy since 2025-01.
fn severe() -> PersonRecord {
    let mut r = record(
        "托一",
        d(1970, 4, 4),
        71,
        TOWNSHIP,
        Category::Physical,
        Grade::One,
    );
    r.survey.nursing_subsidy_since = Month::new(2025, 1);
    r
}

fn decision(i: &Institution, on: chrono::NaiveDate, change: Change) -> NewDecision {
    NewDecision {
        institution_id: i.id(),
        effective_on: on,
        change,
        document: Some("黄残联〔2026〕1号".into()),
        reason: None,
    }
}

/// The person's nursing-subsidy payment in month `m` of the payroll draft.
async fn nursing_fen(db: &TestDb, who: &PersonRecord, m: Month) -> Option<i64> {
    crate::subsidies::payroll_of(db, m, &AreaCode::parse("331003").expect("code"))
        .await
        .into_iter()
        .find(|(id, s, _)| id == who.person.citizen_id.as_str() && *s == "nursing")
        .map(|(_, _, a)| a)
}

crate::contract!(decisions_and_stays_are_stored_with_their_facts);

async fn decisions_and_stays_are_stored_with_their_facts(db: TestDb) {
    let s = &db.store;
    s.upsert_institutions(&[home(), care_home()])
        .await
        .expect("institutions");
    let ev = test_event("care.test");
    let seq = s
        .record_institution_decision(
            &decision(&home(), d(2024, 5, 1), Change::Standardized(true)),
            "t",
            &ev,
        )
        .await
        .expect("decide");
    assert!(seq.is_some());
    s.record_institution_decision(
        &decision(&care_home(), d(2025, 7, 1), Change::Closed),
        "t",
        &ev,
    )
    .await
    .expect("decide");
    // No such institution: nothing recorded.
    let mut ghost = home();
    ghost.name = "不存在".into();
    assert_eq!(
        s.record_institution_decision(&decision(&ghost, d(2024, 1, 1), Change::Closed), "t", &ev)
            .await
            .expect("decide"),
        None
    );
    let all = s.institutions().await.expect("institutions");
    let h = all.iter().find(|i| i.id() == home().id()).expect("home");
    assert!(!h.standardized_at(d(2024, 4, 30)));
    assert!(h.standardized_at(d(2024, 5, 1)));
    assert_eq!(
        h.decisions[0].document.as_deref(),
        Some("黄残联〔2026〕1号")
    );
    let c = all
        .iter()
        .find(|i| i.id() == care_home().id())
        .expect("care");
    assert!(c.is_open_at(d(2025, 6, 30)));
    assert!(!c.is_open_at(d(2025, 7, 1)));
    // The same directory rows again change nothing: the decisions stand.
    assert_eq!(
        s.upsert_institutions(&[home(), care_home()])
            .await
            .expect("again"),
        0
    );
    // The snapshot the indicators read has them too.
    let snap = zhucan::facts_cache(s.clone())
        .snapshot()
        .await
        .expect("snap");
    let area = AreaCode::parse(TOWNSHIP).expect("code");
    assert!(!zhucan_plan::facts::has_standard_home(
        &snap,
        &area,
        d(2024, 4, 30)
    ));
    assert!(zhucan_plan::facts::has_standard_home(
        &snap,
        &area,
        d(2024, 5, 1)
    ));

    // A stay: the ledger's care fact from its first day, then with its last day.
    let p = severe();
    put(s, std::slice::from_ref(&p)).await;
    s.upsert_institutions(&[other_care_home()])
        .await
        .expect("institutions");
    let actor = zhucan_store::registry::Actor {
        name: "t",
        source: "test",
    };
    let stay = NewStay {
        citizen_id: p.person.citizen_id.clone(),
        institution_id: other_care_home().id(),
        institution_name: other_care_home().name,
        mode: CareNeed::Residential,
        since: d(2026, 3, 10),
    };
    let id = s.admit(&stay, &actor, &ev).await.expect("admit");
    let listed = s.care_stays_at(TOWNSHIP).await.expect("stays");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, id);
    assert_eq!(
        s.care_stays_of(&p.person.citizen_id).await.expect("of")[0].until,
        None
    );
    assert_eq!(
        s.discharge(&id, 1, d(2026, 3, 9), &actor, &ev)
            .await
            .expect("end"),
        Written::Stale
    );
    assert_eq!(
        s.discharge(&id, 1, d(2026, 5, 20), &actor, &ev)
            .await
            .expect("end"),
        Written::Done
    );
    assert_eq!(
        s.discharge(&id, 1, d(2026, 5, 20), &actor, &ev)
            .await
            .expect("end"),
        Written::Stale
    );
    let file = s
        .person_file(&p.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    let facts: Vec<_> = file
        .ledger
        .iter()
        .filter_map(|e| match &e.fact {
            Fact::Care {
                mode, from, until, ..
            } => Some((*mode, *from, *until)),
            _ => None,
        })
        .collect();
    assert!(facts.contains(&(CareNeed::Residential, d(2026, 3, 10), Some(d(2026, 5, 20)))));
    assert!(file.events.iter().any(|e| e.summary.contains("寄宿托养")));
    // The nursing subsidy: the base amount in March, +50% in April and May (in care on their
    // first days), the base again from June.
    let base = nursing_fen(&db, &p, Month::new(2026, 3).expect("m")).await;
    assert!(base.is_some_and(|b| b > 0), "{base:?}");
    let base = base.unwrap_or(0);
    assert_eq!(
        nursing_fen(&db, &p, Month::new(2026, 4).expect("m")).await,
        Some(base * 3 / 2)
    );
    assert_eq!(
        nursing_fen(&db, &p, Month::new(2026, 5).expect("m")).await,
        Some(base * 3 / 2)
    );
    assert_eq!(
        nursing_fen(&db, &p, Month::new(2026, 6).expect("m")).await,
        Some(base)
    );
}

/// Posts a decision on an institution from the first institution's page.
async fn decide(app: &TestApp, who: &reqwest::Client, form: &[(&str, &str)]) -> reqwest::Response {
    let page = zhucan_web::view::url_encode(&home().id());
    let from = format!("/care/institution?id={page}");
    post_form(app, who, &from, "/care/institution/decide", form).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_move_the_indicators_on_their_day_and_an_institution_sees_only_its_own() {
    let db = TestDb::sqlite().await;
    db.store
        .upsert_institutions(&[home(), care_home(), other_care_home()])
        .await
        .expect("institutions");
    let p = severe();
    let outsider = record(
        "外一",
        d(1980, 1, 1),
        72,
        "331003101",
        Category::Intellectual,
        Grade::Two,
    );
    put(&db.store, &[p.clone(), outsider.clone()]).await;
    user(&db.store, "admin", Role::DistrictAdmin, "331003").await;
    user(&db.store, "tw", Role::TownshipStaff, TOWNSHIP).await;
    org_account(&db.store, "zhongxin", &care_home().id()).await;
    org_account(&db.store, "zhan", &other_care_home().id()).await;
    let app = TestApp::start(db).await;
    let admin = app.browser("admin").await;
    let tw = app.browser("tw").await;
    let token = app.token("tw").await;
    let page = zhucan_web::view::url_encode(&home().id());
    let home_page = format!("/care/institution?id={page}");

    // The list: the area's institutions; a bad day is named, in both languages.
    let list = page_text(&tw, &app.url("/care")).await;
    assert!(list.contains("院桥镇残疾人之家") && list.contains("黄岩区托养中心"));
    let r = tw
        .get(app.url("/care?at=2025-13-40"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("2025-13-40"));

    // Township staff do not record decisions; a bad value is named and nothing is recorded.
    let r = decide(
        &app,
        &tw,
        &[
            ("id", &home().id()),
            ("kind", "standardized"),
            ("value", "是"),
            ("effective_on", "2024-05-01"),
        ],
    )
    .await;
    assert_eq!(r.status(), 403);
    let r = decide(
        &app,
        &admin,
        &[
            ("id", &home().id()),
            ("kind", "standardized"),
            ("value", "也许"),
            ("effective_on", "2024-05-01"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("t");
    assert!(body.contains("也许") && body.contains("f-value"), "{body}");
    assert!(
        app.db
            .store
            .institutions()
            .await
            .expect("i")
            .iter()
            .all(|i| i.decisions.is_empty())
    );
    assert_eq!(
        indicator_at(
            &app,
            &token,
            TOWNSHIP,
            Some("2024-06-30"),
            "home_of_disabled_coverage"
        )
        .await,
        (Some(0), Some(1))
    );
    // Recorded today, effective 2024-05-01: the indicator moves from that day, not before.
    let r = decide(
        &app,
        &admin,
        &[
            ("id", &home().id()),
            ("kind", "standardized"),
            ("value", "是"),
            ("effective_on", "2024-05-01"),
            ("document", "黄残联〔2024〕9号"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    assert_eq!(
        indicator_at(
            &app,
            &token,
            TOWNSHIP,
            Some("2024-04-30"),
            "home_of_disabled_coverage"
        )
        .await,
        (Some(0), Some(1))
    );
    assert_eq!(
        indicator_at(
            &app,
            &token,
            TOWNSHIP,
            Some("2024-06-30"),
            "home_of_disabled_coverage"
        )
        .await,
        (Some(1), Some(1))
    );
    let shown = page_text(&admin, &app.url(&home_page)).await;
    assert!(shown.contains("黄残联〔2024〕9号"));
    // Both care institutions close on 2025-07-01: indicator 5 of the district is 0 from then.
    for i in [care_home(), other_care_home()] {
        let r = decide(
            &app,
            &admin,
            &[
                ("id", &i.id()),
                ("kind", "closed"),
                ("effective_on", "2025-07-01"),
            ],
        )
        .await;
        assert_eq!(r.status(), 303);
    }
    let admin_token = app.token("admin").await;
    assert_eq!(
        indicator_at(
            &app,
            &admin_token,
            "331003",
            Some("2025-06-30"),
            "care_institution_coverage"
        )
        .await
        .0,
        Some(1)
    );
    assert_eq!(
        indicator_at(
            &app,
            &admin_token,
            "331003",
            Some("2025-07-01"),
            "care_institution_coverage"
        )
        .await
        .0,
        Some(0)
    );
    // …and reopens on 2026-01-01.
    let r = decide(
        &app,
        &admin,
        &[
            ("id", &care_home().id()),
            ("kind", "opened"),
            ("effective_on", "2026-01-01"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let care_page = format!(
        "/care/institution?id={}",
        zhucan_web::view::url_encode(&care_home().id())
    );

    // Admissions: a person outside the area is not found; a day the institution was closed
    // is named; then admitted.
    let admit = |id: String, since: &'static str| {
        vec![
            ("id".to_string(), care_home().id()),
            ("citizen_id".to_string(), id),
            ("mode".to_string(), "residential".to_string()),
            ("since".to_string(), since.to_string()),
        ]
    };
    let post = |fields: Vec<(String, String)>| {
        let tw = tw.clone();
        let app = &app;
        let care_page = care_page.clone();
        async move {
            let f: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            post_form(app, &tw, &care_page, "/care/institution/admit", &f).await
        }
    };
    let r = post(admit(outsider.person.citizen_id.to_string(), "2026-03-10")).await;
    assert_eq!(r.status(), 422);
    let r = post(admit(p.person.citizen_id.to_string(), "2025-08-01")).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("2025-08-01"));
    let r = post(admit(p.person.citizen_id.to_string(), "2026-03-10")).await;
    assert_eq!(r.status(), 303);
    assert!(location(&r).contains("done=admitted"));
    // A second admission while in care is refused by field.
    let r = post(admit(p.person.citizen_id.to_string(), "2026-04-10")).await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        app.db
            .store
            .care_stays_of(&p.person.citizen_id)
            .await
            .expect("s")
            .len(),
        1
    );
    // On the person's file.
    let handle = crate::support::handle_of(&app, &p).await;
    let file = page_text(&tw, &app.url(&format!("/persons/{handle}"))).await;
    assert!(
        file.contains("托养服务") && file.contains("黄岩区托养中心"),
        "{file}"
    );

    // The institution's account sees its resident; the other institution's does not, and
    // cannot end the stay.
    let zhongxin = app.browser("zhongxin").await;
    let zhan = app.browser("zhan").await;
    let own = page_text(&zhongxin, &app.url("/care/residents")).await;
    assert!(own.contains("托一"), "{own}");
    let theirs = page_text(&zhan, &app.url("/care/residents")).await;
    assert!(!theirs.contains("托一"));
    let stay = app
        .db
        .store
        .care_stays_of(&p.person.citizen_id)
        .await
        .expect("s")[0]
        .clone();
    let r = post_form(
        &app,
        &zhan,
        "/care/residents",
        "/care/stays/end",
        &[
            ("stay", &stay.id),
            ("version", "1"),
            ("until", "2026-05-20"),
        ],
    )
    .await;
    assert_eq!(r.status(), 404);
    assert_eq!(
        zhongxin
            .get(app.url("/care"))
            .send()
            .await
            .expect("g")
            .status(),
        403
    );
    // A last day before the first is named; then ended.
    let r = post_form(
        &app,
        &zhongxin,
        "/care/residents",
        "/care/stays/end",
        &[
            ("stay", &stay.id),
            ("version", "1"),
            ("until", "2026-03-01"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let r = post_form(
        &app,
        &zhongxin,
        "/care/residents",
        "/care/stays/end",
        &[
            ("stay", &stay.id),
            ("version", "1"),
            ("until", "2026-05-20"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);

    // The API: the values at a day.
    let v: serde_json::Value = reqwest::Client::new()
        .get(app.url("/api/v1/care/institutions?at=2026-04-01"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("api")
        .json()
        .await
        .expect("json");
    let rows = v["institutions"].as_array().expect("rows");
    let c = rows
        .iter()
        .find(|r| r["name"] == "黄岩区托养中心")
        .expect("care");
    assert_eq!(
        (c["open"].as_bool(), c["residents"].as_i64()),
        (Some(true), Some(1))
    );
    let h = rows
        .iter()
        .find(|r| r["name"] == "院桥镇残疾人之家")
        .expect("home");
    assert_eq!(h["standardized"], true);
    let r = reqwest::Client::new()
        .get(app.url("/api/v1/care/institutions?at=nope"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("api");
    assert_eq!(r.status(), 400);

    // Every write is audited.
    for action in [
        "care.institution.decide",
        "care.stay.admit",
        "care.stay.end",
    ] {
        let q = zhucan_store::audit::AuditQuery {
            action: Some(action.into()),
            limit: 10,
            ..Default::default()
        };
        assert!(
            !audit_rows(&app.db.store, &q, 1).await.is_empty(),
            "no audit row for {action}"
        );
    }
}
