//! The programme's stored state: designations, placements, service records and settlements.
//! Every change is one transaction with the person's timeline, the audit record, the change
//! counter and — for a service record — the facts ledger's `rehab_service` record that
//! indicator 11 counts.

use chrono::NaiveDate;
use serde::Serialize;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::ledger::Fact;
use zhucan_domain::timeline::{EventKind, NewEvent};
use zhucan_service::rules::NeedKind;
use zhucan_service::store::{meet_needs_in, take_need_in};
use zhucan_store::audit::AuditEvent;
use zhucan_store::ledger::NewFact;
use zhucan_store::registry::Actor;
use zhucan_store::rows::{corrupt, date, opt_date};
use zhucan_store::{Result, Store, Tx, now_text, on_pool, on_tx};

use crate::rules::{Designation, Service, SettlementLine};

/// The programme's change counter.
pub const COUNTER: &str = "rehab";

/// A child's placement (安置) at a designated institution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Placement {
    pub id: String,
    pub citizen_id: CitizenId,
    pub institution_id: String,
    pub service: Service,
    pub area_code: String,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    pub created_by: String,
}

impl Placement {
    pub fn is_open(&self) -> bool {
        self.ended_on.is_none()
    }

    /// Whether the placement covers `day` (from its start to its end, inclusive).
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.started_on <= day && self.ended_on.is_none_or(|e| day <= e)
    }
}

/// A service record (康复服务记录).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    pub id: String,
    pub citizen_id: CitizenId,
    pub area_code: String,
    pub placement_id: Option<String>,
    /// The institution's id (`township/name`), empty for staff's community or home guidance.
    pub institution_id: String,
    pub served_on: NaiveDate,
    pub month: String,
    pub service: Service,
    pub sessions: i64,
    pub note: String,
    /// `typed` or `import`.
    pub source: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// A record to write.
#[derive(Debug, Clone)]
pub struct NewRecord {
    pub citizen_id: CitizenId,
    pub area_code: String,
    pub placement_id: Option<String>,
    pub institution_id: String,
    /// The institution's name, for the ledger record.
    pub institution_name: Option<String>,
    pub served_on: NaiveDate,
    pub service: Service,
    pub sessions: i64,
    pub note: String,
    pub source: &'static str,
}

/// What writing a record came to (nothing is written unless `Done`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    Done(String),
    /// The same person, day, service and institution is already recorded.
    Duplicate,
    /// The institution's month is settled: closed to new records.
    Settled,
    /// The stated need it acts on was taken or closed meanwhile.
    NeedGone,
}

/// What writing a batch of records came to (nothing is written unless `Done`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Batch {
    /// Written, and skipped as already recorded.
    Done { written: usize, skipped: usize },
    /// The record at this index falls in a settled month: nothing written.
    Settled(usize),
}

/// What placing a child came to (nothing is written unless `Done`), checked in the
/// transaction so that two clerks cannot over-fill an institution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placed {
    Done(String),
    Full {
        open: i64,
        capacity: i64,
    },
    AlreadyPlaced,
    /// The stated need it acts on was taken or closed meanwhile.
    NeedGone,
}

/// The reference a stated need taken by a placement carries (`needs.case_ref`).
pub fn placement_ref(id: &str) -> String {
    format!("rehab.placement:{id}")
}

/// The reference a stated need met by an adult's record carries.
pub fn record_ref(id: &str) -> String {
    format!("rehab.record:{id}")
}

/// A month's settlement (结算) for an institution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settlement {
    pub institution_id: String,
    pub month: String,
    pub children: i64,
    pub amount_fen: i64,
    pub lines: Vec<SettlementLine>,
    pub settled_by: String,
    pub settled_at: String,
}

#[derive(sqlx::FromRow)]
struct DesignationRow {
    institution_id: String,
    capacity: i64,
    agreement_no: String,
    agreement_from: String,
    agreement_to: String,
    exited_on: Option<String>,
    exit_reason: Option<String>,
}

impl DesignationRow {
    fn into_domain(self) -> Result<Designation> {
        Ok(Designation {
            agreement_from: date("agreement_from", &self.agreement_from)?,
            agreement_to: date("agreement_to", &self.agreement_to)?,
            exited_on: opt_date("exited_on", self.exited_on)?,
            institution_id: self.institution_id,
            capacity: self.capacity,
            agreement_no: self.agreement_no,
            exit_reason: self.exit_reason,
        })
    }
}

