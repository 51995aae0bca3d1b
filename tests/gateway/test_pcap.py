#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""pcap mode end to end: docs/examples/pcap.yaml with scapy as the peer.

Builds protected-in.pcap (cleartext from a host behind the gateway) and
unprotected-in.pcap (ESP from the peer gateway, made by scapy), runs
`dpsecd -c pcap.yaml` in that directory until it exits by itself, then checks
with scapy, decrypting with the configured keys:
  - every protected packet left as tunnel-mode ESP (SPI 0x1000, sequence
    numbers 1..n) whose inner packet is the original with the TTL lowered;
  - every ESP packet from the peer left the protected port as its inner
    packet, TTL lowered, toward the host's MAC; the tampered one did not;
  - a 1480-byte DF packet that would not fit the 1500-byte MTU once
    encapsulated gets ICMP "fragmentation needed" with the tunnel's inner MTU;
    the same packet without DF leaves as two fragments of one ESP packet;
  - two tunnels to the same peer (two remote /25s), each with its own
    outbound SA keyed for its inner networks: each rule uses its own SA;
  - policy: a bypass rule (first by priority) passes one host in the clear
    both ways; a drop rule ahead of the ipsec rule discards another; an ESP
    packet that decrypts to an inner source outside its SA's policy is
    dropped (post-decapsulation check); cleartext from the tunnel's range
    arriving on the unprotected port is dropped.
