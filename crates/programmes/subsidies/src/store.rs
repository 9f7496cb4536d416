//! The subsidies' stored state: other allowances, cases and their decisions (which record the
//! enrolment in the person's survey rows, as the roster states it), the monthly payroll with
//! its second-account approval, and payment accounts.

use std::collections::HashMap;

use crate::rules::{Benefit, BenefitKind, Subsidy};
use serde::Serialize;
use sha2::{Digest, Sha256};
use zhucan_domain::area::AreaCode;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::parse::Month;
use zhucan_domain::person::Survey;
use zhucan_domain::timeline::{EventKind, NewEvent};

use zhucan_store::registry::Actor;
use zhucan_store::rows::{SURVEY_COLUMNS, SurveyRow, corrupt};
use zhucan_store::{Result, Store, StoreError, now_text, on_pool, on_tx};

fn month(what: &str, s: &str) -> Result<Month> {
    Month::parse(s).map_err(|_| corrupt(what, s))
}

fn cid(s: &str) -> Result<CitizenId> {
    CitizenId::from_trusted(s.to_string()).map_err(|_| corrupt("citizen_id", s))
}

#[derive(sqlx::FromRow)]
struct BenefitRow {
    citizen_id: String,
    kind: String,
    amount_fen: Option<i64>,
    since: String,
    until: Option<String>,
    source: String,
}

impl BenefitRow {
    fn into_domain(self) -> Result<(CitizenId, Benefit)> {
        Ok((
            cid(&self.citizen_id)?,
            Benefit {
                kind: BenefitKind::parse(&self.kind)
                    .ok_or_else(|| corrupt("benefit kind", &self.kind))?,
                amount_fen: self.amount_fen,
                since: month("since", &self.since)?,
                until: self
                    .until
                    .as_deref()
                    .map(|u| month("until", u))
                    .transpose()?,
                source: self.source,
            },
        ))
    }
}

/// Counts closed (approved) payrolls: what closed months paid (the subsidies' change
/// counter, which the facts cache follows).
pub const PAYROLLS: &str = "payrolls";

/// What a case asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// Start paying an eligible person from `month`.
    Enrol,
    /// Stop paying from `month` (the first month not paid).
    Stop,
}

impl CaseKind {
    pub fn key(self) -> &'static str {
        match self {
            CaseKind::Enrol => "enrol",
            CaseKind::Stop => "stop",
        }
    }

    pub fn parse(s: &str) -> Option<CaseKind> {
        match s {
            "enrol" => Some(CaseKind::Enrol),
            "stop" => Some(CaseKind::Stop),
            _ => None,
        }
    }
}

/// A case and its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    pub id: String,
    pub citizen_id: CitizenId,
    pub subsidy: Subsidy,
    pub kind: CaseKind,
    pub month: Month,
    /// `open`, `approved`, `rejected` or `withdrawn` (by the system: the finding is gone; the
    /// reason code is the note).
    pub status: String,
    pub reasons: Vec<String>,
    /// `audit` (the monthly check), `change` (after a change to the file: 1+X) or `staff`.
    pub trigger: String,
    /// The person's village, else township.
    pub area: String,
    pub opened_at: String,
    pub opened_by: String,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub note: Option<String>,
}

#[derive(sqlx::FromRow)]
struct CaseRow {
    id: String,
    citizen_id: String,
    subsidy: String,
    kind: String,
    month: String,
    status: String,
    reasons: String,
    trigger_kind: String,
    area_code: String,
    opened_at: String,
    opened_by: String,
    decided_at: Option<String>,
    decided_by: Option<String>,
    note: Option<String>,
}

const CASE_COLUMNS: &str = "id, citizen_id, subsidy, kind, month, status, reasons, trigger_kind, area_code, opened_at, opened_by, decided_at, decided_by, note";

