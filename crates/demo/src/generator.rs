//! The person generator. See the crate documentation for the distributions.

use chrono::{Datelike, NaiveDate};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use zhucan_domain::area::{AreaCode, AreaKind, AreaLevel};
use zhucan_domain::ids::{CertificateNo, CitizenId, with_check_char};
use zhucan_domain::person::{
    CareNeed, Certificate, CertificateStatus, EconomicStatus, EmploymentStatus, HukouType,
    Insurance, NotEmployedReason, Person, PersonRecord, RecordExtras, SchoolStage, Survey,
};
use zhucan_domain::{Category, Grade, Month};

use crate::names;
use crate::util::{
    add_days, add_years, age, date_between, last_paid_month, mix, month, pick, pick_cum, year_end,
    year_start, ymd,
};
use crate::{DemoDistrict, DemoOptions, Row};

/// Rows handed to the sink at a time (a batch is flushed once it holds at least this many).
pub(crate) const BATCH: usize = 5_000;

/// The household structure comes from its own RNG stream so that [`count_households`] can replay
/// it cheaply.
const HOUSEHOLD_STREAM: u64 = 0x686f_7573_6568_6f6c;

/// The last survey year of the plan period; rows cover the three years ending here (or today).
const LAST_PLAN_YEAR: i32 = 2025;

/// First certificates in the data set (the second-generation certificate).
const FIRST_ISSUE: (i32, u32, u32) = (2005, 1, 1);

/// The two subsidies are paid from January 2016 (国发〔2015〕52号).
const SUBSIDY_START: (i32, u32) = (2016, 1);

/// Size of the next household unit: ~2.7% pairs, ~0.9% triples (≈ 8% of persons share a
/// 户编号).
fn unit_size(rng: &mut SmallRng) -> usize {
    let x = rng.random_range(0..10_000u32);
    if x < 270 {
        2
    } else if x < 360 {
        3
    } else {
        1
    }
}

/// Households formed by `persons` persons of a seed (replays the household stream).
pub(crate) fn count_households(seed: u64, persons: usize) -> usize {
    let mut rng = SmallRng::seed_from_u64(seed ^ HOUSEHOLD_STREAM);
    let (mut made, mut n) = (0usize, 0usize);
    while made < persons {
        made += unit_size(&mut rng).min(persons - made);
        n += 1;
    }
    n
}

/// Registration address codes of citizen IDs (per mille; the district's own code first).
const OTHER_ADDRESSES: &[(&str, u64)] = &[
    ("331002", 30), // 椒江区
    ("331004", 25), // 路桥区
    ("331081", 15), // 温岭市
    ("331082", 15), // 临海市
    ("331024", 8),  // 仙居县
    ("331023", 7),  // 天台县
    ("331022", 5),  // 三门县
    ("331083", 5),  // 玉环市
    ("330102", 3),  // 杭州市上城区
    ("330203", 3),  // 宁波市海曙区
    ("330302", 4),  // 温州市鹿城区
    ("330381", 3),  // 瑞安市
    ("330782", 3),  // 义乌市
    ("330602", 2),  // 绍兴市越城区
];
const HOME_ADDRESS_WEIGHT: u64 = 872;

/// Age at `today` (per 10 000, by band of completed years): many elderly, few children.
const AGE_BANDS: &[((i32, i32), u32)] = &[
    ((0, 5), 120),
    ((6, 14), 260),
    ((15, 17), 100),
    ((18, 29), 550),
    ((30, 44), 1_100),
    ((45, 59), 2_500),
    ((60, 69), 2_300),
    ((70, 79), 1_850),
    ((80, 89), 1_000),
    ((90, 100), 220),
];

/// Categories of adults (18+), per 10 000, chosen so that with the children's mix the whole
/// registry gives 肢体 45, 视力 12, 听力 10, 言语 1, 智力 9, 精神 13, 多重 10 %.
const ADULT_CATEGORIES: &[(Category, u32)] = &[
    (Category::Physical, 4_616),
    (Category::Visual, 1_240),
    (Category::Hearing, 1_000),
    (Category::Speech, 65),
    (Category::Intellectual, 784),
    (Category::Mental, 1_315),
    (Category::Multiple, 980),
];
/// Categories of children (under 18): intellectual, physical and multiple lead; 精神 is autism.
const CHILD_CATEGORIES: &[(Category, u32)] = &[
    (Category::Intellectual, 32),
    (Category::Physical, 22),
    (Category::Multiple, 14),
    (Category::Hearing, 10),
    (Category::Speech, 8),
    (Category::Visual, 4),
    (Category::Mental, 10),
];
/// Components of 多重 (two or three of these).
const COMPONENTS: &[(Category, u32)] = &[
    (Category::Intellectual, 30),
    (Category::Physical, 30),
    (Category::Speech, 15),
    (Category::Hearing, 15),
    (Category::Visual, 10),
    (Category::Mental, 10),
];
/// Grades: 多重 is more severe; the others are set so that the whole registry gives
/// 一级 12, 二级 22, 三级 28, 四级 38 %.
const GRADES: &[(Grade, u32)] = &[
    (Grade::One, 1_056),
    (Grade::Two, 2_056),
    (Grade::Three, 2_832),
    (Grade::Four, 4_056),
];
const MULTIPLE_GRADES: &[(Grade, u32)] = &[
    (Grade::One, 25),
    (Grade::Two, 35),
    (Grade::Three, 25),
    (Grade::Four, 15),
];

