#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# dp_bench.sh: the dataplane benchmark (`make bench-dataplane`).
#
# REPS rounds of:
# 1. the crypto ceiling with dpdk-test-crypto-perf (aesni_mb PMD, one worker
#    lcore, bursts of 32) at the ESP payload+trailer sizes the benchmark's
#    frames give (dpsec-dp-bench --print-sizes), and their IMIX mix;
# 2. dpsec-dp-bench (ESP tunnel IPv4 encap/decap through dp_proc, both
#    engines, both algorithms) once over every point;
# then one table: dpsec's Mpps (min/median/best round) beside the ceiling
# (median/best round) and their ratios.
# A benchmark: it prints figures and asserts none.  See docs/PERFORMANCE.md.
#
# Usage: bench/dp_bench.sh [BUILD_DIR]     (default build-bench)
# Environment: DURATION (s per point and round, 2), REPS (rounds, 3),
#   LCORE (measuring lcore, 1), CP_OPS (crypto-perf ops per size, 2000000),
#   ENGINE (ipsec-mb|cryptodev, default both), ALG (gcm|cbc, default both),
#   NICE (-15: as root both benchmarks run at this nice level, in their own
#   session and autogroup, so that other work on a shared machine takes less
#   of the measured core; 0 = off), PAIRS (paired slices per point and round,
#   20; 0 = off), SLICE_MS (50).
# Paired mode: after each point's timed run, dpsec and an in-process
# reference doing what crypto-perf's throughput test does (aesni_mb vdev,
# same lcore) alternate in SLICE_MS slices; the second table prints the
# median of the per-pair ratios beside the reference's Mops and crypto-perf's.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build-bench}
DURATION=${DURATION:-2}
REPS=${REPS:-3}
LCORE=${LCORE:-1}
CP_OPS=${CP_OPS:-2000000}
cp_bin=${CRYPTO_PERF:-/usr/bin/dpdk-test-crypto-perf}
NICE=${NICE:--15}
PAIRS=${PAIRS:-20}
SLICE_MS=${SLICE_MS:-50}
run=()
if [ "$(id -u)" -eq 0 ] && [ "$NICE" -ne 0 ]; then
	# With sched_autogroup on, nice only ranks processes within a session:
	# a new session whose autogroup gets the nice level too.
	run=(setsid -w sh -c 'echo "$0" >/proc/self/autogroup 2>/dev/null; exec nice -n "$0" "$@"'
		"$NICE")
fi
bench=$build/bench/dpsec-dp-bench

if [ ! -x "$bench" ]; then
	echo "dp_bench: $bench missing; build it with:" >&2
	echo "  meson setup $build --buildtype=release -Db_ndebug=true" >&2
	echo "  meson compile -C $build dpsec-dp-bench" >&2
	exit 1
fi
if [ ! -x "$cp_bin" ]; then
	echo "dp_bench: $cp_bin missing (Debian package dpdk-dev)" >&2
	exit 1
fi
if [ "$LCORE" -eq 0 ]; then
	echo "dp_bench: LCORE must be >= 1 (crypto-perf needs lcore 0 as its main)" >&2
	exit 1
fi

tmp=$(mktemp -d /tmp/dpsec-bench.XXXXXX)
prefixes=()
cleanup() {
	for p in "${prefixes[@]}"; do rm -rf "/var/run/dpdk/$p"; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# --- the machine -------------------------------------------------------------
flags=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' |
	grep -xE 'aes|vaes|vpclmulqdq|avx2|avx512f|avx512vl|sha_ni|gfni' | tr '\n' ' ')
echo "# dpsec dataplane benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "# host: $(uname -srm); cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cpus"
echo "# cpu flags: $flags"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# build: $build ($(meson introspect --buildoptions "$build" 2>/dev/null |
	python3 -c 'import json,sys; o={x["name"]:x["value"] for x in json.load(sys.stdin)};
print("buildtype=%s b_ndebug=%s b_sanitize=%s"
	% (o["buildtype"], o["b_ndebug"], o["b_sanitize"]))' \
	2>/dev/null || echo unknown))"
echo "# WARNING: a shared or loaded machine gives noisy figures: watch min/max and cpu%."
echo "# command: NICE=$NICE DURATION=$DURATION REPS=$REPS LCORE=$LCORE CP_OPS=$CP_OPS" \
	"PAIRS=$PAIRS SLICE_MS=$SLICE_MS" \
	"bench/dp_bench.sh $build" \
	"(nice: $([ ${#run[@]} -gt 0 ] && echo "$NICE" || echo off))"
