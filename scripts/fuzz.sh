#!/usr/bin/env bash
# fuzz.sh [SECONDS] [DIR]: builds the libFuzzer targets with clang into DIR
# (default build-fuzz) and runs each for SECONDS (default 5) on a copy of its
# checked-in corpus (tests/fuzz/corpus/NAME). A crash, a leak or a sanitizer
# report fails it, and the reproducer is left in DIR/crashes. CI runs it at 5 s
# a target (scripts/test.sh); bench/fuzz.sh runs it for minutes.
set -euo pipefail
secs=${1:-5}
src=$(cd "$(dirname "$0")/.." && pwd)
dir=${2:-$src/build-fuzz}
command -v clang >/dev/null || { echo "fuzz: needs clang (apt-get install clang)" >&2; exit 1; }
if [ ! -f "$dir/build.ninja" ]; then
  CC=clang cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWEFT_FUZZ=ON \
    -DWEFT_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$dir" --target fuzzers
mkdir -p "$dir/crashes"
status=0
for t in json yaml value_bin opindex csv cif frame schema journal gitstream npy pyimports png tiff safetensors robots jscalls induce notebook minhash lpattern graph; do
  work=$(mktemp -d)
  cp -r "$src/tests/fuzz/corpus/$t/." "$work/"
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 "$dir/tests/fuzz/fuzz_$t" -max_total_time="$secs" \
      -max_len=65536 -rss_limit_mb=2048 -artifact_prefix="$dir/crashes/$t-" "$work" >"$dir/fuzz_$t.log" 2>&1; then
    echo "fuzz_$t: ok ($(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$dir/fuzz_$t.log" | tail -1))"
  else
    echo "fuzz_$t: FAILED; log $dir/fuzz_$t.log, reproducer in $dir/crashes"; tail -30 "$dir/fuzz_$t.log"; status=1
  fi
  rm -rf "$work"
done
exit $status
