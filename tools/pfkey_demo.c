/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dpsec-pfkey-demo: what the PF_KEY codec does, over a real socket.
 *
 * A "gateway" end and a "listener" end share a SOCK_SEQPACKET socket pair.
 * The demo builds an illumos-style ADD for an ESP AES-GCM SA, validates it
 * as the gateway would, sends listeners the copy without keys, and then
 * feeds the gateway a series of broken requests: each one is refused with
 * an error reply that carries errno and a diagnostic and nothing else.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dpsec/pfkey.h"

struct demo_buf {
	alignas(8) uint8_t b[1024];
};

static void sin4(struct sockaddr_in *s, const char *addr)
{
	memset(s, 0, sizeof(*s));
	s->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &s->sin_addr);
}

static int build_add(struct demo_buf *out, uint32_t seq)
{
	static const uint8_t key[20] = {
		0x4c, 0x80, 0xcd, 0xef, 0xbb, 0x5d, 0x10, 0xda, 0x90, 0x6a,
		0xc7, 0x3c, 0x36, 0x13, 0xa6, 0x34, 0x2e, 0x11, 0xa8, 0xb7,
	};
	struct pfk_builder b;
	struct sockaddr_in src, dst;

	sin4(&src, "192.0.2.1");
	sin4(&dst, "198.51.100.1");
	pfk_build_init(&b, out->b, sizeof(out->b), SADB_ADD, SADB_SATYPE_ESP, seq, getpid());
	pfk_add_sa(&b, htonl(0x1001), 64, SADB_SASTATE_MATURE, SADB_AALG_NONE,
		   SADB_EALG_AES_GCM_16, SADB_X_SAFLAGS_OUTBOUND | SADB_X_SAFLAGS_TUNNEL);
	pfk_add_lifetime(&b, SADB_EXT_LIFETIME_SOFT, 0, 900000000, 3000, 0);
	pfk_add_lifetime(&b, SADB_EXT_LIFETIME_HARD, 0, 1000000000, 3600, 0);
	pfk_add_address(&b, SADB_EXT_ADDRESS_SRC, (struct sockaddr *)&src, 0, 32);
	pfk_add_address(&b, SADB_EXT_ADDRESS_DST, (struct sockaddr *)&dst, 0, 32);
	pfk_add_key(&b, SADB_EXT_KEY_ENCRYPT, key, 160, 32);
	pfk_add_replay_window(&b, 4096, SADB_X_DPSEC_RW_ESN);
	return pfk_build_finish(&b);
}

static void describe(const char *who, const void *buf, size_t len, enum pfk_dir dir)
{
	struct pfk_msg m;
	uint16_t diag = 0;
	int rc = pfk_validate(buf, len, dir, &m, &diag);

	if (rc < 0) {
		printf("  %s: invalid (%s: %s)\n", who, strerror(-rc), pfk_diag_string(diag));
		return;
	}
	printf("  %s: %s %s, %zu bytes, seq %u\n", who, pfk_msg_name(m.hdr->sadb_msg_type),
	       pfk_satype_name(m.hdr->sadb_msg_satype), m.len, m.hdr->sadb_msg_seq);
	if (m.hdr->sadb_msg_errno) {
		uint16_t d = m.hdr->sadb_x_msg_diagnostic;
		char num[16];

		snprintf(num, sizeof(num), d >= SADB_X_DIAGNOSTIC_DPSEC_BASE ? "0x%04x" : "%u", d);
		printf("      errno %u (%s), diagnostic %s %s: %s\n", m.hdr->sadb_msg_errno,
		       strerror(m.hdr->sadb_msg_errno), num, pfk_diag_name(d), pfk_diag_string(d));
	}
	for (int slot = 1; slot < PFK_SLOT_COUNT; slot++) {
		uint16_t t = pfk_slot_exttype(slot);

		if (!pfk_has(&m, slot))
			continue;
		printf("      %-22s", pfk_ext_name(t));
		if (t == SADB_EXT_SA) {
			const struct pfk_alg_info *e =
				pfk_alg_by_id(PFK_ALG_ENCRYPT, m.sa->sadb_sa_encrypt);
			printf(" spi 0x%08x state %s encr %s", ntohl(m.sa->sadb_sa_spi),
			       pfk_state_name(m.sa->sadb_sa_state), e ? e->name : "?");
		} else if (t == SADB_EXT_KEY_ENCRYPT || t == SADB_EXT_KEY_AUTH) {
			const struct sadb_key *k = (const void *)m.ext[slot];
			printf(" %u bits (salt %u): <key hidden>", k->sadb_key_bits,
			       k->sadb_key_reserved);
		} else if (t == SADB_EXT_ADDRESS_SRC || t == SADB_EXT_ADDRESS_DST) {
			const struct sadb_address *a = (const void *)m.ext[slot];
			const struct sockaddr_in *s = (const void *)pfk_addr_sockaddr(a);
			char txt[INET6_ADDRSTRLEN];
			inet_ntop(AF_INET, &s->sin_addr, txt, sizeof(txt));
			printf(" %s/%u", txt, a->sadb_address_prefixlen);
		} else if (t == SADB_EXT_LIFETIME_SOFT || t == SADB_EXT_LIFETIME_HARD) {
			const struct sadb_lifetime *l = (const void *)m.ext[slot];
			printf(" bytes %llu addtime %llus", (unsigned long long)l->sadb_lifetime_bytes,
			       (unsigned long long)l->sadb_lifetime_addtime);
		} else if (t == SADB_X_EXT_DPSEC_REPLAY_WINDOW) {
			printf(" %u packets%s", m.replay_window->sadb_x_rw_window,
			       (m.replay_window->sadb_x_rw_flags & SADB_X_DPSEC_RW_ESN) ? ", ESN" : "");
		}
		printf("\n");
	}
}

