#!/usr/bin/env bash
# bench/ha/run.sh - the replication experiment of issue 25 (`make ha` runs
# it; it is not part of `make test` or `make bench`).  docs/scaling.md reads
# its figures.
#
#   1. dqlite 1.11: three nodes (bench/ha/hanode.c, each its own process,
#      the shucu tokenizer and functions on every connection), formed into
#      one cluster; the 100k benchmark corpus (scripts/gen_corpus.py, seed
#      2026, imported by shucud as bench/run.sh does) loaded through the
#      leader and, with the same statements, into a local SQLite file; the
#      benchmark queries (bench/queries.txt, expressions built as bench/rawfts
#      builds them) at concurrency 1, 4 and 16 against both; kill -9 of the
#      leader during a bounded write loop, several runs; RSS of every node.
#   2. Redis Sentinel: shucud (this tree's build) on the 100k database with
#      --redis sentinel://..., a master, a replica and three sentinels; the
#      master killed and restarted while a client searches.
#
# Knobs (environment):
#   HA_REPS        rounds of the 50 queries per search measurement (top10)   6
#   HA_PASS_REPS   the same for the full pass statement                       2
#   HA_CONCS       client concurrencies                                  "1 4 16"
#   HA_BATCH       rows per transaction of the load through the leader    1000
#   HA_RUNS        failover runs                                              5
#   HA_WRITES      inserts per failover run (bounded loop)                 4000
#   HA_KILL_AFTER  seconds of writing before the kill: "MIN MAX"          "5 10"
#   HA_REDIS_SECONDS  the load during the Redis failover                     45
#   HA_N           corpus size (the figures are for the default)         100000
#   HA_ENTERPRISES enterprise files (3 assessments each) for their size      20000
#   HA_WORK        scratch directory                             /tmp/shucu-ha
#   HA_KEEP=1      keep HA_WORK afterwards
#
# Everything runs on this machine over loopback; every loop is bounded by a
# count or a duration; every process it starts is stopped by PID on exit.
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
HA=$ROOT/bench/ha
OUT=$HA/out
RAW=$OUT/raw
BIN=$OUT/bin
WORK=${HA_WORK:-/tmp/shucu-ha}
REPS=${HA_REPS:-6}
PASS_REPS=${HA_PASS_REPS:-2}
CONCS=${HA_CONCS:-"1 4 16"}
BATCH=${HA_BATCH:-1000}
RUNS=${HA_RUNS:-5}
WRITES=${HA_WRITES:-4000}
read -r KILL_MIN KILL_MAX <<< "${HA_KILL_AFTER:-5 10}"
REDIS_SECONDS=${HA_REDIS_SECONDS:-45}
N=${HA_N:-100000}
ENTERPRISES=${HA_ENTERPRISES:-20000}
SHUCUD=$ROOT/build/shucud
PROVIDER="基准测试供应商"

say() { printf '\n== %s  [%s, load %s]\n' "$*" "$(date +%H:%M:%S)" "$(cut -d' ' -f1-3 /proc/loadavg)"; }
die() { echo "bench/ha/run.sh: $*" >&2; exit 1; }
phase() { # the phase, its start and the load then (docs/scaling.md shows them)
  say "$*"
  printf '%s\t%s\t%s\n' "$*" "$(date +%s)" "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/phases.tsv"
  top -bn1 -o %CPU 2>/dev/null | sed -n '8,12p' | awk -v p="$*" '{printf "%s\t%s\t%s\n", p, $12, $9}' \
    >> "$OUT/busiest.tsv" || true
}

# ---------------------------------------------------------------------------
# 1. Packages.  dqlite and raft come from Debian (libdqlite-dev 1.11.1,
#    libraft-dev 0.15); nothing else is fetched.
# ---------------------------------------------------------------------------
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
need=()
for p in libdqlite-dev libraft-dev libuv1-dev redis-server sqlite3 libsqlite3-dev libjansson-dev \
         libevent-dev libhiredis-dev libsodium-dev libunistring-dev libcurl4-openssl-dev \
         python3 gcc make pkg-config curl; do
  installed "$p" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || die "missing Debian packages: ${need[*]} (as root: apt-get install ${need[*]})"
  echo "bench/ha/run.sh: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || true
  for p in "${need[@]}"; do
    if ! apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
      die "Debian package $p is not available from this machine's apt sources; the experiment needs it (dqlite: libdqlite-dev 1.11.1, libraft-dev 0.15, in bookworm)"
    fi
  done
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    || die "apt-get install ${need[*]} failed; the experiment cannot run without them"
fi
pkg-config --exists dqlite || die "pkg-config does not know dqlite after installing libdqlite-dev"

