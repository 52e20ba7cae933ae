#!/bin/sh
# tests/planner/run.sh - the planner's randomized differential test against
# PostgreSQL 15 (random_queries.py), with fixed seeds: what `make test` runs.
# PLANNER_ROUNDS / PLANNER_QUERIES / PLANNER_SEED change the run
# (`make planner-long` runs many rounds with a seed from the clock).
cd "$(dirname "$0")/../.." || exit 1
exec /usr/bin/python3 tests/planner/random_queries.py "${BUILD:-build}" \
    --seed "${PLANNER_SEED:-1}" --rounds "${PLANNER_ROUNDS:-4}" --queries "${PLANNER_QUERIES:-50}"
