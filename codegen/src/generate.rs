//! Generation: progenitor's client, split into items; only the items payspec changes or reads
//! are parsed (string enums opened and their `Display`; each builder's `send` routed through
//! the runtime and read into the model), the glue emitted from the model, and the whole written
//! out. Formatting (for reading, `payspec generate`) and the types of the API (for snapshots and
//! `payspec diff`) parse the rest on request only.

use proc_macro2::TokenStream;
use quote::ToTokens;

use crate::Vendor;
use crate::api::Api;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::items::{self, Kind};
use crate::model::Model;

/// A vendor's generated module: `<vendor>.rs` and the two files it embeds.
pub struct Generated {
    name: String,
    header: String,
    /// The module's Rust source: as generated (compiles, long lines) or formatted for reading.
    source: String,
    /// `<vendor>.spec.json`: the document as written, overlays applied.
    pub spec_json: String,
    /// `<vendor>.profile.json`: the profile.
    pub profile_json: String,
    /// Every repair and degradation, the vendor's own and generation's (located warnings).
    pub warnings: Vec<Diagnostic>,
    /// The operations generated (an operation the generator cannot express is left out).
    pub operations: Vec<String>,
}

impl Generated {
    /// The Rust source of `<vendor>.rs`.
    pub fn source(&self) -> String {
        format!("{}{}", self.header, self.source)
    }

    /// The Rust source without the header that names where it came from.
    pub fn body(&self) -> String {
        self.source.clone()
    }

    /// Writes `<vendor>.rs`, `<vendor>.spec.json` and `<vendor>.profile.json` into `dir`.
    pub fn write_to(&self, dir: &std::path::Path) -> std::io::Result<()> {
        use std::io::Write as _;
        // The header and the source written one after the other, not joined into a copy.
        let mut file = std::fs::File::create(dir.join(format!("{}.rs", self.name)))?;
        file.write_all(self.header.as_bytes())?;
        file.write_all(self.source.as_bytes())?;
        std::fs::write(
            dir.join(format!("{}.spec.json", self.name)),
            &self.spec_json,
        )?;
        std::fs::write(
            dir.join(format!("{}.profile.json", self.name)),
            &self.profile_json,
        )
    }
}

/// Generates a vendor's module.
pub fn generate(vendor: &Vendor) -> Result<Generated, Diagnostics> {
    let mut emitted = emit(vendor, false)?;
    let source = std::mem::take(&mut emitted.text);
    generated(vendor, source, emitted)
}

/// Generates a vendor's module, formatted for reading.
pub fn generate_formatted(vendor: &Vendor) -> Result<Generated, Diagnostics> {
    let mut emitted = emit(vendor, false)?;
    let file = syn::parse_file(&emitted.text).map_err(|e| unparsable(vendor, e))?;
    emitted.text = String::new();
    generated(vendor, prettyplease::unparse(&file), emitted)
}

/// The generated module of `source` (as emitted, or formatted) and what emitting found.
fn generated(
    vendor: &Vendor,
    source: String,
    emitted: Emitted<'_>,
) -> Result<Generated, Diagnostics> {
    let Emitted {
        settled,
        warnings: emitted_warnings,
        operations: emitted_operations,
        ..
    } = emitted;
    let profile_json = serde_json::to_string(&vendor.profile).map_err(|e| {
        let message = format!("internal error: cannot serialise the profile: {e}");
        Diagnostic::new(&vendor.files.profile, "", message)
    })?;
    Ok(Generated {
        name: vendor.profile.vendor.clone(),
        header: header(vendor),
        source,
        spec_json: vendor.raw_spec.clone(),
        profile_json,
        operations: emitted_operations,
        warnings: settled
            .warnings
            .iter()
            .cloned()
            .chain(emitted_warnings)
            .collect(),
    })
}

/// The public API of a vendor's generated module.
pub(crate) fn api(vendor: &Vendor) -> Result<Api, Diagnostics> {
    let emitted = emit(vendor, true)?;
    Ok(Api::of(&emitted.settled, &emitted.model))
}

