//! Tests over whole files: a realistic roster, CSV encodings, refused files, the export round
//! trip, and arbitrary cells.

use std::path::Path;

use calamine::Data;
use chrono::NaiveDate;
use proptest::prelude::*;
use rust_xlsxwriter::{Format, Workbook};
use zhucan_domain::area::{Area, AreaCode};
use zhucan_domain::disability::{Category, Grade};
use zhucan_domain::ids::{CertificateNo, CitizenId, with_check_char};
use zhucan_domain::institution::{Institution, InstitutionKind};
use zhucan_domain::parse::Month;
use zhucan_domain::person::{
    CareNeed, Certificate, CertificateStatus, EconomicStatus, EmploymentStatus, HukouType,
    Insurance, NotEmployedReason, Person, PersonRecord, RecordExtras, SchoolStage, Survey,
};
use zhucan_domain::{Lang, Localized};

use crate::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or(NaiveDate::MIN)
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN)
}

fn opts() -> ImportOptions {
    ImportOptions {
        survey_year: None,
        today: today(),
        lang: Lang::Zh,
    }
}

fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).unwrap_or_else(|| panic!("bad code {s}"))
}

fn area(c: &str, name: &str, population: Option<i64>) -> Area {
    Area {
        code: code(c),
        name: name.into(),
        population,
        valid_from: None,
        valid_until: None,
    }
}

/// The default district's dictionary (a part of it) plus one village.
fn huangyan() -> Vec<Area> {
    vec![
        area("331003", "黄岩区", Some(600_000)),
        area("331003001", "东城街道", None),
        area("331003002", "南城街道", None),
        area("331003107", "院桥镇", None),
        area("331003108", "沙埠镇", None),
        area("331003200", "屿头乡", None),
        area("331003107201", "上洋村", None),
    ]
}

/// A valid 18-character ID from its first 17 digits.
fn id(first17: &str) -> String {
    with_check_char(first17)
        .map(|c| c.as_str().to_string())
        .unwrap_or_default()
}

fn no_progress() -> impl FnMut(usize, usize) {
    |_, _| {}
}

fn read(
    name: &str,
    bytes: &[u8],
    known: &[Area],
    o: &ImportOptions,
) -> Result<ParsedWorkbook, FileError> {
    read_bytes(name, bytes, known, o, &mut no_progress())
}

fn rows_of(issues: &[Issue]) -> Vec<u32> {
    let mut v: Vec<u32> = issues.iter().map(|i| i.row).collect();
    v.dedup();
    v
}

fn find(issues: &[Issue], row: u32) -> Vec<&Issue> {
    issues.iter().filter(|i| i.row == row).collect()
}

// ---------------------------------------------------------------- the realistic roster

/// Builds a roster as a clerk keeps it: two title rows (merged), shuffled columns, English keys
/// for some headers, unknown columns, mixed date spellings, full-width digits, a legacy ID…
fn realistic_roster() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("人员")?;
    let bold = Format::new().set_bold();
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    ws.merge_range(0, 0, 0, 12, "黄岩区持证残疾人花名册", &bold)?;
    ws.merge_range(
        1,
        0,
        1,
        12,
        "填报单位：黄岩区残联        填报日期：2025年3月1日",
        &Format::new(),
    )?;
    let headers = [
        "序号",
        "citizen_id",
        " 姓 名 ",
        "残疾人证号",
        "category",
        "残疾等级",
        "发证日期",
        "乡镇街道",
        "village",
        "调查年度",
        "备注",
        "家庭人均可支配收入（元）",
        "多重残疾构成",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(2, c as u16, *h)?;
    }

    let a = id("33100319800101001"); // row 4
    let b = id("33100319810202002"); // row 5
    let c = id("33100319820303003"); // row 6
    let e = id("33100319830404004"); // row 7
    let upgraded = id("33100319500101001");
    let good9 = id("33100319700505005");
    let bad_check = format!(
        "{}{}",
        &good9[..17],
        if good9.ends_with('0') { '1' } else { '0' }
    );
    let h = id("33100319900606006"); // row 11
    let i = id("33100319910707007"); // row 12
    let j = id("33100319920808008"); // row 13
    let k = id("33100319930909009"); // row 16
    let l = id("33100319941010010"); // row 19
    let fw: String = c
        .chars()
        .map(|ch| {
            if ch.is_ascii_digit() {
                char::from_u32(ch as u32 + 0xfee0).unwrap_or(ch)
            } else {
                ch
            }
        })
        .collect();

    // (row, id cell, name, cert, category, grade, issued, township, village, year, income, components)
    let mut r = 3u32;
    let mut text_row = |ws: &mut rust_xlsxwriter::Worksheet,
                        vals: [&str; 13]|
     -> Result<u32, rust_xlsxwriter::XlsxError> {
        for (col, v) in vals.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r, col as u16, *v)?;
            }
        }
        r += 1;
        Ok(r)
    };
    // Row 4: issue date as a date-formatted serial (written below).
    text_row(
        ws,
        [
            "1",
            &a,
            "王一",
            &format!("{a}44"),
            "肢体",
            "四级",
            "",
            "院桥镇",
            "上洋村",
            "2025",
            "",
            "12,345.50",
            "",
        ],
    )?;
    ws.write_number_with_format(3, 6, 45717.0, &date_fmt)?;
    // Row 5: 2025/3/1, township by code.
    text_row(
        ws,
        [
            "2",
            &b,
            "李二",
            &format!("{b}12"),
            "1",
            "2",
            "2025/3/1",
            "331003001",
            "",
            "2025",
            "",
            "",
            "",
        ],
    )?;
    // Row 6: 2025年3月1日, full-width digits in the ID and the year.
    text_row(
        ws,
        [
            "3",
            &fw,
            "张三",
            &format!("{c}33"),
            "言语",
            "三级",
            "2025年3月1日",
            "沙埠镇",
            "",
            "２０２５",
            "",
            "",
            "",
        ],
    )?;
    // Row 7: 20250301 as a number; income as a number.
    text_row(
        ws,
        [
            "4",
            &e,
            "赵四",
            &format!("{e}61"),
            "精神",
            "一级",
            "",
            "屿头乡",
            "",
            "2025",
            "",
            "",
            "",
        ],
    )?;
    ws.write_number(6, 6, 20250301.0)?;
    ws.write_number(6, 11, 8000.0)?;
    // Row 8: the legacy 15-digit ID stored as a number; plain serial date; no survey year.
    text_row(
        ws,
        [
            "5",
            "",
            "钱五",
            &format!("{upgraded}54"),
            "智力",
            "四级",
            "",
            "院桥镇",
            "",
            "",
            "",
            "",
            "",
        ],
    )?;
    ws.write_number(7, 1, 331003500101001.0)?;
    ws.write_number(7, 6, 45717.0)?;
    // Row 9: bad check digit.
    text_row(
        ws,
        [
            "6",
            &bad_check,
            "孙六",
            &format!("{bad_check}44"),
            "肢体",
            "四级",
            "2025-03-01",
            "院桥镇",
            "",
            "2025",
            "",
            "",
            "",
        ],
    )?;
    // Row 10: impossible birth date.
    text_row(
        ws,
        [
            "7",
            "331003199902300011",
            "周七",
            "33100319990230001144",
            "肢体",
            "四级",
            "2025-03-01",
            "院桥镇",
            "",
            "2025",
            "",
            "",
            "",
        ],
    )?;
    // Row 11: category and grade do not match the certificate (…44 = 肢体四级).
    text_row(
        ws,
        [
            "8",
            &h,
            "吴八",
            &format!("{h}44"),
            "视力",
            "一级",
            "2025-03-01",
            "院桥镇",
            "",
            "2025",
            "",
            "",
            "",
        ],
    )?;
    // Row 12: unknown township.
    text_row(
        ws,
        [
            "9",
            &i,
            "郑九",
            &format!("{i}44"),
            "肢体",
            "四级",
            "2025-03-01",
            "火星镇",
            "",
            "2025",
            "",
            "",
            "",
        ],
    )?;
    // Row 13: village not in the dictionary.
    text_row(
        ws,
        [
            "10",
            &j,
            "冯十",
            &format!("{j}44"),
            "肢体",
            "四级",
            "2025-03-01",
            "院桥镇",
            "不存在村",
            "2025",
            "",
            "",
            "",
        ],
    )?;
    // Row 14: blank.
    text_row(ws, ["", "", "", "", "", "", "", "", "", "", "", "", ""])?;
    // Row 15: an 18-digit ID stored as a number (precision lost).
    text_row(
        ws,
        [
            "12",
            "",
            "陈十二",
            &format!("{k}44"),
            "肢体",
            "四级",
            "2025-03-01",
            "院桥镇",
            "",
            "2025",
            "",
            "",
            "",
        ],
    )?;
    ws.write_number(14, 1, 331003199309090090.0)?;
    // Row 16: 多重 with components.
    text_row(
        ws,
        [
            "13",
            &k,
            "褚十三",
            &format!("{k}72"),
            "多重",
            "二级",
            "2025-03-01",
            "院桥镇",
            "",
            "2025",
            "",
            "",
            "智力、肢体",
        ],
    )?;
    // Row 17: same ID and year as row 4, different content.
    text_row(
        ws,
        [
            "14",
            &a,
            "王一一",
            &format!("{a}44"),
            "肢体",
            "四级",
            "2025-03-01",
            "院桥镇",
            "上洋村",
            "2025",
            "",
            "12345.5",
            "",
        ],
    )?;
    // Row 18: identical to row 5.
    text_row(
        ws,
        [
            "15",
            &b,
            "李二",
            &format!("{b}12"),
            "视力",
            "二级",
            "2025-03-01",
            "东城街道",
            "",
            "2025",
            "",
            "",
            "",
        ],
    )?;
    // Row 19: issued in the future, income negative.
    text_row(
        ws,
        [
            "16",
            &l,
            "卫十六",
            &format!("{l}44"),
            "肢体",
            "四级",
            "2027-01-01",
            "院桥镇",
            "",
            "2025",
            "",
            "-5",
            "",
        ],
    )?;
    // Row 20: a footer.
    text_row(
        ws,
        [
            "制表人：张三    审核人：李四",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    )?;
    wb.save_to_buffer()
}

