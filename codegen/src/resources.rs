//! One cargo feature per resource. A vendor's operations are grouped into resources (an
//! operation's first tag, else its path's first segment that is neither a version nor a
//! parameter), and every generated item is given the condition under which it compiles:
//!
//! - an operation (its builder, its `Client` method, its table entry and dispatch arm) compiles
//!   with its resource's feature;
//! - a type is *owned* by a resource when that resource's operations alone name it (Stripe's
//!   `Customer`, named only by `/v1/customers…`); each resource reaches the types its operations
//!   name and what those name, but stops at another resource's owned type;
//! - a type compiles with any of the features that reach it (always, when every resource or a
//!   webhook payload reaches it; never, when nothing does);
//! - a field or variant typed by another resource's owned type is that type when its feature is
//!   on, and any JSON (`serde_json::Value`) when it is off.
//!
//! So the features do not depend on each other: Stripe's expandable fields join nearly every
//! object to every other, and a feature that pulled in all it reaches would be all of Stripe.
//! Enabling a resource turns the other resources' fields that hold its objects into its types.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use crate::Vendor;
use crate::typegraph::TypeGraph;

/// Which of a vendor's resources are generated, and how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Resources {
    /// Every operation and type, with no feature gates (the payspec crate's vendors).
    #[default]
    All,
    /// Every operation, each resource behind a cargo feature of its name (`generate --crate`);
    /// a type several resources reach, behind a feature for the set, which the manifest must
    /// have each of them enable ([`crate::Generated::feature_sets`]).
    Features,
    /// Only these resources (a build script's choice, [`crate::Builder::resources`]): the
    /// others are left out, and a field typed by one of their objects is any JSON.
    Only(BTreeSet<String>),
}

/// The resource of an operation with these tags at this path: its first tag, else the first
/// path segment that is neither a version (`v1`) nor a parameter, as a snake_case name cargo
/// accepts as a feature (`default` and `full` are taken).
pub fn resource_name(tags: &[String], path: &str) -> String {
    let from_path = || {
        path.split('/')
            .filter(|segment| !segment.is_empty() && !segment.starts_with('{'))
            .find(|segment| !is_version(segment))
            .unwrap_or("root")
            .to_owned()
    };
    let raw = tags.first().cloned().unwrap_or_else(from_path);
    let name = crate::normalize::snake_case(&raw);
    match name.as_str() {
        "" => "root".to_owned(),
        "default" | "full" => format!("{name}_resource"),
        _ => name,
    }
}

fn is_version(segment: &str) -> bool {
    let digits = segment
        .strip_prefix('v')
        .or_else(|| segment.strip_prefix('V'));
    digits.is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// When an item compiles, over the enabled features.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cond {
    Always,
    /// With any of these features (none: never).
    Any(BTreeSet<String>),
    All(Vec<Cond>),
    Not(Box<Cond>),
}

impl Cond {
    /// With this one feature.
    pub(crate) fn feature(name: &str) -> Self {
        Self::Any(BTreeSet::from([name.to_owned()]))
    }

    /// Both.
    pub(crate) fn and(self, other: Cond) -> Cond {
        match (self, other) {
            (Cond::Always, c) | (c, Cond::Always) => c,
            (a, b) if a == b => a,
            (Cond::All(mut a), b) => {
                a.push(b);
                Cond::All(a)
            }
            (a, b) => Cond::All(vec![a, b]),
        }
    }

    /// Whether it holds with these features enabled.
    pub(crate) fn holds(&self, enabled: &BTreeSet<String>) -> bool {
        match self {
            Cond::Always => true,
            Cond::Any(features) => features.iter().any(|f| enabled.contains(f)),
            Cond::All(all) => all.iter().all(|c| c.holds(enabled)),
            Cond::Not(c) => !c.holds(enabled),
        }
    }

