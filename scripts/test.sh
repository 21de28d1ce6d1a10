#!/usr/bin/env bash
# npm test: type-check, build the app, then run unit, integration and
# end-to-end tests in one Vitest run. The tests start their own Postgres
# (embedded-postgres), object store and app server; the browser is Debian's
# Chromium, installed here when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

chromium_bin="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium_bin" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the end-to-end tests…"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    echo "End-to-end tests need Chromium at $chromium_bin: run 'sudo apt-get install chromium' or set CHROMIUM_PATH." >&2
    exit 1
  fi
fi

npx tsc --noEmit
npx next build > .next-build.log 2>&1 || { cat .next-build.log; exit 1; }
npx vitest run "$@"