With WORKERS 2 the gateway runs two workers on three lcores (pinned onto
the machine's CPUs with --lcores): SAs are spread over both owners, so
packets cross between workers (the hand-off rings).
Usage: test_pcap.py DPSECD EXAMPLE_YAML [WORKERS]
"""
import os
import shutil
import subprocess
import sys
import tempfile

from scapy.all import ESP, IP, UDP, ICMP, Ether, Raw, rdpcap, wrpcap
from scapy.layers.ipsec import SecurityAssociation

OUT_KEY = bytes.fromhex("00112233445566778899aabbccddeeff01020304")
IN_KEY = bytes.fromhex("ffeeddccbbaa99887766554433221100a1a2a3a4")
OUT_KEY2 = bytes.fromhex("0f1e2d3c4b5a69788796a5b4c3d2e1f0b1b2b3b4")
REMOTE2 = "198.51.100.200"
GW_IN_MAC, GW_OUT_MAC = "02:00:00:00:00:01", "02:00:00:00:00:02"
HOST_MAC, PEER_MAC = "02:00:00:00:01:0a", "02:00:00:00:02:02"
HOST, REMOTE = "192.0.2.10", "198.51.100.20"
GW_OUT, PEER = "203.0.113.1", "203.0.113.2"

SA_CONF = f"""\
add esp spi 0x1000 src {GW_OUT} dst {PEER} isrc 192.0.2.0/24 idst 198.51.100.0/25 \\
    encr_alg aes-gcm encrkey {OUT_KEY.hex()} outbound
add esp spi 0x1001 src {GW_OUT} dst {PEER} isrc 192.0.2.0/24 idst 198.51.100.128/25 \\
    encr_alg aes-gcm encrkey {OUT_KEY2.hex()} outbound
add esp spi 0x2000 src {PEER} dst {GW_OUT} isrc 198.51.100.0/24 idst 192.0.2.0/24 \\
    encr_alg aes-gcm encrkey {IN_KEY.hex()} inbound
"""
BYPASS_HOST, DISCARD_HOST = "198.51.100.77", "198.51.100.66"
# Bypass rules match first (priority 1000); the drop rule comes before the
# ipsec rule in file order, so it wins for its host inside the tunnel's range.
POLICY_CONF = f"""\
{{ laddr 192.0.2.0/24 raddr {BYPASS_HOST}/32 dir both }} bypass {{}}
{{ laddr 192.0.2.0/24 raddr {DISCARD_HOST}/32 dir out }} drop {{}}
{{ tunnel_src {GW_OUT} tunnel_dst {PEER} laddr 192.0.2.0/24 raddr 198.51.100.0/25 dir both }}
    ipsec {{ encr_algs aes-gcm }}
{{ tunnel_src {GW_OUT} tunnel_dst {PEER} laddr 192.0.2.0/24 raddr 198.51.100.128/25 dir both }}
    ipsec {{ encr_algs aes-gcm }}
"""

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def sa(spi, key):
    out = spi in (0x1000, 0x1001)
    return SecurityAssociation(ESP, spi=spi, crypt_algo="AES-GCM", crypt_key=key,
                               tunnel_header=IP(src=GW_OUT if out else PEER,
                                                dst=PEER if out else GW_OUT))


def check_decrypts(gw, esp, orig, what):
    """esp (an outer IP packet) decrypts with gw to orig with its TTL lowered by one."""
    try:
        dec = gw.decrypt(esp)
    except Exception as e:  # noqa: BLE001 - any failure is the finding
        check(False, f"{what}: decrypts ({e})")
        return
    want = orig.copy()
    want.ttl = orig.ttl - 1
    del want.chksum
    check(bytes(dec) == bytes(IP(bytes(want))),
          f"{what}: inner packet is the original, TTL {orig.ttl - 1}")


def check_fragments(gw, out_path, orig, seq):
    """The DF-clear packet too big once encapsulated left as fragments of one
    outer ESP packet: each fits the 1500-byte MTU, 8-byte aligned offsets,
    together the ESP packet with the next sequence number, which decrypts to
    the original (TTL lowered)."""
    frags = sorted((p for p in rdpcap(out_path)
                    if p.haslayer(IP) and p[IP].proto == 50 and
                    (p[IP].flags.MF or p[IP].frag != 0)), key=lambda p: p[IP].frag)
    check(len(frags) == 2, f"DF-clear packet too big: two outer fragments (got {len(frags)})")
    if len(frags) != 2:
        return
    check(all(p[IP].len <= 1500 for p in frags), "fragments fit the MTU")
    check(len({p[IP].id for p in frags}) == 1 and frags[0][IP].frag == 0 and
          frags[0][IP].flags.MF and not frags[1][IP].flags.MF,
          "fragments: one ID, first with MF, last without")
    payload = b""
    for p in frags:
        raw = bytes(p[IP])
        check(p[IP].frag * 8 == len(payload), f"fragment offset {p[IP].frag * 8} continues")
        payload += raw[p[IP].ihl * 4:p[IP].len]
    whole = IP(bytes(IP(src=GW_OUT, dst=PEER, proto=50, ttl=frags[0][IP].ttl) / payload))
    check(whole.haslayer(ESP) and whole[ESP].spi == 0x1000 and whole[ESP].seq == seq,
          f"reassembled: SPI 0x1000, sequence {seq}")
    check_decrypts(gw, whole, orig, "reassembled")


def main():
    dpsecd, example = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    work = tempfile.mkdtemp(prefix="dpsec-pcap-")
    prefix = f"dpsec-pcap-test-{os.getpid()}"
    try:
        run(dpsecd, example, work, prefix, workers)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        # A crashed dpsecd cannot remove its runtime directory.
        shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


def run(dpsecd, example, work, prefix, workers):
    with open(example) as f:
        yaml = f.read().replace("file_prefix: dpsec-pcap", f"file_prefix: {prefix}")
    if workers > 1:
        cpus = os.cpu_count() or 1
        pins = ",".join(f"{i}@{i % cpus}" for i in range(workers + 1))
        yaml = yaml.replace("  lcores: 0-1\n", f'  args: ["--lcores={pins}"]\n')
        yaml = yaml.replace("  count: 1\n", f"  count: {workers}\n")
        check("--lcores" in yaml and f"count: {workers}" in yaml, f"{workers} workers configured")
    with open(os.path.join(work, "pcap.yaml"), "w") as f:
        f.write(yaml)
    sa_conf = SA_CONF
    if workers > 1:
        # Owners go round robin in load order and the rx queues too (protected
        # port: worker 0, unprotected: worker 1): loading the inbound SA first
        # makes every SA's owner the other worker, so every packet is handed over.
        cmds = SA_CONF.split("add ")[1:]
        sa_conf = "".join("add " + c for c in reversed(cmds))
    with open(os.path.join(work, "sa.conf"), "w") as f:
        f.write(sa_conf)
    with open(os.path.join(work, "policy.conf"), "w") as f:
        f.write(POLICY_CONF)

    plain = []
    for i in range(5):
        plain.append(IP(src=HOST, dst=REMOTE, ttl=64, id=100 + i) /
                     UDP(sport=4000 + i, dport=5000) / Raw(b"out-%d" % i * (1 + 20 * i)))
    plain.append(IP(src=HOST, dst=REMOTE, ttl=64, id=200) / ICMP(id=7, seq=1) / Raw(b"ping"))
    extra = [IP(src=HOST, dst=BYPASS_HOST, ttl=64, id=400) / UDP(sport=1, dport=2) /
             Raw(b"bypass-out"),
             IP(src=HOST, dst=DISCARD_HOST, ttl=64, id=401) / UDP(sport=1, dport=2) /
             Raw(b"discard-out"),
             # The second tunnel's remote network: its own SA (0x1001).
             IP(src=HOST, dst=REMOTE2, ttl=64, id=403) / UDP(sport=7, dport=8) /
             Raw(b"second-tunnel"),
             # 1480 bytes with DF: too big once encapsulated (MTU 1500).
             IP(src=HOST, dst=REMOTE, ttl=64, id=402, flags="DF") / UDP(sport=9, dport=9) /
             Raw(b"b" * 1452),
             # The same size without DF: encapsulated, then the outer packet
             # is fragmented to fit the MTU (RFC 4301 8.1: outer DF clear).
             IP(src=HOST, dst=REMOTE, ttl=64, id=404) / UDP(sport=9, dport=9) /
             Raw(b"f" * 1452)]
    big = extra[-1]
    wrpcap(os.path.join(work, "protected-in.pcap"),
           [Ether(src=HOST_MAC, dst=GW_IN_MAC) / p for p in plain + extra])

    peer = sa(0x2000, IN_KEY)
    inner = [IP(src=REMOTE, dst=HOST, ttl=50, id=300 + i) / UDP(sport=5000, dport=4000 + i) /
             Raw(b"in-%d" % i * (1 + 10 * i)) for i in range(4)]
    esp = [peer.encrypt(p) for p in inner]
    bad = peer.encrypt(IP(src=REMOTE, dst=HOST, id=999) / UDP() / Raw(b"tampered"))
    raw = bytearray(bytes(bad))
    raw[-1] ^= 1
    frames = [Ether(src=PEER_MAC, dst=GW_OUT_MAC) / e for e in esp]
    frames.append(Ether(src=PEER_MAC, dst=GW_OUT_MAC) / IP(bytes(raw)))
    mismatch = peer.encrypt(IP(src="10.9.9.9", dst=HOST, id=998) / UDP() /
                            Raw(b"inner-mismatch"))
    frames.append(Ether(src=PEER_MAC, dst=GW_OUT_MAC) / mismatch)
    frames.append(Ether(src=PEER_MAC, dst=GW_OUT_MAC) /
                  IP(src=BYPASS_HOST, dst=HOST, ttl=30, id=500) / UDP(sport=2, dport=1) /
                  Raw(b"bypass-in"))
    frames.append(Ether(src=PEER_MAC, dst=GW_OUT_MAC) /
                  IP(src=REMOTE, dst=HOST, ttl=30, id=501) / UDP(sport=2, dport=1) /
                  Raw(b"clear-from-tunnel-range"))
    wrpcap(os.path.join(work, "unprotected-in.pcap"), frames)

    try:
        r = subprocess.run([dpsecd, "-c", "pcap.yaml"], cwd=work, timeout=60,
                           capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        check(False, "dpsecd exits by itself once the inputs are consumed")
        return
    sys.stdout.write(r.stderr[-3000:])
    check(r.returncode == 0, f"dpsecd exit status 0 (got {r.returncode})")
    check(not os.path.exists(f"/var/run/dpdk/{prefix}"), "no runtime directory left")
    check(not os.path.exists(os.path.join(work, "pfkey.sock")), "socket removed")

    out_path = os.path.join(work, "unprotected-out.pcap")
    prot_path = os.path.join(work, "protected-out.pcap")
    check(os.path.exists(out_path) and os.path.exists(prot_path), "both outputs written")
    if failures:
        return
    gw = sa(0x1000, OUT_KEY)
    out = [p for p in rdpcap(out_path) if p.haslayer(ESP) and p[ESP].spi == 0x1000 and
           not p[IP].flags.MF and p[IP].frag == 0]
    check(len(out) == len(plain), f"{len(plain)} ESP packets toward the peer (got {len(out)})")
    second = [p for p in rdpcap(out_path) if p.haslayer(ESP) and p[ESP].spi == 0x1001]
    check(len(second) == 1 and second[0][ESP].seq == 1,
          f"second tunnel: one packet on its own SA 0x1001, sequence 1 (got {len(second)})")
    if second:
        dec = sa(0x1001, OUT_KEY2).decrypt(second[0][IP])
        check(dec[IP].dst == REMOTE2 and b"second-tunnel" in bytes(dec),
              "second tunnel: decrypts with its own key to the original")
    for i, (p, orig) in enumerate(zip(out, plain)):
        check(p[Ether].dst == PEER_MAC and p[Ether].src == GW_OUT_MAC, f"out {i}: MACs")
        check(p[IP].src == GW_OUT and p[IP].dst == PEER, f"out {i}: tunnel addresses")
        check(p[ESP].spi == 0x1000 and p[ESP].seq == i + 1, f"out {i}: SPI and sequence")
        check_decrypts(gw, p[IP], orig, f"out {i}")

    check_fragments(gw, out_path, big, len(plain) + 1)

    clear_out = [p for p in rdpcap(out_path) if p.haslayer(IP) and not p.haslayer(ESP) and
                 p[IP].proto != 50]
    check(len(clear_out) == 1 and clear_out[0][IP].dst == BYPASS_HOST and
          clear_out[0][IP].ttl == 63 and clear_out[0][Ether].dst == PEER_MAC,
          f"bypass rule: one packet to {BYPASS_HOST} in the clear (got {len(clear_out)})")
    back = rdpcap(prot_path)
    # RFC 4301 8.2.1: the inner MTU is 1500 - 20 (outer IP) - 8 (ESP) - 8 (IV)
    # - 16 (ICV), rounded down to ESP's 4-byte block, minus the 2-byte trailer.
    too_big = [p for p in back if p.haslayer(ICMP) and p[ICMP].type == 3 and p[ICMP].code == 4]
    check(len(too_big) == 1 and too_big[0][IP].dst == HOST and
          too_big[0][ICMP].nexthopmtu == 1446 and too_big[0][Ether].dst == HOST_MAC,
          "DF-set packet too big for the tunnel: ICMP fragmentation needed, MTU 1446 "
          f"(got {[p[ICMP].nexthopmtu for p in too_big]})")
    bypass_in = [p for p in back if p.haslayer(IP) and p[IP].src == BYPASS_HOST]
    check(len(bypass_in) == 1 and bypass_in[0][IP].ttl == 29,
          f"bypass rule: cleartext from {BYPASS_HOST} reached the host")
    for word in (b"discard-out", b"inner-mismatch", b"clear-from-tunnel-range"):
        check(not any(word in bytes(p) for p in rdpcap(prot_path) + rdpcap(out_path)),
              f"dropped: {word.decode()}")
    ip_back = [p for p in back if p.haslayer(IP) and p[IP].src == REMOTE]
    check(len(ip_back) == len(inner),
          f"{len(inner)} decrypted packets toward the host (got {len(ip_back)})")
    for i, (p, orig) in enumerate(zip(ip_back, inner)):
        check(p[Ether].dst == HOST_MAC and p[Ether].src == GW_IN_MAC, f"in {i}: MACs")
        want = orig.copy()
        want.ttl = 49
        del want.chksum
        check(bytes(p[IP]) == bytes(IP(bytes(want))), f"in {i}: inner packet, TTL 49")
    check(not any(p.haslayer(Raw) and b"tampered" in bytes(p[Raw]) for p in back),
          "the tampered packet was dropped")


if __name__ == "__main__":
    sys.exit(main())
