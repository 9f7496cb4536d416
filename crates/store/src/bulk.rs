//! The bulk path of [`Store::merge_records`](crate::Store::merge_records): a batch of workbook
//! rows costs a handful of statements instead of several per row.
//!
//! * Persons not yet stored are folded in memory — all their rows of the batch, in order, with
//!   exactly the rules of the row-by-row merge — and written with multi-row `INSERT`s.
//! * Rows of stored persons are compared with prefetched state; an unchanged row costs nothing,
//!   a changed one goes through the row-by-row merge.

use std::collections::{BTreeMap, HashMap, HashSet};

use sqlx::QueryBuilder;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::person::{
    Certificate, CertificateChange, Person, PersonRecord, RecordExtras, Survey, certificate_change,
};
use zhucan_domain::timeline::{NewEvent, events_between};

use crate::registry::{Actor, ImportOutcome};
use crate::rows::{
    CERT_COLUMNS, CertRow, PERSON_COLUMNS, PersonRow, SURVEY_COLUMNS, SurveyRow, components_text,
};
use crate::{Result, Tx, now_text, on_tx};

/// Rows per multi-row statement (keeps the bind count under SQLite's 32 766).
pub(crate) const CHUNK: usize = 500;

/// A new person's file, built from their rows in the batch.
struct NewFile<'a> {
    person: Person,
    extras: RecordExtras,
    latest: i32,
    /// Every certificate seen, the current one flagged.
    certs: Vec<(Certificate, bool)>,
    surveys: BTreeMap<i32, &'a Survey>,
    events: Vec<NewEvent>,
}

impl<'a> NewFile<'a> {
    fn new(rec: &'a PersonRecord, extras: &RecordExtras) -> Self {
        let mut surveys = BTreeMap::new();
        surveys.insert(rec.survey.year, &rec.survey);
        NewFile {
            person: rec.person.clone(),
            extras: extras.clone(),
            latest: rec.survey.year,
            certs: vec![(rec.certificate.clone(), true)],
            surveys,
            events: events_between(None, rec),
        }
    }

    fn current(&self) -> Option<&Certificate> {
        self.certs.iter().find(|(_, cur)| *cur).map(|(c, _)| c)
    }

    /// Applies one more row; returns whether it changed anything.
    fn fold(&mut self, rec: &'a PersonRecord, extras: &RecordExtras) -> bool {
        let survey_changed = self
            .surveys
            .get(&rec.survey.year)
            .is_none_or(|s| **s != rec.survey);
        self.surveys.insert(rec.survey.year, &rec.survey);
        if rec.survey.year < self.latest {
            return survey_changed;
        }
        let Some(cur) = self.current().cloned() else {
            return survey_changed;
        };
        let change = certificate_change(&cur, &rec.certificate, crate::registry::today());
        let normalised = crate::registry::with_certificate(rec, change.resulting(&cur));
        self.events
            .extend(events_between(Some((&self.person, &cur)), &normalised));
        let person_changed = self.person != rec.person
            || self.extras.village_name != extras.village_name
            || (extras.legacy_id.is_some() && self.extras.legacy_id != extras.legacy_id)
            || rec.survey.year != self.latest;
        if person_changed {
            self.person = rec.person.clone();
            self.extras.village_name = extras.village_name.clone();
            if extras.legacy_id.is_some() {
                self.extras.legacy_id = extras.legacy_id.clone();
            }
            self.latest = rec.survey.year;
        }
        let cert_changed = change != CertificateChange::Unchanged;
        change.apply(&mut self.certs);
        survey_changed || person_changed || cert_changed
    }
}

pub(crate) fn placeholders_in(ids: &[&str]) -> String {
    placeholders(1, ids.len())
}

