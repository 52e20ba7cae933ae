"""tests/isolation/run.py - isolation tests: concurrent sessions against
DriftDB and a real PostgreSQL 15, outcomes compared.

    /usr/bin/python3 tests/isolation/run.py [BUILD] [-v] [SPEC ...]

BUILD is the build directory (default build, or $BUILD); SPEC files default
to tests/isolation/*.spec.  The spec format is in tests/isolation/README.md.
Each spec's permutations run on a driftdb-server over a fresh database and
on a throwaway PostgreSQL 15 (both from tests/planner/servers.py), in the
manner of PostgreSQL's isolationtester: each session has its own connection,
steps are sent in the permutation's order, a step not done within STEP_WAIT
is recorded as "<waiting ...>" and the run goes on; its end is recorded when
it comes ("<... completed>").  A step sent to a session whose last step
still waits first waits for that one (up to BLOCK_LIMIT).

The outcome of a permutation is its transcript, one line per event:
    s1u: UPDATE 1                      command tag
    s1r: SELECT 2: (1,a) (2,NULL)      and the rows, values as the server's text
    s2c: ERROR 40001                   the SQLSTATE of an error
    s2u: <waiting ...>
    s2u: <... completed> UPDATE 1
DriftDB's transcript must equal PostgreSQL's, unless the permutation
declares driftdb-differs "reason" { transcript }: then DriftDB's must equal
that one exactly, and PostgreSQL's must differ from it (a marker left after
DriftDB came to match PostgreSQL fails, so it gets removed).

Prints "ok NAME" / "FAIL NAME" per permutation (a diff under a FAIL), then
"N passed, N failed"; exit status 1 when anything failed.
"""
import difflib
import glob
import os
import re
import select
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "planner"))

# a step not done within this is "waiting" (ISOLATION_STEP_WAIT: more on a
# slow machine or a sanitizer build)
STEP_WAIT = float(os.environ.get("ISOLATION_STEP_WAIT", "0.3"))
BLOCK_LIMIT = 10.0   # how long a step's session may stay blocked before the run gives up


# ---- spec files ------------------------------------------------------------

class Spec:
    def __init__(self, name):
        self.name = name
        self.setup = []          # SQL blocks, run on a connection of their own before each permutation
        self.teardown = []       # after each permutation
        self.sessions = []       # [Session]
        self.steps = {}          # step name -> (Session, sql)
        self.perms = []          # [Permutation]


class Session:
    def __init__(self, name):
        self.name = name
        self.setup = []
        self.teardown = []


class Permutation:
    def __init__(self, steps, line):
        self.steps = steps
        self.line = line
        self.differs = None      # the reason, when DriftDB's transcript is expected to differ
        self.driftdb = None      # [line] DriftDB's expected transcript


class SpecError(Exception):
    pass


def tokenize(text, path):
    """words, "strings" and { blocks } with their line numbers; # comments"""
    toks = []
    i, line, n = 0, 1, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif c == "#":
            while i < n and text[i] != "\n":
                i += 1
        elif c == "{":
            j = text.find("}", i)
            if j < 0:
                raise SpecError("%s:%d: { without }" % (path, line))
            toks.append(("block", text[i + 1:j], line))
            line += text.count("\n", i, j)
            i = j + 1
        elif c == '"':
            j = text.find('"', i + 1)
            if j < 0:
                raise SpecError('%s:%d: " without "' % (path, line))
            toks.append(("string", text[i + 1:j], line))
            i = j + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '{}"#':
                j += 1
            toks.append(("word", text[i:j], line))
            i = j
    return toks


def parse_spec(path):
    with open(path) as f:
        toks = tokenize(f.read(), path)
    spec = Spec(os.path.splitext(os.path.basename(path))[0])
    pos = 0

    def take(kind, what):
        nonlocal pos
        if pos >= len(toks) or toks[pos][0] != kind:
            at = toks[pos][2] if pos < len(toks) else "end"
            raise SpecError("%s:%s: expected %s" % (path, at, what))
        pos += 1
        return toks[pos - 1][1]

    session = None
    while pos < len(toks):
        kind, word, line = toks[pos]
        pos += 1
        if kind != "word":
            raise SpecError("%s:%d: expected a keyword" % (path, line))
        if word in ("setup", "teardown"):
            sql = take("block", "{ SQL }").strip()
            (getattr(session, word) if session else getattr(spec, word)).append(sql)
        elif word == "session":
            session = Session(take("word", "a session name"))
            spec.sessions.append(session)
        elif word == "step":
            if session is None:
                raise SpecError("%s:%d: step outside a session" % (path, line))
            name = take("word", "a step name")
            if name in spec.steps:
                raise SpecError("%s:%d: step %s twice" % (path, line, name))
            spec.steps[name] = (session, take("block", "{ SQL }").strip())
        elif word == "permutation":
            session = None
            names = []
            while pos < len(toks) and toks[pos][0] == "word" and toks[pos][1] in spec.steps:
                names.append(toks[pos][1])
                pos += 1
            if not names:
                raise SpecError("%s:%d: permutation without known steps" % (path, line))
            spec.perms.append(Permutation(names, line))
        elif word == "driftdb-differs":
            if not spec.perms or spec.perms[-1].differs is not None:
                raise SpecError("%s:%d: driftdb-differs must follow a permutation" % (path, line))
            perm = spec.perms[-1]
            perm.differs = take("string", 'a "reason"')
            perm.driftdb = [l.strip() for l in take("block", "{ transcript }").splitlines() if l.strip()]
        else:
            raise SpecError("%s:%d: unknown keyword %r" % (path, line, word))
    if not spec.perms:
        raise SpecError("%s: no permutation" % path)
    return spec