#[test]
fn realistic_roster_rows_and_messages() {
    let bytes = realistic_roster().expect("build roster");
    let mut calls = 0;
    let out = read_bytes(
        "花名册.xlsx",
        &bytes,
        &huangyan(),
        &opts(),
        &mut |_, _| calls += 1,
    )
    .unwrap_or_else(|e| panic!("{}", e.message(Lang::Zh)));
    assert!(calls >= 1);

    let imported: Vec<u32> = out.persons.iter().map(|p| p.row).collect();
    // Row 4 and row 17 (same person and year, another name) are both refused.
    assert_eq!(
        imported,
        vec![5, 6, 7, 8, 13, 16],
        "rejected: {:#?}",
        out.rejected
    );
    assert_eq!(
        rows_of(&out.rejected),
        vec![4, 9, 10, 11, 12, 15, 17, 19],
        "{:#?}",
        out.rejected
    );
    assert_eq!(out.rows_seen, 15);

    // Every imported row has its issue date read, whatever the spelling.
    for pp in &out.persons {
        assert_eq!(
            pp.record.certificate.issued_on,
            d(2025, 3, 1),
            "row {}",
            pp.row
        );
        assert_eq!(pp.record.certificate.valid_until, d(2035, 3, 1));
        assert_eq!(pp.record.certificate.status, CertificateStatus::Valid);
        assert!(!pp.record.certificate.smart_card);
        assert_eq!(pp.record.survey.year, 2025, "row {}", pp.row);
    }
    // Row 4 differs from row 17 by its name only: its date serial, `12,345.50` and village read
    // as the same values as row 17's `2025-03-01`, `12345.5` and 上洋村.
    let r4 = find(&out.rejected, 4);
    assert_eq!(r4.len(), 1, "{r4:#?}");
    assert_eq!(r4[0].column, "姓 名");
    assert_eq!(r4[0].value, "王一");
    assert!(
        r4[0].message.contains("第 17 行") && r4[0].message.contains("王一一"),
        "{}",
        r4[0].message
    );
    let p5 = &out.persons[0];
    assert_eq!(p5.record.certificate.category, Category::Visual);
    let p6 = &out.persons[1];
    assert_eq!(
        p6.record.person.citizen_id.as_str(),
        id("33100319820303003")
    );
    let p7 = &out.persons[2];
    assert_eq!(p7.record.survey.income_per_capita_fen, Some(800_000));
    let p8 = &out.persons[3];
    assert_eq!(
        p8.record.person.citizen_id.as_str(),
        id("33100319500101001")
    );
    assert_eq!(p8.extras.legacy_id.as_deref(), Some("331003500101001"));
    let p13 = &out.persons[4];
    assert_eq!(p13.record.person.village, None);
    assert_eq!(p13.extras.village_name.as_deref(), Some("不存在村"));
    let p16 = &out.persons[5];
    assert_eq!(
        p16.record.certificate.components,
        vec![Category::Physical, Category::Intellectual]
    );

    // Rejects: column as written in the file, value as shown, clear message.
    let r9 = find(&out.rejected, 9);
    let good9 = id("33100319700505005");
    let expected = good9.chars().last().unwrap_or('?');
    assert_eq!(r9.len(), 1, "{r9:#?}");
    assert_eq!(r9[0].column, "citizen_id");
    assert_eq!(
        r9[0].message,
        format!("公民身份号码校验位错误：应为 {expected}")
    );
    assert_eq!(r9[0].sheet, "人员");
    let r10 = find(&out.rejected, 10);
    assert_eq!(r10.len(), 1, "{r10:#?}");
    assert!(
        r10[0].message.contains("不是有效日期"),
        "{}",
        r10[0].message
    );
    let r11 = find(&out.rejected, 11);
    assert_eq!(r11.len(), 2, "{r11:#?}");
    assert_eq!(r11[0].column, "category");
    assert_eq!(r11[0].value, "视力");
    assert!(r11[0].message.contains("第 19 位") && r11[0].message.contains("肢体"));
    assert_eq!(r11[1].column, "残疾等级");
    assert!(r11[1].message.contains("第 20 位") && r11[1].message.contains("四级"));
    let r12 = find(&out.rejected, 12);
    assert_eq!(r12.len(), 1);
    assert_eq!(r12[0].column, "乡镇街道");
    assert!(
        r12[0].message.contains("未知的乡镇街道“火星镇”"),
        "{}",
        r12[0].message
    );
    let r15 = find(&out.rejected, 15);
    assert_eq!(r15.len(), 1);
    assert_eq!(r15[0].value, "331003199309090000");
    assert!(
        r15[0]
            .message
            .contains("数字格式导致末位丢失，请将该列设为文本格式")
    );
    let r17 = find(&out.rejected, 17);
    assert_eq!(r17.len(), 1, "{r17:#?}");
    assert_eq!(r17[0].column, "姓 名");
    assert!(r17[0].message.contains("第 4 行"), "{}", r17[0].message);
    let r19 = find(&out.rejected, 19);
    assert_eq!(r19.len(), 2, "{r19:#?}");
    assert_eq!(r19[0].column, "发证日期");
    assert!(r19[0].message.contains("晚于今天"));
    assert_eq!(r19[1].column, "家庭人均可支配收入（元）");

    // Warnings: unknown columns, the upgrade, the village, the identical row, the year.
    let w: Vec<(u32, &str)> = out
        .warnings
        .iter()
        .map(|w| (w.row, w.column.as_str()))
        .collect();
    assert_eq!(
        w,
        vec![
            (3, "序号"),
            (3, "备注"),
            (8, "调查年度"),
            (8, "citizen_id"),
            (13, "village"),
            (18, "citizen_id"),
        ],
        "{:#?}",
        out.warnings
    );
    assert!(out.warnings[3].message.contains(&id("33100319500101001")));
    assert!(out.warnings[5].message.contains("第 5 行完全相同"));
}