echo

# --- crypto ceiling ------------------------------------------------------------
read -r _ gcm_sizes < <("$bench" --print-sizes | grep '^gcm')
read -r _ cbc_sizes < <("$bench" --print-sizes | grep '^cbc')
uniq_csv() { tr ' ' '\n' | sort -n -u | paste -sd, -; }
gcm_csv=$(echo $gcm_sizes | uniq_csv)
cbc_csv=$(echo $cbc_sizes | uniq_csv)
# IMIX: the last three sizes (M of 40, 576, 1500-byte packets), 7:4:1.
gcm_imix=$(echo $gcm_sizes | cut -d' ' -f4-6 | tr ' ' ,)
cbc_imix=$(echo $cbc_sizes | cut -d' ' -f4-6 | tr ' ' ,)

cp_common=(--ptest throughput --devtype crypto_aesni_mb --burst-sz 32 --total-ops "$CP_OPS")
gcm=(--optype aead --aead-algo aes-gcm --aead-key-sz 16 --aead-iv-sz 12 --aead-aad-sz 8
	--digest-sz 16)
cbc_c=(--cipher-algo aes-cbc --cipher-key-sz 16 --cipher-iv-sz 16)
cbc_a=(--auth-algo sha2-256-hmac --auth-op generate --auth-key-sz 32 --digest-sz 16)

# run_cp TAG SIZES ARGS...: appends "TAG mops size" lines to $tmp/raw;
# with IMIX=1, SIZES is run as a 7:4:1 mix (--imix) and size reads "imix".
run_cp() {
	local tag=$1 sizes=$2 prefix mix=()
	shift 2
	[ "${IMIX:-0}" -eq 1 ] && mix=(--imix 7,4,1)
	prefix="dpsec-bench-cp-$$-$tag-$RANDOM"
	prefixes+=("$prefix")
	echo "# $cp_bin --no-huge -m 512 --no-pci --vdev crypto_aesni_mb0 -l 0,$LCORE" \
		"--file-prefix $prefix --log-level=error -- ${cp_common[*]} $* --buffer-sz $sizes" \
		"${mix[*]}" \
		>>"$tmp/cmds"
	"${run[@]}" "$cp_bin" --no-huge -m 512 --no-pci --vdev crypto_aesni_mb0 -l "0,$LCORE" \
		--file-prefix "$prefix" --log-level=error -- "${cp_common[@]}" "$@" \
		--buffer-sz "$sizes" "${mix[@]}" >"$tmp/cp.out" 2>&1 || {
		echo "dp_bench: crypto-perf failed:" >&2
		cat "$tmp/cp.out" >&2
		exit 1
	}
	rm -rf "/var/run/dpdk/$prefix"
	# lcore bufsz burst enq deq fail_enq fail_deq MOps Gbps cycles
	awk -v t="$tag" -v mix="${IMIX:-0}" '$1 ~ /^[0-9]+$/ && NF == 10 && $3 == 32 {
		print t, $8, mix == 1 ? "imix" : $2 }' \
		"$tmp/cp.out" >>"$tmp/raw"
}

# --- rounds: crypto-perf, then dpsec, REPS times -------------------------------
# Interleaved so that both meet the same background load over the same
# minutes; each figure keeps its median and its best round.
args=(--duration "$DURATION" --reps 1 --lcore "$LCORE" --pairs "$PAIRS" --slice-ms "$SLICE_MS")
[ -n "${ENGINE:-}" ] && args+=(--engine "$ENGINE")
[ -n "${ALG:-}" ] && args+=(--alg "$ALG")
echo "# $REPS rounds of: crypto-perf ($CP_OPS ops per size), then $bench ${args[*]}"
for r in $(seq "$REPS"); do
	for IMIX in 0 1; do
		g=$gcm_csv c=$cbc_csv
		[ "$IMIX" -eq 1 ] && g=$gcm_imix c=$cbc_imix
		run_cp gcm-enc "$g" "${gcm[@]}" --aead-op encrypt
		run_cp gcm-dec "$g" "${gcm[@]}" --aead-op decrypt
		run_cp cbc-enc "$c" --optype cipher-then-auth "${cbc_c[@]}" --cipher-op encrypt \
			"${cbc_a[@]}"
		# crypto-perf refuses auth-then-cipher with verify without a vector file:
		# decap's ceiling combines CBC decrypt and HMAC generate (verify: the same HMAC).
		run_cp cbc-decc "$c" --optype cipher-only "${cbc_c[@]}" --cipher-op decrypt
		run_cp cbc-deca "$c" --optype auth-only "${cbc_a[@]}"
	done
	IMIX=0
	"${run[@]}" "$bench" "${args[@]}" >"$tmp/dp.out" 2>&1 || {
		cat "$tmp/dp.out" >&2
		exit 1
	}
	grep -E '^(ipsec-mb|cryptodev) ' "$tmp/dp.out" >>"$tmp/dp.rows"
	grep -E '^paired ' "$tmp/dp.out" >>"$tmp/pair.rows" || true
	[ "$r" -eq 1 ] && grep '^#' "$tmp/dp.out" | grep -v 'per point'
	echo "# round $r done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
