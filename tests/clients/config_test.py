#!/usr/bin/python3
"""tests/clients/config_test.py BUILD - driftdb-server's settings and log.

Starts servers on free loopback ports over databases made with
`driftdb init DIR --superuser test` in /tmp/cfg-test-* (removed at the end)
and checks: a --config file's values used (listen, hba, data_path relative
to the file's directory while the server runs elsewhere); command line >
environment > file; a bad line, a bad value, an unreadable file and a bad
DRIFTDB_* variable stop it with exit 2 and say where; DRIFTDB_* variables
alone; --log-level filtering (DEBUG lines at debug2 only, no LOG line at
fatal); --log-connections; log_min_duration_statement (0 logs every
statement in PostgreSQL's format for the simple and the extended protocol,
-1 none, 100 ms the slow one only; SET by a superuser only, per session);
SIGHUP with a changed hba file (admitted after, an open connection kept),
with a broken one (old rules kept, the error logged) and with a changed
config file (log settings applied to open sessions); SHOW port,
max_connections and ssl giving the server's, which no session may SET.
Prints "ok NAME" / "FAIL NAME" lines.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import psycopg2
import psycopg

import harness
from harness import free_port

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
SERVER = os.path.abspath(os.path.join(BUILD, "driftdb-server"))
CLI = os.path.abspath(os.path.join(BUILD, "driftdb"))
PROCS = []
report = harness.Report()   # the names carry their own prefixes
check = report.check


def make_db(path):
    subprocess.run([CLI, "init", path, "--superuser", "test"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def clean_env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRIFTDB_")}
    env.update(extra or {})
    return env


class Server:
    """A driftdb-server whose stderr goes to log; started() waits until a
    client can connect on port (the LOG lines may be filtered out)."""

    def __init__(self, tmp, name, args, env=None, cwd=None):
        self.logpath = os.path.join(tmp, name + ".log")
        self.logf = open(self.logpath, "w")
        self.proc = subprocess.Popen([SERVER] + args, stderr=self.logf, stdout=subprocess.DEVNULL,
                                     env=clean_env(env), cwd=cwd)
        PROCS.append(self.proc)

    def started(self, port):
        for _ in range(100):
            if self.proc.poll() is not None:
                return False
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.05)
        return False

    def log(self):
        if not self.logf.closed:
            self.logf.flush()
        with open(self.logpath) as f:
            return f.read()

    def wait_log(self, pattern, timeout=5):
        end = time.time() + timeout
        while time.time() < end:
            if re.search(pattern, self.log(), re.M):
                return True
            time.sleep(0.05)
        return False

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)   # fast: SIGTERM would wait for clients
        try:
            rc = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.logf.close()
        return rc


def connect(port, user="test"):
    return harness.connect(port, user=user, connect_timeout=5)


def query(port, sql, user="test"):
    c = connect(port, user)
    c.autocommit = True
    try:
        cur = c.cursor()
        cur.execute(sql)
        return cur.fetchall() if cur.description else None
    finally:
        c.close()


def refused(port, user):
    """The error text of a refused connection, or None when it worked."""
    try:
        connect(port, user).close()
        return None
    except psycopg2.OperationalError as e:
        return str(e)


def run_exit(tmp, name, args, env=None):
    """Runs a server that must not start: (exit status, stderr)."""
    p = subprocess.run([SERVER] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       env=clean_env(env), timeout=20)
    return p.returncode, p.stderr


HBA_TEST_ONLY = "host all test 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 reject\n"
HBA_ALL = "host all all 127.0.0.1/32 trust\n"


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def test_config_file(tmp):
    """Values from the file, paths relative to its directory (the server
    runs in another directory)."""
    cdir = os.path.join(tmp, "conf")
    os.mkdir(cdir)
    make_db(os.path.join(cdir, "db"))
    write(os.path.join(cdir, "hba.conf"), HBA_TEST_ONLY)
    port = free_port()
    conf = os.path.join(cdir, "server.conf")
    write(conf, "# a comment\n\ndata_path = 'db'    # relative to this file\n"
                "listen 127.0.0.1:%d\nsocket-dir = ''\nhba = 'hba.conf'\nmax_connections = 5\n" % port)
    s = Server(tmp, "conf", ["--config", "server.conf"], cwd=cdir)   # a relative --config: from the cwd
    s2 = None
    try:
        check("config_file_server_starts", s.started(port), s.log()[-500:])
        check("config_file_listen_used", query(port, "SELECT 40 + 2") == [(42,)])
        query(port, "CREATE ROLE alice LOGIN")
        why = refused(port, "alice")
        check("config_file_hba_used", why is not None and "pg_hba.conf rejects connection" in why, str(why))
    finally:
        s.stop()
    # the same file named by an absolute path from elsewhere: its relative
    # paths still mean its directory
    s2 = Server(tmp, "conf2", ["--config", conf], cwd="/")
    try:
        ok = s2.started(port)
        check("config_relative_paths_from_file_dir", ok and refused(port, "alice") is not None
              and query(port, "SELECT 1") == [(1,)], s2.log()[-500:])
    finally:
        s2.stop()


def test_precedence(tmp):
    db = os.path.join(tmp, "prec-db")
    make_db(db)
    pf, pe, pc = free_port(), free_port(), free_port()
    conf = os.path.join(tmp, "prec.conf")
    write(conf, "data_path = '%s'\nlisten = '127.0.0.1:%d'\nsocket_dir = ''\n" % (db, pf))
    cases = [
        ("precedence_file", [], {}, pf),
        ("precedence_env_over_file", [], {"DRIFTDB_LISTEN": "127.0.0.1:%d" % pe}, pe),
        ("precedence_command_line_over_env", ["--listen", "127.0.0.1:%d" % pc],
         {"DRIFTDB_LISTEN": "127.0.0.1:%d" % pe}, pc),
    ]
    for name, args, env, want in cases:
        env = dict(env, DRIFTDB_CONFIG=conf)   # the file through DRIFTDB_CONFIG
        s = Server(tmp, name, args, env=env)
        try:
            okay = s.started(want) and query(want, "SELECT 1") == [(1,)]
            others = [p for p in (pf, pe, pc) if p != want]
            stray = [p for p in others if refused_port(p) is False]
            check(name, okay and not stray, "listening on %s; log: %s" % (stray, s.log()[-300:]))
        finally:
            s.stop()


def refused_port(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return False
    except OSError:
        return True


def test_bad_config(tmp):
    db = os.path.join(tmp, "bad-db")
    make_db(db)
    conf = os.path.join(tmp, "bad.conf")
    write(conf, "data_path = '%s'\nlisten = 127.0.0.1:0\nno_such_setting = 1\n" % db)
    rc, err = run_exit(tmp, "bad", ["--config", conf])
    check("config_unknown_name_exit_2", rc == 2 and ("%s:3:" % conf) in err and "no_such_setting" in err,
          "exit %s: %s" % (rc, err))
    write(conf, "data_path = '%s'\n\nmax_connections = 0\n" % db)
    rc, err = run_exit(tmp, "bad", ["--config", conf])
    check("config_bad_value_exit_2", rc == 2 and ("%s:3:" % conf) in err and "max_connections" in err,
          "exit %s: %s" % (rc, err))
    write(conf, "data_path = 'unterminated\n")
    rc, err = run_exit(tmp, "bad", ["--config", conf])
    check("config_syntax_error_exit_2", rc == 2 and ("%s:1:" % conf) in err, "exit %s: %s" % (rc, err))
    write(conf, "data_path = '%s'\nlog_min_duration_statement = soon\n" % db)
    rc, err = run_exit(tmp, "bad", ["--config", conf])
    check("config_bad_duration_exit_2", rc == 2 and ("%s:2:" % conf) in err, "exit %s: %s" % (rc, err))
    rc, err = run_exit(tmp, "bad", ["--config", os.path.join(tmp, "missing.conf")])
    check("config_unreadable_exit_2", rc == 2 and "missing.conf" in err, "exit %s: %s" % (rc, err))
    rc, err = run_exit(tmp, "bad", ["--data-path", db], env={"DRIFTDB_MAX_CONNECTIONS": "lots"})
    check("env_bad_value_exit_2", rc == 2 and "DRIFTDB_MAX_CONNECTIONS" in err, "exit %s: %s" % (rc, err))
    rc, err = run_exit(tmp, "bad", ["--data-path", db], env={"DRIFTDB_LOG_LEVEL": "chatty"})
    check("env_bad_log_level_exit_2", rc == 2 and "DRIFTDB_LOG_LEVEL" in err, "exit %s: %s" % (rc, err))
    rc, err = run_exit(tmp, "bad", ["--data-path", db, "--log-level", "loud"])
    check("flag_bad_log_level_exit_2", rc == 2 and "--log-level" in err, "exit %s: %s" % (rc, err))
    rc, err = run_exit(tmp, "bad", ["--data-path", db, "--listen", "127.0.0.1:0", "--tls-cert", conf])
    check("flag_tls_cert_alone_exit_2", rc == 2 and "--tls-key" in err, "exit %s: %s" % (rc, err))


def test_env(tmp):
    db = os.path.join(tmp, "env-db")
    make_db(db)
    hba = os.path.join(tmp, "env-hba.conf")
    write(hba, HBA_TEST_ONLY)
    port = free_port()
    s = Server(tmp, "env", [], env={"DRIFTDB_DATA_PATH": db, "DRIFTDB_LISTEN": "127.0.0.1:%d" % port,
                                    "DRIFTDB_SOCKET_DIR": "", "DRIFTDB_HBA": hba,
                                    "DRIFTDB_MAX_CONNECTIONS": "3", "DRIFTDB_LOG_CONNECTIONS": "on",
                                    "DRIFTDB_LOG_MIN_DURATION_STATEMENT": "0", "DRIFTDB_LOG_LEVEL": "log"})
    try:
        check("env_server_starts", s.started(port), s.log()[-500:])
        check("env_listen_used", query(port, "SELECT 1") == [(1,)])
        query(port, "CREATE ROLE bob LOGIN")
        why = refused(port, "bob")
        check("env_hba_used", why is not None and "rejects" in why, str(why))
        check("env_log_settings_used", s.wait_log(r"LOG:  connection authorized: user=test") and
              s.wait_log(r"LOG:  duration: [0-9.]+ ms  statement: CREATE ROLE bob LOGIN"), s.log()[-800:])
        conns = [connect(port) for _ in range(3)]
        why = refused(port, "test")
        for c in conns:
            c.close()
        check("env_max_connections_used", why is not None and "too many clients" in why, str(why))
        # the server's own settings, read-only to a session (55P02 as PostgreSQL's)
        got = None
        for _ in range(50):   # the three sessions closed above end as the server reads their Terminate
            try:
                got = query(port, "SELECT current_setting('port'), current_setting('max_connections'), "
                                  "current_setting('ssl')")
                break
            except psycopg2.OperationalError:
                time.sleep(0.1)
        check("show_server_settings", got == [(str(port), "3", "off")], str(got))
        errs = []
        for sql in ("SET port = 1", "SET max_connections = 10", "SET ssl = on"):
            try:
                query(port, sql)
                errs.append((sql, None))
            except psycopg2.Error as e:
                errs.append((sql, e.pgcode))
        check("server_settings_read_only", all(code == "55P02" for _, code in errs), str(errs))
    finally:
        s.stop()


PREFIX = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC \[\d+\] "


def test_log_levels(tmp):
    db = os.path.join(tmp, "lvl-db")
    make_db(db)
    results = {}
    for level in ("warning", "debug2", "fatal"):
        port = free_port()
        args = ["--data-path", db, "--listen", "127.0.0.1:%d" % port, "--socket-dir", ""]
        if level != "warning":
            args += ["--log-level", level]
        s = Server(tmp, "lvl-" + level, args)
        try:
            s.started(port)
            query(port, "SELECT 1")
            time.sleep(0.2)   # the connection thread's last line
        finally:
            rc = s.stop()
        results[level] = (rc, s.log())
    rc, log = results["warning"]
    check("log_default_prefix_and_levels",
          rc == 0 and re.search(PREFIX + r"LOG:  listening on IPv4 address \"127\.0\.0\.1\", port \d+$", log, re.M)
          and re.search(PREFIX + r"LOG:  database system is shut down$", log, re.M) and "DEBUG" not in log
          and all(re.match(PREFIX, l) for l in log.splitlines()), log[-800:])
    rc, log = results["debug2"]
    check("log_debug_lines_at_debug2",
          re.search(PREFIX + r"DEBUG2:  server process \(PID \d+\) exited with exit code 0$", log, re.M) is not None,
          log[-800:])
    rc, log = results["fatal"]
    check("log_level_fatal_hides_log_lines", rc == 0 and "LOG:" not in log and "listening" not in log, log[-500:])


def durations(log):
    return re.findall(PREFIX + r"LOG:  duration: (\d+\.\d{3}) ms  (statement|execute [^:]+): (.*)$", log, re.M)


def test_min_duration(tmp):
    db = os.path.join(tmp, "dur-db")
    make_db(db)
    logs = {}
    for setting in ("0", "-1", "100"):
        port = free_port()
        s = Server(tmp, "dur" + setting, ["--data-path", db, "--listen", "127.0.0.1:%d" % port, "--socket-dir", "",
                                         "--log-min-duration-statement", setting])
        try:
            s.started(port)
            query(port, "select 1")
            query(port, "select pg_sleep(0.2)")
            with psycopg.connect(host="127.0.0.1", port=port, user="test", dbname="test", autocommit=True) as c:
                c.execute("select %s::int + 1", (41,)).fetchall()   # the extended protocol
            if setting == "-1":
                # a superuser may SET it for the session; others may not
                with psycopg.connect(host="127.0.0.1", port=port, user="test", dbname="test",
                                     autocommit=True) as c:
                    c.execute("SET log_min_duration_statement = 0")
                    shown = c.execute("SHOW log_min_duration_statement").fetchall()
                    c.execute("select 'session set'")
                    c.execute("CREATE ROLE carol LOGIN")
                with psycopg.connect(host="127.0.0.1", port=port, user="carol", dbname="test",
                                     autocommit=True) as c:
                    try:
                        c.execute("SET log_min_duration_statement = 0")
                        denied = None
                    except psycopg.Error as e:
                        denied = (e.sqlstate, str(e).strip())
                    shown_carol = c.execute("SHOW log_min_duration_statement").fetchall()
                check("sql_set_by_superuser", shown == [("0",)], str(shown))
                check("sql_set_denied_to_others",
                      denied == ("42501", 'permission denied to set parameter "log_min_duration_statement"')
                      and shown_carol == [("-1",)], "%s %s" % (denied, shown_carol))
        finally:
            s.stop()
        logs[setting] = s.log()
    d = durations(logs["0"])
    texts = [(kind, sql) for _, kind, sql in d]
    check("duration_0_logs_every_statement",
          ("statement", "select 1") in texts and ("statement", "select pg_sleep(0.2)") in texts
          and ("execute <unnamed>", "select $1::int + 1") in texts, str(d))
    sleep_ms = [float(ms) for ms, kind, sql in d if sql == "select pg_sleep(0.2)"]
    check("duration_0_measures_time", sleep_ms and 195 <= sleep_ms[0] < 5000, str(sleep_ms))
    d = durations(logs["-1"])
    check("duration_off_logs_none_but_session_set",
          [sql for _, _, sql in d] == ["SET log_min_duration_statement = 0", "SHOW log_min_duration_statement",
                                       "select 'session set'", "CREATE ROLE carol LOGIN"], str(d))
    d = durations(logs["100"])
    check("duration_threshold_logs_slow_only", [sql for _, _, sql in d] == ["select pg_sleep(0.2)"], str(d))


def test_sighup(tmp):
    db = os.path.join(tmp, "hup-db")
    make_db(db)
    hba = os.path.join(tmp, "hup-hba.conf")
    write(hba, HBA_TEST_ONLY)
    conf = os.path.join(tmp, "hup.conf")
    port = free_port()
    base = "data_path = '%s'\nlisten = '127.0.0.1:%d'\nsocket_dir = ''\nhba = '%s'\n" % (db, port, hba)
    write(conf, base)
    s = Server(tmp, "hup", ["--config", conf])
    try:
        check("sighup_server_starts", s.started(port), s.log()[-500:])
        query(port, "CREATE ROLE dave LOGIN")
        before = refused(port, "dave")
        held = connect(port)
        held.autocommit = True
        hcur = held.cursor()
        hcur.execute("SELECT 1")
        write(hba, HBA_ALL)
        s.proc.send_signal(signal.SIGHUP)
        after = "not tried"
        for _ in range(50):
            after = refused(port, "dave")
            if after is None:
                break
            time.sleep(0.05)
        check("sighup_reloads_hba", before is not None and after is None, "before %s, after %s" % (before, after))
        try:
            hcur.execute("SELECT 2")
            kept = hcur.fetchall() == [(2,)]
        except psycopg2.Error as e:
            kept = str(e)
        check("sighup_keeps_open_connection", kept is True, str(kept))

        # a broken file: logged, and the rules in force stay (a partial
        # load would reject dave at its first line)
        write(hba, "host all dave 127.0.0.1/32 reject\nhost all all 127.0.0.1/32 bogus-method\n")
        s.proc.send_signal(signal.SIGHUP)
        logged = s.wait_log(r"LOG:  pg_hba\.conf was not reloaded$")
        log = s.log()
        check("sighup_broken_hba_logged", logged and ("%s:2:" % hba) in log, log[-600:])
        check("sighup_broken_hba_keeps_rules", refused(port, "dave") is None)

        # log settings from the config file apply to open sessions too
        write(hba, HBA_ALL)
        write(conf, base + "log_min_duration_statement = 0\n")
        s.proc.send_signal(signal.SIGHUP)
        s.wait_log(r"received SIGHUP", 5)
        found = False
        for _ in range(40):
            hcur.execute("SELECT 'after reload'")
            hcur.fetchall()
            if re.search(r"LOG:  duration: [0-9.]+ ms  statement: SELECT 'after reload'$", s.log(), re.M):
                found = True
                break
            time.sleep(0.05)
        check("sighup_log_settings_reach_open_session", found, s.log()[-600:])
        # a config file that no longer parses changes nothing
        write(conf, base + "log_min_duration_statement = 0\nbogus = 1\n")
        s.proc.send_signal(signal.SIGHUP)
        check("sighup_broken_config_logged", s.wait_log(r"contains errors; no changes were applied$")
              and ("%s:6:" % conf) in s.log())
        hcur.execute("SELECT 'still logged'")
        check("sighup_broken_config_keeps_settings",
              s.wait_log(r"LOG:  duration: [0-9.]+ ms  statement: SELECT 'still logged'$"), s.log()[-400:])
        held.close()
    finally:
        rc = s.stop()
    check("sighup_server_clean_shutdown", rc == 0, "exit %s" % rc)


def main():
    tmp = tempfile.mkdtemp(prefix="cfg-test-", dir="/tmp")
    try:
        for t in (test_config_file, test_precedence, test_bad_config, test_env, test_log_levels,
                  test_min_duration, test_sighup):
            try:
                t(tmp)
            except Exception:
                report.failed(t.__name__, depth=None)
        bad = []
        for name in os.listdir(tmp):
            if name.endswith(".log"):
                with open(os.path.join(tmp, name)) as f:
                    bad += [l for l in f if re.search(r"AddressSanitizer|runtime error|LeakSanitizer", l)]
        check("config_server_logs_clean", not bad, " | ".join(bad[:5]))
    finally:
        for p in PROCS:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if report.fails else 0)


main()
