#!/bin/bash
# bench/space.sh - the space DELETE HISTORY gives back (not part of make
# test).  The target (docs/retention.md): after DELETE HISTORY, writing the
# same history again grows the data file by at most 10%.
#
#   BUILD=build SPACE_ROWS=100000 SPACE_ROUNDS=3 bash bench/space.sh
#
# On a fresh driftdb-server: SPACE_ROWS rows of (int primary key, text, int)
# by COPY, then SPACE_ROUNDS updates of every row (a version per row each):
# size S1 of driftdb.mdb.  DELETE HISTORY FROM t, then the same rounds
# again: S2, and S2 / S1.  With mdb_stat (Debian's lmdb-utils) it also
# splits each size into the commit log (kept by DELETE HISTORY: it is the
# hash chain), the pages free inside the file, and the rest, and gives the
# ratio without the log.  PostgreSQL keeps no history to compare with: the
# ratios are the file's own.
set -u
. "$(dirname "$0")/lib.sh"
bench_setup space
ROWS=${SPACE_ROWS:-100000}
ROUNDS=${SPACE_ROUNDS:-3}
PORT=$((58000 + $$ % 1000))
awk -v n="$ROWS" 'BEGIN { for (i = 0; i < n; i++) printf "%d\tname %d\t%d\n", i, i, i * 7 }' > "$TMP/rows.txt"

q() { psql -X -q -h 127.0.0.1 -p "$PORT" -U bench -d bench -v ON_ERROR_STOP=1 "$@" >/dev/null || exit 1; }
rounds() { for _ in $(seq 1 "$ROUNDS"); do q -c "UPDATE t SET v = v + 1"; done; }
# "bytes log_pages free_pages" of the data file now
size() {
    local f="$TMP/db/driftdb.mdb" lp="" fp=""
    if command -v mdb_stat >/dev/null; then
        lp=$(mdb_stat -n -s log "$f" | awk '/Branch pages|Leaf pages|Overflow pages/ { n += $NF } END { print n }')
        fp=$(mdb_stat -n -f "$f" | awk '/Free pages/ { print $NF }')
    fi
    echo "$(stat -c %s "$f") ${lp:--1} ${fp:--1}"
}

bench_driftdb "$PORT" || exit 1
q -c "CREATE TABLE t (id int PRIMARY KEY, name text, v int)"
q -c "\\copy t from '$TMP/rows.txt'"
rounds
s1=$(size)
q -c "DELETE HISTORY FROM t"
sd=$(size)
rounds
s2=$(size)
awk -v r="$ROWS" -v k="$ROUNDS" -v a="$s1" -v b="$sd" -v c="$s2" 'BEGIN {
    m = 1048576; ps = 4096
    split(a, x, " "); split(b, y, " "); split(c, z, " ")
    printf "space: %d rows, %d rounds of updates; driftdb.mdb in MiB", r, k
    if (x[2] >= 0) printf " (of which the commit log, free pages)"
    printf "\n"
    row("loaded with history (S1)", x); row("after DELETE HISTORY", y); row("the rounds again (S2)", z)
    printf "  S2/S1 %.3f", z[1] / x[1]
    if (x[2] >= 0) printf "   without the log: %.3f", (z[1] - z[2] * ps) / (x[1] - x[2] * ps)
    printf "\n"
}
function row(name, v) {
    printf "  %-28s %8.1f", name, v[1] / m
    if (v[2] >= 0) printf "   (%.1f, %.1f)", v[2] * ps / m, v[3] * ps / m
    printf "\n"
}'
