#!/bin/bash
# bench/numeric.sh [BUILD_DIR...] - NUMERIC's cost in aggregation: a GROUP
# BY over NUMERIC_ROWS (default 1,000,000) rows of (k bigint, v bigint,
# amount numeric(12,2)), 100 groups: sum(v), sum(amount), avg(amount), and
# variance(v), stddev(amount); median of NUMERIC_RUNS (5) runs of each
# query, in-process (driftdb sql -d), for every build directory given
# (default: build), so that two builds compare on the same data.
set -eu
cd "$(dirname "$0")/.."
ROWS=${NUMERIC_ROWS:-1000000}
RUNS=${NUMERIC_RUNS:-5}
BUILDS=("$@")
[ ${#BUILDS[@]} -gt 0 ] || BUILDS=(build)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/driftdb-numbench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
QUERIES=(
    "SELECT k % 100, sum(v) FROM nb GROUP BY 1"
    "SELECT k % 100, sum(amount), avg(amount) FROM nb GROUP BY 1"
    "SELECT k % 100, variance(v), stddev(amount) FROM nb GROUP BY 1"
)
for b in "${BUILDS[@]}"; do
    db="$TMP/db.$(echo "$b" | tr / _)"
    "$b/driftdb" init "$db" >/dev/null
    "$b/driftdb" sql -d "$db" -e "CREATE TABLE nb (k bigint PRIMARY KEY, v bigint, amount numeric(12,2))" \
        -e "INSERT INTO nb SELECT g, g::bigint * 7919 % 1000003 * 1000000, (g % 99991) * 1.37 FROM generate_series(1, $ROWS) g" >/dev/null
    for q in "${QUERIES[@]}"; do
        ts=()
        for _ in $(seq "$RUNS"); do
            s=$(date +%s%N)
            "$b/driftdb" sql -d "$db" -e "$q" >/dev/null
            e=$(date +%s%N)
            ts+=($(( (e - s) / 1000000 )))
        done
        med=$(printf '%s\n' "${ts[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
        printf '%-40s %6d ms  %s\n' "$b" "$med" "$q"
    done
done
