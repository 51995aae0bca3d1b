/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_config: the dpsecd.yaml loader (control/ctl_config.h).
 *
 *   - a table of bad configs, each with its exact first message (file, line,
 *     column, field path, expectation, value) and its message count;
 *   - several errors in one file all reported, and the cap on messages;
 *   - good configs: defaults, every key with the values it produced, every
 *     docs/examples/ (each .yaml);
 *   - relations re-checked after the program edits a loaded config;
 *   - CTL_CONFIG_CHECK_HOST (files readable, group exists);
 *   - the EAL argument vector.
 * Every test runs in a fresh temporary directory holding dpsecd.yaml, so the
 * messages name "dpsecd.yaml".  ASan checks that a failed load frees all.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl_config.h"
#include "dpsec/dp.h"

/* The loader keeps its own copies of the dataplane's limits and numbers. */
_Static_assert((int)CTL_ENGINE_IPSEC_MB == (int)DP_ENGINE_IPSEC_MB, "engine numbers");
_Static_assert((int)CTL_ENGINE_CRYPTODEV == (int)DP_ENGINE_CRYPTODEV, "engine numbers");
_Static_assert(CTL_CONFIG_WORKERS_MAX == DP_WORKERS_MAX, "workers");
_Static_assert(CTL_CONFIG_SAS_MAX == DP_SA_MAX, "SAs");
_Static_assert(CTL_CONFIG_DEVNAME_MAX >= DP_DEVNAME_MAX, "cryptodev names fit dp_config");

#define FILE_NAME "dpsecd.yaml"

