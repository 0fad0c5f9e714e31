//! The generated code names its dependencies through `payspec_runtime::deps`, so that a
//! crate using it depends on `payspec-runtime` alone (progenitor and typify name serde,
//! reqwest, progenitor-client, chrono, uuid and regress as crates of their own).
//!
//! A token-level rewrite, after the API model was read: a path that starts with one of those
//! crates (`::serde::Deserialize`, `reqwest::Method`) gains the prefix, and every item that
//! derives serde's traits is told where serde is (`#[serde(crate = "…")]`), since serde's derive
//! otherwise refers to a crate named `serde`.

use std::collections::VecDeque;

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
///
/// One pass over the stream with two tokens of lookahead and a record of the last three: the
/// input is consumed as the output grows (a 5,000-operation module is tens of megabytes of
/// tokens, and holding it twice doubled the generator's peak memory).
pub(crate) fn relink(tokens: TokenStream) -> TokenStream {
    let mut input = tokens.into_iter();
    let mut ahead: VecDeque<TokenTree> = VecDeque::with_capacity(2);
    let mut behind = [Seen::Other, Seen::Other, Seen::Other];
    let mut out: Vec<TokenTree> = Vec::new();
    while let Some(tree) = ahead.pop_front().or_else(|| input.next()) {
        while ahead.len() < 2 {
            match input.next() {
                Some(next) => ahead.push_back(next),
                None => break,
            }
        }
        let seen = Seen::of(&tree);
        match tree {
            TokenTree::Group(group) => {
                let derive = matches!(behind[2], Seen::Punct('#', _)) && derives_serde(&group);
                let (delimiter, span) = (group.delimiter(), group.span());
                let stream = group.stream();
                // The only owner left of the inner stream: it is taken apart, not copied.
                drop(group);
                let mut inner = Group::new(delimiter, relink(stream));
                inner.set_span(span);
                out.push(TokenTree::Group(inner));
                if derive {
                    out.extend(serde_crate_attribute());
                }
            }
            TokenTree::Ident(ident) if starts_relinked_path(&behind, &ahead, &ident) => {
                if !leading_colons(&behind) {
                    out.extend(colons());
                }
                out.extend(runtime_prefix());
                out.push(TokenTree::Ident(ident));
            }
            TokenTree::Literal(literal) => out.push(relink_literal(&literal)),
            other => out.push(other),
        }
        behind = [
            std::mem::replace(&mut behind[1], Seen::Other),
            std::mem::replace(&mut behind[2], Seen::Other),
            seen,
        ];
    }
    out.into_iter().collect()
}

/// What a token already passed was, as much as the rewrite needs to know.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Punct(char, Spacing),
    Ident(String),
    Other,
}

impl Seen {
    fn of(tree: &TokenTree) -> Self {
        match tree {
            TokenTree::Punct(p) => Seen::Punct(p.as_char(), p.spacing()),
            TokenTree::Ident(i) => Seen::Ident(i.to_string()),
            _ => Seen::Other,
        }
    }
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

/// `ident` begins a path (`ident ::`, not after another segment) into a relinked crate.
fn starts_relinked_path(behind: &[Seen; 3], ahead: &VecDeque<TokenTree>, ident: &Ident) -> bool {
    let colons_ahead = matches!(
        (ahead.front(), ahead.get(1)),
        (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
            if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':'
    );
    if !RELINKED.iter().any(|name| ident == name) || !colons_ahead {
        return false;
    }
    // After `a::` it is a later segment (`foo::serde::x` is not ours), unless `::` is leading.
    !colons_behind(behind) || leading_colons(behind)
}

/// The two tokens just passed are `::`.
fn colons_behind(behind: &[Seen; 3]) -> bool {
    behind[1] == Seen::Punct(':', Spacing::Joint) && matches!(behind[2], Seen::Punct(':', _))
}

/// The `::` just passed is a path's start: nothing before it, or a keyword (`as`, `impl`,
/// `for`, `dyn`…), or punctuation (`impl<'de> ::serde::Deserialize`), rather than a path
/// segment (`foo::serde`, `self::serde`).
fn leading_colons(behind: &[Seen; 3]) -> bool {
    if !colons_behind(behind) {
        return false;
    }
    match &behind[0] {
        Seen::Ident(word) => KEYWORDS.contains(&word.as_str()),
        _ => true,
    }
}

/// Keywords after which `::` starts a path.
const KEYWORDS: [&str; 16] = [
    "as", "impl", "for", "dyn", "where", "in", "mut", "use", "pub", "const", "static", "let",
    "return", "move", "type", "ref",
];

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

/// `group` (after a `#`) is the body of `#[derive(…)]` naming `Serialize` or `Deserialize`.
fn derives_serde(group: &Group) -> bool {
    if group.delimiter() != Delimiter::Bracket {
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
