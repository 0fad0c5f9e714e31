//! payspec's thin layer over progenitor's client, emitted from the model: constructors that
//! build the runtime, the embedded profile and spec, the operation table, the untyped
//! dispatch the CLI calls through, the unified cancel, and callback verification.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::Vendor;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Model, squash};
use crate::normalize::OperationSummary;

/// The glue for a vendor.
/// With `gates`, each operation's parts are gated by its resource (or left out).
pub(crate) fn tokens(
    vendor: &Vendor,
    model: &Model,
    gates: Option<&crate::gate::Gates>,
) -> Result<TokenStream, Diagnostics> {
    let mut metas = Vec::new();
    let mut round_trips = Vec::new();
    let mut arms = Vec::new();
    let mut problems = Vec::new();
    let mut cancel = None;
    for operation in &vendor.operations {
        let gated = |tokens: TokenStream| match gates {
            Some(gates) => gates.operation(&operation.id, tokens),
            None => Some(tokens),
        };
        if gates.is_some_and(|g| !g.generates(&operation.id)) {
            continue;
        }
        metas.extend(gated(operation_meta(operation)));
        let steps = match argument_steps(vendor, model, operation) {
            Ok(steps) => steps,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        let method = format_ident!("{}", operation.id);
        if vendor
            .profile
            .cancel
            .as_ref()
            .is_some_and(|c| c.operation == operation.id)
        {
            let response = model
                .builder(&operation.id)
                .and_then(|b| b.response.clone());
            cancel = gated(cancel_impl(&method, &steps, response));
        }
        let streamed = model
            .builder(&operation.id)
            .and_then(|b| b.response.as_ref())
            .is_some_and(is_byte_stream);
        arms.extend(gated(dispatch_arm(
            &operation.id,
            &method,
            &steps,
            streamed,
        )));
        round_trips.extend(
            round_trip_arms(model, operation)
                .into_iter()
                .filter_map(gated),
        );
    }
    if !problems.is_empty() {
        return Err(Diagnostics(problems));
    }
    let constants = constants(vendor);
    let constructors = constructors();
    let callbacks = callbacks(vendor);
    let dispatch = dispatch(&vendor.profile.vendor, &arms);
    let round_trip = round_trip(&round_trips);
    Ok(quote! {
        /// The runtime this client runs on: a caller needs no other payspec dependency.
        pub use ::payspec_runtime as runtime;
        pub use ::payspec_runtime::{
            CallbackError, Cancel, CancelOutcome, CancelReference, Credentials, RetryPolicy,
            Settings, Timeouts, VendorError,
        };
        #constants
        /// Every operation of this vendor, as the CLI and introspection see them.
        pub static OPERATIONS: &[::payspec_runtime::OperationMeta] = &[#(#metas),*];
        #constructors
        #cancel
        #callbacks
        #dispatch
        #round_trip
    })
}

/// An operation's arms of `round_trip`: its body type and its success type.
fn round_trip_arms(model: &Model, operation: &OperationSummary) -> Vec<TokenStream> {
    let Some(builder) = model.builder(&operation.id) else {
        return Vec::new();
    };
    let id = &operation.id;
    let mut arms = Vec::new();
    if let Some(body) = builder.setters.get("body") {
        arms.push(
            quote! { (#id, false) => ::payspec_runtime::call::body_round_trip::<#body>(value), },
        );
    }
    if let Some(response) = builder.response.as_ref().filter(|r| !is_byte_stream(r)) {
        arms.push(quote! { (#id, true) => ::payspec_runtime::call::payload_round_trip::<#response>(value), });
    }
    arms
}

fn round_trip(arms: &[TokenStream]) -> TokenStream {
    quote! {
        /// A JSON request body (`response: false`) or success payload (`true`) of an operation
        /// through its generated type and back: what the type keeps of it. `Err` says why it
        /// does not decode.
        pub fn round_trip(operation: &str, response: bool, value: ::payspec_runtime::deps::serde_json::Value) -> Result<::payspec_runtime::deps::serde_json::Value, String> {
            match (operation, response) {
                #(#arms)*
                _ => Err(format!("{operation} has no generated {} type", if response { "response" } else { "body" })),
            }
        }
    }
}

/// An operation's entry in `OPERATIONS`: the fields that differ from
/// `OperationMeta::UNSAID` (most entries say a third of them; Stripe's table was 15,000
/// lines with every field written).
fn operation_meta(operation: &OperationSummary) -> TokenStream {
    let (id, method, path, summary) = (
        &operation.id,
        &operation.method,
        &operation.path,
        &operation.summary,
    );
    let params = operation.params.iter().map(|p| {
        let (name, location, required) = (&p.name, p.location, p.required);
        quote!(::payspec_runtime::ParamMeta::new(#name, #location, #required))
    });
    let supplied = &operation.supplied_by_runtime;
    let flag = |on: bool, field: TokenStream| on.then_some(field);
    let optional = [
        flag(!summary.is_empty(), quote!(summary: #summary)),
        flag(
            !operation.params.is_empty(),
            quote!(params: &[#(#params),*]),
        ),
        operation.body.map(|required| quote!(body: Some(#required))),
        flag(
            !supplied.is_empty(),
            quote!(supplied_by_runtime: &[#(#supplied),*]),
        ),
        flag(operation.returns_body, quote!(returns_body: true)),
        operation
            .server_group
            .as_ref()
            .map(|group| quote!(server_group: Some(#group))),
        flag(operation.multipart, quote!(multipart: true)),
        flag(operation.form, quote!(form: true)),
        operation
            .media
            .as_ref()
            .map(|media| quote!(media: Some(#media))),
        flag(operation.idempotent, quote!(idempotent: true)),
        flag(operation.paged.is_some(), quote!(paged: true)),
    ];
    let said = [
        quote!(id: #id),
        quote!(method: #method),
        quote!(path: #path),
    ]
    .into_iter()
    .chain(optional.into_iter().flatten());
    quote! {
        ::payspec_runtime::OperationMeta { #(#said,)* ..::payspec_runtime::OperationMeta::UNSAID }
    }
}

/// The statements that fill an operation's builder from an untyped `CallRequest` (named
/// `request`): each parameter parsed into the setter's type, then the body.
fn argument_steps(
    vendor: &Vendor,
    model: &Model,
    operation: &OperationSummary,
) -> Result<Vec<TokenStream>, Diagnostic> {
    let internal = |message: String| {
        Diagnostic::new(
            &vendor.files.spec,
            &operation.pointer,
            format!("internal error: {message}"),
        )
    };
    let builder = model.builder(&operation.id).ok_or_else(|| {
        internal(format!(
            "no builder generated for operation {:?}",
            operation.id
        ))
    })?;
    let mut steps = Vec::new();
    for param in &operation.params {
        let (setter, ty) = builder
            .setters
            .iter()
            .find(|(s, _)| squash(s) == squash(&param.name))
            .ok_or_else(|| internal(format!("no builder setter for parameter {:?}", param.name)))?;
        let setter = format_ident!("{}", setter);
        let name = &param.name;
        steps.push(quote! {
            if let Some(value) = request.arg::<#ty>(#name)? { builder = builder.#setter(value); }
        });
    }
    if operation.body.is_some()
        && let Some(ty) = builder.setters.get("body")
    {
        steps.push(quote! { builder = builder.body(request.body::<#ty>()?); });
    }
    Ok(steps)
}

fn dispatch_arm(
    id: &str,
    method: &proc_macro2::Ident,
    steps: &[TokenStream],
    streamed: bool,
) -> TokenStream {
    // A success body that is not JSON arrives as a byte stream: read whole.
    let outcome = if streamed {
        quote!(::payspec_runtime::call::stream_outcome(response).await?)
    } else {
        quote!(::payspec_runtime::call::to_outcome(response)?)
    };
    quote! {
        #id => Box::pin(async move {
            #[allow(unused_mut)]
            let mut builder = client.#method();
            #(#steps)*
            let response = builder.send().await?;
            let mut outcome = #outcome;
            client.inner.scrub_json(&mut outcome.body);
            Ok::<_, ::payspec_runtime::Error>(outcome)
        }),
    }
}

/// Whether a type is progenitor's `ByteStream` (a success body that is not JSON).
fn is_byte_stream(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(path) if path.path.segments.last().is_some_and(|s| s.ident == "ByteStream"))
}

/// The profile and the spec are embedded from files written beside the module
/// (`<vendor>.profile.json`, `<vendor>.spec.json`): a large spec as a string literal would cost
/// the generator memory and the compiler time.
fn constants(vendor: &Vendor) -> TokenStream {
    let (name, title) = (&vendor.profile.vendor, &vendor.profile.title);
    let profile_file = format!("{name}.profile.json");
    let spec_file = format!("{name}.spec.json");
    let profile_doc = format!("The `{name}` vendor's profile, as JSON (from vendor.yaml).");
    let degraded = vendor
        .warnings
        .iter()
        .map(|w| format!("#{}: {}", w.pointer, w.message));
    quote! {
        #[doc = #profile_doc]
        pub const PROFILE_JSON: &str = include_str!(#profile_file);

        /// The vendor's OpenAPI document as written (overlays applied, before normalisation), as JSON.
        pub const SPEC_JSON: &str = include_str!(#spec_file);

        /// This vendor's entry in the registry of compiled vendors.
        pub static VENDOR: ::payspec_runtime::VendorEntry = ::payspec_runtime::VendorEntry {
            name: #name,
            title: #title,
            profile_json: PROFILE_JSON,
            spec_json: SPEC_JSON,
            operations: OPERATIONS,
            degraded: &[#(#degraded),*],
            call: |settings, request| Box::pin(call(settings, request)),
            round_trip,
        };
    }
}

fn constructors() -> TokenStream {
    quote! {
        impl Client {
            /// A client configured from the environment: credentials from
            /// `PAYSPEC_<VENDOR>_<NAME>`, the server from `PAYSPEC_<VENDOR>_SERVER` or
            /// `PAYSPEC_<VENDOR>_BASE_URL` (and `PAYSPEC_<VENDOR>_<GROUP>_BASE_URL` for a server
            /// group), else the vendor's default server.
            pub fn from_env() -> Result<Self, ::payspec_runtime::ConfigError> {
                let runtime = ::payspec_runtime::Runtime::from_env(PROFILE_JSON, OPERATIONS)?;
                let base_url = runtime.base_url().to_owned();
                let http = runtime.http_client().clone();
                Ok(Self::new_with_client(&base_url, http, runtime))
            }

            /// A client configured in code: server or base URL, credentials, timeouts, retries.
            pub fn with_settings(settings: ::payspec_runtime::Settings) -> Result<Self, ::payspec_runtime::ConfigError> {
                let runtime = ::payspec_runtime::Runtime::new(PROFILE_JSON, OPERATIONS, settings)?;
                let base_url = runtime.base_url().to_owned();
                let http = runtime.http_client().clone();
                Ok(Self::new_with_client(&base_url, http, runtime))
            }
        }
    }
}

/// `call` and `dispatch`. Each operation's arm is a boxed future of its own, awaited once
/// after the match: one `async fn` awaiting every operation's future in place would be a
/// coroutine with one suspension point per operation, whose layout rustc computes in time
/// that grows faster than their number (117 s of the 200 s `cargo check` of all of Stripe's
/// 415 operations went to that one function).
fn dispatch(vendor: &str, arms: &[TokenStream]) -> TokenStream {
    quote! {
        /// Calls one operation by its operationId with untyped arguments (the CLI's path),
        /// with a client built from `settings`.
        pub async fn call(settings: ::payspec_runtime::Settings, request: ::payspec_runtime::CallRequest) -> Result<::payspec_runtime::call::CallOutcome, ::payspec_runtime::Error> {
            let client = Client::with_settings(settings)?;
            dispatch(&client, request).await
        }

        /// Calls one operation by its operationId with untyped arguments, through `client`:
        /// the arguments are parsed into the operation's typed parameters and body first.
        pub async fn dispatch(client: &Client, request: ::payspec_runtime::CallRequest) -> Result<::payspec_runtime::call::CallOutcome, ::payspec_runtime::Error> {
            let call: ::payspec_runtime::call::DispatchFuture<'_> = match request.operation.as_str() {
                #(#arms)*
                other => return Err(::payspec_runtime::Error::UnknownOperation {
                    vendor: #vendor.to_owned(),
                    operation: other.to_owned(),
                }),
            };
            call.await
        }
    }
}

/// `impl Cancel for Client`: the unified cancel through the vendor's typed cancel operation
/// (and its state-read operation, through the untyped dispatch of the same client).
fn cancel_impl(
    method: &proc_macro2::Ident,
    steps: &[TokenStream],
    response: Option<syn::Type>,
) -> TokenStream {
    let response = response.map(|t| quote!(#t)).unwrap_or_else(|| quote!(()));
    quote! {
        impl ::payspec_runtime::cancel::Cancel for Client {
            type Response = #response;

            async fn cancel(
                &self,
                reference: &::payspec_runtime::cancel::CancelReference,
            ) -> Result<::payspec_runtime::cancel::CancelOutcome<Self::Response>, ::payspec_runtime::Error> {
                let client = self;
                ::payspec_runtime::cancel::run(
                    client.inner.profile(),
                    reference,
                    |request| async move {
                        #[allow(unused_mut)]
                        let mut builder = client.#method();
                        #(#steps)*
                        let response = builder.send().await?;
                        Ok((response.status().as_u16(), response.into_inner()))
                    },
                    |request| async move {
                        dispatch(client, request).await.map(|outcome| (outcome.status, outcome.body))
                    },
                )
                .await
            }
        }
    }
}

/// `verify_<name>` of a webhook signed in a header: the delivery's headers and raw body (and
/// the URL it was delivered to, when the vendor signs it; the key, when the caller holds it).
fn webhook_verifier(
    callback: &str,
    spec: &payspec_profile::Callback,
    header: &payspec_profile::webhook::SignatureHeader,
    function: &proc_macro2::Ident,
    schema: &proc_macro2::Ident,
) -> TokenStream {
    let signs_url = spec
        .message
        .contains(&payspec_profile::callback::CallbackPart::Url);
    let given = matches!(spec.key, payspec_profile::KeySource::Given);
    let doc = format!(
        "Verifies a `{callback}` webhook by its `{}` header over the body as received{}{}, and parses it; the result carries the event's id for de-duplication.",
        header.name,
        if signs_url {
            " and the URL it was delivered to"
        } else {
            ""
        },
        spec.tolerance_seconds
            .map(|t| format!(" (refused when its timestamp is more than {t} s from now)"))
            .unwrap_or_default(),
    );
    let url_param = signs_url.then(|| quote!(url: &str,));
    let url_arg = if signs_url {
        quote!(Some(url))
    } else {
        quote!(None)
    };
    let key_param = given.then(|| quote!(key: &str,));
    let key_arg = if given {
        quote!(Some(key))
    } else {
        quote!(None)
    };
    quote! {
        #[doc = #doc]
        pub fn #function(&self, #key_param #url_param headers: &::payspec_runtime::deps::reqwest::header::HeaderMap, body: &[u8]) -> Result<::payspec_runtime::callback::Verified<types::#schema>, ::payspec_runtime::callback::CallbackError> {
            let delivery = ::payspec_runtime::callback::Delivery { headers, body, url: #url_arg };
            self.inner.verify_webhook(#callback, #key_arg, delivery)
        }
    }
}

fn callbacks(vendor: &Vendor) -> TokenStream {
    let functions = vendor.profile.callbacks.iter().map(|(callback, spec)| {
        let function = format_ident!("verify_{}", callback);
        let schema = format_ident!("{}", crate::normalize::rust_type_name(&spec.schema));
        if let Some(header) = &spec.header {
            return webhook_verifier(callback, spec, header, &function, &schema);
        }
        let doc = format!("Verifies a `{callback}` callback (its `{}` field) and parses it.", spec.field);
        match &spec.key {
            payspec_profile::KeySource::Given => quote! {
                #[doc = #doc]
                pub fn #function(&self, key: &str, body: &[u8]) -> Result<types::#schema, ::payspec_runtime::callback::CallbackError> {
                    self.inner.verify_callback(#callback, Some(key), body)
                }
            },
            payspec_profile::KeySource::ByField(choice) => {
                let names = choice.key_names().into_iter().collect::<Vec<_>>().join(", ");
                let doc = format!("{doc} The payload's `{}` field picks the key among `keys` ({names}).", choice.field);
                quote! {
                    #[doc = #doc]
                    pub fn #function(&self, keys: &::payspec_runtime::callback::CallbackKeys, body: &[u8]) -> Result<types::#schema, ::payspec_runtime::callback::CallbackError> {
                        self.inner.verify_callback_with_keys(#callback, keys, body)
                    }
                }
            }
            payspec_profile::KeySource::Credential(_) => quote! {
                #[doc = #doc]
                pub fn #function(&self, body: &[u8]) -> Result<types::#schema, ::payspec_runtime::callback::CallbackError> {
                    self.inner.verify_callback(#callback, None, body)
                }
            },
        }
    });
    quote! { impl Client { #(#functions)* } }
}
