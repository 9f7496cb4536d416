//! The person registry: merging workbook rows into person files, the file itself, search, and
//! life events.

use chrono::NaiveDate;
use serde::Serialize;
use zhucan_domain::area::{AreaCode, AreaLevel};
use zhucan_domain::ids::CitizenId;
use zhucan_domain::person::{
    Certificate, CertificateChange, Person, PersonRecord, Survey, certificate_change,
};
use zhucan_domain::timeline::{EventKind, NewEvent, events_between};

use crate::rows::{
    CERT_COLUMNS, CertRow, PERSON_COLUMNS, PersonRow, SURVEY_COLUMNS, SurveyRow, components_text,
    corrupt,
};
use crate::{Reach, Result, Store, StoreError, Tx, now_text, on_pool, on_tx};

/// What merging one workbook row did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    Inserted,
    Updated,
    Unchanged,
}

/// One row of the timeline as stored.
#[derive(Debug, Clone, Serialize)]
pub struct StoredEvent {
    pub seq: i64,
    pub kind: EventKind,
    pub occurred_on: Option<NaiveDate>,
    pub summary: String,
    pub recorded_at: String,
    pub recorded_by: String,
    pub source: String,
}

/// A certificate in the person's history.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateHistory {
    pub certificate: Certificate,
    pub is_current: bool,
    pub recorded_at: String,
}

