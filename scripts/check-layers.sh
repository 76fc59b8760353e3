#!/bin/bash
# Checks the layering of docs/architecture.md by the includes: cli/ and
# dsl/ include the public headers, util/ and their own headers only;
# the engine includes nothing of dsl/ or cli/; plugins include only the
# SDK's public plugin headers and their own; util/ includes no weft code
# but the public headers. Prints each violation; exit 1 if any.
cd "$(dirname "$0")/.." || exit 2
bad=0
own() { # own DIR FILE: the quoted includes of FILE not found in DIR
	grep -ho '#include "[^"]*"' "$2" | sed 's/#include "\(.*\)"/\1/' | while read -r h; do
		case "$h" in weft/*) continue ;; esac
		[ -e "$1/$h" ] || echo "$h"
	done
}
for f in cli/*.c cli/*.h dsl/*.c dsl/*.h; do
	for h in $(own "$(dirname "$f")" "$f"); do
		[ -e "util/$h" ] && continue
		echo "$f includes $h: the CLI and the DSL use public headers and util/ only"; bad=1
	done
done
for f in engine/*.c engine/*.h engine/testing/*.c; do
	for h in $(own engine "$f"); do
		[ -e "util/$h" ] && continue
		echo "$f includes $h, which is neither the engine's nor util's"; bad=1
	done
done
for f in plugins/*/*.c plugins/*/*.h; do
	if grep -q '#include <weft/\(weft\|run\|dsl\|repo\|testing\)\.h>\|#include "weft/' "$f"; then
		echo "$f includes an engine header: plugins use weft/plugin.h and weft/ophelp.h only"; bad=1
	fi
	for h in $(own "$(dirname "$f")" "$f"); do
		[ -e "plugins/common/$h" ] && continue
		echo "$f includes $h, which is neither its plugin's nor plugins/common's"; bad=1
	done
done
for f in util/*.c util/*.h; do
	for h in $(own util "$f"); do
		echo "$f includes $h: util depends on nothing of weft"; bad=1
	done
done
[ $bad = 0 ] && echo "layers: ok"
exit $bad
