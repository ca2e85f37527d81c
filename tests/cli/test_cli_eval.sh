#!/usr/bin/env bash
# biomatch eval end to end: a synthetic FFF_I folder (no outside data), exit
# codes, the JSON layout of docs/cli.md, the DET picture; the real FVC
# template folders when ../shared/data exists.
#   test_cli_eval.sh BIOMATCH_EXECUTABLE DATA_DIR
source "$(dirname "$0")/cli_test_common.sh"
data=$2

# 6 synthetic fingers x 4 impressions as NIST xyt (ISO orientation): each
# impression is the finger's minutiae shifted and rotated a little, with a
# few dropped. Labelled synthetic; real data is exercised below.
mkdir "$work/synthetic"
python3 "$(dirname "$0")/synthetic_xyt.py" "$work/synthetic" "%d_%d.xyt" 6 4 5 --fvc
"$cli" eval "$work/synthetic" --iso-orientation --width 400 --height 400 --json --det "$work/det.png" \
  >"$work/out.json" || fail "eval on the synthetic folder"
python3 - "$work/out.json" "$work/det.png" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
assert set(result) == {"sets", "all", "isa", "threads"}, result.keys()
s = result["sets"][0]
assert (s["samples"], s["fingers"], s["enrol_failures"]) == (24, 6, 0), s
assert s["genuine_pairs"] == 6 * 6 and s["impostor_pairs"] == 24 * 23 // 2 - 36, s
for key in ("eer", "fnmr_at_fmr_1e-2", "fnmr_at_fmr_1e-3", "fnmr_at_fmr_0"):
    assert 0 <= s[key] <= 1, (key, s)
assert s["eer"] < 0.05 and s["genuine_mean"] > s["impostor_mean"], s
assert result["all"]["eer"] == s["eer"]
assert open(sys.argv[2], "rb").read(8) == b"\x89PNG\r\n\x1a\n"
PY
"$cli" eval "$work/synthetic" --iso-orientation --width 400 --height 400 >"$work/out.txt" || fail "text output"
grep -q "EER" "$work/out.txt" || fail "text output lacks EER"

# Exit codes: 2 for the command line, 1 for the data.
set +e
"$cli" eval >/dev/null 2>&1; [ $? -eq 2 ] || fail "no folder should exit 2"
"$cli" eval "$work/synthetic" --threads x >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad --threads should exit 2"
"$cli" eval "$work/missing" >/dev/null 2>"$work/err"; [ $? -eq 1 ] || fail "missing folder should exit 1"
mkdir "$work/empty"
"$cli" eval "$work/empty" >/dev/null 2>&1; [ $? -eq 1 ] || fail "empty folder should exit 1"
printf 'garbage' >"$work/synthetic/107_1.iso"
"$cli" eval "$work/synthetic" --iso-orientation --height 400 >/dev/null 2>"$work/err"
[ $? -eq 1 ] || fail "a corrupt template should exit 1"
grep -q "107_1.iso" "$work/err" || fail "the error names the file"
set -e
"$cli" eval --help | grep -q "usage: biomatch eval" || fail "--help"

# Real data: the FVC2002 DB1/DB2 B templates (same figures as bench/match/bm_eval_fvc).
if [ ! -d "$data/fvc2002_db1_b" ]; then
  echo "skipped: shared data absent ($data), synthetic part passed"
  exit 77
fi
"$cli" eval "$data/fvc2002_db1_b" "$data/fvc2002_db2_b" --json >"$work/fvc.json" || fail "eval on FVC"
python3 - "$work/fvc.json" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
for s in result["sets"]:
    assert (s["samples"], s["genuine_pairs"], s["impostor_pairs"]) == (80, 280, 2880), s
    assert s["eer"] < 0.10, s
assert result["all"]["genuine_pairs"] == 560
PY
echo "eval: synthetic and FVC checks passed"
