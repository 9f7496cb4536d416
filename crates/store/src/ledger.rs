//! The facts ledger's table (`ledger_facts`, see `zhucan_domain::ledger`): rows are appended,
//! never updated. Appending compares each row with the person's current fact of the same kind
//! and identity: an identical one changes nothing (re-sending a file is idempotent), anything
//! else is a new row that supersedes it. Every append takes the next value of the `ledger`
//! change counter, so the facts cache loads exactly what arrived since it last looked.

use std::collections::HashMap;

use chrono::NaiveDate;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::ledger::{Entry, Fact, Source};

use crate::bulk::{CHUNK, placeholders_in};
use crate::rows::corrupt;
use crate::{Result, Store, Tx, now_text, on_pool, on_tx};

/// The change counter of the ledger.
pub const LEDGER: &str = "ledger";

/// Rows per transaction position space: `seq = stamp × SEQ_SPAN + position`.
const SEQ_SPAN: i64 = 1 << 20;

/// Rows per multi-row INSERT.
const INSERT_ROWS: usize = 100;

#[derive(sqlx::FromRow)]
struct FactRow {
    citizen_id: String,
    seq: i64,
    body: String,
    run_id: Option<String>,
    received_at: String,
}

impl FactRow {
    fn entry(self) -> Result<(CitizenId, Entry)> {
        let fact: Fact =
            serde_json::from_str(&self.body).map_err(|_| corrupt("ledger body", &self.body))?;
        let received_on = self
            .received_at
            .get(..10)
            .and_then(|d| d.parse::<NaiveDate>().ok())
            .ok_or_else(|| corrupt("ledger received_at", &self.received_at))?;
        let id = CitizenId::from_trusted(self.citizen_id.clone())
            .map_err(|_| corrupt("citizen_id", &self.citizen_id))?;
        Ok((
            id,
            Entry {
                seq: self.seq,
                source: Source {
                    kind: fact.kind(),
                    run: self.run_id,
                    received_on,
                },
                fact,
            },
        ))
    }
}

const COLUMNS: &str = "citizen_id, seq, body, run_id, received_at";

/// One row to append.
#[derive(Debug, Clone)]
pub struct NewFact {
    pub citizen_id: CitizenId,
    pub fact: Fact,
}

/// Appends `rows` in `tx` (each a person already in the registry), in order: returns for each
/// whether it changed the ledger (`false`: the person's current fact of that identity is the
/// same). A row repeated within `rows` changes it once.
pub async fn append(
    tx: &mut Tx,
    rows: &[NewFact],
    run: Option<&str>,
    actor: &str,
) -> Result<Vec<bool>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // The current body of each (person, kind, identity) among these persons.
    let mut ids: Vec<&str> = rows.iter().map(|r| r.citizen_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut current: HashMap<(String, String, String), (i64, String)> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "SELECT citizen_id, kind, identity, seq, body FROM ledger_facts WHERE citizen_id IN ({})",
            placeholders_in(chunk)
        );
        let found: Vec<(String, String, String, i64, String)> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(&mut *c).await?
        });
        for (id, kind, identity, seq, body) in found {
            let slot = current
                .entry((id, kind, identity))
                .or_insert((i64::MIN, String::new()));
            if seq > slot.0 {
                *slot = (seq, body);
            }
        }
    }
    let mut changed = Vec::with_capacity(rows.len());
    let mut pending: Vec<(&NewFact, String, String)> = Vec::new();
    for r in rows {
        let body =
            serde_json::to_string(&r.fact).map_err(|e| corrupt("ledger fact", &e.to_string()))?;
        let identity = r.fact.identity();
        let key = (
            r.citizen_id.as_str().to_string(),
            r.fact.kind().key().to_string(),
            identity.clone(),
        );
        if current.get(&key).is_some_and(|(_, b)| *b == body) {
            changed.push(false);
            continue;
        }
        current.insert(key, (i64::MAX, body.clone()));
        changed.push(true);
        pending.push((r, identity, body));
    }
    if pending.is_empty() {
        return Ok(changed);
    }
    let stamp = crate::changes::next(tx, LEDGER).await?;
    let now = now_text();
    for (chunk_no, chunk) in pending.chunks(INSERT_ROWS).enumerate() {
        let values = (0..chunk.len())
            .map(|i| {
                let b = i * 10;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 8,
                    b + 9,
                    b + 10
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO ledger_facts (citizen_id, seq, kind, identity, on_date, body, stamp, run_id, received_at, recorded_by) VALUES {values}"
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (i, (r, identity, body)) in chunk.iter().enumerate() {
                let pos = (chunk_no * INSERT_ROWS + i) as i64;
                q = q
                    .bind(r.citizen_id.as_str())
                    .bind(stamp * SEQ_SPAN + pos)
                    .bind(r.fact.kind().key())
                    .bind(identity.as_str())
                    .bind(r.fact.date().to_string())
                    .bind(body.as_str())
                    .bind(stamp)
                    .bind(run)
                    .bind(now.as_str())
                    .bind(actor);
            }
            q.execute(&mut *c).await?;
        });
    }
    Ok(changed)
}

impl Store {
    /// Every ledger row, by person then arrival (the facts cache's cold load).
    pub async fn ledger_all(&self) -> Result<Vec<(CitizenId, Entry)>> {
        let sql = format!("SELECT {COLUMNS} FROM ledger_facts ORDER BY citizen_id, seq");
        let rows: Vec<FactRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?
        });
        rows.into_iter().map(FactRow::entry).collect()
    }

    /// The persons with rows stamped after `stamp`, in ID order.
    pub async fn ledger_persons_since(&self, stamp: i64) -> Result<Vec<CitizenId>> {
        let mut ids: Vec<String> = on_pool!(self, p => {
            sqlx::query_scalar("SELECT DISTINCT citizen_id FROM ledger_facts WHERE stamp > $1")
                .bind(stamp).fetch_all(p).await?
        });
        ids.sort_unstable();
        ids.into_iter()
            .map(|s| CitizenId::from_trusted(s.clone()).map_err(|_| corrupt("citizen_id", &s)))
            .collect()
    }

    /// Every ledger row of these persons, by person then arrival.
    pub async fn ledger_of_many(&self, ids: &[CitizenId]) -> Result<Vec<(CitizenId, Entry)>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            let chunk: Vec<&str> = chunk.iter().map(CitizenId::as_str).collect();
            let sql = format!(
                "SELECT {COLUMNS} FROM ledger_facts WHERE citizen_id IN ({}) ORDER BY citizen_id, seq",
                placeholders_in(&chunk)
            );
            let rows: Vec<FactRow> = on_pool!(self, p => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
                for id in &chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(p).await?
            });
            for r in rows {
                out.push(r.entry()?);
            }
        }
        Ok(out)
    }

    /// One person's ledger rows, in order of arrival (superseded ones included: the history).
    pub async fn ledger_of(&self, id: &CitizenId) -> Result<Vec<Entry>> {
        Ok(self
            .ledger_of_many(std::slice::from_ref(id))
            .await?
            .into_iter()
            .map(|(_, e)| e)
            .collect())
    }

    /// The rows a run brought, with their persons, in order of arrival.
    pub async fn ledger_of_run(&self, run: &str) -> Result<Vec<(CitizenId, Entry)>> {
        let sql = format!("SELECT {COLUMNS} FROM ledger_facts WHERE run_id = $1 ORDER BY seq");
        let rows: Vec<FactRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(run).fetch_all(p).await?
        });
        rows.into_iter().map(FactRow::entry).collect()
    }
}
