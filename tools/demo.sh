#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The built-in demo (README quick start, first command: make demo).
#
# Two dpsecd gateways between two hosts, each in its own network namespace:
#
#   host-a 192.0.2.10 --veth-- [gA-in] gw-a [gA-out] --veth-- [gB-out] gw-b [gB-in] --veth-- host-b
#                                             203.0.113.1     203.0.113.2                 198.51.100.10
#
# The gateways' ports are net_af_packet sockets on veths; each gateway's
# exception TAP (gA-ex, gB-ex) carries its own addresses to its namespace's
# kernel.  SAs and policies come from docs/examples/demo/ (ipseckey -f and
# ipsecconf -a syntax).  The demo pings host-b from host-a through the
# tunnel, runs a short iperf3 (when installed), shows ESP on the wire,
# prints the per-SA counters and tears everything down, also on Ctrl-C.
#
# Usage: tools/demo.sh [BUILD_DIR]   (root: namespaces and DPDK ports)
# Without root, or without dpsecd built, it falls back to the PF_KEY codec
# demo (tools/pfkey_demo.c).
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
demo="$here/docs/examples/demo"
dpsecd="$build/control/dpsecd"
ipseckey="$build/cli/ipseckey"

if [ "$(id -u)" -ne 0 ] || [ ! -x "$dpsecd" ] || ! command -v ip >/dev/null; then
	echo "demo: two-gateway demo needs root, ip(8) and $dpsecd; running the PF_KEY codec demo"
	exec "$build/tools/dpsec-pfkey-demo"
fi

ns_ha=dpsec-hA ns_ga=dpsec-gA ns_gb=dpsec-gB ns_hb=dpsec-hB
work=$(mktemp -d /tmp/dpsec-demo.XXXXXX)
pids=()

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	# The iperf3 server daemonised itself: deleting its namespace would
	# not stop it.
	[ -s "$work/iperf3.pid" ] && kill -TERM "$(cat "$work/iperf3.pid")" 2>/dev/null || true
	for ns in $ns_ha $ns_ga $ns_gb $ns_hb; do
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf /var/run/dpdk/dpsec-demo-a /var/run/dpdk/dpsec-demo-b "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted"; exit 130' INT TERM

