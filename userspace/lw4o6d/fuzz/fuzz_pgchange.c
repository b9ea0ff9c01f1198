/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libFuzzer harness for the PostgreSQL store's NOTIFY payload parser
 * (store_pg_change.c): another writer's text, so untrusted.  ASan catches
 * reads past the input (the payload is not NUL-terminated here); the
 * asserts catch a parser and a formatter that disagree: whatever parses
 * must format, and that must parse back to the same change.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../store_pg_change.h"

static void check(int ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pg_change c, d;
	char buf[512];
	int n;

	if (pg_change_parse((const char *)data, size, &c))
		return 0;
	check(c.op == STORE_PUT || c.op == STORE_DEL);
	check(c.m.psid_len <= 16 && c.m.offset + c.m.psid_len <= 16);
	check(!(c.m.psid >> c.m.psid_len));
	n = pg_change_format(&c, buf, sizeof(buf));
	check(n > 0);
	/*
	 * Not byte for byte: an address has several spellings (PostgreSQL's
	 * host() and inet_ntop may differ), so the values are compared.
	 */
	check(!pg_change_parse(buf, (size_t)n, &d));
	check(!memcmp(&c, &d, sizeof(c)));
	return 0;
}
