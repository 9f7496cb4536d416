//! The web service end to end: pages, API, scope, forms, security headers.

#[allow(unused_imports)]
use crate::support::prelude::*;
use zhucan_domain::{Category, Grade};
use zhucan_store::Role;

use crate::support::{TestApp, TestDb, csrf_of, d, page_text, put, record, user};

/// Two townships, one person each, and accounts of several roles.
async fn app() -> (
    TestApp,
    zhucan_domain::person::PersonRecord,
    zhucan_domain::person::PersonRecord,
) {
    app_on(TestDb::sqlite().await).await
}

/// The same two-township fixture on a given database.
async fn app_on(
    db: TestDb,
) -> (
    TestApp,
    zhucan_domain::person::PersonRecord,
    zhucan_domain::person::PersonRecord,
) {
    let a = record(
        "院桥张三",
        d(1980, 1, 2),
        11,
        "331003107",
        Category::Physical,
        Grade::Two,
    );
    let b = record(
        "东城李四",
        d(1975, 6, 30),
        21,
        "331003001",
        Category::Visual,
        Grade::One,
    );
    put(&db.store, &[a.clone(), b.clone()]).await;
    user(&db.store, "admin", Role::DistrictAdmin, "331003").await;
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    user(&db.store, "audit", Role::Auditor, "331003").await;
    (TestApp::start(db).await, a, b)
}

#[tokio::test]
async fn health_and_security_headers() {
    let (app, _, _) = app().await;
    let r = reqwest::get(app.url("/healthz")).await.expect("get");
    assert_eq!(r.status(), 200);
    let r = reqwest::get(app.url("/login")).await.expect("get");
    let h = r.headers();
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap_or("")
            .contains("frame-ancestors 'none'")
    );
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap_or("")
            .contains("script-src 'none'")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(h.contains_key("referrer-policy"));
    let body = r.text().await.expect("body");
    assert!(body.contains("<html lang=\"zh-CN\">"));
}

