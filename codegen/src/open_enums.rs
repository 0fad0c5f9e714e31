//! Forward-compatible enums. Vendors add status values over time (Rio's list grew); a closed
//! Rust enum would fail a whole response over one new value. Every string enum progenitor
//! generates gets a last variant `Unknown(String)` (`#[serde(untagged)]`: any value not listed
//! lands there, and serialises back unchanged); `Copy` goes, and `Display` learns the variant.

use std::collections::BTreeSet;

use syn::punctuated::Punctuated;
use syn::{Attribute, Fields, ItemEnum, ItemImpl, Path, Token, parse_quote};

/// Opens a string enum: adds a variant for unlisted values (`Unknown(String)`, or
/// `UnknownValue(String)` when the vendor lists a value named unknown), drops `Copy`, and marks
/// it `#[non_exhaustive]` (so that a value added later does not break a caller's `match`).
/// Returns the added variant's name, if the enum was one to open.
pub(crate) fn open_enum(enumeration: &mut ItemEnum) -> Option<syn::Ident> {
    if !is_string_enum(enumeration) {
        return None;
    }
    enumeration.attrs.iter_mut().for_each(drop_copy);
    enumeration.attrs.push(parse_quote!(#[non_exhaustive]));
    let taken: BTreeSet<String> = enumeration
        .variants
        .iter()
        .map(|v| v.ident.to_string())
        .collect();
    let name = ["Unknown", "UnknownValue", "Unlisted", "OtherValue"]
        .into_iter()
        .find(|n| !taken.contains(*n))
        .unwrap_or("PayspecUnknown");
    let variant = syn::Ident::new(name, proc_macro2::Span::call_site());
    enumeration.variants.push(parse_quote! {
        /// A value this version of the spec does not list, kept as the vendor sent it.
        #[serde(untagged)]
        #variant(::std::string::String)
    });
    Some(variant)
}

/// Teaches an opened enum's `Display` impl its unlisted-value variant (by enum name).
pub(crate) fn open_display(
    implementation: &mut ItemImpl,
    opened: &std::collections::BTreeMap<String, syn::Ident>,
) {
    let is_display = implementation
        .trait_
        .as_ref()
        .and_then(|(_, path, _)| path.segments.last())
        .is_some_and(|s| s.ident == "Display");
    let variant = match implementation.self_ty.as_ref() {
        syn::Type::Path(self_ty) => self_ty
            .path
            .segments
            .last()
            .and_then(|s| opened.get(&s.ident.to_string())),
        _ => None,
    };
    let (true, Some(variant)) = (is_display, variant) else {
        return;
    };
    for member in &mut implementation.items {
        let syn::ImplItem::Fn(function) = member else {
            continue;
        };
        for statement in &mut function.block.stmts {
            if let syn::Stmt::Expr(syn::Expr::Match(matching), _) = statement {
                matching
                    .arms
                    .push(parse_quote! { Self::#variant(ref value) => f.write_str(value), });
            }
        }
    }
}

/// An enum of unit variants that serde reads (typify's shape for `type: string, enum: […]`).
fn is_string_enum(enumeration: &ItemEnum) -> bool {
    !enumeration.variants.is_empty()
        && enumeration
            .variants
            .iter()
            .all(|v| matches!(v.fields, Fields::Unit))
        && enumeration.attrs.iter().any(|a| {
            derives(a)
                .iter()
                .any(|p| p.segments.last().is_some_and(|s| s.ident == "Deserialize"))
        })
}

/// The paths an attribute derives (none when it is not `#[derive(…)]`).
pub(crate) fn derives(attribute: &Attribute) -> Vec<Path> {
    if !attribute.path().is_ident("derive") {
        return Vec::new();
    }
    attribute
        .parse_args_with(Punctuated::<Path, Token![,]>::parse_terminated)
        .map(|paths| paths.into_iter().collect())
        .unwrap_or_default()
}

fn drop_copy(attribute: &mut Attribute) {
    let paths = derives(attribute);
    if paths.iter().any(|p| p.is_ident("Copy")) {
        let kept = paths.into_iter().filter(|p| !p.is_ident("Copy"));
        *attribute = parse_quote! { #[derive(#(#kept),*)] };
    }
}
