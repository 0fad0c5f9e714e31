//! The public Rust API of a generated vendor module, as data: for the checked-in snapshot
//! (`specs/<vendor>/api.txt`, one line per operation, type and auth scheme, so a spec change
//! shows up in review as a readable diff) and for `payspec diff`, which classifies each change
//! as breaking or not for a caller.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::Vendor;
pub use crate::model::TypeApi;
use crate::model::{Model, squash, text};

/// One operation's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationApi {
    /// `POST /cashout` (`GET /country/{iso_code}/authorized-banks @banks` for an operation of a
    /// vendor.yaml server group).
    pub route: String,
    /// Parameters by Rust setter name: (type, required).
    pub params: BTreeMap<String, (String, bool)>,
    /// The body type and whether it is required.
    pub body: Option<(String, bool)>,
    /// The success type.
    pub response: String,
    /// The auth scheme (`none` when sent without).
    pub auth: String,
    /// What the runtime adds to calling it: `idempotency key`, `pages of T`.
    pub conveniences: Vec<String>,
}

/// A vendor's API.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Api {
    /// Operations by operationId.
    pub operations: BTreeMap<String, OperationApi>,
    /// Types by name.
    pub types: BTreeMap<String, TypeApi>,
    /// Auth schemes by name, described.
    pub auth: BTreeMap<String, String>,
    /// Credentials the caller supplies.
    pub credentials: BTreeSet<String>,
    /// Types reachable from request bodies (adding a field to one breaks struct literals).
    pub request_types: BTreeSet<String>,
    /// What was repaired or degraded to generate it: `#/pointer: message`, one per warning.
    pub degraded: Vec<String>,
}

/// What the runtime adds to calling an operation, in a few words each.
fn conveniences(operation: &crate::normalize::OperationSummary) -> Vec<String> {
    let mut conveniences = Vec::new();
    if operation.idempotent {
        conveniences.push("idempotency key".to_owned());
    }
    if let Some(paged) = &operation.paged {
        let item = paged.item.as_deref().unwrap_or("JSON");
        conveniences.push(format!("pages of {item} ({})", paged.recipe));
    }
    conveniences
}

impl Api {
    /// The API of a vendor, from the model of its generated code.
    pub(crate) fn of(vendor: &Vendor, model: &Model) -> Self {
        let mut api = Api {
            types: model.types.clone(),
            degraded: vendor
                .warnings
                .iter()
                .map(|w| format!("#{}: {}", w.pointer, w.message))
                .collect(),
            ..Api::default()
        };
        for operation in &vendor.operations {
            let builder = model.builder(&operation.id);
            let setters = builder.map(|b| &b.setters);
            let params = operation
                .params
                .iter()
                .filter_map(|p| {
                    let (setter, ty) = setters?
                        .iter()
                        .find(|(s, _)| squash(s) == squash(&p.name))?;
                    Some((setter.clone(), (text(ty), p.required)))
                })
                .collect();
            let body = operation.body.map(|required| {
                let ty = setters
                    .and_then(|s| s.get("body"))
                    .map(text)
                    .unwrap_or_default();
                (ty, required)
            });
            if let Some((ty, _)) = &body {
                api.request_types.insert(ty.clone());
            }
            let response = builder
                .and_then(|b| b.response.as_ref())
                .map(text)
                .unwrap_or_default();
            let auth = match vendor.profile.auth.operations.get(&operation.id) {
                Some(payspec_profile::SchemeChoice::None) => "none".to_owned(),
                Some(payspec_profile::SchemeChoice::Scheme(s)) => s.clone(),
                None => vendor.profile.auth.default.clone(),
            };
            // An operation of a server group goes to another host: part of its route.
            let group = operation
                .server_group
                .as_ref()
                .map(|g| format!(" @{g}"))
                .unwrap_or_default();
            let route = format!("{} {}{group}", operation.method, operation.path);
            let conveniences = conveniences(operation);
            api.operations.insert(
                operation.id.clone(),
                OperationApi {
                    route,
                    params,
                    body,
                    response,
                    auth,
                    conveniences,
                },
            );
        }
        api.auth = vendor
            .profile
            .auth
            .schemes
            .iter()
            .map(|(n, s)| (n.clone(), s.to_string()))
            .collect();
        api.credentials = vendor
            .profile
            .credentials
            .keys()
            .map(|c| vendor.profile.credential_variable(c))
            .collect();
        api.close_request_types();
        api
    }

