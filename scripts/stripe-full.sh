#!/usr/bin/env bash
# Every one of Stripe's 415 operations, generated from ../shared/realspecs/stripe with the
# corpus's vendor.yaml minus its `generate.operations` sample, and built (debug) as a crate of
# its own with the workspace's Cargo.lock: with all its resource features, then with one
# alone (PaymentIntents built, every other resource type-checked). The corpus crate compiles the sample and calls it against the sandbox; this shows
# that the whole document compiles (BENCHMARKS.md has the times). Run by .ci/run after the
# tests.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. scripts/lib/whole-specs.sh
whole_specs "$work/specs" stripe
if grep -q "^    - post_customers" "$work/specs/stripe/vendor.yaml"; then
    echo "the sample list is still in the vendor.yaml" >&2
    exit 1
fi
cargo run --quiet -p payspec-cli -- generate --crate "$work/crates" --specs "$work/specs" \
    --runtime-path "$PWD/runtime"
cp Cargo.lock "$work/crates/stripe/"
# Every resource (the `full` feature, the default), then PaymentIntents alone: a user who needs
# one resource compiles that one (its fields holding other resources' objects as JSON).
cargo build --manifest-path "$work/crates/stripe/Cargo.toml" --target-dir target
cargo build --manifest-path "$work/crates/stripe/Cargo.toml" --target-dir target \
    --no-default-features --features payment_intents
# Every other resource alone, type-checked: each resource feature enables the sets of
# resources (`_any_…`) its types compile under, and a set it missed would fail here.
resources=$(awk '/^\[features\]/ { on = 1; next } on && /^[a-z0-9]/ { print $1 }' \
    "$work/crates/stripe/Cargo.toml" | grep -vx -e default -e full -e payment_intents)
for resource in $resources; do
    cargo check --quiet --manifest-path "$work/crates/stripe/Cargo.toml" --target-dir target \
        --no-default-features --features "$resource"
done
echo "every one of Stripe's $(( $(wc -w <<<"$resources") + 1 )) resources compiles alone"
