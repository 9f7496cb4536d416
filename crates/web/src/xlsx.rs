//! The look every workbook the service writes shares: title and header cells, column widths.

use rust_xlsxwriter::{Format, FormatAlign, Worksheet, XlsxError};

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
pub fn headers(ws: &mut Worksheet, row: u32, names: &[&str], widths: &[f64]) -> Result<(), XlsxError> {
    let h = header_format();
    for (i, (n, w)) in names.iter().zip(widths).enumerate() {
        let c = i as u16;
        ws.set_column_width(c, *w)?;
        ws.write_string_with_format(row, c, *n, &h)?;
    }
    Ok(())
}
