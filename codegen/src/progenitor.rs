//! Running progenitor: the settings payspec generates with, and its errors and panics turned
//! into diagnostics on the spec file. A panic is caught on the generating thread only: the
//! process's panic hook is wrapped once (not swapped back and forth, which raced when vendors
//! were generated on parallel threads) and stays quiet on threads that are generating.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use payspec_profile::NullableKind;
use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use quote::quote;

use crate::Vendor;
use crate::diagnostic::{Diagnostic, Diagnostics};

/// progenitor's code for a vendor.
pub(crate) fn tokens(vendor: &Vendor) -> Result<TokenStream, Diagnostics> {
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type(quote!(::payspec_runtime::Runtime))
        // The hooks are not called: each `send` is rewritten to call the runtime (send.rs).
        .with_hooks(HooksMode::Optional)
        .with_derive("PartialEq");
    // Go-style nullable wrappers become the runtime's optional types (vendor.yaml names them).
    for (schema, kind) in &vendor.profile.nullable_wrappers {
        let target = match kind {
            NullableKind::String => "::payspec_runtime::nullable::NullString",
            NullableKind::Time => "::payspec_runtime::nullable::NullTime",
        };
        settings.with_replacement(schema, target, [TypeImpl::Default].into_iter());
    }
    // The file fields of multipart forms (normalize/multipart.rs).
    settings.with_replacement(
        crate::normalize::FILE_PART,
        "::payspec_runtime::multipart::Part",
        [TypeImpl::Default].into_iter(),
    );
    let file = &vendor.files.spec;
    let message = match run(&settings, &vendor.spec) {
        Ok(tokens) => return Ok(tokens),
        Err(message) => message,
    };
    // Located: the first operation whose addition makes progenitor fail.
    let (pointer, message) = match first_failing_operation(&settings, &vendor.spec) {
        Some((pointer, message)) => (pointer, message),
        None => (
            "/components".to_owned(),
            format!(
                "{message} (the operations alone generate: the problem is in a component schema)"
            ),
        ),
    };
    Err(Diagnostic::new(
        file,
        pointer,
        format!("the generator cannot express this: {}", one_line(&message)),
    )
    .into())
}

/// progenitor over a document; its error or panic as a message.
fn run(settings: &GenerationSettings, spec: &openapiv3::OpenAPI) -> Result<TokenStream, String> {
    match quietly(|| Generator::new(settings).generate_tokens(spec)) {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => Err(panic),
    }
}

/// A message on one line, at most 300 characters (progenitor may print a Debug dump).
fn one_line(message: &str) -> String {
    let line: String = message.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(300) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line,
    }
}

/// The document with only its first `count` operations.
fn first_operations(spec: &openapiv3::OpenAPI, count: usize) -> openapiv3::OpenAPI {
    let mut spec = spec.clone();
    let mut kept = 0;
    for item in spec.paths.paths.values_mut() {
        let openapiv3::ReferenceOr::Item(item) = item else {
            continue;
        };
        for slot in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ] {
            if slot.is_some() {
                if kept >= count {
                    *slot = None;
                }
                kept += 1;
            }
        }
    }
    spec
}

/// Bisects the operations for the first one whose addition fails: its pointer and the message.
fn first_failing_operation(
    settings: &GenerationSettings,
    spec: &openapiv3::OpenAPI,
) -> Option<(String, String)> {
    let operations: Vec<(String, String)> = spec
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            let methods = match item {
                openapiv3::ReferenceOr::Item(item) => {
                    item.iter().map(|(m, _)| m.to_owned()).collect::<Vec<_>>()
                }
                openapiv3::ReferenceOr::Reference { .. } => Vec::new(),
            };
            methods.into_iter().map(move |m| (path.clone(), m))
        })
        .collect();
    run(settings, &first_operations(spec, 0)).ok()?;
    // Invariant: the first `low` operations generate, the first `high` do not.
    let (mut low, mut high) = (0, operations.len());
    let mut message = run(settings, spec).err()?;
    while high - low > 1 {
        let middle = (low + high) / 2;
        match run(settings, &first_operations(spec, middle)) {
            Ok(_) => low = middle,
            Err(m) => {
                high = middle;
                message = m;
            }
        }
    }
    let (path, method) = operations.get(high - 1)?;
    Some((
        format!("/paths/{}/{method}", crate::diagnostic::token(path)),
        message,
    ))
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, catching a panic and returning its message instead of printing it.
fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static WRAP_HOOK: Once = Once::new();
    WRAP_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|quiet| quiet.set(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|quiet| quiet.set(false));
    result.map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "unknown panic".to_owned())
    })
}
