//! The programme's stored state: the catalogue, cases, the stock of the service points and
//! loans. Every change is one transaction with the person's timeline, the audit record, the
//! change counter and — at a fitting, a loan, its renewal and its return — the facts
//! ledger's `device_fitting` / `device_loan` record that indicator 12 counts.

use chrono::NaiveDate;
use serde::Serialize;
use zhucan_domain::disability::Category;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::ledger::Fact;
use zhucan_domain::timeline::{EventKind, NewEvent};
use zhucan_store::audit::AuditEvent;
use zhucan_store::ledger::NewFact;
use zhucan_store::registry::Actor;
use zhucan_store::rows::{corrupt, date, opt_date};
use zhucan_store::{Result, Store, Tx, now_text, on_pool, on_tx};

use crate::rules::{Condition, Item, Mode, Status};

/// The programme's change counter.
pub const COUNTER: &str = "devices";

/// A case (适配): assessment, decision, fitting, follow-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    pub id: String,
    pub citizen_id: CitizenId,
    pub area_code: String,
    pub item_key: String,
    pub status: Status,
    pub assessed_on: NaiveDate,
    pub assessment: String,
    pub assessed_by: String,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
    pub fitted_on: Option<NaiveDate>,
    pub mode: Option<Mode>,
    pub invoice_fen: Option<i64>,
    pub subsidy_fen: Option<i64>,
    pub ratio_basis: Option<String>,
    pub fitted_by: Option<String>,
    pub followup_due: Option<NaiveDate>,
    pub followed_on: Option<NaiveDate>,
    pub followup_note: Option<String>,
    pub followed_by: Option<String>,
    /// The service-end application the case answers, if any.
    pub application_id: Option<String>,
}

/// What a fitting records.
#[derive(Debug, Clone)]
pub struct Fitting {
    pub fitted_on: NaiveDate,
    pub mode: Mode,
    pub invoice_fen: Option<i64>,
    pub subsidy_fen: i64,
    pub basis: String,
    pub followup_due: NaiveDate,
}

/// A stock item of a service point (辅具服务点).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockItem {
    pub code: String,
    pub point_id: String,
    pub item_key: String,
    pub condition: Condition,
    pub note: String,
}

/// A loan (借用).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Loan {
    pub id: String,
    pub code: String,
    pub citizen_id: CitizenId,
    pub area_code: String,
    pub lent_on: NaiveDate,
    pub due_on: NaiveDate,
    pub returned_on: Option<NaiveDate>,
    pub renewals: i64,
    pub return_condition: Option<Condition>,
    pub reminded_on: Option<NaiveDate>,
    pub lent_by: String,
}

/// What lending came to (nothing written unless `Done`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lent {
    Done(String),
    /// The item is on loan already, or not in a lendable condition.
    NotAvailable,
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    key: String,
    label: String,
    label_en: String,
    category: String,
    disabilities: String,
    mode: String,
    cap_fen: i64,
    loanable: bool,
    loan_days: i64,
    max_renewals: i64,
    followup_days: i64,
}

#[derive(sqlx::FromRow)]
struct CatalogueRow {
    #[sqlx(flatten)]
    item: ItemRow,
    active: bool,
}

impl ItemRow {
    fn into_domain(self) -> Result<Item> {
        let disabilities = self
            .disabilities
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| Category::parse(s).ok_or_else(|| corrupt("device disabilities", s)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Item {
            mode: Mode::parse(&self.mode).ok_or_else(|| corrupt("device mode", &self.mode))?,
            key: self.key,
            label: self.label,
            label_en: self.label_en,
            category: self.category,
            disabilities,
            cap_fen: self.cap_fen,
            loanable: self.loanable,
            loan_days: self.loan_days,
            max_renewals: self.max_renewals,
            followup_days: self.followup_days,
        })
    }
}

const ITEM_COLUMNS: &str = "key, label, label_en, category, disabilities, mode, cap_fen, loanable, loan_days, max_renewals, followup_days";

