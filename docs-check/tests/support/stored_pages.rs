//! The stored copies of a vendor's documentation (../shared/docs-pages/<vendor>/ and the seeds
//! whose name starts with the vendor's), loaded as `payspec docs` loads pages. Shared by the
//! docs crate's tests and the payspec crate's (`#[path]`).

use std::path::Path;

use payspec_docs::page::Page;

/// Every stored page of `vendor` and its seed; `workspace` is the checkout's root.
pub fn pages(workspace: &Path, vendor: &str) -> Vec<Page> {
    let shared = workspace.join("../shared");
    let mut inputs = vec![shared.join("docs-pages").join(vendor).display().to_string()];
    for seed in std::fs::read_dir(shared.join("seeds")).unwrap() {
        let seed = seed.unwrap().path();
        if seed
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(vendor)
        {
            inputs.push(seed.display().to_string());
        }
    }
    let fetcher =
        payspec_docs::fetch::Fetcher::new(std::time::Duration::from_secs(1), 1 << 20, 1).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime
        .block_on(payspec_docs::page::load(&inputs, &fetcher))
        .unwrap()
}
