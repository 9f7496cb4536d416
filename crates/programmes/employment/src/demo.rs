//! The programme's part of the demo: two employers of 院桥镇 with last year's declaration
//! (three disabled employees of the registry, one of them on an 11-month contract), and the
//! first employer's own account.

use chrono::Datelike;
use zhucan_domain::access::Role;
use zhucan_domain::area::AreaCode;
use zhucan_domain::uscc::Uscc;
use zhucan_store::registry::PersonQuery;
use zhucan_store::{Result, Store};
use zhucan_web::programme::{DemoOrgAccount, cli_event};

use crate::store::{Declarant, DeclaredPerson, EmploymentStore, NewDeclaration};

const TOWNSHIP: &str = "331003107";
const NAMES: [&str; 2] = ["黄岩精工模具有限公司", "院桥镇人民政府"];

/// Writes what is missing; returns the employer account the demo binds.
pub async fn demo(store: &Store) -> Result<Vec<DemoOrgAccount>> {
    let Some(area) = AreaCode::parse(TOWNSHIP) else {
        return Ok(Vec::new());
    };
    let codes: Vec<Uscc> = ["91331003000000001", "11331003000000002"]
        .iter()
        .filter_map(|c| Uscc::with_check(c))
        .collect();
    let Some(first) = codes.first().cloned() else {
        return Ok(Vec::new());
    };
    let year = i64::from(chrono::Local::now().date_naive().year() - 1);
    if store.declaration(year, first.as_str()).await?.is_none() {
        let page = store
            .search(&PersonQuery {
                text: None,
                area: Some(area),
                page: 1,
                per_page: 20,
            })
            .await?;
        let living: Vec<_> = page
            .items
            .iter()
            .filter(|p| p.died_on.is_none() && p.moved_out_on.is_none())
            .take(3)
            .collect();
        let person = |i: usize, months: i64| {
            living.get(i).map(|p| DeclaredPerson {
                citizen_id: p.citizen_id.clone(),
                name: Some(p.name.clone()),
                contract_months: months,
                monthly_wage_fen: 320_000,
                insured: true,
            })
        };
        let list: Vec<NewDeclaration> = codes
            .iter()
            .zip(NAMES)
            .enumerate()
            .map(|(i, (u, name))| NewDeclaration {
                uscc: u.clone(),
                name: name.into(),
                township: "院桥镇".into(),
                area_code: TOWNSHIP.into(),
                avg_staff_micro: if i == 0 { 150_000_000 } else { 60_000_000 },
                avg_wage_fen: 9_600_000,
                employees: if i == 0 {
                    [person(0, 12), person(1, 11)]
                        .into_iter()
                        .flatten()
                        .collect()
                } else {
                    person(2, 36).into_iter().collect()
                },
            })
            .collect();
        let event = cli_event(
            "employment.declare",
            &year.to_string(),
            serde_json::json!({"demo": true}),
        );
        store
            .save_declarations(year, &list, "demo", Declarant::Staff, "demo", &event)
            .await?;
    }
    Ok(vec![DemoOrgAccount {
        username: "danwei",
        password: "demo-Danwei-2025",
        role: Role::Employer,
        area: "331003".into(),
        org: first.to_string(),
        org_name: NAMES[0].into(),
    }])
}