say "build"
make --no-print-directory build/shucud >/dev/null
make --no-print-directory -C bench -f ha/Makefile >/dev/null

# ---------------------------------------------------------------------------
# Bookkeeping: every process started is stopped by PID on exit.
# ---------------------------------------------------------------------------
rm -rf "$OUT/raw" "$OUT"/*.tsv "$OUT"/*.txt "$OUT"/*.md
mkdir -p "$RAW" "$WORK"
PIDS=()
cleanup() {
  set +e
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  for i in 1 2 3; do [ -n "${NODE_PID[$i]:-}" ] && kill "${NODE_PID[$i]}" 2>/dev/null; done
  wait 2>/dev/null
  [ "${HA_KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
forget() { local keep=() p; for p in "${PIDS[@]}"; do [ "$p" != "$1" ] && keep+=("$p"); done; PIDS=("${keep[@]+"${keep[@]}"}"); }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss() { # rss LABEL PID NAME: VmRSS and VmHWM in kB
  printf '%s\t%s\t%s\t%s\n' "$1" "$3" \
    "$(awk '/VmRSS/ {print $2}' "/proc/$2/status" 2>/dev/null)" \
    "$(awk '/VmHWM/ {print $2}' "/proc/$2/status" 2>/dev/null)" >> "$OUT/rss.tsv"
}

phase "machine"
{
  echo "cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
  echo "cores=$(nproc)"
  echo "mem_gib=$(awk '/MemTotal/ {printf "%.1f", $2/1048576}' /proc/meminfo)"
  echo "kernel=$(uname -sr)"
  echo "os=$(. /etc/os-release; echo "$PRETTY_NAME")"
  echo "started=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "dqlite=$(dpkg-query -W -f='${Version}' libdqlite-dev)"
  echo "raft=$(dpkg-query -W -f='${Version}' libraft-dev)"
  echo "libuv=$(dpkg-query -W -f='${Version}' libuv1-dev)"
  echo "sqlite=$(pkg-config --modversion sqlite3)"
  echo "redis=$(redis-server --version | sed 's/^Redis server //; s/ sha=.*//')"
  echo "shucud=$("$SHUCUD" version)"
  echo "git=$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD 2>/dev/null || echo '+local changes')"
  echo "corpus=$N"
  echo "reps=$REPS pass_reps=$PASS_REPS concs=$CONCS batch=$BATCH runs=$RUNS writes=$WRITES kill_after=$KILL_MIN-$KILL_MAX redis_seconds=$REDIS_SECONDS"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt"

# ---------------------------------------------------------------------------
# 2. The corpus, as bench/run.sh makes it: 100k resources, shucud import.
# ---------------------------------------------------------------------------
phase "corpus: generate $N resources, import them with shucud"
SRC=$WORK/shucu-$N.db
/usr/bin/python3 scripts/gen_corpus.py --n "$N" --seed 2026 --no-provider-field \
  --out "$WORK/corpus.ndjson" 2>/dev/null
rm -f "$SRC" "$SRC"-wal "$SRC"-shm
t0=$(date +%s.%N)
"$SHUCUD" import --db "$SRC" --provider "$PROVIDER" --create-org "$WORK/corpus.ndjson" 2> "$RAW/import.log"
t1=$(date +%s.%N)
{
  echo "import_wall_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')"
  sqlite3 "$SRC" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  echo "db_bytes=$(stat -c %s "$SRC")"
  echo "resources=$(sqlite3 "$SRC" 'SELECT count(*) FROM resources')"
  sqlite3 -readonly "$SRC" "SELECT 'table_' || name || '=' || sum(pgsize) FROM dbstat GROUP BY name ORDER BY sum(pgsize) DESC LIMIT 8" 2>/dev/null || true
} > "$OUT/import.txt"
rm -f "$WORK/corpus.ndjson"

