#!/usr/bin/python3
"""tests/clients/metrics_test.py BUILD - the HTTP listener (--http-listen):
/health/live, /health/ready and /metrics.

On a server of its own over a fresh database: both health checks answer
200, other paths 404 and other methods 405; /metrics is well-formed
Prometheus text (every sample's family declared, histogram buckets
cumulative up to +Inf = _count) and its counters move by exactly what the
test did between two scrapes: one session, its statements (seven, two of
them failing with classes 22 and 42P01's 42), five commits in five groups,
the head seq, the new table's rows, versions and history bytes, and one
lock wait of at least the time the holder kept the row.  During a smart
shutdown (SIGTERM with a session open) /health/ready answers 503 while
/health/live still answers 200.  A --http-listen port already taken stops
the server from starting.
Prints "ok NAME" / "FAIL NAME" lines.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import psycopg2

import harness
from harness import expect, free_port

BUILD = sys.argv[1]
report = harness.Report("metrics_")
TMP = tempfile.mkdtemp(prefix="driftdb-metrics-")


def http(port, path, method="GET"):
    """(status, body) of one request."""
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method,
                                 data=b"x" if method == "POST" else None)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$')


def scrape(port):
    """{(name, labels): value} of /metrics, after checking its format."""
    status, body = http(port, "/metrics")
    expect(status, 200, "/metrics status")
    types, out = {}, {}
    for line in body.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, typ = line.split(" ")
            types[name] = typ
            continue
        if line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            raise AssertionError("not a sample: %r" % line)
        name, labels, value = m.group(1), m.group(2) or "", float(m.group(3))
        family = re.sub(r"_(bucket|sum|count)$", "", name) if name not in types else name
        if family not in types:
            raise AssertionError("sample of an undeclared family: %r" % line)
        out[(name, labels)] = value
    for name, typ in types.items():
        if typ != "histogram":
            continue
        buckets = [(k[1], v) for k, v in out.items() if k[0] == name + "_bucket"]
        counts = [v for _, v in buckets]
        if counts != sorted(counts):
            raise AssertionError("%s: buckets not cumulative: %r" % (name, buckets))
        if out.get((name + "_bucket", '{le="+Inf"}')) != out.get((name + "_count", "")):
            raise AssertionError("%s: +Inf bucket is not _count" % name)
    return out


def v(m, name, labels=""):
    return m.get((name, labels), 0.0)


def start_server(data, port, hport):
    log = open(os.path.join(TMP, "server-%d.log" % port), "w")
    p = subprocess.Popen([os.path.join(BUILD, "driftdb-server"), "--data-path", data, "--listen",
                          "127.0.0.1:%d" % port, "--socket-dir", "", "--http-listen", "127.0.0.1:%d" % hport],
                         stdout=log, stderr=subprocess.STDOUT)
    for _ in range(200):
        try:
            if http(hport, "/health/live")[0] == 200:
                return p
        except OSError:
            pass
        if p.poll() is not None:
            raise AssertionError("server exited with %d" % p.returncode)
        time.sleep(0.05)
    raise AssertionError("server did not answer on its HTTP port")


def main():
    data = os.path.join(TMP, "db")
    subprocess.run([os.path.join(BUILD, "driftdb"), "init", data, "--superuser", "test"], check=True,
                   stdout=subprocess.DEVNULL)
    port, hport = free_port(), free_port()
    srv = start_server(data, port, hport)
    try:
        run_checks(port, hport)
        smart_shutdown(srv, port, hport)
    finally:
        if srv.poll() is None:
            srv.send_signal(signal.SIGINT)
            srv.wait(30)
    taken_port(data)


def run_checks(port, hport):
    @report.test
    def health():
        expect(http(hport, "/health/live"), (200, "live\n"), "/health/live")
        expect(http(hport, "/health/ready"), (200, "ready\n"), "/health/ready")
        expect(http(hport, "/nothing")[0], 404, "unknown path")
        expect(http(hport, "/metrics", "POST")[0], 405, "POST /metrics")
        expect(http(hport, "/health/live", "HEAD"), (200, ""), "HEAD /health/live")

    @report.test
    def counters_move_by_what_was_done():
        before = scrape(hport)
        conn = harness.connect(port, "test")
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("CREATE TABLE m (k int PRIMARY KEY, v text)")
        for k in (1, 2, 3):
            cur.execute("INSERT INTO m VALUES (%s, 'row')", (k,))
        cur.execute("UPDATE m SET v = 'changed' WHERE k = 2")
        for bad in ("SELECT 1 / 0", "SELECT * FROM no_such_table"):
            try:
                cur.execute(bad)
                raise AssertionError("%s did not fail" % bad)
            except psycopg2.Error:
                pass
        during = scrape(hport)
        conn.close()
        time.sleep(0.2)   # the session's thread ends after the client leaves
        after = scrape(hport)

        def moved(name, want, labels=""):
            expect(v(during, name, labels) - v(before, name, labels), want, name + labels)

        moved("driftdb_sessions", 1)
        moved("driftdb_sessions_total", 1)
        expect(v(after, "driftdb_sessions"), v(before, "driftdb_sessions"), "sessions after close")
        moved("driftdb_statements_total", 7)
        moved("driftdb_statement_duration_seconds_count", 7)
        moved("driftdb_errors_total", 1, '{class="22"}')
        moved("driftdb_errors_total", 1, '{class="42"}')
        moved("driftdb_commits_total", 5)
        moved("driftdb_commit_groups_total", 5)
        moved("driftdb_commit_duration_seconds_count", 5)
        moved("driftdb_commit_group_size_sum", 5)
        moved("driftdb_commit_group_size_bucket", 5, '{le="1"}')
        moved("driftdb_head_seq", 5)
        expect(v(during, "driftdb_flushes_total") >= v(before, "driftdb_flushes_total") + 5, True,
               "a flush per group")
        t = '{schema="public",table="m"}'
        expect(v(during, "driftdb_table_live_rows", t), 3, "live rows")
        expect(v(during, "driftdb_table_versions", t), 4, "versions (three inserts, one update)")
        expect(v(during, "driftdb_table_history_bytes", t) > 0, True, "history bytes")
        expect(v(during, "driftdb_data_file_bytes") > 0, True, "data file bytes")

    @report.test
    def lock_wait_counted():
        before = scrape(hport)
        a = harness.connect(port, "test")
        b = harness.connect(port, "test")
        b.autocommit = True
        ca = a.cursor()
        ca.execute("UPDATE m SET v = 'held' WHERE k = 1")   # a's transaction holds the row
        done = []

        def waiter():
            b.cursor().execute("UPDATE m SET v = 'waited' WHERE k = 1")
            done.append(time.monotonic())

        th = threading.Thread(target=waiter)
        th.start()
        time.sleep(0.5)
        expect(done, [], "the second UPDATE waits")
        a.commit()
        th.join(10)
        expect(len(done), 1, "the second UPDATE ends once the first commits")
        a.close()
        b.close()
        after = scrape(hport)
        expect(v(after, "driftdb_lock_waits_total") - v(before, "driftdb_lock_waits_total"), 1, "lock waits")
        waited = v(after, "driftdb_lock_wait_seconds_total") - v(before, "driftdb_lock_wait_seconds_total")
        expect(0.4 <= waited < 10, True, "lock wait seconds %.3f" % waited)


def smart_shutdown(srv, port, hport):
    @report.test
    def not_ready_in_smart_shutdown():
        conn = harness.connect(port, "test")
        srv.send_signal(signal.SIGTERM)
        status = None
        for _ in range(100):
            status, body = http(hport, "/health/ready")
            if status == 503:
                break
            time.sleep(0.05)
        expect(status, 503, "/health/ready during a smart shutdown")
        expect("shutting down" in body, True, "its reason: %r" % body)
        expect(http(hport, "/health/live")[0], 200, "/health/live during a smart shutdown")
        conn.close()
        expect(srv.wait(30), 0, "exit status once the last session left")


def taken_port(data):
    @report.test
    def taken_http_port_fails_start():
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        hport = s.getsockname()[1]
        try:
            r = subprocess.run([os.path.join(BUILD, "driftdb-server"), "--data-path", data, "--listen",
                                "127.0.0.1:%d" % free_port(), "--socket-dir", "", "--http-listen",
                                "127.0.0.1:%d" % hport], capture_output=True, text=True, timeout=30)
        finally:
            s.close()
        expect(r.returncode != 0, True, "exit status")
        expect("--http-listen: could not listen on 127.0.0.1:%d" % hport in r.stderr, True,
               "message: %r" % r.stderr[-300:])

    @report.test
    def port_out_of_range_refused():
        # getaddrinfo would take 110989 as 110989 - 65536: a port another
        # service may expect
        for flag, spec in (("--listen", "127.0.0.1:110989"), ("--http-listen", "127.0.0.1:99999"),
                           ("--http-listen", "nonsense")):
            args = [os.path.join(BUILD, "driftdb-server"), "--data-path", data, "--socket-dir", "",
                    "--listen", "127.0.0.1:%d" % free_port()]
            if flag == "--listen":
                args[-1] = spec
            else:
                args += [flag, spec]
            r = subprocess.run(args, capture_output=True, text=True, timeout=30)
            expect(r.returncode != 0, True, "exit status for %s %s" % (flag, spec))
            expect('%s wants HOST:PORT (a port from 0 to 65535), not "%s"' % (flag, spec) in r.stderr, True,
                   "message: %r" % r.stderr[-300:])


try:
    main()
finally:
    shutil.rmtree(TMP, ignore_errors=True)
sys.exit(1 if report.fails else 0)
