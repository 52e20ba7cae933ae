#!/usr/bin/python3
"""tests/clients/param_infer_test.py DRIFTDB_PORT PG_PORT - parameter type
inference and protocol portals reached by SQL, side by side with
PostgreSQL 15.

Parameter types: each statement is Parsed with unspecified ($n of type 0)
parameters and Described (psycopg 3's low-level pgconn.prepare /
describe_prepared) on both servers; the parameter type OIDs and result
column types, or the error's SQLSTATE, must agree: set operations (pairwise
up their tree), VALUES (all rows at once), IN, BETWEEN, CASE, ARRAY,
COALESCE, ANY, multi-row INSERT, select lists (text, analyzed before WHERE
as PostgreSQL does: SELECT $1 FROM t WHERE $1 = 1 is 42P08), functions
over untyped arguments (abs, extract, trunc), reg* types (nextval($1),
$1::regclass: regclass), EXECUTE and PREPARE (utility statements, whose
$n are not the Parse's), and what PostgreSQL refuses (42P18 for a $n no
context types, 42P08, 42725, 42804).  A few are then run with values
(asyncpg, which encodes by the described types).

Portals: asyncpg's Cursor inside a transaction - forward() sends
MOVE FORWARD n FROM its Bind portal as SQL, fetch() / fetchrow() send
Execute with a row limit - interleaved, with one position; SQL FETCH from
a portal before and after Executes; CLOSE of a Bind portal by SQL, then an
Execute on it (34000).  FETCH / MOVE in every direction from Bind portals
(PostgreSQL's NO SCROLL portals: ABSOLUTE and RELATIVE forward work,
anything that moves back is 55000), interleaved with Executes.  Prints
"ok NAME" / "FAIL NAME" lines.
"""
import asyncio
import sys

import asyncpg
import psycopg
from psycopg import pq

import harness

DD_PORT, PG_PORT = int(sys.argv[1]), int(sys.argv[2])
SERVERS = [(DD_PORT, "test"), (PG_PORT, "postgres")]
report = harness.Report("param_infer_")

SETUP = ["DROP TABLE IF EXISTS pi_t", "CREATE TABLE pi_t (x int PRIMARY KEY, s text, b bigint, n numeric)",
         "INSERT INTO pi_t SELECT g, 'r' || g, g * 10, g / 4.0 FROM generate_series(1, 30) g",
         "DROP SEQUENCE IF EXISTS pi_seq", "CREATE SEQUENCE pi_seq", "PREPARE pi_q(int) AS SELECT $1 + 1"]

