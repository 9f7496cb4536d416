//! A literal, slow reading of the registry over workbook rows ("active at t", the certificate
//! held, survey values for a year), and a generator of registries full of edge cases — for
//! tests only (feature `reference`). It shares nothing with the facts cache but the domain
//! types: the programmes' literal readings of their specs (`zhucan_plan::reference`,
//! `zhucan_subsidies::reference`) build on it, and the tests compare the engines with them.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use zhucan_domain::area::{Area, AreaCode, AreaLevel};
use zhucan_domain::disability::{Category, Grade};
use zhucan_domain::ids::{CertificateNo, with_check_char};
use zhucan_domain::institution::{Institution, InstitutionKind};
use zhucan_domain::parse::Month;
use zhucan_domain::person::{
    CareNeed, Certificate, CertificateStatus, EconomicStatus, EmploymentStatus, Insurance,
    NotEmployedReason, Person, PersonRecord, SchoolStage, Survey,
};

/// A registry as a workbook states it.
#[derive(Debug, Clone)]
pub struct Registry {
    /// One row per person per survey year.
    pub rows: Vec<PersonRecord>,
    pub areas: Vec<Area>,
    pub institutions: Vec<Institution>,
}

/// One person as the workbook's rows make them: person and certificate from the row of the
/// latest survey year, survey values per year, and the certificates held before (a row of a
/// later import stating another number, or the same number issued later, is a new issue).
#[derive(Debug, Clone)]
pub struct File {
    pub person: Person,
    pub certificate: Certificate,
    pub former: Vec<Certificate>,
    pub surveys: BTreeMap<i32, Survey>,
}

/// Groups rows into files (`import-format.md`: person fields from the latest survey year),
/// in the order the rows are merged.
pub fn files(rows: &[PersonRecord]) -> Vec<File> {
    let mut by_id: BTreeMap<String, File> = BTreeMap::new();
    for r in rows {
        let f = by_id
            .entry(r.person.citizen_id.to_string())
            .or_insert_with(|| File {
                person: r.person.clone(),
                certificate: r.certificate.clone(),
                former: Vec::new(),
                surveys: BTreeMap::new(),
            });
        let latest = f.surveys.keys().next_back().copied();
        if latest.is_none_or(|y| r.survey.year >= y) {
            f.person = r.person.clone();
            let (old, new) = (&f.certificate, &r.certificate);
            if new.number != old.number || new.issued_on > old.issued_on {
                let old = std::mem::replace(&mut f.certificate, new.clone());
                f.former
                    .retain(|c| !(c.number == new.number && c.issued_on == new.issued_on));
                f.former.push(old);
            } else {
                f.certificate = new.clone();
            }
        }
        f.surveys.insert(r.survey.year, r.survey.clone());
    }
    by_id.into_values().collect()
}

/// The certificate a person held at `t`, read literally: of all their certificates, the one
/// issued last on or before `t` (the current one on a tie).
pub fn held_at(f: &File, t: NaiveDate) -> Option<&Certificate> {
    let mut all: Vec<&Certificate> = f.former.iter().collect();
    all.push(&f.certificate);
    all.into_iter()
        .enumerate()
        .filter(|(_, c)| c.issued_on <= t)
        .max_by_key(|(i, c)| (c.issued_on, *i))
        .map(|(_, c)| c)
}

/// "Active at t": the certificate held at `t` was issued on or before it, is not revoked (on
/// or before `t`, when the revocation's date is known), is valid at `t`; the person had not
/// died or moved out by `t`.
pub fn active(f: &File, t: NaiveDate) -> bool {
    let Some(c) = held_at(f, t) else {
        return false;
    };
    c.issued_on <= t
        && !(c.status == CertificateStatus::Revoked && c.revoked_on.is_none_or(|r| r <= t))
        && c.valid_until >= t
        && f.person.died_on.is_none_or(|d| d > t)
        && f.person.moved_out_on.is_none_or(|d| d > t)
}

/// The certificate that decides category and grade at `t` (the current one before any issue).
pub fn cert_at(f: &File, t: NaiveDate) -> &Certificate {
    held_at(f, t).unwrap_or(&f.certificate)
}

