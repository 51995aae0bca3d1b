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
           1/(1/cipher + 1/auth) of two runs, as there
  harness  the same dpsecd setup with a bypass policy (cleartext of size F, same ports)
  serial   1/(1/crypto + 1/harness): what one core doing both, one after the other, reaches

Each point is REPS consecutive windows in one dpsecd run: min/median/max over them.
Usage: gw_bench.py [--dpsecd PATH] [--reps N] [--window S] [--warmup S] [--workers N]
                   [--algs gcm,cbc] [--dirs out,in] [--frames 64,512,1420,imix]
                   [--csv FILE] [--png FILE] [--quick]
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
  lcores: 0-{last}
  memory_mb: 1024
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
    addresses: [192.0.2.1/24]
    mac: "{GW_IN_MAC}"
  - name: unprotected
    device: {unprot}
    role: unprotected
    addresses: [203.0.113.1/24]
    mac: "{GW_OUT_MAC}"
routes:
  - {{ prefix: 198.51.100.0/24, via: 203.0.113.2, port: unprotected }}
neighbours:
  - {{ address: 192.0.2.10, mac: "{HOST_MAC}", port: protected }}
  - {{ address: 203.0.113.2, mac: "{PEER_MAC}", port: unprotected }}
telemetry:
  enabled: true
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


def run_point(args, work, alg, outbound, frame):
	"""Runs dpsecd on one scenario; returns a list of Mpps, one per window."""
	pcap = os.path.join(work, "in.pcap")
	write_pcap(pcap, alg, outbound, frame)
	prefix = f"dpsec-gwbench-{os.getpid()}"
	if outbound:
		prot, unprot = f"net_pcap0,rx_pcap={pcap},infinite_rx=1", "net_null1,no-rx=1"
	else:
		prot, unprot = "net_null0,no-rx=1", f"net_pcap1,rx_pcap={pcap},infinite_rx=1"
	with open(os.path.join(work, "gw.yaml"), "w") as f:
		f.write(YAML.format(last=args.workers, prefix=prefix, workers=args.workers,
				    prot=prot, unprot=unprot, GW_IN_MAC=GW_IN_MAC,
				    GW_OUT_MAC=GW_OUT_MAC, HOST_MAC=HOST_MAC, PEER_MAC=PEER_MAC))
	with open(os.path.join(work, "sa.conf"), "w") as f:
		f.write(sa_conf("gcm" if alg == "bypass" else alg))
	with open(os.path.join(work, "policy.conf"), "w") as f:
		f.write(policy_conf(alg))
	sink_port = "1" if outbound else "0"
	rundir = f"/var/run/dpdk/{prefix}"
	log = open(os.path.join(work, "dpsecd.log"), "w")
	proc = subprocess.Popen([args.dpsecd, "-c", "gw.yaml"], cwd=work, stdout=log,
				stderr=subprocess.STDOUT)
	tel = None
	try:
		deadline = time.monotonic() + 60
		while tel is None:
			if proc.poll() is not None or time.monotonic() > deadline:
				raise RuntimeError("dpsecd did not start:\n" + open(log.name).read())
			try:
				tel = Telemetry(os.path.join(rundir, "dpdk_telemetry.v2"))
				if not tel.ask("/dpsec/ports"):
					tel.close()
					tel = None
			except (OSError, ValueError, KeyError, TypeError):
				tel = None
			if tel is None:
				time.sleep(0.2)
		time.sleep(args.warmup)
		rates = []
		last = (time.monotonic(), tel.ask("/dpsec/ports")[sink_port]["opackets"])
		for _ in range(args.reps):
			time.sleep(args.window)
			now = (time.monotonic(), tel.ask("/dpsec/ports")[sink_port]["opackets"])
			rates.append((now[1] - last[1]) / (now[0] - last[0]) / 1e6)
			last = now
		w = tel.ask("/dpsec/workers")
		if max(rates) == 0:
			raise RuntimeError(f"nothing forwarded: /dpsec/workers {json.dumps(w)}")
		rx = sum(x["loop"]["rx"] for x in w.values())
		drops = sum(x["drops_total"] for x in w.values())
		if drops > rx / 1000:
			args.notes.append(f"{alg} {'out' if outbound else 'in'} {frame}: {drops} of "
					  f"{rx} received dropped: {json.dumps(w)}")
		return rates
	finally:
		if tel:
			tel.close()
		proc.send_signal(signal.SIGTERM)
		try:
			proc.wait(20)
		except subprocess.TimeoutExpired:
			proc.kill()
			proc.wait()
		log.close()
		shutil.rmtree(rundir, ignore_errors=True)


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