struct Emitted<'a> {
    /// The module's source text.
    text: String,
    model: Model,
    /// The vendor as generated (degradations applied).
    settled: std::borrow::Cow<'a, Vendor>,
    /// What emitting degraded (a paged operation's items typed as JSON).
    warnings: Vec<Diagnostic>,
    /// The operations in the module (all, unless a build script chose resources).
    operations: Vec<String>,
}

/// The module's text, written as items are done: each item's tokens are relinked and turned
/// into text at once, so that the module is held as text (an order of magnitude smaller than
/// its tokens) and the tokens of one item at a time, not of all of them.
#[derive(Default)]
struct Output {
    text: String,
}

impl Output {
    fn push(&mut self, stream: TokenStream) {
        use std::fmt::Write as _;
        // Writing into a String cannot fail.
        let _ = write!(self.text, "{} ", crate::relink::relink(stream));
    }

    /// An item that its gate may have left out.
    fn push_gated(&mut self, stream: Option<TokenStream>) {
        if let Some(stream) = stream {
            self.push(stream);
        }
    }

    /// A module: its head, then what `body` pushes, then the closing brace.
    fn module(
        &mut self,
        item: items::Item,
        body: impl FnOnce(&mut Self) -> Result<(), Diagnostics>,
    ) -> Result<(), Diagnostics> {
        self.push(item.into_head());
        self.text.push_str("{ ");
        body(self)?;
        self.text.push_str("} ");
        Ok(())
    }
}

fn header(vendor: &Vendor) -> String {
    format!(
        "// Generated by payspec-codegen from {} and {}. Do not edit: change the spec, its\n// overlays or vendor.yaml, and rebuild. `payspec generate --out DIR` writes it formatted.\n",
        vendor.files.spec.display(),
        vendor.files.profile.display()
    )
}

fn unparsable(vendor: &Vendor, error: syn::Error) -> Diagnostics {
    let message = format!("internal error: progenitor produced unparsable code: {error}");
    Diagnostic::new(&vendor.files.spec, "", message).into()
}

/// progenitor's code with payspec's changes, and the glue; `read_types` also reads every type
/// into the model. Items are taken out of progenitor's stream one by one and written out as
/// text, so that a large vendor's code is never held twice.
fn emit(vendor: &Vendor, read_types: bool) -> Result<Emitted<'_>, Diagnostics> {
    let crate::progenitor::Settled {
        tokens,
        vendor: settled,
    } = crate::progenitor::settle(vendor)?;
    let vendor: &Vendor = &settled;
    let mut model = Model::default();
    let mut out = Output::default();
    let mut warnings = Vec::new();
    let mut items = items::split(tokens);
    if !read_types {
        // The API snapshot reads each type as written; the code merges identical ones.
        merge_identical_types(&mut items);
    }
    let graph = crate::typegraph::TypeGraph::of(&items);
    let constructed = crate::constructed::Constructed::of(&graph);
    let gates = gates(vendor, &graph)?;
    let gates = gates.as_ref();
    for mut item in items {
        let kind = item.kind();
        let body = match &kind {
            Kind::Module(name) if name == "types" || name == "builder" => item.take_body(),
            _ => None,
        };
        match (kind, body) {
            (Kind::Module(name), Some(body)) if name == "types" => out.module(item, |out| {
                let types = Types {
                    read_types,
                    constructed: &constructed,
                    graph: &graph,
                    gates,
                };
                types_module(vendor, body, &mut model, types, out)
            })?,
            (Kind::Module(_), Some(body)) => out.module(item, |out| {
                builder_module(vendor, body, &mut model, out, &mut warnings, gates)
            })?,
            (Kind::Impl { .. }, _)
                if gates.is_some() && item.self_type().as_deref() == Some("Client") =>
            {
                let gated = gates.map(|g| g.client_impl(item.into_stream()));
                out.push_gated(
                    gated
                        .transpose()
                        .map_err(|e| unparsable(vendor, e))?
                        .flatten(),
                );
            }
            _ => out.push(item.into_stream()),
        }
    }
    out.push(crate::glue::tokens(vendor, &model, gates)?);
    let operations = vendor
        .operations
        .iter()
        .filter(|o| gates.is_none_or(|g| g.generates(&o.id)))
        .map(|o| o.id.clone())
        .collect();
    Ok(Emitted {
        text: out.text,
        model,
        settled,
        warnings,
        operations,
    })
}

