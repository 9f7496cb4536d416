//! The registry's facts in memory (一库, for computation): one compact row per person and per
//! survey year, kept exact against the store's change counters, with the fact layers that
//! programmes add. The programmes' engines (the plan's indicators, the subsidies' rules) read
//! them; nothing is computed from stale facts.
//!
//! * [`snapshot`] — the facts, compact, updated person by person; the certificate in force on a
//!   day; "active at t".
//! * [`cache`] — keeps one snapshot exact (zero staleness, no nightly batch).
//! * [`layer`] — what a programme adds to the facts, loaded and refreshed with them.

pub mod cache;
pub mod layer;
#[cfg(any(test, feature = "reference"))]
pub mod reference;
pub mod snapshot;

pub use cache::FactsCache;
pub use layer::{Changed, FactLayer, LayerFuture, LayerValue};
pub use snapshot::Snapshot;
