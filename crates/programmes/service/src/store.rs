//! The service end's stored state: citizen accounts' links to person files, the catalogue,
//! applications (with their events and documents), needs, messages and the SMS outbox.

use std::collections::BTreeMap;

use crate::rules::{ActRefused, NeedKind, Satisfaction, ServiceDef, StaffAct, Transition};
use serde::Serialize;
use sha2::{Digest, Sha256};
use zhucan_domain::area::AreaCode;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::timeline::{EventKind, NewEvent};

use zhucan_store::accounts::{NewUser, User, ordered_id};
use zhucan_store::bulk::placeholders;
use zhucan_store::registry::Actor;
use zhucan_store::rows::corrupt;
use zhucan_store::{Reach, Result, Store, StoreError, Tx, now_text, on_pool, on_tx};

fn cid(s: &str) -> Result<CitizenId> {
    CitizenId::from_trusted(s.to_string()).map_err(|_| corrupt("citizen_id", s))
}

/// How an account relates to a person file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The person's own account.
    Own,
    /// A guardian registered on the file.
    Guardian,
}

impl Relation {
    pub fn key(self) -> &'static str {
        match self {
            Relation::Own => "self",
            Relation::Guardian => "guardian",
        }
    }

    fn parse(s: &str) -> Relation {
        if s == "guardian" {
            Relation::Guardian
        } else {
            Relation::Own
        }
    }
}

/// A submitted document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub document_key: String,
    pub file_name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// A document's description (the data is read on its own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FileInfo {
    pub seq: i64,
    pub document_key: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_at: String,
    pub uploaded_by: String,
}

/// An application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Application {
    pub id: String,
    pub citizen_id: CitizenId,
    pub service_key: String,
    pub applicant: String,
    /// `submitted`, `needs_info`, `approved`, `rejected`, `withdrawn`.
    pub status: String,
    pub step: i64,
    pub area: String,
    pub answers: BTreeMap<String, String>,
    pub submitted_at: String,
    pub due_on: String,
    pub decided_at: Option<String>,
    pub decision: Option<String>,
    pub decision_easy: Option<String>,
    pub version: i64,
}

#[derive(sqlx::FromRow)]
struct AppRow {
    id: String,
    citizen_id: String,
    service_key: String,
    applicant: String,
    status: String,
    step: i64,
    area_code: String,
    answers: String,
    submitted_at: String,
    due_on: String,
    decided_at: Option<String>,
    decision: Option<String>,
    decision_easy: Option<String>,
    version: i64,
}

const APP_COLUMNS: &str = "id, citizen_id, service_key, applicant, status, step, area_code, answers, submitted_at, due_on, decided_at, decision, decision_easy, version";

impl AppRow {
    fn into_domain(self) -> Result<Application> {
        Ok(Application {
            citizen_id: cid(&self.citizen_id)?,
            answers: serde_json::from_str(&self.answers).unwrap_or_default(),
            id: self.id,
            service_key: self.service_key,
            applicant: self.applicant,
            status: self.status,
            step: self.step,
            area: self.area_code,
            submitted_at: self.submitted_at,
            due_on: self.due_on,
            decided_at: self.decided_at,
            decision: self.decision,
            decision_easy: self.decision_easy,
            version: self.version,
        })
    }
}

/// One event of an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AppEvent {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub step: i64,
    pub note: String,
}

/// Which applications to list.
#[derive(Debug, Clone, Default)]
pub struct AppQuery {
    /// `None`: every status; `Some("active")`: submitted or needs_info.
    pub status: Option<String>,
    pub area: Option<AreaCode>,
    pub service_key: Option<String>,
    pub citizen_ids: Vec<CitizenId>,
    /// Only those due before this date (ISO).
    pub due_before: Option<String>,
    pub page: u32,
    pub per_page: u32,
}

/// What became of staff acting on an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acted {
    /// Done: the application's new state.
    Done(Box<Application>),
    /// The application changed since the version the clerk saw, or is already decided.
    Stale,
    /// The workflow refuses the act at the application's current step; nothing changed.
    Refused(ActRefused),
}

/// A need (需求).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Need {
    pub id: String,
    pub citizen_id: CitizenId,
    pub kind: NeedKind,
    pub description: String,
    pub channel: String,
    pub recorded_by: String,
    pub recorded_at: String,
    pub area: String,
    /// `open`, `triaged` or `closed`.
    pub status: String,
    pub service_key: Option<String>,
    pub referral: Option<String>,
    pub triaged_by: Option<String>,
    pub triaged_at: Option<String>,
    pub closed_at: Option<String>,
    pub outcome: Option<String>,
    pub satisfaction: Option<Satisfaction>,
    /// The programme case that took the need (`devices.case:…`), see [`take_need_in`].
    pub case_ref: Option<String>,
}

