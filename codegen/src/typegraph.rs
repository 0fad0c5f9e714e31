//! What the generated types name: per type of the `types` module, the other types its
//! definition names; per operation builder of progenitor's client, the types it holds or
//! returns. Read once from progenitor's items and shared by the passes that decide what to keep
//! ([`crate::constructed`]: builders) and what to gate ([`crate::resources`]: features).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Delimiter, TokenStream, TokenTree};

use crate::items::{Item, Kind};

/// The names the generated code's types and operations reach.
#[derive(Debug, Default)]
pub(crate) struct TypeGraph {
    /// Per type defined in the `types` module (outside its `builder` module), the other defined
    /// types its definition names.
    pub edges: BTreeMap<String, BTreeSet<String>>,
    /// Per builder of the client's `builder` module (its name as written), the types its
    /// struct and impls name (`types::X`, `types::builder::X`): what the operation takes and
    /// returns.
    pub operations: BTreeMap<String, BTreeSet<String>>,
    /// The types the builders' structs name: what a caller passes (bodies, parameters).
    pub inputs: BTreeSet<String>,
    /// `pub type X = Y;` between defined types (identical schemas merged): X → Y.
    pub aliases: BTreeMap<String, String>,
    /// Whether progenitor's output had both a `types` and a client `builder` module.
    pub complete: bool,
}

impl TypeGraph {
    /// Reads progenitor's top-level items (without consuming them).
    pub(crate) fn of(items: &[Item]) -> Self {
        let module = |wanted: &str| {
            items
                .iter()
                .find(|item| item.kind() == Kind::Module(wanted.to_owned()))
        };
        let (Some(types), Some(client)) = (module("types"), module("builder")) else {
            return Self::default();
        };
        let mut operations: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut inputs = BTreeSet::new();
        for item in crate::items::split(body_of(client)) {
            let Some(name) = item.defined_name().or_else(|| item.self_type()) else {
                continue;
            };
            let is_struct = item.kind() == Kind::Struct;
            let named = operations.entry(name).or_default();
            let mut found = BTreeSet::new();
            names_after_types(&item.into_stream(), &mut found);
            if is_struct {
                inputs.extend(found.iter().cloned());
            }
            named.extend(found);
        }
        let (edges, aliases) = type_graph(body_of(types));
        Self {
            edges,
            operations,
            inputs,
            aliases,
            complete: true,
        }
    }

    /// Every type reached from `roots` through definitions, entering only the types `enter`
    /// admits (a root is entered like any other type).
    pub(crate) fn reach<'a>(
        &self,
        roots: impl IntoIterator<Item = &'a String>,
        enter: impl Fn(&str) -> bool,
    ) -> BTreeSet<String> {
        let mut reached = BTreeSet::new();
        let mut todo: Vec<&String> = roots.into_iter().collect();
        while let Some(name) = todo.pop() {
            if let Some(next) = self.edges.get(name)
                && enter(name)
                && reached.insert(name.clone())
            {
                todo.extend(next.iter());
            }
        }
        reached
    }
}

/// A module item's body tokens (a copy: the item is read, not consumed).
fn body_of(item: &Item) -> TokenStream {
    item.tokens
        .iter()
        .rev()
        .find_map(|tree| match tree {
            TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => {
                Some(group.stream())
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// Every `types :: NAME` (and `types :: builder :: NAME`) in a stream.
fn names_after_types(stream: &TokenStream, out: &mut BTreeSet<String>) {
    let mut previous: Vec<String> = Vec::with_capacity(4);
    walk(stream, &mut |tree| {
        if let TokenTree::Ident(ident) = tree {
            let name = ident.to_string();
            let after_types = matches!(
                previous.as_slice(),
                [.., t, c1, c2] if t == "types" && c1 == ":" && c2 == ":"
            ) || matches!(
                previous.as_slice(),
                [.., t, c1, c2, b, c3, c4]
                    if t == "types" && c1 == ":" && c2 == ":" && b == "builder" && c3 == ":" && c4 == ":"
            );
            if after_types && name != "builder" {
                out.insert(name.clone());
            }
            previous.push(name);
        } else if let TokenTree::Punct(punct) = tree {
            previous.push(punct.as_char().to_string());
        }
        if previous.len() > 8 {
            previous.remove(0);
        }
    });
}

/// Per type defined in the `types` module (outside its `builder` module), the other defined
/// types its definition names; and the aliases among them.
fn type_graph(
    types: TokenStream,
) -> (BTreeMap<String, BTreeSet<String>>, BTreeMap<String, String>) {
    let definitions: Vec<(String, TokenStream)> = crate::items::split(types)
        .into_iter()
        .filter(|item| matches!(item.kind(), Kind::Struct | Kind::Enum | Kind::Type))
        .filter_map(|item| Some((item.defined_name()?, item.into_stream())))
        .collect();
    let defined: BTreeSet<&str> = definitions.iter().map(|(name, _)| name.as_str()).collect();
    let mut aliases = BTreeMap::new();
    let edges = definitions
        .iter()
        .map(|(name, stream)| {
            let mut paths = Paths {
                defined: &defined,
                reached: BTreeSet::new(),
            };
            // Types are read where the definition names them as types (a field's, a variant's
            // payload), not wherever a word matches: Stripe's string enums have variants named
            // like its objects (`Account`), which would make every object reachable.
            match syn::parse2::<syn::Item>(stream.clone()) {
                Ok(item) => {
                    if let syn::Item::Type(alias) = &item
                        && let syn::Type::Path(target) = alias.ty.as_ref()
                        && let Some(target) = target.path.get_ident().map(|i| i.to_string())
                        && defined.contains(target.as_str())
                    {
                        aliases.insert(name.clone(), target);
                    }
                    syn::visit::Visit::visit_item(&mut paths, &item)
                }
                Err(_) => walk(stream, &mut |tree| {
                    if let TokenTree::Ident(ident) = tree {
                        paths.add(&ident.to_string());
                    }
                }),
            }
            paths.reached.remove(name);
            (name.clone(), paths.reached)
        })
        .collect();
    (edges, aliases)
}

/// The defined types a definition names in its paths (`Option<Box<Customer>>` → `Customer`).
struct Paths<'a> {
    defined: &'a BTreeSet<&'a str>,
    reached: BTreeSet<String>,
}

impl Paths<'_> {
    fn add(&mut self, word: &str) {
        if self.defined.contains(word) {
            self.reached.insert(word.to_owned());
        }
    }
}

impl<'ast> syn::visit::Visit<'ast> for Paths<'_> {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        for segment in &path.segments {
            self.add(&segment.ident.to_string());
        }
        syn::visit::visit_path(self, path);
    }
}