pub fn in_area(f: &File, area: &AreaCode) -> bool {
    match area.level() {
        AreaLevel::Village => f.person.village.as_ref() == Some(area),
        _ => area.contains(&f.person.township),
    }
}

pub fn age(f: &File, t: NaiveDate) -> i32 {
    let b = f.person.citizen_id.birth_date();
    let mut a = t.year() - b.year();
    if (t.month(), t.day()) < (b.month(), b.day()) {
        a -= 1;
    }
    a
}

pub fn values_for(f: &File, y: i32) -> Option<&Survey> {
    f.surveys.range(..=y).next_back().map(|(_, s)| s)
}

pub fn receiving(since: Option<Month>, until: Option<Month>, t: NaiveDate) -> bool {
    let m = Month::of(t);
    since.is_some_and(|s| s <= m) && until.is_none_or(|u| u >= m)
}

pub fn household(f: &File) -> String {
    match f.person.household_id.as_deref().map(str::trim) {
        Some(h) if !h.is_empty() => format!("h:{h}"),
        _ => format!("p:{}", f.person.citizen_id),
    }
}

/// The district and townships of the generated registries: a 街道, a 镇, and 乡 just under,
/// at and without the 10 000 population threshold, with two villages each.
pub fn areas() -> Vec<Area> {
    let mk = |code: &str, name: &str, population: Option<i64>| Area {
        code: AreaCode::parse(code).expect("a literal area code"),
        name: name.into(),
        population,
        valid_from: None,
        valid_until: None,
    };
    let mut out = vec![mk("331003", "黄岩区", None)];
    for (code, name, pop) in [
        ("331003001", "东城街道", Some(50_000)),
        ("331003101", "宁溪镇", Some(8_000)),
        ("331003200", "屿头乡", Some(9_999)),
        ("331003201", "上郑乡", Some(10_000)),
        ("331003202", "富山乡", None),
    ] {
        out.push(mk(code, name, pop));
        out.push(mk(&format!("{code}001"), &format!("{name}一社区"), None));
        out.push(mk(&format!("{code}201"), &format!("{name}二村"), None));
    }
    out
}

fn pick<T: Clone>(rng: &mut SmallRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())].clone()
}

fn maybe<T: Clone>(rng: &mut SmallRng, items: &[T]) -> Option<T> {
    if rng.random_bool(0.15) {
        None
    } else {
        Some(pick(rng, items))
    }
}

fn yes_no(rng: &mut SmallRng) -> Option<bool> {
    match rng.random_range(0..10) {
        0 | 1 => None,
        2..=5 => Some(false),
        _ => Some(true),
    }
}

/// A date near one of the `anchors` (the day before, of, or after, or within a year), never
/// after `today`.
/// Up to three dated decisions about an institution (standardisation, designation, closing,
/// reopening), some on the anchor days, in recording order.
fn random_decisions(
    rng: &mut SmallRng,
    anchors: &[NaiveDate],
    today: NaiveDate,
) -> Vec<zhucan_domain::institution::Decision> {
    use zhucan_domain::institution::{Change, Decision};
    let n = rng.random_range(0..4);
    let mut out: Vec<Decision> = (0..n)
        .map(|k| {
            let change = match rng.random_range(0..6) {
                0 => Change::Standardized(true),
                1 => Change::Standardized(false),
                2 => Change::Designated(true),
                3 => Change::Designated(false),
                4 => Change::Closed,
                _ => Change::Opened,
            };
            Decision {
                effective_on: near(rng, anchors, today),
                change,
                document: None,
                seq: k,
            }
        })
        .collect();
    out.sort_by_key(|d| (d.effective_on, d.seq));
    out
}

fn near(rng: &mut SmallRng, anchors: &[NaiveDate], today: NaiveDate) -> NaiveDate {
    let a = pick(rng, anchors);
    let offset = match rng.random_range(0..6) {
        0 => -1,
        1 => 0,
        2 => 1,
        _ => rng.random_range(-400..400),
    };
    (a + chrono::Duration::days(offset)).min(today)
}

