//! Institutions (机构).

use chrono::NaiveDate;
use zhucan_domain::area::AreaCode;
use zhucan_domain::institution::{
    Change, Decision, DecisionKind, Institution, InstitutionKind, Operator,
};

use crate::audit::AuditEvent;

use crate::rows::{corrupt, date, opt_date};
use crate::{Result, Store, now_text, on_pool, on_tx};

#[derive(sqlx::FromRow)]
struct Row {
    name: String,
    kind: String,
    township_code: String,
    standardized: bool,
    designated: bool,
    beds: Option<i64>,
    stars: Option<i64>,
    opened_on: String,
    closed_on: Option<String>,
}

#[derive(sqlx::FromRow)]
struct DecisionRow {
    seq: i64,
    institution_id: String,
    kind: String,
    value: Option<String>,
    effective_on: String,
    document: Option<String>,
}

impl DecisionRow {
    fn into_domain(self) -> Result<(String, Decision)> {
        let bad = || {
            corrupt(
                "institution decision value",
                self.value.as_deref().unwrap_or(""),
            )
        };
        let flag = |v: &Option<String>| match v.as_deref() {
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            _ => Err(bad()),
        };
        let kind = DecisionKind::parse(&self.kind)
            .ok_or_else(|| corrupt("institution decision kind", &self.kind))?;
        let change = match kind {
            DecisionKind::Standardized => Change::Standardized(flag(&self.value)?),
            DecisionKind::Designated => Change::Designated(flag(&self.value)?),
            DecisionKind::Operator => Change::Operator(
                self.value
                    .as_deref()
                    .and_then(Operator::parse)
                    .ok_or_else(bad)?,
            ),
            DecisionKind::Beds => Change::Beds(match self.value.as_deref() {
                None => None,
                Some(v) => Some(v.parse().map_err(|_| bad())?),
            }),
            DecisionKind::Opened => Change::Opened,
            DecisionKind::Closed => Change::Closed,
        };
        Ok((
            self.institution_id,
            Decision {
                effective_on: date("effective_on", &self.effective_on)?,
                change,
                document: self.document,
                seq: self.seq,
            },
        ))
    }
}

/// The stored value of a change (`None` for an opening or closing, or no beds stated).
fn value_of(c: &Change) -> Option<String> {
    match c {
        Change::Standardized(b) | Change::Designated(b) => Some(b.to_string()),
        Change::Operator(o) => Some(o.key().to_string()),
        Change::Beds(b) => b.map(|n| n.to_string()),
        Change::Opened | Change::Closed => None,
    }
}

/// A decision to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDecision {
    pub institution_id: String,
    pub effective_on: NaiveDate,
    pub change: Change,
    pub document: Option<String>,
    pub reason: Option<String>,
}

impl Store {
    /// Every institution, by township and name, with its dated decisions.
    pub async fn institutions(&self) -> Result<Vec<Institution>> {
        let rows: Vec<Row> = on_pool!(self, p => {
            sqlx::query_as("SELECT name, kind, township_code, standardized, designated, beds, stars, opened_on, closed_on FROM institutions ORDER BY township_code, name")
                .fetch_all(p).await?
        });
        let decided: Vec<DecisionRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT seq, institution_id, kind, value, effective_on, document FROM institution_decisions ORDER BY institution_id, effective_on, seq")
                .fetch_all(p).await?
        });
        let mut decisions: std::collections::HashMap<String, Vec<Decision>> = Default::default();
        for r in decided {
            let (id, d) = r.into_domain()?;
            decisions.entry(id).or_default().push(d);
        }
        rows.into_iter()
            .map(|r| {
                let id = format!("{}/{}", r.township_code, r.name);
                Ok(Institution {
                    decisions: decisions.remove(&id).unwrap_or_default(),
                    kind: InstitutionKind::parse(&r.kind)
                        .ok_or_else(|| corrupt("institution kind", &r.kind))?,
                    township: AreaCode::parse(&r.township_code)
                        .ok_or_else(|| corrupt("township_code", &r.township_code))?,
                    standardized: r.standardized,
                    designated: r.designated,
                    beds: r.beds,
                    stars: r.stars,
                    opened_on: date("opened_on", &r.opened_on)?,
                    closed_on: opt_date("closed_on", r.closed_on)?,
                    name: r.name,
                })
            })
            .collect()
    }

    /// Adds or updates institutions (keyed by township and name); returns how many changed.
    pub async fn upsert_institutions(&self, list: &[Institution]) -> Result<usize> {
        let existing = self.institutions().await?;
        let mut tx = self.begin().await?;
        let mut changed = 0;
        for i in list {
            if existing.iter().any(|e| e.same_row(i)) {
                continue;
            }
            if changed == 0 {
                crate::changes::next(&mut tx, crate::changes::REFERENCE).await?;
            }
            changed += 1;
            on_tx!(&mut tx, c => {
                sqlx::query(
                    "INSERT INTO institutions (id, name, kind, township_code, standardized, designated, beds, stars, opened_on, closed_on, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, standardized = excluded.standardized, designated = excluded.designated,
                       beds = excluded.beds, stars = excluded.stars, opened_on = excluded.opened_on, closed_on = excluded.closed_on, updated_at = excluded.updated_at",
                )
                .bind(i.id())
                .bind(&i.name)
                .bind(i.kind.key())
                .bind(i.township.as_str())
                .bind(i.standardized)
                .bind(i.designated)
                .bind(i.beds)
                .bind(i.stars)
                .bind(i.opened_on.to_string())
                .bind(i.closed_on.map(|d| d.to_string()))
                .bind(now_text())
                .execute(&mut *c)
                .await?;
            });
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Records a dated decision about an existing institution, with its audit record; the
    /// indicators see it at their next computation. Returns its order (`seq`), or `None` when
    /// there is no such institution.
    pub async fn record_institution_decision(
        &self,
        d: &NewDecision,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<Option<i64>> {
        let mut tx = self.begin().await?;
        let exists: Option<String> = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT id FROM institutions WHERE id = $1")
                .bind(&d.institution_id).fetch_optional(&mut *c).await?
        });
        if exists.is_none() {
            return Ok(None);
        }
        let seq = crate::changes::next(&mut tx, crate::changes::REFERENCE).await?;
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO institution_decisions (seq, institution_id, kind, value, effective_on, document, reason, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(seq).bind(&d.institution_id).bind(d.change.kind().key()).bind(value_of(&d.change))
                .bind(d.effective_on.to_string()).bind(&d.document).bind(&d.reason).bind(by).bind(now_text())
                .execute(&mut *c).await?;
        });
        crate::audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(Some(seq))
    }
}
