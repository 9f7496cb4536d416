//! The programme's stored state: contractors, the survey items, projects and budgets. Every
//! step of a project is one transaction with the application's step (the citizen's view), the
//! person's timeline, the audit record, the change counter and — at acceptance — the facts
//! ledger's `home_modification` record that indicator 13 counts.

use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use zhucan_domain::area::AreaCode;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::ledger::Fact;
use zhucan_domain::timeline::{EventKind, NewEvent};
use zhucan_service::rules::NeedKind;
use zhucan_service::rules::{ServiceDef, StaffAct};
use zhucan_service::store::{
    ActedIn, Application, Upload, act_in, add_files_in, meet_needs_in, submit_in, take_need_in,
};
use zhucan_store::audit::AuditEvent;
use zhucan_store::ledger::NewFact;
use zhucan_store::registry::Actor;
use zhucan_store::rows::corrupt;
use zhucan_store::{Result, Store, Tx, now_text, on_pool, on_tx};

use crate::rules::{Item, SurveyLine};

/// The programme's change counter.
pub const COUNTER: &str = "homemod";

/// A contractor (施工单位).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Contractor {
    pub code: String,
    pub name: String,
    pub contact: String,
    pub active: bool,
}

/// A project: what each step of the application recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Project {
    pub application_id: String,
    pub citizen_id: CitizenId,
    pub township: String,
    pub area_code: String,
    pub year: i64,
    pub accepted_by: String,
    pub accepted_at: String,
    pub eligibility: String,
    pub survey: Vec<SurveyLine>,
    pub survey_note: Option<String>,
    pub surveyed_by: Option<String>,
    pub surveyed_on: Option<String>,
    pub quote_fen: Option<i64>,
    pub subsidy_planned_fen: Option<i64>,
    pub contractor: Option<String>,
    pub works_note: Option<String>,
    pub works_done_on: Option<String>,
    pub works_by: Option<String>,
    pub accepted_on: Option<String>,
    pub cost_fen: Option<i64>,
    pub subsidy_fen: Option<i64>,
    pub confirmed_by_household: Option<bool>,
    pub acceptance_note: Option<String>,
    pub inspected_by: Option<String>,
    pub paid_on: Option<String>,
    pub payment_ref: Option<String>,
    pub paid_by: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ProjectRow {
    application_id: String,
    citizen_id: String,
    township: String,
    area_code: String,
    year: i64,
    accepted_by: String,
    accepted_at: String,
    eligibility: String,
    survey: Option<String>,
    survey_note: Option<String>,
    surveyed_by: Option<String>,
    surveyed_on: Option<String>,
    quote_fen: Option<i64>,
    subsidy_planned_fen: Option<i64>,
    contractor: Option<String>,
    works_note: Option<String>,
    works_done_on: Option<String>,
    works_by: Option<String>,
    accepted_on: Option<String>,
    cost_fen: Option<i64>,
    subsidy_fen: Option<i64>,
    confirmed_by_household: Option<bool>,
    acceptance_note: Option<String>,
    inspected_by: Option<String>,
    paid_on: Option<String>,
    payment_ref: Option<String>,
    paid_by: Option<String>,
}

const PROJECT_COLUMNS: &str = "application_id, citizen_id, township, area_code, year, accepted_by, accepted_at, eligibility, survey, survey_note, surveyed_by, surveyed_on, quote_fen, subsidy_planned_fen, contractor, works_note, works_done_on, works_by, accepted_on, cost_fen, subsidy_fen, confirmed_by_household, acceptance_note, inspected_by, paid_on, payment_ref, paid_by";

impl ProjectRow {
    fn into_domain(self) -> Result<Project> {
        let survey = match self.survey.as_deref() {
            None => Vec::new(),
            Some(s) => serde_json::from_str(s).map_err(|_| corrupt("homemod survey", s))?,
        };
        Ok(Project {
            citizen_id: CitizenId::from_trusted(self.citizen_id.clone())
                .map_err(|_| corrupt("citizen_id", &self.citizen_id))?,
            application_id: self.application_id,
            township: self.township,
            area_code: self.area_code,
            year: self.year,
            accepted_by: self.accepted_by,
            accepted_at: self.accepted_at,
            eligibility: self.eligibility,
            survey,
            survey_note: self.survey_note,
            surveyed_by: self.surveyed_by,
            surveyed_on: self.surveyed_on,
            quote_fen: self.quote_fen,
            subsidy_planned_fen: self.subsidy_planned_fen,
            contractor: self.contractor,
            works_note: self.works_note,
            works_done_on: self.works_done_on,
            works_by: self.works_by,
            accepted_on: self.accepted_on,
            cost_fen: self.cost_fen,
            subsidy_fen: self.subsidy_fen,
            confirmed_by_household: self.confirmed_by_household,
            acceptance_note: self.acceptance_note,
            inspected_by: self.inspected_by,
            paid_on: self.paid_on,
            payment_ref: self.payment_ref,
            paid_by: self.paid_by,
        })
    }
}