#[test]
fn english_messages() {
    let bytes = realistic_roster().expect("build roster");
    let o = ImportOptions {
        lang: Lang::En,
        ..opts()
    };
    let out = read("r.xlsx", &bytes, &huangyan(), &o).expect("reads");
    let r9 = find(&out.rejected, 9);
    assert!(
        r9[0].message.starts_with("wrong check character"),
        "{}",
        r9[0].message
    );
    assert!(out.warnings[0].message.contains("unknown column"));
}

#[test]
fn survey_year_from_options() {
    let bytes = realistic_roster().expect("build roster");
    let o = ImportOptions {
        survey_year: Some(2024),
        ..opts()
    };
    let out = read("r.xlsx", &bytes, &huangyan(), &o).expect("reads");
    let p8 = out.persons.iter().find(|p| p.row == 8).expect("row 8");
    assert_eq!(p8.record.survey.year, 2024);
    let p5 = out.persons.iter().find(|p| p.row == 5).expect("row 5");
    assert_eq!(p5.record.survey.year, 2025);
}

// ---------------------------------------------------------------- CSV

fn csv_text() -> String {
    let a = id("33100319800101001");
    let b = id("33100319810202002");
    format!(
        "黄岩区持证残疾人花名册,,,,,,\n\
         姓名,公民身份号码,残疾人证号,残疾类别,残疾等级,发证日期,乡镇街道,生活补贴开始年月\n\
         王一,{a},{a}44,肢体,四级,2025-03-01,院桥镇,202503\n\
         李二,{b},{b}12,视力,二级,20250301,东城街道,2025/03\n"
    )
}

#[test]
fn csv_gb18030_and_utf8_bom() {
    let text = csv_text();
    let (gbk, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend_from_slice(text.as_bytes());
    for (name, bytes) in [
        ("a.csv", gbk.to_vec()),
        ("b.CSV", bom),
        ("c.csv", text.as_bytes().to_vec()),
    ] {
        let out =
            read(name, &bytes, &huangyan(), &opts()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(out.rejected.is_empty(), "{name}: {:#?}", out.rejected);
        assert_eq!(out.persons.len(), 2, "{name}");
        assert_eq!(out.persons[0].row, 3);
        assert_eq!(out.persons[0].record.person.name, "王一");
        assert_eq!(out.persons[1].record.person.name, "李二");
        assert_eq!(
            out.persons[1].record.survey.living_subsidy_since,
            Month::new(2025, 3)
        );
        assert_eq!(out.persons[1].record.certificate.issued_on, d(2025, 3, 1));
    }
}

#[test]
fn csv_undecodable_is_refused() {
    let bytes = [0x81u8, 0x20, 0xff, 0xfe, 0x00, 0x81, 0x7f];
    let e = read("x.csv", &bytes[2..], &[], &opts());
    assert!(matches!(e, Err(FileError::Encoding)), "{e:?}");
    let e = read("x.csv", &[0x81, 0x20, 0xff, 0x30], &[], &opts());
    assert!(matches!(e, Err(FileError::Encoding)), "{e:?}");
}

// ---------------------------------------------------------------- refused files

#[test]
fn not_a_workbook() {
    let e = read("花名册.xlsx", b"this is not a spreadsheet", &[], &opts()).expect_err("refused");
    assert!(matches!(e, FileError::NotWorkbook { .. }), "{e:?}");
    assert!(e.message(Lang::Zh).contains("不是可读取的 Excel 工作簿"));
    let e = read("花名册.pdf", b"%PDF-1.4", &[], &opts()).expect_err("refused");
    assert!(matches!(e, FileError::UnsupportedType { .. }), "{e:?}");
    assert!(e.message(Lang::En).contains(".pdf") || e.message(Lang::En).contains("pdf"));
    let dir = tempfile::tempdir().expect("tmp");
    let e = read_workbook(
        &dir.path().join("missing.xlsx"),
        &[],
        &opts(),
        &mut no_progress(),
    )
    .expect_err("refused");
    assert!(matches!(e, FileError::Unreadable { .. }), "{e:?}");
}

fn one_sheet(name: &str, rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let _ = ws.set_name(name);
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let _ = ws.write_string(r as u32, c as u16, *v);
        }
    }
    wb.save_to_buffer().unwrap_or_default()
}

#[test]
fn empty_sheet() {
    let bytes = one_sheet("人员", &[]);
    let e = read("x.xlsx", &bytes, &[], &opts()).expect_err("refused");
    assert!(
        matches!(&e, FileError::EmptySheet { sheet } if sheet == "人员"),
        "{e:?}"
    );
    assert!(e.message(Lang::Zh).contains("人员"));
    let e = read("x.csv", b"", &[], &opts()).expect_err("refused");
    assert!(matches!(e, FileError::EmptySheet { .. }), "{e:?}");
    let bytes = one_sheet("Sheet1", &[&["hello", "world"]]);
    let e = read("x.xlsx", &bytes, &[], &opts()).expect_err("refused");
    assert!(matches!(e, FileError::NoPersonsSheet { .. }), "{e:?}");
}

