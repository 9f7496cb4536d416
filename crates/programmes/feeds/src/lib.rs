//! The data exchange (涉残数据互联共享, R1.4): partner departments' feeds (civil affairs, public
//! security, insurance, employment, health, education) and the programme records institutions
//! send (rehabilitation, devices, home modification, events), as `feeds-and-records.md`
//! defines them. Every accepted row goes to the kernel's facts ledger with its source and
//! date, so the indicators, the subsidy audit and payroll and the person file see it at the
//! next computation.
//!
//! * [`run`] — one run: who may send what, reading, matching, applying batch by batch, the
//!   report.
//! * [`store`] — runs, unmatched rows, partner departments.
//! * [`cli`] — `zhucan feed import`, `zhucan records import`.
//! * [`api`] — `POST /api/v1/feeds/{kind}`, `POST /api/v1/records/{kind}`, the runs.
//! * [`pages`] — the runs, the upload, a run's page, partner departments.

#![allow(clippy::result_large_err)]

// Templates name the catalogue by crate (`zhucan_feeds::t`), here too.
extern crate self as zhucan_feeds;
// The crate's messages in Chinese and English (`messages/*.ftl`): `t`, `tf`, `MESSAGES`.
zhucan_domain::catalogue!();

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodRouter, get, post};
use utoipa::OpenApi;
use zhucan_store::migrate::Migration;
use zhucan_web::programme::{CliContext, CommandFuture, NavEntry};
use zhucan_web::{AppState, Programme};

pub mod api;
pub mod cli;
pub mod pages;
pub mod run;
pub mod store;

pub mod prelude {
    pub use crate::store::FeedsStore;
}

/// The programme.
#[derive(Debug, Default)]
pub struct Feeds;

#[derive(OpenApi)]
#[openapi(paths(api::push_feed, api::push_records, api::runs, api::run))]
struct FeedsApi;

impl Programme for Feeds {
    fn key(&self) -> &'static str {
        "feeds"
    }

    fn migrations(&self) -> Vec<Migration> {
        vec![Migration::sql(
            "feeds.0001_runs",
            include_str!("../migrations/0001_runs.sql"),
        )]
    }

    fn routes(&self) -> Vec<(&'static str, MethodRouter<AppState>)> {
        vec![
            ("/feeds", get(pages::feeds)),
            (
                "/feeds/upload",
                post(pages::upload).layer(DefaultBodyLimit::max(pages::UPLOAD_LIMIT + 64 * 1024)),
            ),
            ("/feeds/runs/{id}", get(pages::run)),
            ("/feeds/runs/{id}/report.json", get(pages::report_json)),
            ("/feeds/runs/{id}/resolve", post(pages::resolve)),
            (
                "/feeds/partners",
                get(pages::partners).post(pages::set_partner),
            ),
            (
                "/api/v1/feeds/{kind}",
                post(api::push_feed).layer(DefaultBodyLimit::max(pages::UPLOAD_LIMIT)),
            ),
            (
                "/api/v1/records/{kind}",
                post(api::push_records).layer(DefaultBodyLimit::max(pages::UPLOAD_LIMIT)),
            ),
            ("/api/v1/feeds/runs", get(api::runs)),
            ("/api/v1/feeds/runs/{id}", get(api::run)),
        ]
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![NavEntry {
            key: "feeds",
            href: "/feeds",
            zh: "数据交换",
            en: "Data exchange",
            order: 60,
            shown: |u| <pages::SeesRuns as zhucan_web::usecase::Right>::held_by(u),
        }]
    }

    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        Some(FeedsApi::openapi())
    }

    fn error_codes(&self) -> &'static [&'static zhucan_web::error::ErrorCode] {
        api::ERROR_CODES
    }

    fn commands(&self) -> Vec<clap::Command> {
        zhucan_web::programme::subcommands_of::<cli::FeedsCommand>()
    }

    fn run<'a>(
        &'a self,
        top: &'a clap::ArgMatches,
        ctx: &'a CliContext,
    ) -> Option<CommandFuture<'a>> {
        let cmd = zhucan_web::programme::command_of::<cli::FeedsCommand>(top)?;
        Some(Box::pin(cli::run_command(cmd, ctx)))
    }
}

/// The programme, for the binary's list.
pub fn programme() -> Arc<dyn Programme> {
    Arc::new(Feeds)
}
