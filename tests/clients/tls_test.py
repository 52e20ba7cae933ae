#!/usr/bin/python3
"""tests/clients/tls_test.py BUILD PGBIN - TLS side by side with a real
PostgreSQL 15.

Makes a throwaway CA, a server certificate (CN and SAN 127.0.0.1, SAN
localhost) and client certificates with the openssl command in a temporary
directory, starts driftdb-server with --tls-cert / --tls-key / --tls-ca and
a PostgreSQL 15 with ssl=on and the same files, both with the same
pg_hba.conf (hostssl, hostnossl, clientcert=verify-ca / verify-full, cert)
and roles, then compares, on both:
  - libpq (psycopg2) with every sslmode, the CA as sslrootcert, with and
    without a client certificate (and one from another CA): whether the
    connection works, as whom, whether TLS is in use, or the error message
    (port numbers aside); verify-full against a wrong host name;
  - SCRAM over TLS with channel_binding=require / disable (SCRAM-SHA-256-PLUS,
    tls-server-end-point), and channel_binding=require without TLS;
  - asyncpg with ssl=an SSLContext; psql with sslmode=require and \\conninfo;
  - a 2 MB result, a 3 MB COPY FROM STDIN and a 4 MB parameter over TLS;
  - cancel of a statement on a TLS connection: psycopg2's cancel()
    (plaintext CancelRequest) and a CancelRequest sent over TLS;
  - raw sockets: SSLRequest then garbage, SSLRequest with plaintext bytes
    behind it in the same packet (CVE-2021-23214: 08P01), a client leaving
    mid-handshake, a second SSLRequest and a GSSENCRequest after TLS is up,
    SSLRequest on the Unix socket;
  - pg_stat_ssl for the connection itself;
and that driftdb-server refuses to start with only --tls-cert, a missing key,
a key of another certificate, a hostssl line without TLS and clientcert
without --tls-ca.  Prints "ok NAME" / "FAIL NAME" lines.
"""
import asyncio
import os
import re
import shutil
import signal
import socket
import ssl
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
report = harness.Report("tls_")
ok, check = report.ok, report.check


def same(name, a, b):
    if os.environ.get("TLS_TEST_VERBOSE"):   # what was compared, for a reader
        print("# tls_%s: %r" % (name, a))
    check(name, a == b, "driftdb %r, postgres %r" % (a, b))


def as_postgres():
    return ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []


# ---- certificates ----------------------------------------------------------

def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def make_certs(d):
    """ca.crt; server.crt/.key (127.0.0.1, localhost); client certificates
    c_user, full_user (CN = the role) and rogue (CN c_user, another CA)."""
    for ca in ("ca", "rogue_ca"):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca + ".key", "-out", ca + ".crt",
                "-days", "2", "-subj", "/CN=DriftDB test " + ca, cwd=d)
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")

    def leaf(name, cn, ca, ext=None):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", "/CN=%s/O=DriftDB tests" % cn, cwd=d)
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key",
                "-CAcreateserial", "-out", name + ".crt", "-days", "2", *(["-extfile", ext] if ext else []), cwd=d)
        os.chmod(os.path.join(d, name + ".key"), 0o600)

    leaf("server", "127.0.0.1", "ca", "server.ext")
    leaf("c_user", "c_user", "ca")
    leaf("full_user", "full_user", "ca")
    leaf("rogue", "c_user", "rogue_ca")


# ---- the two servers -------------------------------------------------------

HBA = """
local     all  all                       trust
hostssl   all  ssl_only    127.0.0.1/32  trust
hostnossl all  nossl_only  127.0.0.1/32  trust
hostssl   all  s_user      127.0.0.1/32  scram-sha-256
hostnossl all  s_user      127.0.0.1/32  scram-sha-256
hostssl   all  c_user      127.0.0.1/32  cert
hostssl   all  ca_user     127.0.0.1/32  trust clientcert=verify-ca
hostssl   all  full_user   127.0.0.1/32  scram-sha-256 clientcert=verify-full
host      all  test        127.0.0.1/32  trust
host      all  all         127.0.0.1/32  reject
""".strip() + "\n"

