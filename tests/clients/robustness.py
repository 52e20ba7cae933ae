#!/usr/bin/python3
"""tests/clients/robustness.py PORT [LIMITED_PORT] - raw-socket abuse of
driftdb-server (stdlib only).

Each case talks bytes to the server, checks its answer (an ErrorResponse
with the right SQLSTATE and/or a close), and then checks that the server
still answers a normal psql query.  LIMITED_PORT, when not 0, is a second
server started with --max-connections 1.  Prints "ok NAME" / "FAIL NAME".
"""
import socket
import struct
import subprocess
import sys
import time

import harness

PORT = int(sys.argv[1])
LIMITED_PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 0
TIMEOUT = 10


class Closed(Exception):
    pass


def conn(port=PORT):
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise Closed()
        data += chunk
    return data


def read_msg(s):
    hdr = recv_exact(s, 5)
    t, n = hdr[:1], struct.unpack("!I", hdr[1:])[0]
    return t, recv_exact(s, n - 4)


def fields(body):
    """ErrorResponse/NoticeResponse body -> {field letter: value}."""
    out = {}
    for part in body.split(b"\0"):
        if part:
            out[chr(part[0])] = part[1:].decode()
    return out


def startup_packet(params=None, proto=196608):
    params = params if params is not None else {"user": "test", "database": "test"}
    body = struct.pack("!I", proto)
    for k, v in params.items():
        body += k.encode() + b"\0" + v.encode() + b"\0"
    body += b"\0"
    return struct.pack("!I", len(body) + 4) + body


def msg(t, body=b""):
    return t + struct.pack("!I", len(body) + 4) + body


def until_ready(s):
    msgs = []
    while True:
        t, b = read_msg(s)
        msgs.append((t, b))
        if t == b"Z":
            return msgs


def login(port=PORT, params=None):
    s = conn(port)
    s.sendall(startup_packet(params))
    msgs = until_ready(s)
    if msgs[0][0] != b"R" or msgs[0][1] != b"\0\0\0\0":
        raise AssertionError("no AuthenticationOk: %r" % (msgs[:2],))
    return s, msgs


def query(s, sql):
    s.sendall(msg(b"Q", sql.encode() + b"\0"))
    return until_ready(s)


def expect_close(s, sqlstate=None):
    """Reads until EOF; checks an ErrorResponse with sqlstate came first."""
    seen = []
    try:
        while True:
            t, b = read_msg(s)
            seen.append((t, b))
    except (Closed, ConnectionResetError):
        pass
    except socket.timeout:
        raise AssertionError("server did not close the connection; got %r" % seen)
    if sqlstate:
        errs = [fields(b) for t, b in seen if t == b"E"]
        if not errs or errs[0].get("C") != sqlstate:
            raise AssertionError("expected error %s, got %r" % (sqlstate, seen))
        return errs[0]
    return None


def expect_eof_raw(s):
    """Reads raw bytes until EOF; returns them."""
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            return data
        except socket.timeout:
            raise AssertionError("server did not close the connection")
        if not chunk:
            return data
        data += chunk


def still_serving():
    r = subprocess.run(["psql", "-X", "-h", "127.0.0.1", "-p", str(PORT), "-U", "test",
                        "-d", "test", "-At", "-c", "SELECT 1"],
                       capture_output=True, text=True, timeout=30)
    if r.returncode != 0 or r.stdout.strip() != "1":
        raise AssertionError("server no longer answers psql: rc=%d out=%r err=%r"
                             % (r.returncode, r.stdout, r.stderr))


report = harness.Report("robust_")


def case(fn):
    """Runs fn at once as the check robust_NAME; psql must get an answer after it."""
    def and_still_serving():
        fn()
        still_serving()
    report.run(fn.__name__, and_still_serving)
    return fn


@case
def garbage_bytes():
    s = conn()
    s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n" + bytes(range(256)) * 4)
    expect_close(s, "08P01")


@case
def startup_length_2():
    s = conn()
    s.sendall(struct.pack("!I", 2))
    expect_close(s, "08P01")


@case
def startup_huge_length():
    s = conn()
    s.sendall(struct.pack("!I", 0x7FFFFFFF) + b"\0\3\0\0")
    expect_close(s, "08P01")


@case
def message_length_2():
    s, _ = login()
    s.sendall(b"Q" + struct.pack("!I", 2))
    expect_close(s, "08P01")


@case
def message_huge_length():
    s, _ = login()
    s.sendall(b"Q" + struct.pack("!I", 0xFFFFFFF0) + b"SELECT 1\0")
    expect_close(s, "08P01")


