//! `zhucan employment review --year Y FILE [--format json|xlsx|table] [--out OUT]`: the quota
//! review of the employers' declarations of year Y (`contract.md`), with the parameters in
//! force on Y-12-31 for each employer's township and what the registry says of each employee
//! on that day. A file with any bad cell is refused whole (exit 2), every problem named by
//! sheet, row and column; warnings (an employee not in the registry, a wage that looks
//! monthly) go to standard error and the review is still given.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Subcommand;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde_json::json;
use zhucan_domain::area::{Area, AreaCode, AreaLevel};
use zhucan_domain::ids::CitizenId;
use zhucan_domain::parse::fen_to_yuan;
use zhucan_domain::person::{governing_on, is_active_over};
use zhucan_domain::{Grade, Lang, Localized};
use zhucan_store::Store;
use zhucan_web::cli_out::{emit, format_of, json_bytes, xlsx_failed};
use zhucan_web::programme::{CliContext, Failure};
use zhucan_workbook::declaration::{Declaration, DeclaredEmployer, read_declaration};
use zhucan_workbook::{ImportOptions, Issue};

use crate::rules::{self, Employee, Employer, EmployerResult, Standing, Terms};

#[derive(Debug, Subcommand)]
pub enum EmploymentCommand {
    /// Employment (残疾人就业).
    Employment {
        #[command(subcommand)]
        command: EmploymentSub,
    },
}

