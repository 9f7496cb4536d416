//! Job matching stored (人岗匹配): the job seekers' registrations, the vacancies and the
//! referrals. Every write is one transaction with the change counter and the audit record; a
//! placement also appends the person's `employment` fact to the ledger and an event to their
//! timeline, so indicator 9 counts it at the next computation.

use chrono::NaiveDate;
use serde::Serialize;
use zhucan_domain::disability::Category;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::person::EmploymentStatus;
use zhucan_domain::uscc::Uscc;
use zhucan_store::audit::AuditEvent;
use zhucan_store::registry::Actor;
use zhucan_store::rows::corrupt;
use zhucan_store::{Result, Store, now_text, on_pool, on_tx};

use crate::matching::{
    Access, ReferralStatus, VacancyStatus, join_access, join_categories, join_tags, split_access,
    split_categories, split_tags,
};
use crate::store::Written;

/// A job seeker's registration (求职登记).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Registration {
    pub citizen_id: CitizenId,
    pub area_code: String,
    pub skills: Vec<String>,
    pub wishes: Vec<String>,
    pub needs: Vec<Access>,
    pub note: String,
    /// `staff` or `citizen`.
    pub source: String,
    pub registered_at: String,
    pub updated_by: String,
    pub updated_at: String,
    pub version: i64,
}

/// A registration to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRegistration {
    pub citizen_id: CitizenId,
    pub area_code: String,
    pub skills: Vec<String>,
    pub wishes: Vec<String>,
    pub needs: Vec<Access>,
    pub note: String,
    pub source: &'static str,
    /// A stated 就业 need (需求转办) the registration takes: the person's placement meets it.
    pub takes_need: Option<String>,
}

/// The case a registration is for taken needs (`needs.case_ref`).
pub fn seeker_case(id: &CitizenId) -> String {
    format!("employment.seeker:{id}")
}

#[derive(sqlx::FromRow)]
struct RegistrationRow {
    citizen_id: String,
    area_code: String,
    skills: String,
    wishes: String,
    needs: String,
    note: String,
    source: String,
    registered_at: String,
    updated_by: String,
    updated_at: String,
    version: i64,
}

impl RegistrationRow {
    fn into_domain(self) -> Result<Registration> {
        Ok(Registration {
            citizen_id: CitizenId::from_trusted(self.citizen_id.clone())
                .map_err(|_| corrupt("citizen_id", &self.citizen_id))?,
            skills: split_tags(&self.skills),
            wishes: split_tags(&self.wishes),
            needs: split_access(&self.needs),
            area_code: self.area_code,
            note: self.note,
            source: self.source,
            registered_at: self.registered_at,
            updated_by: self.updated_by,
            updated_at: self.updated_at,
            version: self.version,
        })
    }
}

const REGISTRATION_COLUMNS: &str = "citizen_id, area_code, skills, wishes, needs, note, source, registered_at, updated_by, updated_at, version";

/// A vacancy (岗位) as stored, with its placements counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredVacancy {
    pub id: String,
    pub uscc: Uscc,
    pub employer_name: String,
    pub title: String,
    pub area_code: String,
    pub workplace: String,
    pub form: EmploymentStatus,
    pub positions: i64,
    pub monthly_wage_fen: i64,
    pub categories: Vec<Category>,
    pub skills: Vec<String>,
    pub access: Vec<Access>,
    pub description: String,
    pub status: VacancyStatus,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
    /// Persons placed in it.
    pub placed: i64,
}

impl StoredVacancy {
    /// Positions not yet filled.
    pub fn left(&self) -> i64 {
        self.positions - self.placed
    }

    /// The vacancy as the match reads it.
    pub fn for_match(&self) -> Option<crate::matching::Vacancy> {
        Some(crate::matching::Vacancy {
            id: self.id.clone(),
            title: self.title.clone(),
            township: zhucan_domain::area::AreaCode::parse(&self.area_code)?,
            open: self.status == VacancyStatus::Open,
            left: self.left(),
            categories: self.categories.clone(),
            skills: self.skills.clone(),
            access: self.access.clone(),
            monthly_wage_fen: self.monthly_wage_fen,
            posted_at: self.created_at.clone(),
        })
    }
}

