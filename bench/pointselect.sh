#!/bin/bash
# bench/pointselect.sh - point SELECTs by primary key through pgbench's
# prepared mode (named statements, Bind/Execute only), DriftDB beside
# PostgreSQL 15 in the same run (not part of make test):
#
#   BUILD=build POINT_SECONDS=5 POINT_CLIENTS="1 8" POINT_ROWS=100000 bash bench/pointselect.sh
#
# Loads POINT_ROWS rows of t (id int PRIMARY KEY, v bigint, note text) into
# a driftdb-server and a PostgreSQL 15 (VACUUM ANALYZE), then runs pgbench
# -M prepared with a script of one SELECT of a random id, for each number
# of clients in POINT_CLIENTS, and prints transactions per second on each
# server and the ratio DriftDB / PostgreSQL (above 1: DriftDB faster).
# The same again with the row read AS OF the seq before the last update
# (DriftDB only: PostgreSQL has no history).
set -u
. "$(dirname "$0")/lib.sh"
bench_setup point
SECS=${POINT_SECONDS:-5}
CLIENTS=${POINT_CLIENTS:-"1 8"}
ROWS=${POINT_ROWS:-100000}
command -v pgbench >/dev/null || { echo "pgbench missing (postgresql-client)"; exit 1; }

LOAD="CREATE TABLE t (id int PRIMARY KEY, v bigint, note text);
INSERT INTO t SELECT g, g * 3, 'row ' || g FROM generate_series(1, $ROWS) g;"
printf '\\set id random(1, %d)\nSELECT v, note FROM t WHERE id = :id;\n' "$ROWS" >"$TMP/select.sql"

PORT=$((58500 + $$ % 400))
bench_driftdb "$PORT" --max-connections 64 || exit 1
psql -X -q -h 127.0.0.1 -p "$PORT" -U bench -d db -v ON_ERROR_STOP=1 -c "$LOAD" -c "ANALYZE t" || exit 1
SEQ=$(psql -X -qAt -h 127.0.0.1 -p "$PORT" -U bench -d db -c "SELECT drift_seq()")
psql -X -q -h 127.0.0.1 -p "$PORT" -U bench -d db -c "UPDATE t SET v = v + 1" || exit 1
printf '\\set id random(1, %d)\nSELECT v, note FROM t FOR SYSTEM_TIME AS OF @SEQ:%s WHERE id = :id;\n' "$ROWS" "$SEQ" \
    >"$TMP/asof.sql"

PGPORT=$((PORT + 1))
bench_pg "$PGPORT" max_connections=64 || exit 1
psql -X -q -h 127.0.0.1 -p "$PGPORT" -U bench -d postgres -v ON_ERROR_STOP=1 -c "$LOAD" -c "VACUUM ANALYZE t" || exit 1

tps() {   # tps PORT DB SCRIPT CLIENTS: pgbench's transactions per second
    pgbench -n -h 127.0.0.1 -p "$1" -U bench -d "$2" -M prepared -f "$3" -c "$4" -j "$4" -T "$SECS" \
        2>"$TMP/pgbench.err" | awk '/^tps = / { printf "%.0f", $3 }'
}
echo "pointselect: $ROWS rows, pgbench -M prepared, $SECS s per run"
for c in $CLIENTS; do
    d=$(tps "$PORT" db "$TMP/select.sql" "$c")
    [ -z "$d" ] && { echo "  $c clients: DriftDB run failed:"; sed 's/^/    /' "$TMP/pgbench.err"; continue; }
    p=$(tps "$PGPORT" postgres "$TMP/select.sql" "$c")
    h=$(tps "$PORT" db "$TMP/asof.sql" "$c")
    awk -v c="$c" -v d="$d" -v p="$p" -v h="$h" 'BEGIN {
        printf "  %2d client%s  DriftDB %7d/s   PostgreSQL 15 %7d/s   ratio %.2f   (DriftDB AS OF the past %7d/s)\n",
               c, c == 1 ? " " : "s", d, p, p ? d / p : 0, h
    }'
done
