#!/bin/sh
# Runs every test suite of DriftDB and adds up their closing lines.
#
#   BUILD=build sh tests/run_all.sh      (what `make test` runs)
#
# Suites: the unit binaries $BUILD/tests/test_*, the sqllogictest files
# (tests/sql/*.test through $BUILD/tests/slt/slt: in-process, then again
# through a real $BUILD/driftdb-server with libpq, and the files marked
# "# postgres: compare" against a real PostgreSQL 15), the client tests
# (tests/clients/run.sh, when present), the driftdb command's tests
# (tests/cli/run.sh), the planner's randomized test against PostgreSQL
# (tests/planner/run.sh), the isolation specs against DriftDB and a real
# PostgreSQL 15 (tests/isolation/run.py), the crash test
# (tests/crash/run.sh), damage to the commit log after a crash (tests/crash/wal_damage.sh), backup and restore (tests/backup/run.sh), VACUUM and compact --full on a random history (tests/backup/vacuum_equal.py), the corruption test (tests/corrupt/corrupt.py) and the disk-full test (tests/diskfull/run.sh).  Each suite ends its output with "N passed, N
# failed"; a suite that ends without that line, or whose exit status
# disagrees with it, crashed and counts as 1 failed.  Output: one line per
# suite (and the failing lines of failed suites), then exactly one total
# line "N passed, N failed".  Exit status 1 when anything failed.
set -u
BUILD=${BUILD:-build}
export BUILD
SUITE_TIMEOUT=${SUITE_TIMEOUT:-900}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/driftdb-tests.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

total_pass=0
total_fail=0

# run_suite NAME COMMAND...: runs the suite and adds up its closing line.
run_suite() {
    name=$1
    shift
    out=$tmp/suite.out
    if command -v timeout >/dev/null 2>&1; then
        timeout "$SUITE_TIMEOUT" "$@" >"$out" 2>&1
    else
        "$@" >"$out" 2>&1
    fi
    status=$?
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
    if [ -n "$line" ]; then
        p=${line%% passed*}
        f=${line#*passed, }
        f=${f%% failed*}
        if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
            f=1
            note=" (exit status $status)"
        else
            note=""
        fi
    else
        p=0
        f=1
        if [ "$status" -eq 124 ]; then note=" (timed out)"
        elif [ "$status" -gt 128 ]; then note=" (crashed: signal $((status - 128)))"
        else note=" (no summary line; exit status $status)"
        fi
    fi
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    if [ "$f" -ne 0 ]; then
        echo "FAIL $name: $p passed, $f failed$note"
        # The failing part of the output, without the lines of passing tests.
        grep -v -E '^(ok|ok  ) ' "$out" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$' | head -n 200 | sed 's/^/    /'
    else
        echo "ok   $name: $p passed, $f failed"
    fi
}

# the layering of the sources (docs/architecture.md §1, docs/query-engine.md): no upward include, no circle
run_suite "layering" sh -c 'sh scripts/check_layers.sh && echo "1 passed, 0 failed" || { echo "0 passed, 1 failed"; exit 1; }'

for t in "$BUILD"/tests/test_*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    run_suite "unit $(basename "$t")" "$t"
done

if [ -x "$BUILD/tests/slt/slt" ]; then
    set -- tests/sql/*.test
    if [ -f "$1" ]; then
        run_suite "sqllogictest" "$BUILD/tests/slt/slt" "$@"
    fi
else
    echo "FAIL sqllogictest: $BUILD/tests/slt/slt not built"
    total_fail=$((total_fail + 1))
fi

if [ -x "$BUILD/tests/slt/slt" ] && [ -x "$BUILD/driftdb-server" ]; then
    set -- tests/sql/*.test
    if [ -f "$1" ]; then
        run_suite "sqllogictest-server" "$BUILD/tests/slt/slt" --server "$BUILD" "$@"
    fi
else
    echo "FAIL sqllogictest-server: $BUILD/tests/slt/slt or $BUILD/driftdb-server not built"
    total_fail=$((total_fail + 1))
fi

# the files marked "# postgres: compare" against a real PostgreSQL 15: the
# same expected answers must be PostgreSQL's own
if [ -x "$BUILD/tests/slt/slt" ]; then
    set -- tests/sql/*.test
    if [ -f "$1" ]; then
        run_suite "sqllogictest-postgres" /usr/bin/python3 tests/slt/postgres.py "$BUILD" "$@"
    fi
fi

if [ -f tests/clients/run.sh ]; then
    run_suite "clients" sh tests/clients/run.sh
fi

if [ -f tests/planner/run.sh ]; then
    run_suite "planner" sh tests/planner/run.sh
fi

if [ -f tests/isolation/run.py ]; then
    run_suite "isolation" /usr/bin/python3 tests/isolation/run.py "$BUILD"
fi

if [ -f tests/cli/run.sh ]; then
    run_suite "cli" bash tests/cli/run.sh
fi

if [ -f tests/crash/run.sh ]; then
    run_suite "crash" sh tests/crash/run.sh
fi

if [ -f tests/crash/wal_damage.sh ]; then
    run_suite "wal-damage" sh tests/crash/wal_damage.sh
fi

if [ -f tests/backup/run.sh ]; then
    run_suite "backup" bash tests/backup/run.sh
fi

if [ -f tests/backup/vacuum_equal.py ]; then
    run_suite "vacuum" /usr/bin/python3 tests/backup/vacuum_equal.py
fi

if [ -f tests/corrupt/corrupt.py ]; then
    run_suite "corrupt" python3 tests/corrupt/corrupt.py
fi

run_suite "diskfull" sh tests/diskfull/run.sh

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
