//! The subsidy engine against the literal reading of `policy.md` (`reference`), on registries
//! full of edge cases, and the certificate history's months.

#[allow(unused_imports)]
use crate::prelude::*;
use chrono::NaiveDate;
use zhucan_domain::area::AreaCode;
use zhucan_facts::Snapshot;

use crate::reference::{self, snapshot_of};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).expect("code")
}

const ANCHORS: [(i32, u32, u32); 4] = [(2021, 12, 31), (2023, 3, 1), (2024, 2, 29), (2025, 12, 31)];

fn anchors() -> Vec<NaiveDate> {
    ANCHORS.iter().map(|&(y, m, dd)| d(y, m, dd)).collect()
}

fn areas_under_test() -> Vec<AreaCode> {
    [
        "331003",
        "331003001",
        "331003101",
        "331003200",
        "331003201",
        "331003101201",
    ]
    .iter()
    .map(|c| code(c))
    .collect()
}

// ---------------------------------------------------------------- the two subsidies

fn default_policy() -> zhucan_domain::policy::Policy {
    zhucan_domain::policy::Policy::new(crate::rules::default_params(&code("331003")))
}

fn month(y: i32, m: u32) -> zhucan_domain::parse::Month {
    zhucan_domain::parse::Month::new(y, m).expect("month")
}

#[test]
fn audit_and_payroll_match_the_literal_policy() {
    let today = d(2026, 11, 30);
    let policy = default_policy();
    let months = [
        month(2021, 12),
        month(2022, 1),
        month(2023, 3),
        month(2024, 2),
        month(2024, 3),
        month(2025, 12),
        month(2026, 1),
    ];
    let mut seen = std::collections::HashMap::new();
    for seed in 0..25 {
        let reg = reference::random(1000 + seed, 300, &anchors(), today);
        let snap = snapshot_of(&reg);
        for m in months {
            for area in areas_under_test() {
                let got: Vec<(String, &str, &str)> = snap
                    .audit(&policy, m, &area)
                    .into_iter()
                    .map(|f| (f.citizen_id.to_string(), f.subsidy.key(), f.finding.key()))
                    .collect();
                let mut got = got;
                got.sort();
                for (_, s, f) in &got {
                    *seen.entry((*s, *f)).or_insert(0) += 1;
                }
                assert_eq!(
                    got,
                    reference::expected_findings(&reg, m, &area),
                    "seed {seed}, {m}, {area}"
                );
                let mut pay: Vec<(String, &str, i64)> = snap
                    .payroll(&policy, m, &area)
                    .into_iter()
                    .map(|l| (l.citizen_id.to_string(), l.subsidy.key(), l.amount_fen))
                    .collect();
                pay.sort();
                *seen.entry(("payments", "")).or_insert(0) += pay.len();
                assert_eq!(
                    pay,
                    reference::expected_payments(&reg, m, &area),
                    "payroll: seed {seed}, {m}, {area}"
                );
            }
        }
    }
    // The data exercise every kind of finding.
    for k in [
        ("living", "eligible_not_receiving"),
        ("living", "receiving_not_eligible"),
        ("nursing", "eligible_not_receiving"),
        ("nursing", "receiving_not_eligible"),
        ("payments", ""),
    ] {
        assert!(seen.get(&k).copied().unwrap_or(0) > 50, "{k:?}: {seen:?}");
    }
}

