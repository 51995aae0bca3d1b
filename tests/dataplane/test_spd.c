/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_spd: the SPD lookup (dp_spd.c) -- a table of rules and packets in
 * both directions and families (bypass, discard, protect, bundles, ACQUIRE,
 * priorities and ties, port ranges, protocol any, ICMP type/code), random
 * rule sets checked against the reference matcher, the post-decapsulation
 * check, bad sets refused with the current set kept, the empty set, the
 * ACQUIRE rate limit, sets replaced under a reading worker, and the build
 * time at 1k, 10k and 100k rules (printed, not asserted).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dpsec/dp.h"
#include "dp_spd.h"
#include "dp_test_eal.h"

/* ------------------------------------------------------------------------ */
/* Rules and flows from text. */

/* "80" or "1024-65535" into lo..hi; NULL = 0..max. */
static void range(const char *s, unsigned int max, unsigned int *lo, unsigned int *hi)
{
	char *end;

	*lo = 0;
	*hi = max;
	if (s == NULL)
		return;
	*lo = *hi = (unsigned int)strtoul(s, &end, 10);
	if (*end == '-')
		*hi = (unsigned int)strtoul(end + 1, &end, 10);
	assert_int_equal(*end, '\0');
	assert_true(*lo <= *hi && *hi <= max);
}

/* "10.1.0.0/16" or "2001:db8::/32" into family, bytes, prefix length. */
static uint8_t prefix(const char *s, uint8_t *addr, uint8_t *plen)
{
	char buf[64];
	char *slash;
	uint8_t fam;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	assert_non_null(slash);
	*slash = '\0';
	*plen = (uint8_t)atoi(slash + 1);
	fam = strchr(buf, ':') != NULL ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(fam, buf, addr), 1);
	return fam;
}

struct rule_row {
	uint32_t index, prio;
	uint8_t dir, action, proto, flags;
	const char *local, *remote;      /* NULL with family 0 */
	const char *lport, *rport, *type, *code;
	uint8_t n_out, n_in;
	dp_sa_handle_t out[2], in[2];
};

static struct dp_policy policy_of(const struct rule_row *r)
{
	struct dp_policy p;
	unsigned int lo, hi;

	memset(&p, 0, sizeof(p));
	p.index = r->index;
	p.priority = r->prio;
	p.dir = r->dir;
	p.action = r->action;
	p.flags = r->flags;
	p.sel.proto = r->proto;
	if (r->local != NULL) {
		p.sel.family = prefix(r->local, p.sel.local, &p.sel.local_plen);
		assert_int_equal(prefix(r->remote, p.sel.remote, &p.sel.remote_plen),
			p.sel.family);
	}
	range(r->lport, 65535, &lo, &hi);
	p.sel.lport_min = (uint16_t)lo;
	p.sel.lport_max = (uint16_t)hi;
	range(r->rport, 65535, &lo, &hi);
	p.sel.rport_min = (uint16_t)lo;
	p.sel.rport_max = (uint16_t)hi;
	range(r->type, 255, &lo, &hi);
	p.sel.icmp_type_min = (uint8_t)lo;
	p.sel.icmp_type_max = (uint8_t)hi;
	range(r->code, 255, &lo, &hi);
	p.sel.icmp_code_min = (uint8_t)lo;
	p.sel.icmp_code_max = (uint8_t)hi;
	p.n_out = r->n_out;
	p.n_in = r->n_in;
	memcpy(p.out, r->out, sizeof(p.out));
	memcpy(p.in, r->in, sizeof(r->in));
	return p;
}

/* A packet as on the wire: "6 10.1.1.1 4000 192.168.1.1 80"; ICMP:
 * "1 10.1.1.1 8 8.8.8.8 0" is type 8 code 0 (second and fourth fields). */
static struct dp_flow flow_of(const char *s)
{
	char src[64], dst[64];
	unsigned int proto, a, b;
	struct dp_flow f;

	memset(&f, 0, sizeof(f));
	assert_int_equal(sscanf(s, "%u %63s %u %63s %u", &proto, src, &a, dst, &b), 5);
	f.family = strchr(src, ':') != NULL ? AF_INET6 : AF_INET;
	f.proto = (uint8_t)proto;
	assert_int_equal(inet_pton(f.family, src, f.src), 1);
	assert_int_equal(inet_pton(f.family, dst, f.dst), 1);
	if (dp_spd_is_icmp(f.family, f.proto)) {
		f.sport = (uint16_t)(a << 8 | b);
	} else {
		f.sport = (uint16_t)a;
		f.dport = (uint16_t)b;
	}
	return f;
}

static struct dp_ctx *ctx_new(uint16_t workers, uint32_t events, const char *name)
{
	struct dp_config cfg;
	struct dp_ctx *ctx;

	dp_config_default(&cfg);
	cfg.max_sas = 64;
	cfg.workers = workers;
	cfg.event_ring_size = events;
	cfg.name = name;
	ctx = dp_create(&cfg);
	assert_non_null(ctx);
	return ctx;
}

static void publish_rows(struct dp_spd *spd, const struct rule_row *rows, uint32_t n)
{
	struct dp_policy *p = calloc(n + 1, sizeof(*p));

	assert_non_null(p);
	for (uint32_t i = 0; i < n; i++)
		p[i] = policy_of(&rows[i]);
	assert_int_equal(dp_spd_publish(spd, p, n, NULL), 0);
	free(p);
}

/* Reference: first rule in (priority, index) order whose direction and
 * selector match; 0 when none. */
static uint32_t reference(const struct dp_policy *rules, uint32_t n, uint8_t dir,
	const struct dp_flow *f)
{
	const struct dp_policy *best = NULL;

	for (uint32_t i = 0; i < n; i++) {
		const struct dp_policy *p = &rules[i];

		if ((p->dir & dir) == 0 || !dp_spd_selector_match(&p->sel, dir, f))
			continue;
		if (best == NULL || p->priority < best->priority ||
		    (p->priority == best->priority && p->index < best->index))
			best = p;
	}
	return best != NULL ? best->index : DP_POLICY_INDEX_NONE;
}

/* ------------------------------------------------------------------------ */
/* The table. */

#define IN DP_POLICY_DIR_IN
#define OUT DP_POLICY_DIR_OUT
#define BOTH DP_POLICY_DIR_BOTH
#define BYPASS DP_POLICY_BYPASS
#define DISCARD DP_POLICY_DISCARD
#define PROTECT DP_POLICY_PROTECT

