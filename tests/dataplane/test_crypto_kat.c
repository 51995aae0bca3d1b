/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_crypto_kat.c: known-answer tests of the crypto engines.
 *
 * Every vector runs through every engine: intel-ipsec-mb called directly,
 * and rte_cryptodev with crypto_aesni_mb (required to support all of them),
 * crypto_openssl and crypto_chacha20_poly1305 (each where it advertises the
 * algorithm).  Per vector and engine: encrypt/generate and compare with the
 * published ciphertext and ICV; decrypt/verify and get the plaintext back;
 * a flipped ICV bit and a flipped message bit each give AUTH_FAILED.
 * Then mixed-SA bursts through the asynchronous API keep per-SA order,
 * malformed ops end in ERROR, bad session parameters are refused.
 *
 * Sources of the vectors are cited per row.  Rows marked "ESP layout" put a
 * published cipher vector inside an ESP-shaped buffer (SPI 0x1234, seq 1,
 * IV, ciphertext) and add an HMAC or AAD; their ICVs were computed with
 * Python's `cryptography` 38.0.4 (an independent implementation), and the
 * HMAC primitives themselves are checked against RFC 2202 / RFC 4231 rows.
 * All published values below were also re-verified with that library.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dpsec/pfkeyv2.h"
#include "dp_crypto.h"
#include "crypto_test_eal.h"

/* Hex, or "'text" for ASCII, or "*XX:N" for N bytes of XX. */
struct kat {
	const char *name;
	uint8_t ealg;
	uint8_t aalg;
	uint8_t aad_len;
	const char *ekey;
	const char *salt;
	const char *akey;
	const char *iv;     /* 8 bytes (counter modes) or 16 (CBC) */
	const char *aad;
	const char *head;   /* authenticated bytes before the cipher region */
	const char *pt;     /* cipher region in clear, or the MAC'd message */
	const char *ct;     /* cipher region encrypted (= pt without a cipher) */
	const char *icv;
};

#define NONE SADB_EALG_NONE
#define A_NONE SADB_AALG_NONE
#define GCM8 SADB_EALG_AES_GCM_8
#define GCM12 SADB_EALG_AES_GCM_12
#define GCM16 SADB_EALG_AES_GCM_16
#define CBC SADB_EALG_AES_CBC
#define CTR SADB_X_EALG_AES_CTR
#define GMAC SADB_X_EALG_NULL_AES_GMAC
#define CHACHA SADB_X_EALG_CHACHA20_POLY1305
#define SHA1 SADB_AALG_SHA1HMAC
#define SHA256 SADB_AALG_SHA256HMAC
#define SHA384 SADB_AALG_SHA384HMAC
#define SHA512 SADB_AALG_SHA512HMAC

/* GCM spec (McGrew & Viega, "The Galois/Counter Mode of Operation"), test
 * case 3 plaintext, also used by cases 9 and 15. */
#define GCM_P3 "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
	       "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
#define GCM_K3 "feffe9928665731c6d6a8f9467308308"
#define GCM_C3 "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e" \
	       "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985"
#define GCM_C9 "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c" \
	       "7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710acade256"
#define GCM_C15 "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa" \
		"8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"
/* NIST SP 800-38A F.2.1 plaintext (CBC-AES192/256 use it too). */
#define SP38A_P "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51" \
		"30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710"
#define ESP_HDR "0000123400000001"   /* SPI 0x1234, sequence number 1 */
#define AKEY20 "0102030405060708090a0b0c0d0e0f1011121314"
#define AKEY32 AKEY20 "15161718191a1b1c1d1e1f20"
#define AKEY48 AKEY32 "2122232425262728292a2b2c2d2e2f30"
#define AKEY64 AKEY48 "3132333435363738393a3b3c3d3e3f40"
#define HMAC_T6 "'Test Using Larger Than Block-Size Key - Hash Key First"
#define CHACHA_PT "'Ladies and Gentlemen of the class of '99: If I could offer you " \
		  "only one tip for the future, sunscreen would be it."
#define CHACHA_CT "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6" \
		  "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36" \
		  "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc" \
		  "3ff4def08e4b7a9de576d26586cec64b6116"

/* Nonce = salt || IV: for the GCM spec cases the 96-bit IV splits into a
 * 4-byte salt and the 8-byte ESP IV, as RFC 4106 section 4 builds it. */
