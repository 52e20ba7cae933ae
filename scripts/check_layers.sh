#!/bin/sh
# Fails when a source file includes a header of a higher layer (docs/architecture.md §1,
# §4), or when the includes between files form a circle.
#
# Layers, low to high: util store temporal sql engine (cli server on top).
# Inside sql/ the stages are layers of their own, low to high:
#   types parse txn catalog analyze exec plan, then the files of sql/ itself
# (docs/query-engine.md says why exec sits below plan for now).
# A file may include headers of its own folder, of lower stages and of lower
# layers.  Besides the folder order, no chain of includes between files
# may lead back to where it started (a file's own .h and .c count as one).
set -u
rank() {
    case "$1" in
        util) echo 0;; store) echo 10;; temporal) echo 20;;
        sql/types) echo 30;; sql/parse) echo 31;; sql/txn) echo 32;; sql/catalog) echo 33;;
        sql/analyze) echo 34;; sql/exec) echo 35;; sql/plan) echo 36;; sql) echo 39;;
        engine) echo 40;; cli|server) echo 50;; *) echo 99;;
    esac
}
# folder of a source path relative to src/: util, sql/types, sql, ...
folder() {
    d=$(dirname "$1")
    echo "${d#src/}"
}
bad=0
edges=$(mktemp) || exit 1
trap 'rm -f "$edges"' EXIT
for f in src/*/*.c src/*/*.h src/*/*/*.c src/*/*/*.h; do
    [ -f "$f" ] || continue
    layer=$(folder "$f")
    lr=$(rank "$layer")
    dir=$(dirname "$f")
    for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
        target=$(realpath -m --relative-to=. "$dir/$inc")
        if [ ! -f "$target" ]; then
            [ -f "include/$inc" ] && continue    # the public API, include/driftdb.h
            echo "layering: $f includes $inc, which does not exist"
            bad=1
            continue
        fi
        case "$target" in src/*) ;; *) continue;; esac
        il=$(folder "$target")
        ir=$(rank "$il")
        if [ "$ir" -gt "$lr" ]; then
            echo "layering: $f ($layer) includes $target ($il, a higher layer)"
            bad=1
        fi
        # module graph: foo.c and foo.h are one node
        echo "${f%.*} ${target%.*}" >>"$edges"
    done
    if [ "$lr" -eq 50 ] && grep -q '#include "\.\./\(sql\|store\|temporal\|engine\)/' "$f"; then
        echo "layering: $f must use only include/driftdb.h and util/"
        bad=1
    fi
done
# circles between modules: tsort reports them
cyc=$(awk '$1 != $2' "$edges" | sort -u | tsort 2>&1 >/dev/null)
if [ -n "$cyc" ]; then
    echo "layering: includes form a circle:"
    echo "$cyc" | sed 's/^/  /'
    bad=1
fi
[ $bad -eq 0 ] && echo "layering: ok"
exit $bad