#[derive(Debug, Subcommand)]
pub enum EmploymentSub {
    /// The quota review (按比例就业年审) of the employers' declarations for year Y (the
    /// staff and wages of Y, reviewed in Y+1): quota, employees counted, shortfall, levy and
    /// reward per employer.
    Review {
        /// The declared year.
        #[arg(long)]
        year: i32,
        /// The declaration workbook (sheets 单位 and 残疾职工).
        file: PathBuf,
        /// json, xlsx (needs --out) or table.
        #[arg(long, default_value = "json")]
        format: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn usage(zh: String, en: String) -> Failure {
    Failure::new(zh, en).code(2)
}

/// Runs a command of the programme.
pub async fn run_command(cmd: EmploymentCommand, ctx: &CliContext) -> Result<u8, Failure> {
    let EmploymentCommand::Employment { command } = cmd;
    match command {
        EmploymentSub::Review {
            year,
            file,
            format,
            out,
        } => {
            let format = format_of(&format, out.as_ref())?;
            let store = ctx.open().await?;
            review_command(&store, year, &file, &format, out, ctx.lang).await
        }
    }
}

/// One employer reviewed, with what the outputs need.
struct Reviewed<'a> {
    declared: &'a DeclaredEmployer,
    result: EmployerResult,
}

async fn review_command(
    store: &Store,
    year: i32,
    file: &std::path::Path,
    format: &str,
    out: Option<PathBuf>,
    lang: Lang,
) -> Result<u8, Failure> {
    let day = NaiveDate::from_ymd_opt(year, 12, 31)
        .filter(|_| (2000..=2100).contains(&year))
        .ok_or_else(|| {
            usage(
                format!("--year 的值“{year}”无效：应为 2000–2100 的年份"),
                format!("--year “{year}” is invalid: a year from 2000 to 2100"),
            )
        })?;
    let bytes = std::fs::read(file).map_err(|e| {
        usage(
            format!("无法读取文件 {}：{e}", file.display()),
            format!("cannot read {}: {e}", file.display()),
        )
    })?;
    let opts = ImportOptions {
        survey_year: None,
        today: chrono::Local::now().date_naive(),
        lang,
    };
    let name = file.to_string_lossy();
    let decl = read_declaration(&name, &bytes, &opts)
        .map_err(|e| usage(e.message(Lang::Zh), e.message(Lang::En)))?;
    if !decl.rejected.is_empty() {
        for i in &decl.rejected {
            eprintln!("{}", issue_line(i, lang));
        }
        return Err(usage(
            format!(
                "申报表有 {} 处错误，未审核任何单位：请更正后重新提交",
                decl.rejected.len()
            ),
            format!(
                "the declaration has {} problems; no employer was reviewed: correct them and run again",
                decl.rejected.len()
            ),
        ));
    }
    let mut warnings = decl.warnings.clone();
    let (results, terms) = review_declaration(store, &decl, day, lang, &mut warnings).await?;
    for w in &warnings {
        eprintln!("{}", issue_line(w, lang));
    }
    let reviewed: Vec<Reviewed<'_>> = decl
        .employers
        .iter()
        .zip(results)
        .map(|(declared, result)| Reviewed { declared, result })
        .collect();
    let bytes = match format {
        "json" => json_bytes(&review_json(year, &reviewed))?,
        "xlsx" => review_xlsx(year, &reviewed, &terms, lang).map_err(xlsx_failed)?,
        _ => review_table(year, &reviewed, lang).into_bytes(),
    };
    emit(bytes, out.as_ref(), lang)?;
    Ok(0)
}

/// The review of a declaration read without problems: each employer's result in the file's
/// order, and the terms each was reviewed under (by code).
pub async fn review_declaration(
    store: &Store,
    decl: &Declaration,
    day: NaiveDate,
    lang: Lang,
    warnings: &mut Vec<Issue>,
) -> Result<(Vec<EmployerResult>, HashMap<String, Terms>), Failure> {
    let policy = store.policy().await?;
    let areas = store.areas().await?;
    let district = store.district().await?;
    let mut terms: HashMap<String, Terms> = HashMap::new();
    for e in &decl.employers {
        let area = match township_of(&e.township, &areas) {
            Some(a) => a,
            None => {
                if !e.township.is_empty() {
                    warnings.push(Issue {
                        sheet: decl.employer_sheet.clone(),
                        row: e.row,
                        column: "乡镇街道".into(),
                        value: e.township.clone(),
                        message: lang
                            .pick(
                                "不是本区的乡镇（街道）：按全区的参数审核",
                                "not a township of the district: reviewed with the district's parameters",
                            )
                            .into(),
                    });
                }
                district.clone()
            }
        };
        let t = Terms::resolve(&policy, &area, day).map_err(|k| {
            Failure::new(
                format!("{area} 在 {day} 没有生效的参数“{}”（{}）", k.zh(), k.key()),
                format!(
                    "no parameter “{}” ({}) in force for {area} on {day}",
                    k.label(Lang::En),
                    k.key()
                ),
            )
        })?;
        if e.avg_wage_fen < t.minimum_wage_fen * 12 {
            warnings.push(Issue {
                sheet: decl.employer_sheet.clone(),
                row: e.row,
                column: "职工年平均工资".into(),
                value: fen_to_yuan(e.avg_wage_fen),
                message: match lang {
                    Lang::Zh => format!(
                        "低于最低工资标准 × 12（{} 元）：是否填了月工资？此处应为年平均工资",
                        fen_to_yuan(t.minimum_wage_fen * 12)
                    ),
                    Lang::En => format!(
                        "below the minimum wage × 12 ({} yuan): a monthly wage? This column is the annual average",
                        fen_to_yuan(t.minimum_wage_fen * 12)
                    ),
                },
            });
        }
        terms.insert(e.uscc.to_string(), t);
    }
    let mut standing: HashMap<CitizenId, Option<Standing>> = HashMap::new();
    for e in &decl.employees {
        if standing.contains_key(&e.citizen_id) {
            continue;
        }
        #[expect(
            clippy::disallowed_methods,
            reason = "the operator's quota review reads whether each declared employee held a certificate on the year's last day"
        )]
        let reach = zhucan_store::Reach::system("employment.review");
        let s = store.person_file(&e.citizen_id, &reach).await?.map(|f| {
            let history = f.all_certificates();
            let severe = governing_on(&history, day)
                .is_some_and(|c| matches!(c.grade, Grade::One | Grade::Two));
            Standing {
                active: is_active_over(&f.person, &history, day),
                severe,
            }
        });
        if s.is_none() {
            warnings.push(Issue {
                sheet: decl.employee_sheet.clone(),
                row: e.row,
                column: "公民身份号码".into(),
                value: e.citizen_id.masked(),
                message: lang
                    .pick(
                        "残疾人档案中没有此人：不计入安排人数（unknown_person）",
                        "not in the registry: not counted (unknown_person)",
                    )
                    .into(),
            });
        }
        standing.insert(e.citizen_id.clone(), s);
    }
    let employers: Vec<Employer> = decl
        .employers
        .iter()
        .map(|e| Employer {
            uscc: e.uscc.clone(),
            avg_staff_micro: e.avg_staff_micro,
            avg_wage_fen: e.avg_wage_fen,
        })
        .collect();
    let employees: Vec<Employee> = decl
        .employees
        .iter()
        .map(|e| Employee {
            uscc: e.uscc.clone(),
            citizen_id: e.citizen_id.clone(),
            contract_months: e.contract_months,
            monthly_wage_fen: e.monthly_wage_fen,
            insured: e.insured,
        })
        .collect();
    let results = rules::review(
        &employers,
        &employees,
        |u| terms.get(u.as_str()).cloned(),
        |id| standing.get(id).copied().flatten(),
    )
    .map_err(|u| Failure::new(format!("单位 {u} 没有参数"), format!("no terms for {u}")))?;
    Ok((results, terms))
}

