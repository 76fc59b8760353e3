#!/usr/bin/env bash
# The README's second command and the body of CI: install dependencies, then build and run
# the whole suite twice, once with -Werror and once under AddressSanitizer + UBSan.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
"$src/scripts/deps.sh"

echo "== build (warnings are errors) and test"
"$src/scripts/build.sh" "$src/build-ci" -DWEFT_WERROR=ON
ctest --test-dir "$src/build-ci" --output-on-failure -j "$jobs"

echo "== build with ASan + UBSan and test"
"$src/scripts/build.sh" "$src/build-asan" -DWEFT_WERROR=ON -DWEFT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$src/build-asan" --output-on-failure -j "$jobs"
echo "== all tests passed"
