use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use zhucan_domain::area::{AreaKind, AreaLevel};
use zhucan_domain::ids::CitizenId;
use zhucan_domain::institution::InstitutionKind;
use zhucan_domain::person::{
    CertificateStatus, EconomicStatus, HukouType, Insurance, PersonRecord, RecordExtras,
    is_active_at,
};
use zhucan_domain::{Category, CertificateNo, Grade, Month, Sex};

use super::*;

fn opts(persons: usize, seed: u64) -> DemoOptions {
    DemoOptions {
        persons,
        seed,
        ..DemoOptions::default()
    }
}

fn generate(o: &DemoOptions) -> (DemoDistrict, Vec<Row>, Vec<usize>) {
    let d = district(o);
    let mut rows = Vec::new();
    let mut batches = Vec::new();
    let r: Result<(), ()> = persons(o, &d, &mut |b: &[Row]| {
        batches.push(b.len());
        rows.extend_from_slice(b);
        Ok(())
    });
    assert!(r.is_ok());
    (d, rows, batches)
}

/// 20 000 persons with the default options, generated once for all tests.
fn big() -> &'static (DemoDistrict, Vec<Row>, Vec<usize>) {
    static BIG: OnceLock<(DemoDistrict, Vec<Row>, Vec<usize>)> = OnceLock::new();
    BIG.get_or_init(|| generate(&opts(20_000, 7)))
}

/// The last row of each person, in stream order.
fn people(rows: &[Row]) -> Vec<&PersonRecord> {
    let mut out: Vec<&PersonRecord> = Vec::new();
    for (r, _) in rows {
        match out.last_mut() {
            Some(last) if last.person.citizen_id == r.person.citizen_id => *last = r,
            _ => out.push(r),
        }
    }
    out
}

fn share(n: usize, d: usize) -> f64 {
    n as f64 / d.max(1) as f64
}

fn near(what: &str, got: f64, want: f64, tol: f64) {
    eprintln!("{what}: {got:.4} (want {want:.4})");
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:.4}, want {want:.4} ± {tol}"
    );
}

#[test]
fn deterministic_for_a_seed() {
    let a = generate(&opts(1_500, 42));
    let b = generate(&opts(1_500, 42));
    let c = generate(&opts(1_500, 43));
    assert_eq!(a.1, b.1);
    assert_eq!(a.0, b.0);
    assert_ne!(a.1, c.1);
}

#[test]
fn exact_person_count_batches_and_households() {
    let (d, rows, batches) = big();
    let ps = people(rows);
    assert_eq!(ps.len(), 20_000);
    assert!(
        batches.iter().all(|&n| n > 0 && n < generator::BATCH + 10),
        "{batches:?}"
    );
    assert!(batches.len() >= rows.len() / (generator::BATCH + 10));
    let mut households = BTreeSet::new();
    let mut singles = 0;
    for p in &ps {
        match &p.person.household_id {
            Some(h) => {
                households.insert(h.clone());
            }
            None => singles += 1,
        }
    }
    assert_eq!(d.households, households.len() + singles);
    // Zero persons: nothing streamed.
    let o = opts(0, 1);
    let mut calls = 0;
    let r: Result<(), ()> = persons(&o, &district(&o), &mut |_| {
        calls += 1;
        Ok(())
    });
    assert!(r.is_ok());
    assert_eq!(calls, 0);
}

#[test]
fn sink_errors_stop_the_stream() {
    let o = opts(12_000, 3);
    let d = district(&o);
    let mut calls = 0;
    let r = persons(&o, &d, &mut |_| {
        calls += 1;
        Err("disk full")
    });
    assert_eq!(r, Err("disk full"));
    assert_eq!(calls, 1);
}

