#!/usr/bin/env bash
# Compares the built libbiomatch.so with the committed ABI baseline.
# Added functions are fine; a removed function or variable (abidiff bit 8),
# a changed one (a public struct or enum that changed layout: bit 4 with a
# non-zero "Changed" count) or a tool error (bits 1, 2) fails.
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
report=$(abidiff --headers-dir2 "$headers" "$baseline" "$library")
status=$?
printf '%s\n' "$report"
changed=$(printf '%s\n' "$report" | grep -E 'changes summary:' | grep -Ev ' 0 Removed(,| ).* 0 Changed' || true)
if [ $((status & 3)) -ne 0 ] || [ $((status & 8)) -ne 0 ] || [ -n "$changed" ]; then
  echo "ABI check failed (abidiff status $status): an incompatible change to the public ABI."
  echo "If the change is intended, bump BM_ABI_VERSION and run: .ci/check-abi.sh BUILD_DIR --update"
  exit 1
fi
echo "ABI compatible with the baseline (abidiff status $status)"
