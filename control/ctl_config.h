/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_config.h: dpsecd's configuration file (dpsecd.yaml), loaded with
 * libyaml into a plain C struct, checked, and turned into EAL's argv.
 *
 * docs/CONFIG.md documents every key, its type, default and meaning.
 *
 * Contract:
 *   - ctl_config_load() reads the whole file, checks every value (types,
 *     ranges, address/prefix/MAC syntax, enum words, unknown and duplicate
 *     keys) and every relation between values (duplicate ports, routes to
 *     unknown ports, ...), and either returns a complete config or nothing:
 *     on failure everything is freed and *out stays NULL.
 *   - Every problem becomes one line in struct ctl_config_errors, in the form
 *       <file>:<line>:<column>: <field.path>: <what was expected>, got '<value>'
 *     (line and column 1-based, where the value is in the file).  All problems
 *     are collected, up to CTL_CONFIG_ERRORS_MAX lines; the rest are counted.
 *   - Nothing here prints, exits or aborts; the program prints the lines.
 *   - Relative paths in the file (sa, policy, socket.path) are resolved
 *     against the directory of the config file; the struct holds the result.
 *     DPDK device strings are passed to DPDK verbatim (their file arguments,
 *     e.g. net_pcap's rx_pcap=, are relative to the working directory).
 *   - The struct is plain data owned by the caller after a successful load;
 *     free it with ctl_config_free().  It may be edited (command-line
 *     overrides) and checked again with ctl_config_validate().
 *
 * Threads: no shared state; any thread.
 */
#ifndef DPSEC_CTL_CONFIG_H
#define DPSEC_CTL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CTL_CONFIG_DEFAULT_PATH "/etc/dpsec/dpsecd.yaml"
#define CTL_CONFIG_DEFAULT_SOCKET "/run/dpsec/pfkey.sock"

/* Sizes include the terminating NUL. */
#define CTL_CONFIG_NAME_MAX 32u      /* port names: [A-Za-z0-9_-] */
#define CTL_CONFIG_IFNAME_MAX 16u    /* kernel interface names (IFNAMSIZ) */
#define CTL_CONFIG_DEVICE_MAX 256u   /* DPDK device strings, EAL arguments */
#define CTL_CONFIG_DEVNAME_MAX 64u   /* DPDK device names (RTE_DEV_NAME_MAX_LEN) */
#define CTL_CONFIG_SOCKET_MAX 108u   /* sockaddr_un.sun_path */
#define CTL_CONFIG_PATH_MAX 4096u    /* PATH_MAX */

/* Counts.  WORKERS_MAX and SAS_MAX are dp.h's DP_WORKERS_MAX and DP_SA_MAX
 * (tests/config checks; this library needs only libc and libyaml). */
#define CTL_CONFIG_WORKERS_MAX 64u
#define CTL_CONFIG_SAS_MAX (1u << 24)
#define CTL_CONFIG_MBUFS_MAX (1u << 24) /* limits.mbufs */
#define CTL_CONFIG_LCORES 128u       /* lcore ids 0..127 (DPDK's RTE_MAX_LCORE) */
#define CTL_CONFIG_PORTS_MAX 16u     /* with one exception TAP each: 32 ethdevs */
#define CTL_CONFIG_ADDRESSES_MAX 16u /* per port */
#define CTL_CONFIG_ROUTES_MAX 4096u
#define CTL_CONFIG_NEIGHBOURS_MAX 4096u
#define CTL_CONFIG_ARGS_MAX 64u      /* eal.args */
#define CTL_CONFIG_VDEVS_MAX 32u     /* eal.vdevs */
#define CTL_CONFIG_CRYPTO_MAX 16u    /* crypto.devices */
#define CTL_CONFIG_FILES_MAX 16u     /* sa and policy, each */
#define CTL_CONFIG_PEERS_MAX 32u     /* cluster.peers */

#define CTL_CONFIG_ERRORS_MAX 32u
#define CTL_CONFIG_ERROR_LEN 384u

/* Where a value came from: 1-based line and column; 0 when not from a file
 * (a default, or a field set by the program). */
struct ctl_config_mark {
	uint32_t line;
	uint32_t column;
};

/* Collected problems.  Zero it (or ctl_config_errors_init) before use. */
struct ctl_config_errors {
	unsigned int count;    /* lines in msg[] */
	unsigned int dropped;  /* further problems not recorded */
	char msg[CTL_CONFIG_ERRORS_MAX][CTL_CONFIG_ERROR_LEN];
};

/* An IPv4 or IPv6 address with a prefix length.  family is AF_INET or
 * AF_INET6; addr holds 4 or 16 bytes in network order.  For a plain address
 * length is 32 or 128. */
struct ctl_config_ip {
	uint8_t family;
	uint8_t length;
	uint8_t addr[16];
};

/* A set of lcore ids. */
struct ctl_config_lcores {
	uint64_t bits[CTL_CONFIG_LCORES / 64];
};

enum ctl_config_role {
	CTL_ROLE_PROTECTED = 1,   /* the inside: cleartext hosts */
	CTL_ROLE_UNPROTECTED = 2, /* the outside: ESP/AH peers */
};

enum ctl_config_idle {
	CTL_IDLE_BUSY_POLL = 1,
	CTL_IDLE_ADAPTIVE = 2,
};

/* Same numbers as enum dp_engine (include/dpsec/dp.h; tests/config checks). */
enum ctl_config_engine {
	CTL_ENGINE_IPSEC_MB = 1,
	CTL_ENGINE_CRYPTODEV = 2,
};

/* DPDK log levels (RTE_LOG_*); 0 = EAL's default. */
enum ctl_config_log_level {
	CTL_LOG_EMERGENCY = 1,
	CTL_LOG_ALERT,
	CTL_LOG_CRITICAL,
	CTL_LOG_ERROR,
	CTL_LOG_WARNING,
	CTL_LOG_NOTICE,
	CTL_LOG_INFO,
	CTL_LOG_DEBUG,
};

struct ctl_config_arg {
	char text[CTL_CONFIG_DEVICE_MAX];
};

struct ctl_config_eal {
	struct ctl_config_lcores lcores; /* -l; empty = EAL's default */
	int32_t main_lcore;              /* --main-lcore; -1 = lowest of lcores */
	uint32_t memory_mb;              /* -m; 0 = EAL's default */
	char file_prefix[CTL_CONFIG_NAME_MAX]; /* --file-prefix; "" = EAL's */
	bool no_huge;                    /* --no-huge */
	bool no_pci;                     /* --no-pci */
	bool thp;                        /* no_huge: heap on transparent huge pages */
	uint8_t log_level;               /* --log-level; enum ctl_config_log_level */
	struct ctl_config_arg *vdevs;    /* --vdev each */
	unsigned int n_vdevs;
	struct ctl_config_arg *args;     /* verbatim, after everything else */
	unsigned int n_args;
};

struct ctl_config_workers {
	uint16_t count;                  /* 1..64; = |lcores| when lcores given */
	struct ctl_config_lcores lcores; /* empty: the first `count` non-main lcores */
	uint8_t idle;                    /* enum ctl_config_idle */
	uint32_t sleep_min_us;           /* adaptive: first sleep when idle */
	uint32_t sleep_max_us;           /* adaptive: the sleep doubles up to this */
};

struct ctl_config_crypto_device {
	char text[CTL_CONFIG_DEVICE_MAX];  /* as written: "crypto_aesni_mb0,k=v" */
	char name[CTL_CONFIG_DEVNAME_MAX]; /* the cryptodev name: text up to ',' */
	bool vdev;                         /* name starts with "crypto_": --vdev text */
};

struct ctl_config_crypto {
	uint8_t engine;                    /* enum ctl_config_engine */
	struct ctl_config_crypto_device *devices; /* devices[0]: cryptodev default */
	unsigned int n_devices;
	bool sa_override;                  /* an SA may name another engine/device */
};

struct ctl_config_socket {
	char path[CTL_CONFIG_SOCKET_MAX];  /* resolved */
	uint32_t mode;                     /* permission bits, 0..0777 */
	char group[CTL_CONFIG_NAME_MAX];   /* "" = root only; a name or a number */
};

enum ctl_config_bus {
	CTL_BUS_VDEV = 1,   /* --vdev <device> */
	CTL_BUS_PCI = 2,    /* -a <device> */
};

struct ctl_config_port {
	char name[CTL_CONFIG_NAME_MAX];
	char device[CTL_CONFIG_DEVICE_MAX];   /* as written, arguments included */
	char devname[CTL_CONFIG_DEVNAME_MAX]; /* the ethdev name (rte_eth_dev_get_
					       * port_by_name): the device up to
					       * ',', PCI addresses in full
					       * lower-case DDDD:BB:DD.F form */
	uint8_t bus;                          /* enum ctl_config_bus */
	uint8_t role;                         /* enum ctl_config_role */
	struct ctl_config_ip addresses[CTL_CONFIG_ADDRESSES_MAX];
	unsigned int n_addresses;
	uint16_t mtu;                         /* 68..9600 (1280.. with IPv6) */
	uint16_t rx_queues;                   /* 1..64 */
	uint16_t tx_queues;                   /* 0 = one per worker */
	bool has_mac;
	uint8_t mac[6];                       /* set the port's MAC address */
	/* Unprotected ports only: a kernel TAP interface carrying the gateway's
	 * own traffic (IKE, ICMP to the gateway).  "" = none. */
	char exception[CTL_CONFIG_IFNAME_MAX];
	char exception_devname[CTL_CONFIG_DEVNAME_MAX]; /* "net_tap_<name>" */
};

struct ctl_config_route {
	struct ctl_config_ip prefix;  /* no host bits set */
	bool has_via;                 /* false: directly connected */
	struct ctl_config_ip via;
	unsigned int port;            /* index into ports[] */
	char port_name[CTL_CONFIG_NAME_MAX];
};

struct ctl_config_neighbour {
	struct ctl_config_ip address;
	uint8_t mac[6];
	unsigned int port;            /* index into ports[] */
	char port_name[CTL_CONFIG_NAME_MAX];
};

struct ctl_config_telemetry {
	bool enabled;                 /* false: --no-telemetry */
	uint32_t stats_interval_s;    /* counters to the log every N s; 0 = never */
};

struct ctl_config_peer {
	uint16_t id;
	struct ctl_config_ip address;
	uint16_t port;
};

/* Placeholder for the cluster agent: parsed and checked only. */
struct ctl_config_cluster {
	bool enabled;                 /* the section is present */
	uint16_t node_id;             /* 1..65535 */
	bool has_listen;
	struct ctl_config_ip listen;
	uint16_t port;                /* UDP port of the agents */
	uint64_t lease_size;          /* sequence numbers per replicated lease */
	struct ctl_config_peer *peers;
	unsigned int n_peers;
};

struct ctl_config_limits {
	uint32_t max_sas;             /* 1..2^24 (DP_SA_MAX) */
	uint32_t max_policies;
	uint32_t max_clients;         /* PF_KEY connections */
	uint32_t client_queue_msgs;   /* messages queued per client */
	uint64_t client_queue_bytes;  /* bytes queued per client */
	uint32_t mbufs;               /* gateway mbuf pool; 0 = the dataplane's 8191 */
};

struct ctl_config_file {
	char path[CTL_CONFIG_PATH_MAX]; /* resolved against the config's dir */
};

struct ctl_config {
	char source[CTL_CONFIG_PATH_MAX]; /* the file it came from, as given */
	struct ctl_config_eal eal;
	struct ctl_config_workers workers;
	struct ctl_config_crypto crypto;
	struct ctl_config_socket socket;
	struct ctl_config_port *ports;
	unsigned int n_ports;
	struct ctl_config_route *routes;
	unsigned int n_routes;
	struct ctl_config_neighbour *neighbours;
	unsigned int n_neighbours;
	struct ctl_config_telemetry telemetry;
	struct ctl_config_cluster cluster;
	struct ctl_config_file *sa_files;     /* ipseckey -f syntax, in order */
	unsigned int n_sa_files;
	struct ctl_config_file *policy_files; /* ipsecconf -a syntax, in order */
	unsigned int n_policy_files;
	uint64_t sequence_lease;      /* standalone lease step */
	struct ctl_config_limits limits;
	uint32_t exit_when_idle_ms;   /* exit once no port received for this
				       * long (pcap replay); 0 = never */
	void *priv;                   /* marks of values from the file */
};

/* ctl_config_load / ctl_config_validate flags. */
#define CTL_CONFIG_CHECK_HOST 0x1u /* also: sa/policy files readable, the
				    * socket group exists */

void ctl_config_errors_init(struct ctl_config_errors *errs);

/* A config with every default (see docs/CONFIG.md).  NULL on ENOMEM. */
struct ctl_config *ctl_config_new(void);

/* Load, check and return path's config in *out.  Returns 0; -EINVAL with
 * errs filled when the file has problems; -ENOENT, -EACCES, -EFBIG (over
 * 1 MiB), -EISDIR... when it cannot be read (errs says so too); -ENOMEM.
 * On failure *out is NULL and nothing is left allocated. */
int ctl_config_load(const char *path, unsigned int flags, struct ctl_config **out,
		    struct ctl_config_errors *errs);

/* ctl_config_load() for text already in memory (len bytes, no NUL needed).
 * name stands for the file in messages and gives the directory relative
 * paths are resolved against.  Same results, less the file errors; -EFBIG
 * over 1 MiB. */
int ctl_config_parse(const char *name, const char *text, size_t len, unsigned int flags,
		     struct ctl_config **out, struct ctl_config_errors *errs);

/* Check the relations between values (what --check-config reports beyond
 * ctl_config_load), e.g. after the program changed fields.  0 or -EINVAL
 * with errs filled; cfg is not changed. */
int ctl_config_validate(const struct ctl_config *cfg, unsigned int flags,
			struct ctl_config_errors *errs);

/* Set the socket path (dpsecd -S).  -ENAMETOOLONG, -EINVAL for "". */
int ctl_config_set_socket_path(struct ctl_config *cfg, const char *path);

/* Port index by name, or -ENOENT. */
int ctl_config_port_index(const struct ctl_config *cfg, const char *name);

/* Build rte_eal_init()'s argument vector:
 *   prog, -l, --main-lcore, -m, --file-prefix, --no-huge, --no-pci,
 *   --log-level, --no-telemetry (telemetry.enabled false), --vdev for each
 *   eal.vdevs, then each port (--vdev for a virtual device, -a for a PCI
 *   address), --vdev net_tap_<port>,iface=<exception> per exception
 *   interface, --vdev per crypto vdev, eal.args verbatim, and last the
 *   caller's extra arguments (command-line overrides win as EAL's last
 *   option does).
 * *argv_out is ONE allocation (pointers, then strings), NULL-terminated;
 * rte_eal_init may permute the pointers; free(*argv_out) releases it.
 * Returns argc, or -ENOMEM / -EINVAL (NULL arguments) / -E2BIG. */
int ctl_config_eal_argv(const struct ctl_config *cfg, const char *prog, int extra_argc,
			char *const *extra_argv, char ***argv_out);

/* Lcore set helpers. */
static inline bool ctl_config_lcore_isset(const struct ctl_config_lcores *s, unsigned int id)
{
	return id < CTL_CONFIG_LCORES && ((s->bits[id / 64] >> (id % 64)) & 1u);
}
unsigned int ctl_config_lcore_count(const struct ctl_config_lcores *s);

/* NULL is a no-op. */
void ctl_config_free(struct ctl_config *cfg);

#ifdef __cplusplus
}
#endif

#endif /* DPSEC_CTL_CONFIG_H */
