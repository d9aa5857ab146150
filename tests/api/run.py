#!/usr/bin/python3
"""
run.py - runs shucu's black-box HTTP tests.

    /usr/bin/python3 tests/api/run.py [SUBSTRING...]

Discovers tests/api/test_*.py, and in each module the functions named test_*
in definition order.  A module may define setup_module() and
teardown_module().  Arguments keep only the tests whose "module.name"
contains one of them.  Prints "ok   name", "FAIL name" with the message and
the last request, or "skip name: why"; the last line is exactly
"N passed, N failed" and the exit code is 1 if anything failed.

A server that exited while a test ran is a failure of that test, and the
runner restarts it (same port, same database) so the rest of the module can
go on.  Servers a test started and left running are killed after it.
"""

import importlib
import os
import signal
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import lib  # noqa: E402

TEST_TIMEOUT = int(os.environ.get("SHUCU_TEST_TIMEOUT", "240"))


class TestTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise TestTimeout("test took longer than %ds" % TEST_TIMEOUT)


def describe(exc):
    """One readable line (or a few) for an exception: where in the test file
    it happened and what it says."""
    tb = traceback.extract_tb(exc.__traceback__)
    where = [f for f in tb if os.path.basename(f.filename).startswith("test_")]
    loc = "%s:%d: " % (os.path.basename(where[-1].filename), where[-1].lineno) if where else ""
    if isinstance(exc, AssertionError):
        return loc + (str(exc) or "assertion failed")
    if where:
        return "%s%s: %s" % (loc, type(exc).__name__, exc)
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip()


def indent(text, pad="    "):
    return "\n".join(pad + line for line in text.splitlines())


def last_request():
    if lib.LAST is None:
        return ""
    summary, resp = lib.LAST
    if resp is None:
        return "last request: %s (no response)" % summary
    return "last request: %s\n  -> %r" % (summary, resp)


def main(argv):
    filters = argv[1:]
    names = sorted(f[:-3] for f in os.listdir(HERE)
                   if f.startswith("test_") and f.endswith(".py"))
    passed = failed = 0
    signal.signal(signal.SIGALRM, _alarm)

    def fail(name, text):
        nonlocal failed
        failed += 1
        print("FAIL %s" % name)
        if text:
            print(indent(text))
        sys.stdout.flush()

    for modname in names:
        try:
            mod = importlib.import_module(modname)
        except Exception as e:  # noqa: BLE001 - a broken module is one failure
            fail(modname, "import failed:\n" + describe(e))
            continue
        tests = [(n, f) for n, f in vars(mod).items()
                 if n.startswith("test_") and callable(f)]
        full = lambda n: "%s.%s" % (modname, n)  # noqa: E731
        if filters:
            tests = [(n, f) for n, f in tests if any(x in full(n) for x in filters)]
        if not tests:
            continue
        lib.CURRENT = None
        lib.LAST = None
        setup = getattr(mod, "setup_module", None)
        if setup:
            try:
                signal.alarm(TEST_TIMEOUT)
                setup()
                signal.alarm(0)
            except BaseException as e:  # noqa: BLE001
                signal.alarm(0)
                if isinstance(e, KeyboardInterrupt):
                    raise
                msg = "setup_module failed: " + describe(e)
                for n, _ in tests:
                    fail(full(n), msg)
                    msg = "(setup_module failed, see above)"
                teardown = getattr(mod, "teardown_module", None)
                if teardown:
                    try:
                        teardown()
                    except BaseException:  # noqa: BLE001
                        pass
                continue

        for n, f in tests:
            before = list(lib.SERVERS)
            lib.LAST = None
            problems = []
            skipped = None
            try:
                signal.alarm(TEST_TIMEOUT)
                f()
            except lib.Skip as e:
                skipped = str(e)
            except KeyboardInterrupt:
                raise
            except BaseException as e:  # noqa: BLE001
                problems.append(describe(e))
                lr = last_request()
                if lr and not (lib.LAST[1] is not None and repr(lib.LAST[1]) in problems[0]):
                    problems.append(lr)
            finally:
                signal.alarm(0)
            # Servers the module owns must have survived the test.
            for s in before:
                if s.expect_running and s.proc is not None and s.proc.poll() is not None:
                    problems.append("server on port %d exited with %s during the test:\n%s" % (
                        s.port, s.proc.returncode, indent(lib.tail(s.log, 60), "  ")))
                    try:
                        s.start()
                    except AssertionError as e:
                        problems.append("restart failed: %s" % e)
            # Servers the test started and left behind are killed.
            for s in lib.SERVERS[len(before):]:
                if s.proc is not None and s.proc.poll() is None:
                    s.kill()
                if s.own_redis:
                    s.own_redis.kill()
            if problems:
                fail(full(n), "\n".join(problems))
            elif skipped is not None:
                print("skip %s: %s" % (full(n), skipped))
            else:
                passed += 1
                print("ok   %s" % full(n))
            sys.stdout.flush()

        teardown = getattr(mod, "teardown_module", None)
        if teardown:
            try:
                signal.alarm(TEST_TIMEOUT)
                teardown()
            except BaseException as e:  # noqa: BLE001
                if isinstance(e, KeyboardInterrupt):
                    raise
                fail("%s.teardown_module" % modname, describe(e))
            finally:
                signal.alarm(0)

    print("%d passed, %d failed" % (passed, failed))
    sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
