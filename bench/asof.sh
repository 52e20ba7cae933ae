#!/bin/bash
# bench/asof.sh - a scan AS OF a point where few of a table's keys are
# visible, from the automatic checkpoint its mass DELETE left and from one
# CHECKPOINT TABLE wrote, beside the same rows read in the present and
# PostgreSQL 15's scan of a table of those rows, in the same run (not part
# of make test):
#
#   BUILD=build ASOF_SECONDS=5 ASOF_KEYS=200000 ASOF_LIVE=10 bash bench/asof.sh
#
# t gets ASOF_KEYS rows (seq 2), then all but ASOF_LIVE are deleted (seq
# 3) and ASOF_LIVE more commits each update one row (seqs 4..).  The point
# read is @SEQ:4 (ASOF_LIVE rows visible).  pgbench -M prepared runs one
# SELECT * of the whole table for ASOF_SECONDS: AS OF @SEQ:4 as the
# deletions left it (the DELETE wrote an automatic checkpoint at seq 3
# when ASOF_KEYS - ASOF_LIVE passes 10,000; without one every key the
# table ever had is visited), the same after CHECKPOINT TABLE t (at the
# head), the present (ASOF_LIVE rows), and on PostgreSQL 15 a table
# holding the same ASOF_LIVE rows.  Prints each rate, the plans, and the
# ratios of the AS OF scans' times to the present's (the target: at most
# 10).
set -u
. "$(dirname "$0")/lib.sh"
bench_setup asof
SECS=${ASOF_SECONDS:-5}
KEYS=${ASOF_KEYS:-200000}
LIVE=${ASOF_LIVE:-10}
command -v pgbench >/dev/null || { echo "pgbench missing (postgresql-client)"; exit 1; }

PORT=$((57500 + $$ % 400))
bench_driftdb "$PORT" || exit 1
q() { psql -X -q -h 127.0.0.1 -p "$PORT" -U bench -d db -v ON_ERROR_STOP=1 "$@" >/dev/null || exit 1; }
q -c "CREATE TABLE t (id int PRIMARY KEY, v bigint, note text)"
q -c "INSERT INTO t SELECT g, g * 3, 'row ' || g FROM generate_series(1, $KEYS) g"
q -c "DELETE FROM t WHERE id > $LIVE"
for i in $(seq 1 "$LIVE"); do q -c "UPDATE t SET v = v + 1 WHERE id = $i"; done

printf 'SELECT * FROM t FOR SYSTEM_TIME AS OF @SEQ:4;\n' >"$TMP/asof.sql"
printf 'SELECT * FROM t;\n' >"$TMP/present.sql"

PGPORT=$((PORT + 1))
bench_pg "$PGPORT" || exit 1
psql -X -q -h 127.0.0.1 -p "$PGPORT" -U bench -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE TABLE t (id int PRIMARY KEY, v bigint, note text)" \
    -c "INSERT INTO t SELECT g, g * 3, 'row ' || g FROM generate_series(1, $LIVE) g" -c "VACUUM ANALYZE t" >/dev/null || exit 1

tps() {   # tps PORT DB SCRIPT: pgbench's transactions per second, 1 client
    pgbench -n -h 127.0.0.1 -p "$1" -U bench -d "$2" -M prepared -f "$3" -c 1 -j 1 -T "$SECS" \
        2>"$TMP/pgbench.err" | awk '/^tps = / { printf "%.1f", $3 }'
}
plan0=$(psql -X -qAt -h 127.0.0.1 -p "$PORT" -U bench -d db \
    -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM t FOR SYSTEM_TIME AS OF @SEQ:4")
before=$(tps "$PORT" db "$TMP/asof.sql")
q -c "CHECKPOINT TABLE t"
plan=$(psql -X -qAt -h 127.0.0.1 -p "$PORT" -U bench -d db \
    -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM t FOR SYSTEM_TIME AS OF @SEQ:4")
after=$(tps "$PORT" db "$TMP/asof.sql")
present=$(tps "$PORT" db "$TMP/present.sql")
pg=$(tps "$PGPORT" postgres "$TMP/present.sql")
echo "asof: $KEYS keys, $LIVE visible at @SEQ:4, pgbench -M prepared, 1 client, $SECS s per run"
echo "  plan as the deletions left it: $plan0"
echo "  plan after CHECKPOINT TABLE:  $plan"
awk -v b="$before" -v a="$after" -v p="$present" -v g="$pg" -v keys="$KEYS" 'BEGIN {
    printf "  AS OF @SEQ:4, as left        %9.1f/s  (%8.3f ms, %.0f ns per key ever)\n", b, 1000 / b, 1e9 / b / keys
    printf "  AS OF @SEQ:4, CHECKPOINT TABLE %7.1f/s  (%8.3f ms)\n", a, 1000 / a
    printf "  the present (same rows)       %9.1f/s  (%8.3f ms)\n", p, 1000 / p
    printf "  PostgreSQL 15, same rows      %9.1f/s  (%8.3f ms)\n", g, 1000 / g
    printf "  AS OF / present: %.2fx the time as left, %.2fx after CHECKPOINT TABLE (target <= 10)\n", p / b, p / a
}'
