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
. "$(dirname "$0")/lib.sh"
bench_setup connect
SECS=${CONNECT_SECONDS:-5}
CLIENTS=${CONNECT_CLIENTS:-"1 8"}
command -v pgbench >/dev/null || { echo "pgbench missing (postgresql-client)"; exit 1; }

cat > "$TMP/hba.conf" <<'EOF'
host all bench 127.0.0.1/32 trust
host all all   127.0.0.1/32 scram-sha-256
EOF
echo "SELECT 1;" > "$TMP/select1.sql"
ROLE="CREATE ROLE scram LOGIN PASSWORD 'connect-bench-pw'"

PORT=$((57500 + $$ % 400))
bench_driftdb "$PORT" --max-connections 64 --hba "$TMP/hba.conf" || exit 1
psql -X -q -h 127.0.0.1 -p "$PORT" -U bench -d db -c "$ROLE" || exit 1
PGPORT=$((PORT + 1))
cp "$TMP/hba.conf" "$TMP/pg_hba.conf"
bench_pg "$PGPORT" max_connections=64 || exit 1
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
