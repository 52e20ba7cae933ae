#!/usr/bin/python3
"""tests/clients/auth_test.py BUILD PGBIN - authentication side by side with
a real PostgreSQL 15.

Starts driftdb-server (--hba) and a PostgreSQL 15 cluster, each with the same
pg_hba.conf lines and the same roles, then tries every combination of hba
method (trust, reject, scram-sha-256, md5, password), role (a SCRAM
verifier, an md5 one, no password, NOLOGIN, an expired VALID UNTIL, one
that does not exist, one through +group) and password (right, wrong) from
libpq (psycopg2) and asyncpg; the outcome must be the same on both: the
connection works and current_user is the role, or it fails with the same
message (libpq) and SQLSTATE (asyncpg).  Then: a verifier set as psql's
\\password sends it, the Unix socket, drift_commits naming the
authenticated role, a SCRAM exchange cut off or replayed, CONNECTION LIMIT,
and a server without --hba refusing a non-loopback rule.
Prints "ok NAME" / "FAIL NAME" lines.
"""
import asyncio
import base64
import hashlib
import hmac
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

import asyncpg
import psycopg2

import harness
from harness import free_port

BUILD, PGBIN = sys.argv[1], sys.argv[2]
report = harness.Report("auth_")
ok, fail, check = report.ok, report.fail, report.check


HBA = """
local   all  all                       trust
host    all  root_trust  127.0.0.1/32  trust
host    all  +team       127.0.0.1/32  md5
host    all  all         127.0.0.1/32  reject
""".strip()

# methods are tried by rewriting the last line: host all all 127.0.0.1/32 METHOD
METHODS = ["trust", "reject", "scram-sha-256", "md5", "password"]

SETUP = [
    "CREATE ROLE root_trust LOGIN SUPERUSER",
    "CREATE ROLE s_user LOGIN PASSWORD 'scram pw'",
    "SET password_encryption = 'md5'",
    "CREATE ROLE m_user LOGIN PASSWORD 'md5 pw'",
    "RESET password_encryption",
    "CREATE ROLE nopw LOGIN",
    "CREATE ROLE nolog PASSWORD 'x'",
    "CREATE ROLE expired LOGIN PASSWORD 'old' VALID UNTIL '2001-01-01'",
    "CREATE ROLE future LOGIN PASSWORD 'new' VALID UNTIL 'infinity'",
    "CREATE ROLE team",
    "CREATE ROLE member LOGIN PASSWORD 'team pw' IN ROLE team",
]
ROLES = [("s_user", "scram pw"), ("m_user", "md5 pw"), ("nopw", "x"), ("nolog", "x"), ("expired", "old"),
         ("future", "new"), ("ghost", "x"), ("member", "team pw")]


class Cluster:
    def __init__(self, kind, tmp):
        self.kind, self.tmp = kind, tmp
        self.port = free_port()
        self.proc = None
        self.hba = os.path.join(tmp, "hba.conf")

    def write_hba(self, method):
        with open(self.hba, "w") as f:
            f.write(HBA.replace("reject", method) + "\n")
        if self.kind == "postgres":
            shutil.copy(self.hba, os.path.join(self.tmp, "data", "pg_hba.conf"))


def as_postgres():
    return ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []


