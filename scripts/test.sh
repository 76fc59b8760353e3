#!/usr/bin/env bash
# The README's second command and the body of CI: install dependencies, then build and run
# the whole suite twice, once with -Werror and once under AddressSanitizer + UBSan.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
"$src/scripts/deps.sh"
# The training ops' Python (torch from Debian, onnxruntime pinned): the
# Python e2e tests run under it.
"$src/scripts/pydeps.sh"
export WEFT_PYTHON="$src/.venv/bin/python"
# deps.sh installed Slurm and Chromium: their e2e tests must run here, not skip.
export WEFT_REQUIRE_SLURM=1 WEFT_REQUIRE_BROWSER=1

echo "== build (warnings are errors) and test"
"$src/scripts/build.sh" "$src/build-ci" -DWEFT_WERROR=ON
ctest --test-dir "$src/build-ci" --output-on-failure -j "$jobs"

echo "== build with ASan + UBSan and test"
"$src/scripts/build.sh" "$src/build-asan" -DWEFT_WERROR=ON -DWEFT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
# intercept_tls_get_addr=0: weft dlopens its plugins, and through them libcurl's
# and libtiff's dependency chains (krb5, libstdc++, ...); GCC 12's LeakSanitizer
# then crashes at exit scanning a bogus dynamic-TLS range ("DTLS 8 at
# 0x219-0x100000131b", "Tracer caught signal 11") -- its own bug, seen in a
# fresh clone on every run of e2e_errors. Leaks are still checked everywhere
# else; scripts/lsan.supp names the one allocation that setting hides from
# LeakSanitizer's view (OpenSSL's, not weft's).
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:intercept_tls_get_addr=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
LSAN_OPTIONS=suppressions="$src/scripts/lsan.supp":print_suppressions=0 \
  ctest --test-dir "$src/build-asan" --output-on-failure -j "$jobs"
echo "== fuzz the parsers, 5 s each, on the checked-in corpora"
"$src/scripts/fuzz.sh" 5 "$src/build-fuzz"
echo "== all tests passed"
