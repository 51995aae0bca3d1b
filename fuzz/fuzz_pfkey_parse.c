/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_pfkey_parse.c: libFuzzer target for the PF_KEY codec's input side.
 *
 * Every input goes through pfk_parse() and pfk_check() in both directions.
 * When a message is accepted, the typed view must describe only bytes of
 * the input, the keyless copy for listeners must parse again and carry no
 * key, and an error reply built from the header must parse as a reply.
 * A broken invariant abort()s: that is the finding.  The input is copied
 * into a heap block of exactly its size so that ASan sees any overread.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dpsec/pfkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) \
			abort(); \
	} while (0)

/* Does [p, p + n) lie inside [base, base + len)? */
static int inside(const void *base, size_t len, const void *p, size_t n)
{
	uintptr_t b = (uintptr_t)base, q = (uintptr_t)p;

	return q >= b && q - b <= len && n <= len - (q - b);
}

/* ext must be the extension in slot `slot`, whole, inside the message. */
static void check_ext(const struct pfk_msg *m, const void *ext, int slot)
{
	const struct sadb_ext *e = ext;

	if (ext == NULL) {
		FUZZ_CHECK(m->ext[slot] == NULL);
		return;
	}
	FUZZ_CHECK(m->ext[slot] == ext);
	FUZZ_CHECK(((uintptr_t)ext & 7u) == 0);
	FUZZ_CHECK(inside(m->hdr, m->len, e, sizeof(*e)));
	FUZZ_CHECK(e->sadb_ext_len != 0);
	FUZZ_CHECK(inside(m->hdr, m->len, e, (size_t)e->sadb_ext_len * 8u));
	FUZZ_CHECK(pfk_ext_slot(e->sadb_ext_type) == slot);
}