#[derive(sqlx::FromRow)]
struct PlacementRow {
    id: String,
    citizen_id: String,
    institution_id: String,
    service: String,
    area_code: String,
    started_on: String,
    ended_on: Option<String>,
    end_reason: Option<String>,
    created_by: String,
}

const PLACEMENT_COLUMNS: &str = "id, citizen_id, institution_id, service, area_code, started_on, ended_on, end_reason, created_by";

impl PlacementRow {
    fn into_domain(self) -> Result<Placement> {
        Ok(Placement {
            citizen_id: CitizenId::from_trusted(self.citizen_id.clone())
                .map_err(|_| corrupt("citizen_id", &self.citizen_id))?,
            service: Service::parse(&self.service)
                .ok_or_else(|| corrupt("rehab service", &self.service))?,
            started_on: date("started_on", &self.started_on)?,
            ended_on: opt_date("ended_on", self.ended_on)?,
            id: self.id,
            institution_id: self.institution_id,
            area_code: self.area_code,
            end_reason: self.end_reason,
            created_by: self.created_by,
        })
    }
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: String,
    citizen_id: String,
    area_code: String,
    placement_id: Option<String>,
    institution_id: String,
    served_on: String,
    month: String,
    service: String,
    sessions: i64,
    note: String,
    source: String,
    recorded_by: String,
    recorded_at: String,
}

const RECORD_COLUMNS: &str = "id, citizen_id, area_code, placement_id, institution_id, served_on, month, service, sessions, note, source, recorded_by, recorded_at";

