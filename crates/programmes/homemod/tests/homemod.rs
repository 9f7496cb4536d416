//! Home modification end to end over HTTP: a household applies on the service end, staff
//! accept and survey, the contractor's own account records the works, staff accept them —
//! and indicator 13 moves by exactly that household; bad input is named and nothing is
//! half-written; a contractor reaches only its own projects.

#[allow(unused_imports)]
use crate::support::prelude::*;
use zhucan_domain::person::{EconomicStatus, PersonRecord};
use zhucan_store::Role;

use crate::support::{TestApp, TestDb, audit_rows, csrf_of, d, page_text, put, record, user};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\nnot-really-an-image";

fn event(action: &str) -> zhucan_store::audit::AuditEvent {
    zhucan_store::audit::AuditEvent {
        account: "test".into(),
        role: "system_admin".into(),
        area: "331003".into(),
        client: "test".into(),
        action: action.into(),
        object: "test".into(),
        outcome: "ok".into(),
        detail: serde_json::json!({}),
    }
}

async fn contractor(store: &zhucan_store::Store, username: &str, code: &str) {
    store
        .put_contractor(
            &zhucan_homemod::store::Contractor {
                code: code.into(),
                name: format!("{code} 建设有限公司"),
                contact: "0576-8400000".into(),
                active: true,
            },
            "test",
            &event("homemod.contractor.put"),
        )
        .await
        .expect("contractor");
    user(store, username, Role::Contractor, "331003").await;
    let u = store
        .user_by_username(username)
        .await
        .expect("lookup")
        .expect("exists");
    store
        .set_account_org(&u.id, Some(code), &event("account.org"))
        .await
        .expect("bind");
}

async fn setup(status: EconomicStatus) -> (TestApp, PersonRecord) {
    let db = TestDb::sqlite().await;
    let mut me = record(
        "王小明",
        d(1985, 3, 4),
        11,
        "331003107",
        zhucan_domain::Category::Physical,
        zhucan_domain::Grade::Two,
    );
    me.person.phone = Some("13912345678".into());
    me.survey.economic_status = Some(status);
    put(&db.store, std::slice::from_ref(&me)).await;
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    user(&db.store, "dc", Role::TownshipStaff, "331003001").await;
    user(&db.store, "admin", Role::DistrictAdmin, "331003").await;
    contractor(&db.store, "gc", "C001").await;
    contractor(&db.store, "gc2", "C002").await;
    crate::support::citizen(&db.store, "wxm", &me.person.citizen_id).await;
    (TestApp::start(db).await, me)
}

/// The citizen applies on the service end; the application's id.
async fn apply(app: &TestApp, c: &reqwest::Client) -> String {
    let page = page_text(c, &app.url("/me/services/home_modification")).await;
    let f = reqwest::multipart::Form::new()
        .text("_csrf", csrf_of(&page))
        .text("f_address", "院桥镇某村 1 号")
        .text("f_contact_phone", "13912345678");
    let r = c
        .post(app.url("/me/services/home_modification"))
        .multipart(f)
        .send()
        .await
        .expect("apply");
    assert_eq!(r.status(), 303);
    r.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .and_then(|l| l.rsplit('/').next())
        .expect("location")
        .to_string()
}

fn version_of(page: &str) -> String {
    page.split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no version in {page}"))
        .to_string()
}

/// Posts the project's current step form with `fields` (and `photo` if given).
async fn act(
    app: &TestApp,
    c: &reqwest::Client,
    id: &str,
    fields: &[(&str, &str)],
    photo: Option<&[u8]>,
) -> reqwest::Response {
    let page = page_text(c, &app.url(&format!("/homemod/projects/{id}"))).await;
    let mut f = reqwest::multipart::Form::new()
        .text("_csrf", csrf_of(&page))
        .text("version", version_of(&page));
    for (k, v) in fields {
        f = f.text(k.to_string(), v.to_string());
    }
    if let Some(bytes) = photo {
        f = f.part(
            "photos",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("photo.png"),
        );
    }
    c.post(app.url(&format!("/homemod/projects/{id}/act")))
        .multipart(f)
        .send()
        .await
        .expect("act")
}

