//! The vendors a command works with: those compiled into payspec, or those under `--specs DIR`
//! read at run time (a team's own vendors, tried before any Rust is written for them). A
//! vendor read at run time is called through `payspec_runtime::untyped`: the same pipeline,
//! with JSON in place of the generated types.

use std::path::Path;

use payspec_codegen::{OperationSummary, discover, load_vendor};
use payspec_runtime::{
    CallOutcome, CallRequest, Error, OperationMeta, ParamMeta, Settings, VendorEntry,
};

use crate::Failure;

/// The vendors of one run.
pub struct Catalog {
    entries: Vec<&'static VendorEntry>,
    /// Read at run time (no generated code to call).
    untyped: bool,
}

impl Catalog {
    /// The compiled vendors, or those under `specs` when given.
    pub fn open(specs: Option<&Path>) -> Result<Self, Failure> {
        match specs {
            None => Ok(Self {
                entries: payspec::VENDORS.to_vec(),
                untyped: false,
            }),
            Some(dir) => Self::load(dir),
        }
    }

    /// Every vendor directory under `dir`, checked as `payspec check` does.
    fn load(dir: &Path) -> Result<Self, Failure> {
        if !dir.is_dir() {
            return Err(Failure::usage(format!(
                "--specs {}: not a directory of vendor specs",
                dir.display()
            )));
        }
        let problems = |d: payspec_codegen::Diagnostics| Failure {
            code: 2,
            message: format!("the specs have problems:\n{}", d.render()),
        };
        let mut entries = Vec::new();
        for files in discover(dir).map_err(problems)? {
            let vendor = load_vendor(&files.dir).map_err(problems)?;
            let profile_json = serde_json::to_string(&vendor.profile).map_err(|e| {
                Failure::usage(format!(
                    "{}: cannot serialise vendor.yaml: {e}",
                    files.dir.display()
                ))
            })?;
            // One process reads its vendors once: leaking them gives the `'static` data the
            // compiled registry has, with memory bounded by the specs read.
            let entry = VendorEntry {
                name: leak(vendor.profile.vendor.clone()),
                title: leak(vendor.profile.title.clone()),
                profile_json: leak(profile_json),
                spec_json: leak(vendor.raw_spec.clone()),
                operations: Box::leak(vendor.operations.iter().map(operation_meta).collect()),
                degraded: Box::leak(
                    vendor
                        .warnings
                        .iter()
                        .map(|w| leak(format!("#{}: {}", w.pointer, w.message)))
                        .collect(),
                ),
                call: not_compiled,
                round_trip: |_, _, _| Err("read at run time: no generated types".to_owned()),
            };
            entries.push(&*Box::leak(Box::new(entry)));
        }
        Ok(Self {
            entries,
            untyped: true,
        })
    }

    /// The vendors.
    pub fn entries(&self) -> &[&'static VendorEntry] {
        &self.entries
    }

    /// The vendor called `name`, or a usage error with the closest names.
    pub fn find(&self, name: &str) -> Result<&'static VendorEntry, Failure> {
        if let Some(entry) = self.entries.iter().find(|e| e.name == name) {
            return Ok(entry);
        }
        let known: Vec<&str> = self.entries.iter().map(|v| v.name).collect();
        Err(Failure::usage(format!(
            "unknown vendor {name:?}{} (vendors: {})",
            did_you_mean(name, &known),
            known.join(", ")
        )))
    }

    /// Calls one operation of `entry`.
    pub async fn call(
        &self,
        entry: &'static VendorEntry,
        settings: Settings,
        request: CallRequest,
    ) -> Result<CallOutcome, Error> {
        if !self.untyped {
            return (entry.call)(settings, request).await;
        }
        let operation =
            entry
                .operation(&request.operation)
                .ok_or_else(|| Error::UnknownOperation {
                    vendor: entry.name.to_owned(),
                    operation: request.operation.clone(),
                })?;
        let profile = entry.profile()?;
        let runtime = payspec_runtime::Runtime::with_profile(profile, entry.operations, settings)?;
        payspec_runtime::untyped::call(&runtime, operation, &request).await
    }
}

