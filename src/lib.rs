//! payspec: typed Rust clients for payment and crypto-payment vendors, generated at build
//! time from each vendor's OpenAPI description in `specs/<vendor>/`, with the auth and
//! signing that the descriptions leave out added by [`payspec_runtime`] at request time.
//!
//! Each vendor is a module (`payspec::rio`, `payspec::onekey`, …) with a progenitor client:
//!
//! ```no_run
//! # async fn cancel() -> Result<(), payspec::Error> {
//! // Credentials from PAYSPEC_ONEKEY_LOGIN, PAYSPEC_ONEKEY_PASS, PAYSPEC_ONEKEY_SECRET.
//! let client = payspec::onekey::Client::from_env()?;
//! let cancelled = client
//!     .cancel_cashout()
//!     .body(payspec::onekey::types::CancelCashoutBody { cashout_id: 11954, external_id: "cashoutID2134".into() })
//!     .send()
//!     .await?;
//! println!("new status: {:?}", cancelled.cashout_status);
//! # Ok(()) }
//! ```
//!
//! The generated source of a vendor is `$OUT_DIR/<vendor>.rs` (cargo prints OUT_DIR with
//! `cargo build -vv`); `payspec generate --out DIR` writes the same files for reading.

pub use payspec_runtime::{
    ConfigError, Credentials, Error, IDEMPOTENCY_KEY_HEADER, RetryPolicy, Settings, Stage,
    Timeouts, TransportError, VendorError,
};

include!(concat!(env!("OUT_DIR"), "/vendors.rs"));

/// The compiled vendor of this name, if any.
pub fn vendor(name: &str) -> Option<&'static payspec_runtime::VendorEntry> {
    VENDORS.iter().copied().find(|v| v.name == name)
}

/// The README's Rust snippets, compiled by `cargo test --doc` so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeSnippets;
