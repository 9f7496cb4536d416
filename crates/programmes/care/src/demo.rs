//! The programme's part of the demo: the demo's institution account of the care programme,
//! bound to the district's first open care institution (托养机构).

use zhucan_domain::access::Role;
use zhucan_domain::institution::InstitutionKind;
use zhucan_store::{Result, Store};
use zhucan_web::programme::DemoOrgAccount;

/// The account the demo binds (none when the district has no open care institution).
pub async fn demo(store: &Store) -> Result<Vec<DemoOrgAccount>> {
    let today = chrono::Local::now().date_naive();
    let first = store
        .institutions()
        .await?
        .into_iter()
        .find(|i| i.kind == InstitutionKind::CareInstitution && i.is_open_at(today));
    Ok(first
        .map(|inst| DemoOrgAccount {
            username: "tuoyang",
            password: "demo-Tuoyang-2025",
            role: Role::Institution,
            area: inst
                .township
                .parent()
                .map(|d| d.to_string())
                .unwrap_or_else(|| "331003".into()),
            org: inst.id(),
            org_name: inst.name.clone(),
        })
        .into_iter()
        .collect())
}
