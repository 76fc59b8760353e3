/* Action-cache entries: the binary layout round-trips every kind of value,
 * damaged entries read as misses (and are removed), and entries written in
 * the earlier forms (JSON, FNV-1a checksums) are still served. */
#include "test_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "value_bin.h"

static const char *KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static weft_value *sample(void)
{
	weft_value *m = weft_value_map();
	weft_value *l = weft_value_list();
	assert_non_null(m);
	assert_non_null(l);
	assert_int_equal(weft_value_list_push(l, weft_value_int(-7)), WEFT_OK);
	assert_int_equal(weft_value_list_push(l, weft_value_float(0.1)), WEFT_OK);
	assert_int_equal(weft_value_list_push(l, weft_value_string("a\0b", 3)), WEFT_OK);
	assert_int_equal(weft_value_list_push(l, weft_value_null()), WEFT_OK);
	assert_int_equal(weft_value_list_push(l, weft_value_bool(1)), WEFT_OK);
	assert_int_equal(weft_value_map_set(m, "list", l), WEFT_OK);
	assert_int_equal(weft_value_map_set(m, "file", weft_value_artifact(KEY, 0, 12345)), WEFT_OK);
	assert_int_equal(weft_value_map_set(m, "dir", weft_value_artifact(KEY, 1, 0)), WEFT_OK);
	assert_int_equal(weft_value_map_set(m, "", weft_value_map()), WEFT_OK);
	return m;
}

static int same(const weft_value *a, const weft_value *b)
{
	char *ja = weft_value_to_json(a, 0), *jb = weft_value_to_json(b, 0);
	int eq = ja && jb && !strcmp(ja, jb);
	char ha[65], hb[65];
	eq = eq && weft_value_hash(ha, a) == WEFT_OK && weft_value_hash(hb, b) == WEFT_OK && !strcmp(ha, hb);
	free(ja);
	free(jb);
	return eq;
}

static void test_value_bin_roundtrip_and_damage(void **state)
{
	(void)state;
	weft_value *v = sample();
	weft_buf b = {0};
	assert_int_equal(weft_value_bin_put(&b, v), WEFT_OK);
	weft_value *back = NULL;
	size_t used = 0;
	assert_int_equal(weft_value_bin_get(&back, b.data, b.len, &used), WEFT_OK);
	assert_int_equal(used, b.len);
	assert_true(same(v, back));
	assert_int_equal(weft_value_artifact_size(weft_value_map_get(back, "file")), 12345);
	weft_value_free(back);
	for (size_t cut = 0; cut < b.len; cut++) {
		back = NULL;
		if (weft_value_bin_get(&back, b.data, cut, &used) == WEFT_OK) {
			assert_true(used <= cut);
			weft_value_free(back);
		}
	}
	unsigned seed = 99;
	for (int i = 0; i < 20000; i++) {
		char *copy = malloc(b.len);
		assert_non_null(copy);
		memcpy(copy, b.data, b.len);
		seed = seed * 1103515245u + 12345u;
		copy[(seed >> 8) % b.len] = (char)(seed >> 20);
		back = NULL;
		if (weft_value_bin_get(&back, copy, b.len, &used) == WEFT_OK)
			weft_value_free(back);
		free(copy);
	}
	weft_buf_free(&b);
	weft_value_free(v);
}

/* Keys out of order or repeated are damage (found by fuzz_value_bin): a
 * decoded value always encodes back to the bytes it came from. */
static void test_value_bin_refuses_unsorted_keys(void **state)
{
	(void)state;
	static const unsigned char unsorted[] = {
		'M', 0, 0, 0, 0, 0, 0, 0, 2,       /* two entries */
		0, 0, 0, 0, 0, 0, 0, 1, 'b', 'N',  /* "b": null */
		0, 0, 0, 0, 0, 0, 0, 1, 'a', 'N',  /* "a": null, after "b" */
	};
	static const unsigned char repeated[] = {
		'M', 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 'a', 'N', 0, 0, 0, 0, 0, 0, 0, 1, 'a', 'T',
	};
	weft_value *v = NULL;
	assert_int_not_equal(weft_value_bin_get(&v, unsorted, sizeof unsorted, NULL), WEFT_OK);
	assert_int_not_equal(weft_value_bin_get(&v, repeated, sizeof repeated, NULL), WEFT_OK);
	static const unsigned char sorted[] = {
		'M', 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 'a', 'N', 0, 0, 0, 0, 0, 0, 0, 1, 'b', 'T',
	};
	assert_int_equal(weft_value_bin_get(&v, sorted, sizeof sorted, NULL), WEFT_OK);
	weft_value_free(v);
}

