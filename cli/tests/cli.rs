//! The `payspec` binary against the local mock: DESIGN.md's CLI contract (output, exit codes
//! 0/1/2, `--base-url`, `--arg`, `--body`, secrets never printed).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../../tests/support/mock.rs"]
mod mock;

use std::process::{Command, Output};

use mock::{
    Mock, ONEKEY_LOGIN, ONEKEY_PASS, ONEKEY_SECRET, PAYWALL_KEYS, RIO_API_KEY, WESTMINISTER_EMAIL,
    WESTMINISTER_PASSWORD,
};

const SECRETS: [&str; 6] = [
    ONEKEY_LOGIN,
    ONEKEY_PASS,
    ONEKEY_SECRET,
    RIO_API_KEY,
    WESTMINISTER_PASSWORD,
    "priv-key-33",
];

fn payspec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_payspec"))
        .args(args)
        .env_clear()
        .env("PAYSPEC_ONEKEY_LOGIN", ONEKEY_LOGIN)
        .env("PAYSPEC_ONEKEY_PASS", ONEKEY_PASS)
        .env("PAYSPEC_ONEKEY_SECRET", ONEKEY_SECRET)
        .env("PAYSPEC_RIO_API_KEY", RIO_API_KEY)
        .env("PAYSPEC_WESTMINISTER_EMAIL", WESTMINISTER_EMAIL)
        .env("PAYSPEC_WESTMINISTER_PASSWORD", WESTMINISTER_PASSWORD)
        .envs(
            PAYWALL_KEYS
                .iter()
                .map(|(name, value)| (format!("PAYSPEC_PAYWALL_{}", name.to_uppercase()), *value)),
        )
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_no_secrets(output: &Output) {
    let all = text(&output.stdout) + &text(&output.stderr);
    for secret in SECRETS {
        assert!(!all.contains(secret), "secret {secret:?} printed:\n{all}");
    }
}

/// `payspec sandbox --port 0` in the background; killed when dropped. Its banner's first line
/// ends with the URL; the pipe stays open so that its later lines do not hit a closed pipe.
struct SandboxProcess {
    child: std::process::Child,
    url: String,
    _banner: std::io::BufReader<std::process::ChildStdout>,
}

impl SandboxProcess {
    fn start() -> Self {
        Self::start_with(&[])
    }

