#!/bin/bash
# tests/clients/run.sh - real PostgreSQL clients against driftdb-server.
#
# Builds nothing (make builds first; binaries are in ${BUILD:-build}/).
# Makes a temporary database, starts driftdb-server on a free port, runs
#   psql.sh          psql: quick start, time travel, errors, multi-statement
#   psycopg2_test.py psycopg2: transactions, types, errors, ParameterStatus,
#                    named cursors
#   copy_test.py     COPY TO / FROM (text, CSV, binary): psycopg2, psycopg 3, \copy
#   cancel_test.py   CancelRequest, psql's Ctrl-C, statement / idle timeouts,
#                    SIGINT (fast shutdown) during a statement
#   libpq_pipeline.c libpq from C: pipeline mode, binary formats, COPY
#                    through the extended protocol
#   psycopg3_test.py psycopg 3: server-side binding, pipelines, binary, prepare,
#                    server cursors
#   asyncpg_test.py  asyncpg: prepared statements, inferred parameter types,
#                    binary for every type, executemany, cursors
#   node/node_pg_test.js  node-pg (npm ci from package-lock.json): parameterized
#                    and named queries, time travel, transactions, errors,
#                    COPY through pg-copy-streams
#   jdbc/JdbcTest.java    pgjdbc: PreparedStatement, fetch size, batches,
#                    metadata, time travel, transactions, errors, CopyManager
#   pgbench.sh       pgbench in simple, extended and prepared modes, a
#                    primary key violation aborting its client
#   pg_compare.py    the extended protocol side by side with a PostgreSQL 15
#                    started here (replies, SQLSTATEs, binary bytes, types,
#                    COPY, notices before errors, wire errors failing the
#                    transaction)
#   robustness.py    raw sockets: garbage, bad lengths, half messages,
#                    protocol 2.0, extended protocol, vanishing clients,
#                    --max-connections (against a second, limited server)
#   psql_catalog_test.py psql's \d commands side by side with that PostgreSQL 15,
#                    pg_catalog AS OF a point
#   pg_dump_test.py  pg_dump (plain, custom) of DriftDB restored into that
#                    PostgreSQL 15 and into a fresh DriftDB, compared
#   sqlalchemy_test.py SQLAlchemy's inspector on both servers, Alembic
#                    autogenerate finding no difference after create_all,
#                    Core and ORM (Session, IntegrityError) on both, text()
#                    AS OF a bound timestamp / '@SEQ:n' on DriftDB
#   type_introspection_test.py psycopg 3's TypeInfo / EnumInfo /
#                    CompositeInfo and asyncpg's enum introspection on both
#   jdbc/JdbcMetaTest.java pgjdbc's DatabaseMetaData and ResultSetMetaData
#                    on both
#   node/node_pg_types_test.js node-pg's pg-types values and field types on both
#   temp_tables_test.py  temporary tables: private per session, temporary
#                    views, no commits, a vanished client's tables ended
#   stress.py        concurrent writers and readers (snapshots, AS OF now())
#   param_infer_test.py  parameter types inferred as PostgreSQL's (UNION,
#                    VALUES, IN, BETWEEN, CASE, ARRAY, 42P18, regclass,
#                    EXECUTE ...) and asyncpg's Cursor (SQL MOVE / FETCH /
#                    CLOSE of Bind portals, FETCH ABSOLUTE / RELATIVE),
#                    side by side with that PostgreSQL 15
#   plan_cache_test.py  prepared queries run again and again (their kept
#                    plans) beside other sessions' changes, DDL, SET and
#                    roles, every outcome as PostgreSQL's
#   privilege_messages_test.py  what a role without SELECT learns (DETAILs,
#                    ON CONFLICT, row locks, ANALYZE, pg_stats), side by side
#   auth_test.py     pg_hba.conf methods x roles x passwords, side by side
#                    with a PostgreSQL 15; SCRAM exchanges cut off or replayed
#   tls_test.py      TLS side by side with a PostgreSQL 15 (certificates made
#                    at test time): sslmodes, hostssl / hostnossl, client
#                    certificates, channel binding, cancel, bad handshakes
#   config_test.py   --config files, DRIFTDB_* variables and their precedence,
#                    log levels, log_min_duration_statement, SIGHUP reloads
#   metrics_test.py  --http-listen: /health/live, /health/ready, /metrics
#                    counters moving by exactly what the test did
#   shutdown_test.py SIGTERM's smart shutdown (sessions go on, new clients
#                    57P03, exit when the last leaves), SIGINT / SIGQUIT
#                    during it; a flood of connections refused with 53300
#                    while sessions go on; beside a PostgreSQL 15
# plus server-level checks (open failures, a dead reader's slot cleared,
# SIGINT shutdown), and prints
# "ok NAME" / "FAIL NAME" lines and finally "N passed, N failed".
# Servers are stopped with SIGINT, a fast shutdown: SIGTERM is a smart one,
# which would wait for every client still connected.
# A missing client (psql, /usr/bin/python3, psycopg2, psycopg, asyncpg) is a
# FAIL, not a skip: scripts/deps.sh installs postgresql-client and
# python3-psycopg2, python3-psycopg, python3-asyncpg.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SERVER="$BUILD/driftdb-server"
CLI="$BUILD/driftdb"
HERE=tests/clients
PY=/usr/bin/python3
export PGCONNECT_TIMEOUT=10 PGSSLMODE=prefer PGPASSWORD=
unset PGHOST PGPORT PGUSER PGDATABASE PGOPTIONS PGSERVICE

