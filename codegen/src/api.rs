//! The public Rust API of a generated vendor module, as data: for the checked-in snapshot
//! (`specs/<vendor>/api.txt`, one line per operation, type and auth scheme, so a spec change
//! shows up in review as a readable diff) and for `payspec diff`, which classifies each change
//! as breaking or not for a caller.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use quote::ToTokens;

use crate::Vendor;

/// One operation's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationApi {
    /// `POST /cashout`.
    pub route: String,
    /// Parameters by Rust setter name: (type, required).
    pub params: BTreeMap<String, (String, bool)>,
    /// The body type and whether it is required.
    pub body: Option<(String, bool)>,
    /// The success type.
    pub response: String,
    /// The auth scheme (`none` when sent without).
    pub auth: String,
}

/// One generated type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeApi {
    /// A struct: fields by Rust name, with their types.
    Struct(BTreeMap<String, String>),
    /// An enum: the wire values it knows.
    Enum(BTreeSet<String>),
    /// Anything else (newtypes, aliases), by its definition.
    Other(String),
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
}

fn text<T: ToTokens>(node: &T) -> String {
    node.to_token_stream()
        .to_string()
        .replace(' ', "")
        .replace("::std::option::", "")
        .replace("::std::string::", "")
        .replace("::std::vec::", "")
        .replace("::std::collections::", "")
        .replace("::serde_json::", "serde_json::")
        .replace("::chrono::", "chrono::")
        .replace("::uuid::", "uuid::")
        .replace("types::", "")
        .replace(',', ", ")
}

fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .find_map(|a| {
            let mut rename = None;
            let _ = a.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    rename = meta.value()?.parse::<syn::LitStr>().ok().map(|l| l.value());
                } else if meta.input.peek(syn::Token![=]) {
                    let _ = meta.value()?.parse::<syn::Expr>()?;
                }
                Ok(())
            });
            rename
        })
}

