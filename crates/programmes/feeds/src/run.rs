//! One run of the data exchange, the same for a file dropped on the command line, a file
//! uploaded by staff and a department's push: who may send the kind, reading the rows,
//! matching them to the registry, applying them batch by batch (each batch one transaction,
//! so a killed run leaves whole rows), and the report.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};
use zhucan_domain::Lang;
use zhucan_domain::Localized;
use zhucan_domain::access::Role;
use zhucan_domain::area::AreaCode;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::ledger::{Department, Fact, FactKind};
use zhucan_store::audit::AuditEvent;
use zhucan_store::ledger::NewFact;
use zhucan_store::registry::Actor;
use zhucan_store::{Store, StoreError};
use zhucan_workbook::ledger::{ParsedFact, ParsedFacts, read_fact_rows, read_facts};
use zhucan_workbook::{FileError, ImportOptions, Issue};

use crate::store::{Counts, FeedsStore, NewRun};

/// Rows applied per transaction.
pub const BATCH: usize = 1_000;

/// What a run reads.
#[derive(Debug, Clone)]
pub enum Body {
    /// A file's bytes with its name (the extension says how to read it).
    File { name: String, bytes: Vec<u8> },
    /// JSON rows with the English keys.
    Rows(Vec<serde_json::Map<String, serde_json::Value>>),
}

impl Body {
    fn digest(&self) -> String {
        let mut h = Sha256::new();
        match self {
            Body::File { bytes, .. } => h.update(bytes),
            Body::Rows(rows) => {
                for r in rows {
                    h.update(serde_json::Value::Object(r.clone()).to_string().as_bytes());
                    h.update(b"\n");
                }
            }
        }
        hex::encode(h.finalize())
    }

    fn name(&self) -> String {
        match self {
            Body::File { name, .. } => name.clone(),
            Body::Rows(_) => "rows.json".into(),
        }
    }
}

/// Who sends a run.
#[derive(Debug, Clone)]
pub struct Sender {
    /// The account (`cli:<user>` for the command line).
    pub account: String,
    pub role: Option<Role>,
    pub area: AreaCode,
    /// A partner account's department.
    pub department: Option<Department>,
    pub client: String,
}

impl Sender {
    fn audit(
        &self,
        action: &str,
        object: &str,
        outcome: &str,
        detail: serde_json::Value,
    ) -> AuditEvent {
        AuditEvent {
            account: self.account.clone(),
            role: self.role.map_or("operator", |r| r.key()).to_string(),
            area: self.area.to_string(),
            client: self.client.clone(),
            action: action.into(),
            object: object.into(),
            outcome: outcome.into(),
            detail,
        }
    }
}

/// Why a sender may not send a kind (403).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A partner account without a department.
    NoDepartment,
    /// A partner sending another department's kind.
    NotYourKind {
        kind: FactKind,
        department: Department,
    },
    /// A partner sending programme records, or a role that sends nothing.
    NotAllowed { kind: FactKind },
}

impl Refusal {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Refusal::NoDepartment => crate::t(lang, "refusal-no-department").to_string(),
            Refusal::NotYourKind { kind, department } => crate::tf(
                lang,
                "refusal-not-your-kind",
                &[
                    ("kind", kind.key().into()),
                    ("kind_label", kind.label(lang).into()),
                    ("department", department.label(lang).into()),
                    ("kinds", FactKind::keys(department.kinds()).into()),
                ],
            ),
            Refusal::NotAllowed { kind } => crate::tf(
                lang,
                "refusal-not-allowed",
                &[
                    ("kind", kind.key().into()),
                    ("kind_label", kind.label(lang).into()),
                ],
            ),
        }
    }
}

/// Whether `sender` may send `kind`; `Some(area)` = only persons of that area are matched
/// (staff recording their own area's services), `None` = the whole registry.
pub fn authorize(kind: FactKind, sender: &Sender) -> Result<Option<AreaCode>, Refusal> {
    match sender.role {
        // The operator on the server: everything, district-wide.
        None => Ok(None),
        Some(Role::Partner) => {
            let Some(d) = sender.department else {
                return Err(Refusal::NoDepartment);
            };
            if !kind.is_feed() {
                return Err(Refusal::NotAllowed { kind });
            }
            if !d.sends(kind) {
                return Err(Refusal::NotYourKind {
                    kind,
                    department: d,
                });
            }
            Ok(None)
        }
        Some(Role::DistrictAdmin) => Ok(None),
        Some(r) if r.writes_persons() && !kind.is_feed() => Ok(Some(sender.area.clone())),
        Some(_) => Err(Refusal::NotAllowed { kind }),
    }
}