impl CaseRow {
    fn into_domain(self) -> Result<Case> {
        Ok(Case {
            citizen_id: cid(&self.citizen_id)?,
            subsidy: Subsidy::parse(&self.subsidy)
                .ok_or_else(|| corrupt("subsidy", &self.subsidy))?,
            kind: CaseKind::parse(&self.kind).ok_or_else(|| corrupt("case kind", &self.kind))?,
            month: month("month", &self.month)?,
            reasons: serde_json::from_str(&self.reasons).unwrap_or_default(),
            id: self.id,
            status: self.status,
            trigger: self.trigger_kind,
            area: self.area_code,
            opened_at: self.opened_at,
            opened_by: self.opened_by,
            decided_at: self.decided_at,
            decided_by: self.decided_by,
            note: self.note,
        })
    }
}

/// A case to open.
#[derive(Debug, Clone)]
pub struct NewCase<'a> {
    pub citizen_id: &'a CitizenId,
    pub subsidy: Subsidy,
    pub kind: CaseKind,
    pub month: Month,
    pub reasons: Vec<&'a str>,
    pub trigger: &'a str,
    /// The person's village, else township.
    pub area: &'a AreaCode,
    pub opened_by: &'a str,
}

/// Which cases to list.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub status: Option<String>,
    pub area: Option<AreaCode>,
    pub citizen_id: Option<CitizenId>,
    pub page: u32,
    pub per_page: u32,
}

/// A payroll line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayrollLine {
    pub citizen_id: CitizenId,
    pub subsidy: Subsidy,
    /// `regular`, `arrears` or `recovery`.
    pub kind: String,
    /// The month the money is for (the payroll month, or an earlier closed month).
    pub for_month: Month,
    pub amount_fen: i64,
    pub township: String,
}

/// A submitted or approved payroll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayrollRun {
    pub month: Month,
    /// `submitted` or `approved` (closed: never changes again).
    pub status: String,
    pub lines: i64,
    pub total_fen: i64,
    pub digest: String,
    pub submitted_by: String,
    pub submitted_at: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
}

#[derive(sqlx::FromRow)]
struct RunRow {
    month: String,
    status: String,
    lines: i64,
    total_fen: i64,
    digest: String,
    submitted_by: String,
    submitted_at: String,
    approved_by: Option<String>,
    approved_at: Option<String>,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    citizen_id: String,
    subsidy: String,
    kind: String,
    for_month: String,
    amount_fen: i64,
    township_code: String,
}

impl LineRow {
    fn into_domain(self) -> Result<PayrollLine> {
        Ok(PayrollLine {
            citizen_id: cid(&self.citizen_id)?,
            subsidy: Subsidy::parse(&self.subsidy)
                .ok_or_else(|| corrupt("subsidy", &self.subsidy))?,
            for_month: month("for_month", &self.for_month)?,
            kind: self.kind,
            amount_fen: self.amount_fen,
            township: self.township_code,
        })
    }
}

/// The digest of a payroll's lines (what the approver approves).
pub fn digest(lines: &[PayrollLine]) -> String {
    let mut h = Sha256::new();
    for l in lines {
        h.update(format!(
            "{}|{}|{}|{}|{}\n",
            l.citizen_id,
            l.subsidy.key(),
            l.kind,
            l.for_month,
            l.amount_fen
        ));
    }
    hex::encode(h.finalize())
}

/// Why a payroll step was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayrollRefusal {
    /// The month is approved: it never changes.
    Closed,
    /// Nothing submitted to approve.
    NotSubmitted,
    /// The approver submitted it: a second account must approve.
    SameAccount,
    /// The lines changed since the approver looked at them.
    Changed,
}

/// A payment account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentAccount {
    pub bank: String,
    pub account_no: String,
    pub holder: String,
}

fn subsidy_fields(s: &mut Survey, sub: Subsidy) -> (&mut Option<Month>, &mut Option<Month>) {
    match sub {
        Subsidy::Living => (&mut s.living_subsidy_since, &mut s.living_subsidy_until),
        Subsidy::Nursing => (&mut s.nursing_subsidy_since, &mut s.nursing_subsidy_until),
    }
}

/// The subsidies' storage: allowances, cases, payrolls and payment accounts.
#[allow(async_fn_in_trait)]
pub trait SubsidyStore {
    /// Every recorded allowance (the facts cache loads them all once).
    async fn all_benefits(&self) -> Result<Vec<(CitizenId, Benefit)>>;

