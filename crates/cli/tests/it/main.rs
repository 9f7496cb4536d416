//! The one integration-test binary: every test gets a fresh database (SQLite file, or a new
//! PostgreSQL database when `ZHUCAN_TEST_POSTGRES_URL` is set) and, where it needs one, a
//! server on port 0.

mod support;

mod access;
mod authz;
mod browser;
mod cli;
mod ecert;
mod file_edit;
mod http;
mod indicators;
mod service_end;
mod store_contract;
mod subsidies;
