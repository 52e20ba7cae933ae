#!/bin/sh
# Crash test: CRASH_ROUNDS (default 20) rounds of "start the writer, let it
# commit for a random 50-400 ms, kill -9 it or lose the power (odd rounds
# the one, even rounds the other; CRASH_MODE=kill | powerloss | both), reopen
# and check that every acknowledged commit is there and VERIFY passes".  All rounds share one
# data directory, so recovery is exercised on a growing database.
# Prints "ok round N" / "FAIL round N" and closes with "N passed, N failed".
set -u
BUILD=${BUILD:-build}
CRASH=$BUILD/tests/crash/crash
ROUNDS=${CRASH_ROUNDS:-20}
# kill: kill -9 only; powerloss: the fault layer only; both: alternate
MODE=${CRASH_MODE:-both}
DRIFTDB=$BUILD/driftdb

if [ ! -x "$CRASH" ]; then
    echo "crash: $CRASH not built"
    echo "0 passed, 1 failed"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/driftdb-crash.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
data=$tmp/data
log=$tmp/acked.log
: >"$log"

pass=0
fail=0
if [ -x "$DRIFTDB" ]; then
    init_ok=0
    "$DRIFTDB" init "$data" --superuser crash >"$tmp/init.out" 2>&1 && init_ok=1
else
    init_ok=0
    echo "crash: $DRIFTDB not built"
fi
if [ $init_ok -eq 0 ]; then
    cat "$tmp/init.out" 2>/dev/null
    echo "FAIL init"
    echo "0 passed, 1 failed"
    exit 1
fi

round=1
while [ "$round" -le "$ROUNDS" ]; do
    r16=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
    ms=$((50 + r16 % 351))
    secs=$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')
    before=$(wc -l <"$log")
    ok=1
    why=""
    if [ "$MODE" = kill ] || { [ "$MODE" = both ] && [ $((round % 2)) -eq 1 ]; }; then
        how="killed"
        "$CRASH" writer "$data" "$log" >"$tmp/writer.out" 2>&1 &
        wpid=$!
        sleep "$secs"
        if kill -0 "$wpid" 2>/dev/null; then
            kill -9 "$wpid" 2>/dev/null
            wait "$wpid" 2>/dev/null
        else
            # The writer is not supposed to stop by itself.
            wait "$wpid"
            ok=0
            why="writer exited early with status $?: $(head -c 300 "$tmp/writer.out")"
        fi
    else
        # The fault layer loses the power: every write to the data
        # directory since its last flush is undone, and the writer ends.
        # A third of the losses drop every unflushed write; the others let
        # a random share of them reach the disk anyway.
        keep=$((r16 % 3 == 0 ? 0 : r16 % 100))
        how="power lost, $keep% of unflushed writes kept,"
        DD_POWERLOSS_DIR="$data" DD_POWERLOSS_MS="$ms" DD_POWERLOSS_STATUS=86 DD_POWERLOSS_KEEP=$keep \
            timeout -k 5 60 "$CRASH" writer "$data" "$log" >"$tmp/writer.out" 2>&1
        st=$?
        if [ $st -ne 86 ]; then
            ok=0
            why="writer ended with status $st, not by the power loss: $(head -c 300 "$tmp/writer.out")"
        fi
    fi
    after=$(wc -l <"$log")
    if [ $ok -eq 1 ]; then
        if ! "$CRASH" check "$data" "$log" >"$tmp/check.out" 2>&1; then
            ok=0
            why=$(head -c 600 "$tmp/check.out")
        fi
    fi
    if [ $ok -eq 1 ]; then
        pass=$((pass + 1))
        echo "ok round $round ($how after ${ms} ms, $((after - before)) commits acknowledged)"
    else
        fail=$((fail + 1))
        echo "FAIL round $round: $why"
    fi
    round=$((round + 1))
done

# A run in which no commit was ever acknowledged tested nothing.
total=$(wc -l <"$log")
if [ "$total" -gt 0 ]; then
    pass=$((pass + 1))
    echo "ok $total acknowledged commits in all"
else
    fail=$((fail + 1))
    echo "FAIL no commit was acknowledged in $ROUNDS rounds"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
