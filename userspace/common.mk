# SPDX-License-Identifier: GPL-2.0 OR MIT
# What lib/, lw4o6/ and lw4o6d/ build with; included from each Makefile,
# which runs in its own folder (so paths here are from one level down).

.DEFAULT_GOAL := all

TOPDIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
USERDIR := $(TOPDIR)/userspace
LIBDIR := $(USERDIR)/lib

# The project's version is the newest entry of debian/changelog, and
# nowhere else (a native package: no Debian revision to strip).
VERSION := $(shell sed -n '1s/^[^ ]* (\([^()]*\)).*/\1/p' $(TOPDIR)/debian/changelog 2>/dev/null)
ifeq ($(VERSION),)
$(error cannot read the version from $(TOPDIR)/debian/changelog)
endif

CC ?= cc
PKG_CONFIG ?= pkg-config
MNL_CFLAGS := $(shell $(PKG_CONFIG) --cflags libmnl 2>/dev/null)
MNL_LIBS := $(shell $(PKG_CONFIG) --libs libmnl 2>/dev/null || echo -lmnl)
CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

# include/uapi first: <linux/lw4o6.h> must be ours, not a system copy.
# lib/ is on the path of every part; lib/tests for the cmocka wrapper.
CPPFLAGS += -I$(TOPDIR)/include/uapi -I$(TOPDIR)/include -I$(LIBDIR) -I. \
	-DLW4O6_VERSION='"$(VERSION)"' $(MNL_CFLAGS)
CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Werror -std=gnu11

UAPI_DEPS := $(TOPDIR)/include/uapi/linux/lw4o6.h $(TOPDIR)/include/lw4o6/psid.h
LIBLW4O6 := $(LIBDIR)/liblw4o6.a
LIB_HDRS := $(wildcard $(LIBDIR)/*.h)

$(LIBLW4O6): FORCE
	$(MAKE) -C $(LIBDIR) liblw4o6.a

FORCE:
.PHONY: FORCE
