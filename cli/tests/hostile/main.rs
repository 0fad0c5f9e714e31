//! The client against a vendor that lies: one mode of a raw-TCP server per attack (redirects
//! to other origins and loops, echoed secrets in every encoding, a cut-off cancel, hostile
//! token answers, lying lengths, endless and dripping bodies, huge headers, Retry-After in
//! every form). Each case runs the real `payspec` binary with TRACE logs of every crate and
//! checks its exit code, how many requests the vendor saw, that no secret byte appears in
//! stdout, stderr or the logs, and that nothing of a secret reached another origin.
//! `cargo test -p payspec-cli --test hostile -- --nocapture` prints the table.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod cases;
mod redirects;
mod server;
mod stages;

use std::process::Command;
use std::time::{Duration, Instant};

use server::{Hostile, Seen};

/// Credentials the client holds: long, distinctive strings, so that any 8-byte window of one
/// found in an output is a leak, not a coincidence. The OneKey pass has a quote and a
/// backslash, so that it is JSON-escaped on the wire.
pub const ONEKEY_LOGIN: &str = "okLgn5b7e1f2c";
pub const ONEKEY_PASS: &str = "okPs\"q\\9c3d71e0";
pub const ONEKEY_SECRET: &str = "okSct4a8f2e6d9b";
pub const RIO_KEY: &str = "rioK6f1d8b3a2c";
pub const WM_EMAIL: &str = "mx7c2e9a@pay7f3b1.test";
pub const WM_PASSWORD: &str = "wmPw3e9a61f0b4";
pub const ACCESS_TOKEN: &str = "v4.local.hstl8d2f6a1c";
pub const REFRESH_TOKEN: &str = "rtHstl1b7e9c3a";

/// One attack.
pub struct Case {
    pub name: &'static str,
    /// `payspec` arguments; `{url}` is the hostile vendor's URL.
    pub args: Vec<String>,
    pub handler: server::Handler,
    pub exit: i32,
    /// Requests the vendor must see, in all.
    pub requests: usize,
    /// What stderr (or stdout, for a cancel) must say.
    pub says: &'static str,
}

struct Run {
    exit: i32,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

fn run(args: &[String]) -> Run {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_payspec"))
        .args(args)
        .env("PAYSPEC_LOG", "trace")
        .env("PAYSPEC_ONEKEY_LOGIN", ONEKEY_LOGIN)
        .env("PAYSPEC_ONEKEY_PASS", ONEKEY_PASS)
        .env("PAYSPEC_ONEKEY_SECRET", ONEKEY_SECRET)
        .env("PAYSPEC_RIO_API_KEY", RIO_KEY)
        .env("PAYSPEC_WESTMINISTER_EMAIL", WM_EMAIL)
        .env("PAYSPEC_WESTMINISTER_PASSWORD", WM_PASSWORD)
        .output()
        .unwrap();
    Run {
        exit: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        elapsed: started.elapsed(),
    }
}

/// Every form of every secret: the credentials, the tokens the vendor issued, and the
/// signatures the client sent (as the vendor received them).
fn secrets(seen: &[Seen]) -> Vec<String> {
    let mut raw: Vec<String> = [
        ONEKEY_LOGIN,
        ONEKEY_PASS,
        ONEKEY_SECRET,
        RIO_KEY,
        WM_EMAIL,
        WM_PASSWORD,
        ACCESS_TOKEN,
        REFRESH_TOKEN,
    ]
    .map(String::from)
    .to_vec();
    raw.extend(seen.iter().filter_map(|s| s.header("payload-signature")));
    let mut forms = Vec::new();
    for secret in raw {
        use base64::Engine as _;
        let json = serde_json::to_string(&secret).unwrap();
        forms.push(json.trim_matches('"').to_owned());
        forms.push(base64::engine::general_purpose::STANDARD.encode(&secret));
        forms.push(url::form_urlencoded::byte_serialize(secret.as_bytes()).collect());
        forms.push(secret);
    }
    forms
}

/// The first 8-byte window of a secret found in `text`.
fn leak(text: &str, secrets: &[String]) -> Option<String> {
    secrets.iter().find_map(|secret| {
        let bytes = secret.as_bytes();
        if bytes.len() < 8 {
            return text.contains(secret.as_str()).then(|| secret.clone());
        }
        bytes
            .windows(8)
            .find(|w| text.as_bytes().windows(8).any(|t| t == *w))
            .map(|w| String::from_utf8_lossy(w).into_owned())
    })
}

#[test]
fn every_attack_is_contained() {
    let mut failures = Vec::new();
    println!(
        "{:<46} {:>4} {:>8} {:>7}  says",
        "case", "exit", "requests", "ms"
    );
    for case in cases::all() {
        let hostile = Hostile::start(case.handler.clone());
        let args: Vec<String> = case
            .args
            .iter()
            .map(|a| a.replace("{url}", &hostile.url()))
            .collect();
        let run = run(&args);
        let seen = hostile.seen();
        let secrets = secrets(&seen);
        let output = format!("{}\n{}", run.stdout, run.stderr);
        let said = run
            .stderr
            .lines()
            .rfind(|l| l.starts_with("error:"))
            .unwrap_or(run.stdout.trim());
        println!(
            "{:<46} {:>4} {:>8} {:>7}  {}",
            case.name,
            run.exit,
            seen.len(),
            run.elapsed.as_millis(),
            said.chars().take(110).collect::<String>()
        );
        let mut problems = Vec::new();
        if run.exit != case.exit {
            problems.push(format!("exit {} (expected {})", run.exit, case.exit));
        }
        if seen.len() != case.requests {
            problems.push(format!(
                "{} requests (expected {})",
                seen.len(),
                case.requests
            ));
        }
        if !output.contains(case.says) {
            problems.push(format!("output does not say {:?}", case.says));
        }
        if let Some(window) = leak(&output, &secrets) {
            problems.push(format!(
                "a secret leaked into the output or logs: {window:?}"
            ));
        }
        let elsewhere = String::from_utf8_lossy(&hostile.other_origin_bytes()).into_owned();
        if let Some(window) = leak(&elsewhere, &secrets) {
            problems.push(format!("a secret reached another origin: {window:?}"));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}: {}\n--- stderr tail:\n{}",
                case.name,
                problems.join("; "),
                tail(&run.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(6)..].join("\n")
}