#[test]
fn citizen_ids_valid_and_unique() {
    let (_, rows, _) = big();
    let today = DemoOptions::default().today;
    let mut seen = BTreeSet::new();
    let mut home = 0;
    let mut male = 0;
    for p in people(rows) {
        let id = p.person.citizen_id.as_str();
        let parsed = CitizenId::parse_on(id, today);
        assert!(parsed.is_ok(), "{id}: {parsed:?}");
        assert!(seen.insert(id.to_string()), "duplicate {id}");
        if id.starts_with("331003") {
            home += 1;
        }
        if p.person.citizen_id.sex() == Sex::Male {
            male += 1;
        }
        let age = p.person.citizen_id.age_on(today);
        assert!((0..=100).contains(&age), "{id} age {age}");
    }
    near("home address", share(home, seen.len()), 0.872, 0.02);
    near("male", share(male, seen.len()), 0.55, 0.02);
}

#[test]
fn certificates_consistent() {
    let (_, rows, _) = big();
    for (r, extras) in rows {
        let c = &r.certificate;
        assert_eq!(
            c.number,
            CertificateNo::compose(&r.person.citizen_id, c.category, c.grade)
        );
        assert!(c.number.as_str().starts_with(r.person.citizen_id.as_str()));
        assert_eq!(
            c.valid_until,
            zhucan_domain::person::Certificate::default_valid_until(c.issued_on)
        );
        if c.category == Category::Multiple {
            assert!((2..=3).contains(&c.components.len()), "{:?}", c.components);
            assert!(!c.components.contains(&Category::Multiple));
            assert!(c.components.windows(2).all(|w| w[0] < w[1]));
        } else {
            assert!(c.components.is_empty());
        }
        assert_eq!(extras, &RecordExtras::default());
        assert!(r.person.village.is_some());
    }
}

#[test]
fn dates_in_range() {
    for today in [
        DemoOptions::default().today,
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default(),
    ] {
        let o = DemoOptions {
            persons: 6_000,
            seed: 11,
            today,
        };
        let (d, rows, _) = generate(&o);
        let tm = Month::of(today);
        for i in &d.institutions {
            assert!(
                i.opened_on <= today && i.closed_on.is_none_or(|c| c > i.opened_on && c <= today)
            );
        }
        for (r, _) in &rows {
            let birth = r.person.citizen_id.birth_date();
            let c = &r.certificate;
            assert!(birth < c.issued_on && c.issued_on <= today, "{r:?}");
            assert!(c.issued_on >= NaiveDate::from_ymd_opt(2005, 1, 1).unwrap_or_default());
            for d in [r.person.died_on, r.person.moved_out_on]
                .into_iter()
                .flatten()
            {
                assert!(
                    d > birth
                        && d <= today
                        && d >= NaiveDate::from_ymd_opt(2021, 1, 1).unwrap_or_default()
                );
            }
            assert!(!(r.person.died_on.is_some() && r.person.moved_out_on.is_some()));
            assert!(
                [r.person.died_on, r.person.moved_out_on]
                    .into_iter()
                    .flatten()
                    .all(|d| d > c.issued_on)
            );
            let s = &r.survey;
            assert!(s.year <= today.year() && s.year >= 2005);
            for (since, until) in [
                (s.living_subsidy_since, s.living_subsidy_until),
                (s.nursing_subsidy_since, s.nursing_subsidy_until),
            ] {
                if let Some(since) = since {
                    assert!(since <= tm && since <= Month::new(s.year, 12).unwrap_or(tm));
                    assert!(since >= Month::of(birth));
                    if let Some(u) = until {
                        assert!(u >= since && u <= tm, "{since} {u}");
                    }
                } else {
                    assert!(until.is_none());
                }
            }
            if let Some(i) = s.income_per_capita_fen {
                assert!(i > 0 && i % 100 == 0);
            }
        }
    }
}

