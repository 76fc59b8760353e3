/* Store, stat cache, action cache and journal. */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "hash.h"
#include "journal.h"
#include "statcache.h"
#include "store.h"
#include "test_util.h"

typedef struct fx {
	char *dir;
	weft_statcache *sc;
	weft_store *st;
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof *f);
	f->dir = tmpdir_new();
	char *scf = weft_path_join(f->dir, "statcache");
	assert_int_equal(weft_statcache_open(&f->sc, scf), WEFT_OK);
	free(scf);
	assert_int_equal(weft_store_open(&f->st, f->dir, f->sc), WEFT_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	weft_store_free(f->st);
	weft_statcache_free(f->sc);
	weft_rm_rf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void test_import_names_object_by_content(void **state)
{
	fx *f = *state;
	char *src = weft_path_join(f->dir, "in.txt");
	write_text(src, "hello\n");
	weft_value *art = NULL;
	assert_int_equal(weft_store_import(&art, f->st, src), WEFT_OK);
	/* sha256("hello\n") */
	assert_string_equal(weft_value_artifact_hash(art),
			    "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
	assert_int_equal(weft_value_artifact_size(art), 6);
	char *obj = weft_store_object_path(f->st, weft_value_artifact_hash(art));
	struct stat sb;
	assert_int_equal(stat(obj, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0444);
	assert_int_equal(weft_store_verify(f->st, art), WEFT_OK);
	free(obj);
	free(src);
	weft_value_free(art);
}

/* An import reads the file once: the new object and the source are both
 * remembered with their hash, so neither is hashed again; a second
 * import of the unchanged file is served from the stat cache; a source
 * the cache knows whose object was removed is copied in again. Nothing
 * is left in the store's incoming area. */
static void test_import_streams_and_remembers(void **state)
{
	fx *f = *state;
	char *src = weft_path_join(f->dir, "big.bin");
	FILE *fp = fopen(src, "wb");
	assert_non_null(fp);
	for (int i = 0; i < 300000; i++) /* 1.2 MB: several read chunks */
		assert_int_equal(fwrite(&i, sizeof i, 1, fp), 1);
	assert_int_equal(fclose(fp), 0);
	char want[65];
	assert_int_equal(weft_hash_file(want, src, NULL), WEFT_OK);
	weft_value *art = NULL;
	assert_int_equal(weft_store_import(&art, f->st, src), WEFT_OK);
	assert_string_equal(weft_value_artifact_hash(art), want);
	assert_int_equal(weft_value_artifact_size(art), 1200000);
	char *obj = weft_store_object_path(f->st, want), got[65];
	struct stat sb;
	assert_int_equal(stat(obj, &sb), 0);
	assert_true(weft_statcache_lookup(f->sc, obj, &sb, got));
	assert_string_equal(got, want);
	assert_int_equal(stat(src, &sb), 0);
	assert_true(weft_statcache_lookup(f->sc, src, &sb, got));
	assert_string_equal(got, want);
	char h2[65];
	assert_int_equal(weft_hash_file(h2, obj, NULL), WEFT_OK);
	assert_string_equal(h2, want);
	weft_value_free(art);
	/* the object removed by hand: the known source is stored again */
	assert_int_equal(unlink(obj), 0);
	assert_int_equal(weft_store_import(&art, f->st, src), WEFT_OK);
	assert_int_equal(access(obj, F_OK), 0);
	assert_int_equal(weft_hash_file(h2, obj, NULL), WEFT_OK);
	assert_string_equal(h2, want);
	weft_value_free(art);
	/* no temp file stays in objects/ */
	char *objects = weft_path_join(f->dir, "objects");
	DIR *d = opendir(objects);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d)))
		assert_null(strstr(e->d_name, ".tmp."));
	closedir(d);
	free(objects);
	free(obj);
	free(src);
}

/* An object written in pieces is the object of its whole bytes; an
 * aborted one leaves nothing behind. */
