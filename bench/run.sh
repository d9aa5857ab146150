#!/usr/bin/env bash
# bench/run.sh - shucu's benchmark suite (`make bench` runs it after building
# build/shucud).  It regenerates docs/benchmarks.md and docs/plots/*.png from
# what it measures; raw results stay in bench/out/ (git-ignored).
#
#   bash bench/run.sh                                   10k and 100k resources
#   BENCH_SIZES="10000 100000 1000000" bash bench/run.sh   adds 1M (slow: ~1 h)
#
# Knobs (environment):
#   BENCH_SIZES         corpus sizes                          "10000 100000"
#   BENCH_PASSES        passes of every latency measurement   3 (medians over passes)
#   BENCH_REPS          search: times each query is sent per pass       10
#   BENCH_MATCH_REPS    match: times each need is sent per pass          5
#   BENCH_REPS_LARGE, BENCH_MATCH_REPS_LARGE   the same above 100k        5, 3
#   BENCH_IMPORT_RUNS   bulk imports per size (1 above 100k)             3
#   BENCH_WRK_RUNS      runs of each wrk measurement                     3
#   BENCH_WRK_SECONDS   duration of one wrk run                          10
#   BENCH_WRK_CONNS     wrk connections (one wrk thread)                 32
#   BENCH_PEERS         peer search engines (bench/peers/)   "groonga sphinx postgres"
#   BENCH_PEER_SIZES    sizes that get the Groonga and Sphinx peers      all sizes
#   BENCH_PG_SIZES      sizes that also get the PostgreSQL peer  the sizes <= 100000
#   BENCH_ENTERPRISES   enterprise files for the assessment section
#                       (with 3 assessments each)   the largest size, at most 100000
#   BENCH_WORK          scratch directory (corpora, databases)  /tmp/shucu-bench
#   BENCH_KEEP=1        keep BENCH_WORK afterwards
#   SOAK_SECONDS        the soak at the end (bench/soak.sh); 0 skips it   300
#
# Everything runs on this machine and talks over loopback (or a Unix socket
# for PostgreSQL); every loop is bounded by a request count or a duration.
# The servers it starts (shucud, redis-server, the two ceilings, and the
# peers: a private PostgreSQL, groonga-httpd, searchd) are stopped by PID when
# it exits, however it exits.  A peer whose Debian packages cannot be
# installed is skipped, with a note in the report.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
SIZES=${BENCH_SIZES:-"10000 100000"}
PASSES=${BENCH_PASSES:-3}
REPS=${BENCH_REPS:-10}
MATCH_REPS=${BENCH_MATCH_REPS:-5}
REPS_LARGE=${BENCH_REPS_LARGE:-5}
MATCH_REPS_LARGE=${BENCH_MATCH_REPS_LARGE:-3}
IMPORT_RUNS=${BENCH_IMPORT_RUNS:-3}
WRK_RUNS=${BENCH_WRK_RUNS:-3}
WRK_SECONDS=${BENCH_WRK_SECONDS:-10}
WRK_CONNS=${BENCH_WRK_CONNS:-32}
WORK=${BENCH_WORK:-/tmp/shucu-bench}
SEED=2026       # corpus seed
NEED_SEED=4242  # needs seed
PROVIDER="基准测试供应商"
OUT=$ROOT/bench/out
RES=$OUT/results
BIN=$OUT/bin
SHUCUD=$ROOT/build/shucud
PY=/usr/bin/python3   # scripts/gen_corpus.py's interpreter
PEERS=${BENCH_PEERS-"groonga sphinx postgres"}
PEER_SIZES=${BENCH_PEER_SIZES:-$SIZES}
if [ -z "${BENCH_PG_SIZES+x}" ]; then
  BENCH_PG_SIZES=""
  for n in $SIZES; do [ "$n" -le 100000 ] && BENCH_PG_SIZES="$BENCH_PG_SIZES $n"; done
fi

say() { printf '\n== %s  [%s, load %s]\n' "$*" "$(date +%H:%M:%S)" "$(cut -d' ' -f1-3 /proc/loadavg)"; }
die() { echo "bench/run.sh: $*" >&2; exit 1; }
# phase name -> load average when it started (for the doc)
phase() { say "$*"; printf '%s\t%s\t%s\n' "$*" "$(date +%s)" "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$RES/phases.tsv"; }

