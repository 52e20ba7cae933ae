#!/usr/bin/python3
"""tests/clients/copy_test.py PORT - COPY TO STDOUT and FROM STDIN from real clients.

psycopg2's copy_expert, psql's \\copy and psycopg 3's copy API: COPY TO
STDOUT of a table, a column list and a query, in text, CSV (HEADER,
DELIMITER, NULL, QUOTE, ESCAPE, FORCE_QUOTE) and binary format, the
expected bytes being what PostgreSQL 15 writes for the same rows (checked
against one); COPY FROM STDIN in the same formats, a bad row failing the
whole COPY (22P02 / 22P04 with CONTEXT "COPY t, line N", nothing
committed), CopyFail, COPY inside a transaction block, COPY through
Parse / Bind / Execute.  Prints "ok NAME" / "FAIL NAME" lines.
"""
import io
import struct
import subprocess
import sys

import psycopg2
import psycopg2.errors

import harness

PORT = int(sys.argv[1])
# copy_test.py PORT pg: against a PostgreSQL 15 (user and database "test"):
# the tests of COPY FROM's checks run there alone, to confirm their
# expectations are PostgreSQL's; the DriftDB-only ones are skipped
ON_PG = len(sys.argv) > 2 and sys.argv[2] == "pg"


test = harness.Report("copy_").test


conn = harness.connect(PORT)
conn.autocommit = True
cur = conn.cursor()


def pg_too(fn):
    """A test of COPY FROM's checks, run against PostgreSQL 15 too."""
    fn.pg_too = True
    return fn


if ON_PG:
    _test = test

    def test(fn):   # noqa: F811 - the PostgreSQL run keeps only pg_too tests
        return _test(fn) if getattr(fn, "pg_too", False) else fn

cur.execute("drop table if exists copy_t")
cur.execute("create table copy_t (id int primary key, name text, note text)")
cur.execute("insert into copy_t values (1, 'a,b', 'x\"y'), (2, null, E'tab\\there'), "
            "(3, '', E'line\\ntwo'), (4, E'back\\\\slash', '\\.')")


def copy_out(sql):
    f = io.BytesIO()
    cur.copy_expert(sql, f)
    return f.getvalue()


@test
def text_format():
    got = copy_out("copy copy_t to stdout")
    want = (b"1\ta,b\tx\"y\n2\t\\N\ttab\\there\n3\t\tline\\ntwo\n"
            b"4\tback\\\\slash\t\\\\.\n")
    assert got == want, got
    assert cur.rowcount == 4, cur.rowcount


@test
def text_options():
    got = copy_out("copy copy_t (id, name) to stdout with delimiter '|' null 'NUL'")
    assert got == b"1|a,b\n2|NUL\n3|\n4|back\\\\slash\n", got
    got = copy_out("copy copy_t (id, name) to stdout (delimiter ',')")
    assert got == b"1|a\\,b\n2|\\N\n3|\n4|back\\\\slash\n".replace(b"|", b","), got


@test
def csv_header():
    got = copy_out("copy copy_t to stdout with (format csv, header)")
    want = (b"id,name,note\n1,\"a,b\",\"x\"\"y\"\n2,,tab\there\n3,\"\",\"line\ntwo\"\n"
            b"4,back\\slash,\\.\n")
    assert got == want, got


@test
def csv_options():
    got = copy_out("copy (select id, name from copy_t where id < 4 order by id) to stdout "
                   "(format csv, force_quote *, null 'NULL')")
    assert got == b"\"1\",\"a,b\"\n\"2\",NULL\n\"3\",\"\"\n", got
    got = copy_out("copy copy_t (id, note) to stdout csv delimiter ';' quote '''' escape '\\' "
                   "force quote note")
    assert got == b"1;'x\"y'\n2;'tab\there'\n3;'line\ntwo'\n4;'\\\\.'\n", got


@test
def binary_format():
    got = copy_out("copy (select id, name from copy_t where id <= 2 order by id) to stdout (format binary)")
    want = (b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
            + struct.pack("!hii", 2, 4, 1) + struct.pack("!i", 3) + b"a,b"
            + struct.pack("!hii", 2, 4, 2) + struct.pack("!i", -1)
            + struct.pack("!h", -1))
    assert got == want, got


