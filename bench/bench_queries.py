#!/usr/bin/python3
"""bench/bench_queries.py - the query engine beside PostgreSQL 15, same run.

  bench_queries.py BUILD [--scale F] [--runs N]

Starts PostgreSQL 15 and driftdb-server on loopback (tests/planner/servers.py),
loads the same data into both through the wire, then times each query (the
median of --runs runs after one warm-up, through psycopg2, so both pay the
same client and protocol costs), checks that both give the same answer, and
prints one line per query: PostgreSQL ms, DriftDB ms, and the ratio
DriftDB / PostgreSQL (below 1: DriftDB is faster).  Last, point SELECTs by
primary key through the wire with pgbench in simple mode (the issue's
target; docs/decisions.md has the prepared mode's figures), as
transactions per second and their ratio.

Data (scale 1): ev 20k rows; t1/t2/t3/t8 10k rows; customer 10k, orders
100k, lineitem 300k; a star of fact 100k and six 1k-row dimensions; big
100k rows with an index on v; 64 tables of 10 rows.  PostgreSQL is ANALYZEd.
"""
import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

import psycopg2

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "planner"))
import servers  # noqa: E402


def batches(rows, n=2000):
    for i in range(0, len(rows), n):
        yield rows[i:i + n]


def load(curs, table, ddl, rows):
    for c in curs:
        c.execute(ddl)
    for b in batches(rows):
        sql = "INSERT INTO %s VALUES %s" % (table, ",".join("(" + ",".join(map(str, r)) + ")" for r in b))
        for c in curs:
            c.execute(sql)


