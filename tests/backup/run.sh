#!/bin/bash
# tests/backup/run.sh - driftdb backup and restore: a database with history
# restored whole (AS OF answers at every seq and drift_commits equal) and
# to every seq (--until-seq: the present equals the original AS OF it) and
# to commit times (--until-time), a
# backup taken beside a running server while a client writes (the restore
# verifies and holds a prefix of the commits), and bad input: a truncated
# or damaged backup file, a file that is no backup, a non-empty target
# without --force, an existing backup file; each fails clearly and writes
# nothing (a --force restore that fails keeps the database it would have
# replaced; one into a new directory leaves no directory); BACKUP TO 'file'
# from SQL (superusers only); the progress bar on a terminal; incremental
# backups (--since) beside the server, restored through their chain to the
# same answers at every seq, and chains that are damaged, broken or that
# --since refuses.  Prints "ok
# NAME" / "FAIL NAME" and "N passed, N failed".
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
D="$BUILD/driftdb"
SERVER="$BUILD/driftdb-server"
export PGCONNECT_TIMEOUT=10 PGSSLMODE=disable TZ=UTC
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGOPTIONS PGSERVICE
TMP=$(mktemp -d "${TMPDIR:-/tmp}/driftdb-backup.XXXXXX")
SPID=""
WPID=""
cleanup() {
    [ -n "$WPID" ] && kill "$WPID" 2>/dev/null
    [ -n "$SPID" ] && kill -INT "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null   # fast shutdown
    rm -rf "$TMP"
}
trap cleanup EXIT
PASS=0
FAILN=0
ok() { echo "ok $1"; PASS=$((PASS + 1)); }
fail() { echo "FAIL $1${2:+ ($2)}"; FAILN=$((FAILN + 1)); }
check() { if [ "$2" == "$3" ]; then ok "$1"; else fail "$1"; echo "#  expected: $2"; echo "#  actual:   $3"; fi; }
has() { case "$3" in *"$2"*) ok "$1";; *) fail "$1"; echo "#  wanted: $2"; echo "#  in:     $3";; esac; }

# a database with history: 11 commits (the first UPDATE changes nothing)
DB=$TMP/db
"$D" init "$DB" --superuser postgres >/dev/null
"$D" sql --data "$DB" -e "CREATE TABLE t (id INT PRIMARY KEY, name TEXT, n INT)" -e "CREATE INDEX t_name ON t (name)" >/dev/null
for i in 1 2 3 4 5; do
    "$D" sql --data "$DB" -e "INSERT INTO t VALUES ($i, 'v$i', $i)" -e "UPDATE t SET n = n + 10 WHERE id < $i" >/dev/null
    # checkpoints at seq 5 and 11: a restore to an earlier seq drops them
    # (else it would not verify)
    [ $i = 2 ] || [ $i = 5 ] && "$D" sql --data "$DB" -e "CHECKPOINT TABLE t" >/dev/null
done
answers() {
    for s in 1 2 3 4 5 6 7 8 9 10 11; do
        "$D" sql --data "$1" --format csv -e "SELECT * FROM t FOR SYSTEM_TIME AS OF @SEQ:$s ORDER BY id" 2>&1
    done
    "$D" sql --data "$1" --format csv -e "SELECT seq, hash FROM drift_commits ORDER BY seq" -e "SELECT id FROM t WHERE name = 'v3'" 2>&1
}
out=$("$D" backup --data "$DB" --to "$TMP/b1.ddb" 2>&1); rc=$?
has backup_message "backed up" "$rc $out"
out=$("$D" restore --from "$TMP/b1.ddb" --data "$TMP/r1" 2>&1); rc=$?
has restore_message "0 restored $TMP/b1.ddb into $TMP/r1 at seq 11" "$rc $out"
check restore_same_answers "$(answers "$DB")" "$(answers "$TMP/r1")"
out=$("$D" verify --data "$TMP/r1" 2>&1)
check restore_verifies "verified 11 commits: OK" "$out"
# the restored database takes writes
out=$("$D" sql --data "$TMP/r1" -e "INSERT INTO t VALUES (9, 'new', 0)" 2>&1 && "$D" verify --data "$TMP/r1" 2>&1)
has restore_writable "verified 12 commits: OK" "$out"

