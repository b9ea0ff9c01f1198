// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * anycast_state.c: withdrawn at start, announced only after hold_ms of
 * passing checks in a row, withdrawn at the first failure, and a failure
 * inside the hold-down starts it again.
 */
#include "anycast_state.h"
#include "tests/cmocka_wrap.h"

static void test_hold_down(void **state)
{
	struct anycast_state st;

	(void)state;
	anycast_state_init(&st, 5000);
	assert_false(st.announced);
	assert_int_equal(anycast_state_step(&st, false, 0), ANYCAST_KEEP);
	assert_int_equal(anycast_state_step(&st, true, 1000), ANYCAST_KEEP);
	assert_int_equal(anycast_state_step(&st, true, 5999), ANYCAST_KEEP);
	assert_int_equal(anycast_state_step(&st, true, 6000), ANYCAST_ANNOUNCE);
	assert_true(st.announced);
	assert_int_equal(anycast_state_step(&st, true, 7000), ANYCAST_KEEP);
	/* the first failure withdraws, the next ones do nothing more */
	assert_int_equal(anycast_state_step(&st, false, 8000), ANYCAST_WITHDRAW);
	assert_false(st.announced);
	assert_int_equal(anycast_state_step(&st, false, 9000), ANYCAST_KEEP);
	/* a flap inside the hold-down starts it again */
	assert_int_equal(anycast_state_step(&st, true, 10000), ANYCAST_KEEP);
	assert_int_equal(anycast_state_step(&st, false, 14000), ANYCAST_KEEP);
	assert_int_equal(anycast_state_step(&st, true, 15000), ANYCAST_KEEP);
	assert_int_equal(anycast_state_step(&st, true, 19999), ANYCAST_KEEP);
	assert_int_equal(anycast_state_step(&st, true, 20000), ANYCAST_ANNOUNCE);
}

static void test_no_hold_down(void **state)
{
	struct anycast_state st;

	(void)state;
	anycast_state_init(&st, 0);
	assert_int_equal(anycast_state_step(&st, true, 0), ANYCAST_ANNOUNCE);
	assert_int_equal(anycast_state_step(&st, false, 1), ANYCAST_WITHDRAW);
	assert_int_equal(anycast_state_step(&st, true, 2), ANYCAST_ANNOUNCE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hold_down),
		cmocka_unit_test(test_no_hold_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
