//! Normalisation: a vendor's OpenAPI text brought into the shape progenitor needs, guided by
//! the profile, as a sequence of small passes over the JSON document (before it is parsed into
//! `openapiv3` types). Each pass does one thing and reports its problems located by pointer:
//! shared path items and `$ref`s inlined, operationIds given, what the runtime supplies
//! (auth headers, credential body fields, transport headers) removed from what a caller
//! passes, error responses left to the runtime and envelopes opened, integer enums opened,
//! nullable wrappers required. The JSON helpers are `payspec_profile::openapi`'s, the same
//! the sandbox reads the document with.

mod bodies;
mod forms;
mod idempotency;
mod ids;
mod implied;
mod multipart;
mod pagination;
mod parameters;
mod references;
mod responses;
mod schemas;
mod security;
mod servers;
mod subset;
mod summary;

use std::collections::BTreeMap;

use payspec_profile::Profile;
use payspec_profile::openapi::METHODS;
use serde_json::{Map, Value};

use crate::diagnostic::{Diagnostic, Diagnostics, token};
use crate::discover::VendorFiles;

pub use ids::snake_case;
pub(crate) use multipart::FILE_PART;
pub use pagination::Paged;
pub(crate) use pagination::rust_type_name;
pub use summary::{OperationSummary, ParamSummary};

/// What the passes share: the vendor, the problems found, and what the runtime supplies per
/// operation (by the operation's pointer).
pub(crate) struct Context<'a> {
    pub files: &'a VendorFiles,
    pub profile: &'a Profile,
    pub problems: Vec<Diagnostic>,
    /// What was repaired or degraded (the rest generated).
    pub warnings: Vec<Diagnostic>,
    pub supplied: BTreeMap<String, Vec<String>>,
    /// The server group of each operation served from another host, by operation pointer.
    pub groups: BTreeMap<String, String>,
    /// The operations whose body is sent as multipart/form-data, by pointer.
    pub multipart: std::collections::BTreeSet<String>,
    /// The operations whose body is sent form-urlencoded, by pointer.
    pub forms: std::collections::BTreeSet<String>,
    /// The media type of an operation's request body when not application/json, a form or
    /// multipart (a vendor's +json, text…), by pointer.
    pub request_media: BTreeMap<String, String>,
    /// The operations sent with vendor.yaml's idempotency key, by pointer.
    pub idempotent: std::collections::BTreeSet<String>,
    /// The list operations a pagination recipe pages, by pointer.
    pub paged: BTreeMap<String, Paged>,
}

impl Context<'_> {
    /// A problem in the spec file.
    pub fn problem(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        let file = self.files.spec.clone();
        self.problems.push(Diagnostic::new(&file, pointer, message));
    }

    /// A warning in the spec file: something repaired or degraded.
    pub fn warn(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        let file = self.files.spec.clone();
        self.warnings
            .push(Diagnostic::warning(&file, pointer, message));
    }

    /// A problem in vendor.yaml.
    pub fn profile_problem(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        let file = self.files.profile.clone();
        self.problems.push(Diagnostic::new(&file, pointer, message));
    }
}

