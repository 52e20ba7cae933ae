#!/usr/bin/python3
"""tests/planner/random_queries.py - results must not depend on the plan.

Generates random schemas, data (NULLs and duplicates) and queries (joins of
1 to 8 tables: comma joins, JOIN ... ON, LEFT / RIGHT / FULL JOIN, LATERAL
subqueries; filters; EXISTS / NOT
EXISTS / IN / NOT IN / scalar subqueries, correlated or not; aggregates;
expressions over integer, text, numeric, double precision, date and
boolean columns: arithmetic, casts, CASE, COALESCE, string and date
functions),
and runs every query
  - on a real PostgreSQL 15 (the oracle), started here on loopback;
  - on driftdb-server, once per planner setting (default, enable_hashjoin
    off, enable_indexscan off, enable_nestloop off, enable_mergejoin off,
    hash joins and index paths both off),
comparing the rows as multisets.  Then it changes the data in both
(UPDATE, DELETE, INSERT), runs the queries again on the present, then
once more inside a transaction that changes the data again and creates an
index (rolled back after), and runs the first round's queries on DriftDB AS
OF the seq before the changes (with and without index paths), which must
give the first round's PostgreSQL answers.  Data includes long text values
(index entries keep a prefix), unique and expression indexes.

  random_queries.py BUILD [--seed N] [--queries N] [--rounds N]

Prints "ok ..." / "FAIL ..." lines (a failure shows the query and both
answers) and ends with "N passed, N failed".
"""
import argparse
import os
import random
import sys
import traceback

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import servers  # noqa: E402

SETTINGS = [
    [],
    ["SET enable_hashjoin = off"],
    ["SET enable_indexscan = off"],
    ["SET enable_nestloop = off"],
    ["SET enable_mergejoin = off"],
    ["SET enable_hashjoin = off", "SET enable_indexscan = off"],
]

RESETS = ["RESET enable_hashjoin", "RESET enable_indexscan", "RESET enable_nestloop", "RESET enable_mergejoin"]

COLS = {"id": "INT", "a": "INT", "b": "INT", "c": "TEXT", "d": "INT", "e": "NUMERIC(8,2)", "f": "FLOAT8",
        "g": "DATE", "h": "BOOLEAN"}
ALL = "id, a, b, c, d, e, f, g, h"