/// A vacancy to post or change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VacancyInput {
    pub uscc: Uscc,
    pub employer_name: String,
    pub title: String,
    pub area_code: String,
    pub workplace: String,
    pub form: EmploymentStatus,
    pub positions: i64,
    pub monthly_wage_fen: i64,
    pub categories: Vec<Category>,
    pub skills: Vec<String>,
    pub access: Vec<Access>,
    pub description: String,
    pub status: VacancyStatus,
}

#[derive(sqlx::FromRow)]
struct VacancyRow {
    id: String,
    uscc: String,
    employer_name: String,
    title: String,
    area_code: String,
    workplace: String,
    form: String,
    positions: i64,
    monthly_wage_fen: i64,
    categories: String,
    skills: String,
    access: String,
    description: String,
    status: String,
    created_by: String,
    created_at: String,
    updated_at: String,
    version: i64,
    placed: i64,
}

impl VacancyRow {
    fn into_domain(self) -> Result<StoredVacancy> {
        Ok(StoredVacancy {
            uscc: Uscc::parse(&self.uscc).map_err(|_| corrupt("uscc", &self.uscc))?,
            form: EmploymentStatus::parse(&self.form).ok_or_else(|| corrupt("form", &self.form))?,
            status: VacancyStatus::parse(&self.status)
                .ok_or_else(|| corrupt("status", &self.status))?,
            categories: split_categories(&self.categories),
            skills: split_tags(&self.skills),
            access: split_access(&self.access),
            id: self.id,
            employer_name: self.employer_name,
            title: self.title,
            area_code: self.area_code,
            workplace: self.workplace,
            positions: self.positions,
            monthly_wage_fen: self.monthly_wage_fen,
            description: self.description,
            created_by: self.created_by,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
            placed: self.placed,
        })
    }
}

const VACANCY_COLUMNS: &str = "v.id, v.uscc, v.employer_name, v.title, v.area_code, v.workplace, v.form, v.positions, v.monthly_wage_fen, v.categories, v.skills, v.access, v.description, v.status, v.created_by, v.created_at, v.updated_at, v.version, (SELECT COUNT(*) FROM employment_referrals r WHERE r.vacancy_id = v.id AND r.status = 'placed') AS placed";

/// A referral (推荐) of a person to a vacancy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Referral {
    pub id: String,
    pub vacancy_id: String,
    pub citizen_id: CitizenId,
    pub status: ReferralStatus,
    /// The match's reasons when it was made.
    pub reasons: serde_json::Value,
    pub note: String,
    pub placed_on: Option<NaiveDate>,
    pub created_by: String,
    pub created_at: String,
    pub updated_by: String,
    pub updated_at: String,
    pub version: i64,
}

#[derive(sqlx::FromRow)]
struct ReferralRow {
    id: String,
    vacancy_id: String,
    citizen_id: String,
    status: String,
    reasons: String,
    note: String,
    placed_on: Option<String>,
    created_by: String,
    created_at: String,
    updated_by: String,
    updated_at: String,
    version: i64,
}

impl ReferralRow {
    fn into_domain(self) -> Result<Referral> {
        Ok(Referral {
            citizen_id: CitizenId::from_trusted(self.citizen_id.clone())
                .map_err(|_| corrupt("citizen_id", &self.citizen_id))?,
            status: ReferralStatus::parse(&self.status)
                .ok_or_else(|| corrupt("status", &self.status))?,
            reasons: serde_json::from_str(&self.reasons)
                .map_err(|_| corrupt("reasons", &self.reasons))?,
            placed_on: match self.placed_on {
                None => None,
                Some(s) => Some(
                    NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                        .map_err(|_| corrupt("placed_on", &s))?,
                ),
            },
            id: self.id,
            vacancy_id: self.vacancy_id,
            note: self.note,
            created_by: self.created_by,
            created_at: self.created_at,
            updated_by: self.updated_by,
            updated_at: self.updated_at,
            version: self.version,
        })
    }
}

const REFERRAL_COLUMNS: &str = "id, vacancy_id, citizen_id, status, reasons, note, placed_on, created_by, created_at, updated_by, updated_at, version";

/// What making a referral did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Referred {
    /// A new referral (its id).
    New(String),
    /// The person's interest was turned into a referral (its id).
    Promoted(String),
    /// The person was already referred to it, or the referral is closed.
    Already(String),
    /// No such vacancy, or it takes no referrals.
    Closed,
}

