//! Writing the registry workbook from the store (the page download and `zhucan export`).

use std::path::Path;

use zhucan_domain::person::{PersonRecord, RecordExtras};
use zhucan_store::Store;

/// Writes every person (one row per survey year), institution and area to `path`.
pub async fn write_registry(store: &Store, path: &Path) -> Result<usize, String> {
    let areas = store.areas().await.map_err(|e| e.to_string())?;
    let institutions = store.institutions().await.map_err(|e| e.to_string())?;
    let mut rows: Vec<(PersonRecord, RecordExtras)> = Vec::new();
    let mut after = String::new();
    let mut persons = 0;
    loop {
        let page = store
            .export_page(&after, 1000)
            .await
            .map_err(|e| e.to_string())?;
        let Some(last) = page.last() else { break };
        after = last.0.person.citizen_id.to_string();
        for (file, surveys) in &page {
            persons += 1;
            let extras = RecordExtras {
                village_name: file.village_name.clone(),
                legacy_id: file.legacy_id.clone(),
            };
            for s in surveys.iter().rev() {
                rows.push((
                    PersonRecord {
                        person: file.person.clone(),
                        certificate: file.certificate.clone(),
                        survey: s.clone(),
                    },
                    extras.clone(),
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
