//! The codegen pipeline over the real specs and over broken ones.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};

use openapiv3::{ReferenceOr, SchemaKind, Type};
use payspec_codegen::{generate, load_vendor};

fn specs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs")
}

#[test]
fn onekey_operation_ids_and_what_the_runtime_supplies() {
    let vendor = load_vendor(&specs().join("onekey")).unwrap();
    let ids: Vec<&str> = vendor.operations.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "create_cashout",
            "update_cashout_status",
            "get_cashout_status",
            "cancel_cashout",
            "list_authorized_banks",
            "get_authorized_bank"
        ]
    );
    // The bank codes are served from the `banks` server group (/v1), the rest from /v3.
    let groups: Vec<Option<&str>> = vendor
        .operations
        .iter()
        .map(|o| o.server_group.as_deref())
        .collect();
    assert_eq!(
        groups,
        [None, None, None, None, Some("banks"), Some("banks")]
    );

    let cancel = &vendor.operations[3];
    assert_eq!(
        (cancel.method.as_str(), cancel.path.as_str()),
        ("DELETE", "/cashout/cancel")
    );
    assert_eq!(
        cancel.supplied_by_runtime,
        [
            "header Content-Type",
            "header Payload-Signature",
            "body login",
            "body pass"
        ]
    );
    assert!(cancel.params.is_empty(), "{:?}", cancel.params);
    assert_eq!(cancel.body, Some(true));

    // The inline cancel body lost login and pass, and so did the shared CashoutRequest component.
    let operation = vendor.spec.paths.paths["/cashout/cancel"]
        .as_item()
        .unwrap()
        .delete
        .as_ref()
        .unwrap();
    let Some(ReferenceOr::Item(body)) = &operation.request_body else {
        panic!("no body")
    };
    let Some(ReferenceOr::Item(schema)) = &body.content["application/json"].schema else {
        panic!("no schema")
    };
    let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
        panic!("not an object")
    };
    assert_eq!(
        object.properties.keys().collect::<Vec<_>>(),
        ["cashout_id", "external_id"]
    );
    assert_eq!(object.required, ["cashout_id", "external_id"]);
    // Error responses are left to the runtime; the one success stands for the 2xx range.
    assert_eq!(
        operation
            .responses
            .responses
            .keys()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
        ["2XX"]
    );

    let components = vendor.spec.components.as_ref().unwrap();
    let ReferenceOr::Item(request) = &components.schemas["CashoutRequest"] else {
        panic!()
    };
    let SchemaKind::Type(Type::Object(object)) = &request.schema_kind else {
        panic!()
    };
    assert!(!object.properties.contains_key("login") && !object.properties.contains_key("pass"));
    assert!(!object.required.iter().any(|r| r == "login" || r == "pass"));
}

#[test]
fn rio_operation_ids_come_from_the_summaries() {
    let vendor = load_vendor(&specs().join("rio")).unwrap();
    let mut ids: Vec<&str> = vendor.operations.iter().map(|o| o.id.as_str()).collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "cancel_bulk_bank_payment",
            "cancel_bulk_crypto_payment",
            "cancel_order",
            "check_crypto_payment",
            "create_a_bank_account",
            "create_address",
            "create_bulk_bank_payment",
            "create_bulk_bank_payout",
            "create_bulk_crypto_payment",
            "create_bulk_crypto_payout",
            "create_order",
            "create_quote",
            "get_a_bank_account",
            "get_a_bank_payout",
            "get_address",
            "get_addresses",
            "get_bank_accounts",
            "get_bank_payment",
            "get_bulk_bank_payment",
            "get_bulk_bank_payout",
            "get_bulk_crypto_payment",
            "get_bulk_crypto_payout",
            "get_order",
            "get_orders",
            "get_quote_by_id",
            "register_webhook",
            "update_a_bank_account",
            "update_order"
        ]
    );
    let get = vendor
        .operations
        .iter()
        .find(|o| o.id == "get_bulk_crypto_payment")
        .unwrap();
    assert_eq!(get.params.len(), 1);
    assert_eq!(
        (
            get.params[0].name.as_str(),
            get.params[0].location,
            get.params[0].required
        ),
        ("id", "path", true)
    );
}

