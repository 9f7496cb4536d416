//! Entering a declaration line by line (`/employment/declare`): the lines are checked by the
//! workbook's rules, each problem at its field and nothing saved; "more lines" keeps what was
//! entered; an edit is saved only over the version it was opened at; an employer's account
//! enters only itself and not after its review is confirmed.

use crate::support::prelude::*;
use crate::support::{TestApp, TestDb, d, page_text, post_form, put, record, user};
use zhucan_domain::{Category, Grade};
use zhucan_store::Role;

use crate::employment::code;

/// Posts the declaration form shown at `page`.
async fn declare(
    app: &TestApp,
    c: &reqwest::Client,
    page: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    post_form(app, c, page, "/employment/declare", fields).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declaration_is_entered_line_by_line_checked_as_a_file_and_edited_at_its_version() {
    let db = TestDb::sqlite().await;
    let worker = record(
        "填报职工",
        d(1985, 3, 3),
        311,
        "331003107",
        Category::Physical,
        Grade::Two,
    );
    put(&db.store, std::slice::from_ref(&worker)).await;
    user(&db.store, "admin", Role::DistrictAdmin, "331003").await;
    let mine = code(21);
    crate::support::employer_account(&db.store, "danwei", &mine).await;
    let app = TestApp::start(db).await;
    let admin = app.browser("admin").await;
    let id = worker.person.citizen_id.to_string();

    // The empty form: the employer's line and three empty employee lines.
    let form = page_text(&admin, &app.url("/employment/declare?year=2025")).await;
    assert!(
        form.contains("f-avg_staff") && form.contains("f-e2-citizen_id"),
        "{form}"
    );
    assert!(!form.contains("f-e3-citizen_id"), "{form}");

    // A wrong check character, a staff of 0, a bad ID on the second line: every problem at its
    // field, nothing saved.
    let mut wrong = mine.clone();
    let last = if wrong.ends_with('0') { '1' } else { '0' };
    wrong.pop();
    wrong.push(last);
    let bad = [
        ("year", "2025"),
        ("version", "0"),
        ("lines", "3"),
        ("uscc", wrong.as_str()),
        ("name", "填报单位"),
        ("township", "331003107"),
        ("avg_staff", "0"),
        ("avg_wage_yuan", "80000"),
        ("e0-citizen_id", id.as_str()),
        ("e0-contract_months", "12"),
        ("e0-monthly_wage_yuan", "3000"),
        ("e0-insured", "yes"),
        // An empty line in between is ignored; the next is line 2.
        ("e2-citizen_id", "331003198001011230"),
        ("e2-contract_months", "12"),
        ("e2-monthly_wage_yuan", "3000"),
        ("e2-insured", "yes"),
    ];
    let r = declare(&app, &admin, "/employment/declare?year=2025", &bad).await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("t");
    for field in ["#f-uscc", "#f-avg_staff", "#f-e1-citizen_id"] {
        assert!(
            body.contains(&format!("href=\"{field}\"")),
            "{field}: {body}"
        );
    }
    assert!(body.contains("在职职工平均人数应为大于 0 的数"), "{body}");
    assert!(body.contains("残疾职工 2 公民身份号码"), "{body}");
    assert!(
        body.contains("id=\"f-e1-citizen_id\" name=\"e1-citizen_id\" value=\"331003198001011230\""),
        "{body}"
    );
    assert!(body.contains("aria-invalid=\"true\""), "{body}");
    let list = page_text(&admin, &app.url("/employment?year=2025")).await;
    assert!(list.contains("该年度还没有申报"), "{list}");

    // "More lines" keeps what was entered and adds five empty lines.
    let mut more = bad.to_vec();
    more.push(("more", "1"));
    let r = declare(&app, &admin, "/employment/declare?year=2025", &more).await;
    assert_eq!(r.status(), 200);
    let body = r.text().await.expect("t");
    assert!(body.contains("name=\"lines\" value=\"8\""), "{body}");
    assert!(body.contains(&format!("value=\"{id}\"")), "{body}");

    // Corrected: saved; a wage that looks monthly and a person unknown to the registry warn.
    let stranger = zhucan_domain::ids::with_check_char("33100319900101999").expect("id");
    let good = [
        ("year", "2025"),
        ("version", "0"),
        ("lines", "3"),
        ("uscc", mine.as_str()),
        ("name", "填报单位"),
        ("township", "331003107"),
        ("avg_staff", "40.5"),
        ("avg_wage_yuan", "6000"),
        ("e0-citizen_id", id.as_str()),
        ("e0-contract_months", "12"),
        ("e0-monthly_wage_yuan", "3000"),
        ("e0-insured", "yes"),
        ("e1-citizen_id", stranger.as_str()),
        ("e1-contract_months", "12"),
        ("e1-monthly_wage_yuan", "3000"),
        ("e1-insured", "no"),
    ];
    let r = declare(&app, &admin, "/employment/declare?year=2025", &good).await;
    assert_eq!(r.status(), 200);
    let body = r.text().await.expect("t");
    assert!(body.contains("新增 1 家"), "{body}");
    assert!(body.contains("unknown_person"), "{body}");
    assert!(body.contains("残疾职工 2"), "{body}");
    assert!(body.contains("name=\"version\" value=\"1\""), "{body}");
    assert!(body.contains("value=\"40.5\""), "{body}");
    let review = page_text(
        &admin,
        &app.url(&format!("/employment/employers/{mine}?year=2025")),
    )
    .await;
    assert!(
        review.contains("填报单位") && review.contains("在线修改申报"),
        "{review}"
    );
    let q = zhucan_store::audit::AuditQuery {
        action: Some("employment.declare".into()),
        object: Some(mine.clone()),
        limit: 10,
        ..Default::default()
    };
    let audit = crate::support::audit_rows(&app.db.store, &q, 1).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].account, "admin");

    // The year's review as a workbook, audited as an export.
    let r = admin
        .get(app.url("/employment/review.xlsx?year=2025"))
        .send()
        .await
        .expect("xlsx");
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.expect("bytes");
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    use calamine::Reader;
    let employers = book.worksheet_range("单位").expect("sheet");
    let line: Vec<String> = employers
        .rows()
        .nth(2)
        .expect("the employer's line")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(line[0], mine);
    assert_eq!(line[1], "填报单位");
    let employees = book.worksheet_range("残疾职工").expect("sheet");
    assert_eq!(employees.rows().count(), 3, "a header and two employees");
    let q = zhucan_store::audit::AuditQuery {
        action: Some("employment.review.export".into()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(
        crate::support::audit_rows(&app.db.store, &q, 1).await.len(),
        1
    );

    // Entered again as new: refused, the stored one is not overwritten.
    let r = declare(&app, &admin, "/employment/declare?year=2025", &good).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("已有申报"));

    // Opened for correction: the stored lines; saved at version 1, then a save at the old
    // version is refused.
    let opened = page_text(
        &admin,
        &app.url(&format!("/employment/declare?year=2025&uscc={mine}")),
    )
    .await;
    assert!(
        opened.contains(&format!("value=\"{id}\""))
            && opened.contains("name=\"version\" value=\"1\""),
        "{opened}"
    );
    let mut edit: Vec<(&str, &str)> = good
        .iter()
        .filter(|(k, _)| !k.starts_with("e1-"))
        .copied()
        .collect();
    for (k, v) in &mut edit {
        match *k {
            "version" => *v = "1",
            "avg_wage_yuan" => *v = "80000",
            _ => {}
        }
    }
    let r = declare(&app, &admin, "/employment/declare?year=2025", &edit).await;
    assert_eq!(r.status(), 200);
    let body = r.text().await.expect("t");
    assert!(
        body.contains("更新 1 家") && body.contains("name=\"version\" value=\"2\""),
        "{body}"
    );
    assert!(!body.contains("unknown_person"), "{body}");
    let r = declare(&app, &admin, "/employment/declare?year=2025", &edit).await;
    assert_eq!(r.status(), 409);
    let people = app
        .db
        .store
        .declared_employees(2025, &mine)
        .await
        .expect("people");
    assert_eq!(people.len(), 1);

    // Another district's code asked for: not found.
    let r = admin
        .get(app.url(&format!("/employment/declare?year=2025&uscc={}", code(99))))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 404);

    // The employer's own account: its code is not asked; it enters its 2026 declaration.
    let dw = app.browser("danwei").await;
    let own = page_text(&dw, &app.url("/employment/declare?year=2026")).await;
    assert!(
        own.contains(&mine) && !own.contains("id=\"f-uscc\""),
        "{own}"
    );
    let other = code(22);
    let ours = [
        ("year", "2026"),
        ("version", "0"),
        ("lines", "3"),
        // A code posted anyway is ignored: the account's own is used.
        ("uscc", other.as_str()),
        ("name", "填报单位"),
        ("township", ""),
        ("avg_staff", "25"),
        ("avg_wage_yuan", "80000"),
    ];
    let r = declare(&app, &dw, "/employment/declare?year=2026", &ours).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.expect("t").contains("新增 1 家"));
    assert!(
        app.db
            .store
            .declaration(2026, &mine)
            .await
            .expect("d")
            .is_some()
    );
    assert!(
        app.db
            .store
            .declaration(2026, &code(22))
            .await
            .expect("d")
            .is_none()
    );
}
