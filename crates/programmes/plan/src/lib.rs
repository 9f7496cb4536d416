//! The plan programme (规划): the five-year plan as data, its 14 indicators (专栏1) and the
//! 专栏2–5 targets, computed live over the registry's facts for the district and each township
//! at any date, with the people behind every number; the dashboard, the evaluation report and
//! workbook, the public page, the API and `zhucan indicators`.
//!
//! * [`rules`] — the plan's vocabulary (targets, units, status inputs); no HTTP, no SQL.
//! * [`store`] — the plan, its targets, the progress staff record, the GDP growth
//!   ([`store::PlanStore`]), and the migration of its tables.
//! * [`facts`] — the definitions of `indicators.md` over the facts, in one pass.
//! * [`web`], [`pages`], [`api`], [`charts`], [`evaluation`] — the pages and the API.
//! * [`cli`] — `zhucan indicators`.

#![allow(clippy::result_large_err)]

// Templates name the catalogue by crate (`zhucan_plan::t`), here too.
extern crate self as zhucan_plan;
// The crate's messages in Chinese and English (`messages/*.ftl`): `t`, `tf`, `MESSAGES`.
zhucan_domain::catalogue!();

use std::sync::Arc;

use axum::routing::{MethodRouter, get, post};
use utoipa::OpenApi;
use zhucan_store::migrate::Migration;
use zhucan_web::programme::{CliContext, CommandFuture, Extensions, NavEntry};
use zhucan_web::{AppState, Programme};

pub mod api;
pub mod charts;
pub mod cli;
pub mod evaluation;
pub mod facts;
pub mod pages;
#[cfg(any(test, feature = "reference"))]
pub mod reference;
pub mod rules;
pub mod store;
pub mod web;

#[cfg(test)]
mod facts_tests;

/// The programme's traits over the kernel's types (the engine on the snapshot, the storage
/// on the store).
pub mod prelude {
    pub use crate::facts::IndicatorFacts;
    pub use crate::store::PlanStore;
}

pub use facts::{
    ComputedTarget, Indicator, IndicatorResult, Measured, Members, Part, PlanData, Query, Report,
    Status, Subject, TargetResult,
};
pub use store::{PlanStore, load_plan};

/// The plan programme.
#[derive(Debug, Default)]
pub struct Plan;

#[derive(OpenApi)]
#[openapi(
    paths(api::indicators, api::members),
    components(schemas(api::MembersPage, api::MemberPerson))
)]
struct PlanApi;

impl Programme for Plan {
    fn key(&self) -> &'static str {
        "plan"
    }

    fn migrations(&self) -> Vec<Migration> {
        vec![Migration::sql(
            "plan",
            include_str!("../migrations/0005_plan.sql"),
        )]
    }

    fn routes(&self) -> Vec<(&'static str, MethodRouter<AppState>)> {
        vec![
            ("/indicators", get(pages::dashboard)),
            ("/indicators/report", get(pages::report)),
            ("/indicators/report.xlsx", get(pages::report_xlsx)),
            (
                "/indicators/targets",
                get(pages::targets).post(pages::record_progress),
            ),
            ("/indicators/gdp", get(pages::gdp).post(pages::set_gdp)),
            ("/indicators/{key}/people", get(pages::people)),
            ("/indicators/{key}/people.xlsx", post(pages::people_export)),
            ("/public/indicators", get(pages::public)),
            ("/api/v1/indicators", get(api::indicators)),
            ("/api/v1/indicators/{key}/members", get(api::members)),
        ]
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![NavEntry {
            key: "indicators",
            href: "/indicators",
            zh: "规划指标",
            en: "Plan indicators",
            order: 40,
            shown: |u| u.role.reads_persons(),
        }]
    }

    fn home_tasks(&self) -> Vec<NavEntry> {
        vec![NavEntry {
            key: "indicators",
            href: "/indicators",
            zh: "查看规划 14 项主要指标及分乡镇情况",
            en: "See the plan's 14 indicators, township by township",
            order: 20,
            shown: |u| u.role.reads_persons(),
        }]
    }

    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        Some(PlanApi::openapi())
    }

    fn error_codes(&self) -> &'static [&'static zhucan_web::error::ErrorCode] {
        api::ERROR_CODES
    }

    fn install(&self, _state: &AppState, ext: &mut Extensions) {
        ext.insert(web::TrendCache::default());
    }

    fn commands(&self) -> Vec<clap::Command> {
        zhucan_web::programme::subcommands_of::<cli::PlanCommand>()
    }

    fn run<'a>(
        &'a self,
        top: &'a clap::ArgMatches,
        ctx: &'a CliContext,
    ) -> Option<CommandFuture<'a>> {
        let cmd = zhucan_web::programme::command_of::<cli::PlanCommand>(top)?;
        Some(Box::pin(cli::run_command(cmd, ctx)))
    }
}

/// The programme, for the binary's list.
pub fn programme() -> Arc<dyn Programme> {
    Arc::new(Plan)
}
