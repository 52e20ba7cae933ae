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
# ratio DriftDB / PostgreSQL, and DriftDB's fdatasync calls per commit
# (drift_stat_flushes(): the commit log's flushes, one per group, and the
# checkpoints' two each).  Every commit is durable on both: DriftDB
# flushes its commit log before it answers COMMIT (group commit shares a
# flush among the commits waiting for it).
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
stats() {   # the server's commits, groups and fdatasync calls since it started
    psql -X -q -A -t -F ' ' -h 127.0.0.1 -p "$PORT" -U bench -d db \
        -c "SELECT drift_stat_commits(), drift_stat_batches(), drift_stat_flushes()"
}
echo "commits: one INSERT per transaction, $SECS s per run, durable on both"
for c in $CLIENTS; do
    before=$(stats)
    d=$(tps "$PORT" db "$c")
    after=$(stats)
    p=$(tps "$PGPORT" postgres "$c")
    [ -z "$d" ] && { echo "  $c clients: DriftDB run failed:"; sed 's/^/    /' "$TMP/pgbench.err"; continue; }
    awk -v c="$c" -v d="$d" -v p="$p" -v b="$before" -v a="$after" 'BEGIN {
        split(b, x, " "); split(a, y, " ")
        n = y[1] - x[1]; g = y[2] - x[2]; f = y[3] - x[3]
        printf "  %2d client%s  DriftDB %7d/s   PostgreSQL 15 %7d/s   ratio %.2f   DriftDB flushes per commit %.3f (%.2f commits per group)\n",
            c, c == 1 ? " " : "s", d, p, p ? d / p : 0, n ? f / n : 0, g ? n / g : 0
    }'
done