/// The whole person file (一人一档).
#[derive(Debug, Clone, Serialize)]
pub struct PersonFile {
    /// Opaque handle for URLs.
    pub handle: String,
    pub person: Person,
    pub certificate: Certificate,
    pub certificates: Vec<CertificateHistory>,
    /// Survey rows, newest year first.
    pub surveys: Vec<Survey>,
    pub events: Vec<StoredEvent>,
    /// What partner departments and programme records said (the facts ledger), in order of
    /// arrival, superseded rows included.
    pub ledger: Vec<zhucan_domain::ledger::Entry>,
    pub village_name: Option<String>,
    pub legacy_id: Option<String>,
    pub latest_survey_year: i32,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl PersonFile {
    /// The certificates held before the current one (see
    /// [`zhucan_domain::person::governing_on`]).
    pub fn former_certificates(&self) -> Vec<Certificate> {
        self.certificates
            .iter()
            .filter(|h| !h.is_current)
            .map(|h| h.certificate.clone())
            .collect()
    }

    /// Every certificate the person held, the current one last.
    pub fn all_certificates(&self) -> Vec<Certificate> {
        let mut all = self.former_certificates();
        all.push(self.certificate.clone());
        all
    }
}

impl PersonFile {
    /// The current state as a workbook row of the latest survey year.
    pub fn record(&self) -> PersonRecord {
        PersonRecord {
            person: self.person.clone(),
            certificate: self.certificate.clone(),
            survey: self
                .surveys
                .iter()
                .find(|s| s.year == self.latest_survey_year)
                .cloned()
                .unwrap_or(Survey {
                    year: self.latest_survey_year,
                    ..Survey::default()
                }),
        }
    }
}

/// A row of a search result.
#[derive(Debug, Clone, Serialize)]
pub struct PersonSummary {
    pub handle: String,
    pub citizen_id: CitizenId,
    pub name: String,
    pub township_code: String,
    pub village_code: Option<String>,
    pub certificate_no: String,
    pub category: String,
    pub grade: String,
    pub status: String,
    pub died_on: Option<String>,
    pub moved_out_on: Option<String>,
}

/// A person search: free text (name, citizen ID or certificate number), an area, a page.
#[derive(Debug, Clone, Default)]
pub struct PersonQuery {
    pub text: Option<String>,
    /// Only persons in this area (district, township or village).
    pub area: Option<AreaCode>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

/// One page of results.
#[derive(Debug, Clone, Serialize)]
pub struct SearchPage {
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
    pub items: Vec<PersonSummary>,
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    #[sqlx(rename = "ref")]
    handle: String,
    citizen_id: String,
    name: String,
    township_code: String,
    village_code: Option<String>,
    certificate_no: String,
    category: String,
    grade: String,
    status: String,
    died_on: Option<String>,
    moved_out_on: Option<String>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    seq: i64,
    kind: String,
    occurred_on: Option<String>,
    summary: String,
    recorded_at: String,
    recorded_by: String,
    source: String,
}

/// Who made a change, and through which channel.
#[derive(Debug, Clone)]
pub struct Actor<'a> {
    pub name: &'a str,
    /// `form`, `import`, `demo`, `feed`.
    pub source: &'a str,
}

pub use zhucan_domain::person::RecordExtras as RowExtras;

/// `s` as a literal inside a `LIKE … ESCAPE '\'` pattern: the wildcards `%` and `_` and the
/// escape character itself match only themselves (the same on SQLite and PostgreSQL).
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(crate) fn area_filter(area: &AreaCode) -> (&'static str, String) {
    match area.level() {
        AreaLevel::District => ("p.township_code LIKE $1", format!("{}%", area.as_str())),
        AreaLevel::Township => ("p.township_code = $1", area.to_string()),
        AreaLevel::Village => ("p.village_code = $1", area.to_string()),
    }
}

impl Store {
    /// Merges a batch of workbook rows in one transaction: each row is whole or absent, even if
    /// the process dies. Returns one outcome per row, in order.
    pub async fn merge_records(
        &self,
        rows: &[(PersonRecord, RowExtras)],
        actor: &Actor<'_>,
    ) -> Result<Vec<ImportOutcome>> {
        let mut attempt = 0;
        loop {
            let mut tx = self.begin().await?;
            match crate::bulk::merge_batch(&mut tx, rows, actor).await {
                Ok(out) => {
                    tx.commit().await?;
                    return Ok(out);
                }
                Err(e) if e.is_retryable() && attempt < 5 => {
                    attempt += 1;
                    drop(tx);
                    tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Registers a new person (the form). Fails with [`StoreError::Exists`] if the citizen ID
    /// is already registered.
    pub async fn register(&self, rec: &PersonRecord, actor: &Actor<'_>) -> Result<()> {
        let mut tx = self.begin().await?;
        if load_current(&mut tx, rec.person.citizen_id.as_str())
            .await?
            .is_some()
        {
            return Err(StoreError::Exists(rec.person.citizen_id.masked()));
        }
        merge_one(&mut tx, rec, &RowExtras::default(), actor).await?;
        append_events(
            &mut tx,
            rec.person.citizen_id.as_str(),
            &[NewEvent {
                kind: EventKind::Registered,
                occurred_on: None,
                summary: "建档（登记）".into(),
            }],
            actor,
        )
        .await?;
        tx.commit().await
    }

    /// Saves a new state of the file if nobody else saved since `expected_version`, appending
    /// `events` (or, when `events` is `None`, the events derived from the difference).
    pub async fn save_file(
        &self,
        next: &PersonRecord,
        expected_version: i64,
        events: Option<Vec<NewEvent>>,
        actor: &Actor<'_>,
    ) -> Result<i64> {
        let id = next.person.citizen_id.as_str();
        let mut tx = self.begin().await?;
        let Some((row, cert)) = load_current(&mut tx, id).await? else {
            return Err(StoreError::NotFound(next.person.citizen_id.masked()));
        };
        if row.version != expected_version {
            return Err(StoreError::VersionConflict {
                expected: expected_version,
                found: row.version,
            });
        }
        let old_p = row.to_person()?;
        let old_c = cert.to_certificate()?;
        let change = certificate_change(&old_c, &next.certificate, today());
        let next = &with_certificate(next, change.resulting(&old_c));
        let events = events.unwrap_or_else(|| events_between(Some((&old_p, &old_c)), next));
        write_person(
            &mut tx,
            next,
            &row,
            &RowExtras {
                village_name: row.village_name.clone(),
                legacy_id: row.legacy_id.clone(),
            },
        )
        .await?;
        write_certificate(&mut tx, id, &change).await?;
        upsert_survey(&mut tx, id, &next.survey).await?;
        append_events(&mut tx, id, &events, actor).await?;
        tx.commit().await?;
        Ok(row.version + 1)
    }

    /// Saves one year's survey values (动态更新) if nobody else saved the file since
    /// `expected_version`, with a timeline event naming every changed value (old → new).
    /// Returns the new version (the same when nothing changed).
    pub async fn save_survey(
        &self,
        id: &CitizenId,
        survey: &Survey,
        expected_version: i64,
        actor: &Actor<'_>,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let Some((row, _)) = load_current(&mut tx, id.as_str()).await? else {
            return Err(StoreError::NotFound(id.masked()));
        };
        if row.version != expected_version {
            return Err(StoreError::VersionConflict {
                expected: expected_version,
                found: row.version,
            });
        }
        let sql = format!(
            "SELECT {SURVEY_COLUMNS} FROM surveys WHERE citizen_id = $1 AND survey_year <= $2 ORDER BY survey_year DESC LIMIT 1"
        );
        let prev: Option<SurveyRow> = on_tx!(&mut tx, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.as_str()).bind(i64::from(survey.year)).fetch_optional(&mut *c).await?
        });
        // The values the year had: its own row, else the latest earlier one carried forward.
        let before = match prev {
            Some(r) => Survey {
                year: survey.year,
                ..r.to_survey()?
            },
            None => Survey {
                year: survey.year,
                ..Survey::default()
            },
        };
        let event = zhucan_domain::timeline::survey_changes(&before, survey);
        let exists_now: Option<i64> = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT survey_year FROM surveys WHERE citizen_id = $1 AND survey_year = $2")
                .bind(id.as_str()).bind(i64::from(survey.year)).fetch_optional(&mut *c).await?
        });
        if event.is_none() && exists_now.is_some() {
            return Ok(row.version);
        }
        upsert_survey_in(&mut tx, id.as_str(), survey).await?;
        // The version moves only from the one the clerk saw (atomic on both backends).
        let seq = crate::changes::next(&mut tx, crate::changes::REGISTRY).await?;
        let bumped = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE persons SET version = version + 1, updated_at = $2, change_seq = $3 WHERE citizen_id = $1 AND version = $4")
                .bind(id.as_str()).bind(now_text()).bind(seq).bind(expected_version)
                .execute(&mut *c).await?.rows_affected()
        });
        if bumped != 1 {
            return Err(StoreError::VersionConflict {
                expected: expected_version,
                found: expected_version + 1,
            });
        }
        let events: Vec<NewEvent> = event.into_iter().collect();
        append_events(&mut tx, id.as_str(), &events, actor).await?;
        tx.commit().await?;
        Ok(row.version + 1)
    }

    /// Where the stored persons among `ids` live: (township, village), for the persons that
    /// exist.
    pub async fn homes_of(
        &self,
        ids: &[CitizenId],
    ) -> Result<std::collections::HashMap<CitizenId, (AreaCode, Option<AreaCode>)>> {
        let mut out = std::collections::HashMap::new();
        for chunk in ids.chunks(500) {
            let ph = (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT citizen_id, township_code, village_code FROM persons WHERE citizen_id IN ({ph})"
            );
            let rows: Vec<(String, String, Option<String>)> = on_pool!(self, p => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
                for id in chunk {
                    q = q.bind(id.as_str());
                }
                q.fetch_all(p).await?
            });
            for (id, t, v) in rows {
                let cid =
                    CitizenId::from_trusted(id.clone()).map_err(|_| corrupt("citizen_id", &id))?;
                let t = AreaCode::parse(&t).ok_or_else(|| corrupt("township_code", &t))?;
                out.insert(cid, (t, v.as_deref().and_then(AreaCode::parse)));
            }
        }
        Ok(out)
    }

    /// The whole file of one person, or `None` when there is none or it lies outside `reach`
    /// (the two are not told apart).
    pub async fn person_file(&self, id: &CitizenId, reach: &Reach) -> Result<Option<PersonFile>> {
        if reach.is_nobody() {
            return Ok(None);
        }
        Ok(self
            .any_person_file(id)
            .await?
            .filter(|f| reach.covers(&f.person)))
    }

    /// The whole file of one person, whoever asks (the store's own use).
    pub(crate) async fn any_person_file(&self, id: &CitizenId) -> Result<Option<PersonFile>> {
        let sql_p = format!("SELECT {PERSON_COLUMNS} FROM persons WHERE citizen_id = $1");
        let sql_c = format!(
            "SELECT {CERT_COLUMNS} FROM certificates WHERE citizen_id = $1 ORDER BY issued_on DESC, recorded_at DESC"
        );
        let sql_s = format!(
            "SELECT {SURVEY_COLUMNS} FROM surveys WHERE citizen_id = $1 ORDER BY survey_year DESC"
        );
        let (row, certs, surveys, events): (
            Option<PersonRow>,
            Vec<CertRow>,
            Vec<SurveyRow>,
            Vec<EventRow>,
        ) = on_pool!(self, p => {
            let row = sqlx::query_as(sqlx::AssertSqlSafe(sql_p)).bind(id.as_str()).fetch_optional(p).await?;
            if row.is_none() {
                return Ok(None);
            }
            let certs = sqlx::query_as(sqlx::AssertSqlSafe(sql_c)).bind(id.as_str()).fetch_all(p).await?;
            let surveys = sqlx::query_as(sqlx::AssertSqlSafe(sql_s)).bind(id.as_str()).fetch_all(p).await?;
            let events = sqlx::query_as("SELECT seq, kind, occurred_on, summary, recorded_at, recorded_by, source FROM person_events WHERE citizen_id = $1 ORDER BY seq")
                .bind(id.as_str()).fetch_all(p).await?;
            (row, certs, surveys, events)
        });
        let Some(row) = row else { return Ok(None) };
        let ledger = self.ledger_of(id).await?;
        let mut history = Vec::with_capacity(certs.len());
        let mut current = None;
        for c in &certs {
            let cert = c.to_certificate()?;
            if c.is_current {
                current = Some(cert.clone());
            }
            history.push(CertificateHistory {
                certificate: cert,
                is_current: c.is_current,
                recorded_at: c.recorded_at.clone(),
            });
        }
        let certificate = current.ok_or_else(|| corrupt("current certificate", id.as_str()))?;
        Ok(Some(PersonFile {
            handle: row.handle.clone(),
            person: row.to_person()?,
            certificate,
            certificates: history,
            surveys: surveys
                .iter()
                .map(SurveyRow::to_survey)
                .collect::<Result<_>>()?,
            events: events
                .into_iter()
                .map(|e| {
                    Ok(StoredEvent {
                        seq: e.seq,
                        kind: EventKind::parse(&e.kind)
                            .ok_or_else(|| corrupt("event kind", &e.kind))?,
                        occurred_on: crate::rows::opt_date("occurred_on", e.occurred_on)?,
                        summary: e.summary,
                        recorded_at: e.recorded_at,
                        recorded_by: e.recorded_by,
                        source: e.source,
                    })
                })
                .collect::<Result<_>>()?,
            ledger,
            village_name: row.village_name.clone(),
            legacy_id: row.legacy_id.clone(),
            latest_survey_year: i32::try_from(row.latest_survey_year).unwrap_or(0),
            version: row.version,
            created_at: row.created_at.clone(),
            updated_at: row.updated_at.clone(),
        }))
    }

    /// Searches persons: an 18-character text is a citizen ID, a 20-character one a certificate
    /// number, anything else part of a name.
    pub async fn search(&self, q: &PersonQuery) -> Result<SearchPage> {
        let per_page = q.per_page.clamp(1, 200);
        let page = q.page.max(1);
        let mut conds: Vec<String> = vec!["c.is_current = $3".into()];
        let mut binds: Vec<String> = Vec::new();
        let mut n = 3;
        let area = q.area.as_ref().map(area_filter);
        let (area_sql, area_val) = area.unwrap_or(("p.township_code LIKE $1", "%".to_string()));
        binds.push(area_val);
        let text = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
        if let Some(t) = text {
            let norm = zhucan_domain::ids::normalize(t);
            n += 1;
            if let Ok(p) = zhucan_domain::CitizenId::parse(&norm) {
                conds.push(format!("p.citizen_id = ${n}"));
                binds.push(p.id.to_string());
            } else if let Ok(p) = zhucan_domain::CertificateNo::parse(&norm) {
                conds.push(format!("c.certificate_no = ${n}"));
                binds.push(p.number.to_string());
            } else {
                conds.push(format!("p.name LIKE ${n} ESCAPE '\\'"));
                binds.push(format!("%{}%", like_escape(t)));
            }
        }
        let where_sql = format!("{area_sql} AND {}", conds.join(" AND "));
        let count_sql = format!(
            "SELECT COUNT(*) FROM persons p JOIN certificates c ON c.citizen_id = p.citizen_id WHERE {where_sql} AND $2 = $2"
        );
        let list_sql = format!(
            "SELECT p.ref, p.citizen_id, p.name, p.township_code, p.village_code, c.certificate_no, c.category, c.grade, c.status, p.died_on, p.moved_out_on
             FROM persons p JOIN certificates c ON c.citizen_id = p.citizen_id
             WHERE {where_sql} ORDER BY p.township_code, p.citizen_id LIMIT $2 OFFSET ${}",
            n + 1
        );
        let offset = i64::from(page - 1) * i64::from(per_page);
        let (total, rows): (i64, Vec<SummaryRow>) = on_pool!(self, p => {
            let mut cq = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql)).bind(&binds[0]).bind(i64::from(per_page)).bind(true);
            for b in &binds[1..] { cq = cq.bind(b); }
            let total: i64 = cq.fetch_one(p).await?;
            let mut lq = sqlx::query_as(sqlx::AssertSqlSafe(list_sql)).bind(&binds[0]).bind(i64::from(per_page)).bind(true);
            for b in &binds[1..] { lq = lq.bind(b); }
            let rows = lq.bind(offset).fetch_all(p).await?;
            (total, rows)
        });
        let items = rows.into_iter().map(summary).collect::<Result<_>>()?;
        Ok(SearchPage {
            total,
            page,
            per_page,
            items,
        })
    }

    /// Search-result rows of the given persons (in the order given; unknown IDs are left out).
    pub async fn summaries_of(&self, ids: &[CitizenId]) -> Result<Vec<PersonSummary>> {
        let mut by_id: std::collections::HashMap<String, PersonSummary> =
            std::collections::HashMap::new();
        for chunk in ids.chunks(500) {
            let ph: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT p.ref, p.citizen_id, p.name, p.township_code, p.village_code, c.certificate_no, c.category, c.grade, c.status, p.died_on, p.moved_out_on
                 FROM persons p JOIN certificates c ON c.citizen_id = p.citizen_id
                 WHERE c.is_current = $1 AND p.citizen_id IN ({})",
                ph.join(", ")
            );
            let rows: Vec<SummaryRow> = on_pool!(self, p => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(true);
                for id in chunk {
                    q = q.bind(id.as_str());
                }
                q.fetch_all(p).await?
            });
            for r in rows {
                let s = summary(r)?;
                by_id.insert(s.citizen_id.to_string(), s);
            }
        }
        Ok(ids
            .iter()
            .filter_map(|id| by_id.remove(id.as_str()))
            .collect())
    }

    /// Every person's current state and all survey rows, for the workbook export, in pages of
    /// `limit` persons after `after` (keyset paging by citizen ID).
    pub async fn export_page(
        &self,
        after: &str,
        limit: i64,
    ) -> Result<Vec<(PersonFile, Vec<Survey>)>> {
        let ids: Vec<String> = on_pool!(self, p => {
            sqlx::query_scalar("SELECT citizen_id FROM persons WHERE citizen_id > $1 ORDER BY citizen_id LIMIT $2")
                .bind(after).bind(limit).fetch_all(p).await?
        });
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let cid =
                CitizenId::from_trusted(id.clone()).map_err(|_| corrupt("citizen_id", &id))?;
            if let Some(f) = self.any_person_file(&cid).await? {
                let s = f.surveys.clone();
                out.push((f, s));
            }
        }
        Ok(out)
    }

    /// Other persons sharing a household number: (handle, citizen ID, name).
    pub async fn household_members(
        &self,
        household_id: &str,
        except: &CitizenId,
    ) -> Result<Vec<(String, CitizenId, String)>> {
        let rows: Vec<(String, String, String)> = on_pool!(self, p => {
            sqlx::query_as("SELECT ref, citizen_id, name FROM persons WHERE household_id = $1 AND citizen_id <> $2 ORDER BY citizen_id LIMIT 50")
                .bind(household_id).bind(except.as_str()).fetch_all(p).await?
        });
        rows.into_iter()
            .map(|(h, id, name)| {
                Ok((
                    h,
                    CitizenId::from_trusted(id.clone()).map_err(|_| corrupt("citizen_id", &id))?,
                    name,
                ))
            })
            .collect()
    }

    /// The persons whose files changed after change number `since` (see [`crate::changes`]),
    /// in ID order: one read of the change index, costing what changed. (Sorted here: with
    /// `ORDER BY citizen_id` SQLite may walk the primary key, a scan of every person.)
    pub async fn changed_ids_since(&self, since: i64) -> Result<Vec<CitizenId>> {
        let mut ids: Vec<String> = on_pool!(self, p => {
            sqlx::query_scalar("SELECT citizen_id FROM persons WHERE change_seq > $1")
                .bind(since).fetch_all(p).await?
        });
        ids.sort_unstable();
        ids.into_iter()
            .map(|s| CitizenId::from_trusted(s.clone()).map_err(|_| corrupt("citizen_id", &s)))
            .collect()
    }

    /// The opaque URL handle of a person.
    pub async fn ref_of(&self, id: &CitizenId) -> Result<Option<String>> {
        Ok(on_pool!(self, p => {
            sqlx::query_scalar("SELECT ref FROM persons WHERE citizen_id = $1").bind(id.as_str()).fetch_optional(p).await?
        }))
    }

    /// The citizen ID behind an opaque URL handle.
    pub async fn citizen_by_ref(&self, r: &str) -> Result<Option<CitizenId>> {
        let id: Option<String> = on_pool!(self, p => {
            sqlx::query_scalar("SELECT citizen_id FROM persons WHERE ref = $1").bind(r).fetch_optional(p).await?
        });
        id.map(|s| CitizenId::from_trusted(s.clone()).map_err(|_| corrupt("citizen_id", &s)))
            .transpose()
    }

    /// Counts of persons per township (for the home page), within an area.
    pub async fn count_persons(&self, area: Option<&AreaCode>) -> Result<i64> {
        let (cond, val) = area
            .map(area_filter)
            .unwrap_or(("p.township_code LIKE $1", "%".to_string()));
        let sql = format!("SELECT COUNT(*) FROM persons p WHERE {cond}");
        Ok(on_pool!(self, p => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(val).fetch_one(p).await?
        }))
    }
}

