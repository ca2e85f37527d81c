#!/bin/sh
# Builds the C API reference with Doxygen, warnings as errors: every public
# symbol of core/include/biomatch must be documented. Skipped (77) when
# doxygen is not installed.
#   check_api_docs.sh SOURCE_DIR WORK_DIR
set -eu
source_dir=$1
work_dir=$2
if ! command -v doxygen >/dev/null 2>&1; then
  echo "doxygen not installed: API documentation check skipped"
  exit 77
fi
rm -rf "$work_dir"
mkdir -p "$work_dir"
cd "$source_dir"
# Same configuration as docs/Doxyfile, output elsewhere, warnings fatal.
{
  cat docs/Doxyfile
  echo "OUTPUT_DIRECTORY = $work_dir"
  echo "WARN_LOGFILE ="
  echo "WARN_AS_ERROR = FAIL_ON_WARNINGS"
} | doxygen - >"$work_dir/log.txt" 2>&1 || {
  cat "$work_dir/log.txt"
  echo "undocumented or badly documented public symbols (above)"
  exit 1
}
echo "API reference built without warnings: $work_dir/html/index.html"