@case
def half_message_then_close():
    s, _ = login()
    # Claims 100 MB, sends a few bytes and leaves: no reply, no crash.
    s.sendall(b"Q" + struct.pack("!I", 100 * 1024 * 1024) + b"SELECT 1")
    s.close()
    s = conn()
    s.sendall(startup_packet()[:7])   # half a startup packet
    s.close()
    s = conn()                        # connect and leave at once
    s.close()


@case
def protocol_2_0():
    s = conn()
    s.sendall(startup_packet(proto=2 << 16))
    err = expect_close(s, "0A000")
    if "unsupported frontend protocol" not in err.get("M", ""):
        raise AssertionError("message: %r" % err)


@case
def ssl_and_gss_refused():
    s = conn()
    s.sendall(struct.pack("!II", 8, 80877103))
    if recv_exact(s, 1) != b"N":
        raise AssertionError("SSLRequest not answered N")
    s.sendall(struct.pack("!II", 8, 80877104))
    if recv_exact(s, 1) != b"N":
        raise AssertionError("GSSENCRequest not answered N")
    s.sendall(startup_packet())
    until_ready(s)
    msgs = query(s, "SELECT 1")
    if [t for t, _ in msgs] != [b"T", b"D", b"C", b"Z"]:
        raise AssertionError("query after SSL refusal: %r" % msgs)
    s.sendall(msg(b"X"))
    if expect_eof_raw(s) != b"":
        raise AssertionError("data after Terminate")


@case
def cancel_request_ignored():
    s = conn()
    s.sendall(struct.pack("!IIII", 16, 80877102, 1, 2))
    if expect_eof_raw(s) != b"":
        raise AssertionError("CancelRequest got a reply")


@case
def startup_messages():
    s, msgs = login(params={"user": "test", "database": "db", "application_name": "raw"})
    ps = dict(tuple(x.decode() for x in b.split(b"\0")[:2]) for t, b in msgs if t == b"S")
    for k, v in {"server_version": "15.0", "client_encoding": "UTF8", "server_encoding": "UTF8",
                 "DateStyle": "ISO, MDY", "integer_datetimes": "on",
                 "standard_conforming_strings": "on", "IntervalStyle": "postgres",
                 "is_superuser": "on", "session_authorization": "test",
                 "application_name": "raw"}.items():
        if ps.get(k) != v:
            raise AssertionError("ParameterStatus %s = %r, want %r" % (k, ps.get(k), v))
    if "TimeZone" not in ps:
        raise AssertionError("no TimeZone")
    kinds = [t for t, _ in msgs]
    if b"K" not in kinds or kinds[-1] != b"Z" or msgs[-1][1] != b"I":
        raise AssertionError("startup sequence %r" % kinds)
    s.close()
    s = conn()
    s.sendall(startup_packet({"database": "db"}))   # no user
    expect_close(s, "28000")


@case
def empty_query_and_errors():
    s, _ = login()
    msgs = query(s, "")
    if [t for t, _ in msgs] != [b"I", b"Z"]:
        raise AssertionError("empty query: %r" % msgs)
    msgs = query(s, "SELECT 1; SELECT * FROM nope; SELECT 2")
    kinds = [t for t, _ in msgs]
    if kinds != [b"T", b"D", b"C", b"E", b"Z"]:
        raise AssertionError("error stops the message: %r" % msgs)
    err = fields(msgs[3][1])
    if err.get("C") != "42P01" or err.get("S") != "ERROR" or err.get("V") != "ERROR":
        raise AssertionError("error fields %r" % err)
    if int(err.get("P", "0")) != 25:
        raise AssertionError("position %r, want 25" % err.get("P"))
    # A query without its NUL / with trailing bytes is a protocol violation.
    s.sendall(msg(b"Q", b"SELECT 1\0junk"))
    expect_close(s, "08P01")


def kinds(msgs):
    return [t for t, _ in msgs]


def parse_msg(sql, name=b"", oids=()):
    return msg(b"P", name + b"\0" + sql.encode() + b"\0" + struct.pack("!h", len(oids)) +
               b"".join(struct.pack("!I", o) for o in oids))


def bind_msg(params=(), fmts=(), rfmts=(), portal=b"", stmt=b"", nparams=None):
    body = portal + b"\0" + stmt + b"\0" + struct.pack("!h", len(fmts))
    body += b"".join(struct.pack("!h", f) for f in fmts)
    body += struct.pack("!h", len(params) if nparams is None else nparams)
    for p in params:
        body += struct.pack("!i", -1) if p is None else struct.pack("!i", len(p)) + p
    body += struct.pack("!h", len(rfmts)) + b"".join(struct.pack("!h", f) for f in rfmts)
    return msg(b"B", body)