def timed(cur, sql, runs):
    cur.execute(sql)
    first = cur.fetchall()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        cur.execute(sql)
        cur.fetchall()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, first


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    sc = args.scale
    rnd = random.Random(42)
    pg = servers.postgres()
    dd = servers.driftdb(args.build)
    try:
        pgc = psycopg2.connect(host="127.0.0.1", port=pg.port, user="postgres", dbname="postgres")
        ddc = psycopg2.connect(host="127.0.0.1", port=dd.port, user="test", dbname="bench")
        pgc.autocommit = ddc.autocommit = True
        p, d = pgc.cursor(), ddc.cursor()
        both = [p, d]
        t0 = time.time()
        n_ev = int(20000 * sc)
        load(both, "ev", "CREATE TABLE ev (id INT PRIMARY KEY, v INT, g INT)",
             [(i, i % 100, i % 7) for i in range(n_ev)])
        d.execute("SELECT drift_seq()")
        seq_then = d.fetchone()[0]
        p.execute("CREATE TABLE ev_then AS SELECT * FROM ev")
        p.execute("ALTER TABLE ev_then ADD PRIMARY KEY (id)")
        for c in both:
            c.execute("UPDATE ev SET v = v + 1 WHERE id % 10 = 0")
        n_t = int(10000 * sc)
        for name, col in (("t1", "a1"), ("t2", "c2"), ("t3", "d3"), ("t8", "e8")):
            load(both, name, "CREATE TABLE %s (k INT PRIMARY KEY, %s INT, pad TEXT)" % (name, col),
                 [(i, rnd.randint(0, 999), "'p%d'" % i) for i in range(n_t)])
        n_c, n_o, n_l = int(10000 * sc), int(100000 * sc), int(300000 * sc)
        load(both, "customer", "CREATE TABLE customer (id INT PRIMARY KEY, nation INT, name TEXT)",
             [(i, i % 25, "'c%d'" % i) for i in range(n_c)])
        load(both, "orders", "CREATE TABLE orders (id INT PRIMARY KEY, cust INT, odate INT, total INT)",
             [(i, rnd.randrange(n_c), rnd.randrange(1000), rnd.randrange(1000)) for i in range(n_o)])
        load(both, "lineitem", "CREATE TABLE lineitem (ord INT, ln INT, qty INT, price INT, PRIMARY KEY (ord, ln))",
             [(i // 3, i % 3, rnd.randint(1, 50), rnd.randint(1, 1000)) for i in range(n_l)])
        for c in both:
            c.execute("CREATE INDEX orders_cust ON orders (cust)")
        n_f = int(100000 * sc)
        for k in range(1, 7):
            load(both, "d%d" % k, "CREATE TABLE d%d (id INT PRIMARY KEY, name TEXT, flag INT)" % k,
                 [(i, "'n%d'" % (i % 50), i % 10) for i in range(1000)])
        load(both, "fact", "CREATE TABLE fact (id INT PRIMARY KEY, k1 INT, k2 INT, k3 INT, k4 INT, k5 INT, k6 INT, amt INT)",
             [tuple([i] + [rnd.randrange(1000) for _ in range(6)] + [rnd.randrange(100)]) for i in range(n_f)])
        load(both, "big", "CREATE TABLE big (id INT PRIMARY KEY, v INT, x INT)",
             [(i, rnd.randrange(n_f), i % 97) for i in range(n_f)])
        for c in both:
            c.execute("CREATE INDEX big_v ON big (v)")
        for k in range(64):
            load(both, "m%d" % k, "CREATE TABLE m%d (id INT PRIMARY KEY, k INT)" % k, [(i, i) for i in range(10)])
        p.execute("ANALYZE")
        print("# loaded in %.1f s (scale %g)" % (time.time() - t0, sc))

        lo = n_f // 2
        m64 = "SELECT count(*) FROM " + ", ".join("m%d" % k for k in range(64)) + " WHERE " + \
              " AND ".join("m%d.k = m%d.id" % (k, k + 1) for k in range(63))
        queries = [
            ("self join, filter on one side",
             "SELECT count(*) FROM ev a JOIN ev b ON a.id = b.id WHERE a.id < 2000", None),
            ("a table joined with its own past",
             "SELECT count(*) FROM ev FOR SYSTEM_TIME AS OF @SEQ:%d a JOIN ev b ON a.id = b.id AND a.v <> b.v" % seq_then,
             "SELECT count(*) FROM ev_then a JOIN ev b ON a.id = b.id AND a.v <> b.v"),
            ("four tables, one filter each",
             "SELECT count(*) FROM t1, t2, t8, t3 WHERE t1.a1 IN (1, 2, 3, 4, 5) AND t2.c2 < 500 AND 620 > t8.e8 "
             "AND t3.d3 >= 100 AND t1.k = t2.k AND t2.k = t8.k AND t8.k = t3.k", None),
            ("TPC-H-like 3-way join with grouping",
             "SELECT c.nation, count(*), sum(l.qty) FROM customer c JOIN orders o ON o.cust = c.id "
             "JOIN lineitem l ON l.ord = o.id WHERE o.odate >= 100 AND o.odate < 200 GROUP BY c.nation", None),
            ("star join, fact 100k x 6 dimensions",
             "SELECT d1.name, count(*), sum(f.amt) FROM fact f JOIN d1 ON d1.id = f.k1 JOIN d2 ON d2.id = f.k2 "
             "JOIN d3 ON d3.id = f.k3 JOIN d4 ON d4.id = f.k4 JOIN d5 ON d5.id = f.k5 JOIN d6 ON d6.id = f.k6 "
             "WHERE d2.flag = 1 AND d3.flag < 5 GROUP BY d1.name", None),
            ("correlated scalar subquery",
             "SELECT count(*) FROM customer c WHERE c.nation = 3 AND "
             "(SELECT max(o.total) FROM orders o WHERE o.cust = c.id) > 900", None),
            ("EXISTS",
             "SELECT count(*) FROM customer c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.cust = c.id AND o.total > 990)",
             None),
            ("NOT EXISTS",
             "SELECT count(*) FROM customer c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.cust = c.id AND o.odate < 50)",
             None),
            ("indexed range over 1% of 100k",
             "SELECT count(*), sum(x) FROM big WHERE v BETWEEN %d AND %d" % (lo, lo + n_f // 100 - 1), None),
            ("64-table join on equalities", m64, None),
        ]
        print("%-40s %12s %12s %10s  %s" % ("query", "PostgreSQL", "DriftDB", "ratio", "same answer"))
        for name, dsql, psql_ in queries:
            try:
                pt, pres = timed(p, psql_ or dsql, args.runs)
            except psycopg2.Error as e:
                print("%-40s PostgreSQL failed: %s" % (name, e))
                continue
            try:
                dt, dres = timed(d, dsql, args.runs)
            except psycopg2.Error as e:
                print("%-40s %10.2f ms DriftDB failed: %s" % (name, pt, str(e).strip()))
                continue
            same = sorted(map(str, pres)) == sorted(map(str, dres))
            print("%-40s %9.2f ms %9.2f ms %9.2fx  %s" % (name, pt, dt, dt / pt if pt else 0, "yes" if same else "NO"))
        sys.stdout.flush()

        # point SELECTs by primary key through the wire (pgbench, simple protocol)
        script = tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False)
        script.write("\\set id random(0, %d)\nSELECT v, g FROM ev WHERE id = :id;\n" % (n_ev - 1))
        script.close()
        rates = {}
        for label, port, user in (("PostgreSQL", pg.port, "postgres"), ("DriftDB", dd.port, "bench")):
            out = subprocess.run(["pgbench", "-n", "-h", "127.0.0.1", "-p", str(port), "-U", user, "-M", "simple",
                                  "-f", script.name, "-T", "5", "-c", "1", user if label == "DriftDB" else "postgres"],
                                 capture_output=True, text=True)
            tps = None
            for line in out.stdout.splitlines():
                if line.startswith("tps ="):
                    tps = float(line.split()[2])
            rates[label] = tps
            if tps is None:
                print("# pgbench against %s: %s" % (label, (out.stderr or out.stdout).strip().splitlines()[-1:]))
        os.unlink(script.name)
        if rates.get("PostgreSQL") and rates.get("DriftDB"):
            print("%-40s %9.0f/s  %9.0f/s  %9.2fx  (rate ratio, above 1: DriftDB is faster)" %
                  ("point SELECT by key, pgbench 1 client", rates["PostgreSQL"], rates["DriftDB"],
                   rates["DriftDB"] / rates["PostgreSQL"]))
    finally:
        pg.stop()
        dd.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
