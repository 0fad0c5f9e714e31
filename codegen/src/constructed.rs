//! Which generated types a caller constructs. typify writes a builder (a struct, its
//! `Default`, a setter per field, conversions both ways, and `T::builder()`) for every struct,
//! but a caller builds only what it sends: request bodies, parameters, and what they contain.
//! A type that only comes back from the vendor is read by serde and never built, so its builder
//! is dead code that every user compiles (39% of PayPal Orders' generated lines, 48% of Adyen
//! Checkout's). The types a caller can send are those the operation builders' fields name, and
//! every type those reach; the builders of the others are left out.

use std::collections::BTreeSet;

use proc_macro2::TokenTree;

use crate::items::Item;
use crate::typegraph::TypeGraph;

/// The names of the types a caller may construct.
#[derive(Debug)]
pub(crate) struct Constructed {
    names: BTreeSet<String>,
    /// Every builder kept: the output is not shaped as expected (no client or no types
    /// module), and a builder left out that a caller needs would not compile.
    keep_all: bool,
}

impl Constructed {
    /// From the type graph: the client's operation builders' structs (each operation's
    /// inputs) give the roots; the `types` module's definitions, what each type reaches.
    pub(crate) fn of(graph: &TypeGraph) -> Self {
        Self {
            names: graph.reach(&graph.inputs, |_| true),
            keep_all: !graph.complete,
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

fn mentions_builder(item: &Item) -> bool {
    let mut found = false;
    for tree in &item.tokens {
        crate::typegraph::walk_tree(tree, &mut |tree| {
            found |= matches!(tree, TokenTree::Ident(i) if i == "builder");
        });
        if found {
            break;
        }
    }
    found
}