type Pass = fn(&mut Value, &mut Context<'_>);

/// The passes that shape the document before what the spec says of auth and hosts is taken
/// into the profile (they need no profile), in order.
const EARLY_PASSES: [Pass; 3] = [
    references::dangling,
    parameters::inline_path_items,
    ids::assign,
];

/// The passes after it, in order.
const PASSES: [Pass; 25] = [
    servers::assign,
    bodies::choose_media,
    multipart::to_json_forms,
    forms::form_bodies,
    parameters::normalize,
    parameters::path_template,
    forms::deep_object_queries,
    forms::form_object_queries,
    security::check,
    idempotency::keys,
    bodies::normalize,
    responses::normalize,
    pagination::lists,
    bodies::vendor_json,
    schemas::open_all_of_members,
    schemas::integer_formats,
    schemas::string_lengths,
    schemas::colliding_enum_values,
    schemas::colliding_titles,
    schemas::derived_name_collisions,
    schemas::required_case,
    schemas::colliding_fields,
    schemas::open_integer_enums,
    schemas::require_nullable_wrappers,
    schemas::alias_cycles,
];

/// A normalised document's operations, and what was repaired or degraded on the way.
pub struct Normalized {
    /// The operations, in document order.
    pub operations: Vec<OperationSummary>,
    /// Warnings: repairs and degradations, located.
    pub warnings: Vec<Diagnostic>,
}

impl<'a> Context<'a> {
    fn new(files: &'a VendorFiles, profile: &'a Profile) -> Self {
        Self {
            files,
            profile,
            problems: Vec::new(),
            warnings: Vec::new(),
            supplied: BTreeMap::new(),
            groups: BTreeMap::new(),
            multipart: Default::default(),
            forms: Default::default(),
            request_media: BTreeMap::new(),
            idempotent: Default::default(),
            paged: BTreeMap::new(),
        }
    }
}

/// Normalises `doc` in place; returns the operations in document order. What the spec says
/// and vendor.yaml does not (an operation's `security: []`, its own server) is taken into
/// `profile`.
pub fn normalize(
    files: &VendorFiles,
    doc: &mut Value,
    profile: &mut Profile,
) -> Result<Normalized, Diagnostics> {
    let mut early = Context::new(files, profile);
    for pass in EARLY_PASSES {
        pass(doc, &mut early);
    }
    let (problems, mut warnings) = (early.problems, early.warnings);
    implied::amend(doc, files, profile, &mut warnings);
    let mut context = Context {
        problems,
        warnings,
        ..Context::new(files, profile)
    };
    for pass in PASSES {
        pass(doc, &mut context);
    }
    let mut operations = summary::operations(doc, &context);
    ids::duplicates(&operations, &mut context);
    references::check(doc, &operations, &mut context);
    if context.problems.is_empty() {
        subset::operations(doc, &mut operations, &mut context);
    }
    if context.problems.is_empty() {
        Ok(Normalized {
            operations,
            warnings: context.warnings,
        })
    } else {
        Err(Diagnostics(context.problems))
    }
}

/// An operation's operationId (given to every operation by `ids::assign`; empty before).
pub(crate) fn operation_id(operation: &Map<String, Value>) -> &str {
    operation
        .get("operationId")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Where an operation is.
pub(crate) struct Site {
    pub path: String,
    pub method: &'static str,
    pub pointer: String,
}

/// Runs `f` on every operation object, in document order, with the rest of the document (its
/// components) readable meanwhile.
pub(crate) fn each_operation(
    doc: &mut Value,
    mut f: impl FnMut(&Value, &Site, &mut Map<String, Value>),
) {
    let Some(mut paths) = doc.get_mut("paths").map(Value::take) else {
        return;
    };
    for (path, item) in paths.as_object_mut().into_iter().flatten() {
        for method in METHODS {
            if let Some(Value::Object(operation)) = item.get_mut(method) {
                let site = Site {
                    path: path.clone(),
                    method,
                    pointer: format!("/paths/{}/{method}", token(path)),
                };
                f(doc, &site, operation);
            }
        }
    }
    doc["paths"] = paths;
}

/// An operation's request body media types (`requestBody.content`), if it has any inline.
pub(crate) fn request_content(
    operation: &mut Map<String, Value>,
) -> Option<&mut Map<String, Value>> {
    operation
        .get_mut("requestBody")
        .and_then(|b| b.get_mut("content"))
        .and_then(Value::as_object_mut)
}

/// A local `$ref` of the given kind (`#/components/<kind>/<name>`), resolved; `Err` says why
/// not (dangling, another kind, or outside the document).
pub(crate) fn component<'a>(
    doc: &'a Value,
    reference: &str,
    kind: &str,
) -> Result<&'a Value, String> {
    let prefix = format!("#/components/{kind}/");
    let name = reference
        .strip_prefix(&prefix)
        .ok_or_else(|| format!("`$ref` {reference:?} does not point into #/components/{kind}"))?;
    doc.pointer(&format!("/components/{kind}/{}", token(name)))
        .ok_or_else(|| format!("`$ref` {reference:?} points to nothing"))
}

/// The `$ref` of an object, if it is one.
pub(crate) fn reference(value: &Value) -> Option<&str> {
    value.get("$ref").and_then(Value::as_str)
}
