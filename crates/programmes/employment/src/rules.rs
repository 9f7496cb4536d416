//! The quota review (按比例就业年审, `policy.md` and `contract.md`): which declared employees
//! count and why not, the quota, the shortfall, the levy (就业保障金) with the reductions in
//! force and the small-employer exemption, and the over-quota reward. Pure: the parameters,
//! the declaration and what the registry says of each employee come in; no HTTP, no SQL.
//!
//! Arithmetic is exact: staff in millionths of a person, ratios in millionths, money in fen,
//! products in `i128`; only the levy is rounded (half up, to the fen) and the reward's
//! multiplier is the whole number of employees over the quota.

use std::collections::HashMap;

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

use chrono::NaiveDate;
use serde::Serialize;
use zhucan_domain::area::AreaCode;
use zhucan_domain::coded_enum;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::policy::{ParamEntry, ParamKey, ParamValue, Policy};
use zhucan_domain::ratio::{MICRO, Micro};
use zhucan_domain::uscc::Uscc;

/// The parameters of the review in force for an employer's area on a day (Y-12-31).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub quota: Micro,
    pub threshold: Micro,
    pub share_above: Micro,
    pub share_below: Micro,
    pub exempt_staff: i64,
    pub local_wage_fen: i64,
    pub cap_multiple: Micro,
    pub minimum_wage_fen: i64,
    pub reward_fen: i64,
    pub min_contract_months: i64,
    pub severe_double: bool,
    /// The parameter entries used (their ids, the rule version).
    pub version: Vec<i64>,
}

impl Terms {
    /// The parameters in force, or the first one missing (or of the wrong type).
    pub fn resolve(policy: &Policy, area: &AreaCode, day: NaiveDate) -> Result<Terms, ParamKey> {
        let mut version = Vec::new();
        let mut v = |k: ParamKey| {
            let e = policy.at(k, area, day).ok_or(k)?;
            version.push(e.id);
            Ok::<_, ParamKey>((k, e.value.clone()))
        };
        fn ratio(x: (ParamKey, ParamValue)) -> Result<Micro, ParamKey> {
            match x.1 {
                ParamValue::Ratio(r) => Ok(r),
                _ => Err(x.0),
            }
        }
        fn fen(x: (ParamKey, ParamValue)) -> Result<i64, ParamKey> {
            match x.1 {
                ParamValue::Fen(f) => Ok(f),
                _ => Err(x.0),
            }
        }
        fn count(x: (ParamKey, ParamValue)) -> Result<i64, ParamKey> {
            match x.1 {
                ParamValue::Count(n) => Ok(n),
                _ => Err(x.0),
            }
        }
        let quota = ratio(v(ParamKey::EmploymentQuotaRatio)?)?;
        let threshold = ratio(v(ParamKey::EmploymentReducedThreshold)?)?;
        let share_above = ratio(v(ParamKey::EmploymentShareAbove)?)?;
        let share_below = ratio(v(ParamKey::EmploymentShareBelow)?)?;
        let exempt_staff = count(v(ParamKey::EmploymentExemptStaff)?)?;
        let local_wage_fen = fen(v(ParamKey::EmploymentLocalAverageWage)?)?;
        let cap_multiple = ratio(v(ParamKey::EmploymentWageCapMultiple)?)?;
        let minimum_wage_fen = fen(v(ParamKey::EmploymentMinimumWage)?)?;
        let reward_fen = fen(v(ParamKey::EmploymentReward)?)?;
        let min_contract_months = count(v(ParamKey::EmploymentMinContractMonths)?)?;
        let severe_double = match v(ParamKey::EmploymentSevereDouble)? {
            (_, ParamValue::Flag(b)) => b,
            (k, _) => return Err(k),
        };
        Ok(Terms {
            quota,
            threshold,
            share_above,
            share_below,
            exempt_staff,
            local_wage_fen,
            cap_multiple,
            minimum_wage_fen,
            reward_fen,
            min_contract_months,
            severe_double,
            version,
        })
    }
}

coded_enum! {
    /// Where an employer's declaration of a year stands: declared (under review), its review
    /// confirmed by staff (published on the 公示 list), or contested by the employer after
    /// the confirmation (staff review it again).
    pub enum Status {
        Declared = ("declared", "已申报，待审核", "declared, under review"),
        Confirmed = ("confirmed", "已确认", "confirmed"),
        Contested = ("contested", "单位有异议，待复核", "contested by the employer, to be reviewed again"),
    }
}

