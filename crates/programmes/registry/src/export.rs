//! Writing the registry workbook from the store (the page download and `zhucan export`).

use std::path::Path;

use zhucan_domain::area::AreaCode;
use zhucan_domain::person::{PersonRecord, RecordExtras};
use zhucan_store::Store;

/// Writes every person (one row per survey year), institution and area to `path` — of
/// `area` only when given (a township's export: its persons, its institutions, its areas and
/// those above it).
pub async fn write_registry(
    store: &Store,
    path: &Path,
    area: Option<&AreaCode>,
) -> Result<usize, String> {
    let mut areas = store.areas().await.map_err(|e| e.to_string())?;
    let mut institutions = store.institutions().await.map_err(|e| e.to_string())?;
    if let Some(a) = area {
        areas.retain(|x| a.contains(&x.code) || x.code.contains(a));
        institutions.retain(|i| a.contains(&i.township) || i.township.contains(a));
    }
    let mut rows: Vec<(PersonRecord, RecordExtras)> = Vec::new();
    let mut after = String::new();
    let mut persons = 0;
    loop {
        let chunk = store
            .export_chunk_in(&after, 5000, area)
            .await
            .map_err(|e| e.to_string())?;
        let Some(last) = chunk.last() else { break };
        after = last.person.citizen_id.to_string();
        for p in chunk {
            persons += 1;
            for s in p.surveys {
                rows.push((
                    PersonRecord {
                        person: p.person.clone(),
                        certificate: p.certificate.clone(),
                        survey: s,
                    },
                    p.extras.clone(),
                ));
            }
        }
    }
    let data = zhucan_workbook::ExportData {
        areas: &areas,
        rows: &rows,
        institutions: &institutions,
    };
    zhucan_workbook::write_workbook(path, &data).map_err(|e| e.to_string())?;
    Ok(persons)
}
