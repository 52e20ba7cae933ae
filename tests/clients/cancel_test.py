#!/usr/bin/python3
"""tests/clients/cancel_test.py PORT SERVER CLI TMPDIR - cancel and timeouts.

Against the main server on PORT: BackendKeyData secrets differ per
connection; a CancelRequest with the right pid and secret stops a running
statement within milliseconds (57014), one with a wrong secret or pid does
nothing; psql's Ctrl-C (SIGINT to psql, which sends CancelRequest);
pg_cancel_backend and pg_terminate_backend (and who may use them);
statement_timeout, lock_timeout, idle_in_transaction_session_timeout
(FATAL 25P03) and idle_session_timeout (FATAL 57P05), with PostgreSQL's
units.  Against a server of its own (SERVER, a database made with CLI in
TMPDIR): SIGINT (fast shutdown) during a long statement ends it with FATAL
57P01 and the server exits within seconds.  Prints "ok NAME" / "FAIL NAME" lines.
"""
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

import psycopg2
import psycopg2.errors

import harness

PORT = int(sys.argv[1])
SERVER, CLI, TMPDIR = sys.argv[2], sys.argv[3], sys.argv[4]
# 1e9 joined rows: half a minute unless cancelled
SLOW = "select count(*) from " + ", ".join("cx t%d" % i for i in range(9))
MEDIUM = "select count(*) from " + ", ".join("cx t%d" % i for i in range(7))   # ~1e7 rows

test = harness.Report("cancel_").test


def connect(port=PORT, **kw):
    return harness.connect(port, **kw)


# ---- a raw protocol client, to see BackendKeyData and FATAL messages ----

def recv_exact(s, n):
    b = b""
    while len(b) < n:
        chunk = s.recv(n - len(b))
        if not chunk:
            raise EOFError("connection closed after %d of %d bytes" % (len(b), n))
        b += chunk
    return b


def read_msg(s):
    t = recv_exact(s, 1)
    n = struct.unpack("!I", recv_exact(s, 4))[0]
    return t, recv_exact(s, n - 4)


def fields(body):
    out = {}
    for part in body.split(b"\0"):
        if part:
            out[chr(part[0])] = part[1:].decode()
    return out


class Raw:
    """Startup, then simple queries; .pid/.secret from BackendKeyData."""

    def __init__(self, port=PORT):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        params = b"user\0test\0database\0test\0\0"
        self.s.sendall(struct.pack("!II", 8 + len(params), 196608) + params)
        while True:
            t, body = read_msg(self.s)
            if t == b"K":
                self.pid, self.secret = struct.unpack("!II", body)
            if t == b"Z":
                break

    def query(self, sql):
        """Sends sql; returns the list of (type, body) up to ReadyForQuery."""
        b = sql.encode() + b"\0"
        self.s.sendall(b"Q" + struct.pack("!I", 4 + len(b)) + b)
        out = []
        while True:
            t, body = read_msg(self.s)
            out.append((t, body))
            if t == b"Z":
                return out

    def close(self):
        self.s.close()


def cancel_request(pid, secret, port=PORT):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(struct.pack("!IIII", 16, 80877102, pid, secret))
    # the server closes without a reply
    s.settimeout(5)
    assert s.recv(1) == b""
    s.close()


def setup():
    conn = connect()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("drop table if exists cx")
    cur.execute("create table cx (n int primary key)")
    cur.execute("insert into cx values " + ",".join("(%d)" % i for i in range(10)))
    conn.close()


setup()


def run_in_thread(fn):
    box = {}

    def body():
        t0 = time.time()
        try:
            box["result"] = fn()
        except Exception as e:   # noqa: BLE001 - reported to the caller
            box["error"] = e
        box["took"] = time.time() - t0

    th = threading.Thread(target=body)
    th.start()
    return th, box


@test
def backend_keys_differ():
    a, b = Raw(), Raw()
    assert a.pid != b.pid, (a.pid, b.pid)
    assert a.secret != b.secret, "two connections got the same secret"
    a.close()
    b.close()


