//! Running progenitor: the settings payspec generates with, and its errors and panics turned
//! into degradations located at the schema or operation that caused them (warnings), or into
//! diagnostics on the spec file when nothing can be degraded. A panic is caught on the
//! generating thread only: the process's panic hook is wrapped once (not swapped back and
//! forth, which raced when vendors were generated on parallel threads) and stays quiet on
//! threads that are generating.

use std::borrow::Cow;
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use payspec_profile::NullableKind;
use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use quote::quote;

use crate::Vendor;
use crate::diagnostic::{Diagnostic, Diagnostics};

/// The settings payspec generates with.
fn settings(vendor: &Vendor) -> GenerationSettings {
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
    settings
}

/// progenitor's code for a vendor, and the vendor as generated: unchanged when progenitor
/// takes it whole, else degraded until it does (see [`settle`]).
pub(crate) struct Settled<'a> {
    /// progenitor's code.
    pub tokens: TokenStream,
    /// The vendor the code is of (its spec, operations and warnings).
    pub vendor: Cow<'a, Vendor>,
}

/// At most this many degradations before a vendor is refused: each costs a few runs of
/// progenitor, and a document that needs more is not one payspec reads.
const MAX_DEGRADATIONS: usize = 64;

/// progenitor's code for a vendor. One construct progenitor or typify cannot express costs only
/// itself: bisected to the component schema (then typed as any JSON) or to the operation (its
/// bodies typed as any JSON, else the operation left out), each a warning at its pointer.
pub(crate) fn settle(vendor: &Vendor) -> Result<Settled<'_>, Diagnostics> {
    let settings = settings(vendor);
    let mut vendor = Cow::Borrowed(vendor);
    for _ in 0..=MAX_DEGRADATIONS {
        let message = match run(&settings, &vendor.spec) {
            Ok(tokens) => return Ok(Settled { tokens, vendor }),
            Err(message) => message,
        };
        let degraded = match first_failing_operation(&settings, &vendor.spec) {
            Some(failing) => degrade_operation(&settings, vendor.to_mut(), failing),
            None => match first_failing_schema(&settings, &vendor.spec) {
                Some((name, message)) => degrade_schema(vendor.to_mut(), &name, &message),
                None => false,
            },
        };
        if !degraded {
            let message = format!("the generator cannot express this: {}", one_line(&message));
            return Err(Diagnostic::new(&vendor.files.spec, "", message).into());
        }
    }
    let message = format!(
        "the generator needed more than {MAX_DEGRADATIONS} degradations to express this document: refused"
    );
    Err(Diagnostic::new(&vendor.files.spec, "", message).into())
}

/// A component schema typify cannot type becomes any JSON.
fn degrade_schema(vendor: &mut Vendor, name: &str, message: &str) -> bool {
    let Some(schemas) = vendor.spec.components.as_mut().map(|c| &mut c.schemas) else {
        return false;
    };
    let Some(slot) = schemas.get_mut(name) else {
        return false;
    };
    *slot = openapiv3::ReferenceOr::Item(any_json());
    let pointer = format!("/components/schemas/{}", crate::diagnostic::token(name));
    vendor.warnings.push(Diagnostic::warning(
        &vendor.files.spec,
        pointer,
        format!(
            "typed as any JSON (serde_json::Value): the generator cannot express it: {}",
            one_line(message)
        ),
    ));
    true
}

/// An operation progenitor cannot express: its request and response bodies typed as any JSON
/// if that is enough, else the operation left out.
fn degrade_operation(
    settings: &GenerationSettings,
    vendor: &mut Vendor,
    (path, method, message): (String, String, String),
) -> bool {
    let pointer = format!("/paths/{}/{method}", crate::diagnostic::token(&path));
    let file = vendor.files.spec.clone();
    let id = operation_mut(&mut vendor.spec, &path, &method)
        .and_then(|o| o.operation_id.clone())
        .unwrap_or_default();
    let mut untyped = vendor.spec.clone();
    if let Some(operation) = operation_mut(&mut untyped, &path, &method) {
        untype_bodies(operation);
    }
    let alone = first_operations_matching(&untyped, |p, m| p == path && m == method);
    let message = one_line(&message);
    if run(settings, &alone).is_ok() {
        vendor.spec = untyped;
        vendor.warnings.push(Diagnostic::warning(
            &file,
            pointer,
            format!("operation {id:?}: request and response bodies typed as any JSON (serde_json::Value): the generator cannot express them: {message}"),
        ));
        return true;
    }
    let removed = slot_mut(&mut vendor.spec, &path, &method).and_then(Option::take);
    if removed.is_none() {
        return false;
    }
    vendor.operations.retain(|o| o.pointer != pointer);
    vendor.warnings.push(Diagnostic::warning(
        &file,
        pointer,
        format!("operation {id:?} left out: the generator cannot express it: {message}"),
    ));
    true
}

