//! `zhucan import` and `zhucan export`: the registry workbook on the command line.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use zhucan_domain::{Lang, Localized};
use zhucan_store::Store;
use zhucan_store::import_runs::{NewRun, RunEnd, RunStatus};
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
    let name = file.display().to_string();
    let bytes = std::fs::read(file).map_err(|e| {
        Failure::new(
            format!("无法导入 {name}：无法读取文件（{e}）"),
            format!("cannot import {name}: the file cannot be read ({e})"),
        )
        .code(2)
    })?;
    let known = store.areas().await?;
    let opts = zhucan_workbook::ImportOptions {
        survey_year,
        today: chrono::Local::now().date_naive(),
        lang,
    };
    // The run is recorded (with its audit record) before anything is read or written: a kill
    // at any point leaves it on record, and it then reads as interrupted.
    let mut start = zhucan_web::programme::cli_event(
        "registry.import.start",
        &name,
        serde_json::json!({"via": "cli", "strict": strict}),
    );
    start.outcome = "running".into();
    let operator = start.account.clone();
    let run = store
        .start_import_run(
            &NewRun {
                file_name: &name,
                file_sha256: &crate::import::sha256_hex(&bytes),
                actor: &operator,
            },
            &start,
        )
        .await?;
    let _beat = crate::import::heartbeat(store, &run);
    let end = |status: RunStatus, rows_total: usize, rejected: usize, message: &str| {
        let mut e = zhucan_web::programme::cli_event(
            "registry.import",
            &name,
            serde_json::json!({"via": "cli"}),
        );
        e.outcome = match status {
            RunStatus::Done => "ok",
            other => other.key(),
        }
        .to_string();
        let (run, message) = (run.clone(), message.to_string());
        async move {
            store
                .finish_import_run(
                    &run,
                    &RunEnd {
                        status,
                        rows_total: i64::try_from(rows_total).unwrap_or(i64::MAX),
                        rejected: i64::try_from(rejected).unwrap_or(i64::MAX),
                        message: &message,
                    },
                    &e,
                )
                .await
        }
    };
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let pb = bar(0, crate::t(lang, "reading"));
    let pb2 = pb.clone();
    let parsed = tokio::task::spawn_blocking(move || {
        zhucan_workbook::read_bytes(&file_name, &bytes, &known, &opts, &mut |done, total| {
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
            end(RunStatus::Failed, 0, 0, &e.message(Lang::En)).await?;
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
    let rejected_n = rejected_rows.len();
    let rows_total = parsed.persons.len();
    if strict && !parsed.rejected.is_empty() {
        end(
            RunStatus::Failed,
            rows_total,
            rejected_n,
            "strict mode: rows rejected, nothing imported",
        )
        .await?;
        write_report(0, &parsed.rejected, &parsed.warnings)?;
        eprintln!(
            "{}",
            crate::tf(
                lang,
                "strict-mode-rejected-n-rows-rejected",
                &[("rejected_n", rejected_n.to_string().into())]
            )
        );
        return Ok(2);
    }
    let pb = bar(rows_total as u64, crate::t(lang, "writing"));
    let actor = Actor {
        name: "import",
        source: "import",
    };
    let pb2 = pb.clone();
    let summary = crate::import::apply(store, parsed, &actor, BATCH, &run, &mut |done, _| {
        pb2.set_position(done as u64)
    })
    .await;
    pb.finish_and_clear();
    let summary = match summary {
        Ok(s) => s,
        Err(e) => {
            if let Err(e2) = end(
                RunStatus::Interrupted,
                rows_total,
                rejected_n,
                &e.to_string(),
            )
            .await
            {
                tracing::error!(error = %e2, "import run could not be closed");
            }
            return Err(e.into());
        }
    };
    end(RunStatus::Done, rows_total, rejected_n, "").await?;
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