/// Economic status at the start of the survey window (per mille).
const ECONOMIC: &[(EconomicStatus, u32)] = &[
    (EconomicStatus::Dibao, 120),
    (EconomicStatus::Dibian, 60),
    (EconomicStatus::Tekun, 20),
    (EconomicStatus::None, 800),
];

/// Household size of a person registered alone.
const HOUSEHOLD_SIZES: &[(i64, u32)] = &[(1, 16), (2, 30), (3, 24), (4, 15), (5, 10), (6, 5)];

/// Per survey-window year (first, second, third): the plan progresses.
struct Rates {
    subsidy_missed: [f64; 3],
    pension: [f64; 3],
    medical: [f64; 3],
    employed: [f64; 3],
    high_school: [f64; 3],
    rehab: [f64; 3],
    device: [f64; 3],
    modification: [f64; 3],
    care: [f64; 3],
    culture: [f64; 3],
}

const RATES: Rates = Rates {
    subsidy_missed: [0.016, 0.011, 0.007],
    pension: [0.965, 0.972, 0.980],
    medical: [0.975, 0.981, 0.987],
    employed: [0.595, 0.610, 0.625],
    high_school: [0.84, 0.87, 0.90],
    rehab: [0.950, 0.962, 0.975],
    device: [0.950, 0.962, 0.975],
    modification: [0.90, 0.92, 0.94],
    care: [0.86, 0.89, 0.92],
    culture: [0.905, 0.92, 0.935],
};

/// Annual death hazard by age (scaled to ~1.5 % a year over the registry).
fn death_hazard(age: i32) -> f64 {
    let h = match age {
        ..18 => 0.002,
        18..60 => 0.0035,
        60..70 => 0.009,
        70..80 => 0.021,
        80..90 => 0.052,
        _ => 0.12,
    };
    h * 1.5
}

/// Share of certificates reaching expiry since 2021 that are not renewed (→ ~2 % expired).
const NOT_RENEWED: f64 = 0.09;
/// Persons who moved out of the district since 2021.
const MOVED_OUT: f64 = 0.010;
/// Revoked certificates.
const REVOKED: f64 = 0.010;
/// A 特困 person wrongly enrolled in a subsidy.
const WRONG_TEKUN: f64 = 0.15;
/// An enrolment not stopped when eligibility ended (death, moving out, loss of 低保…).
const NOT_STOPPED: f64 = 0.04;

struct Village {
    code: AreaCode,
    community: bool,
    multi_households: u32,
}

struct Township {
    code: AreaCode,
    villages: Vec<Village>,
    cum: Vec<u64>,
}

/// The economic status of a household over time: `None`-status (无) before the first spell.
struct Econ {
    spells: Vec<(NaiveDate, EconomicStatus)>,
}

impl Econ {
    fn at(&self, d: NaiveDate) -> EconomicStatus {
        self.spells
            .iter()
            .rev()
            .find(|(s, _)| *s <= d)
            .map(|(_, e)| *e)
            .unwrap_or(EconomicStatus::None)
    }
    fn ever(&self, e: EconomicStatus) -> bool {
        self.spells.iter().any(|(_, s)| *s == e)
    }
    /// Intervals `[start, end)` during which `pred` holds.
    fn intervals(
        &self,
        pred: impl Fn(EconomicStatus) -> bool,
    ) -> Vec<(NaiveDate, Option<NaiveDate>)> {
        let mut out: Vec<(NaiveDate, Option<NaiveDate>)> = Vec::new();
        let mut open: Option<NaiveDate> = None;
        for (d, e) in &self.spells {
            match (open, pred(*e)) {
                (None, true) => open = Some(*d),
                (Some(s), false) => {
                    out.push((s, Some(*d)));
                    open = None;
                }
                _ => {}
            }
        }
        if let Some(s) = open {
            out.push((s, None));
        }
        out
    }
}

struct Household {
    township: usize,
    village: usize,
    agricultural: bool,
    household_id: Option<String>,
    size: i64,
    econ: Econ,
    income_u: f64,
    growth: [f64; 3],
    modification_u: f64,
    modification_done_u: f64,
    surname: &'static str,
}

/// An enrolment in a subsidy.
#[derive(Clone, Copy)]
struct Enrolment {
    since: Month,
    until: Option<Month>,
}

pub(crate) struct Generator {
    today: NaiveDate,
    window: [i32; 3],
    seed: u64,
    townships: Vec<Township>,
    township_cum: Vec<u64>,
    addresses: Vec<String>,
    address_cum: Vec<u64>,
    min_birth: NaiveDate,
    days: usize,
    sequences: Vec<u16>,
}

