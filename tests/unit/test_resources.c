/*
 * Resource pools: weft.yaml declarations and their errors, detection from
 * the environment, and the run-time invariant that no pool is ever
 * oversubscribed and no device is ever held by two nodes.
 */
#include <stdio.h>

#include "resources.h"
#include "test_util.h"

static weft_value *yaml(const char *text)
{
	weft_value *v = NULL;
	assert_int_equal(weft_value_from_yaml(&v, text, strlen(text), "weft.yaml"), WEFT_OK);
	return v;
}

static void test_sizes(void **state)
{
	(void)state;
	uint64_t v;
	assert_int_equal(weft_parse_size(&v, "512"), WEFT_OK);
	assert_int_equal(v, 512);
	assert_int_equal(weft_parse_size(&v, "64G"), WEFT_OK);
	assert_int_equal(v, 64ull << 30);
	assert_int_equal(weft_parse_size(&v, "1.5GiB"), WEFT_OK);
	assert_int_equal(v, 3ull << 29);
	assert_int_equal(weft_parse_size(&v, "2 MB"), WEFT_OK);
	assert_int_equal(v, 2ull << 20);
	assert_int_equal(weft_parse_size(&v, "lots"), WEFT_EINVALID);
	assert_int_equal(weft_parse_size(&v, "5X"), WEFT_EINVALID);
	assert_int_equal(weft_parse_size(&v, "-1G"), WEFT_EINVALID);
	double d;
	assert_int_equal(weft_parse_duration(&d, "1h30m"), WEFT_OK);
	assert_true(d == 5400);
	assert_int_equal(weft_parse_duration(&d, "500ms"), WEFT_OK);
	assert_true(d > 0.4999 && d < 0.5001);
	assert_int_equal(weft_parse_duration(&d, "90"), WEFT_OK);
	assert_true(d == 90);
	assert_int_equal(weft_parse_duration(&d, "soon"), WEFT_EINVALID);
	assert_int_equal(weft_parse_duration(&d, "5 minutes"), WEFT_EINVALID);
}

