//! XML 1.0 forbids character references to most control characters (`&#0;`, `&#x1F;`…), and
//! the XML reader refuses a whole part that holds one: a roster whose shared strings carry a
//! stray `&#0;` would fail as a whole, without saying where. Excel itself writes a control
//! character in a text as `_x0000_`. [`repair_char_refs`] rewrites each such reference of the
//! workbook's XML parts into that escape, in memory, so that the file opens and the cell reads
//! with its control character — then refused by sheet, row and column like any other.

use std::io::{Cursor, Read, Write};

/// Whether a code point may not appear in an XML 1.0 document.
fn forbidden_in_xml(c: u32) -> bool {
    matches!(c, 0..=8 | 11 | 12 | 14..=31 | 0xD800..=0xDFFF | 0xFFFE | 0xFFFF) || c > 0x10FFFF
}

/// The text with every forbidden character reference replaced by `_xHHHH_` (a reference
/// outside the BMP or to a surrogate by `_x001A_`, the substitute character); `None` when it
/// has none.
pub(crate) fn rewrite_refs(xml: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut i = 0;
    while let Some(off) = xml
        .get(i..)
        .and_then(|s| s.windows(2).position(|w| w == b"&#".as_slice()))
    {
        let start = i + off;
        let body_start = start + 2;
        let (hex, digits_start) = match xml.get(body_start) {
            Some(b'x') | Some(b'X') => (true, body_start + 1),
            _ => (false, body_start),
        };
        let mut end = digits_start;
        while xml.get(end).is_some_and(|b| {
            if hex {
                b.is_ascii_hexdigit()
            } else {
                b.is_ascii_digit()
            }
        }) && end - digits_start < 10
        {
            end += 1;
        }
        if end == digits_start || xml.get(end) != Some(&b';') {
            i = start + 2;
            continue;
        }
        let digits =
            std::str::from_utf8(xml.get(digits_start..end).unwrap_or_default()).unwrap_or_default();
        let code = u32::from_str_radix(digits, if hex { 16 } else { 10 }).unwrap_or(u32::MAX);
        if forbidden_in_xml(code) {
            let buf = out.get_or_insert_with(|| Vec::with_capacity(xml.len()));
            buf.extend_from_slice(xml.get(copied..start).unwrap_or_default());
            let unit = if code < 0xD800 { code } else { 0x1A };
            buf.extend_from_slice(format!("_x{unit:04X}_").as_bytes());
            copied = end + 1;
        }
        i = end + 1;
    }
    let mut buf = out?;
    buf.extend_from_slice(xml.get(copied..).unwrap_or_default());
    Some(buf)
}

/// The workbook (a zip of XML parts) with the forbidden character references of its XML parts
/// rewritten; `None` when it holds none or is not a readable zip.
pub(crate) fn repair_char_refs(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut repaired: Vec<(usize, Vec<u8>)> = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).ok()?;
        let name = f.name().ok()?.to_ascii_lowercase();
        if !(name.ends_with(".xml") || name.ends_with(".rels")) {
            continue;
        }
        let mut xml = Vec::new();
        f.read_to_end(&mut xml).ok()?;
        if let Some(fixed) = rewrite_refs(&xml) {
            repaired.push((i, fixed));
        }
    }
    if repaired.is_empty() {
        return None;
    }
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len())));
    for i in 0..archive.len() {
        if let Some((_, fixed)) = repaired.iter().find(|(j, _)| *j == i) {
            let name = archive.by_index(i).ok()?.name().ok()?.into_owned();
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            w.start_file(name, opts).ok()?;
            w.write_all(fixed).ok()?;
        } else {
            let f = archive.by_index(i).ok()?;
            w.raw_copy_file(f).ok()?;
        }
    }
    w.finish().ok().map(Cursor::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_references_become_excel_escapes() {
        let fixed = rewrite_refs(b"<t>13&#0;8</t><t>&#x1F;a&amp;&#65;&#10;</t>");
        assert_eq!(
            fixed.as_deref(),
            Some(&b"<t>13_x0000_8</t><t>_x001F_a&amp;&#65;&#10;</t>"[..])
        );
        assert_eq!(rewrite_refs(b"<t>&#65;&#x4E2D;&#;&#x;</t>"), None);
        assert_eq!(rewrite_refs(b"&#"), None);
    }
}
