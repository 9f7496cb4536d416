//! The two subsidies over the whole registry: the 应补尽补 audit, the monthly payroll with its
//! corrections of closed months, a what-if of changed parameters, and one person's
//! explanation. The rules are `zhucan_domain::subsidy::decide`; this module only gathers each
//! person's facts for a month from the snapshot and resolves the parameters in force.

use std::collections::HashMap;

use serde::Serialize;
use zhucan_domain::area::AreaCode;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::lang::Lang;
use zhucan_domain::parse::Month;
use zhucan_domain::person::{CareNeed, Certificate, Person, Survey};
use zhucan_domain::policy::{ParamEntry, Policy};
use zhucan_domain::subsidy::{
    Benefit, BenefitKind, Categories, ConditionLine, Finding, InForce, MonthFacts, RULESET,
    Subsidy, Verdict, decide, explain,
};
use zhucan_store::subsidies::PayrollLine;

use crate::snapshot::{NONE, P, Snapshot, day, month_no, receiving};

/// One finding of the audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditFinding {
    pub citizen_id: CitizenId,
    pub subsidy: Subsidy,
    pub finding: Finding,
    pub reasons: Vec<&'static str>,
    #[serde(skip)]
    pub township: String,
    /// The monthly amount the person is entitled to (eligible findings).
    #[serde(skip)]
    pub amount_fen: Option<i64>,
}

/// Parameters in force, resolved once per area for a month.
struct Resolver<'a> {
    policy: &'a Policy,
    month: Month,
    cache: HashMap<(u32, u32), InForce>,
}

impl<'a> Resolver<'a> {
    fn new(policy: &'a Policy, month: Month) -> Self {
        Resolver {
            policy,
            month,
            cache: HashMap::new(),
        }
    }

    fn get(&mut self, snap: &Snapshot, p: &P) -> &InForce {
        let key = (p.township, p.village);
        let (policy, month) = (self.policy, self.month);
        self.cache.entry(key).or_insert_with(|| {
            let area = if p.village != NONE {
                snap.villages.get(p.village as usize)
            } else {
                None
            }
            .or_else(|| snap.townships.get(p.township as usize));
            match area {
                Some(a) => InForce::resolve(policy, a, month),
                None => InForce::default(),
            }
        })
    }
}

impl Snapshot {
    /// Person `i`'s facts for month `m`, as of its first day.
    pub(crate) fn month_facts(&self, i: usize, m: Month) -> MonthFacts {
        let p = &self.persons[i];
        let first = day(m.first_day());
        let mn = month_no(m);
        let rows = self.rows(p);
        let sv = Snapshot::survey_for(rows, m.year());
        let benefits: &[Benefit] = self
            .benefits
            .get(&(i as u32))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let in_force = |k: BenefitKind| benefits.iter().filter(move |b| b.kind == k && b.covers(m));
        MonthFacts {
            certified: p.issued <= first,
            revoked: p.revoked,
            expired: p.valid_until < first,
            deceased: p.died <= first,
            moved_out: p.moved <= first,
            grade: p.grade,
            category: p.category,
            components: Categories(p.components),
            economic: sv.and_then(|s| s.economic),
            residential_care: sv.is_some_and(|s| {
                s.care_need == Some(CareNeed::Residential) && s.receives_care == Some(true)
            }),
            work_injury_allowance: in_force(BenefitKind::WorkInjuryNursing).next().is_some(),
            orphan_allowance: in_force(BenefitKind::OrphanAllowance).next().is_some(),
            same_need_living_fen: in_force(BenefitKind::SameNeedLiving)
                .filter_map(|b| b.amount_fen)
                .max(),
            same_need_nursing_fen: in_force(BenefitKind::SameNeedNursing)
                .filter_map(|b| b.amount_fen)
                .max(),
            receiving_living: sv.is_some_and(|s| receiving(s.living, mn)),
            receiving_nursing: sv.is_some_and(|s| receiving(s.nursing, mn)),
        }
    }

