#!/bin/bash
# tests/cli/run.sh - the driftdb command, each command against a data
# directory (--data) and against a running server (--url, PG* variables).
#
# Builds nothing (make builds first; binaries are in ${BUILD:-build}/).
# Makes temporary databases, starts driftdb-server on a free port when a
# check needs one, prints "ok NAME" / "FAIL NAME" lines and finally
# "N passed, N failed".  Covers: ingest (JSON Lines, CSV, --batch, bad lines
# with their line numbers, a missing table, nothing committed on error),
# select (--as-of, -w, -l, formats), drift (text and json timelines), diff,
# verify, doctor (fresh, damaged, beside and through a server, a stale reader
# slot), snapshot (CHECKPOINT TABLE's row and errors), compact, read-only opening
# beside a server and the --url hint for writers, a progress line through a
# real terminal (script(1)), and an ingest -> select -> drift round trip.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SERVER="$BUILD/driftdb-server"
D="$BUILD/driftdb"
export PGCONNECT_TIMEOUT=10 PGSSLMODE=disable PGPASSWORD= TZ=UTC PGTZ=UTC
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGOPTIONS PGSERVICE

TMP=$(mktemp -d "${TMPDIR:-/tmp}/driftdb-cli.XXXXXX")
PIDS=""
cleanup() {
    for p in $PIDS; do kill -INT "$p" 2>/dev/null; done   # fast shutdown: SIGTERM waits for clients
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

PASS=0
FAILN=0
ok()   { echo "ok $1"; PASS=$((PASS + 1)); }
fail() { echo "FAIL $1${2:+ ($2)}"; FAILN=$((FAILN + 1)); }

# check NAME EXPECTED ACTUAL: exact comparison.
check() {
    if [ "$2" == "$3" ]; then ok "$1"
    else
        fail "$1"
        echo "#  expected: $(printf '%s' "$2" | head -c 600 | sed 's/$/\\n/' | tr -d '\n')"
        echo "#  actual:   $(printf '%s' "$3" | head -c 600 | sed 's/$/\\n/' | tr -d '\n')"
    fi
}
# has NAME PATTERN TEXT: TEXT contains the fixed string PATTERN.
has() {
    case "$3" in
        *"$2"*) ok "$1";;
        *) fail "$1"; echo "#  wanted: $2"; echo "#  in:     $(printf '%s' "$3" | head -c 600 | sed 's/$/\\n/' | tr -d '\n')";;
    esac
}
# matches NAME REGEX TEXT: TEXT matches the extended regular expression.
matches() {
    if printf '%s' "$3" | grep -Eq -- "$2"; then ok "$1"
    else fail "$1"; echo "#  wanted /$2/ in: $(printf '%s' "$3" | head -c 600 | sed 's/$/\\n/' | tr -d '\n')"; fi
}

# start_server NAME DIR: a server on a free port; sets PORT and SPID.
start_server() {
    local name=$1 dir=$2 try i
    for try in 0 1 2 3 4 5 6 7; do
        PORT=$((55000 + ($$ + try * 131 + RANDOM % 7) % 1000))
        "$SERVER" --data-path "$dir" --listen "127.0.0.1:$PORT" 2>"$TMP/$name.log" &
        SPID=$!
        for i in $(seq 1 100); do
            if grep -q "listening on" "$TMP/$name.log" 2>/dev/null; then
                PIDS="$PIDS $SPID"
                return 0
            fi
            kill -0 "$SPID" 2>/dev/null || break
            sleep 0.1
        done
        kill -INT "$SPID" 2>/dev/null
        wait "$SPID" 2>/dev/null
        grep -q "ddress already in use" "$TMP/$name.log" || break
    done
    echo "# server $name did not start:" && sed 's/^/#   /' "$TMP/$name.log"
    return 1
}
stop_server() {   # SIGINT, a fast shutdown (SIGTERM's smart one waits for clients)
    kill -INT "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    PIDS=$(echo "$PIDS" | sed "s/\<$1\>//")
}

if [ ! -x "$D" ] || [ ! -x "$SERVER" ]; then
    fail binaries "$D or $SERVER missing"
    echo "$PASS passed, $FAILN failed"
    exit 1
fi

# ---- input files ------------------------------------------------------------
cat > "$TMP/events.jsonl" <<'EOF'
{"id": 1, "kind": "click", "amount": 10, "ok": true, "meta": {"a": [1, 2]}}
{"id": 2, "kind": "it's", "amount": 12, "ok": false}

{"kind": "view", "id": 3, "amount": 7, "ok": null, "meta": [1, "x"]}
{"id": 4, "kind": "caf\u00e9 \ud83d\ude00", "note": "two\nlines"}
EOF
printf 'id,kind,amount\n10,"a ""quoted"", comma",5\n11,,\n12,"multi\nline",7\n' > "$TMP/more.csv"
printf '{"id": 20, "amount": 1}\n{"id": 21, "amount": 2,}\n{"id": 22, "amount": 3}\n' > "$TMP/badjson.jsonl"
printf '{"id": 30, "amount": 1}\n{"id": 31, "amount": 2}\n{"id": 32, "amount": "lots"}\n' > "$TMP/badtype.jsonl"
printf 'id,kind\n40,x\n41,y,z\n' > "$TMP/badcount.csv"
: > "$TMP/batch.jsonl"
for i in $(seq 100 149); do echo "{\"id\": $i, \"amount\": $i}" >> "$TMP/batch.jsonl"; done
echo '{"id": 150, "amount": "x"}' >> "$TMP/batch.jsonl"

# ---- --data mode, no server -----------------------------------------------------
DB=$TMP/db
"$D" init "$DB" --superuser tester >/dev/null 2>&1 && ok init || fail init
# role names PostgreSQL reserves are refused, as initdb -U refuses them
out=$("$D" init "$TMP/pgx" --superuser pg_x 2>&1); rc=$?
check init_reserved_pg "1 driftdb: error: superuser name \"pg_x\" is disallowed; role names cannot begin with \"pg_\"" "$rc $out"
out=$("$D" init "$TMP/pgx" --superuser public 2>&1); rc=$?
check init_reserved_public "1 driftdb: error: role name \"public\" is reserved" "$rc $out"
[ -e "$TMP/pgx" ] && fail init_reserved_nothing_made || ok init_reserved_nothing_made
"$D" sql --data "$DB" -e "CREATE TABLE ev (pk=id)" >/dev/null 2>&1

out=$("$D" ingest --data "$DB" -t ev -f "$TMP/events.jsonl" 2>&1); rc=$?
check data_ingest_jsonl "0 Ingested 4 rows into ev in" "$rc $(printf '%s' "$out" | sed 's/ [0-9.]* s at seq.*//')"
matches data_ingest_summary '^Ingested 4 rows into ev in [0-9]+\.[0-9] s at seq 2$' "$out"

out=$("$D" sql --data "$DB" --format csv -e "SHOW COLUMNS FROM ev" 2>&1)
check data_ingest_types "column_name,data_type,nullable,primary_key,comment
id,bigint,f,t,
kind,text,t,f,
amount,bigint,t,f,
ok,boolean,t,f,
meta,jsonb,t,f,
note,text,t,f," "$out"

out=$("$D" select --data "$DB" -t ev 2>&1)
check data_select_aligned ' id |  kind   | amount | ok |     meta      | note  
----+---------+--------+----+---------------+-------
  1 | click   |     10 | t  | {"a": [1, 2]} | 
  2 | it'"'"'s    |     12 | f  |               | 
  3 | view    |      7 |    | [1, "x"]      | 
  4 | café 😀 |        |    |               | two  +
    |         |        |    |               | lines
(4 rows)' "$out"

out=$("$D" select --data "$DB" -t ev -w "amount > 8" --format csv 2>&1)
check data_select_where_csv 'id,kind,amount,ok,meta,note
1,click,10,t,"{""a"": [1, 2]}",
2,it'"'"'s,12,f,,' "$out"

out=$("$D" select --data "$DB" -t ev -l 1 --format json 2>&1)
check data_select_limit_json '[{"id":1,"kind":"click","amount":10,"ok":true,"meta":{"a": [1, 2]},"note":null}]' "$out"

out=$("$D" ingest --data "$DB" -t ev -f "$TMP/more.csv" 2>&1)
matches data_ingest_csv '^Ingested 3 rows into ev in [0-9.]+ s at seq 3$' "$out"
out=$("$D" select --data "$DB" -t ev -w "id >= 10" --format csv 2>&1)
check data_csv_values 'id,kind,amount,ok,meta,note
10,"a ""quoted"", comma",5,,,
11,,,,,
12,"multi
line",7,,,' "$out"

# Updates and a delete give the row a history.
"$D" sql --data "$DB" -e "UPDATE ev SET amount = 11, kind = 'dblclick' WHERE id = 1" -e "UPDATE ev SET ok = false WHERE id = 1" -e "DELETE FROM ev WHERE id = 1" >/dev/null 2>&1