/// A township's budget for a year, with what the projects use of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Budget {
    pub township: String,
    pub year: i64,
    pub budget_fen: Option<i64>,
    /// The subsidies of accepted projects.
    pub used_fen: i64,
    /// The planned subsidies of surveyed projects not yet accepted (nor rejected).
    pub committed_fen: i64,
}

impl Budget {
    /// What is left of the budget after what is used and committed (`None`: no budget set).
    pub fn left_fen(&self) -> Option<i64> {
        self.budget_fen
            .map(|b| b - self.used_fen - self.committed_fen)
    }
}

/// What a step records on the project (with the application's act).
#[derive(Debug, Clone)]
pub enum StepRecord {
    /// 受理: the project begins, with the eligibility judgement.
    Accept {
        township: String,
        area_code: String,
        year: i64,
        eligibility: String,
    },
    /// 入户评估: the survey, the quote and the contractor assigned.
    Survey {
        lines: Vec<SurveyLine>,
        note: String,
        surveyed_on: NaiveDate,
        quote_fen: i64,
        subsidy_planned_fen: i64,
        contractor: String,
    },
    /// 施工: the contractor's record of the works.
    Works { note: String, done_on: NaiveDate },
    /// 验收: the acceptance, with the household's confirmation, the cost and the subsidy.
    Inspect {
        accepted_on: NaiveDate,
        cost_fen: i64,
        subsidy_fen: i64,
        note: String,
        items: String,
    },
    /// A rejection (at any step): nothing recorded on the project beyond the application.
    Reject,
}

