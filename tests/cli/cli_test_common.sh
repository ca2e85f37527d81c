# Sourced by the command-line test scripts (tests/cli, tests/template), which
# are run as SCRIPT BIOMATCH_EXECUTABLE DATA_DIR: strict mode, the executable
# in $cli, a scratch folder in $work removed on exit, fail MESSAGE, and
# $cli_tests, this folder (synthetic_xyt.py, npy_file.py).
set -euo pipefail
cli=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cli_tests=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PYTHONDONTWRITEBYTECODE=1 # importing npy_file.py leaves nothing in the source tree