    /// `payspec sandbox --port 0` with these further arguments.
    fn start_with(extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_payspec"))
            .args(["sandbox", "--port", "0"])
            .args(extra)
            .env_clear()
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut banner = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut first_line = String::new();
        std::io::BufRead::read_line(&mut banner, &mut first_line).unwrap();
        let url = first_line.trim().rsplit(' ').next().unwrap().to_owned();
        Self {
            child,
            url,
            _banner: banner,
        }
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn create_cashout(base: &str, external_id: &str) -> i64 {
    let body = format!(
        r#"{{"external_id":"{external_id}","country":"BR","amount":10,"document_id":"1","beneficiary_name":"Ana","notification_url":"https://m.test/n"}}"#
    );
    let output = payspec(&[
        "call",
        "onekey",
        "create_cashout",
        "--base-url",
        base,
        "--body",
        &body,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    json["cashout_id"].as_str().unwrap().parse().unwrap()
}

#[test]
fn onekey_cancel_sends_a_signed_delete_and_prints_the_vendor_json() {
    let mock = Mock::start();
    let base = mock.base("/onekey/v3");
    let cashout_id = create_cashout(&base, "e1");
    let body = format!(r#"{{"cashout_id":{cashout_id},"external_id":"e1"}}"#);
    let output = payspec(&[
        "call",
        "onekey",
        "cancel_cashout",
        "--base-url",
        &base,
        "--body",
        &body,
        "--verbose",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"cashout_status": 2, "cashout_status_description": "Canceled"})
    );
    assert_no_secrets(&output);
    // --verbose logs the request, with no secret (checked above).
    assert!(
        text(&output.stderr).contains("cancel_cashout"),
        "{}",
        text(&output.stderr)
    );

    let cancel = mock
        .seen()
        .into_iter()
        .find(|s| s.path == "/onekey/v3/cashout/cancel")
        .unwrap();
    assert_eq!(cancel.method, "DELETE");
    let sent: serde_json::Value = serde_json::from_slice(&cancel.body).unwrap();
    assert_eq!(
        (sent["login"].as_str(), sent["pass"].as_str()),
        (Some(ONEKEY_LOGIN), Some(ONEKEY_PASS))
    );
}

#[test]
fn a_vendor_error_exits_1_with_status_code_and_message() {
    let mock = Mock::start();
    let base = mock.base("/onekey/v3");
    let output = payspec(&[
        "call",
        "onekey",
        "cancel-cashout",
        "--base-url",
        &base,
        "--body",
        r#"{"cashout_id":999,"external_id":"none"}"#,
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("HTTP 412")
            && stderr.contains("509")
            && stderr.contains("Cashout not found"),
        "{stderr}"
    );
    assert_no_secrets(&output);
}

#[test]
fn a_missing_credential_exits_2_and_names_the_variable() {
    let output = Command::new(env!("CARGO_BIN_EXE_payspec"))
        .args([
            "call",
            "onekey",
            "cancel_cashout",
            "--base-url",
            "http://127.0.0.1:9/onekey/v3",
            "--body",
            r#"{"cashout_id":1,"external_id":"e1"}"#,
        ])
        .env_clear()
        .env("PAYSPEC_ONEKEY_LOGIN", ONEKEY_LOGIN)
        .env("PAYSPEC_ONEKEY_PASS", ONEKEY_PASS)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("PAYSPEC_ONEKEY_SECRET"),
        "{}",
        text(&output.stderr)
    );
    assert_no_secrets(&output);
}

#[test]
fn rio_get_with_a_path_argument() {
    let mock = Mock::start();
    let base = mock.base("/rio");
    let created = payspec(&[
        "call",
        "rio",
        "create_bulk_crypto_payment",
        "--base-url",
        &base,
        "--body",
        r#"{"crypto":"USDC","country":"MX","userId":"u1"}"#,
    ]);
    assert_eq!(created.status.code(), Some(0), "{}", text(&created.stderr));
    let id = serde_json::from_slice::<serde_json::Value>(&created.stdout).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let output = payspec(&[
        "call",
        "rio",
        "get-bulk-crypto-payment",
        "--base-url",
        &base,
        "--arg",
        &format!("id={id}"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        (json["id"].as_str(), json["status"].as_str()),
        (Some(id.as_str()), Some("awaitingPayment"))
    );
}

#[test]
fn usage_errors_exit_2_and_say_what_is_wrong() {
    let cases: [(&[&str], &str); 6] = [
        (&["call", "acme", "x"], "unknown vendor \"acme\""),
        (
            &["call", "rio", "refund"],
            "rio has no operation \"refund\"",
        ),
        (
            &["call", "rio", "get_bulk_crypto_payment"],
            "needs --arg id=VALUE",
        ),
        (
            &["call", "rio", "get_bulk_crypto_payment", "--arg", "nope=1"],
            "no parameter \"nope\"",
        ),
        (
            &[
                "call",
                "rio",
                "create_bulk_crypto_payment",
                "--body",
                "{oops",
            ],
            "invalid JSON at line 1",
        ),
        (
            &[
                "call",
                "onekey",
                "cancel_cashout",
                "--body",
                r#"{"cashout_id":"not a number","external_id":"e"}"#,
            ],
            "body:",
        ),
    ];
    for (args, expected) in cases {
        let output = payspec(args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?}: expected {expected:?} in {stderr}"
        );
    }
}

#[test]
fn vendors_lists_operations_and_auth() {
    let output = payspec(&["vendors"]);
    assert_eq!(output.status.code(), Some(0));
    let stdout = text(&output.stdout);
    for expected in [
        "rio",
        "onekey",
        "PAYSPEC_ONEKEY_SECRET",
        "header x-api-key = api_key",
        "Payload-Signature = hex(HMAC-SHA256(secret, body))",
        "cancel_cashout",
        "DELETE",
        "cancel_bulk_crypto_payment",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected:?} missing from:\n{stdout}"
        );
    }
}

#[test]
fn paywall_result_false_in_a_200_exits_1_with_code_and_message() {
    let mock = Mock::start();
    let base = mock.base("/paywall");
    let body =
        r#"{"Date":"2024-12-12","MerchantUniqueCode":"8279c96e-2775-4ecf-b594-3cb8fb265f88"}"#;
    let first = payspec(&[
        "call",
        "paywall",
        "cancel_bulk_payment",
        "--base-url",
        &base,
        "--body",
        body,
    ]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let json: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"Result": true, "BulkPaymentId": 389, "TotalPaymentCount": 6})
    );

    let second = payspec(&[
        "call",
        "paywall",
        "cancel_bulk_payment",
        "--base-url",
        &base,
        "--body",
        body,
    ]);
    assert_eq!(second.status.code(), Some(1));
    let stderr = text(&second.stderr);
    assert!(
        stderr.contains("HTTP 200: vendor error 7: The operation has already been completed"),
        "{stderr}"
    );
    assert_no_secrets(&second);
}

#[test]
fn westminister_logs_in_by_itself() {
    let mock = Mock::start();
    let base = mock.base("/westminister");
    let output = payspec(&[
        "call",
        "westminister",
        "list_orders",
        "--base-url",
        &base,
        "--arg",
        "page_size=5",
        "-v",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap(),
        serde_json::json!([])
    );
    assert_eq!(mock.token_calls().0, 1);
    let all = text(&output.stdout) + &text(&output.stderr);
    assert!(
        !all.contains(WESTMINISTER_PASSWORD) && !all.contains("v4.local"),
        "{all}"
    );
}

#[test]
fn demo_walks_every_vendor_and_every_step_ends_as_documented() {
    let output = Command::new(env!("CARGO_BIN_EXE_payspec"))
        .arg("demo")
        .env_clear()
        .output()
        .unwrap();
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&output.stderr)
    );
    for vendor in payspec::VENDORS.iter().map(|v| v.name) {
        assert!(
            stdout.lines().any(|l| l.starts_with(vendor)),
            "{vendor} missing:\n{stdout}"
        );
    }
    assert!(
        stdout.contains("vendor error 510: Invalid status transition"),
        "{stdout}"
    );
    assert!(
        stdout.contains("vendor error 7: The operation has already been completed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Payload-Signature: ") && stdout.contains("…[redacted]"),
        "{stdout}"
    );
    assert!(!stdout.contains("UNEXPECTED"), "{stdout}");
    let summary = stdout.lines().last().unwrap();
    let (done, total) = summary.split_once(" of ").unwrap();
    assert_eq!(done, total.split_whitespace().next().unwrap(), "{summary}");
    // Demo credentials are public, but still never printed by the demo.
    assert!(!stdout.contains("demo-onekey-secret"), "{stdout}");
}