fn near_month(rng: &mut SmallRng, anchors: &[NaiveDate], today: NaiveDate) -> Month {
    let d = near(rng, anchors, today);
    let m = Month::of(d);
    match rng.random_range(0..4) {
        0 => Month::of(d.checked_sub_months(Months::new(1)).unwrap_or(d)),
        1 => m.next().min(Month::of(today)),
        _ => m,
    }
}

/// A registry of `persons` persons whose dates cluster around `anchors` (the dates the tests
/// evaluate): birthdays on the edges of every age band, certificates issued, expiring, revoked,
/// renewed, re-assessed and re-issued (after a gap or a revocation),
/// deaths and moves on the day before, of and after, survey rows before, in and after the
/// reference years, subsidies starting and stopping in the reference month, households spanning
/// townships, institutions opening and closing on the day. Every row is valid for the importer.
pub fn random(seed: u64, persons: usize, anchors: &[NaiveDate], today: NaiveDate) -> Registry {
    let mut rng = SmallRng::seed_from_u64(seed);
    let areas = areas();
    let townships: Vec<AreaCode> = areas
        .iter()
        .filter(|a| a.code.level() == AreaLevel::Township)
        .map(|a| a.code.clone())
        .collect();
    let mut rows = Vec::new();
    let mut used = std::collections::HashSet::new();
    let ages = [0, 5, 14, 15, 16, 17, 18, 30, 54, 55, 59, 60, 75];
    for n in 0..persons {
        // Birth: an age boundary at an anchor.
        let anchor = pick(&mut rng, anchors);
        let years = pick(&mut rng, &ages) as u32;
        let base = anchor
            .checked_sub_months(Months::new(12 * years))
            .unwrap_or(anchor);
        let birth = (base + chrono::Duration::days(rng.random_range(-2..=2))).min(today);
        let seq = rng.random_range(0..1000u32);
        let first17 = format!("331003{}{:03}", birth.format("%Y%m%d"), seq);
        let Some(id) = with_check_char(&first17) else {
            continue;
        };
        if !used.insert(id.to_string()) {
            continue;
        }
        let category = pick(&mut rng, Category::ALL);
        let grade = pick(&mut rng, Grade::ALL);
        let components = if category == Category::Multiple {
            let mut c = vec![
                pick(&mut rng, &Category::ALL[..6]),
                pick(&mut rng, &Category::ALL[..6]),
            ];
            c.sort();
            c.dedup();
            c
        } else {
            vec![]
        };
        let issued = near(&mut rng, anchors, today).max(birth);
        let valid_until = if rng.random_bool(0.3) {
            near(&mut rng, anchors, today).max(issued)
        } else {
            Certificate::default_valid_until(issued)
        };
        let township = pick(&mut rng, &townships);
        let village = match rng.random_range(0..3) {
            0 => None,
            1 => AreaCode::parse(&format!("{township}001")),
            _ => AreaCode::parse(&format!("{township}201")),
        };
        let household_id = match rng.random_range(0..10) {
            0..=2 => Some(format!("H{:03}", rng.random_range(0..(persons / 3).max(2)))),
            3 => Some(String::new()),
            _ => None,
        }
        .filter(|h| !h.is_empty());
        let died_on = rng
            .random_bool(0.1)
            .then(|| near(&mut rng, anchors, today).max(birth));
        let moved_out_on = rng
            .random_bool(0.1)
            .then(|| near(&mut rng, anchors, today).max(birth));
        let person = Person {
            citizen_id: id.clone(),
            name: format!("测试{n}"),
            township,
            village,
            hukou_type: None,
            household_id,
            household_size: None,
            phone: None,
            guardian_name: None,
            guardian_phone: None,
            died_on,
            moved_out_on,
        };
        let mut certificate = Certificate {
            number: CertificateNo::compose(&id, category, grade),
            category,
            grade,
            components,
            issued_on: issued,
            valid_until,
            status: if rng.random_bool(0.05) {
                CertificateStatus::Revoked
            } else {
                CertificateStatus::Valid
            },
            revoked_on: None,
            smart_card: rng.random_bool(0.5),
        };
        // Survey years around the anchors' years.
        let mut years: Vec<i32> = anchors
            .iter()
            .flat_map(|a| [a.year() - 2, a.year() - 1, a.year(), a.year() + 1])
            .filter(|y| *y <= today.year())
            .filter(|_| rng.random_bool(0.45))
            .collect();
        years.sort_unstable();
        years.dedup();
        if years.is_empty() {
            years.push(anchor.year());
        }
        let latest = years.last().copied().unwrap_or(2025);
        // A certificate history: from a later survey year on, the rows state a new issue (a
        // re-assessment, a category change, a renewal, a renewal after a gap, a re-issue after
        // a revocation), dated near the anchors.
        let mut next: Option<(i32, Certificate)> = None;
        if years.len() >= 2 && rng.random_bool(0.4) {
            let on = near(&mut rng, anchors, today)
                .max(issued + chrono::Duration::days(2))
                .min(today);
            if let Some(&switch) = years.iter().find(|y| **y >= on.year())
                && switch != years[0]
                && on > issued
            {
                let mut c2 = Certificate {
                    issued_on: on,
                    valid_until: Certificate::default_valid_until(on),
                    status: CertificateStatus::Valid,
                    revoked_on: None,
                    ..certificate.clone()
                };
                match rng.random_range(0..5) {
                    0 => c2.grade = pick(&mut rng, Grade::ALL),
                    1 => {
                        c2.category = pick(&mut rng, &Category::ALL[..7]);
                        c2.components = vec![];
                    }
                    2 => {}
                    3 => {
                        // Expired before the new issue: a gap.
                        let back = rng.random_range(1..=62);
                        certificate.valid_until = (on - chrono::Duration::days(back)).max(issued);
                    }
                    _ => {
                        // Revoked (on a known day), then issued again.
                        let back = rng.random_range(0..=40);
                        certificate.status = CertificateStatus::Revoked;
                        certificate.revoked_on =
                            Some((on - chrono::Duration::days(back)).max(issued));
                    }
                }
                if c2.category == Category::Multiple && c2.components.len() < 2 {
                    c2.category = Category::Physical;
                    c2.components = vec![];
                }
                c2.number = CertificateNo::compose(&id, c2.category, c2.grade);
                next = Some((switch, c2));
            }
        }
        for y in years {
            let cert = match &next {
                Some((switch, c2)) if y >= *switch => c2.clone(),
                _ => certificate.clone(),
            };
            let mut rec = PersonRecord {
                person: person.clone(),
                certificate: cert,
                survey: survey(&mut rng, y, anchors, today),
            };
            if y < latest && rng.random_bool(0.3) {
                // An older row saying something else: the latest row's person fields win.
                rec.person.township = pick(&mut rng, &townships);
                rec.person.village = None;
                rec.person.died_on = None;
                rec.certificate.smart_card = !rec.certificate.smart_card;
            }
            rows.push(rec);
        }
    }
    let kinds = [
        InstitutionKind::HomeOfDisabled,
        InstitutionKind::CareInstitution,
        InstitutionKind::ChildRehab,
        InstitutionKind::BlindMassage,
    ];
    let mut institutions = Vec::new();
    for n in 0..16 {
        let opened_on = near(&mut rng, anchors, today);
        institutions.push(Institution {
            name: format!("机构{n}"),
            kind: pick(&mut rng, &kinds),
            township: pick(&mut rng, &townships),
            standardized: rng.random_bool(0.6),
            designated: rng.random_bool(0.7),
            beds: None,
            stars: None,
            opened_on,
            closed_on: rng
                .random_bool(0.3)
                .then(|| near(&mut rng, anchors, today).max(opened_on)),
            decisions: random_decisions(&mut rng, anchors, today),
        });
    }
    Registry {
        rows,
        areas,
        institutions,
    }
}