static char *entry_file(const char *root)
{
	return weft_sprintf("%s/ac/%.2s/%s", root, KEY, KEY + 2);
}

static void test_entry_roundtrip(void **state)
{
	(void)state;
	char *dir = tmpdir_new();
	weft_value *v = sample();
	weft_cache_meta meta = {"core.noop", "n1", 0.25};
	assert_int_equal(weft_cache_put(dir, KEY, v, NULL, &meta), WEFT_OK);
	weft_value *got = NULL;
	double elapsed = -1;
	assert_int_equal(weft_cache_get_ex(&got, NULL, &elapsed, dir, KEY), WEFT_OK);
	assert_true(same(v, got));
	assert_true(elapsed == 0.25); /* the compute time comes back with a hit */
	weft_value_free(got);
	/* With the inputs' hashes, which a hit hands back (no hashing needed). */
	weft_value *in = weft_value_map();
	assert_int_equal(weft_value_map_set(in, "table", weft_value_cstr(KEY)), WEFT_OK);
	assert_int_equal(weft_cache_put(dir, KEY, v, in, &meta), WEFT_OK);
	weft_value *hashes = NULL;
	assert_int_equal(weft_cache_get(&got, &hashes, dir, KEY), WEFT_OK);
	assert_true(same(v, got));
	assert_non_null(hashes);
	assert_true(same(in, hashes));
	weft_value_free(hashes);
	weft_value_free(got);
	weft_value_free(in);
	/* The same bytes under another key's name are not that key's entry. */
	char *path = entry_file(dir);
	char other[65];
	memcpy(other, KEY, 65);
	other[63] = '0';
	char *opath = weft_sprintf("%s/ac/%.2s/%s", dir, other, other + 2);
	assert_int_equal(weft_copy_file_atomic(path, opath, 0644), WEFT_OK);
	assert_int_equal(weft_cache_get(&got, NULL, dir, other), WEFT_ENOTFOUND);
	assert_int_not_equal(access(opath, F_OK), 0); /* removed */
	free(opath);
	weft_value_free(v);
	free(path);
	weft_rm_rf(dir);
	free(dir);
}

static void test_damaged_entries_are_misses(void **state)
{
	(void)state;
	char *dir = tmpdir_new();
	weft_value *v = sample();
	weft_cache_meta meta = {"core.noop", "n1", 0.25};
	assert_int_equal(weft_cache_put(dir, KEY, v, NULL, &meta), WEFT_OK);
	char *path = entry_file(dir), *good = NULL;
	size_t len = 0;
	assert_int_equal(weft_read_file(path, &good, &len), WEFT_OK);
	for (size_t i = 0; i < len; i++) {
		/* Cut at every length, then flip one byte at every offset. */
		char *bytes = malloc(len);
		assert_non_null(bytes);
		memcpy(bytes, good, len);
		size_t n = i;
		if (i % 2)
			bytes[i] ^= 0x20, n = len;
		assert_int_equal(weft_write_file_atomic(path, bytes, n, 0), WEFT_OK);
		weft_value *got = NULL;
		assert_int_equal(weft_cache_get(&got, NULL, dir, KEY), WEFT_ENOTFOUND);
		assert_null(got);
		free(bytes);
	}
	/* Intact again: a hit. */
	assert_int_equal(weft_write_file_atomic(path, good, len, 0), WEFT_OK);
	weft_value *got = NULL;
	assert_int_equal(weft_cache_get(&got, NULL, dir, KEY), WEFT_OK);
	weft_value_free(got);
	free(good);
	free(path);
	weft_value_free(v);
	weft_rm_rf(dir);
	free(dir);
}

static void put_be64_at(char *p, uint64_t v);

/* A hit is a use: gc's last-used time (the entry's mtime) moves to now,
 * unless the entry was written within the last hour. */
