//! The audit trail: append-only, hash-chained records of who read and changed what.
//!
//! `hash = SHA-256(prev_hash ‖ seq ‖ at ‖ account ‖ role ‖ area ‖ client ‖ action ‖ object ‖
//! outcome ‖ detail)`, each field length-prefixed, so that editing, inserting or deleting any
//! record breaks the chain at that record ([`Store::verify_audit`]).

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Result, Store, Tx, now_text, on_pool, on_tx};

/// What to record.
#[derive(Debug, Clone, Default)]
pub struct AuditEvent {
    pub account: String,
    pub role: String,
    pub area: String,
    pub client: String,
    pub action: String,
    pub object: String,
    pub outcome: String,
    pub detail: serde_json::Value,
}

/// A stored record.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: String,
    pub account: String,
    pub role: String,
    pub area: String,
    pub client: String,
    pub action: String,
    pub object: String,
    pub outcome: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The chain hash of a record.
pub fn chain_hash(prev_hash: &str, r: &AuditRecord) -> String {
    let mut h = Sha256::new();
    let seq = r.seq.to_string();
    for field in [
        prev_hash, &seq, &r.at, &r.account, &r.role, &r.area, &r.client, &r.action, &r.object,
        &r.outcome, &r.detail,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditCheck {
    /// Every record links and hashes correctly: `records` records from `first` on (after a
    /// purge, `first` follows the anchor).
    Intact { records: i64, first: i64 },
    /// The first record that does not verify, and why.
    Broken { seq: i64, reason: String },
}

/// Where the chain starts after purges: the last purged record's seq and hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AuditAnchor {
    pub seq: i64,
    pub hash: String,
    /// How many records that purge deleted.
    pub purged: i64,
    /// Records older than this instant were purged.
    pub cut_before: String,
    pub purged_by: String,
    pub purged_at: String,
}

/// The audit trail is kept at least this long, whatever the retention setting says.
pub const RETENTION_FLOOR_MONTHS: u32 = 6;

/// What [`Store::purge_audit`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purge {
    /// `purged` records deleted (possibly none); the new anchor when any were; the purge's
    /// own record in the trail.
    Done {
        purged: i64,
        anchor: Option<AuditAnchor>,
        record: i64,
    },
    /// The cut lies inside the retention floor: nothing deleted. The earliest allowed cut.
    TooRecent { latest_allowed: String },
    /// The trail does not verify: nothing is deleted, so that the evidence stays.
    Broken { seq: i64, reason: String },
}

/// The action of a purge's own record.
pub const PURGE_ACTION: &str = "audit.purge";

/// Whether a purge record's detail names this anchor.
fn confirms(detail: &str, a: &AuditAnchor) -> bool {
    serde_json::from_str::<serde_json::Value>(detail).is_ok_and(|d| {
        d["anchor_seq"].as_i64() == Some(a.seq)
            && d["anchor_hash"].as_str() == Some(a.hash.as_str())
    })
}

/// A filter for the auditors' search.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub account: Option<String>,
    pub action: Option<String>,
    pub object: Option<String>,
    /// Inclusive bounds on `at` (RFC 3339 or a date prefix).
    pub from: Option<String>,
    pub until: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

const COLUMNS: &str =
    "seq, at, account, role, area, client, action, object, outcome, detail, prev_hash, hash";

/// Appends one record inside `tx` (which serialises on `audit_head`).
pub async fn append(tx: &mut Tx, e: &AuditEvent) -> Result<AuditRecord> {
    let (seq, prev): (i64, String) = on_tx!(tx, c => {
        sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1").execute(&mut *c).await?;
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut *c).await?
    });
    let mut r = AuditRecord {
        seq,
        at: now_text(),
        account: e.account.clone(),
        role: e.role.clone(),
        area: e.area.clone(),
        client: e.client.clone(),
        action: e.action.clone(),
        object: e.object.clone(),
        outcome: e.outcome.clone(),
        detail: e.detail.to_string(),
        prev_hash: prev.clone(),
        hash: String::new(),
    };
    r.hash = chain_hash(&prev, &r);
    on_tx!(tx, c => {
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&r.hash).execute(&mut *c).await?;
        sqlx::query(
            "INSERT INTO audit_log (seq, at, account, role, area, client, action, object, outcome, detail, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(r.seq).bind(&r.at).bind(&r.account).bind(&r.role).bind(&r.area).bind(&r.client)
        .bind(&r.action).bind(&r.object).bind(&r.outcome).bind(&r.detail).bind(&r.prev_hash).bind(&r.hash)
        .execute(&mut *c)
        .await?;
    });
    Ok(r)
}