#[test]
fn call_against_a_running_sandbox_with_demo_credentials() {
    let server = SandboxProcess::start();
    let url = server.url.clone();
    let output = Command::new(env!("CARGO_BIN_EXE_payspec"))
        .args([
            "call",
            "onekey",
            "get_cashout_status",
            "--sandbox",
            &url,
            "--body",
            r#"{"cashout_id": 5}"#,
        ])
        .env_clear()
        .output()
        .unwrap();
    drop(server);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("HTTP 412: vendor error 509: Cashout not found"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn cancel_prints_the_unified_outcome_with_exit_0_or_1() {
    let server = SandboxProcess::start();
    let url = server.url.clone();
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_payspec"))
            .args(args)
            .args(["--sandbox", &url])
            .env_clear()
            .output()
            .unwrap();
        let json = serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap_or_default();
        (output.status.code(), json, text(&output.stderr))
    };
    let batch = ["cancel", "paywall", "--id", "CC22", "--date", "2024-12-12"];
    let (code, json, _) = run(&batch);
    assert_eq!(
        (code, json),
        (
            Some(0),
            serde_json::json!({"vendor": "paywall", "status": "cancelled", "vendor_status": null})
        )
    );
    let (code, json, stderr) = run(&batch);
    assert_eq!(
        (code, json),
        (
            Some(1),
            serde_json::json!({"vendor": "paywall", "status": "not_cancellable", "vendor_status": "7"})
        )
    );
    assert!(stderr.contains("vendor error 7"), "{stderr}");
    let (code, json, _) = run(&["cancel", "rio", "--id", "000000000000000000000000"]);
    assert_eq!(
        (code, json["status"].as_str()),
        (Some(1), Some("not_found"))
    );
    let (code, _, stderr) = run(&["cancel", "onekey", "--id", "12"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--external-id"), "{stderr}");
    drop(server);
}

fn workspace() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn check_generate_and_diff() {
    let ws = workspace();
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_payspec"))
            .args(args)
            .current_dir(&ws)
            .env_clear()
            .output()
            .unwrap();
        (
            output.status.code(),
            text(&output.stdout),
            text(&output.stderr),
        )
    };
    let (code, stdout, _) = run(&["check"]);
    assert_eq!(code, Some(0));
    assert!(
        stdout.contains("ok: onekey, paywall, rio, westminister, xpays"),
        "{stdout}"
    );

    // A broken copy: every problem at once, with file:line:col.
    let broken = tempfile::tempdir().unwrap();
    let acme = broken.path().join("acme");
    std::fs::create_dir_all(&acme).unwrap();
    std::fs::write(acme.join("openapi.yaml"), "openapi: 3.0.3\ninfo: {title: a, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: x\n      responses: {'200': {description: ok}}\n  /b:\n    get:\n      operationId: x\n      responses: {'200': {description: ok}}\n").unwrap();
    std::fs::write(acme.join("vendor.yaml"), "vendor: acme\ntitle: A\nservers: {s: 'https://a.test'}\ndefault_server: s\ncredentials: {}\nauth: {default: k, schemes: {k: {headers: {X-K: {credential: key}}}}}\n").unwrap();
    let (code, _, stderr) = run(&["check", broken.path().to_str().unwrap()]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("acme/vendor.yaml:6:50: #/auth/schemes/k/headers/X-K/credential: unknown credential \"key\""), "{stderr}");
    assert!(stderr.contains("acme/openapi.yaml:9:5: #/paths/~1b/get: operationId \"x\" is also the operationId of #/paths/~1a/get"), "{stderr}");

    let out = tempfile::tempdir().unwrap();
    let (code, stdout, _) = run(&["generate", "--out", out.path().to_str().unwrap()]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("onekey.rs"));
    let onekey = std::fs::read_to_string(out.path().join("onekey.rs")).unwrap();
    assert!(
        onekey.contains("pub fn cancel_cashout(")
            && onekey.starts_with("// Generated by payspec-codegen")
    );

    let older = "codegen/tests/fixtures/rio-older/openapi.yaml";
    // The current spec added values (compatible) and gave crypto payouts their own country
    // and status enums (breaking: callers naming `Country` there no longer compile).
    let (code, stdout, _) = run(&["diff", older, "specs/rio/openapi.yaml"]);
    assert_eq!(code, Some(3), "{stdout}");
    assert!(
        stdout.contains("compatible enum BulkPaymentStatus: value \"awaitingOrders\" added"),
        "{stdout}"
    );
    assert!(
        stdout.contains("BREAKING   type RequestBulkCryptoPayoutSchema: field country retyped Country -> PayoutCountry"),
        "{stdout}"
    );
    let (code, stdout, _) = run(&["diff", "specs/rio", older]);
    assert_eq!(code, Some(3), "{stdout}");
    assert!(
        stdout.contains("BREAKING   enum BulkPaymentStatus: value \"awaitingOrders\" removed"),
        "{stdout}"
    );
    let (code, _, _) = run(&["diff", "specs/rio", "nowhere.yaml"]);
    assert_eq!(code, Some(2));

    // Two lone spec files, no vendor.yaml anywhere, one with an API key the other lacks.
    let lone = tempfile::tempdir().unwrap();
    let spec = |status: &str, security: &str| {
        format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /things/{{id}}:\n    get:\n      operationId: getThing\n      parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]\n      responses:\n        '200': {{description: OK, content: {{application/json: {{schema: {{type: object, properties: {{status: {{type: string, enum: [{status}]}}}}}}}}}}}}\n{security}"
        )
    };
    let (a, b) = (lone.path().join("a.yaml"), lone.path().join("b.yaml"));
    std::fs::write(&a, spec("new", "")).unwrap();
    let keyed = "components:\n  securitySchemes:\n    k: {type: apiKey, in: header, name: X-Key}\nsecurity: [{k: []}]\n";
    std::fs::write(&b, spec("new, paid", keyed)).unwrap();
    let (code, stdout, _) = run(&["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("value \"paid\" added"), "{stdout}");
    let (code, stdout, _) = run(&["diff", b.to_str().unwrap(), a.to_str().unwrap()]);
    assert_eq!(code, Some(3), "{stdout}");
}