/// The township an employer's `乡镇街道` names: its code, or its name.
fn township_of(text: &str, areas: &[Area]) -> Option<AreaCode> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    areas
        .iter()
        .filter(|a| a.code.level() == AreaLevel::Township)
        .find(|a| a.code.as_str() == t || a.name == t)
        .map(|a| a.code.clone())
}

fn issue_line(i: &Issue, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "“{}”表第 {} 行“{}”列（{}）：{}",
            i.sheet, i.row, i.column, i.value, i.message
        ),
        Lang::En => format!(
            "sheet “{}” row {} column “{}” ({}): {}",
            i.sheet, i.row, i.column, i.value, i.message
        ),
    }
}

/// The contract's JSON.
fn review_json(year: i32, reviewed: &[Reviewed<'_>]) -> serde_json::Value {
    json!({
        "year": year,
        "employers": reviewed.iter().map(|r| {
            let e = &r.result;
            json!({
                "uscc": e.uscc.as_str(),
                "name": r.declared.name,
                "avg_staff": e.avg_staff(),
                "quota": e.quota(),
                "counted": e.counted,
                "shortfall": e.shortfall(),
                "exempt": e.exempt,
                "pay_share": e.pay_share(),
                "levy_fen": e.levy_fen,
                "reward_fen": e.reward_fen,
                "employees": e.employees.iter().map(|x| json!({
                    "citizen_id": x.citizen_id.as_str(),
                    "counts": x.counts,
                    "reasons": x.reasons,
                })).collect::<Vec<_>>(),
            })
        }).collect::<Vec<_>>(),
    })
}

/// A number of persons as the review states it (up to six decimals, no trailing zeros).
fn persons(v: f64) -> String {
    let s = format!("{v:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn review_table(year: i32, reviewed: &[Reviewed<'_>], lang: Lang) -> String {
    let mut s = crate::tf(lang, "review-title", &[("year", year.into())]);
    s.push('\n');
    s.push_str(match lang {
        Lang::Zh => "统一社会信用代码\t单位名称\t在职职工\t应安排\t已安排\t差额\t缴纳比例\t保障金(元)\t奖励(元)\n",
        Lang::En => "uscc\tname\tstaff\tquota\tcounted\tshortfall\tshare\tlevy (yuan)\treward (yuan)\n",
    });
    for r in reviewed {
        let e = &r.result;
        let share = if e.exempt {
            lang.pick("免征", "exempt").to_string()
        } else {
            format!("{}%", persons(e.pay_share() * 100.0))
        };
        s.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{share}\t{}\t{}\n",
            e.uscc,
            r.declared.name,
            persons(e.avg_staff()),
            persons(e.quota()),
            e.counted,
            persons(e.shortfall()),
            fen_to_yuan(e.levy_fen),
            fen_to_yuan(e.reward_fen),
        ));
    }
    let levy: i64 = reviewed.iter().map(|r| r.result.levy_fen).sum();
    let reward: i64 = reviewed.iter().map(|r| r.result.reward_fen).sum();
    s.push_str(&match lang {
        Lang::Zh => format!(
            "共 {} 家单位；保障金合计 {} 元，奖励合计 {} 元\n",
            reviewed.len(),
            fen_to_yuan(levy),
            fen_to_yuan(reward)
        ),
        Lang::En => format!(
            "{} employers; levy {} yuan, rewards {} yuan in all\n",
            reviewed.len(),
            fen_to_yuan(levy),
            fen_to_yuan(reward)
        ),
    });
    s
}

/// The review as a workbook: one sheet of employers, one of the employees and their reasons.
fn review_xlsx(
    year: i32,
    reviewed: &[Reviewed<'_>],
    terms: &HashMap<String, Terms>,
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
        let e = &r.result;
        let row = 2 + i as u32;
        ws.write_string_with_format(row, 0, e.uscc.as_str(), &text)?;
        ws.write_string(row, 1, zhucan_domain::parse::sheet_text(&r.declared.name))?;
        ws.write_string(
            row,
            2,
            zhucan_domain::parse::sheet_text(&r.declared.township),
        )?;
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
        let version = terms
            .get(e.uscc.as_str())
            .map(|t| {
                t.version
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default();
        ws.write_string(row, 12, version)?;
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