/// Indicator 13 (numerator, denominator) for `area` today.
async fn indicator_13(app: &TestApp, token: &str, area: &str) -> (i64, i64) {
    let v: serde_json::Value = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/indicators?area={area}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("indicators")
        .json()
        .await
        .expect("json");
    let ind = v["indicators"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["key"] == "home_modification"))
        .cloned()
        .expect("indicator 13");
    (
        ind["numerator"].as_i64().unwrap_or(0),
        ind["denominator"].as_i64().unwrap_or(0),
    )
}

async fn step_of(app: &TestApp, id: &str) -> (String, i64) {
    let a = app
        .db
        .store
        .application(id)
        .await
        .expect("a")
        .expect("exists");
    (a.status, a.step)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_household_is_modified_and_indicator_13_moves_by_exactly_that_household() {
    let (app, me) = setup(EconomicStatus::Dibao).await;
    let admin = app.token("admin").await;
    let before_district = indicator_13(&app, &admin, "331003").await;
    let before_township = indicator_13(&app, &admin, "331003107").await;
    let wxm = app.browser("wxm").await;
    let id = apply(&app, &wxm).await;
    let yq = app.browser("yq").await;

    // The desk leaves the steps to the project page.
    let desk = page_text(&yq, &app.url(&format!("/services/applications/{id}"))).await;
    assert!(desk.contains(&format!("/homemod/projects/{id}")), "{desk}");
    assert!(!desk.contains("value=\"step\"") && !desk.contains("value=\"approve\""));

    // The queue lists it, due in 60 days.
    let queue = page_text(&yq, &app.url("/homemod")).await;
    assert!(queue.contains("王小明") && queue.contains(&format!("/homemod/projects/{id}")));
    // The person file's section lists it where it stands, linked to the project.
    let handle = crate::support::handle_of(&app, &me).await;
    let file = page_text(&yq, &app.url(&format!("/persons/{handle}"))).await;
    assert!(
        file.contains("id=\"sec-homemod\"")
            && file.contains(&format!("href=\"/homemod/projects/{id}\"")),
        "{file}"
    );

    // 受理: eligible by the 低保 status.
    let page = page_text(&yq, &app.url(&format!("/homemod/projects/{id}"))).await;
    assert!(page.contains("低保"), "{page}");
    let r = act(&app, &yq, &id, &[("action", "accept")], None).await;
    assert_eq!(r.status(), 303);
    assert_eq!(step_of(&app, &id).await, ("submitted".into(), 1));

    // 入户评估: a price over its cap is named, and nothing is written.
    let survey = |ramp: &'static str| {
        vec![
            ("action", "survey"),
            ("surveyed_on", "2026-01-05"),
            ("contractor", "C001"),
            ("q_ramp", "1"),
            ("p_ramp", ramp),
            ("q_grab_bar", "3"),
            ("p_grab_bar", "150"),
        ]
    };
    let r = act(&app, &yq, &id, &survey("2500"), None).await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("t");
    assert!(
        body.contains("坡道的单价 2500.00 元超过限价 2000.00 元"),
        "{body}"
    );
    assert!(body.contains("value=\"2500\""), "what was typed is kept");
    assert_eq!(step_of(&app, &id).await, ("submitted".into(), 1));
    let p = app
        .db
        .store
        .project(&id)
        .await
        .expect("p")
        .expect("project");
    assert!(p.survey.is_empty() && p.contractor.is_none());
    let r = act(&app, &yq, &id, &survey("1500"), Some(PNG)).await;
    assert_eq!(r.status(), 303);
    let p = app
        .db
        .store
        .project(&id)
        .await
        .expect("p")
        .expect("project");
    assert_eq!(p.quote_fen, Some(195_000));
    assert_eq!(p.contractor.as_deref(), Some("C001"));

    // 施工: only the assigned contractor reaches it.
    let gc2 = app.browser("gc2").await;
    let r = gc2
        .get(app.url(&format!("/homemod/projects/{id}")))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 404);
    assert!(
        !page_text(&gc2, &app.url("/homemod/works"))
            .await
            .contains("王小明")
    );
    let gc = app.browser("gc").await;
    let works = page_text(&gc, &app.url("/homemod/works")).await;
    assert!(
        works.contains("王小明") && works.contains("院桥镇某村 1 号"),
        "{works}"
    );
    let page = page_text(&gc, &app.url(&format!("/homemod/projects/{id}"))).await;
    assert!(
        page.contains("13912345678"),
        "the contractor may call the household"
    );
    assert!(!page.contains(me.person.citizen_id.as_str()) && !page.contains("/persons/"));
    // Staff cannot record the works for the contractor.
    let page = page_text(&yq, &app.url(&format!("/homemod/projects/{id}"))).await;
    assert!(
        !page.contains("name=\"version\""),
        "no form for staff at the works step"
    );
    let v = app
        .db
        .store
        .application(&id)
        .await
        .expect("a")
        .expect("e")
        .version;
    let f = reqwest::multipart::Form::new()
        .text("_csrf", csrf_of(&page))
        .text("version", v.to_string())
        .text("done_on", "2026-02-01")
        .text("note", "x");
    let r = yq
        .post(app.url(&format!("/homemod/projects/{id}/act")))
        .multipart(f)
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 403);
    let r = act(
        &app,
        &gc,
        &id,
        &[("done_on", "2026-02-01"), ("note", "坡道和扶手已安装")],
        None,
    )
    .await;
    assert_eq!(r.status(), 422, "works need a photo");
    let r = act(
        &app,
        &gc,
        &id,
        &[("done_on", "2026-02-01"), ("note", "坡道和扶手已安装")],
        Some(b"GIF89a not accepted"),
    )
    .await;
    assert_eq!(r.status(), 422, "a file is checked by its content");
    assert_eq!(step_of(&app, &id).await, ("submitted".into(), 2));
    let r = act(
        &app,
        &gc,
        &id,
        &[("done_on", "2026-02-01"), ("note", "坡道和扶手已安装")],
        Some(PNG),
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(step_of(&app, &id).await, ("submitted".into(), 3));
    // Nothing counted yet.
    assert_eq!(indicator_13(&app, &admin, "331003").await, before_district);

    // 验收: the household must confirm.
    let inspect = |confirmed: &'static str| {
        vec![
            ("action", "inspect"),
            ("accepted_on", "2026-02-03"),
            ("cost_yuan", "1900"),
            ("confirmed", confirmed),
        ]
    };
    let r = act(&app, &yq, &id, &inspect("no"), None).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("住户未确认的不能验收"));
    assert_eq!(step_of(&app, &id).await, ("submitted".into(), 3));
    let r = act(&app, &yq, &id, &inspect("yes"), Some(PNG)).await;
    assert_eq!(r.status(), 303);
    assert_eq!(step_of(&app, &id).await.0, "approved");
    let p = app
        .db
        .store
        .project(&id)
        .await
        .expect("p")
        .expect("project");
    assert_eq!((p.cost_fen, p.subsidy_fen), (Some(190_000), Some(190_000)));

    // Indicator 13 moves at once, by exactly this household, in the township and the district.
    let after_district = indicator_13(&app, &admin, "331003").await;
    let after_township = indicator_13(&app, &admin, "331003107").await;
    assert_eq!(
        after_district.0,
        before_district.0 + 1,
        "{before_district:?} → {after_district:?}"
    );
    assert_eq!(after_township.0, before_township.0 + 1);
    assert!(after_district.1 >= after_district.0);
    // The record is the ledger's home_modification fact, with the items and the cost.
    let file = app
        .db
        .store
        .person_file(&me.person.citizen_id, &crate::support::any())
        .await
        .expect("f")
        .expect("e");
    assert!(file.ledger.iter().any(|e| matches!(
        &e.fact,
        zhucan_domain::ledger::Fact::HomeModification { accepted_on, cost_fen: Some(190_000), items: Some(items) }
            if *accepted_on == d(2026, 2, 3) && items.contains("坡道 1 处")
    )));
    // Each step is audited; the citizen follows it in plain words.
    for a in [
        "homemod.accept",
        "homemod.survey",
        "homemod.works",
        "homemod.inspect",
    ] {
        let q = zhucan_store::audit::AuditQuery {
            action: Some(a.into()),
            limit: 10,
            ..Default::default()
        };
        assert_eq!(
            audit_rows(&app.db.store, &q, 1).await.len(),
            1,
            "{a} audited once"
        );
    }
    let mine = page_text(&wxm, &app.url(&format!("/me/applications/{id}"))).await;
    assert!(mine.contains("验收"), "{mine}");
    let msgs = page_text(&wxm, &app.url("/me/messages")).await;
    assert!(msgs.contains("您家的无障碍改造已验收"), "{msgs}");

    // The payment is recorded once.
    let page = page_text(&yq, &app.url(&format!("/homemod/projects/{id}"))).await;
    let pay = [
        ("_csrf", csrf_of(&page)),
        ("paid_on", "2026-02-10".to_string()),
        ("payment_ref", "HY2026-0001".to_string()),
    ];
    let post = || {
        yq.post(app.url(&format!("/homemod/projects/{id}/payment")))
            .form(&pay)
            .send()
    };
    assert_eq!(post().await.expect("r").status(), 303);
    assert_eq!(post().await.expect("r").status(), 409);

    // The district exports the queue as a workbook (audited).
    let ad = app.browser("admin").await;
    let page = page_text(&ad, &app.url("/homemod")).await;
    assert!(page.contains("王小明"));
    let r = ad
        .post(app.url("/homemod/export"))
        .form(&[("_csrf", csrf_of(&page)), ("year", "2026".into())])
        .send()
        .await
        .expect("export");
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("spreadsheetml"))
    );
    // Another township's staff do not see it.
    let dc = app.browser("dc").await;
    let r = dc
        .get(app.url(&format!("/homemod/projects/{id}")))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ineligible_household_needs_reasons_and_a_rejection_is_told() {
    let (app, _) = setup(EconomicStatus::None).await;
    let wxm = app.browser("wxm").await;
    let id = apply(&app, &wxm).await;
    let yq = app.browser("yq").await;
    let page = page_text(&yq, &app.url(&format!("/homemod/projects/{id}"))).await;
    assert!(page.contains("不在改造对象"), "{page}");
    let r = act(&app, &yq, &id, &[("action", "accept")], None).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("请写明理由"));
    assert!(app.db.store.project(&id).await.expect("p").is_none());
    // A rejection needs reasons too, and tells the applicant.
    let r = act(&app, &yq, &id, &[("action", "reject")], None).await;
    assert_eq!(r.status(), 422);
    let r = act(
        &app,
        &yq,
        &id,
        &[("action", "reject"), ("note", "不符合改造对象条件")],
        None,
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(step_of(&app, &id).await.0, "rejected");
    let msgs = page_text(&wxm, &app.url("/me/messages")).await;
    assert!(msgs.contains("不符合改造对象条件"));
}