step() { printf '\n== %s\n' "$*"; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

step "network namespaces and veths"
for ns in $ns_ha $ns_ga $ns_gb $ns_hb; do
	ip netns del "$ns" 2>/dev/null || true
	ip netns add "$ns"
	in_ns "$ns" ip link set lo up
done
rm -rf /var/run/dpdk/dpsec-demo-a /var/run/dpdk/dpsec-demo-b
ip link add hA-eth0 netns $ns_ha type veth peer name gA-in netns $ns_ga
ip link add gA-out netns $ns_ga type veth peer name gB-out netns $ns_gb
ip link add gB-in netns $ns_gb type veth peer name hB-eth0 netns $ns_hb
for pair in "$ns_ga gA-in" "$ns_ga gA-out" "$ns_gb gB-out" "$ns_gb gB-in"; do
	set -- $pair
	# The kernel keeps its hands off the gateways' ports.
	in_ns "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
	in_ns "$1" ip link set "$2" up
done
in_ns $ns_ha ip addr add 192.0.2.10/24 dev hA-eth0
in_ns $ns_hb ip addr add 198.51.100.10/24 dev hB-eth0
for pair in "$ns_ha hA-eth0 192.0.2.1" "$ns_hb hB-eth0 198.51.100.1"; do
	set -- $pair
	in_ns "$1" ip link set "$2" up
	# veth checksum trap (TESTBED.md): finish checksums in the kernel.
	in_ns "$1" ethtool -K "$2" tx off >/dev/null
	in_ns "$1" ip route add default via "$3"
done

step "two dpsecd gateways (logs: $work/gw-*.log)"
for g in a b; do
	G=${g^^}
	ns=dpsec-g$G
	ip netns exec "$ns" "$dpsecd" -c "$demo/gw-$g.yaml" -S "$work/gw-$g.sock" \
		>"$work/gw-$g.log" 2>&1 &
	pids+=($!)
done
for g in a b; do
	for _ in $(seq 100); do
		[ -S "$work/gw-$g.sock" ] && ip netns exec "dpsec-g${g^^}" ip link show "g${g^^}-ex" \
			>/dev/null 2>&1 && break
		sleep 0.1
	done
	if [ ! -S "$work/gw-$g.sock" ]; then
		echo "demo: gateway $g did not start:"; cat "$work/gw-$g.log"; exit 1
	fi
	# The exception path: the gateway's own address on its TAP, for local
	# daemons (IKE on UDP 500/4500) and ICMP to the gateway.
	G=${g^^}
	addr=203.0.113.1; [ $g = b ] && addr=203.0.113.2
	in_ns "dpsec-g$G" ip addr add "$addr/24" dev "g$G-ex"
	in_ns "dpsec-g$G" ip link set "g$G-ex" up
done
# net_af_packet gave each port's veth the gateway's MAC: give the kernel
# side its own again, or the namespace's kernel would take the gateway's
# frames off the veth as well (weak host model) and answer twice.
for pair in "$ns_ga gA-in fe:01" "$ns_ga gA-out fe:02" "$ns_gb gB-in fe:03" "$ns_gb gB-out fe:04"; do
	set -- $pair
	in_ns "$1" ip link set "$2" address "02:00:00:00:$3"
done

step "SAs loaded in gw-a (ipseckey dump)"
"$ipseckey" -S "$work/gw-a.sock" dump esp 2>&1 | grep -v -i 'key' | head -20 || true

step "capture on the wire between the gateways"
capture=0
if command -v tcpdump >/dev/null; then
	in_ns $ns_ga timeout 8 tcpdump --immediate-mode -U -ni gA-out -c 4 -w "$work/wire.pcap" \
		esp >/dev/null 2>&1 &
	tcpdump_pid=$!
	capture=1
	sleep 1
fi

step "ping host-b (198.51.100.10) from host-a through the tunnel"
# The first packet waits for ARP on both hosts and both gateways.
in_ns $ns_ha ping -c 1 -W 2 198.51.100.10 >/dev/null 2>&1 || true
in_ns $ns_ha ping -c 4 -i 0.3 -W 2 198.51.100.10

step "exception path: gw-a's kernel pings gw-b's address (both TAPs)"
in_ns $ns_ga ping -c 2 -i 0.3 -W 2 203.0.113.2 || echo "(no answer)"

if [ $capture = 1 ]; then
	step "ESP on the wire (tcpdump on gA-out)"
	wait "$tcpdump_pid" 2>/dev/null || true
	tcpdump -nr "$work/wire.pcap" -c 2 2>/dev/null || true
fi

if command -v iperf3 >/dev/null; then
	step "iperf3: 3 seconds of TCP from host-a to host-b through the tunnel"
	in_ns $ns_hb iperf3 -s -D -I "$work/iperf3.pid" >/dev/null 2>&1
	# The daemon may not listen yet on a busy machine: one retry, and say
	# why if there is still no result.
	for try in 1 2; do
		sleep $try
		out=$(in_ns $ns_ha iperf3 -c 198.51.100.10 -t 3 -f m 2>&1) || true
		grep -E 'sender|receiver' <<<"$out" && break
		[ $try -eq 2 ] && echo "(iperf3 gave no result: $(tail -n 1 <<<"$out"))"
	done
else
	echo "(iperf3 not installed: skipping the TCP run)"
fi

step "per-SA counters"
for g in a b; do
	echo "gw-$g:"
	"$ipseckey" -S "$work/gw-$g.sock" dump esp 2>&1 | grep -i -E 'spi|cur|bytes|packets' \
		| grep -v -i 'key' | head -12 || true
done

step "teardown"
