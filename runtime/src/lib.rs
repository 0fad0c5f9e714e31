//! payspec-runtime: what a generated payspec client does at request time that its OpenAPI
//! spec cannot say. It applies the vendor's profile (from `vendor.yaml`, embedded at build
//! time, interpreted by `payspec_profile`) to every request, in named phases (see
//! [`pipeline`](crate::Runtime::send)): credentials into headers and bodies, tokens obtained
//! and refreshed, timestamps and HMAC signatures over the exact bytes sent, retries within
//! budgets, redirects refused or kept on the vendor's origin, and failures turned into typed
//! errors that say how far the call got, scrubbed of every secret the client holds.
//!
//! Nothing here knows a particular vendor.

pub mod call;
pub mod callback;
pub mod cancel;
mod client;
mod credentials;
mod endpoint;
mod error;
pub mod fetch;
pub mod form;
mod identity;
mod json_text;
pub mod multipart;
pub mod nullable;
pub mod paginate;
mod pipeline;
mod scrub;
pub mod setter;
mod settings;
mod tokens;
pub mod untagged;
pub mod untyped;

pub use call::{CallOutcome, CallRequest, OperationMeta, ParamMeta, VendorEntry};
pub use callback::CallbackError;
pub use cancel::{Cancel, CancelOutcome, CancelReference};
pub use client::Runtime;
pub use credentials::{Credentials, demo_credential};
pub use error::{
    ConfigError, Error, RedirectError, Stage, TransportError, TransportKind, VendorError,
};
pub use paginate::{Items, Page, Pages};
pub use payspec_profile as profile;
pub use payspec_profile::UnifiedStatus;
pub use pipeline::{Answer, IDEMPOTENCY_KEY_HEADER};
pub use scrub::REDACTED;
pub use settings::{HttpConfig, RetryPolicy, Settings, Timeouts};

/// What generated code refers to, so that a crate using payspec depends on `payspec-runtime`
/// alone.
#[doc(hidden)]
pub mod deps {
    pub use chrono;
    pub use progenitor_client;
    pub use regress;
    pub use reqwest;
    pub use serde;
    pub use serde_json;
    pub use uuid;
}

/// Declares the modules `build.rs` generated with `payspec_codegen::Builder` (one per vendor,
/// and the registry `VENDORS`): put `payspec_runtime::include_vendors!();` in `src/lib.rs`.
#[macro_export]
macro_rules! include_vendors {
    () => {
        include!(concat!(env!("OUT_DIR"), "/vendors.rs"));
    };
}