#[test]
fn missing_required_columns_are_named() {
    let bytes = one_sheet(
        "人员",
        &[
            &["花名册"],
            &["姓名", "公民身份号码", "残疾人证号", "残疾类别", "发证日期"],
        ],
    );
    let e = read("x.xlsx", &bytes, &[], &opts()).expect_err("refused");
    let FileError::MissingColumns { sheet, columns } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(sheet, "人员");
    let keys: Vec<&str> = columns.iter().map(|c| c.key).collect();
    assert_eq!(keys, vec!["grade", "township"]);
    let m = e.message(Lang::Zh);
    assert!(
        m.contains("残疾等级（grade）") && m.contains("乡镇街道（township）") && m.contains("人员"),
        "{m}"
    );
    let m = e.message(Lang::En);
    assert!(m.contains("残疾等级 (grade)"), "{m}");
}

#[test]
fn single_sheet_under_another_name_is_the_persons_sheet() {
    let a = id("33100319800101001");
    let cert = format!("{a}44");
    let bytes = one_sheet(
        "Sheet1",
        &[
            &[
                "姓名",
                "公民身份号码",
                "残疾人证号",
                "残疾类别",
                "残疾等级",
                "发证日期",
                "乡镇街道",
            ],
            &["王一", &a, &cert, "肢体", "四级", "2025-03-01", "院桥镇"],
        ],
    );
    let out = read("x.xlsx", &bytes, &huangyan(), &opts()).expect("reads");
    assert_eq!(out.persons.len(), 1);
    assert_eq!(out.persons[0].row, 2);
    assert_eq!(out.rejected, vec![]);
    // Sheet-level warning: no 调查年度 column.
    assert_eq!(out.warnings.len(), 1);
}

#[test]
fn error_cells_and_merged_household_ids() {
    let a = id("33100319800101001");
    let b = id("33100319810202002");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("人员").expect("name");
    let hdr = [
        "姓名",
        "公民身份号码",
        "残疾人证号",
        "残疾类别",
        "残疾等级",
        "发证日期",
        "乡镇街道",
        "户编号",
        "家庭人口数",
    ];
    for (c, h) in hdr.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("w");
    }
    for (r, (idv, cert)) in [(a.clone(), format!("{a}44")), (b.clone(), format!("{b}12"))]
        .iter()
        .enumerate()
    {
        let r = r as u32 + 1;
        for (c, v) in ["某", idv, cert, "4", "4", "2025-03-01", "院桥镇"]
            .iter()
            .enumerate()
        {
            ws.write_string(r, c as u16, *v).expect("w");
        }
    }
    ws.write_string(2, 3, "1").expect("w");
    ws.write_string(2, 4, "2").expect("w");
    ws.merge_range(1, 7, 2, 7, "H001", &Format::new())
        .expect("merge");
    ws.write_formula(2, 8, "=1/0").expect("formula");
    ws.set_formula_result(2, 8, "#DIV/0!");
    let bytes = wb.save_to_buffer().expect("save");
    let out = read("x.xlsx", &bytes, &huangyan(), &opts()).expect("reads");
    assert_eq!(out.persons.len(), 1, "{:#?}", out.rejected);
    assert_eq!(
        out.persons[0].record.person.household_id.as_deref(),
        Some("H001")
    );
    assert_eq!(out.rejected.len(), 1, "{:#?}", out.rejected);
    let r = &out.rejected[0];
    assert_eq!((r.row, r.column.as_str()), (3, "家庭人口数"));
    assert!(r.message.contains("I3"), "{}", r.message);
}

#[test]
fn areas_and_institutions_sheets() {
    let a = id("33100319800101001");
    let b = id("33100319810202002");
    let (ca, cb) = (format!("{a}44"), format!("{b}44"));
    let mut wb = Workbook::new();
    let sheets: [(&str, Vec<Vec<&str>>); 3] = [
        (
            "Persons",
            vec![
                vec![
                    "姓名",
                    "公民身份号码",
                    "残疾人证号",
                    "残疾类别",
                    "残疾等级",
                    "发证日期",
                    "乡镇街道",
                    "村社区",
                    "调查年度",
                ],
                vec![
                    "王一",
                    &a,
                    &ca,
                    "肢体",
                    "四级",
                    "2025-03-01",
                    "外区镇",
                    "新建村",
                    "2025",
                ],
                vec![
                    "李二",
                    &b,
                    &cb,
                    "肢体",
                    "四级",
                    "2025-03-01",
                    "院桥镇",
                    "331004101201",
                    "2025",
                ],
            ],
        ),
        (
            "机构",
            vec![
                vec!["机构名录"],
                vec![
                    "机构名称",
                    "机构类型",
                    "乡镇街道",
                    "规范化",
                    "定点",
                    "床位数",
                    "星级",
                    "成立日期",
                    "关闭日期",
                ],
                vec![
                    "院桥镇残疾人之家",
                    "残疾人之家",
                    "院桥镇",
                    "是",
                    "否",
                    "20",
                    "3",
                    "2019-05-01",
                    "",
                ],
                vec![
                    "院桥镇残疾人之家",
                    "残疾人之家",
                    "331003107",
                    "是",
                    "否",
                    "25",
                    "3",
                    "2019-05-01",
                    "",
                ],
                vec![
                    "某机构",
                    "未知类型",
                    "院桥镇",
                    "",
                    "",
                    "",
                    "",
                    "2019-05-01",
                    "",
                ],
                vec!["某托养", "托养机构", "院桥镇", "", "", "", "6", "", ""],
            ],
        ),
        (
            "区划",
            vec![
                vec!["区划代码", "名称", "户籍人口"],
                vec!["331004101", "外区镇", "12000"],
                vec!["331004101201", "新建村", ""],
                vec!["12345", "坏代码", ""],
                vec!["331003107", "院桥镇", "45000"],
            ],
        ),
    ];
    for (name, rows) in &sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).expect("name");
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, *v).expect("write");
                }
            }
        }
    }
    let bytes = wb.save_to_buffer().expect("save");
    let out = read("x.xlsx", &bytes, &huangyan(), &opts()).expect("reads");

    assert_eq!(out.areas.len(), 3);
    assert_eq!(out.areas[2], area("331003107", "院桥镇", Some(45000)));
    assert_eq!(out.persons.len(), 1, "{:#?}", out.rejected);
    let p = &out.persons[0].record.person;
    assert_eq!(p.township, code("331004101"));
    assert_eq!(p.village, Some(code("331004101201")));
    assert_eq!(out.institutions.len(), 1);
    assert_eq!(out.institutions[0].row, 3);
    assert_eq!(out.institutions[0].institution.beds, Some(20));
    assert!(out.institutions[0].institution.standardized);

    let rej: Vec<(&str, u32, &str)> = out
        .rejected
        .iter()
        .map(|i| (i.sheet.as_str(), i.row, i.column.as_str()))
        .collect();
    assert_eq!(
        rej,
        vec![
            ("区划", 4, "区划代码"),
            ("Persons", 3, "村社区"),
            ("机构", 4, "机构名称"),
            ("机构", 5, "机构类型"),
            ("机构", 6, "星级"),
            ("机构", 6, "成立日期"),
        ],
        "{:#?}",
        out.rejected
    );
    assert!(out.rejected[1].message.contains("不属于乡镇街道 331003107"));
    assert!(out.rejected[2].message.contains("第 3 行"));
    assert!(out.rejected[3].message.contains("残疾人之家/托养机构"));
    assert!(out.rejected[4].message.contains("1 到 5"));
    assert_eq!(out.rows_seen, 4 + 2 + 4);
}

