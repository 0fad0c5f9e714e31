//! Malformed and hostile specs, profiles and overlays: each gets a diagnostic naming its file,
//! none panics, and each is handled quickly (times printed; run with --nocapture to see them).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Instant;

use payspec_codegen::{generate, generate_formatted, load_vendor};

const PROFILE: &str = "vendor: acme\ntitle: Acme\nservers: {sandbox: 'https://sandbox.acme.test'}\ndefault_server: sandbox\ncredentials: {api_key: {}}\nauth:\n  default: key\n  schemes:\n    key:\n      headers:\n        X-Acme-Key: {credential: api_key}\n";

const SPEC: &str = "openapi: 3.0.3\ninfo: {title: Acme, version: '1'}\npaths:\n  /things/{id}:\n    get:\n      operationId: getThing\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n      responses:\n        '200': {description: OK, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}\ncomponents:\n  schemas:\n    Thing: {type: object, properties: {id: {type: string}}}\n";

/// A YAML document whose aliases expand exponentially ("billion laughs").
fn yaml_bomb() -> String {
    let mut text = String::from(
        "openapi: 3.0.3\ninfo: {title: bomb, version: '1'}\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..12 {
        let previous = format!("*a{}", i - 1);
        text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![previous; 9].join(", ")));
    }
    text.push_str("paths: {}\n");
    text
}

