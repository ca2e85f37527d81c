#!/usr/bin/env bash
# biomatch compare / verify end to end on FVC2002 DB1 templates.
# usage: test_cli_match.sh BIOMATCH DATA_DIR ; exit 77 (skipped) without data.
set -u
cli=$1
dir=$2/fvc2002_db1_b
if [ ! -f "$dir/101_1.iso" ]; then
  echo "skipped: $dir/101_1.iso is absent (the shared test data is not beside this checkout)"
  exit 77
fi
fail() { echo "FAIL: $*"; exit 1; }

pairs=$(printf '%s %s\n' "$dir/101_1.iso" "$dir/101_2.iso" "$dir/101_1.iso" "$dir/102_1.iso" \
                          "$dir/102_1.iso" "$dir/101_1.iso" "$dir/101_1.iso" "$dir/101_2.iso")
out1=$(echo "$pairs" | "$cli" compare) || fail "compare exited $?"
out2=$(echo "$pairs" | "$cli" compare --threads 2) || fail "compare --threads 2 exited $?"
[ "$out1" = "$out2" ] || fail "results differ with 2 threads"
[ "$(echo "$out1" | wc -l)" = 4 ] || fail "expected 4 lines: $out1"
# Same order as the input, and the repeated pair gives the same score.
[ "$(echo "$out1" | cut -d' ' -f1-2)" = "$pairs" ] || fail "order or paths changed"
l1=$(echo "$out1" | sed -n 1p | cut -d' ' -f3); l4=$(echo "$out1" | sed -n 4p | cut -d' ' -f3)
[ "$l1" = "$l4" ] || fail "repeated pair scored $l1 then $l4"
genuine=$l1; impostor=$(echo "$out1" | sed -n 2p | cut -d' ' -f3)
awk -v g="$genuine" -v i="$impostor" 'BEGIN { exit !(g > 3 * i) }' || fail "genuine $genuine vs impostor $impostor"

"$cli" verify "$dir/101_1.iso" "$dir/101_2.iso" > /dev/null; rc=$?
[ $rc = 0 ] || fail "verify of a mated pair exited $rc"
"$cli" verify "$dir/101_1.iso" "$dir/102_1.iso" --fmr 1e-3 > /dev/null; rc=$?
[ $rc = 3 ] || fail "verify of a non-mated pair exited $rc, expected 3"
"$cli" verify "$dir/101_1.iso" /nonexistent.iso > /dev/null 2>&1; rc=$?
[ $rc = 1 ] || fail "verify of a missing file exited $rc, expected 1"
"$cli" verify "$dir/101_1.iso" "$dir/101_2.iso" --fmr 2 > /dev/null 2>&1; rc=$?
[ $rc = 2 ] || fail "verify --fmr 2 exited $rc, expected 2"
echo "$dir/101_1.iso" | "$cli" compare > /dev/null 2>&1; rc=$?
[ $rc = 2 ] || fail "compare of a one-path line exited $rc, expected 2"
echo "ok"
