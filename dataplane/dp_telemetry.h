/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_telemetry.h: DPDK telemetry commands for dpsec (docs/TELEMETRY.md),
 * for the dataplane's own files and tests.  The public switch is
 * dp_telemetry_enable()/dp_telemetry_disable() in dpsec/dp.h.
 *
 * Threads: the command handlers run on DPDK's telemetry threads (one per
 * connected client, so several at once).  A process-wide mutex serialises
 * them; inside it the handler is the RCU reader with thread id
 * DP_CTX_RCU_TELEMETRY(ctx) of the context's QSBR variable: online for the
 * length of one command, offline after.  So an SA, a policy set or a port
 * record it reaches cannot be freed under it, and CONTROL's waits for a
 * grace period last at most one command.  It only reads what the data
 * structures already publish for lock-free readers (acquire loads,
 * relaxed counter loads); it never calls a CONTROL-only function.
 * docs/DATAPLANE.md "Telemetry" has the reasoning.
 */
#ifndef DP_TELEMETRY_H
#define DP_TELEMETRY_H

#include "dpsec/dp.h"

struct rte_tel_data;

/* A command handler as DPDK calls it (telemetry_cb): 0 and *d filled, or
 * -errno (DPDK answers {"<cmd>": null}): -ENODEV when no context is
 * enabled, -EINVAL for a bad parameter, -ENOENT for an unknown SA. */
typedef int (*dp_telemetry_cb)(const char *cmd, const char *params, struct rte_tel_data *d);

/* The handler registered for cmd ("/dpsec/info"), NULL for an unknown
 * command.  ANY.  Tests call handlers directly through it. */
dp_telemetry_cb dp_telemetry_handler(const char *cmd);

/* Number of commands and the name of command i (NULL past the end).  ANY. */
unsigned int dp_telemetry_command_count(void);
const char *dp_telemetry_command_name(unsigned int i);

/* Parse a /dpsec/sa/stats parameter: a number below 2^32 is an SPI (host
 * order, decimal or 0x hex), anything above a handle (handles carry a
 * generation >= 1 in their high 32 bits, so the two never overlap).
 * 0 or -EINVAL.  Pure. */
int dp_telemetry_parse_sa_key(const char *params, uint64_t *value, bool *is_handle);

#endif /* DP_TELEMETRY_H */
