/*
 * Plugin packages: a good package installs; every kind of malicious or broken
 * package is refused with a message naming the problem, and leaves the
 * plugin directory exactly as it was.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

#include "hash.h"
#include "weft/sys/pkg.h"
#include "test_util.h"

typedef struct ent {
	const char *name;
	int type; /* AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR */
	const char *data; /* file content; NULL with `file` */
	const char *file; /* copy content from this path */
	const char *link; /* symlink target */
} ent;

typedef struct fx {
	char *dir;  /* scratch */
	char *dest; /* the plugin directory installs go into */
	char *pkg;  /* archive path */
	char sum[WEFT_HASH_HEX];
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof *f);
	f->dir = tmpdir_new();
	f->dest = weft_path_join(f->dir, "plugins");
	f->pkg = weft_path_join(f->dir, "p.tar.zst");
	assert_int_equal(weft_hash_file(f->sum, CORE_SO, NULL), WEFT_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	weft_rm_rf(f->dir);
	free(f->dir);
	free(f->dest);
	free(f->pkg);
	free(f);
	return 0;
}

static void write_pkg(const char *path, const ent *e, size_t n, int zstd)
{
	struct archive *a = archive_write_new();
	assert_non_null(a);
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	if (zstd)
		assert_int_equal(archive_write_add_filter_zstd(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		char *data = NULL;
		size_t len = 0;
		if (e[i].file)
			assert_int_equal(weft_read_file(e[i].file, &data, &len), WEFT_OK);
		else if (e[i].data)
			len = strlen(data = weft_strdup(e[i].data));
		struct archive_entry *ae = archive_entry_new();
		archive_entry_set_pathname(ae, e[i].name);
		archive_entry_set_filetype(ae, (unsigned)e[i].type);
		archive_entry_set_perm(ae, 0644);
		if (e[i].type == AE_IFLNK)
			archive_entry_set_symlink(ae, e[i].link);
		if (e[i].type == AE_IFCHR)
			archive_entry_set_rdev(ae, 0x0103);
		archive_entry_set_size(ae, e[i].type == AE_IFREG ? (la_int64_t)len : 0);
		assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
		if (e[i].type == AE_IFREG && len)
			assert_int_equal(archive_write_data(a, data, len), (la_ssize_t)len);
		archive_entry_free(ae);
		free(data);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static char *manifest(const char *name, const char *abi, const char *sum)
{
	return weft_sprintf("format: 1\nname: %s\nversion: \"0.1.0\"\nabi: \"%s\"\nlibrary: core.so\nsha256: \"%s\"\n",
			    name, abi, sum);
}

/* Number of entries in `dir` (0 if it does not exist). */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* Installs f->pkg and expects a refusal mentioning `needle`, with nothing
 * left behind in the plugin directory. */
static void expect_refusal(fx *f, const char *needle)
{
	char *dir = NULL;
	weft_value *m = NULL;
	assert_int_not_equal(weft_pkg_install(&dir, &m, f->pkg, f->dest), WEFT_OK);
	if (!strstr(weft_error_last(), needle))
		fail_msg("error '%s' does not mention '%s'", weft_error_last(), needle);
	assert_null(dir);
	assert_null(m);
	assert_int_equal(count_entries(f->dest), 0);
}

static void good_package(fx *f, const char *extra_name, const char *extra_data)
{
	char *m = manifest("core", "1.0", f->sum);
	ent e[] = {
		{"manifest.yaml", AE_IFREG, m, NULL, NULL},
		{"core.so", AE_IFREG, NULL, CORE_SO, NULL},
		{"docs", AE_IFDIR, NULL, NULL, NULL},
		{"docs/README.md", AE_IFREG, "# core\n", NULL, NULL},
		{"docs/latest.md", AE_IFLNK, NULL, NULL, "README.md"},
		{extra_name, AE_IFREG, extra_data, NULL, NULL},
	};
	write_pkg(f->pkg, e, extra_name ? 6 : 5, 1);
	free(m);
}

static void test_installs_a_good_package(void **state)
{
	fx *f = *state;
	good_package(f, NULL, NULL);
	char *dir = NULL;
	weft_value *m = NULL;
	assert_int_equal(weft_pkg_install(&dir, &m, f->pkg, f->dest), WEFT_OK);
	char *want = weft_path_join(f->dest, "core");
	assert_string_equal(dir, want);
	assert_string_equal(weft_value_get_string(weft_value_map_get(m, "name"), NULL), "core");
	char *so = weft_path_join(dir, "core.so");
	char got[WEFT_HASH_HEX];
	assert_int_equal(weft_hash_file(got, so, NULL), WEFT_OK);
	assert_string_equal(got, f->sum);
	char *doc = weft_path_join(dir, "docs/latest.md"), *text = NULL;
	assert_int_equal(weft_read_file(doc, &text, NULL), WEFT_OK);
	assert_string_equal(text, "# core\n"); /* the in-tree link resolves */
	struct stat sb;
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0755);
	assert_int_equal(count_entries(f->dest), 1); /* no staging left */

	/* Reinstalling (a newer build) replaces the old one in place. */
	good_package(f, "NEWS.md", "v2\n");
	char *dir2 = NULL;
	weft_value *m2 = NULL;
	assert_int_equal(weft_pkg_install(&dir2, &m2, f->pkg, f->dest), WEFT_OK);
	char *news = weft_path_join(dir2, "NEWS.md");
	assert_int_equal(access(news, R_OK), 0);
	assert_int_equal(count_entries(f->dest), 1);
	free(news);
	free(dir2);
	weft_value_free(m2);
	free(text);
	free(doc);
	free(so);
	free(want);
	free(dir);
	weft_value_free(m);
}

static void test_refuses_path_traversal(void **state)
{
	fx *f = *state;
	char *m = manifest("core", "1.0", f->sum);
	ent e[] = {{"manifest.yaml", AE_IFREG, m, NULL, NULL}, {"docs/../../evil.sh", AE_IFREG, "boom", NULL, NULL}};
	write_pkg(f->pkg, e, 2, 1);
	expect_refusal(f, "climbs out with '..'");
	char *evil = weft_path_join(f->dir, "evil.sh");
	assert_int_not_equal(access(evil, F_OK), 0);
	free(evil);
	free(m);
}

/* Too many entries (200,000 empty files once installed) or a manifest of
 * megabytes: refused, with nothing left behind (reliability issue). */
static void test_refuses_oversized_packages(void **state)
{
	fx *f = *state;
	size_t n = 10002;
	ent *e = calloc(n, sizeof *e);
	char (*names)[32] = calloc(n, 32);
	assert_non_null(e);
	assert_non_null(names);
	char *m = manifest("core", "1.0", f->sum);
	e[0] = (ent){"manifest.yaml", AE_IFREG, m, NULL, NULL};
	for (size_t i = 1; i < n; i++) {
		snprintf(names[i], 32, "docs/f%zu.md", i);
		e[i] = (ent){names[i], AE_IFREG, "", NULL, NULL};
	}
	write_pkg(f->pkg, e, n, 1);
	expect_refusal(f, "more than 10000 entries");
	free(m);
	size_t big = (1u << 20) + 10;
	char *huge = malloc(big + 64);
	assert_non_null(huge);
	snprintf(huge, 64, "format: 1\nname: core\ndescription: \"");
	size_t off = strlen(huge);
	memset(huge + off, 'x', big - off);
	strcpy(huge + big, "\"\n");
	ent e2[] = {{"manifest.yaml", AE_IFREG, huge, NULL, NULL}, {"core.so", AE_IFREG, NULL, CORE_SO, NULL}};
	write_pkg(f->pkg, e2, 2, 1);
	expect_refusal(f, "over the 1024 KiB limit");
	free(huge);
	free(names);
	free(e);
}

static void test_refuses_absolute_paths(void **state)
{
	fx *f = *state;
	char *abs = weft_path_join(f->dir, "abs-evil");
	ent e[] = {{abs, AE_IFREG, "boom", NULL, NULL}};
	write_pkg(f->pkg, e, 1, 1);
	expect_refusal(f, "absolute path");
	assert_int_not_equal(access(abs, F_OK), 0);
	free(abs);
}

static void test_refuses_symlink_escape(void **state)
{
	fx *f = *state;
	ent e[] = {{"docs/link", AE_IFLNK, NULL, NULL, "../../../etc/passwd"}};
	write_pkg(f->pkg, e, 1, 1);
	expect_refusal(f, "outside the package");
	ent e2[] = {{"link", AE_IFLNK, NULL, NULL, "/etc/passwd"}};
	write_pkg(f->pkg, e2, 1, 1);
	expect_refusal(f, "outside the package");
}

static void test_refuses_device_files(void **state)
{
	fx *f = *state;
	ent e[] = {{"dev", AE_IFCHR, NULL, NULL, NULL}};
	write_pkg(f->pkg, e, 1, 1);
	expect_refusal(f, "device, FIFO or socket");
}

static void test_refuses_checksum_mismatch(void **state)
{
	fx *f = *state;
	char *m = manifest("core", "1.0", "0000000000000000000000000000000000000000000000000000000000000000");
	ent e[] = {{"manifest.yaml", AE_IFREG, m, NULL, NULL}, {"core.so", AE_IFREG, NULL, CORE_SO, NULL}};
	write_pkg(f->pkg, e, 2, 1);
	expect_refusal(f, "checksum mismatch");
	free(m);
}

static void test_refuses_abi_mismatch(void **state)
{
	fx *f = *state;
	char *m = manifest("core", "99.0", f->sum);
	ent e[] = {{"manifest.yaml", AE_IFREG, m, NULL, NULL}, {"core.so", AE_IFREG, NULL, CORE_SO, NULL}};
	write_pkg(f->pkg, e, 2, 1);
	expect_refusal(f, "built for weft ABI 99.0 but this weft has ABI 1.");
	free(m);
}

static void test_refuses_corrupt_archives(void **state)
{
	fx *f = *state;
	good_package(f, NULL, NULL);
	/* Cut the archive in half: the zstd stream ends early. */
	struct stat sb;
	assert_int_equal(stat(f->pkg, &sb), 0);
	assert_int_equal(truncate(f->pkg, sb.st_size / 2), 0);
	expect_refusal(f, "corrupt");
	write_text(f->pkg, "this is not an archive at all\n");
	expect_refusal(f, "not a weft package");
}

static void test_refuses_missing_manifest(void **state)
{
	fx *f = *state;
	ent e[] = {{"core.so", AE_IFREG, NULL, CORE_SO, NULL}};
	write_pkg(f->pkg, e, 1, 1);
	expect_refusal(f, "no manifest.yaml");
}

static void test_failed_install_keeps_the_old_one(void **state)
{
	fx *f = *state;
	good_package(f, NULL, NULL);
	char *dir = NULL;
	weft_value *m = NULL;
	assert_int_equal(weft_pkg_install(&dir, &m, f->pkg, f->dest), WEFT_OK);
	char *bad = manifest("core", "1.0", "1111111111111111111111111111111111111111111111111111111111111111");
	ent e[] = {{"manifest.yaml", AE_IFREG, bad, NULL, NULL}, {"core.so", AE_IFREG, "not the library", NULL, NULL}};
	write_pkg(f->pkg, e, 2, 1);
	char *dir2 = NULL;
	weft_value *m2 = NULL;
	assert_int_not_equal(weft_pkg_install(&dir2, &m2, f->pkg, f->dest), WEFT_OK);
	char *so = weft_path_join(dir, "core.so");
	char got[WEFT_HASH_HEX];
	assert_int_equal(weft_hash_file(got, so, NULL), WEFT_OK);
	assert_string_equal(got, f->sum); /* the installed library is untouched */
	assert_int_equal(count_entries(f->dest), 1);
	free(so);
	free(bad);
	free(dir);
	weft_value_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_installs_a_good_package, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_path_traversal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_absolute_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_oversized_packages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_symlink_escape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_device_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_checksum_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_abi_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_corrupt_archives, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_missing_manifest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_install_keeps_the_old_one, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
