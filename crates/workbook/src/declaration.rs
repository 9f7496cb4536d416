//! The employers' quota declaration workbook (按比例就业年审申报表, `contract.md`, "Employment
//! quota review"): sheet `单位` (one row an employer) and sheet `残疾职工` (one row a disabled
//! employee of an employer). Sheets are found by name, else by their headers; headers are
//! matched by Chinese name or English key, as everywhere. Every bad cell is reported with its
//! row and column; the caller takes the file whole or not at all.

use std::collections::HashMap;

use calamine::Data;
use zhucan_domain::Localized;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::uscc::Uscc;

use crate::cell::{self, Bad, Ctx};
use crate::columns::{FieldDef, HeaderMatcher, fa, find_header};
use crate::grid::Book;
use crate::ledger::{name, short_text};
use crate::rows::{Layout, RowCheck};
use crate::{FileError, ImportOptions, Issue, Loaded, Progress, column_warnings, data_rows};

/// One employer's row of `单位`.
#[derive(Debug, Clone, PartialEq)]
pub struct DeclaredEmployer {
    pub row: u32,
    pub uscc: Uscc,
    pub name: String,
    /// The township as written (a name or a code).
    pub township: String,
    /// The average staff of the year, in millionths of a person (it may have decimals).
    pub avg_staff_micro: i64,
    /// The average annual wage, in fen.
    pub avg_wage_fen: i64,
}

/// One disabled employee's row of `残疾职工`.
#[derive(Debug, Clone, PartialEq)]
pub struct DeclaredEmployee {
    pub row: u32,
    pub uscc: Uscc,
    pub citizen_id: CitizenId,
    pub name: Option<String>,
    pub contract_months: i64,
    pub monthly_wage_fen: i64,
    pub insured: bool,
}

/// Everything read from a declaration workbook.
#[derive(Debug, Clone, Default)]
pub struct Declaration {
    pub employer_sheet: String,
    pub employee_sheet: String,
    pub employers: Vec<DeclaredEmployer>,
    /// In file order; a second row of the same person at the same employer is left out (a
    /// warning).
    pub employees: Vec<DeclaredEmployee>,
    /// One issue per bad cell: any makes the file unusable.
    pub rejected: Vec<Issue>,
    pub warnings: Vec<Issue>,
}

const USCC: FieldDef = fa(
    "统一社会信用代码",
    "uscc",
    true,
    &[
        "信用代码",
        "单位统一社会信用代码",
        "用人单位统一社会信用代码",
    ],
);

const EMPLOYER_FIELDS: [FieldDef; 5] = [
    USCC,
    fa("单位名称", "name", true, &["用人单位名称", "单位"]),
    fa(
        "乡镇街道",
        "township",
        false,
        &["乡镇(街道)", "乡镇（街道）", "所在乡镇"],
    ),
    fa(
        "在职职工平均人数",
        "avg_staff",
        true,
        &["在职职工人数", "职工平均人数", "上年在职职工平均人数"],
    ),
    fa(
        "职工年平均工资",
        "avg_wage_yuan",
        true,
        &["职工年平均工资(元)", "职工年平均工资（元）", "年平均工资"],
    ),
];

const EMPLOYEE_FIELDS: [FieldDef; 6] = [
    USCC,
    fa(
        "公民身份号码",
        "citizen_id",
        true,
        &["身份证号", "身份证号码", "证件号码", "公民身份证号码"],
    ),
    fa("姓名", "name", false, &[]),
    fa(
        "劳动合同期限(月)",
        "contract_months",
        true,
        &[
            "劳动合同期限（月）",
            "合同期限(月)",
            "合同期限（月）",
            "劳动合同期限",
        ],
    ),
    fa(
        "月工资",
        "monthly_wage_yuan",
        true,
        &["月工资(元)", "月工资（元）", "月平均工资"],
    ),
    fa(
        "缴纳社会保险",
        "insured",
        true,
        &["是否缴纳社会保险", "社会保险", "参加社会保险"],
    ),
];

/// Reads a declaration workbook (`.xlsx`, `.xls`, `.ods`).
pub fn read_declaration(
    name_for_extension: &str,
    bytes: &[u8],
    opts: &ImportOptions,
) -> Result<Declaration, FileError> {
    read_book(Book::open(name_for_extension, bytes)?, opts)
}

