//! The rest of the access model end to end, on SQLite and PostgreSQL: changing an account's
//! rights, single sessions, scoped tokens, the security policy, sealed TOTP secrets.

#[allow(unused_imports)]
use crate::support::prelude::*;
use zhucan_store::Role;
use zhucan_store::audit::AuditQuery;

use crate::support::{PASSWORD, TestApp, TestDb, audit_rows, csrf_of, user};

crate::contract!(
    changing_rights_ends_sessions_and_tokens_and_is_audited,
    own_sessions_are_listed_and_ended,
    read_tokens_are_refused_on_writes,
    the_security_policy_applies_at_once,
    totp_secrets_are_sealed_at_rest,
);

async fn app(db: TestDb) -> TestApp {
    user(&db.store, "sys", Role::SystemAdmin, "331003").await;
    user(&db.store, "sec", Role::SecurityAdmin, "331003").await;
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    user(&db.store, "audit", Role::Auditor, "331003").await;
    TestApp::start(db).await
}

async fn get(c: &reqwest::Client, url: String) -> (u16, String) {
    let r = c.get(url).send().await.expect("get");
    (r.status().as_u16(), r.text().await.expect("body"))
}

async fn post(c: &reqwest::Client, url: String, form: &[(&str, &str)]) -> (u16, String) {
    let r = c.post(url).form(form).send().await.expect("post");
    (r.status().as_u16(), r.text().await.expect("body"))
}

fn query(action: &str) -> AuditQuery {
    AuditQuery {
        action: Some(action.into()),
        limit: 50,
        ..Default::default()
    }
}

async fn changing_rights_ends_sessions_and_tokens_and_is_audited(db: TestDb) {
    let app = app(db).await;
    let sys = app.browser("sys").await;
    let yq = app.browser("yq").await;
    let yq_token = app.token("yq").await;
    let (status, html) = get(&sys, app.url("/admin/users/yq")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("更改角色和地区") && html.contains("127.0.0.1"),
        "{html}"
    );
    assert!(
        html.contains("value=\"township_staff\" selected"),
        "the current role is chosen"
    );
    let csrf = csrf_of(&html);
    let url = app.url("/admin/users/yq");
    // Bad values: each field names what is wrong, nothing changes.
    let (status, html) = post(
        &sys,
        url.clone(),
        &[("_csrf", &csrf), ("role", "king"), ("area", "331003107")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("f-role-error") && html.contains("“king”"),
        "{html}"
    );
    let (status, html) = post(
        &sys,
        url.clone(),
        &[
            ("_csrf", &csrf),
            ("role", "village_worker"),
            ("area", "331003107"),
            ("village", "12345"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("f-village-error") && html.contains("“12345”"),
        "{html}"
    );
    assert_eq!(get(&yq, app.url("/")).await.0, 200, "nothing changed yet");
    // The change: the account's session ends, its token is revoked.
    let (status, html) = post(
        &sys,
        url.clone(),
        &[("_csrf", &csrf), ("role", "partner"), ("area", "331003001")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("已将 yq 的角色改为"), "{html}");
    assert_eq!(get(&yq, app.url("/")).await.0, 303, "the session ended");
    let r = reqwest::Client::new()
        .get(app.url("/api/v1/persons"))
        .bearer_auth(&yq_token)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 401, "the token was revoked");
    let again = app.browser("yq").await;
    assert_eq!(
        get(&again, app.url("/persons/new")).await.0,
        403,
        "a partner registers nobody"
    );
    let u = app
        .db
        .store
        .user_by_username("yq")
        .await
        .expect("q")
        .expect("e");
    assert_eq!((u.role, u.area.as_str()), (Role::Partner, "331003001"));
    let rows = audit_rows(&app.db.store, &query("account.rights_change"), 1).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].account.as_str(), rows[0].object.as_str()),
        ("sys", "yq")
    );
    let detail: serde_json::Value = serde_json::from_str(&rows[0].detail).expect("json");
    assert_eq!(
        detail["role"],
        serde_json::json!(["township_staff", "partner"])
    );
    assert_eq!(
        detail["area"],
        serde_json::json!(["331003107", "331003001"])
    );
    assert_eq!(detail["sessions_ended"], 1);
    assert_eq!(detail["tokens_revoked"], 1);
    // 三权分立: no one changes their own rights; other roles change nobody's.
    let (status, _) = post(
        &sys,
        app.url("/admin/users/sys"),
        &[
            ("_csrf", &csrf),
            ("role", "security_admin"),
            ("area", "331003"),
        ],
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        app.db
            .store
            .user_by_username("sys")
            .await
            .expect("q")
            .expect("e")
            .role,
        Role::SystemAdmin
    );
    let sec = app.browser("sec").await;
    assert_eq!(get(&sec, app.url("/admin/users/yq")).await.0, 403);
}