/// An unmatched row in the report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UnmatchedOut {
    pub row: u32,
    pub citizen_id: String,
    pub reason: String,
}

/// A run's report (`contract.md`: the `--report` file and the API's answer).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub run: String,
    pub kind: &'static str,
    pub status: String,
    pub received: i64,
    pub matched: i64,
    pub changed: i64,
    pub unchanged: i64,
    pub unmatched: Vec<UnmatchedOut>,
    pub rejected: Vec<Issue>,
    pub warnings: Vec<Issue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Report {
    /// The command's exit code: 0 every row applied or unchanged, 3 some unmatched or
    /// rejected, 2 nothing applied (the file refused).
    pub fn exit_code(&self) -> u8 {
        if self.error.is_some() {
            2
        } else if self.unmatched.is_empty() && self.rejected.is_empty() {
            0
        } else {
            3
        }
    }

    /// The run's counts (`rejected`: rows, however many of their cells were bad).
    pub fn counts(&self) -> Counts {
        let mut rows: Vec<u32> = self.rejected.iter().map(|i| i.row).collect();
        rows.sort_unstable();
        rows.dedup();
        Counts {
            received: self.received,
            matched: self.matched,
            changed: self.changed,
            unchanged: self.unchanged,
            unmatched: self.unmatched.len() as i64,
            rejected: rows.len() as i64,
        }
    }
}

/// A run that could not be recorded at all (the database failed).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Starts a run: records it as running (audited). Returns its ID.
pub async fn start(
    store: &Store,
    kind: FactKind,
    channel: &'static str,
    body: &Body,
    sender: &Sender,
) -> Result<String, RunError> {
    let id = zhucan_store::accounts::random_id();
    let name = body.name();
    let digest = body.digest();
    let audit = sender.audit(
        "feeds.run.start",
        &id,
        "ok",
        serde_json::json!({"kind": kind.key(), "channel": channel, "file": name, "sha256": digest}),
    );
    store
        .start_run(
            &NewRun {
                id: &id,
                kind,
                channel,
                file_name: &name,
                digest: &digest,
                actor: &sender.account,
                department: sender.department,
                area: &sender.area,
                total: 0,
            },
            &audit,
        )
        .await?;
    Ok(id)
}

/// Reads a body (on a blocking thread: a large workbook takes a while).
pub async fn read(
    store: &Store,
    kind: FactKind,
    body: Body,
    lang: Lang,
    today: NaiveDate,
) -> Result<ParsedFacts, FileError> {
    let areas = store.areas().await.map_err(|e| FileError::NotWorkbook {
        reason: e.to_string(),
    })?;
    let opts = ImportOptions {
        survey_year: None,
        today,
        lang,
    };
    let task = tokio::task::spawn_blocking(move || match body {
        Body::File { name, bytes } => read_facts(kind, &name, &bytes, &areas, &opts),
        Body::Rows(rows) => read_fact_rows(kind, &rows, &areas, &opts),
    });
    match task.await {
        Ok(r) => r,
        Err(_) => Err(FileError::NotWorkbook {
            reason: "reader failed".into(),
        }),
    }
}

/// Runs a whole submission: start, read, apply, finish. The report says what happened; a
/// refused file is a report with `error` (nothing applied), never a lost run.
pub async fn submit(
    store: &Store,
    kind: FactKind,
    channel: &'static str,
    body: Body,
    sender: &Sender,
    within: Option<&AreaCode>,
    lang: Lang,
) -> Result<Report, RunError> {
    let run = start(store, kind, channel, &body, sender).await?;
    let today = zhucan_store::registry::today();
    match read(store, kind, body, lang, today).await {
        Ok(parsed) => apply(store, &run, parsed, sender, within, lang, today).await,
        Err(e) => fail(store, &run, kind, sender, &e.message(lang)).await,
    }
}

/// Closes a run whose file was refused.
pub async fn fail(
    store: &Store,
    run: &str,
    kind: FactKind,
    sender: &Sender,
    message: &str,
) -> Result<Report, RunError> {
    let report = Report {
        run: run.to_string(),
        kind: kind.key(),
        status: "failed".into(),
        received: 0,
        matched: 0,
        changed: 0,
        unchanged: 0,
        unmatched: Vec::new(),
        rejected: Vec::new(),
        warnings: Vec::new(),
        error: Some(message.to_string()),
    };
    let json = serde_json::to_string(&report).unwrap_or_default();
    let audit = sender.audit(
        "feeds.run",
        run,
        "failed",
        serde_json::json!({"kind": kind.key(), "error": message}),
    );
    store
        .finish_run(run, "failed", Counts::default(), message, &json, &audit)
        .await?;
    Ok(report)
}