    /// Adds every type reachable from a request type.
    fn close_request_types(&mut self) {
        let mut pending: Vec<String> = self.request_types.iter().cloned().collect();
        while let Some(name) = pending.pop() {
            if let Some(TypeApi::Struct(fields)) = self.types.get(&name) {
                for ty in fields.values() {
                    for candidate in self.types.keys() {
                        let mentioned = ty
                            .split(|c: char| !c.is_alphanumeric() && c != '_')
                            .any(|w| w == candidate);
                        if mentioned && self.request_types.insert(candidate.clone()) {
                            pending.push(candidate.clone());
                        }
                    }
                }
            }
        }
    }

    /// The snapshot text: one line per credential, auth scheme, operation and type.
    pub fn snapshot(&self) -> String {
        let mut out = String::new();
        for credential in &self.credentials {
            let _ = writeln!(out, "credential {credential}");
        }
        for (name, scheme) in &self.auth {
            let _ = writeln!(out, "auth {name}: {scheme}");
        }
        for (id, operation) in &self.operations {
            let mut args: Vec<String> = operation
                .params
                .iter()
                .map(|(name, (ty, required))| {
                    format!("{name}: {}{ty}", if *required { "" } else { "?" })
                })
                .collect();
            if let Some((ty, required)) = &operation.body {
                args.push(format!("body: {}{ty}", if *required { "" } else { "?" }));
            }
            let extras: String = operation
                .conveniences
                .iter()
                .map(|c| format!(" [{c}]"))
                .collect();
            let _ = writeln!(
                out,
                "op {id} {} ({}) -> {} [auth {}]{extras}",
                operation.route,
                args.join(", "),
                operation.response,
                operation.auth
            );
        }
        for (name, definition) in &self.types {
            let _ = match definition {
                TypeApi::Struct(fields) => {
                    let fields: Vec<String> =
                        fields.iter().map(|(f, t)| format!("{f}: {t}")).collect();
                    writeln!(out, "struct {name} {{ {} }}", fields.join(", "))
                }
                TypeApi::Enum(values) => {
                    let values: Vec<&str> = values.iter().map(String::as_str).collect();
                    writeln!(out, "enum {name} = {} | unknown", values.join(" | "))
                }
                TypeApi::Other(definition) => writeln!(out, "type {name} = {definition}"),
            };
        }
        for warning in &self.degraded {
            let _ = writeln!(out, "degraded {warning}");
        }
        out
    }
}

/// One difference between two APIs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Whether code written against the old API may stop compiling or working.
    pub breaking: bool,
    /// What changed.
    pub description: String,
}

/// What changed from `old` to `new`.
pub fn diff(old: &Api, new: &Api) -> Vec<Change> {
    let mut changes = Changes::default();
    changes.operations(old, new);
    for (id, before) in &old.operations {
        if let Some(after) = new.operations.get(id) {
            changes.operation(id, before, after);
        }
    }
    changes.types(old, new);
    changes.auth(old, new);
    changes.0
}

#[derive(Default)]
struct Changes(Vec<Change>);

impl Changes {
    fn add(&mut self, breaking: bool, description: String) {
        self.0.push(Change {
            breaking,
            description,
        });
    }

    /// Operations added, removed, or renamed (one removed and one added on the same route).
    fn operations(&mut self, old: &Api, new: &Api) {
        let removed: Vec<&String> = old
            .operations
            .keys()
            .filter(|k| !new.operations.contains_key(*k))
            .collect();
        let added: Vec<&String> = new
            .operations
            .keys()
            .filter(|k| !old.operations.contains_key(*k))
            .collect();
        let mut renamed = BTreeSet::new();
        for old_id in &removed {
            let route = &old.operations[*old_id].route;
            if let Some(new_id) = added.iter().find(|id| &new.operations[**id].route == route) {
                self.add(
                    true,
                    format!("operation {old_id} renamed to {new_id} ({route})"),
                );
                renamed.insert((*old_id).clone());
                renamed.insert((*new_id).clone());
            }
        }
        for id in removed.iter().filter(|id| !renamed.contains(**id)) {
            self.add(
                true,
                format!("operation {id} removed ({})", old.operations[*id].route),
            );
        }
        for id in added.iter().filter(|id| !renamed.contains(**id)) {
            self.add(
                false,
                format!("operation {id} added ({})", new.operations[*id].route),
            );
        }
    }