def main():
	ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	here = os.path.dirname(os.path.abspath(__file__))
	ap.add_argument("--dpsecd", default=os.path.join(here, "..", "build-gbench",
							   "control", "dpsecd"))
	ap.add_argument("--reps", type=int, default=3)
	ap.add_argument("--window", type=float, default=3.0)
	ap.add_argument("--warmup", type=float, default=1.0)
	ap.add_argument("--workers", type=int, default=1)
	ap.add_argument("--algs", default="gcm,cbc")
	ap.add_argument("--dirs", default="out,in")
	ap.add_argument("--frames", default="64,512,1420,imix")
	ap.add_argument("--cp-ops", type=int, default=2000000)
	ap.add_argument("--csv", default="docs/gw_bench.csv")
	ap.add_argument("--png", default="docs/gw_bench.png")
	ap.add_argument("--quick", action="store_true", help="1 window of 1 s, 0.5 s warm-up")
	args = ap.parse_args()
	if args.quick:
		args.reps, args.window, args.warmup, args.cp_ops = 1, 1.0, 0.5, 500000
	args.dpsecd = os.path.abspath(args.dpsecd)
	args.cp_cmds = {}
	args.notes = []
	algs, dirs = args.algs.split(","), args.dirs.split(",")
	frames = args.frames.split(",")

	print(f"# dpsec whole-gateway benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
	print(f"# host: {os.uname().sysname} {os.uname().release}; "
	      f"{os.cpu_count()} cpus; load average before: {os.getloadavg()}")
	print(f"# dpsecd: {os.path.abspath(args.dpsecd)}, {args.workers} worker lcore(s); "
	      f"{args.reps} x {args.window} s windows after {args.warmup} s warm-up")
	print("# WARNING: a shared or loaded machine gives noisy figures: watch min/max.")
	sys.stdout.flush()

	points = [(a, d, f) for a in algs for d in dirs for f in frames]
	harness_pts = [(d, f) for d in dirs for f in frames]
	total = len(points) * 2 + len(harness_pts)
	done = 0
	work = tempfile.mkdtemp(prefix="dpsec-gwbench-")

	def progress(what):
		sys.stderr.write(f"\r[{done}/{total}] {what:<60}")
		sys.stderr.flush()

	harness, crypto, gw = {}, {}, {}
	try:
		for d, f in harness_pts:
			progress(f"harness (bypass) {d} {f}")
			harness[d, f] = run_point(args, work, "bypass", d == "out", f)
			done += 1
		for a, d, f in points:
			progress(f"crypto-perf {a} {d} {f}")
			crypto[a, d, f] = crypto_ceiling(args, work, a, d == "out", f)
			done += 1
			progress(f"dpsecd {a} {d} {f}")
			gw[a, d, f] = run_point(args, work, a, d == "out", f)
			done += 1
	finally:
		sys.stderr.write("\n")
		shutil.rmtree(work, ignore_errors=True)

	hdr = ("alg", "dir", "frame", "Mpps_min", "Mpps_med", "Mpps_max", "Gbps_med",
	       "crypto_Mops", "harness_Mpps", "serial_Mpps", "vs_crypto", "vs_harness", "vs_serial")
	rows = []
	for a, d, f in points:
		lo, med, hi = summary(gw[a, d, f])
		c = crypto[a, d, f]
		h = statistics.median(harness[d, f])
		s = 1 / (1 / c + 1 / h)
		rows.append((ALG_NAME[a], d, f, lo, med, hi, med * mean_frame(f) * 8 / 1e3,
			     c, h, s, med / c, med / h, med / s))
	for d, f in harness_pts:
		lo, med, hi = summary(harness[d, f])
		rows.append(("bypass", d, f, lo, med, hi, med * mean_frame(f) * 8 / 1e3,
			     float("nan"), med, float("nan"), float("nan"), 1.0, float("nan")))

	print()
	print(f"{'algorithm':<24} {'dir':<3} {'frame':>5} {'Mpps min/med/max':>20} {'Gb/s':>6} "
	      f"{'crypto':>7} {'harness':>7} {'serial':>7} {'/crypto':>7} {'/harn':>6} {'/serial':>7}")
	for r in rows:
		print(f"{r[0]:<24} {r[1]:<3} {r[2]:>5} {r[3]:6.2f}/{r[4]:6.2f}/{r[5]:6.2f} "
		      f"{r[6]:6.2f} {r[7]:7.2f} {r[8]:7.2f} {r[9]:7.2f} {r[10]:7.2f} {r[11]:6.2f} "
		      f"{r[12]:7.2f}")
	print("# Mpps: forwarded (sink opackets, /dpsec/ports); Gb/s: Mpps x cleartext frame x 8;")
	print("# crypto: crypto-perf Mops; harness: bypass Mpps (median); serial: 1/(1/crypto + 1/harness)")
	print("# crypto-perf command lines:")
	for tag, cmd in sorted(args.cp_cmds.items()):
		print(f"#   {tag}: {cmd}")
	for n in args.notes:
		print(f"# DROPS: {n}")
	print(f"# load average after: {os.getloadavg()}")

	with open(args.csv, "w") as f:
		f.write(",".join(hdr) + "\n")
		for r in rows:
			f.write(",".join(x if isinstance(x, str) else f"{x:.4f}" for x in r) + "\n")
	print(f"# CSV: {args.csv}")
	plot(args, rows)


def plot(args, rows):
	if not shutil.which("gnuplot"):
		print("# no gnuplot: no PNG (apt-get install gnuplot-nox)")
		return
	data = args.csv + ".dat"
	with open(data, "w") as f:
		for r in rows:
			if r[0] != "bypass":
				f.write(f'"{r[0].split("-")[2][:3]} {r[1]} {r[2]}" {r[4]:.4f} {r[7]:.4f} '
					f"{r[8]:.4f} {r[9]:.4f}\n")
	script = f"""
set terminal png size 1200,500
set output '{args.png}'
set style data histograms
set style histogram clustered
set style fill solid 0.8
set ylabel 'Mpps (Mops)'
set xtics rotate by -45
set key top right
plot '{data}' using 2:xtic(1) title 'dpsecd', '' using 5 title 'serial bound', \\
     '' using 4 title 'harness (bypass)', '' using 3 title 'crypto-perf'
"""
	r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
	os.unlink(data)
	print(f"# PNG: {args.png}" if r.returncode == 0 else f"# gnuplot failed: {r.stderr}")


if __name__ == "__main__":
	sys.exit(main())
