//! Blind massage (盲人按摩, 专栏3-5: ≥ 10 health-massage institutions, ≥ 5 medical-massage
//! practitioners): the practitioners — blind persons of the registry working as health or
//! medical masseurs, with their qualification, where they work and since when. The
//! institutions are the registry's 盲人按摩机构. Every write keeps the plan's
//! `blind_medical_masseurs` target current (a progress entry in the same transaction).

use chrono::NaiveDate;
use serde::Serialize;
use zhucan_domain::coded_enum;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::timeline::{EventKind, NewEvent};
use zhucan_store::audit::AuditEvent;
use zhucan_store::registry::Actor;
use zhucan_store::rows::{corrupt, date, opt_date};
use zhucan_store::{Result, Store, Tx, now_text, on_pool, on_tx};

use crate::store::Written;

/// The plan target the medical practitioners measure.
pub const TARGET: &str = "blind_medical_masseurs";

coded_enum! {
    /// What a practitioner does.
    pub enum MassageKind {
        Health = ("health", "盲人保健按摩", "health massage"),
        Medical = ("medical", "盲人医疗按摩", "medical massage"),
    }
}

/// A practitioner as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Practitioner {
    pub citizen_id: CitizenId,
    pub kind: MassageKind,
    pub qualification: String,
    pub workplace: String,
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
    pub area_code: String,
    pub version: i64,
}

impl Practitioner {
    /// Practising on `d`.
    pub fn active_on(&self, d: NaiveDate) -> bool {
        self.since <= d && self.until.is_none_or(|u| u >= d)
    }
}

/// A practitioner to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPractitioner {
    pub citizen_id: CitizenId,
    pub kind: MassageKind,
    pub qualification: String,
    pub workplace: String,
    pub since: NaiveDate,
    pub area_code: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    citizen_id: String,
    kind: String,
    qualification: String,
    workplace: String,
    since: String,
    until: Option<String>,
    area_code: String,
    version: i64,
}

impl Row {
    fn into_domain(self) -> Result<Practitioner> {
        Ok(Practitioner {
            citizen_id: CitizenId::from_trusted(self.citizen_id.clone())
                .map_err(|_| corrupt("citizen_id", &self.citizen_id))?,
            kind: MassageKind::parse(&self.kind).ok_or_else(|| corrupt("kind", &self.kind))?,
            since: date("since", &self.since)?,
            until: opt_date("until", self.until)?,
            qualification: self.qualification,
            workplace: self.workplace,
            area_code: self.area_code,
            version: self.version,
        })
    }
}

/// The practitioners' queries.
#[allow(async_fn_in_trait)]
pub trait MassageStore {
    /// The practitioners whose home area starts with `area`, by area then ID.
    async fn practitioners(&self, area: &str) -> Result<Vec<Practitioner>>;
    /// Records a practitioner (a person is recorded once: `Stale` when already).
    async fn add_practitioner(
        &self,
        p: &NewPractitioner,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<Written>;
    /// Records the last day of practice, at the version shown.
    async fn end_practice(
        &self,
        id: &CitizenId,
        version: i64,
        until: NaiveDate,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<Written>;
}

/// Keeps the plan's target current: the district's medical practitioners today.
async fn measure_in(tx: &mut Tx, by: &str) -> Result<()> {
    let today = chrono::Local::now().date_naive();
    let value: i64 = on_tx!(tx, c => {
        sqlx::query_scalar("SELECT COUNT(*) FROM employment_masseurs WHERE kind = 'medical' AND since <= $1 AND (until IS NULL OR until >= $1)")
            .bind(today.to_string()).fetch_one(&mut *c).await?
    });
    zhucan_plan::store::record_measured_in(
        tx,
        TARGET,
        value,
        today,
        "盲人医疗按摩人员登记汇总（就业模块，自动）",
        by,
    )
    .await
}

impl MassageStore for Store {
    async fn practitioners(&self, area: &str) -> Result<Vec<Practitioner>> {
        let rows: Vec<Row> = on_pool!(self, p => {
            sqlx::query_as("SELECT citizen_id, kind, qualification, workplace, since, until, area_code, version FROM employment_masseurs WHERE area_code LIKE $1 ORDER BY area_code, citizen_id")
                .bind(format!("{area}%")).fetch_all(p).await?
        });
        rows.into_iter().map(Row::into_domain).collect()
    }

    async fn add_practitioner(
        &self,
        p: &NewPractitioner,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<Written> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO employment_masseurs (citizen_id, kind, qualification, workplace, since, area_code, recorded_by, recorded_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1) ON CONFLICT (citizen_id) DO NOTHING")
                .bind(p.citizen_id.as_str()).bind(p.kind.key()).bind(&p.qualification).bind(&p.workplace).bind(p.since.to_string()).bind(&p.area_code).bind(actor.name).bind(now_text())
                .execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Ok(Written::Stale);
        }
        let events = [NewEvent {
            kind: EventKind::ServiceStep,
            occurred_on: Some(p.since),
            summary: format!("{}：{}", p.kind.zh(), p.workplace),
        }];
        zhucan_store::registry::touch(&mut tx, p.citizen_id.as_str(), &events, actor).await?;
        measure_in(&mut tx, actor.name).await?;
        crate::store::finish(tx, audit).await?;
        Ok(Written::Done)
    }

    async fn end_practice(
        &self,
        id: &CitizenId,
        version: i64,
        until: NaiveDate,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<Written> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE employment_masseurs SET until = $3, recorded_by = $4, recorded_at = $5, version = version + 1 WHERE citizen_id = $1 AND version = $2 AND until IS NULL AND since <= $3")
                .bind(id.as_str()).bind(version).bind(until.to_string()).bind(by).bind(now_text())
                .execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Ok(Written::Stale);
        }
        measure_in(&mut tx, by).await?;
        crate::store::finish(tx, audit).await?;
        Ok(Written::Done)
    }
}
