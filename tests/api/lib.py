"""
lib.py - the harness of shucu's black-box HTTP tests.

The tests never link against the server: they start a real `shucud` on a
free port with a fresh SQLite database and a real Redis (the way Redis' own
`start_server {...}` blocks work), make keys with the `shucud keys` command
line, and talk HTTP through http.client so every header is under control.

Invariants every request checks, whatever the test:
  - the answer is never a 500 and the connection is never dropped;
  - the server process is still alive afterwards;
  - every 4xx/5xx body is {"error": {"code", "message"[, "field"]}}.
A violation raises AssertionError, which the runner (run.py) records as a
failure of the test that made the request.

Only the standard library and python3-jsonschema are used; run with the
Debian interpreter, /usr/bin/python3.
"""

import atexit
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCHEMAS = os.path.join(REPO, "schemas")
TIMEOUT = 30.0          # seconds one request may take before it is a failure

_TMP_ROOT = None
_LOCK = threading.Lock()
SERVERS = []            # every Server ever started, for the runner's checks
REDISES = []
CURRENT = None          # the server request() talks to when none is given
LAST = None             # (method, path, request summary, Resp) of the last request


class Skip(Exception):
    """Raise to skip a test; the runner prints it and counts nothing."""


def tmp_root():
    """The directory every temporary file of this run lives under."""
    global _TMP_ROOT
    with _LOCK:
        if _TMP_ROOT is None:
            _TMP_ROOT = tempfile.mkdtemp(prefix="shucu-api-")
    return _TMP_ROOT


def tmpdir(prefix):
    return tempfile.mkdtemp(prefix=prefix + "-", dir=tmp_root())


def shucud_path():
    """$SHUCUD, else build/asan/shucud, else build/shucud (relative to the repo)."""
    p = os.environ.get("SHUCUD")
    if p:
        return p if os.path.isabs(p) else os.path.join(REPO, p)
    for cand in ("build/asan/shucud", "build/shucud"):
        full = os.path.join(REPO, cand)
        if os.path.exists(full):
            return full
    return os.path.join(REPO, "build/asan/shucud")


def child_env(extra=None):
    """The environment of every shucud we start: no SHUCU_SCHEMAS_DIR, so the
    server finds schemas/ from its working directory (the repo root)."""
    env = dict(os.environ)
    env.pop("SHUCU_SCHEMAS_DIR", None)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    if extra:
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
    return env


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def tail(path, lines=40):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return "(no log)"
    text = data.decode("utf-8", "replace").splitlines()
    return "\n".join(text[-lines:])


# ---------------------------------------------------------------- Redis