// Budgets and the queue's queries on both backends.
crate::contract!(budgets_count_what_projects_use);

async fn budgets_count_what_projects_use(db: TestDb) {
    let mut me = record(
        "张三",
        d(1960, 1, 1),
        31,
        "331003107",
        zhucan_domain::Category::Physical,
        zhucan_domain::Grade::One,
    );
    me.survey.economic_status = Some(EconomicStatus::Tekun);
    put(&db.store, std::slice::from_ref(&me)).await;
    let def = db
        .store
        .service("home_modification")
        .await
        .expect("s")
        .expect("service")
        .0;
    assert_eq!(def.handled_by.as_deref(), Some("homemod"));
    let actor = zhucan_store::registry::Actor {
        name: "test",
        source: "form",
    };
    let area = zhucan_domain::AreaCode::parse("331003107").expect("a");
    let answers = std::collections::BTreeMap::from([("address".to_string(), "x".to_string())]);
    let app = db
        .store
        .submit_application(
            &me.person.citizen_id,
            &def,
            &area,
            &answers,
            &[],
            d(2026, 1, 1),
            &actor,
        )
        .await
        .expect("apply");
    db.store
        .set_budget(
            "331003107",
            2026,
            1_000_000,
            "test",
            &event("homemod.budget.set"),
        )
        .await
        .expect("budget");
    use zhucan_homemod::store::StepRecord;
    let done = db
        .store
        .step(
            &app,
            &def,
            zhucan_service::rules::StaffAct::CompleteStep,
            &StepRecord::Accept {
                township: "331003107".into(),
                area_code: "331003107".into(),
                year: 2026,
                eligibility: "特困".into(),
            },
            "受理",
            &[],
            &actor,
            &event("homemod.accept"),
        )
        .await
        .expect("step");
    assert_eq!(done, zhucan_service::store::ActedIn::Done);
    // The same (now stale) application again writes nothing.
    let stale = db
        .store
        .step(
            &app,
            &def,
            zhucan_service::rules::StaffAct::CompleteStep,
            &StepRecord::Reject,
            "",
            &[],
            &actor,
            &event("homemod.reject"),
        )
        .await
        .expect("step");
    assert_eq!(stale, zhucan_service::store::ActedIn::Stale);
    let app = db
        .store
        .application(&app.id)
        .await
        .expect("a")
        .expect("exists");
    let done = db
        .store
        .step(
            &app,
            &def,
            zhucan_service::rules::StaffAct::CompleteStep,
            &StepRecord::Survey {
                lines: vec![zhucan_homemod::rules::SurveyLine {
                    item: "ramp".into(),
                    quantity: 2,
                    unit_price_fen: 150_000,
                }],
                note: String::new(),
                surveyed_on: d(2026, 1, 10),
                quote_fen: 300_000,
                subsidy_planned_fen: 300_000,
                contractor: "C9".into(),
            },
            "评估",
            &[],
            &actor,
            &event("homemod.survey"),
        )
        .await
        .expect("step");
    assert_eq!(done, zhucan_service::store::ActedIn::Done);
    let b = db.store.budget("331003107", 2026).await.expect("budget");
    assert_eq!(
        (b.budget_fen, b.used_fen, b.committed_fen, b.left_fen()),
        (Some(1_000_000), 0, 300_000, Some(700_000))
    );
    assert_eq!(
        db.store
            .projects_in("331003", Some(2026))
            .await
            .expect("p")
            .len(),
        1
    );
    assert_eq!(
        db.store
            .projects_in("331003", Some(2025))
            .await
            .expect("p")
            .len(),
        0
    );
    assert_eq!(
        db.store
            .projects_of_contractor("C9")
            .await
            .expect("p")
            .len(),
        1
    );
    assert_eq!(db.store.items().await.expect("items").len(), 10);
    let a = db
        .store
        .application(&app.id)
        .await
        .expect("a")
        .expect("exists");
    assert_eq!(a.step, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_apply_for_a_household_from_its_stated_need_and_the_acceptance_meets_it() {
    use crate::support::{location, post_form};
    use zhucan_service::rules::NeedKind;
    let (app, me) = setup(EconomicStatus::Dibao).await;
    let mut other = record(
        "李别家",
        d(1970, 5, 6),
        12,
        "331003107",
        zhucan_domain::Category::Physical,
        zhucan_domain::Grade::Two,
    );
    other.person.phone = Some("13900000000".into());
    put(&app.db.store, std::slice::from_ref(&other)).await;
    let actor = zhucan_store::registry::Actor {
        name: "wxm",
        source: "service end",
    };
    let area = me.person.home_area().clone();
    let need = app
        .db
        .store
        .record_need(
            &me.person.citizen_id,
            NeedKind::HomeModification,
            "卫生间太滑，想装扶手",
            "citizen",
            &area,
            &actor,
        )
        .await
        .expect("need");
    let yq = app.browser("yq").await;
    let take = format!("/homemod?need={}", need.id);
    let queue = page_text(&yq, &app.url("/homemod")).await;
    assert!(
        queue.contains("卫生间太滑") && queue.contains(&take),
        "{queue}"
    );
    // Another township cannot take it.
    let dc = app.browser("dc").await;
    assert_eq!(
        dc.get(app.url(&take)).send().await.expect("r").status(),
        404
    );
    let filled = page_text(&yq, &app.url(&take)).await;
    let id = me.person.citizen_id.as_str().to_string();
    assert!(
        filled.contains(&format!("value=\"{id}\"")) && filled.contains("name=\"a_need\""),
        "{filled}"
    );
    // Someone else's need, and a missing address: both named, nothing written.
    let r = post_form(
        &app,
        &yq,
        &take,
        "/homemod/apply",
        &[
            ("a_citizen_id", other.person.citizen_id.as_str()),
            ("f_contact_phone", "13900000000"),
            ("a_need", &need.id),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("t");
    assert!(
        body.contains("不是提出该需求的人") && body.contains("f-f_address-error"),
        "{body}"
    );
    let none = |cid: &zhucan_domain::ids::CitizenId| zhucan_service::store::AppQuery {
        citizen_ids: vec![cid.clone()],
        page: 1,
        per_page: 10,
        ..Default::default()
    };
    assert_eq!(
        app.db
            .store
            .applications(&none(&other.person.citizen_id))
            .await
            .expect("apps")
            .0,
        0
    );
    let fields = [
        ("a_citizen_id", id.as_str()),
        ("f_address", "院桥镇某村 1 号"),
        ("f_contact_phone", "13912345678"),
        ("a_need", need.id.as_str()),
    ];
    let r = post_form(&app, &yq, &take, "/homemod/apply", &fields).await;
    assert_eq!(r.status(), 303);
    let project = location(&r);
    let app_id = project.rsplit('/').next().unwrap_or_default().to_string();
    let n = app.db.store.need(&need.id).await.expect("n").expect("need");
    assert_eq!(n.status, "triaged");
    assert_eq!(
        n.case_ref.as_deref(),
        Some(format!("homemod.application:{app_id}").as_str())
    );
    assert!(!page_text(&yq, &app.url("/homemod")).await.contains(&take));
    // The household follows it on the service end, in its own name; a second open
    // application for the same household is refused.
    let wxm = app.browser("wxm").await;
    let mine = page_text(&wxm, &app.url(&format!("/me/applications/{app_id}"))).await;
    assert!(mine.contains("院桥镇某村 1 号"), "{mine}");
    let r = post_form(&app, &yq, "/homemod", "/homemod/apply", &fields[..3]).await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .expect("t")
            .contains("已有一份办理中的该事项申请"),
        "duplicate named"
    );
    let q = zhucan_store::audit::AuditQuery {
        action: Some("homemod.apply_for".into()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(audit_rows(&app.db.store, &q, 1).await.len(), 1);

    // The project runs as any other; its acceptance meets the need and tells the household.
    let step = |fields: Vec<(&'static str, &'static str)>, who: &'static str| {
        let app = &app;
        let app_id = app_id.clone();
        async move {
            let c = app.browser(who).await;
            let photo = (!fields.contains(&("action", "accept"))).then_some(PNG);
            act(app, &c, &app_id, &fields, photo).await.status()
        }
    };
    assert_eq!(step(vec![("action", "accept")], "yq").await, 303);
    assert_eq!(
        step(
            vec![
                ("action", "survey"),
                ("surveyed_on", "2026-01-05"),
                ("contractor", "C001"),
                ("q_grab_bar", "2"),
                ("p_grab_bar", "150"),
            ],
            "yq"
        )
        .await,
        303
    );
    assert_eq!(
        step(
            vec![("done_on", "2026-02-01"), ("note", "扶手已安装")],
            "gc"
        )
        .await,
        303
    );
    assert_eq!(
        app.db
            .store
            .need(&need.id)
            .await
            .expect("n")
            .expect("e")
            .status,
        "triaged"
    );
    assert_eq!(
        step(
            vec![
                ("action", "inspect"),
                ("accepted_on", "2026-02-03"),
                ("cost_yuan", "300"),
                ("confirmed", "yes"),
            ],
            "yq"
        )
        .await,
        303
    );
    let n = app.db.store.need(&need.id).await.expect("n").expect("need");
    assert_eq!(n.status, "closed");
    assert!(
        n.outcome
            .as_deref()
            .is_some_and(|o| o.contains("2026-02-03")),
        "{n:?}"
    );
    let msgs = page_text(&wxm, &app.url("/me/messages")).await;
    assert!(msgs.contains("您的需求已办结"), "{msgs}");
}
