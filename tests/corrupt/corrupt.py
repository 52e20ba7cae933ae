#!/usr/bin/env python3
"""tests/corrupt/corrupt.py - damaged data files never crash `driftdb verify`
and never change an answer unreported.

Builds a database through `driftdb sql` (several tables, secondary indexes,
updates, deletes, a key move, a dropped index and table, a document-style
table, a value long enough for LMDB overflow pages, a checkpoint that AS OF
scans start from, log records left as summaries by DELETE HISTORY),
records the answers of
a set of queries that read every structure (present rows, AS OF points, all
history, index lookups now and AS OF, commit times, the commit log), then for
each of CORRUPT_FLIPS single-byte changes of driftdb.mdb (page headers of
every page, the meta pages, bytes inside row images, index keys, catalog
names and the log found by searching the file, and random places) on a fresh
copy:

  - `driftdb verify --data COPY --timeout 20` must exit 0 (OK) or 1/2 with
    a message (damage reported); a crash (signal), a hang or a sanitizer
    report (BUILD=build-asan) outside liblmdb is a failure; LMDB crashes
    and hangs that verify's child process caught and reported are counted
    apart;
  - when it says OK, the queries (in a child, with a timeout) must give
    exactly the recorded answers: a different answer, an error, a crash or
    a hang is an undetected change and a failure.

Prints one line per failure, then the figures (flips, detected, harmless,
crashes, hangs, undetected changes), then "N passed, N failed" (one test per
flip).  CORRUPT_SEED fixes the random places (default 11).
"""
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

BUILD = os.environ.get("BUILD", "build")
DRIFTDB = os.path.join(BUILD, "driftdb")
FLIPS = int(os.environ.get("CORRUPT_FLIPS", "400"))
SEED = int(os.environ.get("CORRUPT_SEED", "11"))
PAGE = 4096

SETUP = [
    "CREATE TABLE t (id INT PRIMARY KEY, name TEXT, score INT)",
    "CREATE INDEX t_name ON t (name)",
    "INSERT INTO t VALUES " + ", ".join("(%d, 'name_%d', %d)" % (i, i, i % 97) for i in range(1, 301)),
    "UPDATE t SET name = 'renamed_' || id WHERE id % 7 = 0",
    "DELETE FROM t WHERE id % 11 = 0",
    "CREATE INDEX t_score ON t (score)",
    "UPDATE t SET score = score + 1000 WHERE id % 5 = 0",
    "CREATE TABLE u (k TEXT PRIMARY KEY, v TEXT)",
    "INSERT INTO u VALUES ('alpha', 'x'), ('beta', 'y'), ('gamma', 'z')",
    "CREATE UNIQUE INDEX u_v ON u (v)",
    "UPDATE u SET k = 'delta' WHERE k = 'alpha'",
    "DROP INDEX t_score",
    "CREATE TABLE w (id INT PRIMARY KEY, x INT)",
    "INSERT INTO w VALUES (1, 1), (2, 2)",
    "DROP TABLE w",
    "CREATE TABLE doc (pk=id, INDEX(name))",
    "INSERT INTO doc (id, name, age) VALUES (1, 'docname', 3)",
    "CREATE TABLE b (id INT PRIMARY KEY, big TEXT)",
    "INSERT INTO b VALUES (1, repeat('bigvalue', 1200))",
    "UPDATE t SET score = -1 WHERE id BETWEEN 100 AND 120",
    # seq 22-25 and a checkpoint (no seq) that AS OF scans of h start from
    "CREATE TABLE h (id INT PRIMARY KEY, v TEXT)",
    "INSERT INTO h SELECT g, 'hval' || g FROM generate_series(1, 400) g",
    "DELETE FROM h WHERE id > 8",
    "UPDATE h SET v = 'hnew' WHERE id = 2",
    "CHECKPOINT TABLE h",
    # seq 26-30: DELETE HISTORY leaves the records of 27 and 28 as summaries
    "CREATE TABLE s (id INT PRIMARY KEY, v INT)",
    "INSERT INTO s SELECT g, g FROM generate_series(1, 50) g",
    "UPDATE s SET v = v + 1",
    "UPDATE s SET v = v + 1",
    "DELETE HISTORY FROM s BEFORE SYSTEM_TIME @SEQ:29",
]

