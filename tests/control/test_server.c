/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_server: PF_KEY conformance of the control thread over its real
 * socket and a real dataplane context -- every message type and its reply,
 * broadcasts to a second and a promiscuous socket, REGISTER then ACQUIRE
 * from a trap event, GETSPI uniqueness, and a table of bad requests with
 * their diagnostics (state unchanged after each).
 *
 * Requests and expected bytes are laid out by hand (ctl_test_msg.h) from
 * docs/PFKEY.md; replies are also run through pfk_validate(PFK_DIR_REPLY).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ctl_harness.h"
#include "ctl_test_util.h"
#include "dp_worker.h"

static struct h H;
static uint64_t rbuf[65536];
static uint64_t rbuf2[65536];

static int group_setup(void **state)
{
	(void)state;
	if (h_eal_init("server") != 0)
		return -1;
	return h_start(&H, NULL, 65536);
}

static int group_teardown(void **state)
{
	(void)state;
	h_stop(&H);
	h_eal_fini();
	return 0;
}

/* Each test starts from an empty SADB and SPD. */
static int setup(void **state)
{
	struct tmsg t;
	int fd = h_connect(&H);

	(void)state;
	if (fd < 0)
		return -1;
	tm_init(&t, SADB_FLUSH, 0, t_seq++, T_PID);
	if (t_request(fd, &t, rbuf, sizeof(rbuf)) < 0)
		return -1;
	tm_init(&t, SADB_X_DPSEC_SPDFLUSH, 0, t_seq++, T_PID);
	if (t_request(fd, &t, rbuf, sizeof(rbuf)) < 0)
		return -1;
	close(fd);
	return 0;
}

static void assert_reply_valid(const void *buf, int n)
{
	struct pfk_msg m;
	uint16_t diag = 0;

	assert_true(n >= 16);
	if (pfk_validate(buf, (size_t)n, PFK_DIR_REPLY, &m, &diag) != 0)
		print_error("reply type %u invalid: %s\n", ((const struct sadb_msg *)buf)->sadb_msg_type,
			    pfk_diag_name(diag));
	assert_int_equal(pfk_validate(buf, (size_t)n, PFK_DIR_REPLY, &m, &diag), 0);
}

static void assert_error(const void *buf, int n, const struct tmsg *req, int err, uint16_t diag)
{
	const struct sadb_msg *h = buf;

	/* The request's header alone, errno and diagnostic set, len 2. */
	assert_int_equal(n, 16);
	assert_int_equal(h->sadb_msg_version, 2);
	assert_int_equal(h->sadb_msg_type, ((const struct sadb_msg *)req->buf)->sadb_msg_type);
	assert_int_equal(h->sadb_msg_errno, err);
	assert_int_equal(h->sadb_x_msg_diagnostic, diag);
	assert_int_equal(h->sadb_msg_len, 2);
	assert_int_equal(h->sadb_msg_seq, ((const struct sadb_msg *)req->buf)->sadb_msg_seq);
	assert_int_equal(h->sadb_msg_pid, T_PID);
}

static uint64_t sa_count(void)
{
	return h_stats(&H).sas;
}

/* ------------------------------------------------------------------------ */

static void test_getspi_update_get(void **state)
{
	struct tmsg t, u, stripped;
	const struct sadb_sa *sa;
	uint32_t spi;
	int fd = h_connect(&H), n;

	(void)state;
	assert_true(fd >= 0);
	tm_init(&t, SADB_GETSPI, SADB_SATYPE_ESP, t_seq++, T_PID);
	tm_addr4(&t, SADB_EXT_ADDRESS_SRC, "192.0.2.1", 0, 0);
	tm_addr4(&t, SADB_EXT_ADDRESS_DST, "192.0.2.2", 0, 0);
	tm_range(&t, 0x1000, 0x1fff);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	/* <base, SA, address(S), address(D)>: 16 + 16 + 24 + 24 = 80 bytes. */
	assert_int_equal(n, 80);
	assert_reply_valid(rbuf, n);
	assert_int_equal(t_hdr(rbuf)->sadb_msg_len, 10);
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	assert_int_equal(t_hdr(rbuf)->sadb_msg_satype, SADB_SATYPE_ESP);
	sa = (const void *)((const uint8_t *)rbuf + 16);
	assert_int_equal(sa->sadb_sa_len, 2);
	assert_int_equal(sa->sadb_sa_exttype, SADB_EXT_SA);
	spi = ntohl(sa->sadb_sa_spi);
	assert_in_range(spi, 0x1000, 0x1fff);
	assert_int_equal(sa->sadb_sa_state, SADB_SASTATE_LARVAL);
	/* The addresses come back as sent. */
	assert_memory_equal((const uint8_t *)rbuf + 32, (const uint8_t *)t.buf + 16, 48);

	/* GET of the larval SA. */
	t_sa_req(&u, SADB_GET, SADB_SATYPE_ESP, spi, NULL, "192.0.2.2");
	n = t_request(fd, &u, rbuf, sizeof(rbuf));
	assert_reply_valid(rbuf, n);
	sa = tm_find(rbuf, (size_t)n, SADB_EXT_SA);
	assert_non_null(sa);
	assert_int_equal(sa->sadb_sa_state, SADB_SASTATE_LARVAL);

	/* UPDATE with keys: larval -> mature.  Reply = request minus keys. */
	tm_init(&u, SADB_UPDATE, SADB_SATYPE_ESP, t_seq++, T_PID);
	tm_sa(&u, spi, 64, SADB_SASTATE_MATURE, 0, SADB_EALG_AES_GCM_16, SADB_X_SAFLAGS_INBOUND);
	tm_addr4(&u, SADB_EXT_ADDRESS_SRC, "192.0.2.1", 0, 0);
	tm_addr4(&u, SADB_EXT_ADDRESS_DST, "192.0.2.2", 0, 0);
	tm_key(&u, SADB_EXT_KEY_ENCRYPT, 160, 32, t_key);
	n = t_request(fd, &u, rbuf, sizeof(rbuf));
	tm_strip_keys(&u, &stripped);
	assert_int_equal(n, (int)stripped.len);
	assert_memory_equal(rbuf, stripped.buf, stripped.len);

	/* GET: mature, with the key, current lifetime, replay value, window. */
	t_sa_req(&t, SADB_GET, SADB_SATYPE_ESP, spi, "192.0.2.1", "192.0.2.2");
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_reply_valid(rbuf, n);
	sa = tm_find(rbuf, (size_t)n, SADB_EXT_SA);
	assert_int_equal(sa->sadb_sa_state, SADB_SASTATE_MATURE);
	assert_int_equal(sa->sadb_sa_encrypt, SADB_EALG_AES_GCM_16);
	assert_int_equal(sa->sadb_sa_replay, 64);
	{
		const struct sadb_key *k = tm_find(rbuf, (size_t)n, SADB_EXT_KEY_ENCRYPT);
		const struct sadb_x_replay_ctr *rc = tm_find(rbuf, (size_t)n,
							     SADB_X_EXT_REPLAY_VALUE);

		assert_non_null(k);
		assert_int_equal(k->sadb_key_bits, 160);
		assert_memory_equal(k + 1, t_key, 20);
		assert_non_null(tm_find(rbuf, (size_t)n, SADB_EXT_LIFETIME_CURRENT));
		assert_non_null(rc);
		assert_int_equal(rc->sadb_x_rc_replay64, 0);
	}
	/* A second UPDATE carrying keys is refused (illumos): AKEY/EKEY_PRESENT. */
	u.buf[1] = 0; /* seq changes below */
	tm_hdr(&u)->sadb_msg_seq = t_seq++;
	tm_hdr(&u)->sadb_msg_pid = T_PID;
	tm_hdr(&u)->sadb_msg_version = 2;
	n = t_request(fd, &u, rbuf, sizeof(rbuf));
	assert_error(rbuf, n, &u, EINVAL, SADB_X_DIAGNOSTIC_EKEY_PRESENT);
	close(fd);
}

