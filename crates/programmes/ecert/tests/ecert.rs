//! The electronic certificate (事情码上办): the QR code on the staff card decodes to a
//! verification URL that says "valid"; after a revocation the same code says "not valid" at
//! once; a changed character, an expired token, another key or an unknown person are
//! refused, never a 500; verification is rate-limited and audited.

#[allow(unused_imports)]
use crate::support::prelude::*;
use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};
use zhucan_domain::person::{CertificateStatus, PersonRecord};
use zhucan_domain::{Category, Grade};
use zhucan_ecert::token::{self as ecert, CertKey, Claims};
use zhucan_store::Role;
use zhucan_store::audit::AuditQuery;

use crate::support::{TestApp, TestDb, audit_rows, csrf_of, d, page_text, put, record, user};

fn zhang() -> PersonRecord {
    record(
        "张三丰",
        d(1980, 1, 2),
        11,
        "331003107",
        Category::Physical,
        Grade::Two,
    )
}

fn config() -> zhucan_web::Config {
    zhucan_web::Config {
        login_rate_max: 1000,
        login_account_rate_max: 1000,
        verify_rate_max: 100_000,
        ..zhucan_web::Config::default()
    }
}

async fn app_with(db: TestDb, config: zhucan_web::Config, recs: &[PersonRecord]) -> TestApp {
    put(&db.store, recs).await;
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    TestApp::start_with(db, config).await
}

