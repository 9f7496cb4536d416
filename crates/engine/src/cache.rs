//! The snapshot kept exact: before every computation the cache compares the store's change
//! counters with the ones it last saw and loads only the person files changed since (see
//! `zhucan_store::changes`). A write is visible to the next computation; nothing waits for a
//! nightly batch.

use std::sync::Arc;

use zhucan_store::Store;
use zhucan_store::changes::Counters;

use crate::snapshot::Snapshot;

/// Persons read per query when loading.
const PAGE: i64 = 5_000;

#[derive(Debug)]
struct Loaded {
    snap: Arc<Snapshot>,
    seen: Counters,
}

/// The registry's facts in memory, shared by every request.
#[derive(Debug)]
pub struct FactsCache {
    store: Store,
    state: tokio::sync::Mutex<Option<Loaded>>,
}

impl FactsCache {
    pub fn new(store: Store) -> FactsCache {
        FactsCache {
            store,
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
                let mut benefits: std::collections::HashMap<_, Vec<_>> =
                    std::collections::HashMap::new();
                for (id, b) in self.store.all_benefits().await? {
                    benefits.entry(id).or_default().push(b);
                }
                for (id, list) in benefits {
                    snap.set_benefits(&id, list);
                }
                snap.set_paid(
                    &self.store.closed_months().await?,
                    &self.store.paid().await?,
                );
                tracing::info!(
                    persons = snap.len(),
                    ms = started.elapsed().as_millis() as u64,
                    "indicator facts loaded"
                );
                let snap = Arc::new(snap);
                *state = Some(Loaded {
                    snap: snap.clone(),
                    seen: now,
                });
                Ok((snap, now))
            }
            Some(l) if l.seen == now => Ok((l.snap.clone(), now)),
            Some(l) => {
                let snap = Arc::make_mut(&mut l.snap);
                if now.reference != l.seen.reference {
                    snap.set_reference(self.store.areas().await?, self.store.institutions().await?);
                }
                if now.registry != l.seen.registry {
                    // The changed persons from the change index, then their files: the cost
                    // is what changed, not the registry's size.
                    let ids = self.store.changed_ids_since(l.seen.registry).await?;
                    for chunk in ids.chunks(PAGE as usize) {
                        for p in &self.store.files_of(chunk).await? {
                            snap.upsert(&p.person, &p.certificate, &p.former, &p.surveys);
                        }
                        let mut benefits: std::collections::HashMap<_, Vec<_>> =
                            chunk.iter().map(|id| (id.clone(), Vec::new())).collect();
                        for (id, b) in self.store.benefits_of(chunk).await? {
                            benefits.entry(id).or_default().push(b);
                        }
                        for (id, list) in benefits {
                            snap.set_benefits(&id, list);
                        }
                    }
                }
                if now.payrolls != l.seen.payrolls {
                    // After the persons: a newly paid person has an index by now.
                    snap.set_paid(
                        &self.store.closed_months().await?,
                        &self.store.paid().await?,
                    );
                }
                l.seen = now;
                Ok((l.snap.clone(), now))
            }
        }
    }
}

/// The plan in force with its targets and every progress entry, or `None` when the database
/// holds no plan.
pub async fn load_plan(store: &Store) -> zhucan_store::Result<Option<crate::PlanData>> {
    let Some((plan, targets)) = store.current_plan().await? else {
        return Ok(None);
    };
    let progress = store.target_progress(&plan.id).await?;
    Ok(Some(crate::PlanData {
        plan,
        targets,
        progress,
    }))
}
