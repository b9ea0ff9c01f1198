// SPDX-License-Identifier: GPL-2.0 OR MIT
/* include/lw4o6/psid.h against RFC 7597 section 5.1 and brute force. */
#include <stdlib.h>
#include <string.h>

#include <lw4o6/psid.h>

#include "cmocka_wrap.h"

static void test_shape_valid(void **state)
{
	unsigned int a, k;

	(void)state;
	for (a = 0; a <= 20; a++)
		for (k = 0; k <= 20; k++)
			assert_int_equal(!!lw4o6_psid_shape_valid(a, k),
					 a <= 15 && k <= 16 && a + k <= 16);
	/* a = 16 would leave no room for i >= 1: refused even with k = 0. */
	assert_false(lw4o6_psid_shape_valid(16, 0));
	assert_true(lw4o6_psid_shape_valid(0, 16));
	assert_true(lw4o6_psid_shape_valid(15, 1));
	assert_false(lw4o6_psid_shape_valid(15, 2));
}

static void test_psid_valid(void **state)
{
	(void)state;
	assert_true(lw4o6_psid_valid(0, 0));
	assert_false(lw4o6_psid_valid(0, 1));
	assert_true(lw4o6_psid_valid(6, 63));
	assert_false(lw4o6_psid_valid(6, 64));
	assert_true(lw4o6_psid_valid(16, 65535));
}

/*
 * RFC 7597 Appendix B, example 1: a = 6, k = 8, PSID 0x34 gives the port
 * set 1232-1235, 2256-2259, ..., 63696-63699, 64720-64723.
 */
static void test_rfc7597_example(void **state)
{
	const unsigned int a = 6, k = 8, psid = 0x34;

	(void)state;
	assert_int_equal(lw4o6_range_len(a, k), 4);
	assert_int_equal(lw4o6_set_ranges(a), 63);
	assert_int_equal(lw4o6_set_size(a, k), 63 * 4);
	assert_int_equal(lw4o6_range_first(0, a, k, psid), 1232);
	assert_int_equal(lw4o6_range_first(1, a, k, psid), 2256);
	assert_int_equal(lw4o6_range_first(61, a, k, psid), 63696);
	assert_int_equal(lw4o6_range_first(62, a, k, psid), 64720);
	assert_true(lw4o6_port_in_set(1232, a, k, psid));
	assert_true(lw4o6_port_in_set(1235, a, k, psid));
	assert_false(lw4o6_port_in_set(1236, a, k, psid));
	assert_false(lw4o6_port_in_set(1231, a, k, psid));
	assert_true(lw4o6_port_in_set(64723, a, k, psid));
	assert_int_equal(lw4o6_port_psid(2257, a, k), 0x34);
	/* Ports 0..1023 (i = 0) belong to nobody when a = 6. */
	assert_false(lw4o6_port_usable(1023, a));
	assert_true(lw4o6_port_usable(1024, a));
	assert_false(lw4o6_port_in_set(208, a, k, psid));
}

/* a = 4, k = 8: m = 4, 15 ranges of 16 ports, 240 ports per PSID. */
static void test_a4_k8(void **state)
{
	(void)state;
	assert_int_equal(lw4o6_range_len(4, 8), 16);
	assert_int_equal(lw4o6_set_ranges(4), 15);
	assert_int_equal(lw4o6_set_size(4, 8), 240);
	assert_int_equal(lw4o6_range_first(0, 4, 8, 0), 4096);
	assert_int_equal(lw4o6_range_first(0, 4, 8, 255), 4096 + 255 * 16);
	assert_int_equal(lw4o6_range_first(14, 4, 8, 1), 15 * 4096 + 16);
	assert_false(lw4o6_port_usable(4095, 4));
}

