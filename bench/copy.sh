#!/bin/bash
# bench/copy.sh - rows per second of COPY FROM STDIN, DriftDB beside
# PostgreSQL 15 in the same run (not part of make test).
#
#   BUILD=build COPY_ROWS=1000000 bash bench/copy.sh
#
# Makes COPY_ROWS rows of a 3-column table (int primary key, text, int) in
# COPY text format, then loads them with psql's \copy (one COPY, one
# transaction) into a fresh driftdb-server and into a PostgreSQL 15
# started here (initdb under /tmp, fsync on, as the postgres user when run
# as root); prints rows/s of each and their ratio, and COPY TO STDOUT of
# the loaded table on both, and the server's peak RSS (VmHWM) once COPY
# FROM has committed.  Needs psql and /usr/lib/postgresql/15/bin.
set -u
. "$(dirname "$0")/lib.sh"
bench_setup copy
ROWS=${COPY_ROWS:-1000000}

awk -v n="$ROWS" 'BEGIN { for (i = 0; i < n; i++) printf "%d\tname %d\t%d\n", i, i, i * 7 }' > "$TMP/rows.txt"
echo "copy: $ROWS rows, $(du -h "$TMP/rows.txt" | cut -f1) of COPY text"

timed() {   # timed PORT USER DB SQL: seconds taken
    local t0 t1
    t0=$(date +%s.%N)
    psql -X -q -h 127.0.0.1 -p "$1" -U "$2" -d "$3" -v ON_ERROR_STOP=1 -c "$4" >/dev/null || return 1
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

# DriftDB
PORT=$((57000 + $$ % 1000))
bench_driftdb "$PORT" || exit 1
psql -X -q -h 127.0.0.1 -p "$PORT" -U bench -d bench -c "CREATE TABLE t (id int PRIMARY KEY, name text, v int)"
dd_in=$(timed "$PORT" bench bench "\\copy t from '$TMP/rows.txt'") || { echo "DriftDB COPY failed"; exit 1; }
dd_peak=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$SPID/status")
dd_out=$(timed "$PORT" bench bench "\\copy t to '/dev/null'")

# PostgreSQL 15
PGPORT=$((PORT + 1))
if bench_pg "$PGPORT"; then
    psql -X -q -h 127.0.0.1 -p "$PGPORT" -U bench -d postgres -c "CREATE DATABASE bench"
    psql -X -q -h 127.0.0.1 -p "$PGPORT" -U bench -d bench -c "CREATE TABLE t (id int PRIMARY KEY, name text, v int)"
    pg_in=$(timed "$PGPORT" bench bench "\\copy t from '$TMP/rows.txt'")
    pg_out=$(timed "$PGPORT" bench bench "\\copy t to '/dev/null'")
else
    pg_in=""; pg_out=""
fi
awk -v n="$ROWS" -v a="$dd_in" -v b="$pg_in" -v c="$dd_out" -v d="$pg_out" -v m="$dd_peak" 'BEGIN {
    printf "  COPY FROM STDIN  DriftDB %9.0f rows/s", n / a
    if (b != "") printf "   PostgreSQL 15 %9.0f rows/s   ratio %.2f", n / b, b / a
    printf "\n  driftdb-server peak RSS after COPY FROM: %d MB (%.0f bytes a row)", m, m * 1048576 / n
    printf "\n  COPY TO STDOUT   DriftDB %9.0f rows/s", n / c
    if (d != "") printf "   PostgreSQL 15 %9.0f rows/s   ratio %.2f", n / d, d / c
    printf "\n"
}'
