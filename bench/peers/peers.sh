# bench/peers/peers.sh - the peer search engines of bench/run.sh, sourced by it
# (it uses run.sh's phase, die, free_port, wait_http, elapsed, stop_pid, PIDS,
# WORK, BIN, ROOT, RES, PROVIDER, PGBIN, PASSES).
#
#   groonga    Groonga 13 (Debian's groonga-bin; served by groonga-httpd when
#              that package is there, else by `groonga -s --protocol http`)
#   sphinx     Sphinx 2.2.11 searchd (Debian's sphinxsearch), over SphinxQL
#   postgres   PostgreSQL's tsvector + GIN (Debian's postgresql)
#
# Each peer holds the same corpus as shucu at each size and is asked the same
# 50 queries in two forms: as typed (the peer's own query syntax) and shucu's
# own FTS5 expression translated (bench/peers/translate.py), so that the hit
# sets agree with shucu's.  A peer has four steps, run by the peers_* drivers
# for the peers active at a size:
#
#   peer_X_load N CORPUS D    load it (timed, size on disk) and start its server
#   peer_X_prepare D          its query files and its answers (hit counts, top
#                             10), outside any timing
#   peer_X_pass P D REPS      one latency pass of both forms (run.sh calls it
#                             between shucu's own measurements of the pass)
#   peer_X_stop               stop its server
#
# Results go to D (bench/out/results/SIZE/):
#   groonga.txt sphinx.txt pg.txt     load time, size on disk, versions, checks
#   gr_{typed,expr}.pP.tsv            "query#<TAB>ms<TAB>status<TAB>bytes" (bench/latency)
#   sx_{typed,expr}.pP.tsv            "query#<TAB>ms<TAB>rows" (bench/out/bin/sphinxq)
#   pg_{and,expr}.pP.tsv              "query#<TAB>ms<TAB>rows" (bench/out/bin/pgq)
#   {gr,sx}_{typed,expr}_ids.tsv, pg_{and,expr}_ids.tsv
#                                     "query#<TAB>hits<TAB>rid<TAB>rid..." (top 10)
#   {gr,sx}_{typed,expr}.q            the queries as sent

PEER_TRANSLATE=$ROOT/bench/peers/translate.py
SX_WEIGHTS="title=10, summary=4, description=1, tags=4, provider=3"

# Debian packages of each peer; the client libraries are only for building.
peer_pkgs() {
  case $1 in
    groonga) echo "groonga-bin groonga-httpd" ;;
    sphinx) echo "sphinxsearch libmariadb-dev" ;;
    postgres) echo "postgresql libpq-dev" ;;
  esac
}

# peer_ready NAME: what it lacks to run, or nothing.
peer_ready() {
  case $1 in
    groonga) command -v groonga >/dev/null || echo "no groonga binary (package groonga-bin)" ;;
    sphinx)
      command -v indexer >/dev/null && command -v searchd >/dev/null || { echo "no indexer/searchd (package sphinxsearch)"; return; }
      [ -x "$BIN/sphinxq" ] || echo "bench/out/bin/sphinxq not built (package libmariadb-dev)" ;;
    postgres)
      [ -n "${PGBIN:-}" ] && [ -x "$PGBIN/initdb" ] || { echo "no initdb under /usr/lib/postgresql (package postgresql)"; return; }
      [ -x "$BIN/pgq" ] || echo "bench/out/bin/pgq not built (package libpq-dev)" ;;
    *) echo "unknown peer" ;;
  esac
}