static void test_add_broadcast_promisc(void **state)
{
	struct tmsg t, p, stripped;
	int a = h_connect(&H), b = h_connect(&H), pr = h_connect(&H), n;

	(void)state;
	assert_true(a >= 0 && b >= 0 && pr >= 0);
	tm_init(&p, SADB_X_PROMISC, 1, t_seq++, T_PID);
	n = t_request(pr, &p, rbuf, sizeof(rbuf));
	assert_int_equal(n, 16);
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);

	t_add_cbc(&t, 0x2001, "198.51.100.1", "198.51.100.2", SADB_X_SAFLAGS_OUTBOUND);
	n = t_request(a, &t, rbuf, sizeof(rbuf));
	tm_strip_keys(&t, &stripped);
	assert_int_equal(n, (int)stripped.len);
	assert_memory_equal(rbuf, stripped.buf, stripped.len);
	assert_null(tm_find(rbuf, (size_t)n, SADB_EXT_KEY_AUTH));
	/* The second socket gets the same key-free broadcast. */
	n = t_recv_type(b, SADB_ADD, rbuf2, sizeof(rbuf2), T_TIMEOUT_MS);
	assert_int_equal(n, (int)stripped.len);
	assert_memory_equal(rbuf2, stripped.buf, stripped.len);
	/* The promiscuous one sees the request (no keys) and the broadcast. */
	n = t_recv_type(pr, SADB_ADD, rbuf2, sizeof(rbuf2), T_TIMEOUT_MS);
	assert_int_equal(n, (int)stripped.len);
	assert_memory_equal(rbuf2, stripped.buf, stripped.len);
	n = t_recv_type(pr, SADB_ADD, rbuf2, sizeof(rbuf2), T_TIMEOUT_MS);
	assert_int_equal(n, (int)stripped.len);

	/* GET: keys, and the sequence lease the gateway manages (2^20). */
	t_sa_req(&t, SADB_GET, SADB_SATYPE_ESP, 0x2001, NULL, "198.51.100.2");
	n = t_request(a, &t, rbuf, sizeof(rbuf));
	assert_reply_valid(rbuf, n);
	{
		const struct sadb_key *k = tm_find(rbuf, (size_t)n, SADB_EXT_KEY_AUTH);
		const struct sadb_x_dpsec_seq_lease *l =
			tm_find(rbuf, (size_t)n, SADB_X_EXT_DPSEC_SEQ_LEASE);

		assert_non_null(k);
		assert_memory_equal(k + 1, t_key, 32);
		assert_non_null(l);
		assert_int_equal(l->sadb_x_sl_limit, 1u << 20);
	}
	/* The promiscuous socket sees the GET reply without keys. */
	n = t_recv_type(pr, SADB_GET, rbuf2, sizeof(rbuf2), T_TIMEOUT_MS);
	assert_true(n > 16);
	assert_null(tm_find(rbuf2, (size_t)n, SADB_EXT_KEY_AUTH));
	assert_null(tm_find(rbuf2, (size_t)n, SADB_EXT_KEY_ENCRYPT));

	/* ADD of the same SA: EEXIST, nothing changes. */
	t_add_cbc(&t, 0x2001, "198.51.100.1", "198.51.100.2", SADB_X_SAFLAGS_OUTBOUND);
	n = t_request(a, &t, rbuf, sizeof(rbuf));
	assert_error(rbuf, n, &t, EEXIST, 0);
	assert_int_equal(sa_count(), 1);

	/* DELETE: broadcast; then GET fails with SA_NOTFOUND. */
	t_drain(b);
	t_sa_req(&t, SADB_DELETE, SADB_SATYPE_ESP, 0x2001, "198.51.100.1", "198.51.100.2");
	n = t_request(a, &t, rbuf, sizeof(rbuf));
	assert_int_equal(n, (int)t.len);
	assert_memory_equal(rbuf, t.buf, t.len);
	n = t_recv_type(b, SADB_DELETE, rbuf2, sizeof(rbuf2), T_TIMEOUT_MS);
	assert_int_equal(n, (int)t.len);
	t_sa_req(&t, SADB_GET, SADB_SATYPE_ESP, 0x2001, NULL, "198.51.100.2");
	n = t_request(a, &t, rbuf, sizeof(rbuf));
	assert_error(rbuf, n, &t, ESRCH, SADB_X_DIAGNOSTIC_SA_NOTFOUND);
	close(a);
	close(b);
	close(pr);
}

static void test_update_cluster_states_replay(void **state)
{
	static const uint8_t states[] = { SADB_X_SASTATE_ACTIVE_ELSEWHERE, SADB_X_SASTATE_IDLE,
					  SADB_X_SASTATE_ACTIVE, SADB_SASTATE_MATURE };
	struct tmsg t;
	int fd = h_connect(&H), n;

	(void)state;
	t_add_gcm(&t, 0x3001, "10.0.0.1", "10.0.0.2", SADB_X_SAFLAGS_INBOUND);
	tm_replay_window(&t, 1024, 0);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	/* Replay value while MATURE (carrying traffic): EBUSY, INVALID_REPLAY. */
	t_sa_req(&t, SADB_UPDATE, SADB_SATYPE_ESP, 0x3001, "10.0.0.1", "10.0.0.2");
	tm_replay_value(&t, 1000);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_error(rbuf, n, &t, EBUSY, SADB_X_DIAGNOSTIC_INVALID_REPLAY);
	/* Moving to ACTIVE_ELSEWHERE with a replay value: accepted. */
	tm_init(&t, SADB_UPDATE, SADB_SATYPE_ESP, t_seq++, T_PID);
	tm_sa(&t, 0x3001, 0, SADB_X_SASTATE_ACTIVE_ELSEWHERE, 0, 0, 0);
	tm_addr4(&t, SADB_EXT_ADDRESS_SRC, "10.0.0.1", 0, 0);
	tm_addr4(&t, SADB_EXT_ADDRESS_DST, "10.0.0.2", 0, 0);
	tm_replay_value(&t, 0x123456789ull & 0xffffffffu);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	for (unsigned int i = 0; i < sizeof(states); i++) {
		const struct sadb_sa *sa;
		const struct sadb_x_replay_ctr *rc;
		const struct sadb_x_dpsec_replay_window *rw;

		tm_init(&t, SADB_UPDATE, SADB_SATYPE_ESP, t_seq++, T_PID);
		tm_sa(&t, 0x3001, 0, states[i], 0, 0, 0);
		tm_addr4(&t, SADB_EXT_ADDRESS_SRC, "10.0.0.1", 0, 0);
		tm_addr4(&t, SADB_EXT_ADDRESS_DST, "10.0.0.2", 0, 0);
		n = t_request(fd, &t, rbuf, sizeof(rbuf));
		assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
		t_sa_req(&t, SADB_GET, SADB_SATYPE_ESP, 0x3001, NULL, "10.0.0.2");
		n = t_request(fd, &t, rbuf, sizeof(rbuf));
		assert_reply_valid(rbuf, n);
		sa = tm_find(rbuf, (size_t)n, SADB_EXT_SA);
		assert_int_equal(sa->sadb_sa_state, states[i]);
		assert_int_equal(sa->sadb_sa_replay, 255); /* min(window, 255) */
		rc = tm_find(rbuf, (size_t)n, SADB_X_EXT_REPLAY_VALUE);
		assert_non_null(rc);
		assert_int_equal(rc->sadb_x_rc_replay64, 0x23456789u);
		assert_int_equal(rc->sadb_x_rc_replay32, 0x23456789u);
		rw = tm_find(rbuf, (size_t)n, SADB_X_EXT_DPSEC_REPLAY_WINDOW);
		assert_non_null(rw);
		assert_int_equal(rw->sadb_x_rw_window, 1024);
	}
	close(fd);
}

