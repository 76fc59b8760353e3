# lib.sh -- helpers for end-to-end tests: each test runs the real weft
# binary in a scratch directory and asserts on exit codes, output and the
# run record (record.json, read with jq).
set -u
: "${WEFT:?set WEFT to the weft binary}"
: "${WEFT_SRC:?set WEFT_SRC to the source tree}"
T=$(mktemp -d "${TMPDIR:-/tmp}/weft-e2e.XXXXXX")
export WEFT_STORE="$T/store"
trap 'rm -rf "$T"' EXIT
FAILS=0
PASSES=0

pass() { PASSES=$((PASSES + 1)); echo "ok - $*"; }
fail() { FAILS=$((FAILS + 1)); echo "not ok - $*"; }

# check DESC COMMAND...: passes when the command succeeds
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }

# run_weft ARGS...: runs weft, keeping stdout, stderr and status
run_weft() {
  "$WEFT" "$@" >"$T/out" 2>"$T/err"
  RC=$?
  sanitizer_clean
  return 0
}

# sanitizer_clean: under ASan/UBSan a report on stderr is a failure even when the exit
# status happens to be the one a test expects (error paths exit non-zero anyway).
sanitizer_clean() {
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/err"; then
    fail "sanitizer report from: weft $*"; sed 's/^/  | /' "$T/err" | head -40
  fi
}

# expect_rc N DESC
expect_rc() {
  if [ "$RC" -eq "$1" ]; then pass "$2 (exit $RC)"; else fail "$2: expected exit $1, got $RC"; sed 's/^/  | /' "$T/err" | tail -20; fi
}

# expect_err SUBSTRING DESC: stderr contains SUBSTRING
expect_err() {
  if grep -qF -- "$1" "$T/err"; then pass "$2"; else fail "$2: stderr lacks '$1'"; sed 's/^/  | /' "$T/err" | tail -10; fi
}

expect_out() {
  if grep -qF -- "$1" "$T/out"; then pass "$2"; else fail "$2: stdout lacks '$1'"; sed 's/^/  | /' "$T/out" | tail -10; fi
}

# latest_record: path of the newest run's record.json
latest_record() { ls -d "$WEFT_STORE"/runs/*/ | sort | tail -1 | sed 's,/$,/record.json,'; }

# rec JQ: evaluates a jq filter on the newest record
rec() { jq -r "$1" "$(latest_record)"; }

# eq ACTUAL EXPECTED DESC
eq() { if [ "$1" = "$2" ]; then pass "$3"; else fail "$3: got '$1', want '$2'"; fi; }

finish() {
  echo "$PASSES passed, $FAILS failed"
  [ "$FAILS" -eq 0 ]
}

# start_llm_stub REPLYFILE: the scripted OpenAI-compatible server
# (tests/helpers/openai_stub.py) in the background, in the current
# directory, logging requests to llm.log; sets $stub (its pid, killed at
# exit) and $url (its /v1 base). REPLYFILE may be written afterwards: the
# stub reads it anew for each request.
start_llm_stub() {
  python3 "$WEFT_SRC/tests/helpers/openai_stub.py" port "$1" llm.log &
  stub=$!
  trap 'kill $stub 2>/dev/null; rm -rf "$T"' EXIT
  for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
  url="http://127.0.0.1:$(cat port)/v1"
}
