#!/usr/bin/env bash
# bench/soak.sh - a bounded soak of shucud: wrk drives a mix of reads and
# writes (bench/soak.lua) for several minutes while the server's RSS, open
# file descriptors and threads are sampled every SOAK_SAMPLE seconds.
# `make soak` runs it (and `make bench` after the benchmarks); docs/soak.md
# says what it checks and why.
#
#   bash bench/soak.sh                    30 s warm-up, 300 s soak
#   SOAK_SECONDS=60 bash bench/soak.sh    a short one
#
# Knobs (environment):
#   SOAK_SECONDS   length of the soak after the warm-up          300
#   SOAK_WARMUP    warm-up (same mix; fills SQLite's page caches,
#                  the Redis client's buffers, malloc's arenas)  30
#   SOAK_THREADS   wrk threads                                    2
#   SOAK_CONNS     wrk connections                                16
#   SOAK_WORKERS   shucud worker threads                          2
#   SOAK_SAMPLE    seconds between samples                        5
#   SOAK_RSS_TOL_KB  RSS growth allowed from warm-up to end, KiB  8192
#   SOAK_RSS_TOL_PCT ... or this percentage of the warm RSS, the larger   5
#   SOAK_KEEP=1    keep build/soak/ (database, logs) afterwards; the CSV,
#                  wrk output and summary stay in any case
#
# Needs build/shucud (it builds nothing), wrk, redis-server, redis-cli,
# python3, curl.  Everything listens on loopback, on free ports; the servers
# it starts are stopped by PID when it exits, however it exits.
#
# Exit status: 0 when the soak passed; 1 on any failed request (socket error,
# timeout, non-2xx), an open-fd count that differs after the load from before
# it, a thread count that differs, RSS growth over the tolerance, a server
# that died or did not stop cleanly, or error lines in the server's log (warn
# lines are listed in the summary, not failed on); 2 when it could not run.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
SECS=${SOAK_SECONDS:-300}
WARM=${SOAK_WARMUP:-30}
THREADS=${SOAK_THREADS:-2}
CONNS=${SOAK_CONNS:-16}
WORKERS=${SOAK_WORKERS:-2}
SAMPLE=${SOAK_SAMPLE:-5}
RSS_TOL_KB=${SOAK_RSS_TOL_KB:-8192}
RSS_TOL_PCT=${SOAK_RSS_TOL_PCT:-5}
SHUCUD=$ROOT/build/shucud
DIR=$ROOT/build/soak
WORK=$DIR/work    # database, redis dir (removed unless SOAK_KEEP=1)

die() { echo "bench/soak.sh: $*" >&2; exit 2; }
say() { printf '== %s  [%s, load %s]\n' "$*" "$(date +%H:%M:%S)" "$(cut -d' ' -f1-3 /proc/loadavg)"; }

[ -x "$SHUCUD" ] || die "$SHUCUD is missing: build it first (make all)"
for t in wrk redis-server redis-cli python3 curl; do
  command -v "$t" >/dev/null || die "$t is not installed"
done

rm -rf "$DIR"
mkdir -p "$WORK/redis"