TMP=$(mktemp -d "${TMPDIR:-/tmp}/driftdb-clients.XXXXXX")
PIDS=""
cleanup() {
    for p in $PIDS; do kill -INT "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    if [ -n "${PGTMP:-}" ] && [ -d "$PGTMP/data" ]; then   # PostgreSQL of pg_compare
        ${AS:-} /usr/lib/postgresql/15/bin/pg_ctl -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1
        rm -rf "$PGTMP"
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

PASS=0
FAILN=0
ok()   { echo "ok $1"; PASS=$((PASS + 1)); }
fail() { echo "FAIL $1${2:+ ($2)}"; FAILN=$((FAILN + 1)); }
# Counts the ok/FAIL lines a test script printed; no line at all is a FAIL.
tally() {
    local name=$1 out=$2 n=0
    while IFS= read -r line; do
        case "$line" in
            "ok "*) ok "${line#ok }"; n=$((n + 1));;
            "FAIL "*) fail "${line#FAIL }"; n=$((n + 1));;
            *) echo "# $line";;
        esac
    done < "$out"
    [ "$n" -gt 0 ] || fail "$name" "printed no result"
}

# make_db DIR: driftdb init, or a tiny helper over libdriftdb.a when the CLI
# is not built.
make_db() {
    if [ -x "$CLI" ]; then
        "$CLI" init "$1" --superuser test >"$TMP/init.log" 2>&1 && return 0
        cat "$TMP/init.log" >&2
        return 1
    fi
    [ -f "$BUILD/libdriftdb.a" ] || return 1
    if [ ! -x "$TMP/initdb" ]; then
        cat > "$TMP/initdb.c" <<'CEOF'
#include "driftdb.h"
#include <stdio.h>
int main(int argc, char **argv)
{
    driftdb_error e;
    if (argc != 2) return 2;
    if (driftdb_init_superuser(argv[1], "test", &e) != DRIFTDB_OK) { fprintf(stderr, "%s\n", e.message); return 1; }
    return 0;
}
CEOF
        ${CC:-cc} -Iinclude -o "$TMP/initdb" "$TMP/initdb.c" "$BUILD/libdriftdb.a" \
            -llmdb -lssl -lcrypto -lpthread -lm || return 1
    fi
    "$TMP/initdb" "$1"
}

