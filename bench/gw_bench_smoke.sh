#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Smoke test of `make bench` (bench/gw_bench.py, meson suite 'gateway'): the
# whole-gateway benchmark run with short windows against the dpsecd of this
# build, without the secgw reference (suite bench-secgw has that).  Checks
# that each mode runs to its table and CSV with figures in them:
#   - main: GCM out and in at 64 B beside crypto-perf (one run per round)
#     and the bypass harness; every ratio a number, no point flagged for
#     drops;
#   - --sas 1,64: the scale table, 1 and 64 tunnels with their harness;
#   - --cp-rate: SAs and policies through PF_KEY while forwarding, no drop;
#   - --workers 2 (CBC + HMAC, out and in): a pcap per source queue, each
#     worker receives its queue and forwards it with SAs it owns (no worker
#     idle, nothing handed off, nothing dropped: scapy's CBC packets decrypt).
# A benchmark asserts no timing: only that figures exist and are positive.
# Usage: gw_bench_smoke.sh GW_BENCH_PY DPSECD PFKEY_RATE
set -u
py=$1 dpsecd=$2 rate=$3
dir=$(mktemp -d /tmp/dpsec-gwbench-smoke-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
short="--reps 1 --window 0.5 --warmup 0.3 --cp-ops 20000 --secgw off"

# shellcheck disable=SC2086 # $short is a list of options
/usr/bin/python3 "$py" --dpsecd "$dpsecd" $short --algs gcm --dirs out,in --frames 64 \
	--csv "$dir/bench.csv" --png "$dir/bench.png" >"$dir/bench.out" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$dir/bench.out"; fail "gw_bench.py exit $rc"; }
cat "$dir/bench.out"
grep -q "^# crypto-perf Mops per round:" "$dir/bench.out" || fail "no crypto-perf rounds"
grep -q "received dropped" "$dir/bench.out" && fail "a point dropped packets"
# alg,dir,frame,Mpps_min,Mpps_med,Mpps_max,Gbps_med,crypto_Mops,harness_Mpps,serial_Mpps,
# vs_crypto,vs_harness,vs_serial,...
for want in "AES-128-GCM,out,64" "AES-128-GCM,in,64"; do
	awk -F, -v k="$want" '$1","$2","$3 == k && $5 > 0 && $8 > 0 && $9 > 0 &&
		$11 > 0 && $13 > 0 { ok = 1 } END { exit !ok }' "$dir/bench.csv" ||
		fail "no positive figures for $want in the CSV"
done
for want in "bypass,out,64" "bypass,in,64"; do
	awk -F, -v k="$want" '$1","$2","$3 == k && $5 > 0 { ok = 1 } END { exit !ok }' \
		"$dir/bench.csv" || fail "no harness figure for $want"
done

# shellcheck disable=SC2086
/usr/bin/python3 "$py" --dpsecd "$dpsecd" $short --sas 1,64 --dirs out --frames 64 \
	--scale-pkts 256 --csv "$dir/scale.csv" --png "$dir/scale.png" >"$dir/scale.out" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$dir/scale.out"; fail "gw_bench.py --sas exit $rc"; }
cat "$dir/scale.out"
for n in 1 64; do
	grep -Eq "^ +$n +$((2 * n)) out +64 +[0-9.]+/ *[0-9.]*[1-9][0-9.]*/" "$dir/scale.out" ||
		fail "no scale row for $n tunnels"
done

# shellcheck disable=SC2086
/usr/bin/python3 "$py" --dpsecd "$dpsecd" $short --pfkey-rate "$rate" --cp-rate 2000 \
	--cp-policies 200 --cp-sample 0.2 --csv "$dir/cp.csv" --png "$dir/cp.png" \
	>"$dir/cp.out" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$dir/cp.out"; fail "gw_bench.py --cp-rate exit $rc"; }
cat "$dir/cp.out"
grep -q "^# pfkey_rate exit status: 0" "$dir/cp.out" || fail "dpsec-pfkey-rate failed"
grep -Eq "^ADD +2000 requests .* errors 0$" "$dir/cp.out" || fail "no ADD line"
awk '$1 == "during" && $2 > 0 && $3 > 0 && $7 == 0 { ok = 1 } END { exit !ok }' \
	"$dir/cp.out" || fail "no forwarding during the PF_KEY load, or drops"

# shellcheck disable=SC2086
/usr/bin/python3 "$py" --dpsecd "$dpsecd" $short --workers 2 --algs cbc --dirs out,in \
	--frames 64 --csv "$dir/w2.csv" --png "$dir/w2.png" >"$dir/w2.out" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$dir/w2.out"; fail "gw_bench.py --workers 2 exit $rc"; }
cat "$dir/w2.out"
grep -q "WORKERS UNEVEN" "$dir/w2.out" && fail "a worker idle or packets handed off"
grep -q "received dropped" "$dir/w2.out" && fail "a 2-worker point dropped packets"
[ "$(grep -c '^# NOTE: .*per worker rx' "$dir/w2.out")" -eq 4 ] ||
	fail "no per-worker counts for the 4 points"
for want in "AES-128-CBC+HMAC-SHA256,out,64" "AES-128-CBC+HMAC-SHA256,in,64"; do
	awk -F, -v k="$want" '$1","$2","$3 == k && $5 > 0 { ok = 1 } END { exit !ok }' \
		"$dir/w2.csv" || fail "no 2-worker figure for $want"
done
echo "PASS"
