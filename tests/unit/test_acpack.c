/* Action-cache packs (acpack.h): entries survive their handle, a dead
 * writer's pack is indexed by the next reader, a live writer's records are
 * read as they come, drops shadow older entries, many packs merge into one
 * with each key's newest entry, and damage reads as a miss. */
#include "test_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "acpack.h"

/* Key number i: 64 hex digits. */
static void key_of(char out[65], unsigned i)
{
	snprintf(out, 65, "%08x%056x", i * 2654435761u, i);
}

static size_t count_ext(const char *store, const char *ext)
{
	char *dir = weft_path_join(store, "ac/packs");
	DIR *d = opendir(dir);
	size_t n = 0, el = strlen(ext);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t l = strlen(e->d_name);
		n += l > el && !strcmp(e->d_name + l - el, ext);
	}
	if (d)
		closedir(d);
	free(dir);
	return n;
}

/* The path of the store's only file ending in `ext`. */
static char *only_file(const char *store, const char *ext)
{
	char *dir = weft_path_join(store, "ac/packs"), *found = NULL;
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t el = strlen(ext);
	while (d && (e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l > el && !strcmp(e->d_name + l - el, ext)) {
			assert_null(found);
			found = weft_path_join(dir, e->d_name);
		}
	}
	if (d)
		closedir(d);
	free(dir);
	assert_non_null(found);
	return found;
}

static void put_text(weft_acpack *p, const char *key, const char *text)
{
	assert_int_equal(weft_acpack_put(p, key, text, strlen(text)), WEFT_OK);
}

/* `key`'s entry reads as `text`; own says whether this handle wrote it. */
static void expect(weft_acpack *p, const char *key, const char *text, int own)
{
	const unsigned char *d = NULL;
	size_t n = 0;
	int o = -1;
	assert_int_equal(weft_acpack_get(p, key, &d, &n, &o), WEFT_OK);
	assert_int_equal(n, strlen(text));
	assert_memory_equal(d, text, n);
	assert_int_equal(o, own);
}

static void expect_miss(weft_acpack *p, const char *key)
{
	const unsigned char *d;
	size_t n;
	int o;
	assert_int_equal(weft_acpack_get(p, key, &d, &n, &o), WEFT_ENOTFOUND);
}

static void test_entries_outlive_their_handle(void **state)
{
	(void)state;
	char *store = tmpdir_new();
	char k1[65], k2[65], k3[65];
	key_of(k1, 1);
	key_of(k2, 2);
	key_of(k3, 3);
	weft_acpack *a, *b;
	assert_int_equal(weft_acpack_open(&a, store), WEFT_OK);
	expect_miss(a, k1);
	put_text(a, k1, "first");
	put_text(a, k2, "second");
	put_text(a, k1, "first again"); /* the newer record wins */
	expect(a, k1, "first again", 1);
	assert_int_equal(count_ext(store, ".idx"), 0);
	assert_int_equal(weft_acpack_close(a), WEFT_OK);
	assert_int_equal(count_ext(store, ".pack"), 1);
	assert_int_equal(count_ext(store, ".idx"), 1);
	assert_int_equal(weft_acpack_open(&b, store), WEFT_OK);
	expect(b, k1, "first again", 0);
	expect(b, k2, "second", 0);
	expect_miss(b, k3);
	expect_miss(b, "not a key");
	expect_miss(b, "");
	assert_false(weft_acpack_has_loose(b));
	assert_int_equal(weft_acpack_put(b, "0123", "x", 1), WEFT_EINVALID);
	assert_int_equal(weft_acpack_close(b), WEFT_OK);
	assert_int_equal(count_ext(store, ".pack"), 1); /* a handle that wrote nothing made nothing */
	weft_rm_rf(store);
	free(store);
}

/* A writer killed mid-run leaves a pack without an index: the next reader
 * indexes its valid records, even with a torn one at its end. */
