//! The programme's part of the demo: loan stock (租借) at each open assistive-device service
//! point (辅具服务点) of the demo district — wheelchairs, walkers, crutches, commode chairs and
//! nursing beds, each with its own code. Lending is done by staff; no account is needed.

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
    for (p, point) in points.enumerate() {
        let point_id = point.id();
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
    Ok(vec![])
}