#[tokio::test]
async fn pages_require_login_and_remember_the_target() {
    let (app, _, _) = app().await;
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = c.get(app.url("/persons?q=x")).send().await.expect("get");
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login?next=%2Fpersons%3Fq%3Dx");
    let r = c
        .post(app.url("/login"))
        .form(&[("username", "admin"), ("password", "wrong")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 401);
    assert!(r.text().await.expect("body").contains("用户名或密码不正确"));
    let code = crate::support::totp_code(&app.db.store, "admin")
        .await
        .unwrap_or_default();
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("username", "admin"),
            ("password", crate::support::PASSWORD),
            ("totp", code.as_str()),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/", "an off-site next is ignored");
    let cookie = r.headers()["set-cookie"].to_str().unwrap_or("").to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

async fn search_masks_identifiers_and_respects_the_area(db: TestDb) {
    let (app, a, b) = app_on(db).await;
    let admin = app.browser("admin").await;
    let html = page_text(&admin, &app.url("/persons?q=")).await;
    assert!(html.contains("共找到 2 人"), "{html}");
    assert!(html.contains(&a.person.citizen_id.masked()));
    assert!(
        !html.contains(a.person.citizen_id.as_str()),
        "full ID must not appear"
    );
    let yq = app.browser("yq").await;
    let html = page_text(&yq, &app.url("/persons?q=")).await;
    assert!(html.contains("院桥张三") && !html.contains("东城李四"));
    // Asking for another township finds nobody.
    let html = page_text(&yq, &app.url("/persons?q=&area=331003001")).await;
    assert!(!html.contains("东城李四"));
    // Searching another township's person by full ID finds nobody.
    let url = app.url(&format!("/persons?q={}", b.person.citizen_id));
    let html = yq
        .get(url)
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(html.contains("共找到 0 人"));
}

async fn person_file_in_scope_and_404_outside(db: TestDb) {
    let (app, a, b) = app_on(db).await;
    let yq = app.browser("yq").await;
    let r = yq
        .get(app.url(&format!(
            "/persons/{}",
            crate::support::handle_of(&app, &a).await
        )))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("body");
    assert!(html.contains("院桥张三") && html.contains("138****5678") && html.contains("肢体"));
    assert!(!html.contains("13812345678"));
    let r = yq
        .get(app.url(&format!(
            "/persons/{}",
            crate::support::handle_of(&app, &b).await
        )))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 404, "another township's person is not found");
    let r = yq
        .get(app.url("/persons/doesnotexist"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 404);
    let audit = app.browser("audit").await;
    let r = audit
        .get(app.url(&format!(
            "/persons/{}",
            crate::support::handle_of(&app, &a).await
        )))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 403, "an auditor reads no person files");
}

async fn register_form_validates_each_field(db: TestDb) {
    let (app, _, _) = app_on(db).await;
    let yq = app.browser("yq").await;
    let html = page_text(&yq, &app.url("/persons/new")).await;
    let csrf = csrf_of(&html);
    // Without the CSRF token.
    let r = yq
        .post(app.url("/persons/new"))
        .form(&[("name", "x")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    // Bad values: each field says what is wrong, tied to the field.
    let r = yq
        .post(app.url("/persons/new"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", ""),
            ("citizen_id", "110105194912310021"),
            ("category", "physical"),
            ("grade", "2"),
            ("issued_on", "2099-01-01"),
            ("township", "331003107"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("body");
    assert!(html.contains("公民身份号码校验位错误：应为 X"), "{html}");
    assert!(html.contains("id=\"f-citizen_id-error\""));
    assert!(html.contains("aria-describedby=\"f-citizen_id-hint f-citizen_id-error\""));
    assert!(html.contains("日期不能晚于今天"));
    assert!(html.contains("href=\"#f-name\""));
    assert!(
        html.contains("value=\"110105194912310021\""),
        "values are kept"
    );
    // Registering outside the account's township is refused.
    let r = yq
        .post(app.url("/persons/new"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "新人"),
            ("citizen_id", "11010519491231002X"),
            ("category", "physical"),
            ("grade", "2"),
            ("issued_on", "2025-03-01"),
            ("township", "331003001"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    // A valid registration (full-width digits and lower-case x) opens the file.
    let r = yq
        .post(app.url("/persons/new"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "新人"),
            ("citizen_id", "１１０１０５１９４９１２３１００２x"),
            ("category", "physical"),
            ("grade", "2"),
            ("issued_on", "2025/3/1"),
            ("township", "331003107"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap_or("").to_string();
    let html = page_text(&yq, &app.url(&loc)).await;
    assert!(html.contains("新人") && html.contains("已保存"));
    let id = zhucan_domain::CitizenId::parse("11010519491231002X")
        .expect("id")
        .id;
    let f = app
        .db
        .store
        .person_file(&id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    assert_eq!(f.certificate.number.as_str(), "11010519491231002X42");
    assert_eq!(f.certificate.valid_until, d(2035, 3, 1));
}

async fn life_events_append_and_stale_forms_conflict(db: TestDb) {
    let (app, a, _) = app_on(db).await;
    let h = crate::support::handle_of(&app, &a).await;
    let yq = app.browser("yq").await;
    let html = page_text(&yq, &app.url(&format!("/persons/{h}/events?kind=decease"))).await;
    let csrf = csrf_of(&html);
    let version = app
        .db
        .store
        .person_file(&a.person.citizen_id, &crate::support::any())
        .await
        .expect("f")
        .expect("e")
        .version
        .to_string();
    let post = |form: Vec<(&'static str, String)>| {
        let yq = yq.clone();
        let url = app.url(&format!("/persons/{h}/events"));
        async move { yq.post(url).form(&form).send().await.expect("post") }
    };
    let r = post(vec![
        ("_csrf", csrf.clone()),
        ("version", version.clone()),
        ("kind", "decease".into()),
        ("on", "1970-01-01".into()),
    ])
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("body").contains("日期早于出生日期"));
    let r = post(vec![
        ("_csrf", csrf.clone()),
        ("version", version.clone()),
        ("kind", "move_out".into()),
        ("on", "2025-06-01".into()),
    ])
    .await;
    assert_eq!(r.status(), 303);
    // The same (now stale) version again: refused with a clear message.
    let r = post(vec![
        ("_csrf", csrf.clone()),
        ("version", version.clone()),
        ("kind", "decease".into()),
        ("on", "2025-07-01".into()),
    ])
    .await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.expect("body").contains("其他人已修改"));
    let f = app
        .db
        .store
        .person_file(&a.person.citizen_id, &crate::support::any())
        .await
        .expect("f")
        .expect("e");
    assert_eq!(f.person.moved_out_on, Some(d(2025, 6, 1)));
    assert_eq!(f.person.died_on, None);
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let (app, _, _) = app().await;
    let r = reqwest::Client::new()
        .post(app.url("/login"))
        .header("origin", "http://evil.example")
        .form(&[
            ("username", "admin"),
            ("password", crate::support::PASSWORD),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn language_switch() {
    let (app, _, _) = app().await;
    let c = app.browser("admin").await;
    let r = c
        .get(app.url("/lang?to=en&next=/persons"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/persons");
    let html = page_text(&c, &app.url("/persons")).await;
    assert!(html.contains("<html lang=\"en\">") && html.contains("Find a person"));
}

async fn api_session_persons_and_scope(db: TestDb) {
    let (app, a, b) = app_on(db).await;
    let c = reqwest::Client::new();
    let r = c.get(app.url("/api/v1/persons")).send().await.expect("get");
    assert_eq!(r.status(), 401);
    let v: serde_json::Value = r.json().await.expect("json");
    assert_eq!(v["error"]["code"], "unauthorized");
    let r = c
        .get(app.url("/api/v1/persons"))
        .bearer_auth("zc_wrong")
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 401);
    let r = c
        .post(app.url("/api/v1/session"))
        .body("not json")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<serde_json::Value>().await.expect("json")["error"]["code"],
        "invalid_json"
    );
    let r = c
        .post(app.url("/api/v1/session"))
        .json(&serde_json::json!({"username": "yq", "password": "x"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 401);

    let yq = app.token("yq").await;
    let v: serde_json::Value = c
        .get(app.url("/api/v1/persons"))
        .bearer_auth(&yq)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["name"], "院桥张三");
    assert_eq!(
        v["items"][0]["citizen_id_masked"],
        a.person.citizen_id.masked()
    );
    let v: serde_json::Value = c
        .get(app.url("/api/v1/persons?area=331003001"))
        .bearer_auth(&yq)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(v["total"], 0, "another township through ?area= is empty");
    let r = c
        .get(app.url("/api/v1/persons?page=0"))
        .bearer_auth(&yq)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 400);
    let e: serde_json::Value = r.json().await.expect("json");
    assert_eq!(e["error"]["code"], "invalid_parameter");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("page")
    );

    let r = c
        .get(app.url(&format!("/api/v1/persons/{}", a.person.citizen_id)))
        .bearer_auth(&yq)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.expect("json");
    assert_eq!(v["person"]["name"], "院桥张三");
    assert_eq!(v["person"]["phone"], "138****5678");
    assert_eq!(v["certificate"]["grade"], "2");
    let r = c
        .get(app.url(&format!("/api/v1/persons/{}", b.person.citizen_id)))
        .bearer_auth(&yq)
        .send()
        .await
        .expect("get");
    assert_eq!(
        r.status(),
        404,
        "outside the area: not found, not forbidden"
    );
    let r = c
        .get(app.url("/api/v1/persons/110105194912310021"))
        .bearer_auth(&yq)
        .header("accept-language", "en")
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 400);
    let e: serde_json::Value = r.json().await.expect("json");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("citizen_id"),
        "{e}"
    );

    let audit = app.token("audit").await;
    let r = c
        .get(app.url("/api/v1/persons"))
        .bearer_auth(&audit)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn openapi_describes_every_api_route() {
    let (app, _, _) = app().await;
    let v: serde_json::Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert!(v["openapi"].as_str().unwrap_or("").starts_with("3."));
    for p in [
        "/api/v1/session",
        "/api/v1/persons",
        "/api/v1/persons/{citizen_id}",
        "/api/v1/tokens",
        "/api/v1/tokens/{id}",
        "/healthz",
    ] {
        assert!(v["paths"].get(p).is_some(), "missing {p}");
    }
}

// Audit, lockout, scope, forms, reveal and account administration on both backends.
crate::contract!(
    reads_changes_and_logins_are_audited,
    the_fifth_wrong_password_locks_the_account,
    search_masks_identifiers_and_respects_the_area,
    person_file_in_scope_and_404_outside,
    register_form_validates_each_field,
    life_events_append_and_stale_forms_conflict,
    api_session_persons_and_scope,
    reveal_is_explicit_and_audited_and_partners_see_less,
    the_system_administrator_manages_accounts,
);

async fn reads_changes_and_logins_are_audited(db: TestDb) {
    let (app, a, b) = app_on(db).await;
    let yq = app.browser("yq").await;
    let h = crate::support::handle_of(&app, &a).await;
    assert_eq!(
        yq.get(app.url(&format!("/persons/{h}")))
            .send()
            .await
            .expect("get")
            .status(),
        200
    );
    let hb = crate::support::handle_of(&app, &b).await;
    assert_eq!(
        yq.get(app.url(&format!("/persons/{hb}")))
            .send()
            .await
            .expect("get")
            .status(),
        404
    );
    let bad = reqwest::Client::new()
        .post(app.url("/login"))
        .form(&[("username", "yq"), ("password", "wrong")])
        .send()
        .await
        .expect("post");
    assert_eq!(bad.status(), 401);
    let q = |action: &str| zhucan_store::audit::AuditQuery {
        action: Some(action.into()),
        limit: 50,
        ..Default::default()
    };
    let reads = crate::support::audit_rows(&app.db.store, &q("person.read"), 2).await;
    let ok = reads
        .iter()
        .find(|r| r.outcome == "ok")
        .expect("a recorded read");
    assert_eq!(
        (ok.account.as_str(), ok.role.as_str(), ok.area.as_str()),
        ("yq", "township_staff", "331003107")
    );
    assert_eq!(ok.object, a.person.citizen_id.as_str());
    assert_eq!(ok.client, "127.0.0.1");
    assert!(
        reads.iter().any(|r| r.outcome == "denied"),
        "the refused read is recorded too"
    );
    let (_, logins) = app
        .db
        .store
        .audit_search(&q("login"))
        .await
        .expect("search");
    assert!(
        logins
            .iter()
            .any(|r| r.account == "yq" && r.outcome == "failed")
    );
    assert!(
        logins
            .iter()
            .any(|r| r.account == "yq" && r.outcome == "ok")
    );

    // An auditor finds the reads of one person and exports them.
    let audit = app.browser("audit").await;
    let url = app.url(&format!("/audit?object={}", a.person.citizen_id));
    let html = audit
        .get(url)
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(
        html.contains("person.read") && html.contains("yq"),
        "{html}"
    );
    let csv = page_text(&audit, &app.url("/audit/export.csv?action=login")).await;
    assert!(
        csv.lines().count() >= 3 && csv.contains("\"login\""),
        "{csv}"
    );
    assert!(matches!(
        app.db.store.verify_audit().await.expect("verify"),
        zhucan_store::audit::AuditCheck::Intact { .. }
    ));
}

async fn the_fifth_wrong_password_locks_the_account(db: TestDb) {
    let (app, _, _) = app_on(db).await;
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let attempt = |pw: &'static str| {
        let c = c.clone();
        let url = app.url("/login");
        async move {
            c.post(url)
                .form(&[("username", "yq"), ("password", pw)])
                .send()
                .await
                .expect("post")
        }
    };
    for _ in 0..5 {
        assert_eq!(attempt("wrong password").await.status(), 401);
    }
    let r = attempt(crate::support::PASSWORD).await;
    assert_eq!(r.status(), 403, "locked even with the right password");
    assert!(r.headers().contains_key("retry-after"));
    assert!(r.text().await.expect("body").contains("已临时锁定"));
    // The API refuses too.
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/session"))
        .json(&serde_json::json!({"username": "yq", "password": crate::support::PASSWORD}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(
        r.json::<serde_json::Value>().await.expect("json")["error"]["code"],
        "account_locked"
    );
    // Another account is not affected; the trail shows every attempt.
    assert_eq!(
        app.browser("admin")
            .await
            .get(app.url("/"))
            .send()
            .await
            .expect("get")
            .status(),
        200
    );
    let q = zhucan_store::audit::AuditQuery {
        account: Some("yq".into()),
        limit: 50,
        ..Default::default()
    };
    let (_, rows) = app.db.store.audit_search(&q).await.expect("search");
    assert_eq!(rows.iter().filter(|r| r.outcome == "failed").count(), 5);
    assert_eq!(rows.iter().filter(|r| r.outcome == "locked").count(), 2);
}

#[tokio::test]
async fn sign_in_attempts_are_rate_limited_per_address() {
    let db = TestDb::sqlite().await;
    user(&db.store, "admin", Role::DistrictAdmin, "331003").await;
    let config = zhucan_web::Config {
        login_rate_max: 3,
        ..zhucan_web::Config::default()
    };
    let app = TestApp::start_with(db, config).await;
    let c = reqwest::Client::new();
    for _ in 0..3 {
        let r = c
            .post(app.url("/api/v1/session"))
            .json(&serde_json::json!({"username": "nobody", "password": "x"}))
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 401);
    }
    let r = c
        .post(app.url("/api/v1/session"))
        .json(&serde_json::json!({"username": "admin", "password": crate::support::PASSWORD}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap_or("0")
        .parse()
        .unwrap_or(0);
    assert!((1..=60).contains(&wait));
    assert_eq!(
        r.json::<serde_json::Value>().await.expect("json")["error"]["code"],
        "rate_limited"
    );
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("username", "admin"),
            ("password", crate::support::PASSWORD),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 429);
}

/// Issue 23.5: sign-in throttling per account and per address. An office behind one NAT
/// shares an address: the address limit is much higher than the account's, one account being
/// guessed does not block the others, and a right password with a right second factor goes
/// through even when the address is over its limit.
#[tokio::test]
async fn sign_in_throttling_is_per_account_and_per_address() {
    let defaults = zhucan_web::Config::default();
    assert!(
        defaults.login_rate_max >= 10 * defaults.login_account_rate_max,
        "the address limit is much higher than the account limit"
    );
    let db = TestDb::sqlite().await;
    user(&db.store, "admin", Role::DistrictAdmin, "331003").await;
    user(&db.store, "clerk", Role::TownshipStaff, "331003107").await;
    user(&db.store, "clerk2", Role::TownshipStaff, "331003107").await;
    let config = zhucan_web::Config {
        login_rate_max: 6,
        login_account_rate_max: 3,
        ..zhucan_web::Config::default()
    };
    let app = TestApp::start_with(db, config).await;
    let office = reqwest::Client::new();
    let elsewhere = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .expect("client");
    let session = |c: &reqwest::Client, body: serde_json::Value| {
        let r = c.post(app.url("/api/v1/session")).json(&body).send();
        async move { r.await.expect("post") }
    };
    let right = crate::support::PASSWORD;
    // Someone in the office guesses clerk's password: the account's own limit stops it …
    for _ in 0..3 {
        let r = session(
            &office,
            serde_json::json!({"username": "clerk", "password": "guess"}),
        )
        .await;
        assert_eq!(r.status(), 401);
    }
    // … from any address, the right password included.
    let r = session(
        &elsewhere,
        serde_json::json!({"username": "clerk", "password": right}),
    )
    .await;
    assert_eq!(r.status(), 429, "the account limit holds across addresses");
    assert!(r.headers().contains_key("retry-after"));
    // More failures from the office fill the address's (higher) limit.
    for i in 0..3 {
        let r = session(
            &office,
            serde_json::json!({"username": format!("nobody{i}"), "password": "x"}),
        )
        .await;
        assert_eq!(r.status(), 401);
    }
    // Over the address limit: a right password alone is refused like a wrong one …
    let r = session(
        &office,
        serde_json::json!({"username": "clerk2", "password": right}),
    )
    .await;
    assert_eq!(r.status(), 429);
    assert_eq!(
        r.json::<serde_json::Value>().await.expect("json")["error"]["code"],
        "rate_limited"
    );
    // … so is a right password with a wrong code …
    let code = crate::support::totp_code(&app.db.store, "admin")
        .await
        .expect("admin has a second factor");
    let wrong: String = code
        .chars()
        .map(|c| {
            if c == '9' {
                '0'
            } else {
                char::from(c as u8 + 1)
            }
        })
        .collect();
    let r = session(
        &office,
        serde_json::json!({"username": "admin", "password": right, "totp": wrong}),
    )
    .await;
    assert_eq!(r.status(), 429);
    // … but a right password with the right second factor goes through.
    let r = session(
        &office,
        serde_json::json!({"username": "admin", "password": right, "totp": code}),
    )
    .await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    // The sign-in page too, for a colleague with a second factor.
    let code = crate::support::totp_code(&app.db.store, "admin")
        .await
        .expect("code");
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .post(app.url("/login"))
        .form(&[("username", "admin"), ("password", right), ("totp", &code)])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303, "signed in despite the address limit");
    // Another address is not held by the office's limit.
    let r = session(
        &elsewhere,
        serde_json::json!({"username": "clerk2", "password": right}),
    )
    .await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn administrators_must_enrol_and_use_a_second_factor() {
    let db = TestDb::sqlite().await;
    // An administrator created without a second factor (as `zhucan user add` does).
    let hash = zhucan_web::auth::hash_password(crate::support::PASSWORD).expect("hash");
    let new = zhucan_store::NewUser {
        username: "boss".into(),
        password_hash: hash,
        role: Role::DistrictAdmin,
        area: zhucan_domain::AreaCode::parse("331003").expect("code"),
        display_name: None,
    };
    db.store.create_user(&new).await.expect("user");
    let app = TestApp::start(db).await;
    let api = reqwest::Client::new();
    let session = |totp: Option<String>| {
        let api = api.clone();
        let url = app.url("/api/v1/session");
        async move {
            api.post(url)
                .json(&serde_json::json!({"username": "boss", "password": crate::support::PASSWORD, "totp": totp}))
                .send()
                .await
                .expect("post")
        }
    };
    let r = session(None).await;
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<serde_json::Value>().await.expect("json")["error"]["code"],
        "second_factor_not_enrolled"
    );

    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = c
        .post(app.url("/login"))
        .form(&[("username", "boss"), ("password", crate::support::PASSWORD)])
        .send()
        .await
        .expect("login");
    assert_eq!(
        r.headers()["location"],
        "/account/2fa",
        "straight to enrolment"
    );
    let r = c.get(app.url("/persons")).send().await.expect("get");
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "/account/2fa",
        "nothing else before enrolment"
    );
    let html = page_text(&c, &app.url("/account/2fa")).await;
    assert!(html.contains("data:image/svg+xml;base64,"), "a QR code");
    let start = html.find("<code>").expect("key") + "<code>".len();
    let secret: String = html[start..]
        .chars()
        .take_while(|ch| *ch != '<')
        .filter(|ch| !ch.is_whitespace())
        .collect();
    let csrf = csrf_of(&html);
    let wrong = c
        .post(app.url("/account/2fa"))
        .form(&[("_csrf", csrf.as_str()), ("code", "12345")])
        .send()
        .await
        .expect("post");
    assert_eq!(wrong.status(), 422);
    let now = zhucan_web::totp::step_at(chrono::Utc::now().timestamp());
    let code = zhucan_web::totp::code_at(&secret, now, 6).expect("code");
    let html = c
        .post(app.url("/account/2fa"))
        .form(&[("_csrf", csrf.as_str()), ("code", code.as_str())])
        .send()
        .await
        .expect("post")
        .text()
        .await
        .expect("body");
    let recovery: Vec<String> = html
        .split("<li><code>")
        .skip(1)
        .filter_map(|s| s.split("</code>").next().map(str::to_string))
        .collect();
    assert_eq!(recovery.len(), 10, "{html}");
    assert_eq!(
        c.get(app.url("/persons"))
            .send()
            .await
            .expect("get")
            .status(),
        200
    );

    // From now on the password alone is not enough; a code is accepted once.
    let fresh = || {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    };
    let login = |totp: String| {
        let c = fresh();
        let url = app.url("/login");
        async move {
            c.post(url)
                .form(&[
                    ("username", "boss"),
                    ("password", crate::support::PASSWORD),
                    ("totp", totp.as_str()),
                ])
                .send()
                .await
                .expect("login")
        }
    };
    let r = login(String::new()).await;
    assert_eq!(r.status(), 401);
    assert!(r.text().await.expect("body").contains("双重验证"));
    assert_eq!(
        login(code.clone()).await.status(),
        401,
        "the enrolment code cannot be replayed"
    );
    assert_eq!(
        login(recovery[0].to_uppercase()).await.status(),
        303,
        "a recovery code works"
    );
    assert_eq!(login(recovery[0].clone()).await.status(), 401, "once");
    let next = zhucan_web::totp::code_at(&secret, now + 1, 6).expect("code");
    assert_eq!(
        session(Some(next)).await.status(),
        200,
        "the API takes the code in `totp`"
    );
}

async fn reveal_is_explicit_and_audited_and_partners_see_less(db: TestDb) {
    let (app, a, _) = app_on(db).await;
    user(&app.db.store, "dept", Role::Partner, "331003").await;
    let h = crate::support::handle_of(&app, &a).await;
    let yq = app.browser("yq").await;
    let html = page_text(&yq, &app.url(&format!("/persons/{h}"))).await;
    assert!(!html.contains(a.person.citizen_id.as_str()) && !html.contains("13812345678"));
    let csrf = csrf_of(&html);
    let r = yq
        .post(app.url(&format!("/persons/{h}/reveal")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("body");
    assert!(html.contains(a.person.citizen_id.as_str()) && html.contains("13812345678"));
    let q = zhucan_store::audit::AuditQuery {
        action: Some("person.reveal".into()),
        limit: 10,
        ..Default::default()
    };
    let rows = crate::support::audit_rows(&app.db.store, &q, 1).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].account.as_str(), rows[0].object.as_str()),
        ("yq", a.person.citizen_id.as_str())
    );

    // A partner department: the declared fields only, no reveal.
    let dept = app.browser("dept").await;
    let html = page_text(&dept, &app.url(&format!("/persons/{h}"))).await;
    assert!(html.contains("院桥张三") && html.contains("肢体"));
    assert!(
        !html.contains("138****5678")
            && !html.contains("id=\"surveys\"")
            && !html.contains("/reveal")
    );
    let token = app.token("dept").await;
    let v: serde_json::Value = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/persons/{}", a.person.citizen_id)))
        .bearer_auth(&token)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(v["person"]["name"], "院桥张三");
    assert!(
        v["person"].get("phone").is_none()
            && v.get("surveys").is_none()
            && v.get("events").is_none(),
        "{v}"
    );
}

/// Issue 23.7: identifiers are masked for roles without the reveal right — the partner API by
/// citizen ID, and the auditor's audit trail (page and CSV) — as `identifiers.md` masks them.
#[tokio::test]
async fn partners_and_auditors_see_identifiers_masked() {
    let (app, a, _) = app().await;
    user(&app.db.store, "dept", Role::Partner, "331003").await;
    let id = a.person.citizen_id.as_str().to_string();
    let cert = a.certificate.number.as_str().to_string();
    let masked_id = a.person.citizen_id.masked();
    let masked_cert = a.certificate.number.masked();
    let get = |token: String| {
        let url = app.url(&format!("/api/v1/persons/{id}"));
        async move {
            let r = reqwest::Client::new()
                .get(url)
                .bearer_auth(&token)
                .send()
                .await
                .expect("get");
            assert_eq!(r.status(), 200);
            r.text().await.expect("body")
        }
    };
    // The partner department: no full certificate number, no full ID.
    let body = get(app.token("dept").await).await;
    assert!(!body.contains(&cert) && !body.contains(&id), "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["certificate"]["number"], masked_cert.as_str(), "{v}");
    assert_eq!(v["person"]["citizen_id"], masked_id.as_str(), "{v}");
    assert!(
        !v["certificate"]["category"].is_null(),
        "the rest is kept: {v}"
    );
    // Staff with the reveal right keep the full file in the API (each read is audited).
    let body = get(app.token("yq").await).await;
    assert!(body.contains(&cert), "{body}");
    // A search by the full ID and the reads put the ID into the trail; the auditor sees it
    // masked on the page and in the CSV, and still finds the records by the full ID.
    let r = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/persons?q={cert}")))
        .bearer_auth(app.token("yq").await)
        .send()
        .await
        .expect("search");
    assert_eq!(r.status(), 200);
    crate::support::audit_rows(
        &app.db.store,
        &zhucan_store::audit::AuditQuery {
            action: Some("person.search".into()),
            limit: 10,
            ..Default::default()
        },
        1,
    )
    .await;
    let auditor = app.browser("audit").await;
    let html = page_text(&auditor, &app.url(&format!("/audit?object={id}"))).await;
    assert!(
        html.contains(&masked_id),
        "the reads are found by the full ID: {html}"
    );
    let html = page_text(&auditor, &app.url("/audit")).await;
    assert!(
        html.contains(&masked_id) && html.contains(&masked_cert),
        "{html}"
    );
    let rows_part = html.split("<tbody>").nth(1).unwrap_or("");
    assert!(
        !rows_part.contains(&id) && !rows_part.contains(&cert),
        "no full identifier in the records: {rows_part}"
    );
    let csv = page_text(&auditor, &app.url("/audit/export.csv")).await;
    assert!(csv.contains(&masked_id), "{csv}");
    assert!(!csv.contains(&id) && !csv.contains(&cert), "{csv}");
}

/// Issue 23.8: every request leaves one access-log line — method, route template, status,
/// latency, request ID, account — and never the raw path (a citizen ID) or the query.
#[tokio::test]
async fn requests_are_logged_by_route_template_without_personal_data() {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut g) = self.0.lock() {
                g.extend_from_slice(b);
            }
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    // A current-thread test: the server's tasks run on this thread, under this subscriber.
    let _guard = tracing::subscriber::set_default(subscriber);
    let (app, a, _) = app().await;
    let id = a.person.citizen_id.as_str().to_string();
    let token = app.token("yq").await;
    let r = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/persons/{id}?secret=1")))
        .bearer_auth(&token)
        .header("x-request-id", "req-23-8")
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-request-id"], "req-23-8", "echoed");
    let r = reqwest::get(app.url(&format!("/nowhere/{id}")))
        .await
        .expect("get");
    assert_eq!(r.status(), 404);
    assert!(r.headers().contains_key("x-request-id"), "made when absent");
    let yq = app
        .db
        .store
        .user_by_username("yq")
        .await
        .expect("lookup")
        .expect("yq");
    let out =
        String::from_utf8(buf.0.lock().map(|g| g.clone()).unwrap_or_default()).expect("utf-8");
    let line = out
        .lines()
        .find(|l| l.contains("request_id=req-23-8"))
        .unwrap_or_else(|| panic!("no access-log line: {out}"));
    for field in [
        "method=GET",
        "route=/api/v1/persons/{citizen_id}",
        "status=200",
        "latency_ms=",
        &format!("account_id={}", yq.id),
        "account=yq",
    ] {
        assert!(line.contains(field), "{field} missing: {line}");
    }
    assert!(
        out.lines()
            .any(|l| l.contains("route=(unmatched)") && l.contains("status=404")),
        "{out}"
    );
    assert!(!out.contains(&id), "no citizen ID in the log: {out}");
    assert!(
        !out.contains("secret=1"),
        "no query string in the log: {out}"
    );
}

#[tokio::test]
async fn an_idle_session_expires() {
    let db = TestDb::sqlite().await;
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    let config = zhucan_web::Config {
        session_idle: std::time::Duration::from_secs(1),
        login_rate_max: 100,
        ..zhucan_web::Config::default()
    };
    let app = TestApp::start_with(db, config).await;
    let c = app.browser("yq").await;
    assert_eq!(c.get(app.url("/")).send().await.expect("get").status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let r = c.get(app.url("/")).send().await.expect("get");
    assert_eq!(r.status(), 303, "an idle session ends");
}

async fn the_system_administrator_manages_accounts(db: TestDb) {
    let (app, _, _) = app_on(db).await;
    user(&app.db.store, "sys", Role::SystemAdmin, "331003").await;
    let sys = app.browser("sys").await;
    let html = page_text(&sys, &app.url("/admin/users")).await;
    assert!(html.contains("yq") && html.contains("audit"));
    let csrf = csrf_of(&html);
    let r = sys
        .post(app.url("/admin/users"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", "new clerk"),
            ("role", "king"),
            ("area", "331003107"),
            ("password", "short"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("body");
    assert!(
        html.contains("f-username-error")
            && html.contains("f-role-error")
            && html.contains("f-password-error"),
        "{html}"
    );
    assert!(
        !html.contains("value=\"short\""),
        "a password is never echoed back"
    );
    let r = sys
        .post(app.url("/admin/users"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", "clerk2"),
            ("role", "township_staff"),
            ("area", "331003107"),
            ("password", crate::support::PASSWORD),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    let clerk = app.browser("clerk2").await;
    assert_eq!(
        clerk
            .get(app.url("/persons?q="))
            .send()
            .await
            .expect("get")
            .status(),
        200
    );
    let r = sys
        .post(app.url("/admin/users/clerk2/disable"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert_eq!(
        clerk
            .get(app.url("/persons?q="))
            .send()
            .await
            .expect("get")
            .status(),
        303,
        "the session ended"
    );
    let r = reqwest::Client::new()
        .post(app.url("/login"))
        .form(&[
            ("username", "clerk2"),
            ("password", crate::support::PASSWORD),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 401);
    let r = sys
        .post(app.url("/admin/users/sys/disable"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 404, "no one disables their own account");
    let q = zhucan_store::audit::AuditQuery {
        account: Some("sys".into()),
        limit: 20,
        ..Default::default()
    };
    let rows = crate::support::audit_rows(&app.db.store, &q, 3).await;
    assert!(
        rows.iter()
            .any(|r| r.action == "account.create" && r.object == "clerk2")
    );
    assert!(
        rows.iter()
            .any(|r| r.action == "account.disable" && r.object == "clerk2")
    );
}