def execute_msg(portal=b"", maxrows=0):
    return msg(b"E", portal + b"\0" + struct.pack("!I", maxrows))


@case
def extended_protocol_basic():
    s, _ = login()
    s.sendall(msg(b"P", b"\0SELECT 1\0\0\0") + msg(b"B", b"\0\0\0\0\0\0\0\0") +
              msg(b"E", b"\0\0\0\0\0") + msg(b"S"))
    msgs = until_ready(s)
    if kinds(msgs) != [b"1", b"2", b"D", b"C", b"Z"]:
        raise AssertionError("extended: %r" % msgs)
    msgs = query(s, "SELECT 1")
    if kinds(msgs) != [b"T", b"D", b"C", b"Z"]:
        raise AssertionError("query after extended: %r" % msgs)
    s.sendall(msg(b"S"))   # a lone Sync: just ReadyForQuery
    msgs = until_ready(s)
    if kinds(msgs) != [b"Z"]:
        raise AssertionError("lone Sync: %r" % msgs)
    # Describe statement: ParameterDescription with inferred types, NoData
    s.sendall(parse_msg("SELECT $1::int + $2, $3 LIMIT $4", b"s1") + msg(b"D", b"Ss1\0") + msg(b"S"))
    msgs = until_ready(s)
    if kinds(msgs) != [b"1", b"t", b"T", b"Z"]:
        raise AssertionError("describe: %r" % msgs)
    oids = struct.unpack("!h4I", msgs[1][1])
    if oids != (4, 23, 23, 25, 20):
        raise AssertionError("parameter types %r" % (oids,))
    # an error skips to Sync; the pipeline after Sync runs
    s.sendall(bind_msg([b"1"], stmt=b"nope") + execute_msg() + msg(b"S") +
              bind_msg([b"1", b"2", b"x", b"1"], stmt=b"s1") + execute_msg() + msg(b"S"))
    msgs = until_ready(s) + until_ready(s)
    if kinds(msgs) != [b"E", b"Z", b"2", b"D", b"C", b"Z"] or fields(msgs[0][1]).get("C") != "26000":
        raise AssertionError("skip to Sync: %r" % msgs)
    # row limit: PortalSuspended, then the rest
    s.sendall(parse_msg("SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3") + bind_msg() +
              execute_msg(maxrows=2) + execute_msg(maxrows=2) + msg(b"S"))
    msgs = until_ready(s)
    if kinds(msgs) != [b"1", b"2", b"D", b"D", b"s", b"D", b"C", b"Z"]:
        raise AssertionError("row limit: %r" % msgs)
    # a suspended portal survives another statement (its rows are kept),
    # and an error among its kept rows comes when Execute reaches it
    s.sendall(parse_msg("SELECT 10 / (x - 3) FROM (VALUES (1), (2), (3), (4)) AS v(x)", b"div") +
              bind_msg(portal=b"a", stmt=b"div") + execute_msg(b"a", 1) +
              parse_msg("SELECT 5") + bind_msg() + execute_msg() +
              execute_msg(b"a", 0) + execute_msg() + msg(b"S"))
    msgs = until_ready(s)
    if kinds(msgs) != [b"1", b"2", b"D", b"s", b"1", b"2", b"D", b"C", b"D", b"E", b"Z"] or \
            fields(msgs[9][1]).get("C") != "22012":
        raise AssertionError("held rows: %r" % msgs)
    s.close()


def fields_row(body):
    """The first value of a DataRow, as text."""
    n = struct.unpack("!i", body[2:6])[0]
    return None if n < 0 else body[6:6 + n].decode()