async fn handle(app: &TestApp, rec: &PersonRecord) -> String {
    app.db
        .store
        .person_file(&rec.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists")
        .handle
}

async fn api(app: &TestApp, token: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/verify/{token}")))
        .send()
        .await
        .expect("verify");
    let status = r.status().as_u16();
    (status, r.json().await.expect("json"))
}

async fn page(app: &TestApp, path: &str, lang: &str) -> (u16, String) {
    let r = reqwest::Client::new()
        .get(app.url(path))
        .header("accept-language", lang)
        .send()
        .await
        .expect("page");
    let status = r.status().as_u16();
    (status, r.text().await.expect("body"))
}

/// Reads the QR code of the card: rasterises the inline SVG (one path of unit rectangles
/// `M x y h w v1 h-w z`) and decodes it as a scanner would.
fn decode_qr(html: &str) -> String {
    let svg_start = html.find("<svg").expect("an inline SVG QR code");
    let svg = &html[svg_start..];
    let vb = svg.find("viewBox=\"0 0 ").expect("viewBox") + "viewBox=\"0 0 ".len();
    let n: usize = svg[vb..]
        .split(' ')
        .next()
        .and_then(|v| v.parse().ok())
        .expect("size");
    let d_at = svg.find(" d=\"").expect("path") + " d=\"".len();
    let d = &svg[d_at..d_at + svg[d_at..].find('"').expect("end of path")];
    let mut dark = vec![false; n * n];
    for cmd in d.split('z').filter(|c| !c.is_empty()) {
        let rest = cmd.strip_prefix('M').expect("M");
        let (xy, w) = rest.split_once('h').expect("h");
        let (x, y) = xy.split_once(' ').expect("x y");
        let (x, y): (usize, usize) = (x.parse().expect("x"), y.parse().expect("y"));
        let w: usize = w.split('v').next().expect("w").parse().expect("w");
        for i in x..x + w {
            dark[y * n + i] = true;
        }
    }
    let scale = 6;
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(n * scale, n * scale, |x, y| {
        if dark[(y / scale) * n + x / scale] {
            0
        } else {
            255
        }
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("decodes").1
}

fn href_of(html: &str, class: &str) -> String {
    let marker = format!("class=\"{class}\" href=\"");
    let start = html.find(&marker).expect("link") + marker.len();
    html[start..].chars().take_while(|c| *c != '"').collect()
}

crate::contract!(the_code_verifies_until_the_certificate_is_revoked);

async fn the_code_verifies_until_the_certificate_is_revoked(db: TestDb) {
    let a = zhang();
    let app = app_with(db, config(), std::slice::from_ref(&a)).await;
    let h = handle(&app, &a).await;
    let yq = app.browser("yq").await;

    // The staff card: masked identifiers, a QR code, the URL as text.
    let r = yq
        .get(app.url(&format!("/persons/{h}/certificate")))
        .send()
        .await
        .expect("card");
    assert_eq!(r.status(), 200);
    let card = r.text().await.expect("body");
    assert!(card.contains(&a.person.citizen_id.masked()), "masked ID");
    assert!(
        !card.contains(a.person.citizen_id.as_str()),
        "never the full ID"
    );
    assert!(card.contains("二维码有效至") && card.contains("5 分钟"));
    let url = decode_qr(&card);
    assert_eq!(
        url,
        href_of(&card, "verify-url"),
        "the QR code holds the URL shown"
    );
    assert!(card.contains(&format!(">{url}</a>")), "the URL as text");
    let token = url
        .strip_prefix(&format!("{}/verify/", app.base))
        .expect("a verification URL of this service")
        .to_string();
    assert!(token.len() < 160, "a short token: {}", token.len());

    // Anyone scanning it: "valid", masked name, category, grade, validity — nothing else.
    let (status, html) = page(&app, &format!("/verify/{token}"), "zh-CN").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("verdict-valid") && html.contains("有效"),
        "{html}"
    );
    for shown in ["张**", "肢体", "二级", "2030-05-01", "核验时间"] {
        assert!(html.contains(shown), "{shown} shown");
    }
    for hidden in [
        "张三丰",
        a.person.citizen_id.as_str(),
        "331003********",
        "13812345678",
        "院桥",
    ] {
        assert!(!html.contains(hidden), "{hidden} must not be shown");
    }
    let (status, html) = page(&app, &format!("/verify/{token}"), "en").await;
    assert_eq!(status, 200);
    assert!(html.contains("Valid") && html.contains("grade 2") && html.contains("lang=\"en\""));
    let (status, v) = api(&app, &token).await;
    assert_eq!(status, 200);
    assert_eq!(
        v,
        json!({"valid": true, "reason": "ok", "name": "张**", "category": "physical", "grade": "2", "valid_until": "2030-05-01"})
    );

    // Revoked through the staff life-event form: the same code is "not valid" at once.
    let form = page_text(&yq, &app.url(&format!("/persons/{h}/events?kind=revoke"))).await;
    let version = app
        .db
        .store
        .person_file(&a.person.citizen_id, &crate::support::any())
        .await
        .expect("f")
        .expect("e")
        .version;
    let today = chrono::Local::now().date_naive().to_string();
    let r = yq
        .post(app.url(&format!("/persons/{h}/events")))
        .form(&[
            ("_csrf", csrf_of(&form)),
            ("version", version.to_string()),
            ("kind", "revoke".into()),
            ("on", today),
        ])
        .send()
        .await
        .expect("revoke");
    assert_eq!(r.status(), 303);
    let (status, v) = api(&app, &token).await;
    assert_eq!(status, 200);
    assert_eq!(v["valid"], false);
    assert_eq!(v["reason"], "revoked");
    assert_eq!(
        v["name"], "张**",
        "the verifier sees which certificate is revoked"
    );
    let (status, html) = page(&app, &url.replace(&app.base, ""), "zh-CN").await;
    assert_eq!(status, 200);
    assert!(html.contains("verdict-invalid") && html.contains("无效") && html.contains("已注销"));

    // Audited as anonymous reads: the person's handle and the reason, no personal data.
    let rows = audit_rows(
        &app.db.store,
        &AuditQuery {
            action: Some("certificate.verify".into()),
            limit: 50,
            ..AuditQuery::default()
        },
        5,
    )
    .await;
    assert_eq!(rows.len(), 5);
    for r in &rows {
        assert_eq!(r.account, "(public)");
        assert_eq!(r.object, h);
        assert!(!r.detail.contains('张') && !r.detail.contains(a.person.citizen_id.as_str()));
    }
    let outcomes: Vec<(&str, String)> = rows
        .iter()
        .map(|r| {
            let d: Value = serde_json::from_str(&r.detail).expect("detail");
            (
                r.outcome.as_str(),
                d["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        outcomes
            .iter()
            .filter(|(o, r)| *o == "valid" && r == "ok")
            .count(),
        3
    );
    assert_eq!(
        outcomes
            .iter()
            .filter(|(o, r)| *o == "not_valid" && r == "revoked")
            .count(),
        2
    );
    let cards = audit_rows(
        &app.db.store,
        &AuditQuery {
            action: Some("certificate.card".into()),
            limit: 10,
            ..AuditQuery::default()
        },
        1,
    )
    .await;
    assert_eq!(cards.len(), 1);
    assert_eq!(
        (
            cards[0].account.as_str(),
            cards[0].object.as_str(),
            cards[0].outcome.as_str()
        ),
        ("yq", a.person.citizen_id.as_str(), "ok")
    );
}

const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_changed_character_is_refused_never_a_500() {
    let a = zhang();
    let app = app_with(TestDb::sqlite().await, config(), std::slice::from_ref(&a)).await;
    let (token, expires) =
        ecert::issue_token(&app.state, &a.person.citizen_id, &crate::support::any())
            .await
            .expect("token");
    assert!(expires > Utc::now() + chrono::Duration::seconds(290));
    assert_eq!(api(&app, &token).await.1["valid"], true);
    let chars: Vec<char> = token.chars().collect();
    for i in 0..chars.len() {
        // Every other character at this position (and a dot), checked by the function …
        for r in ALPHABET.chars().chain(['.']) {
            if r == chars[i] {
                continue;
            }
            let mut t = chars.clone();
            t[i] = r;
            let t: String = t.into_iter().collect();
            let v = ecert::verify_token(&app.state, &t).await;
            assert!(
                !v.valid && ["malformed", "bad_signature", "unknown_key"].contains(&v.reason),
                "position {i} → {r}: {v:?}"
            );
            assert!(
                v.name_masked.is_none(),
                "nothing disclosed for a forged token"
            );
        }
        // … and one of them through the API.
        let mut t = chars.clone();
        t[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        let t: String = t.into_iter().collect();
        let (status, v) = api(&app, &t).await;
        assert_eq!(status, 200, "position {i}");
        assert_eq!(v["valid"], false, "position {i}: {v}");
        assert!(v["name"].is_null());
    }
    // Cut, lengthened, doubled, empty or not text at all: refused as well.
    for t in [
        token[..token.len() - 1].to_string(),
        format!("{token}A"),
        format!("{token}.{token}"),
        token.replace('.', ""),
        "A".repeat(3000),
        "%FF%FE".into(),
        "%E5%BC%A0.%E4%B8%89".into(),
        "a..b".into(),
    ] {
        let t = t.as_str();
        let (status, v) = api(&app, t).await;
        assert_eq!(status, 200, "{t}");
        assert_eq!(v["valid"], false, "{t}");
        let (status, html) = page(&app, &format!("/verify/{t}"), "zh-CN").await;
        assert_eq!(status, 200, "{t}");
        assert!(html.contains("verdict-invalid") && html.contains("无法识别或已被改动"));
    }
    // The token itself still verifies.
    assert_eq!(api(&app, &token).await.1["reason"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_foreign_and_unknown_tokens_are_refused() {
    let a = zhang();
    let mut dead = record(
        "王五",
        d(1950, 3, 4),
        21,
        "331003107",
        Category::Visual,
        Grade::One,
    );
    dead.person.died_on = Some(d(2025, 1, 1));
    let mut gone = record(
        "李四",
        d(1960, 3, 4),
        31,
        "331003107",
        Category::Hearing,
        Grade::Three,
    );
    gone.person.moved_out_on = Some(d(2025, 2, 1));
    let mut old = record(
        "赵六",
        d(1970, 3, 4),
        41,
        "331003107",
        Category::Mental,
        Grade::Four,
    );
    old.certificate.issued_on = d(2010, 1, 1);
    old.certificate.valid_until = d(2020, 1, 1);
    let regrade = record(
        "钱七",
        d(1975, 3, 4),
        51,
        "331003107",
        Category::Speech,
        Grade::Three,
    );
    let app = app_with(
        TestDb::sqlite().await,
        config(),
        &[
            a.clone(),
            dead.clone(),
            gone.clone(),
            old.clone(),
            regrade.clone(),
        ],
    )
    .await;
    let state = &app.state;
    let file = app
        .db
        .store
        .person_file(&a.person.citizen_id, &crate::support::any())
        .await
        .expect("f")
        .expect("e");
    let now = Utc::now();

    // Expired: five minutes by default; refused from the expiry second on.
    let (token, _) = ecert::issue_token(state, &a.person.citizen_id, &crate::support::any())
        .await
        .expect("t");
    let later = |s| now + chrono::Duration::seconds(s);
    assert_eq!(
        ecert::verify_token_at(state, &token, later(290))
            .await
            .reason,
        "ok"
    );
    let v = ecert::verify_token_at(state, &token, later(301)).await;
    assert_eq!((v.valid, v.reason), (false, "expired"));
    assert!(v.name_masked.is_none());

    // Signed by another key: an unknown key ID, or this key's ID with a wrong signature.
    let other = CertKey::random();
    let foreign = Claims::new(&other, &file, now, Duration::from_secs(300))
        .expect("claims")
        .sign(&other);
    assert_eq!(api(&app, &foreign).await.1["reason"], "unknown_key");
    let forged = Claims::new(
        &zhucan_ecert::token::keys_of(state)
            .expect("keys")
            .keys
            .active,
        &file,
        now,
        Duration::from_secs(300),
    )
    .expect("claims")
    .sign(&other);
    let (status, v) = api(&app, &forged).await;
    assert_eq!(
        (status, v["valid"].clone(), v["reason"].clone()),
        (200, json!(false), json!("bad_signature"))
    );

    // After a key rotation the retired key still verifies what it signed.
    let rotated = zhucan_web::AppState::new(
        app.db.store.clone(),
        zhucan_web::Config {
            cert_key: Some(CertKey::random().seed()),
            cert_retired_keys: vec![
                zhucan_ecert::token::keys_of(state)
                    .expect("keys")
                    .keys
                    .active
                    .seed(),
            ],
            ..config()
        },
        zhucan::programmes(),
    );
    assert_eq!(ecert::verify_token(&rotated, &token).await.reason, "ok");
    let (fresh, _) = ecert::issue_token(&rotated, &a.person.citizen_id, &crate::support::any())
        .await
        .expect("t");
    assert_eq!(
        ecert::verify_token(state, &fresh).await.reason,
        "unknown_key"
    );

    // A person the registry does not hold.
    let mut nobody = Claims::new(
        &zhucan_ecert::token::keys_of(state)
            .expect("keys")
            .keys
            .active,
        &file,
        now,
        Duration::from_secs(300),
    )
    .expect("claims");
    nobody.handle = "0123456789abcdef0123456789ab".into();
    let (status, v) = api(
        &app,
        &nobody.sign(
            &zhucan_ecert::token::keys_of(state)
                .expect("keys")
                .keys
                .active,
        ),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        v,
        json!({"valid": false, "reason": "not_found", "name": null, "category": null, "grade": null, "valid_until": null})
    );

    // The person's state: deceased, moved out, certificate past its date.
    for (rec, reason, details) in [
        (&dead, "deceased", false),
        (&gone, "moved_out", false),
        (&old, "certificate_expired", true),
    ] {
        let (t, _) = ecert::issue_token(state, &rec.person.citizen_id, &crate::support::any())
            .await
            .expect("t");
        let (status, v) = api(&app, &t).await;
        assert_eq!(status, 200);
        assert_eq!(
            (v["valid"].clone(), v["reason"].clone()),
            (json!(false), json!(reason)),
            "{}",
            rec.person.name
        );
        assert_eq!(v["name"].is_string(), details, "{reason}: {v}");
    }
    let (t, _) = ecert::issue_token(state, &old.person.citizen_id, &crate::support::any())
        .await
        .expect("t");
    let (_, html) = page(&app, &format!("/verify/{t}"), "zh-CN").await;
    assert!(html.contains("无效") && html.contains("已过有效期") && html.contains("2020-01-01"));

    // A new certificate (re-assessment) replaces the one the code was issued for.
    let (t, _) = ecert::issue_token(state, &regrade.person.citizen_id, &crate::support::any())
        .await
        .expect("t");
    crate::support::change_file(&app.db.store, &regrade.person.citizen_id, "form", |r| {
        r.certificate.grade = Grade::Two;
        r.certificate.number = zhucan_domain::CertificateNo::compose(
            &regrade.person.citizen_id,
            Category::Speech,
            Grade::Two,
        );
    })
    .await;
    let v = ecert::verify_token(state, &t).await;
    assert_eq!((v.valid, v.reason), (false, "certificate_changed"));
    assert!(v.name_masked.is_none());
    let (t, _) = ecert::issue_token(state, &regrade.person.citizen_id, &crate::support::any())
        .await
        .expect("t");
    assert_eq!(
        api(&app, &t).await.1["grade"],
        "2",
        "a fresh code shows the new grade"
    );

    // Revoked in the store directly (an import, say): refused at the next check.
    crate::support::change_file(&app.db.store, &a.person.citizen_id, "import", |r| {
        r.certificate.status = CertificateStatus::Revoked;
    })
    .await;
    assert_eq!(ecert::verify_token(state, &token).await.reason, "revoked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zero_lifetime_code_is_expired_at_once() {
    let a = zhang();
    let app = app_with(
        TestDb::sqlite().await,
        zhucan_web::Config {
            cert_token_ttl: Duration::ZERO,
            ..config()
        },
        std::slice::from_ref(&a),
    )
    .await;
    let (token, _) = ecert::issue_token(&app.state, &a.person.citizen_id, &crate::support::any())
        .await
        .expect("t");
    let (status, v) = api(&app, &token).await;
    assert_eq!(status, 200);
    assert_eq!(
        (v["valid"].clone(), v["reason"].clone()),
        (json!(false), json!("expired"))
    );
    let (_, html) = page(&app, &format!("/verify/{token}"), "en").await;
    assert!(html.contains("Not valid") && html.contains("has expired"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_is_rate_limited_per_address() {
    let a = zhang();
    let app = app_with(
        TestDb::sqlite().await,
        zhucan_web::Config {
            verify_rate_max: 3,
            public_url: Some("https://zc.example.cn".into()),
            ..config()
        },
        std::slice::from_ref(&a),
    )
    .await;
    let (token, _) = ecert::issue_token(&app.state, &a.person.citizen_id, &crate::support::any())
        .await
        .expect("t");
    for _ in 0..3 {
        assert_eq!(api(&app, &token).await.0, 200);
    }
    let r = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/verify/{token}")))
        .send()
        .await
        .expect("verify");
    assert_eq!(r.status(), 429);
    let wait: u64 = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=60).contains(&wait));
    assert_eq!(
        r.json::<Value>().await.expect("json")["reason"],
        "rate_limited"
    );
    let r = reqwest::Client::new()
        .get(app.url(&format!("/verify/{token}")))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let html = r.text().await.expect("body");
    assert!(html.contains("核验过于频繁") && html.contains("这不表示证件无效"));

    // The configured public address is the base of the code's URL; the OpenAPI document
    // describes the verification.
    let h = handle(&app, &a).await;
    let yq = app.browser("yq").await;
    let card = page_text(&yq, &app.url(&format!("/persons/{h}/certificate"))).await;
    assert!(href_of(&card, "verify-url").starts_with("https://zc.example.cn/verify/"));
    let doc: Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .expect("openapi")
        .json()
        .await
        .expect("json");
    assert!(doc["paths"]["/api/v1/verify/{token}"]["get"].is_object());
    assert!(doc["components"]["schemas"]["VerifyResponse"].is_object());
    assert!(doc["components"]["schemas"]["CertificateToken"].is_object());
}

/// The service end: a citizen's own card shows their own numbers in full and a code that
/// verifies; the API gives the same kind of token; a guardian chooses a ward by handle; a
/// file that is not linked is "not found".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn citizens_and_guardians_show_their_own_codes() {
    let zhang = zhang();
    let ward = record(
        "李小",
        d(2012, 6, 1),
        21,
        "331003107",
        Category::Intellectual,
        Grade::Three,
    );
    let stranger = record(
        "王五",
        d(1975, 3, 3),
        31,
        "331003107",
        Category::Visual,
        Grade::One,
    );
    let app = app_with(
        TestDb::sqlite().await,
        config(),
        &[zhang.clone(), ward.clone(), stranger.clone()],
    )
    .await;
    crate::support::citizen(&app.db.store, "zs", &zhang.person.citizen_id).await;
    app.db
        .store
        .create_citizen(
            &zhucan_store::NewUser {
                username: "gd".into(),
                password_hash: zhucan_web::auth::hash_password(crate::support::PASSWORD)
                    .expect("hash"),
                role: Role::Citizen,
                area: zhucan_domain::AreaCode::parse("331003107").expect("area"),
                display_name: None,
            },
            &[
                (
                    ward.person.citizen_id.clone(),
                    zhucan_service::store::Relation::Guardian,
                ),
                (
                    zhang.person.citizen_id.clone(),
                    zhucan_service::store::Relation::Guardian,
                ),
            ],
            "test",
        )
        .await
        .expect("guardian");
    let h_zhang = handle(&app, &zhang).await;
    let h_ward = handle(&app, &ward).await;
    let h_stranger = handle(&app, &stranger).await;

    // The page: full own numbers, a QR code that verifies.
    let zs = app.browser("zs").await;
    let r = zs
        .get(app.url("/me/certificate"))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("body");
    assert!(
        html.contains(zhang.person.citizen_id.as_str()),
        "own ID in full"
    );
    assert!(html.contains(zhang.certificate.number.as_str()));
    let url = decode_qr(&html);
    let token = url.rsplit('/').next().expect("token").to_string();
    let (status, v) = api(&app, &token).await;
    assert_eq!((status, v["valid"].clone()), (200, json!(true)), "{v}");
    assert_eq!(v["name"], "张**");
    // Not linked: not found, on the page and through the API.
    let r = zs
        .get(app.url(&format!("/me/certificate?p={h_stranger}")))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), 404);

    // The API: the own file by default; the token verifies; the URL holds it.
    let bearer = app.token("zs").await;
    let get = |q: String, bearer: String| {
        let url = app.url(&format!("/api/v1/me/certificate/token{q}"));
        async move {
            let r = reqwest::Client::new()
                .get(url)
                .bearer_auth(bearer)
                .send()
                .await
                .expect("token");
            let s = r.status().as_u16();
            (s, r.json::<Value>().await.expect("json"))
        }
    };
    let (s, t) = get(String::new(), bearer.clone()).await;
    assert_eq!(s, 200, "{t}");
    let tok = t["token"].as_str().expect("token");
    assert!(
        t["verify_url"]
            .as_str()
            .expect("url")
            .ends_with(&format!("/verify/{tok}"))
    );
    let expires = chrono::DateTime::parse_from_rfc3339(t["expires_at"].as_str().expect("exp"))
        .expect("rfc3339");
    assert!(expires > Utc::now() && expires < Utc::now() + chrono::Duration::minutes(6));
    let (_, v) = api(&app, tok).await;
    assert_eq!(v["valid"], json!(true), "{v}");
    assert_eq!(v["name"], "张**");
    let (s, _) = get(format!("?person={h_stranger}"), bearer.clone()).await;
    assert_eq!(s, 404);

    // A guardian: the first linked file by default, a ward by handle.
    let gd = app.token("gd").await;
    let (s, t) = get(format!("?person={h_ward}"), gd.clone()).await;
    assert_eq!(s, 200, "{t}");
    let (_, v) = api(&app, t["token"].as_str().expect("token")).await;
    assert_eq!(v["name"], "李*", "{v}");
    let (_, t) = get(format!("?person={h_zhang}"), gd.clone()).await;
    let (_, v) = api(&app, t["token"].as_str().expect("token")).await;
    assert_eq!(v["name"], "张**", "{v}");
    let gb = app.browser("gd").await;
    let html = page_text(&gb, &app.url(&format!("/me/certificate?p={h_ward}"))).await;
    assert!(html.contains("李小"), "the ward's card");
    assert!(html.contains("aria-current=\"page\""), "the person switch");

    // Each code made is in the audit trail.
    let rows = audit_rows(
        &app.db.store,
        &AuditQuery {
            action: Some("certificate.card".into()),
            limit: 50,
            ..AuditQuery::default()
        },
        5,
    )
    .await;
    assert!(
        rows.iter()
            .any(|r| r.account == "gd" && r.object == ward.person.citizen_id.as_str())
    );
}
