/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proc_test.h: shared fixtures for the ESP/AH packet tests and the vector
 * tool: a sender and a receiver dataplane context (one worker each, the
 * calling thread), an mbuf pool, SA parameter builders, packet builders.
 *
 * Two contexts, because a sender's outbound SA and the receiver's inbound
 * SA share (SPI, destination, protocol): one SADB cannot hold both.
 */
#ifndef PROC_TEST_H
#define PROC_TEST_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dpsec/dp.h"
#include "dp_ip.h"
#include "dp_proc.h"

struct pt_side {
	struct dp_ctx *ctx;
	struct dp_proc *proc;
};

struct pt_env {
	struct rte_mempool *pool;
	struct pt_side a;   /* sender: outbound SAs */
	struct pt_side b;   /* receiver: inbound SAs */
	uint8_t engine;     /* enum dp_engine */
};

static inline int pt_side_open(struct pt_side *s, const char *name, uint8_t engine,
	const char *dev, uint16_t workers)
{
	struct dp_config cfg;
	int rc;

	dp_config_default(&cfg);
	cfg.max_sas = 1024;
	cfg.workers = workers;
	cfg.engine = engine;
	cfg.name = name;
	if (dev != NULL)
		snprintf(cfg.crypto_dev, sizeof(cfg.crypto_dev), "%s", dev);
	s->ctx = dp_create(&cfg);
	if (s->ctx == NULL)
		return -1;
	if (dp_worker_register(s->ctx, 0) != 0)
		return -1;
	rc = dp_proc_new(s->ctx, 0, &s->proc);
	return rc == 0 ? 0 : -1;
}

static inline void pt_side_close(struct pt_side *s)
{
	if (s->ctx == NULL)
		return;
	dp_proc_free(s->proc);
	dp_worker_unregister(s->ctx, 0);
	dp_destroy(s->ctx);
	s->ctx = NULL;
	s->proc = NULL;
}

/* engine: DP_ENGINE_IPSEC_MB or DP_ENGINE_CRYPTODEV (crypto_aesni_mb). */
static inline int pt_env_open(struct pt_env *e, const char *tag, uint8_t engine)
{
	char n[32], dev[64];

	memset(e, 0, sizeof(*e));
	e->engine = engine;
	snprintf(n, sizeof(n), "pool_%s", tag);
	e->pool = rte_mempool_lookup(n);
	if (e->pool == NULL)
		e->pool = rte_pktmbuf_pool_create(n, 511, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, -1);
	if (e->pool == NULL)
		return -1;
	snprintf(n, sizeof(n), "%sa", tag);
	snprintf(dev, sizeof(dev), "crypto_aesni_mb_%sa", tag);
	if (pt_side_open(&e->a, n, engine, engine == DP_ENGINE_CRYPTODEV ? dev : NULL, 1) != 0)
		return -1;
	snprintf(n, sizeof(n), "%sb", tag);
	snprintf(dev, sizeof(dev), "crypto_aesni_mb_%sb", tag);
	if (pt_side_open(&e->b, n, engine, engine == DP_ENGINE_CRYPTODEV ? dev : NULL, 1) != 0)
		return -1;
	return 0;
}

static inline void pt_env_close(struct pt_env *e)
{
	pt_side_close(&e->a);
	pt_side_close(&e->b);
}

static inline void pt_addr(struct dp_addr *a, const char *text)
{
	memset(a, 0, sizeof(*a));
	if (strchr(text, ':') != NULL) {
		a->family = AF_INET6;
		inet_pton(AF_INET6, text, a->bytes);
	} else {
		a->family = AF_INET;
		inet_pton(AF_INET, text, a->bytes);
	}
}

/* Key material: deterministic bytes (the tests compare with scapy). */
static inline void pt_fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7u);
}

/* Salt length an algorithm takes in dp_sa_params. */
static inline uint8_t pt_salt_len(uint8_t ealg)
{
	switch (ealg) {
	case SADB_X_EALG_AES_CTR:
	case SADB_EALG_AES_GCM_8:
	case SADB_EALG_AES_GCM_12:
	case SADB_EALG_AES_GCM_16:
	case SADB_X_EALG_NULL_AES_GMAC:
	case SADB_X_EALG_CHACHA20_POLY1305:
		return 4;
	default:
		return 0;
	}
}

