#!/usr/bin/env bash
# biomatch info / convert end to end: exit codes, the one-line error message
# and the documented JSON layout (docs/cli.md).
#   test_cli_template.sh BIOMATCH_EXECUTABLE DATA_DIR
source "$(dirname "$0")/../cli/cli_test_common.sh"
data=$2

# A small NIST xyt record (origin bottom-left) and its ISO conversion.
printf '10 390 270 50\n120 200 45 80\n7 8 359\n' >"$work/in.xyt"
"$cli" convert "$work/in.xyt" "$work/out.iso" --to iso2005 --height 400 --width 300 --ppi 500 ||
  fail "convert xyt -> iso2005 failed"
"$cli" info "$work/out.iso" --json >"$work/out.json" || fail "info --json failed on a good file"
python3 - "$work/out.json" <<'PY'
import json, sys
info = json.load(open(sys.argv[1]))
assert info["format"] == "iso2005", info["format"]
assert info["view_count"] == 1 and info["view_index"] == 0
assert info["image"] == {"width": 300, "height": 400, "ppi_x": 197 * 2.54, "ppi_y": 197 * 2.54}, info["image"]
assert info["minutia_count"] == 3 == len(info["minutiae"])
first = info["minutiae"][0]
assert set(first) == {"x", "y", "angle", "type", "quality"}, first
# NIST (10, 390) at 270 degrees is ISO (10, 10) at 90 degrees; 90 is exact in ISO's 360/256 steps.
assert (first["x"], first["y"], first["angle"], first["type"], first["quality"]) == (10, 10, 90.0, "other", 50), first
assert info["minutiae"][2]["quality"] == 0  # unknown quality is written as 0 in ISO 2005
PY

# Back to xyt: the same lines (all three angles are exact in ISO's steps or round back).
"$cli" convert "$work/out.iso" "$work/back.xyt" --to xyt || fail "convert iso2005 -> xyt failed"
printf '10 390 270 50\n120 200 45 80\n7 8 359 0\n' | cmp - "$work/back.xyt" || fail "xyt round trip differs"

# A bad file: non-zero exit and one line on stderr naming the file and the error.
head -c 20 "$work/out.iso" >"$work/short.iso"
if "$cli" info "$work/short.iso" 2>"$work/err.txt"; then fail "info accepted a truncated record"; fi
[ "$(wc -l <"$work/err.txt")" -eq 1 ] || fail "expected one line on stderr, got: $(cat "$work/err.txt")"
grep -q "short.iso: BM_ERR_TRUNCATED" "$work/err.txt" || fail "message lacks file and code: $(cat "$work/err.txt")"
if "$cli" convert "$work/short.iso" "$work/x.bm" --to bm 2>/dev/null; then fail "convert accepted a truncated record"; fi
[ ! -e "$work/x.bm" ] || fail "convert wrote an output for a bad input"

# Usage errors exit 2.
set +e
"$cli" convert "$work/out.iso" "$work/x" --to jpeg 2>/dev/null; [ $? -eq 2 ] || fail "unknown --to should exit 2"
"$cli" info 2>/dev/null; [ $? -eq 2 ] || fail "info without FILE should exit 2"
set -e

# Shared data, when present: a real record and a truncated one.
if [ -d "$data/fvc2002_db1_b" ]; then
  "$cli" info "$data/fvc2002_db1_b/101_1.iso" --json | python3 -c '
import json, sys
info = json.load(sys.stdin)
assert info["format"] == "iso2005" and info["image"]["width"] == 300 and info["minutia_count"] == len(info["minutiae"]) > 0
' || fail "info on FVC 101_1.iso"
  if "$cli" info "$data/openafis_invalid_iso/101_1_truncate_1_byte.iso" 2>/dev/null; then
    fail "info accepted an OpenAFIS truncated record"
  fi
else
  echo "shared data absent at $data: real-file checks not run"
fi
echo "cli template checks passed"