QUERIES = [
    "SELECT * FROM t ORDER BY id",
    "SELECT id FROM t WHERE name = 'name_17'",
    "SELECT id FROM t WHERE name = 'renamed_14'",
    "SELECT id, name FROM t WHERE name >= 'name_25' AND name < 'name_26' ORDER BY name",
    "SELECT * FROM t FOR SYSTEM_TIME AS OF @SEQ:4 ORDER BY id",
    "SELECT id FROM t FOR SYSTEM_TIME AS OF @SEQ:4 WHERE name = 'name_14'",
    "SELECT id FROM t FOR SYSTEM_TIME AS OF @SEQ:8 WHERE score = 1005",
    "SELECT id, name, score, system_seq_start, system_op FROM t FOR SYSTEM_TIME ALL ORDER BY id, system_seq_start",
    "SELECT * FROM u ORDER BY k",
    "SELECT k FROM u WHERE v = 'y'",
    "SELECT * FROM u FOR SYSTEM_TIME ALL ORDER BY k, system_seq_start",
    "SELECT * FROM doc",
    "SELECT id, length(big), big FROM b",
    "SELECT * FROM w FOR SYSTEM_TIME AS OF @SEQ:14",
    "SELECT drift_seq(), drift_seq_at(drift_time_of(3)), drift_seq_at(drift_time_of(12))",
    "SELECT seq, hash FROM drift_commits ORDER BY seq",
    "SELECT * FROM h FOR SYSTEM_TIME AS OF @SEQ:24 ORDER BY id",
    "SELECT id, v, system_seq_start FROM h FOR SYSTEM_TIME FROM @SEQ:24 TO @SEQ:26 ORDER BY id, system_seq_start",
    "SELECT * FROM h ORDER BY id",
    "SELECT id, v, system_seq_start FROM s FOR SYSTEM_TIME ALL ORDER BY id, system_seq_start",
    "SELECT seq, changes, hash FROM drift_commits WHERE seq BETWEEN 26 AND 30 ORDER BY seq",
]

MARKERS = [b"name_1", b"renamed_", b"alpha", b"delta", b"docname", b"bigvalue", b"t_name", b"u_v",
           b"score", b"DRIFTDB", b"versions", b"current", b"catalog", b"hval", b"checkpoint"]


def lmdb_frame(out):
    """Whether a sanitizer's report starts in liblmdb (a damaged page that
    LMDB itself read: verify's child contains it; in a plain build it is a
    signal the parent reports)."""
    for line in out.decode(errors="replace").splitlines():
        if line.strip().startswith("#0 "):
            return "liblmdb" in line
    return False


def run(args, timeout):
    """(status, output): status is the exit code, -N for signal N, 'timeout'."""
    try:
        p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", b""
    return p.returncode, p.stdout


def sql_args(data, stmts):
    a = [DRIFTDB, "sql", "--data", data, "--format", "csv"]
    for s in stmts:
        a += ["-e", s]
    return a