#[derive(sqlx::FromRow)]
struct NeedRow {
    id: String,
    citizen_id: String,
    kind: String,
    description: String,
    channel: String,
    recorded_by: String,
    recorded_at: String,
    area_code: String,
    status: String,
    service_key: Option<String>,
    referral: Option<String>,
    triaged_by: Option<String>,
    triaged_at: Option<String>,
    closed_at: Option<String>,
    outcome: Option<String>,
    satisfaction: Option<String>,
    case_ref: Option<String>,
}

const NEED_COLUMNS: &str = "id, citizen_id, kind, description, channel, recorded_by, recorded_at, area_code, status, service_key, referral, triaged_by, triaged_at, closed_at, outcome, satisfaction, case_ref";

impl NeedRow {
    fn into_domain(self) -> Result<Need> {
        Ok(Need {
            citizen_id: cid(&self.citizen_id)?,
            kind: NeedKind::parse(&self.kind).ok_or_else(|| corrupt("need kind", &self.kind))?,
            satisfaction: self.satisfaction.as_deref().and_then(Satisfaction::parse),
            id: self.id,
            description: self.description,
            channel: self.channel,
            recorded_by: self.recorded_by,
            recorded_at: self.recorded_at,
            area: self.area_code,
            status: self.status,
            service_key: self.service_key,
            referral: self.referral,
            triaged_by: self.triaged_by,
            triaged_at: self.triaged_at,
            closed_at: self.closed_at,
            outcome: self.outcome,
            case_ref: self.case_ref,
        })
    }
}

/// A message to a citizen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Message {
    pub citizen_id: String,
    pub id: String,
    pub at: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub read_at: Option<String>,
}

/// A text message waiting for (or given to) the gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Sms {
    pub id: String,
    pub citizen_id: String,
    pub phone: String,
    pub body: String,
    pub created_at: String,
    pub status: String,
    pub attempts: i64,
}

async fn insert_event(
    tx: &mut Tx,
    app: &str,
    actor: &str,
    kind: &str,
    step: i64,
    note: &str,
) -> Result<()> {
    on_tx!(tx, c => {
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM application_events WHERE application_id = $1").bind(app).fetch_one(&mut *c).await?;
        sqlx::query("INSERT INTO application_events (application_id, seq, at, actor, kind, step, note) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(app).bind(last.unwrap_or(0) + 1).bind(now_text()).bind(actor).bind(kind).bind(step).bind(note)
            .execute(&mut *c).await?;
    });
    Ok(())
}

async fn insert_files(tx: &mut Tx, app: &str, files: &[Upload], by: &str) -> Result<()> {
    for f in files {
        let sha = hex::encode(Sha256::digest(&f.data));
        on_tx!(tx, c => {
            let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM application_files WHERE application_id = $1").bind(app).fetch_one(&mut *c).await?;
            sqlx::query("INSERT INTO application_files (application_id, seq, document_key, file_name, content_type, size, sha256, data, uploaded_at, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                .bind(app).bind(last.unwrap_or(0) + 1).bind(&f.document_key).bind(&f.file_name).bind(&f.content_type)
                .bind(f.data.len() as i64).bind(&sha).bind(f.data.as_slice()).bind(now_text()).bind(by)
                .execute(&mut *c).await?;
        });
    }
    Ok(())
}

/// What became of an act inside a caller's transaction ([`act_in`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActedIn {
    Done,
    /// The application changed since `app` was read, or is decided.
    Stale,
    Refused(ActRefused),
}

/// Staff (or the programme that works the service, [`ServiceDef::handled_by`]) act on the
/// application `app` as read at its version, inside `tx`: the step moves by the workflow rule,
/// the event and the person's timeline are written, all with the caller's own records, so a
/// programme's step and its data are one transaction. Nothing is written unless `Done`.
pub async fn act_in(
    tx: &mut Tx,
    app: &Application,
    action: StaffAct,
    def: &ServiceDef,
    note: &str,
    easy: &str,
    actor: &Actor<'_>,
) -> Result<ActedIn> {
    let id = app.id.as_str();
    if !matches!(app.status.as_str(), "submitted" | "needs_info") {
        return Ok(ActedIn::Stale);
    }
    let (status, step, kind, decided) = match def.transition(app.step, action) {
        Err(refused) => return Ok(ActedIn::Refused(refused)),
        Ok(Transition::Step(next)) => ("submitted", next, "step_done", false),
        Ok(Transition::Approved) => ("approved", app.step, "approved", true),
        Ok(Transition::InfoRequested) => ("needs_info", app.step, "info_requested", false),
        Ok(Transition::Rejected) => ("rejected", app.step, "rejected", true),
    };
    let service_name = def.name.as_str();
    let now = now_text();
    let affected = on_tx!(&mut *tx, c => {
        sqlx::query("UPDATE applications SET status = $3, step = $4, decided_at = $5, decision = $6, decision_easy = $7, version = version + 1 WHERE id = $1 AND version = $2")
            .bind(id).bind(app.version).bind(status).bind(step)
            .bind(decided.then(|| now.clone())).bind(decided.then(|| note.to_string())).bind(decided.then(|| easy.to_string()).filter(|_| !easy.is_empty()))
            .execute(&mut *c).await?.rows_affected()
    });
    if affected != 1 {
        return Ok(ActedIn::Stale);
    }
    insert_event(tx, id, actor.name, kind, app.step, note).await?;
    let (ek, summary) = match kind {
        "approved" => (EventKind::ServiceDecided, format!("{service_name}：批准")),
        "rejected" => (
            EventKind::ServiceDecided,
            format!("{service_name}：不予批准"),
        ),
        "info_requested" => (
            EventKind::ServiceStep,
            format!("{service_name}：请补充材料"),
        ),
        _ => (
            EventKind::ServiceStep,
            format!("{service_name}：第 {} 步完成", app.step + 1),
        ),
    };
    zhucan_store::registry::touch(
        tx,
        app.citizen_id.as_str(),
        &[NewEvent {
            kind: ek,
            occurred_on: None,
            summary,
        }],
        actor,
    )
    .await?;
    Ok(ActedIn::Done)
}

/// Adds documents (photos) to an application inside `tx`, numbered after those it has.
pub async fn add_files_in(tx: &mut Tx, app: &str, files: &[Upload], by: &str) -> Result<()> {
    insert_files(tx, app, files, by).await
}

/// Submits an application of the service `service` for the person `id` inside `tx` (its
/// first event, its documents and the person's timeline), for a programme that writes more
/// in the same transaction (staff applying for a household and taking their stated need).
/// Returns the application's ID.
#[allow(clippy::too_many_arguments)]
pub async fn submit_in(
    tx: &mut Tx,
    id: &CitizenId,
    service: &ServiceDef,
    area: &AreaCode,
    answers: &BTreeMap<String, String>,
    files: &[Upload],
    due_on: chrono::NaiveDate,
    actor: &Actor<'_>,
) -> Result<String> {
    let app = ordered_id();
    let answers_json = serde_json::to_string(answers).unwrap_or_else(|_| "{}".into());
    let sql = format!(
        "INSERT INTO applications ({APP_COLUMNS}) VALUES ($1, $2, $3, $4, 'submitted', 0, $5, $6, $7, $8, NULL, NULL, NULL, 1)"
    );
    on_tx!(tx, c => {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&app).bind(id.as_str()).bind(&service.key).bind(actor.name).bind(area.as_str())
            .bind(&answers_json).bind(now_text()).bind(due_on.to_string())
            .execute(&mut *c).await?;
    });
    insert_event(tx, &app, actor.name, "submitted", 0, "").await?;
    insert_files(tx, &app, files, actor.name).await?;
    zhucan_store::registry::touch(
        tx,
        id.as_str(),
        &[NewEvent {
            kind: EventKind::ServiceApplied,
            occurred_on: None,
            summary: format!("申请{}", service.name),
        }],
        actor,
    )
    .await?;
    Ok(app)
}

