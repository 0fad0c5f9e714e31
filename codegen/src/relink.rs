//! The generated code names its dependencies through `payspec_runtime::deps`, so that a
//! crate using it depends on `payspec-runtime` alone (progenitor and typify name serde,
//! reqwest, progenitor-client, chrono, uuid and regress as crates of their own).
//!
//! A token-level rewrite, after the API model was read: a path that starts with one of those
//! crates (`::serde::Deserialize`, `reqwest::Method`) gains the prefix, and every item that
//! derives serde's traits is told where serde is (`#[serde(crate = "…")]`), since serde's derive
//! otherwise refers to a crate named `serde`.

use proc_macro2::{Delimiter, Group, Ident, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::quote;

/// The crates the generated code uses, all re-exported by `payspec_runtime::deps`.
const RELINKED: [&str; 7] = [
    "serde",
    "serde_json",
    "reqwest",
    "progenitor_client",
    "chrono",
    "uuid",
    "regress",
];

/// `tokens` with every path into a [`RELINKED`] crate going through the runtime.
pub(crate) fn relink(tokens: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        match &trees[i] {
            TokenTree::Group(group) => {
                let mut inner = Group::new(group.delimiter(), relink(group.stream()));
                inner.set_span(group.span());
                out.push(TokenTree::Group(inner));
                if derives_serde(&trees, i) {
                    out.extend(serde_crate_attribute());
                }
            }
            TokenTree::Ident(ident) if starts_relinked_path(&trees, i, ident) => {
                if !leading_colons(&trees, i) {
                    out.extend(colons());
                }
                out.extend(runtime_prefix());
                out.push(trees[i].clone());
            }
            TokenTree::Literal(literal) => out.push(relink_literal(literal)),
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out.into_iter().collect()
}

/// A string naming a function for serde (`skip_serializing_if = "::serde_json::Map::is_empty"`)
/// is a path too; only absolute ones (`::…`) are taken for paths, not a field's name.
fn relink_literal(literal: &proc_macro2::Literal) -> TokenTree {
    let text = literal.to_string();
    let Some(path) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) else {
        return TokenTree::Literal(literal.clone());
    };
    let Some(bare) = path.strip_prefix("::") else {
        return TokenTree::Literal(literal.clone());
    };
    let relinked = RELINKED.iter().any(|name| {
        bare.strip_prefix(name)
            .is_some_and(|rest| rest.starts_with("::"))
    });
    if !relinked {
        return TokenTree::Literal(literal.clone());
    }
    let mut out = proc_macro2::Literal::string(&format!("::payspec_runtime::deps::{bare}"));
    out.set_span(literal.span());
    TokenTree::Literal(out)
}

/// `ident` at `i` begins a path (`ident ::`, not after another segment) into a relinked crate.
fn starts_relinked_path(trees: &[TokenTree], i: usize, ident: &Ident) -> bool {
    if !RELINKED.iter().any(|name| ident == name) || !is_colons(trees, i + 1) {
        return false;
    }
    // After `a::` it is a later segment (`foo::serde::x` is not ours), unless `::` is leading.
    if i >= 2 && is_colons(trees, i - 2) {
        return leading_colons(trees, i);
    }
    true
}

/// The `::` right before `i` is a path's start: nothing before it, or a keyword (`as`, `impl`,
/// `for`, `dyn`…), or punctuation (`impl<'de> ::serde::Deserialize`), rather than a path
/// segment (`foo::serde`, `self::serde`).
fn leading_colons(trees: &[TokenTree], i: usize) -> bool {
    if i < 2 || !is_colons(trees, i - 2) {
        return false;
    }
    match i.checked_sub(3).map(|j| &trees[j]) {
        Some(TokenTree::Ident(word)) => KEYWORDS.iter().any(|k| word == k),
        _ => true,
    }
}

/// Keywords after which `::` starts a path.
const KEYWORDS: [&str; 16] = [
    "as", "impl", "for", "dyn", "where", "in", "mut", "use", "pub", "const", "static", "let",
    "return", "move", "type", "ref",
];

/// Tokens `i` and `i + 1` are `::`.
fn is_colons(trees: &[TokenTree], i: usize) -> bool {
    matches!(
        (trees.get(i), trees.get(i + 1)),
        (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
            if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':'
    )
}

fn colons() -> [TokenTree; 2] {
    [
        TokenTree::Punct(Punct::new(':', Spacing::Joint)),
        TokenTree::Punct(Punct::new(':', Spacing::Alone)),
    ]
}

/// `payspec_runtime :: deps ::` (after the leading `::`).
fn runtime_prefix() -> Vec<TokenTree> {
    let mut prefix = vec![TokenTree::Ident(Ident::new(
        "payspec_runtime",
        Span::call_site(),
    ))];
    prefix.extend(colons());
    prefix.push(TokenTree::Ident(Ident::new("deps", Span::call_site())));
    prefix.extend(colons());
    prefix
}

/// The bracket group at `i` is the body of `#[derive(…)]` naming `Serialize` or `Deserialize`.
fn derives_serde(trees: &[TokenTree], i: usize) -> bool {
    let TokenTree::Group(group) = &trees[i] else {
        return false;
    };
    let after_hash = i >= 1 && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == '#');
    if group.delimiter() != Delimiter::Bracket || !after_hash {
        return false;
    }
    let mut inner = group.stream().into_iter();
    let is_derive = matches!(inner.next(), Some(TokenTree::Ident(name)) if name == "derive");
    let Some(TokenTree::Group(list)) = inner.next() else {
        return false;
    };
    is_derive
        && list.stream().into_iter().any(|t| {
            matches!(&t, TokenTree::Ident(name) if name == "Serialize" || name == "Deserialize")
        })
}

fn serde_crate_attribute() -> TokenStream {
    quote!(#[serde(crate = "::payspec_runtime::deps::serde")])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relinked(code: &str) -> String {
        let tokens: TokenStream = code.parse().unwrap();
        relink(tokens).to_string()
    }

    #[test]
    fn paths_into_dependencies_go_through_the_runtime() {
        assert_eq!(
            relinked(
                "fn f(v: ::serde_json::Value, m: reqwest::Method) -> progenitor_client::Error<()> {}"
            ),
            "fn f (v : :: payspec_runtime :: deps :: serde_json :: Value , m : :: payspec_runtime :: deps :: reqwest :: Method) -> :: payspec_runtime :: deps :: progenitor_client :: Error < () > { }"
        );
        // Later segments and other crates stay.
        assert_eq!(
            relinked("a::serde::X; payspec_runtime::Error; serde"),
            "a :: serde :: X ; payspec_runtime :: Error ; serde"
        );
        assert_eq!(
            relinked("<T as ::serde::Serialize>::f"),
            "< T as :: payspec_runtime :: deps :: serde :: Serialize >:: f"
        );
        assert_eq!(
            relinked("impl<'de> ::serde::Deserialize<'de> for X {} self::serde::x"),
            "impl <'de > :: payspec_runtime :: deps :: serde :: Deserialize <'de > for X { } self :: serde :: x"
        );
    }

    #[test]
    fn paths_in_serde_strings_go_through_the_runtime() {
        assert_eq!(
            relinked(
                "#[serde(skip_serializing_if = \"::serde_json::Map::is_empty\", rename = \"serde::x\")]"
            ),
            "# [serde (skip_serializing_if = \"::payspec_runtime::deps::serde_json::Map::is_empty\" , rename = \"serde::x\")]"
        );
    }

    #[test]
    fn serde_derives_are_told_where_serde_is() {
        let out = relinked(
            "#[derive(::serde::Deserialize, Clone)] pub struct A { x: i64 } #[derive(Clone)] pub struct B;",
        );
        assert_eq!(
            out,
            "# [derive (:: payspec_runtime :: deps :: serde :: Deserialize , Clone)] # [serde (crate = \"::payspec_runtime::deps::serde\")] pub struct A { x : i64 } # [derive (Clone)] pub struct B ;"
        );
    }
}
