//! The system opens the cases itself (1+X, 一件事; 动态应补尽补): after every change to a person
//! file it works out the person's entitlements for the current month and opens an enrolment or
//! stop case for every difference; each month, and after a policy change, it does so for the
//! whole registry. Staff decide the cases.

#[allow(unused_imports)]
use crate::prelude::*;
use std::sync::Arc;
use std::time::Duration;

use crate::rules::{Finding, InForce, Subsidy, decide};
use crate::store::{Case, CaseKind, NewCase, prev_month};
use chrono::NaiveDate;
use zhucan_domain::parse::Month;
use zhucan_domain::policy::Policy;
use zhucan_store::Store;

use zhucan_facts::FactsCache;
use zhucan_facts::Snapshot;

/// How far back the start of an eligibility period is searched.
const LOOKBACK_MONTHS: usize = 120;

/// The cases the facts call for (1+X): where a run of months starts, what to open, what to withdraw.
#[allow(async_fn_in_trait)]
pub trait CaseFinder {
    /// The first month of the run of months ending at `m` in which person `i`'s eligibility for
    /// `s` is what it is at `m` (the month an enrolment should start, or a stop take effect).
    fn period_start(&self, policy: &Policy, i: usize, s: Subsidy, m: Month) -> Month;

    /// The cases to open for the given persons at month `m`: (person index, subsidy, kind,
    /// month, reasons).
    fn case_proposals(
        &self,
        policy: &Policy,
        m: Month,
        persons: &[usize],
    ) -> Vec<(usize, Subsidy, CaseKind, Month, Vec<&'static str>)>;

    /// The open cases (of persons in the snapshot) whose finding is gone at month `m`, with
    /// the reason.
    fn stale_cases<'c>(
        &self,
        policy: &Policy,
        m: Month,
        open: &'c [Case],
    ) -> Vec<(&'c Case, &'static str)>;
}

impl CaseFinder for Snapshot {
    /// The first month of the run of months ending at `m` in which person `i`'s eligibility for
    /// `s` is what it is at `m` (the month an enrolment should start, or a stop take effect).
    fn period_start(&self, policy: &Policy, i: usize, s: Subsidy, m: Month) -> Month {
        let p = &self.persons[i];
        let area = if p.village != zhucan_facts::snapshot::NONE {
            self.villages.get(p.village as usize)
        } else {
            None
        }
        .or_else(|| self.townships.get(p.township as usize));
        let verdict = |m: Month| {
            let f = self.month_facts(i, m);
            let params = area
                .map(|a| InForce::resolve(policy, a, m))
                .unwrap_or_default();
            decide(s, &f, &params).eligible()
        };
        let now = verdict(m);
        let mut start = m;
        for _ in 0..LOOKBACK_MONTHS {
            let before = prev_month(start);
            if before == start || verdict(before) != now {
                break;
            }
            start = before;
        }
        start
    }

    /// The cases to open for the given persons at month `m`: (person index, subsidy, kind,
    /// month, reasons).
    fn case_proposals(
        &self,
        policy: &Policy,
        m: Month,
        persons: &[usize],
    ) -> Vec<(usize, Subsidy, CaseKind, Month, Vec<&'static str>)> {
        let mut out = Vec::new();
        for &i in persons {
            let f = self.month_facts(i, m);
            let p = &self.persons[i];
            let area = if p.village != zhucan_facts::snapshot::NONE {
                self.villages.get(p.village as usize)
            } else {
                None
            }
            .or_else(|| self.townships.get(p.township as usize));
            let Some(area) = area else { continue };
            let params = InForce::resolve(policy, area, m);
            for s in [Subsidy::Living, Subsidy::Nursing] {
                let v = decide(s, &f, &params);
                let kind = match v.finding() {
                    Some(Finding::EligibleNotReceiving) => CaseKind::Enrol,
                    Some(Finding::ReceivingNotEligible) => CaseKind::Stop,
                    None => continue,
                };
                out.push((i, s, kind, self.period_start(policy, i, s, m), v.reasons()));
            }
        }
        out
    }

    /// The open cases (of persons in the snapshot) whose finding is gone at month `m`, with
    /// the reason.
    fn stale_cases<'c>(
        &self,
        policy: &Policy,
        m: Month,
        open: &'c [Case],
    ) -> Vec<(&'c Case, &'static str)> {
        let mut out = Vec::new();
        for c in open {
            let Some(i) = self.index_of(&c.citizen_id) else {
                continue;
            };
            let p = &self.persons[i];
            let area = if p.village != zhucan_facts::snapshot::NONE {
                self.villages.get(p.village as usize)
            } else {
                None
            }
            .or_else(|| self.townships.get(p.township as usize));
            let Some(area) = area else { continue };
            let params = InForce::resolve(policy, area, m);
            let v = decide(c.subsidy, &self.month_facts(i, m), &params);
            if let Some(r) = withdrawal_reason(v.eligible(), v.receiving, c.kind) {
                out.push((c, r));
            }
        }
        out
    }
}

