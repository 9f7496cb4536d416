//! What zhucan computes over the whole registry: the plan's 14 indicators (专栏1) and the
//! computable targets of 专栏2–5, for any date and any area, with the people behind every number.
//!
//! * [`snapshot`] — the registry's facts in memory, compact (one small row per person and per
//!   survey year), updated person by person.
//! * [`cache`] — keeps one snapshot exact against the store's change counters (zero staleness).
//! * [`indicators`] — the definitions of `indicators.md`, evaluated for many areas in one pass,
//!   the status rules, the monthly trend and the drill-down.
//!
//! The definitions are written once, in `Snapshot::classify`; the pass, the per-township table,
//! the trend and the drill-down all call it.

pub mod cache;
pub mod cases;
pub mod indicators;
#[cfg(any(test, feature = "reference"))]
pub mod reference;
pub mod snapshot;
pub mod subsidies;

pub use cache::{FactsCache, load_plan};
pub use indicators::{
    ComputedTarget, Indicator, IndicatorResult, Measured, Members, Part, PlanData, Query, Report,
    Status, Subject, TargetResult,
};
pub use snapshot::Snapshot;
#[cfg(test)]
mod tests;
