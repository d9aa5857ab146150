#!/usr/bin/env bash
# run-fuzz.sh SECONDS FUZZER... - run each libFuzzer target for SECONDS.
# Corpora live in tests/fuzz/corpus/<target>/ (kept between runs, seeded
# from the committed files); crashes are saved in build/fuzz/crashes/ and
# turn into regression inputs under tests/fuzz/regress/<target>/, which
# every run replays first.  Prints "N passed, N failed" (one per target).
set -u
cd "$(dirname "$0")/.." || exit 1
secs=${1:-60}
shift
passed=0
failed=0
mkdir -p build/fuzz/crashes build/fuzz/logs
for bin in "$@"; do
  name=$(basename "$bin")
  corpus=build/fuzz/corpus/$name
  mkdir -p "$corpus"
  [ -d "tests/fuzz/corpus/$name" ] && cp -n tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null
  regress=tests/fuzz/regress/$name
  ok=1
  if [ -d "$regress" ] && [ -n "$(ls -A "$regress" 2>/dev/null)" ]; then
    "$bin" -runs=0 "$regress" >/dev/null 2>build/fuzz/logs/$name.regress.log || ok=0
  fi
  if [ $ok = 1 ]; then
    echo "fuzz $name: ${secs}s"
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix=build/fuzz/crashes/"$name"- "$corpus" \
      >build/fuzz/logs/$name.log 2>&1 || ok=0
    tail -n 1 build/fuzz/logs/$name.log
  fi
  if [ $ok = 1 ]; then
    echo "ok   fuzz/$name"
    passed=$((passed + 1))
  else
    echo "FAIL fuzz/$name (see build/fuzz/logs/$name.log; crash inputs in build/fuzz/crashes/)"
    tail -n 30 build/fuzz/logs/$name.log build/fuzz/logs/$name.regress.log 2>/dev/null
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ $failed = 0 ]