/// `n` numbered placeholders from `$from` (`$3, $4, $5`), for a list bound into `IN (…)`.
pub fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Merges a batch inside `tx`.
pub(crate) async fn merge_batch(
    tx: &mut Tx,
    rows: &[(PersonRecord, RecordExtras)],
    actor: &Actor<'_>,
) -> Result<Vec<ImportOutcome>> {
    let mut ids: Vec<&str> = rows
        .iter()
        .map(|(r, _)| r.person.citizen_id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();

    // Prefetch the stored state of the batch's persons.
    let mut persons: HashMap<String, PersonRow> = HashMap::new();
    let mut certs: HashMap<String, CertRow> = HashMap::new();
    let mut surveys: HashMap<(String, i64), SurveyRow> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let ph = placeholders_in(chunk);
        let sql_p = format!("SELECT {PERSON_COLUMNS} FROM persons WHERE citizen_id IN ({ph})");
        let found: Vec<PersonRow> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql_p));
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(&mut *c).await?
        });
        if found.is_empty() {
            continue;
        }
        let known: Vec<&str> = found.iter().map(|p| p.citizen_id.as_str()).collect();
        let ph = placeholders_in(&known);
        let sql_c = format!(
            "SELECT citizen_id, {CERT_COLUMNS} FROM certificates WHERE is_current = ${} AND citizen_id IN ({ph})",
            known.len() + 1
        );
        let sql_s =
            format!("SELECT citizen_id, {SURVEY_COLUMNS} FROM surveys WHERE citizen_id IN ({ph})");
        #[derive(sqlx::FromRow)]
        struct WithId<T> {
            citizen_id: String,
            #[sqlx(flatten)]
            row: T,
        }
        let (cs, ss): (Vec<WithId<CertRow>>, Vec<WithId<SurveyRow>>) = on_tx!(tx, c => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql_c));
            for id in &known {
                q = q.bind(*id);
            }
            let cs = q.bind(true).fetch_all(&mut *c).await?;
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql_s));
            for id in &known {
                q = q.bind(*id);
            }
            (cs, q.fetch_all(&mut *c).await?)
        });
        for c in cs {
            certs.insert(c.citizen_id, c.row);
        }
        for s in ss {
            surveys.insert((s.citizen_id, s.row.survey_year), s.row);
        }
        for p in found {
            persons.insert(p.citizen_id.clone(), p);
        }
    }

    let mut out = vec![ImportOutcome::Unchanged; rows.len()];
    let mut files: Vec<NewFile<'_>> = Vec::new();
    let mut file_of: HashMap<&str, usize> = HashMap::new();
    let mut touched: HashSet<&str> = HashSet::new();
    let mut slow: Vec<usize> = Vec::new();
    for (i, (rec, extras)) in rows.iter().enumerate() {
        let id = rec.person.citizen_id.as_str();
        if let Some(row) = persons.get(id) {
            if !touched.contains(id)
                && unchanged(
                    row,
                    certs.get(id),
                    surveys.get(&(id.to_string(), i64::from(rec.survey.year))),
                    rec,
                    extras,
                )?
            {
                continue;
            }
            touched.insert(id);
            slow.push(i);
            continue;
        }
        match file_of.get(id) {
            None => {
                file_of.insert(id, files.len());
                files.push(NewFile::new(rec, extras));
                out[i] = ImportOutcome::Inserted;
            }
            Some(&k) => {
                if files[k].fold(rec, extras) {
                    out[i] = ImportOutcome::Updated;
                }
            }
        }
    }
    insert_files(tx, &files, actor).await?;
    for i in slow {
        let (rec, extras) = &rows[i];
        out[i] = crate::registry::merge_one(tx, rec, extras, actor).await?;
    }
    Ok(out)
}

/// Whether a row would change nothing in a stored file.
fn unchanged(
    row: &PersonRow,
    cert: Option<&CertRow>,
    survey: Option<&SurveyRow>,
    rec: &PersonRecord,
    extras: &RecordExtras,
) -> Result<bool> {
    if survey != Some(&SurveyRow::from_survey(&rec.survey)) {
        return Ok(false);
    }
    let year = i64::from(rec.survey.year);
    if year < row.latest_survey_year {
        return Ok(true);
    }
    let Some(cert) = cert else { return Ok(false) };
    Ok(year == row.latest_survey_year
        && row.to_person()? == rec.person
        && certificate_change(
            &cert.to_certificate()?,
            &rec.certificate,
            crate::registry::today(),
        ) == CertificateChange::Unchanged
        && row.village_name == extras.village_name
        && (extras.legacy_id.is_none() || row.legacy_id == extras.legacy_id))
}

