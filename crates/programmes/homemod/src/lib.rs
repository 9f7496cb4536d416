//! Home accessibility modification (无障碍改造, R4.1): a household applies on the service end
//! (or staff apply for it); staff accept it against the eligibility rules (household economic
//! status, once per rule period — parameters), survey the home with items from a catalogue and
//! quote them against each item's price cap, and assign a contractor; the contractor's own
//! account records the works with photos; staff accept the works with the household's
//! confirmation, and the cost, the subsidy and the payment are recorded. The acceptance is the
//! `home_modification` record of `feeds-and-records.md`: indicator 13 counts it at once.
//!
//! A project is the service end's application of the service `home_modification` (its steps
//! are the application's, worked here: [`zhucan_service::rules::ServiceDef::handled_by`]).
//!
//! * [`rules`] — eligibility, survey lines and caps, the subsidy; no HTTP, no SQL.
//! * [`store`] — contractors, items, projects, budgets ([`store::HomemodStore`]); each step is
//!   one transaction with the application's step, the timeline, the audit and the ledger.
//! * [`pages`] — the queue, a project, the contractor's list; [`api`]; [`cli`];
//!   [`section`] — its section of the person file.

#![allow(clippy::result_large_err)]

// Templates name the catalogue by crate (`zhucan_homemod::t`), here too.
extern crate self as zhucan_homemod;
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
pub mod pages;
pub mod rules;
pub mod section;
pub mod store;

/// The programme's traits over the kernel's types.
pub mod prelude {
    pub use crate::store::HomemodStore;
    pub use zhucan_service::prelude::*;
}

/// The programme.
#[derive(Debug, Default)]
pub struct Homemod;

#[derive(OpenApi)]
#[openapi(paths(api::projects))]
struct HomemodApi;

/// The default survey items and parameters, seeded with the programme's tables.
const SEED: Seed = |tx| Box::pin(store::seed_items(tx));

impl Programme for Homemod {
    fn key(&self) -> &'static str {
        "homemod"
    }

    fn migrations(&self) -> Vec<Migration> {
        vec![
            Migration::sql(
                "homemod.0001_projects",
                include_str!("../migrations/0001_projects.sql"),
            )
            .seeded(SEED),
        ]
    }

    fn routes(&self) -> Vec<(&'static str, MethodRouter<AppState>)> {
        vec![
            ("/homemod", get(pages::queue)),
            ("/homemod/apply", post(pages::apply)),
            ("/homemod/budgets", post(pages::set_budget)),
            ("/homemod/export", post(pages::export)),
            ("/homemod/works", get(pages::works)),
            ("/homemod/projects/{id}", get(pages::project)),
            (
                "/homemod/projects/{id}/act",
                post(pages::act).layer(DefaultBodyLimit::max(zhucan_service::UPLOAD_LIMIT)),
            ),
            ("/homemod/projects/{id}/payment", post(pages::payment)),
            ("/homemod/projects/{id}/files/{seq}", get(pages::file)),
            ("/api/v1/homemod/projects", get(api::projects)),
        ]
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![
            NavEntry {
                key: "homemod",
                href: "/homemod",
                zh: "无障碍改造",
                en: "Home modification",
                order: 30,
                shown: pages::WorksProjects::held_by,
            },
            NavEntry {
                key: "homemod_works",
                href: "/homemod/works",
                zh: "我的改造项目",
                en: "My projects",
                order: 30,
                shown: pages::IsContractor::held_by,
            },
        ]
    }

    fn home_tasks(&self) -> Vec<NavEntry> {
        vec![NavEntry {
            key: "homemod",
            order: 30,
            href: "/homemod?stage=open",
            zh: "办理无障碍改造项目",
            en: "Work the home modification projects",
            shown: pages::ActsOnProjects::held_by,
        }]
    }

    fn person_section<'a>(&'a self, ask: SectionAsk<'a>) -> SectionFuture<'a> {
        Box::pin(section::section(ask))
    }

    fn demo<'a>(&'a self, store: &'a zhucan_store::Store) -> DemoFuture<'a> {
        Box::pin(demo::demo(store))
    }

    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        Some(HomemodApi::openapi())
    }

    fn commands(&self) -> Vec<clap::Command> {
        zhucan_web::programme::subcommands_of::<cli::HomemodCommand>()
    }

    fn run<'a>(
        &'a self,
        top: &'a clap::ArgMatches,
        ctx: &'a CliContext,
    ) -> Option<CommandFuture<'a>> {
        let cmd = zhucan_web::programme::command_of::<cli::HomemodCommand>(top)?;
        Some(Box::pin(cli::run_command(cmd, ctx)))
    }
}

/// The programme, for the binary's list.
pub fn programme() -> Arc<dyn Programme> {
    Arc::new(Homemod)
}
