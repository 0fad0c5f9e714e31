//! Large values on the heap. typify holds the payload of an enum's tuple variant by value, so
//! a type that may be one of several objects is as large as the largest, and objects that
//! nest such types grow with every level: Stripe's `Customer` (expandable fields, each
//! "an id or the whole object") was 2.4 MB by value, enough to overflow a thread's stack in a
//! debug build. Each variant holding a generated type gets it boxed instead (serde reads and
//! writes a `Box` like its content), and the `From` impl typify writes for the variant boxes
//! the value it is given.

use std::collections::{BTreeMap, BTreeSet};

use syn::visit_mut::VisitMut;
use syn::{Expr, Fields, ItemEnum, ItemImpl, Type, parse_quote};

/// Per enum name, the variants boxed.
#[derive(Default)]
pub(crate) struct Boxed {
    variants: BTreeMap<String, BTreeSet<String>>,
}

impl Boxed {
    /// Boxes every variant of `enumeration` that holds one generated type by value; an enum
    /// that derives `Copy` is left as it is (what contains it may rely on it).
    pub(crate) fn box_variants(&mut self, enumeration: &mut ItemEnum) {
        if crate::open_enums::derives_named(&enumeration.attrs, "Copy") {
            return;
        }
        for variant in &mut enumeration.variants {
            let Fields::Unnamed(fields) = &mut variant.fields else {
                continue;
            };
            if fields.unnamed.len() != 1 {
                continue;
            }
            let Some(field) = fields.unnamed.first_mut() else {
                continue;
            };
            if !is_generated_type(&field.ty) {
                continue;
            }
            let inner = field.ty.clone();
            field.ty = parse_quote!(::std::boxed::Box<#inner>);
            self.variants
                .entry(enumeration.ident.to_string())
                .or_default()
                .insert(variant.ident.to_string());
        }
    }

    /// Whether an impl (by its self type's name) may construct a boxed variant.
    pub(crate) fn concerns(&self, self_type: &str) -> bool {
        self.variants.contains_key(self_type)
    }

    /// In an impl of an enum with boxed variants, `Self::Variant(value)` of a boxed variant
    /// becomes `Self::Variant(Box::new(value))`.
    pub(crate) fn box_constructions(&self, implementation: &mut ItemImpl) {
        let Type::Path(self_type) = &*implementation.self_ty else {
            return;
        };
        let Some(name) = self_type.path.segments.last().map(|s| s.ident.to_string()) else {
            return;
        };
        if let Some(variants) = self.variants.get(&name) {
            Constructions {
                enumeration: &name,
                variants,
            }
            .visit_item_impl_mut(implementation);
        }
    }
}

struct Constructions<'a> {
    enumeration: &'a str,
    variants: &'a BTreeSet<String>,
}

impl VisitMut for Constructions<'_> {
    fn visit_expr_mut(&mut self, expression: &mut Expr) {
        syn::visit_mut::visit_expr_mut(self, expression);
        let Expr::Call(call) = expression else {
            return;
        };
        let Expr::Path(function) = &*call.func else {
            return;
        };
        let segments: Vec<String> = function
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let [first, variant] = &segments[..] else {
            return;
        };
        let this = first == "Self" || first == self.enumeration;
        if this && self.variants.contains(variant) && call.args.len() == 1 {
            let value = &call.args[0];
            call.args[0] = parse_quote!(::std::boxed::Box::new(#value));
        }
    }
}

/// A type of the generated module: one CamelCase name, no path, no generics (std types come
/// fully qualified, primitives in lower case).
fn is_generated_type(ty: &Type) -> bool {
    let Type::Path(path) = ty else {
        return false;
    };
    let [segment] = &path.path.segments.iter().collect::<Vec<_>>()[..] else {
        return false;
    };
    path.qself.is_none()
        && path.path.leading_colon.is_none()
        && segment.arguments.is_none()
        && segment
            .ident
            .to_string()
            .starts_with(|c: char| c.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    #[test]
    fn generated_types_in_variants_are_boxed_and_their_from_impls_follow() {
        let mut boxed = Boxed::default();
        let mut enumeration: ItemEnum = parse_quote! {
            #[derive(Clone, Debug)]
            #[serde(untagged)]
            pub enum ChargeCustomer {
                String(::std::string::String),
                Customer(Customer),
                Deleted(::std::boxed::Box<DeletedCustomer>),
                Count(i64),
            }
        };
        boxed.box_variants(&mut enumeration);
        let text = enumeration.to_token_stream().to_string();
        assert!(
            text.contains("Customer (:: std :: boxed :: Box < Customer >)"),
            "{text}"
        );
        assert!(
            text.contains("String (:: std :: string :: String)"),
            "{text}"
        );
        assert!(text.contains("Count (i64)"), "{text}");
        let mut from: ItemImpl = parse_quote! {
            impl ::std::convert::From<Customer> for ChargeCustomer {
                fn from(value: Customer) -> Self { Self::Customer(value) }
            }
        };
        assert!(boxed.concerns("ChargeCustomer"));
        boxed.box_constructions(&mut from);
        let text = from.to_token_stream().to_string();
        assert!(
            text.contains("Self :: Customer (:: std :: boxed :: Box :: new (value))"),
            "{text}"
        );
        let mut copy: ItemEnum = parse_quote! {
            #[derive(Clone, Copy)]
            pub enum Small { A(Flag) }
        };
        boxed.box_variants(&mut copy);
        assert!(!boxed.concerns("Small"));
    }
}