# What enterprise files and assessments take (docs/benchmarks.md has the
# resources only): HA_ENTERPRISES files with three assessments each, made by
# the server's own code (bench/assessbench.c), and the file they make.
phase "database size: $ENTERPRISES enterprise files, $((3 * ENTERPRISES)) assessments"
ADB=$WORK/assess.db
"$BIN/assessbench" load --db "$ADB" --schemas "$ROOT/schemas" --enterprises "$ENTERPRISES" \
  --assessments $((3 * ENTERPRISES)) > "$OUT/dbsize.txt" 2> "$RAW/assessbench.log"
sqlite3 "$ADB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
echo "db_bytes=$(stat -c %s "$ADB")" >> "$OUT/dbsize.txt"
sqlite3 -readonly "$ADB" "SELECT 'table_' || name || '=' || sum(pgsize) FROM dbstat GROUP BY name ORDER BY sum(pgsize) DESC LIMIT 8" \
  >> "$OUT/dbsize.txt" 2>/dev/null || true
rm -f "$ADB" "$ADB"-wal "$ADB"-shm

# ---------------------------------------------------------------------------
# 3. The cluster: three nodes on loopback, node 1 bootstraps, the others join.
# ---------------------------------------------------------------------------
declare -A NODE_PID NODE_ADDR
for i in 1 2 3; do NODE_ADDR[$i]=127.0.0.1:$(free_port); done
NODES="${NODE_ADDR[1]},${NODE_ADDR[2]},${NODE_ADDR[3]}"
start_node() {
  "$BIN/hanode" --id "$1" --addr "${NODE_ADDR[$1]}" --dir "$WORK/node$1" >> "$RAW/node$1.log" 2>&1 &
  NODE_PID[$1]=$!
}
node_of() { local i; for i in 1 2 3; do [ "${NODE_ADDR[$i]}" = "$1" ] && echo "$i"; done; }
leader_id() { "$BIN/hactl" leader --nodes "$NODES" 2>/dev/null | awk '{print $1}'; }
wait_leader() { # until some node names a leader (30 s at most)
  for _ in $(seq 300); do [ -n "$(leader_id)" ] && return 0; sleep 0.1; done
  die "no dqlite leader within 30 s"
}

phase "dqlite: start three nodes"
for i in 1 2 3; do start_node "$i"; done
sleep 0.5
wait_leader
"$BIN/hactl" join --nodes "$NODES" 2>> "$RAW/hactl.log"
for i in 1 2 3; do rss "started" "${NODE_PID[$i]}" "node$i"; done

phase "dqlite: load the corpus through the leader"
L=$(leader_id)
timeout 1200 "$BIN/hactl" load --src "$SRC" --nodes "$NODES" --batch "$BATCH" --finish merge \
  --timeout-ms 300000 > "$OUT/load_dqlite.txt" 2>> "$RAW/hactl.log" \
  || die "the load through the leader failed (bench/ha/out/raw/hactl.log)"
echo "leader=$L" >> "$OUT/load_dqlite.txt"
cat "$OUT/load_dqlite.txt"
for i in 1 2 3; do rss "after load" "${NODE_PID[$i]}" "node$i"; done
du -sb "$WORK"/node? | awk '{print "after load\t" $2 "\t" $1}' >> "$OUT/datadir.tsv"

phase "sqlite: the same load into a local file"
COPY=$WORK/copy.db
timeout 1200 "$BIN/hactl" load --src "$SRC" --sqlite "$COPY" --batch "$BATCH" --finish merge \
  > "$OUT/load_sqlite.txt" 2>> "$RAW/hactl.log"
cat "$OUT/load_sqlite.txt"