# start_server NAME DIR [ARGS...]: starts a server on a free port; sets PORT
# and SPID.  Returns 1 when it could not start.
start_server() {
    local name=$1 dir=$2 try
    shift 2
    for try in 0 1 2 3 4 5 6 7; do
        PORT=$((54000 + ($$ + try * 131 + RANDOM % 7) % 1000))
        "$SERVER" --data-path "$dir" --listen "127.0.0.1:$PORT" "$@" 2>"$TMP/$name.log" &
        SPID=$!
        local i
        for i in $(seq 1 100); do
            if grep -q "listening on" "$TMP/$name.log" 2>/dev/null; then
                PIDS="$PIDS $SPID"
                return 0
            fi
            kill -0 "$SPID" 2>/dev/null || break
            sleep 0.1
        done
        kill -INT "$SPID" 2>/dev/null
        wait "$SPID" 2>/dev/null
        grep -q "ddress already in use" "$TMP/$name.log" || break
    done
    echo "# server $name did not start:" && sed 's/^/#   /' "$TMP/$name.log"
    return 1
}

stop_server() {   # stop_server PID: SIGINT (fast shutdown), wait; returns its exit status
    kill -INT "$1" 2>/dev/null
    wait "$1"
    local rc=$?
    PIDS=$(echo "$PIDS" | sed "s/\<$1\>//")
    return $rc
}

if [ ! -x "$SERVER" ]; then
    fail server_binary "$SERVER missing"
    echo "$PASS passed, $FAILN failed"
    exit 1
fi

# ---- server-level checks --------------------------------------------------
"$SERVER" --help >"$TMP/help.out" 2>&1 && grep -q -- "--data-path" "$TMP/help.out" \
    && ok server_help || fail server_help

"$SERVER" --data-path "$TMP/does-not-exist" --listen 127.0.0.1:0 >/dev/null 2>"$TMP/missing.log"
rc=$?
[ $rc -eq 1 ] && [ -s "$TMP/missing.log" ] && ok server_missing_dir \
    || fail server_missing_dir "exit $rc"

"$SERVER" --listen 127.0.0.1:0 >/dev/null 2>&1
[ $? -ne 0 ] && ok server_requires_data_path || fail server_requires_data_path

if ! make_db "$TMP/db"; then
    fail init_database "neither $CLI init nor the helper worked"
    echo "$PASS passed, $FAILN failed"
    exit 1
fi
ok init_database

if ! start_server main "$TMP/db" --socket-dir "$TMP"; then
    fail server_start
    echo "$PASS passed, $FAILN failed"
    exit 1
fi
ok server_start
MAIN_PID=$SPID
MAIN_PORT=$PORT

# A second server on the same directory must refuse (writer lock).
"$SERVER" --data-path "$TMP/db" --listen 127.0.0.1:0 >/dev/null 2>"$TMP/locked.log" &
LPID=$!
for i in $(seq 1 50); do kill -0 $LPID 2>/dev/null || break; sleep 0.1; done
if kill -0 $LPID 2>/dev/null; then
    kill -INT $LPID; wait $LPID 2>/dev/null
    fail server_locked_dir "a second server opened the same directory"
else
    wait $LPID
    rc=$?
    [ $rc -eq 1 ] && ok server_locked_dir || fail server_locked_dir "exit $rc"
fi

# ensure_alive SUITE: a server that died during a suite is a FAIL (with its
# log); it is restarted on the same database so later suites still run.
ensure_alive() {
    kill -0 "$MAIN_PID" 2>/dev/null && return 0
    wait "$MAIN_PID" 2>/dev/null
    fail "server_survives_$1" "exit status $?"
    tail -n 20 "$TMP/main.log" | sed 's/^/#   /'
    PIDS=$(echo "$PIDS" | sed "s/\<$MAIN_PID\>//")
    cat "$TMP/main.log" >>"$TMP/main-crashed.log"
    if start_server main "$TMP/db" --socket-dir "$TMP"; then
        MAIN_PID=$SPID
        MAIN_PORT=$PORT
    fi
}

# ---- client suites --------------------------------------------------------
# the Unix socket (--socket-dir): psql with a directory as host, as libpq
# does with /var/run/postgresql when no host is given
if command -v psql >/dev/null 2>&1; then
    out=$(psql -X -qAt -h "$TMP" -p "$MAIN_PORT" -U test -d test -c "SELECT 40 + 2" 2>&1)
    [ "$out" = "42" ] && [ -S "$TMP/.s.PGSQL.$MAIN_PORT" ] && ok unix_socket || fail unix_socket "$out"
