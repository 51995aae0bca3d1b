/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dpsecd_load.h: the files dpsecd loads at start -- SAs in ipseckey -f
 * syntax and policies in ipsecconf -a syntax -- through the same grammar
 * libraries as the tools (cli/), submitted to the control module as a
 * privileged local client (ctl_submit).
 */
#ifndef DPSECD_LOAD_H
#define DPSECD_LOAD_H

struct ctl;

/* Load one ipseckey file.  Each bad line or refused request is printed to
 * stderr as "<file>:<line>: <reason>".  Returns 0, or -EINVAL when some
 * command failed (the others are applied), or -errno for I/O.
 * With ctl NULL nothing is submitted: every line is parsed and each request
 * validated by the codec (dpsecd --check-config). */
int dpsecd_load_sa_file(struct ctl *ctl, const char *path);

/* Load one ipsecconf file: all rules or none are parsed; each is added in
 * order.  Same reporting and return values, and the same check-only mode
 * with ctl NULL. */
int dpsecd_load_policy_file(struct ctl *ctl, const char *path);

#endif /* DPSECD_LOAD_H */