wait_tcp() { # wait_tcp PORT: up to 20 s
  for _ in $(seq 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  die "nothing listens on 127.0.0.1:$1"
}

du_bytes() { du -sB1 "$@" | awk '{ s += $1 } END { print s + 0 }'; }
du_apparent() { du -sb "$@" | awk '{ s += $1 } END { print s + 0 }'; }

# docs.tsv of the corpus (prep.py pg-docs): rid, the five FTS5 columns.
peer_docs() { # peer_docs CORPUS -> path
  local f=$WORK/peer-docs.tsv
  [ -s "$f" ] || python3 "$ROOT/bench/prep.py" pg-docs "$1" "$PROVIDER" > "$f"
  echo "$f"
}

# ---------------------------------------------------------------------------
# Groonga
# ---------------------------------------------------------------------------
GR_DIR="" GR_PID="" GR_PORT=""
peer_groonga_load() { # N CORPUS D
  local n=$1 corpus=$2 d=$3 t0 t1
  phase "groonga peer, $n resources: load"
  GR_DIR=$WORK/groonga-$n
  rm -rf "$GR_DIR"
  mkdir -p "$GR_DIR/db" "$GR_DIR/httpd/logs"
  # the corpus as Groonga commands (not timed, like PostgreSQL's docs.tsv)
  t0=$(date +%s.%N)
  python3 "$ROOT/bench/peers/groonga_load.py" schema > "$GR_DIR/schema.grn"
  python3 "$ROOT/bench/peers/groonga_load.py" load "$corpus" "$PROVIDER" > "$GR_DIR/load.grn"
  python3 "$ROOT/bench/peers/groonga_load.py" index > "$GR_DIR/index.grn"
  t1=$(date +%s.%N)
  echo "groonga_prep_s=$(elapsed "$t0" "$t1")" >> "$d/groonga.txt"
  # the load: table, rows, then the index built over them in one go
  t0=$(date +%s.%N)
  cat "$GR_DIR/schema.grn" "$GR_DIR/load.grn" "$GR_DIR/index.grn" |
    groonga --log-path "$GR_DIR/load.log" -n "$GR_DIR/db/db" > "$GR_DIR/load.out"
  t1=$(date +%s.%N)
  # every command answers [[0,...],...]: a non-zero return code is a failure
  if grep -qv '^\[\[0,' "$GR_DIR/load.out"; then
    head -c 2000 "$GR_DIR/load.out" >&2
    die "groonga: the load failed ($GR_DIR/load.out)"
  fi
  local loaded
  loaded=$(sed -n '/^\[\[0,[^]]*\],[0-9][0-9]*\]$/ s/.*,\([0-9]*\)\]$/\1/p' "$GR_DIR/load.out" | head -1)
  {
    echo "groonga_load_s=$(elapsed "$t0" "$t1")"
    echo "groonga_loaded=$loaded"
    echo "groonga_bytes=$(du_bytes "$GR_DIR/db")"
    echo "groonga_apparent_bytes=$(du_apparent "$GR_DIR/db")"
    echo "groonga_check_tokens=$(echo 'tokenize TokenBigram "质量检测 5G专网 ＭＥＳ系统" NormalizerAuto' |
      groonga --log-path "$GR_DIR/load.log" "$GR_DIR/db/db" |
      python3 -c 'import json,sys; print(" ".join(t["value"] for t in json.load(sys.stdin)[1]))')"
  } >> "$d/groonga.txt"
  [ "$loaded" = "$n" ] || die "groonga: loaded $loaded records, not $n"
  rm -f "$GR_DIR/load.grn"

  GR_PORT=$(free_port)
  if command -v groonga-httpd >/dev/null; then
    # groonga-httpd: nginx with Groonga inside, HTTP/1.1 keep-alive like
    # shucud; one worker, the query cache off, no logs per request
    local h=$GR_DIR/httpd
    cat > "$h/groonga-httpd.conf" <<EOF
worker_processes 1;
daemon off;
user root root;
pid $h/groonga-httpd.pid;
error_log $h/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  keepalive_timeout 65;
  keepalive_requests 100000000;
  client_body_temp_path $h/tmp_body;
  proxy_temp_path $h/tmp_proxy;
  fastcgi_temp_path $h/tmp_fastcgi;
  uwsgi_temp_path $h/tmp_uwsgi;
  scgi_temp_path $h/tmp_scgi;
  groonga_database $GR_DIR/db/db;
  groonga_database_auto_create off;
  groonga_cache_limit 0;
  groonga_log_path $h/logs/groonga.log;
  groonga_log_level warning;
  groonga_query_log_path off;
  server {
    listen 127.0.0.1:$GR_PORT;
    location /d/ { groonga on; }
  }
}
EOF
    groonga-httpd -p "$h/" -e "$h/logs/error.log" -c "$h/groonga-httpd.conf" >> "$h/logs/stdout.log" 2>&1 &
    GR_PID=$!
    echo "groonga_server=groonga-httpd $(groonga-httpd -v 2>&1 | sed 's/.*version: //')" >> "$d/groonga.txt"
  else
    # the plain HTTP server closes the connection after each answer
    groonga -s --protocol http --bind-address 127.0.0.1 -p "$GR_PORT" --cache-limit 0 \
      --log-path "$GR_DIR/server.log" "$GR_DIR/db/db" >> "$GR_DIR/server.out" 2>&1 &
    GR_PID=$!
    echo "groonga_server=groonga -s --protocol http (no keep-alive)" >> "$d/groonga.txt"
  fi
  PIDS+=("$GR_PID")
  wait_http "$GR_PORT" /d/status
}

