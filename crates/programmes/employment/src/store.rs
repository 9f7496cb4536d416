//! The programme's stored state: employers, their declaration of each year with the employees
//! listed, and the review decisions. Every write is one transaction with the change counter
//! and the audit record; a confirmation also appends the counted employees' `employment`
//! facts to the ledger (`feeds-and-records.md`), so indicator 9 sees them at once.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::uscc::Uscc;
use zhucan_store::audit::AuditEvent;
use zhucan_store::ledger::NewFact;
use zhucan_store::rows::corrupt;
use zhucan_store::{Result, Store, Tx, now_text, on_pool, on_tx};

use crate::rules::Status;

/// Citizen IDs bound into one `IN (…)` list (under SQLite's limit of bound parameters).
const LIST_CHUNK: usize = 500;

/// The programme's change counter.
pub const COUNTER: &str = "employment";

/// Ends a write of the programme: the change counter, the audit record, the commit.
pub(crate) async fn finish(mut tx: Tx, audit: &AuditEvent) -> Result<()> {
    zhucan_store::changes::next(&mut tx, COUNTER).await?;
    zhucan_store::audit::append(&mut tx, audit).await?;
    tx.commit().await
}

/// One disabled employee as declared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeclaredPerson {
    pub citizen_id: CitizenId,
    pub name: Option<String>,
    pub contract_months: i64,
    pub monthly_wage_fen: i64,
    pub insured: bool,
}

/// A declaration to store: the employer's line and its employees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeclaration {
    pub uscc: Uscc,
    pub name: String,
    /// 乡镇街道 as declared.
    pub township: String,
    /// The township it resolved to (the district when not one of the district's).
    pub area_code: String,
    pub avg_staff_micro: i64,
    pub avg_wage_fen: i64,
    pub employees: Vec<DeclaredPerson>,
    /// For a declaration entered on a page, the version it was entered over (0: none was
    /// stored): another stored version refuses the whole save (`Saved::stale`), so an edit
    /// never overwrites one made meanwhile. `None` (a file): whatever is stored is replaced.
    pub expected: Option<i64>,
}

/// An employer's declaration of a year as stored (its employees are read apart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Declaration {
    pub year: i64,
    pub uscc: Uscc,
    pub name: String,
    pub township: String,
    pub area_code: String,
    pub avg_staff_micro: i64,
    pub avg_wage_fen: i64,
    pub source: String,
    pub declared_by: String,
    pub declared_at: String,
    pub status: Status,
    pub version: i64,
    pub contest: Option<String>,
    pub contested_by: Option<String>,
    pub contested_at: Option<String>,
    /// Employees listed.
    pub listed: i64,
}

#[derive(sqlx::FromRow)]
struct DeclarationRow {
    year: i64,
    uscc: String,
    name: String,
    township: String,
    area_code: String,
    avg_staff_micro: i64,
    avg_wage_fen: i64,
    source: String,
    declared_by: String,
    declared_at: String,
    status: String,
    version: i64,
    contest: Option<String>,
    contested_by: Option<String>,
    contested_at: Option<String>,
    listed: i64,
}

const DECLARATION_COLUMNS: &str = "d.year, d.uscc, d.name, d.township, d.area_code, d.avg_staff_micro, d.avg_wage_fen, d.source, d.declared_by, d.declared_at, d.status, d.version, d.contest, d.contested_by, d.contested_at, (SELECT COUNT(*) FROM employment_declared_employees x WHERE x.year = d.year AND x.uscc = d.uscc) AS listed";

impl DeclarationRow {
    fn into_domain(self) -> Result<Declaration> {
        Ok(Declaration {
            uscc: Uscc::parse(&self.uscc).map_err(|_| corrupt("uscc", &self.uscc))?,
            status: Status::parse(&self.status).ok_or_else(|| corrupt("status", &self.status))?,
            year: self.year,
            name: self.name,
            township: self.township,
            area_code: self.area_code,
            avg_staff_micro: self.avg_staff_micro,
            avg_wage_fen: self.avg_wage_fen,
            source: self.source,
            declared_by: self.declared_by,
            declared_at: self.declared_at,
            version: self.version,
            contest: self.contest,
            contested_by: self.contested_by,
            contested_at: self.contested_at,
            listed: self.listed,
        })
    }
}

