//! Test fixtures: databases on both backends, a server on port 0, and small data sets.

use std::net::SocketAddr;

use chrono::NaiveDate;
use zhucan_domain::area::AreaCode;
use zhucan_domain::ids::with_check_char;
use zhucan_domain::person::{
    Certificate, CertificateStatus, Person, PersonRecord, RecordExtras, Survey,
};
use zhucan_domain::{Category, Grade};
use zhucan_store::{NewUser, Role, Store};

#[allow(unused_imports)]
use prelude::*;

/// The programmes' store and engine traits, for every test module (`use crate::support::prelude::*`).
#[allow(unused_imports)]
pub mod prelude {
    pub use zhucan_care::store::CareStore;
    pub use zhucan_devices::store::DevicesStore;
    pub use zhucan_employment::households::HouseholdStore;
    pub use zhucan_employment::jobs::JobsStore;
    pub use zhucan_employment::massage::MassageStore;
    pub use zhucan_employment::store::EmploymentStore;
    pub use zhucan_employment::training::TrainingStore;
    pub use zhucan_homemod::store::HomemodStore;
    pub use zhucan_plan::facts::IndicatorFacts;
    pub use zhucan_plan::store::PlanStore;
    pub use zhucan_rehab::store::RehabStore;
    pub use zhucan_service::store::ServiceStore;
    pub use zhucan_subsidies::cases::CaseFinder;
    pub use zhucan_subsidies::facts::SubsidyEngine;
    pub use zhucan_subsidies::store::SubsidyStore;
}

/// A fresh database; dropped PostgreSQL databases are removed.
pub struct TestDb {
    pub store: Store,
    /// The database URL (for tests that tamper with rows directly).
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = zhucan::open_store(&url).await.expect("open sqlite");
        TestDb {
            store,
            url,
            _dir: Some(dir),
            pg: None,
        }
    }

    /// `None` when no PostgreSQL server is configured (then the PostgreSQL variant of a
    /// contract test is skipped); on CI a missing server is an error.
    pub async fn postgres() -> Option<TestDb> {
        let Ok(admin) = std::env::var("ZHUCAN_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var("CI").is_err(),
                "CI must set ZHUCAN_TEST_POSTGRES_URL"
            );
            eprintln!("ZHUCAN_TEST_POSTGRES_URL not set: PostgreSQL variant skipped");
            return None;
        };
        let name = format!("zt_{}", zhucan_store::accounts::random_id());
        let url = zhucan_store::scratch::create_pg_database(&admin, &name)
            .await
            .expect("create database");
        let store = zhucan::open_store(&url).await.expect("open postgres");
        Some(TestDb {
            store,
            url,
            _dir: None,
            pg: Some((admin, name)),
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            let store = self.store.clone();
            // A separate runtime: Drop may run inside (or outside) the test's runtime.
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    rt.block_on(async {
                        store.close().await;
                        let _ = zhucan_store::scratch::drop_pg_database(&admin, &name).await;
                    });
                }
            })
            .join();
        }
    }
}

/// Runs one SQL statement directly on a test database, behind the store's back (tampering).
pub async fn raw_sql(url: &str, sql: &str) {
    use sqlx::Connection;
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.expect("connect");
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut c)
            .await
            .expect("raw sql");
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut c)
            .await
            .expect("raw sql");
        c.close().await.expect("close");
    }
}

/// Runs a contract test against SQLite, and against PostgreSQL when configured.
#[macro_export]
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::support::TestDb::sqlite().await).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(db) = $crate::support::TestDb::postgres().await {
                        super::$name(db).await;
                    }
                }
            }
        )*
    };
}

pub const PASSWORD: &str = "test-password-123";

/// The TOTP secret of every administrator account in the tests (they must have a second factor).
pub const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// Creates an account with [`PASSWORD`].
pub async fn user(store: &Store, name: &str, role: Role, area: &str) {
    // Cheap hashing is not available through the public API; Argon2 defaults are fast enough
    // with the optimised dev profile of the argon2 crate.
    let hash = zhucan_web::auth::hash_password(PASSWORD).expect("hash");
    store
        .create_user(&NewUser {
            username: name.into(),
            password_hash: hash,
            role,
            area: AreaCode::parse(area).expect("area"),
            display_name: None,
        })
        .await
        .expect("create user");
    if role.is_admin() {
        let u = store
            .user_by_username(name)
            .await
            .expect("lookup")
            .expect("exists");
        store
            .set_totp_pending(&u.id, TOTP_SECRET)
            .await
            .expect("totp");
        store.enable_totp(&u.id, 0, &[]).await.expect("enable");
    }
}

