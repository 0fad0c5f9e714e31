//! Test vectors kept beside a spec (`specs/<vendor>/vectors.yaml`): requests with the header
//! values a signing recipe must give for them, and callbacks with whether they verify, all
//! computed outside payspec. The runtime (which signs) and the sandbox (which verifies) are
//! tested against the same files.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A vector file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vectors {
    /// Signed requests.
    #[serde(default)]
    pub signatures: Vec<SignatureVector>,
    /// Callbacks.
    #[serde(default)]
    pub callbacks: Vec<CallbackVector>,
}

/// A request and the headers its scheme gives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureVector {
    /// What it shows.
    pub name: String,
    /// The auth scheme of vendor.yaml.
    pub scheme: String,
    /// The credentials, by name (any the vector omits: vendor.yaml's demo values).
    #[serde(default)]
    pub credentials: BTreeMap<String, String>,
    /// The HTTP method.
    pub method: String,
    /// The URL path.
    pub path: String,
    /// The timestamp, as sent.
    #[serde(default)]
    pub timestamp: String,
    /// The exact body.
    #[serde(default)]
    pub body: String,
    /// Seconds since the Unix epoch at signing (JWT claims).
    #[serde(default)]
    pub unix_seconds: u64,
    /// The request's nonce (JWT claims).
    #[serde(default)]
    pub nonce: String,
    /// The signature is randomised (ES256): a signer's output is verified, not compared, and
    /// the vector's headers (made outside payspec) must verify.
    #[serde(default)]
    pub randomized: bool,
    /// The headers the scheme sets, by name.
    pub headers: BTreeMap<String, String>,
}

impl SignatureVector {
    /// The request, as a signature sees it.
    pub fn view(&self) -> crate::auth::RequestView<'_> {
        crate::auth::RequestView {
            method: &self.method,
            path: &self.path,
            path_and_query: &self.path,
            host: "",
            body: self.body.as_bytes(),
            timestamp: &self.timestamp,
            unix_seconds: self.unix_seconds,
            nonce: &self.nonce,
        }
    }

    /// Every credential of the profile: the vector's, else the demo value.
    pub fn credentials_of(&self, profile: &crate::Profile) -> BTreeMap<String, String> {
        profile
            .credentials
            .keys()
            .map(|name| {
                let value = self
                    .credentials
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| profile.demo_credential(name));
                (name.clone(), value)
            })
            .collect()
    }
}

/// A callback and whether it verifies.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbackVector {
    /// What it shows.
    pub name: String,
    /// The callback of vendor.yaml.
    pub callback: String,
    /// The key it is verified with (a callback with one key).
    #[serde(default)]
    pub key: Option<String>,
    /// The keys by name (a callback whose key a payload field chooses).
    #[serde(default)]
    pub keys: std::collections::BTreeMap<String, String>,
    /// The body as received.
    pub body: String,
    /// The delivery's headers (a webhook signed in a header).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The URL it was delivered to (signed by some vendors).
    #[serde(default)]
    pub url: Option<String>,
    /// The clock at verification, in seconds since the epoch (timestamps are checked against
    /// it).
    #[serde(default)]
    pub now: Option<u64>,
    /// Whether it is authentic.
    pub valid: bool,
    /// Other credentials the message names, by name (PayPal's webhook id).
    #[serde(default)]
    pub credentials: BTreeMap<String, String>,
    /// Where the vendor published it (`published-vectors.yaml`); none for the vectors
    /// scripts/webhook-vectors.py computes.
    #[serde(default)]
    pub source: Option<String>,
}

/// One vendor's vectors, with its profile.
#[cfg(feature = "vectors")]
#[derive(Debug, Clone)]
pub struct VendorVectors {
    /// The vendor directory.
    pub dir: std::path::PathBuf,
    /// Its `vendor.yaml`.
    pub profile: crate::Profile,
    /// Its `vectors.yaml`.
    pub vectors: Vectors,
}

/// The vectors of every vendor directory in the workspace (`specs/` and the corpus's
/// constructs), from a crate's manifest directory one level below the workspace root.
#[cfg(feature = "vectors")]
pub fn load_workspace(manifest_dir: &std::path::Path) -> Vec<VendorVectors> {
    let root = manifest_dir.join("..");
    let mut all = load_all(&root.join("specs"));
    all.extend(load_all(&root.join("corpus/vendors")));
    all
}

/// The vectors of every vendor under `specs` that has a `vectors.yaml` (and its
/// `published-vectors.yaml`: the vendor's own examples, each with its source). Panics on a
/// file that does not read: this is for tests.
#[cfg(feature = "vectors")]
pub fn load_all(specs: &std::path::Path) -> Vec<VendorVectors> {
    let read = |path: std::path::PathBuf| {
        std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
    };
    let mut all = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(specs)
        .unwrap_or_else(|e| panic!("{}: {e}", specs.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    dirs.sort();
    for dir in dirs {
        let computed = read(dir.join("vectors.yaml")).ok();
        if computed.is_none() && !dir.join("published-vectors.yaml").is_file() {
            continue;
        }
        let mut vectors: Vectors = computed.map_or_else(Vectors::default, |text| {
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        });
        // The vendors' own published examples, kept apart from the computed ones.
        if let Ok(text) = read(dir.join("published-vectors.yaml")) {
            let published: Vectors = serde_saphyr::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: published-vectors.yaml: {e}", dir.display()));
            for vector in &published.callbacks {
                assert!(vector.source.is_some(), "{}: no source", vector.name);
            }
            vectors.callbacks.extend(published.callbacks);
            vectors.signatures.extend(published.signatures);
        }
        let profile = read(dir.join("vendor.yaml")).unwrap_or_else(|e| panic!("{e}"));
        let profile =
            serde_saphyr::from_str(&profile).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        all.push(VendorVectors {
            dir,
            profile,
            vectors,
        });
    }
    all
}
