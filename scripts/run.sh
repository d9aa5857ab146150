#!/usr/bin/env bash
# make run: demo data on first start, a private Redis on loopback, and
# shucud in the foreground.  Ctrl-C stops both.
#   PORT (default 8080) or SHUCU_LISTEN (default 127.0.0.1:$PORT),
#   SHUCU_DB (data/shucu.db), SHUCU_REDIS_PORT (default: the first free
#   port from 6380).  A busy port stops it with a message and exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."

DB=${SHUCU_DB:-data/shucu.db}
PORT=${PORT:-8080}
LISTEN=${SHUCU_LISTEN:-127.0.0.1:$PORT}
KEYS=data/demo-keys.txt
mkdir -p data data/redis

port_free() { ! (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

HOSTPART=${LISTEN%:*}
LPORT=${LISTEN##*:}
if ! port_free "$LPORT"; then
  echo "shucu: port $LPORT is already in use (another shucud, or another program)." >&2
  echo "shucu: stop it, or choose another port:  make run PORT=8081   (or SHUCU_LISTEN=$HOSTPART:8081 make run)" >&2
  exit 1
fi

FIRST=0
if [ ! -f "$DB" ]; then
  FIRST=1
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
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null || true
  kill "$REDIS_PID" 2>/dev/null || true
  wait "$REDIS_PID" 2>/dev/null || true
}
trap cleanup EXIT

for _ in $(seq 50); do port_free "$RPORT" || break; sleep 0.1; done

build/shucud serve --db "$DB" --listen "$LISTEN" --redis "redis://127.0.0.1:$RPORT" &
SERVER_PID=$!
trap 'kill -TERM $SERVER_PID 2>/dev/null || true' INT TERM
up=0
for _ in $(seq 100); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
  if (exec 3<>/dev/tcp/127.0.0.1/"$LPORT") 2>/dev/null; then up=1; break; fi
  sleep 0.1
done
if [ "$up" != 1 ]; then
  echo "shucu: shucud did not start on $LISTEN (see the messages above)" >&2
  exit 1
fi
if [ "$FIRST" = 1 ]; then
  /usr/bin/python3 scripts/demo_activity.py --url "http://$LISTEN" --keys "$KEYS" | tail -1
fi

cat <<MSG

  shucu is serving: http://$LISTEN/   (web console and API)
  Redis: redis://127.0.0.1:$RPORT (private, stopped with shucud)
  Demo logins and keys, also in $KEYS:
$(sed -e 's/^user  \(\S*\) *\(\S*\) *\(\S*\)  \(.*\)$/    \1 login: \2  password: \3  (\4)/' -e '/^[a-z]* *shk_/s/^/    key /' "$KEYS" 2>/dev/null || echo "    (none: $KEYS is missing; create users with build/shucud users create)")

  Try:  curl -s 'http://$LISTEN/v1/search?q=质检' | head -c 600
  Stop: Ctrl-C

MSG
wait "$SERVER_PID" || true
wait "$SERVER_PID" 2>/dev/null || true
