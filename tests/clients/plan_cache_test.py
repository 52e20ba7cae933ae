#!/usr/bin/python3
"""tests/clients/plan_cache_test.py DRIFTDB_PORT PG_PORT - prepared
statements run many times, side by side with PostgreSQL 15.

DriftDB keeps the plan of a prepared query for later Executes (as
PostgreSQL's generic plans) while the catalog, the session's settings and
its user stay as they were.  Every case here runs the same steps on both
servers, a prepared statement executed again and again (psycopg 3,
prepare=True: Parse once, then Bind / Execute) with other sessions and
statements in between, and compares each outcome (SQLSTATE, rows): new
parameter values (NULL, none matching, another row), other sessions'
commits, the transaction's own writes, a REPEATABLE READ snapshot, DDL
(a column added, the table dropped and made anew, an index), search_path,
SET ROLE, GRANT and REVOKE from another session, a temporary table that
hides the table, an error in one run, LIMIT and regular expressions from
parameters, EXECUTE and DECLARE run as prepared statements.  Then,
with asyncpg, two portals of one statement open at
once (a cursor part read while the statement runs again), as a driver's
cursor does.  Prints "ok NAME" / "FAIL NAME" lines.
"""
import asyncio
import sys

import psycopg

import harness

DD_PORT, PG_PORT = int(sys.argv[1]), int(sys.argv[2])
report = harness.Report("plan_cache_")

SETUP = [
    "DROP TABLE IF EXISTS pc_t CASCADE", "DROP TABLE IF EXISTS pc_other CASCADE",
    "DROP SCHEMA IF EXISTS pc_s CASCADE",
    "CREATE TABLE pc_t (id int PRIMARY KEY, v bigint, note text)",
    "INSERT INTO pc_t SELECT g, g * 3, 'row ' || g FROM generate_series(1, 50) g",
    "CREATE SCHEMA pc_s",
    "CREATE TABLE pc_s.pc_t (id int PRIMARY KEY, v bigint, note text)",
    "INSERT INTO pc_s.pc_t VALUES (1, -1, 'in pc_s')",
]
CLEANUP = ["RESET ROLE", "DROP TABLE IF EXISTS pc_t CASCADE", "DROP SCHEMA IF EXISTS pc_s CASCADE"]

POINT = "SELECT v, note FROM pc_t WHERE id = %s"
STAR = "SELECT * FROM pc_t WHERE id = %s"

