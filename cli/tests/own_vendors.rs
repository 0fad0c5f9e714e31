//! A team's own vendors, outside this repository, without writing Rust first: `payspec new`
//! scaffolds one, `check`/`vendors`/`sandbox`/`call` read it with `--specs DIR` at run time,
//! and `generate --crate` writes a standalone crate (checked for staleness with `--check`)
//! that compiles outside the workspace with payspec-runtime as its one payspec dependency.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn payspec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_payspec"))
        .args(args)
        .env_clear()
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The command exited with `code` (when given) and its stderr says `needle`.
fn says(output: &Output, code: Option<i32>, needle: &str) {
    if code.is_some() {
        assert_eq!(output.status.code(), code, "{}", text(output));
    }
    assert!(
        String::from_utf8_lossy(&output.stderr).contains(needle),
        "{}",
        text(output)
    );
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// This workspace's target directory: a consumer built there reuses compiled dependencies.
fn shared_target() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A crate outside the workspace at `app`, depending on the generated `acme-client` under
/// `crates` (and `extra` dependency lines), with this `main.rs`; the workspace's lock file pins
/// the same versions.
fn write_consumer(app: &Path, name: &str, crates: &Path, extra: &str, main_rs: &str) {
    write_consumer_with(app, name, crates, "", extra, main_rs);
}

/// [`write_consumer`], with `options` added to the `acme-client` dependency (its features).
fn write_consumer_with(
    app: &Path,
    name: &str,
    crates: &Path,
    options: &str,
    extra: &str,
    main_rs: &str,
) {
    std::fs::create_dir_all(app.join("src")).unwrap();
    std::fs::write(
        app.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[workspace]\n\n[dependencies]\nacme-client = {{ path = {:?}{options} }}\n{extra}",
            crates.join("acme").display().to_string()
        ),
    )
    .unwrap();
    std::fs::write(app.join("src/main.rs"), main_rs).unwrap();
    std::fs::copy(workspace().join("Cargo.lock"), app.join("Cargo.lock")).unwrap();
}