# to a point in time: at every seq the restored present is the original
# AS OF that seq, and it verifies
pit_ok=1
for s in 2 3 4 5 6 7 8 9 10 11; do
    rm -rf "$TMP/p$s"
    out=$("$D" restore --from "$TMP/b1.ddb" --data "$TMP/p$s" --until-seq $s 2>&1) || { pit_ok=0; echo "#  $s: $out"; }
    a=$("$D" sql --data "$DB" --format csv -e "SELECT * FROM t FOR SYSTEM_TIME AS OF @SEQ:$s ORDER BY id" -e "SELECT id FROM t FOR SYSTEM_TIME AS OF @SEQ:$s WHERE name = 'v2'" 2>&1)
    b=$("$D" sql --data "$TMP/p$s" --format csv -e "SELECT * FROM t ORDER BY id" -e "SELECT id FROM t WHERE name = 'v2'" 2>&1)
    [ "$a" == "$b" ] || { pit_ok=0; echo "#  $s: answers differ"; }
    v=$("$D" verify --data "$TMP/p$s" 2>&1)
    [ "$v" == "verified $s commits: OK" ] || { pit_ok=0; echo "#  $s: $v"; }
done
[ $pit_ok = 1 ] && ok restore_until_every_seq || fail restore_until_every_seq
out=$("$D" restore --from "$TMP/b1.ddb" --data "$TMP/p99" --until-seq 99 2>&1); rc=$?
has until_beyond_head "1 driftdb: error: seq 99 is not in the backup (it holds 1 to 11)" "$rc $out"
check until_beyond_writes_nothing "absent" "$([ -e "$TMP/p99" ] && ls -A "$TMP/p99" || echo absent)"

# to a time (--until-time): at each commit's own time the restore keeps
# that commit and none after it; a time between two commits keeps the
# earlier; before the first commit, or not a time, writes nothing
tt_ok=1
for s in 3 7 11; do
    ts=$("$D" sql --data "$DB" --format csv -e "SELECT commit_time FROM drift_commits WHERE seq = $s" 2>&1 | tail -n 1)
    rm -rf "$TMP/tt$s"
    out=$("$D" restore --from "$TMP/b1.ddb" --data "$TMP/tt$s" --until-time "$ts" 2>&1)
    case "$out" in *"into $TMP/tt$s at seq $s "*) ;; *) tt_ok=0; echo "#  $s ($ts): $out";; esac
    a=$("$D" sql --data "$DB" --format csv -e "SELECT * FROM t FOR SYSTEM_TIME AS OF @SEQ:$s ORDER BY id" 2>&1)
    b=$("$D" sql --data "$TMP/tt$s" --format csv -e "SELECT * FROM t ORDER BY id" 2>&1)
    [ "$a" == "$b" ] || { tt_ok=0; echo "#  $s: answers differ"; }
done
[ $tt_ok = 1 ] && ok restore_until_time || fail restore_until_time
ts=$("$D" sql --data "$DB" --format csv -e "SELECT commit_time - interval '1 microsecond' FROM drift_commits WHERE seq = 6" 2>&1 | tail -n 1)
out=$("$D" restore --from "$TMP/b1.ddb" --data "$TMP/tt5" --until-time "$ts" 2>&1); rc=$?
has until_time_between "0 restored $TMP/b1.ddb into $TMP/tt5 at seq 5 " "$rc $out"
out=$("$D" restore --from "$TMP/b1.ddb" --data "$TMP/tt0" --until-time "2001-01-01 00:00:00+00" 2>&1); rc=$?
has until_time_before_first "1 driftdb: error: the backup holds no commit made at or before 2001-01-01 00:00:00+00" "$rc $out"
check until_time_before_first_writes_nothing "absent" "$([ -e "$TMP/tt0" ] && ls -A "$TMP/tt0" || echo absent)"
out=$("$D" restore --from "$TMP/b1.ddb" --data "$TMP/ttx" --until-time "yesterday-ish" 2>&1); rc=$?
has until_time_not_a_time "1 driftdb: error: invalid --until-time \"yesterday-ish\": invalid input syntax for type timestamp with time zone" "$rc $out"
for bad in 0 -3 x3 3x; do
    out=$("$D" restore --from "$TMP/b1.ddb" --data "$TMP/ttz" --until-seq "$bad" 2>&1); rc=$?
    has "until_seq_invalid_$bad" "1 driftdb: --until-seq needs a commit seq (1, 2, ...)" "$rc $out"
done
check until_seq_invalid_writes_nothing "absent" "$([ -e "$TMP/ttz" ] && ls -A "$TMP/ttz" || echo absent)"
out=$("$D" restore --from "$TMP/b1.ddb" --data "$TMP/tty" --until-time "$ts" --until-seq 3 2>&1); rc=$?
has until_time_and_seq "restore takes --until-seq or --until-time, not both" "$rc $out"