fn summary(r: SummaryRow) -> Result<PersonSummary> {
    Ok(PersonSummary {
        handle: r.handle,
        citizen_id: CitizenId::from_trusted(r.citizen_id.clone())
            .map_err(|_| corrupt("citizen_id", &r.citizen_id))?,
        name: r.name,
        township_code: r.township_code,
        village_code: r.village_code,
        certificate_no: r.certificate_no,
        category: r.category,
        grade: r.grade,
        status: r.status,
        died_on: r.died_on,
        moved_out_on: r.moved_out_on,
    })
}

async fn load_current(tx: &mut Tx, id: &str) -> Result<Option<(PersonRow, CertRow)>> {
    let sql_p = format!("SELECT {PERSON_COLUMNS} FROM persons WHERE citizen_id = $1");
    let sql_c = format!(
        "SELECT {CERT_COLUMNS} FROM certificates WHERE citizen_id = $1 AND is_current = $2"
    );
    on_tx!(tx, c => {
        let row: Option<PersonRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql_p)).bind(id).fetch_optional(&mut *c).await?;
        let Some(row) = row else { return Ok(None) };
        let cert: Option<CertRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql_c)).bind(id).bind(true).fetch_optional(&mut *c).await?;
        let cert = cert.ok_or_else(|| corrupt("current certificate", id))?;
        Ok(Some((row, cert)))
    })
}