# ---------------------------------------------------------------------------
# 4. Search: the same expressions against the cluster and against SQLite.
# ---------------------------------------------------------------------------
Q=$ROOT/bench/queries.txt
S=(--schemas "$ROOT/schemas" --queries "$Q")
phase "search: answers compared"
"$BIN/hactl" search "${S[@]}" --src "$SRC" --stmt top10 --conc 1 --reps 0 --nodes "$NODES" --ids "$OUT/ids_dqlite.tsv" >/dev/null
"$BIN/hactl" search "${S[@]}" --src "$COPY" --stmt top10 --conc 1 --reps 0 --ids "$OUT/ids_sqlite.tsv" >/dev/null
: > "$OUT/search.txt"
for stmt in top10 pass; do
  reps=$REPS
  [ "$stmt" = pass ] && reps=$PASS_REPS
  for c in $CONCS; do
    phase "search: $stmt, concurrency $c"
    L=$(leader_id)
    timeout 600 "$BIN/hactl" search "${S[@]}" --src "$COPY" --stmt "$stmt" --conc "$c" --reps "$reps" \
      --out "$RAW/search_sqlite_${stmt}_$c.tsv" | sed "s/^/load=$(cut -d' ' -f1 /proc/loadavg) /" >> "$OUT/search.txt"
    timeout 600 "$BIN/hactl" search "${S[@]}" --src "$SRC" --stmt "$stmt" --conc "$c" --reps "$reps" --nodes "$NODES" \
      --timeout-ms 60000 --cpu-pid "${NODE_PID[$L]}" --out "$RAW/search_dqlite_${stmt}_$c.tsv" \
      | sed "s/^/load=$(cut -d' ' -f1 /proc/loadavg) /" >> "$OUT/search.txt"
    tail -2 "$OUT/search.txt"
  done
done
# today's database, as shucud import leaves it (one FTS5 optimize)
phase "search: top10 on shucud's own database"
for c in $CONCS; do
  "$BIN/hactl" search "${S[@]}" --src "$SRC" --stmt top10 --conc "$c" --reps "$REPS" \
    | sed "s/mode=sqlite/mode=sqlite-import/; s/^/load=$(cut -d' ' -f1 \/proc\/loadavg) /" >> "$OUT/search.txt"
done
tail -3 "$OUT/search.txt"
for i in 1 2 3; do rss "after search" "${NODE_PID[$i]}" "node$i"; done

# ---------------------------------------------------------------------------
# 5. Failover: kill -9 the leader during a bounded write loop.
# ---------------------------------------------------------------------------
printf 'run\trestarted\tleads_again_after_s\tleader\tacked_so_far\tmissing_on_it\n' > "$OUT/rebuilt.tsv"
printf 'run\tkilled\tkill_at\tnew_leader\trecovery_s\tacked\tfailed\tpresent\tlost\tpresent_not_acked\tfirst_error\twrite_p50_ms\twrite_p99_ms\tbusy_retries\tload\n' \
  > "$OUT/failover.tsv"
for r in $(seq "$RUNS"); do
  phase "failover run $r/$RUNS"
  # the leader to kill: nodes 1, 2, 3 in turn
  "$BIN/hactl" transfer --nodes "$NODES" --to $(( (r - 1) % 3 + 1 )) --seconds 120 >/dev/null 2>> "$RAW/hactl.log" || true
  L=$(leader_id)
  [ -n "$L" ] || die "no leader before run $r"
  "$BIN/hactl" writes --src "$SRC" --nodes "$NODES" --run "$r" --n "$WRITES" \
    --acked "$RAW/acked_$r.txt" > "$RAW/writes_$r.txt" 2> "$RAW/writes_$r.log" &
  WPID=$!
  PIDS+=("$WPID")
  wait_s=$(python3 -c "import random; print(round(random.uniform($KILL_MIN, $KILL_MAX), 1))")
  sleep "$wait_s"
  kill_at=$(date +%s.%N)
  kill -9 "${NODE_PID[$L]}"
  wait "${NODE_PID[$L]}" 2>/dev/null || true
  echo "run $r: killed node $L (pid ${NODE_PID[$L]}) after ${wait_s}s of writes"
  # the writer finds the new leader by itself; bounded by its own 60 s
  # leader deadline and by this timeout
  rc=0
  timeout 900 tail --pid="$WPID" -f /dev/null || true
  wait "$WPID" || rc=$?
  forget "$WPID"
  NL=$(leader_id)
  python3 - "$RAW/writes_$r.txt" "$r" "$L" "$kill_at" "$NL" "$(cut -d' ' -f1 /proc/loadavg)" >> "$OUT/failover.tsv" <<'PY'