// ---------------------------------------------------------------- export round trip

fn sample_records() -> Vec<(PersonRecord, RecordExtras)> {
    let mk = |first17: &str, cat: Category, grade: Grade| -> (CitizenId, CertificateNo) {
        let cid = with_check_char(first17).unwrap_or_else(|| panic!("{first17}"));
        let cert = CertificateNo::compose(&cid, cat, grade);
        (cid, cert)
    };
    let (id1, c1) = mk("33100319800101001", Category::Multiple, Grade::Two);
    let (id2, c2) = mk("33100319910707007", Category::Visual, Grade::One);
    let full = PersonRecord {
        person: Person {
            citizen_id: id1.clone(),
            name: "王一".into(),
            township: code("331003107"),
            village: Some(code("331003107201")),
            hukou_type: Some(HukouType::Agricultural),
            household_id: Some("0012345678901234567".into()),
            household_size: Some(4),
            phone: Some("13812345678".into()),
            guardian_name: None,
            guardian_phone: None,
            died_on: Some(d(2025, 12, 31)),
            moved_out_on: None,
        },
        certificate: Certificate {
            number: c1.clone(),
            category: Category::Multiple,
            grade: Grade::Two,
            components: vec![Category::Physical, Category::Intellectual],
            issued_on: d(2020, 2, 29),
            valid_until: d(2030, 2, 28),
            status: CertificateStatus::Revoked,
            revoked_on: None,
            smart_card: true,
        },
        survey: Survey {
            year: 2025,
            economic_status: Some(EconomicStatus::Dibao),
            income_per_capita_fen: Some(1_234_501),
            living_subsidy_since: Month::new(2021, 1),
            living_subsidy_until: Month::new(2025, 12),
            nursing_subsidy_since: Month::new(2022, 7),
            nursing_subsidy_until: None,
            pension_insurance: Some(Insurance::Resident),
            medical_insurance: Some(Insurance::Employee),
            employment_status: Some(EmploymentStatus::NotEmployed),
            not_employed_reason: Some(NotEmployedReason::Incapable),
            school_stage: Some(SchoolStage::NotInSchool),
            completed_compulsory: Some(true),
            needs_rehab: Some(true),
            received_rehab: Some(false),
            needs_device: Some(false),
            device_fitted: None,
            needs_home_modification: Some(true),
            home_modification_done: Some(true),
            care_need: Some(CareNeed::Day),
            receives_care: Some(true),
            culture_sports: Some(false),
        },
    };
    let mut older = full.clone();
    older.survey = Survey {
        year: 2024,
        income_per_capita_fen: Some(0),
        ..Survey::default()
    };
    let bare = PersonRecord {
        person: Person {
            citizen_id: id2,
            name: "Zhang San".into(),
            township: code("331003001"),
            village: None,
            hukou_type: None,
            household_id: None,
            household_size: None,
            phone: None,
            guardian_name: None,
            guardian_phone: None,
            died_on: None,
            moved_out_on: None,
        },
        certificate: Certificate {
            number: c2,
            category: Category::Visual,
            grade: Grade::One,
            components: vec![],
            issued_on: d(2024, 1, 15),
            valid_until: Certificate::default_valid_until(d(2024, 1, 15)),
            status: CertificateStatus::Valid,
            revoked_on: None,
            smart_card: false,
        },
        survey: Survey {
            year: 2024,
            ..Survey::default()
        },
    };
    vec![
        (full, RecordExtras::default()),
        (older, RecordExtras::default()),
        (
            bare,
            RecordExtras {
                village_name: Some("新村".into()),
                legacy_id: None,
            },
        ),
    ]
}

fn sample_institutions() -> Vec<Institution> {
    vec![
        Institution {
            name: "院桥镇残疾人之家".into(),
            kind: InstitutionKind::HomeOfDisabled,
            township: code("331003107"),
            standardized: true,
            designated: false,
            beds: Some(20),
            stars: Some(4),
            opened_on: d(2019, 5, 1),
            closed_on: None,
            decisions: Vec::new(),
        },
        Institution {
            name: "东城儿童康复中心".into(),
            kind: InstitutionKind::ChildRehab,
            township: code("331003001"),
            standardized: false,
            designated: true,
            beds: None,
            stars: None,
            opened_on: d(2015, 1, 1),
            closed_on: Some(d(2024, 6, 30)),
            decisions: Vec::new(),
        },
    ]
}

fn write_and_read(path: &Path, data: &ExportData) -> ParsedWorkbook {
    write_workbook(path, data).unwrap_or_else(|e| panic!("{}", e.message(Lang::Zh)));
    read_workbook(path, &[], &opts(), &mut no_progress())
        .unwrap_or_else(|e| panic!("{}", e.message(Lang::Zh)))
}

#[test]
fn export_reimports_to_the_same_data_and_is_stable() {
    let dir = tempfile::tempdir().expect("tmp");
    let rows = sample_records();
    let insts = sample_institutions();
    let areas = huangyan();
    let data = ExportData {
        areas: &areas,
        rows: &rows,
        institutions: &insts,
    };
    let first = write_and_read(&dir.path().join("a.xlsx"), &data);
    assert!(first.rejected.is_empty(), "{:#?}", first.rejected);
    assert_eq!(first.areas, areas);
    let back: Vec<(PersonRecord, RecordExtras)> = first
        .persons
        .iter()
        .map(|p| (p.record.clone(), p.extras.clone()))
        .collect();
    assert_eq!(back, rows);
    let back_inst: Vec<Institution> = first
        .institutions
        .iter()
        .map(|i| i.institution.clone())
        .collect();
    assert_eq!(back_inst, insts);
    // Rows are numbered below the title and header rows.
    assert_eq!(first.persons[0].row, 3);
    // Only the unknown village is worth a warning.
    assert_eq!(first.warnings.len(), 1, "{:#?}", first.warnings);

    let data2 = ExportData {
        areas: &first.areas,
        rows: &back,
        institutions: &back_inst,
    };
    let second = write_and_read(&dir.path().join("b.xlsx"), &data2);
    let again: Vec<(PersonRecord, RecordExtras)> = second
        .persons
        .iter()
        .map(|p| (p.record.clone(), p.extras.clone()))
        .collect();
    assert_eq!(again, back);
    assert_eq!(second.areas, first.areas);
    assert_eq!(second.institutions, first.institutions);

    // The export's layout: title row, Chinese headers in spec order, IDs as text.
    let bytes = std::fs::read(dir.path().join("a.xlsx")).expect("read");
    let mut book = crate::grid::Book::open("a.xlsx", &bytes).expect("open");
    assert_eq!(book.sheet_names(), ["人员", "机构", "区划"]);
    let grid = book.grid("人员").expect("grid");
    let rows: Vec<&[Data]> = grid.rows().take(3).collect();
    assert_eq!(rows[0][0], Data::String("持证残疾人花名册".into()));
    let headers: Vec<String> = rows[1].iter().map(crate::cell::display).collect();
    let want: Vec<String> = crate::columns::PERSON_FIELDS
        .iter()
        .map(|f| f.zh.to_string())
        .collect();
    assert_eq!(headers, want);
    assert_eq!(rows[2][1], Data::String(rows_id(&back)));
    assert_eq!(rows[2][crate::columns::p::INCOME], Data::Float(12345.01));
}

