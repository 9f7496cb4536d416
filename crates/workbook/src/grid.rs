//! Opening a file: the sheets of a workbook (calamine) or the one sheet of a CSV file, each as a
//! grid of cells.

use std::borrow::Cow;
use std::io::Cursor;

use calamine::{Data, Range, Reader, Sheets, Xls, Xlsb, Xlsx, open_workbook_from_rs};

use crate::error::FileError;

/// The cells of one sheet. Row indices are relative to the first stored row.
pub(crate) enum Grid {
    Range(Range<Data>),
    Rows(Vec<Vec<Data>>),
}

impl Grid {
    /// Absolute 0-based row of the first stored row.
    fn start_row(&self) -> u32 {
        match self {
            Grid::Range(r) => r.start().map_or(0, |s| s.0),
            Grid::Rows(_) => 0,
        }
    }

    /// Absolute 0-based column of the first stored column.
    pub fn start_col(&self) -> u32 {
        match self {
            Grid::Range(r) => r.start().map_or(0, |s| s.1),
            Grid::Rows(_) => 0,
        }
    }

    pub fn height(&self) -> usize {
        match self {
            Grid::Range(r) => r.height(),
            Grid::Rows(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows().all(|r| r.iter().all(crate::cell::is_blank))
    }

    /// The Excel row number (1-based) of a row index.
    pub fn excel_row(&self, index: usize) -> u32 {
        self.start_row()
            .saturating_add(u32::try_from(index).unwrap_or(u32::MAX))
            .saturating_add(1)
    }

    pub fn rows(&self) -> Box<dyn Iterator<Item = &[Data]> + '_> {
        match self {
            Grid::Range(r) => Box::new(r.rows()),
            Grid::Rows(v) => Box::new(v.iter().map(Vec::as_slice)),
        }
    }

    /// Copies the value of each vertically merged region below `header_row` (absolute, 0-based)
    /// into the empty cells it covers in its first column, so that e.g. a 户编号 merged across
    /// the members of a household reaches every member's row.
    fn fill_merged(&mut self, regions: &[calamine::Dimensions], header_row: u32) {
        let Grid::Range(r) = self else { return };
        let (Some(start), Some(end)) = (r.start(), r.end()) else {
            return;
        };
        for reg in regions {
            let (r0, c0) = reg.start;
            let r1 = reg.end.0.min(end.0);
            if r0 <= header_row || r1 <= r0 || c0 < start.1 || c0 > end.1 || r0 < start.0 {
                continue;
            }
            let Some(value) = r
                .get(((r0 - start.0) as usize, (c0 - start.1) as usize))
                .cloned()
            else {
                continue;
            };
            if crate::cell::is_blank(&value) {
                continue;
            }
            for row in r0 + 1..=r1 {
                let rel = ((row - start.0) as usize, (c0 - start.1) as usize);
                if r.get(rel).is_some_and(crate::cell::is_blank) {
                    r.set_value((row, c0), value.clone());
                }
            }
        }
    }
}

type Bytes<'a> = Cursor<Cow<'a, [u8]>>;

enum Source<'a> {
    Workbook(Box<Sheets<Bytes<'a>>>),
    Csv(Option<Grid>),
    /// Sheets given as rows (a form entered on a page), in the order of the names.
    Rows(Vec<Vec<Vec<Data>>>),
}

/// An opened file.
pub(crate) struct Book<'a> {
    names: Vec<String>,
    source: Source<'a>,
    /// The file's bytes, and whether the workbook open is the repaired copy (see
    /// [`crate::repair`]).
    bytes: &'a [u8],
    repaired: bool,
}

/// An xlsx error of the XML inside (as opposed to a damaged zip).
fn is_xml_error(e: &calamine::XlsxError) -> bool {
    matches!(
        e,
        calamine::XlsxError::Xml(_) | calamine::XlsxError::XmlAttr(_)
    )
}

fn bad_xml(e: impl std::fmt::Display) -> FileError {
    FileError::BadXml {
        sheet: None,
        reason: e.to_string(),
    }
}

/// The name the single sheet of a CSV file goes by.
pub(crate) const CSV_SHEET: &str = "人员";

/// Runs a reader call, turning a panic inside the spreadsheet library (a damaged file) into an
/// error: no input may bring the importer down.
fn guarded<T>(f: impl FnOnce() -> Result<T, FileError>) -> Result<T, FileError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(FileError::NotWorkbook {
            reason: "damaged file".to_string(),
        })
    })
}

