//! Forward-compatible enums. Vendors add status values over time (Rio's list grew); a closed
//! Rust enum would fail a whole response over one new value. Every string enum progenitor
//! generates gets a last variant `Unknown(String)` (`#[serde(untagged)]`: any value not listed
//! lands there, and serialises back unchanged); `Copy` goes, and `Display` learns the variant.

use std::collections::BTreeSet;

use syn::punctuated::Punctuated;
use syn::{Attribute, Fields, Item, ItemEnum, Path, Token, parse_quote};

/// Opens every unit-only enum in the generated `types` module.
pub fn open_enums(file: &mut syn::File) {
    let mut opened = BTreeSet::new();
    let Some(types) = file.items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    }) else {
        return;
    };
    for item in types.iter_mut() {
        if let Item::Enum(enumeration) = item
            && is_string_enum(enumeration)
        {
            enumeration.attrs.iter_mut().for_each(drop_copy);
            enumeration.variants.push(parse_quote! {
                /// A value this version of the spec does not list, kept as the vendor sent it.
                #[serde(untagged)]
                Unknown(::std::string::String)
            });
            opened.insert(enumeration.ident.to_string());
        }
    }
    for item in types.iter_mut() {
        let Item::Impl(implementation) = item else {
            continue;
        };
        let is_display = implementation
            .trait_
            .as_ref()
            .and_then(|(_, path, _)| path.segments.last())
            .is_some_and(|s| s.ident == "Display");
        let syn::Type::Path(self_ty) = implementation.self_ty.as_ref() else {
            continue;
        };
        let named = self_ty
            .path
            .segments
            .last()
            .is_some_and(|s| opened.contains(&s.ident.to_string()));
        if !is_display || !named {
            continue;
        }
        for member in &mut implementation.items {
            let syn::ImplItem::Fn(function) = member else {
                continue;
            };
            for statement in &mut function.block.stmts {
                if let syn::Stmt::Expr(syn::Expr::Match(matching), _) = statement {
                    matching
                        .arms
                        .push(parse_quote! { Self::Unknown(ref value) => f.write_str(value), });
                }
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

fn derives(attribute: &Attribute) -> Vec<Path> {
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