# (name, statements): each is described on both servers
DESCRIBE = [
    ("select_list", ["SELECT $1", "SELECT $1, $2", "SELECT $3, $1, $2", "SELECT lower($1), $2",
                     "SELECT $1 FROM pi_t ORDER BY 1", "SELECT x FROM pi_t ORDER BY $1", "SELECT DISTINCT $1",
                     "SELECT (SELECT $1)", "SELECT * FROM (SELECT $1) s", "WITH w AS (SELECT $1 AS a) SELECT a FROM w",
                     "UPDATE pi_t SET s = $1 WHERE x = $2 RETURNING $3"]),
    ("union", ["SELECT $1 UNION SELECT 1", "SELECT 1 UNION SELECT $1", "SELECT $1 UNION ALL SELECT 1",
               "SELECT $1 INTERSECT SELECT 1", "SELECT $1 EXCEPT SELECT 1", "SELECT $1 UNION SELECT $2",
               "SELECT $1, 'a' UNION SELECT 2, $2", "SELECT $1, $2 UNION SELECT 1.5, now()",
               "SELECT $1 UNION SELECT 1 UNION SELECT 2.5", "SELECT 1 UNION SELECT 2.5 UNION SELECT $1",
               "SELECT $1 UNION SELECT $2 UNION SELECT 1", "SELECT 'a' UNION SELECT 'b' UNION SELECT 1",
               "SELECT $1 UNION SELECT 1 INTERSECT SELECT $2", "SELECT $1 INTERSECT SELECT $2 UNION SELECT 1",
               "SELECT $1 UNION (SELECT 1 UNION SELECT 2)", "SELECT x FROM pi_t UNION SELECT $1",
               "SELECT $1 UNION SELECT 1::bigint", "SELECT $1 UNION ALL SELECT 1 LIMIT $2",
               "INSERT INTO pi_t (x, s) SELECT $1, $2 UNION ALL SELECT 3, 'c'"]),
    ("values", ["VALUES ($1), (2)", "VALUES ($1, 'a'), (2, $2)", "VALUES ($1), ($2)", "VALUES ($1)",
                "VALUES ($1), (1), (2.5)", "VALUES (1), ($1::text)", "SELECT * FROM (VALUES ($1), (2)) v(a)",
                "INSERT INTO pi_t (x, s) SELECT * FROM (VALUES ($1, $2), (3, 'c')) v"]),
    ("in_between", ["SELECT x FROM pi_t WHERE x IN ($1, $2)", "SELECT x FROM pi_t WHERE s IN ($1, $2)",
                    "SELECT $1 IN (1, 2)", "SELECT $1 IN (1, 2.5)", "SELECT $1 IN ($2, $3)",
                    "SELECT x FROM pi_t WHERE x BETWEEN $1 AND $2", "SELECT $1 BETWEEN 1 AND 2",
                    "SELECT $1 BETWEEN 1 AND 2.5", "SELECT $1 BETWEEN $2 AND 2", "SELECT $1 BETWEEN $2 AND $3"]),
    ("case_coalesce_array", ["SELECT CASE WHEN $1 THEN $2 ELSE 1 END", "SELECT CASE WHEN $1 THEN $2 END",
                             "SELECT CASE x WHEN $1 THEN 'a' ELSE 'b' END FROM pi_t",
                             "SELECT CASE $1 WHEN 1 THEN 'a' ELSE 'b' END", "SELECT CASE $1 WHEN $2 THEN 1 END",
                             "SELECT ARRAY[$1, 2]", "SELECT ARRAY[$1]", "SELECT ARRAY[$1, 2.5]",
                             "SELECT ARRAY[$1]::int[]", "SELECT COALESCE($1, 1)", "SELECT COALESCE($1, $2)",
                             "SELECT COALESCE($1, 1, 2.5)", "SELECT $1 = ANY(ARRAY[1, 2])",
                             "SELECT $1 = ANY($2)", "SELECT x = ANY($1) FROM pi_t"]),
    ("insert", ["INSERT INTO pi_t (x) VALUES ($1), ($2)", "INSERT INTO pi_t (x, s) VALUES ($1, $2), ($3, $4)",
                "INSERT INTO pi_t (x, n) VALUES ($1, $2)"]),
    ("undetermined", ["SELECT $1 IS NULL", "SELECT $2", "SELECT x FROM pi_t WHERE x = $2", "SELECT count($1)",
                      "SELECT pg_typeof($1)", "SELECT ROW($1, 1)", "SELECT concat($1, 'a')",
                      "SELECT format('%s', $1)", "SELECT jsonb_build_object('a', $1)",
                      "SELECT x FROM pi_t WHERE x = $1 AND $2 IS NULL"]),
    ("refused", ["SELECT $1, $1::int", "SELECT $1, $1 = 1", "SELECT $1 = 1, $1 = 'a'", "SELECT -$1",
                 "SELECT sum($1)", "SELECT array_agg($1)", "SELECT max($1)"]),
    # the select list is analyzed after FROM and before WHERE, GROUP BY,
    # HAVING and ORDER BY: a $n alone there is an output resolved as text
    ("select_list_order", ["SELECT $1 FROM pi_t WHERE $1 = 1", "SELECT $1 WHERE $1 = 1",
                           "SELECT $1, x FROM pi_t WHERE x = $1", "SELECT $1 AS a WHERE $1::int > 0",
                           "SELECT $1 FROM pi_t WHERE $1 = 'a'", "SELECT $1 FROM pi_t WHERE $1 = s",
                           "SELECT x FROM pi_t WHERE $1 = 1 ORDER BY $1", "SELECT $1 = 1, $1 FROM pi_t WHERE $1 = 2",
                           "SELECT $1 FROM pi_t u JOIN pi_t v ON v.x = $1",
                           "SELECT * FROM (SELECT $1 AS a FROM pi_t WHERE $1 = 1) s", "SELECT $1 FROM pi_t GROUP BY $1",
                           "SELECT $1 FROM pi_t WHERE $1 = 1 UNION SELECT 2",
                           "SELECT $1, $2 FROM pi_t WHERE $2 = b LIMIT $1", "SELECT $1 FROM pi_t WHERE x = 1 HAVING $1 > 0",
                           "SELECT $1 FROM pi_t ORDER BY $1 = 1"]),
    # untyped arguments: the preferred type of one category, or 42725
    ("functions", ["SELECT abs($1)", "SELECT abs($1::int)", "SELECT abs('-1')", "SELECT abs(NULL)",
                   "SELECT extract(year FROM $1)", "SELECT date_part('year', $1)", "SELECT extract(year FROM $1::date)",
                   "SELECT extract(year FROM 1)", "SELECT trunc($1)", "SELECT trunc($1, 2)", "SELECT round($1)"]),
    # a name read as a reg* type: ParameterDescription names the reg* type
    ("reg_types", ["SELECT nextval($1)", "SELECT currval($1)", "SELECT setval($1, 5)", "SELECT setval($1, 5, false)",
                   "SELECT nextval($1::text)", "SELECT $1::regclass", "SELECT $1::regtype", "SELECT $1::regproc",
                   "SELECT $1::regclass::oid", "SELECT pg_relation_size($1)", "SELECT pg_table_size($1)"]),
    # utility statements: no parameters of the Parse's own
    ("utility", ["EXECUTE pi_q($1)", "EXECUTE pi_q($1 + 1)", "EXECUTE pi_q(1)", "PREPARE pi_z AS SELECT $1",
                 "COPY (SELECT $1::int) TO STDOUT"]),
]


