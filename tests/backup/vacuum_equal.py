#!/usr/bin/python3
"""VACUUM and `driftdb compact --full` never change an answer
(docs/retention.md, "Space"): a randomized temporal workload (inserts,
updates, deletes, primary-key moves, DELETE HISTORY, ERASE) in one data
directory; then the digest of every table AS OF every seq, and of each
table's whole history (FOR SYSTEM_TIME ALL), before and after `VACUUM`,
`VACUUM FULL t` and `VACUUM ANALYZE`, and again after `driftdb compact
--data DIR --full`, which must also verify.  Prints "ok NAME" / "FAIL NAME"
and closes with "N passed, N failed".  VACUUM_SEED picks the workload.
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile

BUILD = os.environ.get("BUILD", "build")
D = os.path.join(BUILD, "driftdb")
seed = int(os.environ.get("VACUUM_SEED", "5"))
rnd = random.Random(seed)
passed = failed = 0


def result(name, good, why=""):
    global passed, failed
    if good:
        passed += 1
        print("ok " + name)
    else:
        failed += 1
        print("FAIL " + name + (": " + why if why else ""))


def sql(data, statements):
    """Runs the statements in one `driftdb sql` (each -e its own
    transaction); returns stdout, raises on failure."""
    args = [D, "sql", "--data", data, "--format", "csv"]
    for s in statements:
        args += ["-e", s]
    r = subprocess.run(args, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError("%s: %s" % (statements[-1][:80], r.stderr.strip()[:300]))
    return r.stdout


def digests(data, head):
    """One line per table per seq (and per table for ALL): count and md5."""
    qs = []
    for t in ("a", "b"):
        row = ("id::text || ':' || coalesce(v::text, '~') || ':' || coalesce(w, '~') || ':' || "
               "system_seq_start || ':' || coalesce(system_seq_end::text, '~')")
        for s in range(1, head + 1):
            qs.append("SELECT '%s', %d, count(*), coalesce(md5(string_agg(%s, ',' ORDER BY id)), '-') "
                      "FROM %s FOR SYSTEM_TIME AS OF @SEQ:%d" % (t, s, row, t, s))
        qs.append("SELECT '%s', 'all', count(*), coalesce(md5(string_agg(%s, ',' ORDER BY id, system_seq_start)), '-') "
                  "FROM %s FOR SYSTEM_TIME ALL" % (t, row, t))
    path = os.path.join(os.path.dirname(data), "digests.sql")
    with open(path, "w") as f:
        f.write(";\n".join(qs) + ";\n")
    r = subprocess.run([D, "sql", "--data", data, "--format", "csv", "-f", path], capture_output=True,
                       text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError("digests: " + r.stderr.strip()[:300])
    return [l for l in r.stdout.splitlines() if not l.startswith("?column?")]


def main():
    tmp = tempfile.mkdtemp(prefix="driftdb-vacuum-")
    try:
        data = os.path.join(tmp, "db")
        subprocess.run([D, "init", data], check=True, capture_output=True)
        # one commit (seq 1): both tables exist at every seq
        sql(data, ["CREATE TABLE a (id INT PRIMARY KEY, v INT, w TEXT); CREATE INDEX a_v ON a (v); "
                   "CREATE TABLE b (id INT PRIMARY KEY, v INT, w TEXT) WITH (history_retention = '1 year')"])
        live = {"a": set(), "b": set()}
        next_id = 1
        for step in range(120):
            t = rnd.choice("ab")
            k = rnd.random()
            if k < 0.35 or not live[t]:
                ids = list(range(next_id, next_id + rnd.randint(1, 5)))
                next_id += len(ids)
                vals = ", ".join("(%d, %d, %s)" % (i, rnd.randint(0, 50),
                                                   "NULL" if rnd.random() < 0.2 else "'w%d'" % rnd.randint(0, 9))
                                 for i in ids)
                sql(data, ["INSERT INTO %s VALUES %s" % (t, vals)])
                live[t].update(ids)
            elif k < 0.65:
                i = rnd.choice(sorted(live[t]))
                sql(data, ["UPDATE %s SET v = v + %d, w = 'u%d' WHERE id = %d" % (t, rnd.randint(1, 5), step, i)])
            elif k < 0.75:
                i = rnd.choice(sorted(live[t]))
                sql(data, ["UPDATE %s SET id = %d WHERE id = %d" % (t, next_id, i)])
                live[t].discard(i)
                live[t].add(next_id)
                next_id += 1
            elif k < 0.88:
                i = rnd.choice(sorted(live[t]))
                sql(data, ["DELETE FROM %s WHERE id = %d" % (t, i)])
                live[t].discard(i)
            elif k < 0.95:
                head = int(sql(data, ["SELECT drift_seq()"]).splitlines()[-1])
                sql(data, ["DELETE HISTORY FROM %s BEFORE SYSTEM_TIME @SEQ:%d" % (t, rnd.randint(1, head))])
            else:
                i = rnd.choice(sorted(live[t]))
                sql(data, ["DELETE FROM %s WHERE id = %d" % (t, i), "ERASE FROM %s WHERE id = %d" % (t, i)])
                live[t].discard(i)
        head = int(sql(data, ["SELECT drift_seq()"]).splitlines()[-1])
        before = digests(data, head)
        result("workload ran (%d commits, %d digests)" % (head, len(before)), head > 100 and len(before) > 200)
        sql(data, ["VACUUM", "VACUUM FULL a", "VACUUM ANALYZE b", "VACUUM (FREEZE, VERBOSE) a, b"])
        after = digests(data, head)
        result("VACUUM changes no answer", before == after,
               "first difference: %s" % next((x for x in zip(before, after) if x[0] != x[1]), None))
        result("VACUUM takes no seq", int(sql(data, ["SELECT drift_seq()"]).splitlines()[-1]) == head)
        r = subprocess.run([D, "compact", "--data", data, "--full"], capture_output=True, text=True, timeout=600)
        result("compact --full", r.returncode == 0, r.stderr.strip()[:300])
        compacted = digests(data, head)
        result("compact --full changes no answer", before == compacted,
               "first difference: %s" % next((x for x in zip(before, compacted) if x[0] != x[1]), None))
        r = subprocess.run([D, "verify", "--data", data], capture_output=True, text=True, timeout=600)
        result("verify after compact --full", r.returncode == 0 and "OK" in r.stdout, r.stdout + r.stderr)
    except Exception as e:  # a failed statement fails the suite, with what it said
        result("workload", False, str(e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
