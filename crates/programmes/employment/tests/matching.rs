//! Job matching (人岗匹配) through HTTP and on both backends: staff post a vacancy (bad input
//! named, nothing saved), register job seekers (indicator 9's gap of their area), see the
//! vacancies offered with the reasons and those ruled out with why; the citizen sees the
//! matching vacancy on the service end and says they are interested; staff refer; the
//! employer records the placement, which moves indicator 9 at once; every step is audited.

#[allow(unused_imports)]
use crate::support::prelude::*;
use zhucan_domain::uscc::Uscc;
use zhucan_domain::{Category, Grade};

use crate::support::{
    TestApp, TestDb, audit_rows, d, indicator, location, page_text, post_form, put, record, user,
};

fn uscc() -> String {
    Uscc::with_check("91331003000000077")
        .expect("uscc")
        .to_string()
}

async fn handle_of(store: &zhucan_store::Store, id: &zhucan_domain::CitizenId) -> String {
    store
        .person_file(id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists")
        .handle
}

fn audited(action: &str) -> zhucan_store::audit::AuditQuery {
    zhucan_store::audit::AuditQuery {
        action: Some(action.into()),
        limit: 10,
        ..Default::default()
    }
}

/// The id in a `/employment/vacancies/{id}?…` location.
fn vacancy_id(loc: &str) -> String {
    loc.trim_start_matches("/employment/vacancies/")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_seeker_sees_the_vacancy_with_its_reasons_and_a_placement_moves_indicator_9() {
    use zhucan_store::Role;
    let db = TestDb::sqlite().await;
    let seeker = record(
        "求职甲",
        d(1988, 5, 6),
        401,
        "331003107",
        Category::Physical,
        Grade::Three,
    );
    let deaf = record(
        "求职乙",
        d(1990, 7, 8),
        403,
        "331003107",
        Category::Hearing,
        Grade::Three,
    );
    let old = record(
        "年长丙",
        d(1950, 1, 1),
        405,
        "331003107",
        Category::Physical,
        Grade::Three,
    );
    let elsewhere = record(
        "东城丁",
        d(1989, 2, 2),
        407,
        "331003001",
        Category::Physical,
        Grade::Three,
    );
    put(
        &db.store,
        &[seeker.clone(), deaf.clone(), old.clone(), elsewhere.clone()],
    )
    .await;
    user(&db.store, "admin", Role::DistrictAdmin, "331003").await;
    user(&db.store, "reader", Role::DistrictAdmin, "331003").await;
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    user(&db.store, "dc", Role::TownshipStaff, "331003001").await;
    let firm = uscc();
    crate::support::employer_account(&db.store, "danwei", &firm).await;
    crate::support::citizen(&db.store, "jumin", &seeker.person.citizen_id).await;
    let h_seeker = handle_of(&db.store, &seeker.person.citizen_id).await;
    let h_deaf = handle_of(&db.store, &deaf.person.citizen_id).await;
    // The person stated an employment need on the service end (需求转办).
    let need = crate::support::stated_need(
        &db.store,
        &seeker.person,
        zhucan_service::rules::NeedKind::Employment,
        "想找一份质检工作",
    )
    .await;
    let app = TestApp::start(db).await;
    let app = &app;
    let token = app.token("reader").await;
    let before = indicator(app, &token, "331003", "employment_rate").await;
    let admin = app.browser("admin").await;
    let yq = app.browser("yq").await;
    let dc = app.browser("dc").await;

    // Bad input: each field named with its value, nothing saved.
    let bad = post_form(
        app,
        &admin,
        "/employment/vacancies",
        "/employment/vacancies",
        &[
            ("uscc", "91331003000000077X"),
            ("employer_name", "黄岩精工"),
            ("title", "质检员"),
            ("township", "331003107"),
            ("form", "quota"),
            ("positions", "0"),
            ("wage", "三千"),
        ],
    )
    .await;
    assert_eq!(bad.status(), 422);
    let body = bad.text().await.expect("t");
    assert!(body.contains("招用人数“0”无效"), "{body}");
    assert!(body.contains("月工资“三千”无效"), "{body}");
    assert!(body.contains("91331003000000077X"), "{body}");
    assert!(
        page_text(&admin, &app.url("/employment/vacancies"))
            .await
            .contains("还没有岗位")
    );
    // Another township's staff cannot post for 院桥镇.
    let r = post_form(
        app,
        &dc,
        "/employment/vacancies",
        "/employment/vacancies",
        &[
            ("uscc", firm.as_str()),
            ("employer_name", "黄岩精工"),
            ("title", "质检员"),
            ("township", "331003107"),
            ("form", "quota"),
            ("positions", "1"),
            ("wage", "3600"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("不在您的管辖范围内"));

    // The vacancy: one position, for physical disability, step-free.
    let r = post_form(
        app,
        &yq,
        "/employment/vacancies",
        "/employment/vacancies",
        &[
            ("uscc", firm.as_str()),
            ("employer_name", "黄岩精工"),
            ("title", "质检员"),
            ("township", "331003107"),
            ("form", "quota"),
            ("positions", "1"),
            ("wage", "3600"),
            ("skills", "质检，电脑"),
            ("cat_physical", "1"),
            ("acc_step_free", "1"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let vid = vacancy_id(&location(&r));
    assert!(!vid.is_empty());
    // Another township's staff may read but not change it.
    let r = post_form(
        app,
        &dc,
        &format!("/employment/vacancies/{vid}"),
        &format!("/employment/vacancies/{vid}"),
        &[("title", "改")],
    )
    .await;
    assert_eq!(r.status(), 403);

    // The job seekers of 院桥镇: the working-age, not employed; not the 76-year-old, not
    // another township's.
    let list = page_text(&yq, &app.url("/employment/seekers")).await;
    assert!(list.contains("求职甲") && list.contains("求职乙"), "{list}");
    assert!(
        !list.contains("年长丙") && !list.contains("东城丁"),
        "{list}"
    );
    assert!(!list.contains(seeker.person.citizen_id.as_str()));
    let r = dc
        .get(app.url(&format!("/employment/seekers/{h_seeker}")))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 404);

    // A registration with a tag too long: named, nothing saved.
    let long = "很".repeat(21);
    let here = format!("/employment/seekers/{h_seeker}");
    let r = post_form(
        app,
        &yq,
        &here,
        &here,
        &[("skills", long.as_str()), ("wishes", "质检员")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains(&long));
    // The need waits on the seekers' list; another township's staff cannot take it; taking
    // it opens the person's registration form with the need.
    let list = page_text(&yq, &app.url("/employment/seekers")).await;
    let take = format!("/employment/seekers?need={}", need.id);
    assert!(
        list.contains("想找一份质检工作") && list.contains(&take),
        "{list}"
    );
    let r = dc.get(app.url(&take)).send().await.expect("get");
    assert_eq!(r.status(), 404);
    let r = yq.get(app.url(&take)).send().await.expect("get");
    assert_eq!(r.status(), 303);
    let form_page = location(&r);
    assert_eq!(form_page, format!("{here}?need={}", need.id));
    let filled = page_text(&yq, &app.url(&form_page)).await;
    assert!(
        filled.contains("name=\"stated_need\"") && filled.contains("想找一份质检工作"),
        "{filled}"
    );
    // Another person's page does not take this person's need.
    let r = yq
        .get(app.url(&format!("/employment/seekers/{h_deaf}?need={}", need.id)))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 404);
    let r = post_form(
        app,
        &yq,
        &form_page,
        &here,
        &[
            ("skills", "质检、电脑"),
            ("wishes", "质检员"),
            ("need_step_free", "1"),
            ("stated_need", need.id.as_str()),
        ],
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let n = app.db.store.need(&need.id).await.expect("n").expect("need");
    assert_eq!(n.status, "triaged");
    assert_eq!(
        n.case_ref.as_deref(),
        Some(format!("employment.seeker:{}", seeker.person.citizen_id).as_str())
    );
    let list = page_text(&yq, &app.url("/employment/seekers")).await;
    assert!(!list.contains(&take), "{list}");
    let page = page_text(&yq, &app.url(&here)).await;
    assert!(page.contains("质检员"), "{page}");
    assert!(page.contains("技能相符：质检"), "{page}");
    assert!(page.contains("符合求职意向：质检员"), "{page}");
    assert!(page.contains("工作场所提供：无障碍通道"), "{page}");
    // A deaf seeker who needs sign language: ruled out, and why.
    let there = format!("/employment/seekers/{h_deaf}");
    let r = post_form(
        app,
        &yq,
        &there,
        &there,
        &[("wishes", "不限"), ("need_sign_language", "1")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let page = page_text(&yq, &app.url(&there)).await;
    assert!(page.contains("工作场所没有：手语或文字沟通"), "{page}");
    assert!(page.contains("岗位不适合听力残疾"), "{page}");

    // The citizen sees the vacancy and why, and says they are interested.
    let jumin = app.browser("jumin").await;
    let me = page_text(&jumin, &app.url("/me/jobs")).await;
    assert!(
        me.contains("质检员") && me.contains("技能相符：质检"),
        "{me}"
    );
    let r = post_form(
        app,
        &jumin,
        "/me/jobs",
        "/me/jobs/interest",
        &[("vacancy", vid.as_str())],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert!(location(&r).contains("done=interest"));
    // The employer does not see a stated interest; staff do.
    let danwei = app.browser("danwei").await;
    let vpage = format!("/employment/vacancies/{vid}");
    let theirs = page_text(&danwei, &app.url(&vpage)).await;
    assert!(!theirs.contains("求职甲"), "{theirs}");
    let page = page_text(&yq, &app.url(&here)).await;
    assert!(page.contains("本人有意向"), "{page}");

    // Staff refer: the interest becomes a referral; the employer sees the person, masked.
    let r = post_form(
        app,
        &yq,
        &here,
        &format!("{here}/refer"),
        &[("vacancy", vid.as_str())],
    )
    .await;
    assert_eq!(r.status(), 303);
    let theirs = page_text(&danwei, &app.url(&vpage)).await;
    assert!(theirs.contains("求职甲"), "{theirs}");
    assert!(theirs.contains(&seeker.person.citizen_id.masked()));
    assert!(!theirs.contains(seeker.person.citizen_id.as_str()));

    // The employer records the placement: a bad date is named; then placed.
    let html = page_text(&danwei, &app.url(&vpage)).await;
    let rid = html
        .split("/employment/referrals/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .expect("referral form")
        .to_string();
    let version = html
        .split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("version")
        .to_string();
    let outcome = format!("/employment/referrals/{rid}/outcome");
    let r = post_form(
        app,
        &danwei,
        &vpage,
        &outcome,
        &[
            ("outcome", "placed"),
            ("placed_on", "2026-13-01"),
            ("version", version.as_str()),
            ("back", "vacancy"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("2026-13-01"));
    let day = zhucan_web::view::today().to_string();
    let r = post_form(
        app,
        &danwei,
        &vpage,
        &outcome,
        &[
            ("outcome", "placed"),
            ("placed_on", day.as_str()),
            ("version", version.as_str()),
            ("back", "vacancy"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    // The same form again: stale.
    let r = post_form(
        app,
        &danwei,
        &vpage,
        &outcome,
        &[
            ("outcome", "declined"),
            ("version", version.as_str()),
            ("back", "vacancy"),
        ],
    )
    .await;
    assert_eq!(r.status(), 409);

    // The placement met the stated need, and the person is asked whether they are satisfied.
    let n = app.db.store.need(&need.id).await.expect("n").expect("need");
    assert_eq!(n.status, "closed");
    assert!(
        n.outcome.as_deref().is_some_and(|o| o.contains("质检员")),
        "{n:?}"
    );
    // Indicator 9 moved at once; the person is employed; the vacancy is full.
    let after = indicator(app, &token, "331003", "employment_rate").await;
    assert_eq!(after.0, before.0 + 1, "{before:?} → {after:?}");
    assert_eq!(after.1, before.1);
    let page = page_text(&yq, &app.url(&here)).await;
    assert!(page.contains("已登记就业"), "{page}");
    let api: serde_json::Value = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/employment/seekers/{h_deaf}/matches")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("api")
        .json()
        .await
        .expect("json");
    assert_eq!(api["standing"], "seeking");
    assert_eq!(api["offers"].as_array().map(Vec::len), Some(0));
    let api: serde_json::Value = reqwest::Client::new()
        .get(app.url("/api/v1/employment/vacancies"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("api")
        .json()
        .await
        .expect("json");
    assert_eq!(api["vacancies"][0]["placed"], 1);
    let me = page_text(&jumin, &app.url("/me/jobs")).await;
    assert!(me.contains("已录用上岗"), "{me}");
    for action in [
        "employment.vacancy.post",
        "employment.seeker.register",
        "employment.referral.interest",
        "employment.referral.refer",
        "employment.referral.outcome",
    ] {
        assert!(
            !audit_rows(&app.db.store, &audited(action), 1)
                .await
                .is_empty(),
            "{action}"
        );
    }
}

crate::contract!(referrals_and_placements_are_stored_once);

async fn referrals_and_placements_are_stored_once(db: TestDb) {
    use zhucan_employment::jobs::{NewRegistration, Outcome, Referred, VacancyInput};
    use zhucan_employment::matching::{Access, ReferralStatus, VacancyStatus};
    use zhucan_employment::store::Written;
    let a = record(
        "甲",
        d(1988, 5, 6),
        411,
        "331003107",
        Category::Physical,
        Grade::Three,
    );
    let b = record(
        "乙",
        d(1987, 5, 6),
        413,
        "331003107",
        Category::Physical,
        Grade::Three,
    );
    put(&db.store, &[a.clone(), b.clone()]).await;
    let s = &db.store;
    let ev = crate::support::test_event("employment.test");
    let reg = |id: &zhucan_domain::CitizenId| NewRegistration {
        citizen_id: id.clone(),
        area_code: "331003107".into(),
        skills: vec!["质检".into()],
        wishes: vec!["不限".into()],
        needs: vec![Access::StepFree],
        note: String::new(),
        source: "staff",
        takes_need: None,
    };
    assert_eq!(
        s.register_seeker(&reg(&a.person.citizen_id), None, "t", &ev)
            .await
            .expect("reg"),
        Written::Done
    );
    // A second "new" registration, or a stale version: refused.
    assert_eq!(
        s.register_seeker(&reg(&a.person.citizen_id), None, "t", &ev)
            .await
            .expect("reg"),
        Written::Stale
    );
    assert_eq!(
        s.register_seeker(&reg(&a.person.citizen_id), Some(7), "t", &ev)
            .await
            .expect("reg"),
        Written::Stale
    );
    assert_eq!(
        s.register_seeker(&reg(&a.person.citizen_id), Some(1), "t", &ev)
            .await
            .expect("reg"),
        Written::Done
    );
    let v = VacancyInput {
        uscc: Uscc::parse(&uscc()).expect("uscc"),
        employer_name: "单位".into(),
        title: "质检员".into(),
        area_code: "331003107".into(),
        workplace: String::new(),
        form: zhucan_domain::person::EmploymentStatus::Concentrated,
        positions: 1,
        monthly_wage_fen: 300_000,
        categories: vec![],
        skills: vec!["质检".into()],
        access: vec![Access::StepFree],
        description: String::new(),
        status: VacancyStatus::Open,
    };
    let vid = s.post_vacancy(&v, "t", &ev).await.expect("post");
    let reasons = serde_json::json!([]);
    let Referred::New(ra) = s
        .refer(
            &vid,
            &a.person.citizen_id,
            ReferralStatus::Referred,
            &reasons,
            "t",
            &ev,
        )
        .await
        .expect("refer")
    else {
        panic!("a new referral")
    };
    assert_eq!(
        s.refer(
            &vid,
            &a.person.citizen_id,
            ReferralStatus::Referred,
            &reasons,
            "t",
            &ev
        )
        .await
        .expect("again"),
        Referred::Already(ra.clone())
    );
    let Referred::New(rb) = s
        .refer(
            &vid,
            &b.person.citizen_id,
            ReferralStatus::Referred,
            &reasons,
            "t",
            &ev,
        )
        .await
        .expect("refer b")
    else {
        panic!("a new referral")
    };
    let actor = zhucan_store::registry::Actor {
        name: "t",
        source: "form",
    };
    let placed = Outcome {
        status: ReferralStatus::Placed,
        placed_on: Some(d(2026, 3, 2)),
        note: String::new(),
    };
    // A placement without a date, or at a stale version: refused.
    let undated = Outcome {
        placed_on: None,
        ..placed.clone()
    };
    assert_eq!(
        s.record_outcome(&ra, 1, &undated, &actor, &ev)
            .await
            .expect("o"),
        Written::Stale
    );
    assert_eq!(
        s.record_outcome(&ra, 9, &placed, &actor, &ev)
            .await
            .expect("o"),
        Written::Stale
    );
    assert_eq!(
        s.record_outcome(&ra, 1, &placed, &actor, &ev)
            .await
            .expect("o"),
        Written::Done
    );
    // The only position is taken: the second placement is refused, as is a new referral
    // and fewer positions than placed.
    assert_eq!(
        s.record_outcome(&rb, 1, &placed, &actor, &ev)
            .await
            .expect("o"),
        Written::Stale
    );
    assert_eq!(
        s.refer(
            &vid,
            &b.person.citizen_id,
            ReferralStatus::Interested,
            &reasons,
            "t",
            &ev
        )
        .await
        .expect("closed"),
        Referred::Closed
    );
    let mut fewer = v.clone();
    fewer.positions = 0;
    assert_eq!(
        s.update_vacancy(&vid, 1, &fewer, "t", &ev)
            .await
            .expect("u"),
        Written::Stale
    );
    let stored = s.vacancy(&vid).await.expect("v").expect("exists");
    assert_eq!((stored.placed, stored.left()), (1, 0));
    // The placement is the person's employment fact from the first day, with the employer.
    let file = s
        .person_file(&a.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    let jobs: Vec<_> = file
        .ledger
        .iter()
        .filter_map(|e| match &e.fact {
            zhucan_domain::ledger::Fact::Employment {
                employment_status,
                employer_uscc,
                from,
                ..
            } => Some((*employment_status, employer_uscc.clone(), *from)),
            _ => None,
        })
        .collect();
    assert_eq!(
        jobs,
        vec![(
            zhucan_domain::person::EmploymentStatus::Concentrated,
            Some(uscc()),
            d(2026, 3, 2)
        )]
    );
    assert!(
        file.events
            .iter()
            .any(|e| e.summary.contains("就业安置") && e.summary.contains("质检员"))
    );
    let r = s.referral(&ra).await.expect("r").expect("exists");
    assert_eq!(r.status, ReferralStatus::Placed);
    assert_eq!(r.placed_on, Some(d(2026, 3, 2)));
    // The placement is on the placements' list; ended once (not before its first day, not
    // twice), the same fact carries its last day.
    use zhucan_employment::placements::PlacementStore;
    let list = s.job_placements("331003").await.expect("placements");
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].source.as_str(), list[0].until), ("referral", None));
    let actor = zhucan_store::registry::Actor {
        name: "t",
        source: "test",
    };
    assert_eq!(
        s.end_job_placement(&list[0].id, 1, d(2026, 3, 1), &actor, &ev)
            .await
            .expect("end"),
        Written::Stale
    );
    assert_eq!(
        s.end_job_placement(&list[0].id, 1, d(2026, 6, 30), &actor, &ev)
            .await
            .expect("end"),
        Written::Done
    );
    assert_eq!(
        s.end_job_placement(&list[0].id, 1, d(2026, 6, 30), &actor, &ev)
            .await
            .expect("end"),
        Written::Stale
    );
    let file = s
        .person_file(&a.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    let ends: Vec<_> = file
        .ledger
        .iter()
        .filter_map(|e| match &e.fact {
            zhucan_domain::ledger::Fact::Employment { until, .. } => Some(*until),
            _ => None,
        })
        .collect();
    assert!(ends.contains(&Some(d(2026, 6, 30))), "{ends:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_welfare_placement_counts_at_once_and_its_end_is_recorded() {
    use zhucan_store::Role;
    let db = TestDb::sqlite().await;
    let worker = record(
        "公益己",
        d(1986, 8, 8),
        431,
        "331003107",
        Category::Physical,
        Grade::Three,
    );
    put(&db.store, std::slice::from_ref(&worker)).await;
    user(&db.store, "reader", Role::DistrictAdmin, "331003").await;
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    user(&db.store, "dc", Role::TownshipStaff, "331003001").await;
    let app = TestApp::start(db).await;
    let token = app.token("reader").await;
    let before = indicator(&app, &token, "331003", "employment_rate").await;
    let yq = app.browser("yq").await;
    let dc = app.browser("dc").await;
    let id = worker.person.citizen_id.to_string();
    // Bad input: each field named with its value, nothing saved.
    let r = post_form(
        &app,
        &yq,
        "/employment/placements",
        "/employment/placements",
        &[
            ("citizen_id", "331003198001011230"),
            ("form", "quota"),
            ("post", ""),
            ("uscc", "91331003000000077X"),
            ("since", "2099-01-01"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("t");
    for f in ["#f-citizen_id", "#f-form", "#f-post", "#f-uscc", "#f-since"] {
        assert!(body.contains(&format!("href=\"{f}\"")), "{f}: {body}");
    }
    // Another township's person: not found by ID, nothing saved.
    let job = [
        ("citizen_id", id.as_str()),
        ("form", "public_welfare"),
        ("post", "村级残疾人专职委员"),
        ("since", "2026-01-05"),
    ];
    let place = "/employment/placements";
    let r = post_form(&app, &dc, place, place, &job).await;
    assert_eq!(r.status(), 422);
    let r = post_form(&app, &yq, place, place, &job).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let after = indicator(&app, &token, "331003", "employment_rate").await;
    assert_eq!(after.0, before.0 + 1, "{before:?} → {after:?}");
    let page = page_text(&yq, &app.url("/employment/placements")).await;
    assert!(
        page.contains("公益己") && page.contains("村级残疾人专职委员"),
        "{page}"
    );
    assert!(!page.contains(id.as_str()), "IDs are masked: {page}");
    let pid = page
        .split("name=\"placement\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("placement")
        .to_string();
    // An end before the first day is named; ended yesterday, the person no longer counts.
    let r = post_form(
        &app,
        &yq,
        "/employment/placements",
        "/employment/placements/end",
        &[
            ("placement", pid.as_str()),
            ("version", "1"),
            ("until", "2025-12-31"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("2025-12-31"));
    let yesterday = (zhucan_web::view::today() - chrono::Duration::days(1)).to_string();
    let r = post_form(
        &app,
        &yq,
        "/employment/placements",
        "/employment/placements/end",
        &[
            ("placement", pid.as_str()),
            ("version", "1"),
            ("until", yesterday.as_str()),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let ended = indicator(&app, &token, "331003", "employment_rate").await;
    assert_eq!(ended.0, before.0, "{before:?} → {ended:?}");
    for action in ["employment.placement.add", "employment.placement.end"] {
        assert!(
            !audit_rows(&app.db.store, &audited(action), 1)
                .await
                .is_empty(),
            "{action}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_employment_households_are_found_and_followed_up() {
    use zhucan_domain::person::EmploymentStatus;
    use zhucan_store::Role;
    let db = TestDb::sqlite().await;
    let mut a = record(
        "同户甲",
        d(1980, 1, 1),
        421,
        "331003107",
        Category::Physical,
        Grade::Three,
    );
    let mut b = record(
        "同户乙",
        d(1982, 2, 2),
        423,
        "331003107",
        Category::Hearing,
        Grade::Four,
    );
    let mut c = record(
        "就业户丙",
        d(1983, 3, 3),
        425,
        "331003107",
        Category::Physical,
        Grade::Three,
    );
    let mut e = record(
        "就业户丁",
        d(1984, 4, 4),
        427,
        "331003107",
        Category::Physical,
        Grade::Three,
    );
    let lone = record(
        "独户戊",
        d(1985, 5, 5),
        429,
        "331003107",
        Category::Physical,
        Grade::Three,
    );
    a.person.household_id = Some("H-0001".into());
    b.person.household_id = Some("H-0001".into());
    c.person.household_id = Some("H-0002".into());
    e.person.household_id = Some("H-0002".into());
    e.survey.employment_status = Some(EmploymentStatus::Flexible);
    put(
        &db.store,
        &[a.clone(), b.clone(), c.clone(), e.clone(), lone.clone()],
    )
    .await;
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    let h_a = handle_of(&db.store, &a.person.citizen_id).await;
    let app = TestApp::start(db).await;
    let app = &app;
    let yq = app.browser("yq").await;
    let page = page_text(&yq, &app.url("/employment/households")).await;
    assert!(page.contains("共 2 户"), "{page}");
    assert!(page.contains("同户甲") && page.contains("同户乙") && page.contains("独户戊"));
    assert!(!page.contains("就业户丙"), "{page}");
    // A follow-up dated tomorrow: named, nothing saved.
    let tomorrow = (zhucan_web::view::today() + chrono::Days::new(1)).to_string();
    let r = post_form(
        app,
        &yq,
        "/employment/households",
        "/employment/households/followup",
        &[
            ("person", h_a.as_str()),
            ("on_date", tomorrow.as_str()),
            ("action", "visit"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains(&tomorrow));
    let today = zhucan_web::view::today().to_string();
    let r = post_form(
        app,
        &yq,
        "/employment/households",
        "/employment/households/followup",
        &[
            ("person", h_a.as_str()),
            ("on_date", today.as_str()),
            ("action", "training"),
            ("note", "报名电脑培训"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let page = page_text(&yq, &app.url("/employment/households")).await;
    assert!(page.contains("安排培训：报名电脑培训"), "{page}");
    assert!(page.contains("共帮扶 1 次"), "{page}");
    assert!(
        !audit_rows(&app.db.store, &audited("employment.household.followup"), 1)
            .await
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn training_counts_person_times_and_keeps_the_plan_target_current() {
    use zhucan_plan::PlanStore;
    use zhucan_store::Role;
    let db = TestDb::sqlite().await;
    let mine = record(
        "学员甲",
        d(1990, 1, 1),
        431,
        "331003107",
        Category::Visual,
        Grade::Two,
    );
    let theirs = record(
        "学员乙",
        d(1991, 1, 1),
        433,
        "331003001",
        Category::Visual,
        Grade::Two,
    );
    put(&db.store, &[mine.clone(), theirs.clone()]).await;
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    let h_mine = handle_of(&db.store, &mine.person.citizen_id).await;
    let app = TestApp::start(db).await;
    let app = &app;
    let yq = app.browser("yq").await;
    let today = zhucan_web::view::today();
    let start = (today - chrono::Days::new(10)).to_string();
    let end = (today - chrono::Days::new(1)).to_string();
    // Bad input: each field named.
    let r = post_form(
        app,
        &yq,
        "/employment/training",
        "/employment/training",
        &[
            ("title", "盲人按摩初级班"),
            ("kind", "massage"),
            ("area", "331003001"),
            ("starts_on", end.as_str()),
            ("ends_on", start.as_str()),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("t");
    assert!(body.contains("“331003001”不在您的管辖范围内"), "{body}");
    assert!(
        body.contains(&format!("结束日期 {start} 早于开始日期 {end}")),
        "{body}"
    );
    let r = post_form(
        app,
        &yq,
        "/employment/training",
        "/employment/training",
        &[
            ("title", "盲人按摩初级班"),
            ("kind", "massage"),
            ("area", "331003107"),
            ("starts_on", start.as_str()),
            ("ends_on", end.as_str()),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let course = location(&r)
        .trim_start_matches("/employment/training/")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string();
    let here = format!("/employment/training/{course}");
    let add = format!("{here}/trainees");
    // A malformed ID, and another township's person: named, nothing added.
    let r = post_form(
        app,
        &yq,
        &here,
        &add,
        &[("citizen_id", "33100319900101043")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("33100319900101043"));
    let r = post_form(
        app,
        &yq,
        &here,
        &add,
        &[("citizen_id", theirs.person.citizen_id.as_str())],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("不是您管辖范围内"));
    let r = post_form(
        app,
        &yq,
        &here,
        &add,
        &[("citizen_id", mine.person.citizen_id.as_str())],
    )
    .await;
    assert_eq!(r.status(), 303);
    let page = page_text(&yq, &app.url(&here)).await;
    assert!(page.contains("学员甲") && page.contains("已结业"), "{page}");
    assert!(!page.contains(mine.person.citizen_id.as_str()));
    let year = chrono::Datelike::year(&(today - chrono::Days::new(1)));
    let list = page_text(&yq, &app.url(&format!("/employment/training?year={year}"))).await;
    assert!(list.contains("1 / 200"), "{list}");
    // The plan's target follows, entry by entry.
    let latest = |store: zhucan_store::Store| async move {
        let (plan, _) = store.current_plan().await.expect("plan").expect("a plan");
        store
            .target_progress(&plan.id)
            .await
            .expect("progress")
            .into_iter()
            .find(|e| e.key == "training_person_times")
            .map(|e| e.value)
    };
    assert_eq!(latest(app.db.store.clone()).await, Some(1));
    let r = post_form(
        app,
        &yq,
        &here,
        &format!("{here}/completion"),
        &[("person", h_mine.as_str()), ("completed", "no")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(latest(app.db.store.clone()).await, Some(0));
    let file = app
        .db
        .store
        .person_file(&mine.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    assert!(
        file.events
            .iter()
            .any(|e| e.summary.contains("参加培训：盲人按摩初级班"))
    );
    assert!(
        !audit_rows(&app.db.store, &audited("employment.trainee.add"), 1)
            .await
            .is_empty()
    );
}

crate::contract!(training_and_follow_ups_are_stored_on_both_backends);

async fn training_and_follow_ups_are_stored_on_both_backends(db: TestDb) {
    use zhucan_employment::households::{FollowUpAction, NewFollowUp};
    use zhucan_employment::training::{Added, CourseKind, NewCourse};
    use zhucan_plan::PlanStore;
    let p = record(
        "学员丙",
        d(1992, 2, 2),
        435,
        "331003107",
        Category::Hearing,
        Grade::Three,
    );
    put(&db.store, std::slice::from_ref(&p)).await;
    let s = &db.store;
    let ev = crate::support::test_event("employment.test");
    let actor = zhucan_store::registry::Actor {
        name: "t",
        source: "form",
    };
    let id = s
        .add_course(
            &NewCourse {
                title: "电商入门".into(),
                kind: CourseKind::Digital,
                provider: String::new(),
                area_code: "331003".into(),
                starts_on: d(2025, 3, 1),
                ends_on: d(2025, 3, 20),
            },
            "t",
            &ev,
        )
        .await
        .expect("course");
    assert_eq!(
        s.add_trainee(&id, &p.person.citizen_id, &actor, &ev)
            .await
            .expect("add"),
        Added::Done
    );
    assert_eq!(
        s.add_trainee(&id, &p.person.citizen_id, &actor, &ev)
            .await
            .expect("add"),
        Added::Already
    );
    assert_eq!(
        s.add_trainee("nope", &p.person.citizen_id, &actor, &ev)
            .await
            .expect("add"),
        Added::Missing
    );
    assert_eq!(s.person_times(2025, "331003").await.expect("n"), 1);
    assert_eq!(s.person_times(2025, "331003001").await.expect("n"), 0);
    assert_eq!(s.person_times(2026, "331003").await.expect("n"), 0);
    assert_eq!(s.courses(2025).await.expect("c").len(), 1);
    let (plan, _) = s.current_plan().await.expect("plan").expect("a plan");
    let entry = s
        .target_progress(&plan.id)
        .await
        .expect("progress")
        .into_iter()
        .find(|e| e.key == "training_person_times")
        .expect("an entry");
    assert_eq!((entry.value, entry.as_of), (1, d(2025, 12, 31)));
    assert!(
        s.set_completed(&id, &p.person.citizen_id, false, "t", &ev)
            .await
            .expect("set")
    );
    assert_eq!(s.person_times(2025, "331003").await.expect("n"), 0);
    let keys = s
        .household_keys(std::slice::from_ref(&p.person.citizen_id))
        .await
        .expect("keys");
    let key = keys
        .get(p.person.citizen_id.as_str())
        .cloned()
        .expect("a key");
    s.add_followup(
        &NewFollowUp {
            household: key.clone(),
            area: "331003107".into(),
            on_date: d(2026, 1, 5),
            action: FollowUpAction::Visit,
            note: "上门".into(),
        },
        "t",
        &ev,
    )
    .await
    .expect("followup");
    let f = s.followups(&[key]).await.expect("followups");
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].action.as_str(), f[0].note.as_str()),
        ("visit", "上门")
    );
    // A practitioner: once; the end at the version shown, not before the start.
    use zhucan_employment::massage::{MassageKind, NewPractitioner};
    use zhucan_employment::store::Written;
    let np = NewPractitioner {
        citizen_id: p.person.citizen_id.clone(),
        kind: MassageKind::Medical,
        qualification: "YL-1".into(),
        workplace: "卫生院".into(),
        since: d(2024, 5, 1),
        area_code: "331003107".into(),
    };
    assert_eq!(
        s.add_practitioner(&np, &actor, &ev).await.expect("add"),
        Written::Done
    );
    assert_eq!(
        s.add_practitioner(&np, &actor, &ev).await.expect("add"),
        Written::Stale
    );
    assert_eq!(
        s.end_practice(&p.person.citizen_id, 1, d(2024, 4, 1), "t", &ev)
            .await
            .expect("end"),
        Written::Stale
    );
    assert_eq!(
        s.end_practice(&p.person.citizen_id, 1, d(2025, 4, 1), "t", &ev)
            .await
            .expect("end"),
        Written::Done
    );
    let list = s.practitioners("331003").await.expect("list");
    assert_eq!(list.len(), 1);
    assert!(list[0].active_on(d(2025, 4, 1)) && !list[0].active_on(d(2025, 4, 2)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blind_medical_masseurs_are_recorded_and_keep_the_plan_target_current() {
    use zhucan_plan::PlanStore;
    use zhucan_store::Role;
    let db = TestDb::sqlite().await;
    let blind = record(
        "按摩甲",
        d(1980, 6, 1),
        441,
        "331003107",
        Category::Visual,
        Grade::One,
    );
    let deaf = record(
        "按摩乙",
        d(1981, 6, 1),
        443,
        "331003107",
        Category::Hearing,
        Grade::Two,
    );
    put(&db.store, &[blind.clone(), deaf.clone()]).await;
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    let h_blind = handle_of(&db.store, &blind.person.citizen_id).await;
    let app = TestApp::start(db).await;
    let app = &app;
    let yq = app.browser("yq").await;
    let since = (zhucan_web::view::today() - chrono::Days::new(30)).to_string();
    let post = |id: &str, kind: &str, q: &str| {
        let (id, kind, q, since) = (
            id.to_string(),
            kind.to_string(),
            q.to_string(),
            since.clone(),
        );
        let yq = yq.clone();
        async move {
            post_form(
                app,
                &yq,
                "/employment/massage",
                "/employment/massage",
                &[
                    ("citizen_id", id.as_str()),
                    ("kind", kind.as_str()),
                    ("qualification", q.as_str()),
                    ("workplace", "院桥镇卫生院"),
                    ("since", since.as_str()),
                ],
            )
            .await
        }
    };
    // Medical massage without a qualification, and a person who is not blind: named.
    let r = post(blind.person.citizen_id.as_str(), "medical", "").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("资格证书编号"));
    let r = post(deaf.person.citizen_id.as_str(), "health", "").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("不是视力残疾人"));
    let r = post(blind.person.citizen_id.as_str(), "medical", "YL-2024-0031").await;
    assert_eq!(r.status(), 303);
    let r = post(blind.person.citizen_id.as_str(), "health", "").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("已经登记过"));
    let page = page_text(&yq, &app.url("/employment/massage")).await;
    assert!(page.contains("按摩甲") && page.contains("1 / 5"), "{page}");
    let latest = || async {
        let s = &app.db.store;
        let (plan, _) = s.current_plan().await.expect("plan").expect("a plan");
        s.target_progress(&plan.id)
            .await
            .expect("progress")
            .into_iter()
            .find(|e| e.key == "blind_medical_masseurs")
            .map(|e| e.value)
    };
    assert_eq!(latest().await, Some(1));
    // The end of practice: a date in the future is named; then recorded, the count is 0.
    let html = page_text(&yq, &app.url("/employment/massage")).await;
    let version = html
        .split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("version")
        .to_string();
    let tomorrow = (zhucan_web::view::today() + chrono::Days::new(1)).to_string();
    let r = post_form(
        app,
        &yq,
        "/employment/massage",
        "/employment/massage/end",
        &[
            ("person", h_blind.as_str()),
            ("version", version.as_str()),
            ("until", tomorrow.as_str()),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains(&tomorrow));
    let today = zhucan_web::view::today().to_string();
    let r = post_form(
        app,
        &yq,
        "/employment/massage",
        "/employment/massage/end",
        &[
            ("person", h_blind.as_str()),
            ("version", version.as_str()),
            ("until", today.as_str()),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    // Practising through its last day: still counted today, not tomorrow.
    assert_eq!(latest().await, Some(1));
    let r = post_form(
        app,
        &yq,
        "/employment/massage",
        "/employment/massage/end",
        &[
            ("person", h_blind.as_str()),
            ("version", version.as_str()),
            ("until", today.as_str()),
        ],
    )
    .await;
    assert_eq!(r.status(), 409);
    assert!(
        !audit_rows(&app.db.store, &audited("employment.masseur.add"), 1)
            .await
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vacancy_weighs_every_component_of_a_multiple_disability_among_its_candidates() {
    use zhucan_employment::jobs::{NewRegistration, VacancyInput};
    use zhucan_employment::matching::VacancyStatus;
    let db = TestDb::sqlite().await;
    let mut multiple = record(
        "多重戊",
        d(1987, 6, 6),
        421,
        "331003107",
        Category::Multiple,
        Grade::Three,
    );
    multiple.certificate.components = vec![Category::Physical, Category::Hearing];
    put(&db.store, std::slice::from_ref(&multiple)).await;
    user(
        &db.store,
        "yq",
        zhucan_store::Role::TownshipStaff,
        "331003107",
    )
    .await;
    let ev = crate::support::test_event("employment");
    db.store
        .register_seeker(
            &NewRegistration {
                citizen_id: multiple.person.citizen_id.clone(),
                area_code: "331003107".into(),
                skills: vec!["包装".into()],
                wishes: vec!["不限".into()],
                needs: vec![],
                note: String::new(),
                source: "staff",
                takes_need: None,
            },
            None,
            "t",
            &ev,
        )
        .await
        .expect("register");
    let vacancy = |title: &str, categories: Vec<Category>| VacancyInput {
        uscc: Uscc::parse(&uscc()).expect("uscc"),
        employer_name: "单位".into(),
        title: title.into(),
        area_code: "331003107".into(),
        workplace: String::new(),
        form: zhucan_domain::person::EmploymentStatus::Concentrated,
        positions: 1,
        monthly_wage_fen: 300_000,
        categories,
        skills: vec!["包装".into()],
        access: vec![],
        description: String::new(),
        status: VacancyStatus::Open,
    };
    let both = db
        .store
        .post_vacancy(
            &vacancy("包装工", vec![Category::Physical, Category::Hearing]),
            "t",
            &ev,
        )
        .await
        .expect("post");
    let one = db
        .store
        .post_vacancy(&vacancy("装配工", vec![Category::Physical]), "t", &ev)
        .await
        .expect("post");
    let app = TestApp::start(db).await;
    let yq = app.browser("yq").await;
    // Suited to both components: a candidate; suited to one of them only: not.
    let page = page_text(&yq, &app.url(&format!("/employment/vacancies/{both}"))).await;
    assert!(page.contains("多重戊"), "{page}");
    let page = page_text(&yq, &app.url(&format!("/employment/vacancies/{one}"))).await;
    assert!(!page.contains("多重戊"), "{page}");
}