# a cut back to before DELETE HISTORY is refused: the versions it removed
# are not in the backup (docs/integrity.md)
"$D" restore --from "$TMP/b1.ddb" --data "$TMP/h1" >/dev/null 2>&1
"$D" sql --data "$TMP/h1" -e "DELETE HISTORY FROM t BEFORE SYSTEM_TIME @SEQ:9" >/dev/null 2>&1
"$D" backup --data "$TMP/h1" --to "$TMP/hist.ddb" >/dev/null 2>&1
out=$("$D" restore --from "$TMP/hist.ddb" --data "$TMP/h2" --until-seq 10 2>&1); rc=$?
has until_before_delete_history "1 driftdb: error: cannot go back to seq 10: DELETE HISTORY at seq 12 removed history of table \"t\" that the database held at seq 10" "$rc $out"
check until_before_delete_history_writes_nothing "absent" "$([ -e "$TMP/h2" ] && ls -A "$TMP/h2" || echo absent)"
out=$("$D" restore --from "$TMP/hist.ddb" --data "$TMP/h3" 2>&1); rc=$?
has restore_after_delete_history "0 restored $TMP/hist.ddb into $TMP/h3 at seq 12" "$rc $out"
# an ERASE of a table made after the point takes nothing the point had
"$D" sql --data "$TMP/h3" -e "CREATE TABLE p (id int PRIMARY KEY)" -e "INSERT INTO p VALUES (1), (2)" \
    -e "ERASE FROM p WHERE id = 1" >/dev/null 2>&1
"$D" backup --data "$TMP/h3" --to "$TMP/hist2.ddb" >/dev/null 2>&1
out=$("$D" restore --from "$TMP/hist2.ddb" --data "$TMP/h5" --until-seq 12 2>&1); rc=$?
has until_before_erase_of_newer_table "0 restored $TMP/hist2.ddb into $TMP/h5 at seq 12" "$rc $out"
out=$("$D" restore --from "$TMP/hist2.ddb" --data "$TMP/h6" --until-seq 14 2>&1); rc=$?
has until_before_erase_of_its_table "1 driftdb: error: cannot go back to seq 14: ERASE at seq 15 removed history of table \"p\" that the database held at seq 14" "$rc $out"