def _redis_ping(port, timeout=0.5):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class Redis:
    """A private redis-server on a free port, no persistence."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.dir = tmpdir("redis")
        self.proc = None
        REDISES.append(self)
        self.start()

    @property
    def url(self):
        return "redis://127.0.0.1:%d" % self.port

    def start(self):
        log = open(os.path.join(self.dir, "redis.log"), "ab")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--daemonize", "no"],
            cwd=self.dir, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("redis-server exited with %s:\n%s" % (
                    self.proc.returncode, tail(os.path.join(self.dir, "redis.log"))))
            if _redis_ping(self.port):
                return
            time.sleep(0.05)
        raise AssertionError("redis-server did not answer PING on port %d" % self.port)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill(self):
        if self.alive():
            self.proc.kill()
            self.proc.wait()

    def restart(self):
        self.stop()
        self.start()


def start_redis():
    return Redis()


# ---------------------------------------------------------------- shucud


class Server:
    """A shucud on a free port.  db=None makes a fresh database; redis=None
    starts a private Redis stopped with the server; redis="none" runs without
    a cache; a Redis object or a URL string is used as given."""

    def __init__(self, db=None, redis=None, workers=2, env=None, extra_args=None,
                 port=None, start=True, binary=None):
        self.binary = binary    # None: shucud_path() (the ASan build when there is one)
        self.dir = tmpdir("shucud")
        self.db = db or os.path.join(self.dir, "shucu.db")
        self.own_redis = None
        if redis is None:
            self.own_redis = Redis()
            redis = self.own_redis
        self.redis = redis
        self.workers = workers
        self.env = env or {}
        self.extra_args = list(extra_args or [])
        self.port = port or free_port()
        self.proc = None
        self.log = None
        self.starts = 0
        self.expect_running = False
        with _LOCK:
            SERVERS.append(self)
        if start:
            self.start()

    def redis_arg(self):
        if isinstance(self.redis, Redis):
            return self.redis.url
        return str(self.redis)

    def argv(self):
        return [self.binary or shucud_path(), "serve", "--listen", "127.0.0.1:%d" % self.port,
                "--db", self.db, "--redis", self.redis_arg(),
                "--workers", str(self.workers)] + self.extra_args

    def start(self, timeout=15.0):
        binary = self.binary or shucud_path()
        if not os.path.exists(binary):
            raise AssertionError("no server binary at %s (set SHUCUD or build it)" % binary)
        self.starts += 1
        self.log = os.path.join(self.dir, "shucud.%d.log" % self.starts)
        out = open(self.log, "ab")
        self.proc = subprocess.Popen(self.argv(), cwd=REPO, env=child_env(self.env),
                                     stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        out.close()
        self.expect_running = True
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            if self.proc.poll() is not None:
                self.expect_running = False
                raise AssertionError("shucud exited with %s during start-up: %s\n%s" % (
                    self.proc.returncode, " ".join(self.argv()), tail(self.log)))
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/healthz")
                r = c.getresponse()
                r.read()
                c.close()
                last = r.status
                if r.status == 200:
                    return self
            except OSError as e:
                last = e
            time.sleep(0.05)
        self.kill()
        raise AssertionError("shucud gave no 200 on /healthz within %.0fs (last: %r)\n%s" % (
            timeout, last, tail(self.log)))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def rss_kib(self):
        """The server's resident memory, KiB (from /proc)."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self, timeout=20.0):
        """SIGTERM and wait; the exit code must be 0."""
        self.expect_running = False
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("shucud did not exit within %.0fs of SIGTERM\n%s" % (
                    timeout, tail(self.log)))
        rc = self.proc.returncode
        if rc != 0:
            raise AssertionError("shucud exit code %s after SIGTERM (want 0)\n%s" % (
                rc, tail(self.log)))

    def kill(self):
        self.expect_running = False
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def restart(self):
        if self.alive():
            self.stop()
        self.start()
        return self

    def close(self):
        """Stop the server (exit code checked) and its private Redis."""
        try:
            self.stop()
        finally:
            if self.own_redis:
                self.own_redis.stop()

    def log_text(self):
        with open(self.log, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def request(self, *a, **kw):
        kw["server"] = self
        return request(*a, **kw)

    def key(self, role, org):
        return key(self.db, role, org)


def use(server):
    """Make `server` the target of request() calls that name none."""
    global CURRENT
    CURRENT = server
    return server


def _cleanup():
    for s in SERVERS:
        if s.proc is not None and s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()
    for r in REDISES:
        r.kill()
    if _TMP_ROOT and not os.environ.get("SHUCU_KEEP_TMP"):
        shutil.rmtree(_TMP_ROOT, ignore_errors=True)


atexit.register(_cleanup)


# ---------------------------------------------------------------- CLI


def run_cli(*args, check=True, timeout=60):
    """Run `shucud ARGS...` from the repo root; return CompletedProcess (text)."""
    p = subprocess.run([shucud_path()] + [str(a) for a in args], cwd=REPO,
                       env=child_env(), capture_output=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    p.stdout = p.stdout.decode("utf-8", "replace")
    p.stderr = p.stderr.decode("utf-8", "replace")
    if check and p.returncode != 0:
        raise AssertionError("shucud %s exited %d\nstdout: %s\nstderr: %s" % (
            " ".join(map(str, args)), p.returncode, p.stdout[-2000:], p.stderr[-2000:]))
    return p


def key(db, role, org):
    """A new key from `shucud keys create`: the last line of its stdout."""
    if isinstance(db, Server):
        db = db.db
    p = run_cli("keys", "create", "--db", db, "--role", role, "--org", org)
    lines = [l.strip() for l in p.stdout.splitlines() if l.strip()]
    assert lines, "keys create printed nothing; stderr: %s" % p.stderr
    return lines[-1]


# ---------------------------------------------------------------- HTTP


class Headers:
    """Case-insensitive response headers; get() joins repeated headers."""

    def __init__(self, pairs):
        self.pairs = pairs

    def get(self, name, default=None):
        vals = [v for k, v in self.pairs if k.lower() == name.lower()]
        return ", ".join(vals) if vals else default

    def __getitem__(self, name):
        v = self.get(name)
        if v is None:
            raise KeyError(name)
        return v

    def __contains__(self, name):
        return self.get(name) is not None

    def __repr__(self):
        return repr(dict(self.pairs))


class Resp:
    def __init__(self, method, path, status, headers, body):
        self.method = method
        self.path = path
        self.status = status
        self.headers = Headers(headers)
        self.body = body
        self.text = body.decode("utf-8", "replace")
        try:
            self.json = json.loads(self.text) if self.text.strip() else None
        except ValueError:
            self.json = None

    @property
    def code(self):
        """The error code, or None."""
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), dict):
            return self.json["error"].get("code")
        return None

    @property
    def field(self):
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), dict):
            return self.json["error"].get("field")
        return None

    def __repr__(self):
        t = self.text if len(self.text) <= 1500 else self.text[:1500] + "...(%d bytes)" % len(self.body)
        return "%s %s -> %d %s" % (self.method, _short(self.path), self.status, t)