fi
if command -v psql >/dev/null 2>&1; then
    bash $HERE/psql.sh "$MAIN_PORT" >"$TMP/psql.out" 2>&1
    tally psql "$TMP/psql.out"
    ensure_alive psql
else
    fail psql "psql not installed (scripts/deps.sh installs postgresql-client)"
fi

if [ -x "$PY" ] && "$PY" -c 'import psycopg2' 2>/dev/null; then
    "$PY" $HERE/psycopg2_test.py "$MAIN_PORT" >"$TMP/psycopg2.out" 2>&1
    tally psycopg2 "$TMP/psycopg2.out"
    ensure_alive psycopg2
else
    fail psycopg2 "/usr/bin/python3 with psycopg2 missing (scripts/deps.sh installs python3-psycopg2)"
fi

# copy_test.py: COPY TO STDOUT and FROM STDIN in every format through
# psycopg2, psycopg 3 and psql.
if [ -x "$PY" ] && "$PY" -c 'import psycopg2' 2>/dev/null; then
    timeout -k 5 60 "$PY" $HERE/copy_test.py "$MAIN_PORT" >"$TMP/copy.out" 2>&1
    tally copy "$TMP/copy.out"
    ensure_alive copy
else
    fail copy "/usr/bin/python3 with psycopg2 missing (scripts/deps.sh installs python3-psycopg2)"
fi

# cancel_test.py: CancelRequest, psql's Ctrl-C, the timeouts, and SIGINT
# during a statement (on a server of its own), ~5 s.
if [ -x "$PY" ] && "$PY" -c 'import psycopg2' 2>/dev/null; then
    timeout -k 5 120 "$PY" $HERE/cancel_test.py "$MAIN_PORT" "$SERVER" "$CLI" "$TMP" >"$TMP/cancel.out" 2>&1
    tally cancel "$TMP/cancel.out"
    ensure_alive cancel
else
    fail cancel "/usr/bin/python3 with psycopg2 missing (scripts/deps.sh installs python3-psycopg2)"
fi

# libpq from C: pipeline mode, binary parameters and results, COPY through
# the extended protocol (libpq-dev).
if ${CC:-cc} -std=gnu11 -Wall -Wextra -Werror $(pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql) \
        -o "$TMP/libpq_pipeline" $HERE/libpq_pipeline.c -lpq >"$TMP/libpq_cc.log" 2>&1; then
    timeout -k 5 60 "$TMP/libpq_pipeline" "$MAIN_PORT" >"$TMP/libpq.out" 2>&1
    tally libpq "$TMP/libpq.out"
    ensure_alive libpq
else
    fail libpq "cannot build libpq_pipeline.c: $(head -n 3 "$TMP/libpq_cc.log")"
fi

