#!/usr/bin/env bash
# Schemathesis (PyPI) against `payspec sandbox`: schema-valid and invalid requests generated
# from each vendor's document, and every answer checked (scripts/schemathesis.toml): no 5xx, each
# response matches the document, and each schema-valid request with the vendor's credentials is
# accepted. Installs Schemathesis into target/schemathesis (a Python venv) when missing.
#
# Every vendor of ours, each with its documented auth: Rio and Paywall (header keys), CoinPool
# (a bearer token from the sandbox's login), xpays and OneKey (each exact body signed by
# scripts/schemathesis_hooks.py, written from the docs apart from payspec's signer; OneKey's
# login and pass inside the JSON body). The document given is the one `payspec spec` prints:
# the vendor's own with its overlays applied.
set -euo pipefail
cd "$(dirname "$0")/.."
version=4.32.5
venv=target/schemathesis
st="$venv/bin/st"
if [ ! -x "$st" ] || [ "$("$st" --version 2>/dev/null | awk '{print $NF}')" != "$version" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "schemathesis==$version"
fi
cargo build --quiet -p payspec-cli
log=$(mktemp)
docs=$(mktemp -d)
target/debug/payspec sandbox --port 0 >"$log" 2>&1 &
sandbox=$!
trap 'kill $sandbox 2>/dev/null || true; rm -rf "$log" "$docs"' EXIT
for _ in $(seq 1 100); do
    url=$(head -1 "$log" | awk '{print $NF}')
    case "$url" in http://*) break ;; esac
    sleep 0.1
done
case "${url:-}" in http://*) ;; *) echo "schemathesis: the sandbox did not start" >&2; exit 1 ;; esac

token=$(python3 - "$url" <<'PY'
import json, sys, urllib.request
body = json.dumps({"email": "demo@westminister.example", "password": "demo-westminister-password"}).encode()
request = urllib.request.Request(sys.argv[1] + "/westminister/api/v1/users/login", body, {"content-type": "application/json"})
print(json.load(urllib.request.urlopen(request))["access_token"])
PY
)

failed=0
# run VENDOR[/BASE-PATH] [schemathesis options]: the base path is the server URL's path (OneKey's
# /v3, and /v1 for its bank-codes group), under which the sandbox serves the vendor's paths.
run() {
    local vendor=${1%%/*} base=$1
    shift
    local out
    target/debug/payspec spec "$vendor" >"$docs/$vendor.json"
    out=$(PAYSPEC_ST_VENDOR=$vendor PYTHONPATH=scripts SCHEMATHESIS_HOOKS=schemathesis_hooks \
        "$st" --config-file scripts/schemathesis.toml run "$docs/$vendor.json" --url "$url/$base" "$@" \
        --max-examples 5 --seed 1 --no-color 2>&1) || failed=1
    echo "schemathesis $base: $(grep -E '[0-9]+ generated' <<<"$out" | sed 's/^ *//')"
    if grep -qE '^Failures:' <<<"$out"; then
        sed -n '/^=* FAILURES/,/^Failures:/p' <<<"$out" | head -150
        failed=1
    fi
}
run rio -H "x-api-key: demo-rio-api_key"
run westminister -H "Authorization: Bearer $token"
run xpays
run onekey/v3 --include-path-regex '^/cashout'
run onekey/v1 --include-path-regex '/authorized-banks'
run paywall -H "apikeypublic: demo-paywall-apikeypublic" -H "apiclientpublic: demo-paywall-apiclientpublic" \
    -H "apikeyprivate: demo-paywall-apikeyprivate" -H "apiclientprivate: demo-paywall-apiclientprivate"
exit $failed
