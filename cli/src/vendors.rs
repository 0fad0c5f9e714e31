//! `payspec vendors`: each vendor with its auth style, credential variables and operations.

use std::fmt::Write as _;

use payspec_runtime::profile::SchemeChoice;

/// The listing, as text.
pub fn listing() -> String {
    let mut out = String::new();
    for vendor in payspec::VENDORS {
        let _ = writeln!(out, "{}  {}", vendor.name, vendor.title);
        match vendor.profile() {
            Ok(profile) => {
                let variables: Vec<String> = profile
                    .credentials
                    .keys()
                    .map(|c| profile.credential_variable(c))
                    .collect();
                let _ = writeln!(out, "  credentials: {}", variables.join(", "));
                for (name, scheme) in &profile.auth.schemes {
                    let marker = if *name == profile.auth.default {
                        " (default)"
                    } else {
                        ""
                    };
                    let _ = writeln!(out, "  auth {name}{marker}: {scheme}");
                }
                for operation in vendor.operations {
                    let auth = match profile.auth.operations.get(operation.id) {
                        Some(SchemeChoice::None) => "  [no auth]".to_owned(),
                        Some(SchemeChoice::Scheme(name)) => format!("  [auth {name}]"),
                        None => String::new(),
                    };
                    let _ = writeln!(
                        out,
                        "  {:<28} {:<6} {}{auth}",
                        operation.id, operation.method, operation.path
                    );
                }
            }
            Err(e) => {
                let _ = writeln!(out, "  (profile unreadable: {e})");
            }
        }
        out.push('\n');
    }
    out
}
