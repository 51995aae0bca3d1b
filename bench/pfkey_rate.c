/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfkey_rate: the control plane's rate through dpsecd's PF_KEY socket
 * (issue 6, item 4; docs/BENCHMARKING.md, "Control-plane rate").
 *
 * Phases, each pipelined (at most W requests outstanding; replies matched
 * by type, seq and pid):
 *   ADD       N SAs: tunnel t = 0.. gets outbound SPI 0x10000000 + t and,
 *             with --pairs, inbound SPI 0x20000000 + t (the SPIs and
 *             addresses of bench/gw_sas.py: local 192.0.2.0/24, remote host
 *             10.0.0.0 + t, tunnel 203.0.113.1 <-> 203.0.113.2, AES-128-GCM
 *             with a key derived from t, anti-replay off)
 *   DUMP      every SA; the count must be what was there before plus N
 *   SPDADD    M tunnel policies, policy t covering 192.0.2.0/24 <-> host t
 *   SPDDELETE the M policies, by the index each SPDADD reply returned
 *   DELETE    the N SAs one by one (or SADB_FLUSH with --flush, which also
 *             removes SAs this program did not add)
 * Rates are printed per 10 % of a phase (progress) and for the whole phase,
 * with the longest wait for a reply (a control-thread stall).
 * Exit status: 0 when every reply was the expected success, 1 otherwise
 * (error replies are counted by diagnostic and printed), 2 on usage errors.
 *
 * A benchmark client: it links only libdpsec-pfkey (libc), never DPDK.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dpsec/pfkey.h"
#include "dpsec/pfkeyv2.h"

#define PR_SPI_OUT 0x10000000u
#define PR_SPI_IN 0x20000000u
#define PR_REMOTE_BASE 0x0a000000u /* 10.0.0.0: up to 16M remote hosts */
#define PR_LOCAL_NET "192.0.2.0"
#define PR_GW "203.0.113.1"
#define PR_PEER "203.0.113.2"
#define PR_MSG_MAX 65536u
#define PR_SEND_BATCH 32u        /* requests per sendmmsg() */
#define PR_SEND_AREA 32768u      /* bytes of one batch, 8-byte aligned each */
#define PR_DIAG_SLOTS 64u
#define PR_TIMEOUT_MS 30000

struct pr_opts {
	const char *socket;
	uint32_t tunnels; /* SA tunnels: N SAs, 2N with pairs */
	uint32_t policies;
	uint32_t window;
	uint32_t rounds; /* the whole sequence, this many times */
	bool pairs;
	bool flush;
	bool quiet;
};

/* Error replies by (errno, diag): a phase's unexpected outcomes. */
struct pr_diag {
	int err;
	uint16_t diag;
	uint64_t count;
};

struct pr_ctx {
	const struct pr_opts *o;
	int fd;
	uint32_t pid;
	uint32_t *pol_index; /* index of policy t, from its SPDADD reply */
	struct pr_diag diags[PR_DIAG_SLOTS];
	uint64_t errors;
	uint64_t buf[PR_MSG_MAX / 8]; /* requests and replies, 8-byte aligned */
	uint64_t sendbuf[PR_SEND_AREA / 8]; /* one batch of requests */
};

/* Builds request k of a phase into buf; returns its length or -errno. */
typedef int (*pr_build_fn)(struct pr_ctx *c, uint32_t k, uint32_t seq);
/* Called with each successful reply to request k. */
typedef void (*pr_reply_fn)(struct pr_ctx *c, uint32_t k, const void *msg, size_t len);

static double pr_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct sockaddr_in pr_sin(uint32_t host_order)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(host_order);
	return sin;
}

static uint32_t pr_ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return ntohl(a.s_addr);
}

static void pr_count_error(struct pr_ctx *c, int err, uint16_t diag)
{
	c->errors++;
	for (unsigned i = 0; i < PR_DIAG_SLOTS; i++) {
		struct pr_diag *d = &c->diags[i];

		if (d->count == 0 || (d->err == err && d->diag == diag)) {
			d->err = err;
			d->diag = diag;
			d->count++;
			return;
		}
	}
}

