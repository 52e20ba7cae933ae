#!/usr/bin/python3
"""tests/clients/psycopg3_test.py PORT - psycopg 3 against driftdb-server.

psycopg 3 binds parameters on the server: every execute with parameters
is Parse / Bind / Describe portal / Execute / Sync; executemany and
`with conn.pipeline()` send many of them before one Sync; prepare=True
keeps named statements; binary=True asks for binary results and %b sends
binary parameters.  Checks: time travel with a timestamptz parameter,
transactions (commit, rollback, savepoints), errors with their SQLSTATE and
the failed-transaction state, every type in text and binary (name, "char"
and oid too), NULLs,
pipelines with an error in the middle.  Prints "ok NAME" / "FAIL NAME".
"""
import datetime
import decimal
import sys
import time
import uuid

import psycopg
import psycopg.errors

import harness
from harness import expect

PORT = int(sys.argv[1])
test = harness.Report("psycopg3_").test


def connect(**kw):
    return psycopg.connect(host="127.0.0.1", port=PORT, user="test", dbname="test",
                           connect_timeout=10, **kw)


@test
def server_side_binding():
    with connect(autocommit=True) as c:
        c.execute("CREATE TABLE p3_items (id INT PRIMARY KEY, name TEXT, price NUMERIC(10,2))")
        c.execute("INSERT INTO p3_items VALUES (%s, %s, %s)", (1, "apple", decimal.Decimal("1.50")))
        c.execute("INSERT INTO p3_items VALUES (%s, %s, %s)", (2, "pear", None))
        cur = c.execute("SELECT id, name, price FROM p3_items WHERE id = %s", (1,))
        expect(cur.fetchall(), [(1, "apple", decimal.Decimal("1.50"))], "row")
        expect([d.name for d in cur.description], ["id", "name", "price"], "description")
        expect(c.execute("SELECT price FROM p3_items WHERE id = %s", (2,)).fetchone(), (None,), "NULL")
        expect(c.execute("SELECT count(*) FROM p3_items WHERE name LIKE %s", ("p%",)).fetchone(),
               (1,), "LIKE parameter")
        expect(c.execute("SELECT id FROM p3_items ORDER BY id LIMIT %s", (1,)).fetchall(), [(1,)], "LIMIT $1")


@test
def enum_and_domain_parameters():
    # psycopg 3 binds str as unknown (OID 0): an enum context reads it as a label
    with connect(autocommit=True) as c:
        c.execute("CREATE TYPE p3_mood AS ENUM ('sad', 'ok', 'happy')")
        c.execute("CREATE DOMAIN p3_pos AS int CHECK (VALUE > 0)")
        c.execute("CREATE TABLE p3_enum (id INT PRIMARY KEY, m p3_mood, p p3_pos)")
        c.execute("INSERT INTO p3_enum VALUES (%s, %s, %s)", (1, "happy", 1))
        c.execute("INSERT INTO p3_enum VALUES (%s, %s, %s)", (2, "sad", 2))
        c.execute("UPDATE p3_enum SET m = %s WHERE id = %s", ("ok", 2))
        expect(c.execute("SELECT id, m, p FROM p3_enum WHERE m > %s ORDER BY m", ("sad",)).fetchall(),
               [(2, "ok", 2), (1, "happy", 1)], "enum parameters")
        try:
            c.execute("INSERT INTO p3_enum VALUES (%s, %s, %s)", (3, "meh", 1))
            raise AssertionError("an unknown label was accepted")
        except psycopg.errors.InvalidTextRepresentation:
            pass
        try:
            c.execute("INSERT INTO p3_enum VALUES (%s, %s, %s)", (3, "ok", 0))
            raise AssertionError("a domain's CHECK was not enforced")
        except psycopg.errors.CheckViolation:
            pass


