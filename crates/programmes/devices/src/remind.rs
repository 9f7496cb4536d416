//! The overdue reminders (逾期提醒): every loan past its due date and not returned is told to
//! the borrower (a message on the service end, and a text to the phone on file through the
//! SMS outbox), once and then weekly until it is returned or renewed.

use chrono::NaiveDate;
use std::time::Duration;
use zhucan_store::Store;

use crate::rules;
use crate::store::DevicesStore;

/// Reminds the borrowers of the loans overdue on `day`; how many were reminded.
pub async fn remind_overdue(store: &Store, day: NaiveDate) -> zhucan_store::Result<usize> {
    let items = store.device_items().await?;
    let stock = store.stock().await?;
    let mut n = 0;
    for l in store.open_loans().await? {
        if !rules::remind(l.due_on, l.returned_on, l.reminded_on, day) {
            continue;
        }
        let device = stock
            .iter()
            .find(|s| s.code == l.code)
            .and_then(|s| items.iter().find(|i| i.key == s.item_key))
            .map(|i| i.label.clone())
            .unwrap_or_else(|| l.code.clone());
        let title = format!("您借用的{device}已超过归还日期");
        let body = format!(
            "您借用的{device}（编号 {}）应于 {} 归还。请尽快归还或到服务点办理续借。",
            l.code, l.due_on
        );
        zhucan_service::notify::notify(store, &l.citizen_id, &title, &body, "/me/messages").await;
        store.mark_reminded(&l.id, day).await?;
        n += 1;
    }
    Ok(n)
}

/// The job: reminds every `every` while the service runs.
pub async fn run(store: Store, every: Duration) {
    loop {
        let today = chrono::Local::now().date_naive();
        match remind_overdue(&store, today).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(reminded = n, "device loans overdue: borrowers reminded"),
            Err(e) => tracing::warn!(error = %e, "device loan reminders not sent"),
        }
        tokio::time::sleep(every).await;
    }
}
