#!/usr/bin/python3
"""tests/clients/type_introspection_test.py DRIFTDB_PORT PG_PORT - the
drivers' type introspection reads DriftDB's catalogs as PostgreSQL 15's
(docs/catalogs.md): psycopg 3's TypeInfo, EnumInfo and CompositeInfo
(`$1::regtype`, 42704 for an unknown name read as None) with
register_enum, and asyncpg's introspection of enum and enum-array results
and parameters, and RowDescription's table OID and column number (simple
and extended protocol).  Both servers must give the same answers.
Prints "ok NAME" / "FAIL NAME" lines.
"""
import asyncio
import sys

import harness

DD_PORT, PG_PORT = int(sys.argv[1]), int(sys.argv[2])
check = harness.Report("type_introspection_").check


def psycopg_side(port, db):
    import psycopg
    from psycopg.types import TypeInfo
    from psycopg.types.composite import CompositeInfo
    from psycopg.types.enum import EnumInfo, register_enum
    out = {}
    with psycopg.connect(host="127.0.0.1", port=port, user="test", dbname=db, autocommit=True) as c:
        for stmt in ("DROP SCHEMA IF EXISTS tix CASCADE", "CREATE SCHEMA tix",
                     "CREATE TYPE tix.mood AS ENUM ('sad', 'ok', 'happy')", "CREATE TABLE tix.pt (x int, y text)",
                     "CREATE TABLE tix.t (id int PRIMARY KEY, m tix.mood, ms tix.mood[])",
                     "INSERT INTO tix.t VALUES (1, 'ok', '{sad,happy}')"):
            c.execute(stmt)
        ti = TypeInfo.fetch(c, "int4")
        out["int4"] = (ti.oid, ti.array_oid)
        ti = TypeInfo.fetch(c, "timestamptz")
        out["timestamptz"] = (ti.oid, ti.array_oid, ti.name)
        out["unknown"] = TypeInfo.fetch(c, "nosuchtype")
        ei = EnumInfo.fetch(c, "tix.mood")
        out["enum"] = (ei.name, ei.labels, ei.array_oid != 0)
        register_enum(ei, c)
        m, ms = c.execute("SELECT m, ms FROM tix.t").fetchone()
        out["enum_values"] = (m.name, [x.name for x in ms])
        ci = CompositeInfo.fetch(c, "tix.pt")
        out["composite"] = (ci.name, ci.field_names, [int(t) for t in ci.field_types])
        # RowDescription: a bare column of a table names the table and the
        # column's number (after a dropped column too); expressions, unions
        # and constants name none (JDBC's ResultSetMetaData reads them)
        c.execute("CREATE TABLE tix.rd (id int PRIMARY KEY, gone text, b int)")
        c.execute("ALTER TABLE tix.rd DROP COLUMN gone")
        c.execute("ALTER TABLE tix.rd ADD COLUMN c text")
        c.execute("CREATE VIEW tix.rdv AS SELECT c, id FROM tix.rd")
        for q in ("SELECT id, b, c, 1 AS one, b + 1 FROM tix.rd", "SELECT r.c, s.id FROM tix.rd r JOIN tix.rd s ON r.id = s.id",
                  "SELECT id FROM tix.rd UNION SELECT 1", "SELECT x.c FROM (SELECT c FROM tix.rd) x",
                  "SELECT id, c FROM tix.rdv", "SELECT count(*), b FROM tix.rd GROUP BY b",
                  # system relations' columns name them too (tables and views)
                  "SELECT relname, relkind, oid, tableoid FROM pg_catalog.pg_class LIMIT 1",
                  "SELECT n.nspname, t.typname, t.typlen FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace LIMIT 1",
                  "SELECT schemaname, tablename FROM pg_tables LIMIT 1", "SELECT rolname FROM pg_roles LIMIT 1",
                  "SELECT x.attname FROM (SELECT attname FROM pg_attribute) x LIMIT 1",
                  "SELECT table_name, column_name FROM information_schema.columns LIMIT 1",
                  "SELECT relkind, count(*) FROM pg_class GROUP BY relkind"):
            for prepare in (False, True):
                res = c.execute(q, prepare=prepare).pgresult
                oid = c.execute("SELECT 'tix.rd'::regclass::oid").fetchone()[0]
                voi = c.execute("SELECT 'tix.rdv'::regclass::oid").fetchone()[0]
                def name(o):
                    # a system relation by its name (information_schema's
                    # OIDs differ between servers)
                    return c.execute("SELECT %s::oid::regclass::text", (o,)).fetchone()[0]
                out["rowdescription %s %s" % (q, prepare)] = [
                    ("rd" if res.ftable(i) == oid else "rdv" if res.ftable(i) == voi
                     else name(res.ftable(i)) if res.ftable(i) else 0, res.ftablecol(i)) for i in range(res.nfields)]
    return out


async def asyncpg_side(port, db):
    import asyncpg
    con = await asyncpg.connect(host="127.0.0.1", port=port, user="test", database=db)
    try:
        r = await con.fetchrow("SELECT m, ms FROM tix.t")
        p = await con.fetchval("SELECT $1::tix.mood", "happy")
        out = {"asyncpg_enum": (r["m"], list(r["ms"]), p)}
        # parameters no cast types, where an enum or an enum array is
        # wanted: ParameterDescription names the enum (its array), and
        # asyncpg's binary values are read as labels
        for q, args in (("SELECT count(*) FROM tix.t WHERE m = $1", ("ok",)),
                        ("SELECT id FROM tix.t WHERE m <> $1 ORDER BY id", ("sad",)),
                        ("SELECT count(*) FROM tix.t WHERE m = ANY($1)", (["ok", "happy"],)),
                        ("SELECT count(*) FROM tix.t WHERE ms = $1", (["sad", "happy"],)),
                        ("INSERT INTO tix.t VALUES (2, $1, $2) RETURNING m, ms", ("happy", ["ok"])),
                        ("DELETE FROM tix.t WHERE id = 2", ())):
            try:
                out["asyncpg_enum_param %s" % q] = [tuple(x) for x in await con.fetch(q, *args)]
            except Exception as e:
                out["asyncpg_enum_param %s" % q] = "%s: %s" % (type(e).__name__, e)
        return out
    finally:
        await con.close()


def main():
    results = []
    for port, db in ((DD_PORT, "test"), (PG_PORT, "postgres")):
        out = psycopg_side(port, db)
        out.update(asyncio.run(asyncpg_side(port, db)))
        results.append(out)
    dd, pg = results
    for k in pg:
        check(k, dd.get(k) == pg[k], "postgres %s\ndriftdb  %s" % (pg[k], dd.get(k)))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:   # a crash is a failure, not a silent pass
        check("crashed", False, repr(e))
