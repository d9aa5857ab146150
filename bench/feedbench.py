#!/usr/bin/python3
"""
feedbench.py - issue 20's measurements over HTTP (bench/run.sh runs it):

    feedbench.py follow PORT KEY MAX      the change feed read from since=0,
                                          1000 a page, up to MAX entries:
                                          entries=, pages=, seconds=, per_s=
    feedbench.py export PORT KEY PID PATH one export (GET PATH, e.g.
                                          /v1/enterprises?format=xlsx): bytes=,
                                          seconds=, rows? and the server's peak
                                          RSS before and after (VmHWM of PID)

Standard library only.
"""

import http.client
import json
import sys
import time


def hwm(pid):
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def get(port, key, path):
    c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=600)
    c.request("GET", path, headers={"Authorization": "Bearer " + key})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


def main():
    cmd = sys.argv[1]
    if cmd == "follow":
        port, key, cap = sys.argv[2], sys.argv[3], int(sys.argv[4])
        cur, n, pages, t0 = "0", 0, 0, time.time()
        while n < cap:
            st, body = get(port, key, "/v1/changes?since=%s&limit=1000" % cur)
            if st != 200:
                sys.exit("GET /v1/changes: %d %s" % (st, body[:200]))
            d = json.loads(body)
            n += len(d["changes"])
            pages += 1
            cur = d["next"]
            if not d["more"]:
                break
        s = time.time() - t0
        print("entries=%d\npages=%d\nseconds=%.2f\nper_s=%.0f" % (n, pages, s, n / s if s else 0))
    elif cmd == "export":
        port, key, pid, path = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
        before = hwm(pid)
        t0 = time.time()
        st, body = get(port, key, path)
        s = time.time() - t0
        if st != 200:
            sys.exit("GET %s: %d %s" % (path, st, body[:200]))
        print("bytes=%d\nseconds=%.2f\nhwm_before_kib=%d\nhwm_after_kib=%d" % (
            len(body), s, before, hwm(pid)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
