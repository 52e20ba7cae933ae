#!/usr/bin/python3
"""tests/clients/privilege_messages_test.py DRIFTDB_PORT PG_PORT - what a
role without SELECT learns from DriftDB, side by side with PostgreSQL 15.

The same statements run on both servers (as the superuser "test", with
SET ROLE to the roles under test) and each must give the same outcome:
SQLSTATE, message, DETAIL and the WARNINGs before it.  What is compared:
INSERT ... ON CONFLICT with a target reads (SELECT), row locks need
UPDATE (FOR SHARE included), a violated constraint's DETAIL shows only
the values the role may read or gave itself (23505's key, 23503's key,
23502 / 23514's failing row), pg_stats lists only readable tables,
ANALYZE skips the tables the role does not own with a WARNING each, and a
session's roles are held by id (a rename, or a new role under the old
name, does not change who the session is).
Prints "ok NAME" / "FAIL NAME" lines.
"""
import sys

import psycopg2

import harness

DD_PORT, PG_PORT = int(sys.argv[1]), int(sys.argv[2])

ROLES = ("pm_u", "pm_a", "pm_b", "pm_g", "pm_g_old")
TABLES = ("pm_t", "pm_s", "pm_d", "pm_dc", "pm_dp", "pm_an1", "pm_an2", "pm_secret", "pm_own")

SETUP = """
CREATE ROLE pm_u;
CREATE TABLE pm_t (a int PRIMARY KEY, b int);
CREATE TABLE pm_s (a int PRIMARY KEY, b int);
INSERT INTO pm_s VALUES (1, 1);
CREATE TABLE pm_d (a int PRIMARY KEY, b int CHECK (b > 0), c text NOT NULL, e int UNIQUE);
INSERT INTO pm_d VALUES (1, 1, 'x', 1);
CREATE TABLE pm_dp (a int PRIMARY KEY);
INSERT INTO pm_dp VALUES (1);
CREATE TABLE pm_dc (a int REFERENCES pm_dp);
INSERT INTO pm_dc VALUES (1);
CREATE TABLE pm_an1 (a int, b text);
CREATE TABLE pm_an2 (a int);
INSERT INTO pm_an1 SELECT g, 'x' || g FROM generate_series(1, 50) g;
INSERT INTO pm_an2 SELECT g FROM generate_series(1, 50) g;
ANALYZE pm_an1, pm_an2
"""

