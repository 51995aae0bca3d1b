#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# fuzz/run.sh SECONDS [TARGET...]: build the libFuzzer targets in build-fuzz
# (clang, ASan + UBSan) and fuzz each TARGET for SECONDS seconds, starting
# from its committed seeds and saved reproducers.  Targets, one per parser:
#   pfkey_parse  PF_KEY v2 messages (pfk_parse/pfk_check)   default
#   ipseckey     ipseckey(8) command lines                    default
#   ipsecconf    ipsecconf(8) policy rules                    default
#   config       dpsecd.yaml                                  default
# Seeds: fuzz/corpus/<target>/ (config: docs/examples/*.yaml as well);
# reproducers: fuzz/regressions/<target>/ (pfkey_parse also the files
# directly in fuzz/regressions/).  The committed seeds are never modified:
# the fuzzer works on a temporary copy.
#
# Exits non-zero if a build fails, a fuzzer exits non-zero, or one leaves any
# crash-, leak-, timeout- or oom- file (copied to fuzz/, git-ignored).
# Prints the number of executions per target.
set -eu

seconds=${1:-60}
case $seconds in
'' | *[!0-9]*)
	echo "usage: $0 SECONDS [TARGET...]" >&2
	exit 2
	;;
esac
[ $# -gt 0 ] && shift
targets=${*:-pfkey_parse ipseckey ipsecconf config}

root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD:-$root/build-fuzz}

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

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# copy_seeds DIR...: every regular file of each existing DIR into the corpus.
copy_seeds() {
	for dir in "$@"; do
		[ -d "$dir" ] || continue
		find "$dir" -maxdepth 1 -type f -exec cp {} "$work/corpus/" \;
	done
}

failed=0
for t in $targets; do
	exe=fuzz_$t
	quiet meson compile -C "$build" "$exe"
	rm -rf "$work/corpus" "$work/artifacts"
	mkdir -p "$work/corpus" "$work/artifacts"
	copy_seeds "fuzz/corpus/$t" "fuzz/regressions/$t"
	case $t in
	pfkey_parse) copy_seeds fuzz/regressions ;;
	config) cp docs/examples/*.yaml "$work/corpus/" ;;
	esac
	set -- -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/artifacts/"
	[ -f "fuzz/$t.dict" ] && set -- "$@" -dict="fuzz/$t.dict"
	[ "$t" = pfkey_parse ] && set -- "$@" -dict=fuzz/pfkey.dict

	status=0
	"$build/fuzz/$exe" "$@" "$work/corpus" >"$work/log" 2>&1 || status=$?

	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
	cov=$(grep -E '^#[0-9]+.*cov:' "$work/log" | tail -n 1 | sed -E 's/.*(cov: [0-9]+).*/\1/' || true)
	echo "$exe: ${execs:-0} executions in ${seconds}s, ${cov:-cov: ?}, fuzzer exit $status"

	findings=$(ls "$work/artifacts" 2>/dev/null | grep -E '^(crash|leak|timeout|oom)-' || true)
	if [ "$status" -ne 0 ] || [ -n "$findings" ]; then
		tail -n 60 "$work/log" >&2
		# Kept in fuzz/ (git-ignored) for triage; a confirmed bug's
		# input belongs in fuzz/regressions/<target>/.
		for f in $findings; do
			cp "$work/artifacts/$f" "fuzz/$t-$f"
			echo "finding saved: fuzz/$t-$f" >&2
		done
		failed=1
	fi
done
exit $failed