#[derive(sqlx::FromRow)]
struct CaseRow {
    id: String,
    citizen_id: String,
    area_code: String,
    item_key: String,
    status: String,
    assessed_on: String,
    assessment: String,
    assessed_by: String,
    decided_by: Option<String>,
    decision_note: Option<String>,
    fitted_on: Option<String>,
    mode: Option<String>,
    invoice_fen: Option<i64>,
    subsidy_fen: Option<i64>,
    ratio_basis: Option<String>,
    fitted_by: Option<String>,
    followup_due: Option<String>,
    followed_on: Option<String>,
    followup_note: Option<String>,
    followed_by: Option<String>,
    application_id: Option<String>,
}

const CASE_COLUMNS: &str = "id, citizen_id, area_code, item_key, status, assessed_on, assessment, assessed_by, decided_by, decision_note, fitted_on, mode, invoice_fen, subsidy_fen, ratio_basis, fitted_by, followup_due, followed_on, followup_note, followed_by, application_id";

impl CaseRow {
    fn into_domain(self) -> Result<Case> {
        Ok(Case {
            citizen_id: CitizenId::from_trusted(self.citizen_id.clone())
                .map_err(|_| corrupt("citizen_id", &self.citizen_id))?,
            status: Status::parse(&self.status)
                .ok_or_else(|| corrupt("device case status", &self.status))?,
            assessed_on: date("assessed_on", &self.assessed_on)?,
            fitted_on: opt_date("fitted_on", self.fitted_on)?,
            followup_due: opt_date("followup_due", self.followup_due)?,
            followed_on: opt_date("followed_on", self.followed_on)?,
            mode: match self.mode {
                None => None,
                Some(m) => Some(Mode::parse(&m).ok_or_else(|| corrupt("device mode", &m))?),
            },
            id: self.id,
            area_code: self.area_code,
            item_key: self.item_key,
            assessment: self.assessment,
            assessed_by: self.assessed_by,
            decided_by: self.decided_by,
            decision_note: self.decision_note,
            invoice_fen: self.invoice_fen,
            subsidy_fen: self.subsidy_fen,
            ratio_basis: self.ratio_basis,
            fitted_by: self.fitted_by,
            followup_note: self.followup_note,
            followed_by: self.followed_by,
            application_id: self.application_id,
        })
    }
}

#[derive(sqlx::FromRow)]
struct StockRow {
    code: String,
    point_id: String,
    item_key: String,
    item_condition: String,
    note: String,
}

impl StockRow {
    fn into_domain(self) -> Result<StockItem> {
        Ok(StockItem {
            condition: Condition::parse(&self.item_condition)
                .ok_or_else(|| corrupt("device condition", &self.item_condition))?,
            code: self.code,
            point_id: self.point_id,
            item_key: self.item_key,
            note: self.note,
        })
    }
}

#[derive(sqlx::FromRow)]
struct LoanRow {
    id: String,
    code: String,
    citizen_id: String,
    area_code: String,
    lent_on: String,
    due_on: String,
    returned_on: Option<String>,
    renewals: i64,
    return_condition: Option<String>,
    reminded_on: Option<String>,
    lent_by: String,
}

const LOAN_COLUMNS: &str = "id, code, citizen_id, area_code, lent_on, due_on, returned_on, renewals, return_condition, reminded_on, lent_by";

impl LoanRow {
    fn into_domain(self) -> Result<Loan> {
        Ok(Loan {
            citizen_id: CitizenId::from_trusted(self.citizen_id.clone())
                .map_err(|_| corrupt("citizen_id", &self.citizen_id))?,
            lent_on: date("lent_on", &self.lent_on)?,
            due_on: date("due_on", &self.due_on)?,
            returned_on: opt_date("returned_on", self.returned_on)?,
            reminded_on: opt_date("reminded_on", self.reminded_on)?,
            return_condition: match self.return_condition {
                None => None,
                Some(c) => {
                    Some(Condition::parse(&c).ok_or_else(|| corrupt("device condition", &c))?)
                }
            },
            id: self.id,
            code: self.code,
            area_code: self.area_code,
            renewals: self.renewals,
            lent_by: self.lent_by,
        })
    }
}