static char tmpdir[64];
static struct ctl_config poison; /* what *out holds before a failed load */
static char oldcwd[4096];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dpsec-config-XXXXXX");
	if (getcwd(oldcwd, sizeof(oldcwd)) == NULL || mkdtemp(tmpdir) == NULL ||
	    chdir(tmpdir) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	DIR *d;
	struct dirent *e;

	(void)state;
	d = opendir(".");
	while (d != NULL && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			unlink(e->d_name);
	if (d != NULL)
		closedir(d);
	if (chdir(oldcwd) != 0 || rmdir(tmpdir) != 0)
		return -1;
	return 0;
}

static void write_file(const char *name, const char *text)
{
	FILE *f = fopen(name, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

/* Load text as dpsecd.yaml. */
static int load_text(const char *text, unsigned int flags, struct ctl_config **cfg,
		     struct ctl_config_errors *errs)
{
	write_file(FILE_NAME, text);
	ctl_config_errors_init(errs);
	return ctl_config_load(FILE_NAME, flags, cfg, errs);
}

static void print_errors(const struct ctl_config_errors *errs)
{
	for (unsigned int i = 0; i < errs->count; i++)
		print_message("  %s\n", errs->msg[i]);
}

static struct ctl_config *load_good(const char *text)
{
	struct ctl_config_errors errs;
	struct ctl_config *cfg = NULL;
	int rc = load_text(text, 0, &cfg, &errs);

	if (rc != 0)
		print_errors(&errs);
	assert_int_equal(rc, 0);
	assert_int_equal(errs.count, 0);
	assert_non_null(cfg);
	return cfg;
}

/* A well-formed gateway to build bad variants from. */
#define PORTS_OK                                                               \
	"ports:\n"                                                             \
	"  - name: inside\n"                                                   \
	"    device: net_null0\n"                                              \
	"    role: protected\n"                                                \
	"    addresses: [192.0.2.1/24]\n"                                      \
	"  - name: outside\n"                                                  \
	"    device: net_null1\n"                                              \
	"    role: unprotected\n"                                              \
	"    addresses: [203.0.113.1/24, 2001:db8::1/64]\n"

/* ------------------------------------------------------------------------ */
/* Bad configs.                                                              */

struct bad_case {
	const char *name;
	const char *text;
	unsigned int count;   /* messages expected */
	const char *first;    /* the first message, exactly */
};

static const struct bad_case bad_cases[] = {
	{ "empty file", "", 1,
	  "dpsecd.yaml:1:1: (document): expected a mapping of sections, got an empty file" },
	{ "only a comment", "# nothing here\n", 1,
	  "dpsecd.yaml:1:1: (document): expected a mapping of sections, got an empty file" },
	{ "top level not a mapping", "- eal\n", 1,
	  "dpsecd.yaml:1:1: (document): expected a mapping of sections, got a list" },
	{ "yaml syntax error", "ports:\n  - name: a\n   device: x\n", 1,
	  "dpsecd.yaml:3:4: (yaml): expected valid YAML, got 'did not find expected '-' "
	  "indicator while parsing a block collection'" },
	{ "tab indentation", "eal:\n\tno_huge: true\n", 1,
	  "dpsecd.yaml:2:1: (yaml): expected spaces for indentation, got '\\t'" },
	{ "unclosed flow", "eal: {no_huge: true\n", 1,
	  "dpsecd.yaml:2:1: (yaml): expected valid YAML, got 'did not find expected ',' or '}' "
	  "while parsing a flow mapping'" },
	{ "two documents", "eal: {}\n---\neal: {}\n", 1,
	  "dpsecd.yaml:2:1: (document): expected one document, got a second one" },
	{ "deep nesting", "eal: [[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]\n", 1,
	  "dpsecd.yaml:1:21: (yaml): expected at most 16 levels of nesting, got more" },
	{ "alias", "eal: {no_huge: &t true}\ntelemetry: {enabled: *t}\n", 2,
	  "dpsecd.yaml:1:16: (yaml): expected no anchors, got '&t'" },
	{ "duplicate crypto device",
	  "crypto:\n  devices: [crypto_null0, 'crypto_null0,max_nb_sessions=8']\n", 1,
	  "dpsecd.yaml:2:27: crypto.devices[1]: expected each device once, got 'crypto_null0' "
	  "again" },
	{ "duplicate cluster peer",
	  "cluster:\n  node_id: 1\n  peers:\n    - {id: 2, address: 192.0.2.2}\n"
	  "    - {id: 2, address: 192.0.2.3}\n", 1,
	  "dpsecd.yaml:5:12: cluster.peers[1].id: expected an id no other peer has, got '2'" },
	{ "anchor", "eal: &e {no_huge: true}\n", 1,
	  "dpsecd.yaml:1:6: (yaml): expected no anchors, got '&e'" },
	{ "unknown top-level key", "eal: {}\nneighbors: []\n", 1,
	  "dpsecd.yaml:2:1: neighbors: unknown key, expected one of eal, workers, crypto, "
	  "socket, ports, routes, neighbours, telemetry, cluster, sa, policy, sequence_lease, "
	  "limits, exit_when_idle_ms, got 'neighbors'" },
	{ "unknown nested key", "eal:\n  no_hugepages: true\n", 1,
	  "dpsecd.yaml:2:3: eal.no_hugepages: unknown key, expected one of lcores, main_lcore, "
	  "memory_mb, file_prefix, no_huge, no_pci, log_level, vdevs, args, thp, "
	  "got 'no_hugepages'" },
	{ "duplicate key", "eal:\n  no_huge: true\n  no_huge: false\n", 1,
	  "dpsecd.yaml:3:3: eal.no_huge: expected each key once, got 'no_huge' again" },
	{ "section of wrong type", "workers: 4\n", 1,
	  "dpsecd.yaml:1:10: workers: expected a mapping, got '4'" },
	{ "empty section", "telemetry:\n", 1,
	  "dpsecd.yaml:1:11: telemetry: expected a mapping, got ''" },
	{ "bool wrong", "eal:\n  no_huge: yes\n", 1,
	  "dpsecd.yaml:2:12: eal.no_huge: expected true or false, got 'yes'" },
	{ "thp not a bool", "eal:\n  thp: 1\n", 1,
	  "dpsecd.yaml:2:8: eal.thp: expected true or false, got '1'" },
	{ "number not a number", "workers:\n  count: two\n", 1,
	  "dpsecd.yaml:2:10: workers.count: expected an integer from 1 to 64, got 'two'" },
	{ "number out of range", "workers:\n  count: 65\n", 1,
	  "dpsecd.yaml:2:10: workers.count: expected an integer from 1 to 64, got '65'" },
	{ "negative number", "eal:\n  memory_mb: -512\n", 1,
	  "dpsecd.yaml:2:14: eal.memory_mb: expected an integer from 1 to 1048576, got '-512'" },
	{ "number overflowing 64 bits", "sequence_lease:\n  size: 99999999999999999999999\n", 1,
	  "dpsecd.yaml:2:9: sequence_lease.size: expected an integer from 1024 to 4294967296, "
	  "got '99999999999999999999999'" },
	{ "scalar where a list belongs", "eal:\n  vdevs: net_null0\n", 1,
	  "dpsecd.yaml:2:10: eal.vdevs: expected a list of a DPDK device (a PCI address or a "
	  "driver name, then ,key=value arguments), got 'net_null0'" },
	{ "mapping where a scalar belongs", "socket:\n  path: {a: b}\n", 1,
	  "dpsecd.yaml:2:9: socket.path: expected a socket path of at most 107 bytes, "
	  "got a mapping" },
	{ "enum word", "workers:\n  idle: sleepy\n", 1,
	  "dpsecd.yaml:2:9: workers.idle: expected one of busy-poll, adaptive, got 'sleepy'" },
	{ "log level", "eal:\n  log_level: verbose\n", 1,
	  "dpsecd.yaml:2:14: eal.log_level: expected one of emergency, alert, critical, error, "
	  "warning, notice, info, debug, got 'verbose'" },
	{ "lcores syntax", "eal:\n  lcores: 0-3,x\n", 1,
	  "dpsecd.yaml:2:11: eal.lcores: expected lcore ids from 0 to 127, as a list or a core "
	  "list like '0-3,5', got '0-3,x'" },
	{ "lcore id too big", "workers:\n  lcores: [1, 128]\n", 1,
	  "dpsecd.yaml:2:15: workers.lcores[1]: expected an lcore id from 0 to 127, got '128'" },
	{ "count and lcores", "workers:\n  count: 2\n  lcores: [1, 2]\n", 1,
	  "dpsecd.yaml:3:11: workers.lcores: expected either count or lcores, got both" },
	{ "sleep bounds with busy-poll", "workers:\n  idle: busy-poll\n  sleep_max_us: 50\n", 1,
	  "dpsecd.yaml:3:17: workers.sleep_max_us: expected no sleep bounds with idle: "
	  "busy-poll, got '50'" },
	{ "sleep min above max", "workers:\n  sleep_min_us: 500\n  sleep_max_us: 100\n", 1,
	  "dpsecd.yaml:2:17: workers.sleep_min_us: expected at most sleep_max_us (100), "
	  "got '500'" },
	{ "main lcore outside lcores", "eal:\n  lcores: 0-3\n  main_lcore: 5\n", 1,
	  "dpsecd.yaml:3:15: eal.main_lcore: expected one of eal.lcores, got '5'" },
	{ "worker on the main lcore", "eal:\n  lcores: 0-3\nworkers:\n  lcores: 0-1\n", 1,
	  "dpsecd.yaml:4:11: workers.lcores: expected lcores other than the main lcore, got '0'" },
	{ "worker outside eal lcores", "eal:\n  lcores: 0-3\nworkers:\n  lcores: [2, 7]\n", 1,
	  "dpsecd.yaml:4:11: workers.lcores: expected lcores within eal.lcores, got '7'" },
	{ "too many workers for lcores", "eal:\n  lcores: 0-2\nworkers:\n  count: 3\n", 1,
	  "dpsecd.yaml:4:10: workers.count: expected at most 2 (eal.lcores less the main "
	  "lcore), got '3'" },
	{ "cryptodev without devices", "crypto:\n  engine: cryptodev\n", 1,
	  "dpsecd.yaml:2:11: crypto.engine: expected crypto.devices to name a device for "
	  "engine cryptodev, got 'cryptodev'" },
	{ "crypto device syntax", "crypto:\n  devices: ['crypto aesni']\n", 1,
	  "dpsecd.yaml:2:13: crypto.devices[0]: expected a cryptodev: a crypto_* virtual device "
	  "with ,key=value arguments, or the name of a probed device, got 'crypto aesni'" },
	{ "socket mode", "socket:\n  mode: 0999\n", 1,
	  "dpsecd.yaml:2:9: socket.mode: expected an octal mode from 0 to 0777, got '0999'" },
	{ "socket group without group access", "socket:\n  mode: 0600\n  group: dpsec\n", 1,
	  "dpsecd.yaml:2:9: socket.mode: expected a mode that lets group 'dpsec' read and "
	  "write, like 0660, got '0600'" },
	{ "socket path too long",
	  "socket:\n  path: /run/dpsec/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\n", 1,
	  "dpsecd.yaml:2:9: socket.path: expected a socket path of at most 107 bytes once "
	  "relative to '.', got '/run/dpsec/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "...'" },
	{ "port missing required fields", "ports:\n  - name: inside\n", 2,
	  "dpsecd.yaml:2:5: ports[0].device: expected a DPDK device (a PCI address or a driver "
	  "name, then ,key=value arguments), got nothing" },
	{ "port name syntax", "ports:\n  - {name: 'in side', device: net_null0, role: protected}\n",
	  1, "dpsecd.yaml:2:12: ports[0].name: expected a name of 1 to 31 letters, digits, '.', "
	  "'_' or '-', got 'in side'" },
	{ "port role", "ports:\n  - {name: a, device: net_null0, role: inside}\n", 1,
	  "dpsecd.yaml:2:40: ports[0].role: expected one of protected, unprotected, got 'inside'" },
	{ "port role twice",
	  "ports:\n  - name: a\n    device: net_null0\n    role: protected\n"
	  "    role: unprotected\n", 1,
	  "dpsecd.yaml:5:5: ports[0].role: expected each key once, got 'role' again" },
	{ "device syntax", "ports:\n  - {name: a, device: 'net_pcap0,rx_pcap', role: protected}\n",
	  1, "dpsecd.yaml:2:23: ports[0].device: expected a DPDK device (a PCI address or a "
	  "driver name, then ,key=value arguments), got 'net_pcap0,rx_pcap'" },
	{ "bad address", PORTS_OK "  - {name: c, device: net_null2, role: protected,"
	  " addresses: [192.0.2.300/24]}\n", 1,
	  "dpsecd.yaml:10:63: ports[2].addresses[0]: expected an IPv4 or IPv6 unicast address "
	  "with a prefix length, like 192.0.2.1/24, got '192.0.2.300/24'" },
	{ "address without length", PORTS_OK "  - {name: c, device: net_null2, role: protected,"
	  " addresses: 198.51.100.1}\n", 1,
	  "dpsecd.yaml:10:62: ports[2].addresses[0]: expected an IPv4 or IPv6 unicast address "
	  "with a prefix length, like 192.0.2.1/24, got '198.51.100.1'" },
	{ "multicast address", PORTS_OK "  - {name: c, device: net_null2, role: protected,"
	  " addresses: [ff02::1/64]}\n", 1,
	  "dpsecd.yaml:10:63: ports[2].addresses[0]: expected an IPv4 or IPv6 unicast address "
	  "with a prefix length, like 192.0.2.1/24, got 'ff02::1/64'" },
	{ "too many addresses",
	  "ports:\n  - name: a\n    device: net_null0\n    role: protected\n    addresses: "
	  "[10.0.0.1/8, 10.0.0.2/8, 10.0.0.3/8, 10.0.0.4/8, 10.0.0.5/8, 10.0.0.6/8, "
	  "10.0.0.7/8, 10.0.0.8/8, 10.0.0.9/8, 10.0.0.10/8, 10.0.0.11/8, 10.0.0.12/8, "
	  "10.0.0.13/8, 10.0.0.14/8, 10.0.0.15/8, 10.0.0.16/8, 10.0.0.17/8]\n", 1,
	  "dpsecd.yaml:5:16: ports[0].addresses: expected at most 16 items, got '17'" },
	{ "bad MAC", PORTS_OK "    mac: 02:00:00:00:00\n", 1,
	  "dpsecd.yaml:10:10: ports[1].mac: expected a unicast MAC address, like "
	  "02:00:00:00:00:01, got '02:00:00:00:00'" },
	{ "multicast MAC", PORTS_OK "    mac: 01:00:5e:00:00:01\n", 1,
	  "dpsecd.yaml:10:10: ports[1].mac: expected a unicast MAC address (not multicast, "
	  "not zero), got '01:00:5e:00:00:01'" },
	{ "mtu out of range", PORTS_OK "    mtu: 67\n", 1,
	  "dpsecd.yaml:10:10: ports[1].mtu: expected an integer from 68 to 9600, got '67'" },
	{ "mtu too small for IPv6", PORTS_OK "    mtu: 1000\n", 1,
	  "dpsecd.yaml:10:10: ports[1].mtu: expected at least 1280 on a port with IPv6 "
	  "addresses, got '1000'" },
	{ "exception on a protected port",
	  "ports:\n  - name: inside\n    device: net_null0\n    role: protected\n"
	  "    exception: tap0\n"
	  "  - {name: outside, device: net_null1, role: unprotected}\n", 1,
	  "dpsecd.yaml:5:16: ports[0].exception: expected only on an unprotected port, "
	  "got 'tap0'" },
	{ "exception name syntax", PORTS_OK "    exception: 'tap/0'\n", 1,
	  "dpsecd.yaml:10:16: ports[1].exception: expected an interface name of 1 to 15 "
	  "characters, got 'tap/0'" },
	{ "duplicate port name",
	  PORTS_OK "  - {name: inside, device: net_null2, role: protected}\n",
	  1, "dpsecd.yaml:10:12: ports[2].name: expected a name no other port has, got 'inside'" },
	{ "duplicate port device",
	  PORTS_OK "  - {name: third, device: 'net_null1,size=64', role: protected}\n", 1,
	  "dpsecd.yaml:10:27: ports[2].device: expected a device no other port uses, "
	  "got 'net_null1,size=64'" },
	{ "duplicate address", PORTS_OK "  - {name: c, device: net_null2, role: protected,"
	  " addresses: [192.0.2.1/25]}\n", 1,
	  "dpsecd.yaml:10:63: ports[2].addresses[0]: expected an address not already on port "
	  "'inside', got '192.0.2.1/25'" },
	{ "only protected ports",
	  "ports:\n  - {name: a, device: net_null0, role: protected}\n", 1,
	  "dpsecd.yaml:2:3: ports: expected at least one protected and one unprotected port, "
	  "got only 'protected'" },
	{ "PCI port with no_pci",
	  "eal: {no_pci: true}\nports:\n  - {name: a, device: '0000:01:00.0', role: protected}\n"
	  "  - {name: b, device: net_null0, role: unprotected}\n", 1,
	  "dpsecd.yaml:3:23: ports[0].device: expected a virtual device with eal.no_pci, "
	  "got '0000:01:00.0'" },
	{ "too many ports",
	  "ports: [{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}]\n", 1,
	  "dpsecd.yaml:1:8: ports: expected at most 16 items, got '17'" },
	{ "route prefix with host bits", PORTS_OK "routes:\n"
	  "  - {prefix: 198.51.100.7/24, via: 203.0.113.254, port: outside}\n", 1,
	  "dpsecd.yaml:11:14: routes[0].prefix: expected a prefix with no host bits set "
	  "(198.51.100.0/24), got '198.51.100.7/24'" },
	{ "route prefix length",
	  PORTS_OK "routes:\n  - {prefix: '2001:db8::/129', port: outside}\n",
	  1, "dpsecd.yaml:11:14: routes[0].prefix: expected an IPv4 or IPv6 prefix, like "
	  "192.0.2.0/24, got '2001:db8::/129'" },
	{ "route to unknown port", PORTS_OK "routes:\n"
	  "  - {prefix: 198.51.100.0/24, via: 203.0.113.254, port: outsid}\n", 1,
	  "dpsecd.yaml:11:57: routes[0].port: expected the name of a port, got 'outsid'" },
	{ "route via of the other family", PORTS_OK "routes:\n"
	  "  - {prefix: 198.51.100.0/24, via: '2001:db8::fe', port: outside}\n", 1,
	  "dpsecd.yaml:11:36: routes[0].via: expected an IPv4 next hop, got '2001:db8::fe'" },
	{ "route via not on the port", PORTS_OK "routes:\n"
	  "  - {prefix: 198.51.100.0/24, via: 192.0.2.254, port: outside}\n", 1,
	  "dpsecd.yaml:11:36: routes[0].via: expected a next hop on a prefix of port "
	  "'outside', got '192.0.2.254'" },
	{ "route missing port", PORTS_OK "routes:\n  - prefix: 0.0.0.0/0\n", 1,
	  "dpsecd.yaml:11:5: routes[0].port: expected a name of 1 to 31 letters, digits, '.', "
	  "'_' or '-', got nothing" },
	{ "duplicate route", PORTS_OK "routes:\n"
	  "  - {prefix: 0.0.0.0/0, via: 203.0.113.254, port: outside}\n"
	  "  - {prefix: 0.0.0.0/0, via: 203.0.113.253, port: outside}\n", 1,
	  "dpsecd.yaml:12:14: routes[1].prefix: expected a prefix not already routed "
	  "(routes[0]), got '0.0.0.0/0'" },
	{ "neighbour bad MAC", PORTS_OK "neighbours:\n"
	  "  - {address: 203.0.113.254, mac: '02:00:00:00:00:zz', port: outside}\n", 1,
	  "dpsecd.yaml:11:35: neighbours[0].mac: expected a unicast MAC address, like "
	  "02:00:00:00:00:01, got '02:00:00:00:00:zz'" },
	{ "neighbour address syntax", PORTS_OK "neighbours:\n"
	  "  - {address: 203.0.113, mac: '02:00:00:00:00:01', port: outside}\n", 1,
	  "dpsecd.yaml:11:15: neighbours[0].address: expected an IPv4 or IPv6 unicast address, "
	  "got '203.0.113'" },
	{ "neighbour off the port", PORTS_OK "neighbours:\n"
	  "  - {address: 192.0.2.9, mac: '02:00:00:00:00:01', port: outside}\n", 1,
	  "dpsecd.yaml:11:15: neighbours[0].address: expected an address on a prefix of port "
	  "'outside', got '192.0.2.9'" },
	{ "neighbour to unknown port", PORTS_OK "neighbours:\n"
	  "  - {address: 192.0.2.9, mac: '02:00:00:00:00:01', port: dmz}\n", 1,
	  "dpsecd.yaml:11:58: neighbours[0].port: expected the name of a port, got 'dmz'" },
	{ "cluster without node id", "cluster:\n  peers: []\n", 1,
	  "dpsecd.yaml:2:3: cluster.node_id: expected an integer from 1 to 65535, got nothing" },
	{ "cluster peer with own id",
	  "cluster:\n  node_id: 1\n  peers:\n    - {id: 1, address: 192.0.2.2}\n", 1,
	  "dpsecd.yaml:4:12: cluster.peers[0].id: expected an id other than node_id, got '1'" },
	{ "limits range", "limits:\n  max_sas: 16777217\n", 1,
	  "dpsecd.yaml:2:12: limits.max_sas: expected an integer from 1 to 16777216, "
	  "got '16777217'" },
	{ "client queue bytes", "limits:\n  client_queue_bytes: 100\n", 1,
	  "dpsecd.yaml:2:23: limits.client_queue_bytes: expected an integer from 65536 to "
	  "1073741824, got '100'" },
	{ "mbufs too few", "limits:\n  mbufs: 1023\n", 1,
	  "dpsecd.yaml:2:10: limits.mbufs: expected an integer from 1024 to 16777216, "
	  "got '1023'" },
	{ "mbufs too many", "limits:\n  mbufs: 16777217\n", 1,
	  "dpsecd.yaml:2:10: limits.mbufs: expected an integer from 1024 to 16777216, "
	  "got '16777217'" },
	{ "sa file empty path", "sa: ''\n", 1,
	  "dpsecd.yaml:1:5: sa[0]: expected a file path, got ''" },
	{ "policy of wrong type", "policy: {file: x}\n", 1,
	  "dpsecd.yaml:1:9: policy: expected a list of a file path, got a mapping" },
	{ "exit timer range", "exit_when_idle_ms: 3600001\n", 1,
	  "dpsecd.yaml:1:20: exit_when_idle_ms: expected an integer from 0 to 3600000, "
	  "got '3600001'" },
	{ "NUL in a value", "eal:\n  file_prefix: \"a\\0b\"\n", 1,
	  "dpsecd.yaml:2:16: eal.file_prefix: expected text, got a NUL character" },
	{ "key not a scalar", "? [a, b]\n: 1\n", 1,
	  "dpsecd.yaml:1:3: (key): expected a key, got a list" },
};

static void test_bad_configs(void **state)
{
	unsigned int failed = 0;

	(void)state;
	/* Every case runs, and every mismatch is shown, before the verdict. */
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct ctl_config_errors errs;
		struct ctl_config *cfg = &poison; /* must become NULL */
		int rc = load_text(c->text, 0, &cfg, &errs);

		if (rc != -EINVAL || cfg != NULL || errs.count != c->count || errs.dropped != 0 ||
		    strcmp(errs.msg[0], c->first) != 0) {
			print_message("case '%s': rc %d, %u messages, want %u; "
				      "first wanted:\n  %s\ngot:\n", c->name, rc, errs.count,
				      c->count, c->first);
			print_errors(&errs);
			failed++;
		}
		if (cfg != NULL && rc == 0)
			ctl_config_free(cfg);
	}
	assert_int_equal(failed, 0);
}

/* The table must stay large: it is the contract of the messages. */
static void test_bad_table_size(void **state)
{
	(void)state;
	assert_true(sizeof(bad_cases) / sizeof(bad_cases[0]) >= 30);
}

/* Every problem of a file is reported, in file order. */
static void test_all_errors_reported(void **state)
{
	static const char text[] =
		"eal:\n"
		"  memory_mb: 0\n"
		"workers:\n"
		"  idle: sleepy\n"
		"ports:\n"
		"  - name: inside\n"
		"    device: net_null0\n"
		"    role: protected\n"
		"    mtu: 70000\n"
		"    adress: [192.0.2.1/24]\n"
		"telemetry:\n"
		"  enabled: maybe\n";
	static const char *const want[] = {
		"dpsecd.yaml:2:14: eal.memory_mb: expected an integer from 1 to 1048576, got '0'",
		"dpsecd.yaml:4:9: workers.idle: expected one of busy-poll, adaptive, got 'sleepy'",
		"dpsecd.yaml:9:10: ports[0].mtu: expected an integer from 68 to 9600, got '70000'",
		"dpsecd.yaml:10:5: ports[0].adress: unknown key, expected one of name, device, "
		"role, addresses, mtu, rx_queues, tx_queues, mac, exception, got 'adress'",
		"dpsecd.yaml:12:12: telemetry.enabled: expected true or false, got 'maybe'",
	};
	struct ctl_config_errors errs;
	struct ctl_config *cfg = NULL;

	(void)state;
	assert_int_equal(load_text(text, 0, &cfg, &errs), -EINVAL);
	assert_null(cfg);
	if (errs.count != 5)
		print_errors(&errs);
	assert_int_equal(errs.count, 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(errs.msg[i], want[i]);
}

/* Past CTL_CONFIG_ERRORS_MAX messages, the rest are counted. */
static void test_error_cap(void **state)
{
	char text[8192];
	size_t n = 0;
	struct ctl_config_errors errs;
	struct ctl_config *cfg = NULL;

	(void)state;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "ports:\n");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "  - {name: p%d, device: net_null%d, role: x}\n", i, i);
	(void)n;
	assert_int_equal(load_text(text, 0, &cfg, &errs), -EINVAL);
	assert_null(cfg);
	/* 16 ports at most: one message for the list. */
	assert_int_equal(errs.count, 1);

	n = (size_t)snprintf(text, sizeof(text), "eal:\n  vdevs:\n");
	for (int i = 0; i < 32; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "    - 'bad vdev %d'\n", i);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "limits:\n");
	n += (size_t)snprintf(text + n, sizeof(text) - n, "  max_sas: 0\n  max_policies: 0\n"
			      "  max_clients: 0\n  client_queue_msgs: 0\n");
	assert_int_equal(load_text(text, 0, &cfg, &errs), -EINVAL);
	assert_null(cfg);
	assert_int_equal(errs.count, CTL_CONFIG_ERRORS_MAX);
	assert_int_equal(errs.dropped, 4);
	assert_string_equal(errs.msg[31], "dpsecd.yaml:34:7: eal.vdevs[31]: expected a DPDK device "
			    "(a PCI address or a driver name, then ,key=value arguments), "
			    "got 'bad vdev 31'");
}

/* ------------------------------------------------------------------------ */
/* Files that cannot be read.                                                */

static void test_file_errors(void **state)
{
	struct ctl_config_errors errs;
	struct ctl_config *cfg = &poison;
	char *big;

	(void)state;
	ctl_config_errors_init(&errs);
	assert_int_equal(ctl_config_load("missing.yaml", 0, &cfg, &errs), -ENOENT);
	assert_null(cfg);
	assert_int_equal(errs.count, 1);
	assert_string_equal(errs.msg[0], "missing.yaml: (file): expected a readable file, "
			    "got 'No such file or directory'");

	assert_int_equal(mkdir("dir.yaml", 0700), 0);
	ctl_config_errors_init(&errs);
	assert_int_equal(ctl_config_load("dir.yaml", 0, &cfg, &errs), -EISDIR);
	assert_string_equal(errs.msg[0], "dir.yaml: (file): expected a regular file, "
			    "got 'a directory'");
	assert_int_equal(rmdir("dir.yaml"), 0);

	/* Over 1 MiB: refused before parsing. */
	big = malloc((1u << 20) + 2);
	assert_non_null(big);
	memset(big, '#', (1u << 20) + 1);
	big[(1u << 20) + 1] = '\0';
	write_file("big.yaml", big);
	free(big);
	ctl_config_errors_init(&errs);
	assert_int_equal(ctl_config_load("big.yaml", 0, &cfg, &errs), -EFBIG);
	assert_null(cfg);
	assert_int_equal(errs.count, 1);
}

/* Text in memory: the name stands for the file. */
static void test_parse_buffer(void **state)
{
	static const char bin[] = "eal: {}\0junk";
	struct ctl_config_errors errs;
	struct ctl_config *cfg = NULL;
	char *big;

	(void)state;
	ctl_config_errors_init(&errs);
	assert_int_equal(ctl_config_parse("/etc/dpsec/gw.yaml", "sa: [a.conf]\n", 13, 0, &cfg,
					  &errs), 0);
	assert_string_equal(cfg->source, "/etc/dpsec/gw.yaml");
	assert_string_equal(cfg->sa_files[0].path, "/etc/dpsec/a.conf");
	ctl_config_free(cfg);

	/* Not NUL-terminated: only len bytes are read. */
	assert_int_equal(ctl_config_parse("x.yaml", "workers: {count: 2}XXXX", 19, 0, &cfg, &errs),
			 0);
	assert_int_equal(cfg->workers.count, 2);
	ctl_config_free(cfg);

	ctl_config_errors_init(&errs);
	assert_int_equal(ctl_config_parse("x.yaml", bin, sizeof(bin) - 1, 0, &cfg, &errs), -EINVAL);
	assert_null(cfg);
	assert_int_equal(errs.count, 1);
	assert_string_equal(errs.msg[0], "x.yaml: (yaml): expected UTF-8 text, got 'control "
			    "characters are not allowed at byte 7'");

	big = calloc(1, (1u << 20) + 1);
	assert_non_null(big);
	ctl_config_errors_init(&errs);
	assert_int_equal(ctl_config_parse("x.yaml", big, (1u << 20) + 1, 0, &cfg, &errs), -EFBIG);
	assert_null(cfg);
	assert_int_equal(errs.count, 1);
	free(big);
}

/* ------------------------------------------------------------------------ */
/* Good configs.                                                             */

static void test_defaults(void **state)
{
	struct ctl_config *cfg = load_good("{}\n");
	struct ctl_config *fresh = ctl_config_new();

	(void)state;
	assert_non_null(fresh);
	assert_int_equal(cfg->eal.main_lcore, -1);
	assert_int_equal(cfg->eal.memory_mb, 0);
	assert_int_equal(ctl_config_lcore_count(&cfg->eal.lcores), 0);
	assert_int_equal(cfg->workers.count, 1);
	assert_int_equal(cfg->workers.idle, CTL_IDLE_ADAPTIVE);
	assert_int_equal(cfg->workers.sleep_min_us, 10);
	assert_int_equal(cfg->workers.sleep_max_us, 1000);
	assert_int_equal(cfg->crypto.engine, CTL_ENGINE_IPSEC_MB);
	assert_true(cfg->crypto.sa_override);
	assert_string_equal(cfg->socket.path, CTL_CONFIG_DEFAULT_SOCKET);
	assert_int_equal(cfg->socket.mode, 0600);
	assert_string_equal(cfg->socket.group, "");
	assert_int_equal(cfg->n_ports, 0);
	assert_null(cfg->ports);
	assert_true(cfg->telemetry.enabled);
	assert_false(cfg->cluster.enabled);
	assert_int_equal(cfg->sequence_lease, 1u << 24);
	assert_int_equal(cfg->limits.max_sas, 1u << 20);
	assert_int_equal(cfg->limits.max_policies, 1u << 16);
	assert_int_equal(cfg->limits.max_clients, 64);
	assert_int_equal(cfg->limits.client_queue_msgs, 4096);
	assert_int_equal(cfg->limits.client_queue_bytes, 4u << 20);
	assert_int_equal(cfg->limits.mbufs, 0);
	assert_true(cfg->eal.thp);
	assert_int_equal(cfg->exit_when_idle_ms, 0);
	assert_string_equal(cfg->source, FILE_NAME);
	/* A config built by the program has the same defaults and validates. */
	assert_int_equal(fresh->workers.count, cfg->workers.count);
	assert_string_equal(fresh->socket.path, cfg->socket.path);
	assert_int_equal(ctl_config_validate(fresh, 0, NULL), 0);
	ctl_config_free(fresh);
	ctl_config_free(cfg);
	ctl_config_free(NULL);
}

static const char full_text[] =
	"eal:\n"
	"  lcores: [0, 1, 2, 3, 5]\n"
	"  main_lcore: 0\n"
	"  memory_mb: 512\n"
	"  file_prefix: gw1\n"
	"  no_huge: true\n"
	"  no_pci: false\n"
	"  log_level: notice\n"
	"  vdevs: [crypto_null0]\n"
	"  args: ['--huge-unlink']\n"
	"  thp: false\n"
	"workers:\n"
	"  lcores: 1-3\n"
	"  idle: adaptive\n"
	"  sleep_min_us: 5\n"
	"  sleep_max_us: 200\n"
	"crypto:\n"
	"  engine: cryptodev\n"
	"  devices: ['crypto_aesni_mb0,max_nb_queue_pairs=4', 0000:3d:01.0_qat_sym]\n"
	"  sa_override: false\n"
	"socket:\n"
	"  path: run/pfkey.sock\n"
	"  group: '1000'\n"
	"ports:\n"
	"  - name: inside\n"
	"    device: '01:00.0,txq_inline=128'\n"
	"    role: protected\n"
	"    addresses: [192.0.2.1/24, '2001:db8:1::1/64']\n"
	"    mtu: 9000\n"
	"    rx_queues: 4\n"
	"    tx_queues: 3\n"
	"    mac: 02:00:00:00:00:01\n"
	"  - name: outside\n"
	"    device: net_af_packet0,iface=veth0\n"
	"    role: unprotected\n"
	"    addresses: 203.0.113.1/24\n"
	"    exception: dpsec-ex0\n"
	"routes:\n"
	"  - {prefix: 0.0.0.0/0, via: 203.0.113.254, port: outside}\n"
	"  - {prefix: 198.51.100.0/24, port: inside}\n"
	"  - {prefix: '2001:db8:2::/48', via: 'fe80::1', port: inside}\n"
	"neighbours:\n"
	"  - {address: 203.0.113.254, mac: '02-aa-bb-cc-dd-ee', port: outside}\n"
	"telemetry:\n"
	"  enabled: false\n"
	"  stats_interval_s: 10\n"
	"cluster:\n"
	"  node_id: 1\n"
	"  listen: 192.0.2.1\n"
	"  lease_size: 65536\n"
	"  peers:\n"
	"    - {id: 2, address: 192.0.2.2}\n"
	"    - {id: 3, address: 192.0.2.3, port: 7600}\n"
	"sa: sa.conf\n"
	"policy: [/etc/dpsec/a.conf, sub/b.conf]\n"
	"sequence_lease:\n"
	"  size: 4096\n"
	"limits:\n"
	"  max_sas: 2048\n"
	"  max_policies: 512\n"
	"  max_clients: 8\n"
	"  client_queue_msgs: 100\n"
	"  client_queue_bytes: 65536\n"
	"  mbufs: 65535\n"
	"exit_when_idle_ms: 250\n";

static void test_every_key(void **state)
{
	struct ctl_config *cfg = load_good(full_text);
	const struct ctl_config_port *in, *out;
	const uint8_t v4[4] = { 192, 0, 2, 1 };
	const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };

	(void)state;
	assert_int_equal(ctl_config_lcore_count(&cfg->eal.lcores), 5);
	assert_true(ctl_config_lcore_isset(&cfg->eal.lcores, 5));
	assert_false(ctl_config_lcore_isset(&cfg->eal.lcores, 4));
	assert_int_equal(cfg->eal.main_lcore, 0);
	assert_int_equal(cfg->eal.memory_mb, 512);
	assert_string_equal(cfg->eal.file_prefix, "gw1");
	assert_true(cfg->eal.no_huge);
	assert_false(cfg->eal.no_pci);
	assert_false(cfg->eal.thp);
	assert_int_equal(cfg->eal.log_level, CTL_LOG_NOTICE);
	assert_int_equal(cfg->eal.n_vdevs, 1);
	assert_string_equal(cfg->eal.vdevs[0].text, "crypto_null0");
	assert_int_equal(cfg->eal.n_args, 1);
	assert_string_equal(cfg->eal.args[0].text, "--huge-unlink");

	assert_int_equal(cfg->workers.count, 3);
	assert_true(ctl_config_lcore_isset(&cfg->workers.lcores, 3));
	assert_int_equal(cfg->workers.sleep_min_us, 5);
	assert_int_equal(cfg->workers.sleep_max_us, 200);

	assert_int_equal(cfg->crypto.engine, CTL_ENGINE_CRYPTODEV);
	assert_int_equal(cfg->crypto.n_devices, 2);
	assert_string_equal(cfg->crypto.devices[0].name, "crypto_aesni_mb0");
	assert_true(cfg->crypto.devices[0].vdev);
	assert_string_equal(cfg->crypto.devices[1].name, "0000:3d:01.0_qat_sym");
	assert_false(cfg->crypto.devices[1].vdev);
	assert_false(cfg->crypto.sa_override);

	/* Relative to the config file's directory ("."); group implies 0660. */
	assert_string_equal(cfg->socket.path, "./run/pfkey.sock");
	assert_string_equal(cfg->socket.group, "1000");
	assert_int_equal(cfg->socket.mode, 0660);

	assert_int_equal(cfg->n_ports, 2);
	in = &cfg->ports[0];
	out = &cfg->ports[1];
	assert_int_equal(ctl_config_port_index(cfg, "outside"), 1);
	assert_int_equal(ctl_config_port_index(cfg, "dmz"), -ENOENT);
	assert_string_equal(in->devname, "0000:01:00.0");
	assert_int_equal(in->bus, CTL_BUS_PCI);
	assert_int_equal(in->role, CTL_ROLE_PROTECTED);
	assert_int_equal(in->n_addresses, 2);
	assert_int_equal(in->addresses[0].family, AF_INET);
	assert_int_equal(in->addresses[0].length, 24);
	assert_memory_equal(in->addresses[0].addr, v4, 4);
	assert_int_equal(in->addresses[1].family, AF_INET6);
	assert_int_equal(in->addresses[1].length, 64);
	assert_int_equal(in->mtu, 9000);
	assert_int_equal(in->rx_queues, 4);
	assert_int_equal(in->tx_queues, 3);
	assert_true(in->has_mac);
	assert_memory_equal(in->mac, mac, 6);
	assert_string_equal(in->exception, "");
	assert_string_equal(out->devname, "net_af_packet0");
	assert_int_equal(out->bus, CTL_BUS_VDEV);
	assert_int_equal(out->mtu, 1500);
	assert_int_equal(out->rx_queues, 1);
	assert_int_equal(out->tx_queues, 0);
	assert_false(out->has_mac);
	assert_int_equal(out->n_addresses, 1);
	assert_string_equal(out->exception, "dpsec-ex0");
	assert_string_equal(out->exception_devname, "net_tap_outside");

	assert_int_equal(cfg->n_routes, 3);
	assert_true(cfg->routes[0].has_via);
	assert_int_equal(cfg->routes[0].prefix.length, 0);
	assert_int_equal(cfg->routes[0].port, 1);
	assert_false(cfg->routes[1].has_via);
	assert_int_equal(cfg->routes[1].port, 0);
	assert_int_equal(cfg->routes[2].prefix.family, AF_INET6);
	assert_int_equal(cfg->routes[2].prefix.length, 48);
	assert_int_equal(cfg->n_neighbours, 1);
	assert_int_equal(cfg->neighbours[0].mac[1], 0xaa);
	assert_int_equal(cfg->neighbours[0].port, 1);

	assert_false(cfg->telemetry.enabled);
	assert_int_equal(cfg->telemetry.stats_interval_s, 10);
	assert_true(cfg->cluster.enabled);
	assert_int_equal(cfg->cluster.node_id, 1);
	assert_true(cfg->cluster.has_listen);
	assert_int_equal(cfg->cluster.port, 7500);
	assert_int_equal(cfg->cluster.lease_size, 65536);
	assert_int_equal(cfg->cluster.n_peers, 2);
	assert_int_equal(cfg->cluster.peers[0].port, 7500);
	assert_int_equal(cfg->cluster.peers[1].port, 7600);

	assert_int_equal(cfg->n_sa_files, 1);
	assert_string_equal(cfg->sa_files[0].path, "./sa.conf");
	assert_int_equal(cfg->n_policy_files, 2);
	assert_string_equal(cfg->policy_files[0].path, "/etc/dpsec/a.conf");
	assert_string_equal(cfg->policy_files[1].path, "./sub/b.conf");
	assert_int_equal(cfg->sequence_lease, 4096);
	assert_int_equal(cfg->limits.max_sas, 2048);
	assert_int_equal(cfg->limits.max_policies, 512);
	assert_int_equal(cfg->limits.max_clients, 8);
	assert_int_equal(cfg->limits.client_queue_msgs, 100);
	assert_int_equal(cfg->limits.client_queue_bytes, 65536);
	assert_int_equal(cfg->limits.mbufs, 65535);
	assert_int_equal(cfg->exit_when_idle_ms, 250);
	ctl_config_free(cfg);
}

