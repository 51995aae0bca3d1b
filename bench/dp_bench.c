/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_bench.c: one-core throughput of ESP tunnel-mode (IPv4 in IPv4)
 * encapsulation and decapsulation through the dp_proc burst API.
 *
 * A benchmark, not a test: it prints figures and asserts no timing.  Only
 * --smoke checks anything (every packet forwarded, every drop counter zero,
 * decapsulated packets equal to the originals), so CI proves it still runs.
 *
 * Method (docs/PERFORMANCE.md):
 *   - a pool of BN_POOL mbufs, processed in bursts of 32 in pool order, on
 *     the EAL main lcore (pinned with -l), RCU quiescent once per burst;
 *   - encapsulation: plain inner packets; between passes each mbuf gets its
 *     data_off/len back and its first 64 bytes (the inner IP header, which
 *     ESP encrypted in place) from a template; the payload stays ciphertext,
 *     which costs the cipher the same;
 *   - decapsulation: valid ESP packets made by the outbound SA beforehand;
 *     decryption is in place, so each pass copies the whole ESP packet back
 *     from its template.  The inbound SA has replay checking off (window 0):
 *     the same sequence numbers come round again;
 *   - the restore is counted in the timed loop; its cost alone (a loop that
 *     only restores) is printed as "restore ns/pkt";
 *   - frame = Ethernet frame without FCS (what a DPDK port's pkt_len shows):
 *     the inner IPv4 packet is frame - 14 bytes; Gbit/s counts clear frames;
 *   - the ceiling is dpdk-test-crypto-perf's Mops at the ESP payload+trailer
 *     size M (what the cipher processes), read from --ceilings FILE (lines
 *     "gcm|cbc enc|dec M|imix median-mops best-mops", from dp_bench.sh);
 *     the ratio is printed median/median and best/best;
 *   - the process has crypto-perf's shape: EAL main lcore 0 waits while
 *     worker lcore --lcore (default 1) runs every point, so both programs
 *     meet the same neighbours on a shared machine.
 */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <sys/socket.h>

/* rte_cryptodev_sym_session_pool_create() is experimental in 22.11. */
#define ALLOW_EXPERIMENTAL_API 1

#include <rte_crypto.h>
#include <rte_cryptodev.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_mempool.h>

#include "dpsec/dp.h"
#include "dp_ip.h"
#include "dp_proc.h"

#define BN_BURST 32u
#define BN_POOL 384u           /* 12 bursts (a multiple of the IMIX cycle); ~1 MiB */
#define BN_RESTORE_HDR 64u     /* encap: inner bytes restored (IP header) */
#define BN_L2 14u              /* Ethernet header, no FCS */
#define BN_REPS_MAX 9u
#define BN_SMOKE_PKTS 256u
#define BN_SAS_MAX (1u << 20)  /* --sas: encap SAs cycled over */
#define BN_CEIL_MAX 64u
#define BN_CLOCK_EVERY 16u     /* bursts between clock reads */
#define BN_PAIRS_MAX 200u
#define BN_REF_DEV "crypto_aesni_mb_bnref"
#define BN_REF_OPS 8192u       /* crypto-perf's default --pool-sz */
#define BN_REF_OP_CACHE 512u   /* crypto-perf's op pool cache */
#define BN_REF_DESC 2048u      /* crypto-perf's default --desc-nb */
#define BN_REF_BUFS_MAX 512u
#define BN_REF_DATA 1600u      /* bytes appended to each reference mbuf */
#define BN_REF_IV_OFF (sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op))
#define BN_REF_AAD_OFF (BN_REF_IV_OFF + 16u)

#define BN_OUTER_SRC "192.0.2.1"
#define BN_OUTER_DST "198.51.100.2"
#define BN_INNER_SRC "203.0.113.5"
#define BN_INNER_DST "203.0.113.77"

/* Classic simple IMIX at the IP layer: 7 x 40, 4 x 576, 1 x 1500 bytes. */
static const uint16_t bn_imix_ip[12] = { 40, 576, 40, 576, 40, 1500, 40, 576, 40, 576, 40, 40 };

/* Frame sizes; 0 = IMIX. */
static const uint16_t bn_frames[] = { 64, 512, 1420, 0 };
#define BN_NFRAMES (sizeof(bn_frames) / sizeof(bn_frames[0]))

struct bn_alg {
	const char *name;      /* "gcm" / "cbc": the key in the ceilings file */
	const char *label;
	uint8_t ealg;
	uint8_t aalg;
	uint16_t ekey;
	uint32_t align;        /* ESP payload+trailer alignment */
};

static const struct bn_alg bn_algs[] = {
	{ "gcm", "AES-128-GCM-16", SADB_EALG_AES_GCM_16, 0, 16, 4 },
	{ "cbc", "AES-128-CBC+HMAC-SHA256-128", SADB_EALG_AES_CBC, SADB_AALG_SHA256HMAC, 16, 16 },
};
#define BN_NALGS (sizeof(bn_algs) / sizeof(bn_algs[0]))

struct bn_engine {
	const char *label;
	uint8_t engine;
};

static const struct bn_engine bn_engines[] = {
	{ "ipsec-mb", DP_ENGINE_IPSEC_MB },
	{ "cryptodev", DP_ENGINE_CRYPTODEV },
};
#define BN_NENGINES (sizeof(bn_engines) / sizeof(bn_engines[0]))

struct bn_ceil {
	char alg[8];
	char dir[8];
	uint32_t size;
	double mops;           /* median */
	double best;
};

struct bn_opts {
	bool smoke;
	bool print_sizes;
	double duration;       /* seconds per repetition */
	unsigned int reps;
	unsigned int lcore;
	const char *ceilings;
	const char *engine;    /* NULL = all */
	const char *alg;       /* NULL = all */
	const char *dir;       /* "encap" / "decap"; NULL = both */
	int frame;             /* one frame size (0 = IMIX); -1 = all */
	unsigned int pairs;    /* paired slices per point; 0 = off */
	double slice_ms;       /* length of one slice */
	unsigned int ref_bufs; /* mbufs the in-process reference cycles over */
	unsigned int sas;      /* encap: outbound SAs the bursts cycle over */
};

/* The in-process reference (--pairs): what dpdk-test-crypto-perf's
 * throughput test does, on the same lcore as the dpsec point. */
struct bn_ref {
	uint8_t dev_id;
	bool up;
	struct rte_mempool *sess_pool;
	struct rte_mempool *op_pool;
	struct rte_mbuf *m[BN_REF_BUFS_MAX];
	unsigned int nbufs;
	void *sess;
	uint32_t size[BN_POOL];        /* cipher bytes of op i (pool order) */
	unsigned int next;             /* next op's index in that order */
	uint64_t inflight;
};

/* One benchmark point's packets. */
struct bn_pool {
	struct rte_mbuf *m[BN_POOL];
	uint8_t *tpl[BN_POOL];       /* bytes restored each pass */
	uint16_t tpl_len[BN_POOL];   /* how many */
	uint16_t off[BN_POOL];       /* data_off to restore */
	uint16_t len[BN_POOL];       /* data_len to restore */
	uint16_t inner_len[BN_POOL]; /* inner IP packet length */
	uint8_t *inner[BN_POOL];     /* the clear inner packet (smoke check) */
	uint64_t burst_bits[BN_POOL / BN_BURST]; /* clear frame bits per burst */
};

struct bn_side {
	struct dp_ctx *ctx;
	struct dp_proc *proc;
};

struct bn_sample {
	double mpps;
	double gbps;
	double cpu;            /* thread CPU time / wall time */
	uint64_t pkts;
	uint64_t not_forwarded;
};

static struct rte_mempool *bn_mp;
static struct bn_ceil bn_ceils[BN_CEIL_MAX];
static unsigned int bn_nceils;
static char bn_runtime_dir[PATH_MAX];
static uint32_t bn_next_spi = 0x10000;
static struct bn_ref bn_ref;
/* --sas N (encap): burst k carries packets of SAs 32k .. 32k+31 (mod N), so
 * that SA and session lines come from memory as with many tunnels.  bn_hs
 * holds N + BN_BURST handles (the first BN_BURST repeated at the end). */
static unsigned int bn_nsas = 1;
static dp_sa_handle_t *bn_hs;
static unsigned int bn_hoff;

static double bn_now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint32_t bn_align(uint32_t v, uint32_t a)
{
	return (v + a - 1) / a * a;
}

/* ESP payload+trailer (what the cipher processes) for an inner packet. */
static uint32_t bn_esp_payload(const struct bn_alg *a, uint32_t inner)
{
	return bn_align(inner + 2, a->align);
}

/* Inner IP length of packet i of a pool for frame size f (0 = IMIX). */
static uint32_t bn_inner_len(uint16_t f, unsigned int i)
{
	return f != 0 ? f - BN_L2 : bn_imix_ip[i % 12];
}

static int bn_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int bn_eal_init(unsigned int lcore)
{
	char prefix[64], lc[32], argv0[] = "dpsec-dp-bench";
	char *argv[] = { argv0, "--no-huge", "-m", "512", "--no-pci", "--file-prefix", prefix,
		"--log-level=error", "--no-telemetry", "-l", lc, NULL };
	const char *dir;

	snprintf(prefix, sizeof(prefix), "dpsec-bench-%ld", (long)getpid());
	if (lcore == 0)
		snprintf(lc, sizeof(lc), "0");
	else
		snprintf(lc, sizeof(lc), "0,%u", lcore);
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		return -1;
	dir = rte_eal_get_runtime_dir();
	snprintf(bn_runtime_dir, sizeof(bn_runtime_dir), "%s", dir != NULL ? dir : "");
	return 0;
}

static void bn_eal_fini(void)
{
	rte_eal_cleanup();
	if (strstr(bn_runtime_dir, "dpsec-bench-") != NULL)
		nftw(bn_runtime_dir, bn_rm, 8, FTW_DEPTH | FTW_PHYS);
}

static int bn_side_open(struct bn_side *s, const char *name, uint8_t engine)
{
	struct dp_config cfg;

	dp_config_default(&cfg);
	cfg.max_sas = 64 + bn_nsas;
	cfg.workers = 1;
	cfg.engine = engine;
	cfg.name = name;
	if (engine == DP_ENGINE_CRYPTODEV)
		snprintf(cfg.crypto_dev, sizeof(cfg.crypto_dev), "crypto_aesni_mb_%s", name);
	s->ctx = dp_create(&cfg);
	if (s->ctx == NULL)
		return -errno;
	if (dp_worker_register(s->ctx, 0) != 0 || dp_proc_new(s->ctx, 0, &s->proc) != 0) {
		dp_worker_unregister(s->ctx, 0); /* -EINVAL when never registered */
		dp_destroy(s->ctx);
		s->ctx = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void bn_side_close(struct bn_side *s)
{
	if (s->ctx == NULL)
		return;
	dp_proc_free(s->proc);
	dp_worker_unregister(s->ctx, 0);
	dp_destroy(s->ctx);
	s->ctx = NULL;
	s->proc = NULL;
}

static void bn_addr(struct dp_addr *a, const char *text)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	inet_pton(AF_INET, text, a->bytes);
}

/* Deterministic key bytes. */
static void bn_fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7u);
}

