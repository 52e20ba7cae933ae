#!/bin/bash
# tests/clients/pgbench.sh PORT - pgbench (postgresql-client) in its three
# query modes against driftdb-server: simple (Query), extended (unnamed
# Parse/Bind/Describe/Execute/Sync per statement) and prepared (named
# statements, Bind/Execute only).  A custom script: point SELECTs (and one
# AS OF) from 2 clients, then UPDATE + SELECT transactions from 1 client,
# whose sum is checked
# exactly; a transaction that violates a primary key in each mode (pgbench
# aborts the client on the 23505 and exits 2, the transaction's UPDATE
# rolled back); then pgbench -i and its default TPC-B-like run, whose
# balances must add up.  Prints "ok NAME" / "FAIL NAME" lines.
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

# an error case: the second run of a transaction inserts a key the first
# one committed.  pgbench 15 retries only serialization failures and
# deadlocks: any other error aborts the client, so it reports the 23505
# with the command that failed, 1 of 3 transactions processed and an
# aborted run, and exits 2; the failed transaction's UPDATE is rolled back.
printf 'BEGIN;\nUPDATE pgb_err SET v = v + 1 WHERE id = 1;\nINSERT INTO pgb_err VALUES (2, 0);\nEND;\n' >"$TMP/pkey.sql"
for mode in simple extended prepared; do
    $PSQL -c "DROP TABLE IF EXISTS pgb_err" -c "CREATE TABLE pgb_err (id INT PRIMARY KEY, v INT)" \
          -c "INSERT INTO pgb_err VALUES (1, 0)" 2>/dev/null
    $BENCH -M $mode -f "$TMP/pkey.sql" -c 1 -t 3 test >"$TMP/$mode.err" 2>&1
    rc=$?
    rows=$($PSQL -c "SELECT count(*) || ' ' || sum(v) FROM pgb_err")
    if [ $rc -eq 2 ] &&
       grep -q 'client 0 script 0 aborted in command 2 query 0: ERROR:  duplicate key value violates unique constraint "pgb_err_pkey"' "$TMP/$mode.err" &&
       grep -q "Key (id)=(2) already exists" "$TMP/$mode.err" &&
       grep -q "number of transactions actually processed: 1/3$" "$TMP/$mode.err" &&
       grep -q "Run was aborted" "$TMP/$mode.err" && [ "$rows" = "2 1" ]; then
        echo "ok pgbench_pkey_error_$mode"
    else
        echo "FAIL pgbench_pkey_error_$mode (exit $rc, rows and sum: $rows)"; sed 's/^/#   /' "$TMP/$mode.err" | head -n 12
    fi
done

# pgbench's own schema and load (-i: CREATE TABLE ... WITH (fillfactor),
# COPY ... WITH (FREEZE on), VACUUM ANALYZE), then its default TPC-B-like
# transactions: the branches' and tellers' balances add up to the history's
if $BENCH -i -s 1 -q test >"$TMP/init.out" 2>&1 && grep -q "^done in" "$TMP/init.out" &&
   [ "$($PSQL -c "SELECT count(*) FROM pgbench_accounts")" = 100000 ]; then
    echo "ok pgbench_init"
    if $BENCH -c 2 -t 100 test >"$TMP/tpcb.out" 2>&1 && grep -q "number of failed transactions: 0 " "$TMP/tpcb.out"; then
        sums=$($PSQL -c "SELECT (SELECT sum(bbalance) FROM pgbench_branches) = (SELECT sum(delta) FROM pgbench_history)
                           AND (SELECT sum(tbalance) FROM pgbench_tellers) = (SELECT sum(delta) FROM pgbench_history)
                           AND (SELECT count(*) FROM pgbench_history) = 200")
        if [ "$sums" = t ]; then echo "ok pgbench_tpcb"; else echo "FAIL pgbench_tpcb (balances $sums)"; fi
    else
        echo "FAIL pgbench_tpcb"; sed 's/^/#   /' "$TMP/tpcb.out" | tail -n 5
    fi
else
    echo "FAIL pgbench_init"; sed 's/^/#   /' "$TMP/init.out" | tail -n 5
fi