coded_enum! {
    /// Why a declared employee does not count (`contract.md`).
    pub enum Reason {
        NotCertified = ("not_certified", "年末未持有效残疾人证", "no certificate in force at the year's end"),
        ContractTooShort = ("contract_too_short", "劳动合同期限不足", "contract too short"),
        BelowMinimumWage = ("below_minimum_wage", "月工资低于最低工资标准", "monthly wage below the minimum wage"),
        NotInsured = ("not_insured", "未缴纳社会保险", "no social insurance paid"),
        ListedTwice = ("listed_twice", "同一年度被两个单位申报", "declared by two employers in the same year"),
        UnknownPerson = ("unknown_person", "残疾人档案中没有此人", "not in the registry"),
    }
}

/// What the registry says of an employee on Y-12-31.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// A certificate in force, and the person neither dead nor moved out.
    pub active: bool,
    /// Grade 1 or 2 on the certificate governing that day.
    pub severe: bool,
}

/// One employer as declared (staff in millionths, the wage in fen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Employer {
    pub uscc: Uscc,
    pub avg_staff_micro: i64,
    pub avg_wage_fen: i64,
}

/// One declared disabled employee (borrowed from the declaration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Employee<'a> {
    pub uscc: &'a Uscc,
    pub citizen_id: &'a CitizenId,
    pub contract_months: i64,
    pub monthly_wage_fen: i64,
    pub insured: bool,
}

/// An employee's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmployeeResult {
    pub citizen_id: CitizenId,
    /// 0, 1, or 2 (grade 1–2 when they count double).
    pub counts: i64,
    pub reasons: Vec<Reason>,
}

/// An employer's result: the amounts exact (see the module).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployerResult {
    pub uscc: Uscc,
    pub avg_staff_micro: i64,
    /// Quota in 10⁻¹² persons (staff millionths × ratio millionths).
    pub quota_e12: i128,
    pub counted: i64,
    pub shortfall_e12: i128,
    pub exempt: bool,
    pub pay_share: Micro,
    /// The wage the levy is computed on (the average wage, capped), in fen × 10⁻⁶.
    pub levy_wage_e6: i128,
    pub levy_fen: i64,
    pub reward_fen: i64,
    pub employees: Vec<EmployeeResult>,
}

const E6: i128 = 1_000_000;
const E12: i128 = E6 * E6;

impl EmployerResult {
    pub fn avg_staff(&self) -> f64 {
        self.avg_staff_micro as f64 / 1e6
    }
    pub fn quota(&self) -> f64 {
        self.quota_e12 as f64 / 1e12
    }
    pub fn shortfall(&self) -> f64 {
        self.shortfall_e12 as f64 / 1e12
    }
    pub fn pay_share(&self) -> f64 {
        self.pay_share as f64 / 1e6
    }
    /// Placed at or above the quota.
    pub fn meets_quota(&self) -> bool {
        self.shortfall_e12 == 0
    }
}

const E18: i128 = E12 * E6;

/// shortfall (10⁻¹² persons) × wage (fen × 10⁻⁶) × share (10⁻⁶), in fen rounded half up —
/// exactly, without the 10⁻²⁴ product (which could pass `i128` for the largest values the
/// parameters and the reader allow: shortfall ≤ 10¹⁹, wage ≤ 10¹⁵, share ≤ 10⁶).
fn levy_half_up(shortfall_e12: i128, wage_e6: i128, share: i128) -> i128 {
    let sw = shortfall_e12 * wage_e6;
    let (hi, lo) = (sw / E18, sw % E18);
    // In fen × 10⁻⁶; the dropped fraction of `lo × share / 10¹⁸` cannot carry the half.
    let t = hi * share + lo * share / E18;
    (t + E6 / 2) / E6
}

