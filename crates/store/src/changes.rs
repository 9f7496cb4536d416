//! Change counters: how the in-memory facts of the indicator engine stay exact.
//!
//! A writing transaction takes the next value of a counter (`UPDATE … RETURNING`, which holds the
//! counter's row lock until commit) and stamps what it changes with it. Because writers queue on
//! that row, a committed counter value `V` means every change numbered `≤ V` is committed: a
//! reader that remembers `V` and later loads the rows stamped above it misses nothing.

use crate::{Result, Store, Tx, on_pool, on_tx};

/// Counts changes to person files (persons, certificates, surveys).
pub const REGISTRY: &str = "registry";
/// Counts changes to the area dictionary and the institutions.
pub const REFERENCE: &str = "reference";
/// Counts closed (approved) payrolls: what closed months paid.
pub const PAYROLLS: &str = "payrolls";

/// The committed values of the change counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    pub registry: i64,
    pub reference: i64,
    pub payrolls: i64,
}

/// Takes the next value of counter `name` inside `tx`.
pub(crate) async fn next(tx: &mut Tx, name: &str) -> Result<i64> {
    Ok(on_tx!(tx, c => {
        sqlx::query_scalar("UPDATE change_counters SET value = value + 1 WHERE name = $1 RETURNING value")
            .bind(name)
            .fetch_one(&mut *c)
            .await?
    }))
}

impl Store {
    /// The committed change counters (one small read).
    pub async fn change_counters(&self) -> Result<Counters> {
        let rows: Vec<(String, i64)> = on_pool!(self, p => {
            sqlx::query_as("SELECT name, value FROM change_counters").fetch_all(p).await?
        });
        let mut out = Counters::default();
        for (name, value) in rows {
            match name.as_str() {
                REGISTRY => out.registry = value,
                REFERENCE => out.reference = value,
                PAYROLLS => out.payrolls = value,
                _ => {}
            }
        }
        Ok(out)
    }
}