fn not_workbook(e: impl std::fmt::Display) -> FileError {
    FileError::NotWorkbook {
        reason: e.to_string(),
    }
}

/// The lower-cased extension of a file name (or the name itself if it has no dot).
pub(crate) fn extension(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.rsplit_once('.')
        .map_or(base, |(_, e)| e)
        .trim()
        .to_ascii_lowercase()
}

impl<'a> Book<'a> {
    /// Opens a file from its bytes; `name` gives the extension.
    pub fn open(name: &str, bytes: &'a [u8]) -> Result<Book<'a>, FileError> {
        guarded(|| Self::open_inner(name, bytes))
    }

    /// Opens an xlsx workbook; one whose XML holds character references XML forbids
    /// (`&#0;`) is repaired in memory first (see [`crate::repair`]).
    fn open_xlsx(bytes: &'a [u8]) -> Result<(Sheets<Bytes<'a>>, bool), FileError> {
        match open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(Cow::Borrowed(bytes))) {
            Ok(x) => Ok((Sheets::Xlsx(x), false)),
            Err(e) if is_xml_error(&e) => {
                let Some(fixed) = crate::repair::repair_char_refs(bytes) else {
                    return Err(bad_xml(e));
                };
                open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(Cow::Owned(fixed)))
                    .map(|x| (Sheets::Xlsx(x), true))
                    .map_err(bad_xml)
            }
            Err(e) => Err(not_workbook(e)),
        }
    }

    fn open_inner(name: &str, bytes: &'a [u8]) -> Result<Book<'a>, FileError> {
        let ext = extension(name);
        let cur = Cursor::new(Cow::Borrowed(bytes));
        let mut repaired = false;
        let sheets: Sheets<Bytes<'a>> = match ext.as_str() {
            "csv" | "tsv" | "txt" => {
                let grid = read_csv(bytes, ext == "tsv")?;
                return Ok(Book {
                    names: vec![CSV_SHEET.to_string()],
                    source: Source::Csv(Some(grid)),
                    bytes,
                    repaired: false,
                });
            }
            "xlsx" | "xlsm" | "xltx" | "xltm" => {
                let (x, r) = Self::open_xlsx(bytes)?;
                repaired = r;
                x
            }
            "xls" | "xlt" => {
                Sheets::Xls(open_workbook_from_rs::<Xls<_>, _>(cur).map_err(not_workbook)?)
            }
            "xlsb" => Sheets::Xlsb(open_workbook_from_rs::<Xlsb<_>, _>(cur).map_err(not_workbook)?),
            "ods" => Sheets::Ods(open_workbook_from_rs(cur).map_err(not_workbook)?),
            _ => {
                if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xd0, 0xcf, 0x11, 0xe0])
                {
                    calamine::open_workbook_auto_from_rs(cur).map_err(not_workbook)?
                } else {
                    return Err(FileError::UnsupportedType { extension: ext });
                }
            }
        };
        let names = sheets.sheet_names();
        Ok(Book {
            names,
            source: Source::Workbook(Box::new(sheets)),
            bytes,
            repaired,
        })
    }

    /// A book of sheets given as rows of cells (name, rows), e.g. a form's lines, so that
    /// they are read by the same rules as a file.
    pub fn of_rows(sheets: Vec<(String, Vec<Vec<Data>>)>) -> Book<'static> {
        let (names, rows) = sheets.into_iter().unzip();
        Book {
            names,
            source: Source::Rows(rows),
            bytes: &[],
            repaired: false,
        }
    }

    pub fn sheet_names(&self) -> &[String] {
        &self.names
    }

    pub fn is_csv(&self) -> bool {
        matches!(self.source, Source::Csv(_))
    }

    /// Reads a sheet's cells.
    pub fn grid(&mut self, name: &str) -> Result<Grid, FileError> {
        guarded(|| self.grid_inner(name))
    }

    fn grid_inner(&mut self, name: &str) -> Result<Grid, FileError> {
        match &mut self.source {
            Source::Csv(g) => Ok(g.take().unwrap_or(Grid::Rows(Vec::new()))),
            Source::Rows(sheets) => {
                let at = self.names.iter().position(|n| n == name);
                Ok(Grid::Rows(
                    at.and_then(|i| sheets.get(i)).cloned().unwrap_or_default(),
                ))
            }
            Source::Workbook(wb) => match wb.worksheet_range(name) {
                Ok(r) => Ok(Grid::Range(r)),
                Err(calamine::Error::Xlsx(e)) if is_xml_error(&e) => {
                    // A forbidden character reference in the sheet itself (an inline string):
                    // repair once and read again.
                    let sheet_error = || FileError::BadXml {
                        sheet: Some(name.to_string()),
                        reason: e.to_string(),
                    };
                    if self.repaired {
                        return Err(sheet_error());
                    }
                    let Some(fixed) = crate::repair::repair_char_refs(self.bytes) else {
                        return Err(sheet_error());
                    };
                    let x = open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(Cow::Owned(fixed)))
                        .map_err(|_| sheet_error())?;
                    self.repaired = true;
                    let mut sheets = Sheets::Xlsx(x);
                    let r = sheets.worksheet_range(name).map_err(|_| sheet_error())?;
                    self.source = Source::Workbook(Box::new(sheets));
                    Ok(Grid::Range(r))
                }
                Err(e) => Err(not_workbook(e)),
            },
        }
    }

    /// The formula cells of a sheet: (Excel row, absolute 0-based column) → formula text (a
    /// CSV file has none; a sheet whose formulas cannot be read counts as having none, its
    /// values are still checked).
    pub fn formulas(&mut self, name: &str) -> std::collections::HashMap<(u32, u32), String> {
        let mut out = std::collections::HashMap::new();
        let Source::Workbook(wb) = &mut self.source else {
            return out;
        };
        let range =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| wb.worksheet_formula(name)));
        let Ok(Ok(range)) = range else {
            return out;
        };
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, c, f) in range.used_cells() {
            if f.trim().is_empty() {
                continue;
            }
            let row = r0
                .saturating_add(u32::try_from(r).unwrap_or(u32::MAX))
                .saturating_add(1);
            let col = c0.saturating_add(u32::try_from(c).unwrap_or(u32::MAX));
            out.insert((row, col), f.clone());
        }
        out
    }

    /// Fills vertically merged data cells below the header (xlsx only; others ignore merges).
    pub fn fill_merged(&mut self, name: &str, grid: &mut Grid, header_index: usize) {
        if let Source::Workbook(wb) = &mut self.source
            && let Sheets::Xlsx(x) = wb.as_mut()
            && let Ok(Ok(regions)) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                x.merge_cells_by_sheet_name(name)
            }))
            && !regions.is_empty()
        {
            let header_abs = grid.excel_row(header_index).saturating_sub(1);
            grid.fill_merged(&regions, header_abs);
        }
    }
}

