//! The registry workbook (花名册): reading the canonical `.xlsx`/`.csv` roster described in
//! `import-format.md` into typed records with a report of every bad cell, and writing it back.
//!
//! Reading never panics and never trusts the layout: the header row is searched for below title
//! rows, headers are matched by Chinese name or English key in any order, and every cell type
//! Excel can store (text, numbers, date serials, booleans, error values) is read or reported.

// The crate's messages in Chinese and English (`messages/*.ftl`): `t`, `tf`, `MESSAGES`.
zhucan_domain::catalogue!();

mod areas;
mod cell;
mod columns;
pub mod declaration;
mod error;
mod export;
mod grid;
pub mod ledger;
mod persons;
mod repair;
mod report;
mod rows;
mod sheets;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;
use zhucan_domain::Lang;
use zhucan_domain::area::Area;
use zhucan_domain::institution::Institution;
use zhucan_domain::person::{PersonRecord, RecordExtras};

pub use error::{ExportError, FileError, MissingColumn};
pub use export::{ExportData, write_workbook, write_workbook_bytes};
pub use report::{report_json, report_xlsx_bytes, write_report_json, write_report_xlsx};

use crate::areas::AreaIndex;
use crate::cell::Ctx;
use crate::columns::{
    AREA_FIELDS, Header, HeaderMatcher, INSTITUTION_FIELDS, PERSON_FIELDS, find_header, p,
};
use crate::grid::{Book, Grid};
use crate::persons::PersonParser;
use crate::rows::{Layout, is_header_repeat, is_note_row};

/// How to judge an import.
#[derive(Debug, Clone, Copy)]
pub struct ImportOptions {
    /// The survey year of rows without 调查年度 (`--survey-year`); else the year of 发证日期.
    pub survey_year: Option<i32>,
    /// The date against which "in the future" is judged.
    pub today: NaiveDate,
    /// The language of the messages.
    pub lang: Lang,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            survey_year: None,
            today: chrono::Local::now().date_naive(),
            lang: Lang::Zh,
        }
    }
}

/// One problem of one cell (or of a row, reported on its key column).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Issue {
    /// The sheet name as in the file.
    pub sheet: String,
    /// The row number as Excel shows it (1-based, counting title rows).
    pub row: u32,
    /// The column header as written in the file.
    pub column: String,
    /// The cell as text, as the clerk sees it.
    pub value: String,
    /// Why, in the requested language.
    pub message: String,
}

/// A persons row that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedPerson {
    pub row: u32,
    pub record: PersonRecord,
    pub extras: RecordExtras,
}

/// An institutions row that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedInstitution {
    pub row: u32,
    pub institution: Institution,
}

/// Everything read from one file.
#[derive(Debug, Clone, Default)]
pub struct ParsedWorkbook {
    /// Valid rows of the 区划 sheet.
    pub areas: Vec<Area>,
    pub persons: Vec<ParsedPerson>,
    pub institutions: Vec<ParsedInstitution>,
    /// One issue per bad cell; a row with any is not imported.
    pub rejected: Vec<Issue>,
    /// Notes on imported rows (and on the file: unknown columns, ignored sheets).
    pub warnings: Vec<Issue>,
    /// Data rows seen in all sheets (blank, note and repeated-header rows not counted).
    pub rows_seen: usize,
    /// The names of the persons and institutions sheets as in the file (for issues about
    /// their rows found after reading).
    pub persons_sheet: String,
    pub institutions_sheet: String,
}

/// The persons rows seen: (citizen ID, survey year) → (Excel row, index in the parsed
/// persons, its cells, whether a differing duplicate refused it).
type SeenPersons<'g> = HashMap<([u8; 18], i32), (u32, usize, &'g [calamine::Data], bool)>;

/// How often the progress callback is called.
const PROGRESS_EVERY: usize = 10_000;