/* SA k: tunnel k / 2 with pairs (even outbound, odd inbound), else k. */
static void pr_sa_of(const struct pr_opts *o, uint32_t k, uint32_t *tunnel, bool *inbound)
{
	*tunnel = o->pairs ? k / 2 : k;
	*inbound = o->pairs && (k & 1u);
}

static int pr_build_sa(struct pr_ctx *c, uint32_t k, uint32_t seq, uint8_t type)
{
	struct pfk_builder b;
	struct sockaddr_in gw = pr_sin(pr_ip(PR_GW)), peer = pr_sin(pr_ip(PR_PEER));
	struct sockaddr_in local = pr_sin(pr_ip(PR_LOCAL_NET));
	uint32_t t;
	bool in;

	pr_sa_of(c->o, k, &t, &in);
	struct sockaddr_in remote = pr_sin(PR_REMOTE_BASE + t);
	uint32_t spi = (in ? PR_SPI_IN : PR_SPI_OUT) + t;

	pfk_build_init(&b, c->buf, sizeof(c->buf), type, SADB_SATYPE_ESP, seq, c->pid);
	if (type == SADB_DELETE) {
		pfk_add_sa(&b, htonl(spi), 0, 0, 0, 0, 0);
		pfk_add_address(&b, SADB_EXT_ADDRESS_SRC,
				(const struct sockaddr *)(in ? &peer : &gw), 0, 0);
		pfk_add_address(&b, SADB_EXT_ADDRESS_DST,
				(const struct sockaddr *)(in ? &gw : &peer), 0, 0);
		return pfk_build_finish(&b);
	}
	/* AES-128-GCM key + salt derived from the tunnel: a benchmark. */
	uint8_t key[20];

	for (unsigned i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)((t >> (8 * (i % 4))) ^ (0x5a + i));
	pfk_add_sa(&b, htonl(spi), 0, SADB_SASTATE_MATURE, 0, SADB_EALG_AES_GCM_16,
		   (in ? SADB_X_SAFLAGS_INBOUND : SADB_X_SAFLAGS_OUTBOUND) |
			   SADB_X_SAFLAGS_TUNNEL);
	pfk_add_address(&b, SADB_EXT_ADDRESS_SRC, (const struct sockaddr *)(in ? &peer : &gw),
			0, 0);
	pfk_add_address(&b, SADB_EXT_ADDRESS_DST, (const struct sockaddr *)(in ? &gw : &peer),
			0, 0);
	pfk_add_address(&b, SADB_X_EXT_ADDRESS_INNER_SRC,
			(const struct sockaddr *)(in ? &remote : &local), 0, in ? 32 : 24);
	pfk_add_address(&b, SADB_X_EXT_ADDRESS_INNER_DST,
			(const struct sockaddr *)(in ? &local : &remote), 0, in ? 24 : 32);
	pfk_add_key(&b, SADB_EXT_KEY_ENCRYPT, key, 160, 32);
	pfk_wipe(key, sizeof(key));
	return pfk_build_finish(&b);
}

static int pr_build_add(struct pr_ctx *c, uint32_t k, uint32_t seq)
{
	return pr_build_sa(c, k, seq, SADB_ADD);
}

static int pr_build_delete(struct pr_ctx *c, uint32_t k, uint32_t seq)
{
	return pr_build_sa(c, k, seq, SADB_DELETE);
}

static void pr_selector(struct sadb_x_dpsec_selector *s, uint32_t src, uint8_t splen,
			uint32_t dst, uint8_t dplen)
{
	uint32_t src_net = htonl(src), dst_net = htonl(dst);

	memset(s, 0, sizeof(*s));
	s->sadb_x_sel_family = AF_INET;
	s->sadb_x_sel_src_prefixlen = splen;
	s->sadb_x_sel_dst_prefixlen = dplen;
	s->sadb_x_sel_sport_max = 65535;
	s->sadb_x_sel_dport_max = 65535;
	s->sadb_x_sel_icmp_type_max = 255;
	s->sadb_x_sel_icmp_code_max = 255;
	memcpy(s->sadb_x_sel_src, &src_net, 4);
	memcpy(s->sadb_x_sel_dst, &dst_net, 4);
}

