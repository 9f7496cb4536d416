//! Writing the registry workbook: the same three sheets the import reads, so an export
//! re-imports to the same data.

use std::path::Path;
use zhucan_domain::parse::sheet_text;

use rust_xlsxwriter::{ColNum, Format, FormatAlign, RowNum, Workbook, Worksheet, XlsxError};
use zhucan_domain::Lang;
use zhucan_domain::area::Area;
use zhucan_domain::disability::format_components;
use zhucan_domain::institution::Institution;
use zhucan_domain::parse::Month;
use zhucan_domain::person::{PersonRecord, RecordExtras};

use crate::columns::{AREA_FIELDS, FieldDef, INSTITUTION_FIELDS, PERSON_FIELDS, p};
use crate::error::ExportError;

/// What to export.
#[derive(Debug, Clone, Copy)]
pub struct ExportData<'a> {
    pub areas: &'a [Area],
    /// One row per person per survey year.
    pub rows: &'a [(PersonRecord, RecordExtras)],
    pub institutions: &'a [Institution],
}

/// The title above the header row of every sheet.
pub(crate) const TITLE: &str = "持证残疾人花名册";

struct Formats {
    title: Format,
    header: Format,
    text: Format,
    yuan: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Center),
            header: Format::new().set_bold().set_align(FormatAlign::Center),
            text: Format::new().set_num_format("@"),
            yuan: Format::new().set_num_format("0.00"),
        }
    }
}

/// Writes the workbook to a file.
pub fn write_workbook(path: &Path, data: &ExportData) -> Result<(), ExportError> {
    let mut wb = build(data)?;
    wb.save(path)?;
    Ok(())
}

/// Writes the workbook into memory (for a download).
pub fn write_workbook_bytes(data: &ExportData) -> Result<Vec<u8>, ExportError> {
    let mut wb = build(data)?;
    Ok(wb.save_to_buffer()?)
}

fn col(i: usize) -> ColNum {
    ColNum::try_from(i).unwrap_or(ColNum::MAX)
}

/// Adds a constant-memory sheet with the title row, column widths and the header row.
pub(crate) fn sheet_with_header<'w>(
    wb: &'w mut Workbook,
    name: &str,
    title: &str,
    headers: &[&str],
    widths: &[f64],
    text_cols: &[usize],
) -> Result<&'w mut Worksheet, XlsxError> {
    let f = Formats::new();
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(name)?;
    for (i, w) in widths.iter().enumerate() {
        ws.set_column_width(col(i), *w)?;
    }
    for &c in text_cols {
        ws.set_column_format(col(c), &f.text)?;
    }
    let last = col(headers.len().saturating_sub(1));
    if last > 0 {
        ws.merge_range(0, 0, 0, last, title, &f.title)?;
    } else {
        ws.write_string_with_format(0, 0, title, &f.title)?;
    }
    for (i, h) in headers.iter().enumerate() {
        ws.write_string_with_format(1, col(i), *h, &f.header)?;
    }
    ws.set_freeze_panes(2, 0)?;
    Ok(ws)
}

fn zh_headers(fields: &[FieldDef]) -> Vec<&'static str> {
    fields.iter().map(|f| f.zh).collect()
}

fn yes_no(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

/// A row being written: skips empty values.
struct RowWriter<'w> {
    ws: &'w mut Worksheet,
    row: RowNum,
    text: &'w Format,
    yuan: &'w Format,
}