# ---------------------------------------------------------------------------
# Process bookkeeping: everything started is stopped by PID on exit.
# ---------------------------------------------------------------------------
PIDS=()
SHUCUD_PID=""
REDIS_PID=""
cleanup() {
  set +e
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    kill "${PIDS[$i]}" 2>/dev/null && wait "${PIDS[$i]}" 2>/dev/null
  done
  if [ "${SOAK_KEEP:-0}" != 1 ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'echo "bench/soak.sh: interrupted" >&2; exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# ---------------------------------------------------------------------------
# 1. A fresh database with the demo data, a private Redis, shucud.
# ---------------------------------------------------------------------------
say "setup in $DIR"
DB=$WORK/soak.db
KEYS=$WORK/keys.txt
"$SHUCUD" seed --db "$DB" --dir data/demo > "$KEYS" 2> "$DIR/seed.log" || die "seed failed: $(cat "$DIR/seed.log")"

REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
  --dir "$WORK/redis" --daemonize no --logfile "$DIR/redis.log" &
REDIS_PID=$!
PIDS+=("$REDIS_PID")
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 || die "redis-server did not start"

PORT=$(free_port)
URL=http://127.0.0.1:$PORT
# Rate limits off (0, also the default): the soak measures the server, not
# the limiter.  Log level warn: every warning or error it logs is a finding.
"$SHUCUD" serve --db "$DB" --listen "127.0.0.1:$PORT" --redis "redis://127.0.0.1:$REDIS_PORT" \
  --workers "$WORKERS" --rate-per-key 0 --rate-per-addr 0 --log-level warn \
  > "$DIR/shucud.log" 2>&1 &
SHUCUD_PID=$!
PIDS+=("$SHUCUD_PID")
for _ in $(seq 200); do curl -fs -o /dev/null "$URL/healthz" && break; sleep 0.1; done
curl -fs "$URL/healthz" | grep -q '"connected":true' || die "shucud did not come up with Redis connected"

python3 bench/soak_prep.py "$PORT" "$KEYS" "$WORK/reqs.tsv"

# ---------------------------------------------------------------------------
# 2. Sampling: every SAMPLE s, one CSV row (bounded: stops with this script
# or the server).
# ---------------------------------------------------------------------------
CSV=$DIR/samples.csv
PHASE_FILE=$DIR/phase
echo setup > "$PHASE_FILE"
status_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$SHUCUD_PID/status"; }
sample() { # one CSV row
  local m conns fds
  # the fds before the request for the metrics: that request's own
  # connection is open until the server has swept it
  fds=$(ls "/proc/$SHUCUD_PID/fd" | wc -l)
  m=$(curl -s --max-time 2 "$URL/metrics" || true)
  conns=$(printf '%s\n' "$m" | awk '$1 == "shucu_connections_open" { print $2 }')
  printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' \
    "$(date +%s)" "$(cat "$PHASE_FILE")" \
    "$(status_kb VmRSS)" "$(status_kb RssAnon)" "$(status_kb RssFile)" "$(status_kb RssShmem)" \
    "$(status_kb VmHWM)" \
    "$fds" "$(status_kb Threads)" "${conns:-}" \
    "$(stat -c %s "$DB")" "$(stat -c %s "$DB-wal" 2>/dev/null || echo 0)" \
    "$(timeout 5 redis-cli -p "$REDIS_PORT" info memory | tr -d '\r' | awk -F: '$1 == "used_memory" { print $2 }')"
}
echo "t,phase,rss_kb,rss_anon_kb,rss_file_kb,rss_shmem_kb,hwm_kb,fds,threads,conns_open,db_bytes,wal_bytes,redis_used_memory" > "$CSV"
# The background sampler stays quiet while settle and snap count the
# server's connections and fds: its own request for the metrics would be
# one more connection (a race that failed one soak in three).  It marks a
# sample in progress before it looks at the quiet flag; quiet_on raises the
# flag before it waits for the mark to go, so one of them always sees the
# other.
quiet_on() {
  touch "$DIR/quiet"
  for _ in $(seq 150); do [ -e "$DIR/sampling" ] || return 0; sleep 0.1; done
  die "the background sampler did not finish a sample within 15 s"
}
quiet_off() { rm -f "$DIR/quiet"; }
(
  while kill -0 "$SHUCUD_PID" 2>/dev/null && kill -0 $$ 2>/dev/null; do
    touch "$DIR/sampling"
    if [ ! -e "$DIR/quiet" ]; then sample >> "$CSV" 2>/dev/null || true; fi
    rm -f "$DIR/sampling"
    sleep "$SAMPLE"
  done
) &
PIDS+=("$!")

# Waits until the server holds no client connection but the one asking
# (so the fd count is comparable), at most 15 s.
settle() {
  local c
  for _ in $(seq 150); do
    c=$(curl -s --max-time 2 "$URL/metrics" | awk '$1 == "shucu_connections_open" { print $2 }')
    [ "${c:-x}" = 1 ] && break
    sleep 0.1
  done
  sleep 1
}
snap() { # snap NAME: the fd list and status of shucud, and one CSV row
  ls -l "/proc/$SHUCUD_PID/fd" | awk 'NR > 1 { print $9, $10, $11 }' > "$DIR/fds.$1.txt"
  cp "/proc/$SHUCUD_PID/status" "$DIR/status.$1.txt"
  echo "$1" > "$PHASE_FILE"
  sample >> "$CSV"
}

quiet_on
settle
snap start
quiet_off

run_wrk() { # run_wrk SECONDS OUTFILE (in the background, so a signal stops it at once)
  SOAK_REQS=$WORK/reqs.tsv timeout $(($1 + 60)) \
    wrk -t"$THREADS" -c"$CONNS" -d"${1}s" --timeout 10s --latency -s bench/soak.lua "$URL" > "$2" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  wait "$pid" || { cat "$2" >&2; die "wrk failed"; }
  unset 'PIDS[${#PIDS[@]}-1]'
}

# ---------------------------------------------------------------------------
# 3. Warm-up, then the soak.
# ---------------------------------------------------------------------------
say "warm-up: ${WARM}s, $THREADS wrk threads, $CONNS connections, $WORKERS workers"
echo warmup > "$PHASE_FILE"
run_wrk "$WARM" "$DIR/wrk_warmup.txt"
quiet_on
settle
snap warm
quiet_off
curl -s "$URL/metrics" > "$DIR/metrics.warm.txt"

say "soak: ${SECS}s"
echo soak > "$PHASE_FILE"
run_wrk "$SECS" "$DIR/wrk_soak.txt"
kill -0 "$SHUCUD_PID" 2>/dev/null || { echo "bench/soak.sh: shucud died during the soak" >&2; tail -20 "$DIR/shucud.log" >&2; exit 1; }
quiet_on
settle
snap end
curl -s "$URL/metrics" > "$DIR/metrics.end.txt"
curl -s "$URL/healthz" > "$DIR/healthz.end.json"
redis-cli -p "$REDIS_PORT" info memory | tr -d '\r' > "$DIR/redis_memory.end.txt"
redis-cli -p "$REDIS_PORT" dbsize > "$DIR/redis_dbsize.end.txt"
echo done > "$PHASE_FILE"

# Graceful stop: the log must say it stopped cleanly.
kill -TERM "$SHUCUD_PID"
wait "$SHUCUD_PID" 2>/dev/null && echo 0 > "$DIR/shucud.exit" || echo $? > "$DIR/shucud.exit"

# ---------------------------------------------------------------------------
# 4. The verdict.
# ---------------------------------------------------------------------------
say "report"
set +e
python3 bench/soak_report.py "$DIR" --rss-tol-kb "$RSS_TOL_KB" --rss-tol-pct "$RSS_TOL_PCT" \
  --workers "$WORKERS" --seconds "$SECS" --warmup "$WARM" --threads "$THREADS" --conns "$CONNS" \
  | tee "$DIR/summary.md"
rc=${PIPESTATUS[0]}
set -e
echo "bench/soak.sh: samples in $DIR/samples.csv, summary in $DIR/summary.md"
exit "$rc"