static const struct kat kats[] = {
	/* ---- AES-GCM (RFC 4106): GCM spec test cases; ICV 8/12 = leftmost bytes
	 * of the spec's tag (RFC 4106 section 5 truncation). */
	{ "gcm128-16 spec TC2", GCM16, A_NONE, 0, "*00:16", "00000000", NULL,
	  "0000000000000000", NULL, NULL, "*00:16", "0388dace60b6a392f328c2b971b2fe78",
	  "ab6e47d42cec13bdf53a67b21257bddf" },
	{ "gcm128-16 spec TC3", GCM16, A_NONE, 0, GCM_K3, "cafebabe", NULL, "facedbaddecaf888",
	  NULL, NULL, GCM_P3, GCM_C3, "4d5c2af327cd64a62cf35abd2ba6fab4" },
	{ "gcm128-12 spec TC3", GCM12, A_NONE, 0, GCM_K3, "cafebabe", NULL, "facedbaddecaf888",
	  NULL, NULL, GCM_P3, GCM_C3, "4d5c2af327cd64a62cf35abd" },
	{ "gcm128-8 spec TC3", GCM8, A_NONE, 0, GCM_K3, "cafebabe", NULL, "facedbaddecaf888",
	  NULL, NULL, GCM_P3, GCM_C3, "4d5c2af327cd64a6" },
	{ "gcm192-16 spec TC8", GCM16, A_NONE, 0, "*00:24", "00000000", NULL,
	  "0000000000000000", NULL, NULL, "*00:16", "98e7247c07f0fe411c267e4384b0f600",
	  "2ff58d80033927ab8ef4d4587514f0fb" },
	{ "gcm192-16 spec TC9", GCM16, A_NONE, 0, GCM_K3 "feffe9928665731c", "cafebabe", NULL,
	  "facedbaddecaf888", NULL, NULL, GCM_P3, GCM_C9, "9924a7c8587336bfb118024db8674a14" },
	{ "gcm192-8 spec TC9", GCM8, A_NONE, 0, GCM_K3 "feffe9928665731c", "cafebabe", NULL,
	  "facedbaddecaf888", NULL, NULL, GCM_P3, GCM_C9, "9924a7c8587336bf" },
	{ "gcm256-16 spec TC14", GCM16, A_NONE, 0, "*00:32", "00000000", NULL,
	  "0000000000000000", NULL, NULL, "*00:16", "cea7403d4d606b6e074ec5d3baf39d18",
	  "d0d1c8a799996bf0265b98b5d48ab919" },
	{ "gcm256-16 spec TC15", GCM16, A_NONE, 0, GCM_K3 GCM_K3, "cafebabe", NULL,
	  "facedbaddecaf888", NULL, NULL, GCM_P3, GCM_C15, "b094dac5d93471bdec1a502270e3cc6c" },
	{ "gcm256-12 spec TC15", GCM12, A_NONE, 0, GCM_K3 GCM_K3, "cafebabe", NULL,
	  "facedbaddecaf888", NULL, NULL, GCM_P3, GCM_C15, "b094dac5d93471bdec1a5022" },
	/* ESP layout: AAD = SPI || seq (8) and SPI || seq hi || seq lo (12);
	 * ciphertext is the spec's, tags from `cryptography`. */
	{ "gcm128-16 TC3 + AAD 8 (ESP layout)", GCM16, A_NONE, 8, GCM_K3, "cafebabe", NULL,
	  "facedbaddecaf888", ESP_HDR, NULL, GCM_P3, GCM_C3, "178e9a468c98dc3a6d2f52a3f042e54b" },
	{ "gcm192-16 TC9 + AAD 8 (ESP layout)", GCM16, A_NONE, 8, GCM_K3 "feffe9928665731c",
	  "cafebabe", NULL, "facedbaddecaf888", ESP_HDR, NULL, GCM_P3, GCM_C9,
	  "2f53ee9c44c87fd9b76947d820ab6ae7" },
	{ "gcm256-16 TC15 + AAD 12 ESN (ESP layout)", GCM16, A_NONE, 12, GCM_K3 GCM_K3,
	  "cafebabe", NULL, "facedbaddecaf888", "00001234000000010000000a", NULL, GCM_P3,
	  GCM_C15, "23abc3d68ef2f0b32bd8d479aaa32328" },

	/* ---- ChaCha20-Poly1305 (RFC 7634): RFC 8439 section 2.8.2, whose
	 * nonce 07000000 || 4041424344454647 is salt || IV and whose 12-byte
	 * AAD has the ESN shape. */
	{ "chacha20-poly1305 RFC 8439 2.8.2", CHACHA, A_NONE, 12,
	  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", "07000000", NULL,
	  "4041424344454647", "50515253c0c1c2c3c4c5c6c7", NULL, CHACHA_PT, CHACHA_CT,
	  "1ae10b594f09e26a7e902ecbd0600691" },
	{ "chacha20-poly1305 8439 + AAD 8 (ESP layout)", CHACHA, A_NONE, 8,
	  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", "07000000", NULL,
	  "4041424344454647", ESP_HDR, NULL, CHACHA_PT, CHACHA_CT,
	  "ff977c27b2b65545f12bf2c867ab0cbc" },

	/* ---- AES-GMAC (RFC 4543): nonce = salt || IV, message = AAD. */
	{ "gmac128 spec TC1 (empty)", GMAC, A_NONE, 0, "*00:16", "00000000", NULL,
	  "0000000000000000", NULL, NULL, "", "", "58e2fccefa7e3061367f1d57a4e7455a" },
	/* NIST CAVP gcmEncryptExtIV128.rsp, Keylen 128 IVlen 96 PTlen 0
	 * AADlen 128 Taglen 128, Count 0. */
	{ "gmac128 CAVP ExtIV128 AAD-only #0", GMAC, A_NONE, 0,
	  "77be63708971c4e240d1cb79e8d77feb", "e0e00f19", NULL, "fed7ba0136a797f3", NULL, NULL,
	  "7a43ec1d9c0a5a78a0b16533a6213cab", "7a43ec1d9c0a5a78a0b16533a6213cab",
	  "209fcc8d3675ed938e9c7166709dd946" },
	/* ESP layout, RFC 4543 section 3.3: SPI || seq || IV || payload. */
	{ "gmac128 ESP packet (RFC 4543 layout)", GMAC, A_NONE, 0, GCM_K3, "cafebabe", NULL,
	  "facedbaddecaf888", NULL, NULL,
	  ESP_HDR "facedbaddecaf888d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c"
	  "303d8a318a721c3c0c9595680953",
	  ESP_HDR "facedbaddecaf888d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c"
	  "303d8a318a721c3c0c9595680953", "33a66af868e3010bc221f6318e440c6c" },
	{ "gmac256 ESP packet with ESN (RFC 4543 layout)", GMAC, A_NONE, 0, GCM_K3 GCM_K3,
	  "cafebabe", NULL, "facedbaddecaf888", NULL, NULL,
	  "000012340000000000000001facedbaddecaf88845534e",
	  "000012340000000000000001facedbaddecaf88845534e", "9914e5f1c2ff0190ed79ab4e39158f20" },

	/* ---- AES-CBC (RFC 3602 section 4, cases 1-4; NIST SP 800-38A F.2.3 and
	 * F.2.5 for 192/256) with an HMAC over ESP header || IV || ciphertext. */
	{ "cbc128 RFC 3602 #1 + hmac-sha1-96", CBC, SHA1, 0, "06a9214036b8a15b512e03d534120006",
	  NULL, AKEY20, "3dafba429d9eb430b422da802c9fac41", NULL,
	  ESP_HDR "3dafba429d9eb430b422da802c9fac41", "'Single block msg",
	  "e353779c1079aeb82708942dbe77181a", "40cba666972f2b5b42f223b3" },
	{ "cbc128 RFC 3602 #2 + hmac-sha256-128", CBC, SHA256, 0,
	  "c286696d887c9aa0611bbb3e2025a45a", NULL, AKEY32, "562e17996d093d28ddb3ba695a2e6f58",
	  NULL, ESP_HDR "562e17996d093d28ddb3ba695a2e6f58",
	  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	  "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1",
	  "335a41cfd52cd8664d68e58a333a29c3" },
	{ "cbc128 RFC 3602 #3 + hmac-sha1-96", CBC, SHA1, 0, "6c3ea0477630ce21a2ce334aa746c2cd",
	  NULL, AKEY20, "c782dc4c098c66cbd9cd27d825682c81", NULL,
	  ESP_HDR "c782dc4c098c66cbd9cd27d825682c81",
	  "'This is a 48-byte message (exactly 3 AES blocks)",
	  "d0a02b3836451753d493665d33f0e8862dea54cdb293abc7506939276772f8d5"
	  "021c19216bad525c8579695d83ba2684", "7283406812a28a088b7b2592" },
	{ "cbc128 RFC 3602 #4 + hmac-sha256-128", CBC, SHA256, 0,
	  "56e47a38c5598974bc46903dba290349", NULL, AKEY32, "8ce82eefbea0da3c44699ed7db51b7d9",
	  NULL, ESP_HDR "8ce82eefbea0da3c44699ed7db51b7d9",
	  "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	  "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf",
	  "c30e32ffedc0774e6aff6af0869f71aa0f3af07a9a31a9c684db207eb0ef8e4e"
	  "35907aa632c3ffdf868bb7b29d3d46ad83ce9f9a102ee99d49a53e87f4c3da55",
	  "80db00e02863c52be7c17700f2e3e4ef" },
	{ "cbc192 SP 800-38A F.2.3 + hmac-sha384-192", CBC, SHA384, 0,
	  "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", NULL, AKEY48,
	  "000102030405060708090a0b0c0d0e0f", NULL, ESP_HDR "000102030405060708090a0b0c0d0e0f",
	  SP38A_P,
	  "4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a"
	  "571b242012fb7ae07fa9baac3df102e008b0e27988598881d920a9e64f5615cd",
	  "2e6715848926256f2171768680202c66ba25a8b03e621f0d" },
	{ "cbc256 SP 800-38A F.2.5 + hmac-sha512-256", CBC, SHA512, 0,
	  "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", NULL, AKEY64,
	  "000102030405060708090a0b0c0d0e0f", NULL, ESP_HDR "000102030405060708090a0b0c0d0e0f",
	  SP38A_P,
	  "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
	  "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b",
	  "9ada3c5a9ab3c0053b6f446f24cdc5cc255835a13ca3c4e8864fa62aa6305caa" },

	/* ---- AES-CTR (RFC 3686 section 6, test vectors #1 #2 #3 #4 #7),
	 * salt = the RFC's nonce; HMAC over ESP header || IV || ciphertext. */
	{ "ctr128 RFC 3686 #1 + hmac-sha256-128", CTR, SHA256, 0,
	  "ae6852f8121067cc4bf7a5765577f39e", "00000030", AKEY32, "0000000000000000", NULL,
	  ESP_HDR "0000000000000000", "'Single block msg", "e4095d4fb7a7b3792d6175a3261311b8",
	  "f8fd2539226fb3c527ece7f18498fdf5" },
	{ "ctr128 RFC 3686 #2 + hmac-sha384-192", CTR, SHA384, 0,
	  "7e24067817fae0d743d6ce1f32539163", "006cb6db", AKEY48, "c0543b59da48d90b", NULL,
	  ESP_HDR "c0543b59da48d90b",
	  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	  "5104a106168a72d9790d41ee8edad388eb2e1efc46da57c8fce630df9141be28",
	  "bb5fbec20ac2786a6fc91ac31413348305c2355846d95c42" },
	{ "ctr128 RFC 3686 #3 + hmac-sha256-128", CTR, SHA256, 0,
	  "7691be035e5020a8ac6e618529f9a0dc", "00e0017b", AKEY32, "27777f3f4a1786f0", NULL,
	  ESP_HDR "27777f3f4a1786f0",
	  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223",
	  "c1cf48a89f2ffdd9cf4652e9efdb72d74540a42bde6d7836d59a5ceaaef3105325b2072f",
	  "8c2b127b27c9b404ba3aee6cfa13b918" },
	{ "ctr192 RFC 3686 #4 + hmac-sha1-96", CTR, SHA1, 0,
	  "16af5b145fc9f579c175f93e3bfb0eed863d06ccfdb78515", "00000048", AKEY20,
	  "36733c147d6d93cb", NULL, ESP_HDR "36733c147d6d93cb", "'Single block msg",
	  "4b55384fe259c9c84e7935a003cbe928", "6e823f2f494da032213e2308" },
	{ "ctr256 RFC 3686 #7 + hmac-sha512-256", CTR, SHA512, 0,
	  "776beff2851db06f4c8a0542c8696f6c6a81af1eec96b4d37fc1d689e6c1c104", "00000060",
	  AKEY64, "db5672c97aa8f0b2", NULL, ESP_HDR "db5672c97aa8f0b2", "'Single block msg",
	  "145ad01dbf824ec7560863dc71e3e0c0",
	  "52a403ca1dad85b2a092e038e15863fcc680d47a6297d36583700085abfd5d88" },

	/* ---- NULL encryption with an HMAC (ESP layout). */
	{ "null + hmac-sha256-128 (ESP layout)", SADB_EALG_NULL, SHA256, 0, NULL, NULL, AKEY32,
	  NULL, NULL, NULL,
	  ESP_HDR "4e554c4c20656e6372797074696f6e3a207061796c6f61642c2070616464696e67"
	  "2c20706164206c656e6774682c206e657874206865616465722e",
	  ESP_HDR "4e554c4c20656e6372797074696f6e3a207061796c6f61642c2070616464696e67"
	  "2c20706164206c656e6774682c206e657874206865616465722e",
	  "25416927db7086b18369b9b0e07f7342" },

	/* ---- HMAC alone (AH).  RFC 2202 section 3 (SHA-1, cases 1 2 3 6),
	 * RFC 4231 section 4 (SHA-2, cases 1 2 3 6), truncated per RFC 2404 /
	 * RFC 4868 to the leftmost 96/128/192/256 bits. */
	{ "hmac-sha1-96 RFC 2202 #1", NONE, SHA1, 0, NULL, NULL, "*0b:20", NULL, NULL, NULL,
	  "'Hi There", "'Hi There", "b617318655057264e28bc0b6" },
	{ "hmac-sha1-96 RFC 2202 #2", NONE, SHA1, 0, NULL, NULL, "'Jefe", NULL, NULL, NULL,
	  "'what do ya want for nothing?", "'what do ya want for nothing?",
	  "effcdf6ae5eb2fa2d27416d5" },
	{ "hmac-sha1-96 RFC 2202 #3", NONE, SHA1, 0, NULL, NULL, "*aa:20", NULL, NULL, NULL,
	  "*dd:50", "*dd:50", "125d7342b9ac11cd91a39af4" },
	{ "hmac-sha1-96 RFC 2202 #6 (80-byte key)", NONE, SHA1, 0, NULL, NULL, "*aa:80", NULL,
	  NULL, NULL, HMAC_T6, HMAC_T6, "aa4ae5e15272d00e95705637" },
	{ "hmac-sha256-128 RFC 4231 #1", NONE, SHA256, 0, NULL, NULL, "*0b:20", NULL, NULL, NULL,
	  "'Hi There", "'Hi There", "b0344c61d8db38535ca8afceaf0bf12b" },
	{ "hmac-sha256-128 RFC 4231 #2", NONE, SHA256, 0, NULL, NULL, "'Jefe", NULL, NULL, NULL,
	  "'what do ya want for nothing?", "'what do ya want for nothing?",
	  "5bdcc146bf60754e6a042426089575c7" },
	{ "hmac-sha256-128 RFC 4231 #3", NONE, SHA256, 0, NULL, NULL, "*aa:20", NULL, NULL, NULL,
	  "*dd:50", "*dd:50", "773ea91e36800e46854db8ebd09181a7" },
	{ "hmac-sha256-128 RFC 4231 #6 (131-byte key)", NONE, SHA256, 0, NULL, NULL, "*aa:131",
	  NULL, NULL, NULL, HMAC_T6, HMAC_T6, "60e431591ee0b67f0d8a26aacbf5b77f" },
	{ "hmac-sha384-192 RFC 4231 #1", NONE, SHA384, 0, NULL, NULL, "*0b:20", NULL, NULL, NULL,
	  "'Hi There", "'Hi There", "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec6" },
	{ "hmac-sha384-192 RFC 4231 #2", NONE, SHA384, 0, NULL, NULL, "'Jefe", NULL, NULL, NULL,
	  "'what do ya want for nothing?", "'what do ya want for nothing?",
	  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47" },
	{ "hmac-sha384-192 RFC 4231 #3", NONE, SHA384, 0, NULL, NULL, "*aa:20", NULL, NULL, NULL,
	  "*dd:50", "*dd:50", "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9feb" },
	{ "hmac-sha384-192 RFC 4231 #6 (131-byte key)", NONE, SHA384, 0, NULL, NULL, "*aa:131",
	  NULL, NULL, NULL, HMAC_T6, HMAC_T6, "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f" },
	{ "hmac-sha512-256 RFC 4231 #1", NONE, SHA512, 0, NULL, NULL, "*0b:20", NULL, NULL, NULL,
	  "'Hi There", "'Hi There",
	  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde" },
	{ "hmac-sha512-256 RFC 4231 #2", NONE, SHA512, 0, NULL, NULL, "'Jefe", NULL, NULL, NULL,
	  "'what do ya want for nothing?", "'what do ya want for nothing?",
	  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554" },
	{ "hmac-sha512-256 RFC 4231 #3", NONE, SHA512, 0, NULL, NULL, "*aa:20", NULL, NULL, NULL,
	  "*dd:50", "*dd:50", "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39" },
	{ "hmac-sha512-256 RFC 4231 #6 (131-byte key)", NONE, SHA512, 0, NULL, NULL, "*aa:131",
	  NULL, NULL, NULL, HMAC_T6, HMAC_T6,
	  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352" },
};

#define KAT_COUNT (sizeof(kats) / sizeof(kats[0]))

/* ------------------------------------------------------------------------ */

struct engine {
	const char *label;
	uint8_t engine;
	const char *dev;
	bool all_required;     /* must support every vector */
	bool quiet_skips;      /* a one-algorithm PMD: don't list the rest */
};

static const struct engine engines[] = {
	{ "ipsec-mb direct", DP_CRYPTO_ENGINE_IPSEC_MB, "", true, false },
	{ "cryptodev aesni_mb", DP_CRYPTO_ENGINE_CRYPTODEV, "crypto_aesni_mb0", true, false },
	{ "cryptodev openssl", DP_CRYPTO_ENGINE_CRYPTODEV, "crypto_openssl0", false, false },
	{ "cryptodev chacha20_poly1305", DP_CRYPTO_ENGINE_CRYPTODEV, "crypto_chacha20_poly1305",
	  false, true },
};

enum { ENG_MB, ENG_AESNI, ENG_OPENSSL, ENG_CHACHA };

struct bytes {
	uint8_t b[512];
	size_t len;
};

static struct dp_crypto *crypto;
static struct rte_mempool *mbufs;

static void parse(const char *s, struct bytes *out)
{
	out->len = 0;
	if (s == NULL)
		return;
	if (s[0] == '\'') {
		out->len = strlen(s + 1);
		assert_true(out->len <= sizeof(out->b));
		memcpy(out->b, s + 1, out->len);
		return;
	}
	if (s[0] == '*') {
		unsigned int byte, n;

		assert_int_equal(sscanf(s, "*%2x:%u", &byte, &n), 2);
		assert_true(n <= sizeof(out->b));
		memset(out->b, (int)byte, n);
		out->len = n;
		return;
	}
	assert_int_equal(strlen(s) % 2, 0);
	for (; s[0] != '\0'; s += 2) {
		unsigned int v;

		assert_true(out->len < sizeof(out->b));
		assert_int_equal(sscanf(s, "%2x", &v), 1);
		out->b[out->len++] = (uint8_t)v;
	}
}

/* Parsed vector, ready to build ops from. */
struct kat_data {
	struct bytes ekey, salt, akey, iv, aad, head, pt, ct, icv;
};

static void kat_load(const struct kat *k, struct kat_data *d)
{
	parse(k->ekey, &d->ekey);
	parse(k->salt, &d->salt);
	parse(k->akey, &d->akey);
	parse(k->iv, &d->iv);
	parse(k->aad, &d->aad);
	parse(k->head, &d->head);
	parse(k->pt, &d->pt);
	parse(k->ct, &d->ct);
	parse(k->icv, &d->icv);
	assert_int_equal(d->pt.len, d->ct.len);
}

static int sess_make(const struct kat *k, const struct kat_data *d, const struct engine *e,
		     uint8_t dir, struct dp_crypto_sess **out)
{
	struct dp_crypto_sess_params p;

	memset(&p, 0, sizeof(p));
	p.ealg = k->ealg;
	p.aalg = k->aalg;
	p.dir = dir;
	p.engine = e->engine;
	p.aad_len = k->aad_len;
	p.ekey = d->ekey.b;
	p.ekey_len = (uint16_t)d->ekey.len;
	p.akey = d->akey.b;
	p.akey_len = (uint16_t)d->akey.len;
	p.salt = d->salt.b;
	p.salt_len = (uint8_t)d->salt.len;
	snprintf(p.dev_name, sizeof(p.dev_name), "%s", e->dev);
	return dp_crypto_sess_new(crypto, &p, out);
}

/* An mbuf holding head || region || icv; op set up to process it. */
static struct rte_mbuf *op_make(struct dp_crypto_op *op, struct dp_crypto_sess *s,
				const struct kat_data *d, const struct bytes *region,
				const uint8_t *icv, size_t icv_len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mbufs);
	uint8_t *p;

	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(d->head.len + region->len + icv_len));
	assert_non_null(p);
	memcpy(p, d->head.b, d->head.len);
	memcpy(p + d->head.len, region->b, region->len);
	memcpy(p + d->head.len + region->len, icv, icv_len);
	memset(op, 0, sizeof(*op));
	op->mbuf = m;
	op->sess = s;
	op->cipher_offset = (uint32_t)d->head.len;
	op->cipher_length = (uint32_t)region->len;
	op->auth_offset = 0;
	op->auth_length = (uint32_t)(d->head.len + region->len);
	op->digest = p + d->head.len + region->len;
	memcpy(op->iv, d->iv.b, d->iv.len);
	memcpy(op->aad, d->aad.b, d->aad.len);
	op->status = 0xff;
	return m;
}

static uint8_t run1(struct dp_crypto_op *op)
{
	struct dp_crypto_op *ops[1] = { op };

	assert_int_equal(dp_crypto_process(dp_crypto_worker(crypto, 0), ops, 1), 1);
	return op->status;
}

/* One vector through one engine.  false when the engine lacks it. */
static bool kat_one(const struct kat *k, const struct engine *e)
{
	struct kat_data d;
	struct dp_crypto_sess *out = NULL, *in = NULL;
	struct dp_crypto_sess_info info;
	struct dp_crypto_op op;
	struct rte_mbuf *m;
	uint8_t zero[DP_CRYPTO_ICV_MAX] = { 0 }, bad[DP_CRYPTO_ICV_MAX];
	uint8_t *data;
	int rc;

	kat_load(k, &d);
	rc = sess_make(k, &d, e, DP_CRYPTO_DIR_OUT, &out);
	if (rc == -ENOTSUP && !e->all_required) {
		if (!e->quiet_skips)
			print_message("[ SKIP     ] %s: %s not supported\n", e->label, k->name);
		return false;
	}
	if (rc != 0)
		fail_msg("%s on %s: session out %d", k->name, e->label, rc);
	assert_int_equal(sess_make(k, &d, e, DP_CRYPTO_DIR_IN, &in), 0);
	dp_crypto_sess_get_info(out, &info);
	assert_int_equal(info.icv_len, d.icv.len);
	if (e->engine != DP_CRYPTO_ENGINE_DEFAULT)
		assert_int_equal(info.engine, e->engine);

	/* Encrypt / generate. */
	m = op_make(&op, out, &d, &d.pt, zero, d.icv.len);
	data = rte_pktmbuf_mtod(m, uint8_t *);
	assert_int_equal(run1(&op), DP_CRYPTO_OK);
	if (memcmp(data + d.head.len, d.ct.b, d.ct.len) != 0)
		fail_msg("%s on %s: ciphertext differs", k->name, e->label);
	if (memcmp(op.digest, d.icv.b, d.icv.len) != 0)
		fail_msg("%s on %s: ICV differs", k->name, e->label);
	assert_memory_equal(data, d.head.b, d.head.len);
	rte_pktmbuf_free(m);

	/* Decrypt / verify. */
	m = op_make(&op, in, &d, &d.ct, d.icv.b, d.icv.len);
	data = rte_pktmbuf_mtod(m, uint8_t *);
	if (run1(&op) != DP_CRYPTO_OK)
		fail_msg("%s on %s: verify failed (%u)", k->name, e->label, op.status);
	assert_memory_equal(data + d.head.len, d.pt.b, d.pt.len);
	rte_pktmbuf_free(m);

	/* A flipped ICV bit. */
	memcpy(bad, d.icv.b, d.icv.len);
	bad[d.icv.len - 1] ^= 0x01;
	m = op_make(&op, in, &d, &d.ct, bad, d.icv.len);
	if (run1(&op) != DP_CRYPTO_AUTH_FAILED)
		fail_msg("%s on %s: tampered ICV gave %u", k->name, e->label, op.status);
	rte_pktmbuf_free(m);

	/* A flipped AAD bit (SPI and sequence number are bound to the ICV). */
	if (d.aad.len > 0) {
		m = op_make(&op, in, &d, &d.ct, d.icv.b, d.icv.len);
		op.aad[d.aad.len - 1] ^= 0x01;
		if (run1(&op) != DP_CRYPTO_AUTH_FAILED)
			fail_msg("%s on %s: tampered AAD gave %u", k->name, e->label, op.status);
		rte_pktmbuf_free(m);
	}

	/* A flipped message bit (the first authenticated byte). */
	if (d.head.len + d.ct.len > 0) {
		m = op_make(&op, in, &d, &d.ct, d.icv.b, d.icv.len);
		rte_pktmbuf_mtod(m, uint8_t *)[0] ^= 0x80;
		if (run1(&op) != DP_CRYPTO_AUTH_FAILED)
			fail_msg("%s on %s: tampered data gave %u", k->name, e->label, op.status);
		rte_pktmbuf_free(m);
	}
	assert_int_equal(dp_crypto_sess_free(out), 0);
	assert_int_equal(dp_crypto_sess_free(in), 0);
	return true;
}

static void kat_engine(unsigned int ei, unsigned int min_expected)
{
	const struct engine *e = &engines[ei];
	unsigned int ran = 0;

	for (size_t i = 0; i < KAT_COUNT; i++)
		ran += kat_one(&kats[i], e);
	print_message("[ KAT      ] %s: %u of %zu vectors (encrypt, decrypt, tampering)\n",
		      e->label, ran, KAT_COUNT);
	assert_true(ran >= min_expected);
}

static void test_kat_ipsec_mb(void **state)
{
	(void)state;
	kat_engine(ENG_MB, KAT_COUNT);
}

static void test_kat_cryptodev_aesni_mb(void **state)
{
	(void)state;
	kat_engine(ENG_AESNI, KAT_COUNT);
}

/* OpenSSL PMD (22.11): it advertises AES-GCM with a 16-byte tag only and no
 * ChaCha20-Poly1305, so those sessions are refused (-ENOTSUP); everything
 * else must run. */
static void test_kat_cryptodev_openssl(void **state)
{
	unsigned int lacking = 0;

	(void)state;
	for (size_t i = 0; i < KAT_COUNT; i++)
		lacking += kats[i].ealg == GCM8 || kats[i].ealg == GCM12 || kats[i].ealg == CHACHA;
	kat_engine(ENG_OPENSSL, (unsigned int)(KAT_COUNT - lacking));
}

/* The ChaCha20-Poly1305 PMD: its one algorithm, both vectors. */
static void test_kat_cryptodev_chacha(void **state)
{
	unsigned int chacha = 0;

	(void)state;
	for (size_t i = 0; i < KAT_COUNT; i++)
		chacha += kats[i].ealg == CHACHA;
	kat_engine(ENG_CHACHA, chacha);
}

/* ------------------------------------------------------------------------ */
/* Bursts of mixed SAs through enqueue/dequeue.                              */

#define BURST_SESS 8
#define BURST_OPS 300

static void test_burst_mixed_order(void **state)
{
	/* (vector, engine) per session: several algorithms on all engines. */
	static const struct { const char *kat; unsigned int eng; } pick[BURST_SESS] = {
		{ "gcm128-16 TC3 + AAD 8 (ESP layout)", ENG_MB },
		{ "gcm128-16 TC3 + AAD 8 (ESP layout)", ENG_AESNI },
		{ "cbc128 RFC 3602 #4 + hmac-sha256-128", ENG_MB },
		{ "cbc128 RFC 3602 #4 + hmac-sha256-128", ENG_OPENSSL },
		{ "ctr128 RFC 3686 #3 + hmac-sha256-128", ENG_AESNI },
		{ "chacha20-poly1305 8439 + AAD 8 (ESP layout)", ENG_MB },
		{ "hmac-sha512-256 RFC 4231 #2", ENG_AESNI },
		{ "gmac128 ESP packet (RFC 4543 layout)", ENG_OPENSSL },
	};
	struct dp_crypto_worker *w = dp_crypto_worker(crypto, 1);
	struct dp_crypto_sess *sess[BURST_SESS][2];
	const struct kat *kv[BURST_SESS];
	static struct kat_data d[BURST_SESS];
	static struct dp_crypto_op ops[BURST_OPS];
	struct dp_crypto_op *ptr[BURST_OPS], *got[BURST_OPS];
	struct rte_mbuf *m[BURST_OPS];
	struct dp_crypto_fence fence;
	int last[BURST_SESS];
	(void)state;

	for (unsigned int s = 0; s < BURST_SESS; s++) {
		kv[s] = NULL;
		for (size_t i = 0; i < KAT_COUNT; i++)
			if (strcmp(kats[i].name, pick[s].kat) == 0)
				kv[s] = &kats[i];
		assert_non_null(kv[s]);
		kat_load(kv[s], &d[s]);
		assert_int_equal(sess_make(kv[s], &d[s], &engines[pick[s].eng],
					   DP_CRYPTO_DIR_OUT, &sess[s][0]), 0);
		assert_int_equal(sess_make(kv[s], &d[s], &engines[pick[s].eng],
					   DP_CRYPTO_DIR_IN, &sess[s][1]), 0);
	}

	for (unsigned int dir = 0; dir < 2; dir++) {
		unsigned int n_in = 0, n_out = 0;
		bool fenced = false;
		unsigned int short_enqueues = 0;
		uint8_t zero[DP_CRYPTO_ICV_MAX] = { 0 };

		for (unsigned int i = 0; i < BURST_OPS; i++) {
			unsigned int s = (i * 7u + i / 5u) % BURST_SESS;   /* irregular mix */

			if (dir == 0) {
				m[i] = op_make(&ops[i], sess[s][0], &d[s], &d[s].pt, zero,
					       d[s].icv.len);
			} else {
				m[i] = op_make(&ops[i], sess[s][1], &d[s], &d[s].ct, d[s].icv.b,
					       d[s].icv.len);
				/* Every 11th inbound packet is forged. */
				if (i % 11 == 3)
					ops[i].digest[0] ^= 0x40;
			}
			ops[i].user = (void *)(uintptr_t)i;
			ptr[i] = &ops[i];
		}
		/* Enqueue in uneven chunks, dequeue as we go. */
		while (n_out < BURST_OPS) {
			if (n_in < BURST_OPS) {
				unsigned int left = BURST_OPS - n_in;
				uint16_t want = (uint16_t)RTE_MIN(left, 1 + (n_in % 37));

				uint16_t took = dp_crypto_enqueue(w, ptr + n_in, want);

				short_enqueues += took < want;
				n_in += took;
				if (!fenced && n_in >= BURST_OPS / 2) {
					fenced = true;
					dp_crypto_fence_take(crypto, &fence);
					assert_false(dp_crypto_fence_passed(crypto, &fence));
				}
			}
			n_out += dp_crypto_dequeue(w, got + n_out,
						   (uint16_t)RTE_MIN(BURST_OPS - n_out, 16u));
		}
		assert_int_equal(dp_crypto_inflight(w), 0);
		assert_true(fenced);
		/* The queue pairs are 32 deep: the devices did push back. */
		assert_true(short_enqueues > 0);
		assert_true(dp_crypto_fence_passed(crypto, &fence));

		/* Each op once, in order per session, with the right result. */
		for (unsigned int s = 0; s < BURST_SESS; s++)
			last[s] = -1;
		for (unsigned int j = 0; j < BURST_OPS; j++) {
			unsigned int i = (unsigned int)(uintptr_t)got[j]->user;
			const uint8_t *data = rte_pktmbuf_mtod(m[i], uint8_t *);
			unsigned int s;

			assert_ptr_equal(got[j], &ops[i]);
			for (s = 0; s < BURST_SESS; s++)
				if (ops[i].sess == sess[s][dir])
					break;
			assert_true(s < BURST_SESS);
			assert_true((int)i > last[s]);
			last[s] = (int)i;
			if (dir == 0) {
				assert_int_equal(ops[i].status, DP_CRYPTO_OK);
				assert_memory_equal(data + d[s].head.len, d[s].ct.b, d[s].ct.len);
				assert_memory_equal(ops[i].digest, d[s].icv.b, d[s].icv.len);
			} else if (i % 11 == 3) {
				assert_int_equal(ops[i].status, DP_CRYPTO_AUTH_FAILED);
			} else {
				assert_int_equal(ops[i].status, DP_CRYPTO_OK);
				assert_memory_equal(data + d[s].head.len, d[s].pt.b, d[s].pt.len);
			}
		}
		for (unsigned int i = 0; i < BURST_OPS; i++)
			rte_pktmbuf_free(m[i]);
	}
	for (unsigned int s = 0; s < BURST_SESS; s++) {
		dp_crypto_sess_free(sess[s][0]);
		dp_crypto_sess_free(sess[s][1]);
	}
}

/* ------------------------------------------------------------------------ */
/* Two workers at once, while CONTROL creates and frees sessions.            */

struct worker_arg {
	unsigned int id;
	struct dp_crypto_sess *sess[2];   /* one per engine */
	const struct kat_data *d;
	unsigned int rounds;
	unsigned int bad;                 /* results that differ */
	volatile bool *stop;
};

static void *worker_main(void *p)
{
	enum { N = 32 };
	struct worker_arg *a = p;
	struct dp_crypto_worker *w = dp_crypto_worker(crypto, a->id);
	struct dp_crypto_op ops[N], *ptr[N], *got[N];
	struct rte_mbuf *m[N];
	uint8_t zero[DP_CRYPTO_ICV_MAX] = { 0 };

	for (unsigned int r = 0; r < a->rounds || !*a->stop; r++) {
		unsigned int in = 0, out = 0;

		for (unsigned int i = 0; i < N; i++) {
			m[i] = op_make(&ops[i], a->sess[i % 2], a->d, &a->d->pt, zero,
				       a->d->icv.len);
			ptr[i] = &ops[i];
		}
		while (out < N) {
			if (in < N)
				in += dp_crypto_enqueue(w, ptr + in, (uint16_t)(N - in));
			out += dp_crypto_dequeue(w, got + out, (uint16_t)(N - out));
		}
		for (unsigned int i = 0; i < N; i++) {
			const uint8_t *data = rte_pktmbuf_mtod(m[i], uint8_t *);

			a->bad += ops[i].status != DP_CRYPTO_OK ||
				  memcmp(data + a->d->head.len, a->d->ct.b, a->d->ct.len) != 0 ||
				  memcmp(ops[i].digest, a->d->icv.b, a->d->icv.len) != 0;
			rte_pktmbuf_free(m[i]);
		}
	}
	return NULL;
}

static void test_workers_concurrent(void **state)
{
	const struct kat *k = &kats[1];   /* GCM TC3 */
	struct kat_data d;
	struct worker_arg args[2];
	pthread_t th[2];
	volatile bool stop = false;
	unsigned int freed = 0;
	(void)state;

	kat_load(k, &d);
	for (unsigned int t = 0; t < 2; t++) {
		args[t] = (struct worker_arg){ .id = t, .d = &d, .rounds = 200, .stop = &stop };
		assert_int_equal(sess_make(k, &d, &engines[ENG_MB], DP_CRYPTO_DIR_OUT,
					   &args[t].sess[0]), 0);
		assert_int_equal(sess_make(k, &d, &engines[ENG_AESNI], DP_CRYPTO_DIR_OUT,
					   &args[t].sess[1]), 0);
	}
	for (unsigned int t = 0; t < 2; t++)
		assert_int_equal(pthread_create(&th[t], NULL, worker_main, &args[t]), 0);
	/* CONTROL: sessions come and go on the same device under load; the
	 * free's fence must pass although the workers never stop enqueuing. */
	for (unsigned int i = 0; i < 50; i++) {
		struct dp_crypto_sess *s;

		assert_int_equal(sess_make(k, &d, &engines[ENG_AESNI], DP_CRYPTO_DIR_IN, &s), 0);
		freed += dp_crypto_sess_free(s) == 0;
	}
	stop = true;
	for (unsigned int t = 0; t < 2; t++)
		assert_int_equal(pthread_join(th[t], NULL), 0);
	assert_int_equal(freed, 50);
	for (unsigned int t = 0; t < 2; t++) {
		assert_int_equal(args[t].bad, 0);
		assert_int_equal(dp_crypto_inflight(dp_crypto_worker(crypto, t)), 0);
		assert_int_equal(dp_crypto_sess_free(args[t].sess[0]), 0);
		assert_int_equal(dp_crypto_sess_free(args[t].sess[1]), 0);
	}
}

/* ------------------------------------------------------------------------ */
/* Engine choice: gateway default, per-SA override, a device by name.        */

static void test_engine_choice(void **state)
{
	static const struct engine by_default = { "default", DP_CRYPTO_ENGINE_DEFAULT, "", true,
						  false };
	static const struct engine mb = { "ipsec-mb", DP_CRYPTO_ENGINE_IPSEC_MB, "", true,
					  false };
	const struct kat *k = &kats[1];   /* GCM TC3 */
	struct dp_crypto *saved = crypto, *gw;
	struct dp_crypto_config cfg;
	struct dp_crypto_sess *s;
	struct dp_crypto_sess_info info;
	struct kat_data d;
	(void)state;

	/* The test context's default is intel-ipsec-mb. */
	kat_load(k, &d);
	assert_int_equal(sess_make(k, &d, &by_default, DP_CRYPTO_DIR_OUT, &s), 0);
	dp_crypto_sess_get_info(s, &info);
	assert_int_equal(info.engine, DP_CRYPTO_ENGINE_IPSEC_MB);
	dp_crypto_sess_free(s);

	/* A gateway on a cryptodev that is not on the EAL command line: it is
	 * hot-plugged by name, and is then every session's default. */
	dp_crypto_config_default(&cfg);
	cfg.engine = DP_CRYPTO_ENGINE_CRYPTODEV;
	snprintf(cfg.dev_name, sizeof(cfg.dev_name), "crypto_aesni_mb_gw");
	cfg.name = "gw";
	assert_int_equal(dp_crypto_new(&cfg, &gw), 0);
	crypto = gw;
	assert_true(kat_one(k, &by_default));
	assert_int_equal(sess_make(k, &d, &by_default, DP_CRYPTO_DIR_OUT, &s), 0);
	dp_crypto_sess_get_info(s, &info);
	assert_int_equal(info.engine, DP_CRYPTO_ENGINE_CRYPTODEV);
	dp_crypto_sess_free(s);
	/* Overridden per SA. */
	assert_true(kat_one(k, &mb));

	/* A session with an op still in the device is not freed. */
	{
		struct dp_crypto_op op, *ptr = &op, *back = NULL;
		struct dp_crypto_worker *w = dp_crypto_worker(gw, 0);
		struct rte_mbuf *m;
		uint8_t zero[16] = { 0 };

		assert_int_equal(sess_make(k, &d, &by_default, DP_CRYPTO_DIR_OUT, &s), 0);
		m = op_make(&op, s, &d, &d.pt, zero, sizeof(zero));
		assert_int_equal(dp_crypto_enqueue(w, &ptr, 1), 1);
		assert_int_equal(dp_crypto_sess_free(s), -EBUSY);
		while (dp_crypto_dequeue(w, &back, 1) == 0)
			;
		assert_ptr_equal(back, &op);
		assert_int_equal(op.status, DP_CRYPTO_OK);
		assert_memory_equal(op.digest, d.icv.b, d.icv.len);
		assert_int_equal(dp_crypto_sess_free(s), 0);
		rte_pktmbuf_free(m);
	}
	crypto = saved;
	dp_crypto_free(gw);

	/* A device that does not exist; a CRYPTODEV gateway without a device. */
	cfg.name = "gw2";
	snprintf(cfg.dev_name, sizeof(cfg.dev_name), "crypto_no_such_pmd0");
	assert_int_equal(dp_crypto_new(&cfg, &gw), -ENODEV);
	assert_null(gw);
	cfg.dev_name[0] = '\0';
	assert_int_equal(dp_crypto_new(&cfg, &gw), -EINVAL);
	cfg.engine = DP_CRYPTO_ENGINE_IPSEC_MB;
	cfg.name = "a-name-too-long-for-pools";
	assert_int_equal(dp_crypto_new(&cfg, &gw), -EINVAL);
}

/* ------------------------------------------------------------------------ */
/* Malformed ops and refused sessions.                                       */

static void test_bad_ops(void **state)
{
	const struct kat *k = &kats[1];   /* GCM TC3 */
	(void)state;

	for (unsigned int e = ENG_MB; e <= ENG_AESNI; e++) {
		struct kat_data d;
		struct dp_crypto_sess *s;
		struct dp_crypto_op op;
		struct rte_mbuf *m, *tail;

		kat_load(k, &d);
		assert_int_equal(sess_make(k, &d, &engines[e], DP_CRYPTO_DIR_OUT, &s), 0);

		/* Region past the end of the data. */
		m = op_make(&op, s, &d, &d.pt, d.icv.b, d.icv.len);
		op.cipher_length = 4096;
		assert_int_equal(run1(&op), DP_CRYPTO_ERROR);

		/* Two segments. */
		op_make(&op, s, &d, &d.pt, d.icv.b, d.icv.len);
		tail = op.mbuf;
		op.mbuf = m;
		assert_int_equal(rte_pktmbuf_chain(m, tail), 0);
		assert_int_equal(run1(&op), DP_CRYPTO_ERROR);

		/* No session. */
		op.sess = NULL;
		assert_int_equal(run1(&op), DP_CRYPTO_ERROR);
		rte_pktmbuf_free(m);
		dp_crypto_sess_free(s);
	}
}

/* Ops the engine itself rejects (CBC over a partial block) or that fail
 * validation, in the middle of a burst, fail alone: the others complete. */
static void test_bad_op_in_burst(void **state)
{
	const struct kat *cbc = NULL;
	(void)state;

	for (size_t i = 0; i < KAT_COUNT; i++)
		if (strcmp(kats[i].name, "cbc128 RFC 3602 #4 + hmac-sha256-128") == 0)
			cbc = &kats[i];
	assert_non_null(cbc);
	for (unsigned int e = ENG_MB; e <= ENG_OPENSSL; e++) {
		enum { N = 24 };
		struct kat_data d;
		struct dp_crypto_sess *s;
		struct dp_crypto_op ops[N], *ptr[N];
		struct rte_mbuf *m[N];
		uint8_t zero[DP_CRYPTO_ICV_MAX] = { 0 };

		kat_load(cbc, &d);
		assert_int_equal(sess_make(cbc, &d, &engines[e], DP_CRYPTO_DIR_OUT, &s), 0);
		for (unsigned int i = 0; i < N; i++) {
			m[i] = op_make(&ops[i], s, &d, &d.pt, zero, d.icv.len);
			ptr[i] = &ops[i];
		}
		ops[5].cipher_length -= 1;         /* not whole AES blocks */
		ops[11].auth_length = 60000;       /* outside the mbuf */
		ops[17].cipher_length -= 8;
		assert_int_equal(dp_crypto_process(dp_crypto_worker(crypto, 0), ptr, N), N);
		for (unsigned int i = 0; i < N; i++) {
			if (i == 5 || i == 11 || i == 17) {
				if (ops[i].status != DP_CRYPTO_ERROR)
					fail_msg("%s: bad op %u gave %u", engines[e].label, i,
						 ops[i].status);
				continue;
			}
			assert_int_equal(ops[i].status, DP_CRYPTO_OK);
			assert_memory_equal(rte_pktmbuf_mtod(m[i], uint8_t *) + d.head.len, d.ct.b,
					    d.ct.len);
			assert_memory_equal(ops[i].digest, d.icv.b, d.icv.len);
		}
		for (unsigned int i = 0; i < N; i++)
			rte_pktmbuf_free(m[i]);
		assert_int_equal(dp_crypto_sess_free(s), 0);
	}
}

/* intel-ipsec-mb direct takes runs of consecutive AES-CBC + HMAC ops of one
 * kind (direction, key size, HMAC) through its burst calls: runs of each
 * kind and length, split by a GCM op, by another kind or by CTR / NULL +
 * HMAC ops that go through the job API first (the HMAC lanes are shared:
 * those jobs must be finished before a run's), with forged inbound ops
 * first, inside and last in a run (a byte at the ICV's start, middle or
 * end flipped), and a refused op inside a run just before a forged one,
 * all in one call; each op's status and bytes as the vector says, and a
 * forged op of a run never decrypted.  The tail alternates every op that
 * takes a salt || IV nonce (GCM direct, ChaCha20-Poly1305, GMAC and CTR
 * jobs), each vector with its own salt and IV, whose nonces are all built
 * before the first op runs: an op that ran with a neighbour's nonce would
 * not match its vector.  Between the two passes a burst of another GCM
 * vector (zero salt and IV) takes every nonce slot, so the inbound pass
 * cannot pass on what the outbound pass left there. */
static void test_cbc_hmac_runs(void **state)
{
	static const char *const names[] = {
		"cbc128 RFC 3602 #3 + hmac-sha1-96",
		"cbc128 RFC 3602 #4 + hmac-sha256-128",
		"cbc192 SP 800-38A F.2.3 + hmac-sha384-192",
		"cbc256 SP 800-38A F.2.5 + hmac-sha512-256",
		"gcm128-16 TC3 + AAD 8 (ESP layout)",
		"ctr128 RFC 3686 #3 + hmac-sha256-128",
		"null + hmac-sha256-128 (ESP layout)",
		"chacha20-poly1305 8439 + AAD 8 (ESP layout)",
		"gmac128 CAVP ExtIV128 AAD-only #0",
		/* Not in pat[]: the burst between the two passes. */
		"gcm128-16 spec TC2",
	};
	enum { NS = sizeof(names) / sizeof(names[0]), N = 62, BURST_KINDS = 4, REFUSED = 46,
	       SCRUB = NS - 1 };
	/* Session per op: runs of 3, 1, 5, 2 ... split by kind, by GCM (4), by
	 * CTR (5) or NULL (6) + HMAC-SHA-256 before a CBC + HMAC-SHA-256 run;
	 * then ChaCha20-Poly1305 (7), GCM, GMAC (8), CTR alternating. */
	static const uint8_t pat[N] = {
		1, 1, 1, 0, 2, 2, 2, 2, 2, 4, 1, 1, 3, 3, 4, 4, 0, 0, 0, 0,
		1, 2, 1, 2, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
		5, 1, 1, 1, 6, 1, 1, 1, 1, 5, 6, 1,
		7, 4, 8, 5, 7, 8, 4, 7, 1, 8,
	};
	/* Forged inbound ops: a run's first, inside, last; a run of one; CTR
	 * and NULL ops; the op after the refused one; ChaCha20 and GMAC (57
	 * and 61, GMAC too, verify). */
	static const uint8_t forged[] = { 0, 1, 5, 8, 10, 12, 16, 19, 21, 25, 31, 38,
					  40, 42, 44, 45, 47, 50, 51, 52, 54, 59 };
	struct dp_crypto_worker *w = dp_crypto_worker(crypto, 0);
	static struct kat_data d[NS];
	struct dp_crypto_sess *sess[NS][2];
	struct dp_crypto_op ops[N], *ptr[N];
	struct rte_mbuf *m[N];
	uint8_t zero[DP_CRYPTO_ICV_MAX] = { 0 };
	(void)state;

	for (unsigned int k = 0; k < NS; k++) {
		const struct kat *kv = NULL;

		for (size_t i = 0; i < KAT_COUNT; i++)
			if (strcmp(kats[i].name, names[k]) == 0)
				kv = &kats[i];
		assert_non_null(kv);
		kat_load(kv, &d[k]);
		assert_int_equal(sess_make(kv, &d[k], &engines[ENG_MB], DP_CRYPTO_DIR_OUT,
					   &sess[k][0]), 0);
		assert_int_equal(sess_make(kv, &d[k], &engines[ENG_MB], DP_CRYPTO_DIR_IN,
					   &sess[k][1]), 0);
	}
	for (unsigned int dir = 0; dir < 2; dir++) {
		bool bad[N] = { false };

		if (dir == 1) {
			const struct kat_data *v = &d[SCRUB];

			for (unsigned int i = 0; i < N; i++) {
				m[i] = op_make(&ops[i], sess[SCRUB][0], v, &v->pt, zero, v->icv.len);
				ptr[i] = &ops[i];
			}
			assert_int_equal(dp_crypto_process(w, ptr, N), N);
			for (unsigned int i = 0; i < N; i++) {
				assert_int_equal(ops[i].status, DP_CRYPTO_OK);
				assert_memory_equal(ops[i].digest, v->icv.b, v->icv.len);
				rte_pktmbuf_free(m[i]);
			}
		}

		for (unsigned int i = 0; i < N; i++) {
			const struct kat_data *v = &d[pat[i]];

			if (dir == 0) {
				m[i] = op_make(&ops[i], sess[pat[i]][0], v, &v->pt, zero, v->icv.len);
			} else {
				m[i] = op_make(&ops[i], sess[pat[i]][1], v, &v->ct, v->icv.b,
					       v->icv.len);
			}
			ptr[i] = &ops[i];
		}
		if (dir == 1) {
			for (size_t f = 0; f < sizeof(forged); f++) {
				size_t len = d[pat[forged[f]]].icv.len;
				size_t at = f % 3 == 0 ? 1 : f % 3 == 1 ? len / 2 : len - 1;

				ops[forged[f]].digest[at] ^= 0x08;
				bad[forged[f]] = true;
			}
		}
		ops[REFUSED].auth_length = 60000; /* outside the mbuf */
		assert_int_equal(dp_crypto_process(w, ptr, N), N);
		for (unsigned int i = 0; i < N; i++) {
			const struct kat_data *v = &d[pat[i]];
			const uint8_t *data = rte_pktmbuf_mtod(m[i], uint8_t *) + v->head.len;

			if (i == REFUSED) {
				if (ops[i].status != DP_CRYPTO_ERROR)
					fail_msg("op %u refused: status %u", i, ops[i].status);
				continue;
			}
			if (bad[i]) {
				if (ops[i].status != DP_CRYPTO_AUTH_FAILED)
					fail_msg("op %u (%s) forged: status %u", i, names[pat[i]],
						 ops[i].status);
				/* A run MACs first and decrypts only what verified. */
				if (pat[i] < BURST_KINDS)
					assert_memory_equal(data, v->ct.b, v->ct.len);
				continue;
			}
			if (ops[i].status != DP_CRYPTO_OK)
				fail_msg("op %u (%s) dir %u: status %u", i, names[pat[i]], dir,
					 ops[i].status);
			if (dir == 0) {
				assert_memory_equal(data, v->ct.b, v->ct.len);
				assert_memory_equal(ops[i].digest, v->icv.b, v->icv.len);
			} else {
				assert_memory_equal(data, v->pt.b, v->pt.len);
			}
		}
		for (unsigned int i = 0; i < N; i++)
			rte_pktmbuf_free(m[i]);
	}
	for (unsigned int k = 0; k < NS; k++) {
		assert_int_equal(dp_crypto_sess_free(sess[k][0]), 0);
		assert_int_equal(dp_crypto_sess_free(sess[k][1]), 0);
	}
}

static void test_sess_rejected(void **state)
{
	static const uint8_t key[64] = { 1 };
	static const struct {
		const char *why;
		uint8_t ealg, aalg, icv, salt_len, aad_len;
		uint16_t ekey_len, akey_len;
		int rc;
	} bad[] = {
		{ "GCM with an HMAC", GCM16, SHA256, 0, 4, 8, 16, 32, -EINVAL },
		{ "GCM key 20", GCM16, A_NONE, 0, 4, 8, 20, 0, -EINVAL },
		{ "GCM without salt", GCM16, A_NONE, 0, 0, 8, 16, 0, -EINVAL },
		{ "GCM AAD 10", GCM16, A_NONE, 0, 4, 10, 16, 0, -EINVAL },
		{ "GCM-16 asked for ICV 8", GCM16, A_NONE, 8, 4, 8, 16, 0, -EINVAL },
		{ "CBC alone", CBC, A_NONE, 0, 0, 0, 16, 0, -EINVAL },
		{ "CBC with salt", CBC, SHA1, 0, 4, 0, 16, 20, -EINVAL },
		{ "CBC AAD", CBC, SHA1, 0, 0, 8, 16, 20, -EINVAL },
		{ "HMAC-SHA1 ICV 16", NONE, SHA1, 16, 0, 0, 0, 20, -EINVAL },
		{ "HMAC with no key", NONE, SHA256, 0, 0, 0, 0, 0, -EINVAL },
		{ "NULL key bytes", SADB_EALG_NULL, SHA256, 0, 0, 0, 16, 32, -EINVAL },
		{ "ChaCha key 16", CHACHA, A_NONE, 0, 4, 8, 16, 0, -EINVAL },
		{ "MD5", NONE, SADB_AALG_MD5HMAC, 0, 0, 0, 0, 16, -ENOTSUP },
		{ "3DES", SADB_EALG_3DESCBC, SHA1, 0, 0, 0, 24, 20, -ENOTSUP },
		{ "CCM", SADB_EALG_AES_CCM_16, A_NONE, 0, 3, 8, 16, 0, -ENOTSUP },
		{ "nothing", NONE, A_NONE, 0, 0, 0, 0, 0, -EINVAL },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dp_crypto_sess_params p;
		struct dp_crypto_sess *s = (void *)&p;

		memset(&p, 0, sizeof(p));
		p.ealg = bad[i].ealg;
		p.aalg = bad[i].aalg;
		p.icv_len = bad[i].icv;
		p.salt_len = bad[i].salt_len;
		p.aad_len = bad[i].aad_len;
		p.ekey_len = bad[i].ekey_len;
		p.akey_len = bad[i].akey_len;
		p.ekey = key;
		p.akey = key;
		p.salt = key;
		if (dp_crypto_sess_new(crypto, &p, &s) != bad[i].rc)
			fail_msg("%s: expected %d", bad[i].why, bad[i].rc);
		assert_null(s);
	}
}

/* ------------------------------------------------------------------------ */

static int group_setup(void **state)
{
	struct dp_crypto_config cfg;

	(void)state;
	if (crypto_test_eal_init("kat") < 0)
		return -1;
	mbufs = rte_pktmbuf_pool_create("kat_mbufs", 1023, 0, 0, 1024 + RTE_PKTMBUF_HEADROOM,
					SOCKET_ID_ANY);
	if (mbufs == NULL)
		return -1;
	dp_crypto_config_default(&cfg);
	cfg.workers = 2;
	cfg.name = "kat";
	cfg.qp_depth = 32;    /* small: the burst test must meet a full queue */
	if (dp_crypto_new(&cfg, &crypto) != 0)
		return -1;
	print_message("[ INFO     ] intel-ipsec-mb arch %s\n",
		      dp_crypto_mb_arch(crypto));
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	dp_crypto_free(crypto);
	rte_mempool_free(mbufs);
	crypto_test_eal_fini();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kat_ipsec_mb),
		cmocka_unit_test(test_kat_cryptodev_aesni_mb),
		cmocka_unit_test(test_kat_cryptodev_openssl),
		cmocka_unit_test(test_kat_cryptodev_chacha),
		cmocka_unit_test(test_burst_mixed_order),
		cmocka_unit_test(test_workers_concurrent),
		cmocka_unit_test(test_engine_choice),
		cmocka_unit_test(test_bad_ops),
		cmocka_unit_test(test_bad_op_in_burst),
		cmocka_unit_test(test_cbc_hmac_runs),
		cmocka_unit_test(test_sess_rejected),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
