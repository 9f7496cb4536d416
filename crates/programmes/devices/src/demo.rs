//! The programme's part of the demo: loan stock (租借) at each open assistive-device service
//! point (辅具服务点) of the demo district — wheelchairs, walkers, crutches, commode chairs and
//! nursing beds, each with its own code — and the first point's own account, `fuju`, which
//! lends its items (staff lend from any point).

use zhucan_domain::access::Role;
use zhucan_domain::institution::InstitutionKind;
use zhucan_store::{Result, Store};
use zhucan_web::programme::{DemoOrgAccount, cli_event};

use crate::rules::Condition;
use crate::store::{DevicesStore, StockItem};

/// (item key, code prefix, how many) at each point.
const STOCK: &[(&str, &str, usize)] = &[
    ("wheelchair", "LY", 6),
    ("walker", "ZX", 4),
    ("crutches", "GZ", 4),
    ("commode_chair", "ZB", 3),
    ("nursing_bed", "HL", 2),
];

/// Writes the stock that is missing (an existing code is left as it is).
pub async fn demo(store: &Store) -> Result<Vec<DemoOrgAccount>> {
    let today = chrono::Local::now().date_naive();
    let items = store.device_items().await?;
    let points = store
        .institutions()
        .await?
        .into_iter()
        .filter(|i| i.kind == InstitutionKind::DeviceService && i.is_open_at(today));
    let mut first = None;
    for (p, point) in points.enumerate() {
        let point_id = point.id();
        if first.is_none() {
            first = Some((
                point_id.clone(),
                point.name.clone(),
                point.township.parent(),
            ));
        }
        for (key, prefix, n) in STOCK {
            if !items.iter().any(|i| i.key == *key && i.loanable) {
                continue;
            }
            for k in 1..=*n {
                let code = format!("{prefix}-{:02}-{k:03}", p + 1);
                let s = StockItem {
                    code: code.clone(),
                    point_id: point_id.clone(),
                    item_key: (*key).into(),
                    condition: Condition::Good,
                    note: String::new(),
                };
                let event = cli_event(
                    "devices.stock.add",
                    &code,
                    serde_json::json!({"demo": true}),
                );
                // `false`: the code exists already (an earlier start).
                store.add_stock(&s, "demo", &event).await?;
            }
        }
    }
    Ok(first
        .map(|(org, org_name, district)| DemoOrgAccount {
            username: "fuju",
            password: "demo-Fuju-2025",
            role: Role::Institution,
            area: district
                .map(|d| d.to_string())
                .unwrap_or_else(|| "331003".into()),
            org,
            org_name,
        })
        .into_iter()
        .collect())
}
