//! Every operation of every vendor through the generated, typed clients, against a local mock
//! that verifies auth as each vendor documents it (see `tests/support/mock.rs`). One test
//! binary, one module per vendor.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../support/mock.rs"]
mod mock;

mod onekey;
mod paywall;
mod rio;
mod westminister;
mod xpays;
