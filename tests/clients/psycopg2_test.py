#!/usr/bin/python3
"""tests/clients/psycopg2_test.py PORT - psycopg2 against driftdb-server.

psycopg2 interpolates parameters on the client and sends simple queries;
with autocommit off it wraps statements in BEGIN ... COMMIT / ROLLBACK.
Checks: connect and ParameterStatus, commit and rollback, result types
(int, str, None, Decimal, bool, datetime), errors as psycopg2.errors with
pgcode, the failed-transaction state, time travel with AS OF %s (a
datetime, '@SEQ:n' as %s::text), SET reporting ParameterStatus,
DateStyle and IntervalStyle from the startup options, a large result, enum
and domain columns.  Prints "ok NAME" / "FAIL NAME" lines.
"""
import datetime
import decimal
import sys
import time

import psycopg2
import psycopg2.errors
import psycopg2.extensions as ext

import harness
from harness import expect

PORT = int(sys.argv[1])
test = harness.Report("psycopg2_").test


def connect(**kw):
    return harness.connect(PORT, **kw)


@test
def connect_params():
    conn = connect(application_name="pytest")
    expect(conn.server_version, 150000, "server_version")
    expect(conn.get_parameter_status("server_encoding"), "UTF8", "server_encoding")
    expect(conn.get_parameter_status("client_encoding"), "UTF8", "client_encoding")
    expect(conn.get_parameter_status("integer_datetimes"), "on", "integer_datetimes")
    expect(conn.get_parameter_status("standard_conforming_strings"), "on", "scs")
    expect(conn.get_parameter_status("session_authorization"), "test", "session_authorization")
    expect(conn.get_parameter_status("application_name"), "pytest", "application_name")
    if not conn.get_parameter_status("TimeZone"):
        raise AssertionError("no TimeZone")
    expect(conn.get_backend_pid() != 0, True, "backend pid")
    expect(conn.get_transaction_status(), ext.TRANSACTION_STATUS_IDLE, "status")
    conn.close()


@test
def create_and_commit():
    conn = connect()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE TABLE accounts (id INT PRIMARY KEY, name TEXT, amount NUMERIC,"
                " active BOOLEAN, at TIMESTAMPTZ, note TEXT)")
    conn.autocommit = False
    cur.execute("INSERT INTO accounts (id, name, amount, active, at, note) VALUES (%s, %s, %s, %s, %s, %s)",
                (1, "Alice", decimal.Decimal("10.50"), True,
                 datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc), None))
    expect(cur.rowcount, 1, "rowcount")
    expect(conn.get_transaction_status(), ext.TRANSACTION_STATUS_INTRANS, "in transaction")
    conn.commit()
    expect(conn.get_transaction_status(), ext.TRANSACTION_STATUS_IDLE, "after commit")
    conn.close()
    conn = connect()
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM accounts WHERE id = 1")
    expect(cur.fetchone()[0], 1, "committed row visible")
    conn.rollback()
    conn.close()


@test
def rollback():
    conn = connect()
    cur = conn.cursor()
    cur.execute("INSERT INTO accounts (id, name) VALUES (%s, %s)", (2, "Bob"))
    cur.execute("SELECT count(*) FROM accounts WHERE id = 2")
    expect(cur.fetchone()[0], 1, "own write visible")
    conn.rollback()
    cur.execute("SELECT count(*) FROM accounts WHERE id = 2")
    expect(cur.fetchone()[0], 0, "rolled back")
    conn.rollback()
    conn.close()


