#!/bin/sh
# Damage to the commit log after a crash (src/store/wal.c, later_record):
# a server killed with -9 leaves its last commits as records of
# driftdb.wal.  A byte changed in one of the middle records must make
# recovery fail with XX001 (the records after it were acknowledged), so
# that neither `driftdb verify` nor a server silently answers without
# them; the same byte changed in the last record is a torn write, whose
# commit recovery leaves out.  Prints "ok NAME" / "FAIL NAME" and closes
# with "N passed, N failed".
set -u
BUILD=${BUILD:-build}
D=$BUILD/driftdb
SERVER=$BUILD/driftdb-server
tmp=$(mktemp -d "${TMPDIR:-/tmp}/driftdb-waldmg.XXXXXX") || exit 1
SPID=""
trap '[ -n "$SPID" ] && kill -9 "$SPID" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0
check() {   # check NAME WANT GOT
    if [ "$2" = "$3" ]; then
        echo "ok $1"
        pass=$((pass + 1))
    else
        echo "FAIL $1: want [$2] got [$3]"
        fail=$((fail + 1))
    fi
}

# a database whose last six commits are records of driftdb.wal, each
# holding a row 'rowN' whose bytes are easy to find
"$D" init "$tmp/base" >/dev/null || exit 1
# a random port may be taken: another one then, up to five tries
up=0
for try in 1 2 3 4 5; do
    port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 20000))
    "$SERVER" --data-path "$tmp/base" --listen "127.0.0.1:$port" --socket-dir '' >"$tmp/server.log" 2>&1 &
    SPID=$!
    url="postgresql://$(id -un)@127.0.0.1:$port/db"
    for _ in $(seq 1 100); do
        kill -0 "$SPID" 2>/dev/null || break
        "$D" sql --url "$url" -e "SELECT 1" >/dev/null 2>&1 && { up=1; break; }
        sleep 0.1
    done
    [ "$up" = 1 ] && break
    kill -9 "$SPID" 2>/dev/null
    wait "$SPID" 2>/dev/null
    SPID=""
done
check server_up 1 $up
if [ "$up" != 1 ]; then
    echo "    server log:"
    sed 's/^/    /' "$tmp/server.log"
    echo "$pass passed, $((fail + 1)) failed"
    exit 1
