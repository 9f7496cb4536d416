//! `zhucan feed import KIND FILE` and `zhucan records import KIND FILE` (`contract.md`): the
//! operator on the server drops a department's file or an institution's monthly list. Exit 0:
//! every row applied or unchanged; 3: some rows unmatched or rejected (the rest applied); 2:
//! nothing applied (unreadable file, missing column, another kind's file).

use std::path::PathBuf;

use clap::Subcommand;
use zhucan_domain::Lang;
use zhucan_domain::ledger::FactKind;
use zhucan_store::Store;
use zhucan_web::programme::{CliContext, Failure, operator};

use crate::run::{Body, Report, Sender, submit};

#[derive(Debug, Subcommand)]
pub enum FeedsCommand {
    /// A partner department's feed (civil_affairs, public_security, insurance, employment,
    /// health, education).
    Feed {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Programme records (rehab_service, device_fitting, device_loan, home_modification,
    /// event_attendance).
    Records {
        #[command(subcommand)]
        command: ImportCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Imports one file of one kind (.xlsx, .xls, .ods or .csv).
    Import {
        kind: String,
        file: PathBuf,
        /// Writes the run's report as JSON.
        #[arg(long)]
        report: Option<PathBuf>,
    },
}

fn unknown_kind(kind: &str, feeds: bool) -> Failure {
    let list = if feeds {
        FactKind::keys(&FactKind::FEEDS)
    } else {
        FactKind::keys(&FactKind::RECORDS)
    };
    Failure::new(
        format!("未知的数据类型“{kind}”：应为 {list} 之一"),
        format!("unknown kind “{kind}”: use one of {list}"),
    )
    .code(2)
}

/// Runs a command of the programme.
pub async fn run_command(cmd: FeedsCommand, ctx: &CliContext) -> Result<u8, Failure> {
    let (feeds, ImportCommand::Import { kind, file, report }) = match cmd {
        FeedsCommand::Feed { command } => (true, command),
        FeedsCommand::Records { command } => (false, command),
    };
    let k = if feeds {
        FactKind::feed(&kind)
    } else {
        FactKind::record(&kind)
    }
    .ok_or_else(|| unknown_kind(&kind, feeds))?;
    let lang = ctx.lang;
    let bytes = std::fs::read(&file).map_err(|e| {
        Failure::new(
            format!("无法读取文件 {}：{e}", file.display()),
            format!("cannot read {}: {e}", file.display()),
        )
        .code(2)
    })?;
    let store = ctx.open().await?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let r = import(&store, k, name, bytes, lang).await?;
    if let Some(out) = report {
        let json = serde_json::to_vec_pretty(&r).unwrap_or_default();
        std::fs::write(&out, json).map_err(|e| {
            Failure::new(
                format!("无法写入报告 {}：{e}", out.display()),
                format!("cannot write the report {}: {e}", out.display()),
            )
        })?;
    }
    if let Some(e) = &r.error {
        return Err(Failure::new(e.clone(), e.clone()).code(2));
    }
    println!("{}", summary(&r, lang));
    for u in r.unmatched.iter().take(20) {
        eprintln!("  {} {}: {}", u.row, u.citizen_id, u.reason);
    }
    for i in r.rejected.iter().take(20) {
        eprintln!(
            "  {}!{} {} “{}”: {}",
            i.sheet, i.row, i.column, i.value, i.message
        );
    }
    Ok(r.exit_code())
}

/// One file, as the operator's run.
pub async fn import(
    store: &Store,
    kind: FactKind,
    name: String,
    bytes: Vec<u8>,
    lang: Lang,
) -> Result<Report, Failure> {
    let sender = Sender {
        account: format!("cli:{}", operator()),
        role: None,
        area: store.district().await?,
        department: None,
        client: "cli".into(),
    };
    submit(
        store,
        kind,
        "file",
        Body::File { name, bytes },
        &sender,
        None,
        lang,
    )
    .await
    .map_err(|e| {
        Failure::new(
            format!("数据库操作失败：{e}"),
            format!("database operation failed: {e}"),
        )
    })
}

/// The one-line summary.
pub fn summary(r: &Report, lang: Lang) -> String {
    crate::tf(
        lang,
        "run-summary",
        &[
            ("kind", r.kind.into()),
            ("received", r.received.into()),
            ("matched", r.matched.into()),
            ("changed", r.changed.into()),
            ("unchanged", r.unchanged.into()),
            ("unmatched", (r.unmatched.len() as i64).into()),
            ("rejected", (r.rejected.len() as i64).into()),
        ],
    )
}