out=$("$D" select --data "$DB" -t ev --as-of @SEQ:2 -w "id = 1" --format csv 2>&1)
check data_select_as_of_seq 'id,kind,amount,ok,meta,note
1,click,10,t,"{""a"": [1, 2]}",' "$out"
out=$("$D" select --data "$DB" -t ev --as-of 4 -w "id = 1" --format csv 2>&1)
check data_select_as_of_number 'id,kind,amount,ok,meta,note
1,dblclick,11,t,"{""a"": [1, 2]}",' "$out"
out=$("$D" select --data "$DB" -t ev --as-of now -w "id = 1" --format csv 2>&1)
check data_select_as_of_now 'id,kind,amount,ok,meta,note' "$out"
ts=$("$D" sql --data "$DB" --format csv -e "SELECT commit_time FROM drift_commits WHERE seq = 5" 2>&1 | tail -n 1)
out=$("$D" select --data "$DB" -t ev --as-of "$ts" -w "id = 1" --format csv 2>&1)
check data_select_as_of_timestamp 'id,kind,amount,ok,meta,note
1,dblclick,11,f,"{""a"": [1, 2]}",' "$out"
out=$("$D" select --data "$DB" -t EV -l 1 --format csv 2>&1)
out2=$("$D" select --data "$DB" -t ev -l 1 --format csv 2>&1)
check data_select_name_folded "$out2" "$out"
out=$("$D" select --data "$DB" -t '"EV"' 2>&1)
has data_select_name_quoted 'relation "EV" does not exist' "$out"
out=$("$D" select --data "$DB" -t ev --as-of @SEQ:x 2>&1); rc=$?
check data_select_bad_as_of 1 "$rc"
has data_select_bad_as_of_message '@SEQ:x' "$out"
out=$("$D" select --data "$DB" -t nosuch 2>&1); rc=$?
has data_select_missing_table 'ERROR:  42P01: relation "nosuch" does not exist' "$out"
check data_select_missing_table_status 1 "$rc"

out=$("$D" drift --data "$DB" -t ev -k 1 2>&1); rc=$?
check data_drift_status 0 "$rc"
norm=$(printf '%s\n' "$out" | sed -E "s/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+\\+00 */TIME  /")
user=tester   # the bootstrap superuser, who --data sessions act as
expected=$(printf 'ev id = 1: 3 versions, 4 changes\n\nseq 2      TIME  %-12s INSERT\n    id      1\n    kind    click\n    amount  10\n    ok      t\n    meta    {"a": [1, 2]}\nseq 4      TIME  %-12s UPDATE\n    kind    click -> dblclick\n    amount  10 -> 11\nseq 5      TIME  %-12s UPDATE\n    ok      t -> f\nseq 6      TIME  %-12s DELETE' "$user" "$user" "$user" "$user")
check data_drift_timeline "$expected" "$norm"
out=$("$D" drift --data "$DB" -t ev -k 1 --format json 2>&1)
norm=$(printf '%s\n' "$out" | sed -E 's/"commit_time":"[^"]*"/"commit_time":T/g; s/"user":"[^"]*"/"user":U/g')
check data_drift_json '[{"seq":2,"commit_time":T,"user":U,"op":"INSERT","changes":{"id":[null,"1"],"kind":[null,"click"],"amount":[null,"10"],"ok":[null,"t"],"meta":[null,"{\"a\": [1, 2]}"]}},
 {"seq":4,"commit_time":T,"user":U,"op":"UPDATE","changes":{"kind":["click","dblclick"],"amount":["10","11"]}},
 {"seq":5,"commit_time":T,"user":U,"op":"UPDATE","changes":{"ok":["t","f"]}},
 {"seq":6,"commit_time":T,"user":U,"op":"DELETE","changes":{}}]' "$norm"
out=$("$D" drift --data "$DB" -t ev -k 999 2>&1); rc=$?
check data_drift_unknown_key "1 driftdb: error: no row of \"ev\" has ever had id = 999" "$rc $out"
out=$("$D" drift --data "$DB" -t nosuch -k 1 2>&1); rc=$?
check data_drift_missing_table "1 driftdb: error: relation \"nosuch\" does not exist" "$rc $out"
# a statement that raises a NOTICE and then fails: the NOTICE comes first,
# as PostgreSQL sends it
out=$("$D" sql --data "$DB" -e "DROP ROLE IF EXISTS nope_role, tester" 2>&1); rc=$?
check data_sql_notice_before_error "1 NOTICE:  00000: role \"nope_role\" does not exist, skipping
ERROR:  55006: current user cannot be dropped" "$rc $out"

