//! What vendor.yaml says about calling one operation, worked out once when the client is
//! built rather than looked up on every request: the scheme it is signed with (and whether
//! that scheme needs tokens or a nonce), whether it may be retried, and whether its request
//! must be kept for another attempt.

use std::collections::BTreeMap;

use payspec_profile::{Profile, RedirectPolicy, Scheme};

use crate::call::OperationMeta;
use crate::identity::TOKEN_CALL;

/// One auth scheme of the profile, with what its headers need.
#[derive(Debug)]
pub(crate) struct SchemePlan {
    pub scheme: Scheme,
    /// It sends a bearer token the runtime obtains.
    pub uses_token: bool,
    /// It sends a JWT (whose claims may take a nonce).
    pub jwt: bool,
}

/// How one operation is called.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    pub operation: &'static OperationMeta,
    /// Its scheme, as an index into [`Plans::schemes`]; `None` when it is sent unsigned (and
    /// for a token call outside the spec, which carries its own headers).
    pub scheme: Option<usize>,
    pub may_retry: bool,
    /// Another attempt may follow one (a retry, a fresh token, a redirect): the prepared
    /// request is kept and each attempt sends a copy.
    pub may_repeat: bool,
}

/// Every operation's plan, and the schemes they refer to.
#[derive(Debug)]
pub(crate) struct Plans {
    pub schemes: Vec<SchemePlan>,
    pub operations: BTreeMap<&'static str, Plan>,
}

impl Plans {
    /// The plans of a vendor's operations under `profile`.
    pub fn new(profile: &Profile, operations: &'static [OperationMeta]) -> Self {
        let schemes = profile
            .auth
            .schemes
            .values()
            .map(|scheme| SchemePlan {
                scheme: scheme.clone(),
                uses_token: scheme.uses_token(),
                jwt: payspec_profile::jwt::in_scheme(scheme),
            })
            .collect();
        let mut plans = Plans {
            schemes,
            operations: BTreeMap::new(),
        };
        for operation in operations {
            let plan = plans.plan(profile, operation);
            plans.operations.insert(operation.id, plan);
        }
        plans
    }

    /// The plan of an operation, listed or not (a token call outside the spec).
    pub fn plan(&self, profile: &Profile, operation: &'static OperationMeta) -> Plan {
        let scheme = (operation.id != TOKEN_CALL)
            .then(|| profile.scheme_for(operation.id))
            .flatten()
            .and_then(|chosen| {
                // The index of the profile's own scheme (the same map, in the same order).
                profile
                    .auth
                    .schemes
                    .values()
                    .position(|scheme| std::ptr::eq(scheme, chosen))
            });
        // A write sent with an idempotency key cannot act twice: retried as a GET is (unless
        // vendor.yaml's `retry:` names it).
        let keyed = operation.idempotent
            && profile.idempotency.is_some()
            && !profile.retry.contains_key(operation.id);
        let may_retry = keyed || profile.may_retry(operation.id, operation.method);
        let may_repeat = may_retry
            || scheme.is_some_and(|i| self.schemes[i].uses_token)
            || profile.redirects != RedirectPolicy::Refuse;
        Plan {
            operation,
            scheme,
            may_retry,
            may_repeat,
        }
    }

    /// The scheme of a plan.
    pub fn scheme_of(&self, plan: &Plan) -> Option<&SchemePlan> {
        plan.scheme.map(|i| &self.schemes[i])
    }
}
