#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
#
# crypto_kat_crosscheck.py: re-derive the vectors of test_crypto_kat.c with an
# independent implementation (Python `cryptography`, Debian's python3-cryptography;
# run with /usr/bin/python3).  Part 1 checks the published values as typed into
# the C table; part 2 prints the ICVs of the "ESP layout" rows, which the C table
# holds as computed here.  Exit status 1 if a published value does not match.
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives import hmac, hashes
h=bytes.fromhex
def cbc(k,iv,p): e=Cipher(algorithms.AES(k),modes.CBC(iv)).encryptor(); return e.update(p)+e.finalize()
def ctr(k,nonce,iv,p): e=Cipher(algorithms.AES(k),modes.CTR(nonce+iv+b'\0\0\0\1')).encryptor(); return e.update(p)+e.finalize()
def mac(alg,k,d): m=hmac.HMAC(k,alg); m.update(d); return m.finalize()
ok=True
def chk(name,a,b):
    global ok
    r = a==b
    ok &= r
    print(("OK  " if r else "BAD ")+name, "" if r else a.hex())
chk("3602-1",cbc(h("06a9214036b8a15b512e03d534120006"),h("3dafba429d9eb430b422da802c9fac41"),b"Single block msg"),h("e353779c1079aeb82708942dbe77181a"))
chk("3602-2",cbc(h("c286696d887c9aa0611bbb3e2025a45a"),h("562e17996d093d28ddb3ba695a2e6f58"),bytes(range(32))),h("d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1"))
chk("3602-3",cbc(h("6c3ea0477630ce21a2ce334aa746c2cd"),h("c782dc4c098c66cbd9cd27d825682c81"),b"This is a 48-byte message (exactly 3 AES blocks)"),h("d0a02b3836451753d493665d33f0e8862dea54cdb293abc7506939276772f8d5021c19216bad525c8579695d83ba2684"))
chk("3602-4",cbc(h("56e47a38c5598974bc46903dba290349"),h("8ce82eefbea0da3c44699ed7db51b7d9"),bytes(range(0xa0,0xe0))),h("c30e32ffedc0774e6aff6af0869f71aa0f3af07a9a31a9c684db207eb0ef8e4e35907aa632c3ffdf868bb7b29d3d46ad83ce9f9a102ee99d49a53e87f4c3da55"))
P38=h("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710")
chk("38a-192",cbc(h("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b"),bytes(range(16)),P38),h("4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a571b242012fb7ae07fa9baac3df102e008b0e27988598881d920a9e64f5615cd"))
chk("38a-256",cbc(h("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"),bytes(range(16)),P38),h("f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b"))
chk("3686-1",ctr(h("ae6852f8121067cc4bf7a5765577f39e"),h("00000030"),h("0000000000000000"),b"Single block msg"),h("e4095d4fb7a7b3792d6175a3261311b8"))
chk("3686-2",ctr(h("7e24067817fae0d743d6ce1f32539163"),h("006cb6db"),h("c0543b59da48d90b"),bytes(range(32))),h("5104a106168a72d9790d41ee8edad388eb2e1efc46da57c8fce630df9141be28"))
chk("3686-3",ctr(h("7691be035e5020a8ac6e618529f9a0dc"),h("00e0017b"),h("27777f3f4a1786f0"),bytes(range(36))),h("c1cf48a89f2ffdd9cf4652e9efdb72d74540a42bde6d7836d59a5ceaaef3105325b2072f"))
chk("3686-4",ctr(h("16af5b145fc9f579c175f93e3bfb0eed863d06ccfdb78515"),h("00000048"),h("36733c147d6d93cb"),b"Single block msg"),h("4b55384fe259c9c84e7935a003cbe928"))
chk("3686-7",ctr(h("776beff2851db06f4c8a0542c8696f6c6a81af1eec96b4d37fc1d689e6c1c104"),h("00000060"),h("db5672c97aa8f0b2"),b"Single block msg"),h("145ad01dbf824ec7560863dc71e3e0c0"))
def gcm(k,iv,p,a): return AESGCM(k).encrypt(iv,p,a)
P3=h("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255")
chk("gcm-1",gcm(bytes(16),bytes(12),b"",None),h("58e2fccefa7e3061367f1d57a4e7455a"))
chk("gcm-2",gcm(bytes(16),bytes(12),bytes(16),None),h("0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf"))
chk("gcm-3",gcm(h("feffe9928665731c6d6a8f9467308308"),h("cafebabefacedbaddecaf888"),P3,None),h("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985")+h("4d5c2af327cd64a62cf35abd2ba6fab4"))
chk("gcm-8",gcm(bytes(24),bytes(12),bytes(16),None),h("98e7247c07f0fe411c267e4384b0f600")+h("2ff58d80033927ab8ef4d4587514f0fb"))
chk("gcm-9",gcm(h("feffe9928665731c6d6a8f9467308308feffe9928665731c"),h("cafebabefacedbaddecaf888"),P3,None),h("3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710acade256")+h("9924a7c8587336bfb118024db8674a14"))
chk("gcm-14",gcm(bytes(32),bytes(12),bytes(16),None),h("cea7403d4d606b6e074ec5d3baf39d18")+h("d0d1c8a799996bf0265b98b5d48ab919"))
chk("gcm-15",gcm(h("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"),h("cafebabefacedbaddecaf888"),P3,None),h("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad")+h("b094dac5d93471bdec1a502270e3cc6c"))
chk("gmac-cavp",gcm(h("77be63708971c4e240d1cb79e8d77feb"),h("e0e00f19fed7ba0136a797f3"),b"",h("7a43ec1d9c0a5a78a0b16533a6213cab")),h("209fcc8d3675ed938e9c7166709dd946"))
pt=b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."
chk("8439",ChaCha20Poly1305(bytes(range(0x80,0xa0))).encrypt(h("070000004041424344454647"),pt,h("50515253c0c1c2c3c4c5c6c7")),h("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116")+h("1ae10b594f09e26a7e902ecbd0600691"))
S1,S2,S3,S5=hashes.SHA1(),hashes.SHA256(),hashes.SHA384(),hashes.SHA512()
hk=[(bytes([0xb]*20),b"Hi There"),(b"Jefe",b"what do ya want for nothing?"),(bytes([0xaa]*20),bytes([0xdd]*50))]
chk("2202-1",mac(S1,*hk[0]),h("b617318655057264e28bc0b6fb378c8ef146be00"))
chk("2202-2",mac(S1,*hk[1]),h("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"))
chk("2202-3",mac(S1,*hk[2]),h("125d7342b9ac11cd91a39af48aa17b4f63f175d3"))
chk("2202-6",mac(S1,bytes([0xaa]*80),b"Test Using Larger Than Block-Size Key - Hash Key First"),h("aa4ae5e15272d00e95705637ce8a3b55ed402112"))
T6=b"Test Using Larger Than Block-Size Key - Hash Key First"
exp={S2:["b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7","5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843","773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe","60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"],
S3:["afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6","af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649","88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27","4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952"],
S5:["87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854","164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737","fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb","80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"]}
for a,l in exp.items():
    ins=hk+[(bytes([0xaa]*131),T6)]
    for i,(k,d) in enumerate(ins):
        chk("4231-%s-%d"%(a.name,[1,2,3,6][i]),mac(a,k,d),h(l[i]))


