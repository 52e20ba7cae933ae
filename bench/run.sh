#!/bin/sh
# make bench: the benchmarks (not part of make test).
#   bench_core        durable commits and point lookups, SQLite beside
#   ingest.sh         driftdb ingest rows/s
#   commits.sh        durable INSERT commits/s through the wire, PostgreSQL 15 beside
#   connect.sh        SCRAM-SHA-256 (and trust) connections/s, PostgreSQL 15 beside
#   groupby.sh        GROUP BY and aggregate scans, PostgreSQL 15 beside
#   pointselect.sh    pgbench -M prepared point SELECTs, PostgreSQL 15 beside
#   asof.sh           a scan AS OF a point with few rows, from a checkpoint and not
#   history.sh        scans beside a history 100x the present, AS OF its middle
#   tpch.sh           TPC-H-like queries 1, 3, 5 and 6, PostgreSQL 15 beside
#   spill.sh          sorts, hash aggregates, DISTINCT and hash joins past work_mem
#   bench_queries.py  the query engine beside PostgreSQL 15 (joins, subqueries,
#                     index ranges, point SELECTs through the wire)
set -e
BUILD=${BUILD:-build}
"$BUILD/bench/bench_core" "${BENCH_DIR:-/tmp/driftdb-bench}" "${BENCH_SECONDS:-3}"
BUILD="$BUILD" bash "$(dirname "$0")/ingest.sh"
BUILD="$BUILD" bash "$(dirname "$0")/copy.sh"
BUILD="$BUILD" bash "$(dirname "$0")/commits.sh"
BUILD="$BUILD" bash "$(dirname "$0")/connect.sh"
BUILD="$BUILD" bash "$(dirname "$0")/groupby.sh"
BUILD="$BUILD" bash "$(dirname "$0")/pointselect.sh"
BUILD="$BUILD" bash "$(dirname "$0")/asof.sh"
BUILD="$BUILD" bash "$(dirname "$0")/history.sh"
BUILD="$BUILD" bash "$(dirname "$0")/tpch.sh"
BUILD="$BUILD" bash "$(dirname "$0")/spill.sh"
/usr/bin/python3 "$(dirname "$0")/bench_queries.py" "$BUILD" --scale "${BENCH_SCALE:-1}" --runs "${BENCH_RUNS:-5}"
