//! `zhucan devices bind USERNAME POINT_ID` and `zhucan devices points`: the operator binds an
//! `institution` account to an open device service point (辅具服务点); the account then
//! lends, renews and takes back the point's own items, and sees nothing else.

use clap::Subcommand;
use zhucan_domain::access::Role;
use zhucan_domain::institution::InstitutionKind;
use zhucan_web::programme::{CliContext, Failure, account_of_role, bind_account};

#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// Assistive devices (辅助器具).
    Devices {
        #[command(subcommand)]
        command: DevicesSub,
    },
}

#[derive(Debug, Subcommand)]
pub enum DevicesSub {
    /// Binds an account of role `institution` to an open device service point (township
    /// code/name, as `331003107/院桥辅具服务点`).
    Bind { username: String, point: String },
    /// Lists the open device service points and the accounts bound to each.
    Points,
}

fn fail(e: impl std::fmt::Display) -> Failure {
    Failure::new(format!("操作失败：{e}"), format!("failed: {e}")).code(2)
}

/// Runs a command of the programme.
pub async fn run_command(cmd: DevicesCommand, ctx: &CliContext) -> Result<u8, Failure> {
    let DevicesCommand::Devices { command } = cmd;
    let lang = ctx.lang;
    let store = ctx.open().await?;
    let today = chrono::Local::now().date_naive();
    let points: Vec<String> = store
        .institutions()
        .await
        .map_err(fail)?
        .into_iter()
        .filter(|i| i.kind == InstitutionKind::DeviceService && i.is_open_at(today))
        .map(|i| i.id())
        .collect();
    match command {
        DevicesSub::Bind { username, point } => {
            let point = point.trim().to_string();
            let user = account_of_role(&store, &username, Role::Institution).await?;
            if !points.contains(&point) {
                return Err(Failure::new(
                    format!("“{point}”不是开放中的辅具服务点（应为 乡镇代码/机构名称，先导入机构名录）"),
                    format!(
                        "“{point}” is not an open device service point (give township code/name; import the institutions first)"
                    ),
                )
                .code(2));
            }
            bind_account(
                &store,
                &user,
                &point,
                ("辅具服务点", "device service point"),
                lang,
            )
            .await?;
            Ok(0)
        }
        DevicesSub::Points => {
            for p in &points {
                let mut names = Vec::new();
                for id in store.accounts_of_org(p).await.map_err(fail)? {
                    if let Some(u) = store.user_by_id(&id).await.map_err(fail)? {
                        names.push(u.username);
                    }
                }
                println!("{p}\t{}", names.join(","));
            }
            Ok(0)
        }
    }
}