/// Creates an `institution` account of the district with [`PASSWORD`], bound to the
/// organisation `org` (a rehabilitation institution, a device service point).
pub async fn org_account(store: &Store, name: &str, org: &str) {
    bound_account(store, name, Role::Institution, org).await;
}

/// An account of the district with [`PASSWORD`] and `role`, bound to the organisation `org`.
async fn bound_account(store: &Store, name: &str, role: Role, org: &str) {
    user(store, name, role, "331003").await;
    let u = store
        .user_by_username(name)
        .await
        .expect("lookup")
        .expect("exists");
    store
        .set_account_org(&u.id, Some(org), &test_event("account.org"))
        .await
        .expect("bind");
}

/// Creates a citizen account with [`PASSWORD`] linked to `person`'s file.
pub async fn citizen(store: &Store, name: &str, person: &zhucan_domain::ids::CitizenId) {
    let hash = zhucan_web::auth::hash_password(PASSWORD).expect("hash");
    let file = store
        .person_file(person, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    store
        .create_citizen(
            &NewUser {
                username: name.into(),
                password_hash: hash,
                role: Role::Citizen,
                area: file
                    .person
                    .village
                    .clone()
                    .unwrap_or(file.person.township.clone()),
                display_name: None,
            },
            &[(person.clone(), zhucan_service::store::Relation::Own)],
            "test",
        )
        .await
        .expect("citizen");
}

/// A fresh TOTP code for an administrator account (never a step it already used), or `None`
/// for an account without a second factor.
pub async fn totp_code(store: &Store, username: &str) -> Option<String> {
    let u = store.user_by_username(username).await.expect("lookup")?;
    if !u.totp_enabled {
        return None;
    }
    loop {
        let t = chrono::Utc::now().timestamp();
        let now = zhucan_web::totp::step_at(t);
        // The previous step is accepted only while the server is still in this one: not in the
        // last seconds of a step, when the check may already fall into the next.
        let lowest = if t.rem_euclid(zhucan_web::totp::STEP) < 25 {
            now - 1
        } else {
            now
        };
        let step = lowest.max(u.totp_last_step + 1);
        if step <= now + 1 {
            return zhucan_web::totp::code_at(TOTP_SECRET, step, 6);
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

/// A valid person record: birth date and sequence make the ID, in `township`.
pub fn record(
    name: &str,
    birth: NaiveDate,
    seq: u32,
    township: &str,
    category: Category,
    grade: Grade,
) -> PersonRecord {
    let first17 = format!("331003{}{:03}", birth.format("%Y%m%d"), seq);
    let id = with_check_char(&first17).expect("17 digits");
    let issued = d(2020, 5, 1).max(birth);
    PersonRecord {
        person: Person {
            citizen_id: id.clone(),
            name: name.into(),
            township: AreaCode::parse(township).expect("township"),
            village: None,
            hukou_type: None,
            household_id: None,
            household_size: Some(1),
            phone: Some("13812345678".into()),
            guardian_name: None,
            guardian_phone: None,
            died_on: None,
            moved_out_on: None,
        },
        certificate: Certificate {
            number: zhucan_domain::CertificateNo::compose(&id, category, grade),
            category,
            grade,
            components: vec![],
            issued_on: issued,
            valid_until: Certificate::default_valid_until(issued),
            status: CertificateStatus::Valid,
            revoked_on: None,
            smart_card: false,
        },
        survey: Survey {
            year: 2025,
            ..Survey::default()
        },
    }
}

pub async fn put(store: &Store, recs: &[PersonRecord]) {
    let rows: Vec<(PersonRecord, RecordExtras)> = recs
        .iter()
        .map(|r| (r.clone(), RecordExtras::default()))
        .collect();
    let actor = zhucan_store::registry::Actor {
        name: "test",
        source: "import",
    };
    store.merge_records(&rows, &actor).await.expect("merge");
}

/// A server on port 0 over a database.
pub struct TestApp {
    pub base: String,
    pub db: TestDb,
    /// The service's state (its keys, for tests that issue certificate tokens).
    pub state: zhucan_web::AppState,
}

impl TestApp {
    pub async fn start(db: TestDb) -> TestApp {
        // Tests sign in many times from one address: a generous rate limit, except where a
        // test asks for the real one.
        let config = zhucan_web::Config {
            login_rate_max: 1000,
            login_account_rate_max: 1000,
            ..zhucan_web::Config::default()
        };
        Self::start_with(db, config).await
    }

    pub async fn start_with(db: TestDb, config: zhucan_web::Config) -> TestApp {
        let state = zhucan_web::AppState::new(db.store.clone(), config, zhucan::programmes());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app =
            zhucan_web::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        TestApp {
            base: format!("http://{addr}"),
            db,
            state,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client (cookies, no redirects followed) signed in as `username`.
    pub async fn browser(&self, username: &str) -> reqwest::Client {
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let code = totp_code(&self.db.store, username)
            .await
            .unwrap_or_default();
        let r = c
            .post(self.url("/login"))
            .form(&[
                ("username", username),
                ("password", PASSWORD),
                ("totp", code.as_str()),
                ("next", "/"),
            ])
            .send()
            .await
            .expect("login");
        let status = r.status();
        assert_eq!(
            status,
            303,
            "login of {username} failed: {}",
            r.text().await.unwrap_or_default()
        );
        c
    }

    /// A bearer token for `username`.
    pub async fn token(&self, username: &str) -> String {
        let r = reqwest::Client::new()
            .post(self.url("/api/v1/session"))
            .json(&serde_json::json!({"username": username, "password": PASSWORD, "totp": totp_code(&self.db.store, username).await}))
            .send()
            .await
            .expect("session");
        assert_eq!(r.status(), 200);
        let v: serde_json::Value = r.json().await.expect("json");
        v["token"].as_str().expect("token").to_string()
    }
}

/// The CSRF token of a page's first form.
pub fn csrf_of(html: &str) -> String {
    let start =
        html.find("name=\"_csrf\" value=\"").expect("csrf field") + "name=\"_csrf\" value=\"".len();
    html[start..].chars().take_while(|c| *c != '"').collect()
}

/// Audit records matching `q`, waiting up to 5 s for at least `min` of them (reads are written
/// by the audit queue's background task, a moment after the answer).
pub async fn audit_rows(
    store: &Store,
    q: &zhucan_store::audit::AuditQuery,
    min: usize,
) -> Vec<zhucan_store::audit::AuditRecord> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let (_, rows) = store.audit_search(q).await.expect("audit search");
        if rows.len() >= min || std::time::Instant::now() > deadline {
            return rows;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Writes `n` valid audit records dated `days_ago` days back (one a minute) at the start of
/// an empty trail, as an old trail would hold them: the chain and its head are computed as
/// the store does. Returns the last record's hash.
pub async fn backdated_audit(url: &str, n: i64, days_ago: i64) -> String {
    use zhucan_store::audit::{AuditRecord, chain_hash};
    let start = chrono::Utc::now() - chrono::Duration::days(days_ago);
    let mut prev = String::new();
    let mut sql = String::new();
    for seq in 1..=n {
        let at = (start + chrono::Duration::minutes(seq))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut r = AuditRecord {
            seq,
            at,
            account: "old-clerk".into(),
            role: "township_staff".into(),
            area: "331003107".into(),
            client: "127.0.0.1".into(),
            action: "person.read".into(),
            object: format!("old{seq}"),
            outcome: "ok".into(),
            detail: "{}".into(),
            prev_hash: prev.clone(),
            hash: String::new(),
        };
        r.hash = chain_hash(&prev, &r);
        sql.push_str(&format!(
            "INSERT INTO audit_log (seq, at, account, role, area, client, action, object, outcome, detail, prev_hash, hash) VALUES ({}, '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}');\n",
            r.seq, r.at, r.account, r.role, r.area, r.client, r.action, r.object, r.outcome, r.detail, r.prev_hash, r.hash
        ));
        prev = r.hash;
    }
    sql.push_str(&format!(
        "UPDATE audit_head SET seq = {n}, hash = '{prev}' WHERE id = 1;"
    ));
    raw_sql(url, &sql).await;
    prev
}

/// Writes a registry as the workbook of `import-format.md`, with its own spellings (Chinese
/// headers, `是/否`, `2025-03` months, `2025/3/1` dates), independent of the exporter. The
/// workbook has no dated decisions about institutions: they are dropped from `reg` too.
pub fn write_workbook(reg: &mut zhucan_facts::reference::Registry, path: &std::path::Path) {
    for i in &mut reg.institutions {
        i.decisions.clear();
    }
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("人员").expect("name");
    ws.write_string(0, 0, "黄岩区持证残疾人花名册（测试）")
        .expect("w");
    let headers = [
        "姓名",
        "公民身份号码",
        "残疾人证号",
        "残疾类别",
        "残疾等级",
        "多重残疾构成",
        "发证日期",
        "有效期至",
        "证件状态",
        "智能化证",
        "乡镇街道",
        "村社区",
        "户编号",
        "死亡日期",
        "迁出日期",
        "家庭经济状况",
        "家庭人均可支配收入",
        "生活补贴开始年月",
        "生活补贴停发年月",
        "护理补贴开始年月",
        "护理补贴停发年月",
        "养老保险",
        "医疗保险",
        "就业状况",
        "未就业原因",
        "在读阶段",
        "完成义务教育",
        "康复需求",
        "获得康复服务",
        "辅具需求",
        "辅具已适配",
        "无障碍改造需求",
        "无障碍改造已完成",
        "托养需求",
        "接受托养服务",
        "文体服务",
        "调查年度",
        "注销日期",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(1, c as u16, *h).expect("w");
    }
    let date = |d: NaiveDate| d.format("%Y/%-m/%-d").to_string();
    let yn = |b: Option<bool>| {
        b.map(|b| if b { "是" } else { "否" }.to_string())
            .unwrap_or_default()
    };
    let month =
        |m: Option<zhucan_domain::parse::Month>| m.map(|m| m.to_string()).unwrap_or_default();
    for (i, r) in reg.rows.iter().enumerate() {
        let p = &r.person;
        let c = &r.certificate;
        let s = &r.survey;
        let cells: Vec<String> = vec![
            p.name.clone(),
            p.citizen_id.to_string(),
            c.number.to_string(),
            c.category.zh().into(),
            c.grade.zh().into(),
            zhucan_domain::disability::format_components(&c.components, zhucan_domain::Lang::Zh),
            date(c.issued_on),
            date(c.valid_until),
            c.status.zh().into(),
            if c.smart_card {
                "是".into()
            } else {
                "否".into()
            },
            p.township.to_string(),
            p.village
                .as_ref()
                .map(|v| v.to_string())
                .unwrap_or_default(),
            p.household_id.clone().unwrap_or_default(),
            p.died_on.map(date).unwrap_or_default(),
            p.moved_out_on.map(date).unwrap_or_default(),
            s.economic_status
                .map(|v| v.zh().to_string())
                .unwrap_or_default(),
            s.income_per_capita_fen
                .map(zhucan_domain::parse::fen_to_yuan)
                .unwrap_or_default(),
            month(s.living_subsidy_since),
            month(s.living_subsidy_until),
            month(s.nursing_subsidy_since),
            month(s.nursing_subsidy_until),
            s.pension_insurance
                .map(|v| v.zh().to_string())
                .unwrap_or_default(),
            s.medical_insurance
                .map(|v| v.zh().to_string())
                .unwrap_or_default(),
            s.employment_status
                .map(|v| v.zh().to_string())
                .unwrap_or_default(),
            s.not_employed_reason
                .map(|v| v.zh().to_string())
                .unwrap_or_default(),
            s.school_stage
                .map(|v| v.zh().to_string())
                .unwrap_or_default(),
            yn(s.completed_compulsory),
            yn(s.needs_rehab),
            yn(s.received_rehab),
            yn(s.needs_device),
            yn(s.device_fitted),
            yn(s.needs_home_modification),
            yn(s.home_modification_done),
            s.care_need.map(|v| v.zh().to_string()).unwrap_or_default(),
            yn(s.receives_care),
            yn(s.culture_sports),
            s.year.to_string(),
            c.revoked_on.map(date).unwrap_or_default(),
        ];
        for (col, v) in cells.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(2 + i as u32, col as u16, v).expect("w");
            }
        }
    }
    let ws = wb.add_worksheet();
    ws.set_name("机构").expect("name");
    for (c, h) in [
        "机构名称",
        "机构类型",
        "乡镇街道",
        "规范化",
        "定点",
        "成立日期",
        "关闭日期",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).expect("w");
    }
    for (i, inst) in reg.institutions.iter().enumerate() {
        let r = 1 + i as u32;
        ws.write_string(r, 0, &inst.name).expect("w");
        ws.write_string(r, 1, inst.kind.zh()).expect("w");
        ws.write_string(r, 2, inst.township.as_str()).expect("w");
        ws.write_string(r, 3, if inst.standardized { "是" } else { "否" })
            .expect("w");
        ws.write_string(r, 4, if inst.designated { "是" } else { "否" })
            .expect("w");
        ws.write_string(r, 5, date(inst.opened_on)).expect("w");
        if let Some(c) = inst.closed_on {
            ws.write_string(r, 6, date(c)).expect("w");
        }
    }
    let ws = wb.add_worksheet();
    ws.set_name("区划").expect("name");
    for (c, h) in ["区划代码", "名称", "户籍人口"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("w");
    }
    for (i, a) in reg.areas.iter().enumerate() {
        let r = 1 + i as u32;
        ws.write_string(r, 0, a.code.as_str()).expect("w");
        ws.write_string(r, 1, &a.name).expect("w");
        if let Some(p) = a.population {
            ws.write_number(r, 2, p as f64).expect("w");
        }
    }
    wb.save(path).expect("save workbook");
}

/// The body of the page at `url`, fetched with `client` (whatever its status).
/// The handle (`/persons/{handle}`) of a stored person's file.
pub async fn handle_of(app: &TestApp, r: &zhucan_domain::person::PersonRecord) -> String {
    app.db
        .store
        .person_file(&r.person.citizen_id, &any())
        .await
        .expect("file")
        .expect("exists")
        .handle
}

pub async fn page_text(client: &reqwest::Client, url: &str) -> String {
    client
        .get(url)
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body")
}

/// Reads a person's file, applies `edit` to its record and saves it as the account `test`
/// through `source` (`form`, `import`); returns the file as it was.
pub async fn change_file(
    store: &Store,
    id: &zhucan_domain::ids::CitizenId,
    source: &'static str,
    edit: impl FnOnce(&mut PersonRecord),
) -> zhucan_store::PersonFile {
    let file = store
        .person_file(id, &crate::support::any())
        .await
        .expect("read the file")
        .expect("the file exists");
    let mut next = file.record();
    edit(&mut next);
    store
        .save_file(
            &next,
            file.version,
            None,
            &zhucan_store::registry::Actor {
                name: "test",
                source,
            },
        )
        .await
        .expect("save the file");
    file
}

/// The reach of a test that looks at any file directly.
pub fn any() -> zhucan_store::Reach {
    zhucan_store::Reach::system("test")
}

/// An audit event of the tests' own set-up (a store call outside any request).
pub fn test_event(action: &str) -> zhucan_store::audit::AuditEvent {
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

/// Posts `fields` as a form to `path`, with the CSRF token of the page at `page`.
pub async fn post_form(
    app: &TestApp,
    c: &reqwest::Client,
    page: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let html = page_text(c, &app.url(page)).await;
    let mut form: Vec<(String, String)> = vec![("_csrf".into(), csrf_of(&html))];
    form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    c.post(app.url(path))
        .form(&form)
        .send()
        .await
        .expect("post")
}

/// The `Location` of a redirect (empty if none).
pub fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Indicator `key`'s (numerator, denominator) for `area` today, through the API.
pub async fn indicator(app: &TestApp, token: &str, area: &str, key: &str) -> (i64, i64) {
    let (n, d) = indicator_at(app, token, area, None, key).await;
    (n.unwrap_or(0), d.unwrap_or(0))
}

/// Indicator `key`'s (numerator, denominator) for `area` at `at` (default today), through the
/// API; `None` where the API gives none.
pub async fn indicator_at(
    app: &TestApp,
    token: &str,
    area: &str,
    at: Option<&str>,
    key: &str,
) -> (Option<i64>, Option<i64>) {
    let at = at.map(|a| format!("&at={a}")).unwrap_or_default();
    let v: serde_json::Value = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/indicators?area={area}{at}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("indicators")
        .json()
        .await
        .expect("json");
    let ind = v["indicators"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["key"] == key))
        .cloned()
        .unwrap_or_else(|| panic!("no indicator {key}: {v}"));
    (ind["numerator"].as_i64(), ind["denominator"].as_i64())
}

/// A need the person stated on the service end (需求转办), as the citizen's form records it.
pub async fn stated_need(
    store: &Store,
    person: &Person,
    kind: zhucan_service::rules::NeedKind,
    text: &str,
) -> zhucan_service::store::Need {
    store
        .record_need(
            &person.citizen_id,
            kind,
            text,
            "citizen",
            person.home_area(),
            &zhucan_store::registry::Actor {
                name: "citizen",
                source: "form",
            },
        )
        .await
        .expect("need")
}

/// An employer's account `name` (role `employer`) bound to the employer `uscc`.
pub async fn employer_account(store: &Store, name: &str, uscc: &str) {
    bound_account(store, name, Role::Employer, uscc).await;
}