import sys
kv = dict(l.rstrip("\n").split("=", 1) for l in open(sys.argv[1]) if "=" in l)
run, killed, kill_at, new, load = sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5], sys.argv[6]
ok_after = float(kv.get("first_ok_after_failure", 0) or 0)
rec = "%.3f" % (ok_after - kill_at) if ok_after > 0 else "never"
print("\t".join([run, killed, "%.3f" % kill_at, new, rec, kv.get("acked", "?"), kv.get("failed", "?"),
                 kv.get("present", "?"), kv.get("lost", "?"), kv.get("present_not_acked", "?"),
                 kv.get("first_error", "").replace("\t", " "), kv.get("write_p50_ms", "?"),
                 kv.get("write_p99_ms", "?"), kv.get("busy_retries", "?"), load]))
PY
  tail -1 "$OUT/failover.tsv"
  [ "$rc" -eq 0 ] || echo "run $r: the writer exited $rc (3: an acknowledged write is missing)"
  # The killed node comes back with its data directory, rebuilds its
  # in-memory database from its snapshot and log, and catches up; then it is
  # made the leader (leadership moves only to an up-to-date node), and every
  # write acknowledged so far, in every run, is looked for on it.
  start_node "$L"
  led=$("$BIN/hactl" transfer --nodes "$NODES" --to "$L" --seconds 300 --timeout-ms 30000 2>> "$RAW/hactl.log") \
    || led=never
  acked_files=()
  for k in $(seq "$r"); do acked_files+=(--acked "$RAW/acked_$k.txt"); done
  "$BIN/hactl" check --nodes "$NODES" "${acked_files[@]}" > "$RAW/check_$r.txt" 2>> "$RAW/hactl.log" || true
  printf '%s\t%s\t%s\t%s\n' "$r" "$L" "$led" \
    "$(awk '{for (i = 1; i <= NF; i++) {split($i, a, "="); if (a[1] == "acked") t += a[2]; if (a[1] == "missing") m += a[2]; if (a[1] == "leader") l = a[2]}} END {printf "%s\t%d\t%d", l, t, m}' "$RAW/check_$r.txt")" \
    >> "$OUT/rebuilt.tsv"
  echo "run $r: node $L restarted, leading again after ${led}s; $(tail -1 "$OUT/rebuilt.tsv")"
  rss "after failover run $r" "${NODE_PID[$L]}" "node$L (restarted, rebuilt)"
done
for i in 1 2 3; do rss "after failover runs" "${NODE_PID[$i]}" "node$i"; done
du -sb "$WORK"/node? | awk '{print "after failover runs\t" $2 "\t" $1}' >> "$OUT/datadir.tsv"
# every acknowledged write of every run, looked for once more on the leader
phase "failover: recount"
acked_files=()
for r in $(seq "$RUNS"); do acked_files+=(--acked "$RAW/acked_$r.txt"); done
"$BIN/hactl" check --nodes "$NODES" "${acked_files[@]}" > "$OUT/recount.txt" 2>> "$RAW/hactl.log" || true
cat "$OUT/recount.txt"
for i in 1 2 3; do kill "${NODE_PID[$i]}" 2>/dev/null || true; wait "${NODE_PID[$i]}" 2>/dev/null || true; NODE_PID[$i]=""; done

