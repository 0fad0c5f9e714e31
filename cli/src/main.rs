//! `payspec`: list the compiled vendors and call any of their operations from the shell.
//!
//! Exit codes: 0 success; 1 the call failed (a vendor error, or the vendor could not be
//! reached or answered nonsense); 2 a usage or configuration error (unknown vendor or
//! operation, a missing credential, a malformed argument or body).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use payspec_runtime::{CallRequest, Error, Settings};

/// Prints a line to stdout; a closed pipe (`payspec vendors | head -1`) is not an error.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod catalog;
mod demo;
mod docs;
mod probe;
mod scaffold;
mod specs;
mod vendors;
mod webhook;

/// Typed clients for payment vendors, generated from their OpenAPI specs.
#[derive(Debug, Parser)]
#[command(name = "payspec", version, about)]
struct Cli {
    /// Log each request (vendor, operation, status, latency) to stderr; never secrets. The
    /// environment variable PAYSPEC_LOG (an env-filter, e.g. `trace`) chooses what else is logged.
    #[arg(long, short, global = true)]
    verbose: bool,
    /// Print JSON: `vendors` lists as JSON, and a failure is one JSON object on stderr
    /// (`{"error": message, "exit": code}`).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the vendors, their operations and auth style.
    Vendors {
        #[command(flatten)]
        specs: SpecsDir,
    },
    /// Call one operation of a vendor.
    Call(CallArgs),
    /// Cancel by the vendor's own reference, with one unified outcome for every vendor.
    Cancel(CancelArgs),
    /// Every vendor end to end against the embedded sandbox (no network needed).
    Demo {
        /// Only these vendors (all when none is given).
        vendors: Vec<String>,
    },
    /// Start a vendor: `specs/VENDOR/` with a placeholder spec and a commented vendor.yaml for
    /// the auth style asked.
    New {
        /// The vendor's name (lower case; it becomes a Rust module).
        vendor: String,
        /// The auth style to start from.
        #[arg(long, value_enum, default_value = "api-key")]
        auth: scaffold::AuthStyle,
        /// The specs directory.
        #[arg(long, default_value = "specs")]
        specs: PathBuf,
    },
    /// Validate specs, overlays and vendor.yaml files; report every problem at once.
    Check {
        /// The specs directory (default `specs`).
        #[arg(conflicts_with = "specs")]
        dir: Option<PathBuf>,
        /// The specs directory, as the other commands take it.
        #[arg(long, value_name = "DIR")]
        specs: Option<PathBuf>,
        /// Make every warning (a schema typed as any JSON, an operation left out, a repair)
        /// an error.
        #[arg(long)]
        strict: bool,
    },
    /// Write the generated Rust sources: modules for reading (`--out`), or one standalone
    /// crate per vendor (`--crate`), checked for staleness with `--check`.
    Generate {
        /// Where to write the modules.
        #[arg(
            long,
            required_unless_present = "crate_dir",
            conflicts_with = "crate_dir"
        )]
        out: Option<PathBuf>,
        /// Write a crate per vendor under this directory (`DIR/<vendor>/`).
        #[arg(long = "crate", value_name = "DIR")]
        crate_dir: Option<PathBuf>,
        /// With --crate: write nothing; exit 1 listing every file that is stale or missing.
        #[arg(long, requires = "crate_dir")]
        check: bool,
        /// With --crate: depend on payspec-runtime at this path (as Cargo.toml reads it:
        /// relative to the generated crate's directory) instead of its version.
        #[arg(long, value_name = "DIR", requires = "crate_dir")]
        runtime_path: Option<PathBuf>,
        /// The specs directory.
        #[arg(long, default_value = "specs")]
        specs: PathBuf,
        /// Make every warning (a schema typed as any JSON, an operation left out, a repair)
        /// an error.
        #[arg(long)]
        strict: bool,
    },
    /// Print the vendor's OpenAPI document as payspec reads it (overlays applied), as JSON: for
    /// other tools (a mock server, a fuzzer) to see the same document as the generator.
    Spec {
        /// The vendor (its directory under the specs directory).
        vendor: String,
        /// The specs directory.
        #[arg(long, default_value = "specs")]
        specs: PathBuf,
    },
    /// What changed in the generated API between two specs (files or vendor directories):
    /// exit 0 when nothing breaks, 3 when something does, 2 on bad input.
    Diff {
        /// The older spec file or vendor directory.
        old: PathBuf,
        /// The newer one.
        new: PathBuf,
    },
    /// The vendor's own documentation pages against its spec.
    #[command(subcommand)]
    Docs(DocsCommand),
    /// Call every safe operation of a vendor and check each answer against the spec: exit 0
    /// when nothing drifted, 3 when something did, 1 when nothing could be checked, 2 on bad
    /// input. `--write-overlay FILE` writes what would make the spec agree.
    Probe(probe::ProbeArgs),
    /// Webhooks (vendor.yaml `callbacks:`).
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Serve the sandbox on 127.0.0.1 (vendor = first path segment).
    Sandbox {
        #[command(flatten)]
        specs: SpecsDir,
        /// The port (0 for any free one).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Records kept per resource; beyond it the oldest is evicted.
        #[arg(long, default_value_t = payspec_sandbox::Options::default().max_records)]
        max_records: usize,
        /// Exchanges kept in the in-memory log.
        #[arg(long, default_value_t = payspec_sandbox::Options::default().log_capacity)]
        log_size: usize,
        /// Send the webhooks vendor.yaml's `sandbox.webhooks` declares here (signed as each
        /// vendor signs them) when the operations they name succeed.
        #[arg(long, value_name = "URL")]
        webhook_url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum WebhookCommand {
    /// Verify a captured delivery as the generated `verify_*` does: exit 0 and the event as
    /// JSON when authentic, 1 with the reason when refused, 2 on bad input.
    Verify(webhook::VerifyArgs),
}

#[derive(Debug, Subcommand)]
enum DocsCommand {
    /// What the pages state (OpenAPI blocks, operations, examples, field tables) against the
    /// spec after overlays: exit 0 clean, 3 with findings, 2 on bad input.
    Check(docs::Pages),
    /// The pages' OpenAPI blocks assembled into the vendor's spec text, then what changed in
    /// the generated API (exit 3 when something breaks for callers).
    /// What payspec reads from pages (operations, examples, fields, OpenAPI blocks), as JSON.
    Facts {
        /// Pages: files, directories or URLs.
        #[arg(required = true)]
        pages: Vec<String>,
    },
    Import {
        #[command(flatten)]
        pages: docs::Pages,
        /// Show the change without writing the spec.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Where the vendors come from.
#[derive(Debug, Clone, clap::Args)]
struct SpecsDir {
    /// Read the vendors from this specs directory at run time (each `<vendor>/` with its
    /// spec and vendor.yaml) instead of the ones compiled into payspec.
    #[arg(long, value_name = "DIR")]
    specs: Option<PathBuf>,
}

impl SpecsDir {
    fn catalog(&self) -> Result<catalog::Catalog, Failure> {
        catalog::Catalog::open(self.specs.as_deref())
    }

    /// Whether the vendors are read at run time (no generated types).
    fn is_runtime(&self) -> bool {
        self.specs.is_some()
    }
}

#[derive(Debug, clap::Args)]
struct CallArgs {
    /// The vendor (see `payspec vendors`).
    vendor: String,
    #[command(flatten)]
    specs: SpecsDir,
    /// The operation, snake_case or kebab-case.
    operation: String,
    #[command(flatten)]
    target: Target,
    /// A path, query or header parameter, by its spec name.
    #[arg(long = "arg", value_name = "NAME=VALUE")]
    args: Vec<String>,
    /// The JSON body without the fields the runtime injects; @FILE reads a file, - reads
    /// standard input.
    #[arg(long)]
    body: Option<String>,
    /// A file part of a multipart operation (Paywall's start_bulk_file_payment):
    /// FIELD=@PATH, with an optional media type: FIELD=@PATH;type=text/plain.
    #[arg(long = "file", value_name = "FIELD=@PATH")]
    files: Vec<String>,
    /// The idempotency key to send, for an operation vendor.yaml gives one (`payspec vendors`
    /// lists them): the key from an earlier call whose outcome is unknown learns that outcome
    /// without acting twice. Without it, one is made and printed on standard error.
    #[arg(long, value_name = "KEY")]
    idempotency_key: Option<String>,
    /// Every item of a paged list (vendor.yaml `pagination:`), one JSON item a line, fetched
    /// a page at a time.
    #[arg(long)]
    all: bool,
    /// With --all, stop after this many items.
    #[arg(long, value_name = "N", requires = "all")]
    max_items: Option<u64>,
    /// The largest body (or file) read from a file or standard input.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BODY)]
    max_body_bytes: u64,
    #[command(flatten)]
    patience: Patience,
}

/// How long a call may take.
#[derive(Debug, Clone, Copy, clap::Args)]
struct Patience {
    /// Seconds the whole call may take, retries and token calls included (each attempt gets
    /// at most this too).
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    timeout: Option<std::time::Duration>,
}

impl Patience {
    fn apply(self, mut settings: Settings) -> Settings {
        if let Some(limit) = self.timeout {
            settings.timeouts.call = limit;
            settings.timeouts.attempt = settings.timeouts.attempt.min(limit);
            settings.timeouts.connect = settings.timeouts.connect.min(limit);
        }
        settings
    }
}

fn parse_seconds(text: &str) -> Result<std::time::Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !(seconds > 0.0 && seconds <= 86_400.0) {
        return Err(format!(
            "{text} must be more than 0 and at most 86400 seconds"
        ));
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

/// The largest `--body` read from a file or standard input by default (10 MiB).
const DEFAULT_MAX_BODY: u64 = 10 * 1024 * 1024;

#[derive(Debug, clap::Args)]
struct CancelArgs {
    /// The vendor.
    vendor: String,
    #[command(flatten)]
    specs: SpecsDir,
    /// The vendor's reference: Rio's bulk id, xpays' payment id, the CoinPool order id,
    /// Paywall's MerchantUniqueCode, OneKey's cashout_id.
    #[arg(long)]
    id: String,
    /// The merchant's own id, where the vendor wants it too (OneKey).
    #[arg(long)]
    external_id: Option<String>,
    /// The payment date, where the vendor wants it (Paywall), as YYYY-MM-DD.
    #[arg(long)]
    date: Option<String>,
    #[command(flatten)]
    target: Target,
    #[command(flatten)]
    patience: Patience,
}

/// Where a call goes. Unset, `PAYSPEC_<VENDOR>_SERVER`, `PAYSPEC_<VENDOR>_BASE_URL` and
/// `PAYSPEC_<VENDOR>_<GROUP>_BASE_URL` apply, then the vendor's default server.
#[derive(Debug, Clone, clap::Args)]
struct Target {
    /// Replaces the spec's server URL whole (e.g. http://127.0.0.1:8080/onekey/v3).
    #[arg(long)]
    base_url: Option<String>,
    /// A named server of the vendor instead of its default (e.g. sandbox).
    #[arg(long, conflicts_with = "base_url")]
    server: Option<String>,
    /// The root URL of a running `payspec sandbox` (demo credentials where PAYSPEC_* is unset).
    #[arg(long, conflicts_with_all = ["base_url", "server"])]
    sandbox: Option<String>,
    /// The base URL of one of the vendor's server groups (Paywall's `private` API).
    #[arg(long = "group-base-url", value_name = "GROUP=URL")]
    group_base_urls: Vec<String>,
    /// A variable of the vendor's server URLs (`site` in https://{site}.acme.example); unset,
    /// PAYSPEC_<VENDOR>_<NAME> and then vendor.yaml's default apply.
    #[arg(long = "server-var", value_name = "NAME=VALUE")]
    server_vars: Vec<String>,
}

impl Target {
    fn settings(&self, vendor: &payspec_runtime::VendorEntry) -> Result<Settings, Failure> {
        let profile = vendor
            .profile()
            .map_err(|e| Failure::usage(e.to_string()))?;
        let mut settings = Settings {
            base_url: self.base_url.clone(),
            server: self.server.clone(),
            sandbox: self.sandbox.clone(),
            ..Settings::default()
        };
        for pair in &self.group_base_urls {
            let Some((group, url)) = pair.split_once('=') else {
                return Err(Failure::usage(format!(
                    "--group-base-url {pair:?}: expected GROUP=URL"
                )));
            };
            if !profile.server_groups.contains_key(group) {
                let known: Vec<&str> = profile.server_groups.keys().map(String::as_str).collect();
                return Err(Failure::usage(format!(
                    "--group-base-url {pair:?}: {} has no server group {group:?} (groups: {})",
                    vendor.name,
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                )));
            }
            settings = settings.group_base_url(group, url);
        }
        for pair in &self.server_vars {
            let Some((name, value)) = pair.split_once('=') else {
                return Err(Failure::usage(format!(
                    "--server-var {pair:?}: expected NAME=VALUE"
                )));
            };
            settings = settings.server_var(name, value);
        }
        settings
            .with_env(&profile)
            .map_err(|e| Failure::usage(e.to_string()))
    }
}

/// A failure and the exit code it maps to.
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            message: message.into(),
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        let code = match error.stage() {
            payspec_runtime::Stage::NotBuilt => 2,
            _ => 1,
        };
        Self {
            code,
            message: error.to_string(),
        }
    }
}

/// Diagnostics on stderr: `-v` or `PAYSPEC_LOG` for the runtime's debug events, else only
/// what a waiting person needs.
fn init_logging(verbose: bool) {
    let directives = std::env::var("PAYSPEC_LOG")
        .ok()
        .filter(|d| !d.trim().is_empty());
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    if verbose || directives.is_some() {
        let directives = directives.unwrap_or_else(|| "payspec_runtime=debug,payspec=debug".into());
        let filter = tracing_subscriber::EnvFilter::new(directives);
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(colour)
            .with_writer(std::io::stderr)
            .init();
    } else {
        // Without -v, only what a waiting person needs: "retrying in 1.6 s (attempt 2 of 3)".
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("payspec::progress=info"))
            .without_time()
            .with_level(false)
            .with_target(false)
            .with_ansi(colour)
            .with_writer(std::io::stderr)
            .init();
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let outcome = match cli.command {
        Command::Vendors { specs } => specs.catalog().map(|catalog| {
            if cli.json {
                say!("{}", vendors::json(catalog.entries()));
            } else {
                say!("{}", vendors::listing(catalog.entries()).trim_end());
            }
        }),
        Command::Call(args) => call(args),
        Command::Cancel(args) => cancel(args),
        Command::Demo { vendors } => demo(&vendors),
        Command::New {
            vendor,
            auth,
            specs,
        } => scaffold::new_vendor(&specs, &vendor, auth),
        Command::Check { dir, specs, strict } => specs::check(
            &dir.or(specs).unwrap_or_else(|| PathBuf::from("specs")),
            strict,
        ),
        Command::Generate {
            out,
            crate_dir,
            check,
            runtime_path,
            specs,
            strict,
        } => match (out, crate_dir) {
            (Some(out), _) => specs::generate(&specs, &out, strict),
            (None, Some(dir)) => {
                specs::generate_crates(&specs, &dir, check, runtime_path.as_deref(), strict)
            }
            (None, None) => Err(Failure::usage("give --out DIR or --crate DIR")),
        },
        Command::Spec { vendor, specs } => specs::print_spec(&specs, &vendor),
        Command::Diff { old, new } => specs::diff_specs(&old, &new),
        Command::Docs(DocsCommand::Check(pages)) => docs::check(&pages),
        Command::Docs(DocsCommand::Import { pages, dry_run }) => docs::import(&pages, dry_run),
        Command::Docs(DocsCommand::Facts { pages }) => docs::facts(&pages),
        Command::Webhook(WebhookCommand::Verify(args)) => webhook::verify(&args),
        Command::Probe(args) => probe::run(&args, cli.json),
        Command::Sandbox {
            specs,
            port,
            max_records,
            log_size,
            webhook_url,
        } => sandbox(&specs, port, max_records, log_size, webhook_url),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) if cli.json => {
            let report = serde_json::json!({"error": failure.message, "exit": failure.code});
            eprintln!("{report}");
            ExitCode::from(failure.code)
        }
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// `--arg NAME=VALUE`s by name, each a parameter of the operation, the required ones all
/// given.
fn arguments(
    vendor: &payspec_runtime::VendorEntry,
    operation: &payspec_runtime::OperationMeta,
    given: &[String],
) -> Result<BTreeMap<String, String>, Failure> {
    let mut values = BTreeMap::new();
    for arg in given {
        let (name, value) = arg
            .split_once('=')
            .ok_or_else(|| Failure::usage(format!("--arg {arg:?} must be NAME=VALUE")))?;
        if !operation.params.iter().any(|p| p.name == name) {
            let known: Vec<&str> = operation.params.iter().map(|p| p.name).collect();
            return Err(Failure::usage(format!(
                "{} {} has no parameter {name:?}{} (parameters: {})",
                vendor.name,
                operation.id,
                catalog::did_you_mean(name, &known),
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            )));
        }
        values.insert(name.to_owned(), value.to_owned());
    }
    if let Some(missing) = operation
        .params
        .iter()
        .find(|p| p.required && !values.contains_key(p.name))
    {
        return Err(Failure::usage(format!(
            "{} {} needs --arg {}=VALUE ({} parameter)",
            vendor.name, operation.id, missing.name, missing.location
        )));
    }
    Ok(values)
}

fn call(args: CallArgs) -> Result<(), Failure> {
    let catalog = args.specs.catalog()?;
    let vendor = catalog.find(&args.vendor)?;
    let operation = vendor.operation(&args.operation).ok_or_else(|| {
        let known: Vec<&str> = vendor.operations.iter().map(|o| o.id).collect();
        Failure::usage(format!(
            "{} has no operation {:?}{} (operations: {})",
            vendor.name,
            args.operation,
            catalog::did_you_mean(&args.operation, &known),
            known.join(", ")
        ))
    })?;
    let mut values = arguments(vendor, operation, &args.args)?;
    let body = match (&args.body, operation.body) {
        (None, _) => None,
        (Some(_), None) => {
            return Err(Failure::usage(format!(
                "{} {} takes no body",
                vendor.name, operation.id
            )));
        }
        (Some(text), Some(_)) => Some(read_body(text, args.max_body_bytes)?),
    };
    let body = with_files(vendor, operation, body, &args.files, args.max_body_bytes)?;
    let body = with_idempotency_key(vendor, operation, &mut values, body, args.idempotency_key)?;
    let settings = args.patience.apply(args.target.settings(vendor)?);
    let request = CallRequest {
        operation: operation.id.to_owned(),
        args: values,
        body,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure {
            code: 1,
            message: format!("cannot start the async runtime: {e}"),
        })?;
    if args.all {
        return list_all(
            &catalog,
            vendor,
            operation,
            settings,
            request,
            args.max_items,
            &runtime,
        );
    }
    let response = runtime.block_on(catalog.call(vendor, settings, request))?;
    if let Some(key) = &response.idempotency_key {
        eprintln!("idempotency key: {key}");
    }
    let text = serde_json::to_string_pretty(&response.body).map_err(|e| Failure {
        code: 1,
        message: format!("cannot print the response: {e}"),
    })?;
    say!("{text}");
    Ok(())
}

/// Prints `{"vendor", "status", "vendor_status"}`; exit 0 for cancelled or pending, else 1.
fn cancel(args: CancelArgs) -> Result<(), Failure> {
    use payspec_runtime::cancel::{CancelReference, run};
    let catalog = args.specs.catalog()?;
    let vendor = catalog.find(&args.vendor)?;
    let profile = vendor
        .profile()
        .map_err(|e| Failure::usage(e.to_string()))?;
    let reference = CancelReference {
        id: args.id,
        external_id: args.external_id,
        date: args.date,
    };
    let settings = args.patience.apply(args.target.settings(vendor)?);
    let send = |request| {
        let settings = settings.clone();
        let catalog = &catalog;
        async move {
            catalog
                .call(vendor, settings, request)
                .await
                .map(|o| (o.status, o.body))
        }
    };
    let outcome = async_runtime()?.block_on(run(&profile, &reference, send, send))?;
    say!("{}", outcome.summary());
    if outcome.is_accepted() {
        return Ok(());
    }
    let reason = match (&outcome.note, &outcome.error) {
        (Some(note), _) => note.clone(),
        (None, Some(error)) => error.to_string(),
        (None, None) => format!("{} is {}", vendor.name, outcome.status.as_str()),
    };
    Err(Failure {
        code: 1,
        message: reason,
    })
}

fn async_runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure {
            code: 1,
            message: format!("cannot start the async runtime: {e}"),
        })
}

fn demo(vendors: &[String]) -> Result<(), Failure> {
    for name in vendors {
        catalog::Catalog::open(None)?.find(name)?;
    }
    match async_runtime()?.block_on(demo::run(vendors))? {
        true => Ok(()),
        false => Err(Failure {
            code: 1,
            message: "some demo steps did not end as documented".into(),
        }),
    }
}

fn sandbox(
    specs: &SpecsDir,
    port: u16,
    max_records: usize,
    log_size: usize,
    webhook_url: Option<String>,
) -> Result<(), Failure> {
    let catalog = specs.catalog()?;
    let runtime = async_runtime()?;
    let options = payspec_sandbox::Options {
        max_records,
        log_capacity: log_size,
        ..Default::default()
    };
    runtime.block_on(async {
        let sandbox =
            payspec_sandbox::Sandbox::with_options(catalog.entries(), options).map_err(|e| {
                Failure {
                    code: 1,
                    message: e.to_string(),
                }
            })?;
        let sandbox = match webhook_url {
            Some(url) => sandbox.webhook_url(url),
            None => sandbox,
        };
        let demo = sandbox.demo_credentials();
        let running = sandbox
            .start(([127, 0, 0, 1], port).into())
            .await
            .map_err(|e| Failure {
                code: 1,
                message: format!("cannot serve on port {port}: {e}"),
            })?;
        say!("payspec sandbox on {}", running.url());
        let from = specs
            .specs
            .as_ref()
            .map(|dir| format!(" --specs {}", dir.display()))
            .unwrap_or_default();
        for entry in catalog.entries() {
            say!(
                "  {}: payspec call {} OPERATION{from} --sandbox {}",
                entry.name,
                entry.name,
                running.url()
            );
        }
        say!(
            "Demo credentials (where the PAYSPEC_* variable is unset; public, worthless elsewhere):"
        );
        for (vendor, values) in demo {
            for (variable, value) in values {
                say!("  {variable}={value}   ({vendor})");
            }
        }
        say!(
            "Faults on request: header {}: {}[xN][@operation]",
            payspec_sandbox::FAULT_HEADER,
            payspec_sandbox::FAULT_KINDS
        );
        std::future::pending::<()>().await;
        Ok(())
    })
}

/// `--body` is JSON text, `@FILE` naming a file of JSON, or `-` for standard input; a file or
/// standard input is read up to `limit` bytes, and a larger one is refused.
fn read_body(text: &str, limit: u64) -> Result<serde_json::Value, Failure> {
    let (source, json) = match text {
        "-" => (
            "--body - (standard input)".to_owned(),
            read_limited(std::io::stdin().lock(), limit, "--body -")?,
        ),
        _ => match text.strip_prefix('@') {
            Some(path) => {
                let flag = format!("--body @{path}");
                let file = std::fs::File::open(path)
                    .map_err(|e| Failure::usage(format!("{flag}: {e}")))?;
                (flag.clone(), read_limited(file, limit, &flag)?)
            }
            None => ("--body".to_owned(), text.to_owned()),
        },
    };
    serde_json::from_str(&json).map_err(|e| {
        Failure::usage(format!(
            "{source}: invalid JSON at line {} column {}: {e}",
            e.line(),
            e.column()
        ))
    })
}

/// `call --all`: the items of a paged list, one JSON value a line; a failure part way says
/// how many items came before it.
fn list_all(
    catalog: &catalog::Catalog,
    vendor: &'static payspec_runtime::VendorEntry,
    operation: &payspec_runtime::OperationMeta,
    settings: Settings,
    request: CallRequest,
    max_items: Option<u64>,
    runtime: &tokio::runtime::Runtime,
) -> Result<(), Failure> {
    if !operation.paged {
        return Err(Failure::usage(format!(
            "--all: {} {} is not a paged list (vendor.yaml `pagination:`; `payspec vendors` marks the paged ones)",
            vendor.name, operation.id
        )));
    }
    let print = |item: serde_json::Value| say!("{item}");
    let listed = catalog.list_all(
        vendor,
        settings,
        request,
        max_items.unwrap_or(u64::MAX),
        print,
    );
    match runtime.block_on(listed) {
        Ok(_) => Ok(()),
        Err((delivered, error)) => {
            let mut failure = Failure::from(error);
            failure.message = format!("{} (after {delivered} items)", failure.message);
            Err(failure)
        }
    }
}

/// The caller's idempotency key, where the vendor takes it: the operation's header parameter
/// (declared by the generator when the spec does not), or the body field.
fn with_idempotency_key(
    vendor: &payspec_runtime::VendorEntry,
    operation: &payspec_runtime::OperationMeta,
    values: &mut BTreeMap<String, String>,
    body: Option<serde_json::Value>,
    key: Option<String>,
) -> Result<Option<serde_json::Value>, Failure> {
    use payspec_runtime::profile::KeyPlace;
    let Some(key) = key else {
        return Ok(body);
    };
    let profile = vendor
        .profile()
        .map_err(|e| Failure::usage(e.to_string()))?;
    let place = match profile.idempotency.filter(|_| operation.idempotent) {
        Some(idempotency) => idempotency.key,
        None => {
            return Err(Failure::usage(format!(
                "--idempotency-key: {} {} takes no idempotency key (vendor.yaml `idempotency:`)",
                vendor.name, operation.id
            )));
        }
    };
    match place {
        KeyPlace::Header(name) => {
            // The parameter as the spec (or the generator) names it.
            let declared = operation
                .params
                .iter()
                .find(|p| p.location == "header" && p.name.eq_ignore_ascii_case(&name))
                .map_or(name, |p| p.name.to_owned());
            values.insert(declared, key);
            Ok(body)
        }
        KeyPlace::Body(at) => {
            let mut body = body.unwrap_or_else(|| serde_json::json!({}));
            let tokens = payspec_runtime::profile::pointer::tokens(&at).unwrap_or_default();
            let Some((field, parents)) = tokens.split_last() else {
                return Err(Failure::usage(format!(
                    "vendor.yaml's key pointer {at:?} names no field"
                )));
            };
            let mut object = body.as_object_mut();
            for parent in parents {
                object = object
                    .and_then(|o| o.get_mut(parent))
                    .and_then(serde_json::Value::as_object_mut);
            }
            let object = object.ok_or_else(|| {
                Failure::usage(format!(
                    "--idempotency-key: the body has no JSON object to hold {at}"
                ))
            })?;
            object.insert(field.clone(), serde_json::Value::String(key));
            Ok(Some(body))
        }
    }
}

/// The `--file` parts joined to the body of a multipart operation (as the form's file fields).
fn with_files(
    vendor: &payspec_runtime::VendorEntry,
    operation: &payspec_runtime::OperationMeta,
    body: Option<serde_json::Value>,
    files: &[String],
    limit: u64,
) -> Result<Option<serde_json::Value>, Failure> {
    if files.is_empty() {
        return Ok(body);
    }
    if !operation.multipart {
        return Err(Failure::usage(format!(
            "--file: {} {} does not take files (it is not a multipart operation)",
            vendor.name, operation.id
        )));
    }
    let mut form = match body {
        Some(serde_json::Value::Object(form)) => form,
        None => serde_json::Map::new(),
        Some(_) => return Err(Failure::usage("--body: a multipart form is a JSON object")),
    };
    for file in files {
        let (field, spec) = file
            .split_once("=@")
            .ok_or_else(|| Failure::usage(format!("--file {file:?}: expected FIELD=@PATH")))?;
        let (path, media) = match spec.split_once(";type=") {
            Some((path, media)) => (path, media),
            None => (spec, "application/octet-stream"),
        };
        let flag = format!("--file {field}=@{path}");
        let data = read_bytes_limited(path, limit, &flag)?;
        let name = std::path::Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".into());
        let part = payspec_runtime::multipart::Part::new(name, media, data);
        let value =
            serde_json::to_value(part).map_err(|e| Failure::usage(format!("{flag}: {e}")))?;
        form.insert(field.to_owned(), value);
    }
    Ok(Some(serde_json::Value::Object(form)))
}

fn read_bytes_limited(path: &str, limit: u64, flag: &str) -> Result<Vec<u8>, Failure> {
    let file = std::fs::File::open(path).map_err(|e| Failure::usage(format!("{flag}: {e}")))?;
    read_capped(file, limit, flag, "raise it with --max-body-bytes")
}

/// At most `limit` bytes from `reader`; more is an error naming the flag, the limit, and
/// `hint` (what to do about it).
pub(crate) fn read_capped(
    reader: impl std::io::Read,
    limit: u64,
    flag: &str,
    hint: &str,
) -> Result<Vec<u8>, Failure> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::usage(format!("{flag}: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(Failure::usage(format!(
            "{flag}: larger than the limit of {limit} bytes ({hint})"
        )));
    }
    Ok(bytes)
}

/// Reads at most `limit` bytes of UTF-8 text; more is an error naming the flag and the limit.
fn read_limited(reader: impl std::io::Read, limit: u64, flag: &str) -> Result<String, Failure> {
    let bytes = read_capped(reader, limit, flag, "raise it with --max-body-bytes")?;
    String::from_utf8(bytes).map_err(|e| Failure::usage(format!("{flag}: not UTF-8 text: {e}")))
}
