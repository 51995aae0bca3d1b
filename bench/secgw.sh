#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Builds DPDK's ipsec-secgw example once, as the reference of bench/gw_bench.py (issue 6:
# dpsecd against "what DPDK 22.11's ipsec-secgw reaches on the same harness").
#
# Usage: bench/secgw.sh [CACHE_DIR]        (default: build-secgw beside bench/)
#   Prints the path of the built binary on stdout (the only line there); progress and
#   errors on stderr. Exit 0 when built or already built, 2 when the source is missing
#   (dpdk-doc not installed: .ci/install-deps bench), 1 on any other failure.
#
# Source: SECGW_SRC (default /usr/share/dpdk/examples, shipped by Debian's dpdk-doc), its
# ipsec-secgw/ and common/ copied to CACHE_DIR/examples/ and built with the example's own
# Makefile (pkg-config libdpdk, -O3). One change, nothing else: the example asks every port
# for RX checksum offload (port_conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_CHECKSUM), which
# the harness's net_pcap and net_null ports do not offer, and refuses to start without it;
# the patch sets it to 0. secgw's forwarding path never reads the RX checksum flags (it
# only requests the offload at port setup), so the patch changes no per-packet work.
#
# The build is cached: redone only when the source package, libdpdk or this script change
# (CACHE_DIR/stamp).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=$(realpath -m "${1:-$here/../build-secgw}")
src=${SECGW_SRC:-/usr/share/dpdk/examples}
bin=$cache/examples/ipsec-secgw/build/ipsec-secgw

if [ ! -f "$src/ipsec-secgw/ipsec-secgw.c" ] || [ ! -d "$src/common" ]; then
	echo "secgw: no ipsec-secgw source in $src (Debian: apt-get install dpdk-doc," \
		"or .ci/install-deps bench)" >&2
	exit 2
fi
if ! pkg-config --exists libdpdk; then
	echo "secgw: pkg-config finds no libdpdk (apt-get install libdpdk-dev)" >&2
	exit 2
fi

stamp="src=$src doc=$(dpkg-query -W -f='${Version}' dpdk-doc 2>/dev/null || echo none)"
stamp+=" libdpdk=$(pkg-config --modversion libdpdk)"
stamp+=" script=$(sha256sum "$0" | cut -c1-16)"
if [ -x "$bin" ] && [ "$(cat "$cache/stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "$bin"
	exit 0
fi

echo "secgw: building ipsec-secgw from $src into $cache/examples" >&2
rm -rf "$cache/examples" "$cache/stamp"
mkdir -p "$cache/examples"
cp -r "$src/ipsec-secgw" "$src/common" "$cache/examples/"
chmod -R u+w "$cache/examples"

# The one patch (see above). Checked: exactly one such line before, none after.
f=$cache/examples/ipsec-secgw/ipsec-secgw.c
pat='\.offloads = RTE_ETH_RX_OFFLOAD_CHECKSUM,'
if [ "$(grep -c "$pat" "$f")" != 1 ]; then
	echo "secgw: $f: expected one '$pat' line to patch, found $(grep -c "$pat" "$f")" >&2
	exit 1
fi
sed -i "s|$pat|.offloads = 0, /* dpsec bench: net_pcap/net_null offer no RX cksum offload */|" \
	"$f"
grep -q "$pat" "$f" && { echo "secgw: patch did not apply" >&2; exit 1; }

log=$cache/build.log
if ! make -C "$cache/examples/ipsec-secgw" >"$log" 2>&1; then
	tail -30 "$log" >&2
	echo "secgw: build failed (whole log: $log)" >&2
	exit 1
fi
[ -x "$bin" ] || { echo "secgw: make left no $bin" >&2; exit 1; }
echo "$stamp" >"$cache/stamp"
echo "$bin"