@test
def time_travel_parameter():
    with connect(autocommit=True) as c:
        c.execute("CREATE TABLE p3_tt (id INT PRIMARY KEY, v TEXT)")
        c.execute("INSERT INTO p3_tt VALUES (%s, %s)", (1, "old"))
        time.sleep(0.01)
        before = c.execute("SELECT now()").fetchone()[0]
        time.sleep(0.01)
        c.execute("UPDATE p3_tt SET v = %s WHERE id = %s", ("new", 1))
        q = "SELECT v FROM p3_tt FOR SYSTEM_TIME AS OF %s WHERE id = %s"
        expect(c.execute(q, (before, 1)).fetchone(), ("old",), "AS OF a datetime")
        expect(c.execute("SELECT v FROM p3_tt WHERE id = %s", (1,)).fetchone(), ("new",), "present")
        seq = c.execute("SELECT drift_seq()").fetchone()[0]
        expect(c.execute("SELECT v FROM p3_tt FOR SYSTEM_TIME AS OF %s::text WHERE id = 1",
                         ("@SEQ:%d" % (seq - 1),)).fetchone(), ("old",), "AS OF '@SEQ:n' as text")
        # the schema AS OF the parameter's time: libpq describes the portal
        c.execute("ALTER TABLE p3_tt ADD COLUMN extra INT")
        cur = c.execute("SELECT * FROM p3_tt FOR SYSTEM_TIME AS OF %s", (before,))
        expect([d.name for d in cur.description], ["id", "v"], "columns AS OF before the ALTER")
        expect(cur.fetchall(), [(1, "old")], "row AS OF before the ALTER")
        cur = c.execute("SELECT * FROM p3_tt WHERE id = %s", (1,))
        expect([d.name for d in cur.description], ["id", "v", "extra"], "columns now")


@test
def transactions():
    with connect() as c:   # autocommit off: BEGIN ... COMMIT around the statements
        c.execute("CREATE TABLE p3_acct (id INT PRIMARY KEY, bal INT)")
        c.execute("INSERT INTO p3_acct VALUES (%s, %s), (%s, %s)", (1, 100, 2, 0))
        c.commit()
        c.execute("UPDATE p3_acct SET bal = bal - %s WHERE id = %s", (30, 1))
        c.execute("UPDATE p3_acct SET bal = bal + %s WHERE id = %s", (30, 2))
        c.rollback()
        expect(c.execute("SELECT bal FROM p3_acct ORDER BY id").fetchall(), [(100,), (0,)], "after rollback")
        with c.transaction():
            c.execute("UPDATE p3_acct SET bal = bal - %s WHERE id = %s", (30, 1))
            try:
                with c.transaction():   # a savepoint
                    c.execute("UPDATE p3_acct SET bal = bal + %s WHERE id = %s", (999, 2))
                    raise RuntimeError("undo the savepoint")
            except RuntimeError:
                pass
            c.execute("UPDATE p3_acct SET bal = bal + %s WHERE id = %s", (30, 2))
        expect(c.execute("SELECT bal FROM p3_acct ORDER BY id").fetchall(), [(70,), (30,)], "after commit")
        c.commit()


@test
def errors():
    with connect() as c:
        c.execute("CREATE TABLE p3_err (id INT PRIMARY KEY)")
        c.execute("INSERT INTO p3_err VALUES (%s)", (1,))
        c.commit()
        try:
            c.execute("INSERT INTO p3_err VALUES (%s)", (1,))
            raise AssertionError("duplicate key accepted")
        except psycopg.errors.UniqueViolation as e:
            expect(e.sqlstate, "23505", "sqlstate")
        try:
            c.execute("SELECT 1")
            raise AssertionError("statement accepted in a failed transaction")
        except psycopg.errors.InFailedSqlTransaction:
            pass
        c.rollback()
        try:
            c.execute("SELECT %s::int", ("x",))
            raise AssertionError("'x' accepted as int")
        except psycopg.errors.InvalidTextRepresentation:
            pass
        c.rollback()
        try:
            c.execute("SELECT * FROM p3_nope WHERE id = %s", (1,))
            raise AssertionError("unknown table accepted")
        except psycopg.errors.UndefinedTable:
            pass
        c.rollback()
        expect(c.execute("SELECT count(*) FROM p3_err").fetchone(), (1,), "still usable")