peer_groonga_prepare() { # D
  local d=$1 f
  python3 "$PEER_TRANSLATE" groonga-typed "$ROOT/bench/queries.txt" > "$d/gr_typed.q"
  python3 "$PEER_TRANSLATE" groonga-expr "$d/exprs.txt" > "$d/gr_expr.q"
  for f in typed expr; do
    python3 "$PEER_TRANSLATE" groonga-reqs "$d/gr_$f.q" > "$WORK/gr_$f.reqs"
    python3 "$ROOT/bench/peers/groonga_ids.py" "$GR_PORT" "$WORK/gr_$f.reqs" > "$d/gr_${f}_ids.tsv"
  done
}

peer_groonga_pass() { # P D REPS
  local p=$1 d=$2 reps=$3 f
  for f in typed expr; do
    "$BIN/latency" --port "$GR_PORT" --reqs "$WORK/gr_$f.reqs" --reps "$reps" --out "$d/gr_$f.p$p.tsv"
  done
}

peer_groonga_stop() {
  [ -n "$GR_PID" ] && stop_pid "$GR_PID"
  GR_PID=""
  [ -n "$GR_DIR" ] && rm -rf "$GR_DIR"
  GR_DIR=""
}

# ---------------------------------------------------------------------------
# Sphinx
# ---------------------------------------------------------------------------
SX_DIR="" SX_PID="" SX_PORT=""
peer_sphinx_load() { # N CORPUS D
  local n=$1 corpus=$2 d=$3 t0 t1 docs
  phase "sphinx peer, $n resources: load"
  SX_DIR=$WORK/sphinx-$n
  rm -rf "$SX_DIR"
  mkdir -p "$SX_DIR/index"
  t0=$(date +%s.%N)
  docs=$(peer_docs "$corpus")
  t1=$(date +%s.%N)
  echo "sphinx_prep_s=$(elapsed "$t0" "$t1")" >> "$d/sphinx.txt"
  SX_PORT=$(free_port)
  # A plain index built by indexer from a TSV pipe (rid, then the five FTS5
  # columns).  Han characters are ngram characters (ngram_len 1: each one a
  # keyword, a Han word a phrase of them); Latin letters and digits are
  # folded to lower case, full-width forms to ASCII as shucu's NFKC does.
  cat > "$SX_DIR/sphinx.conf" <<EOF
source res
{
  type = tsvpipe
  tsvpipe_command = cat $docs
  tsvpipe_field = title
  tsvpipe_field = summary
  tsvpipe_field = description
  tsvpipe_field = tags
  tsvpipe_field = provider
}
index res
{
  source = res
  path = $SX_DIR/index/res
  docinfo = extern
  dict = keywords
  charset_table = 0..9, A..Z->a..z, _, a..z, U+FF10..U+FF19->0..9, U+FF21..U+FF3A->a..z, U+FF41..U+FF5A->a..z
  ngram_len = 1
  ngram_chars = U+3400..U+4DBF, U+4E00..U+9FFF, U+F900..U+FAFF, U+20000..U+2A6DF
}
indexer
{
  mem_limit = 512M
}
searchd
{
  listen = 127.0.0.1:$SX_PORT:mysql41
  log = $SX_DIR/searchd.log
  pid_file = $SX_DIR/searchd.pid
  binlog_path =
  workers = threads
  max_matches = 1000
}
EOF
  t0=$(date +%s.%N)
  indexer --config "$SX_DIR/sphinx.conf" --all > "$SX_DIR/indexer.log" 2>&1 ||
    { tail -20 "$SX_DIR/indexer.log" >&2; die "sphinx: indexer failed"; }
  t1=$(date +%s.%N)
  {
    echo "sphinx_load_s=$(elapsed "$t0" "$t1")"
    echo "sphinx_loaded=$(sed -n 's/^total \([0-9]*\) docs.*/\1/p' "$SX_DIR/indexer.log" | head -1)"
    echo "sphinx_bytes=$(du_bytes "$SX_DIR/index")"
    echo "sphinx_apparent_bytes=$(du_apparent "$SX_DIR/index")"
  } >> "$d/sphinx.txt"
  searchd --config "$SX_DIR/sphinx.conf" --nodetach > "$SX_DIR/searchd.out" 2>&1 &
  SX_PID=$!
  PIDS+=("$SX_PID")
  wait_tcp "$SX_PORT"
  echo "sphinx_check_tokens=$("$BIN/sphinxq" --port "$SX_PORT" --keywords '质量检测 5G专网 ＭＥＳ系统')" >> "$d/sphinx.txt"
}