/* The gateway's side of one exchange: validate, then reply or refuse. */
static void gateway_handle(int gw, int listener, const void *req, size_t len)
{
	struct demo_buf reply, copy, got;
	struct pfk_msg m;
	uint16_t diag = 0;
	int rc = pfk_validate(req, len, PFK_DIR_REQUEST, &m, &diag);

	if (rc < 0) {
		int n = pfk_build_error(req, -rc, diag, reply.b, sizeof(reply.b));
		if (len < sizeof(struct sadb_msg)) { /* nothing to echo: minimal header */
			struct sadb_msg h = { .sadb_msg_version = PF_KEY_V2 };
			n = pfk_build_error(&h, -rc, diag, reply.b, sizeof(reply.b));
		}
		if (n > 0)
			describe("gateway -> client", reply.b, (size_t)n, PFK_DIR_REPLY);
		return;
	}
	describe("gateway accepted", req, len, PFK_DIR_REQUEST);
	rc = pfk_copy_without_keys(&m, copy.b, sizeof(copy.b));
	if (rc > 0 && pfk_client_send(gw, copy.b, (size_t)rc) == 0) {
		int n = pfk_client_recv(listener, got.b, sizeof(got.b), 1000);
		if (n > 0)
			describe("listener received", got.b, (size_t)n, PFK_DIR_REPLY);
	}
	pfk_wipe(reply.b, sizeof(reply.b));
}

/* Each mutation breaks a valid ADD (built by build_add) in one way. */
static struct sadb_ext *find_ext(uint8_t *b, uint16_t type)
{
	struct sadb_msg *h = (struct sadb_msg *)(void *)b;
	size_t off = sizeof(*h), end = (size_t)h->sadb_msg_len * 8;

	while (off + sizeof(struct sadb_ext) <= end) {
		struct sadb_ext *e = (struct sadb_ext *)(void *)(b + off);
		if (e->sadb_ext_type == type)
			return e;
		if (e->sadb_ext_len == 0)
			break;
		off += (size_t)e->sadb_ext_len * 8;
	}
	return NULL;
}

static void mut_version(uint8_t *b, int *len)
{
	(void)len;
	((struct sadb_msg *)(void *)b)->sadb_msg_version = 1;
}

static void mut_truncate(uint8_t *b, int *len)
{
	(void)b;
	*len -= 8; /* the header still claims the full length */
}

static void mut_zero_ext(uint8_t *b, int *len)
{
	(void)len;
	find_ext(b, SADB_EXT_LIFETIME_SOFT)->sadb_ext_len = 0;
}

static void mut_unknown_ext(uint8_t *b, int *len)
{
	(void)len;
	find_ext(b, SADB_EXT_LIFETIME_SOFT)->sadb_ext_type = 0x7777;
}

static void mut_soft_above_hard(uint8_t *b, int *len)
{
	(void)len;
	((struct sadb_lifetime *)(void *)find_ext(b, SADB_EXT_LIFETIME_SOFT))
		->sadb_lifetime_addtime = 7200;
}

static void mut_bad_keybits(uint8_t *b, int *len)
{
	(void)len;
	/* Claims 128 bits but carries 160: a length that hides extra bytes. */
	((struct sadb_key *)(void *)find_ext(b, SADB_EXT_KEY_ENCRYPT))->sadb_key_bits = 128;
}

static void mut_no_dst(uint8_t *b, int *len)
{
	(void)len;
	/* Turn the destination into a second source: duplicate. */
	find_ext(b, SADB_EXT_ADDRESS_DST)->sadb_ext_type = SADB_EXT_ADDRESS_SRC;
}

static void mut_get_with_key(uint8_t *b, int *len)
{
	(void)len;
	((struct sadb_msg *)(void *)b)->sadb_msg_type = SADB_GET;
}

static const struct {
	const char *what;
	void (*mutate)(uint8_t *b, int *len);
} demo_cases[] = {
	{ "PF_KEY version 1", mut_version },
	{ "8 bytes fewer than the header says", mut_truncate },
	{ "an extension of length zero", mut_zero_ext },
	{ "an unknown extension type", mut_unknown_ext },
	{ "soft add-time lifetime above the hard one", mut_soft_above_hard },
	{ "a key whose bit count disagrees with its length", mut_bad_keybits },
	{ "two source addresses", mut_no_dst },
	{ "GET carrying an encryption key", mut_get_with_key },
};

int main(void)
{
	struct demo_buf msg;
	int sv[2];
	int len;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0) {
		perror("socketpair");
		return 1;
	}
	printf("dpsec PF_KEY v2 demo (illumos flavour)\n\n");
	printf("1. A key manager adds an ESP AES-GCM-16 SA with a 4096-packet ESN window:\n");
	len = build_add(&msg, 1);
	if (len < 0) {
		fprintf(stderr, "build: %s\n", strerror(-len));
		return 1;
	}
	gateway_handle(sv[0], sv[1], msg.b, (size_t)len);

	printf("\n2. Broken requests are refused with errno and a diagnostic, no extensions:\n");
	for (size_t i = 0; i < sizeof(demo_cases) / sizeof(demo_cases[0]); i++) {
		struct demo_buf bad;
		int blen = build_add(&bad, 2 + (uint32_t)i);

		demo_cases[i].mutate(bad.b, &blen);
		printf(" - %s\n", demo_cases[i].what);
		gateway_handle(sv[0], sv[1], bad.b, (size_t)blen);
		pfk_wipe(bad.b, sizeof(bad.b));
	}
	pfk_wipe(msg.b, sizeof(msg.b));
	close(sv[0]);
	close(sv[1]);
	return 0;
}
