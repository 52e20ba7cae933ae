#!/usr/bin/python3
"""tests/clients/psql_catalog_test.py DRIFTDB_PORT PG_PORT - psql's
meta-commands (\\d, \\dt, \\di, \\dv, \\ds, \\dn, \\dT, \\du, \\d TABLE, \\d+ TABLE,
\\dfS and \\sf of built-in functions)
print on driftdb-server exactly what they print on a real PostgreSQL 15
for the same schema, and pg_catalog read at a past point describes the
schema of that point (docs/catalogs.md).

Both servers are shared with other tests, so the schema lives in a schema
of its own (catcmp) and the commands name it.  Both connect as user
"test", so owners print alike.  CHECK constraints, defaults and index
expressions print with the casts PostgreSQL shows (`total >= 0::numeric`,
`lower(note::text)`), as src/sql/plan/deparse.c prints them.
Prints "ok NAME" / "FAIL NAME" lines.
"""
import os
import subprocess
import sys
import time

import psycopg2

import harness

DD_PORT, PG_PORT = int(sys.argv[1]), int(sys.argv[2])

SCHEMA = """
CREATE SCHEMA catcmp;
CREATE TABLE catcmp.customers (id int PRIMARY KEY, email text UNIQUE, name text NOT NULL DEFAULT 'anon',
    joined date, score numeric(10,2), tags text[]);
CREATE TABLE catcmp.orders (id bigserial PRIMARY KEY, cust int NOT NULL REFERENCES catcmp.customers (id) ON DELETE CASCADE,
    placed timestamptz DEFAULT now(), note varchar(40), total double precision, flag boolean, ch char(3));
CREATE INDEX orders_placed ON catcmp.orders (placed DESC, cust);
CREATE INDEX orders_note ON catcmp.orders (note);
CREATE UNIQUE INDEX customers_name_joined ON catcmp.customers (name, joined);
CREATE VIEW catcmp.big_orders AS SELECT id, cust FROM catcmp.orders;
CREATE SEQUENCE catcmp.tickets;
CREATE TYPE catcmp.mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE catcmp.people (name text, m catcmp.mood, at timestamp(3), span interval);
CREATE TABLE catcmp.priced (id int PRIMARY KEY, total numeric(12,2) NOT NULL DEFAULT 0 CHECK (total >= 0),
    note varchar(40) CHECK (note <> ''), qty bigint DEFAULT -1, status text DEFAULT 'new' CHECK (status IN ('new', 'done')),
    due date DEFAULT current_date, at timestamptz DEFAULT now() + interval '1 day', ratio float8 CHECK (ratio BETWEEN 0 AND 1),
    CHECK (qty > 0 OR status = 'new'));
CREATE INDEX priced_note ON catcmp.priced (lower(note));
CREATE INDEX priced_open ON catcmp.priced (due) WHERE status <> 'done' AND qty > 0;
CREATE INDEX priced_sum ON catcmp.priced ((total * 2 + 1));
CREATE VIEW catcmp.cust_totals AS SELECT c.id, c.name, count(o.id) AS orders, sum(o.total) AS spent
    FROM catcmp.customers c LEFT JOIN catcmp.orders o ON o.cust = c.id WHERE c.score > 0 GROUP BY c.id, c.name;
COMMENT ON TABLE catcmp.customers IS 'who buys';
COMMENT ON COLUMN catcmp.customers.email IS 'login';
"""

COMMANDS = [
    r"\dt catcmp.*", r"\d catcmp.*", r"\di catcmp.*", r"\dv catcmp.*", r"\ds catcmp.*", r"\dn catcmp",
    r"\dT catcmp.*", r"\du test", r"\d catcmp.customers", r"\d+ catcmp.customers", r"\d catcmp.orders",
    r"\d catcmp.people", r"\d catcmp.big_orders", r"\d catcmp.tickets", r"\d catcmp.orders_placed",
    r"\d catcmp.customers_pkey", r"\d catcmp.priced", r"\d+ catcmp.priced", r"\d catcmp.priced_open", r"\d+ catcmp.big_orders", r"\d+ catcmp.cust_totals", r"\dn+ catcmp", r"\dn+ public", r"\dp catcmp.*", r"\dT+ catcmp.*", r"\df catcmp.*", r"\dO", r"\dX",
    r"\dfS abs", r"\dfS now", r"\dfS generate_series", r"\sf abs(integer)",
]