@test
def psql_backslash_copy():
    out = subprocess.run(["psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(PORT), "-U", "test", "-d", "test",
                          "-c", "\\copy (select id, note from copy_t where id = 1) to stdout csv header"],
                         capture_output=True, timeout=30)
    assert out.returncode == 0, out
    assert out.stdout == b"id,note\n1,\"x\"\"y\"\n", out.stdout


@test
def errors():
    for sql, state in (("copy nope to stdout", "42P01"),
                       ("copy copy_t (nope) to stdout", "42703"),
                       ("copy copy_t to stdout (format csv, force_quote (nope))", "42703"),
                       ("copy (select 1 as a) to stdout (format csv, force_quote (nope))", "42P10"),
                       ("copy copy_t to stdout (delimiter 'ab')", "0A000"),
                       ("copy copy_t to '/tmp/x'", "0A000"),
                       ("copy copy_t to stdout (format xml)", "22023")):
        try:
            copy_out(sql)
            raise AssertionError("no error for " + sql)
        except psycopg2.Error as e:
            assert e.pgcode == state, (sql, e.pgcode, str(e))


@test
def csv_single_column_end_marker():
    got = copy_out("copy (select note from copy_t where id = 4) to stdout (format csv)")
    assert got == b"\"\\.\"\n", got


def count(table):
    cur.execute("select count(*) from " + table)
    return cur.fetchone()[0]


cur.execute("drop table if exists copy_f")
cur.execute("create table copy_f (id int primary key, name text, n int)")


@test
def from_text():
    data = b"1\tann\t10\n2\t\\N\t20\n3\tb\\tc\\\\d\\n\t30\n\\.\nignored after the end marker\n"
    cur.copy_expert("copy copy_f from stdin", io.BytesIO(data))
    assert cur.rowcount == 3, cur.rowcount
    cur.execute("select id, name, n from copy_f order by id")
    assert cur.fetchall() == [(1, "ann", 10), (2, None, 20), (3, "b\tc\\d\n", 30)], cur.fetchall()


@test
def from_csv_options():
    data = b"id;name;n\n4;\"x;y\";40\n5;;50\n6;\"two\nlines\";NUL\n7;\"\";70\n"
    cur.copy_expert("copy copy_f from stdin with (format csv, header true, delimiter ';', null 'NUL')",
                    io.BytesIO(data))
    cur.execute("select id, name, n from copy_f where id >= 4 order by id")
    assert cur.fetchall() == [(4, "x;y", 40), (5, "", 50), (6, "two\nlines", None), (7, "", 70)]
    cur.copy_expert("copy copy_f (id, name) from stdin csv", io.BytesIO(b"8,plain\n9,\n"))
    cur.execute("select id, name, n from copy_f where id >= 8 order by id")
    assert cur.fetchall() == [(8, "plain", None), (9, None, None)], cur.fetchall()


@test
def from_binary_round_trip():
    cur.execute("drop table if exists copy_b")
    cur.execute("create table copy_b (id int primary key, name text, n int)")
    f = io.BytesIO()
    cur.copy_expert("copy copy_f to stdout (format binary)", f)
    cur.copy_expert("copy copy_b from stdin (format binary)", io.BytesIO(f.getvalue()))
    cur.execute("select * from copy_f order by id")
    a = cur.fetchall()
    cur.execute("select * from copy_b order by id")
    assert cur.fetchall() == a and len(a) == 9


@test
def numeric_nan_and_infinity_binary():
    # NaN, Infinity and -Infinity out in binary with PostgreSQL 15's exact
    # bytes (signs 0xC000 / 0xD000 / 0xF000, dscale 0 / 32 / 32), and back in
    src = "(select x from (values ('nan'::numeric), ('inf'), ('-inf'), (-1.5)) v(x))"
    got = copy_out("copy %s to stdout (format binary)" % src)
    want = (b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8 +
            b"\x00\x01\x00\x00\x00\x08\x00\x00\x00\x00\xc0\x00\x00\x00" +
            b"\x00\x01\x00\x00\x00\x08\x00\x00\x00\x00\xd0\x00\x00\x20" +
            b"\x00\x01\x00\x00\x00\x08\x00\x00\x00\x00\xf0\x00\x00\x20" +
            b"\x00\x01\x00\x00\x00\x0c\x00\x02\x00\x00\x40\x00\x00\x01\x00\x01\x13\x88" +
            b"\xff\xff")
    assert got == want, got
    cur.execute("drop table if exists copy_n")
    cur.execute("create table copy_n (x numeric primary key)")
    cur.copy_expert("copy copy_n from stdin (format binary)", io.BytesIO(got))
    cur.execute("select x::text from copy_n order by copy_n.x")
    rows = [r[0] for r in cur.fetchall()]
    assert rows == ["-Infinity", "-1.5", "Infinity", "NaN"], rows


