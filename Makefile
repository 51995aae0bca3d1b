# dpsec: thin wrapper around meson for the two quick-start commands.
#   make demo   build what is missing and run the built-in demo
#   make test   build with ASan + UBSan and run every test
#   make bench-dataplane   release build, then the one-core ESP benchmark
#   make bench   release build of dpsecd, then the whole-gateway benchmark
# Each installs missing Debian packages first (needs root for apt).

BUILD      ?= build
TESTBUILD  ?= build-test
FUZZ_SECONDS ?= 60
MESON_SETUP = meson setup --wipe
V ?= 0
ifeq ($(V),0)
Q := @
else
Q :=
endif

.PHONY: all build demo test fuzz check-layering clean bench-dataplane bench bench-secgw-smoke

all: build

build:
	$(Q).ci/install-deps build
	$(Q)test -f $(BUILD)/build.ninja || meson setup $(BUILD) >/dev/null
	$(Q)meson compile -C $(BUILD)

demo: build
	$(Q)./tools/demo.sh $(BUILD)

test:
	$(Q).ci/install-deps test
	$(Q)test -f $(TESTBUILD)/build.ninja || meson setup $(TESTBUILD) \
		-Db_sanitize=address,undefined -Dwerror=true >/dev/null
	$(Q)meson compile -C $(TESTBUILD)
	$(Q)tools/run-tests.sh $(TESTBUILD)

fuzz:
	$(Q).ci/install-deps fuzz
	$(Q)fuzz/run.sh $(FUZZ_SECONDS)

# Release build without sanitizers; prints a table (docs/PERFORMANCE.md).
BENCHBUILD ?= build-bench
bench-dataplane:
	$(Q).ci/install-deps build
	$(Q)test -f $(BENCHBUILD)/build.ninja || meson setup $(BENCHBUILD) \
		--buildtype=release -Db_ndebug=true >/dev/null
	$(Q)meson compile -C $(BENCHBUILD) dpsec-dp-bench
	$(Q)bench/dp_bench.sh $(BENCHBUILD)

# Whole gateway: dpsecd on one worker, pcap source, null sink (docs/PERFORMANCE.md), against
# DPDK's ipsec-secgw on the same harness (built once into build-secgw from dpdk-doc by
# bench/secgw.sh; GWBENCH_ARGS="--secgw off" leaves it out; docs/BENCHMARKING.md).
# bench-secgw-smoke: only check that the secgw reference builds, runs and forwards ESP.
GWBENCHBUILD ?= build-gbench
GWBENCH_ARGS ?=
bench:
	$(Q).ci/install-deps bench
	$(Q)test -f $(GWBENCHBUILD)/build.ninja || meson setup $(GWBENCHBUILD) \
		--buildtype=release -Db_ndebug=true -Dtests=false >/dev/null
	$(Q)meson compile -C $(GWBENCHBUILD) dpsecd dpsec-pfkey-rate
	$(Q)/usr/bin/python3 bench/gw_bench.py --dpsecd $(GWBENCHBUILD)/control/dpsecd $(GWBENCH_ARGS)

bench-secgw-smoke:
	$(Q).ci/install-deps bench
	$(Q)/usr/bin/python3 bench/gw_bench.py --secgw-smoke

check-layering:
	$(Q).ci/check-layering

clean:
	rm -rf $(BUILD) $(TESTBUILD) build-fuzz