done
sort -u "$tmp/cmds" | sed 's/-file-prefix [^ ]*/-file-prefix <unique>/' | sort -u

# Median and best (max) per size: "alg dir M median best"; CBC decap
# combines its two runs: 1/(1/cipher + 1/auth).
awk '
	function line(name, tag, s) {
		k = tag " " s
		printf "%s %s %.4f %.4f\n", name, s, med[k], hi[k]
	}
	{ v[$1 " " $3] = v[$1 " " $3] " " $2; sizes[$3] = 1 }
	END {
		for (k in v) {
			n = split(substr(v[k], 2), a, " ")
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
				if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
			med[k] = a[int((n + 1) / 2)]; hi[k] = a[n]
		}
		for (s in sizes) {
			if (("gcm-enc " s) in med) {
				line("gcm enc", "gcm-enc", s)
				line("gcm dec", "gcm-dec", s)
			}
			if (("cbc-enc " s) in med) {
				line("cbc enc", "cbc-enc", s)
				c = "cbc-decc " s; d = "cbc-deca " s
				printf "cbc dec %s %.4f %.4f\n", s, 1 / (1 / med[c] + 1 / med[d]),
					1 / (1 / hi[c] + 1 / hi[d])
			}
		}
	}' "$tmp/raw" | sort -k1,1 -k2,2r -k3,3n >"$tmp/ceilings"
echo "# crypto-perf Mops per round (tag M: round 1 2 ...):"
awk '
	{ k = $1 " " $3; r[k] = r[k] " " $2; if (!(k in seen)) { seen[k] = 1; o[++n] = k } }
	END { for (i = 1; i <= n; i++) printf "#     %-16s%s\n", o[i], r[o[i]] }' "$tmp/raw" |
	sort -k2,2 -k3,3n
echo

# The table.  Ceiling of a frame: crypto-perf at its M; IMIX: crypto-perf's
# own 7:4:1 mix of M(40), M(576), M(1500) (--imix; for CBC+HMAC a mix runs
# ~25 % below the harmonic mean of the three sizes, so it is measured, not
# computed).  ratio = median / median, r.best = best round / best round.
awk '
	function sort_(a, n,   i, j, t) {
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
			if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	}
	function median(list,   a, n) {
		n = split(list, a, " "); sort_(a, n)
		return a[int((n + 1) / 2)]
	}
	function ceiling(alg, dir, innerm, col,   ms, key) {
		split(innerm, ms, "/")
		key = alg " " dir " " (ms[1] == "imix" ? "imix" : ms[2])
		if (!(key in cm)) return 0
		return col == 1 ? cm[key] : cb[key]
	}
	FNR == NR { cm[$1 " " $2 " " $3] = $4; cb[$1 " " $2 " " $3] = $5; next }
	{
		k = $1 " " $2 " " $3 " " $4
		if (!(k in im)) { order[++n] = k; im[k] = $5 }
		mp[k] = mp[k] " " $7; gb[k] = gb[k] " " $9; cpu[k] = cpu[k] " " ($10 + 0)
		rst[k] = rst[k] " " $11; split($NF, d, "/"); bad[k] += d[1] + d[2]
	}
	END {
		printf "%-9s %-4s %-5s %-5s %-18s %6s %6s %6s %6s %4s %6s %6s %6s %6s %6s %s\n",
			"engine", "alg", "dir", "frame", "inner/M", "min", "median", "best",
			"Gbit/s", "cpu%", "rst-ns", "ceil", "c.best", "ratio", "r.best", "drops"
		for (i = 1; i <= n; i++) {
			k = order[i]; split(k, f, " ")
			c = split(substr(mp[k], 2), a, " "); sort_(a, c)
			dir = f[3] == "encap" ? "enc" : "dec"
			c1 = ceiling(f[2], dir, im[k], 1); c2 = ceiling(f[2], dir, im[k], 2)
			printf "%-9s %-4s %-5s %-5s %-18s %6.3f %6.3f %6.3f %6.2f %4.0f %6.1f ",
				f[1], f[2], f[3], f[4], im[k], a[1], median(mp[k]), a[c],
				median(gb[k]), median(cpu[k]), median(rst[k])
			if (c1 > 0)
				printf "%6.3f %6.3f %5.0f%% %5.0f%% ", c1, c2,
					median(mp[k]) / c1 * 100, a[c] / c2 * 100
			else
				printf "%6s %6s %6s %6s ", "-", "-", "-", "-"
			printf "%d\n", bad[k]
		}
	}' "$tmp/ceilings" "$tmp/dp.rows"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# The paired table (PAIRS > 0): per point, over the rounds, the median of
