#!/bin/sh
# make bench: the benchmarks (not part of make test).
set -e
BUILD=${BUILD:-build}
"$BUILD/bench/bench_core" "${BENCH_DIR:-/tmp/driftdb-bench}" "${BENCH_SECONDS:-3}"
BUILD="$BUILD" bash "$(dirname "$0")/ingest.sh"
BUILD="$BUILD" bash "$(dirname "$0")/copy.sh"
