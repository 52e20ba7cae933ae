#!/bin/sh
# Disk full: a database on a 2 MiB tmpfs takes 100 KB rows until the file
# system is full.  Every failed commit must say 53100 (disk full), every
# acknowledged row must still be there, CHECKPOINT TABLE fails with 53100
# too and changes nothing, a sort spilling to a temporary file fails with
# 53100 too, a backup onto the full disk fails and leaves no file,
# DELETE HISTORY and ERASE commit or fail with 53100 and leave the
# database whole, compact --full fails and leaves it as it was, a server's
# /health/ready answers 503 while the disk is full, and `driftdb verify`
# must pass.
# Needs root (mount); without it the suite reports that it could not run
# and counts as failed.
BUILD=${BUILD:-build}
DD="$BUILD/driftdb"
mnt=$(mktemp -d /tmp/dd_diskfull_XXXXXX)
pass=0; fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
if ! mount -t tmpfs -o size=2M tmpfs "$mnt" 2>/dev/null; then
    bad "mount a 2 MiB tmpfs (needs root)"
    rmdir "$mnt"
    echo "$pass passed, $fail failed"
    exit 1
fi
trap 'umount "$mnt" 2>/dev/null; rmdir "$mnt" 2>/dev/null' EXIT
"$DD" init "$mnt/db" >/dev/null && "$DD" sql --data "$mnt/db" -e "CREATE TABLE t (id INT PRIMARY KEY, pad TEXT)" \
    -e "CREATE TABLE c (k TEXT PRIMARY KEY)" \
    -e "INSERT INTO c SELECT md5(g::text) || md5((g + 1)::text) || md5((g + 2)::text) || md5((g + 3)::text) || md5((g + 4)::text) || md5((g + 5)::text) || md5((g + 6)::text) || md5((g + 7)::text) || md5((g + 8)::text) || md5((g + 9)::text) || md5((g + 10)::text) || md5((g + 11)::text) FROM generate_series(1, 200) g" \
    >/dev/null || bad "init"
acked=0; state=""
for i in $(seq 1 60); do
    if out=$("$DD" sql --data "$mnt/db" -e "INSERT INTO t SELECT $i, repeat('x', 100000)" 2>&1); then
        acked=$((acked + 1))
    else
        state=$(echo "$out" | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' | head -1)
        break
    fi
done
[ -n "$state" ] && ok "the disk filled up after $acked rows" || bad "the disk never filled up"
[ "$state" = "53100" ] && ok "a commit on a full disk fails with 53100" || bad "a commit on a full disk fails with 53100 (got '$state': $out)"
n=$("$DD" sql --data "$mnt/db" --format csv -e "SELECT count(*) FROM t" 2>&1 | tail -1)
[ "$n" = "$acked" ] && ok "all $acked acknowledged rows are there" || bad "acknowledged rows: expected $acked, found '$n'"
# CHECKPOINT TABLE on the full disk (small rows and then a file take what
# is left; its keys: about 40 KB compressed) fails with 53100, or fits in
# the pages the file has free, and leaves the database as it was either way
for j in $(seq 1 300); do
    "$DD" sql --data "$mnt/db" -e "INSERT INTO t VALUES (1000 + $j, 'small')" >/dev/null 2>&1 || break
done
dd if=/dev/zero of="$mnt/filler" bs=4096 2>/dev/null
out=$("$DD" sql --data "$mnt/db" -e "CHECKPOINT TABLE c" 2>&1)
st=$(echo "$out" | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' | head -1)
case "$st$out" in
    53100*) ok "CHECKPOINT TABLE on a full disk fails with 53100";;
    *"1 row"*) ok "CHECKPOINT TABLE on a full disk fits in the file's free pages";;
    *) bad "CHECKPOINT TABLE on a full disk: '$out'";;
esac
n=$("$DD" sql --data "$mnt/db" --format csv -e "SELECT count(*) FROM c" 2>&1 | tail -1)
[ "$n" = "200" ] && ok "the table is whole after the checkpoint" || bad "rows of c after the checkpoint: '$n'"
# a sort past work_mem spills to a temporary file in the data directory:
# on the full disk that fails with 53100, and the database is as it was
out=$("$DD" sql --data "$mnt/db" -e "SET work_mem = '64kB'" -e "SELECT count(*) FROM (SELECT a.k FROM c a, c b ORDER BY a.k || b.k) s" 2>&1)
st=$(echo "$out" | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' | head -1)
[ "$st" = "53100" ] && ok "a sort spilling on a full disk fails with 53100" || bad "a sort spilling on a full disk: '$out'"
n=$("$DD" sql --data "$mnt/db" --format csv -e "SELECT count(*) FROM c" 2>&1 | tail -1)
[ "$n" = "200" ] && ok "the table is whole after the failed spill" || bad "rows of c after the failed spill: '$n'"
# a backup onto the full disk fails clearly and leaves no file behind
out=$("$DD" backup --data "$mnt/db" --to "$mnt/db.ddb" 2>&1); rc=$?
case "$rc $out" in
    "1 "*"No space left on device"*) ok "a backup onto a full disk fails (no space left)";;
    *) bad "a backup onto a full disk: '$rc $out'";;