fn survey(rng: &mut SmallRng, year: i32, anchors: &[NaiveDate], today: NaiveDate) -> Survey {
    let enrol = |rng: &mut SmallRng| -> (Option<Month>, Option<Month>) {
        if rng.random_bool(0.35) {
            return (None, None);
        }
        let since = near_month(rng, anchors, today);
        let until = rng
            .random_bool(0.4)
            .then(|| near_month(rng, anchors, today).max(since));
        (Some(since), until)
    };
    let (ls, lu) = enrol(rng);
    let (ns, nu) = enrol(rng);
    Survey {
        year,
        economic_status: maybe(rng, EconomicStatus::ALL),
        income_per_capita_fen: rng.random_bool(0.8).then(|| rng.random_range(0..5_000_000)),
        living_subsidy_since: ls,
        living_subsidy_until: lu,
        nursing_subsidy_since: ns,
        nursing_subsidy_until: nu,
        pension_insurance: maybe(rng, Insurance::ALL),
        medical_insurance: maybe(rng, Insurance::ALL),
        employment_status: maybe(rng, EmploymentStatus::ALL),
        not_employed_reason: maybe(rng, NotEmployedReason::ALL),
        school_stage: maybe(rng, SchoolStage::ALL),
        completed_compulsory: yes_no(rng),
        needs_rehab: yes_no(rng),
        received_rehab: yes_no(rng),
        needs_device: yes_no(rng),
        device_fitted: yes_no(rng),
        needs_home_modification: yes_no(rng),
        home_modification_done: yes_no(rng),
        care_need: maybe(rng, CareNeed::ALL),
        receives_care: yes_no(rng),
        culture_sports: yes_no(rng),
    }
}

