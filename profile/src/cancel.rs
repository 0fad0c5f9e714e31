//! The `cancel:` section of `vendor.yaml`: how one unified "cancel this" maps onto the vendor's
//! own cancel operation, and how its answers map onto one set of outcomes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The outcome of a cancellation, the same for every vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnifiedStatus {
    /// Cancelled now.
    Cancelled,
    /// Accepted; completes later (e.g. Paywall's queued batch cancellation).
    Pending,
    /// Refused: already completed, delivered, or otherwise in the wrong state.
    NotCancellable,
    /// No such payment, order or cashout.
    NotFound,
    /// A vendor status or error the mapping does not know (the raw value is kept).
    Unknown,
}

impl UnifiedStatus {
    /// The name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            UnifiedStatus::Cancelled => "cancelled",
            UnifiedStatus::Pending => "pending",
            UnifiedStatus::NotCancellable => "not_cancellable",
            UnifiedStatus::NotFound => "not_found",
            UnifiedStatus::Unknown => "unknown",
        }
    }
}

/// How a vendor cancels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelSpec {
    /// The cancel operation.
    pub operation: String,
    /// Its parameters, as templates of the reference's parts: `{{id}}`, `{{external_id}}`,
    /// `{{date}}` (`|number` makes a number of one).
    #[serde(default)]
    pub args: BTreeMap<String, String>,
    /// Its body; strings are templates as in `args`.
    #[serde(default)]
    pub body: Option<Value>,
    /// JSON pointer to the vendor's status in the successful response (after the envelope).
    #[serde(default)]
    pub status: Option<String>,
    /// The outcome of a success that carries no status (e.g. Paywall's queued batch: `pending`).
    #[serde(default)]
    pub on_success: Option<UnifiedStatus>,
    /// Vendor status values, by the outcome they mean. A value not listed is `unknown`.
    #[serde(default)]
    pub statuses: BTreeMap<UnifiedStatus, Vec<Value>>,
    /// Vendor errors, by the outcome they mean. An error not listed is `unknown`.
    #[serde(default)]
    pub errors: BTreeMap<UnifiedStatus, Vec<ErrorMatch>>,
    /// How to read the resource's state when the cancel's own answer cannot be trusted: it was
    /// lost after the request left, or it answers a repeated request ("invalid transition" to
    /// a cancel that the first attempt carried out). Its status is read with `statuses`.
    #[serde(default)]
    pub reconcile: Option<StateRead>,
}

/// A call that reads a resource's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateRead {
    /// The operation that reads it.
    pub operation: String,
    /// Its parameters, templates as in the cancel's.
    #[serde(default)]
    pub args: BTreeMap<String, String>,
    /// Its body, templates as in the cancel's.
    #[serde(default)]
    pub body: Option<Value>,
    /// JSON pointer to the status in its response.
    pub status: String,
}

/// The names a cancel template may use: the parts of a unified reference.
pub const REFERENCE_PARTS: [&str; 3] = ["id", "external_id", "date"];

/// Which vendor errors mean an outcome: every given part must match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorMatch {
    /// The HTTP status.
    #[serde(default)]
    pub status: Option<u16>,
    /// The vendor's code, as text.
    #[serde(default)]
    pub code: Option<String>,
}
