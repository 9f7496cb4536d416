//! The year's review as a workbook (xlsx): the employers with their quota, levy or reward
//! and the parameter versions used, and the employees with why each counts or not. The same
//! file comes from `zhucan employment review --format xlsx` (a declaration file) and from the
//! overview page's download (the stored declarations).

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use zhucan_domain::Lang;

use crate::rules::EmployerResult;

/// One employer's line of the workbook.
pub struct ReviewLine<'a> {
    pub name: &'a str,
    pub township: &'a str,
    pub result: &'a EmployerResult,
    /// The parameter versions the review used, comma-separated.
    pub versions: String,
}

/// The workbook's bytes.
pub fn review_xlsx(
    year: i64,
    reviewed: &[ReviewLine<'_>],
    lang: Lang,
) -> Result<Vec<u8>, XlsxError> {
    use zhucan_web::xlsx::{headers, title_format};
    let mut wb = Workbook::new();
    let text = Format::new().set_num_format("@");
    let money = Format::new().set_num_format("0.00");
    let ws = wb
        .add_worksheet()
        .set_name(lang.pick("单位", "employers"))?;
    ws.write_string_with_format(
        0,
        0,
        crate::tf(lang, "review-title", &[("year", year.into())]),
        &title_format(),
    )?;
    let heads: &[&str] = match lang {
        Lang::Zh => &[
            "统一社会信用代码",
            "单位名称",
            "乡镇街道",
            "在职职工平均人数",
            "应安排人数",
            "已安排（计入）",
            "差额",
            "免征",
            "缴纳比例",
            "计征工资（元）",
            "保障金（元）",
            "超比例奖励（元）",
            "参数版本",
        ],
        Lang::En => &[
            "uscc",
            "name",
            "township",
            "average staff",
            "quota",
            "counted",
            "shortfall",
            "exempt",
            "share to pay",
            "levy wage (yuan)",
            "levy (yuan)",
            "reward (yuan)",
            "parameter versions",
        ],
    };
    headers(
        ws,
        1,
        heads,
        &[
            22.0, 28.0, 12.0, 12.0, 10.0, 10.0, 10.0, 8.0, 10.0, 14.0, 14.0, 14.0, 20.0,
        ],
    )?;
    for (i, r) in reviewed.iter().enumerate() {
        let e = r.result;
        let row = 2 + i as u32;
        ws.write_string_with_format(row, 0, e.uscc.as_str(), &text)?;
        ws.write_string(row, 1, zhucan_domain::parse::sheet_text(r.name))?;
        ws.write_string(row, 2, zhucan_domain::parse::sheet_text(r.township))?;
        ws.write_number(row, 3, e.avg_staff())?;
        ws.write_number(row, 4, e.quota())?;
        ws.write_number(row, 5, e.counted as f64)?;
        ws.write_number(row, 6, e.shortfall())?;
        ws.write_string(
            row,
            7,
            if e.exempt {
                lang.pick("是", "yes")
            } else {
                ""
            },
        )?;
        ws.write_number(row, 8, e.pay_share())?;
        ws.write_number_with_format(row, 9, e.levy_wage_e6 as f64 / 1e8, &money)?;
        ws.write_number_with_format(row, 10, e.levy_fen as f64 / 100.0, &money)?;
        ws.write_number_with_format(row, 11, e.reward_fen as f64 / 100.0, &money)?;
        ws.write_string(row, 12, &r.versions)?;
    }
    let ws = wb
        .add_worksheet()
        .set_name(lang.pick("残疾职工", "employees"))?;
    let heads: &[&str] = match lang {
        Lang::Zh => &["统一社会信用代码", "公民身份号码", "计入人数", "不计入原因"],
        Lang::En => &["uscc", "citizen ID", "counts", "reasons"],
    };
    headers(ws, 0, heads, &[22.0, 22.0, 10.0, 40.0])?;
    let mut row = 1;
    for r in reviewed {
        for x in &r.result.employees {
            ws.write_string_with_format(row, 0, r.result.uscc.as_str(), &text)?;
            ws.write_string_with_format(row, 1, x.citizen_id.as_str(), &text)?;
            ws.write_number(row, 2, x.counts as f64)?;
            let reasons: Vec<&str> = x.reasons.iter().map(|k| k.label(lang)).collect();
            ws.write_string(row, 3, reasons.join("；"))?;
            row += 1;
        }
    }
    wb.save_to_buffer()
}
