#!/bin/bash
# bench/history.sh - scans of a table whose history is HISTORY_ROUNDS times
# its present, beside the same rows with no history and PostgreSQL 15 in
# the same run (not part of make test):
#
#   BUILD=build HISTORY_ROWS=10000 HISTORY_ROUNDS=100 bash bench/history.sh
#
# Loads HISTORY_ROWS rows into h, then updates every row HISTORY_ROUNDS
# times (a version per row per round); loads the final rows into `plain`
# (no history) and into PostgreSQL 15 (VACUUM ANALYZE).  Times through
# pgbench -M prepared (1 client, HISTORY_SECONDS each)
#   SELECT * FROM h            the present, every row to the client
#   SELECT sum(v) FROM h       the present, scanned
#   the same two AS OF the seq halfway through the updates
#   the same two on `plain` and on PostgreSQL 15
# and prints the scans' times with the ratios the scans issue sets:
# present beside history / PostgreSQL (target <= 1), present beside
# history / without history (target <= 1.2), AS OF the middle / present
# (target <= 2).
set -u
. "$(dirname "$0")/lib.sh"
bench_setup history
ROWS=${HISTORY_ROWS:-10000}
ROUNDS=${HISTORY_ROUNDS:-100}
SECS=${HISTORY_SECONDS:-3}
command -v pgbench >/dev/null || { echo "pgbench missing (postgresql-client)"; exit 1; }

PORT=$((58800 + $$ % 400))
bench_driftdb "$PORT" || exit 1
q() { psql -X -qAt -h 127.0.0.1 -p "$PORT" -U bench -d db -v ON_ERROR_STOP=1 "$@" || exit 1; }
q -c "CREATE TABLE h (k int PRIMARY KEY, v bigint, note text)" >/dev/null
q -c "INSERT INTO h SELECT g, g, 'row ' || g FROM generate_series(1, $ROWS) g" >/dev/null
MID=0
for i in $(seq 1 "$ROUNDS"); do
    q -c "UPDATE h SET v = v + 1" >/dev/null
    [ "$i" -eq $((ROUNDS / 2)) ] && MID=$(q -c "SELECT drift_seq()")
done
q -c "CREATE TABLE plain (k int PRIMARY KEY, v bigint, note text)" >/dev/null
q -c "INSERT INTO plain SELECT * FROM h" >/dev/null
q -c "ANALYZE h" -c "ANALYZE plain" >/dev/null

PGPORT=$((PORT + 1))
bench_pg "$PGPORT" || exit 1
psql -X -q -h 127.0.0.1 -p "$PGPORT" -U bench -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE TABLE h (k int PRIMARY KEY, v bigint, note text)" \
    -c "INSERT INTO h SELECT g, g + $ROUNDS, 'row ' || g FROM generate_series(1, $ROWS) g" -c "VACUUM ANALYZE h" \
    >/dev/null || exit 1

ms() {   # ms PORT DB SQL: milliseconds per run through pgbench -M prepared, 1 client
    printf '%s;\n' "$3" >"$TMP/q.sql"
    pgbench -n -h 127.0.0.1 -p "$1" -U bench -d "$2" -M prepared -f "$TMP/q.sql" -c 1 -j 1 -T "$SECS" \
        2>"$TMP/pgbench.err" | awk '/^tps = / { printf "%.3f", 1000 / $3 }'
}
echo "history: $ROWS rows, $ROUNDS updates of every row (history ${ROUNDS}x the present), AS OF @SEQ:$MID"
for shape in "SELECT * FROM" "SELECT sum(v) FROM"; do
    present=$(ms "$PORT" db "$shape h")
    asof=$(ms "$PORT" db "$shape h FOR SYSTEM_TIME AS OF @SEQ:$MID")
    plain=$(ms "$PORT" db "$shape plain")
    pg=$(ms "$PGPORT" postgres "$shape h")
    awk -v s="$shape" -v p="$present" -v a="$asof" -v n="$plain" -v g="$pg" 'BEGIN {
        printf "  %s ...\n", s
        printf "    present beside history %8.3f ms   AS OF the middle %8.3f ms   no history %8.3f ms   PostgreSQL 15 %8.3f ms\n", p, a, n, g
        printf "    present / PostgreSQL %.2f (target <= 1)   present / no history %.2f (<= 1.2)   AS OF / present %.2f (<= 2)\n",
               p / g, p / n, a / p
    }'
done
