//! The zhucan domain (助残 — the digital Disabled Persons' Federation).
//!
//! This crate holds the vocabulary of the registry — identifiers, areas, persons, certificates,
//! survey rows and the life-cycle timeline — as parse-don't-validate types. It knows nothing of
//! HTTP, SQL or spreadsheets: those live in `zhucan-web`, `zhucan-store` and `zhucan-workbook`.
//!
//! Every error a user can cause carries a message in Chinese and English ([`Lang`]).

pub mod access;
pub mod area;
pub mod disability;
pub mod ids;
pub mod institution;
pub mod lang;
pub mod parse;
pub mod person;
pub mod plan;
pub mod policy;
pub mod service;
pub mod subsidy;
pub mod timeline;

pub use area::{AreaCode, AreaLevel};
pub use disability::{Category, Grade};
pub use ids::{CertificateNo, CitizenId, IdError, Sex};
pub use lang::{Lang, Localized};
pub use parse::Month;