@test
def numeric_nan_and_infinity_binary():
    # NaN, Infinity and -Infinity in binary both ways (signs 0xC000, 0xD000,
    # 0xF000), in a numeric[] too, and their order
    vals = [decimal.Decimal(t) for t in ("NaN", "Infinity", "-Infinity", "-12.50")]
    with connect(autocommit=True) as c:
        c.execute("CREATE TABLE p3_nspecial (k NUMERIC PRIMARY KEY)")
        c.execute("INSERT INTO p3_nspecial VALUES (%b), (%b), (%b), (%b)", vals)
        for binary in (False, True):
            cur = c.cursor(binary=binary)
            what = "binary" if binary else "text"
            for v in vals:
                got, text = cur.execute("SELECT %b::numeric, %b::numeric::text", (v, v)).fetchone()
                expect(str(got), str(v), what + " round trip of " + str(v))
                expect(text, {"NaN": "NaN", "Infinity": "Infinity", "-Infinity": "-Infinity"}.get(str(v), "-12.50"),
                       what + " text of " + str(v))
            rows = cur.execute("SELECT k FROM p3_nspecial ORDER BY k").fetchall()
            expect([str(r[0]) for r in rows], ["-Infinity", "-12.50", "Infinity", "NaN"], what + " order")
            arr = cur.execute("SELECT %b::numeric[]", (vals,)).fetchone()[0]
            expect([str(x) for x in arr], [str(v) for v in vals], what + " numeric[]")
            expect(cur.execute("SELECT k FROM p3_nspecial WHERE k = %b", (vals[1],)).fetchone(), (vals[1],),
                   what + " key lookup of Infinity")


TYPES = [
    ("i2", "SMALLINT", 7), ("i4", "INT", -123456), ("i8", "BIGINT", 2 ** 40),
    ("f4", "REAL", 1.5), ("f8", "DOUBLE PRECISION", 2.25),
    ("n", "NUMERIC", decimal.Decimal("-12345678901234.000123")),
    ("b", "BOOLEAN", True), ("t", "TEXT", "héllo wörld"), ("vc", "VARCHAR(10)", "short"),
    ("by", "BYTEA", b"\x00\xff\x10"), ("d", "DATE", datetime.date(2024, 2, 29)),
    ("ts", "TIMESTAMP", datetime.datetime(2024, 1, 2, 3, 4, 5, 678900)),
    ("tz", "TIMESTAMPTZ", datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)),
    ("iv", "INTERVAL", datetime.timedelta(days=3, seconds=7, microseconds=5)),
    ("u", "UUID", uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")),
]


@test
def every_type_text_and_binary():
    with connect(autocommit=True) as c:
        cols = ", ".join("%s %s" % (n, t) for n, t, _ in TYPES)
        c.execute("CREATE TABLE p3_types (id INT PRIMARY KEY, %s)" % cols)
        vals = [v for _, _, v in TYPES]
        marks = ", ".join(["%s"] * (len(vals) + 1))
        c.execute("INSERT INTO p3_types VALUES (%s)" % marks, [1] + vals)
        bmarks = ", ".join(["%b"] * (len(vals) + 1))
        c.execute("INSERT INTO p3_types VALUES (%s)" % bmarks, [2] + vals)   # binary parameters
        c.execute("INSERT INTO p3_types (id) VALUES (%s)", (3,))
        for binary in (False, True):
            cur = c.cursor(binary=binary)
            rows = cur.execute("SELECT * FROM p3_types ORDER BY id").fetchall()
            what = "binary" if binary else "text"
            expect(rows[0], tuple([1] + vals), what + " row from text parameters")
            expect(rows[1], tuple([2] + vals), what + " row from binary parameters")
            expect(rows[2], tuple([3] + [None] * len(vals)), what + " NULLs")
            for name, _, v in TYPES:
                got = cur.execute("SELECT %s FROM p3_types WHERE %s = %%s" % (name, name), (v,)).fetchone()
                expect(got, (v,), "%s %s equality parameter" % (what, name))


