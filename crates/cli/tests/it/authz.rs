//! The authorisation matrix: every route of `zhucan_web::routes(&zhucan::programmes())` × every staff role × a
//! person inside and outside the account's area. A route missing from the matrix fails here.

#[allow(unused_imports)]
use crate::support::prelude::*;
use std::collections::BTreeMap;

use zhucan_domain::{Category, Grade};
use zhucan_store::Role;

use crate::support::{TestApp, TestDb, csrf_of, d, put, record, user};

/// Expected status per role, in the order of `ROLES`.
const ROLES: [&str; 8] = [
    "admin", "township", "village", "partner", "auditor", "sysadmin", "security", "citizen",
];

/// The roles confined to one organisation's cases ([`Role::confined`]).
const CONFINED_ROLES: [&str; 3] = ["institution", "contractor", "employer"];

/// (method, route pattern, expected statuses for `CONFINED_ROLES`) where a confined role is
/// not refused: a programme's own queue of its organisation's cases. Every other route is 403
/// or 404 for them (or what every signed-in account gets, see below).
const CONFINED: &[(&str, &str, [u16; 3])] = &[
    // Their own account: enrolling a second factor (the empty form is refused by field, as
    // for every account without one) and signing in for a token.
    ("POST", "/account/2fa", [422, 422, 422]),
    ("POST", "/api/v1/session", [200, 200, 200]),
    // Their pages start at their own cases (an institution's children, a contractor's
    // projects).
    ("GET", "/", [303, 303, 303]),
    ("GET", "/homemod/works", [403, 200, 403]),
    // An institution's pages start at its children.
    ("GET", "/rehab/institution", [200, 403, 403]),
    // Its import is multipart: a urlencoded body is refused.
    ("POST", "/rehab/institution/import", [400, 403, 403]),
    // A device service point's page (this account is bound to no point: it says so) and its
    // lending (refused: no point).
    ("GET", "/devices/point", [200, 403, 403]),
    ("POST", "/devices/point/loans", [403, 403, 403]),
    // An employer's own page (bound to an employer with no declaration), its upload
    // (multipart: a urlencoded body is refused), and another employer's review (404) that it
    // may not contest (404).
    ("GET", "/employment/employer", [403, 403, 200]),
    ("POST", "/employment/employer/import", [403, 403, 400]),
    ("GET", "/employment/employers/{uscc}", [403, 403, 404]),
    // Its declaration entered on the page (the empty form is refused by field).
    ("GET", "/employment/declare", [403, 403, 200]),
    ("POST", "/employment/declare", [403, 403, 422]),
    (
        "POST",
        "/employment/employers/{uscc}/contest",
        [403, 403, 404],
    ),
    // Job matching: an employer sees its own vacancies and posts one (the empty form is
    // refused by field).
    ("GET", "/employment/vacancies", [403, 403, 200]),
    ("POST", "/employment/vacancies", [403, 403, 422]),
    ("GET", "/api/v1/employment/vacancies", [403, 403, 200]),
    // A care institution's own residents (this account is bound to no institution: it says
    // so); another's stay is not found.
    ("GET", "/care/residents", [200, 403, 403]),
    ("POST", "/care/stays/end", [404, 403, 403]),
];

// The matrix runs on both backends: scope is enforced in queries too.
crate::contract!(every_route_for_every_role);

