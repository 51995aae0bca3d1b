#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Two dpsecd gateways end to end in network namespaces.

    hA --veth-- [in] gw-a [out] --veth-- [out] gw-b [in] --veth-- hB

Each case configures both gateways (af_packet ports, an exception TAP on the
outside port), loads SAs and policies from ipseckey/ipsecconf files, and
checks:
  - ping from hA to hB through the tunnel, and a TCP transfer (a Python
    socket pair: the receiver counts) that must deliver every byte;
  - the capture on the wire between the gateways (tcpdump on each outside
    veth, which sees the frames arriving there), decrypted by scapy with
    the configured keys: ESP with the right SPIs, increasing sequence
    numbers, and inner packets between hA and hB;
  - the exception path: a UDP datagram to gw-a's address on port 500 from
    gw-b's kernel reaches a socket bound on gw-a's TAP, and its reply comes
    back;
  - clean shut-down on SIGTERM while a ping flood runs: exit 0, no
    /var/run/dpdk directory left.
Cases (tunnel mode): AES-GCM, AES-CBC + HMAC-SHA-256 and ChaCha20-Poly1305
over IPv4; AES-GCM over IPv6 and IPv4 in IPv6; AES-GCM with NAT-T (ESP in
UDP 4500); AH with HMAC-SHA-256.  Transport mode between the gateways:
their kernels' ICMP (through the TAPs) protected, IKE on UDP 500 clear.
Needs root; exits 77 (skipped) without it.  Namespaces, veths and runtime
directories are removed on every exit path.
Usage: test_netns.py DPSECD [CASE...]
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from scapy.all import AH, ESP, IP, IPv6, ICMP, ICMPv6EchoRequest, TCP, UDP, rdpcap
from scapy.layers.ipsec import SecurityAssociation

TAG = f"t{os.getpid() % 100000}"
NS = {n: f"dpsec-{TAG}-{n}" for n in ("hA", "gA", "gB", "hB")}

KEYS = {
    "gcm": dict(sa="encr_alg aes-gcm encrkey {k}", pol="encr_algs aes-gcm",
                k_out="00112233445566778899aabbccddeeff01020304",
                k_in="ffeeddccbbaa99887766554433221100a1a2a3a4",
                scapy=lambda k, a: dict(crypt_algo="AES-GCM", crypt_key=bytes.fromhex(k))),
    "cbc": dict(sa="encr_alg aes encrkey {k} auth_alg sha256 authkey {a}",
                pol="encr_algs aes encr_auth_algs sha256",
                k_out="000102030405060708090a0b0c0d0e0f",
                k_in="f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
                a_out="11" * 32, a_in="22" * 32,
                scapy=lambda k, a: dict(crypt_algo="AES-CBC", crypt_key=bytes.fromhex(k),
                                        auth_algo="SHA2-256-128",
                                        auth_key=bytes.fromhex(a))),
    "ah": dict(sa="auth_alg sha256 authkey {a}", pol="auth_algs sha256", satype="ah",
               k_out="", k_in="", a_out="55" * 32, a_in="66" * 32,
               scapy=lambda k, a: dict(auth_algo="SHA2-256-128", auth_key=bytes.fromhex(a))),
    "chacha": dict(sa="encr_alg chacha20-poly1305 encrkey {k}", pol="encr_algs chacha20-poly1305",
                   k_out="33" * 32 + "01020304", k_in="44" * 32 + "a1a2a3a4",
                   scapy=lambda k, a: dict(crypt_algo="CHACHA20-POLY1305",
                                           crypt_key=bytes.fromhex(k))),
}

INNER = {
    4: dict(hA="192.0.2.10", hB="198.51.100.10", gA_in="192.0.2.1", gB_in="198.51.100.1",
            netA="192.0.2.0/24", netB="198.51.100.0/24", plen=24),
    6: dict(hA="2001:db8:a::10", hB="2001:db8:b::10", gA_in="2001:db8:a::1",
            gB_in="2001:db8:b::1", netA="2001:db8:a::/64", netB="2001:db8:b::/64", plen=64),
}
OUTER = {
    4: dict(gA_out="203.0.113.1", gB_out="203.0.113.2", plen=24, ip=IP),
    6: dict(gA_out="2001:db8:ff::1", gB_out="2001:db8:ff::2", plen=64, ip=IPv6),
}

