//! The programme's part of the demo: the demo district's open child-rehabilitation
//! institutions that the directory marks designated get a designation (capacity 20, an
//! agreement in force), and the demo's institution account is bound to the first.

use chrono::Datelike;
use zhucan_domain::access::Role;
use zhucan_domain::institution::InstitutionKind;
use zhucan_store::{Result, Store};
use zhucan_web::programme::{DemoOrgAccount, cli_event};

use crate::rules::Designation;
use crate::store::RehabStore;

/// Writes what is missing; returns the institution account the demo binds.
pub async fn demo(store: &Store) -> Result<Vec<DemoOrgAccount>> {
    let today = chrono::Local::now().date_naive();
    let mut first = None;
    let designated =
        store.institutions().await?.into_iter().filter(|i| {
            i.kind == InstitutionKind::ChildRehab && i.designated && i.is_open_at(today)
        });
    for (n, inst) in designated.enumerate() {
        let id = inst.id();
        if store.designation(&id).await?.is_none() {
            let d = Designation {
                institution_id: id.clone(),
                capacity: 20,
                agreement_no: format!("HY-KF-{}-{:02}", today.year(), n + 1),
                agreement_from: chrono::NaiveDate::from_ymd_opt(today.year(), 1, 1)
                    .unwrap_or(today),
                agreement_to: chrono::NaiveDate::from_ymd_opt(today.year() + 2, 12, 31)
                    .unwrap_or(today),
                exited_on: None,
                exit_reason: None,
            };
            let event = cli_event("rehab.designate", &id, serde_json::json!({"demo": true}));
            store.put_designation(&d, "demo", &event).await?;
        }
        if first.is_none() {
            first = Some((id, inst.name.clone(), inst.township.parent()));
        }
    }
    Ok(first
        .map(|(org, org_name, district)| DemoOrgAccount {
            username: "kangfu",
            password: "demo-Kangfu-2025",
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