@test
def bad_row_fails_whole_copy():
    before = count("copy_f")
    rows = "".join("%d\tok\t%d\n" % (100 + i, i) for i in range(2500))
    rows += "3000\tbad\tnot-a-number\n"
    try:
        cur.copy_expert("copy copy_f from stdin", io.BytesIO(rows.encode()))
        raise AssertionError("bad row accepted")
    except psycopg2.Error as e:
        assert e.pgcode == "22P02", (e.pgcode, str(e))
        assert e.diag.context == 'COPY copy_f, line 2501, column n: "not-a-number"', e.diag.context
    assert count("copy_f") == before   # the 2500 good rows are not there either
    try:
        cur.copy_expert("copy copy_f from stdin", io.BytesIO(b"500\tshort\n"))
        raise AssertionError("short row accepted")
    except psycopg2.Error as e:
        assert e.pgcode == "22P04" and "missing data for column \"n\"" in str(e), str(e)
        assert e.diag.context == 'COPY copy_f, line 1: "500\tshort"', e.diag.context   # PostgreSQL's: the line
    try:
        cur.copy_expert("copy copy_f from stdin", io.BytesIO(b"600\ta\t1\t2\n"))
        raise AssertionError("long row accepted")
    except psycopg2.Error as e:
        assert e.pgcode == "22P04", str(e)
        assert e.diag.context == 'COPY copy_f, line 1: "600\ta\t1\t2"', e.diag.context
    try:   # a key already there: the INSERT of the batch fails
        cur.copy_expert("copy copy_f from stdin", io.BytesIO(b"700\ta\t1\n1\tdup\t2\n"))
        raise AssertionError("duplicate key accepted")
    except psycopg2.Error as e:
        assert e.pgcode == "23505", str(e)
    assert count("copy_f") == before
    cur.execute("select 1")   # the session goes on


@test
def copy_fail_from_client():
    class Broken(io.RawIOBase):
        def readable(self):
            return True

        def read(self, n=-1):
            raise IOError("client gave up")

        readinto = None
    before = count("copy_f")
    try:
        cur.copy_expert("copy copy_f from stdin", Broken())
        raise AssertionError("no error")
    except psycopg2.Error as e:
        assert e.pgcode == "57014" and "COPY from stdin failed" in str(e), (e.pgcode, str(e))
    except IOError:
        pass   # psycopg2 versions that re-raise the reader's error still sent CopyFail
    assert count("copy_f") == before


@test
def copy_in_transaction_block():
    conn2 = harness.connect(PORT)
    c2 = conn2.cursor()   # psycopg2 opens a block: BEGIN
    c2.copy_expert("copy copy_f from stdin", io.BytesIO(b"800\tin block\t1\n"))
    c2.execute("select count(*) from copy_f where id = 800")
    assert c2.fetchone() == (1,)
    conn2.rollback()
    assert count("copy_f") == 9
    c2.copy_expert("copy copy_f from stdin", io.BytesIO(b"801\tkept\t1\n"))
    conn2.commit()
    assert count("copy_f") == 10
    conn2.close()


@test
def psql_backslash_copy_from():
    import os
    import tempfile
    fd, path = tempfile.mkstemp(suffix=".csv")
    os.write(fd, b"900,from psql,9\n901,\"q,q\",9\n")
    os.close(fd)
    try:
        out = subprocess.run(["psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(PORT), "-U", "test", "-d", "test",
                              "-c", "\\copy copy_f from '%s' csv" % path], capture_output=True, timeout=30)
        assert out.returncode == 0, out
    finally:
        os.unlink(path)
    cur.execute("select name from copy_f where id >= 900 order by id")
    assert cur.fetchall() == [("from psql",), ("q,q",)]


