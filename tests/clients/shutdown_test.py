#!/usr/bin/python3
"""tests/clients/shutdown_test.py BUILD PGBIN - smart shutdown and a flood
of connections, side by side with a PostgreSQL 15.

On servers of its own (BUILD/driftdb-server over fresh databases):
SIGTERM is PostgreSQL's smart shutdown: open sessions go on (queries, a
transaction committed, a CancelRequest honoured), a new connection gets
FATAL 57P03 "the database system is shutting down", a second SIGTERM
changes nothing, and the server exits 0 once its last client has left,
with what was committed kept; SIGINT or SIGQUIT during it is a fast
shutdown at once (FATAL 57P01 to every session, open transactions rolled
back, exit 0).  --max-connections 5 with five sessions open: 200 clients
connecting at once each get FATAL 53300 "sorry, too many clients
already" (raw sockets, plaintext and asking for TLS), the five go on
running queries through the flood, a CancelRequest still reaches them,
300 silent sockets neither keep a new client from its 53300 nor stay
open past the rejector's deadline, and a slot freed is a session again.
The refusals are compared with those of a PostgreSQL 15 started here
(PGBIN; max_connections 3) in the same two states.
Prints "ok NAME" / "FAIL NAME" lines.
"""
import os
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

import psycopg2
import psycopg2.errors

import harness
from harness import expect, free_port

BUILD, PGBIN = sys.argv[1], sys.argv[2]
report = harness.Report("shutdown_")
check = report.check

# ---- raw protocol ----------------------------------------------------------


def startup_packet(user="test", database="test"):
    body = struct.pack("!I", 196608) + b"user\0" + user.encode() + b"\0database\0" + database.encode() + b"\0\0"
    return struct.pack("!I", len(body) + 4) + body


SSL_REQUEST = struct.pack("!II", 8, 80877103)


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        chunk = s.recv(n - len(b))
        if not chunk:
            raise EOFError("closed after %d of %d bytes" % (len(b), n))
        b += chunk
    return b


def read_msg(s):
    t = recv_exact(s, 1)
    n = struct.unpack("!I", recv_exact(s, 4))[0]
    return t, recv_exact(s, n - 4)


def fields(body):
    return {chr(p[0]): p[1:].decode() for p in body.split(b"\0") if p}


def refusal(port, timeout=10):
    """Connects, sends a StartupMessage and reads to EOF: the first
    ErrorResponse's S, C and M fields (None when there was none)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(startup_packet())
        while True:
            t, body = read_msg(s)
            if t == b"E":
                f = fields(body)
                return {k: f.get(k) for k in "SCM"}
            if t == b"Z":
                return None   # admitted
    except (EOFError, ConnectionResetError):
        return None
    finally:
        s.close()


class Raw:
    """A raw-socket session (logged in), to read what the server sends
    when it ends it."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.s.sendall(startup_packet())
        while read_msg(self.s)[0] != b"Z":
            pass

    def query(self, sql):
        q = sql.encode() + b"\0"
        self.s.sendall(b"Q" + struct.pack("!I", 4 + len(q)) + q)
        msgs = []
        while True:
            t, body = read_msg(self.s)
            msgs.append((t, body))
            if t == b"Z":
                return msgs

    def fatal(self):
        """The FATAL the server sends unasked, then EOF: its fields."""
        t, body = read_msg(self.s)
        expect(t, b"E", "message type")
        return fields(body)

    def close(self):
        try:
            self.s.sendall(b"X\0\0\0\4")
        except OSError:
            pass
        self.s.close()


# ---- servers ---------------------------------------------------------------

TMP = tempfile.mkdtemp(prefix="driftdb-shutdown.")