/// Decodes CSV bytes: UTF-8 (BOM or not), UTF-16 with BOM, else GB18030.
fn decode(bytes: &[u8]) -> Result<String, FileError> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = bytes.get(bom_len..).unwrap_or(&[]);
        return enc
            .decode_without_bom_handling_and_without_replacement(body)
            .map(|c| c.into_owned())
            .ok_or(FileError::Encoding);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|c| c.into_owned())
        .ok_or(FileError::Encoding)
}

fn read_csv(bytes: &[u8], tsv: bool) -> Result<Grid, FileError> {
    let text = decode(bytes)?;
    // Many NULs: UTF-16 without a BOM (every other byte). A stray one is a cell's problem,
    // refused by row and column.
    if text.bytes().filter(|b| *b == 0).count() * 8 > text.len() {
        return Err(FileError::Encoding);
    }
    let first = text.lines().next().unwrap_or("");
    let tabs = first.matches('\t').count();
    let delim = if tsv || tabs > first.matches(',').count() && tabs > 0 {
        b'\t'
    } else if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => rows.push(
                rec.iter()
                    .map(|s| {
                        if s.is_empty() {
                            Data::Empty
                        } else {
                            Data::String(s.to_string())
                        }
                    })
                    .collect(),
            ),
            Ok(false) => break,
            Err(e) => {
                return Err(FileError::Csv {
                    reason: e.to_string(),
                });
            }
        }
    }
    Ok(Grid::Rows(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions() {
        assert_eq!(extension("a/b/花名册.XLSX"), "xlsx");
        assert_eq!(extension("csv"), "csv");
        assert_eq!(extension("C:\\x.y\\roster.csv"), "csv");
    }

    #[test]
    fn decodings() {
        assert_eq!(
            decode("\u{feff}姓名".as_bytes()).ok().as_deref(),
            Some("姓名")
        );
        let (gbk, _, _) = encoding_rs::GB18030.encode("姓名,公民身份号码");
        assert_eq!(decode(&gbk).ok().as_deref(), Some("姓名,公民身份号码"));
        assert!(matches!(
            decode(&[0xff, 0xff, 0xff, 0x30]),
            Err(FileError::Encoding)
        ));
    }
}