# each round's medians over its pairs.  ratio = dpsec / in-process reference
# in alternating slices on the same lcore (the honest ratio on a noisy
# machine); ref/cp = the in-process reference's Mops / crypto-perf's median
# (how closely the two references agree; CBC decap: crypto-perf's figure is
# decrypt and HMAC combined, the reference runs verify-then-decrypt).
# rst = the bench's own restore per packet (inside cyc; the reference has
# none: decap copies the whole packet back), net = ratio without it,
# dif.net = cyc - rst - cyc.ref.
[ -s "$tmp/pair.rows" ] || exit 0
echo
echo "# paired: $PAIRS pairs of $SLICE_MS ms per point and round; medians over rounds of" \
	"the per-round medians over pairs; cyc = TSC cycles per packet/op"
awk '
	function sort_(a, n,   i, j, t) {
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
			if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	}
	function median(list,   a, n) {
		n = split(list, a, " "); sort_(a, n)
		return a[int((n + 1) / 2)]
	}
	function ceiling(alg, dir, innerm,   ms, key) {
		split(innerm, ms, "/")
		key = alg " " dir " " (ms[1] == "imix" ? "imix" : ms[2])
		return (key in cm) ? cm[key] : 0
	}
	FNR == NR { cm[$1 " " $2 " " $3] = $4; next }
	{
		k = $2 " " $3 " " $4 " " $5
		if (!(k in im)) { order[++n] = k; im[k] = $6 }
		np[k] += $7
		for (c = 8; c <= 18; c++) {
			x = $c; sub(/%$/, "", x); v[k, c] = v[k, c] " " x
		}
	}
	END {
		printf "%-9s %-4s %-5s %-5s %-18s %5s %6s %6s %6s %6s %7s %7s %7s %6s %6s %6s " \
			"%6s %7s %7s\n", "engine", "alg", "dir", "frame", "inner/M", "pairs",
			"dpsec", "ref", "cp", "ref/cp", "ratio", "q1", "q3", "cyc", "cyc.ref",
			"cyc.dif", "rst", "net", "dif.net"
		for (i = 1; i <= n; i++) {
			k = order[i]; split(k, f, " ")
			cp = ceiling(f[2], f[3] == "encap" ? "enc" : "dec", im[k])
			ref = median(v[k, 9]); dc = median(v[k, 13]); rc = median(v[k, 14])
			rs = median(v[k, 17])
			printf "%-9s %-4s %-5s %-5s %-18s %5d %6.3f %6.3f ", f[1], f[2], f[3], f[4],
				im[k], np[k], median(v[k, 8]), ref
			if (cp > 0)
				printf "%6.3f %5.0f%% ", cp, ref / cp * 100
			else
				printf "%6s %6s ", "-", "-"
			printf "%6.1f%% %6.1f%% %6.1f%% %6.0f %6.0f %6.0f %6.0f %6.1f%% %7.0f\n",
				median(v[k, 10]), median(v[k, 11]), median(v[k, 12]), dc, rc, dc - rc,
				rs, median(v[k, 18]), dc - rs - rc
		}
	}' "$tmp/ceilings" "$tmp/pair.rows"