@test
def time_travel_parameter():
    """AS OF %s: psycopg2 quotes a datetime as '...'::timestamptz and a
    str as a literal, so '@SEQ:n' goes as %s::text"""
    conn = connect()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE TABLE p2_tt (id INT PRIMARY KEY, v TEXT)")
    cur.execute("INSERT INTO p2_tt VALUES (%s, %s)", (1, "old"))
    time.sleep(0.01)
    cur.execute("SELECT now(), drift_seq()")
    before, seq = cur.fetchone()
    expect(type(before), datetime.datetime, "now() as a datetime")
    time.sleep(0.01)
    cur.execute("UPDATE p2_tt SET v = %s WHERE id = %s", ("new", 1))
    cur.execute("SELECT v FROM p2_tt FOR SYSTEM_TIME AS OF %s WHERE id = %s", (before, 1))
    expect(cur.fetchall(), [("old",)], "AS OF a datetime")
    cur.execute("SELECT v FROM p2_tt FOR SYSTEM_TIME AS OF %s::text WHERE id = %s", ("@SEQ:%d" % seq, 1))
    expect(cur.fetchall(), [("old",)], "AS OF '@SEQ:n' as text")
    cur.execute("SELECT drift_seq()")
    now_seq = cur.fetchone()[0]
    expect(now_seq > seq, True, "the UPDATE took a seq")
    cur.execute("SELECT v FROM p2_tt FOR SYSTEM_TIME AS OF %s::text WHERE id = %s", ("@SEQ:%d" % now_seq, 1))
    expect(cur.fetchall(), [("new",)], "AS OF the current seq")
    cur.execute("SELECT v FROM p2_tt WHERE id = %s", (1,))
    expect(cur.fetchall(), [("new",)], "present")
    conn.close()


@test
def fetch_types():
    conn = connect()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SET TimeZone TO 'UTC'")
    cur.execute("SELECT id, name, amount, active, at, note FROM accounts WHERE id = %s", (1,))
    expect([d[0] for d in cur.description], ["id", "name", "amount", "active", "at", "note"],
           "column names")
    rows = cur.fetchall()
    expect(len(rows), 1, "rows")
    r = rows[0]
    expect(type(r[0]), int, "int type")
    expect(r[0], 1, "int")
    expect(type(r[1]), str, "text type")
    expect(r[1], "Alice", "text")
    expect(type(r[2]), decimal.Decimal, "numeric type")
    expect(r[2], decimal.Decimal("10.50"), "numeric")
    expect(r[3] is True, True, "bool")
    expect(type(r[4]), datetime.datetime, "timestamptz type")
    expect(r[4], datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc), "timestamptz")
    expect(r[5], None, "NULL")
    cur.execute("SELECT 42, 'x', NULL, true, 1.5")
    expect(cur.fetchone(), (42, "x", None, True, decimal.Decimal("1.5")), "literals")
    conn.close()


@test
def json_and_jsonb():
    import psycopg2.extras
    doc = {"name": "bob", "tags": ["x"], "n": 2, "ok": False, "none": None}
    conn = connect()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE TABLE p2_json (id INT PRIMARY KEY, j JSONB, t JSON)")
    cur.execute("INSERT INTO p2_json VALUES (%s, %s, %s)", (1, psycopg2.extras.Json(doc), psycopg2.extras.Json([1, {"a": 2}])))
    cur.execute("SELECT j, t, j->'tags', j->>'name' FROM p2_json WHERE id = %s", (1,))
    expect(cur.fetchone(), (doc, [1, {"a": 2}], ["x"], "bob"), "jsonb and json as Python objects")
    cur.execute("SELECT id FROM p2_json WHERE j @> %s", (psycopg2.extras.Json({"tags": ["x"]}),))
    expect(cur.fetchall(), [(1,)], "containment with a parameter")
    conn.close()