#[test]
fn person_fields_identical_across_rows() {
    let (_, rows, _) = big();
    let mut by_id: BTreeMap<&str, Vec<&PersonRecord>> = BTreeMap::new();
    let mut last_id = "";
    let mut seen_ids = BTreeSet::new();
    for (r, _) in rows {
        let id = r.person.citizen_id.as_str();
        if id != last_id {
            assert!(seen_ids.insert(id), "rows of {id} are not consecutive");
            last_id = id;
        }
        by_id.entry(id).or_default().push(r);
    }
    let mut three = 0;
    for rs in by_id.values() {
        let first = rs[0];
        let mut years = BTreeSet::new();
        for r in rs {
            assert_eq!(r.person, first.person);
            assert_eq!(r.certificate, first.certificate);
            assert!(years.insert(r.survey.year));
        }
        assert!(rs.len() <= 3);
        if years == BTreeSet::from([2023, 2024, 2025]) {
            three += 1;
        }
    }
    assert!(share(three, by_id.len()) > 0.6, "{three}");
}

#[test]
fn distributions_within_tolerance() {
    let (_, rows, _) = big();
    let ps = people(rows);
    let n = ps.len();
    let today = DemoOptions::default().today;
    let count = |f: &dyn Fn(&PersonRecord) -> bool| ps.iter().filter(|p| f(p)).count();
    for (cat, want) in [
        (Category::Physical, 0.45),
        (Category::Visual, 0.12),
        (Category::Hearing, 0.10),
        (Category::Speech, 0.01),
        (Category::Intellectual, 0.09),
        (Category::Mental, 0.13),
        (Category::Multiple, 0.10),
    ] {
        near(
            cat.zh(),
            share(count(&|p| p.certificate.category == cat), n),
            want,
            0.015,
        );
    }
    for (g, want) in [
        (Grade::One, 0.12),
        (Grade::Two, 0.22),
        (Grade::Three, 0.28),
        (Grade::Four, 0.38),
    ] {
        near(
            g.zh(),
            share(count(&|p| p.certificate.grade == g), n),
            want,
            0.015,
        );
    }
    let age = |p: &PersonRecord| p.person.citizen_id.age_on(today);
    near("60+", share(count(&|p| age(p) >= 60), n), 0.537, 0.02);
    near("under 18", share(count(&|p| age(p) < 18), n), 0.048, 0.008);
    near(
        "smart card",
        share(count(&|p| p.certificate.smart_card), n),
        0.60,
        0.05,
    );
    near(
        "revoked",
        share(
            count(&|p| p.certificate.status == CertificateStatus::Revoked),
            n,
        ),
        0.01,
        0.004,
    );
    let expired = count(&|p| {
        p.certificate.valid_until < today
            && p.person.died_on.is_none()
            && p.person.moved_out_on.is_none()
            && p.certificate.status == CertificateStatus::Valid
    });
    near("expired", share(expired, n), 0.02, 0.008);
    near(
        "moved out",
        share(count(&|p| p.person.moved_out_on.is_some()), n),
        0.01,
        0.004,
    );
    // Deaths 2021–2025: about 1.5 % a year.
    let deaths = count(&|p| p.person.died_on.is_some());
    near("deaths per year", share(deaths, n) / 5.0, 0.015, 0.004);
    near(
        "agricultural",
        share(
            count(&|p| p.person.hukou_type == Some(HukouType::Agricultural)),
            n,
        ),
        0.70,
        0.05,
    );
    let in_household = count(&|p| p.person.household_id.is_some());
    near("shared household", share(in_household, n), 0.08, 0.015);
    let phones = ps.iter().filter_map(|p| p.person.phone.as_deref());
    for ph in phones {
        assert!(
            ph.len() == 11 && ph.starts_with('1') && ph.bytes().all(|b| b.is_ascii_digit()),
            "{ph}"
        );
        assert!((b'3'..=b'9').contains(&ph.as_bytes()[1]));
    }

    // Survey values of 2025.
    let rows25: Vec<&PersonRecord> = rows
        .iter()
        .map(|(r, _)| r)
        .filter(|r| r.survey.year == 2025)
        .collect();
    let m = rows25.len();
    let econ = |e: EconomicStatus| {
        share(
            rows25
                .iter()
                .filter(|r| r.survey.economic_status == Some(e))
                .count(),
            m,
        )
    };
    near("低保", econ(EconomicStatus::Dibao), 0.12, 0.02);
    near("低边", econ(EconomicStatus::Dibian), 0.06, 0.015);
    near("特困", econ(EconomicStatus::Tekun), 0.02, 0.008);
    let rehab = rows25
        .iter()
        .filter(|r| r.survey.needs_rehab == Some(true))
        .count();
    near("needs rehab", share(rehab, m), 0.40, 0.04);
    let device = rows25
        .iter()
        .filter(|r| r.survey.needs_device == Some(true))
        .count();
    near("needs device", share(device, m), 0.25, 0.04);
}