# (name, statements): each statement's outcome is compared
CASES = [
    ("on_conflict_insert_only", [
        "GRANT INSERT ON pm_t TO pm_u", "SET ROLE pm_u",
        "INSERT INTO pm_t VALUES (1, 1)",
        "INSERT INTO pm_t VALUES (1, 2) ON CONFLICT DO NOTHING",
        "INSERT INTO pm_t VALUES (1, 2) ON CONFLICT (a) DO NOTHING",
        "INSERT INTO pm_t VALUES (1, 2) ON CONFLICT ON CONSTRAINT pm_t_pkey DO NOTHING",
        "RESET ROLE"]),
    ("on_conflict_insert_update", [
        "GRANT UPDATE ON pm_t TO pm_u", "SET ROLE pm_u",
        "INSERT INTO pm_t VALUES (1, 2) ON CONFLICT (a) DO UPDATE SET b = 5",
        "INSERT INTO pm_t VALUES (1, 2) ON CONFLICT (a) DO UPDATE SET b = excluded.b",
        "INSERT INTO pm_t VALUES (1, 2) ON CONFLICT DO NOTHING",
        "RESET ROLE"]),
    ("on_conflict_with_select", [
        "GRANT SELECT ON pm_t TO pm_u", "SET ROLE pm_u",
        "INSERT INTO pm_t VALUES (1, 2) ON CONFLICT (a) DO UPDATE SET b = pm_t.b + excluded.b WHERE pm_t.b > 0",
        "INSERT INTO pm_t VALUES (1, 2) ON CONFLICT ON CONSTRAINT pm_t_pkey DO NOTHING",
        "RESET ROLE", "SELECT * FROM pm_t"]),
    ("row_locks_need_update", [
        "GRANT SELECT ON pm_s TO pm_u", "SET ROLE pm_u",
        "SELECT * FROM pm_s",
        "SELECT * FROM pm_s FOR UPDATE", "SELECT * FROM pm_s FOR NO KEY UPDATE",
        "SELECT * FROM pm_s FOR SHARE", "SELECT * FROM pm_s FOR KEY SHARE",
        "RESET ROLE", "GRANT DELETE, TRUNCATE ON pm_s TO pm_u", "SET ROLE pm_u",
        "SELECT * FROM pm_s FOR UPDATE",
        "RESET ROLE", "GRANT UPDATE ON pm_s TO pm_u", "SET ROLE pm_u",
        "SELECT * FROM pm_s FOR UPDATE", "SELECT * FROM pm_s FOR KEY SHARE",
        "RESET ROLE", "REVOKE SELECT ON pm_s FROM pm_u", "SET ROLE pm_u",
        "SELECT * FROM pm_s FOR UPDATE",
        "RESET ROLE"]),
    ("details_without_select", [
        "GRANT INSERT, UPDATE ON pm_d, pm_dc TO pm_u", "GRANT DELETE ON pm_dp TO pm_u", "SET ROLE pm_u",
        "INSERT INTO pm_d VALUES (1, 1, 'x', 2)",
        "INSERT INTO pm_d VALUES (2, 1, 'x', 1)",
        "INSERT INTO pm_d VALUES (2, -1, 'x', 2)",
        "INSERT INTO pm_d VALUES (2, 1, NULL, 2)",
        "INSERT INTO pm_d VALUES (3, -1)",
        "INSERT INTO pm_d (e, b, a) VALUES (3, -1, 4)",
        "INSERT INTO pm_d (e) VALUES (3)",
        "INSERT INTO pm_d DEFAULT VALUES",
        "INSERT INTO pm_d VALUES (1, 1, 'x', 2) ON CONFLICT DO NOTHING",
        "UPDATE pm_d SET b = -1",
        "UPDATE pm_d SET b = -1, c = 'z'",
        "UPDATE pm_d SET a = 7, b = -1",
        "UPDATE pm_d SET c = NULL",
        "INSERT INTO pm_dc VALUES (5)",
        "DELETE FROM pm_dp",
        "RESET ROLE"]),
    ("details_with_select", [
        "GRANT SELECT ON pm_d, pm_dc, pm_dp TO pm_u", "SET ROLE pm_u",
        "INSERT INTO pm_d VALUES (1, 1, 'x', 2)",
        "INSERT INTO pm_d VALUES (2, 1, 'x', 1)",
        "INSERT INTO pm_d VALUES (2, -1, 'x', 2)",
        "INSERT INTO pm_d (a, b) VALUES (3, -1)",
        "UPDATE pm_d SET b = -1",
        "INSERT INTO pm_dc VALUES (5)",
        "DELETE FROM pm_dp",
        "RESET ROLE"]),
    ("analyze_and_pg_stats", [
        "GRANT SELECT ON pm_an2 TO pm_u", "SET ROLE pm_u",
        "ANALYZE pm_an1", "ANALYZE pm_an2", "ANALYZE pm_an1, pm_an2",
        "SELECT tablename, attname FROM pg_stats WHERE tablename LIKE 'pm\\_an_' ORDER BY 1, 2",
        "RESET ROLE",
        "SELECT tablename, attname FROM pg_stats WHERE tablename LIKE 'pm\\_an_' ORDER BY 1, 2"]),
]


def outcome(cur, conn, sql):
    """(sqlstate, message, detail, notices, rows) of one statement."""
    del conn.notices[:]
    try:
        cur.execute(sql)
        rows = cur.fetchall() if cur.description else None
        res = ("00000", cur.statusmessage, None, rows)
    except psycopg2.Error as e:
        res = (e.pgcode, e.diag.message_primary, e.diag.message_detail, None)
    return res + (tuple(n.strip() for n in conn.notices),)


def connect(port, db, user="test"):
    c = harness.connect(port, db, user)
    c.autocommit = True
    return c


def clean(cur):
    cur.execute("RESET ROLE")
    for t in TABLES:
        cur.execute("DROP TABLE IF EXISTS %s CASCADE" % t)
    for r in ROLES:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (r,))
        if cur.fetchone():
            cur.execute("DROP OWNED BY %s" % r)
            cur.execute("DROP ROLE %s" % r)


check = harness.Report("privmsg_").check