@test
def cancel_request_stops_statement():
    conn = connect()
    conn.autocommit = True
    cur = conn.cursor()
    th, box = run_in_thread(lambda: cur.execute(SLOW))
    time.sleep(0.3)
    t0 = time.time()
    conn.cancel()   # libpq's PQcancel: CancelRequest with pid and secret
    th.join(20)
    assert not th.is_alive(), "statement still running 20 s after the cancel"
    after = time.time() - t0
    e = box.get("error")
    assert isinstance(e, psycopg2.errors.QueryCanceled), repr(e)
    assert e.pgcode == "57014" and "due to user request" in str(e), str(e)
    assert after < 1.0, "cancel took %.3f s" % after
    # the session goes on
    cur.execute("select 1")
    assert cur.fetchone() == (1,)
    conn.close()


@test
def cancel_needs_matching_secret():
    raw = Raw()
    th, box = run_in_thread(lambda: raw.query(MEDIUM))
    time.sleep(0.2)
    cancel_request(raw.pid, raw.secret ^ 1)      # wrong secret
    cancel_request(raw.pid + 100000, raw.secret)  # no such backend
    th.join(60)
    assert "error" not in box, repr(box.get("error"))
    kinds = [t for t, _ in box["result"]]
    assert b"E" not in kinds, [fields(b) for t, b in box["result"] if t == b"E"]
    assert b"D" in kinds, kinds
    # and the right one works on the same connection
    th, box = run_in_thread(lambda: raw.query(SLOW))
    time.sleep(0.2)
    cancel_request(raw.pid, raw.secret)
    th.join(20)
    errs = [fields(b) for t, b in box["result"] if t == b"E"]
    assert errs and errs[0]["C"] == "57014", errs
    raw.close()


@test
def cancel_when_idle_is_harmless():
    raw = Raw()
    cancel_request(raw.pid, raw.secret)
    time.sleep(0.1)
    res = raw.query("select 42")
    assert [t for t, _ in res] == [b"T", b"D", b"C", b"Z"], res
    raw.close()


@test
def psql_ctrl_c():
    env = dict(os.environ, PGCONNECT_TIMEOUT="10")
    p = subprocess.Popen(["psql", "-X", "-h", "127.0.0.1", "-p", str(PORT), "-U", "test",
                          "-d", "test", "-c", SLOW], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    time.sleep(1.0)
    t0 = time.time()
    p.send_signal(signal.SIGINT)   # what Ctrl-C does: psql sends CancelRequest
    out, err = p.communicate(timeout=20)
    took = time.time() - t0
    assert b"canceling statement due to user request" in err, (out, err)
    assert took < 2.0, took


@test
def client_vanishes_mid_statement():
    """A client that closes its connection while its statement runs: the
    statement stops within moments (the server watches the socket for a
    hang-up), and its session leaves pg_stat_activity."""
    r = Raw()
    pid = r.pid
    b = SLOW.encode() + b"\0"
    r.s.sendall(b"Q" + struct.pack("!I", 4 + len(b)) + b)
    watch = connect()
    watch.autocommit = True
    cur = watch.cursor()
    for _ in range(100):   # running
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s AND state = 'active'", (pid,))
        if cur.fetchone()[0] == 1:
            break
        time.sleep(0.02)
    else:
        raise AssertionError("the statement never ran")
    r.s.close()   # the client vanishes mid-statement
    t0 = time.time()
    while time.time() - t0 < 5:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,))
        if cur.fetchone()[0] == 0:
            break
        time.sleep(0.05)
    took = time.time() - t0
    watch.close()
    assert took < 2.0, "its session stayed %.1f s" % took