/* Relative paths follow the config file, wherever it is loaded from. */
static void test_paths_follow_config_dir(void **state)
{
	struct ctl_config_errors errs;
	struct ctl_config *cfg = NULL;

	(void)state;
	assert_int_equal(mkdir("etc", 0700), 0);
	write_file("etc/gw.yaml", "sa: [keys/sa.conf]\nsocket: {path: gw.sock}\n");
	ctl_config_errors_init(&errs);
	assert_int_equal(ctl_config_load("etc/gw.yaml", 0, &cfg, &errs), 0);
	assert_string_equal(cfg->sa_files[0].path, "etc/keys/sa.conf");
	assert_string_equal(cfg->socket.path, "etc/gw.sock");
	ctl_config_free(cfg);
	assert_int_equal(unlink("etc/gw.yaml"), 0);
	assert_int_equal(rmdir("etc"), 0);
}

/* Each example in docs/examples loads and validates. */
static void test_examples(void **state)
{
	static const char *const mine[] = { "site-to-site.yaml", "hub.yaml", "pcap.yaml" };
	char dir[4096], path[8192];
	unsigned int loaded = 0, found_mine = 0;
	DIR *d;
	struct dirent *e;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/docs/examples", DPSEC_SOURCE_DIR);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		struct ctl_config_errors errs;
		struct ctl_config *cfg = NULL;
		int rc;

		if (n < 6 || strcmp(e->d_name + n - 5, ".yaml") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		ctl_config_errors_init(&errs);
		rc = ctl_config_load(path, 0, &cfg, &errs);
		if (rc != 0) {
			print_message("%s:\n", e->d_name);
			print_errors(&errs);
		}
		assert_int_equal(rc, 0);
		assert_non_null(cfg);
		assert_int_equal(ctl_config_validate(cfg, 0, &errs), 0);
		for (size_t i = 0; i < 3; i++)
			found_mine += strcmp(e->d_name, mine[i]) == 0;
		ctl_config_free(cfg);
		loaded++;
	}
	closedir(d);
	assert_int_equal(found_mine, 3);
	assert_true(loaded >= 3);
}