static void test_writer_in_pieces(void **state)
{
	fx *f = *state;
	weft_store_writer *w = NULL;
	assert_int_equal(weft_store_writer_open(&w, f->st), WEFT_OK);
	assert_int_equal(weft_store_writer_write(w, "hel", 3), WEFT_OK);
	assert_int_equal(weft_store_writer_write(w, "", 0), WEFT_OK);
	assert_int_equal(weft_store_writer_write(w, "lo\n", 3), WEFT_OK);
	char hash[65];
	uint64_t size = 0;
	assert_int_equal(weft_store_writer_commit(w, hash, &size), WEFT_OK);
	assert_string_equal(hash, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
	assert_int_equal(size, 6);
	char *obj = weft_store_object_path(f->st, hash);
	struct stat sb;
	assert_int_equal(stat(obj, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0444);
	assert_int_equal(sb.st_size, 6);
	/* the same bytes again: the object is kept, the temp file goes */
	assert_int_equal(weft_store_writer_open(&w, f->st), WEFT_OK);
	assert_int_equal(weft_store_writer_write(w, "hello\n", 6), WEFT_OK);
	assert_int_equal(weft_store_writer_commit(w, hash, &size), WEFT_OK);
	assert_int_equal(weft_store_writer_open(&w, f->st), WEFT_OK);
	assert_int_equal(weft_store_writer_write(w, "partial", 7), WEFT_OK);
	weft_store_writer_abort(w);
	char *objs = weft_path_join(f->dir, "objects");
	DIR *d = opendir(objs);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d)))
		assert_null(strstr(e->d_name, ".tmp."));
	closedir(d);
	free(objs);
	free(obj);
}

static void test_corrupt_object_is_removed(void **state)
{
	fx *f = *state;
	char *src = weft_path_join(f->dir, "c.txt");
	write_text(src, "content that will rot");
	weft_value *art = NULL;
	assert_int_equal(weft_store_import(&art, f->st, src), WEFT_OK);
	char *obj = weft_store_object_path(f->st, weft_value_artifact_hash(art));
	assert_int_equal(weft_store_verify(f->st, art), WEFT_OK);
	chmod(obj, 0644);
	write_text(obj, "content that has rot!");
	assert_int_equal(weft_store_verify(f->st, art), WEFT_ENOTFOUND);
	assert_non_null(strstr(weft_error_last(), "corrupt"));
	assert_int_not_equal(access(obj, F_OK), 0);
	free(obj);
	free(src);
	weft_value_free(art);
}

/* The stat weft_store_has_object makes serves the next verify of that
 * object, once and only within 50 ms: a change made in between is seen
 * by the verify after it, or by the first one once the stat is older. */
static void test_presence_stat_serves_one_verify(void **state)
{
	fx *f = *state;
	char *src = weft_path_join(f->dir, "p.txt");
	write_text(src, "present and accounted for");
	weft_value *art = NULL;
	assert_int_equal(weft_store_import(&art, f->st, src), WEFT_OK);
	const char *hash = weft_value_artifact_hash(art);
	char *obj = weft_store_object_path(f->st, hash);
	assert_int_equal(weft_store_verify(f->st, art), WEFT_OK); /* remembered in the stat cache */

	assert_true(weft_store_has_object(f->st, hash));
	chmod(obj, 0644);
	write_text(obj, "present and accounted FOR");
	assert_int_equal(weft_store_verify(f->st, art), WEFT_OK); /* the stat seen before the change */
	assert_int_equal(weft_store_verify(f->st, art), WEFT_ENOTFOUND); /* used once: its own stat */
	assert_non_null(strstr(weft_error_last(), "corrupt"));

	weft_value_free(art);
	assert_int_equal(weft_store_import(&art, f->st, src), WEFT_OK); /* stored again */
	hash = weft_value_artifact_hash(art);
	assert_int_equal(weft_store_verify(f->st, art), WEFT_OK);
	assert_true(weft_store_has_object(f->st, hash));
	usleep(60 * 1000);
	chmod(obj, 0644);
	write_text(obj, "present and accounted FOR");
	assert_int_equal(weft_store_verify(f->st, art), WEFT_ENOTFOUND); /* too old to serve */

	assert_false(weft_store_has_object(f->st, hash)); /* removed as corrupt */
	free(obj);
	free(src);
	weft_value_free(art);
}