# ---- running a permutation -------------------------------------------------

def connect(port, user, dbname):
    """an asynchronous psycopg2 connection (always autocommit), results as text"""
    import psycopg2
    import psycopg2.extensions as ext
    conn = psycopg2.connect(host="127.0.0.1", port=port, user=user, dbname=dbname,
                            connect_timeout=10, async_=1)
    wait_done(conn, 10)
    # every type the server sends comes back as the text it sent
    ext.register_type(ext.new_type(tuple(ext.string_types.keys()), "DRIFT_RAW", lambda v, c: v), conn)
    return conn


def wait_done(conn, seconds):
    """polls until conn's connection or query is done; raises its error"""
    import psycopg2.extensions as ext
    deadline = time.time() + seconds
    while True:
        state = conn.poll()
        if state == ext.POLL_OK:
            return
        left = deadline - time.time()
        if left <= 0:
            raise TimeoutError("no answer in %g s" % seconds)
        if state == ext.POLL_READ:
            select.select([conn.fileno()], [], [], left)
        else:
            select.select([], [conn.fileno()], [], left)


def run_sql(conn, sql, seconds=30):
    cur = conn.cursor()
    cur.execute(sql)
    wait_done(conn, seconds)


def outcome(cur, error):
    if error is not None:
        code = getattr(error, "pgcode", None)
        return "ERROR %s" % code if code else "ERROR (%s)" % str(error).strip().splitlines()[0]
    tag = cur.statusmessage or ""
    if cur.description is None:
        return tag
    rows = cur.fetchall()
    cells = ["(" + ",".join("NULL" if v is None else v for v in row) + ")" for row in rows]
    return "%s: %s" % (tag, " ".join(cells)) if cells else tag


class Active:
    """a step sent and not yet done"""
    def __init__(self, name, conn, cur):
        self.name = name
        self.conn = conn
        self.cur = cur
        self.waiting = False     # recorded as <waiting ...>


def run_permutation(spec, perm, port, user, dbname):
    """runs perm; returns its transcript (a list of lines)"""
    import psycopg2
    import psycopg2.extensions as ext
    out = []
    conns = {}
    active = {}                  # session name -> Active

    def finish(a, error):
        line = outcome(a.cur, error)
        out.append("%s: %s%s" % (a.name, "<... completed> " if a.waiting else "", line))

    def poll_all(seconds, until=None, only=None):
        """polls the active steps (or only the one of session only) for up
        to seconds, recording those that end, in the order they end; stops
        early when until() holds"""
        deadline = time.time() + seconds
        while active:
            rd, wr = [], []
            for s, a in list(active.items()):
                if only is not None and s != only:
                    continue
                try:
                    state = a.conn.poll()
                except psycopg2.Error as e:
                    del active[s]
                    finish(a, e)
                    continue
                if state == ext.POLL_OK:
                    del active[s]
                    finish(a, None)
                elif state == ext.POLL_READ:
                    rd.append(a.conn.fileno())
                else:
                    wr.append(a.conn.fileno())
            if until is not None and until():
                return
            left = deadline - time.time()
            if left <= 0 or not active:
                return
            select.select(rd, wr, [], min(left, 0.05))

    try:
        setup = connect(port, user, dbname)
        for sql in spec.setup:
            run_sql(setup, sql)
        setup.close()
        for s in spec.sessions:
            conns[s.name] = connect(port, user, dbname)
            for sql in s.setup:
                run_sql(conns[s.name], sql)

        for name in perm.steps:
            session, sql = spec.steps[name]
            if session.name in active:
                # the session is still blocked: wait for its step first
                poll_all(BLOCK_LIMIT, until=lambda: session.name not in active)
                if session.name in active:
                    out.append("%s: <not sent: %s still waiting after %g s>"
                               % (name, active[session.name].name, BLOCK_LIMIT))
                    break
                poll_all(STEP_WAIT if active else 0)
            conn = conns[session.name]
            cur = conn.cursor()
            try:
                cur.execute(sql)
            except psycopg2.Error as e:
                finish(Active(name, conn, cur), e)
                continue
            a = Active(name, conn, cur)
            active[session.name] = a
            # this step's own answer first: a COMMIT that releases a waiting
            # step is recorded before that step's end, whichever the client
            # happens to read first (as PostgreSQL's isolationtester does)
            poll_all(STEP_WAIT, until=lambda: session.name not in active, only=session.name)
            if session.name in active:
                a.waiting = True
                out.append("%s: <waiting ...>" % name)
            # give steps that the last one released the time to end, so that
            # they are recorded before the next step
            others = [x for x in active.values() if x is not a]
            if others:
                poll_all(STEP_WAIT, until=lambda: not any(x in active.values() for x in others))
        else:
            # steps still waiting at the end: give them their time, then report
            if active:
                poll_all(BLOCK_LIMIT)
        for a in list(active.values()):
            out.append("%s: <still waiting at the end>" % a.name)
            try:
                a.conn.cancel()
            except psycopg2.Error:
                pass
    except (psycopg2.Error, TimeoutError, OSError) as e:
        out.append("<run failed: %s>" % str(e).strip().splitlines()[0])
    finally:
        for s in spec.sessions:
            c = conns.get(s.name)
            if c is None or c.closed:
                continue
            try:
                if s.name in active:
                    wait_done(c, 5)
            except (psycopg2.Error, TimeoutError):
                pass
            try:
                for sql in s.teardown:
                    run_sql(c, sql)
            except (psycopg2.Error, TimeoutError):
                pass
            c.close()
        try:
            td = connect(port, user, dbname)
            for sql in spec.teardown:
                run_sql(td, sql)
            td.close()
        except (psycopg2.Error, TimeoutError, OSError) as e:
            out.append("<teardown failed: %s>" % str(e).strip().splitlines()[0])
    return out