class DD:
    """A driftdb-server over a fresh database of its own."""
    n = 0

    def __init__(self, *extra):
        DD.n += 1
        self.dir = os.path.join(TMP, "db%d" % DD.n)
        subprocess.run([BUILD + "/driftdb", "init", self.dir, "--superuser", "test"], check=True,
                       stdout=subprocess.DEVNULL)
        self.logpath = self.dir + ".log"
        self.logf = open(self.logpath, "w")
        for _ in range(5):
            self.port = free_port()
            self.proc = subprocess.Popen([BUILD + "/driftdb-server", "--data-path", self.dir, "--listen",
                                          "127.0.0.1:%d" % self.port, "--socket-dir", ""] + list(extra),
                                         stderr=self.logf)
            if self.wait_log("ready to accept connections", 10):
                return
            self.kill()
        raise RuntimeError("driftdb-server did not start: " + self.log())

    def log(self):
        with open(self.logpath) as f:
            return f.read()

    def wait_log(self, text, secs=5, count=1):
        end = time.time() + secs
        while time.time() < end:
            if self.log().count(text) >= count:
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.02)
        return False

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, secs):
        """The exit status, or None when it still runs after secs."""
        try:
            return self.proc.wait(secs)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def count(self, table):
        out = subprocess.run([BUILD + "/driftdb", "sql", "--data", self.dir, "--format", "csv", "-e",
                              "SELECT count(*) FROM %s" % table], check=True, capture_output=True, text=True)
        return int(out.stdout.strip().splitlines()[-1])


def as_postgres():
    return ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []


