//! The data exchange's stored state: runs with their counts and reports, the unmatched rows
//! awaiting staff, and the department of each partner account. The facts themselves go to the
//! kernel's ledger (`zhucan_store::ledger`), in the same transaction as the run's counts.

use serde::Serialize;
use zhucan_domain::area::AreaCode;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::ledger::{Department, Fact, FactKind};

use zhucan_store::audit::AuditEvent;
use zhucan_store::ledger::NewFact;
use zhucan_store::registry::Actor;
use zhucan_store::rows::corrupt;
use zhucan_store::{Result, Store, now_text, on_pool, on_tx};

/// How a run came in.
pub const CHANNELS: [&str; 3] = ["file", "upload", "push"];

/// One run as listed and shown.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RunRow {
    pub id: String,
    pub kind: String,
    pub channel: String,
    pub file_name: String,
    pub digest: String,
    pub actor: String,
    pub department: Option<String>,
    pub area_code: String,
    pub status: String,
    pub started_at: String,
    pub heartbeat_at: String,
    pub finished_at: Option<String>,
    pub received: i64,
    pub matched: i64,
    pub changed: i64,
    pub unchanged: i64,
    pub unmatched: i64,
    pub rejected: i64,
    pub done_rows: i64,
    pub message: String,
    #[serde(skip)]
    pub report: String,
}

const RUN_COLUMNS: &str = "id, kind, channel, file_name, digest, actor, department, area_code, status, started_at, heartbeat_at, finished_at, received, matched, changed, unchanged, unmatched, rejected, done_rows, message, report";

/// A run's counts, moved with each batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub received: i64,
    pub matched: i64,
    pub changed: i64,
    pub unchanged: i64,
    pub unmatched: i64,
    pub rejected: i64,
}

/// A new run.
#[derive(Debug, Clone)]
pub struct NewRun<'a> {
    pub id: &'a str,
    pub kind: FactKind,
    pub channel: &'a str,
    pub file_name: &'a str,
    pub digest: &'a str,
    pub actor: &'a str,
    pub department: Option<Department>,
    pub area: &'a AreaCode,
    /// Rows to apply (for the progress bar).
    pub total: i64,
}

/// An unmatched row to keep: (row, citizen ID, name, fact, reason).
pub type Unmatched = (u32, CitizenId, Option<String>, Fact, String);

/// One batch of a run: the matched facts, the unmatched rows, the counts it moves and the
/// rows done so far (the progress bar).
#[derive(Debug, Clone, Copy)]
pub struct Batch<'a> {
    pub facts: &'a [NewFact],
    pub unmatched: &'a [Unmatched],
    pub delta: Counts,
    pub done_rows: i64,
}

/// An unmatched row as kept.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct UnmatchedRow {
    pub run_id: String,
    pub row_no: i64,
    pub citizen_id: String,
    pub name: Option<String>,
    #[serde(skip)]
    pub body: String,
    pub reason: String,
    pub status: String,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
    pub resolved_to: Option<String>,
}

impl UnmatchedRow {
    pub fn fact(&self) -> Result<Fact> {
        serde_json::from_str(&self.body).map_err(|_| corrupt("unmatched body", &self.body))
    }
}

/// A person as matching sees it: the ID, the registered name, the area.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Known {
    pub citizen_id: String,
    pub name: String,
    pub township_code: String,
    pub village_code: Option<String>,
}

