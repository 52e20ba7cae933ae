"""tests/clients/harness.py - what the Python client tests share.

Not a test: the scripts here `import harness` (run as
/usr/bin/python3 tests/clients/x.py, from any directory, Python puts the
script's own folder first on sys.path).  Report(prefix) prints one
"ok NAME" / "FAIL NAME" line per check, NAME being prefix + the check's
name, as run.sh's tally counts them; what a FAIL has to say (a detail, a
traceback's last lines) follows it on lines indented by two spaces, and
.fails counts the FAILs for a script's exit status.  expect() raises
AssertionError when a value is not the one wanted, free_port() finds a
free loopback port, connect() opens a psycopg2 connection as the user
"test" that run.sh's databases have.
"""
import socket
import sys
import traceback

DETAIL_CHARS = 3000   # a FAIL's detail is cut here (whole tables can differ)


class Report:
    """The ok / FAIL lines of one script; .fails counts the FAILs."""

    def __init__(self, prefix=""):
        self.prefix = prefix
        self.fails = 0

    def ok(self, name):
        print("ok " + self.prefix + name, flush=True)

    def fail(self, name, detail=""):
        """FAIL NAME, then detail (str() of it, cut at DETAIL_CHARS)
        indented below it."""
        self.fails += 1
        print("FAIL " + self.prefix + name)
        detail = str(detail)
        if detail:
            print("  " + detail.replace("\n", "\n  ")[:DETAIL_CHARS])
        sys.stdout.flush()

    def failed(self, name, depth=8):
        """fail() for the exception being handled (call it in an except
        block): the last depth lines of its traceback, all of them when
        depth is None, uncut."""
        lines = traceback.format_exc().rstrip("\n").splitlines()
        self.fails += 1
        print("FAIL " + self.prefix + name)
        for line in lines[-depth:] if depth else lines:
            print("  " + line)
        sys.stdout.flush()

    def check(self, name, cond, detail=""):
        """ok when cond is true, else fail(name, detail); returns cond."""
        if cond:
            self.ok(name)
        else:
            self.fail(name, detail)
        return cond

    def run(self, name, fn, *args):
        """Calls fn(*args): ok if it returns, failed() if it raises.
        Returns whether it passed."""
        try:
            fn(*args)
        except Exception:
            self.failed(name)
            return False
        self.ok(name)
        return True

    def test(self, fn):
        """Decorator: runs fn() at once as the check fn.__name__ and
        returns fn."""
        self.run(fn.__name__, fn)
        return fn


def expect(got, want, what=""):
    if got != want:
        raise AssertionError("%s: expected %r, got %r" % (what, want, got))


def free_port():
    """A loopback TCP port nobody listens on (now: take it soon)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def connect(port, dbname="test", user="test", **kw):
    """A psycopg2 connection to 127.0.0.1:port; kw go to psycopg2.connect
    (connect_timeout is 10 s unless given)."""
    import psycopg2   # here, so that the stdlib-only scripts need no psycopg2
    kw.setdefault("connect_timeout", 10)
    return psycopg2.connect(host="127.0.0.1", port=port, user=user, dbname=dbname, **kw)