/// The `types` module with identical types merged ([`crate::dedupe`]).
fn merge_identical_types(items: &mut [items::Item]) {
    if let Some(types) = items
        .iter_mut()
        .find(|item| item.kind() == Kind::Module("types".to_owned()))
        && let Some(body) = types.take_body()
    {
        types.set_body(crate::dedupe::merge_identical(body));
    }
}

/// The gates of a vendor's resources, when it is generated by resource.
fn gates(
    vendor: &Vendor,
    graph: &crate::typegraph::TypeGraph,
) -> Result<Option<crate::gate::Gates>, Diagnostics> {
    let Some(gates) = crate::gate::Gates::of(vendor, graph) else {
        return Ok(None);
    };
    let unknown = gates.unknown_resources();
    if !unknown.is_empty() {
        let known: Vec<&str> = gates
            .partition
            .resources
            .iter()
            .map(String::as_str)
            .collect();
        let message = format!(
            "no resource named {} (this vendor's resources: {})",
            unknown.join(", "),
            known.join(", ")
        );
        return Err(Diagnostic::new(&vendor.files.profile, "", message).into());
    }
    Ok(Some(gates))
}

fn parse<T: syn::parse::Parse>(vendor: &Vendor, item: items::Item) -> Result<T, Diagnostics> {
    syn::parse2(item.into_stream()).map_err(|e| unparsable(vendor, e))
}

/// How the `types` module is written.
#[derive(Clone, Copy)]
struct Types<'a> {
    /// Every type is read into the model too (for the API snapshot).
    read_types: bool,
    /// The types a caller constructs: the others lose their builders.
    constructed: &'a crate::constructed::Constructed,
    /// What each type names.
    graph: &'a crate::typegraph::TypeGraph,
    /// Each item's resource gate, when generated by resource.
    gates: Option<&'a crate::gate::Gates>,
}

impl Types<'_> {
    /// A definition (struct, enum, alias) through its gate.
    fn definition(
        &self,
        vendor: &Vendor,
        name: Option<String>,
        item: TokenStream,
    ) -> Result<Option<TokenStream>, Diagnostics> {
        let (Some(gates), Some(name)) = (self.gates, name) else {
            return Ok(Some(item));
        };
        let empty = std::collections::BTreeSet::new();
        let named = self.graph.edges.get(&name).unwrap_or(&empty);
        gates
            .definition(&name, named, item)
            .map_err(|e| unparsable(vendor, e))
    }

    /// Any other item through its gate.
    fn other(
        &self,
        vendor: &Vendor,
        place: crate::gate::Place,
        item: TokenStream,
    ) -> Result<Option<TokenStream>, Diagnostics> {
        match self.gates {
            Some(gates) => gates
                .types_item(place, item)
                .map_err(|e| unparsable(vendor, e)),
            None => Ok(Some(item)),
        }
    }
}

