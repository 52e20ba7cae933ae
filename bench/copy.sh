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
# the loaded table on both.  Needs psql and /usr/lib/postgresql/15/bin.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ROWS=${COPY_ROWS:-1000000}
PGBIN=/usr/lib/postgresql/15/bin
TMP=$(mktemp -d "${TMPDIR:-/tmp}/driftdb-copy-bench.XXXXXX")
SPID=""
AS=""
[ "$(id -u)" -eq 0 ] && AS="runuser -u postgres --"
cleanup() {
    [ -n "$SPID" ] && kill "$SPID" 2>/dev/null
    [ -d "$TMP/pg" ] && $AS "$PGBIN/pg_ctl" -D "$TMP/pg" -m immediate stop >/dev/null 2>&1
    wait 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
chmod 755 "$TMP"

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
"$BUILD/driftdb" init "$TMP/dd" --superuser bench >/dev/null
PORT=$((57000 + $$ % 1000))
"$BUILD/driftdb-server" --data-path "$TMP/dd" --listen "127.0.0.1:$PORT" 2>"$TMP/server.log" &
SPID=$!
for i in $(seq 1 100); do grep -q "listening on" "$TMP/server.log" && break; sleep 0.1; done
psql -X -q -h 127.0.0.1 -p "$PORT" -U bench -d bench -c "CREATE TABLE t (id int PRIMARY KEY, name text, v int)"
dd_in=$(timed "$PORT" bench bench "\\copy t from '$TMP/rows.txt'") || { echo "DriftDB COPY failed"; exit 1; }
dd_out=$(timed "$PORT" bench bench "\\copy t to '/dev/null'")

# PostgreSQL 15
if [ -x "$PGBIN/initdb" ]; then
    [ -n "$AS" ] && chown postgres "$TMP"
    $AS "$PGBIN/initdb" -D "$TMP/pg" -A trust -U bench >/dev/null 2>&1
    PGPORT=$((PORT + 1))
    $AS "$PGBIN/pg_ctl" -D "$TMP/pg" -o "-p $PGPORT -k $TMP -c listen_addresses=127.0.0.1" -l "$TMP/pg.log" -w start >/dev/null
    psql -X -q -h 127.0.0.1 -p "$PGPORT" -U bench -d postgres -c "CREATE DATABASE bench"
    psql -X -q -h 127.0.0.1 -p "$PGPORT" -U bench -d bench -c "CREATE TABLE t (id int PRIMARY KEY, name text, v int)"
    pg_in=$(timed "$PGPORT" bench bench "\\copy t from '$TMP/rows.txt'")
    pg_out=$(timed "$PGPORT" bench bench "\\copy t to '/dev/null'")
else
    pg_in=""; pg_out=""
fi
awk -v n="$ROWS" -v a="$dd_in" -v b="$pg_in" -v c="$dd_out" -v d="$pg_out" 'BEGIN {
    printf "  COPY FROM STDIN  DriftDB %9.0f rows/s", n / a
    if (b != "") printf "   PostgreSQL 15 %9.0f rows/s   ratio %.2f", n / b, b / a
    printf "\n  COPY TO STDOUT   DriftDB %9.0f rows/s", n / c
    if (d != "") printf "   PostgreSQL 15 %9.0f rows/s   ratio %.2f", n / d, d / c
    printf "\n"
}'
