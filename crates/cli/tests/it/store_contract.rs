//! The storage contract: the same tests on SQLite and PostgreSQL.

#[allow(unused_imports)]
use crate::support::prelude::*;
use zhucan_domain::area::AreaLevel;
use zhucan_domain::person::{EconomicStatus, RecordExtras};
use zhucan_domain::timeline::{EventKind, LifeEvent, apply_life_event};
use zhucan_domain::{Category, Grade};
use zhucan_store::registry::Actor;
use zhucan_store::{ImportOutcome, PersonQuery, StoreError};

use crate::contract;
use crate::support::{TestDb, d, put, record};

const ACTOR: Actor<'static> = Actor {
    name: "test",
    source: "import",
};

contract!(
    default_areas_are_seeded,
    merge_inserts_a_whole_file,
    merging_the_same_row_twice_changes_nothing,
    reassessment_keeps_the_old_certificate,
    renewal_and_revocation_keep_every_issue,
    schema_9_keeps_the_certificates_of_schema_8,
    an_older_survey_year_does_not_override_person_fields,
    a_stale_version_is_refused,
    concurrent_writers_never_fail,
    search_by_name_id_certificate_and_area,
    search_wildcards_match_only_themselves,
    registering_twice_is_refused,
    accounts_tokens_and_sessions,
    the_audit_chain_detects_tampering,
    rights_changes_end_sessions_and_tokens,
    sessions_and_tokens_are_listed_and_ended_by_their_owner,
    settings_are_versioned_and_stale_saves_refused,
    purging_old_audit_records_leaves_a_verifiable_anchor,
);

async fn default_areas_are_seeded(db: TestDb) {
    let areas = db.store.areas().await.expect("areas");
    assert_eq!(
        areas
            .iter()
            .filter(|a| a.code.level() == AreaLevel::Township)
            .count(),
        19
    );
    assert!(
        areas
            .iter()
            .any(|a| a.code.as_str() == "331003107" && a.name == "院桥镇")
    );
    assert_eq!(
        db.store.district().await.expect("district").as_str(),
        "331003"
    );
}

