//! progenitor's output read once into a model of the generated API, as progenitor-impl builds
//! one `OperationMethod` model and emits from it: each operation's builder (its setters and the
//! types they take, what `send` returns) and each type (struct fields, enum values). The glue
//! is emitted from it, and `payspec diff` and the API snapshots compare it.

use std::collections::BTreeMap;

use quote::ToTokens;
use syn::{Item, ReturnType};

/// One generated type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeApi {
    /// A struct: fields by Rust name, with their types.
    Struct(BTreeMap<String, String>),
    /// An enum: the wire values it knows.
    Enum(std::collections::BTreeSet<String>),
    /// Anything else (newtypes, aliases), by its definition.
    Other(String),
}

/// One operation's builder.
#[derive(Clone, Default)]
pub struct Builder {
    /// Setters by name, with the type each takes (`TryInto<T>`), rooted at the module.
    pub setters: BTreeMap<String, syn::Type>,
    /// What `send` returns (`T` of `ResponseValue<T>`), rooted at the module.
    pub response: Option<syn::Type>,
}

/// The generated API of one vendor.
#[derive(Clone, Default)]
pub struct Model {
    /// Builders by their name squashed (lower case, no separators: an operationId squashed).
    pub builders: std::collections::HashMap<String, Builder>,
    /// Types by name.
    pub types: BTreeMap<String, TypeApi>,
    /// The names of every type of the `types` module (read even when the types are not).
    pub defined_types: std::collections::BTreeSet<String>,
}

impl Model {
    /// The builder of an operation (progenitor names it after the operationId).
    pub fn builder(&self, operation_id: &str) -> Option<&Builder> {
        self.builders.get(&squash(operation_id))
    }

    /// Reads a type of the `types` module.
    pub fn add_type(&mut self, item: &Item) {
        let (name, definition) = match item {
            Item::Struct(s) => {
                let definition = match &s.fields {
                    syn::Fields::Named(fields) => TypeApi::Struct(
                        fields
                            .named
                            .iter()
                            .filter_map(|f| Some((f.ident.as_ref()?.to_string(), text(&f.ty))))
                            .collect(),
                    ),
                    other => TypeApi::Other(text(other)),
                };
                (s.ident.to_string(), definition)
            }
            Item::Enum(e) => {
                let values = e
                    .variants
                    .iter()
                    .filter(|v| v.ident != "Unknown")
                    .map(|v| serde_rename(&v.attrs).unwrap_or_else(|| v.ident.to_string()))
                    .collect();
                (e.ident.to_string(), TypeApi::Enum(values))
            }
            Item::Type(t) => (t.ident.to_string(), TypeApi::Other(text(&t.ty))),
            _ => return,
        };
        self.types.insert(name, definition);
    }

    /// Reads a builder's impl block of the `builder` module.
    pub fn add_builder(&mut self, implementation: &syn::ItemImpl) {
        let syn::Type::Path(self_ty) = implementation.self_ty.as_ref() else {
            return;
        };
        let Some(name) = self_ty.path.segments.last().map(|s| s.ident.to_string()) else {
            return;
        };
        let builder = self.builders.entry(squash(&name)).or_default();
        for member in &implementation.items {
            let syn::ImplItem::Fn(function) = member else {
                continue;
            };
            if function.sig.ident == "send" {
                builder.response = send_response(&function.sig.output).map(|t| rooted(&t));
            } else if let Some(target) = setter_target(&function.sig) {
                builder
                    .setters
                    .insert(function.sig.ident.to_string(), rooted(&target));
            }
        }
    }
}

/// `T` in a setter's `where V: TryInto<T>`.
pub(crate) fn setter_target(signature: &syn::Signature) -> Option<syn::Type> {
    let predicates = &signature.generics.where_clause.as_ref()?.predicates;
    predicates.iter().find_map(|predicate| {
        let syn::WherePredicate::Type(bound) = predicate else {
            return None;
        };
        bound.bounds.iter().find_map(|b| {
            let syn::TypeParamBound::Trait(t) = b else {
                return None;
            };
            let last = t.path.segments.last().filter(|s| s.ident == "TryInto")?;
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            match args.args.first()? {
                syn::GenericArgument::Type(target) => Some(target.clone()),
                _ => None,
            }
        })
    })
}

/// `T` in `-> Result<ResponseValue<T>, E>`.
fn send_response(output: &ReturnType) -> Option<syn::Type> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    response_type(ty)
}

/// `T` in `Result<ResponseValue<T>, E>`.
pub(crate) fn response_type(ty: &syn::Type) -> Option<syn::Type> {
    let first = |ty: &syn::Type, name: &str| -> Option<syn::Type> {
        let syn::Type::Path(path) = ty else {
            return None;
        };
        let last = path.path.segments.last().filter(|s| s.ident == name)?;
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        match args.args.first()? {
            syn::GenericArgument::Type(inner) => Some(inner.clone()),
            _ => None,
        }
    };
    first(&first(ty, "Result")?, "ResponseValue")
}

/// Types inside `mod builder` are written `super::types::X`; the glue lives at the root.
fn rooted(ty: &syn::Type) -> syn::Type {
    let text = ty.to_token_stream().to_string().replace("super :: ", "");
    syn::parse_str(&text).unwrap_or_else(|_| ty.clone())
}

/// Lower case without separators, to match spec names against progenitor's Rust names.
pub fn squash(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A type as compact, readable text: `Option<Vec<String>>`, `(pub i64)`, `HashMap<String, u8>`.
pub fn text<T: ToTokens>(node: &T) -> String {
    let tokens = node.to_token_stream().to_string();
    let mut out = String::with_capacity(tokens.len());
    let chars: Vec<char> = tokens.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let before = chars[..i].iter().rev().find(|c| **c != ' ').copied();
            let after = chars.get(i + 1).copied();
            let glued = |c: Option<char>| c.is_some_and(|c| ":<>()[]&,".contains(c));
            if glued(before) && before != Some(',') || glued(after) {
                continue;
            }
        }
        out.push(c);
    }
    out.replace(',', ", ")
        .replace(",  ", ", ")
        .replace("::std::option::", "")
        .replace("::std::string::", "")
        .replace("::std::vec::", "")
        .replace("::std::collections::", "")
        .replace("::std::num::", "")
        .replace("::serde_json::", "serde_json::")
        .replace("::chrono::", "chrono::")
        .replace("::uuid::", "uuid::")
        .replace("::payspec_runtime::", "payspec_runtime::")
        .replace("types::", "")
}

/// A variant's or field's `#[serde(rename = "…")]`.
pub(crate) fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_read_as_compact_text() {
        let ty: syn::Type = syn::parse_quote!(
            ::std::option::Option<::serde_json::Map<::std::string::String, ::serde_json::Value>>
        );
        assert_eq!(
            text(&ty),
            "Option<serde_json::Map<String, serde_json::Value>>"
        );
        let fields: syn::FieldsUnnamed = syn::parse_quote!((pub i64));
        assert_eq!(text(&fields), "(pub i64)");
        let reference: syn::Type = syn::parse_quote!(&'a super::types::X);
        assert_eq!(text(&reference), "&'a super::X");
    }
}