/// `payspec generate --crate CRATES --specs SPECS` and `extra`, the runtime by path (this
/// checkout's).
fn generate_crate(crates: &Path, specs: &Path, extra: &[&str]) -> Output {
    let runtime = workspace().join("runtime");
    let mut args = vec![
        "generate",
        "--crate",
        crates.to_str().unwrap(),
        "--specs",
        specs.to_str().unwrap(),
        "--runtime-path",
        runtime.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    payspec(&args)
}

/// `cargo build` of a consumer in the shared target directory.
fn build_consumer(app: &Path) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    Command::new(cargo)
        .args(["build", "--quiet", "--offline", "--manifest-path"])
        .arg(app.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", shared_target())
        .output()
        .unwrap()
}

/// A `payspec sandbox --specs DIR` on a free port; killed when dropped.
struct Sandbox {
    child: std::process::Child,
    url: String,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sandbox(specs: &Path) -> Sandbox {
    let mut child = Command::new(env!("CARGO_BIN_EXE_payspec"))
        .args(["sandbox", "--port", "0", "--specs"])
        .arg(specs)
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first
        .trim()
        .strip_prefix("payspec sandbox on ")
        .unwrap_or_else(|| panic!("{first:?}"))
        .to_owned();
    Sandbox { child, url }
}

#[test]
fn every_auth_style_scaffolds_a_vendor_that_checks() {
    let temp = tempfile::tempdir().unwrap();
    let specs = temp.path().join("specs");
    for style in ["api-key", "hmac", "bearer", "basic", "oauth2", "none"] {
        let name = format!("v_{}", style.replace('-', "_"));
        let made = payspec(&[
            "new",
            &name,
            "--auth",
            style,
            "--specs",
            specs.to_str().unwrap(),
        ]);
        assert!(made.status.success(), "{}", text(&made));
    }
    let checked = payspec(&["check", "--specs", specs.to_str().unwrap()]);
    assert!(checked.status.success(), "{}", text(&checked));
    // Refusals name what is wrong.
    let again = payspec(&["new", "v_hmac", "--specs", specs.to_str().unwrap()]);
    says(&again, Some(2), "already exists");
    let bad = payspec(&["new", "Bad-Name", "--specs", specs.to_str().unwrap()]);
    says(&bad, None, "lower-case");
}

#[test]
fn a_vendor_read_at_run_time_is_served_and_called() {
    let temp = tempfile::tempdir().unwrap();
    let specs = temp.path().join("specs");
    let dir = specs.to_str().unwrap();
    assert!(
        payspec(&["new", "acme", "--auth", "hmac", "--specs", dir])
            .status
            .success()
    );

    let listed = payspec(&["vendors", "--json", "--specs", dir]);
    assert!(listed.status.success(), "{}", text(&listed));
    let vendors: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(vendors[0]["name"], "acme");
    assert_eq!(vendors[0]["operations"][0]["id"], "get_payment");
    assert_eq!(vendors[0]["credentials"][0], "PAYSPEC_ACME_API_KEY");

    let running = sandbox(&specs);
    // The sandbox recomputes the HMAC the client signed with its demo credentials.
    let called = payspec(&[
        "call",
        "acme",
        "get_payment",
        "--arg",
        "id=pay_1",
        "--specs",
        dir,
        "--sandbox",
        &running.url,
    ]);
    assert!(called.status.success(), "{}", text(&called));
    let payment: serde_json::Value = serde_json::from_slice(&called.stdout).unwrap();
    assert!(payment.get("id").is_some(), "{payment}");
    // A wrong signing secret: the sandbox's own recomputation refuses it.
    let forged = Command::new(env!("CARGO_BIN_EXE_payspec"))
        .args([
            "call",
            "acme",
            "get_payment",
            "--arg",
            "id=pay_1",
            "--specs",
            dir,
            "--sandbox",
            &running.url,
        ])
        .env_clear()
        .env("PAYSPEC_ACME_API_KEY", "k")
        .env("PAYSPEC_ACME_SECRET", "not-the-secret")
        .output()
        .unwrap();
    says(&forged, Some(1), "HTTP 401");
    // Names that are nearly right get a suggestion.
    let typo = payspec(&[
        "call",
        "acme",
        "get_paymnt",
        "--specs",
        dir,
        "--sandbox",
        &running.url,
    ]);
    says(&typo, Some(2), "did you mean \"get_payment\"?");
    let typo = payspec(&["call", "acmee", "get_payment", "--specs", dir]);
    says(&typo, None, "did you mean \"acme\"?");
}

#[test]
fn a_generated_crate_compiles_outside_the_workspace_and_goes_stale_visibly() {
    let temp = tempfile::tempdir().unwrap();
    let specs = temp.path().join("specs");
    let crates = temp.path().join("crates");
    let specs_arg = specs.to_str().unwrap();
    assert!(
        payspec(&["new", "acme", "--auth", "api-key", "--specs", specs_arg])
            .status
            .success()
    );
    let generate = |extra: &[&str]| generate_crate(&crates, &specs, extra);
    let written = generate(&[]);
    assert!(written.status.success(), "{}", text(&written));
    let fresh = generate(&["--check"]);
    assert!(fresh.status.success(), "{}", text(&fresh));

    // A consumer outside the workspace: the generated crate, tokio, nothing else. It calls
    // acme on the sandbox given as its argument; a failure prints vendor_error().
    let app = temp.path().join("app");
    write_consumer(
        &app,
        "acme-app",
        &crates,
        "tokio = { version = \"1\", features = [\"rt\"] }\n",
        "fn main() -> std::process::ExitCode {\n    let url = std::env::args().nth(1).unwrap();\n    let client = acme_client::Client::with_settings(acme_client::Settings::new().sandbox(url)).unwrap();\n    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();\n    match runtime.block_on(client.get_payment().id(\"pay_1\").send()) {\n        Ok(payment) => { println!(\"status {}\", payment.status()); std::process::ExitCode::SUCCESS }\n        Err(error) => { eprintln!(\"vendor_error {:?}\", error.vendor_error().map(|v| v.status)); std::process::ExitCode::FAILURE }\n    }\n}\n",
    );
    let build = build_consumer(&app);
    assert!(build.status.success(), "{}", text(&build));
    let binary = shared_target()
        .join("debug")
        .join(format!("acme-app{}", std::env::consts::EXE_SUFFIX));
    let running = sandbox(&specs);
    let run = |key: Option<&str>| {
        let mut command = Command::new(&binary);
        command.arg(&running.url).env_clear();
        if let Some(key) = key {
            command.env("PAYSPEC_ACME_API_KEY", key);
        }
        command.output().unwrap()
    };
    let called = run(None);
    assert_eq!(
        String::from_utf8_lossy(&called.stdout).trim(),
        "status 200 OK",
        "{}",
        text(&called)
    );
    let refused = run(Some("wrong-key"));
    says(&refused, Some(1), "vendor_error Some(401)");

    // The spec changes: --check fails and names the stale file.
    let spec = specs.join("acme/openapi.yaml");
    let changed = std::fs::read_to_string(&spec)
        .unwrap()
        .replace("summary: Get a payment", "summary: Get one payment");
    std::fs::write(&spec, changed).unwrap();
    let stale = generate(&["--check"]);
    assert_eq!(stale.status.code(), Some(1), "{}", text(&stale));
    assert!(
        String::from_utf8_lossy(&stale.stderr).contains("README.md: stale")
            || String::from_utf8_lossy(&stale.stderr).contains("lib.rs: stale"),
        "{}",
        text(&stale)
    );
}

/// A server that answers 503 to the first request and a payment to the next ones.
fn flaky_server() -> String {
    local_server(|n| {
        match n {
        0 => "HTTP/1.1 503 Service Unavailable\r\nretry-after: 1\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_owned(),
        _ => json_reply(r#"{"id": "pay_1", "status": "paid"}"#),
    }
    })
}

/// A 200 answer carrying this JSON.
fn json_reply(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// A server on loopback answering its `n`th request with `reply(n)` (the whole HTTP answer).
fn local_server(reply: impl Fn(usize) -> String + Send + 'static) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buffer = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(read) => request.extend_from_slice(&buffer[..read]),
                }
            }
            let _ = stream.write_all(reply(n).as_bytes());
        }
    });
    url
}

