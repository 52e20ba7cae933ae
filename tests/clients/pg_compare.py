#!/usr/bin/python3
"""tests/clients/pg_compare.py DRIFTDB_PORT PG_PORT - the extended query
protocol of driftdb-server side by side with a real PostgreSQL 15.

The same message sequences go to both servers (raw sockets) and what comes
back must agree: the kinds of the messages (ParseComplete, BindComplete,
DataRow, PortalSuspended, NoData, ...), their SQLSTATEs, the command tags,
the parameter types of ParameterDescription, the transaction status of
ReadyForQuery (an error of the wire layer fails a block as any error
does), and the bytes of binary results of every type.  Then asyncpg prepares statements on both and the
inferred parameter types and result column types must agree.

Known differences, deliberately not compared:
`now() - $1` reads $1 as an interval here (as DriftDB reads '...'
literals), as timestamptz there; a cast's column is named ?column? here,
after the type there; constant errors such as 1/0 come at Execute here,
at Bind there (PostgreSQL folds constants when planning at Bind).
Prints "ok NAME" / "FAIL NAME" lines.
"""
import asyncio
import socket
import struct
import sys

import asyncpg

import harness

DD_PORT, PG_PORT = int(sys.argv[1]), int(sys.argv[2])
SERVERS = [("driftdb", DD_PORT, b"test"), ("postgres", PG_PORT, b"postgres")]


def msg(t, body=b""):
    return t + struct.pack("!I", len(body) + 4) + body


def startup(db):
    body = struct.pack("!I", 196608) + b"user\0test\0database\0" + db + b"\0\0"
    return struct.pack("!I", len(body) + 4) + body


def parse(sql, name=b"", oids=()):
    return msg(b"P", name + b"\0" + sql.encode() + b"\0" + struct.pack("!h", len(oids)) +
               b"".join(struct.pack("!I", o) for o in oids))


def bind(params=(), fmts=(), rfmts=(), portal=b"", stmt=b""):
    body = portal + b"\0" + stmt + b"\0" + struct.pack("!h", len(fmts))
    body += b"".join(struct.pack("!h", f) for f in fmts) + struct.pack("!h", len(params))
    for p in params:
        body += struct.pack("!i", -1) if p is None else struct.pack("!i", len(p)) + p
    return msg(b"B", body + struct.pack("!h", len(rfmts)) + b"".join(struct.pack("!h", f) for f in rfmts))


def ex(portal=b"", n=0):
    return msg(b"E", portal + b"\0" + struct.pack("!I", n))


def desc(kind, name=b""):
    return msg(b"D", kind + name + b"\0")


def close(kind, name=b""):
    return msg(b"C", kind + name + b"\0")


def query(sql):   # a simple Query
    return msg(b"Q", sql.encode() + b"\0")


SYNC = msg(b"S")
CDONE = msg(b"c")   # CopyDone


def cd(data):   # CopyData
    return msg(b"d", data)


def cfail(why):   # CopyFail
    return msg(b"f", why.encode() + b"\0")


class Conn:
    def __init__(self, port, db):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        self.s.sendall(startup(db))
        while self.read()[0] != b"Z":
            pass

    def recv(self):
        chunk = self.s.recv(65536)
        if not chunk:
            raise EOFError("the server closed the connection")
        self.buf += chunk

    def read(self):
        while len(self.buf) < 5:
            self.recv()
        t, n = self.buf[:1], struct.unpack("!I", self.buf[1:5])[0]
        while len(self.buf) < 1 + n:
            self.recv()
        m = (t, self.buf[5:1 + n])
        self.buf = self.buf[1 + n:]
        return m

    def run(self, seq, binary_rows=False, syncs=None):
        """Sends seq; returns a summary of the replies up to its last Sync
        (syncs: the ReadyForQuery count, when a Sync sent during COPY IN
        gives none)."""
        self.s.sendall(seq)
        out, syncs = [], seq.count(SYNC) if syncs is None else syncs
        while syncs:
            t, b = self.read()
            if t == b"E":
                f = {chr(x[0]): x[1:].decode() for x in b.split(b"\0") if x}
                out.append("E" + f.get("C", "?"))
            elif t == b"D":
                out.append(b if binary_rows else "D")
            elif t in (b"G", b"H", b"d"):   # CopyIn/OutResponse, CopyData: their bytes
                out.append(t.decode() + ":" + b.hex())
            elif t == b"C":
                out.append("C:" + b[:-1].decode())
            elif t == b"t":
                n = struct.unpack("!h", b[:2])[0]
                out.append("t" + str(struct.unpack("!%dI" % n, b[2:])))
            elif t in (b"S", b"N"):   # ParameterStatus / notices differ in their defaults
                continue
            elif t == b"Z":   # ReadyForQuery: with the transaction status
                out.append("Z" + b.decode())
            else:
                out.append(t.decode())
            if t == b"Z":
                syncs -= 1
        return out

    def close(self):
        self.s.sendall(msg(b"X"))
        self.s.close()


