//! One type for identical schemas. A vendor that writes its request bodies inline repeats the
//! same nested schema under every operation that takes it (Stripe's `payment_method_options`
//! under create, update and confirm), and typify names each copy after where it stands
//! (`PostPaymentIntentsBodyCaptureMethod`, `PostPaymentIntentsIntentBodyCaptureMethod`): one
//! type, its impls and its builder per copy. Here types whose definitions, impls and builders
//! are the same but for their names (and docs) become one: the first keeps its code, the others
//! become aliases of it (`pub type PostPaymentIntentsIntentBodyCaptureMethod =
//! PostPaymentIntentsBodyCaptureMethod;`), so that every name a caller may use still works.
//!
//! Types are compared as text, each other type named by its representative, so that merging
//! leaves makes their parents equal: rounds run until nothing more merges.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use proc_macro2::{Delimiter, Ident, TokenStream, TokenTree};
use quote::{format_ident, quote};

use crate::items::{Item, Kind};

/// At most this many rounds (each merges a level of nesting).
const ROUNDS: usize = 32;

/// The `types` module's body with identical types merged.
pub(crate) fn merge_identical(body: TokenStream) -> TokenStream {
    let mut items = crate::items::split(body);
    let builders = items
        .iter_mut()
        .find(|item| item.kind() == Kind::Module("builder".to_owned()))
        .and_then(Item::take_body)
        .map(crate::items::split)
        .unwrap_or_default();
    let merged = representatives(&items, &builders);
    if merged.is_empty() {
        return rejoin(items, builders);
    }
    let items = rewrite(items, &merged, false);
    let builders = rewrite(builders, &merged, true);
    rejoin(items, builders)
}

/// The `types` items again, typify's `builder` module given back its items.
fn rejoin(items: Vec<Item>, builders: Vec<Item>) -> TokenStream {
    let mut builders = Some(builders);
    let mut out = TokenStream::new();
    for item in items {
        if item.kind() == Kind::Module("builder".to_owned())
            && let Some(inner) = builders.take()
        {
            let head = item.into_head();
            let body: TokenStream = inner.into_iter().flat_map(|i| i.tokens).collect();
            out.extend(quote!(#head { #body }));
        } else {
            out.extend(item.tokens);
        }
    }
    out
}

/// Per merged type, the type it becomes.
fn representatives(items: &[Item], builders: &[Item]) -> BTreeMap<String, String> {
    let mut order: Vec<String> = Vec::new();
    let mut parts: HashMap<String, Vec<&Item>> = HashMap::new();
    for item in items {
        match item.kind() {
            Kind::Struct | Kind::Enum | Kind::Type => {
                if let Some(name) = item.defined_name() {
                    order.push(name.clone());
                    parts.entry(name).or_default().push(item);
                }
            }
            Kind::Impl { .. } => {
                if let Some(name) = item.self_type() {
                    parts.entry(name).or_default().push(item);
                }
            }
            _ => {}
        }
    }
    for item in builders {
        if let Some(name) = item.defined_name().or_else(|| item.self_type()) {
            parts.entry(name).or_default().push(item);
        }
    }
    let defined: BTreeSet<&str> = order.iter().map(String::as_str).collect();
    let mut merged: BTreeMap<String, String> = BTreeMap::new();
    for _ in 0..ROUNDS {
        let mut first: HashMap<String, &String> = HashMap::new();
        let mut more = false;
        for name in &order {
            if merged.contains_key(name) {
                continue;
            }
            let text = canonical(name, &parts[name], &defined, &merged);
            match first.get(&text) {
                // A name typify defined twice is not an alias of itself.
                Some(representative) if *representative == name => {}
                Some(representative) => {
                    merged.insert(name.clone(), (*representative).clone());
                    more = true;
                }
                None => {
                    first.insert(text, name);
                }
            }
        }
        if !more {
            break;
        }
        resolve_chains(&mut merged);
    }
    merged
}

/// Each merged type mapped to the representative at the end of its chain: a representative
/// that merged in a later round (`A` → `B`, then `B` → `C`) is replaced by where it went, so
/// that every name of one type reads as the same text (two impls of `From<A>` and `From<B>`
/// for `Option<…>` are then seen to be one).
fn resolve_chains(merged: &mut BTreeMap<String, String>) {
    let resolved: Vec<(String, String)> = merged
        .iter()
        .map(|(name, first)| {
            let mut target = first;
            // Every step goes to a name merged strictly earlier in the order: no cycle, but
            // the walk is bounded all the same.
            for _ in 0..merged.len() {
                match merged.get(target) {
                    Some(next) if next != target => target = next,
                    _ => break,
                }
            }
            (name.clone(), target.clone())
        })
        .collect();
    merged.extend(resolved);
}

/// A type's parts as text: its own name as `Self_`, other types by their representatives,
/// docs left out.
fn canonical(
    name: &str,
    parts: &[&Item],
    defined: &BTreeSet<&str>,
    merged: &BTreeMap<String, String>,
) -> String {
    let mut text = String::new();
    for part in parts {
        write_tokens(part.tokens.iter(), name, defined, merged, &mut text);
        text.push('\n');
    }
    text
}

fn write_tokens<'a>(
    tokens: impl Iterator<Item = &'a TokenTree>,
    name: &str,
    defined: &BTreeSet<&str>,
    merged: &BTreeMap<String, String>,
    out: &mut String,
) {
    let mut tokens = tokens.peekable();
    while let Some(tree) = tokens.next() {
        match tree {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                if let Some(TokenTree::Group(g)) = tokens.peek()
                    && g.delimiter() == Delimiter::Bracket
                    && matches!(g.stream().into_iter().next(), Some(TokenTree::Ident(i)) if i == "doc")
                {
                    tokens.next();
                    continue;
                }
                out.push('#');
            }
            TokenTree::Ident(ident) => {
                let word = ident.to_string();
                if word == name {
                    out.push_str("Self_");
                } else if defined.contains(word.as_str()) {
                    out.push_str(merged.get(&word).unwrap_or(&word));
                } else {
                    out.push_str(&word);
                }
                out.push(' ');
            }
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ('(', ')'),
                    Delimiter::Brace => ('{', '}'),
                    Delimiter::Bracket => ('[', ']'),
                    Delimiter::None => (' ', ' '),
                };
                out.push(open);
                let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                write_tokens(inner.iter(), name, defined, merged, out);
                out.push(close);
            }
            TokenTree::Punct(p) => out.push(p.as_char()),
            TokenTree::Literal(literal) => {
                out.push_str(&literal.to_string());
                out.push(' ');
            }
        }
    }
}

