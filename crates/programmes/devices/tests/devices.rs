//! Assistive devices end to end over HTTP: a device is assessed, approved, fitted at the
//! subsidy the household's status gives (under the item's cap) and followed up — and
//! indicator 12 moves by exactly that person; an item of a service point's stock is lent,
//! reminded when overdue, renewed and taken back for repair; bad input is named and nothing
//! is written; staff of another township reach nothing of it.

#[allow(unused_imports)]
use crate::support::prelude::*;
use chrono::{Days, NaiveDate};
use zhucan_devices::rules::Condition;
use zhucan_devices::store::{Lent, Loan, StockItem};
use zhucan_domain::institution::{Institution, InstitutionKind};
use zhucan_domain::person::{EconomicStatus, PersonRecord};
use zhucan_store::Role;
use zhucan_store::registry::Actor;

use crate::support::{
    TestApp, TestDb, audit_rows, d, location, page_text, post_form, put, record, test_event, user,
};

const POINT: &str = "331003107/院桥辅具服务点";

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn point() -> Institution {
    Institution {
        name: "院桥辅具服务点".into(),
        kind: InstitutionKind::DeviceService,
        township: zhucan_domain::AreaCode::parse("331003107").expect("township"),
        standardized: true,
        designated: false,
        beds: None,
        stars: None,
        opened_on: d(2015, 1, 1),
        closed_on: None,
        decisions: Vec::new(),
    }
}