#[test]
fn bodies_from_files_and_standard_input_are_read_within_a_limit() {
    let output = payspec(&[
        "call",
        "onekey",
        "create_cashout",
        "--base-url",
        "http://127.0.0.1:9/v3",
        "--body",
        "@/dev/zero",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("--body @/dev/zero: larger than the limit of 10485760 bytes (raise it with --max-body-bytes)"),
        "{stderr}"
    );
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    std::fs::write(
        &big,
        format!("{{\"external_id\": \"{}\"}}", "x".repeat(200)),
    )
    .unwrap();
    let flag = format!("@{}", big.display());
    let output = payspec(&[
        "call",
        "onekey",
        "create_cashout",
        "--base-url",
        "http://127.0.0.1:9/v3",
        "--body",
        &flag,
        "--max-body-bytes",
        "100",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("larger than the limit of 100 bytes"),
        "{}",
        text(&output.stderr)
    );

    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_payspec"))
        .args([
            "call",
            "onekey",
            "create_cashout",
            "--base-url",
            "http://127.0.0.1:9/v3",
            "--body",
            "-",
            "--max-body-bytes",
            "64",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // More than the limit, from a writer that would go on: the CLI stops reading at the limit.
    let _ = stdin.write_all(&[b' '; 4096]);
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("--body -: larger than the limit of 64 bytes"),
        "{}",
        text(&output.stderr)
    );
}

/// Runs `payspec` with the usual credentials and some more environment variables.
fn payspec_with_env(args: &[&str], env: &[(&str, String)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_payspec"));
    command
        .args(args)
        .env_clear()
        .env("PAYSPEC_ONEKEY_LOGIN", ONEKEY_LOGIN)
        .env("PAYSPEC_ONEKEY_PASS", ONEKEY_PASS)
        .env("PAYSPEC_ONEKEY_SECRET", ONEKEY_SECRET)
        .envs(
            PAYWALL_KEYS
                .iter()
                .map(|(name, value)| (format!("PAYSPEC_PAYWALL_{}", name.to_uppercase()), *value)),
        );
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

/// Server groups from the environment and the command line: Paywall's private calls go to
/// the private host, public ones to the public host; a multipart upload from `--file`.
#[test]
fn private_calls_go_to_the_private_base_url_and_files_are_uploaded() {
    let public = Mock::start();
    let private = public.second_host();
    let env = [
        ("PAYSPEC_PAYWALL_BASE_URL", public.base("/paywall")),
        ("PAYSPEC_PAYWALL_PRIVATE_BASE_URL", private.base("/paywall")),
    ];
    let refund = payspec_with_env(
        &[
            "call",
            "paywall",
            "refund_payment",
            "--body",
            r#"{"Date":"2023-02-07","MerchantUniqueCode":"DD33"}"#,
        ],
        &env,
    );
    assert_eq!(refund.status.code(), Some(0), "{}", text(&refund.stderr));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("payments.txt");
    std::fs::write(&file, "4111111111111111,12/30,10.50,1\n").unwrap();
    let file_arg = format!("File=@{};type=text/plain", file.display());
    let upload = payspec_with_env(
        &[
            "call",
            "paywall",
            "start_bulk_file_payment",
            "--body",
            r#"{"FileFormat":5,"FilePattern":1}"#,
            "--file",
            &file_arg,
        ],
        &env,
    );
    assert_eq!(upload.status.code(), Some(0), "{}", text(&upload.stderr));
    assert!(
        text(&upload.stdout).contains("\"TotalRecords\": 1"),
        "{}",
        text(&upload.stdout)
    );
    assert!(private.seen().iter().all(|s| s.path.contains("/private/")));
    assert_eq!(private.seen().len(), 1);
    let uploaded = public
        .seen()
        .into_iter()
        .find(|s| s.path.ends_with("/bulk/file/startdirect"))
        .unwrap();
    assert!(
        uploaded.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );

    // --group-base-url wins over the environment; an unknown group is a usage error.
    let flag = format!("private={}", private.base("/paywall"));
    let elsewhere = [
        ("PAYSPEC_PAYWALL_BASE_URL", public.base("/paywall")),
        (
            "PAYSPEC_PAYWALL_PRIVATE_BASE_URL",
            "http://127.0.0.1:9/paywall".to_owned(),
        ),
    ];
    let cancel = payspec_with_env(
        &[
            "call",
            "paywall",
            "cancel_payment",
            "--group-base-url",
            &flag,
            "--body",
            r#"{"MerchantUniqueCode":"CC22","Date":"2023-01-23"}"#,
        ],
        &elsewhere,
    );
    assert_eq!(cancel.status.code(), Some(0), "{}", text(&cancel.stderr));
    let unknown = payspec_with_env(
        &[
            "call",
            "paywall",
            "cancel_payment",
            "--group-base-url",
            "secret=http://x",
        ],
        &env,
    );
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        text(&unknown.stderr).contains("no server group \"secret\" (groups: private)"),
        "{}",
        text(&unknown.stderr)
    );
    let not_multipart = payspec_with_env(
        &["call", "paywall", "cancel_payment", "--file", &file_arg],
        &env,
    );
    assert_eq!(not_multipart.status.code(), Some(2));
    assert!(text(&not_multipart.stderr).contains("not a multipart operation"));
}

/// `--idempotency-key`: the key from an earlier call sent again learns its outcome (the same
/// deposit, not a second one); without it a key is made and printed on standard error; an
/// operation that takes no key refuses the flag.
#[test]
fn call_sends_and_reports_idempotency_keys() {
    let server = SandboxProcess::start();
    let draft = |key: Option<&str>| {
        let mut args = vec![
            "call",
            "westminister",
            "create_otc_deposit_draft",
            "--sandbox",
            &server.url,
            "--body",
            r#"{"method": "mpesa", "fiat_amount": "12.00", "fiat_currency": "KES"}"#,
        ];
        if let Some(key) = key {
            args.extend(["--idempotency-key", key]);
        }
        Command::new(env!("CARGO_BIN_EXE_payspec"))
            .args(&args)
            .env_clear()
            .output()
            .unwrap()
    };
    let made = draft(None);
    assert_eq!(made.status.code(), Some(0), "{}", text(&made.stderr));
    let stderr = text(&made.stderr);
    let key = stderr
        .lines()
        .find_map(|l| l.strip_prefix("idempotency key: "))
        .unwrap_or_else(|| panic!("no key printed: {stderr}"))
        .to_owned();
    assert_eq!(key.len(), 36, "{key}");
    let deposit = |output: &Output| {
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        json["deposit"]["id"].as_str().unwrap().to_owned()
    };
    let again = draft(Some(&key));
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert_eq!(
        deposit(&again),
        deposit(&made),
        "the same key answers the same deposit"
    );
    let other = draft(Some("another-key"));
    assert_ne!(deposit(&other), deposit(&made));

    let refused = Command::new(env!("CARGO_BIN_EXE_payspec"))
        .args([
            "call",
            "westminister",
            "list_orders",
            "--sandbox",
            &server.url,
        ])
        .args(["--idempotency-key", "k"])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains("takes no idempotency key"),
        "{}",
        text(&refused.stderr)
    );
}

/// `call --all`: every item of a paged list, one JSON value a line, fetched page by page;
/// `--max-items` stops early; an operation that does not page refuses the flag.
#[test]
fn call_all_prints_every_item_of_a_paged_list() {
    let server = SandboxProcess::start();
    let payspec_at = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_payspec"))
            .args(args)
            .args(["--sandbox", &server.url])
            .env_clear()
            .output()
            .unwrap()
    };
    let order = r#"{"customer_id": "b523ed51-a7e0-4c53-8ac2-3c0b7e1c9cd5", "vendor_id": "5c81c005-1c52-4e0d-85e2-862ee1cdd4d0", "offer_id": "7c9a9311-7e7d-4739-9abc-34f7db00ff19", "usdt_amount": "0.07", "fiat_amount": "10", "fiat_currency": "KES", "wallet_address": "T", "payment_method": "mpesa", "order_type": "ON_RAMP_BUY", "expires_at": "2030-01-01T00:00:00Z"}"#;
    for _ in 0..25 {
        let created = payspec_at(&["call", "westminister", "create_order", "--body", order]);
        assert_eq!(created.status.code(), Some(0), "{}", text(&created.stderr));
    }
    let all = payspec_at(&[
        "call",
        "westminister",
        "list_orders",
        "--arg",
        "page_size=4",
        "--all",
    ]);
    assert_eq!(all.status.code(), Some(0), "{}", text(&all.stderr));
    let ids: std::collections::BTreeSet<String> = text(&all.stdout)
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 25, "every order once: {}", text(&all.stdout));

    let some = payspec_at(&[
        "call",
        "westminister",
        "list_orders",
        "--arg",
        "page_size=4",
        "--all",
        "--max-items",
        "6",
    ]);
    assert_eq!(text(&some.stdout).lines().count(), 6);

    let refused = payspec_at(&[
        "call",
        "westminister",
        "get_order_details",
        "--arg",
        "id=1",
        "--all",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains("not a paged list"),
        "{}",
        text(&refused.stderr)
    );
}

/// `payspec webhook verify` on a Standard Webhooks delivery (corpus/vendors/c_webhooks, read
/// with --specs), signed here with the hmac crate: authentic → 0 and the event with its id;
/// altered → 1 with the reason; no key → 2 naming the variable; a header that is not
/// `Name: value` → 2.
#[test]
fn webhook_verify_checks_a_captured_delivery() {
    use base64::Engine as _;
    use hmac::{KeyInit, Mac};
    let specs = tempfile::tempdir().unwrap();
    let dir = specs.path().join("c_webhooks");
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["openapi.yaml", "vendor.yaml"] {
        std::fs::copy(
            workspace().join("corpus/vendors/c_webhooks").join(file),
            dir.join(file),
        )
        .unwrap();
    }
    let raw = b"a key of the endpoint, 32 bytes!";
    let secret = format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    );
    let body = r#"{"type":"invoice.paid","data":{"id":"inv_9"}}"#;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(raw).unwrap();
    mac.update(format!("msg_1.{now}.{body}").as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let body_file = specs.path().join("body.json");
    let verify = |body: &str, key: Option<&str>, signature_header: &str| {
        std::fs::write(&body_file, body).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_payspec"));
        command
            .args(["webhook", "verify", "c_webhooks", "standard", "--specs"])
            .arg(specs.path())
            .arg("--body")
            .arg(format!("@{}", body_file.display()))
            .args([
                "--header",
                "webhook-id: msg_1",
                "--header",
                &format!("webhook-timestamp: {now}"),
            ])
            .args(["--header", signature_header])
            .env_clear();
        if let Some(key) = key {
            command.env("PAYSPEC_C_WEBHOOKS_WEBHOOK_SECRET", key);
        }
        command.output().unwrap()
    };
    let signed = format!("webhook-signature: v1,{signature}");
    let valid = verify(body, Some(&secret), &signed);
    assert_eq!(valid.status.code(), Some(0), "{}", text(&valid.stderr));
    let json: serde_json::Value = serde_json::from_slice(&valid.stdout).unwrap();
    assert_eq!(json["id"], "msg_1");
    assert_eq!(json["event"]["data"]["id"], "inv_9");

    let altered = verify(&body.replace("inv_9", "inv_8"), Some(&secret), &signed);
    assert_eq!(altered.status.code(), Some(1));
    assert!(
        text(&altered.stderr).contains("does not match"),
        "{}",
        text(&altered.stderr)
    );
    assert!(
        !text(&altered.stderr).contains(&signature) && !text(&altered.stderr).contains(&secret)
    );

    let no_key = verify(body, None, &signed);
    assert_eq!(no_key.status.code(), Some(2));
    assert!(
        text(&no_key.stderr).contains("PAYSPEC_C_WEBHOOKS_WEBHOOK_SECRET"),
        "{}",
        text(&no_key.stderr)
    );

    let bad_header = verify(body, Some(&secret), "webhook-signature v1");
    assert_eq!(bad_header.status.code(), Some(2));
    assert!(
        text(&bad_header.stderr).contains("Name: value"),
        "{}",
        text(&bad_header.stderr)
    );
}

/// `payspec sandbox --webhook-url`: creating a OneKey cashout makes the sandbox post its
/// notification, signed as OneKey signs it, to a merchant's receiver (a small axum app); the
/// delivery captured there passes `payspec webhook verify`, and fails it once altered.
#[test]
fn the_sandbox_process_sends_signed_webhooks_that_verify() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::<Vec<u8>>::new()));
    let url = runtime.block_on(async {
        let got = got.clone();
        let app = axum::Router::new().fallback(move |body: axum::body::Bytes| {
            let got = got.clone();
            async move {
                got.lock().unwrap().push(body.to_vec());
                "ok"
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{address}/notify")
    });
    let server = SandboxProcess::start_with(&["--webhook-url", &url]);
    let sandbox = server.url.clone();
    let created = Command::new(env!("CARGO_BIN_EXE_payspec"))
        .args(["call", "onekey", "create_cashout", "--sandbox", &sandbox, "--body"])
        .arg(r#"{"external_id":"hooked-1","country":"BR","amount":10,"document_id":"1","beneficiary_name":"Ana","notification_url":"https://m.test/n"}"#)
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(created.status.code(), Some(0), "{}", text(&created.stderr));
    let mut delivered = None;
    for _ in 0..250 {
        if let Some(body) = got.lock().unwrap().first().cloned() {
            delivered = Some(body);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    drop(server);
    let body = delivered.expect("the notification arrived");
    let scratch = tempfile::tempdir().unwrap();
    let verify = |body: &[u8]| {
        let file = scratch.path().join("notification");
        std::fs::write(&file, body).unwrap();
        Command::new(env!("CARGO_BIN_EXE_payspec"))
            .args([
                "webhook",
                "verify",
                "onekey",
                "cashout_notification",
                "--body",
            ])
            .arg(format!("@{}", file.display()))
            .args([
                "--key",
                &payspec_runtime::demo_credential("onekey", "secret"),
            ])
            .env_clear()
            .output()
            .unwrap()
    };
    let valid = verify(&body);
    assert_eq!(
        valid.status.code(),
        Some(0),
        "{}: {}",
        text(&valid.stderr),
        text(&body)
    );
    assert!(text(&valid.stdout).contains("hooked-1"));
    let altered = text(&body).replace("hooked-1", "hooked-2");
    assert_eq!(verify(altered.as_bytes()).status.code(), Some(1));
}

/// The vendor's base URL given, its server group's not: a call of the group (Paywall's private
/// API) is a configuration error naming the flag and the variable, before anything is sent
/// (not a DNS error from the vendor's real host).
#[test]
fn a_group_left_on_the_vendors_host_is_a_configuration_error() {
    let output = payspec(&[
        "call",
        "paywall",
        "refund_payment",
        "--base-url",
        "http://127.0.0.1:9/paywall",
        "--body",
        r#"{"Date": "2024-01-01", "MerchantUniqueCode": "x"}"#,
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("--group-base-url private=URL"), "{stderr}");
    assert!(
        stderr.contains("PAYSPEC_PAYWALL_PRIVATE_BASE_URL"),
        "{stderr}"
    );
}

/// `payspec demo` does not depend on the caller's shell: with real-looking CoinPool
/// credentials exported (as anyone who uses CoinPool has them), every step still ends as
/// documented.
#[test]
fn the_demo_ignores_the_callers_exported_credentials() {
    let output = Command::new(env!("CARGO_BIN_EXE_payspec"))
        .args(["demo", "westminister"])
        .env_clear()
        .env("PAYSPEC_WESTMINISTER_EMAIL", "merchant@real.example")
        .env("PAYSPEC_WESTMINISTER_PASSWORD", "a-real-password")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    assert!(!text(&output.stdout).contains("a-real-password"));
}

/// `payspec spec` prints the document other tools should see: the vendor's own with its
/// overlays applied (OneKey's bank-codes paths come from an overlay), as JSON; an unknown
/// vendor is bad input that names the directory looked in.
#[test]
fn spec_prints_the_document_after_its_overlays() {
    let ws = workspace();
    let specs = ws.join("specs");
    let specs = specs.to_str().unwrap();
    let output = payspec(&["spec", "onekey", "--specs", specs]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.contains_key("/cashout"), "{paths:?}");
    assert!(
        paths.contains_key("/country/{iso_code}/authorized-banks"),
        "the overlay's path is missing: {paths:?}"
    );
    let raw = std::fs::read_to_string(ws.join("specs/onekey/openapi.json")).unwrap();
    assert!(
        !raw.contains("authorized-banks"),
        "the overlay test is moot"
    );

    let output = payspec(&["spec", "nosuch", "--specs", specs]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("no vendor \"nosuch\""), "{stderr}");
}

/// A vendor that links its pages in a `Link` header (`<…>; rel="next"`), read at run time:
/// the sandbox answers its list a page at a time with the header, and `call --all` follows it
/// to the end, every item once.
#[test]
fn pages_linked_in_a_header_are_followed_to_the_end() {
    let specs = tempfile::tempdir().unwrap();
    let vendor = specs.path().join("linked");
    std::fs::create_dir_all(&vendor).unwrap();
    std::fs::write(
        vendor.join("openapi.yaml"),
        "openapi: 3.0.3
info: {title: linked, version: '1'}
paths:
  /items:
    get:
      operationId: listItems
      parameters:
        - {name: per_page, in: query, schema: {type: integer}}
      responses:
        '200':
          description: One page of items.
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Item'}}
    post:
      operationId: createItem
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Item'}
      responses:
        '201':
          description: Created.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Item'}
components:
  schemas:
    Item:
      type: object
      properties:
        id: {type: string}
        name: {type: string}
",
    )
    .unwrap();
    std::fs::write(
        vendor.join("vendor.yaml"),
        "vendor: linked
title: Linked
servers: {sandbox: 'https://api.linked.example'}
default_server: sandbox
credentials: {}
auth: {default: none, schemes: {none: {}}}
pagination:
  lists:
    operations: [list_items]
    size_param: per_page
    next_link: { header: Link }
sandbox:
  resources:
    item:
      id: { field: id, kind: uuid }
      operations:
        create_item: { create: {} }
        list_items: { list: {} }
",
    )
    .unwrap();
    let specs_arg = specs.path().to_str().unwrap();
    let server = SandboxProcess::start_with(&["--specs", specs_arg]);
    let payspec_at = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_payspec"))
            .args(args)
            .args(["--specs", specs_arg, "--sandbox", &server.url])
            .env_clear()
            .output()
            .unwrap()
    };
    for n in 0..12 {
        let body = format!(r#"{{"name": "item {n}"}}"#);
        let created = payspec_at(&["call", "linked", "create_item", "--body", &body]);
        assert_eq!(created.status.code(), Some(0), "{}", text(&created.stderr));
    }
    let all = payspec_at(&[
        "call",
        "linked",
        "list_items",
        "--arg",
        "per_page=5",
        "--all",
    ]);
    assert_eq!(all.status.code(), Some(0), "{}", text(&all.stderr));
    let names: std::collections::BTreeSet<String> = text(&all.stdout)
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap()["name"].to_string())
        .collect();
    assert_eq!(names.len(), 12, "every item once: {}", text(&all.stdout));
}

/// `payspec webhook verify` on PayPal's webhooks (read with --specs: the published Orders
/// document, our vendor.yaml and overlays): the certificate given with `--key @FILE`, the
/// webhook id from its variable; each vector of corpus/vendors/paypal_orders/vectors.yaml
/// (made by scripts/webhook-vectors.py) exits 0 or 1 as it says; without the webhook id, 2
/// naming its variable.
#[test]
fn webhook_verify_checks_paypals_rsa_signatures() {
    let specs = tempfile::tempdir().unwrap();
    let dir = specs.path().join("paypal_orders");
    std::fs::create_dir_all(dir.join("overlays")).unwrap();
    let ours = workspace().join("corpus/vendors/paypal_orders");
    std::fs::copy(ours.join("vendor.yaml"), dir.join("vendor.yaml")).unwrap();
    for overlay in std::fs::read_dir(ours.join("overlays")).unwrap() {
        let overlay = overlay.unwrap().path();
        std::fs::copy(
            &overlay,
            dir.join("overlays").join(overlay.file_name().unwrap()),
        )
        .unwrap();
    }
    std::fs::copy(
        workspace().join("../shared/realspecs/paypal_orders/openapi.json"),
        dir.join("openapi.json"),
    )
    .unwrap();
    let vectors = payspec_profile::vectors::load_all(&workspace().join("corpus/vendors"))
        .into_iter()
        .find(|v| v.profile.vendor == "paypal_orders")
        .unwrap()
        .vectors
        .callbacks;
    let body_file = specs.path().join("body.json");
    let cert_file = specs.path().join("cert.pem");
    let verify = |vector: &payspec_profile::vectors::CallbackVector, webhook_id: Option<&str>| {
        std::fs::write(&body_file, &vector.body).unwrap();
        std::fs::write(&cert_file, vector.key.as_deref().unwrap()).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_payspec"));
        command
            .args(["webhook", "verify", "paypal_orders", "event", "--specs"])
            .arg(specs.path())
            .arg("--body")
            .arg(format!("@{}", body_file.display()))
            .arg("--key")
            .arg(format!("@{}", cert_file.display()))
            .env_clear();
        for (name, value) in &vector.headers {
            command.args(["--header", &format!("{name}: {value}")]);
        }
        if let Some(id) = webhook_id {
            command.env("PAYSPEC_PAYPAL_ORDERS_WEBHOOK_ID", id);
        }
        command.output().unwrap()
    };
    for vector in &vectors {
        let output = verify(vector, Some(&vector.credentials["webhook_id"]));
        let expected = if vector.valid { 0 } else { 1 };
        assert_eq!(
            output.status.code(),
            Some(expected),
            "{}: {}",
            vector.name,
            text(&output.stderr)
        );
        if vector.valid {
            let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
            assert_eq!(json["id"], "WH-2WR32451HC0233532-67976317FL4543714");
        }
    }
    let valid = vectors.iter().find(|v| v.valid).unwrap();
    let no_id = verify(valid, None);
    assert_eq!(no_id.status.code(), Some(2), "{}", text(&no_id.stderr));
    assert!(
        text(&no_id.stderr).contains("PAYSPEC_PAYPAL_ORDERS_WEBHOOK_ID"),
        "{}",
        text(&no_id.stderr)
    );
}
