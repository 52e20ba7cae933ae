#!/usr/bin/python3
"""tests/clients/stress.py PORT [SECONDS] - concurrency and isolation under load.

Runs against a server on a fresh, empty database (run.sh starts one of its
own), through psycopg2 with one connection per thread.  Checks:

stress_bank_transfers   8 threads move money between 20 accounts (1000
    each), at each isolation level in turn: BEGIN; read both balances (FOR
    UPDATE under READ COMMITTED, plain reads under REPEATABLE READ and
    SERIALIZABLE); UPDATE both to values computed from what was read;
    COMMIT; retried on 40001 (a row changed since the snapshot) and 40P01
    (two transfers locking in opposite orders).  No error but those;
    conflicts must actually happen and every level must commit transfers;
    at the end the total is 20000, AS OF every seq too, and every account
    equals 1000 plus the net of the committed transfers (a lost update
    would break this).
stress_snapshot_reads   meanwhile a reader: autocommit sums are 20000;
    inside BEGIN (REPEATABLE READ) two sums and two full reads of the table
    are equal (snapshot isolation) and sum to 20000.
stress_time_travel      meanwhile a reader picks a past seq n <= drift_seq()
    and checks sum AS OF @SEQ:n = 20000 and that the per-account result AS
    OF n is the same twice and again at the very end (history immutable),
    and the same AS OF the commit time of n.
stress_history          at the end: count(*) of drift_commits = drift_seq()
    with seqs 1..head; the commits made by the transfer connections
    (application_name) are exactly the committed transfers, each with
    changes = 2; FOR SYSTEM_TIME ALL has 20 + 2 * transfers versions;
    commit times strictly increase with seq; VERIFY says OK for every
    commit.
stress_lost_update      6 threads each UPDATE c SET n = n + 1 WHERE id = 1
    K times (autocommit, retried on 40001): n = 6 * K, and one commit and
    one version per increment.
stress_lost_update_rmw  the same with BEGIN (REPEATABLE READ); SELECT n; UPDATE SET n = read
    + 1; COMMIT on row 2 (the classic lost-update pattern).
stress_asof_repeatable  4 threads insert one row per commit while a reader
    asks 10,000 times (and on until it has met 100 seqs, 20 s at most)
    SELECT now(), drift_seq_at(now()) and every 20th
    time count(*) AS OF now() too (autocommit: now() is the statement's start, taken while commits
    are in flight); once the writers stop, every one of those times must
    resolve to the same seq and the same count again (a commit timestamp
    is never visible after a reader resolved a later point).

stress_serializable     4 threads keep at least one of 4 doctors on call:
    BEGIN ISOLATION LEVEL SERIALIZABLE; count those on call; take one off
    when two or more are, else put one on; COMMIT; retried on 40001.  At
    every seq of the run at least one is on call (REPEATABLE READ lets
    write skew empty the rota); conflicts must happen.

Prints "ok NAME" / "FAIL NAME" lines plus "# ..." notes with the numbers.
A watchdog fails everything still pending if the server stops answering.
"""
import os
import random
import sys
import threading
import time
import traceback

import psycopg2
import psycopg2.errors

import harness

PORT = int(sys.argv[1])
DURATION = float(sys.argv[2]) if len(sys.argv) > 2 else 4.0
NACC = 20
START = 1000
TOTAL = NACC * START
TRANSFER_THREADS = 8
COUNTER_THREADS = 6
COUNTER_K = 100
WATCHDOG = 150.0   # a sanitizer build takes about twice the 30 s of a plain one

lock = threading.Lock()
pending = ["stress_bank_transfers", "stress_snapshot_reads", "stress_time_travel",
           "stress_history", "stress_lost_update", "stress_lost_update_rmw",
           "stress_asof_repeatable", "stress_serializable"]
LEVELS = ["READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"]


def report(name, ok, detail=None):
    with lock:
        if name not in pending:
            return
        pending.remove(name)
        print(("ok " if ok else "FAIL ") + name)
        if detail:
            for line in detail:
                print("  " + line)
        sys.stdout.flush()


def note(msg):
    with lock:
        print(msg)
        sys.stdout.flush()