impl Api {
    /// The API of a vendor, from its generated source.
    pub fn of(vendor: &Vendor, source: &str) -> Self {
        let mut api = Api::default();
        let Ok(file) = syn::parse_file(source) else {
            return api;
        };
        let mut builders: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for item in &file.items {
            let syn::Item::Mod(module) = item else {
                continue;
            };
            let Some((_, items)) = &module.content else {
                continue;
            };
            if module.ident == "types" {
                for item in items {
                    match item {
                        syn::Item::Struct(s) => {
                            let definition = match &s.fields {
                                syn::Fields::Named(fields) => TypeApi::Struct(
                                    fields
                                        .named
                                        .iter()
                                        .filter_map(|f| {
                                            Some((f.ident.as_ref()?.to_string(), text(&f.ty)))
                                        })
                                        .collect(),
                                ),
                                other => TypeApi::Other(text(other)),
                            };
                            api.types.insert(s.ident.to_string(), definition);
                        }
                        syn::Item::Enum(e) => {
                            let values = e
                                .variants
                                .iter()
                                .filter(|v| v.ident != "Unknown")
                                .map(|v| {
                                    serde_rename(&v.attrs).unwrap_or_else(|| v.ident.to_string())
                                })
                                .collect();
                            api.types.insert(e.ident.to_string(), TypeApi::Enum(values));
                        }
                        syn::Item::Type(t) => {
                            api.types
                                .insert(t.ident.to_string(), TypeApi::Other(text(&t.ty)));
                        }
                        _ => {}
                    }
                }
            }
            if module.ident == "builder" {
                for item in items {
                    let syn::Item::Impl(implementation) = item else {
                        continue;
                    };
                    let name = text(&implementation.self_ty)
                        .split('<')
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    let setters = builders.entry(name).or_default();
                    for member in &implementation.items {
                        let syn::ImplItem::Fn(function) = member else {
                            continue;
                        };
                        let ident = function.sig.ident.to_string();
                        if ident == "send" {
                            if let syn::ReturnType::Type(_, ty) = &function.sig.output {
                                setters.insert("->".into(), text(ty));
                            }
                            continue;
                        }
                        let bound = function
                            .sig
                            .generics
                            .where_clause
                            .as_ref()
                            .and_then(|w| w.predicates.first())
                            .map(text)
                            .unwrap_or_default();
                        if let Some(target) = bound.split("TryInto<").nth(1) {
                            setters.insert(ident, target.trim_end_matches('>').to_owned());
                        }
                    }
                }
            }
        }
        for operation in &vendor.operations {
            let squash = |s: &str| {
                s.chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_lowercase()
            };
            let setters = builders
                .iter()
                .find(|(b, _)| squash(b) == squash(&operation.id))
                .map(|(_, s)| s.clone())
                .unwrap_or_default();
            let params = operation
                .params
                .iter()
                .filter_map(|p| {
                    let (setter, ty) =
                        setters.iter().find(|(s, _)| squash(s) == squash(&p.name))?;
                    Some((setter.clone(), (ty.clone(), p.required)))
                })
                .collect();
            let body = operation
                .body
                .map(|required| (setters.get("body").cloned().unwrap_or_default(), required));
            if let Some((ty, _)) = &body {
                api.request_types.insert(ty.clone());
            }
            let response = setters
                .get("->")
                .map(|r| {
                    r.trim_start_matches("Result<ResponseValue<")
                        .split('>')
                        .next()
                        .unwrap_or_default()
                        .to_owned()
                })
                .unwrap_or_default();
            let auth = match vendor.profile.auth.operations.get(&operation.id) {
                Some(payspec_profile::SchemeChoice::None) => "none".to_owned(),
                Some(payspec_profile::SchemeChoice::Scheme(s)) => s.clone(),
                None => vendor.profile.auth.default.clone(),
            };
            api.operations.insert(
                operation.id.clone(),
                OperationApi {
                    route: format!("{} {}", operation.method, operation.path),
                    params,
                    body,
                    response,
                    auth,
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
            let _ = writeln!(
                out,
                "op {id} {} ({}) -> {} [auth {}]",
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
    let mut changes = Vec::new();
    let mut change = |breaking: bool, description: String| {
        changes.push(Change {
            breaking,
            description,
        })
    };
    // Operations; one removed and one added on the same route is a rename.
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
            change(
                true,
                format!("operation {old_id} renamed to {new_id} ({route})"),
            );
            renamed.insert((*old_id).clone());
            renamed.insert((*new_id).clone());
        }
    }
    for id in removed.iter().filter(|id| !renamed.contains(**id)) {
        change(
            true,
            format!("operation {id} removed ({})", old.operations[*id].route),
        );
    }
    for id in added.iter().filter(|id| !renamed.contains(**id)) {
        change(
            false,
            format!("operation {id} added ({})", new.operations[*id].route),
        );
    }
    for (id, before) in &old.operations {
        let Some(after) = new.operations.get(id) else {
            continue;
        };
        if before.route != after.route {
            change(
                false,
                format!(
                    "operation {id} moved from {} to {}",
                    before.route, after.route
                ),
            );
        }
        for (name, (ty, required)) in &before.params {
            match after.params.get(name) {
                None => change(true, format!("operation {id}: parameter {name} removed")),
                Some((new_ty, _)) if new_ty != ty => change(
                    true,
                    format!("operation {id}: parameter {name} retyped {ty} -> {new_ty}"),
                ),
                Some((_, now_required)) if *now_required && !required => change(
                    true,
                    format!("operation {id}: parameter {name} made required"),
                ),
                Some((_, now_required)) if !*now_required && *required => change(
                    false,
                    format!("operation {id}: parameter {name} made optional"),
                ),
                _ => {}
            }
        }
        for (name, (_, required)) in &after.params {
            if !before.params.contains_key(name) {
                let what = if *required { "required" } else { "optional" };
                change(
                    *required,
                    format!("operation {id}: {what} parameter {name} added"),
                );
            }
        }
        match (&before.body, &after.body) {
            (None, Some((ty, required))) => {
                change(*required, format!("operation {id}: body {ty} added"))
            }
            (Some((ty, _)), None) => change(true, format!("operation {id}: body {ty} removed")),
            (Some((a, _)), Some((b, _))) if a != b => {
                change(true, format!("operation {id}: body retyped {a} -> {b}"))
            }
            _ => {}
        }
        if before.response != after.response {
            change(
                true,
                format!(
                    "operation {id}: response retyped {} -> {}",
                    before.response, after.response
                ),
            );
        }
        if before.auth != after.auth {
            change(
                false,
                format!(
                    "operation {id}: auth scheme {} -> {} (the runtime applies it)",
                    before.auth, after.auth
                ),
            );
        }
    }
    // Types.
    for (name, before) in &old.types {
        let Some(after) = new.types.get(name) else {
            change(true, format!("type {name} removed"));
            continue;
        };
        match (before, after) {
            (TypeApi::Struct(a), TypeApi::Struct(b)) => {
                for (field, ty) in a {
                    match b.get(field) {
                        None => change(true, format!("type {name}: field {field} removed")),
                        Some(new_ty) if new_ty != ty => change(
                            true,
                            format!("type {name}: field {field} retyped {ty} -> {new_ty}"),
                        ),
                        _ => {}
                    }
                }
                for (field, ty) in b.iter().filter(|(f, _)| !a.contains_key(*f)) {
                    // A new field breaks struct literals of request types; responses only gain data.
                    let in_request = new.request_types.contains(name);
                    let note = if in_request {
                        ", which request bodies built as struct literals must now set"
                    } else {
                        ""
                    };
                    change(
                        in_request,
                        format!("type {name}: field {field}: {ty} added{note}"),
                    );
                }
            }
            (TypeApi::Enum(a), TypeApi::Enum(b)) => {
                for value in a.difference(b) {
                    change(true, format!("enum {name}: value {value:?} removed"));
                }
                for value in b.difference(a) {
                    change(
                        false,
                        format!(
                            "enum {name}: value {value:?} added (was Unknown({value:?}) before)"
                        ),
                    );
                }
            }
            (a, b) if a != b => change(true, format!("type {name} redefined")),
            _ => {}
        }
    }
    for name in new.types.keys().filter(|n| !old.types.contains_key(*n)) {
        change(false, format!("type {name} added"));
    }
    // Auth and credentials.
    for credential in new.credentials.difference(&old.credentials) {
        change(true, format!("credential {credential} now required"));
    }
    for credential in old.credentials.difference(&new.credentials) {
        change(false, format!("credential {credential} no longer used"));
    }
    for (name, scheme) in &new.auth {
        match old.auth.get(name) {
            Some(before) if before != scheme => {
                change(
                    false,
                    format!("auth {name} changed (the runtime applies it): {before} -> {scheme}"),
                );
            }
            None => change(false, format!("auth {name} added: {scheme}")),
            _ => {}
        }
    }
    changes
}
