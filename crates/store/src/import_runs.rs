//! Import runs (`import_runs`): every import of a roster is recorded when it starts — with
//! its audit record, in one transaction — and closed when it ends. The counts of a run are
//! those of the rows committed: they move in the same transaction as each batch, so a run cut
//! short (a kill, a crash, a database error) says exactly what went in.
//!
//! A run left `running` by a process that died reads as [`RunStatus::Interrupted`]: its owner
//! (the machine's boot id and the process id) is no longer alive on this machine, or — from
//! another machine — its heartbeat is older than [`STALE_AFTER_SECS`]. The next run to start
//! writes that status down.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::audit::AuditEvent;
use crate::registry::{Actor, ImportOutcome, RowExtras};
use crate::{Result, Store, Tx, now_text, on_pool, on_tx};
use zhucan_domain::person::PersonRecord;

/// How long a run may go without a heartbeat before it counts as interrupted (when its
/// owner's liveness cannot be checked directly, i.e. it ran on another machine). A heartbeat
/// is written every [`HEARTBEAT_SECS`] while the run goes on.
pub const STALE_AFTER_SECS: i64 = 600;

/// How often a running import renews its heartbeat.
pub const HEARTBEAT_SECS: u64 = 15;

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Done,
    /// Cut short: the process died or a database error stopped it; the rows counted are in.
    Interrupted,
    /// Nothing was written: the file was refused (unreadable, strict mode).
    Failed,
}

impl RunStatus {
    pub fn key(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Done => "done",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<RunStatus> {
        Some(match s {
            "running" => RunStatus::Running,
            "done" => RunStatus::Done,
            "interrupted" => RunStatus::Interrupted,
            "failed" => RunStatus::Failed,
            _ => return None,
        })
    }

    /// The status as staff read it.
    pub fn label(self, lang: zhucan_domain::Lang) -> &'static str {
        use zhucan_domain::Lang;
        match (self, lang) {
            (RunStatus::Running, Lang::Zh) => "进行中",
            (RunStatus::Running, Lang::En) => "running",
            (RunStatus::Done, Lang::Zh) => "已完成",
            (RunStatus::Done, Lang::En) => "done",
            (RunStatus::Interrupted, Lang::Zh) => "已中断（只写入了部分人员，可重新导入同一文件）",
            (RunStatus::Interrupted, Lang::En) => {
                "interrupted (only some persons were written; import the same file again)"
            }
            (RunStatus::Failed, Lang::Zh) => "未导入",
            (RunStatus::Failed, Lang::En) => "nothing imported",
        }
    }
}

/// One recorded run.
#[derive(Debug, Clone, Serialize)]
pub struct ImportRun {
    pub id: String,
    pub file_name: String,
    pub file_sha256: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// The status as it stands: a `running` run whose owner is gone reads as interrupted.
    pub status: RunStatus,
    /// Person rows the file held (0 until read).
    pub rows_total: i64,
    /// Person rows committed.
    pub imported: i64,
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    /// Rows rejected by the checks.
    pub rejected: i64,
    pub actor: String,
    pub message: String,
}

#[derive(sqlx::FromRow)]
struct RunRow {
    id: String,
    file_name: String,
    file_sha256: String,
    started_at: String,
    finished_at: Option<String>,
    status: String,
    owner: String,
    heartbeat_at: Option<String>,
    rows_total: i64,
    imported: i64,
    inserted: i64,
    updated: i64,
    unchanged: i64,
    rejected: i64,
    actor: String,
    message: String,
}

const RUN_COLUMNS: &str = "id, file_name, file_sha256, started_at, finished_at, status, owner, heartbeat_at, rows_total, imported, inserted, updated, unchanged, rejected, actor, message";

fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// This process as a run's owner: `boot-id/pid` (the boot id is empty where the system has
/// none; then only the heartbeat tells).
pub fn this_owner() -> String {
    format!("{}/{}", boot_id(), std::process::id())
}

