//! The audit trail from the web layer: who (account, role, area, client address) did what to
//! which object, with what outcome. Records are appended by the store's hash chain.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Serialize;
use serde_json::{Map, Value};
use zhucan_store::{Store, User};

/// The client address of a request (the TCP peer; `unknown` in tests without one).
pub fn client_of(parts_ext: &axum::http::Extensions) -> String {
    parts_ext
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// An audit event by a signed-in account.
pub fn audit_event(
    user: &User,
    client: &str,
    action: &str,
    object: &str,
    outcome: &str,
    detail: serde_json::Value,
) -> zhucan_store::audit::AuditEvent {
    zhucan_store::audit::AuditEvent {
        account: user.username.clone(),
        role: user.role.key().to_string(),
        area: user.area.to_string(),
        client: client.to_string(),
        action: action.to_string(),
        object: object.to_string(),
        outcome: outcome.to_string(),
        detail,
    }
}

/// Writes an audit record; a failure to write is logged (the caller's answer stands, but the
/// log shows the gap).
pub async fn record(store: &Store, e: zhucan_store::audit::AuditEvent) {
    if let Err(err) = store.audit(&e).await {
        tracing::error!(error = %err, action = %e.action, "audit record could not be written");
    }
}

/// Records of high-volume reads (person files, searches) go through a queue and are appended
/// by one background task in group commits: a read costs a channel send instead of a durable
/// transaction. Security events (sign-ins, changes, exports) are written synchronously with
/// [`record`]. The queue is flushed when the service stops.
#[derive(Debug)]
pub struct AuditSink {
    tx: std::sync::Mutex<
        Option<tokio::sync::mpsc::UnboundedSender<zhucan_store::audit::AuditEvent>>,
    >,
    task: tokio::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl AuditSink {
    /// Starts the writer task (needs a Tokio runtime).
    pub fn start(store: Store) -> Self {
        let (tx, mut rx) =
            tokio::sync::mpsc::unbounded_channel::<zhucan_store::audit::AuditEvent>();
        let task = tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < 2000 {
                    match rx.try_recv() {
                        Ok(e) => batch.push(e),
                        Err(_) => break,
                    }
                }
                let mut attempt = 0;
                while let Err(e) = store.audit_batch(&batch).await {
                    attempt += 1;
                    tracing::error!(error = %e, records = batch.len(), attempt, "audit batch could not be written");
                    if attempt >= 5 {
                        break;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(100 << attempt)).await;
                }
            }
        });
        AuditSink {
            tx: std::sync::Mutex::new(Some(tx)),
            task: tokio::sync::Mutex::new(Some(task)),
        }
    }

    /// Queues a record.
    pub fn queue(&self, e: zhucan_store::audit::AuditEvent) {
        let sent = self
            .tx
            .lock()
            .ok()
            .and_then(|g| g.as_ref().map(|tx| tx.send(e).is_ok()));
        if sent != Some(true) {
            tracing::error!("audit queue closed: a read record was dropped");
        }
    }

    /// Stops accepting records and waits until every queued one is written.
    pub async fn flush(&self) {
        if let Ok(mut g) = self.tx.lock() {
            g.take();
        }
        if let Some(task) = self.task.lock().await.take() {
            let _ = task.await;
        }
    }
}

/// The client address as an extractor (for handlers without a signed-in caller).
#[derive(Debug, Clone)]
pub struct Client(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Client(client_of(&parts.extensions)))
    }
}

/// An audit event for an attempt without an account (a failed sign-in).
pub fn anonymous_event(
    username: &str,
    client: &str,
    action: &str,
    outcome: &str,
) -> zhucan_store::audit::AuditEvent {
    zhucan_store::audit::AuditEvent {
        account: username.to_string(),
        client: client.to_string(),
        action: action.to_string(),
        object: username.to_string(),
        outcome: outcome.to_string(),
        detail: Value::Object(Map::new()),
        ..Default::default()
    }
}

fn flatten(prefix: &str, v: &Value, out: &mut Map<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.clone());
        }
    }
}

/// The fields that differ between two states: `{"path": [old, new]}`.
pub fn diff<T: Serialize>(old: &T, new: &T) -> Value {
    let (mut a, mut b) = (Map::new(), Map::new());
    flatten(
        "",
        &serde_json::to_value(old).unwrap_or(Value::Null),
        &mut a,
    );
    flatten(
        "",
        &serde_json::to_value(new).unwrap_or(Value::Null),
        &mut b,
    );
    let mut out = Map::new();
    for (k, va) in &a {
        let vb = b.get(k).cloned().unwrap_or(Value::Null);
        if *va != vb {
            out.insert(k.clone(), Value::Array(vec![va.clone(), vb]));
        }
    }
    for (k, vb) in &b {
        if !a.contains_key(k) {
            out.insert(k.clone(), Value::Array(vec![Value::Null, vb.clone()]));
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_lists_changed_leaves() {
        let a = serde_json::json!({"person": {"name": "甲", "died_on": null}, "n": 1});
        let b = serde_json::json!({"person": {"name": "甲", "died_on": "2025-01-01"}, "n": 1});
        assert_eq!(
            diff(&a, &b),
            serde_json::json!({"person.died_on": [null, "2025-01-01"]})
        );
    }
}
