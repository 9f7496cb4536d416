//! Programme rows that are spans of days — an employment placement, a care stay: each is a
//! person's ledger fact, written with an event on the person's file in the same transaction,
//! and ended once, at the version the page showed.
//!
//! The tables hold `id`, `since`, `until` (NULL while open), `recorded_by`, `recorded_at` and
//! `version` columns; the programme crate names its table (a constant of its own).

use chrono::NaiveDate;
use zhucan_domain::timeline::NewEvent;

use crate::ledger::NewFact;
use crate::registry::Actor;
use crate::{Result, Tx, now_text, on_tx};

/// Writes the ledger fact of a programme row and `event` on the person's file.
pub async fn record(
    tx: &mut Tx,
    citizen_id: &str,
    fact: NewFact,
    event: NewEvent,
    actor: &Actor<'_>,
) -> Result<()> {
    crate::ledger::append(tx, std::slice::from_ref(&fact), None, actor.name).await?;
    crate::registry::touch(tx, citizen_id, &[event], actor).await
}

/// Sets `until` as the last day of the open span `id` of `table` shown at `version`; false
/// (nothing written) when it changed since, has already ended, or begins after `until`.
/// `table` is the programme's own constant, never input.
pub async fn end(
    tx: &mut Tx,
    table: &'static str,
    id: &str,
    version: i64,
    until: NaiveDate,
    actor: &Actor<'_>,
) -> Result<bool> {
    let q = format!(
        "UPDATE {table} SET until = $3, recorded_by = $4, recorded_at = $5, version = version + 1 \
         WHERE id = $1 AND version = $2 AND until IS NULL AND since <= $3"
    );
    let n = on_tx!(tx, c => {
        sqlx::query(sqlx::AssertSqlSafe(q.as_str()))
            .bind(id).bind(version).bind(until.to_string()).bind(actor.name).bind(now_text())
            .execute(&mut *c).await?.rows_affected()
    });
    Ok(n == 1)
}