/// An outcome to record on an open referral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: ReferralStatus,
    pub placed_on: Option<NaiveDate>,
    pub note: String,
}

/// The matching's queries.
#[allow(async_fn_in_trait)]
pub trait JobsStore {
    /// A person's registration.
    async fn registration(&self, id: &CitizenId) -> Result<Option<Registration>>;
    /// The registrations of persons whose home area starts with `area`.
    async fn registrations(&self, area: &str) -> Result<Vec<Registration>>;
    /// Saves a registration; `version` is the one shown (`None`: a new one). Stale: another
    /// save came between.
    async fn register_seeker(
        &self,
        r: &NewRegistration,
        version: Option<i64>,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<Written>;
    /// Posts a vacancy: its id.
    async fn post_vacancy(&self, v: &VacancyInput, by: &str, audit: &AuditEvent) -> Result<String>;
    /// Changes a vacancy shown at `version`.
    async fn update_vacancy(
        &self,
        id: &str,
        version: i64,
        v: &VacancyInput,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<Written>;
    async fn vacancy(&self, id: &str) -> Result<Option<StoredVacancy>>;
    /// An employer's name and area as the programme knows them.
    async fn employer_of(&self, uscc: &str) -> Result<Option<(String, String)>>;
    /// Every vacancy (the open ones first, the newest first).
    async fn vacancies(&self) -> Result<Vec<StoredVacancy>>;
    /// An employer's vacancies.
    async fn vacancies_of(&self, uscc: &str) -> Result<Vec<StoredVacancy>>;
    /// Refers a person to an open vacancy (or records their interest, `interested`).
    async fn refer(
        &self,
        vacancy_id: &str,
        id: &CitizenId,
        status: ReferralStatus,
        reasons: &serde_json::Value,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<Referred>;
    async fn referral(&self, id: &str) -> Result<Option<Referral>>;
    async fn referrals_of(&self, id: &CitizenId) -> Result<Vec<Referral>>;
    async fn referrals_to(&self, vacancy_id: &str) -> Result<Vec<Referral>>;
    /// Records an open referral's outcome, shown at `version`. A placement (while a
    /// position is left) writes the person's employment fact from `placed_on` and an event
    /// of their timeline; no position left is `Stale`.
    async fn record_outcome(
        &self,
        referral_id: &str,
        version: i64,
        outcome: &Outcome,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<Written>;
}

async fn vacancy_in(tx: &mut zhucan_store::Tx, id: &str) -> Result<Option<StoredVacancy>> {
    let q = format!("SELECT {VACANCY_COLUMNS} FROM employment_vacancies v WHERE v.id = $1");
    let row: Option<VacancyRow> = on_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(id).fetch_optional(&mut *c).await?
    });
    row.map(VacancyRow::into_domain).transpose()
}

async fn referral_in(tx: &mut zhucan_store::Tx, id: &str) -> Result<Option<Referral>> {
    let q = format!("SELECT {REFERRAL_COLUMNS} FROM employment_referrals WHERE id = $1");
    let row: Option<ReferralRow> = on_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(id).fetch_optional(&mut *c).await?
    });
    row.map(ReferralRow::into_domain).transpose()
}

async fn lock_vacancy(tx: &mut zhucan_store::Tx, id: &str) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query("UPDATE employment_vacancies SET version = version WHERE id = $1")
            .bind(id).execute(&mut *c).await?;
    });
    Ok(())
}

fn json_text(v: &serde_json::Value) -> String {
    v.to_string()
}