# bad input: nothing written
out=$("$D" backup --data "$DB" --to "$TMP/b1.ddb" 2>&1); rc=$?
has backup_exists "1 driftdb: error: backup file \"$TMP/b1.ddb\" already exists" "$rc $out"
size=$(stat -c %s "$TMP/b1.ddb")
head -c $((size / 2)) "$TMP/b1.ddb" > "$TMP/trunc.ddb"
out=$("$D" restore --from "$TMP/trunc.ddb" --data "$TMP/r2" 2>&1); rc=$?
has truncated_fails "1 driftdb: error: backup" "$rc $out"
check truncated_writes_nothing "absent" "$([ -e "$TMP/r2" ] && ls -A "$TMP/r2" || echo absent)"
cp "$TMP/b1.ddb" "$TMP/flip.ddb"
# the byte in the middle, inverted (a fixed value could be the one already there)
byte=$(od -An -tu1 -j $((size / 2)) -N1 "$TMP/flip.ddb" | tr -d ' ')
printf "\\$(printf '%03o' $((byte ^ 255)))" | dd of="$TMP/flip.ddb" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
out=$("$D" restore --from "$TMP/flip.ddb" --data "$TMP/r3" 2>&1); rc=$?
has damaged_fails "is damaged" "$rc $out"
check damaged_writes_nothing "absent" "$([ -e "$TMP/r3" ] && ls -A "$TMP/r3" || echo absent)"
# a damaged data file is refused, not copied (the page check, as verify's)
mkdir -p "$TMP/dmg" && cp "$DB/driftdb.mdb" "$TMP/dmg/"
dsz=$(stat -c %s "$TMP/dmg/driftdb.mdb")
truncate -s $((dsz - 8192)) "$TMP/dmg/driftdb.mdb"
out=$("$D" backup --data "$TMP/dmg" --to "$TMP/dmg.ddb" 2>&1); rc=$?
has backup_of_damaged_file "is damaged (LMDB's page structure)" "$rc $out"
check backup_of_damaged_writes_nothing "absent absent" "$([ -e "$TMP/dmg.ddb" ] && echo present || echo absent) $([ -e "$TMP/dmg.ddb.tmp" ] && echo present || echo absent)"
# a database already damaged where the page check cannot see it (one byte
# of a row version): its backup restores only with --no-verify, which says
# so, and VERIFY of the result names the damage
"$D" init "$TMP/rot" >/dev/null
"$D" sql --data "$TMP/rot" -e "CREATE TABLE z (id int PRIMARY KEY, s text)" -e "INSERT INTO z VALUES (1, 'ROTROTROT'), (2, 'fine')" >/dev/null
off=$(grep -boa ROTROTROT "$TMP/rot/driftdb.mdb" | head -n 1 | cut -d: -f1)
printf 'Q' | dd of="$TMP/rot/driftdb.mdb" bs=1 seek="$off" conv=notrunc 2>/dev/null
"$D" backup --data "$TMP/rot" --to "$TMP/rot.ddb" >/dev/null 2>&1
out=$("$D" restore --from "$TMP/rot.ddb" --data "$TMP/r_rot" 2>&1); rc=$?
has restore_of_damaged_fails "the restored database does not verify: version of table \"z\" key (1) at seq 2 does not match its hash in the log
HINT:  A backup of a database already damaged restores with --no-verify" "$rc $out"
check restore_of_damaged_writes_nothing "absent" "$([ -e "$TMP/r_rot" ] && ls -A "$TMP/r_rot" || echo absent)"
out=$("$D" restore --from "$TMP/rot.ddb" --data "$TMP/r_rot" --no-verify 2>&1); rc=$?
has restore_no_verify "0 restored $TMP/rot.ddb into $TMP/r_rot at seq 2 (" "$rc $out"
has restore_no_verify_says_so "NOT verified (--no-verify)" "$out"
out=$("$D" verify --data "$TMP/r_rot" 2>&1); rc=$?
has restore_no_verify_damage_named "2 verification FAILED at seq 2: version of table \"z\" key (1)" "$rc $out"
# a damaged header (the image's page count) is found by its checksum
cp "$TMP/b1.ddb" "$TMP/hdr.ddb"
byte=$(od -An -tu1 -j 40 -N1 "$TMP/hdr.ddb" | tr -d ' ')
printf "\\$(printf '%03o' $((byte ^ 1)))" | dd of="$TMP/hdr.ddb" bs=1 seek=40 conv=notrunc 2>/dev/null
out=$("$D" restore --from "$TMP/hdr.ddb" --data "$TMP/r_hdr" 2>&1); rc=$?
has damaged_header_fails "1 driftdb: error: backup \"$TMP/hdr.ddb\" is damaged: its header or trailer is not valid" "$rc $out"
# a restore that was killed leaves driftdb.mdb.restoring: the directory
# counts as empty (no database in it) and the next restore goes on
mkdir -p "$TMP/r_killed" && head -c 4096 /dev/zero > "$TMP/r_killed/driftdb.mdb.restoring"
out=$("$D" restore --from "$TMP/b1.ddb" --data "$TMP/r_killed" 2>&1); rc=$?
has restore_after_killed_restore "0 restored $TMP/b1.ddb into $TMP/r_killed at seq 11" "$rc $out"
echo "hello" > "$TMP/not.ddb"
out=$("$D" restore --from "$TMP/not.ddb" --data "$TMP/r4" 2>&1); rc=$?
has not_a_backup "is not a DriftDB backup" "$rc $out"
out=$("$D" restore --from "$TMP/b1.ddb" --data "$TMP/r1" 2>&1); rc=$?
has nonempty_refused "1 driftdb: error: directory \"$TMP/r1\" is not empty" "$rc $out"
# what a recovery of the old database saved to undo must not reach the new
# file (the next open would write it back over the restored one)
head -c 8192 /dev/urandom > "$TMP/r1/driftdb.wal.undo"
out=$("$D" restore --from "$TMP/b1.ddb" --data "$TMP/r1" --force 2>&1); rc=$?
has force_replaces "0 restored" "$rc $out"
check force_removes_old_undo "absent" "$([ -e "$TMP/r1/driftdb.wal.undo" ] && echo present || echo absent)"
out=$("$D" verify --data "$TMP/r1" 2>&1)
check force_back_to_backup "verified 11 commits: OK" "$out"
# a --force restore that fails leaves the database there as it was
"$D" sql --data "$TMP/r1" -e "INSERT INTO t VALUES (77, 'kept', 77)" >/dev/null 2>&1
out=$("$D" restore --from "$TMP/flip.ddb" --data "$TMP/r1" --force 2>&1); rc=$?
has force_damaged_fails "is damaged" "$rc $out"
out=$("$D" restore --from "$TMP/b1.ddb" --data "$TMP/r1" --force --until-seq 99 2>&1); rc=$?
has force_until_beyond_fails "seq 99 is not in the backup" "$rc $out"
out=$("$D" sql --data "$TMP/r1" --format csv -e "SELECT name FROM t WHERE id = 77" 2>&1)$("$D" verify --data "$TMP/r1" 2>&1)
check force_failed_keeps_database "name
keptverified 12 commits: OK" "$out"
check force_failed_no_work_dir "absent" "$([ -e "$TMP/r1/.restoring" ] && echo present || echo absent)"
# --force replaces a database, never a directory of other files
mkdir -p "$TMP/notes" && echo keep > "$TMP/notes/notes.txt"
out=$("$D" restore --from "$TMP/b1.ddb" --data "$TMP/notes" --force 2>&1); rc=$?
has force_not_a_database "1 driftdb: error: directory \"$TMP/notes\" is not empty and is not a DriftDB data directory (it has no driftdb.mdb)" "$rc $out"
check force_not_a_database_untouched "notes.txt" "$(ls -A "$TMP/notes")"