def main():
    conns = [connect(DD_PORT, "test"), connect(PG_PORT, "postgres")]
    curs = [c.cursor() for c in conns]
    for cur in curs:
        clean(cur)
        for s in SETUP.strip().split(";\n"):
            cur.execute(s)
    for name, stmts in CASES:
        diffs = []
        for sql in stmts:
            dd, pg = (outcome(cur, c, sql) for cur, c in zip(curs, conns))
            if dd != pg:
                diffs.append("%s\n  driftdb:  %r\n  postgres: %r" % (sql, dd, pg))
        check(name, not diffs, "\n".join(diffs))

    # a session is the role it logged in as, and the role SET ROLE chose,
    # by id: renamed, they stay; a new role under the old name (a
    # superuser here) is not the session's; dropped, nothing is allowed
    # (PostgreSQL words that as plain "permission denied for table", and
    # DriftDB names the role gone: only the SQLSTATE is compared there)
    for cur in curs:
        for s in ("CREATE ROLE pm_a LOGIN", "CREATE ROLE pm_g", "GRANT pm_g TO pm_a", "CREATE TABLE pm_secret (a int)"):
            cur.execute(s)
    logins = [connect(DD_PORT, "test", "pm_a"), connect(PG_PORT, "postgres", "pm_a")]
    steps = [("a", "SET ROLE pm_g", True), ("su", "ALTER ROLE pm_a RENAME TO pm_b", True),
             ("su", "CREATE ROLE pm_a SUPERUSER", True), ("su", "ALTER ROLE pm_g RENAME TO pm_g_old", True),
             ("su", "CREATE ROLE pm_g SUPERUSER", True), ("a", "SELECT * FROM pm_secret", True),
             ("a", "SHOW is_superuser", True), ("a", "RESET ROLE", True), ("a", "SELECT * FROM pm_secret", True),
             ("a", "SHOW is_superuser", True), ("a", "CREATE ROLE pm_evil", True), ("a", "SET ROLE pm_g", True),
             ("a", "SET ROLE pm_g_old", True), ("a", "SELECT * FROM pm_secret", True), ("su", "DROP ROLE pm_g_old", True),
             ("a", "SELECT * FROM pm_secret", False), ("su", "DROP ROLE pm_b", True), ("a", "RESET ROLE", True),
             ("a", "SELECT * FROM pm_secret", False), ("a", "INSERT INTO pm_secret VALUES (1)", False)]
    diffs = []
    for who, sql, whole in steps:
        got = []
        for k in range(2):
            conn = conns[k] if who == "su" else logins[k]
            got.append(outcome(conn.cursor(), conn, sql))
        dd, pg = got if whole else (got[0][:1], got[1][:1])
        if dd != pg:
            diffs.append("%s: %s\n  driftdb:  %r\n  postgres: %r" % (who, sql, got[0], got[1]))
    check("roles_by_id", not diffs, "\n".join(diffs))
    for c in logins:
        c.close()
    for cur in curs:
        for s in ("DROP TABLE pm_secret", "DROP ROLE pm_a, pm_g"):
            cur.execute(s)

    # ANALYZE of the whole database skips each table the role does not own
    # with a WARNING, and analyzes the rest (PostgreSQL 15 warns for its
    # system catalogs too, which DriftDB does not have as tables)
    dd, cdd = curs[0], conns[0]
    for s in ("CREATE TABLE pm_own (a int)", "GRANT CREATE ON SCHEMA public TO pm_u", "ALTER TABLE pm_own OWNER TO pm_u",
              "INSERT INTO pm_own VALUES (1), (2)"):
        dd.execute(s)
    dd.execute("SET ROLE pm_u")
    r = outcome(dd, cdd, "ANALYZE")
    skipped = [n for n in r[4] if n.startswith("WARNING:  skipping ")]
    check("analyze_all_warns", r[0] == "00000" and
          any('"pm_an1" --- only table or database owner can analyze it' in n for n in skipped) and
          not any('"pm_own"' in n for n in skipped), repr(r))
    r = outcome(dd, cdd, "SELECT attname FROM pg_stats WHERE tablename = 'pm_own'")
    check("analyze_all_own_table", r[0] == "00000" and r[3] == [("a",)], repr(r))
    dd.execute("RESET ROLE")
    dd.execute("DROP TABLE pm_own")
    dd.execute("REVOKE CREATE ON SCHEMA public FROM pm_u")
    for cur in curs:
        clean(cur)
    for c in conns:
        c.close()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:   # a crash is a failure, not a silent pass
        check("run", False, "%s: %s" % (type(e).__name__, e))
