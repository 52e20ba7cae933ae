#!/bin/bash
# bench/commits.sh - durable single-row INSERT commits per second through
# the wire, DriftDB beside PostgreSQL 15 in the same run (not part of make
# test).
#
#   BUILD=build COMMIT_SECONDS=5 COMMIT_CLIENTS="1 8 32" bash bench/commits.sh
#
# Starts a driftdb-server and a PostgreSQL 15 (fsync and synchronous_commit
# on, its defaults) on free loopback ports, creates the same table on both,
# and runs pgbench (prepared statements, no vacuum) with a script of one
# INSERT of a random key per transaction, for each number of clients in
# COMMIT_CLIENTS; prints transactions per second on each server and the
# ratio DriftDB / PostgreSQL.  Every commit is durable on both: DriftDB
# flushes before it answers COMMIT (group commit shares a flush among the
# commits waiting for it).
set -u
. "$(dirname "$0")/lib.sh"
bench_setup commits
SECS=${COMMIT_SECONDS:-5}
CLIENTS=${COMMIT_CLIENTS:-"1 8 32"}
command -v pgbench >/dev/null || { echo "pgbench missing (postgresql-client)"; exit 1; }

TABLE="CREATE TABLE ev (id bigint PRIMARY KEY, client int, payload text)"
cat > "$TMP/insert.sql" <<'EOF'
\set k random(1, 9000000000000000)
INSERT INTO ev VALUES (:k, :client_id, 'commit bench payload');
EOF

PORT=$((57000 + $$ % 500))
bench_driftdb "$PORT" --max-connections 64 || exit 1
psql -X -q -h 127.0.0.1 -p "$PORT" -U bench -d db -c "$TABLE" || exit 1
PGPORT=$((PORT + 1))
bench_pg "$PGPORT" max_connections=64 || exit 1
psql -X -q -h 127.0.0.1 -p "$PGPORT" -U bench -d postgres -c "$TABLE" || exit 1

tps() {   # tps PORT DB CLIENTS: pgbench's transactions per second
    pgbench -n -h 127.0.0.1 -p "$1" -U bench -d "$2" -M prepared -f "$TMP/insert.sql" -c "$3" -j 2 -T "$SECS" 2>"$TMP/pgbench.err" |
        awk '/^tps = / { printf "%.0f", $3 }'
}
echo "commits: one INSERT per transaction, $SECS s per run, durable on both"
for c in $CLIENTS; do
    d=$(tps "$PORT" db "$c")
    p=$(tps "$PGPORT" postgres "$c")
    [ -z "$d" ] && { echo "  $c clients: DriftDB run failed:"; sed 's/^/    /' "$TMP/pgbench.err"; continue; }
    awk -v c="$c" -v d="$d" -v p="$p" 'BEGIN {
        printf "  %2d client%s  DriftDB %7d/s   PostgreSQL 15 %7d/s   ratio %.2f\n", c, c == 1 ? " " : "s", d, p, p ? d / p : 0
    }'
done