static void test_register(void **state)
{
	struct tmsg t;
	const struct sadb_supported *sup;
	int fd = h_connect(&H), n;
	bool gcm = false;

	(void)state;
	tm_init(&t, SADB_REGISTER, SADB_SATYPE_ESP, t_seq++, T_PID);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_reply_valid(rbuf, n);
	sup = tm_find(rbuf, (size_t)n, SADB_EXT_SUPPORTED_ENCRYPT);
	assert_non_null(sup);
	for (unsigned int i = 0; i < (sup->sadb_supported_len * 8u - 8u) / 8u; i++) {
		const struct sadb_alg *a = (const struct sadb_alg *)(sup + 1) + i;

		/* Only what the dataplane implements: no DES, 3DES, Blowfish, CCM. */
		assert_true(a->sadb_alg_id != SADB_EALG_DESCBC && a->sadb_alg_id != SADB_EALG_3DESCBC &&
			    a->sadb_alg_id != SADB_EALG_BLOWFISH &&
			    a->sadb_alg_id != SADB_EALG_AES_CCM_8);
		if (a->sadb_alg_id == SADB_EALG_AES_GCM_16) {
			gcm = true;
			assert_int_equal(a->sadb_x_alg_saltbits, 32);
			assert_int_equal(a->sadb_alg_minbits, 128);
		}
	}
	assert_true(gcm);
	sup = tm_find(rbuf, (size_t)n, SADB_EXT_SUPPORTED_AUTH);
	assert_non_null(sup);
	for (unsigned int i = 0; i < (sup->sadb_supported_len * 8u - 8u) / 8u; i++)
		assert_int_not_equal(((const struct sadb_alg *)(sup + 1))[i].sadb_alg_id,
				     SADB_AALG_MD5HMAC);
	/* Extended registration (satype 0, EREG listing AH and ESP). */
	tm_init(&t, SADB_REGISTER, 0, t_seq++, T_PID);
	{
		uint8_t *types = (uint8_t *)tm_ext(&t, SADB_X_EXT_EREG, 4) + 4;

		types[0] = SADB_SATYPE_AH;
		types[1] = SADB_SATYPE_ESP;
	}
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_reply_valid(rbuf, n);
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	assert_non_null(tm_find(rbuf, (size_t)n, SADB_EXT_SUPPORTED_ENCRYPT));
	/* AH registration: auth algorithms only. */
	tm_init(&t, SADB_REGISTER, SADB_SATYPE_AH, t_seq++, T_PID);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_reply_valid(rbuf, n);
	assert_non_null(tm_find(rbuf, (size_t)n, SADB_EXT_SUPPORTED_AUTH));
	assert_null(tm_find(rbuf, (size_t)n, SADB_EXT_SUPPORTED_ENCRYPT));
	close(fd);
}

static void test_dump_edump_flush(void **state)
{
	struct tmsg t;
	int fd = h_connect(&H), n, count = 0;
	uint32_t seq;

	(void)state;
	for (uint32_t i = 0; i < 3; i++) {
		t_add_gcm(&t, 0x4000 + i, "10.1.0.1", "10.1.0.2", 0);
		n = t_request(fd, &t, rbuf, sizeof(rbuf));
		assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	}
	tm_init(&t, SADB_DUMP, 0, seq = t_seq++, T_PID);
	assert_int_equal(pfk_client_send(fd, t.buf, t.len), 0);
	for (;;) {
		n = t_recv_type(fd, SADB_DUMP, rbuf, sizeof(rbuf), T_TIMEOUT_MS);
		assert_true(n >= 16);
		if (n == 16) {
			/* End marker: a bare header with seq 0. */
			assert_int_equal(t_hdr(rbuf)->sadb_msg_seq, 0);
			assert_int_equal(t_hdr(rbuf)->sadb_msg_pid, T_PID);
			assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
			break;
		}
		assert_reply_valid(rbuf, n);
		assert_int_equal(t_hdr(rbuf)->sadb_msg_seq, seq);
		assert_non_null(tm_find(rbuf, (size_t)n, SADB_EXT_KEY_ENCRYPT));
		count++;
	}
	assert_int_equal(count, 3);
	/* EDUMP(60): none of these SAs carried traffic: only the marker. */
	tm_init(&t, SADB_DUMP, SADB_SATYPE_ESP, t_seq++, T_PID);
	tm_edump(&t, 60);
	assert_int_equal(pfk_client_send(fd, t.buf, t.len), 0);
	n = t_recv_type(fd, SADB_DUMP, rbuf, sizeof(rbuf), T_TIMEOUT_MS);
	assert_int_equal(n, 16);
	/* FLUSH of AH leaves ESP; FLUSH of all empties. */
	tm_init(&t, SADB_FLUSH, SADB_SATYPE_AH, t_seq++, T_PID);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_int_equal(n, 16);
	assert_int_equal(sa_count(), 3);
	tm_init(&t, SADB_FLUSH, 0, t_seq++, T_PID);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_int_equal(n, 16);
	assert_int_equal(sa_count(), 0);
	close(fd);
}

