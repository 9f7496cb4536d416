//! Rehabilitation (康复, R3.2): the district designates rehabilitation institutions (定点:
//! an admission agreement with a capacity, and a dynamic exit); staff place a child (0–17)
//! at one for a child rehabilitation service; the institution's own account (or staff) records
//! the month's sessions; the district settles each institution's month at the rehabilitation
//! subsidy per child and month (a policy parameter). Adults' basic rehabilitation (community
//! and home guidance, mental-health rehabilitation) is recorded by staff by service type.
//! Every record is the `rehab_service` record of `feeds-and-records.md`: indicator 11 counts
//! it at once.
//!
//! * [`rules`] — the services, the placement rule, months, the settlement; no HTTP, no SQL.
//! * [`store`] — designations, placements, records, settlements ([`store::RehabStore`]);
//!   each change is one transaction with the timeline, the audit and the ledger.
//! * [`section`] — its section of the person's file and of the service end's own file.
//! * [`pages`] — the staff page, a placement, the institution's page, the settlements;
//!   [`import`] — the institution's monthly workbook; [`api`]; [`cli`].

#![allow(clippy::result_large_err)]

// Templates name the catalogue by crate (`zhucan_rehab::t`), here too.
extern crate self as zhucan_rehab;
// The crate's messages in Chinese and English (`messages/*.ftl`): `t`, `tf`, `MESSAGES`.
zhucan_domain::catalogue!();

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodRouter, get, post};
use utoipa::OpenApi;
use zhucan_store::migrate::{Migration, Seed};
use zhucan_web::programme::{
    CliContext, CommandFuture, DemoFuture, NavEntry, SectionAsk, SectionFuture,
};
use zhucan_web::usecase::Right;
use zhucan_web::{AppState, Programme};

pub mod api;
pub mod cli;
pub mod demo;
pub mod import;
pub mod pages;
pub mod rules;
pub mod section;
pub mod store;

/// The programme's traits over the kernel's types.
pub mod prelude {
    pub use crate::store::RehabStore;
    pub use zhucan_service::prelude::*;
}

/// The programme.
#[derive(Debug, Default)]
pub struct Rehab;

#[derive(OpenApi)]
#[openapi(paths(api::records))]
struct RehabApi;

/// The parameters, seeded with the programme's tables.
const SEED: Seed = |tx| Box::pin(store::seed(tx));

impl Programme for Rehab {
    fn key(&self) -> &'static str {
        "rehab"
    }

    fn migrations(&self) -> Vec<Migration> {
        vec![
            Migration::sql(
                "rehab.0001_rehab",
                include_str!("../migrations/0001_rehab.sql"),
            )
            .seeded(SEED),
        ]
    }

    fn routes(&self) -> Vec<(&'static str, MethodRouter<AppState>)> {
        vec![
            ("/rehab", get(pages::overview)),
            ("/rehab/placements", post(pages::place)),
            ("/rehab/records", post(pages::record_adult)),
            ("/rehab/export", post(pages::export_area)),
            ("/rehab/placements/{id}", get(pages::placement)),
            ("/rehab/placements/{id}/records", post(pages::record_child)),
            ("/rehab/placements/{id}/end", post(pages::end)),
            ("/rehab/institution", get(import::institution)),
            (
                "/rehab/institution/import",
                post(import::import).layer(DefaultBodyLimit::max(zhucan_service::UPLOAD_LIMIT)),
            ),
            (
                "/rehab/settlements",
                get(pages::settlements).post(pages::settle),
            ),
            ("/rehab/designations", post(pages::designate)),
            ("/rehab/settlements/export", post(pages::export)),
            ("/api/v1/rehab/records", get(api::records)),
        ]
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![
            NavEntry {
                key: "rehab",
                href: "/rehab",
                zh: "康复服务",
                en: "Rehabilitation",
                order: 25,
                shown: pages::SeesRehab::held_by,
            },
            NavEntry {
                key: "rehab_institution",
                href: "/rehab/institution",
                zh: "本机构康复儿童",
                en: "Our children",
                order: 25,
                shown: pages::IsInstitution::held_by,
            },
        ]
    }

    fn home_tasks(&self) -> Vec<NavEntry> {
        vec![
            NavEntry {
                key: "rehab",
                order: 25,
                href: "/rehab",
                zh: "安置康复儿童、登记康复服务",
                en: "Place children and record rehabilitation",
                shown: pages::RecordsRehab::held_by,
            },
            NavEntry {
                key: "rehab_settlements",
                order: 26,
                href: "/rehab/settlements",
                zh: "定点康复机构与月度结算",
                en: "Designated institutions and monthly settlements",
                shown: pages::Designates::held_by,
            },
        ]
    }

    fn person_section<'a>(&'a self, ask: SectionAsk<'a>) -> SectionFuture<'a> {
        Box::pin(section::section(ask))
    }

    fn demo<'a>(&'a self, store: &'a zhucan_store::Store) -> DemoFuture<'a> {
        Box::pin(demo::demo(store))
    }

    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        Some(RehabApi::openapi())
    }

    fn commands(&self) -> Vec<clap::Command> {
        zhucan_web::programme::subcommands_of::<cli::RehabCommand>()
    }

    fn run<'a>(
        &'a self,
        top: &'a clap::ArgMatches,
        ctx: &'a CliContext,
    ) -> Option<CommandFuture<'a>> {
        let cmd = zhucan_web::programme::command_of::<cli::RehabCommand>(top)?;
        Some(Box::pin(cli::run_command(cmd, ctx)))
    }
}

/// The programme, for the binary's list.
pub fn programme() -> Arc<dyn Programme> {
    Arc::new(Rehab)
}