/// One employee against the terms of their employer's area; `listed_by_several`: more than
/// one employer declared them this year.
pub fn judge_employee(
    e: &Employee<'_>,
    standing: Option<Standing>,
    listed_by_several: bool,
    terms: &Terms,
) -> EmployeeResult {
    let mut reasons = Vec::new();
    match standing {
        None => reasons.push(Reason::UnknownPerson),
        Some(s) if !s.active => reasons.push(Reason::NotCertified),
        Some(_) => {}
    }
    if e.contract_months < terms.min_contract_months {
        reasons.push(Reason::ContractTooShort);
    }
    if e.monthly_wage_fen < terms.minimum_wage_fen {
        reasons.push(Reason::BelowMinimumWage);
    }
    if !e.insured {
        reasons.push(Reason::NotInsured);
    }
    if listed_by_several {
        reasons.push(Reason::ListedTwice);
    }
    let counts = match standing {
        _ if !reasons.is_empty() => 0,
        Some(s) if s.severe && terms.severe_double => 2,
        _ => 1,
    };
    EmployeeResult {
        citizen_id: e.citizen_id.clone(),
        counts,
        reasons,
    }
}

/// One employer's review from its employees' results.
pub fn review_employer(
    er: &Employer,
    employees: Vec<EmployeeResult>,
    terms: &Terms,
) -> EmployerResult {
    let counted: i64 = employees.iter().map(|e| e.counts).sum();
    let staff = i128::from(er.avg_staff_micro);
    let quota_e12 = staff * i128::from(terms.quota);
    let counted_e12 = i128::from(counted) * E12;
    let shortfall_e12 = (quota_e12 - counted_e12).max(0);
    let exempt = staff <= i128::from(terms.exempt_staff) * E6;
    // counted ÷ staff ≥ threshold  ⇔  counted × 10¹² ≥ staff(µ) × threshold(µ).
    let pay_share = if exempt {
        0
    } else if counted_e12 >= staff * i128::from(terms.threshold) {
        terms.share_above
    } else {
        terms.share_below
    };
    let cap_e6 = i128::from(terms.local_wage_fen) * i128::from(terms.cap_multiple);
    let levy_wage_e6 = (i128::from(er.avg_wage_fen) * E6).min(cap_e6);
    let levy = levy_half_up(shortfall_e12, levy_wage_e6, i128::from(pay_share));
    let over = (counted_e12 - quota_e12).max(0) / E12;
    let reward = over * i128::from(terms.reward_fen);
    EmployerResult {
        uscc: er.uscc.clone(),
        avg_staff_micro: er.avg_staff_micro,
        quota_e12,
        counted,
        shortfall_e12,
        exempt,
        pay_share,
        levy_wage_e6,
        levy_fen: i64::try_from(levy).unwrap_or(i64::MAX),
        reward_fen: i64::try_from(reward).unwrap_or(i64::MAX),
        employees,
    }
}