#[test]
fn generation_is_deterministic_and_parses() {
    let vendor = load_vendor(&specs().join("rio")).unwrap();
    let first = generate(&vendor).unwrap().source();
    let second = generate(&load_vendor(&specs().join("rio")).unwrap())
        .unwrap()
        .source();
    assert_eq!(first, second);
    syn::parse_file(&first).unwrap();
    // The formatted module (what `payspec generate` writes for reading) has the glue.
    let first = payspec_codegen::generate_formatted(&vendor)
        .unwrap()
        .source();
    for expected in [
        "pub fn from_env()",
        "pub fn cancel_bulk_crypto_payment(",
        "client.inner.send(request, info.operation_id)",
    ] {
        assert!(first.contains(expected), "{expected:?} missing");
    }
}

/// A vendor directory with the given spec (file name, text) and vendor.yaml text.
fn vendor_dir(root: &Path, name: &str, spec_name: &str, spec: &[u8], profile: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(spec_name), spec).unwrap();
    std::fs::write(dir.join("vendor.yaml"), profile).unwrap();
    dir
}

const PROFILE: &str = "vendor: acme\ntitle: Acme\nservers: {sandbox: 'https://sandbox.acme.test'}\ndefault_server: sandbox\ncredentials: {api_key: {}}\nauth:\n  default: key\n  schemes:\n    key:\n      headers:\n        X-Acme-Key: {credential: api_key}\n";

const SPEC: &str = "openapi: 3.0.3\ninfo: {title: Acme, version: '1'}\npaths:\n  /things/{id}:\n    get:\n      operationId: getThing\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n      responses:\n        '200': {description: OK, content: {application/json: {schema: {type: object, properties: {id: {type: string}}}}}}\n";

/// Loads a broken vendor and returns its single-string diagnostics.
fn diagnose(spec_name: &str, spec: &[u8], profile: &str) -> String {
    let root = tempfile::tempdir().unwrap();
    let dir = vendor_dir(root.path(), "acme", spec_name, spec, profile);
    match load_vendor(&dir).and_then(|v| generate(&v).map(|_| ())) {
        Ok(()) => panic!("expected a diagnostic"),
        Err(diagnostics) => diagnostics
            .to_string()
            .replace(&root.path().display().to_string(), "<root>"),
    }
}

#[test]
fn a_good_minimal_vendor_loads() {
    let root = tempfile::tempdir().unwrap();
    let dir = vendor_dir(
        root.path(),
        "acme",
        "openapi.yaml",
        SPEC.as_bytes(),
        PROFILE,
    );
    let vendor = load_vendor(&dir).unwrap();
    assert_eq!(vendor.operations[0].id, "get_thing");
    generate(&vendor).unwrap();
}

