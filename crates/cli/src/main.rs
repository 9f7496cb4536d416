//! `zhucan` — the command line of the digital Disabled Persons' Federation platform.
//! See `contract.md` for the commands other programs rely on.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, FromArgMatches, Subcommand};
use zhucan_domain::Lang;

mod ops;

use zhucan_web::programme::{CliContext, Failure};

/// The options every command takes.
#[derive(Args)]
struct Globals {
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
}

/// The command line: the kernel's commands and every programme's.
fn command_line(programmes: &zhucan_web::Programmes) -> clap::Command {
    let cmd = clap::Command::new("zhucan")
        .version(env!("CARGO_PKG_VERSION"))
        .about("助残 · 数字残联 — the digital Disabled Persons' Federation platform")
        .subcommand_required(true)
        .arg_required_else_help(true);
    Command::augment_subcommands(Globals::augment_args(cmd)).subcommands(programmes.commands())
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
    /// Accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// A consistent copy of the database while the service runs.
    Backup { file: PathBuf },
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
        /// For partner accounts: the department whose data it sends (civil_affairs,
        /// public_security, medical_insurance, human_resources, health, education — or
        /// 民政, 公安, 医保, 人社, 卫健, 教育).
        #[arg(long)]
        department: Option<String>,
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
    let programmes = zhucan::programmes();
    let matches = command_line(&programmes).get_matches();
    let globals = match Globals::from_arg_matches(&matches) {
        Ok(g) => g,
        Err(e) => e.exit(),
    };
    let lang = lang_of(globals.lang.as_deref());
    let ctx = CliContext {
        database_url: globals.database_url,
        lang,
        programmes,
    };
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
                zhucan::tf(
                    lang,
                    "cannot-start-the-runtime-e",
                    &[("e", e.to_string().into())]
                )
            );
            return ExitCode::from(1);
        }
    };
    // Panics are bugs: their details go to the log at debug level, the user reads one sentence.
    std::panic::set_hook(Box::new(|info| tracing::debug!("panic: {info}")));
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(dispatch(&matches, &ctx))
    })) {
        Ok(Ok(code)) => ExitCode::from(code),
        Ok(Err(f)) => {
            eprintln!("{}", lang.pick(&f.zh, &f.en));
            ExitCode::from(f.code)
        }
        Err(_) => {
            eprintln!(
                "{}",
                zhucan::t(lang, "internal-error-the-operation-did-not")
            );
            ExitCode::from(70)
        }
    }
}

/// Runs the kernel's command, or the programme's whose command it is.
async fn dispatch(matches: &clap::ArgMatches, ctx: &CliContext) -> Result<u8, Failure> {
    if let Some(name) = matches.subcommand_name()
        && Command::has_subcommand(name)
    {
        let cmd = Command::from_arg_matches(matches)
            .map_err(|e| Failure::new(e.to_string(), e.to_string()).code(2))?;
        return run(cmd, ctx).await;
    }
    match ctx.programmes.run(matches, ctx) {
        Some(f) => f.await,
        None => Err(Failure::new("未知的命令", "unknown command").code(2)),
    }
}

async fn open(ctx: &CliContext) -> Result<zhucan_store::Store, Failure> {
    ctx.open().await
}

async fn run(command: Command, ctx: &CliContext) -> Result<u8, Failure> {
    let lang = ctx.lang;
    match command {
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
                .map(zhucan_ecert::token::parse_public_url)
                .transpose()
                .map_err(|e| Failure::new(e.zh, e.en).code(2))?;
            if !(1..=1440).contains(&cert_code_minutes) {
                return Err(Failure::new(
                    format!("--cert-code-minutes（“{cert_code_minutes}”）无效：应为 1 到 1440 的整数"),
                    format!("--cert-code-minutes (“{cert_code_minutes}”) is invalid: it must be a whole number from 1 to 1440"),
                )
                .code(2));
            }
            let cert_env = std::env::var(zhucan_ecert::token::KEY_ENV).ok();
            let (cert_key, cert_source) = zhucan_ecert::token::resolve_key(
                cert_env.as_deref(),
                cert_key_file.as_deref(),
                &ctx.database_url,
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
            let store = open(ctx).await?;
            let env_key = std::env::var(zhucan_web::secrets::KEY_ENV).ok();
            let (key, source) = zhucan_web::secrets::resolve_key(
                &store,
                env_key.as_deref(),
                secret_key_file.as_deref(),
                &ctx.database_url,
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
                    eprintln!("{}", zhucan::t(lang, "loading-the-demo-district"));
                    ops::load_demo(&store, demo_persons, 2025, lang).await?;
                    ops::demo_feeds(&store, lang).await?;
                }
                let orgs = ops::ensure_demo_accounts(&store, &ctx.programmes).await?;
                ops::print_demo_accounts(&store, lang, &orgs).await?;
            }
            let config = zhucan_web::Config {
                secure_cookies,
                session_idle: std::time::Duration::from_secs(session_idle_minutes.max(1) * 60),
                maintenance_every: Some(std::time::Duration::from_secs(24 * 3600)),
                secret_key: Some(key),
                cert_key: Some(cert_key.seed()),
                cert_token_ttl: std::time::Duration::from_secs(cert_code_minutes * 60),
                public_url,
                ..zhucan_web::Config::default()
            };
            let state = zhucan_web::AppState::new(store, config, ctx.programmes.clone());
            zhucan_web::serve(state, addr, |bound| {
                println!(
                    "{}",
                    zhucan::tf(
                        lang,
                        "serving-open-http-bound-in-a",
                        &[("bound", bound.to_string().into())]
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
            let store = open(ctx).await?;
            if !store.is_empty().await? {
                return Err(Failure::new(
                    "数据库中已有人员数据；演示数据只能载入空数据库。",
                    "the database already holds persons; the demo loads into an empty database only.",
                )
                .code(2));
            }
            ops::load_demo(&store, persons, seed, lang).await?;
            ops::demo_feeds(&store, lang).await?;
            ops::ensure_demo_accounts(&store, &ctx.programmes).await?;
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
                    department,
                },
        } => {
            let department = match department.as_deref() {
                None => None,
                Some(d) => Some(ops::partner_department(&role, d)?),
            };
            let store = open(ctx).await?;
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
            if let Some(d) = department {
                ops::set_department(&store, &username, d).await?;
            }
            println!(
                "{}",
                zhucan::tf(
                    lang,
                    "account-username-created",
                    &[("username", username.to_string().into())]
                )
            );
            Ok(0)
        }
        Command::User {
            command: UserCommand::List,
        } => {
            let store = open(ctx).await?;
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
            let store = open(ctx).await?;
            let msg = ops::set_role(&store, &username, &role, area.as_deref(), lang).await?;
            println!("{msg}");
            Ok(0)
        }
        Command::User {
            command: UserCommand::Disable { username },
        } => {
            let store = open(ctx).await?;
            ops::set_disabled(&store, &username, true).await?;
            println!(
                "{}",
                zhucan::tf(
                    lang,
                    "account-username-disabled-its-sessions-ended",
                    &[("username", username.to_string().into())]
                )
            );
            Ok(0)
        }
        Command::User {
            command: UserCommand::Enable { username },
        } => {
            let store = open(ctx).await?;
            ops::set_disabled(&store, &username, false).await?;
            println!(
                "{}",
                zhucan::tf(
                    lang,
                    "account-username-enabled",
                    &[("username", username.to_string().into())]
                )
            );
            Ok(0)
        }
        Command::Backup { file } => {
            let store = open(ctx).await?;
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