    /// The `cfg` predicate (`feature = "a"`, `any(…)`, `all(…)`, `not(…)`); a set of features
    /// that `sets` names is that one feature.
    pub(crate) fn predicate(&self, sets: &FeatureSets) -> TokenStream {
        match self {
            Cond::Always => quote!(all()),
            Cond::Any(features) if features.len() == 1 => {
                let feature = features.iter().next();
                quote!(feature = #feature)
            }
            Cond::Any(features) => match sets.name(features) {
                Some(feature) => quote!(feature = #feature),
                None => {
                    let features = features.iter();
                    quote!(any(#(feature = #features),*))
                }
            },
            Cond::All(all) => {
                let all = all.iter().map(|c| c.predicate(sets));
                quote!(all(#(#all),*))
            }
            Cond::Not(c) => {
                let c = c.predicate(sets);
                quote!(not(#c))
            }
        }
    }
}

/// Named sets of resources. A type that several resources reach compiles with any of them:
/// rather than list them all in front of each of its items (Stripe: 1,100 items, 19,000
/// lines of `any(feature = …)`), its `cfg` names one feature for the set, which each of those
/// resources' features enables in the crate's manifest.
#[derive(Debug, Default)]
pub(crate) struct FeatureSets {
    by_members: BTreeMap<BTreeSet<String>, String>,
}

impl FeatureSets {
    /// The sets of two or more resources that a type of the partition compiles with (its
    /// [`Partition::type_cond`]).
    pub(crate) fn of(partition: &Partition) -> Self {
        let mut sets = Self::default();
        let mut taken = BTreeSet::new();
        for name in partition.reach.keys() {
            let Cond::Any(members) = partition.type_cond(name) else {
                continue;
            };
            if members.len() < 2 || sets.by_members.contains_key(&members) {
                continue;
            }
            // Named after its members, so that a set keeps its name when others come or go
            // and a regenerated crate's diff shows only what changed.
            let stem = format!("_any_{:016x}", fnv1a(&members));
            let mut name = stem.clone();
            let mut n = 1;
            while !taken.insert(name.clone()) {
                n += 1;
                name = format!("{stem}_{n}");
            }
            sets.by_members.insert(members, name);
        }
        sets
    }

    fn name(&self, members: &BTreeSet<String>) -> Option<&str> {
        self.by_members.get(members).map(String::as_str)
    }

    /// Each set's feature and the resources that enable it.
    pub(crate) fn manifest(&self) -> BTreeMap<String, BTreeSet<String>> {
        self.by_members
            .iter()
            .map(|(members, name)| (name.clone(), members.clone()))
            .collect()
    }
}

/// FNV-1a (64 bits) over the names, each ended by a comma: a name that does not change
/// between runs or Rust versions (std's hasher promises neither). Not a security boundary:
/// a collision only adds a suffix.
fn fnv1a(names: &BTreeSet<String>) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in names.iter().flat_map(|n| n.bytes().chain([b','])) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The vendor's resources, and the condition of each operation and type.
#[derive(Debug, Default)]
pub(crate) struct Partition {
    /// The resources.
    pub(crate) resources: BTreeSet<String>,
    /// An operation's resource, by its id squashed (progenitor names builders after it).
    by_operation: BTreeMap<String, String>,
    /// The resource owning a type (the only one whose operations name it).
    owner: BTreeMap<String, String>,
    /// Per type, the resources that reach it (absent: none).
    reach: BTreeMap<String, BTreeSet<String>>,
    /// Types compiled whatever the features (a webhook payload and what it reaches).
    always: BTreeSet<String>,
}

impl Partition {
    /// The partition of a vendor's generated code, from its operations and type graph.
    pub(crate) fn of(vendor: &Vendor, graph: &TypeGraph) -> Self {
        let operations = vendor
            .operations
            .iter()
            .map(|o| (o.id.as_str(), o.resource.as_str()));
        // A paged operation's `pages()` and `stream()` yield its items' type, which its
        // builder (as progenitor wrote it) does not name.
        let mut items: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for operation in &vendor.operations {
            if let Some(item) = operation.paged.as_ref().and_then(|p| p.item.clone()) {
                items
                    .entry(operation.resource.clone())
                    .or_default()
                    .insert(item);
            }
        }
        // Webhook and callback payloads: verified by functions that are never gated.
        let payloads: BTreeSet<String> = vendor
            .profile
            .callbacks
            .values()
            .map(|c| crate::normalize::rust_type_name(&c.schema))
            .collect();
        Self::from_parts(operations, &items, &payloads, graph)
    }

    /// The partition from each operation's id and resource, the types each resource's
    /// operations name beside their builders' (paged items), the payload types compiled
    /// whatever the features, and the type graph.
    fn from_parts<'a>(
        operations: impl Iterator<Item = (&'a str, &'a str)>,
        also_named: &BTreeMap<String, BTreeSet<String>>,
        payloads: &BTreeSet<String>,
        graph: &TypeGraph,
    ) -> Self {
        let mut partition = Partition::default();
        for (id, resource) in operations {
            partition.resources.insert(resource.to_owned());
            partition
                .by_operation
                .insert(crate::model::squash(id), resource.to_owned());
        }
        let mut roots: BTreeMap<String, BTreeSet<&String>> = BTreeMap::new();
        for (builder, named) in &graph.operations {
            if let Some(resource) = partition.resource_of_builder(builder) {
                // An alias of a merged type stands for it: whoever names one names both.
                let targets = named.iter().filter_map(|n| graph.aliases.get(n));
                let entry = roots.entry(resource.to_owned()).or_default();
                entry.extend(named);
                entry.extend(targets);
            }
        }
        for (resource, named) in also_named {
            roots.entry(resource.clone()).or_default().extend(named);
        }
        let mut naming: BTreeMap<&String, BTreeSet<&String>> = BTreeMap::new();
        for (resource, named) in &roots {
            for name in named {
                naming.entry(name).or_default().insert(resource);
            }
        }
        for (name, resources) in naming {
            if let [only] = resources.iter().collect::<Vec<_>>()[..]
                && !payloads.contains(name)
            {
                partition.owner.insert(name.clone(), (*only).clone());
            }
        }
        let mut reach: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (resource, named) in &roots {
            let enter = |t: &str| partition.owner.get(t).is_none_or(|o| o == resource);
            for name in graph.reach(named.iter().copied(), enter) {
                reach.entry(name).or_default().insert(resource.clone());
            }
        }
        partition.reach = reach;
        partition.always = graph.reach(payloads, |t| !partition.owner.contains_key(t));
        partition
    }

    fn resource_of_builder(&self, builder: &str) -> Option<&str> {
        self.by_operation
            .get(&crate::model::squash(builder))
            .map(String::as_str)
    }

    /// The condition of an operation's builder (by the builder's name), if it is one.
    pub(crate) fn builder_cond(&self, builder: &str) -> Option<Cond> {
        self.resource_of_builder(builder).map(Cond::feature)
    }

    /// The condition of an operation, by its id.
    pub(crate) fn operation_cond(&self, id: &str) -> Cond {
        self.builder_cond(id)
            .unwrap_or_else(|| Cond::Any(BTreeSet::new()))
    }

    /// The condition of a type of the `types` module.
    pub(crate) fn type_cond(&self, name: &str) -> Cond {
        if self.always.contains(name) {
            return Cond::Always;
        }
        match self.reach.get(name) {
            Some(reach) if reach.len() == self.resources.len() => Cond::Always,
            Some(reach) => Cond::Any(reach.clone()),
            None => Cond::Any(BTreeSet::new()),
        }
    }

    /// The types among `named` that a definition of `container` holds as another resource's
    /// object, each with the resource that owns it: typed with that resource's feature, any
    /// JSON without it.
    pub(crate) fn cut<'a>(
        &self,
        container: &str,
        named: impl IntoIterator<Item = &'a String>,
    ) -> BTreeMap<String, String> {
        // Where the container compiles only with the owner's feature, the owner's type is there.
        let container = self.type_cond(container);
        named
            .into_iter()
            .filter_map(|name| {
                let owner = self.owner.get(name)?;
                (container != Cond::feature(owner)).then(|| (name.clone(), owner.clone()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_tags_else_the_first_plain_path_segment() {
        assert_eq!(
            resource_name(&[], "/v1/payment_intents/{intent}/capture"),
            "payment_intents"
        );
        assert_eq!(
            resource_name(&["Customer Groups".into()], "/v2/x"),
            "customer_groups"
        );
        assert_eq!(resource_name(&[], "/{id}"), "root");
        assert_eq!(resource_name(&[], "/v2.1/default"), "default_resource");
        assert_eq!(resource_name(&[], "/paymentLinks/{id}"), "payment_links");
    }

    /// Orders and customers: an order holds a customer (Customer is the customers resource's),
    /// both hold an address (shared), a webhook event holds an order.
    #[test]
    fn each_type_compiles_with_the_resources_that_reach_it_and_stops_at_others_objects() {
        let names = |list: &[&str]| list.iter().map(|n| n.to_string()).collect::<BTreeSet<_>>();
        let graph = TypeGraph {
            edges: BTreeMap::from([
                ("Order".to_owned(), names(&["OrderCustomer", "Address"])),
                ("OrderCustomer".to_owned(), names(&["Customer"])),
                ("Customer".to_owned(), names(&["Address"])),
                ("Address".to_owned(), names(&[])),
                ("Event".to_owned(), names(&["Order"])),
                ("Unused".to_owned(), names(&[])),
            ]),
            operations: BTreeMap::from([
                ("GetOrder".to_owned(), names(&["Order"])),
                ("GetCustomer".to_owned(), names(&["Customer"])),
            ]),
            ..TypeGraph::default()
        };
        let operations = [("get_order", "orders"), ("get_customer", "customers")];
        let none = BTreeMap::new();
        let partition =
            Partition::from_parts(operations.into_iter(), &none, &names(&["Event"]), &graph);
        assert_eq!(
            partition.operation_cond("get_order"),
            Cond::feature("orders")
        );
        // The webhook's event compiles always; the order it holds is the orders resource's
        // (typed with `orders`, JSON without), like the customer an order holds.
        assert_eq!(partition.type_cond("Event"), Cond::Always);
        assert_eq!(partition.type_cond("Order"), Cond::feature("orders"));
        assert_eq!(
            partition.type_cond("OrderCustomer"),
            Cond::feature("orders")
        );
        assert_eq!(partition.type_cond("Customer"), Cond::feature("customers"));
        assert_eq!(
            partition.type_cond("Address"),
            Cond::Always,
            "both reach it"
        );
        assert_eq!(partition.type_cond("Unused"), Cond::Any(BTreeSet::new()));
        let cut = partition.cut("Event", &names(&["Order"]));
        assert_eq!(cut.get("Order").map(String::as_str), Some("orders"));
        let cut = partition.cut("OrderCustomer", &names(&["Customer"]));
        assert_eq!(cut.get("Customer").map(String::as_str), Some("customers"));
        // A resource's own object inside its own types is not cut.
        assert!(partition.cut("Customer", &names(&["Address"])).is_empty());
        assert!(
            partition
                .cut("Order", &names(&["OrderCustomer"]))
                .is_empty()
        );

        // Orders also pages customers (an order's buyers): the customer is then both
        // resources', typed in either.
        let paged = BTreeMap::from([("orders".to_owned(), names(&["Customer"]))]);
        let partition =
            Partition::from_parts(operations.into_iter(), &paged, &BTreeSet::new(), &graph);
        assert_eq!(partition.type_cond("Customer"), Cond::Always);
        assert!(
            partition
                .cut("OrderCustomer", &names(&["Customer"]))
                .is_empty()
        );
    }

    #[test]
    fn a_set_of_resources_is_one_named_feature() {
        let names = |list: &[&str]| list.iter().map(|n| n.to_string()).collect::<BTreeSet<_>>();
        let reach = names;
        let partition = Partition {
            resources: names(&["a", "b", "c"]),
            reach: BTreeMap::from([
                ("Shared".to_owned(), reach(&["a", "b"])),
                ("AlsoShared".to_owned(), reach(&["a", "b"])),
                ("Own".to_owned(), reach(&["a"])),
                ("Everyone".to_owned(), reach(&["a", "b", "c"])),
                ("Payload".to_owned(), reach(&["b", "c"])),
            ]),
            always: names(&["Payload"]),
            ..Partition::default()
        };
        let sets = FeatureSets::of(&partition);
        // One set: one resource needs no name, all resources no gate, a payload is ungated.
        let manifest = sets.manifest();
        assert_eq!(manifest.len(), 1, "{manifest:?}");
        let (name, members) = manifest.iter().next().unwrap();
        assert_eq!(members, &reach(&["a", "b"]));
        // The name depends on the members alone, and cargo accepts it as a feature.
        assert_eq!(name, &format!("_any_{:016x}", fnv1a(&reach(&["a", "b"]))));
        assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        let predicate = partition.type_cond("Shared").and(Cond::feature("c"));
        assert_eq!(
            predicate.predicate(&sets).to_string(),
            format!(r#"all (feature = "{name}" , feature = "c")"#)
        );
        // A set it does not name is listed.
        assert_eq!(
            Cond::Any(reach(&["b", "c"])).predicate(&sets).to_string(),
            r#"any (feature = "b" , feature = "c")"#
        );
    }

    #[test]
    fn conditions_read_as_cfg_predicates_and_evaluate() {
        let c = Cond::feature("a").and(Cond::Not(Box::new(Cond::Any(BTreeSet::from([
            "b".to_owned(),
            "c".to_owned(),
        ])))));
        assert_eq!(
            c.predicate(&FeatureSets::default()).to_string(),
            r#"all (feature = "a" , not (any (feature = "b" , feature = "c")))"#
        );
        let enabled = |names: &[&str]| names.iter().map(|n| n.to_string()).collect();
        assert!(c.holds(&enabled(&["a"])));
        assert!(!c.holds(&enabled(&["a", "c"])));
        assert!(!Cond::Any(BTreeSet::new()).holds(&enabled(&["a"])));
    }
}
