//! The two subsidies over the whole registry: the 应补尽补 audit, the monthly payroll with its
//! corrections of closed months, a what-if of changed parameters, and one person's
//! explanation. The rules are `crate::rules::decide`; this module only gathers each
//! person's facts for a month from the snapshot and resolves the parameters in force.

#[allow(unused_imports)]
use crate::prelude::*;
use std::collections::HashMap;

use crate::rules::{
    Benefit, BenefitKind, Categories, ConditionLine, Finding, InForce, MonthFacts, RULESET,
    Subsidy, Verdict, decide, explain,
};
use crate::store::PAYROLLS;
use crate::store::PayrollLine;
use serde::Serialize;
use std::sync::Arc;
use zhucan_domain::area::AreaCode;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::lang::Lang;
use zhucan_domain::parse::Month;
use zhucan_domain::person::CareNeed;
use zhucan_domain::policy::{ParamEntry, Policy};
use zhucan_facts::{Changed, LayerFuture, LayerValue};
use zhucan_store::PersonFile;
use zhucan_store::Store;

use zhucan_facts::Snapshot;
use zhucan_facts::snapshot::{NONE, P, day, month_no, receiving};

/// What a failed condition rests on when a partner department decided it (the facts
/// ledger): the condition's reason code, the feed kind and the date the row took effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Basis {
    pub reason: &'static str,
    pub source: &'static str,
    pub on: chrono::NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
}

impl Basis {
    /// "民政救助名册（2025-11-15 起）".
    pub fn text(&self, lang: Lang) -> String {
        let kind = zhucan_domain::ledger::FactKind::parse(self.source)
            .map(|k| k.label(lang))
            .unwrap_or(self.source);
        crate::tf(
            lang,
            "basis-source-on",
            &[("source", kind.into()), ("on", self.on.to_string().into())],
        )
    }
}

