#!/bin/bash
# bench/ingest.sh - rows per second of `driftdb ingest` (not part of make test).
#
#   BUILD=build INGEST_ROWS=1000000 bash bench/ingest.sh
#
# Generates INGEST_ROWS JSON Lines orders (5 fields) and the same as CSV,
# then loads them into fresh document-style tables: through the embedded
# API (--data) as one transaction and with --batch 100000, JSON Lines and
# CSV, then through a driftdb-server on a free port (--url), both ways.
# Prints one line per run with the summary ingest printed and rows/s.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ROWS=${INGEST_ROWS:-1000000}
D=$BUILD/driftdb
S=$BUILD/driftdb-server
TMP=$(mktemp -d "${TMPDIR:-/tmp}/driftdb-ingest-bench.XXXXXX")
SPID=""
trap '[ -n "$SPID" ] && kill $SPID 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT

awk -v n="$ROWS" 'BEGIN {
    srand(1); split("new paid shipped", st, " ");
    for (i = 0; i < n; i++)
        printf "{\"id\": %d, \"customer\": \"c%05d\", \"amount\": %.2f, \"status\": \"%s\", \"qty\": %d}\n",
               i, int(rand() * 50000), rand() * 1000, st[1 + int(rand() * 3)], 1 + int(rand() * 19)
}' > "$TMP/orders.jsonl"
awk -v n="$ROWS" 'BEGIN {
    srand(1); split("new paid shipped", st, " "); print "id,customer,amount,status,qty";
    for (i = 0; i < n; i++)
        printf "%d,c%05d,%.2f,%s,%d\n", i, int(rand() * 50000), rand() * 1000, st[1 + int(rand() * 3)], 1 + int(rand() * 19)
}' > "$TMP/orders.csv"
echo "ingest: $ROWS rows, $(du -h "$TMP/orders.jsonl" | cut -f1) of JSON Lines, $(du -h "$TMP/orders.csv" | cut -f1) of CSV"

run() {   # run LABEL TARGET... -- INGEST ARGS
    local label=$1 t0 t1 out
    shift
    t0=$(date +%s.%N)
    out=$("$D" ingest "$@" 2>&1) || { echo "  $label: FAILED: $out"; return; }
    t1=$(date +%s.%N)
    awk -v l="$label" -v o="$out" -v a="$t0" -v b="$t1" -v n="$ROWS" \
        'BEGIN { printf "  %-34s %-60s %9.0f rows/s\n", l, o, n / (b - a) }'
}

"$D" init "$TMP/db" >/dev/null
n=0
for fmt in jsonl csv; do
    for batch in "" 100000; do
        n=$((n + 1))
        "$D" sql --data "$TMP/db" -e "CREATE TABLE t$n (pk=id)" >/dev/null
        run "--data $fmt ${batch:+--batch $batch}" --data "$TMP/db" -t t$n -f "$TMP/orders.$fmt" ${batch:+--batch $batch}
    done
done

PORT=$((56000 + $$ % 1000))
"$S" --data-path "$TMP/db" --listen "127.0.0.1:$PORT" 2>"$TMP/server.log" &
SPID=$!
for i in $(seq 1 100); do grep -q "listening on" "$TMP/server.log" && break; sleep 0.1; done
URL="postgresql://bench@127.0.0.1:$PORT/db"
for batch in "" 100000; do
    n=$((n + 1))
    "$D" sql --url "$URL" -e "CREATE TABLE t$n (pk=id)" >/dev/null
    run "--url jsonl ${batch:+--batch $batch}" --url "$URL" -t t$n -f "$TMP/orders.jsonl" ${batch:+--batch $batch}
done