async fn insert_files(tx: &mut Tx, files: &[NewFile<'_>], actor: &Actor<'_>) -> Result<()> {
    if files.is_empty() {
        return Ok(());
    }
    let now = now_text();
    let seq = crate::changes::next(tx, crate::changes::REGISTRY).await?;
    for chunk in files.chunks(CHUNK) {
        on_tx!(tx, c => {
            let mut qb = QueryBuilder::new(
                "INSERT INTO persons (citizen_id, ref, name, sex, birth_date, township_code, village_code, village_name, hukou_type, household_id, household_size, phone, guardian_name, guardian_phone, died_on, moved_out_on, legacy_id, latest_survey_year, version, created_at, updated_at, change_seq) ",
            );
            qb.push_values(chunk, |mut b, f| {
                let p = &f.person;
                b.push_bind(p.citizen_id.as_str().to_string())
                    .push_bind(crate::accounts::ordered_id())
                    .push_bind(p.name.clone())
                    .push_bind(match p.citizen_id.sex() {
                        zhucan_domain::Sex::Male => "male",
                        zhucan_domain::Sex::Female => "female",
                    })
                    .push_bind(p.citizen_id.birth_date().to_string())
                    .push_bind(p.township.to_string())
                    .push_bind(p.village.as_ref().map(|v| v.to_string()))
                    .push_bind(f.extras.village_name.clone())
                    .push_bind(p.hukou_type.map(|h| h.key()))
                    .push_bind(p.household_id.clone())
                    .push_bind(p.household_size)
                    .push_bind(p.phone.clone())
                    .push_bind(p.guardian_name.clone())
                    .push_bind(p.guardian_phone.clone())
                    .push_bind(p.died_on.map(|d| d.to_string()))
                    .push_bind(p.moved_out_on.map(|d| d.to_string()))
                    .push_bind(f.extras.legacy_id.clone())
                    .push_bind(i64::from(f.latest))
                    .push_bind(1i64)
                    .push_bind(now.clone())
                    .push_bind(now.clone())
                    .push_bind(seq);
            });
            qb.build().execute(&mut *c).await?;

            let cert_rows: Vec<(&str, &Certificate, bool)> =
                chunk.iter().flat_map(|f| f.certs.iter().map(move |(c, cur)| (f.person.citizen_id.as_str(), c, *cur))).collect();
            for part in cert_rows.chunks(CHUNK) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO certificates (citizen_id, certificate_no, category, grade, components, issued_on, valid_until, status, revoked_on, smart_card, is_current, recorded_at) ",
                );
                qb.push_values(part, |mut b, (id, cert, cur)| {
                    b.push_bind(id.to_string())
                        .push_bind(cert.number.as_str().to_string())
                        .push_bind(cert.category.key())
                        .push_bind(cert.grade.key())
                        .push_bind(components_text(&cert.components))
                        .push_bind(cert.issued_on.to_string())
                        .push_bind(cert.valid_until.to_string())
                        .push_bind(cert.status.key())
                        .push_bind(cert.revoked_on.map(|d| d.to_string()))
                        .push_bind(cert.smart_card)
                        .push_bind(*cur)
                        .push_bind(now.clone());
                });
                qb.build().execute(&mut *c).await?;
            }

            let survey_rows: Vec<(&str, SurveyRow)> = chunk
                .iter()
                .flat_map(|f| f.surveys.values().map(move |s| (f.person.citizen_id.as_str(), SurveyRow::from_survey(s))))
                .collect();
            for part in survey_rows.chunks(CHUNK) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO surveys (citizen_id, survey_year, economic_status, income_per_capita_fen, living_subsidy_since, living_subsidy_until, nursing_subsidy_since, nursing_subsidy_until, pension_insurance, medical_insurance, employment_status, not_employed_reason, school_stage, completed_compulsory, needs_rehab, received_rehab, needs_device, device_fitted, needs_home_modification, home_modification_done, care_need, receives_care, culture_sports, updated_at) ",
                );
                qb.push_values(part, |mut b, (id, s)| {
                    b.push_bind(id.to_string())
                        .push_bind(s.survey_year)
                        .push_bind(s.economic_status.clone())
                        .push_bind(s.income_per_capita_fen)
                        .push_bind(s.living_subsidy_since.clone())
                        .push_bind(s.living_subsidy_until.clone())
                        .push_bind(s.nursing_subsidy_since.clone())
                        .push_bind(s.nursing_subsidy_until.clone())
                        .push_bind(s.pension_insurance.clone())
                        .push_bind(s.medical_insurance.clone())
                        .push_bind(s.employment_status.clone())
                        .push_bind(s.not_employed_reason.clone())
                        .push_bind(s.school_stage.clone())
                        .push_bind(s.completed_compulsory)
                        .push_bind(s.needs_rehab)
                        .push_bind(s.received_rehab)
                        .push_bind(s.needs_device)
                        .push_bind(s.device_fitted)
                        .push_bind(s.needs_home_modification)
                        .push_bind(s.home_modification_done)
                        .push_bind(s.care_need.clone())
                        .push_bind(s.receives_care)
                        .push_bind(s.culture_sports)
                        .push_bind(now.clone());
                });
                qb.build().execute(&mut *c).await?;
            }

            let event_rows: Vec<(&str, i64, &NewEvent)> = chunk
                .iter()
                .flat_map(|f| f.events.iter().enumerate().map(move |(k, e)| (f.person.citizen_id.as_str(), k as i64 + 1, e)))
                .collect();
            for part in event_rows.chunks(CHUNK) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO person_events (citizen_id, seq, kind, occurred_on, summary, recorded_at, recorded_by, source) ",
                );
                qb.push_values(part, |mut b, (id, seq, e)| {
                    b.push_bind(id.to_string())
                        .push_bind(*seq)
                        .push_bind(e.kind.key())
                        .push_bind(e.occurred_on.map(|d| d.to_string()))
                        .push_bind(e.summary.clone())
                        .push_bind(now.clone())
                        .push_bind(actor.name.to_string())
                        .push_bind(actor.source.to_string());
                });
                qb.build().execute(&mut *c).await?;
            }
        });
    }
    Ok(())
}