static void test_directory_tree(void **state)
{
	fx *f = *state;
	char *d = weft_path_join(f->dir, "tree");
	char *sub = weft_path_join(d, "sub");
	assert_int_equal(weft_mkdirs(sub, 0755), WEFT_OK);
	char *a = weft_path_join(d, "a.txt"), *b = weft_path_join(sub, "b.txt");
	write_text(a, "A");
	write_text(b, "B");
	weft_value *art = NULL;
	assert_int_equal(weft_store_import(&art, f->st, d), WEFT_OK);
	assert_true(weft_value_artifact_is_dir(art));
	assert_int_equal(weft_value_artifact_size(art), 2);
	char *out = NULL;
	assert_int_equal(weft_store_checkout(&out, f->st, art), WEFT_OK);
	char *cb = weft_path_join(out, "sub/b.txt"), *text = NULL;
	assert_int_equal(weft_read_file(cb, &text, NULL), WEFT_OK);
	assert_string_equal(text, "B");
	/* Same content, same hash, regardless of where it lives. */
	weft_value *again = NULL;
	assert_int_equal(weft_store_import(&again, f->st, out), WEFT_OK);
	assert_string_equal(weft_value_artifact_hash(again), weft_value_artifact_hash(art));
	free(text);
	free(cb);
	free(out);
	free(a);
	free(b);
	free(sub);
	free(d);
	weft_value_free(art);
	weft_value_free(again);
}

/* A file given up is moved in (gone from its path, read-only in the store,
 * remembered); a file with another name, a link, or content stored already
 * is copied or deduplicated and stays where it was. */