# beside a running server, while a client commits
# (a random port may be taken: another one then, up to five tries)
for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 20000))
    "$SERVER" --data-path "$DB" --listen "127.0.0.1:$port" >"$TMP/server.log" 2>&1 &
    SPID=$!
    for _ in $(seq 1 100); do
        psql -h 127.0.0.1 -p "$port" -U postgres -d driftdb -Atqc "SELECT 1" >/dev/null 2>&1 && break 2
        kill -0 "$SPID" 2>/dev/null || break
        sleep 0.1
    done
    kill -INT "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
    echo "    (the server did not start on port $port: $(tail -n 1 "$TMP/server.log"))"
    SPID=""
done
(for i in $(seq 100 250); do psql -h 127.0.0.1 -p "$port" -U postgres -d driftdb -qc "INSERT INTO t VALUES ($i, 'w$i', $i)" >/dev/null 2>&1; done) &
WPID=$!
sleep 0.5
out=$("$D" backup --data "$DB" --to "$TMP/b2.ddb" 2>&1); rc=$?
has backup_beside_server "0 backed up" "$rc $out"
wait "$WPID"
WPID=""
out=$("$D" restore --from "$TMP/b2.ddb" --data "$TMP/r5" 2>&1); rc=$?
has restore_of_live_backup "0 restored" "$rc $out"
seq=$("$D" sql --data "$TMP/r5" --format csv -e "SELECT drift_seq()" | tail -n 1)
rows=$("$D" sql --data "$TMP/r5" --format csv -e "SELECT count(*) FROM t" | tail -n 1)
# commits 12.. each added one row to the 5 of the first 11
check live_backup_is_a_prefix "$((seq - 11 + 5))" "$rows"
live=$(psql -h 127.0.0.1 -p "$port" -U postgres -d driftdb -Atqc "SELECT drift_seq()")
[ "$seq" -gt 11 ] && [ "$seq" -le "$live" ] && ok live_backup_seq_in_range || fail live_backup_seq_in_range "$seq of $live"
# same_asof DIR N: empty when the restored DIR answers as the server does
# AS OF every seq from 1 to N (a digest of t at each), else their diff
same_asof() {
    : >"$TMP/asof.sql"
    for s in $(seq 1 "$2"); do
        echo "SELECT $s, count(*), coalesce(md5(string_agg(id || ':' || coalesce(name, '') || ':' || coalesce(n::text, ''), ',' ORDER BY id)), '-') FROM t FOR SYSTEM_TIME AS OF @SEQ:$s;" >>"$TMP/asof.sql"
    done
    local a b
    a=$(psql -X -h 127.0.0.1 -p "$port" -U postgres -d driftdb -Atq -F, -f "$TMP/asof.sql" 2>&1)
    b=$("$D" sql --data "$1" --format csv -f "$TMP/asof.sql" 2>&1 | grep -v '^?column?,count,coalesce$')
    [ -n "$a" ] && [ "$a" == "$b" ] || { echo "differ:"; diff <(echo "$a") <(echo "$b") | head -5; }
}
# the live backup answers as the server does AS OF every seq it holds
d=$(same_asof "$TMP/r5" "$seq")
[ -z "$d" ] && ok live_backup_same_answers_at_every_seq || fail live_backup_same_answers_at_every_seq "$d"

