//! Employment (残疾人就业, R3.5): the employers' annual quota review (按比例就业年审) —
//! which declared disabled employees count and why not, the quota, the shortfall, the levy
//! (残疾人就业保障金) with the reductions in force and the small-employer exemption, and the
//! over-quota reward — every amount and threshold a versioned policy parameter.
//!
//! * [`rules`] — the review; no HTTP, no SQL.
//! * [`cli`] — `zhucan employment review` (`contract.md`).
//!
//! The declaration workbook is read by `zhucan_workbook::declaration`.

// The crate's messages in Chinese and English (`messages/*.ftl`): `t`, `tf`, `MESSAGES`.
zhucan_domain::catalogue!();

use std::sync::Arc;

use zhucan_store::migrate::{Migration, Seed};
use zhucan_web::Programme;
use zhucan_web::programme::{CliContext, CommandFuture};

pub mod cli;
pub mod rules;

/// The programme.
#[derive(Debug, Default)]
pub struct Employment;

/// The default parameters, seeded for the district.
const SEED: Seed = |tx| {
    Box::pin(zhucan_store::policy::seed_params(
        tx,
        crate::rules::default_params,
    ))
};

impl Programme for Employment {
    fn key(&self) -> &'static str {
        "employment"
    }

    fn migrations(&self) -> Vec<Migration> {
        vec![
            Migration::sql(
                "employment.0001_params",
                include_str!("../migrations/0001_params.sql"),
            )
            .seeded(SEED),
        ]
    }

    fn commands(&self) -> Vec<clap::Command> {
        zhucan_web::programme::subcommands_of::<cli::EmploymentCommand>()
    }

    fn run<'a>(
        &'a self,
        top: &'a clap::ArgMatches,
        ctx: &'a CliContext,
    ) -> Option<CommandFuture<'a>> {
        let cmd = zhucan_web::programme::command_of::<cli::EmploymentCommand>(top)?;
        Some(Box::pin(cli::run_command(cmd, ctx)))
    }
}

/// The programme, for the binary's list.
pub fn programme() -> Arc<dyn Programme> {
    Arc::new(Employment)
}