#[test]
fn bad_specs_and_profiles_are_diagnosed_with_file_and_pointer() {
    let cases: Vec<(&str, Vec<u8>, String, &str)> = vec![
        ("openapi.yaml", SPEC.replace("3.0.3", "3.2.0").into_bytes(), PROFILE.into(),
         "<root>/acme/openapi.yaml: #/openapi: OpenAPI 3.2.0 is not supported"),
        ("openapi.yaml", SPEC.replace("'200': {description: OK", "'200': {description: [not, a, string]").into_bytes(), PROFILE.into(),
         "<root>/acme/openapi.yaml: #/paths/~1things~1{id}/get/responses/200"),
        ("openapi.yaml", format!("{SPEC}  /other/{{id}}:\n    get:\n      operationId: get_thing\n      parameters:\n        - {{name: id, in: path, required: true, schema: {{type: string}}}}\n      responses: {{'200': {{description: OK}}}}\n").into_bytes(), PROFILE.into(),
         "<root>/acme/openapi.yaml: #/paths/~1other~1{id}/get: operationId \"get_thing\" is also the operationId of #/paths/~1things~1{id}/get"),
        ("openapi.yaml", SPEC.as_bytes().to_vec(), PROFILE.replace("{credential: api_key}", "{credential: api_kee}"),
         "<root>/acme/vendor.yaml: #/auth/schemes/key/headers/X-Acme-Key/credential: unknown credential \"api_kee\" (declared: api_key)"),
        ("openapi.yaml", SPEC.as_bytes().to_vec(), PROFILE.replace("headers:", "headrs:"),
         "<root>/acme/vendor.yaml: #/auth/schemes/key/headrs: unknown field `headrs`, expected one of"),
        ("openapi.yaml", SPEC.as_bytes().to_vec(), PROFILE.replace("vendor: acme", "vendor: rio"),
         "<root>/acme/vendor.yaml: #/vendor: vendor \"rio\" must match its directory's name \"acme\""),
        ("openapi.yaml", SPEC.as_bytes().to_vec(), format!("{PROFILE}  operations:\n    refund: none\n"),
         "<root>/acme/vendor.yaml: #/auth/operations/refund: \"refund\" is not an operation of the spec (get_thing)"),
        ("openapi.yaml", b"openapi: 3.0.3\ninfo: {title: [unclosed\n".to_vec(), PROFILE.into(),
         "<root>/acme/openapi.yaml: invalid YAML"),
        ("openapi.json", b"{\"openapi\": \"3.0.0\", \"paths\": ".to_vec(), PROFILE.into(),
         "<root>/acme/openapi.json: invalid JSON at line 1"),
        ("openapi.yaml", b"openapi: 3.0.3\ninfo: {title: \xff\xfe}\n".to_vec(), PROFILE.into(),
         "<root>/acme/openapi.yaml: not UTF-8 text (invalid byte at line 2 column 15)"),
        ("openapi.yaml", format!("{SPEC}components:\n  securitySchemes:\n    k: {{type: apiKey, in: header, name: X-Other-Key}}\nsecurity:\n  - k: []\n").into_bytes(), PROFILE.into(),
         "<root>/acme/openapi.yaml: #/paths/~1things~1{id}/get: the spec's security requires k (X-Other-Key), but vendor.yaml's auth for operation \"get_thing\" sets none of these headers"),
        ("openapi.yaml", format!("{SPEC}components:\n  securitySchemes:\n    q: {{type: apiKey, in: query, name: key}}\nsecurity:\n  - q: []\n").into_bytes(), PROFILE.into(),
         "<root>/acme/openapi.yaml: #/paths/~1things~1{id}/get: the spec's security scheme \"q\" needs an API key in the query, which vendor.yaml recipes cannot send yet"),
        ("openapi.yaml", SPEC.as_bytes().to_vec(), PROFILE.replace("default_server: sandbox", "default_server: production"),
         "<root>/acme/vendor.yaml: #/default_server: default server \"production\" is not one of the servers (sandbox)"),
    ];
    for (spec_name, spec, profile, expected) in cases {
        let message = diagnose(spec_name, &spec, &profile);
        assert!(
            message.starts_with(expected),
            "expected {expected:?}\n     got {message:?}"
        );
    }
}

/// The vendor.yaml example in the README must stay a valid profile.
#[test]
fn the_readme_profile_example_is_valid() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    let start = readme.find("   ```yaml\n").unwrap() + "   ```yaml\n".len();
    let end = start + readme[start..].find("   ```\n").unwrap();
    let yaml: String = readme[start..end]
        .lines()
        .map(|l| format!("{}\n", l.strip_prefix("   ").unwrap_or(l)))
        .collect();
    let root = tempfile::tempdir().unwrap();
    let path = root.path().join("vendor.yaml");
    std::fs::write(&path, yaml).unwrap();
    let profile = payspec_codegen::read_profile(&path).unwrap();
    let scheme = &profile.auth.schemes["signed"];
    assert_eq!(
        scheme.to_string(),
        "header X-Api-Key = api_key; header X-Signature = hex(HMAC-SHA256(secret, timestamp + body)); header X-Timestamp = timestamp; body field merchant_id = api_key"
    );
}