static const struct rule_row table_rules[] = {
	/* DNS to the resolver passes both ways. */
	{ .index = 1, .prio = 10, .dir = BOTH, .action = BYPASS, .proto = 17,
	  .local = "10.0.0.0/8", .remote = "10.9.9.53/32", .rport = "53" },
	/* No telnet out of 10.1/16. */
	{ .index = 2, .prio = 20, .dir = OUT, .action = DISCARD, .proto = 6,
	  .local = "10.1.0.0/16", .remote = "0.0.0.0/0", .rport = "23" },
	/* The site-to-site tunnel (inner selectors), SA pair 0x11/0x21. */
	{ .index = 3, .prio = 30, .dir = BOTH, .action = PROTECT,
	  .local = "10.1.0.0/16", .remote = "192.168.0.0/16",
	  .n_out = 1, .out = { 0x11 }, .n_in = 1, .in = { 0x21 } },
	/* Same priority as 3, later index: loses where both match. */
	{ .index = 4, .prio = 30, .dir = OUT, .action = BYPASS,
	  .local = "10.1.2.0/24", .remote = "192.168.0.0/16" },
	/* Lower priority value, higher index: wins over 3.  AH over ESP. */
	{ .index = 50, .prio = 5, .dir = OUT, .action = PROTECT, .proto = 6,
	  .local = "10.1.3.0/24", .remote = "192.168.3.0/24", .rport = "8000-8999",
	  .n_out = 2, .out = { 0x12, 0x13 } },
	/* No SA yet: ACQUIRE. */
	{ .index = 6, .prio = 40, .dir = OUT, .action = PROTECT,
	  .local = "10.2.0.0/16", .remote = "0.0.0.0/0" },
	/* ICMP echo request passes, destination unreachable .. redirect not. */
	{ .index = 7, .prio = 15, .dir = BOTH, .action = BYPASS, .proto = 1,
	  .local = "10.0.0.0/8", .remote = "0.0.0.0/0", .type = "8", .code = "0" },
	{ .index = 8, .prio = 16, .dir = BOTH, .action = DISCARD, .proto = 1,
	  .local = "10.0.0.0/8", .remote = "0.0.0.0/0", .type = "3-5" },
	/* Protocol any, narrowed: port 443 for port protocols, type 0 for
	 * ICMP, nothing else. */
	{ .index = 9, .prio = 25, .dir = OUT, .action = BYPASS,
	  .local = "10.3.0.0/16", .remote = "0.0.0.0/0", .rport = "443", .type = "0" },
	/* IPv6 tunnel, SA pair 0x31/0x41. */
	{ .index = 10, .prio = 30, .dir = BOTH, .action = PROTECT,
	  .local = "2001:db8:1::/48", .remote = "2001:db8:2::/48",
	  .n_out = 1, .out = { 0x31 }, .n_in = 2, .in = { 0x41, 0x42 } },
	/* Neighbour discovery passes. */
	{ .index = 11, .prio = 10, .dir = BOTH, .action = BYPASS, .proto = 58,
	  .local = "::/0", .remote = "::/0", .type = "133-137" },
	/* Inbound SSH from the management net. */
	{ .index = 12, .prio = 50, .dir = IN, .action = BYPASS, .proto = 6,
	  .local = "10.1.0.0/16", .remote = "172.16.0.0/12", .lport = "22" },
	/* A second policy for SA 0x21 (shared SA): UDP to 10.5/16. */
	{ .index = 13, .prio = 60, .dir = IN, .action = PROTECT, .proto = 17,
	  .local = "10.5.0.0/16", .remote = "192.168.0.0/16", .n_in = 1, .in = { 0x21 } },
	/* Catch-all inbound discard, any family. */
	{ .index = 14, .prio = 1000, .dir = IN, .action = DISCARD },
};

static const struct {
	uint8_t dir;
	const char *flow;
	uint8_t verdict;
	uint32_t policy;
	uint8_t drop;
	uint8_t n_sa;
	dp_sa_handle_t sa[2];
} table_cases[] = {
	/* Outbound. */
	{ OUT, "17 10.1.1.1 5000 10.9.9.53 53", DP_SPD_BYPASS, 1, 0, 0, { 0 } },
	{ OUT, "6 10.1.1.1 4000 8.8.8.8 23", DP_SPD_DROP, 2, DP_DROP_POLICY_DISCARD, 0, { 0 } },
	{ OUT, "6 10.1.1.1 4000 192.168.1.1 80", DP_SPD_PROTECT, 3, 0, 1, { 0x11 } },
	{ OUT, "17 10.1.2.5 1 192.168.7.7 2", DP_SPD_PROTECT, 3, 0, 1, { 0x11 } },
	{ OUT, "6 10.1.3.9 1234 192.168.3.3 8080", DP_SPD_PROTECT, 50, 0, 2, { 0x12, 0x13 } },
	{ OUT, "6 10.1.3.9 1234 192.168.3.3 8000", DP_SPD_PROTECT, 50, 0, 2, { 0x12, 0x13 } },
	{ OUT, "6 10.1.3.9 1234 192.168.3.3 8999", DP_SPD_PROTECT, 50, 0, 2, { 0x12, 0x13 } },
	{ OUT, "6 10.1.3.9 1234 192.168.3.3 9000", DP_SPD_PROTECT, 3, 0, 1, { 0x11 } },
	{ OUT, "17 10.1.3.9 1234 192.168.3.3 8080", DP_SPD_PROTECT, 3, 0, 1, { 0x11 } },
	{ OUT, "6 10.2.0.1 1 1.2.3.4 2", DP_SPD_ACQUIRE, 6, 0, 0, { 0 } },
	{ OUT, "1 10.1.1.1 8 8.8.8.8 0", DP_SPD_BYPASS, 7, 0, 0, { 0 } },
	{ OUT, "1 10.1.1.1 8 8.8.8.8 1", DP_SPD_DROP, 0, DP_DROP_NO_POLICY, 0, { 0 } },
	{ OUT, "1 10.1.1.1 4 8.8.8.8 9", DP_SPD_DROP, 8, DP_DROP_POLICY_DISCARD, 0, { 0 } },
	{ OUT, "1 10.1.1.1 6 8.8.8.8 0", DP_SPD_DROP, 0, DP_DROP_NO_POLICY, 0, { 0 } },
	{ OUT, "1 10.1.1.1 8 192.168.1.1 0", DP_SPD_BYPASS, 7, 0, 0, { 0 } },
	{ OUT, "1 10.1.1.1 13 192.168.1.1 0", DP_SPD_PROTECT, 3, 0, 1, { 0x11 } },
	{ OUT, "6 10.3.1.1 5 1.1.1.1 443", DP_SPD_BYPASS, 9, 0, 0, { 0 } },
	{ OUT, "132 10.3.1.1 5 1.1.1.1 443", DP_SPD_BYPASS, 9, 0, 0, { 0 } },
	{ OUT, "6 10.3.1.1 5 1.1.1.1 444", DP_SPD_DROP, 0, DP_DROP_NO_POLICY, 0, { 0 } },
	{ OUT, "1 10.3.1.1 0 1.1.1.1 0", DP_SPD_BYPASS, 9, 0, 0, { 0 } },
	{ OUT, "1 10.3.1.1 13 1.1.1.1 0", DP_SPD_DROP, 0, DP_DROP_NO_POLICY, 0, { 0 } },
	/* ICMP type 1 code 187 is 0x01bb = 443 as a port: must not match. */
	{ OUT, "1 10.3.1.1 1 1.1.1.1 187", DP_SPD_DROP, 0, DP_DROP_NO_POLICY, 0, { 0 } },
	{ OUT, "47 10.3.1.1 0 1.1.1.1 0", DP_SPD_DROP, 0, DP_DROP_NO_POLICY, 0, { 0 } },
	{ OUT, "6 10.1.9.9 22 172.16.5.5 40000", DP_SPD_DROP, 0, DP_DROP_NO_POLICY, 0, { 0 } },
	{ OUT, "6 2001:db8:1::5 1000 2001:db8:2::9 22", DP_SPD_PROTECT, 10, 0, 1, { 0x31 } },
	{ OUT, "58 fe80::1 135 ff02::1 0", DP_SPD_BYPASS, 11, 0, 0, { 0 } },
	{ OUT, "58 fe80::1 128 ff02::1 0", DP_SPD_DROP, 0, DP_DROP_NO_POLICY, 0, { 0 } },
	{ OUT, "58 2001:db8:1::5 128 2001:db8:2::9 0", DP_SPD_PROTECT, 10, 0, 1, { 0x31 } },
	{ OUT, "17 2001:db8:9::1 1 2001:db8:2::1 2", DP_SPD_DROP, 0, DP_DROP_NO_POLICY, 0,
	  { 0 } },
	/* Inbound, in the clear. */
	{ IN, "17 10.9.9.53 53 10.1.1.1 5000", DP_SPD_BYPASS, 1, 0, 0, { 0 } },
	{ IN, "17 10.9.9.53 5000 10.1.1.1 53", DP_SPD_DROP, 14, DP_DROP_POLICY_DISCARD, 0,
	  { 0 } },
	{ IN, "6 192.168.1.1 80 10.1.1.1 4000", DP_SPD_DROP, 3, DP_DROP_POLICY_MISMATCH, 0,
	  { 0 } },
	{ IN, "6 172.16.5.5 40000 10.1.9.9 22", DP_SPD_BYPASS, 12, 0, 0, { 0 } },
	{ IN, "6 172.16.5.5 40000 10.1.9.9 23", DP_SPD_DROP, 14, DP_DROP_POLICY_DISCARD, 0,
	  { 0 } },
	{ IN, "6 10.2.0.1 1 1.2.3.4 2", DP_SPD_DROP, 14, DP_DROP_POLICY_DISCARD, 0, { 0 } },
	{ IN, "1 8.8.8.8 8 10.1.1.1 0", DP_SPD_BYPASS, 7, 0, 0, { 0 } },
	{ IN, "1 8.8.8.8 3 10.1.1.1 1", DP_SPD_DROP, 8, DP_DROP_POLICY_DISCARD, 0, { 0 } },
	{ IN, "6 2001:db8:2::9 22 2001:db8:1::5 1000", DP_SPD_DROP, 10,
	  DP_DROP_POLICY_MISMATCH, 0, { 0 } },
	{ IN, "6 2001:db8:9::9 22 2001:db8:1::5 1000", DP_SPD_DROP, 14,
	  DP_DROP_POLICY_DISCARD, 0, { 0 } },
	{ IN, "58 fe80::2 136 fe80::1 0", DP_SPD_BYPASS, 11, 0, 0, { 0 } },
};