impl Generator {
    /// `None` when the district has no township with villages.
    pub(crate) fn new(opts: &DemoOptions, district: &DemoDistrict) -> Option<Generator> {
        let mut townships: Vec<Township> = Vec::new();
        let mut township_cum = Vec::new();
        let mut total = 0u64;
        for t in district
            .areas
            .iter()
            .filter(|a| a.code.level() == AreaLevel::Township)
        {
            let mut villages = Vec::new();
            let mut cum = Vec::new();
            let mut vt = 0u64;
            for v in district.areas.iter().filter(|a| {
                a.code.level() == AreaLevel::Village && a.code.parent().as_ref() == Some(&t.code)
            }) {
                vt += v.population.unwrap_or(1_000).max(1) as u64;
                cum.push(vt);
                villages.push(Village {
                    code: v.code.clone(),
                    community: v.code.kind() == AreaKind::Community,
                    multi_households: 0,
                });
            }
            if villages.is_empty() {
                continue;
            }
            total += t.population.unwrap_or(vt as i64).max(1) as u64;
            township_cum.push(total);
            townships.push(Township {
                code: t.code.clone(),
                villages,
                cum,
            });
        }
        if townships.is_empty() {
            return None;
        }
        let home = district
            .areas
            .iter()
            .find(|a| a.code.level() == AreaLevel::District)
            .map(|a| a.code.to_string())
            .or_else(|| {
                townships
                    .first()
                    .and_then(|t| t.code.parent())
                    .map(|c| c.to_string())
            })
            .unwrap_or_else(|| "331003".to_string());
        let mut addresses = vec![home.clone()];
        let mut address_cum = vec![HOME_ADDRESS_WEIGHT];
        let mut acc = HOME_ADDRESS_WEIGHT;
        for (code, w) in OTHER_ADDRESSES {
            if *code != home {
                acc += w;
                addresses.push((*code).to_string());
                address_cum.push(acc);
            }
        }
        let today = opts.today;
        let min_birth = add_years(today, -102);
        let days = usize::try_from((today - min_birth).num_days() + 1).unwrap_or(0);
        let last = today.year().min(LAST_PLAN_YEAR);
        Some(Generator {
            today,
            window: [last - 2, last - 1, last],
            seed: opts.seed,
            townships,
            township_cum,
            sequences: vec![0; addresses.len() * days * 2],
            addresses,
            address_cum,
            min_birth,
            days,
        })
    }

    /// Runs the whole stream.
    pub(crate) fn run<E>(
        mut self,
        persons: usize,
        sink: &mut dyn FnMut(&[Row]) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut rng = SmallRng::seed_from_u64(self.seed);
        let mut hh_rng = SmallRng::seed_from_u64(self.seed ^ HOUSEHOLD_STREAM);
        let mut batch: Vec<(PersonRecord, RecordExtras)> = Vec::with_capacity(BATCH + 16);
        let mut made = 0usize;
        while made < persons {
            let size = unit_size(&mut hh_rng).min(persons - made);
            self.household(&mut rng, size, &mut batch);
            made += size;
            if batch.len() >= BATCH {
                sink(&batch)?;
                batch.clear();
            }
        }
        if !batch.is_empty() {
            sink(&batch)?;
        }
        Ok(())
    }

    fn window_index(&self, y: i32) -> usize {
        usize::try_from((y - self.window[0]).clamp(0, 2)).unwrap_or(0)
    }

    fn household(
        &mut self,
        rng: &mut SmallRng,
        size: usize,
        out: &mut Vec<(PersonRecord, RecordExtras)>,
    ) {
        let ti = pick_cum(rng, &self.township_cum);
        let Some(township) = self.townships.get_mut(ti) else {
            return;
        };
        let vi = pick_cum(rng, &township.cum);
        let Some(village) = township.villages.get_mut(vi) else {
            return;
        };
        let agricultural = rng.random_bool(if village.community { 0.47 } else { 0.90 });
        let household_id = (size >= 2).then(|| {
            village.multi_households += 1;
            format!("{}{:04}", village.code, village.multi_households)
        });
        let size_hh = if size >= 2 {
            (size as i64 + rng.random_range(0..=2)).min(6)
        } else {
            pick(rng, HOUSEHOLD_SIZES).unwrap_or(2)
        };
        let econ = self.econ(rng);
        let hh = Household {
            township: ti,
            village: vi,
            agricultural,
            household_id,
            size: size_hh,
            econ,
            income_u: rng.random::<f64>(),
            growth: [
                1.0,
                rng.random_range(1.05..1.07),
                rng.random_range(1.05..1.07),
            ],
            modification_u: rng.random::<f64>(),
            modification_done_u: rng.random::<f64>(),
            surname: names::surname(rng),
        };
        let first_age = self.draw_age(rng);
        let first_male = rng.random_bool(0.55);
        self.member(rng, &hh, first_age, first_male, hh.surname, out);
        for _ in 1..size {
            let r = rng.random_range(0..100u32);
            let (age, male, surname) = if first_age >= 20 && r < 45 {
                // Spouse.
                let a = (first_age + rng.random_range(-6..=6)).clamp(18, 100);
                (a, !first_male, names::surname(rng))
            } else if first_age >= 20 && r < 80 {
                // Child (or a parent when the first member is young).
                let a = first_age - rng.random_range(22..=38);
                let male = rng.random_bool(0.55);
                if a >= 0 {
                    (a, male, hh.surname)
                } else {
                    (
                        (first_age + rng.random_range(22..=32)).min(100),
                        male,
                        hh.surname,
                    )
                }
            } else if first_age < 20 && r < 60 {
                // A parent of a disabled child.
                let male = rng.random_bool(0.5);
                let a = (first_age + rng.random_range(22..=38)).min(100);
                (
                    a,
                    male,
                    if male {
                        hh.surname
                    } else {
                        names::surname(rng)
                    },
                )
            } else {
                // Sibling.
                (
                    (first_age + rng.random_range(-8..=8)).clamp(0, 100),
                    rng.random_bool(0.55),
                    hh.surname,
                )
            };
            self.member(rng, &hh, age, male, surname, out);
        }
    }