peer_sphinx_prepare() { # D
  local d=$1 f
  python3 "$PEER_TRANSLATE" sphinx-typed "$ROOT/bench/queries.txt" > "$d/sx_typed.q"
  python3 "$PEER_TRANSLATE" sphinx-expr "$d/exprs.txt" > "$d/sx_expr.q"
  for f in typed expr; do
    "$BIN/sphinxq" --port "$SX_PORT" --queries "$d/sx_$f.q" --reps 0 --option "ranker=bm25, field_weights=($SX_WEIGHTS)" \
      --ids "$d/sx_${f}_ids.tsv"
  done
}

peer_sphinx_pass() { # P D REPS
  local p=$1 d=$2 reps=$3 f
  for f in typed expr; do
    "$BIN/sphinxq" --port "$SX_PORT" --queries "$d/sx_$f.q" --reps "$reps" --option "ranker=bm25, field_weights=($SX_WEIGHTS)" \
      --out "$d/sx_$f.p$p.tsv"
  done
}

peer_sphinx_stop() {
  [ -n "$SX_PID" ] && stop_pid "$SX_PID"
  SX_PID=""
  [ -n "$SX_DIR" ] && rm -rf "$SX_DIR"
  SX_DIR=""
}

# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------
PG_BASE="" PG_CI=""
peer_postgres_load() { # N CORPUS D
  local n=$1 corpus=$2 d=$3 t0 t1 port docs
  phase "postgresql peer, $n resources: load"
  PG_BASE=$(mktemp -d /tmp/shucu-bench-pg.XXXXXX)
  PGSOCK_DIR=$(mktemp -d /tmp/shucu-bench-pgsock.XXXXXX)
  PGDATA_DIR=$PG_BASE/data
  chown postgres "$PG_BASE" "$PGSOCK_DIR"
  port=$(free_port)
  runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA_DIR" -U postgres -E UTF8 --locale=C.UTF-8 \
    -A trust >/dev/null
  # Unix socket only (listen_addresses=''); 1 GB of shared buffers so the
  # corpus and its index are in memory, like SQLite's pages in the page cache.
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$PG_BASE/pg.log" -w start \
    -o "-p $port -k $PGSOCK_DIR -c listen_addresses='' -c shared_buffers=1GB -c fsync=off -c synchronous_commit=off" >/dev/null
  local psqlc=(runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h "$PGSOCK_DIR" -p "$port")
  "${psqlc[@]}" -d postgres -c "CREATE DATABASE bench"
  docs=$(peer_docs "$corpus")
  "$BIN/segment" docs < "$docs" > "$PG_BASE/docs.tsv"
  chmod a+r "$PG_BASE/docs.tsv"
  t0=$(date +%s.%N)
  "${psqlc[@]}" -d bench <<SQL
CREATE TABLE stage (id int, t text, s text, d text, g text, p text);
\copy stage FROM '$PG_BASE/docs.tsv'
-- FTS5's column weights 10/4/1/4/3 (title/summary/description/tags/provider)
-- as ts_rank's A/B/D/B/C (1.0/0.4/0.1/0.4/0.2).
CREATE TABLE res AS SELECT id,
  setweight(to_tsvector('simple', t), 'A') || setweight(to_tsvector('simple', s), 'B') ||
  setweight(to_tsvector('simple', d), 'D') || setweight(to_tsvector('simple', g), 'B') ||
  setweight(to_tsvector('simple', p), 'C') AS tsv
  FROM stage;
ALTER TABLE res ADD PRIMARY KEY (id);
CREATE INDEX res_tsv ON res USING gin (tsv);
DROP TABLE stage;
VACUUM ANALYZE res;
SQL
  t1=$(date +%s.%N)
  {
    echo "pg_load_s=$(elapsed "$t0" "$t1")"
    echo "pg_table_bytes=$("${psqlc[@]}" -d bench -At -c "SELECT pg_table_size('res')")"
    echo "pg_index_bytes=$("${psqlc[@]}" -d bench -At -c "SELECT pg_relation_size('res_tsv')")"
    echo "pg_total_bytes=$("${psqlc[@]}" -d bench -At -c "SELECT pg_total_relation_size('res')")"
    echo "pg_check_tokens=$("${psqlc[@]}" -d bench -At -c "SELECT to_tsvector('simple', '质量 量检 检测 5g mes')")"
  } >> "$d/pg.txt"
  rm -f "$PG_BASE/docs.tsv"
  PG_CI="host=$PGSOCK_DIR port=$port dbname=bench user=postgres"
}