class Gen:
    def __init__(self, rnd, ntables):
        self.r = rnd
        self.tables = ["t%d" % i for i in range(ntables)]
        self.nrows = {}

    # ---- schema and data
    def schema(self):
        out = []
        for t in self.tables:
            out.append("CREATE TABLE %s (%s)" % (t, ", ".join(
                "%s %s%s" % (c, ty, " PRIMARY KEY" if c == "id" else "") for c, ty in COLS.items())))
        for t in self.tables:
            for cols in (["a"], ["b", "a"], ["c"], ["d"], ["e"], ["g", "h"]):
                if self.r.random() < 0.5:
                    out.append("CREATE INDEX ON %s (%s)" % (t, ", ".join(cols)))
            if self.r.random() < 0.3:
                out.append("CREATE UNIQUE INDEX ON %s (c, id)" % t)
            if self.r.random() < 0.3:
                out.append("CREATE INDEX ON %s ((a + b))" % t)
        return out

    def txn_index(self):
        t = self.r.choice(self.tables)
        return "CREATE INDEX ON %s (%s)" % (t, self.r.choice(["a", "b", "d", "c", "e", "g"]))

    def value(self, col):
        r = self.r
        if col != "id" and r.random() < 0.15:
            return "NULL"
        if col == "a":
            return str(r.randint(0, 9))
        if col == "b":
            return str(r.randint(0, 4))
        if col == "d":
            return str(r.randint(-50, 50))
        if col == "c":
            if r.random() < 0.1:
                # long values: index entries keep a 240-byte prefix
                return "'%s%s'" % ("l" * 250, r.choice(["a", "b"]))
            return "'%s'" % r.choice(["x", "y", "z", "xy", "w"])
        if col == "e":
            return "%d.%02d" % (r.randint(-99, 99), r.choice([0, 5, 25, 50, 99, r.randint(0, 99)]))
        if col == "f":
            return r.choice(["0.1", "0.2", "0.3", "-2.5", "1e-3", "3.14159", "100", "'NaN'", "1.5e10", "-0.0"])
        if col == "g":
            return "'2024-%02d-%02d'" % (r.randint(1, 3), r.randint(1, 28))
        if col == "h":
            return r.choice(["true", "false"])
        return str(r.randint(1, 200))

    def row(self, i):
        return "(%d, %s)" % (i, ", ".join(self.value(c) for c in COLS if c != "id"))

    def data(self):
        out = []
        for t in self.tables:
            n = self.r.randint(0, 40)
            ids = self.r.sample(range(1, 200), n)
            self.nrows[t] = n
            if not ids:
                continue
            out.append("INSERT INTO %s VALUES %s" % (t, ", ".join(self.row(i) for i in ids)))
        return out

    def changes(self):
        out = []
        r = self.r
        for t in self.tables:
            k = r.randint(0, 5)
            out.append("UPDATE %s SET a = %s, c = %s WHERE b = %d" % (t, self.value("a"), self.value("c"), r.randint(0, 4)))
            out.append("DELETE FROM %s WHERE d < %d" % (t, r.randint(-60, -20)))
            out.append("UPDATE %s SET id = id + 1000 WHERE a = %d" % (t, r.randint(0, 9)))
            out.append("UPDATE %s SET e = e * 2 - 1.25, g = g + %d, h = NOT h WHERE b = %d" % (t, r.randint(1, 9), r.randint(0, 4)))
            ids = r.sample(range(300, 400), k)
            if ids:
                out.append("INSERT INTO %s VALUES %s" % (t, ", ".join(self.row(i) for i in ids)))
        return out

    # ---- expressions
    def col(self, alias, kinds=("id", "a", "b", "c", "d")):
        return "%s.%s" % (alias, self.r.choice(kinds))

    def const_for(self, colname):
        name = colname.split(".")[-1]
        v = self.value(name)
        return v if v != "NULL" else ("'x'" if name == "c" else "3")

    def simple_pred(self, aliases):
        r = self.r
        al = r.choice(aliases)
        kind = r.random()
        if kind < 0.35:
            c = self.col(al)
            op = r.choice(["=", "<", ">", "<=", ">=", "<>"])
            return "%s %s %s" % (c, op, self.const_for(c))
        if kind < 0.45:
            c = self.col(al)
            return "%s IS %sNULL" % (c, r.choice(["", "NOT "]))
        if kind < 0.55:
            c = self.col(al, ("a", "b", "d"))
            vals = ", ".join(str(r.randint(-3, 9)) for _ in range(r.randint(1, 4)))
            return "%s %sIN (%s)" % (c, r.choice(["", "NOT "]), vals)
        if kind < 0.62:
            c = self.col(al, ("a", "b", "d", "id"))
            lo = r.randint(-10, 50)
            return "%s BETWEEN %d AND %d" % (c, lo, lo + r.randint(0, 60))
        if kind < 0.68:
            return "%s.c LIKE '%s%%'" % (al, r.choice(["x", "y", "w", ""]))
        if kind < 0.76 and len(aliases) > 1:
            a1, a2 = r.sample(aliases, 2)
            c = r.choice(["a", "b", "d"])
            return "%s.%s %s %s.%s" % (a1, c, r.choice(["<", ">", "<>", "<="]), a2, r.choice(["a", "b", "d"]))
        if kind < 0.81:
            return "(%s OR %s)" % (self.simple_pred(aliases), self.simple_pred(aliases))
        if kind < 0.84:
            # conditions that read no column (above an aggregate derived
            # table they must not move into it)
            return r.choice(["1 = 0", "true", "2 > 1", "NULL IS NULL", "1 = 1"])
        if kind < 0.93:
            return self.typed_pred(al)
        return self.subquery_pred(aliases)

    def typed_pred(self, al):
        """a condition over the numeric, float, date and boolean columns"""
        r = self.r
        return r.choice([
            "%s.e %s %s" % (al, r.choice(["<", ">", "=", ">="]), self.value("e").replace("NULL", "0")),
            "%s.f %s %s" % (al, r.choice(["<", ">", "=", "<>"]), r.choice(["0.3", "0.1 + 0.2", "1e-3", "'NaN'", "0"])),
            "%s.f = %s" % (al, r.choice(["0.3", "0.1", "3.14159::numeric", "1e-3"])),
            "%s.g %s '2024-02-%02d'" % (al, r.choice(["<", ">=", "="]), r.randint(1, 28)),
            "%s.g BETWEEN '2024-01-15' AND DATE '2024-02-20'" % al,
            "%s.h" % al, "NOT %s.h" % al, "%s.h IS NOT TRUE" % al,
            "%s.e * %s.a > %s.d" % (al, al, al),
            "round(%s.e) = %s.a" % (al, al),
            "abs(%s.e) < %d" % (al, r.randint(5, 90)),
            "coalesce(%s.e, 0) + %s.d > %d" % (al, al, r.randint(-20, 20)),
            "extract(dow from %s.g) = %d" % (al, r.randint(0, 6)),
            "%s.g - %s.b > DATE '2024-02-01'" % (al, al),
            "date_trunc('month', %s.g) = '2024-02-01'" % al,
            "%s.e::int %% 3 = %d" % (al, r.randint(0, 2)),
            "%s.f::numeric(16,3) > 0.2" % al,
            "CASE WHEN %s.h THEN %s.e ELSE -%s.e END > 0" % (al, al, al),
            "length(%s.c || %s.a::text) > 2" % (al, al),
            "upper(%s.c) IN ('X', 'XY')" % al,
        ])

    def typed_expr(self, al):
        """a value computed from the typed columns, for select lists"""
        r = self.r
        return r.choice([
            "%s.e * %s.a" % (al, al), "%s.e / 3" % al, "%s.e + %s.f" % (al, al), "round(%s.e, 1)" % al,
            "trunc(%s.e)" % al, "%s.f * 2" % al, "%s.g + %s.b" % (al, al), "%s.g - DATE '2024-01-01'" % al,
            "to_char(%s.g, 'YYYY-MM-DD Dy')" % al, "extract(month from %s.g)" % al,
            "CASE WHEN %s.h THEN 'yes' WHEN NOT %s.h THEN 'no' END" % (al, al),
            "coalesce(%s.e, %s.d)" % (al, al), "%s.c || '-' || %s.e" % (al, al),
            "greatest(%s.e, %s.a, 0)" % (al, al), "nullif(%s.b, 2)" % al, "%s.a::numeric / 7" % al,
            "%s.e::float8" % al, "%s.d::text || %s.c" % (al, al), "-%s.e" % al,
        ])

    def subquery_pred(self, aliases):
        r = self.r
        al = r.choice(aliases)
        t = r.choice(self.tables)
        sub = "s%d" % r.randint(0, 999)
        corr = r.random() < 0.6
        cond = "%s.%s = %s.%s" % (sub, r.choice(["a", "b"]), al, r.choice(["a", "b"])) if corr else \
               "%s.b = %d" % (sub, r.randint(0, 4))
        kind = r.random()
        if kind < 0.3:
            return "%sEXISTS (SELECT 1 FROM %s %s WHERE %s)" % (r.choice(["", "NOT "]), t, sub, cond)
        if kind < 0.55:
            return "%s.a IN (SELECT %s.a FROM %s %s WHERE %s)" % (al, sub, t, sub, cond)
        if kind < 0.7:
            guard = (" AND %s.b IS NOT NULL" % sub) if r.random() < 0.5 else ""
            return "%s.b NOT IN (SELECT %s.b FROM %s %s WHERE %s%s)" % (al, sub, t, sub, cond, guard)
        return "%s.d > (SELECT min(%s.d) FROM %s %s WHERE %s)" % (al, sub, t, sub, cond)

    def relation(self, i):
        """a table, or now and then a derived table with the same columns
        (filters above it must reach its scans and give the same rows)"""
        r = self.r
        t = r.choice(self.tables)
        kind = r.random()
        x = "x%d" % i
        if kind < 0.8:
            return t
        if kind < 0.86:
            return "(SELECT * FROM %s %s WHERE %s)" % (t, x, self.simple_pred([x]))
        if kind < 0.9:
            return "(SELECT id, a + 1 AS a, b, c, d, e * 2 AS e, f, g + 1 AS g, h FROM %s %s)" % (t, x)
        if kind < 0.94:
            return "(SELECT DISTINCT %s FROM %s %s)" % (ALL, t, x)
        if kind < 0.97:
            return ("(SELECT a AS id, a, min(b) AS b, max(c) AS c, count(*)::int AS d, sum(e) AS e, max(f) AS f, "
                    "min(g) AS g, bool_or(h) AS h FROM %s %s GROUP BY a)" % (t, x))
        return "(SELECT %s FROM %s %s ORDER BY id LIMIT 7)" % (ALL, t, x)

    def from_clause(self, k):
        """FROM of k relations; returns (text, aliases, join conditions)"""
        r = self.r
        aliases = []
        parts = []
        conds = []
        chain = []   # the relations since the last comma: what an ON may read
        for i in range(k):
            t = self.relation(i)
            al = "r%d" % i
            if i == 0:
                parts.append("%s %s" % (t, al))
                chain = [al]
            else:
                style = r.random()
                prev = r.choice(aliases if style < 0.45 else chain)
                c1, c2 = r.choice([("a", "a"), ("b", "b"), ("id", "id"), ("a", "b"), ("c", "c"), ("b", "a"), ("id", "d")])
                eq = "%s.%s = %s.%s" % (al, c1, prev, c2)
                if style < 0.45:
                    parts.append(", %s %s" % (t, al))
                    conds.append(eq)
                    chain = []
                elif style < 0.75:
                    extra = (" AND " + self.simple_pred(chain + [al])) if r.random() < 0.3 else ""
                    parts.append(" JOIN %s %s ON %s%s" % (t, al, eq, extra))
                elif style < 0.84:
                    extra = (" AND " + self.simple_pred([al])) if r.random() < 0.3 else ""
                    parts.append(" LEFT JOIN %s %s ON %s%s" % (t, al, eq, extra))
                elif style < 0.9:
                    extra = (" AND " + self.simple_pred(chain)) if r.random() < 0.3 else ""
                    parts.append(" RIGHT JOIN %s %s ON %s%s" % (t, al, eq, extra))
                elif style < 0.95:
                    # FULL: an equality (PostgreSQL needs a hash- or merge-joinable one)
                    prev = r.choice(chain)
                    eq = "%s.%s = %s.%s" % (al, c1, prev, c2)
                    parts.append(" FULL JOIN %s %s ON %s" % (t, al, eq))
                else:
                    # LATERAL: a few rows of a table per row of the items before
                    lt = r.choice(self.tables)
                    lim = r.randint(1, 3)
                    lat = "(SELECT %s FROM %s x WHERE x.%s = %s.%s ORDER BY id LIMIT %d)" % (
                        ALL, lt, c1, prev, c2, lim)
                    if r.random() < 0.5:
                        parts.append(", LATERAL %s %s" % (lat, al))
                        chain = []
                    else:
                        parts.append(" LEFT JOIN LATERAL %s %s ON true" % (lat, al))
            aliases.append(al)
            chain.append(al)
        # a comma join needs its parts to stay apart from JOIN chains
        text = ""
        for p in parts:
            text += p
        return text, aliases, conds

    def query(self):
        r = self.r
        k = r.choice([1, 1, 2, 2, 2, 3, 3, 4, 5, 8])
        frm, aliases, conds = self.from_clause(k)
        preds = list(conds)
        for _ in range(r.randint(0, 3)):
            preds.append(self.simple_pred(aliases))
        where = (" WHERE " + " AND ".join(preds)) if preds else ""
        shape = r.random()
        if k == 1 and shape < 0.15:
            # one table in an order that an index or the key may give
            # (descending too); the order is total, so the first rows are
            # the same whatever the plan
            d = r.choice(["", " DESC"])
            keys = r.choice([["a", "id"], ["d", "id"], ["b", "a", "id"], ["id"], ["a"], ["b", "a"]])
            lim = " LIMIT %d" % r.randint(1, 8) if "id" in keys else ""
            order = ", ".join("r0.%s%s" % (c, d) for c in keys)
            return "SELECT r0.id, r0.a, r0.b, r0.d FROM %s%s ORDER BY %s%s" % (frm, where, order, lim)
        if k == 1 and shape < 0.25:
            # window functions over a total order (the key), so the values
            # do not depend on how ties are broken
            part = r.choice(["", "PARTITION BY r0.a ", "PARTITION BY r0.b, r0.c "])
            fn = r.choice(["row_number()", "rank()", "dense_rank()", "lag(r0.d)", "lead(r0.c, 2, 'none')",
                           "sum(r0.d)", "count(r0.a)", "min(r0.c)", "first_value(r0.d)", "ntile(3)"])
            frame = r.choice(["", "", " ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING", " ROWS 2 PRECEDING"]) \
                if fn.startswith(("sum", "count", "min", "first")) else ""
            return "SELECT r0.id, %s OVER (%sORDER BY r0.id%s) FROM %s%s" % (fn, part, frame, frm, where)
        if k >= 5 or shape < 0.25:
            return "SELECT count(*) FROM %s%s" % (frm, where)
        if shape < 0.45:
            g = self.col(r.choice(aliases), ("a", "b", "c"))
            agg = r.choice(["count(*)", "sum(%s)" % self.col(aliases[0], ("d",)), "min(%s)" % self.col(aliases[-1], ("id", "d")),
                            "max(%s)" % self.col(aliases[0], ("c",)), "count(%s)" % self.col(aliases[-1], ("a",)),
                            "sum(%s)" % self.col(aliases[0], ("e",)), "avg(%s)" % self.col(aliases[-1], ("e", "d")),
                            "min(%s)" % self.col(aliases[0], ("g", "f")), "max(%s)" % self.col(aliases[-1], ("e", "g")),
                            "bool_and(%s)" % self.col(aliases[0], ("h",)), "count(DISTINCT %s)" % self.col(aliases[0], ("e", "g")),
                            "variance(%s)" % self.col(aliases[0], ("e", "d")),
                            "sum(%s) FILTER (WHERE %s)" % (self.col(aliases[0], ("e",)), self.typed_pred(aliases[-1]))])
            having = " HAVING count(*) > %d" % r.randint(0, 2) if r.random() < 0.3 else ""
            return "SELECT %s, %s FROM %s%s GROUP BY %s%s" % (g, agg, frm, where, g, having)
        cols = ", ".join(self.col(al, ("id", "a", "b", "c", "d", "e", "f", "g", "h")) if r.random() < 0.8
                         else self.typed_expr(al) for al in aliases for _ in range(r.randint(1, 2)))
        if r.random() < 0.2:
            al = r.choice(aliases)
            t = r.choice(self.tables)
            cols += ", (SELECT count(*) FROM %s q WHERE q.a = %s.a)" % (t, al)
        distinct = "DISTINCT " if r.random() < 0.15 else ""
        return "SELECT %s%s FROM %s%s" % (distinct, cols, frm, where)


