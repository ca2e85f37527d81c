#!/usr/bin/env bash
# Every command: --help (exit 0, "usage: biomatch CMD" on stdout), an unknown
# option exits 2 with the reason on stderr, no progress bar when stderr is
# not a terminal; --json output of the small reporting commands parses.
#   test_cli_polish.sh BIOMATCH_EXECUTABLE DATA_DIR
source "$(dirname "$0")/cli_test_common.sh"

"$cli" --help >"$work/help" || fail "biomatch --help"
commands=$(awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}' "$work/help")
[ "$(echo "$commands" | wc -w)" -ge 14 ] || fail "commands listed: $commands"
for command in $commands; do
  "$cli" "$command" --help >"$work/out" 2>&1 || fail "$command --help exits non-zero"
  grep -q "^usage: biomatch $command" "$work/out" || fail "$command --help has no usage line"
  grep -q "Exit status\|exit status" "$work/out" || [ "$command" = version ] || fail "$command --help does not state its exit status"
  set +e
  "$cli" "$command" --no-such-option </dev/null >"$work/out" 2>"$work/err"
  status=$?
  set -e
  [ $status -eq 2 ] || fail "$command with an unknown option exits $status, not 2"
  [ -s "$work/err" ] || fail "$command with an unknown option says nothing on stderr"
done
set +e
"$cli" no-such-command >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown command: 2"
"$cli" >/dev/null 2>&1; [ $? -eq 2 ] || fail "no command: 2"
set -e

# Progress bars only on a terminal: here stderr is a file, so it stays empty.
unset BIOMATCH_NO_PROGRESS
"$cli" bench --gallery 30 --probes 4 --dedup-batch 2 --threads 1 >/dev/null 2>"$work/err" || fail "bench"
[ ! -s "$work/err" ] || fail "progress drawn into a file: $(head -c 200 "$work/err")"

"$cli" version --json | python3 -c 'import json,sys; v = json.load(sys.stdin); assert v["abi"] == 1 and v["isa"]' ||
  fail "version --json"
echo "polish: all commands checked: $commands" | tr '\n' ' '