def watchdog():
    time.sleep(WATCHDOG)
    with lock:
        for name in list(pending):
            print("FAIL %s (no answer after %.0f s: server hung?)" % (name, WATCHDOG))
        sys.stdout.flush()
    os._exit(1)


def connect(app="stress", autocommit=False, repeatable=False, level=None):
    """repeatable: transactions run REPEATABLE READ (snapshot isolation), as
    PostgreSQL needs too for a read-then-write without a lost update or for
    reads that agree with each other; the default is READ COMMITTED, or
    level when given."""
    conn = harness.connect(PORT, application_name=app)
    if repeatable or level:
        conn.set_session(isolation_level=level or "REPEATABLE READ")
    conn.autocommit = autocommit
    return conn


def one(cur, sql, args=None):
    cur.execute(sql, args)
    rows = cur.fetchall()
    if len(rows) != 1 or len(rows[0]) != 1:
        raise AssertionError("%s: expected one value, got %r" % (sql, rows))
    return rows[0][0]


def is_conflict(e):
    """A failure to retry, as on PostgreSQL: 40001, or 40P01 when two
    transfers lock their two accounts in opposite orders."""
    return isinstance(e, psycopg2.Error) and e.pgcode in ("40001", "40P01")


class Failures:
    """Collects the first few failures of one check (thread-safe)."""

    def __init__(self):
        self.items = []
        self.count = 0

    def add(self, msg):
        with lock:
            self.count += 1
            if len(self.items) < 8:
                self.items.append(msg)

    def add_exc(self, where):
        tb = traceback.format_exc().splitlines()
        self.add("%s: %s" % (where, tb[-1]))

    def lines(self):
        extra = [] if self.count <= len(self.items) else \
            ["... %d more" % (self.count - len(self.items))]
        return self.items + extra


# ---- setup ----------------------------------------------------------------
try:
    threading.Thread(target=watchdog, daemon=True).start()
    admin = connect("stress_admin", autocommit=True)
    acur = admin.cursor()
    acur.execute("CREATE TABLE accounts (id INT PRIMARY KEY, balance BIGINT)")
    acur.execute("INSERT INTO accounts (id, balance) VALUES " +
                 ", ".join("(%d, %d)" % (i, START) for i in range(1, NACC + 1)))
    acur.execute("CREATE TABLE c (id INT PRIMARY KEY, n BIGINT)")
    acur.execute("INSERT INTO c (id, n) VALUES (1, 0), (2, 0)")
    SETUP_SEQ = one(acur, "SELECT drift_seq()")
    # the accounts exist from the second commit on
    ACC_SEQ = 2
    if one(acur, "SELECT sum(balance) FROM accounts") != TOTAL:
        raise AssertionError("setup: sum is not %d" % TOTAL)
except Exception:
    print("FAIL stress_setup")
    for line in traceback.format_exc().splitlines()[-4:]:
        print("  " + line)
    with lock:
        for name in pending:
            print("FAIL %s (no setup)" % name)
    sys.stdout.flush()
    os._exit(1)

stop = threading.Event()

# ---- 1. bank transfers -------------------------------------------------------
bank_fail = Failures()
bank = {"commits": 0, "conflicts": 0, "conflicts_at_commit": 0, "attempts": 0}
bank_level = {lv: 0 for lv in LEVELS}    # commits per isolation level
net = [0] * (NACC + 1)        # committed net change per account


