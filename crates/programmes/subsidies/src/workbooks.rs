//! The subsidies' workbooks and files: the payroll workbook and the bank file.

#[allow(unused_imports)]
use crate::prelude::*;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use zhucan_domain::Lang;
use zhucan_web::xlsx::{headers, title_format};

/// The payroll workbook: one row per payment (names when known).
pub fn payroll_xlsx(
    month: zhucan_domain::parse::Month,
    status: &str,
    lines: &[crate::store::PayrollLine],
    names: Option<&std::collections::HashMap<String, String>>,
    lang: Lang,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(crate::t(lang, "payroll"))?;
    let total: i64 = lines.iter().map(|l| l.amount_fen).sum();
    ws.write_string_with_format(
        0,
        0,
        format!(
            "{} {month}（{status}）{} {} {}",
            crate::t(lang, "subsidy-payroll-2"),
            crate::t(lang, "total"),
            zhucan_domain::parse::fen_to_yuan(total),
            crate::t(lang, "yuan")
        ),
        &title_format(),
    )?;
    let names_col = names.is_some();
    let mut heads = vec![crate::t(lang, "no")];
    if names_col {
        heads.push(crate::t(lang, "name"));
    }
    heads.extend([
        crate::t(lang, "citizen-id"),
        crate::t(lang, "township-code"),
        crate::t(lang, "subsidy"),
        crate::t(lang, "kind"),
        crate::t(lang, "for-month"),
        crate::t(lang, "amount-yuan"),
    ]);
    let widths: Vec<f64> = heads.iter().map(|_| 16.0).collect();
    headers(ws, 2, &heads, &widths)?;
    let text = Format::new().set_num_format("@");
    let money = Format::new().set_num_format("0.00");
    for (n, l) in lines.iter().enumerate() {
        let r = 3 + n as u32;
        let mut c = 0u16;
        ws.write_number(r, c, (n + 1) as f64)?;
        c += 1;
        if let Some(names) = names {
            ws.write_string(
                r,
                c,
                &*zhucan_domain::parse::sheet_text(
                    names
                        .get(l.citizen_id.as_str())
                        .map(String::as_str)
                        .unwrap_or(""),
                ),
            )?;
            c += 1;
        }
        ws.write_string_with_format(r, c, l.citizen_id.as_str(), &text)?;
        ws.write_string_with_format(r, c + 1, &l.township, &text)?;
        ws.write_string(r, c + 2, l.subsidy.label(lang))?;
        ws.write_string(r, c + 3, kind_label(&l.kind, lang))?;
        ws.write_string(r, c + 4, l.for_month.to_string())?;
        ws.write_number_with_format(r, c + 5, l.amount_fen as f64 / 100.0, &money)?;
    }
    wb.save_to_buffer()
}

/// 正常发放 / 补发 / 追回.
pub fn kind_label(kind: &str, lang: Lang) -> &'static str {
    match kind {
        "arrears" => crate::t(lang, "arrears"),
        "recovery" => crate::t(lang, "recovery"),
        _ => crate::t(lang, "regular"),
    }
}

/// The bank file: one line per person and month of payment, amounts in yuan, UTF-8 with BOM.
pub fn bank_csv(
    month: zhucan_domain::parse::Month,
    lines: &[crate::store::PayrollLine],
    names: &std::collections::HashMap<String, String>,
    accounts: &std::collections::HashMap<String, crate::store::PaymentAccount>,
) -> String {
    let mut out =
        String::from("\u{feff}序号,姓名,公民身份号码,开户银行,银行账号,户名,金额（元）,摘要\r\n");
    let cell = |s: &str| {
        let s = s.replace('"', "\"\"");
        // Keep spreadsheet programs from reading a cell as a formula.
        let s = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s
        };
        format!("\"{s}\"")
    };
    for (n, l) in lines.iter().filter(|l| l.amount_fen > 0).enumerate() {
        let a = accounts.get(l.citizen_id.as_str());
        let memo = format!(
            "{} {}{}",
            l.for_month,
            l.subsidy.zh(),
            if l.kind == "arrears" {
                "（补发）"
            } else {
                ""
            }
        );
        let _ = month;
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\r\n",
            n + 1,
            cell(
                names
                    .get(l.citizen_id.as_str())
                    .map(String::as_str)
                    .unwrap_or("")
            ),
            cell(l.citizen_id.as_str()),
            cell(a.map(|a| a.bank.as_str()).unwrap_or("")),
            cell(a.map(|a| a.account_no.as_str()).unwrap_or("")),
            cell(a.map(|a| a.holder.as_str()).unwrap_or("")),
            zhucan_domain::parse::fen_to_yuan(l.amount_fen),
            cell(&memo)
        ));
    }
    out
}