@test
def catalog_types_text_and_binary():
    # name, "char", oid and their arrays: type OIDs 19, 18, 26, 1003, 1028 on
    # the wire, text and binary parameters and results (what PostgreSQL 15 gives)
    with connect(autocommit=True) as c:
        c.execute('CREATE TABLE p3_cat (id INT PRIMARY KEY, n NAME, c "char", o OID, ns NAME[], os OID[])')
        c.execute("INSERT INTO p3_cat VALUES (%s, %s, %s, %s, %s, %s)", (1, "alpha", "x", 4000000000, ["a", "b"], [1, 4294967295]))
        c.execute("INSERT INTO p3_cat VALUES (%b, %b, %b, %b, %b, %b)", (2, "beta", "y", 7, ["c"], [2]))
        for binary in (False, True):
            cur = c.cursor(binary=binary)
            what = "binary" if binary else "text"
            rows = cur.execute("SELECT n, c, o, ns, os FROM p3_cat ORDER BY id").fetchall()
            expect(rows, [("alpha", "x", 4000000000, ["a", "b"], [1, 4294967295]), ("beta", "y", 7, ["c"], [2])],
                   what + " rows")
            expect([d.type_code for d in cur.description], [19, 18, 26, 1003, 1028], what + " type OIDs")
            expect(cur.execute("SELECT id FROM p3_cat WHERE n = %s", ("beta",)).fetchall(), [(2,)], what + " name =")
            expect(cur.execute("SELECT id FROM p3_cat WHERE o = %s", (4000000000,)).fetchall(), [(1,)], what + " oid =")
            expect(cur.execute('SELECT %s::name, %s::oid, %s::"char"', ("q", 9, "z")).fetchall(), [("q", 9, "z")],
                   what + " casts of parameters")


@test
def arrays_text_and_binary():
    # Python lists go as int[] / text[] parameters; results come back as lists,
    # in the text and the binary array formats
    with connect(autocommit=True) as c:
        c.execute("CREATE TABLE p3_arr (id INT PRIMARY KEY, nums INT[], tags TEXT[], grid BIGINT[][])")
        c.execute("INSERT INTO p3_arr VALUES (%s, %s, %s, %s)", (1, [1, None, 3], ["a", "b c", None, ""], [[1, 2], [3, 4]]))
        c.execute("INSERT INTO p3_arr VALUES (%b, %b, %b, %b)", (2, [-7], ['q"\\'], None))
        for binary in (False, True):
            cur = c.cursor(binary=binary)
            what = "binary" if binary else "text"
            rows = cur.execute("SELECT nums, tags, grid FROM p3_arr ORDER BY id").fetchall()
            expect(rows, [([1, None, 3], ["a", "b c", None, ""], [[1, 2], [3, 4]]), ([-7], ['q"\\'], None)],
                   what + " arrays")
            expect(cur.execute("SELECT id FROM p3_arr WHERE %s = ANY(tags)", ("b c",)).fetchall(), [(1,)],
                   what + " = ANY (array column)")
            expect(cur.execute("SELECT id FROM p3_arr WHERE nums @> %s::int[] ORDER BY id", ([3],)).fetchall(), [(1,)],
                   what + " @> parameter")
            expect(cur.execute("SELECT unnest(%s::int[])", ([5, 6],)).fetchall(), [(5,), (6,)], what + " unnest")


@test
def pipeline_and_executemany():
    with connect(autocommit=True) as c:
        c.execute("CREATE TABLE p3_pipe (id INT PRIMARY KEY, v TEXT)")
        c.cursor().executemany("INSERT INTO p3_pipe VALUES (%s, %s)", [(i, "v%d" % i) for i in range(50)])
        expect(c.execute("SELECT count(*) FROM p3_pipe").fetchone(), (50,), "executemany")
        with c.pipeline():
            c.execute("INSERT INTO p3_pipe VALUES (%s, %s)", (100, "a"))
            cur = c.execute("SELECT v FROM p3_pipe WHERE id = %s", (100,))
            c.execute("UPDATE p3_pipe SET v = %s WHERE id = %s", ("b", 100))
        expect(cur.fetchall(), [("a",)], "pipelined read")
        # an error in a pipeline: the statements of its sync are rolled back
        try:
            with c.pipeline():
                c.execute("INSERT INTO p3_pipe VALUES (%s, %s)", (200, "x"))
                c.execute("INSERT INTO p3_pipe VALUES (%s, %s)", (1, "duplicate"))
                c.execute("INSERT INTO p3_pipe VALUES (%s, %s)", (201, "y"))
            raise AssertionError("pipeline error not raised")
        except psycopg.errors.UniqueViolation:
            pass
        expect(c.execute("SELECT count(*) FROM p3_pipe WHERE id >= 200").fetchone(), (0,), "rolled back")
        expect(c.execute("SELECT v FROM p3_pipe WHERE id = %s", (100,)).fetchone(), ("b",), "after pipeline")


