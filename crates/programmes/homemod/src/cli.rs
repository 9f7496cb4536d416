//! `zhucan homemod contractor add CODE NAME CONTACT` and `zhucan homemod contractor bind
//! USERNAME CODE`: the operator registers a contractor (施工单位) and binds a `contractor`
//! account to it; the account then sees the projects assigned to that code, and nothing else.

use clap::Subcommand;
use zhucan_domain::Lang;
use zhucan_domain::access::Role;
use zhucan_web::programme::{CliContext, Failure, account_of_role, bind_account, cli_event};

use crate::store::{Contractor, HomemodStore};

#[derive(Debug, Subcommand)]
pub enum HomemodCommand {
    /// Home modification (无障碍改造).
    Homemod {
        #[command(subcommand)]
        command: HomemodSub,
    },
}

#[derive(Debug, Subcommand)]
pub enum HomemodSub {
    /// Contractors (施工单位).
    Contractor {
        #[command(subcommand)]
        command: ContractorCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ContractorCommand {
    /// Adds a contractor, or updates its name and contact.
    Add {
        code: String,
        name: String,
        contact: String,
        /// Marks it inactive (no new projects are assigned to it).
        #[arg(long)]
        inactive: bool,
    },
    /// Binds an account of role `contractor` to a contractor's code.
    Bind { username: String, code: String },
    /// Lists the contractors.
    List,
}

fn fail(e: impl std::fmt::Display) -> Failure {
    Failure::new(format!("操作失败：{e}"), format!("failed: {e}")).code(2)
}

/// Runs a command of the programme.
pub async fn run_command(cmd: HomemodCommand, ctx: &CliContext) -> Result<u8, Failure> {
    let HomemodCommand::Homemod {
        command: HomemodSub::Contractor { command },
    } = cmd;
    let lang = ctx.lang;
    let store = ctx.open().await?;
    match command {
        ContractorCommand::Add {
            code,
            name,
            contact,
            inactive,
        } => {
            let code = code.trim().to_string();
            let name = name.trim().to_string();
            let valid = |s: &str, max: usize| !s.is_empty() && s.chars().count() <= max;
            if !valid(&code, 40)
                || !code
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
            {
                return Err(Failure::new(
                    format!("施工单位代码“{code}”应为 1–40 个字母、数字、- 或 _"),
                    format!("the contractor code “{code}” must be 1–40 letters, digits, - or _"),
                )
                .code(2));
            }
            if !valid(&name, 100) {
                return Err(Failure::new(
                    format!("施工单位名称“{name}”应为 1–100 个字"),
                    format!("the contractor name “{name}” must be 1–100 characters"),
                )
                .code(2));
            }
            let old = store.contractor(&code).await.map_err(fail)?;
            let c = Contractor {
                code: code.clone(),
                name,
                contact: contact.trim().chars().take(100).collect(),
                active: !inactive,
            };
            let operator = zhucan_web::programme::operator();
            let event = cli_event(
                "homemod.contractor.put",
                &code,
                serde_json::json!({"old": old, "new": c}),
            );
            store
                .put_contractor(&c, &operator, &event)
                .await
                .map_err(fail)?;
            println!(
                "{}",
                lang.pick(
                    &format!("已登记施工单位 {}（{}）", c.name, c.code),
                    &format!("contractor {} ({}) saved", c.name, c.code)
                )
            );
            Ok(0)
        }
        ContractorCommand::Bind { username, code } => {
            let user = account_of_role(&store, &username, Role::Contractor).await?;
            if store.contractor(&code).await.map_err(fail)?.is_none() {
                return Err(Failure::new(
                    format!("没有代码为“{code}”的施工单位"),
                    format!("no contractor with the code “{code}”"),
                )
                .code(2));
            }
            bind_account(&store, &user, &code, ("施工单位", "contractor"), lang).await?;
            Ok(0)
        }
        ContractorCommand::List => {
            for c in store.contractors().await.map_err(fail)? {
                let state = match (c.active, lang) {
                    (true, _) => "",
                    (false, Lang::Zh) => "（停用）",
                    (false, Lang::En) => " (inactive)",
                };
                println!("{}\t{}\t{}{state}", c.code, c.name, c.contact);
            }
            Ok(0)
        }
    }
}