#define NCASES (sizeof(table_cases) / sizeof(table_cases[0]))
#define NRULES (sizeof(table_rules) / sizeof(table_rules[0]))

static void check_case(unsigned int i, const struct dp_spd_result *r)
{
	if (r->verdict != table_cases[i].verdict || r->policy != table_cases[i].policy ||
	    r->drop != table_cases[i].drop || r->n_sa != table_cases[i].n_sa ||
	    r->sa[0] != table_cases[i].sa[0] || r->sa[1] != table_cases[i].sa[1])
		fail_msg("case %u (%s %s): verdict %u policy %u drop %u n_sa %u", i,
			table_cases[i].dir == IN ? "in" : "out", table_cases[i].flow, r->verdict,
			r->policy, r->drop, r->n_sa);
}

static void test_table(void **state)
{
	struct dp_ctx *ctx = ctx_new(1, 64, "spdtab");
	struct dp_spd *spd = dp_spd_create(ctx, NULL);
	struct dp_policy rules[NRULES];
	struct dp_flow flows[NCASES];
	struct dp_spd_result res[NCASES];
	struct dp_event ev[8];
	unsigned int acquires = 0;

	(void)state;
	assert_non_null(spd);
	assert_int_equal(dp_worker_register(ctx, 0), 0);
	for (unsigned int i = 0; i < NRULES; i++)
		rules[i] = policy_of(&table_rules[i]);
	assert_int_equal(dp_spd_publish(spd, rules, NRULES, NULL), 0);

	/* One packet at a time, then each direction as one burst. */
	for (unsigned int i = 0; i < NCASES; i++) {
		flows[i] = flow_of(table_cases[i].flow);
		assert_int_equal(reference(rules, NRULES, table_cases[i].dir, &flows[i]),
			table_cases[i].policy);
		dp_spd_lookup(spd, 0, table_cases[i].dir, &flows[i], 1, &res[i]);
		check_case(i, &res[i]);
		acquires += table_cases[i].verdict == DP_SPD_ACQUIRE;
	}
	for (uint8_t dir = IN; dir <= OUT; dir++) {
		struct dp_flow f[NCASES];
		unsigned int idx[NCASES], n = 0;

		for (unsigned int i = 0; i < NCASES; i++) {
			if (table_cases[i].dir == dir) {
				idx[n] = i;
				f[n++] = flows[i];
			}
		}
		memset(res, 0xa5, sizeof(res));
		dp_spd_lookup(spd, 0, dir, f, n, res);
		for (unsigned int j = 0; j < n; j++)
			check_case(idx[j], &res[j]);
	}
	/* The ACQUIRE case posted once; its repeat was rate-limited. */
	assert_int_equal(dp_event_poll(ctx, ev, 8), 1);
	assert_int_equal(acquires, 1);
	assert_int_equal(ev[0].type, DP_EVENT_ACQUIRE);
	assert_int_equal(ev[0].policy, 6);
	assert_int_equal(ev[0].worker, 0);
	assert_memory_equal(&ev[0].flow, &flows[9], sizeof(flows[9]));

	assert_int_equal(dp_worker_unregister(ctx, 0), 0);
	dp_spd_free(spd);
	dp_destroy(ctx);
}

/* ------------------------------------------------------------------------ */
/* Random sets against the reference matcher. */

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

/* Addresses from a small space so that prefixes overlap often. */
static void rnd_addr(uint64_t *s, uint8_t fam, uint8_t *a)
{
	memset(a, 0, 16);
	if (fam == AF_INET) {
		a[0] = 10;
		a[1] = (uint8_t)(rnd(s) % 4);
		a[2] = (uint8_t)(rnd(s) % 4);
		a[3] = (uint8_t)(rnd(s) % 8);
	} else {
		a[0] = 0x20;
		a[1] = 0x01;
		a[5] = (uint8_t)(rnd(s) % 4);
		a[9] = (uint8_t)(rnd(s) % 4);
		a[15] = (uint8_t)(rnd(s) % 8);
	}
}

static void rnd_range16(uint64_t *s, uint16_t *lo, uint16_t *hi)
{
	unsigned int a = rnd(s) % 12, b = rnd(s) % 12;

	if (rnd(s) % 3 == 0) {
		*lo = 0;
		*hi = UINT16_MAX;
		return;
	}
	*lo = (uint16_t)(a < b ? a : b);
	*hi = (uint16_t)(a < b ? b : a);
}

