//! The electronic certificate (电子证照, 事情码上办): a short-lived Ed25519-signed token of a
//! person's certificate in a QR code, the staff's card, and the public verification page and
//! API, which read the live registry every time.
//!
//! * [`token`] — the key, the token, issuing and verifying, the QR code, the card's view.
//! * [`pages`] — the public `/verify/{token}` page and API, the staff's card page.

#![allow(clippy::result_large_err)]

// Templates name the catalogue by crate (`zhucan_ecert::t`), here too.
extern crate self as zhucan_ecert;
// The crate's messages in Chinese and English (`messages/*.ftl`): `t`, `tf`, `MESSAGES`.
zhucan_domain::catalogue!();

use std::sync::Arc;

use axum::routing::{MethodRouter, get};
use utoipa::OpenApi;
use zhucan_web::programme::Extensions;
use zhucan_web::{AppState, Programme};

pub mod pages;
pub mod token;

/// The programme.
#[derive(Debug, Default)]
pub struct Ecert;

#[derive(OpenApi)]
#[openapi(
    paths(pages::verify_api),
    components(schemas(pages::VerifyResponse, token::CertificateToken))
)]
struct EcertApi;

impl Programme for Ecert {
    fn key(&self) -> &'static str {
        "ecert"
    }

    fn routes(&self) -> Vec<(&'static str, MethodRouter<AppState>)> {
        vec![
            ("/persons/{handle}/certificate", get(pages::staff_card)),
            ("/verify/{token}", get(pages::verify_page)),
            ("/api/v1/verify/{token}", get(pages::verify_api)),
        ]
    }

    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        Some(EcertApi::openapi())
    }

    fn install(&self, state: &AppState, ext: &mut Extensions) {
        ext.insert(token::EcertState::from_config(&state.config));
    }
}

/// The programme, for the binary's list.
pub fn programme() -> Arc<dyn Programme> {
    Arc::new(Ecert)
}