# diff: the rows that differ between two points.
out=$("$D" diff --data "$DB" -t ev --from @SEQ:3 --to 6 2>&1); rc=$?
check data_diff "0 ev between seq 3 and seq 6:
- id = 1
    id      1
    kind    click
    amount  10
    ok      t
    meta    {\"a\": [1, 2]}
(1 row differs)" "$rc $out"
out=$("$D" diff --data "$DB" -t ev --from 3 --to 5 --format json 2>&1)
check data_diff_json '[{"key":"1","change":"update","before":{"id":"1","kind":"click","amount":"10","ok":"t","meta":"{\"a\": [1, 2]}","note":null},"after":{"id":"1","kind":"dblclick","amount":"11","ok":"f","meta":"{\"a\": [1, 2]}","note":null}}]' "$out"
out=$("$D" diff --data "$DB" -t ev --from 4 --to 5 2>&1)
check data_diff_update "ev between seq 4 and seq 5:
~ id = 1
    ok      t -> f
(1 row differs)" "$out"
out=$("$D" diff --data "$DB" -t ev --from 0 --to 2 2>&1)
has data_diff_from_before_table "(4 rows differ)" "$out"
out=$("$D" diff --data "$DB" -t ev --from 6 --to 6 2>&1)
check data_diff_empty "ev between seq 6 and seq 6:
(0 rows differ)" "$out"

# Bad input: nothing of it is committed, the message names the line.
before=$("$D" sql --data "$DB" --format csv -e "SELECT count(*) FROM ev" 2>&1 | tail -n 1)
out=$("$D" ingest --data "$DB" -t ev -f "$TMP/badjson.jsonl" 2>&1); rc=$?
check data_bad_json "1 driftdb: error: $TMP/badjson.jsonl: line 2: invalid JSON: expected a key at column 24
Nothing was committed." "$rc $out"
out=$("$D" ingest --data "$DB" -t ev -f "$TMP/badtype.jsonl" 2>&1); rc=$?
check data_bad_type '1 driftdb: error: line 3: invalid input syntax for type bigint: "lots"
Nothing was committed.' "$rc $out"
out=$("$D" ingest --data "$DB" -t ev -f "$TMP/badcount.csv" 2>&1); rc=$?
check data_bad_csv "1 driftdb: error: $TMP/badcount.csv: line 3: CSV: 3 fields, but the header has 2
Nothing was committed." "$rc $out"
after=$("$D" sql --data "$DB" --format csv -e "SELECT count(*) FROM ev" 2>&1 | tail -n 1)
check data_bad_input_commits_nothing "$before" "$after"
printf '{"id": 60, "amount": 1}\n{"amount": 2}\n' > "$TMP/nokey.jsonl"
out=$("$D" ingest --data "$DB" -t ev -f "$TMP/nokey.jsonl" 2>&1); rc=$?
check data_missing_key '1 driftdb: error: line 2: null value in column "id" of relation "ev" violates not-null constraint
DETAIL:  Failing row contains (null, null, 2, null, null, null).
Nothing was committed.' "$rc $out"
out=$("$D" ingest --data "$DB" -t nosuch -f "$TMP/events.jsonl" 2>&1); rc=$?
check data_ingest_missing_table '1 driftdb: error: relation "nosuch" does not exist
HINT:  Create the table first, for example a document-style table whose columns grow with the data: CREATE TABLE nosuch (pk=id)' "$rc $out"
out=$("$D" ingest --data "$TMP/not-a-db" -t ev -f "$TMP/events.jsonl" 2>&1); rc=$?
check data_ingest_missing_dir "1 driftdb: error: data directory \"$TMP/not-a-db\" does not exist" "$rc $out"
mkdir -p "$TMP/plain"
out=$("$D" select --data "$TMP/plain" -t ev 2>&1); rc=$?
check data_not_a_database "1 driftdb: error: \"$TMP/plain\" is not a DriftDB data directory" "$rc $out"
out=$("$D" ingest --data "$TMP/plain" -t ev -f "$TMP/events.jsonl" 2>&1); rc=$?
check data_not_a_database_ingest "1 driftdb: error: \"$TMP/plain\" is not a DriftDB data directory" "$rc $out"
check data_not_a_database_nothing_written "" "$(ls -A "$TMP/plain")"

# --batch: batches before the bad line stay committed, the message says so.
out=$("$D" ingest --data "$DB" -t ev -f "$TMP/batch.jsonl" --batch 20 2>&1); rc=$?
check data_batch_failure '1 driftdb: error: line 51: invalid input syntax for type bigint: "x"
The 40 rows up to line 40 stay committed (earlier batches); nothing after them was.' "$rc $out"
out=$("$D" sql --data "$DB" --format csv -e "SELECT count(*), min(id), max(id) FROM ev WHERE id >= 100" 2>&1 | tail -n 1)
check data_batch_committed "40,100,139" "$out"
head -n 50 "$TMP/batch.jsonl" | sed 's/"id": 1/"id": 2/' > "$TMP/batch2.jsonl"
out=$("$D" ingest --data "$DB" -t ev -f "$TMP/batch2.jsonl" --batch 20 2>&1)
matches data_batch_seq '^Ingested 50 rows into ev in [0-9.]+ s at seq 11$' "$out"
out=$(cat "$TMP/batch2.jsonl" | "$D" ingest --data "$DB" -t ev -f - --batch 1000 2>&1); rc=$?
check data_ingest_stdin_duplicate_key '1 driftdb: error: line 1: duplicate key value violates unique constraint "ev_pkey"
DETAIL:  Key (id)=(200) already exists.
Nothing was committed.' "$rc $out"

out=$("$D" verify --data "$DB" 2>&1); rc=$?
check data_verify "0 verified 11 commits: OK" "$rc $out"
out=$("$D" verify --data "$DB" -t ev 2>&1); rc=$?
check data_verify_table "0 verified 11 commits: OK" "$rc $out"
out=$("$D" verify --data "$DB" --from-seq 9 2>&1); rc=$?
check data_verify_from_seq "0 verified 3 commits: OK" "$rc $out"
out=$("$D" verify --data "$DB" -t no_such_table 2>&1); rc=$?
check data_verify_table_missing '1 driftdb: error: relation "no_such_table" does not exist' "$rc $out"

# An anchor kept elsewhere: drift_head()'s (seq, hash), checked later by
# VERIFY ... EXPECT HASH; RECENT reaches back to the anchor's seq.
q1() { "$D" sql "$@" --format csv 2>&1 | tail -n 1; }
anchor_seq=$(q1 --data "$DB" -e "SELECT (drift_head()).seq")
anchor=$(q1 --data "$DB" -e "SELECT (drift_head()).hash")
check data_head_seq "$(q1 --data "$DB" -e "SELECT max(seq) FROM drift_commits")" "$anchor_seq"
check data_head_hash "$(q1 --data "$DB" -e "SELECT hash FROM drift_commits WHERE seq = $anchor_seq")" "$anchor"
check data_verify_anchor "$anchor_seq,,OK" "$(q1 --data "$DB" -e "VERIFY EXPECT HASH '$anchor' AT SEQ $anchor_seq")"
old_hash=$(q1 --data "$DB" -e "SELECT hash FROM drift_commits WHERE seq = 4")
check data_verify_recent_reaches_anchor "$((anchor_seq - 3)),,OK" \
    "$(q1 --data "$DB" -e "VERIFY RECENT 1 EXPECT HASH '$old_hash' AT SEQ 4")"
check data_verify_wrong_anchor "$anchor_seq,4,\"the hash at seq 4 is $old_hash, not the expected $anchor\"" \
    "$(q1 --data "$DB" -e "VERIFY EXPECT HASH '$anchor' AT SEQ 4")"
check data_verify_anchor_past_head "$anchor_seq,,seq 99 is past the head (seq $anchor_seq): the log is shorter than the anchor" \
    "$(q1 --data "$DB" -e "VERIFY EXPECT HASH '$anchor' AT SEQ 99")"
has data_verify_bad_anchor "22023: invalid hash \"xyz\"" "$("$D" sql --data "$DB" -e "VERIFY EXPECT HASH 'xyz' AT SEQ 1" 2>&1)"

# doctor: the health on one screen, every figure as SQL reads it.
out=$("$D" doctor --data "$DB" 2>&1); rc=$?
check data_doctor_status 0 "$rc"
check data_doctor_verdict "OK: healthy" "$(printf '%s\n' "$out" | tail -n 1)"
check data_doctor_header "DriftDB doctor: data directory $DB" "$(printf '%s\n' "$out" | head -n 1)"
check data_doctor_not_beside "" "$(printf '%s\n' "$out" | grep 'read-only')"
q() { "$D" sql "$@" --format csv 2>&1 | tail -n 1; }
head_seq=$(q --data "$DB" -e "SELECT max(seq) FROM drift_commits")
head_time=$(q --data "$DB" -e "SELECT commit_time FROM drift_commits WHERE seq = $head_seq")
has data_doctor_head "head            seq $head_seq, committed $head_time" "$out"
has data_doctor_format "format version  $(q --data "$DB" -e "SELECT drift_format_version()")" "$out"
matches data_doctor_database_id "^database id     $(q --data "$DB" -e "SELECT drift_database_id()")\$" "$out"
size=$(stat -c %s "$DB/driftdb.mdb")
matches data_doctor_size "^size on disk    [0-9.]+ (KiB|MiB) \($size bytes\)\$" "$out"
has data_doctor_readers "reader slots    1 in use (this check's own included), 0 stale, 1024 max" "$out"
rows=$(q --data "$DB" -e "SELECT count(*) FROM ev")
versions=$(q --data "$DB" -e "SELECT versions FROM drift_tables WHERE table_name = 'ev'")
matches data_doctor_table_rows "^  ev +$rows +$versions +[0-9.]+ (B|KiB|MiB)\$" "$out"
has data_doctor_tables "tables          $(q --data "$DB" -e "SELECT count(*) FROM drift_tables")" "$out"
has data_doctor_verify "verify          all $head_seq commits: OK" "$out"
out=$("$D" doctor --data "$DB" --recent 3 2>&1)
has data_doctor_recent "verify          the newest 3 commits: OK" "$out"
out=$("$D" doctor --data "$DB" --recent 0 2>&1); rc=$?
check data_doctor_bad_recent "1 driftdb: --recent needs a number of commits above 0" "$rc $(printf '%s\n' "$out" | head -n 1)"
out=$("$D" doctor --data "$TMP/plain" 2>&1); rc=$?
check data_doctor_not_a_database "1 driftdb: error: \"$TMP/plain\" is not a DriftDB data directory (it has no driftdb.mdb)" "$rc $out"
out=$("$D" doctor --data "$TMP/not-a-db" 2>&1); rc=$?
check data_doctor_missing_dir "1 driftdb: error: data directory \"$TMP/not-a-db\" does not exist" "$rc $out"
out=$("$D" doctor 2>&1); rc=$?
has data_doctor_no_target "1 driftdb: doctor needs --data DIR or --url URL" "$rc $out"
# A damaged copy: one byte of a new row's image changed.  VERIFY RECENT
# finds it (the version no longer hashes to its log event), the verdict
# says PROBLEM with status 2, as verify's.
cp -r "$DB" "$TMP/damaged"
"$D" sql --data "$TMP/damaged" -e "CREATE TABLE canary (id INT PRIMARY KEY, v TEXT)" -e "INSERT INTO canary VALUES (1, 'doctor-canary-value')" >/dev/null 2>&1
python3 -c '
import sys
p = sys.argv[1] + "/driftdb.mdb"
b = bytearray(open(p, "rb").read())
i = b.find(b"doctor-canary-value")
b[i + 3] ^= 1
open(p, "wb").write(b)' "$TMP/damaged"
dseq=$(q --data "$TMP/damaged" -e "SELECT drift_seq()")
out=$("$D" doctor --data "$TMP/damaged" 2>&1); rc=$?
check data_doctor_damaged_status 2 "$rc"
matches data_doctor_damaged_verify "^verify          FAILED at seq $dseq: " "$out"
matches data_doctor_damaged_verdict "^PROBLEM: verification failed at seq $dseq: .*table \"canary\" key \(1\)" "$(printf '%s\n' "$out" | tail -n 1)"
"$D" verify --data "$TMP/damaged" >/dev/null 2>&1; rc=$?
check data_doctor_damaged_verify_agrees 2 "$rc"
# A file that LMDB does not open: its two meta pages zeroed.
cp -r "$DB" "$TMP/unopenable"
dd if=/dev/zero of="$TMP/unopenable/driftdb.mdb" bs=4096 count=2 conv=notrunc 2>/dev/null
out=$("$D" doctor --data "$TMP/unopenable" 2>&1); rc=$?
check data_doctor_unopenable_status 2 "$rc"
matches data_doctor_unopenable "^PROBLEM: the database does not open: .*not a valid LMDB file" "$(printf '%s\n' "$out" | tail -n 1)"

out=$("$D" snapshot --data "$DB" -t ev 2>&1); rc=$?
rows=$(q --data "$DB" -e "SELECT count(*) FROM ev")
hs=$(q --data "$DB" -e "SELECT max(seq) FROM drift_commits")
check data_snapshot "0 $hs|$rows" "$rc $(printf '%s\n' "$out" | sed -n 3p | tr -d ' ')"
out=$("$D" snapshot --data "$DB" -t nosuch 2>&1); rc=$?
has data_snapshot_missing_table '1 ERROR:  42P01: relation "nosuch" does not exist' "$rc $out"
out=$("$D" compact --data "$DB" 2>&1); rc=$?
check data_compact "0 VACUUM" "$rc $out"
out=$("$D" compact --data "$DB" -t nosuch 2>&1); rc=$?
has data_compact_missing_table '1 ERROR:  42P01: relation "nosuch" does not exist' "$rc $out"
# compact --full: the file rewritten with the pages in use, every answer
# (the present, all history, the log, the checkpoints) the same, verified
answers() { q --data "$DB" -e "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM (SELECT * FROM ev FOR SYSTEM_TIME ALL) t" \
    -e "SELECT md5(string_agg(seq || hash, ',' ORDER BY seq)) FROM drift_commits" \
    -e "SELECT count(*) FROM drift_checkpoints"; }
a1=$(answers); s1=$(stat -c %s "$DB/driftdb.mdb")
out=$("$D" compact --data "$DB" --full 2>&1); rc=$?
has data_compact_full "0 compacted $DB:" "$rc $out"
has data_compact_full_verified ", verified" "$out"
check data_compact_full_same_answers "$a1" "$(answers)"
s2=$(stat -c %s "$DB/driftdb.mdb")
[ "$s2" -le "$s1" ] && ok data_compact_full_not_larger || fail data_compact_full_not_larger "$s1 -> $s2"
[ ! -e "$DB.compact.ddb" ] && ok data_compact_full_no_leftover || fail data_compact_full_no_leftover
out=$("$D" compact --data "$DB" --full -t ev 2>&1); rc=$?
has data_compact_full_alone "1 driftdb: compact --full takes --data DIR alone" "$rc $out"
out=$("$D" select -t ev 2>&1); rc=$?
has no_target "1 driftdb: select needs --data DIR or --url URL" "$rc $out"
out=$("$D" sql -e "SELECT 1" 2>&1); rc=$?
has no_target_sql "1 driftdb: sql needs --data DIR or --url URL" "$rc $out"
out=$("$D" select --data "$DB" --url postgresql://x@127.0.0.1:1/x -t ev 2>&1); rc=$?
has both_targets "1 driftdb: select takes --data DIR or --url URL, not both" "$rc $out"

# A UTF-8 byte order mark (spreadsheet exports) is not part of the first name.
"$D" init "$TMP/bomdb" >/dev/null 2>&1
"$D" sql --data "$TMP/bomdb" -e "CREATE TABLE b (pk=id)" >/dev/null 2>&1
printf '\xef\xbb\xbfid,kind\n13,bom\n' > "$TMP/bom.csv"
"$D" ingest --data "$TMP/bomdb" -t b -f "$TMP/bom.csv" >/dev/null 2>&1
out=$("$D" select --data "$TMP/bomdb" -t b --format csv 2>&1)
check data_csv_byte_order_mark 'id,kind
13,bom' "$out"

# A progress line on a terminal (script(1) gives the command a pty).
if command -v script >/dev/null 2>&1; then
    "$D" sql --data "$DB" -e "CREATE TABLE tty (pk=id)" >/dev/null 2>&1
    script -qec "$D ingest --data $DB -t tty -f $TMP/batch2.jsonl" /dev/null > "$TMP/tty.out" 2>&1
    out=$(tr -d '\r' < "$TMP/tty.out")
    has tty_progress_bar "[##############################] 100%  50 rows" "$out"
    has tty_summary "Ingested 50 rows into tty" "$out"
    out=$("$D" ingest --data "$DB" -t tty -f "$TMP/events.jsonl" 2>&1)
    case "$out" in *"###"*) fail no_progress_without_tty;; *) ok no_progress_without_tty;; esac
