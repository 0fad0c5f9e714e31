//! The `sandbox:` section of `vendor.yaml`: how payspec's local sandbox imitates the vendor
//! beyond what the spec says: its resources and their states, how it answers each kind of
//! failure, and the demo flow that `payspec demo` walks through.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The sandbox behaviour of one vendor.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxSpec {
    /// How the vendor answers each kind of failure; a kind not listed gets a plain
    /// `{code, message}` in the vendor's error shape with a conventional status.
    #[serde(default)]
    pub errors: BTreeMap<FailureKind, ErrorReply>,
    /// Resources the sandbox keeps state for, by name.
    #[serde(default)]
    pub resources: BTreeMap<String, Resource>,
    /// The flow `payspec demo` runs, in order.
    #[serde(default)]
    pub demo: Vec<DemoStep>,
    /// Webhooks the sandbox sends, signed as `callbacks:` declares, to the URL the user gives
    /// (`payspec sandbox --webhook-url`), when an operation succeeds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub webhooks: Vec<SandboxWebhook>,
}

/// A webhook the sandbox sends after an operation succeeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxWebhook {
    /// The callback of vendor.yaml it is (its signature recipe).
    pub callback: String,
    /// The operations whose success sends it.
    pub on: Vec<String>,
    /// The payload: a template whose slots are `response` (the operation's answer),
    /// `request` (its body), `now` (seconds since the epoch) and `serial` (a counter).
    pub payload: serde_json::Value,
}

/// A kind of failure the sandbox answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// Wrong or missing credentials, signature or token.
    Unauthorized,
    /// Parameters or body that the spec does not allow, or a body that is not JSON.
    Invalid,
    /// No such record or endpoint.
    NotFound,
    /// The record is not in a state that allows the operation.
    Conflict,
}

impl FailureKind {
    /// The status used when vendor.yaml gives none for the kind.
    pub fn default_status(self) -> u16 {
        match self {
            FailureKind::Unauthorized => 401,
            FailureKind::Invalid => 400,
            FailureKind::NotFound => 404,
            FailureKind::Conflict => 409,
        }
    }

    /// The message used when vendor.yaml gives none for the kind.
    pub fn default_message(self) -> &'static str {
        match self {
            FailureKind::Unauthorized => "Unauthorized",
            FailureKind::Invalid => "Invalid request",
            FailureKind::NotFound => "Not found",
            FailureKind::Conflict => "The operation is not allowed in the current state",
        }
    }
}

/// A failure reply: HTTP status and the vendor's own code and message (placed in the body by
/// the profile's error pointers, inside the envelope when the vendor has one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorReply {
    /// The HTTP status (Paywall answers failures with 200).
    pub status: u16,
    /// The vendor's error code.
    #[serde(default)]
    pub code: Option<Value>,
    /// The vendor's message.
    pub message: String,
}

/// A kind of record (a payment, a cashout, an order) and the operations acting on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// Where a record's identifier is, and what it looks like.
    pub id: IdSpec,
    /// Records present from the start (for vendors whose creation is not in the spec).
    #[serde(default)]
    pub seed: Vec<Map<String, Value>>,
    /// Operations by operationId.
    pub operations: BTreeMap<String, ResourceOperation>,
    /// Fields computed from another field through a table (e.g. a status description).
    #[serde(default)]
    pub derived: BTreeMap<String, Derived>,
    /// Where the record sits in an operation's response when it is not the whole response
    /// (CoinPool's `{"draft": {…}, "pricing_snapshot_note": …}`): operationId to JSON pointer.
    #[serde(default)]
    pub record_at: BTreeMap<String, String>,
}

/// A record's identifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdSpec {
    /// The field holding it.
    pub field: String,
    /// How new identifiers look.
    pub kind: IdKind,
}

/// How the sandbox makes identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// 1, 2, 3… (from 11954, like OneKey's examples).
    Integer,
    /// A random UUID.
    Uuid,
    /// 24 hexadecimal digits (a MongoDB ObjectId, as Rio's).
    Hex24,
}