# incremental backups beside the server while a client commits: a full
# one, then two more each on the one before; each restores (its chain read
# back to the full one) to the server's answers AS OF every seq it holds,
# and to any seq before it
mkdir -p "$TMP/chain" "$TMP/other"
"$D" backup --data "$DB" --to "$TMP/chain/full.ddb" >/dev/null 2>&1
(for i in $(seq 300 400); do psql -h 127.0.0.1 -p "$port" -U postgres -d driftdb -qc "INSERT INTO t VALUES ($i, 'i$i', $i)" -c "UPDATE t SET n = n + 1 WHERE id = $((i - 200))" >/dev/null 2>&1; done) &
WPID=$!
sleep 0.3
out=$("$D" backup --data "$DB" --to "$TMP/chain/inc1.ddb" --since "$TMP/chain/full.ddb" 2>&1); rc=$?
has incremental_backup "changed since $TMP/chain/full.ddb, into $TMP/chain/inc1.ddb" "$rc $out"
sleep 0.3
out=$("$D" backup --data "$DB" --to "$TMP/chain/inc2.ddb" --since "$TMP/chain/inc1.ddb" 2>&1); rc=$?
has incremental_on_incremental "0 backed up seq" "$rc $out"
wait "$WPID"
WPID=""
full_size=$(stat -c %s "$TMP/chain/full.ddb")
inc_size=$(stat -c %s "$TMP/chain/inc1.ddb")
[ "$inc_size" -lt "$full_size" ] && ok incremental_smaller || fail incremental_smaller "$inc_size >= $full_size"
inc_ok=1
for f in inc1 inc2; do
    out=$("$D" restore --from "$TMP/chain/$f.ddb" --data "$TMP/r_$f" 2>&1) || { inc_ok=0; echo "#  $f: $out"; continue; }
    case "$out" in *"restored $TMP/chain/$f.ddb (incremental"*) ;; *) inc_ok=0; echo "#  $f: $out";; esac
    s_f=$("$D" sql --data "$TMP/r_$f" --format csv -e "SELECT drift_seq()" | tail -n 1)
    d=$(same_asof "$TMP/r_$f" "$s_f")
    [ -z "$d" ] || { inc_ok=0; echo "#  $f: $d"; }
    eval "seq_$f=$s_f"
done
[ $inc_ok = 1 ] && ok incremental_restores_same_answers_at_every_seq || fail incremental_restores_same_answers_at_every_seq
[ "${seq_inc2:-0}" -gt "${seq_inc1:-0}" ] && ok incremental_later_seq || fail incremental_later_seq "${seq_inc1:-?} ${seq_inc2:-?}"
mid=$(( (${seq_inc1:-2} + ${seq_inc2:-2}) / 2 ))
out=$("$D" restore --from "$TMP/chain/inc2.ddb" --data "$TMP/r_mid" --until-seq "$mid" 2>&1); rc=$?
has incremental_until_seq "0 restored $TMP/chain/inc2.ddb" "$rc $out"
check incremental_until_seq_answers \
    "$(psql -X -h 127.0.0.1 -p "$port" -U postgres -d driftdb -Atqc "SELECT * FROM t FOR SYSTEM_TIME AS OF @SEQ:$mid ORDER BY id")" \
    "$("$D" sql --data "$TMP/r_mid" --format csv -e "SELECT * FROM t ORDER BY id" | tail -n +2 | tr , '|')"
