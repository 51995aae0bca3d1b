#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Writes sa.conf and policy.conf for N tunnels, one per remote host (docs/BENCHMARKING.md).

Remote host i is 198.18.0.0/15 + i (RFC 2544's benchmarking range, up to 131072 hosts);
the local side is 192.0.2.0/24; every tunnel runs between 203.0.113.1 (this gateway) and
203.0.113.2 (the peer). Policy i covers 192.0.2.0/24 <-> that /32 and binds the SA pair
whose inner selectors equal it: outbound SPI 0x10000000 + i, inbound 0x20000000 + i,
anti-replay off on the inbound SA (a replayed pcap repeats sequence numbers).
Keys are derived from i: a benchmark, not a deployment.

KNOWN LIMIT (checked 2026-11-24 with 1000 tunnels): dpsecd binds a policy's outbound SA by
the SA's tunnel addresses and algorithm only (control/ctl_publish.c, sa_fits()), not by its
inner selectors (isrc/idst), so with every tunnel toward the same peer all 1000 policies
bound SPI 0x10000000 and every packet left on it. Inbound is unaffected (SAs are found by
SPI). Until binding honours the inner selectors, this file measures N policies, not N
outbound SAs.
Usage: gw_sas.py N [gcm|cbc] [DIR]
"""
import ipaddress
import os
import sys


def keys(alg, i):
	k = (b"%016x" % i)[:16].hex()
	if alg == "gcm":
		return f"encr_alg aes-gcm encrkey {k}01020304"
	return f"encr_alg aes-cbc encrkey {k} auth_alg sha256 authkey {k}{k}"


def main():
	if len(sys.argv) < 2:
		sys.exit(__doc__)
	n = int(sys.argv[1])
	alg = sys.argv[2] if len(sys.argv) > 2 else "gcm"
	out = sys.argv[3] if len(sys.argv) > 3 else "."
	if not 1 <= n <= 131072 or alg not in ("gcm", "cbc"):
		sys.exit(__doc__)
	base = ipaddress.IPv4Address("198.18.0.0")
	algs = "encr_algs aes-gcm" if alg == "gcm" else "encr_algs aes-cbc encr_auth_algs sha256"
	with open(os.path.join(out, "sa.conf"), "w") as sa, \
	     open(os.path.join(out, "policy.conf"), "w") as pol:
		for i in range(n):
			r = base + i
			sa.write(f"add esp spi {0x10000000 + i:#x} src 203.0.113.1 dst 203.0.113.2 "
				 f"isrc 192.0.2.0/24 idst {r}/32 {keys(alg, i)} outbound\n")
			sa.write(f"add esp spi {0x20000000 + i:#x} src 203.0.113.2 dst 203.0.113.1 "
				 f"isrc {r}/32 idst 192.0.2.0/24 {keys(alg, i)} replay 0 inbound\n")
			pol.write(f"{{ tunnel_src 203.0.113.1 tunnel_dst 203.0.113.2 "
				  f"laddr 192.0.2.0/24 raddr {r}/32 dir both }} ipsec {{ {algs} }}\n")
	return 0


if __name__ == "__main__":
	sys.exit(main())