/// The `types` module: string enums opened, their `Display` taught the new variant, builders
/// kept for the types a caller constructs only.
fn types_module(
    vendor: &Vendor,
    body: TokenStream,
    model: &mut Model,
    types: Types<'_>,
    out: &mut Output,
) -> Result<(), Diagnostics> {
    let Types {
        read_types,
        constructed,
        ..
    } = types;
    let mut opened = std::collections::BTreeMap::new();
    let mut boxed = crate::boxing::Boxed::default();
    // Type names met so far: an impl of one not yet met waits until the end (it may be an
    // enum whose variants get boxed); `Display` impls wait for every enum to be opened.
    let mut defined = std::collections::BTreeSet::new();
    let mut waiting: Vec<items::Item> = Vec::new();
    for item in items::split(body) {
        let stream = match item.kind() {
            Kind::Enum => {
                let enumeration: syn::ItemEnum = parse(vendor, item)?;
                let name = enumeration.ident.to_string();
                // The API reads the values as listed (opening takes their serde renames).
                if read_types {
                    model.add_type(&syn::Item::Enum(enumeration.clone()));
                }
                let finished = finish_enum(enumeration, &mut boxed);
                defined.insert(name.clone());
                out.push_gated(types.definition(
                    vendor,
                    Some(name.clone()),
                    finished.definition,
                )?);
                for (inherent, implementation) in finished.impls {
                    let owner = inherent.then(|| name.clone());
                    let place = crate::gate::Place::Types { owner };
                    out.push_gated(types.other(vendor, place, implementation)?);
                }
                opened.extend(finished.opened.map(|variant| (name, variant)));
                continue;
            }
            Kind::Struct | Kind::Type => {
                let name = item.defined_name();
                defined.extend(name.clone());
                if !read_types {
                    out.push_gated(types.definition(vendor, name, item.into_stream())?);
                    continue;
                }
                let parsed: syn::Item = parse(vendor, item)?;
                model.add_type(&parsed);
                types.definition(vendor, name, parsed.into_token_stream())?
            }
            Kind::Module(name) => {
                // typify's `builder` (each type's builder) and `defaults` (default values).
                let builders = name == "builder";
                let mut item = item;
                let body = item.take_body().unwrap_or_default();
                out.module(item, |out| {
                    for inner in items::split(body) {
                        if builders && constructed.is_unused_builder_item(&inner) {
                            continue;
                        }
                        let place = match builders {
                            true => crate::gate::Place::Builders {
                                self_type: inner.self_type(),
                                defined: inner.defined_name(),
                            },
                            false => crate::gate::Place::Submodule,
                        };
                        out.push_gated(types.other(vendor, place, inner.into_stream())?);
                    }
                    Ok(())
                })?;
                continue;
            }
            Kind::Impl { .. } if constructed.is_unused_builder_impl(&item) => continue,
            Kind::Impl { display } => {
                let self_type = item.self_type().unwrap_or_default();
                if display || !defined.contains(&self_type) {
                    waiting.push(item);
                    continue;
                }
                let owner = (!item.is_trait_impl()).then_some(self_type);
                let stream = finish_impl(vendor, item, &boxed, &opened, false)?;
                types.other(vendor, crate::gate::Place::Types { owner }, stream)?
            }
            _ => Some(item.into_stream()),
        };
        out.push_gated(stream);
    }
    for item in waiting {
        let display = matches!(item.kind(), Kind::Impl { display: true });
        let owner = item.self_type().filter(|_| !item.is_trait_impl());
        let stream = finish_impl(vendor, item, &boxed, &opened, display)?;
        out.push_gated(types.other(vendor, crate::gate::Place::Types { owner }, stream)?);
    }
    model.defined_types.extend(defined);
    Ok(())
}

/// An enum as written: its definition, the impls written for it (`true`: inherent), and the
/// variant added for unlisted values when it was opened.
struct FinishedEnum {
    definition: TokenStream,
    impls: Vec<(bool, TokenStream)>,
    opened: Option<syn::Ident>,
}

/// Opens a string enum (its inherent and serde impls follow it), boxes generated types in
/// variants, and writes an untagged enum's `Deserialize`.
fn finish_enum(mut enumeration: syn::ItemEnum, boxed: &mut crate::boxing::Boxed) -> FinishedEnum {
    let open = crate::open_enums::open_enum(&mut enumeration);
    boxed.box_variants(&mut enumeration);
    let read = crate::untagged::read_through_text(&mut enumeration);
    let mut impls: Vec<(bool, TokenStream)> = read.into_iter().map(|r| (false, r)).collect();
    let mut opened = None;
    if let Some(open) = open {
        impls.push((true, open.inherent));
        impls.extend(open.serde.into_iter().map(|s| (false, s)));
        opened = Some(open.variant);
    }
    FinishedEnum {
        definition: enumeration.into_token_stream(),
        impls,
        opened,
    }
}