test = harness.Report("pgcmp_").run


SEQUENCES = [
    ("empty_query", parse("") + bind() + desc(b"P") + ex() + SYNC),
    ("exhausted_portal", parse("SELECT 1") + bind(portal=b"p") + ex(b"p") + ex(b"p") + SYNC),
    ("describe_after_execute", parse("SELECT 1 AS a") + bind(portal=b"p") + ex(b"p", 1) + desc(b"P", b"p") + SYNC),
    ("close_missing", close(b"S", b"nope") + close(b"P", b"nope") + SYNC),
    # a Sync carries no body: one that does is 08P01, and still syncs
    ("sync_with_body", msg(b"S", b"x") + parse("SELECT 1") + bind() + ex() + SYNC),
    ("duplicate_statement", parse("SELECT 1", b"x") + parse("SELECT 2", b"x") + SYNC + close(b"S", b"x") + SYNC),
    ("unnamed_replaced", parse("SELECT 1") + parse("SELECT 2") + bind() + ex() + SYNC),
    ("bind_wrong_count", parse("SELECT $1::int", b"w") + bind(stmt=b"w") + ex() + SYNC + close(b"S", b"w") + SYNC),
    ("syntax_error", parse("SELEC 1") + bind() + ex() + SYNC),
    ("transaction", parse("BEGIN") + bind() + ex() + parse("SELECT 1") + bind() + ex() + SYNC +
     parse("COMMIT") + bind() + ex() + SYNC),
    ("failed_block", parse("BEGIN") + bind() + ex() + SYNC + parse("SELECT * FROM nope_table") + SYNC +
     parse("SELECT 1") + SYNC + parse("ROLLBACK") + bind() + ex() + SYNC),
    ("describe_no_rows", parse("BEGIN", b"b") + desc(b"S", b"b") + SYNC + close(b"S", b"b") + SYNC),
    ("row_limits", parse("SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3") + bind() + ex(b"", 2) + ex(b"", 2) +
     ex(b"", 2) + SYNC),
    ("null_binary", parse("SELECT $1::int") + bind([None], fmts=(1,), rfmts=(1,)) + ex() + SYNC),
    ("result_format_count", parse("SELECT 1, 2") + bind(rfmts=(0, 1, 0)) + ex() + SYNC),
    ("describe_missing", desc(b"S", b"nope") + SYNC + desc(b"P", b"nope") + SYNC),
    ("execute_missing", ex(b"nope") + SYNC),
    ("declared_types", parse("SELECT $1", b"d", (23,)) + desc(b"S", b"d") + SYNC + close(b"S", b"d") + SYNC),
    ("unused_declared", parse("SELECT 1", b"u", (23, 25)) + desc(b"S", b"u") + SYNC + close(b"S", b"u") + SYNC),
    ("text_parameter_blanks", parse("SELECT $1::int") + bind([b" 42 "]) + ex() + SYNC),
    ("bad_text_parameter", parse("SELECT $1::int") + bind([b"4x"]) + ex() + SYNC),
    ("short_binary_parameter", parse("SELECT $1::int8") + bind([b"\0\0\0\1"], fmts=(1,)) + ex() + SYNC),
    ("two_commands", parse("SELECT 1; SELECT 2") + SYNC),
    ("inferred_types", parse("SELECT $1::int + $2, $3 LIMIT $4", b"i") + desc(b"S", b"i") + SYNC +
     close(b"S", b"i") + SYNC),
    # a finished portal run again: no more rows, or 55000 for a statement
    # without rows; an empty one is empty again
    ("portal_run_again", msg(b"Q", b"CREATE TABLE pgagain (id int)\0") + parse("INSERT INTO pgagain VALUES (1)") +
     bind(portal=b"p") + ex(b"p") + ex(b"p") + SYNC + parse("INSERT INTO pgagain VALUES (2) RETURNING id") +
     bind(portal=b"p") + ex(b"p") + ex(b"p") + SYNC + parse("") + bind(portal=b"p") + ex(b"p") + ex(b"p") + SYNC +
     msg(b"Q", b"DROP TABLE pgagain\0"), 5),
    # COPY through Parse / Bind / Execute.  libpq sends its Sync right
    # behind the Execute: during COPY IN a Sync (or Flush) is ignored, so
    # these give one ReadyForQuery less than they have Syncs (the number
    # after a sequence: its ReadyForQuery count, simple queries too)
    ("copy_setup", msg(b"Q", b"CREATE TABLE pgcopy (id int PRIMARY KEY, v text)\0"), 1),
    ("copy_in", parse("COPY pgcopy FROM STDIN") + bind() + desc(b"P") + ex() + SYNC + cd(b"1\ta\n2\t") +
     cd(b"b\n") + CDONE + SYNC, 1),
    ("copy_in_describe", parse("COPY pgcopy FROM STDIN", b"c") + desc(b"S", b"c") + SYNC + close(b"S", b"c") + SYNC),
    ("copy_in_flush_then_query", parse("COPY pgcopy (v, id) FROM STDIN (FORMAT csv)") + bind() + ex() + msg(b"H") +
     cd(b"c,3\n") + msg(b"H") + CDONE + parse("SELECT 1") + bind() + ex() + SYNC),
    ("copy_in_bad_row", parse("COPY pgcopy FROM STDIN") + bind() + ex() + SYNC + cd(b"4\td\nx\te\n") + CDONE +
     SYNC, 1),
    ("copy_in_fail", parse("COPY pgcopy FROM STDIN") + bind() + ex() + SYNC + cd(b"5\te\n") + cfail("no") + SYNC, 1),
    ("copy_in_duplicate_key", parse("COPY pgcopy FROM STDIN") + bind() + ex() + SYNC + cd(b"6\tf\n1\tdup\n") +
     CDONE + SYNC, 1),
    ("copy_in_rolled_back_with_its_sync", parse("COPY pgcopy FROM STDIN") + bind() + ex() + cd(b"7\tg\n") + CDONE +
     parse("SELECT * FROM nope_table") + bind() + ex() + SYNC),
    ("copy_in_block", msg(b"Q", b"BEGIN\0") + parse("COPY pgcopy FROM STDIN") + bind() + ex() + SYNC +
     cd(b"8\th\n") + CDONE + SYNC + msg(b"Q", b"ROLLBACK\0"), 3),
    ("copy_in_missing_table", parse("COPY nope_table FROM STDIN") + bind() + ex() + SYNC),
    ("copy_out", parse("COPY (SELECT * FROM pgcopy ORDER BY id) TO STDOUT (FORMAT csv, HEADER)") + bind() +
     desc(b"P") + ex(b"", 1) + SYNC),
    ("copy_out_binary", parse("COPY pgcopy TO STDOUT (FORMAT binary)") + bind(rfmts=(1,)) + ex() + SYNC),
    ("copy_run_again", parse("COPY pgcopy TO STDOUT") + bind(portal=b"p") + ex(b"p") + ex(b"p") + SYNC),
    ("copy_parameters", parse("COPY (SELECT $1::int) TO STDOUT") + bind() + ex() + SYNC +
     parse("COPY (SELECT $1::int) TO STDOUT") + bind([b"1"]) + ex() + SYNC),
    ("copy_cleanup", msg(b"Q", b"DROP TABLE pgcopy\0"), 1),
    # an ERROR of the wire layer aborts the transaction, as every ERROR
    # does: a block fails (25P02 until ROLLBACK), with the portals bound
    # before (but for an empty one), and an implicit transaction is rolled
    # back with the statements it ran
    ("wire_error_setup", query("CREATE TABLE pgwerr (id int)"), 1),
    ("execute_missing_in_block", query("BEGIN") + ex(b"nope") + SYNC + query("SELECT 1") + query("ROLLBACK"), 4),
    ("describe_missing_in_block", query("BEGIN") + desc(b"S", b"nope") + SYNC + query("SELECT 1") + query("ROLLBACK") +
     query("BEGIN") + desc(b"P", b"nope") + SYNC + query("ROLLBACK"), 7),
    ("unnamed_missing_in_block", query("BEGIN") + bind() + SYNC + query("ROLLBACK") + query("BEGIN") + desc(b"S") +
     SYNC + query("ROLLBACK"), 6),
    ("bind_mismatch_in_block", query("BEGIN") + parse("SELECT $1::int", b"w") + bind(stmt=b"w") + SYNC +
     query("SELECT 1") + query("ROLLBACK") + close(b"S", b"w") + SYNC, 5),
    ("duplicates_in_block", query("BEGIN") + parse("SELECT 1", b"x") + parse("SELECT 2", b"x") + SYNC +
     query("ROLLBACK") + query("BEGIN") + parse("SELECT 1") + bind(portal=b"p") + bind(portal=b"p") + SYNC +
     query("ROLLBACK") + close(b"S", b"x") + SYNC, 7),
    ("bad_subtypes_in_block", query("BEGIN") + desc(b"X") + SYNC + query("ROLLBACK") + query("BEGIN") + close(b"X") +
     SYNC + query("ROLLBACK"), 6),
    ("missing_portal_rolls_back", parse("INSERT INTO pgwerr VALUES (1)") + bind() + ex() + ex(b"nope") + SYNC +
     query("SELECT 1 FROM pgwerr"), 2),
    ("sync_with_body_rolls_back", parse("INSERT INTO pgwerr VALUES (2)") + bind() + ex() + msg(b"S", b"x") +
     query("SELECT 1 FROM pgwerr") + query("BEGIN") + msg(b"S", b"x") + query("ROLLBACK"), 5),
    ("portals_fail_with_block", query("BEGIN") + parse("SELECT generate_series(1, 3)") + bind(portal=b"a") +
     ex(b"a", 1) + parse("") + bind(portal=b"e") + ex(b"nope") + SYNC + ex(b"a", 1) + SYNC + ex(b"e") + SYNC +
     desc(b"P", b"a") + SYNC + parse("ROLLBACK") + bind() + ex() + SYNC, 6),
    ("describe_in_failed_block", query("BEGIN") + parse("SELECT 1", b"d1") + parse("COMMIT", b"d2") +
     query("SELECT nope") + desc(b"S", b"d1") + SYNC + desc(b"S", b"d2") + SYNC + query("ROLLBACK") +
     close(b"S", b"d1") + close(b"S", b"d2") + SYNC, 6),
    ("wire_error_cleanup", query("DROP TABLE pgwerr"), 1),
    # EXECUTE is a utility statement: Parse gives it no parameters of its
    # own, and its arguments see none of the portal's (42P02)
    ("execute_parameters", query("PREPARE pgq(int) AS SELECT $1 + 1") + parse("EXECUTE pgq($1)") + desc(b"S") +
     bind() + ex() + SYNC + parse("EXECUTE pgq($1)", b"", (23,)) + desc(b"S") + bind([b"1"]) + ex() + SYNC +
     parse("EXECUTE pgq((SELECT 1))") + bind() + ex() + SYNC + parse("EXECUTE pgq(2)") + bind() + ex() + SYNC +
     parse("PREPARE pgz AS SELECT $1") + desc(b"S") + SYNC + query("DEALLOCATE pgq"), 7),
]