pub(crate) async fn merge_one(
    tx: &mut Tx,
    rec: &PersonRecord,
    extras: &RowExtras,
    actor: &Actor<'_>,
) -> Result<ImportOutcome> {
    let id = rec.person.citizen_id.as_str();
    let existing = load_current(tx, id).await?;
    let Some((row, cert)) = existing else {
        insert_person(tx, rec, extras).await?;
        insert_certificate(tx, id, &rec.certificate, true).await?;
        upsert_survey(tx, id, &rec.survey).await?;
        append_events(tx, id, &events_between(None, rec), actor).await?;
        return Ok(ImportOutcome::Inserted);
    };
    let survey_changed = upsert_survey(tx, id, &rec.survey).await?;
    let mut person_written = false;
    let mut cert_written = false;
    if i64::from(rec.survey.year) >= row.latest_survey_year {
        let old_p = row.to_person()?;
        let old_c = cert.to_certificate()?;
        let change = certificate_change(&old_c, &rec.certificate, today());
        let rec = &with_certificate(rec, change.resulting(&old_c));
        let events = events_between(Some((&old_p, &old_c)), rec);
        let person_changed = old_p != rec.person
            || row.village_name != extras.village_name
            || (extras.legacy_id.is_some() && row.legacy_id != extras.legacy_id)
            || i64::from(rec.survey.year) != row.latest_survey_year;
        if person_changed {
            write_person(tx, rec, &row, extras).await?;
            person_written = true;
        }
        if change != CertificateChange::Unchanged {
            write_certificate(tx, id, &change).await?;
            cert_written = true;
        }
        if !events.is_empty() {
            append_events(tx, id, &events, actor).await?;
        }
    }
    if (survey_changed || cert_written) && !person_written {
        bump_version(tx, id).await?;
    }
    let changed = survey_changed || person_written || cert_written;
    Ok(if changed {
        ImportOutcome::Updated
    } else {
        ImportOutcome::Unchanged
    })
}