/* Outbound SA on tx, the same SA inbound on rx with replay off. */
static int bn_sa_pair(struct bn_side *tx, struct bn_side *rx, const struct bn_alg *a,
	dp_sa_handle_t *out, dp_sa_handle_t *in)
{
	struct dp_sa_params p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.spi = htonl(bn_next_spi++);
	p.satype = SADB_SATYPE_ESP;
	p.mode = DP_MODE_TUNNEL;
	p.state = SADB_SASTATE_MATURE;
	bn_addr(&p.src, BN_OUTER_SRC);
	bn_addr(&p.dst, BN_OUTER_DST);
	p.encr_alg = a->ealg;
	p.encr_key_len = a->ekey;
	bn_fill(p.encr_key, a->ekey, 0x11);
	if (a->aalg == 0) {
		p.salt_len = 4;
		bn_fill(p.salt, 4, 0xc3);
	} else {
		p.auth_alg = a->aalg;
		p.auth_key_len = 32;
		bn_fill(p.auth_key, 32, 0x5a);
	}
	p.dir = DP_DIR_OUT;
	rc = dp_sa_add(tx->ctx, &p, out);
	if (rc == 0) {
		p.dir = DP_DIR_IN;
		p.replay_window = 0;
		rc = dp_sa_add(rx->ctx, &p, in);
		if (rc != 0)
			dp_sa_delete(tx->ctx, *out);
	}
	memset(&p, 0, sizeof(p));
	return rc;
}

/* An IPv4/UDP packet of `len` bytes (>= 28) with DF set. */
static void bn_ipv4_udp(uint8_t *b, uint32_t len)
{
	struct dp_addr s, d;

	bn_addr(&s, BN_INNER_SRC);
	bn_addr(&d, BN_INNER_DST);
	memset(b, 0, 28);
	b[0] = 0x45;
	dp_put16(b + 2, (uint16_t)len);
	dp_put16(b + 4, 0x1234);
	dp_put16(b + 6, 0x4000);
	b[8] = 64;
	b[9] = 17;
	memcpy(b + 12, s.bytes, 4);
	memcpy(b + 16, d.bytes, 4);
	dp_ipv4_csum_set(b);
	dp_put16(b + 20, 1234);
	dp_put16(b + 22, 5678);
	dp_put16(b + 24, (uint16_t)(len - 20));
	for (uint32_t i = 28; i < len; i++)
		b[i] = (uint8_t)(i * 13u + 1u);
}