/// Whether the owner of a `running` run is gone: on this machine (same boot id) its process
/// no longer exists; elsewhere its heartbeat is stale.
fn owner_gone(owner: &str, heartbeat_at: Option<&str>, now: DateTime<Utc>) -> bool {
    if let Some((boot, pid)) = owner.rsplit_once('/')
        && !boot.is_empty()
        && boot == boot_id()
        && let Ok(pid) = pid.parse::<u32>()
    {
        if pid == std::process::id() {
            return false;
        }
        let proc_dir = std::path::Path::new("/proc");
        if proc_dir.join("self").exists() {
            return !proc_dir.join(pid.to_string()).exists();
        }
    }
    let beat = heartbeat_at
        .and_then(|h| DateTime::parse_from_rfc3339(h).ok())
        .map(|h| h.with_timezone(&Utc));
    match beat {
        Some(b) => (now - b).num_seconds() > STALE_AFTER_SECS,
        None => true,
    }
}

impl RunRow {
    fn into_run(self, now: DateTime<Utc>) -> ImportRun {
        let stored = RunStatus::parse(&self.status).unwrap_or(RunStatus::Interrupted);
        let status = if stored == RunStatus::Running
            && owner_gone(&self.owner, self.heartbeat_at.as_deref(), now)
        {
            RunStatus::Interrupted
        } else {
            stored
        };
        ImportRun {
            id: self.id,
            file_name: self.file_name,
            file_sha256: self.file_sha256,
            started_at: self.started_at,
            finished_at: self.finished_at,
            status,
            rows_total: self.rows_total,
            imported: self.imported,
            inserted: self.inserted,
            updated: self.updated,
            unchanged: self.unchanged,
            rejected: self.rejected,
            actor: self.actor,
            message: self.message,
        }
    }
}

/// What a run starts with.
#[derive(Debug, Clone)]
pub struct NewRun<'a> {
    pub file_name: &'a str,
    pub file_sha256: &'a str,
    /// The account (or `cli:<operator>`) that imports.
    pub actor: &'a str,
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct RunEnd<'a> {
    pub status: RunStatus,
    pub rows_total: i64,
    pub rejected: i64,
    pub message: &'a str,
}

async fn sweep_in(tx: &mut Tx) -> Result<Vec<String>> {
    let rows: Vec<RunRow> = on_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {RUN_COLUMNS} FROM import_runs WHERE status = $1")))
            .bind(RunStatus::Running.key())
            .fetch_all(&mut *c)
            .await?
    });
    let now = Utc::now();
    let gone: Vec<String> = rows
        .into_iter()
        .filter(|r| owner_gone(&r.owner, r.heartbeat_at.as_deref(), now))
        .map(|r| r.id)
        .collect();
    for id in &gone {
        on_tx!(tx, c => {
            sqlx::query("UPDATE import_runs SET status = $2, message = $3 WHERE id = $1 AND status = $4")
                .bind(id)
                .bind(RunStatus::Interrupted.key())
                .bind("the importing process ended before the run did")
                .bind(RunStatus::Running.key())
                .execute(&mut *c)
                .await?;
        });
    }
    Ok(gone)
}