static void rnd_range8(uint64_t *s, uint8_t *lo, uint8_t *hi)
{
	uint16_t l, h;

	rnd_range16(s, &l, &h);
	*lo = (uint8_t)l;
	*hi = h > 255 ? 255 : (uint8_t)h;
}

static void rnd_policy(uint64_t *s, struct dp_policy *p, uint32_t index, uint32_t prio_span)
{
	static const uint8_t protos[] = { 0, 0, 1, 6, 17, 58 };
	static const uint8_t v4plen[] = { 0, 8, 16, 24, 30, 32 };
	static const uint8_t v6plen[] = { 0, 16, 48, 72, 126, 128 };
	uint8_t fam = rnd(s) % 5 == 0 ? 0 : rnd(s) % 2 ? AF_INET : AF_INET6;

	memset(p, 0, sizeof(*p));
	p->index = index;
	p->priority = rnd(s) % prio_span;
	p->dir = (uint8_t)(1 + rnd(s) % 3);
	p->action = (uint8_t)(1 + rnd(s) % 3);
	p->sel.family = fam;
	p->sel.proto = protos[rnd(s) % sizeof(protos)];
	if (fam != 0) {
		const uint8_t *pl = fam == AF_INET ? v4plen : v6plen;

		rnd_addr(s, fam, p->sel.local);
		rnd_addr(s, fam, p->sel.remote);
		p->sel.local_plen = pl[rnd(s) % 6];
		p->sel.remote_plen = pl[rnd(s) % 6];
	}
	rnd_range16(s, &p->sel.lport_min, &p->sel.lport_max);
	rnd_range16(s, &p->sel.rport_min, &p->sel.rport_max);
	rnd_range8(s, &p->sel.icmp_type_min, &p->sel.icmp_type_max);
	rnd_range8(s, &p->sel.icmp_code_min, &p->sel.icmp_code_max);
	if (p->action == DP_POLICY_PROTECT) {
		p->n_out = (uint8_t)(rnd(s) % 3);
		p->out[0] = index * 4 + 1;
		p->out[1] = index * 4 + 2;
	}
	if (p->n_out == 0 && p->action == DP_POLICY_PROTECT)
		p->out[0] = p->out[1] = 0;
	if (p->n_out == 1)
		p->out[1] = 0;
}

static void rnd_flow(uint64_t *s, struct dp_flow *f)
{
	static const uint8_t protos[] = { 1, 6, 17, 58, 47 };

	memset(f, 0, sizeof(*f));
	f->family = rnd(s) % 2 ? AF_INET : AF_INET6;
	f->proto = protos[rnd(s) % sizeof(protos)];
	rnd_addr(s, f->family, f->src);
	rnd_addr(s, f->family, f->dst);
	if (dp_spd_is_icmp(f->family, f->proto)) {
		f->sport = (uint16_t)((rnd(s) % 12) << 8 | rnd(s) % 12);
	} else if (f->proto != 47) {
		f->sport = (uint16_t)(rnd(s) % 14);
		f->dport = (uint16_t)(rnd(s) % 14);
	}
}

/* Classify nf random flows both ways and compare with the reference. */
static void crosscheck(struct dp_spd *spd, const struct dp_policy *rules, uint32_t n,
	uint64_t *seed, unsigned int nf)
{
	struct dp_flow f[64];
	struct dp_spd_result r[64];
	unsigned int matched = 0;

	for (unsigned int done = 0; done < nf; done += 64) {
		for (unsigned int i = 0; i < 64; i++)
			rnd_flow(seed, &f[i]);
		for (uint8_t dir = IN; dir <= OUT; dir++) {
			dp_spd_lookup(spd, 0, dir, f, 64, r);
			for (unsigned int i = 0; i < 64; i++) {
				uint32_t want = reference(rules, n, dir, &f[i]);

				if (r[i].policy != want)
					fail_msg("dir %u flow %u: policy %u, reference %u", dir, i,
						r[i].policy, want);
				matched += want != 0;
			}
		}
	}
	/* The random space is small enough that most flows match something. */
	assert_true(matched > nf / 2);
}

/* Bit by bit: the first plen bits of a and b agree. */
static bool bits_match(const uint8_t *a, const uint8_t *b, unsigned int plen)
{
	for (unsigned int i = 0; i < plen; i++)
		if (((a[i / 8] ^ b[i / 8]) & (0x80u >> (i % 8))) != 0)
			return false;
	return true;
}

/* The selector semantics written out plainly (docs/DATAPLANE.md "Policy
 * lookup"), to check the word-compare matcher the SPD and the other tests
 * rely on. */
static bool plain_match(const struct dp_selector *s, uint8_t dir, const struct dp_flow *f)
{
	bool out = dir == OUT;
	uint16_t lport = out ? f->sport : f->dport, rport = out ? f->dport : f->sport;

	if (s->family != 0 && s->family != f->family)
		return false;
	if (s->proto != 0 && s->proto != f->proto)
		return false;
	if (s->family != 0 && (!bits_match(s->local, out ? f->src : f->dst, s->local_plen) ||
			       !bits_match(s->remote, out ? f->dst : f->src, s->remote_plen)))
		return false;
	if (dp_spd_is_icmp(f->family, f->proto))
		return (f->sport >> 8) >= s->icmp_type_min && (f->sport >> 8) <= s->icmp_type_max &&
		       (f->sport & 0xff) >= s->icmp_code_min &&
		       (f->sport & 0xff) <= s->icmp_code_max;
	return lport >= s->lport_min && lport <= s->lport_max && rport >= s->rport_min &&
	       rport <= s->rport_max;
}

/* dp_spd_selector_match() against plain_match() on random selectors with
 * every prefix length and flows near them (host bits flipped one at a
 * time around the prefix boundary). */
static void test_selector_match(void **state)
{
	uint64_t seed = 0x5e1ec7ull;
	unsigned int matched = 0;

	(void)state;
	for (unsigned int k = 0; k < 20000; k++) {
		struct dp_policy p;
		struct dp_flow f;
		uint8_t dir = k % 2 ? IN : OUT;
		unsigned int max;
		bool got, want;

		rnd_policy(&seed, &p, 1, 1);
		rnd_flow(&seed, &f);
		if (p.sel.family != 0) {
			max = p.sel.family == AF_INET ? 32 : 128;
			p.sel.local_plen = (uint8_t)(rnd(&seed) % (max + 1));
			p.sel.remote_plen = (uint8_t)(rnd(&seed) % (max + 1));
			if (rnd(&seed) % 4 != 0) {
				/* Inside both prefixes, then maybe one bit off near the
				 * boundary of one of them. */
				uint8_t *l = dir == OUT ? f.src : f.dst;
				uint8_t *r = dir == OUT ? f.dst : f.src;
				unsigned int bit;

				f.family = p.sel.family;
				memcpy(l, p.sel.local, 16);
				memcpy(r, p.sel.remote, 16);
				if (f.family == AF_INET) {
					memset(l + 4, (int)(rnd(&seed) & 0xff), 12);
					memset(r + 4, (int)(rnd(&seed) & 0xff), 12);
				}
				bit = (rnd(&seed) % 2 ? p.sel.local_plen : p.sel.remote_plen) +
				      rnd(&seed) % 3;
				if (rnd(&seed) % 2 && bit >= 1 && bit - 1 < max)
					(rnd(&seed) % 2 ? l : r)[(bit - 1) / 8] ^=
						(uint8_t)(0x80u >> ((bit - 1) % 8));
			}
		}
		got = dp_spd_selector_match(&p.sel, dir, &f);
		want = plain_match(&p.sel, dir, &f);
		if (got != want)
			fail_msg("case %u: selector_match %d, plain %d", k, got, want);
		matched += want;
	}
	/* Both outcomes were exercised. */
	assert_true(matched > 1000 && matched < 19000);
}