# ---- part 2: ESP-layout ICVs (see the rows marked "ESP layout") ----
hdr=h("0000123400000001")
S={'SHA1':(hashes.SHA1(),12),'SHA256':(hashes.SHA256(),16),'SHA384':(hashes.SHA384(),24),'SHA512':(hashes.SHA512(),32)}
akeys={'SHA1':bytes(range(1,21)),'SHA256':bytes(range(1,33)),'SHA384':bytes(range(1,49)),'SHA512':bytes(range(1,65))}
P38=h("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710")
cases=[
 ("cbc128 3602#3 + sha1","cbc",h("6c3ea0477630ce21a2ce334aa746c2cd"),b"",h("c782dc4c098c66cbd9cd27d825682c81"),b"This is a 48-byte message (exactly 3 AES blocks)","SHA1"),
 ("cbc128 3602#4 + sha256","cbc",h("56e47a38c5598974bc46903dba290349"),b"",h("8ce82eefbea0da3c44699ed7db51b7d9"),bytes(range(0xa0,0xe0)),"SHA256"),
 ("cbc192 38a + sha384","cbc",h("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b"),b"",bytes(range(16)),P38,"SHA384"),
 ("cbc256 38a + sha512","cbc",h("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"),b"",bytes(range(16)),P38,"SHA512"),
 ("ctr128 3686#3 + sha256","ctr",h("7691be035e5020a8ac6e618529f9a0dc"),h("00e0017b"),h("27777f3f4a1786f0"),bytes(range(36)),"SHA256"),
 ("ctr192 3686#4 + sha1","ctr",h("16af5b145fc9f579c175f93e3bfb0eed863d06ccfdb78515"),h("00000048"),h("36733c147d6d93cb"),b"Single block msg","SHA1"),
 ("ctr256 3686#7 + sha512","ctr",h("776beff2851db06f4c8a0542c8696f6c6a81af1eec96b4d37fc1d689e6c1c104"),h("00000060"),h("db5672c97aa8f0b2"),b"Single block msg","SHA512"),
 ("ctr128 3686#2 + sha384","ctr",h("7e24067817fae0d743d6ce1f32539163"),h("006cb6db"),h("c0543b59da48d90b"),bytes(range(32)),"SHA384"),
]
for name,mode,k,salt,iv,pt,a in cases:
    ct = cbc(k,iv,pt) if mode=="cbc" else ctr(k,salt,iv,pt)
    head = hdr+iv
    alg,l=S[a]
    icv=mac(alg,akeys[a],head+ct)[:l]
    print(name, "ct", ct.hex()); print("  icv", icv.hex())
