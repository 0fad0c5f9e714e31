# A corpus vendor.yaml without the list under `generate: operations:` (the sample the corpus
# crate compiles), so that every operation of the document is generated; auth's
# `operations:` and the rest of `generate:` stay, and `generate:` goes when nothing is left
# under it (an empty section is not a valid one).
/^[^ #]/ {
    in_generate = ($0 == "generate:")
    if (in_generate) { held = $0; next }
}
in_generate && /^  operations:/ { skipping = 1; next }
skipping && /^    - / { next }
{
    skipping = 0
    if (held != "" && /^  [^ #]/) { print held; held = "" }
    print
}
