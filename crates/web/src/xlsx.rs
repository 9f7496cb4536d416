//! The look every workbook the service writes shares: title and header cells, column widths.

use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

/// A sheet's title cell.
pub fn title_format() -> Format {
    Format::new().set_bold().set_font_size(14)
}

/// A header cell: bold, centred, wrapped.
pub fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_text_wrap()
}

/// A row of column headers with the columns' widths.
pub fn headers(
    ws: &mut Worksheet,
    row: u32,
    names: &[&str],
    widths: &[f64],
) -> Result<(), XlsxError> {
    let h = header_format();
    for (i, (n, w)) in names.iter().zip(widths).enumerate() {
        let c = i as u16;
        ws.set_column_width(c, *w)?;
        ws.write_string_with_format(row, c, *n, &h)?;
    }
    Ok(())
}

/// A list workbook: a title row, a header row and text cells.
pub fn list_xlsx(
    title: &str,
    headers_row: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string_with_format(0, 0, title, &title_format())?;
    let widths: Vec<f64> = headers_row.iter().map(|_| 18.0).collect();
    headers(ws, 1, headers_row, &widths)?;
    let text = Format::new().set_num_format("@");
    for (n, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let v = zhucan_domain::parse::sheet_text(v);
            ws.write_string_with_format(2 + n as u32, c as u16, &*v, &text)?;
        }
    }
    wb.save_to_buffer()
}

/// A workbook as a download named `file_name` (ASCII, without quotes).
pub fn download(file_name: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}
