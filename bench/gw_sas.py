#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Writes sa.conf and policy.conf for N tunnels, one per remote host (docs/BENCHMARKING.md).

Remote host i is BASE + i: by default 198.18.0.0 (RFC 2544's benchmarking range,
198.18.0.0/15, up to 131072 hosts); `--base 10.0.0.0` gives room for 16M (10.0.0.0/8;
bench/gw_bench.py --sas and bench/pfkey_rate.c use that range). The local side is
192.0.2.0/24; every tunnel runs between 203.0.113.1 (this gateway) and 203.0.113.2 (the
peer). Policy i covers 192.0.2.0/24 <-> that /32 and binds the SA pair whose inner
selectors equal it (RFC 4301 4.4.2, dpsecd since 881750e): outbound SPI 0x10000000 + i,
inbound 0x20000000 + i, anti-replay off on the inbound SA (a replayed pcap repeats
sequence numbers). Keys are derived from i (key(alg, i) below, also used by gw_bench.py
to encrypt inbound test packets): a benchmark, not a deployment.
With alg "bypass" (gw_bench.py --sas's harness points) policy.conf has the same N
policies with a bypass action and sa.conf no SA: the same lookups, no ESP.
Usage: gw_sas.py N [gcm|cbc|bypass] [DIR] [--base A.B.C.D]
"""
import ipaddress
import os
import sys

SPI_OUT, SPI_IN = 0x10000000, 0x20000000
BASES = {"198.18.0.0": 1 << 17, "10.0.0.0": 1 << 24}


def key(i):
	"""The 16-byte cipher (and HMAC half) key of tunnel i."""
	return (b"%016x" % i)[:16]


def keys(alg, i):
	k = key(i).hex()
	if alg == "gcm":
		return f"encr_alg aes-gcm encrkey {k}01020304"
	return f"encr_alg aes-cbc encrkey {k} auth_alg sha256 authkey {k}{k}"


def remote(base, i):
	return ipaddress.IPv4Address(base) + i


def write_confs(n, alg="gcm", out=".", base="198.18.0.0"):
	"""sa.conf (2n SAs) and policy.conf (n policies) in out; alg "bypass": n bypass
	policies and no SA."""
	if not 1 <= n <= BASES[base] or alg not in ("gcm", "cbc", "bypass"):
		raise ValueError(f"gw_sas: N must be 1..{BASES[base]} for {base}, "
				 "alg gcm|cbc|bypass")
	algs = "encr_algs aes-gcm" if alg == "gcm" else "encr_algs aes-cbc encr_auth_algs sha256"
	action = "bypass {}" if alg == "bypass" else f"ipsec {{ {algs} }}"
	b = int(ipaddress.IPv4Address(base))
	with open(os.path.join(out, "sa.conf"), "w") as sa, \
	     open(os.path.join(out, "policy.conf"), "w") as pol:
		sal, poll = [], []
		for i in range(n):
			r = ipaddress.IPv4Address(b + i)
			poll.append(f"{{ tunnel_src 203.0.113.1 tunnel_dst 203.0.113.2 "
				    f"laddr 192.0.2.0/24 raddr {r}/32 dir both }} {action}\n"
				    if alg != "bypass" else
				    f"{{ laddr 192.0.2.0/24 raddr {r}/32 dir both }} {action}\n")
			if alg == "bypass":
				continue
			k = keys(alg, i)
			sal.append(f"add esp spi {SPI_OUT + i:#x} src 203.0.113.1 dst 203.0.113.2 "
				   f"isrc 192.0.2.0/24 idst {r}/32 {k} outbound\n"
				   f"add esp spi {SPI_IN + i:#x} src 203.0.113.2 dst 203.0.113.1 "
				   f"isrc {r}/32 idst 192.0.2.0/24 {k} replay 0 inbound\n")
			if len(poll) >= 4096:
				sa.write("".join(sal))
				pol.write("".join(poll))
				sal, poll = [], []
		sa.write("".join(sal))
		pol.write("".join(poll))


def main():
	argv = sys.argv[1:]
	base = "198.18.0.0"
	if "--base" in argv:
		j = argv.index("--base")
		base = argv[j + 1] if j + 1 < len(argv) else ""
		del argv[j:j + 2]
	if not argv or base not in BASES:
		sys.exit(__doc__)
	try:
		write_confs(int(argv[0]), argv[1] if len(argv) > 1 else "gcm",
			    argv[2] if len(argv) > 2 else ".", base)
	except ValueError as e:
		sys.exit(f"{e}\n{__doc__}")
	return 0


if __name__ == "__main__":
	sys.exit(main())