/// The public IDs of the sessions in a sessions table, and which one is the caller's.
fn session_ids(html: &str, base: &str) -> Vec<(String, bool)> {
    let marker = format!("action=\"{base}/");
    html.split(&marker)
        .skip(1)
        .map(|rest| {
            let id: String = rest.chars().take_while(|c| *c != '/').collect();
            let button = rest.split("</button>").next().unwrap_or("");
            (id, button.contains("结束本会话"))
        })
        .collect()
}

async fn own_sessions_are_listed_and_ended(db: TestDb) {
    let app = app(db).await;
    let c1 = app.browser("yq").await;
    let c2 = app.browser("yq").await;
    let (status, html) = get(&c1, app.url("/account/sessions")).await;
    assert_eq!(status, 200);
    assert_eq!(
        html.matches("本会话").count(),
        2,
        "badge and button: {html}"
    );
    let ids = session_ids(&html, "/account/sessions");
    assert_eq!(ids.len(), 2, "{html}");
    let other = ids
        .iter()
        .find(|(_, current)| !current)
        .map(|(id, _)| id.clone())
        .expect("the other session");
    let mine = ids
        .iter()
        .find(|(_, current)| *current)
        .map(|(id, _)| id.clone())
        .expect("this session");
    let csrf = csrf_of(&html);
    let r = c1
        .post(app.url(&format!("/account/sessions/{other}/end")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/account/sessions?done=session");
    assert_eq!(
        get(&c2, app.url("/")).await.0,
        303,
        "the other session ended"
    );
    assert_eq!(
        post(
            &c1,
            app.url(&format!("/account/sessions/{other}/end")),
            &[("_csrf", &csrf)]
        )
        .await
        .0,
        404,
        "once"
    );
    // The system administrator sees the account's sessions and ends one.
    let sys = app.browser("sys").await;
    let (_, html) = get(&sys, app.url("/admin/users/yq")).await;
    let listed = session_ids(&html, "/admin/users/yq/sessions");
    assert_eq!(listed.len(), 1, "{html}");
    assert_eq!(listed[0].0, mine);
    let (status, _) = post(
        &sys,
        app.url(&format!("/admin/users/yq/sessions/{mine}/end")),
        &[("_csrf", &csrf_of(&html))],
    )
    .await;
    assert_eq!(status, 303, "back to the account page");
    assert_eq!(get(&c1, app.url("/")).await.0, 303);
    let rows = audit_rows(&app.db.store, &query("session.end"), 2).await;
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows.iter()
            .map(|r| (r.account.as_str(), r.object.as_str()))
            .collect::<Vec<_>>(),
        [("sys", "yq"), ("yq", "yq")]
    );
}

async fn read_tokens_are_refused_on_writes(db: TestDb) {
    let app = app(db).await;
    let api = reqwest::Client::new();
    let session = |scope: &'static str| {
        let api = api.clone();
        let url = app.url("/api/v1/session");
        async move {
            api.post(url)
                .json(&serde_json::json!({"username": "yq", "password": PASSWORD, "scope": scope}))
                .send()
                .await
                .expect("post")
        }
    };
    let r = session("admin").await;
    assert_eq!(r.status(), 400);
    let e: serde_json::Value = r.json().await.expect("json");
    assert_eq!(e["error"]["code"], "invalid_parameter");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("scope")
    );
    let v: serde_json::Value = session("read").await.json().await.expect("json");
    assert_eq!(v["scope"], "read");
    let read = v["token"].as_str().expect("token").to_string();
    let read_id = v["id"].as_str().expect("id").to_string();
    let r = api
        .get(app.url("/api/v1/persons"))
        .bearer_auth(&read)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200, "a read token reads");
    let list: serde_json::Value = api
        .get(app.url("/api/v1/tokens"))
        .bearer_auth(&read)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(
        (items[0]["id"].as_str(), items[0]["current"].as_bool()),
        (Some(read_id.as_str()), Some(true))
    );
    let r = api
        .delete(app.url(&format!("/api/v1/tokens/{read_id}")))
        .bearer_auth(&read)
        .header("accept-language", "en")
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), 403);
    let e: serde_json::Value = r.json().await.expect("json");
    assert_eq!(e["error"]["code"], "token_read_only");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("read-only")
    );
    // A read-write token revokes the read one.
    let rw = app.token("yq").await;
    let r = api
        .delete(app.url(&format!("/api/v1/tokens/{read_id}")))
        .bearer_auth(&rw)
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), 204);
    let r = api
        .get(app.url("/api/v1/persons"))
        .bearer_auth(&read)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 401);
    // The owner sees the read-write token on the page and revokes it there.
    let yq = app.browser("yq").await;
    let (_, html) = get(&yq, app.url("/account/sessions")).await;
    assert!(
        html.contains("读写") && html.contains("api session from 127.0.0.1"),
        "{html}"
    );
    let ids = session_ids(&html, "/account/tokens");
    assert_eq!(ids.len(), 1, "{html}");
    let r = yq
        .post(app.url(&format!("/account/tokens/{}/revoke", ids[0].0)))
        .form(&[("_csrf", csrf_of(&html).as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let r = api
        .get(app.url("/api/v1/persons"))
        .bearer_auth(&rw)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 401);
    let rows = audit_rows(&app.db.store, &query("token.revoke"), 2).await;
    assert_eq!(rows.len(), 2);
}

async fn the_security_policy_applies_at_once(db: TestDb) {
    let app = app(db).await;
    let sec = app.browser("sec").await;
    let (status, html) = get(&sec, app.url("/security/settings")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("name=\"lockout_failures\" value=\"5\""),
        "{html}"
    );
    let csrf = csrf_of(&html);
    let revision: String = html
        .split("name=\"revision\" value=\"")
        .nth(1)
        .map(|r| r.chars().take_while(|c| *c != '"').collect())
        .expect("revision");
    let valid = |lockout: &'static str, min_len: &'static str| {
        vec![
            ("session_idle_minutes", "30"),
            ("session_max_hours", "12"),
            ("lockout_failures", lockout),
            ("lockout_window_minutes", "15"),
            ("login_rate_per_minute", "1000"),
            ("audit_retention_months", "12"),
            ("password_min_length", min_len),
            ("login_rate_per_account", "1000"),
            ("export_purpose_rows", "1000"),
        ]
    };
    // Bad values: each field names its value; nothing is saved.
    let mut bad = valid("5", "10");
    bad[0].1 = "abc";
    bad[5].1 = "3";
    let mut form = vec![("_csrf", csrf.as_str()), ("revision", revision.as_str())];
    form.extend(bad.iter().copied());
    let (status, html) = post(&sec, app.url("/security/settings"), &form).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("f-session_idle_minutes-error") && html.contains("“abc”"),
        "{html}"
    );
    assert!(html.contains("f-audit_retention_months-error") && html.contains("“3”"));
    assert!(html.contains("value=\"abc\""), "values are kept");
    assert!(
        app.db
            .store
            .settings()
            .await
            .expect("q")
            .iter()
            .all(|s| !s.key.starts_with("policy."))
    );
    // A stale revision: refused.
    let mut form = vec![("_csrf", csrf.as_str()), ("revision", "99")];
    form.extend(valid("3", "14"));
    assert_eq!(
        post(&sec, app.url("/security/settings"), &form).await.0,
        409
    );
    // Saved: three values changed.
    let mut form = vec![("_csrf", csrf.as_str()), ("revision", revision.as_str())];
    form.extend(valid("3", "14"));
    let (status, html) = post(&sec, app.url("/security/settings"), &form).await;
    assert_eq!(status, 200);
    assert!(html.contains("已保存 3 项设置"), "{html}");
    let stored = app.db.store.settings().await.expect("settings");
    let lockout = stored
        .iter()
        .find(|s| s.key == "policy.lockout_failures")
        .expect("stored");
    assert_eq!(
        (
            lockout.value.as_str(),
            lockout.version,
            lockout.updated_by.as_str()
        ),
        ("3", 1, "sec")
    );
    let rows = audit_rows(&app.db.store, &query("settings.change"), 1).await;
    assert_eq!(rows.len(), 1);
    let detail: serde_json::Value = serde_json::from_str(&rows[0].detail).expect("json");
    assert_eq!(detail["policy.lockout_failures"][0], "5");
    assert_eq!(detail["policy.lockout_failures"][1], "3");
    assert_eq!(detail["policy.audit_retention_months"][0], "6");
    // Applied at once: the third wrong password locks.
    let c = reqwest::Client::new();
    for _ in 0..3 {
        let (status, _) = post(
            &c,
            app.url("/login"),
            &[("username", "yq"), ("password", "wrong password")],
        )
        .await;
        assert_eq!(status, 401);
    }
    let (status, _) = post(
        &c,
        app.url("/login"),
        &[("username", "yq"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(status, 403, "locked after three");
    // A new password must have 14 characters now.
    let sys = app.browser("sys").await;
    let (_, html) = get(&sys, app.url("/admin/users")).await;
    let (status, html) = post(
        &sys,
        app.url("/admin/users"),
        &[
            ("_csrf", csrf_of(&html).as_str()),
            ("username", "clerk9"),
            ("role", "auditor"),
            ("area", "331003"),
            ("password", "thirteen 1234"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("f-password-error") && html.contains("至少 14 位"),
        "{html}"
    );
    // Other roles may not set the policy.
    assert_eq!(get(&sys, app.url("/security/settings")).await.0, 403);
    let (_, html) = get(&sec, app.url("/security/settings")).await;
    assert!(html.contains("（sec）"), "who changed it is shown: {html}");
}

async fn totp_secrets_are_sealed_at_rest(db: TestDb) {
    let app = app(db).await;
    // The fixtures store administrators' secrets plain, as before encryption: the first
    // sign-in seals it, and the next still works.
    let before = app
        .db
        .store
        .user_by_username("sys")
        .await
        .expect("q")
        .expect("e");
    assert_eq!(
        before.totp_secret.as_deref(),
        Some(crate::support::TOTP_SECRET)
    );
    let _ = app.browser("sys").await;
    let after = app
        .db
        .store
        .user_by_username("sys")
        .await
        .expect("q")
        .expect("e");
    let sealed = after.totp_secret.expect("secret");
    assert!(
        sealed.starts_with("v1:") && !sealed.contains(crate::support::TOTP_SECRET),
        "{sealed}"
    );
    let _ = app.browser("sys").await;
    // The migration step seals the rest.
    let key = zhucan_web::secrets::SecretKey::random();
    assert_eq!(
        zhucan_web::secrets::seal_plain_secrets(&app.db.store, &key)
            .await
            .expect("seal"),
        1,
        "sec's secret; sys's is sealed already"
    );
    let sec = app
        .db
        .store
        .user_by_username("sec")
        .await
        .expect("q")
        .expect("e");
    let stored = sec.totp_secret.expect("secret");
    assert_eq!(
        key.open(&sec.id, &stored).as_deref(),
        Ok(crate::support::TOTP_SECRET)
    );
    // A secret enrolled on the page is sealed from the start.
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let hash = zhucan_web::auth::hash_password(PASSWORD).expect("hash");
    app.db
        .store
        .create_user(&zhucan_store::NewUser {
            username: "boss".into(),
            password_hash: hash,
            role: Role::DistrictAdmin,
            area: zhucan_domain::AreaCode::parse("331003").expect("code"),
            display_name: None,
        })
        .await
        .expect("user");
    let (status, _) = post(
        &c,
        app.url("/login"),
        &[("username", "boss"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html) = get(&c, app.url("/account/2fa")).await;
    let start = html.find("<code>").expect("key") + "<code>".len();
    let secret: String = html[start..]
        .chars()
        .take_while(|ch| *ch != '<')
        .filter(|ch| !ch.is_whitespace())
        .collect();
    let boss = app
        .db
        .store
        .user_by_username("boss")
        .await
        .expect("q")
        .expect("e");
    let stored = boss.totp_secret.expect("pending");
    assert!(
        stored.starts_with("v1:") && !stored.contains(&secret),
        "{stored}"
    );
    let now = zhucan_web::totp::step_at(chrono::Utc::now().timestamp());
    let code = zhucan_web::totp::code_at(&secret, now, 6).expect("code");
    let (status, html) = post(
        &c,
        app.url("/account/2fa"),
        &[("_csrf", &csrf_of(&html)), ("code", &code)],
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("双重验证已开启"), "{html}");
    let next = zhucan_web::totp::code_at(&secret, now + 1, 6).expect("code");
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/session"))
        .json(&serde_json::json!({"username": "boss", "password": PASSWORD, "totp": next}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200, "the sealed secret checks codes");
}