def _short(s, n=200):
    return s if len(s) <= n else s[:n] + "..."


def _target(server):
    s = server or CURRENT
    if s is None:
        raise AssertionError("no server: call lib.use(server) or pass server=")
    return s


def _check_alive(s, what):
    if s.proc is not None and s.proc.poll() is not None and s.expect_running:
        raise AssertionError("server died (exit %s) after %s\n%s" % (
            s.proc.returncode, what, tail(s.log)))


def check_error_envelope(r):
    """Every 4xx/5xx body is {"error": {"code", "message"[, "field"]}}."""
    j = r.json
    assert isinstance(j, dict) and isinstance(j.get("error"), dict), \
        "error response is not {\"error\": {...}}: %r" % r
    e = j["error"]
    assert isinstance(e.get("code"), str) and e["code"], "error without code: %r" % r
    assert isinstance(e.get("message"), str), "error without message: %r" % r
    if "field" in e:
        assert isinstance(e["field"], str), "error field is not a string: %r" % r
    check_schema(j, "error")


def request(method, path, body=None, key=None, headers=None, raw=None,
            ctype="application/json", server=None, check=True, timeout=TIMEOUT):
    """One HTTP request on a fresh connection.  body is JSON-encoded; raw is
    sent as given.  Never raises on 4xx/5xx; raises AssertionError on a 500,
    a dropped connection, a dead server or a malformed error body."""
    global LAST
    s = _target(server)
    hdrs = {}
    data = None
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    if raw is not None:
        data = raw if isinstance(raw, bytes) else raw.encode("utf-8")
    if data is not None and ctype is not None:
        hdrs["Content-Type"] = ctype
    if key is not None:
        hdrs["Authorization"] = "Bearer " + key
    if headers:
        hdrs.update(headers)
        hdrs = {k: v for k, v in hdrs.items() if v is not None}
    summary = "%s %s" % (method, _short(path))
    if data is not None:
        summary += " body=" + _short(data.decode("utf-8", "replace"), 300)
    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=timeout)
    try:
        conn.request(method, path, body=data, headers=hdrs)
        hr = conn.getresponse()
        rbody = hr.read()
        resp = Resp(method, path, hr.status, hr.getheaders(), rbody)
    except (OSError, http.client.HTTPException) as e:
        time.sleep(0.1)
        LAST = (summary, None)
        alive = s.proc is not None and s.proc.poll() is None
        raise AssertionError("connection failed/dropped on %s: %r (server %s)\n%s" % (
            summary, e, "alive" if alive else "exited %s" % s.proc.returncode,
            "" if alive else tail(s.log)))
    finally:
        conn.close()
    LAST = (summary, resp)
    if check:
        assert resp.status != 500, "500 from %s: %r" % (summary, resp)
        _check_alive(s, summary)
        if resp.status >= 400 and method != "HEAD":
            check_error_envelope(resp)
    return resp


def raw_exchange(data, server=None, timeout=10.0, shutdown=True):
    """Send raw bytes on one connection, return all bytes read until close or
    timeout.  Errors while sending are tolerated (the server may answer and
    close early); the caller inspects what came back."""
    s = _target(server)
    out = b""
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=timeout)
    try:
        try:
            sock.sendall(data)
            if shutdown:
                sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        while True:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    finally:
        sock.close()
    return out


def exchange_until_close(data, server=None, timeout=5.0):
    """Send raw bytes and read until the server closes the connection (our
    side stays open): (bytes read, True if it closed within `timeout`).
    Errors while sending are tolerated (the server may answer and close
    early)."""
    s = _target(server)
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=timeout)
    out, closed = b"", False
    deadline = time.time() + timeout
    try:
        try:
            sock.sendall(data)
        except OSError:
            pass
        while time.time() < deadline:
            sock.settimeout(max(0.05, deadline - time.time()))
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            except OSError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            out += chunk
    finally:
        sock.close()
    return out, closed