/// The whole review: each employer in the order given (`terms_of(i)` the terms of
/// `employers[i]`), its employees in theirs (`standing_of(j)` what the registry says of
/// `employees[j]`). An employee whose USCC no employer of the list has is judged for no one
/// but still counts as a listing.
///
/// Linear: one hash lookup per line for its employer and one for its person's other
/// listings; the lines of each employer are gathered once (counting sort), and no terms are
/// copied.
pub fn review<'t>(
    employers: &[Employer],
    terms_of: impl Fn(usize) -> &'t Terms,
    employees: &[Employee<'_>],
    standing_of: impl Fn(usize) -> Option<Standing>,
) -> Vec<EmployerResult> {
    const NONE: u32 = u32::MAX;
    // The first employer of each USCC (a USCC twice in the list: both see its lines).
    let mut index: FastMap<&str, u32> =
        FastMap::with_capacity_and_hasher(employers.len(), Default::default());
    for (i, er) in employers.iter().enumerate() {
        index
            .entry(er.uscc.as_str())
            .or_insert(u32::try_from(i).unwrap_or(NONE));
    }
    // Per line: its employer, and whether its person is listed by another USCC too.
    let mut owner = Vec::with_capacity(employees.len());
    let mut slot = Vec::with_capacity(employees.len());
    let mut listings: Vec<(&str, bool)> = Vec::new();
    let mut slot_of: FastMap<&str, u32> =
        FastMap::with_capacity_and_hasher(employees.len(), Default::default());
    for e in employees {
        owner.push(index.get(e.uscc.as_str()).copied().unwrap_or(NONE));
        let next = u32::try_from(listings.len()).unwrap_or(NONE);
        let s = *slot_of.entry(e.citizen_id.as_str()).or_insert(next);
        if s == next {
            listings.push((e.uscc.as_str(), false));
        } else if let Some(l) = listings.get_mut(s as usize) {
            l.1 |= l.0 != e.uscc.as_str();
        }
        slot.push(s);
    }
    // The lines of each employer, in the declaration's order (counting sort).
    let mut start = vec![0usize; employers.len() + 1];
    for &o in &owner {
        if let Some(n) = start.get_mut(o as usize + 1) {
            *n += 1;
        }
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let mut fill = start.clone();
    let mut lines = vec![0usize; employees.len()];
    for (j, &o) in owner.iter().enumerate() {
        if let Some(f) = fill.get_mut(o as usize) {
            lines[*f] = j;
            *f += 1;
        }
    }
    employers
        .iter()
        .enumerate()
        .map(|(i, er)| {
            let terms = terms_of(i);
            let g = index.get(er.uscc.as_str()).map_or(i, |&g| g as usize);
            let results = lines[start[g]..start[g + 1]]
                .iter()
                .map(|&j| {
                    let several = listings.get(slot[j] as usize).is_some_and(|l| l.1);
                    judge_employee(&employees[j], standing_of(j), several, terms)
                })
                .collect();
            review_employer(er, results, terms)
        })
        .collect()
}

/// The default parameters (`contract.md`'s example values), seeded for the district: the
/// reduced shares end with 2027 (a version of 100% from 2028-01-01).
pub fn default_params(district: &AreaCode) -> Vec<ParamEntry> {
    let e = |key, value| ParamEntry::plan_default(key, district, value);
    let from_2028 = |key| ParamEntry {
        effective_from: NaiveDate::from_ymd_opt(2028, 1, 1).unwrap_or(NaiveDate::MAX),
        source: "残疾人就业保障金分档减缴政策执行至 2027-12-31（财政部 2023 年第 46 号公告，示例）"
            .into(),
        ..e(key, ParamValue::Ratio(MICRO))
    };
    vec![
        e(ParamKey::EmploymentQuotaRatio, ParamValue::Ratio(15_000)),
        e(
            ParamKey::EmploymentReducedThreshold,
            ParamValue::Ratio(10_000),
        ),
        e(ParamKey::EmploymentShareAbove, ParamValue::Ratio(MICRO / 2)),
        from_2028(ParamKey::EmploymentShareAbove),
        e(ParamKey::EmploymentShareBelow, ParamValue::Ratio(900_000)),
        from_2028(ParamKey::EmploymentShareBelow),
        e(ParamKey::EmploymentExemptStaff, ParamValue::Count(30)),
        e(
            ParamKey::EmploymentLocalAverageWage,
            ParamValue::Fen(10_000_000),
        ),
        e(
            ParamKey::EmploymentWageCapMultiple,
            ParamValue::Ratio(2 * MICRO),
        ),
        e(ParamKey::EmploymentMinimumWage, ParamValue::Fen(249_000)),
        e(ParamKey::EmploymentReward, ParamValue::Fen(500_000)),
        e(ParamKey::EmploymentMinContractMonths, ParamValue::Count(12)),
        e(ParamKey::EmploymentSevereDouble, ParamValue::Flag(false)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn terms(year: i32) -> Terms {
        let district = AreaCode::parse("331003").expect("area");
        let policy = Policy::new(
            default_params(&district)
                .into_iter()
                .enumerate()
                .map(|(i, mut e)| {
                    e.id = i as i64 + 1;
                    e
                })
                .collect(),
        );
        Terms::resolve(&policy, &district, d(year, 12, 31)).expect("terms")
    }

    fn code(n: u32) -> Uscc {
        Uscc::with_check(&format!("91331003{n:09}")).expect("uscc")
    }

    fn employer(staff: f64, wage_yuan: i64) -> Employer {
        Employer {
            uscc: code(1),
            avg_staff_micro: (staff * 1e6).round() as i64,
            avg_wage_fen: wage_yuan * 100,
        }
    }

    fn counted(n: i64) -> Vec<EmployeeResult> {
        (0..n)
            .map(|i| EmployeeResult {
                citizen_id: zhucan_domain::ids::with_check_char(&format!("33100319800101{:03}", i))
                    .expect("id"),
                counts: 1,
                reasons: vec![],
            })
            .collect()
    }

    #[test]
    fn the_levy_by_the_contract_at_its_boundaries() {
        let t = terms(2025);
        // 120 staff, 1 placed (0.83% < 1%): 90% of 0.8 × 100 000 = 72 000 yuan.
        let r = review_employer(&employer(120.0, 100_000), counted(1), &t);
        assert_eq!((r.quota(), r.shortfall(), r.pay_share()), (1.8, 0.8, 0.9));
        assert_eq!(r.levy_fen, 7_200_000);
        // 200 staff, 2 placed: exactly 1% → 50% of 1 × 100 000.
        let r = review_employer(&employer(200.0, 100_000), counted(2), &t);
        assert_eq!((r.pay_share, r.levy_fen), (500_000, 5_000_000));
        // Exactly the quota (1.5%): nothing to pay, no reward.
        let r = review_employer(&employer(200.0, 100_000), counted(3), &t);
        assert_eq!((r.levy_fen, r.reward_fen, r.meets_quota()), (0, 0, true));
        // 30 staff: exempt; 31: not.
        let r = review_employer(&employer(30.0, 100_000), counted(0), &t);
        assert!(r.exempt && r.levy_fen == 0 && r.pay_share == 0);
        let r = review_employer(&employer(31.0, 100_000), counted(0), &t);
        // 0.465 × 100 000 × 90% = 41 850.
        assert!(!r.exempt);
        assert_eq!(r.levy_fen, 4_185_000);
        // The wage over the cap (2 × 100 000) is capped; at the cap it is not.
        let over = review_employer(&employer(200.0, 250_000), counted(0), &t);
        let at = review_employer(&employer(200.0, 200_000), counted(0), &t);
        assert_eq!(over.levy_fen, at.levy_fen);
        assert_eq!(at.levy_fen, 3 * 20_000_000 * 9 / 10);
        // Over the quota: ⌊4 − 1.8⌋ = 2 rewards.
        let r = review_employer(&employer(120.0, 100_000), counted(4), &t);
        assert_eq!(r.reward_fen, 2 * 500_000);
        // After the reductions end: the whole levy.
        let r = review_employer(&employer(120.0, 100_000), counted(1), &terms(2028));
        assert_eq!((r.pay_share, r.levy_fen), (MICRO, 8_000_000));
    }

    #[test]
    fn the_levy_rounds_half_up_exactly_at_the_largest_values() {
        assert_eq!(levy_half_up(E12 / 2, E6, E6), 1, "half a fen rounds up");
        assert_eq!(levy_half_up(E12 / 2 - 1, E6, E6), 0);
        let big = levy_half_up(10_i128.pow(19), 10_i128.pow(15), E6);
        assert_eq!(big, 10_i128.pow(7) * 10_i128.pow(9));
    }

    #[test]
    fn an_employee_counts_only_when_every_condition_holds() {
        let t = terms(2025);
        let (u, id) = (
            code(1),
            zhucan_domain::ids::with_check_char("33100319800101001").expect("id"),
        );
        let e = Employee {
            uscc: &u,
            citizen_id: &id,
            contract_months: 12,
            monthly_wage_fen: 249_000,
            insured: true,
        };
        let ok = Some(Standing {
            active: true,
            severe: true,
        });
        assert_eq!(judge_employee(&e, ok, false, &t).counts, 1);
        let mut dbl = t.clone();
        dbl.severe_double = true;
        assert_eq!(judge_employee(&e, ok, false, &dbl).counts, 2);
        let short = Employee {
            contract_months: 11,
            monthly_wage_fen: 248_999,
            insured: false,
            ..e.clone()
        };
        assert_eq!(
            judge_employee(&short, ok, true, &t).reasons,
            vec![
                Reason::ContractTooShort,
                Reason::BelowMinimumWage,
                Reason::NotInsured,
                Reason::ListedTwice
            ]
        );
        assert_eq!(
            judge_employee(&e, None, false, &t).reasons,
            vec![Reason::UnknownPerson]
        );
        let gone = Some(Standing {
            active: false,
            severe: false,
        });
        assert_eq!(
            judge_employee(&e, gone, false, &t).reasons,
            vec![Reason::NotCertified]
        );
    }

    #[test]
    fn one_listed_by_two_employers_counts_for_neither() {
        let t = terms(2025);
        let id = zhucan_domain::ids::with_check_char("33100319800101001").expect("id");
        let (c1, c2) = (code(1), code(2));
        let emp = |u| Employee {
            uscc: u,
            citizen_id: &id,
            contract_months: 12,
            monthly_wage_fen: 300_000,
            insured: true,
        };
        let mut a = employer(100.0, 100_000);
        a.uscc = code(1);
        let mut b = employer(100.0, 100_000);
        b.uscc = code(2);
        let r = review(
            &[a, b],
            |_| &t,
            &[emp(&c1), emp(&c2)],
            |_| {
                Some(Standing {
                    active: true,
                    severe: false,
                })
            },
        );
        assert!(r.iter().all(|e| e.counted == 0));
        assert!(
            r.iter()
                .all(|e| e.employees[0].reasons == vec![Reason::ListedTwice])
        );
    }

    /// The review as the rules read, line by line, without indexes: the reference the
    /// indexed `review` must equal.
    fn plain_review(
        employers: &[Employer],
        employees: &[Employee],
        standing: &[Option<Standing>],
        t: &Terms,
    ) -> Vec<EmployerResult> {
        employers
            .iter()
            .map(|er| {
                let results = employees
                    .iter()
                    .zip(standing)
                    .filter(|(e, _)| *e.uscc == er.uscc)
                    .map(|(e, s)| {
                        let several = employees
                            .iter()
                            .any(|o| o.citizen_id == e.citizen_id && o.uscc != e.uscc);
                        judge_employee(e, *s, several, t)
                    })
                    .collect();
                review_employer(er, results, t)
            })
            .collect()
    }

    proptest! {
        /// The indexed review equals the plain one on any mix of employers (a USCC listed
        /// twice included), lines of unknown employers, persons listed by one, two or three
        /// employers or twice by the same one.
        #[test]
        fn the_indexed_review_equals_the_plain_one(
            staff in proptest::collection::vec(1i64..200_000_000, 0..8),
            lines in proptest::collection::vec(
                (0u32..10, 0u32..6, 10i64..14, 150_000i64..300_000, any::<bool>(), 0u8..4),
                0..40,
            ),
        ) {
            let t = terms(2025);
            let employers: Vec<Employer> = staff
                .iter()
                .enumerate()
                .map(|(i, &s)| Employer {
                    // Two employers of one USCC when there are more than five.
                    uscc: code(u32::try_from(i % 6).unwrap_or(0)),
                    avg_staff_micro: s,
                    avg_wage_fen: 1_000_000,
                })
                .collect();
            let ids: Vec<CitizenId> = (0..6)
                .map(|n| {
                    zhucan_domain::ids::with_check_char(&format!("3310031980010100{n}"))
                        .expect("id")
                })
                .collect();
            let codes: Vec<Uscc> = (0..10).map(code).collect();
            let employees: Vec<Employee<'_>> = lines
                .iter()
                .map(|&(u, p, months, wage, insured, _)| Employee {
                    uscc: &codes[u as usize],
                    citizen_id: &ids[p as usize],
                    contract_months: months,
                    monthly_wage_fen: wage,
                    insured,
                })
                .collect();
            let standing: Vec<Option<Standing>> = lines
                .iter()
                .map(|&(.., s)| match s {
                    0 => None,
                    n => Some(Standing { active: n != 1, severe: n == 3 }),
                })
                .collect();
            let fast = review(&employers, |_| &t, &employees, |j| standing[j]);
            prop_assert_eq!(fast, plain_review(&employers, &employees, &standing, &t));
        }

        /// The levy is never more than the shortfall at the capped wage, never negative, and
        /// grows with the shortfall; the reward and the levy are never both positive.
        #[test]
        fn levy_and_reward_are_consistent(
            staff in 1i64..100_000_000_000,
            wage in 1i64..100_000_000,
            n in 0i64..2000,
        ) {
            let t = terms(2025);
            let er = Employer { uscc: code(1), avg_staff_micro: staff, avg_wage_fen: wage };
            let r = review_employer(&er, counted(n.min(50)), &t);
            prop_assert!(r.levy_fen >= 0 && r.reward_fen >= 0);
            prop_assert!(!(r.levy_fen > 0 && r.reward_fen > 0));
            let full = r.shortfall_e12 * r.levy_wage_e6 / E18;
            prop_assert!(i128::from(r.levy_fen) <= full + 1);
            // Against floating point, to the fen where it is exact enough.
            let approx = r.shortfall() * (r.levy_wage_e6 as f64 / 1e6) * r.pay_share();
            prop_assert!((r.levy_fen as f64 - approx).abs() <= 1.0 + approx * 1e-9, "{} vs {}", r.levy_fen, approx);
            let more = review_employer(&er, counted(n.min(50).saturating_sub(1)), &t);
            prop_assert!(more.shortfall_e12 >= r.shortfall_e12);
        }
    }
}