@test
def enums_and_domains():
    conn = connect()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE TYPE p2_mood AS ENUM ('sad', 'ok', 'happy')")
    cur.execute("CREATE DOMAIN p2_pos AS int CHECK (VALUE > 0)")
    cur.execute("CREATE TABLE p2_enum (id INT PRIMARY KEY, m p2_mood, p p2_pos)")
    cur.execute("INSERT INTO p2_enum VALUES (%s, %s, %s), (%s, %s, %s)", (1, "happy", 3, 2, "sad", 4))
    cur.execute("SELECT m, p FROM p2_enum WHERE m > %s ORDER BY m", ("sad",))
    expect(cur.fetchall(), [("happy", 3)], "enum labels as str, domain values as the base type")
    expect(cur.description[0].type_code >= 16384, True, "an enum column has its type's own OID")
    expect(cur.description[1].type_code, 23, "a domain column has its base type's OID")
    try:
        cur.execute("INSERT INTO p2_enum VALUES (3, 'meh', 1)")
        raise AssertionError("an unknown label was accepted")
    except psycopg2.errors.InvalidTextRepresentation:
        pass
    try:
        cur.execute("INSERT INTO p2_enum VALUES (3, 'ok', 0)")
        raise AssertionError("a domain's CHECK was not enforced")
    except psycopg2.errors.CheckViolation:
        pass
    # an enum's array: its own array type OID (engine_int.h: the enum's OID
    # + 2^30), which psycopg2 does not know, so the text as PostgreSQL
    # sends it; a parameter in its text form; a domain's array
    cur.execute("CREATE TABLE p2_enum_arr (id INT PRIMARY KEY, ms p2_mood[], ps p2_pos[])")
    cur.execute("INSERT INTO p2_enum_arr VALUES (%s, %s, %s)", (1, "{happy,sad}", "{1,2}"))
    cur.execute("INSERT INTO p2_enum_arr VALUES (%s, %s::p2_mood[], %s)", (2, ["ok"], [3]))
    cur.execute("SELECT id, ms, ms[1] AS m1, ps FROM p2_enum_arr ORDER BY ms")
    rows = cur.fetchall()
    expect(rows, [(2, "{ok}", "ok", [3]), (1, "{happy,sad}", "happy", [1, 2])], "enum arrays as their text")
    expect(cur.description[1].type_code, cur.description[2].type_code + (1 << 30),
           "an enum's array type OID is its enum's + 2^30")
    expect(cur.description[3].type_code, 1007, "a domain's array has its base type's array OID")
    cur.execute("SELECT array_agg(m ORDER BY m) FROM p2_enum")
    expect(cur.fetchone(), ("{sad,happy}",), "array_agg of an enum column")
    cur.execute("SELECT id FROM p2_enum_arr WHERE %s = ANY(ms)", ("sad",))
    expect(cur.fetchall(), [(1,)], "= ANY of an enum array with a parameter")
    try:
        cur.execute("INSERT INTO p2_enum_arr VALUES (3, NULL, %s)", ([1, 0],))
        raise AssertionError("a domain's CHECK was not enforced on an array element")
    except psycopg2.errors.CheckViolation:
        pass
    conn.close()


@test
def errors_with_pgcode():
    conn = connect()
    cur = conn.cursor()
    try:
        cur.execute("SELECT * FROM nope")
        raise AssertionError("no error")
    except psycopg2.errors.UndefinedTable as e:
        expect(e.pgcode, "42P01", "pgcode")
        expect(e.diag.severity, "ERROR", "severity")
    expect(conn.get_transaction_status(), ext.TRANSACTION_STATUS_INERROR, "in error")
    try:
        cur.execute("SELECT 1")
        raise AssertionError("no error in failed transaction")
    except psycopg2.errors.InFailedSqlTransaction as e:
        expect(e.pgcode, "25P02", "pgcode")
    conn.rollback()
    cur.execute("SELECT 1")
    expect(cur.fetchone(), (1,), "usable after rollback")
    try:
        cur.execute("SELEKT 1")
        raise AssertionError("no syntax error")
    except psycopg2.errors.SyntaxError as e:
        expect(e.pgcode, "42601", "pgcode")
        if not e.diag.statement_position:
            raise AssertionError("no position")
    conn.rollback()
    conn.autocommit = True
    cur.execute("INSERT INTO accounts (id, name) VALUES (3, 'Carol')")
    try:
        cur.execute("INSERT INTO accounts (id, name) VALUES (3, 'Carol')")
        raise AssertionError("no unique violation")
    except psycopg2.errors.UniqueViolation as e:
        expect(e.pgcode, "23505", "pgcode")
    conn.close()


