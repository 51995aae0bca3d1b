#!/usr/bin/env bash
# Run meson's tests in a build dir and end with one summary line that
# any reader (people, CI) understands: "tests: N passed, N failed".
set -uo pipefail
dir=${1:?usage: run-tests.sh BUILDDIR [meson test args]}
shift
log=$(mktemp)
trap 'rm -f "$log"' EXIT
meson test -C "$dir" --print-errorlogs "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
ok=$(sed -nE 's/^Ok:[[:space:]]+([0-9]+).*/\1/p' "$log" | tail -1)
exp=$(sed -nE 's/^Expected Fail:[[:space:]]+([0-9]+).*/\1/p' "$log" | tail -1)
fail=$(sed -nE 's/^Fail:[[:space:]]+([0-9]+).*/\1/p' "$log" | tail -1)
unexp=$(sed -nE 's/^Unexpected Pass:[[:space:]]+([0-9]+).*/\1/p' "$log" | tail -1)
skip=$(sed -nE 's/^Skipped:[[:space:]]+([0-9]+).*/\1/p' "$log" | tail -1)
tout=$(sed -nE 's/^Timeout:[[:space:]]+([0-9]+).*/\1/p' "$log" | tail -1)
passed=$(( ${ok:-0} + ${exp:-0} ))
failed=$(( ${fail:-0} + ${unexp:-0} + ${tout:-0} ))
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$rc" -ne 0 ]; then failed=1; fi
echo "tests: $passed passed, $failed failed, ${skip:-0} skipped"
exit $rc