else
    fail tty_progress_bar "script(1) missing (util-linux)"
fi
# The same on a terminal as a user sees it: tmux runs ingest on a pty of
# its own (a file large enough for the line to be redrawn while rows go
# in), and the screen it leaves is captured.
if command -v tmux >/dev/null 2>&1; then
    awk 'BEGIN { for (i = 1; i <= 200000; i++) printf "{\"id\":%d,\"v\":\"r%d\"}\n", i, i }' > "$TMP/tmux.jsonl"
    "$D" sql --data "$DB" -e "CREATE TABLE tmuxed (pk=id)" >/dev/null 2>&1
    TS="$TMP/tmux.sock"
    TERM=xterm tmux -S "$TS" new-session -d -x 120 -y 10 \
        "$D ingest --data $DB -t tmuxed -f $TMP/tmux.jsonl; echo EXIT=\$?; sleep 60" </dev/null >/dev/null 2>&1
    for i in $(seq 1 300); do
        screen=$(tmux -S "$TS" capture-pane -p 2>/dev/null)
        case "$screen" in *EXIT=*) break;; esac
        sleep 0.1
    done
    tmux -S "$TS" kill-server >/dev/null 2>&1
    has tmux_ingest_exit "EXIT=0" "$screen"
    matches tmux_progress_final '^\[#{30}\] 100%  200,000 rows  [0-9,]+ rows/s$' "$screen"
    matches tmux_summary '^Ingested 200,000 rows into tmuxed in [0-9.]+ s at seq [0-9]+$' "$screen"
    # one line redrawn in place: the screen holds one progress line
    check tmux_progress_one_line 1 "$(printf '%s\n' "$screen" | grep -c 'rows/s')"
else
    fail tmux_progress_bar "tmux missing (make test installs it)"
fi

# The manual pages render without warnings and name every command.
if command -v groff >/dev/null 2>&1; then
    out=$(groff -man -Tutf8 -ww -z man/driftdb.1 man/driftdb-server.1 2>&1)
    check man_pages_render "" "$out"
fi
missing=""
for cmd in init sql select drift diff ingest verify doctor snapshot compact; do
    grep -q "^driftdb $cmd\b\|^  driftdb $cmd " <("$D" --help) || missing="$missing help:$cmd"
    grep -q "^\.B driftdb $cmd\$" man/driftdb.1 || missing="$missing man:$cmd"
done
check help_and_man_list_every_command "" "$missing"

# ---- a server holds the directory ----------------------------------------------
if ! start_server main "$DB"; then
    fail server_start
    echo "$PASS passed, $FAILN failed"
    exit 1
fi
URL="postgresql://tester@127.0.0.1:$PORT/db"
MAIN=$SPID

out=$("$D" sql --data "$DB" --format csv -e "SELECT count(*) FROM ev WHERE id = 2" 2>&1); rc=$?
check beside_sql_read "0 count
1" "$rc $out"
out=$("$D" sql --data "$DB" -e "INSERT INTO ev (id) VALUES (500)" 2>&1); rc=$?
has beside_sql_write_fails "ERROR:  25006: cannot execute INSERT in a read-only transaction" "$out"
has beside_sql_write_hint "HINT:  The data directory was opened read-only because data directory \"$DB\" is locked by another process (pid $MAIN). Run writes through the server: --url" "$out"
check beside_sql_write_status 1 "$rc"
out=$("$D" ingest --data "$DB" -t ev -f "$TMP/events.jsonl" 2>&1); rc=$?
check beside_ingest_refused "1 driftdb: error: data directory \"$DB\" is locked by another process (pid $MAIN)
HINT:  This command writes, and another process (usually driftdb-server) holds the directory: run it through that server with --url postgresql://USER@HOST:PORT/DB instead of --data." "$rc $out"
out=$("$D" compact --data "$DB" 2>&1); rc=$?
has beside_compact_refused "1 driftdb: error: data directory \"$DB\" is locked by another process" "$rc $out"
has beside_compact_refused_hint "--url" "$out"
out=$("$D" snapshot --data "$DB" -t ev 2>&1); rc=$?
has beside_snapshot_refused "1 driftdb: error: data directory \"$DB\" is locked by another process" "$rc $out"
out=$("$D" compact --data "$DB" --full 2>&1); rc=$?
has beside_compact_full_refused "1 driftdb: error:" "$rc $out"
has beside_compact_full_refused_lock "is in use by another process (pid $MAIN)" "$out"
[ ! -e "$DB.compact.ddb" ] && ok beside_compact_full_no_leftover || fail beside_compact_full_no_leftover

# Writes through the server, reads beside it see them.
"$D" sql --url "$URL" -e "CREATE TABLE web (pk=id)" >/dev/null 2>&1
out=$("$D" ingest --url "$URL" -t web -f "$TMP/events.jsonl" 2>&1); rc=$?
matches url_ingest_jsonl '^Ingested 4 rows into web in [0-9.]+ s at seq [0-9]+$' "$out"
out=$("$D" ingest --url "$URL" -t web -f "$TMP/more.csv" --format csv 2>&1)
matches url_ingest_csv '^Ingested 3 rows into web in [0-9.]+ s at seq [0-9]+$' "$out"
out_url=$("$D" select --url "$URL" -t web 2>&1)
out_data=$("$D" select --data "$DB" -t web 2>&1)
check url_and_beside_select_agree "$out_url" "$out_data"
has url_select_rows "(7 rows)" "$out_url"
out=$("$D" select --url "$URL" -t web -w "id = 2" --format json 2>&1)
check url_select_json '[{"id":2,"kind":"it'"'"'s","amount":12,"ok":false,"meta":null,"note":null}]' "$out"
out=$("$D" select --url "$URL" -t ev --as-of @SEQ:2 -w "id = 1" --format csv 2>&1)
check url_select_as_of 'id,kind,amount,ok,meta,note
1,click,10,t,"{""a"": [1, 2]}",' "$out"
# a reading command sends one statement: a -w that closes it and adds a
# write is refused, and nothing is written
rows0=$(q --url "$URL" -e "SELECT count(*) FROM web")
out=$("$D" select --url "$URL" -t web -w "true); DELETE FROM web; SELECT (1" 2>&1); rc=$?
has url_select_one_statement "1 ERROR:  42601: cannot insert multiple commands into a prepared statement" "$rc $out"
check url_select_wrote_nothing "$rows0" "$(q --url "$URL" -e "SELECT count(*) FROM web")"
out=$("$D" drift --url "$URL" -t ev -k 1 --format json 2>&1)
out2=$("$D" drift --data "$DB" -t ev -k 1 --format json 2>&1)
check url_drift_same_as_data "$out2" "$out"
"$D" sql --url "$URL" -e "UPDATE web SET kind = 'tap' WHERE id = 1" >/dev/null 2>&1
out=$("$D" drift --url "$URL" -t web -k 1 2>&1)
has url_drift_user "tester       UPDATE" "$out"
has url_drift_change "    kind    click -> tap" "$out"
out=$("$D" diff --url "$URL" -t ev --from 3 --to 5 --format json 2>&1)
out2=$("$D" diff --data "$DB" -t ev --from 3 --to 5 --format json 2>&1)
check url_diff_same_as_data "$out2" "$out"
out=$("$D" ingest --url "$URL" -t web -f "$TMP/badtype.jsonl" 2>&1); rc=$?
check url_bad_type '1 driftdb: error: line 3: invalid input syntax for type bigint: "lots"
Nothing was committed.' "$rc $out"
out=$("$D" ingest --url "$URL" -t web -f "$TMP/badjson.jsonl" 2>&1); rc=$?
check url_bad_json "1 driftdb: error: $TMP/badjson.jsonl: line 2: invalid JSON: expected a key at column 24
Nothing was committed." "$rc $out"
out=$("$D" sql --url "$URL" --format csv -e "SELECT count(*) FROM web WHERE id IN (20, 30, 31)" 2>&1)
check url_bad_input_commits_nothing "count
0" "$out"
out=$("$D" ingest --url "$URL" -t nosuch -f "$TMP/events.jsonl" 2>&1); rc=$?
has url_ingest_missing_table '1 driftdb: error: relation "nosuch" does not exist' "$rc $out"
out=$("$D" snapshot --url "$URL" -t web 2>&1); rc=$?
has url_snapshot '0  seq | rows' "$rc $out"
out=$("$D" sql --url "$URL" -e "SELECT 1 AS one" -e "SELECT * FROM nope" 2>&1); rc=$?
check url_sql_error_caret "1  one 
-----
   1
