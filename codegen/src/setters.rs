//! Builder setters through one runtime function. progenitor's operation builders and typify's
//! type builders write each setter's conversion with a closure of its own for the failure
//! message:
//!
//! ```text
//! self.amount = value.try_into().map(Some).map_err(|_| "conversion to `i64` for amount failed".to_string());
//! self.amount = value.try_into().map_err(|e| format!("error converting supplied value for amount: {e}"));
//! ```
//!
//! Stripe has about 4,000: a closure each for rustc to check, five to eight lines each of the
//! crate. The setter now hands its value and message to `payspec_runtime::setter`
//! (`convert(value, "…")`), which fails with the same message. A setter of any other
//! shape is left as written.

use syn::{Expr, ExprClosure, ImplItem, Lit, Pat, parse_quote};

/// Rewrites the setters of one builder's impl block, and the building of a body in its `send`.
pub(crate) fn rewrite(implementation: &mut syn::ItemImpl) {
    for member in &mut implementation.items {
        let ImplItem::Fn(function) = member else {
            continue;
        };
        if function.sig.ident == "send" {
            build_through_runtime(&mut function.block.stmts);
            continue;
        }
        let Some(target) = crate::model::setter_target(&function.sig) else {
            continue;
        };
        for statement in &mut function.block.stmts {
            if let syn::Stmt::Expr(Expr::Assign(assign), _) = statement
                && let Some(call) = through_runtime(&assign.right, &target)
            {
                *assign.right = call;
            }
        }
    }
}

/// What a conversion chain does after `value.try_into()`.
#[derive(Default)]
struct Chain {
    /// `.map(Some)`: an optional field.
    some: bool,
    /// `.map(From::from)`: a body kept as its builder.
    from: bool,
    /// The failure: a fixed message, or a context shown before the conversion's error.
    failure: Option<Failure>,
}

enum Failure {
    Fixed(syn::LitStr),
    Shown(String),
}