@test
def statement_timeout():
    conn = connect()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("set statement_timeout = 1000")
    cur.execute("show statement_timeout")
    assert cur.fetchone() == ("1s",)
    cur.execute("set statement_timeout = '250ms'")
    cur.execute("show statement_timeout")
    assert cur.fetchone() == ("250ms",)
    t0 = time.time()
    try:
        cur.execute(SLOW)
        raise AssertionError("no timeout")
    except psycopg2.errors.QueryCanceled as e:
        assert "statement timeout" in str(e), str(e)
        assert e.pgcode == "57014"
    took = time.time() - t0
    assert 0.2 < took < 1.5, took
    # a quick statement is not disturbed, and the timer does not leak into it
    cur.execute("select count(*) from cx")
    assert cur.fetchone() == (10,)
    time.sleep(0.4)
    cur.execute("select 1")
    cur.execute("set statement_timeout = 0")
    for bad in ("'abc'", "'-5'", "'10 parsecs'"):
        try:
            cur.execute("set statement_timeout = " + bad)
            raise AssertionError("accepted " + bad)
        except psycopg2.errors.InvalidParameterValue:
            pass
    cur.execute("set statement_timeout = '2min'")
    cur.execute("show statement_timeout")
    assert cur.fetchone() == ("2min",)
    conn.close()


@test
def lock_timeout_accepted():
    conn = connect()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("set lock_timeout = '5s'")
    cur.execute("show lock_timeout")
    assert cur.fetchone() == ("5s",)
    cur.execute("select count(*) from cx")
    assert cur.fetchone() == (10,)
    conn.close()


@test
def idle_in_transaction_timeout():
    raw = Raw()
    raw.query("set idle_in_transaction_session_timeout = '300ms'")
    res = raw.query("begin")
    assert res[-1][1] == b"T"
    time.sleep(0.2)
    res = raw.query("select 1")   # still alive at 200 ms: the timer restarts
    assert res[-1][1] == b"T", res
    t0 = time.time()
    t, body = read_msg(raw.s)     # the server speaks first
    took = time.time() - t0
    f = fields(body)
    assert t == b"E" and f["S"] == "FATAL" and f["C"] == "25P03", (t, f)
    assert f["M"] == "terminating connection due to idle-in-transaction timeout", f
    assert 0.2 < took < 2.0, took
    assert raw.s.recv(1) == b""
    raw.close()
    # outside a transaction the same setting does nothing
    raw = Raw()
    raw.query("set idle_in_transaction_session_timeout = '100ms'")
    time.sleep(0.3)
    assert raw.query("select 1")[-1][1] == b"I"
    raw.close()


@test
def idle_session_timeout():
    raw = Raw()
    raw.query("set idle_session_timeout = '300ms'")
    t, body = read_msg(raw.s)
    f = fields(body)
    assert t == b"E" and f["S"] == "FATAL" and f["C"] == "57P05", (t, f)
    raw.close()


def sigint_case():
    d = os.path.join(TMPDIR, "cancel-db")
    subprocess.run([CLI, "init", d, "--superuser", "test"], check=True, stdout=subprocess.DEVNULL)
    log = open(os.path.join(TMPDIR, "cancel-server.log"), "w+")
    for attempt in range(8):
        port = 56000 + (os.getpid() + attempt * 97) % 900
        srv = subprocess.Popen([SERVER, "--data-path", d, "--listen", "127.0.0.1:%d" % port],
                               stderr=log)
        for _ in range(100):
            time.sleep(0.05)
            log.seek(0)
            if "listening on" in log.read() or srv.poll() is not None:
                break
        if srv.poll() is None:
            break
    try:
        conn = connect(port)
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("create table cx (n int primary key)")
        cur.execute("insert into cx values " + ",".join("(%d)" % i for i in range(10)))
        idle = Raw(port)
        busy = Raw(port)
        sql = SLOW.encode() + b"\0"
        busy.s.sendall(b"Q" + struct.pack("!I", 4 + len(sql)) + sql)

        def until_eof():
            msgs = []
            try:
                while True:
                    msgs.append(read_msg(busy.s))
            except EOFError:
                return msgs
        th, box = run_in_thread(until_eof)
        th2, box2 = run_in_thread(lambda: cur.execute(SLOW))
        time.sleep(0.3)
        t0 = time.time()
        srv.send_signal(signal.SIGINT)
        th.join(10)
        th2.join(10)
        assert not th.is_alive() and not th2.is_alive(), "statement still running"
        errs = [fields(b) for t, b in box["result"] if t == b"E"]
        assert errs and errs[0]["C"] == "57P01" and errs[0]["S"] == "FATAL", box["result"]
        assert errs[0]["M"] == "terminating connection due to administrator command", errs
        # libpq reports the connection lost (its result had begun)
        assert isinstance(box2.get("error"), psycopg2.OperationalError), box2
        t, body = read_msg(idle.s)
        f = fields(body)
        assert t == b"E" and f["C"] == "57P01" and f["S"] == "FATAL", f
        rc = srv.wait(10)
        took = time.time() - t0
        assert rc == 0, rc
        assert took < 3.0, took
    finally:
        if srv.poll() is None:
            srv.kill()
            srv.wait()