async fn insert_person(tx: &mut Tx, rec: &PersonRecord, extras: &RowExtras) -> Result<()> {
    let p = &rec.person;
    let now = now_text();
    let seq = crate::changes::next(tx, crate::changes::REGISTRY).await?;
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO persons (citizen_id, name, sex, birth_date, township_code, village_code, village_name, hukou_type, household_id, household_size, phone, guardian_name, guardian_phone, died_on, moved_out_on, legacy_id, latest_survey_year, version, created_at, updated_at, ref, change_seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 1, $18, $18, $19, $20)",
        )
        .bind(p.citizen_id.as_str())
        .bind(&p.name)
        .bind(match p.citizen_id.sex() { zhucan_domain::Sex::Male => "male", zhucan_domain::Sex::Female => "female" })
        .bind(p.citizen_id.birth_date().to_string())
        .bind(p.township.as_str())
        .bind(p.village.as_ref().map(|v| v.to_string()))
        .bind(&extras.village_name)
        .bind(p.hukou_type.map(|h| h.key()))
        .bind(&p.household_id)
        .bind(p.household_size)
        .bind(&p.phone)
        .bind(&p.guardian_name)
        .bind(&p.guardian_phone)
        .bind(p.died_on.map(|d| d.to_string()))
        .bind(p.moved_out_on.map(|d| d.to_string()))
        .bind(&extras.legacy_id)
        .bind(i64::from(rec.survey.year))
        .bind(&now)
        .bind(crate::accounts::ordered_id())
        .bind(seq)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