@test
def psycopg3_copy():
    import psycopg
    with psycopg.connect(host="127.0.0.1", port=PORT, user="test", dbname="test", autocommit=True) as c3:
        with c3.cursor() as k:
            with k.copy("copy copy_f (id, name, n) from stdin") as cp:
                for i in range(1000, 1100):
                    cp.write_row((i, "p3 %d" % i, i))
            k.execute("select count(*), sum(n) from copy_f where id >= 1000 and id < 1100")
            assert k.fetchone() == (100, sum(range(1000, 1100)))
            with k.copy("copy (select id, name from copy_f where id = 1000) to stdout") as cp:
                rows = list(cp.rows())
            assert rows == [("1000", "p3 1000")], rows


@test
def extended_protocol():
    """COPY through Parse / Bind / Execute (libpq_pipeline.c and
    pg_compare.py test it further): CopyOutResponse, the rows, "COPY n"."""
    import socket
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    p = b"user\0test\0database\0test\0\0"
    s.sendall(struct.pack("!II", 8 + len(p), 196608) + p)

    def msg(t, b):
        return t + struct.pack("!I", 4 + len(b)) + b
    s.sendall(msg(b"P", b"\0copy (select id, name from copy_f where id in (1, 2) order by id) to stdout\0\0\0") +
              msg(b"B", b"\0\0\0\0\0\0\0\0") + msg(b"E", b"\0\0\0\0\0") + msg(b"S", b""))
    got = b""
    while not got.endswith(b"Z\0\0\0\x05I") or got.count(b"Z\0\0\0\x05I") < 2:
        chunk = s.recv(65536)
        assert chunk, got
        got += chunk
    reply = got[got.index(b"Z\0\0\0\x05I") + 6:]
    want = (b"1\0\0\0\x04" + b"2\0\0\0\x04" + b"H\0\0\0\x0b\0\0\x02\0\0\0\0" + msg(b"d", b"1\tann\n") +
            msg(b"d", b"2\t\\N\n") + b"c\0\0\0\x04" + msg(b"C", b"COPY 2\0") + b"Z\0\0\0\x05I")
    assert reply == want, reply
    s.close()


@test
def generated_columns():
    # as PostgreSQL 15: COPY without a column list leaves generated columns
    # out both ways, and naming one is 42P10
    cur.execute("drop table if exists copy_g")
    cur.execute("create table copy_g (id int primary key, a int, b int generated always as (a * 10) stored)")
    cur.copy_expert("copy copy_g from stdin", io.BytesIO(b"1\t2\n2\t\\N\n"))
    cur.execute("select id, a, b from copy_g order by id")
    assert cur.fetchall() == [(1, 2, 20), (2, None, None)], cur.fetchall()
    assert copy_out("copy copy_g to stdout") == b"1\t2\n2\t\\N\n"
    assert copy_out("copy copy_g (id, a) to stdout with (format csv)") == b"1,2\n2,\n"
    for sql in ("copy copy_g (id, b) to stdout", "copy copy_g (id, a, b) from stdin"):
        try:
            if "from" in sql:
                cur.copy_expert(sql, io.BytesIO(b"3\t1\t1\n"))
            else:
                copy_out(sql)
            raise AssertionError("no error: " + sql)
        except psycopg2.Error as e:
            assert e.pgcode == "42P10", (sql, e.pgcode, e.pgerror)
            assert 'column "b" is a generated column' in e.pgerror, e.pgerror
    assert copy_out("copy (select * from copy_g order by id) to stdout") == b"1\t2\t20\n2\t\\N\t\\N\n"