# name: (algorithm, inner family, outer family, NAT-T)
CASES = {
    "gcm4": ("gcm", 4, 4, False),
    "cbc4": ("cbc", 4, 4, False),
    "chacha4": ("chacha", 4, 4, False),
    "gcm6": ("gcm", 6, 6, False),
    "gcm4in6": ("gcm", 4, 6, False),
    "natt4": ("gcm", 4, 4, True),
    "ah4": ("ah", 4, 4, False),
}


def fam_of(case):
    """Addresses of a case: inner (hosts) and outer (gateways) merged."""
    _, fin, fout, _ = case
    f = dict(INNER[fin])
    f.update({k: v for k, v in OUTER[fout].items() if k != "plen"})
    f["plen_out"] = OUTER[fout]["plen"]
    f["fin"], f["fout"] = fin, fout
    return f

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)
    return cond


def sh(*args, ns=None, check_rc=True, **kw):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(args)
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check_rc and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {r.returncode}: {r.stderr.strip()}")
    return r


def teardown():
    for ns in NS.values():
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
    for g in "ab":
        shutil.rmtree(f"/var/run/dpdk/dpsec-{TAG}-{g}", ignore_errors=True)


def topology(fam):
    f = INNER[fam]
    teardown()
    for ns in NS.values():
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "set", "lo", "up", ns=ns)
    sh("ip", "link", "add", "hA-eth0", "netns", NS["hA"], "type", "veth", "peer", "name", "gA-in",
       "netns", NS["gA"])
    sh("ip", "link", "add", "gA-out", "netns", NS["gA"], "type", "veth", "peer", "name", "gB-out",
       "netns", NS["gB"])
    sh("ip", "link", "add", "gB-in", "netns", NS["gB"], "type", "veth", "peer", "name", "hB-eth0",
       "netns", NS["hB"])
    for ns, dev in ((NS["gA"], "gA-in"), (NS["gA"], "gA-out"), (NS["gB"], "gB-out"),
                    (NS["gB"], "gB-in")):
        sh("sysctl", "-qw", f"net.ipv6.conf.{dev}.disable_ipv6=1", ns=ns)
        sh("ip", "link", "set", dev, "up", ns=ns)
    for h, gw in (("hA", "gA_in"), ("hB", "gB_in")):
        ns, dev = NS[h], f"{h}-eth0"
        extra = ["nodad"] if fam == 6 else []
        sh("ip", "addr", "add", f"{f[h]}/{f['plen']}", "dev", dev, *extra, ns=ns)
        sh("ip", "link", "set", dev, "up", ns=ns)
        # The veth checksum trap (TESTBED.md): the kernel finishes checksums.
        sh("ethtool", "-K", dev, "tx", "off", ns=ns)
        sh("ip", "-6" if fam == 6 else "-4", "route", "add", "default", "via", f[gw], ns=ns)


