//! The one change made to progenitor's operation code: each builder's `send` hands its request
//! to the payspec runtime (`client.inner.send`, which runs the phases of one call) instead of
//! progenitor's three hooks, and returns `payspec_runtime::Error`, so that the caller has one
//! error type and every failure after sending went through the runtime's scrubber. The rest of
//! progenitor's `send` (URL, query, headers, body serialisation, typed decoding) is kept, but
//! for two things: the `api-version` header progenitor adds to every request is dropped (no
//! vendor's documentation asks for it, and a request carries what the vendor documents and
//! nothing more), and the URL is the runtime's base (parsed once, when the client is built)
//! with the operation's path set on it, instead of base and path formatted together and the
//! whole parsed again for every request.

use quote::quote;
use syn::visit_mut::VisitMut;
use syn::{Expr, ImplItemFn, ReturnType, Stmt, parse_quote};

/// Rewrites every `send` of one builder's impl block; `Err` names the builder when a `send`
/// does not have the expected shape (a progenitor version this generator does not know).
/// `enveloped`: the vendor wraps its payloads (vendor.yaml `envelope:`), and a success is
/// decoded through it.
pub(crate) fn rewrite_sends(
    implementation: &mut syn::ItemImpl,
    enveloped: bool,
) -> Result<(), String> {
    let mut failed = false;
    for member in &mut implementation.items {
        if let syn::ImplItem::Fn(function) = member
            && function.sig.ident == "send"
        {
            failed |= !rewrite(function, enveloped);
        }
    }
    if failed {
        let builder = &implementation.self_ty;
        return Err(quote!(#builder).to_string());
    }
    Ok(())
}

/// Gives a paged operation's builder `pages()` and `stream()`: the request its `send` builds
/// handed to the runtime's pager, with items of type `item`. `send` and `pages` share one
/// private `built_request` (the statements of `send` up to sending), written once.
/// `Ok(false)` when a setter already has that name (a parameter called `built_request`): the
/// builder is left without them. `Err` when the builder has no rewritten `send` to take them
/// from.
pub(crate) fn add_pages(
    implementation: &mut syn::ItemImpl,
    operation_id: &str,
    item: &syn::Type,
) -> Result<bool, String> {
    let taken = implementation
        .items
        .iter()
        .any(|member| matches!(member, syn::ImplItem::Fn(f) if f.sig.ident == BUILT_REQUEST));
    let send = implementation
        .items
        .iter_mut()
        .find_map(|member| match member {
            syn::ImplItem::Fn(function) if function.sig.ident == "send" => Some(function),
            _ => None,
        });
    let Some(send) = send else {
        return Err(format!("{operation_id}: no send"));
    };
    let Some(sending) = send.block.stmts.iter().position(sends) else {
        return Err(format!("{operation_id}: send does not send"));
    };
    if taken {
        return Ok(false);
    }
    let rest = send.block.stmts.split_off(sending);
    let (info, building): (Vec<Stmt>, Vec<Stmt>) = std::mem::take(&mut send.block.stmts)
        .into_iter()
        .partition(names_info);
    let built = syn::Ident::new(BUILT_REQUEST, proc_macro2::Span::call_site());
    send.block.stmts = info;
    send.block
        .stmts
        .push(parse_quote!(let (client, request) = self.#built()?;));
    send.block.stmts.extend(rest);
    let members: [ImplItemFn; 3] = [
        parse_quote! {
            /// The request `send` and `pages` send.
            fn #built(self) -> Result<(&'a super::Client, ::payspec_runtime::deps::reqwest::Request), ::payspec_runtime::Error> {
                #(#building)*
                Ok((client, request))
            }
        },
        parse_quote! {
            /// Every page of the list, fetched one at a time as the stream is polled (vendor.yaml's
            /// pagination recipe: each page is one call, signed and retried like any other).
            pub fn pages(self) -> ::payspec_runtime::Pages<'a, #item> {
                match self.#built() {
                    Ok((client, request)) => ::payspec_runtime::Pages::new(&client.inner, request, #operation_id),
                    Err(error) => ::payspec_runtime::Pages::failed(error),
                }
            }
        },
        parse_quote! {
            /// Every item of the list, across its pages, fetched a page at a time as the stream
            /// is polled; a page that fails after the retry policy ends the stream with its error.
            pub fn stream(self) -> ::payspec_runtime::Items<'a, #item> {
                self.pages().items()
            }
        },
    ];
    implementation
        .items
        .extend(members.into_iter().map(syn::ImplItem::Fn));
    Ok(true)
}

/// The private method of a paged builder that builds its request.
const BUILT_REQUEST: &str = "built_request";

/// `let info = OperationInfo { … };`: what `send` says of the call it sends.
fn names_info(statement: &Stmt) -> bool {
    matches!(statement, Stmt::Local(local)
        if matches!(&local.pat, syn::Pat::Ident(name) if name.ident == "info"))
}

/// `let response = client.inner.send(request, …).await?;`, the statement that sends.
fn sends(statement: &Stmt) -> bool {
    let Stmt::Local(local) = statement else {
        return false;
    };
    let Some(init) = &local.init else {
        return false;
    };
    let mut inner = &*init.expr;
    loop {
        inner = match inner {
            Expr::Try(e) => &e.expr,
            Expr::Await(e) => &e.base,
            _ => break,
        };
    }
    matches!(inner, Expr::MethodCall(call) if call.method == "send"
        && matches!(&*call.receiver, Expr::Field(field)
            if matches!(&field.member, syn::Member::Named(name) if name == "inner")))
}

/// Rewrites one `send`; `false` when its shape is not the expected one.
fn rewrite(function: &mut ImplItemFn, enveloped: bool) -> bool {
    let ReturnType::Type(_, output) = &mut function.sig.output else {
        return false;
    };
    let Some(success) = crate::model::response_type(output) else {
        return false;
    };
    **output = parse_quote!(Result<ResponseValue<#success>, ::payspec_runtime::Error>);
    let mut statements = without_api_version(std::mem::take(&mut function.block.stmts));
    statements.iter_mut().for_each(url_from_runtime);
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
    let mut answers = AnswerCalls { enveloped };
    answers.visit_expr_mut(&mut decode);
    kept.push(Stmt::Expr(decode, None));
    function.block.stmts = kept;
    // Error<E> constructors in the kept code need their E spelt out now that the function no
    // longer returns an Error<E>.
    ErrorUnit.visit_block_mut(&mut function.block);
    sent
}

/// The statements without progenitor's `header_map.append(api-version, Client::api_version())`,
/// and the header map's capacity one smaller (no allocation at all when no header is left).
fn without_api_version(statements: Vec<Stmt>) -> Vec<Stmt> {
    let before = statements.len();
    let mut kept: Vec<Stmt> = statements
        .into_iter()
        .filter(|statement| !appends_api_version(statement))
        .collect();
    if kept.len() < before {
        for statement in &mut kept {
            shrink_header_map(statement);
        }
    }
    kept
}

/// `header_map.append(…, HeaderValue::from_static(super::Client::api_version()));`
fn appends_api_version(statement: &Stmt) -> bool {
    let Stmt::Expr(Expr::MethodCall(call), _) = statement else {
        return false;
    };
    let calls_api_version = |argument: &Expr| {
        matches!(argument, Expr::Call(value) if value.args.iter().any(|inner| matches!(
            inner,
            Expr::Call(version) if matches!(&*version.func, Expr::Path(path)
                if path.path.segments.last().is_some_and(|s| s.ident == "api_version"))
        )))
    };
    call.method == "append"
        && matches!(&*call.receiver, Expr::Path(p) if p.path.is_ident("header_map"))
        && call.args.iter().any(calls_api_version)
}

/// `let mut header_map = HeaderMap::with_capacity(N);` becomes `… with_capacity(N - 1)`.
fn shrink_header_map(statement: &mut Stmt) {
    let Stmt::Local(local) = statement else {
        return;
    };
    let names_header_map = matches!(&local.pat, syn::Pat::Ident(p) if p.ident == "header_map");
    let Some(init) = local.init.as_mut().filter(|_| names_header_map) else {
        return;
    };
    if let Expr::Call(call) = &mut *init.expr
        && let Some(Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(capacity),
            ..
        })) = call.args.first_mut()
        && let Ok(n) = capacity.base10_parse::<usize>()
    {
        *capacity = syn::LitInt::new(&format!("{}usize", n.saturating_sub(1)), capacity.span());
        // No header left to append: the map is never changed.
        if n <= 1
            && let syn::Pat::Ident(binding) = &mut local.pat
        {
            binding.mutability = None;
        }
    }
}

