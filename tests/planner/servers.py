"""tests/planner/servers.py - servers that the planner tests (and
tests/isolation/run.py) start on loopback.

postgres(): a throwaway PostgreSQL 15 cluster (initdb into a temporary
directory, run as the `postgres` system user when this runs as root, since
PostgreSQL refuses to run as root), listening on a free loopback port.
driftdb(build): a throwaway driftdb-server over a fresh data directory.
Both return a Server with .port and .stop(); stop() also removes the data.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

PG_BIN_DIRS = ["/usr/lib/postgresql/15/bin"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def pg_ready(port, proc, seconds=60):
    """an open port is not yet a server that takes connections ("the
    database system is starting up"): wait until one is accepted"""
    import psycopg2
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                             connect_timeout=5).close()
            return True
        except psycopg2.OperationalError:
            time.sleep(0.1)
    return False


class Server:
    def __init__(self, port, stop):
        self.port = port
        self._stop = stop

    def stop(self):
        self._stop()


def pg_bin(name):
    for d in PG_BIN_DIRS:
        p = os.path.join(d, name)
        if os.access(p, os.X_OK):
            return p
    raise RuntimeError("PostgreSQL 15 server binaries not found (scripts/deps.sh installs postgresql-15)")


def postgres():
    tmp = tempfile.mkdtemp(prefix="driftdb-pg.")
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(tmp, "postgres", "postgres")
    data = os.path.join(tmp, "data")
    subprocess.run(prefix + [pg_bin("initdb"), "-D", data, "-A", "trust", "-U", "postgres",
                             "--no-sync", "-E", "UTF8", "--locale=C", "--lc-ctype=C.UTF-8"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for attempt in range(5):
        port = free_port()
        log = open(os.path.join(tmp, "log"), "w")
        proc = subprocess.Popen(prefix + [pg_bin("postgres"), "-D", data, "-p", str(port),
                                          "-c", "listen_addresses=127.0.0.1", "-k", tmp,
                                          "-c", "fsync=off", "-c", "TimeZone=UTC"],
                                stdout=log, stderr=log)
        if wait_port(port, proc) and pg_ready(port, proc):
            def stop(proc=proc):
                proc.send_signal(signal.SIGINT)   # fast shutdown: SIGTERM's smart one waits for clients
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                shutil.rmtree(tmp, ignore_errors=True)
            return Server(port, stop)
        proc.kill()
        proc.wait()
    shutil.rmtree(tmp, ignore_errors=True)
    raise RuntimeError("PostgreSQL did not start")


def driftdb(build):
    tmp = tempfile.mkdtemp(prefix="driftdb-planner.")
    data = os.path.join(tmp, "db")
    try:
        subprocess.run([os.path.join(build, "driftdb"), "init", data, "--superuser", "test"], check=True,
                       stdout=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError):
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for attempt in range(5):
        port = free_port()
        log = open(os.path.join(tmp, "log"), "w")
        proc = subprocess.Popen([os.path.join(build, "driftdb-server"), "--data-path", data,
                                 "--listen", "127.0.0.1:%d" % port], stdout=log, stderr=log)
        if wait_port(port, proc):
            def stop(proc=proc):
                proc.send_signal(signal.SIGINT)   # fast shutdown: SIGTERM's smart one waits for clients
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                shutil.rmtree(tmp, ignore_errors=True)
            return Server(port, stop)
        proc.kill()
        proc.wait()
    shutil.rmtree(tmp, ignore_errors=True)
    raise RuntimeError("driftdb-server did not start")