static void bn_pool_free(struct bn_pool *pl)
{
	for (unsigned int i = 0; i < BN_POOL; i++) {
		rte_pktmbuf_free(pl->m[i]);
		free(pl->tpl[i]);
		free(pl->inner[i]);
	}
	memset(pl, 0, sizeof(*pl));
}

/* Plain inner packets for frame size f. */
static int bn_pool_plain(struct bn_pool *pl, uint16_t f)
{
	memset(pl, 0, sizeof(*pl));
	for (unsigned int i = 0; i < BN_POOL; i++) {
		uint32_t l = bn_inner_len(f, i);
		uint8_t *d;

		pl->m[i] = rte_pktmbuf_alloc(bn_mp);
		pl->inner[i] = malloc(l);
		if (pl->m[i] == NULL || pl->inner[i] == NULL)
			return -ENOMEM;
		bn_ipv4_udp(pl->inner[i], l);
		d = (uint8_t *)rte_pktmbuf_append(pl->m[i], (uint16_t)l);
		if (d == NULL)
			return -ENOBUFS;
		memcpy(d, pl->inner[i], l);
		pl->inner_len[i] = (uint16_t)l;
		pl->off[i] = pl->m[i]->data_off;
		pl->len[i] = (uint16_t)l;
		pl->burst_bits[i / BN_BURST] += (uint64_t)(l + BN_L2) * 8u;
		pl->tpl_len[i] = (uint16_t)(l < BN_RESTORE_HDR ? l : BN_RESTORE_HDR);
		pl->tpl[i] = malloc(pl->tpl_len[i]);
		if (pl->tpl[i] == NULL)
			return -ENOMEM;
		memcpy(pl->tpl[i], d, pl->tpl_len[i]);
	}
	return 0;
}

/* Turn a plain pool into ESP packets with outbound SA out (on tx); the
 * templates become the whole ESP packets. */
static int bn_pool_esp(struct bn_pool *pl, struct bn_side *tx, dp_sa_handle_t out)
{
	dp_sa_handle_t h[BN_BURST];
	struct dp_proc_res res[BN_BURST];

	for (unsigned int i = 0; i < BN_BURST; i++)
		h[i] = out;
	for (unsigned int b = 0; b < BN_POOL; b += BN_BURST) {
		dp_proc_outbound(tx->proc, &pl->m[b], h, BN_BURST, res);
		for (unsigned int i = 0; i < BN_BURST; i++)
			if (res[i].verdict != DP_PROC_FORWARD)
				return -EIO;
	}
	for (unsigned int i = 0; i < BN_POOL; i++) {
		struct rte_mbuf *m = pl->m[i];

		free(pl->tpl[i]);
		pl->off[i] = m->data_off;
		pl->len[i] = m->data_len;
		pl->tpl_len[i] = m->data_len;
		pl->tpl[i] = malloc(m->data_len);
		if (pl->tpl[i] == NULL)
			return -ENOMEM;
		memcpy(pl->tpl[i], rte_pktmbuf_mtod(m, uint8_t *), m->data_len);
	}
	return 0;
}

/* The handles of the next encap burst: h, or with --sas the next 32 of
 * bn_hs. */
static inline const dp_sa_handle_t *bn_handles(const dp_sa_handle_t *h)
{
	const dp_sa_handle_t *r;

	if (bn_hs == NULL)
		return h;
	r = &bn_hs[bn_hoff];
	bn_hoff = (bn_hoff + BN_BURST) % bn_nsas;
	return r;
}

static inline void bn_restore(struct bn_pool *pl, unsigned int b)
{
	for (unsigned int i = b; i < b + BN_BURST; i++) {
		struct rte_mbuf *m = pl->m[i];

		m->data_off = pl->off[i];
		m->data_len = pl->len[i];
		m->pkt_len = pl->len[i];
		/* Encap restores BN_RESTORE_HDR bytes: rte_mov64() inline (a
		 * memcpy of 64 beside the run-time one below was merged into one
		 * libc call by gcc); decap the whole packet.  rst-ns and the
		 * paired rst-cyc show the cost. */
		if (pl->tpl_len[i] == BN_RESTORE_HDR)
			rte_mov64(rte_pktmbuf_mtod(m, uint8_t *), pl->tpl[i]);
		else
			rte_memcpy(rte_pktmbuf_mtod(m, uint8_t *), pl->tpl[i], pl->tpl_len[i]);
	}
}

/* Smoke check: the decapsulated burst equals the clear packets. */
static int bn_check_inner(const struct bn_pool *pl, unsigned int b)
{
	for (unsigned int i = b; i < b + BN_BURST; i++) {
		const struct rte_mbuf *m = pl->m[i];

		if (m->data_len != pl->inner_len[i] ||
		    memcmp(rte_pktmbuf_mtod(m, const uint8_t *), pl->inner[i], m->data_len) != 0)
			return -EIO;
	}
	return 0;
}

/* Run bursts for `seconds` (or max_pkts packets when non-zero). */
static int bn_run(struct bn_pool *pl, struct bn_side *s, const dp_sa_handle_t *h, bool encap,
	double seconds, uint64_t max_pkts, bool check, struct bn_sample *out)
{
	struct dp_proc_res res[BN_BURST];
	uint64_t pkts = 0, bits = 0, bad = 0;
	double t0 = bn_now(CLOCK_MONOTONIC), c0 = bn_now(CLOCK_THREAD_CPUTIME_ID), t1;
	unsigned int b = 0;
	bool done = false;

	while (!done) {
		for (unsigned int k = 0; k < BN_CLOCK_EVERY; k++) {
			bn_restore(pl, b);
			if (encap)
				dp_proc_outbound(s->proc, &pl->m[b], bn_handles(h), BN_BURST, res);
			else
				dp_proc_inbound(s->proc, &pl->m[b], BN_BURST, res);
			for (unsigned int i = 0; i < BN_BURST; i++)
				bad += res[i].verdict != DP_PROC_FORWARD;
			if (check && !encap && bn_check_inner(pl, b) != 0)
				return -EIO;
			dp_worker_quiescent(s->ctx, 0);
			pkts += BN_BURST;
			bits += pl->burst_bits[b / BN_BURST];
			b = (b + BN_BURST) % BN_POOL;
			if (max_pkts != 0 && pkts >= max_pkts) {
				done = true;
				break;
			}
		}
		if (max_pkts == 0 && bn_now(CLOCK_MONOTONIC) - t0 >= seconds)
			done = true;
	}
	t1 = bn_now(CLOCK_MONOTONIC) - t0;
	out->pkts = pkts;
	out->not_forwarded = bad;
	out->mpps = (double)pkts / t1 * 1e-6;
	out->gbps = (double)bits / t1 * 1e-9;
	out->cpu = (bn_now(CLOCK_THREAD_CPUTIME_ID) - c0) / t1;
	return 0;
}