async fn write_person(
    tx: &mut Tx,
    rec: &PersonRecord,
    old: &PersonRow,
    extras: &RowExtras,
) -> Result<()> {
    let p = &rec.person;
    let latest = old.latest_survey_year.max(i64::from(rec.survey.year));
    let legacy = extras.legacy_id.clone().or_else(|| old.legacy_id.clone());
    let seq = crate::changes::next(tx, crate::changes::REGISTRY).await?;
    on_tx!(tx, c => {
        let r = sqlx::query(
            "UPDATE persons SET name = $2, township_code = $3, village_code = $4, village_name = $5, hukou_type = $6, household_id = $7, household_size = $8, phone = $9, guardian_name = $10, guardian_phone = $11, died_on = $12, moved_out_on = $13, legacy_id = $14, latest_survey_year = $15, version = version + 1, updated_at = $16, change_seq = $18
             WHERE citizen_id = $1 AND version = $17",
        )
        .bind(p.citizen_id.as_str())
        .bind(&p.name)
        .bind(p.township.as_str())
        .bind(p.village.as_ref().map(|v| v.to_string()))
        .bind(&extras.village_name)
        .bind(p.hukou_type.map(|h| h.key()))
        .bind(&p.household_id)
        .bind(p.household_size)
        .bind(&p.phone)
        .bind(&p.guardian_name)
        .bind(&p.guardian_phone)
        .bind(p.died_on.map(|d| d.to_string()))
        .bind(p.moved_out_on.map(|d| d.to_string()))
        .bind(legacy)
        .bind(latest)
        .bind(now_text())
        .bind(old.version)
        .bind(seq)
        .execute(&mut *c)
        .await?;
        if r.rows_affected() != 1 {
            return Err(StoreError::VersionConflict { expected: old.version, found: old.version + 1 });
        }
    });
    Ok(())
}

/// Marks a change to a person's file outside the person row itself (a survey row written by a
/// decision, an allowance): bumps the version and change number and appends the events.
pub async fn touch(tx: &mut Tx, id: &str, events: &[NewEvent], actor: &Actor<'_>) -> Result<()> {
    bump_version(tx, id).await?;
    append_events(tx, id, events, actor).await
}

/// Writes one survey row inside a transaction (the person's latest survey year follows).
pub async fn upsert_survey_in(tx: &mut Tx, id: &str, s: &Survey) -> Result<()> {
    upsert_survey(tx, id, s).await?;
    on_tx!(tx, c => {
        sqlx::query("UPDATE persons SET latest_survey_year = $2 WHERE citizen_id = $1 AND latest_survey_year < $2")
            .bind(id).bind(i64::from(s.year)).execute(&mut *c).await?;
    });
    Ok(())
}

async fn bump_version(tx: &mut Tx, id: &str) -> Result<()> {
    let seq = crate::changes::next(tx, crate::changes::REGISTRY).await?;
    on_tx!(tx, c => {
        sqlx::query("UPDATE persons SET version = version + 1, updated_at = $2, change_seq = $3 WHERE citizen_id = $1")
            .bind(id).bind(now_text()).bind(seq).execute(&mut *c).await?;
    });
    Ok(())
}

