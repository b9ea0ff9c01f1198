# SPDX-License-Identifier: GPL-2.0
#
# Top-level build.  The module itself is built by Kbuild (see Kbuild and
# kmod/Kbuild); `make -C /lib/modules/KVER/build M=$PWD` here is what DKMS
# runs.  This Makefile adds the userspace programs, per-kernel build
# directories, and the check/demo/bench entry points.

VERSION := 0.1.0

# The kernel to build for: the running one when its headers exist, else the
# newest installed headers.
KVERS ?= $(shell for d in /lib/modules/*/build; do \
	[ -e "$$d/Makefile" ] && basename "$$(dirname "$$d")"; done | sort -V)
KVER ?= $(shell r=$$(uname -r); [ -e /lib/modules/$$r/build/Makefile ] && \
	echo $$r || echo "$(lastword $(KVERS))")

BUILD := $(CURDIR)/build
NPROC := $(shell nproc 2>/dev/null || echo 2)
MODSRC := Kbuild kmod include
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all userspace module modules check deps demo bench fuzz install \
	dkms-install clean help testdata

all: userspace module

help:
	@echo "targets: all userspace module modules check demo bench fuzz install dkms-install clean"
	@echo "KVER=$(KVER)  (all kernels with headers: $(KVERS))"

userspace:
	$(MAKE) -C userspace

module: $(BUILD)/$(KVER)/lw4o6.ko

# Release and debug (self-testing) modules for every installed kernel.
modules: $(foreach k,$(KVERS),$(BUILD)/$(k)/lw4o6.ko $(BUILD)/$(k)/debug/lw4o6.ko)

# Each kernel gets its own copy of the module sources so that objects for
# different kernels never mix; cp -u keeps rebuilds incremental.  The "+"
# hands kbuild the jobserver: make cannot see $(MAKE) inside a $(call).
define build-module
	@test -e /lib/modules/$(1)/build/Makefile || \
		{ echo "no headers for kernel $(1) (try: make deps)"; exit 1; }
	mkdir -p $(2)/src
	cp -ru $(MODSRC) $(2)/src/
	+$(MAKE) -C /lib/modules/$(1)/build M=$(2)/src LW4O6_WERROR=1 $(3) modules
	cp $(2)/src/kmod/lw4o6.ko $(2)/lw4o6.ko
endef

$(BUILD)/%/debug/lw4o6.ko: FORCE
	$(call build-module,$*,$(BUILD)/$*/debug,CONFIG_LW4O6_DEBUG=y)

$(BUILD)/%/lw4o6.ko: FORCE
	$(call build-module,$*,$(BUILD)/$*,)

FORCE:

# Large tables for the scale test and the benchmark, made on the host
# (Python is far too slow inside the emulated guests).
TESTDATA := $(BUILD)/testdata/bind1m.txt
FUZZDATA := $(BUILD)/testdata/fuzz/meta.json
FUZZB4DATA := $(BUILD)/testdata/fuzz-b4/meta.json
PGDATA := $(BUILD)/testdata/pg15.tar
# The tests' own small programs, built on the host like the data.
SELFTEST_TOOLS := $(BUILD)/selftests/echo
testdata: $(TESTDATA) $(FUZZDATA) $(FUZZB4DATA) $(PGDATA) $(SELFTEST_TOOLS)
$(BUILD)/selftests/%: selftests/lib/c/%.c
	mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $< -lpthread
# An empty PostgreSQL cluster for the failover tests (selftests/lib/pg.sh):
# initdb is seconds on the host, tens of seconds in the emulated guests.
$(PGDATA): scripts/pg-template.sh
	bash scripts/pg-template.sh $@
$(TESTDATA): selftests/lib/py/gen_bindings.py
	mkdir -p $(dir $@)
	/usr/bin/python3 selftests/lib/py/gen_bindings.py 1000000 1 $@.tmp \
		--nft $(BUILD)/testdata/bind1m.nft
	mv $@.tmp $@

