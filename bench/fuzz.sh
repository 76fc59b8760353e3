#!/usr/bin/env bash
# bench/fuzz.sh [SECONDS]: every parser's libFuzzer target for SECONDS each
# (default 300), from the checked-in corpora; CI runs the same for 5 s.
src=$(cd "$(dirname "$0")/.. && pwd)
exec "$src/scripts/fuzz.sh" "${1:-300}" "${2:-$src/build-fuzz}"
