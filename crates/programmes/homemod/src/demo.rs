//! The programme's part of the demo: one contractor (施工单位) with its account, and this
//! year's budget for every township of the demo district that has none.

use chrono::Datelike;
use zhucan_domain::access::Role;
use zhucan_domain::area::AreaLevel;
use zhucan_store::{Result, Store};
use zhucan_web::programme::{DemoOrgAccount, cli_event};

use crate::store::{Contractor, HomemodStore};

const CODE: &str = "HY-SG-01";
const NAME: &str = "黄岩安居无障碍工程有限公司";
/// Each township's demo budget for the year, in fen (200 000 yuan).
const BUDGET_FEN: i64 = 20_000_000;

/// Writes what is missing; returns the contractor account the demo binds.
pub async fn demo(store: &Store) -> Result<Vec<DemoOrgAccount>> {
    if store.contractor(CODE).await?.is_none() {
        let c = Contractor {
            code: CODE.into(),
            name: NAME.into(),
            contact: "0576-84000000".into(),
            active: true,
        };
        let event = cli_event(
            "homemod.contractor.put",
            CODE,
            serde_json::json!({"demo": true}),
        );
        store.put_contractor(&c, "demo", &event).await?;
    }
    let year = i64::from(chrono::Local::now().date_naive().year());
    let areas = store.areas().await?;
    let mut district = None;
    for a in &areas {
        match a.code.level() {
            AreaLevel::District => district = Some(a.code.to_string()),
            AreaLevel::Township => {
                let code = a.code.as_str();
                if store.budget(code, year).await?.budget_fen.is_none() {
                    let event = cli_event(
                        "homemod.budget.set",
                        code,
                        serde_json::json!({"year": year, "new": BUDGET_FEN, "demo": true}),
                    );
                    store
                        .set_budget(code, year, BUDGET_FEN, "demo", &event)
                        .await?;
                }
            }
            _ => {}
        }
    }
    Ok(vec![DemoOrgAccount {
        username: "shigong",
        password: "demo-Shigong-2025",
        role: Role::Contractor,
        area: district.unwrap_or_else(|| "331003".into()),
        org: CODE.into(),
        org_name: NAME.into(),
    }])
}
