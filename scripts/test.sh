#!/usr/bin/env bash
# npm test: lint and format check (Biome, with the layer import rules), type-check, build the app, then run unit, integration and
# end-to-end tests in one Vitest run. The tests start their own Postgres
# (embedded-postgres), object store and app server; the browser is Debian's
# Chromium and the ledger interop checker is built with Debian's Go, both installed here when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

# Debian packages the tests drive for real: Chromium (end-to-end), slapd (LDAP connector) and Go (ledger interop).
chromium_bin="${CHROMIUM_PATH:-/usr/bin/chromium}"
missing=()
[ -x "$chromium_bin" ] || missing+=(chromium)
[ -x /usr/sbin/slapd ] || missing+=(slapd)
command -v ldapmodify >/dev/null || missing+=(ldap-utils)
# Go's own signed-note and tlog code (tests/interop) checks our checkpoints and proofs.
command -v go >/dev/null || missing+=(golang-go)
[ -d /usr/share/gocode/src/golang.org/x/mod/sumdb ] || missing+=(golang-golang-x-mod-dev)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian packages for the tests: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "The tests need these Debian packages: ${missing[*]} (sudo apt-get install ${missing[*]})." >&2
    exit 1
  fi
fi

npx biome check .
npx tsc --noEmit
npx next build > .next-build.log 2>&1 || { cat .next-build.log; exit 1; }
npx vitest run "$@"