/// `expr` as a call of the runtime's conversion to `target`, when it is one of the chains
/// progenitor and typify write.
fn through_runtime(expr: &Expr, target: &syn::Type) -> Option<Expr> {
    let mut chain = Chain::default();
    let mut expr = expr;
    loop {
        let Expr::MethodCall(call) = expr else {
            return None;
        };
        match (call.method.to_string().as_str(), call.args.first()) {
            ("try_into", None) if is_value(&call.receiver) => break,
            ("map", Some(arg)) if is_path(arg, "Some") && !chain.from => chain.some = true,
            ("map", Some(arg)) if is_path(arg, "From :: from") && !chain.some => chain.from = true,
            ("map_err", Some(Expr::Closure(closure))) if chain.failure.is_none() => {
                chain.failure = Some(failure(closure)?);
            }
            _ => return None,
        }
        expr = &call.receiver;
    }
    // The field assigned says the type converted to, but for a body kept as its builder
    // (`From::from` turns the type into the builder), where the call must say it.
    let call: Expr = match (chain.failure?, chain.some, chain.from) {
        (Failure::Fixed(message), false, false) => {
            parse_quote!(::payspec_runtime::setter::convert(value, #message))
        }
        (Failure::Fixed(message), true, false) => {
            parse_quote!(::payspec_runtime::setter::convert_some(value, #message))
        }
        (Failure::Shown(context), false, false) => {
            parse_quote!(::payspec_runtime::setter::convert_shown(value, #context))
        }
        (Failure::Shown(context), false, true) => parse_quote!(
            ::payspec_runtime::setter::convert_shown::<#target, _>(value, #context).map(From::from)
        ),
        _ => return None,
    };
    Some(call)
}

/// progenitor's `send` builds a body from its builder with two closures of its own:
/// `body.and_then(|v| types::Body::try_from(v).map_err(|e| e.to_string()))`; it becomes
/// `let body: types::Body = payspec_runtime::setter::build(body)…`.
fn build_through_runtime(statements: &mut [syn::Stmt]) {
    for statement in statements {
        let syn::Stmt::Local(local) = statement else {
            continue;
        };
        let Some(init) = local.init.as_mut() else {
            continue;
        };
        let mut expr = init.expr.as_mut();
        if let Expr::Try(tried) = expr {
            expr = tried.expr.as_mut();
        }
        let Expr::MethodCall(outer) = expr else {
            continue;
        };
        if let Some(built) = built_type(&outer.receiver)
            && let Expr::MethodCall(and_then) = outer.receiver.as_ref()
            && let syn::Pat::Ident(name) = &local.pat
        {
            // The type on the binding, not in a turbofish, reads (and is formatted) shorter.
            let field = &and_then.receiver;
            *outer.receiver = parse_quote!(::payspec_runtime::setter::build(#field));
            local.pat = syn::Pat::Type(parse_quote!(#name: #built));
        }
    }
}

/// `T` in `field.and_then(|v| T::try_from(v).map_err(|e| e.to_string()))`.
fn built_type(expr: &Expr) -> Option<syn::Path> {
    let Expr::MethodCall(and_then) = expr else {
        return None;
    };
    let (true, Expr::Path(_), Some(Expr::Closure(closure))) = (
        and_then.method == "and_then",
        and_then.receiver.as_ref(),
        and_then.args.first(),
    ) else {
        return None;
    };
    let Expr::MethodCall(map_err) = closure.body.as_ref() else {
        return None;
    };
    let Some(Expr::Closure(to_string)) = map_err.args.first() else {
        return None;
    };
    let shown = quote::quote!(#to_string).to_string();
    let Expr::Call(try_from) = map_err.receiver.as_ref() else {
        return None;
    };
    let Expr::Path(function) = try_from.func.as_ref() else {
        return None;
    };
    let mut built = function.path.clone();
    let last = built.segments.pop()?.into_value();
    let fits = map_err.method == "map_err"
        && shown == "| e | e . to_string ()"
        && last.ident == "try_from"
        && try_from.args.len() == 1;
    (fits && !built.segments.is_empty()).then(|| {
        built.segments.pop_punct();
        built
    })
}

fn is_value(expr: &Expr) -> bool {
    is_path(expr, "value")
}

fn is_path(expr: &Expr, text: &str) -> bool {
    matches!(expr, Expr::Path(path) if quote::quote!(#path).to_string() == text)
}

/// The failure a `map_err` closure writes: `|_| "…".to_string()` (fixed), or
/// `|e| format!("…: {e}")` and `|s| format!("…: {}", s)` (the error shown after a context).
fn failure(closure: &ExprClosure) -> Option<Failure> {
    let [param] = closure.inputs.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    match (param, closure.body.as_ref()) {
        (Pat::Wild(_), Expr::MethodCall(call))
            if call.method == "to_string" && call.args.is_empty() =>
        {
            match call.receiver.as_ref() {
                Expr::Lit(syn::ExprLit {
                    lit: Lit::Str(message),
                    ..
                }) => Some(Failure::Fixed(message.clone())),
                _ => None,
            }
        }
        (Pat::Ident(name), Expr::Macro(mac)) if mac.mac.path.is_ident("format") => {
            shown_context(&mac.mac.tokens, &name.ident.to_string()).map(Failure::Shown)
        }
        _ => None,
    }
}

/// The context of `"context: {e}"` (the error named inline) or `"context: {}", e`.
fn shown_context(tokens: &proc_macro2::TokenStream, error: &str) -> Option<String> {
    let args: syn::punctuated::Punctuated<Expr, syn::Token![,]> = syn::parse::Parser::parse2(
        syn::punctuated::Punctuated::parse_terminated,
        tokens.clone(),
    )
    .ok()?;
    let mut args = args.iter();
    let Some(Expr::Lit(syn::ExprLit {
        lit: Lit::Str(format),
        ..
    })) = args.next()
    else {
        return None;
    };
    let format = format.value();
    let context = match args.next() {
        None => format.strip_suffix(&format!(": {{{error}}}"))?,
        Some(arg) if is_path(arg, error) && args.next().is_none() => format.strip_suffix(": {}")?,
        Some(_) => return None,
    };
    // The context is printed as it is, not as a format string.
    (!context.contains(['{', '}'])).then(|| context.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::{ToTokens, quote};

    fn rewritten(implementation: proc_macro2::TokenStream) -> String {
        let mut implementation: syn::ItemImpl = syn::parse2(implementation).unwrap();
        rewrite(&mut implementation);
        implementation.into_token_stream().to_string()
    }

    #[test]
    fn progenitor_and_typify_setters_call_the_runtime_with_their_messages() {
        let text = rewritten(quote! {
            impl<'a> PostOrders<'a> {
                pub fn amount<V>(mut self, value: V) -> Self where V: std::convert::TryInto<i64> {
                    self.amount = value.try_into().map(Some).map_err(|_| "conversion to `i64` for amount failed".to_string());
                    self
                }
                pub fn id<V>(mut self, value: V) -> Self where V: std::convert::TryInto<String> {
                    self.id = value.try_into().map_err(|_| "conversion to `String` for id failed".to_string());
                    self
                }
                pub fn body<V>(mut self, value: V) -> Self
                where V: std::convert::TryInto<types::Body>, <V as std::convert::TryInto<types::Body>>::Error: std::fmt::Display {
                    self.body = value.try_into().map(From::from).map_err(|s| format!("conversion to `Body` for body failed: {}", s));
                    self
                }
                pub fn name<T>(mut self, value: T) -> Self where T: ::std::convert::TryInto<Option<String>>, T::Error: ::std::fmt::Display {
                    self.name = value.try_into().map_err(|e| format!("error converting supplied value for name: {e}"));
                    self
                }
            }
        });
        for expected in [
            r#"self . amount = :: payspec_runtime :: setter :: convert_some (value , "conversion to `i64` for amount failed")"#,
            r#"self . id = :: payspec_runtime :: setter :: convert (value , "conversion to `String` for id failed")"#,
            r#"self . body = :: payspec_runtime :: setter :: convert_shown :: < types :: Body , _ > (value , "conversion to `Body` for body failed") . map (From :: from)"#,
            r#"self . name = :: payspec_runtime :: setter :: convert_shown (value , "error converting supplied value for name")"#,
        ] {
            assert!(text.contains(expected), "{expected}\nnot in\n{text}");
        }
        assert!(!text.contains("map_err"), "{text}");
    }

    #[test]
    fn a_send_builds_its_body_through_the_runtime() {
        let text = rewritten(quote! {
            impl<'a> PostOrders<'a> {
                pub async fn send(self) -> Result<ResponseValue<types::Order>, Error> {
                    let Self { client, body } = self;
                    let body = body
                        .and_then(|v| types::PostOrdersBody::try_from(v).map_err(|e| e.to_string()))
                        .map_err(Error::<()>::InvalidRequest)?;
                    let other = other.and_then(|v| v.check()).map_err(Error::<()>::InvalidRequest)?;
                    todo!()
                }
            }
        });
        let expected = r#"let body : types :: PostOrdersBody = :: payspec_runtime :: setter :: build (body) . map_err (Error :: < () > :: InvalidRequest) ?"#;
        assert!(text.contains(expected), "{text}");
        assert!(
            text.contains("other . and_then (| v | v . check ())"),
            "{text}"
        );
    }

    #[test]
    fn a_setter_of_another_shape_is_left_as_written() {
        let source = quote! {
            impl<'a> PostNotes<'a> {
                pub fn body<V>(mut self, value: V) -> Self where V: std::convert::TryInto<String> {
                    self.body = value.try_into().map_err(|_| "conversion to `String` for body failed".to_string()).map(|v| v.into());
                    self
                }
                pub fn note<T>(mut self, value: T) -> Self where T: ::std::convert::TryInto<String>, T::Error: ::std::fmt::Display {
                    self.note = value.try_into().map_err(|e| format!("note {} failed: {e}", 1));
                    self
                }
                pub fn body_map<F>(mut self, f: F) -> Self where F: std::ops::FnOnce(B) -> B {
                    self.body = self.body.map(f);
                    self
                }
            }
        };
        let before = syn::parse2::<syn::ItemImpl>(source.clone())
            .unwrap()
            .into_token_stream()
            .to_string();
        assert_eq!(rewritten(source), before);
    }
}