    fn selected(&self, area: &AreaCode) -> impl Iterator<Item = usize> + '_ {
        let sel = self.selector(area);
        self.persons
            .iter()
            .enumerate()
            .filter(move |(_, p)| sel.selects(p))
            .map(|(i, _)| i)
    }

    fn township_code(&self, p: &P) -> String {
        self.townships
            .get(p.township as usize)
            .map(|c| c.to_string())
            .unwrap_or_default()
    }

    /// Both verdicts of every person of `area` for month `m`: `f(index, facts, [living, nursing])`.
    fn each_verdict(
        &self,
        policy: &Policy,
        m: Month,
        area: &AreaCode,
        mut f: impl FnMut(usize, &MonthFacts, [Verdict; 2]),
    ) {
        let mut r = Resolver::new(policy, m);
        for i in self.selected(area) {
            let facts = self.month_facts(i, m);
            let p = r.get(self, &self.persons[i]);
            let v = [
                decide(Subsidy::Living, &facts, p),
                decide(Subsidy::Nursing, &facts, p),
            ];
            f(i, &facts, v);
        }
    }

    /// The 应补尽补 audit of month `m` within `area`: eligible persons not receiving, and
    /// persons receiving who are not eligible, with reasons; in township, citizen ID order.
    pub fn audit(&self, policy: &Policy, m: Month, area: &AreaCode) -> Vec<AuditFinding> {
        let mut out = Vec::new();
        self.each_verdict(policy, m, area, |i, _, vs| {
            for v in vs {
                if let Some(finding) = v.finding() {
                    let Some(id) = self.citizen_id(i) else {
                        continue;
                    };
                    let p = &self.persons[i];
                    out.push(AuditFinding {
                        citizen_id: id,
                        subsidy: v.subsidy,
                        finding,
                        reasons: v.reasons(),
                        township: self.township_code(p),
                        amount_fen: v.amount_fen,
                    });
                }
            }
        });
        out.sort_by(|a, b| {
            (&a.township, a.citizen_id.as_str(), a.subsidy).cmp(&(
                &b.township,
                b.citizen_id.as_str(),
                b.subsidy,
            ))
        });
        out
    }

    /// What is due for month `m` (enrolled and eligible), per person and subsidy.
    fn due(&self, policy: &Policy, m: Month, area: &AreaCode) -> Vec<(usize, Subsidy, i64)> {
        let mut out = Vec::new();
        self.each_verdict(policy, m, area, |i, _, vs| {
            for v in vs {
                if let (true, true, Some(a)) = (v.eligible(), v.receiving, v.amount_fen) {
                    out.push((i, v.subsidy, a));
                }
            }
        });
        out
    }

    /// The payroll of month `m` within `area`: every enrolled, eligible person's regular
    /// payment, then for each closed month before `m` the difference between what is due
    /// under today's facts (and that month's rules) and what closed payrolls paid for it —
    /// arrears (positive) or recoveries (negative). A closed month itself never changes.
    pub fn payroll(
        &self,
        policy: &Policy,
        m: Month,
        area: &AreaCode,
        closed: &[Month],
        paid: &HashMap<(CitizenId, Subsidy, Month), i64>,
    ) -> Vec<PayrollLine> {
        let mut lines: Vec<PayrollLine> = Vec::new();
        let line = |i: usize, s: Subsidy, kind: &str, for_month: Month, amount: i64| {
            self.citizen_id(i).map(|id| PayrollLine {
                citizen_id: id,
                subsidy: s,
                kind: kind.into(),
                for_month,
                amount_fen: amount,
                township: self.township_code(&self.persons[i]),
            })
        };
        for (i, s, a) in self.due(policy, m, area) {
            lines.extend(line(i, s, "regular", m, a));
        }
        let sel = self.selector(area);
        for &c in closed.iter().filter(|c| **c < m) {
            let mut due: HashMap<(usize, Subsidy), i64> = HashMap::new();
            for (i, s, a) in self.due(policy, c, area) {
                due.insert((i, s), a);
            }
            // Persons paid for `c` who are no longer due anything.
            for (id, s, _) in paid.keys().filter(|k| k.2 == c) {
                if let Some(i) = self.index_of(id).filter(|&i| sel.selects(&self.persons[i])) {
                    due.entry((i, *s)).or_insert(0);
                }
            }
            for ((i, s), amount) in due {
                let Some(id) = self.citizen_id(i) else {
                    continue;
                };
                let already = paid.get(&(id, s, c)).copied().unwrap_or(0);
                let delta = amount - already;
                if delta != 0 {
                    let kind = if delta > 0 { "arrears" } else { "recovery" };
                    lines.extend(line(i, s, kind, c, delta));
                }
            }
        }
        lines.sort_by(|a, b| {
            (
                a.township.as_str(),
                a.citizen_id.as_str(),
                a.subsidy,
                a.for_month,
                a.kind.as_str(),
            )
                .cmp(&(
                    b.township.as_str(),
                    b.citizen_id.as_str(),
                    b.subsidy,
                    b.for_month,
                    b.kind.as_str(),
                ))
        });
        lines
    }

    /// A what-if: eligibility and entitlement cost per township of `area` under `base` and
    /// under `scenario`, without touching live data.
    pub fn what_if(
        &self,
        base: &Policy,
        scenario: &Policy,
        m: Month,
        area: &AreaCode,
    ) -> Vec<WhatIfRow> {
        let mut rows: HashMap<u32, WhatIfRow> = HashMap::new();
        let mut rb = Resolver::new(base, m);
        let mut rs = Resolver::new(scenario, m);
        for i in self.selected(area) {
            let p = &self.persons[i];
            let facts = self.month_facts(i, m);
            let row = rows.entry(p.township).or_insert_with(|| WhatIfRow {
                township: self.township_code(p),
                ..WhatIfRow::default()
            });
            for (k, s) in [Subsidy::Living, Subsidy::Nursing].into_iter().enumerate() {
                let a = decide(s, &facts, rb.get(self, p));
                let b = decide(s, &facts, rs.get(self, p));
                let c = &mut row.by_subsidy[k];
                c.eligible_before += i64::from(a.eligible());
                c.eligible_after += i64::from(b.eligible());
                c.gain += i64::from(!a.eligible() && b.eligible());
                c.lose += i64::from(a.eligible() && !b.eligible());
                c.cost_before_fen += a.amount_fen.unwrap_or(0);
                c.cost_after_fen += b.amount_fen.unwrap_or(0);
            }
        }
        let mut out: Vec<WhatIfRow> = rows.into_values().collect();
        out.sort_by(|a, b| a.township.cmp(&b.township));
        out
    }
}