    /// The allowances of some persons.
    async fn benefits_of(&self, ids: &[CitizenId]) -> Result<Vec<(CitizenId, Benefit)>>;

    /// Records an allowance on a person's file (a change to the file: the person's eligibility
    /// is re-examined).
    async fn add_benefit(&self, id: &CitizenId, b: &Benefit, actor: &Actor<'_>) -> Result<()>;

    /// Opens a case unless an open one of the same person, subsidy and kind exists; returns it.
    async fn open_case(&self, c: &NewCase<'_>) -> Result<Option<Case>>;

    /// The open cases of the persons `ids` (of everybody with `None`).
    async fn open_cases(&self, ids: Option<&[CitizenId]>) -> Result<Vec<Case>>;

    /// Withdraws an open case whose finding is gone (status `withdrawn`, by `system`, the
    /// reason code as its note), with its audit record, in one transaction. Returns `false`
    /// if the case was no longer open.
    async fn withdraw_case(&self, case: &Case, reason: &str) -> Result<bool>;

    /// One case.
    async fn case(&self, id: &str) -> Result<Option<Case>>;

    /// Cases, newest first, and how many match.
    async fn cases(&self, q: &CaseQuery) -> Result<(i64, Vec<Case>)>;

    /// Decides an open case. Approving an enrolment records it in the person's survey rows from
    /// the case month's year through `through_year` (`since` = the month, no end); approving a
    /// stop records the last month paid (`until` = the month before). Returns `false` if the
    /// case was no longer open.
    async fn decide_case(
        &self,
        id: &str,
        approve: bool,
        note: &str,
        through_year: i32,
        actor: &Actor<'_>,
    ) -> Result<bool>;

    /// A month's payroll as submitted or approved, with its lines.
    async fn payroll(&self, m: Month) -> Result<Option<(PayrollRun, Vec<PayrollLine>)>>;

    /// The months whose payroll is approved (closed), oldest first.
    async fn closed_months(&self) -> Result<Vec<Month>>;

    /// What closed payrolls paid, per (person, subsidy, month the money was for).
    async fn paid(&self) -> Result<HashMap<(CitizenId, Subsidy, Month), i64>>;

    /// Submits a month's payroll (replacing an earlier submission of the same month).
    async fn submit_payroll(
        &self,
        m: Month,
        lines: &[PayrollLine],
        by: &str,
    ) -> Result<std::result::Result<PayrollRun, PayrollRefusal>>;

    /// Approves (closes) a submitted payroll: by another account than the submitter, for the
    /// lines it saw (`digest`).
    async fn approve_payroll(
        &self,
        m: Month,
        digest: &str,
        by: &str,
    ) -> Result<std::result::Result<(), PayrollRefusal>>;

    /// Every line closed payrolls paid to one person, newest first.
    async fn payments_of(&self, id: &CitizenId) -> Result<Vec<(Month, PayrollLine)>>;

    /// Sets a person's payment account.
    async fn set_payment_account(&self, id: &CitizenId, a: &PaymentAccount, by: &str)
    -> Result<()>;

    /// Payment accounts of some persons.
    async fn payment_accounts(&self, ids: &[CitizenId]) -> Result<HashMap<String, PaymentAccount>>;
}

impl SubsidyStore for Store {
    /// Every recorded allowance (the facts cache loads them all once).
    async fn all_benefits(&self) -> Result<Vec<(CitizenId, Benefit)>> {
        let rows: Vec<BenefitRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT citizen_id, kind, amount_fen, since, until, source FROM benefits ORDER BY citizen_id, seq")
                .fetch_all(p).await?
        });
        rows.into_iter().map(BenefitRow::into_domain).collect()
    }

