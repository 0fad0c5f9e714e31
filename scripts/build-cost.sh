#!/usr/bin/env bash
# The build cost of the `payspec` crate for a user: every vendor (the default) against one
# vendor, and the rebuild after an edit of one spec. Dependencies are built first, so the
# figures are payspec's own (build script: load, check, generate; then rustc). Debug profile,
# as during development. Prints a table; BENCHMARKS.md records one run.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"

ms() { local start; start=$(date +%s%N); "$@" >/dev/null 2>&1; echo $(( ($(date +%s%N) - start) / 1000000 )); }
out_dir() { ls -td "$CARGO_TARGET_DIR"/debug/build/payspec-*/out | head -1; }

cargo build -p payspec --quiet
cargo build -p payspec --no-default-features --features rio --quiet

cargo clean -p payspec --quiet
all=$(ms cargo build -p payspec)
cargo clean -p payspec --quiet
one=$(ms cargo build -p payspec --no-default-features --features rio)

# An edit of one spec (a comment appended, then removed): only that vendor is generated again.
cargo build -p payspec --quiet
cp specs/rio/openapi.yaml /tmp/payspec-rio-spec.bak
echo "# edited for the build-cost measurement" >> specs/rio/openapi.yaml
incremental=$(ms cargo build -p payspec)
regenerated=$(tr '\n' ' ' < "$(out_dir)/regenerated.txt")
cp /tmp/payspec-rio-spec.bak specs/rio/openapi.yaml
cargo build -p payspec --quiet

printf 'build of payspec (deps prebuilt)\tms\n'
printf 'clean, all five vendors\t%s\n' "$all"
printf 'clean, rio only (--no-default-features --features rio)\t%s\n' "$one"
printf 'after editing specs/rio/openapi.yaml\t%s (regenerated: %s)\n' "$incremental" "$regenerated"