def transfer_worker(seed):
    rnd = random.Random(seed)
    level = LEVELS[seed % len(LEVELS)]
    # READ COMMITTED reads a fresh snapshot per statement: without FOR
    # UPDATE two transfers would both write from the same old balance
    lock_clause = " FOR UPDATE" if level == "READ COMMITTED" else ""
    try:
        conn = connect("stress_transfer", level=level)
        cur = conn.cursor()
    except Exception:
        bank_fail.add_exc("connect")
        return
    commits = conflicts = at_commit = attempts = 0
    local_net = [0] * (NACC + 1)
    while not stop.is_set():
        a, b = rnd.sample(range(1, NACC + 1), 2)
        amount = rnd.randint(1, 100)
        while not stop.is_set():          # retry the same transfer on 40001
            attempts += 1
            stage = "read"
            try:
                cur.execute("SELECT id, balance FROM accounts WHERE id = %s OR id = %s" + lock_clause,
                            (a, b))
                bal = dict(cur.fetchall())
                if sorted(bal) != sorted([a, b]):
                    raise AssertionError("read accounts %d,%d: got %r" % (a, b, bal))
                stage = "update"
                cur.execute("UPDATE accounts SET balance = %s WHERE id = %s",
                            (bal[a] - amount, a))
                if cur.rowcount != 1:
                    raise AssertionError("UPDATE %d: rowcount %d" % (a, cur.rowcount))
                cur.execute("UPDATE accounts SET balance = %s WHERE id = %s",
                            (bal[b] + amount, b))
                if cur.rowcount != 1:
                    raise AssertionError("UPDATE %d: rowcount %d" % (b, cur.rowcount))
                stage = "commit"
                conn.commit()
                commits += 1
                local_net[a] -= amount
                local_net[b] += amount
                break
            except psycopg2.Error as e:
                try:
                    conn.rollback()
                except psycopg2.Error:
                    pass
                if not is_conflict(e):
                    bank_fail.add("transfer %d->%d at %s: %s %s" %
                                  (a, b, stage, e.pgcode, str(e).strip()))
                    if conn.closed:
                        return
                    break
                conflicts += 1
                if stage == "commit":
                    at_commit += 1
            except Exception:
                bank_fail.add_exc("transfer %d->%d" % (a, b))
                try:
                    conn.rollback()
                except psycopg2.Error:
                    pass
                break
    try:
        conn.rollback()
        conn.close()
    except psycopg2.Error:
        pass
    with lock:
        bank["commits"] += commits
        bank["conflicts"] += conflicts
        bank["conflicts_at_commit"] += at_commit
        bank["attempts"] += attempts
        bank_level[level] += commits
        for i in range(NACC + 1):
            net[i] += local_net[i]


# ---- snapshot reader ----------------------------------------------------------
snap_fail = Failures()
snap = {"autocommit": 0, "blocks": 0}


def snapshot_reader():
    try:
        conn = connect("stress_reader", repeatable=True)
        cur = conn.cursor()
        while not stop.is_set():
            conn.autocommit = True
            s = one(cur, "SELECT sum(balance) FROM accounts")
            if s != TOTAL:
                snap_fail.add("autocommit sum %r" % s)
            snap["autocommit"] += 1
            conn.autocommit = False
            s1 = one(cur, "SELECT sum(balance) FROM accounts")
            cur.execute("SELECT id, balance FROM accounts ORDER BY id")
            r1 = cur.fetchall()
            time.sleep(0.01)               # let transfers commit in between
            cur.execute("SELECT id, balance FROM accounts ORDER BY id")
            r2 = cur.fetchall()
            s2 = one(cur, "SELECT sum(balance) FROM accounts")
            conn.commit()
            snap["blocks"] += 1
            if s1 != TOTAL or s2 != TOTAL or s1 != s2:
                snap_fail.add("in one transaction: sums %r then %r" % (s1, s2))
            if r1 != r2:
                snap_fail.add("in one transaction the rows changed: %r / %r" % (r1, r2))
            if len(r1) != NACC or sum(b for _, b in r1) != TOTAL:
                snap_fail.add("in one transaction: %d rows summing to %d" %
                              (len(r1), sum(b for _, b in r1)))
        conn.close()
    except Exception:
        snap_fail.add_exc("reader")


# ---- time travel reader -------------------------------------------------------
tt_fail = Failures()
tt = {"queries": 0, "max_seq": 0}
seen = {}                       # seq -> rows AS OF it


def as_of_rows(cur, n):
    cur.execute("SELECT id, balance FROM accounts FOR SYSTEM_TIME AS OF @SEQ:%d"
                " ORDER BY id" % n)
    return cur.fetchall()


