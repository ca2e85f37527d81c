#!/usr/bin/env bash
# Runs every libFuzzer target built in BUILD_DIR for SECONDS each.
#   tests/fuzz/run-fuzzers.sh BUILD_DIR SECONDS
# Each target starts from its seed corpus (tests/fuzz/corpus/<target>/,
# never modified: new inputs go to a scratch folder under BUILD_DIR).
# Crashes are written to BUILD_DIR/fuzz-artifacts/<target>/; copy one into
# the target's corpus folder to keep it as a regression test.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
seconds=$2
source_dir=$(cd "$(dirname "$0")" && pwd)
shopt -s nullglob
targets=("$build_dir"/tests/fuzz/fuzz_*)
if [ ${#targets[@]} -eq 0 ]; then
  echo "no fuzz targets in $build_dir/tests/fuzz (configure with -DBM_BUILD_FUZZERS=ON)" >&2
  exit 1
fi
failed=0
for binary in "${targets[@]}"; do
  [ -x "$binary" ] || continue
  name=$(basename "$binary")
  seeds="$source_dir/corpus/$name"
  work="$build_dir/fuzz-corpus/$name"
  artifacts="$build_dir/fuzz-artifacts/$name"
  mkdir -p "$work" "$artifacts"
  inputs=("$work")
  [ -d "$seeds" ] && inputs+=("$seeds")
  echo "=== $name: ${seconds}s"
  if ! "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "${inputs[@]}"; then
    echo "FAILED: $name (artifacts in $artifacts)" >&2
    failed=1
  fi
done
exit $failed
