//! `zhucan token` and `zhucan audit` (contract.md): an operator on the server issues an API
//! token for an account, checks the audit trail's hash chain, purges it by the retention
//! setting. Every action is audited as the operator's.

use clap::Subcommand;
use zhucan_domain::{Lang, Localized};
use zhucan_store::Store;
use zhucan_store::audit::Purge;
use zhucan_web::programme::{CliContext, Failure, audit_cli, operator};

/// The programme's commands.
#[derive(Debug, Subcommand)]
pub enum AccessCommand {
    /// API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Checks the hash chain: exit 0 when intact, 1 naming the first broken record.
    Verify,
    /// Deletes the records older than the retention setting (or than --before, which may not
    /// lie inside it) and leaves a chain anchor; the purge is recorded.
    Purge {
        /// Purge records before this date (YYYY-MM-DD, UTC midnight). Default: now minus the
        /// retention setting (6 months unless the security administrator set more).
        #[arg(long)]
        before: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Issues an API token for an account; prints the token alone.
    Create {
        username: String,
        /// Lifetime such as 30d, 12h, 90m (default 30d).
        #[arg(long, default_value = "30d")]
        expires: String,
        /// read (GET requests only) or read_write (every right of the account; the default,
        /// as before scopes existed).
        #[arg(long, default_value = "read_write")]
        scope: String,
    },
}

/// Runs a command of the programme.
pub async fn run_command(cmd: AccessCommand, ctx: &CliContext) -> Result<u8, Failure> {
    let store = ctx.open().await?;
    let lang = ctx.lang;
    match cmd {
        AccessCommand::Token {
            command:
                TokenCommand::Create {
                    username,
                    expires,
                    scope,
                },
        } => {
            let scope = zhucan_domain::access::TokenScope::parse(&scope).ok_or_else(|| {
                Failure::new(
                    format!("--scope 的值“{scope}”无效：应为 read（只读）或 read_write（读写）"),
                    format!("--scope “{scope}” is invalid: use read or read_write"),
                )
                .code(2)
            })?;
            let ttl = zhucan_domain::access::parse_lifetime(&expires).ok_or_else(|| {
                Failure::new(
                    format!("--expires 的值“{expires}”无效：应写成 30d、12h 或 90m"),
                    format!("--expires “{expires}” is invalid: write 30d, 12h or 90m"),
                )
                .code(2)
            })?;
            let user = store.user_by_username(&username).await?.ok_or_else(|| {
                Failure::new(
                    format!("没有名为“{username}”的账户"),
                    format!("there is no account named “{username}”"),
                )
                .code(2)
            })?;
            let label = format!("cli:{}", operator());
            let (token, id, expires_at) =
                zhucan_web::auth::issue_token(&store, &user, ttl, scope, &label).await?;
            audit_cli(
                &store,
                "token.create",
                &username,
                serde_json::json!({"token": id, "scope": scope.key(), "expires_at": expires_at}),
            )
            .await;
            println!("{token}");
            Ok(0)
        }
        AccessCommand::Audit {
            command: AuditCommand::Verify,
        } => match store.verify_audit().await? {
            zhucan_store::audit::AuditCheck::Intact { records, first } => {
                let from = if first > 1 {
                    lang.pick(
                            &format!("（第 {} 条以前的记录已按保存期限清理，从锚点起校验）", first),
                            &format!(" (records before {first} were purged by retention; verified from the anchor)"),
                        )
                        .to_string()
                } else {
                    String::new()
                };
                println!(
                    "{}",
                    crate::tf(
                        lang,
                        "audit-trail-intact-records-records-hash",
                        &[
                            ("from", from.to_string().into()),
                            ("records", records.to_string().into())
                        ]
                    )
                );
                Ok(0)
            }
            zhucan_store::audit::AuditCheck::Broken { seq, reason } => Err(Failure::new(
                format!("审计日志被篡改：第 {seq} 条记录校验失败（{reason}）。"),
                format!("audit trail broken: record {seq} does not verify ({reason})."),
            )),
        },
        AccessCommand::Audit {
            command: AuditCommand::Purge { before },
        } => purge_audit(&store, before.as_deref(), lang).await,
    }
}

/// `zhucan audit purge [--before DATE]`: exit 0 after a purge (also of nothing), 2 for a date
/// inside the retention setting, 1 when the trail does not verify (nothing deleted).
pub async fn purge_audit(store: &Store, before: Option<&str>, lang: Lang) -> Result<u8, Failure> {
    let policy = zhucan_web::policy::Policy::in_force(store).await?;
    let now = chrono::Utc::now();
    let keep_from = policy.audit_keep_from(now);
    let cut = match before {
        None => keep_from,
        Some(text) => {
            let date = zhucan_domain::parse::parse_date(text).map_err(|e| {
                Failure::new(
                    format!("--before 的值“{text}”无效：{}", e.message(Lang::Zh)),
                    format!("--before “{text}” is invalid: {}", e.message(Lang::En)),
                )
                .code(2)
            })?;
            let at = date
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc())
                .ok_or_else(|| Failure::new("日期无效", "invalid date").code(2))?;
            if at > keep_from {
                return Err(Failure::new(
                    format!(
                        "--before {text} 在审计日志保存期限（{} 个月，即 {} 以后的记录须保留）之内：拒绝清理",
                        policy.audit_retention_months,
                        keep_from.format("%Y-%m-%d")
                    ),
                    format!(
                        "--before {text} lies inside the audit retention ({} months: records from {} on must be kept): nothing purged",
                        policy.audit_retention_months,
                        keep_from.format("%Y-%m-%d")
                    ),
                )
                .code(2));
            }
            at
        }
    };
    let event = zhucan_web::maintenance::purge_event(
        &format!("cli:{}", operator()),
        "operator",
        "cli",
        serde_json::json!({"retention_months": policy.audit_retention_months, "trigger": "cli"}),
    );
    match store.purge_audit(cut, now, event).await? {
        Purge::Done { purged, anchor, .. } => {
            let day = cut.format("%Y-%m-%d %H:%M UTC");
            println!(
                "{}",
                match (lang, anchor) {
                    (Lang::Zh, Some(a)) => format!(
                        "已清理 {purged} 条早于 {day} 的审计记录；锚点：第 {} 条（哈希 {}…）。",
                        a.seq,
                        a.hash.get(..12).unwrap_or(&a.hash)
                    ),
                    (Lang::En, Some(a)) => format!(
                        "purged {purged} audit records older than {day}; anchor: record {} (hash {}…).",
                        a.seq,
                        a.hash.get(..12).unwrap_or(&a.hash)
                    ),
                    (Lang::Zh, None) => format!("没有早于 {day} 的审计记录，未清理任何记录。"),
                    (Lang::En, None) =>
                        format!("no audit records older than {day}; nothing purged."),
                }
            );
            Ok(0)
        }
        Purge::TooRecent { latest_allowed } => Err(Failure::new(
            format!("清理截止时间须早于 {latest_allowed}（至少保留 6 个月）：拒绝清理"),
            format!(
                "the cut must be before {latest_allowed} (6 months are always kept): nothing purged"
            ),
        )
        .code(2)),
        Purge::Broken { seq, reason } => Err(Failure::new(
            format!("审计日志校验失败（第 {seq} 条：{reason}）：为保留证据，未清理任何记录。"),
            format!(
                "the audit trail does not verify (record {seq}: {reason}): nothing purged, to keep the evidence."
            ),
        )),
    }
}