/// Reads a workbook (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`) or a `.csv` file.
///
/// `known_areas` is the area dictionary (the file's 区划 sheet adds to it); `progress` is called
/// every 10,000 rows with (rows done, rows total).
pub fn read_workbook(
    path: &Path,
    known_areas: &[Area],
    opts: &ImportOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ParsedWorkbook, FileError> {
    let bytes = std::fs::read(path).map_err(|e| FileError::Unreadable {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    read_bytes(&name, &bytes, known_areas, opts, progress)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SheetKind {
    Persons,
    Institutions,
    Areas,
}

fn sheet_kind(name: &str) -> Option<SheetKind> {
    let t = cell::trim(name);
    if t == "人员" || t.eq_ignore_ascii_case("persons") {
        Some(SheetKind::Persons)
    } else if t == "机构" || t.eq_ignore_ascii_case("institutions") {
        Some(SheetKind::Institutions)
    } else if t == "区划" || t.eq_ignore_ascii_case("areas") {
        Some(SheetKind::Areas)
    } else {
        None
    }
}

/// A sheet with its header found.
struct Loaded {
    name: String,
    grid: Grid,
    header: Header,
}

impl Loaded {
    fn data_rows(&self) -> usize {
        self.grid.height().saturating_sub(self.header.row_index + 1)
    }
}

/// Finds the header of a named sheet: `Ok(None)` for an empty sheet.
fn load_named(
    book: &mut Book<'_>,
    name: &str,
    matcher: &HeaderMatcher,
) -> Result<Option<Loaded>, FileError> {
    let grid = book.grid(name)?;
    if grid.is_empty() {
        return Ok(None);
    }
    let header = find_header(&grid, matcher).ok_or_else(|| FileError::NoHeaderRow {
        sheet: name.to_string(),
    })?;
    let missing = header.missing_required(matcher.fields());
    if !missing.is_empty() {
        return Err(FileError::MissingColumns {
            sheet: name.to_string(),
            columns: missing,
        });
    }
    Ok(Some(Loaded {
        name: name.to_string(),
        grid,
        header,
    }))
}

fn column_warnings(l: &Loaded, lang: Lang, out: &mut Vec<Issue>) {
    let mk = |text: &str, message: &str| Issue {
        sheet: l.name.clone(),
        row: l.header.excel_row,
        column: text.to_string(),
        value: text.to_string(),
        message: message.to_string(),
    };
    for (_, text) in &l.header.unknown {
        out.push(mk(text, crate::t(lang, "unknown-column-ignored")));
    }
    for (_, text) in &l.header.repeated {
        out.push(mk(
            text,
            crate::t(lang, "repeated-column-ignored-the-first-one"),
        ));
    }
}

struct Progress<'p> {
    done: usize,
    total: usize,
    f: &'p mut dyn FnMut(usize, usize),
}

impl Progress<'_> {
    fn tick(&mut self) {
        self.done += 1;
        if self.done.is_multiple_of(PROGRESS_EVERY) {
            (self.f)(self.done.min(self.total), self.total);
        }
    }
}

/// The data rows of a loaded sheet worth parsing: (Excel row, cells).
fn data_rows<'g>(
    l: &'g Loaded,
    progress: &mut Progress<'_>,
    mut each: impl FnMut(u32, &'g [calamine::Data]),
) {
    for (idx, row) in l.grid.rows().enumerate().skip(l.header.row_index + 1) {
        progress.tick();
        if row.iter().all(cell::is_blank)
            || is_header_repeat(row, &l.header)
            || is_note_row(row, &l.header)
        {
            continue;
        }
        each(l.grid.excel_row(idx), row);
    }
}

fn conflict_message(earlier: u32, lang: Lang, what_zh: &str, what_en: &str) -> String {
    match lang {
        Lang::Zh => format!("与第 {earlier} 行的{what_zh}相同但内容不同，请核对后保留一行"),
        Lang::En => {
            format!("same {what_en} as row {earlier} but different content: keep one of them")
        }
    }
}

/// The mapped fields whose cells differ between two rows (as the clerk sees them).
fn differing_fields(
    header: &columns::Header,
    a: &[calamine::Data],
    b: &[calamine::Data],
) -> Vec<usize> {
    header
        .cols
        .iter()
        .enumerate()
        .filter_map(|(f, c)| c.map(|c| (f, c)))
        .filter(|&(_, c)| {
            let va = a.get(c).map(cell::display).unwrap_or_default();
            let vb = b.get(c).map(cell::display).unwrap_or_default();
            cell::norm(&va) != cell::norm(&vb)
        })
        .map(|(f, _)| f)
        .collect()
}

/// The issues refusing one of two rows of the same person and survey year that differ: one per
/// differing column, naming the other row and both values.
fn duplicate_issues(
    rc: &rows::RowCheck<'_>,
    other_row: u32,
    other_cells: &[calamine::Data],
    differing: &[usize],
    header: &columns::Header,
    lang: Lang,
) -> Vec<Issue> {
    let other_value = |f: usize| {
        header
            .cols
            .get(f)
            .copied()
            .flatten()
            .and_then(|c| other_cells.get(c))
            .map(cell::display)
            .unwrap_or_default()
    };
    if differing.is_empty() {
        return vec![rc.make_issue(
            p::CITIZEN_ID,
            conflict_message(
                other_row,
                lang,
                "公民身份号码和调查年度",
                "citizen ID and survey year",
            ),
        )];
    }
    differing
        .iter()
        .map(|&f| {
            let mine = rc.raw(f).map(cell::display).unwrap_or_default();
            let theirs = other_value(f);
            let title = header.title(f);
            let message = match lang {
                Lang::Zh => format!(
                    "与第 {other_row} 行的公民身份号码和调查年度相同，但“{title}”不同（本行为“{mine}”，第 {other_row} 行为“{theirs}”）：两行均未导入，请核对后保留一行"
                ),
                Lang::En => format!(
                    "same citizen ID and survey year as row {other_row} but “{title}” differs (this row “{mine}”, row {other_row} “{theirs}”): neither row is imported, keep one of them"
                ),
            };
            rc.make_issue(f, message)
        })
        .collect()
}

fn identical_message(earlier: u32, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("与第 {earlier} 行完全相同，已跳过"),
        Lang::En => format!("identical to row {earlier}: skipped"),
    }
}

/// Reads a file held in memory; `name_for_extension` is its name (or just the extension).
pub fn read_bytes(
    name_for_extension: &str,
    bytes: &[u8],
    known_areas: &[Area],
    opts: &ImportOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ParsedWorkbook, FileError> {
    let lang = opts.lang;
    let ctx = Ctx {
        lang,
        today: opts.today,
    };
    let mut book = Book::open(name_for_extension, bytes)?;
    let names = book.sheet_names().to_vec();
    let mut out = ParsedWorkbook::default();

    let person_m = HeaderMatcher::new(&PERSON_FIELDS);
    let inst_m = HeaderMatcher::new(&INSTITUTION_FIELDS);
    let area_m = HeaderMatcher::new(&AREA_FIELDS);

    let first_of = |k: SheetKind| names.iter().find(|n| sheet_kind(n) == Some(k)).cloned();
    let persons_name = first_of(SheetKind::Persons);
    let inst_name = first_of(SheetKind::Institutions);
    let area_name = first_of(SheetKind::Areas);

    let mut persons = match &persons_name {
        Some(n) => load_named(&mut book, n, &person_m)?,
        None => None,
    };
    let institutions = match &inst_name {
        Some(n) => load_named(&mut book, n, &inst_m)?,
        None => None,
    };
    let areas_sheet = match &area_name {
        Some(n) => load_named(&mut book, n, &area_m)?,
        None => None,
    };

    // Other sheets: the persons sheet under another name, or ignored.
    let mut any_other_data = false;
    for n in &names {
        if Some(n) == persons_name.as_ref()
            || Some(n) == inst_name.as_ref()
            || Some(n) == area_name.as_ref()
        {
            continue;
        }
        let grid = book.grid(n)?;
        if grid.is_empty() {
            continue;
        }
        any_other_data = true;
        if persons_name.is_none()
            && persons.is_none()
            && let Some(header) = find_header(&grid, &person_m)
        {
            let missing = header.missing_required(&PERSON_FIELDS);
            if !missing.is_empty() {
                return Err(FileError::MissingColumns {
                    sheet: n.clone(),
                    columns: missing,
                });
            }
            persons = Some(Loaded {
                name: n.clone(),
                grid,
                header,
            });
            continue;
        }
        out.warnings.push(Issue {
            sheet: n.clone(),
            row: 1,
            column: String::new(),
            value: String::new(),
            message: crate::t(lang, "unrecognised-sheet-ignored-only-and-are").to_string(),
        });
    }

    if persons.is_none() && institutions.is_none() && areas_sheet.is_none() {
        if persons_name.is_none() && any_other_data {
            return Err(FileError::NoPersonsSheet { sheets: names });
        }
        let sheet = persons_name
            .or(inst_name)
            .or(area_name)
            .or_else(|| names.first().cloned())
            .unwrap_or_else(|| grid::CSV_SHEET.to_string());
        return Err(FileError::EmptySheet { sheet });
    }

    out.persons_sheet = persons
        .as_ref()
        .map(|l| l.name.clone())
        .unwrap_or_else(|| "人员".into());
    out.institutions_sheet = institutions
        .as_ref()
        .map(|l| l.name.clone())
        .unwrap_or_else(|| "机构".into());
    let total = [&persons, &institutions, &areas_sheet]
        .iter()
        .filter_map(|l| l.as_ref().map(Loaded::data_rows))
        .sum();
    let mut prog = Progress {
        done: 0,
        total,
        f: progress,
    };

    // 区划 first: its areas serve the persons and institutions of the same file.
    if let Some(l) = &areas_sheet {
        column_warnings(l, lang, &mut out.warnings);
        let layout = Layout {
            sheet: &l.name,
            header: &l.header,
            start_col: l.grid.start_col(),
            ctx,
        };
        let mut seen: HashMap<String, (u32, usize)> = HashMap::new();
        data_rows(l, &mut prog, |excel_row, row| {
            out.rows_seen += 1;
            match sheets::area_row(&layout, row, excel_row) {
                Ok(area) => match seen.entry(area.code.as_str().to_string()) {
                    Entry::Occupied(e) => {
                        let (earlier, idx) = *e.get();
                        let same = out.areas.get(idx) == Some(&area);
                        let rc = rows::RowCheck::new(&layout, row, excel_row);
                        if same {
                            out.warnings.push(
                                rc.make_issue(columns::a::CODE, identical_message(earlier, lang)),
                            );
                        } else {
                            out.rejected.push(rc.make_issue(
                                columns::a::CODE,
                                conflict_message(earlier, lang, "区划代码", "area code"),
                            ));
                        }
                    }
                    Entry::Vacant(v) => {
                        v.insert((excel_row, out.areas.len()));
                        out.areas.push(area);
                    }
                },
                Err(issues) => out.rejected.extend(issues),
            }
        });
    }
    let index = AreaIndex::new(known_areas, &out.areas, opts.today);

    if let Some(mut l) = persons {
        column_warnings(&l, lang, &mut out.warnings);
        if !l.header.has(p::SURVEY_YEAR) && l.data_rows() > 0 {
            let y = opts.survey_year.unwrap_or(0);
            out.warnings.push(Issue {
                sheet: l.name.clone(),
                row: l.header.excel_row,
                column: PERSON_FIELDS[p::SURVEY_YEAR].zh.to_string(),
                value: String::new(),
                message: persons::defaulted_year_message(opts.survey_year, y, lang),
            });
        }
        if !book.is_csv() {
            book.fill_merged(&l.name.clone(), &mut l.grid, l.header.row_index);
        }
        let formulas = book.formulas(&l.name.clone());
        let parser = PersonParser {
            layout: Layout {
                sheet: &l.name,
                header: &l.header,
                start_col: l.grid.start_col(),
                ctx,
            },
            areas: &index,
            survey_year: opts.survey_year,
            formulas: &formulas,
        };
        // (citizen ID, survey year) → (Excel row, index in out.persons, its cells, conflicted).
        let mut seen: SeenPersons<'_> = HashMap::new();
        let mut dropped: std::collections::HashSet<usize> = std::collections::HashSet::new();
        out.persons.reserve(l.data_rows());
        let l = &l;
        data_rows(l, &mut prog, |excel_row, row| {
            out.rows_seen += 1;
            match parser.parse_row(row, excel_row) {
                Ok(good) => {
                    let key =
                        <[u8; 18]>::try_from(good.record.person.citizen_id.as_str().as_bytes())
                            .map(|k| (k, good.record.survey.year));
                    if let Ok(key) = key {
                        match seen.entry(key) {
                            Entry::Occupied(mut e) => {
                                let (earlier, idx, earlier_cells, conflicted) = *e.get();
                                let same = out.persons.get(idx).is_some_and(|pp| {
                                    pp.record == good.record && pp.extras == good.extras
                                });
                                let rc = rows::RowCheck::new(&parser.layout, row, excel_row);
                                if same && !conflicted {
                                    out.warnings.push(rc.make_issue(
                                        p::CITIZEN_ID,
                                        identical_message(earlier, lang),
                                    ));
                                    return;
                                }
                                // Both rows (and any later one of the same person and year)
                                // are refused, each naming the other and the columns that
                                // differ.
                                // The columns whose difference matters: a cell that only
                                // spells the same value otherwise (`12,345.50` and `12345.5`)
                                // is not named.
                                let earlier_parsed = out
                                    .persons
                                    .get(idx)
                                    .map(|pp| (pp.record.clone(), pp.extras.clone()));
                                let differing: Vec<usize> =
                                    differing_fields(parser.layout.header, earlier_cells, row)
                                        .into_iter()
                                        .filter(|&f| {
                                            let Some(col) =
                                                parser.layout.header.cols.get(f).copied().flatten()
                                            else {
                                                return true;
                                            };
                                            let mut hybrid = earlier_cells.to_vec();
                                            if hybrid.len() <= col {
                                                hybrid.resize(col + 1, calamine::Data::Empty);
                                            }
                                            if let Some(slot) = hybrid.get_mut(col) {
                                                *slot = row
                                                    .get(col)
                                                    .cloned()
                                                    .unwrap_or(calamine::Data::Empty);
                                            }
                                            match (
                                                parser.parse_row(&hybrid, earlier),
                                                &earlier_parsed,
                                            ) {
                                                (Ok(g), Some((r, e))) => {
                                                    g.record != *r || g.extras != *e
                                                }
                                                _ => true,
                                            }
                                        })
                                        .collect();
                                let this = duplicate_issues(
                                    &rc,
                                    earlier,
                                    earlier_cells,
                                    &differing,
                                    parser.layout.header,
                                    lang,
                                );
                                out.rejected.extend(this);
                                if !conflicted {
                                    let first =
                                        rows::RowCheck::new(&parser.layout, earlier_cells, earlier);
                                    out.rejected.extend(duplicate_issues(
                                        &first,
                                        excel_row,
                                        row,
                                        &differing,
                                        parser.layout.header,
                                        lang,
                                    ));
                                    dropped.insert(idx);
                                    e.get_mut().3 = true;
                                }
                                return;
                            }
                            Entry::Vacant(v) => {
                                v.insert((excel_row, out.persons.len(), row, false));
                            }
                        }
                    }
                    out.warnings.extend(good.warnings);
                    out.persons.push(ParsedPerson {
                        row: excel_row,
                        record: good.record,
                        extras: good.extras,
                    });
                }
                Err(issues) => out.rejected.extend(issues),
            }
        });
        if !dropped.is_empty() {
            let gone: std::collections::HashSet<u32> = dropped
                .iter()
                .filter_map(|&i| out.persons.get(i).map(|pp| pp.row))
                .collect();
            let mut i = 0;
            out.persons.retain(|_| {
                let keep = !dropped.contains(&i);
                i += 1;
                keep
            });
            // The refused rows' notes would only confuse: they are not imported.
            out.warnings
                .retain(|w| w.sheet != l.name || !gone.contains(&w.row));
        }
    }

    if let Some(l) = &institutions {
        column_warnings(l, lang, &mut out.warnings);
        let layout = Layout {
            sheet: &l.name,
            header: &l.header,
            start_col: l.grid.start_col(),
            ctx,
        };
        let mut seen: HashMap<(String, String), (u32, usize)> = HashMap::new();
        data_rows(l, &mut prog, |excel_row, row| {
            out.rows_seen += 1;
            match sheets::institution_row(&layout, &index, row, excel_row) {
                Ok((inst, warnings)) => {
                    match seen.entry((inst.township.as_str().to_string(), inst.name.clone())) {
                        Entry::Occupied(e) => {
                            let (earlier, idx) = *e.get();
                            let same = out
                                .institutions
                                .get(idx)
                                .is_some_and(|pi| pi.institution == inst);
                            let rc = rows::RowCheck::new(&layout, row, excel_row);
                            if same {
                                out.warnings.push(rc.make_issue(
                                    columns::i::NAME,
                                    identical_message(earlier, lang),
                                ));
                            } else {
                                out.rejected.push(rc.make_issue(
                                    columns::i::NAME,
                                    conflict_message(
                                        earlier,
                                        lang,
                                        "乡镇街道和机构名称",
                                        "township and institution name",
                                    ),
                                ));
                            }
                        }
                        Entry::Vacant(v) => {
                            v.insert((excel_row, out.institutions.len()));
                            out.warnings.extend(warnings);
                            out.institutions.push(ParsedInstitution {
                                row: excel_row,
                                institution: inst,
                            });
                        }
                    }
                }
                Err(issues) => out.rejected.extend(issues),
            }
        });
    }

    // In row order within each sheet (a refused duplicate's first row is only known later).
    let mut sheet_order: Vec<String> = Vec::new();
    for i in &out.rejected {
        if !sheet_order.contains(&i.sheet) {
            sheet_order.push(i.sheet.clone());
        }
    }
    out.rejected.sort_by_key(|i| {
        (
            sheet_order.iter().position(|s| *s == i.sheet).unwrap_or(0),
            i.row,
        )
    });
    (prog.f)(prog.total, prog.total);
    Ok(out)
}
