//! Employment placements (就业安置): the periods of work the programme records — a
//! public-welfare job (公益性岗位), supported employment (辅助性就业) or another form entered
//! directly by staff, and every placement through a referral. Each is the person's
//! `employment` fact of `feeds-and-records.md` (identity: its first day), appended in the
//! same transaction, so indicator 9 and 专栏3 count it at once; ending it appends the same
//! fact with its last day, so the person counts as employed up to that day only.

use chrono::NaiveDate;
use serde::Serialize;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::ledger::Fact;
use zhucan_domain::person::EmploymentStatus;
use zhucan_domain::timeline::{EventKind, NewEvent};
use zhucan_store::audit::AuditEvent;
use zhucan_store::ledger::NewFact;
use zhucan_store::registry::Actor;
use zhucan_store::rows::{corrupt, date, opt_date};
use zhucan_store::spans;
use zhucan_store::{Result, Store, Tx, now_text, on_pool, on_tx};

use crate::store::Written;

/// The forms staff record directly (按比例就业 comes from the quota review and referrals;
/// 未就业 is no placement).
pub const DIRECT_FORMS: [EmploymentStatus; 6] = [
    EmploymentStatus::PublicWelfare,
    EmploymentStatus::Supported,
    EmploymentStatus::Concentrated,
    EmploymentStatus::SelfEmployed,
    EmploymentStatus::Farming,
    EmploymentStatus::Flexible,
];

/// A placement as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Placement {
    pub id: String,
    pub citizen_id: CitizenId,
    pub area_code: String,
    pub form: EmploymentStatus,
    pub post: String,
    pub employer_uscc: Option<String>,
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
    /// `direct` or `referral`.
    pub source: String,
    pub version: i64,
}

/// A placement to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlacement {
    pub citizen_id: CitizenId,
    pub area_code: String,
    pub form: EmploymentStatus,
    pub post: String,
    pub employer_uscc: Option<String>,
    pub since: NaiveDate,
    pub referral_id: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    citizen_id: String,
    area_code: String,
    form: String,
    post: String,
    employer_uscc: Option<String>,
    since: String,
    until: Option<String>,
    source: String,
    version: i64,
}

const COLUMNS: &str =
    "id, citizen_id, area_code, form, post, employer_uscc, since, until, source, version";

impl Row {
    fn into_domain(self) -> Result<Placement> {
        Ok(Placement {
            citizen_id: CitizenId::from_trusted(self.citizen_id.clone())
                .map_err(|_| corrupt("citizen_id", &self.citizen_id))?,
            form: EmploymentStatus::parse(&self.form).ok_or_else(|| corrupt("form", &self.form))?,
            since: date("since", &self.since)?,
            until: opt_date("until", self.until)?,
            id: self.id,
            area_code: self.area_code,
            post: self.post,
            employer_uscc: self.employer_uscc,
            source: self.source,
            version: self.version,
        })
    }

    fn fact(p: &Placement) -> NewFact {
        NewFact {
            citizen_id: p.citizen_id.clone(),
            fact: Fact::Employment {
                employment_status: p.form,
                employer_uscc: p.employer_uscc.clone(),
                from: p.since,
                until: p.until,
            },
        }
    }
}

/// Records a placement inside `tx` (the referral's outcome uses it too): the row, the
/// ledger's `employment` fact and the timeline event. Returns its id.
pub(crate) async fn place_in(tx: &mut Tx, p: &NewPlacement, actor: &Actor<'_>) -> Result<String> {
    let id = zhucan_store::accounts::ordered_id();
    let source = if p.referral_id.is_some() {
        "referral"
    } else {
        "direct"
    };
    on_tx!(tx, c => {
        sqlx::query("INSERT INTO employment_placements (id, citizen_id, area_code, form, post, employer_uscc, since, until, source, referral_id, recorded_by, recorded_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, $10, $11, 1)")
            .bind(&id).bind(p.citizen_id.as_str()).bind(&p.area_code).bind(p.form.key()).bind(&p.post).bind(&p.employer_uscc).bind(p.since.to_string()).bind(source).bind(&p.referral_id).bind(actor.name).bind(now_text())
            .execute(&mut *c).await?;
    });
    let placed = Placement {
        id: id.clone(),
        citizen_id: p.citizen_id.clone(),
        area_code: p.area_code.clone(),
        form: p.form,
        post: p.post.clone(),
        employer_uscc: p.employer_uscc.clone(),
        since: p.since,
        until: None,
        source: source.to_string(),
        version: 1,
    };
    let event = NewEvent {
        kind: EventKind::ServiceStep,
        occurred_on: Some(p.since),
        summary: format!("就业安置：{}（{}）", p.post, p.form.zh()),
    };
    spans::record(tx, p.citizen_id.as_str(), Row::fact(&placed), event, actor).await?;
    Ok(id)
}

/// The placements' queries.
#[allow(async_fn_in_trait)]
pub trait PlacementStore {
    /// The placements whose person's home area starts with `area`, the latest first.
    async fn job_placements(&self, area: &str) -> Result<Vec<Placement>>;
    async fn job_placement(&self, id: &str) -> Result<Option<Placement>>;
    /// Records a placement entered by staff; its id.
    async fn add_job_placement(
        &self,
        p: &NewPlacement,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<String>;
    /// Records the last day of a placement shown at `version` (not before its first day).
    async fn end_job_placement(
        &self,
        id: &str,
        version: i64,
        until: NaiveDate,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<Written>;
}

impl PlacementStore for Store {
    async fn job_placements(&self, area: &str) -> Result<Vec<Placement>> {
        let q = format!(
            "SELECT {COLUMNS} FROM employment_placements WHERE area_code LIKE $1 ORDER BY since DESC, id DESC"
        );
        let rows: Vec<Row> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(format!("{area}%")).fetch_all(p).await?
        });
        rows.into_iter().map(Row::into_domain).collect()
    }

    async fn job_placement(&self, id: &str) -> Result<Option<Placement>> {
        let q = format!("SELECT {COLUMNS} FROM employment_placements WHERE id = $1");
        let row: Option<Row> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(id).fetch_optional(p).await?
        });
        row.map(Row::into_domain).transpose()
    }

    async fn add_job_placement(
        &self,
        p: &NewPlacement,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<String> {
        let mut tx = self.begin().await?;
        let id = place_in(&mut tx, p, actor).await?;
        crate::store::finish(tx, audit).await?;
        Ok(id)
    }

    async fn end_job_placement(
        &self,
        id: &str,
        version: i64,
        until: NaiveDate,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<Written> {
        let mut tx = self.begin().await?;
        if !spans::end(&mut tx, "employment_placements", id, version, until, actor).await? {
            return Ok(Written::Stale);
        }
        let q = format!("SELECT {COLUMNS} FROM employment_placements WHERE id = $1");
        let row: Row = on_tx!(&mut tx, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(id).fetch_one(&mut *c).await?
        });
        let p = row.into_domain()?;
        let event = NewEvent {
            kind: EventKind::ServiceStep,
            occurred_on: Some(until),
            summary: format!("就业安置结束：{}（{}）", p.post, p.form.zh()),
        };
        spans::record(&mut tx, p.citizen_id.as_str(), Row::fact(&p), event, actor).await?;
        crate::store::finish(tx, audit).await?;
        Ok(Written::Done)
    }
}
