//! Keeping a file current in the browser: the edit of a person's details with optimistic
//! versions (two clerks at once: the second is told and loses nothing), and the yearly survey
//! form; every change on the timeline with its old and new value.

#[allow(unused_imports)]
use crate::support::prelude::*;
use zhucan_domain::timeline::EventKind;
use zhucan_domain::{Category, Grade};
use zhucan_store::Role;

use crate::support::{TestApp, TestDb, csrf_of, d, page_text, put, record, user};

fn version_of(html: &str) -> String {
    let start = html
        .find("name=\"version\" value=\"")
        .expect("version field")
        + "name=\"version\" value=\"".len();
    html[start..].chars().take_while(|c| *c != '"').collect()
}

crate::contract!(a_clerk_edits_a_file_and_a_second_clerk_is_told);

async fn a_clerk_edits_a_file_and_a_second_clerk_is_told(db: TestDb) {
    let r = record(
        "吴八",
        d(1972, 8, 8),
        71,
        "331003107",
        Category::Physical,
        Grade::Two,
    );
    put(&db.store, std::slice::from_ref(&r)).await;
    let outsider = record(
        "郑九",
        d(1973, 9, 9),
        72,
        "331003001",
        Category::Physical,
        Grade::Two,
    );
    put(&db.store, std::slice::from_ref(&outsider)).await;
    user(&db.store, "yuanqiao", Role::TownshipStaff, "331003107").await;
    user(&db.store, "yuanqiao2", Role::TownshipStaff, "331003107").await;
    let handle = db
        .store
        .person_file(&r.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists")
        .handle;
    let app = TestApp::start(db).await;
    let a = app.browser("yuanqiao").await;
    let b = app.browser("yuanqiao2").await;
    let url = app.url(&format!("/persons/{handle}/edit"));
    // Both clerks open the form.
    let form_a = a
        .get(&url)
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let form_b = b
        .get(&url)
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(
        form_a.contains("13812345678"),
        "the form shows the stored phone"
    );
    let fields = |csrf: &str, version: &str, phone: &str, guardian: &str| {
        vec![
            ("_csrf".to_string(), csrf.to_string()),
            ("version".into(), version.to_string()),
            ("name".into(), "吴八".into()),
            ("township".into(), "331003107".into()),
            ("village".into(), String::new()),
            ("hukou_type".into(), String::new()),
            ("household_id".into(), "H-0071".into()),
            ("household_size".into(), "3".into()),
            ("phone".into(), phone.to_string()),
            ("guardian_name".into(), guardian.to_string()),
            ("guardian_phone".into(), String::new()),
            ("smart_card".into(), "yes".into()),
        ]
    };
    // A bad value is named with its field, nothing saved.
    let r1 = a
        .post(&url)
        .form(&[
            ("_csrf", csrf_of(&form_a).as_str()),
            ("version", version_of(&form_a).as_str()),
            ("name", ""),
            ("township", "331003107"),
            ("household_size", "abc"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r1.status(), 422);
    let body = r1.text().await.expect("body");
    assert!(body.contains("href=\"#f-name\""), "{body}");
    assert!(body.contains("href=\"#f-household_size\""));
    // Clerk A saves; clerk B then saves from the same version: told, nothing lost.
    let ok = a
        .post(&url)
        .form(&fields(
            &csrf_of(&form_a),
            &version_of(&form_a),
            "13900001111",
            "",
        ))
        .send()
        .await
        .expect("post");
    assert_eq!(ok.status(), 303);
    let stale = b
        .post(&url)
        .form(&fields(
            &csrf_of(&form_b),
            &version_of(&form_b),
            "13812345678",
            "吴母",
        ))
        .send()
        .await
        .expect("post");
    assert_eq!(stale.status(), 409);
    let page = stale.text().await.expect("body");
    assert!(page.contains("档案已被他人修改"), "{page}");
    assert!(page.contains("value=\"吴母\""), "what B entered is kept");
    assert!(
        page.contains("139****1111"),
        "what A saved is shown (masked)"
    );
    // B saves again on purpose, from the new version.
    let again = b
        .post(&url)
        .form(&fields(
            &csrf_of(&page),
            &version_of(&page),
            "13812345678",
            "吴母",
        ))
        .send()
        .await
        .expect("post");
    assert_eq!(again.status(), 303);
    let file = app
        .db
        .store
        .person_file(&r.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    assert_eq!(file.person.guardian_name.as_deref(), Some("吴母"));
    assert_eq!(file.person.household_id.as_deref(), Some("H-0071"));
    assert!(file.certificate.smart_card);
    let corrections: Vec<&str> = file
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Corrected)
        .map(|e| e.summary.as_str())
        .collect();
    assert!(
        corrections
            .iter()
            .any(|s| s.contains("联系电话 138****5678 → 139****1111")),
        "{corrections:?}"
    );
    assert!(
        corrections
            .iter()
            .any(|s| s.contains("监护人 （空） → 吴母"))
    );
    assert!(file.events.iter().any(|e| e.kind == EventKind::SmartCard));
    let shown = page_text(&a, &app.url(&format!("/persons/{handle}"))).await;
    assert!(
        shown.contains("联系电话 138****5678 → 139****1111"),
        "the timeline shows it"
    );
    // Moving the person out of the clerk's township is refused by name.
    let out = a
        .get(&url)
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let mut f = fields(&csrf_of(&out), &version_of(&out), "13812345678", "吴母");
    f[3].1 = "331003001".into();
    let refused = a.post(&url).form(&f).send().await.expect("post");
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .expect("body")
            .contains("只能改为您工作范围内的乡镇")
    );

    // The yearly survey: recorded for 2025, on the timeline with old → new.
    let surl = app.url(&format!("/persons/{handle}/surveys/2025"));
    let sform = a
        .get(&surl)
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(
        sform.contains("补贴发放（由补贴审批决定"),
        "enrolments are not edited here"
    );
    let saved = a
        .post(&surl)
        .form(&[
            ("_csrf", csrf_of(&sform).as_str()),
            ("version", version_of(&sform).as_str()),
            ("economic_status", "dibao"),
            ("income_per_capita", "9600"),
            ("medical_insurance", "resident"),
            ("needs_rehab", "yes"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(saved.status(), 303);
    let file = app
        .db
        .store
        .person_file(&r.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    let s = file.surveys.iter().find(|s| s.year == 2025).expect("2025");
    assert_eq!(
        s.economic_status,
        Some(zhucan_domain::person::EconomicStatus::Dibao)
    );
    assert_eq!(s.income_per_capita_fen, Some(960_000));
    let ev = file
        .events
        .iter()
        .find(|e| e.kind == EventKind::SurveyUpdated)
        .expect("a survey event");
    assert!(
        ev.summary.contains("家庭经济状况 （空） → 低保"),
        "{}",
        ev.summary
    );
    // A bad value is refused, naming the field; a stale version is told.
    let bad = a
        .post(&surl)
        .form(&[
            ("_csrf", csrf_of(&sform).as_str()),
            ("version", version_of(&sform).as_str()),
            ("income_per_capita", "lots"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(bad.status(), 422);
    assert!(
        bad.text()
            .await
            .expect("body")
            .contains("href=\"#f-income_per_capita\"")
    );
    let stale = a
        .post(&surl)
        .form(&[
            ("_csrf", csrf_of(&sform).as_str()),
            ("version", version_of(&sform).as_str()),
            ("economic_status", "none"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(stale.status(), 409);
    // Outside the clerk's area: not found.
    let other = app
        .db
        .store
        .person_file(&outsider.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists")
        .handle;
    let r = a
        .get(app.url(&format!("/persons/{other}/surveys/2025")))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 404);
}

/// One roster line of the test CSV.
fn csv_line(name: &str, first17: &str, township: &str) -> String {
    let id = zhucan_domain::ids::with_check_char(first17).expect("id");
    format!("{name},{id},{id}41,肢体,一级,2020-05-01,{township}")
}

/// Uploads `csv` as the signed-in `client` and waits for the import to finish; returns the
/// job's page.
async fn upload(app: &TestApp, client: &reqwest::Client, csv: &str) -> (String, String) {
    let form = client
        .get(app.url("/import"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let part = reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
        .file_name("roster.csv")
        .mime_str("text/csv")
        .expect("mime");
    let body = reqwest::multipart::Form::new()
        .text("_csrf", csrf_of(&form))
        .part("file", part);
    let r = client
        .post(app.url("/import"))
        .multipart(body)
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), 303);
    let job = r
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .expect("location")
        .to_string();
    for _ in 0..200 {
        let page = client
            .get(app.url(&job))
            .send()
            .await
            .expect("job")
            .text()
            .await
            .expect("body");
        if page.contains("导入完成") || page.contains("导入失败") {
            return (job, page);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import did not finish");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_township_clerk_uploads_and_exports_their_own_area() {
    let db = TestDb::sqlite().await;
    user(&db.store, "yuanqiao", Role::TownshipStaff, "331003107").await;
    user(&db.store, "dongcheng", Role::TownshipStaff, "331003001").await;
    // A person of 东城街道 already registered: a row for them is refused by name.
    let elsewhere = record(
        "东城丙",
        d(1975, 6, 30),
        21,
        "331003001",
        Category::Visual,
        Grade::One,
    );
    put(&db.store, std::slice::from_ref(&elsewhere)).await;
    let app = TestApp::start(db).await;
    let clerk = app.browser("yuanqiao").await;
    let header = "姓名,公民身份号码,残疾人证号,残疾类别,残疾等级,发证日期,乡镇街道";
    let csv = [
        header.to_string(),
        csv_line("院桥一", "33100319800101101", "331003107"),
        csv_line("院桥二", "33100319800101102", "院桥镇"),
        csv_line("东城一", "33100319800101103", "331003001"),
        format!(
            "东城丙,{},{}11,视力,一级,2020-05-01,331003107",
            elsewhere.person.citizen_id, elsewhere.person.citizen_id
        ),
        "坏行,123,123,肢体,一级,2020-05-01,331003107".to_string(),
    ]
    .join("\n");
    let (job, page) = upload(&app, &clerk, &csv).await;
    assert!(page.contains("新增 2"), "{page}");
    assert!(
        page.contains("不在您的工作范围（院桥镇）内"),
        "rows outside named: {page}"
    );
    assert!(page.contains("此人的档案不在您的工作范围（院桥镇）内"));
    assert!(page.contains("拒绝 3 行"), "{page}");
    // The report downloads, whole.
    let xlsx = clerk
        .get(app.url(&format!("{job}/report.xlsx")))
        .send()
        .await
        .expect("report");
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.expect("bytes").starts_with(b"PK"));
    let json: serde_json::Value = clerk
        .get(app.url(&format!("{job}/report.json")))
        .send()
        .await
        .expect("report")
        .json()
        .await
        .expect("json");
    assert_eq!(json["imported"], 2);
    let rows: std::collections::BTreeSet<u64> = json["rejected"]
        .as_array()
        .expect("rejected")
        .iter()
        .filter_map(|i| i["row"].as_u64())
        .collect();
    assert_eq!(rows.len(), 3, "{json}");
    // Another account does not see the job.
    let village = app.browser("dongcheng").await;
    let r = village.get(app.url(&job)).send().await.expect("job");
    assert_eq!(r.status(), 404);
    // The same file again changes nothing.
    let (_, again) = upload(&app, &clerk, &csv).await;
    assert!(again.contains("新增 0，更新 0，无变化 2"), "{again}");
    // The 东城 person was not touched.
    let f = app
        .db
        .store
        .person_file(&elsewhere.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    assert_eq!(f.person.township.as_str(), "331003001");
    // The clerk exports their township: only its persons.
    let page = clerk
        .get(app.url("/export"))
        .send()
        .await
        .expect("export page")
        .text()
        .await
        .expect("body");
    assert!(page.contains("院桥镇"));
    let r = clerk
        .post(app.url("/export/registry.xlsx"))
        .form(&[("_csrf", csrf_of(&page))])
        .send()
        .await
        .expect("export");
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.expect("bytes");
    let parsed = zhucan_workbook::read_bytes(
        "registry.xlsx",
        &bytes,
        &app.db.store.areas().await.expect("areas"),
        &zhucan_workbook::ImportOptions::default(),
        &mut |_, _| {},
    )
    .expect("the export reads back");
    let names: std::collections::BTreeSet<String> = parsed
        .persons
        .iter()
        .map(|p| p.record.person.name.clone())
        .collect();
    assert_eq!(
        names,
        ["院桥一", "院桥二"].iter().map(|s| s.to_string()).collect()
    );
    let trail = app
        .db
        .store
        .audit_search(&zhucan_store::audit::AuditQuery {
            account: Some("yuanqiao".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("audit")
        .1;
    assert!(
        trail
            .iter()
            .any(|r| r.action == "registry.import" && r.account == "yuanqiao")
    );
    assert!(
        trail
            .iter()
            .any(|r| r.action == "registry.export" && r.account == "yuanqiao")
    );
    // Over the policy's threshold the export needs a stated purpose, which the audit keeps.
    let keys = zhucan_web::policy::keys();
    app.db
        .store
        .save_settings(
            &keys,
            0,
            &[("policy.export_purpose_rows".into(), "1".into())],
            "sec",
            |_| zhucan_store::audit::AuditEvent {
                account: "sec".into(),
                action: "settings.change".into(),
                ..Default::default()
            },
        )
        .await
        .expect("save");
    app.state.policy.reload(&app.db.store).await;
    let page = clerk
        .get(app.url("/export"))
        .send()
        .await
        .expect("export page")
        .text()
        .await
        .expect("body");
    assert!(page.contains("id=\"f-purpose\""), "{page}");
    assert!(page.contains("aria-required=\"true\""), "{page}");
    let r = clerk
        .post(app.url("/export/registry.xlsx"))
        .form(&[("_csrf", csrf_of(&page)), ("purpose", "看".to_string())])
        .send()
        .await
        .expect("export");
    assert_eq!(r.status(), 422);
    let refused = r.text().await.expect("body");
    assert!(
        refused.contains("用途“看”无效：导出 2 条超过 1 条"),
        "{refused}"
    );
    assert!(refused.contains("href=\"#f-purpose\""), "{refused}");
    let r = clerk
        .post(app.url("/export/registry.xlsx"))
        .form(&[
            ("_csrf", csrf_of(&page)),
            ("purpose", "年度残疾人证核查".to_string()),
        ])
        .send()
        .await
        .expect("export");
    assert_eq!(r.status(), 200);
    let (_, exports) = app
        .db
        .store
        .audit_search(&zhucan_store::audit::AuditQuery {
            action: Some("registry.export".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("audit");
    assert!(
        exports
            .iter()
            .any(|r| r.detail.contains("年度残疾人证核查")),
        "{:?}",
        exports.iter().map(|r| &r.detail).collect::<Vec<_>>()
    );
}
