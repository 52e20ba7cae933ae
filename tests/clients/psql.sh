#!/bin/bash
# tests/clients/psql.sh PORT - psql against a running driftdb-server on a
# fresh database: the quick start with time travel, SQLSTATEs and caret
# positions in verbose errors, multi-statement -c strings, empty queries,
# transactions across -c commands, DateStyle and IntervalStyle from the
# environment, and a result large enough to need several write-buffer flushes.  Prints "ok NAME" / "FAIL NAME" lines.
set -u
PORT=$1
Q() { psql -X -h 127.0.0.1 -p "$PORT" -U test -d test -v ON_ERROR_STOP=1 -At "$@"; }

# check NAME EXPECTED ACTUAL
check() {
    if [ "$2" == "$3" ]; then echo "ok psql_$1"
    else
        echo "FAIL psql_$1"
        echo "  expected: $(printf '%s' "$2" | head -c 400 | tr '\n' '\\')"
        echo "  actual:   $(printf '%s' "$3" | head -c 400 | tr '\n' '\\')"
    fi
}

# Quick start (README): document table, insert, update, time travel.
out=$(Q -c "CREATE TABLE users (pk=id, INDEX(name))" 2>&1)
check create_table "CREATE TABLE" "$out"
out=$(Q -c "INSERT INTO users (id, name, age) VALUES ('u1','Alice',30)" 2>&1)
check insert "INSERT 0 1" "$out"
out=$(Q -c "UPDATE users SET age = 31 WHERE id = 'u1'" 2>&1)
check update "UPDATE 1" "$out"
out=$(Q -c "SELECT * FROM users FOR SYSTEM_TIME AS OF @SEQ:2" 2>&1)
check as_of_seq "u1|Alice|30" "$out"
out=$(Q -c "SELECT * FROM users" 2>&1)
check select_now "u1|Alice|31" "$out"
out=$(Q -c "SELECT *, system_seq_start, system_op FROM users FOR SYSTEM_TIME ALL WHERE id = 'u1' ORDER BY system_seq_start" 2>&1)
first=$(printf '%s\n' "$out" | sed -n 1p | cut -d'|' -f1-3)
second=$(printf '%s\n' "$out" | sed -n 2p | cut -d'|' -f1-3)
lines=$(printf '%s\n' "$out" | wc -l)
check history "2 u1|Alice|30 u1|Alice|31" "$lines $first $second"

# Column names come through RowDescription (aligned output shows them).
out=$(psql -X -h 127.0.0.1 -p "$PORT" -U test -d test -c "SELECT id, name FROM users" 2>&1 | head -1 | tr -d ' ')
check row_description "id|name" "$out"

# Verbose errors carry the SQLSTATE; a position gives psql's caret line.
out=$(Q -c '\set VERBOSITY verbose' -c "SELECT * FROM nope" 2>&1)
case "$out" in *42P01*) echo "ok psql_error_sqlstate";; *) echo "FAIL psql_error_sqlstate"; echo "  got: $out";; esac
case "$out" in *"LINE 1: SELECT * FROM nope"*"^"*) echo "ok psql_error_caret";; *) echo "FAIL psql_error_caret"; echo "  got: $out";; esac
out=$(Q -c '\set VERBOSITY verbose' -c "SELEKT 1" 2>&1)
case "$out" in *42601*"^"*) echo "ok psql_syntax_error";; *) echo "FAIL psql_syntax_error"; echo "  got: $out";; esac
Q -c "SELECT * FROM nope" >/dev/null 2>&1
check error_exit_status 1 "$?"

# Several statements in one -c string: one Query message (psql 15 shows
# every result, older ones only the last).
out=$(Q -c "INSERT INTO users (id, name, age) VALUES ('u2','Bob',40); INSERT INTO users (id, name, age) VALUES ('u3','Carol',50); SELECT name FROM users WHERE id = 'u3'" 2>&1)
check multi_statement "Carol" "$(printf '%s\n' "$out" | tail -n 1)"
# The first error stops the rest of the message.
Q -c "SELECT * FROM nope; INSERT INTO users (id, name, age) VALUES ('u9','Zed',1)" >/dev/null 2>&1
out=$(Q -c "SELECT count(*) FROM users WHERE id = 'u9'" 2>&1)
check error_stops_message "0" "$out"

# Empty query strings: EmptyQueryResponse, exit 0.
out=$(Q -c ";" 2>&1; echo "rc=$?")
check empty_query "rc=0" "$out"

# A transaction across -c commands of one session; ROLLBACK undoes it.
out=$(Q -c "BEGIN" -c "INSERT INTO users (id, name, age) VALUES ('u4','Dan',20)" -c "ROLLBACK" -c "SELECT count(*) FROM users WHERE id = 'u4'" 2>&1)
check rollback "BEGIN
INSERT 0 1
ROLLBACK
0" "$out"
# An error aborts the block (25P02) until ROLLBACK.
out=$(psql -X -h 127.0.0.1 -p "$PORT" -U test -d test -At -c '\set VERBOSITY verbose' -c "BEGIN" -c "SELECT * FROM nope" -c "SELECT 1" -c "ROLLBACK" -c "SELECT 2" 2>&1)
case "$out" in *42P01*25P02*ROLLBACK*2) echo "ok psql_failed_transaction";; *) echo "FAIL psql_failed_transaction"; echo "  got: $out";; esac

# Server identity from ParameterStatus.
out=$(Q -c '\echo :SERVER_VERSION_NAME :ENCODING' 2>&1)
check parameter_status "15.0 UTF8" "$out"

# PGDATESTYLE / PGOPTIONS reach the session as startup parameters.
out=$(PGDATESTYLE='Postgres, DMY' Q -c "SELECT timestamptz '2024-12-31 10:05:06+00', '01/02/2003'::date" -c "SHOW DateStyle" 2>&1)
check pgdatestyle "Tue 31 Dec 10:05:06 2024 UTC|01-02-2003
Postgres, DMY" "$out"
out=$(PGOPTIONS='-c IntervalStyle=sql_standard' Q -c "SELECT interval '-1 day -02:03:04'" 2>&1)
check pgoptions_intervalstyle "-1 2:03:04" "$out"

# A result bigger than the write buffer (many flushes, one message).
values=""
for i in $(seq 1 1500); do values="$values${values:+,}('b$i','$(printf '%0100d' "$i")',$i)"; done
BIGSQL=$(mktemp)
trap 'rm -f "$BIGSQL"' EXIT
printf 'INSERT INTO big (id, payload, n) VALUES %s;\n' "$values" >"$BIGSQL"
out=$(Q -c "CREATE TABLE big (pk=id)" -f "$BIGSQL" 2>&1)
check big_insert "CREATE TABLE
INSERT 0 1500" "$out"
out=$(Q -c "SELECT id, payload, n FROM big" 2>&1 | wc -l)
check big_select "1500" "$out"