static void test_edges(void **state)
{
	(void)state;
	/* k = 0, a = 0: the whole address, one PSID owning every port. */
	assert_int_equal(lw4o6_set_size(0, 0), 65536);
	assert_int_equal(lw4o6_range_first(0, 0, 0, 0), 0);
	assert_true(lw4o6_port_in_set(0, 0, 0, 0));
	assert_true(lw4o6_port_in_set(65535, 0, 0, 0));
	/* k = 0, a = 6: everything but the first 1024 ports. */
	assert_int_equal(lw4o6_set_size(6, 0), 65536 - 1024);
	assert_false(lw4o6_port_in_set(1023, 6, 0, 0));
	assert_true(lw4o6_port_in_set(1024, 6, 0, 0));
	/* k = 16: one port per PSID. */
	assert_int_equal(lw4o6_set_size(0, 16), 1);
	assert_int_equal(lw4o6_range_first(0, 0, 16, 12345), 12345);
	assert_true(lw4o6_port_in_set(12345, 0, 16, 12345));
	assert_false(lw4o6_port_in_set(12346, 0, 16, 12345));
	/* a + k = 16: m = 0, ranges of one port. */
	assert_int_equal(lw4o6_range_len(6, 10), 1);
	assert_int_equal(lw4o6_set_size(6, 10), 63);
	assert_int_equal(lw4o6_range_first(0, 6, 10, 5), 1024 + 5);
	/* a = 0, k = 6 (Snabb's usual): PSID p owns p*1024 .. p*1024+1023. */
	assert_int_equal(lw4o6_set_size(0, 6), 1024);
	assert_int_equal(lw4o6_range_first(0, 0, 6, 3), 3072);
	assert_true(lw4o6_port_in_set(0, 0, 6, 0));
	/* a = 15, k = 1: i in 1..32767 at bit 1, PSID at bit 0. */
	assert_int_equal(lw4o6_set_size(15, 1), 32767);
	assert_false(lw4o6_port_usable(1, 15));
	assert_true(lw4o6_port_in_set(3, 15, 1, 1));
}

/*
 * Every shape, every port: each usable port is in exactly one PSID's set,
 * that set's size matches set_size(), and walking its ranges visits exactly
 * the ports port_in_set() accepts.
 */
static void test_brute_force(void **state)
{
	uint32_t *count = calloc(65536, sizeof(*count));
	uint8_t *seen = calloc(65536, 1);
	unsigned int a, k;

	(void)state;
	assert_non_null(count);
	assert_non_null(seen);
	for (a = 0; a <= 15; a++) {
		for (k = 0; a + k <= 16; k++) {
			unsigned int npsid = 1U << k, p, usable = 0;
			uint32_t port;

			memset(count, 0, 65536 * sizeof(*count));
			for (port = 0; port < 65536; port++) {
				uint16_t ps;

				if (!lw4o6_port_usable((uint16_t)port, a)) {
					assert_true(a > 0 && port < (1U << (16 - a)));
					continue;
				}
				usable++;
				ps = lw4o6_port_psid((uint16_t)port, a, k);
				assert_true(ps < npsid);
				assert_true(lw4o6_port_in_set((uint16_t)port, a, k, ps));
				if (npsid > 1)
					assert_false(lw4o6_port_in_set((uint16_t)port, a, k,
								       (ps + 1) % npsid));
				count[ps]++;
			}
			assert_int_equal(usable, a ? 65536 - (1U << (16 - a)) : 65536);
			for (p = 0; p < npsid; p++) {
				unsigned int r, total = 0;

				assert_int_equal(count[p], lw4o6_set_size(a, k));
				/* The ranges cover the set exactly, no overlap. */
				memset(seen, 0, 65536);
				for (r = 0; r < lw4o6_set_ranges(a); r++) {
					uint32_t first = lw4o6_range_first(r, a, k, p);
					uint32_t j;

					for (j = 0; j < lw4o6_range_len(a, k); j++) {
						assert_true(first + j < 65536);
						assert_false(seen[first + j]);
						seen[first + j] = 1;
						assert_true(lw4o6_port_in_set((uint16_t)(first + j),
									      a, k, p));
						total++;
					}
				}
				assert_int_equal(total, lw4o6_set_size(a, k));
			}
		}
	}
	free(count);
	free(seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape_valid),
		cmocka_unit_test(test_psid_valid),
		cmocka_unit_test(test_rfc7597_example),
		cmocka_unit_test(test_a4_k8),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_brute_force),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
