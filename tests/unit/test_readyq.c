/*
 * The run queue: highest priority first, ties by node id, against a sorted
 * reference over many random pushes and pops.
 */
#include "readyq.h"
#include "test_util.h"

static int cmp(const void *a, const void *b)
{
	const readyq_item *x = a, *y = b;
	if (x->prio != y->prio)
		return x->prio > y->prio ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void test_order(void **state)
{
	(void)state;
	readyq q = {0};
	readyq_item ref[4096];
	size_t n = 0;
	unsigned seed = 3;
	for (int step = 0; step < 20000; step++) {
		seed = seed * 1103515245u + 12345u;
		if (n < 4096 && ((seed >> 16) % 3 != 0 || n == 0)) {
			readyq_item it = {(double)((seed >> 4) % 17), (uint32_t)step};
			assert_int_equal(readyq_push(&q, it.id, it.prio), WEFT_OK);
			ref[n++] = it;
		} else {
			qsort(ref, n, sizeof *ref, cmp);
			readyq_item got;
			assert_true(readyq_peek(&q, &got));
			assert_int_equal(got.id, ref[0].id);
			assert_true(readyq_pop(&q, &got));
			assert_int_equal(got.id, ref[0].id);
			memmove(ref, ref + 1, (--n) * sizeof *ref);
		}
		assert_int_equal(q.n, n);
	}
	qsort(ref, n, sizeof *ref, cmp);
	uint32_t top[10];
	size_t k = readyq_top(&q, top, 10);
	assert_int_equal(k, n < 10 ? n : 10);
	for (size_t i = 0; i < k; i++)
		assert_int_equal(top[i], ref[i].id);
	readyq_item it;
	while (readyq_pop(&q, &it))
		;
	assert_false(readyq_peek(&q, &it));
	readyq_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