#[test]
fn a_waiting_call_says_so_on_stderr() {
    let temp = tempfile::tempdir().unwrap();
    let specs = temp.path().join("specs");
    let dir = specs.to_str().unwrap();
    assert!(payspec(&["new", "acme", "--specs", dir]).status.success());
    let called = Command::new(env!("CARGO_BIN_EXE_payspec"))
        .args([
            "call",
            "acme",
            "get_payment",
            "--arg",
            "id=pay_1",
            "--specs",
            dir,
            "--base-url",
            &flaky_server(),
        ])
        .env_clear()
        .env("PAYSPEC_ACME_API_KEY", "key-7d1f")
        .output()
        .unwrap();
    assert!(called.status.success(), "{}", text(&called));
    let stderr = String::from_utf8_lossy(&called.stderr);
    assert!(
        stderr.contains("retrying in 1.0 s (attempt 2 of 3)"),
        "{stderr}"
    );
    assert!(!stderr.contains("key-7d1f"), "{stderr}");

    // Settings from the environment: one attempt only, so the 503 is the answer; a value that
    // is not a number is refused naming its variable.
    let with_env = |name: &str, value: &str| {
        Command::new(env!("CARGO_BIN_EXE_payspec"))
            .args([
                "call",
                "acme",
                "get_payment",
                "--arg",
                "id=pay_1",
                "--specs",
                dir,
                "--base-url",
                &flaky_server(),
            ])
            .env_clear()
            .env("PAYSPEC_ACME_API_KEY", "key-7d1f")
            .env(name, value)
            .output()
            .unwrap()
    };
    let once = with_env("PAYSPEC_ACME_MAX_ATTEMPTS", "1");
    says(&once, Some(1), "503");
    let garbled = with_env("PAYSPEC_ACME_TIMEOUT_SECONDS", "soon");
    says(&garbled, Some(2), "PAYSPEC_ACME_TIMEOUT_SECONDS");
}

