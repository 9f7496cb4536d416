//! Workbooks of the plan's evaluation: the mid-term or final evaluation (every indicator and
//! target of an area and of each of its townships at a date, `zhucan indicators --format xlsx`
//! and the report page's download), and the list behind a drill-down.

#[allow(unused_imports)]
use crate::prelude::*;
use crate::rules::TargetUnit;
use crate::{PlanData, Report, TargetResult};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use zhucan_domain::Lang;
use zhucan_web::xlsx::{header_format, headers, title_format};

fn percent_format() -> Format {
    Format::new().set_num_format("0.00%")
}

/// The status word of a result.
pub fn status_label(s: crate::Status, lang: Lang) -> &'static str {
    s.label(lang)
}

fn write_opt_number(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    v: Option<f64>,
    f: Option<&Format>,
) -> Result<(), XlsxError> {
    match (v, f) {
        (Some(v), Some(f)) => {
            ws.write_number_with_format(r, c, v, f)?;
        }
        (Some(v), None) => {
            ws.write_number(r, c, v)?;
        }
        (None, _) => {
            ws.write_string(r, c, "—")?;
        }
    }
    Ok(())
}

fn indicator_rows(
    ws: &mut Worksheet,
    start: u32,
    report: &Report,
    lang: Lang,
    with_area: bool,
) -> Result<u32, XlsxError> {
    let pct = percent_format();
    let mut r = start;
    for i in &report.indicators {
        let mut c = 0u16;
        if with_area {
            ws.write_string(r, c, &report.area.name)?;
            c += 1;
        }
        ws.write_number(r, c, f64::from(i.id))?;
        ws.write_string(r, c + 1, lang.pick(&i.name, &i.name_en))?;
        ws.write_string(r, c + 2, i.attribute.map(|a| a.label(lang)).unwrap_or("—"))?;
        write_opt_number(ws, r, c + 3, i.baseline, Some(&pct))?;
        write_opt_number(ws, r, c + 4, i.target, Some(&pct))?;
        write_opt_number(ws, r, c + 5, i.numerator.map(|n| n as f64), None)?;
        write_opt_number(ws, r, c + 6, i.denominator.map(|n| n as f64), None)?;
        write_opt_number(ws, r, c + 7, i.value, Some(&pct))?;
        ws.write_string(r, c + 8, i.status.label(lang))?;
        r += 1;
    }
    Ok(r)
}

fn target_value(
    t: &TargetResult,
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    v: Option<f64>,
) -> Result<(), XlsxError> {
    match t.unit {
        TargetUnit::Count => write_opt_number(ws, r, c, v, None),
        _ => write_opt_number(ws, r, c, v, Some(&percent_format())),
    }
}