    fn draw_age(&self, rng: &mut SmallRng) -> i32 {
        let band = pick(rng, AGE_BANDS).unwrap_or((45, 59));
        rng.random_range(band.0..=band.1)
    }

    /// The household's economic status: the status at the start of the window (with an onset
    /// before it), then a small chance of change within each later window year.
    fn econ(&self, rng: &mut SmallRng) -> Econ {
        let mut spells = Vec::new();
        let first = pick(rng, ECONOMIC).unwrap_or(EconomicStatus::None);
        let mut cur = first;
        if first != EconomicStatus::None {
            let hi = ymd(self.window[0], 6, 30).min(self.today);
            let lo = ymd(2008, 1, 1).min(hi);
            spells.push((date_between(rng, lo, hi), first));
        }
        for &y in &self.window[1..] {
            if y > self.today.year() {
                break;
            }
            let x: f64 = rng.random();
            let next = match cur {
                EconomicStatus::Dibao if x < 0.03 => EconomicStatus::None,
                EconomicStatus::Dibao if x < 0.06 => EconomicStatus::Dibian,
                EconomicStatus::Dibian if x < 0.035 => EconomicStatus::None,
                EconomicStatus::Dibian if x < 0.06 => EconomicStatus::Dibao,
                EconomicStatus::None if x < 0.005 => EconomicStatus::Dibao,
                EconomicStatus::None if x < 0.0085 => EconomicStatus::Dibian,
                e => e,
            };
            if next != cur {
                let d = date_between(rng, year_start(y), year_end(y).min(self.today));
                spells.push((d, next));
                cur = next;
            }
        }
        Econ { spells }
    }

    /// Reserves a citizen ID: a sequence number unused for (address, birth date, sex), found by
    /// a per-key permutation of the 500 numbers of that sex. Moves the birth date a day earlier
    /// in the (practically impossible) case that all are taken.
    fn citizen_id(
        &mut self,
        addr: usize,
        birth: NaiveDate,
        male: bool,
    ) -> Option<(CitizenId, NaiveDate)> {
        for shift in 0..3_650 {
            let b = add_days(birth, -shift);
            let Ok(day) = usize::try_from((b - self.min_birth).num_days()) else {
                return None;
            };
            if day >= self.days {
                continue;
            }
            let idx = (addr * self.days + day) * 2 + usize::from(male);
            let n = self.sequences.get_mut(idx)?;
            if *n >= 500 {
                continue;
            }
            let k = u64::from(*n);
            *n += 1;
            let h = mix(self.seed ^ ((addr as u64) << 40) ^ ((day as u64) << 1) ^ u64::from(male));
            let c = (h >> 8) % 200;
            let a = 10 * (c / 4) + [1, 3, 7, 9][(c % 4) as usize];
            let m = (a * k + (h >> 32) % 500) % 500;
            let seq = 2 * m + u64::from(male);
            let code = self.addresses.get(addr)?;
            let first17 = format!("{code}{}{seq:03}", b.format("%Y%m%d"));
            return with_check_char(&first17).map(|id| (id, b));
        }
        None
    }

