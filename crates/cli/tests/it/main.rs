//! The one integration-test binary: every test gets a fresh database (SQLite file, or a new
//! PostgreSQL database when `ZHUCAN_TEST_POSTGRES_URL` is set) and, where it needs one, a
//! server on port 0.
//!
//! Kernel tests live here; each programme keeps its own tests in
//! `crates/programmes/<programme>/tests/` and they are compiled into this one binary (one link,
//! one process per test under nextest).

// Tests read any file directly to check what the service shows (`Reach::system`).
#![allow(clippy::disallowed_methods)]

mod support;

mod authz;
mod browser;
mod cli;
mod http;
mod messages;
mod store_contract;

#[path = "../../../programmes/access/tests/access.rs"]
mod access;
#[path = "../../../programmes/care/tests/care.rs"]
mod care;
#[path = "../../../programmes/devices/tests/devices.rs"]
mod devices;
#[path = "../../../programmes/ecert/tests/ecert.rs"]
mod ecert;
#[path = "../../../programmes/employment/tests/employment.rs"]
mod employment;
#[path = "../../../programmes/employment/tests/declare.rs"]
mod employment_declare;
#[path = "../../../programmes/employment/tests/matching.rs"]
mod employment_matching;
#[path = "../../../programmes/feeds/tests/feeds.rs"]
mod feeds;
#[path = "../../../programmes/registry/tests/file_edit.rs"]
mod file_edit;
#[path = "../../../programmes/homemod/tests/homemod.rs"]
mod homemod;
#[path = "../../../programmes/registry/tests/import.rs"]
mod import;
#[path = "../../../programmes/plan/tests/indicators.rs"]
mod indicators;
#[path = "../../../programmes/rehab/tests/rehab.rs"]
mod rehab;
#[path = "../../../programmes/service/tests/service_end.rs"]
mod service_end;
#[path = "../../../programmes/subsidies/tests/subsidies.rs"]
mod subsidies;
