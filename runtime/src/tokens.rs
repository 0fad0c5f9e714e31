//! The token store: per token provider of vendor.yaml, the current access and refresh tokens,
//! their expiry and a generation number; shared by clones of a client. One async mutex per
//! provider makes concurrent first calls wait for a single login (see [`crate::identity`]).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use payspec_profile::TokenProvider;
use secrecy::SecretString;

#[derive(Default)]
pub(crate) struct State {
    pub access: Option<SecretString>,
    pub refresh: Option<SecretString>,
    pub expires_at: Option<Instant>,
    pub generation: u64,
}

pub(crate) struct Provider {
    pub spec: TokenProvider,
    pub state: tokio::sync::Mutex<State>,
}

/// All token providers of a vendor; shared by clones of a client.
#[derive(Clone, Default)]
pub(crate) struct Tokens {
    pub providers: Arc<BTreeMap<String, Provider>>,
}

impl Tokens {
    pub(crate) fn new(specs: &BTreeMap<String, TokenProvider>) -> Self {
        let providers = specs
            .iter()
            .map(|(name, spec)| {
                let provider = Provider {
                    spec: spec.clone(),
                    state: Default::default(),
                };
                (name.clone(), provider)
            })
            .collect();
        Self {
            providers: Arc::new(providers),
        }
    }
}
