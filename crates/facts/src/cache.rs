//! The snapshot kept exact: before every computation the cache compares the store's change
//! counters with the ones it last saw and loads only the person files changed since (see
//! `zhucan_store::changes`). A write is visible to the next computation; nothing waits for a
//! nightly batch.

use std::sync::Arc;

use zhucan_store::Store;
use zhucan_store::changes::Counters;
use zhucan_store::ledger::LEDGER;

use crate::layer::{Changed, FactLayer};
use crate::snapshot::Snapshot;

/// Persons read per query when loading.
const PAGE: i64 = 5_000;

#[derive(Debug)]
struct Loaded {
    snap: Arc<Snapshot>,
    seen: Counters,
    /// The type of each layer's value, in the order of the cache's layers.
    layer_types: Vec<std::any::TypeId>,
}

/// The registry's facts in memory, shared by every request, with the programmes' layers.
pub struct FactsCache {
    store: Store,
    layers: Vec<Arc<dyn FactLayer>>,
    state: tokio::sync::Mutex<Option<Loaded>>,
}

impl std::fmt::Debug for FactsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FactsCache")
            .field(
                "layers",
                &self.layers.iter().map(|l| l.name()).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl FactsCache {
    /// A cache of the registry's facts and of the given programmes' layers.
    pub fn new(store: Store, layers: Vec<Arc<dyn FactLayer>>) -> FactsCache {
        FactsCache {
            store,
            layers,
            state: tokio::sync::Mutex::new(None),
        }
    }

    /// The facts as of now: loads everything the first time, afterwards only what changed.
    pub async fn snapshot(&self) -> zhucan_store::Result<Arc<Snapshot>> {
        Ok(self.snapshot_stamped().await?.0)
    }

    /// [`Self::snapshot`] with the change counters it reflects: equal stamps mean equal facts,
    /// so results computed from the facts may be cached under the stamp.
    pub async fn snapshot_stamped(&self) -> zhucan_store::Result<(Arc<Snapshot>, Counters)> {
        let mut state = self.state.lock().await;
        // Read the counters first: whatever commits after this is loaded now or next time.
        let now = self.store.change_counters().await?;
        match state.as_mut() {
            None => {
                let started = std::time::Instant::now();
                let mut snap = Snapshot::new();
                snap.set_reference(self.store.areas().await?, self.store.institutions().await?);
                let mut after = String::new();
                loop {
                    let page = self.store.export_chunk(&after, PAGE).await?;
                    let Some(last) = page.last() else { break };
                    after = last.person.citizen_id.to_string();
                    for p in &page {
                        snap.upsert(&p.person, &p.certificate, &p.former, &p.surveys);
                    }
                }
                let mut owner: Option<zhucan_domain::ids::CitizenId> = None;
                let mut rows = Vec::new();
                for (id, e) in self.store.ledger_all().await? {
                    if owner.as_ref() != Some(&id) {
                        if let Some(o) = owner.take() {
                            snap.set_ledger(&o, std::mem::take(&mut rows));
                        }
                        owner = Some(id);
                    }
                    rows.push(e);
                }
                if let Some(o) = owner {
                    snap.set_ledger(&o, rows);
                }
                snap.rebuild_households();
                let mut layer_types = Vec::with_capacity(self.layers.len());
                for layer in &self.layers {
                    let value = layer.load(&self.store, &snap).await?;
                    layer_types.push((*value).type_id());
                    snap.set_layer_any(value);
                }
                tracing::info!(
                    persons = snap.len(),
                    ms = started.elapsed().as_millis() as u64,
                    "indicator facts loaded"
                );
                let snap = Arc::new(snap);
                *state = Some(Loaded {
                    snap: snap.clone(),
                    seen: now.clone(),
                    layer_types,
                });
                Ok((snap, now))
            }
            Some(l) if l.seen == now => Ok((l.snap.clone(), now)),
            Some(l) => {
                let snap = Arc::make_mut(&mut l.snap);
                if now.reference() != l.seen.reference() {
                    snap.set_reference(self.store.areas().await?, self.store.institutions().await?);
                }
                let mut ids = Vec::new();
                if now.registry() != l.seen.registry() {
                    // The changed persons from the change index, then their files: the cost
                    // is what changed, not the registry's size.
                    ids = self.store.changed_ids_since(l.seen.registry()).await?;
                    for chunk in ids.chunks(PAGE as usize) {
                        for p in &self.store.files_of(chunk).await? {
                            snap.upsert(&p.person, &p.certificate, &p.former, &p.surveys);
                        }
                    }
                }
                // The ledgers of the persons with new rows (after the persons: a new person
                // has an index by now); households follow persons and ledgers.
                let ledger_moved = now.get(LEDGER) != l.seen.get(LEDGER);
                if ledger_moved {
                    let with_rows = self.store.ledger_persons_since(l.seen.get(LEDGER)).await?;
                    let mut grouped: std::collections::BTreeMap<_, Vec<_>> = with_rows
                        .iter()
                        .map(|id| (id.clone(), Vec::new()))
                        .collect();
                    for (id, e) in self.store.ledger_of_many(&with_rows).await? {
                        grouped.entry(id).or_default().push(e);
                    }
                    for (id, rows) in grouped {
                        snap.set_ledger(&id, rows);
                    }
                }
                if ledger_moved || !ids.is_empty() {
                    snap.rebuild_households();
                }
                let changed = Changed {
                    persons: &ids,
                    before: &l.seen,
                    now: &now,
                };
                for (layer, t) in self.layers.iter().zip(&l.layer_types) {
                    let value = match snap.layer_value(*t) {
                        Some(v) => layer.refresh(&self.store, snap, v, &changed).await?,
                        None => layer.load(&self.store, snap).await?,
                    };
                    snap.set_layer_any(value);
                }
                l.seen = now.clone();
                Ok((l.snap.clone(), now))
            }
        }
    }
}