/// The home modification programme's storage.
#[allow(async_fn_in_trait)]
pub trait HomemodStore {
    /// Every contractor, by code.
    async fn contractors(&self) -> Result<Vec<Contractor>>;
    async fn contractor(&self, code: &str) -> Result<Option<Contractor>>;
    /// Adds (or updates the name, contact and activity of) a contractor, audited.
    async fn put_contractor(&self, c: &Contractor, by: &str, audit: &AuditEvent) -> Result<()>;
    /// The survey items of the catalogue.
    async fn items(&self) -> Result<Vec<Item>>;
    async fn project(&self, id: &str) -> Result<Option<Project>>;
    /// The projects whose area is within `area` (a code prefix), of `year` if given.
    async fn projects_in(&self, area: &str, year: Option<i64>) -> Result<Vec<Project>>;
    /// The projects assigned to a contractor.
    async fn projects_of_contractor(&self, code: &str) -> Result<Vec<Project>>;
    /// The budgets of `year` per township within `area`, with what projects use.
    async fn budgets(&self, area: &str, year: i64) -> Result<Vec<Budget>>;
    async fn budget(&self, township: &str, year: i64) -> Result<Budget>;
    /// Sets a township's budget for a year, audited.
    async fn set_budget(
        &self,
        township: &str,
        year: i64,
        fen: i64,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<()>;
    /// One step of a project: what it records, the application's act, the documents, the
    /// person's timeline, the audit record and (at acceptance) the facts ledger, in one
    /// transaction. Nothing is written unless the result is `Done`.
    #[allow(clippy::too_many_arguments)]
    async fn step(
        &self,
        app: &Application,
        def: &ServiceDef,
        act: StaffAct,
        record: &StepRecord,
        note: &str,
        files: &[Upload],
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<ActedIn>;
    /// Records the payment of an accepted project's subsidy (once), audited.
    async fn record_payment(
        &self,
        id: &str,
        paid_on: NaiveDate,
        reference: &str,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<bool>;
    /// Staff apply for a household (the application the household would submit on the
    /// service end), taking the stated need `need` if given, audited, in one transaction.
    /// `None` when the need could no longer be taken (nothing written).
    #[allow(clippy::too_many_arguments)]
    async fn apply_for(
        &self,
        id: &CitizenId,
        def: &ServiceDef,
        area: &AreaCode,
        answers: &BTreeMap<String, String>,
        due_on: NaiveDate,
        need: Option<&str>,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<Option<String>>;
}

/// The reference a stated need taken by a project carries (`needs.case_ref`).
pub fn case_ref(application_id: &str) -> String {
    format!("homemod.application:{application_id}")
}

/// Seeds the default survey items (the programme's first migration).
pub async fn seed_items(tx: &mut Tx) -> Result<()> {
    for (i, it) in crate::rules::default_items().iter().enumerate() {
        on_tx!(tx, c => {
            sqlx::query("INSERT INTO homemod_items (key, seq, label, label_en, unit, unit_en, cap_fen, active) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(&it.key).bind(i as i64 + 1).bind(&it.label).bind(&it.label_en).bind(&it.unit).bind(&it.unit_en).bind(it.cap_fen).bind(true)
                .execute(&mut *c).await?;
        });
    }
    zhucan_store::policy::seed_params(tx, crate::rules::default_params).await
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    key: String,
    label: String,
    label_en: String,
    unit: String,
    unit_en: String,
    cap_fen: i64,
}

#[derive(sqlx::FromRow)]
struct UseRow {
    township: String,
    used: Option<i64>,
    committed: Option<i64>,
}

fn projects(rows: Vec<ProjectRow>) -> Result<Vec<Project>> {
    rows.into_iter().map(ProjectRow::into_domain).collect()
}

async fn write_record(tx: &mut Tx, app: &Application, record: &StepRecord, by: &str) -> Result<()> {
    let id = app.id.as_str();
    let now = now_text();
    match record {
        StepRecord::Accept {
            township,
            area_code,
            year,
            eligibility,
        } => on_tx!(tx, c => {
            sqlx::query("INSERT INTO homemod_projects (application_id, citizen_id, township, area_code, year, accepted_by, accepted_at, eligibility) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(id).bind(app.citizen_id.as_str()).bind(township).bind(area_code).bind(year).bind(by).bind(&now).bind(eligibility)
                .execute(&mut *c).await?;
        }),
        StepRecord::Survey {
            lines,
            note,
            surveyed_on,
            quote_fen,
            subsidy_planned_fen,
            contractor,
        } => {
            let survey =
                serde_json::to_string(lines).map_err(|e| corrupt("survey", &e.to_string()))?;
            on_tx!(tx, c => {
                sqlx::query("UPDATE homemod_projects SET survey = $2, survey_note = $3, surveyed_by = $4, surveyed_on = $5, quote_fen = $6, subsidy_planned_fen = $7, contractor = $8 WHERE application_id = $1")
                    .bind(id).bind(survey).bind(note).bind(by).bind(surveyed_on.to_string()).bind(quote_fen).bind(subsidy_planned_fen).bind(contractor)
                    .execute(&mut *c).await?;
            })
        }
        StepRecord::Works { note, done_on } => on_tx!(tx, c => {
            sqlx::query("UPDATE homemod_projects SET works_note = $2, works_done_on = $3, works_by = $4 WHERE application_id = $1")
                .bind(id).bind(note).bind(done_on.to_string()).bind(by)
                .execute(&mut *c).await?;
        }),
        StepRecord::Inspect {
            accepted_on,
            cost_fen,
            subsidy_fen,
            note,
            items,
        } => {
            on_tx!(tx, c => {
                sqlx::query("UPDATE homemod_projects SET accepted_on = $2, cost_fen = $3, subsidy_fen = $4, confirmed_by_household = $5, acceptance_note = $6, inspected_by = $7 WHERE application_id = $1")
                    .bind(id).bind(accepted_on.to_string()).bind(cost_fen).bind(subsidy_fen).bind(true).bind(note).bind(by)
                    .execute(&mut *c).await?;
            });
            // The programme record of `feeds-and-records.md`: indicator 13 counts it at the
            // next computation, as it would an imported one.
            zhucan_store::ledger::append(
                tx,
                &[NewFact {
                    citizen_id: app.citizen_id.clone(),
                    fact: Fact::HomeModification {
                        accepted_on: *accepted_on,
                        items: (!items.is_empty()).then(|| items.clone()),
                        cost_fen: Some(*cost_fen),
                    },
                }],
                None,
                by,
            )
            .await?;
        }
        StepRecord::Reject => {}
    }
    Ok(())
}

impl HomemodStore for Store {
    async fn contractors(&self) -> Result<Vec<Contractor>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as("SELECT code, name, contact, active FROM homemod_contractors ORDER BY code").fetch_all(p).await?
        }))
    }

    async fn contractor(&self, code: &str) -> Result<Option<Contractor>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as("SELECT code, name, contact, active FROM homemod_contractors WHERE code = $1").bind(code).fetch_optional(p).await?
        }))
    }

    async fn put_contractor(&self, c: &Contractor, by: &str, audit: &AuditEvent) -> Result<()> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, x => {
            sqlx::query("INSERT INTO homemod_contractors (code, name, contact, active, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO UPDATE SET name = excluded.name, contact = excluded.contact, active = excluded.active")
                .bind(&c.code).bind(&c.name).bind(&c.contact).bind(c.active).bind(by).bind(now_text())
                .execute(&mut *x).await?;
        });
        zhucan_store::changes::next(&mut tx, COUNTER).await?;
        zhucan_store::audit::append(&mut tx, audit).await?;
        tx.commit().await
    }

    async fn items(&self) -> Result<Vec<Item>> {
        let rows: Vec<ItemRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT key, label, label_en, unit, unit_en, cap_fen FROM homemod_items WHERE active ORDER BY seq").fetch_all(p).await?
        });
        Ok(rows
            .into_iter()
            .map(|r| Item {
                key: r.key,
                label: r.label,
                label_en: r.label_en,
                unit: r.unit,
                unit_en: r.unit_en,
                cap_fen: r.cap_fen,
            })
            .collect())
    }

    async fn project(&self, id: &str) -> Result<Option<Project>> {
        let q = format!("SELECT {PROJECT_COLUMNS} FROM homemod_projects WHERE application_id = $1");
        let row: Option<ProjectRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(id).fetch_optional(p).await?
        });
        row.map(ProjectRow::into_domain).transpose()
    }

    async fn projects_in(&self, area: &str, year: Option<i64>) -> Result<Vec<Project>> {
        let q = format!(
            "SELECT {PROJECT_COLUMNS} FROM homemod_projects WHERE area_code LIKE $1 AND ($2 < 0 OR year = $2) ORDER BY accepted_at"
        );
        let rows: Vec<ProjectRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(format!("{area}%")).bind(year.unwrap_or(-1)).fetch_all(p).await?
        });
        projects(rows)
    }

    async fn projects_of_contractor(&self, code: &str) -> Result<Vec<Project>> {
        let q = format!(
            "SELECT {PROJECT_COLUMNS} FROM homemod_projects WHERE contractor = $1 ORDER BY accepted_at"
        );
        let rows: Vec<ProjectRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(code).fetch_all(p).await?
        });
        projects(rows)
    }

    async fn budgets(&self, area: &str, year: i64) -> Result<Vec<Budget>> {
        let set: Vec<(String, i64)> = on_pool!(self, p => {
            sqlx::query_as("SELECT township, budget_fen FROM homemod_budgets WHERE township LIKE $1 AND year = $2 ORDER BY township")
                .bind(format!("{area}%")).bind(year).fetch_all(p).await?
        });
        // Used: accepted subsidies; committed: planned subsidies of projects surveyed and
        // neither accepted nor rejected.
        let uses: Vec<UseRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT h.township AS township, CAST(SUM(h.subsidy_fen) AS BIGINT) AS used, CAST(SUM(CASE WHEN h.accepted_on IS NULL AND a.status <> 'rejected' THEN h.subsidy_planned_fen ELSE 0 END) AS BIGINT) AS committed FROM homemod_projects h JOIN applications a ON a.id = h.application_id WHERE h.township LIKE $1 AND h.year = $2 GROUP BY h.township ORDER BY h.township")
                .bind(format!("{area}%")).bind(year).fetch_all(p).await?
        });
        let mut out: Vec<Budget> = set
            .iter()
            .map(|(t, b)| Budget {
                township: t.clone(),
                year,
                budget_fen: Some(*b),
                used_fen: 0,
                committed_fen: 0,
            })
            .collect();
        for u in uses {
            let i = match out.iter().position(|b| b.township == u.township) {
                Some(i) => i,
                None => {
                    out.push(Budget {
                        township: u.township.clone(),
                        year,
                        budget_fen: None,
                        used_fen: 0,
                        committed_fen: 0,
                    });
                    out.len() - 1
                }
            };
            if let Some(b) = out.get_mut(i) {
                b.used_fen = u.used.unwrap_or(0);
                b.committed_fen = u.committed.unwrap_or(0);
            }
        }
        out.sort_by(|a, b| a.township.cmp(&b.township));
        Ok(out)
    }

    async fn budget(&self, township: &str, year: i64) -> Result<Budget> {
        let all = self.budgets(township, year).await?;
        Ok(all
            .into_iter()
            .find(|b| b.township == township)
            .unwrap_or(Budget {
                township: township.to_string(),
                year,
                budget_fen: None,
                used_fen: 0,
                committed_fen: 0,
            }))
    }

    async fn set_budget(
        &self,
        township: &str,
        year: i64,
        fen: i64,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO homemod_budgets (township, year, budget_fen, set_by, set_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (township, year) DO UPDATE SET budget_fen = excluded.budget_fen, set_by = excluded.set_by, set_at = excluded.set_at")
                .bind(township).bind(year).bind(fen).bind(by).bind(now_text())
                .execute(&mut *c).await?;
        });
        zhucan_store::changes::next(&mut tx, COUNTER).await?;
        zhucan_store::audit::append(&mut tx, audit).await?;
        tx.commit().await
    }

    async fn step(
        &self,
        app: &Application,
        def: &ServiceDef,
        act: StaffAct,
        record: &StepRecord,
        note: &str,
        files: &[Upload],
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<ActedIn> {
        let mut tx = self.begin().await?;
        let acted = act_in(&mut tx, app, act, def, note, "", actor).await?;
        if acted != ActedIn::Done {
            // Dropped without commit: nothing written.
            return Ok(acted);
        }
        write_record(&mut tx, app, record, actor.name).await?;
        add_files_in(&mut tx, &app.id, files, actor.name).await?;
        match record {
            StepRecord::Inspect { accepted_on, .. } => {
                let outcome = format!("您家的无障碍改造已于 {accepted_on} 验收合格。");
                meet_needs_in(&mut tx, &case_ref(&app.id), &outcome, actor.name).await?;
            }
            StepRecord::Reject => {
                let outcome = format!("您家的无障碍改造申请未获通过：{note}");
                meet_needs_in(&mut tx, &case_ref(&app.id), &outcome, actor.name).await?;
            }
            _ => {}
        }
        if let StepRecord::Inspect { accepted_on, .. } = record {
            zhucan_store::registry::touch(
                &mut tx,
                app.citizen_id.as_str(),
                &[NewEvent {
                    kind: EventKind::ServiceDecided,
                    occurred_on: Some(*accepted_on),
                    summary: format!("无障碍改造验收合格（{accepted_on}）"),
                }],
                actor,
            )
            .await?;
        }
        zhucan_store::changes::next(&mut tx, COUNTER).await?;
        zhucan_store::audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(ActedIn::Done)
    }

    async fn record_payment(
        &self,
        id: &str,
        paid_on: NaiveDate,
        reference: &str,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE homemod_projects SET paid_on = $2, payment_ref = $3, paid_by = $4 WHERE application_id = $1 AND accepted_on IS NOT NULL AND paid_on IS NULL")
                .bind(id).bind(paid_on.to_string()).bind(reference).bind(by)
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

    async fn apply_for(
        &self,
        id: &CitizenId,
        def: &ServiceDef,
        area: &AreaCode,
        answers: &BTreeMap<String, String>,
        due_on: NaiveDate,
        need: Option<&str>,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<Option<String>> {
        let mut tx = self.begin().await?;
        let app = submit_in(&mut tx, id, def, area, answers, &[], due_on, actor).await?;
        if let Some(need) = need {
            let referral = format!(
                "已为您申请家庭无障碍改造，将在 {due_on} 前办结，进度可在“我的申请”中查看。"
            );
            if !take_need_in(
                &mut tx,
                need,
                id,
                NeedKind::HomeModification,
                &case_ref(&app),
                &referral,
                actor.name,
            )
            .await?
            {
                // Dropped without commit: nothing written.
                return Ok(None);
            }
        }
        zhucan_store::changes::next(&mut tx, COUNTER).await?;
        zhucan_store::audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(Some(app))
    }
}
