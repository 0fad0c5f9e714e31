#!/usr/bin/env bash
# payspec's generated crate beside openapi-to-rust's for the same published document: generated
# lines and `cargo check` (time, peak memory), dependencies prebuilt, one target directory, the
# two checks back to back (openapi-to-rust's first). Not run by CI (about a minute per document
# on this machine); BENCHMARKS.md records its output.
#
#   scripts/compare-o2r.sh [VENDOR…]   (default: every corpus vendor with a published document)
#
# payspec: the corpus's vendor.yaml (without its sample list: every operation) and overlays,
# `payspec generate --crate`, every resource feature on. openapi-to-rust: the document as
# published, `openapi-to-rust generate DOC --output-dir src/generated`, its REQUIRED_DEPS.toml
# as the crate's dependencies. Needs openapi-to-rust 0.23.0 on PATH
# (`cargo install --locked openapi-to-rust --version 0.23.0`) and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_INCREMENTAL=0
target="$PWD/target"
. scripts/lib/whole-specs.sh
vendors=("$@")
if [ ${#vendors[@]} -eq 0 ]; then
    for dir in "$realspecs"/*/; do
        vendors+=("$(basename "$dir")")
    done
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# payspec's crates, all vendors in one run of the generator.
whole_specs "$work/specs" "${vendors[@]}"
cargo run --quiet -p payspec-cli -- generate --crate "$work/payspec" --specs "$work/specs" \
    --runtime-path "$PWD/runtime" >/dev/null

# openapi-to-rust's crate for one vendor; false when it refuses the document.
o2r_crate() {
    local vendor=$1 dir="$work/o2r/$1"
    mkdir -p "$dir/src"
    if ! openapi-to-rust generate "$(published_document "$vendor")" --output-dir "$dir/src/generated" \
        --quiet >"$dir/refused.txt" 2>&1; then
        return 1
    fi
    {
        printf '[package]\nname = "%s-o2r"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n' \
            "${vendor//_/-}"
        grep -v '^#' "$dir/src/generated/REQUIRED_DEPS.toml"
    } >"$dir/Cargo.toml"
    printf '#![allow(warnings)]\npub mod generated;\n' >"$dir/src/lib.rs"
}

# `cargo check` of a crate after its own sources changed: "seconds GB".
check() {
    touch "$1/src/lib.rs"
    /usr/bin/time -f "%e %M" -o "$work/time.txt" \
        cargo check --quiet --manifest-path "$1/Cargo.toml" --target-dir "$target" >/dev/null 2>&1
    awk '{ printf "%.1f %.2f", $1, $2 / 1048576 }' "$work/time.txt"
}

lines() { cat "$@" | wc -l; }

printf '| document | openapi-to-rust lines | payspec lines | openapi-to-rust `cargo check` | payspec `cargo check` | ratio (time, memory) |\n'
printf '| --- | --- | --- | --- | --- | --- |\n'
for vendor in "${vendors[@]}"; do
    ours="$work/payspec/$vendor"
    cp Cargo.lock "$ours/"
    cargo check --quiet --manifest-path "$ours/Cargo.toml" --target-dir "$target" >/dev/null
    ours_lines=$(lines "$ours/src/lib.rs")
    if ! o2r_crate "$vendor"; then
        read -r ours_s ours_gb <<<"$(check "$ours")"
        why=$(grep -m1 -i "error" "$work/o2r/$vendor/refused.txt" | tr '|' '/' | cut -c1-120)
        printf '| %s | refused: %s | %s | | %s s, %s GB | |\n' "$vendor" "$why" "$ours_lines" "$ours_s" "$ours_gb"
        continue
    fi
    theirs="$work/o2r/$vendor"
    if ! cargo check --quiet --manifest-path "$theirs/Cargo.toml" --target-dir "$target" \
        >"$theirs/errors.txt" 2>&1; then
        read -r ours_s ours_gb <<<"$(check "$ours")"
        errors=$(grep -c '^error' "$theirs/errors.txt" || true)
        printf '| %s | does not compile (%s errors) | %s | | %s s, %s GB | |\n' "$vendor" "$errors" "$ours_lines" "$ours_s" "$ours_gb"
        continue
    fi
    theirs_lines=$(lines "$theirs"/src/generated/*.rs)
    read -r theirs_s theirs_gb <<<"$(check "$theirs")"
    read -r ours_s ours_gb <<<"$(check "$ours")"
    ratio=$(awk -v a="$ours_s" -v b="$theirs_s" -v c="$ours_gb" -v d="$theirs_gb" \
        'BEGIN { printf "%.2f, %.2f", a / b, c / d }')
    printf '| %s | %s | %s | %s s, %s GB | %s s, %s GB | %s |\n' "$vendor" "$theirs_lines" \
        "$ours_lines" "$theirs_s" "$theirs_gb" "$ours_s" "$ours_gb" "$ratio"
done