/// `let url = format!("{}/things/{}", client.baseurl, encode_path(…));` becomes
/// `let url = client.inner.url(&client.baseurl, &format!("/things/{}", encode_path(…)))?;`
/// (and a path without parameters a plain string).
fn url_from_runtime(statement: &mut Stmt) {
    let Stmt::Local(local) = statement else {
        return;
    };
    let Some(init) = &mut local.init else {
        return;
    };
    let Expr::Macro(format) = &*init.expr else {
        return;
    };
    if !format.mac.path.is_ident("format") {
        return;
    }
    let parser = syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated;
    let Ok(arguments) = format.mac.parse_body_with(parser) else {
        return;
    };
    let mut arguments = arguments.into_iter();
    let (Some(Expr::Lit(template)), Some(base)) = (arguments.next(), arguments.next()) else {
        return;
    };
    let syn::Lit::Str(template) = &template.lit else {
        return;
    };
    let is_base = matches!(&base, Expr::Field(field)
        if matches!(&field.member, syn::Member::Named(name) if name == "baseurl")
        && matches!(&*field.base, Expr::Path(p) if p.path.is_ident("client")));
    let Some(path) = template.value().strip_prefix("{}").map(str::to_owned) else {
        return;
    };
    if !is_base {
        return;
    }
    let path_template = syn::LitStr::new(&path, template.span());
    let parameters: Vec<Expr> = arguments.collect();
    let path: Expr = if parameters.is_empty() && !path.contains(['{', '}']) {
        parse_quote!(#path_template)
    } else {
        parse_quote!(&format!(#path_template, #(#parameters,)*))
    };
    *init.expr = parse_quote!(client.inner.url(&client.baseurl, #path)?);
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
/// `client.inner.decode(response)` (`decode_plain` for a vendor without an envelope: the
/// envelope's code is then not compiled once per response type), and
/// `ResponseValue::empty(response)`, `stream(response)` and `Error::UnexpectedResponse(response)`
/// the runtime's `empty`, `stream` and `unexpected` (each opens the vendor's envelope first:
/// its failure is the vendor's error).
struct AnswerCalls {
    enveloped: bool,
}

impl VisitMut for AnswerCalls {
    fn visit_expr_mut(&mut self, expression: &mut Expr) {
        let replacement: Option<Expr> = match &*expression {
            Expr::Await(awaited) if is_call(&awaited.base, "ResponseValue", "from_response") => {
                Some(match self.enveloped {
                    true => parse_quote!(client.inner.decode(response)),
                    false => parse_quote!(client.inner.decode_plain(response)),
                })
            }
            Expr::Call(_) if is_call(expression, "ResponseValue", "empty") => {
                Some(parse_quote!(client.inner.empty(response)?))
            }
            Expr::Call(_) if is_call(expression, "ResponseValue", "stream") => {
                Some(parse_quote!(client.inner.stream(response)?))
            }
            Expr::Call(_) if is_call(expression, "Error", "UnexpectedResponse") => {
                Some(parse_quote!(client.inner.unexpected(response)))
            }
            _ => None,
        };
        match replacement {
            Some(new) => *expression = new,
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
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
                        header_map.append(
                            ::reqwest::header::HeaderName::from_static("api-version"),
                            ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                        );
                        header_map.append("x-trace", HeaderValue::try_from(trace)?);
                        let mut request = client.client.get(url).headers(header_map).build()?;
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
        let mut plain = implementation.clone();
        assert!(rewrite_sends(&mut implementation, true).is_ok());
        let text = quote!(#implementation).to_string().replace(' ', "");
        // A vendor without an envelope decodes the payload as it is.
        assert!(rewrite_sends(&mut plain, false).is_ok());
        let plain = quote!(#plain).to_string().replace(' ', "");
        assert!(
            plain.contains("200u16=>client.inner.decode_plain(response),"),
            "{plain}"
        );
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
        assert!(
            text.contains("_=>Err(client.inner.unexpected(response)),"),
            "{text}"
        );
        assert!(
            !text.contains("api_version") && !text.contains("api-version"),
            "{text}"
        );
        assert!(
            text.contains(
                "leturl=client.inner.url(&client.baseurl,&format!(\"/things/{}\",id,))?;"
            ),
            "{text}"
        );
        assert!(text.contains("HeaderMap::with_capacity(1usize)"), "{text}");
        assert!(text.contains("header_map.append(\"x-trace\""), "{text}");

        // Paged: `send` and `pages` build their request in one private method.
        let item: syn::Type = parse_quote!(types::Thing);
        let mut paged = implementation.clone();
        assert_eq!(add_pages(&mut paged, "get_thing", &item), Ok(true));
        let paged = quote!(#paged).to_string().replace(' ', "");
        for expected in [
            "letinfo=OperationInfo{operation_id:\"get_thing\"};let(client,request)=self.built_request()?;letresponse=client.inner.send(request,info.operation_id).await?;",
            "fnbuilt_request(self)->Result<(&'asuper::Client,::payspec_runtime::deps::reqwest::Request),::payspec_runtime::Error>{letSelf{client,id}=self;",
            "build()?;Ok((client,request))}",
            "matchself.built_request(){Ok((client,request))=>::payspec_runtime::Pages::new(&client.inner,request,\"get_thing\"),",
            "pubfnstream(self)->::payspec_runtime::Items<'a,types::Thing>{self.pages().items()}",
        ] {
            assert!(paged.contains(expected), "{expected}\nnot in\n{paged}");
        }
        assert_eq!(paged.matches("build()?").count(), 1, "{paged}");
        // A builder with a parameter of that name is left as it is, without pages.
        let mut taken = implementation.clone();
        taken.items.push(parse_quote!(
            pub fn built_request(self) -> Self {
                self
            }
        ));
        let before = quote!(#taken).to_string();
        assert_eq!(add_pages(&mut taken, "get_thing", &item), Ok(false));
        assert_eq!(quote!(#taken).to_string(), before);
    }

    /// A path without parameters is handed over as a plain string; a progenitor URL that is
    /// not the base followed by a path is left as it is.
    #[test]
    fn a_fixed_path_is_a_plain_string_and_other_urls_are_kept() {
        let mut statement: Stmt = parse_quote! {
            let url = format!("{}/v1/payment/cancel", client.baseurl,);
        };
        url_from_runtime(&mut statement);
        let text = quote!(#statement).to_string().replace(' ', "");
        assert_eq!(
            text,
            "leturl=client.inner.url(&client.baseurl,\"/v1/payment/cancel\")?;"
        );
        let mut other: Stmt = parse_quote! {
            let url = format!("{}://{}", scheme, client.baseurl);
        };
        let before = quote!(#other).to_string();
        url_from_runtime(&mut other);
        assert_eq!(quote!(#other).to_string(), before);
    }
}