static void test_random_sets(void **state)
{
	struct dp_ctx *ctx = ctx_new(1, 4096, "spdrnd");
	struct dp_spd *spd = dp_spd_create(ctx, NULL);
	struct dp_policy *rules = calloc(400, sizeof(*rules));
	uint64_t seed = 0x5eed;

	(void)state;
	assert_non_null(spd);
	assert_non_null(rules);
	assert_int_equal(dp_worker_register(ctx, 0), 0);
	for (unsigned int round = 0; round < 6; round++) {
		/* Few distinct priorities: many ties, decided by index. */
		uint32_t n = 20 + rnd(&seed) % 380, span = round % 2 ? 4 : 1000;

		for (uint32_t i = 0; i < n; i++)
			rnd_policy(&seed, &rules[i], i + 1, span);
		/* Unique indices in no particular order (100003 is prime). */
		for (uint32_t i = 0; i < n; i++)
			rules[i].index = (i + round) * 7919 % 100003 + 1;
		assert_int_equal(dp_spd_publish(spd, rules, n, NULL), 0);
		crosscheck(spd, rules, n, &seed, 2048);
	}
	assert_int_equal(dp_worker_unregister(ctx, 0), 0);
	free(rules);
	dp_spd_free(spd);
	dp_destroy(ctx);
}

/* ------------------------------------------------------------------------ */
/* Post-decapsulation check. */

static void test_inbound_check(void **state)
{
	static const struct {
		dp_sa_handle_t sa;
		const char *inner;
		uint8_t drop;
	} cases[] = {
		{ 0x21, "6 192.168.1.1 80 10.1.1.1 4000", DP_DROP_NONE },      /* policy 3 */
		{ 0x21, "17 192.168.1.1 80 10.5.1.1 53", DP_DROP_NONE },       /* policy 13 */
		{ 0x21, "6 192.168.1.1 80 10.5.1.1 53", DP_DROP_POLICY_MISMATCH },
		{ 0x21, "6 8.8.8.8 80 10.1.1.1 4000", DP_DROP_POLICY_MISMATCH },
		/* Reversed: the local side of an inbound packet is its dst. */
		{ 0x21, "6 10.1.1.1 4000 192.168.1.1 80", DP_DROP_POLICY_MISMATCH },
		{ 0x41, "6 2001:db8:2::9 22 2001:db8:1::5 1000", DP_DROP_NONE },
		{ 0x42, "58 2001:db8:2::9 128 2001:db8:1::5 0", DP_DROP_NONE },
		{ 0x41, "6 192.168.1.1 80 10.1.1.1 4000", DP_DROP_POLICY_MISMATCH },
		{ 0x21, "6 2001:db8:2::9 22 2001:db8:1::5 1000", DP_DROP_POLICY_MISMATCH },
		{ 0x99, "6 192.168.1.1 80 10.1.1.1 4000", DP_DROP_POLICY_MISMATCH },
		/* An outbound SA of the policy does not count. */
		{ 0x11, "6 192.168.1.1 80 10.1.1.1 4000", DP_DROP_POLICY_MISMATCH },
	};
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	struct dp_ctx *ctx = ctx_new(1, 64, "spdchk");
	struct dp_spd *spd = dp_spd_create(ctx, NULL);
	struct dp_flow f[N];
	dp_sa_handle_t sa[N];
	uint8_t drop[N];
	unsigned int pass = 0;
	struct dp_spd_stats st;

	(void)state;
	assert_non_null(spd);
	assert_int_equal(dp_worker_register(ctx, 0), 0);
	publish_rows(spd, table_rules, NRULES);
	for (unsigned int i = 0; i < N; i++) {
		f[i] = flow_of(cases[i].inner);
		sa[i] = cases[i].sa;
		pass += cases[i].drop == DP_DROP_NONE;
	}
	memset(drop, 0xee, sizeof(drop));
	assert_int_equal(dp_spd_check_inbound(spd, 0, sa, f, N, drop), pass);
	for (unsigned int i = 0; i < N; i++)
		if (drop[i] != cases[i].drop)
			fail_msg("case %u (sa %#x %s): drop %u", i, (unsigned int)cases[i].sa,
				cases[i].inner, drop[i]);
	dp_spd_get_stats(spd, &st);
	assert_int_equal(st.mismatches, N - pass);

	/* More flows than one classification round (64): the cases in runs
	 * of 1, 2 or 3 flows (k-th run: case k mod N, a run of one SA looked
	 * up once), some across the rounds' boundaries: every flow gets its
	 * case's verdict. */
	{
		enum { M = 150 };
		struct dp_flow fm[M];
		dp_sa_handle_t sm[M];
		uint8_t dm[M];
		unsigned int c[M], pm = 0;

		for (unsigned int i = 0, k = 0, left = 1; i < M; i++) {
			if (left-- == 0) {
				k++;
				left = k % 3;
			}
			c[i] = k % N;
			fm[i] = f[c[i]];
			sm[i] = sa[c[i]];
			pm += cases[c[i]].drop == DP_DROP_NONE;
		}
		memset(dm, 0xee, sizeof(dm));
		assert_int_equal(dp_spd_check_inbound(spd, 0, sm, fm, M, dm), pm);
		for (unsigned int i = 0; i < M; i++)
			if (dm[i] != cases[c[i]].drop)
				fail_msg("flow %u (case %u): drop %u", i, c[i], dm[i]);
	}

	/* A new set that no longer lists 0x21 in policy 3: the same packet
	 * now fails. */
	{
		struct rule_row rows[NRULES];

		memcpy(rows, table_rules, sizeof(rows));
		rows[2].n_in = 0;
		publish_rows(spd, rows, NRULES);
		assert_int_equal(dp_spd_check_inbound(spd, 0, sa, f, 1, drop), 0);
		assert_int_equal(drop[0], DP_DROP_POLICY_MISMATCH);
	}
	assert_int_equal(dp_worker_unregister(ctx, 0), 0);
	dp_spd_free(spd);
	dp_destroy(ctx);
}

/* ------------------------------------------------------------------------ */
/* Bad sets, the empty set. */

