//! `zhucan` — the command line of the digital Disabled Persons' Federation platform.
//! See `contract.md` for the commands other programs rely on.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use zhucan_domain::Lang;

mod indicators;
mod ops;
mod subsidies;

#[derive(Parser)]
#[command(
    name = "zhucan",
    version,
    about = "助残 · 数字残联 — the digital Disabled Persons' Federation platform"
)]
struct Cli {
    /// Database: sqlite://PATH (default, created on first use) or postgres://…
    #[arg(
        long,
        global = true,
        env = "ZHUCAN_DATABASE_URL",
        default_value = "sqlite://zhucan.db"
    )]
    database_url: String,
    /// Language of messages: zh or en (default from LANG, else zh).
    #[arg(long, global = true)]
    lang: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the web service.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Load the demo district into an empty database first and print the demo accounts.
        #[arg(long)]
        demo: bool,
        /// Persons in the demo data set.
        #[arg(long, default_value_t = 25_000)]
        demo_persons: usize,
        /// Mark cookies Secure (when served behind TLS).
        #[arg(long, env = "ZHUCAN_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Idle session timeout in minutes (the default until the security administrator
        /// sets one at /security/settings).
        #[arg(long, default_value_t = 30)]
        session_idle_minutes: u64,
        /// The file holding the server key that seals TOTP secrets (64 hex characters).
        /// Default: ZHUCAN_SECRET_KEY, else DATABASE.key next to a SQLite database (created on
        /// first start, mode 0600).
        #[arg(long, env = "ZHUCAN_SECRET_KEY_FILE")]
        secret_key_file: Option<PathBuf>,
        /// The file holding the key that signs electronic-certificate codes (64 hex
        /// characters, an Ed25519 seed). Default: ZHUCAN_CERT_KEY, else DATABASE.cert-key next
        /// to a SQLite database (created on first start, mode 0600).
        #[arg(long, env = "ZHUCAN_CERT_KEY_FILE")]
        cert_key_file: Option<PathBuf>,
        /// Lifetime of a certificate code (QR code) in minutes.
        #[arg(long, default_value_t = 5)]
        cert_code_minutes: u64,
        /// The public address of the service, for the verification links in certificate
        /// codes (e.g. https://zhucan.example.gov.cn). Default: the address the browser used.
        #[arg(long, env = "ZHUCAN_PUBLIC_URL")]
        public_url: Option<String>,
    },
    /// Loads a synthetic district into an empty database.
    Demo {
        #[arg(long, default_value_t = 25_000)]
        persons: usize,
        #[arg(long, default_value_t = 2025)]
        seed: u64,
    },
    /// Imports the registry workbook (xlsx or csv).
    Import(ImportArgs),
    /// Writes the registry workbook.
    Export { file: PathBuf },
    /// Accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// A consistent copy of the database while the service runs.
    Backup { file: PathBuf },
    /// The two subsidies: the 应补尽补 audit, the payroll, one person's explanation.
    Subsidies {
        #[command(subcommand)]
        command: SubsidiesCommand,
    },
    /// The plan's 14 indicators (indicators.md) for a date and an area.
    Indicators {
        /// Reference date (default today).
        #[arg(long)]
        at: Option<String>,
        /// District, township or village code (default: the district).
        #[arg(long)]
        area: Option<String>,
        /// The district GDP growth to judge indicator 1 against (6.5% or 0.065); default: the
        /// rate entered for the year.
        #[arg(long)]
        gdp_growth: Option<String>,
        /// table, json or xlsx (the evaluation workbook; needs --out).
        #[arg(long, default_value = "table")]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum SubsidiesCommand {
    /// Eligible persons not receiving and persons receiving who are not eligible, at a month.
    Audit {
        #[arg(long)]
        month: String,
        #[arg(long)]
        area: Option<String>,
        /// table, json or xlsx (needs --out).
        #[arg(long, default_value = "table")]
        format: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The month's payments (the closed payroll once approved, else the live draft).
    Payroll {
        #[arg(long)]
        month: String,
        #[arg(long)]
        area: Option<String>,
        /// table, json or xlsx (needs --out).
        #[arg(long, default_value = "table")]
        format: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Each subsidy's decision for one person and month, condition by condition.
    Explain {
        citizen_id: String,
        #[arg(long)]
        month: String,
        /// text or json.
        #[arg(long, default_value = "text")]
        format: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
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

#[derive(Args)]
struct ImportArgs {
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

#[derive(Subcommand)]
enum UserCommand {
    /// Creates an account; the password is read from standard input.
    Add {
        username: String,
        #[arg(long)]
        role: String,
        /// Area code (default: the district).
        #[arg(long)]
        area: Option<String>,
        /// For citizen accounts: the citizen ID of the person (repeat for a guardian's wards;
        /// the first is the account's own file unless `--guardian`).
        #[arg(long)]
        person: Vec<String>,
        /// The account is a guardian's: every `--person` is a ward.
        #[arg(long)]
        guardian: bool,
    },
    /// Lists accounts.
    List,
    /// Gives an account another role (and area): its sessions end and its tokens are revoked.
    SetRole {
        username: String,
        #[arg(long)]
        role: String,
        /// Area code (default: the account's current area).
        #[arg(long)]
        area: Option<String>,
    },
    /// Disables an account: its sessions end and its tokens are revoked.
    Disable { username: String },
    /// Enables a disabled account again.
    Enable { username: String },
}

#[derive(Subcommand)]
enum TokenCommand {
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

/// A failure explained in both languages.
pub struct Failure {
    pub zh: String,
    pub en: String,
    pub code: u8,
}

impl Failure {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Failure {
            zh: zh.into(),
            en: en.into(),
            code: 1,
        }
    }

    pub fn code(mut self, code: u8) -> Self {
        self.code = code;
        self
    }
}

impl From<zhucan_store::StoreError> for Failure {
    fn from(e: zhucan_store::StoreError) -> Self {
        Failure::new(
            format!("数据库操作失败：{e}"),
            format!("database operation failed: {e}"),
        )
    }
}

fn lang_of(cli_lang: Option<&str>) -> Lang {
    cli_lang
        .and_then(Lang::from_tag)
        .or_else(|| {
            std::env::var("LANG")
                .ok()
                .as_deref()
                .and_then(Lang::from_tag)
        })
        .unwrap_or_default()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = lang_of(cli.lang.as_deref());
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ZHUCAN_LOG").unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("warn,zhucan=info,zhucan_web=info")
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!(
                "{}",
                lang.pick(
                    &format!("无法启动运行时：{e}"),
                    &format!("cannot start the runtime: {e}")
                )
            );
            return ExitCode::from(1);
        }
    };
    // Panics are bugs: their details go to the log at debug level, the user reads one sentence.
    std::panic::set_hook(Box::new(|info| tracing::debug!("panic: {info}")));
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rt.block_on(run(cli, lang)))) {
        Ok(Ok(code)) => ExitCode::from(code),
        Ok(Err(f)) => {
            eprintln!("{}", lang.pick(&f.zh, &f.en));
            ExitCode::from(f.code)
        }
        Err(_) => {
            eprintln!(
                "{}",
                lang.pick(
                    "内部错误：操作未完成；已提交的数据完整，未完成的部分没有写入（设置 ZHUCAN_LOG=debug 可查看详情）。",
                    "internal error: the operation did not complete; what was committed is whole and the rest was not written (set ZHUCAN_LOG=debug for details)."
                )
            );
            ExitCode::from(70)
        }
    }
}

async fn open(url: &str) -> Result<zhucan_store::Store, Failure> {
    zhucan_store::Store::open(url).await.map_err(|e| {
        Failure::new(
            format!("无法打开数据库 {url}：{e}"),
            format!("cannot open the database {url}: {e}"),
        )
    })
}

async fn run(cli: Cli, lang: Lang) -> Result<u8, Failure> {
    match cli.command {
        Command::Serve {
            addr,
            demo,
            demo_persons,
            secure_cookies,
            session_idle_minutes,
            secret_key_file,
            cert_key_file,
            cert_code_minutes,
            public_url,
        } => {
            // Options and the certificate key first: neither needs the database.
            let public_url = public_url
                .as_deref()
                .filter(|u| !u.trim().is_empty())
                .map(zhucan_web::ecert::parse_public_url)
                .transpose()
                .map_err(|e| Failure::new(e.zh, e.en).code(2))?;
            if !(1..=1440).contains(&cert_code_minutes) {
                return Err(Failure::new(
                    format!("--cert-code-minutes（“{cert_code_minutes}”）无效：应为 1 到 1440 的整数"),
                    format!("--cert-code-minutes (“{cert_code_minutes}”) is invalid: it must be a whole number from 1 to 1440"),
                )
                .code(2));
            }
            let cert_env = std::env::var(zhucan_web::ecert::KEY_ENV).ok();
            let (cert_key, cert_source) = zhucan_web::ecert::resolve_key(
                cert_env.as_deref(),
                cert_key_file.as_deref(),
                &cli.database_url,
            )
            .map_err(|e| Failure::new(e.zh, e.en).code(2))?;
            match &cert_source {
                zhucan_web::secrets::KeySource::Generated(path) => {
                    tracing::warn!(path = %path.display(), kid = %cert_key.kid(), "generated a new certificate signing key (mode 0600)");
                    eprintln!(
                        "{}",
                        lang.pick(
                            &format!("已生成电子证照签名密钥文件 {}（权限 0600）：请妥善保管，切勿提交到代码库。", path.display()),
                            &format!("Generated the certificate signing key file {} (mode 0600): keep it safe and never commit it.", path.display())
                        )
                    );
                }
                zhucan_web::secrets::KeySource::File(path) => {
                    tracing::info!(path = %path.display(), kid = %cert_key.kid(), "certificate signing key read from file")
                }
                zhucan_web::secrets::KeySource::Env => {
                    tracing::info!(kid = %cert_key.kid(), "certificate signing key read from ZHUCAN_CERT_KEY")
                }
            }
            let store = open(&cli.database_url).await?;
            let env_key = std::env::var(zhucan_web::secrets::KEY_ENV).ok();
            let (key, source) = zhucan_web::secrets::resolve_key(
                &store,
                env_key.as_deref(),
                secret_key_file.as_deref(),
                &cli.database_url,
            )
            .await
            .map_err(|e| Failure::new(e.zh, e.en).code(2))?;
            match &source {
                zhucan_web::secrets::KeySource::Generated(path) => {
                    tracing::warn!(path = %path.display(), "generated a new server key for TOTP secrets (mode 0600): back it up with the database");
                    eprintln!(
                        "{}",
                        lang.pick(
                            &format!("已生成服务器密钥文件 {}（权限 0600），用于加密双重验证密钥：请与数据库一同备份，切勿提交到代码库。", path.display()),
                            &format!("Generated the server key file {} (mode 0600) that seals two-step secrets: back it up with the database and never commit it.", path.display())
                        )
                    );
                }
                zhucan_web::secrets::KeySource::File(path) => {
                    tracing::info!(path = %path.display(), "server key read from file")
                }
                zhucan_web::secrets::KeySource::Env => {
                    tracing::info!("server key read from ZHUCAN_SECRET_KEY")
                }
            }
            let sealed = zhucan_web::secrets::seal_plain_secrets(&store, &key).await?;
            if sealed > 0 {
                tracing::info!(
                    accounts = sealed,
                    "sealed TOTP secrets stored before encryption"
                );
            }
            if demo {
                if store.is_empty().await? {
                    eprintln!(
                        "{}",
                        lang.pick("正在生成演示数据……", "Loading the demo district…")
                    );
                    ops::load_demo(&store, demo_persons, 2025, lang).await?;
                }
                ops::ensure_demo_accounts(&store).await?;
                ops::print_demo_accounts(&store, lang).await?;
            }
            let config = zhucan_web::Config {
                secure_cookies,
                session_idle: std::time::Duration::from_secs(session_idle_minutes.max(1) * 60),
                maintenance_every: Some(std::time::Duration::from_secs(24 * 3600)),
                secret_key: Some(key),
                cert_key: Some(cert_key),
                cert_token_ttl: std::time::Duration::from_secs(cert_code_minutes * 60),
                public_url,
                ..zhucan_web::Config::default()
            };
            let state = zhucan_web::AppState::new(store, config);
            zhucan_web::serve(state, addr, |bound| {
                println!(
                    "{}",
                    lang.pick(
                        &format!("服务已启动：请在浏览器中打开 http://{bound}/ （按 Ctrl-C 停止）"),
                        &format!("Serving: open http://{bound}/ in a browser (Ctrl-C stops)")
                    )
                );
            })
            .await
            .map_err(|e| {
                Failure::new(
                    format!("无法在 {addr} 上提供服务：{e}"),
                    format!("cannot serve on {addr}: {e}"),
                )
            })?;
            Ok(0)
        }
        Command::Demo { persons, seed } => {
            let store = open(&cli.database_url).await?;
            if !store.is_empty().await? {
                return Err(Failure::new(
                    "数据库中已有人员数据；演示数据只能载入空数据库。",
                    "the database already holds persons; the demo loads into an empty database only.",
                )
                .code(2));
            }
            ops::load_demo(&store, persons, seed, lang).await?;
            ops::ensure_demo_accounts(&store).await?;
            Ok(0)
        }
        Command::Import(a) => {
            let store = open(&cli.database_url).await?;
            ops::import(
                &store,
                &a.file,
                a.survey_year,
                a.strict,
                a.report.as_deref(),
                lang,
            )
            .await
        }
        Command::Export { file } => {
            let store = open(&cli.database_url).await?;
            let n = zhucan_web::export::write_registry(&store, &file, None)
                .await
                .map_err(|e| {
                    Failure::new(format!("导出失败：{e}"), format!("export failed: {e}"))
                })?;
            ops::audit_cli(
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
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    role,
                    area,
                    person,
                    guardian,
                },
        } => {
            let store = open(&cli.database_url).await?;
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .map_err(|e| {
                    Failure::new(
                        format!("无法从标准输入读取密码：{e}"),
                        format!("cannot read the password from standard input: {e}"),
                    )
                })?;
            let password = password.trim_end_matches(['\r', '\n']);
            ops::add_user(
                &store,
                &username,
                &role,
                area.as_deref(),
                &person,
                guardian,
                password,
            )
            .await?;
            ops::audit_cli(
                &store,
                "account.create",
                &username,
                serde_json::json!({"role": role, "area": area}),
            )
            .await;
            println!(
                "{}",
                lang.pick(
                    &format!("已创建账户 {username}"),
                    &format!("account {username} created")
                )
            );
            Ok(0)
        }
        Command::User {
            command: UserCommand::List,
        } => {
            let store = open(&cli.database_url).await?;
            for u in store.users().await? {
                println!(
                    "{}\t{}\t{}{}",
                    u.username,
                    u.role.key(),
                    u.area,
                    if u.disabled { "\tdisabled" } else { "" }
                );
            }
            Ok(0)
        }
        Command::User {
            command:
                UserCommand::SetRole {
                    username,
                    role,
                    area,
                },
        } => {
            let store = open(&cli.database_url).await?;
            let msg = ops::set_role(&store, &username, &role, area.as_deref(), lang).await?;
            println!("{msg}");
            Ok(0)
        }
        Command::User {
            command: UserCommand::Disable { username },
        } => {
            let store = open(&cli.database_url).await?;
            ops::set_disabled(&store, &username, true).await?;
            println!(
                "{}",
                lang.pick(
                    &format!("已停用账户 {username}：其会话已结束，令牌已吊销"),
                    &format!("account {username} disabled: its sessions ended and its tokens were revoked")
                )
            );
            Ok(0)
        }
        Command::User {
            command: UserCommand::Enable { username },
        } => {
            let store = open(&cli.database_url).await?;
            ops::set_disabled(&store, &username, false).await?;
            println!(
                "{}",
                lang.pick(
                    &format!("已启用账户 {username}"),
                    &format!("account {username} enabled")
                )
            );
            Ok(0)
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    username,
                    expires,
                    scope,
                },
        } => {
            let store = open(&cli.database_url).await?;
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
            let label = format!("cli:{}", ops::operator());
            let (token, id, expires_at) =
                zhucan_web::auth::issue_token(&store, &user, ttl, scope, &label).await?;
            ops::audit_cli(
                &store,
                "token.create",
                &username,
                serde_json::json!({"token": id, "scope": scope.key(), "expires_at": expires_at}),
            )
            .await;
            println!("{token}");
            Ok(0)
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let store = open(&cli.database_url).await?;
            match store.verify_audit().await? {
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
                        lang.pick(
                            &format!("审计日志完整：{records} 条记录，哈希链校验通过{from}。"),
                            &format!(
                                "audit trail intact: {records} records, hash chain verified{from}."
                            )
                        )
                    );
                    Ok(0)
                }
                zhucan_store::audit::AuditCheck::Broken { seq, reason } => Err(Failure::new(
                    format!("审计日志被篡改：第 {seq} 条记录校验失败（{reason}）。"),
                    format!("audit trail broken: record {seq} does not verify ({reason})."),
                )),
            }
        }
        Command::Subsidies { command } => {
            let store = open(&cli.database_url).await?;
            match command {
                SubsidiesCommand::Audit {
                    month,
                    area,
                    format,
                    out,
                } => subsidies::audit(&store, &month, area.as_deref(), &format, out, lang).await,
                SubsidiesCommand::Payroll {
                    month,
                    area,
                    format,
                    out,
                } => subsidies::payroll(&store, &month, area.as_deref(), &format, out, lang).await,
                SubsidiesCommand::Explain {
                    citizen_id,
                    month,
                    format,
                } => subsidies::explain(&store, &citizen_id, &month, &format, lang).await,
            }
        }
        Command::Indicators {
            at,
            area,
            gdp_growth,
            format,
            out,
        } => {
            let store = open(&cli.database_url).await?;
            indicators::run(
                &store,
                indicators::Options {
                    at,
                    area,
                    gdp_growth,
                    format,
                    out,
                },
                lang,
            )
            .await
        }
        Command::Audit {
            command: AuditCommand::Purge { before },
        } => {
            let store = open(&cli.database_url).await?;
            ops::purge_audit(&store, before.as_deref(), lang).await
        }
        Command::Backup { file } => {
            let store = open(&cli.database_url).await?;
            if file.exists() {
                return Err(Failure::new(
                    format!("备份文件 {} 已存在，请换一个文件名", file.display()),
                    format!(
                        "the backup file {} already exists; choose another name",
                        file.display()
                    ),
                )
                .code(2));
            }
            store.backup_sqlite(&file.to_string_lossy()).await?;
            ops::audit_cli(
                &store,
                "database.backup",
                &file.to_string_lossy(),
                serde_json::json!({}),
            )
            .await;
            println!(
                "{}",
                lang.pick(
                    &format!("已备份到 {}", file.display()),
                    &format!("backed up to {}", file.display())
                )
            );
            Ok(0)
        }
    }
}