static void check_view(const struct pfk_msg *m, const void *buf, size_t len)
{
	const struct sadb_x_dpsec_sareq *r;
	unsigned n = 0;

	FUZZ_CHECK((const void *)m->hdr == buf);
	FUZZ_CHECK(m->len == len);
	FUZZ_CHECK(m->len == (size_t)m->hdr->sadb_msg_len * 8u);

	for (int slot = 1; slot < PFK_SLOT_COUNT; slot++) {
		FUZZ_CHECK(pfk_has(m, slot) == (m->ext[slot] != NULL));
		if (m->ext[slot] != NULL)
			check_ext(m, m->ext[slot], slot);
	}
	FUZZ_CHECK((m->present & 1u) == 0);
	FUZZ_CHECK(m->present >> PFK_SLOT_COUNT == 0);

	check_ext(m, m->sa, pfk_ext_slot(SADB_EXT_SA));
	check_ext(m, m->src, pfk_ext_slot(SADB_EXT_ADDRESS_SRC));
	check_ext(m, m->dst, pfk_ext_slot(SADB_EXT_ADDRESS_DST));
	check_ext(m, m->inner_src, pfk_ext_slot(SADB_X_EXT_ADDRESS_INNER_SRC));
	check_ext(m, m->inner_dst, pfk_ext_slot(SADB_X_EXT_ADDRESS_INNER_DST));
	check_ext(m, m->natt_loc, pfk_ext_slot(SADB_X_EXT_ADDRESS_NATT_LOC));
	check_ext(m, m->natt_rem, pfk_ext_slot(SADB_X_EXT_ADDRESS_NATT_REM));
	check_ext(m, m->akey, pfk_ext_slot(SADB_EXT_KEY_AUTH));
	check_ext(m, m->ekey, pfk_ext_slot(SADB_EXT_KEY_ENCRYPT));
	check_ext(m, m->lt_current, pfk_ext_slot(SADB_EXT_LIFETIME_CURRENT));
	check_ext(m, m->lt_hard, pfk_ext_slot(SADB_EXT_LIFETIME_HARD));
	check_ext(m, m->lt_soft, pfk_ext_slot(SADB_EXT_LIFETIME_SOFT));
	check_ext(m, m->lt_idle, pfk_ext_slot(SADB_X_EXT_LIFETIME_IDLE));
	check_ext(m, m->spirange, pfk_ext_slot(SADB_EXT_SPIRANGE));
	check_ext(m, m->pair, pfk_ext_slot(SADB_X_EXT_PAIR));
	check_ext(m, m->replay_value, pfk_ext_slot(SADB_X_EXT_REPLAY_VALUE));
	check_ext(m, m->edump, pfk_ext_slot(SADB_X_EXT_EDUMP));
	check_ext(m, m->kmc, pfk_ext_slot(SADB_X_EXT_KM_COOKIE));
	check_ext(m, m->replay_window, PFK_SLOT_REPLAY_WINDOW);
	check_ext(m, m->seq_lease, PFK_SLOT_SEQ_LEASE);
	check_ext(m, m->policy, PFK_SLOT_POLICY);
	check_ext(m, m->selector, PFK_SLOT_SELECTOR);
	check_ext(m, m->inner_selector, PFK_SLOT_INNER_SELECTOR);
	check_ext(m, m->sareq, PFK_SLOT_SAREQ);

	/* Fixed-size bodies must fit in the extension that holds them. */
	if (m->sa != NULL)
		FUZZ_CHECK(m->sa->sadb_sa_len * 8u >= sizeof(*m->sa));
	if (m->lt_hard != NULL)
		FUZZ_CHECK(m->lt_hard->sadb_lifetime_len * 8u >= sizeof(*m->lt_hard));
	if (m->replay_value != NULL)
		FUZZ_CHECK(m->replay_value->sadb_x_rc_len * 8u >= sizeof(*m->replay_value));
	if (m->selector != NULL)
		FUZZ_CHECK(m->selector->sadb_x_sel_len * 8u >= sizeof(*m->selector));
	if (m->akey != NULL)
		FUZZ_CHECK(m->akey->sadb_key_len * 8u >=
			   sizeof(*m->akey) + (m->akey->sadb_key_bits + 7u) / 8u);
	if (m->ekey != NULL)
		FUZZ_CHECK(m->ekey->sadb_key_len * 8u >=
			   sizeof(*m->ekey) + (m->ekey->sadb_key_bits + 7u) / 8u);

	/* Repeated SAREQs: the iterator visits exactly sareq_count of them,
	 * each whole and inside the message. */
	for (r = pfk_next_sareq(m, NULL); r != NULL; r = pfk_next_sareq(m, r)) {
		FUZZ_CHECK(inside(m->hdr, m->len, r, sizeof(*r)));
		FUZZ_CHECK(r->sadb_x_req_exttype == SADB_X_EXT_DPSEC_SAREQ);
		FUZZ_CHECK(++n <= m->sareq_count);
	}
	FUZZ_CHECK(n == m->sareq_count);
	FUZZ_CHECK((m->sareq_count != 0) == pfk_has(m, PFK_SLOT_SAREQ));
}

/* The listeners' copy: parses, no key slot, shorter by the keys exactly.
 * It is what the gateway sends as a reply or broadcast, so it must be a
 * valid reply whenever the original was one, or was an accepted ADD or
 * UPDATE request (whose key-free copy goes to the listeners). */
static void check_copy_without_keys(const struct pfk_msg *m, bool must_be_reply)
{
	static uint64_t out[PFK_MSG_MAX / 8];
	struct pfk_msg c;
	uint16_t diag = 0;
	size_t keys = 0;
	int n;

	if (m->akey != NULL)
		keys += m->akey->sadb_key_len * 8u;
	if (m->ekey != NULL)
		keys += m->ekey->sadb_key_len * 8u;

	n = pfk_copy_without_keys(m, out, sizeof(out));
	FUZZ_CHECK(n > 0);
	FUZZ_CHECK((size_t)n == m->len - keys);
	FUZZ_CHECK(pfk_parse(out, (size_t)n, &c, &diag) == 0);
	FUZZ_CHECK(c.akey == NULL && c.ekey == NULL);
	FUZZ_CHECK(!pfk_has(&c, pfk_ext_slot(SADB_EXT_KEY_AUTH)));
	FUZZ_CHECK(!pfk_has(&c, pfk_ext_slot(SADB_EXT_KEY_ENCRYPT)));
	FUZZ_CHECK((c.present | (m->present & ((1ull << pfk_ext_slot(SADB_EXT_KEY_AUTH)) |
					       (1ull << pfk_ext_slot(SADB_EXT_KEY_ENCRYPT)))))
		   == m->present);
	FUZZ_CHECK(c.hdr->sadb_msg_type == m->hdr->sadb_msg_type);
	FUZZ_CHECK(c.hdr->sadb_msg_seq == m->hdr->sadb_msg_seq);
	FUZZ_CHECK(c.hdr->sadb_msg_pid == m->hdr->sadb_msg_pid);

	if (must_be_reply) {
		struct pfk_msg r;

		FUZZ_CHECK(pfk_validate(out, (size_t)n, PFK_DIR_REPLY, &r, &diag) == 0);
	}

	/* Too small a buffer is refused, never overrun. */
	if (n > 16)
		FUZZ_CHECK(pfk_copy_without_keys(m, out, (size_t)n - 8) == -ENOSPC);
}

