//! The quota review through `zhucan employment review` (`contract.md`): a declaration
//! workbook of employers on every boundary of the rules — 30 and 31 staff, exactly 1% and
//! 1.5% placed, the wage at and over the cap, an employee listed by two employers, contracts of
//! 11 and 12 months, the wage at the minimum, grade 1–2 counted double or not, the reductions
//! after their end — agrees to the fen; a bad file is refused whole, naming row and column.

#[allow(unused_imports)]
use crate::support::prelude::*;
use rust_xlsxwriter::Workbook;
use serde_json::Value;
use zhucan_domain::uscc::Uscc;
use zhucan_domain::{Category, Grade};

use crate::cli::{Cli, text};
use crate::support::{d, put, record};

pub(crate) fn code(n: u32) -> String {
    Uscc::with_check(&format!("91331003{n:09}"))
        .expect("uscc")
        .to_string()
}

/// (uscc, name, township, staff, wage) and (uscc, citizen id, months, monthly wage, insured).
type EmployerRow<'a> = (String, &'a str, &'a str, f64, f64);
type EmployeeRow = (String, String, f64, f64, &'static str);

fn workbook(path: &std::path::Path, employers: &[EmployerRow<'_>], employees: &[EmployeeRow]) {
    std::fs::write(path, workbook_bytes(employers, employees)).expect("save");
}

fn workbook_bytes(employers: &[EmployerRow<'_>], employees: &[EmployeeRow]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("单位").expect("name");
    for (c, h) in [
        "统一社会信用代码",
        "单位名称",
        "乡镇街道",
        "在职职工平均人数",
        "职工年平均工资",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).expect("h");
    }
    for (r, (u, n, t, s, w)) in employers.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, u).expect("c");
        ws.write_string(r, 1, *n).expect("c");
        ws.write_string(r, 2, *t).expect("c");
        ws.write_number(r, 3, *s).expect("c");
        ws.write_number(r, 4, *w).expect("c");
    }
    let ws = wb.add_worksheet().set_name("残疾职工").expect("name");
    for (c, h) in [
        "统一社会信用代码",
        "公民身份号码",
        "姓名",
        "劳动合同期限(月)",
        "月工资",
        "缴纳社会保险",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).expect("h");
    }
    for (r, (u, id, m, w, i)) in employees.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, u).expect("c");
        ws.write_string(r, 1, id).expect("c");
        ws.write_number(r, 3, *m).expect("c");
        ws.write_number(r, 4, *w).expect("c");
        ws.write_string(r, 5, *i).expect("c");
    }
    wb.save_to_buffer().expect("save")
}

fn employer<'a>(v: &'a Value, uscc: &str) -> &'a Value {
    v["employers"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["uscc"] == uscc))
        .unwrap_or_else(|| panic!("{uscc} in {v}"))
}