/* ns per packet of the restore alone (one pass over the pool, repeated). */
static double bn_restore_ns(struct bn_pool *pl)
{
	enum { PASSES = 20 };
	double t0 = bn_now(CLOCK_MONOTONIC);

	for (unsigned int r = 0; r < PASSES; r++)
		for (unsigned int b = 0; b < BN_POOL; b += BN_BURST)
			bn_restore(pl, b);
	return (bn_now(CLOCK_MONOTONIC) - t0) * 1e9 / (PASSES * BN_POOL);
}

static int bn_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* ---- The in-process reference (--pairs) ---------------------------------
 * What dpdk-test-crypto-perf --ptest throughput does, in this process: a
 * crypto_aesni_mb vdev with one queue pair (2048 descriptors), an op pool of
 * 8192 with a cache of 512, and per burst of 32: allocate ops, attach the
 * session and point them at an mbuf (in place, digest right after the data,
 * AAD and IV in the op's private area), enqueue, dequeue what is ready, put
 * the dequeued ops back.  Sizes follow the dpsec point's pool (ESP payload +
 * trailer M of packet i, so IMIX is the same mix); GCM: 16-byte key, 12-byte
 * IV, 8-byte AAD, 16-byte tag; CBC: 16-byte key and IV, HMAC-SHA-256 with a
 * 32-byte key and a 16-byte digest over M (as crypto-perf), verify then
 * decrypt inbound (the chain crypto-perf refuses without a vector file). */

static int bn_ref_open(unsigned int nbufs)
{
	struct rte_cryptodev_config conf = { 0 };
	struct rte_cryptodev_qp_conf qp = { 0 };
	int id, socket;

	if (rte_eal_hotplug_add("vdev", BN_REF_DEV, "max_nb_queue_pairs=1") != 0)
		return -ENODEV;
	bn_ref.up = true;
	id = rte_cryptodev_get_dev_id(BN_REF_DEV);
	if (id < 0)
		return -ENODEV;
	bn_ref.dev_id = (uint8_t)id;
	socket = rte_cryptodev_socket_id(bn_ref.dev_id);
	if (socket < 0)
		socket = (int)rte_socket_id();
	conf.socket_id = socket;
	conf.nb_queue_pairs = 1;
	conf.ff_disable = RTE_CRYPTODEV_FF_ASYMMETRIC_CRYPTO | RTE_CRYPTODEV_FF_SECURITY;
	if (rte_cryptodev_configure(bn_ref.dev_id, &conf) < 0)
		return -EIO;
	bn_ref.sess_pool = rte_cryptodev_sym_session_pool_create("bn_ref_s", 16,
		rte_cryptodev_sym_get_private_session_size(bn_ref.dev_id), 0, 0, socket);
	if (bn_ref.sess_pool == NULL)
		return -ENOMEM;
	qp.nb_descriptors = BN_REF_DESC;
	qp.mp_session = bn_ref.sess_pool;
	if (rte_cryptodev_queue_pair_setup(bn_ref.dev_id, 0, &qp, socket) < 0)
		return -EIO;
	bn_ref.op_pool = rte_crypto_op_pool_create("bn_ref_o", RTE_CRYPTO_OP_TYPE_SYMMETRIC,
		BN_REF_OPS, BN_REF_OP_CACHE, 32, socket);
	if (bn_ref.op_pool == NULL)
		return -ENOMEM;
	if (rte_cryptodev_start(bn_ref.dev_id) < 0)
		return -EIO;
	for (unsigned int i = 0; i < nbufs; i++) {
		uint8_t *d;

		bn_ref.m[i] = rte_pktmbuf_alloc(bn_mp);
		if (bn_ref.m[i] == NULL)
			return -ENOMEM;
		bn_ref.nbufs++;
		d = (uint8_t *)rte_pktmbuf_append(bn_ref.m[i], BN_REF_DATA);
		if (d == NULL)
			return -ENOBUFS;
		bn_fill(d, BN_REF_DATA, (uint8_t)i);
	}
	return 0;
}

static void bn_ref_close(void)
{
	if (!bn_ref.up)
		return;
	for (unsigned int i = 0; i < bn_ref.nbufs; i++)
		rte_pktmbuf_free(bn_ref.m[i]);
	rte_cryptodev_stop(bn_ref.dev_id);
	rte_cryptodev_close(bn_ref.dev_id);
	rte_eal_hotplug_remove("vdev", BN_REF_DEV);
	rte_mempool_free(bn_ref.op_pool);
	rte_mempool_free(bn_ref.sess_pool);
	memset(&bn_ref, 0, sizeof(bn_ref));
}

/* The session for one point (the bench's keys; nothing secret). */
static int bn_ref_sess(const struct bn_alg *a, bool encap)
{
	struct rte_crypto_sym_xform c = { 0 }, h = { 0 }, *first;
	uint8_t ekey[16], akey[32];

	bn_fill(ekey, sizeof(ekey), 0x11);
	bn_fill(akey, sizeof(akey), 0x5a);
	if (a->aalg == 0) {
		c.type = RTE_CRYPTO_SYM_XFORM_AEAD;
		c.aead.op = encap ? RTE_CRYPTO_AEAD_OP_ENCRYPT : RTE_CRYPTO_AEAD_OP_DECRYPT;
		c.aead.algo = RTE_CRYPTO_AEAD_AES_GCM;
		c.aead.key.data = ekey;
		c.aead.key.length = 16;
		c.aead.iv.offset = BN_REF_IV_OFF;
		c.aead.iv.length = 12;
		c.aead.digest_length = 16;
		c.aead.aad_length = 8;
		first = &c;
	} else {
		c.type = RTE_CRYPTO_SYM_XFORM_CIPHER;
		c.cipher.op = encap ? RTE_CRYPTO_CIPHER_OP_ENCRYPT : RTE_CRYPTO_CIPHER_OP_DECRYPT;
		c.cipher.algo = RTE_CRYPTO_CIPHER_AES_CBC;
		c.cipher.key.data = ekey;
		c.cipher.key.length = 16;
		c.cipher.iv.offset = BN_REF_IV_OFF;
		c.cipher.iv.length = 16;
		h.type = RTE_CRYPTO_SYM_XFORM_AUTH;
		h.auth.op = encap ? RTE_CRYPTO_AUTH_OP_GENERATE : RTE_CRYPTO_AUTH_OP_VERIFY;
		h.auth.algo = RTE_CRYPTO_AUTH_SHA256_HMAC;
		h.auth.key.data = akey;
		h.auth.key.length = 32;
		h.auth.digest_length = 16;
		if (encap) {
			c.next = &h;
			first = &c;
		} else {
			h.next = &c;
			first = &h;
		}
	}
	bn_ref.sess = rte_cryptodev_sym_session_create(bn_ref.dev_id, first, bn_ref.sess_pool);
	return bn_ref.sess != NULL ? 0 : -ENOTSUP;
}