# ---------------------------------------------------------------------------
# 6. Redis Sentinel: the master killed and restarted under load.
# ---------------------------------------------------------------------------
phase "redis: master, replica, three sentinels, shucud"
RD=$WORK/redis
mkdir -p "$RD"
MPORT=$(free_port); RPORT=$(free_port)
rbase=(redis-server --bind 127.0.0.1 --save "" --appendonly no --dir "$RD")
"${rbase[@]}" --port "$MPORT" --logfile "$RD/master.log" &
MPID=$!; PIDS+=("$MPID")
"${rbase[@]}" --port "$RPORT" --replicaof 127.0.0.1 "$MPORT" --logfile "$RD/replica.log" &
PIDS+=("$!")
SPORTS=()
for i in 1 2 3; do
  p=$(free_port)
  printf 'port %s\nbind 127.0.0.1\ndir %s\nlogfile %s/sentinel%s.log\nsentinel monitor shucu 127.0.0.1 %s 2\nsentinel down-after-milliseconds shucu 1000\nsentinel failover-timeout shucu 5000\nsentinel parallel-syncs shucu 1\n' \
    "$p" "$RD" "$RD" "$i" "$MPORT" > "$RD/sentinel$i.conf"
  redis-server "$RD/sentinel$i.conf" --sentinel &
  PIDS+=("$!")
  SPORTS+=("$p")
done
for p in "$MPORT" "$RPORT" "${SPORTS[@]}"; do
  for _ in $(seq 100); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
done
# the sentinels must know the replica and each other before they can fail over
for _ in $(seq 60); do
  ok=1
  for p in "${SPORTS[@]}"; do
    r=$(redis-cli -p "$p" SENTINEL REPLICAS shucu | grep -c "127.0.0.1" || true)
    s=$(redis-cli -p "$p" SENTINEL SENTINELS shucu | grep -c "127.0.0.1" || true)
    [ "$r" -ge 1 ] && [ "$s" -ge 2 ] || ok=0
  done
  [ "$ok" = 1 ] && break
  sleep 0.5
done
[ "$ok" = 1 ] || die "the sentinels did not find the replica and each other within 30 s"
HPORT=$(free_port)
URL="sentinel://127.0.0.1:${SPORTS[0]},127.0.0.1:${SPORTS[1]},127.0.0.1:${SPORTS[2]}/shucu"
"$SHUCUD" serve --db "$SRC" --redis "$URL" --workers 1 --listen "127.0.0.1:$HPORT" >> "$RAW/shucud.log" 2>&1 &
SPID=$!; PIDS+=("$SPID")
for _ in $(seq 200); do curl -fs -o /dev/null "http://127.0.0.1:$HPORT/healthz" && break; sleep 0.1; done
python3 bench/prep.py paths "$Q" 10 > "$WORK/paths.txt"
# warm the cache: every query once
while read -r p; do curl -fs -o /dev/null "http://127.0.0.1:$HPORT$p" || true; done < "$WORK/paths.txt"

phase "redis: load, kill -9 the master, restart it"
"$BIN/haload" --port "$HPORT" --paths "$WORK/paths.txt" --conns 4 --seconds "$REDIS_SECONDS" \
  --out "$RAW/redis_load.tsv" &
LPID=$!; PIDS+=("$LPID")
t_start=$(date +%s.%N)
sleep 10
t_kill=$(date +%s.%N)
kill -9 "$MPID"; wait "$MPID" 2>/dev/null || true; forget "$MPID"
promoted=""
for _ in $(seq 300); do
  if redis-cli -p "$RPORT" ROLE 2>/dev/null | head -1 | grep -q master; then promoted=$(date +%s.%N); break; fi
  sleep 0.1
