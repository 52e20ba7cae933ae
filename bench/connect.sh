#!/bin/bash
# bench/connect.sh - new connections per second, each authenticated with
# SCRAM-SHA-256 (and, for scale, with trust), DriftDB beside PostgreSQL 15
# in the same run (not part of make test).
#
#   BUILD=build CONNECT_SECONDS=5 CONNECT_CLIENTS="1 8" bash bench/connect.sh
#
# Starts a driftdb-server with --hba and a PostgreSQL 15 with the same
# pg_hba.conf lines (role "bench" trusted from 127.0.0.1, every other role
# by scram-sha-256), makes role "scram" with a password on both (stored as
# a SCRAM-SHA-256 verifier at PostgreSQL's 4096 iterations), and runs
# pgbench -C (a new connection for every transaction: startup, the whole
# SASL exchange, one SELECT 1, terminate) for each number of clients;
# prints connections per second on each server and the ratio DriftDB /
# PostgreSQL.  pgbench runs on the same 2 cores as the servers.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SECS=${CONNECT_SECONDS:-5}
CLIENTS=${CONNECT_CLIENTS:-"1 8"}
S=$BUILD/driftdb-server
D=$BUILD/driftdb
PGBIN=/usr/lib/postgresql/15/bin
TMP=$(mktemp -d "${TMPDIR:-/tmp}/driftdb-connect-bench.XXXXXX")
SPID=""
AS=""
[ "$(id -u)" -eq 0 ] && AS="runuser -u postgres --"
cleanup() {
    [ -n "$SPID" ] && kill "$SPID" 2>/dev/null
    [ -d "$TMP/pg" ] && $AS "$PGBIN/pg_ctl" -D "$TMP/pg" -m immediate stop >/dev/null 2>&1
    wait 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
chmod 755 "$TMP"
command -v pgbench >/dev/null || { echo "pgbench missing (postgresql-client)"; exit 1; }
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL 15 missing ($PGBIN)"; exit 1; }

cat > "$TMP/hba.conf" <<'EOF'
host all bench 127.0.0.1/32 trust
host all all   127.0.0.1/32 scram-sha-256
EOF
echo "SELECT 1;" > "$TMP/select1.sql"
ROLE="CREATE ROLE scram LOGIN PASSWORD 'connect-bench-pw'"

PORT=$((57500 + $$ % 400))
"$D" init "$TMP/db" --superuser bench >/dev/null
"$S" --data-path "$TMP/db" --listen "127.0.0.1:$PORT" --socket-dir '' --max-connections 64 --hba "$TMP/hba.conf" \
    2>"$TMP/server.log" &
SPID=$!
for i in $(seq 1 100); do grep -q "listening on" "$TMP/server.log" && break; sleep 0.1; done
psql -X -q -h 127.0.0.1 -p "$PORT" -U bench -d db -c "$ROLE" || exit 1

PGPORT=$((PORT + 1))
[ -n "$AS" ] && chown postgres "$TMP"
$AS "$PGBIN/initdb" -D "$TMP/pg" -A trust -U bench >/dev/null 2>&1 || { echo "initdb failed"; exit 1; }
cp "$TMP/hba.conf" "$TMP/pg/pg_hba.conf"
[ -n "$AS" ] && chown postgres "$TMP/pg/pg_hba.conf"
$AS "$PGBIN/pg_ctl" -D "$TMP/pg" -o "-p $PGPORT -k $TMP -c listen_addresses=127.0.0.1 -c max_connections=64" \
    -l "$TMP/pg.log" -w start >/dev/null || exit 1
psql -X -q -h 127.0.0.1 -p "$PGPORT" -U bench -d postgres -c "$ROLE" || exit 1

cps() {   # cps PORT DB USER CLIENTS: pgbench -C's transactions (= connections) per second
    PGPASSWORD=connect-bench-pw pgbench -n -C -h 127.0.0.1 -p "$1" -U "$3" -d "$2" -f "$TMP/select1.sql" -c "$4" -j 2 \
        -T "$SECS" 2>"$TMP/pgbench.err" | awk '/^tps = / { printf "%.0f", $3 }'
}
echo "connect: a new connection per SELECT 1, $SECS s per run"
for auth in scram trust; do
    user=scram
    [ "$auth" = trust ] && user=bench
    for c in $CLIENTS; do
        d=$(cps "$PORT" db "$user" "$c")
        [ -z "$d" ] && { echo "  $auth, $c clients: DriftDB run failed:"; sed 's/^/    /' "$TMP/pgbench.err"; continue; }
        p=$(cps "$PGPORT" postgres "$user" "$c")
        [ -z "$p" ] && { echo "  $auth, $c clients: PostgreSQL run failed:"; sed 's/^/    /' "$TMP/pgbench.err"; continue; }
        awk -v a="$auth" -v c="$c" -v d="$d" -v p="$p" 'BEGIN {
            printf "  %-5s %2d client%s  DriftDB %6d conn/s   PostgreSQL 15 %6d conn/s   ratio %.2f\n", a, c,
                   c == 1 ? " " : "s", d, p, p ? d / p : 0
        }'
    done
done