static void test_pairs(void **state)
{
	struct tmsg t;
	int fd = h_connect(&H), n;

	(void)state;
	t_add_gcm(&t, 0x5001, "10.2.0.2", "10.2.0.1", SADB_X_SAFLAGS_INBOUND);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	/* Pair with an SPI that does not exist. */
	t_add_gcm(&t, 0x5002, "10.2.0.1", "10.2.0.2", SADB_X_SAFLAGS_OUTBOUND);
	tm_pair(&t, 0x5999);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_error(rbuf, n, &t, ESRCH, SADB_X_DIAGNOSTIC_PAIR_SA_NOTFOUND);
	assert_int_equal(sa_count(), 1);
	t_add_gcm(&t, 0x5002, "10.2.0.1", "10.2.0.2", SADB_X_SAFLAGS_OUTBOUND);
	tm_pair(&t, 0x5001);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	/* UPDATEPAIR: both get the soft lifetime. */
	t_sa_req(&t, SADB_X_UPDATEPAIR, SADB_SATYPE_ESP, 0x5002, "10.2.0.1", "10.2.0.2");
	tm_lifetime(&t, SADB_EXT_LIFETIME_SOFT, 0, 1000000, 0, 0);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	for (uint32_t spi = 0x5001; spi <= 0x5002; spi++) {
		const struct sadb_lifetime *lt;
		const struct sadb_x_pair *pr;

		t_sa_req(&t, SADB_GET, SADB_SATYPE_ESP, spi, NULL,
			 spi == 0x5001 ? "10.2.0.1" : "10.2.0.2");
		n = t_request(fd, &t, rbuf, sizeof(rbuf));
		assert_reply_valid(rbuf, n);
		lt = tm_find(rbuf, (size_t)n, SADB_EXT_LIFETIME_SOFT);
		assert_non_null(lt);
		assert_int_equal(lt->sadb_lifetime_bytes, 1000000);
		pr = tm_find(rbuf, (size_t)n, SADB_X_EXT_PAIR);
		assert_non_null(pr);
		assert_int_equal(ntohl(pr->sadb_x_pair_spi), spi == 0x5001 ? 0x5002 : 0x5001);
	}
	/* DELPAIR removes both. */
	t_sa_req(&t, SADB_X_DELPAIR, SADB_SATYPE_ESP, 0x5001, NULL, "10.2.0.1");
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	assert_int_equal(sa_count(), 0);

	/* DELPAIR_STATE: pairs in state ACTIVE_ELSEWHERE from 10.3.0.1 go. */
	t_add_gcm(&t, 0x6001, "10.3.0.2", "10.3.0.1", SADB_X_SAFLAGS_INBOUND);
	tm_hdr(&t)->sadb_msg_len = (uint16_t)(t.len / 8);
	((struct sadb_sa *)(void *)((uint8_t *)t.buf + 16))->sadb_sa_state = 4;
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	t_add_gcm(&t, 0x6002, "10.3.0.1", "10.3.0.2", SADB_X_SAFLAGS_OUTBOUND);
	((struct sadb_sa *)(void *)((uint8_t *)t.buf + 16))->sadb_sa_state = 4;
	tm_pair(&t, 0x6001);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	t_add_gcm(&t, 0x6003, "10.3.0.1", "10.3.0.9", 0); /* unpaired: stays */
	((struct sadb_sa *)(void *)((uint8_t *)t.buf + 16))->sadb_sa_state = 4;
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_int_equal(sa_count(), 3);
	tm_init(&t, SADB_X_DELPAIR_STATE, 0, t_seq++, T_PID);
	tm_sa(&t, 0, 0, SADB_X_SASTATE_ACTIVE_ELSEWHERE, 0, 0, 0);
	tm_addr4(&t, SADB_EXT_ADDRESS_SRC, "10.3.0.1", 0, 0);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	assert_int_equal(sa_count(), 1);
	close(fd);
}

static void spdadd_ipsec(struct tmsg *t, uint32_t prio)
{
	tm_init(t, SADB_X_DPSEC_SPDADD, 0, t_seq++, T_PID);
	tm_policy(t, 0, prio, SADB_X_DPSEC_DIR_OUT, SADB_X_DPSEC_ACTION_IPSEC,
		  SADB_X_DPSEC_MODE_TRANSPORT);
	tm_selector4(t, SADB_X_EXT_DPSEC_SELECTOR, "10.9.0.0", 16, "10.8.0.0", 16, 17, 53, 53);
	tm_sareq(t, SADB_SATYPE_ESP, 0, SADB_EALG_AES_GCM_16);
}

static void test_spd_and_inverse_acquire(void **state)
{
	struct tmsg t;
	const struct sadb_x_dpsec_policy *pol;
	uint32_t index;
	int fd = h_connect(&H), other = h_connect(&H), n, count = 0;

	(void)state;
	spdadd_ipsec(&t, 100);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_reply_valid(rbuf, n);
	pol = tm_find(rbuf, (size_t)n, SADB_X_EXT_DPSEC_POLICY);
	assert_non_null(pol);
	index = pol->sadb_x_pol_index;
	assert_true(index != 0);
	/* Other sockets hear of it. */
	n = t_recv_type(other, SADB_X_DPSEC_SPDADD, rbuf2, sizeof(rbuf2), T_TIMEOUT_MS);
	assert_true(n > 16);
	/* The same rule again: POLICY_EXISTS. */
	spdadd_ipsec(&t, 100);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_error(rbuf, n, &t, EEXIST, SADB_X_DIAGNOSTIC_DPSEC_POLICY_EXISTS);
	/* A bypass rule for everything at a worse priority. */
	tm_init(&t, SADB_X_DPSEC_SPDADD, 0, t_seq++, T_PID);
	tm_policy(&t, 0, 200, SADB_X_DPSEC_DIR_BOTH, SADB_X_DPSEC_ACTION_BYPASS, 0);
	tm_selector4(&t, SADB_X_EXT_DPSEC_SELECTOR, "0.0.0.0", 0, "0.0.0.0", 0, 0, 0, 65535);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_reply_valid(rbuf, n);
	/* SPDGET. */
	tm_init(&t, SADB_X_DPSEC_SPDGET, 0, t_seq++, T_PID);
	tm_policy(&t, index, 0, 0, 0, 0);
	((struct sadb_x_dpsec_policy *)tm_find(t.buf, t.len, SADB_X_EXT_DPSEC_POLICY))
		->sadb_x_pol_dir = SADB_X_DPSEC_DIR_OUT;
	((struct sadb_x_dpsec_policy *)tm_find(t.buf, t.len, SADB_X_EXT_DPSEC_POLICY))
		->sadb_x_pol_action = SADB_X_DPSEC_ACTION_BYPASS;
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_reply_valid(rbuf, n);
	assert_int_equal(((const struct sadb_x_dpsec_policy *)
				  tm_find(rbuf, (size_t)n, SADB_X_EXT_DPSEC_POLICY))->sadb_x_pol_priority,
			 100);
	assert_non_null(tm_find(rbuf, (size_t)n, SADB_X_EXT_DPSEC_SAREQ));
	/* SPDDUMP: two rules, then the marker. */
	tm_init(&t, SADB_X_DPSEC_SPDDUMP, 0, t_seq++, T_PID);
	assert_int_equal(pfk_client_send(fd, t.buf, t.len), 0);
	while ((n = t_recv_type(fd, SADB_X_DPSEC_SPDDUMP, rbuf, sizeof(rbuf), T_TIMEOUT_MS)) > 16)
		count++;
	assert_int_equal(n, 16);
	assert_int_equal(count, 2);

	/* INVERSE_ACQUIRE for a flow the IPSEC rule covers: EPROP with GCM. */
	tm_init(&t, SADB_X_INVERSE_ACQUIRE, SADB_SATYPE_ESP, t_seq++, T_PID);
	tm_addr4(&t, SADB_EXT_ADDRESS_SRC, "10.9.1.1", 1000, 17);
	tm_addr4(&t, SADB_EXT_ADDRESS_DST, "10.8.1.1", 53, 17);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_reply_valid(rbuf, n);
	assert_int_equal(t_hdr(rbuf)->sadb_msg_type, SADB_X_INVERSE_ACQUIRE);
	{
		const struct sadb_prop *ep = tm_find(rbuf, (size_t)n, SADB_X_EXT_EPROP);
		const struct sadb_x_ecomb *ec;
		const struct sadb_x_algdesc *ad;

		assert_non_null(ep);
		assert_int_equal(ep->sadb_x_prop_numecombs, 1);
		ec = (const void *)(ep + 1);
		assert_int_equal(ec->sadb_x_ecomb_numalgs, 1);
		ad = (const void *)(ec + 1);
		assert_int_equal(ad->sadb_x_algdesc_satype, SADB_SATYPE_ESP);
		assert_int_equal(ad->sadb_x_algdesc_algtype, SADB_X_ALGTYPE_CRYPT);
		assert_int_equal(ad->sadb_x_algdesc_alg, SADB_EALG_AES_GCM_16);
	}
	/* A flow only the bypass rule covers: no IPSEC rule, ENOENT. */
	tm_init(&t, SADB_X_INVERSE_ACQUIRE, SADB_SATYPE_ESP, t_seq++, T_PID);
	tm_addr4(&t, SADB_EXT_ADDRESS_SRC, "10.9.1.1", 1000, 6);
	tm_addr4(&t, SADB_EXT_ADDRESS_DST, "10.8.1.1", 80, 6);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_error(rbuf, n, &t, ENOENT, SADB_X_DIAGNOSTIC_DPSEC_POLICY_NOTFOUND);

	/* SPDDELETE, then SPDGET fails. */
	tm_init(&t, SADB_X_DPSEC_SPDDELETE, 0, t_seq++, T_PID);
	tm_policy(&t, index, 0, SADB_X_DPSEC_DIR_OUT, SADB_X_DPSEC_ACTION_BYPASS, 0);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_reply_valid(rbuf, n);
	tm_init(&t, SADB_X_DPSEC_SPDGET, 0, t_seq++, T_PID);
	tm_policy(&t, index, 0, SADB_X_DPSEC_DIR_OUT, SADB_X_DPSEC_ACTION_BYPASS, 0);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_error(rbuf, n, &t, ENOENT, SADB_X_DIAGNOSTIC_DPSEC_POLICY_NOTFOUND);
	assert_int_equal(h_stats(&H).policies, 1);
	tm_init(&t, SADB_X_DPSEC_SPDFLUSH, 0, t_seq++, T_PID);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_int_equal(n, 16);
	assert_int_equal(h_stats(&H).policies, 0);
	close(fd);
	close(other);
}

