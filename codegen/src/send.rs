//! The one change made to progenitor's operation code: each builder's `send` hands its request
//! to the payspec runtime (`client.inner.send`, which runs the phases of one call) instead of
//! progenitor's three hooks, and returns `payspec_runtime::Error`, so that the caller has one
//! error type and every failure after sending went through the runtime's scrubber. The rest of
//! progenitor's `send` (URL, query, headers, body serialisation, typed decoding) is kept.

use quote::quote;
use syn::visit_mut::VisitMut;
use syn::{Expr, ImplItemFn, ReturnType, Stmt, parse_quote};

/// Rewrites every `send` of one builder's impl block; `Err` names the builder when a `send`
/// does not have the expected shape (a progenitor version this generator does not know).
pub(crate) fn rewrite_sends(implementation: &mut syn::ItemImpl) -> Result<(), String> {
    let mut failed = false;
    for member in &mut implementation.items {
        if let syn::ImplItem::Fn(function) = member
            && function.sig.ident == "send"
        {
            failed |= !rewrite(function);
        }
    }
    if failed {
        let builder = &implementation.self_ty;
        return Err(quote!(#builder).to_string());
    }
    Ok(())
}

/// Rewrites one `send`; `false` when its shape is not the expected one.
fn rewrite(function: &mut ImplItemFn) -> bool {
    let ReturnType::Type(_, output) = &mut function.sig.output else {
        return false;
    };
    let Some(success) = crate::model::response_type(output) else {
        return false;
    };
    **output = parse_quote!(Result<ResponseValue<#success>, ::payspec_runtime::Error>);
    let statements = std::mem::take(&mut function.block.stmts);
    let mut kept = Vec::with_capacity(statements.len());
    let mut sent = false;
    for statement in statements {
        match hook_call(&statement) {
            Some("exec") => {
                kept.push(parse_quote! {
                    let response = client.inner.send(request, info.operation_id).await?;
                });
                sent = true;
            }
            Some(_) => {}
            None => kept.push(statement),
        }
    }
    let Some(Stmt::Expr(mut decode, None)) = kept.pop() else {
        return false;
    };
    // The answer is the runtime's, already read and classified: decoded from it directly.
    let mut answers = AnswerCalls(0);
    answers.visit_expr_mut(&mut decode);
    kept.push(Stmt::Expr(decode, None));
    function.block.stmts = kept;
    // Error<E> constructors in the kept code need their E spelt out now that the function no
    // longer returns an Error<E>.
    ErrorUnit.visit_block_mut(&mut function.block);
    sent
}

/// Which of progenitor's hook statements this is: `client.pre(…).await?;`,
/// `let result = client.exec(…).await;`, `client.post(…).await?;` or `let response = result?;`
/// (matched on the syntax tree, not on text: sends are many and their bodies long).
fn hook_call(statement: &Stmt) -> Option<&'static str> {
    let expression = match statement {
        Stmt::Expr(expression, Some(_)) => expression,
        Stmt::Local(local) => &local.init.as_ref()?.expr,
        _ => return None,
    };
    let mut inner = expression;
    loop {
        inner = match inner {
            Expr::Try(e) => &e.expr,
            Expr::Await(e) => &e.base,
            _ => break,
        };
    }
    match inner {
        Expr::Path(path) if path.path.is_ident("result") && matches!(expression, Expr::Try(_)) => {
            Some("result")
        }
        Expr::MethodCall(call) if matches!(&*call.receiver, Expr::Path(p) if p.path.is_ident("client")) => {
            ["pre", "exec", "post"]
                .into_iter()
                .find(|hook| call.method == hook)
        }
        _ => None,
    }
}

/// In the status match: `ResponseValue::from_response(response).await` becomes
/// `client.inner.decode(response)`, `ResponseValue::empty(response)` and `stream(response)`
/// become the answer's own, and `Error::UnexpectedResponse(response)` its `unexpected()`.
struct AnswerCalls(usize);

impl VisitMut for AnswerCalls {
    fn visit_expr_mut(&mut self, expression: &mut Expr) {
        let replacement: Option<Expr> = match &*expression {
            Expr::Await(awaited) if is_call(&awaited.base, "ResponseValue", "from_response") => {
                Some(parse_quote!(client.inner.decode(response)))
            }
            Expr::Call(_) if is_call(expression, "ResponseValue", "empty") => {
                Some(parse_quote!(response.empty()))
            }
            Expr::Call(_) if is_call(expression, "ResponseValue", "stream") => {
                Some(parse_quote!(response.stream()))
            }
            Expr::Call(_) if is_call(expression, "Error", "UnexpectedResponse") => {
                Some(parse_quote!(response.unexpected()))
            }
            _ => None,
        };
        match replacement {
            Some(new) => {
                self.0 += 1;
                *expression = new;
            }
            None => syn::visit_mut::visit_expr_mut(self, expression),
        }
    }
}

/// Whether `expression` is a call of `Type::function(…)`.
fn is_call(expression: &Expr, ty: &str, function: &str) -> bool {
    let Expr::Call(call) = expression else {
        return false;
    };
    let Expr::Path(path) = &*call.func else {
        return false;
    };
    let segments: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    segments == [ty, function]
}

/// Writes `Error::X` as `Error::<()>::X`.
struct ErrorUnit;

impl VisitMut for ErrorUnit {
    fn visit_expr_mut(&mut self, expression: &mut Expr) {
        syn::visit_mut::visit_expr_mut(self, expression);
        if let Expr::Path(path) = expression
            && path.path.leading_colon.is_none()
            && path.path.segments.len() == 2
            && let Some(first) = path.path.segments.first_mut()
            && first.ident == "Error"
            && first.arguments.is_none()
        {
            first.arguments = syn::PathArguments::AngleBracketed(parse_quote!(::<()>));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_progenitor_send_is_rewritten() {
        let mut implementation: syn::ItemImpl = parse_quote! {
                impl<'a> GetThing<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<()>> {
                        let Self { client, id } = self;
                        let id = id.map_err(Error::InvalidRequest)?;
                        let url = format!("{}/things/{}", client.baseurl, id);
                        let mut request = client.client.get(url).build()?;
                        let info = OperationInfo { operation_id: "get_thing" };
                        client.pre(&mut request, &info).await?;
                        let result = client.exec(request, &info).await;
                        client.post(&result, &info).await?;
                        let response = result?;
                        match response.status().as_u16() {
                            200u16 => ResponseValue::from_response(response).await,
                            _ => Err(Error::UnexpectedResponse(response)),
                        }
                    }
                }
        };
        assert!(rewrite_sends(&mut implementation).is_ok());
        let text = quote!(#implementation).to_string().replace(' ', "");
        assert!(
            text.contains("->Result<ResponseValue<types::Thing>,::payspec_runtime::Error>"),
            "{text}"
        );
        assert!(text.contains("letresponse=client.inner.send(request,info.operation_id).await?;"));
        assert!(!text.contains("client.pre(") && !text.contains("client.post("));
        assert!(
            text.contains("map_err(Error::<()>::InvalidRequest)"),
            "{text}"
        );
        assert!(
            text.contains("200u16=>client.inner.decode(response),"),
            "{text}"
        );
        assert!(text.contains("_=>Err(response.unexpected()),"), "{text}");
    }
}
