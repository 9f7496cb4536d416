//! Care and institutions (托养庇护, R2.6): the institutions of every kind with their dated
//! decisions — standardisation (规范化), designation (定点), operator, capacity, opening and
//! closing — so the indicators read each institution as it stood on their reference date;
//! care stays (居家、日间、寄宿托养) at an institution, each the person's `care` fact of the
//! ledger (the nursing subsidy's residential supplement and the person's care values follow
//! from it at once); the institution account's own residents.
//!
//! * [`rules`] — the modes of care, a posted decision's value, a stay's days; no HTTP, no SQL.
//! * [`store`] — the stays ([`store::CareStore`]); each write one transaction with the
//!   ledger, the timeline, the change counter and the audit. The decisions are the kernel's
//!   (`zhucan_store::institutions`), beside the directory the indicators read.
//! * [`pages`] — the institutions at a date, one institution, the institution's residents;
//!   [`api`]; [`section`] — its section of the person file.

#![allow(clippy::result_large_err)]

// Templates name the catalogue by crate (`zhucan_care::t`), here too.
extern crate self as zhucan_care;
// The crate's messages in Chinese and English (`messages/*.ftl`): `t`, `tf`, `MESSAGES`.
zhucan_domain::catalogue!();

use std::sync::Arc;

use axum::routing::{MethodRouter, get, post};
use utoipa::OpenApi;
use zhucan_store::migrate::Migration;
use zhucan_web::programme::{DemoFuture, NavEntry, SectionAsk, SectionFuture};
use zhucan_web::usecase::Right;
use zhucan_web::{AppState, Programme};

pub mod api;
pub mod demo;
pub mod pages;
pub mod rules;
pub mod section;
pub mod store;

/// The programme's traits over the kernel's types.
pub mod prelude {
    pub use crate::store::CareStore;
}

/// The programme.
#[derive(Debug, Default)]
pub struct Care;

#[derive(OpenApi)]
#[openapi(paths(api::institutions))]
struct CareApi;

impl Programme for Care {
    fn key(&self) -> &'static str {
        "care"
    }

    fn migrations(&self) -> Vec<Migration> {
        vec![Migration::sql(
            "care.0001_stays",
            include_str!("../migrations/0001_stays.sql"),
        )]
    }

    fn routes(&self) -> Vec<(&'static str, MethodRouter<AppState>)> {
        vec![
            ("/care", get(pages::overview)),
            ("/care/institution", get(pages::institution)),
            ("/care/institution/decide", post(pages::decide)),
            ("/care/institution/admit", post(pages::admit)),
            ("/care/stays/end", post(pages::end)),
            ("/care/residents", get(pages::residents)),
            ("/api/v1/care/institutions", get(api::institutions)),
        ]
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![
            NavEntry {
                key: "care",
                href: "/care",
                zh: "托养与机构",
                en: "Care and institutions",
                order: 35,
                shown: pages::WorksCare::held_by,
            },
            NavEntry {
                key: "care_residents",
                href: "/care/residents",
                zh: "本机构托养对象",
                en: "Our residents",
                order: 35,
                shown: pages::IsInstitution::held_by,
            },
        ]
    }

    fn person_section<'a>(&'a self, ask: SectionAsk<'a>) -> SectionFuture<'a> {
        Box::pin(section::section(ask))
    }

    fn demo<'a>(&'a self, store: &'a zhucan_store::Store) -> DemoFuture<'a> {
        Box::pin(demo::demo(store))
    }

    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        Some(CareApi::openapi())
    }
}

/// The programme, for the binary's list.
pub fn programme() -> Arc<dyn Programme> {
    Arc::new(Care)
}