@test
def enum_arrays():
    # an enum's array in and out as PostgreSQL 15 writes it: text, CSV and
    # binary (array_send: the element type's OID, then each label's text,
    # an enum's binary form), binary back in
    cur.execute("drop table if exists copy_ea")
    cur.execute("drop type if exists copy_mood")
    cur.execute("create type copy_mood as enum ('sad', 'ok', 'happy')")
    cur.execute("create table copy_ea (id int primary key, ms copy_mood[])")
    cur.copy_expert("copy copy_ea from stdin", io.BytesIO(b"1\t{happy,sad}\n2\t\\N\n3\t{}\n4\t{ok,NULL}\n"))
    cur.execute("select id, ms::text, ms[1]::text as m1 from copy_ea order by copy_ea.ms, id")
    assert cur.fetchall() == [(3, "{}", None), (4, "{ok,NULL}", "ok"), (1, "{happy,sad}", "happy"), (2, None, None)]
    assert copy_out("copy copy_ea to stdout") == b"1\t{happy,sad}\n2\t\\N\n3\t{}\n4\t{ok,NULL}\n"
    assert copy_out("copy copy_ea to stdout with (format csv)") == b'1,"{happy,sad}"\n2,\n3,{}\n4,"{ok,NULL}"\n'
    try:
        cur.copy_expert("copy copy_ea from stdin", io.BytesIO(b"5\t{happy,meh}\n"))
        raise AssertionError("an unknown label was copied in")
    except psycopg2.errors.InvalidTextRepresentation as e:
        assert 'invalid input value for enum copy_mood: "meh"' in e.pgerror, e.pgerror
    raw = copy_out("copy (select ms from copy_ea where id = 1) to stdout (format binary)")
    body = raw[19:]   # signature, flags, header extension
    nf, ln = struct.unpack("!hi", body[:6])
    arr = body[6:6 + ln]
    ndim, flags, eoid, dim, lb = struct.unpack("!iiIii", arr[:20])
    assert (nf, ndim, flags, dim, lb) == (1, 1, 0, 2, 1), (nf, ndim, flags, dim, lb)
    assert eoid >= 16384, eoid
    assert arr[20:] == struct.pack("!i", 5) + b"happy" + struct.pack("!i", 3) + b"sad", arr[20:]
    cur.execute("create table copy_ea2 (id int primary key, ms copy_mood[])")
    cur.copy_expert("copy copy_ea2 from stdin (format binary)",
                    io.BytesIO(copy_out("copy copy_ea to stdout (format binary)")))
    cur.execute("select id, ms::text from copy_ea2 order by copy_ea2.ms, id")
    assert cur.fetchall() == [(3, "{}"), (4, "{ok,NULL}"), (1, "{happy,sad}"), (2, None)]
    bad = raw.replace(b"happy", b"hap\x00y")
    try:
        cur.copy_expert("copy copy_ea2 (ms) from stdin (format binary)", io.BytesIO(bad))
        raise AssertionError("a label with a NUL was copied in")
    except psycopg2.errors.CharacterNotInRepertoire:
        pass
    cur.execute("drop table copy_ea2")
    cur.execute("drop table copy_ea")
    cur.execute("drop type copy_mood")


@test
def defaults_and_precisions():
    # columns COPY does not name take their DEFAULT with the column's
    # length (char(2) DEFAULT 'US' stays 'US'; char DEFAULT 'xyz' is 22001),
    # and a timestamp(0) / interval(1) column rounds what COPY reads, as
    # PostgreSQL 15 (which fails before the first line, without a CONTEXT:
    # docs/postgres-differences.md)
    cur.execute("drop table if exists copy_d")
    cur.execute("create table copy_d (id int primary key, country char(2) default 'US', c char default 'xyz', "
                "t timestamp(0), i interval(1))")
    cur.copy_expert("copy copy_d (id, c, t, i) from stdin", io.BytesIO(b"1\ta\t2020-01-01 10:00:00.6\t1.66 sec\n"))
    cur.execute("select country, country = 'US', c, t::text, i::text from copy_d")
    assert cur.fetchall() == [("US", True, "a", "2020-01-01 10:00:01", "00:00:01.7")], cur.fetchall()
    try:
        cur.copy_expert("copy copy_d (id) from stdin", io.BytesIO(b"2\n"))
        raise AssertionError("char DEFAULT 'xyz' was copied in")
    except psycopg2.errors.StringDataRightTruncation as e:
        assert "value too long for type character(1)" in e.pgerror, e.pgerror
    cur.execute("drop table copy_d")


# ------------------------------------------------ COPY FROM's checks, row by row
# COPY FROM plans its INSERT once and runs batches of rows through it
# (engine/copy.c): each test below crosses batch boundaries (1000 rows) and
# checks what an INSERT guarantees, with PostgreSQL 15's errors and CONTEXT
# lines (copy_test.py PORT pg runs the pg_too ones against PostgreSQL).

def copy_in(sql, rows, c=None):
    (c or cur).copy_expert(sql, io.BytesIO("".join(rows).encode()))


def copy_error(sql, rows, c=None):
    try:
        copy_in(sql, rows, c)
    except psycopg2.Error as e:
        return e
    raise AssertionError("no error: " + sql)