(1 row)

ERROR:  42P01: relation \"nope\" does not exist
LINE 1: SELECT * FROM nope
                      ^" "$rc $out"
out=$("$D" sql --url "$URL" --format csv -e "BEGIN; INSERT INTO web (id) VALUES (600); SELECT count(*) FROM web WHERE id = 600; ROLLBACK" 2>&1)
check url_sql_multi_statement "BEGIN
INSERT 0 1
count
1
ROLLBACK" "$out"
out=$(printf 'SELECT 2 AS two;\nSELECT 3 AS three;\n' | "$D" sql --url "$URL" --format csv 2>&1)
check url_sql_script "two
2
three
3" "$out"
# A script's statements are sent one by one (psql -f): those before the
# failing one stay committed, the run stops there with status 1, and the
# error's LINE counts from the start of its statement (comments before it
# are not sent; the caret stays right after non-ASCII text).
printf 'CREATE TABLE scr (a int PRIMARY KEY);\nINSERT INTO scr VALUES (1);\nINSERT INTO scr VALUES (1);\nINSERT INTO scr VALUES (2);\n' > "$TMP/scr.sql"
out=$("$D" sql --url "$URL" -f "$TMP/scr.sql" 2>&1); rc=$?
check url_script_stops "CREATE TABLE
INSERT 0 1
ERROR:  23505: duplicate key value violates unique constraint \"scr_pkey\"
DETAIL:  Key (a)=(1) already exists.
1" "$out
$rc"
out=$("$D" sql --url "$URL" --format csv -e "SELECT string_agg(a::text, ',') FROM scr" 2>&1)
check url_script_earlier_committed "string_agg
1" "$out"
printf 'BEGIN;\nINSERT INTO scr VALUES (7);\n/* ; */ SELECT \x27a;b\x27 AS "x;", $$q;$$ AS y;\nCOMMIT;\n\n-- a comment psql does not send\n  SELECT \x27\xc3\xa9\x27,\n nope FROM scr;\n' > "$TMP/scr2.sql"
"$D" init "$TMP/scrdb" >/dev/null 2>&1
out=$("$D" sql --data "$TMP/scrdb" -f "$TMP/scr.sql" 2>&1; "$D" sql --data "$TMP/scrdb" --format csv -e "SELECT count(*) FROM scr" 2>&1)
check data_script_earlier_committed "CREATE TABLE
INSERT 0 1
ERROR:  23505: duplicate key value violates unique constraint \"scr_pkey\"
DETAIL:  Key (a)=(1) already exists.
count
1" "$out"
out=$("$D" sql --url "$URL" --format csv -f "$TMP/scr2.sql" 2>&1); rc=$?
check url_script_quotes_and_position "BEGIN
INSERT 0 1
x;,y
a;b,q;
COMMIT
ERROR:  42703: column \"nope\" does not exist
LINE 2:  nope FROM scr;
         ^
1" "$out
$rc"
out=$("$D" verify --url "$URL" 2>&1); rc=$?
matches url_verify '^verified [0-9]+ commits: OK$' "$out"
out=$("$D" verify --data "$DB" 2>&1); rc=$?
matches beside_verify '^verified [0-9]+ commits: OK$' "$out"
out=$("$D" compact --url "$URL" 2>&1); rc=$?
check url_compact "0 VACUUM" "$rc $out"
out=$(PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=tester "$D" select -t web -w "id = 2" --format csv 2>&1)
check pg_environment 'id,kind,amount,ok,meta,note
2,it'"'"'s,12,f,,' "$out"
out=$("$D" select --url "postgresql://x@127.0.0.1:1/x" -t web 2>&1); rc=$?
matches url_unreachable '^driftdb: error: connection to server at "127.0.0.1", port 1 failed' "$out"
check url_unreachable_status 1 "$rc"

# Reads beside the server while it commits: every count a whole number of
# batches, never going back.
"$D" sql --url "$URL" -e "CREATE TABLE busy (pk=id)" >/dev/null 2>&1
awk 'BEGIN { for (i = 0; i < 60000; i++) printf "{\"id\": %d, \"v\": \"x%d\"}\n", i, i }' > "$TMP/busy.jsonl"
"$D" ingest --url "$URL" -t busy -f "$TMP/busy.jsonl" --batch 2000 > "$TMP/busy.out" 2>&1 &
IPID=$!
prev=0; bad=""; reads=0
while kill -0 $IPID 2>/dev/null; do
    c=$("$D" sql --data "$DB" --format csv -e "SELECT count(*) FROM busy" 2>&1 | tail -n 1)
    reads=$((reads + 1))
    case "$c" in ''|*[!0-9]*) bad="$bad error:$c"; break;; esac
    [ $((c % 2000)) -eq 0 ] && [ "$c" -ge "$prev" ] || bad="$bad $c-after-$prev"
    prev=$c
done
wait $IPID
echo "# $reads reads beside the server while it ingested"
check beside_reads_during_commits "" "$bad"
matches beside_reads_ingest_done '^Ingested 60,000 rows into busy' "$(cat "$TMP/busy.out")"

# Round trip: ingest -> change -> select AS OF -> drift, through the server.
"$D" sql --url "$URL" -e "CREATE TABLE orders (pk=id)" >/dev/null 2>&1
: > "$TMP/orders.jsonl"
for i in $(seq 1 300); do echo "{\"id\": $i, \"customer\": \"c$((i % 7))\", \"total\": $((i * 3)), \"paid\": false}"; done > "$TMP/orders.jsonl"
out=$("$D" ingest --url "$URL" -t orders -f "$TMP/orders.jsonl" --batch 100 2>&1)
seq1=$(printf '%s' "$out" | sed -n 's/.* at seq \([0-9]*\)$/\1/p')
matches round_trip_ingest '^Ingested 300 rows into orders in [0-9.]+ s at seq [0-9]+$' "$out"
"$D" sql --url "$URL" -e "UPDATE orders SET paid = true, total = total + 1 WHERE id = 42" >/dev/null 2>&1
out=$("$D" select --url "$URL" -t orders --as-of "@SEQ:$seq1" -w "id = 42" --format csv 2>&1)
check round_trip_as_of 'id,customer,total,paid
42,c0,126,f' "$out"
out=$("$D" select --data "$DB" -t orders -w "id = 42" --format csv 2>&1)
check round_trip_now 'id,customer,total,paid
42,c0,127,t' "$out"
out=$("$D" select --url "$URL" -t orders --format csv 2>&1 | tail -n +2 | wc -l)
check round_trip_count 300 "$out"
out=$("$D" drift --url "$URL" -t orders -k 42 2>&1)
has round_trip_drift_header "orders id = 42: 2 versions, 2 changes" "$out"
has round_trip_drift_total "    total     126 -> 127" "$out"
has round_trip_drift_paid "    paid      f -> t" "$out"

# doctor beside the server (--data, read-only) and through it (--url):
# the same figures.
out_data=$("$D" doctor --data "$DB" 2>&1); rc=$?
check beside_doctor_status 0 "$rc"
has beside_doctor_read_only "  read-only, beside the process that holds it (pid $MAIN)" "$out_data"
check beside_doctor_verdict "OK: healthy" "$(printf '%s\n' "$out_data" | tail -n 1)"
out_url=$("$D" doctor --url "$URL" 2>&1); rc=$?
check url_doctor_status 0 "$rc"
check url_doctor_header "DriftDB doctor: server 127.0.0.1:$PORT, database db, user tester" "$(printf '%s\n' "$out_url" | head -n 1)"
has url_doctor_head "head            seq $(q --url "$URL" -e "SELECT drift_seq()"), committed " "$out_url"
matches url_doctor_orders "^  orders +300 +301 " "$out_url"
strip() { printf '%s\n' "$1" | grep -v -e '^DriftDB doctor:' -e '^  read-only, beside' -e '^reader slots'; }
check url_and_beside_doctor_agree "$(strip "$out_data")" "$(strip "$out_url")"
out=$(PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=tester PGDATABASE=envdb "$D" doctor 2>&1)
check pg_environment_doctor "DriftDB doctor: server 127.0.0.1:$PORT, database envdb, user tester" "$(printf '%s\n' "$out" | head -n 1)"

# A reader killed while it holds its LMDB reader slot leaves the slot
# behind (stale); a running server frees it within seconds (its writer
# clears dead readers every two seconds).
used0=$(q --url "$URL" -e "SELECT drift_reader_slots_used()")
"$D" sql --data "$DB" -e "SELECT pg_sleep(60)" >/dev/null 2>&1 &
SLEEPER=$!
for i in $(seq 1 100); do
    [ "$(q --url "$URL" -e "SELECT drift_reader_slots_used()")" -gt "$used0" ] && break
    sleep 0.1