/* pcap.yaml is what issue 5's pcap mode runs: check what it promises. */
static void test_pcap_example(void **state)
{
	char path[8192];
	struct ctl_config_errors errs;
	struct ctl_config *cfg = NULL;
	const struct ctl_config_port *prot, *unprot;

	(void)state;
	snprintf(path, sizeof(path), "%s/docs/examples/pcap.yaml", DPSEC_SOURCE_DIR);
	ctl_config_errors_init(&errs);
	assert_int_equal(ctl_config_load(path, 0, &cfg, &errs), 0);
	assert_int_equal(cfg->n_ports, 2);
	prot = &cfg->ports[ctl_config_port_index(cfg, "protected")];
	unprot = &cfg->ports[ctl_config_port_index(cfg, "unprotected")];
	assert_int_equal(prot->role, CTL_ROLE_PROTECTED);
	assert_int_equal(unprot->role, CTL_ROLE_UNPROTECTED);
	assert_non_null(strstr(prot->device, "rx_pcap=protected-in.pcap"));
	assert_non_null(strstr(prot->device, "tx_pcap=protected-out.pcap"));
	assert_non_null(strstr(unprot->device, "rx_pcap=unprotected-in.pcap"));
	assert_non_null(strstr(unprot->device, "tx_pcap=unprotected-out.pcap"));
	assert_null(strstr(prot->device, "infinite_rx"));
	assert_int_equal(cfg->n_sa_files, 1);
	assert_int_equal(cfg->n_policy_files, 1);
	assert_non_null(strstr(cfg->sa_files[0].path, "/sa.conf"));
	assert_non_null(strstr(cfg->policy_files[0].path, "/policy.conf"));
	assert_true(cfg->exit_when_idle_ms > 0);
	ctl_config_free(cfg);
}

