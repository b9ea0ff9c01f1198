# SPDX-License-Identifier: GPL-2.0
#
# Top-level build.  The module itself is built by Kbuild (see Kbuild and
# kmod/Kbuild); `make -C /lib/modules/KVER/build M=$PWD` here is what DKMS
# runs.  This Makefile adds the userspace programs, per-kernel build
# directories, and the check/demo/bench entry points.

# The version is the newest entry of debian/changelog, and nowhere else:
# the programs, the module (MODULE_VERSION, through kmod/Kbuild) and the
# DKMS tree's dkms.conf all take it from there (a native package: no Debian
# revision to strip).
VERSION := $(shell sed -n '1s/^[^ ]* (\([^()]*\)).*/\1/p' debian/changelog 2>/dev/null)
ifeq ($(VERSION),)
$(error cannot read the version from debian/changelog)
endif

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

.PHONY: all userspace module modules check check-deb deps demo bench fuzz install \
	install-userspace install-module uninstall uninstall-userspace \
	uninstall-module dkms-source dkms-install dkms-remove deb clean help testdata \
	testdata-large

all: userspace module

help:
	@echo "targets: all userspace module modules check check-deb demo bench fuzz install uninstall"
	@echo "         dkms-install dkms-remove deb clean"
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
	+$(MAKE) -C /lib/modules/$(1)/build M=$(2)/src LW4O6_WERROR=1 \
		LW4O6_VERSION=$(VERSION) $(3) modules
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
testdata: testdata-large $(PGDATA) $(SELFTEST_TOOLS)
# What scripts/check.sh makes while the VMs run (and never a program they
# may be running meanwhile).
testdata-large: $(TESTDATA) $(FUZZDATA) $(FUZZB4DATA)
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

# What the VMs need to boot first; scripts/check.sh then runs the two
# kernels' VMs at the same time and makes the rest meanwhile, at the lowest
# priority: the test data (minutes of single-threaded Python), the packages,
# the unit tests and fuzzers (docs/testing.md).
check: deps
	$(MAKE) -j$(NPROC) -O modules
	$(MAKE) -j$(NPROC) -O userspace $(SELFTEST_TOOLS) $(PGDATA)
	bash scripts/check.sh

# The packages' VM test (selftests/pkg/deb.sh) as a real machine runs it:
# DKMS compiling the module in the VM (a quarter of an hour under TCG).
# make check runs the same test with the module the host's dkms build made
# (docs/testing.md, "The packages").
check-deb: deps
	$(MAKE) -j$(NPROC) -O modules userspace $(SELFTEST_TOOLS)
	LW4O6_TESTS=pkg/deb.sh LW4O6_DEB_DKMS=build LW4O6_SKIP_UNIT=1 LW4O6_SKIP_DKMS=1 \
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

# ---- installing -------------------------------------------------------------
# `make install` puts the programs, their man pages, the systemd units (every
# userspace/*/systemd/*.service and .timer), the journal catalogs
# (userspace/*/systemd/*.catalog; journalctl reads them only from
# /usr/lib/systemd/catalog) and the bash completions
# (userspace/*/bash-completion/PROGRAM) under PREFIX, and the module for KVER
# in MODDIR; `make uninstall` removes exactly those files, from the same
# list.  The units as written run /usr/sbin/lw4o6 and /usr/sbin/lw4o6d (where
# the Debian package puts them); installed with another SBINDIR they run the
# programs from there.  debian/rules runs install-userspace with PREFIX=/usr.
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
COMPLETIONDIR ?= $(DATADIR)/bash-completion/completions
UNITDIR ?= $(PREFIX)/lib/systemd/system
CATALOGDIR ?= $(PREFIX)/lib/systemd/catalog
MODDIR ?= /lib/modules/$(KVER)/updates

# SOURCE:DESTINATION, one word a file
INST_PROGRAMS := userspace/lw4o6/lw4o6:$(SBINDIR)/lw4o6 \
	userspace/lw4o6d/lw4o6d:$(SBINDIR)/lw4o6d
