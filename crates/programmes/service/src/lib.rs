//! The service end (服务端): citizens and their guardians sign up, follow their own files,
//! apply for services from a catalogue kept as data (fields, documents, promised days,
//! workflow steps), state their needs and read their messages; the staff desk works the
//! applications step by step and triages the needs. Fully accessible, JavaScript-free.
//!
//! * [`rules`] — the catalogue's vocabulary, eligibility and answer checks; no HTTP, no SQL.
//! * [`store`] — the catalogue, applications and files, needs, messages, the SMS outbox and
//!   citizen links ([`store::ServiceStore`]).
//! * [`citizen`], [`api`] — the citizen's pages and API (`/me…`); [`desk`] — the staff desk;
//!   [`notify`] — messages and the SMS gateway; [`applicant`] — what eligibility knows.

#![allow(clippy::result_large_err)]

// Templates name the catalogue by crate (`zhucan_service::t`), here too.
extern crate self as zhucan_service;
// The crate's messages in Chinese and English (`messages/*.ftl`): `t`, `tf`, `MESSAGES`.
zhucan_domain::catalogue!();

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodRouter, get, post};
use utoipa::OpenApi;
use zhucan_store::migrate::{Migration, Seed};
use zhucan_web::programme::{Extensions, Job, NavEntry};
use zhucan_web::{AppState, Programme};

pub mod api;
pub mod applicant;
pub mod citizen;
pub mod desk;
pub mod notify;
pub mod rules;
pub mod store;
pub mod taken;

/// The programme's traits over the kernel's types.
pub mod prelude {
    pub use crate::store::ServiceStore;
    pub use zhucan_subsidies::prelude::*;
}

/// The largest form with uploads (a few documents of at most 5 MB each).
pub const UPLOAD_LIMIT: usize = 24 * 1024 * 1024;

/// The programme.
#[derive(Debug, Default)]
pub struct Service;

#[derive(OpenApi)]
#[openapi(paths(api::me, api::applications, api::certificate_token))]
struct ServiceApi;

/// The default catalogue, seeded with the programme's tables.
const SEED_CATALOGUE: Seed = |tx| Box::pin(store::seed_catalogue(tx));

/// Where texts to citizens go (the logging gateway unless the service is given another).
#[derive(Debug, Clone)]
pub struct Sms(pub Arc<dyn notify::SmsGateway>);

fn citizen(u: &zhucan_store::User) -> bool {
    u.role == zhucan_domain::access::Role::Citizen
}

impl Programme for Service {
    fn key(&self) -> &'static str {
        "service"
    }

    fn migrations(&self) -> Vec<Migration> {
        vec![
            Migration::sql(
                "service_end",
                include_str!("../migrations/0007_service_end.sql"),
            )
            .seeded(SEED_CATALOGUE),
            Migration::sql(
                "service.0008_need_case",
                include_str!("../migrations/0008_need_case.sql"),
            ),
        ]
    }

    fn routes(&self) -> Vec<(&'static str, MethodRouter<AppState>)> {
        vec![
            ("/signup", get(citizen::signup_form).post(citizen::signup)),
            ("/me", get(citizen::me)),
            ("/me/services", get(citizen::services)),
            (
                "/me/services/{key}",
                get(citizen::service)
                    .post(citizen::apply)
                    .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
            ),
            ("/me/applications/{id}", get(citizen::application)),
            (
                "/me/applications/{id}/answer",
                post(citizen::answer).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
            ),
            ("/me/applications/{id}/files/{seq}", get(citizen::file)),
            ("/me/needs", get(citizen::needs).post(citizen::add_need)),
            ("/me/needs/{id}/satisfaction", post(citizen::rate_need)),
            ("/me/messages", get(citizen::messages)),
            ("/me/certificate", get(citizen::my_certificate)),
            ("/services/queue", get(desk::queue)),
            ("/services/applications/{id}", get(desk::application)),
            ("/services/applications/{id}/act", post(desk::act)),
            ("/services/applications/{id}/files/{seq}", get(desk::file)),
            ("/needs", get(desk::needs)),
            ("/needs/{id}", get(desk::need)),
            ("/needs/{id}/act", post(desk::need_act)),
            (
                "/persons/{handle}/needs",
                get(desk::person_needs).post(desk::record_need),
            ),
            ("/api/v1/me", get(api::me)),
            ("/api/v1/me/applications", get(api::applications)),
            ("/api/v1/me/certificate/token", get(api::certificate_token)),
        ]
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![
            NavEntry {
                key: "me",
                href: "/me",
                zh: "我的档案",
                en: "My file",
                order: 10,
                shown: citizen,
            },
            NavEntry {
                key: "services",
                href: "/me/services",
                zh: "服务事项",
                en: "Services",
                order: 11,
                shown: citizen,
            },
            NavEntry {
                key: "needs",
                href: "/me/needs",
                zh: "我的需求",
                en: "My needs",
                order: 12,
                shown: citizen,
            },
            NavEntry {
                key: "messages",
                href: "/me/messages",
                zh: "消息",
                en: "Messages",
                order: 13,
                shown: citizen,
            },
            NavEntry {
                key: "certificate",
                href: "/me/certificate",
                zh: "电子证照",
                en: "Certificate",
                order: 14,
                shown: citizen,
            },
            NavEntry {
                key: "desk",
                href: "/services/queue",
                zh: "服务受理",
                en: "Service desk",
                order: 20,
                shown: |u| u.role.works_subsidies(),
            },
            NavEntry {
                key: "needs_desk",
                href: "/needs",
                zh: "需求征集",
                en: "Needs desk",
                order: 21,
                shown: |u| u.role.works_subsidies(),
            },
        ]
    }

    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        Some(ServiceApi::openapi())
    }

    fn install(&self, _state: &AppState, ext: &mut Extensions) {
        ext.insert(Sms(Arc::new(notify::LoggingGateway)));
    }

    fn jobs(&self, state: &AppState) -> Vec<Job> {
        // Texts queued for citizens go to the SMS gateway.
        let gateway = state
            .ext::<Sms>()
            .map(|s| s.0.clone())
            .unwrap_or_else(|| Arc::new(notify::LoggingGateway));
        vec![Box::pin(notify::run_outbox(
            state.store.clone(),
            gateway,
            Duration::from_secs(10),
        ))]
    }
}

/// The programme, for the binary's list.
pub fn programme() -> Arc<dyn Programme> {
    Arc::new(Service)
}
