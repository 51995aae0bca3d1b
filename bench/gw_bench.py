#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Whole-gateway benchmark: dpsecd itself on one worker lcore (issue 6, items 1, 2, 5, 6).

For each scenario (algorithm x direction x frame size) it writes a pcap with scapy, runs
`dpsecd -c gw.yaml` with that pcap as an in-process source (net_pcap, infinite_rx=1) and a
net_null sink (no-rx=1), and reads the sink port's `opackets` from dpsecd's own telemetry
(`/dpsec/ports` over the v2 socket) at the start and end of fixed windows after a warm-up.

  outbound: cleartext frames into the protected port, ESP out of the unprotected port
  inbound:  scapy-made ESP into the unprotected port (anti-replay off: the replayed file
            repeats its sequence numbers), cleartext out of the protected port

Frame size F is the cleartext Ethernet frame in both directions (an inbound 64-byte point
receives ESP frames of 64 + tunnel overhead); Gbit/s = Mpps x F x 8 (no preamble/IFG).
IMIX: 64, 576 and 1420-byte frames, 7:4:1 interleaved (1420, not 1514: the ESP packet of
the largest frame must fit the unprotected port's 1500-byte MTU).

References measured in the same run:
  crypto   dpdk-test-crypto-perf, aesni_mb, one lcore, burst 32, same algorithm, buffer the
           ESP payload size of F (bench/dp_bench.sh's command line); CBC+HMAC decrypt is
           1/(1/cipher + 1/auth) of two runs, as there; one run per round, beside that
           round's dpsecd and secgw runs, median over the rounds
  harness  the same dpsecd setup with a bypass policy (cleartext of size F, same ports)
  serial   1/(1/crypto + 1/harness): what one core doing both, one after the other, reaches
  secgw    DPDK 22.11's ipsec-secgw example (bench/secgw.sh builds it from dpdk-doc, one
           patch) on the same pcap, ports, lcore and windows, in each of its ESP modes
           (legacy, librte_ipsec, librte_ipsec + cpu-crypto): the fastest mode's median is
           the reference of issue 6's target, dpsecd >= 1.3 x secgw

--workers W (W > 1): the source port gets W RX queues, one pcap each (net_pcap: a queue
per rx_pcap file), and the setup W tunnels (bench/gw_sas.py, remote hosts 10.0.0.0 + t),
queue q carrying tunnel q, whose SAs dpsecd gives to the worker that polls queue q: W
workers each forward their own share, as RSS and SAs placed by flow do on NICs. Each point
notes every worker's rx / hand-off / tx counts, and flags a worker that received nothing or
a packet handed off. With --sas N, queue q carries the tunnels t = q mod W. --tunnels T
sets the tunnel count of the main table apart from W (T tunnels over W queues), e.g. one
worker on the setup of a two-worker run: --workers 1 --tunnels 2.

Each point is REPS consecutive windows in one dpsecd run: min/median/max over them. With
secgw, ROUNDS runs alternate per point (dpsecd, secgw modes, dpsecd, ...) against this
machine's drift, and the medians pool every window of every round.

Two more modes (docs/BENCHMARKING.md, "Scale" and "Control-plane rate"):
  --sas N1,N2,..  scale: GCM out/in at 64 and 1420 B over N tunnels each (bench/gw_sas.py:
                  2N SAs, N policies, remote hosts 10.0.0.0 + t); every pcap holds
                  --scale-pkts packets (default 4096; net_pcap infinite_rx keeps each in an
                  mbuf of the gateway's 8191-mbuf pool), the flows spread over the N: the
                  same packet working set at every N. After each point its harness: the
                  same pcap through N bypass policies. Reports each N against the first,
                  the harness likewise, the ESP ns per packet beyond it, and load times.
  --cp-rate N     control plane: while dpsecd forwards GCM outbound 64 B, bench's
                  dpsec-pfkey-rate adds N SAs (N/2 pairs) over PF_KEY, dumps them, adds and
                  deletes M policies, deletes the SAs; forwarding before/during/after.
Usage: gw_bench.py [--dpsecd PATH] [--reps N] [--window S] [--warmup S] [--workers N [--tunnels T]]
                   [--algs gcm,cbc] [--dirs out,in] [--frames 64,512,1420,imix]
                   [--csv FILE] [--png FILE] [--quick]
                   [--secgw {auto,off,PATH}] [--secgw-modes legacy,lib,cpu] [--rounds N]
                   [--secgw-smoke]
                   [--sas N1,N2,.. [--scale-pkts P]]
                   [--cp-rate N [--cp-policies M] [--cp-window W] [--pfkey-rate PATH]]
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from scapy.all import ESP, IP, UDP, Ether, Raw, wrpcap
from scapy.layers.ipsec import SecurityAssociation

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gw_sas  # noqa: E402  (bench/gw_sas.py: tunnels, SPIs, keys)

CP_BIN = os.environ.get("CRYPTO_PERF", "/usr/bin/dpdk-test-crypto-perf")
IMIX = [(64, 7), (576, 4), (1420, 1)]
ENC_KEY = bytes.fromhex("00112233445566778899aabbccddeeff")
SALT = bytes.fromhex("01020304")
AUTH_KEY = bytes.fromhex("a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf")
GW_IN_MAC, GW_OUT_MAC = "02:00:00:00:00:01", "02:00:00:00:00:02"
HOST_MAC, PEER_MAC = "02:00:00:00:01:0a", "02:00:00:00:02:02"
HOST, REMOTE = "192.0.2.10", "198.51.100.20"
GW_OUT, PEER = "203.0.113.1", "203.0.113.2"
PKTS = 252  # 21 IMIX cycles of 12; flows spread over the UDP ports

ALGS = {
	# name: (ipseckey keys, ipsecconf algs, scapy kwargs, ESP block, IV, ICV)
	"gcm": ("encr_alg aes-gcm encrkey " + (ENC_KEY + SALT).hex(),
		"encr_algs aes-gcm",
		dict(crypt_algo="AES-GCM", crypt_key=ENC_KEY + SALT), 4, 8, 16),
	"cbc": ("encr_alg aes-cbc encrkey " + ENC_KEY.hex() +
		" auth_alg sha256 authkey " + AUTH_KEY.hex(),
		"encr_algs aes-cbc encr_auth_algs sha256",
		dict(crypt_algo="AES-CBC", crypt_key=ENC_KEY, auth_algo="SHA2-256-128",
		     auth_key=AUTH_KEY), 16, 16, 16),
}
ALG_NAME = {"gcm": "AES-128-GCM", "cbc": "AES-128-CBC+HMAC-SHA256", "bypass": "bypass"}

YAML = """\
eal:
{lcores}  memory_mb: {memory_mb}
  file_prefix: {prefix}
  no_huge: true
  no_pci: true
workers:
  count: {workers}
  idle: busy-poll
socket:
  path: pfkey.sock
ports:
  - name: protected
    device: {prot}
    role: protected
    rx_queues: {prot_rxq}
    addresses: [192.0.2.1/24]
    mac: "{GW_IN_MAC}"
  - name: unprotected
    device: {unprot}
    role: unprotected
    rx_queues: {unprot_rxq}
    addresses: [203.0.113.1/24]
    mac: "{GW_OUT_MAC}"
routes:
  - {{ prefix: 198.51.100.0/24, via: 203.0.113.2, port: unprotected }}
  - {{ prefix: 10.0.0.0/8, via: 203.0.113.2, port: unprotected }}
neighbours:
  - {{ address: 192.0.2.10, mac: "{HOST_MAC}", port: protected }}
  - {{ address: 203.0.113.2, mac: "{PEER_MAC}", port: unprotected }}
telemetry:
  enabled: true
limits:
  max_sas: {max_sas}
  max_policies: {max_policies}
sa: sa.conf
policy: policy.conf
"""


def frame_sizes(frame):
	if frame == "imix":
		return [s for s, n in IMIX for _ in range(n)]
	return [int(frame)]


def mean_frame(frame):
	sizes = frame_sizes(frame)
	return sum(sizes) / len(sizes)


def esp_payload(frame_len, alg):
	"""Bytes the cipher covers for a cleartext frame: inner IP + pad + trailer (2)."""
	block = ALGS[alg][3]
	n = frame_len - 14 + 2
	return (n + block - 1) // block * block


def cleartext(size, i, outbound):
	src, dst = (HOST, REMOTE) if outbound else (REMOTE, HOST)
	pkt = IP(src=src, dst=dst, ttl=64, id=i & 0xffff) / UDP(sport=1024 + i % 64, dport=5000)
	pad = size - 14 - len(pkt)
	return pkt / Raw(b"\x5a" * max(pad, 0))


def write_pcap(path, alg, outbound, frame):
	sizes = frame_sizes(frame)
	frames = []
	sa = None
	if alg != "bypass" and not outbound:
		sa = SecurityAssociation(ESP, spi=0x2000, tunnel_header=IP(src=PEER, dst=GW_OUT),
					 **ALGS[alg][2])
	for i in range(PKTS):
		p = cleartext(sizes[i % len(sizes)], i, outbound)
		if outbound:
			frames.append(Ether(src=HOST_MAC, dst=GW_IN_MAC) / p)
		elif sa is None:
			frames.append(Ether(src=PEER_MAC, dst=GW_OUT_MAC) / p)
		else:
			frames.append(Ether(src=PEER_MAC, dst=GW_OUT_MAC) / sa.encrypt(p))
	wrpcap(path, frames)


def sa_conf(alg):
	keys = ALGS[alg][0]
	return (f"add esp spi 0x1000 src {GW_OUT} dst {PEER} isrc 192.0.2.0/24 "
		f"idst 198.51.100.0/24 {keys} outbound\n"
		f"add esp spi 0x2000 src {PEER} dst {GW_OUT} isrc 198.51.100.0/24 "
		f"idst 192.0.2.0/24 {keys} replay 0 inbound\n")


def policy_conf(alg):
	if alg == "bypass":
		return "{ laddr 192.0.2.0/24 raddr 198.51.100.0/24 dir both } bypass {}\n"
	return (f"{{ tunnel_src {GW_OUT} tunnel_dst {PEER} laddr 192.0.2.0/24 "
		f"raddr 198.51.100.0/24 dir both }}\n    ipsec {{ {ALGS[alg][1]} }}\n")


class Telemetry:
	"""A DPDK telemetry v2 client: one JSON reply per command."""

	def __init__(self, path):
		self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
		self.s.connect(path)
		self.s.recv(16384)  # greeting

	def ask(self, cmd):
		self.s.send(cmd.encode())
		# The reply is keyed by the command without its parameter.
		return json.loads(self.s.recv(1 << 20).decode())[cmd.split(",")[0]]

	def close(self):
		self.s.close()


def scale_pkts(n, cap, queues=1):
	"""The tunnel of each of the cap packets of an N-tunnel pcap: the same packet count at
	every N (the same mbufs, the same packet working set), flows spread over the N.
	N < cap: tunnel j mod N, so that a burst carries as many tunnels as it can (a burst of
	64 at N >= 64: 64 tunnels); N >= cap: tunnels j * N / cap, spread uniformly over all
	N (then cap distinct tunnels per pass), moved to the residue j mod queues with more
	than one queue, so that every queue's pcap gets cap / queues packets (8192 tunnels
	over 4096 packets would otherwise all be even: queue 1 empty)."""
	if n < cap:
		return [j % n for j in range(cap)]
	out = []
	for j in range(cap):
		t = j * n // cap
		if queues > 1:
			t += (j - t) % queues
			if t >= n:
				t -= queues
		out.append(t)
	return out


def tunnel_sa(alg, t):
	"""scapy's SA of tunnel t's inbound direction (bench/gw_sas.py's SPI and keys)."""
	k = gw_sas.key(t)
	kw = dict(crypt_algo="AES-GCM", crypt_key=k + SALT) if alg == "gcm" else \
		dict(crypt_algo="AES-CBC", crypt_key=k, auth_algo="SHA2-256-128", auth_key=k + k)
	return SecurityAssociation(ESP, spi=gw_sas.SPI_IN + t,
				   tunnel_header=IP(src=PEER, dst=GW_OUT), **kw)


def write_scale_pcap(path, outbound, frame, n, cap, esp=True, alg="gcm", queues=1, queue=0):
	"""One packet per entry of scale_pkts(): tunnel t is remote host 10.0.0.0 + t. esp
	False (the harness point): inbound packets are the cleartext ones. queues > 1: only
	the entries of the tunnels t = queue mod queues (the source port's queue `queue`)."""
	sizes = frame_sizes(frame)
	frames = []
	sas = {}
	for j, t in enumerate(scale_pkts(n, cap, queues)):
		if t % queues != queue:
			continue
		r = str(gw_sas.remote("10.0.0.0", t))
		size = sizes[len(frames) % len(sizes)]  # IMIX's mix in every queue's pcap
		src, dst = (HOST, r) if outbound else (r, HOST)
		p = IP(src=src, dst=dst, ttl=64, id=j & 0xffff) / UDP(sport=1024 + j % 64, dport=5000)
		p = p / Raw(b"\x5a" * max(size - 14 - len(p), 0))
		if outbound:
			frames.append(Ether(src=HOST_MAC, dst=GW_IN_MAC) / p)
		elif not esp:
			frames.append(Ether(src=PEER_MAC, dst=GW_OUT_MAC) / p)
		else:
			if t not in sas:
				sas[t] = tunnel_sa(alg, t)
			frames.append(Ether(src=PEER_MAC, dst=GW_OUT_MAC) / sas[t].encrypt(p))
	wrpcap(path, frames)


def write_setup(args, work, alg, outbound, frame, sas=None):
	"""pcap, gw.yaml, sa.conf, policy.conf for one point; returns the gateway's SA and
	policy counts.
	sas=N: N tunnels from bench/gw_sas.py (10.0.0.0 + t, GCM), the pcap over them; alg
	"bypass" with sas: the harness of that point, N bypass policies and no SA.
	With W > 1 workers the source port gets W queues, a pcap each (net_pcap: one RX queue
	per rx_pcap file), queue q the tunnels t = q mod W; without sas there are W tunnels
	(alg's keys), one per queue, PKTS packets each. dpsecd gives the port's queue q to
	worker q (the protected port's; the unprotected port's to worker (1 + q) mod W, after
	the protected port's single queue) and the outbound SA of tunnel t to worker t mod W,
	its inbound SA to (t + 1) mod W (ctl_sa_msg.c): each queue's packets are for SAs its
	worker owns, as RSS and SA placement by flow would give on a NIC. run_point() notes
	any hand-off."""
	# --cp-rate keeps one queue: dpsec-pfkey-rate's tunnels use gw_sas's SPIs and hosts.
	nq = 1 if args.cp_rate else args.workers
	nt = 1 if args.cp_rate else (args.tunnels or args.workers)
	pcap = os.path.join(work, "in.pcap")
	pcaps = [pcap]
	if nq > 1 or (sas is None and nt > 1):
		n = sas or nt
		kind = "bypass" if alg == "bypass" else (alg if sas is None else "gcm")
		cap = args.scale_pkts if sas else PKTS * nt
		# Names relative to dpsecd's directory (work), short: the device string holds
		# one rx_pcap= per queue within dpsecd's 255 characters.
		pcaps = []
		for q in range(nq):
			write_scale_pcap(os.path.join(work, f"q{q}"), outbound, frame, n, cap,
					 kind != "bypass", "gcm" if kind == "bypass" else kind, nq, q)
			pcaps.append(f"q{q}")
		# Fewer tunnels than queues: the last queues are empty (net_pcap cannot replay
		# an empty file); dropping them leaves the others' queue -> worker mapping.
		while len(pcaps) > 1 and n <= len(pcaps) - 1:
			pcaps.pop()
		if getattr(args, "confs_for", None) != (n, kind):
			gw_sas.write_confs(n, kind, work, "10.0.0.0")
			args.confs_for = (n, kind)
		nsas, npols = (0 if kind == "bypass" else 2 * n), n
	elif sas is None:
		write_pcap(pcap, alg, outbound, frame)
		with open(os.path.join(work, "sa.conf"), "w") as f:
			f.write(sa_conf("gcm" if alg == "bypass" else alg))
		with open(os.path.join(work, "policy.conf"), "w") as f:
			f.write(policy_conf(alg))
		nsas, npols = 2, 1
	else:
		kind = "bypass" if alg == "bypass" else "gcm"
		write_scale_pcap(pcap, outbound, frame, sas, args.scale_pkts, kind != "bypass")
		if getattr(args, "confs_for", None) != (sas, kind):
			gw_sas.write_confs(sas, kind, work, "10.0.0.0")
			args.confs_for = (sas, kind)
		nsas, npols = (0 if kind == "bypass" else 2 * sas), sas
	rx = "".join(f"rx_pcap={p}," for p in pcaps)
	if outbound:
		prot, unprot = f"net_pcap0,{rx}infinite_rx=1", "net_null1,no-rx=1"
	else:
		prot, unprot = "net_null0,no-rx=1", f"net_pcap1,{rx}infinite_rx=1"
	prot_rxq, unprot_rxq = (len(pcaps), 1) if outbound else (1, len(pcaps))
	n = sas or 1
	with open(os.path.join(work, "gw.yaml"), "w") as f:
		f.write(YAML.format(lcores=lcores_line(args), prefix=f"dpsec-gwbench-{os.getpid()}",
				    workers=args.workers, prot=prot, unprot=unprot,
				    prot_rxq=prot_rxq, unprot_rxq=unprot_rxq,
				    GW_IN_MAC=GW_IN_MAC, GW_OUT_MAC=GW_OUT_MAC, HOST_MAC=HOST_MAC,
				    PEER_MAC=PEER_MAC,
				    memory_mb=1024 + 4 * (n + args.cp_rate // 2) // 1000,
				    max_sas=max(65536, 2 * n + 2 * args.cp_rate + 64),
				    max_policies=min(1 << 20, max(65536, n + args.cp_policies + 64))))
	return nsas, npols


def oversubscribed(args):
	return args.workers + 1 > (os.cpu_count() or 1)


def lcores_line(args):
	"""eal.lcores: main lcore 0 and one lcore per worker, one CPU each when the machine
	has them; else none here and EAL's --lcores maps them (eal_args())."""
	return "" if oversubscribed(args) else f"  lcores: 0-{args.workers}\n"


def eal_args(args):
	"""More lcores than CPUs: lcore i runs on CPU i mod ncpu (on 2 vCPUs with 2 workers:
	main 0@0, workers 1@1 and 2@0, the second worker beside the mostly idle control
	thread). Such a run shares CPUs: it shows that the hand-off works, not how it scales."""
	if not oversubscribed(args):
		return []
	n = os.cpu_count() or 1
	return ["--", "--lcores", ",".join(f"{i}@{i % n}" for i in range(args.workers + 1))]


def stop_dpdk_app(app, sig, wait_s):
	"""Stops a DPDK process started by Gateway or SecGW (its telemetry connection, sig,
	then SIGKILL after wait_s) and removes its runtime directory; False for __exit__."""
	if app.tel:
		app.tel.close()
	app.proc.send_signal(sig)
	try:
		app.proc.wait(wait_s)
	except subprocess.TimeoutExpired:
		app.proc.kill()
		app.proc.wait()
	app.log.close()
	shutil.rmtree(app.rundir, ignore_errors=True)
	return False


class Gateway:
	"""dpsecd on the setup in work: started, then ready when telemetry reports every SA
	loaded and the ports up; load_s is that time. Stopped (SIGTERM) on exit."""

	def __init__(self, args, work, nsas, npols=1):
		self.args, self.work, self.nsas, self.npols = args, work, nsas, npols
		self.prefix = f"dpsec-gwbench-{os.getpid()}"
		self.tel = None

	def __enter__(self):
		self.rundir = f"/var/run/dpdk/{self.prefix}"
		self.log = open(os.path.join(self.work, "dpsecd.log"), "w")
		t0 = time.monotonic()
		self.proc = subprocess.Popen([self.args.dpsecd, "-c", "gw.yaml"] + eal_args(self.args),
					     cwd=self.work,
					     stdout=self.log, stderr=subprocess.STDOUT)
		deadline = t0 + (self.args.start_timeout or max(120, self.nsas / 2000))
		try:
			while True:
				if self.proc.poll() is not None or time.monotonic() > deadline:
					raise RuntimeError("dpsecd did not start (or load every SA):\n" +
							   open(self.log.name).read()[-4000:])
				try:
					if self.tel is None:
						self.tel = Telemetry(os.path.join(self.rundir,
										  "dpdk_telemetry.v2"))
					info = self.tel.ask("/dpsec/info")
					if info.get("sa_count", 0) >= self.nsas and \
					   info.get("policy_count", 0) >= self.npols and \
					   self.tel.ask("/dpsec/ports"):
						break
				except (OSError, ValueError, KeyError, TypeError, AttributeError):
					if self.tel:
						self.tel.close()
					self.tel = None
				time.sleep(0.2)
			self.load_s = time.monotonic() - t0
			self.info = info
		except BaseException:
			self.__exit__(None, None, None)
			raise
		return self

	def __exit__(self, *exc):
		return stop_dpdk_app(self, signal.SIGTERM, 60)


def worker_counts(tel):
	w = tel.ask("/dpsec/workers")
	return (sum(x["loop"]["rx"] for x in w.values()),
		sum(x["drops_total"] for x in w.values()), w)


def measure(args, opackets):
	"""The warm-up, then args.reps windows of args.window s: Mpps of opackets() in each."""
	time.sleep(args.warmup)
	rates = []
	last = (time.monotonic(), opackets())
	for _ in range(args.reps):
		time.sleep(args.window)
		now = (time.monotonic(), opackets())
		rates.append((now[1] - last[1]) / (now[0] - last[0]) / 1e6)
		last = now
	return rates


def run_point(args, work, alg, outbound, frame, sas=None, written=None):
	"""Runs dpsecd on one scenario; returns a list of Mpps, one per window (and, with
	sas, the load time as args.last_load_s). written: write_setup()'s result when the
	setup is already there."""
	nsas, npols = written or write_setup(args, work, alg, outbound, frame, sas)
	sink_port = "1" if outbound else "0"
	with Gateway(args, work, nsas, npols) as gw:
		tel = gw.tel
		args.last_load_s = gw.load_s
		rates = measure(args, lambda: tel.ask("/dpsec/ports")[sink_port]["opackets"])
		rx, drops, w = worker_counts(tel)
		tag = f"{alg} {'out' if outbound else 'in'} {frame}" + (f" {sas} SAs" if sas else "")
		if max(rates) == 0:
			raise RuntimeError(f"nothing forwarded: /dpsec/workers {json.dumps(w)}")
		if drops > rx / 1000:
			args.notes.append(f"{tag}: {drops} of {rx} received dropped: {json.dumps(w)}")
		if args.workers > 1:
			args.notes.append(f"{tag}: per worker rx/handoff_out/handoff_in/tx: " + "; ".join(
				f"{k}: {x['loop']['rx']}/{x['handoff_out']}/{x['handoff_in']}/"
				f"{x['loop']['tx']}" for k, x in sorted(w.items())))
			# Fewer tunnels than workers leave workers idle: an SA has one owner.
			tunnels = sas or args.tunnels or args.workers
			idle = [k for k, x in sorted(w.items()) if x["loop"]["rx"] == 0] \
				if tunnels >= args.workers else []
			moved = sum(x["handoff_out"] for x in w.values())
			if idle or moved:
				args.notes.append(f"{tag}: WORKERS UNEVEN: received nothing: "
						  f"{','.join(idle) or 'none'}; handed off {moved} "
						  "(each queue's packets should stay on its worker)")
		if sas and alg != "bypass":
			# The spread is real only if the last tunnel's SA carried packets.
			t = max(scale_pkts(sas, args.scale_pkts, 1 if args.cp_rate else args.workers))
			spi = (gw_sas.SPI_OUT if outbound else gw_sas.SPI_IN) + t
			st = tel.ask(f"/dpsec/sa/stats,{spi:#x}")
			if not st.get("packets"):
				args.notes.append(f"{tag}: SA {spi:#x} (tunnel {t}) carried nothing: "
						  f"{json.dumps(st)[:300]}")
		return rates


# DPDK's ipsec-secgw example as the reference (issue 6: dpsecd >= 1.3 x secgw on the same
# harness), built by bench/secgw.sh. Its three ways of doing ESP; the reference of a point
# is the fastest (the issue compares against the best secgw can do):
SECGW_MODES = {
	# name: (secgw options, SA line suffix)
	"legacy": ([], ""),  # its own ESP code, crypto ops through the aesni_mb queue pair
	"lib": (["-l"], ""),  # librte_ipsec, crypto ops through the aesni_mb queue pair
	"cpu": (["-l"], " type cpu-crypto"),  # librte_ipsec, synchronous aesni_mb CPU crypto
}
# A bypass point runs legacy only: secgw sends bypass traffic down the same SP lookup and
# route code in every mode (process_pkts_outbound/inbound differ only for protected
# packets), and librte_ipsec (-l) refuses to start on SAs that no SP rule uses.
SECGW_BYPASS_MODES = ("legacy",)
SECGW_TARGET = 1.3


def colon_hex(b):
	return ":".join(f"{x:02x}" for x in b)


SECGW_KEYS = {
	"gcm": f"aead_algo aes-128-gcm aead_key {colon_hex(ENC_KEY + SALT)}",
	"cbc": f"cipher_algo aes-128-cbc cipher_key {colon_hex(ENC_KEY)} "
	       f"auth_algo sha256-hmac auth_key {colon_hex(AUTH_KEY)}",
}


def secgw_conf(alg, mode):
	"""ipsec-secgw's config for gw.yaml's setup: the same SPIs, keys, tunnel, routes and
	next-hop MACs. Replay window: secgw's default 0 (off), as dpsecd's "replay 0" (the
	replayed pcap repeats its sequence numbers). A bypass setup keeps the SA lines: secgw
	refuses an unprotected port (-u) without an inbound SA."""
	sel = "sport 0:65535 dport 0:65535"
	if alg == "bypass":
		out, inb = "bypass", "bypass"
	else:
		out, inb = "protect 4096", "protect 8192"
	keys = SECGW_KEYS["gcm" if alg == "bypass" else alg] + SECGW_MODES[mode][1]
	return (f"sp ipv4 out esp {out} pri 1 dst 198.51.100.0/24 {sel}\n"
		f"sp ipv4 in esp {inb} pri 1 dst 192.0.2.0/24 {sel}\n"
		f"sa out 4096 {keys} mode ipv4-tunnel src {GW_OUT} dst {PEER}\n"
		f"sa in 8192 {keys} mode ipv4-tunnel src {PEER} dst {GW_OUT}\n"
		f"rt ipv4 dst {PEER}/32 port 1\n"
		"rt ipv4 dst 198.51.100.0/24 port 1\n"
		"rt ipv4 dst 192.0.2.0/24 port 0\n"
		f"neigh port 0 {HOST_MAC}\n"
		f"neigh port 1 {PEER_MAC}\n")


class SecGW:
	"""ipsec-secgw on write_setup()'s pcap, the same ports as dpsecd (pcap source, null
	sink, infinite_rx, no-rx) and the same CPU: one lcore, 1, which is dpsecd's worker
	lcore (secgw forwards on its main lcore; one lcore also because net_pcap has one TX
	queue and secgw wants one per lcore). Ready when the sink has sent a packet.
	sink_pcap (--secgw-smoke): the pcap is sent once, into a net_pcap sink writing there."""

	def __init__(self, args, work, alg, outbound, mode, sink_pcap=None):
		self.args, self.work, self.outbound, self.mode = args, work, outbound, mode
		self.alg, self.sink_pcap = alg, sink_pcap
		self.prefix = f"dpsec-gwbench-sg-{os.getpid()}"
		self.sink = "1" if outbound else "0"
		self.tel = None

	def command(self):
		pcap = os.path.join(self.work, "in.pcap")
		src = f"rx_pcap={pcap}" + ("" if self.sink_pcap else ",infinite_rx=1")
		sink = f"tx_pcap={self.sink_pcap}" if self.sink_pcap else "no-rx=1"
		sink = ("net_pcap" if self.sink_pcap else "net_null") + "{}," + sink
		p0, p1 = (f"net_pcap0,{src}", sink.format(1)) if self.outbound else \
			(sink.format(0), f"net_pcap1,{src}")
		return [self.args.secgw_bin, "-l", "1", "-n", "1", "--no-huge", "-m", "1024",
			"--no-pci", "--file-prefix", self.prefix, "--vdev", p0, "--vdev", p1,
			"--vdev", "crypto_aesni_mb0", "--", "-p", "0x3", "-u", "0x2",
			"--config", "(0,0,1),(1,0,1)", "-f", "secgw.cfg"] + SECGW_MODES[self.mode][0]

	def opackets(self):
		return self.tel.ask(f"/ethdev/stats,{self.sink}")["opackets"]

	def __enter__(self):
		with open(os.path.join(self.work, "secgw.cfg"), "w") as f:
			f.write(secgw_conf(self.alg, self.mode))
		self.rundir = f"/var/run/dpdk/{self.prefix}"
		self.log = open(os.path.join(self.work, "secgw.log"), "w")
		cmd = self.command()
		self.args.secgw_cmds.setdefault(self.mode, " ".join(cmd).replace(self.work, "<work>")
						.replace(self.prefix, "<unique>") +
						(f" (SA lines +{SECGW_MODES[self.mode][1]})"
						 if SECGW_MODES[self.mode][1] else ""))
		self.proc = subprocess.Popen(cmd, cwd=self.work, stdout=self.log,
					     stderr=subprocess.STDOUT)
		deadline = time.monotonic() + 60
		try:
			while True:
				if self.proc.poll() is not None or time.monotonic() > deadline:
					raise RuntimeError(f"ipsec-secgw ({self.mode}) did not forward:\n" +
							   open(self.log.name).read()[-4000:])
				try:
					if self.tel is None:
						self.tel = Telemetry(os.path.join(self.rundir,
										  "dpdk_telemetry.v2"))
					if self.opackets() > 0:
						break
				except (OSError, ValueError, KeyError, TypeError):
					if self.tel:
						self.tel.close()
					self.tel = None
				time.sleep(0.2)
		except BaseException:
			self.__exit__(None, None, None)
			raise
		return self

	def __exit__(self, *exc):
		return stop_dpdk_app(self, signal.SIGINT, 30)


def run_secgw(args, work, alg, outbound, frame, mode):
	"""ipsec-secgw in mode on the setup write_setup() left in work: Mpps per window, the
	same warm-up and windows as run_point()."""
	with SecGW(args, work, alg, outbound, mode) as sg:
		rates = measure(args, sg.opackets)
		src = sg.tel.ask(f"/ethdev/stats,{'0' if sg.sink == '1' else '1'}")
		st = sg.tel.ask(f"/ethdev/stats,{sg.sink}")
	tag = f"secgw {mode} {alg} {'out' if outbound else 'in'} {frame}"
	if max(rates) == 0:
		raise RuntimeError(f"{tag}: nothing forwarded")
	# The two reads are a telemetry round trip apart (thousands of packets on a loaded
	# machine), so only a loss beyond 1 % says secgw drops (a wrong setup drops all).
	if src["ipackets"] - st["opackets"] > src["ipackets"] // 100:
		args.notes.append(f"{tag}: received {src['ipackets']}, sent {st['opackets']}")
	return rates


def resolve_secgw(args):
	"""--secgw: the binary to run, or None with the reason printed. auto builds it
	(bench/secgw.sh, cached) when dpdk-doc's source is there."""
	if args.secgw == "off":
		return None
	if args.secgw != "auto":
		if not os.access(args.secgw, os.X_OK):
			sys.exit(f"--secgw {args.secgw}: not an executable")
		return os.path.abspath(args.secgw)
	here = os.path.dirname(os.path.abspath(__file__))
	sys.stderr.write("secgw: bench/secgw.sh (builds DPDK's ipsec-secgw once, ~15 s)\n")
	r = subprocess.run([os.path.join(here, "secgw.sh"), args.secgw_cache],
			   capture_output=True, text=True)
	if r.returncode == 0:
		return r.stdout.strip().splitlines()[-1]
	why = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else f"exit {r.returncode}"
	print(f"# secgw reference skipped: {why}")
	return None


def secgw_check(args, work, mode, outbound):
	"""secgw in mode sends write_pcap()'s GCM 64 B file once into a pcap sink: every packet
	must come out, outbound as ESP of SPI 0x1000 that decrypts to the packet sent, inbound
	as the cleartext packet inside the ESP. Returns what is wrong, or None."""
	from scapy.all import rdpcap
	out = os.path.join(work, "sink.pcap")
	with SecGW(args, work, "gcm", outbound, mode, sink_pcap=out) as sg:
		deadline = time.monotonic() + 10
		while sg.opackets() < PKTS and time.monotonic() < deadline:
			time.sleep(0.1)
	got = rdpcap(out)
	if len(got) != PKTS:
		return f"{len(got)} packets at the sink, not {PKTS}"
	sa = SecurityAssociation(ESP, spi=0x1000, tunnel_header=IP(src=GW_OUT, dst=PEER),
				 **ALGS["gcm"][2])
	for i, pkt in enumerate(got):
		sent = cleartext(64, i, outbound)
		if outbound:
			if ESP not in pkt or pkt[ESP].spi != 0x1000 or pkt[IP].dst != PEER:
				return f"packet {i} is not ESP SPI 0x1000 to {PEER}: {pkt.summary()}"
			try:
				inner = sa.decrypt(pkt[IP])
			except Exception as e:  # scapy raises its own types on a bad ICV or padding
				return f"packet {i} does not decrypt: {e!r}"
		else:
			inner = pkt[IP]
		if inner.src != sent.src or inner.dst != sent.dst or \
		   bytes(inner[UDP]) != bytes(sent[UDP]):
			return f"packet {i}: {inner.summary()} is not {sent.summary()}"
		if pkt[Ether].dst != (PEER_MAC if outbound else HOST_MAC):
			return f"packet {i}: Ethernet destination {pkt[Ether].dst}"
	return None


def secgw_smoke(args):
	"""--secgw-smoke: each --secgw-modes mode forwards GCM at 64 B correctly, out and in
	(secgw_check()), and forwards GCM out at 64 B for one 1 s window of the benchmark's
	harness. Exit 77 (skip) without the source; 1 on any failure."""
	args.reps, args.window, args.warmup = 1, 1.0, 0.2
	args.secgw_bin = resolve_secgw(args)
	if args.secgw_bin is None:
		return 77
	work = tempfile.mkdtemp(prefix="dpsec-gwbench-")
	bad = 0
	try:
		for m in args.secgw_modes:
			for outbound in (True, False):
				write_setup(args, work, "gcm", outbound, "64")
				try:
					err = secgw_check(args, work, m, outbound)
				except RuntimeError as e:
					err = str(e)
				bad += err is not None
				print(f"{'FAIL' if err else 'ok'}: secgw {m} gcm "
				      f"{'out' if outbound else 'in'} 64 B, {PKTS} packets through a pcap "
				      f"sink: {err or 'every packet as it must be'}")
			write_setup(args, work, "gcm", True, "64")
			r = run_secgw(args, work, "gcm", True, "64", m)
			bad += not r[0] > 0
			print(f"{'ok' if r[0] > 0 else 'FAIL'}: secgw {m} gcm out 64 B into the null "
			      f"sink: {r[0]:.2f} Mpps in a 1 s window")
	finally:
		shutil.rmtree(work, ignore_errors=True)
	for n in args.notes:
		print(f"# NOTE: {n}")
	for m, c in args.secgw_cmds.items():
		print(f"# {m}: {c}")
	return 1 if bad or args.notes else 0


def crypto_perf(args, work, tag, sizes, mix, extra):
	"""One dpdk-test-crypto-perf run (bench/dp_bench.sh's command line); Mops."""
	prefix = f"dpsec-gwbench-cp-{os.getpid()}"
	cmd = [CP_BIN, "--no-huge", "-m", "512", "--no-pci", "--vdev", "crypto_aesni_mb0",
	       "-l", "0,1", "--file-prefix", prefix, "--log-level=error", "--",
	       "--ptest", "throughput", "--devtype", "crypto_aesni_mb", "--burst-sz", "32",
	       "--total-ops", str(args.cp_ops)] + extra + \
	      ["--buffer-sz", ",".join(str(s) for s in sizes)]
	if mix:
		cmd += ["--imix", ",".join(str(n) for _, n in IMIX)]
	if tag not in args.cp_cmds:
		args.cp_cmds[tag] = " ".join(cmd).replace(prefix, "<unique>")
	r = subprocess.run(cmd, capture_output=True, text=True)
	shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
	for line in r.stdout.splitlines():
		f = line.split()
		# lcore bufsz burst enq deq fail_enq fail_deq MOps Gbps cycles
		if len(f) == 10 and f[0].isdigit() and f[2] == "32":
			return float(f[7])
	raise RuntimeError("crypto-perf failed:\n" + r.stdout + r.stderr)


GCM = ["--optype", "aead", "--aead-algo", "aes-gcm", "--aead-key-sz", "16", "--aead-iv-sz",
       "12", "--aead-aad-sz", "8", "--digest-sz", "16"]
CBC_C = ["--cipher-algo", "aes-cbc", "--cipher-key-sz", "16", "--cipher-iv-sz", "16"]
CBC_A = ["--auth-algo", "sha2-256-hmac", "--auth-op", "generate", "--auth-key-sz", "32",
	 "--digest-sz", "16"]


def crypto_ceiling(args, work, alg, outbound, frame):
	mix = frame == "imix"
	sizes = [esp_payload(s, alg) for s in ([s for s, _ in IMIX] if mix else [int(frame)])]
	op = "encrypt" if outbound else "decrypt"
	if alg == "gcm":
		return crypto_perf(args, work, f"gcm-{op}", sizes, mix, GCM + ["--aead-op", op])
	if outbound:
		return crypto_perf(args, work, "cbc-encrypt", sizes, mix,
				   ["--optype", "cipher-then-auth"] + CBC_C +
				   ["--cipher-op", "encrypt"] + CBC_A)
	# crypto-perf refuses auth-then-cipher with verify without a vector file (as in
	# bench/dp_bench.sh): decrypt and HMAC-generate separately, combined serially.
	c = crypto_perf(args, work, "cbc-decrypt-cipher", sizes, mix,
			["--optype", "cipher-only"] + CBC_C + ["--cipher-op", "decrypt"])
	a = crypto_perf(args, work, "cbc-decrypt-auth", sizes, mix, ["--optype", "auth-only"] + CBC_A)
	return 1 / (1 / c + 1 / a)


def summary(v):
	return min(v), statistics.median(v), max(v)


def gnuplot(script, what):
	if not shutil.which("gnuplot"):
		print("# no gnuplot: no PNG (.ci/install-deps bench installs gnuplot-nox)")
		return
	r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
	print(f"# PNG: {what}" if r.returncode == 0 else f"# gnuplot failed: {r.stderr}")


def scale_main(args):
	"""--sas N1,N2,...: GCM out/in over N tunnels (2N SAs, N policies) per point."""
	sas = [int(x) for x in args.sas.split(",")]
	dirs = args.dirs.split(",")
	frames = args.frames.split(",") if args.frames_set else ["64", "1420"]
	work = tempfile.mkdtemp(prefix="dpsec-gwbench-")
	res = {}
	harness = not args.no_scale_harness
	print(f"# scale: AES-128-GCM, N tunnels = 2N SAs + N policies (bench/gw_sas.py, remote "
	      f"hosts 10.0.0.0 + t); every point's pcap holds {args.scale_pkts} packets, tunnel "
	      f"j mod N (N < {args.scale_pkts}) or j * N / {args.scale_pkts}")
	if harness:
		print("# harness: the same pcap (inbound: its cleartext) through N bypass policies, "
		      "no SA, run right after each ESP point")
	sys.stdout.flush()
	try:
		for n in sas:
			for d in dirs:
				for f in frames:
					sys.stderr.write(f"\rscale: {n} tunnels, {d} {f}{'':<30}")
					sys.stderr.flush()
					r = run_point(args, work, "gcm", d == "out", f, sas=n)
					res[n, d, f] = (r, args.last_load_s)
					if harness:
						res[n, d, f, "h"] = run_point(args, work, "bypass",
									      d == "out", f, sas=n)
	finally:
		sys.stderr.write("\n")
		shutil.rmtree(work, ignore_errors=True)
	rows = []
	for n in sas:
		for d in dirs:
			for f in frames:
				r, load = res[n, d, f]
				lo, med, hi = summary(r)
				ref = statistics.median(res[sas[0], d, f][0])
				h = hr = 0.0
				if harness:
					h = statistics.median(res[n, d, f, "h"])
					hr = h / statistics.median(res[sas[0], d, f, "h"])
				rows.append((n, 2 * n, d, f, lo, med, hi, med / ref, load, h, hr,
					     1e3 / med - 1e3 / h if h else 0.0))
	print(f"{'tunnels':>8} {'SAs':>8} {'dir':<3} {'frame':>5} {'Mpps min/med/max':>20} "
	      f"{f'vs {sas[0]}':>8} {'load s':>7}" +
	      (f" {'harness':>8} {f'vs {sas[0]}':>8} {'ESP ns':>7}" if harness else ""))
	for r in rows:
		print(f"{r[0]:>8} {r[1]:>8} {r[2]:<3} {r[3]:>5} {r[4]:6.2f}/{r[5]:6.2f}/{r[6]:6.2f} "
		      f"{r[7]:8.2f} {r[8]:7.1f}" +
		      (f" {r[9]:8.2f} {r[10]:8.2f} {r[11]:7.1f}" if harness else ""))
	print(f"# vs {sas[0]}: median Mpps against the {sas[0]}-tunnel point of the same dir and "
	      f"frame (issue 6 target for 1M vs 1: >= 0.75)")
	if harness:
		print("# harness: median Mpps of the bypass point at the same N (N policies, same "
		      "pcap); ESP ns: ns per packet the ESP point spends beyond its harness")
	print("# load s: dpsecd start until /dpsec/info counts every SA and policy and the ports "
	      "answer (EAL start + config parse + SA and policy load)")
	for n in args.notes:
		print(f"# NOTE: {n}")
	print(f"# load average after: {os.getloadavg()}")
	csv = args.csv or "docs/gw_scale.csv"
	with open(csv, "w") as f:
		f.write("tunnels,sas,dir,frame,Mpps_min,Mpps_med,Mpps_max,vs_first,load_s,"
			"harness_Mpps_med,harness_vs_first,esp_ns_over_harness\n")
		for r in rows:
			f.write(",".join(str(x) if not isinstance(x, float) else f"{x:.4f}" for x in r)
				+ "\n")
	print(f"# CSV: {csv}")
	png = args.png or "docs/gw_scale.png"
	plots = ", ".join(f"'{csv}' using 2:(stringcolumn(3) eq '{d}' && stringcolumn(4) eq '{f}' "
			  f"? $6 : 1/0) with linespoints title 'GCM {d} {f} B'"
			  for d in dirs for f in frames)
	gnuplot(f"""
set terminal png size 900,500
set output '{png}'
set datafile separator ','
set logscale x
set xlabel 'SAs (2 per tunnel; as many policies as tunnels)'
set ylabel 'Mpps (median)'
set yrange [0:*]
set key bottom left
plot {plots}
""", png)


def cprate_main(args):
	"""--cp-rate N: dpsec-pfkey-rate adds N SAs (N/2 pairs) and M policies while dpsecd
	forwards GCM outbound 64 B from a pcap; forwarding before / during / after."""
	work = tempfile.mkdtemp(prefix="dpsec-gwbench-")
	nsas, npols = write_setup(args, work, "gcm", True, args.cp_frame)
	samples = []
	out = os.path.join(work, "pfkey_rate.out")
	try:
		with Gateway(args, work, nsas, npols) as gw:
			tel = gw.tel
			time.sleep(args.warmup)

			def counters():
				p = tel.ask("/dpsec/ports")
				rx, drops, _ = worker_counts(tel)
				return dict(t=time.monotonic(), fwd=p["1"]["opackets"], rx=rx, drops=drops,
					    imissed=p["0"]["imissed"] + p["1"]["imissed"],
					    nombuf=p["0"]["rx_nombuf"] + p["1"]["rx_nombuf"])

			def sample_until(phase, stop):
				last = counters()
				while not stop():
					time.sleep(args.cp_sample)
					now = counters()
					samples.append((now["t"] - t0, (now["fwd"] - last["fwd"]) /
							(now["t"] - last["t"]) / 1e6, phase))
					last = now
				return last

			t0 = time.monotonic()
			c0 = counters()
			span = args.reps * args.window
			c1 = sample_until("before", lambda: time.monotonic() - t0 >= span)
			cmd = [args.pfkey_rate, "-S", os.path.join(work, "pfkey.sock"), "-n",
			       str(args.cp_rate // 2), "--pairs", "-p", str(args.cp_policies),
			       "-w", str(args.cp_window)]
			with open(out, "w") as fo:
				# On the main lcore's CPU, beside the control thread it drives: the
				# workers' CPUs stay theirs (as a key manager would be placed).
				proc = subprocess.Popen(cmd, stdout=fo, stderr=subprocess.STDOUT,
							preexec_fn=lambda: os.sched_setaffinity(0, {0}))
				c2 = sample_until("during", lambda: proc.poll() is not None)
			t2 = time.monotonic()
			c3 = sample_until("after", lambda: time.monotonic() - t2 >= span)
		text = open(out).read()
	finally:
		shutil.rmtree(work, ignore_errors=True)
	print(f"# control-plane rate while forwarding: {' '.join(cmd[:1] + cmd[3:])}")
	print(f"# dataplane: AES-128-GCM outbound {args.cp_frame} B, one SA pair, pcap source, "
	      f"null sink, {args.workers} worker(s); dpsec-pfkey-rate pinned to CPU 0 (main lcore)")
	print(text.rstrip())
	print(f"# pfkey_rate exit status: {proc.returncode}")

	def rate(a, b):
		return (b["fwd"] - a["fwd"]) / (b["t"] - a["t"]) / 1e6
	during = [s[1] for s in samples if s[2] == "during"] or [float("nan")]
	rows = [("before", rate(c0, c1), min(s[1] for s in samples if s[2] == "before"), c0, c1),
		("during", rate(c1, c2), min(during), c1, c2),
		("after", rate(c2, c3), min(s[1] for s in samples if s[2] == "after"), c2, c3)]
	print(f"{'phase':<7} {'seconds':>8} {'Mpps':>7} {'min':>7} {'vs before':>9} "
	      f"{'rx-fwd':>9} {'drops':>7} {'imissed':>8} {'nombuf':>7}")
	for name, r, lo, a, b in rows:
		print(f"{name:<7} {b['t'] - a['t']:8.1f} {r:7.2f} {lo:7.2f} {r / rows[0][1]:9.2f} "
		      f"{(b['rx'] - a['rx']) - (b['fwd'] - a['fwd']):9d} {b['drops'] - a['drops']:7d} "
		      f"{b['imissed'] - a['imissed']:8d} {b['nombuf'] - a['nombuf']:7d}")
	print(f"# Mpps: forwarded (sink opackets) over the phase; min: the lowest "
	      f"{args.cp_sample} s sample")
	print("# rx-fwd: frames the worker received but did not forward in the phase (in flight "
	      "at the edges: a few bursts); drops: /dpsec/workers drops_total; imissed, nombuf: "
	      "/dpsec/ports. A pcap source never overflows, so loss shows as a lower rate.")
	print(f"# load average after: {os.getloadavg()}")
	csv = args.csv or "docs/gw_cprate.csv"
	with open(csv, "w") as f:
		f.write("t_s,Mpps,phase\n")
		for s in samples:
			f.write(f"{s[0]:.2f},{s[1]:.4f},{s[2]}\n")
	print(f"# CSV: {csv}")
	png = args.png or "docs/gw_cprate.png"
	gnuplot(f"""
set terminal png size 900,400
set output '{png}'
set datafile separator ','
set xlabel 'seconds'
set ylabel 'Mpps forwarded'
set yrange [0:*]
plot for [p in "before during after"] '{csv}' using 1:(stringcolumn(3) eq p ? $2 : 1/0) \\
     with points pt 7 ps 0.5 title p
""", png)
	return 0 if proc.returncode == 0 else 1


def main():
	ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	here = os.path.dirname(os.path.abspath(__file__))
	ap.add_argument("--dpsecd", default=os.path.join(here, "..", "build-gbench",
							   "control", "dpsecd"))
	ap.add_argument("--reps", type=int, default=3)
	ap.add_argument("--window", type=float, default=3.0)
	ap.add_argument("--warmup", type=float, default=1.0)
	ap.add_argument("--workers", type=int, default=1)
	ap.add_argument("--tunnels", type=int, default=0, metavar="T",
			help="main table: T tunnels (default: one per worker), for a 1-worker "
			     "run on the same setup as an N-worker one")
	ap.add_argument("--algs", default="gcm,cbc")
	ap.add_argument("--dirs", default="out,in")
	ap.add_argument("--frames", default=None, help="default 64,512,1420,imix; --sas: 64,1420")
	ap.add_argument("--cp-ops", type=int, default=2000000)
	ap.add_argument("--csv", default=None, help="default docs/gw_{bench,scale,cprate}.csv")
	ap.add_argument("--png", default=None, help="default docs/gw_{bench,scale,cprate}.png")
	ap.add_argument("--sas", default=None, metavar="N1,N2,..",
			help="scale mode: GCM over N tunnels (2N SAs, N policies) each")
	ap.add_argument("--scale-pkts", type=int, default=4096,
			help="packets in every scale pcap, flows spread over the N tunnels")
	ap.add_argument("--no-scale-harness", action="store_true",
			help="--sas: skip the bypass point (same pcap, N policies) after each point")
	ap.add_argument("--cp-rate", type=int, default=0, metavar="N",
			help="control-plane mode: add N SAs (N/2 pairs) while forwarding")
	ap.add_argument("--cp-policies", type=int, default=None, metavar="M",
			help="policies added and deleted in --cp-rate (default min(N/2, 1000))")
	ap.add_argument("--cp-window", type=int, default=64, help="PF_KEY requests in flight")
	ap.add_argument("--cp-frame", default="64")
	ap.add_argument("--start-timeout", type=float, default=0,
			help="seconds dpsecd may take to load (default max(120, SAs / 2000))")
	ap.add_argument("--cp-sample", type=float, default=0.5, help="seconds per rate sample")
	ap.add_argument("--pfkey-rate", default=None,
			help="dpsec-pfkey-rate (default: beside dpsecd, ../bench/)")
	ap.add_argument("--quick", action="store_true", help="1 window of 1 s, 0.5 s warm-up")
	ap.add_argument("--secgw", default="auto", metavar="{auto,off,PATH}",
			help="DPDK's ipsec-secgw as the reference: auto builds it (bench/secgw.sh) "
			"when dpdk-doc is installed, else says why not; off; or its binary")
	ap.add_argument("--secgw-cache", default=os.path.join(here, "..", "build-secgw"),
			help="where --secgw auto builds it (default build-secgw/)")
	ap.add_argument("--secgw-modes", default=",".join(SECGW_MODES),
			help="secgw variants run per point, the fastest is the reference "
			f"(default {','.join(SECGW_MODES)})")
	ap.add_argument("--rounds", type=int, default=None,
			help="per point, dpsecd then secgw this many times, alternated; medians "
			"over every window of every round (default 2 with secgw, 1 without)")
	ap.add_argument("--secgw-smoke", action="store_true",
			help="only check that the secgw reference runs (1 s per mode, GCM 64 B)")
	args = ap.parse_args()
	args.secgw_modes = args.secgw_modes.split(",")
	for m in args.secgw_modes:
		if m not in SECGW_MODES:
			ap.error(f"--secgw-modes: {m}: not one of {','.join(SECGW_MODES)}")
	args.secgw_cmds = {}
	if args.quick:
		args.reps, args.window, args.warmup, args.cp_ops = 1, 1.0, 0.5, 500000
	args.dpsecd = os.path.abspath(args.dpsecd)
	if args.pfkey_rate is None:
		args.pfkey_rate = os.path.join(os.path.dirname(os.path.dirname(args.dpsecd)), "bench",
					       "dpsec-pfkey-rate")
	if args.cp_policies is None:
		args.cp_policies = min(args.cp_rate // 2, 1000)
	args.cp_cmds = {}
	args.notes = []
	if not 1 <= args.workers <= 16:
		ap.error("--workers: 1..16 (net_pcap has at most 16 RX queues)")
	if args.tunnels < 0 or args.tunnels > 1 << 16:
		ap.error("--tunnels: 1..65536")
	if args.secgw_smoke:
		if args.workers != 1 or args.tunnels > 1:
			ap.error("--secgw-smoke runs secgw's one-lcore, one-tunnel setup: no --workers "
				 "or --tunnels")
		return secgw_smoke(args)
	args.frames_set = args.frames is not None
	if args.frames is None:
		args.frames = "64,512,1420,imix"
	algs, dirs = args.algs.split(","), args.dirs.split(",")
	frames = args.frames.split(",")

	print(f"# dpsec whole-gateway benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
	print(f"# host: {os.uname().sysname} {os.uname().release}; "
	      f"{os.cpu_count()} cpus; load average before: {os.getloadavg()}")
	print(f"# dpsecd: {os.path.abspath(args.dpsecd)}, {args.workers} worker lcore(s); "
	      f"{args.reps} x {args.window} s windows after {args.warmup} s warm-up")
	print("# WARNING: a shared or loaded machine gives noisy figures: watch min/max.")
	sys.stdout.flush()
	if args.sas:
		return scale_main(args)
	if args.cp_rate:
		return cprate_main(args)
	args.csv = args.csv or "docs/gw_bench.csv"
	args.png = args.png or "docs/gw_bench.png"
	args.secgw_bin = None
	if (args.workers != 1 or args.tunnels > 1) and args.secgw != "off":
		print("# secgw reference skipped: its setup is one lcore and one tunnel, compared "
		      "only with --workers 1 and one tunnel")
	else:
		args.secgw_bin = resolve_secgw(args)
	sg_on = args.secgw_bin is not None
	rounds = args.rounds or (2 if sg_on else 1)
	if sg_on:
		print(f"# secgw: {args.secgw_bin}, modes {','.join(args.secgw_modes)} (bypass: "
		      f"{','.join(SECGW_BYPASS_MODES)}); per point {rounds} rounds of dpsecd then each "
		      f"secgw mode, medians over all windows")
	sys.stdout.flush()

	# bypass is the harness: measured for every dir and frame, never a crypto point.
	points = [(a, d, f) for a in algs if a != "bypass" for d in dirs for f in frames]
	harness_pts = [(d, f) for d in dirs for f in frames]
	bp_modes = list(SECGW_BYPASS_MODES)  # whatever --secgw-modes says (see there)
	runs_per = 1 + (len(args.secgw_modes) if sg_on else 0)
	total = len(points) * rounds * (1 + runs_per) + \
		len(harness_pts) * rounds * (1 + (len(bp_modes) if sg_on else 0))
	done = 0
	work = tempfile.mkdtemp(prefix="dpsec-gwbench-")

	def progress(what):
		sys.stderr.write(f"\r[{done}/{total}] {what:<60}")
		sys.stderr.flush()

	harness, crypto, gw = {}, {}, {}
	sg = {}  # (alg, dir, frame) -> {mode: [Mpps per window over the rounds]}
	cp_rounds = {}  # (alg, dir, frame) -> [crypto-perf Mops per round]

	def interleaved(a, d, f, modes):
		"""rounds x ([crypto-perf,] dpsecd, then secgw in each mode) on one written
		setup.  The crypto ceiling is measured in every round, beside the gateways,
		not once per point: on a shared host it moved 2x within one run."""
		nonlocal done
		written = write_setup(args, work, a, d == "out", f)
		mine, theirs = [], {m: [] for m in modes} if sg_on else {}
		for r in range(rounds):
			if a != "bypass":
				progress(f"crypto-perf {a} {d} {f} (round {r + 1})")
				cp_rounds.setdefault((a, d, f), []).append(
					crypto_ceiling(args, work, a, d == "out", f))
				done += 1
			progress(f"dpsecd {a} {d} {f} (round {r + 1})")
			mine += run_point(args, work, a, d == "out", f, written=written)
			done += 1
			for m in theirs:
				progress(f"secgw {m} {a} {d} {f} (round {r + 1})")
				theirs[m] += run_secgw(args, work, a, d == "out", f, m)
				done += 1
		sg[a, d, f] = theirs
		return mine

	try:
		for d, f in harness_pts:
			harness[d, f] = interleaved("bypass", d, f, bp_modes)
		for a, d, f in points:
			gw[a, d, f] = interleaved(a, d, f, args.secgw_modes)
			crypto[a, d, f] = statistics.median(cp_rounds[a, d, f])
	finally:
		sys.stderr.write("\n")
		shutil.rmtree(work, ignore_errors=True)

	nan = float("nan")

	def secgw_cols(key, med):
		"""secgw_Mpps (the fastest mode's median), its mode, vs_secgw, one column per
		mode."""
		meds = {m: statistics.median(v) for m, v in sg.get(key, {}).items()}
		per = tuple(meds.get(m, nan) for m in SECGW_MODES)
		if not meds:
			return (nan, "-", nan) + per
		best = max(meds, key=meds.get)
		return (meds[best], best, med / meds[best]) + per

	hdr = ("alg", "dir", "frame", "Mpps_min", "Mpps_med", "Mpps_max", "Gbps_med",
	       "crypto_Mops", "harness_Mpps", "serial_Mpps", "vs_crypto", "vs_harness", "vs_serial",
	       "secgw_Mpps", "secgw_mode", "vs_secgw") + \
		tuple(f"secgw_{m}_Mpps" for m in SECGW_MODES)
	rows = []
	for a, d, f in points:
		lo, med, hi = summary(gw[a, d, f])
		c = crypto[a, d, f]
		h = statistics.median(harness[d, f])
		s = 1 / (1 / c + 1 / h)
		rows.append((ALG_NAME[a], d, f, lo, med, hi, med * mean_frame(f) * 8 / 1e3,
			     c, h, s, med / c, med / h, med / s) + secgw_cols((a, d, f), med))
	for d, f in harness_pts:
		lo, med, hi = summary(harness[d, f])
		rows.append(("bypass", d, f, lo, med, hi, med * mean_frame(f) * 8 / 1e3,
			     nan, med, nan, nan, 1.0, nan) + secgw_cols(("bypass", d, f), med))

	print()
	print(f"{'algorithm':<24} {'dir':<3} {'frame':>5} {'Mpps min/med/max':>20} {'Gb/s':>6} "
	      f"{'crypto':>7} {'harness':>7} {'serial':>7} {'/crypto':>7} {'/harn':>6} {'/serial':>7}"
	      + (f" {'secgw':>6} {'mode':<6} {'/secgw':>6}" if sg_on else ""))
	for r in rows:
		print(f"{r[0]:<24} {r[1]:<3} {r[2]:>5} {r[3]:6.2f}/{r[4]:6.2f}/{r[5]:6.2f} "
		      f"{r[6]:6.2f} {r[7]:7.2f} {r[8]:7.2f} {r[9]:7.2f} {r[10]:7.2f} {r[11]:6.2f} "
		      f"{r[12]:7.2f}" + (f" {r[13]:6.2f} {r[14]:<6} {r[15]:6.2f}" if sg_on else ""))
	print("# Mpps: forwarded (sink opackets, /dpsec/ports); Gb/s: Mpps x cleartext frame x 8;")
	print("# crypto: crypto-perf Mops (median of one run per round, beside the gateways); "
	      "harness: bypass Mpps (median); serial: 1/(1/crypto + 1/harness)")
	print("# crypto-perf Mops per round:")
	for a, d, f in points:
		print(f"#   {ALG_NAME[a]:<24} {d:<3} {f:>5} " +
		      " / ".join(f"{x:6.2f}" for x in cp_rounds[a, d, f]))
	if sg_on:
		print(f"# secgw: DPDK {args.secgw_bin.split('/')[-1]} on the same pcap, ports, lcore "
		      f"and windows, median Mpps of its fastest mode; /secgw: dpsecd median over it "
		      f"(issue 6 target: >= {SECGW_TARGET})")
		print(f"# secgw median Mpps per mode ({' / '.join(SECGW_MODES)}):")
		for r in rows:
			print(f"#   {r[0]:<24} {r[1]:<3} {r[2]:>5} " +
			      " / ".join(f"{x:6.2f}" for x in r[16:]))
		print("# secgw command lines (its config: docs/BENCHMARKING.md):")
		for m, c in args.secgw_cmds.items():
			print(f"#   {m}: {c}")
	print("# crypto-perf command lines:")
	for tag, cmd in sorted(args.cp_cmds.items()):
		print(f"#   {tag}: {cmd}")
	for n in args.notes:
		print(f"# NOTE: {n}")
	print(f"# load average after: {os.getloadavg()}")

	with open(args.csv, "w") as f:
		f.write(",".join(hdr) + "\n")
		for r in rows:
			f.write(",".join(x if isinstance(x, str) else f"{x:.4f}" for x in r) + "\n")
	print(f"# CSV: {args.csv}")
	plot(args, rows, sg_on)


def plot(args, rows, sg_on):
	if not shutil.which("gnuplot"):
		print("# no gnuplot: no PNG (apt-get install gnuplot-nox)")
		return
	data = args.csv + ".dat"

	def val(x):
		return "?" if x != x else f"{x:.4f}"  # NaN: gnuplot's missing value
	with open(data, "w") as f:
		for r in rows:
			name = "bypass" if r[0] == "bypass" else r[0].split("-")[2][:3]
			harn = float("nan") if r[0] == "bypass" else r[8]  # bypass: dpsecd itself
			f.write(f'"{name} {r[1]} {r[2]}" {r[4]:.4f} {val(r[7])} {val(harn)} '
				f"{val(r[9])} {val(r[13])}\n")
	secgw = ", '' using 6 title 'ipsec-secgw (fastest mode)'" if sg_on else ""
	script = f"""
set terminal png size 1400,500
set output '{args.png}'
set datafile missing '?'
set style data histograms
set style histogram clustered
set style fill solid 0.8
set ylabel 'Mpps (Mops)'
set yrange [0:*]
set xtics rotate by -45
set key outside right top
plot '{data}' using 2:xtic(1) title 'dpsecd'{secgw}, '' using 5 title 'serial bound', \\
     '' using 4 title 'harness (dpsecd bypass)', '' using 3 title 'crypto-perf'
"""
	r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
	os.unlink(data)
	print(f"# PNG: {args.png}" if r.returncode == 0 else f"# gnuplot failed: {r.stderr}")

if __name__ == "__main__":
	sys.exit(main())