#[test]
fn the_review_agrees_with_the_contract_on_every_boundary() {
    let cli = Cli::new();
    // Registry: twelve employees of grade 3 and two of grade 1–2, one who died in the year.
    let mut people: Vec<_> = (0..12)
        .map(|i| {
            record(
                &format!("职工{i}"),
                d(1985, 3, 3),
                100 + i,
                "331003107",
                Category::Physical,
                Grade::Three,
            )
        })
        .collect();
    let severe = record(
        "重度甲",
        d(1980, 1, 1),
        201,
        "331003107",
        Category::Visual,
        Grade::One,
    );
    let mut died = record(
        "已故乙",
        d(1970, 1, 1),
        202,
        "331003107",
        Category::Physical,
        Grade::Three,
    );
    died.person.died_on = Some(d(2025, 6, 1));
    people.push(severe.clone());
    people.push(died.clone());
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        let store = cli.store().await;
        put(&store, &people).await;
    });
    let id = |i: usize| people[i].person.citizen_id.to_string();
    let unknown = zhucan_domain::ids::with_check_char("33100319900909555")
        .expect("id")
        .to_string();
    let ok = |u: &str, i: usize| (u.to_string(), id(i), 12.0, 2490.0, "是");
    let (a, b, c, dd, e, f) = (code(1), code(2), code(3), code(4), code(5), code(6));
    let employers = vec![
        (a.clone(), "三十人厂", "院桥镇", 30.0, 100_000.0),
        (b.clone(), "三十一人厂", "院桥镇", 31.0, 100_000.0),
        (c.clone(), "百分之一公司", "331003107", 200.0, 100_000.0),
        (dd.clone(), "高薪公司", "院桥镇", 200.0, 250_000.0),
        (e.clone(), "超比例公司", "院桥镇", 120.0, 100_000.0),
        (f.clone(), "条件公司", "院桥镇", 120.0, 100_000.0),
    ];
    let employees = vec![
        // C: exactly 1% (2 of 200).
        ok(&c, 0),
        ok(&c, 1),
        // E: 4 counted of a quota of 1.8 → 2 rewards.
        ok(&e, 2),
        ok(&e, 3),
        ok(&e, 4),
        ok(&e, 5),
        // F: 11 months, a fen under the minimum wage, not insured, dead, unknown, the
        // grade-1 employee (counts 1: double is off), one listed by F and E… and by D.
        (f.clone(), id(6), 11.0, 2490.0, "是"),
        (f.clone(), id(7), 12.0, 2489.99, "是"),
        (f.clone(), id(8), 12.0, 3000.0, "否"),
        (
            f.clone(),
            died.person.citizen_id.to_string(),
            12.0,
            3000.0,
            "是",
        ),
        (f.clone(), unknown.clone(), 12.0, 3000.0, "是"),
        (
            f.clone(),
            severe.person.citizen_id.to_string(),
            12.0,
            3000.0,
            "是",
        ),
        ok(&f, 9),
        ok(&dd, 9),
    ];
    let file = cli.path("declaration.xlsx");
    workbook(&file, &employers, &employees);
    let path = file.to_str().expect("path");
    let out = cli.run(&["employment", "review", "--year", "2025", path], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["year"], 2025);

    let r = employer(&v, &a);
    assert_eq!(
        (r["exempt"].as_bool(), r["levy_fen"].as_i64()),
        (Some(true), Some(0))
    );
    let r = employer(&v, &b);
    assert_eq!(r["exempt"], false);
    assert_eq!(r["quota"].as_f64(), Some(0.465));
    // 0.465 × 100 000 × 90%.
    assert_eq!(r["levy_fen"], 4_185_000);
    let r = employer(&v, &c);
    assert_eq!(
        (r["counted"].as_i64(), r["pay_share"].as_f64()),
        (Some(2), Some(0.5))
    );
    assert_eq!(r["shortfall"].as_f64(), Some(1.0));
    assert_eq!(r["levy_fen"], 5_000_000);
    // The wage is capped at 2 × 100 000; the one employee is listed twice, so 0 counted.
    let r = employer(&v, &dd);
    assert_eq!(r["counted"], 0);
    assert_eq!(r["levy_fen"], 3 * 20_000_000 * 9 / 10);
    let r = employer(&v, &e);
    assert_eq!(
        (r["levy_fen"].as_i64(), r["reward_fen"].as_i64()),
        (Some(0), Some(1_000_000))
    );
    let r = employer(&v, &f);
    let reasons: Vec<String> = r["employees"]
        .as_array()
        .expect("employees")
        .iter()
        .map(|x| format!("{}:{}", x["counts"], x["reasons"]))
        .collect();
    assert_eq!(
        reasons,
        vec![
            "0:[\"contract_too_short\"]",
            "0:[\"below_minimum_wage\"]",
            "0:[\"not_insured\"]",
            "0:[\"not_certified\"]",
            "0:[\"unknown_person\"]",
            "1:[]",
            "0:[\"listed_twice\"]",
        ]
    );
    assert_eq!(r["counted"], 1);
    assert!(
        text(&out.stderr).contains("残疾人档案中没有此人"),
        "a warning names the unknown employee: {}",
        text(&out.stderr)
    );

    // Grade 1–2 counted double: a new version of the parameter, in force from 2025.
    rt.block_on(async {
        let store = cli.store().await;
        let mut e = zhucan_domain::policy::ParamEntry::plan_default(
            zhucan_domain::policy::ParamKey::EmploymentSevereDouble,
            &store.district().await.expect("district"),
            zhucan_domain::policy::ParamValue::Flag(true),
        );
        e.effective_from = d(2025, 1, 1);
        store.add_param(&e).await.expect("param");
    });
    let out = cli.run(&["employment", "review", "--year", "2025", path], None);
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        employer(&v, &f)["counted"],
        2,
        "the grade-1 employee counts two"
    );

    // After the reductions end (2027-12-31), the whole levy is due.
    let out = cli.run(&["employment", "review", "--year", "2028", path], None);
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let r = employer(&v, &c);
    assert_eq!(
        (r["pay_share"].as_f64(), r["levy_fen"].as_i64()),
        (Some(1.0), Some(10_000_000))
    );

    // The table and the workbook.
    let out = cli.run(
        &[
            "employment",
            "review",
            "--year",
            "2025",
            path,
            "--format",
            "table",
        ],
        None,
    );
    assert!(text(&out.stdout).contains("三十一人厂") && text(&out.stdout).contains("41850.00"));
    let xlsx = cli.path("review.xlsx");
    let out = cli.run(
        &[
            "employment",
            "review",
            "--year",
            "2025",
            path,
            "--format",
            "xlsx",
            "--out",
            xlsx.to_str().expect("path"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(std::fs::read(&xlsx).expect("xlsx").starts_with(b"PK"));
}

#[test]
fn a_bad_declaration_is_refused_whole_naming_row_and_column() {
    let cli = Cli::new();
    let mut wrong = code(1);
    let last = if wrong.ends_with('0') { '1' } else { '0' };
    wrong.pop();
    wrong.push(last);
    let employers = vec![
        (wrong.clone(), "校验位错", "院桥镇", 100.0, 100_000.0),
        (code(2), "零职工", "院桥镇", 0.0, 100_000.0),
        (code(3), "月工资填错", "院桥镇", 100.0, 3000.0),
    ];
    let employees = vec![(code(9), "33100319801301001X".into(), 12.0, 3000.0, "是")];
    let file = cli.path("bad.xlsx");
    workbook(&file, &employers, &employees);
    let out = cli.run(
        &[
            "employment",
            "review",
            "--year",
            "2025",
            file.to_str().expect("p"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    for says in [
        "“单位”表第 2 行“统一社会信用代码”列",
        "校验位错误",
        "“单位”表第 3 行“在职职工平均人数”列",
        "“残疾职工”表第 2 行“统一社会信用代码”列",
        "“残疾职工”表第 2 行“公民身份号码”列",
        "未审核任何单位",
    ] {
        assert!(err.contains(says), "{says}: {err}");
    }
    assert!(out.stdout.is_empty());

    // A wage that looks monthly is a warning: the review is still given.
    let file = cli.path("monthly.xlsx");
    workbook(&file, &employers[2..], &[]);
    let out = cli.run(
        &[
            "employment",
            "review",
            "--year",
            "2025",
            file.to_str().expect("p"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("是否填了月工资"),
        "{}",
        text(&out.stderr)
    );
}

/// Uploads a declaration workbook of `year` through the page `page`'s form.
async fn upload(
    app: &crate::support::TestApp,
    c: &reqwest::Client,
    page: &str,
    path: &str,
    year: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let html = crate::support::page_text(c, &app.url(page)).await;
    let f = reqwest::multipart::Form::new()
        .text("_csrf", crate::support::csrf_of(&html))
        .text("year", year.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("declaration.xlsx"),
        );
    c.post(app.url(path))
        .multipart(f)
        .send()
        .await
        .expect("upload")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declaration_is_imported_reviewed_confirmed_published_and_contested() {
    use crate::support::{TestApp, TestDb, indicator, page_text, post_form, user};
    use zhucan_store::Role;
    let db = TestDb::sqlite().await;
    let counted = record(
        "甲职工",
        d(1985, 3, 3),
        301,
        "331003107",
        Category::Physical,
        Grade::Three,
    );
    let short = record(
        "乙职工",
        d(1986, 4, 4),
        303,
        "331003107",
        Category::Physical,
        Grade::Three,
    );
    put(&db.store, &[counted.clone(), short.clone()]).await;
    user(&db.store, "admin", Role::DistrictAdmin, "331003").await;
    user(&db.store, "yq", Role::TownshipStaff, "331003107").await;
    user(&db.store, "dc", Role::TownshipStaff, "331003001").await;
    let (mine, theirs) = (code(11), code(12));
    crate::support::employer_account(&db.store, "danwei", &mine).await;
    crate::support::employer_account(&db.store, "other", &theirs).await;
    let app = TestApp::start(db).await;
    let app = &app;
    let token = app.token("admin").await;
    let before = indicator(app, &token, "331003", "employment_rate").await;
    let admin = app.browser("admin").await;
    let employers = vec![(mine.clone(), "申报单位甲", "院桥镇", 120.0, 100_000.0)];
    let employees = vec![
        (
            mine.clone(),
            counted.person.citizen_id.to_string(),
            12.0,
            2490.0,
            "是",
        ),
        (
            mine.clone(),
            short.person.citizen_id.to_string(),
            11.0,
            2490.0,
            "是",
        ),
    ];

    // A wrong check character: refused whole, the row and column named, nothing saved.
    let mut wrong = mine.clone();
    let last = if wrong.ends_with('0') { '1' } else { '0' };
    wrong.pop();
    wrong.push(last);
    let bad = vec![(wrong.clone(), "申报单位甲", "院桥镇", 120.0, 100_000.0)];
    let r = upload(
        app,
        &admin,
        "/employment",
        "/employment/import",
        "2025",
        workbook_bytes(&bad, &[]),
    )
    .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("t");
    assert!(
        body.contains(&wrong) && body.contains("统一社会信用代码"),
        "{body}"
    );
    let list = page_text(&admin, &app.url("/employment?year=2025")).await;
    assert!(list.contains("该年度还没有申报"), "{list}");
    // A year that is not one: named.
    let r = upload(
        app,
        &admin,
        "/employment",
        "/employment/import",
        "20x5",
        workbook_bytes(&employers, &employees),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("20x5"));

    // The file: one employer added; the township's staff see it, another township's do not.
    let r = upload(
        app,
        &admin,
        "/employment",
        "/employment/import",
        "2025",
        workbook_bytes(&employers, &employees),
    )
    .await;
    let status = r.status();
    let body = r.text().await.expect("t");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("新增 1 家"), "{body}");
    let yq = app.browser("yq").await;
    let dc = app.browser("dc").await;
    assert!(
        page_text(&yq, &app.url("/employment?year=2025"))
            .await
            .contains("申报单位甲")
    );
    assert!(
        !page_text(&dc, &app.url("/employment?year=2025"))
            .await
            .contains("申报单位甲")
    );
    let here = format!("/employment/employers/{mine}?year=2025");
    let r = dc.get(app.url(&here)).send().await.expect("get");
    assert_eq!(r.status(), 404);

    // The review: who counts and why not, identifiers masked.
    let review = page_text(&admin, &app.url(&here)).await;
    assert!(review.contains("劳动合同期限不足"), "{review}");
    assert!(!review.contains(counted.person.citizen_id.as_str()));
    assert!(review.contains(&counted.person.citizen_id.masked()));
    // Not confirmed: the public list has nothing; the township staff cannot confirm.
    let public = reqwest::get(app.url("/public/employment?year=2025"))
        .await
        .expect("public");
    assert_eq!(public.status(), 200);
    assert!(!public.text().await.expect("t").contains("申报单位甲"));
    let confirm = format!("/employment/employers/{mine}/confirm");
    let r = post_form(
        app,
        &yq,
        &here,
        &confirm,
        &[("year", "2025"), ("version", "1")],
    )
    .await;
    assert_eq!(r.status(), 403);

    // Confirmed: the decision, the public list (no personal data), indicator 9 moves by the
    // one employee counted.
    let r = post_form(
        app,
        &admin,
        &here,
        &confirm,
        &[("year", "2025"), ("version", "1")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let after = indicator(app, &token, "331003", "employment_rate").await;
    assert_eq!(after.0, before.0 + 1, "{before:?} → {after:?}");
    let public = reqwest::get(app.url("/public/employment?year=2025"))
        .await
        .expect("public")
        .text()
        .await
        .expect("t");
    assert!(
        public.contains("申报单位甲") && public.contains("1.8"),
        "{public}"
    );
    assert!(!public.contains("甲职工") && !public.contains(&counted.person.citizen_id.masked()));
    // Confirmed twice: refused as stale.
    let r = post_form(
        app,
        &admin,
        &here,
        &confirm,
        &[("year", "2025"), ("version", "1")],
    )
    .await;
    assert_eq!(r.status(), 409);

    // The employer sees its own review, never another's, and may not declare the confirmed
    // year again; it contests, staff confirm again and the decision answers the objection.
    let danwei = app.browser("danwei").await;
    let own = page_text(&danwei, &app.url("/employment/employer")).await;
    assert!(own.contains("2025"), "{own}");
    assert!(
        page_text(&danwei, &app.url(&here))
            .await
            .contains("劳动合同期限不足")
    );
    let other = app.browser("other").await;
    let r = other.get(app.url(&here)).send().await.expect("get");
    assert_eq!(r.status(), 404);
    let mut changed = employees.clone();
    changed[1].2 = 12.0;
    let r = upload(
        app,
        &danwei,
        "/employment/employer",
        "/employment/employer/import",
        "2025",
        workbook_bytes(&employers, &changed),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("不能再重新申报"));
    let theirs_file = vec![(theirs.clone(), "别家", "院桥镇", 50.0, 100_000.0)];
    let r = upload(
        app,
        &danwei,
        "/employment/employer",
        "/employment/employer/import",
        "2026",
        workbook_bytes(&theirs_file, &[]),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("t").contains("只能申报本单位"));
    let contest = format!("/employment/employers/{mine}/contest");
    let r = post_form(
        app,
        &danwei,
        &here,
        &contest,
        &[("year", "2025"), ("version", "1"), ("reason", "")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let r = post_form(
        app,
        &danwei,
        &here,
        &contest,
        &[
            ("year", "2025"),
            ("version", "1"),
            ("reason", "乙职工已续签十二个月合同"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let list = page_text(&admin, &app.url("/employment?year=2025")).await;
    assert!(list.contains("单位有异议"), "{list}");
    let r = post_form(
        app,
        &admin,
        &here,
        &confirm,
        &[("year", "2025"), ("version", "1")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let review = page_text(&admin, &app.url(&here)).await;
    assert!(review.contains("乙职工已续签十二个月合同"), "{review}");
    // The same fact again changes nothing: indicator 9 has not moved twice.
    assert_eq!(
        indicator(app, &token, "331003", "employment_rate").await.0,
        after.0
    );

    // The API: the decision in force.
    let v: Value = reqwest::Client::new()
        .get(app.url("/api/v1/employment/reviews?year=2025"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("api")
        .json()
        .await
        .expect("json");
    let e = employer(&v, &mine);
    assert_eq!(e["status"], "confirmed");
    assert_eq!(e["decision"]["counted"], 1);
    // Audited.
    let q = zhucan_store::audit::AuditQuery {
        action: Some("employment.review.confirm".into()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(
        crate::support::audit_rows(&app.db.store, &q, 2).await.len(),
        2
    );
}

crate::contract!(declarations_are_stored_whole_and_decided_once);

/// The store on both backends: a file's declarations are added, the same again changes
/// nothing, a change bumps the version; an employer may not replace a confirmed year (and
/// nothing of its file is saved); a decision needs the version shown; a contest needs a
/// confirmed review; the public list holds the confirmed ones.
async fn declarations_are_stored_whole_and_decided_once(db: crate::support::TestDb) {
    use zhucan_employment::rules::Status;
    use zhucan_employment::store::{
        Declarant, DeclaredPerson, NewDecision, NewDeclaration, Written,
    };
    let s = &db.store;
    let ev = crate::support::test_event("employment.declare");
    let person = record(
        "丙职工",
        d(1984, 5, 5),
        305,
        "331003107",
        Category::Physical,
        Grade::Three,
    );
    let decl = |u: &str, staff: i64| NewDeclaration {
        uscc: Uscc::parse(u).expect("uscc"),
        name: format!("单位{u}"),
        township: "院桥镇".into(),
        area_code: "331003107".into(),
        avg_staff_micro: staff,
        avg_wage_fen: 10_000_000,
        employees: vec![DeclaredPerson {
            citizen_id: person.person.citizen_id.clone(),
            name: Some("丙职工".into()),
            contract_months: 12,
            monthly_wage_fen: 300_000,
            insured: true,
        }],
        expected: None,
    };
    let (a, b) = (code(21), code(22));
    let saved = s
        .save_declarations(
            2025,
            &[decl(&a, 50_000_000), decl(&b, 40_000_000)],
            "import",
            Declarant::Staff,
            "t",
            &ev,
        )
        .await
        .expect("save");
    assert_eq!((saved.added, saved.changed, saved.unchanged), (2, 0, 0));
    let again = s
        .save_declarations(
            2025,
            &[decl(&a, 50_000_000)],
            "import",
            Declarant::Staff,
            "t",
            &ev,
        )
        .await
        .expect("save");
    assert_eq!((again.added, again.changed, again.unchanged), (0, 0, 1));
    let d1 = s.declaration(2025, &a).await.expect("d").expect("exists");
    assert_eq!((d1.version, d1.status, d1.listed), (1, Status::Declared, 1));
    assert_eq!(s.declarations(2025, "331003107").await.expect("l").len(), 2);
    assert!(
        s.declarations(2025, "331003001")
            .await
            .expect("l")
            .is_empty()
    );
    let listing = s
        .employers_listing(2025, std::slice::from_ref(&person.person.citizen_id))
        .await
        .expect("listing");
    assert_eq!(listing.get(&person.person.citizen_id), Some(&2));
    // The same in bulk, as the review workbook reads a year: every employer's lines by USCC
    // for an area, and who is listed by several.
    let all = s
        .declared_employees_in(2025, "331003107")
        .await
        .expect("lines");
    assert_eq!(all.len(), 2);
    assert_eq!(
        all.get(a.as_str()).map(|v| v[0].citizen_id.clone()),
        Some(person.person.citizen_id.clone())
    );
    assert!(
        s.declared_employees_in(2025, "331003001")
            .await
            .expect("lines")
            .is_empty()
    );
    let several = s.listed_by_several(2025).await.expect("several");
    assert!(several.contains(&person.person.citizen_id) && several.len() == 1);
    assert!(s.listed_by_several(2024).await.expect("several").is_empty());

    let decision = NewDecision {
        quota: "0.75".into(),
        counted: 0,
        exempt: false,
        levy_fen: 1,
        reward_fen: 0,
        result: serde_json::json!({"uscc": a}),
        facts: Vec::new(),
    };
    assert_eq!(
        s.contest(2025, &a, 1, "早了", "t", &ev).await.expect("c"),
        Written::Stale
    );
    assert_eq!(
        s.decide(2025, &a, 2, &decision, "t", &ev).await.expect("d"),
        Written::Stale
    );
    assert_eq!(
        s.decide(2025, &a, 1, &decision, "t", &ev).await.expect("d"),
        Written::Done
    );
    assert_eq!(
        s.decide(2025, &code(23), 1, &decision, "t", &ev)
            .await
            .expect("d"),
        Written::Missing
    );
    // An employer's file touching a confirmed year: nothing of it is saved.
    let locked = s
        .save_declarations(
            2025,
            &[decl(&b, 41_000_000), decl(&a, 51_000_000)],
            "employer",
            Declarant::Employer,
            "t",
            &ev,
        )
        .await
        .expect("save");
    assert_eq!(locked.locked, vec![a.clone()]);
    assert_eq!(
        s.declaration(2025, &b)
            .await
            .expect("d")
            .expect("b")
            .avg_staff_micro,
        40_000_000
    );
    let published = s.published(2025).await.expect("p");
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].decision.levy_fen, 1);
    assert_eq!(
        s.contest(2025, &a, 1, "乙已续签", "t", &ev)
            .await
            .expect("c"),
        Written::Done
    );
    assert!(s.published(2025).await.expect("p").is_empty());
    // Staff replace a contested year: back to review, version 2.
    let changed = s
        .save_declarations(
            2025,
            &[decl(&a, 51_000_000)],
            "import",
            Declarant::Staff,
            "t",
            &ev,
        )
        .await
        .expect("save");
    assert_eq!(changed.changed, 1);
    let d2 = s.declaration(2025, &a).await.expect("d").expect("exists");
    assert_eq!((d2.version, d2.status), (2, Status::Declared));
    assert_eq!(
        s.decide(2025, &a, 2, &decision, "t", &ev).await.expect("d"),
        Written::Done
    );
    let history = s.decisions(2025, &a).await.expect("h");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].answered.as_deref(), Some("乙已续签"));
    assert!(
        s.set_profile(&a, "制造业", true, "t", &ev)
            .await
            .expect("p")
    );
    assert_eq!(
        s.profile(&a).await.expect("p"),
        Some(("制造业".to_string(), true))
    );
    assert!(
        !s.set_profile(&code(23), "x", false, "t", &ev)
            .await
            .expect("p")
    );
    // 专栏3's public bodies: the decision in force counts (0 here); one under review has none.
    assert!(s.set_profile(&b, "", true, "t", &ev).await.expect("p"));
    let bodies = s.public_bodies(2025, "331003").await.expect("bodies");
    let counted: Vec<(String, Option<i64>)> =
        bodies.iter().map(|x| (x.uscc.clone(), x.counted)).collect();
    assert_eq!(counted.len(), 2);
    assert!(counted.contains(&(a.clone(), Some(0))), "{counted:?}");
    assert!(counted.contains(&(b.clone(), None)), "{counted:?}");
    assert!(
        s.public_bodies(2025, "331003001")
            .await
            .expect("bodies")
            .is_empty()
    );
    // The plan's 专栏3-4 share of public bodies employing someone is kept in step: 0 of 2,
    // then 1 of 2 once b's review counting one person is confirmed.
    let share = || async {
        let (plan, _) = s.current_plan().await.expect("plan").expect("a plan");
        s.target_progress(&plan.id)
            .await
            .expect("progress")
            .into_iter()
            .find(|e| e.key == "public_units_employing")
            .map(|e| (e.value, e.as_of))
    };
    assert_eq!(share().await, Some((0, d(2025, 12, 31))));
    let one = NewDecision {
        quota: "0.75".into(),
        counted: 1,
        exempt: false,
        levy_fen: 0,
        reward_fen: 0,
        result: serde_json::json!({"uscc": b}),
        facts: Vec::new(),
    };
    let bv = s
        .declaration(2025, &b)
        .await
        .expect("d")
        .expect("b")
        .version;
    assert_eq!(
        s.decide(2025, &b, bv, &one, "t", &ev).await.expect("d"),
        Written::Done
    );
    assert_eq!(share().await, Some((500_000, d(2025, 12, 31))));
}

#[test]
fn the_command_stores_a_declaration_and_binds_an_employer_account() {
    use zhucan_employment::store::EmploymentStore;
    let cli = Cli::new();
    let a = code(31);
    let file = cli.path("decl.xlsx");
    workbook(
        &file,
        &[(a.clone(), "命令单位", "院桥镇", 40.0, 100_000.0)],
        &[],
    );
    let args = [
        "employment",
        "import",
        "--year",
        "2025",
        file.to_str().expect("p"),
    ];
    let out = cli.run(&args, None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("新增 1 家"),
        "{}",
        text(&out.stdout)
    );
    // The same file again changes nothing.
    let out = cli.run(&args, None);
    assert!(
        text(&out.stdout).contains("未变 1 家"),
        "{}",
        text(&out.stdout)
    );
    // A bad year, a bad USCC, an account of another role: refused by name.
    let out = cli.run(
        &[
            "employment",
            "import",
            "--year",
            "1999",
            file.to_str().expect("p"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("1999"));
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        let store = cli.store().await;
        let d = store
            .declaration(2025, &a)
            .await
            .expect("d")
            .expect("stored");
        assert_eq!(
            (d.name.as_str(), d.area_code.as_str()),
            ("命令单位", "331003107")
        );
        crate::support::user(&store, "dw", zhucan_store::Role::Employer, "331003").await;
        crate::support::user(&store, "yq", zhucan_store::Role::TownshipStaff, "331003107").await;
    });
    let out = cli.run(&["employment", "bind", "dw", "91331003XXXX"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = cli.run(&["employment", "bind", "yq", &a], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("employer"),
        "{}",
        text(&out.stderr)
    );
    let out = cli.run(&["employment", "bind", "dw", &a], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    rt.block_on(async {
        let store = cli.store().await;
        let u = store.user_by_username("dw").await.expect("u").expect("dw");
        assert_eq!(
            store.account_org(&u.id).await.expect("org").as_deref(),
            Some(a.as_str())
        );
    });
}