def describe(pgconn, sql):
    """(param oids, column oids) of sql Parsed with untyped parameters, or
    the error's SQLSTATE."""
    r = pgconn.prepare(b"", sql.encode())
    if r.status != pq.ExecStatus.COMMAND_OK:
        return r.error_field(pq.DiagnosticField.SQLSTATE).decode()
    d = pgconn.describe_prepared(b"")
    return ([d.param_type(i) for i in range(d.nparams)], [d.ftype(i) for i in range(d.nfields)])


def describe_all():
    results = []
    for port, db in SERVERS:
        with psycopg.connect(host="127.0.0.1", port=port, user="test", dbname=db, autocommit=True) as c:
            for q in SETUP:
                c.execute(q)
            results.append({q: describe(c.pgconn, q) for _, qs in DESCRIBE for q in qs})
    return results


# statements run with values through asyncpg (encoded by the described types)
RUN = [("SELECT $1 UNION SELECT 1 ORDER BY 1", (5,)), ("VALUES ($1, 'a'), (2, $2)", (7, "b")),
       ("SELECT x FROM pi_t WHERE x IN ($1, $2) ORDER BY x", (3, 4)),
       ("SELECT x FROM pi_t WHERE x BETWEEN $1 AND $2 ORDER BY x", (5, 7)),
       ("SELECT CASE WHEN $1 THEN $2 ELSE 1 END", (True, 9)), ("SELECT ARRAY[$1, 2]", (1,)),
       ("SELECT COALESCE($1, 1)", (None,)), ("SELECT $1 = ANY(ARRAY[1, 2])", (2,)),
       ("SELECT $1 UNION SELECT 1 UNION SELECT 2.5 ORDER BY 1", (3,)), ("SELECT $1", ("hello",)),
       ("SELECT abs($1)", (-2.5,)), ("SELECT $1::regclass::text", ("pi_t",)), ("SELECT nextval($1)", ("pi_seq",)),
       ("SELECT currval($1)", ("pi_seq",)), ("SELECT pg_relation_size($1) >= 0", ("pi_t",)),
       ("SELECT $1::regclass", ("no_such_table",))]