@test
@pg_too
def from_keys_out_of_order():
    cur.execute("drop table if exists copy_o")
    cur.execute("create table copy_o (id int primary key, v int)")
    n = 3000
    ids = [(i * 7919) % n for i in range(n)]   # a permutation of 0..n-1
    copy_in("copy copy_o from stdin", ["%d\t%d\n" % (i, i * 3) for i in ids])
    assert cur.rowcount == n, cur.rowcount
    cur.execute("select count(*), sum(v), min(id), max(id) from copy_o")
    assert cur.fetchone() == (n, 3 * sum(range(n)), 0, n - 1)
    cur.execute("select id from copy_o order by id limit 3")
    assert cur.fetchall() == [(0,), (1,), (2,)]
    # a key twice within one batch: the second is 23505, at its line
    rows = ["%d\tx\n" % (5000 + i) for i in range(1000)]
    rows[699] = "5299\tx\n"
    e = copy_error("copy copy_o (id, v) from stdin (null 'x')", rows)
    assert e.pgcode == "23505", (e.pgcode, e.pgerror)
    assert 'duplicate key value violates unique constraint "copy_o_pkey"' in e.pgerror, e.pgerror
    assert e.diag.message_detail == "Key (id)=(5299) already exists.", e.diag.message_detail
    assert e.diag.context == "COPY copy_o, line 700", e.diag.context
    assert count("copy_o") == n


@test
@pg_too
def from_unique_violation_mid_copy():
    cur.execute("drop table if exists copy_u")
    cur.execute("create table copy_u (id int primary key, name text unique, v int)")
    cur.execute("insert into copy_u values (-1, 'there', 0)")
    rows = ["%d\tn%d\t%d\n" % (i, i, i) for i in range(5000)]
    rows[3000] = "10\tdup\t1\n"    # line 3001 repeats line 11's key
    e = copy_error("copy copy_u from stdin", rows)
    assert e.pgcode == "23505", (e.pgcode, e.pgerror)
    assert e.diag.message_detail == "Key (id)=(10) already exists.", e.diag.message_detail
    assert e.diag.context == "COPY copy_u, line 3001", e.diag.context
    rows[3000] = "3000\tn3000\t3000\n"
    rows[2499] = "-1\tdup\t1\n"    # a key the table has
    e = copy_error("copy copy_u from stdin", rows)
    assert e.pgcode == "23505", (e.pgcode, e.pgerror)
    assert e.diag.message_detail == "Key (id)=(-1) already exists.", e.diag.message_detail
    assert e.diag.context == "COPY copy_u, line 2500", e.diag.context
    rows[2499] = "2499\tn2499\t2499\n"
    rows[1699] = "1699\tn99\t0\n"   # the unique index over name
    e = copy_error("copy copy_u from stdin", rows)
    assert e.pgcode == "23505", (e.pgcode, e.pgerror)
    assert 'unique constraint "copy_u_name_key"' in e.pgerror, e.pgerror
    assert e.diag.message_detail == "Key (name)=(n99) already exists.", e.diag.message_detail
    assert count("copy_u") == 1   # nothing of the three COPYs
    rows[1699] = "1699\tn1699\t1699\n"
    # a name the transaction wrote before the COPY, met two batches on
    c2 = harness.connect(PORT)
    k2 = c2.cursor()   # a block: BEGIN
    k2.execute("insert into copy_u values (-2, 'early', 0)")
    rows[2999] = "2999\tearly\t0\n"
    e = copy_error("copy copy_u from stdin", rows, k2)
    assert e.pgcode == "23505", (e.pgcode, e.pgerror)
    assert e.diag.message_detail == "Key (name)=(early) already exists.", e.diag.message_detail
    c2.rollback()
    c2.close()
    rows[2999] = "2999\tn2999\t2999\n"
    copy_in("copy copy_u from stdin", rows)
    assert count("copy_u") == 5001