fn deep_nesting(depth: usize, json: bool) -> String {
    if json {
        format!(
            "{{\"openapi\": \"3.0.0\", \"info\": {{\"title\": \"t\", \"version\": \"1\"}}, \"paths\": {}{}}}",
            "[".repeat(depth),
            "]".repeat(depth)
        )
    } else {
        format!(
            "openapi: 3.0.0\ninfo: {{title: t, version: '1'}}\npaths: {}{}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        )
    }
}

fn schema_chain(depth: usize) -> String {
    let mut spec = SPEC.replace(
        "    Thing: {type: object, properties: {id: {type: string}}}\n",
        "",
    );
    spec.push_str("    Thing: {$ref: '#/components/schemas/T0'}\n");
    for i in 0..depth {
        spec.push_str(&format!("    T{i}: {{type: object, properties: {{next: {{$ref: '#/components/schemas/T{}'}}}}}}\n", i + 1));
    }
    spec
}

struct Case {
    name: &'static str,
    spec_name: &'static str,
    spec: Vec<u8>,
    profile: String,
    overlay: Option<String>,
}

fn case(name: &'static str, spec: impl Into<Vec<u8>>) -> Case {
    Case {
        name,
        spec_name: "openapi.yaml",
        spec: spec.into(),
        profile: PROFILE.to_owned(),
        overlay: None,
    }
}

fn corpus() -> Vec<Case> {
    let cases = vec![
        case("truncated YAML", &SPEC.as_bytes()[..SPEC.len() / 2]),
        case("YAML bomb (aliases)", yaml_bomb()),
        case("deep YAML nesting", deep_nesting(20_000, false)),
        Case { spec_name: "openapi.json", ..case("deep JSON nesting", deep_nesting(20_000, true)) },
        case("non-UTF-8 bytes", b"openapi: 3.0.3\ninfo: {title: \xc3\x28, version: '1'}\n".to_vec()),
        case("empty file", ""),
        case("a bare scalar", "just some text"),
        case("a list at the top", "- 1\n- 2\n"),
        case("OpenAPI 3.2 (not yet read)", SPEC.replace("3.0.3", "3.2.0")),
        case("Swagger 2.0", "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n"),
        case("no paths", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"),
        case("paths is a list", SPEC.replace("paths:\n  /things/{id}:", "paths:\n  - /things/{id}:")),
        case("wrong type in a response", SPEC.replace("'200': {description: OK", "'200': {description: [1, 2]")),
        case("dangling $ref", SPEC.replace("#/components/schemas/Thing'", "#/components/schemas/Nothing'")),
        case("cyclic $ref", SPEC.replace("    Thing: {type: object, properties: {id: {type: string}}}\n", "    Thing: {$ref: '#/components/schemas/Other'}\n    Other: {$ref: '#/components/schemas/Thing'}\n")),
        case("external $ref", SPEC.replace("#/components/schemas/Thing'", "https://evil.example/schema.json'")),
        case("$ref path item", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a: {$ref: '#/components/pathItems/A'}\n"),
        case("duplicate operationIds", SPEC.replace("paths:\n", "paths:\n  /other/{id}:\n    get:\n      operationId: get_thing\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n      responses: {'200': {description: OK}}\n")),
        case("dangling $ref after a 2,000-deep chain", schema_chain(2_000)),
        case("huge file (30 MB of padding)", format!("{SPEC}x-padding: '{}'\nx-broken: [\n", "p".repeat(30_000_000))),
        Case { profile: "vendor: acme\ntitle: [unclosed\n".into(), ..case("truncated vendor.yaml", SPEC) },
        Case { profile: PROFILE.replace("{credential: api_key}", "{credential: nope}"), ..case("unknown credential in a recipe", SPEC) },
        Case {
            profile: PROFILE.replace("X-Acme-Key: {credential: api_key}", "X-Sig: {hmac_sha256: {key: api_key, message: [body, cookies], encoding: hex_lower}}"),
            ..case("a recipe part that does not exist", SPEC)
        },
        Case { profile: PROFILE.replace("auth:", "auth: 5\nauth2:"), ..case("wrong type in vendor.yaml", SPEC) },
        Case { profile: format!("{PROFILE}tokens:\n  s: {{login: {{operation: missing}}, access_token: /t}}\n"), ..case("token provider on a missing operation", SPEC) },
        Case { overlay: Some("overlay: 1.0.0\nactions:\n  - target: $.paths['/nope'].get\n    update: {summary: x}\n".into()), ..case("overlay matching nothing", SPEC) },
        Case { overlay: Some("overlay: 1.0.0\nactions:\n  - target: '$..[?('\n    remove: true\n".into()), ..case("overlay with broken JSONPath", SPEC) },
        Case { overlay: Some("overlay: 1.0.0\nactions:\n  - target: $.openapi\n    update: '4.0.0'\n".into()), ..case("overlay turning it into 4.0", SPEC) },
        Case { overlay: Some("actions: 12\n".into()), ..case("overlay of the wrong shape", SPEC) },
    ];

    cases
}

#[test]
fn every_hostile_input_gets_a_diagnostic_and_none_panics() {
    let cases = corpus();
    assert!(cases.len() >= 25, "{} cases", cases.len());
    let root = tempfile::tempdir().unwrap();
    let mut report = Vec::new();
    let mut accepted = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let dir = root.path().join(format!("case{i}")).join("acme");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(case.spec_name), &case.spec).unwrap();
        std::fs::write(dir.join("vendor.yaml"), &case.profile).unwrap();
        if let Some(overlay) = &case.overlay {
            std::fs::create_dir_all(dir.join("overlays")).unwrap();
            std::fs::write(dir.join("overlays/01.yaml"), overlay).unwrap();
        }
        let started = Instant::now();
        let outcome = std::panic::catch_unwind(|| {
            load_vendor(&dir).and_then(|v| generate(&v).map(|g| g.warnings))
        });
        let elapsed = started.elapsed();
        // Refused with an error, or (a dangling or external `$ref`) degraded with a warning:
        // either way located; accepted silently, never.
        let message = match outcome {
            Err(_) => panic!("{}: panicked", case.name),
            Ok(Ok(warnings)) if warnings.is_empty() => {
                accepted.push(case.name);
                continue;
            }
            Ok(Ok(warnings)) => payspec_codegen::Diagnostics(warnings).render(),
            Ok(Err(diagnostics)) => diagnostics.render(),
        };
        let first = message
            .lines()
            .next()
            .unwrap_or_default()
            .replace(&root.path().display().to_string(), "");
        assert!(
            first.contains("/acme/"),
            "{}: the diagnostic names no file: {first}",
            case.name
        );
        report.push((elapsed, case.name, first));
    }
    assert!(accepted.is_empty(), "accepted: {accepted:?}");
    report.sort_by_key(|r| std::cmp::Reverse(r.0));
    for (elapsed, name, first) in &report {
        println!(
            "{:>7.1} ms  {name:<40} {}",
            elapsed.as_secs_f64() * 1000.0,
            first.chars().take(150).collect::<String>()
        );
    }
    println!(
        "slowest: {:.1} ms over {} cases",
        report[0].0.as_secs_f64() * 1000.0,
        report.len()
    );
}

/// Inputs that real vendors publish and payspec repairs rather than refuses: a path template
/// naming a parameter the operation never declares (it becomes a required string), and a body
/// offered in several media types (JSON is kept).
#[test]
fn repairable_inputs_generate_with_the_repair() {
    let undeclared = SPEC.replace(
        "      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n",
        "      parameters: []\n",
    );
    let media_types = SPEC.replace(
        "paths:\n",
        "paths:\n  /up:\n    post:\n      operationId: upload\n      requestBody: {content: {application/json: {schema: {type: object, properties: {n: {type: integer}}}}, text/plain: {schema: {type: string}}}}\n      responses: {'204': {description: done}}\n",
    );
    let root = tempfile::tempdir().unwrap();
    for (name, spec, expected) in [
        (
            "undeclared",
            undeclared,
            "pub fn id<V>(mut self, value: V) -> Self",
        ),
        ("media", media_types, "pub struct UploadBody"),
    ] {
        let dir = root.path().join(name).join("acme");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("openapi.yaml"), spec).unwrap();
        std::fs::write(dir.join("vendor.yaml"), PROFILE).unwrap();
        let vendor = load_vendor(&dir).unwrap();
        let source = generate_formatted(&vendor).unwrap().source();
        assert!(
            source.contains(expected),
            "{name}: no `{expected}` in the generated code"
        );
    }
}