/// The sheet names and column keys of a declaration entered line by line (a page's form):
/// `单位` with [`EMPLOYER_KEYS`], `残疾职工` with [`EMPLOYEE_KEYS`].
pub const EMPLOYER_KEYS: [&str; 5] = [
    EMPLOYER_FIELDS[0].key,
    EMPLOYER_FIELDS[1].key,
    EMPLOYER_FIELDS[2].key,
    EMPLOYER_FIELDS[3].key,
    EMPLOYER_FIELDS[4].key,
];
pub const EMPLOYEE_KEYS: [&str; 6] = [
    EMPLOYEE_FIELDS[0].key,
    EMPLOYEE_FIELDS[1].key,
    EMPLOYEE_FIELDS[2].key,
    EMPLOYEE_FIELDS[3].key,
    EMPLOYEE_FIELDS[4].key,
    EMPLOYEE_FIELDS[5].key,
];

/// Reads a declaration entered line by line: each line's cell texts in the order of
/// [`EMPLOYER_KEYS`] / [`EMPLOYEE_KEYS`]. The lines are checked exactly as a workbook's rows
/// (a problem names the column key and the line's row: the header is row 1, the first line
/// row 2).
pub fn read_declaration_lines(
    employers: &[Vec<String>],
    employees: &[Vec<String>],
    opts: &ImportOptions,
) -> Result<Declaration, FileError> {
    let sheet = |keys: &[&str], lines: &[Vec<String>]| -> Vec<Vec<Data>> {
        std::iter::once(
            keys.iter()
                .map(|k| Data::String((*k).to_string()))
                .collect(),
        )
        .chain(lines.iter().map(|l| {
            l.iter()
                .map(|v| {
                    if v.trim().is_empty() {
                        Data::Empty
                    } else {
                        Data::String(v.clone())
                    }
                })
                .collect()
        }))
        .collect()
    };
    let book = Book::of_rows(vec![
        ("单位".to_string(), sheet(&EMPLOYER_KEYS, employers)),
        ("残疾职工".to_string(), sheet(&EMPLOYEE_KEYS, employees)),
    ]);
    read_book(book, opts)
}

