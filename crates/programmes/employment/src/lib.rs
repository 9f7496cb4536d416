//! Employment (残疾人就业, R3.5): the employers' annual quota review (按比例就业年审) —
//! which declared disabled employees count and why not, the quota, the shortfall, the levy
//! (残疾人就业保障金) with the reductions in force and the small-employer exemption, and the
//! over-quota reward — every amount and threshold a versioned policy parameter.
//!
//! * [`rules`] — the review; no HTTP, no SQL.
//! * [`review`] — the review over the store and the registry (a file's or a stored one).
//! * [`store`] — employers, declarations, decisions ([`store::EmploymentStore`]); a
//!   confirmation writes the counted employees' `employment` facts to the ledger.
//! * [`pages`] — the year's declarations and their import, an employer's review (confirm,
//!   contest), the employer's own page, the public list (公示); [`api`].
//! * [`matching`] — job matching (人岗匹配): whether a vacancy suits a job seeker and why, the
//!   order of the offers; no HTTP, no SQL. [`jobs`] — registrations, vacancies, referrals
//!   ([`jobs::JobsStore`]); a placement writes the person's `employment` fact.
//! * [`jobs_pages`] — the area's job seekers (indicator 9's gap), a seeker's offers and
//!   referrals, the vacancies, a referral's outcome; [`me`] — the service end's `/me/jobs`.
//! * [`households`] — zero-employment households (零就业家庭), found from the registry and the
//!   facts, and their follow-up ([`households::HouseholdStore`]); [`household_pages`].
//! * [`training`] — courses and trainees (专栏3-7, 200 person-times a year), kept in step
//!   with the plan's target ([`training::TrainingStore`]); [`training_pages`].
//! * [`massage`] — blind massage practitioners (专栏3-5), the medical ones kept in step with
//!   the plan's target ([`massage::MassageStore`]); [`massage_pages`].
//! * [`cli`] — `zhucan employment review` (`contract.md`), `import`, `bind`.
//!
//! The declaration workbook is read by `zhucan_workbook::declaration`.

#![allow(clippy::result_large_err)]

// Templates name the catalogue by crate (`zhucan_employment::t`), here too.
extern crate self as zhucan_employment;
// The crate's messages in Chinese and English (`messages/*.ftl`): `t`, `tf`, `MESSAGES`.
zhucan_domain::catalogue!();

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodRouter, get, post};
use utoipa::OpenApi;
use zhucan_store::migrate::{Migration, Seed};
use zhucan_web::programme::{CliContext, CommandFuture, DemoFuture, NavEntry};
use zhucan_web::usecase::Right;
use zhucan_web::{AppState, Programme};

pub mod api;
pub mod cli;
pub mod declare_pages;
pub mod demo;
pub mod export;
pub mod household_pages;
pub mod households;
pub mod jobs;
pub mod jobs_pages;
pub mod massage;
pub mod massage_pages;
pub mod matching;
pub mod me;
pub mod pages;
pub mod placement_pages;
pub mod placements;
pub mod review;
pub mod rules;
pub mod store;
pub mod training;
pub mod training_pages;

/// The programme's traits over the kernel's types.
pub mod prelude {
    pub use crate::households::HouseholdStore;
    pub use crate::jobs::JobsStore;
    pub use crate::massage::MassageStore;
    pub use crate::store::EmploymentStore;
    pub use crate::training::TrainingStore;
}

#[derive(OpenApi)]
#[openapi(paths(api::reviews, api::vacancies, api::matches))]
struct EmploymentApi;