/// The evaluation workbook: `reports[0]` is the area evaluated, the rest its townships.
pub fn evaluation_xlsx(
    reports: &[Report],
    plan: &PlanData,
    lang: Lang,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let Some(main) = reports.first() else {
        return wb.save_to_buffer();
    };
    let title = format!(
        "{} — {} {}（{}）",
        lang.pick(&plan.plan.name, &plan.plan.name_en),
        main.area.name,
        crate::t(lang, "evaluation"),
        main.reference_date
    );
    let ind_headers = [
        crate::t(lang, "no"),
        crate::t(lang, "indicator-2"),
        crate::t(lang, "attribute"),
        crate::t(lang, "baseline-2020"),
        crate::t(lang, "target-2025"),
        crate::t(lang, "numerator"),
        crate::t(lang, "denominator"),
        crate::t(lang, "value-2"),
        crate::t(lang, "status-2"),
    ];
    let widths = [6.0, 36.0, 9.0, 12.0, 12.0, 10.0, 10.0, 10.0, 10.0];

    let ws = wb.add_worksheet();
    ws.set_name(crate::t(lang, "indicators"))?;
    ws.write_string_with_format(0, 0, &title, &title_format())?;
    ws.write_string(
        1,
        0,
        format!(
            "{}{}　{}{}",
            crate::t(lang, "reference-date"),
            main.reference_date,
            crate::t(lang, "area-2"),
            main.area.name
        ),
    )?;
    headers(ws, 3, &ind_headers, &widths)?;
    indicator_rows(ws, 4, main, lang, false)?;

    if reports.len() > 1 {
        // Township by township, one row per township and indicator.
        let ws = wb.add_worksheet();
        ws.set_name(crate::t(lang, "townships"))?;
        ws.write_string_with_format(0, 0, &title, &title_format())?;
        let mut names = vec![crate::t(lang, "township")];
        names.extend_from_slice(&ind_headers);
        let mut w = vec![14.0];
        w.extend_from_slice(&widths);
        headers(ws, 2, &names, &w)?;
        let mut r = 3;
        for rep in &reports[1..] {
            r = indicator_rows(ws, r, rep, lang, true)?;
        }

        // The values side by side: where the district lags.
        let ws = wb.add_worksheet();
        ws.set_name(crate::t(lang, "comparison"))?;
        ws.write_string_with_format(0, 0, &title, &title_format())?;
        let h = header_format();
        ws.set_column_width(0, 14.0)?;
        ws.write_string_with_format(2, 0, crate::t(lang, "township"), &h)?;
        for (k, i) in main.indicators.iter().enumerate() {
            let c = k as u16 + 1;
            ws.set_column_width(c, 12.0)?;
            ws.write_string_with_format(
                2,
                c,
                format!("{}. {}", i.id, lang.pick(&i.name, &i.name_en)),
                &h,
            )?;
        }
        let behind_col = main.indicators.len() as u16 + 1;
        ws.set_column_width(behind_col, 10.0)?;
        ws.write_string_with_format(2, behind_col, crate::t(lang, "indicators-behind"), &h)?;
        let pct = percent_format();
        for (n, rep) in reports.iter().enumerate() {
            let r = 3 + n as u32;
            ws.write_string(r, 0, &rep.area.name)?;
            for (k, i) in rep.indicators.iter().enumerate() {
                write_opt_number(ws, r, k as u16 + 1, i.value, Some(&pct))?;
            }
            let behind = rep
                .indicators
                .iter()
                .filter(|i| i.status == crate::Status::Behind)
                .count();
            ws.write_number(r, behind_col, behind as f64)?;
        }
    }

    if !main.targets.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name(crate::t(lang, "other-targets"))?;
        ws.write_string_with_format(0, 0, &title, &title_format())?;
        let names = [
            crate::t(lang, "section"),
            crate::t(lang, "target-2"),
            crate::t(lang, "target-value"),
            crate::t(lang, "source"),
            crate::t(lang, "value-2"),
            crate::t(lang, "numerator"),
            crate::t(lang, "denominator"),
            crate::t(lang, "as-of"),
            crate::t(lang, "evidence"),
            crate::t(lang, "status-2"),
        ];
        headers(
            ws,
            2,
            &names,
            &[10.0, 40.0, 10.0, 12.0, 10.0, 10.0, 10.0, 12.0, 30.0, 10.0],
        )?;
        for (n, t) in main.targets.iter().enumerate() {
            let r = 3 + n as u32;
            ws.write_string(r, 0, &t.section)?;
            ws.write_string(r, 1, lang.pick(&t.name, &t.name_en))?;
            target_value(t, ws, r, 2, t.target)?;
            ws.write_string(r, 3, t.measure.label(lang))?;
            target_value(t, ws, r, 4, t.value)?;
            write_opt_number(ws, r, 5, t.numerator.map(|v| v as f64), None)?;
            write_opt_number(ws, r, 6, t.denominator.map(|v| v as f64), None)?;
            ws.write_string(r, 7, t.as_of.map(|d| d.to_string()).unwrap_or_default())?;
            // Staff-entered text: escaped, never read as a formula.
            let evidence = t.evidence.as_deref().unwrap_or_default();
            ws.write_string(r, 8, &*zhucan_domain::parse::sheet_text(evidence))?;
            ws.write_string(r, 9, t.status.label(lang))?;
        }
    }
    wb.save_to_buffer()
}
