#!/usr/bin/python3
"""tests/clients/temp_tables_test.py PORT LIMITED_PORT - temporary tables
over the wire (psycopg2 against driftdb-server).

Checks: two connections never see each other's temporary tables (each
may have its own of one name, beside a shared permanent table); a view
over a temporary table is temporary, with PostgreSQL's NOTICE; work on
temporary tables takes no commit; a client that vanishes (its socket shut
without a Terminate message, in the middle of a transaction block) has its
session and temporary tables ended by the server: on LIMITED_PORT (a
server with --max-connections 1) a new connection is let in only once the
old session is gone, and it finds none of the old session's tables.  Prints
"ok NAME" / "FAIL NAME" lines.
"""
import io
import socket
import sys
import time

import psycopg2
import psycopg2.errors

import harness
from harness import expect

PORT = int(sys.argv[1])
LIMITED_PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 0
test = harness.Report("temp_tables_").test


def connect(port=PORT, **kw):
    conn = harness.connect(port, **kw)
    conn.autocommit = True
    return conn


def one(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall() if cur.description else None


def expect_error(conn, sql, pgcode):
    try:
        one(conn, sql)
    except psycopg2.Error as e:
        expect(e.pgcode, pgcode, sql)
        return
    raise AssertionError("%s: no error, expected %s" % (sql, pgcode))


def vanish(conn):
    """Shuts the connection's socket as a crashed client would: no
    Terminate message, the TCP connection just ends."""
    s = socket.socket(fileno=conn.fileno())
    try:
        s.shutdown(socket.SHUT_RDWR)
    finally:
        s.detach()   # the descriptor stays psycopg2's to close


@test
def private_per_session():
    a, b = connect(application_name="tt_a"), connect(application_name="tt_b")
    one(a, "CREATE TABLE IF NOT EXISTS tt_shared (id INT PRIMARY KEY)")
    one(a, "INSERT INTO tt_shared VALUES (1) ON CONFLICT DO NOTHING")
    one(a, "CREATE TEMP TABLE tt_mine (v TEXT)")
    one(a, "INSERT INTO tt_mine VALUES ('a''s')")
    expect_error(b, "SELECT * FROM tt_mine", "42P01")
    expect_error(b, "INSERT INTO tt_mine VALUES ('b')", "42P01")
    expect_error(b, "DROP TABLE tt_mine", "42P01")
    # b's own table of that name, and one hiding the shared table
    one(b, "CREATE TEMP TABLE tt_mine (v TEXT, n INT)")
    one(b, "INSERT INTO tt_mine VALUES ('b''s', 2)")
    one(b, "CREATE TEMP TABLE tt_shared (id INT, note TEXT)")
    one(b, "INSERT INTO tt_shared VALUES (7, 'b only')")
    expect(one(a, "SELECT * FROM tt_mine"), [("a's",)], "a's table")
    expect(one(b, "SELECT * FROM tt_mine"), [("b's", 2)], "b's table")
    expect(one(a, "SELECT id FROM tt_shared"), [(1,)], "a reads the permanent table")
    expect(one(b, "SELECT id, note FROM tt_shared"), [(7, "b only")], "b reads its temporary one")
    one(b, "DROP TABLE tt_shared")
    expect(one(b, "SELECT id FROM tt_shared"), [(1,)], "b reads the permanent table again")
    a.close()
    b.close()


@test
def view_notice():
    a = connect()
    one(a, "CREATE TEMP TABLE tt_base (x INT)")
    one(a, "INSERT INTO tt_base VALUES (1), (2)")
    del a.notices[:]
    one(a, "CREATE VIEW tt_view AS SELECT x * 10 AS y FROM tt_base")
    if not any('view "tt_view" will be a temporary view' in n for n in a.notices):
        raise AssertionError("no NOTICE: %r" % a.notices)
    expect(one(a, "SELECT y FROM tt_view ORDER BY y"), [(10,), (20,)], "the view")
    b = connect()
    expect_error(b, "SELECT * FROM tt_view", "42P01")
    a.close()
    b.close()


@test
def no_commit_for_temporary_work():
    a = connect()
    before = one(a, "SELECT drift_seq()")[0][0]
    one(a, "CREATE TEMP TABLE tt_work (id SERIAL PRIMARY KEY, v TEXT UNIQUE)")
    with a.cursor() as cur:
        cur.executemany("INSERT INTO tt_work (v) VALUES (%s)", [("v%d" % i,) for i in range(200)])
    one(a, "UPDATE tt_work SET v = v || '!' WHERE id % 2 = 0")
    one(a, "DELETE FROM tt_work WHERE id > 150")
    one(a, "BEGIN")
    one(a, "TRUNCATE tt_work")
    one(a, "ROLLBACK")
    expect(one(a, "SELECT count(*) FROM tt_work"), [(150,)], "rows")
    expect(one(a, "SELECT drift_seq()")[0][0], before, "drift_seq after temporary work")
    expect_error(a, "SELECT * FROM tt_work FOR SYSTEM_TIME AS OF @SEQ:1", "0A000")
    a.close()


@test
def copy_in_and_out():
    a = connect()
    one(a, "CREATE TEMP TABLE tt_copy (id INT PRIMARY KEY, v TEXT)")
    with a.cursor() as cur:
        cur.copy_expert("COPY tt_copy FROM STDIN", io.StringIO("1\tone\n2\ttwo\n3\t\\N\n"))
        out = io.StringIO()
        cur.copy_expert("COPY (SELECT * FROM tt_copy ORDER BY id) TO STDOUT WITH (FORMAT csv)", out)
    expect(out.getvalue(), "1,one\n2,two\n3,\n", "COPY TO")
    expect(one(a, "SELECT count(*) FROM tt_copy WHERE v IS NULL"), [(1,)], "NULL copied in")
    # a read-only transaction may COPY into a temporary table, not into a permanent one
    a.autocommit = False
    with a.cursor() as cur:
        cur.execute("SET TRANSACTION READ ONLY")
        cur.copy_expert("COPY tt_copy FROM STDIN", io.StringIO("4\tfour\n"))
        try:
            cur.copy_expert("COPY tt_shared FROM STDIN", io.StringIO("99\n"))
            raise AssertionError("COPY into a permanent table in a read-only transaction")
        except psycopg2.Error as e:
            expect(e.pgcode, "25006", "COPY into a permanent table")
    a.rollback()
    a.autocommit = True
    expect(one(a, "SELECT count(*) FROM tt_copy"), [(3,)], "rolled back")
    a.close()


@test
def extended_protocol():
    # psycopg2 sends simple queries; a prepared statement is SQL PREPARE
    a = connect()
    one(a, "CREATE TEMP TABLE tt_prep (id INT PRIMARY KEY, v TEXT)")
    one(a, "PREPARE tt_ins (int, text) AS INSERT INTO tt_prep VALUES ($1, $2)")
    for i in range(5):
        a.cursor().execute("EXECUTE tt_ins (%s, %s)", (i, "p%d" % i))
    # the table made again with other columns: the statement is planned again
    one(a, "DROP TABLE tt_prep")
    one(a, "CREATE TEMP TABLE tt_prep (id INT PRIMARY KEY, v TEXT, w INT DEFAULT 9)")
    a.cursor().execute("EXECUTE tt_ins (%s, %s)", (42, "again"))
    expect(one(a, "SELECT * FROM tt_prep"), [(42, "again", 9)], "after the table was made again")
    a.close()


@test
def extended_protocol_psycopg3():
    # psycopg 3 binds on the server: Parse / Bind / Describe / Execute / Sync
    import psycopg
    with psycopg.connect(host="127.0.0.1", port=PORT, user="test", dbname="test", autocommit=True) as c:
        c.execute("CREATE TEMP TABLE tt_bind (id INT PRIMARY KEY, v TEXT)")
        for i in range(10):
            c.execute("INSERT INTO tt_bind VALUES (%s, %s)", (i, "b%d" % i), prepare=True)
        # a read-only transaction may write temporary tables, as in PostgreSQL
        with c.transaction():
            c.execute("SET TRANSACTION READ ONLY")
            c.execute("UPDATE tt_bind SET v = upper(v) WHERE id < %s", (3,), prepare=True)
        got = c.execute("SELECT id, v FROM tt_bind WHERE id <= %s ORDER BY id", (3,), binary=True).fetchall()
        expect(got, [(0, "B0"), (1, "B1"), (2, "B2"), (3, "b3")], "binary results")
    with psycopg.connect(host="127.0.0.1", port=PORT, user="test", dbname="test", autocommit=True) as c:
        try:
            c.execute("SELECT * FROM tt_bind")
        except psycopg.Error as e:
            expect(e.sqlstate, "42P01", "another session")
        else:
            raise AssertionError("another session read tt_bind")


def connect_when_free(port, deadline):
    """The limited server admits one session: retry until the old one is
    gone (the server notices the closed socket) or the deadline passes."""
    while True:
        try:
            c = connect(port)
            one(c, "SELECT 1")
            return c
        except psycopg2.Error:
            if time.time() > deadline:
                raise
            time.sleep(0.1)


@test
def vanished_client():
    if not LIMITED_PORT:
        raise AssertionError("no limited server")
    a = connect(LIMITED_PORT)
    one(a, "CREATE TABLE IF NOT EXISTS tt_perm (id INT PRIMARY KEY)")
    one(a, "CREATE TEMP TABLE tt_gone (id INT PRIMARY KEY, v TEXT)")
    one(a, "INSERT INTO tt_gone VALUES (1, 'x')")
    one(a, "BEGIN")
    one(a, "INSERT INTO tt_gone VALUES (2, 'y')")
    one(a, "CREATE TEMP TABLE tt_gone_too (z INT)")
    seq = one(a, "SELECT drift_seq()")[0][0]
    vanish(a)
    b = connect_when_free(LIMITED_PORT, time.time() + 10)
    expect_error(b, "SELECT * FROM tt_gone", "42P01")
    expect_error(b, "SELECT * FROM tt_gone_too", "42P01")
    expect(one(b, "SELECT drift_seq()")[0][0], seq, "nothing committed by the vanished session")
    one(b, "CREATE TEMP TABLE tt_gone (other INT)")
    expect(one(b, "SELECT count(*) FROM tt_gone"), [(0,)], "a new table of that name")
    b.close()
    try:
        a.close()
    except psycopg2.Error:
        pass
    # a clean close ends them too
    c = connect_when_free(LIMITED_PORT, time.time() + 10)
    one(c, "CREATE TEMP TABLE tt_closed (x INT)")
    c.close()
    d = connect_when_free(LIMITED_PORT, time.time() + 10)
    expect_error(d, "SELECT * FROM tt_closed", "42P01")
    d.close()