/* ------------------------------------------------------------------------ */
/* Validate after the program changed fields.                                */

static void test_validate_after_edit(void **state)
{
	struct ctl_config *cfg = load_good(PORTS_OK "routes:\n"
					   "  - {prefix: 0.0.0.0/0, via: 203.0.113.254,"
					   " port: outside}\n");
	struct ctl_config_errors errs;

	(void)state;
	ctl_config_errors_init(&errs);
	assert_int_equal(ctl_config_validate(cfg, 0, &errs), 0);
	/* A field from the file keeps its position in the message. */
	snprintf(cfg->routes[0].port_name, sizeof(cfg->routes[0].port_name), "dmz");
	assert_int_equal(ctl_config_validate(cfg, 0, &errs), -EINVAL);
	assert_int_equal(errs.count, 1);
	assert_string_equal(errs.msg[0], "dpsecd.yaml:11:51: routes[0].port: expected the name "
			    "of a port, got 'dmz'");
	snprintf(cfg->routes[0].port_name, sizeof(cfg->routes[0].port_name), "outside");

	/* -S overrides the socket path. */
	assert_int_equal(ctl_config_set_socket_path(cfg, "/tmp/x.sock"), 0);
	assert_string_equal(cfg->socket.path, "/tmp/x.sock");
	assert_int_equal(ctl_config_set_socket_path(cfg, ""), -EINVAL);
	char longp[200];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	assert_int_equal(ctl_config_set_socket_path(cfg, longp), -ENAMETOOLONG);
	assert_string_equal(cfg->socket.path, "/tmp/x.sock");

	/* A field the program set has no position. */
	cfg->workers.count = 0;
	ctl_config_errors_init(&errs);
	assert_int_equal(ctl_config_validate(cfg, 0, &errs), -EINVAL);
	assert_string_equal(errs.msg[0], "dpsecd.yaml: workers.count: expected an integer "
			    "from 1 to 64, got '0'");
	ctl_config_free(cfg);
}