static void bn_ref_fill(struct rte_crypto_op **ops, unsigned int n, bool aead)
{
	for (unsigned int k = 0; k < n; k++) {
		struct rte_crypto_op *op = ops[k];
		struct rte_crypto_sym_op *sym = op->sym;
		unsigned int i = bn_ref.next;
		struct rte_mbuf *m = bn_ref.m[i % bn_ref.nbufs];
		uint32_t len = bn_ref.size[i];

		bn_ref.next = i + 1 < BN_POOL ? i + 1 : 0;
		sym->m_src = m;
		sym->m_dst = NULL;
		rte_crypto_op_attach_sym_session(op, bn_ref.sess);
		if (aead) {
			sym->aead.data.offset = 0;
			sym->aead.data.length = len;
			sym->aead.digest.data = rte_pktmbuf_mtod_offset(m, uint8_t *, len);
			sym->aead.digest.phys_addr = rte_pktmbuf_iova_offset(m, len);
			sym->aead.aad.data = rte_crypto_op_ctod_offset(op, uint8_t *,
				BN_REF_AAD_OFF);
			sym->aead.aad.phys_addr = rte_crypto_op_ctophys_offset(op, BN_REF_AAD_OFF);
		} else {
			sym->cipher.data.offset = 0;
			sym->cipher.data.length = len;
			sym->auth.data.offset = 0;
			sym->auth.data.length = len;
			sym->auth.digest.data = rte_pktmbuf_mtod_offset(m, uint8_t *, len);
			sym->auth.digest.phys_addr = rte_pktmbuf_iova_offset(m, len);
		}
	}
}

/* One reference slice: bursts until `cycles` TSC cycles have passed, then
 * drain.  Ops completed and TSC cycles taken. */
static void bn_ref_slice(uint64_t cycles, bool aead, uint64_t *done, uint64_t *took)
{
	struct rte_crypto_op *ops[BN_BURST], *deq[BN_BURST];
	uint64_t t0 = rte_rdtsc(), n = 0;
	uint16_t k, e, d;

	do {
		k = rte_crypto_op_bulk_alloc(bn_ref.op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC, ops,
			BN_BURST) != 0 ? BN_BURST : 0;
		if (k != 0) {
			bn_ref_fill(ops, k, aead);
			e = rte_cryptodev_enqueue_burst(bn_ref.dev_id, 0, ops, k);
			if (e < k)
				rte_mempool_put_bulk(bn_ref.op_pool, (void **)&ops[e], k - e);
			bn_ref.inflight += e;
		}
		d = rte_cryptodev_dequeue_burst(bn_ref.dev_id, 0, deq, BN_BURST);
		bn_ref.inflight -= d;
		n += d;
		rte_mempool_put_bulk(bn_ref.op_pool, (void **)deq, d);
	} while (rte_rdtsc() - t0 < cycles);
	while (bn_ref.inflight != 0) {
		d = rte_cryptodev_dequeue_burst(bn_ref.dev_id, 0, deq, BN_BURST);
		bn_ref.inflight -= d;
		n += d;
		rte_mempool_put_bulk(bn_ref.op_pool, (void **)deq, d);
	}
	*done = n;
	*took = rte_rdtsc() - t0;
}

/* One dpsec slice of the point: as bn_run(), timed by the TSC; the pool
 * position *b carries over between slices.  *rst gets the TSC cycles spent
 * in the restore (one more TSC read per burst: the loop's own read marks
 * the start), which the reference has no counterpart of: the paired line
 * prints the ratio with it (conservative) and without it (net). */
static void bn_dp_slice(struct bn_pool *pl, struct bn_side *s, const dp_sa_handle_t *h,
	bool encap, uint64_t cycles, unsigned int *b, uint64_t *done, uint64_t *took,
	uint64_t *rst, uint64_t *bad)
{
	struct dp_proc_res res[BN_BURST];
	uint64_t t0 = rte_rdtsc(), ta = t0, tb, n = 0, r = 0;

	do {
		bn_restore(pl, *b);
		tb = rte_rdtsc();
		r += tb - ta;
		if (encap)
			dp_proc_outbound(s->proc, &pl->m[*b], bn_handles(h), BN_BURST, res);
		else
			dp_proc_inbound(s->proc, &pl->m[*b], BN_BURST, res);
		for (unsigned int i = 0; i < BN_BURST; i++)
			*bad += res[i].verdict != DP_PROC_FORWARD;
		dp_worker_quiescent(s->ctx, 0);
		n += BN_BURST;
		*b = (*b + BN_BURST) % BN_POOL;
		ta = rte_rdtsc();
	} while (ta - t0 < cycles);
	*done = n;
	*took = ta - t0;
	*rst = r;
}

static const struct bn_ceil *bn_ceil_find(const char *alg, const char *dir, uint32_t size)
{
	for (unsigned int i = 0; i < bn_nceils; i++)
		if (strcmp(bn_ceils[i].alg, alg) == 0 && strcmp(bn_ceils[i].dir, dir) == 0 &&
		    bn_ceils[i].size == size)
			return &bn_ceils[i];
	return NULL;
}

/* Ceiling in Mops for frame f; IMIX: crypto-perf's mix (an "imix" line)
 * when there is one, else 12 / sum(n_i / r_i) over the cycle (optimistic for
 * CBC+HMAC, whose multi-buffer lanes lose ~25 % on mixed sizes).  0 when
 * crypto-perf gave no figure. */
static double bn_ceiling(const struct bn_alg *a, const char *dir, uint16_t f, bool best)
{
	const struct bn_ceil *mix = f == 0 ? bn_ceil_find(a->name, dir, 0) : NULL;
	double t = 0;
	unsigned int n = f != 0 ? 1 : 12;

	if (mix != NULL)
		return best ? mix->best : mix->mops;
	for (unsigned int i = 0; i < n; i++) {
		const struct bn_ceil *c = bn_ceil_find(a->name, dir,
			bn_esp_payload(a, bn_inner_len(f, i)));

		if (c == NULL || c->mops <= 0 || c->best <= 0)
			return 0;
		t += 1.0 / (best ? c->best : c->mops);
	}
	return n / t;
}

static int bn_load_ceilings(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return -errno;
	while (fgets(line, sizeof(line), f) != NULL && bn_nceils < BN_CEIL_MAX) {
		struct bn_ceil *c = &bn_ceils[bn_nceils];
		char size[16];

		if (sscanf(line, "%7s %7s %15s %lf %lf", c->alg, c->dir, size, &c->mops,
			   &c->best) != 5)
			continue;
		/* "imix": crypto-perf's own 7:4:1 mix, kept as size 0. */
		c->size = strcmp(size, "imix") == 0 ? 0 : (uint32_t)strtoul(size, NULL, 10);
		bn_nceils++;
	}
	fclose(f);
	return 0;
}

