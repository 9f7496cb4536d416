//! Assistive devices (辅助器具, R3.3): the catalogue as data (item, category, the disability
//! categories it suits, in kind or cash against an invoice, a price cap, loan terms); a case
//! goes from the assessment and recommendation (评估) to the approval, the fitting (适配:
//! the subsidy in full for the households of the full-subsidy statuses, else the ratio
//! parameter, never above the cap) and the follow-up after the item's days (回访). The loan
//! network (租借): stock per device service point (辅具服务点), each item with a code and a
//! condition; loans with due dates, renewals, returns and repairs; overdue reminders to the
//! borrower (messages and the SMS outbox); stock and utilisation per point. A fitting is the
//! `device_fitting` record and a loan the `device_loan` record of `feeds-and-records.md`:
//! indicator 12 counts them at once.
//!
//! * [`rules`] — items, the subsidy, due dates and reminders; no HTTP, no SQL.
//! * [`store`] — the catalogue, cases, stock, loans ([`store::DevicesStore`]).
//! * [`pages`] — cases and loans of an area, a case, a loan, the stock; [`api`];
//!   [`remind`] — the overdue reminders job; [`section`] — its section of the person file.

#![allow(clippy::result_large_err)]

// Templates name the catalogue by crate (`zhucan_devices::t`), here too.
extern crate self as zhucan_devices;
// The crate's messages in Chinese and English (`messages/*.ftl`): `t`, `tf`, `MESSAGES`.
zhucan_domain::catalogue!();

use std::sync::Arc;
use std::time::Duration;

use axum::routing::{MethodRouter, get, post};
use utoipa::OpenApi;
use zhucan_store::migrate::{Migration, Seed};
use zhucan_web::programme::{
    CliContext, CommandFuture, DemoFuture, Job, NavEntry, SectionAsk, SectionFuture,
};
use zhucan_web::usecase::Right;
use zhucan_web::{AppState, Programme};

pub mod api;
pub mod cli;
pub mod demo;
pub mod pages;
pub mod point;
pub mod remind;
pub mod rules;
pub mod section;
pub mod store;

/// The programme's traits over the kernel's types.
pub mod prelude {
    pub use crate::store::DevicesStore;
    pub use zhucan_service::prelude::*;
}

/// The programme.
#[derive(Debug, Default)]
pub struct Devices;

#[derive(OpenApi)]
#[openapi(paths(api::devices))]
struct DevicesApi;

/// The catalogue and the parameters, seeded with the programme's tables.
const SEED: Seed = |tx| Box::pin(store::seed(tx));

impl Programme for Devices {
    fn key(&self) -> &'static str {
        "devices"
    }

    fn migrations(&self) -> Vec<Migration> {
        vec![
            Migration::sql(
                "devices.0001_devices",
                include_str!("../migrations/0001_devices.sql"),
            )
            .seeded(SEED),
            Migration::sql(
                "devices.0002_applications",
                include_str!("../migrations/0002_applications.sql"),
            ),
            Migration::sql(
                "devices.0003_loans_person",
                include_str!("../migrations/0003_loans_person.sql"),
            ),
        ]
    }

    fn routes(&self) -> Vec<(&'static str, MethodRouter<AppState>)> {
        vec![
            ("/devices", get(pages::overview)),
            ("/devices/cases", post(pages::open_case)),
            ("/devices/export", post(pages::export)),
            ("/devices/cases/{id}", get(pages::case)),
            ("/devices/cases/{id}/act", post(pages::act)),
            ("/devices/loans", post(pages::lend)),
            ("/devices/loans/{id}", get(pages::loan)),
            ("/devices/loans/{id}/renew", post(pages::renew)),
            ("/devices/loans/{id}/return", post(pages::give_back)),
            ("/devices/stock", get(pages::stock).post(pages::add_stock)),
            ("/devices/point", get(point::page)),
            ("/devices/point/loans", post(point::lend)),
            ("/devices/stock/condition", post(pages::condition)),
            (
                "/devices/catalogue",
                get(pages::catalogue).post(pages::set_terms),
            ),
            ("/devices/catalogue/items", post(pages::add_item)),
            ("/api/v1/devices", get(api::devices)),
        ]
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![
            NavEntry {
                key: "devices",
                href: "/devices",
                zh: "辅助器具",
                en: "Assistive devices",
                order: 27,
                shown: pages::SeesDevices::held_by,
            },
            NavEntry {
                key: "devices_point",
                href: "/devices/point",
                zh: "本服务点辅具",
                en: "Our service point",
                order: 27,
                shown: point::ServesPoint::held_by,
            },
        ]
    }

    fn home_tasks(&self) -> Vec<NavEntry> {
        vec![NavEntry {
            key: "devices",
            order: 27,
            href: "/devices",
            zh: "辅具评估适配、借用与回访",
            en: "Assess, fit and lend assistive devices",
            shown: pages::ActsOnDevices::held_by,
        }]
    }

    fn person_section<'a>(&'a self, ask: SectionAsk<'a>) -> SectionFuture<'a> {
        Box::pin(section::section(ask))
    }

    fn demo<'a>(&'a self, store: &'a zhucan_store::Store) -> DemoFuture<'a> {
        Box::pin(demo::demo(store))
    }

    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        Some(DevicesApi::openapi())
    }

    fn jobs(&self, state: &AppState) -> Vec<Job> {
        vec![Box::pin(remind::run(
            state.store.clone(),
            Duration::from_secs(3600),
        ))]
    }

    fn commands(&self) -> Vec<clap::Command> {
        zhucan_web::programme::subcommands_of::<cli::DevicesCommand>()
    }

    fn run<'a>(
        &'a self,
        top: &'a clap::ArgMatches,
        ctx: &'a CliContext,
    ) -> Option<CommandFuture<'a>> {
        let cmd = zhucan_web::programme::command_of::<cli::DevicesCommand>(top)?;
        Some(Box::pin(cli::run_command(cmd, ctx)))
    }
}

/// The programme, for the binary's list.
pub fn programme() -> Arc<dyn Programme> {
    Arc::new(Devices)
}
