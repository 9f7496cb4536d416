//! The care programme's storage: care stays ([`CareStore`]). Each write is one transaction
//! with the person's `care` fact in the ledger, the timeline, the change counter and the
//! audit record. The institutions' dated decisions are the kernel's
//! (`Store::record_institution_decision`): the indicators read them with the directory.

use chrono::NaiveDate;
use serde::Serialize;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::ledger::Fact;
use zhucan_domain::person::CareNeed;
use zhucan_domain::timeline::{EventKind, NewEvent};
use zhucan_store::audit::AuditEvent;
use zhucan_store::ledger::NewFact;
use zhucan_store::registry::Actor;
use zhucan_store::rows::{corrupt, date, opt_date};
use zhucan_store::spans;
use zhucan_store::{Result, Store, Tx, now_text, on_pool, on_tx};

/// The programme's change counter.
pub const COUNTER: &str = "care";

/// The stays' table.
const TABLE: &str = "care_stays";

/// A stay as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stay {
    pub id: String,
    pub citizen_id: CitizenId,
    pub institution_id: String,
    pub mode: CareNeed,
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
    pub version: i64,
}

/// A stay to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStay {
    pub citizen_id: CitizenId,
    pub institution_id: String,
    /// The institution's name, as the ledger fact names it.
    pub institution_name: String,
    pub mode: CareNeed,
    pub since: NaiveDate,
}

/// How a guarded write ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Done,
    /// Changed since it was shown, already ended, or the day is before the stay's first.
    Stale,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    citizen_id: String,
    institution_id: String,
    mode: String,
    since: String,
    until: Option<String>,
    version: i64,
}

const COLUMNS: &str = "id, citizen_id, institution_id, mode, since, until, version";

impl Row {
    fn into_domain(self) -> Result<Stay> {
        Ok(Stay {
            citizen_id: CitizenId::from_trusted(self.citizen_id.clone())
                .map_err(|_| corrupt("citizen_id", &self.citizen_id))?,
            mode: CareNeed::parse(&self.mode).ok_or_else(|| corrupt("mode", &self.mode))?,
            since: date("since", &self.since)?,
            until: opt_date("until", self.until)?,
            id: self.id,
            institution_id: self.institution_id,
            version: self.version,
        })
    }
}

/// The institution's name in an id (`township/name`).
pub fn name_in(institution_id: &str) -> &str {
    institution_id
        .split_once('/')
        .map_or(institution_id, |(_, n)| n)
}

fn fact(s: &Stay) -> NewFact {
    NewFact {
        citizen_id: s.citizen_id.clone(),
        fact: Fact::Care {
            mode: s.mode,
            institution: Some(name_in(&s.institution_id).to_string()),
            from: s.since,
            until: s.until,
        },
    }
}

async fn finish(mut tx: Tx, audit: &AuditEvent) -> Result<()> {
    zhucan_store::changes::next(&mut tx, COUNTER).await?;
    zhucan_store::audit::append(&mut tx, audit).await?;
    tx.commit().await
}

/// The stays' queries.
#[allow(async_fn_in_trait)]
pub trait CareStore {
    /// The stays at institutions whose id starts with `prefix` (a township code, or an
    /// institution's whole id), the latest first.
    async fn care_stays_at(&self, prefix: &str) -> Result<Vec<Stay>>;
    /// One person's stays, the latest first.
    async fn care_stays_of(&self, id: &CitizenId) -> Result<Vec<Stay>>;
    async fn care_stay(&self, id: &str) -> Result<Option<Stay>>;
    /// Records a stay; its id.
    async fn admit(&self, s: &NewStay, actor: &Actor<'_>, audit: &AuditEvent) -> Result<String>;
    /// Records the last day of a stay shown at `version` (not before its first day).
    async fn discharge(
        &self,
        id: &str,
        version: i64,
        until: NaiveDate,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<Written>;
}

impl CareStore for Store {
    async fn care_stays_at(&self, prefix: &str) -> Result<Vec<Stay>> {
        let q = format!(
            "SELECT {COLUMNS} FROM care_stays WHERE institution_id LIKE $1 ORDER BY since DESC, id DESC"
        );
        let rows: Vec<Row> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(format!("{prefix}%")).fetch_all(p).await?
        });
        rows.into_iter().map(Row::into_domain).collect()
    }

    async fn care_stays_of(&self, id: &CitizenId) -> Result<Vec<Stay>> {
        let q = format!(
            "SELECT {COLUMNS} FROM care_stays WHERE citizen_id = $1 ORDER BY since DESC, id DESC"
        );
        let rows: Vec<Row> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(id.as_str()).fetch_all(p).await?
        });
        rows.into_iter().map(Row::into_domain).collect()
    }

    async fn care_stay(&self, id: &str) -> Result<Option<Stay>> {
        let q = format!("SELECT {COLUMNS} FROM care_stays WHERE id = $1");
        let row: Option<Row> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(id).fetch_optional(p).await?
        });
        row.map(Row::into_domain).transpose()
    }

    async fn admit(&self, s: &NewStay, actor: &Actor<'_>, audit: &AuditEvent) -> Result<String> {
        let id = zhucan_store::accounts::ordered_id();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO care_stays (id, citizen_id, institution_id, mode, since, until, recorded_by, recorded_at, version) VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, 1)")
                .bind(&id).bind(s.citizen_id.as_str()).bind(&s.institution_id).bind(s.mode.key()).bind(s.since.to_string()).bind(actor.name).bind(now_text())
                .execute(&mut *c).await?;
        });
        let stay = Stay {
            id: id.clone(),
            citizen_id: s.citizen_id.clone(),
            institution_id: s.institution_id.clone(),
            mode: s.mode,
            since: s.since,
            until: None,
            version: 1,
        };
        let event = NewEvent {
            kind: EventKind::ServiceStep,
            occurred_on: Some(s.since),
            summary: format!("{}托养：{}", s.mode.zh(), s.institution_name),
        };
        spans::record(&mut tx, s.citizen_id.as_str(), fact(&stay), event, actor).await?;
        finish(tx, audit).await?;
        Ok(id)
    }

    async fn discharge(
        &self,
        id: &str,
        version: i64,
        until: NaiveDate,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<Written> {
        let mut tx = self.begin().await?;
        if !spans::end(&mut tx, TABLE, id, version, until, actor).await? {
            return Ok(Written::Stale);
        }
        let q = format!("SELECT {COLUMNS} FROM care_stays WHERE id = $1");
        let row: Row = on_tx!(&mut tx, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(id).fetch_one(&mut *c).await?
        });
        let s = row.into_domain()?;
        let event = NewEvent {
            kind: EventKind::ServiceStep,
            occurred_on: Some(until),
            summary: format!("{}托养结束：{}", s.mode.zh(), name_in(&s.institution_id)),
        };
        spans::record(&mut tx, s.citizen_id.as_str(), fact(&s), event, actor).await?;
        finish(tx, audit).await?;
        Ok(Written::Done)
    }
}