# bad chains write nothing: a damaged link, a missing base, a base replaced
# by another backup of the same name
cp "$TMP/chain/inc1.ddb" "$TMP/chain/inc1.keep"
isz=$(stat -c %s "$TMP/chain/inc1.ddb")
byte=$(od -An -tu1 -j 200 -N1 "$TMP/chain/inc1.ddb" | tr -d ' ')
printf "\\$(printf '%03o' $((byte ^ 255)))" | dd of="$TMP/chain/inc1.ddb" bs=1 seek=200 conv=notrunc 2>/dev/null
out=$("$D" restore --from "$TMP/chain/inc2.ddb" --data "$TMP/r_bad1" 2>&1); rc=$?
has incremental_damaged_link "1 driftdb: error: backup \"$TMP/chain/inc1.ddb\" is damaged" "$rc $out"
check incremental_damaged_writes_nothing "absent" "$([ -e "$TMP/r_bad1" ] && ls -A "$TMP/r_bad1" || echo absent)"
# damage in a link's page table (its last frame) is found too, though the
# newer link replaces the pages it names
cp "$TMP/chain/inc1.keep" "$TMP/chain/inc1.ddb"
toff=$((isz - 50))
byte=$(od -An -tu1 -j $toff -N1 "$TMP/chain/inc1.ddb" | tr -d ' ')
printf "\\$(printf '%03o' $((byte ^ 255)))" | dd of="$TMP/chain/inc1.ddb" bs=1 seek=$toff conv=notrunc 2>/dev/null
out=$("$D" restore --from "$TMP/chain/inc2.ddb" --data "$TMP/r_bad4" 2>&1); rc=$?
has incremental_damaged_link_table "1 driftdb: error: backup \"$TMP/chain/inc1.ddb\" is damaged" "$rc $out"
check incremental_damaged_table_writes_nothing "absent" "$([ -e "$TMP/r_bad4" ] && ls -A "$TMP/r_bad4" || echo absent)"
mv "$TMP/chain/inc1.keep" "$TMP/chain/inc1.ddb"
mv "$TMP/chain/full.ddb" "$TMP/chain/full.keep"
out=$("$D" restore --from "$TMP/chain/inc2.ddb" --data "$TMP/r_bad2" 2>&1); rc=$?
has incremental_missing_base "1 driftdb: error: could not open \"$TMP/chain/full.ddb\", the base of incremental backup \"$TMP/chain/inc1.ddb\"" "$rc $out"
check incremental_missing_writes_nothing "absent" "$([ -e "$TMP/r_bad2" ] && ls -A "$TMP/r_bad2" || echo absent)"
"$D" backup --data "$DB" --to "$TMP/chain/full.ddb" >/dev/null 2>&1
out=$("$D" restore --from "$TMP/chain/inc2.ddb" --data "$TMP/r_bad3" 2>&1); rc=$?
has incremental_replaced_base "1 driftdb: error: \"$TMP/chain/full.ddb\" is not the backup that incremental backup \"$TMP/chain/inc1.ddb\" was taken on" "$rc $out"
check incremental_replaced_writes_nothing "absent" "$([ -e "$TMP/r_bad3" ] && ls -A "$TMP/r_bad3" || echo absent)"
mv "$TMP/chain/full.keep" "$TMP/chain/full.ddb"
# --since refuses: a base in another directory, another database's backup,
# a compacted backup (format 1), a file that is no backup
out=$("$D" backup --data "$DB" --to "$TMP/other/inc.ddb" --since "$TMP/chain/full.ddb" 2>&1); rc=$?
has incremental_other_directory "1 driftdb: error: an incremental backup goes in the directory of its base backup" "$rc $out"
"$D" init "$TMP/otherdb" >/dev/null
"$D" backup --data "$TMP/otherdb" --to "$TMP/chain/otherdb.ddb" >/dev/null 2>&1
out=$("$D" backup --data "$DB" --to "$TMP/chain/x.ddb" --since "$TMP/chain/otherdb.ddb" 2>&1); rc=$?
has incremental_other_database "1 driftdb: error: base backup \"$TMP/chain/otherdb.ddb\" is of another database" "$rc $out"
printf 'DDBACKUP\000\000\000\001' > "$TMP/chain/old.ddb"
head -c 100 /dev/zero >> "$TMP/chain/old.ddb"
out=$("$D" backup --data "$DB" --to "$TMP/chain/y.ddb" --since "$TMP/chain/old.ddb" 2>&1); rc=$?
has incremental_on_compacted "1 driftdb: error: base backup \"$TMP/chain/old.ddb\" is compacted (format 1)" "$rc $out"
out=$("$D" backup --data "$DB" --to "$TMP/chain/z.ddb" --since "$TMP/not.ddb" 2>&1); rc=$?
has incremental_on_not_a_backup "1 driftdb: error: \"$TMP/not.ddb\" is not a DriftDB backup" "$rc $out"
check incremental_refusals_wrote_nothing "absent absent absent absent" \
    "$(for f in other/inc chain/x chain/y chain/z; do [ -e "$TMP/$f.ddb" ] && echo -n "present " || echo -n "absent "; done | sed 's/ $//')"

# BACKUP TO 'file' through the server: a superuser's is a backup like the
# command's (it restores to the same answers); anyone else's is 42501;
# a relative path or an existing file is refused and writes nothing
out=$(psql -X -h 127.0.0.1 -p "$port" -U postgres -d driftdb -Atqc "BACKUP TO '$TMP/b3.ddb'" 2>&1); rc=$?
case "$rc $out" in "0 "[0-9]*"|"[0-9]*) ok sql_backup;; *) fail sql_backup "$rc $out";; esac
out=$("$D" restore --from "$TMP/b3.ddb" --data "$TMP/r6" 2>&1); rc=$?
has sql_backup_restores "0 restored" "$rc $out"
seq6=$("$D" sql --data "$TMP/r6" --format csv -e "SELECT drift_seq()" | tail -n 1)
check sql_backup_same_answers "$(psql -X -h 127.0.0.1 -p "$port" -U postgres -d driftdb -Atqc "SELECT * FROM t FOR SYSTEM_TIME AS OF @SEQ:$seq6 ORDER BY id")" \
    "$("$D" sql --data "$TMP/r6" --format csv -e "SELECT * FROM t ORDER BY id" | tail -n +2 | tr , '|')"