async fn insert_certificate(
    tx: &mut Tx,
    id: &str,
    cert: &Certificate,
    current: bool,
) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO certificates (citizen_id, certificate_no, category, grade, components, issued_on, valid_until, status, smart_card, is_current, recorded_at, revoked_on)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(id)
        .bind(cert.number.as_str())
        .bind(cert.category.key())
        .bind(cert.grade.key())
        .bind(components_text(&cert.components))
        .bind(cert.issued_on.to_string())
        .bind(cert.valid_until.to_string())
        .bind(cert.status.key())
        .bind(cert.smart_card)
        .bind(current)
        .bind(now_text())
        .bind(cert.revoked_on.map(|d| d.to_string()))
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Writes a change of the current certificate (see [`certificate_change`]): a new issue is
/// inserted and becomes current, the earlier ones stay; a correction updates the current row.
async fn write_certificate(tx: &mut Tx, id: &str, change: &CertificateChange) -> Result<()> {
    match change {
        CertificateChange::Unchanged => Ok(()),
        CertificateChange::Issue(new) => {
            on_tx!(tx, c => {
                sqlx::query("UPDATE certificates SET is_current = $2 WHERE citizen_id = $1").bind(id).bind(false).execute(&mut *c).await?;
                sqlx::query("DELETE FROM certificates WHERE citizen_id = $1 AND certificate_no = $2 AND issued_on = $3")
                    .bind(id).bind(new.number.as_str()).bind(new.issued_on.to_string()).execute(&mut *c).await?;
            });
            insert_certificate(tx, id, new, true).await
        }
        CertificateChange::Correct(new) => {
            on_tx!(tx, c => {
                sqlx::query("DELETE FROM certificates WHERE citizen_id = $1 AND certificate_no = $2 AND issued_on = $3 AND is_current = $4")
                    .bind(id).bind(new.number.as_str()).bind(new.issued_on.to_string()).bind(false).execute(&mut *c).await?;
                sqlx::query(
                    "UPDATE certificates SET category = $3, grade = $4, components = $5, issued_on = $6, valid_until = $7, status = $8, smart_card = $9, revoked_on = $10, recorded_at = $11
                     WHERE citizen_id = $1 AND certificate_no = $2 AND is_current = $12",
                )
                .bind(id)
                .bind(new.number.as_str())
                .bind(new.category.key())
                .bind(new.grade.key())
                .bind(components_text(&new.components))
                .bind(new.issued_on.to_string())
                .bind(new.valid_until.to_string())
                .bind(new.status.key())
                .bind(new.smart_card)
                .bind(new.revoked_on.map(|d| d.to_string()))
                .bind(now_text())
                .bind(true)
                .execute(&mut *c)
                .await?;
            });
            Ok(())
        }
    }
}

/// `rec` with its certificate replaced (the normalised one a change results in).
pub(crate) fn with_certificate(rec: &PersonRecord, cert: &Certificate) -> PersonRecord {
    PersonRecord {
        person: rec.person.clone(),
        certificate: cert.clone(),
        survey: rec.survey.clone(),
    }
}

/// Today, as the registry records it (the day a change is learned).
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// Inserts or replaces the survey row of its year; returns whether anything changed.
async fn upsert_survey(tx: &mut Tx, id: &str, s: &Survey) -> Result<bool> {
    let new = SurveyRow::from_survey(s);
    let sql =
        format!("SELECT {SURVEY_COLUMNS} FROM surveys WHERE citizen_id = $1 AND survey_year = $2");
    let old: Option<SurveyRow> = on_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).bind(new.survey_year).fetch_optional(&mut *c).await?
    });
    if old.as_ref() == Some(&new) {
        return Ok(false);
    }
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO surveys (citizen_id, survey_year, economic_status, income_per_capita_fen, living_subsidy_since, living_subsidy_until, nursing_subsidy_since, nursing_subsidy_until, pension_insurance, medical_insurance, employment_status, not_employed_reason, school_stage, completed_compulsory, needs_rehab, received_rehab, needs_device, device_fitted, needs_home_modification, home_modification_done, care_need, receives_care, culture_sports, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
             ON CONFLICT (citizen_id, survey_year) DO UPDATE SET economic_status = excluded.economic_status, income_per_capita_fen = excluded.income_per_capita_fen,
               living_subsidy_since = excluded.living_subsidy_since, living_subsidy_until = excluded.living_subsidy_until,
               nursing_subsidy_since = excluded.nursing_subsidy_since, nursing_subsidy_until = excluded.nursing_subsidy_until,
               pension_insurance = excluded.pension_insurance, medical_insurance = excluded.medical_insurance,
               employment_status = excluded.employment_status, not_employed_reason = excluded.not_employed_reason,
               school_stage = excluded.school_stage, completed_compulsory = excluded.completed_compulsory,
               needs_rehab = excluded.needs_rehab, received_rehab = excluded.received_rehab, needs_device = excluded.needs_device,
               device_fitted = excluded.device_fitted, needs_home_modification = excluded.needs_home_modification,
               home_modification_done = excluded.home_modification_done, care_need = excluded.care_need,
               receives_care = excluded.receives_care, culture_sports = excluded.culture_sports, updated_at = excluded.updated_at",
        )
        .bind(id)
        .bind(new.survey_year)
        .bind(&new.economic_status)
        .bind(new.income_per_capita_fen)
        .bind(&new.living_subsidy_since)
        .bind(&new.living_subsidy_until)
        .bind(&new.nursing_subsidy_since)
        .bind(&new.nursing_subsidy_until)
        .bind(&new.pension_insurance)
        .bind(&new.medical_insurance)
        .bind(&new.employment_status)
        .bind(&new.not_employed_reason)
        .bind(&new.school_stage)
        .bind(new.completed_compulsory)
        .bind(new.needs_rehab)
        .bind(new.received_rehab)
        .bind(new.needs_device)
        .bind(new.device_fitted)
        .bind(new.needs_home_modification)
        .bind(new.home_modification_done)
        .bind(&new.care_need)
        .bind(new.receives_care)
        .bind(new.culture_sports)
        .bind(now_text())
        .execute(&mut *c)
        .await?;
    });
    Ok(true)
}