def start_pg(tmp):
    c = Cluster("postgres", tmp)
    if os.getuid() == 0:
        shutil.chown(tmp, "postgres")
    subprocess.run(as_postgres() + [PGBIN + "/initdb", "--no-sync", "-D", tmp + "/data", "-A", "trust", "-U", "test"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    c.write_hba("reject")
    subprocess.run(as_postgres() + [PGBIN + "/pg_ctl", "-D", tmp + "/data", "-w", "-t", "30", "-l", tmp + "/log", "-o",
                                    "-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off" % (c.port, tmp), "start"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    c.sock = tmp
    return c


def reload_pg(c):
    subprocess.run(as_postgres() + [PGBIN + "/pg_ctl", "-D", c.tmp + "/data", "reload"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)


def start_dd(tmp, method="reject", extra=()):
    c = Cluster("driftdb", tmp)
    if not os.path.exists(tmp + "/db"):
        subprocess.run([BUILD + "/driftdb", "init", tmp + "/db", "--superuser", "test"], check=True,
                       stdout=subprocess.DEVNULL)
    c.write_hba(method)
    args = [BUILD + "/driftdb-server", "--data-path", tmp + "/db", "--listen", "127.0.0.1:%d" % c.port,
            "--socket-dir", tmp]
    if "nohba" not in extra:
        args += ["--hba", c.hba]
    c.log = open(tmp + "/server.log", "a")
    c.proc = subprocess.Popen(args, stderr=c.log)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", c.port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    c.sock = tmp
    return c


def stop_dd(c):
    c.proc.send_signal(signal.SIGINT)   # fast shutdown: SIGTERM's smart one waits for clients
    c.proc.wait(timeout=30)
    c.log.close()


def libpq(c, user, password):
    """('ok', current_user) or ('error', message after FATAL)."""
    try:
        conn = psycopg2.connect(host="127.0.0.1", port=c.port, user=user, password=password, dbname="postgres",
                                connect_timeout=10)
        cur = conn.cursor()
        cur.execute("SELECT current_user")
        u = cur.fetchone()[0]
        conn.close()
        return ("ok", u)
    except psycopg2.OperationalError as e:
        m = re.search(r"FATAL:\s+(.*)", str(e))
        return ("error", m.group(1).strip() if m else str(e).strip())


async def apg(c, user, password):
    try:
        conn = await asyncpg.connect(host="127.0.0.1", port=c.port, user=user, password=password, database="postgres",
                                     ssl=False, timeout=10)
        u = await conn.fetchval("SELECT current_user")
        await conn.close()
        return ("ok", u)
    except asyncpg.PostgresError as e:
        return ("error", e.sqlstate)
    except Exception as e:   # asyncpg's own: a method it was not told a password for
        return ("client", type(e).__name__)


def superuser_sql(c, sql):
    conn = psycopg2.connect(host=c.sock, port=c.port, user="test", dbname="postgres")
    conn.autocommit = True
    cur = conn.cursor()
    for s in sql:
        cur.execute(s)
    conn.close()


def matrix(dd, pg):
    for method in METHODS:
        stop_dd(dd)
        dd = start_dd(dd.tmp, method)
        pg.write_hba(method)
        reload_pg(pg)
        for role, right in ROLES:
            for pw_kind, pw in (("right", right), ("wrong", right + "!")):
                name = "%s_%s_%s" % (method, role, pw_kind)
                a, b = libpq(dd, role, pw), libpq(pg, role, pw)
                check(name + "_libpq", a == b, "driftdb %r, postgres %r" % (a, b))
                a = asyncio.run(apg(dd, role, pw))
                b = asyncio.run(apg(pg, role, pw))
                check(name + "_asyncpg", a == b, "driftdb %r, postgres %r" % (a, b))
    return dd


def scram_verifier(password, salt, iterations=4096):
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    ck = hmac.new(salted, b"Client Key", "sha256").digest()
    sk = hmac.new(salted, b"Server Key", "sha256").digest()
    b = lambda x: base64.b64encode(x).decode()
    return "SCRAM-SHA-256$%d:%s$%s:%s" % (iterations, b(salt), b(hashlib.sha256(ck).digest()), b(sk))


def raw_startup(port, user):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    body = struct.pack("!I", 196608) + b"user\0" + user.encode() + b"\0database\0postgres\0\0"
    s.sendall(struct.pack("!I", len(body) + 4) + body)
    return s


def read_msg(s):
    hdr = b""
    while len(hdr) < 5:
        d = s.recv(5 - len(hdr))
        if not d:
            return None, None
        hdr += d
    n = struct.unpack("!I", hdr[1:])[0] - 4
    body = b""
    while len(body) < n:
        d = s.recv(n - len(body))
        if not d:
            return None, None
        body += d
    return hdr[:1], body


def scram_salt(port, user):
    """The salt the server's first SCRAM message gives user (None: no SCRAM)."""
    s = raw_startup(port, user)
    t, body = read_msg(s)
    if t != b"R" or struct.unpack("!I", body[:4])[0] != 10:
        s.close()
        return None
    first = b"n,,n=,r=saltprobe"
    s.sendall(b"p" + struct.pack("!I", 4 + 14 + 4 + len(first)) + b"SCRAM-SHA-256\0" + struct.pack("!I", len(first)) + first)
    t, body = read_msg(s)
    s.close()
    if t != b"R" or struct.unpack("!I", body[:4])[0] != 11:
        return None
    return dict(kv.split(b"=", 1) for kv in body[4:].split(b",")).get(b"s")


def extras(dd):
    # a verifier sent already hashed (psql's \password) is kept as it is
    v = scram_verifier("hashed pw", b"0123456789abcdef")
    superuser_sql(dd, ["ALTER ROLE s_user PASSWORD '%s'" % v])
    conn = psycopg2.connect(host=dd.sock, port=dd.port, user="test", dbname="postgres")
    cur = conn.cursor()
    cur.execute("SELECT rolpassword FROM pg_authid WHERE rolname = 's_user'")
    stored = cur.fetchone()[0]
    conn.close()
    r = libpq(dd, "s_user", "hashed pw")
    if stored == v and r == ("ok", "s_user"):
        ok("prehashed_verifier")
    else:
        fail("prehashed_verifier", "%r %r" % (stored, r))
    # s_user may create in public (PostgreSQL 15 gives that to the owner only)
    conn = psycopg2.connect(host=dd.sock, port=dd.port, user="test", dbname="postgres")
    conn.autocommit = True
    conn.cursor().execute("GRANT CREATE ON SCHEMA public TO s_user")
    conn.cursor().execute("ALTER ROLE s_user SET application_name = 'from_role'")
    conn.close()
    # ALTER ROLE ... SET applies at login; a startup parameter wins over it
    c2 = psycopg2.connect(host="127.0.0.1", port=dd.port, user="s_user", password="hashed pw", dbname="postgres")
    k2 = c2.cursor()
    k2.execute("SHOW application_name")
    got = k2.fetchone()[0]
    c2.close()
    c3 = psycopg2.connect(host="127.0.0.1", port=dd.port, user="s_user", password="hashed pw", dbname="postgres",
                          application_name="from_client")
    k3 = c3.cursor()
    k3.execute("SHOW application_name")
    got3 = k3.fetchone()[0]
    c3.close()
    check("role_settings_at_login", (got, got3) == ("from_role", "from_client"), repr((got, got3)))
    # pg_authid is for superusers only; pg_roles hides the verifier
    conn = psycopg2.connect(host="127.0.0.1", port=dd.port, user="s_user", password="hashed pw", dbname="postgres")
    cur = conn.cursor()
    try:
        cur.execute("SELECT rolpassword FROM pg_authid")
        fail("pg_authid_private", "a non-superuser read pg_authid")
    except psycopg2.Error as e:
        check("pg_authid_private", e.pgcode == "42501", e.pgcode)
    conn.rollback()
    cur.execute("SELECT DISTINCT rolpassword FROM pg_roles")
    r = cur.fetchall()
    check("pg_roles_masked", r == [("********",)], repr(r))
    # drift_commits names the authenticated role
    cur.execute("CREATE TABLE IF NOT EXISTS audit_t (k int PRIMARY KEY)")
    conn.commit()
    conn.close()
    conn = psycopg2.connect(host=dd.sock, port=dd.port, user="test", dbname="postgres")
    cur = conn.cursor()
    cur.execute("SELECT user_name FROM drift_commits ORDER BY seq DESC LIMIT 1")
    r = cur.fetchone()[0]
    check("drift_commits_role", r == "s_user", r)
    conn.close()
    # a non-superuser cannot make roles or read others' rights away
    conn = psycopg2.connect(host="127.0.0.1", port=dd.port, user="s_user", password="hashed pw", dbname="postgres")
    conn.autocommit = True
    cur = conn.cursor()
    try:
        cur.execute("CREATE ROLE sneaky SUPERUSER")
        fail("create_role_denied")
    except psycopg2.Error as e:
        check("create_role_denied", e.pgcode == "42501", e.pgcode)
    cur.execute("ALTER ROLE s_user PASSWORD 'mine'")   # one's own password: allowed
    conn.close()
    check("own_password", libpq(dd, "s_user", "mine") == ("ok", "s_user"))

    # a SCRAM exchange cut off, a malformed one and a replayed final message
    s = raw_startup(dd.port, "s_user")
    t, body = read_msg(s)
    s.close()
    check("scram_cut_off", t == b"R" and struct.unpack("!I", body[:4])[0] == 10)
    s = raw_startup(dd.port, "s_user")
    read_msg(s)
    first = b"n,,n=,r=abc\0def"
    s.sendall(b"p" + struct.pack("!I", 4 + 14 + 4 + len(first)) + b"SCRAM-SHA-256\0" + struct.pack("!I", len(first)) + first)
    t, body = read_msg(s)
    s.close()
    check("scram_malformed", t == b"E" and b"08P01" in body, repr((t, body)))
    # replay: a final message computed for another server nonce fails
    s = raw_startup(dd.port, "s_user")
    read_msg(s)
    first = b"n,,n=,r=clientnonce"
    s.sendall(b"p" + struct.pack("!I", 4 + 14 + 4 + len(first)) + b"SCRAM-SHA-256\0" + struct.pack("!I", len(first)) + first)
    t, body = read_msg(s)
    final = b"c=biws,r=clientnonceSTALE,p=" + base64.b64encode(b"x" * 32)
    s.sendall(b"p" + struct.pack("!I", 4 + len(final)) + final)
    t, body = read_msg(s)
    s.close()
    check("scram_replay", t == b"E" and b"08P01" in body, repr((t, body)))
    # the server still serves
    check("server_alive", libpq(dd, "s_user", "mine") == ("ok", "s_user"))

    # CONNECTION LIMIT 1: a second session of the role is refused (53300)
    superuser_sql(dd, ["ALTER ROLE m_user PASSWORD 'md5 pw' CONNECTION LIMIT 1"])   # a SCRAM verifier now
    c1 = psycopg2.connect(host="127.0.0.1", port=dd.port, user="m_user", password="md5 pw", dbname="postgres")
    r = libpq(dd, "m_user", "md5 pw")
    c1.close()
    if r == ("error", 'too many connections for role "m_user"'):
        ok("connection_limit")
    else:
        fail("connection_limit", repr(r))

    # logins at once cannot overrun the limit: counted and joined as one
    superuser_sql(dd, ["ALTER ROLE m_user CONNECTION LIMIT 2"])
    held, errs, lock = [], [], threading.Lock()
    start = threading.Barrier(12)

    def login():
        start.wait()
        try:
            c = psycopg2.connect(host="127.0.0.1", port=dd.port, user="m_user", password="md5 pw", dbname="postgres")
            with lock:
                held.append(c)
        except psycopg2.Error as e:
            with lock:
                errs.append(str(e))
    ts = [threading.Thread(target=login) for _ in range(12)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    n = len(held)
    for c in held:
        c.close()
    if n == 2 and len(errs) == 10 and all("too many connections" in e for e in errs):
        ok("connection_limit_concurrent")
    else:
        fail("connection_limit_concurrent", "%d held, errors %r" % (n, errs[:3]))

    # the Unix socket: trusted by the first line
    try:
        conn = psycopg2.connect(host=dd.sock, port=dd.port, user="nopw", dbname="postgres")
        conn.close()
        ok("unix_socket_trust")
    except Exception as e:
        fail("unix_socket_trust", str(e))


def main():
    tmp_pg = tempfile.mkdtemp(prefix="driftdb-auth-pg.")
    tmp_dd = tempfile.mkdtemp(prefix="driftdb-auth-dd.")
    pg = dd = None
    try:
        pg = start_pg(tmp_pg)
        dd = start_dd(tmp_dd, "reject")
        superuser_sql(dd, SETUP)
        superuser_sql(pg, SETUP)
        ok("setup")
        dd = matrix(dd, pg)
        stop_dd(dd)
        dd = start_dd(tmp_dd, "scram-sha-256")
        extras(dd)
        # an unknown role gets a made-up SCRAM exchange whose salt is the
        # same every time, after a restart too (PostgreSQL's mock nonce
        # lives in pg_control): nothing tells it from a real role's
        ghost1, ghost2 = scram_salt(dd.port, "ghost"), scram_salt(dd.port, "ghost")
        other = scram_salt(dd.port, "ghost2")
        stop_dd(dd)
        dd = start_dd(tmp_dd, "scram-sha-256")
        ghost3 = scram_salt(dd.port, "ghost")
        if ghost1 and ghost1 == ghost2 == ghost3 and other and other != ghost1:
            ok("mock_salt_stable")
        else:
            fail("mock_salt_stable", repr((ghost1, ghost2, ghost3, other)))
        # without --hba only loopback and the socket are trusted; the
        # default admits an existing role without a password
        stop_dd(dd)
        dd = start_dd(tmp_dd, "reject", extra=("nohba",))
        r = libpq(dd, "nopw", None)
        check("default_loopback_trust", r == ("ok", "nopw"), repr(r))
        r = libpq(dd, "ghost", None)
        if r == ("error", 'role "ghost" does not exist'):
            ok("default_unknown_role")
        else:
            fail("default_unknown_role", repr(r))
        # a dual-stack listener: an IPv4 client (::ffff:127.0.0.1) is
        # matched by the IPv4 lines only, as on PostgreSQL's own IPv4
        # socket; ::/0 is for IPv6 clients
        stop_dd(dd)
        ds = os.path.join(tmp_dd, "dual.conf")
        with open(ds, "w") as f:
            f.write("host all all ::/0 reject\nhost all all 127.0.0.1/32 trust\n")
        dport = free_port()
        dlog = open(os.path.join(tmp_dd, "dual.log"), "w")
        dp = subprocess.Popen([BUILD + "/driftdb-server", "--data-path", tmp_dd + "/db", "--hba", ds,
                               "--listen", "[::]:%d" % dport, "--socket-dir", ""], stderr=dlog)
        try:
            got = {}
            for host in ("127.0.0.1", "::1"):
                for _ in range(100):
                    try:
                        c = psycopg2.connect(host=host, port=dport, user="nopw", dbname="postgres", connect_timeout=5)
                        c.close()
                        got[host] = "ok"
                        break
                    except psycopg2.OperationalError as e:
                        got[host] = "rejected" if "pg_hba.conf rejects" in str(e) else str(e)
                        if got[host] == "rejected":
                            break
                        time.sleep(0.05)
            check("dual_stack_v4_lines", got == {"127.0.0.1": "ok", "::1": "rejected"}, repr(got))
        finally:
            dp.send_signal(signal.SIGINT)
            dp.wait(timeout=30)
            dlog.close()
        dd = start_dd(tmp_dd, "reject", extra=("nohba",))
        # a bad --hba file stops the server with its line number
        bad = os.path.join(tmp_dd, "bad.conf")
        with open(bad, "w") as f:
            f.write("host all all 127.0.0.1/32 trust\nhost all all 10.0.0.1 ident\n")
        p = subprocess.run([BUILD + "/driftdb-server", "--data-path", tmp_dd + "/db2", "--hba", bad,
                            "--listen", "127.0.0.1:%d" % free_port(), "--socket-dir", ""],
                           stderr=subprocess.PIPE, timeout=30)
        err = p.stderr.decode()
        check("bad_hba_file", p.returncode == 1 and "bad.conf:2:" in err, err)
    except Exception:
        report.failed("harness", depth=None)
    finally:
        if dd and dd.proc:
            dd.proc.kill()
            dd.proc.wait()
        if pg:
            subprocess.run(as_postgres() + [PGBIN + "/pg_ctl", "-D", tmp_pg + "/data", "-m", "immediate", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(tmp_pg, ignore_errors=True)
        shutil.rmtree(tmp_dd, ignore_errors=True)


main()