/// `payspec diff` against rustc: a caller's exhaustive-looking match (open enums are
/// `#[non_exhaustive]`, so it has `_ =>`) still compiles when a value is added, which diff
/// calls compatible, and stops compiling when a value it names is removed, which diff calls
/// breaking.
#[test]
fn diff_says_what_rustc_finds() {
    let temp = tempfile::tempdir().unwrap();
    let version = |name: &str, values: &str| {
        let specs = temp.path().join(name);
        assert!(
            payspec(&["new", "acme", "--specs", specs.to_str().unwrap()])
                .status
                .success()
        );
        let spec = specs.join("acme/openapi.yaml");
        let text = std::fs::read_to_string(&spec).unwrap().replace(
            "status: {type: string}",
            &format!("status: {{$ref: '#/components/schemas/PaymentStatus'}}\ncomponents:\n  schemas:\n    PaymentStatus: {{type: string, enum: [{values}]}}"),
        );
        std::fs::write(&spec, text).unwrap();
        specs
    };
    let (v1, v2, v3) = (
        version("v1", "new, paid"),
        version("v2", "new, paid, refunded"),
        version("v3", "new"),
    );
    let spec_of = |specs: &Path| specs.join("acme/openapi.yaml").to_str().unwrap().to_owned();
    let added = payspec(&["diff", &spec_of(&v1), &spec_of(&v2)]);
    assert_eq!(added.status.code(), Some(0), "{}", text(&added));
    let removed = payspec(&["diff", &spec_of(&v1), &spec_of(&v3)]);
    assert_eq!(removed.status.code(), Some(3), "{}", text(&removed));

    let crates = temp.path().join("crates");
    let app = temp.path().join("app");
    write_consumer(
        &app,
        "acme-caller",
        &crates,
        "",
        "fn code(status: &acme_client::types::PaymentStatus) -> u8 {\n    use acme_client::types::PaymentStatus;\n    match status {\n        PaymentStatus::New => 1,\n        PaymentStatus::Paid => 2,\n        _ => 0,\n    }\n}\n\nfn main() {\n    println!(\"{}\", code(&acme_client::types::PaymentStatus::New));\n}\n",
    );
    let compiles = |specs: &Path| {
        let written = generate_crate(&crates, specs, &[]);
        assert!(written.status.success(), "{}", text(&written));
        let build = build_consumer(&app);
        (
            build.status.success(),
            String::from_utf8_lossy(&build.stderr).into_owned(),
        )
    };
    assert!(compiles(&v1).0, "{}", compiles(&v1).1);
    let (ok, errors) = compiles(&v2);
    assert!(ok, "an added value broke the caller:\n{errors}");
    let (ok, errors) = compiles(&v3);
    assert!(!ok, "a removed value the caller names still compiled");
    assert!(errors.contains("Paid"), "{errors}");
}