esac
[ ! -e "$mnt/db.ddb" ] && [ ! -e "$mnt/db.ddb.tmp" ] && ok "the failed backup left no file" || bad "the failed backup left a file: $(ls "$mnt")"
n=$("$DD" sql --data "$mnt/db" --format csv -e "SELECT count(*) FROM c" 2>&1 | tail -1)
[ "$n" = "200" ] && ok "the table is whole after the failed backup" || bad "rows of c after the failed backup: '$n'"
# DELETE HISTORY and ERASE on the full disk: each commits (in the pages
# the file has free) or fails with 53100, and the database is whole
for stmt in "DELETE HISTORY FROM t" "ERASE FROM c WHERE k = (SELECT min(k) FROM c)"; do
    before=$("$DD" sql --data "$mnt/db" --format csv -e "SELECT count(*) FROM c" 2>&1 | tail -1)
    out=$("$DD" sql --data "$mnt/db" -e "$stmt" 2>&1)
    st=$(echo "$out" | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' | head -1)
    case "$st$out" in
        53100*|DELETE*|ERASE*) ok "$stmt on a full disk: ${st:-committed}";;
        *) bad "$stmt on a full disk: '$out'";;
    esac
    "$DD" verify --data "$mnt/db" >/dev/null 2>&1 && ok "verify passes after $stmt on a full disk" || bad "verify after $stmt on a full disk"
done
# compact --full on the full disk fails (its copy does not fit) and the
# database is as it was
before=$(stat -c %s "$mnt/db/driftdb.mdb")
out=$("$DD" compact --data "$mnt/db" --full 2>&1); rc=$?
case "$rc $out" in
    "1 "*"No space left on device"*) ok "compact --full on a full disk fails (no space left)";;
    *) bad "compact --full on a full disk: '$rc $out'";;
esac
n=$("$DD" sql --data "$mnt/db" --format csv -e "SELECT count(*) FROM t" 2>&1 | tail -1)
[ "$n" -ge 1 ] 2>/dev/null && [ "$(stat -c %s "$mnt/db/driftdb.mdb")" = "$before" ] && [ -z "$(ls "$mnt" | grep -v '^db$\|^filler$')" ] &&
    ok "the failed compact left the database and nothing else" || bad "after the failed compact: $n rows, $(ls "$mnt")"
rm -f "$mnt/filler"
# a server's /health/ready says 503 while the disk is full, 200 once it
# is not (the disk filled beside the running server, then made larger)
port=$((30000 + $$ % 10000)); hport=$((port + 1))
"$BUILD/driftdb-server" --data-path "$mnt/db" --listen "127.0.0.1:$port" --socket-dir '' --http-listen "127.0.0.1:$hport" \
    >/dev/null 2>&1 &
spid=$!
ready() { /usr/bin/python3 -c "
import urllib.request, urllib.error, sys
try:
    r = urllib.request.urlopen('http://127.0.0.1:$hport/health/ready', timeout=5); print(r.status, r.read().decode().strip())
except urllib.error.HTTPError as e: print(e.code, e.read().decode().strip())
except Exception as e: print('down', e)" 2>&1; }
for _ in $(seq 1 50); do case "$(ready)" in down*) sleep 0.1;; *) break;; esac; done
dd if=/dev/zero of="$mnt/filler" bs=4096 2>/dev/null
out=$(ready)
case "$out" in "503 not ready: the disk holding the database is full"*) ok "/health/ready 503 on a full disk";; *) bad "/health/ready on a full disk: '$out'";; esac
rm -f "$mnt/filler"
mount -o remount,size=8M "$mnt" 2>/dev/null   # room again (the 2 MiB hold little more than the database)
out=$(ready)
[ "$out" = "200 ready" ] && ok "/health/ready 200 once there is room again" || bad "/health/ready with room again: '$out'"
kill -INT "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
"$DD" verify --data "$mnt/db" >/dev/null 2>&1 && ok "verify passes after the disk filled up" || bad "verify after disk full"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