impl JobsStore for Store {
    async fn registration(&self, id: &CitizenId) -> Result<Option<Registration>> {
        let q =
            format!("SELECT {REGISTRATION_COLUMNS} FROM employment_seekers WHERE citizen_id = $1");
        let row: Option<RegistrationRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(id.as_str()).fetch_optional(p).await?
        });
        row.map(RegistrationRow::into_domain).transpose()
    }

    async fn registrations(&self, area: &str) -> Result<Vec<Registration>> {
        let q = format!(
            "SELECT {REGISTRATION_COLUMNS} FROM employment_seekers WHERE area_code LIKE $1 ORDER BY citizen_id"
        );
        let rows: Vec<RegistrationRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(format!("{area}%")).fetch_all(p).await?
        });
        rows.into_iter().map(RegistrationRow::into_domain).collect()
    }

    async fn register_seeker(
        &self,
        r: &NewRegistration,
        version: Option<i64>,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<Written> {
        let mut tx = self.begin().await?;
        let now = now_text();
        let id = r.citizen_id.as_str();
        let (skills, wishes, needs) = (
            join_tags(&r.skills),
            join_tags(&r.wishes),
            join_access(&r.needs),
        );
        let n = on_tx!(&mut tx, c => {
            let current: Option<i64> = sqlx::query_scalar("SELECT version FROM employment_seekers WHERE citizen_id = $1")
                .bind(id).fetch_optional(&mut *c).await?;
            match (current, version) {
                (None, None) => {
                    sqlx::query("INSERT INTO employment_seekers (citizen_id, area_code, skills, wishes, needs, note, source, registered_at, updated_by, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, 1)")
                        .bind(id).bind(&r.area_code).bind(&skills).bind(&wishes).bind(&needs).bind(&r.note).bind(r.source).bind(&now).bind(by)
                        .execute(&mut *c).await?.rows_affected()
                }
                (Some(cur), Some(v)) if cur == v => {
                    sqlx::query("UPDATE employment_seekers SET area_code = $2, skills = $3, wishes = $4, needs = $5, note = $6, updated_by = $7, updated_at = $8, version = version + 1 WHERE citizen_id = $1 AND version = $9")
                        .bind(id).bind(&r.area_code).bind(&skills).bind(&wishes).bind(&needs).bind(&r.note).bind(by).bind(&now).bind(v)
                        .execute(&mut *c).await?.rows_affected()
                }
                _ => 0,
            }
        });
        if n != 1 {
            return Ok(Written::Stale);
        }
        if let Some(need) = r.takes_need.as_deref() {
            let taken = zhucan_service::store::take_need_in(
                &mut tx,
                need,
                &r.citizen_id,
                zhucan_service::rules::NeedKind::Employment,
                &seeker_case(&r.citizen_id),
                "已登记求职，正在为您推荐岗位",
                by,
            )
            .await?;
            if !taken {
                // Taken or closed meanwhile: nothing is written.
                return Ok(Written::Stale);
            }
        }
        crate::store::finish(tx, audit).await?;
        Ok(Written::Done)
    }

    async fn post_vacancy(&self, v: &VacancyInput, by: &str, audit: &AuditEvent) -> Result<String> {
        let mut tx = self.begin().await?;
        let id = zhucan_store::accounts::ordered_id();
        let now = now_text();
        on_tx!(&mut tx, c => {
            // The employer is known to the programme from its first vacancy or declaration.
            sqlx::query("INSERT INTO employment_employers (uscc, name, area_code, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (uscc) DO NOTHING")
                .bind(v.uscc.as_str()).bind(&v.employer_name).bind(&v.area_code).bind(by).bind(&now)
                .execute(&mut *c).await?;
            sqlx::query("INSERT INTO employment_vacancies (id, uscc, employer_name, title, area_code, workplace, form, positions, monthly_wage_fen, categories, skills, access, description, status, created_by, created_at, updated_by, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $15, $16, 1)")
                .bind(&id).bind(v.uscc.as_str()).bind(&v.employer_name).bind(&v.title).bind(&v.area_code).bind(&v.workplace).bind(v.form.key()).bind(v.positions).bind(v.monthly_wage_fen).bind(join_categories(&v.categories)).bind(join_tags(&v.skills)).bind(join_access(&v.access)).bind(&v.description).bind(v.status.key()).bind(by).bind(&now)
                .execute(&mut *c).await?;
        });
        let mut audit = audit.clone();
        audit.object = id.clone();
        crate::store::finish(tx, &audit).await?;
        Ok(id)
    }

    async fn update_vacancy(
        &self,
        id: &str,
        version: i64,
        v: &VacancyInput,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<Written> {
        let mut tx = self.begin().await?;
        let Some(cur) = vacancy_in(&mut tx, id).await? else {
            return Ok(Written::Missing);
        };
        // Fewer positions than persons placed is refused as stale.
        if cur.version != version || v.positions < cur.placed {
            return Ok(Written::Stale);
        }
        let now = now_text();
        let n = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE employment_vacancies SET employer_name = $3, title = $4, area_code = $5, workplace = $6, form = $7, positions = $8, monthly_wage_fen = $9, categories = $10, skills = $11, access = $12, description = $13, status = $14, updated_by = $15, updated_at = $16, version = version + 1 WHERE id = $1 AND version = $2")
                .bind(id).bind(version).bind(&v.employer_name).bind(&v.title).bind(&v.area_code).bind(&v.workplace).bind(v.form.key()).bind(v.positions).bind(v.monthly_wage_fen).bind(join_categories(&v.categories)).bind(join_tags(&v.skills)).bind(join_access(&v.access)).bind(&v.description).bind(v.status.key()).bind(by).bind(&now)
                .execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Ok(Written::Stale);
        }
        crate::store::finish(tx, audit).await?;
        Ok(Written::Done)
    }

    async fn vacancy(&self, id: &str) -> Result<Option<StoredVacancy>> {
        let q = format!("SELECT {VACANCY_COLUMNS} FROM employment_vacancies v WHERE v.id = $1");
        let row: Option<VacancyRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(id).fetch_optional(p).await?
        });
        row.map(VacancyRow::into_domain).transpose()
    }

    async fn employer_of(&self, uscc: &str) -> Result<Option<(String, String)>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as("SELECT name, area_code FROM employment_employers WHERE uscc = $1")
                .bind(uscc).fetch_optional(p).await?
        }))
    }

    async fn vacancies(&self) -> Result<Vec<StoredVacancy>> {
        let q = format!(
            "SELECT {VACANCY_COLUMNS} FROM employment_vacancies v ORDER BY CASE WHEN v.status = 'open' THEN 0 ELSE 1 END, v.created_at DESC, v.id DESC"
        );
        let rows: Vec<VacancyRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).fetch_all(p).await?
        });
        rows.into_iter().map(VacancyRow::into_domain).collect()
    }

    async fn vacancies_of(&self, uscc: &str) -> Result<Vec<StoredVacancy>> {
        let q = format!(
            "SELECT {VACANCY_COLUMNS} FROM employment_vacancies v WHERE v.uscc = $1 ORDER BY v.created_at DESC, v.id DESC"
        );
        let rows: Vec<VacancyRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(uscc).fetch_all(p).await?
        });
        rows.into_iter().map(VacancyRow::into_domain).collect()
    }

    async fn refer(
        &self,
        vacancy_id: &str,
        id: &CitizenId,
        status: ReferralStatus,
        reasons: &serde_json::Value,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<Referred> {
        let mut tx = self.begin().await?;
        lock_vacancy(&mut tx, vacancy_id).await?;
        match vacancy_in(&mut tx, vacancy_id).await? {
            Some(v) if v.status == VacancyStatus::Open && v.left() > 0 => {}
            _ => return Ok(Referred::Closed),
        }
        let existing: Option<(String, String)> = on_tx!(&mut tx, c => {
            sqlx::query_as("SELECT id, status FROM employment_referrals WHERE vacancy_id = $1 AND citizen_id = $2")
                .bind(vacancy_id).bind(id.as_str()).fetch_optional(&mut *c).await?
        });
        let now = now_text();
        let out = match existing {
            Some((rid, s))
                if s == ReferralStatus::Interested.key() && status == ReferralStatus::Referred =>
            {
                on_tx!(&mut tx, c => {
                    sqlx::query("UPDATE employment_referrals SET status = $2, updated_by = $3, updated_at = $4, version = version + 1 WHERE id = $1")
                        .bind(&rid).bind(status.key()).bind(by).bind(&now)
                        .execute(&mut *c).await?;
                });
                Referred::Promoted(rid)
            }
            Some((rid, _)) => return Ok(Referred::Already(rid)),
            None => {
                let rid = zhucan_store::accounts::ordered_id();
                on_tx!(&mut tx, c => {
                    sqlx::query("INSERT INTO employment_referrals (id, vacancy_id, citizen_id, status, reasons, note, created_by, created_at, updated_by, updated_at, version) VALUES ($1, $2, $3, $4, $5, '', $6, $7, $6, $7, 1)")
                        .bind(&rid).bind(vacancy_id).bind(id.as_str()).bind(status.key()).bind(json_text(reasons)).bind(by).bind(&now)
                        .execute(&mut *c).await?;
                });
                Referred::New(rid)
            }
        };
        crate::store::finish(tx, audit).await?;
        Ok(out)
    }

    async fn referral(&self, id: &str) -> Result<Option<Referral>> {
        let q = format!("SELECT {REFERRAL_COLUMNS} FROM employment_referrals WHERE id = $1");
        let row: Option<ReferralRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(id).fetch_optional(p).await?
        });
        row.map(ReferralRow::into_domain).transpose()
    }

    async fn referrals_of(&self, id: &CitizenId) -> Result<Vec<Referral>> {
        let q = format!(
            "SELECT {REFERRAL_COLUMNS} FROM employment_referrals WHERE citizen_id = $1 ORDER BY created_at DESC, id DESC"
        );
        let rows: Vec<ReferralRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(id.as_str()).fetch_all(p).await?
        });
        rows.into_iter().map(ReferralRow::into_domain).collect()
    }

    async fn referrals_to(&self, vacancy_id: &str) -> Result<Vec<Referral>> {
        let q = format!(
            "SELECT {REFERRAL_COLUMNS} FROM employment_referrals WHERE vacancy_id = $1 ORDER BY created_at, id"
        );
        let rows: Vec<ReferralRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(vacancy_id).fetch_all(p).await?
        });
        rows.into_iter().map(ReferralRow::into_domain).collect()
    }

    async fn record_outcome(
        &self,
        referral_id: &str,
        version: i64,
        outcome: &Outcome,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<Written> {
        let mut tx = self.begin().await?;
        let Some(r) = referral_in(&mut tx, referral_id).await? else {
            return Ok(Written::Missing);
        };
        if r.version != version || !r.status.open() || outcome.status.open() {
            return Ok(Written::Stale);
        }
        // The vacancy's row is locked first, so two placements cannot both take its last
        // position.
        lock_vacancy(&mut tx, &r.vacancy_id).await?;
        let Some(v) = vacancy_in(&mut tx, &r.vacancy_id).await? else {
            return Ok(Written::Missing);
        };
        let placed_on = match (outcome.status, outcome.placed_on) {
            (ReferralStatus::Placed, Some(d)) if v.left() > 0 => Some(d),
            (ReferralStatus::Placed, _) => return Ok(Written::Stale),
            _ => None,
        };
        let now = now_text();
        on_tx!(&mut tx, c => {
            sqlx::query("UPDATE employment_referrals SET status = $2, placed_on = $3, note = $4, updated_by = $5, updated_at = $6, version = version + 1 WHERE id = $1")
                .bind(referral_id).bind(outcome.status.key()).bind(placed_on.map(|d| d.to_string())).bind(&outcome.note).bind(actor.name).bind(&now)
                .execute(&mut *c).await?;
        });
        if let Some(from) = placed_on {
            // The programme record of `feeds-and-records.md` (a placement: the ledger's
            // `employment` fact and the timeline event): indicator 9 and 专栏3's quota,
            // concentrated and self employment count it at the next computation.
            let area: Option<String> = on_tx!(&mut tx, c => {
                sqlx::query_scalar("SELECT COALESCE(village_code, township_code) FROM persons WHERE citizen_id = $1")
                    .bind(r.citizen_id.as_str()).fetch_optional(&mut *c).await?
            });
            let placement = crate::placements::NewPlacement {
                citizen_id: r.citizen_id.clone(),
                area_code: area.unwrap_or_else(|| v.area_code.clone()),
                form: v.form,
                post: format!("{}，{}", v.employer_name, v.title),
                employer_uscc: Some(v.uscc.to_string()),
                since: from,
                referral_id: Some(referral_id.to_string()),
            };
            crate::placements::place_in(&mut tx, &placement, actor).await?;
            // The stated 就业 need the person's registration took is met by the placement.
            let outcome = format!("已就业：{}，{}，{from} 上岗。", v.employer_name, v.title);
            zhucan_service::store::meet_needs_in(
                &mut tx,
                &seeker_case(&r.citizen_id),
                &outcome,
                actor.name,
            )
            .await?;
        }
        crate::store::finish(tx, audit).await?;
        Ok(Written::Done)
    }
}