done
{ kill -KILL $SLEEPER; wait $SLEEPER; } 2>/dev/null
for i in $(seq 1 80); do
    out=$("$D" doctor --url "$URL" 2>&1); rc=$?
    [ $rc -eq 0 ] && break
    sleep 0.1
done
check url_doctor_stale_freed_by_server "0 reader slots    1 in use (this check's own included), 0 stale, 1024 max" "$rc $(printf '%s\n' "$out" | grep '^reader slots')"

stop_server "$MAIN"
# Without a server, a dead reader's slot stays while another process keeps
# the database open: doctor counts it and says PROBLEM; the next open with
# no other process frees it.  The holder opens first and writes (two slots:
# its snapshot and its commit log's checkpoint); the sleeper, started once
# the holder is in, opens read-only beside it (one slot).
"$D" sql --data "$DB" -e "SELECT pg_sleep(60)" >/dev/null 2>&1 &
HOLDER=$!
for i in $(seq 1 100); do
    out=$("$D" doctor --data "$DB" 2>&1)
    case "$out" in *"reader slots    3 in use"*) break;; esac
    sleep 0.1
done
# (the holder clears dead readers every 2 s: a doctor that comes after
# that sees none, and the sleeper is started and killed again, thrice at
# most, as on a loaded machine)
for attempt in 1 2 3; do
    "$D" sql --data "$DB" -e "SELECT pg_sleep(60)" >/dev/null 2>&1 &
    SLEEPER=$!
    for i in $(seq 1 100); do
        out=$("$D" doctor --data "$DB" 2>&1)
        case "$out" in *"reader slots    4 in use"*) break;; esac
        sleep 0.1
    done
    { kill -KILL $SLEEPER; wait $SLEEPER; } 2>/dev/null
    out=$("$D" doctor --data "$DB" 2>&1); rc=$?
    case "$out" in *", 1 stale,"*) break;; esac
done
check data_doctor_stale_status 2 "$rc"
matches data_doctor_stale_slots "^reader slots    [0-9]+ in use \(this check's own included\), 1 stale, 1024 max\$" "$out"
check data_doctor_stale_verdict "PROBLEM: 1 reader slot is held by a process that is gone (a running server frees it within seconds; without one, the next open with no other process holding the database does)" "$(printf '%s\n' "$out" | tail -n 1)"
{ kill -KILL $HOLDER; wait $HOLDER; } 2>/dev/null
out=$("$D" doctor --data "$DB" 2>&1); rc=$?
check doctor_stale_freed_on_open "0 reader slots    1 in use (this check's own included), 0 stale, 1024 max" "$rc $(printf '%s\n' "$out" | grep '^reader slots')"
# After the server: --data writes again.
out=$("$D" ingest --data "$DB" -t orders -f "$TMP/events.jsonl" 2>&1); rc=$?
has data_writes_after_server "duplicate key value" "$rc $out"

# a column made by the run's first row of it types the rows after it, as
# in a later run: true, "yes" and 1 all go into the boolean column
printf '{"id":1,"flag":true}\n{"id":2,"flag":"yes"}\n{"id":3,"flag":1}\n' > "$TMP/flags.jsonl"
"$D" init "$TMP/flagsdb" >/dev/null 2>&1
"$D" sql --data "$TMP/flagsdb" -e "CREATE TABLE flags (pk=id)" >/dev/null 2>&1
out=$("$D" ingest --data "$TMP/flagsdb" -t flags -f "$TMP/flags.jsonl" 2>&1)$("$D" sql --data "$TMP/flagsdb" --format csv -e "SELECT id, flag FROM flags ORDER BY id" 2>&1)
has data_ingest_new_column_types_later_rows "id,flag
1,t
2,t
3,t" "$out"

# a duplicate of a row sent by an earlier statement of the run (rows go
# 1,000 to an INSERT): the error still names its line
awk 'BEGIN { for (i = 1; i <= 1500; i++) printf "{\"id\":%d,\"v\":%d}\n", (i == 1200 ? 5 : i), i }' > "$TMP/dup.jsonl"
"$D" sql --data "$TMP/flagsdb" -e "CREATE TABLE big (pk=id)" >/dev/null 2>&1
out=$("$D" ingest --data "$TMP/flagsdb" -t big -f "$TMP/dup.jsonl" 2>&1); rc=$?
has data_ingest_duplicate_line "1 driftdb: error: line 1200: duplicate key value" "$rc $out"

# ---- CLI review fixes: help pages, diff keys, files that are not databases ----
# driftdb COMMAND --help / -h: the command's own page with all its options.
declare -A OPTS=(
    [init]="DIR"
    [sql]="--data --url -e -c --command -f --file --format aligned csv json --help"
    [select]="--data --url -t --table -w --where --as-of -l --limit --format aligned csv json @SEQ:n --help"
    [drift]="--data --url -t --table -k --key --format text json --help"
    [ingest]="--data --url -t --table -f --file --format jsonl csv --batch --help"
    [diff]="--data --url -t --table --from --to --format text json @SEQ:n --help"
    [verify]="--data --url --timeout --help"
    [doctor]="--data --url --recent --timeout --help"
    [backup]="--data --to --help"
    [restore]="--from --data --until-seq --force --help"
    [snapshot]="--data --url -t --table --help"
    [compact]="--data --url -t --table --help"
)
# (run in $TMP: a binary without the fix would make "init -h" a directory)
DABS=$(cd "$(dirname "$D")" && pwd)/$(basename "$D")
bad=""
for cmd in "${!OPTS[@]}"; do
    for h in --help -h; do
        out=$(cd "$TMP" && "$DABS" $cmd $h 2>&1); rc=$?
        [ $rc -eq 0 ] || bad="$bad $cmd$h:rc=$rc"
        case "$(printf '%s\n' "$out" | head -n 1)" in "Usage: driftdb $cmd "*) ;; *) bad="$bad $cmd$h:first-line";; esac
        case "$out" in *"driftdb - an append-only"*) bad="$bad $cmd$h:global-page";; esac
    done
    out=$("$D" $cmd --help 2>&1)
    for o in ${OPTS[$cmd]}; do
        printf '%s\n' "$out" | grep -q -- "$o\b" || bad="$bad $cmd:$o"
    done
done
check help_command_pages "" "$bad"
out=$("$D" drift --data "$DB" -t ev -k 1 -h 2>&1); rc=$?
has help_drift_h_anywhere "0 Usage: driftdb drift TARGET -t TABLE -k KEY" "$rc $out"
out=$("$D" bogus --help 2>&1); rc=$?
check help_unknown_command "1 driftdb: unknown command \"bogus\"
Try \"driftdb --help\" for more information." "$rc $out"
out=$("$D" help diff 2>&1); rc=$?
has help_help_command "0 Usage: driftdb diff TARGET" "$rc $out"
out=$("$D" drift --data "$DB" -t ev 2>&1); rc=$?
check usage_error_points_at_command_page "1 driftdb: drift needs -t TABLE and -k KEY
Try \"driftdb drift --help\" for more information." "$rc $out"
out=$("$D" --help 2>&1)
has help_overview_drift_format "driftdb drift TARGET -t TABLE -k KEY... [--format text|json]" "$out"
has help_overview_diff_format "driftdb diff TARGET -t TABLE --from X [--to Y] [--format text|json]" "$out"
has help_overview_as_of_number "[--as-of @SEQ:n|N|TIMESTAMP|now]" "$out"
has help_overview_command_help "driftdb COMMAND --help" "$out"
missing=""
for cmd in backup restore; do
    grep -q "^\.B driftdb $cmd\$" man/driftdb.1 || missing="$missing man:$cmd"
done
man_reading=$(sed -n '/^reading commands$/,/^open it read-only/p' man/driftdb.1 | tr '\n' ' ')
for cmd in select drift diff verify doctor backup; do
    case "$man_reading" in *"$cmd"*) ;; *) missing="$missing man-reading:$cmd";; esac
done
readme_reading=$(grep -A2 'reading commands (`select`' README.md | tr '\n' ' ')
for cmd in doctor backup; do
    case "$readme_reading" in *"\`$cmd\`"*) ;; *) missing="$missing readme-reading:$cmd";; esac
done
check man_synopsis_backup_restore_and_reading_commands "" "$missing"

# diff on a table with a key of several columns: rows matched by the whole
# key; drift still takes one key value and says so.
"$D" init "$TMP/cpdb" >/dev/null 2>&1
"$D" sql --data "$TMP/cpdb" -e "CREATE TABLE cp (a int, b text, v int, PRIMARY KEY (a, b))" \
    -e "INSERT INTO cp VALUES (1, 'x', 1), (1, 'y', 2), (2, 'x', 3)" -e "UPDATE cp SET v = 10 WHERE a = 1 AND b = 'x'" \
    -e "DELETE FROM cp WHERE a = 1 AND b = 'y'" -e "INSERT INTO cp VALUES (3, 'z', 4)" >/dev/null 2>&1
out=$("$D" diff --data "$TMP/cpdb" -t cp --from 2 2>&1); rc=$?
check diff_composite_key "0 cp between seq 2 and seq 5:
~ a = 1, b = x
    v  1 -> 10
- a = 1, b = y
    a  1
    b  y
    v  2
+ a = 3, b = z
    a  3
    b  z
    v  4