/// One cargo feature per resource: the generated crate compiles with one resource's feature
/// (the other resource's object then held as JSON, its operations absent), with both (the
/// object typed), and with none; each consumer calls an order from a server on loopback.
#[test]
fn a_generated_crate_compiles_one_resource_or_both() {
    let temp = tempfile::tempdir().unwrap();
    let vendor = temp.path().join("specs/acme");
    std::fs::create_dir_all(&vendor).unwrap();
    let fixture = workspace().join("codegen/tests/fixtures/resources");
    for file in ["openapi.yaml", "vendor.yaml"] {
        std::fs::copy(fixture.join(file), vendor.join(file)).unwrap();
    }
    let crates = temp.path().join("crates");
    let written = generate_crate(&crates, &temp.path().join("specs"), &[]);
    assert!(written.status.success(), "{}", text(&written));
    let manifest = std::fs::read_to_string(crates.join("acme/Cargo.toml")).unwrap();
    assert!(
        manifest.contains("default = [\"full\"]")
            && manifest.contains("full = [\"customers\", \"orders\"]"),
        "{manifest}"
    );
    let order = r#"{"id": "ord_1", "amount": 250, "customer": {"id": "cus_1", "name": "Ada", "address": {"city": "Paris"}}, "shipping": {"city": "Lyon"}}"#;
    let server = local_server(move |_| json_reply(order));
    // The customer as what the consumer may read of it: JSON without `customers`, typed with it.
    let main_rs = |read_customer: &str, extra: &str| {
        format!(
            "use acme_client::types::OrderCustomer;\n\nfn main() {{\n    let url = std::env::args().nth(1).unwrap();\n    let client = acme_client::Client::with_settings(acme_client::Settings::new().base_url(url).allow_insecure_http(true).credentials(acme_client::Credentials::new().with(\"api_key\", \"k\"))).unwrap();\n    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();\n    let order = runtime.block_on(client.get_order().id(\"ord_1\").send()).unwrap().into_inner();\n    let Some(OrderCustomer::Customer(customer)) = &order.customer else {{ panic!(\"not expanded\") }};\n    println!(\"{{}} {{}} {{}}\", order.amount, {read_customer}, order.shipping.as_ref().and_then(|a| a.city.as_deref()).unwrap_or(\"\"));\n    {extra}\n}}\n"
        )
    };
    let tokio = "tokio = { version = \"1\", features = [\"rt\"] }\n";
    let consumer = |name: &str, features: &str, main_rs: String| {
        let app = temp.path().join(name);
        let options = format!(", default-features = false, features = [{features}]");
        write_consumer_with(&app, name, &crates, &options, tokio, &main_rs);
        let build = build_consumer(&app);
        let binary = shared_target()
            .join("debug")
            .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
        (build, binary)
    };
    // Built, then run against the server: what it printed.
    let prints = |name: &str, features: &str, main_rs: String| {
        let (build, binary) = consumer(name, features, main_rs);
        assert!(build.status.success(), "{}", text(&build));
        let output = Command::new(binary).arg(&server).output().unwrap();
        assert!(output.status.success(), "{}", text(&output));
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    };

    // `orders` alone: the expanded customer is JSON (indexing a `Value`). The two inline copies
    // of the speed enum are one type (comparing them would not compile otherwise).
    let json = main_rs(
        "customer[\"name\"].as_str().unwrap()",
        "assert!(acme_client::types::OrderSpeed::Express == acme_client::types::CreateOrderBodySpeed::Express);",
    );
    assert_eq!(prints("acme-orders", "\"orders\"", json), "250 Ada Lyon");

    // Both: the customer is typed (a field of `Customer`), and `get_customer` exists.
    let typed = main_rs(
        "customer.name.as_deref().unwrap()",
        "let _ = client.get_customer();",
    );
    let both = prints("acme-both", "\"orders\", \"customers\"", typed.clone());
    assert_eq!(both, "250 Ada Lyon");

    // What is typed with `customers` does not compile without it: no `get_customer`, and the
    // customer is not a `Customer`.
    let (build, _) = consumer("acme-without", "\"orders\"", typed);
    says(&build, Some(101), "no method named `get_customer`");
    says(&build, Some(101), "no field `name`");

    // No feature: the client and the shared types only.
    let (build, _) = consumer(
        "acme-none",
        "",
        "fn main() {\n    let _ = acme_client::types::Address { city: None };\n    let _ = acme_client::OPERATIONS.len();\n}\n".to_owned(),
    );
    assert!(build.status.success(), "{}", text(&build));
}
