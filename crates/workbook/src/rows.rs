//! Checking one data row: typed cell readers that record every bad cell as an [`Issue`].

use calamine::Data;
use zhucan_domain::Lang;
use zhucan_domain::parse::ValueError;

use crate::Issue;
use crate::cell::{self, Bad, Ctx};
use crate::columns::Header;

/// The layout of one sheet, shared by all its rows.
pub(crate) struct Layout<'a> {
    pub sheet: &'a str,
    pub header: &'a Header,
    /// Absolute 0-based column of the grid's first column (for cell references).
    pub start_col: u32,
    pub ctx: Ctx,
}

/// The problems of one row.
pub(crate) struct RowCheck<'a> {
    pub layout: &'a Layout<'a>,
    pub row: &'a [Data],
    pub excel_row: u32,
    pub issues: Vec<Issue>,
    pub warnings: Vec<Issue>,
}

impl<'a> RowCheck<'a> {
    pub fn new(layout: &'a Layout<'a>, row: &'a [Data], excel_row: u32) -> RowCheck<'a> {
        RowCheck {
            layout,
            row,
            excel_row,
            issues: Vec::new(),
            warnings: Vec::new(),
        }
    }

    pub fn ctx(&self) -> Ctx {
        self.layout.ctx
    }

    pub fn lang(&self) -> Lang {
        self.layout.ctx.lang
    }

    /// The raw cell of a field (None when the column is absent).
    pub fn raw(&self, field: usize) -> Option<&'a Data> {
        let col = (*self.layout.header.cols.get(field)?)?;
        self.row.get(col)
    }

    /// The cell of a field unless absent or blank.
    pub fn cell(&self, field: usize) -> Option<&'a Data> {
        self.raw(field).filter(|d| !cell::is_blank(d))
    }

    pub fn make_issue(&self, field: usize, message: String) -> Issue {
        Issue {
            sheet: self.layout.sheet.to_string(),
            row: self.excel_row,
            column: self.layout.header.title(field).to_string(),
            value: cell::visible(&self.raw(field).map(cell::display).unwrap_or_default())
                .into_owned(),
            message,
        }
    }

    /// The cell reference of a field's cell (`B5`).
    pub fn cell_ref(&self, field: usize) -> String {
        let col = self
            .layout
            .header
            .cols
            .get(field)
            .copied()
            .flatten()
            .unwrap_or(0);
        let letters = cell::column_letters(
            self.layout
                .start_col
                .saturating_add(u32::try_from(col).unwrap_or(u32::MAX)),
        );
        format!("{letters}{}", self.excel_row)
    }

    /// The absolute 0-based column of a field's cell, when the column is present.
    pub fn abs_col(&self, field: usize) -> Option<u32> {
        let col = (*self.layout.header.cols.get(field)?)?;
        Some(
            self.layout
                .start_col
                .saturating_add(u32::try_from(col).unwrap_or(u32::MAX)),
        )
    }

    /// Rejects every read cell that holds a control character (NUL, escape…; a tab or a line
    /// break is allowed), naming the cell and the character. Returns the fields refused.
    pub fn reject_control_chars(&mut self) -> Vec<usize> {
        let fields: Vec<usize> = self
            .layout
            .header
            .cols
            .iter()
            .enumerate()
            .filter_map(|(f, c)| c.map(|_| f))
            .collect();
        let mut refused = Vec::new();
        for f in fields {
            let Some(Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s)) = self.raw(f)
            else {
                continue;
            };
            let Some(c) = s.chars().find(|c| cell::is_forbidden_control(*c)) else {
                continue;
            };
            let at = self.cell_ref(f);
            let code = format!("U+{:04X}", u32::from(c));
            let m = match self.lang() {
                Lang::Zh => format!(
                    "单元格 {at} 含有控制字符 {code}（不可见，不能作为数据保存），请删除后重新填写"
                ),
                Lang::En => format!(
                    "cell {at} holds the control character {code} (invisible, not data): delete it and enter the value again"
                ),
            };
            self.reject(f, m);
            refused.push(f);
        }
        refused
    }

    pub fn reject(&mut self, field: usize, message: String) {
        let i = self.make_issue(field, message);
        self.issues.push(i);
    }

    pub fn warn(&mut self, field: usize, message: String) {
        let i = self.make_issue(field, message);
        self.warnings.push(i);
    }

    fn error_cell(&mut self, field: usize, e: &calamine::CellErrorType) {
        let at = self.cell_ref(field);
        let msg = match self.lang() {
            Lang::Zh => format!("单元格 {at} 是错误值 {e}，请改为实际内容"),
            Lang::En => {
                format!("cell {at} holds the error value {e}: enter the actual value")
            }
        };
        self.reject(field, msg);
    }

    /// Reads an optional cell: `None` when blank or bad (a bad cell is recorded).
    pub fn opt<T>(
        &mut self,
        field: usize,
        parse: impl FnOnce(&'a Data, &Ctx) -> Result<T, Bad>,
    ) -> Option<T> {
        let d = self.cell(field)?;
        if let Data::Error(e) = d {
            self.error_cell(field, e);
            return None;
        }
        let ctx = self.ctx();
        match parse(d, &ctx) {
            Ok(v) => Some(v),
            Err(m) => {
                self.reject(field, m);
                None
            }
        }
    }

    /// Reads a required cell: a blank one is recorded as missing.
    pub fn req<T>(
        &mut self,
        field: usize,
        parse: impl FnOnce(&'a Data, &Ctx) -> Result<T, Bad>,
    ) -> Option<T> {
        if self.cell(field).is_none() {
            let m = self.ctx().msg(&ValueError::Required);
            self.reject(field, m);
            return None;
        }
        self.opt(field, parse)
    }
}

/// Whether a row repeats the header (printed rosters repeat it on every page).
pub(crate) fn is_header_repeat(row: &[Data], header: &Header) -> bool {
    let mapped = header.cols.iter().flatten().count();
    let same = header
        .cols
        .iter()
        .enumerate()
        .filter_map(|(f, c)| c.map(|c| (f, c)))
        .filter(|&(f, c)| matches!(row.get(c), Some(Data::String(s)) if cell::trim(s) == header.title(f)))
        .count();
    same >= mapped.clamp(1, 3)
}

const NOTE_PREFIXES: [&str; 12] = [
    "合计",
    "总计",
    "小计",
    "共计",
    "制表",
    "填表",
    "审核",
    "负责人",
    "备注",
    "说明",
    "注：",
    "注:",
];

/// Whether a row is a note or footer (`合计：…`, `制表人：…`): its first non-blank cell starts
/// with such a word and at most one mapped cell is filled.
pub(crate) fn is_note_row(row: &[Data], header: &Header) -> bool {
    let Some(Data::String(first)) = row.iter().find(|d| !cell::is_blank(d)) else {
        return false;
    };
    let first = cell::trim(first);
    if !NOTE_PREFIXES.iter().any(|p| first.starts_with(p)) {
        return false;
    }
    header
        .cols
        .iter()
        .flatten()
        .filter(|&&c| row.get(c).is_some_and(|d| !cell::is_blank(d)))
        .count()
        <= 1
}
