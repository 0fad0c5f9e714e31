//! What the spec itself says and vendor.yaml leaves unsaid, taken into the profile (vendor.yaml
//! overrides): an operation marked `security: []` is sent without auth, and an operation the
//! spec sends to a host that no server or server group of vendor.yaml names gets a server group
//! of its own, named after the host. A vendor.yaml written before the spec gained either keeps
//! working, and one written from the vendor's auth page alone needs no list of exceptions.

use payspec_profile::{Profile, SchemeChoice, ServerGroup};
use serde_json::Value;

use super::METHODS;
use crate::diagnostic::{Diagnostic, token};
use crate::discover::VendorFiles;

pub(super) fn amend(
    doc: &Value,
    files: &VendorFiles,
    profile: &mut Profile,
    warnings: &mut Vec<Diagnostic>,
) {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return;
    };
    for (path, item) in paths {
        let shared_servers = item.get("servers");
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let at = format!("/paths/{}/{method}", token(path));
            open_operation(operation, profile);
            if let Some(servers) = operation.get("servers").or(shared_servers) {
                server_group(servers, &at, files, profile, warnings);
            }
        }
    }
}

/// `security: []`: no auth, unless vendor.yaml chose a scheme for the operation.
fn open_operation(operation: &Value, profile: &mut Profile) {
    let open = operation
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty);
    let Some(id) = operation.get("operationId").and_then(Value::as_str) else {
        return;
    };
    if open && !profile.auth.operations.contains_key(id) {
        tracing::debug!(
            operation = id,
            "the spec says security: []: sent without auth"
        );
        profile
            .auth
            .operations
            .insert(id.to_owned(), SchemeChoice::None);
    }
}

/// A group for a host vendor.yaml does not know, with the spec's URL in every environment.
fn server_group(
    servers: &Value,
    at: &str,
    files: &VendorFiles,
    profile: &mut Profile,
    warnings: &mut Vec<Diagnostic>,
) {
    let Some(url) = servers.pointer("/0/url").and_then(Value::as_str) else {
        return; // servers::assign reports it
    };
    let url = url.trim_end_matches('/');
    let same = |candidate: &String| candidate.trim_end_matches('/') == url;
    let known = profile.servers.values().any(same)
        || profile
            .server_groups
            .values()
            .any(|group| group.servers.values().any(same));
    // A URL with variables (`https://{site}.example.com`) cannot be a fixed group URL.
    if known || url.contains('{') || !url.contains("://") {
        return;
    }
    let name = group_name(url, profile);
    let environments: Vec<String> = profile.servers.keys().cloned().collect();
    if environments.len() > 1 {
        warnings.push(Diagnostic::warning(
            &files.spec,
            at,
            format!(
                "the spec sends this operation to {url:?}, which vendor.yaml does not name: server group {name:?} uses it in every environment ({}); name it under server_groups to tell them apart",
                environments.join(", ")
            ),
        ));
    }
    let group = ServerGroup {
        description: Some(format!("operations the spec sends to {url}")),
        servers: environments
            .into_iter()
            .map(|environment| (environment, url.to_owned()))
            .collect(),
    };
    profile.server_groups.insert(name, group);
}

/// The host's first label, snake_case (`files.stripe.com` → `files`), made unique.
fn group_name(url: &str, profile: &Profile) -> String {
    let host = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', ':', '.']).next())
        .unwrap_or_default();
    let base = match crate::normalize::snake_case(host) {
        name if name.is_empty() => "server".to_owned(),
        name => name,
    };
    let mut name = base.clone();
    let mut counter = 2;
    while profile.server_groups.contains_key(&name) {
        name = format!("{base}_{counter}");
        counter += 1;
    }
    name
}
