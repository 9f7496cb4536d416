//! `zhucan import` and `zhucan export`: the registry workbook on the command line.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use zhucan_domain::{Lang, Localized};
use zhucan_store::Store;
use zhucan_store::registry::Actor;
use zhucan_web::programme::{CliContext, Failure, audit_cli};

/// Rows merged per transaction by the command line (the fastest batches).
const BATCH: usize = 50_000;

/// The registry's commands.
#[derive(Debug, clap::Subcommand)]
pub enum RegistryCommand {
    /// Imports the registry workbook (xlsx or csv).
    Import(ImportArgs),
    /// Writes the registry workbook.
    Export { file: PathBuf },
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    file: PathBuf,
    /// Survey year for rows without 调查年度.
    #[arg(long)]
    survey_year: Option<i32>,
    /// Import nothing if any row is rejected.
    #[arg(long)]
    strict: bool,
    /// Write the rejects and warnings to this .json or .xlsx file.
    #[arg(long)]
    report: Option<PathBuf>,
}

fn bar(len: u64, msg: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({per_sec}, {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(msg.to_string());
    pb
}

/// Runs a command of the programme.
pub async fn run_command(cmd: RegistryCommand, ctx: &CliContext) -> Result<u8, Failure> {
    let store = ctx.open().await?;
    let lang = ctx.lang;
    match cmd {
        RegistryCommand::Import(a) => {
            import(
                &store,
                &a.file,
                a.survey_year,
                a.strict,
                a.report.as_deref(),
                lang,
            )
            .await
        }
        RegistryCommand::Export { file } => {
            let n = crate::export::write_registry(&store, &file, None)
                .await
                .map_err(|e| {
                    Failure::new(format!("导出失败：{e}"), format!("export failed: {e}"))
                })?;
            audit_cli(
                &store,
                "registry.export",
                &file.to_string_lossy(),
                serde_json::json!({"persons": n}),
            )
            .await;
            println!(
                "{}",
                lang.pick(
                    &format!("已导出 {n} 人到 {}", file.display()),
                    &format!("exported {n} persons to {}", file.display())
                )
            );
            Ok(0)
        }
    }
}

/// `zhucan import`: exit 0 when every row is in, 3 when some rows were rejected, 2 when nothing
/// was imported.
pub async fn import(
    store: &Store,
    file: &Path,
    survey_year: Option<i32>,
    strict: bool,
    report: Option<&Path>,
    lang: Lang,
) -> Result<u8, Failure> {
    if let Some(r) = report {
        let ext = r
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if ext != "json" && ext != "xlsx" {
            return Err(Failure::new(
                format!("--report 的文件名“{}”须以 .json 或 .xlsx 结尾", r.display()),
                format!("--report “{}” must end in .json or .xlsx", r.display()),
            )
            .code(2));
        }
    }
    let known = store.areas().await?;
    let opts = zhucan_workbook::ImportOptions {
        survey_year,
        today: chrono::Local::now().date_naive(),
        lang,
    };
    let path = file.to_path_buf();
    let pb = bar(0, crate::t(lang, "reading"));
    let pb2 = pb.clone();
    let parsed = tokio::task::spawn_blocking(move || {
        zhucan_workbook::read_workbook(&path, &known, &opts, &mut |done, total| {
            pb2.set_length(total as u64);
            pb2.set_position(done as u64);
        })
    })
    .await
    .map_err(|e| Failure::new(format!("读取失败：{e}"), format!("reading failed: {e}")))?;
    pb.finish_and_clear();
    let parsed = match parsed {
        Ok(p) => p,
        Err(e) => {
            let name = file.display();
            return Err(Failure::new(
                format!("无法导入 {name}：{}", e.message(Lang::Zh)),
                format!("cannot import {name}: {}", e.message(Lang::En)),
            )
            .code(2));
        }
    };
    let rejected_rows: HashSet<(String, u32)> = parsed
        .rejected
        .iter()
        .map(|i| (i.sheet.clone(), i.row))
        .collect();
    let write_report = |imported: usize,
                        rejected: &[zhucan_workbook::Issue],
                        warnings: &[zhucan_workbook::Issue]|
     -> Result<(), Failure> {
        if let Some(r) = report {
            let res = if r
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
            {
                zhucan_workbook::write_report_xlsx(r, imported, rejected, warnings)
                    .map_err(|e| e.to_string())
            } else {
                zhucan_workbook::write_report_json(r, imported, rejected, warnings)
                    .map_err(|e| e.to_string())
            };
            res.map_err(|e| {
                Failure::new(
                    format!("无法写入报告 {}：{e}", r.display()),
                    format!("cannot write the report {}: {e}", r.display()),
                )
            })?;
        }
        Ok(())
    };
    print_issues(&parsed.rejected, crate::t(lang, "rejected"));
    print_issues(&parsed.warnings, crate::t(lang, "warning"));
    if strict && !parsed.rejected.is_empty() {
        write_report(0, &parsed.rejected, &parsed.warnings)?;
        eprintln!(
            "{}",
            lang.pick(
                &format!(
                    "严格模式：有 {} 行被拒绝，未导入任何数据。",
                    rejected_rows.len()
                ),
                &format!(
                    "strict mode: {} rows rejected, nothing imported.",
                    rejected_rows.len()
                )
            )
        );
        return Ok(2);
    }
    let rejected_n = rejected_rows.len();
    let pb = bar(parsed.persons.len() as u64, crate::t(lang, "writing"));
    let actor = Actor {
        name: "import",
        source: "import",
    };
    let pb2 = pb.clone();
    let summary = crate::import::apply(store, parsed, &actor, BATCH, &mut |done, _| {
        pb2.set_position(done as u64)
    })
    .await?;
    pb.finish_and_clear();
    audit_cli(
        store,
        "registry.import",
        &file.display().to_string(),
        serde_json::json!({"rows": summary.person_rows(), "inserted": summary.inserted, "updated": summary.updated, "unchanged": summary.unchanged, "rejected_rows": rejected_n}),
    )
    .await;
    write_report(summary.imported(), &summary.rejected, &summary.warnings)?;
    println!("{}", summary.line(lang));
    Ok(if rejected_rows.is_empty() { 0 } else { 3 })
}

fn print_issues(issues: &[zhucan_workbook::Issue], kind: &str) {
    const SHOWN: usize = 50;
    for i in issues.iter().take(SHOWN) {
        eprintln!(
            "{kind}: {} {} [{}] “{}” — {}",
            i.sheet, i.row, i.column, i.value, i.message
        );
    }
    if issues.len() > SHOWN {
        eprintln!("{kind}: … (+{})", issues.len() - SHOWN);
    }
}