fn person(name: &str, seq: u32, category: zhucan_domain::Category) -> PersonRecord {
    let mut r = record(
        name,
        d(1970, 4, 5),
        seq,
        "331003107",
        category,
        zhucan_domain::Grade::Two,
    );
    r.survey.needs_device = Some(true);
    r.survey.device_fitted = Some(false);
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_is_fitted_and_lent_and_indicator_12_moves_by_exactly_that_person() {
    let db = TestDb::sqlite().await;
    let walker = person("钱轮椅", 31, zhucan_domain::Category::Physical);
    let mut deaf = person("孙听", 32, zhucan_domain::Category::Hearing);
    deaf.survey.economic_status = Some(EconomicStatus::Dibao);
    let borrower = person("李借", 33, zhucan_domain::Category::Physical);
    put(&db.store, &[walker.clone(), deaf.clone(), borrower.clone()]).await;
    db.store
        .upsert_institutions(&[point()])
        .await
        .expect("point");
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    user(&db.store, "dc", Role::TownshipStaff, "331003001").await;
    user(&db.store, "admin", Role::DistrictAdmin, "331003").await;
    let app = TestApp::start(db).await;
    let admin = app.token("admin").await;
    let before = crate::support::indicator(&app, &admin, "331003107", "device_fitting")
        .await
        .0;
    let before_district = crate::support::indicator(&app, &admin, "331003", "device_fitting")
        .await
        .0;
    let yq = app.browser("yq").await;
    let wid = walker.person.citizen_id.as_str().to_string();
    let now = today().to_string();

    // A hearing aid does not suit a physical disability: named, nothing written.
    let r = post_form(
        &app,
        &yq,
        "/devices",
        "/devices/cases",
        &[
            ("c_citizen_id", &wid),
            ("c_item", "hearing_aid"),
            ("c_assessed_on", &now),
            ("c_assessment", "需要助听"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("t");
    assert!(body.contains("助听器不适用于肢体残疾"), "{body}");
    assert!(body.contains("需要助听"), "what was typed is kept");
    assert!(
        app.db
            .store
            .device_cases_in("331003")
            .await
            .expect("c")
            .is_empty()
    );

    // Assessed, approved, fitted above the cap: the ratio of the cap.
    let r = post_form(
        &app,
        &yq,
        "/devices",
        "/devices/cases",
        &[
            ("c_citizen_id", &wid),
            ("c_item", "wheelchair"),
            ("c_assessed_on", &now),
            ("c_assessment", "下肢无力，需轮椅代步"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let page = location(&r);
    let id = page.rsplit('/').next().expect("id").to_string();
    let act = format!("/devices/cases/{id}/act");
    let r = post_form(&app, &yq, &page, &act, &[("action", "approve")]).await;
    assert_eq!(r.status(), 303);
    let fit_page = page_text(&yq, &app.url(&page)).await;
    assert!(fit_page.contains("补贴 50%"), "{fit_page}");
    let r = post_form(
        &app,
        &yq,
        &page,
        &act,
        &[("fitted_on", &now), ("price_yuan", "两千")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("“两千”不是有效金额"));
    assert_eq!(
        crate::support::indicator(&app, &admin, "331003107", "device_fitting")
            .await
            .0,
        before
    );
    let r = post_form(
        &app,
        &yq,
        &page,
        &act,
        &[("fitted_on", &now), ("price_yuan", "2000")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let c = app
        .db
        .store
        .device_case(&id)
        .await
        .expect("c")
        .expect("case");
    assert_eq!(c.subsidy_fen, Some(75_000), "50% of the 1500-yuan cap");
    assert_eq!(c.followup_due, today().checked_add_days(Days::new(30)));
    assert_eq!(
        crate::support::indicator(&app, &admin, "331003107", "device_fitting")
            .await
            .0,
        before + 1
    );
    assert_eq!(
        crate::support::indicator(&app, &admin, "331003", "device_fitting")
            .await
            .0,
        before_district + 1
    );
    // The follow-up.
    let r = post_form(
        &app,
        &yq,
        &page,
        &act,
        &[("followed_on", "2020-01-01"), ("note", "使用良好")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("早于适配日期"));
    let r = post_form(
        &app,
        &yq,
        &page,
        &act,
        &[("followed_on", &now), ("note", "使用良好")],
    )
    .await;
    assert_eq!(r.status(), 303);

    // A 低保 household's hearing aid against an invoice: in full.
    let did = deaf.person.citizen_id.as_str().to_string();
    let r = post_form(
        &app,
        &yq,
        "/devices",
        "/devices/cases",
        &[
            ("c_citizen_id", &did),
            ("c_item", "hearing_aid"),
            ("c_assessed_on", &now),
            ("c_assessment", "双耳中度听损"),
        ],
    )
    .await;
    let page2 = location(&r);
    let act2 = format!("{page2}/act");
    post_form(&app, &yq, &page2, &act2, &[("action", "approve")]).await;
    let r = post_form(
        &app,
        &yq,
        &page2,
        &act2,
        &[("fitted_on", &now), ("price_yuan", "3000")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let id2 = page2.rsplit('/').next().expect("id").to_string();
    let c2 = app
        .db
        .store
        .device_case(&id2)
        .await
        .expect("c")
        .expect("case");
    assert_eq!(c2.subsidy_fen, Some(300_000));
    assert!(c2.ratio_basis.as_deref().unwrap_or("").contains("低保"));

    // Another township's staff reach nothing of it.
    let dc = app.browser("dc").await;
    let r = dc.get(app.url(&page)).send().await.expect("r");
    assert_eq!(r.status(), 404);

    // The stock: the district adds an item; a point that is not one is named.
    let admin_c = app.browser("admin").await;
    let r = post_form(
        &app,
        &admin_c,
        "/devices/stock",
        "/devices/stock",
        &[
            ("s_code", "W-001"),
            ("s_point", "331003107/不存在"),
            ("s_item", "wheelchair"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("不是辅具服务点"));
    let r = post_form(
        &app,
        &admin_c,
        "/devices/stock",
        "/devices/stock",
        &[
            ("s_code", "W-001"),
            ("s_point", POINT),
            ("s_item", "wheelchair"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);

    // Lent 100 days ago (90 days' loan): overdue; the loan counts its borrower at once.
    let bid = borrower.person.citizen_id.as_str().to_string();
    let before_loan = crate::support::indicator(&app, &admin, "331003107", "device_fitting")
        .await
        .0;
    let lent = (today() - Days::new(100)).to_string();
    let r = post_form(
        &app,
        &yq,
        "/devices",
        "/devices/loans",
        &[
            ("l_citizen_id", &bid),
            ("l_code", "W-001"),
            ("l_lent_on", &lent),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        crate::support::indicator(&app, &admin, "331003107", "device_fitting")
            .await
            .0,
        before_loan + 1
    );
    let loan_page = location(&r);
    let loan_id = loan_page.rsplit('/').next().expect("id").to_string();
    let r = post_form(
        &app,
        &yq,
        "/devices",
        "/devices/loans",
        &[
            ("l_citizen_id", &wid),
            ("l_code", "W-001"),
            ("l_lent_on", &now),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("已借出"));
    let overview = page_text(&yq, &app.url("/devices")).await;
    assert!(overview.contains("其中逾期 1 件"), "{overview}");
    // The overdue loan stands in the borrower's file, flagged and linked for staff, and on
    // the service end's own file in plain words.
    let handle = crate::support::handle_of(&app, &borrower).await;
    let file = page_text(&yq, &app.url(&format!("/persons/{handle}"))).await;
    assert!(
        file.contains("id=\"sec-devices\"")
            && file.contains(&format!("href=\"{loan_page}\""))
            && file.contains("辅具借用：")
            && file.contains("已逾期，应于")
            && file.contains("需要处理"),
        "{file}"
    );
    crate::support::citizen(&app.db.store, "borrower", &borrower.person.citizen_id).await;
    let me = page_text(&app.browser("borrower").await, &app.url("/me")).await;
    assert!(
        me.contains("辅具借用：") && me.contains("已逾期，应于"),
        "{me}"
    );
    assert!(!me.contains("/devices/loans/"), "no staff link: {me}");

    // Reminded once, then not again within the week.
    assert_eq!(
        zhucan_devices::remind::remind_overdue(&app.db.store, today())
            .await
            .expect("remind"),
        1
    );
    assert_eq!(
        zhucan_devices::remind::remind_overdue(&app.db.store, today())
            .await
            .expect("remind"),
        0
    );
    let msgs = app
        .db
        .store
        .messages_of(std::slice::from_ref(&borrower.person.citizen_id), 10)
        .await
        .expect("messages");
    assert!(format!("{msgs:?}").contains("已超过归还日期"), "{msgs:?}");

    // Renewed: due 30 days from today; not marked for repair while out.
    let r = post_form(
        &app,
        &yq,
        &loan_page,
        &format!("/devices/loans/{loan_id}/renew"),
        &[("days", "30")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let l = app.db.store.loan(&loan_id).await.expect("l").expect("loan");
    assert_eq!((l.due_on, l.renewals), (today() + Days::new(30), 1));
    let r = post_form(
        &app,
        &yq,
        "/devices/stock",
        "/devices/stock/condition",
        &[("k_code", "W-001"), ("k_condition", "repair")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("正在借出"));
    // Returned for repair: no longer lendable.
    let r = post_form(
        &app,
        &yq,
        &loan_page,
        &format!("/devices/loans/{loan_id}/return"),
        &[("returned_on", &now), ("condition", "repair")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let s = app
        .db
        .store
        .stock_item("W-001")
        .await
        .expect("s")
        .expect("item");
    assert_eq!(s.condition, Condition::Repair);
    let r = post_form(
        &app,
        &yq,
        "/devices",
        "/devices/loans",
        &[
            ("l_citizen_id", &wid),
            ("l_code", "W-001"),
            ("l_lent_on", &now),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let stock = page_text(&yq, &app.url("/devices/stock")).await;
    assert!(stock.contains("维修中"), "{stock}");

    // The API lists the area's cases and loans, masked.
    let v: serde_json::Value = reqwest::Client::new()
        .get(app.url("/api/v1/devices"))
        .bearer_auth(app.token("yq").await)
        .send()
        .await
        .expect("api")
        .json()
        .await
        .expect("json");
    assert_eq!(v["cases"].as_array().map(Vec::len), Some(2), "{v}");
    assert_eq!(v["loans"].as_array().map(Vec::len), Some(1), "{v}");
    assert!(!v.to_string().contains(&wid));

    // The export: a workbook, audited.
    let r = post_form(&app, &yq, "/devices", "/devices/export", &[]).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("spreadsheetml"))
    );
    assert!(r.bytes().await.expect("b").starts_with(b"PK"));
    for a in [
        "devices.export",
        "devices.assess",
        "devices.approve",
        "devices.fit",
        "devices.follow_up",
        "devices.lend",
        "devices.renew",
        "devices.return",
        "devices.stock.add",
    ] {
        let q = zhucan_store::audit::AuditQuery {
            action: Some(a.into()),
            limit: 10,
            ..Default::default()
        };
        assert!(!audit_rows(&app.db.store, &q, 1).await.is_empty(), "{a}");
    }
}

// The loan rules of the store on both backends.
crate::contract!(loans_hold_their_rules);

async fn loans_hold_their_rules(db: TestDb) {
    let p = person("甲", 41, zhucan_domain::Category::Physical);
    put(&db.store, std::slice::from_ref(&p)).await;
    let s = &db.store;
    s.upsert_institutions(&[point()]).await.expect("point");
    let item = StockItem {
        code: "C-1".into(),
        point_id: POINT.into(),
        item_key: "crutches".into(),
        condition: Condition::Good,
        note: String::new(),
    };
    assert!(
        s.add_stock(&item, "test", &test_event("a"))
            .await
            .expect("add")
    );
    assert!(
        !s.add_stock(&item, "test", &test_event("a"))
            .await
            .expect("add")
    );
    let actor = Actor {
        name: "test",
        source: "form",
    };
    let loan = Loan {
        id: String::new(),
        code: "C-1".into(),
        citizen_id: p.person.citizen_id.clone(),
        area_code: "331003107".into(),
        lent_on: d(2026, 1, 1),
        due_on: d(2026, 3, 1),
        returned_on: None,
        renewals: 0,
        return_condition: None,
        reminded_on: None,
        lent_by: "test".into(),
    };
    let Lent::Done(id) = s
        .lend(&loan, "拐杖", &actor, &test_event("l"))
        .await
        .expect("lend")
    else {
        panic!("lent");
    };
    assert_eq!(
        s.lend(&loan, "拐杖", &actor, &test_event("l"))
            .await
            .expect("lend"),
        Lent::NotAvailable
    );
    assert_eq!(s.open_loans().await.expect("open").len(), 1);
    assert!(
        !s.set_condition("C-1", Condition::Repair, "", &test_event("c"))
            .await
            .expect("condition")
    );
    let l = s.loan(&id).await.expect("l").expect("loan");
    assert!(
        s.renew(&l, d(2026, 4, 1), "拐杖", &actor, &test_event("r"))
            .await
            .expect("renew")
    );
    assert!(
        !s.renew(&l, d(2026, 5, 1), "拐杖", &actor, &test_event("r"))
            .await
            .expect("renew"),
        "a stale renewal (the count moved) writes nothing"
    );
    let l = s.loan(&id).await.expect("l").expect("loan");
    assert!(
        s.return_loan(
            &l,
            d(2026, 3, 15),
            Condition::Fair,
            "拐杖",
            &actor,
            &test_event("b")
        )
        .await
        .expect("return")
    );
    assert!(
        !s.return_loan(
            &l,
            d(2026, 3, 15),
            Condition::Fair,
            "拐杖",
            &actor,
            &test_event("b")
        )
        .await
        .expect("return")
    );
    assert!(s.open_loans().await.expect("open").is_empty());
    // The ledger's loan is the latest: returned.
    let ledger =
        zhucan_domain::ledger::current(s.ledger_of(&p.person.citizen_id).await.expect("l"));
    let loans: Vec<_> = ledger
        .iter()
        .filter_map(|e| match &e.fact {
            zhucan_domain::ledger::Fact::DeviceLoan {
                due_on,
                returned_on,
                ..
            } => Some((*due_on, *returned_on)),
            _ => None,
        })
        .collect();
    assert_eq!(loans, vec![(d(2026, 4, 1), Some(d(2026, 3, 15)))]);
    assert!(
        s.set_condition("C-1", Condition::Retired, "车架断裂", &test_event("c"))
            .await
            .expect("condition")
    );
    assert_eq!(
        s.lend(
            &Loan {
                lent_on: d(2026, 4, 1),
                ..loan.clone()
            },
            "拐杖",
            &actor,
            &test_event("l")
        )
        .await
        .expect("lend"),
        Lent::NotAvailable
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_end_application_is_answered_by_its_case() {
    let db = TestDb::sqlite().await;
    let me = person("周申请", 51, zhucan_domain::Category::Physical);
    put(&db.store, std::slice::from_ref(&me)).await;
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    user(&db.store, "dc", Role::TownshipStaff, "331003001").await;
    let def = db
        .store
        .service("device")
        .await
        .expect("s")
        .expect("device")
        .0;
    let answers = std::collections::BTreeMap::from([
        ("device".to_string(), "wheelchair".to_string()),
        ("contact_phone".to_string(), "13812345678".to_string()),
    ]);
    let area = me.person.home_area().clone();
    let app_id = db
        .store
        .submit_application(
            &me.person.citizen_id,
            &def,
            &area,
            &answers,
            &[],
            today(),
            &Actor {
                name: "citizen",
                source: "form",
            },
        )
        .await
        .expect("application")
        .id;
    let app = TestApp::start(db).await;
    let yq = app.browser("yq").await;
    let page = page_text(&yq, &app.url("/devices")).await;
    assert!(
        page.contains("周申请") && page.contains(&format!("/devices?from={app_id}")),
        "{page}"
    );
    // Another township cannot open it.
    let dc = app.browser("dc").await;
    let r = dc
        .get(app.url(&format!("/devices?from={app_id}")))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 404);
    let from = format!("/devices?from={app_id}");
    let filled = page_text(&yq, &app.url(&from)).await;
    let id = me.person.citizen_id.as_str().to_string();
    assert!(filled.contains(&format!("value=\"{id}\"")), "{filled}");
    assert!(filled.contains("name=\"c_application\""));
    let now = today().to_string();
    let r = post_form(
        &app,
        &yq,
        &from,
        "/devices/cases",
        &[
            ("c_citizen_id", &id),
            ("c_item", "wheelchair"),
            ("c_assessed_on", &now),
            ("c_assessment", "需轮椅"),
            ("c_application", &app_id),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let case = location(&r);
    let act = format!("{case}/act");
    // No longer pending once a case answers it.
    assert!(
        !page_text(&yq, &app.url("/devices"))
            .await
            .contains(&format!("/devices?from={app_id}"))
    );
    post_form(&app, &yq, &case, &act, &[("action", "approve")]).await;
    let r = post_form(
        &app,
        &yq,
        &case,
        &act,
        &[("fitted_on", &now), ("price_yuan", "1000")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let a = app
        .db
        .store
        .application(&app_id)
        .await
        .expect("a")
        .expect("exists");
    assert_eq!(a.status, "approved", "the fitting approves the application");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stated_need_is_taken_by_a_case_and_met_by_the_fitting() {
    use zhucan_service::rules::NeedKind;
    let db = TestDb::sqlite().await;
    let me = person("钱需求", 52, zhucan_domain::Category::Physical);
    let other = person("孙别人", 53, zhucan_domain::Category::Physical);
    put(&db.store, &[me.clone(), other.clone()]).await;
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    user(&db.store, "dc", Role::TownshipStaff, "331003001").await;
    let actor = Actor {
        name: "citizen",
        source: "form",
    };
    let area = me.person.home_area().clone();
    let need = db
        .store
        .record_need(
            &me.person.citizen_id,
            NeedKind::Device,
            "出门需要轮椅",
            "citizen",
            &area,
            &actor,
        )
        .await
        .expect("need");
    // A need of another kind is not the programme's.
    let rehab = db
        .store
        .record_need(
            &me.person.citizen_id,
            NeedKind::Rehab,
            "想做康复",
            "citizen",
            &area,
            &actor,
        )
        .await
        .expect("need");
    let app = TestApp::start(db).await;
    let yq = app.browser("yq").await;
    let take = format!("/devices?need={}", need.id);
    let page = page_text(&yq, &app.url("/devices")).await;
    assert!(
        page.contains("出门需要轮椅") && page.contains(&take),
        "{page}"
    );
    assert!(!page.contains("想做康复"), "{page}");
    // Another township cannot take it; a rehab need is not a device need.
    let dc = app.browser("dc").await;
    let r = dc.get(app.url(&take)).send().await.expect("r");
    assert_eq!(r.status(), 404);
    let r = yq
        .get(app.url(&format!("/devices?need={}", rehab.id)))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 404);
    let filled = page_text(&yq, &app.url(&take)).await;
    let id = me.person.citizen_id.as_str().to_string();
    assert!(filled.contains(&format!("value=\"{id}\"")), "{filled}");
    assert!(filled.contains("name=\"c_need\""), "{filled}");
    let now = today().to_string();
    // The need is not someone else's: named, nothing written.
    let r = post_form(
        &app,
        &yq,
        &take,
        "/devices/cases",
        &[
            ("c_citizen_id", other.person.citizen_id.as_str()),
            ("c_item", "wheelchair"),
            ("c_assessed_on", &now),
            ("c_assessment", "需轮椅"),
            ("c_need", &need.id),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(
        app.db
            .store
            .device_cases_of(&other.person.citizen_id)
            .await
            .expect("cases")
            .is_empty()
    );
    let r = post_form(
        &app,
        &yq,
        &take,
        "/devices/cases",
        &[
            ("c_citizen_id", &id),
            ("c_item", "wheelchair"),
            ("c_assessed_on", &now),
            ("c_assessment", "需轮椅"),
            ("c_need", &need.id),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let case = location(&r);
    let n = app.db.store.need(&need.id).await.expect("n").expect("need");
    assert_eq!(n.status, "triaged");
    assert!(
        n.case_ref
            .as_deref()
            .is_some_and(|c| case.ends_with(c.trim_start_matches("devices.case:")))
    );
    // Taken: no longer waiting.
    assert!(!page_text(&yq, &app.url("/devices")).await.contains(&take));
    let act = format!("{case}/act");
    post_form(&app, &yq, &case, &act, &[("action", "approve")]).await;
    let r = post_form(
        &app,
        &yq,
        &case,
        &act,
        &[("fitted_on", &now), ("price_yuan", "1000")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let n = app.db.store.need(&need.id).await.expect("n").expect("need");
    assert_eq!(n.status, "closed", "the fitting meets the need");
    assert!(n.outcome.as_deref().is_some_and(|o| o.contains("适配")));
    let msgs = app
        .db
        .store
        .messages_of(std::slice::from_ref(&me.person.citizen_id), 10)
        .await
        .expect("messages");
    assert!(msgs.iter().any(|m| m.title == "您的需求已办结"));
    // The rehab need is untouched.
    let r = app
        .db
        .store
        .need(&rehab.id)
        .await
        .expect("n")
        .expect("need");
    assert_eq!(r.status, "open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalogue_terms_are_changed_by_the_district_audited_and_used_at_once() {
    let db = TestDb::sqlite().await;
    user(&db.store, "admin", Role::DistrictAdmin, "331003").await;
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    let app = TestApp::start(db).await;
    let yq = app.browser("yq").await;
    let page = page_text(&yq, &app.url("/devices/catalogue")).await;
    assert!(page.contains("轮椅") && page.contains("1500.00"), "{page}");
    assert!(
        !page.contains("i_cap_yuan"),
        "township staff read, do not edit"
    );
    let admin = app.browser("admin").await;
    let terms = |cap: &'static str, days: &'static str| {
        vec![
            ("i_item", "wheelchair"),
            ("i_cap_yuan", cap),
            ("i_loan_days", days),
            ("i_max_renewals", "1"),
            ("i_followup_days", "45"),
            ("i_active", "yes"),
        ]
    };
    // Bad values are named with what was typed, and nothing changes.
    let r = post_form(
        &app,
        &admin,
        "/devices/catalogue",
        "/devices/catalogue",
        &terms("很多", "-3"),
    )
    .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("t");
    assert!(
        body.contains("“很多”不是有效的金额") && body.contains("“-3”应为 0 到 730 之间的整数"),
        "{body}"
    );
    let item = |app: &TestApp| {
        let store = app.db.store.clone();
        async move {
            zhucan_devices::store::DevicesStore::device_item(&store, "wheelchair")
                .await
                .expect("item")
                .expect("wheelchair")
        }
    };
    assert_eq!(item(&app).await.cap_fen, 150_000);
    let r = post_form(
        &app,
        &admin,
        "/devices/catalogue",
        "/devices/catalogue",
        &terms("1800", "60"),
    )
    .await;
    assert_eq!(r.status(), 303);
    let w = item(&app).await;
    assert_eq!(
        (
            w.cap_fen,
            w.loan_days,
            w.max_renewals,
            w.followup_days,
            w.loanable
        ),
        (180_000, 60, 1, 45, true)
    );
    let q = zhucan_store::audit::AuditQuery {
        action: Some("devices.catalogue.terms".into()),
        limit: 10,
        ..Default::default()
    };
    let rows = audit_rows(&app.db.store, &q, 1).await;
    assert_eq!(rows.len(), 1);
    // Township staff cannot change it.
    let r = post_form(
        &app,
        &yq,
        "/devices/catalogue",
        "/devices/catalogue",
        &terms("1", "0"),
    )
    .await;
    assert_eq!(r.status(), 403);
    // Withdrawn, it is no longer offered to new cases.
    let mut off = terms("1800", "0");
    off[5] = ("i_active", "no");
    let r = post_form(
        &app,
        &admin,
        "/devices/catalogue",
        "/devices/catalogue",
        &off,
    )
    .await;
    assert_eq!(r.status(), 303);
    let offered = zhucan_devices::store::DevicesStore::device_items(&app.db.store)
        .await
        .expect("items");
    assert!(!offered.iter().any(|i| i.key == "wheelchair"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_district_adds_a_catalogue_item_named_errors_first_then_offered_and_audited() {
    let db = TestDb::sqlite().await;
    user(&db.store, "admin", Role::DistrictAdmin, "331003").await;
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    let app = TestApp::start(db).await;
    let admin = app.browser("admin").await;
    let form = |key: &'static str, suits: &'static str, cap: &'static str| {
        vec![
            ("n_key", key),
            ("n_label", "洗澡椅"),
            ("n_label_en", "bath chair"),
            ("n_kind", "daily"),
            ("n_suits", suits),
            ("n_mode", "in_kind"),
            ("n_cap_yuan", cap),
            ("n_loan_days", "0"),
            ("n_max_renewals", "0"),
            ("n_followup_days", "30"),
        ]
    };
    let path = "/devices/catalogue/items";
    let r = post_form(
        &app,
        &admin,
        "/devices/catalogue",
        path,
        &form("Bath-Chair", "肢体、飞行", "0"),
    )
    .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("t");
    assert!(
        body.contains("“Bath-Chair”不是有效的目录项代码")
            && body.contains("“飞行”不是残疾类别")
            && body.contains("“0”不是有效的金额"),
        "{body}"
    );
    let r = post_form(
        &app,
        &admin,
        "/devices/catalogue",
        path,
        &form("wheelchair", "", "100"),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .expect("t")
            .contains("目录中已有代码为“wheelchair”的项")
    );
    let before = zhucan_devices::store::DevicesStore::device_items(&app.db.store)
        .await
        .expect("items")
        .len();
    let r = post_form(
        &app,
        &admin,
        "/devices/catalogue",
        path,
        &form("bath_chair", "肢体、多重", "260"),
    )
    .await;
    assert_eq!(r.status(), 303);
    let items = zhucan_devices::store::DevicesStore::device_items(&app.db.store)
        .await
        .expect("items");
    assert_eq!(items.len(), before + 1);
    let it = items.last().expect("last");
    assert_eq!(
        (it.key.as_str(), it.cap_fen, it.loanable),
        ("bath_chair", 26_000, false)
    );
    assert!(it.suits(zhucan_domain::disability::Category::Multiple));
    assert!(!it.suits(zhucan_domain::disability::Category::Hearing));
    let page = page_text(&admin, &app.url("/devices/catalogue")).await;
    assert!(
        page.contains("洗澡椅") && page.contains("生活自理辅具"),
        "{page}"
    );
    let q = zhucan_store::audit::AuditQuery {
        action: Some("devices.catalogue.add".into()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(audit_rows(&app.db.store, &q, 1).await.len(), 1);
    let yq = app.browser("yq").await;
    let r = post_form(
        &app,
        &yq,
        "/devices/catalogue",
        path,
        &form("x_chair", "", "1"),
    )
    .await;
    assert_eq!(r.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_point_lends_its_own_items_to_a_borrower_named_and_identified() {
    let db = TestDb::sqlite().await;
    let borrower = person("周借用", 51, zhucan_domain::Category::Physical);
    put(&db.store, std::slice::from_ref(&borrower)).await;
    let mut other = point();
    other.name = "澄江辅具服务点".into();
    other.township = zhucan_domain::AreaCode::parse("331003001").expect("township");
    let other_id = "331003001/澄江辅具服务点";
    db.store
        .upsert_institutions(&[point(), other])
        .await
        .expect("points");
    for (code, at) in [("P-1", POINT), ("P-2", POINT), ("Q-1", other_id)] {
        let item = StockItem {
            code: code.into(),
            point_id: at.into(),
            item_key: "wheelchair".into(),
            condition: Condition::Good,
            note: String::new(),
        };
        assert!(
            db.store
                .add_stock(&item, "test", &test_event("a"))
                .await
                .expect("stock")
        );
    }
    crate::support::org_account(&db.store, "yqpoint", POINT).await;
    crate::support::org_account(&db.store, "cjpoint", other_id).await;
    crate::support::org_account(&db.store, "loose", "331003107/某康复机构").await;
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    let app = TestApp::start(db).await;
    let bid = borrower.person.citizen_id.as_str().to_string();
    let now = today().to_string();

    // The point account starts on its own page, which lists its items only.
    let yqp = app.browser("yqpoint").await;
    let r = yqp.get(app.url("/")).send().await.expect("home");
    let first = location(&r);
    let r = yqp.get(app.url(&first)).send().await.expect("start");
    assert_eq!(location(&r), "/devices/point", "from {first} to its page");
    let page = page_text(&yqp, &app.url("/devices/point")).await;
    assert!(
        page.contains("院桥辅具服务点") && page.contains("P-1") && !page.contains("Q-1"),
        "{page}"
    );
    assert!(page.contains("本点库存 2 件；借出未还 0 件"), "{page}");

    // A wrong name and a right ID: one answer, the same as for an unknown ID; audited.
    let r = post_form(
        &app,
        &yqp,
        "/devices/point",
        "/devices/point/loans",
        &[
            ("l_citizen_id", &bid),
            ("l_name", "周别人"),
            ("l_code", "P-1"),
            ("l_lent_on", &now),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let text = r.text().await.expect("t");
    assert!(text.contains("姓名为“周别人”的持证残疾人"), "{text}");
    assert!(
        text.contains(&format!(
            "没有身份证号为 {}、",
            borrower.person.citizen_id.masked()
        )),
        "the message masks the ID: {text}"
    );
    let q = zhucan_store::audit::AuditQuery {
        action: Some("devices.point.lookup".into()),
        limit: 10,
        ..Default::default()
    };
    let rows = audit_rows(&app.db.store, &q, 1).await;
    assert!(format!("{rows:?}").contains("not_found"), "{rows:?}");

    // Another point's item is refused, and nothing is lent.
    let r = post_form(
        &app,
        &yqp,
        "/devices/point",
        "/devices/point/loans",
        &[
            ("l_citizen_id", &bid),
            ("l_name", "周借用"),
            ("l_code", "Q-1"),
            ("l_lent_on", &now),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(app.db.store.open_loans().await.expect("loans").is_empty());

    // Its own item, with the ID and name that match: lent, and shown with the borrower.
    let r = post_form(
        &app,
        &yqp,
        "/devices/point",
        "/devices/point/loans",
        &[
            ("l_citizen_id", &bid),
            ("l_name", "周借用"),
            ("l_code", "P-1"),
            ("l_lent_on", &now),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let loan_page = location(&r);
    let loan_id = loan_page.rsplit('/').next().expect("id").to_string();
    let l = app.db.store.loan(&loan_id).await.expect("l").expect("loan");
    assert_eq!((l.code.as_str(), l.lent_by.as_str()), ("P-1", "yqpoint"));
    let page = page_text(&yqp, &app.url("/devices/point")).await;
    assert!(
        page.contains("周借用") && page.contains(&format!("href=\"{loan_page}\"")),
        "{page}"
    );
    let shown = page_text(&yqp, &app.url(&loan_page)).await;
    assert!(
        shown.contains("周借用") && !shown.contains("href=\"/persons/"),
        "the name without a link into the registry: {shown}"
    );
    let q = zhucan_store::audit::AuditQuery {
        action: Some("devices.lend".into()),
        limit: 10,
        ..Default::default()
    };
    let rows = audit_rows(&app.db.store, &q, 1).await;
    assert!(format!("{rows:?}").contains("院桥辅具服务点"), "{rows:?}");

    // Another point sees nothing of the loan; a loose institution account lends nothing.
    let cjp = app.browser("cjpoint").await;
    let r = cjp.get(app.url(&loan_page)).send().await.expect("r");
    assert_eq!(r.status(), 404);
    let r = post_form(
        &app,
        &cjp,
        &loan_page,
        &format!("/devices/loans/{loan_id}/renew"),
        &[("days", "30")],
    )
    .await;
    assert_eq!(r.status(), 404);
    let loose = app.browser("loose").await;
    let r = post_form(
        &app,
        &loose,
        "/devices/point",
        "/devices/point/loans",
        &[
            ("l_citizen_id", &bid),
            ("l_name", "周借用"),
            ("l_code", "P-2"),
            ("l_lent_on", &now),
        ],
    )
    .await;
    assert_eq!(r.status(), 403);
    let r = loose.get(app.url(&loan_page)).send().await.expect("r");
    assert_eq!(r.status(), 404);

    // The point renews and takes back its own loan.
    let r = post_form(
        &app,
        &yqp,
        &loan_page,
        &format!("/devices/loans/{loan_id}/renew"),
        &[("days", "30")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let l = app.db.store.loan(&loan_id).await.expect("l").expect("loan");
    assert_eq!(l.renewals, 1);
    let r = post_form(
        &app,
        &yqp,
        &loan_page,
        &format!("/devices/loans/{loan_id}/return"),
        &[("returned_on", &now), ("condition", "good")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let l = app.db.store.loan(&loan_id).await.expect("l").expect("loan");
    assert_eq!(l.returned_on, Some(today()));

    // Township staff still lend the point's items from the programme's page.
    let yq = app.browser("yq").await;
    let r = post_form(
        &app,
        &yq,
        "/devices",
        "/devices/loans",
        &[
            ("l_citizen_id", &bid),
            ("l_code", "P-2"),
            ("l_lent_on", &now),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    // Staff have no point page.
    let r = yq.get(app.url("/devices/point")).send().await.expect("r");
    assert_eq!(r.status(), 403);
}