# (name, steps): a step is (who, sql, params): who "p" runs sql prepared
# on the main session (its plan kept between runs), "m" runs it there
# unprepared, "o" on a second session (autocommit)
CASES = [
    ("values", [("p", POINT, (1,)), ("p", POINT, (2,)), ("p", POINT, (None,)), ("p", POINT, (0,)),
                ("p", POINT, (51,)), ("p", POINT, (50,)), ("p", POINT, (1,))]),
    ("other_sessions_commits", [("p", POINT, (7,)), ("o", "UPDATE pc_t SET v = 700 WHERE id = 7", None),
                                ("p", POINT, (7,)), ("o", "DELETE FROM pc_t WHERE id = 7", None),
                                ("p", POINT, (7,)), ("o", "INSERT INTO pc_t VALUES (7, 21, 'row 7')", None),
                                ("p", POINT, (7,))]),
    ("own_writes", [("m", "BEGIN", None), ("m", "UPDATE pc_t SET v = -8 WHERE id = 8", None),
                    ("p", POINT, (8,)), ("m", "INSERT INTO pc_t VALUES (60, 1, 'new')", None),
                    ("p", POINT, (60,)), ("m", "DELETE FROM pc_t WHERE id = 9", None), ("p", POINT, (9,)),
                    ("m", "ROLLBACK", None), ("p", POINT, (8,)), ("p", POINT, (60,)), ("p", POINT, (9,))]),
    ("repeatable_read", [("m", "BEGIN ISOLATION LEVEL REPEATABLE READ", None), ("p", POINT, (10,)),
                         ("o", "UPDATE pc_t SET v = 1000 WHERE id = 10", None), ("p", POINT, (10,)),
                         ("m", "COMMIT", None), ("p", POINT, (10,))]),
    ("column_added", [("p", STAR, (11,)), ("p", POINT, (11,)),
                      ("o", "ALTER TABLE pc_t ADD COLUMN extra int DEFAULT 5", None),
                      ("p", POINT, (11,)), ("p", STAR, (11,)), ("m", "SELECT * FROM pc_t WHERE id = 11", None),
                      ("o", "ALTER TABLE pc_t DROP COLUMN extra", None), ("p", POINT, (11,))]),
    ("table_made_anew", [("p", POINT, (12,)), ("o", "DROP TABLE pc_t", None), ("p", POINT, (12,)),
                         ("o", "CREATE TABLE pc_t (id int PRIMARY KEY, v bigint, note text)", None),
                         ("p", POINT, (12,)), ("o", "INSERT INTO pc_t VALUES (12, 99, 'again')", None),
                         ("p", POINT, (12,)), ("p", POINT, (13,))]),
    ("index_made", [("p", "SELECT id FROM pc_t WHERE v = %s", (99,)),
                    ("o", "CREATE INDEX pc_t_v ON pc_t (v)", None),
                    ("p", "SELECT id FROM pc_t WHERE v = %s", (99,)),
                    ("o", "INSERT INTO pc_t VALUES (14, 99, 'same v')", None),
                    ("p", "SELECT id FROM pc_t WHERE v = %s ORDER BY id", (99,)),
                    ("o", "DROP INDEX pc_t_v", None),
                    ("p", "SELECT id FROM pc_t WHERE v = %s ORDER BY id", (99,))]),
    ("search_path", [("p", POINT, (1,)), ("m", "SET search_path = pc_s, public", None), ("p", POINT, (1,)),
                     ("m", "RESET search_path", None), ("p", POINT, (1,))]),
    ("roles_and_grants", [("o", "DROP ROLE IF EXISTS pc_r", None), ("o", "CREATE ROLE pc_r", None),
                          ("p", POINT, (1,)), ("m", "SET ROLE pc_r", None), ("p", POINT, (1,)),
                          ("o", "GRANT SELECT ON pc_t TO pc_r", None), ("p", POINT, (1,)), ("p", POINT, (2,)),
                          ("o", "REVOKE SELECT ON pc_t FROM pc_r", None), ("p", POINT, (1,)),
                          ("m", "RESET ROLE", None), ("p", POINT, (1,)), ("o", "DROP ROLE pc_r", None)]),
    ("temporary_table", [("p", POINT, (1,)),
                         ("m", "CREATE TEMP TABLE pc_t (id int PRIMARY KEY, v bigint, note text)", None),
                         ("p", POINT, (1,)), ("m", "INSERT INTO pc_t VALUES (1, 42, 'temporary')", None),
                         ("p", POINT, (1,)), ("m", "DROP TABLE pg_temp.pc_t", None), ("p", POINT, (1,))]),
    ("error_in_a_run", [("p", "SELECT id, 100 / (v - %s) FROM pc_t WHERE id = 2", (6,)),
                        ("p", "SELECT id, 100 / (v - %s) FROM pc_t WHERE id = 2", (1,)),
                        ("p", "SELECT id, 100 / (v - %s) FROM pc_t WHERE id = 2", (6,)),
                        ("p", "SELECT id, 100 / (v - %s) FROM pc_t WHERE id = 2", (2,))]),
    ("limit_and_range", [("p", "SELECT id FROM pc_t WHERE id > %s ORDER BY id LIMIT %s", (40, 3)),
                         ("p", "SELECT id FROM pc_t WHERE id > %s ORDER BY id LIMIT %s", (45, 10)),
                         ("p", "SELECT id FROM pc_t WHERE id > %s ORDER BY id LIMIT %s", (None, 2)),
                         ("p", "SELECT id FROM pc_t WHERE id >= %s AND id < %s", (20, 23)),
                         ("p", "SELECT id FROM pc_t WHERE id >= %s AND id < %s", (30, 31))]),
    ("regex_from_parameter", [("p", "SELECT id FROM pc_t WHERE note ~ %s AND id < 20 ORDER BY id", ("^row 1[0-2]$",)),
                              ("p", "SELECT id FROM pc_t WHERE note ~ %s AND id < 20 ORDER BY id", ("^row [3-4]$",)),
                              ("p", "SELECT id FROM pc_t WHERE note ~ %s AND id < 20 ORDER BY id", ("(",)),
                              ("p", "SELECT id FROM pc_t WHERE note ~ %s AND id < 20 ORDER BY id", ("^row 1$",))]),
    ("statements_inside", [("m", "PREPARE pc_q(int) AS SELECT v FROM pc_t WHERE id = $1", None),
                           ("p", "EXECUTE pc_q(3)", None), ("p", "EXECUTE pc_q(3)", None),
                           ("m", "UPDATE pc_t SET v = 33 WHERE id = 3", None),
                           ("p", "EXECUTE pc_q(3)", None), ("m", "DEALLOCATE pc_q", None),
                           ("m", "BEGIN", None),
                           ("p", "DECLARE pc_c CURSOR FOR SELECT v FROM pc_t WHERE id = %s", (6,)),
                           ("m", "FETCH ALL FROM pc_c", None), ("m", "CLOSE pc_c", None),
                           ("p", "DECLARE pc_c CURSOR FOR SELECT v FROM pc_t WHERE id = %s", (7,)),
                           ("m", "FETCH ALL FROM pc_c", None), ("m", "CLOSE pc_c", None),
                           ("p", "DECLARE pc_c CURSOR FOR SELECT v FROM pc_t WHERE id = %s", (8,)),
                           ("m", "FETCH ALL FROM pc_c", None), ("m", "COMMIT", None)]),
    ("sorted_and_grouped", [("p", "SELECT id, v FROM pc_t WHERE note LIKE %s ORDER BY v DESC, id LIMIT 4", ("row 1%",)),
                            ("p", "SELECT id, v FROM pc_t WHERE note LIKE %s ORDER BY v DESC, id LIMIT 4", ("row 2%",)),
                            ("o", "UPDATE pc_t SET v = 999 WHERE id = 21", None),
                            ("p", "SELECT id, v FROM pc_t WHERE note LIKE %s ORDER BY v DESC, id LIMIT 4", ("row 2%",)),
                            ("p", "SELECT count(*), sum(v), max(note) FROM pc_t WHERE v > %s", (60,)),
                            ("p", "SELECT count(*), sum(v), max(note) FROM pc_t WHERE v > %s", (140,)),
                            ("p", "SELECT count(*), sum(v), max(note) FROM pc_t WHERE v > %s", (None,)),
                            ("p", "SELECT v %% 3, count(*), string_agg(note, ',' ORDER BY id) FROM pc_t WHERE id < 12 "
                                  "GROUP BY 1 HAVING count(*) > %s ORDER BY 1", (3,)),
                            ("p", "SELECT v %% 3, count(*), string_agg(note, ',' ORDER BY id) FROM pc_t WHERE id < 12 "
                                  "GROUP BY 1 HAVING count(*) > %s ORDER BY 1", (0,)),
                            ("p", "SELECT v %% 3, count(*), string_agg(note, ',' ORDER BY id) FROM pc_t WHERE id < 12 "
                                  "GROUP BY 1 HAVING count(*) > %s ORDER BY 1", (3,))]),
    ("no_parameters", [("p", "SELECT count(*) FROM pc_t WHERE v > 100", None),
                       ("o", "INSERT INTO pc_t VALUES (70, 500, 'big')", None),
                       ("p", "SELECT count(*) FROM pc_t WHERE v > 100", None),
                       ("p", "SELECT note FROM pc_t WHERE id = 70", None),
                       ("o", "UPDATE pc_t SET note = 'changed' WHERE id = 70", None),
                       ("p", "SELECT note FROM pc_t WHERE id = 70", None)]),
]