/// The largest declaration workbook taken (20 000 employers' lines fit well under it).
const UPLOAD_LIMIT: usize = 16 * 1024 * 1024;

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
            Migration::sql(
                "employment.0002_reviews",
                include_str!("../migrations/0002_reviews.sql"),
            ),
            Migration::sql(
                "employment.0003_matching",
                include_str!("../migrations/0003_matching.sql"),
            ),
            Migration::sql(
                "employment.0004_households",
                include_str!("../migrations/0004_households.sql"),
            ),
            Migration::sql(
                "employment.0005_training",
                include_str!("../migrations/0005_training.sql"),
            ),
            Migration::sql(
                "employment.0006_massage",
                include_str!("../migrations/0006_massage.sql"),
            ),
            Migration::sql(
                "employment.0007_placements",
                include_str!("../migrations/0007_placements.sql"),
            ),
        ]
    }

    fn routes(&self) -> Vec<(&'static str, MethodRouter<AppState>)> {
        vec![
            ("/employment", get(pages::overview)),
            (
                "/employment/import",
                post(pages::import).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
            ),
            ("/employment/review.xlsx", get(pages::review_xlsx)),
            ("/employment/employers/{uscc}", get(pages::review)),
            ("/employment/employers/{uscc}/confirm", post(pages::confirm)),
            ("/employment/employers/{uscc}/contest", post(pages::contest)),
            ("/employment/employers/{uscc}/profile", post(pages::profile)),
            ("/employment/employer", get(pages::own)),
            (
                "/employment/declare",
                get(declare_pages::declare).post(declare_pages::save),
            ),
            (
                "/employment/employer/import",
                post(pages::own_import).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
            ),
            ("/public/employment", get(pages::public)),
            ("/employment/seekers", get(jobs_pages::seekers)),
            (
                "/employment/seekers/{handle}",
                get(jobs_pages::seeker).post(jobs_pages::register),
            ),
            (
                "/employment/seekers/{handle}/refer",
                post(jobs_pages::refer),
            ),
            (
                "/employment/vacancies",
                get(jobs_pages::vacancies).post(jobs_pages::post_vacancy),
            ),
            (
                "/employment/vacancies/{id}",
                get(jobs_pages::vacancy).post(jobs_pages::update_vacancy),
            ),
            (
                "/employment/referrals/{id}/outcome",
                post(jobs_pages::outcome),
            ),
            ("/employment/households", get(household_pages::households)),
            (
                "/employment/households/followup",
                post(household_pages::followup),
            ),
            (
                "/employment/training",
                get(training_pages::training).post(training_pages::add_course),
            ),
            ("/employment/training/{id}", get(training_pages::course)),
            (
                "/employment/training/{id}/trainees",
                post(training_pages::add_trainee),
            ),
            (
                "/employment/training/{id}/completion",
                post(training_pages::completion),
            ),
            (
                "/employment/massage",
                get(massage_pages::massage).post(massage_pages::add),
            ),
            ("/employment/massage/end", post(massage_pages::end)),
            (
                "/employment/placements",
                get(placement_pages::placements).post(placement_pages::add),
            ),
            ("/employment/placements/end", post(placement_pages::end)),
            ("/me/jobs", get(me::jobs).post(me::register)),
            ("/me/jobs/interest", post(me::interest)),
            ("/api/v1/employment/reviews", get(api::reviews)),
            ("/api/v1/employment/vacancies", get(api::vacancies)),
            (
                "/api/v1/employment/seekers/{handle}/matches",
                get(api::matches),
            ),
        ]
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![
            NavEntry {
                key: "employment",
                href: "/employment",
                zh: "按比例就业年审",
                en: "Employment quota review",
                order: 32,
                shown: pages::SeesEmployment::held_by,
            },
            NavEntry {
                key: "employment_employer",
                href: "/employment/employer",
                zh: "本单位就业申报",
                en: "Our declarations",
                order: 32,
                shown: pages::IsEmployer::held_by,
            },
            NavEntry {
                key: "employment_seekers",
                href: "/employment/seekers",
                zh: "人岗匹配",
                en: "Job matching",
                order: 33,
                shown: jobs_pages::WorksJobs::held_by,
            },
            NavEntry {
                key: "employment_vacancies",
                href: "/employment/vacancies",
                zh: "就业岗位",
                en: "Vacancies",
                order: 33,
                shown: pages::IsEmployer::held_by,
            },
            NavEntry {
                key: "me_jobs",
                href: "/me/jobs",
                zh: "找工作",
                en: "Find a job",
                order: 15,
                shown: |u| u.role == zhucan_domain::access::Role::Citizen,
            },
        ]
    }

    fn demo<'a>(&'a self, store: &'a zhucan_store::Store) -> DemoFuture<'a> {
        Box::pin(demo::demo(store))
    }

    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        Some(EmploymentApi::openapi())
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
