#!/usr/bin/env bash
# Compares the built libbiomatch.so with the committed ABI baseline.
# Added functions are fine (abidiff exit bit 4); a removed or changed
# function or type (bit 8, "incompatible") or a tool error fails.
#   .ci/check-abi.sh BUILD_DIR            check
#   .ci/check-abi.sh BUILD_DIR --update   rewrite the baseline (after an intended change)
set -uo pipefail
build_dir=$1
library=$(ls "$build_dir"/libbiomatch.so.* 2>/dev/null | head -n 1)
baseline=abi/libbiomatch.abi
headers=core/include/biomatch
[ -n "$library" ] || { echo "no libbiomatch.so.* in $build_dir"; exit 1; }
if [ "${2:-}" = "--update" ]; then
  abidw --headers-dir "$headers" --no-corpus-path --out-file "$baseline" "$library"
  echo "baseline written to $baseline"
  exit 0
fi
abidiff --headers-dir2 "$headers" "$baseline" "$library"
status=$?
if [ $((status & 3)) -ne 0 ] || [ $((status & 8)) -ne 0 ]; then
  echo "ABI check failed (abidiff status $status): an incompatible change to the public ABI"
  exit 1
fi
echo "ABI compatible with the baseline (abidiff status $status)"
