#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Smoke test of dpsec-pfkey-rate against a real dpsecd (meson suite
# 'control'): start dpsecd with docs/examples/minimal.yaml on a private
# socket and EAL prefix, add 1500 SA pairs and 1500 policies, and check the
# exit status and the counts it printed (ADD 3000, DUMP 3000, SPDADD and
# SPDDELETE 1500, DELETE 3000, no error replies).
# Usage: pfkey_rate_smoke.sh DPSECD PFKEY_RATE CONFIG
set -u
dpsecd=$1 rate=$2 config=$3
dir=$(mktemp -d /tmp/dpsec-pfkey-rate-XXXXXX)
prefix="dpsec-pfkey-rate-$$"
out="$dir/out"
"$dpsecd" -c "$config" -S "$dir/sock" -- --file-prefix "$prefix" >"$dir/dpsecd.log" 2>&1 &
pid=$!
cleanup() {
	kill -TERM "$pid" 2>/dev/null && wait "$pid"
	rm -rf "$dir" "/var/run/dpdk/$prefix"
}
trap cleanup EXIT
i=0
while [ ! -S "$dir/sock" ]; do
	i=$((i + 1))
	if [ $i -gt 300 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "dpsecd did not start"; cat "$dir/dpsecd.log"; exit 1
	fi
	sleep 0.1
done
"$rate" -S "$dir/sock" -n 1500 --pairs -p 1500 -w 64 >"$out" 2>&1
rc=$?
cat "$out"
[ $rc -eq 0 ] || { echo "FAIL: exit $rc"; cat "$dir/dpsecd.log"; exit 1; }
for want in "^ADD  *3000 requests .* errors 0$" "^DUMP  *3000 SAs" \
	"^SPDADD  *1500 requests .* errors 0$" "^SPDDELETE  *1500 requests .* errors 0$" \
	"^DELETE  *3000 requests .* errors 0$"; do
	grep -q "$want" "$out" || { echo "FAIL: no line matching '$want'"; exit 1; }
done
echo "PASS"