fi
"$D" sql --url "$url" -e "CREATE TABLE w (id int PRIMARY KEY, v text)" -e "CREATE TABLE f (id int PRIMARY KEY, b bytea)" >/dev/null
# a client's bytes that look like a whole record of the log (as its format
# 1 would take it: no record key) with a later number, far into the file:
# they stay there, in an earlier round of the log, once the log starts
# over at the clean stop below; recovery must not take them for a record
forged=$(/usr/bin/python3 -c '
import struct
def crc32c(d, c=0):
    c ^= 0xffffffff
    for b in d:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ (0x82f63b78 if c & 1 else 0)
    return c ^ 0xffffffff
h = struct.pack(">IIQ", 0x44445752, 0, 1 << 40)
print((h + struct.pack(">II", crc32c(h), 0)).hex())')
"$D" sql --url "$url" -e "INSERT INTO f SELECT 1, decode(string_agg(md5(g::text), ''), 'hex') FROM generate_series(1, 20000) g" \
    -e "INSERT INTO f VALUES (2, '\\x$forged')" >/dev/null
kill -TERM "$SPID"
wait "$SPID" 2>/dev/null
"$SERVER" --data-path "$tmp/base" --listen "127.0.0.1:$port" --socket-dir '' >>"$tmp/server.log" 2>&1 &
SPID=$!
up=0
for _ in $(seq 1 100); do
    "$D" sql --url "$url" -e "SELECT 1" >/dev/null 2>&1 && { up=1; break; }
    sleep 0.1
done
check server_up_again 1 $up
# six commits in one session, then the kill at once: the server
# checkpoints once idle for 200 ms, and the records must be after it
"$D" sql --url "$url" -e "INSERT INTO w VALUES (1, 'row1')" -e "INSERT INTO w VALUES (2, 'row2')" \
    -e "INSERT INTO w VALUES (3, 'row3')" -e "INSERT INTO w VALUES (4, 'row4')" -e "INSERT INTO w VALUES (5, 'row5')" \
    -e "INSERT INTO w VALUES (6, 'row6')" -e "SELECT pg_sleep(30)" >/dev/null 2>&1 &
cpid=$!
for _ in $(seq 1 300); do
    [ "$(grep -c 'row6' "$tmp/base/driftdb.wal" 2>/dev/null)" != 0 ] && break
    sleep 0.01
done
kill -9 "$SPID"
kill "$cpid" 2>/dev/null
wait "$cpid" 2>/dev/null
wait "$SPID" 2>/dev/null
SPID=""
check forged_bytes_in_the_log yes "$(/usr/bin/python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
print("yes" if d.find(bytes.fromhex(sys.argv[2]), 8192) > 0 else "no")' "$tmp/base/driftdb.wal" "$forged")"

flip() {   # flip DIR NAME: changes the first byte of NAME in DIR's log
    at=$(grep -boa "$2" "$1/driftdb.wal" | head -1 | cut -d: -f1)
    [ -n "$at" ] || return 1
    printf 'X' | dd of="$1/driftdb.wal" bs=1 seek="$at" conv=notrunc 2>/dev/null
}

# untouched: every acknowledged commit is there (and the client's bytes
# were taken for nothing)
cp -r "$tmp/base" "$tmp/whole"
check whole_recovers "10|6" "$("$D" sql -d "$tmp/whole" --format csv -e "SELECT drift_seq(), count(*) FROM w" 2>&1 | tail -1 | tr , '|')"
out=$("$D" verify --data "$tmp/whole" 2>&1); rc=$?
check whole_verifies "0 verified 10 commits: OK" "$rc $out"

# a middle record's flags damaged (one bit: "void"), its CRC whole:
# recovery refuses instead of skipping the commit
cp -r "$tmp/base" "$tmp/flags"
/usr/bin/python3 - "$tmp/flags/driftdb.wal" <<'PY'
import struct, sys
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
off = 8192
while off + 24 <= len(d):
    magic, n = struct.unpack(">II", d[off:off + 8])
    if magic != 0x44445752:
        break
    if b"row3" in d[off + 24:off + 24 + n]:
        d[off + 23] ^= 1
        break
    off += 24 + n
open(p, "wb").write(d)
PY
out=$("$D" sql -d "$tmp/flags" -e "SELECT count(*) FROM w" 2>&1); rc=$?
case "$rc $out" in
"1 "*"is damaged (its flags)"*) check flags_damage_refused yes yes ;;
*) check flags_damage_refused yes "$rc $out" ;;
esac

# a middle record damaged: recovery refuses, verify reports it
cp -r "$tmp/base" "$tmp/mid"
flip "$tmp/mid" row3 || echo "FAIL: row3 not found in the log"
out=$("$D" verify --data "$tmp/mid" 2>&1); rc=$?
check mid_verify_status 2 $rc
case "$out" in
*"is damaged, and record"*"after it is whole"*) check mid_verify_says_so yes yes ;;
*) check mid_verify_says_so yes "$out" ;;
esac
out=$("$D" sql -d "$tmp/mid" -e "SELECT count(*) FROM w" 2>&1); rc=$?
case "$rc $out" in
"1 "*"is damaged, and record"*) check mid_open_fails yes yes ;;
*) check mid_open_fails yes "$rc $out" ;;
esac
"$SERVER" --data-path "$tmp/mid" --listen "127.0.0.1:$((port + 1))" --socket-dir '' >"$tmp/mid.log" 2>&1 &
SPID=$!
started=0
for _ in $(seq 1 50); do
    kill -0 "$SPID" 2>/dev/null || break
    "$D" sql --url "postgresql://$(id -un)@127.0.0.1:$((port + 1))/db" -e "SELECT 1" >/dev/null 2>&1 && { started=1; break; }
    sleep 0.1
done
[ "$started" = 1 ] && kill -9 "$SPID" 2>/dev/null
wait "$SPID" 2>/dev/null
SPID=""
check mid_server_refuses 0 $started
grep -q "is damaged, and record" "$tmp/mid.log" && check mid_server_says_why yes yes || check mid_server_says_why yes "$(tail -3 "$tmp/mid.log")"

# the last record damaged: a torn write; the commits before it are there
cp -r "$tmp/base" "$tmp/last"
flip "$tmp/last" row6 || echo "FAIL: row6 not found in the log"
check last_is_torn "9|5" "$("$D" sql -d "$tmp/last" --format csv -e "SELECT drift_seq(), count(*) FROM w" 2>&1 | tail -1 | tr , '|')"
out=$("$D" verify --data "$tmp/last" 2>&1); rc=$?
check last_verifies "0" "$rc"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