static int pr_build_spdadd(struct pr_ctx *c, uint32_t t, uint32_t seq)
{
	struct pfk_builder b;
	struct sadb_x_dpsec_policy pol = {
		.sadb_x_pol_priority = 100,
		.sadb_x_pol_dir = SADB_X_DPSEC_DIR_BOTH,
		.sadb_x_pol_action = SADB_X_DPSEC_ACTION_IPSEC,
		.sadb_x_pol_mode = SADB_X_DPSEC_MODE_TUNNEL,
	};
	struct sadb_x_dpsec_sareq req = {
		.sadb_x_req_satype = SADB_SATYPE_ESP,
		.sadb_x_req_encrypt = SADB_EALG_AES_GCM_16,
	};
	struct sadb_x_dpsec_selector outer, inner;
	struct sockaddr_in gw = pr_sin(pr_ip(PR_GW)), peer = pr_sin(pr_ip(PR_PEER));

	pr_selector(&outer, pr_ip(PR_GW), 32, pr_ip(PR_PEER), 32);
	pr_selector(&inner, pr_ip(PR_LOCAL_NET), 24, PR_REMOTE_BASE + t, 32);
	pfk_build_init(&b, c->buf, sizeof(c->buf), SADB_X_DPSEC_SPDADD, 0, seq, c->pid);
	pfk_add_policy(&b, &pol);
	pfk_add_selector(&b, SADB_X_EXT_DPSEC_SELECTOR, &outer);
	pfk_add_selector(&b, SADB_X_EXT_DPSEC_INNER_SELECTOR, &inner);
	pfk_add_sareq(&b, &req);
	pfk_add_address(&b, SADB_EXT_ADDRESS_SRC, (const struct sockaddr *)&gw, 0, 0);
	pfk_add_address(&b, SADB_EXT_ADDRESS_DST, (const struct sockaddr *)&peer, 0, 0);
	return pfk_build_finish(&b);
}

static void pr_got_index(struct pr_ctx *c, uint32_t t, const void *msg, size_t len)
{
	struct pfk_msg m;
	uint16_t diag;

	if (pfk_parse(msg, len, &m, &diag) == 0 && m.ext[pfk_ext_slot(SADB_X_EXT_DPSEC_POLICY)])
		c->pol_index[t] = ((const struct sadb_x_dpsec_policy *)(const void *)
				   m.ext[pfk_ext_slot(SADB_X_EXT_DPSEC_POLICY)])->sadb_x_pol_index;
}

static int pr_build_spddelete(struct pr_ctx *c, uint32_t t, uint32_t seq)
{
	struct pfk_builder b;
	/* dir and action must be valid values; the index alone selects the rule. */
	struct sadb_x_dpsec_policy pol = {
		.sadb_x_pol_index = c->pol_index[t],
		.sadb_x_pol_dir = SADB_X_DPSEC_DIR_BOTH,
		.sadb_x_pol_action = SADB_X_DPSEC_ACTION_IPSEC,
	};

	pfk_build_init(&b, c->buf, sizeof(c->buf), SADB_X_DPSEC_SPDDELETE, 0, seq, c->pid);
	pfk_add_policy(&b, &pol);
	return pfk_build_finish(&b);
}

/* Send what the window allows, up to PR_SEND_BATCH requests per system
 * call (a key manager loading SAs would batch the same way; one send()
 * per request made this client take a fifth of the CPU it shares with
 * dpsecd's control thread).  Request k is rebuilt the same way if the
 * socket took only part of a batch.  0 or -errno. */