/// A schema that accepts any JSON (`{}`): typify's `serde_json::Value`.
fn any_json() -> openapiv3::Schema {
    openapiv3::Schema {
        schema_data: Default::default(),
        schema_kind: openapiv3::SchemaKind::Any(Default::default()),
    }
}

/// Every schema of an operation's request and response bodies made any JSON.
fn untype_bodies(operation: &mut openapiv3::Operation) {
    let any = || Some(openapiv3::ReferenceOr::Item(any_json()));
    if let Some(openapiv3::ReferenceOr::Item(body)) = operation.request_body.as_mut() {
        for media in body.content.values_mut() {
            media.schema = any();
        }
    }
    let responses = operation.responses.responses.values_mut();
    for response in responses.chain(operation.responses.default.as_mut()) {
        if let openapiv3::ReferenceOr::Item(response) = response {
            for media in response.content.values_mut() {
                media.schema = any();
            }
        }
    }
}

fn operation_mut<'a>(
    spec: &'a mut openapiv3::OpenAPI,
    path: &str,
    method: &str,
) -> Option<&'a mut openapiv3::Operation> {
    slot_mut(spec, path, method)?.as_mut()
}

/// Where an operation of the document is (`None` inside: no such method on the path).
fn slot_mut<'a>(
    spec: &'a mut openapiv3::OpenAPI,
    path: &str,
    method: &str,
) -> Option<&'a mut Option<openapiv3::Operation>> {
    let openapiv3::ReferenceOr::Item(item) = spec.paths.paths.get_mut(path)? else {
        return None;
    };
    Some(match method {
        "get" => &mut item.get,
        "put" => &mut item.put,
        "post" => &mut item.post,
        "delete" => &mut item.delete,
        "options" => &mut item.options,
        "head" => &mut item.head,
        "patch" => &mut item.patch,
        "trace" => &mut item.trace,
        _ => return None,
    })
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
    let mut kept = 0;
    first_operations_matching(spec, |_, _| {
        kept += 1;
        kept <= count
    })
}

/// The document with only the operations `keep(path, method)` accepts, in document order.
fn first_operations_matching(
    spec: &openapiv3::OpenAPI,
    mut keep: impl FnMut(&str, &str) -> bool,
) -> openapiv3::OpenAPI {
    let mut spec = spec.clone();
    for (path, item) in spec.paths.paths.iter_mut() {
        let openapiv3::ReferenceOr::Item(item) = item else {
            continue;
        };
        for (method, slot) in [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("options", &mut item.options),
            ("head", &mut item.head),
            ("patch", &mut item.patch),
            ("trace", &mut item.trace),
        ] {
            if slot.is_some() && !keep(path, method) {
                *slot = None;
            }
        }
    }
    spec
}

/// Bisects the component schemas (without operations) for the first one whose addition fails,
/// the later ones standing in as any JSON: its name and the message.
fn first_failing_schema(
    settings: &GenerationSettings,
    spec: &openapiv3::OpenAPI,
) -> Option<(String, String)> {
    let bare = first_operations(spec, 0);
    let names: Vec<String> = bare.components.as_ref()?.schemas.keys().cloned().collect();
    let with_first = |count: usize| {
        let mut spec = bare.clone();
        if let Some(components) = spec.components.as_mut() {
            for (_, schema) in components.schemas.iter_mut().skip(count) {
                *schema = openapiv3::ReferenceOr::Item(any_json());
            }
        }
        spec
    };
    run(settings, &with_first(0)).ok()?;
    // Invariant: the first `low` schemas generate, the first `high` do not.
    let (mut low, mut high) = (0, names.len());
    let mut message = run(settings, &bare).err()?;
    while high - low > 1 {
        let middle = (low + high) / 2;
        match run(settings, &with_first(middle)) {
            Ok(_) => low = middle,
            Err(m) => {
                high = middle;
                message = m;
            }
        }
    }
    Some((names.get(high - 1)?.clone(), message))
}

/// Bisects the operations for the first one whose addition fails: its pointer and the message.
fn first_failing_operation(
    settings: &GenerationSettings,
    spec: &openapiv3::OpenAPI,
) -> Option<(String, String, String)> {
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
    Some((path.clone(), method.clone(), message))
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