/* No packet path exists yet (issue 5), so the trap is raised the way the
 * worker will: the harness's registered test worker posts DP_EVENT_ACQUIRE
 * on the event ring. */
static void test_register_then_acquire(void **state)
{
	struct { struct dp_event ev; } pa;
	struct tmsg t;
	uint32_t index;
	int km = h_connect(&H), ah = h_connect(&H), n;

	(void)state;
	tm_init(&t, SADB_REGISTER, SADB_SATYPE_ESP, t_seq++, T_PID);
	n = t_request(km, &t, rbuf, sizeof(rbuf));
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	tm_init(&t, SADB_REGISTER, SADB_SATYPE_AH, t_seq++, T_PID);
	n = t_request(ah, &t, rbuf, sizeof(rbuf));
	spdadd_ipsec(&t, 10);
	n = t_request(km, &t, rbuf, sizeof(rbuf));
	index = ((const struct sadb_x_dpsec_policy *)tm_find(rbuf, (size_t)n,
							     SADB_X_EXT_DPSEC_POLICY))->sadb_x_pol_index;
	t_drain(km);
	t_drain(ah);
	memset(&pa, 0, sizeof(pa));
	pa.ev.type = DP_EVENT_ACQUIRE;
	pa.ev.policy = index;
	pa.ev.flow.family = AF_INET;
	pa.ev.flow.proto = 17;
	pa.ev.flow.sport = 4000;
	pa.ev.flow.dport = 53;
	inet_pton(AF_INET, "10.9.0.5", pa.ev.flow.src);
	inet_pton(AF_INET, "10.8.0.7", pa.ev.flow.dst);
	assert_int_equal(h_post(&H, &pa.ev), 0);
	n = t_recv_type(km, SADB_ACQUIRE, rbuf, sizeof(rbuf), T_TIMEOUT_MS);
	assert_reply_valid(rbuf, n);
	assert_int_equal(t_hdr(rbuf)->sadb_msg_satype, SADB_SATYPE_ESP);
	{
		const struct sadb_address *d = tm_find(rbuf, (size_t)n, SADB_EXT_ADDRESS_DST);
		const struct sockaddr_in *sin = (const void *)(d + 1);
		const struct sadb_prop *p = tm_find(rbuf, (size_t)n, SADB_EXT_PROPOSAL);
		const struct sadb_comb *c = (const void *)(p + 1);

		assert_non_null(d);
		assert_int_equal(sin->sin_addr.s_addr, inet_addr("10.8.0.7"));
		assert_int_equal(ntohs(sin->sin_port), 53);
		assert_int_equal(d->sadb_address_proto, 17);
		assert_non_null(p);
		assert_int_equal(c->sadb_comb_encrypt, SADB_EALG_AES_GCM_16);
		assert_int_equal(c->sadb_comb_auth, 0);
		assert_non_null(tm_find(rbuf, (size_t)n, SADB_X_EXT_EPROP));
	}
	/* The AH-only key manager is not asked for an ESP rule. */
	assert_true(t_quiet(ah, 200));
	/* The same flow again at once: rate-limited, nothing sent. */
	assert_int_equal(h_post(&H, &pa.ev), 0);
	assert_true(t_quiet(km, 300));
	assert_true(h_stats(&H).acquires_suppressed >= 1);
	close(km);
	close(ah);
}

/* A tunnel-mode rule: the ACQUIRE names the tunnel endpoints as SRC/DST
 * and the packet's addresses as the inner ones (seed 002). */
static void test_acquire_tunnel(void **state)
{
	struct dp_event ev;
	struct tmsg t;
	uint32_t index;
	int km = h_connect(&H), n;

	(void)state;
	tm_init(&t, SADB_REGISTER, SADB_SATYPE_ESP, t_seq++, T_PID);
	n = t_request(km, &t, rbuf, sizeof(rbuf));
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	tm_init(&t, SADB_X_DPSEC_SPDADD, 0, t_seq++, T_PID);
	tm_policy(&t, 0, 5, SADB_X_DPSEC_DIR_OUT, SADB_X_DPSEC_ACTION_IPSEC,
		  SADB_X_DPSEC_MODE_TUNNEL);
	tm_selector4(&t, SADB_X_EXT_DPSEC_SELECTOR, "192.0.2.1", 32, "192.0.2.2", 32, 0, 0,
		     65535);
	tm_selector4(&t, SADB_X_EXT_DPSEC_INNER_SELECTOR, "10.20.0.0", 16, "10.30.0.0", 16, 0, 0,
		     65535);
	tm_sareq(&t, SADB_SATYPE_ESP, SADB_AALG_SHA256HMAC, SADB_EALG_AES);
	tm_addr4(&t, SADB_EXT_ADDRESS_SRC, "192.0.2.1", 0, 0);
	tm_addr4(&t, SADB_EXT_ADDRESS_DST, "192.0.2.2", 0, 0);
	n = t_request(km, &t, rbuf, sizeof(rbuf));
	assert_reply_valid(rbuf, n);
	index = ((const struct sadb_x_dpsec_policy *)tm_find(rbuf, (size_t)n,
							     SADB_X_EXT_DPSEC_POLICY))->sadb_x_pol_index;
	t_drain(km);
	memset(&ev, 0, sizeof(ev));
	ev.type = DP_EVENT_ACQUIRE;
	ev.policy = index;
	ev.flow.family = AF_INET;
	ev.flow.proto = 6;
	ev.flow.sport = 40000;
	ev.flow.dport = 443;
	inet_pton(AF_INET, "10.20.1.1", ev.flow.src);
	inet_pton(AF_INET, "10.30.1.1", ev.flow.dst);
	assert_int_equal(h_post(&H, &ev), 0);
	n = t_recv_type(km, SADB_ACQUIRE, rbuf, sizeof(rbuf), T_TIMEOUT_MS);
	assert_reply_valid(rbuf, n);
	{
		static const struct {
			uint16_t type;
			const char *addr;
			uint16_t port;
		} want[] = {
			{ SADB_EXT_ADDRESS_SRC, "192.0.2.1", 0 },
			{ SADB_EXT_ADDRESS_DST, "192.0.2.2", 0 },
			{ SADB_X_EXT_ADDRESS_INNER_SRC, "10.20.1.1", 40000 },
			{ SADB_X_EXT_ADDRESS_INNER_DST, "10.30.1.1", 443 },
		};
		const struct sadb_prop *p = tm_find(rbuf, (size_t)n, SADB_EXT_PROPOSAL);
		const struct sadb_comb *c = (const void *)(p + 1);

		for (size_t i = 0; i < 4; i++) {
			const struct sadb_address *a = tm_find(rbuf, (size_t)n, want[i].type);
			const struct sockaddr_in *sin = (const void *)(a + 1);

			assert_non_null(a);
			assert_int_equal(sin->sin_addr.s_addr, inet_addr(want[i].addr));
			assert_int_equal(ntohs(sin->sin_port), want[i].port);
		}
		assert_non_null(p);
		assert_int_equal(c->sadb_comb_auth, SADB_AALG_SHA256HMAC);
		assert_int_equal(c->sadb_comb_encrypt, SADB_EALG_AES);
		assert_int_equal(c->sadb_comb_encrypt_minbits, 128);
	}
	close(km);
}

