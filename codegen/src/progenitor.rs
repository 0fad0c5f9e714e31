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
    match quietly(|| Generator::new(&settings).generate_tokens(&vendor.spec)) {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => {
            Err(Diagnostic::new(file, "", format!("progenitor rejected the spec: {e}")).into())
        }
        Err(panic) => Err(Diagnostic::new(
            file,
            "",
            format!("progenitor failed on the spec (a construct it does not support): {panic}"),
        )
        .into()),
    }
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