fn read_book(mut book: Book<'_>, opts: &ImportOptions) -> Result<Declaration, FileError> {
    let names = book.sheet_names().to_vec();
    let employers = HeaderMatcher::new(&EMPLOYER_FIELDS);
    let employees = HeaderMatcher::new(&EMPLOYEE_FIELDS);
    let named = |wanted: &[&str]| {
        names
            .iter()
            .find(|n| wanted.iter().any(|w| cell::trim(n).eq_ignore_ascii_case(w)))
            .cloned()
    };
    let mut find = |wanted: &[&str], m: &HeaderMatcher| -> Result<Loaded, FileError> {
        let order: Vec<String> = named(wanted)
            .into_iter()
            .chain(names.iter().cloned())
            .collect();
        let mut partial = None;
        for n in order {
            let grid = book.grid(&n)?;
            if let Some(header) = find_header(&grid, m) {
                let missing = header.missing_required(m.fields());
                if missing.is_empty() {
                    return Ok(Loaded {
                        name: n,
                        grid,
                        header,
                    });
                }
                partial.get_or_insert((n, missing));
            }
        }
        Err(match partial {
            Some((sheet, columns)) => FileError::MissingColumns { sheet, columns },
            None => FileError::NoHeaderRow {
                sheet: wanted.first().copied().unwrap_or_default().to_string(),
            },
        })
    };
    let er = find(&["单位", "employers"], &employers)?;
    let ee = find(&["残疾职工", "employees"], &employees)?;
    let ctx = Ctx {
        lang: opts.lang,
        today: opts.today,
    };
    let mut out = Declaration {
        employer_sheet: er.name.clone(),
        employee_sheet: ee.name.clone(),
        ..Declaration::default()
    };
    column_warnings(&er, opts.lang, &mut out.warnings);
    column_warnings(&ee, opts.lang, &mut out.warnings);

    let mut noop = |_: usize, _: usize| {};
    let layout = Layout {
        sheet: &er.name,
        header: &er.header,
        start_col: er.grid.start_col(),
        ctx,
    };
    let mut prog = Progress {
        done: 0,
        total: er.data_rows(),
        f: &mut noop,
    };
    // The first row of each code.
    let mut seen: HashMap<Uscc, u32> = HashMap::new();
    data_rows(&er, &mut prog, |excel_row, row| {
        let mut rc = RowCheck::new(&layout, row, excel_row);
        rc.reject_control_chars();
        let uscc = rc.req(0, uscc);
        let name = rc.req(1, short_text);
        let township = rc.opt(2, short_text).unwrap_or_default();
        let staff = rc.req(3, staff);
        let wage = rc.req(4, wage);
        if let Some(u) = &uscc
            && let Some(first) = seen.get(u).copied()
        {
            let m = match ctx.lang {
                zhucan_domain::Lang::Zh => format!("统一社会信用代码重复：第 {first} 行已申报"),
                zhucan_domain::Lang::En => {
                    format!("the same unified social credit code is declared in row {first}")
                }
            };
            rc.reject(0, m);
        } else if let Some(u) = &uscc {
            seen.insert(u.clone(), excel_row);
        }
        out.warnings.append(&mut rc.warnings);
        match (uscc, name, staff, wage) {
            (Some(uscc), Some(name), Some(avg_staff_micro), Some(avg_wage_fen))
                if rc.issues.is_empty() =>
            {
                out.employers.push(DeclaredEmployer {
                    row: excel_row,
                    uscc,
                    name,
                    township,
                    avg_staff_micro,
                    avg_wage_fen,
                });
            }
            _ => out.rejected.append(&mut rc.issues),
        }
    });

    let layout = Layout {
        sheet: &ee.name,
        header: &ee.header,
        start_col: ee.grid.start_col(),
        ctx,
    };
    let mut prog = Progress {
        done: 0,
        total: ee.data_rows(),
        f: &mut noop,
    };
    // Every code of `单位`, its row rejected or not (its employees are not "undeclared").
    let declared = seen;
    let mut listed: HashMap<(Uscc, CitizenId), u32> = HashMap::new();
    data_rows(&ee, &mut prog, |excel_row, row| {
        let mut rc = RowCheck::new(&layout, row, excel_row);
        rc.reject_control_chars();
        let uscc = rc.req(0, uscc);
        let id = rc.req(1, citizen);
        let name = rc.opt(2, name);
        let months = rc.req(3, |d, c| cell::int(d, 0, 1200, c));
        let monthly = rc.req(4, cell::yuan_to_fen);
        let insured = rc.req(5, cell::yes_no);
        if let Some(u) = &uscc
            && !declared.contains_key(u)
        {
            let m = match ctx.lang {
                zhucan_domain::Lang::Zh => format!("“{u}”不在“{}”表中：请先申报该单位", er.name),
                zhucan_domain::Lang::En => {
                    format!("“{u}” is not an employer of the sheet “{}”", er.name)
                }
            };
            rc.reject(0, m);
        }
        out.warnings.append(&mut rc.warnings);
        match (uscc, id, months, monthly, insured) {
            (
                Some(uscc),
                Some(citizen_id),
                Some(contract_months),
                Some(monthly_wage_fen),
                Some(insured),
            ) if rc.issues.is_empty() => {
                let key = (uscc.clone(), citizen_id.clone());
                if let Some(first) = listed.get(&key) {
                    let m = match ctx.lang {
                        zhucan_domain::Lang::Zh => {
                            format!("同一单位重复列出同一职工（第 {first} 行已列出）：本行不计")
                        }
                        zhucan_domain::Lang::En => format!(
                            "the same employee of the same employer is listed in row {first}: this row is left out"
                        ),
                    };
                    rc.warn(1, m);
                    out.warnings.append(&mut rc.warnings);
                    return;
                }
                listed.insert(key, excel_row);
                out.employees.push(DeclaredEmployee {
                    row: excel_row,
                    uscc,
                    citizen_id,
                    name,
                    contract_months,
                    monthly_wage_fen,
                    insured,
                });
            }
            _ => out.rejected.append(&mut rc.issues),
        }
    });
    Ok(out)
}

fn uscc(d: &Data, c: &Ctx) -> Result<Uscc, Bad> {
    Uscc::parse(&cell::ident(d, c)?).map_err(|e| e.message(c.lang))
}

fn citizen(d: &Data, c: &Ctx) -> Result<CitizenId, Bad> {
    let s = cell::ident(d, c)?;
    CitizenId::parse_on(&s, c.today)
        .map(|p| p.id)
        .map_err(|e| e.message(c.lang))
}