# The fuzz test's packet sets (selftests/datapath/fuzz.sh): pcaps made with
# scapy from a fixed seed, so every run replays the same bytes.  Another set:
# rm -r build/testdata/fuzz; make testdata FUZZ_SEED=N.
FUZZ_SEED ?= 1
FUZZ_COUNT ?= 110000
$(FUZZDATA): selftests/lib/py/gen_fuzz.py
	/usr/bin/python3 selftests/lib/py/gen_fuzz.py $(dir $@) --seed $(FUZZ_SEED) \
		--count $(FUZZ_COUNT)

# The B4 side's (selftests/datapath/fuzz_b4.sh): four sets of FUZZ_B4_COUNT/4,
# into the LAN and IPv6 sides of a lwB4 and of a DS-Lite B4.
FUZZ_B4_COUNT ?= 200000
$(FUZZB4DATA): selftests/lib/py/gen_fuzz_b4.py selftests/lib/py/gen_fuzz.py
	/usr/bin/python3 selftests/lib/py/gen_fuzz_b4.py $(dir $@) --seed $(FUZZ_SEED) \
		--count $(FUZZ_B4_COUNT)

deps:
	sh scripts/install-deps.sh

# The test data are minutes of single-threaded Python: made while the
# programs compile and one another, one job per core.  scripts/check.sh then
# runs the two kernels' VMs at the same time (docs/testing.md).
check: deps
	$(MAKE) -j$(NPROC) -O modules
	$(MAKE) -j$(NPROC) -O userspace testdata
	$(MAKE) -j$(NPROC) -O -C userspace test
	$(MAKE) -j$(NPROC) -O -C userspace/lw4o6d fuzz/fuzz_pcp fuzz/fuzz_dhcp6 fuzz/fuzz_dhcp4 \
		fuzz/fuzz_pgchange fuzz/fuzz_config fuzz/fuzz_bfd fuzz/fuzz_bfd_responder
	bash scripts/check.sh

demo: deps
	$(MAKE) modules userspace
	bash scripts/demo.sh

# libFuzzer over the PCP, DHCPv6 and DHCPv4 parsers and the PostgreSQL
# store's NOTIFY payloads; FUZZ_TIME=seconds each (make check runs 40 s in all).
fuzz: deps
	$(MAKE) -C userspace/lw4o6d fuzz

# The benchmarks' own small programs (selftests/bench/*.c), built on the host.
BENCH_TOOLS := $(BUILD)/selftests/announce_send
.PHONY: bench-tools
bench-tools: $(BENCH_TOOLS)
$(BUILD)/selftests/announce_send: selftests/bench/announce_send.c
	mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

bench: deps
	$(MAKE) modules userspace testdata $(BENCH_TOOLS)
	$(MAKE) -C userspace/lw4o6d lw4o6d tests/bench_pcp tests/bench_dhcp tests/bench_bfd \
		tests/bench_grants
	@mkdir -p build/bench
	@echo "== grants per second through the core, SQLite and PostgreSQL (host)"
	userspace/lw4o6d/tests/bench_grants | tee build/bench/grants-host.md
	bash selftests/bench/run.sh

install: all
	$(MAKE) -C userspace install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)
	install -D -m 0644 $(BUILD)/$(KVER)/lw4o6.ko \
		$(DESTDIR)/lib/modules/$(KVER)/updates/lw4o6.ko
	[ -n "$(DESTDIR)" ] || depmod -a $(KVER)

dkms-install:
	rm -rf /usr/src/lw4o6-$(VERSION)
	mkdir -p /usr/src/lw4o6-$(VERSION)
	cp -r dkms.conf $(MODSRC) /usr/src/lw4o6-$(VERSION)/
	dkms add -m lw4o6 -v $(VERSION)
	dkms install -m lw4o6 -v $(VERSION) -k $(KVER)

clean:
	rm -rf $(BUILD)
	$(MAKE) -C userspace clean