fn cases(rows: Vec<CaseRow>) -> Result<Vec<Case>> {
    rows.into_iter().map(CaseRow::into_domain).collect()
}

fn loans(rows: Vec<LoanRow>) -> Result<Vec<Loan>> {
    rows.into_iter().map(LoanRow::into_domain).collect()
}

/// Seeds the catalogue and the parameters (the programme's first migration).
pub async fn seed(tx: &mut Tx) -> Result<()> {
    for (i, it) in crate::rules::default_items().iter().enumerate() {
        let dis = suits_column(&it.disabilities);
        on_tx!(tx, c => {
            sqlx::query("INSERT INTO device_items (key, seq, label, label_en, category, disabilities, mode, cap_fen, loanable, loan_days, max_renewals, followup_days, active) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
                .bind(&it.key).bind(i as i64 + 1).bind(&it.label).bind(&it.label_en).bind(&it.category).bind(dis).bind(it.mode.key()).bind(it.cap_fen).bind(it.loanable).bind(it.loan_days).bind(it.max_renewals).bind(it.followup_days).bind(true)
                .execute(&mut *c).await?;
        });
    }
    zhucan_store::policy::seed_params(tx, crate::rules::default_params).await
}

/// The categories an item suits as stored: their keys, comma-separated (empty: any).
fn suits_column(c: &[Category]) -> String {
    c.iter().map(|c| c.key()).collect::<Vec<_>>().join(",")
}

async fn event(
    tx: &mut Tx,
    id: &CitizenId,
    on: NaiveDate,
    summary: String,
    actor: &Actor<'_>,
) -> Result<()> {
    zhucan_store::registry::touch(
        tx,
        id.as_str(),
        &[NewEvent {
            kind: EventKind::ServiceStep,
            occurred_on: Some(on),
            summary,
        }],
        actor,
    )
    .await
}

async fn finish(mut tx: Tx, audit: &AuditEvent) -> Result<()> {
    zhucan_store::changes::next(&mut tx, COUNTER).await?;
    zhucan_store::audit::append(&mut tx, audit).await?;
    tx.commit().await
}

async fn loan_fact(tx: &mut Tx, l: &Loan, device: &str, by: &str) -> Result<()> {
    zhucan_store::ledger::append(
        tx,
        &[NewFact {
            citizen_id: l.citizen_id.clone(),
            fact: Fact::DeviceLoan {
                device: device.to_string(),
                lent_on: l.lent_on,
                due_on: l.due_on,
                returned_on: l.returned_on,
            },
        }],
        None,
        by,
    )
    .await?;
    Ok(())
}

/// How a stated need names the case that took it.
fn case_ref(id: &str) -> String {
    format!("devices.case:{id}")
}

/// A service-end application a case answers, with its service's definition.
pub struct Linked<'a> {
    pub app: &'a zhucan_service::store::Application,
    pub def: &'a zhucan_service::rules::ServiceDef,
}

/// Decides the application a case answers, in the case's transaction: a fitting walks its
/// remaining steps and approves it, a rejection rejects it. An application someone else has
/// decided meanwhile is left as it is (the case is the record either way).
async fn settle_application(
    tx: &mut Tx,
    linked: &Linked<'_>,
    approve: bool,
    note: &str,
    actor: &Actor<'_>,
) -> Result<()> {
    use zhucan_service::rules::StaffAct;
    use zhucan_service::store::{ActedIn, act_in};
    let mut a = linked.app.clone();
    loop {
        let last = zhucan_domain::workflow::at_last_step(&linked.def.steps, a.step);
        let act = match (approve, last) {
            (false, _) => StaffAct::Reject,
            (true, true) => StaffAct::Approve,
            (true, false) => StaffAct::CompleteStep,
        };
        if act_in(tx, &a, act, linked.def, note, "", actor).await? != ActedIn::Done
            || act != StaffAct::CompleteStep
        {
            return Ok(());
        }
        a.step += 1;
        a.version += 1;
    }
}