static void test_hit_refreshes_last_use(void **state)
{
	(void)state;
	char *dir = tmpdir_new();
	weft_value *v = sample();
	weft_cache_meta meta = {"core.noop", "n1", 0.25};
	assert_int_equal(weft_cache_put(dir, KEY, v, NULL, &meta), WEFT_OK);
	char *path = entry_file(dir);
	struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}}; /* 2001 */
	assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
	weft_value *got = NULL;
	struct stat sb;
	/* Written just now: not touched. */
	assert_int_equal(weft_cache_get(&got, NULL, dir, KEY), WEFT_OK);
	weft_value_free(got);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mtim.tv_sec, 1000000000);
	/* Written two hours ago (its created time rewritten, its checksum
	 * made again): touched. */
	char *bytes = NULL;
	size_t len = 0;
	assert_int_equal(weft_read_file(path, &bytes, &len), WEFT_OK);
	double created = weft_now() - 7200;
	uint64_t bits;
	memcpy(&bits, &created, sizeof bits);
	put_be64_at(bytes + 4 + 64, bits);
	put_be64_at(bytes + len - 8, weft_check64(bytes, len - 8));
	assert_int_equal(weft_write_file_atomic(path, bytes, len, 0), WEFT_OK);
	assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
	assert_int_equal(weft_cache_get(&got, NULL, dir, KEY), WEFT_OK);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(sb.st_mtim.tv_sec > 1600000000);
	free(bytes);
	weft_value_free(got);
	free(path);
	weft_value_free(v);
	weft_rm_rf(dir);
	free(dir);
}

static void put_be64_at(char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (char)(v >> (56 - 8 * i));
}

/* Entries of the format before (magic WAC2, an FNV-1a checksum) are still
 * hits; a WAC2 entry with the new checksum, or the reverse, is damaged. */
static void test_fnv_entries_still_read(void **state)
{
	(void)state;
	char *dir = tmpdir_new();
	weft_value *v = sample();
	weft_cache_meta meta = {"core.noop", "n1", 0.25};
	assert_int_equal(weft_cache_put(dir, KEY, v, NULL, &meta), WEFT_OK);
	char *path = entry_file(dir), *bytes = NULL;
	size_t len = 0;
	assert_int_equal(weft_read_file(path, &bytes, &len), WEFT_OK);
	assert_memory_equal(bytes, "WAC3", 4);
	uint64_t check = weft_check64(bytes, len - 8);
	memcpy(bytes, "WAC2", 4);
	assert_int_equal(weft_write_file_atomic(path, bytes, len, 0), WEFT_OK); /* WAC2, weft_check64 of WAC3 */
	weft_value *got = NULL;
	assert_int_equal(weft_cache_get(&got, NULL, dir, KEY), WEFT_ENOTFOUND);
	put_be64_at(bytes + len - 8, weft_fnv1a(bytes, len - 8));
	assert_int_equal(weft_write_file_atomic(path, bytes, len, 0), WEFT_OK);
	assert_int_equal(weft_cache_get(&got, NULL, dir, KEY), WEFT_OK);
	assert_true(same(v, got));
	weft_value_free(got);
	got = NULL;
	memcpy(bytes, "WAC3", 4); /* WAC3 with an FNV-1a checksum */
	assert_int_equal(weft_write_file_atomic(path, bytes, len, 0), WEFT_OK);
	assert_int_equal(weft_cache_get(&got, NULL, dir, KEY), WEFT_ENOTFOUND);
	put_be64_at(bytes + len - 8, check);
	assert_int_equal(weft_write_file_atomic(path, bytes, len, 0), WEFT_OK);
	assert_int_equal(weft_cache_get(&got, NULL, dir, KEY), WEFT_OK);
	weft_value_free(got);
	free(bytes);
	free(path);
	weft_value_free(v);
	weft_rm_rf(dir);
	free(dir);
}

static void test_json_entries_still_read(void **state)
{
	(void)state;
	char *dir = tmpdir_new();
	char *path = entry_file(dir), *sub = weft_path_dirname(path);
	assert_int_equal(weft_mkdirs(sub, 0755), WEFT_OK);
	char *text = weft_sprintf("{\"created\": 1.0, \"elapsed\": 0.5, \"key\": \"%s\", \"node\": \"n\", \"op\": "
				  "\"core.noop\", \"outputs\": {\"out\": 42}}",
				  KEY);
	write_text(path, text);
	weft_value *got = NULL;
	weft_value *legacy = (weft_value *)1;
	assert_int_equal(weft_cache_get(&got, &legacy, dir, KEY), WEFT_OK);
	assert_null(legacy); /* JSON entries carry no input hashes */
	assert_int_equal(weft_value_get_int(weft_value_map_get(got, "out")), 42);
	weft_value_free(got);
	free(text);
	free(sub);
	free(path);
	weft_rm_rf(dir);
	free(dir);
}

