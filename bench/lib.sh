# bench/lib.sh - what the benchmark scripts beside PostgreSQL 15 share
# (sourced, not run): a scratch directory removed at exit with the servers
# started in it, a driftdb-server and a PostgreSQL 15 on loopback.
#
#   . "$(dirname "$0")/lib.sh"
#   bench_setup NAME                  TMP, BUILD, PGBIN, AS; cleanup at exit
#   bench_driftdb PORT [FLAGS...]     init $TMP/db (superuser bench), start
#                                     driftdb-server, wait until it listens
#   bench_pg PORT [SETTINGS...]       initdb $TMP/pg (trust, user bench; the
#                                     lines of $TMP/pg_hba.conf when there),
#                                     start it with -c SETTING for each
#   bench_median_ms PORT DB RUNS SQL  the median of RUNS psql \timing figures
#   bench_both PORT LOAD              a driftdb-server on PORT and a PostgreSQL
#                                     on PORT + 1 (PGPORT), LOAD run on each,
#                                     then ANALYZE (PostgreSQL: VACUUM ANALYZE)
#   bench_compare PORT PGPORT RUNS LABEL SQL [NOTE]
#                                     SQL on both (answers compared), the
#                                     medians, their ratio, printed as a line
#
# Both return non-zero (with a message) when their server does not start.

bench_setup() {
    cd "$(dirname "${BASH_SOURCE[1]}")/.." || exit 1
    BUILD=${BUILD:-build}
    PGBIN=/usr/lib/postgresql/15/bin
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/driftdb-$1-bench.XXXXXX")
    SPID=""
    AS=""
    [ "$(id -u)" -eq 0 ] && AS="runuser -u postgres --"
    trap bench_cleanup EXIT
    chmod 755 "$TMP"
}

bench_cleanup() {
    [ -n "$SPID" ] && kill -INT "$SPID" 2>/dev/null   # fast shutdown: SIGTERM waits for clients
    [ -d "$TMP/pg" ] && $AS "$PGBIN/pg_ctl" -D "$TMP/pg" -m immediate stop >/dev/null 2>&1
    wait 2>/dev/null
    rm -rf "$TMP"
}

bench_driftdb() {
    local port=$1
    shift
    "$BUILD/driftdb" init "$TMP/db" --superuser bench >/dev/null || { echo "driftdb init failed"; return 1; }
    "$BUILD/driftdb-server" --data-path "$TMP/db" --listen "127.0.0.1:$port" --socket-dir '' "$@" \
        2>"$TMP/server.log" &
    SPID=$!
    for _ in $(seq 1 100); do grep -q "listening on" "$TMP/server.log" && return 0; sleep 0.1; done
    echo "driftdb-server did not start:"
    sed 's/^/    /' "$TMP/server.log"
    return 1
}

bench_pg() {
    local port=$1 opts=""
    shift
    [ -x "$PGBIN/initdb" ] || { echo "PostgreSQL 15 missing ($PGBIN)"; return 1; }
    [ -n "$AS" ] && chown postgres "$TMP"
    $AS "$PGBIN/initdb" -D "$TMP/pg" -A trust -U bench >/dev/null 2>&1 || { echo "initdb failed"; return 1; }
    if [ -f "$TMP/pg_hba.conf" ]; then
        cp "$TMP/pg_hba.conf" "$TMP/pg/pg_hba.conf"
        [ -n "$AS" ] && chown postgres "$TMP/pg/pg_hba.conf"
    fi
    for s in "$@"; do opts="$opts -c $s"; done
    $AS "$PGBIN/pg_ctl" -D "$TMP/pg" -o "-p $port -k $TMP -c listen_addresses=127.0.0.1$opts" -l "$TMP/pg.log" -w start \
        >/dev/null || { echo "PostgreSQL did not start"; return 1; }
}

bench_median_ms() {
    local args=(-X -q -h 127.0.0.1 -p "$1" -U bench -d "$2" -c '\timing on')
    for _ in $(seq "$3"); do args+=(-c "$4"); done
    psql "${args[@]}" 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sort -n | sed -n "$(( ($3 + 1) / 2 ))p"
}

bench_both() {
    PGPORT=$(($1 + 1))
    bench_driftdb "$1" || return 1
    psql -X -q -h 127.0.0.1 -p "$1" -U bench -d db -v ON_ERROR_STOP=1 -c "$2" -c "ANALYZE" || return 1
    bench_pg "$PGPORT" || return 1
    psql -X -q -h 127.0.0.1 -p "$PGPORT" -U bench -d postgres -v ON_ERROR_STOP=1 -c "$2" -c "VACUUM ANALYZE" || return 1
}

bench_compare() {
    local a b d p same=same
    a=$(psql -X -qAt -h 127.0.0.1 -p "$1" -U bench -d db -c "$5" 2>&1 | md5sum)
    b=$(psql -X -qAt -h 127.0.0.1 -p "$2" -U bench -d postgres -c "$5" 2>&1 | md5sum)
    d=$(bench_median_ms "$1" db "$3" "$5")
    p=$(bench_median_ms "$2" postgres "$3" "$5")
    [ "$a" = "$b" ] || same="ANSWERS DIFFER"
    [ -n "${6:-}" ] && same="$same, $6"
    awk -v d="${d:-0}" -v p="${p:-0}" -v q="$4" -v s="$same" 'BEGIN {
        printf "  %s  DriftDB %9.1f ms   PostgreSQL 15 %9.1f ms   ratio %.2f   %s\n", q, d, p, p ? d / p : 0, s
    }'
}