# ---------------------------------------------------------------------------
# 1. Tools.  Benchmark-only packages are installed here, not by deps.sh.
# ---------------------------------------------------------------------------
source "$ROOT/bench/peers/peers.sh"
for x in $PEERS; do
  case $x in groonga|sphinx|postgres) ;; *) die "BENCH_PEERS: unknown peer '$x' (groonga, sphinx, postgres)" ;; esac
done
need_pkgs=()
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
chk() { installed "$1" || need_pkgs+=("$1"); }
for p in wrk gnuplot-nox redis-server sqlite3 valgrind libevent-dev \
         libhiredis-dev libjansson-dev libsqlite3-dev python3 make gcc pkg-config; do
  chk "$p"
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    die "missing Debian packages for the benchmarks: ${need_pkgs[*]} (as root: apt-get install ${need_pkgs[*]})"
  fi
  echo "bench/run.sh: installing the benchmark's Debian packages: ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi
# The peers' packages: one that cannot be installed skips its peer.
peer_missing=()
for x in $PEERS; do
  for p in $(peer_pkgs "$x"); do installed "$p" || peer_missing+=("$p"); done
done
if [ ${#peer_missing[@]} -gt 0 ] && [ "$(id -u)" -eq 0 ]; then
  echo "bench/run.sh: installing the peers' Debian packages: ${peer_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  [ ${#need_pkgs[@]} -gt 0 ] || apt-get update -qq || true
  if ! apt-get install -y -qq --no-install-recommends "${peer_missing[@]}" >/dev/null; then
    for p in "${peer_missing[@]}"; do  # one at a time: keep what can be had
      apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 || echo "bench/run.sh: cannot install $p"
    done
  fi
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$SHUCUD" ] || die "$SHUCUD is missing: run 'make bench' (it builds it first)"
make --no-print-directory -C bench >/dev/null

rm -rf "$RES"
mkdir -p "$RES" "$WORK"
: > "$RES/phases.tsv"
# which peers run, and why any does not: read by report.py
ACTIVE_PEERS=""
{
  echo "peers=$PEERS"
  for x in $PEERS; do
    why=$(peer_ready "$x")
    missing=""
    for p in $(peer_pkgs "$x"); do installed "$p" || missing="$missing $p"; done
    if [ -n "$why" ]; then
      echo "skip_$x=$why${missing:+; not installed:$missing}"
      echo "bench/run.sh: skipping the $x peer: $why" >&2
    else
      ACTIVE_PEERS="$ACTIVE_PEERS $x"
    fi
  done
  echo "active=$ACTIVE_PEERS"
} > "$RES/peers.txt"
peer_on() { case " $ACTIVE_PEERS " in *" $1 "*) return 0 ;; esac; return 1; }

# ---------------------------------------------------------------------------
# Process bookkeeping: everything started is stopped by PID on exit.
# ---------------------------------------------------------------------------
PIDS=()
PGDATA_DIR=""
PGSOCK_DIR=""
cleanup() {
  set +e
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  if [ -n "$PGDATA_DIR" ] && [ -d "$PGDATA_DIR" ]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA_DIR" stop -m fast >/dev/null 2>&1
    rm -rf "$(dirname "$PGDATA_DIR")"
  fi
  [ -n "$PGSOCK_DIR" ] && rm -rf "$PGSOCK_DIR"
  if [ "${BENCH_KEEP:-0}" != 1 ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The load while the benchmark runs: every 15 s, the 1-minute load average and
# the three busiest processes (bounded: it stops when this script does).
(
  while kill -0 $$ 2>/dev/null; do
    printf '%s\t%s\t%s\n' "$(date +%s)" "$(cut -d' ' -f1 /proc/loadavg)" \
      "$(top -bn1 -o %CPU 2>/dev/null | sed -n '8,10p' | awk '{printf "%s:%s ", $12, $9}')" >> "$RES/load.tsv"
    sleep 15
  done
) &
PIDS+=("$!")

stop_pid() { # stops one process we started
  local pid=$1
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  local keep=()
  for p in "${PIDS[@]}"; do [ "$p" != "$pid" ] && keep+=("$p"); done
  PIDS=("${keep[@]+"${keep[@]}"}")
}

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_http() { # wait_http PORT PATH: up to 20 s
  for _ in $(seq 200); do
    curl -fs -o /dev/null "http://127.0.0.1:$1$2" && return 0
    sleep 0.1
  done
  die "nothing answers on 127.0.0.1:$1$2"
}

SHUCUD_PID=""
SHUCUD_PORT=""
start_shucud() { # start_shucud DB REDIS_URL
  SHUCUD_PORT=$(free_port)
  "$SHUCUD" serve --db "$1" --redis "$2" --workers 1 --listen "127.0.0.1:$SHUCUD_PORT" \
    >>"$WORK/shucud.log" 2>&1 &
  SHUCUD_PID=$!
  PIDS+=("$SHUCUD_PID")
  wait_http "$SHUCUD_PORT" /healthz
}

cpu_ticks() { # user + system CPU time of a process, in clock ticks
  awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# run_wrk OUTFILE URL [wrk args...]: WRK_RUNS bounded runs, one JSON line each.
# CPU_OF="name:pid ..." also records those processes' CPU time over the runs
# (OUTFILE with .cpu instead of .jsonl: name=ticks, plus ticks_per_s).
run_wrk() {
  local out=$1 url=$2
  shift 2
  local before=() np
  for np in ${CPU_OF:-}; do before+=("$(cpu_ticks "${np#*:}")"); done
  for _ in $(seq "$WRK_RUNS"); do
    timeout $((WRK_SECONDS + 30)) wrk -t1 -c"$WRK_CONNS" -d"${WRK_SECONDS}s" --timeout 10s --latency \
      "$@" "$url" | grep '^WRK_JSON ' | sed 's/^WRK_JSON //' >> "$out"
  done
  local i=0 cpu=${out%.jsonl}.cpu
  echo "ticks_per_s=$(getconf CLK_TCK)" > "$cpu"
  for np in ${CPU_OF:-}; do
    echo "${np%%:*}=$(( $(cpu_ticks "${np#*:}") - ${before[$i]} ))" >> "$cpu"
    i=$((i + 1))
  done
}

# ---------------------------------------------------------------------------
# 2. The machine and versions.
# ---------------------------------------------------------------------------
phase "machine"
{
  echo "cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
  echo "cores=$(nproc)"
  echo "mem_gib=$(awk '/MemTotal/ {printf "%.1f", $2/1048576}' /proc/meminfo)"
  echo "kernel=$(uname -sr)"
  echo "os=$(. /etc/os-release; echo "$PRETTY_NAME")"
  echo "started=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "uptime_start=$(uptime | sed 's/^ *//')"
  echo "shucud=$("$SHUCUD" version)"
  echo "sqlite=$(pkg-config --modversion sqlite3)"
  echo "libevent=$(pkg-config --modversion libevent)"
  echo "hiredis=$(pkg-config --modversion hiredis)"
  echo "redis=$(redis-server --version | sed 's/^Redis server //; s/ sha=.*//')"
  peer_on postgres && echo "postgresql=$("$PGBIN/postgres" --version)"
  peer_on groonga && echo "groonga=$(groonga --version | head -1 | sed 's/ \[.*//')"
  peer_on sphinx && echo "sphinx=$(searchd --help 2>&1 | head -1 | sed 's/ (.*//')"
  peer_on sphinx && echo "mariadb_client=$(mariadb_config --version 2>/dev/null)"
  echo "wrk=$(wrk -v 2>&1 | head -1 | sed 's/ \[.*//')"
  echo "gnuplot=$(gnuplot --version)"
  echo "cc=$(cc --version | head -1)"
  echo "git=$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet 2>/dev/null || echo '+local changes')"
  echo "sizes=$SIZES"
  echo "pg_sizes=$BENCH_PG_SIZES"
  echo "peers=$ACTIVE_PEERS"
  echo "peer_sizes=$PEER_SIZES"
  echo "passes=$PASSES"
  echo "reps=$REPS"
  echo "match_reps=$MATCH_REPS"
  echo "reps_large=$REPS_LARGE"
  echo "match_reps_large=$MATCH_REPS_LARGE"
  echo "import_runs=$IMPORT_RUNS"
  echo "wrk_runs=$WRK_RUNS"
  echo "wrk_seconds=$WRK_SECONDS"
  echo "wrk_conns=$WRK_CONNS"
} > "$RES/machine.txt"
top -bn1 | head -20 > "$RES/top_start.txt" || true
cat "$RES/machine.txt"

# ---------------------------------------------------------------------------
# 3. Inputs shared by every size.
# ---------------------------------------------------------------------------
QUERIES=$ROOT/bench/queries.txt
[ "$(grep -c . "$QUERIES")" -eq 50 ] || die "bench/queries.txt must hold 50 queries"
python3 bench/prep.py search-reqs "$QUERIES" 10 > "$WORK/search10.tsv"
python3 bench/prep.py search-reqs "$QUERIES" 1 > "$WORK/search1.tsv"
python3 bench/prep.py paths "$QUERIES" 10 > "$WORK/paths.txt"
printf 'GET\t/healthz\n' > "$WORK/healthz.tsv"
"$PY" scripts/gen_corpus.py --needs --n 500 --seed $NEED_SEED --no-provider-field \
  --out "$WORK/needpool.ndjson" 2>/dev/null
python3 bench/prep.py needs "$WORK/needpool.ndjson" 50 200 > "$WORK/needs.ndjson"
python3 bench/prep.py match-reqs "$WORK/needs.ndjson" > "$WORK/match.tsv"
"$BIN/segment" and < "$QUERIES" > "$WORK/tsq_and.txt"
cp "$WORK/needs.ndjson" "$RES/needs.ndjson"

# A private Redis for the cached runs: loopback only, no persistence.
REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
  --daemonize no --logfile "$WORK/redis.log" &
REDIS_PID=$!
PIDS+=("$REDIS_PID")
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$REDIS_PORT" ping >/dev/null || die "redis-server did not start"

# ---------------------------------------------------------------------------
# 4. The peers (bench/peers/peers.sh): per size, loaded after shucu's import,
#    asked the same queries in the same passes as shucu, stopped after them.
# ---------------------------------------------------------------------------
size_peers() { # the active peers at size N
  local n=$1 x out=""
  for x in $ACTIVE_PEERS; do
    case $x in
      postgres) case " $BENCH_PG_SIZES " in *" $n "*) out="$out $x" ;; esac ;;
      *) case " $PEER_SIZES " in *" $n "*) out="$out $x" ;; esac ;;
    esac
  done
  echo "$out"
}

# ---------------------------------------------------------------------------
# 5. Per corpus size.
# ---------------------------------------------------------------------------
LAST_DIR=""
for N in $SIZES; do
  D=$RES/$N
  mkdir -p "$D"
  LAST_DIR=$D
  CORPUS=$WORK/corpus-$N.ndjson
  reps=$REPS mreps=$MATCH_REPS
  if [ "$N" -gt 100000 ]; then reps=$REPS_LARGE mreps=$MATCH_REPS_LARGE; fi
  DB=$WORK/shucu-$N.db

  phase "corpus $N: generate"
  "$PY" scripts/gen_corpus.py --n "$N" --seed $SEED --no-provider-field --out "$CORPUS" 2>> "$D/gen.log"
  echo "corpus_bytes=$(stat -c %s "$CORPUS")" >> "$D/import.txt"

  # 5a. Bulk import into a fresh database: importer's own rate, and the
  # wall time including the FTS optimize that follows it.
  runs=$IMPORT_RUNS
  [ "$N" -gt 100000 ] && runs=1
  for r in $(seq "$runs"); do
    phase "corpus $N: import run $r/$runs"
    rm -f "$DB" "$DB-wal" "$DB-shm"
    t0=$(date +%s.%N)
    "$SHUCUD" import --db "$DB" --provider "$PROVIDER" --create-org "$CORPUS" 2> "$D/import.$r.log"
    t1=$(date +%s.%N)
    echo "import_wall_s=$(elapsed "$t0" "$t1")" >> "$D/import.txt"
    sed -n 's/.* created, .* (\([0-9]*\) lines\/s).*/import_rate=\1/p' "$D/import.$r.log" >> "$D/import.txt"
  done
  echo "db_bytes=$(stat -c %s "$DB")" >> "$D/import.txt"
  sqlite3 -readonly "$DB" "SELECT name, sum(pgsize) FROM dbstat GROUP BY name" \
    > "$D/dbstat.txt" 2>/dev/null || echo "dbstat unavailable" > "$D/dbstat.txt"

  KEY=$("$SHUCUD" keys create --role enterprise --org 基准测试企业 --db "$DB" 2>/dev/null)

  # 5a'. The peers: the same corpus loaded into each (timed), servers started.
  SIZE_PEERS=$(size_peers "$N")
  echo "peers=$SIZE_PEERS" > "$D/peers.txt"
  peers_load "$N" "$CORPUS" "$D"

  # 5b. Uncached latency, single client, one worker: shucu, the raw FTS5
  # baseline and the peers interleaved pass by pass.
  start_shucud "$DB" none
  "$BIN/rawfts" --db "$DB" --schemas schemas --queries "$QUERIES" --reps 0 \
    --ids "$D/raw_ids.tsv" --tsquery "$D/tsq_expr.txt" --exprs "$D/exprs.txt" --check "$D/check.tsv"
  peers_prepare "$D"
  for p in $(seq "$PASSES"); do
    phase "corpus $N: latency pass $p/$PASSES"
    "$BIN/latency" --port "$SHUCUD_PORT" --reqs "$WORK/search10.tsv" --reps "$reps" --out "$D/search10.p$p.tsv"
    "$BIN/rawfts" --db "$DB" --schemas schemas --queries "$QUERIES" --reps "$reps" \
      --modes build,top10,count,pass,facets,wide,exh,exhc,topfts --out "$D/raw.p$p.tsv"
    peers_pass "$p" "$D" "$reps"
    "$BIN/latency" --port "$SHUCUD_PORT" --reqs "$WORK/search1.tsv" --reps "$reps" --out "$D/search1.p$p.tsv"
    "$BIN/latency" --port "$SHUCUD_PORT" --reqs "$WORK/healthz.tsv" --reps $((reps * 50)) --out "$D/healthz.p$p.tsv"
    "$BIN/latency" --port "$SHUCUD_PORT" --reqs "$WORK/match.tsv" --reps "$mreps" --auth "$KEY" \
      --out "$D/match.p$p.tsv"
  done
  peers_stop
  # match's stages outside the server (where its time goes)
  phase "corpus $N: match stages"
  "$BIN/matchprof" --db "$DB" --schemas schemas --needs "$WORK/needs.ndjson" --reps "$PASSES" \
    --out "$D/matchprof.tsv" --exprs "$D/match_exprs.tsv"
  # shucu's own top 10 (ids), to check the raw baseline returns the same hits
  python3 - "$SHUCUD_PORT" "$WORK/paths.txt" > "$D/shucu_ids.tsv" <<'PY'
import json, sys, urllib.request
for i, p in enumerate(open(sys.argv[2])):
    d = json.load(urllib.request.urlopen("http://127.0.0.1:%s%s" % (sys.argv[1], p.strip()), timeout=60))
    print("\t".join([str(i), str(int(d["debug"]["relaxed"])), str(d["total"])] +
                    ["%s:%.4f" % (h["id"], h["score"]) for h in d["hits"]]))
PY
  # the same with rids, to compare the peers' top 10 (they know rids)
  python3 bench/peers/shucu_rids.py "$DB" "$D/shucu_ids.tsv" > "$D/shucu_rids.tsv"
  grep -E 'VmHWM|VmRSS' /proc/"$SHUCUD_PID"/status > "$D/rss.txt"
  curl -s "http://127.0.0.1:$SHUCUD_PORT/healthz" > "$D/healthz.json"

  # 5c. Throughput, uncached search (same server, --redis none).
  phase "corpus $N: wrk uncached search"
  CPU_OF="shucud:$SHUCUD_PID" WRK_PATHS=$WORK/paths.txt \
    run_wrk "$D/wrk_search_uncached.jsonl" "http://127.0.0.1:$SHUCUD_PORT" -s bench/search.lua
  stop_pid "$SHUCUD_PID"

  # 5d. Cached: shucud with Redis, cache warmed with every query and need.
  phase "corpus $N: wrk cached search and match"
  redis-cli -p "$REDIS_PORT" flushall >/dev/null
  start_shucud "$DB" "redis://127.0.0.1:$REDIS_PORT"
  sleep 0.5 # let the worker's Redis connection come up
  "$BIN/latency" --port "$SHUCUD_PORT" --reqs "$WORK/search10.tsv" --reps 0 --warmup 1
  "$BIN/latency" --port "$SHUCUD_PORT" --reqs "$WORK/match.tsv" --reps 0 --warmup 1 --auth "$KEY"
  # a cached answer of median size is the ceilings' body
  "$BIN/latency" --port "$SHUCUD_PORT" --reqs "$WORK/search10.tsv" --reps 3 --warmup 0 --out "$D/search_cached_seq.tsv"
  curl -s "http://127.0.0.1:$SHUCUD_PORT/metrics" | grep -E '^shucu_cache_(hits|misses)_total' > "$D/cache_before.txt" || true
  redis-cli -p "$REDIS_PORT" config resetstat >/dev/null
  CPU_OF="shucud:$SHUCUD_PID redis:$REDIS_PID" WRK_PATHS=$WORK/paths.txt \
    run_wrk "$D/wrk_search_cached.jsonl" "http://127.0.0.1:$SHUCUD_PORT" -s bench/search.lua
  redis-cli -p "$REDIS_PORT" info commandstats | tr -d '\r' > "$D/redis_commandstats.txt"
  CPU_OF="shucud:$SHUCUD_PID redis:$REDIS_PID" WRK_NEEDS=$WORK/needs.ndjson WRK_KEY=$KEY \
    run_wrk "$D/wrk_match_cached.jsonl" "http://127.0.0.1:$SHUCUD_PORT" -s bench/match.lua
  curl -s "http://127.0.0.1:$SHUCUD_PORT/metrics" | grep -E '^shucu_cache_(hits|misses)_total' > "$D/cache_after.txt" || true
  grep -E 'VmHWM|VmRSS' /proc/"$SHUCUD_PID"/status > "$D/rss_cached.txt"
  # the body of the median-sized cached search answer, for the ceilings
  python3 - "$SHUCUD_PORT" "$WORK/paths.txt" "$D/ceiling_body.json" <<'PY'
import sys, urllib.request
bodies = [urllib.request.urlopen("http://127.0.0.1:%s%s" % (sys.argv[1], p.strip()), timeout=60).read()
          for p in open(sys.argv[2]) if p.strip()]
bodies.sort(key=len)
open(sys.argv[3], "wb").write(bodies[len(bodies) // 2])
PY
  stop_pid "$SHUCUD_PID"

  rm -f "$DB" "$DB-wal" "$DB-shm" "$CORPUS"
done

# ---------------------------------------------------------------------------
# 5'. Enterprise files and assessments (issue 18): the time to score one
#     assessment (bench/assessbench, the server's own code), then the
#     register and assessment lists a center filters, uncached, over
#     BENCH_ENTERPRISES files (default: the largest corpus size, at most
#     100,000) with three assessments each, and the database they take.
# ---------------------------------------------------------------------------
ENTERPRISES=${BENCH_ENTERPRISES:-$(printf '%s\n' $SIZES | sort -n | tail -1)}
if [ -z "${BENCH_ENTERPRISES:-}" ] && [ "$ENTERPRISES" -gt 100000 ]; then ENTERPRISES=100000; fi
A=$RES/assess
mkdir -p "$A"
phase "assessments: scoring"
"$BIN/assessbench" score --schemas schemas --n 20000 --reps "$PASSES" > "$A/score.txt"
phase "assessments: load $ENTERPRISES enterprises, $((3 * ENTERPRISES)) assessments"
ADB=$WORK/assess.db
rm -f "$ADB" "$ADB-wal" "$ADB-shm"
"$BIN/assessbench" load --db "$ADB" --schemas schemas --enterprises "$ENTERPRISES" \
  --assessments $((3 * ENTERPRISES)) > "$A/load.txt" 2> "$A/load.log"
sqlite3 "$ADB" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
echo "db_bytes=$(stat -c %s "$ADB")" >> "$A/load.txt"
sqlite3 -readonly "$ADB" "SELECT name, sum(pgsize) FROM dbstat GROUP BY name" \
  > "$A/dbstat.txt" 2>/dev/null || echo "dbstat unavailable" > "$A/dbstat.txt"
AKEY=$("$SHUCUD" keys create --role center --org 基准测试促进中心 --db "$ADB" 2>/dev/null)
python3 bench/prep.py register-reqs "$ADB" "$A/register.names" > "$WORK/register.tsv"
start_shucud "$ADB" none
for p in $(seq "$PASSES"); do
  phase "assessments: latency pass $p/$PASSES"
  "$BIN/latency" --port "$SHUCUD_PORT" --reqs "$WORK/register.tsv" --reps "$REPS" --auth "$AKEY" \
    --out "$A/register.p$p.tsv"
done

# ---------------------------------------------------------------------------
# 5''. Reports, exports and the change feed (issue 20), over the same
#     files and assessments: each report uncached with a center's key and an
#     authority's (武汉市), one export of the whole register as XLSX (time,
#     size and the server's peak RSS before and after, on a fresh start),
#     the feed read from since=0, and what the feed's triggers add to the
#     writes (bench/assessbench load with and without them).
# ---------------------------------------------------------------------------
R20=$RES/reports
mkdir -p "$R20"
AUTHKEY=$("$SHUCUD" keys create --role authority --org 基准测试武汉经信局 --region 湖北省/武汉市 \
  --db "$ADB" 2>/dev/null)
"$PY" - "$R20/reports.names" > "$WORK/reports.tsv" <<'PYEOF'
import sys, urllib.parse
R = [("levels", {"by": "district"}), ("levels", {"by": "city"}), ("levels", {"by": "industry"}),
     ("levels", {"by": "month"}), ("levels", {"by": "district", "province": "湖北省"}),
     ("levels", {"by": "district", "city": "武汉市", "industry": "machinery"}),
     ("movement", {}), ("movement", {"from": "2026-01", "province": "湖北省"}), ("campaigns", {})]
names = open(sys.argv[1], "w", encoding="utf-8")
for name, q in R:
    path = "/v1/reports/%s%s" % (name, "?" + urllib.parse.urlencode(q) if q else "")
    print("GET\t%s" % path)
    names.write(urllib.parse.unquote(path) + "\n")
PYEOF
for p in $(seq "$PASSES"); do
  phase "reports: latency pass $p/$PASSES"
  "$BIN/latency" --port "$SHUCUD_PORT" --reqs "$WORK/reports.tsv" --reps "$REPS" --auth "$AKEY" \
    --out "$R20/center.p$p.tsv"
  "$BIN/latency" --port "$SHUCUD_PORT" --reqs "$WORK/reports.tsv" --reps "$REPS" --auth "$AUTHKEY" \
    --out "$R20/authority.p$p.tsv"
done
phase "reports: the change feed read from since=0"
"$PY" bench/feedbench.py follow "$SHUCUD_PORT" "$AKEY" 200000 > "$R20/feed.txt"
stop_pid "$SHUCUD_PID"
phase "reports: the register as XLSX ($ENTERPRISES rows)"
start_shucud "$ADB" none
"$PY" bench/feedbench.py export "$SHUCUD_PORT" "$AKEY" "$SHUCUD_PID" \
  "/v1/enterprises?format=xlsx" > "$R20/xlsx.txt"
"$PY" bench/feedbench.py export "$SHUCUD_PORT" "$AKEY" "$SHUCUD_PID" \
  "/v1/enterprises?format=csv" > "$R20/csv.txt"
stop_pid "$SHUCUD_PID"
rm -f "$ADB" "$ADB-wal" "$ADB-shm"
FEED_N=$(( ENTERPRISES < 20000 ? ENTERPRISES : 20000 ))
for run in 1 2 3 4 5 6 7 8 9 10; do
  for mode in feed nofeed; do
    phase "reports: writes $mode, run $run ($FEED_N enterprises, $((3 * FEED_N)) assessments)"
    WDB=$WORK/writes.db
    rm -f "$WDB" "$WDB-wal" "$WDB-shm"
    "$BIN/assessbench" load --db "$WDB" --schemas schemas --enterprises "$FEED_N" \
      --assessments $((3 * FEED_N)) $([ $mode = nofeed ] && echo --no-feed) \
      > "$R20/writes.$mode.$run.txt" 2>/dev/null
    rm -f "$WDB" "$WDB-wal" "$WDB-shm"
  done
done
# The same writes counted in instructions (callgrind), which this VM's
# run-to-run drift of 10-20 % in wall time does not touch: 2,000
# enterprises with and without the feed, side by side.
phase "reports: writes under callgrind (2000 enterprises, 6000 assessments, with and without the feed)"
CG_PIDS=()
for mode in feed nofeed; do
  rm -f "$WORK/cg-$mode.db" "$WORK/cg-$mode.db-wal" "$WORK/cg-$mode.db-shm"
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN/assessbench" load \
    --db "$WORK/cg-$mode.db" --schemas schemas --enterprises 2000 --assessments 6000 \
    $([ $mode = nofeed ] && echo --no-feed) > /dev/null 2> "$R20/callgrind.$mode.txt" &
  CG_PIDS+=($!)
done
wait "${CG_PIDS[@]}"
rm -f "$WORK"/cg-*.db*

# ---------------------------------------------------------------------------
# 6. HTTP ceilings (independent of the corpus): the body is the median-sized
# cached search answer of the last size.
# ---------------------------------------------------------------------------
phase "ceilings"
cp "$LAST_DIR/ceiling_body.json" "$RES/ceiling_body.json"
P=$(free_port)
"$BIN/ceiling_fixed" "$P" "$RES/ceiling_body.json" &
CF_PID=$!
PIDS+=("$CF_PID")
wait_http "$P" /
CPU_OF="server:$CF_PID" run_wrk "$RES/wrk_ceiling_fixed.jsonl" "http://127.0.0.1:$P/" -s bench/wrk_report.lua
stop_pid "$CF_PID"
redis-cli -p "$REDIS_PORT" -x set shucu:bench:ceiling < "$RES/ceiling_body.json" >/dev/null
P=$(free_port)
"$BIN/ceiling_redis" "$P" 127.0.0.1 "$REDIS_PORT" shucu:bench:ceiling &
CR_PID=$!
PIDS+=("$CR_PID")
wait_http "$P" /
redis-cli -p "$REDIS_PORT" config resetstat >/dev/null
CPU_OF="server:$CR_PID redis:$REDIS_PID" run_wrk "$RES/wrk_ceiling_redis.jsonl" "http://127.0.0.1:$P/" -s bench/wrk_report.lua
redis-cli -p "$REDIS_PORT" info commandstats | tr -d '\r' > "$RES/redis_commandstats_ceiling.txt"
stop_pid "$CR_PID"

echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$RES/machine.txt"
echo "uptime_end=$(uptime | sed 's/^ *//')" >> "$RES/machine.txt"
echo "finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$RES/machine.txt"
top -bn1 | head -20 > "$RES/top_end.txt" || true

# ---------------------------------------------------------------------------
# 7. The report: docs/benchmarks.md and docs/plots/*.png.
# ---------------------------------------------------------------------------
phase "report"
python3 bench/report.py "$RES" "$ROOT/docs/benchmarks.md" "$ROOT/docs/plots"
echo "bench/run.sh: wrote docs/benchmarks.md and docs/plots/ (raw results in bench/out/results/)"

# ---------------------------------------------------------------------------
# 8. The soak (docs/soak.md): minutes of mixed reads and writes, watching
#    RSS, fds and threads.  Its own summary; it does not touch benchmarks.md.
# ---------------------------------------------------------------------------
if [ "${SOAK_SECONDS:-300}" != 0 ]; then
    phase "soak"
    bash bench/soak.sh
fi