static void test_adopt_moves_a_file_of_its_own(void **state)
{
	fx *f = *state;
	char *a = weft_path_join(f->dir, "a.bin"), want[65], got[65];
	FILE *fp = fopen(a, "wb");
	assert_non_null(fp);
	for (int i = 0; i < 50000; i++) /* 200 KB: more than one read */
		assert_int_equal(fwrite(&i, sizeof i, 1, fp), 1);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(weft_hash_file(want, a, NULL), WEFT_OK);
	weft_value *art = NULL;
	assert_int_equal(weft_store_adopt(&art, f->st, a), WEFT_OK);
	assert_string_equal(weft_value_artifact_hash(art), want);
	assert_int_equal(weft_value_artifact_size(art), 200000);
	assert_int_not_equal(access(a, F_OK), 0); /* moved */
	char *obj = weft_store_object_path(f->st, want);
	struct stat sb;
	assert_int_equal(stat(obj, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0444);
	assert_true(weft_statcache_lookup(f->sc, obj, &sb, got));
	assert_string_equal(got, want);
	assert_int_equal(weft_hash_file(got, obj, NULL), WEFT_OK);
	assert_string_equal(got, want);
	weft_value_free(art);
	/* The same bytes again: deduplicated, the file stays. */
	write_text(a, "dup");
	char *b = weft_path_join(f->dir, "b.txt");
	write_text(b, "dup");
	assert_int_equal(weft_store_adopt(&art, f->st, a), WEFT_OK);
	weft_value_free(art);
	assert_int_equal(weft_store_adopt(&art, f->st, b), WEFT_OK);
	assert_int_equal(access(b, F_OK), 0);
	assert_int_equal(stat(b, &sb), 0);
	assert_int_equal(sb.st_mode & 0222, 0200); /* left as it was, not read-only */
	weft_value_free(art);
	/* A second name: copied, both names stay. */
	char *c = weft_path_join(f->dir, "c.txt"), *c2 = weft_path_join(f->dir, "c2.txt");
	write_text(c, "two names");
	assert_int_equal(link(c, c2), 0);
	assert_int_equal(weft_store_adopt(&art, f->st, c), WEFT_OK);
	assert_int_equal(access(c, F_OK), 0);
	assert_int_equal(stat(c, &sb), 0);
	assert_int_equal(sb.st_mode & 0222, 0200); /* not made read-only */
	weft_value_free(art);
	/* A symbolic link: its target is copied, the link and target stay. */
	char *l = weft_path_join(f->dir, "l.txt"), *t = weft_path_join(f->dir, "t.txt");
	write_text(t, "target");
	assert_int_equal(symlink(t, l), 0);
	assert_int_equal(weft_store_adopt(&art, f->st, l), WEFT_OK);
	assert_int_equal(access(t, F_OK), 0);
	assert_int_equal(lstat(l, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	weft_value_free(art);
	free(l);
	free(t);
	free(c);
	free(c2);
	free(b);
	free(obj);
	free(a);
}

static void test_statcache_hit_and_miss(void **state)
{
	fx *f = *state;
	char *p = weft_path_join(f->dir, "s.txt");
	write_text(p, "one");
	char h1[65], h2[65];
	assert_int_equal(weft_statcache_hash_file(f->sc, p, h1, NULL), WEFT_OK);
	struct stat sb;
	stat(p, &sb);
	assert_true(weft_statcache_lookup(f->sc, p, &sb, h2));
	assert_string_equal(h1, h2);
	write_text(p, "two");
	stat(p, &sb);
	assert_false(weft_statcache_lookup(f->sc, p, &sb, h2));
	assert_int_equal(weft_statcache_hash_file(f->sc, p, h2, NULL), WEFT_OK);
	assert_string_not_equal(h1, h2);
	/* Persisted and reloaded. */
	assert_int_equal(weft_statcache_save(f->sc), WEFT_OK);
	char *scf = weft_path_join(f->dir, "statcache");
	weft_statcache *sc2;
	assert_int_equal(weft_statcache_open(&sc2, scf), WEFT_OK);
	char h3[65];
	assert_true(weft_statcache_lookup(sc2, p, &sb, h3));
	assert_string_equal(h3, h2);
	weft_statcache_free(sc2);
	free(scf);
	free(p);
}

/* The stat cache file as written by hand: each well-formed line loads, each
 * malformed one is dropped alone, and lines under the skipped prefix are
 * dropped and gone from the next save. */
static void test_statcache_lines(void **state)
{
	fx *f = *state;
	char *a = weft_path_join(f->dir, "a.txt"), *b = weft_path_join(f->dir, "work/b.txt");
	write_text(a, "aaa");
	struct stat sa;
	assert_int_equal(stat(a, &sa), 0);
	const char *h = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char *good = weft_sprintf("%s %lld %lld %lld %llu %llu %s", h, (long long)sa.st_size,
				  (long long)sa.st_mtim.tv_sec * 1000000000 + sa.st_mtim.tv_nsec,
				  (long long)sa.st_ctim.tv_sec * 1000000000 + sa.st_ctim.tv_nsec,
				  (unsigned long long)sa.st_ino, (unsigned long long)sa.st_dev, a);
	char *skipped = weft_sprintf("%s 3 1 1 1 1 %s/work/b.txt", h, f->dir);
	char *text = weft_sprintf("%s 3 1 1 1\n"			  /* a field short */
				  "0123 3 1 1 1 1 /x\n"		  /* a short hash */
				  "%.63sg 3 1 1 1 1 /x\n"		  /* not hex */
				  "%s -3 1 1 1 1 /x\n"		  /* a negative size */
				  "%s 3 1 1 1 1 relative\n"		  /* not absolute */
				  "%s 99999999999999999999999 1 1 1 1 /x\n" /* too large */
				  "%s 3 1 1 18446744073709551616 1 /x\n"  /* 2^64: one past */
				  "%s 3 1 1 18446744073709551615 1 /max\n" /* 2^64 - 1 */
				  "%s\n%s\n%s 3 -5 -7 1 1 /neg", /* last: negative times, no newline */
				  h, h, h, h, h, h, h, skipped, good, h);
	char *scf = weft_path_join(f->dir, "statcache2");
	assert_int_equal(weft_write_file_atomic(scf, text, strlen(text), 0), WEFT_OK);
	char *skip = weft_sprintf("%s/work/", f->dir);
	weft_statcache *sc;
	assert_int_equal(weft_statcache_open_skipping(&sc, scf, skip), WEFT_OK);
	char out[65];
	assert_true(weft_statcache_lookup(sc, a, &sa, out));
	assert_string_equal(out, h);
	struct stat neg = {0};
	neg.st_size = 3;
	neg.st_mtim.tv_sec = -1, neg.st_mtim.tv_nsec = 999999995; /* -5 ns */
	neg.st_ctim.tv_sec = -1, neg.st_ctim.tv_nsec = 999999993; /* -7 ns */
	neg.st_ino = 1, neg.st_dev = 1;
	assert_true(weft_statcache_lookup(sc, "/neg", &neg, out));
	struct stat max = {0};
	max.st_size = 3, max.st_mtim.tv_nsec = 1, max.st_ctim.tv_nsec = 1, max.st_ino = (ino_t)UINT64_MAX, max.st_dev = 1;
	assert_true(weft_statcache_lookup(sc, "/max", &max, out));
	max.st_ino = 0; /* what 2^64 would wrap to, had it loaded */
	assert_false(weft_statcache_lookup(sc, "/x", &max, out));
	struct stat any = {0};
	any.st_size = 3, any.st_mtim.tv_nsec = 1, any.st_ctim.tv_nsec = 1, any.st_ino = 1, any.st_dev = 1;
	assert_false(weft_statcache_lookup(sc, "/x", &any, out)); /* no malformed line loaded */
	any.st_size = 3;
	char *bpath = weft_sprintf("%s/work/b.txt", f->dir);
	assert_false(weft_statcache_lookup(sc, bpath, &any, out));
	/* The skipped line does not come back. */
	assert_int_equal(weft_statcache_save(sc), WEFT_OK);
	weft_statcache_free(sc);
	char *saved = NULL;
	size_t len = 0;
	assert_int_equal(weft_read_file(scf, &saved, &len), WEFT_OK);
	assert_null(strstr(saved, "/work/b.txt"));
	assert_non_null(strstr(saved, a));
	free(saved);
	free(bpath);
	free(skip);
	free(scf);
	free(text);
	free(skipped);
	free(good);
	free(a);
	free(b);
}

static void test_action_cache(void **state)
{
	fx *f = *state;
	const char *key = "abababababababababababababababababababababababababababababababab";
	weft_value *outs = weft_value_map(), *got = NULL;
	weft_value_map_set(outs, "out", weft_value_int(7));
	weft_cache_meta meta = {"core.noop", "n", 0.1};
	assert_int_equal(weft_cache_get(&got, NULL, f->dir, key), WEFT_ENOTFOUND);
	assert_int_equal(weft_cache_put(f->dir, key, outs, NULL, &meta), WEFT_OK);
	assert_int_equal(weft_cache_get(&got, NULL, f->dir, key), WEFT_OK);
	assert_true(weft_value_equal(got, outs));
	weft_value_free(got);
	/* A truncated entry is a miss, and is removed. */
	char *p = weft_sprintf("%s/ac/ab/%s", f->dir, key + 2);
	write_text(p, "{\"key\": \"abab");
	assert_int_equal(weft_cache_get(&got, NULL, f->dir, key), WEFT_ENOTFOUND);
	assert_int_not_equal(access(p, F_OK), 0);
	free(p);
	weft_value_free(outs);
}

static int count_rec(const char *rec, size_t len, void *payload)
{
	(void)rec;
	(void)len;
	(*(int *)payload)++;
	return WEFT_OK;
}

static void test_journal_ignores_torn_tail(void **state)
{
	fx *f = *state;
	char *p = weft_path_join(f->dir, "journal");
	weft_journal *j;
	assert_int_equal(weft_journal_open(&j, p), WEFT_OK);
	weft_journal_append(j, "{\"ev\":\"a\"}");
	weft_journal_append(j, "{\"ev\":\"b\"}");
	assert_int_equal(weft_journal_sync(j), WEFT_OK);
	weft_journal_free(j);
	FILE *fp = fopen(p, "a");
	fputs("{\"ev\":\"tor", fp); /* a writer killed mid-record */
	fclose(fp);
	int n = 0;
	assert_int_equal(weft_journal_read(p, count_rec, &n), WEFT_OK);
	assert_int_equal(n, 2);
	/* Reopening must not glue the next record onto the torn one. */
	assert_int_equal(weft_journal_open(&j, p), WEFT_OK);
	weft_journal_append(j, "{\"ev\":\"c\"}");
	weft_journal_free(j);
	n = 0;
	assert_int_equal(weft_journal_read(p, count_rec, &n), WEFT_OK);
	assert_int_equal(n, 4); /* a, b, the torn line (now terminated), c */
	free(p);
}

/* The group commit's sync on the journal's thread: each call writes the
 * lines to the file before it returns (a kill -9 loses none of them) and
 * leaves nothing marked unsynced; a sync requested while one is under way
 * is done after it; the closing sync waits for them all. */
static void test_journal_sync_soon_writes_at_once(void **state)
{
	fx *f = *state;
	char *p = weft_path_join(f->dir, "journal");
	weft_journal *j;
	assert_int_equal(weft_journal_open(&j, p), WEFT_OK);
	for (int i = 0; i < 200; i++) {
		assert_int_equal(weft_journal_append(j, "{\"ev\":\"finish\",\"status\":\"done\"}"), WEFT_OK);
		assert_true(weft_journal_unsynced(j));
		assert_int_equal(weft_journal_sync_soon(j), WEFT_OK);
		assert_false(weft_journal_unsynced(j));
		assert_false(weft_journal_pending(j));
		int n = 0;
		assert_int_equal(weft_journal_read(p, count_rec, &n), WEFT_OK);
		assert_int_equal(n, i + 1);
	}
	assert_int_equal(weft_journal_sync(j), WEFT_OK);
	weft_journal_append(j, "{\"ev\":\"last\"}");
	weft_journal_free(j); /* syncs the last line and ends the thread */
	int n = 0;
	assert_int_equal(weft_journal_read(p, count_rec, &n), WEFT_OK);
	assert_int_equal(n, 201);
	free(p);
}

/* A line a resume can re-derive (a cache hit) is written like any other
 * but never makes the journal need an fdatasync; any other line does, and
 * a sync clears it. */
static void test_journal_derivable_lines_need_no_sync(void **state)
{
	fx *f = *state;
	char *p = weft_path_join(f->dir, "journal");
	weft_journal *j;
	assert_int_equal(weft_journal_open(&j, p), WEFT_OK);
	assert_false(weft_journal_unsynced(j));
	const char hit[] = "{\"ev\":\"finish\",\"status\":\"cached\"}";
	assert_int_equal(weft_journal_append_derivable(j, hit, strlen(hit)), WEFT_OK);
	assert_true(weft_journal_pending(j));
	assert_false(weft_journal_unsynced(j));
	assert_int_equal(weft_journal_flush(j), WEFT_OK);
	assert_false(weft_journal_pending(j));
	assert_false(weft_journal_unsynced(j));
	weft_journal_append(j, "{\"ev\":\"finish\",\"status\":\"done\"}");
	assert_true(weft_journal_unsynced(j));
	assert_int_equal(weft_journal_flush(j), WEFT_OK);
	assert_true(weft_journal_unsynced(j)); /* written, not yet synced */
	assert_int_equal(weft_journal_append_derivable(j, hit, strlen(hit)), WEFT_OK);
	assert_int_equal(weft_journal_sync(j), WEFT_OK);
	assert_false(weft_journal_unsynced(j));
	weft_journal_free(j);
	int n = 0;
	assert_int_equal(weft_journal_read(p, count_rec, &n), WEFT_OK);
	assert_int_equal(n, 3); /* all three lines are in the file */
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_import_names_object_by_content, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_sync_soon_writes_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_derivable_lines_need_no_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_streams_and_remembers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_in_pieces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_object_is_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_presence_stat_serves_one_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adopt_moves_a_file_of_its_own, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statcache_hit_and_miss, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statcache_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_action_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_ignores_torn_tail, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