    fn member(
        &mut self,
        rng: &mut SmallRng,
        hh: &Household,
        age_now: i32,
        male: bool,
        surname: &str,
        out: &mut Vec<(PersonRecord, RecordExtras)>,
    ) {
        let today = self.today;
        // Identity.
        let mut birth = add_days(add_years(today, -age_now), -rng.random_range(0..365));
        birth = birth.min(add_days(today, -60)).max(self.min_birth);
        let addr = pick_cum(rng, &self.address_cum);
        let Some((citizen_id, birth)) = self.citizen_id(addr, birth, male) else {
            return;
        };
        let age_now = age(birth, today);
        let name = names::full_name(rng, surname, birth.year(), male);

        // Disability.
        let mut category = pick(
            rng,
            if age_now < 18 {
                CHILD_CATEGORIES
            } else {
                ADULT_CATEGORIES
            },
        )
        .unwrap_or(Category::Physical);
        if age_now < 3 && category == Category::Mental {
            category = Category::Physical;
        }
        let mut components = Vec::new();
        if category == Category::Multiple {
            let n = if rng.random_bool(0.8) { 2 } else { 3 };
            for _ in 0..20 {
                if components.len() >= n {
                    break;
                }
                if let Some(c) = pick(rng, COMPONENTS)
                    && !components.contains(&c)
                {
                    components.push(c);
                }
            }
            components.sort();
        }
        let grade = pick(
            rng,
            if category == Category::Multiple {
                MULTIPLE_GRADES
            } else {
                GRADES
            },
        )
        .unwrap_or(Grade::Four);

        // First certificate: from 2005 (or soon after birth) to today, more of them lately.
        let start = ymd(FIRST_ISSUE.0, FIRST_ISSUE.1, FIRST_ISSUE.2);
        let lo = start
            .max(add_days(birth, if age_now < 3 { 45 } else { 365 }))
            .min(today);
        let span = (today - lo).num_days().max(0) as f64;
        let u: f64 = rng.random();
        let frac = if rng.random_bool(0.5) { u } else { u.sqrt() };
        let first_issued = add_days(lo, (span * frac) as i64).min(today);

        // Death (hazard by age, from 2021), or moving out.
        let mut died_on = None;
        for y in 2021.max(first_issued.year())..=today.year() {
            let from = year_start(y).max(add_days(first_issued, 1));
            let to = year_end(y).min(today);
            if from > to {
                continue;
            }
            let share = ((to - from).num_days() + 1) as f64 / 365.0;
            let h = death_hazard(age(birth, ymd(y, 7, 1))) * share;
            if rng.random_bool(h.clamp(0.0, 1.0)) {
                died_on = Some(date_between(rng, from, to));
                break;
            }
        }
        let mut moved_out_on = None;
        if died_on.is_none() && rng.random_bool(MOVED_OUT) {
            let lo = ymd(2021, 1, 1).max(add_days(first_issued, 1));
            if lo <= today {
                moved_out_on = Some(date_between(rng, lo, today));
            }
        }
        let stop = died_on.or(moved_out_on);

        // Renewals: in the tenth year, unless dead, gone, or (a few since 2021) neglected.
        let mut issued_on = first_issued;
        loop {
            let vu = add_years(issued_on, 10);
            if vu > today {
                break;
            }
            let renew = add_days(vu, -rng.random_range(1..=300));
            if stop.is_some_and(|s| s <= renew) {
                break;
            }
            if vu >= ymd(2021, 1, 1) && rng.random_bool(NOT_RENEWED) {
                break;
            }
            issued_on = renew.max(add_days(issued_on, 1));
        }
        let valid_until = Certificate::default_valid_until(issued_on);
        let mut revoked_on = None;
        if stop.is_none() && rng.random_bool(REVOKED) {
            let lo = ymd(2021, 1, 1).max(add_days(issued_on, 30));
            let hi = today.min(valid_until);
            if lo <= hi {
                revoked_on = Some(date_between(rng, lo, hi));
            }
        }
        let smart_card = rng.random_bool(if issued_on >= ymd(2021, 7, 1) {
            0.92
        } else {
            0.30
        });
        let expired_from = (valid_until < today).then(|| add_days(valid_until, 1));
        let inactive_from = [died_on, moved_out_on, revoked_on, expired_from]
            .into_iter()
            .flatten()
            .min();
        let certificate = Certificate {
            number: CertificateNo::compose(&citizen_id, category, grade),
            category,
            grade,
            components,
            issued_on,
            valid_until,
            status: if revoked_on.is_some() {
                CertificateStatus::Revoked
            } else {
                CertificateStatus::Valid
            },
            revoked_on,
            smart_card,
        };
        let severe = certificate.is_severe_care();
        let intellectual_mental = matches!(category, Category::Intellectual | Category::Mental)
            || certificate
                .components
                .iter()
                .any(|c| matches!(c, Category::Intellectual | Category::Mental));

        // Contact and guardian.
        let phone = match age_now {
            ..16 => None,
            80.. => rng.random_bool(0.55).then(|| names::phone(rng)),
            _ => rng.random_bool(0.94).then(|| names::phone(rng)),
        };
        let needs_guardian =
            age_now < 18 || (intellectual_mental && matches!(grade, Grade::One | Grade::Two));
        let (guardian_name, guardian_phone) = if needs_guardian {
            let parent_year = birth.year() - rng.random_range(22..=35);
            let gmale = rng.random_bool(0.5);
            let gs = if age_now < 18 && gmale {
                surname
            } else {
                names::surname(rng)
            };
            (
                Some(names::full_name(
                    rng,
                    gs,
                    parent_year.min(today.year() - 20),
                    gmale,
                )),
                Some(names::phone(rng)),
            )
        } else {
            (None, None)
        };
        let Some(township) = self.townships.get(hh.township) else {
            return;
        };
        let Some(village) = township.villages.get(hh.village) else {
            return;
        };
        let person = Person {
            citizen_id,
            name,
            township: township.code.clone(),
            village: Some(village.code.clone()),
            hukou_type: Some(if hh.agricultural {
                HukouType::Agricultural
            } else {
                HukouType::NonAgricultural
            }),
            household_id: hh.household_id.clone(),
            household_size: Some(hh.size),
            phone,
            guardian_name,
            guardian_phone,
            died_on,
            moved_out_on,
        };

        // Subsidy enrolments over time.
        let ended_wrongly = rng.random_bool(NOT_STOPPED);
        let tekun = hh.econ.ever(EconomicStatus::Tekun);
        let wrong_tekun = tekun && rng.random_bool(WRONG_TEKUN);
        let active_end = inactive_from;
        let subsidy_start = month(SUBSIDY_START.0, SUBSIDY_START.1);
        let today_month = Month::of(today);
        let enrol = |start: NaiveDate, end: Option<NaiveDate>| -> Option<Enrolment> {
            let s = start.max(first_issued);
            let since = Month::of(s).next().max(subsidy_start);
            let end = [end, active_end].into_iter().flatten().min();
            let until = end.map(last_paid_month).filter(|_| !ended_wrongly);
            if since > today_month || until.is_some_and(|u| u < since) {
                return None;
            }
            Some(Enrolment { since, until })
        };
        let poor = |e: EconomicStatus| {
            matches!(e, EconomicStatus::Dibao | EconomicStatus::Dibian)
                || (wrong_tekun && e == EconomicStatus::Tekun)
        };
        let living: Vec<Enrolment> = hh
            .econ
            .intervals(poor)
            .into_iter()
            .filter_map(|(s, e)| enrol(s, e))
            .collect();
        let nursing: Vec<Enrolment> = if severe && (!tekun || wrong_tekun) {
            enrol(first_issued, None).into_iter().collect()
        } else {
            Vec::new()
        };

        // Survey years: registered by then and not gone before it; a few gaps.
        let gone_year = inactive_from.map(|d| d.year());
        let mut years: Vec<i32> = self
            .window
            .iter()
            .copied()
            .filter(|&y| {
                first_issued.year() <= y && gone_year.is_none_or(|g| g >= y) && y <= today.year()
            })
            .collect();
        if years.len() > 1 {
            let keep: Vec<i32> = years
                .iter()
                .copied()
                .filter(|_| !rng.random_bool(0.025))
                .collect();
            if !keep.is_empty() {
                years = keep;
            }
        }
        if years.is_empty() {
            let y = if first_issued.year() > self.window[2] {
                first_issued.year()
            } else {
                gone_year
                    .unwrap_or(first_issued.year())
                    .max(first_issued.year())
            };
            years.push(y.min(today.year()));
        }

        // Latent per-person values: sticky across years so that improvements look like a plan
        // progressing rather than noise.
        let u_living_miss: f64 = rng.random();
        let u_nursing_miss: f64 = rng.random();
        let late_month = rng.random_range(1..=6u32);
        let u_pension: f64 = rng.random();
        let u_medical: f64 = rng.random();
        let u_employed: f64 = rng.random();
        let u_incapable: f64 = rng.random();
        let u_retired: f64 = rng.random();
        let u_school: f64 = rng.random();
        let u_compulsory: f64 = rng.random();
        let mut u_rehab_need: f64 = rng.random();
        let u_rehab: f64 = rng.random();
        let mut u_device_need: f64 = rng.random();
        let u_device: f64 = rng.random();
        let mut u_care_need: f64 = rng.random();
        let u_care: f64 = rng.random();
        let u_culture: f64 = rng.random();
        let u_income_missing: f64 = rng.random();
        let u_stage: f64 = rng.random();
        let employment_kind = self.employment_kind(rng, hh.agricultural, intellectual_mental);
        let not_employed_reason = pick(
            rng,
            &[
                (NotEmployedReason::NoSkills, 45),
                (NotEmployedReason::NoWish, 35),
                (NotEmployedReason::Other, 20),
            ],
        )
        .unwrap_or(NotEmployedReason::Other);
        let formal = matches!(
            employment_kind,
            EmploymentStatus::Quota
                | EmploymentStatus::Concentrated
                | EmploymentStatus::PublicWelfare
        );
        let employee_insurance = rng.random_bool(
            0.06 + if hh.agricultural { 0.0 } else { 0.22 } + if formal { 0.35 } else { 0.0 },
        );
        let care_kind = pick(
            rng,
            &[
                (CareNeed::Home, 55),
                (CareNeed::Day, 25),
                (CareNeed::Residential, 20),
            ],
        )
        .unwrap_or(CareNeed::Home);

        let first_ok = |u: f64| {
            self.window
                .iter()
                .copied()
                .find(|&y| u >= RATES.subsidy_missed[self.window_index(y)])
        };
        let living_first_ok = first_ok(u_living_miss);
        let nursing_first_ok = first_ok(u_nursing_miss);

        for (i, &y) in years.iter().enumerate() {
            let k = self.window_index(y);
            let at = year_end(y).min(today);
            let a = age(birth, at);
            if i > 0 {
                // Needs change now and then.
                if rng.random_bool(0.12) {
                    u_rehab_need = rng.random();
                }
                if rng.random_bool(0.10) {
                    u_device_need = rng.random();
                }
                if rng.random_bool(0.10) {
                    u_care_need = rng.random();
                }
            }
            let economic_status = hh.econ.at(at);
            let income = self.income(hh, economic_status, y);
            let income_per_capita_fen = (u_income_missing >= 0.02).then_some(income);

            let living_row =
                self.enrolment_in(&living, y, u_living_miss, living_first_ok, late_month);
            let nursing_row =
                self.enrolment_in(&nursing, y, u_nursing_miss, nursing_first_ok, late_month);

            // Education.
            let (school_stage, completed_compulsory) = match a {
                ..3 => (None, None),
                3..=5 => (
                    Some(if u_school < 0.65 {
                        SchoolStage::Preschool
                    } else {
                        SchoolStage::NotInSchool
                    }),
                    None,
                ),
                6..=11 => (
                    Some(if u_school < 0.95 {
                        SchoolStage::Primary
                    } else {
                        SchoolStage::NotInSchool
                    }),
                    Some(false),
                ),
                12..=14 => (
                    Some(if u_school < 0.93 {
                        SchoolStage::Junior
                    } else {
                        SchoolStage::NotInSchool
                    }),
                    Some(false),
                ),
                15..=17 => {
                    let cc = u_compulsory < 0.88;
                    let stage = if cc {
                        if u_school < RATES.high_school[k] {
                            high_school_stage(category, u_stage)
                        } else {
                            SchoolStage::NotInSchool
                        }
                    } else if u_school < 0.5 {
                        SchoolStage::Junior
                    } else {
                        SchoolStage::NotInSchool
                    };
                    (Some(stage), Some(cc))
                }
                18..=22 => {
                    let stage = if u_school < 0.12 {
                        SchoolStage::Tertiary
                    } else if a == 18 && u_school < 0.30 {
                        high_school_stage(category, u_stage)
                    } else {
                        SchoolStage::NotInSchool
                    };
                    (Some(stage), Some(u_compulsory < 0.90))
                }
                // Adults: recorded for the cohorts of the compulsory-education law (born 1978+).
                _ => (
                    (u_stage < 0.6).then_some(SchoolStage::NotInSchool),
                    (birth.year() >= 1978).then_some(u_compulsory < 0.9),
                ),
            };
            let in_school = school_stage.is_some_and(|s| s.in_school());

            // Insurance.
            let pension_insurance = if a >= 16 && !in_school {
                Some(if u_pension >= RATES.pension[k] {
                    Insurance::None
                } else if employee_insurance && a < 75 {
                    Insurance::Employee
                } else {
                    Insurance::Resident
                })
            } else {
                None
            };
            let medical_insurance = Some(if u_medical >= RATES.medical[k] {
                Insurance::None
            } else if employee_insurance && a >= 16 && !in_school {
                Insurance::Employee
            } else {
                Insurance::Resident
            });

            // Employment (working age: men 16–59, women 16–54).
            let working_age = a >= 16 && a <= if male { 59 } else { 54 };
            let (employment_status, reason) = if !working_age {
                (None, None)
            } else if in_school {
                (
                    Some(EmploymentStatus::NotEmployed),
                    Some(NotEmployedReason::InSchool),
                )
            } else {
                let incapable = match grade {
                    Grade::One => 0.55,
                    Grade::Two => 0.20,
                    _ => 0.03,
                };
                if u_incapable < incapable {
                    (
                        Some(EmploymentStatus::NotEmployed),
                        Some(NotEmployedReason::Incapable),
                    )
                } else if a >= 50 && u_retired < 0.12 {
                    (
                        Some(EmploymentStatus::NotEmployed),
                        Some(NotEmployedReason::Retired),
                    )
                } else if u_employed < RATES.employed[k] {
                    (Some(employment_kind), None)
                } else {
                    (
                        Some(EmploymentStatus::NotEmployed),
                        Some(not_employed_reason),
                    )
                }
            };

            // Services.
            let rehab_p = if a < 18 { 0.85 } else { 0.38 };
            let needs_rehab = u_rehab_need < rehab_p;
            let device_p = match category {
                Category::Physical => 0.30,
                Category::Visual | Category::Hearing => 0.35,
                Category::Multiple => 0.30,
                _ => 0.06,
            };
            let needs_device = u_device_need < device_p;
            let low_income = !matches!(economic_status, EconomicStatus::None);
            let needs_modification = hh.modification_u < if low_income { 0.06 } else { 0.012 };
            let care_p = if severe { 0.22 } else { 0.04 };
            let care_need = if u_care_need < care_p {
                care_kind
            } else {
                CareNeed::None
            };

            let survey = Survey {
                year: y,
                economic_status: Some(economic_status),
                income_per_capita_fen,
                living_subsidy_since: living_row.map(|e| e.since),
                living_subsidy_until: living_row.and_then(|e| e.until),
                nursing_subsidy_since: nursing_row.map(|e| e.since),
                nursing_subsidy_until: nursing_row.and_then(|e| e.until),
                pension_insurance,
                medical_insurance,
                employment_status,
                not_employed_reason: reason,
                school_stage,
                completed_compulsory,
                needs_rehab: Some(needs_rehab),
                received_rehab: needs_rehab.then_some(u_rehab < RATES.rehab[k]),
                needs_device: Some(needs_device),
                device_fitted: needs_device.then_some(u_device < RATES.device[k]),
                needs_home_modification: Some(needs_modification),
                home_modification_done: needs_modification
                    .then_some(hh.modification_done_u < RATES.modification[k]),
                care_need: Some(care_need),
                receives_care: (care_need != CareNeed::None).then_some(u_care < RATES.care[k]),
                culture_sports: Some(u_culture < RATES.culture[k]),
            };
            out.push((
                PersonRecord {
                    person: person.clone(),
                    certificate: certificate.clone(),
                    survey,
                },
                RecordExtras::default(),
            ));
        }
    }

