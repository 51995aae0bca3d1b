#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Third opinion: tshark verifies and decrypts ESP that dpsec built.

usage: crosscheck_tshark.py DP_VECTOR

dpsec protects packets with AES-GCM-16 (128, 256) and AES-CBC with
HMAC-SHA1-96 / HMAC-SHA-256-128, tunnel mode over IPv4 and IPv6; the
packets go into a pcap (with an Ethernet header); tshark, given the keys,
must report every ICV good (esp.icv_good) and find the inner addresses
after decryption; a forged copy of one packet per SA must be reported bad.
"""
import os
import subprocess
import sys
import tempfile

from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Ether
from scapy.packet import Raw
from scapy.utils import wrpcap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crosscheck_scapy import Vector, key_bytes  # noqa: E402

# name, ealg, key bytes, aalg, tshark encryption, tshark authentication
ALGS = [
    ('gcm128', 20, 16, 0, 'AES-GCM with 16 octet ICV [RFC4106]', 'NULL'),
    ('gcm256', 20, 32, 0, 'AES-GCM with 16 octet ICV [RFC4106]', 'NULL'),
    ('cbc-sha1', 12, 16, 3, 'AES-CBC [RFC3602]', 'HMAC-SHA-1-96 [RFC2404]'),
    ('cbc-sha256', 12, 32, 5, 'AES-CBC [RFC3602]', 'HMAC-SHA-256-128 [RFC4868]'),
]
OUTER = [('IPv4', '192.0.2.1', '198.51.100.2', '203.0.113.5', '203.0.113.77'),
         ('IPv6', '2001:db8::1', '2001:db8:1::2', '2001:db8:aa::5', '2001:db8:bb::77')]


def main():
    vec = Vector(sys.argv[1], 'mb')
    frames, uat, expect, forged = [], [], 0, 0
    spi = 0x7000
    for name, ealg, klen, aalg, tenc, tauth in ALGS:
        for fam, osrc, odst, isrc, idst in OUTER:
            spi += 1
            ekey = key_bytes(klen, 0x11)
            salt = key_bytes(4, 0xc3) if ealg == 20 else b''
            akey = key_bytes({0: 0, 3: 20, 5: 32}[aalg], 0x5a)
            cmd = 'sa proto=esp mode=tunnel ealg=%d aalg=%d spi=%x src=%s dst=%s ekey=%s' % (
                ealg, aalg, spi, osrc, odst, ekey.hex())
            if salt:
                cmd += ' salt=' + salt.hex()
            if akey:
                cmd += ' akey=' + akey.hex()
            assert vec.ask(cmd) == 'ok', cmd
            uat.append('"%s","%s","%s","0x%08x","%s","0x%s","%s","%s"' % (
                fam, osrc, odst, spi, tenc, (ekey + salt).hex(), tauth,
                ('0x' + akey.hex()) if akey else ''))
            cls = IP if fam == 'IPv4' else IPv6
            for size in (1, 100, 1000):
                inner = cls(src=isrc, dst=idst) / UDP(sport=1, dport=2) / Raw(b'x' * size)
                verdict, drop, got = vec.packet('out', bytes(inner))
                assert verdict == 'forward', (name, verdict, drop)
                ether = Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02',
                              type=0x0800 if fam == 'IPv4' else 0x86dd)
                frames.append(ether / Raw(got))
                expect += 1
                if size == 100:  # and a forged copy, which must fail
                    frames.append(ether / Raw(got[:-1] + bytes([got[-1] ^ 1])))
                    forged += 1
    vec.close()
    with tempfile.TemporaryDirectory() as d:
        pcap = os.path.join(d, 'esp.pcap')
        wrpcap(pcap, frames)
        args = ['tshark', '-n', '-r', pcap, '-o', 'esp.enable_encryption_decode:TRUE',
                '-o', 'esp.enable_authentication_check:TRUE',
                '-T', 'fields', '-e', 'esp.icv_good', '-e', 'ip.dst', '-e', 'ipv6.dst']
        for u in uat:
            args += ['-o', 'uat:esp_sa:' + u]
        out = subprocess.run(args, capture_output=True, text=True, check=False)
    lines = [ln for ln in out.stdout.splitlines() if ln.strip()]
    good = sum(1 for ln in lines if ln.split('\t')[0] in ('1', 'True'))
    bad = sum(1 for ln in lines if ln.split('\t')[0] in ('0', 'False'))
    inner = sum(1 for ln in lines if '203.0.113.77' in ln or '2001:db8:bb::77' in ln)
    print('tshark: %d frames, %d ICVs good (of %d), %d bad (of %d forged), '
          '%d decrypted to the inner destination' % (len(lines), good, expect, bad, forged,
                                                     inner))
    if out.returncode != 0:
        print(out.stderr)
    ok = good == expect and bad == forged and inner >= expect and len(lines) == expect + forged
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