/// The average staff: a number above 0 (up to ten million), to the millionth.
fn staff(d: &Data, c: &Ctx) -> Result<i64, Bad> {
    let bad = || {
        c.pick(
            "在职职工平均人数应为大于 0 的数（可有小数）",
            "the average staff must be a number above 0 (decimals allowed)",
        )
    };
    let micro = match d {
        Data::Int(i) => i.checked_mul(1_000_000),
        Data::Float(f) if f.is_finite() && f.abs() < 1e8 => Some((f * 1e6).round() as i64),
        Data::String(s) => {
            let t = cell::norm(s);
            zhucan_domain::ratio::scaled(t.trim().trim_end_matches('人'), 6)
        }
        _ => None,
    }
    .ok_or_else(bad)?;
    if micro <= 0 || micro > 10_000_000 * 1_000_000 {
        return Err(bad());
    }
    Ok(micro)
}

/// The average annual wage: an amount of yuan above 0.
fn wage(d: &Data, c: &Ctx) -> Result<i64, Bad> {
    let fen = cell::yuan_to_fen(d, c)?;
    if fen == 0 {
        return Err(c.pick(
            "职工年平均工资应大于 0（元/年）",
            "the average annual wage must be above 0 (yuan a year)",
        ));
    }
    Ok(fen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> ImportOptions {
        ImportOptions {
            survey_year: None,
            today: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).expect("date"),
            lang: zhucan_domain::Lang::Zh,
        }
    }

    fn line(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_string()).collect()
    }

    #[test]
    fn lines_are_read_like_rows_of_a_file() {
        let u = Uscc::with_check("91331003000000001").expect("uscc");
        let id = zhucan_domain::ids::with_check_char("33100319800101123").expect("id");
        let d = read_declaration_lines(
            &[line(&[u.as_str(), "黄岩某厂", "", "40.5", "72000"])],
            &[line(&[u.as_str(), id.as_str(), "", "12", "3000", "是"])],
            &opts(),
        )
        .expect("read");
        assert!(d.rejected.is_empty(), "{:?}", d.rejected);
        assert_eq!(d.employers.len(), 1);
        assert_eq!(d.employers[0].avg_staff_micro, 40_500_000);
        assert_eq!(d.employers[0].avg_wage_fen, 7_200_000);
        assert_eq!(d.employees.len(), 1);
        assert_eq!(d.employees[0].row, 2);
        assert_eq!(d.employees[0].monthly_wage_fen, 300_000);
        assert!(d.employees[0].insured);
    }

    #[test]
    fn a_bad_line_names_its_column_key_and_row() {
        let u = Uscc::with_check("91331003000000001").expect("uscc");
        let d = read_declaration_lines(
            &[line(&[u.as_str(), "黄岩某厂", "", "0", "72000"])],
            &[
                line(&["", "", "", "", "", ""]),
                line(&[u.as_str(), "331003198001011230", "", "12", "3000", "是"]),
            ],
            &opts(),
        )
        .expect("read");
        let at = |sheet: &str| {
            d.rejected
                .iter()
                .filter(|i| i.sheet == sheet)
                .map(|i| (i.row, i.column.clone()))
                .collect::<Vec<_>>()
        };
        assert!(
            at("单位").contains(&(2, "avg_staff".to_string())),
            "{:?}",
            d.rejected
        );
        // A blank line is skipped but keeps its row number, so a problem finds its line.
        assert_eq!(
            at("残疾职工"),
            vec![(3, "citizen_id".to_string())],
            "{:?}",
            d.rejected
        );
    }

    proptest::proptest! {
        /// Whatever a form posts, the lines are read without panic or file error: each
        /// problem names a column key of its sheet and a row among the lines sent, and
        /// nothing with a problem is taken.
        #[test]
        fn any_lines_are_read_and_every_problem_is_placed(
            employer in proptest::collection::vec(".{0,20}", 5),
            employees in proptest::collection::vec(proptest::collection::vec(".{0,20}", 6), 0..6),
        ) {
            let d = read_declaration_lines(&[employer], &employees, &opts())
                .expect("lines always have their headers");
            for i in &d.rejected {
                let (keys, lines): (&[&str], usize) = if i.sheet == "单位" {
                    (&EMPLOYER_KEYS, 1)
                } else {
                    (&EMPLOYEE_KEYS, employees.len())
                };
                proptest::prop_assert!(keys.contains(&i.column.as_str()), "{i:?}");
                proptest::prop_assert!(i.row >= 2 && (i.row as usize) < lines + 2, "{i:?}");
            }
            proptest::prop_assert!(d.employers.len() <= 1);
            for e in &d.employees {
                proptest::prop_assert!(
                    !d.rejected.iter().any(|i| i.sheet != "单位" && i.row == e.row),
                    "a line with a problem was taken: {e:?}"
                );
            }
        }
    }
}
