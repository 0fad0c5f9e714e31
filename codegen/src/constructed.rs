//! Which generated types a caller constructs. typify writes a builder (a struct, its
//! `Default`, a setter per field, conversions both ways, and `T::builder()`) for every struct,
//! but a caller builds only what it sends: request bodies, parameters, and what they contain.
//! A type that only comes back from the vendor is read by serde and never built, so its builder
//! is dead code that every user compiles (39% of PayPal Orders' generated lines, 48% of Adyen
//! Checkout's). The types a caller can send are those the operation builders' fields name, and
//! every type those reach; the builders of the others are left out.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Delimiter, TokenStream, TokenTree};

use crate::items::{Item, Kind};

/// The names of the types a caller may construct.
#[derive(Debug)]
pub(crate) struct Constructed {
    names: BTreeSet<String>,
    /// Every builder kept: the output is not shaped as expected (no client or no types
    /// module), and a builder left out that a caller needs would not compile.
    keep_all: bool,
}

impl Constructed {
    /// From progenitor's items: the client's `builder` module (its structs hold each operation's
    /// inputs) gives the roots; the `types` module's definitions, what each type reaches.
    pub(crate) fn of(items: &[Item]) -> Self {
        let module = |wanted: &str| {
            items
                .iter()
                .find(|item| item.kind() == Kind::Module(wanted.to_owned()))
        };
        let (Some(types), Some(client)) = (module("types"), module("builder")) else {
            return Self {
                names: BTreeSet::new(),
                keep_all: true,
            };
        };
        let mut roots = BTreeSet::new();
        for item in crate::items::split(body_of(client)) {
            if item.kind() == Kind::Struct {
                names_after_types(&item.into_stream(), &mut roots);
            }
        }
        let graph = type_graph(body_of(types));
        let mut names = BTreeSet::new();
        let mut todo: Vec<String> = roots.into_iter().collect();
        while let Some(name) = todo.pop() {
            if let Some(reached) = graph.get(&name)
                && names.insert(name)
            {
                todo.extend(reached.iter().cloned());
            }
        }
        Self {
            names,
            keep_all: false,
        }
    }

    /// Whether a caller may construct the type of this name.
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.keep_all || self.names.contains(name)
    }

    /// Whether an item of the `types` module belongs to a builder nobody can use: an impl of a
    /// type no caller constructs that names `builder` (`T::builder()`, the conversion from the
    /// builder).
    pub(crate) fn is_unused_builder_impl(&self, item: &Item) -> bool {
        item.self_type().is_some_and(|name| !self.contains(&name)) && mentions_builder(item)
    }

    /// Whether an item of typify's `builder` module is for a type no caller constructs.
    pub(crate) fn is_unused_builder_item(&self, item: &Item) -> bool {
        item.defined_name()
            .or_else(|| item.self_type())
            .is_some_and(|name| !self.contains(&name))
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
/// types its definition names.
fn type_graph(types: TokenStream) -> BTreeMap<String, BTreeSet<String>> {
    let definitions: Vec<(String, TokenStream)> = crate::items::split(types)
        .into_iter()
        .filter(|item| matches!(item.kind(), Kind::Struct | Kind::Enum | Kind::Type))
        .filter_map(|item| Some((item.defined_name()?, item.into_stream())))
        .collect();
    let defined: BTreeSet<&str> = definitions.iter().map(|(name, _)| name.as_str()).collect();
    definitions
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
                Ok(item) => syn::visit::Visit::visit_item(&mut paths, &item),
                Err(_) => walk(stream, &mut |tree| {
                    if let TokenTree::Ident(ident) = tree {
                        paths.add(&ident.to_string());
                    }
                }),
            }
            paths.reached.remove(name);
            (name.clone(), paths.reached)
        })
        .collect()
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

fn mentions_builder(item: &Item) -> bool {
    let mut found = false;
    for tree in &item.tokens {
        walk_tree(tree, &mut |tree| {
            found |= matches!(tree, TokenTree::Ident(i) if i == "builder");
        });
        if found {
            break;
        }
    }
    found
}

/// Every token of a stream, groups entered.
fn walk(stream: &TokenStream, visit: &mut impl FnMut(&TokenTree)) {
    for tree in stream.clone() {
        walk_tree(&tree, visit);
    }
}

fn walk_tree(tree: &TokenTree, visit: &mut impl FnMut(&TokenTree)) {
    visit(tree);
    if let TokenTree::Group(group) = tree {
        walk(&group.stream(), visit);
    }
}
