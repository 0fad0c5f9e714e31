//! Gating the generated items by resource ([`crate::resources`]): as `#[cfg(feature = …)]`
//! attributes (a generated crate's features), or decided at generation time (a build script's
//! chosen resources: what is off is not written at all).
//!
//! Items are gated as token streams (an attribute in front), and parsed only when a field, a
//! variant or a method must exist twice: typed by another resource's object when that resource
//! is on, any JSON when it is off.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

use crate::resources::{Cond, Partition, Resources};
use crate::typegraph::named_in_tokens;

/// Where in the `types` module an item is (what its bare names refer to).
pub(crate) enum Place {
    /// The module itself: an impl (of this type).
    Types { self_type: Option<String> },
    /// typify's `builder` module: a builder's struct (`defined`) or impl (`self_type`).
    Builders {
        self_type: Option<String>,
        defined: Option<String>,
    },
    /// Another submodule (`defaults`, `error`).
    Submodule,
}

/// How conditions are carried out.
enum Mode {
    /// As `cfg` attributes.
    Attributes,
    /// Now: an item whose condition fails is left out.
    Decided(BTreeSet<String>),
}

/// The partition of one vendor and how it is applied.
pub(crate) struct Gates {
    pub(crate) partition: Partition,
    mode: Mode,
    /// Every type the `types` module defines.
    defined: BTreeSet<String>,
}

impl Gates {
    /// The gates for a choice of resources (`None` for [`Resources::All`]).
    pub(crate) fn new(
        partition: Partition,
        resources: &Resources,
        defined: BTreeSet<String>,
    ) -> Option<Self> {
        let mode = match resources {
            Resources::All => return None,
            Resources::Features => Mode::Attributes,
            Resources::Only(enabled) => Mode::Decided(enabled.clone()),
        };
        Some(Self {
            partition,
            mode,
            defined,
        })
    }

    /// The resources named in `Only` that the vendor does not have.
    pub(crate) fn unknown_resources(&self) -> Vec<String> {
        match &self.mode {
            Mode::Decided(enabled) => enabled
                .iter()
                .filter(|name| !self.partition.resources.contains_key(*name))
                .cloned()
                .collect(),
            Mode::Attributes => Vec::new(),
        }
    }

    /// Whether an operation is generated (always, with attributes: its feature decides).
    pub(crate) fn generates(&self, operation: &str) -> bool {
        match &self.mode {
            Mode::Attributes => true,
            Mode::Decided(enabled) => self.partition.operation_cond(operation).holds(enabled),
        }
    }

