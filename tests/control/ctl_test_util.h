/* SPDX-License-Identifier: BSD-2-Clause */
/* ctl_test_util.h: client-side helpers shared by the control tests. */
#ifndef CTL_TEST_UTIL_H
#define CTL_TEST_UTIL_H

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>

#include "ctl_test_msg.h"
#include "dpsec/pfkey.h"

#define T_TIMEOUT_MS 3000
#define T_PID 4242u

static const uint8_t t_key[64] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
	0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c,
	0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a,
	0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38,
	0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40,
};

static uint32_t t_seq = 1;

/* Send and wait for the reply (type, seq, pid echoed). */
static inline int t_request(int fd, struct tmsg *t, void *reply, size_t cap)
{
	return pfk_client_request(fd, t->buf, t->len, reply, cap, T_TIMEOUT_MS, NULL, NULL);
}

/* Receive until a message of `type` arrives (others dropped). */
static inline int t_recv_type(int fd, uint8_t type, void *buf, size_t cap, int timeout_ms)
{
	for (;;) {
		int n = pfk_client_recv(fd, buf, cap, timeout_ms);

		if (n <= 0)
			return n == 0 ? -ECONNRESET : n;
		if ((size_t)n >= 16 && ((const struct sadb_msg *)buf)->sadb_msg_type == type)
			return n;
	}
}

/* Nothing waiting on fd within timeout_ms? */
static inline bool t_quiet(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 0;
}

static inline void t_drain(int fd)
{
	uint64_t buf[8192];

	while (!t_quiet(fd, 20))
		if (pfk_client_recv(fd, buf, sizeof(buf), 0) <= 0)
			break;
}

/* An ESP AES-GCM-16/128 ADD (key bits 160: 128 + 32 salt). */
static inline void t_add_gcm(struct tmsg *t, uint32_t spi, const char *src, const char *dst,
	uint32_t flags)
{
	tm_init(t, SADB_ADD, SADB_SATYPE_ESP, t_seq++, T_PID);
	tm_sa(t, spi, 32, SADB_SASTATE_MATURE, SADB_AALG_NONE, SADB_EALG_AES_GCM_16, flags);
	tm_addr4(t, SADB_EXT_ADDRESS_SRC, src, 0, 0);
	tm_addr4(t, SADB_EXT_ADDRESS_DST, dst, 0, 0);
	tm_key(t, SADB_EXT_KEY_ENCRYPT, 160, 32, t_key);
}

/* An ESP AES-CBC-128 + HMAC-SHA-256 ADD. */
static inline void t_add_cbc(struct tmsg *t, uint32_t spi, const char *src, const char *dst,
	uint32_t flags)
{
	tm_init(t, SADB_ADD, SADB_SATYPE_ESP, t_seq++, T_PID);
	tm_sa(t, spi, 32, SADB_SASTATE_MATURE, SADB_AALG_SHA256HMAC, SADB_EALG_AES, flags);
	tm_addr4(t, SADB_EXT_ADDRESS_SRC, src, 0, 0);
	tm_addr4(t, SADB_EXT_ADDRESS_DST, dst, 0, 0);
	tm_key(t, SADB_EXT_KEY_AUTH, 256, 0, t_key);
	tm_key(t, SADB_EXT_KEY_ENCRYPT, 128, 0, t_key + 32);
}

/* GET/DELETE-shaped request. */
static inline void t_sa_req(struct tmsg *t, uint8_t type, uint8_t satype, uint32_t spi,
	const char *src, const char *dst)
{
	tm_init(t, type, satype, t_seq++, T_PID);
	tm_sa(t, spi, 0, 0, 0, 0, 0);
	if (src != NULL)
		tm_addr4(t, SADB_EXT_ADDRESS_SRC, src, 0, 0);
	tm_addr4(t, SADB_EXT_ADDRESS_DST, dst, 0, 0);
}

static inline const struct sadb_msg *t_hdr(const void *buf)
{
	return (const struct sadb_msg *)buf;
}

#endif /* CTL_TEST_UTIL_H */