/// A programme's case takes a stated need (需求转办), inside the case's transaction: the need
/// is triaged to the case `case_ref` (`<programme>.<kind>:<id>`) with the words `referral`
/// the person reads. Only a need of that person and kind that no case has taken yet and that
/// is not closed is taken; `false` when there is none (nothing changed).
pub async fn take_need_in(
    tx: &mut Tx,
    need_id: &str,
    citizen_id: &CitizenId,
    kind: NeedKind,
    case_ref: &str,
    referral: &str,
    by: &str,
) -> Result<bool> {
    let n = on_tx!(tx, c => {
        sqlx::query("UPDATE needs SET status = 'triaged', referral = $5, case_ref = $4, triaged_by = $6, triaged_at = $7 WHERE id = $1 AND citizen_id = $2 AND kind = $3 AND status <> 'closed' AND case_ref IS NULL")
            .bind(need_id).bind(citizen_id.as_str()).bind(kind.key()).bind(case_ref).bind(referral).bind(by).bind(now_text())
            .execute(&mut *c).await?.rows_affected()
    });
    Ok(n == 1)
}

/// The case `case_ref` is done with the needs it took (it recorded the service that meets
/// them, or refused it): each is closed with `outcome`, and the person gets a message asking
/// whether they are satisfied, inside the transaction that records it. Returns how many.
pub async fn meet_needs_in(tx: &mut Tx, case_ref: &str, outcome: &str, by: &str) -> Result<u64> {
    let open: Vec<(String, String)> = on_tx!(tx, c => {
        sqlx::query_as("SELECT id, citizen_id FROM needs WHERE case_ref = $1 AND status <> 'closed'")
            .bind(case_ref).fetch_all(&mut *c).await?
    });
    let now = now_text();
    for (id, citizen) in &open {
        on_tx!(tx, c => {
            sqlx::query("UPDATE needs SET status = 'closed', outcome = $2, closed_at = $3, triaged_by = COALESCE(triaged_by, $4) WHERE id = $1")
                .bind(id).bind(outcome).bind(&now).bind(by).execute(&mut *c).await?;
            sqlx::query("INSERT INTO messages (citizen_id, id, at, title, body, link, read_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)")
                .bind(citizen).bind(ordered_id()).bind(&now).bind("您的需求已办结")
                .bind(format!("{outcome} 请告诉我们您是否满意。")).bind("/me/needs")
                .execute(&mut *c).await?;
        });
    }
    Ok(open.len() as u64)
}