static uint64_t bn_drops(const uint64_t *d)
{
	uint64_t s = 0;

	for (unsigned int i = 0; i < DP_DROP_COUNT; i++)
		s += d[i];
	return s;
}

static void bn_frame_name(char *buf, size_t n, uint16_t f)
{
	if (f == 0)
		snprintf(buf, n, "IMIX");
	else
		snprintf(buf, n, "%u", f);
}

static void bn_esp_sizes(char *buf, size_t n, const struct bn_alg *a, uint16_t f)
{
	if (f != 0) {
		snprintf(buf, n, "%u/%u", f - BN_L2, bn_esp_payload(a, f - BN_L2));
		return;
	}
	snprintf(buf, n, "imix/%u,%u,%u", bn_esp_payload(a, 40), bn_esp_payload(a, 576),
		bn_esp_payload(a, 1500));
}

/* Paired slices for one point (--pairs): dpsec and the in-process
 * reference alternate on this lcore in slices of --slice-ms, the order
 * flipped every pair (ABBA) so that a trend in the background load hits
 * both alike.  Per pair: ratio = dpsec pkt/s / reference op/s, i.e. the
 * reference's TSC cycles per op over dpsec's cycles per packet.  Prints one
 * "paired" line: medians over the pairs (and the quartiles of the ratio),
 * cycles per packet median and best slice. */
static int bn_paired(const struct bn_opts *o, const struct bn_engine *e, const struct bn_alg *a,
	bool encap, uint16_t f, struct bn_pool *pl, struct bn_side *s, const dp_sa_handle_t *h,
	uint64_t *bad)
{
	double ratio[BN_PAIRS_MAX], dcpp[BN_PAIRS_MAX], rcpp[BN_PAIRS_MAX], dmpps[BN_PAIRS_MAX];
	double rmops[BN_PAIRS_MAX], rstpp[BN_PAIRS_MAX], rnet[BN_PAIRS_MAX];
	double hz = (double)rte_get_tsc_hz();
	uint64_t slice = (uint64_t)(hz * o->slice_ms / 1000.0), dn, dt, ds, rn, rt;
	unsigned int np = o->pairs, b = 0;
	char fn[16], sz[40];
	int rc;

	rc = bn_ref_sess(a, encap);
	if (rc != 0)
		return rc;
	for (unsigned int i = 0; i < BN_POOL; i++)
		bn_ref.size[i] = bn_esp_payload(a, bn_inner_len(f, i));
	bn_ref.next = 0;
	/* One unrecorded pair: caches, lanes and the branch predictors warm. */
	bn_dp_slice(pl, s, h, encap, slice, &b, &dn, &dt, &ds, bad);
	bn_ref_slice(slice, a->aalg == 0, &rn, &rt);
	for (unsigned int p = 0; p < np; p++) {
		if (p & 1u) {
			bn_ref_slice(slice, a->aalg == 0, &rn, &rt);
			bn_dp_slice(pl, s, h, encap, slice, &b, &dn, &dt, &ds, bad);
		} else {
			bn_dp_slice(pl, s, h, encap, slice, &b, &dn, &dt, &ds, bad);
			bn_ref_slice(slice, a->aalg == 0, &rn, &rt);
		}
		dcpp[p] = (double)dt / (double)dn;
		rcpp[p] = rn != 0 ? (double)rt / (double)rn : 0;
		ratio[p] = rcpp[p] / dcpp[p];
		rstpp[p] = (double)ds / (double)dn;
		rnet[p] = dt > ds ? rcpp[p] / ((double)(dt - ds) / (double)dn) : 0;
		dmpps[p] = hz / dcpp[p] * 1e-6;
		rmops[p] = rcpp[p] > 0 ? hz / rcpp[p] * 1e-6 : 0;
	}
	rte_cryptodev_sym_session_free(bn_ref.dev_id, bn_ref.sess);
	bn_ref.sess = NULL;
	qsort(ratio, np, sizeof(double), bn_cmp);
	qsort(dcpp, np, sizeof(double), bn_cmp);
	qsort(rcpp, np, sizeof(double), bn_cmp);
	qsort(dmpps, np, sizeof(double), bn_cmp);
	qsort(rstpp, np, sizeof(double), bn_cmp);
	qsort(rnet, np, sizeof(double), bn_cmp);
	qsort(rmops, np, sizeof(double), bn_cmp);
	bn_frame_name(fn, sizeof(fn), f);
	bn_esp_sizes(sz, sizeof(sz), a, f);
	printf("paired %-9s %-4s %-5s %-5s %-18s %3u %6.3f %6.3f %6.1f%% %6.1f%% %6.1f%% "
		"%7.0f %7.0f %7.0f %7.0f %6.0f %6.1f%%\n", e->label, a->name,
		encap ? "encap" : "decap", fn, sz,
		np, dmpps[np / 2], rmops[np / 2], ratio[np / 2] * 100, ratio[np / 4] * 100,
		ratio[(3 * np) / 4 < np ? (3 * np) / 4 : np - 1] * 100, dcpp[np / 2], rcpp[np / 2],
		dcpp[0], rcpp[0], rstpp[np / 2], rnet[np / 2] * 100);
	return 0;
}

/* --sas: bn_nsas - 1 more SA pairs beside (out, in); bn_hs cycles over
 * the outbound ones.  The inbound halves are made (and deleted) only
 * because bn_sa_pair() makes pairs. */
static int bn_sas_more(struct bn_side *tx, struct bn_side *rx, const struct bn_alg *a,
	dp_sa_handle_t out)
{
	dp_sa_handle_t in;
	int rc;

	bn_hs = calloc(bn_nsas + BN_BURST, sizeof(*bn_hs));
	if (bn_hs == NULL)
		return -ENOMEM;
	bn_hs[0] = out;
	for (unsigned int i = 1; i < bn_nsas; i++) {
		rc = bn_sa_pair(tx, rx, a, &bn_hs[i], &in);
		if (rc != 0)
			return rc;
		dp_sa_delete(rx->ctx, in);
	}
	for (unsigned int i = 0; i < BN_BURST; i++)
		bn_hs[bn_nsas + i] = bn_hs[i % bn_nsas];
	bn_hoff = 0;
	return 0;
}

static void bn_sas_less(struct bn_side *tx, struct bn_side *rx)
{
	(void)rx;
	if (bn_hs == NULL)
		return;
	for (unsigned int i = 1; i < bn_nsas && bn_hs[i] != 0; i++)
		dp_sa_delete(tx->ctx, bn_hs[i]);
	free(bn_hs);
	bn_hs = NULL;
}

