/* Unit tests of util.c's whole-file reader: a regular file is read at its
 * size in one buffer, anything else (a pipe) in steps; either way the
 * bytes are the file's, NUL-terminated. */
#include "test_util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* n bytes of a pattern with NULs in it, so no length comes from strlen */
static char *pattern(size_t n)
{
	char *p = malloc(n ? n : 1);
	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (char)(i * 131 % 251);
	return p;
}

static void check_read(const char *path, const char *want, size_t n)
{
	char *got = NULL;
	size_t len = 7;
	assert_int_equal(weft_read_file(path, &got, &len), WEFT_OK);
	assert_int_equal(len, n);
	if (n)
		assert_memory_equal(got, want, n);
	assert_int_equal(got[n], '\0');
	free(got);
}

static void test_regular_files(void **state)
{
	(void)state;
	char *dir = tmpdir_new(), *path = weft_sprintf("%s/f", dir);
	/* empty, under one step, exactly a step, and many steps */
	size_t sizes[] = {0, 5, 65536, 200001};
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		char *p = pattern(sizes[k]);
		assert_int_equal(weft_write_file_atomic(path, p, sizes[k], 0), WEFT_OK);
		check_read(path, p, sizes[k]);
		free(p);
	}
	char *missing = weft_sprintf("%s/none", dir), *got = NULL;
	assert_int_equal(weft_read_file(missing, &got, NULL), WEFT_ENOTFOUND);
	assert_null(got);
	unlink(path);
	rmdir(dir);
	free(missing);
	free(path);
	free(dir);
}

/* A FIFO has no size: 300,000 bytes written into it by a child come back
 * whole, through several 64 KiB steps. */
static void test_pipe(void **state)
{
	(void)state;
	char *dir = tmpdir_new(), *path = weft_sprintf("%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	size_t n = 300000;
	char *p = pattern(n);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(path, O_WRONLY);
		_exit(fd >= 0 && weft_write_all(fd, p, n) == 0 && close(fd) == 0 ? 0 : 1);
	}
	check_read(path, p, n);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(p);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regular_files),
		cmocka_unit_test(test_pipe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