impl Catalog {
    /// Every item of a paged list operation of `entry`, up to `max_items`, each handed to
    /// `each` as it arrives (scrubbed); the count delivered, or the error that ended the
    /// listing with how many items came before it.
    pub async fn list_all(
        &self,
        entry: &'static VendorEntry,
        settings: Settings,
        request: CallRequest,
        max_items: u64,
        mut each: impl FnMut(serde_json::Value),
    ) -> Result<u64, (u64, Error)> {
        use futures_util::StreamExt as _;
        let runtime = entry
            .operation(&request.operation)
            .ok_or_else(|| Error::UnknownOperation {
                vendor: entry.name.to_owned(),
                operation: request.operation.clone(),
            })
            .and_then(|operation| {
                let profile = entry.profile()?;
                let runtime =
                    payspec_runtime::Runtime::with_profile(profile, entry.operations, settings)?;
                Ok((runtime, operation))
            });
        let (runtime, operation) = runtime.map_err(|e| (0, e))?;
        let mut items =
            std::pin::pin!(payspec_runtime::untyped::pages(&runtime, operation, &request).items());
        let mut delivered = 0;
        while delivered < max_items {
            match items.next().await {
                None => break,
                Some(Ok(mut item)) => {
                    runtime.scrub_json(&mut item);
                    each(item);
                    delivered += 1;
                }
                Some(Err(error)) => return Err((delivered, error)),
            }
        }
        Ok(delivered)
    }
}

/// ` (did you mean "x"?)` when a known name is close to `given`, else nothing.
pub fn did_you_mean(given: &str, known: &[&str]) -> String {
    let given = given.replace('-', "_").to_ascii_lowercase();
    known
        .iter()
        .map(|k| {
            (
                strsim::damerau_levenshtein(&given, &k.to_ascii_lowercase()),
                *k,
            )
        })
        .filter(|(distance, k)| *distance <= (k.len() / 3).max(2))
        .min()
        .map(|(_, k)| format!(" (did you mean {k:?}?)"))
        .unwrap_or_default()
}

fn operation_meta(operation: &OperationSummary) -> OperationMeta {
    let params: Vec<ParamMeta> = operation
        .params
        .iter()
        .map(|p| ParamMeta {
            name: leak(p.name.clone()),
            location: p.location,
            required: p.required,
        })
        .collect();
    let supplied: Vec<&'static str> = operation
        .supplied_by_runtime
        .iter()
        .cloned()
        .map(leak)
        .collect();
    OperationMeta {
        id: leak(operation.id.clone()),
        method: leak(operation.method.clone()),
        path: leak(operation.path.clone()),
        summary: leak(operation.summary.clone()),
        params: Box::leak(params.into_boxed_slice()),
        body: operation.body,
        supplied_by_runtime: Box::leak(supplied.into_boxed_slice()),
        returns_body: operation.returns_body,
        server_group: operation.server_group.clone().map(leak),
        multipart: operation.multipart,
        form: operation.form,
        media: operation.media.clone().map(leak),
        idempotent: operation.idempotent,
        paged: operation.paged.is_some(),
    }
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

fn not_compiled(_: Settings, request: CallRequest) -> payspec_runtime::call::CallFuture {
    Box::pin(async move {
        Err(Error::InvalidRequest(format!(
            "{}: this vendor was read at run time; call it through payspec_runtime::untyped",
            request.operation
        )))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_are_suggested() {
        let known = ["onekey", "paywall", "rio"];
        assert_eq!(did_you_mean("onkey", &known), " (did you mean \"onekey\"?)");
        assert_eq!(did_you_mean("stripe", &known), "");
    }
}