def parse_raw_response(data):
    """(status, headers dict lower-case, body bytes) of the first response in
    `data`, or (None, {}, b"") if none."""
    m = re.match(rb"HTTP/1\.[01] (\d{3})[^\r\n]*\r\n", data)
    if not m:
        return None, {}, b""
    head, _, rest = data.partition(b"\r\n\r\n")
    hdrs = {}
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        hdrs[k.decode("latin-1").strip().lower()] = v.decode("latin-1").strip()
    if "chunked" in hdrs.get("transfer-encoding", "").lower():
        body = b""
        while True:
            size_line, sep, rest = rest.partition(b"\r\n")
            try:
                n = int(size_line.split(b";")[0].strip() or b"0", 16)
            except ValueError:
                break
            if not sep or n == 0:
                break
            body += rest[:n]
            rest = rest[n + 2:]
        rest = body
    elif "content-length" in hdrs:
        try:
            rest = rest[:int(hdrs["content-length"])]
        except ValueError:
            pass
    return int(m.group(1)), hdrs, rest


# ---------------------------------------------------------------- assertions


def assert_status(r, status):
    assert r.status == status, "want %d, got %r" % (status, r)


def assert_error(r, status, code, field=None):
    """Exact status and code; field may be a string or a tuple of accepted ones."""
    assert r.status == status and r.code == code, \
        "want %d %s, got %r" % (status, code, r)
    if field is not None:
        ok = (r.field in field) if isinstance(field, (tuple, list, set)) else (r.field == field)
        assert ok, "want field %r, got %r in %r" % (field, r.field, r)


def eq(a, b, what=""):
    assert a == b, "%s%r != %r" % (what + ": " if what else "", a, b)


RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)$")


def assert_time(v, what="time"):
    assert isinstance(v, str) and RFC3339_UTC.match(v), "%s is not RFC 3339 UTC: %r" % (what, v)


# ---------------------------------------------------------------- schemas

_SCHEMA_CACHE = {}


def _schema_store():
    """Every schemas/*.schema.json by its $id and file URI, so $refs between
    them resolve without any network access."""
    store = {}
    for fn in sorted(os.listdir(SCHEMAS)):
        if not fn.endswith(".schema.json"):
            continue
        full = os.path.join(SCHEMAS, fn)
        try:
            with open(full, encoding="utf-8") as f:
                sch = json.load(f)
        except ValueError:
            continue
        store["file://" + full] = sch
        if isinstance(sch, dict) and sch.get("$id"):
            store[sch["$id"]] = sch
    return store


def check_schema(obj, name):
    """Validate obj against schemas/<name>.schema.json; silently skipped while
    that file does not exist yet."""
    path = os.path.join(SCHEMAS, name + ".schema.json")
    if not os.path.exists(path):
        return
    try:
        import jsonschema
    except ImportError:
        return
    if path not in _SCHEMA_CACHE:
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        cls = jsonschema.validators.validator_for(schema)
        base = schema.get("$id") or "file://" + path
        resolver = jsonschema.RefResolver(base, schema, store=_schema_store())
        _SCHEMA_CACHE[path] = cls(schema, resolver=resolver)
    v = _SCHEMA_CACHE[path]
    errs = sorted(v.iter_errors(obj), key=lambda e: list(e.path))
    if errs:
        e = errs[0]
        raise AssertionError("does not match schemas/%s.schema.json at %s: %s\n  object: %s" % (
            name, "/".join(map(str, e.path)) or "(root)", e.message,
            _short(json.dumps(obj, ensure_ascii=False), 1500)))


# ---------------------------------------------------------------- data


_SEQ = [0]


def uniq(prefix=""):
    with _LOCK:
        _SEQ[0] += 1
        n = _SEQ[0]
    return "%s%d_%d" % (prefix, os.getpid(), n)


def resource(**over):
    """A valid resource body; keyword arguments replace fields (None drops one)."""
    b = {
        "kind": "solution",
        "title": "面向机械行业的AI视觉质检解决方案",
        "summary": "基于深度学习的表面缺陷检测，适用于中小企业产线",
        "description": "支持多相机接入，缺陷检出率99%以上。",
        "industries": ["machinery", "automotive"],
        "scenarios": ["quality", "production_control"],
        "regions": ["湖北省", "广东省"],
        "tags": ["质检", "机器视觉", "AI"],
        "price": {"min": 50000, "max": 200000, "unit": "套"},
        "deploy_days": 30,
        "delivery": "hybrid",
        "levels": {"from": 1, "to": 3},
        "cases": [{"enterprise": "武汉某零部件厂", "industry": "automotive",
                   "result": "漏检率下降80%"}],
    }
    for k, v in over.items():
        if v is None:
            b.pop(k, None)
        else:
            b[k] = v
    return b
