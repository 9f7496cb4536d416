//! The storage contract: the same tests on SQLite and PostgreSQL.

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
    an_older_survey_year_does_not_override_person_fields,
    a_stale_version_is_refused,
    concurrent_writers_never_fail,
    search_by_name_id_certificate_and_area,
    registering_twice_is_refused,
    accounts_tokens_and_sessions,
    the_audit_chain_detects_tampering,
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
        .person_file(&r.person.citizen_id)
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
        .person_file(&r.person.citizen_id)
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
        .person_file(&r.person.citizen_id)
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
        .person_file(&r.person.citizen_id)
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
        .person_file(&r.person.citizen_id)
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
        .person_file(&r.person.citizen_id)
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
        .person_file(&r.person.citizen_id)
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
        .person_file(&r.person.citizen_id)
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
        .person_file(&r.person.citizen_id)
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
    // LIKE wildcards typed by a user are not wildcards.
    assert_eq!(
        db.store.search(&q("%", None)).await.expect("search").total,
        3
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
        .person_file(&r.person.citizen_id)
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