/* ------------------------------------------------------------------------ */
/* CTL_CONFIG_CHECK_HOST.                                                    */

static void test_check_host(void **state)
{
	struct ctl_config_errors errs;
	struct ctl_config *cfg = NULL;
	static const char text[] = "sa: [sa.conf]\npolicy: policy.conf\n";

	(void)state;
	/* Without the flag, files need not exist yet. */
	assert_int_equal(load_text(text, 0, &cfg, &errs), 0);
	ctl_config_free(cfg);

	assert_int_equal(load_text(text, CTL_CONFIG_CHECK_HOST, &cfg, &errs), -EINVAL);
	assert_null(cfg);
	assert_int_equal(errs.count, 2);
	assert_string_equal(errs.msg[0], "dpsecd.yaml:1:6: sa[0]: expected a readable file, "
			    "got './sa.conf' (No such file or directory)");
	assert_string_equal(errs.msg[1], "dpsecd.yaml:2:9: policy[0]: expected a readable file, "
			    "got './policy.conf' (No such file or directory)");

	write_file("sa.conf", "flush\n");
	write_file("policy.conf", "{} bypass {}\n");
	assert_int_equal(load_text(text, CTL_CONFIG_CHECK_HOST, &cfg, &errs), 0);
	assert_non_null(cfg);
	ctl_config_free(cfg);

	assert_int_equal(load_text("socket: {group: no-such-group-dpsec}\n", CTL_CONFIG_CHECK_HOST,
				   &cfg, &errs), -EINVAL);
	assert_string_equal(errs.msg[0], "dpsecd.yaml:1:17: socket.group: expected a group of "
			    "this host, got 'no-such-group-dpsec'");
	assert_int_equal(load_text("socket: {group: root}\n", CTL_CONFIG_CHECK_HOST, &cfg, &errs),
			 0);
	ctl_config_free(cfg);
}