(3 rows differ)" "$rc $out"
out=$("$D" diff --data "$TMP/cpdb" -t cp --from 3 --to 4 --format json 2>&1)
check diff_composite_key_json '[{"key":{"a":"1","b":"y"},"change":"delete","before":{"a":"1","b":"y","v":"2"},"after":null}]' "$out"
out=$("$D" drift --data "$TMP/cpdb" -t cp -k 1 2>&1); rc=$?
check drift_composite_key_one_value "1 driftdb: error: the primary key of \"cp\" is (a, b): give -k once for each of its 2 columns, in that order (got 1)" "$rc $out"
U12=$(printf "%-12s" "$(id -un)")   # cpdb was made without --superuser: the OS user
out=$("$D" drift --data "$TMP/cpdb" -t cp -k 1 -k x 2>&1 | sed -E "s/[0-9]{4}-[0-9-]+ [0-9:.+]+ */TIME  /"); rc=$?
check drift_composite_key "0 cp (a, b) = (1, x): 2 versions, 2 changes

seq 2      TIME  $U12 INSERT
    a  1
    b  x
    v  1
seq 3      TIME  $U12 UPDATE
    v  1 -> 10" "$rc $out"
out=$("$D" drift --data "$TMP/cpdb" -t cp -k 1 -k q 2>&1); rc=$?
check drift_composite_key_missing "1 driftdb: error: no row of \"cp\" has ever had a = 1 and b = q" "$rc $out"

# drift on a table whose columns were dropped and added: each version as it
# was written, so a dropped column's changes still show; an UPDATE after
# ADD COLUMN ... DEFAULT shows what it changed, not the column's default
"$D" sql --data "$TMP/cpdb" -e "CREATE TABLE dc (id int PRIMARY KEY, a text, b int)" \
    -e "INSERT INTO dc VALUES (1, 'x', 1)" -e "UPDATE dc SET b = 2" -e "UPDATE dc SET a = 'y'" \
    -e "ALTER TABLE dc DROP COLUMN b" -e "ALTER TABLE dc ADD COLUMN d int DEFAULT 9" -e "UPDATE dc SET a = 'z'" \
    -e "ALTER TABLE dc ADD COLUMN b text" -e "UPDATE dc SET b = 'new'" >/dev/null 2>&1
out=$("$D" drift --data "$TMP/cpdb" -t dc -k 1 --format json 2>&1 | sed -E 's/"commit_time":"[^"]*","user":"[^"]*",//'); rc=$?
check drift_dropped_columns '0 [{"seq":7,"op":"INSERT","changes":{"id":[null,"1"],"a":[null,"x"],"b":[null,"1"]}},
 {"seq":8,"op":"UPDATE","changes":{"b":["1","2"]}},
 {"seq":9,"op":"UPDATE","changes":{"a":["x","y"]}},
 {"seq":12,"op":"UPDATE","changes":{"a":["y","z"]}},
 {"seq":14,"op":"UPDATE","changes":{"b":[null,"new"]}}]' "$rc $out"

# diff from the seq that created a document-style table (its key column
# had no type yet): the whole history since.
"$D" init "$TMP/docdb" >/dev/null 2>&1
"$D" sql --data "$TMP/docdb" -e "CREATE TABLE orders (pk=id)" >/dev/null 2>&1
cseq=$(q --data "$TMP/docdb" -e "SELECT drift_seq()")
"$D" ingest --data "$TMP/docdb" -t orders -f "$TMP/orders.jsonl" --batch 100 >/dev/null 2>&1
"$D" sql --data "$TMP/docdb" -e "UPDATE orders SET paid = true WHERE id = 7" >/dev/null 2>&1
out=$("$D" diff --data "$TMP/docdb" -t orders --from "@SEQ:$cseq" 2>&1); rc=$?
has diff_from_creation_of_document_table "0 orders between seq $cseq and seq " "$rc $(printf '%s\n' "$out" | head -n 1)"
check diff_from_creation_rows "(300 rows differ)" "$(printf '%s\n' "$out" | tail -n 1)"
has diff_from_creation_row "+ id = 7
    id        7
    customer  c0
    total     21
    paid      t" "$out"

