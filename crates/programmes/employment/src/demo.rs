//! The programme's part of the demo: two employers of 院桥镇 with last year's declaration
//! (three disabled employees of the registry, one of them on an 11-month contract), three
//! vacancies and three registered job seekers of the township, and the first employer's own
//! account.

use chrono::Datelike;
use zhucan_domain::access::Role;
use zhucan_domain::area::AreaCode;
use zhucan_domain::uscc::Uscc;
use zhucan_store::registry::PersonQuery;
use zhucan_store::{Result, Store};
use zhucan_web::programme::{DemoOrgAccount, cli_event};

use zhucan_domain::disability::Category;
use zhucan_domain::person::EmploymentStatus;

use crate::jobs::{JobsStore, NewRegistration, VacancyInput};
use crate::matching::{Access, VacancyStatus};
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
                area: Some(area.clone()),
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
                expected: None,
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
    if store.vacancies().await?.is_empty() {
        jobs_demo(store, &area, &codes).await?;
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

/// Three vacancies of the two employers, and three job seekers of the township registered.
async fn jobs_demo(store: &Store, area: &AreaCode, codes: &[Uscc]) -> Result<()> {
    let (Some(firm), Some(town)) = (codes.first(), codes.get(1)) else {
        return Ok(());
    };
    let tags = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let vacancies = [
        VacancyInput {
            uscc: firm.clone(),
            employer_name: NAMES[0].into(),
            title: "质检员".into(),
            area_code: TOWNSHIP.into(),
            workplace: "院桥镇工业园区 8 号".into(),
            form: EmploymentStatus::Quota,
            positions: 2,
            monthly_wage_fen: 360_000,
            categories: vec![Category::Physical, Category::Hearing, Category::Speech],
            skills: tags(&["质检", "电脑"]),
            access: vec![Access::StepFree, Access::Toilet, Access::SignLanguage],
            description: "模具零件外观检验，坐姿作业。".into(),
            status: VacancyStatus::Open,
        },
        VacancyInput {
            uscc: firm.clone(),
            employer_name: NAMES[0].into(),
            title: "包装工".into(),
            area_code: TOWNSHIP.into(),
            workplace: "院桥镇工业园区 8 号".into(),
            form: EmploymentStatus::Quota,
            positions: 3,
            monthly_wage_fen: 300_000,
            categories: Vec::new(),
            skills: tags(&["包装", "手工"]),
            access: vec![Access::StepFree, Access::FlexibleHours, Access::JobCoach],
            description: String::new(),
            status: VacancyStatus::Open,
        },
        VacancyInput {
            uscc: town.clone(),
            employer_name: NAMES[1].into(),
            title: "残疾人之家协理员".into(),
            area_code: TOWNSHIP.into(),
            workplace: "院桥镇残疾人之家".into(),
            form: EmploymentStatus::PublicWelfare,
            positions: 1,
            monthly_wage_fen: 260_000,
            categories: Vec::new(),
            skills: tags(&["电脑", "沟通"]),
            access: vec![Access::StepFree, Access::Toilet],
            description: "公益性岗位：协助残疾人之家日常服务。".into(),
            status: VacancyStatus::Open,
        },
    ];
    for v in &vacancies {
        let event = cli_event(
            "employment.vacancy.post",
            "",
            serde_json::json!({"demo": true, "title": v.title}),
        );
        store.post_vacancy(v, "demo", &event).await?;
    }
    let page = store
        .search(&PersonQuery {
            text: None,
            area: Some(area.clone()),
            page: 1,
            per_page: 40,
        })
        .await?;
    let skills = [["电脑", "质检"], ["手工", "包装"], ["沟通", "电脑"]];
    let living = page
        .items
        .iter()
        .filter(|p| p.died_on.is_none() && p.moved_out_on.is_none() && p.status == "valid")
        .skip(3);
    for (p, s) in living.zip(skills) {
        let r = NewRegistration {
            citizen_id: p.citizen_id.clone(),
            area_code: p
                .village_code
                .clone()
                .unwrap_or_else(|| p.township_code.clone()),
            skills: tags(&s),
            wishes: tags(&["质检员"]),
            needs: vec![Access::StepFree],
            note: String::new(),
            source: "staff",
            takes_need: None,
        };
        let event = cli_event(
            "employment.seeker.register",
            p.citizen_id.as_str(),
            serde_json::json!({"demo": true}),
        );
        store.register_seeker(&r, None, "demo", &event).await?;
    }
    // One public-welfare job (公益性岗位) placement, so the placements page has a line.
    let placed = page
        .items
        .iter()
        .filter(|p| p.died_on.is_none() && p.moved_out_on.is_none() && p.status == "valid")
        .nth(6);
    if let Some(p) = placed {
        use crate::placements::{NewPlacement, PlacementStore};
        let since = chrono::Local::now().date_naive() - chrono::Duration::days(90);
        let new = NewPlacement {
            citizen_id: p.citizen_id.clone(),
            area_code: p
                .village_code
                .clone()
                .unwrap_or_else(|| p.township_code.clone()),
            form: zhucan_domain::person::EmploymentStatus::PublicWelfare,
            post: "村级残疾人专职委员助理".into(),
            employer_uscc: None,
            since,
            referral_id: None,
        };
        let event = cli_event(
            "employment.placement.add",
            p.citizen_id.as_str(),
            serde_json::json!({"demo": true}),
        );
        let actor = zhucan_store::registry::Actor {
            name: "demo",
            source: "demo",
        };
        store.add_job_placement(&new, &actor, &event).await?;
    }
    Ok(())
}
