#!/usr/bin/python3
"""tests/clients/pg_dump_test.py DRIFTDB_PORT PG_PORT - pg_dump and
pg_restore of a DriftDB database (docs/catalogs.md).

A schema of its own (dumpx) on the running driftdb-server is dumped with
PostgreSQL 15's pg_dump, in plain and custom format, and restored into the
PostgreSQL 15 that run.sh started (psql -f, pg_restore) and into a fresh
driftdb-server this test starts.  Every copy must hold the same tables,
columns and types, constraints, indexes, sequence values, comments, view
answers and rows as the original.  pg_dumpall --globals-only runs too,
and a whole database's dump (no -n) and pg_dumpall of a fresh DriftDB.
Prints "ok NAME" / "FAIL NAME" lines.
"""
import os
import shutil
import subprocess
import sys
import tempfile

import psycopg2

import harness

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "planner"))
import servers  # noqa: E402

DD_PORT, PG_PORT = int(sys.argv[1]), int(sys.argv[2])
BUILD = os.environ.get("BUILD", "build")

SCHEMA = r"""
CREATE SCHEMA dumpx;
CREATE TYPE dumpx.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN dumpx.posint AS integer CHECK (VALUE > 0);
CREATE SEQUENCE dumpx.tickets START 100 INCREMENT 5;
CREATE TABLE dumpx.customers (id serial PRIMARY KEY, email text NOT NULL UNIQUE, name varchar(40) DEFAULT 'anon',
    joined date, score numeric(8,2) CHECK (score >= 0), m dumpx.mood DEFAULT 'ok', tags text[], doc jsonb,
    raw bytea, u uuid, at timestamptz, flag boolean DEFAULT true);
CREATE TABLE dumpx.orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, cust int NOT NULL
    REFERENCES dumpx.customers (id) ON DELETE CASCADE, qty dumpx.posint NOT NULL, price numeric(10,2),
    total numeric(12,2) GENERATED ALWAYS AS (qty * price) STORED, note text, ticket int DEFAULT nextval('dumpx.tickets'),
    UNIQUE (cust, ticket));
CREATE INDEX orders_note ON dumpx.orders (note);
CREATE INDEX orders_price_desc ON dumpx.orders (price DESC NULLS LAST);
CREATE INDEX customers_lower_email ON dumpx.customers (lower(email));
CREATE VIEW dumpx.big AS SELECT o.id, c.email, o.qty FROM dumpx.orders o JOIN dumpx.customers c ON c.id = o.cust WHERE o.qty > 10;
SET search_path = dumpx, public;
CREATE VIEW small AS SELECT o.id, c.email FROM orders o JOIN customers c ON c.id = o.cust WHERE o.qty <= 10;
RESET search_path;
COMMENT ON TABLE dumpx.customers IS 'who buys';
COMMENT ON COLUMN dumpx.orders.note IS 'free text';
INSERT INTO dumpx.customers (email, name, joined, score, m, tags, doc, raw, u, at) VALUES
    ('a@x', 'Ann', '2024-01-02', 1.5, 'happy', '{a,"b c"}', '{"k": [1, 2]}', '\x00ff', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-05-06 07:08:09+00'),
    ('b@x', E'tab\there\nnewline \\ back', NULL, NULL, 'sad', '{}', 'null', '', NULL, NULL),
    ('c@x', 'Zoë ✓', '1999-12-31', 0, NULL, NULL, '"s"', NULL, NULL, '1970-01-01 00:00:00+00');
INSERT INTO dumpx.orders (cust, qty, price, note) VALUES (1, 5, 1.50, 'first'), (2, 20, 3.00, NULL), (1, 11, 0.10, 'x''y');
SELECT nextval('dumpx.tickets');
"""

