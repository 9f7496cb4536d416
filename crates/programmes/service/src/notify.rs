//! Notifications: an in-app message for the person's account(s) and, when a phone number is on
//! file, a text through an SMS gateway. The gateway is an interface; the implementation that
//! ships writes each text to the log (an intranet without an SMS provider), and the outbox
//! keeps every text with its state, so a real gateway can be plugged in without losing any.

#[allow(unused_imports)]
use crate::prelude::*;
use std::time::Duration;

use zhucan_domain::ids::CitizenId;
use zhucan_store::Store;

/// Sends one text; `Err` with a reason when the gateway refused it (it is retried).
pub trait SmsGateway: Send + Sync + std::fmt::Debug {
    fn send(&self, phone: &str, body: &str) -> Result<(), String>;
}

/// The gateway that writes texts to the log (phone masked).
#[derive(Debug, Default)]
pub struct LoggingGateway;

impl SmsGateway for LoggingGateway {
    fn send(&self, phone: &str, body: &str) -> Result<(), String> {
        tracing::info!(phone = %zhucan_domain::ids::mask_phone(phone), body, "sms (logging gateway)");
        Ok(())
    }
}

/// Leaves a plain-language message for the person and queues a text to their phone on file.
pub async fn notify(store: &Store, id: &CitizenId, title: &str, body: &str, link: &str) {
    #[expect(
        clippy::disallowed_methods,
        reason = "the service sends the notice to the phone on file; nothing of the file reaches the caller"
    )]
    let reach = zhucan_store::Reach::system("notification");
    let phone = match store.person_file(id, &reach).await {
        Ok(Some(f)) => f.person.phone.clone().or(f.person.guardian_phone.clone()),
        _ => None,
    };
    if let Err(e) = store
        .notify(id, title, body, Some(link), phone.as_deref())
        .await
    {
        tracing::error!(error = %e, "notification could not be stored");
    }
}

/// Hands queued texts to the gateway every `every`.
pub async fn run_outbox(store: Store, gateway: std::sync::Arc<dyn SmsGateway>, every: Duration) {
    loop {
        match store.queued_sms(100).await {
            Ok(list) => {
                for sms in list {
                    let r = gateway.send(&sms.phone, &sms.body);
                    let err = r.as_ref().err().cloned();
                    if let Err(e) = store.mark_sms(&sms.id, r.is_ok(), err.as_deref()).await {
                        tracing::warn!(error = %e, "sms state not saved");
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "sms outbox not read"),
        }
        tokio::time::sleep(every).await;
    }
}