# NULL + sha256 over hdr||payload
pay=b"NULL encryption: payload, padding, pad length, next header."
print("null sha256 msg", (hdr+pay).hex(), "icv", mac(hashes.SHA256(),akeys['SHA256'],hdr+pay)[:16].hex())
# GCM ESP AAD
P3=h("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255")
K3=h("feffe9928665731c6d6a8f9467308308"); N=h("cafebabefacedbaddecaf888")
r=AESGCM(K3).encrypt(N,P3,hdr); print("gcm128 aad8 tag", r[-16:].hex(), r[:-16].hex()[:16])
K15=h("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
aad12=h("00001234000000010000000a")
r=AESGCM(K15).encrypt(N,P3,aad12); print("gcm256 aad12 tag", r[-16:].hex())
K9=h("feffe9928665731c6d6a8f9467308308feffe9928665731c")
r=AESGCM(K9).encrypt(N,P3,hdr); print("gcm192 aad8 tag", r[-16:].hex())
# GMAC ESP: message = hdr || iv || payload
msg=hdr+h("facedbaddecaf888")+P3[:40]
print("gmac esp msg", msg.hex()); print("  tag", AESGCM(K3).encrypt(N,b"",msg).hex())
msg2=h("0000123400000000"+"00000001")+h("facedbaddecaf888")+b"ESN"
print("gmac256 msg", msg2.hex(), "tag", AESGCM(K15).encrypt(N,b"",msg2).hex())
# chacha ESP aad 8
kc=bytes(range(0x80,0xa0)); pt=b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."
r=ChaCha20Poly1305(kc).encrypt(h("070000004041424344454647"),pt,hdr); print("chacha aad8 tag", r[-16:].hex())
hdr=h("0000123400000001")
print("cbc1 sha1", mac(hashes.SHA1(),bytes(range(1,21)),hdr+h("3dafba429d9eb430b422da802c9fac41")+h("e353779c1079aeb82708942dbe77181a"))[:12].hex())
print("cbc2 sha256", mac(hashes.SHA256(),bytes(range(1,33)),hdr+h("562e17996d093d28ddb3ba695a2e6f58")+h("d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1"))[:16].hex())
print("ctr1 sha256", mac(hashes.SHA256(),bytes(range(1,33)),hdr+h("0000000000000000")+h("e4095d4fb7a7b3792d6175a3261311b8"))[:16].hex())
print("published vectors: " + ("ALL OK" if ok else "SOME BAD"))
raise SystemExit(0 if ok else 1)