async fn merge_inserts_a_whole_file(db: TestDb) {
    let mut r = record(
        "张三",
        d(1980, 1, 2),
        11,
        "331003107",
        Category::Physical,
        Grade::Two,
    );
    r.survey.economic_status = Some(EconomicStatus::Dibao);
    r.survey.needs_rehab = Some(true);
    let out = db
        .store
        .merge_records(&[(r.clone(), RecordExtras::default())], &ACTOR)
        .await
        .expect("merge");
    assert_eq!(out, vec![ImportOutcome::Inserted]);
    let f = db
        .store
        .person_file(&r.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    assert_eq!(f.person, r.person);
    assert_eq!(f.certificate, r.certificate);
    assert_eq!(f.surveys, vec![r.survey.clone()]);
    assert_eq!(f.events.len(), 1);
    assert_eq!(f.events[0].kind, EventKind::CertificateIssued);
    assert_eq!(f.record(), r);
    assert!(!f.handle.is_empty());
    assert_eq!(
        db.store.citizen_by_ref(&f.handle).await.expect("ref"),
        Some(r.person.citizen_id.clone())
    );
}

async fn merging_the_same_row_twice_changes_nothing(db: TestDb) {
    let r = record(
        "李四",
        d(1975, 6, 30),
        21,
        "331003001",
        Category::Visual,
        Grade::One,
    );
    put(&db.store, std::slice::from_ref(&r)).await;
    let before = db
        .store
        .person_file(&r.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    let out = db
        .store
        .merge_records(&[(r.clone(), RecordExtras::default())], &ACTOR)
        .await
        .expect("merge");
    assert_eq!(out, vec![ImportOutcome::Unchanged]);
    let after = db
        .store
        .person_file(&r.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    assert_eq!(before.version, after.version);
    assert_eq!(before.events.len(), after.events.len());
}

async fn reassessment_keeps_the_old_certificate(db: TestDb) {
    let r = record(
        "王五",
        d(1960, 3, 3),
        31,
        "331003101",
        Category::Physical,
        Grade::Four,
    );
    put(&db.store, std::slice::from_ref(&r)).await;
    let f = db
        .store
        .person_file(&r.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    let ev = LifeEvent::Reassess {
        category: Category::Physical,
        grade: Grade::Two,
        components: vec![],
        on: d(2024, 5, 6),
    };
    let (next, events) = apply_life_event(&f.record(), &ev, d(2026, 1, 1)).expect("apply");
    db.store
        .save_file(&next, f.version, Some(events), &ACTOR)
        .await
        .expect("save");
    let g = db
        .store
        .person_file(&r.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    assert_eq!(g.certificate.grade, Grade::Two);
    assert!(g.certificate.number.as_str().ends_with("42"));
    assert_eq!(g.certificates.len(), 2);
    assert_eq!(g.certificates.iter().filter(|c| c.is_current).count(), 1);
    assert!(
        g.certificates
            .iter()
            .any(|c| !c.is_current && c.certificate.number.as_str().ends_with("44"))
    );
    assert_eq!(g.events.last().map(|e| e.kind), Some(EventKind::Reassessed));
    assert_eq!(g.version, f.version + 1);
}

async fn renewal_and_revocation_keep_every_issue(db: TestDb) {
    use zhucan_domain::person::CertificateStatus;
    let r = record(
        "赵六",
        d(1962, 4, 4),
        41,
        "331003101",
        Category::Physical,
        Grade::One,
    );
    let id = r.person.citizen_id.clone();
    put(&db.store, std::slice::from_ref(&r)).await;
    let file = |db: &TestDb| {
        let store = db.store.clone();
        let id = id.clone();
        async move {
            store
                .person_file(&id, &crate::support::any())
                .await
                .expect("file")
                .expect("exists")
        }
    };
    // Revoked on a known day (a staff's life event) …
    let f = file(&db).await;
    let (next, events) = apply_life_event(
        &f.record(),
        &LifeEvent::Revoke { on: d(2023, 6, 10) },
        d(2026, 1, 1),
    )
    .expect("revoke");
    db.store
        .save_file(&next, f.version, Some(events), &ACTOR)
        .await
        .expect("save");
    // … a workbook stating the same revocation without a date changes nothing …
    let mut again = r.clone();
    again.certificate.status = CertificateStatus::Revoked;
    let before = file(&db).await;
    put(&db.store, std::slice::from_ref(&again)).await;
    let after = file(&db).await;
    assert_eq!(after.version, before.version, "the known date is kept");
    assert_eq!(after.certificate.revoked_on, Some(d(2023, 6, 10)));
    // … then the same number issued again: both issues stay in the history.
    let (next, events) = apply_life_event(
        &after.record(),
        &LifeEvent::Renew {
            on: d(2023, 9, 5),
            valid_until: d(2033, 9, 5),
        },
        d(2026, 1, 1),
    )
    .expect("renew");
    db.store
        .save_file(&next, after.version, Some(events), &ACTOR)
        .await
        .expect("save");
    let g = file(&db).await;
    assert_eq!(g.certificates.len(), 2, "{:?}", g.certificates);
    assert_eq!(g.certificate.issued_on, d(2023, 9, 5));
    assert_eq!(g.certificate.status, CertificateStatus::Valid);
    let old = g.former_certificates();
    assert_eq!(old.len(), 1);
    assert_eq!(old[0].issued_on, r.certificate.issued_on);
    assert_eq!(old[0].revoked_on, Some(d(2023, 6, 10)));
    let all = g.all_certificates();
    let on = |y, m, dd| {
        zhucan_domain::person::governing_on(&all, d(y, m, dd))
            .is_some_and(|c| c.in_force_on(d(y, m, dd)))
    };
    assert!(on(2023, 6, 9));
    assert!(!on(2023, 6, 10));
    assert!(!on(2023, 9, 4));
    assert!(on(2023, 9, 5));
    // The facts cache reads the same history.
    let snap = zhucan::facts_cache(db.store.clone())
        .snapshot()
        .await
        .expect("snapshot");
    let policy = db.store.policy().await.expect("policy");
    let m = zhucan_domain::parse::Month::new(2023, 7).expect("month");
    let e =
        zhucan_subsidies::facts::explain_person(&g, vec![], &policy, m, zhucan_domain::Lang::En);
    let nursing = &e.subsidies[1];
    assert!(!nursing.eligible);
    let failed: Vec<&str> = nursing
        .conditions
        .iter()
        .filter(|c| !c.met)
        .map(|c| c.code)
        .collect();
    assert_eq!(failed, ["certificate_revoked"], "{nursing:?}");
    let m = zhucan_domain::parse::Month::new(2023, 10).expect("month");
    assert!(
        zhucan_subsidies::facts::explain_person(&g, vec![], &policy, m, zhucan_domain::Lang::En)
            .subsidies[1]
            .eligible
    );
    assert_eq!(snap.len(), 1);
}

/// A database of schema 8 (one certificate row per number) gains the certificate history
/// without losing a row.
async fn schema_9_keeps_the_certificates_of_schema_8(db: TestDb) {
    let r = record(
        "周七",
        d(1970, 7, 7),
        61,
        "331003101",
        Category::Physical,
        Grade::Two,
    );
    put(&db.store, std::slice::from_ref(&r)).await;
    let before = db
        .store
        .person_file(&r.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    // Back to schema 8's table, as a database of the previous release holds it.
    crate::support::raw_sql(
        &db.url,
        "CREATE TABLE certificates_v8 (
            citizen_id TEXT NOT NULL REFERENCES persons (citizen_id), certificate_no TEXT NOT NULL,
            category TEXT NOT NULL, grade TEXT NOT NULL, components TEXT NOT NULL,
            issued_on TEXT NOT NULL, valid_until TEXT NOT NULL, status TEXT NOT NULL,
            smart_card BOOLEAN NOT NULL, is_current BOOLEAN NOT NULL, recorded_at TEXT NOT NULL,
            PRIMARY KEY (citizen_id, certificate_no));
         INSERT INTO certificates_v8 SELECT citizen_id, certificate_no, category, grade, components,
            issued_on, valid_until, status, smart_card, is_current, recorded_at FROM certificates;
         DROP TABLE certificates;
         ALTER TABLE certificates_v8 RENAME TO certificates;
         CREATE UNIQUE INDEX certificates_number ON certificates (certificate_no);
         CREATE INDEX certificates_current ON certificates (citizen_id, is_current);
         DELETE FROM schema_migrations WHERE name = 'certificate_history';",
    )
    .await;
    db.store.close().await;
    let store = zhucan::open_store(&db.url).await.expect("migrate");
    let after = store
        .person_file(&r.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    assert_eq!(after.certificate, before.certificate);
    assert_eq!(after.certificates.len(), 1);
    store.close().await;
}

async fn an_older_survey_year_does_not_override_person_fields(db: TestDb) {
    let r = record(
        "赵六",
        d(1990, 12, 31),
        41,
        "331003107",
        Category::Hearing,
        Grade::Three,
    );
    put(&db.store, std::slice::from_ref(&r)).await;
    let mut old = r.clone();
    old.survey.year = 2023;
    old.person.township = zhucan_domain::AreaCode::parse("331003001").expect("code");
    old.survey.economic_status = Some(EconomicStatus::Dibian);
    let out = db
        .store
        .merge_records(&[(old, RecordExtras::default())], &ACTOR)
        .await
        .expect("merge");
    assert_eq!(out, vec![ImportOutcome::Updated]);
    let f = db
        .store
        .person_file(&r.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    assert_eq!(f.person.township.as_str(), "331003107");
    assert_eq!(
        f.surveys.iter().map(|s| s.year).collect::<Vec<_>>(),
        vec![2025, 2023]
    );
    assert_eq!(f.surveys[1].economic_status, Some(EconomicStatus::Dibian));
    // A newer year moves the person.
    let mut newer = r.clone();
    newer.survey.year = 2026;
    newer.person.township = zhucan_domain::AreaCode::parse("331003001").expect("code");
    db.store
        .merge_records(&[(newer, RecordExtras::default())], &ACTOR)
        .await
        .expect("merge");
    let g = db
        .store
        .person_file(&r.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    assert_eq!(g.person.township.as_str(), "331003001");
    assert_eq!(g.latest_survey_year, 2026);
    assert_eq!(g.events.last().map(|e| e.kind), Some(EventKind::Relocated));
}

async fn a_stale_version_is_refused(db: TestDb) {
    let r = record(
        "钱七",
        d(1950, 2, 2),
        51,
        "331003002",
        Category::Mental,
        Grade::Two,
    );
    put(&db.store, std::slice::from_ref(&r)).await;
    let f = db
        .store
        .person_file(&r.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    let (first, ev1) = apply_life_event(
        &f.record(),
        &LifeEvent::MoveOut { on: d(2025, 1, 1) },
        d(2026, 1, 1),
    )
    .expect("apply");
    let (second, ev2) = apply_life_event(
        &f.record(),
        &LifeEvent::Decease { on: d(2025, 2, 1) },
        d(2026, 1, 1),
    )
    .expect("apply");
    db.store
        .save_file(&first, f.version, Some(ev1), &ACTOR)
        .await
        .expect("first save");
    let e = db
        .store
        .save_file(&second, f.version, Some(ev2), &ACTOR)
        .await
        .expect_err("second save must fail");
    assert!(matches!(e, StoreError::VersionConflict { .. }), "{e:?}");
    let g = db
        .store
        .person_file(&r.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    assert_eq!(g.person.moved_out_on, Some(d(2025, 1, 1)));
    assert_eq!(g.person.died_on, None);
}

async fn concurrent_writers_never_fail(db: TestDb) {
    let mut tasks = Vec::new();
    for w in 0..6u32 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..25u32 {
                let r = record(
                    &format!("并发{w}-{i}"),
                    d(1970 + w as i32, 1, 1 + i),
                    100 + w,
                    "331003005",
                    Category::Physical,
                    Grade::Three,
                );
                store
                    .merge_records(&[(r, RecordExtras::default())], &ACTOR)
                    .await
                    .expect("concurrent write");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    assert_eq!(db.store.count_persons(None).await.expect("count"), 150);
}

async fn search_by_name_id_certificate_and_area(db: TestDb) {
    let a = record(
        "孙小明",
        d(1985, 5, 5),
        61,
        "331003107",
        Category::Intellectual,
        Grade::Three,
    );
    let b = record(
        "孙大明",
        d(1986, 6, 6),
        62,
        "331003001",
        Category::Physical,
        Grade::Four,
    );
    let c = record(
        "周红",
        d(1987, 7, 7),
        63,
        "331003107",
        Category::Speech,
        Grade::Two,
    );
    put(&db.store, &[a.clone(), b.clone(), c.clone()]).await;
    let q = |text: &str, area: Option<&str>| PersonQuery {
        text: Some(text.into()),
        area: area.and_then(zhucan_domain::AreaCode::parse),
        page: 1,
        per_page: 10,
    };
    assert_eq!(
        db.store.search(&q("孙", None)).await.expect("search").total,
        2
    );
    assert_eq!(
        db.store
            .search(&q("孙", Some("331003107")))
            .await
            .expect("search")
            .total,
        1
    );
    assert_eq!(
        db.store
            .search(&q("", Some("331003")))
            .await
            .expect("search")
            .total,
        3
    );
    let by_id = db
        .store
        .search(&q(a.person.citizen_id.as_str(), None))
        .await
        .expect("search");
    assert_eq!(
        by_id
            .items
            .iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>(),
        vec!["孙小明"]
    );
    let by_cert = db
        .store
        .search(&q(c.certificate.number.as_str(), None))
        .await
        .expect("search");
    assert_eq!(
        by_cert
            .items
            .iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>(),
        vec!["周红"]
    );
    let page2 = db
        .store
        .search(&PersonQuery {
            text: None,
            area: None,
            page: 2,
            per_page: 2,
        })
        .await
        .expect("search");
    assert_eq!((page2.total, page2.items.len()), (3, 1));
}

/// Issue 23.6: `%`, `_` and `\` typed into the search box are letters, not LIKE wildcards
/// (escaped with `ESCAPE '\'` on both backends).
async fn search_wildcards_match_only_themselves(db: TestDb) {
    let a = record(
        "王_明",
        d(1985, 5, 5),
        61,
        "331003107",
        Category::Intellectual,
        Grade::Three,
    );
    let b = record(
        "王小明",
        d(1986, 6, 6),
        62,
        "331003001",
        Category::Physical,
        Grade::Four,
    );
    let c = record(
        "周100%",
        d(1987, 7, 7),
        63,
        "331003107",
        Category::Speech,
        Grade::Two,
    );
    put(&db.store, &[a, b, c]).await;
    let total = |text: &'static str| {
        let store = db.store.clone();
        async move {
            store
                .search(&PersonQuery {
                    text: Some(text.into()),
                    area: None,
                    page: 1,
                    per_page: 10,
                })
                .await
                .expect("search")
                .total
        }
    };
    assert_eq!(total("%").await, 1, "only the name with a literal %");
    assert_eq!(total("%%").await, 0);
    assert_eq!(total("_").await, 1, "only the name with a literal _");
    assert_eq!(total("王_明").await, 1);
    assert_eq!(total("王%").await, 0);
    assert_eq!(total("\\").await, 0);
    assert_eq!(
        total("明").await,
        2,
        "an ordinary part of a name still matches"
    );
}

async fn registering_twice_is_refused(db: TestDb) {
    let r = record(
        "吴一",
        d(1999, 9, 9),
        71,
        "331003003",
        Category::Visual,
        Grade::Four,
    );
    db.store
        .register(
            &r,
            &Actor {
                name: "clerk",
                source: "form",
            },
        )
        .await
        .expect("register");
    let e = db
        .store
        .register(
            &r,
            &Actor {
                name: "clerk",
                source: "form",
            },
        )
        .await
        .expect_err("duplicate");
    assert!(matches!(e, StoreError::Exists(_)));
    let f = db
        .store
        .person_file(&r.person.citizen_id, &crate::support::any())
        .await
        .expect("file")
        .expect("exists");
    assert_eq!(
        f.events.iter().map(|e| e.kind).collect::<Vec<_>>(),
        vec![EventKind::CertificateIssued, EventKind::Registered]
    );
}

async fn accounts_tokens_and_sessions(db: TestDb) {
    crate::support::user(
        &db.store,
        "clerk",
        zhucan_store::Role::TownshipStaff,
        "331003107",
    )
    .await;
    let u = db
        .store
        .user_by_username("clerk")
        .await
        .expect("lookup")
        .expect("exists");
    assert_eq!(u.area.as_str(), "331003107");
    db.store
        .create_api_token(&zhucan_store::NewToken {
            user_id: u.id.clone(),
            token_hash: "h1".into(),
            scope: zhucan_store::TokenScope::ReadWrite,
            label: "test".into(),
            expires_at: "2999-01-01T00:00:00Z".into(),
        })
        .await
        .expect("token");
    db.store
        .create_api_token(&zhucan_store::NewToken {
            user_id: u.id.clone(),
            token_hash: "h2".into(),
            scope: zhucan_store::TokenScope::ReadWrite,
            label: "test".into(),
            expires_at: "2000-01-01T00:00:00Z".into(),
        })
        .await
        .expect("token");
    let now = chrono::Utc::now().to_rfc3339();
    assert!(
        db.store
            .user_for_token("h1", &now)
            .await
            .expect("q")
            .is_some()
    );
    assert!(
        db.store
            .user_for_token("h2", &now)
            .await
            .expect("q")
            .is_none(),
        "expired token"
    );
    assert!(
        db.store
            .user_for_token("nope", &now)
            .await
            .expect("q")
            .is_none()
    );
    db.store
        .create_session(&zhucan_store::NewSession {
            id_hash: "s1".into(),
            user_id: u.id.clone(),
            csrf_token: "csrf".into(),
            lang: "zh-CN".into(),
            expires_at: "2999-01-01T00:00:00Z".into(),
            client: "127.0.0.1".into(),
            user_agent: "test".into(),
        })
        .await
        .expect("session");
    assert_eq!(
        db.store
            .session("s1")
            .await
            .expect("q")
            .map(|s| s.csrf_token),
        Some("csrf".into())
    );
    db.store.delete_session("s1").await.expect("delete");
    assert!(db.store.session("s1").await.expect("q").is_none());
    let dup = zhucan_store::NewUser {
        username: "clerk".into(),
        password_hash: "x".into(),
        role: zhucan_store::Role::Auditor,
        area: u.area.clone(),
        display_name: None,
    };
    assert!(matches!(
        db.store.create_user(&dup).await,
        Err(StoreError::Exists(_))
    ));
}

async fn the_audit_chain_detects_tampering(db: TestDb) {
    use zhucan_store::audit::{AuditCheck, AuditEvent, AuditQuery};
    assert_eq!(
        db.store.verify_audit().await.expect("verify"),
        AuditCheck::Intact {
            records: 0,
            first: 1
        }
    );
    for i in 1..=5 {
        let e = AuditEvent {
            account: "clerk".into(),
            role: "township_staff".into(),
            area: "331003107".into(),
            client: "127.0.0.1".into(),
            action: "person.read".into(),
            object: format!("obj{i}"),
            outcome: "ok".into(),
            detail: serde_json::json!({"i": i}),
        };
        let r = db.store.audit(&e).await.expect("append");
        assert_eq!(r.seq, i);
    }
    // Concurrent appends keep one chain.
    let mut tasks = Vec::new();
    for w in 0..4 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..5 {
                let e = AuditEvent {
                    account: format!("w{w}"),
                    action: "login".into(),
                    outcome: "ok".into(),
                    ..Default::default()
                };
                store.audit(&e).await.expect("append");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    assert_eq!(
        db.store.verify_audit().await.expect("verify"),
        AuditCheck::Intact {
            records: 25,
            first: 1
        }
    );
    let (n, rows) = db
        .store
        .audit_search(&AuditQuery {
            object: Some("obj3".into()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .expect("search");
    assert_eq!((n, rows.len(), rows[0].seq), (1, 1, 3));

    crate::support::raw_sql(
        &db.url,
        "UPDATE audit_log SET outcome = 'denied' WHERE seq = 3",
    )
    .await;
    match db.store.verify_audit().await.expect("verify") {
        AuditCheck::Broken { seq, .. } => assert_eq!(seq, 3),
        other => panic!("tampering not detected: {other:?}"),
    }
    crate::support::raw_sql(&db.url, "UPDATE audit_log SET outcome = 'ok' WHERE seq = 3").await;
    assert_eq!(
        db.store.verify_audit().await.expect("verify"),
        AuditCheck::Intact {
            records: 25,
            first: 1
        }
    );
    crate::support::raw_sql(&db.url, "DELETE FROM audit_log WHERE seq = 25").await;
    assert!(matches!(
        db.store.verify_audit().await.expect("verify"),
        AuditCheck::Broken { seq: 25, .. }
    ));
}

fn event(action: &str) -> zhucan_store::audit::AuditEvent {
    zhucan_store::audit::AuditEvent {
        account: "sys".into(),
        role: "system_admin".into(),
        action: action.into(),
        object: "clerk".into(),
        outcome: "ok".into(),
        ..Default::default()
    }
}

async fn clerk_with_session_and_token(db: &TestDb) -> (zhucan_store::User, String, String) {
    crate::support::user(
        &db.store,
        "clerk",
        zhucan_store::Role::TownshipStaff,
        "331003107",
    )
    .await;
    let u = db
        .store
        .user_by_username("clerk")
        .await
        .expect("lookup")
        .expect("exists");
    let s = db
        .store
        .create_session(&zhucan_store::NewSession {
            id_hash: "sh1".into(),
            user_id: u.id.clone(),
            csrf_token: "c".into(),
            lang: "zh-CN".into(),
            expires_at: "2999-01-01T00:00:00Z".into(),
            client: "10.0.0.7".into(),
            user_agent: "x".repeat(500),
        })
        .await
        .expect("session");
    let t = db
        .store
        .create_api_token(&zhucan_store::NewToken {
            user_id: u.id.clone(),
            token_hash: "th1".into(),
            scope: zhucan_store::TokenScope::Read,
            label: "cli:test".into(),
            expires_at: "2999-01-01T00:00:00Z".into(),
        })
        .await
        .expect("token");
    (u, s, t)
}

async fn rights_changes_end_sessions_and_tokens(db: TestDb) {
    let (u, _, _) = clerk_with_session_and_token(&db).await;
    let now = chrono::Utc::now().to_rfc3339();
    let village = zhucan_domain::AreaCode::parse("331003001").expect("code");
    let change = db
        .store
        .set_user_rights(&u.id, zhucan_store::Role::Partner, &village, |c| {
            let mut e = event("account.rights_change");
            e.detail = serde_json::json!({"role": [c.old_role.key(), "partner"]});
            e
        })
        .await
        .expect("change")
        .expect("changed");
    assert_eq!(change.old_role, zhucan_store::Role::TownshipStaff);
    assert_eq!(change.old_area.as_str(), "331003107");
    assert_eq!((change.sessions_ended, change.tokens_revoked), (1, 1));
    assert!(db.store.session("sh1").await.expect("q").is_none());
    assert!(
        db.store
            .user_for_token("th1", &now)
            .await
            .expect("q")
            .is_none()
    );
    let after = db
        .store
        .user_by_id(&u.id)
        .await
        .expect("q")
        .expect("exists");
    assert_eq!(
        (after.role, after.area.as_str()),
        (zhucan_store::Role::Partner, "331003001")
    );
    // The same rights again: nothing written, no audit record.
    let (before, _) = db
        .store
        .audit_search(&zhucan_store::audit::AuditQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("search");
    assert!(
        db.store
            .set_user_rights(&u.id, zhucan_store::Role::Partner, &village, |_| event("x"))
            .await
            .expect("same")
            .is_none()
    );
    let (n, rows) = db
        .store
        .audit_search(&zhucan_store::audit::AuditQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("search");
    assert_eq!(n, before);
    assert_eq!(rows[0].action, "account.rights_change");
    assert!(
        rows[0].detail.contains("township_staff"),
        "{}",
        rows[0].detail
    );
    // An area outside the dictionary: refused, nothing changed.
    let unknown = zhucan_domain::AreaCode::parse("331003999").expect("code");
    assert!(matches!(
        db.store
            .set_user_rights(&u.id, zhucan_store::Role::Auditor, &unknown, |_| event("x"))
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        db.store
            .user_by_id(&u.id)
            .await
            .expect("q")
            .expect("e")
            .role,
        zhucan_store::Role::Partner
    );
}

async fn sessions_and_tokens_are_listed_and_ended_by_their_owner(db: TestDb) {
    let (u, s, t) = clerk_with_session_and_token(&db).await;
    let now = chrono::Utc::now().to_rfc3339();
    let sessions = db.store.sessions_of(&u.id, &now).await.expect("list");
    assert_eq!(sessions.len(), 1);
    assert_eq!(
        (sessions[0].id.as_str(), sessions[0].client.as_str()),
        (s.as_str(), "10.0.0.7")
    );
    assert_eq!(
        sessions[0].user_agent.chars().count(),
        200,
        "the user agent is shortened"
    );
    assert_eq!(
        db.store.session("sh1").await.expect("q").map(|i| i.id),
        Some(s.clone())
    );
    let tokens = db.store.tokens_of(&u.id, &now).await.expect("tokens");
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].scope.0, zhucan_store::TokenScope::Read);
    let (_, info) = db
        .store
        .token_user("th1", &now)
        .await
        .expect("q")
        .expect("usable");
    assert_eq!(
        (info.id.as_str(), info.label.as_str()),
        (t.as_str(), "cli:test")
    );
    // Another account cannot end or revoke them.
    assert!(
        !db.store
            .end_session("someone-else", &s, &event("session.end"))
            .await
            .expect("q")
    );
    assert!(
        !db.store
            .revoke_token("someone-else", &t, &event("token.revoke"))
            .await
            .expect("q")
    );
    assert!(
        db.store
            .end_session(&u.id, &s, &event("session.end"))
            .await
            .expect("q")
    );
    assert!(
        !db.store
            .end_session(&u.id, &s, &event("session.end"))
            .await
            .expect("q"),
        "once"
    );
    assert!(
        db.store
            .revoke_token(&u.id, &t, &event("token.revoke"))
            .await
            .expect("q")
    );
    assert!(db.store.tokens_of(&u.id, &now).await.expect("q").is_empty());
    assert!(
        db.store
            .sessions_of(&u.id, &now)
            .await
            .expect("q")
            .is_empty()
    );
    let (_, rows) = db
        .store
        .audit_search(&zhucan_store::audit::AuditQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("search");
    assert_eq!(
        rows.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(),
        ["token.revoke", "session.end"],
        "only what happened is recorded"
    );
}

async fn settings_are_versioned_and_stale_saves_refused(db: TestDb) {
    let keys = ["policy.a", "policy.b"];
    assert_eq!(db.store.settings_revision(&keys).await.expect("rev"), 0);
    let changes = vec![("policy.a".to_string(), "1".to_string())];
    let done = db
        .store
        .save_settings(&keys, 0, &changes, "sec", |c| {
            let mut e = event("settings.change");
            e.detail = serde_json::json!({"n": c.len()});
            e
        })
        .await
        .expect("save");
    assert_eq!(done.len(), 1);
    assert_eq!((done[0].old.as_deref(), done[0].version), (None, 1));
    assert_eq!(db.store.settings_revision(&keys).await.expect("rev"), 1);
    // A save based on revision 0 is stale now.
    assert!(matches!(
        db.store
            .save_settings(&keys, 0, &changes, "other", |_| event("settings.change"))
            .await,
        Err(StoreError::VersionConflict {
            expected: 0,
            found: 1
        })
    ));
    // Unchanged values write nothing.
    assert!(
        db.store
            .save_settings(&keys, 1, &changes, "sec", |_| event("settings.change"))
            .await
            .expect("save")
            .is_empty()
    );
    let two = vec![
        ("policy.a".to_string(), "2".to_string()),
        ("policy.b".to_string(), "x".to_string()),
    ];
    let done = db
        .store
        .save_settings(&keys, 1, &two, "sec2", |_| event("settings.change"))
        .await
        .expect("save");
    assert_eq!(done[0].old.as_deref(), Some("1"));
    assert_eq!(db.store.settings_revision(&keys).await.expect("rev"), 3);
    let hist = db.store.setting_history("policy.a").await.expect("history");
    assert_eq!(
        hist.iter()
            .map(|h| (h.version, h.value.as_str(), h.updated_by.as_str()))
            .collect::<Vec<_>>(),
        [(2, "2", "sec2"), (1, "1", "sec")]
    );
    let all = db.store.settings().await.expect("all");
    let a = all.iter().find(|s| s.key == "policy.a").expect("a");
    assert_eq!(
        (a.value.as_str(), a.version, a.updated_by.as_str()),
        ("2", 2, "sec2")
    );
    let (n, _) = db
        .store
        .audit_search(&zhucan_store::audit::AuditQuery {
            action: Some("settings.change".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("search");
    assert_eq!(n, 2, "one record per save that changed something");
}

async fn purging_old_audit_records_leaves_a_verifiable_anchor(db: TestDb) {
    use zhucan_store::audit::{AuditCheck, Purge};
    let last_old = crate::support::backdated_audit(&db.url, 30, 400).await;
    for i in 0..5 {
        let mut e = event("person.read");
        e.object = format!("new{i}");
        db.store.audit(&e).await.expect("append");
    }
    assert_eq!(
        db.store.verify_audit().await.expect("verify"),
        AuditCheck::Intact {
            records: 35,
            first: 1
        }
    );
    let now = chrono::Utc::now();
    // Inside the six-month floor: refused, nothing deleted.
    let recent = now - chrono::Duration::days(30);
    assert!(matches!(
        db.store
            .purge_audit(recent, now, event("audit.purge"))
            .await
            .expect("purge"),
        Purge::TooRecent { .. }
    ));
    let cut = now - chrono::Duration::days(200);
    // A broken trail is not purged (the evidence stays).
    crate::support::raw_sql(&db.url, "UPDATE audit_log SET object = 'x' WHERE seq = 5").await;
    assert!(matches!(
        db.store
            .purge_audit(cut, now, event("audit.purge"))
            .await
            .expect("purge"),
        Purge::Broken { seq: 5, .. }
    ));
    crate::support::raw_sql(
        &db.url,
        "UPDATE audit_log SET object = 'old5' WHERE seq = 5",
    )
    .await;
    let Purge::Done {
        purged,
        anchor: Some(anchor),
        record,
    } = db
        .store
        .purge_audit(cut, now, event("audit.purge"))
        .await
        .expect("purge")
    else {
        panic!("expected a purge with an anchor");
    };
    assert_eq!(
        (purged, anchor.seq, anchor.hash.as_str()),
        (30, 30, last_old.as_str())
    );
    assert_eq!(record, 36, "the purge is recorded after the rest");
    assert_eq!(
        db.store.verify_audit().await.expect("verify"),
        AuditCheck::Intact {
            records: 6,
            first: 31
        }
    );
    assert_eq!(
        db.store.audit_anchor().await.expect("anchor"),
        Some(anchor.clone())
    );
    // Purging again finds nothing older: no new anchor, the purge still recorded.
    assert!(matches!(
        db.store
            .purge_audit(cut, now, event("audit.purge"))
            .await
            .expect("purge"),
        Purge::Done {
            purged: 0,
            anchor: None,
            ..
        }
    ));
    assert!(matches!(
        db.store.verify_audit().await.expect("verify"),
        AuditCheck::Intact {
            records: 7,
            first: 31
        }
    ));
    // Editing a remaining record is still named.
    crate::support::raw_sql(&db.url, "UPDATE audit_log SET object = 'x' WHERE seq = 33").await;
    assert!(matches!(
        db.store.verify_audit().await.expect("verify"),
        AuditCheck::Broken { seq: 33, .. }
    ));
    crate::support::raw_sql(
        &db.url,
        "UPDATE audit_log SET object = 'new2' WHERE seq = 33",
    )
    .await;
    assert!(matches!(
        db.store.verify_audit().await.expect("verify"),
        AuditCheck::Intact { .. }
    ));
    // Deleting the first remaining record, or moving the anchor, is detected.
    crate::support::raw_sql(&db.url, "UPDATE audit_anchors SET seq = 31").await;
    assert!(matches!(
        db.store.verify_audit().await.expect("verify"),
        AuditCheck::Broken { seq: 32, .. }
    ));
    crate::support::raw_sql(&db.url, "UPDATE audit_anchors SET seq = 30").await;
    crate::support::raw_sql(&db.url, "DELETE FROM audit_log WHERE seq = 31").await;
    assert!(matches!(
        db.store.verify_audit().await.expect("verify"),
        AuditCheck::Broken { seq: 31, .. }
    ));
}