def write_gateway(work, g, case):
    f, k = fam_of(case), KEYS[case[0]]
    natt = " encap udp nat_lport 4500 nat_rport 4500" if case[3] else ""
    satype = k.get("satype", "esp")
    G = g.upper()
    me_in, me_out = f[f"g{G}_in"], f[f"g{G}_out"]
    peer = f["gB_out"] if g == "a" else f["gA_out"]
    local_net, remote_net = (f["netA"], f["netB"]) if g == "a" else (f["netB"], f["netA"])
    # Only the outer packets are routed toward the peer (the inner ones are
    # encapsulated first); the remote site's route documents the tunnel and
    # needs a next hop of its own family.
    routes = (f'routes:\n  - {{ prefix: "{remote_net}", via: "{peer}", port: outside }}\n'
              if case[1] == case[2] else "")
    yaml = f"""\
eal:
  lcores: 0-1
  memory_mb: 512
  file_prefix: dpsec-{TAG}-{g}
  no_huge: true
  no_pci: true
  log_level: warning
workers:
  count: 1
  idle: adaptive
  sleep_min_us: 10
  sleep_max_us: 1000
ports:
  - name: inside
    device: net_af_packet0,iface=g{G}-in
    role: protected
    addresses: ["{me_in}/{f['plen']}"]
    mac: "02:00:00:00:0{g}:01"
  - name: outside
    device: net_af_packet1,iface=g{G}-out
    role: unprotected
    addresses: ["{me_out}/{f['plen_out']}"]
    mac: "02:00:00:00:0{g}:02"
    exception: g{G}-ex
{routes}telemetry:
  enabled: false
sa: sa-{g}.conf
policy: policy-{g}.conf
"""
    a_to_b = f"src {f['gA_out']} dst {f['gB_out']} isrc {f['netA']} idst {f['netB']}"
    b_to_a = f"src {f['gB_out']} dst {f['gA_out']} isrc {f['netB']} idst {f['netA']}"
    sa_ab = k["sa"].format(k=k["k_out"], a=k.get("a_out", ""))
    sa_ba = k["sa"].format(k=k["k_in"], a=k.get("a_in", ""))
    dir_ab, dir_ba = ("outbound", "inbound") if g == "a" else ("inbound", "outbound")
    # Anti-replay on (128 packets), as a deployment would run it.
    sa = (f"add {satype} spi 0x1000 {a_to_b} {sa_ab}{natt} replay 128 {dir_ab}\n"
          f"add {satype} spi 0x2000 {b_to_a} {sa_ba}{natt} replay 128 {dir_ba}\n")
    pol = (f"{{ tunnel_src {me_out} tunnel_dst {peer} laddr {local_net} raddr {remote_net} "
           f"dir both }} ipsec {{ {k['pol']} }}\n")
    for name, text in ((f"gw-{g}.yaml", yaml), (f"sa-{g}.conf", sa), (f"policy-{g}.conf", pol)):
        with open(os.path.join(work, name), "w") as fh:
            fh.write(text)


def wait_for(pred, seconds):
    end = time.time() + seconds
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.1)
    return False