/// Why an open case's finding is gone at month `m`, if it is (`None`: the case still stands).
pub fn withdrawal_reason(eligible: bool, receiving: bool, kind: CaseKind) -> Option<&'static str> {
    match kind {
        CaseKind::Enrol if receiving && eligible => Some("now_receiving"),
        CaseKind::Enrol if !eligible => Some("no_longer_eligible"),
        CaseKind::Stop if eligible => Some("eligible_again"),
        CaseKind::Stop if !receiving => Some("no_longer_receiving"),
        _ => None,
    }
}

/// The words of a withdrawal reason code.
pub fn withdrawal_text(code: &str, lang: zhucan_domain::lang::Lang) -> &'static str {
    match code {
        "now_receiving" => crate::t(lang, "already-being-paid-nothing-to-enrol"),
        "no_longer_eligible" => crate::t(lang, "no-longer-eligible-on-review-nothing"),
        "eligible_again" => crate::t(lang, "still-eligible-on-review-nothing-to"),
        "no_longer_receiving" => crate::t(lang, "no-longer-paid-nothing-to-stop"),
        _ => crate::t(lang, "withdrawn-on-review"),
    }
}

/// Opens cases as the registry changes.
#[derive(Debug)]
pub struct CaseOpener {
    store: Store,
    facts: Arc<FactsCache>,
    seen_registry: i64,
    seen_reference: i64,
    /// The facts ledger (partner feeds, programme records): its rows decide too.
    seen_ledger: i64,
    seen_month: Option<Month>,
}

impl CaseOpener {
    pub fn new(store: Store, facts: Arc<FactsCache>) -> CaseOpener {
        CaseOpener {
            store,
            facts,
            seen_registry: 0,
            seen_reference: 0,
            seen_ledger: 0,
            seen_month: None,
        }
    }

    /// One round: the whole registry when the month or the policy changed (or on the first
    /// round), else the persons changed since the last round. Returns the cases opened.
    pub async fn run_once(&mut self, today: NaiveDate) -> zhucan_store::Result<usize> {
        let counters = self.store.change_counters().await?;
        let m = Month::of(today);
        let full = self.seen_month != Some(m) || counters.reference() != self.seen_reference;
        let ledger = counters.get(zhucan_store::ledger::LEDGER);
        if !full && counters.registry() == self.seen_registry && ledger == self.seen_ledger {
            return Ok(0);
        }
        let changed = if full {
            None
        } else {
            // The persons whose files changed, and those a feed or record spoke of.
            let mut ids = self.store.changed_ids_since(self.seen_registry).await?;
            if ledger != self.seen_ledger {
                ids.extend(self.store.ledger_persons_since(self.seen_ledger).await?);
                ids.sort();
                ids.dedup();
            }
            Some(ids)
        };
        let snap = self.facts.snapshot().await?;
        let policy = self.store.policy().await?;
        let persons: Vec<usize> = match &changed {
            None => (0..snap.len()).collect(),
            Some(ids) => ids.iter().filter_map(|id| snap.index_of(id)).collect(),
        };
        let trigger = if full { "audit" } else { "change" };
        // Cases whose finding is gone (a re-assessment, a correction, a decision elsewhere)
        // are withdrawn with the reason before new ones are opened.
        let open = self.store.open_cases(changed.as_deref()).await?;
        let snap2 = snap.clone();
        let (proposals, stale) = tokio::task::spawn_blocking(move || {
            let stale: Vec<(Case, &'static str)> = snap2
                .stale_cases(&policy, m, &open)
                .into_iter()
                .map(|(c, r)| (c.clone(), r))
                .collect();
            (snap2.case_proposals(&policy, m, &persons), stale)
        })
        .await
        .unwrap_or_default();
        let mut withdrawn = 0;
        for (case, reason) in &stale {
            if self.store.withdraw_case(case, reason).await? {
                withdrawn += 1;
            }
        }
        if withdrawn > 0 {
            tracing::info!(withdrawn, "subsidy cases withdrawn: their finding is gone");
        }
        let mut opened = 0;
        for (i, s, kind, month, reasons) in proposals {
            let (Some(id), Some(township)) = (snap.citizen_id(i), snap.area_code_of(i)) else {
                continue;
            };
            let c = NewCase {
                citizen_id: &id,
                subsidy: s,
                kind,
                month,
                reasons,
                trigger,
                area: &township,
                opened_by: "system",
            };
            if self.store.open_case(&c).await?.is_some() {
                opened += 1;
            }
        }
        self.seen_registry = counters.registry();
        self.seen_reference = counters.reference();
        self.seen_ledger = ledger;
        self.seen_month = Some(m);
        if opened > 0 {
            tracing::info!(opened, trigger, "subsidy cases opened");
        }
        Ok(opened)
    }
}

/// Runs the opener every `every` until the process ends.
pub async fn run_every(store: Store, facts: Arc<FactsCache>, every: Duration) {
    let mut opener = CaseOpener::new(store, facts);
    loop {
        if let Err(e) = opener.run_once(chrono::Local::now().date_naive()).await {
            tracing::warn!(error = %e, "subsidy case round failed");
        }
        tokio::time::sleep(every).await;
    }
}
