//! Writes random, valid OpenAPI documents (the generator's fuzz campaign, see
//! `tests/random_documents.rs`) as vendor directories, for `payspec check` / `generate` by hand:
//!
//! ```sh
//! cargo run -p payspec-codegen --example random_documents -- /tmp/random 200 0
//! payspec check /tmp/random
//! ```

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "random-specs".into()));
    let count: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(20);
    let first: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(0);
    for seed in first..first + count {
        let name = format!("random{seed}");
        if let Err(e) =
            payspec_codegen::synthetic::write_random_vendor(&dir.join(&name), &name, seed)
        {
            eprintln!("error: {}: {e}", dir.join(&name).display());
            std::process::exit(2);
        }
    }
    println!(
        "{count} documents (seeds {first}..{}) in {}",
        first + count,
        dir.display()
    );
}