# psycopg 3 and asyncpg: the extended query protocol and binary formats.
for suite in psycopg3:psycopg asyncpg:asyncpg; do
    name=${suite%%:*} mod=${suite#*:}
    if [ -x "$PY" ] && "$PY" -c "import $mod" 2>/dev/null; then
        timeout -k 5 300 "$PY" $HERE/${name}_test.py "$MAIN_PORT" >"$TMP/$name.out" 2>&1
        tally "$name" "$TMP/$name.out"
        ensure_alive "$name"
    else
        fail "$name" "/usr/bin/python3 with $mod missing (scripts/deps.sh installs python3-$mod)"
    fi
done

# node-pg and pg-copy-streams: tests/clients/node/package-lock.json pins
# them; npm ci installs them into tests/clients/node/node_modules (not in
# git) on first use, and again when one of them is missing there.
NODE_DIR=$HERE/node
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    fail node_pg "node and npm missing"
elif { [ ! -d "$NODE_DIR/node_modules/pg" ] || [ ! -d "$NODE_DIR/node_modules/pg-copy-streams" ]; } &&
     ! (cd "$NODE_DIR" && timeout 300 npm ci --no-audit --no-fund >"$TMP/npm.log" 2>&1); then
    fail node_pg "npm ci in $NODE_DIR failed: $(tail -n 1 "$TMP/npm.log")"
else
    (cd "$NODE_DIR" && timeout -k 5 120 node node_pg_test.js "$MAIN_PORT") >"$TMP/node_pg.out" 2>&1
    tally node_pg "$TMP/node_pg.out"
    ensure_alive node_pg
fi

# JDBC: Debian's pgjdbc jar (libpostgresql-jdbc-java) with the installed JDK.
JDBC_JAR=/usr/share/java/postgresql.jar
if ! command -v javac >/dev/null 2>&1 || [ ! -f "$JDBC_JAR" ]; then
    fail jdbc "javac or $JDBC_JAR missing (scripts/deps.sh installs libpostgresql-jdbc-java)"
elif ! javac -d "$TMP/jdbc" -cp "$JDBC_JAR" $HERE/jdbc/JdbcTest.java $HERE/jdbc/JdbcMetaTest.java >"$TMP/javac.log" 2>&1; then
    fail jdbc "javac failed: $(head -n 3 "$TMP/javac.log")"
else
    timeout -k 5 180 java -cp "$TMP/jdbc:$JDBC_JAR" JdbcTest "$MAIN_PORT" >"$TMP/jdbc.out" 2>&1
    tally jdbc "$TMP/jdbc.out"
    ensure_alive jdbc
fi

# PostgreSQL 15 side by side: initdb and start it on a free loopback port
# in a temporary directory (as the postgres user when we are root), compare
# the extended protocol of both servers, stop it.
PGBIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PY" ] || ! "$PY" -c 'import asyncpg' 2>/dev/null; then
    fail pg_compare "PostgreSQL 15 or asyncpg missing (scripts/deps.sh installs postgresql-15, python3-asyncpg)"
else
    PGTMP=$(mktemp -d "${TMPDIR:-/tmp}/driftdb-pg15.XXXXXX")
    AS=""
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$PGTMP"; AS="runuser -u postgres --"; fi
    PGCMP_PORT=0
    if $AS "$PGBIN/initdb" --no-sync -D "$PGTMP/data" -A trust -U test >"$TMP/initdb.log" 2>&1; then
        for try in 0 1 2 3 4; do
            p=$((56000 + ($$ + try * 173 + RANDOM % 11) % 1000))
            if $AS "$PGBIN/pg_ctl" -D "$PGTMP/data" -w -t 30 -l "$PGTMP/log" -o \
                "-p $p -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off" start >"$TMP/pg_ctl.log" 2>&1; then
                PGCMP_PORT=$p
                break
            fi
        done
    fi
    if [ "$PGCMP_PORT" -eq 0 ]; then
        fail pg_compare "could not start PostgreSQL 15: $(tail -n 2 "$TMP/initdb.log" "$PGTMP/log" 2>/dev/null | tr '\n' ' ')"
    else
        timeout -k 5 120 "$PY" $HERE/pg_compare.py "$MAIN_PORT" "$PGCMP_PORT" >"$TMP/pg_compare.out" 2>&1
        tally pg_compare "$TMP/pg_compare.out"
        ensure_alive pg_compare
        timeout -k 5 180 "$PY" $HERE/psql_catalog_test.py "$MAIN_PORT" "$PGCMP_PORT" >"$TMP/psql_catalog.out" 2>&1
        tally psql_catalog "$TMP/psql_catalog.out"
        ensure_alive psql_catalog
        BUILD="$BUILD" timeout -k 5 300 "$PY" $HERE/pg_dump_test.py "$MAIN_PORT" "$PGCMP_PORT" >"$TMP/pg_dump.out" 2>&1
        tally pg_dump "$TMP/pg_dump.out"
        ensure_alive pg_dump
        timeout -k 5 180 "$PY" $HERE/sqlalchemy_test.py "$MAIN_PORT" "$PGCMP_PORT" >"$TMP/sqlalchemy.out" 2>&1
        tally sqlalchemy "$TMP/sqlalchemy.out"
        ensure_alive sqlalchemy
        timeout -k 5 120 "$PY" $HERE/privilege_messages_test.py "$MAIN_PORT" "$PGCMP_PORT" >"$TMP/privmsg.out" 2>&1
        tally privmsg "$TMP/privmsg.out"
        ensure_alive privmsg
        timeout -k 5 120 "$PY" $HERE/param_infer_test.py "$MAIN_PORT" "$PGCMP_PORT" >"$TMP/param_infer.out" 2>&1
        tally param_infer "$TMP/param_infer.out"
        ensure_alive param_infer
        timeout -k 5 120 "$PY" $HERE/plan_cache_test.py "$MAIN_PORT" "$PGCMP_PORT" >"$TMP/plan_cache.out" 2>&1
        tally plan_cache "$TMP/plan_cache.out"
        ensure_alive plan_cache
        timeout -k 5 120 "$PY" $HERE/type_introspection_test.py "$MAIN_PORT" "$PGCMP_PORT" >"$TMP/typeinfo.out" 2>&1
        tally type_introspection "$TMP/typeinfo.out"
        ensure_alive type_introspection
        if [ -d "$NODE_DIR/node_modules/pg" ]; then
            (cd "$NODE_DIR" && timeout -k 5 120 node node_pg_types_test.js "$MAIN_PORT" "$PGCMP_PORT") >"$TMP/node_types.out" 2>&1
            tally node_pg_types "$TMP/node_types.out"
            ensure_alive node_pg_types
        else
            fail node_pg_types "node-pg missing (see the node_pg failure)"
        fi
        if [ -f "$TMP/jdbc/JdbcMetaTest.class" ]; then
            timeout -k 5 180 java -cp "$TMP/jdbc:$JDBC_JAR" JdbcMetaTest "$MAIN_PORT" "$PGCMP_PORT" >"$TMP/jdbcmeta.out" 2>&1
            tally jdbc_meta "$TMP/jdbcmeta.out"
            ensure_alive jdbc_meta
        else
            fail jdbc_meta "JdbcMetaTest did not compile (see the jdbc failure)"
        fi
        $AS "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1
    fi
    rm -rf "$PGTMP"
fi

if command -v pgbench >/dev/null 2>&1; then
    timeout -k 5 120 bash $HERE/pgbench.sh "$MAIN_PORT" >"$TMP/pgbench.out" 2>&1
    tally pgbench "$TMP/pgbench.out"
    ensure_alive pgbench
else
    fail pgbench "pgbench not installed (scripts/deps.sh installs postgresql-client)"
fi

# The robustness test also needs a server limited to one connection.
LIMITED_PORT=0
if make_db "$TMP/db2" && start_server limited "$TMP/db2" --max-connections 1; then
    LIMITED_PORT=$PORT
    LIMITED_PID=$SPID
fi
if [ -x "$PY" ]; then
    "$PY" $HERE/robustness.py "$MAIN_PORT" "$LIMITED_PORT" >"$TMP/robust.out" 2>&1
    tally robustness "$TMP/robust.out"
    ensure_alive robustness
else
    fail robustness "/usr/bin/python3 missing"
fi
# temp_tables_test.py: temporary tables over the wire, private per session
# and ended with a vanished client's session (the limited server shows it)
if [ -x "$PY" ] && "$PY" -c 'import psycopg2, psycopg' 2>/dev/null; then
    timeout -k 5 60 "$PY" $HERE/temp_tables_test.py "$MAIN_PORT" "$LIMITED_PORT" >"$TMP/temp_tables.out" 2>&1
    tally temp_tables "$TMP/temp_tables.out"
    ensure_alive temp_tables
else
    fail temp_tables "/usr/bin/python3 with psycopg2 and psycopg missing (scripts/deps.sh installs them)"
fi
[ "$LIMITED_PORT" -ne 0 ] && stop_server "$LIMITED_PID"

# stress.py: concurrent transfers, snapshot and time-travel readers, lost
# updates; on a server of its own over a fresh database (its seq counts are
# exact), ~30 s (~60 s under AddressSanitizer).
if [ ! -x "$PY" ]; then
    fail stress "/usr/bin/python3 missing"
elif make_db "$TMP/db3" && start_server stress "$TMP/db3"; then
    STRESS_PID=$SPID
    timeout -k 5 180 "$PY" $HERE/stress.py "$PORT" >"$TMP/stress.out" 2>&1
    tally stress "$TMP/stress.out"
    if kill -0 "$STRESS_PID" 2>/dev/null; then
        stop_server "$STRESS_PID" || fail server_survives_stress "exit status $? on SIGINT"
    else
        wait "$STRESS_PID"
        fail server_survives_stress "exit status $?"
        PIDS=$(echo "$PIDS" | sed "s/\<$STRESS_PID\>//")
        tail -n 20 "$TMP/stress.log" | sed 's/^/#   /'
    fi
else
    fail stress "could not start a server for it"
fi

# ---- a dead reader: a `driftdb sql --data` beside the server, killed while
# its transaction holds a snapshot, leaves its LMDB reader slot behind; the
# server clears it within seconds, so updates after it reuse pages as before
# (with the slot kept, 2,000 updates grew the file by ~100 MB instead of
# ~0.6 MB).  ~5 s.
if ! command -v psql >/dev/null 2>&1; then
    fail dead_reader_cleared "psql missing"
elif make_db "$TMP/db4" && start_server readers "$TMP/db4"; then
    RD_PID=$SPID
    P="psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $PORT -U test -d test"
    for i in $(seq 1 2000); do echo "UPDATE t SET v = 'v$i' WHERE id = $((i % 100 + 1));"; done >"$TMP/upd.sql"
    $P -c "CREATE TABLE t (id int PRIMARY KEY, v text)" \
       -c "INSERT INTO t SELECT g, 'x' FROM generate_series(1, 100) g" >/dev/null 2>&1
    s0=$(stat -c %s "$TMP/db4/driftdb.mdb")
    $P -f "$TMP/upd.sql" >/dev/null 2>&1
    s1=$(stat -c %s "$TMP/db4/driftdb.mdb")
    "$CLI" sql --data "$TMP/db4" -e "BEGIN" -e "SELECT count(*) FROM t" -e "SELECT pg_sleep(60)" \
        >/dev/null 2>&1 &
    CPID=$!
    sleep 1
    kill -9 $CPID 2>/dev/null
    wait $CPID 2>/dev/null
    sleep 3
    $P -f "$TMP/upd.sql" >/dev/null 2>&1
    rc=$?
    s2=$(stat -c %s "$TMP/db4/driftdb.mdb")
    g0=$((s1 - s0)) g1=$((s2 - s1))
    echo "# dead reader: 2,000 updates grew the file by $g0 bytes before, $g1 after"
    if [ $rc -eq 0 ] && [ $g1 -le $((4 * g0 + 1048576)) ]; then ok dead_reader_cleared
    else fail dead_reader_cleared "psql exit $rc; growth $g0 then $g1 bytes"
    fi
    stop_server "$RD_PID" || fail server_survives_dead_reader "exit status $?"
else
    fail dead_reader_cleared "could not start a server for it"
fi

# ---- an idle transaction: a client silent inside REPEATABLE READ while
# 3,000 updates run keeps no pages from reuse (the file grew ~190 MB before
# the server let go of idle transactions' read transactions), and still
# reads its snapshot.  ~5 s.
if [ ! -x "$PY" ]; then
    fail idle_snapshot "/usr/bin/python3 missing"
elif make_db "$TMP/db5" && start_server idle "$TMP/db5"; then
    IS_PID=$SPID
    timeout -k 5 120 "$PY" $HERE/idle_snapshot.py "$PORT" "$TMP/db5/driftdb.mdb" >"$TMP/idle.out" 2>&1
    tally idle_snapshot "$TMP/idle.out"
    stop_server "$IS_PID" || fail server_survives_idle_snapshot "exit status $?"
else
    fail idle_snapshot "could not start a server for it"
fi

# ---- authentication: hba methods x roles x passwords from libpq and asyncpg,
# the same outcome as a PostgreSQL 15 given the same pg_hba.conf and roles
# (auth_test.py starts both).  ~20 s.
if [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PY" ]; then
    fail auth "PostgreSQL 15 or /usr/bin/python3 missing"
else
    timeout -k 5 300 "$PY" $HERE/auth_test.py "$BUILD" "$PGBIN" >"$TMP/auth.out" 2>&1
    tally auth "$TMP/auth.out"
fi

# ---- TLS: --tls-cert / --tls-key / --tls-ca against a PostgreSQL 15 with
# ssl=on and the same throwaway certificates (tls_test.py makes them with
# the openssl command and starts both).  ~15 s.
if [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PY" ] || ! command -v openssl >/dev/null 2>&1; then
    fail tls "PostgreSQL 15, /usr/bin/python3 or openssl missing"
else
    timeout -k 5 300 "$PY" $HERE/tls_test.py "$BUILD" "$PGBIN" >"$TMP/tls.out" 2>&1
    tally tls "$TMP/tls.out"
fi

# ---- settings: --config files, DRIFTDB_* variables, precedence, exit 2 on
# bad settings, --log-level, --log-connections, log_min_duration_statement,
# SIGHUP reloads of the hba file and log settings (config_test.py starts its
# own servers).  ~5 s.
if [ -x "$PY" ] && "$PY" -c 'import psycopg2, psycopg' 2>/dev/null; then
    timeout -k 5 120 "$PY" $HERE/config_test.py "$BUILD" >"$TMP/config.out" 2>&1
    tally config "$TMP/config.out"
else
    fail config "/usr/bin/python3 with psycopg2 and psycopg missing (scripts/deps.sh installs them)"
fi

# ---- the HTTP listener: /health/live, /health/ready, /metrics counters
# moving by exactly what was done, not ready in a smart shutdown
# (metrics_test.py starts its own server).  ~3 s.
if [ -x "$PY" ] && "$PY" -c 'import psycopg2' 2>/dev/null; then
    timeout -k 5 120 "$PY" $HERE/metrics_test.py "$BUILD" >"$TMP/metrics.out" 2>&1
    tally metrics "$TMP/metrics.out"
else
    fail metrics "/usr/bin/python3 with psycopg2 missing (scripts/deps.sh installs it)"
fi

# ---- shutdown: SIGTERM's smart shutdown, SIGINT / SIGQUIT during it, and a
# flood of connections refused with 53300 while sessions go on, on servers
# of its own, beside a PostgreSQL 15 (shutdown_test.py).  ~15 s.
if [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PY" ] || ! "$PY" -c 'import psycopg2' 2>/dev/null || ! command -v openssl >/dev/null 2>&1; then
    fail shutdown "PostgreSQL 15, /usr/bin/python3 with psycopg2 or openssl missing"
else
    timeout -k 5 180 "$PY" $HERE/shutdown_test.py "$BUILD" "$PGBIN" >"$TMP/shutdown.out" 2>&1
    tally shutdown "$TMP/shutdown.out"
fi

# ---- shutdown: SIGINT with an idle client connected -----------------------
if command -v psql >/dev/null 2>&1; then
    (sleep 20 & echo $! >"$TMP/hold.pid"; wait) |
        psql -X -h 127.0.0.1 -p "$MAIN_PORT" -U test -d test -q >/dev/null 2>&1 &
    HOLD=$!
    sleep 0.5
fi
start_s=$(date +%s)
stop_server "$MAIN_PID"
rc=$?
took=$(( $(date +%s) - start_s ))
[ $rc -eq 0 ] && [ $took -le 5 ] && grep -q "shut down" "$TMP/main.log" \
    && ok server_sigint_shutdown || fail server_sigint_shutdown "exit $rc after ${took}s"
[ ! -e "$TMP/.s.PGSQL.$MAIN_PORT" ] && ok unix_socket_removed_at_shutdown \
    || fail unix_socket_removed_at_shutdown
if [ -n "${HOLD:-}" ]; then
    [ -f "$TMP/hold.pid" ] && kill "$(cat "$TMP/hold.pid")" 2>/dev/null
    kill $HOLD 2>/dev/null
    wait $HOLD 2>/dev/null
fi
if grep -qiE "AddressSanitizer|ThreadSanitizer|runtime error|LeakSanitizer" "$TMP"/*.log; then
    fail server_sanitizers "see server log"
    grep -hiE -A5 "AddressSanitizer|ThreadSanitizer|runtime error|LeakSanitizer" "$TMP"/*.log | sed 's/^/#   /' | head -40
fi

echo "$PASS passed, $FAILN failed"
[ "$FAILN" -eq 0 ]
