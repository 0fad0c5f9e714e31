//! payspec-runtime: what a generated payspec client does at request time that its OpenAPI
//! spec cannot say. It reads the vendor's profile (from `vendor.yaml`, embedded at build
//! time) and, inside progenitor's request hooks, adds credentials to headers and bodies,
//! timestamps and HMAC signatures over the exact bytes sent, and turns failures into typed
//! errors with the HTTP status and the vendor's own code and message.
//!
//! Nothing here knows a particular vendor.

pub mod call;
pub mod callback;
pub mod cancel;
mod credentials;
mod error;
pub mod nullable;
mod runtime;
mod settings;
pub mod signing;
mod token;

pub use call::{CallRequest, OperationMeta, ParamMeta, VendorEntry};
pub use credentials::{Credentials, demo_credential};
pub use error::{ConfigError, Error, ResponseProblem, VendorError};
pub use payspec_profile as profile;
pub use payspec_profile::UnifiedStatus;
pub use runtime::Runtime;
pub use settings::{RetryPolicy, Settings, Timeouts};