@test
@pg_too
def from_not_null_check_domain_typmod():
    cur.execute("drop table if exists copy_c")
    cur.execute("drop domain if exists copy_pos")
    cur.execute("create domain copy_pos as int check (value > 0)")
    cur.execute("create table copy_c (id int primary key, v int not null check (v > 0), w varchar(3), d copy_pos)")
    good = ["%d\t%d\tabc\t%d\n" % (i, i + 1, i + 1) for i in range(2500)]
    # (row to spoil, its text, SQLSTATE, message part): each with its line
    for at, line, state, msg in (
            (1499, "1499\t\\N\tabc\t1\n", "23502", 'null value in column "v" of relation "copy_c" violates not-null constraint'),
            (1, "1\t0\tabc\t1\n", "23514", 'violates check constraint "copy_c_v_check"'),
            (2100, "2100\t5\tabc\t-5\n", "23514", 'value for domain copy_pos violates check constraint "copy_pos_check"'),
            (1200, "1200\t5\tabcd\t1\n", "22001", "value too long for type character varying(3)")):
        rows = list(good)
        rows[at] = line
        e = copy_error("copy copy_c from stdin", rows)
        assert e.pgcode == state, (e.pgcode, e.pgerror)
        assert msg in e.pgerror, e.pgerror
        assert e.diag.context.startswith("COPY copy_c, line %d" % (at + 1)), e.diag.context
    # binary: the value comes as it is, the column's length still holds
    body = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
    for i, w in ((1, b"abc"), (2, b"abcd")):
        body += struct.pack("!hii", 4, 4, i) + struct.pack("!ii", 4, 1) + struct.pack("!i", len(w)) + w
        body += struct.pack("!ii", 4, 1)
    body += struct.pack("!h", -1)
    try:
        cur.copy_expert("copy copy_c from stdin (format binary)", io.BytesIO(body))
        raise AssertionError("varchar(3) took 4 characters")
    except psycopg2.Error as e:
        assert e.pgcode == "22001", (e.pgcode, e.pgerror)
    assert count("copy_c") == 0
    copy_in("copy copy_c from stdin", good)
    assert count("copy_c") == 2500
    cur.execute("drop table copy_c")
    cur.execute("drop domain copy_pos")


@test
@pg_too
def from_defaults_identity_serial_generated():
    cur.execute("drop table if exists copy_i")
    cur.execute("create table copy_i (id int generated always as identity primary key, s serial, "
                "name text default 'anon', g int generated always as (s * 2) stored, k int default 7)")
    copy_in("copy copy_i (name) from stdin", ["n%d\n" % i for i in range(1500)])
    cur.execute("select count(*), min(id), max(id), min(s), max(s), sum(g) = 2 * sum(s), min(k), max(k) from copy_i")
    assert cur.fetchone() == (1500, 1, 1500, 1, 1500, True, 7, 7), cur.fetchall()
    # COPY writes an identity column's values when it is given them
    copy_in("copy copy_i (id, k) from stdin", ["%d\t\\N\n" % (10000 + i) for i in range(3)])
    cur.execute("select id, s, name, g, k from copy_i where id >= 10000 order by id")
    assert cur.fetchall() == [(10000, 1501, "anon", 3002, None), (10001, 1502, "anon", 3004, None),
                              (10002, 1503, "anon", 3006, None)]
    cur.execute("drop table copy_i")


@test
@pg_too
def from_foreign_keys():
    cur.execute("drop table if exists copy_k")
    cur.execute("drop table if exists copy_p")
    cur.execute("create table copy_p (id int primary key)")
    cur.execute("create table copy_k (id int primary key, pid int references copy_p)")
    cur.execute("insert into copy_p select generate_series(1, 10)")
    rows = ["%d\t%d\n" % (i, i % 10 + 1) for i in range(2000)]
    rows[1499] = "1499\t99\n"
    e = copy_error("copy copy_k from stdin", rows)
    assert e.pgcode == "23503", (e.pgcode, e.pgerror)
    assert 'violates foreign key constraint "copy_k_pid_fkey"' in e.pgerror, e.pgerror
    assert e.diag.message_detail == 'Key (pid)=(99) is not present in table "copy_p".', e.diag.message_detail
    assert count("copy_k") == 0
    rows[1499] = "1499\t\\N\n"
    copy_in("copy copy_k from stdin", rows)
    assert count("copy_k") == 2000
    cur.execute("drop table copy_k")
    cur.execute("drop table copy_p")