/// Indicator-like ratios at the end of each survey year: near the plan's values, improving,
/// and with audit findings.
#[test]
fn indicators_plausible_and_improving() {
    let (_, rows, _) = big();
    let mut by_year: BTreeMap<i32, Vec<&PersonRecord>> = BTreeMap::new();
    for (r, _) in rows {
        by_year.entry(r.survey.year).or_default().push(r);
    }
    let receiving = |since: Option<Month>, until: Option<Month>, m: Month| {
        since.is_some_and(|s| s <= m) && until.is_none_or(|u| u >= m)
    };
    let mut living = Vec::new();
    let mut nursing = Vec::new();
    let mut pension = Vec::new();
    let mut culture = Vec::new();
    let mut employment = Vec::new();
    let mut income = Vec::new();
    let mut rehab = Vec::new();
    let mut high_school = Vec::new();
    for y in [2023, 2024, 2025] {
        let t = NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or_default();
        let m = Month::of(t);
        let act: Vec<&&PersonRecord> = by_year[&y]
            .iter()
            .filter(|r| is_active_at(&r.person, &r.certificate, t))
            .collect();
        let poor: Vec<_> = act
            .iter()
            .filter(|r| {
                matches!(
                    r.survey.economic_status,
                    Some(EconomicStatus::Dibao | EconomicStatus::Dibian)
                )
            })
            .collect();
        let got = poor
            .iter()
            .filter(|r| {
                receiving(
                    r.survey.living_subsidy_since,
                    r.survey.living_subsidy_until,
                    m,
                )
            })
            .count();
        living.push(share(got, poor.len()));
        let severe: Vec<_> = act
            .iter()
            .filter(|r| {
                r.certificate.is_severe_care()
                    && r.survey.economic_status != Some(EconomicStatus::Tekun)
            })
            .collect();
        let got = severe
            .iter()
            .filter(|r| {
                receiving(
                    r.survey.nursing_subsidy_since,
                    r.survey.nursing_subsidy_until,
                    m,
                )
            })
            .count();
        nursing.push(share(got, severe.len()));
        let adults: Vec<_> = act
            .iter()
            .filter(|r| r.survey.pension_insurance.is_some())
            .collect();
        let got = adults
            .iter()
            .filter(|r| r.survey.pension_insurance != Some(Insurance::None))
            .count();
        pension.push(share(got, adults.len()));
        culture.push(share(
            act.iter()
                .filter(|r| r.survey.culture_sports == Some(true))
                .count(),
            act.len(),
        ));
        use zhucan_domain::person::{EmploymentStatus as S, NotEmployedReason as R};
        let denom: Vec<_> = act
            .iter()
            .filter(|r| r.survey.employment_status.is_some())
            .filter(|r| {
                !matches!(
                    r.survey.not_employed_reason,
                    Some(R::InSchool | R::Retired | R::Incapable)
                )
            })
            .collect();
        let got = denom
            .iter()
            .filter(|r| r.survey.employment_status != Some(S::NotEmployed))
            .count();
        employment.push(share(got, denom.len()));
        let need: Vec<_> = act
            .iter()
            .filter(|r| r.survey.needs_rehab == Some(true))
            .collect();
        rehab.push(share(
            need.iter()
                .filter(|r| r.survey.received_rehab == Some(true))
                .count(),
            need.len(),
        ));
        let teens: Vec<_> = act
            .iter()
            .filter(|r| {
                (15..=17).contains(&r.person.citizen_id.age_on(t))
                    && r.survey.completed_compulsory == Some(true)
            })
            .collect();
        let got = teens
            .iter()
            .filter(|r| {
                r.survey
                    .school_stage
                    .is_some_and(|s| s.is_high_school_or_above())
            })
            .count();
        high_school.push(share(got, teens.len()));
        let inc: Vec<i64> = act
            .iter()
            .filter_map(|r| r.survey.income_per_capita_fen)
            .collect();
        income.push(inc.iter().sum::<i64>() as f64 / inc.len().max(1) as f64);
    }
    eprintln!(
        "living {living:?}\nnursing {nursing:?}\npension {pension:?}\nculture {culture:?}\nemployment {employment:?}\nincome {income:?}\nrehab {rehab:?}\nhigh school {high_school:?}"
    );
    for (what, v, lo, hi) in [
        ("living", &living, 0.96, 0.995),
        ("nursing", &nursing, 0.96, 0.995),
        ("pension", &pension, 0.95, 0.99),
        ("culture", &culture, 0.88, 0.96),
        ("employment", &employment, 0.54, 0.66),
        ("rehab", &rehab, 0.93, 0.99),
        ("high school", &high_school, 0.75, 0.97),
    ] {
        assert!(v.iter().all(|x| (lo..=hi).contains(x)), "{what}: {v:?}");
        assert!(v[2] > v[0], "{what} does not improve: {v:?}");
    }
    let g1 = income[1] / income[0] - 1.0;
    let g2 = income[2] / income[1] - 1.0;
    assert!(
        (0.02..0.10).contains(&g1) && (0.02..0.10).contains(&g2),
        "{income:?}"
    );

    // Findings: receiving though 特困 or inactive at the end of 2025.
    let t = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default();
    let m = Month::of(t);
    let ps = people(rows);
    let wrong = ps
        .iter()
        .filter(|r| {
            receiving(
                r.survey.living_subsidy_since,
                r.survey.living_subsidy_until,
                m,
            ) || receiving(
                r.survey.nursing_subsidy_since,
                r.survey.nursing_subsidy_until,
                m,
            )
        })
        .filter(|r| {
            !is_active_at(&r.person, &r.certificate, t)
                || r.survey.economic_status == Some(EconomicStatus::Tekun)
        })
        .count();
    let w = share(wrong, ps.len());
    eprintln!("receiving not eligible {w}");
    assert!((0.001..0.012).contains(&w), "receiving not eligible: {w}");
}