# A directory whose driftdb.mdb is empty: every command says so, writes
# nothing (no LOCK, no LMDB lock file, the file stays empty); doctor and
# verify call it a problem (status 2), the others fail with status 1.
mkdir -p "$TMP/empty"
: > "$TMP/empty/driftdb.mdb"
msg="driftdb: error: \"$TMP/empty\" is not a DriftDB data directory (driftdb.mdb is empty)"
bad=""
for args in "select -t t" "drift -t t -k 1" "diff -t t --from 1" "backup --to $TMP/empty.bak" "sql -e select_1" \
            "ingest -t t -f $TMP/events.jsonl" "snapshot -t t" "compact -t t"; do
    out=$("$D" ${args%% *} --data "$TMP/empty" ${args#* } 2>&1); rc=$?
    [ "$rc $out" == "1 $msg" ] || bad="$bad [${args%% *}: $rc $out]"
done
out=$("$D" verify --data "$TMP/empty" 2>&1); rc=$?
[ "$rc $out" == "2 $msg" ] || bad="$bad [verify: $rc $out]"
check empty_data_file_every_command "" "$bad"
check empty_data_file_nothing_written "driftdb.mdb 0" "$(cd "$TMP/empty" && for f in *; do printf '%s %s' "$f" "$(stat -c %s "$f")"; done)"
out=$("$D" doctor --data "$TMP/empty" 2>&1); rc=$?
check empty_data_file_doctor "2 DriftDB doctor: data directory $TMP/empty

PROBLEM: the database does not open: \"$TMP/empty\" is not a DriftDB data directory (driftdb.mdb is empty)" "$rc $out"

# A data file that is not LMDB does not open: verify says damage (2), as doctor.
out=$("$D" verify --data "$TMP/unopenable" 2>&1); rc=$?
check verify_unopenable_status 2 "$rc"
has verify_unopenable_message "not a valid LMDB file" "$out"
"$D" doctor --data "$TMP/unopenable" >/dev/null 2>&1; rc=$?
check doctor_unopenable_agrees 2 "$rc"
out=$("$D" verify --data "$TMP/plain" 2>&1); rc=$?
check verify_no_data_file "1 driftdb: error: \"$TMP/plain\" is not a DriftDB data directory (it has no driftdb.mdb)" "$rc $out"
out=$("$D" verify --data "$TMP/not-a-db" 2>&1); rc=$?
check verify_missing_dir "1 driftdb: error: data directory \"$TMP/not-a-db\" does not exist" "$rc $out"

# doctor on a truncated data file: the page check finds pages beyond the
# end before LMDB reads them (no crash to catch, in any build); the header
# (printed by the parent) still stands above the verdict.
cp -r "$TMP/docdb" "$TMP/truncated"
truncate -s 12288 "$TMP/truncated/driftdb.mdb"
out=$("$D" doctor --data "$TMP/truncated" 2>&1); rc=$?
check doctor_truncated_header "DriftDB doctor: data directory $TMP/truncated" "$(printf '%s\n' "$out" | head -n 1)"
check doctor_truncated_status 2 "$rc"
matches doctor_truncated_verdict "^PROBLEM: .*damaged" "$(printf '%s\n' "$out" | tail -n 1)"

# --format csv tells an empty string ("") from NULL (nothing), as psql --csv
out=$("$D" sql --data "$TMP/flagsdb" --format csv -e "SELECT '' AS e, NULL AS n, 'a,b' AS q" 2>&1)
check csv_empty_string_and_null 'e,n,q
"",,"a,b"' "$out"

# ---- ingest sends rows with COPY where COPY means what INSERT means ----
# Both ways (--data, then --url to a server on the same directory).
"$D" init "$TMP/copydb" --superuser tester >/dev/null 2>&1
"$D" sql --data "$TMP/copydb" -e "CREATE TABLE s1 (id int PRIMARY KEY, t text, j jsonb, n numeric, i int, f float8)" \
    -e "CREATE TABLE s2 (id int PRIMARY KEY, t text, j jsonb, n numeric, i int, f float8)" \
    -e "CREATE TABLE w1 (pk=id)" -e "CREATE TABLE w2 (pk=id)" \
    -e "CREATE TABLE e1 (id int PRIMARY KEY, v int)" -e "CREATE TABLE e2 (id int PRIMARY KEY, v int)" >/dev/null 2>&1
# text that COPY's format must escape: tab, newline, CR, backslash, quotes,
# "\." alone, "\N"; JSON; numbers of every kind into numeric/int/float;
# a number into a text column and a fraction into an int column (INSERT's
# meaning: the text of the numeric literal, rounding) between COPY rows
cat > "$TMP/esc.jsonl" <<'JSONL'
{"id":1,"t":"tab\there","j":{"a":[1,"x\ty"]},"n":1.50,"i":7,"f":2.5}
{"id":2,"t":"line\nbreak\r\nand \\ back","j":null,"n":-3,"i":-8,"f":1e3}
{"id":3,"t":"it's \"quoted\"","j":[],"n":12345678901234567890.5,"i":0,"f":-0.25}
{"id":4,"t":"\\.","j":{},"n":0,"i":1,"f":0}
{"id":5,"t":"\\N","j":"[2]","n":null,"i":null,"f":null}
{"id":6,"t":42,"j":1,"n":1e2,"i":2.5,"f":3}
{"id":7,"t":"after","j":true,"n":2,"i":9,"f":4}
JSONL
ESC_SQL="SELECT id, t, j::text, n, i, f FROM %s ORDER BY id"
ESC_WANT='id,t,j,n,i,f
1,tab	here,"{""a"": [1, ""x\ty""]}",1.50,7,2.5
2,"line
break
and \ back",,-3,-8,1000
3,"it'"'"'s ""quoted""",[],12345678901234567890.5,0,-0.25
4,\.,{},0,1,0
5,\N,"""[2]""",,,
6,42,1,100,3,3
7,after,true,2,9,4'
out=$("$D" ingest --data "$TMP/copydb" -t s1 -f "$TMP/esc.jsonl" 2>&1); rc=$?
matches copy_data_escapes_ingested '^0 Ingested 7 rows into s1' "$rc $out"
check copy_data_escapes "$ESC_WANT" "$("$D" sql --data "$TMP/copydb" --format csv -e "$(printf "$ESC_SQL" s1)" 2>&1 | tr -d '\r')"
# a document-style table: a fraction widens its int column, a later
# integer still goes in; a number types a column made by a null
printf '{"id":1,"q":1,"z":null}\n{"id":2,"q":2,"z":null}\n{"id":3,"q":2.5,"z":null}\n{"id":4,"q":4,"z":7}\n{"id":5,"q":5,"z":8}\n' > "$TMP/widen.jsonl"
WIDEN_WANT='id,q,z,q_type,z_type
1,1,,numeric,bigint
2,2,,numeric,bigint
3,2.5,,numeric,bigint
4,4,7,numeric,bigint
5,5,8,numeric,bigint'
WIDEN_SQL="SELECT id, q, z, pg_typeof(q) AS q_type, pg_typeof(z) AS z_type FROM %s ORDER BY id"
"$D" ingest --data "$TMP/copydb" -t w1 -f "$TMP/widen.jsonl" >/dev/null 2>&1
check copy_data_doc_widen "$WIDEN_WANT" "$("$D" sql --data "$TMP/copydb" --format csv -e "$(printf "$WIDEN_SQL" w1)" 2>&1)"
# a bad value deep in a COPY (line 150,001: the second COPY of the run,
# past several pieces sent), a duplicate of an earlier COPY's row, a
# duplicate of a committed row: each names its input line, nothing stays
awk 'BEGIN { for (i = 1; i <= 160000; i++) printf "{\"id\":%d,\"v\":%s}\n", i, (i == 150001 ? "\"x\"" : i) }' > "$TMP/badv.jsonl"
awk 'BEGIN { for (i = 1; i <= 120000; i++) printf "{\"id\":%d,\"v\":%d}\n", (i == 110000 ? 7 : i), i }' > "$TMP/dupv.jsonl"
printf '{"id":1,"v":1}\n' > "$TMP/one.jsonl"
# (the file starts at id 2: id 1 again is on line 2,499)
awk 'BEGIN { for (i = 2; i <= 3000; i++) printf "{\"id\":%d,\"v\":%d}\n", (i == 2500 ? 1 : i), i }' > "$TMP/dupc.jsonl"
copy_errors() {   # copy_errors MODE TARGET... (tables e1 or e2)
    local m=$1 tb=$2; shift 2
    out=$("$D" ingest "$@" -t "$tb" -f "$TMP/badv.jsonl" 2>&1); rc=$?
    has "copy_${m}_bad_value_line" '1 driftdb: error: line 150001: invalid input syntax for type integer: "x"' "$rc $out"
    out=$("$D" ingest "$@" -t "$tb" -f "$TMP/dupv.jsonl" 2>&1); rc=$?
    has "copy_${m}_duplicate_line" "1 driftdb: error: line 110000: duplicate key value" "$rc $out"
    "$D" ingest "$@" -t "$tb" -f "$TMP/one.jsonl" >/dev/null 2>&1
    out=$("$D" ingest "$@" -t "$tb" -f "$TMP/dupc.jsonl" 2>&1); rc=$?
    has "copy_${m}_duplicate_committed_line" "1 driftdb: error: line 2499: duplicate key value" "$rc $out"
    has "copy_${m}_nothing_committed" "Nothing was committed." "$out"
}
copy_errors data e1 --data "$TMP/copydb"
check copy_data_errors_rows "1" "$("$D" sql --data "$TMP/copydb" --format csv -e "SELECT count(*) FROM e1" 2>&1 | tail -n 1)"
if start_server copy "$TMP/copydb"; then
    CURL="postgresql://tester@127.0.0.1:$PORT/db"
    out=$("$D" ingest --url "$CURL" -t s2 -f "$TMP/esc.jsonl" 2>&1); rc=$?
    matches copy_url_escapes_ingested '^0 Ingested 7 rows into s2' "$rc $out"
    check copy_url_escapes "$ESC_WANT" "$("$D" sql --url "$CURL" --format csv -e "$(printf "$ESC_SQL" s2)" 2>&1 | tr -d '\r')"
    "$D" ingest --url "$CURL" -t w2 -f "$TMP/widen.jsonl" >/dev/null 2>&1
    check copy_url_doc_widen "$WIDEN_WANT" "$("$D" sql --url "$CURL" --format csv -e "$(printf "$WIDEN_SQL" w2)" 2>&1)"
    copy_errors url e2 --url "$CURL"
    check copy_url_errors_rows "1" "$("$D" sql --url "$CURL" --format csv -e "SELECT count(*) FROM e2" 2>&1 | tail -n 1)"
    stop_server "$SPID"
fi

# ---- new-user trial fixes ----
# drift over a row of many versions (the timeline's array grows past 128)
"$D" init "$TMP/trialdb" >/dev/null 2>&1
"$D" sql --data "$TMP/trialdb" -e "CREATE TABLE hot (id int PRIMARY KEY, n int)" -e "INSERT INTO hot VALUES (1, 0)" >/dev/null 2>&1
for i in $(seq 1 150); do echo "UPDATE hot SET n = n + 1;"; done | "$D" sql --data "$TMP/trialdb" -f - >/dev/null 2>&1
out=$("$D" drift --data "$TMP/trialdb" -t hot -k 1 2>&1); rc=$?
check drift_many_versions "0 hot id = 1: 151 versions, 151 changes     n   149 -> 150" "$rc $(printf '%s\n' "$out" | head -n 1) $(printf '%s\n' "$out" | tail -n 1)"
# a JSON string into a json/jsonb column is a JSON string (not the JSON its
# text would parse as); a CSV field into one is JSON text
"$D" sql --data "$TMP/trialdb" -e "CREATE TABLE jd (id int PRIMARY KEY, meta jsonb, raw json)" \
    -e "CREATE TABLE jdoc (pk=id)" >/dev/null 2>&1
printf '%s\n' '{"id":1,"meta":{"a":1},"raw":[1]}' '{"id":2,"meta":"plain \"q\" it'"'"'s","raw":"true"}' \
    '{"id":3,"meta":"tab\there\nnl","raw":"{\"x\":1}"}' > "$TMP/jstr.jsonl"
JSTR_WANT='id,meta,raw,meta_type
1,"{""a"": 1}",[1],object
2,"""plain \""q\"" it'"'"'s""","""true""",string
3,"""tab\there\nnl""","""{\""x\"":1}""",string'
JSTR_SQL="SELECT id, meta, raw, jsonb_typeof(meta) AS meta_type FROM jd ORDER BY id"
"$D" ingest --data "$TMP/trialdb" -t jd -f "$TMP/jstr.jsonl" >/dev/null 2>&1
check ingest_json_string_into_jsonb "$JSTR_WANT" "$("$D" sql --data "$TMP/trialdb" --format csv -e "$JSTR_SQL" 2>&1)"
printf 'id,meta,raw\n4,"{""b"": 2}",7\n' > "$TMP/jstr.csv"
"$D" ingest --data "$TMP/trialdb" -t jd -f "$TMP/jstr.csv" >/dev/null 2>&1
check ingest_csv_json_text "4,object" "$("$D" sql --data "$TMP/trialdb" --format csv -e "SELECT id, jsonb_typeof(meta) FROM jd WHERE id = 4" 2>&1 | tail -n 1)"
printf '%s\n' '{"id":1,"j":{"a":1}}' '{"id":2,"j":"plain"}' | "$D" ingest --data "$TMP/trialdb" -t jdoc -f - >/dev/null 2>&1
check ingest_doc_json_then_string 'id,j
1,"{""a"": 1}"
2,"""plain"""' "$("$D" sql --data "$TMP/trialdb" --format csv -e "SELECT id, j FROM jdoc ORDER BY id" 2>&1)"
# a document key named like a history column is refused, nothing written
printf '{"id":9,"system_seq_start":5}\n' > "$TMP/histname.jsonl"
out=$("$D" ingest --data "$TMP/trialdb" -t jdoc -f "$TMP/histname.jsonl" 2>&1); rc=$?
check ingest_history_column_name '1 driftdb: error: line 1: column name "system_seq_start" conflicts with a system column name
Nothing was committed.' "$rc $out"
out=$("$D" ingest --data "$TMP/trialdb" -t jdoc -f "$TMP/histname.jsonl" --batch 99999999999999999999 2>&1); rc=$?
has ingest_batch_out_of_range '1 driftdb: --batch takes a positive number of rows, not "99999999999999999999"' "$rc $out"
# select --format json prints json/jsonb values nested
out=$("$D" select --data "$TMP/trialdb" -t jd -w "id = 1" --format json 2>&1)
check select_json_nested '[{"id":1,"meta":{"a": 1},"raw":[1]}]' "$out"

if grep -qiE "AddressSanitizer|runtime error|LeakSanitizer" "$TMP"/*.log 2>/dev/null; then
    fail server_sanitizers "see server log"
fi
echo "$PASS passed, $FAILN failed"
[ "$FAILN" -eq 0 ]