/// The partner rows behind `reasons` for person `i` in month `m` (empty when the survey and
/// the file decided).
pub fn basis_of(snap: &Snapshot, i: usize, m: Month, reasons: &[&'static str]) -> Vec<Basis> {
    let Some(p) = snap.persons.get(i) else {
        return Vec::new();
    };
    let Some(l) = snap.ledgers.get(p.ledger as usize) else {
        return Vec::new();
    };
    let first = day(m.first_day());
    let mut out = Vec::new();
    for &r in reasons {
        match r {
            "not_low_income" | "tekun" => {
                if let Some((src, on)) = snap.economic_source(p, first) {
                    out.push(Basis {
                        reason: r,
                        source: src.kind.key(),
                        on,
                        run: src.run,
                    });
                }
            }
            "deceased" if l.died <= first && l.died <= p.died => out.push(Basis {
                reason: r,
                source: zhucan_domain::ledger::FactKind::PublicSecurity.key(),
                on: Snapshot::date_of(l.died),
                run: None,
            }),
            "moved_out" => {
                if let Some(&(d, true)) = l.moves.iter().rev().find(|(d, _)| *d <= first) {
                    out.push(Basis {
                        reason: r,
                        source: zhucan_domain::ledger::FactKind::PublicSecurity.key(),
                        on: Snapshot::date_of(d),
                        run: None,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// One finding of the audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditFinding {
    pub citizen_id: CitizenId,
    pub subsidy: Subsidy,
    pub finding: Finding,
    pub reasons: Vec<&'static str>,
    /// The partner rows behind the reasons (the civil-affairs roll, a death reported).
    pub basis: Vec<Basis>,
    #[serde(skip)]
    pub township: String,
    /// The monthly amount the person is entitled to (eligible findings).
    #[serde(skip)]
    pub amount_fen: Option<i64>,
}

/// What closed payrolls paid, held with the facts: per closed month, in month order, the
/// amounts per person index and subsidy, sorted by both.
#[derive(Debug, Clone, Default)]
pub struct PaidBook {
    months: Vec<(Month, Amounts)>,
}

/// The subsidies' fact layer: what the rules read besides the registry — other allowances by
/// person index, and what closed payrolls paid. Loaded and kept exact with the registry's
/// facts ([`SubsidyLayer`]).
#[derive(Debug, Clone, Default)]
pub struct SubsidyFacts {
    /// Allowances from other programmes, by person index.
    pub benefits: HashMap<u32, Vec<Benefit>>,
    /// What closed payrolls paid.
    pub paid: Arc<PaidBook>,
}

static NO_FACTS: std::sync::LazyLock<SubsidyFacts> =
    std::sync::LazyLock::new(SubsidyFacts::default);

/// The snapshot's subsidy facts (none when the layer is not loaded: a one-person snapshot).
fn facts_of(snap: &Snapshot) -> &SubsidyFacts {
    snap.layer::<SubsidyFacts>().unwrap_or(&NO_FACTS)
}

/// Keeps [`SubsidyFacts`] with the registry's facts: the allowances of the persons whose files
/// changed (an allowance recorded is a change of the file), and what closed payrolls paid when
/// the `payrolls` counter moved (a payroll was approved).
#[derive(Debug, Default)]
pub struct SubsidyLayer;

impl zhucan_facts::FactLayer for SubsidyLayer {
    fn name(&self) -> &'static str {
        "subsidies"
    }

    fn load<'a>(&'a self, store: &'a Store, snap: &'a Snapshot) -> LayerFuture<'a> {
        Box::pin(async move {
            let mut f = SubsidyFacts::default();
            let mut by: HashMap<CitizenId, Vec<Benefit>> = HashMap::new();
            for (id, b) in store.all_benefits().await? {
                by.entry(id).or_default().push(b);
            }
            for (id, list) in by {
                set_benefits_in(&mut f, snap, &id, list);
            }
            f.paid = Arc::new(paid_book(
                snap,
                &store.closed_months().await?,
                &store.paid().await?,
            ));
            Ok(Arc::new(f) as LayerValue)
        })
    }

    fn refresh<'a>(
        &'a self,
        store: &'a Store,
        snap: &'a Snapshot,
        current: LayerValue,
        changed: &'a Changed<'a>,
    ) -> LayerFuture<'a> {
        Box::pin(async move {
            let payrolls = changed.moved(PAYROLLS);
            if changed.persons.is_empty() && !payrolls {
                return Ok(current);
            }
            let mut f = current
                .downcast_ref::<SubsidyFacts>()
                .cloned()
                .unwrap_or_default();
            for chunk in changed.persons.chunks(5_000) {
                let mut by: HashMap<CitizenId, Vec<Benefit>> =
                    chunk.iter().map(|id| (id.clone(), Vec::new())).collect();
                for (id, b) in store.benefits_of(chunk).await? {
                    by.entry(id).or_default().push(b);
                }
                for (id, list) in by {
                    set_benefits_in(&mut f, snap, &id, list);
                }
            }
            if payrolls {
                f.paid = Arc::new(paid_book(
                    snap,
                    &store.closed_months().await?,
                    &store.paid().await?,
                ));
            }
            Ok(Arc::new(f) as LayerValue)
        })
    }
}

/// Replaces a person's allowances in `f` (no-op for a person not in the snapshot).
fn set_benefits_in(f: &mut SubsidyFacts, snap: &Snapshot, id: &CitizenId, list: Vec<Benefit>) {
    if let Some(i) = snap.index_of(id) {
        if list.is_empty() {
            f.benefits.remove(&(i as u32));
        } else {
            f.benefits.insert(i as u32, list);
        }
    }
}

/// What closed payrolls paid, per closed month, person index and subsidy (persons not in the
/// snapshot are left out: nothing is due to them either).
fn paid_book(
    snap: &Snapshot,
    closed: &[Month],
    paid: &HashMap<(CitizenId, Subsidy, Month), i64>,
) -> PaidBook {
    let mut months: Vec<(Month, Amounts)> = closed.iter().map(|&c| (c, Vec::new())).collect();
    months.sort_by_key(|x| x.0);
    months.dedup_by_key(|x| x.0);
    for ((id, s, c), a) in paid {
        if let (Ok(k), Some(i)) = (months.binary_search_by_key(c, |x| x.0), snap.index_of(id)) {
            months[k].1.push((i as u32, *s, *a));
        }
    }
    for (_, list) in &mut months {
        list.sort_unstable_by_key(|x| (x.0, x.1));
    }
    PaidBook { months }
}

/// Amounts in fen per person index and subsidy, in that order.
type Amounts = Vec<(u32, Subsidy, i64)>;

/// A payroll line keyed for sorting: township rank, citizen ID, subsidy, month, kind, then
/// the amount and the person index.
type Keyed = (u32, [u8; 18], Subsidy, Month, u8, i64, u32);

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

/// The two subsidies over the registry's facts: month facts, the audit, the payroll, the what-if.
#[allow(async_fn_in_trait)]
pub trait SubsidyEngine {
    /// Person `i`'s facts for month `m`, as of its first day.
    fn month_facts(&self, i: usize, m: Month) -> MonthFacts;

    fn selected(&self, area: &AreaCode) -> impl Iterator<Item = usize> + '_;

    fn township_code(&self, p: &P) -> String;

    fn township_str(&self, i: usize) -> &str;

    /// Both verdicts of every person of `area` for month `m`, handed to `f` with the person's
    /// index; what `f` keeps, in index order. The registry is split between two workers.
    fn each_verdict<T: Send>(
        &self,
        policy: &Policy,
        m: Month,
        area: &AreaCode,
        f: impl Fn(usize, [Verdict; 2], &mut Vec<T>) + Sync,
    ) -> Vec<T>;

    /// The 应补尽补 audit of month `m` within `area`: eligible persons not receiving, and
    /// persons receiving who are not eligible, with reasons; in township, citizen ID order.
    fn audit(&self, policy: &Policy, m: Month, area: &AreaCode) -> Vec<AuditFinding>;

    /// What is due for month `m` (enrolled and eligible), per person and subsidy, in person
    /// index then subsidy order.
    fn due(&self, policy: &Policy, m: Month, area: &AreaCode) -> Amounts;

    /// Replaces what closed payrolls paid: the closed months and the amounts paid for each,
    /// per person, subsidy and month the money was for (persons not in the snapshot are left
    /// out: nothing is due to them either).
    fn set_paid(&mut self, closed: &[Month], paid: &HashMap<(CitizenId, Subsidy, Month), i64>);

    /// Replaces a person's allowances from other programmes (no-op for an unknown person).
    fn set_benefits(&mut self, id: &CitizenId, list: Vec<Benefit>);

    /// The months whose payroll is closed, in order.
    fn closed_months(&self) -> Vec<Month>;

    /// The payroll of month `m` within `area`: every enrolled, eligible person's regular
    /// payment, then for each closed month before `m` the difference between what is due
    /// under today's facts (and that month's rules) and what its closed payrolls paid for it
    /// ([`Self::set_paid`]) — arrears (positive) or recoveries (negative). A closed month
    /// itself never changes.
    fn payroll(&self, policy: &Policy, m: Month, area: &AreaCode) -> Vec<PayrollLine>;

    /// A what-if: eligibility and entitlement cost per township of `area` under `base` and
    /// under `scenario`, without touching live data.
    fn what_if(
        &self,
        base: &Policy,
        scenario: &Policy,
        m: Month,
        area: &AreaCode,
    ) -> Vec<WhatIfRow>;
}

impl SubsidyEngine for Snapshot {
    /// Person `i`'s facts for month `m`, as of its first day.
    fn month_facts(&self, i: usize, m: Month) -> MonthFacts {
        let p = &self.persons[i];
        let first = day(m.first_day());
        let mn = month_no(m);
        let rows = self.rows(p);
        let sv = Snapshot::survey_for(rows, m.year());
        // Partner feeds and programme records win over the survey, on their own dates.
        let laid;
        let sv = if self.has_ledger(p) {
            laid = self.overlay(p, sv, first);
            laid.as_ref()
        } else {
            sv
        };
        let benefits: &[Benefit] = facts_of(self)
            .benefits
            .get(&(i as u32))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let in_force = |k: BenefitKind| benefits.iter().filter(move |b| b.kind == k && b.covers(m));
        // The certificate governing the first day (over the whole history: a renewal or a
        // re-assessment never opens a gap) decides the category and grade of the month.
        let c = self.cert_at(p, first);
        let shown = c.unwrap_or(&p.cert);
        MonthFacts {
            certified: c.is_some(),
            revoked: c.is_some_and(|c| c.revoked <= first),
            expired: c.is_some_and(|c| c.valid_until < first),
            deceased: self.died(p) <= first,
            moved_out: self.moved_out(p, first),
            grade: shown.grade,
            category: shown.category,
            components: Categories(shown.components),
            economic: sv.and_then(|s| s.economic),
            economic_from: self.economic_source(p, first).map(|(_, on)| on),
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

    fn township_str(&self, i: usize) -> &str {
        self.persons
            .get(i)
            .and_then(|p| self.townships.get(p.township as usize))
            .map_or("", |c| c.as_str())
    }

    /// Both verdicts of every person of `area` for month `m`, handed to `f` with the person's
    /// index; what `f` keeps, in index order. The registry is split between two workers.
    fn each_verdict<T: Send>(
        &self,
        policy: &Policy,
        m: Month,
        area: &AreaCode,
        f: impl Fn(usize, [Verdict; 2], &mut Vec<T>) + Sync,
    ) -> Vec<T> {
        let sel = self.selector(area);
        let run = |from: usize, to: usize| {
            let mut r = Resolver::new(policy, m);
            let mut out = Vec::new();
            for (i, p) in self.persons.iter().enumerate().take(to).skip(from) {
                if !sel.selects(p) {
                    continue;
                }
                let facts = self.month_facts(i, m);
                let pf = r.get(self, p);
                let v = [
                    decide(Subsidy::Living, &facts, pf),
                    decide(Subsidy::Nursing, &facts, pf),
                ];
                f(i, v, &mut out);
            }
            out
        };
        let n = self.persons.len();
        let workers = std::thread::available_parallelism().map_or(1, |w| w.get().min(2));
        if workers < 2 || n < 50_000 {
            return run(0, n);
        }
        std::thread::scope(|s| {
            let later = s.spawn(|| run(n / 2, n));
            let mut out = run(0, n / 2);
            match later.join() {
                Ok(rest) => out.extend(rest),
                Err(panic) => std::panic::resume_unwind(panic),
            }
            out
        })
    }

    /// The 应补尽补 audit of month `m` within `area`: eligible persons not receiving, and
    /// persons receiving who are not eligible, with reasons; in township, citizen ID order.
    fn audit(&self, policy: &Policy, m: Month, area: &AreaCode) -> Vec<AuditFinding> {
        let found = self.each_verdict(policy, m, area, |i, vs, out| {
            for v in vs {
                if let Some(finding) = v.finding() {
                    out.push((i, v, finding));
                }
            }
        });
        let mut out: Vec<AuditFinding> = found
            .into_iter()
            .filter_map(|(i, v, finding)| {
                let reasons = v.reasons();
                Some(AuditFinding {
                    citizen_id: self.citizen_id(i)?,
                    subsidy: v.subsidy,
                    finding,
                    basis: basis_of(self, i, m, &reasons),
                    reasons,
                    township: self.township_code(&self.persons[i]),
                    amount_fen: v.amount_fen,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            (&a.township, a.citizen_id.as_str(), a.subsidy).cmp(&(
                &b.township,
                b.citizen_id.as_str(),
                b.subsidy,
            ))
        });
        out
    }

    /// What is due for month `m` (enrolled and eligible), per person and subsidy, in person
    /// index then subsidy order.
    fn due(&self, policy: &Policy, m: Month, area: &AreaCode) -> Amounts {
        let mut due = self.each_verdict(policy, m, area, |i, vs, out| {
            for v in vs {
                if let (true, true, Some(a)) = (v.eligible(), v.receiving, v.amount_fen) {
                    out.push((i as u32, v.subsidy, a));
                }
            }
        });
        // Already in order (index order, living before nursing): a linear check.
        due.sort_unstable_by_key(|x| (x.0, x.1));
        due
    }

    /// Replaces what closed payrolls paid: the closed months and the amounts paid for each,
    /// per person, subsidy and month the money was for (persons not in the snapshot are left
    /// out: nothing is due to them either).
    fn set_paid(&mut self, closed: &[Month], paid: &HashMap<(CitizenId, Subsidy, Month), i64>) {
        let mut f = facts_of(self).clone();
        f.paid = Arc::new(paid_book(self, closed, paid));
        self.set_layer(Arc::new(f));
    }

    /// Replaces a person's allowances from other programmes (no-op for an unknown person).
    fn set_benefits(&mut self, id: &CitizenId, list: Vec<Benefit>) {
        let mut f = facts_of(self).clone();
        set_benefits_in(&mut f, self, id, list);
        self.set_layer(Arc::new(f));
    }

    /// The months whose payroll is closed, in order.
    fn closed_months(&self) -> Vec<Month> {
        facts_of(self).paid.months.iter().map(|x| x.0).collect()
    }

    /// The payroll of month `m` within `area`: every enrolled, eligible person's regular
    /// payment, then for each closed month before `m` the difference between what is due
    /// under today's facts (and that month's rules) and what its closed payrolls paid for it
    /// ([`Self::set_paid`]) — arrears (positive) or recoveries (negative). A closed month
    /// itself never changes.
    fn payroll(&self, policy: &Policy, m: Month, area: &AreaCode) -> Vec<PayrollLine> {
        // (person, subsidy, kind, for month, amount); kinds sort as their names do.
        const ARREARS: u8 = 0;
        const RECOVERY: u8 = 1;
        const REGULAR: u8 = 2;
        let mut raw: Vec<(u32, Subsidy, u8, Month, i64)> = self
            .due(policy, m, area)
            .into_iter()
            .map(|(i, s, a)| (i, s, REGULAR, m, a))
            .collect();
        let sel = self.selector(area);
        for (c, paid) in facts_of(self).paid.months.iter().filter(|x| x.0 < m) {
            let due = self.due(policy, *c, area);
            let mut paid = paid
                .iter()
                .filter(|x| {
                    self.persons
                        .get(x.0 as usize)
                        .is_some_and(|p| sel.selects(p))
                })
                .peekable();
            let mut due = due.iter().peekable();
            // Both lists are in (person, subsidy) order: one merge.
            loop {
                let (key, delta) = match (due.peek(), paid.peek()) {
                    (Some(d), Some(p)) => match (d.0, d.1).cmp(&(p.0, p.1)) {
                        std::cmp::Ordering::Less => ((d.0, d.1), d.2),
                        std::cmp::Ordering::Greater => ((p.0, p.1), -p.2),
                        std::cmp::Ordering::Equal => ((d.0, d.1), d.2 - p.2),
                    },
                    (Some(d), None) => ((d.0, d.1), d.2),
                    (None, Some(p)) => ((p.0, p.1), -p.2),
                    (None, None) => break,
                };
                if due.peek().is_some_and(|d| (d.0, d.1) == key) {
                    due.next();
                }
                if paid.peek().is_some_and(|p| (p.0, p.1) == key) {
                    paid.next();
                }
                if delta != 0 {
                    let kind = if delta > 0 { ARREARS } else { RECOVERY };
                    raw.push((key.0, key.1, kind, *c, delta));
                }
            }
        }
        // Township code, citizen ID, subsidy, month, kind: sorted on keys held inline (the
        // registry-sized lists make pointer-chasing comparisons the payroll's main cost).
        let mut rank = vec![0u32; self.townships.len()];
        let mut by_code: Vec<usize> = (0..self.townships.len()).collect();
        by_code.sort_by(|&a, &b| self.townships[a].as_str().cmp(self.townships[b].as_str()));
        for (r, t) in by_code.into_iter().enumerate() {
            rank[t] = r as u32 + 1;
        }
        let mut keyed: Vec<Keyed> = raw
            .into_iter()
            .map(|(i, s, k, c, a)| {
                let p = &self.persons[i as usize];
                let t = rank.get(p.township as usize).copied().unwrap_or(0);
                (t, self.ids[i as usize], s, c, k, a, i)
            })
            .collect();
        keyed.sort_unstable();
        let kind = |k: u8| match k {
            ARREARS => "arrears",
            RECOVERY => "recovery",
            _ => "regular",
        };
        keyed
            .into_iter()
            .filter_map(|(_, _, s, for_month, k, amount_fen, i)| {
                Some(PayrollLine {
                    citizen_id: self.citizen_id(i as usize)?,
                    subsidy: s,
                    kind: kind(k).into(),
                    for_month,
                    amount_fen,
                    township: self.township_str(i as usize).to_string(),
                })
            })
            .collect()
    }

    /// A what-if: eligibility and entitlement cost per township of `area` under `base` and
    /// under `scenario`, without touching live data.
    fn what_if(
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
    /// The partner rows behind the reasons.
    pub basis: Vec<Basis>,
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
    file: &PersonFile,
    benefits: Vec<Benefit>,
    policy: &Policy,
    m: Month,
    lang: Lang,
) -> Explanation {
    let person = &file.person;
    let mut snap = Snapshot::of_file(file);
    snap.set_benefits(&person.citizen_id, benefits);
    let facts = snap.month_facts(0, m);
    let mut r = Resolver::new(policy, m);
    let p = r.get(&snap, &snap.persons[0]).clone();
    let by_id: HashMap<i64, &ParamEntry> = policy.entries.iter().map(|e| (e.id, e)).collect();
    let subsidies = [Subsidy::Living, Subsidy::Nursing]
        .into_iter()
        .map(|s| {
            let v = decide(s, &facts, &p);
            let reasons = v.reasons();
            Explained {
                subsidy: s,
                eligible: v.eligible(),
                receiving: v.receiving,
                finding: v.finding(),
                basis: basis_of(&snap, 0, m, &reasons),
                reasons,
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