@test
def error_object_fields():
    # a constraint violation names its schema, table, column, data type and
    # constraint as PostgreSQL does (e.diag: fields s t c d n)
    conn = connect()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE SCHEMA diag")
    cur.execute("CREATE TABLE diag.p (id int PRIMARY KEY, u int UNIQUE, c int CHECK (c > 0), n int NOT NULL)")
    cur.execute("CREATE TABLE diag.ch (id int PRIMARY KEY, pid int REFERENCES diag.p)")
    cur.execute("CREATE DOMAIN diag_pos AS int CHECK (VALUE > 0)")
    cur.execute("INSERT INTO diag.p VALUES (1, 1, 1, 1)")
    cur.execute("INSERT INTO diag.ch VALUES (1, 1)")
    cases = [
        ("INSERT INTO diag.p VALUES (1, 2, 1, 1)", ("23505", "diag", "p", None, None, "p_pkey")),
        ("INSERT INTO diag.p VALUES (2, 1, 1, 1)", ("23505", "diag", "p", None, None, "p_u_key")),
        ("INSERT INTO diag.p VALUES (3, 3, -1, 1)", ("23514", "diag", "p", None, None, "p_c_check")),
        ("INSERT INTO diag.p VALUES (4, 4, 1, NULL)", ("23502", "diag", "p", "n", None, None)),
        ("INSERT INTO diag.ch VALUES (2, 99)", ("23503", "diag", "ch", None, None, "ch_pid_fkey")),
        ("DELETE FROM diag.p", ("23503", "diag", "ch", None, None, "ch_pid_fkey")),
        ("SELECT (-1)::diag_pos", ("23514", "public", None, None, "diag_pos", "diag_pos_check")),
    ]
    for sql, want in cases:
        try:
            cur.execute(sql)
            raise AssertionError("no error: " + sql)
        except psycopg2.Error as e:
            d = e.diag
            expect((e.pgcode, d.schema_name, d.table_name, d.column_name, d.datatype_name, d.constraint_name), want, sql)
    cur.execute("DROP SCHEMA diag CASCADE")
    cur.execute("DROP DOMAIN diag_pos")
    conn.close()


@test
def drop_dependents_detail():
    # DROP TABLE's 2BP01 lists every dependent, foreign keys and views
    conn = connect()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE TABLE dd_c (id int PRIMARY KEY)")
    cur.execute("CREATE TABLE dd_o (id int PRIMARY KEY, cid int REFERENCES dd_c)")
    cur.execute("CREATE VIEW dd_v AS SELECT * FROM dd_c")
    try:
        cur.execute("DROP TABLE dd_c")
        raise AssertionError("no error")
    except psycopg2.Error as e:
        expect(e.pgcode, "2BP01", "pgcode")
        expect(e.diag.message_detail, "constraint dd_o_cid_fkey on table dd_o depends on table dd_c\n"
                                      "view dd_v depends on table dd_c", "detail")
    cur.execute("DROP TABLE dd_c CASCADE")
    cur.execute("DROP TABLE dd_o")
    conn.close()


@test
def explain_tag():
    # EXPLAIN's command tag is EXPLAIN, as PostgreSQL's
    conn = connect()
    cur = conn.cursor()
    cur.execute("EXPLAIN SELECT 1")
    cur.fetchall()
    expect(cur.statusmessage, "EXPLAIN", "tag")
    conn.rollback()
    conn.autocommit = True
    cur.execute("START TRANSACTION")
    expect(cur.statusmessage, "START TRANSACTION", "START TRANSACTION's tag")
    cur.execute("ROLLBACK")
    conn.close()


@test
def set_reports_parameter():
    conn = connect()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SET TimeZone TO 'Asia/Tokyo'")
    expect(conn.get_parameter_status("TimeZone"), "Asia/Tokyo", "TimeZone after SET")
    cur.execute("SET application_name TO 'renamed'")
    expect(conn.get_parameter_status("application_name"), "renamed", "application_name after SET")
    conn.close()


@test
def backend_pid_and_set_config():
    conn = connect()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SELECT pg_backend_pid()")
    expect(cur.fetchone()[0], conn.get_backend_pid(), "pg_backend_pid() is BackendKeyData's process id")
    cur.execute("SELECT set_config('application_name', 'via_set_config', false)")
    expect(cur.fetchone()[0], "via_set_config", "set_config's result")
    expect(conn.get_parameter_status("application_name"), "via_set_config", "application_name reported after set_config")
    conn.close()