@test
def own_transaction_statements():
    # DELETE HISTORY, ERASE and VACUUM over the extended protocol: alone
    # before a Sync they run (as PostgreSQL runs VACUUM); after another
    # statement of the same pipeline, or in a block, 25001
    with connect(autocommit=True) as c:
        c.execute("CREATE TABLE p3_hist (id INT PRIMARY KEY, v TEXT)")
        c.execute("INSERT INTO p3_hist VALUES (%s, %s)", (1, "a"))
        c.execute("UPDATE p3_hist SET v = %s WHERE id = %s", ("b", 1))
        expect(c.execute("DELETE HISTORY FROM p3_hist").statusmessage, "DELETE 1", "DELETE HISTORY")
        expect(c.execute("SELECT count(*) FROM p3_hist FOR SYSTEM_TIME ALL").fetchone(), (1,), "history gone")
        c.execute("VACUUM p3_hist")
        expect(c.execute("ERASE FROM p3_hist WHERE id = %s", (1,)).statusmessage, "ERASE 1", "ERASE, a parameter")
        expect(c.execute("SELECT count(*) FROM p3_hist FOR SYSTEM_TIME ALL").fetchone(), (0,), "row erased")
        state = None
        try:
            with c.pipeline():
                c.execute("SELECT 1")
                c.execute("VACUUM p3_hist")
        except psycopg.errors.ActiveSqlTransaction as e:
            state = e.sqlstate
        expect(state, "25001", "VACUUM after a statement of its pipeline")
    with connect() as c:
        state = None
        try:
            c.execute("DELETE HISTORY FROM p3_hist")
        except psycopg.errors.ActiveSqlTransaction as e:
            state = e.sqlstate
        expect(state, "25001", "DELETE HISTORY in a transaction block")


@test
def prepared_statements():
    with connect(autocommit=True) as c:
        c.execute("CREATE TABLE p3_prep (id INT PRIMARY KEY, v INT)")
        for i in range(10):
            c.execute("INSERT INTO p3_prep VALUES (%s, %s)", (i, i * i), prepare=True)
        for i in range(10):
            expect(c.execute("SELECT v FROM p3_prep WHERE id = %s", (i,), prepare=True).fetchone(),
                   (i * i,), "prepared select")
        expect(c.execute("SELECT sum(v) FROM p3_prep").fetchone(), (285,), "sum")
        # the schema changes under a prepared statement: planned again
        c.execute("ALTER TABLE p3_prep ADD COLUMN w TEXT")
        expect(c.execute("SELECT v FROM p3_prep WHERE id = %s", (3,), prepare=True).fetchone(), (9,), "replanned")


@test
def json_and_jsonb():
    from psycopg.types.json import Json, Jsonb
    doc = {"name": "ann", "tags": ["a", "b"], "n": 1.5, "ok": True, "none": None}
    with connect(autocommit=True) as c:
        c.execute("CREATE TABLE p3_json (id INT PRIMARY KEY, j JSONB, t JSON)")
        c.execute("INSERT INTO p3_json VALUES (%s, %s, %s)", (1, Jsonb(doc), Json(doc)))
        c.execute("INSERT INTO p3_json VALUES (%b, %b, %b)", (2, Jsonb({"b": 1, "a": [2]}), Json([1, 2])))
        for binary in (False, True):
            cur = c.cursor(binary=binary)
            what = "binary" if binary else "text"
            rows = cur.execute("SELECT j, t FROM p3_json ORDER BY id").fetchall()
            expect(rows[0], (doc, doc), what + " jsonb and json as dicts")
            expect(rows[1], ({"a": [2], "b": 1}, [1, 2]), what + " from binary parameters")
            expect(cur.execute("SELECT j->>'name', j->'tags'->1, j @> %s FROM p3_json WHERE id = 1",
                               (Jsonb({"tags": ["b"]}),)).fetchone(), ("ann", "b", True), what + " operators")
            expect(cur.execute("SELECT id FROM p3_json WHERE j = %s", (Jsonb({"a": [2], "b": 1}),)).fetchone(),
                   (2,), what + " jsonb equality parameter")
        desc = c.execute("SELECT j, t FROM p3_json").description
        expect([d.type_code for d in desc], [3802, 114], "RowDescription OIDs")


