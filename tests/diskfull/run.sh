#!/bin/sh
# Disk full: a database on a 2 MiB tmpfs takes 100 KB rows until the file
# system is full.  Every failed commit must say 53100 (disk full), every
# acknowledged row must still be there, and `driftdb verify` must pass.
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
"$DD" init "$mnt/db" >/dev/null && "$DD" sql --data "$mnt/db" -e "CREATE TABLE t (id INT PRIMARY KEY, pad TEXT)" >/dev/null || bad "init"
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
"$DD" verify --data "$mnt/db" >/dev/null 2>&1 && ok "verify passes after the disk filled up" || bad "verify after disk full"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