impl RowWriter<'_> {
    fn s(&mut self, c: usize, v: &str) -> Result<(), XlsxError> {
        if !v.is_empty() {
            self.ws
                .write_string_with_format(self.row, col(c), &*sheet_text(v), self.text)?;
        }
        Ok(())
    }

    fn opt_s<T: AsRef<str>>(&mut self, c: usize, v: Option<T>) -> Result<(), XlsxError> {
        match v {
            Some(v) => self.s(c, v.as_ref()),
            None => Ok(()),
        }
    }

    fn n(&mut self, c: usize, v: Option<i64>) -> Result<(), XlsxError> {
        if let Some(v) = v {
            self.ws.write_number(self.row, col(c), v as f64)?;
        }
        Ok(())
    }

    fn date(&mut self, c: usize, v: Option<chrono::NaiveDate>) -> Result<(), XlsxError> {
        match v {
            Some(d) => self.s(c, &d.format("%Y-%m-%d").to_string()),
            None => Ok(()),
        }
    }

    fn month(&mut self, c: usize, v: Option<Month>) -> Result<(), XlsxError> {
        match v {
            Some(m) => self.s(c, &m.to_string()),
            None => Ok(()),
        }
    }

    fn yn(&mut self, c: usize, v: Option<bool>) -> Result<(), XlsxError> {
        self.opt_s(c, v.map(yes_no))
    }

    fn yuan(&mut self, c: usize, fen: Option<i64>) -> Result<(), XlsxError> {
        if let Some(fen) = fen {
            self.ws
                .write_number_with_format(self.row, col(c), fen as f64 / 100.0, self.yuan)?;
        }
        Ok(())
    }
}

fn build(data: &ExportData) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let f = Formats::new();

    let headers = zh_headers(&PERSON_FIELDS);
    let mut widths = vec![12.0; headers.len()];
    for c in [p::CITIZEN_ID, p::CERTIFICATE_NO] {
        widths[c] = 24.0;
    }
    for c in [p::TOWNSHIP, p::VILLAGE, p::PHONE, p::HOUSEHOLD_ID] {
        widths[c] = 15.0;
    }
    let text_cols = [
        p::CITIZEN_ID,
        p::CERTIFICATE_NO,
        p::TOWNSHIP,
        p::VILLAGE,
        p::HOUSEHOLD_ID,
        p::PHONE,
        p::GUARDIAN_PHONE,
    ];
    let ws = sheet_with_header(&mut wb, "人员", TITLE, &headers, &widths, &text_cols)?;
    for (i, (rec, extras)) in data.rows.iter().enumerate() {
        let row = RowNum::try_from(i + 2).unwrap_or(RowNum::MAX);
        let mut w = RowWriter {
            ws: &mut *ws,
            row,
            text: &f.text,
            yuan: &f.yuan,
        };
        write_person(&mut w, rec, extras)?;
    }

    let headers = zh_headers(&INSTITUTION_FIELDS);
    let mut widths = vec![12.0; headers.len()];
    widths[0] = 30.0;
    widths[1] = 16.0;
    let ws = sheet_with_header(&mut wb, "机构", TITLE, &headers, &widths, &[2])?;
    for (i, inst) in data.institutions.iter().enumerate() {
        let row = RowNum::try_from(i + 2).unwrap_or(RowNum::MAX);
        let mut w = RowWriter {
            ws: &mut *ws,
            row,
            text: &f.text,
            yuan: &f.yuan,
        };
        w.s(0, &inst.name)?;
        w.s(1, inst.kind.zh())?;
        w.s(2, inst.township.as_str())?;
        w.s(3, yes_no(inst.standardized))?;
        w.s(4, yes_no(inst.designated))?;
        w.n(5, inst.beds)?;
        w.n(6, inst.stars)?;
        w.date(7, Some(inst.opened_on))?;
        w.date(8, inst.closed_on)?;
    }

    let headers = zh_headers(&AREA_FIELDS);
    let ws = sheet_with_header(&mut wb, "区划", TITLE, &headers, &[16.0, 20.0, 12.0], &[0])?;
    for (i, a) in data.areas.iter().enumerate() {
        let row = RowNum::try_from(i + 2).unwrap_or(RowNum::MAX);
        let mut w = RowWriter {
            ws: &mut *ws,
            row,
            text: &f.text,
            yuan: &f.yuan,
        };
        w.s(0, a.code.as_str())?;
        w.s(1, &a.name)?;
        w.n(2, a.population)?;
    }
    Ok(wb)
}

