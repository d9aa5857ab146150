#!/usr/bin/env bash
# tests/web/run.sh - browser tests of the web console (clients/web).
#
# Drives Debian's chromium through playwright-core (from npm, installed by
# `make`: npm ci) against a shucud of its own: a free port, a fresh
# database, demo data.  Prints one line per test and, last, the totals as
# "N passed, N failed"; exits non-zero when anything failed.  Screenshots
# of each page go to build/screenshots/ (SHUCU_SCREENSHOTS=docs: to the
# tracked docs/screenshots/ shown in the README, as `make screenshots` does).
#
#   bash tests/web/run.sh               run every test
#   bash tests/web/run.sh search        only tests whose name contains "search"
#   SHUCUD=build/asan/shucud bash ...   use another server binary
#   SHUCU_DEMO_DIR=/none bash ...       no demo data: keys from the CLI, resources via the API
#   SHUCU_SCREENSHOTS=docs bash ...     screenshots into docs/screenshots/ (for the README)
set -u
cd "$(dirname "$0")/../.." || exit 1

fail() {
    echo "web: $1"
    echo "0 passed, 1 failed"
    exit 1
}
SHUCUD=${SHUCUD:-build/shucud}
[ -x "$SHUCUD" ] || fail "$SHUCUD is missing: run make"
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing: run make deps (Debian package chromium)"
command -v node >/dev/null 2>&1 || fail "node is missing: run make deps (Debian package nodejs)"
[ -f node_modules/playwright-core/package.json ] || fail "node_modules/playwright-core is missing: run make (npm ci)"
[ -f clients/web/vendor/echarts.min.js ] || fail "clients/web/vendor/echarts.min.js is missing: run make"

SHUCUD=$SHUCUD exec node tests/web/run.mjs "$@"