/// `specs/<vendor>/api.txt` is the generated API, one line per credential, scheme, operation
/// and type: a spec change shows up in review as a diff of it. Regenerate after a deliberate
/// change with `PAYSPEC_UPDATE_API=1 cargo test -p payspec-codegen --test pipeline`.
#[test]
fn api_snapshots_match_the_specs() {
    let mut stale = Vec::new();
    for files in payspec_codegen::discover(&specs()).unwrap() {
        let vendor = load_vendor(&files.dir).unwrap();
        let snapshot = payspec_codegen::api(&vendor).unwrap().snapshot();
        let path = files.dir.join("api.txt");
        if std::env::var_os("PAYSPEC_UPDATE_API").is_some() {
            std::fs::write(&path, &snapshot).unwrap();
            continue;
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        if checked_in != snapshot {
            stale.push(format!(
                "{} is stale; the generated API is now:\n{snapshot}",
                path.display()
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "{}\n(regenerate with PAYSPEC_UPDATE_API=1 after checking the change)",
        stale.join("\n")
    );
}

#[test]
fn overlays_apply_to_the_vendor_text() {
    // OneKey's docs give no operationId for create and status: the overlay does.
    let raw: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(specs().join("onekey/openapi.json")).unwrap(),
    )
    .unwrap();
    assert!(
        raw["paths"]["/cashout"]["post"]
            .get("operationId")
            .is_none(),
        "the vendor's text stays untouched"
    );
    let vendor = load_vendor(&specs().join("onekey")).unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&vendor.raw_spec).unwrap()["paths"]["/cashout"]["post"]
            ["operationId"],
        "createCashout"
    );
    assert_eq!(vendor.files.overlays.len(), 3);
}

#[test]
fn a_stale_overlay_is_reported_with_its_line() {
    let root = tempfile::tempdir().unwrap();
    let dir = vendor_dir(
        root.path(),
        "acme",
        "openapi.yaml",
        SPEC.as_bytes(),
        PROFILE,
    );
    std::fs::create_dir_all(dir.join("overlays")).unwrap();
    std::fs::write(
        dir.join("overlays/10-fix.yaml"),
        "overlay: 1.0.0\ninfo: {title: fix, version: '1'}\nactions:\n  - target: $.paths['/things/{id}'].get\n    update: {summary: Get a thing}\n  - target: $.paths['/gone'].post\n    update: {operationId: x}\n",
    )
    .unwrap();
    let rendered = load_vendor(&dir)
        .unwrap_err()
        .render()
        .replace(&root.path().display().to_string(), "<root>");
    assert_eq!(
        rendered,
        "<root>/acme/overlays/10-fix.yaml:6:5: #/actions/1/target: $.paths['/gone'].post matches nothing in the spec: if the vendor has fixed this, remove the action"
    );
}

#[test]
fn constructs_the_generator_cannot_express_are_diagnosed_first() {
    let two_bodies = SPEC.replace(
        "        '200': {description: OK, content: {application/json: {schema: {type: object, properties: {id: {type: string}}}}}}\n",
        "        '200': {description: OK, content: {application/json: {schema: {type: object, properties: {id: {type: string}}}}}}\n        '201': {description: Made, content: {application/json: {schema: {type: string}}}}\n",
    );
    let message = diagnose("openapi.yaml", two_bodies.as_bytes(), PROFILE);
    assert!(message.contains("#/paths/~1things~1{id}/get/responses: several success bodies of different schemas (200, 201)"), "{message}");
    let media = |types: &str| {
        format!(
            "{SPEC}  /upload:\n    post:\n      operationId: upload\n      requestBody:\n        content:\n{types}      responses: {{'204': {{description: done}}}}\n"
        )
    };
    let json_and_multipart = media(
        "          application/json: {schema: {type: object}}\n          multipart/form-data: {schema: {type: object, properties: {file: {type: string, format: binary}}}}\n",
    );
    // JSON first; the multipart one when vendor.yaml chooses it.
    let root = tempfile::tempdir().unwrap();
    let dir = vendor_dir(
        root.path(),
        "acme",
        "openapi.yaml",
        json_and_multipart.as_bytes(),
        PROFILE,
    );
    let vendor = payspec_codegen::load_vendor(&dir).unwrap();
    let upload = serde_json::to_string(&vendor.spec.paths.paths["/upload"]).unwrap();
    assert!(!upload.contains("file"), "{upload}");
    let choose = |media: &str| format!("{PROFILE}generate:\n  request_media:\n    {media}\n");
    let dir = vendor_dir(
        root.path(),
        "acme",
        "openapi.yaml",
        json_and_multipart.as_bytes(),
        &choose("upload: multipart/form-data"),
    );
    let vendor = payspec_codegen::load_vendor(&dir).unwrap();
    // The multipart form's fields, carried as the typed body the runtime encodes.
    let upload = serde_json::to_string(&vendor.spec.paths.paths["/upload"]).unwrap();
    assert!(upload.contains("file"), "{upload}");
    let message = diagnose(
        "openapi.yaml",
        json_and_multipart.as_bytes(),
        &choose("upload: text/csv"),
    );
    assert!(
        message.contains("vendor.yaml: #/generate/request_media/upload: operation upload offers no request body of media type \"text/csv\" (it offers: application/json, multipart/form-data)"),
        "{message}"
    );
    let message = diagnose(
        "openapi.yaml",
        json_and_multipart.as_bytes(),
        &choose("uplod: multipart/form-data"),
    );
    assert!(
        message.contains("#/generate/request_media/uplod: no operation uplod with a request body"),
        "{message}"
    );
    let no_json = media(
        "          application/x-www-form-urlencoded: {schema: {type: object}}\n          multipart/form-data: {schema: {type: object}}\n",
    );
    let message = diagnose("openapi.yaml", no_json.as_bytes(), PROFILE);
    assert!(
        message.contains("a multipart body beside other media types, none JSON: name the one to generate in vendor.yaml's generate.request_media"),
        "{message}"
    );
    let no_schema = SPEC.replace(
        "content: {application/json: {schema: {type: object, properties: {id: {type: string}}}}}",
        "content: {application/json: {}}",
    );
    let message = diagnose("openapi.yaml", no_schema.as_bytes(), PROFILE);
    assert!(
        message.contains("a JSON response without a schema"),
        "{message}"
    );
}

#[test]
fn diff_classifies_changes_for_a_caller() {
    use payspec_codegen::api::diff;
    let root = tempfile::tempdir().unwrap();
    // Each version in a directory of its own, all named acme (same credentials, same module).
    let api_of = |version: &str, spec: &str| {
        let dir = vendor_dir(
            &root.path().join(version),
            "acme",
            "openapi.yaml",
            spec.as_bytes(),
            PROFILE,
        );
        payspec_codegen::api(&load_vendor(&dir).unwrap()).unwrap()
    };
    let base = api_of("base", SPEC);
    let changes = |name: &str, spec: String| {
        diff(&base, &api_of(name, &spec))
            .into_iter()
            .map(|c| (c.breaking, c.description))
            .collect::<Vec<_>>()
    };
    let required_query = SPEC.replace("      responses:\n", "      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n        - {name: verbose, in: query, required: true, schema: {type: boolean}}\n      responses:\n");
    let got = changes("querier", required_query.replacen("      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n      parameters:\n", "      parameters:\n", 1));
    assert!(
        got.contains(&(
            true,
            "operation get_thing: required parameter verbose added".into()
        )),
        "{got:?}"
    );
    let renamed = changes("renamer", SPEC.replace("getThing", "fetchThing"));
    assert!(
        renamed.contains(&(
            true,
            "operation get_thing renamed to fetch_thing (GET /things/{id})".into()
        )),
        "{renamed:?}"
    );
    let new_field = changes(
        "grower",
        SPEC.replace(
            "properties: {id: {type: string}}",
            "properties: {id: {type: string}, label: {type: string}}",
        ),
    );
    assert!(
        new_field
            .iter()
            .any(|(breaking, d)| !breaking && d.contains("field label: Option<String> added")),
        "{new_field:?}"
    );
    assert!(changes("same", SPEC.to_owned()).is_empty());
}

/// `generate:` in vendor.yaml: a subset of operations (with the schemas they reach), and
/// string length limits left to the server.
#[test]
fn generate_settings_narrow_what_is_emitted() {
    let spec = "openapi: 3.0.3\ninfo: {title: Acme, version: '1'}\npaths:\n  /things/{id}:\n    get:\n      operationId: getThing\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n      responses:\n        '200': {description: OK, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}\n  /others:\n    get:\n      operationId: listOthers\n      responses:\n        '200': {description: OK, content: {application/json: {schema: {$ref: '#/components/schemas/Other'}}}}\ncomponents:\n  schemas:\n    Thing: {type: object, properties: {code: {type: string, maxLength: 8}}}\n    Other: {type: object, properties: {n: {type: integer}}}\n";
    let root = tempfile::tempdir().unwrap();
    let source = |profile: &str| {
        let dir = vendor_dir(
            root.path(),
            "acme",
            "openapi.yaml",
            spec.as_bytes(),
            profile,
        );
        payspec_codegen::generate_formatted(&load_vendor(&dir).unwrap())
            .unwrap()
            .source()
    };
    let all = source(PROFILE);
    assert!(all.contains("pub fn list_others(") && all.contains("pub struct Other "));
    assert!(
        all.contains("pub struct ThingCode("),
        "a checked newtype for maxLength"
    );

    let narrowed = source(&format!(
        "{PROFILE}generate:\n  string_lengths: unchecked\n  operations: [get_thing]\n"
    ));
    assert!(narrowed.contains("pub fn get_thing("));
    assert!(
        !narrowed.contains("pub fn list_others("),
        "an operation left out"
    );
    assert!(
        !narrowed.contains("pub struct Other "),
        "a schema only it reached"
    );
    assert!(
        !narrowed.contains("pub struct ThingCode("),
        "lengths unchecked: a plain String"
    );

    let message = diagnose(
        "openapi.yaml",
        spec.as_bytes(),
        &format!("{PROFILE}generate:\n  operations: [get_thing, list_otters]\n"),
    );
    assert!(
        message.starts_with("<root>/acme/vendor.yaml: #/generate/operations/1: \"list_otters\" is not an operation of the spec"),
        "{message}"
    );
}

/// A builder is generated for what a caller sends (request bodies and what they contain), not
/// for what only comes back from the vendor (Rio's `Order`): those are read by serde, never
/// built, and their builders were dead code every user compiled.
#[test]
fn builders_only_for_the_types_a_caller_sends() {
    let vendor = load_vendor(&specs().join("rio")).unwrap();
    let source = payspec_codegen::generate_formatted(&vendor)
        .unwrap()
        .source();
    for kept in [
        "pub struct CreateOrderBody {",
        "impl CreateOrderBody {\n        pub fn builder() -> builder::CreateOrderBody",
    ] {
        assert!(source.contains(kept), "{kept:?} missing");
    }
    assert!(
        source.contains("pub struct Order {"),
        "the type itself stays"
    );
    for gone in [
        "pub fn builder() -> builder::Order ",
        "impl ::std::convert::TryFrom<Order> for super::Order",
        "impl ::std::convert::From<super::Order> for Order",
    ] {
        assert!(!source.contains(gone), "{gone:?} is still generated");
    }
    // A body's nested object keeps its builder: the caller builds it to build the body.
    assert!(
        source.contains("pub fn builder() -> builder::CreateABankAccountBodyAddress"),
        "a nested request type lost its builder"
    );
}

/// `Builder::resources`: a build script's chosen resources are generated, the others are not
/// (no `cfg` left to decide), and a field holding an object of a resource left out is JSON.
#[test]
fn a_build_script_generates_only_the_resources_it_names() {
    let temp = tempfile::tempdir().unwrap();
    let vendor = temp.path().join("specs/acme");
    std::fs::create_dir_all(&vendor).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/resources");
    for file in ["openapi.yaml", "vendor.yaml"] {
        std::fs::copy(fixture.join(file), vendor.join(file)).unwrap();
    }
    let generate = |resources: &[&str]| {
        let out = temp.path().join(format!("out-{}", resources.join("-")));
        std::fs::create_dir_all(&out).unwrap();
        payspec_codegen::Builder::new(temp.path().join("specs"))
            .out_dir(&out)
            .resources("acme", resources.iter().copied())
            .generate()
            .map(|built| {
                let module = std::fs::read_to_string(out.join("acme.rs")).unwrap();
                (built, module.split_whitespace().collect::<String>())
            })
    };
    let (built, orders) = generate(&["orders"]).unwrap();
    assert!(built.warnings.is_empty(), "{:?}", built.warnings);
    assert!(orders.contains("fnget_order(") && !orders.contains("fnget_customer("));
    assert!(!orders.contains("structCustomer{") && orders.contains("structAddress{"));
    assert!(
        orders.contains("Customer(::std::boxed::Box<::payspec_runtime::deps::serde_json::Value>)"),
        "the expanded customer is JSON without its resource"
    );
    assert!(
        !orders.contains("cfg(feature"),
        "nothing is left to a feature"
    );
    assert!(orders.contains("id:\"get_order\"") && !orders.contains("id:\"get_customer\""));

    let (_, both) = generate(&["orders", "customers"]).unwrap();
    assert!(
        both.contains("Customer(::std::boxed::Box<Customer>)") && both.contains("fnget_customer(")
    );

    let unknown = generate(&["refunds"]).unwrap_err().render();
    assert!(
        unknown.contains("no resource named refunds (this vendor's resources: customers, orders)"),
        "{unknown}"
    );
}