/// A confirmed review (one row per confirmation, the latest in force).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub seq: i64,
    pub declaration_version: i64,
    /// The quota as the review states it (persons, up to six decimals).
    pub quota: String,
    pub counted: i64,
    pub exempt: bool,
    pub levy_fen: i64,
    pub reward_fen: i64,
    /// The contract's employer object, as decided.
    pub result: serde_json::Value,
    pub answered: Option<String>,
    pub decided_by: String,
    pub decided_at: String,
}

#[derive(sqlx::FromRow)]
struct DecisionRow {
    seq: i64,
    declaration_version: i64,
    quota: String,
    counted: i64,
    exempt: bool,
    levy_fen: i64,
    reward_fen: i64,
    result: String,
    answered: Option<String>,
    decided_by: String,
    decided_at: String,
}

impl DecisionRow {
    fn into_domain(self) -> Result<Decision> {
        Ok(Decision {
            result: serde_json::from_str(&self.result)
                .map_err(|_| corrupt("employment decision", &self.result))?,
            seq: self.seq,
            declaration_version: self.declaration_version,
            quota: self.quota,
            counted: self.counted,
            exempt: self.exempt,
            levy_fen: self.levy_fen,
            reward_fen: self.reward_fen,
            answered: self.answered,
            decided_by: self.decided_by,
            decided_at: self.decided_at,
        })
    }
}

/// A decision to record.
#[derive(Debug)]
pub struct NewDecision {
    pub quota: String,
    pub counted: i64,
    pub exempt: bool,
    pub levy_fen: i64,
    pub reward_fen: i64,
    pub result: serde_json::Value,
    /// The counted employees' employment facts, appended to the ledger with the decision.
    pub facts: Vec<NewFact>,
}

/// What storing a file of declarations did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Saved {
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Employers whose confirmed review forbids a new declaration by them (nothing was
    /// saved): they contest the decision instead.
    pub locked: Vec<String>,
    /// Employers whose stored declaration is not the version expected (nothing was saved).
    pub stale: Vec<String>,
}

/// Who stores declarations: staff replace any (a confirmed review goes back to review when
/// the declaration changes); an employer only its own while the review is not confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declarant {
    Staff,
    Employer,
}

/// The public review list's row (公示): no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Published {
    pub uscc: Uscc,
    pub name: String,
    pub area_code: String,
    pub decision: Decision,
}

/// The outcome of a guarded write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    Done,
    /// No such declaration.
    Missing,
    /// The declaration changed since the page was shown, or is not in the state the action
    /// needs.
    Stale,
}