async fn append_events(
    tx: &mut Tx,
    id: &str,
    events: &[NewEvent],
    actor: &Actor<'_>,
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let now = now_text();
    on_tx!(tx, c => {
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM person_events WHERE citizen_id = $1")
            .bind(id).fetch_one(&mut *c).await?;
        let mut seq = last.unwrap_or(0);
        for e in events {
            seq += 1;
            sqlx::query(
                "INSERT INTO person_events (citizen_id, seq, kind, occurred_on, summary, recorded_at, recorded_by, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(seq)
            .bind(e.kind.key())
            .bind(e.occurred_on.map(|d| d.to_string()))
            .bind(&e.summary)
            .bind(&now)
            .bind(actor.name)
            .bind(actor.source)
            .execute(&mut *c)
            .await?;
        }
    });
    Ok(())
}

/// The person file follows the public-security rows of the ledger (the file as of `today`):
/// the earliest reported death closes it; the latest move on or before `today` decides whether
/// the person has left the district (迁出) or lives in it, at the township and village given
/// (迁入). Returns whether the file changed; when it did, its version and change number move
/// and the timeline says why.
pub async fn follow_residence(
    tx: &mut Tx,
    id: &CitizenId,
    today: NaiveDate,
    actor: &Actor<'_>,
) -> Result<bool> {
    use zhucan_domain::ledger::{Fact, ResidenceChange};
    type Row = (Option<String>, Option<String>, String, Option<String>);
    let (bodies, row): (Vec<String>, Option<Row>) = on_tx!(tx, c => {
        let bodies = sqlx::query_scalar("SELECT body FROM ledger_facts WHERE citizen_id = $1 AND kind = 'public_security' ORDER BY seq")
            .bind(id.as_str()).fetch_all(&mut *c).await?;
        let row = sqlx::query_as("SELECT died_on, moved_out_on, township_code, village_code FROM persons WHERE citizen_id = $1")
            .bind(id.as_str()).fetch_optional(&mut *c).await?;
        (bodies, row)
    });
    let Some((died_on, moved_out_on, township, village)) = row else {
        return Ok(false);
    };
    let died_on = crate::rows::opt_date("died_on", died_on)?;
    let moved_out_on = crate::rows::opt_date("moved_out_on", moved_out_on)?;
    let mut death: Option<NaiveDate> = None;
    // The latest move on or before today (a later arrival wins a tie).
    let mut last_move: Option<(
        NaiveDate,
        ResidenceChange,
        Option<AreaCode>,
        Option<AreaCode>,
    )> = None;
    for b in &bodies {
        let fact: Fact = serde_json::from_str(b).map_err(|_| corrupt("ledger body", b))?;
        if let Fact::PublicSecurity {
            change,
            changed_on,
            township,
            village,
        } = fact
        {
            if change == ResidenceChange::Death {
                death = Some(death.map_or(changed_on, |d| d.min(changed_on)));
            } else if changed_on <= today && last_move.as_ref().is_none_or(|m| changed_on >= m.0) {
                last_move = Some((changed_on, change, township, village));
            }
        }
    }
    let mut new_died = died_on;
    let mut new_moved = moved_out_on;
    let mut new_township = township.clone();
    let mut new_village = village.clone();
    let mut events = Vec::new();
    if let Some(d) = death
        && died_on.is_none_or(|x| d < x)
    {
        new_died = Some(d);
        events.push(NewEvent {
            kind: EventKind::Deceased,
            occurred_on: Some(d),
            summary: "公安部门死亡信息".into(),
        });
    }
    match last_move {
        // The earlier of the file's date and the list's: the file's own date keeps deciding
        // the days before any move the list reports.
        Some((d, ResidenceChange::MovedOut, ..)) if moved_out_on.is_none_or(|x| d < x) => {
            new_moved = Some(d);
            events.push(NewEvent {
                kind: EventKind::MovedOut,
                occurred_on: Some(d),
                summary: "公安部门户籍迁出信息".into(),
            });
        }
        Some((d, ResidenceChange::MovedIn, t, v)) => {
            let t = t.map(|t| t.to_string()).unwrap_or_else(|| township.clone());
            let v = match t == township {
                true => v.map(|v| v.to_string()).or_else(|| village.clone()),
                false => v.map(|v| v.to_string()),
            };
            if moved_out_on.is_some() || t != township || v != village {
                new_moved = None;
                new_township = t.clone();
                new_village = v.clone();
                events.push(NewEvent {
                    kind: EventKind::MovedIn,
                    occurred_on: Some(d),
                    summary: format!(
                        "公安部门户籍迁入信息：{}",
                        v.as_deref().unwrap_or(t.as_str())
                    ),
                });
            }
        }
        _ => {}
    }
    if events.is_empty() {
        return Ok(false);
    }
    on_tx!(tx, c => {
        sqlx::query("UPDATE persons SET died_on = $2, moved_out_on = $3, township_code = $4, village_code = $5 WHERE citizen_id = $1")
            .bind(id.as_str())
            .bind(new_died.map(|d| d.to_string()))
            .bind(new_moved.map(|d| d.to_string()))
            .bind(&new_township)
            .bind(&new_village)
            .execute(&mut *c)
            .await?;
    });
    bump_version(tx, id.as_str()).await?;
    append_events(tx, id.as_str(), &events, actor).await?;
    Ok(true)
}