/// One person as the workbook export needs it: current state and every survey row.
#[derive(Debug, Clone)]
pub struct ExportPerson {
    pub person: Person,
    pub certificate: Certificate,
    /// The certificates held before the current one, oldest issue first.
    pub former: Vec<Certificate>,
    /// Survey rows, oldest year first.
    pub surveys: Vec<Survey>,
    pub extras: RecordExtras,
}

#[derive(sqlx::FromRow)]
struct WithId<T> {
    citizen_id: String,
    #[sqlx(flatten)]
    row: T,
}

impl crate::Store {
    /// Up to `limit` persons with citizen ID greater than `after`, in ID order, in three
    /// queries (keyset paging for the workbook export).
    pub async fn export_chunk(&self, after: &str, limit: i64) -> Result<Vec<ExportPerson>> {
        self.export_chunk_in(after, limit, None).await
    }

    /// As [`Self::export_chunk`], for the persons living in `area` only (a township's export).
    pub async fn export_chunk_in(
        &self,
        after: &str,
        limit: i64,
        area: Option<&zhucan_domain::area::AreaCode>,
    ) -> Result<Vec<ExportPerson>> {
        let (cond, value) = match area {
            Some(a) => {
                let (c, v) = crate::registry::area_filter(a);
                (c.replace("p.", "").replace("$1", "$3"), v)
            }
            None => ("$3 = $3".to_string(), String::new()),
        };
        let sql_p = format!(
            "SELECT {PERSON_COLUMNS} FROM persons WHERE citizen_id > $1 AND {cond} ORDER BY citizen_id LIMIT $2"
        );
        let persons: Vec<PersonRow> = crate::on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql_p)).bind(after).bind(limit).bind(value).fetch_all(p).await?
        });
        if area.is_some() {
            // The selected persons are scattered over the ID range: read theirs by ID.
            return self.with_files(persons).await;
        }
        let (Some(first), Some(last)) = (persons.first(), persons.last()) else {
            return Ok(vec![]);
        };
        let sql_c = format!(
            "SELECT citizen_id, {CERT_COLUMNS} FROM certificates WHERE citizen_id >= $1 AND citizen_id <= $2"
        );
        let sql_s = format!(
            "SELECT citizen_id, {SURVEY_COLUMNS} FROM surveys WHERE citizen_id >= $1 AND citizen_id <= $2 ORDER BY citizen_id, survey_year"
        );
        let (lo, hi) = (first.citizen_id.clone(), last.citizen_id.clone());
        let (cs, ss): (Vec<WithId<CertRow>>, Vec<WithId<SurveyRow>>) = crate::on_pool!(self, p => {
            let cs = sqlx::query_as(sqlx::AssertSqlSafe(sql_c)).bind(&lo).bind(&hi).fetch_all(p).await?;
            let ss = sqlx::query_as(sqlx::AssertSqlSafe(sql_s)).bind(&lo).bind(&hi).fetch_all(p).await?;
            (cs, ss)
        });
        assemble(persons, cs, ss)
    }

    /// The files of the persons `ids` (those that exist), in ID order.
    pub async fn files_of(&self, ids: &[CitizenId]) -> Result<Vec<ExportPerson>> {
        let mut persons: Vec<PersonRow> = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            let chunk: Vec<&str> = chunk.iter().map(CitizenId::as_str).collect();
            let ph = placeholders_in(&chunk);
            let sql = format!("SELECT {PERSON_COLUMNS} FROM persons WHERE citizen_id IN ({ph})");
            crate::on_pool!(self, p => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
                for id in &chunk {
                    q = q.bind(*id);
                }
                persons.extend(q.fetch_all(p).await?);
            });
        }
        persons.sort_by(|a, b| a.citizen_id.cmp(&b.citizen_id));
        self.with_files(persons).await
    }

    /// `persons` with their certificates and survey rows.
    async fn with_files(&self, persons: Vec<PersonRow>) -> Result<Vec<ExportPerson>> {
        let mut cs: Vec<WithId<CertRow>> = Vec::new();
        let mut ss: Vec<WithId<SurveyRow>> = Vec::new();
        let ids: Vec<&str> = persons.iter().map(|p| p.citizen_id.as_str()).collect();
        for chunk in ids.chunks(CHUNK) {
            let ph = placeholders_in(chunk);
            let sql_c = format!(
                "SELECT citizen_id, {CERT_COLUMNS} FROM certificates WHERE citizen_id IN ({ph})"
            );
            let sql_s = format!(
                "SELECT citizen_id, {SURVEY_COLUMNS} FROM surveys WHERE citizen_id IN ({ph}) ORDER BY citizen_id, survey_year"
            );
            crate::on_pool!(self, p => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql_c));
                for id in chunk {
                    q = q.bind(*id);
                }
                cs.extend(q.fetch_all(p).await?);
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql_s));
                for id in chunk {
                    q = q.bind(*id);
                }
                ss.extend(q.fetch_all(p).await?);
            });
        }
        assemble(persons, cs, ss)
    }
}

