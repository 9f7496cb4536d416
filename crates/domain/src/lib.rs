//! The zhucan domain (助残 — the digital Disabled Persons' Federation).
//!
//! This crate holds the vocabulary every programme shares — identifiers, areas, persons,
//! certificates and their history, survey rows, the life-cycle timeline, roles, versioned policy
//! parameters, exact ratios — as parse-don't-validate types. It knows nothing of HTTP, SQL or
//! spreadsheets: those live in `zhucan-web`, `zhucan-store` and `zhucan-workbook`. A programme's
//! own rules live in its crate (`crates/programmes/*/src/rules.rs`).
//!
//! Every error a user can cause carries a message in Chinese and English ([`Lang`]).

// The crate's messages in Chinese and English (`messages/*.ftl`): `t`, `tf`, `MESSAGES`.
crate::catalogue!();

pub mod access;
pub mod area;
pub mod disability;
pub mod ids;
pub mod institution;
pub mod lang;
pub mod ledger;
pub mod messages;
pub mod parse;
pub mod person;
pub mod policy;
pub mod ratio;
pub mod timeline;
pub mod uscc;
pub mod workflow;

pub use area::{AreaCode, AreaLevel};
pub use disability::{Category, Grade};
pub use ids::{CertificateNo, CitizenId, IdError, Sex};
pub use lang::{Lang, Localized};
pub use parse::Month;