@test
def client_min_messages():
    # Rails sets it to warning on connect: NOTICEs below it never arrive
    conn = connect()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS no_such_table_cmm")
    expect(len(conn.notices), 1, "a NOTICE at the default level")
    cur.execute("SET client_min_messages TO warning")
    cur.execute("DROP TABLE IF EXISTS no_such_table_cmm")
    expect(len(conn.notices), 1, "no NOTICE under warning")
    cur.execute("RESET client_min_messages")
    cur.execute("DROP TABLE IF EXISTS no_such_table_cmm")
    expect(len(conn.notices), 2, "NOTICEs again after RESET")
    conn.close()
    conn = connect(options="-c client_min_messages=error")
    conn.autocommit = True
    conn.cursor().execute("DROP TABLE IF EXISTS no_such_table_cmm")
    expect(len(conn.notices), 0, "client_min_messages from the startup options")
    conn.close()


@test
def startup_options():
    conn = connect(options="-c TimeZone=Europe/Paris")
    expect(conn.get_parameter_status("TimeZone"), "Europe/Paris", "TimeZone from options")
    conn.close()


@test
def datestyle_options():
    # DateStyle / IntervalStyle from the startup options, reported and
    # applied; SET reports the new value (texts: psycopg2 parses only ISO)
    # psycopg2 itself sends SET DATESTYLE TO 'ISO' when the server reports
    # another output style, so "ISO, DMY" shows both the startup value and
    # the report of the change
    conn = connect(options="-c DateStyle=SQL,DMY -c IntervalStyle=iso_8601")
    expect(conn.get_parameter_status("DateStyle"), "ISO, DMY", "DateStyle from options")
    expect(conn.get_parameter_status("IntervalStyle"), "iso_8601", "IntervalStyle from options")
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SELECT date '2024-12-31'::text, '01/02/2003'::date::text, interval '1 day 2 hours'::text")
    expect(cur.fetchone(), ("2024-12-31", "2003-02-01", "P1DT2H"), "values")
    cur.execute("SET DateStyle = 'Postgres'")
    expect(conn.get_parameter_status("DateStyle"), "Postgres, DMY", "DateStyle after SET")
    cur.execute("SELECT timestamptz '2024-12-31 10:05:06+00'::text")
    expect(cur.fetchone()[0], "Tue 31 Dec 10:05:06 2024 UTC", "Postgres style")
    cur.execute("RESET IntervalStyle")   # back to the startup value, as PostgreSQL
    cur.execute("SHOW IntervalStyle")
    expect(cur.fetchone()[0], "iso_8601", "RESET IntervalStyle")
    cur.execute("SET IntervalStyle = sql_standard")
    cur.execute("RESET ALL")
    expect(conn.get_parameter_status("IntervalStyle"), "iso_8601", "IntervalStyle after RESET ALL")
    cur.execute("SET DateStyle = 'ISO, YMD'")
    cur.execute("SET DateStyle = 'default'")   # the key word DEFAULT: the startup value too
    expect(conn.get_parameter_status("DateStyle"), "SQL, DMY", "DateStyle 'default'")
    cur.execute("SET DateStyle = ISO")
    cur.execute("SELECT date '2024-12-31'")
    expect(cur.fetchone()[0], datetime.date(2024, 12, 31), "a date psycopg2 parses")
    conn.close()


@test
def search_path_options():
    # a startup search_path is a list (as PostgreSQL takes it), and the
    # schema it names is where names are found and made
    conn = connect()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE SCHEMA IF NOT EXISTS p2app")
    cur.execute("CREATE TABLE p2app.items (id serial PRIMARY KEY, name text)")
    cur.execute("INSERT INTO p2app.items (name) VALUES (%s)", ("one",))
    conn.close()
    conn = connect(options="-c search_path=p2app,public")
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SHOW search_path")
    expect(cur.fetchone()[0], "p2app,public", "search_path from options")
    cur.execute("SELECT current_schemas(false)")
    expect(cur.fetchone()[0], ["p2app", "public"], "current_schemas")
    cur.execute("INSERT INTO items (name) VALUES (%s) RETURNING id", ("two",))
    expect(cur.fetchone()[0], 2, "serial of a table found through search_path")
    cur.execute("CREATE TABLE made_here (a int)")
    cur.execute("SELECT count(*) FROM p2app.made_here")
    expect(cur.fetchone()[0], 0, "created in the first schema of search_path")
    cur.execute("SELECT name FROM items ORDER BY id")
    expect(cur.fetchall(), [("one",), ("two",)], "rows")
    cur.execute("DROP SCHEMA p2app CASCADE")
    conn.close()