async def run_values(port, db):
    conn = await asyncpg.connect(host="127.0.0.1", port=port, user="test", database=db)
    try:
        out = []
        for sql, args in RUN:
            try:
                out.append([tuple(r) for r in await conn.fetch(sql, *args)])
            except asyncpg.PostgresError as e:
                out.append(e.sqlstate)
        async with conn.transaction():
            await conn.executemany("INSERT INTO pi_t (x, s) VALUES ($1, $2), ($3, $4)",
                                   [(101, "a", 102, "b"), (103, "c", 104, "d")])
            out.append([tuple(r) for r in await conn.fetch("SELECT x, s FROM pi_t WHERE x > 100 ORDER BY x")])
            raise asyncpg.exceptions._base.InterfaceError("roll back")
    except asyncpg.exceptions._base.InterfaceError:
        return out
    finally:
        await conn.close()


async def cursors(port, db):
    """asyncpg's Cursor: MOVE as SQL (forward), Execute with a row limit
    (fetch, fetchrow), in every order; FETCH and CLOSE by SQL."""
    conn = await asyncpg.connect(host="127.0.0.1", port=port, user="test", database=db)
    out = []

    def rows(rs):
        return [tuple(r) for r in rs]

    try:
        q = "SELECT x, s, n FROM pi_t WHERE x <= $1 ORDER BY x"
        async with conn.transaction():
            cur = await conn.cursor(q, 20)               # Bind, nothing run yet
            out.append(await cur.forward(3))             # MOVE on a NEW portal
            out.append(rows([await cur.fetchrow()]))     # Execute 1 -> row 4
            out.append(rows(await cur.fetch(2)))         # rows 5, 6 (PortalSuspended)
            out.append(await cur.forward(4))             # MOVE over held rows -> 7..10
            out.append(rows(await cur.fetch(3)))         # 11..13
            out.append(await cur.forward(100))           # the rest: 7 of them
            out.append(rows(await cur.fetch(5)))         # none left
            cur2 = await conn.cursor(q, 6)
            out.append(rows(await cur2.fetch(2)))        # Execute first
            out.append(await cur2.forward(1))
            out.append(rows([await cur2.fetchrow()]))
            out.append(await cur2.forward(10))           # 2 of 10
            prep = await conn.prepare("SELECT x FROM pi_t ORDER BY x")
            cur3 = await prep.cursor()
            name = cur3._portal_name
            out.append(rows(await conn.fetch('FETCH 2 FROM "%s"' % name)))   # SQL FETCH of a NEW portal
            out.append(rows(await cur3.fetch(2)))                              # Execute goes on from there
            out.append(rows(await conn.fetch('FETCH FORWARD 3 FROM "%s"' % name)))   # rows held by the server
            out.append(await conn.execute('MOVE 20 FROM "%s"' % name))
            out.append(rows(await cur3.fetch(5)))
            out.append(rows(await conn.fetch('FETCH ALL FROM "%s"' % name)))
            try:
                await conn.execute('FETCH BACKWARD 1 FROM "%s"' % name)
            except asyncpg.PostgresError as e:
                out.append(e.sqlstate)
        async with conn.transaction():
            cur4 = await conn.cursor("SELECT x FROM pi_t ORDER BY x")
            out.append(rows(await cur4.fetch(1)))
            out.append(await conn.execute('CLOSE "%s"' % cur4._portal_name))
            try:
                await cur4.fetch(1)                      # Execute on the closed portal
            except asyncpg.PostgresError as e:
                out.append(e.sqlstate)
        try:
            await conn.execute('MOVE 1 FROM "no_such_portal"')
        except asyncpg.PostgresError as e:
            out.append(e.sqlstate)
        return out
    finally:
        await conn.close()


