//! `zhucan employment review --year Y FILE [--format json|xlsx|table] [--out OUT]`: the quota
//! review of the employers' declarations of year Y (`contract.md`), with the parameters in
//! force on Y-12-31 for each employer's township and what the registry says of each employee
//! on that day. A file with any bad cell is refused whole (exit 2), every problem named by
//! sheet, row and column; warnings (an employee not in the registry, a wage that looks
//! monthly) go to standard error and the review is still given.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use clap::Subcommand;
use rust_xlsxwriter::XlsxError;
use serde_json::json;
use zhucan_domain::access::Role;
use zhucan_domain::area::AreaCode;
use zhucan_domain::parse::fen_to_yuan;
use zhucan_domain::policy::ParamKey;
use zhucan_domain::uscc::Uscc;
use zhucan_domain::{Lang, Localized};
use zhucan_store::Store;
use zhucan_web::cli_out::{emit, format_of, json_bytes, xlsx_failed};
use zhucan_web::programme::{CliContext, Failure, account_of_role, bind_account, cli_event};
use zhucan_workbook::declaration::{Declaration, DeclaredEmployer, read_declaration};
use zhucan_workbook::{ImportOptions, Issue};

use crate::export::ReviewLine;
use crate::review::{AreaTerms, Setting, issue_text, line_terms, persons, result_json, standings};
use crate::rules::{self, Employee, Employer, EmployerResult, Standing, Terms};
use crate::store::{Declarant, EmploymentStore};

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
    /// Stores the employers' declarations of year Y from the declaration workbook (whole or
    /// not at all), for staff to confirm on the pages.
    Import {
        #[arg(long)]
        year: i32,
        file: PathBuf,
    },
    /// Binds an account of role `employer` to the employer of a USCC (统一社会信用代码): the
    /// account then sees and declares for that employer only.
    Bind { username: String, uscc: String },
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
        EmploymentSub::Import { year, file } => {
            let store = ctx.open().await?;
            import_command(&store, year, &file, ctx.lang).await
        }
        EmploymentSub::Bind { username, uscc } => {
            let store = ctx.open().await?;
            let uscc =
                Uscc::parse(&uscc).map_err(|e| usage(e.message(Lang::Zh), e.message(Lang::En)))?;
            let user = account_of_role(&store, &username, Role::Employer).await?;
            bind_account(
                &store,
                &user,
                uscc.as_str(),
                ("用人单位", "employer"),
                ctx.lang,
            )
            .await?;
            Ok(0)
        }
    }
}

/// Reads a declaration workbook: refused whole (exit 2, every problem on standard error)
/// when a cell is bad.
fn read_file(file: &std::path::Path, lang: Lang) -> Result<Declaration, Failure> {
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
            eprintln!("{}", issue_text(i, lang));
        }
        return Err(usage(
            format!(
                "申报表有 {} 处错误，未审核任何单位，也未保存：请更正后重新提交",
                decl.rejected.len()
            ),
            format!(
                "the declaration has {} problems; no employer was taken: correct them and run again",
                decl.rejected.len()
            ),
        ));
    }
    Ok(decl)
}

fn year_day(year: i32) -> Result<NaiveDate, Failure> {
    crate::review::judged_on(i64::from(year)).ok_or_else(|| {
        usage(
            format!("--year 的值“{year}”无效：应为 2000–2100 的年份"),
            format!("--year “{year}” is invalid: a year from 2000 to 2100"),
        )
    })
}