/// The programme's queries.
#[allow(async_fn_in_trait)]
pub trait EmploymentStore {
    /// Stores the declarations of a file for `year`, whole or not at all.
    async fn save_declarations(
        &self,
        year: i64,
        list: &[NewDeclaration],
        source: &str,
        who: Declarant,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<Saved>;
    /// The declarations of a year whose employer's area starts with `area` (by name).
    async fn declarations(&self, year: i64, area: &str) -> Result<Vec<Declaration>>;
    /// One employer's declaration of a year.
    async fn declaration(&self, year: i64, uscc: &str) -> Result<Option<Declaration>>;
    /// Every year an employer declared, the latest first.
    async fn declarations_of(&self, uscc: &str) -> Result<Vec<Declaration>>;
    /// The employees an employer listed for a year, in the file's order.
    async fn declared_employees(&self, year: i64, uscc: &str) -> Result<Vec<DeclaredPerson>>;
    /// The employees of every declaration of a year whose employer's area starts with
    /// `area`, by USCC, each employer's in the file's order (one query).
    async fn declared_employees_in(
        &self,
        year: i64,
        area: &str,
    ) -> Result<HashMap<String, Vec<DeclaredPerson>>>;
    /// The persons more than one employer listed in `year` (one query).
    async fn listed_by_several(&self, year: i64) -> Result<HashSet<CitizenId>>;
    /// For each of `ids`, how many employers listed them in `year`.
    async fn employers_listing(
        &self,
        year: i64,
        ids: &[CitizenId],
    ) -> Result<HashMap<CitizenId, usize>>;
    /// Confirms a review: the decision, the status, the ledger facts, the audit, if the
    /// declaration is still at `version`.
    async fn decide(
        &self,
        year: i64,
        uscc: &str,
        version: i64,
        decision: &NewDecision,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<Written>;
    /// The employer objects to its confirmed review.
    async fn contest(
        &self,
        year: i64,
        uscc: &str,
        version: i64,
        reason: &str,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<Written>;
    /// The decisions of an employer's year, the latest first.
    async fn decisions(&self, year: i64, uscc: &str) -> Result<Vec<Decision>>;
    /// The confirmed reviews of a year with their decision in force (the 公示 list).
    async fn published(&self, year: i64) -> Result<Vec<Published>>;
    /// Sets an employer's sector and whether it is a public body (机关事业单位).
    async fn set_profile(
        &self,
        uscc: &str,
        sector: &str,
        public_body: bool,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<bool>;
    /// An employer's sector and public-body flag.
    async fn profile(&self, uscc: &str) -> Result<Option<(String, bool)>>;
    /// The public bodies (机关事业单位, flagged by the district) whose area starts with `area`,
    /// with the employees counted by their decision in force for `year` (`None`: no
    /// confirmed review), by name.
    async fn public_bodies(&self, year: i64, area: &str) -> Result<Vec<PublicBody>>;
}

/// A public body and what its review of a year counted (专栏3: every one employs ≥ 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PublicBody {
    pub uscc: String,
    pub name: String,
    pub area_code: String,
    pub counted: Option<i64>,
}

/// A declared employee with their employer.
#[derive(sqlx::FromRow)]
struct ListedRow {
    uscc: String,
    #[sqlx(flatten)]
    person: PersonRow,
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    citizen_id: String,
    name: Option<String>,
    contract_months: i64,
    monthly_wage_fen: i64,
    insured: bool,
}

impl PersonRow {
    fn into_domain(self) -> Result<DeclaredPerson> {
        Ok(DeclaredPerson {
            citizen_id: CitizenId::from_trusted(self.citizen_id.clone())
                .map_err(|_| corrupt("citizen_id", &self.citizen_id))?,
            name: self.name,
            contract_months: self.contract_months,
            monthly_wage_fen: self.monthly_wage_fen,
            insured: self.insured,
        })
    }
}

/// The plan's target 专栏3-4 "member units employing a disabled person"
/// (`public_units_employing`), kept in step in the transaction that changes it: of the
/// public bodies, the share (in millionths) whose review of `year` (else the latest year
/// reviewed) is decided and counts at least one person, as of that year's last day. Nothing
/// is recorded while no employer is a public body or no year was reviewed.
async fn measure_public_units(tx: &mut Tx, year: Option<i64>, by: &str) -> Result<()> {
    let year: Option<i64> = match year {
        Some(y) => Some(y),
        None => on_tx!(tx, c => {
            sqlx::query_scalar("SELECT MAX(year) FROM employment_decisions").fetch_one(&mut *c).await?
        }),
    };
    let Some((year, day)) = year.and_then(|y| Some((y, crate::review::judged_on(y)?))) else {
        return Ok(());
    };
    let (all, met): (i64, i64) = on_tx!(tx, c => {
        sqlx::query_as("SELECT COUNT(*), COALESCE(SUM(CASE WHEN (SELECT d.counted FROM employment_decisions d JOIN employment_declarations x ON x.year = d.year AND x.uscc = d.uscc WHERE d.year = $1 AND d.uscc = e.uscc AND x.status <> 'declared' ORDER BY d.seq DESC LIMIT 1) >= 1 THEN 1 ELSE 0 END), 0) FROM employment_employers e WHERE e.public_body = $2")
            .bind(year).bind(true).fetch_one(&mut *c).await?
    });
    if all == 0 {
        return Ok(());
    }
    let share = met * 1_000_000 / all;
    let evidence = format!(
        "按比例就业年审 {year}：{met}/{all} 家机关事业单位安排残疾人就业（就业模块，自动）"
    );
    zhucan_plan::store::record_measured_in(tx, PUBLIC_UNITS, share, day, &evidence, by).await
}

/// The plan target the public bodies' reviews measure.
pub const PUBLIC_UNITS: &str = "public_units_employing";

async fn current_in(tx: &mut Tx, year: i64, uscc: &str) -> Result<Option<Declaration>> {
    let q = format!(
        "SELECT {DECLARATION_COLUMNS} FROM employment_declarations d WHERE d.year = $1 AND d.uscc = $2"
    );
    let row: Option<DeclarationRow> = on_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(year).bind(uscc).fetch_optional(&mut *c).await?
    });
    row.map(DeclarationRow::into_domain).transpose()
}

async fn employees_in(tx: &mut Tx, year: i64, uscc: &str) -> Result<Vec<DeclaredPerson>> {
    let rows: Vec<PersonRow> = on_tx!(tx, c => {
        sqlx::query_as("SELECT citizen_id, name, contract_months, monthly_wage_fen, insured FROM employment_declared_employees WHERE year = $1 AND uscc = $2 ORDER BY seq")
            .bind(year).bind(uscc).fetch_all(&mut *c).await?
    });
    rows.into_iter().map(PersonRow::into_domain).collect()
}

/// Whether the stored declaration says the same as the new one.
fn same(old: &Declaration, old_people: &[DeclaredPerson], new: &NewDeclaration) -> bool {
    old.name == new.name
        && old.township == new.township
        && old.area_code == new.area_code
        && old.avg_staff_micro == new.avg_staff_micro
        && old.avg_wage_fen == new.avg_wage_fen
        && old_people == new.employees.as_slice()
}

async fn write_declaration(
    tx: &mut Tx,
    year: i64,
    d: &NewDeclaration,
    version: i64,
    source: &str,
    by: &str,
    exists: bool,
) -> Result<()> {
    let now = now_text();
    let uscc = d.uscc.as_str();
    on_tx!(tx, c => {
        sqlx::query("INSERT INTO employment_employers (uscc, name, area_code, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (uscc) DO UPDATE SET name = excluded.name, area_code = excluded.area_code, updated_by = excluded.updated_by, updated_at = excluded.updated_at")
            .bind(uscc).bind(&d.name).bind(&d.area_code).bind(by).bind(&now)
            .execute(&mut *c).await?;
        if exists {
            sqlx::query("UPDATE employment_declarations SET name = $3, township = $4, area_code = $5, avg_staff_micro = $6, avg_wage_fen = $7, source = $8, declared_by = $9, declared_at = $10, status = $11, version = $12 WHERE year = $1 AND uscc = $2")
                .bind(year).bind(uscc).bind(&d.name).bind(&d.township).bind(&d.area_code).bind(d.avg_staff_micro).bind(d.avg_wage_fen).bind(source).bind(by).bind(&now).bind(Status::Declared.key()).bind(version)
                .execute(&mut *c).await?;
            sqlx::query("DELETE FROM employment_declared_employees WHERE year = $1 AND uscc = $2")
                .bind(year).bind(uscc).execute(&mut *c).await?;
        } else {
            sqlx::query("INSERT INTO employment_declarations (year, uscc, name, township, area_code, avg_staff_micro, avg_wage_fen, source, declared_by, declared_at, status, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
                .bind(year).bind(uscc).bind(&d.name).bind(&d.township).bind(&d.area_code).bind(d.avg_staff_micro).bind(d.avg_wage_fen).bind(source).bind(by).bind(&now).bind(Status::Declared.key()).bind(version)
                .execute(&mut *c).await?;
        }
        for (i, e) in d.employees.iter().enumerate() {
            sqlx::query("INSERT INTO employment_declared_employees (year, uscc, seq, citizen_id, name, contract_months, monthly_wage_fen, insured) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(year).bind(uscc).bind(i64::try_from(i).unwrap_or(i64::MAX)).bind(e.citizen_id.as_str()).bind(&e.name).bind(e.contract_months).bind(e.monthly_wage_fen).bind(e.insured)
                .execute(&mut *c).await?;
        }
    });
    Ok(())
}

impl EmploymentStore for Store {
    async fn save_declarations(
        &self,
        year: i64,
        list: &[NewDeclaration],
        source: &str,
        who: Declarant,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<Saved> {
        let mut tx = self.begin().await?;
        let mut saved = Saved::default();
        let mut reopened = Vec::new();
        for d in list {
            let old = current_in(&mut tx, year, d.uscc.as_str()).await?;
            if let Some(v) = d.expected
                && old.as_ref().map_or(0, |o| o.version) != v
            {
                saved.stale.push(d.uscc.to_string());
                continue;
            }
            match old {
                None => {
                    write_declaration(&mut tx, year, d, 1, source, by, false).await?;
                    saved.added += 1;
                }
                Some(old) => {
                    let people = employees_in(&mut tx, year, d.uscc.as_str()).await?;
                    if same(&old, &people, d) {
                        saved.unchanged += 1;
                        continue;
                    }
                    if who == Declarant::Employer && old.status == Status::Confirmed {
                        saved.locked.push(d.uscc.to_string());
                        continue;
                    }
                    if old.status != Status::Declared {
                        reopened.push(d.uscc.to_string());
                    }
                    write_declaration(&mut tx, year, d, old.version + 1, source, by, true).await?;
                    saved.changed += 1;
                }
            }
        }
        if !saved.locked.is_empty() || !saved.stale.is_empty() {
            // Whole or nothing: the transaction is dropped (rolled back).
            return Ok(saved);
        }
        if saved.added + saved.changed > 0 {
            zhucan_store::changes::next(&mut tx, COUNTER).await?;
        }
        let mut event = audit.clone();
        event.detail = serde_json::json!({
            "year": year,
            "source": source,
            "added": saved.added,
            "changed": saved.changed,
            "unchanged": saved.unchanged,
            "reopened": reopened,
            "employers": list.iter().map(|d| d.uscc.as_str()).collect::<Vec<_>>(),
            "detail": audit.detail,
        });
        zhucan_store::audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn declarations(&self, year: i64, area: &str) -> Result<Vec<Declaration>> {
        let q = format!(
            "SELECT {DECLARATION_COLUMNS} FROM employment_declarations d WHERE d.year = $1 AND d.area_code LIKE $2 ORDER BY d.area_code, d.name, d.uscc"
        );
        let rows: Vec<DeclarationRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(year).bind(format!("{area}%")).fetch_all(p).await?
        });
        rows.into_iter().map(DeclarationRow::into_domain).collect()
    }

    async fn declaration(&self, year: i64, uscc: &str) -> Result<Option<Declaration>> {
        let q = format!(
            "SELECT {DECLARATION_COLUMNS} FROM employment_declarations d WHERE d.year = $1 AND d.uscc = $2"
        );
        let row: Option<DeclarationRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(year).bind(uscc).fetch_optional(p).await?
        });
        row.map(DeclarationRow::into_domain).transpose()
    }

    async fn declarations_of(&self, uscc: &str) -> Result<Vec<Declaration>> {
        let q = format!(
            "SELECT {DECLARATION_COLUMNS} FROM employment_declarations d WHERE d.uscc = $1 ORDER BY d.year DESC"
        );
        let rows: Vec<DeclarationRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(uscc).fetch_all(p).await?
        });
        rows.into_iter().map(DeclarationRow::into_domain).collect()
    }

    async fn declared_employees(&self, year: i64, uscc: &str) -> Result<Vec<DeclaredPerson>> {
        let rows: Vec<PersonRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT citizen_id, name, contract_months, monthly_wage_fen, insured FROM employment_declared_employees WHERE year = $1 AND uscc = $2 ORDER BY seq")
                .bind(year).bind(uscc).fetch_all(p).await?
        });
        rows.into_iter().map(PersonRow::into_domain).collect()
    }

    async fn declared_employees_in(
        &self,
        year: i64,
        area: &str,
    ) -> Result<HashMap<String, Vec<DeclaredPerson>>> {
        let rows: Vec<ListedRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT e.uscc, e.citizen_id, e.name, e.contract_months, e.monthly_wage_fen, e.insured \
                 FROM employment_declared_employees e \
                 JOIN employment_declarations d ON d.year = e.year AND d.uscc = e.uscc \
                 WHERE e.year = $1 AND d.area_code LIKE $2 ORDER BY e.uscc, e.seq")
                .bind(year).bind(format!("{area}%")).fetch_all(p).await?
        });
        let mut out: HashMap<String, Vec<DeclaredPerson>> = HashMap::new();
        for r in rows {
            out.entry(r.uscc).or_default().push(r.person.into_domain()?);
        }
        Ok(out)
    }

    async fn listed_by_several(&self, year: i64) -> Result<HashSet<CitizenId>> {
        let rows: Vec<(String,)> = on_pool!(self, p => {
            sqlx::query_as("SELECT citizen_id FROM employment_declared_employees WHERE year = $1 \
                 GROUP BY citizen_id HAVING COUNT(DISTINCT uscc) > 1")
                .bind(year).fetch_all(p).await?
        });
        rows.into_iter()
            .map(|(id,)| {
                CitizenId::from_trusted(id.clone())
                    .map_err(|_| corrupt("employment_declared_employees.citizen_id", &id))
            })
            .collect()
    }

    async fn employers_listing(
        &self,
        year: i64,
        ids: &[CitizenId],
    ) -> Result<HashMap<CitizenId, usize>> {
        let mut unique: Vec<&str> = ids.iter().map(CitizenId::as_str).collect();
        unique.sort_unstable();
        unique.dedup();
        let mut out = HashMap::with_capacity(unique.len());
        for chunk in unique.chunks(LIST_CHUNK) {
            let q = format!(
                "SELECT citizen_id, COUNT(DISTINCT uscc) FROM employment_declared_employees \
                 WHERE year = $1 AND citizen_id IN ({}) GROUP BY citizen_id",
                zhucan_store::bulk::placeholders(2, chunk.len())
            );
            let rows: Vec<(String, i64)> = on_pool!(self, p => {
                let mut query = sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(year);
                for id in chunk {
                    query = query.bind(*id);
                }
                query.fetch_all(p).await?
            });
            for (id, n) in rows {
                let id = CitizenId::from_trusted(id.clone())
                    .map_err(|_| corrupt("employment_declared_employees.citizen_id", &id))?;
                out.insert(id, usize::try_from(n).unwrap_or(0));
            }
        }
        for id in ids {
            out.entry(id.clone()).or_insert(0);
        }
        Ok(out)
    }

    async fn decide(
        &self,
        year: i64,
        uscc: &str,
        version: i64,
        decision: &NewDecision,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<Written> {
        let mut tx = self.begin().await?;
        let Some(current) = current_in(&mut tx, year, uscc).await? else {
            return Ok(Written::Missing);
        };
        if current.version != version || current.status == Status::Confirmed {
            return Ok(Written::Stale);
        }
        let result = serde_json::to_string(&decision.result)
            .map_err(|e| corrupt("employment decision", &e.to_string()))?;
        let now = now_text();
        on_tx!(&mut tx, c => {
            let seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM employment_decisions WHERE year = $1 AND uscc = $2")
                .bind(year).bind(uscc).fetch_one(&mut *c).await?;
            sqlx::query("INSERT INTO employment_decisions (year, uscc, seq, declaration_version, quota, counted, exempt, levy_fen, reward_fen, result, answered, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
                .bind(year).bind(uscc).bind(seq).bind(version).bind(&decision.quota).bind(decision.counted).bind(decision.exempt).bind(decision.levy_fen).bind(decision.reward_fen).bind(&result).bind(&current.contest).bind(by).bind(&now)
                .execute(&mut *c).await?;
            sqlx::query("UPDATE employment_declarations SET status = $3, contest = NULL, contested_by = NULL, contested_at = NULL WHERE year = $1 AND uscc = $2")
                .bind(year).bind(uscc).bind(Status::Confirmed.key())
                .execute(&mut *c).await?;
        });
        // The counted employees' employment facts: indicator 9 counts them at the next
        // computation, as it would rows of the 人社 feed.
        zhucan_store::ledger::append(&mut tx, &decision.facts, None, by).await?;
        measure_public_units(&mut tx, Some(year), by).await?;
        zhucan_store::changes::next(&mut tx, COUNTER).await?;
        zhucan_store::audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(Written::Done)
    }

    async fn contest(
        &self,
        year: i64,
        uscc: &str,
        version: i64,
        reason: &str,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<Written> {
        let mut tx = self.begin().await?;
        let Some(current) = current_in(&mut tx, year, uscc).await? else {
            return Ok(Written::Missing);
        };
        if current.version != version || current.status != Status::Confirmed {
            return Ok(Written::Stale);
        }
        on_tx!(&mut tx, c => {
            sqlx::query("UPDATE employment_declarations SET status = $3, contest = $4, contested_by = $5, contested_at = $6 WHERE year = $1 AND uscc = $2")
                .bind(year).bind(uscc).bind(Status::Contested.key()).bind(reason).bind(by).bind(now_text())
                .execute(&mut *c).await?;
        });
        zhucan_store::changes::next(&mut tx, COUNTER).await?;
        zhucan_store::audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(Written::Done)
    }

    async fn decisions(&self, year: i64, uscc: &str) -> Result<Vec<Decision>> {
        let rows: Vec<DecisionRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT seq, declaration_version, quota, counted, exempt, levy_fen, reward_fen, result, answered, decided_by, decided_at FROM employment_decisions WHERE year = $1 AND uscc = $2 ORDER BY seq DESC")
                .bind(year).bind(uscc).fetch_all(p).await?
        });
        rows.into_iter().map(DecisionRow::into_domain).collect()
    }

    async fn published(&self, year: i64) -> Result<Vec<Published>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            uscc: String,
            name: String,
            area_code: String,
            #[sqlx(flatten)]
            decision: DecisionRow,
        }
        let rows: Vec<Row> = on_pool!(self, p => {
            sqlx::query_as("SELECT d.uscc, d.name, d.area_code, x.seq, x.declaration_version, x.quota, x.counted, x.exempt, x.levy_fen, x.reward_fen, x.result, x.answered, x.decided_by, x.decided_at FROM employment_declarations d JOIN employment_decisions x ON x.year = d.year AND x.uscc = d.uscc WHERE d.year = $1 AND d.status = $2 AND x.seq = (SELECT MAX(y.seq) FROM employment_decisions y WHERE y.year = d.year AND y.uscc = d.uscc) ORDER BY d.area_code, d.name, d.uscc")
                .bind(year).bind(Status::Confirmed.key()).fetch_all(p).await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(Published {
                    uscc: Uscc::parse(&r.uscc).map_err(|_| corrupt("uscc", &r.uscc))?,
                    name: r.name,
                    area_code: r.area_code,
                    decision: r.decision.into_domain()?,
                })
            })
            .collect()
    }

    async fn set_profile(
        &self,
        uscc: &str,
        sector: &str,
        public_body: bool,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE employment_employers SET sector = $2, public_body = $3, updated_by = $4, updated_at = $5 WHERE uscc = $1")
                .bind(uscc).bind(sector).bind(public_body).bind(by).bind(now_text())
                .execute(&mut *c).await?.rows_affected()
        });
        if n == 0 {
            return Ok(false);
        }
        measure_public_units(&mut tx, None, by).await?;
        zhucan_store::changes::next(&mut tx, COUNTER).await?;
        zhucan_store::audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn public_bodies(&self, year: i64, area: &str) -> Result<Vec<PublicBody>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as("SELECT e.uscc, e.name, e.area_code, (SELECT d.counted FROM employment_decisions d JOIN employment_declarations x ON x.year = d.year AND x.uscc = d.uscc WHERE d.year = $1 AND d.uscc = e.uscc AND x.status <> 'declared' ORDER BY d.seq DESC LIMIT 1) AS counted FROM employment_employers e WHERE e.public_body = $2 AND e.area_code LIKE $3 ORDER BY e.name, e.uscc")
                .bind(year).bind(true).bind(format!("{area}%")).fetch_all(p).await?
        }))
    }

    async fn profile(&self, uscc: &str) -> Result<Option<(String, bool)>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as("SELECT sector, public_body FROM employment_employers WHERE uscc = $1")
                .bind(uscc).fetch_optional(p).await?
        }))
    }
}