static void test_getspi_unique_under_load(void **state)
{
	enum { N = 2048, RANGE = 2048 };
	static uint8_t seen[RANGE];
	int fds[4], n;
	struct tmsg t;

	(void)state;
	memset(seen, 0, sizeof(seen));
	for (int i = 0; i < 4; i++)
		fds[i] = h_connect(&H);
	/* Four clients, pipelined: the whole range is handed out, each SPI once. */
	for (int i = 0; i < N; i += 64) {
		for (int j = 0; j < 64; j++) {
			tm_init(&t, SADB_GETSPI, SADB_SATYPE_ESP, t_seq++, T_PID);
			tm_addr4(&t, SADB_EXT_ADDRESS_SRC, "192.0.2.10", 0, 0);
			tm_addr4(&t, SADB_EXT_ADDRESS_DST, "192.0.2.20", 0, 0);
			tm_range(&t, 0x10000, 0x10000 + RANGE - 1);
			assert_int_equal(pfk_client_send(fds[j % 4], t.buf, t.len), 0);
		}
		for (int j = 0; j < 64; j++) {
			const struct sadb_sa *sa;
			uint32_t spi;

			n = t_recv_type(fds[j % 4], SADB_GETSPI, rbuf, sizeof(rbuf), T_TIMEOUT_MS);
			assert_int_equal(n, 80);
			assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
			sa = tm_find(rbuf, (size_t)n, SADB_EXT_SA);
			spi = ntohl(sa->sadb_sa_spi);
			assert_in_range(spi, 0x10000, 0x10000 + RANGE - 1);
			assert_int_equal(seen[spi - 0x10000], 0);
			seen[spi - 0x10000] = 1;
		}
	}
	assert_int_equal(h_stats(&H).larval, N);
	/* The range is used up: the next GETSPI fails and adds nothing. */
	tm_init(&t, SADB_GETSPI, SADB_SATYPE_ESP, t_seq++, T_PID);
	tm_addr4(&t, SADB_EXT_ADDRESS_SRC, "192.0.2.10", 0, 0);
	tm_addr4(&t, SADB_EXT_ADDRESS_DST, "192.0.2.20", 0, 0);
	tm_range(&t, 0x10000, 0x10000 + RANGE - 1);
	n = t_request(fds[0], &t, rbuf, sizeof(rbuf));
	assert_error(rbuf, n, &t, EEXIST, SADB_X_DIAGNOSTIC_DPSEC_NO_RESOURCES);
	assert_int_equal(sa_count(), N);
	for (int i = 0; i < 4; i++)
		close(fds[i]);
}

/* ------------------------------------------------------------------------ */
/* Bad requests: errno, diagnostic, and nothing changed.                     */

typedef void (*bad_fn)(struct tmsg *t);

