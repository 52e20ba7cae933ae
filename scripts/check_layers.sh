#!/bin/sh
# Fails when a source file includes a header of a higher layer (DESIGN.md §1).
# Layers, low to high: util store temporal sql engine (cli server on top).
set -u
rank() {
    case "$1" in
        util) echo 0;; store) echo 1;; temporal) echo 2;; sql) echo 3;; engine) echo 4;;
        cli|server) echo 5;; *) echo 9;;
    esac
}
bad=0
for f in src/*/*.c src/*/*.h; do
    [ -f "$f" ] || continue
    layer=$(basename "$(dirname "$f")")
    lr=$(rank "$layer")
    for inc in $(sed -n 's/^#include "\(\.\.\/\)\{0,1\}\([a-z]*\)\/[^"]*".*/\2/p' "$f"); do
        ir=$(rank "$inc")
        if [ "$ir" -gt "$lr" ] && [ "$ir" -ne 9 ]; then
            echo "layering: $f ($layer) includes $inc"
            bad=1
        fi
    done
    if [ "$lr" -eq 5 ] && grep -q '#include "\.\./\(sql\|store\|temporal\|engine\)/' "$f"; then
        echo "layering: $f must use only include/driftdb.h and util/"
        bad=1
    fi
done
[ $bad -eq 0 ] && echo "layering: ok"
exit $bad