static void test_bad_sets(void **state)
{
	static const struct {
		const char *what;
		uint32_t pos;   /* which rule is made bad */
		int err;
	} cases[] = {
		{ "index 0", 1, -EINVAL },
		{ "index twice", 2, -EEXIST },
		{ "direction 0", 0, -EINVAL },
		{ "direction 4", 0, -EINVAL },
		{ "action 0", 1, -EINVAL },
		{ "action 4", 1, -EINVAL },
		{ "bypass with an SA", 0, -EINVAL },
		{ "three outbound SAs", 2, -EINVAL },
		{ "five inbound SAs", 2, -EINVAL },
		{ "SA handle 0", 2, -EINVAL },
		{ "unknown flag", 1, -EINVAL },
		{ "family 7", 1, -EINVAL },
		{ "IPv4 prefix 33", 1, -EINVAL },
		{ "IPv6 prefix 129", 3, -EINVAL },
		{ "discard with an inbound SA", 4, -EINVAL },
		{ "lport 9-8", 1, -EINVAL },
		{ "rport 9-8", 1, -EINVAL },
		{ "ICMP type 9-8", 1, -EINVAL },
		{ "ICMP code 9-8", 1, -EINVAL },
	};
	static const struct rule_row good[] = {
		{ .index = 1, .prio = 1, .dir = OUT, .action = BYPASS,
		  .local = "10.0.0.0/8", .remote = "0.0.0.0/0" },
		{ .index = 2, .prio = 2, .dir = BOTH, .action = DISCARD, .proto = 6,
		  .local = "10.1.0.0/16", .remote = "0.0.0.0/0" },
		{ .index = 3, .prio = 3, .dir = BOTH, .action = PROTECT,
		  .local = "10.0.0.0/8", .remote = "0.0.0.0/0",
		  .n_out = 1, .out = { 7 }, .n_in = 1, .in = { 8 } },
		{ .index = 4, .prio = 4, .dir = IN, .action = BYPASS,
		  .local = "::/0", .remote = "::/0" },
		{ .index = 5, .prio = 5, .dir = IN, .action = DISCARD },
	};
	enum { NG = sizeof(good) / sizeof(good[0]) };
	struct dp_ctx *ctx = ctx_new(1, 64, "spdbad");
	struct dp_spd *spd = dp_spd_create(ctx, NULL);
	struct dp_flow f = flow_of("6 10.2.2.2 1 8.8.8.8 2"), f6 = flow_of("6 ::1 1 ::2 2");
	struct dp_spd_result r;
	struct dp_spd_stats st;
	struct dp_policy p[NG];
	uint8_t drop;
	dp_sa_handle_t sa = 8;
	uint32_t bad;

	(void)state;
	assert_non_null(spd);
	assert_int_equal(dp_worker_register(ctx, 0), 0);

	/* The empty set: no policy, nothing passes either way. */
	dp_spd_lookup(spd, 0, OUT, &f, 1, &r);
	assert_int_equal(r.verdict, DP_SPD_DROP);
	assert_int_equal(r.drop, DP_DROP_NO_POLICY);
	assert_int_equal(r.policy, DP_POLICY_INDEX_NONE);
	dp_spd_lookup(spd, 0, IN, &f6, 1, &r);
	assert_int_equal(r.drop, DP_DROP_NO_POLICY);
	assert_int_equal(dp_spd_check_inbound(spd, 0, &sa, &f, 1, &drop), 0);
	assert_int_equal(drop, DP_DROP_POLICY_MISMATCH);

	publish_rows(spd, good, NG);
	dp_spd_get_stats(spd, &st);
	assert_int_equal(st.generation, 1);
	assert_int_equal(st.rules, NG);

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dp_policy *q;

		for (unsigned int k = 0; k < NG; k++)
			p[k] = policy_of(&good[k]);
		q = &p[cases[i].pos];
		switch (i) {
		case 0: q->index = 0; break;
		case 1: q->index = p[0].index; break;
		case 2: q->dir = 0; break;
		case 3: q->dir = 4; break;
		case 4: q->action = 0; break;
		case 5: q->action = 4; break;
		case 6: q->n_out = 1; q->out[0] = 5; break;
		case 7: q->n_out = 3; break;
		case 8: q->n_in = 5; break;
		case 9: q->n_out = 2; break;
		case 10: q->flags = 0x80; break;
		case 11: q->sel.family = 7; break;
		case 12: q->sel.local_plen = 33; break;
		case 13: q->sel.remote_plen = 129; break;
		case 14: q->n_in = 1; q->in[0] = 9; break;
		case 15: q->sel.lport_min = 9; q->sel.lport_max = 8; break;
		case 16: q->sel.rport_min = 9; q->sel.rport_max = 8; break;
		case 17: q->sel.icmp_type_min = 9; q->sel.icmp_type_max = 8; break;
		case 18: q->sel.icmp_code_min = 9; q->sel.icmp_code_max = 8; break;
		default: fail();
		}
		bad = UINT32_MAX;
		if (dp_spd_publish(spd, p, NG, &bad) != cases[i].err || bad != cases[i].pos)
			fail_msg("%s: not refused at %u (bad %u)", cases[i].what, cases[i].pos, bad);
	}
	/* Refusals left the set in place. */
	dp_spd_get_stats(spd, &st);
	assert_int_equal(st.generation, 1);
	dp_spd_lookup(spd, 0, OUT, &f, 1, &r);
	assert_int_equal(r.verdict, DP_SPD_BYPASS);
	assert_int_equal(r.policy, 1);
	assert_int_equal(dp_spd_publish(spd, NULL, 1, NULL), -EINVAL);
	assert_int_equal(dp_spd_publish(spd, p, DP_SPD_RULES_MAX + 1, NULL), -E2BIG);

	/* Family any: prefix lengths and addresses are not looked at. */
	dp_policy_init(&p[0]);
	p[0].index = 77;
	p[0].dir = BOTH;
	p[0].action = BYPASS;
	p[0].sel.local_plen = 200;
	p[0].sel.remote_plen = 7;
	p[0].sel.local[0] = 1;
	assert_int_equal(dp_spd_publish(spd, p, 1, NULL), 0);
	dp_spd_lookup(spd, 0, OUT, &f, 1, &r);
	assert_int_equal(r.verdict, DP_SPD_BYPASS);
	assert_int_equal(r.policy, 77);
	dp_spd_lookup(spd, 0, IN, &f6, 1, &r);
	assert_int_equal(r.policy, 77);

	/* Publishing an empty set empties it again. */
	assert_int_equal(dp_spd_publish(spd, NULL, 0, NULL), 0);
	dp_spd_lookup(spd, 0, OUT, &f, 1, &r);
	assert_int_equal(r.drop, DP_DROP_NO_POLICY);

	assert_int_equal(dp_worker_unregister(ctx, 0), 0);
	dp_spd_free(spd);
	dp_destroy(ctx);
}

/* ------------------------------------------------------------------------ */
/* ACQUIRE rate limit. */

static unsigned int drain(struct dp_ctx *ctx, uint32_t policy)
{
	struct dp_event ev[64];
	unsigned int total = 0;
	int n;

	while ((n = dp_event_poll(ctx, ev, 64)) > 0) {
		for (int i = 0; i < n; i++) {
			assert_int_equal(ev[i].type, DP_EVENT_ACQUIRE);
			assert_int_equal(ev[i].policy, policy);
		}
		total += (unsigned int)n;
	}
	assert_int_equal(n, 0);
	return total;
}

/* n flows 10.<net>.x.y -> 8.8.8.8, i-th distinct. */
static void acq_flows(struct dp_flow *f, unsigned int n, unsigned int net)
{
	for (unsigned int i = 0; i < n; i++) {
		char s[64];

		snprintf(s, sizeof(s), "6 10.%u.%u.%u 1000 8.8.8.8 80", net, i / 200, i % 200);
		f[i] = flow_of(s);
	}
}