TABLES = ["dumpx.customers", "dumpx.orders"]
QUERIES = {
    "columns": "SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
               "a.attidentity, a.attgenerated FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
               "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'dumpx' AND c.relkind IN ('r', 'v') "
               "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, 2",
    "constraints": "SELECT conname, contype, conrelid::regclass::text FROM pg_constraint "
                   "WHERE connamespace = 'dumpx'::regnamespace ORDER BY 1",
    "indexes": "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = 'dumpx' ORDER BY 1",
    "constraint_defs": "SELECT conname, pg_get_constraintdef(oid, false), pg_get_constraintdef(oid, true) "
                       "FROM pg_constraint WHERE connamespace = 'dumpx'::regnamespace ORDER BY 1",
    # defaults and generation expressions, plain and pretty
    "defaults": "SELECT d.adrelid::regclass::text, d.adnum, pg_get_expr(d.adbin, d.adrelid), "
                "pg_get_expr(d.adbin, d.adrelid, true) FROM pg_attrdef d JOIN pg_attribute a "
                "ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid IN ('dumpx.customers'::regclass, "
                "'dumpx.orders'::regclass) ORDER BY 1, 2",
    "view_defs": "SELECT viewname, definition, pg_get_viewdef((schemaname || '.' || viewname)::regclass, true) FROM pg_views "
                 "WHERE schemaname = 'dumpx' ORDER BY 1",
    "sequences": "SELECT sequencename, last_value, start_value, increment_by FROM pg_sequences "
                 "WHERE schemaname = 'dumpx' ORDER BY 1",
    "comments": "SELECT obj_description('dumpx.customers'::regclass, 'pg_class'), "
                "col_description('dumpx.orders'::regclass, 6)",
    "view": "SELECT * FROM dumpx.big ORDER BY 1",
    "view_unqualified": "SELECT * FROM dumpx.small ORDER BY 1",
    "enum": "SELECT enumlabel FROM pg_enum WHERE enumtypid = 'dumpx.mood'::regtype ORDER BY enumsortorder",
}
for t in TABLES:
    QUERIES["rows " + t] = "SELECT * FROM %s ORDER BY 1" % t


check = harness.Report("pg_dump_").check


def run(args, **kw):
    env = dict(os.environ, PGPASSWORD="", PGOPTIONS="")
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=120, **kw)


def snapshot(port, db):
    con = harness.connect(port, db)
    con.autocommit = True
    cur = con.cursor()
    out = {}
    for name, q in QUERIES.items():
        try:
            cur.execute(q)
            out[name] = [tuple(bytes(v).hex() if isinstance(v, memoryview) else str(v) for v in r)
                         for r in cur.fetchall()]
        except psycopg2.Error as e:
            out[name] = "error: %s" % e
    con.close()
    return out


def compare(label, a, b):
    bad = [k for k in a if a[k] != b.get(k)]
    check(label, not bad, "\n".join("%s:\n  original %s\n  copy     %s" % (k, a[k], b.get(k)) for k in bad))