async fn import_command(
    store: &Store,
    year: i32,
    file: &std::path::Path,
    lang: Lang,
) -> Result<u8, Failure> {
    let day = year_day(year)?;
    let decl = read_file(file, lang)?;
    let setting = Setting::load(store).await?;
    let mut terms = AreaTerms::new(&setting, day);
    for e in &decl.employers {
        let (_, warnings) = line_terms(&mut terms, &decl.employer_sheet, e, lang)
            .map_err(|x| no_parameter(x, day))?;
        for w in &warnings {
            eprintln!("{}", issue_text(w, lang));
        }
    }
    let list = crate::review::new_declarations(&decl, &setting);
    let event = cli_event(
        "employment.declare",
        &year.to_string(),
        json!({"file": file.display().to_string()}),
    );
    let saved = store
        .save_declarations(
            i64::from(year),
            &list,
            "import",
            Declarant::Staff,
            &event.account,
            &event,
        )
        .await?;
    println!(
        "{}",
        match lang {
            Lang::Zh => format!(
                "{year} 年度申报：新增 {} 家，更新 {} 家，未变 {} 家",
                saved.added, saved.changed, saved.unchanged
            ),
            Lang::En => format!(
                "declarations of {year}: {} added, {} changed, {} unchanged",
                saved.added, saved.changed, saved.unchanged
            ),
        }
    );
    Ok(0)
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
    let day = year_day(year)?;
    let decl = read_file(file, lang)?;
    let mut warnings = decl.warnings.clone();
    // The registry as the indicators read it (the facts of every department included).
    let snap = zhucan_facts::FactsCache::new(store.clone(), Vec::new())
        .snapshot()
        .await?;
    let (results, terms) =
        review_declaration(store, &snap, &decl, day, lang, &mut warnings).await?;
    for w in &warnings {
        eprintln!("{}", issue_text(w, lang));
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
/// order, and the terms each was reviewed under (one shared value per area).
pub async fn review_declaration(
    store: &Store,
    snap: &zhucan_facts::Snapshot,
    decl: &Declaration,
    day: NaiveDate,
    lang: Lang,
    warnings: &mut Vec<Issue>,
) -> Result<(Vec<EmployerResult>, Vec<Arc<Terms>>), Failure> {
    let setting = Setting::load(store).await?;
    let mut area_terms = AreaTerms::new(&setting, day);
    let mut terms = Vec::with_capacity(decl.employers.len());
    for e in &decl.employers {
        let (t, warned) = line_terms(&mut area_terms, &decl.employer_sheet, e, lang)
            .map_err(|x| no_parameter(x, day))?;
        warnings.extend(warned);
        terms.push(t);
    }
    let standing = standings(snap, decl.employees.iter().map(|e| &e.citizen_id), day);
    warnings.extend(crate::review::unknown_persons(decl, &standing, lang));
    let results = review_lines(decl, &terms, &standing);
    Ok((results, terms))
}

/// The rules over a declaration: `terms[i]` is the terms of its employer `i`, `standing[j]`
/// what the registry says of its employee line `j`.
pub fn review_lines(
    decl: &Declaration,
    terms: &[Arc<Terms>],
    standing: &[Option<Standing>],
) -> Vec<EmployerResult> {
    let (employers, employees) = rule_inputs(decl);
    rules::review(
        &employers,
        |i| &*terms[i],
        &employees,
        |j| standing.get(j).copied().flatten(),
    )
}

/// The declaration as the rules read it.
fn rule_inputs(decl: &Declaration) -> (Vec<Employer>, Vec<Employee<'_>>) {
    let employers = decl
        .employers
        .iter()
        .map(|e| Employer {
            uscc: e.uscc.clone(),
            avg_staff_micro: e.avg_staff_micro,
            avg_wage_fen: e.avg_wage_fen,
        })
        .collect();
    let employees = decl
        .employees
        .iter()
        .map(|e| Employee {
            uscc: &e.uscc,
            citizen_id: &e.citizen_id,
            contract_months: e.contract_months,
            monthly_wage_fen: e.monthly_wage_fen,
            insured: e.insured,
        })
        .collect();
    (employers, employees)
}

/// A parameter not in force, as a failure.
fn no_parameter((area, k): (AreaCode, ParamKey), day: NaiveDate) -> Failure {
    Failure::new(
        format!("{area} 在 {day} 没有生效的参数“{}”（{}）", k.zh(), k.key()),
        format!(
            "no parameter “{}” ({}) in force for {area} on {day}",
            k.label(Lang::En),
            k.key()
        ),
    )
}

/// The contract's JSON.
fn review_json(year: i32, reviewed: &[Reviewed<'_>]) -> serde_json::Value {
    json!({
        "year": year,
        "employers": reviewed
            .iter()
            .map(|r| result_json(&r.declared.name, &r.result))
            .collect::<Vec<_>>(),
    })
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
    terms: &[Arc<Terms>],
    lang: Lang,
) -> Result<Vec<u8>, XlsxError> {
    let lines: Vec<ReviewLine<'_>> = reviewed
        .iter()
        .zip(terms)
        .map(|(r, t)| ReviewLine {
            name: &r.declared.name,
            township: &r.declared.township,
            result: &r.result,
            versions: t
                .version
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(","),
        })
        .collect();
    crate::export::review_xlsx(i64::from(year), &lines, lang)
}