# ---- main ------------------------------------------------------------------

def main():
    args = sys.argv[1:]
    verbose = "-v" in args
    args = [a for a in args if a != "-v"]
    build = os.environ.get("BUILD", "build")
    if args and not args[0].endswith(".spec"):
        build = args.pop(0)
    paths = args or sorted(glob.glob(os.path.join(HERE, "*.spec")))
    passed = failed = 0
    try:
        import psycopg2  # noqa: F401
        import servers
    except ImportError as e:
        print("FAIL isolation (%s: /usr/bin/python3 with psycopg2 needed, "
              "scripts/deps.sh installs python3-psycopg2)" % e)
        print("0 passed, 1 failed")
        return 1
    specs = []
    for p in paths:
        try:
            specs.append(parse_spec(p))
        except (SpecError, OSError) as e:
            print("FAIL %s (%s)" % (os.path.basename(p), e))
            failed += 1
    pg = dd = None
    try:
        try:
            pg = servers.postgres()
            dd = servers.driftdb(build)
        except Exception as e:   # a server that does not start fails the suite
            print("FAIL isolation_servers (%s)" % e)
            print("%d passed, %d failed" % (passed, failed + 1))
            return 1
        for spec in specs:
            for i, perm in enumerate(spec.perms, 1):
                name = "%s %d (%s)" % (spec.name, i, " ".join(perm.steps))
                p_out = run_permutation(spec, perm, pg.port, "postgres", "postgres")
                d_out = run_permutation(spec, perm, dd.port, "test", "test")
                problem, diff = None, None
                if perm.differs is None:
                    if d_out != p_out:
                        problem = "DriftDB differs from PostgreSQL"
                        diff = difflib.unified_diff(p_out, d_out, "postgresql", "driftdb", lineterm="")
                elif d_out == p_out:
                    problem = "DriftDB now matches PostgreSQL: remove the driftdb-differs marker"
                elif perm.driftdb == p_out:
                    problem = "the expected DriftDB transcript is PostgreSQL's: remove the marker"
                elif d_out != perm.driftdb:
                    problem = "DriftDB differs from its expected transcript (driftdb-differs)"
                    diff = difflib.unified_diff(perm.driftdb, d_out, "expected driftdb", "driftdb",
                                                lineterm="")
                if problem is None:
                    passed += 1
                    print("ok %s%s" % (name, " (differs: %s)" % perm.differs if perm.differs else ""))
                else:
                    failed += 1
                    print("FAIL %s: %s" % (name, problem))
                    if diff is not None:
                        for line in diff:
                            print("    " + line)
                if verbose or problem is not None:
                    print("  # postgresql:")
                    for line in p_out:
                        print("  #   " + line)
                    print("  # driftdb:")
                    for line in d_out:
                        print("  #   " + line)
    finally:
        for s in (pg, dd):
            if s is not None:
                s.stop()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