@test
@pg_too
def from_privileges():
    cur.execute("drop table if exists copy_priv")
    cur.execute("drop role if exists copy_reader")
    cur.execute("create table copy_priv (id int primary key)")
    cur.execute("create role copy_reader login")
    cur.execute("grant select on copy_priv to copy_reader")
    c2 = harness.connect(PORT, user="copy_reader")
    c2.autocommit = True
    try:
        e = copy_error("copy copy_priv from stdin", ["1\n"], c2.cursor())
        assert e.pgcode == "42501", (e.pgcode, e.pgerror)
        assert "permission denied for table copy_priv" in e.pgerror, e.pgerror
        cur.execute("grant insert on copy_priv to copy_reader")
        copy_in("copy copy_priv from stdin", ["%d\n" % i for i in range(1200)], c2.cursor())
    finally:
        c2.close()
    assert count("copy_priv") == 1200
    cur.execute("drop table copy_priv")
    cur.execute("drop role copy_reader")


@test
@pg_too
def from_waits_for_a_key_being_inserted():
    import threading
    cur.execute("drop table if exists copy_w")
    cur.execute("create table copy_w (id int primary key)")
    rows = ["%d\n" % i for i in range(3000)]
    for finish, want in (("commit", "23505"), ("rollback", None)):
        cur.execute("truncate copy_w")
        c2 = harness.connect(PORT)
        k2 = c2.cursor()   # a block: BEGIN
        k2.execute("insert into copy_w values (1500)")
        c3 = harness.connect(PORT)
        c3.autocommit = True
        got = {}

        def run():
            try:
                copy_in("copy copy_w from stdin", rows, c3.cursor())
                got["ok"] = True
            except psycopg2.Error as e:
                got["e"] = e
        th = threading.Thread(target=run)
        th.start()
        th.join(1.0)
        assert th.is_alive(), ("the COPY did not wait", got)   # it waits for key 1500
        getattr(c2, finish)()
        th.join(30)
        assert not th.is_alive()
        if want:
            e = got.get("e")
            assert e is not None and e.pgcode == want, got
            assert e.diag.message_detail == "Key (id)=(1500) already exists.", e.diag.message_detail
            assert e.diag.context == "COPY copy_w, line 1501", e.diag.context
            assert count("copy_w") == 1
        else:
            assert got.get("ok"), got
            assert count("copy_w") == 3000
        c2.close()
        c3.close()
    cur.execute("drop table copy_w")


@test
def from_time_travel():
    # one COPY is one commit: every row a version of it, in drift_commits
    cur.execute("drop table if exists copy_tt")
    cur.execute("create table copy_tt (id int primary key, v text)")
    cur.execute("insert into copy_tt values (-1, 'before')")
    cur.execute("select drift_seq()")
    before = cur.fetchone()[0]
    copy_in("copy copy_tt from stdin", ["%d\tv%d\n" % (i, i) for i in range(2500)])
    cur.execute("select drift_seq()")
    after = cur.fetchone()[0]
    assert after == before + 1, (before, after)
    cur.execute("select changes, user_name from drift_commits where seq = %d" % after)
    assert cur.fetchone() == (2500, "test")
    cur.execute("select count(*) from copy_tt for system_time as of @SEQ:%d" % before)
    assert cur.fetchone() == (1,)
    cur.execute("select count(*), min(id), max(id) from copy_tt for system_time as of @SEQ:%d" % after)
    assert cur.fetchone() == (2501, -1, 2499)
    cur.execute("select v from copy_tt for system_time as of @SEQ:%d where id = 1234" % after)
    assert cur.fetchone() == ("v1234",)
    cur.execute("select count(*) from copy_tt for system_time all where system_seq_start = %d" % after)
    assert cur.fetchone() == (2500,)
    # a COPY that fails commits nothing: no seq, no version
    e = copy_error("copy copy_tt from stdin", ["%d\tw\n" % (5000 + i) for i in range(1500)] + ["-1\tdup\n"])
    assert e.pgcode == "23505" and e.diag.context == "COPY copy_tt, line 1501", (e.pgcode, e.diag.context)
    cur.execute("select drift_seq()")
    assert cur.fetchone()[0] == after
    cur.execute("select count(*) from copy_tt for system_time all")
    assert cur.fetchone() == (2501,)
    # then an UPDATE of copied rows is a second version of each
    cur.execute("update copy_tt set v = 'new' where id < 10")
    cur.execute("select v from copy_tt for system_time as of @SEQ:%d where id = 3" % after)
    assert cur.fetchone() == ("v3",)
    cur.execute("drop table copy_tt")