@test
def server_cursors():
    """a server-side cursor: DECLARE with a bound parameter, the cursor
    described as a portal, FETCH in pages, scroll, WITH HOLD past COMMIT"""
    with connect() as c:
        c.execute("CREATE TABLE p3_cur (id INT PRIMARY KEY, v TEXT)")
        c.execute("INSERT INTO p3_cur SELECT g, 'x' || g FROM generate_series(1, 3000) g")
        c.commit()
        with c.cursor(name="p3_srv") as sc:
            sc.itersize = 400
            sc.execute("SELECT id, v FROM p3_cur WHERE id > %s ORDER BY id", (10,))
            expect([d.name for d in sc.description], ["id", "v"], "described columns")
            expect(sc.fetchmany(2), [(11, "x11"), (12, "x12")], "first page")
            rows = sc.fetchall()
            expect((len(rows), rows[-1]), (2988, (3000, "x3000")), "the rest")
            sc.scroll(0, mode="absolute")
            expect(sc.fetchone(), (11, "x11"), "scrolled back")
        c.commit()
        with c.cursor(name="p3_held", withhold=True) as hc:
            hc.execute("SELECT count(*) FROM p3_cur")
            c.commit()
            expect(hc.fetchone(), (3000,), "WITH HOLD after COMMIT")
        c.commit()


@test
def sql_prepare_execute():
    """PREPARE / EXECUTE in SQL, EXECUTE through the extended protocol
    (described as its prepared statement's columns); a parameter bound to
    EXECUTE's arguments is 42P02, as in PostgreSQL, where EXECUTE is a
    utility statement whose arguments see no protocol parameter"""
    with connect(autocommit=True) as c:
        c.execute("PREPARE p3_z (int) AS SELECT $1 + 1 AS r, 'x' AS s")
        try:
            c.execute("EXECUTE p3_z(%s)", (41,))
            raise AssertionError("EXECUTE with a bound parameter worked")
        except psycopg.errors.UndefinedParameter:
            pass
        cur = c.execute("EXECUTE p3_z(41)", prepare=True)
        expect([d.name for d in cur.description], ["r", "s"], "described")
        expect(cur.fetchall(), [(42, "x")], "executed")
        expect(c.execute("EXECUTE p3_z(1)", prepare=True).fetchall(), [(2, "x")], "EXECUTE prepared")
        c.execute("DEALLOCATE p3_z")
        try:
            c.execute("EXECUTE p3_z(1)")
            raise AssertionError("EXECUTE after DEALLOCATE worked")
        except psycopg.errors.InvalidSqlStatementName:
            pass


@test
def copy_binary_out_rows():
    """COPY ... TO STDOUT (FORMAT BINARY) read row by row: psycopg 3 wants
    the file header in the same CopyData message as the first row (or the
    trailer), as PostgreSQL frames it"""
    with connect(autocommit=True) as c:
        c.execute("CREATE TABLE p3_cb (id int PRIMARY KEY, name text, amount numeric(8,2))")
        c.execute("INSERT INTO p3_cb VALUES (1, 'a', 1.50), (2, NULL, NULL)")
        with c.cursor() as cur:
            with cur.copy("COPY p3_cb TO STDOUT (FORMAT BINARY)") as cp:
                cp.set_types(["int4", "text", "numeric"])
                rows = list(cp.rows())
            expect(rows, [(1, "a", decimal.Decimal("1.50")), (2, None, None)], "rows")
            # no rows: header and trailer in one message, as PostgreSQL's
            # (whose rows() psycopg 3.1 cannot read either)
            with cur.copy("COPY (SELECT * FROM p3_cb WHERE id > 5) TO STDOUT (FORMAT BINARY)") as cp:
                expect([bytes(m) for m in cp], [b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8 + b"\xff\xff"], "no rows")
        c.execute("DROP TABLE p3_cb")


print("# psycopg", psycopg.__version__)