TAB_COMPLETION = [
    ("relations", "SELECT c.relname, n.nspname FROM pg_catalog.pg_class c, pg_catalog.pg_namespace n WHERE "
                  "c.relnamespace = n.oid AND c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p') AND (c.relname) LIKE 'cu%' "
                  "AND n.nspname = 'catcmp' LIMIT 1000"),
    ("columns", "SELECT a.attname, NULL::pg_catalog.text FROM pg_catalog.pg_attribute a, pg_catalog.pg_class c "
                "WHERE c.oid = a.attrelid and a.attnum > 0 and not a.attisdropped AND (a.attname) LIKE '%' AND "
                "c.relname = 'customers' AND c.relnamespace = 'catcmp'::regnamespace LIMIT 1000"),
    ("catalog", "SELECT c.relname, n.nspname FROM pg_catalog.pg_class c, pg_catalog.pg_namespace n WHERE "
                "c.relnamespace = n.oid AND c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p') AND (c.relname) LIKE "
                "'pg\\_att%' AND n.nspname = 'pg_catalog' LIMIT 1000"),
    ("schemas", "SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'catc%' "
                "AND n.nspname NOT LIKE E'pg\\\\_%' LIMIT 1000"),
]


def psql(port, db, args):
    env = dict(os.environ, PGPASSWORD="", PGOPTIONS="")
    r = subprocess.run(["psql", "-X", "-h", "127.0.0.1", "-p", str(port), "-U", "test", "-d", db] + args,
                       capture_output=True, text=True, env=env, timeout=60)
    return r.stdout + r.stderr


check = harness.Report("psql_catalog_").check