/// One subsidy's side of a what-if row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WhatIfCounts {
    pub eligible_before: i64,
    pub eligible_after: i64,
    pub gain: i64,
    pub lose: i64,
    pub cost_before_fen: i64,
    pub cost_after_fen: i64,
}

/// A township's what-if.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WhatIfRow {
    pub township: String,
    /// `[living, nursing]`.
    pub by_subsidy: [WhatIfCounts; 2],
}

/// A parameter version a decision used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParamUsed {
    pub id: i64,
    pub key: &'static str,
    pub area: String,
    pub value: String,
    pub effective_from: String,
    pub source: String,
}

/// One subsidy's decision for one person and month, explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explained {
    pub subsidy: Subsidy,
    pub eligible: bool,
    pub receiving: bool,
    pub finding: Option<Finding>,
    pub reasons: Vec<&'static str>,
    pub amount_fen: Option<i64>,
    pub conditions: Vec<ConditionLine>,
    pub rule_version: &'static str,
    pub parameters: Vec<ParamUsed>,
}

/// The decisions of both subsidies for one person and month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub citizen_id: CitizenId,
    pub month: Month,
    pub subsidies: Vec<Explained>,
}

/// Explains both subsidies for one person's file and month, with the same code as the audit.
pub fn explain_person(
    person: &Person,
    certificate: &Certificate,
    surveys: &[Survey],
    benefits: Vec<Benefit>,
    policy: &Policy,
    m: Month,
    lang: Lang,
) -> Explanation {
    let mut snap = Snapshot::new();
    snap.upsert(person, certificate, surveys);
    snap.set_benefits(&person.citizen_id, benefits);
    let facts = snap.month_facts(0, m);
    let mut r = Resolver::new(policy, m);
    let p = r.get(&snap, &snap.persons[0]).clone();
    let by_id: HashMap<i64, &ParamEntry> = policy.entries.iter().map(|e| (e.id, e)).collect();
    let subsidies = [Subsidy::Living, Subsidy::Nursing]
        .into_iter()
        .map(|s| {
            let v = decide(s, &facts, &p);
            Explained {
                subsidy: s,
                eligible: v.eligible(),
                receiving: v.receiving,
                finding: v.finding(),
                reasons: v.reasons(),
                amount_fen: v.amount_fen,
                conditions: explain(&v, &facts, &p, lang),
                rule_version: RULESET,
                parameters: p
                    .versions(s)
                    .into_iter()
                    .filter_map(|id| by_id.get(&id))
                    .map(|e| ParamUsed {
                        id: e.id,
                        key: e.key.key(),
                        area: e.area.to_string(),
                        value: e.value.text(),
                        effective_from: e.effective_from.to_string(),
                        source: e.source.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    Explanation {
        citizen_id: person.citizen_id.clone(),
        month: m,
        subsidies,
    }
}

/// What the catalogue's eligibility rules know about one person on `today`.
pub fn applicant_of(
    person: &Person,
    certificate: &Certificate,
    surveys: &[Survey],
    today: chrono::NaiveDate,
) -> zhucan_domain::service::Applicant {
    let mut snap = Snapshot::new();
    snap.upsert(person, certificate, surveys);
    let p = &snap.persons[0];
    let sv = Snapshot::survey_for(snap.rows(p), chrono::Datelike::year(&today));
    zhucan_domain::service::Applicant {
        active: p.active(day(today)),
        grade: p.grade,
        category: p.category,
        mental_or_intellectual: p.mental_or_intellectual,
        age: p.age(crate::snapshot::ymd(today)),
        economic: sv.and_then(|s| s.economic),
        in_school: sv.and_then(|s| s.school).is_some_and(|s| s.in_school()),
        renewal_due: !p.revoked
            && p.died > day(today)
            && p.moved > day(today)
            && p.issued <= day(today)
            && p.valid_until <= day(today) + 365,
    }
}
