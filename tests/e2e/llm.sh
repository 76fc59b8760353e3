#!/bin/bash
# The LLM host API (api->llm_chat) against the scripted OpenAI-compatible
# stub on 127.0.0.1: with no endpoint the op's rule runs and the record
# says so; a malformed or off-schema answer is asked again with the error;
# a refusal, an HTTP error and a dead endpoint fall back; a server without
# structured output is asked with the schema in words; answers are cached
# in the store, so a rerun (even a forced one) asks nothing; a new model
# reruns the node; the key reaches the server and nothing else.
. "$(dirname "$0")/lib.sh"
: "${LLMTEST_DIR:?set LLMTEST_DIR to the directory holding llmtest.so}"
export WEFT_PLUGIN_PATH="$LLMTEST_DIR"
cd "$T" || exit 1
mkdir repo && cd repo || exit 1

cat > p.lua <<'LUA'
local model = weft.param("q", "which colour", "the question")
return ops.llmtest.pick { name = "pick", question = model, choices = { "red", "green", "blue" } }
LUA
out() { jq -r ".nodes[] | select(.name == \"pick\") | .outputs.$1" "$(latest_record)"; }
llm() { jq -r ".nodes[] | select(.name == \"pick\") | .llm.$1 // 0" "$(latest_record)"; }
jqe() { jq -e "$@" >/dev/null; }
requests() { [ -f llm.log ] && wc -l <llm.log | tr -d ' ' || echo 0; }

# --- 1. No endpoint: the rule decides, the run succeeds, the record says so.
run_weft run p.lua
expect_rc 0 "without an endpoint the pipeline runs"
eq "$(out out)" "blue" "the rule's answer (first in byte order)"
eq "$(out by)" "rule" "the output says the rule decided"
eq "$(llm unavailable)" "1" "the record counts the call that had no endpoint"
run_weft show
expect_out "without an endpoint" "weft show sums the LLM use"

# --- 2. The stub: an off-schema answer, then prose around valid JSON.
cat > script.jsonl <<'EOF'
{"content": "{\"choice\": \"purple\"}"}
{"content": "Sure. {\"choice\": \"green\", \"why\": \"it is calm\"} Hope that helps."}
EOF
start_llm_stub script.jsonl
printf 'llm: {url: "%s", model: stub-1, api_key_env: STUB_KEY, retries: 2, timeout: 5}\n' "$url" > weft.yaml
git init -q . 2>/dev/null || true
STUB_KEY=sk-secret-123 run_weft run p.lua
expect_rc 0 "with an endpoint the pipeline runs"
eq "$(out out)" "green" "the model's answer is used once it follows the schema"
eq "$(out by)" "llm" "the output says the LLM decided"
eq "$(requests)" "2" "the off-schema answer was asked again"
eq "$(llm calls)" "1" "the record counts one answer asked for"
eq "$(llm requests)" "2" "and two requests"
check "the second request told the model what was wrong" \
  grep -q 'purple.*is not one of the allowed values\|is not one of the allowed values' llm.log
check "the request asked for structured output with the schema" \
  jqe -s '.[0].body.response_format.json_schema.schema.properties.choice.enum == ["red","green","blue"]' llm.log
check "the key reached the server" jqe -s '.[0].auth == "Bearer sk-secret-123"' llm.log
check "and nothing in the store, the records or the logs holds it" \
  sh -c "! grep -rq 'sk-secret-123' '$WEFT_STORE'"
check "the answer is in the store's LLM cache" sh -c "ls '$WEFT_STORE'/llm/*/*.json >/dev/null 2>&1"

# --- 3. Reruns never ask again.
STUB_KEY=sk-secret-123 run_weft run p.lua
expect_rc 0 "a rerun"
eq "$(requests)" "2" "a rerun makes zero LLM calls (the node is cached)"
STUB_KEY=sk-secret-123 run_weft run p.lua --force
expect_rc 0 "a forced rerun executes the node"
eq "$(requests)" "2" "and still asks nothing: the answer comes from the store"
eq "$(llm cache_hits)" "1" "the record counts the store's answer"
eq "$(out note)" "cached" "the op sees that the answer was cached"

# --- 4. Another model is another answer: the node reruns and asks.
cat > script.jsonl <<'EOF'
{"content": "{\"choice\": \"red\"}"}
EOF
sed -i 's/stub-1/stub-2/' weft.yaml
run_weft run p.lua
expect_rc 0 "a run with another model"
eq "$(out out)" "red" "reruns the node and takes the new model's answer"
eq "$(requests)" "3" "with one more request"
check "naming the new model" jqe -s '.[2].body.model == "stub-2"' llm.log

# --- 5. A server without structured output: asked again with the schema in words.
cat > script.jsonl <<'EOF'
{"reject_format": true, "content": "{\"choice\": \"blue\"}"}
{"content": "{\"choice\": \"blue\"}"}
EOF
run_weft run p.lua -p q="which sky"
expect_rc 0 "a server that refuses response_format"
eq "$(out by)" "llm" "still gets the model's answer"
check "the second request dropped response_format and put the schema in a system message" \
  jqe -s '(.[-1].body | has("response_format") | not) and (.[-1].body.messages[0].content | test("JSON Schema"))' llm.log

# --- 6. Malformed replies, refusals and HTTP errors: re-asked, then the rule.
cat > script.jsonl <<'EOF'
{"raw": "this is not json at all"}
{"refusal": "I cannot help with colours"}
{"status": 500, "message": "overloaded"}
EOF
n0=$(requests)
run_weft run p.lua -p q="which grass"
expect_rc 0 "an endpoint that never answers well does not fail the run"
eq "$(out by)" "rule" "the rule decides"
eq "$(( $(requests) - n0 ))" "3" "after the retry budget (1 + 2 retries)"
eq "$(llm failed)" "1" "the record counts the failure"
check "the op's note says what went wrong last" sh -c "jq -r '.nodes[0].outputs.note' '$(latest_record)' | grep -q 'overloaded'"

# --- 7. A timeout, then a dead endpoint.
cat > script.jsonl <<'EOF'
{"delay": 3, "content": "{\"choice\": \"red\"}"}
EOF
sed -i 's/timeout: 5/timeout: 1/; s/retries: 2/retries: 0/' weft.yaml
run_weft run p.lua -p q="which rose"
expect_rc 0 "a timeout does not fail the run"
eq "$(out by)" "rule" "the rule decides after the timeout"
check "the note names the timeout" sh -c "jq -r '.nodes[0].outputs.note' '$(latest_record)' | grep -qi 'timeout\|timed out'"
kill $stub 2>/dev/null; wait $stub 2>/dev/null
run_weft run p.lua -p q="which leaf"
expect_rc 0 "a dead endpoint does not fail the run"
eq "$(out by)" "rule" "the rule decides when nothing listens"

# --- 8. A misspelt setting is refused with a suggestion.
printf 'llm: {url: "%s", modle: x}\n' "$url" > weft.yaml
run_weft run p.lua
expect_rc 2 "an unknown llm setting"
expect_err "did you mean 'model'" "is refused with the closest name"
printf 'llm: {url: "%s", api_key: sk-x}\n' "$url" > weft.yaml
run_weft run p.lua
expect_rc 2 "a key written into weft.yaml"
expect_err "api_key_env" "is refused: the key is read from the environment"
finish