/// Joins persons with their certificates (current and former) and survey rows (oldest year
/// first).
fn assemble(
    persons: Vec<PersonRow>,
    cs: Vec<WithId<CertRow>>,
    ss: Vec<WithId<SurveyRow>>,
) -> Result<Vec<ExportPerson>> {
    let mut certs: HashMap<String, CertRow> = HashMap::new();
    let mut former: HashMap<String, Vec<Certificate>> = HashMap::new();
    for c in cs {
        if c.row.is_current {
            certs.insert(c.citizen_id, c.row);
        } else {
            former
                .entry(c.citizen_id)
                .or_default()
                .push(c.row.to_certificate()?);
        }
    }
    let mut surveys: HashMap<String, Vec<Survey>> = HashMap::new();
    for s in ss {
        surveys
            .entry(s.citizen_id)
            .or_default()
            .push(s.row.to_survey()?);
    }
    persons
        .into_iter()
        .map(|p| {
            let cert = certs
                .remove(&p.citizen_id)
                .ok_or_else(|| crate::rows::corrupt("current certificate", &p.citizen_id))?;
            let mut rows = surveys.remove(&p.citizen_id).unwrap_or_default();
            rows.sort_by_key(|s| s.year);
            let mut earlier = former.remove(&p.citizen_id).unwrap_or_default();
            earlier.sort_by_key(|c| c.issued_on);
            Ok(ExportPerson {
                person: p.to_person()?,
                certificate: cert.to_certificate()?,
                former: earlier,
                surveys: rows,
                extras: RecordExtras {
                    village_name: p.village_name.clone(),
                    legacy_id: p.legacy_id.clone(),
                },
            })
        })
        .collect()
}