def main():
    # PostgreSQL: a database of our own; DriftDB: its one database
    subprocess.run(["psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "test", "-d", "postgres",
                    "-c", "DROP DATABASE IF EXISTS catcmp"], capture_output=True)
    subprocess.run(["psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "test", "-d", "postgres",
                    "-c", "CREATE DATABASE catcmp"], capture_output=True)
    for port, db in ((PG_PORT, "catcmp"), (DD_PORT, "test")):
        out = psql(port, db, ["-q", "-v", "ON_ERROR_STOP=1", "-c", SCHEMA])
        check("schema_%s" % ("postgres" if port == PG_PORT else "driftdb"), out.strip() == "", out)
    for c in COMMANDS:
        a = psql(PG_PORT, "catcmp", ["-c", c])
        b = psql(DD_PORT, "test", ["-c", c])
        check(c.replace("\\", "").replace(" ", "_").replace("*", "all"), a == b,
              "--- postgres\n" + a + "--- driftdb\n" + b)

    # \l, \dx and \dconfig differ by design (one database, no plpgsql, the
    # session's settings: docs/catalogs.md); they run and list what
    # DriftDB has
    for c, header, must in ((r"\l", "List of databases", " test "), (r"\dx", "List of installed extensions", "(0 rows)"),
                            (r"\dconfig", "List of non-default configuration parameters", "application_name")):
        b = psql(DD_PORT, "test", ["-c", c])
        check(c.replace("\\", "") + "_runs", "ERROR" not in b and header in b and must in b, b)

    # psql's tab completion: the queries it sends for a schema's relations,
    # for a table's columns, and for pg_catalog's (as psql 15 writes them)
    for name, q in TAB_COMPLETION:
        a = psql(PG_PORT, "catcmp", ["-At", "-c", q])
        b = psql(DD_PORT, "test", ["-At", "-c", q])
        check("tab_" + name, sorted(a.splitlines()) == sorted(b.splitlines()), "--- postgres\n" + a + "--- driftdb\n" + b)

    # The catalog at a past point: pg_attribute AS OF the commit before an
    # ALTER lists the columns of then, and drift.system_time makes \d show
    # the past schema.
    con = harness.connect(DD_PORT)
    con.autocommit = True
    cur = con.cursor()
    cur.execute("CREATE TABLE catcmp.evolving (id int PRIMARY KEY, a text)")
    cur.execute("SELECT max(seq) FROM drift_commits")
    before = cur.fetchone()[0]
    cur.execute("ALTER TABLE catcmp.evolving ADD COLUMN b int")
    cur.execute("ALTER TABLE catcmp.evolving RENAME COLUMN a TO a2")
    q = ("SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_catalog.pg_attribute %s "
         "WHERE attrelid = 'catcmp.evolving'::regclass AND attnum > 0")
    cur.execute(q % "")
    check("attributes_now", cur.fetchone()[0] == "id,a2,b")
    cur.execute(q % ("FOR SYSTEM_TIME AS OF @SEQ:%d" % before))
    check("attributes_as_of", cur.fetchone()[0] == "id,a")
    cur.execute("SELECT count(*) FROM pg_class FOR SYSTEM_TIME AS OF @SEQ:%d WHERE relname = 'evolving'" % (before - 1))
    check("class_before_create", cur.fetchone()[0] == 0)
    out = psql(DD_PORT, "test", ["-c", "SET drift.system_time = '@SEQ:%d'" % before, "-c", r"\d catcmp.evolving"])
    check("d_at_system_time", " a      | text    |" in out and " b " not in out and "a2" not in out, out)
    out = psql(DD_PORT, "test", ["-c", r"\d catcmp.evolving"])
    check("d_now", " a2     | text    |" in out and " b      | integer |" in out, out)

    # reg* types: names both ways, numbers, errors
    cur.execute("SELECT 'catcmp.customers'::regclass::oid = c.oid, 'catcmp.customers'::regclass::text, "
                "'integer'::regtype::oid, 23::regtype::text, 'pg_class'::regclass::oid, "
                "to_regclass('catcmp.nosuch'), 'catcmp'::regnamespace::oid = n.oid "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relname = 'customers' AND n.nspname = 'catcmp'")
    check("reg_types", cur.fetchone() == (True, "catcmp.customers", 23, "integer", 1259, None, True))
    try:
        cur.execute("SELECT 'catcmp.nosuch'::regclass")
        check("regclass_missing", False, "no error")
    except psycopg2.Error as e:
        check("regclass_missing", e.pgcode == "42P01", str(e))
    cur.execute("SELECT a OPERATOR(pg_catalog.~) '^c', 'x' COLLATE pg_catalog.default FROM (VALUES ('cat')) v(a)")
    check("qualified_operator", cur.fetchone() == (True, "x"))
    # pg_stat_activity: another session idle in a transaction, with its
    # last statement, beside this one running
    other = harness.connect(DD_PORT, application_name="catcmp_other")
    ocur = other.cursor()   # psycopg2 opens a transaction: idle in transaction after it
    ocur.execute("SELECT 42")
    cur.execute("SELECT state, query, xact_start IS NOT NULL, backend_start <= query_start FROM pg_stat_activity "
                "WHERE application_name = 'catcmp_other'")
    check("stat_activity_other", cur.fetchall() == [("idle in transaction", "SELECT 42", True, True)])
    cur.execute("SELECT state, query FROM pg_stat_activity WHERE pid = pg_backend_pid()")
    row = cur.fetchone()
    check("stat_activity_self", row is not None and row[0] == "active" and "pg_backend_pid()" in row[1], repr(row))
    other.close()
    # the server ends the session when it reads the client's Terminate: wait for it
    left = 1
    for _ in range(100):
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'catcmp_other'")
        left = cur.fetchone()[0]
        if left == 0:
            break
        time.sleep(0.05)
    check("stat_activity_closed", left == 0)
    con.close()
    subprocess.run(["psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "test", "-d", "postgres",
                    "-c", "DROP DATABASE IF EXISTS catcmp"], capture_output=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:   # a crash is a failure, not a silent pass
        check("crashed", False, repr(e))
