#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# fuzz/run.sh SECONDS: build the libFuzzer targets in build-fuzz (clang,
# ASan + UBSan) and fuzz pfk_parse/pfk_check for SECONDS seconds, starting
# from the committed seed corpus (fuzz/corpus/pfkey_parse) and the saved
# reproducers (fuzz/regressions).  The committed corpus is never modified:
# the fuzzer works on a temporary copy.
#
# Exits non-zero if the build fails, the fuzzer exits non-zero, or it leaves
# any crash-, leak-, timeout- or oom- file (copied to fuzz/, git-ignored).
# Prints the number of executions.
set -eu

seconds=${1:-60}
case $seconds in
'' | *[!0-9]*)
	echo "usage: $0 SECONDS" >&2
	exit 2
	;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD:-$root/build-fuzz}
target=fuzz_pfkey_parse

cd "$root"
work=$(mktemp -d "${TMPDIR:-/tmp}/dpsec-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# Quiet unless something fails; then the whole output.
quiet() {
	if ! "$@" >"$work/build.log" 2>&1; then
		cat "$work/build.log" >&2
		echo "$0: failed: $*" >&2
		exit 1
	fi
}

if [ ! -f "$build/build.ninja" ]; then
	quiet env CC=clang meson setup "$build" -Dfuzzing=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false
fi
quiet meson compile -C "$build" "$target"
mkdir -p "$work/corpus" "$work/artifacts"
for dir in fuzz/corpus/pfkey_parse fuzz/regressions; do
	if [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
		cp "$dir"/* "$work/corpus/"
	fi
done

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
"$build/fuzz/$target" \
	-max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$work/artifacts/" \
	-dict=fuzz/pfkey.dict \
	"$work/corpus" >"$work/log" 2>&1 || status=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
grep -E '^#[0-9]+.*cov:' "$work/log" | tail -n 1 || true
echo "fuzz_pfkey_parse: ${execs:-0} executions (limit ${seconds}s, fuzzer exit $status)"

findings=$(ls "$work/artifacts" 2>/dev/null | grep -E '^(crash|leak|timeout|oom)-' || true)
if [ "$status" -ne 0 ] || [ -n "$findings" ]; then
	tail -n 60 "$work/log" >&2
	# Kept in fuzz/ (git-ignored) for triage; a confirmed bug's input
	# belongs in fuzz/regressions/.
	for f in $findings; do
		cp "$work/artifacts/$f" fuzz/
		echo "finding saved: fuzz/$f" >&2
	done
	exit 1
fi
