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