/// The assistive devices programme's storage.
#[allow(async_fn_in_trait)]
pub trait DevicesStore {
    /// The active items of the catalogue.
    async fn device_items(&self) -> Result<Vec<Item>>;
    async fn device_item(&self, key: &str) -> Result<Option<Item>>;
    async fn device_case(&self, id: &str) -> Result<Option<Case>>;
    /// The cases whose person's area is within `area` (a code prefix), latest first.
    async fn device_cases_in(&self, area: &str) -> Result<Vec<Case>>;
    /// A person's cases, latest first.
    async fn device_cases_of(&self, citizen_id: &CitizenId) -> Result<Vec<Case>>;
    /// Opens a case with its assessment (评估) and recommendation; the case takes the stated
    /// need `need` (a device need of the same person) when one is given.
    async fn open_device_case(
        &self,
        c: &Case,
        need: Option<&str>,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<String>;
    /// Approves or rejects an assessed case; `false` if it was not at that step.
    async fn decide_device_case(
        &self,
        c: &Case,
        approve: bool,
        note: &str,
        app: Option<&Linked<'_>>,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<bool>;
    /// Records the fitting of an approved case with its ledger row; `false` if not approved.
    async fn fit_device(
        &self,
        c: &Case,
        f: &Fitting,
        device: &str,
        app: Option<&Linked<'_>>,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<bool>;
    /// Records the follow-up (回访) of a fitted case; `false` if not fitted.
    async fn follow_up_device(
        &self,
        c: &Case,
        on: NaiveDate,
        note: &str,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<bool>;
    /// Every stock item, by point and code.
    async fn stock(&self) -> Result<Vec<StockItem>>;
    async fn stock_item(&self, code: &str) -> Result<Option<StockItem>>;
    /// Adds a stock item; `false` if the code is taken.
    async fn add_stock(&self, s: &StockItem, by: &str, audit: &AuditEvent) -> Result<bool>;
    /// Sets an item's condition (repair, retired, back to good); `false` if it is on loan.
    async fn set_condition(
        &self,
        code: &str,
        condition: Condition,
        note: &str,
        audit: &AuditEvent,
    ) -> Result<bool>;
    async fn loan(&self, id: &str) -> Result<Option<Loan>>;
    /// The loans whose person's area is within `area`, latest first.
    async fn loans_in(&self, area: &str) -> Result<Vec<Loan>>;
    /// A person's loans, latest first.
    async fn loans_of(&self, citizen_id: &CitizenId) -> Result<Vec<Loan>>;
    /// Every loan not returned.
    async fn open_loans(&self) -> Result<Vec<Loan>>;
    /// Lends an item (checked again in the transaction) with its ledger row.
    async fn lend(
        &self,
        l: &Loan,
        device: &str,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<Lent>;
    /// Renews a loan to `due_on`; `false` if it is not out.
    async fn renew(
        &self,
        l: &Loan,
        due_on: NaiveDate,
        device: &str,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<bool>;
    /// Records a return and the item's condition; `false` if it is not out.
    async fn return_loan(
        &self,
        l: &Loan,
        on: NaiveDate,
        condition: Condition,
        device: &str,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<bool>;
    /// Marks an overdue loan reminded on `day`.
    async fn mark_reminded(&self, id: &str, day: NaiveDate) -> Result<()>;
    /// The whole catalogue in order, with whether each item is offered (active).
    async fn device_catalogue(&self) -> Result<Vec<(Item, bool)>>;
    /// Changes an item's terms (price cap, loan, follow-up, offered), audited with the old
    /// and new terms; `false` if there is no such item.
    async fn set_item_terms(&self, key: &str, t: &ItemTerms, audit: &AuditEvent) -> Result<bool>;
    /// Adds an item at the end of the catalogue, offered at once, audited; `false` if its key
    /// is taken.
    async fn add_device_item(&self, item: &Item, audit: &AuditEvent) -> Result<bool>;
}

/// The terms of a catalogue item staff may change (the rest — its name, category and the
/// disabilities it suits — is the catalogue's identity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemTerms {
    pub cap_fen: i64,
    /// 0: not lent.
    pub loan_days: i64,
    pub max_renewals: i64,
    pub followup_days: i64,
    pub active: bool,
}

impl DevicesStore for Store {
    async fn device_catalogue(&self) -> Result<Vec<(Item, bool)>> {
        let q = format!("SELECT {ITEM_COLUMNS}, active FROM device_items ORDER BY seq");
        let rows: Vec<CatalogueRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).fetch_all(p).await?
        });
        rows.into_iter()
            .map(|r| Ok((r.item.into_domain()?, r.active)))
            .collect()
    }

    async fn set_item_terms(&self, key: &str, t: &ItemTerms, audit: &AuditEvent) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE device_items SET cap_fen = $2, loanable = $3, loan_days = $4, max_renewals = $5, followup_days = $6, active = $7 WHERE key = $1")
                .bind(key).bind(t.cap_fen).bind(t.loan_days > 0).bind(t.loan_days).bind(t.max_renewals).bind(t.followup_days).bind(t.active)
                .execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Ok(false);
        }
        finish(tx, audit).await?;
        Ok(true)
    }

    async fn add_device_item(&self, it: &Item, audit: &AuditEvent) -> Result<bool> {
        let dis = suits_column(&it.disabilities);
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO device_items (key, seq, label, label_en, category, disabilities, mode, cap_fen, loanable, loan_days, max_renewals, followup_days, active) SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 FROM device_items WHERE true ON CONFLICT (key) DO NOTHING")
                .bind(&it.key).bind(&it.label).bind(&it.label_en).bind(&it.category).bind(dis).bind(it.mode.key()).bind(it.cap_fen).bind(it.loanable).bind(it.loan_days).bind(it.max_renewals).bind(it.followup_days).bind(true)
                .execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Ok(false);
        }
        finish(tx, audit).await?;
        Ok(true)
    }