/* One (engine, alg, direction, frame) point: reps samples, printed. */
static int bn_point(const struct bn_opts *o, const struct bn_engine *e, const struct bn_alg *a,
	bool encap, uint16_t f, struct bn_side *tx, struct bn_side *rx)
{
	struct bn_sample smp[BN_REPS_MAX];
	double mpps[BN_REPS_MAX], gbps[BN_REPS_MAX], cpu[BN_REPS_MAX], ceil, ceil_best, rns;
	struct dp_worker_stats w0, w1;
	struct dp_sa_stats st;
	dp_sa_handle_t out, in, h[BN_BURST];
	struct bn_side *s = encap ? tx : rx;
	struct bn_pool *pl;
	uint64_t bad = 0, drops;
	char fn[16], sz[40];
	int rc;

	pl = calloc(1, sizeof(*pl));
	if (pl == NULL)
		return -ENOMEM;
	rc = bn_sa_pair(tx, rx, a, &out, &in);
	if (rc != 0) {
		free(pl);
		return rc;
	}
	rc = bn_pool_plain(pl, f);
	if (rc == 0 && !encap)
		rc = bn_pool_esp(pl, tx, out);
	if (rc == 0 && encap && bn_nsas > 1)
		rc = bn_sas_more(tx, rx, a, out);
	if (rc != 0)
		goto done;
	for (unsigned int i = 0; i < BN_BURST; i++)
		h[i] = out;
	dp_worker_get_stats(s->ctx, 0, &w0);
	for (unsigned int r = 0; r < o->reps; r++) {
		rc = bn_run(pl, s, h, encap, o->duration, o->smoke ? BN_SMOKE_PKTS : 0, o->smoke,
			&smp[r]);
		if (rc != 0) {
			fprintf(stderr, "dp-bench: %s %s %s frame %u: wrong decapsulated packet\n",
				e->label, a->name, encap ? "encap" : "decap", f);
			goto done;
		}
		mpps[r] = smp[r].mpps;
		gbps[r] = smp[r].gbps;
		cpu[r] = smp[r].cpu;
		bad += smp[r].not_forwarded;
	}
	if (o->pairs != 0) {
		rc = bn_paired(o, e, a, encap, f, pl, s, h, &bad);
		if (rc != 0) {
			fprintf(stderr, "dp-bench: in-process reference: %s\n", strerror(-rc));
			goto done;
		}
	}
	dp_worker_get_stats(s->ctx, 0, &w1);
	rc = dp_sa_get_stats(s->ctx, encap ? out : in, &st);
	if (rc != 0)
		goto done;
	drops = bn_drops(st.drops) + bn_drops(w1.drops) - bn_drops(w0.drops);
	rns = bn_restore_ns(pl);
	qsort(mpps, o->reps, sizeof(double), bn_cmp);
	qsort(gbps, o->reps, sizeof(double), bn_cmp);
	qsort(cpu, o->reps, sizeof(double), bn_cmp);
	ceil = bn_ceiling(a, encap ? "enc" : "dec", f, false);
	ceil_best = bn_ceiling(a, encap ? "enc" : "dec", f, true);
	bn_frame_name(fn, sizeof(fn), f);
	bn_esp_sizes(sz, sizeof(sz), a, f);
	printf("%-9s %-4s %-5s %-5s %-18s %6.3f %6.3f %6.3f %7.2f %4.0f%% %6.1f ", e->label,
		a->name, encap ? "encap" : "decap", fn, sz, mpps[0], mpps[o->reps / 2],
		mpps[o->reps - 1], gbps[o->reps / 2], cpu[o->reps / 2] * 100, rns);
	if (ceil > 0)
		printf("%7.3f %7.3f %5.0f%% %5.0f%%", ceil, ceil_best, mpps[o->reps / 2] / ceil * 100,
			mpps[o->reps - 1] / ceil_best * 100);
	else
		printf("%7s %7s %6s %6s", "-", "-", "-", "-");
	printf(" %" PRIu64 "/%" PRIu64 "\n", bad, drops);
	fflush(stdout);
	if (bad != 0 || drops != 0) {
		fprintf(stderr, "dp-bench: %" PRIu64 " packets not forwarded, %" PRIu64
			" drops counted\n", bad, drops);
		rc = -EIO;
	}
done:
	bn_sas_less(tx, rx);
	bn_pool_free(pl);
	free(pl);
	dp_sa_delete(tx->ctx, out);
	dp_sa_delete(rx->ctx, in);
	return rc;
}

static int bn_engine_run(const struct bn_opts *o, const struct bn_engine *e)
{
	struct bn_side tx = { 0 }, rx = { 0 };
	char ntx[16], nrx[16];
	int rc;

	snprintf(ntx, sizeof(ntx), "bt%u", e->engine);
	snprintf(nrx, sizeof(nrx), "br%u", e->engine);
	rc = bn_side_open(&tx, ntx, e->engine);
	if (rc == 0)
		rc = bn_side_open(&rx, nrx, e->engine);
	for (unsigned int ai = 0; rc == 0 && ai < BN_NALGS; ai++) {
		const struct bn_alg *a = &bn_algs[ai];

		if (o->alg != NULL && strcmp(o->alg, a->name) != 0)
			continue;
		for (unsigned int dir = 0; rc == 0 && dir < 2; dir++) {
			if (o->dir != NULL && strcmp(o->dir, dir == 0 ? "encap" : "decap") != 0)
				continue;
			for (unsigned int fi = 0; rc == 0 && fi < BN_NFRAMES; fi++)
				if (o->frame < 0 || o->frame == bn_frames[fi])
					rc = bn_point(o, e, a, dir == 0, bn_frames[fi], &tx, &rx);
		}
	}
	bn_side_close(&tx);
	bn_side_close(&rx);
	if (rc != 0)
		fprintf(stderr, "dp-bench: engine %s: %s\n", e->label, strerror(-rc));
	return rc;
}

/* Every selected engine; runs on the measuring lcore.  0 or 1. */
static int bn_all(void *arg)
{
	const struct bn_opts *o = arg;
	int rc = 0;

	if (o->pairs != 0) {
		rc = bn_ref_open(o->ref_bufs);
		if (rc != 0) {
			fprintf(stderr, "dp-bench: in-process reference %s: %s\n", BN_REF_DEV,
				strerror(-rc));
			bn_ref_close();
			return 1;
		}
	}
	for (unsigned int ei = 0; ei < BN_NENGINES; ei++) {
		if (o->engine != NULL && strcmp(o->engine, bn_engines[ei].label) != 0)
			continue;
		if (bn_engine_run(o, &bn_engines[ei]) != 0)
			rc = 1;
	}
	bn_ref_close();
	return rc;
}