/* Through a run's packs: a hit on an entry written over an hour ago
 * appends it again with the hit's time (gc's last use); a recent one and a
 * plan's hit (touch 0) append nothing. A store of the older layout is
 * still served beside the packs. */
static void test_pack_hits_record_last_use(void **state)
{
	(void)state;
	char *dir = tmpdir_new();
	weft_value *v = sample();
	weft_cache_meta meta = {"core.noop", "n1", 0.25};
	weft_acpack *p;
	assert_int_equal(weft_acpack_open(&p, dir), WEFT_OK);
	assert_int_equal(weft_cache_put_in(p, KEY, v, NULL, &meta), WEFT_OK);
	const unsigned char *d;
	size_t n;
	int own;
	assert_int_equal(weft_acpack_get(p, KEY, &d, &n, &own), WEFT_OK);
	char *bytes = malloc(n);
	assert_non_null(bytes);
	memcpy(bytes, d, n);
	assert_int_equal(weft_acpack_close(p), WEFT_OK);
	/* The same entry, written two hours ago, in a newer pack. */
	double created = weft_now() - 7200, when = 0;
	uint64_t bits;
	memcpy(&bits, &created, sizeof bits);
	put_be64_at(bytes + 4 + 64, bits);
	put_be64_at(bytes + n - 8, weft_check64(bytes, n - 8));
	usleep(2000);
	assert_int_equal(weft_acpack_open(&p, dir), WEFT_OK);
	assert_int_equal(weft_acpack_put(p, KEY, bytes, n), WEFT_OK);
	assert_int_equal(weft_acpack_close(p), WEFT_OK);
	weft_value *got = NULL;
	for (int touch = 0; touch < 2; touch++) {
		usleep(2000);
		assert_int_equal(weft_acpack_open(&p, dir), WEFT_OK);
		assert_int_equal(weft_cache_get_in(&got, NULL, NULL, p, dir, KEY, touch), WEFT_OK);
		assert_true(same(v, got));
		weft_value_free(got);
		got = NULL;
		assert_int_equal(weft_acpack_close(p), WEFT_OK);
		assert_int_equal(weft_acpack_open(&p, dir), WEFT_OK);
		assert_int_equal(weft_acpack_get(p, KEY, &d, &n, &own), WEFT_OK);
		assert_int_equal(weft_cache_decode(&got, &when, d, n), WEFT_OK);
		weft_value_free(got);
		got = NULL;
		if (touch)
			assert_true(when > weft_now() - 60);
		else
			assert_true(when < weft_now() - 7000);
		assert_int_equal(weft_acpack_close(p), WEFT_OK);
	}
	/* An entry of the older layout, under another key. */
	static const char *OTHER = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
	assert_int_equal(weft_cache_put(dir, OTHER, v, NULL, &meta), WEFT_OK);
	assert_int_equal(weft_acpack_open(&p, dir), WEFT_OK);
	assert_int_equal(weft_cache_get_in(&got, NULL, NULL, p, dir, OTHER, 1), WEFT_OK);
	assert_true(same(v, got));
	weft_value_free(got);
	weft_cache_drop_in(p, dir, OTHER);
	assert_int_equal(weft_cache_get_in(&got, NULL, NULL, p, dir, OTHER, 1), WEFT_ENOTFOUND);
	assert_int_equal(weft_acpack_close(p), WEFT_OK);
	free(bytes);
	weft_value_free(v);
	weft_rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value_bin_roundtrip_and_damage),
		cmocka_unit_test(test_value_bin_refuses_unsorted_keys),
		cmocka_unit_test(test_entry_roundtrip),
		cmocka_unit_test(test_damaged_entries_are_misses),
		cmocka_unit_test(test_hit_refreshes_last_use),
		cmocka_unit_test(test_fnv_entries_still_read),
		cmocka_unit_test(test_json_entries_still_read),
		cmocka_unit_test(test_pack_hits_record_last_use),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