static void test_load(void **state)
{
	(void)state;
	weft_resources *r;
	assert_int_equal(weft_resources_new(&r), WEFT_OK);
	weft_value *v = yaml("gpu: 8\nnpu: [4, 5]\nmem: 64G\nlicense: 2\nfpga: [a, b]\n");
	assert_int_equal(weft_resources_load(r, v, "weft.yaml"), WEFT_OK);
	weft_value_free(v);
	assert_int_equal(weft_resources_capacity(r, "gpu"), 8);
	assert_int_equal(weft_resources_capacity(r, "npu"), 2);
	assert_int_equal(weft_resources_capacity(r, "mem"), 64ull << 30);
	assert_int_equal(weft_resources_capacity(r, "license"), 2);
	int npu = res_pool_find(r, "npu"), fpga = res_pool_find(r, "fpga"), lic = res_pool_find(r, "license");
	assert_true(res_pool_is_device(r, (size_t)npu));
	assert_string_equal(res_device_id(r, (size_t)npu, 1), "5");
	assert_string_equal(res_pool_env(r, (size_t)npu), "ASCEND_RT_VISIBLE_DEVICES");
	assert_string_equal(res_pool_env(r, (size_t)res_pool_find(r, "gpu")), "CUDA_VISIBLE_DEVICES");
	assert_string_equal(res_pool_env(r, (size_t)fpga), "WEFT_FPGA_IDS");
	assert_false(res_pool_is_device(r, (size_t)lic));
	char *text = weft_resources_describe(r);
	assert_non_null(strstr(text, "gpu      8 devices: 0,1,2,3,4,5,6,7  (weft.yaml; exported as CUDA_VISIBLE_DEVICES)"));
	free(text);

	static const char *const bad[][2] = {
		{"gpu: -1\n", "resources.gpu must be a count from 0 to 4096"},
		{"gpu: 64G\n", "resources.gpu must be a count or a list"},
		{"mem: lots\n", "resources.mem: 'lots' is not a size"},
		{"npu: [0, 0]\n", "device id '0' is listed twice"},
		{"npu: [[1]]\n", "resources.npu[1]: a device id is a number or a string"},
		{"\"bad name\": 1\n", "invalid resource name 'bad name'"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		v = yaml(bad[i][0]);
		assert_int_equal(weft_resources_load(r, v, "weft.yaml"), WEFT_EINVALID);
		if (!strstr(weft_error_last(), bad[i][1]) || !strstr(weft_error_last(), "weft.yaml"))
			fail_msg("case %zu: '%s' lacks '%s'", i, weft_error_last(), bad[i][1]);
		weft_value_free(v);
	}
	weft_resources_free(r);
}

static void test_detect(void **state)
{
	(void)state;
	weft_resources *r;
	assert_int_equal(weft_resources_new(&r), WEFT_OK);
	setenv("CUDA_VISIBLE_DEVICES", " 2, GPU-1234 ,7,-1,3", 1);
	setenv("ASCEND_RT_VISIBLE_DEVICES", "0,1", 1);
	assert_int_equal(weft_resources_detect(r), WEFT_OK);
	int gpu = res_pool_find(r, "gpu");
	assert_true(gpu >= 0);
	/* CUDA ignores everything from the first invalid entry on. */
	assert_int_equal(res_device_count(r, (size_t)gpu), 3);
	assert_string_equal(res_device_id(r, (size_t)gpu, 1), "GPU-1234");
	assert_int_equal(weft_resources_capacity(r, "npu"), 2);
	assert_true(weft_resources_capacity(r, "cpus") >= 1);
	assert_true(weft_resources_capacity(r, "mem") > 0);
	weft_resources_free(r);

	/* A declaration wins over the environment. */
	assert_int_equal(weft_resources_new(&r), WEFT_OK);
	assert_int_equal(weft_resources_set(r, "cpus", 3, "test"), WEFT_OK);
	weft_value *v = yaml("gpu: 1\n");
	assert_int_equal(weft_resources_load(r, v, "weft.yaml"), WEFT_OK);
	weft_value_free(v);
	assert_int_equal(weft_resources_detect(r), WEFT_OK);
	assert_int_equal(weft_resources_capacity(r, "gpu"), 1);
	assert_int_equal(weft_resources_capacity(r, "cpus"), 3);
	weft_resources_free(r);
	unsetenv("CUDA_VISIBLE_DEVICES");
	unsetenv("ASCEND_RT_VISIBLE_DEVICES");
}

/* Random takes and gives never oversubscribe a pool or share a device. */
static void test_never_oversubscribe(void **state)
{
	(void)state;
	weft_resources *decl, *r;
	assert_int_equal(weft_resources_new(&decl), WEFT_OK);
	weft_value *v = yaml("gpu: 4\nnpu: 1\ncpus: 6\nlicense: 2\n");
	assert_int_equal(weft_resources_load(decl, v, "weft.yaml"), WEFT_OK);
	weft_value_free(v);
	assert_int_equal(res_clone(&r, decl), WEFT_OK);
	weft_resources_free(decl);
	int gpu = res_pool_find(r, "gpu"), npu = res_pool_find(r, "npu"), cpus = res_pool_find(r, "cpus"),
	    lic = res_pool_find(r, "license");
	enum { N = 64 };
	res_ask asks[N][4];
	int held[N] = {0};
	unsigned seed = 7;
	for (int i = 0; i < N; i++) {
		seed = seed * 1103515245u + 12345u;
		asks[i][0] = (res_ask){(uint16_t)gpu, (seed >> 16) % 3};
		asks[i][1] = (res_ask){(uint16_t)npu, (seed >> 18) % 2};
		asks[i][2] = (res_ask){(uint16_t)cpus, 1 + (seed >> 20) % 3};
		asks[i][3] = (res_ask){(uint16_t)lic, (seed >> 22) % 2};
	}
	size_t taken = 0, refused = 0;
	for (int step = 0; step < 20000; step++) {
		seed = seed * 1103515245u + 12345u;
		int i = (int)((seed >> 8) % N);
		if (held[i]) {
			res_give(r, asks[i], 4, (uint32_t)i, step);
			held[i] = 0;
		} else if (res_fits(r, asks[i], 4, NULL)) {
			assert_int_equal(res_take(r, asks[i], 4, (uint32_t)i, step), WEFT_OK);
			held[i] = 1;
			taken++;
		} else {
			assert_int_not_equal(res_take(r, asks[i], 4, (uint32_t)i, step), WEFT_OK);
			refused++;
		}
		/* The invariant, recomputed from scratch. */
		uint64_t want[4] = {0};
		for (int k = 0; k < N; k++)
			for (int a = 0; held[k] && a < 4; a++)
				want[a] += asks[k][a].amount;
		assert_int_equal(res_pool_used(r, (size_t)gpu), want[0]);
		assert_int_equal(res_pool_used(r, (size_t)npu), want[1]);
		assert_int_equal(res_pool_used(r, (size_t)cpus), want[2]);
		assert_int_equal(res_pool_used(r, (size_t)lic), want[3]);
		assert_true(want[0] <= 4 && want[1] <= 1 && want[2] <= 6 && want[3] <= 2);
		for (int k = 0; k < N; k++) {
			size_t got = 0;
			for (size_t d = 0; d < 4; d++)
				got += res_device_holder(r, (size_t)gpu, d) == (uint32_t)k;
			assert_int_equal(got, held[k] ? asks[k][0].amount : 0);
		}
	}
	assert_true(taken > 1000 && refused > 1000);
	weft_resources_free(r);
}

static void test_ids_and_busy(void **state)
{
	(void)state;
	weft_resources *r;
	const char *ids[] = {"3", "5", "9"};
	assert_int_equal(weft_resources_new(&r), WEFT_OK);
	assert_int_equal(weft_resources_set_devices(r, "gpu", ids, 3, "test"), WEFT_OK);
	res_ask one = {0, 1}, two = {0, 2};
	assert_int_equal(res_take(r, &one, 1, 10, 100.0), WEFT_OK);
	assert_int_equal(res_take(r, &two, 1, 11, 101.0), WEFT_OK);
	char *a = res_ids_of(r, 0, 10), *b = res_ids_of(r, 0, 11), *c = res_ids_of(r, 0, 12);
	assert_string_equal(a, "3");
	assert_string_equal(b, "5,9");
	assert_string_equal(c, "");
	free(a);
	free(b);
	free(c);
	uint64_t short_mask = 0;
	assert_false(res_fits(r, &one, 1, &short_mask));
	assert_int_equal(short_mask, 1);
	res_give(r, &one, 1, 10, 104.0);
	assert_true(res_device_busy(r, 0, 0, 200.0) == 4.0);
	assert_true(res_device_busy(r, 0, 1, 102.0) == 1.0); /* still held: counted up to now */
	assert_int_equal(res_device_holder(r, 0, 0), RES_FREE);
	/* The lowest free id goes first. */
	assert_int_equal(res_take(r, &one, 1, 12, 105.0), WEFT_OK);
	assert_int_equal(res_device_holder(r, 0, 0), 12);
	weft_resources_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_never_oversubscribe),
		cmocka_unit_test(test_ids_and_busy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
