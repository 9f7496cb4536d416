//! The service end: sign-up by matching the file, applying with documents, staff steps and
//! decisions, the citizen seeing the decision and messages, needs with their loop, and no
//! citizen reaching another person's data.

#[allow(unused_imports)]
use crate::support::prelude::*;
use zhucan_service::store::AppQuery;
use zhucan_store::Role;

use crate::support::{PASSWORD, TestApp, TestDb, csrf_of, d, page_text, put, record, user};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// The version a staff page's action form was rendered at.
fn version_of(html: &str) -> String {
    let i = html.find("name=\"version\" value=\"").expect("version")
        + "name=\"version\" value=\"".len();
    html[i..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect()
}

/// Staff post `action` on the application at the version the page shows now.
async fn act(
    app: &TestApp,
    staff: &reqwest::Client,
    id: &str,
    action: &str,
    note: &str,
) -> reqwest::Response {
    let page = page_text(staff, &app.url(&format!("/services/applications/{id}"))).await;
    staff
        .post(app.url(&format!("/services/applications/{id}/act")))
        .form(&form(&[
            ("_csrf", &csrf_of(&page)),
            ("version", &version_of(&page)),
            ("action", action),
            ("note", note),
        ]))
        .send()
        .await
        .expect("act")
}

/// The citizen (signed in on `c`) applies for `service` with `fields`; returns the
/// application's ID.
async fn apply(
    app: &TestApp,
    c: &reqwest::Client,
    service: &str,
    fields: &[(&str, &str)],
) -> String {
    let page = page_text(c, &app.url(&format!("/me/services/{service}"))).await;
    let mut f = reqwest::multipart::Form::new().text("_csrf", csrf_of(&page));
    for (k, v) in fields {
        f = f.text(k.to_string(), v.to_string());
    }
    let r = c
        .post(app.url(&format!("/me/services/{service}")))
        .multipart(f)
        .send()
        .await
        .expect("apply");
    assert_eq!(
        r.status(),
        303,
        "{service}: {}",
        r.text().await.unwrap_or_default()
    );
    r.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .and_then(|l| l.rsplit('/').next())
        .expect("location")
        .to_string()
}

async fn setup() -> (
    TestApp,
    zhucan_domain::person::PersonRecord,
    zhucan_domain::person::PersonRecord,
) {
    let db = TestDb::sqlite().await;
    let mut me = record(
        "王小明",
        d(1985, 3, 4),
        11,
        "331003107",
        zhucan_domain::Category::Physical,
        zhucan_domain::Grade::Two,
    );
    me.person.guardian_name = Some("王大明".into());
    me.person.phone = Some("13912345678".into());
    me.survey.economic_status = Some(zhucan_domain::person::EconomicStatus::Dibao);
    let other = record(
        "李四",
        d(1970, 5, 6),
        21,
        "331003107",
        zhucan_domain::Category::Visual,
        zhucan_domain::Grade::One,
    );
    put(&db.store, &[me.clone(), other.clone()]).await;
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    user(&db.store, "dc", Role::TownshipStaff, "331003001").await;
    (TestApp::start(db).await, me, other)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_matches_the_file_and_says_nothing_about_strangers() {
    let (app, me, other) = setup().await;
    let c = client();
    let id = me.person.citizen_id.to_string();
    let cert = me.certificate.number.to_string();
    let post = |f: Vec<(String, String)>| c.post(app.url("/signup")).form(&f).send();
    // Field errors name the field and the value.
    let r = post(form(&[
        ("relation", "self"),
        ("name", "王小明"),
        ("citizen_id", "110105194912310020"),
        ("certificate_no", "x"),
        ("username", "wxm"),
        ("password", "short"),
        ("password2", "short"),
    ]))
    .await
    .expect("r");
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("t");
    assert!(
        body.contains("110105194912310020")
            && body.contains("f-certificate_no-error")
            && body.contains("f-password-error")
    );
    // A mismatch says only that the details do not match.
    for (name, idv, certv) in [
        ("王小红", id.as_str(), cert.as_str()),
        ("李四", other.person.citizen_id.as_str(), cert.as_str()),
    ] {
        let r = post(form(&[
            ("relation", "self"),
            ("name", name),
            ("citizen_id", idv),
            ("certificate_no", certv),
            ("username", "wxm"),
            ("password", PASSWORD),
            ("password2", PASSWORD),
        ]))
        .await
        .expect("r");
        assert_eq!(r.status(), 422);
        let body = r.text().await.expect("t");
        assert!(
            body.contains("与残联档案不符")
                && !body.contains("李四的")
                && !body.contains(other.certificate.number.as_str())
        );
    }
    // The guardian must be the one on the file.
    let r = post(form(&[
        ("relation", "guardian"),
        ("name", "王小明"),
        ("citizen_id", &id),
        ("certificate_no", &cert),
        ("guardian_name", "张三"),
        ("username", "wdm"),
        ("password", PASSWORD),
        ("password2", PASSWORD),
    ]))
    .await
    .expect("r");
    assert_eq!(r.status(), 422);
    // The right details open an account and a session.
    let r = post(form(&[
        ("relation", "self"),
        ("name", "王小明"),
        ("citizen_id", &id),
        ("certificate_no", &cert),
        ("username", "wxm"),
        ("password", PASSWORD),
        ("password2", PASSWORD),
    ]))
    .await
    .expect("r");
    assert_eq!(r.status(), 303);
    let me_page = page_text(&c, &app.url("/me")).await;
    assert!(
        me_page.contains(&id) && me_page.contains(&cert),
        "the person's own numbers in full"
    );
    // One own account per person.
    let c2 = client();
    let r = c2
        .post(app.url("/signup"))
        .form(&form(&[
            ("relation", "self"),
            ("name", "王小明"),
            ("citizen_id", &id),
            ("certificate_no", &cert),
            ("username", "wxm2"),
            ("password", PASSWORD),
            ("password2", PASSWORD),
        ]))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 409);
    // A guardian joins with the guardian's name on the file.
    let r = c2
        .post(app.url("/signup"))
        .form(&form(&[
            ("relation", "guardian"),
            ("name", "王小明"),
            ("citizen_id", &id),
            ("certificate_no", &cert),
            ("guardian_name", "王大明"),
            ("username", "wdm"),
            ("password", PASSWORD),
            ("password2", PASSWORD),
        ]))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 303);
    let g = page_text(&c2, &app.url("/me")).await;
    assert!(g.contains("王小明"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_applies_staff_decide_and_the_citizen_sees_it() {
    let (app, me, other) = setup().await;
    crate::support::citizen(&app.db.store, "wxm", &me.person.citizen_id).await;
    let c = app.browser("wxm").await;
    let page = page_text(&c, &app.url("/me/services/living_subsidy")).await;
    let csrf = csrf_of(&page);
    // Missing fields and a file that is not a PDF/JPG/PNG: every problem named.
    let bad = reqwest::multipart::Form::new()
        .text("_csrf", csrf.clone())
        .text("f_contact_phone", "12")
        .part(
            "doc_dibao_proof",
            reqwest::multipart::Part::bytes(b"MZ\x90\x00not a document".to_vec())
                .file_name("proof.exe"),
        );
    let r = c
        .post(app.url("/me/services/living_subsidy"))
        .multipart(bad)
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("t");
    assert!(body.contains("“12”") && body.contains("proof.exe") && body.contains("请重新选择"));
    let good = reqwest::multipart::Form::new()
        .text("_csrf", csrf.clone())
        .text("f_contact_phone", "139 1234 5678")
        .part(
            "doc_dibao_proof",
            reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("低保证.png"),
        );
    let r = c
        .post(app.url("/me/services/living_subsidy"))
        .multipart(good)
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 303);
    let loc = r
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .expect("location")
        .to_string();
    let app_id = loc.rsplit('/').next().expect("id").to_string();
    let mine = page_text(&c, &app.url(&loc)).await;
    assert!(mine.contains("办理中") && mine.contains("低保证.png"));
    // Its document comes back as it was uploaded.
    let f = c
        .get(app.url(&format!("{loc}/files/1")))
        .send()
        .await
        .expect("r");
    assert_eq!(f.status(), 200);
    assert_eq!(f.bytes().await.expect("b").as_ref(), PNG);
    // A service the person does not qualify for is refused.
    let r = page_text(&c, &app.url("/me/services/education_aid")).await;
    assert!(r.contains("不符合申请条件"));

    // Staff of another township do not see it; the township's staff do, and act on it.
    let dc = app.browser("dc").await;
    assert_eq!(
        dc.get(app.url(&format!("/services/applications/{app_id}")))
            .send()
            .await
            .expect("r")
            .status(),
        404
    );
    let yq = app.browser("yq").await;
    let queue = page_text(&yq, &app.url("/services/queue")).await;
    assert!(queue.contains(&format!("/services/applications/{app_id}")));
    let detail = page_text(&yq, &app.url(&format!("/services/applications/{app_id}"))).await;
    let csrf_y = csrf_of(&detail);
    let v = version_of(&detail);
    let r = yq
        .post(app.url(&format!("/services/applications/{app_id}/act")))
        .form(&form(&[
            ("_csrf", &csrf_y),
            ("version", &v),
            ("action", "info"),
            ("note", ""),
        ]))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 422, "asking for information needs a note");
    let r = yq
        .post(app.url(&format!("/services/applications/{app_id}/act")))
        .form(&form(&[
            ("_csrf", &csrf_y),
            ("version", &v),
            ("action", "info"),
            ("note", "请上传最新的低保证明"),
        ]))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 303);
    // A stale version is refused, not overwritten.
    let r = yq
        .post(app.url(&format!("/services/applications/{app_id}/act")))
        .form(&form(&[
            ("_csrf", &csrf_y),
            ("version", &v),
            ("action", "approve"),
            ("note", ""),
        ]))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 409);
    // The citizen answers.
    let mine = page_text(&c, &app.url(&loc)).await;
    assert!(mine.contains("请上传最新的低保证明"));
    let answer = reqwest::multipart::Form::new()
        .text("_csrf", csrf.clone())
        .text("note", "已上传")
        .part(
            "doc_dibao_proof",
            reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("new.png"),
        );
    let r = c
        .post(app.url(&format!("{loc}/answer")))
        .multipart(answer)
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 303);
    // Staff do the steps before the last one, then approve with reasons in plain and
    // easy-read words.
    for _ in 0..2 {
        assert_eq!(act(&app, &yq, &app_id, "step", "").await.status(), 303);
    }
    let detail = page_text(&yq, &app.url(&format!("/services/applications/{app_id}"))).await;
    let v = version_of(&detail);
    let r = yq
        .post(app.url(&format!("/services/applications/{app_id}/act")))
        .form(&form(&[
            ("_csrf", &csrf_y),
            ("version", &v),
            ("action", "approve"),
            ("note", "符合困难残疾人生活补贴条件，自申请当月起发放"),
            ("easy", "你可以每月领生活补贴了。"),
        ]))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 303);
    let mine = page_text(&c, &app.url(&loc)).await;
    assert!(mine.contains("已批准") && mine.contains("你可以每月领生活补贴了"));
    let msgs = page_text(&c, &app.url("/me/messages")).await;
    assert!(msgs.contains("已批准") && msgs.contains("需要补充材料"));
    // The approval recorded the enrolment: the person is now receiving the living subsidy.
    let file = app
        .db
        .store
        .person_file(&me.person.citizen_id, &crate::support::any())
        .await
        .expect("f")
        .expect("e");
    assert!(
        file.surveys
            .iter()
            .any(|s| s.living_subsidy_since.is_some())
    );
    assert!(
        file.events
            .iter()
            .any(|e| e.kind == zhucan_domain::timeline::EventKind::ServiceDecided)
    );
    assert!(
        file.events
            .iter()
            .any(|e| e.kind == zhucan_domain::timeline::EventKind::SubsidyEnrolled)
    );
    // The texts went to the outbox for the phone on file.
    assert!(!app.db.store.queued_sms(10).await.expect("sms").is_empty());

    // No other person's data by any URL or API call.
    let other_handle = app
        .db
        .store
        .ref_of(&other.person.citizen_id)
        .await
        .expect("r")
        .expect("h");
    for path in [
        format!("/me?p={other_handle}"),
        format!("/me/services/device?p={other_handle}"),
        format!("/me/needs?p={other_handle}"),
    ] {
        assert_eq!(
            c.get(app.url(&path)).send().await.expect("r").status(),
            404,
            "{path}"
        );
    }
    for path in [
        format!("/persons/{other_handle}"),
        "/persons".to_string(),
        "/indicators".to_string(),
        "/subsidies".to_string(),
        "/services/queue".to_string(),
    ] {
        assert_eq!(
            c.get(app.url(&path)).send().await.expect("r").status(),
            403,
            "{path}"
        );
    }
    let tok = app.token("wxm").await;
    let api = reqwest::Client::new();
    let v: serde_json::Value = api
        .get(app.url("/api/v1/me"))
        .bearer_auth(&tok)
        .send()
        .await
        .expect("r")
        .json()
        .await
        .expect("j");
    let persons = v["persons"].as_array().expect("persons");
    assert_eq!(persons.len(), 1);
    assert_eq!(
        persons[0]["file"]["person"]["citizen_id"],
        me.person.citizen_id.to_string()
    );
    assert!(!v.to_string().contains(other.person.citizen_id.as_str()));
    for path in [
        format!("/api/v1/persons/{}", other.person.citizen_id),
        "/api/v1/persons".into(),
        format!("/api/v1/persons/{}/subsidies", other.person.citizen_id),
        "/api/v1/indicators".into(),
    ] {
        let r = api
            .get(app.url(&path))
            .bearer_auth(&tok)
            .send()
            .await
            .expect("r");
        assert_eq!(r.status(), 403, "{path}");
    }
    let apps = app
        .db
        .store
        .applications(&AppQuery {
            page: 1,
            per_page: 10,
            ..AppQuery::default()
        })
        .await
        .expect("apps")
        .0;
    assert_eq!(apps, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_waits_for_the_last_step_and_no_step_is_skipped() {
    let (app, me, _) = setup().await;
    crate::support::citizen(&app.db.store, "wxm", &me.person.citizen_id).await;
    let c = app.browser("wxm").await;
    // 家庭无障碍改造 has four steps: 受理, 入户评估, 施工, 验收. Its programme works them on
    // its project pages (homemod's tests); here the desk's own workflow is tested on the same
    // four steps with no programme behind them.
    let (mut def, _) = app
        .db
        .store
        .service("home_modification")
        .await
        .expect("svc")
        .expect("home_modification");
    def.handled_by = None;
    let json = serde_json::to_string(&def)
        .expect("json")
        .replace('\'', "''");
    crate::support::raw_sql(
        &app.db.url,
        &format!("UPDATE services SET definition = '{json}' WHERE key = 'home_modification'"),
    )
    .await;
    let id = apply(
        &app,
        &c,
        "home_modification",
        &[
            ("f_address", "院桥镇某村 1 号"),
            ("f_contact_phone", "13912345678"),
        ],
    )
    .await;
    let yq = app.browser("yq").await;
    let url = app.url(&format!("/services/applications/{id}"));
    let page = page_text(&yq, &url).await;
    assert!(
        page.contains("value=\"step\"")
            && page.contains("value=\"reject\"")
            && !page.contains("value=\"approve\""),
        "approval is not offered at step 1"
    );
    assert!(page.contains("受理：当前环节") && page.contains("验收：未开始"));
    let before = app.db.store.application(&id).await.expect("a").expect("e");
    let events_before = app.db.store.application_events(&id).await.expect("ev");
    // A decision posted at step 1 is refused, naming the step still to be done.
    let r = act(&app, &yq, &id, "approve", "同意").await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("t");
    assert!(
        body.contains("第 1 步“受理”尚未完成")
            && body.contains("受理、入户评估、施工")
            && body.contains("不能跳过"),
        "{body}"
    );
    // … also in English …
    yq.get(app.url("/lang?to=en&next=/"))
        .send()
        .await
        .expect("lang");
    let r = act(&app, &yq, &id, "approve", "").await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("t");
    assert!(
        body.contains("step 1 “accept” is still to be done"),
        "{body}"
    );
    yq.get(app.url("/lang?to=zh&next=/"))
        .send()
        .await
        .expect("lang");
    // … and nothing changed: no step, no decision, no event, no enrolment, no message.
    assert_eq!(
        app.db.store.application(&id).await.expect("a").expect("e"),
        before
    );
    assert_eq!(
        app.db.store.application_events(&id).await.expect("ev"),
        events_before
    );
    let file = app
        .db
        .store
        .person_file(&me.person.citizen_id, &crate::support::any())
        .await
        .expect("f")
        .expect("e");
    assert!(
        !file
            .events
            .iter()
            .any(|e| e.kind == zhucan_domain::timeline::EventKind::ServiceDecided)
    );
    // Steps advance one at a time: the same form posted twice moves one step, not two.
    let page = page_text(&yq, &url).await;
    let once = form(&[
        ("_csrf", &csrf_of(&page)),
        ("version", &version_of(&page)),
        ("action", "step"),
        ("note", ""),
    ]);
    let post = || {
        yq.post(app.url(&format!("/services/applications/{id}/act")))
            .form(&once)
            .send()
    };
    assert_eq!(post().await.expect("r").status(), 303);
    assert_eq!(post().await.expect("r").status(), 409);
    let a = app.db.store.application(&id).await.expect("a").expect("e");
    assert_eq!((a.status.as_str(), a.step), ("submitted", 1));
    // Approval is still refused at steps 2 and 3.
    for step in [2, 3] {
        let r = act(&app, &yq, &id, "approve", "").await;
        assert_eq!(r.status(), 422, "approve at step {step}");
        assert_eq!(act(&app, &yq, &id, "step", "").await.status(), 303);
    }
    // At the last step only a decision completes it; approval is offered and works.
    let page = page_text(&yq, &url).await;
    assert!(page.contains("value=\"approve\"") && !page.contains("value=\"step\""));
    assert!(page.contains("施工：已完成") && page.contains("验收：当前环节"));
    let r = act(&app, &yq, &id, "step", "").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("最后一个环节“验收”"));
    assert_eq!(
        act(&app, &yq, &id, "approve", "验收合格").await.status(),
        303
    );
    let a = app.db.store.application(&id).await.expect("a").expect("e");
    assert_eq!((a.status.as_str(), a.step), ("approved", 3));
    let kinds: Vec<String> = app
        .db
        .store
        .application_events(&id)
        .await
        .expect("ev")
        .into_iter()
        .map(|e| format!("{}@{}", e.kind, e.step))
        .collect();
    assert_eq!(
        kinds,
        [
            "submitted@0",
            "step_done@0",
            "step_done@1",
            "step_done@2",
            "approved@3"
        ]
    );
    // A rejection with reasons may come at any step: an ineligible application is told so at
    // acceptance.
    let id2 = apply(
        &app,
        &c,
        "device",
        &[
            ("f_device", "wheelchair"),
            ("f_contact_phone", "13912345678"),
        ],
    )
    .await;
    assert_eq!(act(&app, &yq, &id2, "reject", "").await.status(), 422);
    assert_eq!(
        act(&app, &yq, &id2, "reject", "本年度名额已满，请明年再申请")
            .await
            .status(),
        303
    );
    let a = app.db.store.application(&id2).await.expect("a").expect("e");
    assert_eq!((a.status.as_str(), a.step), ("rejected", 0));
    let page = page_text(&yq, &app.url(&format!("/services/applications/{id2}"))).await;
    assert!(page.contains("受理：在此环节不予批准") && page.contains("审批：未办理"));
    // The citizen's page says the same: the steps after the rejection were never reached.
    let mine = page_text(&c, &app.url(&format!("/me/applications/{id2}"))).await;
    assert!(
        mine.contains("在此环节不予批准") && mine.contains("未办理"),
        "{mine}"
    );
    assert!(!mine.contains("已完成"), "{mine}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizens_own_application_is_labelled_so_on_the_timeline() {
    let (app, me, _) = setup().await;
    crate::support::citizen(&app.db.store, "wxm", &me.person.citizen_id).await;
    let c = app.browser("wxm").await;
    apply(
        &app,
        &c,
        "device",
        &[
            ("f_device", "wheelchair"),
            ("f_contact_phone", "13912345678"),
        ],
    )
    .await;
    let h = app
        .db
        .store
        .ref_of(&me.person.citizen_id)
        .await
        .expect("r")
        .expect("h");
    let yq = app.browser("yq").await;
    let page = page_text(&yq, &app.url(&format!("/persons/{h}"))).await;
    assert!(
        page.contains("由 wxm 记录（本人或监护人提交（服务端））"),
        "the citizen's application on the timeline"
    );
    assert!(
        !page.contains("部门数据"),
        "no feed label for the service end"
    );
    // The staff entries keep theirs.
    assert!(page.contains("工作人员页面登记") || page.contains("花名册导入"));
    yq.get(app.url("/lang?to=en&next=/"))
        .send()
        .await
        .expect("lang");
    let page = page_text(&yq, &app.url(&format!("/persons/{h}"))).await;
    assert!(page.contains("by wxm (submitted by the person or a guardian (service end))"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn needs_close_the_loop_with_the_citizens_answer() {
    let (app, me, _) = setup().await;
    crate::support::citizen(&app.db.store, "wxm", &me.person.citizen_id).await;
    let c = app.browser("wxm").await;
    let page = page_text(&c, &app.url("/me/needs")).await;
    let csrf = csrf_of(&page);
    let r = c
        .post(app.url("/me/needs"))
        .form(&form(&[
            ("_csrf", &csrf),
            ("kind", "wish"),
            ("description", ""),
        ]))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("t");
    assert!(body.contains("“wish”") && body.contains("f-description-error"));
    let r = c
        .post(app.url("/me/needs"))
        .form(&form(&[
            ("_csrf", &csrf),
            ("kind", "device"),
            ("description", "需要一台轮椅"),
        ]))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 303);
    let yq = app.browser("yq").await;
    let list = page_text(&yq, &app.url("/needs")).await;
    assert!(
        list.contains("需要一台轮椅") && list.contains("院桥镇"),
        "unmet needs by township"
    );
    let need = app
        .db
        .store
        .needs(
            &zhucan_domain::AreaCode::parse("331003").expect("a"),
            None,
            &[],
            1,
            10,
        )
        .await
        .expect("n")
        .1
        .remove(0);
    let csrf_y = csrf_of(&list);
    let r = yq
        .post(app.url(&format!("/needs/{}/act", need.id)))
        .form(&form(&[
            ("_csrf", &csrf_y),
            ("action", "service"),
            ("service", "device"),
        ]))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 303);
    let r = yq
        .post(app.url(&format!("/needs/{}/act", need.id)))
        .form(&form(&[
            ("_csrf", &csrf_y),
            ("action", "close"),
            ("text", ""),
        ]))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 422);
    let r = yq
        .post(app.url(&format!("/needs/{}/act", need.id)))
        .form(&form(&[
            ("_csrf", &csrf_y),
            ("action", "close"),
            ("text", "已配发轮椅"),
        ]))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 303);
    let mine = page_text(&c, &app.url("/me/needs")).await;
    assert!(mine.contains("已配发轮椅") && mine.contains("satisfaction"));
    let r = c
        .post(app.url(&format!("/me/needs/{}/satisfaction", need.id)))
        .form(&form(&[("_csrf", &csrf), ("satisfaction", "satisfied")]))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 303);
    let closed = app.db.store.need(&need.id).await.expect("n").expect("e");
    assert_eq!(closed.status, "closed");
    assert_eq!(
        closed.satisfaction,
        Some(zhucan_service::rules::Satisfaction::Satisfied)
    );
    assert!(
        app.db
            .store
            .unmet_needs(&zhucan_domain::AreaCode::parse("331003").expect("a"))
            .await
            .expect("u")
            .is_empty()
    );
    // A village worker records a need heard on a visit.
    user(&app.db.store, "cw", Role::VillageWorker, "331003107").await;
    let cw = app.browser("cw").await;
    let h = app
        .db
        .store
        .ref_of(&me.person.citizen_id)
        .await
        .expect("r")
        .expect("h");
    let p = page_text(&cw, &app.url(&format!("/persons/{h}/needs"))).await;
    let r = cw
        .post(app.url(&format!("/persons/{h}/needs")))
        .form(&form(&[
            ("_csrf", &csrf_of(&p)),
            ("kind", "care"),
            ("description", "父母年迈，需要日间照料"),
        ]))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 303);
    let unmet = app
        .db
        .store
        .unmet_needs(&zhucan_domain::AreaCode::parse("331003").expect("a"))
        .await
        .expect("u");
    assert_eq!(
        unmet,
        vec![("331003107".to_string(), "care".to_string(), 1)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn display_preferences_stay_with_the_reader() {
    let (app, _, _) = setup().await;
    let c = client();
    let r = c
        .get(app.url("/display?set=large.contrast.easy&next=/signup"))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), 303);
    let page = page_text(&c, &app.url("/signup")).await;
    assert!(page.contains(r#"class="large-text high-contrast easy-read""#));
    let r = c
        .get(app.url("/display?set=&next=https://evil.example/"))
        .send()
        .await
        .expect("r");
    assert_eq!(
        r.headers().get("location").and_then(|l| l.to_str().ok()),
        Some("/")
    );
}
