#!/usr/bin/env bash
# run-tests.sh - run every shucu test suite and add up the results.
#
# Suites, in order: each C unit-test binary in build/asan/tests/ (built under
# ASan+UBSan by `make test-build`), the black-box HTTP tests
# (tests/api/run.py), then the SUITES below whose runner file exists.  Every
# suite prints "N passed, N failed" as its last count line; a suite that
# crashes, exits non-zero with no failure counted, or prints no such line
# counts as one failure under its own name.  Output streams as it runs; the
# summary ends with exactly one "N passed, N failed" line, the totals, and
# the exit status is non-zero if anything failed.
#
#   bash scripts/run-tests.sh            run everything
#   SHUCUD=build/shucud bash scripts/... run the HTTP tests against another binary

# Further suites: "name|runner file|command".  Run only if the file exists.
SUITES=(
    "cli|tests/cli/run.py|/usr/bin/python3 tests/cli/run.py"
    "web|tests/web/run.sh|bash tests/web/run.sh"
    "fuzz|scripts/run-fuzz.sh|bash scripts/run-fuzz.sh ${FUZZ_TEST_SECONDS:-30} build/fuzz/fuzz_*"
)

set -u
cd "$(dirname "$0")/.." || exit 1

PY=/usr/bin/python3
TOTAL_PASSED=0
TOTAL_FAILED=0
SUMMARY=()
OUT=$(mktemp -t shucu-suite.XXXXXX)
trap 'rm -f "$OUT"' EXIT

# run_suite NAME CMD... : run one suite, stream and capture its output, and
# add its counts to the totals.
run_suite() {
    local name=$1
    shift
    echo "=== $name: $*"
    "$@" 2>&1 | tee "$OUT"
    local rc=${PIPESTATUS[0]}
    local line passed failed note=""
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$OUT" | tail -n 1)
    if [ -z "$line" ]; then
        passed=0
        failed=1
        note=" (no \"N passed, N failed\" line; exit $rc)"
    else
        passed=${line%% passed*}
        failed=${line#*, }
        failed=${failed%% failed*}
        if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
            failed=1
            note=" (exit $rc with no failure counted)"
        fi
    fi
    TOTAL_PASSED=$((TOTAL_PASSED + passed))
    TOTAL_FAILED=$((TOTAL_FAILED + failed))
    SUMMARY+=("$(printf '%-28s %d passed, %d failed%s' "$name" "$passed" "$failed" "$note")")
}

# C unit tests, under the sanitizers.
if [ -d build/asan/tests ]; then
    for t in build/asan/tests/*; do
        case $t in *.d | *.o | *.dSYM) continue ;; esac
        if [ ! -f "$t" ] || [ ! -x "$t" ]; then continue; fi
        run_suite "unit/$(basename "$t")" env \
            ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            "$t"
    done
else
    echo "=== no build/asan/tests: no C unit tests run"
fi

# Black-box HTTP tests.
run_suite "api" "$PY" tests/api/run.py

# Later suites.
for s in "${SUITES[@]}"; do
    IFS='|' read -r name file cmd <<<"$s"
    if [ -f "$file" ]; then
        # shellcheck disable=SC2086 # cmd is a word list by design
        run_suite "$name" $cmd
    fi
done

echo
echo "=== summary"
for l in "${SUMMARY[@]}"; do
    echo "  $l"
done
echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
[ "$TOTAL_FAILED" -eq 0 ]