/* crypto-perf sizes each algorithm needs: "gcm 52 500 ..." per line. */
static void bn_print_sizes(void)
{
	for (unsigned int ai = 0; ai < BN_NALGS; ai++) {
		printf("%s", bn_algs[ai].name);
		for (unsigned int fi = 0; fi < BN_NFRAMES; fi++) {
			unsigned int n = bn_frames[fi] != 0 ? 1 : 3;
			static const uint16_t imix[3] = { 40, 576, 1500 };

			for (unsigned int i = 0; i < n; i++)
				printf(" %u", bn_esp_payload(&bn_algs[ai], bn_frames[fi] != 0 ?
					bn_frames[fi] - BN_L2 : imix[i]));
		}
		printf("\n");
	}
}

static void bn_usage(FILE *f)
{
	fprintf(f,
		"usage: dpsec-dp-bench [--smoke] [--duration S] [--reps N] [--lcore N]\n"
		"                      [--ceilings FILE] [--engine ipsec-mb|cryptodev]\n"
		"                      [--alg gcm|cbc] [--dir encap|decap]\n"
		"                      [--frame 64|512|1420|0 (IMIX)] [--print-sizes]\n"
		"                      [--pairs N [--slice-ms MS] [--ref-bufs N]] [--sas N]\n"
		"One-core ESP tunnel (IPv4) encap/decap throughput; see docs/PERFORMANCE.md.\n");
}

static int bn_parse(int argc, char **argv, struct bn_opts *o)
{
	static const struct option lo[] = {
		{ "smoke", no_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "reps", required_argument, NULL, 'r' },
		{ "lcore", required_argument, NULL, 'l' },
		{ "ceilings", required_argument, NULL, 'c' },
		{ "engine", required_argument, NULL, 'e' },
		{ "alg", required_argument, NULL, 'a' },
		{ "dir", required_argument, NULL, 'D' },
		{ "frame", required_argument, NULL, 'f' },
		{ "print-sizes", no_argument, NULL, 'p' },
		{ "pairs", required_argument, NULL, 'P' },
		{ "slice-ms", required_argument, NULL, 'S' },
		{ "ref-bufs", required_argument, NULL, 'B' },
		{ "sas", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->duration = 2.0;
	o->reps = 3;
	o->lcore = 1;
	o->frame = -1;
	o->pairs = UINT_MAX;   /* unset */
	o->slice_ms = 50;
	o->ref_bufs = 64;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's': o->smoke = true; break;
		case 'd': o->duration = atof(optarg); break;
		case 'r': o->reps = (unsigned int)atoi(optarg); break;
		case 'l': o->lcore = (unsigned int)atoi(optarg); break;
		case 'c': o->ceilings = optarg; break;
		case 'e': o->engine = optarg; break;
		case 'a': o->alg = optarg; break;
		case 'D': o->dir = optarg; break;
		case 'f': o->frame = atoi(optarg); break;
		case 'p': o->print_sizes = true; break;
		case 'P': o->pairs = (unsigned int)atoi(optarg); break;
		case 'S': o->slice_ms = atof(optarg); break;
		case 'B': o->ref_bufs = (unsigned int)atoi(optarg); break;
		case 'n': o->sas = (unsigned int)atoi(optarg); break;
		case 'h': bn_usage(stdout); exit(0);
		default: return -EINVAL;
		}
	}
	if (optind != argc || o->duration <= 0 || o->duration > 60 || o->reps < 1 ||
	    o->reps > BN_REPS_MAX)
		return -EINVAL;
	/* --smoke runs the paired mode too, 2 pairs of 1 ms: it proves it runs. */
	if (o->pairs == UINT_MAX)
		o->pairs = o->smoke ? 2 : 0;
	if (o->smoke) {
		o->reps = 1;
		o->slice_ms = 1;
	}
	if (o->pairs > BN_PAIRS_MAX || o->slice_ms <= 0 || o->slice_ms > 10000 ||
	    o->ref_bufs < 1 || o->ref_bufs > BN_REF_BUFS_MAX)
		return -EINVAL;
	if (o->sas == 0)
		o->sas = 1;
	if (o->sas > BN_SAS_MAX)
		return -EINVAL;
	bn_nsas = o->sas;
	if (o->lcore >= (unsigned int)sysconf(_SC_NPROCESSORS_ONLN))
		o->lcore = 0;
	return 0;
}

int main(int argc, char **argv)
{
	struct bn_opts o;
	int rc = 0;

	if (bn_parse(argc, argv, &o) != 0) {
		bn_usage(stderr);
		return 2;
	}
	if (o.print_sizes) {
		bn_print_sizes();
		return 0;
	}
	if (o.ceilings != NULL && bn_load_ceilings(o.ceilings) != 0) {
		fprintf(stderr, "dp-bench: cannot read %s\n", o.ceilings);
		return 2;
	}
	if (bn_eal_init(o.lcore) != 0) {
		fprintf(stderr, "dp-bench: EAL init failed\n");
		return 1;
	}
	bn_mp = rte_pktmbuf_pool_create("bn_pool", 2 * BN_POOL + 1023, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, -1);
	if (bn_mp == NULL) {
		fprintf(stderr, "dp-bench: no mbuf pool\n");
		bn_eal_fini();
		return 1;
	}
	printf("# one core (lcore %u; main lcore 0 waits), bursts of %u, pool of %u mbufs%s\n",
		o.lcore, BN_BURST, BN_POOL, o.smoke ? ", smoke: 256 packets per point" : "");
	if (!o.smoke)
		printf("# %u x %.1f s per point; Mpps min/median/max; Gbit/s of clear frames "
			"(no FCS), median\n", o.reps, o.duration);
	printf("# sizes: frame = Ethernet without FCS; inner = frame - 14 (IPv4/UDP); "
		"M = ESP payload+trailer; IMIX = IP 7x40 4x576 1x1500\n");
	printf("%-9s %-4s %-5s %-5s %-18s %6s %6s %6s %7s %5s %6s %7s %7s %6s %6s %s\n",
		"engine", "alg", "dir", "frame", "inner/M", "min", "median", "max", "Gbit/s", "cpu",
		"rst-ns", "ceil", "ceilmax", "ratio", "r.max", "notfwd/drops");
	if (o.pairs != 0)
		printf("# paired lines (%u pairs of %.0f ms slices, dpsec and the in-process "
			"crypto-perf-like reference alternating): paired engine alg dir frame "
			"inner/M pairs dpsec-Mpps ref-Mops ratio ratio-q1 ratio-q3 "
			"dpsec-cyc/pkt ref-cyc/op dpsec-cyc-min ref-cyc-min rst-cyc/pkt "
			"ratio-net (medians over pairs; rst = the bench's restore, inside "
			"dpsec-cyc; ratio-net leaves it out)\n",
			o.pairs, o.slice_ms);
	fflush(stdout);
	if (o.lcore == 0)
		rc = bn_all(&o);
	else if (rte_eal_remote_launch(bn_all, &o, o.lcore) != 0)
		rc = 1;
	else
		rc = rte_eal_wait_lcore(o.lcore);
	rte_mempool_free(bn_mp);
	bn_eal_fini();
	return rc;
}