/// An impl of the types module: its `Display` taught an opened enum's new variant, its
/// constructions of boxed variants boxing; parsed only when one of these applies.
fn finish_impl(
    vendor: &Vendor,
    item: items::Item,
    boxed: &crate::boxing::Boxed,
    opened: &std::collections::BTreeMap<String, syn::Ident>,
    display: bool,
) -> Result<TokenStream, Diagnostics> {
    let concerns_boxed = item.self_type().is_some_and(|name| boxed.concerns(&name));
    if !display && !concerns_boxed {
        return Ok(item.into_stream());
    }
    let mut implementation: syn::ItemImpl = parse(vendor, item)?;
    if display {
        crate::open_enums::open_display(&mut implementation, opened);
    }
    boxed.box_constructions(&mut implementation);
    Ok(implementation.into_token_stream())
}

/// The paged operations' builders (by name squashed), with their operationId and item type:
/// the component's type when the `types` module has it, else any JSON (a warning).
fn paged_builders(
    vendor: &Vendor,
    model: &Model,
    warnings: &mut Vec<Diagnostic>,
) -> std::collections::HashMap<String, (String, syn::Type)> {
    let mut paged = std::collections::HashMap::new();
    for operation in &vendor.operations {
        let Some(recipe) = &operation.paged else {
            continue;
        };
        let item: syn::Type = match &recipe.item {
            Some(name) if model.defined_types.contains(name) => {
                let ident = quote::format_ident!("{}", name);
                syn::parse_quote!(types::#ident)
            }
            other => {
                if let Some(name) = other {
                    warnings.push(Diagnostic::warning(
                        &vendor.files.spec,
                        &operation.pointer,
                        format!("its pages' items are typed as any JSON: no type {name} was generated for them"),
                    ));
                }
                syn::parse_quote!(::payspec_runtime::deps::serde_json::Value)
            }
        };
        paged.insert(
            crate::model::squash(&operation.id),
            (operation.id.clone(), item),
        );
    }
    paged
}

/// A builder impl's type name, squashed (as operationIds are matched to builders).
fn builder_name(implementation: &syn::ItemImpl) -> Option<String> {
    let syn::Type::Path(path) = implementation.self_ty.as_ref() else {
        return None;
    };
    Some(crate::model::squash(
        &path.path.segments.last()?.ident.to_string(),
    ))
}

/// The `builder` module: each `send` through the runtime, each builder read into the model,
/// each paged operation's builder given `pages()` and `stream()`.
fn builder_module(
    vendor: &Vendor,
    body: TokenStream,
    model: &mut Model,
    out: &mut Output,
    warnings: &mut Vec<Diagnostic>,
    gates: Option<&crate::gate::Gates>,
) -> Result<(), Diagnostics> {
    let mut unexpected = Vec::new();
    let paged = paged_builders(vendor, model, warnings);
    let gated = |name: Option<String>, stream: TokenStream| match gates {
        Some(gates) => gates.client_builder_item(name, stream),
        None => Some(stream),
    };
    for item in items::split(body) {
        if !matches!(item.kind(), Kind::Impl { .. }) {
            let name = item.defined_name();
            out.push_gated(gated(name, item.into_stream()));
            continue;
        }
        let name = item.self_type();
        let mut implementation: syn::ItemImpl = parse(vendor, item)?;
        let enveloped = vendor.profile.envelope.is_some();
        if let Err(builder) = crate::send::rewrite_sends(&mut implementation, enveloped) {
            unexpected.push(builder);
        }
        if let Some((id, item)) = builder_name(&implementation).and_then(|name| paged.get(&name))
            && let Err(why) = crate::send::add_pages(&mut implementation, id, item)
        {
            unexpected.push(why);
        }
        model.add_builder(&implementation);
        out.push_gated(gated(name, implementation.into_token_stream()));
    }
    if !unexpected.is_empty() {
        let message = format!(
            "internal error: progenitor's code for {} does not have the shape this generator rewrites",
            unexpected.join(", ")
        );
        return Err(Diagnostic::new(&vendor.files.spec, "", message).into());
    }
    Ok(())
}
