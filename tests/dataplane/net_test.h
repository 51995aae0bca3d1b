/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net_test.h: fixtures for the routing/neighbour tests (test_route,
 * test_neigh, test_arp_nd, test_icmp): a dp_ctx + dp_net, a mempool,
 * mbufs from bytes, and expected bytes built by scapy.
 *
 * Expected packets come from scapy (/usr/bin/python3, the one with scapy;
 * the python3 first on PATH may lack it), run as a subprocess: an
 * independent encoder of the same packet, so a byte-for-byte match checks
 * layout, lengths and checksums.
 */
#ifndef NET_TEST_H
#define NET_TEST_H

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dpsec/dp.h"
#include "dp_arp_nd.h"
#include "dp_icmp.h"
#include "dp_neigh.h"
#include "dp_net_priv.h"
#include "dp_route.h"
#include "dp_test_eal.h"

#define SCAPY_PY "/usr/bin/python3"
#define NT_MAX_PKT 4096u

struct nt {
	struct dp_ctx *ctx;
	struct dp_net *net;
	struct rte_mempool *mp;
};

static inline void nt_addr(struct dp_addr *a, const char *text)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, text, a->bytes) == 1) {
		a->family = AF_INET;
		return;
	}
	assert_int_equal(inet_pton(AF_INET6, text, a->bytes), 1);
	a->family = AF_INET6;
}

static inline void nt_prefix(struct dp_prefix *p, const char *text, uint8_t len)
{
	memset(p, 0, sizeof(*p));
	nt_addr(&p->addr, text);
	p->length = len;
}

/* Build ctx + net with cfg (NULL: defaults) and a mempool named `name`. */
static inline void nt_setup(struct nt *t, const char *name, const struct dp_net_config *cfg)
{
	struct dp_net_config def;
	struct dp_config c;
	char pool[32];

	dp_config_default(&c);
	c.max_sas = 64;
	c.name = name;
	t->ctx = dp_create(&c);
	assert_non_null(t->ctx);
	if (cfg == NULL) {
		dp_net_config_default(&def);
		def.max_routes4 = 64;
		def.max_routes6 = 64;
		def.max_neigh = 64;
		cfg = &def;
	}
	t->net = dp_net_create(t->ctx, cfg);
	assert_non_null(t->net);
	snprintf(pool, sizeof(pool), "%s_mp", name);
	t->mp = rte_pktmbuf_pool_create(pool, 512, 0, 0, RTE_PKTMBUF_HEADROOM + NT_MAX_PKT,
		SOCKET_ID_ANY);
	assert_non_null(t->mp);
}

static inline void nt_teardown(struct nt *t)
{
	dp_net_destroy(t->net);
	dp_destroy(t->ctx);
	/* Every mbuf must be back: nothing leaked by the code under test. */
	assert_int_equal(rte_mempool_avail_count(t->mp), 512);
	rte_mempool_free(t->mp);
}

static inline struct rte_mbuf *nt_mbuf(struct nt *t, const uint8_t *b, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(t->mp);
	uint8_t *d;

	assert_non_null(m);
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	assert_non_null(d);
	memcpy(d, b, len);
	return m;
}

/* Run scapy: `code` is Python that sets variable p to a packet or bytes.
 * Returns the length written to out; fails the test on any problem. */
static inline size_t nt_scapy(const char *code, uint8_t *out, size_t max)
{
	static char cmd[16384], hex[2 * NT_MAX_PKT + 8];
	size_t n = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		SCAPY_PY " -c 'import sys\nfrom scapy.all import *\n%s\n"
		"sys.stdout.write(bytes(p).hex())' 2>/dev/null", code);
	f = popen(cmd, "r");
	assert_non_null(f);
	if (fgets(hex, sizeof(hex), f) == NULL)
		hex[0] = '\0';
	assert_int_equal(pclose(f), 0);
	for (const char *h = hex; h[0] != '\0' && h[1] != '\0' && n < max; h += 2) {
		unsigned int v;

		assert_int_equal(sscanf(h, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
	}
	assert_true(n > 0);
	return n;
}

/* Several packets in one interpreter run (scapy takes a second to load):
 * `code` sets a list ps; ps[i] lands in out + i * NT_MAX_PKT, its length in
 * lens[i].  Returns how many. */
static inline size_t nt_scapy_list(const char *code, uint8_t *out, size_t *lens, size_t max)
{
	static char cmd[16384], hex[2 * NT_MAX_PKT + 8];
	size_t k = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		SCAPY_PY " -c 'import sys\nfrom scapy.all import *\n%s\n"
		"[sys.stdout.write(bytes(x).hex() + chr(10)) for x in ps]' 2>/dev/null", code);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (k < max && fgets(hex, sizeof(hex), f) != NULL) {
		size_t n = 0;

		for (const char *h = hex; h[0] != '\n' && h[0] != '\0' && h[1] != '\0' &&
			n < NT_MAX_PKT; h += 2) {
			unsigned int v;

			assert_int_equal(sscanf(h, "%2x", &v), 1);
			out[k * NT_MAX_PKT + n++] = (uint8_t)v;
		}
		lens[k++] = n;
	}
	assert_int_equal(pclose(f), 0);
	return k;
}

/* Skip (not fail) when the scapy interpreter is missing altogether. */
static inline int nt_have_scapy(void)
{
	return access(SCAPY_PY, X_OK) == 0 &&
		system(SCAPY_PY " -c 'import scapy.all' >/dev/null 2>&1") == 0;
}

static inline void nt_assert_mbuf(const struct rte_mbuf *m, const uint8_t *want, size_t len)
{
	assert_int_equal(rte_pktmbuf_data_len(m), len);
	assert_memory_equal(rte_pktmbuf_mtod(m, const uint8_t *), want, len);
}

static inline uint64_t nt_counter(struct nt *t, enum dp_net_counter c)
{
	struct dp_net_stats st;

	assert_int_equal(dp_net_get_stats(t->net, &st), 0);
	return st.counters[c];
}

#endif /* NET_TEST_H */
