#!/usr/bin/env bash
# Every operation of every published document in the corpus but Stripe's (scripts/stripe-full.sh
# builds that one), generated as a crate of its own with all its resource features and
# type-checked. The corpus crate compiles a sample of the large ones (Plaid, Coinbase); this
# shows that the whole of each compiles (whole Plaid once did not: two of its schemas were
# each defined twice). Run by .ci/run after the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/whole-specs.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
vendors=()
for dir in "$realspecs"/*/; do
    vendor=$(basename "$dir")
    [ "$vendor" = stripe ] || vendors+=("$vendor")
done
whole_specs "$work/specs" "${vendors[@]}"
cargo run --quiet -p payspec-cli -- generate --crate "$work/crates" --specs "$work/specs" \
    --runtime-path "$PWD/runtime" >/dev/null
for vendor in "${vendors[@]}"; do
    echo "== $vendor, every operation"
    cp Cargo.lock "$work/crates/$vendor/"
    cargo check --quiet --manifest-path "$work/crates/$vendor/Cargo.toml" --target-dir target
done
