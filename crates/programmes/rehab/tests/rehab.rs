//! Rehabilitation end to end over HTTP: the district designates an institution, staff place a
//! child, the institution's own account records the month — and indicator 11 moves by exactly
//! that child; the rules refuse by name and write nothing; the district settles a month, which
//! closes it; an institution reaches only its own children.

#[allow(unused_imports)]
use crate::support::prelude::*;
use chrono::{Datelike, Months, NaiveDate};
use zhucan_domain::institution::{Institution, InstitutionKind};
use zhucan_domain::person::PersonRecord;
use zhucan_rehab::rules::{Designation, Month, Service};
use zhucan_rehab::store::{NewRecord, Placed, Placement, Recorded, Settlement};
use zhucan_store::Role;
use zhucan_store::registry::Actor;

use crate::support::{
    TestApp, TestDb, audit_rows, csrf_of, d, location, page_text, post_form, put, record,
    test_event, user,
};

const STAR: &str = "331003107/星星康复中心";
const MOON: &str = "331003001/月亮康复中心";

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The first day of last month.
fn last_month() -> NaiveDate {
    let t = today();
    NaiveDate::from_ymd_opt(t.year(), t.month(), 1)
        .and_then(|f| f.checked_sub_months(Months::new(1)))
        .expect("date")
}

fn institution(township: &str, name: &str) -> Institution {
    Institution {
        name: name.into(),
        kind: InstitutionKind::ChildRehab,
        township: zhucan_domain::AreaCode::parse(township).expect("township"),
        standardized: true,
        designated: true,
        beds: None,
        stars: None,
        opened_on: d(2015, 1, 1),
        closed_on: None,
        decisions: Vec::new(),
    }
}

fn designation(id: &str, capacity: i64) -> Designation {
    Designation {
        institution_id: id.into(),
        capacity,
        agreement_no: "HY-KF-01".into(),
        agreement_from: d(2021, 1, 1),
        agreement_to: d(2030, 12, 31),
        exited_on: None,
        exit_reason: None,
    }
}

fn child(name: &str, seq: u32, township: &str) -> PersonRecord {
    let birth = today()
        .checked_sub_months(Months::new(12 * 6))
        .expect("six years ago");
    let mut r = record(
        name,
        birth,
        seq,
        township,
        zhucan_domain::Category::Intellectual,
        zhucan_domain::Grade::Two,
    );
    r.survey.needs_rehab = Some(true);
    r.survey.received_rehab = Some(false);
    r
}

struct World {
    app: TestApp,
    kid: PersonRecord,
    kid2: PersonRecord,
    adult: PersonRecord,
    teen: PersonRecord,
}