/// Items with each merged type's definition replaced by an alias of its representative and
/// its impls dropped; a trait impl that merging made a second copy of is dropped too.
fn rewrite(items: Vec<Item>, merged: &BTreeMap<String, String>, builders: bool) -> Vec<Item> {
    let mut out = Vec::with_capacity(items.len());
    let mut trait_impls: BTreeSet<String> = BTreeSet::new();
    let merged_names: BTreeSet<&str> = merged.keys().map(String::as_str).collect();
    for item in items {
        match item.kind() {
            Kind::Struct | Kind::Enum | Kind::Type => {
                let Some(name) = item.defined_name() else {
                    out.push(item);
                    continue;
                };
                match merged.get(&name) {
                    Some(representative) => out.push(alias(&name, representative, builders)),
                    None => out.push(item),
                }
            }
            Kind::Impl { .. } => {
                if item
                    .self_type()
                    .is_some_and(|name| merged.contains_key(&name))
                {
                    continue;
                }
                if let Some(head) = trait_head(&item, merged, &merged_names)
                    && !trait_impls.insert(head)
                {
                    continue;
                }
                out.push(item);
            }
            _ => out.push(item),
        }
    }
    out
}

/// `pub type NAME = REPRESENTATIVE;`, with a doc saying so.
fn alias(name: &str, representative: &str, builder: bool) -> Item {
    let (name, target): (Ident, Ident) =
        (format_ident!("{name}"), format_ident!("{representative}"));
    let doc = match builder {
        true => format!("The builder of [`super::{representative}`] (an identical schema)."),
        false => format!("The same type as [`{representative}`]: an identical schema."),
    };
    Item {
        tokens: quote!(#[doc = #doc] pub type #name = #target;)
            .into_iter()
            .collect(),
    }
}

/// A trait impl's header (before its body) as text, merged types by their representatives.
fn trait_head(
    item: &Item,
    merged: &BTreeMap<String, String>,
    merged_names: &BTreeSet<&str>,
) -> Option<String> {
    if !item.is_trait_impl() {
        return None;
    }
    let head = item
        .tokens
        .iter()
        .take_while(|t| !matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace));
    let mut text = String::new();
    write_tokens(head, "", merged_names, merged, &mut text);
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_types_become_aliases_of_the_first_and_their_parents_merge_too() {
        let body = quote! {
            #[doc = "first"]
            pub enum ABodyMethod { Automatic, Manual }
            impl ::std::fmt::Display for ABodyMethod { fn fmt(&self) {} }
            pub struct ABody { pub method: Option<ABodyMethod> }
            #[doc = "second"]
            pub enum BBodyMethod { Automatic, Manual }
            impl ::std::fmt::Display for BBodyMethod { fn fmt(&self) {} }
            pub struct BBody { pub method: Option<BBodyMethod> }
            pub enum Other { Automatic }
            pub mod builder {
                pub struct ABody { method: Option<super::ABodyMethod> }
                impl ABody { pub fn method(self) {} }
                pub struct BBody { method: Option<super::BBodyMethod> }
                impl BBody { pub fn method(self) {} }
            }
        };
        let merged = merge_identical(body).to_string();
        assert!(
            merged.contains("pub type BBodyMethod = ABodyMethod ;"),
            "{merged}"
        );
        assert!(merged.contains("pub type BBody = ABody ;"), "{merged}");
        assert!(!merged.contains("for BBodyMethod"), "{merged}");
        assert!(!merged.contains("impl BBody"), "{merged}");
        assert!(merged.contains("pub enum Other"), "{merged}");
        assert_eq!(
            merged.matches("pub type BBody = ABody ;").count(),
            2,
            "{merged}"
        );
    }

    /// `AInner` merges with `BInner` in the first round and `BInner` with `Base` in the next:
    /// every name ends at `Base`, and the two newtypes' `From` impls for `Option<…>`, one
    /// type once merged, are kept once.
    #[test]
    fn a_chain_of_merges_ends_at_one_representative() {
        let body = quote! {
            pub struct Base { pub value: Option<Money> }
            pub struct Money { pub amount: i64 }
            pub struct BInner { pub value: Option<BMoney> }
            pub struct BMoney { pub amount: i64 }
            pub struct AInner { pub value: Option<BMoney> }
            pub struct A(pub Option<AInner>);
            impl ::std::convert::From<A> for ::std::option::Option<AInner> { fn from(value: A) -> Self { value.0 } }
            pub struct B(pub Option<BInner>);
            impl ::std::convert::From<B> for ::std::option::Option<BInner> { fn from(value: B) -> Self { value.0 } }
        };
        let merged = merge_identical(body).to_string();
        for alias in [
            "pub type BMoney = Money ;",
            "pub type BInner = Base ;",
            "pub type AInner = Base ;",
            "pub type B = A ;",
        ] {
            assert!(merged.contains(alias), "{alias} not in {merged}");
        }
        assert_eq!(
            merged.matches("impl :: std :: convert :: From").count(),
            1,
            "{merged}"
        );
    }

    #[test]
    fn a_name_defined_twice_is_not_made_an_alias_of_itself() {
        let body = quote! {
            pub struct Twice { pub a: i64 }
            pub struct Twice { pub a: i64 }
        };
        let merged = merge_identical(body).to_string();
        assert!(!merged.contains("pub type"), "{merged}");
    }

    #[test]
    fn types_that_differ_only_in_an_impl_stay_apart() {
        let body = quote! {
            pub struct Code(String);
            impl ::std::str::FromStr for Code { fn from_str(value: &str) { check("^[A-Z]{3}$") } }
            pub struct Pin(String);
            impl ::std::str::FromStr for Pin { fn from_str(value: &str) { check("^[0-9]{4}$") } }
        };
        let merged = merge_identical(body).to_string();
        assert!(!merged.contains("pub type"), "{merged}");
    }
}
