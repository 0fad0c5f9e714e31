#!/usr/bin/env bash
# clippy over the corpus crate (its hand-written tests, and the generated code under the lints
# the generated modules allow). .ci/run leaves this crate out of its clippy step because
# type-checking seventeen vendors' generated code costs about 18 minutes on 2 cores; run this
# before a submission that touches corpus/ or the generator.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo clippy -p payspec-corpus --all-targets -- -D warnings