async fn setup() -> World {
    let db = TestDb::sqlite().await;
    let kid = child("李小星", 11, "331003107");
    let kid2 = child("王小月", 12, "331003107");
    let mut adult = record(
        "赵大成",
        d(1980, 2, 3),
        13,
        "331003107",
        zhucan_domain::Category::Mental,
        zhucan_domain::Grade::Three,
    );
    adult.survey.needs_rehab = Some(true);
    adult.survey.received_rehab = Some(false);
    let teen = record(
        "钱十八",
        today()
            .checked_sub_months(Months::new(12 * 19))
            .expect("19 years ago"),
        14,
        "331003107",
        zhucan_domain::Category::Physical,
        zhucan_domain::Grade::Two,
    );
    put(
        &db.store,
        &[kid.clone(), kid2.clone(), adult.clone(), teen.clone()],
    )
    .await;
    db.store
        .upsert_institutions(&[
            institution("331003107", "星星康复中心"),
            institution("331003001", "月亮康复中心"),
        ])
        .await
        .expect("institutions");
    for id in [STAR, MOON] {
        db.store
            .put_designation(&designation(id, 1), "test", &test_event("rehab.designate"))
            .await
            .expect("designate");
    }
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    user(&db.store, "dc", Role::TownshipStaff, "331003001").await;
    user(&db.store, "admin", Role::DistrictAdmin, "331003").await;
    crate::support::org_account(&db.store, "star", STAR).await;
    crate::support::org_account(&db.store, "moon", MOON).await;
    World {
        app: TestApp::start(db).await,
        kid,
        kid2,
        adult,
        teen,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_is_placed_served_and_settled_and_indicator_11_moves_by_exactly_that_child() {
    let w = setup().await;
    let app = &w.app;
    let admin = app.token("admin").await;
    let before_district = crate::support::indicator(app, &admin, "331003", "rehab_coverage").await;
    let before_township =
        crate::support::indicator(app, &admin, "331003107", "rehab_coverage").await;
    let yq = app.browser("yq").await;
    let start = last_month().to_string();

    // The rules refuse by name, and nothing is written.
    let teen_id = w.teen.person.citizen_id.as_str().to_string();
    let r = post_form(
        app,
        &yq,
        "/rehab",
        "/rehab/placements",
        &[
            ("p_citizen_id", &teen_id),
            ("p_institution", STAR),
            ("p_service", "autism"),
            ("p_started_on", &start),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("t");
    assert!(body.contains("儿童康复救助限 18 周岁以下"), "{body}");
    assert!(
        body.contains(&format!("value=\"{teen_id}\"")),
        "what was typed is kept"
    );
    let kid_id = w.kid.person.citizen_id.as_str().to_string();
    let r = post_form(
        app,
        &yq,
        "/rehab",
        "/rehab/placements",
        &[
            ("p_citizen_id", &kid_id),
            ("p_institution", STAR),
            ("p_service", "community"),
            ("p_started_on", &start),
        ],
    )
    .await;
    assert_eq!(r.status(), 422, "an adult service is not a placement");
    assert!(
        r.text()
            .await
            .expect("t")
            .contains("儿童康复安置只能选择儿童康复服务")
    );
    let r = post_form(
        app,
        &yq,
        "/rehab",
        "/rehab/placements",
        &[
            ("p_citizen_id", "33100320200101001X"),
            ("p_institution", STAR),
            ("p_service", "autism"),
            ("p_started_on", "2026-02-30"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("t");
    assert!(body.contains("“2026-02-30”不是日期"), "{body}");
    assert!(
        app.db
            .store
            .placements_in("331003")
            .await
            .expect("p")
            .is_empty()
    );

    // The child is placed; the second finds the institution full.
    let r = post_form(
        app,
        &yq,
        "/rehab",
        "/rehab/placements",
        &[
            ("p_citizen_id", &kid_id),
            ("p_institution", STAR),
            ("p_service", "intellectual"),
            ("p_started_on", &start),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let to = location(&r);
    let pid = to.rsplit('/').next().expect("id").to_string();
    assert!(to.starts_with("/rehab/placements/"), "{to}");
    let kid2_id = w.kid2.person.citizen_id.as_str().to_string();
    let r = post_form(
        app,
        &yq,
        "/rehab",
        "/rehab/placements",
        &[
            ("p_citizen_id", &kid2_id),
            ("p_institution", STAR),
            ("p_service", "autism"),
            ("p_started_on", &start),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .expect("t")
            .contains("该机构已满（在训 1 人，定点容量 1 人）")
    );
    assert_eq!(
        app.db.store.placements_in("331003").await.expect("p").len(),
        1
    );

    // Another township's staff and another institution reach nothing of it.
    let dc = app.browser("dc").await;
    let moon = app.browser("moon").await;
    for c in [&dc, &moon] {
        let r = c
            .get(app.url(&format!("/rehab/placements/{pid}")))
            .send()
            .await
            .expect("r");
        assert_eq!(r.status(), 404);
    }
    assert!(
        !page_text(&moon, &app.url("/rehab/institution"))
            .await
            .contains("李小星")
    );
    let star = app.browser("star").await;
    let list = page_text(&star, &app.url("/rehab/institution")).await;
    assert!(
        list.contains("李小星") && list.contains("星星康复中心"),
        "{list}"
    );
    assert!(
        !list.contains(&kid_id),
        "the institution sees no citizen ID"
    );

    // The institution records the month: the rules first, then the record.
    let page = format!("/rehab/placements/{pid}");
    let records = format!("/rehab/placements/{pid}/records");
    let before_start = (last_month() - chrono::Days::new(1)).to_string();
    let r = post_form(
        app,
        &star,
        &page,
        &records,
        &[("r_served_on", &before_start), ("r_sessions", "8")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("不在安置期内"));
    let r = post_form(
        app,
        &star,
        &page,
        &records,
        &[("r_served_on", &start), ("r_sessions", "一百")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .expect("t")
            .contains("“一百”不是 1–100 的整数")
    );
    assert_eq!(
        crate::support::indicator(app, &admin, "331003107", "rehab_coverage").await,
        before_township
    );

    let now = today().to_string();
    let r = post_form(
        app,
        &star,
        &page,
        &records,
        &[("r_served_on", &now), ("r_sessions", "12")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let after_township =
        crate::support::indicator(app, &admin, "331003107", "rehab_coverage").await;
    let after_district = crate::support::indicator(app, &admin, "331003", "rehab_coverage").await;
    assert_eq!(
        after_township.0,
        before_township.0 + 1,
        "the child is counted"
    );
    assert_eq!(
        after_township.1, before_township.1,
        "already in the denominator"
    );
    assert_eq!(after_district.0, before_district.0 + 1);
    assert_eq!(
        crate::support::indicator(app, &admin, "331003001", "rehab_coverage")
            .await
            .0,
        0,
        "no other township moves"
    );
    // The same day again is named.
    let r = post_form(
        app,
        &star,
        &page,
        &records,
        &[("r_served_on", &now), ("r_sessions", "3")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("已登记过"));

    // The placement stands in the child's file, linked for staff, and on the service end's
    // own file in plain words (no staff link, no ID).
    let handle = crate::support::handle_of(app, &w.kid).await;
    let file = page_text(&yq, &app.url(&format!("/persons/{handle}"))).await;
    assert!(file.contains("id=\"sec-rehab\""), "{file}");
    assert!(
        file.contains(&format!("href=\"/rehab/placements/{pid}\""))
            && file.contains("儿童康复安置：智力康复训练，星星康复中心")
            && file.contains(&format!("在训，最近一次服务 {now}")),
        "{file}"
    );
    crate::support::citizen(&app.db.store, "kid-parent", &w.kid.person.citizen_id).await;
    let parent = app.browser("kid-parent").await;
    let me = page_text(&parent, &app.url("/me")).await;
    assert!(
        me.contains("儿童康复安置：智力康复训练，星星康复中心"),
        "{me}"
    );
    assert!(!me.contains("/rehab/placements/"), "no staff link: {me}");
    // A person with nothing recorded shows the citizen no empty section.
    let adult_handle = crate::support::handle_of(app, &w.adult).await;
    crate::support::citizen(&app.db.store, "adult-self", &w.adult.person.citizen_id).await;
    let me = page_text(&app.browser("adult-self").await, &app.url("/me")).await;
    assert!(!me.contains("sec-rehab"), "{me}");
    let adult_file = page_text(&yq, &app.url(&format!("/persons/{adult_handle}"))).await;
    assert!(
        adult_file.contains("id=\"sec-rehab\"") && adult_file.contains("/rehab#adult"),
        "staff who record see the section with what they may start: {adult_file}"
    );
    assert!(
        !adult_file.contains("/rehab#place") && file.contains("/rehab#place"),
        "placing is offered for a child only: {adult_file}"
    );

    // Last month: a record, then the district settles it at the parameter's amount.
    let r = post_form(
        app,
        &star,
        &page,
        &records,
        &[("r_served_on", &start), ("r_sessions", "10")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let m = Month::of(last_month()).key();
    let admin_c = app.browser("admin").await;
    let s = page_text(&admin_c, &app.url(&format!("/rehab/settlements?month={m}"))).await;
    assert!(s.contains("本月服务儿童 1 人，补助合计 2000.00 元"), "{s}");
    let r = post_form(
        app,
        &admin_c,
        "/rehab/settlements",
        "/rehab/settlements",
        &[("institution", STAR), ("month", &m)],
    )
    .await;
    assert_eq!(r.status(), 303);
    let stored = app
        .db
        .store
        .settlement(STAR, &m)
        .await
        .expect("s")
        .expect("settled");
    assert_eq!((stored.children, stored.amount_fen), (1, 200_000));
    // Settled once; the month is then closed at that institution.
    let r = post_form(
        app,
        &admin_c,
        "/rehab/settlements",
        "/rehab/settlements",
        &[("institution", STAR), ("month", &m)],
    )
    .await;
    assert_eq!(r.status(), 409);
    let second = (last_month() + chrono::Days::new(1)).to_string();
    let r = post_form(
        app,
        &star,
        &page,
        &records,
        &[("r_served_on", &second), ("r_sessions", "2")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("这个月已结算"));
    // This month cannot be settled before it ends.
    let r = post_form(
        app,
        &admin_c,
        "/rehab/settlements",
        "/rehab/settlements",
        &[("institution", STAR), ("month", &Month::of(today()).key())],
    )
    .await;
    assert_eq!(r.status(), 422);

    // An adult's basic rehabilitation, by staff, counts too.
    let adult_id = w.adult.person.citizen_id.as_str().to_string();
    let r = post_form(
        app,
        &yq,
        "/rehab",
        "/rehab/records",
        &[
            ("a_citizen_id", &adult_id),
            ("a_service", "mental"),
            ("a_served_on", &now),
            ("a_sessions", "1"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    assert_eq!(
        crate::support::indicator(app, &admin, "331003107", "rehab_coverage")
            .await
            .0,
        before_township.0 + 2
    );
    // Outside the clerk's township, the ID is not found (and nothing is written).
    let r = post_form(
        app,
        &dc,
        "/rehab",
        "/rehab/records",
        &[
            ("a_citizen_id", &adult_id),
            ("a_service", "home"),
            ("a_served_on", &now),
            ("a_sessions", "1"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .expect("t")
            .contains("您的辖区内没有身份证号为")
    );

    // Staff end the placement; a day after the end is refused.
    let r = post_form(
        app,
        &yq,
        &page,
        &format!("/rehab/placements/{pid}/end"),
        &[("e_ended_on", &now), ("e_reason", "康复目标达成")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let p = app
        .db
        .store
        .placement(&pid)
        .await
        .expect("p")
        .expect("exists");
    assert_eq!(p.ended_on, Some(today()));

    // The API lists the month's records of the area, with masked IDs.
    let v: serde_json::Value = reqwest::Client::new()
        .get(app.url(&format!(
            "/api/v1/rehab/records?month={}",
            Month::of(today())
        )))
        .bearer_auth(app.token("yq").await)
        .send()
        .await
        .expect("api")
        .json()
        .await
        .expect("json");
    assert_eq!(v["records"].as_array().map(Vec::len), Some(2), "{v}");
    assert!(!v.to_string().contains(&kid_id));
    let r = reqwest::Client::new()
        .get(app.url("/api/v1/rehab/records?month=2026-13"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("api");
    assert_eq!(r.status(), 400);
    assert!(r.text().await.expect("t").contains("2026-13"));

    // The area's list downloads as a workbook, audited.
    let r = post_form(app, &yq, "/rehab", "/rehab/export", &[]).await;
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.expect("b").starts_with(b"PK"));

    // Every change is audited, and the child's file shows the service.
    for a in [
        "rehab.export.area",
        "rehab.designate",
        "rehab.place",
        "rehab.record",
        "rehab.settle",
        "rehab.end",
    ] {
        let q = zhucan_store::audit::AuditQuery {
            action: Some(a.into()),
            limit: 10,
            ..Default::default()
        };
        assert!(!audit_rows(&app.db.store, &q, 1).await.is_empty(), "{a}");
    }
    let events = app
        .db
        .store
        .person_file(&w.kid.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists")
        .events;
    assert!(
        events
            .iter()
            .any(|e| e.summary.contains("儿童康复安置：星星康复中心")),
        "{events:?}"
    );
}

// The store's rules on both backends.
crate::contract!(placements_and_records_hold_their_rules);

async fn placements_and_records_hold_their_rules(db: TestDb) {
    let kid = child("甲", 21, "331003107");
    let kid2 = child("乙", 22, "331003001");
    put(&db.store, &[kid.clone(), kid2.clone()]).await;
    let s = &db.store;
    s.put_designation(&designation(STAR, 1), "test", &test_event("d"))
        .await
        .expect("designate");
    let actor = Actor {
        name: "test",
        source: "form",
    };
    let placement = |p: &PersonRecord| Placement {
        id: String::new(),
        citizen_id: p.person.citizen_id.clone(),
        institution_id: STAR.into(),
        service: Service::Autism,
        area_code: p.person.township.to_string(),
        started_on: d(2026, 1, 5),
        ended_on: None,
        end_reason: None,
        created_by: "test".into(),
    };
    let Placed::Done(pid) = s
        .place(&placement(&kid), 1, None, &actor, &test_event("p"))
        .await
        .expect("place")
    else {
        panic!("placed");
    };
    assert_eq!(
        s.place(&placement(&kid2), 1, None, &actor, &test_event("p"))
            .await
            .expect("place"),
        Placed::Full {
            open: 1,
            capacity: 1
        }
    );
    assert_eq!(
        s.place(&placement(&kid), 5, None, &actor, &test_event("p"))
            .await
            .expect("place"),
        Placed::AlreadyPlaced
    );
    assert_eq!(s.placements_in("331003107").await.expect("p").len(), 1);
    assert!(s.placements_in("331003001").await.expect("p").is_empty());
    let rec = |day: NaiveDate| NewRecord {
        citizen_id: kid.person.citizen_id.clone(),
        area_code: "331003107".into(),
        placement_id: Some(pid.clone()),
        institution_id: STAR.into(),
        institution_name: Some("星星康复中心".into()),
        served_on: day,
        service: Service::Autism,
        sessions: 8,
        note: String::new(),
        source: "typed",
    };
    assert!(matches!(
        s.record(&rec(d(2026, 2, 27)), None, &actor, &test_event("r"))
            .await
            .expect("r"),
        Recorded::Done(_)
    ));
    assert_eq!(
        s.record(&rec(d(2026, 2, 27)), None, &actor, &test_event("r"))
            .await
            .expect("r"),
        Recorded::Duplicate
    );
    let recs = s.records_at(STAR, "2026-02").await.expect("r");
    assert_eq!(recs.len(), 1);
    assert_eq!(recs.first().map(|r| r.sessions), Some(8));
    assert_eq!(
        s.records_in("331003107", "2026-02").await.expect("r").len(),
        1
    );
    assert!(
        s.records_in("331003107", "2026-03")
            .await
            .expect("r")
            .is_empty()
    );
    // The ledger holds the record indicator 11 counts.
    let facts = s.ledger_of(&kid.person.citizen_id).await.expect("facts");
    assert!(
        facts.iter().any(|f| matches!(
            &f.fact,
            zhucan_domain::ledger::Fact::RehabService { service, institution, .. }
                if service == "孤独症康复" && institution.as_deref() == Some("星星康复中心")
        )),
        "{facts:?}"
    );
    let settlement = Settlement {
        institution_id: STAR.into(),
        month: "2026-02".into(),
        children: 1,
        amount_fen: 200_000,
        lines: vec![],
        settled_by: "test".into(),
        settled_at: String::new(),
    };
    assert!(
        s.settle(&settlement, &test_event("s"))
            .await
            .expect("settle")
    );
    assert!(
        !s.settle(&settlement, &test_event("s"))
            .await
            .expect("settle")
    );
    assert_eq!(
        s.record(&rec(d(2026, 2, 28)), None, &actor, &test_event("r"))
            .await
            .expect("r"),
        Recorded::Settled
    );
    assert_eq!(s.settlements("2026-02").await.expect("s").len(), 1);
    // The exit: once.
    assert!(
        s.exit_designation(STAR, d(2026, 6, 30), "考核不合格", "test", &test_event("x"))
            .await
            .expect("exit")
    );
    assert!(
        !s.exit_designation(STAR, d(2026, 7, 1), "again", "test", &test_event("x"))
            .await
            .expect("exit")
    );
    let des = s.designation(STAR).await.expect("d").expect("exists");
    assert!(des.in_force(d(2026, 6, 29)) && !des.in_force(d(2026, 6, 30)));
    let p = s.placement(&pid).await.expect("p").expect("exists");
    assert!(
        s.end_placement(&p, d(2026, 6, 30), "机构退出", &actor, &test_event("e"))
            .await
            .expect("end")
    );
    assert!(
        !s.end_placement(&p, d(2026, 6, 30), "again", &actor, &test_event("e"))
            .await
            .expect("end")
    );
    assert_eq!(s.open_at(STAR).await.expect("open"), 0);
}

/// Uploads `csv` as the institution's month.
async fn upload(app: &TestApp, c: &reqwest::Client, csv: &str) -> reqwest::Response {
    let page = page_text(c, &app.url("/rehab/institution")).await;
    let mut f = reqwest::multipart::Form::new().text("_csrf", csrf_of(&page));
    if !csv.is_empty() {
        f = f.part(
            "file",
            reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("month.csv"),
        );
    }
    c.post(app.url("/rehab/institution/import"))
        .multipart(f)
        .send()
        .await
        .expect("upload")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_institution_imports_its_month_whole_or_not_at_all() {
    let w = setup().await;
    let app = &w.app;
    let admin = app.token("admin").await;
    let yq = app.browser("yq").await;
    let start = last_month().to_string();
    let kid_id = w.kid.person.citizen_id.as_str().to_string();
    let r = post_form(
        app,
        &yq,
        "/rehab",
        "/rehab/placements",
        &[
            ("p_citizen_id", &kid_id),
            ("p_institution", STAR),
            ("p_service", "intellectual"),
            ("p_started_on", &start),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let before = crate::support::indicator(app, &admin, "331003107", "rehab_coverage").await;
    let star = app.browser("star").await;
    let head = "公民身份号码,姓名,服务日期,服务类型,服务机构\n";
    let now = today().to_string();
    let kid2 = w.kid2.person.citizen_id.as_str().to_string();

    // Nothing chosen; a child not placed here; another service; a bad date: all named, by
    // row, and nothing is written.
    let r = upload(app, &star, "").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("请选择要导入的文件"));
    let bad = format!(
        "{head}{kid_id},李小星,{now},智力康复训练,星星康复中心\n{kid2},王小月,{now},智力康复训练,星星康复中心\n{kid_id},李小星,{now},孤独症康复,星星康复中心\n{kid_id},李小星,2026-13-01,智力康复训练,星星康复中心\n"
    );
    let r = upload(app, &star, &bad).await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("t");
    assert!(
        body.contains("第 3 行") && body.contains("不是本机构安置的儿童"),
        "{body}"
    );
    assert!(
        body.contains("第 4 行") && body.contains("与安置的服务"),
        "{body}"
    );
    assert!(body.contains("第 5 行"), "{body}");
    assert!(
        app.db
            .store
            .records_at(STAR, &Month::of(today()).key())
            .await
            .expect("r")
            .is_empty()
    );
    assert_eq!(
        crate::support::indicator(app, &admin, "331003107", "rehab_coverage").await,
        before
    );

    // The right file: written, and the indicator moves by the one child.
    let good = format!(
        "{head}{kid_id},李小星,{now},智力康复训练,星星康复中心\n{kid_id},李小星,{start},智力康复训练,\n"
    );
    let r = upload(app, &star, &good).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/rehab/institution?imported=2&skipped=0");
    let page = page_text(&star, &app.url(&location(&r))).await;
    assert!(page.contains("已导入 2 条服务记录"), "{page}");
    let after = crate::support::indicator(app, &admin, "331003107", "rehab_coverage").await;
    assert_eq!(after.0, before.0 + 1);
    // Sent again with a row added: the old rows are skipped.
    let more = format!(
        "{good}{kid_id},李小星,{},智力康复训练,星星康复中心\n",
        last_month() + chrono::Days::new(2)
    );
    let r = upload(app, &star, &more).await;
    assert_eq!(location(&r), "/rehab/institution?imported=1&skipped=2");
    let q = zhucan_store::audit::AuditQuery {
        action: Some("rehab.import".into()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(audit_rows(&app.db.store, &q, 2).await.len(), 2);
    // Staff can't post to the institution's import.
    let r = yq
        .post(app.url("/rehab/institution/import"))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stated_rehab_needs_are_taken_by_a_placement_or_an_adult_record_and_met_by_the_service() {
    use zhucan_service::rules::NeedKind;
    let w = setup().await;
    let app = &w.app;
    let stated = |p: &PersonRecord, kind: NeedKind, words: &'static str| {
        let store = app.db.store.clone();
        let p = p.clone();
        async move {
            let actor = Actor {
                name: "citizen",
                source: "service end",
            };
            store
                .record_need(
                    &p.person.citizen_id,
                    kind,
                    words,
                    "citizen",
                    p.person.home_area(),
                    &actor,
                )
                .await
                .expect("need")
        }
    };
    let kid_need = stated(&w.kid, NeedKind::Rehab, "孩子想做康复训练").await;
    let adult_need = stated(&w.adult, NeedKind::Rehab, "想要精神康复指导").await;
    let device = stated(&w.adult, NeedKind::Device, "需要轮椅").await;
    let yq = app.browser("yq").await;
    let page = page_text(&yq, &app.url("/rehab")).await;
    for n in [&kid_need, &adult_need] {
        assert!(page.contains(&format!("/rehab?need={}", n.id)), "{page}");
    }
    assert!(!page.contains("需要轮椅"), "a device need is not rehab's");
    let dc = app.browser("dc").await;
    let r = dc
        .get(app.url(&format!("/rehab?need={}", kid_need.id)))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 404, "another township cannot take it");
    let r = yq
        .get(app.url(&format!("/rehab?need={}", device.id)))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 404);

    // A child's need fills the placement form; an adult's the adult form.
    let kid_id = w.kid.person.citizen_id.as_str().to_string();
    let adult_id = w.adult.person.citizen_id.as_str().to_string();
    let take_kid = format!("/rehab?need={}", kid_need.id);
    let filled = page_text(&yq, &app.url(&take_kid)).await;
    assert!(
        filled.contains("name=\"p_need\"") && filled.contains(&format!("value=\"{kid_id}\"")),
        "{filled}"
    );
    let take_adult = format!("/rehab?need={}", adult_need.id);
    let filled = page_text(&yq, &app.url(&take_adult)).await;
    assert!(
        filled.contains("name=\"a_need\"") && filled.contains(&format!("value=\"{adult_id}\"")),
        "{filled}"
    );

    // The placement takes the child's need; another child's placement cannot.
    let start = last_month().to_string();
    let place = |who: &str| {
        vec![
            ("p_citizen_id", who.to_string()),
            ("p_institution", STAR.to_string()),
            ("p_service", "autism".to_string()),
            ("p_started_on", start.clone()),
            ("p_need", kid_need.id.clone()),
        ]
    };
    let wrong = place(w.kid2.person.citizen_id.as_str());
    let wrong: Vec<(&str, &str)> = wrong.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = post_form(app, &yq, &take_kid, "/rehab/placements", &wrong).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("不是提出该需求的人"));
    assert!(
        app.db
            .store
            .placements_in("331003")
            .await
            .expect("p")
            .is_empty()
    );
    let right = place(&kid_id);
    let right: Vec<(&str, &str)> = right.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = post_form(app, &yq, &take_kid, "/rehab/placements", &right).await;
    assert_eq!(r.status(), 303);
    let placement = location(&r);
    let pid = placement.rsplit('/').next().unwrap_or_default().to_string();
    let n = app
        .db
        .store
        .need(&kid_need.id)
        .await
        .expect("n")
        .expect("e");
    assert_eq!(n.status, "triaged");
    assert_eq!(
        n.case_ref.as_deref(),
        Some(format!("rehab.placement:{pid}").as_str())
    );
    assert!(!page_text(&yq, &app.url("/rehab")).await.contains(&take_kid));
    // Its first session meets it.
    let r = post_form(
        app,
        &yq,
        &placement,
        &format!("{placement}/records"),
        &[("r_served_on", &start), ("r_sessions", "4")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let n = app
        .db
        .store
        .need(&kid_need.id)
        .await
        .expect("n")
        .expect("e");
    assert_eq!(n.status, "closed");
    assert!(
        n.outcome
            .as_deref()
            .is_some_and(|o| o.contains("星星康复中心")),
        "{n:?}"
    );

    // The adult's record takes and meets the need at once.
    let now = today().to_string();
    let r = post_form(
        app,
        &yq,
        &take_adult,
        "/rehab/records",
        &[
            ("a_citizen_id", &adult_id),
            ("a_service", "mental"),
            ("a_served_on", &now),
            ("a_sessions", "1"),
            ("a_need", &adult_need.id),
        ],
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let n = app
        .db
        .store
        .need(&adult_need.id)
        .await
        .expect("n")
        .expect("e");
    assert_eq!(n.status, "closed");
    assert!(
        n.case_ref
            .as_deref()
            .is_some_and(|c| c.starts_with("rehab.record:"))
    );
    // Once met it cannot be taken again: named, nothing written.
    let r = post_form(
        app,
        &yq,
        "/rehab",
        "/rehab/records",
        &[
            ("a_citizen_id", &adult_id),
            ("a_service", "community"),
            ("a_served_on", &now),
            ("a_sessions", "1"),
            ("a_need", &adult_need.id),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        app.db
            .store
            .records_of_person(&w.adult.person.citizen_id, 10)
            .await
            .expect("r")
            .len(),
        1
    );
    // The device need is untouched.
    let n = app.db.store.need(&device.id).await.expect("n").expect("e");
    assert!(n.case_ref.is_none() && n.status == "open");
}