/// The module words a path to a generated type may start with (`super::types::builder::X`).
pub(crate) const MODULE_WORDS: [&str; 5] = ["super", "types", "builder", "crate", "self"];

/// The names in `known` that a stream names as types, read token by token: a word counts
/// unless it follows `::` after something other than a module word (`Self::Account`, a
/// variant, and `::std::…` do not count; `super::Customer` and a bare `Customer` do). In a
/// submodule of `types` (`prefixed`), a bare word is not one of its types (`Result` there is
/// the prelude's, whatever the vendor named a schema): only `super::Customer` counts.
pub(crate) fn named_in_tokens(
    stream: &TokenStream,
    known: &impl Fn(&str) -> bool,
    prefixed: bool,
) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    // The last three tokens: a word, or a punctuation character.
    let mut last: [Option<String>; 3] = [None, None, None];
    walk(stream, &mut |tree| {
        let word = match tree {
            TokenTree::Ident(ident) => ident.to_string(),
            TokenTree::Punct(punct) => punct.as_char().to_string(),
            TokenTree::Group(_) => {
                last = [None, None, None];
                return;
            }
            TokenTree::Literal(_) => String::from("\""),
        };
        if matches!(tree, TokenTree::Ident(_)) && known(&word) {
            let after_path =
                matches!((&last[1], &last[2]), (Some(a), Some(b)) if a == ":" && b == ":");
            // `type Error = …;` declares an associated type: its name is not a use of a
            // schema that happens to be called `Error` (Stripe has one).
            let declared = last[2].as_deref() == Some("type");
            let counts = !declared
                && (!after_path && !prefixed
                    || after_path
                        && last[0]
                            .as_deref()
                            .is_some_and(|before| MODULE_WORDS.contains(&before)));
            if counts {
                named.insert(word.clone());
            }
        }
        last = [last[1].take(), last[2].take(), Some(word)];
    });
    named
}

/// Every token of a stream, groups entered (a group is visited before its contents).
pub(crate) fn walk(stream: &TokenStream, visit: &mut impl FnMut(&TokenTree)) {
    for tree in stream.clone() {
        walk_tree(&tree, visit);
    }
}

pub(crate) fn walk_tree(tree: &TokenTree, visit: &mut impl FnMut(&TokenTree)) {
    visit(tree);
    if let TokenTree::Group(group) = tree {
        walk(&group.stream(), visit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn a_word_is_a_type_where_it_is_not_a_variant_or_a_foreign_path() {
        let known = |word: &str| ["Customer", "Account", "Charge", "Wrapper"].contains(&word);
        let item = quote! {
            impl ::std::convert::From<super::Customer> for Wrapper {
                fn from(value: super::Customer) -> Self {
                    match kind { Self::Account => Wrapper::Charge, _ => ::other::Account }
                }
            }
        };
        let named = named_in_tokens(&item, &known, false);
        assert_eq!(
            named.into_iter().collect::<Vec<_>>(),
            ["Customer", "Wrapper"]
        );
        let named = named_in_tokens(&item, &known, true);
        assert_eq!(named.into_iter().collect::<Vec<_>>(), ["Customer"]);
    }

    #[test]
    fn an_associated_type_named_like_a_schema_is_not_a_use_of_it() {
        let known = |word: &str| ["Error", "Status"].contains(&word);
        let item = quote! {
            impl ::std::convert::TryFrom<&str> for Status {
                type Error = self::error::ConversionError;
                fn try_from(value: &str) -> Result<Self, Self::Error> { value.parse() }
            }
        };
        let named = named_in_tokens(&item, &known, false);
        assert_eq!(named.into_iter().collect::<Vec<_>>(), ["Status"]);
    }
}
