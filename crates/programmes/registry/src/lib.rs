//! The registry desk (一库, 一人一档): the staff's search, the person file with its timeline
//! and certificate history, the audited reveal, registration, life events, the file's edit and
//! the yearly survey form, the roster upload and the area's export, the persons API, and
//! `zhucan import` / `zhucan export`.
//!
//! The registry's data model and storage are the kernel's (`zhucan-domain`, `zhucan-store`):
//! every programme reads person files. This crate is where staff work on them.
//!
//! * [`forms`] — the registry's forms and their parsing.
//! * [`pages`], [`file_edit`] — the search, the file, registration, life events, edits.
//! * [`import`], [`io`], [`export`], [`cli`] — the roster workbook in and out.
//! * [`api`] — `/api/v1/persons`.

#![allow(clippy::result_large_err)]

// Templates name the catalogue by crate (`zhucan_registry::t`), here too.
extern crate self as zhucan_registry;
// The crate's messages in Chinese and English (`messages/*.ftl`): `t`, `tf`, `MESSAGES`.
zhucan_domain::catalogue!();

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodRouter, get, post};
use utoipa::OpenApi;
use zhucan_web::programme::{CliContext, CommandFuture, Extensions, NavEntry};
use zhucan_web::{AppState, Programme};

pub mod api;
pub mod cli;
pub mod export;
pub mod file_edit;
pub mod forms;
pub mod import;
pub mod io;
pub mod pages;

/// The programme.
#[derive(Debug, Default)]
pub struct Registry;

#[derive(OpenApi)]
#[openapi(
    paths(api::persons, api::person),
    components(schemas(api::PersonList, api::PersonListItem))
)]
struct RegistryApi;

impl Programme for Registry {
    fn key(&self) -> &'static str {
        "registry"
    }

    fn routes(&self) -> Vec<(&'static str, MethodRouter<AppState>)> {
        vec![
            ("/persons", get(pages::persons)),
            (
                "/persons/new",
                get(pages::new_person_form).post(pages::new_person),
            ),
            ("/persons/{handle}", get(pages::person)),
            ("/persons/{handle}/reveal", post(pages::reveal)),
            (
                "/persons/{handle}/edit",
                get(file_edit::edit_form).post(file_edit::save_edit),
            ),
            (
                "/persons/{handle}/surveys/{year}",
                get(file_edit::survey_form).post(file_edit::save_survey),
            ),
            (
                "/persons/{handle}/events",
                get(pages::event_form).post(pages::record_event),
            ),
            ("/export", get(io::export_page)),
            ("/export/registry.xlsx", post(io::export_download)),
            (
                "/import",
                get(io::import_form)
                    .post(io::import_upload)
                    .layer(DefaultBodyLimit::max(io::UPLOAD_LIMIT)),
            ),
            ("/import/{job}", get(io::import_job)),
            ("/import/{job}/{file}", get(io::import_report)),
            ("/api/v1/persons", get(api::persons)),
            ("/api/v1/persons/{citizen_id}", get(api::person)),
        ]
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![
            NavEntry {
                key: "persons",
                href: "/persons",
                zh: "人员查询",
                en: "Find a person",
                order: 30,
                shown: |u| u.role.reads_persons(),
            },
            NavEntry {
                key: "new",
                href: "/persons/new",
                zh: "登记新人员",
                en: "Register a person",
                order: 60,
                shown: |u| u.role.writes_persons(),
            },
            NavEntry {
                key: "import",
                href: "/import",
                zh: "导入花名册",
                en: "Import a roster",
                order: 61,
                shown: |u| u.role.writes_persons(),
            },
            NavEntry {
                key: "export",
                href: "/export",
                zh: "花名册导出",
                en: "Export registry",
                order: 62,
                shown: zhucan_web::scope::can_export,
            },
        ]
    }

    fn home_tasks(&self) -> Vec<NavEntry> {
        vec![
            NavEntry {
                key: "persons",
                href: "/persons",
                zh: "查找人员并查看一人一档",
                en: "Find a person and read their file",
                order: 10,
                shown: |u| u.role.reads_persons(),
            },
            NavEntry {
                key: "new",
                href: "/persons/new",
                zh: "登记新持证人员",
                en: "Register a newly certified person",
                order: 50,
                shown: |u| u.role.writes_persons(),
            },
            NavEntry {
                key: "export",
                href: "/export",
                zh: "导出花名册工作簿",
                en: "Export the registry workbook",
                order: 51,
                shown: zhucan_web::scope::can_export,
            },
        ]
    }

    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        Some(RegistryApi::openapi())
    }

    fn install(&self, _state: &AppState, ext: &mut Extensions) {
        ext.insert(io::ImportJobs::default());
    }

    fn commands(&self) -> Vec<clap::Command> {
        zhucan_web::programme::subcommands_of::<cli::RegistryCommand>()
    }

    fn run<'a>(
        &'a self,
        top: &'a clap::ArgMatches,
        ctx: &'a CliContext,
    ) -> Option<CommandFuture<'a>> {
        let cmd = zhucan_web::programme::command_of::<cli::RegistryCommand>(top)?;
        Some(Box::pin(cli::run_command(cmd, ctx)))
    }
}

/// The programme, for the binary's list.
pub fn programme() -> Arc<dyn Programme> {
    Arc::new(Registry)
}