static void test_acquire_limit(void **state)
{
	static const struct rule_row rows[] = {
		/* shared: one ACQUIRE per policy and interval */
		{ .index = 1, .prio = 1, .dir = OUT, .action = PROTECT,
		  .local = "10.2.0.0/16", .remote = "0.0.0.0/0" },
		/* unique: one per flow and interval */
		{ .index = 2, .prio = 1, .dir = OUT, .action = PROTECT,
		  .flags = DP_POLICY_F_UNIQUE, .local = "10.4.0.0/16", .remote = "0.0.0.0/0" },
	};
	struct dp_spd_config cfg = { .acquire_interval_ms = 60000, .acquire_per_s = 100 };
	struct dp_ctx *ctx = ctx_new(1, 16, "spdacq");
	struct dp_spd *spd = dp_spd_create(ctx, &cfg);
	struct dp_flow f[250];
	struct dp_spd_result r[250];
	struct dp_worker_stats ws;
	struct dp_spd_stats st;

	(void)state;
	assert_non_null(spd);
	assert_int_equal(dp_worker_register(ctx, 0), 0);
	publish_rows(spd, rows, 2);

	/* Shared: 50 flows, 10 times over: one event. */
	acq_flows(f, 50, 2);
	for (unsigned int k = 0; k < 10; k++) {
		dp_spd_lookup(spd, 0, OUT, f, 50, r);
		for (unsigned int i = 0; i < 50; i++)
			assert_int_equal(r[i].verdict, DP_SPD_ACQUIRE);
	}
	assert_int_equal(drain(ctx, 1), 1);
	dp_spd_get_stats(spd, &st);
	assert_int_equal(st.acquire_posted, 1);
	assert_int_equal(st.acquire_suppressed, 499);

	/* Unique: 12 flows, 5 times over, ring of 16: one event per flow. */
	acq_flows(f, 12, 4);
	for (unsigned int k = 0; k < 5; k++)
		dp_spd_lookup(spd, 0, OUT, f, 12, r);
	assert_int_equal(drain(ctx, 2), 12);

	/* Ring full: 16 post, 4 are lost and retried by their next packet. */
	acq_flows(f, 32, 4);
	dp_spd_lookup(spd, 0, OUT, f + 12, 20, r);
	dp_spd_get_stats(spd, &st);
	assert_int_equal(st.acquire_lost, 4);
	assert_int_equal(dp_worker_get_stats(ctx, 0, &ws), 0);
	assert_int_equal(ws.events_lost, 4);
	assert_int_equal(drain(ctx, 2), 16);
	dp_spd_lookup(spd, 0, OUT, f + 12, 20, r);
	assert_int_equal(drain(ctx, 2), 4);
	dp_spd_get_stats(spd, &st);
	/* 1 + 12 + 16 + 4 posted; per second cap of 100 not reached. */
	assert_int_equal(st.acquire_posted, 33);

	/* Per-second cap: a flood of 250 new flows posts what is left of this
	 * second's 100 (or 100 if a new second began), never more. */
	acq_flows(f, 250, 4);
	for (unsigned int off = 0; off < 250; off += 10) {
		dp_spd_lookup(spd, 0, OUT, f + off, 10, r);
		(void)drain(ctx, 2);
	}
	dp_spd_get_stats(spd, &st);
	assert_true(st.acquire_posted - 33 <= 100 + 100);
	assert_true(st.acquire_posted - 33 >= 100 - 33);
	assert_true(st.acquire_suppressed >= 499 + 48 + 50);

	assert_int_equal(dp_worker_unregister(ctx, 0), 0);
	dp_spd_free(spd);
	dp_destroy(ctx);
}

/* The interval ends: the same policy raises its ACQUIRE again. */
static void test_acquire_interval(void **state)
{
	static const struct rule_row rows[] = {
		{ .index = 9, .prio = 1, .dir = BOTH, .action = PROTECT,
		  .local = "10.2.0.0/16", .remote = "0.0.0.0/0" },
	};
	struct dp_spd_config cfg = { .acquire_interval_ms = 50 };
	struct dp_ctx *ctx = ctx_new(1, 64, "spdacqi");
	struct dp_spd *spd = dp_spd_create(ctx, &cfg);
	struct dp_flow f = flow_of("6 10.2.0.1 1 8.8.8.8 2");
	struct dp_spd_result r;

	(void)state;
	assert_non_null(spd);
	assert_int_equal(dp_worker_register(ctx, 0), 0);
	publish_rows(spd, rows, 1);
	dp_spd_lookup(spd, 0, OUT, &f, 1, &r);
	dp_spd_lookup(spd, 0, OUT, &f, 1, &r);
	assert_int_equal(drain(ctx, 9), 1);
	usleep(80 * 1000);
	dp_spd_lookup(spd, 0, OUT, &f, 1, &r);
	assert_int_equal(r.verdict, DP_SPD_ACQUIRE);
	assert_int_equal(drain(ctx, 9), 1);
	assert_int_equal(dp_worker_unregister(ctx, 0), 0);
	dp_spd_free(spd);
	dp_destroy(ctx);
}

/* ------------------------------------------------------------------------ */
/* Replacing the set under a reading worker. */

#define GEN_RULES 40u

struct reader {
	struct dp_ctx *ctx;
	struct dp_spd *spd;
	volatile int stop;
	unsigned long bursts;
	unsigned long generations;   /* distinct generations seen */
	unsigned long errors;
};

/* Set g: GEN_RULES rules over 10.<i>.0.0/16, every one protected with SA
 * handle g, so each result names the set it came from. */
static void gen_rules(struct dp_policy *p, uint32_t g)
{
	uint32_t n = GEN_RULES - g % 7;

	for (uint32_t i = 0; i < n; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].index = i + 1 + g % 3;
		p[i].priority = (i * 13 + g) % 17;
		p[i].dir = DP_POLICY_DIR_OUT;
		p[i].action = DP_POLICY_PROTECT;
		p[i].n_out = 1;
		p[i].out[0] = g;
		p[i].sel.family = AF_INET;
		p[i].sel.local[0] = 10;
		p[i].sel.local[1] = (uint8_t)i;
		p[i].sel.local_plen = 16;
		p[i].sel.lport_max = p[i].sel.rport_max = UINT16_MAX;
		p[i].sel.icmp_type_max = p[i].sel.icmp_code_max = 255;
	}
	/* A last catch-all so that every flow matches whatever n is. */
	memset(&p[n], 0, sizeof(p[n]));
	p[n].index = 1000;
	p[n].priority = 100;
	p[n].dir = DP_POLICY_DIR_OUT;
	p[n].action = DP_POLICY_PROTECT;
	p[n].n_out = 1;
	p[n].out[0] = g;
	p[n].sel.lport_max = p[n].sel.rport_max = UINT16_MAX;
	p[n].sel.icmp_type_max = p[n].sel.icmp_code_max = 255;
}

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	struct dp_flow f[64];
	struct dp_spd_result r[64];
	uint64_t last = 0;

	for (unsigned int i = 0; i < 64; i++) {
		char s[64];

		snprintf(s, sizeof(s), "17 10.%u.1.1 %u 192.168.0.1 53", i, 1000 + i);
		f[i] = flow_of(s);
	}
	if (dp_worker_register(rd->ctx, 0) != 0) {
		rd->errors++;
		return NULL;
	}
	while (!rd->stop) {
		dp_spd_lookup(rd->spd, 0, OUT, f, 64, r);
		for (unsigned int i = 0; i < 64; i++)
			if (r[i].verdict != DP_SPD_PROTECT || r[i].sa[0] != r[0].sa[0])
				rd->errors++;
		if (r[0].sa[0] < last)
			rd->errors++;
		if (r[0].sa[0] != last)
			rd->generations++;
		last = r[0].sa[0];
		rd->bursts++;
		dp_worker_quiescent(rd->ctx, 0);
	}
	if (dp_worker_unregister(rd->ctx, 0) != 0)
		rd->errors++;
	return NULL;
}