static void bad_short(struct tmsg *t)
{
	tm_init(t, SADB_GET, SADB_SATYPE_ESP, t_seq++, T_PID);
	t->len = 8;
}
static void bad_version(struct tmsg *t)
{
	t_add_gcm(t, 0x7001, "10.5.0.1", "10.5.0.2", 0);
	tm_hdr(t)->sadb_msg_version = 1;
}
static void bad_msglen(struct tmsg *t)
{
	t_add_gcm(t, 0x7001, "10.5.0.1", "10.5.0.2", 0);
	tm_hdr(t)->sadb_msg_len++;
}
static void bad_type(struct tmsg *t)
{
	tm_init(t, 99, SADB_SATYPE_ESP, t_seq++, T_PID);
}
static void bad_expire_request(struct tmsg *t)
{
	tm_init(t, SADB_EXPIRE, SADB_SATYPE_ESP, t_seq++, T_PID);
}
static void bad_missing_sa(struct tmsg *t)
{
	tm_init(t, SADB_ADD, SADB_SATYPE_ESP, t_seq++, T_PID);
	tm_addr4(t, SADB_EXT_ADDRESS_SRC, "10.5.0.1", 0, 0);
	tm_addr4(t, SADB_EXT_ADDRESS_DST, "10.5.0.2", 0, 0);
}
static void bad_missing_dst(struct tmsg *t)
{
	tm_init(t, SADB_ADD, SADB_SATYPE_ESP, t_seq++, T_PID);
	tm_sa(t, 0x7001, 0, 1, 0, SADB_EALG_AES_GCM_16, 0);
	tm_addr4(t, SADB_EXT_ADDRESS_SRC, "10.5.0.1", 0, 0);
	tm_key(t, SADB_EXT_KEY_ENCRYPT, 160, 32, t_key);
}
static void bad_missing_ekey(struct tmsg *t)
{
	tm_init(t, SADB_ADD, SADB_SATYPE_ESP, t_seq++, T_PID);
	tm_sa(t, 0x7001, 0, 1, 0, SADB_EALG_AES_GCM_16, 0);
	tm_addr4(t, SADB_EXT_ADDRESS_SRC, "10.5.0.1", 0, 0);
	tm_addr4(t, SADB_EXT_ADDRESS_DST, "10.5.0.2", 0, 0);
}
static void bad_ekeybits(struct tmsg *t)
{
	tm_init(t, SADB_ADD, SADB_SATYPE_ESP, t_seq++, T_PID);
	tm_sa(t, 0x7001, 0, 1, 0, SADB_EALG_AES_GCM_16, 0);
	tm_addr4(t, SADB_EXT_ADDRESS_SRC, "10.5.0.1", 0, 0);
	tm_addr4(t, SADB_EXT_ADDRESS_DST, "10.5.0.2", 0, 0);
	tm_key(t, SADB_EXT_KEY_ENCRYPT, 136, 32, t_key); /* 104-bit AES */
}
static void bad_legacy_3des(struct tmsg *t)
{
	tm_init(t, SADB_ADD, SADB_SATYPE_ESP, t_seq++, T_PID);
	tm_sa(t, 0x7001, 0, 1, SADB_AALG_SHA1HMAC, SADB_EALG_3DESCBC, 0);
	tm_addr4(t, SADB_EXT_ADDRESS_SRC, "10.5.0.1", 0, 0);
	tm_addr4(t, SADB_EXT_ADDRESS_DST, "10.5.0.2", 0, 0);
	tm_key(t, SADB_EXT_KEY_AUTH, 160, 0, t_key);
	tm_key(t, SADB_EXT_KEY_ENCRYPT, 192, 0, t_key);
}
static void bad_legacy_md5(struct tmsg *t)
{
	tm_init(t, SADB_ADD, SADB_SATYPE_AH, t_seq++, T_PID);
	tm_sa(t, 0x7001, 0, 1, SADB_AALG_MD5HMAC, 0, 0);
	tm_addr4(t, SADB_EXT_ADDRESS_SRC, "10.5.0.1", 0, 0);
	tm_addr4(t, SADB_EXT_ADDRESS_DST, "10.5.0.2", 0, 0);
	tm_key(t, SADB_EXT_KEY_AUTH, 128, 0, t_key);
}
static void bad_state_dying(struct tmsg *t)
{
	t_add_gcm(t, 0x7001, "10.5.0.1", "10.5.0.2", 0);
	((struct sadb_sa *)(void *)((uint8_t *)t->buf + 16))->sadb_sa_state = SADB_SASTATE_DYING;
}
static void bad_both_directions(struct tmsg *t)
{
	t_add_gcm(t, 0x7001, "10.5.0.1", "10.5.0.2",
		  SADB_X_SAFLAGS_INBOUND | SADB_X_SAFLAGS_OUTBOUND);
}
static void bad_soft_above_hard(struct tmsg *t)
{
	t_add_gcm(t, 0x7001, "10.5.0.1", "10.5.0.2", 0);
	tm_lifetime(t, SADB_EXT_LIFETIME_HARD, 0, 100, 0, 0);
	tm_lifetime(t, SADB_EXT_LIFETIME_SOFT, 0, 200, 0, 0);
}
static void bad_lease_below_seq(struct tmsg *t)
{
	t_add_gcm(t, 0x7001, "10.5.0.1", "10.5.0.2", SADB_X_SAFLAGS_OUTBOUND);
	tm_replay_value(t, 500);
	tm_seq_lease(t, 400);
}
static void bad_lease_inbound(struct tmsg *t)
{
	t_add_gcm(t, 0x7001, "10.5.0.1", "10.5.0.2", SADB_X_SAFLAGS_INBOUND);
	tm_seq_lease(t, 400);
}
static void bad_replay_over_32(struct tmsg *t)
{
	t_add_gcm(t, 0x7001, "10.5.0.1", "10.5.0.2", SADB_X_SAFLAGS_INBOUND);
	tm_replay_value(t, 1ull << 33); /* no ESN */
}
static void bad_get_unknown(struct tmsg *t)
{
	t_sa_req(t, SADB_GET, SADB_SATYPE_ESP, 0x7777, NULL, "10.5.0.2");
}
static void bad_update_unknown(struct tmsg *t)
{
	t_sa_req(t, SADB_UPDATE, SADB_SATYPE_ESP, 0x7777, "10.5.0.1", "10.5.0.2");
}
static void bad_delete_wrong_src(struct tmsg *t)
{
	/* The SA 0x7100 exists (setup of the table) but from another source. */
	t_sa_req(t, SADB_DELETE, SADB_SATYPE_ESP, 0x7100, "10.5.0.99", "10.5.0.2");
}
static void bad_update_key_of_mature(struct tmsg *t)
{
	t_add_gcm(t, 0x7100, "10.5.0.1", "10.5.0.2", 0);
	tm_hdr(t)->sadb_msg_type = SADB_UPDATE;
}
static void bad_update_window_change(struct tmsg *t)
{
	t_sa_req(t, SADB_UPDATE, SADB_SATYPE_ESP, 0x7100, "10.5.0.1", "10.5.0.2");
	tm_replay_window(t, 4096, 0);
}
static void bad_getspi_no_range(struct tmsg *t)
{
	tm_init(t, SADB_GETSPI, SADB_SATYPE_ESP, t_seq++, T_PID);
	tm_addr4(t, SADB_EXT_ADDRESS_SRC, "10.5.0.1", 0, 0);
	tm_addr4(t, SADB_EXT_ADDRESS_DST, "10.5.0.2", 0, 0);
}
static void bad_satype_zero(struct tmsg *t)
{
	t_sa_req(t, SADB_GET, 0, 0x7100, NULL, "10.5.0.2");
}
static void bad_spd_missing_sareq(struct tmsg *t)
{
	tm_init(t, SADB_X_DPSEC_SPDADD, 0, t_seq++, T_PID);
	tm_policy(t, 0, 1, SADB_X_DPSEC_DIR_OUT, SADB_X_DPSEC_ACTION_IPSEC, 1);
	tm_selector4(t, SADB_X_EXT_DPSEC_SELECTOR, "10.0.0.0", 8, "10.0.0.0", 8, 0, 0, 65535);
}
static void bad_spddelete_unknown(struct tmsg *t)
{
	tm_init(t, SADB_X_DPSEC_SPDDELETE, 0, t_seq++, T_PID);
	tm_policy(t, 999999, 0, SADB_X_DPSEC_DIR_OUT, SADB_X_DPSEC_ACTION_BYPASS, 0);
}
static void bad_request_errno(struct tmsg *t)
{
	t_sa_req(t, SADB_GET, SADB_SATYPE_ESP, 0x7100, NULL, "10.5.0.2");
	tm_hdr(t)->sadb_msg_errno = EINVAL;
}
static void bad_updatepair_unpaired(struct tmsg *t)
{
	t_sa_req(t, SADB_X_UPDATEPAIR, SADB_SATYPE_ESP, 0x7100, "10.5.0.1", "10.5.0.2");
}

static const struct bad_case {
	const char *name;
	bad_fn make;
	int err;
	uint16_t diag;
} bad_cases[] = {
	{ "short", bad_short, EINVAL, SADB_X_DIAGNOSTIC_DPSEC_SHORT_MSG },
	{ "version", bad_version, EINVAL, SADB_X_DIAGNOSTIC_DPSEC_BAD_VERSION },
	{ "msglen", bad_msglen, EMSGSIZE, SADB_X_DIAGNOSTIC_DPSEC_BAD_MSGLEN },
	{ "type", bad_type, EOPNOTSUPP, SADB_X_DIAGNOSTIC_UNKNOWN_MSG },
	{ "expire request", bad_expire_request, EOPNOTSUPP, SADB_X_DIAGNOSTIC_UNKNOWN_MSG },
	{ "missing sa", bad_missing_sa, EINVAL, SADB_X_DIAGNOSTIC_MISSING_SA },
	{ "missing dst", bad_missing_dst, EINVAL, SADB_X_DIAGNOSTIC_MISSING_DST },
	{ "missing ekey", bad_missing_ekey, EINVAL, SADB_X_DIAGNOSTIC_MISSING_EKEY },
	{ "ekey bits", bad_ekeybits, EINVAL, SADB_X_DIAGNOSTIC_BAD_EKEYBITS },
	{ "3des", bad_legacy_3des, EINVAL, SADB_X_DIAGNOSTIC_ENCR_NOTSUPP },
	{ "md5", bad_legacy_md5, EINVAL, SADB_X_DIAGNOSTIC_BAD_AALG },
	{ "state dying", bad_state_dying, EINVAL, SADB_X_DIAGNOSTIC_BAD_SASTATE },
	{ "in+out", bad_both_directions, EINVAL, SADB_X_DIAGNOSTIC_BAD_SA_DIRECTION },
	{ "soft>hard", bad_soft_above_hard, EINVAL, SADB_X_DIAGNOSTIC_BYTES_HSERR },
	{ "lease<=seq", bad_lease_below_seq, EINVAL, SADB_X_DIAGNOSTIC_DPSEC_LEASE_BELOW_SEQ },
	{ "lease inbound", bad_lease_inbound, EINVAL, SADB_X_DIAGNOSTIC_BAD_SA_DIRECTION },
	{ "replay > 32 bit", bad_replay_over_32, EINVAL, SADB_X_DIAGNOSTIC_INVALID_REPLAY },
	{ "get unknown", bad_get_unknown, ESRCH, SADB_X_DIAGNOSTIC_SA_NOTFOUND },
	{ "update unknown", bad_update_unknown, ESRCH, SADB_X_DIAGNOSTIC_SA_NOTFOUND },
	{ "delete wrong src", bad_delete_wrong_src, ESRCH, SADB_X_DIAGNOSTIC_SA_NOTFOUND },
	{ "update keys", bad_update_key_of_mature, EINVAL, SADB_X_DIAGNOSTIC_EKEY_PRESENT },
	{ "update window", bad_update_window_change, EINVAL, SADB_X_DIAGNOSTIC_INVALID_REPLAY },
	{ "getspi no range", bad_getspi_no_range, EINVAL, SADB_X_DIAGNOSTIC_MISSING_RANGE },
	{ "satype 0", bad_satype_zero, EINVAL, SADB_X_DIAGNOSTIC_SATYPE_NEEDED },
	{ "spd no sareq", bad_spd_missing_sareq, EINVAL, SADB_X_DIAGNOSTIC_DPSEC_MISSING_SAREQ },
	{ "spddelete unknown", bad_spddelete_unknown, ENOENT,
	  SADB_X_DIAGNOSTIC_DPSEC_POLICY_NOTFOUND },
	{ "request errno", bad_request_errno, EINVAL, SADB_X_DIAGNOSTIC_DPSEC_REQUEST_ERRNO },
	{ "updatepair unpaired", bad_updatepair_unpaired, ESRCH,
	  SADB_X_DIAGNOSTIC_PAIR_SA_NOTFOUND },
};