def main():
    if not os.access(DRIFTDB, os.X_OK):
        print("FAIL %s not built" % DRIFTDB)
        print("0 passed, 1 failed")
        return 1
    tmp = tempfile.mkdtemp(prefix="driftdb-corrupt.")
    try:
        return flips(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def flips(tmp):
    base = os.path.join(tmp, "base")
    st, out = run([DRIFTDB, "init", base], 30)
    if st != 0:
        print("FAIL init: %s" % out.decode(errors="replace"))
        print("0 passed, 1 failed")
        return 1
    for s in SETUP:   # one commit each
        st, out = run(sql_args(base, [s]), 60)
        if st != 0:
            print("FAIL setup %r: %s" % (s[:60], out.decode(errors="replace")))
            print("0 passed, 1 failed")
            return 1
    st, out = run([DRIFTDB, "verify", "--data", base], 60)
    if st != 0:
        print("FAIL pristine verify: %s" % out.decode(errors="replace"))
        print("0 passed, 1 failed")
        return 1
    st, ref = run(sql_args(base, QUERIES), 60)
    if st != 0:
        print("FAIL pristine queries: %s" % ref.decode(errors="replace"))
        print("0 passed, 1 failed")
        return 1

    path = os.path.join(base, "driftdb.mdb")
    data = open(path, "rb").read()
    size = len(data)
    rnd = random.Random(SEED)
    places = []
    # meta pages: every byte of the first 160 of each
    for pg in (0, 1):
        for off in range(16, 160, 8):
            places.append(("meta", pg * PAGE + off))
    # page headers: pgno, flags, lower/upper of every page
    for pg in range(2, size // PAGE):
        places.append(("page header", pg * PAGE + rnd.choice([0, 1, 8, 10, 11, 12, 13, 14, 15])))
    # bytes inside records, found by their contents
    for m in MARKERS:
        start = 0
        hits = []
        while True:
            i = data.find(m, start)
            if i < 0:
                break
            hits.append(i)
            start = i + 1
        rnd.shuffle(hits)
        for i in hits[:12]:
            places.append(("record " + m.decode(), i + rnd.randrange(-24, len(m) + 8)))
    # h's checkpoint (one chunk: 8 keys of 400 ever) and the summaries of
    # s's records 27 and 28 (50 row events, form 1, E, one table, 50):
    # every few bytes of each, always among the flips
    must = []
    ck = data.find(b"\x01\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x01\x90")
    if ck < 0:
        print("FAIL the checkpoint chunk is not in the file")
        print("0 passed, 1 failed")
        return 1
    must += [("checkpoint", ck + i) for i in range(0, 48, 3)]
    sums = [m.start() for m in re.finditer(rb"\x32\x01.{32}\x01\x00\x00\x00.\x32", data, re.S)]
    if len(sums) != 2:
        print("FAIL %d log summaries in the file, not 2" % len(sums))
        print("0 passed, 1 failed")
        return 1
    for sm in sums:
        must += [("summary", sm + i) for i in range(0, 44, 4)]
    # anywhere in pages that hold something
    nonzero = [pg for pg in range(2, size // PAGE) if any(data[pg * PAGE + 16:(pg + 1) * PAGE])]
    while len(places) < FLIPS:
        pg = rnd.choice(nonzero)
        places.append(("random", pg * PAGE + rnd.randrange(PAGE)))
    rnd.shuffle(places)
    places = must + [(w, o) for (w, o) in places if 0 <= o < size][:FLIPS - len(must)]

    work = os.path.join(tmp, "work")
    figures = {"detected": 0, "harmless": 0, "crashes": 0, "hangs": 0, "undetected": 0, "caught": 0}
    npass = nfail = 0
    for what, off in places:
        shutil.rmtree(work, ignore_errors=True)
        os.mkdir(work)
        b = bytearray(data)
        b[off] ^= rnd.randrange(1, 256)
        with open(os.path.join(work, "driftdb.mdb"), "wb") as f:
            f.write(b)
        st, out = run([DRIFTDB, "verify", "--data", work, "--timeout", "20"], 60)
        bad = None
        if st == "timeout":
            figures["hangs"] += 1
            bad = "verify hung"
        elif st < 0:
            figures["crashes"] += 1
            bad = "verify crashed (signal %d)" % -st
        elif b"Sanitizer" in out and not lmdb_frame(out):
            figures["crashes"] += 1
            bad = "a sanitizer found an error in verify"
        elif st != 0:
            if not out.strip():
                bad = "verify failed (status %d) without a message" % st
            else:
                figures["detected"] += 1
                if b"crashed the check" in out or b"did not finish" in out or lmdb_frame(out):
                    figures["caught"] += 1
        else:
            qs, qout = run(sql_args(work, QUERIES), 60)
            if qs == "timeout":
                figures["hangs"] += 1
                bad = "verify said OK, a query hung"
            elif qs < 0:
                figures["crashes"] += 1
                bad = "verify said OK, a query crashed (signal %d)" % -qs
            elif qs != 0 or qout != ref:
                figures["undetected"] += 1
                diff = [l for l in qout.decode(errors="replace").splitlines()
                        if l not in ref.decode(errors="replace").splitlines()][:3]
                bad = "verify said OK but an answer changed: %s" % diff
            else:
                figures["harmless"] += 1
        if bad:
            nfail += 1
            print("FAIL offset %d (%s, page %d byte %d): %s" % (off, what, off // PAGE, off % PAGE, bad))
            print("#   verify: %s" % (out.decode(errors="replace").strip()[:300] if isinstance(out, bytes) else out))
        else:
            npass += 1
    print("corrupt: %d flips in a %d KiB file: %d detected (%d of them LMDB crashes or hangs caught in the "
          "child), %d harmless, %d crashes, %d hangs, %d undetected changes"
          % (len(places), size // 1024, figures["detected"], figures["caught"], figures["harmless"],
             figures["crashes"], figures["hangs"], figures["undetected"]))
    print("%d passed, %d failed" % (npass, nfail))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
