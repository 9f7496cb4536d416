//! Importing a registry workbook (花名册) into the store: the one use case behind `zhucan
//! import` and the staff upload page. A staff upload reaches only the uploader's area: rows of
//! persons living (or moving) outside it, institutions outside it and the 区划 sheet are
//! refused by name, and the rest goes in whole rows at a time.

use std::collections::{HashMap, HashSet};

use zhucan_domain::Lang;
use zhucan_domain::area::{AreaCode, AreaLevel};
use zhucan_domain::ids::CitizenId;
use zhucan_domain::person::{PersonRecord, RecordExtras};
use zhucan_store::registry::Actor;
use zhucan_store::{ImportOutcome, Store, StoreError};
use zhucan_workbook::{Issue, ParsedWorkbook};

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Person rows written (new, updated, unchanged).
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub institutions: usize,
    pub areas: usize,
    /// Rows not imported, one issue per bad cell.
    pub rejected: Vec<Issue>,
    pub warnings: Vec<Issue>,
}

impl Summary {
    /// Person rows that went in (including unchanged ones).
    pub fn person_rows(&self) -> usize {
        self.inserted + self.updated + self.unchanged
    }

    /// Everything imported: person rows, institutions and areas (the report's `imported`).
    pub fn imported(&self) -> usize {
        self.person_rows() + self.institutions + self.areas
    }

    /// Distinct rows rejected.
    pub fn rejected_rows(&self) -> usize {
        self.rejected
            .iter()
            .map(|i| (i.sheet.as_str(), i.row))
            .collect::<HashSet<_>>()
            .len()
    }

    /// The one-line result, as the command line prints it and the page shows it.
    pub fn line(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => format!(
                "导入完成：人员行 {} 行（新增 {}，更新 {}，无变化 {}），机构 {} 个，区划 {} 个；拒绝 {} 行；提示 {} 条。",
                self.person_rows(),
                self.inserted,
                self.updated,
                self.unchanged,
                self.institutions,
                self.areas,
                self.rejected_rows(),
                self.warnings.len()
            ),
            Lang::En => format!(
                "Import done: {} person rows ({} new, {} updated, {} unchanged), {} institutions, {} areas; {} rows rejected; {} warnings.",
                self.person_rows(),
                self.inserted,
                self.updated,
                self.unchanged,
                self.institutions,
                self.areas,
                self.rejected_rows(),
                self.warnings.len()
            ),
        }
    }
}

/// Where an import may write.
#[derive(Debug, Clone, Copy)]
pub enum Reach<'a> {
    /// The whole registry, the area dictionary and the institutions (a district
    /// administrator, the command line).
    All,
    /// Persons and institutions of one area (`name` is how the messages call it).
    Area { code: &'a AreaCode, name: &'a str },
}

impl Reach<'_> {
    fn admits(&self, township: &AreaCode, village: Option<&AreaCode>) -> bool {
        match self {
            Reach::All => true,
            Reach::Area { code, .. } => {
                code.contains(township) || village.is_some_and(|v| code.contains(v))
            }
        }
    }
}

/// The reach of an account's upload: everything for an administrator of the whole district,
/// else its own area.
pub fn reach_of<'a>(area: &'a AreaCode, name: &'a str) -> Reach<'a> {
    if area.level() == AreaLevel::District {
        Reach::All
    } else {
        Reach::Area { code: area, name }
    }
}

/// Removes from `parsed` what `reach` does not admit, rejecting each such row by name: person
/// rows living outside the area, rows of stored persons whose file is kept outside it,
/// institutions outside it, and (for an area) the whole 区划 sheet, as a warning.
pub async fn restrict(
    store: &Store,
    parsed: &mut ParsedWorkbook,
    reach: Reach<'_>,
    lang: Lang,
) -> Result<(), StoreError> {
    let Reach::Area { name, .. } = reach else {
        return Ok(());
    };
    let ids: Vec<CitizenId> = parsed
        .persons
        .iter()
        .map(|p| p.record.person.citizen_id.clone())
        .collect();
    let homes = store.homes_of(&ids).await?;
    let sheet = parsed.persons_sheet.clone();
    let mut kept = Vec::with_capacity(parsed.persons.len());
    for p in std::mem::take(&mut parsed.persons) {
        let person = &p.record.person;
        let stored_outside = homes
            .get(&person.citizen_id)
            .is_some_and(|(t, v)| !reach.admits(t, v.as_ref()));
        if stored_outside {
            parsed.rejected.push(Issue {
                sheet: sheet.clone(),
                row: p.row,
                column: "公民身份号码".into(),
                value: person.citizen_id.masked(),
                message: match lang {
                    Lang::Zh => format!("此人的档案不在您的工作范围（{name}）内，未导入"),
                    Lang::En => {
                        format!(
                            "this person's file is kept outside your area ({name}): not imported"
                        )
                    }
                },
            });
        } else if !reach.admits(&person.township, person.village.as_ref()) {
            parsed.rejected.push(Issue {
                sheet: sheet.clone(),
                row: p.row,
                column: "乡镇街道".into(),
                value: person.township.to_string(),
                message: match lang {
                    Lang::Zh => format!("不在您的工作范围（{name}）内，未导入"),
                    Lang::En => format!("outside your area ({name}): not imported"),
                },
            });
        } else {
            kept.push(p);
        }
    }
    parsed.persons = kept;
    let isheet = parsed.institutions_sheet.clone();
    let mut kept = Vec::with_capacity(parsed.institutions.len());
    for i in std::mem::take(&mut parsed.institutions) {
        if reach.admits(&i.institution.township, None) {
            kept.push(i);
        } else {
            parsed.rejected.push(Issue {
                sheet: isheet.clone(),
                row: i.row,
                column: "乡镇街道".into(),
                value: i.institution.township.to_string(),
                message: match lang {
                    Lang::Zh => format!("机构不在您的工作范围（{name}）内，未导入"),
                    Lang::En => {
                        format!("the institution is outside your area ({name}): not imported")
                    }
                },
            });
        }
    }
    parsed.institutions = kept;
    if !parsed.areas.is_empty() {
        parsed.areas.clear();
        parsed.warnings.push(Issue {
            sheet: "区划".into(),
            row: 1,
            column: String::new(),
            value: String::new(),
            message: crate::t(lang, "the-sheet-is-imported-by-district").into(),
        });
    }
    Ok(())
}

