#!/usr/bin/python3
"""tests/slt/postgres.py BUILD FILE... - the differential check: the
sqllogictest files that hold the line "# postgres: compare" run against a
real PostgreSQL 15 started here on loopback (slt --postgres PORT), so the
answers and SQLSTATEs they expect from DriftDB are PostgreSQL's own.
Records marked `onlyif driftdb` (time travel, drift_*, VERIFY, document
style) are DriftDB's and skipped there.  Ends with slt's "N passed, N
failed"."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "planner"))
import servers  # noqa: E402


def main():
    if len(sys.argv) < 3:
        print("usage: postgres.py BUILD FILE...", file=sys.stderr)
        return 2
    build, files = sys.argv[1], sys.argv[2:]
    try:
        pg = servers.postgres()
    except Exception as e:
        print("FAIL PostgreSQL did not start (%s)" % e)
        print("0 passed, 1 failed")
        return 1
    try:
        return subprocess.run([os.path.join(build, "tests", "slt", "slt"), "--postgres", str(pg.port)] + files).returncode
    finally:
        pg.stop()


if __name__ == "__main__":
    sys.exit(main())
