/* Unit tests of workdirs.c: a directory its op left empty is handed to the
 * next op under the same parent (no inode freed and made again); one with
 * files in it, or one asked for under another parent, is not. */
#include "test_util.h"

#include <sys/stat.h>
#include <unistd.h>

#include "workdirs.h"

static int is_dir(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* The descriptor handed out with a directory is that directory's. */
static int same_dir(int fd, const char *path)
{
	struct stat a, b;
	return fd >= 0 && fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static void test_empty_dir_is_reused(void **state)
{
	(void)state;
	char *root = tmpdir_new(), *parent = weft_path_join(root, "run"); /* made by the first take */
	weft_workdirs *w = weft_workdirs_new();
	int a_fd, b_fd, c_fd, d_fd, e_fd, e_again_fd, g_fd;
	assert_non_null(w);
	char *a = weft_workdir_take(w, parent, 7, &a_fd);
	assert_non_null(a);
	assert_true(is_dir(a));
	assert_true(same_dir(a_fd, a));
	assert_true(!strncmp(a, parent, strlen(parent)) && !strncmp(a + strlen(parent), "/n7.", 4));
	char *b = weft_workdir_take(w, parent, 8, &b_fd); /* a is still in use: another one */
	assert_non_null(b);
	assert_string_not_equal(a, b);
	char *a_copy = weft_strdup(a);
	struct stat before, after;
	assert_int_equal(stat(a, &before), 0);
	weft_workdir_give(w, a, a_fd); /* empty: kept */
	assert_true(is_dir(a_copy));
	char *c = weft_workdir_take(w, parent, 9, &c_fd);
	assert_string_equal(c, a_copy);
	assert_true(same_dir(c_fd, c)); /* kept with its descriptor */
	assert_int_equal(stat(c, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);

	/* With a file left in it, it is removed, and not handed out again. */
	char *f = weft_path_join(c, "left");
	write_text(f, "x");
	weft_workdir_give(w, c, c_fd);
	assert_false(is_dir(a_copy));
	char *d = weft_workdir_take(w, parent, 10, &d_fd);
	assert_non_null(d);
	assert_string_not_equal(d, a_copy);
	assert_true(is_dir(d));

	/* Kept under one parent, never given for another (a later run). */
	char *d_copy = weft_strdup(d);
	weft_workdir_give(w, d, d_fd);
	char *other = weft_path_join(root, "run2");
	char *e = weft_workdir_take(w, other, 11, &e_fd);
	assert_non_null(e);
	assert_true(!strncmp(e, other, strlen(other)) && e[strlen(other)] == '/');
	assert_true(is_dir(d_copy)); /* forgotten, not removed: its run removes it */

	/* Removed behind weft's back: a new one is made. */
	weft_workdir_give(w, e, e_fd);
	char *e_again = weft_workdir_take(w, other, 12, &e_again_fd);
	assert_non_null(e_again);
	char *e_path = weft_strdup(e_again);
	weft_workdir_give(w, e_again, e_again_fd);
	assert_int_equal(rmdir(e_path), 0);
	char *g = weft_workdir_take(w, other, 13, &g_fd);
	assert_non_null(g);
	assert_true(is_dir(g));
	assert_string_not_equal(g, e_path); /* its descriptor said it was gone */
	assert_true(same_dir(g_fd, g));

	weft_workdir_give(w, b, b_fd);
	weft_workdir_give(w, g, g_fd);
	weft_workdirs_free(w);
	assert_int_equal(weft_rm_rf(root), WEFT_OK);
	free(f);
	free(a_copy);
	free(d_copy);
	free(e_path);
	free(other);
	free(parent);
	free(root);
}

static void test_without_a_pool(void **state)
{
	(void)state;
	char *root = tmpdir_new();
	int a_fd, bad_fd;
	char *a = weft_workdir_take(NULL, root, 1, &a_fd);
	assert_non_null(a);
	assert_true(same_dir(a_fd, a));
	char *a_copy = weft_strdup(a);
	weft_workdir_give(NULL, a, a_fd); /* no pool: removed */
	assert_false(is_dir(a_copy));
	/* A parent that cannot be made: NULL, with errno. */
	char *file = weft_path_join(root, "file");
	write_text(file, "x");
	char *under_file = weft_path_join(file, "sub");
	assert_null(weft_workdir_take(NULL, under_file, 2, &bad_fd));
	assert_int_equal(bad_fd, -1);
	assert_int_equal(weft_rm_rf(root), WEFT_OK);
	free(under_file);
	free(file);
	free(a_copy);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_dir_is_reused),
		cmocka_unit_test(test_without_a_pool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
