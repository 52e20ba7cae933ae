#!/bin/bash
# tests/clients/pgbench.sh PORT - pgbench (postgresql-client) in its three
# query modes against driftdb-server: simple (Query), extended (unnamed
# Parse/Bind/Describe/Execute/Sync per statement) and prepared (named
# statements, Bind/Execute only).  A custom script (pgbench -i's DDL uses
# storage options DriftDB does not have): point SELECTs from 2 clients,
# then UPDATE + SELECT transactions from 1 client, whose sum is checked
# exactly.  Prints "ok NAME" / "FAIL NAME" lines.
set -u
PORT=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/driftdb-pgbench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
PSQL="psql -X -q -At -h 127.0.0.1 -p $PORT -U test -d test"
BENCH="pgbench -n -h 127.0.0.1 -p $PORT -U test"

$PSQL -c "CREATE TABLE pgb (id INT PRIMARY KEY, v BIGINT)" \
      -c "INSERT INTO pgb SELECT x, 0 FROM (VALUES (1), (2), (3), (4), (5)) AS s(x)" || {
    echo "FAIL pgbench_setup"; exit 0; }
SEQ=$($PSQL -c "SELECT drift_seq()")
printf '\\set id random(1, 5)\nSELECT v FROM pgb WHERE id = :id;\nSELECT v FROM pgb FOR SYSTEM_TIME AS OF @SEQ:%s WHERE id = :id;\n' "$SEQ" >"$TMP/select.sql"
printf '\\set id random(1, 5)\nBEGIN;\nUPDATE pgb SET v = v + 1 WHERE id = :id;\nSELECT v FROM pgb WHERE id = :id;\nEND;\n' >"$TMP/update.sql"

total=0
for mode in simple extended prepared; do
    if $BENCH -M $mode -f "$TMP/select.sql" -c 2 -t 300 test >"$TMP/$mode.sel" 2>&1 &&
       grep -q "number of failed transactions: 0 " "$TMP/$mode.sel"; then
        echo "ok pgbench_select_$mode"
        echo "# $mode select: $(grep -E '^tps' "$TMP/$mode.sel")"
    else
        echo "FAIL pgbench_select_$mode"; sed 's/^/#   /' "$TMP/$mode.sel" | tail -n 5
    fi
    if $BENCH -M $mode -f "$TMP/update.sql" -c 1 -t 200 test >"$TMP/$mode.upd" 2>&1 &&
       grep -q "number of failed transactions: 0 " "$TMP/$mode.upd"; then
        total=$((total + 200))
        got=$($PSQL -c "SELECT sum(v) FROM pgb")
        if [ "$got" = "$total" ]; then echo "ok pgbench_update_$mode"
        else echo "FAIL pgbench_update_$mode (sum $got, expected $total)"; fi
    else
        echo "FAIL pgbench_update_$mode"; sed 's/^/#   /' "$TMP/$mode.upd" | tail -n 5
    fi
done