/* ------------------------------------------------------------------------ */
/* EAL argv.                                                                 */

struct argv_case {
	const char *name;
	const char *text;
	const char *const want[32]; /* NULL-terminated, after "dpsecd" */
};

static const struct argv_case argv_cases[] = {
	{ "defaults", "{}\n", { NULL } },
	{ "telemetry off only", "telemetry: {enabled: false}\n", { "--no-telemetry", NULL } },
	{ "structured eal",
	  "eal:\n  lcores: [0, 2, 3, 4, 7]\n  main_lcore: 2\n  memory_mb: 512\n"
	  "  file_prefix: gw-a\n  no_huge: true\n  no_pci: true\n  log_level: debug\n"
	  "  vdevs: [crypto_null0, 'net_ring0']\n  args: ['--huge-unlink', '-d', 'x.so']\n",
	  { "-l", "0,2-4,7", "--main-lcore", "2", "-m", "512", "--file-prefix", "gw-a",
	    "--no-huge", "--no-pci", "--log-level=8", "--vdev", "crypto_null0", "--vdev",
	    "net_ring0", "--huge-unlink", "-d", "x.so", NULL } },
	{ "ports, exception, crypto",
	  "eal: {no_huge: true}\n"
	  "crypto: {devices: ['crypto_aesni_mb0,max_nb_queue_pairs=2', qat0]}\n"
	  "ports:\n"
	  "  - {name: in, device: '3b:00.1', role: protected}\n"
	  "  - {name: out, device: 'net_af_packet0,iface=veth1', role: unprotected,"
	  " exception: ex0}\n",
	  { "--no-huge", "-a", "3b:00.1", "--vdev", "net_af_packet0,iface=veth1", "--vdev",
	    "net_tap_out,iface=ex0", "--vdev", "crypto_aesni_mb0,max_nb_queue_pairs=2",
	    NULL } },
};