async fn every_route_for_every_role(db: TestDb) {
    // 院桥镇 person in village 331003107201; a 东城街道 person.
    let mut inside = record(
        "院桥甲",
        d(1980, 1, 2),
        11,
        "331003107",
        Category::Physical,
        Grade::Two,
    );
    let area = zhucan_domain::area::Area {
        code: zhucan_domain::AreaCode::parse("331003107201").expect("code"),
        name: "测试村".into(),
        population: None,
        valid_from: None,
        valid_until: None,
    };
    db.store
        .upsert_areas(std::slice::from_ref(&area))
        .await
        .expect("area");
    inside.person.village = Some(area.code.clone());
    let outside = record(
        "东城乙",
        d(1975, 6, 30),
        21,
        "331003001",
        Category::Visual,
        Grade::One,
    );
    put(&db.store, &[inside.clone(), outside.clone()]).await;
    user(&db.store, "admin", Role::DistrictAdmin, "331003").await;
    user(&db.store, "township", Role::TownshipStaff, "331003107").await;
    user(&db.store, "village", Role::VillageWorker, "331003107201").await;
    user(&db.store, "partner", Role::Partner, "331003").await;
    user(&db.store, "auditor", Role::Auditor, "331003").await;
    user(&db.store, "sysadmin", Role::SystemAdmin, "331003").await;
    user(&db.store, "security", Role::SecurityAdmin, "331003").await;
    // Accounts confined to one organisation (an institution, a contractor), bound to
    // organisations that own none of the matrix's cases.
    for (name, role) in [
        ("institution", Role::Institution),
        ("contractor", Role::Contractor),
        ("employer", Role::Employer),
    ] {
        user(&db.store, name, role, "331003").await;
        let u = db
            .store
            .user_by_username(name)
            .await
            .expect("lookup")
            .expect("exists");
        let event = zhucan_store::audit::AuditEvent {
            account: "matrix".into(),
            role: "system_admin".into(),
            area: "331003".into(),
            client: "test".into(),
            action: "account.org".into(),
            object: name.into(),
            outcome: "ok".into(),
            detail: serde_json::json!({}),
        };
        db.store
            .set_account_org(&u.id, Some(&format!("matrix-{name}")), &event)
            .await
            .expect("org");
    }
    crate::support::citizen(&db.store, "citizen", &inside.person.citizen_id).await;
    let h_in = db
        .store
        .person_file(&inside.person.citizen_id, &crate::support::any())
        .await
        .expect("f")
        .expect("e")
        .handle;
    let h_out = db
        .store
        .person_file(&outside.person.citizen_id, &crate::support::any())
        .await
        .expect("f")
        .expect("e")
        .handle;
    // Sessions and tokens of other accounts: each may be ended or revoked by its owner (or by
    // the system administrator on the account's page), and is "not found" for anyone else.
    let session_of = |name: &'static str| {
        let store = db.store.clone();
        async move {
            let u = store
                .user_by_username(name)
                .await
                .expect("lookup")
                .expect("exists");
            store
                .create_session(&zhucan_store::NewSession {
                    id_hash: zhucan_store::accounts::random_id(),
                    user_id: u.id,
                    csrf_token: "x".into(),
                    lang: "zh-CN".into(),
                    expires_at: "2999-01-01T00:00:00Z".into(),
                    client: "127.0.0.1".into(),
                    user_agent: "matrix".into(),
                })
                .await
                .expect("session")
        }
    };
    let token_of = |name: &'static str| {
        let store = db.store.clone();
        async move {
            let u = store
                .user_by_username(name)
                .await
                .expect("lookup")
                .expect("exists");
            zhucan_web::auth::issue_token(
                &store,
                &u,
                std::time::Duration::from_secs(3600),
                zhucan_store::TokenScope::ReadWrite,
                "matrix",
            )
            .await
            .expect("token")
            .1
        }
    };
    let s_auditor = session_of("auditor").await;
    let s_partner = session_of("partner").await;
    let t_partner = token_of("partner").await;
    let t_village = token_of("village").await;
    let t_village_api = token_of("village").await;
    let case_for = |rec: &zhucan_domain::person::PersonRecord| {
        let store = db.store.clone();
        let rec = rec.clone();
        async move {
            let area = rec
                .person
                .village
                .clone()
                .unwrap_or(rec.person.township.clone());
            store
                .open_case(&zhucan_subsidies::store::NewCase {
                    citizen_id: &rec.person.citizen_id,
                    subsidy: zhucan_subsidies::rules::Subsidy::Nursing,
                    kind: zhucan_subsidies::store::CaseKind::Enrol,
                    month: zhucan_domain::parse::Month::new(2025, 9).expect("m"),
                    reasons: vec!["not_enrolled"],
                    trigger: "staff",
                    area: &area,
                    opened_by: "test",
                })
                .await
                .expect("case")
                .expect("new")
                .id
        }
    };
    let case_in = case_for(&inside).await;
    let case_out = case_for(&outside).await;
    // An application (with a document) and a need of each person.
    let service_end = |rec: &zhucan_domain::person::PersonRecord| {
        let store = db.store.clone();
        let rec = rec.clone();
        async move {
            let def = store.service("device").await.expect("s").expect("device").0;
            let area = rec
                .person
                .village
                .clone()
                .unwrap_or(rec.person.township.clone());
            let actor = zhucan_store::registry::Actor {
                name: "test",
                source: "form",
            };
            let answers = std::collections::BTreeMap::from([
                ("device".to_string(), "wheelchair".to_string()),
                ("contact_phone".to_string(), "13812345678".to_string()),
            ]);
            let file = zhucan_service::store::Upload {
                document_key: "x".into(),
                file_name: "a.png".into(),
                content_type: "image/png".into(),
                data: b"\x89PNG\r\n\x1a\nrest".to_vec(),
            };
            let app = store
                .submit_application(
                    &rec.person.citizen_id,
                    &def,
                    &area,
                    &answers,
                    &[file],
                    d(2026, 1, 1),
                    &actor,
                )
                .await
                .expect("application");
            let need = store
                .record_need(
                    &rec.person.citizen_id,
                    zhucan_service::rules::NeedKind::Device,
                    "轮椅",
                    "citizen",
                    &area,
                    &actor,
                )
                .await
                .expect("need");
            (app.id, need.id)
        }
    };
    let (app_in, need_in) = service_end(&inside).await;
    let (app_out, need_out) = service_end(&outside).await;
    // A home modification project of each person, accepted (with a photo), assigned to no
    // contractor of the matrix.
    let project_of = |rec: &zhucan_domain::person::PersonRecord| {
        let store = db.store.clone();
        let rec = rec.clone();
        async move {
            let def = store
                .service("home_modification")
                .await
                .expect("s")
                .expect("home_modification")
                .0;
            let area = rec
                .person
                .village
                .clone()
                .unwrap_or(rec.person.township.clone());
            let actor = zhucan_store::registry::Actor {
                name: "test",
                source: "form",
            };
            let answers = std::collections::BTreeMap::from([
                ("address".to_string(), "某村 1 号".to_string()),
                ("contact_phone".to_string(), "13812345678".to_string()),
            ]);
            let app = store
                .submit_application(
                    &rec.person.citizen_id,
                    &def,
                    &area,
                    &answers,
                    &[],
                    d(2026, 1, 1),
                    &actor,
                )
                .await
                .expect("application");
            let photo = zhucan_service::store::Upload {
                document_key: "acceptance_photo".into(),
                file_name: "a.png".into(),
                content_type: "image/png".into(),
                data: b"\x89PNG\r\n\x1a\nrest".to_vec(),
            };
            let event = zhucan_store::audit::AuditEvent {
                account: "matrix".into(),
                role: "township_staff".into(),
                area: "331003".into(),
                client: "test".into(),
                action: "homemod.accept".into(),
                object: rec.person.citizen_id.to_string(),
                outcome: "ok".into(),
                detail: serde_json::json!({}),
            };
            store
                .step(
                    &app,
                    &def,
                    zhucan_service::rules::StaffAct::CompleteStep,
                    &zhucan_homemod::store::StepRecord::Accept {
                        township: rec.person.township.to_string(),
                        area_code: area.to_string(),
                        year: 2026,
                        eligibility: "matrix".into(),
                    },
                    "受理",
                    &[photo],
                    &actor,
                    &event,
                )
                .await
                .expect("accept");
            app.id
        }
    };
    let hm_in = project_of(&inside).await;
    let hm_out = project_of(&outside).await;
    // A child rehabilitation placement of each person (the store does not judge age).
    let rehab_event = zhucan_store::audit::AuditEvent {
        account: "matrix".into(),
        role: "district_admin".into(),
        area: "331003".into(),
        client: "test".into(),
        action: "rehab.place".into(),
        object: "matrix".into(),
        outcome: "ok".into(),
        detail: serde_json::json!({}),
    };
    db.store
        .put_designation(
            &zhucan_rehab::rules::Designation {
                institution_id: "331003107/矩阵康复中心".into(),
                capacity: 10,
                agreement_no: "M-1".into(),
                agreement_from: d(2021, 1, 1),
                agreement_to: d(2030, 12, 31),
                exited_on: None,
                exit_reason: None,
            },
            "matrix",
            &rehab_event,
        )
        .await
        .expect("designate");
    let placement_of = |rec: &zhucan_domain::person::PersonRecord| {
        let store = db.store.clone();
        let rec = rec.clone();
        let event = rehab_event.clone();
        async move {
            let p = zhucan_rehab::store::Placement {
                id: String::new(),
                citizen_id: rec.person.citizen_id.clone(),
                institution_id: "331003107/矩阵康复中心".into(),
                service: zhucan_rehab::rules::Service::Autism,
                area_code: rec
                    .person
                    .village
                    .clone()
                    .unwrap_or(rec.person.township.clone())
                    .to_string(),
                started_on: d(2026, 1, 1),
                ended_on: None,
                end_reason: None,
                created_by: "matrix".into(),
            };
            let actor = zhucan_store::registry::Actor {
                name: "matrix",
                source: "form",
            };
            match store
                .place(&p, 10, None, &actor, &event)
                .await
                .expect("place")
            {
                zhucan_rehab::store::Placed::Done(id) => id,
                other => panic!("{other:?}"),
            }
        }
    };
    let rp_in = placement_of(&inside).await;
    let rp_out = placement_of(&outside).await;
    // A device case and a loan of each person.
    let device_of = |rec: &zhucan_domain::person::PersonRecord, code: &'static str| {
        let store = db.store.clone();
        let rec = rec.clone();
        let event = rehab_event.clone();
        async move {
            let area = rec
                .person
                .village
                .clone()
                .unwrap_or(rec.person.township.clone())
                .to_string();
            let actor = zhucan_store::registry::Actor {
                name: "matrix",
                source: "form",
            };
            let case = zhucan_devices::store::Case {
                id: String::new(),
                citizen_id: rec.person.citizen_id.clone(),
                area_code: area.clone(),
                item_key: "wheelchair".into(),
                status: zhucan_devices::rules::Status::Assessed,
                assessed_on: d(2026, 1, 1),
                assessment: "matrix".into(),
                assessed_by: "matrix".into(),
                decided_by: None,
                decision_note: None,
                fitted_on: None,
                mode: None,
                invoice_fen: None,
                subsidy_fen: None,
                ratio_basis: None,
                fitted_by: None,
                followup_due: None,
                followed_on: None,
                followup_note: None,
                followed_by: None,
                application_id: None,
            };
            let case_id = store
                .open_device_case(&case, None, &actor, &event)
                .await
                .expect("case");
            store
                .add_stock(
                    &zhucan_devices::store::StockItem {
                        code: code.into(),
                        point_id: "331003107/矩阵辅具服务点".into(),
                        item_key: "wheelchair".into(),
                        condition: zhucan_devices::rules::Condition::Good,
                        note: String::new(),
                    },
                    "matrix",
                    &event,
                )
                .await
                .expect("stock");
            let loan = zhucan_devices::store::Loan {
                id: String::new(),
                code: code.into(),
                citizen_id: rec.person.citizen_id.clone(),
                area_code: area,
                lent_on: d(2026, 1, 1),
                due_on: d(2026, 4, 1),
                returned_on: None,
                renewals: 0,
                return_condition: None,
                reminded_on: None,
                lent_by: "matrix".into(),
            };
            let loan_id = match store
                .lend(&loan, "轮椅", &actor, &event)
                .await
                .expect("lend")
            {
                zhucan_devices::store::Lent::Done(id) => id,
                other => panic!("{other:?}"),
            };
            (case_id, loan_id)
        }
    };
    let (dc_in, dl_in) = device_of(&inside, "M-1").await;
    let (dc_out, dl_out) = device_of(&outside, "M-2").await;
    let app = TestApp::start(db).await;
    // A certificate code of the inside person, signed by the service's key (an hour, so that
    // the matrix never outlives it).
    let inside_file = app
        .db
        .store
        .person_file(&inside.person.citizen_id, &crate::support::any())
        .await
        .expect("f")
        .expect("e");
    let cert_token = zhucan_ecert::token::Claims::new(
        &zhucan_ecert::token::keys_of(&app.state)
            .expect("keys")
            .keys
            .active,
        &inside_file,
        chrono::Utc::now(),
        std::time::Duration::from_secs(3600),
    )
    .expect("claims")
    .sign(
        &zhucan_ecert::token::keys_of(&app.state)
            .expect("keys")
            .keys
            .active,
    );
    let v = zhucan_ecert::token::verify_token(&app.state, &cert_token).await;
    assert!(v.valid, "the matrix's certificate code verifies: {v:?}");

    // (method, route pattern, concrete path, expected statuses for ROLES)
    type Row = (&'static str, &'static str, String, [u16; 8]);
    let pages: Vec<Row> = vec![
        // A citizen's pages start at their own file: `/` sends them there.
        (
            "GET",
            "/",
            "/".into(),
            [200, 200, 200, 200, 200, 200, 200, 303],
        ),
        ("GET", "/login", "/login".into(), [200; 8]),
        ("GET", "/lang", "/lang?to=zh&next=/".into(), [303; 8]),
        (
            "GET",
            "/persons",
            "/persons?q=".into(),
            [200, 200, 200, 200, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/persons/{handle}",
            format!("/persons/{h_in}"),
            [200, 200, 200, 200, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/persons/{handle}",
            format!("/persons/{h_out}"),
            [200, 404, 404, 200, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/persons/{handle}/certificate",
            format!("/persons/{h_in}/certificate"),
            [200, 200, 200, 200, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/persons/{handle}/certificate",
            format!("/persons/{h_out}/certificate"),
            [200, 404, 404, 200, 403, 403, 403, 403],
        ),
        // Public: a verdict for everyone, signed in or not.
        (
            "GET",
            "/verify/{token}",
            format!("/verify/{cert_token}"),
            [200; 8],
        ),
        (
            "GET",
            "/verify/{token}",
            "/verify/not-a-token".into(),
            [200; 8],
        ),
        (
            "POST",
            "/persons/{handle}/reveal",
            format!("/persons/{h_in}/reveal"),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/persons/{handle}/reveal",
            format!("/persons/{h_out}/reveal"),
            [200, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/persons/new",
            "/persons/new".into(),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/persons/{handle}/events",
            format!("/persons/{h_in}/events"),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/persons/{handle}/events",
            format!("/persons/{h_out}/events"),
            [200, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/persons/{handle}/events",
            format!("/persons/{h_out}/events"),
            [422, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/persons/{handle}/edit",
            format!("/persons/{h_in}/edit"),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/persons/{handle}/edit",
            format!("/persons/{h_out}/edit"),
            [200, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/persons/{handle}/edit",
            format!("/persons/{h_out}/edit"),
            [400, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/persons/{handle}/surveys/{year}",
            format!("/persons/{h_in}/surveys/2025"),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/persons/{handle}/surveys/{year}",
            format!("/persons/{h_out}/surveys/2025"),
            [200, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/persons/{handle}/surveys/{year}",
            format!("/persons/{h_out}/surveys/2025"),
            [400, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/persons/new",
            "/persons/new".into(),
            [422, 422, 422, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/export",
            "/export".into(),
            [200, 200, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/export/registry.xlsx",
            "/export/registry.xlsx".into(),
            [200, 200, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/import",
            "/import".into(),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        // Not a multipart upload: refused as a bad request by those who may upload.
        (
            "POST",
            "/import",
            "/import".into(),
            [400, 400, 400, 403, 403, 403, 403, 403],
        ),
        // Another account's (or no) upload: not found.
        (
            "GET",
            "/import/{job}",
            "/import/nosuchjob".into(),
            [404, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/import/{job}/{file}",
            "/import/nosuchjob/report.xlsx".into(),
            [404, 404, 404, 403, 403, 403, 403, 403],
        ),
        ("POST", "/logout", "/logout".into(), [303; 8]),
        (
            "GET",
            "/admin/users",
            "/admin/users".into(),
            [403, 403, 403, 403, 403, 200, 403, 403],
        ),
        (
            "POST",
            "/admin/users",
            "/admin/users".into(),
            [403, 403, 403, 403, 403, 422, 403, 403],
        ),
        (
            "GET",
            "/admin/users/{username}",
            "/admin/users/partner".into(),
            [403, 403, 403, 403, 403, 200, 403, 403],
        ),
        (
            "GET",
            "/admin/users/{username}",
            "/admin/users/nobody".into(),
            [403, 403, 403, 403, 403, 404, 403, 403],
        ),
        // Without role and area: the form comes back with errors, nothing changes.
        (
            "POST",
            "/admin/users/{username}",
            "/admin/users/partner".into(),
            [403, 403, 403, 403, 403, 422, 403, 403],
        ),
        (
            "POST",
            "/admin/users/{username}/sessions/{id}/end",
            format!("/admin/users/auditor/sessions/{s_partner}/end"),
            [403, 403, 403, 403, 403, 404, 403, 403],
        ),
        (
            "POST",
            "/admin/users/{username}/sessions/{id}/end",
            format!("/admin/users/partner/sessions/{s_partner}/end"),
            [403, 403, 403, 403, 403, 303, 403, 403],
        ),
        (
            "POST",
            "/admin/users/{username}/tokens/{id}/revoke",
            format!("/admin/users/partner/tokens/{t_village}/revoke"),
            [403, 403, 403, 403, 403, 404, 403, 403],
        ),
        (
            "POST",
            "/admin/users/{username}/tokens/{id}/revoke",
            format!("/admin/users/village/tokens/{t_village}/revoke"),
            [403, 403, 403, 403, 403, 303, 403, 403],
        ),
        (
            "POST",
            "/admin/users/{username}/disable",
            "/admin/users/partner/disable".into(),
            [403, 403, 403, 403, 403, 303, 403, 403],
        ),
        (
            "POST",
            "/admin/users/{username}/enable",
            "/admin/users/partner/enable".into(),
            [403, 403, 403, 403, 403, 303, 403, 403],
        ),
        ("GET", "/account/2fa", "/account/2fa".into(), [200; 8]),
        // Enrolled administrators see their status; others have no code to confirm.
        (
            "POST",
            "/account/2fa",
            "/account/2fa".into(),
            [200, 422, 422, 422, 422, 200, 200, 422],
        ),
        (
            "GET",
            "/account/sessions",
            "/account/sessions".into(),
            [200; 8],
        ),
        (
            "POST",
            "/account/sessions/{id}/end",
            format!("/account/sessions/{s_auditor}/end"),
            [404, 404, 404, 404, 303, 404, 404, 404],
        ),
        (
            "POST",
            "/account/tokens/{id}/revoke",
            format!("/account/tokens/{t_partner}/revoke"),
            [404, 404, 404, 303, 404, 404, 404, 404],
        ),
        (
            "GET",
            "/security/settings",
            "/security/settings".into(),
            [403, 403, 403, 403, 403, 403, 200, 403],
        ),
        // Without values: the form comes back with errors, nothing changes.
        (
            "POST",
            "/security/settings",
            "/security/settings".into(),
            [403, 403, 403, 403, 403, 403, 422, 403],
        ),
        (
            "GET",
            "/audit",
            "/audit".into(),
            [403, 403, 403, 403, 200, 403, 403, 403],
        ),
        (
            "GET",
            "/audit/export.csv",
            "/audit/export.csv".into(),
            [403, 403, 403, 403, 200, 403, 403, 403],
        ),
        (
            "GET",
            "/indicators",
            "/indicators?at=2025-12-31".into(),
            [200, 200, 200, 200, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/indicators",
            "/indicators?area=331003001".into(),
            [200, 404, 404, 200, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/indicators/report",
            "/indicators/report".into(),
            [200, 200, 200, 200, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/indicators/report",
            "/indicators/report?area=331003001".into(),
            [200, 404, 404, 200, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/indicators/report.xlsx",
            "/indicators/report.xlsx".into(),
            [200, 200, 200, 200, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/indicators/report.xlsx",
            "/indicators/report.xlsx?area=331003001".into(),
            [200, 404, 404, 200, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/indicators/targets",
            "/indicators/targets".into(),
            [200, 200, 200, 200, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/indicators/targets",
            "/indicators/targets?area=331003001".into(),
            [200, 404, 404, 200, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/indicators/targets",
            "/indicators/targets".into(),
            [422, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/indicators/gdp",
            "/indicators/gdp".into(),
            [200, 200, 200, 200, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/indicators/gdp",
            "/indicators/gdp".into(),
            [422, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/indicators/{key}/people",
            "/indicators/living_subsidy_coverage/people?part=gap".into(),
            [200, 200, 200, 200, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/indicators/{key}/people",
            "/indicators/nursing_subsidy_coverage/people?area=331003001".into(),
            [200, 404, 404, 200, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/indicators/{key}/people",
            "/indicators/no_such_indicator/people".into(),
            [404, 404, 404, 404, 403, 403, 403, 403],
        ),
        // Drill-down exports follow the registry export's right (issue 23.4): a village
        // worker or a partner department may not bulk-export named persons.
        (
            "POST",
            "/indicators/{key}/people.xlsx",
            "/indicators/nursing_subsidy_coverage/people.xlsx".into(),
            [200, 200, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/indicators/{key}/people.xlsx",
            "/indicators/culture_sports/people.xlsx".into(),
            [200, 200, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/public/indicators",
            "/public/indicators".into(),
            [200; 8],
        ),
        (
            "GET",
            "/subsidies",
            "/subsidies?month=2025-09".into(),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/subsidies/cases",
            "/subsidies/cases".into(),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        // No person named: not found for the subsidy roles.
        (
            "POST",
            "/subsidies/cases",
            "/subsidies/cases".into(),
            [404, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/subsidies/cases/{id}",
            format!("/subsidies/cases/{case_in}"),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/subsidies/cases/{id}",
            format!("/subsidies/cases/{case_out}"),
            [200, 404, 404, 403, 403, 403, 403, 403],
        ),
        // No decision given: the form comes back with its error; village workers do not decide.
        (
            "POST",
            "/subsidies/cases/{id}/decide",
            format!("/subsidies/cases/{case_in}/decide"),
            [422, 422, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/subsidies/cases/{id}/decide",
            format!("/subsidies/cases/{case_out}/decide"),
            [422, 404, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/subsidies/payroll",
            "/subsidies/payroll?month=2025-09".into(),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/subsidies/payroll/submit",
            "/subsidies/payroll/submit".into(),
            [400, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/subsidies/payroll/approve",
            "/subsidies/payroll/approve".into(),
            [400, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/subsidies/payroll/export",
            "/subsidies/payroll/export".into(),
            [400, 400, 400, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/subsidies/policy",
            "/subsidies/policy".into(),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/subsidies/policy",
            "/subsidies/policy".into(),
            [422, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/subsidies/what-if",
            "/subsidies/what-if".into(),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/persons/{handle}/subsidies",
            format!("/persons/{h_in}/subsidies"),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/persons/{handle}/subsidies",
            format!("/persons/{h_out}/subsidies"),
            [200, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/persons/{handle}/benefits",
            format!("/persons/{h_in}/benefits"),
            [422, 422, 422, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/persons/{handle}/benefits",
            format!("/persons/{h_out}/benefits"),
            [422, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/persons/{handle}/account",
            format!("/persons/{h_in}/account"),
            [422, 422, 422, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/persons/{handle}/account",
            format!("/persons/{h_out}/account"),
            [422, 404, 404, 403, 403, 403, 403, 403],
        ),
        ("GET", "/signup", "/signup".into(), [200; 8]),
        ("POST", "/signup", "/signup".into(), [422; 8]),
        (
            "GET",
            "/display",
            "/display?set=large&next=/".into(),
            [303; 8],
        ),
        (
            "GET",
            "/me",
            "/me".into(),
            [403, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "GET",
            "/me",
            format!("/me?p={h_out}"),
            [403, 403, 403, 403, 403, 403, 403, 404],
        ),
        (
            "GET",
            "/me/certificate",
            "/me/certificate".into(),
            [403, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "GET",
            "/me/certificate",
            format!("/me/certificate?p={h_out}"),
            [403, 403, 403, 403, 403, 403, 403, 404],
        ),
        (
            "GET",
            "/me/services",
            "/me/services".into(),
            [403, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "GET",
            "/me/services/{key}",
            "/me/services/device".into(),
            [403, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "GET",
            "/me/services/{key}",
            "/me/services/no_such".into(),
            [403, 403, 403, 403, 403, 403, 403, 404],
        ),
        // Not a multipart form: refused with a page.
        (
            "POST",
            "/me/services/{key}",
            "/me/services/device".into(),
            [403, 403, 403, 403, 403, 403, 403, 400],
        ),
        (
            "GET",
            "/me/applications/{id}",
            format!("/me/applications/{app_in}"),
            [403, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "GET",
            "/me/applications/{id}",
            format!("/me/applications/{app_out}"),
            [403, 403, 403, 403, 403, 403, 403, 404],
        ),
        (
            "POST",
            "/me/applications/{id}/answer",
            format!("/me/applications/{app_in}/answer"),
            [403, 403, 403, 403, 403, 403, 403, 400],
        ),
        (
            "GET",
            "/me/applications/{id}/files/{seq}",
            format!("/me/applications/{app_in}/files/1"),
            [403, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "GET",
            "/me/applications/{id}/files/{seq}",
            format!("/me/applications/{app_out}/files/1"),
            [403, 403, 403, 403, 403, 403, 403, 404],
        ),
        (
            "GET",
            "/me/needs",
            "/me/needs".into(),
            [403, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "POST",
            "/me/needs",
            "/me/needs".into(),
            [403, 403, 403, 403, 403, 403, 403, 422],
        ),
        (
            "POST",
            "/me/needs/{id}/satisfaction",
            format!("/me/needs/{need_in}/satisfaction"),
            [403, 403, 403, 403, 403, 403, 403, 422],
        ),
        (
            "POST",
            "/me/needs/{id}/satisfaction",
            format!("/me/needs/{need_out}/satisfaction"),
            [403, 403, 403, 403, 403, 403, 403, 404],
        ),
        (
            "GET",
            "/me/messages",
            "/me/messages".into(),
            [403, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "GET",
            "/services/queue",
            "/services/queue".into(),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/services/applications/{id}",
            format!("/services/applications/{app_in}"),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/services/applications/{id}",
            format!("/services/applications/{app_out}"),
            [200, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/services/applications/{id}/act",
            format!("/services/applications/{app_in}/act"),
            [409, 409, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/services/applications/{id}/act",
            format!("/services/applications/{app_out}/act"),
            [409, 404, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/services/applications/{id}/files/{seq}",
            format!("/services/applications/{app_in}/files/1"),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/services/applications/{id}/files/{seq}",
            format!("/services/applications/{app_out}/files/1"),
            [200, 404, 404, 403, 403, 403, 403, 403],
        ),
        // Home modification: staff of the area; a contractor only on its own projects.
        (
            "GET",
            "/homemod",
            "/homemod".into(),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/homemod/apply",
            "/homemod/apply".into(),
            [422, 422, 422, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/homemod/budgets",
            "/homemod/budgets".into(),
            [422, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/homemod/export",
            "/homemod/export".into(),
            [200, 200, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/homemod/works",
            "/homemod/works".into(),
            [403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/homemod/projects/{id}",
            format!("/homemod/projects/{hm_in}"),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/homemod/projects/{id}",
            format!("/homemod/projects/{hm_out}"),
            [200, 404, 404, 403, 403, 403, 403, 403],
        ),
        // A device application is no project.
        (
            "GET",
            "/homemod/projects/{id}",
            format!("/homemod/projects/{app_in}"),
            [404, 404, 404, 403, 403, 403, 403, 403],
        ),
        // The form is multipart: a urlencoded body is refused once the project is found.
        (
            "POST",
            "/homemod/projects/{id}/act",
            format!("/homemod/projects/{hm_in}/act"),
            [400, 400, 400, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/homemod/projects/{id}/act",
            format!("/homemod/projects/{hm_out}/act"),
            [400, 404, 404, 403, 403, 403, 403, 403],
        ),
        // Not accepted yet: no payment to record.
        (
            "POST",
            "/homemod/projects/{id}/payment",
            format!("/homemod/projects/{hm_in}/payment"),
            [409, 409, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/homemod/projects/{id}/payment",
            format!("/homemod/projects/{hm_out}/payment"),
            [409, 404, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/homemod/projects/{id}/files/{seq}",
            format!("/homemod/projects/{hm_in}/files/1"),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/homemod/projects/{id}/files/{seq}",
            format!("/homemod/projects/{hm_out}/files/1"),
            [200, 404, 404, 403, 403, 403, 403, 403],
        ),
        // Rehabilitation: staff of the area; an institution only on its own children; the
        // district administrator designates and settles.
        (
            "GET",
            "/rehab",
            "/rehab".into(),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/rehab/placements",
            "/rehab/placements".into(),
            [422, 422, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/rehab/export",
            "/rehab/export".into(),
            [200, 200, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/rehab/records",
            "/rehab/records".into(),
            [422, 422, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/rehab/placements/{id}",
            format!("/rehab/placements/{rp_in}"),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/rehab/placements/{id}",
            format!("/rehab/placements/{rp_out}"),
            [200, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/rehab/placements/{id}/records",
            format!("/rehab/placements/{rp_in}/records"),
            [422, 422, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/rehab/placements/{id}/records",
            format!("/rehab/placements/{rp_out}/records"),
            [422, 404, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/rehab/placements/{id}/end",
            format!("/rehab/placements/{rp_in}/end"),
            [422, 422, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/rehab/placements/{id}/end",
            format!("/rehab/placements/{rp_out}/end"),
            [422, 404, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/rehab/institution",
            "/rehab/institution".into(),
            [403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/rehab/institution/import",
            "/rehab/institution/import".into(),
            [403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/rehab/settlements",
            "/rehab/settlements".into(),
            [200, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/rehab/settlements",
            "/rehab/settlements".into(),
            [422, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/rehab/designations",
            "/rehab/designations".into(),
            [422, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/rehab/settlements/export",
            "/rehab/settlements/export".into(),
            [200, 403, 403, 403, 403, 403, 403, 403],
        ),
        // Assistive devices: staff of the area; the district keeps the stock.
        (
            "GET",
            "/devices",
            "/devices".into(),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/devices/cases",
            "/devices/cases".into(),
            [422, 422, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/devices/cases/{id}",
            format!("/devices/cases/{dc_in}"),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/devices/cases/{id}",
            format!("/devices/cases/{dc_out}"),
            [200, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/devices/cases/{id}/act",
            format!("/devices/cases/{dc_in}/act"),
            [422, 422, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/devices/cases/{id}/act",
            format!("/devices/cases/{dc_out}/act"),
            [422, 404, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/devices/export",
            "/devices/export".into(),
            [200, 200, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/devices/loans",
            "/devices/loans".into(),
            [422, 422, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/devices/loans/{id}",
            format!("/devices/loans/{dl_in}"),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/devices/loans/{id}",
            format!("/devices/loans/{dl_out}"),
            [200, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/devices/loans/{id}/renew",
            format!("/devices/loans/{dl_in}/renew"),
            [422, 422, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/devices/loans/{id}/renew",
            format!("/devices/loans/{dl_out}/renew"),
            [422, 404, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/devices/loans/{id}/return",
            format!("/devices/loans/{dl_in}/return"),
            [422, 422, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/devices/loans/{id}/return",
            format!("/devices/loans/{dl_out}/return"),
            [422, 404, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/devices/stock",
            "/devices/stock".into(),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/devices/stock",
            "/devices/stock".into(),
            [422, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/devices/catalogue",
            "/devices/catalogue".into(),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/devices/catalogue",
            "/devices/catalogue".into(),
            [422, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/devices/catalogue/items",
            "/devices/catalogue/items".into(),
            [422, 403, 403, 403, 403, 403, 403, 403],
        ),
        // The quota review: district and township staff read; the district imports and
        // confirms (an employer that has no declaration: not found); an employer's own page,
        // upload and objection are the employer's; the public list is anyone's.
        (
            "GET",
            "/employment",
            "/employment?year=2025".into(),
            [200, 200, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/employment/import",
            "/employment/import".into(),
            [400, 403, 403, 403, 403, 403, 403, 403],
        ),
        // The year's review as a workbook: the district's administrator (full IDs inside).
        (
            "GET",
            "/employment/review.xlsx",
            "/employment/review.xlsx?year=2025".into(),
            [200, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/employment/employers/{uscc}",
            "/employment/employers/91331003MA2AAAAA0X?year=2025".into(),
            [404, 404, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/employment/employers/{uscc}/confirm",
            "/employment/employers/91331003MA2AAAAA0X/confirm".into(),
            [404, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/employment/employers/{uscc}/contest",
            "/employment/employers/91331003MA2AAAAA0X/contest".into(),
            [403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/employment/employers/{uscc}/profile",
            "/employment/employers/91331003MA2AAAAA0X/profile".into(),
            [404, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/employment/employer",
            "/employment/employer".into(),
            [403, 403, 403, 403, 403, 403, 403, 403],
        ),
        // A declaration entered on the page: the district (the empty form is refused by
        // field) or an employer's account.
        (
            "GET",
            "/employment/declare",
            "/employment/declare?year=2025".into(),
            [200, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/employment/declare",
            "/employment/declare".into(),
            [422, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/employment/employer/import",
            "/employment/employer/import".into(),
            [403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/public/employment",
            "/public/employment?year=2025".into(),
            [200; 8],
        ),
        // Job matching: district, township and village staff work with the job seekers of
        // their area (another area's person: not found); the empty registration is refused
        // by field, a referral to no vacancy is not found; vacancies are staff's and the
        // employer's; the service end's job page is the citizen's.
        (
            "GET",
            "/employment/seekers",
            "/employment/seekers".into(),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/employment/seekers/{handle}",
            format!("/employment/seekers/{h_in}"),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/employment/seekers/{handle}",
            format!("/employment/seekers/{h_out}"),
            [200, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/employment/seekers/{handle}",
            format!("/employment/seekers/{h_in}"),
            [422, 422, 422, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/employment/seekers/{handle}",
            format!("/employment/seekers/{h_out}"),
            [422, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/employment/seekers/{handle}/refer",
            format!("/employment/seekers/{h_in}/refer"),
            [404, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/employment/seekers/{handle}/refer",
            format!("/employment/seekers/{h_out}/refer"),
            [404, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/employment/vacancies",
            "/employment/vacancies".into(),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/employment/vacancies",
            "/employment/vacancies".into(),
            [422, 422, 422, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/employment/vacancies/{id}",
            "/employment/vacancies/nope".into(),
            [404, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/employment/vacancies/{id}",
            "/employment/vacancies/nope".into(),
            [404, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/employment/referrals/{id}/outcome",
            "/employment/referrals/nope/outcome".into(),
            [404, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/employment/households",
            "/employment/households".into(),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/employment/households/followup",
            "/employment/households/followup".into(),
            [404, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/employment/training",
            "/employment/training".into(),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/employment/training",
            "/employment/training".into(),
            [422, 422, 422, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/employment/training/{id}",
            "/employment/training/nope".into(),
            [404, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/employment/training/{id}/trainees",
            "/employment/training/nope/trainees".into(),
            [404, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/employment/training/{id}/completion",
            "/employment/training/nope/completion".into(),
            [404, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/employment/massage",
            "/employment/massage".into(),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/employment/massage",
            "/employment/massage".into(),
            [422, 422, 422, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/employment/massage/end",
            "/employment/massage/end".into(),
            [404, 404, 404, 403, 403, 403, 403, 403],
        ),
        // Placements: staff of the area list and record them (the empty form is refused by
        // field); an unknown placement is not found.
        (
            "GET",
            "/employment/placements",
            "/employment/placements".into(),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/employment/placements",
            "/employment/placements".into(),
            [422, 422, 422, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/employment/placements/end",
            "/employment/placements/end".into(),
            [404, 404, 404, 403, 403, 403, 403, 403],
        ),
        // Care: staff of the area list the institutions; an unknown institution or stay is
        // not found; only the district records decisions.
        (
            "GET",
            "/care",
            "/care".to_string(),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/care/institution",
            "/care/institution?id=none".to_string(),
            [404, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/care/institution/decide",
            "/care/institution/decide".to_string(),
            [404, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/care/institution/admit",
            "/care/institution/admit".to_string(),
            [404, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/care/stays/end",
            "/care/stays/end".to_string(),
            [404, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/care/residents",
            "/care/residents".to_string(),
            [403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/me/jobs",
            "/me/jobs".into(),
            [403, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "POST",
            "/me/jobs",
            "/me/jobs".into(),
            [403, 403, 403, 403, 403, 403, 403, 422],
        ),
        (
            "POST",
            "/me/jobs/interest",
            "/me/jobs/interest".into(),
            [403, 403, 403, 403, 403, 403, 403, 404],
        ),
        // A service point's own page and lending: institution accounts only.
        (
            "GET",
            "/devices/point",
            "/devices/point".into(),
            [403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/devices/point/loans",
            "/devices/point/loans".into(),
            [403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/devices/stock/condition",
            "/devices/stock/condition".into(),
            [422, 422, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/needs",
            "/needs".into(),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/needs/{id}",
            format!("/needs/{need_in}"),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/needs/{id}",
            format!("/needs/{need_out}"),
            [200, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/needs/{id}/act",
            format!("/needs/{need_in}/act"),
            [422, 422, 422, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/needs/{id}/act",
            format!("/needs/{need_out}/act"),
            [422, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/persons/{handle}/needs",
            format!("/persons/{h_in}/needs"),
            [200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/persons/{handle}/needs",
            format!("/persons/{h_out}/needs"),
            [200, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/persons/{handle}/needs",
            format!("/persons/{h_in}/needs"),
            [422, 422, 422, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/persons/{handle}/needs",
            format!("/persons/{h_out}/needs"),
            [422, 404, 404, 403, 403, 403, 403, 403],
        ),
        ("GET", "/healthz", "/healthz".into(), [200; 8]),
        ("GET", "/static/app.css", "/static/app.css".into(), [200; 8]),
        (
            "GET",
            "/api/openapi.json",
            "/api/openapi.json".into(),
            [200; 8],
        ),
        // The data exchange: runs are seen by district staff, auditors, township and village
        // staff (their area's) and partners (their department's); departments are set by
        // district and system administrators.
        (
            "GET",
            "/feeds",
            "/feeds".into(),
            [200, 200, 200, 200, 200, 403, 403, 403],
        ),
        (
            "POST",
            "/feeds/upload",
            "/feeds/upload".into(),
            [400, 400, 400, 400, 400, 403, 403, 403],
        ),
        (
            "GET",
            "/feeds/runs/{id}",
            "/feeds/runs/nosuchrun".into(),
            [404, 404, 404, 404, 404, 403, 403, 403],
        ),
        (
            "GET",
            "/feeds/runs/{id}/report.json",
            "/feeds/runs/nosuchrun/report.json".into(),
            [404, 404, 404, 404, 404, 403, 403, 403],
        ),
        (
            "POST",
            "/feeds/runs/{id}/resolve",
            "/feeds/runs/nosuchrun/resolve".into(),
            [404, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/feeds/partners",
            "/feeds/partners".into(),
            [200, 403, 403, 403, 403, 200, 403, 403],
        ),
        (
            "POST",
            "/feeds/partners",
            "/feeds/partners".into(),
            [422, 403, 403, 403, 403, 422, 403, 403],
        ),
    ];
    let api: Vec<Row> = vec![
        // Without a TOTP code: administrators (two-step verification) are refused.
        (
            "POST",
            "/api/v1/session",
            "/api/v1/session".into(),
            [401, 200, 200, 200, 200, 401, 401, 200],
        ),
        (
            "GET",
            "/api/v1/persons",
            "/api/v1/persons".into(),
            [200, 200, 200, 200, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/api/v1/persons/{citizen_id}",
            format!("/api/v1/persons/{}", inside.person.citizen_id),
            [200, 200, 200, 200, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/api/v1/persons/{citizen_id}",
            format!("/api/v1/persons/{}", outside.person.citizen_id),
            [200, 404, 404, 200, 403, 403, 403, 403],
        ),
        ("GET", "/api/v1/tokens", "/api/v1/tokens".into(), [200; 8]),
        (
            "GET",
            "/api/v1/verify/{token}",
            format!("/api/v1/verify/{cert_token}"),
            [200; 8],
        ),
        (
            "DELETE",
            "/api/v1/tokens/{id}",
            format!("/api/v1/tokens/{t_village_api}"),
            [404, 404, 204, 404, 404, 404, 404, 404],
        ),
    ];

    let api: Vec<Row> = api
        .into_iter()
        .chain([
            (
                "GET",
                "/api/v1/indicators",
                "/api/v1/indicators?at=2025-12-31".to_string(),
                [200, 200, 200, 200, 403, 403, 403, 403],
            ),
            (
                "GET",
                "/api/v1/indicators",
                "/api/v1/indicators?area=331003001".to_string(),
                [200, 404, 404, 200, 403, 403, 403, 403],
            ),
            (
                "GET",
                "/api/v1/indicators/{key}/members",
                "/api/v1/indicators/nursing_subsidy_coverage/members".to_string(),
                [200, 200, 200, 200, 403, 403, 403, 403],
            ),
            (
                "GET",
                "/api/v1/indicators/{key}/members",
                "/api/v1/indicators/nursing_subsidy_coverage/members?area=331003001".to_string(),
                [200, 404, 404, 200, 403, 403, 403, 403],
            ),
            (
                "GET",
                "/api/v1/me",
                "/api/v1/me".to_string(),
                [403, 403, 403, 403, 403, 403, 403, 200],
            ),
            (
                "GET",
                "/api/v1/me/certificate/token",
                "/api/v1/me/certificate/token".to_string(),
                [403, 403, 403, 403, 403, 403, 403, 200],
            ),
            (
                "GET",
                "/api/v1/me/certificate/token",
                format!("/api/v1/me/certificate/token?person={h_out}"),
                [403, 403, 403, 403, 403, 403, 403, 404],
            ),
            (
                "GET",
                "/api/v1/homemod/projects",
                "/api/v1/homemod/projects?year=2026".to_string(),
                [200, 200, 200, 403, 403, 403, 403, 403],
            ),
            (
                "GET",
                "/api/v1/employment/reviews",
                "/api/v1/employment/reviews?year=2025".to_string(),
                [200, 200, 403, 403, 403, 403, 403, 403],
            ),
            (
                "GET",
                "/api/v1/employment/vacancies",
                "/api/v1/employment/vacancies".to_string(),
                [200, 200, 200, 403, 403, 403, 403, 403],
            ),
            (
                "GET",
                "/api/v1/employment/seekers/{handle}/matches",
                format!("/api/v1/employment/seekers/{h_in}/matches"),
                [200, 200, 200, 403, 403, 403, 403, 403],
            ),
            (
                "GET",
                "/api/v1/employment/seekers/{handle}/matches",
                format!("/api/v1/employment/seekers/{h_out}/matches"),
                [200, 404, 404, 403, 403, 403, 403, 403],
            ),
            (
                "GET",
                "/api/v1/rehab/records",
                "/api/v1/rehab/records?month=2026-01".to_string(),
                [200, 200, 200, 403, 403, 403, 403, 403],
            ),
            (
                "GET",
                "/api/v1/care/institutions",
                "/api/v1/care/institutions".to_string(),
                [200, 200, 200, 403, 403, 403, 403, 403],
            ),
            (
                "GET",
                "/api/v1/devices",
                "/api/v1/devices".to_string(),
                [200, 200, 200, 403, 403, 403, 403, 403],
            ),
            (
                "GET",
                "/api/v1/me/applications",
                "/api/v1/me/applications".to_string(),
                [403, 403, 403, 403, 403, 403, 403, 200],
            ),
            (
                "GET",
                "/api/v1/subsidies/audit",
                "/api/v1/subsidies/audit?month=2025-09".to_string(),
                [200, 200, 200, 403, 403, 403, 403, 403],
            ),
            (
                "GET",
                "/api/v1/subsidies/audit",
                "/api/v1/subsidies/audit?area=331003001".to_string(),
                [200, 404, 404, 403, 403, 403, 403, 403],
            ),
            (
                "GET",
                "/api/v1/subsidies/payroll",
                "/api/v1/subsidies/payroll?month=2025-09".to_string(),
                [200, 200, 200, 403, 403, 403, 403, 403],
            ),
            (
                "GET",
                "/api/v1/subsidies/payroll",
                "/api/v1/subsidies/payroll?area=331003001".to_string(),
                [200, 404, 404, 403, 403, 403, 403, 403],
            ),
            (
                "GET",
                "/api/v1/persons/{citizen_id}/subsidies",
                format!("/api/v1/persons/{}/subsidies", inside.person.citizen_id),
                [200, 200, 200, 403, 403, 403, 403, 403],
            ),
            (
                "GET",
                "/api/v1/persons/{citizen_id}/subsidies",
                format!("/api/v1/persons/{}/subsidies", outside.person.citizen_id),
                [200, 404, 404, 403, 403, 403, 403, 403],
            ),
            // A push without a token (who may push what: `feeds.rs`).
            (
                "POST",
                "/api/v1/feeds/{kind}",
                "/api/v1/feeds/civil_affairs".to_string(),
                [401; 8],
            ),
            (
                "POST",
                "/api/v1/records/{kind}",
                "/api/v1/records/rehab_service".to_string(),
                [401; 8],
            ),
            (
                "GET",
                "/api/v1/feeds/runs",
                "/api/v1/feeds/runs".to_string(),
                [200, 200, 200, 200, 200, 403, 403, 403],
            ),
            (
                "GET",
                "/api/v1/feeds/runs/{id}",
                "/api/v1/feeds/runs/nosuchrun".to_string(),
                [404, 404, 404, 404, 404, 403, 403, 403],
            ),
        ])
        .collect();

    // Every route of the service has at least one row.
    let covered: std::collections::BTreeSet<&str> =
        pages.iter().chain(api.iter()).map(|r| r.1).collect();
    for (path, _) in zhucan_web::routes(&zhucan::programmes()) {
        assert!(
            covered.contains(path),
            "route {path} has no row in the authorisation matrix"
        );
    }

    let mut failures = Vec::new();
    for (i, role) in ROLES.iter().enumerate() {
        let client = app.browser(role).await;
        let start = if *role == "citizen" { "/me" } else { "/" };
        let home = client
            .get(app.url(start))
            .send()
            .await
            .expect("home")
            .text()
            .await
            .expect("body");
        let csrf = csrf_of(&home);
        for (method, _, path, expected) in &pages {
            if *path == "/logout" {
                continue; // ends the session: checked last
            }
            let r = match *method {
                "GET" => client.get(app.url(path)).send().await,
                _ => {
                    client
                        .post(app.url(path))
                        .form(&[("_csrf", csrf.as_str())])
                        .send()
                        .await
                }
            }
            .expect("request");
            if r.status().as_u16() != expected[i] {
                failures.push(format!(
                    "{role} {method} {path}: {} (expected {})",
                    r.status().as_u16(),
                    expected[i]
                ));
            }
        }
        let token = app.token(role).await;
        for (method, _, path, expected) in &api {
            let c = reqwest::Client::new();
            let r = match *method {
                "GET" => c.get(app.url(path)).bearer_auth(&token).send().await,
                "DELETE" => c.delete(app.url(path)).bearer_auth(&token).send().await,
                _ => {
                    c.post(app.url(path))
                        .json(&serde_json::json!({"username": role, "password": crate::support::PASSWORD}))
                        .send()
                        .await
                }
            }
            .expect("request");
            if r.status().as_u16() != expected[i] {
                failures.push(format!(
                    "{role} {method} {path}: {} (expected {})",
                    r.status().as_u16(),
                    expected[i]
                ));
            }
        }
        let r = client
            .post(app.url("/logout"))
            .form(&[("_csrf", csrf.as_str())])
            .send()
            .await
            .expect("logout");
        if r.status().as_u16() != 303 {
            failures.push(format!("{role} POST /logout: {}", r.status()));
        }
        let r = client
            .get(app.url("/persons"))
            .send()
            .await
            .expect("after logout");
        if r.status().as_u16() != 303 {
            failures.push(format!(
                "{role} after logout: {} (expected a redirect to login)",
                r.status()
            ));
        }
    }
    // The confined roles: on every route, 403 or 404, except what every signed-in account
    // may use (the pages where the auditor, the system and the security administrator all
    // get the same, non-refused answer: home, own account, public pages) and the rows a
    // programme declares for them in `CONFINED` (its own queues).
    let confined_rows: BTreeMap<(&str, &str), [u16; 3]> =
        CONFINED.iter().map(|(m, p, e)| ((*m, *p), *e)).collect();
    for (i, role) in CONFINED_ROLES.iter().enumerate() {
        let expect = |method: &str, pattern: &str, row: &[u16; 8]| -> Vec<u16> {
            if let Some(e) = confined_rows.get(&(method, pattern)) {
                return vec![e[i]];
            }
            let (aud, sys, sec) = (row[4], row[5], row[6]);
            if aud == sys && sys == sec && !matches!(aud, 403 | 404) {
                vec![aud]
            } else {
                vec![403, 404]
            }
        };
        let client = app.browser(role).await;
        let start = match *role {
            "contractor" => "/homemod/works",
            "employer" => "/employment/employer",
            _ => "/rehab/institution",
        };
        let home = client
            .get(app.url(start))
            .send()
            .await
            .expect("home")
            .text()
            .await
            .expect("body");
        let csrf = csrf_of(&home);
        for (method, pattern, path, row) in &pages {
            if *path == "/logout" {
                continue;
            }
            let r = match *method {
                "GET" => client.get(app.url(path)).send().await,
                _ => {
                    client
                        .post(app.url(path))
                        .form(&[("_csrf", csrf.as_str())])
                        .send()
                        .await
                }
            }
            .expect("request");
            let allowed = expect(method, pattern, row);
            if !allowed.contains(&r.status().as_u16()) {
                failures.push(format!(
                    "{role} {method} {path}: {} (expected {allowed:?})",
                    r.status().as_u16()
                ));
            }
        }
        let token = app.token(role).await;
        for (method, pattern, path, row) in &api {
            let c = reqwest::Client::new();
            let r = match *method {
                "GET" => c.get(app.url(path)).bearer_auth(&token).send().await,
                "DELETE" => c.delete(app.url(path)).bearer_auth(&token).send().await,
                _ => {
                    c.post(app.url(path))
                        .json(&serde_json::json!({"username": role, "password": crate::support::PASSWORD}))
                        .send()
                        .await
                }
            }
            .expect("request");
            let allowed = expect(method, pattern, row);
            if !allowed.contains(&r.status().as_u16()) {
                failures.push(format!(
                    "{role} {method} {path}: {} (expected {allowed:?})",
                    r.status().as_u16()
                ));
            }
        }
    }
    let mut by_role: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &failures {
        *by_role
            .entry(f.split(' ').next().unwrap_or(""))
            .or_default() += 1;
    }
    assert!(
        failures.is_empty(),
        "{} authorisation mismatches {by_role:?}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