def rows_of(cur, sql):
    cur.execute(sql)
    rows = [tuple("NULL" if v is None else str(v) for v in row) for row in cur.fetchall()]
    # an ORDER BY that ends with the key is a total order: compared as is
    last = sql.split(" ORDER BY ")[-1]
    if " ORDER BY " in sql and ")" not in last and "r0.id" in last:
        return rows
    return sorted(rows)


def as_of(sql, seq, tables):
    """every table reference of the generated query read AS OF @SEQ:seq"""
    out = sql
    for t in sorted(tables, key=len, reverse=True):
        out = out.replace("FROM %s " % t, "FROM %s FOR SYSTEM_TIME AS OF @SEQ:%d " % (t, seq))
        out = out.replace("JOIN %s " % t, "JOIN %s FOR SYSTEM_TIME AS OF @SEQ:%d " % (t, seq))
        out = out.replace(", %s " % t, ", %s FOR SYSTEM_TIME AS OF @SEQ:%d " % (t, seq))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--queries", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    passed = failed = 0
    pg = dd = None
    print("# seed %d, %d rounds of %d queries" % (args.seed, args.rounds, args.queries))
    try:
        pg = servers.postgres()
        dd = servers.driftdb(args.build)
    except Exception as e:
        print("FAIL servers (%s)" % e)
        print("0 passed, 1 failed")
        if pg:
            pg.stop()
        return 1
    try:
        for rnd_i in range(args.rounds):
            seed = args.seed * 1000 + rnd_i
            rnd = random.Random(seed)
            gen = Gen(rnd, rnd.randint(2, 5))
            db = "r%d" % seed
            pgc = psycopg2.connect(host="127.0.0.1", port=pg.port, user="postgres", dbname="postgres")
            pgc.autocommit = True
            pgc.cursor().execute("CREATE DATABASE %s" % db)
            pgc.close()
            pgc = psycopg2.connect(host="127.0.0.1", port=pg.port, user="postgres", dbname=db)
            pgc.autocommit = True
            ddc = psycopg2.connect(host="127.0.0.1", port=dd.port, user="test", dbname="test")
            ddc.autocommit = True
            pcur, dcur = pgc.cursor(), ddc.cursor()
            for t in gen.tables:
                dcur.execute("DROP TABLE IF EXISTS %s" % t)
            for sql in gen.schema() + gen.data():
                pcur.execute(sql)
                dcur.execute(sql)
            dcur.execute("SELECT drift_seq()")
            seq0 = dcur.fetchone()[0]
            first = []
            for phase in ("before", "after", "in a transaction"):
                if phase == "in a transaction":
                    # the transaction's own writes, and an index it creates,
                    # seen by its queries; rolled back at the end
                    pcur.execute("BEGIN")
                    dcur.execute("BEGIN")
                if phase != "before":
                    changes = gen.changes()
                    if phase == "in a transaction":
                        changes.append(gen.txn_index())
                    for sql in changes:
                        pe = de = None
                        for cur in (pcur, dcur):
                            if phase == "in a transaction":
                                cur.execute("SAVEPOINT c")
                        try:
                            pcur.execute(sql)
                        except psycopg2.Error as e:
                            pe = e.pgcode
                        try:
                            dcur.execute(sql)
                        except psycopg2.Error as e:
                            de = e.pgcode
                        if phase == "in a transaction":
                            pcur.execute("ROLLBACK TO c" if pe else "RELEASE c")
                            dcur.execute("ROLLBACK TO c" if de else "RELEASE c")
                        if pe != de:
                            print("FAIL change seed=%d: %s (PostgreSQL %s, DriftDB %s)" % (seed, sql, pe, de))
                            failed += 1
                qs = [gen.query() for _ in range(args.queries)]
                in_txn = phase == "in a transaction"
                for q in qs:
                    try:
                        if in_txn:
                            pcur.execute("SAVEPOINT q")
                        want = rows_of(pcur, q)
                        if in_txn:
                            pcur.execute("RELEASE q")
                    except psycopg2.Error as e:
                        if in_txn:
                            pcur.execute("ROLLBACK TO q")
                        print("# PostgreSQL rejects (%s), skipped: %s" % (e.pgcode, q))
                        continue
                    if phase == "before":
                        first.append((q, want))
                    for setting in SETTINGS:
                        for s in RESETS + setting:
                            dcur.execute(s)
                        try:
                            if in_txn:
                                dcur.execute("SAVEPOINT q")
                            got = rows_of(dcur, q)
                            if in_txn:
                                dcur.execute("RELEASE q")
                        except psycopg2.Error as e:
                            got = "error %s: %s" % (e.pgcode, str(e).strip().splitlines()[0])
                            if in_txn:
                                dcur.execute("ROLLBACK TO q")
                        if got == want:
                            passed += 1
                        else:
                            failed += 1
                            print("FAIL seed=%d %s [%s]\n  %s\n  PostgreSQL: %s\n  DriftDB:    %s" %
                                  (seed, phase, "; ".join(setting) or "default", q, want[:12],
                                   got[:12] if isinstance(got, list) else got))
                if phase == "in a transaction":
                    pcur.execute("ROLLBACK")
                    dcur.execute("ROLLBACK")
            # the first round's queries, AS OF the seq before the changes
            for setting in (SETTINGS[0], SETTINGS[2]):
                for s in RESETS + setting:
                    dcur.execute(s)
                for q, want in first:
                    qa = as_of(q, seq0, gen.tables)
                    try:
                        got = rows_of(dcur, qa)
                    except psycopg2.Error as e:
                        got = "error %s: %s" % (e.pgcode, str(e).strip().splitlines()[0])
                    if got == want:
                        passed += 1
                    else:
                        failed += 1
                        print("FAIL seed=%d as-of [%s]\n  %s\n  want: %s\n  got:  %s" %
                              (seed, "; ".join(setting) or "default", qa, want[:12],
                               got[:12] if isinstance(got, list) else got))
            pgc.close()
            ddc.close()
    except Exception:
        failed += 1
        print("FAIL random_queries crashed")
        for line in traceback.format_exc().splitlines():
            print("  " + line)
    finally:
        pg.stop()
        dd.stop()
    print("ok random queries: %d comparisons" % passed if not failed else "# %d comparisons agreed" % passed)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
