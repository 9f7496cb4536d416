//! Housekeeping that `zhucan serve` runs in the background, once at start and then daily:
//! audit records older than the retention setting are purged (leaving a chain anchor; the
//! purge itself is recorded), and sessions past their lifetime are deleted.

use std::time::Duration;

use zhucan_store::audit::{AuditEvent, Purge};

use crate::AppState;

/// The audit event of a purge run by the service (or by the command line, `account` given).
pub fn purge_event(
    account: &str,
    role: &str,
    client: &str,
    detail: serde_json::Value,
) -> AuditEvent {
    AuditEvent {
        account: account.to_string(),
        role: role.to_string(),
        area: String::new(),
        client: client.to_string(),
        action: zhucan_store::audit::PURGE_ACTION.to_string(),
        object: "audit_log".to_string(),
        outcome: "ok".to_string(),
        detail,
    }
}

/// One round: purge the audit trail to the retention setting, delete stale sessions.
pub async fn run_once(state: &AppState) -> zhucan_store::Result<Purge> {
    let policy = state.policy().await;
    let now = chrono::Utc::now();
    let before = policy.audit_keep_from(now);
    let event = purge_event(
        "system",
        "system",
        "service",
        serde_json::json!({"retention_months": policy.audit_retention_months, "trigger": "daily"}),
    );
    let purge = state.store.purge_audit(before, now, event).await?;
    match &purge {
        Purge::Done { purged, .. } => {
            tracing::info!(
                purged,
                retention_months = policy.audit_retention_months,
                "audit retention applied"
            )
        }
        Purge::Broken { seq, reason } => {
            tracing::error!(seq, %reason, "audit trail does not verify: nothing purged")
        }
        Purge::TooRecent { .. } => {}
    }
    let idle =
        chrono::Duration::from_std(policy.session_idle).unwrap_or(chrono::Duration::minutes(30));
    let n = state
        .store
        .delete_stale_sessions(
            &now.to_rfc3339(),
            &(now - idle).to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        )
        .await?;
    if n > 0 {
        tracing::info!(sessions = n, "stale sessions deleted");
    }
    Ok(purge)
}

/// Runs [`run_once`] now and then every `every`, until the task is aborted.
pub async fn run_every(state: AppState, every: Duration) {
    loop {
        if let Err(e) = run_once(&state).await {
            tracing::error!(error = %e, "housekeeping failed");
        }
        tokio::time::sleep(every).await;
    }
}