static void test_bad_requests(void **state)
{
	struct tmsg t, get;
	int fd = h_connect(&H), n, before_len;
	struct ctl_stats st0, st1;

	(void)state;
	/* One SA the cases refer to; its GET reply is the state to keep. */
	t_add_gcm(&t, 0x7100, "10.5.0.1", "10.5.0.2", SADB_X_SAFLAGS_INBOUND);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	t_sa_req(&get, SADB_GET, SADB_SATYPE_ESP, 0x7100, NULL, "10.5.0.2");
	before_len = t_request(fd, &get, rbuf2, sizeof(rbuf2));
	assert_true(before_len > 16);
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		const struct sadb_msg *h = (const void *)rbuf;

		c->make(&t);
		st0 = h_stats(&H);
		assert_int_equal(pfk_client_send(fd, t.buf, t.len), 0);
		n = pfk_client_recv(fd, rbuf, sizeof(rbuf), T_TIMEOUT_MS);
		if (n != 16 || h->sadb_msg_errno != c->err || h->sadb_x_msg_diagnostic != c->diag)
			print_error("case '%s': n %d errno %u diag %#x\n", c->name, n,
				    h->sadb_msg_errno, h->sadb_x_msg_diagnostic);
		assert_int_equal(n, 16);
		assert_int_equal(h->sadb_msg_errno, c->err);
		assert_int_equal(h->sadb_x_msg_diagnostic, c->diag);
		assert_int_equal(h->sadb_msg_len, 2);
		/* Nothing changed: the same SAs, rules, and the same GET reply
		 * (but for the current lifetime's use time, still 0). */
		st1 = h_stats(&H);
		assert_int_equal(st1.sas, st0.sas);
		assert_int_equal(st1.policies, st0.policies);
		tm_hdr(&get)->sadb_msg_seq = t_seq++;
		n = t_request(fd, &get, rbuf, sizeof(rbuf));
		assert_int_equal(n, before_len);
		assert_memory_equal((uint8_t *)rbuf + 16, (uint8_t *)rbuf2 + 16, (size_t)n - 16);
	}
	close(fd);
}

/* Hostile input: valid requests with random bytes flipped after the
 * header.  Every one is answered (a reply or an error), the sanitizers see
 * no fault, and the server still serves afterwards. */
static void test_mutated_requests(void **state)
{
	struct tmsg t;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	int fd = h_connect(&H), n, answered = 0;

	(void)state;
	for (int i = 0; i < 3000; i++) {
		switch (i % 6) {
		case 0:
			t_add_gcm(&t, 0xa000 + (uint32_t)i, "10.7.0.1", "10.7.0.2", 0);
			tm_lifetime(&t, SADB_EXT_LIFETIME_SOFT, 1, 100, 10, 10);
			tm_replay_value(&t, 5);
			break;
		case 1:
			t_add_cbc(&t, 0xa000 + (uint32_t)i, "10.7.0.1", "10.7.0.2",
				  SADB_X_SAFLAGS_OUTBOUND);
			tm_seq_lease(&t, 100000);
			tm_pair(&t, 0xa000 + (uint32_t)i - 1);
			break;
		case 2:
			t_sa_req(&t, SADB_UPDATE, SADB_SATYPE_ESP, 0xa000 + (uint32_t)i - 2,
				 "10.7.0.1", "10.7.0.2");
			tm_replay_value(&t, 77);
			tm_lifetime(&t, SADB_EXT_LIFETIME_HARD, 0, 0, 1000, 0);
			break;
		case 3:
			spdadd_ipsec(&t, (uint32_t)i);
			break;
		case 4:
			tm_init(&t, SADB_GETSPI, SADB_SATYPE_ESP, t_seq++, T_PID);
			tm_addr4(&t, SADB_EXT_ADDRESS_SRC, "10.7.0.1", 0, 0);
			tm_addr4(&t, SADB_EXT_ADDRESS_DST, "10.7.0.2", 0, 0);
			tm_range(&t, 0x1000, 0x8000);
			break;
		default:
			tm_init(&t, SADB_X_INVERSE_ACQUIRE, SADB_SATYPE_ESP, t_seq++, T_PID);
			tm_addr4(&t, SADB_EXT_ADDRESS_SRC, "10.9.1.1", 1000, 17);
			tm_addr4(&t, SADB_EXT_ADDRESS_DST, "10.8.1.1", 53, 17);
			break;
		}
		for (int k = 0; k < 1 + i % 4; k++) {
			size_t pos;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			pos = 16 + (size_t)(x % (t.len - 16));
			((uint8_t *)t.buf)[pos] ^= (uint8_t)(x >> 32) | 1u;
		}
		assert_int_equal(pfk_client_send(fd, t.buf, t.len), 0);
		n = pfk_client_recv(fd, rbuf, sizeof(rbuf), T_TIMEOUT_MS);
		assert_true(n >= 16);
		answered++;
		while (!t_quiet(fd, 0))
			assert_true(pfk_client_recv(fd, rbuf, sizeof(rbuf), 0) > 0);
	}
	assert_int_equal(answered, 3000);
	t_sa_req(&t, SADB_GET, SADB_SATYPE_ESP, 0x1, NULL, "10.7.0.2");
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_int_equal(n, 16);
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, ESRCH);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_getspi_update_get, setup),
		cmocka_unit_test_setup(test_add_broadcast_promisc, setup),
		cmocka_unit_test_setup(test_update_cluster_states_replay, setup),
		cmocka_unit_test_setup(test_register, setup),
		cmocka_unit_test_setup(test_dump_edump_flush, setup),
		cmocka_unit_test_setup(test_pairs, setup),
		cmocka_unit_test_setup(test_spd_and_inverse_acquire, setup),
		cmocka_unit_test_setup(test_register_then_acquire, setup),
		cmocka_unit_test_setup(test_acquire_tunnel, setup),
		cmocka_unit_test_setup(test_getspi_unique_under_load, setup),
		cmocka_unit_test_setup(test_bad_requests, setup),
		cmocka_unit_test_setup(test_mutated_requests, setup),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