peer_postgres_prepare() { # D
  local d=$1
  "$BIN/pgq" --conninfo "$PG_CI" --queries "$WORK/tsq_and.txt" --reps 0 --ids "$d/pg_and_ids.tsv"
  "$BIN/pgq" --conninfo "$PG_CI" --queries "$d/tsq_expr.txt" --reps 0 --ids "$d/pg_expr_ids.tsv"
}

peer_postgres_pass() { # P D REPS
  local p=$1 d=$2 reps=$3
  "$BIN/pgq" --conninfo "$PG_CI" --queries "$WORK/tsq_and.txt" --reps "$reps" --out "$d/pg_and.p$p.tsv"
  "$BIN/pgq" --conninfo "$PG_CI" --queries "$d/tsq_expr.txt" --reps "$reps" --out "$d/pg_expr.p$p.tsv"
}

peer_postgres_stop() {
  if [ -n "$PGDATA_DIR" ]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA_DIR" stop -m fast >/dev/null
    rm -rf "$PG_BASE" "$PGSOCK_DIR"
  fi
  PGDATA_DIR=""
  PGSOCK_DIR=""
  PG_BASE=""
}

# ---------------------------------------------------------------------------
# Drivers over the peers active at a size (SIZE_PEERS, set by run.sh).
# ---------------------------------------------------------------------------
peers_load() { local x; for x in $SIZE_PEERS; do "peer_${x}_load" "$@"; done; }
peers_prepare() { local x; for x in $SIZE_PEERS; do "peer_${x}_prepare" "$@"; done; }
peers_pass() { local x; for x in $SIZE_PEERS; do "peer_${x}_pass" "$@"; done; }
peers_stop() { local x; for x in $SIZE_PEERS; do "peer_${x}_stop"; done; rm -f "$WORK/peer-docs.tsv"; }