def tcp_transfer(fam, dst, nbytes=1 << 20):
    """Send nbytes from hA to hB over TCP; True when all arrived."""
    server = ("import socket,sys\n"
              f"s=socket.socket(socket.AF_INET{'6' if fam == 6 else ''});"
              "s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);"
              "s.bind(('',5201));s.listen(1);c,_=s.accept();n=0\n"
              "while True:\n d=c.recv(65536)\n if not d: break\n n+=len(d)\n"
              "print(n)\n")
    srv = subprocess.Popen(["ip", "netns", "exec", NS["hB"], "/usr/bin/python3", "-c", server],
                           stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    client = (f"import socket;s=socket.create_connection(('{dst}',5201),timeout=20);"
              f"s.sendall(b'x'*{nbytes});s.close()")
    sh("/usr/bin/python3", "-c", client, ns=NS["hA"], timeout=60)
    out, _ = srv.communicate(timeout=30)
    return int(out.strip() or 0) == nbytes


def exception_path(fam):
    """UDP 500 to gw-a's own address from gw-b's kernel: both TAPs."""
    f = OUTER[fam]
    af = "socket.AF_INET6" if fam == 6 else "socket.AF_INET"
    server = (f"import socket;s=socket.socket({af},socket.SOCK_DGRAM);"
              f"s.bind(('{f['gA_out']}',500));s.settimeout(15);d,a=s.recvfrom(100);"
              "s.sendto(b'reply:'+d,a)")
    srv = subprocess.Popen(["ip", "netns", "exec", NS["gA"], "/usr/bin/python3", "-c", server])
    time.sleep(0.5)
    client = (f"import socket;s=socket.socket({af},socket.SOCK_DGRAM);s.settimeout(3)\n"
              "for i in range(4):\n"
              f" s.sendto(b'ike',('{f['gA_out']}',500))\n"
              " try:\n  print(s.recvfrom(100)[0].decode()); break\n"
              " except socket.timeout: pass\n")
    r = sh("/usr/bin/python3", "-c", client, ns=NS["gB"], check_rc=False, timeout=30)
    srv.wait(timeout=20)
    return r.stdout.strip() == "reply:ike"


def verify_capture(path, case, spi, src, dst, what):
    f, k = fam_of(case), KEYS[case[0]]
    proto = AH if k.get("satype") == "ah" else ESP
    natt = dict(nat_t_header=UDP(sport=4500, dport=4500)) if case[3] else {}
    key, akey = (k["k_out"], k.get("a_out")) if spi == 0x1000 else (k["k_in"], k.get("a_in"))
    outer_src, outer_dst = (f["gA_out"], f["gB_out"]) if spi == 0x1000 else (f["gB_out"],
                                                                              f["gA_out"])
    sa = SecurityAssociation(proto, spi=spi, tunnel_header=f["ip"](src=outer_src, dst=outer_dst),
                             **natt, **k["scapy"](key, akey))
    esp = [p for p in rdpcap(path) if p.haslayer(proto) and p[proto].spi == spi]
    if not check(len(esp) >= 4, f"{what}: {proto.__name__} with SPI {spi:#x} on the wire "
                 f"({len(esp)})"):
        return
    check(not case[3] or all(p.haslayer(UDP) and p[UDP].dport == 4500 for p in esp),
          f"{what}: NAT-T: in UDP to 4500")
    seqs = [p[proto].seq for p in esp]
    check(seqs == sorted(seqs) and len(set(seqs)) == len(seqs), f"{what}: sequence increases")
    ok = icmp = tcp = 0
    for p in esp:
        outer = f["ip"](bytes(p[f["ip"]]))
        try:
            inner = sa.decrypt(outer)  # AH: raises unless the ICV verifies
        except Exception:  # noqa: BLE001 - counted as a failure below
            continue
        if proto is AH:
            # scapy leaves AH's tunnel-mode payload unparsed: it is the inner packet.
            raw = bytes(outer[AH].payload)
            inner = (IP if raw[0] >> 4 == 4 else IPv6)(raw)
        if inner.src == src and inner.dst == dst:
            ok += 1
            icmp += inner.haslayer(ICMP) or inner.haslayer(ICMPv6EchoRequest) or \
                inner.haslayer("ICMPv6 Echo Reply")
            tcp += inner.haslayer(TCP)
    check(ok == len(esp), f"{what}: every packet decrypts to {src} -> {dst} ({ok}/{len(esp)})")
    check(icmp > 0 and tcp > 0, f"{what}: ICMP ({icmp}) and TCP ({tcp}) inside")


def finish_case(work, procs, dumps):
    """Kill what still runs, remove the namespaces, show the gateways' logs
    when something failed, and remove the work directory."""
    for p in list(dumps.values()) + list(procs.values()):
        if p.poll() is None:
            p.kill()
            p.wait()
    teardown()
    if failures:
        for g in "ab":
            path = os.path.join(work, f"gw-{g}.log")
            if os.path.exists(path):
                print(f"--- gw-{g}.log\n" + open(path).read()[-2000:])
    shutil.rmtree(work, ignore_errors=True)


def run_case(dpsecd, name):
    case = CASES[name]
    alg, fam, fout = case[0], case[1], case[2]
    f = fam_of(case)
    print(f"# case {name}: {alg}, IPv{fam} in IPv{fout}{', NAT-T' if case[3] else ''}",
          flush=True)
    work = tempfile.mkdtemp(prefix=f"dpsec-{name}-")
    procs, dumps = {}, {}
    try:
        topology(fam)
        for g in "ab":
            write_gateway(work, g, case)
            log = open(os.path.join(work, f"gw-{g}.log"), "w")
            procs[g] = subprocess.Popen(
                ["ip", "netns", "exec", NS[f"g{g.upper()}"], dpsecd, "-c",
                 os.path.join(work, f"gw-{g}.yaml"), "-S", os.path.join(work, f"{g}.sock")],
                stdout=log, stderr=subprocess.STDOUT)
        for g in "ab":
            G = g.upper()
            up = wait_for(lambda: os.path.exists(os.path.join(work, f"{g}.sock")) and
                          sh("ip", "link", "show", f"g{G}-ex", ns=NS[f"g{G}"],
                             check_rc=False).returncode == 0, 60)
            if not check(up, f"{name}: gateway {g} started"):
                print(open(os.path.join(work, f"gw-{g}.log")).read())
                return
            extra = ["nodad"] if fout == 6 else []
            sh("ip", "addr", "add", f"{f[f'g{G}_out']}/{f['plen_out']}", "dev", f"g{G}-ex", *extra,
               ns=NS[f"g{G}"])
            sh("ip", "link", "set", f"g{G}-ex", "up", ns=NS[f"g{G}"])
            # af_packet gave the veths the gateway's MAC: the kernel must not
            # take the gateway's frames off them as well.
            for i, dev in enumerate((f"g{G}-in", f"g{G}-out")):
                sh("ip", "link", "set", dev, "address", f"02:00:00:00:f{g}:0{i}",
                   ns=NS[f"g{G}"])
        for g, dev in (("a", "gA-out"), ("b", "gB-out")):
            dumps[g] = subprocess.Popen(
                ["ip", "netns", "exec", NS[f"g{g.upper()}"], "tcpdump", "--immediate-mode", "-U",
                 "-ni", dev, "-w", os.path.join(work, f"wire-{g}.pcap"),
                 "esp or ah or udp port 4500"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
        ping = ["ping", "-6"] if fam == 6 else ["ping"]
        sh(*ping, "-c", "1", "-W", "3", f["hB"], ns=NS["hA"], check_rc=False)  # resolve
        r = sh(*ping, "-c", "5", "-i", "0.2", "-W", "2", f["hB"], ns=NS["hA"], check_rc=False)
        check(r.returncode == 0 and " 0% packet loss" in r.stdout,
              f"{name}: ping hA -> hB through the tunnel")
        check(tcp_transfer(fam, f["hB"]), f"{name}: TCP, 1 MiB hA -> hB, every byte")
        check(exception_path(fout), f"{name}: UDP 500 to gw-a's TAP and back")
        time.sleep(0.5)
        for d in dumps.values():
            d.send_signal(signal.SIGTERM)
            d.wait(timeout=10)
        verify_capture(os.path.join(work, "wire-b.pcap"), case, 0x1000, f["hA"], f["hB"],
                       f"{name} A->B")
        verify_capture(os.path.join(work, "wire-a.pcap"), case, 0x2000, f["hB"], f["hA"],
                       f"{name} B->A")
        # Shut down under traffic: a ping flood runs while SIGTERM arrives.
        ping = ["ping", "-6"] if fam == 6 else ["ping"]
        flood = subprocess.Popen(["ip", "netns", "exec", NS["hA"], *ping, "-q", "-i", "0.002",
                                  "-c", "3000", f["hB"]], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        dumps["flood"] = flood
        time.sleep(1)
        for g, p in procs.items():
            p.send_signal(signal.SIGTERM)
            try:
                rc = p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                rc = None
            check(rc == 0, f"{name}: gateway {g} exits 0 on SIGTERM under traffic (got {rc})")
            check(not os.path.exists(f"/var/run/dpdk/dpsec-{TAG}-{g}"),
                  f"{name}: gateway {g} left no runtime directory")
    finally:
        finish_case(work, procs, dumps)


def run_transport(dpsecd):
    """Transport mode between the gateways themselves: their kernels' ICMP
    (on the TAPs) is protected by a policy; IKE on UDP 500 stays clear."""
    name = "transport4"
    print(f"# case {name}: AES-GCM transport mode between the gateways", flush=True)
    f = fam_of(("gcm", 4, 4, False))
    k = KEYS["gcm"]
    work = tempfile.mkdtemp(prefix=f"dpsec-{name}-")
    procs, dumps = {}, {}
    try:
        topology(4)
        for g in "ab":
            write_gateway(work, g, ("gcm", 4, 4, False))
            me, peer = (f["gA_out"], f["gB_out"]) if g == "a" else (f["gB_out"], f["gA_out"])
            d_ab, d_ba = ("outbound", "inbound") if g == "a" else ("inbound", "outbound")
            with open(os.path.join(work, f"sa-{g}.conf"), "w") as fh:
                fh.write(f"add esp spi 0x3000 src {f['gA_out']} dst {f['gB_out']} "
                         f"encr_alg aes-gcm encrkey {k['k_out']} replay 128 {d_ab}\n"
                         f"add esp spi 0x4000 src {f['gB_out']} dst {f['gA_out']} "
                         f"encr_alg aes-gcm encrkey {k['k_in']} replay 128 {d_ba}\n")
            with open(os.path.join(work, f"policy-{g}.conf"), "w") as fh:
                fh.write(f"{{ laddr {me} raddr {peer} ulp icmp dir both }} "
                         "ipsec { encr_algs aes-gcm }\n")
            procs[g] = subprocess.Popen(
                ["ip", "netns", "exec", NS[f"g{g.upper()}"], dpsecd, "-c",
                 os.path.join(work, f"gw-{g}.yaml"), "-S", os.path.join(work, f"{g}.sock")],
                stdout=open(os.path.join(work, f"gw-{g}.log"), "w"), stderr=subprocess.STDOUT)
        for g in "ab":
            G = g.upper()
            up = wait_for(lambda: os.path.exists(os.path.join(work, f"{g}.sock")) and
                          sh("ip", "link", "show", f"g{G}-ex", ns=NS[f"g{G}"],
                             check_rc=False).returncode == 0, 60)
            if not check(up, f"{name}: gateway {g} started"):
                return
            sh("ip", "addr", "add", f"{f[f'g{G}_out']}/24", "dev", f"g{G}-ex", ns=NS[f"g{G}"])
            sh("ip", "link", "set", f"g{G}-ex", "up", ns=NS[f"g{G}"])
            for i, dev in enumerate((f"g{G}-in", f"g{G}-out")):
                sh("ip", "link", "set", dev, "address", f"02:00:00:00:f{g}:0{i}",
                   ns=NS[f"g{G}"])
        dumps["b"] = subprocess.Popen(
            ["ip", "netns", "exec", NS["gB"], "tcpdump", "--immediate-mode", "-U", "-ni",
             "gB-out", "-w", os.path.join(work, "wire-b.pcap"), "esp or udp port 500"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
        sh("ping", "-c", "1", "-W", "3", f["gB_out"], ns=NS["gA"], check_rc=False)
        r = sh("ping", "-c", "5", "-i", "0.2", "-W", "2", f["gB_out"], ns=NS["gA"],
               check_rc=False)
        check(r.returncode == 0 and " 0% packet loss" in r.stdout,
              f"{name}: gw-a's kernel pings gw-b's kernel through ESP")
        check(exception_path(4), f"{name}: UDP 500 between the kernels, in the clear")
        time.sleep(0.5)
        dumps["b"].send_signal(signal.SIGTERM)
        dumps["b"].wait(timeout=10)
        pkts = rdpcap(os.path.join(work, "wire-b.pcap"))
        esp = [p for p in pkts if p.haslayer(ESP) and p[ESP].spi == 0x3000]
        check(len(esp) >= 5, f"{name}: ESP SPI 0x3000 on the wire ({len(esp)})")
        sa = SecurityAssociation(ESP, spi=0x3000, crypt_algo="AES-GCM",
                                 crypt_key=bytes.fromhex(k["k_out"]))
        good = 0
        for p in esp:
            try:
                inner = sa.decrypt(IP(bytes(p[IP])))
            except Exception:  # noqa: BLE001 - counted below
                continue
            good += inner.haslayer(ICMP) and inner[IP].src == f["gA_out"] and \
                inner[IP].dst == f["gB_out"]
        check(esp and good == len(esp), f"{name}: every one is ICMP .1 -> .2 in transport mode")
        check(any(p.haslayer(UDP) and 500 in (p[UDP].sport, p[UDP].dport) for p in pkts),
              f"{name}: IKE (UDP 500) crossed in the clear")
        for g, p in procs.items():
            p.send_signal(signal.SIGTERM)
            check(p.wait(timeout=60) == 0, f"{name}: gateway {g} exits 0")
    finally:
        finish_case(work, procs, dumps)


def main():
    if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("tcpdump"):
        print("skipped: needs root, ip(8) and tcpdump")
        return 77
    dpsecd = os.path.abspath(sys.argv[1])
    names = sys.argv[2:] or list(CASES) + ["transport4"]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # meson's timeout: clean up
    try:
        for name in names:
            if name == "transport4":
                run_transport(dpsecd)
            else:
                run_case(dpsecd, name)
    finally:
        teardown()
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
