# Sourced by scripts that generate corpus vendors whole. `whole_specs DIR VENDOR…` lays out
# DIR/<vendor>/ for `payspec generate --specs DIR`: the vendor's published document from
# ../shared/realspecs, the corpus's vendor.yaml without its sample list (every operation is
# generated), and the corpus's overlays. Run from the checkout's root.

realspecs=../shared/realspecs

# The vendor's published document (openapi.json or openapi.yaml).
published_document() { ls "$realspecs/$1"/openapi.{json,yaml} 2>/dev/null | head -1; }

whole_specs() {
    local specs=$1 vendor
    shift
    for vendor in "$@"; do
        mkdir -p "$specs/$vendor"
        cp "$(published_document "$vendor")" "$specs/$vendor/"
        awk -f scripts/lib/without-sample.awk "corpus/vendors/$vendor/vendor.yaml" \
            >"$specs/$vendor/vendor.yaml"
        if [ -d "corpus/vendors/$vendor/overlays" ]; then
            cp -r "corpus/vendors/$vendor/overlays" "$specs/$vendor/"
        fi
    done
}