#[test]
fn households_share_their_village() {
    let (_, rows, _) = big();
    let mut hh: BTreeMap<&str, Vec<&PersonRecord>> = BTreeMap::new();
    for p in people(rows) {
        if let Some(h) = &p.person.household_id {
            hh.entry(h.as_str()).or_default().push(p);
        }
    }
    assert!(!hh.is_empty());
    for (id, members) in &hh {
        assert!((2..=3).contains(&members.len()), "{id}: {}", members.len());
        let f = members[0];
        for m in members {
            assert_eq!(m.person.township, f.person.township);
            assert_eq!(m.person.village, f.person.village);
            assert_eq!(m.person.hukou_type, f.person.hukou_type);
            assert!(
                m.person
                    .household_size
                    .is_some_and(|s| s >= members.len() as i64 && s <= 6)
            );
            assert!(id.starts_with(m.person.village.as_ref().map(|v| v.as_str()).unwrap_or("?")));
        }
    }
    for p in people(rows) {
        assert!(
            p.person
                .household_size
                .is_some_and(|s| (1..=6).contains(&s))
        );
        let v = p.person.village.as_ref().and_then(|v| v.parent());
        assert_eq!(v.as_ref(), Some(&p.person.township));
    }
}

#[test]
fn every_township_has_villages_and_a_home() {
    let d = district(&DemoOptions::default());
    let townships: Vec<_> = d
        .areas
        .iter()
        .filter(|a| a.code.level() == AreaLevel::Township)
        .collect();
    assert_eq!(townships.len(), 19);
    assert_eq!(
        d.areas
            .iter()
            .filter(|a| a.code.level() == AreaLevel::District)
            .count(),
        1
    );
    let mut names = BTreeSet::new();
    for t in &townships {
        let vs: Vec<_> = d
            .areas
            .iter()
            .filter(|a| {
                a.code.level() == AreaLevel::Village && a.code.parent().as_ref() == Some(&t.code)
            })
            .collect();
        assert!((8..=25).contains(&vs.len()), "{} has {}", t.name, vs.len());
        let sum: i64 = vs.iter().filter_map(|v| v.population).sum();
        assert_eq!(Some(sum), t.population, "{}", t.name);
        for v in &vs {
            assert!(names.insert(v.name.clone()), "duplicate {}", v.name);
            match v.code.kind() {
                AreaKind::Community => assert!(v.name.ends_with("社区"), "{}", v.name),
                _ => assert!(v.name.ends_with('村'), "{}", v.name),
            }
            let seg: u32 = v.code.as_str()[9..].parse().unwrap_or(0);
            assert!((1..=399).contains(&seg));
        }
        if t.code.kind() == AreaKind::Township {
            assert!(vs.iter().all(|v| v.code.kind() == AreaKind::Village));
        }
        // Indicator 4: every 街道/镇 and 乡 of 10 000+ has an open standardized home.
        let needs = t.code.kind() != AreaKind::Township || t.population.unwrap_or(0) >= 10_000;
        let has = d.institutions.iter().any(|i| {
            i.township == t.code
                && i.kind == InstitutionKind::HomeOfDisabled
                && i.standardized
                && i.is_open_at(DemoOptions::default().today)
        });
        assert!(!needs || has, "{} lacks a home", t.name);
    }
    let mut ids = BTreeSet::new();
    for i in &d.institutions {
        assert!(ids.insert(i.id()), "duplicate {}", i.id());
    }
    let count = |k| d.institutions.iter().filter(|i| i.kind == k).count();
    assert!((1..=2).contains(&count(InstitutionKind::CareInstitution)));
    assert_eq!(count(InstitutionKind::ChildRehab), 9);
    assert!(
        d.institutions
            .iter()
            .filter(|i| i.closed_on.is_some())
            .count()
            >= 2
    );
    // An earlier `today` drops institutions opened later.
    let early = district(&DemoOptions {
        today: NaiveDate::from_ymd_opt(2018, 1, 1).unwrap_or_default(),
        ..DemoOptions::default()
    });
    assert!(early.institutions.len() < d.institutions.len());
}

#[test]
fn accounts_cover_the_roles() {
    let d = district(&DemoOptions::default());
    let accounts = demo_accounts(&d);
    let codes: BTreeSet<String> = d.areas.iter().map(|a| a.code.to_string()).collect();
    let roles: BTreeSet<&str> = accounts.iter().map(|a| a.role).collect();
    for r in [
        "district_admin",
        "township_staff",
        "village_worker",
        "partner",
        "auditor",
        "system_admin",
        "security_admin",
    ] {
        assert!(roles.contains(r), "{r}");
    }
    for a in &accounts {
        assert!(a.password.len() >= 12, "{}", a.username);
        assert!(codes.contains(&a.area), "{}", a.area);
    }
    let yq = accounts
        .iter()
        .find(|a| a.username == "yuanqiao")
        .map(|a| a.area.as_str());
    assert_eq!(yq, Some("331003107"));
    let village = accounts
        .iter()
        .find(|a| a.role == "village_worker")
        .map(|a| a.area.clone())
        .unwrap_or_default();
    assert!(village.starts_with("331003107") && village.len() == 12);
}
