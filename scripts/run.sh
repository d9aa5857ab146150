#!/usr/bin/env bash
# make run: demo data on first start, a private Redis on loopback, and
# shucud in the foreground.  Ctrl-C stops both.
#   SHUCU_LISTEN (default 127.0.0.1:8080), SHUCU_DB (data/shucu.db),
#   SHUCU_REDIS_PORT (default: the first free port from 6380)
set -euo pipefail
cd "$(dirname "$0")/.."

DB=${SHUCU_DB:-data/shucu.db}
LISTEN=${SHUCU_LISTEN:-127.0.0.1:8080}
KEYS=data/demo-keys.txt
mkdir -p data data/redis

port_free() { ! (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

if [ ! -f "$DB" ]; then
  echo "shucu: first start: loading demo data from data/demo into $DB"
  umask 077
  build/shucud seed --db "$DB" --dir data/demo > "$KEYS"
  umask 022
fi

RPORT=${SHUCU_REDIS_PORT:-}
if [ -z "$RPORT" ]; then
  RPORT=6380
  while ! port_free "$RPORT"; do RPORT=$((RPORT + 1)); done
fi
redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no \
  --maxmemory 256mb --maxmemory-policy allkeys-lru \
  --dir data/redis --daemonize no --loglevel warning > data/redis/redis.log 2>&1 &
REDIS_PID=$!
cleanup() { kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; }
trap cleanup EXIT

for _ in $(seq 50); do port_free "$RPORT" || break; sleep 0.1; done

cat <<MSG

  shucu is starting: http://$LISTEN/   (web console and API)
  Redis: redis://127.0.0.1:$RPORT (private, stopped with shucud)
  Demo keys (role, key, organisation), also in $KEYS:
$(sed 's/^/    /' "$KEYS" 2>/dev/null || echo "    (none: $KEYS is missing; create keys with build/shucud keys create)")

  Try:  curl -s 'http://$LISTEN/v1/search?q=质检' | head -c 600
  Stop: Ctrl-C

MSG
build/shucud serve --db "$DB" --listen "$LISTEN" --redis "redis://127.0.0.1:$RPORT" &
SERVER_PID=$!
trap 'kill -TERM $SERVER_PID 2>/dev/null || true' INT TERM
wait "$SERVER_PID" || true
wait "$SERVER_PID" 2>/dev/null || true