/// The snapshot of a generated registry (the facts as the cache would load them).
pub fn snapshot_of(reg: &Registry) -> crate::Snapshot {
    let mut s = crate::Snapshot::new();
    s.set_reference(reg.areas.clone(), reg.institutions.clone());
    for f in files(&reg.rows) {
        let surveys: Vec<_> = f.surveys.values().cloned().collect();
        s.upsert(&f.person, &f.certificate, &f.former, &surveys);
    }
    s
}

/// One accepted row of a partner feed or programme record, in the order it arrived.
#[derive(Debug, Clone)]
pub struct SentRow {
    pub citizen_id: zhucan_domain::ids::CitizenId,
    pub fact: zhucan_domain::ledger::Fact,
}

/// Feed and record rows for about half the persons of `reg`, of every kind, dated around the
/// anchors (never after `today`): statuses changing on the anchor days, insurance and jobs
/// starting and ending, deaths, moves out and back in at another township, services in and
/// out of the reference years, loans out over a year's first day, and rows sent twice or
/// corrected later (the same identity again).
pub fn sent_rows(
    seed: u64,
    reg: &Registry,
    anchors: &[NaiveDate],
    today: NaiveDate,
) -> Vec<SentRow> {
    use zhucan_domain::ledger::{EventKind, Fact, InsuranceKind, ResidenceChange};
    let mut rng = SmallRng::seed_from_u64(seed);
    let townships: Vec<AreaCode> = reg
        .areas
        .iter()
        .filter(|a| a.code.level() == AreaLevel::Township)
        .map(|a| a.code.clone())
        .collect();
    let mut out = Vec::new();
    for f in files(&reg.rows) {
        if rng.random_bool(0.5) {
            continue;
        }
        let id = f.person.citizen_id.clone();
        for _ in 0..rng.random_range(1..6) {
            let on = near(&mut rng, anchors, today);
            let later = (on + chrono::Duration::days(rng.random_range(0..500))).min(today);
            let fact = match rng.random_range(0..11) {
                0 => Fact::CivilAffairs {
                    status: pick(&mut rng, EconomicStatus::ALL),
                    effective_from: on,
                },
                1 => {
                    let change = if f.person.moved_out_on.is_some() {
                        ResidenceChange::Death
                    } else {
                        pick(&mut rng, ResidenceChange::ALL)
                    };
                    let township = (change == ResidenceChange::MovedIn && rng.random_bool(0.7))
                        .then(|| pick(&mut rng, &townships));
                    Fact::PublicSecurity {
                        change,
                        changed_on: on.max(f.person.citizen_id.birth_date()),
                        township,
                        village: None,
                    }
                }
                2 => Fact::Insurance {
                    insurance: pick(&mut rng, InsuranceKind::ALL),
                    scheme: pick(&mut rng, &[Insurance::Resident, Insurance::Employee]),
                    enrolled_on: on,
                    ended_on: rng.random_bool(0.4).then_some(later),
                    paid_by_government: None,
                },
                3 => Fact::Employment {
                    employment_status: pick(&mut rng, &EmploymentStatus::ALL[..7]),
                    employer_uscc: None,
                    from: on,
                    until: rng.random_bool(0.4).then_some(later),
                },
                4 => Fact::Health {
                    family_doctor: rng.random_bool(0.7),
                    signed_on: on,
                    mental_followup_on: None,
                },
                5 => Fact::Education {
                    school_year: on.year(),
                    school_stage: pick(&mut rng, SchoolStage::ALL),
                    completed_compulsory: rng.random_bool(0.6),
                    inclusive: None,
                    school: None,
                },
                6 => Fact::RehabService {
                    served_on: on,
                    service: pick(&mut rng, &["肢体康复训练", "孤独症康复", "精神康复"]).into(),
                    institution: None,
                },
                7 => Fact::DeviceFitting {
                    fitted_on: on,
                    device: "轮椅".into(),
                    subsidy_fen: None,
                },
                8 => Fact::DeviceLoan {
                    device: "助行器".into(),
                    lent_on: on,
                    due_on: later,
                    returned_on: rng.random_bool(0.5).then_some(later),
                },
                9 => Fact::HomeModification {
                    accepted_on: on,
                    items: None,
                    cost_fen: None,
                },
                _ => Fact::EventAttendance {
                    attended_on: on,
                    event: "助残日活动".into(),
                    event_kind: pick(&mut rng, EventKind::ALL),
                },
            };
            let row = SentRow {
                citizen_id: id.clone(),
                fact,
            };
            if rng.random_bool(0.1) {
                out.push(row.clone());
            }
            out.push(row);
        }
    }
    // Some rows arrive again later, and some are corrected (same identity, other content).
    let n = out.len();
    for i in 0..n / 10 {
        let mut r = out[(i * 7) % n].clone();
        if let zhucan_domain::ledger::Fact::CivilAffairs { status, .. } = &mut r.fact {
            *status = pick(&mut rng, EconomicStatus::ALL);
        }
        out.push(r);
    }
    // Care stays (their own sequence): day or residential care from an anchor day, some
    // ended, some ended later by the same stay sent again with its last day.
    let mut crng = SmallRng::seed_from_u64(seed ^ 0xCA4E);
    for f in files(&reg.rows) {
        if !crng.random_bool(0.2) {
            continue;
        }
        let from = near(&mut crng, anchors, today);
        let later = (from + chrono::Duration::days(crng.random_range(0..400))).min(today);
        let mode = pick(
            &mut crng,
            &[CareNeed::Home, CareNeed::Day, CareNeed::Residential],
        );
        let stay = |until| SentRow {
            citizen_id: f.person.citizen_id.clone(),
            fact: Fact::Care {
                mode,
                institution: Some("托养中心".into()),
                from,
                until,
            },
        };
        out.push(stay(None));
        if crng.random_bool(0.4) {
            out.push(stay(Some(later)));
        }
    }
    out
}