    async fn device_items(&self) -> Result<Vec<Item>> {
        let q = format!("SELECT {ITEM_COLUMNS} FROM device_items WHERE active ORDER BY seq");
        let rows: Vec<ItemRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).fetch_all(p).await?
        });
        rows.into_iter().map(ItemRow::into_domain).collect()
    }

    async fn device_item(&self, key: &str) -> Result<Option<Item>> {
        let q = format!("SELECT {ITEM_COLUMNS} FROM device_items WHERE key = $1");
        let row: Option<ItemRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(key).fetch_optional(p).await?
        });
        row.map(ItemRow::into_domain).transpose()
    }

    async fn device_case(&self, id: &str) -> Result<Option<Case>> {
        let q = format!("SELECT {CASE_COLUMNS} FROM device_cases WHERE id = $1");
        let row: Option<CaseRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(id).fetch_optional(p).await?
        });
        row.map(CaseRow::into_domain).transpose()
    }

    async fn device_cases_in(&self, area: &str) -> Result<Vec<Case>> {
        let q = format!(
            "SELECT {CASE_COLUMNS} FROM device_cases WHERE area_code LIKE $1 ORDER BY created_at DESC, id DESC"
        );
        let rows: Vec<CaseRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(format!("{area}%")).fetch_all(p).await?
        });
        cases(rows)
    }

    async fn device_cases_of(&self, citizen_id: &CitizenId) -> Result<Vec<Case>> {
        let q = format!(
            "SELECT {CASE_COLUMNS} FROM device_cases WHERE citizen_id = $1 ORDER BY created_at DESC, id DESC"
        );
        let rows: Vec<CaseRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(citizen_id.as_str()).fetch_all(p).await?
        });
        cases(rows)
    }

    async fn open_device_case(
        &self,
        c: &Case,
        need: Option<&str>,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<String> {
        let id = zhucan_store::accounts::ordered_id();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, x => {
            sqlx::query("INSERT INTO device_cases (id, citizen_id, area_code, item_key, status, assessed_on, assessment, assessed_by, created_at, application_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                .bind(&id).bind(c.citizen_id.as_str()).bind(&c.area_code).bind(&c.item_key).bind(Status::Assessed.key()).bind(c.assessed_on.to_string()).bind(&c.assessment).bind(actor.name).bind(now_text()).bind(c.application_id.as_deref())
                .execute(&mut *x).await?;
        });
        if let Some(need) = need {
            zhucan_service::store::take_need_in(
                &mut tx,
                need,
                &c.citizen_id,
                zhucan_service::rules::NeedKind::Device,
                &case_ref(&id),
                "已转入辅助器具适配，正在评估。",
                actor.name,
            )
            .await?;
        }
        event(
            &mut tx,
            &c.citizen_id,
            c.assessed_on,
            format!("辅具适配评估：{}", c.assessment),
            actor,
        )
        .await?;
        finish(tx, audit).await?;
        Ok(id)
    }

    async fn decide_device_case(
        &self,
        c: &Case,
        approve: bool,
        note: &str,
        app: Option<&Linked<'_>>,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let to = if approve {
            Status::Approved
        } else {
            Status::Rejected
        };
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, x => {
            sqlx::query("UPDATE device_cases SET status = $2, decided_by = $3, decision_note = $4 WHERE id = $1 AND status = $5")
                .bind(&c.id).bind(to.key()).bind(actor.name).bind(note).bind(Status::Assessed.key())
                .execute(&mut *x).await?.rows_affected()
        });
        if n != 1 {
            return Ok(false);
        }
        if !approve {
            if let Some(a) = app {
                settle_application(&mut tx, a, false, note, actor).await?;
            }
            zhucan_service::store::meet_needs_in(
                &mut tx,
                &case_ref(&c.id),
                &format!("辅具适配不予批准：{note}"),
                actor.name,
            )
            .await?;
            event(
                &mut tx,
                &c.citizen_id,
                chrono::Local::now().date_naive(),
                format!("辅具适配不予批准：{note}"),
                actor,
            )
            .await?;
        }
        finish(tx, audit).await?;
        Ok(true)
    }

    async fn fit_device(
        &self,
        c: &Case,
        f: &Fitting,
        device: &str,
        app: Option<&Linked<'_>>,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, x => {
            sqlx::query("UPDATE device_cases SET status = $2, fitted_on = $3, mode = $4, invoice_fen = $5, subsidy_fen = $6, ratio_basis = $7, fitted_by = $8, followup_due = $9 WHERE id = $1 AND status = $10")
                .bind(&c.id).bind(Status::Fitted.key()).bind(f.fitted_on.to_string()).bind(f.mode.key()).bind(f.invoice_fen).bind(f.subsidy_fen).bind(&f.basis).bind(actor.name).bind(f.followup_due.to_string()).bind(Status::Approved.key())
                .execute(&mut *x).await?.rows_affected()
        });
        if n != 1 {
            return Ok(false);
        }
        // The programme record of `feeds-and-records.md`: indicator 12 counts it at the next
        // computation, as it would an imported one.
        zhucan_store::ledger::append(
            &mut tx,
            &[NewFact {
                citizen_id: c.citizen_id.clone(),
                fact: Fact::DeviceFitting {
                    fitted_on: f.fitted_on,
                    device: device.to_string(),
                    subsidy_fen: Some(f.subsidy_fen),
                },
            }],
            None,
            actor.name,
        )
        .await?;
        event(
            &mut tx,
            &c.citizen_id,
            f.fitted_on,
            format!("辅具适配：{device}"),
            actor,
        )
        .await?;
        if let Some(a) = app {
            settle_application(&mut tx, a, true, &format!("已适配{device}"), actor).await?;
        }
        zhucan_service::store::meet_needs_in(
            &mut tx,
            &case_ref(&c.id),
            &format!("已为您适配{device}。"),
            actor.name,
        )
        .await?;
        finish(tx, audit).await?;
        Ok(true)
    }

    async fn follow_up_device(
        &self,
        c: &Case,
        on: NaiveDate,
        note: &str,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, x => {
            sqlx::query("UPDATE device_cases SET status = $2, followed_on = $3, followup_note = $4, followed_by = $5 WHERE id = $1 AND status = $6")
                .bind(&c.id).bind(Status::Followed.key()).bind(on.to_string()).bind(note).bind(actor.name).bind(Status::Fitted.key())
                .execute(&mut *x).await?.rows_affected()
        });
        if n != 1 {
            return Ok(false);
        }
        event(
            &mut tx,
            &c.citizen_id,
            on,
            format!("辅具回访：{note}"),
            actor,
        )
        .await?;
        finish(tx, audit).await?;
        Ok(true)
    }

    async fn stock(&self) -> Result<Vec<StockItem>> {
        let rows: Vec<StockRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT code, point_id, item_key, item_condition, note FROM device_stock ORDER BY point_id, code").fetch_all(p).await?
        });
        rows.into_iter().map(StockRow::into_domain).collect()
    }

    async fn stock_item(&self, code: &str) -> Result<Option<StockItem>> {
        let row: Option<StockRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT code, point_id, item_key, item_condition, note FROM device_stock WHERE code = $1").bind(code).fetch_optional(p).await?
        });
        row.map(StockRow::into_domain).transpose()
    }

    async fn add_stock(&self, s: &StockItem, by: &str, audit: &AuditEvent) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, x => {
            sqlx::query("INSERT INTO device_stock (code, point_id, item_key, item_condition, note, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO NOTHING")
                .bind(&s.code).bind(&s.point_id).bind(&s.item_key).bind(s.condition.key()).bind(&s.note).bind(by).bind(now_text())
                .execute(&mut *x).await?.rows_affected()
        });
        if n != 1 {
            return Ok(false);
        }
        finish(tx, audit).await?;
        Ok(true)
    }

    async fn set_condition(
        &self,
        code: &str,
        condition: Condition,
        note: &str,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let out: i64 = on_tx!(&mut tx, x => {
            sqlx::query_scalar("SELECT COUNT(*) FROM device_loans WHERE code = $1 AND returned_on IS NULL")
                .bind(code).fetch_one(&mut *x).await?
        });
        if out > 0 {
            return Ok(false);
        }
        let n = on_tx!(&mut tx, x => {
            sqlx::query("UPDATE device_stock SET item_condition = $2, note = $3 WHERE code = $1")
                .bind(code).bind(condition.key()).bind(note)
                .execute(&mut *x).await?.rows_affected()
        });
        if n != 1 {
            return Ok(false);
        }
        finish(tx, audit).await?;
        Ok(true)
    }

    async fn loan(&self, id: &str) -> Result<Option<Loan>> {
        let q = format!("SELECT {LOAN_COLUMNS} FROM device_loans WHERE id = $1");
        let row: Option<LoanRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(id).fetch_optional(p).await?
        });
        row.map(LoanRow::into_domain).transpose()
    }

    async fn loans_in(&self, area: &str) -> Result<Vec<Loan>> {
        let q = format!(
            "SELECT {LOAN_COLUMNS} FROM device_loans WHERE area_code LIKE $1 ORDER BY lent_on DESC, id DESC"
        );
        let rows: Vec<LoanRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(format!("{area}%")).fetch_all(p).await?
        });
        loans(rows)
    }

    async fn loans_of(&self, citizen_id: &CitizenId) -> Result<Vec<Loan>> {
        let q = format!(
            "SELECT {LOAN_COLUMNS} FROM device_loans WHERE citizen_id = $1 ORDER BY lent_on DESC, id DESC"
        );
        let rows: Vec<LoanRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(citizen_id.as_str()).fetch_all(p).await?
        });
        loans(rows)
    }

    async fn open_loans(&self) -> Result<Vec<Loan>> {
        let q = format!(
            "SELECT {LOAN_COLUMNS} FROM device_loans WHERE returned_on IS NULL ORDER BY due_on, id"
        );
        let rows: Vec<LoanRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).fetch_all(p).await?
        });
        loans(rows)
    }

    async fn lend(
        &self,
        l: &Loan,
        device: &str,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<Lent> {
        let mut tx = self.begin().await?;
        let cond: Option<String> = on_tx!(&mut tx, x => {
            sqlx::query_scalar("SELECT item_condition FROM device_stock WHERE code = $1").bind(&l.code).fetch_optional(&mut *x).await?
        });
        let lendable = cond
            .as_deref()
            .and_then(Condition::parse)
            .is_some_and(Condition::lendable);
        let out: i64 = on_tx!(&mut tx, x => {
            sqlx::query_scalar("SELECT COUNT(*) FROM device_loans WHERE code = $1 AND returned_on IS NULL")
                .bind(&l.code).fetch_one(&mut *x).await?
        });
        if !lendable || out > 0 {
            return Ok(Lent::NotAvailable);
        }
        let id = zhucan_store::accounts::ordered_id();
        on_tx!(&mut tx, x => {
            sqlx::query("INSERT INTO device_loans (id, code, citizen_id, area_code, lent_on, due_on, returned_on, renewals, lent_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, 0, $7, $8)")
                .bind(&id).bind(&l.code).bind(l.citizen_id.as_str()).bind(&l.area_code).bind(l.lent_on.to_string()).bind(l.due_on.to_string()).bind(actor.name).bind(now_text())
                .execute(&mut *x).await?;
        });
        loan_fact(&mut tx, l, device, actor.name).await?;
        event(
            &mut tx,
            &l.citizen_id,
            l.lent_on,
            format!("辅具借用：{device}（{}，应还 {}）", l.code, l.due_on),
            actor,
        )
        .await?;
        finish(tx, audit).await?;
        Ok(Lent::Done(id))
    }

    async fn renew(
        &self,
        l: &Loan,
        due_on: NaiveDate,
        device: &str,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, x => {
            sqlx::query("UPDATE device_loans SET due_on = $2, renewals = renewals + 1, reminded_on = NULL WHERE id = $1 AND returned_on IS NULL AND renewals = $3")
                .bind(&l.id).bind(due_on.to_string()).bind(l.renewals)
                .execute(&mut *x).await?.rows_affected()
        });
        if n != 1 {
            return Ok(false);
        }
        let renewed = Loan {
            due_on,
            ..l.clone()
        };
        loan_fact(&mut tx, &renewed, device, actor.name).await?;
        finish(tx, audit).await?;
        Ok(true)
    }

    async fn return_loan(
        &self,
        l: &Loan,
        on: NaiveDate,
        condition: Condition,
        device: &str,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, x => {
            sqlx::query("UPDATE device_loans SET returned_on = $2, return_condition = $3, returned_by = $4 WHERE id = $1 AND returned_on IS NULL")
                .bind(&l.id).bind(on.to_string()).bind(condition.key()).bind(actor.name)
                .execute(&mut *x).await?.rows_affected()
        });
        if n != 1 {
            return Ok(false);
        }
        on_tx!(&mut tx, x => {
            sqlx::query("UPDATE device_stock SET item_condition = $2 WHERE code = $1")
                .bind(&l.code).bind(condition.key())
                .execute(&mut *x).await?;
        });
        let back = Loan {
            returned_on: Some(on),
            ..l.clone()
        };
        loan_fact(&mut tx, &back, device, actor.name).await?;
        event(
            &mut tx,
            &l.citizen_id,
            on,
            format!("辅具归还：{device}（{}）", l.code),
            actor,
        )
        .await?;
        finish(tx, audit).await?;
        Ok(true)
    }

    async fn mark_reminded(&self, id: &str, day: NaiveDate) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query("UPDATE device_loans SET reminded_on = $2 WHERE id = $1")
                .bind(id).bind(day.to_string()).execute(p).await?;
        });
        Ok(())
    }
}