    fn employment_kind(
        &self,
        rng: &mut SmallRng,
        agricultural: bool,
        intellectual_mental: bool,
    ) -> EmploymentStatus {
        use EmploymentStatus::*;
        if intellectual_mental && rng.random_bool(0.35) {
            return Supported;
        }
        let table: &[(EmploymentStatus, u32)] = if agricultural {
            &[
                (Farming, 38),
                (Flexible, 24),
                (SelfEmployed, 10),
                (Quota, 10),
                (Concentrated, 5),
                (PublicWelfare, 5),
                (Supported, 8),
            ]
        } else {
            &[
                (Farming, 5),
                (Flexible, 35),
                (SelfEmployed, 14),
                (Quota, 20),
                (Concentrated, 8),
                (PublicWelfare, 8),
                (Supported, 10),
            ]
        };
        pick(rng, table).unwrap_or(Flexible)
    }

    /// Household income per head (fen a year) in year `y` for a status: a level by status
    /// (and hukou for 无) times the household's growth since the window's first year.
    fn income(&self, hh: &Household, e: EconomicStatus, y: i32) -> i64 {
        let u = hh.income_u;
        let yuan = match e {
            EconomicStatus::Dibao => 6_000.0 + u * 7_000.0,
            EconomicStatus::Dibian => 14_500.0 + u * 6_000.0,
            EconomicStatus::Tekun => 13_000.0 + u * 5_000.0,
            EconomicStatus::None => {
                let (lo, hi): (f64, f64) = if hh.agricultural {
                    (18_000.0, 90_000.0)
                } else {
                    (24_000.0, 130_000.0)
                };
                lo * (hi / lo).powf(u.powf(1.6))
            }
        };
        let [w0, w1, w2] = self.window;
        let g = if y <= w0 {
            1.06f64.powi(y - w0)
        } else if y == w1 {
            hh.growth[1]
        } else if y == w2 {
            hh.growth[1] * hh.growth[2]
        } else {
            hh.growth[1] * hh.growth[2] * 1.06f64.powi(y - w2)
        };
        (yuan * g).round() as i64 * 100
    }