/// The person rows of a file grouped by person, in the order each person first appears (a
/// person's own rows keep their order), cut into batches of about `batch` rows that never
/// split a person: a person's rows of one file commit together. A person with more rows than
/// `batch` is a batch of their own.
pub fn person_batches(
    rows: Vec<(PersonRecord, RecordExtras)>,
    batch: usize,
) -> Vec<Vec<(PersonRecord, RecordExtras)>> {
    let batch = batch.max(1);
    let mut order: Vec<Vec<(PersonRecord, RecordExtras)>> = Vec::new();
    let mut index: HashMap<CitizenId, usize> = HashMap::new();
    for r in rows {
        match index.get(&r.0.person.citizen_id) {
            Some(&i) => {
                if let Some(g) = order.get_mut(i) {
                    g.push(r);
                }
            }
            None => {
                index.insert(r.0.person.citizen_id.clone(), order.len());
                order.push(vec![r]);
            }
        }
    }
    let mut out: Vec<Vec<(PersonRecord, RecordExtras)>> = Vec::new();
    let mut cur: Vec<(PersonRecord, RecordExtras)> = Vec::new();
    for g in order {
        if !cur.is_empty() && cur.len() + g.len() > batch {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend(g);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Writes what `parsed` holds: areas, institutions, then the person rows in transactions of
/// about `batch` rows, all rows of a person in the same one (see [`person_batches`]), each
/// counted into run `run` in its own transaction (`progress(done, total)` after each).
/// Re-importing the same rows changes nothing. Large batches are fastest (the command line);
/// a live service takes small ones, so that its other writers wait less and the progress moves.
pub async fn apply(
    store: &Store,
    parsed: ParsedWorkbook,
    actor: &Actor<'_>,
    batch: usize,
    run: &str,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<Summary, StoreError> {
    store.upsert_areas(&parsed.areas).await?;
    let institutions: Vec<_> = parsed
        .institutions
        .iter()
        .map(|i| i.institution.clone())
        .collect();
    store.upsert_institutions(&institutions).await?;
    let rows: Vec<(PersonRecord, RecordExtras)> = parsed
        .persons
        .into_iter()
        .map(|p| (p.record, p.extras))
        .collect();
    let mut s = Summary {
        institutions: institutions.len(),
        areas: parsed.areas.len(),
        rejected: parsed.rejected,
        warnings: parsed.warnings,
        ..Summary::default()
    };
    let total = rows.len();
    progress(0, total);
    let mut done = 0;
    for chunk in person_batches(rows, batch) {
        for o in store.merge_records_in_run(&chunk, actor, run).await? {
            match o {
                ImportOutcome::Inserted => s.inserted += 1,
                ImportOutcome::Updated => s.updated += 1,
                ImportOutcome::Unchanged => s.unchanged += 1,
            }
        }
        done += chunk.len();
        progress(done, total);
    }
    Ok(s)
}

/// The SHA-256 of a file's bytes, in hex (the run's record of what was imported).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Renews the heartbeat of run `run` every [`zhucan_store::import_runs::HEARTBEAT_SECS`] until
/// the returned guard is dropped.
pub fn heartbeat(store: &Store, run: &str) -> HeartbeatGuard {
    let (store, run) = (store.clone(), run.to_string());
    let task = tokio::spawn(async move {
        let every = std::time::Duration::from_secs(zhucan_store::import_runs::HEARTBEAT_SECS);
        loop {
            tokio::time::sleep(every).await;
            if let Err(e) = store.beat_import_run(&run).await {
                tracing::warn!(error = %e, "import run heartbeat");
            }
        }
    });
    HeartbeatGuard(task)
}

/// Stops the heartbeat when dropped.
#[derive(Debug)]
pub struct HeartbeatGuard(tokio::task::JoinHandle<()>);

impl Drop for HeartbeatGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}
