#!/bin/bash
# bench/groupby.sh - the scans issue's W5 query, DriftDB beside PostgreSQL 15
# in the same run (not part of make test):
#
#   BUILD=build GROUPBY_ROWS=1000000 GROUPBY_RUNS=5 bash bench/groupby.sh
#
# Loads GROUPBY_ROWS rows of t (k bigint PRIMARY KEY, v bigint) into a
# driftdb-server and a PostgreSQL 15 (VACUUM ANALYZE after the load), then
# times through psql (\timing: the server's answer as the client sees it)
# the median of GROUPBY_RUNS runs of
#   SELECT k % 100, count(*), sum(v) FROM t GROUP BY 1
#   SELECT count(*), sum(v), avg(v) FROM t
#   SELECT count(*) FROM t WHERE v % 7 = 3
# on each, and prints both with the ratio DriftDB / PostgreSQL (below 1:
# DriftDB faster).  Both answers are compared.
set -u
. "$(dirname "$0")/lib.sh"
bench_setup groupby
ROWS=${GROUPBY_ROWS:-1000000}
RUNS=${GROUPBY_RUNS:-5}

LOAD="CREATE TABLE t (k bigint PRIMARY KEY, v bigint);
INSERT INTO t SELECT g, (g::bigint * 7919) % 1000003 FROM generate_series(1, $ROWS) g;"
QUERIES=(
    "SELECT k % 100, count(*), sum(v) FROM t GROUP BY 1 ORDER BY 1"
    "SELECT count(*), sum(v), avg(v) FROM t"
    "SELECT count(*) FROM t WHERE v % 7 = 3"
)

PORT=$((58000 + $$ % 400))
bench_both "$PORT" "$LOAD" || exit 1

echo "groupby: $ROWS rows, median of $RUNS runs"
for q in "${QUERIES[@]}"; do
    bench_compare "$PORT" "$PGPORT" "$RUNS" "$q" "$q"
done
