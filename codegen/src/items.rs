//! progenitor's output as a sequence of items, split at the token level, so that only the
//! items payspec changes or reads are parsed (enums and their `Display`, the builders' impl
//! blocks): parsing all of a large vendor's code would cost most of the generation time and
//! memory.

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// What an item is, read from its leading tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `mod NAME { … }`.
    Module(String),
    Enum,
    Struct,
    Type,
    /// `impl … { … }`: whether its header names `Display`.
    Impl {
        display: bool,
    },
    Other,
}

/// One item's tokens.
pub(crate) struct Item {
    pub tokens: Vec<TokenTree>,
}

impl Item {
    pub(crate) fn kind(&self) -> Kind {
        let mut trees = self.tokens.iter().peekable();
        // Attributes (`#[…]`) and visibility (`pub`, `pub(crate)`).
        loop {
            match trees.peek() {
                Some(TokenTree::Punct(p)) if p.as_char() == '#' => {
                    trees.next();
                    trees.next();
                }
                Some(TokenTree::Ident(i)) if i == "pub" => {
                    trees.next();
                    if matches!(trees.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
                    {
                        trees.next();
                    }
                }
                _ => break,
            }
        }
        let Some(TokenTree::Ident(keyword)) = trees.next() else {
            return Kind::Other;
        };
        match keyword.to_string().as_str() {
            "mod" => match trees.next() {
                Some(TokenTree::Ident(name)) => Kind::Module(name.to_string()),
                _ => Kind::Other,
            },
            "enum" => Kind::Enum,
            "struct" => Kind::Struct,
            "type" => Kind::Type,
            "impl" => Kind::Impl {
                display: trees
                    .take_while(
                        |t| !matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace),
                    )
                    .any(|t| matches!(&t, TokenTree::Ident(i) if i == "Display")),
            },
            _ => Kind::Other,
        }
    }

    /// The name a `struct`, `enum` or `type` item defines (the identifier after its keyword).
    pub(crate) fn defined_name(&self) -> Option<String> {
        let mut trees = self.tokens.iter();
        trees.find(
            |t| matches!(t, TokenTree::Ident(i) if i == "struct" || i == "enum" || i == "type"),
        )?;
        match trees.next() {
            Some(TokenTree::Ident(name)) => Some(name.to_string()),
            _ => None,
        }
    }

    /// An impl's self type, by its last name (`impl From<A> for B` → `B`, `impl<'a> C<'a>` → `C`).
    pub(crate) fn self_type(&self) -> Option<String> {
        let mut trees = self.tokens.iter();
        trees.find(|t| matches!(t, TokenTree::Ident(i) if i == "impl"))?;
        let mut depth = 0usize;
        let mut last = None;
        for tree in trees {
            match tree {
                TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
                TokenTree::Punct(p) if p.as_char() == '>' => depth = depth.saturating_sub(1),
                TokenTree::Ident(i) if depth == 0 && (i == "where") => break,
                TokenTree::Ident(i) if depth == 0 && i == "for" => last = None,
                TokenTree::Ident(i) if depth == 0 => last = Some(i.to_string()),
                TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => break,
                _ => {}
            }
        }
        last
    }

    /// Whether an impl implements a trait (`impl From<A> for B`, not `impl B`): its header has
    /// a `for` outside angle brackets.
    pub(crate) fn is_trait_impl(&self) -> bool {
        let mut depth = 0usize;
        for tree in &self.tokens {
            match tree {
                TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
                TokenTree::Punct(p) if p.as_char() == '>' => depth = depth.saturating_sub(1),
                TokenTree::Ident(i) if depth == 0 && i == "for" => return true,
                TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => return false,
                _ => {}
            }
        }
        false
    }

    /// The item as a token stream (its tokens moved, not copied: large vendors have millions).
    pub(crate) fn into_stream(self) -> TokenStream {
        self.tokens.into_iter().collect()
    }

    /// Takes a module's body (its brace group's contents) out, leaving the group empty: the
    /// body's tokens then have one owner and are moved, not copied, when split.
    pub(crate) fn take_body(&mut self) -> Option<TokenStream> {
        self.tokens.iter_mut().rev().find_map(|t| match t {
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                let body = g.stream();
                *t = TokenTree::Group(proc_macro2::Group::new(
                    Delimiter::Brace,
                    TokenStream::new(),
                ));
                Some(body)
            }
            _ => None,
        })
    }

    /// Puts a body (taken with [`Item::take_body`]) back into a module.
    pub(crate) fn set_body(&mut self, body: TokenStream) {
        if let Some(tree) = self
            .tokens
            .iter_mut()
            .rev()
            .find(|t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace))
        {
            *tree = TokenTree::Group(proc_macro2::Group::new(Delimiter::Brace, body));
        }
    }

    /// A module's tokens before its body (attributes, visibility, `mod NAME`).
    pub(crate) fn into_head(self) -> TokenStream {
        let mut tokens = self.tokens;
        if let Some(body) = tokens
            .iter()
            .rposition(|t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace))
        {
            tokens.truncate(body);
        }
        tokens.into_iter().collect()
    }
}

/// Splits a stream of items: an item ends at a `;`, or at a brace group (taking a `;` that
/// follows it); an inner attribute (`#![…]`) stands alone.
pub(crate) fn split(stream: TokenStream) -> Vec<Item> {
    let mut items = Vec::new();
    let mut current = Vec::new();
    let mut trees = stream.into_iter().peekable();
    while let Some(tree) = trees.next() {
        let ends = match &tree {
            TokenTree::Punct(p) if p.as_char() == ';' => true,
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                current.push(tree.clone());
                if matches!(trees.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ';') {
                    current.push(trees.next().unwrap_or(tree));
                }
                items.push(Item {
                    tokens: std::mem::take(&mut current),
                });
                continue;
            }
            TokenTree::Group(g) if g.delimiter() == Delimiter::Bracket => {
                matches!(current.as_slice(), [TokenTree::Punct(hash), TokenTree::Punct(bang)] if hash.as_char() == '#' && bang.as_char() == '!')
            }
            _ => false,
        };
        current.push(tree);
        if ends {
            items.push(Item {
                tokens: std::mem::take(&mut current),
            });
        }
    }
    if !current.is_empty() {
        items.push(Item { tokens: current });
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn items_are_split_and_recognised() {
        let stream = quote! {
            #![allow(unused)]
            #[allow(unused_imports)]
            pub use progenitor_client::{ByteStream, Error};
            pub mod types { pub enum A { X } }
            #[derive(Debug)]
            pub struct B(pub i64);
            impl ::std::fmt::Display for A { fn fmt(&self) {} }
            impl<'a> C<'a> { pub fn send(self) {} }
            pub type D = E;
            const F: G = G { h: 1 };
        };
        let kinds: Vec<Kind> = split(stream).iter().map(Item::kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Other,
                Kind::Other,
                Kind::Module("types".into()),
                Kind::Struct,
                Kind::Impl { display: true },
                Kind::Impl { display: false },
                Kind::Type,
                Kind::Other
            ]
        );
    }
}
