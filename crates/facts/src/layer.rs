//! What a programme adds to the registry's facts: a *fact layer*, loaded with the persons and
//! kept exact like them. The facts cache calls a layer's [`FactLayer::load`] after a cold load
//! and its [`FactLayer::refresh`] after every change it follows (the persons changed since, and
//! the change counters it names), so that a programme's engine reads its own facts from the same
//! [`Snapshot`] as the registry's, never stale.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use zhucan_domain::ids::CitizenId;
use zhucan_store::Store;
use zhucan_store::changes::Counters;

use crate::Snapshot;

/// A layer's value, as the snapshot holds it (read back with [`Snapshot::layer`]).
pub type LayerValue = Arc<dyn Any + Send + Sync>;

/// A layer's loading future.
pub type LayerFuture<'a> =
    Pin<Box<dyn Future<Output = zhucan_store::Result<LayerValue>> + Send + 'a>>;

/// What changed since a layer was last loaded.
#[derive(Debug)]
pub struct Changed<'a> {
    /// The persons whose files changed (in ID order; empty when none did).
    pub persons: &'a [CitizenId],
    /// The change counters then and now.
    pub before: &'a Counters,
    pub now: &'a Counters,
}

impl Changed<'_> {
    /// Whether counter `name` moved.
    pub fn moved(&self, name: &str) -> bool {
        self.before.get(name) != self.now.get(name)
    }
}

/// A programme's facts, loaded with the registry's.
pub trait FactLayer: Send + Sync + 'static {
    /// For the logs.
    fn name(&self) -> &'static str;

    /// The whole layer, for the persons in `snap` (after a cold load).
    fn load<'a>(&'a self, store: &'a Store, snap: &'a Snapshot) -> LayerFuture<'a>;

    /// The layer after `changed` (the persons in `snap` are already up to date); `current` is
    /// its value until now. Return `current` when nothing the layer holds changed.
    fn refresh<'a>(
        &'a self,
        store: &'a Store,
        snap: &'a Snapshot,
        current: LayerValue,
        changed: &'a Changed<'a>,
    ) -> LayerFuture<'a>;
}