done
sleep $(( REDIS_SECONDS / 3 ))
t_restart=$(date +%s.%N)
"${rbase[@]}" --port "$MPORT" --replicaof 127.0.0.1 "$RPORT" --logfile "$RD/master2.log" &
PIDS+=("$!")
wait "$LPID" || true
forget "$LPID"
{
  echo "start=$t_start"
  echo "kill=$t_kill"
  echo "promoted=${promoted:-never}"
  echo "restart=$t_restart"
  echo "old_master_role=$(redis-cli -p "$MPORT" ROLE 2>/dev/null | head -1)"
  echo "new_master_role=$(redis-cli -p "$RPORT" ROLE 2>/dev/null | head -1)"
  echo "healthz=$(curl -s "http://127.0.0.1:$HPORT/healthz" | tr -d '\n')"
  echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/redis_events.txt"
rss "redis phase" "$SPID" "shucud"
# what shucud logged about Redis: the sentinels' answers, reconnects, breaker
grep -Ei 'redis|sentinel' "$RAW/shucud.log" > "$OUT/redis_shucud.txt" || true
python3 - "$RAW/redis_load.tsv" "$OUT/redis_events.txt" > "$OUT/redis.txt" <<'PY'
import sys
ev = dict(l.rstrip("\n").split("=", 1) for l in open(sys.argv[2]) if "=" in l)
rows = [l.split("\t") for l in open(sys.argv[1]) if l.strip()]
rows = [(float(t), float(ms), int(st), c.strip()) for t, ms, st, c in rows]
kill = float(ev["kill"])
def pct(v, p):
    v = sorted(v); return v[int(p * (len(v) - 1))] if v else 0
before = [r for r in rows if r[0] < kill]
after = [r for r in rows if r[0] >= kill]
bad = [r for r in rows if r[2] != 200]
first_miss = next((r[0] for r in after if r[3] != "HIT"), None)
hits_after = [r for r in after if r[3] == "HIT"]
# the first hit after the kill that follows a miss: the cache is back
back = None
seen_miss = False
for r in after:
    if r[3] != "HIT":
        seen_miss = True
    elif seen_miss:
        back = r[0]; break
print("requests=%d" % len(rows))
print("non_200=%d" % len(bad))
print("before_kill_requests=%d before_kill_hit_pct=%.1f before_kill_p50_ms=%.2f before_kill_p99_ms=%.2f" % (
    len(before), 100.0 * sum(r[3] == "HIT" for r in before) / max(1, len(before)),
    pct([r[1] for r in before], .5), pct([r[1] for r in before], .99)))
window = [r for r in after if back is None or r[0] < back]
print("degraded_requests=%d degraded_p50_ms=%.2f degraded_p99_ms=%.2f degraded_max_ms=%.2f" % (
    len(window), pct([r[1] for r in window], .5), pct([r[1] for r in window], .99),
    max([r[1] for r in window] or [0])))
print("first_miss_after_kill_s=%s" % ("%.3f" % (first_miss - kill) if first_miss else "none"))
print("cache_back_after_kill_s=%s" % ("%.3f" % (back - kill) if back else "never"))
print("promoted_after_kill_s=%s" % ("%.3f" % (float(ev["promoted"]) - kill) if ev["promoted"] != "never" else "never"))
after_back = [r for r in rows if back is not None and r[0] >= back]
print("after_back_requests=%d after_back_hit_pct=%.1f" % (
    len(after_back), 100.0 * sum(r[3] == "HIT" for r in after_back) / max(1, len(after_back))))
restart = float(ev["restart"])
ar = [r for r in rows if r[0] >= restart]
print("after_restart_requests=%d after_restart_non_200=%d after_restart_hit_pct=%.1f" % (
    len(ar), sum(r[2] != 200 for r in ar), 100.0 * sum(r[3] == "HIT" for r in ar) / max(1, len(ar))))
# per second, for the doc's timeline
t0 = rows[0][0] if rows else 0
print("timeline (second since start: requests, non-200, hit %, p99 ms)")
for s in range(int(max(r[0] for r in rows) - t0) + 1 if rows else 0):
    sec = [r for r in rows if s <= r[0] - t0 < s + 1]
    if sec:
        print("t=%d n=%d bad=%d hit=%.0f p99=%.1f" % (s, len(sec), sum(r[2] != 200 for r in sec),
              100.0 * sum(r[3] == "HIT" for r in sec) / len(sec), pct([r[1] for r in sec], .99)))
PY
sed -n '1,12p' "$OUT/redis.txt"

echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
echo "finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$OUT/machine.txt"

# ---------------------------------------------------------------------------
# 7. The figures: bench/ha/out/figures.md, and the same between the markers
#    of docs/scaling.md.
# ---------------------------------------------------------------------------
phase "report"
python3 "$HA/report.py" "$OUT" "$ROOT/docs/scaling.md"
echo
echo "bench/ha/run.sh: figures in bench/ha/out/figures.md and docs/scaling.md (raw samples in bench/ha/out/raw/)"