/// The storage of the data exchange.
#[allow(async_fn_in_trait)]
pub trait FeedsStore {
    /// Records a run's start (status `running`) with its audit record, in one transaction.
    async fn start_run(&self, run: &NewRun<'_>, audit: &AuditEvent) -> Result<()>;

    /// Applies one batch in one transaction: the facts to the ledger (and the files that follow
    /// public-security rows), the unmatched rows kept, the run's counts moved. Returns, per
    /// fact, whether it changed the ledger.
    async fn apply_batch(
        &self,
        run: &str,
        batch: &Batch<'_>,
        actor: &Actor<'_>,
        today: chrono::NaiveDate,
    ) -> Result<Vec<bool>>;

    /// Closes a run: its status, message, final report and audit record.
    async fn finish_run(
        &self,
        run: &str,
        status: &str,
        counts: Counts,
        message: &str,
        report: &str,
        audit: &AuditEvent,
    ) -> Result<()>;

    async fn run(&self, id: &str) -> Result<Option<RunRow>>;

    /// Runs, newest first; `department` / `area` narrow them (a partner's, a township's).
    async fn runs(
        &self,
        department: Option<Department>,
        area: Option<&AreaCode>,
        limit: i64,
    ) -> Result<Vec<RunRow>>;

    async fn unmatched_of(&self, run: &str) -> Result<Vec<UnmatchedRow>>;

    /// Resolves an unmatched row: `to` = the corrected person (its fact is applied to them), or
    /// `None` = not ours. Returns whether the ledger changed. Audited in the same transaction.
    async fn resolve_unmatched(
        &self,
        run: &str,
        row_no: i64,
        to: Option<&CitizenId>,
        actor: &Actor<'_>,
        audit: &AuditEvent,
        today: chrono::NaiveDate,
    ) -> Result<Option<bool>>;

    /// The registry's persons among `ids`.
    async fn known_persons(&self, ids: &[&str]) -> Result<Vec<Known>>;

    /// The department of a partner account.
    async fn department_of(&self, user_id: &str) -> Result<Option<Department>>;

    /// Sets (or clears) the department of an account, audited.
    async fn set_department(
        &self,
        user_id: &str,
        department: Option<Department>,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<()>;

    /// Every account with a department: (username, department).
    async fn departments(&self) -> Result<Vec<(String, String, Department)>>;
}

const BATCH_IN: usize = 500;

impl FeedsStore for Store {
    async fn start_run(&self, run: &NewRun<'_>, audit: &AuditEvent) -> Result<()> {
        let mut tx = self.begin().await?;
        let now = now_text();
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO feed_runs (id, kind, channel, file_name, digest, actor, department, area_code, status, started_at, heartbeat_at, received) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'running', $9, $9, $10)")
                .bind(run.id)
                .bind(run.kind.key())
                .bind(run.channel)
                .bind(run.file_name)
                .bind(run.digest)
                .bind(run.actor)
                .bind(run.department.map(|d| d.key()))
                .bind(run.area.as_str())
                .bind(&now)
                .bind(run.total)
                .execute(&mut *c)
                .await?;
        });
        zhucan_store::audit::append(&mut tx, audit).await?;
        tx.commit().await
    }

    async fn apply_batch(
        &self,
        run: &str,
        batch: &Batch<'_>,
        actor: &Actor<'_>,
        today: chrono::NaiveDate,
    ) -> Result<Vec<bool>> {
        let Batch {
            facts,
            unmatched,
            delta,
            done_rows,
        } = *batch;
        let mut tx = self.begin().await?;
        let changed = zhucan_store::ledger::append(&mut tx, facts, Some(run), actor.name).await?;
        // The files follow what public security says (deaths, moves).
        let mut follow: Vec<&CitizenId> = facts
            .iter()
            .zip(&changed)
            .filter(|(f, c)| **c && f.fact.kind() == FactKind::PublicSecurity)
            .map(|(f, _)| &f.citizen_id)
            .collect();
        follow.sort();
        follow.dedup();
        for id in follow {
            zhucan_store::registry::follow_residence(&mut tx, id, today, actor).await?;
        }
        let n_changed = changed.iter().filter(|c| **c).count() as i64;
        let delta = Counts {
            changed: n_changed,
            unchanged: facts.len() as i64 - n_changed,
            ..delta
        };
        let now = now_text();
        on_tx!(&mut tx, c => {
            for (row, id, name, fact, reason) in unmatched {
                let body = serde_json::to_string(fact).map_err(|e| corrupt("fact", &e.to_string()))?;
                sqlx::query("INSERT INTO feed_unmatched (run_id, row_no, citizen_id, name, body, reason, status) VALUES ($1, $2, $3, $4, $5, $6, 'open') ON CONFLICT (run_id, row_no) DO NOTHING")
                    .bind(run)
                    .bind(i64::from(*row))
                    .bind(id.as_str())
                    .bind(name)
                    .bind(body)
                    .bind(reason)
                    .execute(&mut *c)
                    .await?;
            }
            sqlx::query("UPDATE feed_runs SET matched = matched + $2, changed = changed + $3, unchanged = unchanged + $4, unmatched = unmatched + $5, rejected = rejected + $6, done_rows = $7, heartbeat_at = $8 WHERE id = $1")
                .bind(run)
                .bind(delta.matched)
                .bind(delta.changed)
                .bind(delta.unchanged)
                .bind(delta.unmatched)
                .bind(delta.rejected)
                .bind(done_rows)
                .bind(&now)
                .execute(&mut *c)
                .await?;
        });
        tx.commit().await?;
        Ok(changed)
    }

    async fn finish_run(
        &self,
        run: &str,
        status: &str,
        counts: Counts,
        message: &str,
        report: &str,
        audit: &AuditEvent,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let now = now_text();
        on_tx!(&mut tx, c => {
            sqlx::query("UPDATE feed_runs SET status = $2, received = $3, matched = $4, changed = $5, unchanged = $6, unmatched = $7, rejected = $8, message = $9, report = $10, finished_at = $11, heartbeat_at = $11, done_rows = $3 WHERE id = $1")
                .bind(run)
                .bind(status)
                .bind(counts.received)
                .bind(counts.matched)
                .bind(counts.changed)
                .bind(counts.unchanged)
                .bind(counts.unmatched)
                .bind(counts.rejected)
                .bind(message)
                .bind(report)
                .bind(&now)
                .execute(&mut *c)
                .await?;
        });
        zhucan_store::audit::append(&mut tx, audit).await?;
        tx.commit().await
    }

    async fn run(&self, id: &str) -> Result<Option<RunRow>> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM feed_runs WHERE id = $1");
        Ok(on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await?
        }))
    }

    async fn runs(
        &self,
        department: Option<Department>,
        area: Option<&AreaCode>,
        limit: i64,
    ) -> Result<Vec<RunRow>> {
        let dept = department.map(|d| d.key().to_string());
        let area_like =
            area.map(|a| format!("{}%", zhucan_store::registry::like_escape(a.as_str())));
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM feed_runs WHERE (CAST($1 AS TEXT) IS NULL OR department = $1) AND (CAST($2 AS TEXT) IS NULL OR area_code LIKE $2 ESCAPE '\\') ORDER BY started_at DESC, id LIMIT $3"
        );
        Ok(on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(dept).bind(area_like).bind(limit).fetch_all(p).await?
        }))
    }

    async fn unmatched_of(&self, run: &str) -> Result<Vec<UnmatchedRow>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as("SELECT run_id, row_no, citizen_id, name, body, reason, status, resolved_by, resolved_at, resolved_to FROM feed_unmatched WHERE run_id = $1 ORDER BY row_no")
                .bind(run).fetch_all(p).await?
        }))
    }

    async fn resolve_unmatched(
        &self,
        run: &str,
        row_no: i64,
        to: Option<&CitizenId>,
        actor: &Actor<'_>,
        audit: &AuditEvent,
        today: chrono::NaiveDate,
    ) -> Result<Option<bool>> {
        let mut tx = self.begin().await?;
        let row: Option<UnmatchedRow> = on_tx!(&mut tx, c => {
            sqlx::query_as("SELECT run_id, row_no, citizen_id, name, body, reason, status, resolved_by, resolved_at, resolved_to FROM feed_unmatched WHERE run_id = $1 AND row_no = $2 AND status = 'open'")
                .bind(run).bind(row_no).fetch_optional(&mut *c).await?
        });
        let Some(row) = row else { return Ok(None) };
        let mut changed = false;
        let status = match to {
            Some(id) => {
                let fact = row.fact()?;
                let kind = fact.kind();
                let c = zhucan_store::ledger::append(
                    &mut tx,
                    &[NewFact {
                        citizen_id: id.clone(),
                        fact,
                    }],
                    Some(run),
                    actor.name,
                )
                .await?;
                changed = c.first().copied().unwrap_or(false);
                if changed && kind == FactKind::PublicSecurity {
                    zhucan_store::registry::follow_residence(&mut tx, id, today, actor).await?;
                }
                "applied"
            }
            None => "not_ours",
        };
        let now = now_text();
        on_tx!(&mut tx, c => {
            sqlx::query("UPDATE feed_unmatched SET status = $3, resolved_by = $4, resolved_at = $5, resolved_to = $6 WHERE run_id = $1 AND row_no = $2")
                .bind(run).bind(row_no).bind(status).bind(actor.name).bind(&now).bind(to.map(|i| i.as_str().to_string()))
                .execute(&mut *c).await?;
            if to.is_some() {
                sqlx::query("UPDATE feed_runs SET matched = matched + 1, unmatched = unmatched - 1, changed = changed + $2, unchanged = unchanged + $3 WHERE id = $1")
                    .bind(run).bind(i64::from(changed)).bind(i64::from(!changed))
                    .execute(&mut *c).await?;
            }
        });
        zhucan_store::audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(Some(changed))
    }

    async fn known_persons(&self, ids: &[&str]) -> Result<Vec<Known>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH_IN) {
            let ph = (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT citizen_id, name, township_code, village_code FROM persons WHERE citizen_id IN ({ph})"
            );
            let rows: Vec<Known> = on_pool!(self, p => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(p).await?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    async fn department_of(&self, user_id: &str) -> Result<Option<Department>> {
        let d: Option<String> = on_pool!(self, p => {
            sqlx::query_scalar("SELECT department FROM partner_departments WHERE user_id = $1")
                .bind(user_id).fetch_optional(p).await?
        });
        Ok(d.and_then(|d| Department::parse(&d)))
    }

    async fn set_department(
        &self,
        user_id: &str,
        department: Option<Department>,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let now = now_text();
        on_tx!(&mut tx, c => {
            sqlx::query("DELETE FROM partner_departments WHERE user_id = $1").bind(user_id).execute(&mut *c).await?;
            if let Some(d) = department {
                sqlx::query("INSERT INTO partner_departments (user_id, department, set_by, set_at) VALUES ($1, $2, $3, $4)")
                    .bind(user_id).bind(d.key()).bind(by).bind(&now).execute(&mut *c).await?;
            }
        });
        zhucan_store::audit::append(&mut tx, audit).await?;
        tx.commit().await
    }

    async fn departments(&self) -> Result<Vec<(String, String, Department)>> {
        let rows: Vec<(String, String, String)> = on_pool!(self, p => {
            sqlx::query_as("SELECT u.id, u.username, d.department FROM partner_departments d JOIN users u ON u.id = d.user_id ORDER BY u.username")
                .fetch_all(p).await?
        });
        Ok(rows
            .into_iter()
            .filter_map(|(id, u, d)| Department::parse(&d).map(|d| (id, u, d)))
            .collect())
    }
}