@test
def pg_cancel_backend_running():
    """pg_cancel_backend(pid) stops another session's statement (57014)."""
    a, b = connect(), connect()
    a.autocommit = b.autocommit = True
    ca, cb = a.cursor(), b.cursor()
    ca.execute("create table if not exists cx (i int)")
    ca.execute("select pg_backend_pid()")
    pid = ca.fetchone()[0]
    th, box = run_in_thread(lambda: ca.execute(SLOW))
    time.sleep(0.3)
    t0 = time.time()
    cb.execute("select pg_cancel_backend(%s)", (pid,))
    assert cb.fetchone()[0] is True
    th.join(10)
    assert not th.is_alive(), "statement still running"
    e = box.get("error")
    assert isinstance(e, psycopg2.errors.QueryCanceled), box
    assert time.time() - t0 < 2.0
    ca.execute("select 1")   # the session lives on
    assert ca.fetchone()[0] == 1
    cb.execute("select pg_cancel_backend(2147483000)")
    assert cb.fetchone()[0] is False
    assert any("PID 2147483000 is not a PostgreSQL backend process" in n for n in b.notices), b.notices
    a.close()
    b.close()


@test
def pg_terminate_backend_idle():
    """pg_terminate_backend(pid) ends an idle session at once: FATAL 57P01."""
    idle = Raw()
    b = connect()
    b.autocommit = True
    cb = b.cursor()
    cb.execute("select pg_terminate_backend(%s)", (idle.pid,))
    assert cb.fetchone()[0] is True
    idle.s.settimeout(5)
    t, body = read_msg(idle.s)
    f = fields(body)
    assert t == b"E" and f["C"] == "57P01" and f["S"] == "FATAL", f
    assert f["M"] == "terminating connection due to administrator command", f
    try:
        extra = idle.s.recv(1)
    except OSError:
        extra = b""
    assert extra == b"", "connection still open"
    b.close()


@test
def pg_signal_backend_rights():
    """A non-superuser signals sessions of its own role only, never a superuser's (42501)."""
    su = connect()
    su.autocommit = True
    cs = su.cursor()
    cs.execute("drop role if exists cx_sig")
    cs.execute("create role cx_sig login")
    cs.execute("select pg_backend_pid()")
    su_pid = cs.fetchone()[0]
    mine, other = connect(user="cx_sig"), connect(user="cx_sig")
    mine.autocommit = other.autocommit = True
    cm, co = mine.cursor(), other.cursor()
    co.execute("select pg_backend_pid()")
    other_pid = co.fetchone()[0]
    for fn, msg in (("pg_cancel_backend", "must be a superuser to cancel superuser query"),
                    ("pg_terminate_backend", "must be a superuser to terminate superuser process")):
        try:
            cm.execute("select %s(%%s)" % fn, (su_pid,))
            raise AssertionError(fn + " of a superuser's session succeeded")
        except psycopg2.errors.InsufficientPrivilege as e:
            assert e.diag.message_primary == msg, e.diag.message_primary
    cm.execute("select pg_cancel_backend(%s)", (other_pid,))
    assert cm.fetchone()[0] is True
    cs.execute("select 1")   # the superuser's session was left alone
    mine.close()
    other.close()
    cs.execute("drop role cx_sig")
    su.close()


@test
def sigint_cancels_running_statement():
    sigint_case()