def time_traveller(seed):
    rnd = random.Random(seed)
    try:
        conn = connect("stress_timetravel", autocommit=True)
        cur = conn.cursor()
        while not stop.is_set():
            head = one(cur, "SELECT drift_seq()")
            tt["max_seq"] = max(tt["max_seq"], head)
            # mostly recent history, sometimes anywhere
            lo = ACC_SEQ if rnd.random() < 0.3 else max(ACC_SEQ, head - 20)
            n = rnd.randint(lo, head)
            s = one(cur, "SELECT sum(balance) FROM accounts FOR SYSTEM_TIME AS OF @SEQ:%d" % n)
            if s != TOTAL:
                tt_fail.add("sum AS OF @SEQ:%d = %r" % (n, s))
            r1 = as_of_rows(cur, n)
            r2 = as_of_rows(cur, n)
            tt["queries"] += 3
            if r1 != r2:
                tt_fail.add("AS OF @SEQ:%d changed between two reads" % n)
            if len(r1) != NACC or sum(b for _, b in r1) != TOTAL:
                tt_fail.add("AS OF @SEQ:%d: %d rows summing to %d" %
                            (n, len(r1), sum(b for _, b in r1)))
            if n in seen and seen[n] != r1:
                tt_fail.add("AS OF @SEQ:%d differs from an earlier read" % n)
            seen.setdefault(n, r1)
        conn.close()
    except Exception:
        tt_fail.add_exc("time travel")


threads = [threading.Thread(target=transfer_worker, args=(1000 + i,))
           for i in range(TRANSFER_THREADS)]
threads.append(threading.Thread(target=snapshot_reader))
threads.append(threading.Thread(target=time_traveller, args=(7,)))
t0 = time.time()
for t in threads:
    t.start()
time.sleep(DURATION)
stop.set()
for t in threads:
    t.join()
elapsed = time.time() - t0

note("transfers: %d commits, %d conflicts (%d at COMMIT), %d attempts in %.1f s"
     % (bank["commits"], bank["conflicts"], bank["conflicts_at_commit"],
        bank["attempts"], elapsed))
note("snapshot reader: %d autocommit sums, %d transaction blocks; time travel: "
     "%d queries over %d distinct seqs"
     % (snap["autocommit"], snap["blocks"], tt["queries"], len(seen)))

# ---- final state of the bank ---------------------------------------------------
try:
    s = one(acur, "SELECT sum(balance) FROM accounts")
    if s != TOTAL:
        bank_fail.add("final sum %r, expected %d" % (s, TOTAL))
    acur.execute("SELECT id, balance FROM accounts ORDER BY id")
    rows = acur.fetchall()
    want = [(i, START + net[i]) for i in range(1, NACC + 1)]
    if rows != want:
        bad = [(i, got, w) for (i, got), (_, w) in zip(rows, want) if got != w]
        bank_fail.add("final balances differ from the committed transfers "
                      "(id, got, expected): %r" % (bad[:5] if bad else rows))
    if bank["commits"] == 0:
        bank_fail.add("no transfer committed")
    if bank["conflicts"] == 0:
        bank_fail.add("no 40001 conflict happened: the test proves nothing")
    for lv in LEVELS:
        if bank_level[lv] == 0:
            bank_fail.add("no transfer committed under %s" % lv)
    # the total at every seq of the run
    head = one(acur, "SELECT drift_seq()")
    for n in range(SETUP_SEQ, head + 1):
        s = one(acur, "SELECT sum(balance) FROM accounts FOR SYSTEM_TIME AS OF @SEQ:%d" % n)
        if s != TOTAL:
            bank_fail.add("sum AS OF @SEQ:%d is %r, expected %d" % (n, s, TOTAL))
            break
    note("transfers committed per level: %s; total checked AS OF %d seqs"
         % (", ".join("%s %d" % (lv, bank_level[lv]) for lv in LEVELS), head - SETUP_SEQ + 1))
except Exception:
    bank_fail.add_exc("final bank state")
report("stress_bank_transfers", bank_fail.count == 0, bank_fail.lines())
if snap["blocks"] == 0:
    snap_fail.add("no transaction block ran")
report("stress_snapshot_reads", snap_fail.count == 0, snap_fail.lines())