static void test_replace_under_reader(void **state)
{
	struct dp_policy p[GEN_RULES + 1];
	struct reader rd = { 0 };
	struct dp_spd_stats st;
	pthread_t th;
	unsigned long reclaimed = 0;

	(void)state;
	rd.ctx = ctx_new(1, 64, "spdrcu");
	rd.spd = dp_spd_create(rd.ctx, NULL);
	assert_non_null(rd.spd);
	gen_rules(p, 1);
	assert_int_equal(dp_spd_publish(rd.spd, p, GEN_RULES + 1 - 1 % 7, NULL), 0);
	assert_int_equal(pthread_create(&th, NULL, reader_main, &rd), 0);
	for (uint32_t g = 2; g <= 300; g++) {
		int ret;

		gen_rules(p, g);
		assert_int_equal(dp_spd_publish(rd.spd, p, GEN_RULES + 1 - g % 7, NULL), 0);
		ret = dp_spd_reclaim(rd.spd);
		assert_true(ret >= 0);
		reclaimed += (unsigned long)ret;
		if (g % 50 == 0)
			usleep(1000);
	}
	usleep(20 * 1000);
	rd.stop = 1;
	assert_int_equal(pthread_join(th, NULL), 0);
	/* The reader is offline: every retired set can go now. */
	reclaimed += (unsigned long)dp_spd_reclaim(rd.spd);
	dp_spd_get_stats(rd.spd, &st);
	print_message("spd: %lu bursts, %lu generations seen, %lu sets reclaimed while reading\n",
		rd.bursts, rd.generations, reclaimed);
	assert_int_equal(rd.errors, 0);
	assert_true(rd.bursts > 0);
	assert_true(rd.generations >= 2);
	assert_int_equal(st.generation, 300);
	/* publish reclaims as it goes: 299 retired sets, all freed by now
	 * (those freed inside publish are not in the count). */
	assert_true(reclaimed <= 299);
	assert_int_equal(dp_spd_reclaim(rd.spd), 0);
	dp_spd_free(rd.spd);
	dp_destroy(rd.ctx);
}

/* ------------------------------------------------------------------------ */
/* Scale: build time at 1k, 10k, 100k rules, spot-checked. */

static void test_scale(void **state)
{
	static const uint32_t sizes[] = { 1000, 10000, 100000 };
	struct dp_ctx *ctx = ctx_new(1, 64, "spdscale");
	struct dp_spd *spd = dp_spd_create(ctx, NULL);
	struct dp_policy *p = calloc(100000, sizeof(*p));
	uint64_t seed = 42;

	(void)state;
	assert_non_null(spd);
	assert_non_null(p);
	assert_int_equal(dp_worker_register(ctx, 0), 0);
	for (unsigned int s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct dp_spd_stats st;
		struct timespec t0, t1;
		uint32_t n = sizes[s];

		/* Site-to-site shape: distinct /24 pairs, some port-narrowed,
		 * a few protocol-any with ports (3 entries each). */
		for (uint32_t i = 0; i < n; i++) {
			struct dp_selector *sel = &p[i].sel;

			memset(&p[i], 0, sizeof(p[i]));
			p[i].index = i + 1;
			p[i].priority = rnd(&seed) % 1000;
			p[i].dir = (uint8_t)(1 + i % 3);
			p[i].action = DP_POLICY_PROTECT;
			p[i].n_out = 1;
			p[i].out[0] = i + 1;
			sel->family = AF_INET;
			sel->proto = i % 4 == 0 ? 0 : i % 4 == 1 ? 6 : 17;
			sel->local[0] = 10;
			sel->local[1] = (uint8_t)(i >> 8);
			sel->local[2] = (uint8_t)i;
			sel->local_plen = 24;
			sel->remote[0] = 172;
			sel->remote[1] = (uint8_t)(16 + (i >> 16));
			sel->remote[2] = (uint8_t)(i >> 8);
			sel->remote_plen = 24;
			sel->lport_max = UINT16_MAX;
			sel->rport_min = i % 8 == 0 ? 1000 + i % 100 : 0;
			sel->rport_max = i % 8 == 0 ? 2000 : UINT16_MAX;
			sel->icmp_type_max = sel->icmp_code_max = 255;
		}
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
		assert_int_equal(dp_spd_publish(spd, p, n, NULL), 0);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
		dp_spd_get_stats(spd, &st);
		print_message("spd: %u rules (%u rte_acl entries): build %.3f s wall, %.3f s CPU\n",
			n, st.acl_rules, (double)st.build_ns / 1e9,
			(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		assert_int_equal(st.rules, n);
		/* A packet of every 97th rule finds its rule (or one before it
		 * in match order, which the reference confirms). */
		for (uint32_t i = 0; i < n; i += 97) {
			struct dp_flow f;
			struct dp_spd_result r;
			uint8_t dir = p[i].dir == DP_POLICY_DIR_IN ? IN : OUT;

			memset(&f, 0, sizeof(f));
			f.family = AF_INET;
			f.proto = p[i].sel.proto != 0 ? p[i].sel.proto : 17;
			memcpy(dir == OUT ? f.src : f.dst, p[i].sel.local, 4);
			memcpy(dir == OUT ? f.dst : f.src, p[i].sel.remote, 4);
			(dir == OUT ? f.src : f.dst)[3] = 9;
			(dir == OUT ? f.dst : f.src)[3] = 7;
			*(dir == OUT ? &f.dport : &f.sport) = 2000;
			dp_spd_lookup(spd, 0, dir, &f, 1, &r);
			if (n <= 10000)
				assert_int_equal(r.policy, reference(p, n, dir, &f));
			assert_int_not_equal(r.policy, DP_POLICY_INDEX_NONE);
		}
	}
	assert_int_equal(dp_worker_unregister(ctx, 0), 0);
	free(p);
	dp_spd_free(spd);
	dp_destroy(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_selector_match),
		cmocka_unit_test(test_random_sets),
		cmocka_unit_test(test_inbound_check),
		cmocka_unit_test(test_bad_sets),
		cmocka_unit_test(test_acquire_limit),
		cmocka_unit_test(test_acquire_interval),
		cmocka_unit_test(test_replace_under_reader),
		cmocka_unit_test(test_scale),
	};
	int ret;

	if (dp_test_eal_init("spd", 1024) != 0)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	dp_test_eal_fini();
	return ret;
}