    /// An item under a condition: with its attribute, as it is, or left out.
    pub(crate) fn wrap(&self, cond: &Cond, item: TokenStream) -> Option<TokenStream> {
        match &self.mode {
            Mode::Attributes if *cond == Cond::Always => Some(item),
            Mode::Attributes => {
                let predicate = cond.predicate();
                Some(quote!(#[cfg(#predicate)] #item))
            }
            Mode::Decided(enabled) => cond.holds(enabled).then_some(item),
        }
    }

    /// An operation's glue (table entry, dispatch arm) under its operation's condition.
    pub(crate) fn operation(&self, id: &str, item: TokenStream) -> Option<TokenStream> {
        self.wrap(&self.partition.operation_cond(id), item)
    }

    /// An item of progenitor's client `builder` module: an operation's builder is gated by its
    /// operation; anything else is kept.
    pub(crate) fn client_builder_item(
        &self,
        name: Option<String>,
        item: TokenStream,
    ) -> Option<TokenStream> {
        match name.and_then(|name| self.partition.builder_cond(&name)) {
            Some(cond) => self.wrap(&cond, item),
            None => Some(item),
        }
    }

    /// An `impl Client` block: each method returning an operation's builder gated by it.
    pub(crate) fn client_impl(&self, item: TokenStream) -> syn::Result<Option<TokenStream>> {
        let mut implementation: syn::ItemImpl = syn::parse2(item)?;
        let mut methods = Vec::new();
        for member in std::mem::take(&mut implementation.items) {
            let cond = match &member {
                syn::ImplItem::Fn(f) => returned_builder(&f.sig.output)
                    .and_then(|b| self.partition.builder_cond(&b))
                    .unwrap_or(Cond::Always),
                _ => Cond::Always,
            };
            methods.extend(self.conditioned(&cond, member));
        }
        implementation.items = methods;
        Ok(Some(implementation.into_token_stream()))
    }

    /// A definition of the `types` module (struct, enum, alias): under its type's condition,
    /// each field or variant holding another resource's object twice.
    pub(crate) fn definition(
        &self,
        name: &str,
        named: &BTreeSet<String>,
        item: TokenStream,
    ) -> syn::Result<Option<TokenStream>> {
        let cond = self.partition.type_cond(name);
        let cut = self.partition.cut(name, named);
        if cut.is_empty() {
            return Ok(self.wrap(&cond, item));
        }
        let parsed: syn::Item = syn::parse2(item)?;
        let out = match parsed {
            syn::Item::Struct(mut s) => {
                s.fields = self.fields(s.fields, &cut);
                s.into_token_stream()
            }
            syn::Item::Enum(mut e) => {
                let variants = std::mem::take(&mut e.variants);
                for variant in variants {
                    let variant_named = named_in_fields(&variant.fields, &self.defined);
                    let holds = condition_of(&cut, &variant_named);
                    if holds == Cond::Always {
                        e.variants.push(variant);
                        continue;
                    }
                    let mut degraded = variant.clone();
                    degraded.fields = as_json(degraded.fields, &cut);
                    for (cond, mut v) in [(holds.clone(), variant), (negate(holds), degraded)] {
                        if let Some(attr) = self.attribute(&cond) {
                            v.attrs.insert(0, attr);
                        }
                        if self.kept(&cond) {
                            e.variants.push(v);
                        }
                    }
                }
                e.into_token_stream()
            }
            other => {
                // An alias is written twice, each copy under the type's condition too (one
                // attribute in front of two items would gate only the first).
                let holds = condition_of(&cut, named);
                let mut degraded = other.clone();
                JsonFor { cut: &cut }.visit_item_mut(&mut degraded);
                let typed_cond = cond.clone().and(holds.clone());
                let typed = self.wrap(&typed_cond, other.into_token_stream());
                let json_cond = cond.and(negate(holds));
                let json = self.wrap(&json_cond, degraded.into_token_stream());
                return Ok(Some(quote!(#typed #json)));
            }
        };
        Ok(self.wrap(&cond, out))
    }

    /// Any other item of the `types` module (an impl, a builder of `types::builder`, a
    /// default's function): an inherent impl or a builder struct under its type's condition,
    /// methods and fields holding another resource's object twice; a trait impl or anything
    /// else under the conditions of every type it names.
    pub(crate) fn types_item(
        &self,
        place: Place,
        item: TokenStream,
    ) -> syn::Result<Option<TokenStream>> {
        let known = |word: &str| self.defined.contains(word);
        // A builder's every item is its type's (`impl Default for Foo` is the builder's own);
        // in `types`, a trait impl may join two types (`impl From<Customer> for Wrapper`).
        let (owner, prefixed) = match place {
            Place::Types { self_type } => (self_type.filter(|_| !is_trait_impl(&item)), false),
            Place::Builders { self_type, defined } => (defined.or(self_type), true),
            Place::Submodule => (None, true),
        };
        let named = named_in_tokens(&item, &known, prefixed);
        let Some(owner) = owner else {
            let cond = named
                .iter()
                .fold(Cond::Always, |c, n| c.and(self.partition.type_cond(n)));
            return Ok(self.wrap(&cond, item));
        };
        let cond = self.partition.type_cond(&owner);
        let cut = self.partition.cut(&owner, &named);
        if cut.is_empty() {
            return Ok(self.wrap(&cond, item));
        }
        let out = match syn::parse2::<syn::Item>(item)? {
            syn::Item::Struct(mut s) => {
                s.fields = self.fields(s.fields, &cut);
                s.into_token_stream()
            }
            syn::Item::Impl(mut implementation) => {
                let mut members = Vec::new();
                for member in std::mem::take(&mut implementation.items) {
                    let member_named = named_in_tokens(&member.to_token_stream(), &known, prefixed);
                    let holds = condition_of(&cut, &member_named);
                    if holds == Cond::Always {
                        members.push(member);
                        continue;
                    }
                    let mut degraded = member.clone();
                    JsonFor { cut: &cut }.visit_impl_item_mut(&mut degraded);
                    members.extend(self.conditioned(&holds, member));
                    members.extend(self.conditioned(&negate(holds), degraded));
                }
                implementation.items = members;
                implementation.into_token_stream()
            }
            other => other.into_token_stream(),
        };
        Ok(self.wrap(&cond, out))
    }

    /// Fields, each holding a cut type present twice.
    fn fields(&self, fields: syn::Fields, cut: &BTreeMap<String, String>) -> syn::Fields {
        let mut fields = fields;
        let list = match &mut fields {
            syn::Fields::Named(named) => &mut named.named,
            syn::Fields::Unnamed(unnamed) => &mut unnamed.unnamed,
            syn::Fields::Unit => return fields,
        };
        let mut out = syn::punctuated::Punctuated::new();
        for field in std::mem::take(list) {
            let mut found = TypeNames::new(&self.defined);
            found.visit_type(&field.ty);
            let holds = condition_of(cut, &found.named);
            if holds == Cond::Always {
                out.push(field);
                continue;
            }
            let mut degraded = field.clone();
            JsonFor { cut }.visit_type_mut(&mut degraded.ty);
            for (cond, mut f) in [(holds.clone(), field), (negate(holds), degraded)] {
                if let Some(attr) = self.attribute(&cond) {
                    f.attrs.insert(0, attr);
                }
                if self.kept(&cond) {
                    out.push(f);
                }
            }
        }
        *list = out;
        fields
    }

    /// An impl member under a condition (none, or one with its attribute).
    fn conditioned(&self, cond: &Cond, mut member: syn::ImplItem) -> Option<syn::ImplItem> {
        if !self.kept(cond) {
            return None;
        }
        if let (Some(attr), syn::ImplItem::Fn(f)) = (self.attribute(cond), &mut member) {
            f.attrs.insert(0, attr);
        }
        Some(member)
    }

    fn attribute(&self, cond: &Cond) -> Option<syn::Attribute> {
        match self.mode {
            Mode::Attributes if *cond != Cond::Always => {
                let predicate = cond.predicate();
                Some(syn::parse_quote!(#[cfg(#predicate)]))
            }
            _ => None,
        }
    }

    fn kept(&self, cond: &Cond) -> bool {
        match &self.mode {
            Mode::Attributes => true,
            Mode::Decided(enabled) => cond.holds(enabled),
        }
    }
}

/// The condition under which a part naming `named` keeps its types: every owner of a cut type
/// it names enabled.
fn condition_of(cut: &BTreeMap<String, String>, named: &BTreeSet<String>) -> Cond {
    named
        .iter()
        .filter_map(|name| cut.get(name))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .fold(Cond::Always, |c, owner| c.and(Cond::feature(owner)))
}

fn negate(cond: Cond) -> Cond {
    Cond::Not(Box::new(cond))
}

fn is_trait_impl(item: &TokenStream) -> bool {
    let mut trees = item.clone().into_iter();
    let mut depth = 0usize;
    for tree in trees.by_ref() {
        match &tree {
            proc_macro2::TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
            proc_macro2::TokenTree::Punct(p) if p.as_char() == '>' => {
                depth = depth.saturating_sub(1)
            }
            proc_macro2::TokenTree::Ident(i) if depth == 0 && i == "for" => return true,
            proc_macro2::TokenTree::Group(g) if g.delimiter() == proc_macro2::Delimiter::Brace => {
                return false;
            }
            _ => {}
        }
    }
    false
}

/// The builder a method returns (`-> builder::PostCustomers<'_>` → `PostCustomers`).
fn returned_builder(output: &syn::ReturnType) -> Option<String> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let syn::Type::Path(path) = ty.as_ref() else {
        return None;
    };
    let segments: Vec<_> = path.path.segments.iter().collect();
    match segments.as_slice() {
        [module, name] if module.ident == "builder" => Some(name.ident.to_string()),
        _ => None,
    }
}

fn named_in_fields(fields: &syn::Fields, defined: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = TypeNames::new(defined);
    for field in fields {
        found.visit_type(&field.ty);
    }
    found.named
}

fn as_json(mut fields: syn::Fields, cut: &BTreeMap<String, String>) -> syn::Fields {
    for field in fields.iter_mut() {
        JsonFor { cut }.visit_type_mut(&mut field.ty);
    }
    fields
}

/// The module words a path to a generated type may start with.
const MODULES: [&str; 5] = ["super", "types", "builder", "crate", "self"];

/// The defined type a path names: its first segment after module words, when it is the last.
fn path_type(path: &syn::Path) -> Option<String> {
    let mut segments = path.segments.iter().peekable();
    while segments
        .peek()
        .is_some_and(|s| MODULES.contains(&s.ident.to_string().as_str()))
    {
        segments.next();
    }
    let segment = segments.next()?;
    segments.next().is_none().then(|| segment.ident.to_string())
}

/// The defined types named in types (`Option<Box<super::Customer>>` → `Customer`).
struct TypeNames<'a> {
    defined: &'a BTreeSet<String>,
    named: BTreeSet<String>,
}

impl<'a> TypeNames<'a> {
    fn new(defined: &'a BTreeSet<String>) -> Self {
        Self {
            defined,
            named: BTreeSet::new(),
        }
    }
}

impl<'ast> Visit<'ast> for TypeNames<'_> {
    fn visit_type_path(&mut self, ty: &'ast syn::TypePath) {
        if ty.qself.is_none()
            && let Some(name) = path_type(&ty.path).filter(|n| self.defined.contains(n))
        {
            self.named.insert(name);
        }
        syn::visit::visit_type_path(self, ty);
    }
}

/// Every type naming a cut type made any JSON (`Option<Customer>` → `Option<Value>`).
struct JsonFor<'a> {
    cut: &'a BTreeMap<String, String>,
}

impl VisitMut for JsonFor<'_> {
    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        if let syn::Type::Path(path) = ty
            && path.qself.is_none()
            && path_type(&path.path).is_some_and(|name| self.cut.contains_key(&name))
        {
            *ty = syn::parse_quote!(::serde_json::Value);
            return;
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_names_the_type_after_its_modules() {
        let path: syn::Path = syn::parse_quote!(super::types::Customer);
        assert_eq!(path_type(&path).as_deref(), Some("Customer"));
        let path: syn::Path = syn::parse_quote!(Customer::Account);
        assert_eq!(path_type(&path), None);
    }

    #[test]
    fn a_cut_type_becomes_json_inside_what_holds_it() {
        let cut = BTreeMap::from([("Customer".to_owned(), "customers".to_owned())]);
        let mut ty: syn::Type =
            syn::parse_quote!(::std::option::Option<::std::boxed::Box<super::Customer>>);
        JsonFor { cut: &cut }.visit_type_mut(&mut ty);
        assert_eq!(
            ty.to_token_stream().to_string(),
            ":: std :: option :: Option < :: std :: boxed :: Box < :: serde_json :: Value > >"
        );
    }
}