#[test]
fn payroll_corrections_are_what_was_due_less_what_closed_months_paid() {
    use crate::rules::Subsidy;
    use std::collections::{BTreeMap, HashMap, HashSet};
    use zhucan_domain::ids::CitizenId;
    let today = d(2026, 11, 30);
    let policy = default_policy();
    let m = month(2025, 12);
    // A closed month after the payroll's month is not corrected by it.
    let closed = [month(2025, 10), month(2025, 11), month(2026, 1)];
    let district = code("331003");
    let key = |id: &str, s: &str, c| {
        (
            CitizenId::from_trusted(id.to_string()).expect("id"),
            Subsidy::parse(s).expect("subsidy"),
            c,
        )
    };
    let mut kinds: HashMap<String, usize> = HashMap::new();
    for seed in 0..8 {
        let reg = reference::random(3000 + seed, 300, &anchors(), today);
        let mut snap = snapshot_of(&reg);
        // What was paid: what was due, some of it missed or wrong, plus payments to persons
        // of another month's roll who may be due nothing now.
        let mut paid = HashMap::new();
        for &c in &closed {
            for (k, (id, s, a)) in reference::expected_payments(&reg, c, &district)
                .into_iter()
                .enumerate()
            {
                let a = match k % 7 {
                    0 => continue,
                    1 => a - 500,
                    2 => a + 1_200,
                    _ => a,
                };
                paid.insert(key(&id, s, c), a);
            }
            for (id, s, a) in reference::expected_payments(&reg, month(2023, 3), &district)
                .into_iter()
                .step_by(3)
            {
                paid.entry(key(&id, s, c)).or_insert(a);
            }
        }
        snap.set_paid(&closed, &paid);
        assert_eq!(snap.closed_months(), closed.to_vec());
        let files = reference::files(&reg.rows);
        for area in areas_under_test() {
            let inside: HashSet<String> = files
                .iter()
                .filter(|f| reference::in_area(f, &area))
                .map(|f| f.person.citizen_id.to_string())
                .collect();
            let mut want: Vec<(String, &str, String, String, i64)> =
                reference::expected_payments(&reg, m, &area)
                    .into_iter()
                    .map(|(id, s, a)| (id, s, "regular".to_string(), m.to_string(), a))
                    .collect();
            for &c in closed.iter().filter(|c| **c < m) {
                let mut delta: BTreeMap<(String, &str), i64> = BTreeMap::new();
                for (id, s, a) in reference::expected_payments(&reg, c, &area) {
                    *delta.entry((id, s)).or_default() += a;
                }
                for ((id, s, cc), a) in &paid {
                    if *cc == c && inside.contains(id.as_str()) {
                        *delta.entry((id.to_string(), s.key())).or_default() -= a;
                    }
                }
                for ((id, s), x) in delta.into_iter().filter(|x| x.1 != 0) {
                    let kind = if x > 0 { "arrears" } else { "recovery" };
                    want.push((id, s, kind.to_string(), c.to_string(), x));
                }
            }
            want.sort();
            let lines = snap.payroll(&policy, m, &area);
            assert!(
                lines.is_sorted_by_key(|l| (
                    l.township.clone(),
                    l.citizen_id.to_string(),
                    l.subsidy,
                    l.for_month,
                    l.kind.clone()
                )),
                "in township, citizen ID, subsidy, month, kind order"
            );
            let mut got: Vec<(String, &str, String, String, i64)> = lines
                .into_iter()
                .map(|l| {
                    *kinds.entry(l.kind.clone()).or_default() += 1;
                    (
                        l.citizen_id.to_string(),
                        l.subsidy.key(),
                        l.kind,
                        l.for_month.to_string(),
                        l.amount_fen,
                    )
                })
                .collect();
            got.sort();
            assert_eq!(got, want, "seed {seed}, {area}");
        }
    }
    for k in ["regular", "arrears", "recovery"] {
        assert!(kinds.get(k).copied().unwrap_or(0) > 20, "{k}: {kinds:?}");
    }
}

// ---------------------------------------------------------------- certificate history

/// One history case: the certificates a person held (the current one last) and, per month,
/// the nursing subsidy due (`None`: not eligible) for a person enrolled since 2016-12.
struct HistoryCase {
    name: &'static str,
    certs: Vec<zhucan_domain::person::Certificate>,
    months: Vec<((i32, u32), Option<i64>)>,
}

fn cert_of(
    id: &zhucan_domain::ids::CitizenId,
    category: zhucan_domain::Category,
    grade: zhucan_domain::Grade,
    issued: NaiveDate,
) -> zhucan_domain::person::Certificate {
    use zhucan_domain::person::{Certificate, CertificateStatus};
    Certificate {
        number: zhucan_domain::CertificateNo::compose(id, category, grade),
        category,
        grade,
        components: vec![],
        issued_on: issued,
        valid_until: Certificate::default_valid_until(issued),
        status: CertificateStatus::Valid,
        revoked_on: None,
        smart_card: false,
    }
}