impl Store {
    /// Records the start of a run (status `running`) and its audit record `audit` (its detail
    /// gets the run's id) in one transaction; first writes down as interrupted the runs whose
    /// owner is gone. Returns the run's id.
    pub async fn start_import_run(&self, run: &NewRun<'_>, audit: &AuditEvent) -> Result<String> {
        let id = crate::accounts::ordered_id();
        let now = now_text();
        let mut tx = self.begin().await?;
        sweep_in(&mut tx).await?;
        on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO import_runs (id, file_name, file_sha256, started_at, finished_at, imported, rejected, actor, status, owner, heartbeat_at)
                 VALUES ($1, $2, $3, $4, NULL, 0, 0, $5, $6, $7, $4)",
            )
            .bind(&id)
            .bind(run.file_name)
            .bind(run.file_sha256)
            .bind(&now)
            .bind(run.actor)
            .bind(RunStatus::Running.key())
            .bind(this_owner())
            .execute(&mut *c)
            .await?;
        });
        let mut e = audit.clone();
        if let serde_json::Value::Object(m) = &mut e.detail {
            m.insert("run".into(), serde_json::Value::String(id.clone()));
            m.insert("status".into(), RunStatus::Running.key().into());
        }
        crate::audit::append(&mut tx, &e).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Renews a running run's heartbeat.
    pub async fn beat_import_run(&self, id: &str) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query("UPDATE import_runs SET heartbeat_at = $2 WHERE id = $1")
                .bind(id).bind(now_text()).execute(p).await?;
        });
        Ok(())
    }

    /// Merges a batch of rows like [`Store::merge_records`], counting them into run `run` in
    /// the same transaction (so the run's counts are exactly the rows committed).
    pub async fn merge_records_in_run(
        &self,
        rows: &[(PersonRecord, RowExtras)],
        actor: &Actor<'_>,
        run: &str,
    ) -> Result<Vec<ImportOutcome>> {
        let mut attempt = 0;
        loop {
            let mut tx = self.begin().await?;
            let r = async {
                let out = crate::bulk::merge_batch(&mut tx, rows, actor).await?;
                let count = |k: ImportOutcome| out.iter().filter(|o| **o == k).count() as i64;
                let (i, u, n) = (
                    count(ImportOutcome::Inserted),
                    count(ImportOutcome::Updated),
                    count(ImportOutcome::Unchanged),
                );
                on_tx!(&mut tx, c => {
                    sqlx::query(
                        "UPDATE import_runs SET inserted = inserted + $2, updated = updated + $3, unchanged = unchanged + $4, imported = imported + $5, heartbeat_at = $6 WHERE id = $1",
                    )
                    .bind(run).bind(i).bind(u).bind(n).bind(i + u + n).bind(now_text())
                    .execute(&mut *c)
                    .await?;
                });
                Ok::<_, crate::StoreError>(out)
            }
            .await;
            match r {
                Ok(out) => {
                    tx.commit().await?;
                    return Ok(out);
                }
                Err(e) if e.is_retryable() && attempt < 5 => {
                    attempt += 1;
                    drop(tx);
                    tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Closes a run with its end state and appends its audit record, in one transaction.
    pub async fn finish_import_run(
        &self,
        id: &str,
        end: &RunEnd<'_>,
        audit: &AuditEvent,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let counts: Option<(i64, i64, i64, i64)> = on_tx!(&mut tx, c => {
            sqlx::query(
                "UPDATE import_runs SET status = $2, finished_at = $3, rows_total = $4, rejected = $5, message = $6, heartbeat_at = $3 WHERE id = $1",
            )
            .bind(id)
            .bind(end.status.key())
            .bind(now_text())
            .bind(end.rows_total)
            .bind(end.rejected)
            .bind(end.message)
            .execute(&mut *c)
            .await?;
            sqlx::query_as("SELECT imported, inserted, updated, unchanged FROM import_runs WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *c)
                .await?
        });
        let mut e = audit.clone();
        if let serde_json::Value::Object(m) = &mut e.detail {
            m.insert("run".into(), serde_json::Value::String(id.to_string()));
            m.insert("status".into(), end.status.key().into());
            if let Some((imported, i, u, n)) = counts {
                m.insert("rows".into(), imported.into());
                m.insert("inserted".into(), i.into());
                m.insert("updated".into(), u.into());
                m.insert("unchanged".into(), n.into());
            }
            m.insert("rejected_rows".into(), end.rejected.into());
        }
        crate::audit::append(&mut tx, &e).await?;
        tx.commit().await
    }

    /// The latest runs, newest first (of `actor` only when given), each with its status as it
    /// stands (see the module's note on interrupted runs).
    pub async fn import_runs(&self, actor: Option<&str>, limit: i64) -> Result<Vec<ImportRun>> {
        let rows: Vec<RunRow> = on_pool!(self, p => {
            match actor {
                Some(a) => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {RUN_COLUMNS} FROM import_runs WHERE actor = $1 ORDER BY started_at DESC, id DESC LIMIT $2"
                )))
                .bind(a)
                .bind(limit)
                .fetch_all(p)
                .await?,
                None => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {RUN_COLUMNS} FROM import_runs ORDER BY started_at DESC, id DESC LIMIT $1"
                )))
                .bind(limit)
                .fetch_all(p)
                .await?,
            }
        });
        let now = Utc::now();
        Ok(rows.into_iter().map(|r| r.into_run(now)).collect())
    }

    /// Writes down as interrupted every `running` run whose owner is gone; returns their ids.
    pub async fn sweep_import_runs(&self) -> Result<Vec<String>> {
        let mut tx = self.begin().await?;
        let gone = sweep_in(&mut tx).await?;
        tx.commit().await?;
        Ok(gone)
    }
}