@test
def schema_ddl_races():
    # an object made in a schema that another session drops or renames
    # meanwhile: the second committer gets 40001, nothing is left without
    # its schema
    a, b = connect(), connect()
    a.autocommit = b.autocommit = True
    ka, kb = a.cursor(), b.cursor()
    ka.execute("CREATE SCHEMA race1")
    a.autocommit = False
    ka.execute("CREATE TABLE race1.t (a int)")
    ka.execute("INSERT INTO race1.t VALUES (5)")
    kb.execute("DROP SCHEMA race1")
    try:
        a.commit()
        raise AssertionError("a table committed into a dropped schema")
    except psycopg2.Error as e:
        expect(e.pgcode, "40001", "CREATE TABLE racing DROP SCHEMA")
    a.rollback()
    a.autocommit = True
    ka.execute("CREATE SCHEMA race2")
    b.autocommit = False
    kb.execute("ALTER SCHEMA race2 RENAME TO race3")
    ka.execute("CREATE TABLE race2.t (a int)")
    try:
        b.commit()
        raise AssertionError("a schema renamed away from a table made in it meanwhile")
    except psycopg2.Error as e:
        expect(e.pgcode, "40001", "ALTER SCHEMA RENAME racing CREATE TABLE")
    b.rollback()
    ka.execute("SELECT count(*) FROM race2.t")
    expect(ka.fetchone()[0], 0, "the table stays in its schema")
    ka.execute("DROP SCHEMA race2 CASCADE")
    a.close()
    b.close()


@test
def many_rows():
    conn = connect()
    cur = conn.cursor()
    values = ",".join(cur.mogrify("(%s, %s)", (i, "n%06d" % i)).decode() for i in range(100, 3100))
    cur.execute("INSERT INTO accounts (id, name) VALUES " + values)
    expect(cur.rowcount, 3000, "rowcount")
    conn.commit()
    cur.execute("SELECT id, name FROM accounts WHERE id >= 100 ORDER BY id")
    rows = cur.fetchall()
    expect(len(rows), 3000, "rows")
    expect(rows[-1], (3099, "n003099"), "last row")
    conn.rollback()
    conn.close()


@test
def many_connections():
    conns = [connect() for _ in range(20)]
    for i, c in enumerate(conns):
        cur = c.cursor()
        cur.execute("SELECT %s", (i,))
        expect(cur.fetchone()[0], i, "per-connection result")
    for c in conns:
        c.close()


@test
def named_cursors():
    """psycopg2's named cursors: DECLARE ... CURSOR WITHOUT HOLD / WITH HOLD
    and FETCH FORWARD itersize; scroll; they end with the transaction"""
    c = connect()
    cur = c.cursor()
    cur.execute("CREATE TABLE p2_cur (id INT PRIMARY KEY, v TEXT)")
    cur.execute("INSERT INTO p2_cur SELECT g, 'v' || g FROM generate_series(1, 5000) g")
    c.commit()
    nc = c.cursor("p2_named")
    nc.itersize = 700
    nc.execute("SELECT id, v FROM p2_cur WHERE id > %s ORDER BY id", (10,))
    n = s = 0
    for row in nc:
        n += 1
        s += row[0]
    expect((n, s), (4990, sum(range(11, 5001))), "rows through FETCH FORWARD 700")
    nc.scroll(-3)
    expect(nc.fetchone(), (4999, "v4999"), "scrolled back 3 from past the end, then the next row")
    nc.close()
    c.commit()
    held = c.cursor("p2_held", withhold=True)
    held.execute("SELECT count(*) FROM p2_cur")
    c.commit()
    expect(held.fetchone(), (5000,), "WITH HOLD after COMMIT")
    held.close()
    gone = c.cursor("p2_gone")
    gone.execute("SELECT 1")
    c.rollback()
    try:
        cur = c.cursor()
        cur.execute('FETCH 1 FROM "p2_gone"')
        raise AssertionError("a cursor WITHOUT HOLD outlived its transaction")
    except psycopg2.errors.InvalidCursorName:
        c.rollback()
    c.close()
