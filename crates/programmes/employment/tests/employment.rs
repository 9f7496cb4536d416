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

fn code(n: u32) -> String {
    Uscc::with_check(&format!("91331003{n:09}"))
        .expect("uscc")
        .to_string()
}

/// (uscc, name, township, staff, wage) and (uscc, citizen id, months, monthly wage, insured).
type EmployerRow<'a> = (String, &'a str, &'a str, f64, f64);
type EmployeeRow = (String, String, f64, f64, &'static str);

fn workbook(path: &std::path::Path, employers: &[EmployerRow<'_>], employees: &[EmployeeRow]) {
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
    wb.save(path).expect("save");
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