static inline uint16_t pt_akey_len(uint8_t aalg)
{
	switch (aalg) {
	case SADB_AALG_SHA1HMAC:
		return 20;
	case SADB_AALG_SHA256HMAC:
		return 32;
	case SADB_AALG_SHA384HMAC:
		return 48;
	case SADB_AALG_SHA512HMAC:
		return 64;
	default:
		return 0;
	}
}

/* An SA: satype, algorithms, key length, mode, addresses (outer src/dst);
 * keys from pt_fill.  dir and the rest are the caller's. */
static inline void pt_sa(struct dp_sa_params *p, uint32_t spi, uint8_t satype, uint8_t ealg,
	uint16_t ekey_len, uint8_t aalg, uint8_t mode, const char *src, const char *dst)
{
	memset(p, 0, sizeof(*p));
	p->spi = htonl(spi);
	p->satype = satype;
	p->mode = mode;
	p->state = SADB_SASTATE_MATURE;
	pt_addr(&p->src, src);
	pt_addr(&p->dst, dst);
	p->encr_alg = ealg;
	p->encr_key_len = ekey_len;
	pt_fill(p->encr_key, ekey_len, 0x11);
	p->salt_len = pt_salt_len(ealg);
	pt_fill(p->salt, p->salt_len, 0xc3);
	p->auth_alg = aalg;
	p->auth_key_len = pt_akey_len(aalg);
	pt_fill(p->auth_key, p->auth_key_len, 0x5a);
}

/* Add p as an outbound SA on a and the same as inbound on b. */
static inline int pt_sa_pair(struct pt_env *e, struct dp_sa_params *p, uint32_t window,
	dp_sa_handle_t *out, dp_sa_handle_t *in)
{
	uint64_t lease = p->lease_limit;
	int rc;

	p->dir = DP_DIR_OUT;
	p->replay_window = 0;
	rc = dp_sa_add(e->a.ctx, p, out);
	if (rc != 0)
		return rc;

	/* The receiver starts where the sender does (its highest accepted
	 * number is the sender's last sent). */
	p->dir = DP_DIR_IN;
	p->replay_window = window;
	p->lease_limit = 0;
	rc = dp_sa_add(e->b.ctx, p, in);
	if (rc != 0)
		dp_sa_delete(e->a.ctx, *out);
	p->dir = DP_DIR_OUT;
	p->lease_limit = lease;
	return rc;
}

/* An IPv4 or IPv6 UDP packet of `payload` bytes from src to dst with the
 * given TOS/traffic class; returns its length (written to buf). */
static inline uint32_t pt_udp_packet(uint8_t *buf, const char *src, const char *dst,
	uint32_t payload, uint8_t tos, bool df)
{
	struct dp_addr s, d;
	uint32_t l4 = 8 + payload, hl;
	uint8_t *u;

	pt_addr(&s, src);
	pt_addr(&d, dst);
	if (s.family == AF_INET) {
		hl = 20;
		memset(buf, 0, hl);
		buf[0] = 0x45;
		buf[1] = tos;
		dp_put16(buf + 2, (uint16_t)(hl + l4));
		dp_put16(buf + 4, 0x1234);
		dp_put16(buf + 6, df ? 0x4000 : 0);
		buf[8] = 64;
		buf[9] = 17;
		memcpy(buf + 12, s.bytes, 4);
		memcpy(buf + 16, d.bytes, 4);
		dp_ipv4_csum_set(buf);
	} else {
		hl = 40;
		memset(buf, 0, hl);
		dp_put32(buf, 6u << 28 | (uint32_t)tos << 20 | 0x12345);
		dp_put16(buf + 4, (uint16_t)l4);
		buf[6] = 17;
		buf[7] = 64;
		memcpy(buf + 8, s.bytes, 16);
		memcpy(buf + 24, d.bytes, 16);
	}
	u = buf + hl;
	dp_put16(u, 1234);
	dp_put16(u + 2, 5678);
	dp_put16(u + 4, (uint16_t)l4);
	dp_put16(u + 6, 0);
	for (uint32_t i = 0; i < payload; i++)
		u[8 + i] = (uint8_t)(i * 13u + 1u);
	return hl + l4;
}

static inline struct rte_mbuf *pt_mbuf(struct pt_env *e, const uint8_t *data, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(e->pool);
	char *d;

	if (m == NULL)
		return NULL;
	d = rte_pktmbuf_append(m, (uint16_t)len);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(d, data, len);
	return m;
}

#endif /* PROC_TEST_H */
