//! `payspec docs check` and `payspec docs import`: the vendor's pages against its spec.

use std::path::{Path, PathBuf};
use std::time::Duration;

use payspec_docs::{Report, page::Page};

use crate::Failure;

/// Where pages come from and how they are fetched.
#[derive(Debug, clap::Args)]
pub struct Pages {
    /// The vendor (a directory under --specs).
    vendor: String,
    /// Pages: files, directories, URLs (an llms.txt index is followed to its pages).
    #[arg(required = true)]
    pages: Vec<String>,
    /// The specs directory.
    #[arg(long, default_value = "specs")]
    specs: PathBuf,
    /// Seconds a page may take to fetch.
    #[arg(long, default_value_t = 20)]
    fetch_timeout: u64,
}

/// Prints what payspec reads from each page.
pub fn facts(inputs: &[String]) -> Result<(), Failure> {
    let fetcher = payspec_docs::fetch::Fetcher::new(Duration::from_secs(20), 8 << 20, 500)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the async runtime: {e}")))?;
    let pages = runtime
        .block_on(payspec_docs::page::load(inputs, &fetcher))
        .map_err(|e| Failure::usage(e.to_string()))?;
    for page in &pages {
        let facts = payspec_docs::extract::extract(page);
        say!("== {}", page.name());
        for o in &facts.operations {
            say!(
                "  operation {}:{} {} {}",
                page.name(),
                o.line,
                o.method,
                o.path
            );
        }
        for b in &facts.blocks {
            say!(
                "  openapi block at line {} ({} paths)",
                b.line,
                b.value
                    .get("paths")
                    .and_then(|p| p.as_object())
                    .map_or(0, |p| p.len())
            );
        }
        for e in &facts.examples {
            say!(
                "  example {:?} at line {}: {}",
                e.place,
                e.line,
                truncate(&e.value.to_string(), 100)
            );
        }
        for f in &facts.fields {
            say!(
                "  field {:?} line {}: {} {:?} {:?} required={:?} options={:?} pattern={:?}",
                f.place,
                f.line,
                f.name,
                f.ty,
                f.format,
                f.required,
                f.options,
                f.pattern
            );
        }
        for (line, name) in &facts.headers {
            say!("  header line {line}: {name}");
        }
    }
    Ok(())
}

fn truncate(text: &str, width: usize) -> String {
    text.chars().take(width).collect()
}

impl Pages {
    fn dir(&self) -> Result<PathBuf, Failure> {
        let dir = self.specs.join(&self.vendor);
        if !dir.is_dir() {
            return Err(Failure::usage(format!(
                "{} is not a vendor directory (--specs {})",
                dir.display(),
                self.specs.display()
            )));
        }
        Ok(dir)
    }

    fn load(&self) -> Result<Vec<Page>, Failure> {
        let fetcher = payspec_docs::fetch::Fetcher::new(
            Duration::from_secs(self.fetch_timeout),
            8 << 20,
            500,
        )
        .map_err(|e| Failure::usage(e.to_string()))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Failure::usage(format!("cannot start the async runtime: {e}")))?;
        runtime
            .block_on(payspec_docs::page::load(&self.pages, &fetcher))
            .map_err(|e| Failure::usage(e.to_string()))
    }
}

/// Prints every open finding; exit 0 clean, 3 with findings, 2 on bad input.
pub fn check(args: &Pages) -> Result<(), Failure> {
    let dir = args.dir()?;
    let pages = args.load()?;
    let report = payspec_docs::check(&dir, &pages).map_err(|e| Failure::usage(e.to_string()))?;
    print_report(&report);
    if report.open.is_empty() {
        Ok(())
    } else {
        Err(Failure {
            code: 3,
            message: format!("{} findings not fixed nor acknowledged", report.open.len()),
        })
    }
}

fn print_report(report: &Report) {
    for finding in &report.open {
        say!("{finding}");
    }
    for ack in &report.stale {
        say!(
            "docs-ack.yaml: acknowledgement matches nothing (remove it): {} {} {:?}",
            ack.kind,
            ack.pointer,
            ack.docs
        );
    }
    say!(
        "{} pages: {} findings, {} acknowledged",
        report.pages,
        report.open.len(),
        report.acknowledged.len()
    );
}

/// Writes the pages' OpenAPI blocks as the vendor's spec and prints what changed in the
/// generated API; exit 3 when something breaks for callers.
pub fn import(args: &Pages, dry_run: bool) -> Result<(), Failure> {
    let dir = args.dir()?;
    let pages = args.load()?;
    let imported = payspec_docs::import::assemble(&pages);
    if imported.blocks == 0 {
        return Err(Failure::usage("the pages carry no OpenAPI blocks"));
    }
    for conflict in &imported.conflicts {
        say!(
            "{}:{}: #{}: {}",
            conflict.page,
            conflict.page_line,
            conflict.pointer,
            conflict.message
        );
    }
    let before = tempfile_copy(&dir)?;
    let written = if dry_run {
        let scratch = before.path().join("new");
        copy_dir(&dir, &scratch)?;
        payspec_docs::import::write(&scratch, &imported.document)
            .map_err(|e| Failure::usage(e.to_string()))?
    } else {
        payspec_docs::import::write(&dir, &imported.document)
            .map_err(|e| Failure::usage(e.to_string()))?
    };
    for (page, line) in &imported.cut_off {
        say!("{page}:{line}: block cut off before its closing fence, not imported");
    }
    say!(
        "{}: {} blocks assembled{}",
        written.display(),
        imported.blocks,
        if dry_run { " (dry run)" } else { "" }
    );
    let new = written.parent().unwrap_or(&dir);
    if let Err(problems) = payspec_codegen::load_vendor(new) {
        say!(
            "vendor.yaml or an overlay names what the imported spec lacks (import the pages that document it, or add an overlay):"
        );
        say!("{}", problems.render());
        return Err(Failure {
            code: 3,
            message: "the imported spec breaks the vendor's profile".into(),
        });
    }
    let old = before.path().join("old").join(&args.vendor);
    crate::specs::diff_specs(&old, new)
}

fn tempfile_copy(dir: &Path) -> Result<tempfile::TempDir, Failure> {
    let scratch = tempfile::tempdir().map_err(|e| Failure::usage(e.to_string()))?;
    let name = dir.file_name().unwrap_or_default();
    copy_dir(dir, &scratch.path().join("old").join(name))?;
    Ok(scratch)
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(to).map_err(|e| Failure::usage(format!("{}: {e}", to.display())))?;
    for entry in
        std::fs::read_dir(from).map_err(|e| Failure::usage(format!("{}: {e}", from.display())))?
    {
        let entry = entry.map_err(|e| Failure::usage(e.to_string()))?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .map_err(|e| Failure::usage(format!("{}: {e}", target.display())))?;
        }
    }
    Ok(())
}