psql -X -h 127.0.0.1 -p "$port" -U postgres -d driftdb -qc "CREATE ROLE plain LOGIN" >/dev/null 2>&1
out=$(psql -X -h 127.0.0.1 -p "$port" -U plain -d driftdb -Atqc "BACKUP TO '$TMP/b4.ddb'" 2>&1)
has sql_backup_needs_superuser "ERROR:  permission denied to back up the database" "$out"
out=$(psql -X -h 127.0.0.1 -p "$port" -U postgres -d driftdb -Atqc "BACKUP TO 'b5.ddb'" 2>&1)
has sql_backup_relative_path "BACKUP TO needs an absolute path" "$out"
out=$(psql -X -h 127.0.0.1 -p "$port" -U postgres -d driftdb -Atqc "BACKUP TO '$TMP/b3.ddb'" 2>&1)
has sql_backup_exists "already exists" "$out"
check sql_backup_wrote_nothing "absent absent" "$([ -e "$TMP/b4.ddb" ] && echo present || echo absent) $([ -e b5.ddb ] && echo present || echo absent)"
# BACKUP TO ... SINCE 'base': an incremental backup from SQL, on the chain
# above; it restores (through the chain) to the server's answers
out=$(psql -X -h 127.0.0.1 -p "$port" -U postgres -d driftdb -Atqc "BACKUP TO '$TMP/chain/sql_inc.ddb' SINCE '$TMP/chain/inc2.ddb'" 2>&1); rc=$?
case "$rc $out" in "0 "[0-9]*"|"[0-9]*) ok sql_backup_since;; *) fail sql_backup_since "$rc $out";; esac
out=$("$D" restore --from "$TMP/chain/sql_inc.ddb" --data "$TMP/r_sqlinc" 2>&1); rc=$?
has sql_backup_since_restores "0 restored $TMP/chain/sql_inc.ddb (incremental, on 3 backups before it)" "$rc $out"
s_q=$("$D" sql --data "$TMP/r_sqlinc" --format csv -e "SELECT drift_seq()" | tail -n 1)
d=$(same_asof "$TMP/r_sqlinc" "$s_q")
[ -z "$d" ] && ok sql_backup_since_same_answers || fail sql_backup_since_same_answers "$d"
out=$(psql -X -h 127.0.0.1 -p "$port" -U postgres -d driftdb -Atqc "BACKUP TO '$TMP/chain/sql_inc2.ddb' SINCE 'inc2.ddb'" 2>&1)
has sql_backup_since_relative "BACKUP ... SINCE needs an absolute path" "$out"
# through the extended protocol (psycopg 3: Parse, Describe, Bind, Execute):
# the backup is taken when the statement runs, once
out=$(/usr/bin/python3 -c "
import psycopg, sys
c = psycopg.connect(host='127.0.0.1', port=$port, user='postgres', dbname='driftdb', autocommit=True)
cur = c.execute(\"BACKUP TO '$TMP/b8.ddb'\")
print([d.name for d in cur.description], len(cur.fetchall()))" 2>&1)
check sql_backup_extended_protocol "['database_bytes', 'file_bytes'] 1" "$out"
out=$("$D" restore --from "$TMP/b8.ddb" --data "$TMP/r8" 2>&1); rc=$?
has sql_backup_extended_restores "0 restored" "$rc $out"

# a progress bar on a terminal (script(1) gives the command a pty), none
# without one
if command -v script >/dev/null 2>&1; then
    script -qec "$D backup --data $DB --to $TMP/b6.ddb" /dev/null > "$TMP/tty.out" 2>&1
    has backup_progress_bar "[##############################] 100%" "$(cat "$TMP/tty.out")"
    out=$("$D" backup --data "$DB" --to "$TMP/b7.ddb" 2>&1)
    case "$out" in *"###"*) fail backup_no_bar_without_tty;; *) ok backup_no_bar_without_tty;; esac
else
    fail backup_progress_bar "script(1) missing (util-linux)"
fi

echo "$PASS passed, $FAILN failed"
[ "$FAILN" -eq 0 ]