    /// The allowances of some persons.
    async fn benefits_of(&self, ids: &[CitizenId]) -> Result<Vec<(CitizenId, Benefit)>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT citizen_id, kind, amount_fen, since, until, source FROM benefits WHERE citizen_id IN ({}) ORDER BY citizen_id, seq",
                ph.join(", ")
            );
            let rows: Vec<BenefitRow> = on_pool!(self, p => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
                for id in chunk {
                    q = q.bind(id.as_str());
                }
                q.fetch_all(p).await?
            });
            for r in rows {
                out.push(r.into_domain()?);
            }
        }
        Ok(out)
    }

    /// Records an allowance on a person's file (a change to the file: the person's eligibility
    /// is re-examined).
    async fn add_benefit(&self, id: &CitizenId, b: &Benefit, actor: &Actor<'_>) -> Result<()> {
        let mut tx = self.begin().await?;
        let exists: Option<i64> = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT version FROM persons WHERE citizen_id = $1").bind(id.as_str()).fetch_optional(&mut *c).await?
        });
        if exists.is_none() {
            return Err(StoreError::NotFound(id.masked()));
        }
        on_tx!(&mut tx, c => {
            let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM benefits WHERE citizen_id = $1").bind(id.as_str()).fetch_one(&mut *c).await?;
            sqlx::query("INSERT INTO benefits (citizen_id, seq, kind, amount_fen, since, until, source, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(id.as_str()).bind(last.unwrap_or(0) + 1).bind(b.kind.key()).bind(b.amount_fen)
                .bind(b.since.to_string()).bind(b.until.map(|m| m.to_string())).bind(&b.source)
                .bind(actor.name).bind(now_text())
                .execute(&mut *c).await?;
        });
        let summary = format!(
            "{}，自 {}{}",
            b.kind.zh(),
            b.since,
            b.until.map(|u| format!(" 至 {u}")).unwrap_or_default()
        );
        zhucan_store::registry::touch(
            &mut tx,
            id.as_str(),
            &[NewEvent {
                kind: EventKind::BenefitRecorded,
                occurred_on: Some(b.since.first_day()),
                summary,
            }],
            actor,
        )
        .await?;
        tx.commit().await
    }

    /// Opens a case unless an open one of the same person, subsidy and kind exists; returns it.
    async fn open_case(&self, c: &NewCase<'_>) -> Result<Option<Case>> {
        let mut tx = self.begin().await?;
        let open: Option<String> = on_tx!(&mut tx, x => {
            sqlx::query_scalar("SELECT id FROM subsidy_cases WHERE citizen_id = $1 AND subsidy = $2 AND kind = $3 AND status = 'open'")
                .bind(c.citizen_id.as_str()).bind(c.subsidy.key()).bind(c.kind.key()).fetch_optional(&mut *x).await?
        });
        if open.is_some() {
            return Ok(None);
        }
        let id = zhucan_store::accounts::ordered_id();
        let reasons = serde_json::to_string(&c.reasons).unwrap_or_else(|_| "[]".into());
        let now = now_text();
        let sql = format!(
            "INSERT INTO subsidy_cases ({CASE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $9, $10, NULL, NULL, NULL)"
        );
        on_tx!(&mut tx, x => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&id).bind(c.citizen_id.as_str()).bind(c.subsidy.key()).bind(c.kind.key()).bind(c.month.to_string())
                .bind(&reasons).bind(c.trigger).bind(c.area.as_str()).bind(&now).bind(c.opened_by)
                .execute(&mut *x).await?;
        });
        tx.commit().await?;
        self.case(&id).await
    }

    /// The open cases of the persons `ids` (of everybody with `None`).
    async fn open_cases(&self, ids: Option<&[CitizenId]>) -> Result<Vec<Case>> {
        let mut out = Vec::new();
        match ids {
            None => {
                let sql = format!("SELECT {CASE_COLUMNS} FROM subsidy_cases WHERE status = 'open'");
                let rows: Vec<CaseRow> = on_pool!(self, p => {
                    sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?
                });
                out.extend(rows);
            }
            Some(ids) => {
                for chunk in ids.chunks(500) {
                    let ph = (1..=chunk.len())
                        .map(|i| format!("${i}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let sql = format!(
                        "SELECT {CASE_COLUMNS} FROM subsidy_cases WHERE status = 'open' AND citizen_id IN ({ph})"
                    );
                    let rows: Vec<CaseRow> = on_pool!(self, p => {
                        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
                        for id in chunk {
                            q = q.bind(id.as_str());
                        }
                        q.fetch_all(p).await?
                    });
                    out.extend(rows);
                }
            }
        }
        out.into_iter().map(CaseRow::into_domain).collect()
    }

    /// Withdraws an open case whose finding is gone (status `withdrawn`, by `system`, the
    /// reason code as its note), with its audit record, in one transaction. Returns `false`
    /// if the case was no longer open.
    async fn withdraw_case(&self, case: &Case, reason: &str) -> Result<bool> {
        let mut tx = self.begin().await?;
        let now = now_text();
        let affected = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE subsidy_cases SET status = 'withdrawn', decided_at = $2, decided_by = 'system', note = $3 WHERE id = $1 AND status = 'open'")
                .bind(&case.id).bind(&now).bind(reason)
                .execute(&mut *c).await?.rows_affected()
        });
        if affected != 1 {
            return Ok(false);
        }
        zhucan_store::audit::append(
            &mut tx,
            &zhucan_store::audit::AuditEvent {
                account: "system".into(),
                role: "system".into(),
                area: case.area.clone(),
                client: "case-opener".into(),
                action: "subsidy.case.withdraw".into(),
                object: case.citizen_id.to_string(),
                outcome: "ok".into(),
                detail: serde_json::json!({
                    "case": case.id, "subsidy": case.subsidy.key(), "kind": case.kind.key(),
                    "month": case.month.to_string(), "old": "open", "new": "withdrawn", "reason": reason,
                }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// One case.
    async fn case(&self, id: &str) -> Result<Option<Case>> {
        let sql = format!("SELECT {CASE_COLUMNS} FROM subsidy_cases WHERE id = $1");
        let row: Option<CaseRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await?
        });
        row.map(CaseRow::into_domain).transpose()
    }

    /// Cases, newest first, and how many match.
    async fn cases(&self, q: &CaseQuery) -> Result<(i64, Vec<Case>)> {
        let mut conds = vec!["area_code LIKE $1".to_string()];
        let mut binds = vec![format!(
            "{}%",
            q.area.as_ref().map(|a| a.as_str()).unwrap_or("")
        )];
        if let Some(s) = &q.status {
            binds.push(s.clone());
            conds.push(format!("status = ${}", binds.len()));
        }
        if let Some(id) = &q.citizen_id {
            binds.push(id.to_string());
            conds.push(format!("citizen_id = ${}", binds.len()));
        }
        let per_page = q.per_page.clamp(1, 500);
        let offset = i64::from(q.page.max(1) - 1) * i64::from(per_page);
        let where_sql = conds.join(" AND ");
        let count_sql = format!("SELECT COUNT(*) FROM subsidy_cases WHERE {where_sql}");
        let list_sql = format!(
            "SELECT {CASE_COLUMNS} FROM subsidy_cases WHERE {where_sql} ORDER BY opened_at DESC, id DESC LIMIT {per_page} OFFSET {offset}"
        );
        let (n, rows): (i64, Vec<CaseRow>) = on_pool!(self, p => {
            let mut cq = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql));
            for b in &binds { cq = cq.bind(b); }
            let n = cq.fetch_one(p).await?;
            let mut lq = sqlx::query_as(sqlx::AssertSqlSafe(list_sql));
            for b in &binds { lq = lq.bind(b); }
            (n, lq.fetch_all(p).await?)
        });
        Ok((
            n,
            rows.into_iter()
                .map(CaseRow::into_domain)
                .collect::<Result<_>>()?,
        ))
    }

    /// Decides an open case. Approving an enrolment records it in the person's survey rows from
    /// the case month's year through `through_year` (`since` = the month, no end); approving a
    /// stop records the last month paid (`until` = the month before). Returns `false` if the
    /// case was no longer open.
    async fn decide_case(
        &self,
        id: &str,
        approve: bool,
        note: &str,
        through_year: i32,
        actor: &Actor<'_>,
    ) -> Result<bool> {
        let Some(case) = self.case(id).await? else {
            return Err(StoreError::NotFound(id.to_string()));
        };
        let mut tx = self.begin().await?;
        let affected = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE subsidy_cases SET status = $2, decided_at = $3, decided_by = $4, note = $5 WHERE id = $1 AND status = 'open'")
                .bind(id).bind(if approve { "approved" } else { "rejected" }).bind(now_text()).bind(actor.name).bind(note)
                .execute(&mut *c).await?.rows_affected()
        });
        if affected != 1 {
            return Ok(false);
        }
        if approve {
            let cid = case.citizen_id.as_str();
            let sql = format!(
                "SELECT {SURVEY_COLUMNS} FROM surveys WHERE citizen_id = $1 ORDER BY survey_year"
            );
            let rows: Vec<SurveyRow> = on_tx!(&mut tx, c => {
                sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(cid).fetch_all(&mut *c).await?
            });
            let mut surveys: Vec<Survey> = rows
                .iter()
                .map(SurveyRow::to_survey)
                .collect::<Result<_>>()?;
            let first_year = match case.kind {
                CaseKind::Enrol => case.month.year(),
                CaseKind::Stop => case.month.year().min(through_year),
            };
            let mut changed = Vec::new();
            for y in first_year..=through_year.max(first_year) {
                let mut row = match surveys.iter().find(|s| s.year == y) {
                    Some(s) => s.clone(),
                    None => {
                        // Carry the latest earlier row's values into the new year.
                        let mut s = surveys
                            .iter()
                            .rev()
                            .find(|s| s.year < y)
                            .cloned()
                            .unwrap_or_default();
                        s.year = y;
                        s
                    }
                };
                let before = row.clone();
                let last_paid = prev_month(case.month);
                let (since, until) = subsidy_fields(&mut row, case.subsidy);
                match case.kind {
                    CaseKind::Enrol => {
                        *since = Some(case.month);
                        *until = None;
                    }
                    CaseKind::Stop => {
                        if since.is_some_and(|s| s <= last_paid) {
                            *until = Some(last_paid);
                        } else {
                            *since = None;
                            *until = None;
                        }
                    }
                }
                if row != before || !surveys.iter().any(|s| s.year == y) {
                    changed.push(row.clone());
                    match surveys.iter_mut().find(|s| s.year == y) {
                        Some(s) => *s = row,
                        None => {
                            surveys.push(row);
                            surveys.sort_by_key(|s| s.year);
                        }
                    }
                }
            }
            for s in &changed {
                zhucan_store::registry::upsert_survey_in(&mut tx, cid, s).await?;
            }
            let (kind, summary) = match case.kind {
                CaseKind::Enrol => (
                    EventKind::SubsidyEnrolled,
                    format!("{}自 {} 起发放", case.subsidy.zh(), case.month),
                ),
                CaseKind::Stop => (
                    EventKind::SubsidyStopped,
                    format!("{}自 {} 起停发", case.subsidy.zh(), case.month),
                ),
            };
            zhucan_store::registry::touch(
                &mut tx,
                cid,
                &[NewEvent {
                    kind,
                    occurred_on: Some(case.month.first_day()),
                    summary,
                }],
                actor,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// A month's payroll as submitted or approved, with its lines.
    async fn payroll(&self, m: Month) -> Result<Option<(PayrollRun, Vec<PayrollLine>)>> {
        let run: Option<RunRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT month, status, lines, total_fen, digest, submitted_by, submitted_at, approved_by, approved_at FROM payrolls WHERE month = $1")
                .bind(m.to_string()).fetch_optional(p).await?
        });
        let Some(r) = run else { return Ok(None) };
        let lines: Vec<LineRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT citizen_id, subsidy, kind, for_month, amount_fen, township_code FROM payroll_lines WHERE month = $1 ORDER BY line")
                .bind(m.to_string()).fetch_all(p).await?
        });
        Ok(Some((
            PayrollRun {
                month: month("month", &r.month)?,
                status: r.status,
                lines: r.lines,
                total_fen: r.total_fen,
                digest: r.digest,
                submitted_by: r.submitted_by,
                submitted_at: r.submitted_at,
                approved_by: r.approved_by,
                approved_at: r.approved_at,
            },
            lines
                .into_iter()
                .map(LineRow::into_domain)
                .collect::<Result<_>>()?,
        )))
    }

    /// The months whose payroll is approved (closed), oldest first.
    async fn closed_months(&self) -> Result<Vec<Month>> {
        let rows: Vec<String> = on_pool!(self, p => {
            sqlx::query_scalar("SELECT month FROM payrolls WHERE status = 'approved' ORDER BY month").fetch_all(p).await?
        });
        rows.iter().map(|m| month("month", m)).collect()
    }

    /// What closed payrolls paid, per (person, subsidy, month the money was for).
    async fn paid(&self) -> Result<HashMap<(CitizenId, Subsidy, Month), i64>> {
        let rows: Vec<LineRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT l.citizen_id, l.subsidy, l.kind, l.for_month, l.amount_fen, l.township_code FROM payroll_lines l JOIN payrolls r ON r.month = l.month WHERE r.status = 'approved'")
                .fetch_all(p).await?
        });
        let mut out = HashMap::new();
        for r in rows {
            let l = r.into_domain()?;
            *out.entry((l.citizen_id, l.subsidy, l.for_month))
                .or_insert(0) += l.amount_fen;
        }
        Ok(out)
    }

    /// Submits a month's payroll (replacing an earlier submission of the same month).
    async fn submit_payroll(
        &self,
        m: Month,
        lines: &[PayrollLine],
        by: &str,
    ) -> Result<std::result::Result<PayrollRun, PayrollRefusal>> {
        let mut tx = self.begin().await?;
        let status: Option<String> = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT status FROM payrolls WHERE month = $1").bind(m.to_string()).fetch_optional(&mut *c).await?
        });
        if status.as_deref() == Some("approved") {
            return Ok(Err(PayrollRefusal::Closed));
        }
        let total: i64 = lines.iter().map(|l| l.amount_fen).sum();
        let dg = digest(lines);
        let now = now_text();
        on_tx!(&mut tx, c => {
            sqlx::query("DELETE FROM payroll_lines WHERE month = $1").bind(m.to_string()).execute(&mut *c).await?;
            sqlx::query("DELETE FROM payrolls WHERE month = $1").bind(m.to_string()).execute(&mut *c).await?;
            sqlx::query("INSERT INTO payrolls (month, status, lines, total_fen, digest, submitted_by, submitted_at) VALUES ($1, 'submitted', $2, $3, $4, $5, $6)")
                .bind(m.to_string()).bind(lines.len() as i64).bind(total).bind(&dg).bind(by).bind(&now)
                .execute(&mut *c).await?;
        });
        for (chunk_no, chunk) in lines.chunks(2000).enumerate() {
            on_tx!(&mut tx, c => {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO payroll_lines (month, line, citizen_id, subsidy, kind, for_month, amount_fen, township_code) ");
                qb.push_values(chunk.iter().enumerate(), |mut b, (i, l)| {
                    b.push_bind(m.to_string())
                        .push_bind((chunk_no * 2000 + i + 1) as i64)
                        .push_bind(l.citizen_id.to_string())
                        .push_bind(l.subsidy.key())
                        .push_bind(l.kind.clone())
                        .push_bind(l.for_month.to_string())
                        .push_bind(l.amount_fen)
                        .push_bind(l.township.clone());
                });
                qb.build().execute(&mut *c).await?;
            });
        }
        tx.commit().await?;
        Ok(Ok(PayrollRun {
            month: m,
            status: "submitted".into(),
            lines: lines.len() as i64,
            total_fen: total,
            digest: dg,
            submitted_by: by.into(),
            submitted_at: now,
            approved_by: None,
            approved_at: None,
        }))
    }

    /// Approves (closes) a submitted payroll: by another account than the submitter, for the
    /// lines it saw (`digest`).
    async fn approve_payroll(
        &self,
        m: Month,
        digest: &str,
        by: &str,
    ) -> Result<std::result::Result<(), PayrollRefusal>> {
        let row: Option<(String, String, String)> = on_pool!(self, p => {
            sqlx::query_as("SELECT status, submitted_by, digest FROM payrolls WHERE month = $1").bind(m.to_string()).fetch_optional(p).await?
        });
        let Some((status, submitted_by, dg)) = row else {
            return Ok(Err(PayrollRefusal::NotSubmitted));
        };
        if status == "approved" {
            return Ok(Err(PayrollRefusal::Closed));
        }
        if submitted_by == by {
            return Ok(Err(PayrollRefusal::SameAccount));
        }
        if dg != digest {
            return Ok(Err(PayrollRefusal::Changed));
        }
        // The same conditions again in the write, so that a concurrent change cannot slip in.
        let mut tx = self.begin().await?;
        let affected = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE payrolls SET status = 'approved', approved_by = $2, approved_at = $3 WHERE month = $1 AND status = 'submitted' AND submitted_by <> $2 AND digest = $4")
                .bind(m.to_string()).bind(by).bind(now_text()).bind(digest).execute(&mut *c).await?.rows_affected()
        });
        if affected == 1 {
            zhucan_store::changes::next(&mut tx, PAYROLLS).await?;
        }
        tx.commit().await?;
        Ok(if affected == 1 {
            Ok(())
        } else {
            Err(PayrollRefusal::Changed)
        })
    }

    /// Every line closed payrolls paid to one person, newest first.
    async fn payments_of(&self, id: &CitizenId) -> Result<Vec<(Month, PayrollLine)>> {
        let rows: Vec<(String, String, String, String, String, i64, String)> = on_pool!(self, p => {
            sqlx::query_as("SELECT l.month, l.citizen_id, l.subsidy, l.kind, l.for_month, l.amount_fen, l.township_code FROM payroll_lines l JOIN payrolls r ON r.month = l.month WHERE r.status = 'approved' AND l.citizen_id = $1 ORDER BY l.month DESC, l.line")
                .bind(id.as_str()).fetch_all(p).await?
        });
        rows.into_iter()
            .map(
                |(m, citizen_id, subsidy, kind, for_month, amount_fen, township_code)| {
                    Ok((
                        month("month", &m)?,
                        LineRow {
                            citizen_id,
                            subsidy,
                            kind,
                            for_month,
                            amount_fen,
                            township_code,
                        }
                        .into_domain()?,
                    ))
                },
            )
            .collect()
    }

    /// Sets a person's payment account.
    async fn set_payment_account(
        &self,
        id: &CitizenId,
        a: &PaymentAccount,
        by: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO payment_accounts (citizen_id, bank, account_no, holder, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
                         ON CONFLICT (citizen_id) DO UPDATE SET bank = excluded.bank, account_no = excluded.account_no, holder = excluded.holder, updated_by = excluded.updated_by, updated_at = excluded.updated_at")
                .bind(id.as_str()).bind(&a.bank).bind(&a.account_no).bind(&a.holder).bind(by).bind(now_text())
                .execute(&mut *c).await?;
        });
        tx.commit().await
    }

    /// Payment accounts of some persons.
    async fn payment_accounts(&self, ids: &[CitizenId]) -> Result<HashMap<String, PaymentAccount>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(500) {
            let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT citizen_id, bank, account_no, holder FROM payment_accounts WHERE citizen_id IN ({})",
                ph.join(", ")
            );
            let rows: Vec<(String, String, String, String)> = on_pool!(self, p => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
                for id in chunk {
                    q = q.bind(id.as_str());
                }
                q.fetch_all(p).await?
            });
            for (id, bank, account_no, holder) in rows {
                out.insert(
                    id,
                    PaymentAccount {
                        bank,
                        account_no,
                        holder,
                    },
                );
            }
        }
        Ok(out)
    }
}

/// The month before `m`.
pub fn prev_month(m: Month) -> Month {
    if m.month() == 1 {
        Month::new(m.year() - 1, 12).unwrap_or(m)
    } else {
        Month::new(m.year(), m.month() - 1).unwrap_or(m)
    }
}