def postgres_refusals():
    """A PostgreSQL 15 with max_connections 3: what a fourth client gets,
    then, with one session open, what a new client gets after SIGTERM.
    {"too_many": fields, "shutting_down": fields, ...}; raises when it
    cannot start."""
    pg = tempfile.mkdtemp(prefix="driftdb-shutdown-pg.")   # not under TMP: postgres must reach it
    if os.getuid() == 0:
        shutil.chown(pg, "postgres")
    subprocess.run(as_postgres() + [PGBIN + "/initdb", "--no-sync", "-D", pg + "/data", "-A", "trust", "-U", "test"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port()
    opts = ("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=3 "
            "-c superuser_reserved_connections=0 -c max_wal_senders=0" % (port, pg))
    subprocess.run(as_postgres() + [PGBIN + "/pg_ctl", "-D", pg + "/data", "-w", "-t", "30", "-l", pg + "/log",
                                    "-o", opts, "start"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    with open(pg + "/data/postmaster.pid") as f:
        pid = int(f.readline())
    out = {}
    conns = []
    try:
        for _ in range(3):
            conns.append(harness.connect(port, dbname="postgres"))
        out["too_many"] = refusal(port)
        for c in conns[1:]:
            c.close()
        conns = conns[:1]
        time.sleep(0.3)
        os.kill(pid, signal.SIGTERM)
        time.sleep(0.5)
        out["shutting_down"] = refusal(port)
        cur = conns[0].cursor()
        cur.execute("SELECT 1")
        out["session_goes_on"] = cur.fetchone()[0] == 1
        conns[0].close()
        end = time.time() + 10
        while time.time() < end and os.path.exists(pg + "/data/postmaster.pid"):
            time.sleep(0.05)
        out["exited"] = not os.path.exists(pg + "/data/postmaster.pid")
    finally:
        for c in conns:
            c.close()
        if os.path.exists(pg + "/data/postmaster.pid"):
            subprocess.run(as_postgres() + [PGBIN + "/pg_ctl", "-D", pg + "/data", "-m", "immediate", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(pg, ignore_errors=True)
    return out


TOO_MANY = {"S": "FATAL", "C": "53300", "M": "sorry, too many clients already"}
SHUTTING_DOWN = {"S": "FATAL", "C": "57P03", "M": "the database system is shutting down"}
TERMINATED = ("57P01", "terminating connection due to administrator command")

try:
    PG = postgres_refusals()
except Exception as e:
    PG = None
    report.fail("postgres_started", "PostgreSQL 15 (%s) could not run: %s" % (PGBIN, e))


def like_postgres(name, state, got):
    """got must be what PostgreSQL 15 sent in state (and TOO_MANY /
    SHUTTING_DOWN, what it sends)."""
    want = {"too_many": TOO_MANY, "shutting_down": SHUTTING_DOWN}[state]
    pg = PG.get(state) if PG else None
    check(name, got == want and (PG is None or pg == want), "driftdb %r, postgres %r, expected %r" % (got, pg, want))


if PG:
    check("postgres_smart_shutdown", PG.get("session_goes_on") and PG.get("exited"), repr(PG))


def run_in_thread(fn):
    box = {}

    def body():
        try:
            box["result"] = fn()
        except Exception as e:
            box["error"] = e
    th = threading.Thread(target=body, daemon=True)
    th.start()
    return th, box


# ---- smart shutdown --------------------------------------------------------

@report.test
def smart_shutdown():
    """SIGTERM: the open sessions go on, new clients get 57P03, the server
    exits 0 when the last client leaves, and what they committed stays."""
    dd = DD()
    try:
        a = harness.connect(dd.port)
        cur = a.cursor()
        cur.execute("CREATE TABLE t (n int)")
        a.commit()
        cur.execute("INSERT INTO t VALUES (1)")   # a transaction open across the SIGTERM
        idle = Raw(dd.port)
        dd.signal(signal.SIGTERM)
        assert dd.wait_log("received smart shutdown request"), dd.log()

        like_postgres("smart_refuses_new_client", "shutting_down", refusal(dd.port))
        try:
            harness.connect(dd.port).close()
            raise AssertionError("a new connection was let in")
        except psycopg2.OperationalError as e:
            assert "the database system is shutting down" in str(e), e

        cur.execute("INSERT INTO t VALUES (2)")
        a.commit()
        cur.execute("SELECT count(*) FROM t")
        expect(cur.fetchone()[0], 2, "rows seen by the open session")
        a.commit()
        expect(idle.query("SELECT 40 + 2")[1][0], b"D", "the idle session's query")

        # a CancelRequest comes on a new connection: still honoured
        th, box = run_in_thread(lambda: cur.execute("SELECT pg_sleep(20)"))
        time.sleep(0.3)
        a.cancel()
        th.join(5)
        assert isinstance(box.get("error"), psycopg2.errors.QueryCanceled), box
        a.rollback()

        dd.signal(signal.SIGTERM)   # a second one changes nothing
        time.sleep(0.5)
        expect(dd.proc.poll(), None, "server running with two clients")
        expect(dd.log().count("received smart shutdown request"), 1, "smart shutdown requests logged")
        a.close()
        time.sleep(0.3)
        expect(dd.proc.poll(), None, "server running with one client left")
        idle.close()
        expect(dd.wait(5), 0, "exit status once the last client left")
        assert "database system is shut down" in dd.log(), dd.log()
        expect(dd.count("t"), 2, "rows committed during the smart shutdown")
    finally:
        dd.kill()


@report.test
def smart_without_clients():
    """SIGTERM with no client: exit 0 at once."""
    dd = DD()
    try:
        t0 = time.time()
        dd.signal(signal.SIGTERM)
        expect(dd.wait(5), 0, "exit status")
        assert time.time() - t0 < 2, time.time() - t0
    finally:
        dd.kill()


def smart_then(sig):
    """SIGTERM, then sig while two sessions (one in a transaction) stay:
    both get FATAL 57P01 and the server exits 0 at once, the transaction
    rolled back."""
    dd = DD()
    try:
        idle, txn = Raw(dd.port), Raw(dd.port)
        txn.query("CREATE TABLE t (n int)")
        txn.query("BEGIN")
        txn.query("INSERT INTO t VALUES (1)")
        dd.signal(signal.SIGTERM)
        assert dd.wait_log("received smart shutdown request"), dd.log()
        expect(refusal(dd.port), SHUTTING_DOWN, "a new client during the smart shutdown")
        time.sleep(0.3)
        t0 = time.time()
        dd.signal(sig)
        for r in (idle, txn):
            f = r.fatal()
            expect((f.get("S"), f.get("C"), f.get("M")), ("FATAL",) + TERMINATED, "what a session got")
        expect(dd.wait(5), 0, "exit status")
        assert time.time() - t0 < 3, "took %.1f s" % (time.time() - t0)
        expect(dd.count("t"), 0, "rows of the transaction cut off")
    finally:
        dd.kill()


report.run("smart_then_sigint_is_fast", smart_then, signal.SIGINT)
report.run("smart_then_sigquit_is_fast", smart_then, signal.SIGQUIT)


@report.test
def sigint_is_fast():
    """SIGINT alone: the fast shutdown it always was."""
    dd = DD()
    try:
        r = Raw(dd.port)
        dd.signal(signal.SIGINT)
        expect(r.fatal().get("C"), TERMINATED[0], "SQLSTATE")
        expect(dd.wait(5), 0, "exit status")
    finally:
        dd.kill()


# ---- a flood of connections ------------------------------------------------

def flood(port, n, first=b""):
    """n clients connecting at once (all sockets open before any packet is
    sent), each sending first (an SSLRequest, or nothing) and then, after
    its answer, a StartupMessage: {what each got: how many}, what being the
    ErrorResponse's (S, C, M) or a description."""
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.settimeout(20)
        s.connect(("127.0.0.1", port))
        s.setblocking(False)
        socks.append(s)
    sel = selectors.DefaultSelector()
    state = {}
    for s in socks:
        if first:
            s.send(first)
            state[s] = ["answer", b""]
        else:
            s.send(startup_packet())
            state[s] = ["reply", b""]
        sel.register(s, selectors.EVENT_READ)
    got = {}
    end = time.time() + 30
    while state and time.time() < end:
        for key, _ in sel.select(timeout=1):
            s = key.fileobj
            st = state[s]
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, BlockingIOError) as e:
                chunk = b"" if isinstance(e, ConnectionResetError) else None
            if chunk is None:
                continue
            if st[0] == "answer":
                if chunk[:1] == b"N":
                    st[0] = "reply"
                    s.send(startup_packet())
                    continue
                what = "SSLRequest answered %r" % chunk[:1]
            else:
                st[1] += chunk
                if chunk and not (len(st[1]) >= 5 and len(st[1]) >= 1 + struct.unpack("!I", st[1][1:5])[0]):
                    continue
                b = st[1]
                if b[:1] == b"E":
                    f = fields(b[5:1 + struct.unpack("!I", b[1:5])[0]])
                    what = (f.get("S"), f.get("C"), f.get("M"))
                else:
                    what = "got %r" % b[:20]
            got[what] = got.get(what, 0) + 1
            sel.unregister(s)
            del state[s]
    if state:
        got["no answer in 30 s"] = len(state)
    for s in socks:
        s.close()
    return got


@report.test
def flood_refused_53300():
    """--max-connections 5, five sessions: 200 clients at once, then 200
    asking for SSL first, all refused with 53300 while the five run
    queries; a CancelRequest still reaches one of them; a slot freed is a
    new session."""
    dd = DD("--max-connections", "5")
    try:
        conns = [harness.connect(dd.port) for _ in range(5)]
        for c in conns:
            c.autocommit = True
        stop = threading.Event()
        ran = {"queries": 0, "errors": []}

        def worker():
            i = 0
            while not stop.is_set():
                c = conns[1 + i % 4]
                i += 1
                try:
                    cur = c.cursor()
                    cur.execute("SELECT count(*) FROM generate_series(1, 1000)")
                    if cur.fetchone()[0] != 1000:
                        ran["errors"].append("wrong count")
                    ran["queries"] += 1
                except Exception as e:
                    ran["errors"].append(repr(e))
        th = threading.Thread(target=worker, daemon=True)
        th.start()
        want = {(TOO_MANY["S"], TOO_MANY["C"], TOO_MANY["M"]): 200}
        got = flood(dd.port, 200)
        first = next(iter(got))
        like_postgres("flood_message", "too_many", dict(zip("SCM", first)) if isinstance(first, tuple) else got)
        check("flood_all_refused", got == want, repr(got))
        got = flood(dd.port, 200, SSL_REQUEST)
        check("flood_sslrequest_all_refused", got == want, repr(got))

        # the cancel key of conns[0], through a server that admits no one
        cur0 = conns[0].cursor()
        t, box = run_in_thread(lambda: cur0.execute("SELECT pg_sleep(20)"))
        time.sleep(0.3)
        conns[0].cancel()
        t.join(5)
        check("flood_cancel_still_honoured", isinstance(box.get("error"), psycopg2.errors.QueryCanceled), repr(box))

        stop.set()
        th.join(10)
        check("flood_sessions_kept_working", ran["queries"] > 0 and not ran["errors"],
              "%d queries, errors %r" % (ran["queries"], ran["errors"][:3]))
        for c in conns:
            cur = c.cursor()
            cur.execute("SELECT 1")
            expect(cur.fetchone()[0], 1, "a session after the flood")
        conns.pop().close()
        end = time.time() + 3
        while True:   # the session's thread ends just after its client left
            try:
                c = harness.connect(dd.port)
                break
            except psycopg2.OperationalError:
                if time.time() > end:
                    raise
                time.sleep(0.05)
        cur = c.cursor()
        cur.execute("SELECT 7")
        expect(cur.fetchone()[0], 7, "a new session in the freed slot")
        conns.append(c)
        expect(refusal(dd.port), TOO_MANY, "the next client, full again")
        for c in conns:
            c.close()
        dd.signal(signal.SIGINT)
        expect(dd.wait(5), 0, "exit status")
    finally:
        dd.kill()


@report.test
def flood_of_silent_sockets():
    """300 sockets that send nothing while the server is full (more than
    the rejector holds): a new client still gets its 53300 at once, and
    the silent ones are closed after the rejector's deadline (5 s)."""
    dd = DD("--max-connections", "1")
    try:
        c = harness.connect(dd.port)
        silent = [socket.create_connection(("127.0.0.1", dd.port), timeout=10) for _ in range(300)]
        time.sleep(0.3)
        t0 = time.time()
        expect(refusal(dd.port), TOO_MANY, "a client behind 300 silent ones")
        assert time.time() - t0 < 2, "took %.1f s" % (time.time() - t0)
        cur = c.cursor()
        cur.execute("SELECT 1")
        expect(cur.fetchone()[0], 1, "the session")
        closed = 0
        for s in silent[-20:]:   # the newest: kept until their deadline
            s.settimeout(10)
            try:
                closed += s.recv(1) == b""
            except (ConnectionResetError, socket.timeout):
                closed += 1
        expect(closed, 20, "silent sockets closed by the server")
        assert time.time() - t0 < 9, "closed after %.1f s" % (time.time() - t0)
        for s in silent:
            s.close()
        c.close()
    finally:
        dd.kill()


@report.test
def flood_over_tls():
    """With TLS: 20 libpq clients at once with sslmode=require, and 20 with
    sslmode=disable, each get 53300 while the one session is open."""
    certs = os.path.join(TMP, "certs")
    os.mkdir(certs)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", certs + "/server.key", "-out", certs + "/server.crt", "-days", "2",
                    "-subj", "/CN=localhost"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dd = DD("--max-connections", "1", "--tls-cert", certs + "/server.crt", "--tls-key", certs + "/server.key")
    try:
        held = harness.connect(dd.port, sslmode="require")
        for mode in ("require", "disable"):
            results = []

            def one(mode=mode):
                try:
                    harness.connect(dd.port, sslmode=mode).close()
                    results.append("admitted")
                except psycopg2.OperationalError as e:
                    results.append("53300" if "sorry, too many clients already" in str(e) else str(e))
            ths = [threading.Thread(target=one) for _ in range(20)]
            for t in ths:
                t.start()
            for t in ths:
                t.join(30)
            expect(results, ["53300"] * 20, "sslmode=" + mode)
        cur = held.cursor()
        cur.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        expect(cur.fetchone()[0], True, "the held session's TLS")
        held.close()
    finally:
        dd.kill()


shutil.rmtree(TMP, ignore_errors=True)
sys.exit(1 if report.fails else 0)