/// The registry as the facts of day `t` make it (`feeds-and-records.md`, "Facts for a day d",
/// read literally): for each person the ledger speaks of, the survey values for the year of
/// `t` with the ledger's facts laid over them (a row of that year, written or added), and the
/// death and move dates as the ledger decides them at `t`. Of rows with the same identity only
/// the last sent counts. A move into the district at a township changes the person's
/// residence when it is the latest move up to `today` (the file follows it).
pub fn as_of(reg: &Registry, sent: &[SentRow], t: NaiveDate, today: NaiveDate) -> Registry {
    use zhucan_domain::ledger::{Fact, InsuranceKind, ResidenceChange};
    let y = t.year();
    let jan1 = NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(t);
    // The last sent row of each identity, kept at its first position's order of arrival.
    let mut last: BTreeMap<(String, &'static str, String), usize> = BTreeMap::new();
    for (i, r) in sent.iter().enumerate() {
        last.insert(
            (
                r.citizen_id.to_string(),
                r.fact.kind().key(),
                r.fact.identity(),
            ),
            i,
        );
    }
    let mut by_person: BTreeMap<String, Vec<(usize, &Fact)>> = BTreeMap::new();
    for &i in last.values() {
        by_person
            .entry(sent[i].citizen_id.to_string())
            .or_default()
            .push((i, &sent[i].fact));
    }
    for rows in by_person.values_mut() {
        rows.sort_by_key(|(i, _)| *i);
    }
    let all = files(&reg.rows);
    // Home modifications accepted per household (any member's).
    let mut hm: BTreeMap<String, Vec<NaiveDate>> = BTreeMap::new();
    for f in &all {
        for (_, fact) in by_person
            .get(f.person.citizen_id.as_str())
            .into_iter()
            .flatten()
        {
            if let Fact::HomeModification { accepted_on, .. } = fact {
                hm.entry(household(f)).or_default().push(*accepted_on);
            }
        }
    }
    // The latest row by (date, arrival) among those `keep` selects.
    fn latest<'a, K: Ord + Copy>(
        rows: &[(usize, &'a Fact)],
        key: impl Fn(&Fact) -> Option<K>,
    ) -> Option<&'a Fact> {
        rows.iter()
            .filter_map(|(i, f)| key(f).map(|k| ((k, *i), *f)))
            .max_by_key(|(k, _)| *k)
            .map(|(_, f)| f)
    }
    let mut out_rows = Vec::new();
    for f in &all {
        let id = f.person.citizen_id.to_string();
        let rows: &[(usize, &Fact)] = by_person.get(&id).map(Vec::as_slice).unwrap_or(&[]);
        let dates = hm.get(&household(f)).map(Vec::as_slice).unwrap_or(&[]);
        let mut person = f.person.clone();
        // Death: the earliest reported (or the file's, if earlier).
        for (_, fact) in rows {
            if let Fact::PublicSecurity {
                change: ResidenceChange::Death,
                changed_on,
                ..
            } = fact
            {
                person.died_on = Some(person.died_on.map_or(*changed_on, |d| d.min(*changed_on)));
            }
        }
        let is_move = |f: &Fact, until: NaiveDate| match f {
            Fact::PublicSecurity {
                change, changed_on, ..
            } if *change != ResidenceChange::Death && *changed_on <= until => Some(*changed_on),
            _ => None,
        };
        if let Some(Fact::PublicSecurity {
            change, changed_on, ..
        }) = latest(rows, |f| is_move(f, t))
        {
            person.moved_out_on = (*change == ResidenceChange::MovedOut).then_some(*changed_on);
        }
        if let Some(Fact::PublicSecurity {
            change: ResidenceChange::MovedIn,
            township: Some(tw),
            ..
        }) = latest(rows, |f| is_move(f, today))
            && *tw != person.township
        {
            person.township = tw.clone();
            person.village = None;
        }
        let had_year = f.surveys.contains_key(&y);
        let mut s = values_for(f, y).cloned().unwrap_or_default();
        if !had_year {
            s.income_per_capita_fen = None;
        }
        s.year = y;
        let before = s.clone();
        if let Some(Fact::CivilAffairs { status, .. }) = latest(rows, |f| match f {
            Fact::CivilAffairs { effective_from, .. } if *effective_from <= t => {
                Some(*effective_from)
            }
            _ => None,
        }) {
            s.economic_status = Some(*status);
        }
        for (kind, slot) in [
            (InsuranceKind::Pension, &mut s.pension_insurance),
            (InsuranceKind::Medical, &mut s.medical_insurance),
        ] {
            if let Some(Fact::Insurance {
                scheme, ended_on, ..
            }) = latest(rows, |f| match f {
                Fact::Insurance {
                    insurance,
                    enrolled_on,
                    ..
                } if *insurance == kind && *enrolled_on <= t => Some(*enrolled_on),
                _ => None,
            }) {
                *slot = Some(match ended_on {
                    Some(e) if *e < t => Insurance::None,
                    _ => *scheme,
                });
            }
        }
        let started = |f: &Fact| matches!(f, Fact::Employment { from, .. } if *from <= t);
        if rows.iter().any(|(_, f)| started(f)) {
            s.employment_status = Some(
                match latest(rows, |f| match f {
                    Fact::Employment { from, until, .. }
                        if *from <= t && until.is_none_or(|u| u >= t) =>
                    {
                        Some(*from)
                    }
                    _ => None,
                }) {
                    Some(Fact::Employment {
                        employment_status, ..
                    }) => *employment_status,
                    _ => EmploymentStatus::NotEmployed,
                },
            );
        }
        if let Some(Fact::Education {
            school_stage,
            completed_compulsory,
            ..
        }) = latest(rows, |f| match f {
            Fact::Education { school_year, .. } if *school_year <= y => Some(*school_year),
            _ => None,
        }) {
            s.school_stage = Some(*school_stage);
            s.completed_compulsory = Some(*completed_compulsory);
        }
        let in_y = |d: NaiveDate| d >= jan1 && d <= t;
        let any = |p: &dyn Fn(&Fact) -> bool| rows.iter().any(|(_, f)| p(f));
        if any(&|f| matches!(f, Fact::RehabService { served_on, .. } if in_y(*served_on))) {
            s.received_rehab = Some(true);
            s.needs_rehab = Some(true);
        }
        // A loan is out on day x when lent on or before x and not returned by x.
        let out_in_y = |lent: NaiveDate, returned: Option<NaiveDate>| {
            let mut x = jan1;
            while x <= t {
                if lent <= x && returned.is_none_or(|r| r > x) {
                    return true;
                }
                x += chrono::Duration::days(1);
            }
            false
        };
        if any(&|f| match f {
            Fact::DeviceFitting { fitted_on, .. } => in_y(*fitted_on),
            Fact::DeviceLoan {
                lent_on,
                returned_on,
                ..
            } => out_in_y(*lent_on, *returned_on),
            _ => false,
        }) {
            s.device_fitted = Some(true);
            s.needs_device = Some(true);
        }
        if any(&|f| matches!(f, Fact::EventAttendance { attended_on, .. } if in_y(*attended_on))) {
            s.culture_sports = Some(true);
        }
        // Care: the mode of the latest stay in care on t; every stay started by t ended:
        // receives none.
        if any(&|f| matches!(f, Fact::Care { from, .. } if *from <= t)) {
            match latest(rows, |f| match f {
                Fact::Care { from, until, .. } if *from <= t && until.is_none_or(|u| u >= t) => {
                    Some(*from)
                }
                _ => None,
            }) {
                Some(Fact::Care { mode, .. }) => {
                    s.care_need = Some(*mode);
                    s.receives_care = Some(true);
                }
                _ => s.receives_care = Some(false),
            }
        }
        if dates.iter().any(|d| *d <= t) {
            s.home_modification_done = Some(true);
        }
        if dates.iter().any(|d| in_y(*d)) {
            s.needs_home_modification = Some(true);
        }
        let changed_survey = s != before;
        for r in reg
            .rows
            .iter()
            .filter(|r| r.person.citizen_id == f.person.citizen_id)
        {
            let mut r = r.clone();
            r.person = person.clone();
            if changed_survey && r.survey.year == y {
                r.survey = s.clone();
            }
            out_rows.push(r);
        }
        if changed_survey && !had_year {
            out_rows.push(PersonRecord {
                person: person.clone(),
                certificate: f.certificate.clone(),
                survey: s,
            });
        }
    }
    Registry {
        rows: out_rows,
        areas: reg.areas.clone(),
        institutions: reg.institutions.clone(),
    }
}