# history is immutable: every seq read during the run reads the same now
try:
    for n in sorted(seen)[:: max(1, len(seen) // 50)]:
        if as_of_rows(acur, n) != seen[n]:
            tt_fail.add("AS OF @SEQ:%d differs after the run" % n)
    # a commit's timestamp stands for its seq: AS OF that time = AS OF @SEQ
    for n in sorted(seen)[:: max(1, len(seen) // 20)]:
        t = one(acur, "SELECT commit_time FROM drift_commits WHERE seq = %d" % n)
        acur.execute("SELECT id, balance FROM accounts FOR SYSTEM_TIME AS OF %s"
                     " ORDER BY id", (t,))
        if acur.fetchall() != seen[n]:
            tt_fail.add("AS OF %s (commit time of seq %d) differs from AS OF @SEQ:%d"
                        % (t.isoformat(), n, n))
    if tt["queries"] == 0:
        tt_fail.add("no time travel query ran")
except Exception:
    tt_fail.add_exc("time travel recheck")
report("stress_time_travel", tt_fail.count == 0, tt_fail.lines())

# ---- commit log, versions, VERIFY ----------------------------------------------
hist_fail = Failures()
try:
    head = one(acur, "SELECT drift_seq()")
    acur.execute("SELECT count(*), min(seq), max(seq) FROM drift_commits")
    cnt, lo, hi = acur.fetchone()
    if (cnt, lo, hi) != (head, 1, head):
        hist_fail.add("drift_commits count/min/max %r, drift_seq() %d" % ((cnt, lo, hi), head))
    acur.execute("SELECT seq, commit_time FROM drift_commits ORDER BY seq")
    times = acur.fetchall()
    for (s0, t0_), (s1, t1_) in zip(times, times[1:]):
        if s1 != s0 + 1 or t1_ <= t0_:
            hist_fail.add("drift_commits seq %d at %s, then seq %d at %s: not strictly "
                          "increasing" % (s0, t0_.isoformat(), s1, t1_.isoformat()))
            break
    acur.execute("SELECT count(*), min(changes), max(changes) FROM drift_commits"
                 " WHERE application_name = 'stress_transfer'")
    tcnt, cmin, cmax = acur.fetchone()
    if tcnt != bank["commits"]:
        hist_fail.add("%d commits by stress_transfer in drift_commits, %d transfers committed"
                      % (tcnt, bank["commits"]))
    if tcnt and (cmin, cmax) != (2, 2):
        hist_fail.add("transfer commits have changes between %r and %r, expected 2"
                      % (cmin, cmax))
    other = one(acur, "SELECT count(*) FROM drift_commits WHERE application_name <> 'stress_transfer'"
                      " AND seq > %d" % SETUP_SEQ)
    if other != 0:
        hist_fail.add("%d commits by other connections during the run "
                      "(the readers must not commit)" % other)
    if head != SETUP_SEQ + bank["commits"]:
        hist_fail.add("drift_seq() %d, expected %d setup + %d transfers"
                      % (head, SETUP_SEQ, bank["commits"]))
    versions = one(acur, "SELECT count(*) FROM accounts FOR SYSTEM_TIME ALL")
    if versions != NACC + 2 * bank["commits"]:
        hist_fail.add("%d versions, expected %d + 2 * %d"
                      % (versions, NACC, bank["commits"]))
    acur.execute("VERIFY")
    v = acur.fetchall()
    if v != [(head, None, "OK")]:
        hist_fail.add("VERIFY returned %r, expected [(%d, None, 'OK')]" % (v, head))
    note("history: drift_seq() %d, %d transfer commits, %d account versions"
         % (head, tcnt, versions))
except Exception:
    hist_fail.add_exc("history")
report("stress_history", hist_fail.count == 0, hist_fail.lines())


# ---- 4. lost updates on a counter ---------------------------------------------
def counter_worker(mode, fails, stats):
    try:
        conn = connect("stress_counter", autocommit=(mode == "autocommit"), repeatable=True)
        cur = conn.cursor()
    except Exception:
        fails.add_exc("connect")
        return
    done = conflicts = 0
    while done < COUNTER_K:
        try:
            if mode == "autocommit":
                cur.execute("UPDATE c SET n = n + 1 WHERE id = 1")
                if cur.rowcount != 1:
                    raise AssertionError("rowcount %d" % cur.rowcount)
            else:
                n = one(cur, "SELECT n FROM c WHERE id = 2")
                cur.execute("UPDATE c SET n = %s WHERE id = 2", (n + 1,))
                if cur.rowcount != 1:
                    raise AssertionError("rowcount %d" % cur.rowcount)
                conn.commit()
            done += 1
        except psycopg2.Error as e:
            try:
                conn.rollback()
            except psycopg2.Error:
                pass
            if not is_conflict(e):
                fails.add("%s: %s %s" % (mode, e.pgcode, str(e).strip()))
                if conn.closed:
                    break
                done += 1       # give up on this one; the count check reports it
                continue
            conflicts += 1
        except Exception:
            fails.add_exc(mode)
            break
    conn.close()
    with lock:
        stats["increments"] += done
        stats["conflicts"] += conflicts


def counter_test(name, mode, row):
    fails = Failures()
    stats = {"increments": 0, "conflicts": 0}
    try:
        seq0 = one(acur, "SELECT drift_seq()")
        t = time.time()
        ws = [threading.Thread(target=counter_worker, args=(mode, fails, stats))
              for _ in range(COUNTER_THREADS)]
        for w in ws:
            w.start()
        for w in ws:
            w.join()
        n = one(acur, "SELECT n FROM c WHERE id = %d" % row)
        want = COUNTER_THREADS * COUNTER_K
        if n != want:
            fails.add("n = %r after %d x %d increments" % (n, COUNTER_THREADS, COUNTER_K))
        seq1 = one(acur, "SELECT drift_seq()")
        if seq1 - seq0 != want:
            fails.add("%d commits for %d increments" % (seq1 - seq0, want))
        versions = one(acur, "SELECT count(*) FROM c FOR SYSTEM_TIME ALL WHERE id = %d" % row)
        if versions != 1 + want:
            fails.add("%d versions of the counter, expected %d" % (versions, 1 + want))
        note("%s: %d threads x %d increments, %d conflicts, %.1f s"
             % (name, COUNTER_THREADS, COUNTER_K, stats["conflicts"], time.time() - t))
    except Exception:
        fails.add_exc(name)
    report(name, fails.count == 0, fails.lines())


counter_test("stress_lost_update", "autocommit", 1)
counter_test("stress_lost_update_rmw", "transaction", 2)


def asof_test(asks=10000, writers=4):
    fails = Failures()
    stop = threading.Event()
    try:
        acur.execute("CREATE TABLE ev (id bigserial PRIMARY KEY, w int)")

        def writer(w):
            try:
                conn = connect("asof-writer", autocommit=True)
                cur = conn.cursor()
                while not stop.is_set():
                    cur.execute("INSERT INTO ev (w) VALUES (%s)", (w,))
                conn.close()
            except Exception:
                fails.add_exc("asof writer")

        ws = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
        for w in ws:
            w.start()
        rconn = connect("asof-reader", autocommit=True)
        rcur = rconn.cursor()
        seen = []
        t = time.time()
        seqs = set()
        try:
            # at least `asks`, and on until the writers have committed
            # between them (a fast reader can be done before the writers
            # are under way)
            i = 0
            while i < asks or (len(seqs) < 100 and time.time() - t < 20):
                # every 20th also counts AS OF the point (a scan AS OF a
                # past point costs every key the table had: keep it light)
                if i % 20 == 0:
                    rcur.execute("SELECT now(), drift_seq_at(now()), "
                                 "(SELECT count(*) FROM ev FOR SYSTEM_TIME AS OF now())")
                else:
                    rcur.execute("SELECT now(), drift_seq_at(now()), NULL")
                seen.append(rcur.fetchone())
                seqs.add(seen[-1][1])
                i += 1
        finally:
            stop.set()
            for w in ws:
                w.join()
        head = one(rcur, "SELECT drift_seq()")
        rcur.execute("SELECT t, drift_seq_at(t) FROM unnest(%s::timestamptz[]) WITH ORDINALITY AS u(t, i) "
                     "ORDER BY i", ([r[0] for r in seen],))
        again = rcur.fetchall()
        moved = [(a[0], a[1], b[1]) for a, b in zip(seen, again) if a[1] != b[1]]
        if len(again) != len(seen):
            fails.add("%d answers for %d times" % (len(again), len(seen)))
        for ts, s1, s2 in moved[:8]:
            fails.add("drift_seq_at(%s) was %d, is now %d" % (ts, s1, s2))
        if len(moved) > 8:
            fails.add("... %d of %d times resolved differently" % (len(moved), len(seen)))
        counts_moved = 0
        for ts, s1, c1 in seen[::20]:
            c2 = one(rcur, "SELECT count(*) FROM ev FOR SYSTEM_TIME AS OF %s", (ts,))
            c3 = one(rcur, "SELECT count(*) FROM ev FOR SYSTEM_TIME AS OF @SEQ:%d" % s1)
            if not (c1 == c2 == c3):
                counts_moved += 1
                if counts_moved <= 4:
                    fails.add("AS OF %s: count %d then %d, %d at its seq %d" % (ts, c1, c2, c3, s1))
        distinct = len(seqs)
        if distinct < 50:
            fails.add("only %d distinct seqs seen: the writers did not overlap the reader" % distinct)
        note("stress_asof_repeatable: %d asks under %d writers, %d commits, %d distinct seqs, %.1f s"
             % (len(seen), writers, head, distinct, time.time() - t))
        rconn.close()
    except Exception:
        stop.set()
        fails.add_exc("stress_asof_repeatable")
    report("stress_asof_repeatable", fails.count == 0, fails.lines())


asof_test()


def serializable_test(threads=4, seconds=None):
    """Write skew: each transaction checks that another doctor is on call
    before going off.  Only SERIALIZABLE keeps the rule under concurrency."""
    seconds = seconds if seconds is not None else max(1.0, DURATION / 2)
    fails = Failures()
    stats = {"commits": 0, "conflicts": 0}
    done = threading.Event()
    try:
        acur.execute("CREATE TABLE rota (id int PRIMARY KEY, on_call boolean NOT NULL)")
        acur.execute("INSERT INTO rota SELECT g, true FROM generate_series(1, 4) g")
        seq0 = one(acur, "SELECT drift_seq()")

        def worker(seed):
            rnd = random.Random(seed)
            commits = conflicts = 0
            try:
                conn = connect("stress_rota", level="SERIALIZABLE")
                cur = conn.cursor()
                while not done.is_set():
                    try:
                        cur.execute("SELECT id, on_call FROM rota")
                        rows = cur.fetchall()
                        on = [i for i, c in rows if c]
                        off = [i for i, c in rows if not c]
                        if len(on) >= 2:
                            cur.execute("UPDATE rota SET on_call = false WHERE id = %s", (rnd.choice(on),))
                        else:
                            cur.execute("UPDATE rota SET on_call = true WHERE id = %s", (rnd.choice(off),))
                        conn.commit()
                        commits += 1
                    except psycopg2.Error as e:
                        try:
                            conn.rollback()
                        except psycopg2.Error:
                            pass
                        if not is_conflict(e):
                            fails.add("rota: %s %s" % (e.pgcode, str(e).strip()))
                            if conn.closed:
                                return
                        conflicts += 1
                conn.close()
            except Exception:
                fails.add_exc("rota worker")
            with lock:
                stats["commits"] += commits
                stats["conflicts"] += conflicts

        ws = [threading.Thread(target=worker, args=(50 + i,)) for i in range(threads)]
        for w in ws:
            w.start()
        time.sleep(seconds)
        done.set()
        for w in ws:
            w.join()
        head = one(acur, "SELECT drift_seq()")
        for n in range(seq0, head + 1):
            c = one(acur, "SELECT count(*) FROM rota FOR SYSTEM_TIME AS OF @SEQ:%d WHERE on_call" % n)
            if c < 1:
                fails.add("nobody on call AS OF @SEQ:%d (write skew)" % n)
                break
        if stats["commits"] < 2:
            fails.add("%d commits: the test proves nothing" % stats["commits"])
        if stats["conflicts"] == 0:
            fails.add("no 40001 conflict happened: the test proves nothing")
        note("stress_serializable: %d commits, %d conflicts over %d threads, %d seqs checked"
             % (stats["commits"], stats["conflicts"], threads, head - seq0 + 1))
    except Exception:
        done.set()
        fails.add_exc("stress_serializable")
    report("stress_serializable", fails.count == 0, fails.lines())


serializable_test()
try:
    acur.execute("VERIFY")
    v = acur.fetchall()
    if v[0][2] != "OK":
        note("final VERIFY: %r" % (v,))
    admin.close()
except Exception:
    pass
note("stress total %.1f s" % (time.time() - t0))
sys.stdout.flush()
os._exit(0)