fn rows_id(rows: &[(PersonRecord, RecordExtras)]) -> String {
    rows.first()
        .map(|r| r.0.person.citizen_id.as_str().to_string())
        .unwrap_or_default()
}

#[test]
fn reports() {
    let dir = tempfile::tempdir().expect("tmp");
    let issue = Issue {
        sheet: "人员".into(),
        row: 7,
        column: "姓名".into(),
        value: "".into(),
        message: "必填".into(),
    };
    let p = dir.path().join("r.json");
    write_report_json(&p, 3, std::slice::from_ref(&issue), &[]).expect("json");
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&p).expect("read")).expect("parse");
    assert_eq!(
        v,
        serde_json::json!({"imported": 3, "rejected": [{"sheet": "人员", "row": 7, "column": "姓名", "value": "", "message": "必填"}], "warnings": []})
    );
    let p = dir.path().join("r.xlsx");
    write_report_xlsx(
        &p,
        3,
        std::slice::from_ref(&issue),
        std::slice::from_ref(&issue),
    )
    .expect("xlsx");
    let bytes = std::fs::read(&p).expect("read");
    let book = crate::grid::Book::open("r.xlsx", &bytes).expect("open");
    assert_eq!(book.sheet_names().len(), 3);
}

#[test]
fn progress_is_reported() {
    let text = csv_text();
    let mut last = (0, 0);
    let out = read_bytes(
        "a.csv",
        text.as_bytes(),
        &huangyan(),
        &opts(),
        &mut |d, t| last = (d, t),
    )
    .expect("reads");
    assert_eq!(out.rows_seen, 2);
    assert_eq!(last, (2, 2));
}

// ---------------------------------------------------------------- arbitrary cells

fn any_data() -> impl Strategy<Value = Data> {
    let useful = prop::sample::select(vec![
        "",
        " ",
        "　",
        "是",
        "否",
        "2025-03-01",
        "2025/3/1",
        "2025年3月1日",
        "20250301",
        "202503",
        "2025-03",
        "院桥镇",
        "331003107",
        "331003107201",
        "上洋村",
        "肢体",
        "四级",
        "多重",
        "智力、肢体",
        "7",
        "4",
        "11010519491231002X",
        "11010519491231002X44",
        "110105491231002",
        "-1",
        "1e308",
        "NaN",
        "99999999",
        "１２",
        "2025年",
        "0",
        "19491231",
        "21000101",
    ])
    .prop_map(|s| Data::String(s.to_string()));
    prop_oneof![
        3 => useful,
        2 => "\\PC{0,24}".prop_map(Data::String),
        1 => any::<i64>().prop_map(Data::Int),
        1 => any::<f64>().prop_map(Data::Float),
        1 => any::<bool>().prop_map(Data::Bool),
        1 => (any::<f64>(), any::<bool>(), any::<bool>()).prop_map(|(v, dur, is1904)| {
            let t = if dur { calamine::ExcelDateTimeType::TimeDelta } else { calamine::ExcelDateTimeType::DateTime };
            Data::DateTime(calamine::ExcelDateTime::new(v, t, is1904))
        }),
        1 => "\\PC{0,12}".prop_map(Data::DateTimeIso),
        1 => Just(Data::Error(calamine::CellErrorType::NA)),
        2 => Just(Data::Empty),
    ]
}

fn full_header(n: usize) -> crate::columns::Header {
    crate::columns::Header {
        row_index: 0,
        excel_row: 1,
        cols: (0..n).map(Some).collect(),
        titles: crate::columns::PERSON_FIELDS
            .iter()
            .map(|f| f.zh.to_string())
            .collect(),
        unknown: vec![],
        repeated: vec![],
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn row_parser_never_panics(row in prop::collection::vec(any_data(), 0..45), lang in prop::bool::ANY) {
        let header = full_header(crate::columns::PERSON_FIELDS.len());
        let areas = crate::areas::AreaIndex::new(&huangyan(), &[], today());
        let ctx = crate::cell::Ctx { lang: if lang { Lang::En } else { Lang::Zh }, today: today() };
        let parser = crate::persons::PersonParser {
            layout: crate::rows::Layout { sheet: "人员", header: &header, start_col: 0, ctx },
            areas: &areas,
            survey_year: None,
            formulas: &std::collections::HashMap::new(),
        };
        match parser.parse_row(&row, 2) {
            Ok(good) => prop_assert!(good.record.survey.year >= 1949),
            Err(issues) => prop_assert!(!issues.is_empty() || row.iter().all(crate::cell::is_blank)),
        }
        let _ = crate::sheets::area_row(&parser.layout, &row, 2);
        let _ = crate::sheets::institution_row(&parser.layout, &areas, &row, 2);
    }

    #[test]
    fn any_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300), ext in prop::sample::select(vec!["x.csv", "x.xlsx", "x.xls", "x", "x.ods"])) {
        let _ = read(ext, &bytes, &[], &opts());
    }

    #[test]
    fn any_csv_text_never_panics(text in "(\\PC{0,10}[,\\n]){0,40}") {
        let header = "姓名,公民身份号码,残疾人证号,残疾类别,残疾等级,发证日期,乡镇街道,村社区,家庭人口数,调查年度\n";
        let _ = read("x.csv", format!("{header}{text}").as_bytes(), &huangyan(), &opts());
    }
}