static int pr_send_batch(struct pr_ctx *c, pr_build_fn build, uint32_t n, uint32_t done,
			 uint32_t *sent)
{
	struct mmsghdr mv[PR_SEND_BATCH];
	struct iovec iov[PR_SEND_BATCH];
	size_t off = 0;
	unsigned int k = 0;
	int rc;

	while (*sent + k < n && *sent + k - done < c->o->window && k < PR_SEND_BATCH) {
		rc = build(c, *sent + k, *sent + k + 1);
		if (rc < 0)
			return rc;
		if (off + (size_t)rc > sizeof(c->sendbuf))
			break;
		memcpy((uint8_t *)c->sendbuf + off, c->buf, (size_t)rc);
		iov[k].iov_base = (uint8_t *)c->sendbuf + off;
		iov[k].iov_len = (size_t)rc;
		memset(&mv[k], 0, sizeof(mv[k]));
		mv[k].msg_hdr.msg_iov = &iov[k];
		mv[k].msg_hdr.msg_iovlen = 1;
		off += ((size_t)rc + 7) & ~(size_t)7;
		k++;
	}
	if (k == 0)
		return 0;
	do
		rc = sendmmsg(c->fd, mv, k, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ? 0 : -errno;
	for (int i = 0; i < rc; i++) {
		if (mv[i].msg_len != iov[i].iov_len)
			return -EIO; /* a seqpacket send is atomic */
	}
	*sent += (uint32_t)rc;
	return 0;
}

/* One message into c->buf: at once when one is waiting, else through
 * pfk_client_recv()'s poll (one system call per reply instead of two). */
static int pr_recv(struct pr_ctx *c)
{
	ssize_t r;

	do
		r = recv(c->fd, c->buf, sizeof(c->buf), MSG_DONTWAIT | MSG_TRUNC);
	while (r < 0 && errno == EINTR);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return pfk_client_recv(c->fd, c->buf, sizeof(c->buf), PR_TIMEOUT_MS);
	if (r < 0)
		return -errno;
	if ((size_t)r > sizeof(c->buf))
		return -EMSGSIZE;
	return (int)r;
}

/* One pipelined phase of n requests of one type.  Request k has seq k + 1
 * (seq 0 marks a dump's end).  Returns 0, or -errno on a socket failure
 * or a reply that never came. */
static int pr_phase(struct pr_ctx *c, const char *name, uint8_t type, uint32_t n,
		    pr_build_fn build, pr_reply_fn on_reply)
{
	uint32_t sent = 0, done = 0, next_mark = 1, gap_at = 0;
	uint64_t errors0 = c->errors;
	double t0 = pr_now(), tmark = t0, t, tlast = t0, gap = 0;
	int rc;

	while (done < n) {
		rc = pr_send_batch(c, build, n, done, &sent);
		if (rc < 0)
			return rc;
		rc = pr_recv(c);
		if (rc <= 0)
			return rc == 0 ? -ECONNRESET : rc;
		const struct sadb_msg *h = (const void *)c->buf;

		/* Broadcasts of other clients' work and events: not ours. */
		if (h->sadb_msg_type != type || h->sadb_msg_pid != c->pid || h->sadb_msg_seq == 0 ||
		    h->sadb_msg_seq > sent)
			continue;
		if (h->sadb_msg_errno != 0)
			pr_count_error(c, h->sadb_msg_errno, h->sadb_msg_reserved);
		else if (on_reply)
			on_reply(c, h->sadb_msg_seq - 1, c->buf, (size_t)rc);
		done++;
		/* The longest wait for a reply with requests outstanding: what a
		 * control-thread stall looks like from a key manager. */
		t = pr_now();
		if (t - tlast > gap) {
			gap = t - tlast;
			gap_at = done;
		}
		tlast = t;
		if (!c->o->quiet && (uint64_t)done * 10 >= (uint64_t)n * next_mark) {
			t = pr_now();
			printf("  %-9s %3u%% %10u done  %10.0f /s this step  %10.0f /s so far\n",
			       name, next_mark * 10, done,
			       (double)(done - (uint32_t)((uint64_t)n * (next_mark - 1) / 10)) /
				       (t - tmark),
			       done / (t - t0));
			fflush(stdout);
			tmark = t;
			while ((uint64_t)done * 10 >= (uint64_t)n * next_mark)
				next_mark++;
		}
	}
	t = pr_now() - t0;
	printf("%-9s %10u requests %9.3f s %12.0f /s  errors %llu\n", name, n, t,
	       n / (t > 0 ? t : 1e-9), (unsigned long long)(c->errors - errors0));
	printf("  %-9s longest wait for a reply %.1f ms (before reply %u)\n", name, gap * 1e3,
	       gap_at);
	fflush(stdout);
	return 0;
}

/* DUMP: counts the replies up to the end marker.  Returns the count or
 * -errno. */
static long pr_dump(struct pr_ctx *c, const char *name)
{
	struct pfk_builder b;
	uint32_t seq = 0x7fffffffu;
	long count = 0;
	double t0 = pr_now();
	int rc;

	pfk_build_init(&b, c->buf, sizeof(c->buf), SADB_DUMP, SADB_SATYPE_ESP, seq, c->pid);
	rc = pfk_build_finish(&b);
	if (rc < 0 || (rc = pfk_client_send(c->fd, c->buf, (size_t)rc)) < 0)
		return rc;
	for (;;) {
		rc = pr_recv(c);
		if (rc <= 0)
			return rc == 0 ? -ECONNRESET : rc;
		const struct sadb_msg *h = (const void *)c->buf;

		if (h->sadb_msg_type != SADB_DUMP || h->sadb_msg_pid != c->pid)
			continue;
		if (h->sadb_msg_errno != 0) {
			/* ENOENT: an empty database has nothing to dump. */
			if (h->sadb_msg_errno == ENOENT && count == 0)
				break;
			pr_count_error(c, h->sadb_msg_errno, h->sadb_msg_reserved);
			return -h->sadb_msg_errno;
		}
		if (h->sadb_msg_seq == 0)
			break;
		count++;
	}
	if (name) {
		double t = pr_now() - t0;

		printf("%-9s %10ld SAs     %9.3f s %12.0f /s\n", name, count, t,
		       count / (t > 0 ? t : 1e-9));
		fflush(stdout);
	}
	return count;
}

static int pr_flush(struct pr_ctx *c)
{
	struct pfk_builder b;
	double t0 = pr_now();
	int rc;

	pfk_build_init(&b, c->buf, sizeof(c->buf), SADB_FLUSH, SADB_SATYPE_ESP, 1, c->pid);
	rc = pfk_build_finish(&b);
	if (rc < 0)
		return rc;
	rc = pfk_client_request(c->fd, c->buf, (size_t)rc, c->buf, sizeof(c->buf),
				PR_TIMEOUT_MS, NULL, NULL);
	if (rc < 0)
		return rc;
	if (((const struct sadb_msg *)(const void *)c->buf)->sadb_msg_errno != 0)
		pr_count_error(c, ((const struct sadb_msg *)(const void *)c->buf)->sadb_msg_errno,
			       ((const struct sadb_msg *)(const void *)c->buf)->sadb_msg_reserved);
	printf("%-9s %9.3f s\n", "FLUSH", pr_now() - t0);
	return 0;
}

static int pr_round(struct pr_ctx *c)
{
	const struct pr_opts *o = c->o;
	uint32_t nsa = o->pairs ? 2 * o->tunnels : o->tunnels;
	long before, after;
	int rc;

	before = pr_dump(c, NULL);
	if (before < 0)
		return (int)before;
	printf("# pfkey_rate: %u SAs (%s), %u policies, window %u, %ld SAs there before\n", nsa,
	       o->pairs ? "pairs" : "outbound only", o->policies, o->window, before);
	fflush(stdout);
	if (nsa && (rc = pr_phase(c, "ADD", SADB_ADD, nsa, pr_build_add, NULL)) < 0)
		return rc;
	after = pr_dump(c, "DUMP");
	if (after < 0)
		return (int)after;
	if (after != before + (long)nsa) {
		fprintf(stderr, "pfkey_rate: DUMP returned %ld SAs, expected %ld\n", after,
			before + (long)nsa);
		c->errors++;
	}
	if (o->policies) {
		rc = pr_phase(c, "SPDADD", SADB_X_DPSEC_SPDADD, o->policies, pr_build_spdadd,
			      pr_got_index);
		if (rc < 0)
			return rc;
		rc = pr_phase(c, "SPDDELETE", SADB_X_DPSEC_SPDDELETE, o->policies,
			      pr_build_spddelete, NULL);
		if (rc < 0)
			return rc;
	}
	if (o->flush)
		return pr_flush(c);
	if (nsa && (rc = pr_phase(c, "DELETE", SADB_DELETE, nsa, pr_build_delete, NULL)) < 0)
		return rc;
	return 0;
}

static void pr_usage(void)
{
	fprintf(stderr,
		"usage: dpsec-pfkey-rate [-S socket] [-n tunnels] [-p policies] [-w window]\n"
		"                        [-r rounds] [--pairs] [--flush] [-q]\n"
		"  -n N   SAs to add (outbound SPI 0x10000000 + t); --pairs: also inbound\n"
		"         0x20000000 + t, 2N SAs\n"
		"  -p M   tunnel policies to add and delete (default: N)\n"
		"  -w W   requests outstanding at once (default 64)\n"
		"  -r R   run the whole sequence R times (default 1): from the second\n"
		"         round on, dpsecd reuses the memory the first one touched\n"
		"  --flush  end with SADB_FLUSH (every ESP SA) instead of N DELETEs\n");
}

static int pr_uint(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || end == s || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pairs", no_argument, NULL, 'P' },
		{ "flush", no_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	struct pr_opts o = { .socket = NULL, .tunnels = 1000, .window = 64, .rounds = 1 };
	struct pr_ctx *c = NULL;
	bool policies_set = false;
	int opt, rc, status = 1;

	while ((opt = getopt_long(argc, argv, "S:n:p:w:r:q", longopts, NULL)) != -1) {
		switch (opt) {
		case 'S': o.socket = optarg; break;
		case 'n': rc = pr_uint(optarg, &o.tunnels); break;
		case 'p': rc = pr_uint(optarg, &o.policies); policies_set = true; break;
		case 'w': rc = pr_uint(optarg, &o.window); break;
		case 'r': rc = pr_uint(optarg, &o.rounds); break;
		case 'P': o.pairs = true; break;
		case 'F': o.flush = true; break;
		case 'q': o.quiet = true; break;
		default: pr_usage(); return 2;
		}
		if ((opt == 'n' || opt == 'p' || opt == 'w' || opt == 'r') && rc < 0) {
			pr_usage();
			return 2;
		}
	}
	if (optind != argc || o.window == 0 || o.rounds == 0 || o.tunnels > (1u << 24)) {
		pr_usage();
		return 2;
	}
	if (!policies_set)
		o.policies = o.tunnels;
	c = calloc(1, sizeof(*c));
	if (c == NULL || (o.policies && !(c->pol_index = calloc(o.policies, sizeof(uint32_t))))) {
		fprintf(stderr, "pfkey_rate: out of memory\n");
		goto out;
	}
	c->o = &o;
	c->pid = (uint32_t)getpid();
	c->fd = pfk_client_open(o.socket);
	if (c->fd < 0) {
		fprintf(stderr, "pfkey_rate: %s: %s\n", o.socket ? o.socket : PFK_DEFAULT_SOCKET,
			strerror(-c->fd));
		goto out;
	}
	rc = 0;
	for (uint32_t r = 0; r < o.rounds && rc == 0; r++) {
		if (o.rounds > 1)
			printf("# round %u of %u\n", r + 1, o.rounds);
		rc = pr_round(c);
	}
	close(c->fd);
	if (rc < 0)
		fprintf(stderr, "pfkey_rate: %s\n", strerror(-rc));
	for (unsigned i = 0; i < PR_DIAG_SLOTS && c->diags[i].count; i++)
		fprintf(stderr, "pfkey_rate: %llu error replies errno %d (%s) diag %u\n",
			(unsigned long long)c->diags[i].count, c->diags[i].err,
			strerror(c->diags[i].err), c->diags[i].diag);
	status = rc == 0 && c->errors == 0 ? 0 : 1;
out:
	if (c)
		free(c->pol_index);
	free(c);
	return status;
}