VALUES = [
    ("bool", "t"), ("int2", "-5"), ("int4", "123456"), ("int8", "-9000000000"), ("float4", "1.5"),
    ("float8", "-2.5e-300"), ("numeric", "0"), ("numeric", "0.00"), ("numeric", "-1.50"),
    ("numeric", "12345.6789"), ("numeric", "0.0001"), ("numeric", "10000"), ("numeric", "100000000"),
    ("numeric", "123456789012345678901234567890.12345678"), ("numeric", "-0.000000012"), ("numeric", "5e3"),
    ("numeric", "NaN"), ("numeric", "Infinity"), ("numeric", "-Infinity"),
    ("numeric", "1234567890123456789012345678901234567890.123"), ("numeric", "-1e60"), ("numeric", "1.5e-50"),
    ("numeric", "0.0000000000000000000000000000000000000000"), ("numeric", "1.00000000000000000000000000000000000000000000"),
    ("text", "héllo"), ("varchar", "x"), ("char(3)", "a"), ("bytea", "\\x00ff"), ("date", "2024-02-29"),
    ("date", "0001-01-01"), ("timestamp", "2024-01-02 03:04:05.678901"),
    ("timestamptz", "2024-01-02 03:04:05+02"), ("interval", "1 year 2 mons -3 days 04:05:06.7"),
    ("uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), ("time", "13:14:15.161718"), ("time", "24:00:00"),
    ("timetz", "13:14:15-05:30"), ("timetz", "00:00:00+14"), ("time[]", "{01:02:03,NULL}"),
    ("int4[]", "{1,NULL,-3}"), ("int4[]", "{}"), ("int8[]", "{{1,2},{3,4}}"), ("int2[]", "[0:1]={7,8}"),
    ("text[]", '{a,"b c",NULL,""}'), ("varchar[]", "{x}"), ("bool[]", "{t,f}"), ("float8[]", "{1.5,-0}"),
    ("numeric[]", "{1.50,-2,0.0001}"), ("numeric[]", "{NaN,Infinity,-Infinity,2.5}"), ("numeric[]", "{1e50,-1,1.5e-45}"), ("date[]", "{2024-02-29}"), ("timestamptz[]", '{"2024-01-02 03:04:05+02"}'),
    ("interval[]", '{"1 day 02:00:00"}'), ("uuid[]", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}"),
    ("bytea[]", '{"\\\\x00ff"}'),
    ("name", "pg_class"), ("name", "x" * 70), ('"char"', "r"), ('"char"', "\\377"), ('"char"', ""),
    ("oid", "4294967295"), ("oid", "-1"), ("oid", "0"), ("name[]", "{a,NULL}"), ('"char"[]', "{a,b}"),
    ("oid[]", "{1,4294967295}"),
]

PREPARED = [
    "SELECT $1",
    "SELECT $1 = $2",
    "SELECT * FROM pgcmp WHERE id = $1",
    "SELECT * FROM pgcmp WHERE id IN ($1, $2)",
    "SELECT * FROM pgcmp WHERE id BETWEEN $1 AND $2",
    "SELECT * FROM pgcmp ORDER BY id LIMIT $1 OFFSET $2",
    "INSERT INTO pgcmp VALUES ($1, $2, $3)",
    "INSERT INTO pgcmp (name, id) VALUES ($1, $2)",
    "UPDATE pgcmp SET name = $1, n = $2 WHERE id = $3",
    "DELETE FROM pgcmp WHERE id = $1",
    "SELECT id + $1, n * $2 FROM pgcmp",
    "SELECT coalesce($1, 1)",
    "SELECT CASE WHEN $1 THEN 1 ELSE 2 END",
    "SELECT length($1)",
    "SELECT $1 || 'x'",
    "SELECT * FROM pgcmp WHERE name LIKE $1",
    "SELECT count(*) FROM pgcmp WHERE $1",
    "SELECT 1 WHERE $1 = 1 AND $2 = 'x'",
    # INSERT ... SELECT: a parameter alone in the select list takes its
    # target column's type
    "INSERT INTO pgcmp SELECT $1, $2, $3",
    "INSERT INTO pgcmp (n, id) SELECT $1, $2",
]


def sequences():
    conns = [Conn(port, db) for _, port, db in SERVERS]
    bad = []
    for name, seq, *syncs in SEQUENCES:
        got = [c.run(seq, syncs=syncs[0] if syncs else None) for c in conns]
        if got[0] != got[1]:
            bad.append("%s: driftdb %s, postgres %s" % (name, got[0], got[1]))
    for c in conns:
        c.close()
    if bad:
        raise AssertionError("\n".join(bad))


POSITIONS = [
    "SELECT 'h\u00e9llo' AS a, nope",
    "SELECT '\u20ac\u20ac\u20ac' AS a, 1 + 'x\U0001F600y' AS b, nope",
    "SELECT 1 AS a;\nSELECT '\u00fc\u00fc' AS b, nope_too",
    "SELECT * FROM \"t\u00e4ble_missing\"",
]


def error_positions():
    """The 'P' field of ErrorResponse counts characters, not bytes, for
    simple queries (whole query string) and Parse."""
    conns = [Conn(port, db) for _, port, db in SERVERS]
    bad = []

    def position(c, seq):
        c.s.sendall(seq)
        pos = None
        while True:
            t, b = c.read()
            if t == b"E":
                f = {chr(x[0]): x[1:].decode() for x in b.split(b"\0") if x}
                pos = (f.get("C"), f.get("P"))
            if t == b"Z":
                return pos

    for q in POSITIONS:
        for kind, seq in (("query", msg(b"Q", q.encode() + b"\0")), ("parse", parse(q.split(";")[-1].strip()) + SYNC)):
            got = [position(c, seq) for c in conns]
            if got[0] != got[1] or got[0] is None or got[0][1] is None:
                bad.append("%s %r: driftdb %s, postgres %s" % (kind, q, got[0], got[1]))
    for c in conns:
        c.close()
    if bad:
        raise AssertionError("\n".join(bad))


def binary_results():
    conns = [Conn(port, db) for _, port, db in SERVERS]
    bad = []
    for t, v in VALUES:
        seq = parse("SELECT $1::%s" % t) + bind([v.encode()], rfmts=(1,)) + ex() + SYNC
        got = [c.run(seq, binary_rows=True) for c in conns]
        if got[0] != got[1]:
            bad.append("%s %s: driftdb %r, postgres %r" % (t, v, got[0], got[1]))
        # and back: the binary value as a binary parameter, text result
        row = got[1][2] if len(got[1]) > 2 and isinstance(got[1][2], bytes) else None
        if row:
            n = struct.unpack("!i", row[2:6])[0]
            seq = parse("SELECT $1::%s::text" % t) + bind([row[6:6 + n]], fmts=(1,)) + ex() + SYNC
            back = [c.run(seq, binary_rows=True) for c in conns]
            if back[0] != back[1]:
                bad.append("%s %s back: driftdb %r, postgres %r" % (t, v, back[0], back[1]))
    for c in conns:
        c.close()
    if bad:
        raise AssertionError("\n".join(bad))


async def prepared_types():
    out = []
    for _, port, db in SERVERS:
        c = await asyncpg.connect(host="127.0.0.1", port=port, user="test", database=db.decode(), timeout=10)
        await c.execute("CREATE TABLE pgcmp (id INT PRIMARY KEY, name VARCHAR(10), n NUMERIC(8,2))")
        res = []
        for q in PREPARED:
            try:
                st = await c.prepare(q)
                res.append(([t.name for t in st.get_parameters()], [a.type.name for a in st.get_attributes()]))
            except asyncpg.PostgresError as e:
                res.append(("error", e.sqlstate))
        await c.execute("DROP TABLE pgcmp")
        await c.close()
        out.append(res)
    bad = ["%s: driftdb %s, postgres %s" % (q, a, b) for q, a, b in zip(PREPARED, out[0], out[1]) if a != b]
    if bad:
        raise AssertionError("\n".join(bad))


def binary_array_messages():
    """a binary array parameter whose element type is not the one declared:
    42804 with PostgreSQL's message, naming both types"""
    import psycopg
    got = []
    for _, port, db in SERVERS:
        c = psycopg.connect(host="127.0.0.1", port=port, user="test", dbname=db.decode())
        data = struct.pack("!iiiii", 1, 0, 23, 1, 1) + struct.pack("!ii", 4, 7)   # int4[] {7}
        r = c.pgconn.exec_params(b"SELECT $1::text[]", [data], [1009], [1])
        got.append((r.error_field(ord("C")), r.error_field(ord("M"))))
        c.close()
    if got[0] != got[1]:
        raise AssertionError("driftdb %s, postgres %s" % (got[0], got[1]))


def copy_protocol_violation():
    """A message other than CopyData, CopyDone, CopyFail, Flush or Sync
    during COPY IN, simple or extended: ERROR 08P01 at the COPY's line,
    then FATAL 08P01 and the connection closes."""
    got = []
    for _, port, db in SERVERS:
        c = Conn(port, db)
        c.run(msg(b"Q", b"CREATE TABLE pgviolation (id int)\0"), syncs=1)
        res = []
        for start in (msg(b"Q", b"COPY pgviolation FROM STDIN\0"),
                      parse("COPY pgviolation FROM STDIN") + bind() + ex() + SYNC):
            k = Conn(port, db)
            k.s.sendall(start + cd(b"1\n") + msg(b"Q", b"SELECT 1\0") + cd(b"2\n") + CDONE + SYNC)
            out = []
            try:
                while True:
                    t, b = k.read()
                    if t == b"E":
                        f = {chr(x[0]): x[1:].decode() for x in b.split(b"\0") if x}
                        out.append((f.get("S"), f.get("C"), f.get("M"), f.get("W")))
                    elif t != b"S":
                        out.append(t.decode())
            except EOFError:
                out.append("closed")
            k.s.close()
            res.append(out)
        c.run(msg(b"Q", b"SELECT count(*) FROM pgviolation\0") + msg(b"Q", b"DROP TABLE pgviolation\0"), syncs=2)
        c.close()
        got.append(res)
    if got[0] != got[1]:
        raise AssertionError("driftdb %s, postgres %s" % (got[0], got[1]))


def copy_error_context():
    """COPY FROM errors' message and CONTEXT: a value that does not read
    ("line N, column c: "value"", cut at 100 bytes), a line with too few
    or too many fields and an unterminated CSV quote (the line), a row's
    NOT NULL and CHECK (the line), a duplicate key (the line number
    only), a bad binary field (the column)."""
    cases = [
        (b"COPY pgctx FROM STDIN", b"1\tx\t2020-01-01\nzz\ty\t2020-01-02\n"),
        (b"COPY pgctx FROM STDIN", b"1\tx\t2020-01-01\n2\ty\tnotadate\n"),
        (b"COPY pgctx FROM STDIN", b"1\tx\n"),
        (b"COPY pgctx FROM STDIN", b"1\tx\t2020-01-01\textra\n"),
        (b"COPY pgctx FROM STDIN (FORMAT csv, HEADER)", b"a,b,c\n1,x,2020-01-01\n\"q\",y,2020-01-01\n"),
        (b"COPY pgctx FROM STDIN", b"1\tabcd\t2020-01-01\n"),
        (b"COPY pgctx FROM STDIN", ("1\t" + "\u00e9" * 80 + "\t2020-01-01\n").encode()),
        (b"COPY pgctx FROM STDIN (FORMAT csv)", b"1,\"abc\n"),
        (b"COPY pgctx2 FROM STDIN", b"\\N\t1\n"),
        (b"COPY pgctx2 FROM STDIN", b"1\t1\n2\t-1\n"),
        (b"COPY pgctx2 FROM STDIN", b"1\t1\n1\t2\n"),
        (b"COPY pgctx2 FROM STDIN (FORMAT binary)",
         b"PGCOPY\n\xff\r\n\0" + b"\0" * 8 + b"\0\2" + b"\0\0\0\2\0\1" + b"\0\0\0\4\0\0\0\1"),
    ]
    got = []
    for _, port, db in SERVERS:
        c = Conn(port, db)
        c.run(msg(b"Q", b"CREATE TABLE pgctx (a int, b varchar(3), c date)\0") +
              msg(b"Q", b"CREATE TABLE pgctx2 (a int NOT NULL PRIMARY KEY, b int CHECK (b > 0))\0"), syncs=2)
        res = []
        for sql, data in cases:
            c.s.sendall(msg(b"Q", sql + b"\0"))
            while c.read()[0] != b"G":
                pass
            c.s.sendall(cd(data) + CDONE)
            while True:
                t, b = c.read()
                if t == b"E":
                    f = {chr(x[0]): x[1:].decode() for x in b.split(b"\0") if x}
                    res.append((f.get("C"), f.get("M"), f.get("W")))
                if t == b"Z":
                    break
        c.run(msg(b"Q", b"DROP TABLE pgctx\0") + msg(b"Q", b"DROP TABLE pgctx2\0"), syncs=2)
        c.close()
        got.append(res)
    if got[0] != got[1]:
        diff = [(a, b) for a, b in zip(got[0], got[1]) if a != b]
        raise AssertionError("driftdb / postgres differ: %s" % diff)


def notices_before_errors():
    """A statement that raises a NOTICE or WARNING and then fails: the
    notices reach the client before the ErrorResponse, through the simple
    (psycopg2) and the extended protocol (psycopg 3)."""
    import psycopg
    import psycopg2
    cases = [
        ("SELECT 1; DROP TABLE IF EXISTS pgn_nope; SELECT 1/0", None),   # a notice of an earlier statement
        ("DROP ROLE IF EXISTS pgn_nope, pgn_owner", None),               # the notice, then 2BP01
        ("ANALYZE pgn_t, pgn_missing", "pgn_user"),                     # WARNING skipping pgn_t, then 42P01
        ("GRANT SELECT ON pgn_seq, pgn_t TO pgn_user", "pgn_user"),      # WARNING for pgn_seq, then 42501
        ("SELECT pg_cancel_backend(99999), 1 / x FROM (VALUES (1), (0)) v(x)", None),   # rows, then 22012
        ("SET client_min_messages = warning; DROP ROLE IF EXISTS pgn_nope, pgn_owner", None),   # held back
    ]
    setup = ["CREATE ROLE pgn_owner", "CREATE ROLE pgn_user", "CREATE TABLE pgn_owned (id int)",
             "ALTER TABLE pgn_owned OWNER TO pgn_owner", "CREATE TABLE pgn_t (id int)", "CREATE SEQUENCE pgn_seq",
             "GRANT USAGE ON SEQUENCE pgn_seq TO pgn_user WITH GRANT OPTION"]
    cleanup = ["DROP TABLE pgn_owned", "DROP TABLE pgn_t", "DROP SEQUENCE pgn_seq", "DROP ROLE pgn_owner",
               "DROP ROLE pgn_user"]
    got = []
    for _, port, db in SERVERS:
        c2 = psycopg2.connect(host="127.0.0.1", port=port, user="test", dbname=db.decode())
        c2.autocommit = True
        k = c2.cursor()
        for q in setup:
            k.execute(q)
        res = []
        for sql, role in cases:
            k.execute("RESET ALL")
            k.execute("SET ROLE %s" % (role or "NONE"))
            del c2.notices[:]
            try:
                k.execute(sql)
                state = None
            except psycopg2.Error as e:
                state = e.pgcode
            res.append(("simple", sql, state, [n.strip() for n in c2.notices]))
            if ";" in sql:
                continue
            with psycopg.connect(host="127.0.0.1", port=port, user="test", dbname=db.decode(),
                                 autocommit=True) as c3:
                notes = []
                c3.add_notice_handler(lambda d: notes.append("%s: %s" % (d.severity, d.message_primary)))
                if role:
                    c3.execute("SET ROLE " + role)
                try:
                    c3.execute(sql)   # Parse / Bind / Describe / Execute / Sync
                    state = None
                except psycopg.Error as e:
                    state = e.sqlstate
                res.append(("extended", sql, state, notes))
        k.execute("RESET ALL")
        for q in cleanup:
            k.execute(q)
        c2.close()
        got.append(res)
    bad = ["driftdb %s\n  postgres %s" % (a, b) for a, b in zip(*got) if a != b]
    if bad:
        raise AssertionError("\n".join(bad))


test("sequences", sequences)
test("copy_protocol_violation", copy_protocol_violation)
test("copy_error_context", copy_error_context)
test("notices_before_errors", notices_before_errors)
test("binary_results", binary_results)
test("binary_array_messages", binary_array_messages)
test("error_positions", error_positions)
test("prepared_types", lambda: asyncio.run(prepared_types()))