static void test_eal_argv(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(argv_cases) / sizeof(argv_cases[0]); i++) {
		const struct argv_case *c = &argv_cases[i];
		struct ctl_config *cfg = load_good(c->text);
		char **argv = NULL;
		int argc = ctl_config_eal_argv(cfg, "dpsecd", 0, NULL, &argv);
		int want = 1;

		while (c->want[want - 1] != NULL)
			want++;
		if (argc != want) {
			print_message("case '%s': argc %d want %d\n", c->name, argc, want);
			for (int k = 0; k < argc; k++)
				print_message("  %s\n", argv[k]);
		}
		assert_int_equal(argc, want);
		assert_string_equal(argv[0], "dpsecd");
		for (int k = 1; k < argc; k++)
			assert_string_equal(argv[k], c->want[k - 1]);
		assert_null(argv[argc]);
		free(argv);
		ctl_config_free(cfg);
	}
}

/* Command-line overrides come last; rte_eal_init may permute the vector,
 * which must still be freed by one free(). */
static void test_eal_argv_extra(void **state)
{
	struct ctl_config *cfg = load_good("eal: {file_prefix: a, memory_mb: 64}\n");
	char *extra[] = { "--file-prefix", "b", NULL };
	char **argv = NULL;
	int argc;

	(void)state;
	argc = ctl_config_eal_argv(cfg, "dpsecd", 2, extra, &argv);
	assert_int_equal(argc, 7);
	assert_string_equal(argv[3], "--file-prefix");
	assert_string_equal(argv[4], "a");
	assert_string_equal(argv[5], "--file-prefix");
	assert_string_equal(argv[6], "b");
	char *t = argv[1];
	argv[1] = argv[6];
	argv[6] = t;
	free(argv);

	assert_int_equal(ctl_config_eal_argv(cfg, NULL, 0, NULL, &argv), -EINVAL);
	assert_int_equal(ctl_config_eal_argv(cfg, "dpsecd", 1, NULL, &argv), -EINVAL);
	assert_int_equal(ctl_config_eal_argv(cfg, "dpsecd", 3, extra, &argv), -EINVAL);
	assert_null(argv);
	ctl_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_configs, setup, teardown),
		cmocka_unit_test(test_bad_table_size),
		cmocka_unit_test_setup_teardown(test_all_errors_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_errors, setup, teardown),
		cmocka_unit_test(test_parse_buffer),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paths_follow_config_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_examples, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pcap_example, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validate_after_edit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eal_argv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eal_argv_extra, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