impl Store {
    /// Appends one record in its own transaction.
    pub async fn audit(&self, e: &AuditEvent) -> Result<AuditRecord> {
        let mut tx = self.begin().await?;
        let r = append(&mut tx, e).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Appends several records in one transaction (group commit for high-volume reads).
    pub async fn audit_batch(&self, events: &[AuditEvent]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin().await?;
        for e in events {
            append(&mut tx, e).await?;
        }
        tx.commit().await
    }

    /// The latest purge anchor, if records were ever purged.
    pub async fn audit_anchor(&self) -> Result<Option<AuditAnchor>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as("SELECT seq, hash, purged, cut_before, purged_by, purged_at FROM audit_anchors ORDER BY seq DESC LIMIT 1")
                .fetch_optional(p).await?
        }))
    }

    /// Walks the chain in order from the latest purge anchor (or the first record) and names
    /// the first record that does not verify. The anchor itself must be confirmed by the
    /// `audit.purge` record that the purge appended to the chain.
    pub async fn verify_audit(&self) -> Result<AuditCheck> {
        let anchor = self.audit_anchor().await?;
        let (mut expected_seq, mut prev) = match &anchor {
            Some(a) => (a.seq + 1, a.hash.clone()),
            None => (1, String::new()),
        };
        let first = expected_seq;
        let mut anchor_confirmed = anchor.is_none();
        let sql =
            format!("SELECT {COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT 5000");
        loop {
            let page: Vec<AuditRecord> = on_pool!(self, p => {
                sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(expected_seq).fetch_all(p).await?
            });
            if page.is_empty() {
                break;
            }
            for r in page {
                if r.seq != expected_seq {
                    return Ok(AuditCheck::Broken {
                        seq: expected_seq,
                        reason: format!("record {expected_seq} is missing"),
                    });
                }
                if r.prev_hash != prev {
                    return Ok(AuditCheck::Broken {
                        seq: r.seq,
                        reason: "its link to the previous record does not match".into(),
                    });
                }
                if chain_hash(&prev, &r) != r.hash {
                    return Ok(AuditCheck::Broken {
                        seq: r.seq,
                        reason: "its content does not match its hash".into(),
                    });
                }
                if !anchor_confirmed
                    && r.action == PURGE_ACTION
                    && let Some(a) = &anchor
                {
                    anchor_confirmed = confirms(&r.detail, a);
                }
                prev = r.hash;
                expected_seq += 1;
            }
        }
        let (head_seq, head_hash): (i64, String) = on_pool!(self, p => {
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(p).await?
        });
        if head_seq != expected_seq - 1 || head_hash != prev {
            return Ok(AuditCheck::Broken {
                seq: expected_seq,
                reason: format!(
                    "the chain ends at record {} but {head_seq} records were written",
                    expected_seq - 1
                ),
            });
        }
        if let (false, Some(a)) = (anchor_confirmed, &anchor) {
            return Ok(AuditCheck::Broken {
                seq: a.seq + 1,
                reason: format!(
                    "the purge anchor (records up to {}) is not confirmed by any audit.purge record in the trail",
                    a.seq
                ),
            });
        }
        Ok(AuditCheck::Intact {
            records: expected_seq - first,
            first,
        })
    }

    /// Deletes the records older than `before` (RFC 3339) — the oldest records only, never one
    /// at or after `before` — and leaves an anchor (the last deleted record's seq and hash) so
    /// that the rest still verifies. Refuses a cut inside [`RETENTION_FLOOR_MONTHS`] and a trail
    /// that does not verify. The purge is appended to the trail (`event`, with the counts and
    /// the anchor added to its detail) in the same transaction as the deletion.
    pub async fn purge_audit(
        &self,
        before: chrono::DateTime<chrono::Utc>,
        now: chrono::DateTime<chrono::Utc>,
        mut event: AuditEvent,
    ) -> Result<Purge> {
        let latest = now
            .checked_sub_months(chrono::Months::new(RETENTION_FLOOR_MONTHS))
            .unwrap_or(now);
        if before > latest {
            return Ok(Purge::TooRecent {
                latest_allowed: latest.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            });
        }
        let cut_before = before.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        // Walk the chain only when something would be deleted (the daily run usually finds
        // nothing older than the cut).
        let (oldest, keep): (Option<i64>, Option<i64>) = on_pool!(self, p => {
            let oldest: Option<i64> = sqlx::query_scalar("SELECT MIN(seq) FROM audit_log").fetch_one(p).await?;
            let keep: Option<i64> = sqlx::query_scalar("SELECT MIN(seq) FROM audit_log WHERE at >= $1")
                .bind(&cut_before).fetch_one(p).await?;
            (oldest, keep)
        });
        let deletes = match (oldest, keep) {
            (None, _) => false,
            (Some(o), Some(k)) => k > o,
            (Some(_), None) => true,
        };
        if deletes && let AuditCheck::Broken { seq, reason } = self.verify_audit().await? {
            return Ok(Purge::Broken { seq, reason });
        }
        let mut tx = self.begin().await?;
        // Appends wait for this transaction (it holds the chain's head).
        let (first, cut): (Option<i64>, Option<i64>) = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1").execute(&mut *c).await?;
            let first: Option<i64> = sqlx::query_scalar("SELECT MIN(seq) FROM audit_log").fetch_one(&mut *c).await?;
            let keep: Option<i64> = sqlx::query_scalar("SELECT MIN(seq) FROM audit_log WHERE at >= $1")
                .bind(&cut_before).fetch_one(&mut *c).await?;
            let cut = match keep {
                Some(k) => Some(k - 1),
                None => sqlx::query_scalar("SELECT MAX(seq) FROM audit_log").fetch_one(&mut *c).await?,
            };
            (first, cut)
        });
        let mut anchor = None;
        let mut purged = 0i64;
        if let (Some(first), Some(cut)) = (first, cut)
            && cut >= first
        {
            let hash: String = on_tx!(&mut tx, c => {
                sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1").bind(cut).fetch_one(&mut *c).await?
            });
            let n = on_tx!(&mut tx, c => {
                sqlx::query("DELETE FROM audit_log WHERE seq <= $1").bind(cut).execute(&mut *c).await?.rows_affected()
            });
            purged = i64::try_from(n).unwrap_or(i64::MAX);
            let a = AuditAnchor {
                seq: cut,
                hash,
                purged,
                cut_before: cut_before.clone(),
                purged_by: event.account.clone(),
                purged_at: now_text(),
            };
            on_tx!(&mut tx, c => {
                sqlx::query("INSERT INTO audit_anchors (seq, hash, purged, cut_before, purged_by, purged_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(a.seq).bind(&a.hash).bind(a.purged).bind(&a.cut_before).bind(&a.purged_by).bind(&a.purged_at)
                    .execute(&mut *c).await?;
            });
            anchor = Some(a);
        }
        let mut detail = match event.detail {
            serde_json::Value::Object(m) => m,
            _ => serde_json::Map::new(),
        };
        detail.insert("before".into(), cut_before.clone().into());
        detail.insert("purged".into(), purged.into());
        if let Some(a) = &anchor {
            detail.insert("anchor_seq".into(), a.seq.into());
            detail.insert("anchor_hash".into(), a.hash.clone().into());
        }
        event.detail = serde_json::Value::Object(detail);
        event.action = PURGE_ACTION.into();
        let record = append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(Purge::Done {
            purged,
            anchor,
            record: record.seq,
        })
    }

    /// Searches the trail, newest first.
    pub async fn audit_search(&self, q: &AuditQuery) -> Result<(i64, Vec<AuditRecord>)> {
        let mut conds = vec!["1 = 1".to_string()];
        let mut binds: Vec<String> = Vec::new();
        let mut add = |cond: &str, v: &Option<String>, binds: &mut Vec<String>| {
            if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                binds.push(v.to_string());
                conds.push(cond.replace('?', &format!("${}", binds.len())));
            }
        };
        add("account = ?", &q.account, &mut binds);
        add("action = ?", &q.action, &mut binds);
        add("object = ?", &q.object, &mut binds);
        add("at >= ?", &q.from, &mut binds);
        let until = q.until.as_deref().map(|u| {
            if u.len() == 10 {
                format!("{u}T99")
            } else {
                u.to_string()
            }
        });
        add("at <= ?", &until, &mut binds);
        let where_sql = conds.join(" AND ");
        let count_sql = format!("SELECT COUNT(*) FROM audit_log WHERE {where_sql}");
        let list_sql = format!(
            "SELECT {COLUMNS} FROM audit_log WHERE {where_sql} ORDER BY seq DESC LIMIT {} OFFSET {}",
            q.limit.clamp(1, 100_000),
            q.offset.max(0)
        );
        Ok(on_pool!(self, p => {
            let mut cq = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql));
            for b in &binds { cq = cq.bind(b); }
            let total: i64 = cq.fetch_one(p).await?;
            let mut lq = sqlx::query_as(sqlx::AssertSqlSafe(list_sql));
            for b in &binds { lq = lq.bind(b); }
            (total, lq.fetch_all(p).await?)
        }))
    }
}

impl Store {
    /// When the account's sign-in is locked, until when: the account has had `max_failures`
    /// failed sign-ins (page or API) since its last success, the oldest of the last
    /// `max_failures` within `window` before `now`. Reads the audit trail, the one record of
    /// every attempt.
    pub async fn login_locked_until(
        &self,
        username: &str,
        max_failures: i64,
        window: chrono::Duration,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        let sql = "SELECT at FROM audit_log
             WHERE account = $1 AND action IN ('login', 'api.session') AND outcome = 'failed'
               AND seq > COALESCE((SELECT MAX(seq) FROM audit_log WHERE account = $1 AND action IN ('login', 'api.session') AND outcome = 'ok'), 0)
             ORDER BY seq DESC LIMIT 1 OFFSET $2";
        let at: Option<String> = on_pool!(self, p => {
            sqlx::query_scalar(sql).bind(username).bind(max_failures - 1).fetch_optional(p).await?
        });
        let Some(at) = at.and_then(|a| chrono::DateTime::parse_from_rfc3339(&a).ok()) else {
            return Ok(None);
        };
        let until = at.with_timezone(&chrono::Utc) + window;
        Ok((until > now).then_some(until))
    }
}