    fn operation(&mut self, id: &str, before: &OperationApi, after: &OperationApi) {
        if before.route != after.route {
            self.add(
                false,
                format!(
                    "operation {id} moved from {} to {}",
                    before.route, after.route
                ),
            );
        }
        self.parameters(id, before, after);
        match (&before.body, &after.body) {
            (None, Some((ty, required))) => {
                self.add(*required, format!("operation {id}: body {ty} added"))
            }
            (Some((ty, _)), None) => self.add(true, format!("operation {id}: body {ty} removed")),
            (Some((a, _)), Some((b, _))) if a != b => {
                self.add(true, format!("operation {id}: body retyped {a} -> {b}"))
            }
            _ => {}
        }
        if before.response != after.response {
            let message = format!(
                "operation {id}: response retyped {} -> {}",
                before.response, after.response
            );
            self.add(true, message);
        }
        if before.auth != after.auth {
            let message = format!(
                "operation {id}: auth scheme {} -> {} (the runtime applies it)",
                before.auth, after.auth
            );
            self.add(false, message);
        }
    }

    fn parameters(&mut self, id: &str, before: &OperationApi, after: &OperationApi) {
        for (name, (ty, required)) in &before.params {
            match after.params.get(name) {
                None => self.add(true, format!("operation {id}: parameter {name} removed")),
                Some((new_ty, _)) if new_ty != ty => self.add(
                    true,
                    format!("operation {id}: parameter {name} retyped {ty} -> {new_ty}"),
                ),
                Some((_, now)) if *now && !required => self.add(
                    true,
                    format!("operation {id}: parameter {name} made required"),
                ),
                Some((_, now)) if !*now && *required => self.add(
                    false,
                    format!("operation {id}: parameter {name} made optional"),
                ),
                _ => {}
            }
        }
        for (name, (_, required)) in &after.params {
            if !before.params.contains_key(name) {
                let what = if *required { "required" } else { "optional" };
                self.add(
                    *required,
                    format!("operation {id}: {what} parameter {name} added"),
                );
            }
        }
    }

    fn types(&mut self, old: &Api, new: &Api) {
        for (name, before) in &old.types {
            let Some(after) = new.types.get(name) else {
                self.add(true, format!("type {name} removed"));
                continue;
            };
            match (before, after) {
                (TypeApi::Struct(a), TypeApi::Struct(b)) => {
                    self.fields(name, a, b, new.request_types.contains(name))
                }
                (TypeApi::Enum(a), TypeApi::Enum(b)) => self.enum_values(name, a, b),
                (a, b) if a != b => self.add(true, format!("type {name} redefined")),
                _ => {}
            }
        }
        for name in new.types.keys().filter(|n| !old.types.contains_key(*n)) {
            self.add(false, format!("type {name} added"));
        }
    }

    fn fields(
        &mut self,
        name: &str,
        a: &BTreeMap<String, String>,
        b: &BTreeMap<String, String>,
        in_request: bool,
    ) {
        for (field, ty) in a {
            match b.get(field) {
                None => self.add(true, format!("type {name}: field {field} removed")),
                Some(new_ty) if new_ty != ty => self.add(
                    true,
                    format!("type {name}: field {field} retyped {ty} -> {new_ty}"),
                ),
                _ => {}
            }
        }
        for (field, ty) in b.iter().filter(|(f, _)| !a.contains_key(*f)) {
            // A new field breaks struct literals of request types; responses only gain data.
            let note = if in_request {
                ", which request bodies built as struct literals must now set"
            } else {
                ""
            };
            self.add(
                in_request,
                format!("type {name}: field {field}: {ty} added{note}"),
            );
        }
    }

    fn enum_values(&mut self, name: &str, a: &BTreeSet<String>, b: &BTreeSet<String>) {
        for value in a.difference(b) {
            self.add(true, format!("enum {name}: value {value:?} removed"));
        }
        for value in b.difference(a) {
            self.add(
                false,
                format!("enum {name}: value {value:?} added (was Unknown({value:?}) before)"),
            );
        }
    }

    fn auth(&mut self, old: &Api, new: &Api) {
        for credential in new.credentials.difference(&old.credentials) {
            self.add(true, format!("credential {credential} now required"));
        }
        for credential in old.credentials.difference(&new.credentials) {
            self.add(false, format!("credential {credential} no longer used"));
        }
        for (name, scheme) in &new.auth {
            match old.auth.get(name) {
                Some(before) if before != scheme => self.add(
                    false,
                    format!("auth {name} changed (the runtime applies it): {before} -> {scheme}"),
                ),
                None => self.add(false, format!("auth {name} added: {scheme}")),
                _ => {}
            }
        }
    }
}
