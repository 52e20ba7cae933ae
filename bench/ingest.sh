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
# Then the same CSV into the same typed table (id bigint primary key,
# customer text, amount numeric, status text, qty int) three ways in one
# run: `driftdb ingest --url`, psql's \copy into DriftDB, and psql's \copy
# into a PostgreSQL 15 started here (fsync on); prints rows/s (DriftDB's
# as the mean of two runs each, ingest and COPY alternating) and the
# ratios ingest / DriftDB COPY and ingest / PostgreSQL COPY (above 1:
# ingest is faster).  ingest sends its rows with COPY FROM STDIN, so the
# first ratio is the cost of reading JSON/CSV and writing COPY's format.
set -u
. "$(dirname "$0")/lib.sh"
bench_setup ingest
ROWS=${INGEST_ROWS:-1000000}
D=$BUILD/driftdb
S=$BUILD/driftdb-server

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

"$D" init "$TMP/db" --superuser bench >/dev/null
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

# the same CSV into the same typed table: ingest against COPY
TYPED="(id bigint PRIMARY KEY, customer text, amount numeric, status text, qty int)"
secs() {   # secs COMMAND...: seconds it took (fails with it)
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>"$TMP/secs.err" || { cat "$TMP/secs.err" >&2; return 1; }
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}
# in the order ingest, COPY, COPY, ingest (each into a fresh table), so
# that neither gains from going first into a smaller data file
"$D" sql --url "$URL" -e "CREATE TABLE ti1 $TYPED" -e "CREATE TABLE tc1 $TYPED" \
     -e "CREATE TABLE tc2 $TYPED" -e "CREATE TABLE ti2 $TYPED" >/dev/null
ddcopy() { psql -X -q -h 127.0.0.1 -p "$PORT" -U bench -d db -v ON_ERROR_STOP=1 \
           -c "\\copy $1 from '$TMP/orders.csv' with (format csv, header)"; }
i1=$(secs "$D" ingest --url "$URL" -t ti1 -f "$TMP/orders.csv") || exit 1
c1=$(secs ddcopy tc1) || exit 1
c2=$(secs ddcopy tc2) || exit 1
i2=$(secs "$D" ingest --url "$URL" -t ti2 -f "$TMP/orders.csv") || exit 1
echo "  same CSV, typed table, seconds: ingest $i1, COPY $c1, COPY $c2, ingest $i2"
ing=$(awk -v a="$i1" -v b="$i2" 'BEGIN { printf "%.3f", (a + b) / 2 }')
ddc=$(awk -v a="$c1" -v b="$c2" 'BEGIN { printf "%.3f", (a + b) / 2 }')
pgc=""
PGPORT=$((PORT + 1))
if bench_pg "$PGPORT"; then
    psql -X -q -h 127.0.0.1 -p "$PGPORT" -U bench -d postgres -c "CREATE TABLE tc $TYPED"
    pgc=$(secs psql -X -q -h 127.0.0.1 -p "$PGPORT" -U bench -d postgres -v ON_ERROR_STOP=1 \
          -c "\\copy tc from '$TMP/orders.csv' with (format csv, header)") || pgc=""
fi
awk -v n="$ROWS" -v i="$ing" -v c="$ddc" -v p="$pgc" 'BEGIN {
    printf "  same CSV, typed table: ingest --url %9.0f rows/s   DriftDB COPY %9.0f rows/s   ratio %.2f", n / i, n / c, c / i
    if (p != "") printf "   PostgreSQL 15 COPY %9.0f rows/s   ratio %.2f", n / p, p / i
    printf "\n"
}'