/// Seeds the default catalogue (migration 7).
pub async fn seed_catalogue(tx: &mut Tx) -> Result<()> {
    for (i, s) in crate::rules::default_catalogue().iter().enumerate() {
        let def = serde_json::to_string(s).map_err(|e| corrupt("service", &e.to_string()))?;
        on_tx!(tx, c => {
            sqlx::query("INSERT INTO services (key, seq, definition, active, updated_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(&s.key).bind(i as i64 + 1).bind(def).bind(true).bind(now_text())
                .execute(&mut *c).await?;
        });
    }
    Ok(())
}

/// The service end's storage: the catalogue, applications and their files, needs, messages, the SMS outbox, citizen links.
#[allow(async_fn_in_trait)]
pub trait ServiceStore {
    /// Creates a citizen account linked to person files, in one transaction.
    async fn create_citizen(
        &self,
        u: &NewUser,
        links: &[(CitizenId, Relation)],
        by: &str,
    ) -> Result<User>;

    /// The person files an account is linked to, own first.
    async fn persons_of_account(&self, user_id: &str) -> Result<Vec<(CitizenId, Relation)>>;

    /// What a citizen account reaches: the persons linked to it (nobody for another role).
    async fn reach_of_citizen(&self, user: &User) -> Result<Reach>;

    /// How many accounts of a relation a person file has (one own account per person).
    async fn account_links(&self, id: &CitizenId, relation: Relation) -> Result<i64>;

    /// The catalogue, in order: (definition, active).
    async fn services(&self) -> Result<Vec<(ServiceDef, bool)>>;

    /// One service, active or not.
    async fn service(&self, key: &str) -> Result<Option<(ServiceDef, bool)>>;

    /// Submits an application with its documents; its first event and the person's timeline
    /// record it.
    #[allow(clippy::too_many_arguments)]
    async fn submit_application(
        &self,
        id: &CitizenId,
        service: &ServiceDef,
        area: &AreaCode,
        answers: &BTreeMap<String, String>,
        files: &[Upload],
        due_on: chrono::NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<Application>;

    async fn application(&self, id: &str) -> Result<Option<Application>>;

    /// Applications, the longest waiting first (by due date), and how many match.
    async fn applications(&self, q: &AppQuery) -> Result<(i64, Vec<Application>)>;

    async fn application_events(&self, id: &str) -> Result<Vec<AppEvent>>;

    async fn application_files(&self, id: &str) -> Result<Vec<FileInfo>>;

    /// One document's description and content.
    async fn application_file(&self, id: &str, seq: i64) -> Result<Option<(FileInfo, Vec<u8>)>>;

    /// Staff act on an application of the service `def` at the version they saw. The step
    /// comes from the stored row, never from the form: steps advance one at a time, approval
    /// is refused before the last step ([`ServiceDef::transition`]) and the last step is
    /// completed only by a decision.
    #[allow(clippy::too_many_arguments)]
    async fn act_on_application(
        &self,
        id: &str,
        expected_version: i64,
        action: StaffAct,
        def: &ServiceDef,
        note: &str,
        easy: &str,
        actor: &Actor<'_>,
    ) -> Result<Acted>;

    /// The applicant answers a request for information (with documents): back to staff.
    async fn answer_application(
        &self,
        id: &str,
        note: &str,
        files: &[Upload],
        actor: &Actor<'_>,
    ) -> Result<bool>;

    /// Records a need.
    async fn record_need(
        &self,
        id: &CitizenId,
        kind: NeedKind,
        description: &str,
        channel: &str,
        area: &AreaCode,
        actor: &Actor<'_>,
    ) -> Result<Need>;

    async fn need(&self, id: &str) -> Result<Option<Need>>;

    /// Needs in an area (and, if given, of some persons), newest first.
    async fn needs(
        &self,
        area: &AreaCode,
        status: Option<&str>,
        persons: &[CitizenId],
        page: u32,
        per_page: u32,
    ) -> Result<(i64, Vec<Need>)>;

    /// Unmet (not closed) needs per township and kind, within an area.
    async fn unmet_needs(&self, area: &AreaCode) -> Result<Vec<(String, String, i64)>>;

    /// The needs of one kind in an area that wait for a programme's case (not closed, taken
    /// by no case), oldest first, at most `limit`, with how many there are.
    async fn needs_waiting(
        &self,
        area: &AreaCode,
        kind: NeedKind,
        limit: u32,
    ) -> Result<(i64, Vec<Need>)>;

    /// Triages an open need to a service or a referral.
    async fn triage_need(
        &self,
        id: &str,
        service_key: Option<&str>,
        referral: Option<&str>,
        by: &str,
    ) -> Result<bool>;

    /// Closes a need with its outcome.
    async fn close_need(&self, id: &str, outcome: &str, by: &str) -> Result<bool>;

    /// The citizen's satisfaction answer on a closed need (once).
    async fn answer_need(&self, id: &str, s: Satisfaction) -> Result<bool>;

    /// Leaves a message for a person's account(s) and, with a phone number, queues a text.
    async fn notify(
        &self,
        id: &CitizenId,
        title: &str,
        body: &str,
        link: Option<&str>,
        phone: Option<&str>,
    ) -> Result<()>;

    /// Messages of some persons, newest first.
    async fn messages_of(&self, ids: &[CitizenId], limit: i64) -> Result<Vec<Message>>;

    /// Marks a person's messages read.
    async fn mark_read(&self, ids: &[CitizenId]) -> Result<()>;

    /// The oldest queued texts.
    async fn queued_sms(&self, limit: i64) -> Result<Vec<Sms>>;

    /// Records a gateway's answer for a text.
    async fn mark_sms(&self, id: &str, sent: bool, error: Option<&str>) -> Result<()>;
}

impl ServiceStore for Store {
    /// Creates a citizen account linked to person files, in one transaction.
    async fn create_citizen(
        &self,
        u: &NewUser,
        links: &[(CitizenId, Relation)],
        by: &str,
    ) -> Result<User> {
        // Person files are never deleted: checking them first keeps the account whole.
        for (id, _) in links {
            let exists: Option<String> = on_pool!(self, p => {
                sqlx::query_scalar("SELECT citizen_id FROM persons WHERE citizen_id = $1").bind(id.as_str()).fetch_optional(p).await?
            });
            if exists.is_none() {
                return Err(StoreError::NotFound(id.masked()));
            }
        }
        let user = self.create_user(u).await?;
        let mut tx = self.begin().await?;
        for (id, rel) in links {
            on_tx!(&mut tx, c => {
                sqlx::query("INSERT INTO account_persons (user_id, citizen_id, relation, linked_at, linked_by) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&user.id).bind(id.as_str()).bind(rel.key()).bind(now_text()).bind(by)
                    .execute(&mut *c).await?;
            });
        }
        tx.commit().await?;
        Ok(user)
    }

    /// The person files an account is linked to, own first.
    async fn persons_of_account(&self, user_id: &str) -> Result<Vec<(CitizenId, Relation)>> {
        let rows: Vec<(String, String)> = on_pool!(self, p => {
            sqlx::query_as("SELECT citizen_id, relation FROM account_persons WHERE user_id = $1 ORDER BY relation DESC, citizen_id")
                .bind(user_id).fetch_all(p).await?
        });
        rows.into_iter()
            .map(|(c, r)| Ok((cid(&c)?, Relation::parse(&r))))
            .collect()
    }

    async fn reach_of_citizen(&self, user: &User) -> Result<Reach> {
        let ids = self
            .persons_of_account(&user.id)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        #[expect(
            clippy::disallowed_methods,
            reason = "the one place a citizen's reach is made: from the account's links"
        )]
        let reach = Reach::linked(user, ids);
        Ok(reach)
    }

    /// How many accounts of a relation a person file has (one own account per person).
    async fn account_links(&self, id: &CitizenId, relation: Relation) -> Result<i64> {
        Ok(on_pool!(self, p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM account_persons a JOIN users u ON u.id = a.user_id WHERE a.citizen_id = $1 AND a.relation = $2 AND u.disabled = $3")
                .bind(id.as_str()).bind(relation.key()).bind(false).fetch_one(p).await?
        }))
    }

    /// The catalogue, in order: (definition, active).
    async fn services(&self) -> Result<Vec<(ServiceDef, bool)>> {
        let rows: Vec<(String, bool)> = on_pool!(self, p => {
            sqlx::query_as("SELECT definition, active FROM services ORDER BY seq").fetch_all(p).await?
        });
        rows.into_iter()
            .map(|(d, a)| {
                Ok((
                    serde_json::from_str(&d).map_err(|_| corrupt("service", &d))?,
                    a,
                ))
            })
            .collect()
    }

    /// One service, active or not.
    async fn service(&self, key: &str) -> Result<Option<(ServiceDef, bool)>> {
        Ok(self
            .services()
            .await?
            .into_iter()
            .find(|(s, _)| s.key == key))
    }

    /// Submits an application with its documents; its first event and the person's timeline
    /// record it.
    #[allow(clippy::too_many_arguments)]
    async fn submit_application(
        &self,
        id: &CitizenId,
        service: &ServiceDef,
        area: &AreaCode,
        answers: &BTreeMap<String, String>,
        files: &[Upload],
        due_on: chrono::NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<Application> {
        let mut tx = self.begin().await?;
        let app = submit_in(&mut tx, id, service, area, answers, files, due_on, actor).await?;
        tx.commit().await?;
        self.application(&app)
            .await?
            .ok_or_else(|| StoreError::NotFound(app))
    }

    async fn application(&self, id: &str) -> Result<Option<Application>> {
        let sql = format!("SELECT {APP_COLUMNS} FROM applications WHERE id = $1");
        let row: Option<AppRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await?
        });
        row.map(AppRow::into_domain).transpose()
    }

    /// Applications, the longest waiting first (by due date), and how many match.
    async fn applications(&self, q: &AppQuery) -> Result<(i64, Vec<Application>)> {
        let mut conds = vec!["area_code LIKE $1".to_string()];
        let mut binds = vec![format!(
            "{}%",
            q.area.as_ref().map(|a| a.as_str()).unwrap_or("")
        )];
        match q.status.as_deref() {
            Some("active") => conds.push("status IN ('submitted', 'needs_info')".into()),
            Some(s) => {
                binds.push(s.to_string());
                conds.push(format!("status = ${}", binds.len()));
            }
            None => {}
        }
        if let Some(k) = &q.service_key {
            binds.push(k.clone());
            conds.push(format!("service_key = ${}", binds.len()));
        }
        if let Some(d) = &q.due_before {
            binds.push(d.clone());
            conds.push(format!("due_on < ${}", binds.len()));
        }
        if !q.citizen_ids.is_empty() {
            let ph = placeholders(binds.len() + 1, q.citizen_ids.len());
            binds.extend(q.citizen_ids.iter().map(|c| c.to_string()));
            conds.push(format!("citizen_id IN ({ph})"));
        }
        let per_page = q.per_page.clamp(1, 500);
        let offset = i64::from(q.page.max(1) - 1) * i64::from(per_page);
        let w = conds.join(" AND ");
        let count_sql = format!("SELECT COUNT(*) FROM applications WHERE {w}");
        let list_sql = format!(
            "SELECT {APP_COLUMNS} FROM applications WHERE {w} ORDER BY due_on, submitted_at, id LIMIT {per_page} OFFSET {offset}"
        );
        let (n, rows): (i64, Vec<AppRow>) = on_pool!(self, p => {
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
                .map(AppRow::into_domain)
                .collect::<Result<_>>()?,
        ))
    }

    async fn application_events(&self, id: &str) -> Result<Vec<AppEvent>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as("SELECT seq, at, actor, kind, step, note FROM application_events WHERE application_id = $1 ORDER BY seq")
                .bind(id).fetch_all(p).await?
        }))
    }

    async fn application_files(&self, id: &str) -> Result<Vec<FileInfo>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as("SELECT seq, document_key, file_name, content_type, size, sha256, uploaded_at, uploaded_by FROM application_files WHERE application_id = $1 ORDER BY seq")
                .bind(id).fetch_all(p).await?
        }))
    }

    /// One document's description and content.
    async fn application_file(&self, id: &str, seq: i64) -> Result<Option<(FileInfo, Vec<u8>)>> {
        let info: Option<FileInfo> = on_pool!(self, p => {
            sqlx::query_as("SELECT seq, document_key, file_name, content_type, size, sha256, uploaded_at, uploaded_by FROM application_files WHERE application_id = $1 AND seq = $2")
                .bind(id).bind(seq).fetch_optional(p).await?
        });
        let Some(info) = info else { return Ok(None) };
        let data: Vec<u8> = on_pool!(self, p => {
            sqlx::query_scalar("SELECT data FROM application_files WHERE application_id = $1 AND seq = $2").bind(id).bind(seq).fetch_one(p).await?
        });
        Ok(Some((info, data)))
    }

    /// Staff act on an application of the service `def` at the version they saw. The step
    /// comes from the stored row, never from the form: steps advance one at a time, approval
    /// is refused before the last step ([`ServiceDef::transition`]) and the last step is
    /// completed only by a decision.
    #[allow(clippy::too_many_arguments)]
    async fn act_on_application(
        &self,
        id: &str,
        expected_version: i64,
        action: StaffAct,
        def: &ServiceDef,
        note: &str,
        easy: &str,
        actor: &Actor<'_>,
    ) -> Result<Acted> {
        let Some(app) = self.application(id).await? else {
            return Err(StoreError::NotFound(id.to_string()));
        };
        if app.version != expected_version
            || !matches!(app.status.as_str(), "submitted" | "needs_info")
        {
            return Ok(Acted::Stale);
        }
        let mut tx = self.begin().await?;
        match act_in(&mut tx, &app, action, def, note, easy, actor).await? {
            ActedIn::Done => {}
            ActedIn::Stale => return Ok(Acted::Stale),
            ActedIn::Refused(r) => return Ok(Acted::Refused(r)),
        }
        tx.commit().await?;
        Ok(match self.application(id).await? {
            Some(a) => Acted::Done(Box::new(a)),
            None => Acted::Stale,
        })
    }

    /// The applicant answers a request for information (with documents): back to staff.
    async fn answer_application(
        &self,
        id: &str,
        note: &str,
        files: &[Upload],
        actor: &Actor<'_>,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let affected = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE applications SET status = 'submitted', version = version + 1 WHERE id = $1 AND status = 'needs_info'")
                .bind(id).execute(&mut *c).await?.rows_affected()
        });
        if affected != 1 {
            return Ok(false);
        }
        let step: i64 = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT step FROM applications WHERE id = $1").bind(id).fetch_one(&mut *c).await?
        });
        insert_event(&mut tx, id, actor.name, "info_provided", step, note).await?;
        insert_files(&mut tx, id, files, actor.name).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Records a need.
    async fn record_need(
        &self,
        id: &CitizenId,
        kind: NeedKind,
        description: &str,
        channel: &str,
        area: &AreaCode,
        actor: &Actor<'_>,
    ) -> Result<Need> {
        let nid = ordered_id();
        let mut tx = self.begin().await?;
        let sql = format!(
            "INSERT INTO needs ({NEED_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)"
        );
        on_tx!(&mut tx, c => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&nid).bind(id.as_str()).bind(kind.key()).bind(description).bind(channel).bind(actor.name).bind(now_text()).bind(area.as_str())
                .execute(&mut *c).await?;
        });
        zhucan_store::registry::touch(
            &mut tx,
            id.as_str(),
            &[NewEvent {
                kind: EventKind::NeedRecorded,
                occurred_on: None,
                summary: format!("需求：{}", kind.zh()),
            }],
            actor,
        )
        .await?;
        tx.commit().await?;
        self.need(&nid)
            .await?
            .ok_or_else(|| StoreError::NotFound(nid))
    }

    async fn need(&self, id: &str) -> Result<Option<Need>> {
        let sql = format!("SELECT {NEED_COLUMNS} FROM needs WHERE id = $1");
        let row: Option<NeedRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await?
        });
        row.map(NeedRow::into_domain).transpose()
    }

    /// Needs in an area (and, if given, of some persons), newest first.
    async fn needs(
        &self,
        area: &AreaCode,
        status: Option<&str>,
        persons: &[CitizenId],
        page: u32,
        per_page: u32,
    ) -> Result<(i64, Vec<Need>)> {
        let mut conds = vec!["area_code LIKE $1".to_string()];
        let mut binds = vec![format!("{}%", area.as_str())];
        if let Some(s) = status {
            binds.push(s.to_string());
            conds.push(format!("status = ${}", binds.len()));
        }
        if !persons.is_empty() {
            let ph = placeholders(binds.len() + 1, persons.len());
            binds.extend(persons.iter().map(|c| c.to_string()));
            conds.push(format!("citizen_id IN ({ph})"));
        }
        let per_page = per_page.clamp(1, 500);
        let offset = i64::from(page.max(1) - 1) * i64::from(per_page);
        let w = conds.join(" AND ");
        let count_sql = format!("SELECT COUNT(*) FROM needs WHERE {w}");
        let list_sql = format!(
            "SELECT {NEED_COLUMNS} FROM needs WHERE {w} ORDER BY recorded_at DESC, id DESC LIMIT {per_page} OFFSET {offset}"
        );
        let (n, rows): (i64, Vec<NeedRow>) = on_pool!(self, p => {
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
                .map(NeedRow::into_domain)
                .collect::<Result<_>>()?,
        ))
    }

    /// Unmet (not closed) needs per township and kind, within an area.
    async fn unmet_needs(&self, area: &AreaCode) -> Result<Vec<(String, String, i64)>> {
        let rows: Vec<(String, String)> = on_pool!(self, p => {
            sqlx::query_as("SELECT area_code, kind FROM needs WHERE area_code LIKE $1 AND status <> 'closed'")
                .bind(format!("{}%", area.as_str())).fetch_all(p).await?
        });
        let mut counts: BTreeMap<(String, String), i64> = BTreeMap::new();
        for (a, k) in rows {
            let township = a.get(..9).unwrap_or(&a).to_string();
            *counts.entry((township, k)).or_insert(0) += 1;
        }
        Ok(counts.into_iter().map(|((t, k), n)| (t, k, n)).collect())
    }

    async fn needs_waiting(
        &self,
        area: &AreaCode,
        kind: NeedKind,
        limit: u32,
    ) -> Result<(i64, Vec<Need>)> {
        let like = format!("{}%", area.as_str());
        let w = "area_code LIKE $1 AND kind = $2 AND status <> 'closed' AND case_ref IS NULL";
        let list_sql = format!(
            "SELECT {NEED_COLUMNS} FROM needs WHERE {w} ORDER BY recorded_at, id LIMIT {}",
            limit.clamp(1, 500)
        );
        let count_sql = format!("SELECT COUNT(*) FROM needs WHERE {w}");
        let (n, rows): (i64, Vec<NeedRow>) = on_pool!(self, p => {
            let n = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql)).bind(&like).bind(kind.key()).fetch_one(p).await?;
            (n, sqlx::query_as(sqlx::AssertSqlSafe(list_sql)).bind(&like).bind(kind.key()).fetch_all(p).await?)
        });
        Ok((
            n,
            rows.into_iter()
                .map(NeedRow::into_domain)
                .collect::<Result<_>>()?,
        ))
    }

    /// Triages an open need to a service or a referral.
    async fn triage_need(
        &self,
        id: &str,
        service_key: Option<&str>,
        referral: Option<&str>,
        by: &str,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE needs SET status = 'triaged', service_key = $2, referral = $3, triaged_by = $4, triaged_at = $5 WHERE id = $1 AND status <> 'closed'")
                .bind(id).bind(service_key).bind(referral).bind(by).bind(now_text()).execute(&mut *c).await?.rows_affected()
        });
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Closes a need with its outcome.
    async fn close_need(&self, id: &str, outcome: &str, by: &str) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE needs SET status = 'closed', outcome = $2, closed_at = $3, triaged_by = COALESCE(triaged_by, $4) WHERE id = $1 AND status <> 'closed'")
                .bind(id).bind(outcome).bind(now_text()).bind(by).execute(&mut *c).await?.rows_affected()
        });
        tx.commit().await?;
        Ok(n == 1)
    }

    /// The citizen's satisfaction answer on a closed need (once).
    async fn answer_need(&self, id: &str, s: Satisfaction) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE needs SET satisfaction = $2 WHERE id = $1 AND status = 'closed' AND satisfaction IS NULL")
                .bind(id).bind(s.key()).execute(&mut *c).await?.rows_affected()
        });
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Leaves a message for a person's account(s) and, with a phone number, queues a text.
    async fn notify(
        &self,
        id: &CitizenId,
        title: &str,
        body: &str,
        link: Option<&str>,
        phone: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let now = now_text();
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO messages (citizen_id, id, at, title, body, link, read_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)")
                .bind(id.as_str()).bind(ordered_id()).bind(&now).bind(title).bind(body).bind(link)
                .execute(&mut *c).await?;
        });
        if let Some(phone) = phone.filter(|p| !p.trim().is_empty()) {
            on_tx!(&mut tx, c => {
                sqlx::query("INSERT INTO sms_outbox (id, citizen_id, phone, body, created_at, status, attempts) VALUES ($1, $2, $3, $4, $5, 'queued', 0)")
                    .bind(ordered_id()).bind(id.as_str()).bind(phone.trim()).bind(format!("【黄岩区残联】{title}：{body}")).bind(&now)
                    .execute(&mut *c).await?;
            });
        }
        tx.commit().await
    }

    /// Messages of some persons, newest first.
    async fn messages_of(&self, ids: &[CitizenId], limit: i64) -> Result<Vec<Message>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!(
            "SELECT citizen_id, id, at, title, body, link, read_at FROM messages WHERE citizen_id IN ({}) ORDER BY at DESC, id DESC LIMIT {}",
            placeholders(1, ids.len()),
            limit.clamp(1, 1000)
        );
        Ok(on_pool!(self, p => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for id in ids { q = q.bind(id.as_str()); }
            q.fetch_all(p).await?
        }))
    }

    /// Marks a person's messages read.
    async fn mark_read(&self, ids: &[CitizenId]) -> Result<()> {
        let mut tx = self.begin().await?;
        for id in ids {
            on_tx!(&mut tx, c => {
                sqlx::query("UPDATE messages SET read_at = $2 WHERE citizen_id = $1 AND read_at IS NULL").bind(id.as_str()).bind(now_text()).execute(&mut *c).await?;
            });
        }
        tx.commit().await
    }

    /// The oldest queued texts.
    async fn queued_sms(&self, limit: i64) -> Result<Vec<Sms>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as("SELECT id, citizen_id, phone, body, created_at, status, attempts FROM sms_outbox WHERE status = 'queued' ORDER BY created_at, id LIMIT $1")
                .bind(limit).fetch_all(p).await?
        }))
    }

    /// Records a gateway's answer for a text.
    async fn mark_sms(&self, id: &str, sent: bool, error: Option<&str>) -> Result<()> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("UPDATE sms_outbox SET status = CASE WHEN $2 THEN 'sent' WHEN attempts >= 4 THEN 'failed' ELSE 'queued' END, attempts = attempts + 1, sent_at = CASE WHEN $2 THEN $3 ELSE sent_at END, error = $4 WHERE id = $1")
                .bind(id).bind(sent).bind(now_text()).bind(error).execute(&mut *c).await?;
        });
        tx.commit().await
    }
}