/// What an operation does to a resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ResourceOperation {
    /// Creates a record from the request body, then sets these fields.
    Create {
        /// Fields set on creation (the initial state).
        #[serde(default)]
        set: Map<String, Value>,
    },
    /// Answers with the record found by the locators.
    Read {
        /// How the request names the record.
        by: Vec<Locator>,
    },
    /// Answers with every record whose fields match the filter.
    List {
        /// Field values a record must have.
        #[serde(default)]
        filter: Map<String, Value>,
    },
    /// Merges the request body's fields into the record found (a PATCH).
    Update {
        /// How the request names the record.
        by: Vec<Locator>,
    },
    /// Moves the record found to the state the request asks for: the value at `on` in the
    /// body picks the case (OneKey's `status: ON_HOLD` or `PENDING`); any other value is
    /// `invalid`.
    Switch {
        /// How the request names the record.
        by: Vec<Locator>,
        /// JSON pointer into the request body to the requested state.
        on: String,
        /// Per requested value: the states it may leave and the fields it sets.
        cases: BTreeMap<String, Case>,
    },
    /// Moves the record found to another state, if it is in one of the `from` states.
    Transition {
        /// How the request names the record.
        by: Vec<Locator>,
        /// Allowed values per field; any other is a `conflict`.
        #[serde(default)]
        from: BTreeMap<String, Vec<Value>>,
        /// Fields set by the transition.
        to: Map<String, Value>,
    },
}

/// One case of a [`ResourceOperation::Switch`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Allowed values per field; any other is a `conflict`.
    #[serde(default)]
    pub from: BTreeMap<String, Vec<Value>>,
    /// Fields set.
    pub to: Map<String, Value>,
}

/// Where a request names a record: a path or query parameter, or a body pointer, matched
/// against a record's field. The first locator present in the request is used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Locator {
    /// A path parameter's name.
    #[serde(default)]
    pub path: Option<String>,
    /// A query parameter's name.
    #[serde(default)]
    pub query: Option<String>,
    /// A request header's name (Paywall's payment queries).
    #[serde(default)]
    pub header: Option<String>,
    /// A JSON pointer into the request body.
    #[serde(default)]
    pub body: Option<String>,
    /// The record field it is compared with.
    pub field: String,
}

/// A field computed from another one through a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Derived {
    /// The source field.
    pub from: String,
    /// Source value (as text) to derived value.
    pub map: BTreeMap<String, Value>,
}

/// One step of the demo flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoStep {
    /// A name later steps use to refer to this step's response: `{{name/pointer}}` (the
    /// template language of [`crate::template`]).
    #[serde(default)]
    pub name: Option<String>,
    /// What this step shows, for the table.
    #[serde(default)]
    pub note: Option<String>,
    /// The operationId to call.
    pub operation: String,
    /// Parameters, by spec name (values may use `{{step/pointer}}`).
    #[serde(default)]
    pub args: BTreeMap<String, String>,
    /// The body (strings may use `{{step/pointer}}`).
    #[serde(default)]
    pub body: Option<Value>,
    /// Before calling: set fields of a record, as the vendor's back office would.
    #[serde(default)]
    pub before: Option<SandboxUpdate>,
    /// The expected outcome: `ok`, or the vendor error code expected.
    #[serde(default)]
    pub expect: Expectation,
}

/// A change of a record made outside the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxUpdate {
    /// The resource.
    pub resource: String,
    /// The record's identifier (may use `{{step/pointer}}`).
    pub id: String,
    /// The fields to set.
    pub set: Map<String, Value>,
}

/// What a demo step must produce.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Expectation {
    /// A success.
    #[default]
    Ok,
    /// A vendor error with this HTTP status and, if given, this vendor code.
    Error {
        /// The HTTP status.
        status: u16,
        /// The vendor's code, as text.
        #[serde(default)]
        code: Option<String>,
    },
}