static void test_dead_writers_pack_is_indexed(void **state)
{
	(void)state;
	char *store = tmpdir_new();
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		weft_acpack *c;
		if (weft_acpack_open(&c, store) != WEFT_OK)
			_exit(1);
		for (unsigned i = 0; i < 50; i++) {
			char k[65], v[32];
			key_of(k, i);
			snprintf(v, sizeof v, "value %u", i);
			if (weft_acpack_put(c, k, v, strlen(v)) != WEFT_OK)
				_exit(2);
		}
		_exit(0); /* no close: as if killed */
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(count_ext(store, ".idx"), 0);
	/* Half a record more, as a kill in the middle of a write leaves. */
	char *pack = only_file(store, ".pack");
	int fd = open(pack, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\0\0\0\x20garbage", 11), 11);
	close(fd);
	weft_acpack *p;
	assert_int_equal(weft_acpack_open(&p, store), WEFT_OK);
	for (unsigned i = 0; i < 50; i++) {
		char k[65], v[32];
		key_of(k, i);
		snprintf(v, sizeof v, "value %u", i);
		expect(p, k, v, 0);
	}
	assert_int_equal(count_ext(store, ".idx"), 1);
	assert_int_equal(weft_acpack_close(p), WEFT_OK);
	/* Killed between making its pack and its first record: a header only. */
	char *empty = weft_sprintf("%s/ac/packs/00000000000000ff-1-0.pack", store);
	write_text(empty, "WACPACK1");
	assert_int_equal(weft_acpack_open(&p, store), WEFT_OK);
	char k0[65];
	key_of(k0, 0);
	expect(p, k0, "value 0", 0);
	assert_int_equal(count_ext(store, ".idx"), 2);
	assert_int_equal(weft_acpack_close(p), WEFT_OK);
	free(empty);
	free(pack);
	weft_rm_rf(store);
	free(store);
}

/* A pack whose writer is alive (it holds the lock) is read as it is, and
 * again on refresh: how a run that waited on another's key finds it. */
static void test_live_pack_is_read_and_refreshed(void **state)
{
	(void)state;
	char *store = tmpdir_new();
	char k1[65], k2[65];
	key_of(k1, 11);
	key_of(k2, 12);
	weft_acpack *w, *r;
	assert_int_equal(weft_acpack_open(&w, store), WEFT_OK);
	put_text(w, k1, "one");
	assert_int_equal(weft_acpack_open(&r, store), WEFT_OK);
	expect(r, k1, "one", 0);
	assert_int_equal(count_ext(store, ".idx"), 0); /* a live pack is not indexed by readers */
	put_text(w, k2, "two");
	expect_miss(r, k2);
	weft_acpack_refresh(r);
	expect(r, k2, "two", 0);
	assert_int_equal(weft_acpack_close(w), WEFT_OK);
	assert_int_equal(weft_acpack_close(r), WEFT_OK);
	weft_rm_rf(store);
	free(store);
}

static void test_drop_shadows_older_entries(void **state)
{
	(void)state;
	char *store = tmpdir_new();
	char k[65];
	key_of(k, 21);
	weft_acpack *p;
	assert_int_equal(weft_acpack_open(&p, store), WEFT_OK);
	put_text(p, k, "old");
	assert_int_equal(weft_acpack_close(p), WEFT_OK);
	usleep(2000); /* pack names order by their microsecond */
	assert_int_equal(weft_acpack_open(&p, store), WEFT_OK);
	expect(p, k, "old", 0);
	assert_int_equal(weft_acpack_drop(p, k), WEFT_OK);
	expect_miss(p, k);
	assert_int_equal(weft_acpack_close(p), WEFT_OK);
	usleep(2000);
	assert_int_equal(weft_acpack_open(&p, store), WEFT_OK);
	expect_miss(p, k);
	put_text(p, k, "new");
	assert_int_equal(weft_acpack_close(p), WEFT_OK);
	assert_int_equal(weft_acpack_open(&p, store), WEFT_OK);
	expect(p, k, "new", 0);
	assert_int_equal(weft_acpack_close(p), WEFT_OK);
	weft_rm_rf(store);
	free(store);
}

static int count_entry(const char *key, const unsigned char *data, size_t len, void *arg)
{
	(void)key;
	(void)data;
	(void)len;
	(*(int *)arg)++;
	return 0;
}

static int keep_not_7(const char *key, void *arg)
{
	(void)arg;
	char k7[65];
	key_of(k7, 7);
	return strcmp(key, k7) != 0;
}

/* Many runs' packs merge into one at a run's end: every key stays, with
 * its newest entry; a rewrite (gc) leaves out what it is told to. */
static void test_many_packs_merge(void **state)
{
	(void)state;
	char *store = tmpdir_new();
	char common[65];
	key_of(common, 999);
	size_t most = 0;
	for (unsigned i = 0; i < 2 * WEFT_ACPACK_MERGE_AT; i++) {
		weft_acpack *p;
		char k[65], v[32];
		key_of(k, i);
		snprintf(v, sizeof v, "run %u", i);
		assert_int_equal(weft_acpack_open(&p, store), WEFT_OK);
		put_text(p, k, v);
		put_text(p, common, v);
		assert_int_equal(weft_acpack_close(p), WEFT_OK);
		size_t n = count_ext(store, ".pack");
		most = n > most ? n : most;
		usleep(1500);
	}
	assert_true(most <= WEFT_ACPACK_MERGE_AT);
	assert_true(count_ext(store, ".pack") < WEFT_ACPACK_MERGE_AT);
	weft_acpack *p;
	assert_int_equal(weft_acpack_open(&p, store), WEFT_OK);
	for (unsigned i = 0; i < 2 * WEFT_ACPACK_MERGE_AT; i++) {
		char k[65], v[32];
		key_of(k, i);
		snprintf(v, sizeof v, "run %u", i);
		expect(p, k, v, 0);
	}
	char last[32];
	snprintf(last, sizeof last, "run %u", 2 * WEFT_ACPACK_MERGE_AT - 1);
	expect(p, common, last, 0);
	int n = 0;
	assert_int_equal(weft_acpack_each(p, count_entry, &n), WEFT_OK);
	assert_int_equal(n, 2 * WEFT_ACPACK_MERGE_AT + 1);
	assert_int_equal(weft_acpack_rewrite(p, keep_not_7, NULL), WEFT_OK);
	assert_int_equal(weft_acpack_close(p), WEFT_OK);
	assert_int_equal(count_ext(store, ".pack"), 1);
	assert_int_equal(weft_acpack_open(&p, store), WEFT_OK);
	char k7[65], k8[65];
	key_of(k7, 7);
	key_of(k8, 8);
	expect_miss(p, k7);
	expect(p, k8, "run 8", 0);
	expect(p, common, last, 0);
	assert_int_equal(weft_acpack_close(p), WEFT_OK);
	weft_rm_rf(store);
	free(store);
}

static void flip_byte(const char *path, off_t at)
{
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	unsigned char c;
	assert_int_equal(pread(fd, &c, 1, at), 1);
	c ^= 0x5a;
	assert_int_equal(pwrite(fd, &c, 1, at), 1);
	close(fd);
}

/* A new store holding one closed pack of two 16-byte entries: key n is
 * "AAAA...", key n + 1 "BBBB..." (their keys into k1, k2). */
static char *two_entries(unsigned n, char k1[65], char k2[65])
{
	char *store = tmpdir_new();
	key_of(k1, n);
	key_of(k2, n + 1);
	weft_acpack *p;
	assert_int_equal(weft_acpack_open(&p, store), WEFT_OK);
	put_text(p, k1, "AAAAAAAAAAAAAAAA");
	put_text(p, k2, "BBBBBBBBBBBBBBBB");
	assert_int_equal(weft_acpack_close(p), WEFT_OK);
	return store;
}

/* A damaged record is a miss and leaves the others readable; a damaged
 * index is rebuilt from its pack. */
static void test_damage_is_a_miss(void **state)
{
	(void)state;
	char k1[65], k2[65];
	char *store = two_entries(31, k1, k2);
	weft_acpack *p;
	char *pack = only_file(store, ".pack"), *idx = only_file(store, ".idx");
	/* The idx: its checksum fails, the pack is indexed again. */
	flip_byte(idx, 30);
	assert_int_equal(weft_acpack_open(&p, store), WEFT_OK);
	expect(p, k1, "AAAAAAAAAAAAAAAA", 0);
	expect(p, k2, "BBBBBBBBBBBBBBBB", 0);
	assert_int_equal(weft_acpack_close(p), WEFT_OK);
	/* The first record's bytes (header 8, length 4, key 32, then its data). */
	flip_byte(pack, 8 + 36 + 3);
	assert_int_equal(weft_acpack_open(&p, store), WEFT_OK);
	expect_miss(p, k1);
	expect(p, k2, "BBBBBBBBBBBBBBBB", 0);
	assert_int_equal(weft_acpack_close(p), WEFT_OK);
	free(pack);
	free(idx);
	weft_rm_rf(store);
	free(store);
}

/* An index whose offsets were swapped (and whose checksum was made to hold
 * again) points each key at the other's record: the record's own key says
 * it is not the one asked for, so both read as misses, never as each
 * other's entry. */
static void test_record_of_another_key_is_a_miss(void **state)
{
	(void)state;
	char k1[65], k2[65];
	char *store = two_entries(41, k1, k2);
	weft_acpack *p;
	char *idx = only_file(store, ".idx");
	/* Layout: 24-byte header, 48-byte entries (key 32, offset 8, length
	 * 4, drop 4), then the checksum of the header and the entries' own. */
	unsigned char b[24 + 2 * 48 + 8];
	int fd = open(idx, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, b, sizeof b, 0), (ssize_t)sizeof b);
	unsigned char t[8];
	memcpy(t, b + 24 + 32, 8);
	memcpy(b + 24 + 32, b + 24 + 48 + 32, 8);
	memcpy(b + 24 + 48 + 32, t, 8);
	unsigned char h[32];
	memcpy(h, b, 24);
	weft_set_be64(h + 24, weft_check64(b + 24, 2 * 48));
	weft_set_be64(b + 24 + 2 * 48, weft_check64(h, sizeof h));
	assert_int_equal(pwrite(fd, b, sizeof b, 0), (ssize_t)sizeof b);
	close(fd);
	assert_int_equal(weft_acpack_open(&p, store), WEFT_OK);
	expect_miss(p, k1);
	expect_miss(p, k2);
	assert_int_equal(weft_acpack_close(p), WEFT_OK);
	free(idx);
	weft_rm_rf(store);
	free(store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries_outlive_their_handle),
		cmocka_unit_test(test_dead_writers_pack_is_indexed),
		cmocka_unit_test(test_live_pack_is_read_and_refreshed),
		cmocka_unit_test(test_drop_shadows_older_entries),
		cmocka_unit_test(test_many_packs_merge),
		cmocka_unit_test(test_damage_is_a_miss),
		cmocka_unit_test(test_record_of_another_key_is_a_miss),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