SETUP = [
    "CREATE ROLE ssl_only LOGIN",
    "CREATE ROLE nossl_only LOGIN",
    "CREATE ROLE s_user LOGIN PASSWORD 'scram pw'",
    "CREATE ROLE c_user LOGIN",
    "CREATE ROLE ca_user LOGIN",
    "CREATE ROLE full_user LOGIN PASSWORD 'full pw'",
    "CREATE TABLE big (id int PRIMARY KEY, t text)",
]
PASSWORDS = {"s_user": "scram pw", "full_user": "full pw"}


class Server:
    pass


def start_pg(tmp, certs):
    s = Server()
    s.kind, s.tmp, s.port, s.sock = "postgres", tmp, free_port(), tmp
    if os.getuid() == 0:
        shutil.chown(tmp, "postgres")
    subprocess.run(as_postgres() + [PGBIN + "/initdb", "--no-sync", "-D", tmp + "/data", "-A", "trust", "-U", "test"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # the server's key must belong to the user PostgreSQL runs as
    for f in ("server.crt", "server.key", "ca.crt"):
        shutil.copy(os.path.join(certs, f), os.path.join(tmp, "data", f))
        if os.getuid() == 0:
            shutil.chown(os.path.join(tmp, "data", f), "postgres")
    os.chmod(os.path.join(tmp, "data", "server.key"), 0o600)
    with open(os.path.join(tmp, "data", "pg_hba.conf"), "w") as f:
        f.write(HBA)
    opts = ("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c ssl=on -c ssl_cert_file=server.crt "
            "-c ssl_key_file=server.key -c ssl_ca_file=ca.crt" % (s.port, tmp))
    subprocess.run(as_postgres() + [PGBIN + "/pg_ctl", "-D", tmp + "/data", "-w", "-t", "30", "-l", tmp + "/log",
                                    "-o", opts, "start"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return s


def dd_args(tmp, certs, port, hba=None, tls=("cert", "key", "ca")):
    a = [BUILD + "/driftdb-server", "--data-path", tmp + "/db", "--listen", "127.0.0.1:%d" % port,
         "--socket-dir", tmp]
    files = {"cert": ("--tls-cert", "server.crt"), "key": ("--tls-key", "server.key"), "ca": ("--tls-ca", "ca.crt")}
    for k in tls:
        flag, f = files[k]
        a += [flag, f if os.path.isabs(f) else os.path.join(certs, f)]
    if hba:
        a += ["--hba", hba]
    return a


def start_dd(tmp, certs):
    s = Server()
    s.kind, s.tmp, s.port, s.sock = "driftdb", tmp, free_port(), tmp
    subprocess.run([BUILD + "/driftdb", "init", tmp + "/db", "--superuser", "test"], check=True,
                   stdout=subprocess.DEVNULL)
    s.hba = os.path.join(tmp, "hba.conf")
    with open(s.hba, "w") as f:
        f.write(HBA)
    s.log = open(tmp + "/server.log", "a")
    s.proc = subprocess.Popen(dd_args(tmp, certs, s.port, s.hba), stderr=s.log)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", s.port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return s


def superuser_sql(s, sql):
    conn = psycopg2.connect(host=s.sock, port=s.port, user="test", dbname="postgres")
    conn.autocommit = True
    cur = conn.cursor()
    for q in sql:
        cur.execute(q)
    conn.close()


def alive(s):
    try:
        conn = psycopg2.connect(host="127.0.0.1", port=s.port, user="test", dbname="postgres", sslmode="disable",
                                connect_timeout=5)
        cur = conn.cursor()
        cur.execute("SELECT 1")
        r = cur.fetchone()[0] == 1
        conn.close()
        return r and (s.kind != "driftdb" or s.proc.poll() is None)
    except Exception:
        return False


# ---- libpq -----------------------------------------------------------------

def norm(msg):
    """An error message without what differs between the two servers (the
    port) and without libpq's line breaks."""
    msg = re.sub(r"port \d+", "port P", msg)
    return " | ".join(l.strip() for l in msg.strip().splitlines() if l.strip())


def libpq(s, user, host="127.0.0.1", cert=None, **kw):
    """('ok', current_user, ssl_in_use) or ('error', message)."""
    args = dict(host=host, port=s.port, user=user, dbname="postgres", connect_timeout=10,
                sslrootcert=os.path.join(CERTS, "ca.crt"))
    if user in PASSWORDS:
        args["password"] = PASSWORDS[user]
    if cert:
        args["sslcert"] = os.path.join(CERTS, cert + ".crt")
        args["sslkey"] = os.path.join(CERTS, cert + ".key")
    else:   # no ~/.postgresql/postgresql.crt sneaking in
        args["sslcert"] = os.path.join(CERTS, "none.crt")
        args["sslkey"] = os.path.join(CERTS, "none.key")
    args.update(kw)
    try:
        conn = psycopg2.connect(**args)
        cur = conn.cursor()
        cur.execute("SELECT current_user")
        u = cur.fetchone()[0]
        r = ("ok", u, conn.info.ssl_in_use)
        conn.close()
        return r
    except psycopg2.OperationalError as e:
        return ("error", norm(str(e)))


MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]


def sslmode_matrix(dd, pg):
    users = ["test", "ssl_only", "nossl_only", "s_user", "c_user", "ca_user", "full_user", "ghost"]
    for user in users:
        for mode in MODES:
            a, b = libpq(dd, user, sslmode=mode), libpq(pg, user, sslmode=mode)
            same("libpq_%s_%s" % (user, mode), a, b)
    # client certificates: the role's own, another role's, another CA's
    for user in ["test", "c_user", "ca_user", "full_user"]:
        for cert in ["c_user", "full_user", "rogue"]:
            for mode in ["require", "verify-full"]:
                a = libpq(dd, user, cert=cert, sslmode=mode)
                b = libpq(pg, user, cert=cert, sslmode=mode)
                same("libpq_%s_cert_%s_%s" % (user, cert, mode), a, b)
    # the certificate names 127.0.0.1 and localhost, nothing else: a host
    # name it does not carry fails verify-full on both (and verify-ca works)
    for mode in ["verify-full", "verify-ca"]:
        a = libpq(dd, "test", host="localhost", sslmode=mode)
        b = libpq(pg, "test", host="localhost", sslmode=mode)
        same("libpq_localhost_%s" % mode, a, b)
        check("libpq_localhost_%s_works" % mode, a[0] == "ok" and a[2], repr(a))
        # hostaddr: connect to 127.0.0.1 but verify against another name
        a = libpq(dd, "test", host="wrong.example", hostaddr="127.0.0.1", sslmode=mode)
        b = libpq(pg, "test", host="wrong.example", hostaddr="127.0.0.1", sslmode=mode)
        same("libpq_wrong_host_%s" % mode, a, b)
        if mode == "verify-full":
            check("libpq_wrong_host_fails", a[0] == "error" and "does not match host name" in a[1], repr(a))


def channel_binding(dd, pg):
    for mode in ["require", "verify-full"]:
        for cb in ["require", "prefer", "disable"]:
            a = libpq(dd, "s_user", sslmode=mode, channel_binding=cb)
            b = libpq(pg, "s_user", sslmode=mode, channel_binding=cb)
            same("scram_%s_channel_binding_%s" % (mode, cb), a, b)
            check("scram_%s_channel_binding_%s_works" % (mode, cb), a == ("ok", "s_user", True), repr(a))
    # channel binding needs TLS
    a = libpq(dd, "s_user", sslmode="disable", channel_binding="require")
    b = libpq(pg, "s_user", sslmode="disable", channel_binding="require")
    same("scram_no_tls_channel_binding_require", a, b)
    # verify-full with a wrong password over TLS, channel binding on
    a = libpq(dd, "s_user", sslmode="require", channel_binding="require", password="wrong")
    b = libpq(pg, "s_user", sslmode="require", channel_binding="require", password="wrong")
    same("scram_plus_wrong_password", a, b)


def raw_scram_plus_bad_binding(s):
    """SCRAM-SHA-256-PLUS with binding data of another certificate: 28000."""
    import base64
    t = tls_socket(s.port)
    t.sendall(startup_packet("s_user"))
    typ, body = read_msg(t)
    if typ != b"R" or struct.unpack("!I", body[:4])[0] != 10:
        return ("unexpected", typ, body[:40])
    mechs = body[4:].split(b"\0")
    if b"SCRAM-SHA-256-PLUS" not in mechs:
        return ("no -PLUS", mechs)
    first = b"p=tls-server-end-point,,n=,r=abcdefghijklmnop"
    t.sendall(b"p" + struct.pack("!I", 4 + 19 + 4 + len(first)) + b"SCRAM-SHA-256-PLUS\0" +
              struct.pack("!I", len(first)) + first)
    typ, body = read_msg(t)
    if typ != b"R":
        return ("first", typ, fields(body))
    sf = dict(kv.split("=", 1) for kv in body[4:].decode().split(","))
    cbind = base64.b64encode(b"p=tls-server-end-point,," + b"\0" * 32).decode()
    final = ("c=%s,r=%s,p=%s" % (cbind, sf["r"], base64.b64encode(b"x" * 32).decode())).encode()
    t.sendall(b"p" + struct.pack("!I", 4 + len(final)) + final)
    typ, body = read_msg(t)
    t.close()
    f = fields(body) if typ == b"E" else {}
    return (typ, f.get("C"), f.get("M"))


def raw_scram_first(s, mech, first):
    """Over TLS, a SASLInitialResponse choosing mech with the
    client-first-message first: the reply's kind, and SQLSTATE if an error
    (a gs2 flag that does not fit the mechanism, or "y" where the server
    offered -PLUS: a downgrade, 08P01)."""
    t = tls_socket(s.port)
    t.sendall(startup_packet("s_user"))
    read_msg(t)
    t.sendall(b"p" + struct.pack("!I", 4 + len(mech) + 1 + 4 + len(first)) + mech + b"\0" +
              struct.pack("!I", len(first)) + first)
    typ, body = read_msg(t)
    t.close()
    return (typ, fields(body).get("C") if typ == b"E" else struct.unpack("!I", body[:4])[0])


SCRAM_FIRSTS = [
    ("y_flag_on_tls", b"SCRAM-SHA-256", b"y,,n=,r=abcdefghijkl"),
    ("n_flag_with_plus", b"SCRAM-SHA-256-PLUS", b"n,,n=,r=abcdefghijkl"),
    ("p_flag_without_plus", b"SCRAM-SHA-256", b"p=tls-server-end-point,,n=,r=abcdefghijkl"),
    ("plus_tls_unique", b"SCRAM-SHA-256-PLUS", b"p=tls-unique,,n=,r=abcdefghijkl"),
    ("plus_ok_first", b"SCRAM-SHA-256-PLUS", b"p=tls-server-end-point,,n=,r=abcdefghijkl"),
    ("n_flag_ok_first", b"SCRAM-SHA-256", b"n,,n=,r=abcdefghijkl"),
]


# ---- other clients -----------------------------------------------------------

async def apg(s, user, use_ssl):
    ctx = ssl.create_default_context(cafile=os.path.join(CERTS, "ca.crt")) if use_ssl else False
    try:
        conn = await asyncpg.connect(host="127.0.0.1", port=s.port, user=user, password=PASSWORDS.get(user),
                                     database="postgres", ssl=ctx, timeout=10)
        u = await conn.fetchval("SELECT current_user")
        tls = conn._transport.get_extra_info("ssl_object") is not None
        await conn.close()
        return ("ok", u, tls)
    except asyncpg.PostgresError as e:
        return ("error", e.sqlstate)
    except Exception as e:
        return ("client", type(e).__name__)


def asyncpg_checks(dd, pg):
    for user in ["test", "s_user", "ssl_only", "nossl_only"]:
        for use_ssl in [True, False]:
            a = asyncio.run(apg(dd, user, use_ssl))
            b = asyncio.run(apg(pg, user, use_ssl))
            same("asyncpg_%s_%s" % (user, "ssl" if use_ssl else "nossl"), a, b)
    a = asyncio.run(apg(dd, "s_user", True))
    check("asyncpg_scram_over_tls", a == ("ok", "s_user", True), repr(a))


def psql_checks(dd, pg):
    outs = []
    for s in (dd, pg):
        conn = "host=127.0.0.1 port=%d user=test dbname=postgres sslmode=verify-full sslrootcert=%s" % (
            s.port, os.path.join(CERTS, "ca.crt"))
        p = subprocess.run(["psql", "-X", "-qAt", conn, "-c", "SELECT 40 + 2", "-c", "\\conninfo"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
        out = re.sub(r'port "\d+"', 'port "P"', p.stdout.decode())
        outs.append(out)
    same("psql_conninfo", outs[0], outs[1])
    check("psql_ssl_in_use", "SSL connection (protocol: TLSv1." in outs[0] and outs[0].startswith("42"), outs[0])
    # SHOW ssl: the server takes TLS, on both
    shows = []
    for s in (dd, pg):
        conn = "host=127.0.0.1 port=%d user=test dbname=postgres sslmode=require" % s.port
        p = subprocess.run(["psql", "-X", "-qAt", conn, "-c", "SHOW ssl"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=30)
        shows.append(p.stdout.decode().strip())
    check("show_ssl_on", shows == ["on", "on"], repr(shows))


def large_transfers(s):
    """Over TLS: a 2 MB result, a 3 MB COPY FROM STDIN, a 4 MB parameter."""
    conn = psycopg2.connect(host="127.0.0.1", port=s.port, user="test", dbname="postgres", sslmode="require")
    cur = conn.cursor()
    out = [conn.info.ssl_in_use]
    cur.execute("SELECT g, repeat(chr(65 + g % 26), 1000) FROM generate_series(1, 2000) g")
    rows = cur.fetchall()
    out.append((len(rows), sum(len(r[1]) for r in rows), rows[-1][1][:3]))
    import io
    data = "".join("%d\t%s\n" % (i, ("row %d " % i) * 100) for i in range(1, 4001))
    cur.copy_expert("COPY big (id, t) FROM STDIN", io.StringIO(data))
    conn.commit()
    cur.execute("SELECT count(*), sum(length(t)) FROM big")
    out.append(cur.fetchone())
    cur.execute("SELECT length(%s), md5(%s)", ("x" * 4000000, "y" * 4000000))
    out.append(cur.fetchone())
    buf = io.StringIO()
    cur.copy_expert("COPY (SELECT * FROM big ORDER BY id) TO STDOUT", buf)
    out.append(len(buf.getvalue()) == len(data))
    cur.execute("DELETE FROM big")
    conn.commit()
    conn.close()
    return out


def cancel_psycopg2(s):
    """psycopg2's cancel() (a plaintext CancelRequest) of pg_sleep on a TLS
    connection: (sqlstate, seconds)."""
    conn = psycopg2.connect(host="127.0.0.1", port=s.port, user="test", dbname="postgres", sslmode="require")
    cur = conn.cursor()
    threading.Timer(0.5, conn.cancel).start()
    t0 = time.time()
    code = None
    try:
        cur.execute("SELECT pg_sleep(5)")
    except psycopg2.Error as e:
        code = e.pgcode
    took = time.time() - t0
    conn.rollback()
    cur.execute("SELECT 1")
    still = cur.fetchone()[0] == 1
    conn.close()
    return code, took < 3, still


# ---- raw sockets ---------------------------------------------------------------

def startup_packet(user="test", database="postgres"):
    body = struct.pack("!I", 196608) + b"user\0" + user.encode() + b"\0database\0" + database.encode() + b"\0\0"
    return struct.pack("!I", len(body) + 4) + body


SSL_REQUEST = struct.pack("!II", 8, 80877103)
GSS_REQUEST = struct.pack("!II", 8, 80877104)


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        d = s.recv(n - len(b))
        if not d:
            return b
        b += d
    return b


def read_msg(s):
    hdr = recv_exact(s, 5)
    if len(hdr) < 5:
        return None, hdr
    n = struct.unpack("!I", hdr[1:])[0] - 4
    return hdr[:1], recv_exact(s, n)


def fields(body):
    f = {}
    for part in body.split(b"\0"):
        if part:
            f[part[:1].decode()] = part[1:].decode(errors="replace")
    return f


def client_ctx():
    ctx = ssl.create_default_context(cafile=os.path.join(CERTS, "ca.crt"))
    return ctx


def tls_socket(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(SSL_REQUEST)
    if recv_exact(s, 1) != b"S":
        raise AssertionError("SSLRequest not answered S")
    return client_ctx().wrap_socket(s, server_hostname="127.0.0.1")


def until_ready(s):
    key = None
    while True:
        t, body = read_msg(s)
        if t is None:
            return None, ("eof", body)
        if t == b"K":
            key = struct.unpack("!II", body)
        if t == b"E":
            return None, fields(body)
        if t == b"Z":
            return key, None


def read_error_or_eof(s):
    """The SQLSTATE and message of an ErrorResponse, or 'eof' / 'timeout'."""
    try:
        t, body = read_msg(s)
    except socket.timeout:
        return "timeout"
    except (ssl.SSLError, ConnectionError, OSError):
        return "eof"
    if t is None:
        return "eof"
    if t != b"E":
        return "message %r" % t
    f = fields(body)
    return (f.get("S"), f.get("C"), f.get("M"), f.get("D"))


def raw_cancel_over_tls(s):
    """A CancelRequest sent over TLS (as libpq 17 does when the connection
    used TLS) cancels the statement of a TLS connection."""
    a = tls_socket(s.port)
    a.sendall(startup_packet())
    key, err = until_ready(a)
    if not key:
        return ("startup", err)
    q = b"SELECT pg_sleep(5)\0"
    a.sendall(b"Q" + struct.pack("!I", 4 + len(q)) + q)
    time.sleep(0.5)
    b = tls_socket(s.port)
    b.sendall(struct.pack("!IIII", 16, 80877102, key[0], key[1]))
    t0 = time.time()
    r = read_error_or_eof(a)
    while r == "message b'T'":   # RowDescription comes before the sleep
        r = read_error_or_eof(a)
    took = time.time() - t0
    b.close()
    a.close()
    return (r[1] if isinstance(r, tuple) else r, took < 3)


def ssl_then_garbage(s):
    c = socket.create_connection(("127.0.0.1", s.port), timeout=10)
    c.sendall(SSL_REQUEST)
    ans = recv_exact(c, 1)
    c.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n" + b"\x00" * 300)
    t0 = time.time()
    rest = b""
    try:
        while True:
            d = c.recv(4096)
            if not d:
                break
            rest += d
    except OSError:
        pass
    c.close()
    # an alert record (content type 21) may precede the close
    return (ans, rest == b"" or rest[:1] == b"\x15", time.time() - t0 < 5)


def ssl_with_plaintext_behind(s):
    """SSLRequest and a StartupMessage in one packet: the server answers
    'S', and once TLS is up refuses the plaintext bytes (08P01)."""
    c = socket.create_connection(("127.0.0.1", s.port), timeout=10)
    c.sendall(SSL_REQUEST + startup_packet())
    ans = recv_exact(c, 1)
    if ans != b"S":
        return (ans,)
    try:
        t = client_ctx().wrap_socket(c, server_hostname="127.0.0.1")
    except (ssl.SSLError, OSError) as e:
        return (ans, "handshake failed", type(e).__name__)
    r = read_error_or_eof(t)
    t.close()
    return (ans, r)


def client_hello_bytes():
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = client_ctx().wrap_bio(inc, out, server_side=False, server_hostname="127.0.0.1")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def leave_mid_handshake(s):
    hello = client_hello_bytes()
    for cut in (0, 5, len(hello) // 2, len(hello)):
        c = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        c.sendall(SSL_REQUEST)
        recv_exact(c, 1)
        if cut:
            c.sendall(hello[:cut])
        c.close()
    # one that shuts its sending side and waits: the server closes
    c = socket.create_connection(("127.0.0.1", s.port), timeout=10)
    c.sendall(SSL_REQUEST)
    recv_exact(c, 1)
    c.sendall(hello[:len(hello) // 2])
    c.shutdown(socket.SHUT_WR)
    try:
        closed = c.recv(100) == b""
    except (socket.timeout, OSError):
        closed = False
    c.close()
    time.sleep(0.2)
    return closed and alive(s)


def second_request_after_tls(s, req):
    t = tls_socket(s.port)
    t.sendall(req)
    r = read_error_or_eof(t)
    t.close()
    return r


def ssl_on_unix_socket(s):
    c = socket.socket(socket.AF_UNIX)
    c.settimeout(10)
    c.connect(os.path.join(s.sock, ".s.PGSQL.%d" % s.port))
    c.sendall(SSL_REQUEST)
    ans = recv_exact(c, 1)
    c.sendall(startup_packet())
    key, err = until_ready(c)
    c.close()
    return (ans, key is not None, err)


def stat_ssl(s, cert):
    conn = psycopg2.connect(host="127.0.0.1", port=s.port, user="test", dbname="postgres", sslmode="require",
                            sslrootcert=os.path.join(CERTS, "ca.crt"),
                            sslcert=os.path.join(CERTS, (cert or "none") + ".crt"),
                            sslkey=os.path.join(CERTS, (cert or "none") + ".key"))
    cur = conn.cursor()
    try:
        cur.execute("SELECT ssl, version, cipher, bits, client_dn, client_serial IS NOT NULL, issuer_dn "
                    "FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        r = cur.fetchall()
    except psycopg2.Error as e:
        r = ("error", e.pgcode)
    conn.close()
    plain = psycopg2.connect(host="127.0.0.1", port=s.port, user="test", dbname="postgres", sslmode="disable")
    cur = plain.cursor()
    try:
        cur.execute("SELECT ssl, version, cipher, bits, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        p = cur.fetchall()
    except psycopg2.Error as e:
        p = ("error", e.pgcode)
    plain.close()
    return r, p


# ---- refusals at start -----------------------------------------------------------

def start_refusals(tmp):
    def run(name, args, want, status=1):
        """status: 2 for flags that do not go together (a bad command
        line), 1 for files that cannot be used (docs/postgres-differences.md)"""
        p = subprocess.run(args, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, timeout=30)
        err = p.stderr.decode()
        check("start_refused_" + name, p.returncode == status and all(w in err for w in want),
              "exit %d (expected %d): %s" % (p.returncode, status, err.strip()))

    port = free_port()
    run("cert_only", dd_args(tmp, CERTS, port, tls=("cert",)), ["--tls-key"], 2)
    run("key_only", dd_args(tmp, CERTS, port, tls=("key",)), ["--tls-cert"], 2)
    run("ca_only", dd_args(tmp, CERTS, port, tls=("ca",)), ["--tls-ca"], 2)
    missing = os.path.join(CERTS, "missing.key")
    run("missing_key", dd_args(tmp, CERTS, port, tls=("cert",)) + ["--tls-key", missing], [missing])
    missing = os.path.join(CERTS, "missing.crt")
    run("missing_cert", dd_args(tmp, CERTS, port, tls=("key",)) + ["--tls-cert", missing], [missing])
    other = os.path.join(CERTS, "c_user.key")
    run("mismatched_key", dd_args(tmp, CERTS, port, tls=("cert",)) + ["--tls-key", other], [other, "does not match"])
    # a key with a passphrase: none is asked for (no prompt, no hang)
    enc = os.path.join(CERTS, "encrypted.key")
    openssl("rsa", "-in", "server.key", "-aes256", "-passout", "pass:secret", "-out", enc, cwd=CERTS)
    run("encrypted_key", dd_args(tmp, CERTS, port, tls=("cert",)) + ["--tls-key", enc], [enc])
    junk = os.path.join(CERTS, "server.ext")
    run("cert_not_pem", dd_args(tmp, CERTS, port, tls=("key",)) + ["--tls-cert", junk], [junk])
    run("missing_ca", dd_args(tmp, CERTS, port, tls=("cert", "key")) + ["--tls-ca", missing], [missing])
    hba = os.path.join(tmp, "hostssl.conf")
    with open(hba, "w") as f:
        f.write("host all all 127.0.0.1/32 trust\nhostssl all all 127.0.0.1/32 trust\n")
    run("hostssl_without_tls", dd_args(tmp, CERTS, port, hba=hba, tls=()), ["hostssl.conf:2"])
    with open(hba, "w") as f:
        f.write("hostssl all all 127.0.0.1/32 trust clientcert=verify-ca\n")
    run("clientcert_without_ca", dd_args(tmp, CERTS, port, hba=hba, tls=("cert", "key")), ["hostssl.conf:1"])
    with open(hba, "w") as f:
        f.write("host all all 127.0.0.1/32 trust clientcert=verify-full\n")
    run("clientcert_on_host_line", dd_args(tmp, CERTS, port, hba=hba), ["hostssl"])
    with open(hba, "w") as f:
        f.write("host all all 127.0.0.1/32 cert\n")
    run("cert_on_host_line", dd_args(tmp, CERTS, port, hba=hba), ["hostssl"])


# ---- main ----------------------------------------------------------------------------

def main():
    global CERTS
    tmp = tempfile.mkdtemp(prefix="tls-test-")
    CERTS = os.path.join(tmp, "certs")
    os.makedirs(CERTS)
    tmp_pg, tmp_dd = os.path.join(tmp, "pg"), os.path.join(tmp, "dd")
    os.makedirs(tmp_pg)
    os.makedirs(tmp_dd)
    os.chmod(tmp, 0o755)
    pg = dd = None
    try:
        make_certs(CERTS)
        pg = start_pg(tmp_pg, CERTS)
        dd = start_dd(tmp_dd, CERTS)
        superuser_sql(dd, SETUP)
        superuser_sql(pg, SETUP)
        ok("setup")

        sslmode_matrix(dd, pg)
        channel_binding(dd, pg)
        a, b = raw_scram_plus_bad_binding(dd), raw_scram_plus_bad_binding(pg)
        same("scram_plus_binding_of_another_certificate", a, b)
        check("scram_plus_binding_refused", a[:2] == (b"E", "28000"), repr(a))
        for name, mech, first in SCRAM_FIRSTS:
            a, b = raw_scram_first(dd, mech, first), raw_scram_first(pg, mech, first)
            same("scram_first_" + name, a, b)
        asyncpg_checks(dd, pg)
        psql_checks(dd, pg)

        a, b = large_transfers(dd), large_transfers(pg)
        same("large_transfers", a, b)
        check("large_transfers_over_tls", a[0] is True, repr(a))

        for name, fn in [("cancel_psycopg2", cancel_psycopg2), ("cancel_over_tls", raw_cancel_over_tls)]:
            a, b = fn(dd), fn(pg)
            same("" + name, a, b)
            check("%s_57014_quickly" % name, a[0] == "57014" and a[1], repr(a))

        a, b = ssl_then_garbage(dd), ssl_then_garbage(pg)
        same("ssl_request_then_garbage", a, b)
        check("ssl_request_then_garbage_alive", alive(dd))
        a, b = ssl_with_plaintext_behind(dd), ssl_with_plaintext_behind(pg)
        same("plaintext_after_ssl_request", a, b)
        check("plaintext_after_ssl_request_08P01", len(a) == 2 and a[1][1] == "08P01", repr(a))
        check("leave_mid_handshake", leave_mid_handshake(dd))
        for name, req in [("ssl", SSL_REQUEST), ("gssenc", GSS_REQUEST)]:
            a, b = second_request_after_tls(dd, req), second_request_after_tls(pg, req)
            same("%s_request_after_tls" % name, a, b)
        a, b = ssl_on_unix_socket(dd), ssl_on_unix_socket(pg)
        same("ssl_request_on_unix_socket", a, b)

        for cert in [None, "full_user"]:
            a, b = stat_ssl(dd, cert), stat_ssl(pg, cert)
            same("pg_stat_ssl_%s" % (cert or "no_cert"), a, b)

        check("server_alive", alive(dd))
        start_refusals(tmp_dd)
    except Exception:
        report.failed("harness", depth=None)
    finally:
        if dd:
            dd.proc.send_signal(signal.SIGINT)   # fast shutdown: SIGTERM's smart one waits for clients
            try:
                rc = dd.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                dd.proc.kill()
                rc = dd.proc.wait()
            check("server_clean_shutdown", rc == 0, "exit %s" % rc)
            dd.log.close()
            with open(tmp_dd + "/server.log") as f:
                log = f.read()
            bad = [l for l in log.splitlines() if re.search(r"AddressSanitizer|runtime error|LeakSanitizer", l)]
            check("server_log_clean", not bad, " | ".join(bad[:5]))
        if pg:
            subprocess.run(as_postgres() + [PGBIN + "/pg_ctl", "-D", tmp_pg + "/data", "-m", "immediate", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)


CERTS = None
main()