def main():
    r = run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(DD_PORT), "-U", "test",
             "-d", "test", "-c", SCHEMA])
    check("schema", r.returncode == 0, r.stderr)
    original = snapshot(DD_PORT, "test")
    check("snapshot", not any(isinstance(v, str) for v in original.values()), original)
    tmp = tempfile.mkdtemp(prefix="driftdb-dump.")
    plain, custom = os.path.join(tmp, "dump.sql"), os.path.join(tmp, "dump.custom")
    r = run(["pg_dump", "-h", "127.0.0.1", "-p", str(DD_PORT), "-U", "test", "-d", "test", "-n", "dumpx", "-f", plain])
    check("plain", r.returncode == 0, r.stderr)
    r = run(["pg_dump", "-Fc", "-h", "127.0.0.1", "-p", str(DD_PORT), "-U", "test", "-d", "test", "-n", "dumpx",
             "-f", custom])
    check("custom", r.returncode == 0, r.stderr)
    r = run(["pg_dumpall", "--globals-only", "-h", "127.0.0.1", "-p", str(DD_PORT), "-U", "test"])
    check("dumpall_globals", r.returncode == 0 and "CREATE ROLE" in r.stdout, r.stderr)

    # into PostgreSQL 15: the plain dump through psql, the custom one through pg_restore
    pg = ["-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "test"]
    for db in ("dumpplain", "dumpcustom"):
        run(["psql", "-X", "-q"] + pg + ["-d", "postgres", "-c", "DROP DATABASE IF EXISTS %s" % db])
        run(["psql", "-X", "-q"] + pg + ["-d", "postgres", "-c", "CREATE DATABASE %s" % db])
    r = run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"] + pg + ["-d", "dumpplain", "-f", plain])
    check("restore_plain_postgres", r.returncode == 0, r.stderr)
    compare("same_in_postgres_plain", original, snapshot(PG_PORT, "dumpplain"))
    r = run(["pg_restore", "--exit-on-error"] + pg + ["-d", "dumpcustom", custom])
    check("restore_custom_postgres", r.returncode == 0, r.stderr)
    compare("same_in_postgres_custom", original, snapshot(PG_PORT, "dumpcustom"))
    for db in ("dumpplain", "dumpcustom"):
        run(["psql", "-X", "-q"] + pg + ["-d", "postgres", "-c", "DROP DATABASE IF EXISTS %s" % db])

    # a directory dump by two workers (pg_export_snapshot, SET TRANSACTION
    # SNAPSHOT): the same snapshot in each, restored into PostgreSQL alike
    dirdump = os.path.join(tmp, "dir")
    r = run(["pg_dump", "-Fd", "-j", "2", "-h", "127.0.0.1", "-p", str(DD_PORT), "-U", "test", "-d", "test",
             "-n", "dumpx", "-f", dirdump])
    check("directory_jobs", r.returncode == 0, r.stderr)
    run(["psql", "-X", "-q"] + pg + ["-d", "postgres", "-c", "DROP DATABASE IF EXISTS dumpdir"])
    run(["psql", "-X", "-q"] + pg + ["-d", "postgres", "-c", "CREATE DATABASE dumpdir"])
    r = run(["pg_restore", "--exit-on-error"] + pg + ["-d", "dumpdir", dirdump])
    check("restore_directory_postgres", r.returncode == 0, r.stderr)
    compare("same_in_postgres_directory", original, snapshot(PG_PORT, "dumpdir"))
    run(["psql", "-X", "-q"] + pg + ["-d", "postgres", "-c", "DROP DATABASE IF EXISTS dumpdir"])
    shutil.rmtree(dirdump, ignore_errors=True)

    # into a fresh DriftDB
    dd = servers.driftdb(BUILD)
    try:
        r = run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(dd.port), "-U", "test",
                 "-d", "test", "-f", plain])
        check("restore_plain_driftdb", r.returncode == 0, r.stderr)
        compare("same_in_driftdb", original, snapshot(dd.port, "test"))
        # the restored identity and serial columns go on from the dumped values
        con = harness.connect(dd.port)
        con.autocommit = True
        cur = con.cursor()
        cur.execute("INSERT INTO dumpx.customers (email) VALUES ('d@x') RETURNING id")
        check("serial_continues", cur.fetchone()[0] == 4)
        cur.execute("INSERT INTO dumpx.orders (cust, qty, price) VALUES (4, 1, 1) RETURNING id, ticket")
        check("identity_continues", cur.fetchone() == (4, 120))
        con.close()
    finally:
        dd.stop()
    # the custom format into a fresh DriftDB, through pg_restore
    dd = servers.driftdb(BUILD)
    try:
        r = run(["pg_restore", "--exit-on-error", "-h", "127.0.0.1", "-p", str(dd.port), "-U", "test", "-d", "test",
                 custom])
        check("restore_custom_driftdb", r.returncode == 0, r.stderr)
        compare("same_in_driftdb_custom", original, snapshot(dd.port, "test"))
    finally:
        dd.stop()
    # a whole database (no -n) and pg_dumpall, of a fresh DriftDB holding
    # the schema: the dump restores into PostgreSQL alike, pg_dumpall holds
    # the roles, the tables and their rows
    whole = os.path.join(tmp, "whole.sql")
    dd = servers.driftdb(BUILD)
    try:
        r = run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(dd.port), "-U", "test",
                 "-d", "test", "-c", SCHEMA])
        check("whole_schema", r.returncode == 0, r.stderr)
        fresh = snapshot(dd.port, "test")
        r = run(["pg_dump", "-h", "127.0.0.1", "-p", str(dd.port), "-U", "test", "-d", "test", "-f", whole])
        check("whole_dump", r.returncode == 0, r.stderr)
        r = run(["pg_dumpall", "-h", "127.0.0.1", "-p", str(dd.port), "-U", "test"])
        check("dumpall", r.returncode == 0 and "CREATE ROLE test" in r.stdout and
              "CREATE TABLE dumpx.customers" in r.stdout and "COPY dumpx.orders" in r.stdout, r.stderr)
    finally:
        dd.stop()
    run(["psql", "-X", "-q"] + pg + ["-d", "postgres", "-c", "DROP DATABASE IF EXISTS dumpwhole"])
    run(["psql", "-X", "-q"] + pg + ["-d", "postgres", "-c", "CREATE DATABASE dumpwhole"])
    r = run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"] + pg + ["-d", "dumpwhole", "-f", whole])
    check("restore_whole_postgres", r.returncode == 0, r.stderr)
    compare("same_in_postgres_whole", fresh, snapshot(PG_PORT, "dumpwhole"))
    run(["psql", "-X", "-q"] + pg + ["-d", "postgres", "-c", "DROP DATABASE IF EXISTS dumpwhole"])
    for f in (plain, custom, whole):
        if os.path.exists(f):
            os.remove(f)
    os.rmdir(tmp)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:   # a crash is a failure, not a silent pass
        check("crashed", False, repr(e))
