//! `zhucan rehab designate INSTITUTION_ID --capacity N --agreement NO --from D --to D`,
//! `zhucan rehab bind USERNAME INSTITUTION_ID` and `zhucan rehab list`: the operator
//! designates a rehabilitation institution (定点) and binds an `institution` account to it;
//! the account then sees the children placed there, and nothing else.

use clap::Subcommand;
use zhucan_domain::Lang;
use zhucan_domain::access::Role;
use zhucan_domain::parse::parse_date;
use zhucan_web::programme::{CliContext, Failure, account_of_role, bind_account, cli_event};

use crate::rules::Designation;
use crate::store::RehabStore;

#[derive(Debug, Subcommand)]
pub enum RehabCommand {
    /// Rehabilitation (康复).
    Rehab {
        #[command(subcommand)]
        command: RehabSub,
    },
}

#[derive(Debug, Subcommand)]
pub enum RehabSub {
    /// Designates an institution (township code/name, as `331003107/星星康复中心`), or renews
    /// its agreement.
    Designate {
        institution: String,
        #[arg(long)]
        capacity: i64,
        #[arg(long)]
        agreement: String,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
    /// Binds an account of role `institution` to a designated institution.
    Bind {
        username: String,
        institution: String,
    },
    /// Lists the designations.
    List,
}

fn fail(e: impl std::fmt::Display) -> Failure {
    Failure::new(format!("操作失败：{e}"), format!("failed: {e}")).code(2)
}

fn date_arg(name: &str, raw: &str) -> Result<chrono::NaiveDate, Failure> {
    parse_date(raw).map_err(|_| {
        Failure::new(
            format!("{name}“{raw}”不是日期（如 2026-01-01）"),
            format!("{name} “{raw}” is not a date (like 2026-01-01)"),
        )
        .code(2)
    })
}

/// Runs a command of the programme.
pub async fn run_command(cmd: RehabCommand, ctx: &CliContext) -> Result<u8, Failure> {
    let RehabCommand::Rehab { command } = cmd;
    let lang = ctx.lang;
    let store = ctx.open().await?;
    match command {
        RehabSub::Designate {
            institution,
            capacity,
            agreement,
            from,
            to,
        } => {
            let institution = institution.trim().to_string();
            let known = store
                .institutions()
                .await
                .map_err(fail)?
                .iter()
                .any(|i| format!("{}/{}", i.township, i.name) == institution);
            if !known {
                return Err(Failure::new(
                    format!("没有机构“{institution}”（应为 乡镇代码/机构名称，先导入机构名录）"),
                    format!(
                        "no institution “{institution}” (give township code/name; import the institutions first)"
                    ),
                )
                .code(2));
            }
            if !(1..=10_000).contains(&capacity) {
                return Err(Failure::new(
                    format!("容量“{capacity}”应为 1–10000 的整数"),
                    format!("the capacity “{capacity}” must be a whole number from 1 to 10000"),
                )
                .code(2));
            }
            let agreement = agreement.trim().to_string();
            if agreement.is_empty() || agreement.chars().count() > 60 {
                return Err(Failure::new(
                    format!("协议编号“{agreement}”应为 1–60 个字"),
                    format!("the agreement number “{agreement}” must be 1–60 characters"),
                )
                .code(2));
            }
            let from = date_arg("--from", &from)?;
            let to = date_arg("--to", &to)?;
            if to < from {
                return Err(Failure::new(
                    format!("协议截止日期 {to} 早于开始日期 {from}"),
                    format!("the agreement ends ({to}) before it starts ({from})"),
                )
                .code(2));
            }
            let old = store.designation(&institution).await.map_err(fail)?;
            let d = Designation {
                institution_id: institution.clone(),
                capacity,
                agreement_no: agreement,
                agreement_from: from,
                agreement_to: to,
                exited_on: None,
                exit_reason: None,
            };
            let operator = zhucan_web::programme::operator();
            let event = cli_event(
                "rehab.designate",
                &institution,
                serde_json::json!({"old": old, "new": d}),
            );
            store
                .put_designation(&d, &operator, &event)
                .await
                .map_err(fail)?;
            println!(
                "{}",
                lang.pick(
                    &format!("已登记定点康复机构 {institution}（容量 {capacity}）"),
                    &format!("designated {institution} (capacity {capacity})")
                )
            );
            Ok(0)
        }
        RehabSub::Bind {
            username,
            institution,
        } => {
            let user = account_of_role(&store, &username, Role::Institution).await?;
            if store
                .designation(&institution)
                .await
                .map_err(fail)?
                .is_none()
            {
                return Err(Failure::new(
                    format!("“{institution}”不是定点康复机构"),
                    format!("“{institution}” is not a designated institution"),
                )
                .code(2));
            }
            bind_account(
                &store,
                &user,
                &institution,
                ("定点康复机构", "designated institution"),
                lang,
            )
            .await?;
            Ok(0)
        }
        RehabSub::List => {
            for d in store.designations().await.map_err(fail)? {
                let exited = match (d.exited_on, lang) {
                    (None, _) => String::new(),
                    (Some(e), Lang::Zh) => format!("（{e} 退出）"),
                    (Some(e), Lang::En) => format!(" (exited {e})"),
                };
                println!(
                    "{}\t{}\t{}\t{}–{}{exited}",
                    d.institution_id, d.capacity, d.agreement_no, d.agreement_from, d.agreement_to
                );
            }
            Ok(0)
        }
    }
}