# FETCH / MOVE by SQL from a Bind portal over the 30 rows of pi_t, and
# Executes of n rows (EXECn), each list in a transaction of its own
DIRECTIONS = [
    ["FETCH ABSOLUTE 3", "FETCH ABSOLUTE 5", "FETCH RELATIVE 2", "FETCH NEXT", "FETCH RELATIVE 1"],
    ["FETCH FIRST"], ["FETCH 2", "FETCH FIRST"], ["FETCH RELATIVE 0"], ["FETCH FORWARD 0"], ["FETCH ABSOLUTE 0"],
    ["FETCH 2", "FETCH ABSOLUTE 2"], ["FETCH 2", "FETCH ABSOLUTE 3"], ["FETCH 2", "FETCH RELATIVE 0"],
    ["FETCH 2", "FETCH ABSOLUTE 0"], ["FETCH 2", "FETCH RELATIVE -1"], ["FETCH ABSOLUTE -1"], ["FETCH LAST"],
    ["FETCH PRIOR"], ["FETCH ABSOLUTE 40", "FETCH NEXT", "FETCH ABSOLUTE 41"],
    ["FETCH ABSOLUTE 30", "FETCH ABSOLUTE 31", "FETCH ABSOLUTE 32"], ["FETCH ALL", "FETCH ABSOLUTE 30"],
    ["FETCH ALL", "FETCH RELATIVE 1", "FETCH 0"], ["FETCH 30", "FETCH RELATIVE 0"],
    ["MOVE ABSOLUTE 3", "FETCH NEXT"], ["MOVE RELATIVE 3", "FETCH NEXT"], ["MOVE 2", "MOVE RELATIVE 0", "FETCH NEXT"],
    ["MOVE RELATIVE 0"], ["MOVE ABSOLUTE 0"], ["MOVE ABSOLUTE 100", "FETCH NEXT"], ["FETCH 3", "MOVE ABSOLUTE 3"],
    ["MOVE BACKWARD ALL", "FETCH NEXT"], ["FETCH NEXT", "MOVE BACKWARD ALL"],
    ["MOVE BACKWARD 0", "FETCH NEXT", "MOVE BACKWARD 0", "FETCH BACKWARD 0"],
    ["EXEC2", "FETCH ABSOLUTE 5", "EXEC2"], ["EXEC2", "FETCH RELATIVE 2", "EXEC2"], ["EXEC2", "FETCH RELATIVE 0"],
    ["EXEC2", "FETCH ABSOLUTE 2"], ["EXEC2", "FETCH ABSOLUTE 3"], ["EXEC2", "MOVE RELATIVE 0", "FETCH ABSOLUTE 7"],
    ["EXEC2", "EXEC2", "FETCH ABSOLUTE 4"], ["FETCH ABSOLUTE 3", "EXEC2", "FETCH RELATIVE 0"],
    ["EXEC30", "FETCH RELATIVE 0"], ["EXEC30", "EXEC2", "MOVE RELATIVE 0", "FETCH ABSOLUTE 31"],
    ["EXEC100", "FETCH RELATIVE 1", "MOVE 0", "FETCH 0"],
]


async def fetch_directions(port, db):
    conn = await asyncpg.connect(host="127.0.0.1", port=port, user="test", database=db)
    out = []
    try:
        for cmds in DIRECTIONS:
            got = []
            tr = conn.transaction()
            await tr.start()
            try:
                cur = await conn.cursor("SELECT x FROM pi_t WHERE x <= $1 ORDER BY x", 30)
                for cmd in cmds:
                    if cmd.startswith("EXEC"):
                        got.append([r[0] for r in await cur.fetch(int(cmd[4:]))])
                    elif cmd.startswith("MOVE"):
                        got.append(await conn.execute('%s FROM "%s"' % (cmd, cur._portal_name)))
                    else:
                        got.append([r[0] for r in await conn.fetch('%s FROM "%s"' % (cmd, cur._portal_name))])
            except asyncpg.PostgresError as e:
                got.append(e.sqlstate)
            finally:
                await tr.rollback()
            out.append(got)
        return out
    finally:
        await conn.close()


def main():
    try:
        dd, pg = describe_all()
        for name, qs in DESCRIBE:
            diffs = ["%s\n  driftdb:  %r\n  postgres: %r" % (q, dd[q], pg[q]) for q in qs if dd[q] != pg[q]]
            report.check(name, not diffs, "\n".join(diffs))
    except Exception:
        report.failed("describe")
    for name, fn in [("run_with_values", run_values), ("asyncpg_cursor", cursors), ("fetch_directions", fetch_directions)]:
        try:
            got = [asyncio.run(fn(port, db)) for port, db in SERVERS]
            report.check(name, got[0] == got[1], "driftdb:  %r\npostgres: %r" % (got[0], got[1]))
        except Exception:
            report.failed(name)
    return 1 if report.fails else 0


if __name__ == "__main__":
    sys.exit(main())
