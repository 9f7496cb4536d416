//! The import report (`--report OUT`): JSON or a workbook a clerk can filter and fix from.

use std::io::{self, BufWriter, Write};
use std::path::Path;
use zhucan_domain::parse::sheet_text;

use rust_xlsxwriter::{RowNum, Workbook};
use serde::Serialize;

use crate::Issue;
use crate::error::ExportError;
use crate::export::sheet_with_header;

#[derive(Serialize)]
struct Report<'a> {
    imported: usize,
    rejected: &'a [Issue],
    warnings: &'a [Issue],
}

/// Writes `{"imported": N, "rejected": [{"sheet", "row", "column", "value", "message"}],
/// "warnings": [...]}`.
pub fn write_report_json(
    path: &Path,
    imported: usize,
    rejected: &[Issue],
    warnings: &[Issue],
) -> io::Result<()> {
    let file = std::fs::File::create(path)?;
    let mut w = BufWriter::new(file);
    serde_json::to_writer_pretty(
        &mut w,
        &Report {
            imported,
            rejected,
            warnings,
        },
    )
    .map_err(io::Error::other)?;
    w.write_all(b"\n")?;
    w.flush()
}

const ISSUE_HEADERS: [&str; 5] = ["工作表", "行号", "列", "单元格内容", "原因"];

/// Writes the report as a workbook: a summary sheet, then the rejects and the warnings.
pub fn write_report_xlsx(
    path: &Path,
    imported: usize,
    rejected: &[Issue],
    warnings: &[Issue],
) -> Result<(), ExportError> {
    report_workbook(imported, rejected, warnings)?.save(path)?;
    Ok(())
}

/// The report workbook as bytes (for a download).
pub fn report_xlsx_bytes(
    imported: usize,
    rejected: &[Issue],
    warnings: &[Issue],
) -> Result<Vec<u8>, ExportError> {
    Ok(report_workbook(imported, rejected, warnings)?.save_to_buffer()?)
}

/// The report as JSON text (the shape of [`write_report_json`]).
pub fn report_json(imported: usize, rejected: &[Issue], warnings: &[Issue]) -> String {
    serde_json::to_string_pretty(&Report {
        imported,
        rejected,
        warnings,
    })
    .unwrap_or_else(|_| "{}".into())
}

fn report_workbook(
    imported: usize,
    rejected: &[Issue],
    warnings: &[Issue],
) -> Result<Workbook, ExportError> {
    let mut wb = Workbook::new();
    let ws = sheet_with_header(
        &mut wb,
        "汇总",
        "导入报告",
        &["项目", "行数"],
        &[24.0, 12.0],
        &[],
    )?;
    let rejected_rows: std::collections::HashSet<(&str, u32)> =
        rejected.iter().map(|i| (i.sheet.as_str(), i.row)).collect();
    let counts = [
        ("已导入的行", imported),
        ("未导入的行", rejected_rows.len()),
        ("未导入的问题（单元格）", rejected.len()),
        ("提示", warnings.len()),
    ];
    for (i, (label, n)) in counts.iter().enumerate() {
        let r = RowNum::try_from(i + 2).unwrap_or(RowNum::MAX);
        ws.write_string(r, 0, *label)?;
        ws.write_number(r, 1, *n as f64)?;
    }
    for (name, title, issues) in [
        ("未导入", "未导入的行（请改正后重新导入）", rejected),
        ("提示", "提示（已导入）", warnings),
    ] {
        let ws = sheet_with_header(
            &mut wb,
            name,
            title,
            &ISSUE_HEADERS,
            &[10.0, 8.0, 18.0, 26.0, 60.0],
            &[3],
        )?;
        for (i, is) in issues.iter().enumerate() {
            let r = RowNum::try_from(i + 2).unwrap_or(RowNum::MAX);
            // The values come from the file: written escaped, never as a formula.
            ws.write_string(r, 0, &*sheet_text(&is.sheet))?;
            ws.write_number(r, 1, f64::from(is.row))?;
            ws.write_string(r, 2, &*sheet_text(&is.column))?;
            ws.write_string(r, 3, &*sheet_text(&is.value))?;
            ws.write_string(r, 4, &*sheet_text(&is.message))?;
        }
    }
    Ok(wb)
}