@case
def suspended_dml_commits_at_sync():
    """An autocommit UPDATE ... RETURNING suspended by a row limit commits
    at Sync; when that commit fails (a deferred foreign key without its
    parent), Sync reports 23503 before ReadyForQuery instead of losing the
    failure."""
    a, _ = login()
    b, _ = login()
    query(a, "DROP TABLE IF EXISTS susp; DROP TABLE IF EXISTS susp_p; CREATE TABLE susp_p (id int PRIMARY KEY);"
             " CREATE TABLE susp (id int PRIMARY KEY, n int,"
             " pid int REFERENCES susp_p DEFERRABLE INITIALLY DEFERRED);"
             " INSERT INTO susp_p VALUES (1); INSERT INTO susp VALUES (1, 0, 1), (2, 0, 1)")

    def suspended(sql):
        a.sendall(parse_msg(sql) + bind_msg() + execute_msg(maxrows=1) + msg(b"H"))
        got = []
        while not got or got[-1][0] != b"s":
            got.append(read_msg(a))
        if kinds(got) != [b"1", b"2", b"D", b"s"]:
            raise AssertionError("suspended update: %r" % got)

    def total():
        msgs = query(b, "SELECT sum(n) FROM susp")
        return [fields_row(m) for t, m in msgs if t == b"D"][0]

    suspended("UPDATE susp SET n = n + 1 RETURNING n")
    a.sendall(msg(b"S"))
    if kinds(until_ready(a)) != [b"Z"]:
        raise AssertionError("Sync after a suspended update")
    if total() != "2":
        raise AssertionError("suspended update lost: sum %r" % total())
    suspended("UPDATE susp SET n = 10, pid = 99 RETURNING n")
    a.sendall(msg(b"S"))
    msgs = until_ready(a)
    if kinds(msgs) != [b"E", b"Z"] or fields(msgs[0][1]).get("C") != "23503":
        raise AssertionError("Sync after a suspended update that cannot commit: %r" % msgs)
    if total() != "2":
        raise AssertionError("sum %r after the failed commit" % total())
    if kinds(query(b, "UPDATE susp SET n = 5 WHERE id = 1")) != [b"C", b"Z"]:
        raise AssertionError("the failed commit's row locks stayed")
    if kinds(query(a, "SELECT 1")) != [b"T", b"D", b"C", b"Z"]:
        raise AssertionError("session after the failed commit")
    a.close()
    b.close()


@case
def extended_bad_bind():
    s, _ = login()
    s.sendall(parse_msg("SELECT $1::int", b"p"))
    # parameter count lies (statement has 1): 08P01, connection stays
    s.sendall(bind_msg([b"1", b"2"], stmt=b"p") + execute_msg() + msg(b"S"))
    msgs = until_ready(s)
    if kinds(msgs) != [b"1", b"E", b"Z"] or fields(msgs[1][1]).get("C") != "08P01":
        raise AssertionError("parameter count: %r" % msgs)
    # format count lies (2 formats, 1 parameter): 08P01
    s.sendall(bind_msg([b"1"], fmts=(0, 0), stmt=b"p") + msg(b"S"))
    msgs = until_ready(s)
    if kinds(msgs) != [b"E", b"Z"] or fields(msgs[0][1]).get("C") != "08P01":
        raise AssertionError("format count: %r" % msgs)
    # binary int4 of 5 bytes: 22P03; of 3 bytes: 08P01 (as PostgreSQL)
    s.sendall(bind_msg([b"\0\0\0\0\1"], fmts=(1,), stmt=b"p") + msg(b"S"))
    msgs = until_ready(s)
    if kinds(msgs) != [b"E", b"Z"] or fields(msgs[0][1]).get("C") != "22P03":
        raise AssertionError("binary length: %r" % msgs)
    s.sendall(bind_msg([b"\0\0\1"], fmts=(1,), stmt=b"p") + msg(b"S"))
    msgs = until_ready(s)
    if kinds(msgs) != [b"E", b"Z"] or fields(msgs[0][1]).get("C") != "08P01":
        raise AssertionError("short binary: %r" % msgs)
    # text that is no integer: 22P02
    s.sendall(bind_msg([b"x"], stmt=b"p") + msg(b"S"))
    msgs = until_ready(s)
    if kinds(msgs) != [b"E", b"Z"] or fields(msgs[0][1]).get("C") != "22P02":
        raise AssertionError("text parameter: %r" % msgs)
    # still fine afterwards, binary both ways
    s.sendall(bind_msg([struct.pack("!i", 7)], fmts=(1,), rfmts=(1,), stmt=b"p") + execute_msg() + msg(b"S"))
    msgs = until_ready(s)
    if kinds(msgs) != [b"2", b"D", b"C", b"Z"] or msgs[1][1] != struct.pack("!hi", 1, 4) + struct.pack("!i", 7):
        raise AssertionError("binary round trip: %r" % msgs)
    # a parameter length past the end of the message: FATAL 08P01, closed
    body = b"\0p\0" + struct.pack("!hh", 0, 1) + struct.pack("!i", 100) + b"12"
    s.sendall(msg(b"B", body))
    expect_close(s, "08P01")