INST_DATA := $(foreach f,$(wildcard docs/*.[1-8]),\
		$(f):$(MANDIR)/man$(subst .,,$(suffix $(f)))/$(notdir $(f))) \
	$(foreach f,$(wildcard userspace/*/bash-completion/*),\
		$(f):$(COMPLETIONDIR)/$(notdir $(f))) \
	$(foreach f,$(wildcard userspace/*/systemd/*.catalog),\
		$(f):$(CATALOGDIR)/$(notdir $(f)))
INST_UNITS := $(foreach f,$(wildcard userspace/*/systemd/*.service \
		userspace/*/systemd/*.timer),$(f):$(UNITDIR)/$(notdir $(f)))
INST_MODULE := $(BUILD)/$(KVER)/lw4o6.ko:$(MODDIR)/lw4o6.ko
inst-dest = $(foreach f,$(1),$(DESTDIR)$(word 2,$(subst :, ,$(f))))

install: install-userspace install-module

install-userspace: userspace
	@set -e; for f in $(INST_PROGRAMS); do \
		echo "install $${f%%:*} -> $(DESTDIR)$${f#*:}"; \
		install -D -m 0755 "$${f%%:*}" "$(DESTDIR)$${f#*:}"; done
	@set -e; for f in $(INST_DATA); do \
		echo "install $${f%%:*} -> $(DESTDIR)$${f#*:}"; \
		install -D -m 0644 "$${f%%:*}" "$(DESTDIR)$${f#*:}"; done
	@set -e; for f in $(INST_UNITS); do \
		echo "install $${f%%:*} -> $(DESTDIR)$${f#*:}"; \
		mkdir -p "$$(dirname "$(DESTDIR)$${f#*:}")"; \
		sed 's|/usr/sbin/lw4o6|$(SBINDIR)/lw4o6|g' "$${f%%:*}" > "$(DESTDIR)$${f#*:}"; \
		chmod 0644 "$(DESTDIR)$${f#*:}"; done

install-module: module
	install -D -m 0644 $(BUILD)/$(KVER)/lw4o6.ko $(call inst-dest,$(INST_MODULE))
	[ -n "$(DESTDIR)" ] || depmod -a $(KVER)

uninstall: uninstall-userspace uninstall-module

uninstall-userspace:
	rm -f $(call inst-dest,$(INST_PROGRAMS) $(INST_DATA) $(INST_UNITS))

uninstall-module:
	rm -f $(call inst-dest,$(INST_MODULE))
	[ -n "$(DESTDIR)" ] || depmod -a $(KVER)

# ---- DKMS ---------------------------------------------------------------------
# The module's sources as DKMS builds them, in /usr/src/lw4o6-VERSION with
# dkms.conf's version filled in: what lw4o6-dkms ships, and what
# dkms-install registers.
DKMS_SRC := /usr/src/lw4o6-$(VERSION)
DKMS_FILES := Kbuild kmod/Kbuild $(wildcard kmod/*.c kmod/*.h) \
	$(shell find include -name '*.h' | LC_ALL=C sort)

dkms-source:
	rm -rf $(DESTDIR)$(DKMS_SRC)
	@set -e; for f in $(DKMS_FILES); do \
		install -D -m 0644 "$$f" "$(DESTDIR)$(DKMS_SRC)/$$f"; done
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf > $(DESTDIR)$(DKMS_SRC)/dkms.conf
	chmod 0644 $(DESTDIR)$(DKMS_SRC)/dkms.conf

dkms-install:
	$(MAKE) dkms-source DESTDIR=
	dkms add -m lw4o6 -v $(VERSION)
	dkms install -m lw4o6 -v $(VERSION) -k $(KVER)

# Every kernel's build of this version, then its sources.
dkms-remove:
	if dkms status -m lw4o6 -v $(VERSION) | grep -q .; then \
		dkms remove -m lw4o6 -v $(VERSION) --all; fi
	rm -rf $(DKMS_SRC)

# ---- Debian packages -------------------------------------------------------
# lw4o6-dkms and lw4o6 (debian/), built by dpkg-buildpackage in a copy of the
# tree under build/deb/src so that the tree itself stays as it is; the
# .debs, .buildinfo and .changes end up in build/deb.
DEB_DIR := $(BUILD)/deb
DEB_SRC := $(DEB_DIR)/src/lw4o6-$(VERSION)

deb:
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_SRC)
	@# Sources only, never build products, so that this can run while the
	@# tree is being built: git's list in a clone (tracked files, and new
	@# ones it does not ignore), else the tree without what builds make.
	if git -C $(CURDIR) rev-parse --git-dir > /dev/null 2>&1; then \
		git -C $(CURDIR) ls-files -z --cached --others --exclude-standard | \
		tar -C $(CURDIR) --null --ignore-failed-read -T - -cf -; \
	else \
		tar -C $(CURDIR) --exclude=./build --exclude='*.o' --exclude='*.ko' \
			--exclude='*.a' --exclude='*.mod' --exclude='*.mod.c' \
			--exclude='.*.cmd' --exclude=Module.symvers \
			--exclude=modules.order -cf - .; \
	fi | tar -C $(DEB_SRC) -xf -
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b -J$(NPROC)
	mv $(DEB_DIR)/src/*.deb $(DEB_DIR)/src/*.buildinfo $(DEB_DIR)/src/*.changes $(DEB_DIR)/
	rm -rf $(DEB_DIR)/src
	@ls -l $(DEB_DIR)

clean:
	rm -rf $(BUILD)
	$(MAKE) -C userspace clean
