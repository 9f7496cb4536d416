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

/// The committed values of the change counters, by name (the kernel's `registry` and
/// `reference`, and whatever counters the programmes' migrations add).
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct Counters(std::collections::BTreeMap<String, i64>);

impl Counters {
    /// The value of counter `name` (0 when there is no such counter).
    pub fn get(&self, name: &str) -> i64 {
        self.0.get(name).copied().unwrap_or(0)
    }

    pub fn registry(&self) -> i64 {
        self.get(REGISTRY)
    }

    pub fn reference(&self) -> i64 {
        self.get(REFERENCE)
    }

    /// Counters with these values (tests).
    pub fn of(values: &[(&str, i64)]) -> Counters {
        Counters(values.iter().map(|(k, v)| (k.to_string(), *v)).collect())
    }
}

/// Takes the next value of counter `name` inside `tx` (a programme's writes stamp what they
/// change with it).
pub async fn next(tx: &mut Tx, name: &str) -> Result<i64> {
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
        Ok(Counters(rows.into_iter().collect()))
    }
}