@case
def extended_truncated_messages():
    for m in [msg(b"P", b"\0SELECT 1"), msg(b"P", b"\0SELECT 1\0\0\2\0\0"),
              msg(b"B", b"\0\0\0"), msg(b"D", b"S"), msg(b"E", b"\0\0\0"),
              msg(b"C", b"P"), msg(b"B", b"\0\0\0\0\0\0\0\0junk")]:
        s, _ = login()
        s.sendall(m)
        expect_close(s, "08P01")


@case
def unknown_message_type():
    s, _ = login()
    s.sendall(msg(b"!", b"xyz"))
    expect_close(s, "08P01")


@case
def copy_in_wrong_message():
    """During COPY FROM STDIN, simple or extended, Flush and Sync are
    ignored; any message but CopyData, CopyDone and CopyFail is ERROR 08P01
    (at the COPY's line), then FATAL 08P01 closing the connection, as in
    PostgreSQL 15; nothing of the COPY stays."""
    s, _ = login()
    query(s, "CREATE TABLE copy_wrong (id INT PRIMARY KEY)")
    for start in (msg(b"Q", b"COPY copy_wrong FROM STDIN\0"),
                  parse_msg("COPY copy_wrong FROM STDIN") + bind_msg() + execute_msg() + msg(b"S")):
        k, _ = login()
        k.sendall(start + msg(b"H") + msg(b"d", b"1\n") + msg(b"S") + parse_msg("SELECT 1") + msg(b"d", b"2\n") +
                  msg(b"c") + msg(b"S"))
        seen = []
        try:
            while True:
                seen.append(read_msg(k))
        except (Closed, ConnectionResetError):
            pass
        errs = [fields(b) for t, b in seen if t == b"E"]
        if [(e.get("S"), e.get("C")) for e in errs] != [("ERROR", "08P01"), ("FATAL", "08P01")] or \
                errs[0].get("W") != "COPY copy_wrong, line 2" or b"Z" in kinds(seen):
            raise AssertionError("wrong message during COPY: %r" % seen)
        k.close()
    msgs = query(s, "SELECT count(*) FROM copy_wrong")
    if msgs[1][1][-1:] != b"0":
        raise AssertionError("rows of the failed COPY: %r" % msgs)
    query(s, "DROP TABLE copy_wrong")
    s.close()


@case
def vanish_mid_transaction():
    s, _ = login()
    query(s, "CREATE TABLE vanish (id INT PRIMARY KEY, s TEXT)")
    msgs = query(s, "BEGIN; INSERT INTO vanish (id, s) VALUES (1, 'lost')")
    if msgs[-1] != (b"Z", b"T"):
        raise AssertionError("not in a transaction: %r" % msgs)
    s.close()
    time.sleep(0.3)
    s, _ = login()
    msgs = query(s, "SELECT count(*) FROM vanish")
    rows = [b for t, b in msgs if t == b"D"]
    if len(rows) != 1 or not rows[0].endswith(b"0"):
        raise AssertionError("transaction of a vanished client survived: %r" % msgs)
    s.close()


@case
def vanish_mid_result():
    s, _ = login()
    values = ",".join("(%d, '%s')" % (i, "x" * 200) for i in range(2000))
    query(s, "CREATE TABLE wide (id INT PRIMARY KEY, s TEXT)")
    msgs = query(s, "INSERT INTO wide (id, s) VALUES " + values)
    if msgs[0][0] != b"C":
        raise AssertionError("insert: %r" % msgs[:2])
    for _ in range(5):
        s2, _ = login()
        s2.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s2.sendall(msg(b"Q", b"SELECT a.id, a.s FROM wide a, wide b WHERE b.id < 50\0"))
        s2.recv(100)
        s2.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s2.close()   # RST while the server streams rows
    s.close()


@case
def too_many_connections():
    if not LIMITED_PORT:
        raise AssertionError("the --max-connections 1 server did not start")
    s, _ = login(LIMITED_PORT)
    s2 = conn(LIMITED_PORT)
    s2.sendall(startup_packet())
    err = expect_close(s2, "53300")
    if err.get("S") != "FATAL" or "too many clients" not in err.get("M", ""):
        raise AssertionError("error %r" % err)
    s.sendall(msg(b"X"))
    s.close()
    time.sleep(0.3)
    s3, _ = login(LIMITED_PORT)   # the slot is free again
    s3.close()


@case
def many_garbage_clients():
    socks = []
    for i in range(50):
        s = conn()
        s.sendall(bytes([i]) * 3)
        socks.append(s)
    for s in socks:
        s.close()