/* The error reply to an accepted request: 16 bytes that parse as a reply
 * with the request's type, seq and pid. */
static void check_error_reply(const struct pfk_msg *m, uint16_t diag)
{
	uint64_t out[2];
	struct pfk_msg e;
	uint16_t d = 0;
	int n;

	n = pfk_build_error(m->hdr, EINVAL, diag, out, sizeof(out));
	FUZZ_CHECK(n == 16);
	FUZZ_CHECK(pfk_validate(out, 16, PFK_DIR_REPLY, &e, &d) == 0);
	FUZZ_CHECK(e.hdr->sadb_msg_errno == EINVAL);
	FUZZ_CHECK(e.hdr->sadb_x_msg_diagnostic == diag);
	FUZZ_CHECK(e.hdr->sadb_msg_len == 2);
	FUZZ_CHECK(e.hdr->sadb_msg_type == m->hdr->sadb_msg_type);
	FUZZ_CHECK(e.hdr->sadb_msg_seq == m->hdr->sadb_msg_seq);
	FUZZ_CHECK(e.hdr->sadb_msg_pid == m->hdr->sadb_msg_pid);
	FUZZ_CHECK(e.present == 0);
	FUZZ_CHECK(pfk_build_error(m->hdr, EINVAL, diag, out, 15) == -ENOSPC);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pfk_msg m;
	uint16_t diag = 0;
	uint8_t *buf;
	int rc, ok_req, ok_rep;

	/* malloc() is 16-byte aligned; exactly `size` bytes so ASan sees any
	 * read past the input. */
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	if (size)
		memcpy(buf, data, size);

	rc = pfk_parse(buf, size, &m, &diag);
	if (rc != 0) {
		FUZZ_CHECK(rc < 0);
		FUZZ_CHECK(diag != SADB_X_DIAGNOSTIC_NONE);
		goto out;
	}
	check_view(&m, buf, size);

	diag = 0;
	ok_req = pfk_check(&m, PFK_DIR_REQUEST, &diag) == 0;
	if (!ok_req)
		FUZZ_CHECK(diag != SADB_X_DIAGNOSTIC_NONE);
	diag = 0;
	ok_rep = pfk_check(&m, PFK_DIR_REPLY, &diag) == 0;
	if (!ok_rep)
		FUZZ_CHECK(diag != SADB_X_DIAGNOSTIC_NONE);

	check_copy_without_keys(&m, ok_rep || (ok_req && (m.hdr->sadb_msg_type == SADB_ADD ||
							  m.hdr->sadb_msg_type == SADB_UPDATE)));
	if (ok_req)
		check_error_reply(&m, SADB_X_DIAGNOSTIC_SA_NOTFOUND);

	/* The buffer is never written: parse again gives the same view. */
	{
		struct pfk_msg again;

		FUZZ_CHECK(memcmp(buf, data, size) == 0);
		FUZZ_CHECK(pfk_parse(buf, size, &again, &diag) == 0);
		FUZZ_CHECK(again.present == m.present && again.len == m.len);
		FUZZ_CHECK(again.sareq_count == m.sareq_count);
		FUZZ_CHECK(memcmp(again.ext, m.ext, sizeof(m.ext)) == 0);
	}
out:
	free(buf);
	return 0;
}