    /// The enrolment as stated by the row of year `y`: the latest enrolment running in `y`,
    /// its end only when it falls in `y` or before; nothing in a year the person was missed.
    fn enrolment_in(
        &self,
        enrolments: &[Enrolment],
        y: i32,
        u_miss: f64,
        first_ok: Option<i32>,
        late_month: u32,
    ) -> Option<Enrolment> {
        if u_miss < RATES.subsidy_missed[self.window_index(y)] {
            return None;
        }
        let (jan, dec) = (month(y, 1), month(y, 12));
        let e = enrolments
            .iter()
            .rev()
            .find(|e| e.since <= dec && e.until.is_none_or(|u| u >= jan))?;
        let mut since = e.since;
        // Enrolled late: missed in the window's earlier years.
        if let Some(ok) = first_ok
            && ok > self.window[0]
            && since < month(ok, 1)
        {
            let late = month(ok, late_month).min(Month::of(self.today));
            if e.until.is_none_or(|u| u >= late) {
                since = late;
            }
        }
        if since > dec {
            return None;
        }
        Some(Enrolment {
            since,
            until: e.until.filter(|u| *u <= dec),
        })
    }
}

fn high_school_stage(category: Category, u: f64) -> SchoolStage {
    match category {
        Category::Intellectual | Category::Multiple => {
            if u < 0.5 {
                SchoolStage::SpecialSenior
            } else {
                SchoolStage::Vocational
            }
        }
        Category::Hearing | Category::Visual => {
            if u < 0.4 {
                SchoolStage::SpecialSenior
            } else if u < 0.7 {
                SchoolStage::Vocational
            } else {
                SchoolStage::Senior
            }
        }
        _ => {
            if u < 0.55 {
                SchoolStage::Senior
            } else {
                SchoolStage::Vocational
            }
        }
    }
}
