#!/bin/bash
# bench/spill.sh - sorts, hash aggregates, DISTINCT and hash joins past
# work_mem (they spill to temporary files), DriftDB beside PostgreSQL 15 in
# the same run, both at PostgreSQL's default work_mem of 4MB (not part of
# make test):
#
#   BUILD=build SPILL_ROWS=1000000 SPILL_RUNS=3 bash bench/spill.sh
#
# Loads SPILL_ROWS rows of t (k int PRIMARY KEY, s text: md5 of k, v int)
# into a driftdb-server and a PostgreSQL 15 (VACUUM ANALYZE after the
# load), then times through psql the median of SPILL_RUNS runs of each
# query with SET work_mem = '4MB' on each, and prints both with the ratio
# DriftDB / PostgreSQL (below 1: DriftDB faster).  Both answers are
# compared; EXPLAIN ANALYZE on DriftDB shows that each spilled.
set -u
. "$(dirname "$0")/lib.sh"
bench_setup spill
ROWS=${SPILL_ROWS:-1000000}
RUNS=${SPILL_RUNS:-3}

LOAD="CREATE TABLE t (k int PRIMARY KEY, s text, v int);
INSERT INTO t SELECT g, md5(g::text), (g::bigint * 7919) % 1000003 FROM generate_series(1, $ROWS) g;"
QUERIES=(
    "SELECT k, s FROM t ORDER BY s OFFSET $((ROWS - 1))"
    "SELECT count(*), sum(c) FROM (SELECT s, count(*) AS c FROM t GROUP BY s) x"
    "SELECT count(*) FROM (SELECT DISTINCT v FROM t) x"
    "SELECT count(*), sum(a.v) FROM t a JOIN t b ON a.s = b.s"
)
SET="SET work_mem = '4MB'; "

PORT=$((58400 + $$ % 400))
bench_both "$PORT" "$LOAD" || exit 1

echo "spill: $ROWS rows, work_mem 4MB, median of $RUNS runs"
for q in "${QUERIES[@]}"; do
    spilled=$(psql -X -qAt -h 127.0.0.1 -p "$PORT" -U bench -d db -c "${SET}EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) $q" |
              grep -c "Disk")
    note=""
    [ "$spilled" -gt 0 ] || note="DID NOT SPILL"
    bench_compare "$PORT" "$PGPORT" "$RUNS" "$q" "$SET$q" "$note"
done