fn write_person(
    w: &mut RowWriter<'_>,
    rec: &PersonRecord,
    extras: &RecordExtras,
) -> Result<(), XlsxError> {
    let (pe, c, s) = (&rec.person, &rec.certificate, &rec.survey);
    w.s(p::NAME, &pe.name)?;
    w.s(p::CITIZEN_ID, pe.citizen_id.as_str())?;
    w.s(p::CERTIFICATE_NO, c.number.as_str())?;
    w.s(p::CATEGORY, c.category.zh())?;
    w.s(p::GRADE, c.grade.zh())?;
    if !c.components.is_empty() {
        w.s(p::COMPONENTS, &format_components(&c.components, Lang::Zh))?;
    }
    w.date(p::ISSUED_ON, Some(c.issued_on))?;
    w.date(p::VALID_UNTIL, Some(c.valid_until))?;
    w.s(p::STATUS, c.status.zh())?;
    w.date(p::REVOKED_ON, c.revoked_on)?;
    w.s(p::SMART_CARD, yes_no(c.smart_card))?;
    w.s(p::TOWNSHIP, pe.township.as_str())?;
    match &pe.village {
        Some(v) => w.s(p::VILLAGE, v.as_str())?,
        None => w.opt_s(p::VILLAGE, extras.village_name.as_deref())?,
    }
    w.opt_s(p::HUKOU, pe.hukou_type.map(|h| h.zh()))?;
    w.opt_s(p::HOUSEHOLD_ID, pe.household_id.as_deref())?;
    w.n(p::HOUSEHOLD_SIZE, pe.household_size)?;
    w.opt_s(p::PHONE, pe.phone.as_deref())?;
    w.opt_s(p::GUARDIAN_NAME, pe.guardian_name.as_deref())?;
    w.opt_s(p::GUARDIAN_PHONE, pe.guardian_phone.as_deref())?;
    w.date(p::DIED_ON, pe.died_on)?;
    w.date(p::MOVED_OUT_ON, pe.moved_out_on)?;
    w.opt_s(p::ECONOMIC_STATUS, s.economic_status.map(|v| v.zh()))?;
    w.yuan(p::INCOME, s.income_per_capita_fen)?;
    w.month(p::LIVING_SINCE, s.living_subsidy_since)?;
    w.month(p::LIVING_UNTIL, s.living_subsidy_until)?;
    w.month(p::NURSING_SINCE, s.nursing_subsidy_since)?;
    w.month(p::NURSING_UNTIL, s.nursing_subsidy_until)?;
    w.opt_s(p::PENSION, s.pension_insurance.map(|v| v.zh()))?;
    w.opt_s(p::MEDICAL, s.medical_insurance.map(|v| v.zh()))?;
    w.opt_s(p::EMPLOYMENT, s.employment_status.map(|v| v.zh()))?;
    w.opt_s(
        p::NOT_EMPLOYED_REASON,
        s.not_employed_reason.map(|v| v.zh()),
    )?;
    w.opt_s(p::SCHOOL_STAGE, s.school_stage.map(|v| v.zh()))?;
    w.yn(p::COMPLETED_COMPULSORY, s.completed_compulsory)?;
    w.yn(p::NEEDS_REHAB, s.needs_rehab)?;
    w.yn(p::RECEIVED_REHAB, s.received_rehab)?;
    w.yn(p::NEEDS_DEVICE, s.needs_device)?;
    w.yn(p::DEVICE_FITTED, s.device_fitted)?;
    w.yn(p::NEEDS_HOME_MOD, s.needs_home_modification)?;
    w.yn(p::HOME_MOD_DONE, s.home_modification_done)?;
    w.opt_s(p::CARE_NEED, s.care_need.map(|v| v.zh()))?;
    w.yn(p::RECEIVES_CARE, s.receives_care)?;
    w.yn(p::CULTURE_SPORTS, s.culture_sports)?;
    w.n(p::SURVEY_YEAR, Some(i64::from(s.year)))?;
    Ok(())
}
