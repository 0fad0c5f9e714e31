//! Operations served from another host: the spec gives an operation (or its path item) a
//! `servers` list, and its URL must be one of a vendor.yaml server group's (Paywall's private
//! API) or one of the vendor's own servers. The operation then belongs to that group. The
//! entries are removed afterwards: progenitor builds every URL from the client's base URL, and
//! the runtime swaps in the group's base URL for the group's operations.

use serde_json::Value;

use super::{Context, METHODS};
use crate::diagnostic::token;

pub(super) fn assign(doc: &mut Value, context: &mut Context<'_>) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let item_at = format!("/paths/{}", token(path));
        let shared = item.remove("servers");
        for method in METHODS {
            let Some(operation) = item.get_mut(method).and_then(Value::as_object_mut) else {
                continue;
            };
            let at = format!("{item_at}/{method}");
            let (servers, where_) = match operation.remove("servers") {
                Some(own) => (own, format!("{at}/servers")),
                None => match &shared {
                    Some(shared) => (shared.clone(), format!("{item_at}/servers")),
                    None => continue,
                },
            };
            if let Some(group) = group_of(&servers, &where_, context) {
                context.groups.insert(at, group);
            }
        }
    }
}

/// The group whose URLs include the first server's (`None` for the vendor's own servers, or
/// when the URL is nobody's: a problem).
fn group_of(servers: &Value, at: &str, context: &mut Context<'_>) -> Option<String> {
    let Some(url) = servers.pointer("/0/url").and_then(Value::as_str) else {
        context.problem(
            at,
            "an operation's `servers` must list at least one server with a url",
        );
        return None;
    };
    let url = url.trim_end_matches('/');
    let profile = context.profile;
    let same = |candidate: &String| candidate.trim_end_matches('/') == url;
    if profile.servers.values().any(same) {
        return None;
    }
    let found = profile
        .server_groups
        .iter()
        .find(|(_, group)| group.servers.values().any(same))
        .map(|(name, _)| name.clone());
    if found.is_none() {
        let groups: Vec<&str> = profile.server_groups.keys().map(String::as_str).collect();
        context.problem(at, format!(
            "the spec sends this operation to {url:?}, which is neither one of vendor.yaml's servers nor of its server_groups ({}): add it to a group",
            if groups.is_empty() { "none declared".to_owned() } else { groups.join(", ") }
        ));
    }
    found
}