impl RecordRow {
    fn into_domain(self) -> Result<Record> {
        Ok(Record {
            citizen_id: CitizenId::from_trusted(self.citizen_id.clone())
                .map_err(|_| corrupt("citizen_id", &self.citizen_id))?,
            service: Service::parse(&self.service)
                .ok_or_else(|| corrupt("rehab service", &self.service))?,
            served_on: date("served_on", &self.served_on)?,
            id: self.id,
            area_code: self.area_code,
            placement_id: self.placement_id,
            institution_id: self.institution_id,
            month: self.month,
            sessions: self.sessions,
            note: self.note,
            source: self.source,
            recorded_by: self.recorded_by,
            recorded_at: self.recorded_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct SettlementRow {
    institution_id: String,
    month: String,
    children: i64,
    amount_fen: i64,
    lines: String,
    settled_by: String,
    settled_at: String,
}

impl SettlementRow {
    fn into_domain(self) -> Result<Settlement> {
        let lines = serde_json::from_str(&self.lines)
            .map_err(|_| corrupt("rehab settlement lines", &self.lines))?;
        Ok(Settlement {
            institution_id: self.institution_id,
            month: self.month,
            children: self.children,
            amount_fen: self.amount_fen,
            lines,
            settled_by: self.settled_by,
            settled_at: self.settled_at,
        })
    }
}

fn placements(rows: Vec<PlacementRow>) -> Result<Vec<Placement>> {
    rows.into_iter().map(PlacementRow::into_domain).collect()
}

fn records(rows: Vec<RecordRow>) -> Result<Vec<Record>> {
    rows.into_iter().map(RecordRow::into_domain).collect()
}

/// The rehabilitation programme's storage.
#[allow(async_fn_in_trait)]
pub trait RehabStore {
    /// Every designation, by institution.
    async fn designations(&self) -> Result<Vec<Designation>>;
    async fn designation(&self, institution_id: &str) -> Result<Option<Designation>>;
    /// Designates an institution (or renews its agreement and capacity; a re-admission clears
    /// an exit), audited.
    async fn put_designation(&self, d: &Designation, by: &str, audit: &AuditEvent) -> Result<()>;
    /// The dynamic exit (动态退出) of a designated institution; `false` if not designated or
    /// already exited. Open placements stay open until staff end them.
    async fn exit_designation(
        &self,
        institution_id: &str,
        on: NaiveDate,
        reason: &str,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<bool>;
    /// The open placements at an institution.
    async fn open_at(&self, institution_id: &str) -> Result<i64>;
    async fn placement(&self, id: &str) -> Result<Option<Placement>>;
    /// The placements whose child's area is within `area` (a code prefix).
    async fn placements_in(&self, area: &str) -> Result<Vec<Placement>>;
    /// The placements at an institution.
    async fn placements_at(&self, institution_id: &str) -> Result<Vec<Placement>>;
    /// A child's placements, latest first.
    async fn placements_of(&self, citizen_id: &CitizenId) -> Result<Vec<Placement>>;
    /// Places a child (the capacity and the one-open-placement rule checked again in the
    /// transaction), with the timeline and the audit; the placement takes the stated need
    /// `need` if given ([`placement_ref`]), and its first record meets it.
    async fn place(
        &self,
        p: &Placement,
        capacity: i64,
        need: Option<&str>,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<Placed>;
    /// Ends an open placement; `false` if it was not open.
    async fn end_placement(
        &self,
        p: &Placement,
        on: NaiveDate,
        reason: &str,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<bool>;
    /// The records of a month whose person's area is within `area`.
    async fn records_in(&self, area: &str, month: &str) -> Result<Vec<Record>>;
    /// The records of a month at an institution.
    async fn records_at(&self, institution_id: &str, month: &str) -> Result<Vec<Record>>;
    /// The records of a placement, latest first.
    async fn records_of_placement(&self, placement_id: &str) -> Result<Vec<Record>>;
    /// A person's records outside a placement (adults' basic rehabilitation), latest first,
    /// at most `limit`.
    async fn records_of_person(&self, citizen_id: &CitizenId, limit: i64) -> Result<Vec<Record>>;
    /// Writes a record with its ledger row, the timeline, the counter and the audit in one
    /// transaction; a record that acts on the stated need `need` (an adult's service) takes
    /// and meets it in the same transaction.
    async fn record(
        &self,
        r: &NewRecord,
        need: Option<&str>,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<Recorded>;
    /// Writes records in one transaction (an import): those already recorded are skipped;
    /// one in a settled month writes nothing.
    async fn record_batch(
        &self,
        rs: &[NewRecord],
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<Batch>;
    async fn settlement(&self, institution_id: &str, month: &str) -> Result<Option<Settlement>>;
    /// The settlements of a month.
    async fn settlements(&self, month: &str) -> Result<Vec<Settlement>>;
    /// Stores a settlement (once per institution and month; `false` if already settled).
    async fn settle(&self, s: &Settlement, audit: &AuditEvent) -> Result<bool>;
}

/// Seeds the parameters (the programme's first migration).
pub async fn seed(tx: &mut Tx) -> Result<()> {
    zhucan_store::policy::seed_params(tx, crate::rules::default_params).await
}

async fn settled_in(tx: &mut Tx, institution_id: &str, month: &str) -> Result<bool> {
    let n: i64 = on_tx!(tx, c => {
        sqlx::query_scalar("SELECT COUNT(*) FROM rehab_settlements WHERE institution_id = $1 AND month = $2")
            .bind(institution_id).bind(month).fetch_one(&mut *c).await?
    });
    Ok(n > 0)
}

/// The institution's name in its id (`township/name`).
pub fn institution_name(id: &str) -> &str {
    id.split_once('/').map(|(_, n)| n).unwrap_or(id)
}

/// Writes one record in `tx` with its ledger row and the timeline; `Duplicate` and `Settled`
/// write nothing (the caller drops the transaction or goes on).
async fn record_in(tx: &mut Tx, r: &NewRecord, actor: &Actor<'_>) -> Result<Recorded> {
    let month = crate::rules::Month::of(r.served_on).key();
    if !r.institution_id.is_empty() && settled_in(tx, &r.institution_id, &month).await? {
        return Ok(Recorded::Settled);
    }
    let id = zhucan_store::accounts::ordered_id();
    let n = on_tx!(tx, c => {
        sqlx::query("INSERT INTO rehab_records (id, citizen_id, area_code, placement_id, institution_id, served_on, month, service, sessions, note, source, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (citizen_id, served_on, service, institution_id) DO NOTHING")
            .bind(&id).bind(r.citizen_id.as_str()).bind(&r.area_code).bind(r.placement_id.as_deref()).bind(&r.institution_id).bind(r.served_on.to_string()).bind(&month).bind(r.service.key()).bind(r.sessions).bind(&r.note).bind(r.source).bind(actor.name).bind(now_text())
            .execute(&mut *c).await?.rows_affected()
    });
    if n != 1 {
        return Ok(Recorded::Duplicate);
    }
    // The programme record of `feeds-and-records.md`: indicator 11 counts it at the next
    // computation, as it would an imported one.
    zhucan_store::ledger::append(
        tx,
        &[NewFact {
            citizen_id: r.citizen_id.clone(),
            fact: Fact::RehabService {
                served_on: r.served_on,
                service: r.service.label(zhucan_domain::Lang::Zh).to_string(),
                institution: r.institution_name.clone(),
            },
        }],
        None,
        actor.name,
    )
    .await?;
    let at = r
        .institution_name
        .as_deref()
        .map(|n| format!("，{n}"))
        .unwrap_or_default();
    // A typed record is an event of the person's timeline; an imported month is one
    // row a session, kept in the programme's records (not a timeline entry each).
    let events: Vec<NewEvent> = if r.source == "import" {
        vec![]
    } else {
        vec![NewEvent {
            kind: EventKind::ServiceStep,
            occurred_on: Some(r.served_on),
            summary: format!(
                "康复服务：{}{at}（{} 次）",
                r.service.label(zhucan_domain::Lang::Zh),
                r.sessions
            ),
        }]
    };
    zhucan_store::registry::touch(tx, r.citizen_id.as_str(), &events, actor).await?;
    // The placement's first record meets the stated need it took (none after: met once).
    if let Some(pid) = &r.placement_id {
        let outcome = format!(
            "已在{}开始康复训练（{}）。",
            r.institution_name.as_deref().unwrap_or("定点康复机构"),
            r.served_on
        );
        meet_needs_in(tx, &placement_ref(pid), &outcome, actor.name).await?;
    }
    Ok(Recorded::Done(id))
}

impl RehabStore for Store {
    async fn designations(&self) -> Result<Vec<Designation>> {
        let rows: Vec<DesignationRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT institution_id, capacity, agreement_no, agreement_from, agreement_to, exited_on, exit_reason FROM rehab_designations ORDER BY institution_id").fetch_all(p).await?
        });
        rows.into_iter().map(DesignationRow::into_domain).collect()
    }

    async fn designation(&self, institution_id: &str) -> Result<Option<Designation>> {
        let row: Option<DesignationRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT institution_id, capacity, agreement_no, agreement_from, agreement_to, exited_on, exit_reason FROM rehab_designations WHERE institution_id = $1").bind(institution_id).fetch_optional(p).await?
        });
        row.map(DesignationRow::into_domain).transpose()
    }

    async fn put_designation(&self, d: &Designation, by: &str, audit: &AuditEvent) -> Result<()> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO rehab_designations (institution_id, capacity, agreement_no, agreement_from, agreement_to, exited_on, exit_reason, set_by, set_at) VALUES ($1, $2, $3, $4, $5, NULL, NULL, $6, $7) ON CONFLICT (institution_id) DO UPDATE SET capacity = excluded.capacity, agreement_no = excluded.agreement_no, agreement_from = excluded.agreement_from, agreement_to = excluded.agreement_to, exited_on = NULL, exit_reason = NULL, set_by = excluded.set_by, set_at = excluded.set_at")
                .bind(&d.institution_id).bind(d.capacity).bind(&d.agreement_no).bind(d.agreement_from.to_string()).bind(d.agreement_to.to_string()).bind(by).bind(now_text())
                .execute(&mut *c).await?;
        });
        zhucan_store::changes::next(&mut tx, COUNTER).await?;
        zhucan_store::audit::append(&mut tx, audit).await?;
        tx.commit().await
    }

    async fn exit_designation(
        &self,
        institution_id: &str,
        on: NaiveDate,
        reason: &str,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE rehab_designations SET exited_on = $2, exit_reason = $3, set_by = $4, set_at = $5 WHERE institution_id = $1 AND exited_on IS NULL")
                .bind(institution_id).bind(on.to_string()).bind(reason).bind(by).bind(now_text())
                .execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Ok(false);
        }
        zhucan_store::changes::next(&mut tx, COUNTER).await?;
        zhucan_store::audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn open_at(&self, institution_id: &str) -> Result<i64> {
        Ok(on_pool!(self, p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM rehab_placements WHERE institution_id = $1 AND ended_on IS NULL")
                .bind(institution_id).fetch_one(p).await?
        }))
    }

    async fn placement(&self, id: &str) -> Result<Option<Placement>> {
        let q = format!("SELECT {PLACEMENT_COLUMNS} FROM rehab_placements WHERE id = $1");
        let row: Option<PlacementRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(id).fetch_optional(p).await?
        });
        row.map(PlacementRow::into_domain).transpose()
    }

    async fn placements_in(&self, area: &str) -> Result<Vec<Placement>> {
        let q = format!(
            "SELECT {PLACEMENT_COLUMNS} FROM rehab_placements WHERE area_code LIKE $1 ORDER BY started_on DESC, id"
        );
        let rows: Vec<PlacementRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(format!("{area}%")).fetch_all(p).await?
        });
        placements(rows)
    }

    async fn placements_at(&self, institution_id: &str) -> Result<Vec<Placement>> {
        let q = format!(
            "SELECT {PLACEMENT_COLUMNS} FROM rehab_placements WHERE institution_id = $1 ORDER BY started_on DESC, id"
        );
        let rows: Vec<PlacementRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(institution_id).fetch_all(p).await?
        });
        placements(rows)
    }

    async fn placements_of(&self, citizen_id: &CitizenId) -> Result<Vec<Placement>> {
        let q = format!(
            "SELECT {PLACEMENT_COLUMNS} FROM rehab_placements WHERE citizen_id = $1 ORDER BY started_on DESC, id"
        );
        let rows: Vec<PlacementRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(citizen_id.as_str()).fetch_all(p).await?
        });
        placements(rows)
    }

    async fn place(
        &self,
        p: &Placement,
        capacity: i64,
        need: Option<&str>,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<Placed> {
        let mut tx = self.begin().await?;
        let open: i64 = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT COUNT(*) FROM rehab_placements WHERE institution_id = $1 AND ended_on IS NULL")
                .bind(&p.institution_id).fetch_one(&mut *c).await?
        });
        if open >= capacity {
            return Ok(Placed::Full { open, capacity });
        }
        let mine: i64 = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT COUNT(*) FROM rehab_placements WHERE citizen_id = $1 AND ended_on IS NULL")
                .bind(p.citizen_id.as_str()).fetch_one(&mut *c).await?
        });
        if mine > 0 {
            return Ok(Placed::AlreadyPlaced);
        }
        let id = zhucan_store::accounts::ordered_id();
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO rehab_placements (id, citizen_id, institution_id, service, area_code, started_on, ended_on, end_reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, $7, $8)")
                .bind(&id).bind(p.citizen_id.as_str()).bind(&p.institution_id).bind(p.service.key()).bind(&p.area_code).bind(p.started_on.to_string()).bind(actor.name).bind(now_text())
                .execute(&mut *c).await?;
        });
        if let Some(need) = need {
            let referral = format!(
                "已安排在{}进行康复训练，自 {} 起。",
                institution_name(&p.institution_id),
                p.started_on
            );
            if !take_need_in(
                &mut tx,
                need,
                &p.citizen_id,
                NeedKind::Rehab,
                &placement_ref(&id),
                &referral,
                actor.name,
            )
            .await?
            {
                return Ok(Placed::NeedGone);
            }
        }
        zhucan_store::registry::touch(
            &mut tx,
            p.citizen_id.as_str(),
            &[NewEvent {
                kind: EventKind::ServiceStep,
                occurred_on: Some(p.started_on),
                summary: format!(
                    "儿童康复安置：{}（{}）",
                    institution_name(&p.institution_id),
                    p.service.label(zhucan_domain::Lang::Zh)
                ),
            }],
            actor,
        )
        .await?;
        zhucan_store::changes::next(&mut tx, COUNTER).await?;
        zhucan_store::audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(Placed::Done(id))
    }

    async fn end_placement(
        &self,
        p: &Placement,
        on: NaiveDate,
        reason: &str,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE rehab_placements SET ended_on = $2, end_reason = $3 WHERE id = $1 AND ended_on IS NULL")
                .bind(&p.id).bind(on.to_string()).bind(reason)
                .execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Ok(false);
        }
        zhucan_store::registry::touch(
            &mut tx,
            p.citizen_id.as_str(),
            &[NewEvent {
                kind: EventKind::ServiceStep,
                occurred_on: Some(on),
                summary: format!(
                    "儿童康复安置结束：{}（{reason}）",
                    institution_name(&p.institution_id)
                ),
            }],
            actor,
        )
        .await?;
        // A placement ended before any session leaves no need open behind it.
        let outcome = format!(
            "在{}的康复安置已于 {on} 结束：{reason}",
            institution_name(&p.institution_id)
        );
        meet_needs_in(&mut tx, &placement_ref(&p.id), &outcome, actor.name).await?;
        zhucan_store::changes::next(&mut tx, COUNTER).await?;
        zhucan_store::audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn records_in(&self, area: &str, month: &str) -> Result<Vec<Record>> {
        let q = format!(
            "SELECT {RECORD_COLUMNS} FROM rehab_records WHERE area_code LIKE $1 AND month = $2 ORDER BY served_on DESC, id"
        );
        let rows: Vec<RecordRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(format!("{area}%")).bind(month).fetch_all(p).await?
        });
        records(rows)
    }

    async fn records_at(&self, institution_id: &str, month: &str) -> Result<Vec<Record>> {
        let q = format!(
            "SELECT {RECORD_COLUMNS} FROM rehab_records WHERE institution_id = $1 AND month = $2 ORDER BY served_on DESC, id"
        );
        let rows: Vec<RecordRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(institution_id).bind(month).fetch_all(p).await?
        });
        records(rows)
    }

    async fn records_of_placement(&self, placement_id: &str) -> Result<Vec<Record>> {
        let q = format!(
            "SELECT {RECORD_COLUMNS} FROM rehab_records WHERE placement_id = $1 ORDER BY served_on DESC, id"
        );
        let rows: Vec<RecordRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(placement_id).fetch_all(p).await?
        });
        records(rows)
    }

    async fn records_of_person(&self, citizen_id: &CitizenId, limit: i64) -> Result<Vec<Record>> {
        let q = format!(
            "SELECT {RECORD_COLUMNS} FROM rehab_records WHERE citizen_id = $1 AND placement_id IS NULL ORDER BY served_on DESC, id LIMIT $2"
        );
        let rows: Vec<RecordRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(citizen_id.as_str()).bind(limit).fetch_all(p).await?
        });
        records(rows)
    }

    async fn record(
        &self,
        r: &NewRecord,
        need: Option<&str>,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<Recorded> {
        let mut tx = self.begin().await?;
        let done = record_in(&mut tx, r, actor).await?;
        let Recorded::Done(id) = &done else {
            // Dropped without commit: nothing written.
            return Ok(done);
        };
        if let Some(need) = need {
            let case = record_ref(id);
            let outcome = format!(
                "已为您提供康复服务：{}（{}）。",
                r.service.label(zhucan_domain::Lang::Zh),
                r.served_on
            );
            if !take_need_in(
                &mut tx,
                need,
                &r.citizen_id,
                NeedKind::Rehab,
                &case,
                &outcome,
                actor.name,
            )
            .await?
            {
                return Ok(Recorded::NeedGone);
            }
            meet_needs_in(&mut tx, &case, &outcome, actor.name).await?;
        }
        zhucan_store::changes::next(&mut tx, COUNTER).await?;
        zhucan_store::audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(done)
    }

    async fn record_batch(
        &self,
        rs: &[NewRecord],
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<Batch> {
        let mut tx = self.begin().await?;
        let (mut written, mut skipped) = (0, 0);
        for (i, r) in rs.iter().enumerate() {
            match record_in(&mut tx, r, actor).await? {
                Recorded::Done(_) => written += 1,
                Recorded::Duplicate | Recorded::NeedGone => skipped += 1,
                Recorded::Settled => return Ok(Batch::Settled(i)),
            }
        }
        zhucan_store::changes::next(&mut tx, COUNTER).await?;
        zhucan_store::audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(Batch::Done { written, skipped })
    }

    async fn settlement(&self, institution_id: &str, month: &str) -> Result<Option<Settlement>> {
        let row: Option<SettlementRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT institution_id, month, children, amount_fen, lines, settled_by, settled_at FROM rehab_settlements WHERE institution_id = $1 AND month = $2")
                .bind(institution_id).bind(month).fetch_optional(p).await?
        });
        row.map(SettlementRow::into_domain).transpose()
    }

    async fn settlements(&self, month: &str) -> Result<Vec<Settlement>> {
        let rows: Vec<SettlementRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT institution_id, month, children, amount_fen, lines, settled_by, settled_at FROM rehab_settlements WHERE month = $1 ORDER BY institution_id")
                .bind(month).fetch_all(p).await?
        });
        rows.into_iter().map(SettlementRow::into_domain).collect()
    }

    async fn settle(&self, s: &Settlement, audit: &AuditEvent) -> Result<bool> {
        let lines =
            serde_json::to_string(&s.lines).map_err(|e| corrupt("settlement", &e.to_string()))?;
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO rehab_settlements (institution_id, month, children, amount_fen, lines, settled_by, settled_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (institution_id, month) DO NOTHING")
                .bind(&s.institution_id).bind(&s.month).bind(s.children).bind(s.amount_fen).bind(lines).bind(&s.settled_by).bind(now_text())
                .execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Ok(false);
        }
        zhucan_store::changes::next(&mut tx, COUNTER).await?;
        zhucan_store::audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }
}