#[test]
fn a_renewal_or_re_assessment_never_opens_a_gap_and_the_certificate_in_force_decides() {
    use crate::rules::Subsidy;
    use zhucan_domain::Category::{Intellectual, Physical};
    use zhucan_domain::Grade::{One, Three, Two};
    use zhucan_domain::person::{CertificateStatus, Person, Survey};
    let id = zhucan_domain::ids::with_check_char("33100319600101123").expect("id");
    let start = d(2016, 11, 15);
    // Issued 2016-11-15 and valid for 20 years (the cases below end it as they need).
    let a = |g| zhucan_domain::person::Certificate {
        valid_until: d(2036, 11, 14),
        ..cert_of(&id, Physical, g, start)
    };
    let revoked = |on| zhucan_domain::person::Certificate {
        status: CertificateStatus::Revoked,
        revoked_on: on,
        ..a(One)
    };
    let cases = vec![
        HistoryCase {
            name: "renewal (the same number issued again)",
            certs: vec![
                zhucan_domain::person::Certificate {
                    valid_until: d(2026, 11, 15),
                    ..a(One)
                },
                zhucan_domain::person::Certificate {
                    issued_on: d(2026, 11, 10),
                    valid_until: d(2036, 11, 10),
                    ..a(One)
                },
            ],
            months: vec![
                ((2016, 11), None),
                ((2016, 12), Some(30_000)),
                ((2026, 10), Some(30_000)),
                ((2026, 11), Some(30_000)),
                ((2026, 12), Some(30_000)),
                ((2027, 1), Some(30_000)),
            ],
        },
        HistoryCase {
            name: "re-assessment down, still eligible",
            certs: vec![a(One), cert_of(&id, Physical, Two, d(2026, 12, 3))],
            months: vec![
                ((2016, 12), Some(30_000)),
                ((2026, 11), Some(30_000)),
                ((2026, 12), Some(30_000)),
                ((2027, 1), Some(24_000)),
            ],
        },
        HistoryCase {
            name: "re-assessment to 三级 肢体: stops the month after, not before",
            certs: vec![a(One), cert_of(&id, Physical, Three, d(2026, 12, 3))],
            months: vec![
                ((2016, 12), Some(30_000)),
                ((2026, 12), Some(30_000)),
                ((2027, 1), None),
            ],
        },
        HistoryCase {
            name: "re-assessment up",
            certs: vec![a(Two), cert_of(&id, Physical, One, d(2024, 5, 20))],
            months: vec![
                ((2016, 12), Some(24_000)),
                ((2024, 5), Some(24_000)),
                ((2024, 6), Some(30_000)),
            ],
        },
        HistoryCase {
            name: "category change to 智力三级",
            certs: vec![a(Three), cert_of(&id, Intellectual, Three, d(2025, 3, 10))],
            months: vec![
                ((2016, 12), None),
                ((2025, 3), None),
                ((2025, 4), Some(18_000)),
            ],
        },
        HistoryCase {
            name: "revocation, then a new issue",
            certs: vec![
                revoked(Some(d(2023, 6, 10))),
                zhucan_domain::person::Certificate {
                    issued_on: d(2023, 9, 5),
                    valid_until: d(2033, 9, 5),
                    ..a(One)
                },
            ],
            months: vec![
                ((2016, 12), Some(30_000)),
                ((2023, 6), Some(30_000)),
                ((2023, 7), None),
                ((2023, 9), None),
                ((2023, 10), Some(30_000)),
            ],
        },
        HistoryCase {
            name: "a gap between two certificates",
            certs: vec![
                zhucan_domain::person::Certificate {
                    valid_until: d(2022, 2, 14),
                    ..a(One)
                },
                zhucan_domain::person::Certificate {
                    issued_on: d(2022, 5, 20),
                    valid_until: d(2032, 5, 20),
                    ..a(One)
                },
            ],
            months: vec![
                ((2022, 2), Some(30_000)),
                ((2022, 3), None),
                ((2022, 5), None),
                ((2022, 6), Some(30_000)),
            ],
        },
        HistoryCase {
            name: "revoked, date unknown: never in force (the literal spec)",
            certs: vec![revoked(None)],
            months: vec![((2016, 12), None), ((2026, 12), None)],
        },
        HistoryCase {
            name: "revoked on a known day, nothing issued after",
            certs: vec![revoked(Some(d(2026, 3, 1)))],
            months: vec![((2026, 2), Some(30_000)), ((2026, 3), None)],
        },
    ];
    let policy = default_policy();
    let district = code("331003");
    let person = Person {
        citizen_id: id.clone(),
        name: "测试".into(),
        township: code("331003001"),
        village: None,
        hukou_type: None,
        household_id: None,
        household_size: None,
        phone: None,
        guardian_name: None,
        guardian_phone: None,
        died_on: None,
        moved_out_on: None,
    };
    let survey = Survey {
        year: 2016,
        nursing_subsidy_since: Some(month(2016, 12)),
        ..Survey::default()
    };
    for case in &cases {
        let mut snap = Snapshot::new();
        snap.set_reference(reference::areas(), vec![]);
        let (current, former) = case.certs.split_last().expect("a certificate");
        snap.upsert(&person, current, former, std::slice::from_ref(&survey));
        for &((y, mo), due) in &case.months {
            let m = month(y, mo);
            let pay: Vec<i64> = snap
                .payroll(&policy, m, &district)
                .into_iter()
                .filter(|l| l.subsidy == Subsidy::Nursing)
                .map(|l| l.amount_fen)
                .collect();
            assert_eq!(
                pay,
                due.into_iter().collect::<Vec<_>>(),
                "{}: {m} payroll",
                case.name
            );
            let stop = snap
                .audit(&policy, m, &district)
                .into_iter()
                .any(|f| f.subsidy == Subsidy::Nursing);
            // Enrolled from 2016-12: not eligible while enrolled is a finding (stop).
            assert_eq!(
                stop,
                due.is_none() && m >= month(2016, 12),
                "{}: {m} audit finding",
                case.name
            );
            // The domain's reading of the history agrees with the snapshot's.
            let first = m.first_day();
            let governing = zhucan_domain::person::governing_on(&case.certs, first);
            assert_eq!(
                governing.is_some_and(|c| c.in_force_on(first)),
                snap.active(&snap.persons[0], zhucan_facts::snapshot::day(first))
                    .is_some(),
                "{}: {m} in force",
                case.name
            );
        }
        // The order the history is given in does not matter.
        let mut reversed = Snapshot::new();
        reversed.set_reference(reference::areas(), vec![]);
        let mut shuffled: Vec<_> = former.to_vec();
        shuffled.reverse();
        reversed.upsert(&person, current, &shuffled, std::slice::from_ref(&survey));
        for &((y, mo), _) in &case.months {
            let m = month(y, mo);
            assert_eq!(
                reversed.payroll(&policy, m, &district),
                snap.payroll(&policy, m, &district),
                "{}: {m}",
                case.name
            );
        }
    }
}
