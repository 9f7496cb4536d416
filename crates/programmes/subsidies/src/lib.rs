//! The two subsidies (两项补贴, `policy.md`): 困难残疾人生活补贴 and 重度残疾人护理补贴 — the
//! rules over typed month facts with a condition-by-condition explanation, the 应补尽补 audit,
//! the cases the system opens itself (1+X) and withdraws when their finding is gone, the monthly
//! payroll with its second-account approval and the corrections of closed months, the policy
//! page with a what-if, the API and `zhucan subsidies`.
//!
//! * [`rules`] — the rules themselves (`decide`, `explain`), no HTTP, no SQL.
//! * [`store`] — allowances, cases, payrolls, payment accounts ([`store::SubsidyStore`]).
//! * [`facts`] — the rules over the registry's facts ([`facts::SubsidyEngine`]) and the
//!   programme's fact layer ([`facts::SubsidyLayer`]: allowances, what closed months paid).
//! * [`cases`] — the case opener (a background job of the service).
//! * [`pages`], [`api`], [`workbooks`], [`cli`] — the pages, the API, the payroll files and
//!   the commands.

#![allow(clippy::result_large_err)]

// Templates name the catalogue by crate (`zhucan_subsidies::t`), here too.
extern crate self as zhucan_subsidies;
// The crate's messages in Chinese and English (`messages/*.ftl`): `t`, `tf`, `MESSAGES`.
zhucan_domain::catalogue!();

use std::sync::Arc;
use std::time::Duration;

use axum::routing::{MethodRouter, get, post};
use utoipa::OpenApi;
use zhucan_store::migrate::Migration;
use zhucan_store::migrate::Seed;
use zhucan_web::programme::{CliContext, CommandFuture, Job, NavEntry};
use zhucan_web::{AppState, Programme};

pub mod api;
pub mod cases;
pub mod cli;
pub mod facts;
pub mod pages;
#[cfg(any(test, feature = "reference"))]
pub mod reference;
pub mod rules;
pub mod store;
pub mod workbooks;

#[cfg(test)]
mod facts_tests;

/// The programme's traits over the kernel's types (the engine on the snapshot, the storage
/// on the store).
pub mod prelude {
    pub use crate::cases::CaseFinder;
    pub use crate::facts::SubsidyEngine;
    pub use crate::store::SubsidyStore;
}

/// The programme.
#[derive(Debug, Default)]
pub struct Subsidies;

#[derive(OpenApi)]
#[openapi(paths(api::audit, api::payroll, api::explain))]
struct SubsidiesApi;

/// `policy.md`'s example parameters for the district, seeded with the programme's tables.
const SEED_PARAMS: Seed =
    |tx| Box::pin(zhucan_store::policy::seed_params(tx, rules::default_params));

impl Programme for Subsidies {
    fn key(&self) -> &'static str {
        "subsidies"
    }

    fn migrations(&self) -> Vec<Migration> {
        vec![
            Migration::sql(
                "subsidies",
                include_str!("../migrations/0006_subsidies.sql"),
            )
            .seeded(SEED_PARAMS),
            Migration::sql(
                "payroll_counter",
                include_str!("../migrations/0008_payroll_counter.sql"),
            ),
        ]
    }

    fn routes(&self) -> Vec<(&'static str, MethodRouter<AppState>)> {
        vec![
            ("/subsidies", get(pages::audit)),
            ("/subsidies/cases", get(pages::cases).post(pages::open_case)),
            ("/subsidies/cases/{id}", get(pages::case)),
            ("/subsidies/cases/{id}/decide", post(pages::decide_case)),
            ("/subsidies/payroll", get(pages::payroll)),
            ("/subsidies/payroll/submit", post(pages::submit_payroll)),
            ("/subsidies/payroll/approve", post(pages::approve_payroll)),
            ("/subsidies/payroll/export", post(pages::export_payroll)),
            (
                "/subsidies/policy",
                get(pages::policy_view).post(pages::policy_change),
            ),
            ("/subsidies/what-if", get(pages::what_if)),
            ("/persons/{handle}/subsidies", get(pages::person)),
            ("/persons/{handle}/benefits", post(pages::add_benefit)),
            ("/persons/{handle}/account", post(pages::set_account)),
            ("/api/v1/subsidies/audit", get(api::audit)),
            ("/api/v1/subsidies/payroll", get(api::payroll)),
            ("/api/v1/persons/{citizen_id}/subsidies", get(api::explain)),
        ]
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![NavEntry {
            key: "subsidies",
            href: "/subsidies",
            zh: "两项补贴",
            en: "Subsidies",
            order: 50,
            shown: |u| u.role.works_subsidies(),
        }]
    }

    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        Some(SubsidiesApi::openapi())
    }

    fn fact_layers(&self) -> Vec<Arc<dyn zhucan_facts::FactLayer>> {
        vec![Arc::new(facts::SubsidyLayer)]
    }

    fn jobs(&self, state: &AppState) -> Vec<Job> {
        // The case opener (1+X): after every change, each month and after a policy change.
        vec![Box::pin(cases::run_every(
            state.store.clone(),
            state.facts.clone(),
            Duration::from_secs(30),
        ))]
    }

    fn commands(&self) -> Vec<clap::Command> {
        zhucan_web::programme::subcommands_of::<cli::SubsidiesCli>()
    }

    fn run<'a>(
        &'a self,
        top: &'a clap::ArgMatches,
        ctx: &'a CliContext,
    ) -> Option<CommandFuture<'a>> {
        let cmd = zhucan_web::programme::command_of::<cli::SubsidiesCli>(top)?;
        Some(Box::pin(cli::run_command(cmd, ctx)))
    }
}

/// The programme, for the binary's list.
pub fn programme() -> Arc<dyn Programme> {
    Arc::new(Subsidies)
}
