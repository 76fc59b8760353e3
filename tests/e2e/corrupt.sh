#!/bin/bash
# A corrupted object in the store is detected, removed and rebuilt; it is
# never handed to a downstream node.
. "$(dirname "$0")/lib.sh"
cp -r "$WEFT_SRC/examples/quickstart" "$T/qs"
P="$T/qs/quickstart.lua"
run_weft run "$P"
expect_rc 0 "first run"
H=$(rec '.nodes[] | select(.name == "filter") | .outputs.out["$artifact"]')
OBJ="$WEFT_STORE/objects/${H:0:2}/${H:2}"
check "filter's output object exists" [ -f "$OBJ" ]
GOOD=$(sha256sum "$OBJ" | cut -d' ' -f1)
eq "$GOOD" "$H" "an object's name is the SHA-256 of its bytes"

chmod u+w "$OBJ"; printf 'X' | dd of="$OBJ" bs=1 seek=3 conv=notrunc status=none
check "the object is now corrupt" [ "$(sha256sum "$OBJ" | cut -d' ' -f1)" != "$H" ]
run_weft run "$P"
expect_rc 0 "the run after corruption succeeds"
eq "$(rec '.nodes[] | select(.name == "filter") | .status')" done "the node whose output was corrupt is recomputed"
check "the record says why" bash -c "jq -r '.nodes[] | select(.name == \"filter\") | .reason' '$(latest_record)' | grep -q corrupt"
eq "$(sha256sum "$OBJ" | cut -d' ' -f1)" "$H" "the rebuilt object has the right content again"
eq "$(rec '.nodes[] | select(.name == "count_north") | .status')" cached "downstream stays cached (same content, same key)"
expect_out 'report = "1 1 2"' "the result is unchanged"

# A deleted object is a miss too.
rm -f "$OBJ"
run_weft run "$P"
eq "$(rec '.nodes[] | select(.name == "filter") | .status')" done "a missing object is recomputed"
check "and restored" [ -f "$OBJ" ]

# A damaged action-cache entry reads as a miss, not a crash. Entries live
# in packs (ac/packs/*.pack); the entry's bytes hold its key in hex.
K=$(rec '.nodes[] | select(.name == "report") | .key')
PACK=$(grep -l "$K" "$WEFT_STORE"/ac/packs/*.pack | tail -1)
check "the entry is in a pack" [ -f "$PACK" ]
OFF=$(grep -boa "$K" "$PACK" | head -1 | cut -d: -f1)
printf 'Z' | dd of="$PACK" bs=1 seek=$((OFF + 70)) conv=notrunc status=none
run_weft run "$P"
expect_rc 0 "a damaged cache entry does not break the run"
eq "$(rec '.nodes[] | select(.name == "report") | .status')" done "the node with the damaged entry reruns"
run_weft run "$P"
eq "$(rec '.nodes[] | select(.name == "report") | .status')" cached "and its new entry serves the next run"
finish