/// The reason of an unmatched row.
fn no_person(lang: Lang, within: Option<&AreaCode>) -> String {
    match within {
        None => crate::t(lang, "unmatched-no-person").to_string(),
        Some(_) => crate::t(lang, "unmatched-not-in-your-area").to_string(),
    }
}

/// Applies the parsed rows of run `run`: matched rows go to the ledger batch by batch, the
/// unmatched are kept; the run is closed with its report and audit record.
pub async fn apply(
    store: &Store,
    run: &str,
    parsed: ParsedFacts,
    sender: &Sender,
    within: Option<&AreaCode>,
    lang: Lang,
    today: NaiveDate,
) -> Result<Report, RunError> {
    let kind = parsed.kind;
    let actor = Actor {
        name: &sender.account,
        source: "feed",
    };
    let mut warnings = parsed.warnings;
    let mut unmatched_out = Vec::new();
    let (mut matched, mut changed, mut unchanged) = (0i64, 0i64, 0i64);
    let rejected_rows = {
        let mut rows: Vec<u32> = parsed.rejected.iter().map(|i| i.row).collect();
        rows.sort_unstable();
        rows.dedup();
        rows.len() as i64
    };
    let mut done = rejected_rows;
    let mut first_batch = true;
    for batch in parsed.rows.chunks(BATCH) {
        let ids: Vec<&str> = batch.iter().map(|r| r.citizen_id.as_str()).collect();
        let known: HashMap<String, crate::store::Known> = store
            .known_persons(&ids)
            .await?
            .into_iter()
            .map(|k| (k.citizen_id.clone(), k))
            .collect();
        let mut facts = Vec::with_capacity(batch.len());
        let mut unmatched: Vec<(u32, CitizenId, Option<String>, Fact, String)> = Vec::new();
        for r in batch {
            let person = known.get(r.citizen_id.as_str()).filter(|k| {
                within.is_none_or(|a| {
                    AreaCode::parse(&k.township_code).is_some_and(|t| a.contains(&t))
                        || k.village_code
                            .as_deref()
                            .and_then(AreaCode::parse)
                            .is_some_and(|v| a.contains(&v))
                })
            });
            match person {
                Some(k) => {
                    if let Some(n) = &r.name
                        && n.trim() != k.name.trim()
                    {
                        warnings.push(name_warning(&parsed.sheet, r, n, lang));
                    }
                    facts.push(NewFact {
                        citizen_id: r.citizen_id.clone(),
                        fact: r.fact.clone(),
                    });
                }
                None => {
                    let reason = no_person(lang, within);
                    unmatched_out.push(UnmatchedOut {
                        row: r.row,
                        citizen_id: r.citizen_id.to_string(),
                        reason: reason.clone(),
                    });
                    unmatched.push((
                        r.row,
                        r.citizen_id.clone(),
                        r.name.clone(),
                        r.fact.clone(),
                        reason,
                    ));
                }
            }
        }
        done += batch.len() as i64;
        let delta = Counts {
            matched: facts.len() as i64,
            unmatched: unmatched.len() as i64,
            rejected: if first_batch { rejected_rows } else { 0 },
            ..Counts::default()
        };
        first_batch = false;
        let c = store
            .apply_batch(
                run,
                &crate::store::Batch {
                    facts: &facts,
                    unmatched: &unmatched,
                    delta,
                    done_rows: done,
                },
                &actor,
                today,
            )
            .await?;
        matched += facts.len() as i64;
        let n = c.iter().filter(|x| **x).count() as i64;
        changed += n;
        unchanged += c.len() as i64 - n;
    }
    let report = Report {
        run: run.to_string(),
        kind: kind.key(),
        status: "done".into(),
        received: parsed.received as i64,
        matched,
        changed,
        unchanged,
        unmatched: unmatched_out,
        rejected: parsed.rejected,
        warnings,
        error: None,
    };
    let json = serde_json::to_string(&report).unwrap_or_default();
    let counts = report.counts();
    let audit = sender.audit(
        "feeds.run",
        run,
        "ok",
        serde_json::json!({"kind": kind.key(), "counts": counts}),
    );
    store
        .finish_run(run, "done", counts, "", &json, &audit)
        .await?;
    Ok(report)
}

fn name_warning(sheet: &str, r: &ParsedFact, written: &str, lang: Lang) -> Issue {
    Issue {
        sheet: sheet.to_string(),
        row: r.row,
        column: "姓名".into(),
        value: written.to_string(),
        message: crate::t(lang, "name-differs-from-registry").to_string(),
    }
}
