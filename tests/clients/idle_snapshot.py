"""idle_snapshot.py PORT DATAFILE - a transaction idle while others write
keeps no pages from reuse.

3,000 single-row updates run twice through the server on a table of 100
rows: first alone, then while another connection sits idle inside a
REPEATABLE READ transaction that has read the table.  Before DriftDB let go
of idle transactions' LMDB read transactions, the second run grew the
data file by ~150 MB (every page the updates freed was held for the idle
reader).  Passes when the file grew during the second run by at most twice
the first run's growth plus 1 MB, and the idle transaction afterwards still
reads its snapshot (sums, an index range, a key range backwards) exactly as
before the updates.
"""
import os
import sys
import time

import harness

port, path = int(sys.argv[1]), sys.argv[2]
report = harness.Report("idle_snapshot_")


def connect():
    c = harness.connect(port)
    c.autocommit = True
    return c


def updates(cur, n, tag):
    for i in range(n):
        cur.execute("UPDATE t SET v = %s, w = w + 1 WHERE id = %s", ("%s%d" % (tag, i), i % 100 + 1))


w = connect()
wc = w.cursor()
wc.execute("CREATE TABLE t (id int PRIMARY KEY, v text, w int)")
wc.execute("CREATE INDEX t_w ON t (w)")
wc.execute("INSERT INTO t SELECT g, 'x', g FROM generate_series(1, 100) g")
updates(wc, 500, "warm")          # the free list in steady state
s0 = os.path.getsize(path)
updates(wc, 3000, "a")
s1 = os.path.getsize(path)

QUERIES = ["SELECT count(*), sum(w), min(v), max(v) FROM t",
           "SELECT id, w FROM t WHERE w BETWEEN 30 AND 60 ORDER BY w, id",
           "SELECT id, v FROM t WHERE id > 80 ORDER BY id DESC"]
r = harness.connect(port)
r.set_session(isolation_level="REPEATABLE READ")
rc = r.cursor()
before = []
for q in QUERIES:
    rc.execute(q)
    before.append(rc.fetchall())
time.sleep(0.5)                    # idle in the transaction from here
updates(wc, 3000, "b")
s2 = os.path.getsize(path)
after = []
for q in QUERIES:
    rc.execute(q)
    after.append(rc.fetchall())
r.rollback()
g0, g1 = s1 - s0, s2 - s1
print("# idle snapshot: 3,000 updates grew the file by %d bytes alone, %d beside an idle transaction"
      % (g0, g1))
report.check("file_size", g1 <= 2 * g0 + (1 << 20), "%d > 2 x %d + 1 MB" % (g1, g0))
report.check("reads", after == before, "\n".join(
    ["the idle transaction's snapshot changed"] +
    ["%s\n  before %r\n  after  %r" % (q, b[:5], a[:5]) for q, b, a in zip(QUERIES, before, after) if a != b]))
rc = r.cursor()
rc.execute("SELECT sum(w) FROM t")
total = rc.fetchone()[0]
report.check("next_transaction", total == before[0][0][1] + 3000, "sum %r" % total)
sys.exit(1 if report.fails else 0)