def outcome(conn, sql, params, prepare):
    """(sqlstate, rows) of one statement."""
    cur = conn.cursor()
    try:
        cur.execute(sql, params, prepare=prepare)
        rows = cur.fetchall() if cur.description else None
        return ("00000", rows)
    except psycopg.Error as e:
        return (e.sqlstate, None)


def connect(port, db):
    return psycopg.connect(host="127.0.0.1", port=port, user="test", dbname=db, autocommit=True)


def run_case(steps, conns):
    """The outcomes of steps on one server (conns: main, other)."""
    main, other = conns
    got = []
    for who, sql, params in steps:
        if who == "o":
            got.append(outcome(other, sql, params, False))
        else:
            got.append(outcome(main, sql, params, who == "p"))
    return got


async def two_portals(port, db):
    """A cursor over a prepared statement read part way, the statement
    run again meanwhile, then the cursor read on (asyncpg)."""
    import asyncpg
    conn = await asyncpg.connect(host="127.0.0.1", port=port, user="test", database=db)
    try:
        stmt = await conn.prepare("SELECT id FROM pc_t WHERE id > $1 AND id <= 50 ORDER BY id")
        plain = await conn.prepare("SELECT id, v FROM pc_t WHERE id = $1")
        out = []
        async with conn.transaction():
            a = await plain.cursor(3)
            out.append([tuple(r) for r in await a.fetch(1)])
            out.append([tuple(r) for r in await plain.fetch(4)])
            out.append([tuple(r) for r in await a.fetch(1)])
            b = await stmt.cursor(40)
            out.append([tuple(r) for r in await b.fetch(3)])
            out.append([tuple(r) for r in await stmt.fetch(47)])
            out.append([tuple(r) for r in await b.fetch(20)])
        for i in (5, 6, 5):
            out.append([tuple(r) for r in await plain.fetch(i)])
        return out
    finally:
        await conn.close()


def main():
    servers = [(DD_PORT, "test"), (PG_PORT, "postgres")]
    for name, steps in CASES:
        try:
            results = []
            for port, db in servers:
                conns = [connect(port, db), connect(port, db)]
                for s in SETUP:
                    conns[1].execute(s)
                results.append(run_case(steps, conns))
                for s in CLEANUP:
                    conns[0].execute(s)
                for c in conns:
                    c.close()
            dd, pg = results
            diffs = ["%s %s %r\n  driftdb:  %r\n  postgres: %r" % (st[0], st[1], st[2], d, p)
                     for st, d, p in zip(steps, dd, pg) if d != p]
            report.check(name, not diffs, "\n".join(diffs))
        except Exception:
            report.failed(name)
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        report.fail("two_portals", "asyncpg missing (python3-asyncpg)")
        return 1
    try:
        results = []
        for port, db in servers:
            with connect(port, db) as c:
                for s in SETUP:
                    c.execute(s)
            results.append(asyncio.run(two_portals(port, db)))
            with connect(port, db) as c:
                for s in CLEANUP:
                    c.execute(s)
        report.check("two_portals", results[0] == results[1],
                     "driftdb:  %r\npostgres: %r" % (results[0], results[1]))
    except Exception:
        report.failed("two_portals")
    return 1 if report.fails else 0


if __name__ == "__main__":
    sys.exit(main())