/// A million rows: run with `cargo test --release -p zhucan-workbook -- --ignored million`.
#[test]
#[ignore]
fn million_rows_round_trip() {
    let dir = tempfile::tempdir().expect("tmp");
    let base = sample_records();
    let n = 1_000_000;
    let mut rows = Vec::with_capacity(n);
    for k in 0..n {
        let mut r = base[k % 2 * 2].clone();
        let first17 = format!(
            "331003{}{:03}",
            19_500_101 + (k / 1000 % 28) as u32,
            k % 1000
        );
        let cid = with_check_char(&first17).expect("id");
        r.0.certificate.number =
            CertificateNo::compose(&cid, r.0.certificate.category, r.0.certificate.grade);
        r.0.person.citizen_id = cid;
        r.0.survey.year = 1990 + (k / 28_000) as i32;
        rows.push(r);
    }
    let areas = huangyan();
    let path = dir.path().join("big.xlsx");
    let t = std::time::Instant::now();
    write_workbook(
        &path,
        &ExportData {
            areas: &areas,
            rows: &rows,
            institutions: &[],
        },
    )
    .expect("write");
    eprintln!("export: {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let mut calls = 0;
    let out = read_workbook(&path, &[], &opts(), &mut |_, _| calls += 1).expect("read");
    eprintln!(
        "import: {:?}, {} persons, {} rejected, {} progress calls",
        t.elapsed(),
        out.persons.len(),
        out.rejected.len(),
        calls
    );
    assert_eq!(out.persons.len() + out.rejected.len(), n);
}

// ---------------------------------------------------------------- duplicates, formulas, controls

const CSV_HEAD: &str =
    "姓名,公民身份号码,残疾人证号,残疾类别,残疾等级,发证日期,乡镇街道,联系电话,调查年度\n";

fn csv_row(name: &str, cid: &str, phone: &str, year: &str) -> String {
    format!("{name},{cid},{cid}44,肢体,四级,2020-01-01,院桥镇,{phone},{year}\n")
}

#[test]
fn conflicting_duplicates_are_refused_naming_both_rows_and_the_columns() {
    let a = id("33100319800101001");
    let b = id("33100319810202002");
    let c = id("33100319820303003");
    let text = format!(
        "{CSV_HEAD}{}{}{}{}{}{}",
        csv_row("王一", &a, "13800000001", "2025"), // row 2
        csv_row("王二", &a, "13800000002", "2025"), // row 3: other name and phone
        csv_row("李二", &b, "13800000003", "2025"), // row 4
        csv_row("李二", &b, "13800000003", "2025"), // row 5: identical to row 4
        csv_row("王一", &a, "13800000001", "2025"), // row 6: identical to row 2, refused too
        csv_row("张三", &c, "13800000004", "2024"), // row 7: another year is no conflict
    ) + &csv_row("张三丰", &c, "13800000004", "2025"); // row 8
    for lang in [Lang::Zh, Lang::En] {
        let o = ImportOptions { lang, ..opts() };
        let out = read("dup.csv", text.as_bytes(), &huangyan(), &o).expect("read");
        let rows: Vec<u32> = out.persons.iter().map(|p| p.row).collect();
        assert_eq!(rows, [4, 7, 8], "{:#?}", out.rejected);
        let r2 = find(&out.rejected, 2);
        let r3 = find(&out.rejected, 3);
        let cols = |v: &[&Issue]| v.iter().map(|i| i.column.clone()).collect::<Vec<_>>();
        assert_eq!(cols(&r2), ["姓名", "联系电话"], "{r2:#?}");
        assert_eq!(cols(&r3), ["姓名", "联系电话"], "{r3:#?}");
        assert_eq!(r3[0].value, "王二");
        assert_eq!(r2[0].value, "王一");
        match lang {
            Lang::Zh => {
                assert!(r3[0].message.contains("第 2 行"), "{}", r3[0].message);
                assert!(r3[0].message.contains("王一") && r3[0].message.contains("王二"));
                assert!(r2[0].message.contains("第 3 行"), "{}", r2[0].message);
                assert!(r2[0].message.contains("两行均未导入"));
            }
            Lang::En => {
                assert!(r3[0].message.contains("row 2"), "{}", r3[0].message);
                assert!(r2[0].message.contains("neither row is imported"));
            }
        }
        assert!(!find(&out.rejected, 6).is_empty(), "{:#?}", out.rejected);
        assert_eq!(find(&out.warnings, 5).len(), 1, "{:#?}", out.warnings);
        assert!(find(&out.rejected, 5).is_empty());
    }
}

fn formula_roster() -> Vec<u8> {
    let a = id("33100319800101001");
    let b = id("33100319810202002");
    let c = id("33100319820303003");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let _ = ws.set_name("人员");
    let heads = [
        "姓名",
        "公民身份号码",
        "残疾人证号",
        "残疾类别",
        "残疾等级",
        "发证日期",
        "乡镇街道",
        "联系电话",
        "家庭人口数",
    ];
    for (i, h) in heads.iter().enumerate() {
        let _ = ws.write_string(0, i as u16, *h);
    }
    for (r, cid) in [(1u32, &a), (2, &b), (3, &c)] {
        let _ = ws.write_string(r, 1, cid.as_str());
        let _ = ws.write_string(r, 2, format!("{cid}44"));
        let _ = ws.write_string(r, 3, "肢体");
        let _ = ws.write_string(r, 4, "四级");
        let _ = ws.write_string(r, 5, "2020-01-01");
        let _ = ws.write_string(r, 6, "院桥镇");
    }
    // Row 2: the name is a formula (DDE), cached as text.
    let _ = ws.write_formula(
        1,
        0,
        rust_xlsxwriter::Formula::new("=cmd|' /C calc'!A0").set_result("王一"),
    );
    let _ = ws.write_string(1, 7, "13800000001");
    // Row 3: the phone is a formula; the household size may be one (not an identity column).
    let _ = ws.write_string(2, 0, "李二");
    let _ = ws.write_formula(2, 7, rust_xlsxwriter::Formula::new("=1+1").set_result("2"));
    let _ = ws.write_formula(2, 8, rust_xlsxwriter::Formula::new("=1+2").set_result("3"));
    // Row 4: a text that starts with "=" in the phone column.
    let _ = ws.write_string(3, 0, "张三");
    let _ = ws.write_string(3, 7, "=1+1");
    wb.save_to_buffer().unwrap_or_default()
}

#[test]
fn formula_cells_are_refused_in_identity_and_contact_columns() {
    let out = read("f.xlsx", &formula_roster(), &huangyan(), &opts()).expect("read");
    assert!(out.persons.is_empty(), "{:#?}", out.persons);
    let r2 = find(&out.rejected, 2);
    assert_eq!(r2.len(), 1, "{r2:#?}");
    assert_eq!(r2[0].column, "姓名");
    assert!(
        r2[0].message.contains("A2") && r2[0].message.contains("公式"),
        "{}",
        r2[0].message
    );
    assert!(r2[0].message.contains("cmd|"), "{}", r2[0].message);
    let r3 = find(&out.rejected, 3);
    assert_eq!(r3.len(), 1, "{r3:#?}");
    assert_eq!(r3[0].column, "联系电话");
    assert!(r3[0].message.contains("H3"), "{}", r3[0].message);
    let r4 = find(&out.rejected, 4);
    assert_eq!(r4.len(), 1, "{r4:#?}");
    assert_eq!(r4[0].column, "联系电话");
    assert_eq!(r4[0].value, "=1+1");
    let en = read(
        "f.xlsx",
        &formula_roster(),
        &huangyan(),
        &ImportOptions {
            lang: Lang::En,
            ..opts()
        },
    )
    .expect("read");
    assert!(find(&en.rejected, 2)[0].message.contains("formula"));

    // CSV: a value starting with "=" in the name, ID or phone columns is formula-like; the
    // `="…"` form around an ID is a constant and passes.
    let a = id("33100319800101001");
    let b = id("33100319810202002");
    let quoted = format!("李二,\"=\"\"{b}\"\"\",{b}44,肢体,四级,2020-01-01,院桥镇,=1+1,2025\n");
    let text = format!(
        "{CSV_HEAD}{}{quoted}",
        csv_row("=HYPERLINK(\"http://x\")", &a, "13800000001", "2025"),
    );
    let out = read("f.csv", text.as_bytes(), &huangyan(), &opts()).expect("read");
    assert!(out.persons.is_empty());
    let cols: Vec<(u32, String)> = out
        .rejected
        .iter()
        .map(|i| (i.row, i.column.clone()))
        .collect();
    assert!(cols.contains(&(2, "姓名".into())), "{:#?}", out.rejected);
    assert!(
        cols.contains(&(3, "联系电话".into())),
        "{:#?}",
        out.rejected
    );
    assert!(
        !cols.contains(&(3, "公民身份号码".into())),
        "{:#?}",
        out.rejected
    );
}

#[test]
fn control_characters_are_refused_by_cell() {
    let a = id("33100319800101001");
    let b = id("33100319810202002");
    // CSV: a NUL in a phone, an escape in a name; the file is still read.
    let text = format!(
        "{CSV_HEAD}{}{}",
        csv_row("王一", &a, "138\u{0}0000001", "2025"),
        csv_row("李\u{1b}二", &b, "13800000002", "2025"),
    );
    let out = read("c.csv", text.as_bytes(), &huangyan(), &opts()).expect("read");
    assert!(out.persons.is_empty());
    let r2 = find(&out.rejected, 2);
    assert_eq!(r2.len(), 1, "{r2:#?}");
    assert_eq!(r2[0].column, "联系电话");
    assert!(
        r2[0].message.contains("H2") && r2[0].message.contains("U+0000"),
        "{}",
        r2[0].message
    );
    assert_eq!(r2[0].value, "138U+00000000001");
    let r3 = find(&out.rejected, 3);
    assert!(
        r3.iter()
            .any(|i| i.column == "姓名" && i.message.contains("U+001B")),
        "{r3:#?}"
    );

    // xlsx: the writer stores a control character as `_x0001_`; it reads back and is refused.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let _ = ws.set_name("人员");
    for (r, line) in text.lines().enumerate() {
        for (c, v) in line.split(',').enumerate() {
            let v = v.replace('\u{0}', "\u{1}");
            let _ = ws.write_string(r as u32, c as u16, v);
        }
    }
    let bytes = wb.save_to_buffer().unwrap_or_default();
    let out = read("c.xlsx", &bytes, &huangyan(), &opts()).expect("read");
    assert!(out.persons.is_empty());
    let r2 = find(&out.rejected, 2);
    assert_eq!(r2.len(), 1, "{r2:#?}");
    assert!(r2[0].message.contains("U+0001"), "{}", r2[0].message);
}

/// `bytes` (an xlsx) with `from` replaced by `to` in its shared strings.
fn patch_shared_strings(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).expect("entry");
        let name = f.name().expect("name").into_owned();
        let mut data = Vec::new();
        f.read_to_end(&mut data).expect("read");
        if name == "xl/sharedStrings.xml" {
            let s = String::from_utf8(data).expect("utf-8");
            assert!(s.contains(from), "{s}");
            data = s.replace(from, to).into_bytes();
        }
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("start");
        w.write_all(&data).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

#[test]
fn a_nul_reference_in_the_shared_strings_is_refused_by_cell() {
    let a = id("33100319800101001");
    let b = id("33100319810202002");
    let text = format!(
        "{CSV_HEAD}{}{}",
        csv_row("王一", &a, "138XNULX0000001", "2025"),
        csv_row("李二", &b, "13800000002", "2025"),
    );
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let _ = ws.set_name("人员");
    for (r, line) in text.lines().enumerate() {
        for (c, v) in line.split(',').enumerate() {
            let _ = ws.write_string(r as u32, c as u16, v);
        }
    }
    let bytes = wb.save_to_buffer().unwrap_or_default();
    let bytes = patch_shared_strings(&bytes, "XNULX", "&#0;");
    // What the XML reader alone makes of it: the whole workbook refused, nothing named.
    assert!(
        calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(std::io::Cursor::new(
            bytes.as_slice()
        ))
        .is_err()
    );
    let out = read("n.xlsx", &bytes, &huangyan(), &opts())
        .unwrap_or_else(|e| panic!("{}", e.message(Lang::Zh)));
    let rows: Vec<u32> = out.persons.iter().map(|p| p.row).collect();
    assert_eq!(rows, [3]);
    let r2 = find(&out.rejected, 2);
    assert_eq!(r2.len(), 1, "{r2:#?}");
    assert_eq!(r2[0].column, "联系电话");
    assert!(r2[0].message.contains("U+0000"), "{}", r2[0].message);
}

#[test]
fn exports_escape_text_cells_that_spreadsheets_would_run() {
    let mut rows = sample_records();
    if let Some(r) = rows.first_mut() {
        r.0.person.phone = Some("+8613812345678".into());
        r.0.person.household_id = Some("-12".into());
        r.0.person.name = "@王一".into();
    }
    let bytes = write_workbook_bytes(&ExportData {
        areas: &[],
        rows: &rows,
        institutions: &[],
    })
    .expect("write");
    let mut book = crate::grid::Book::open("a.xlsx", &bytes).expect("open");
    let grid = book.grid("人员").expect("grid");
    for row in grid.rows() {
        for d in row {
            if let Data::String(s) = d {
                assert!(!s.starts_with(['=', '+', '-', '@']), "{s:?}");
            }
        }
    }
    let row3: Vec<&[Data]> = grid.rows().skip(2).take(1).collect();
    assert_eq!(
        row3[0][crate::columns::p::PHONE],
        Data::String("'+8613812345678".into())
    );
    // The escape reads back off: the export still re-imports to the same data.
    let back = read("a.xlsx", &bytes, &huangyan(), &opts()).expect("read");
    let p0 = back.persons.first().expect("row");
    assert_eq!(p0.record.person.phone.as_deref(), Some("+8613812345678"));
    assert_eq!(p0.record.person.household_id.as_deref(), Some("-12"));
    assert_eq!(p0.record.person.name, "@王一");

    // The report repeats the file's values: escaped too.
    let issue = Issue {
        sheet: "人员".into(),
        row: 2,
        column: "姓名".into(),
        value: "=cmd|' /C calc'!A0".into(),
        message: "-".into(),
    };
    let bytes = report_xlsx_bytes(0, &[issue], &[]).expect("report");
    let mut book = crate::grid::Book::open("r.xlsx", &bytes).expect("open");
    for name in book.sheet_names().to_vec() {
        let grid = book.grid(&name).expect("grid");
        for row in grid.rows() {
            for d in row {
                if let Data::String(s) = d {
                    assert!(!s.starts_with(['=', '+', '-', '@']), "{s:?}");
                }
            }
        }
    }
}
