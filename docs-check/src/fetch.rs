//! Fetching pages by URL: the runtime's fetcher (timeouts, size cap, same-origin redirects).

pub use payspec_runtime::fetch::Fetcher;
