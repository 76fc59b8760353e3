/* repo.c's stand-ins for mbedTLS's CA loaders: inside weft's libgit2
 * initialisation they load nothing; for every other caller they must behave
 * exactly as mbedTLS does, also when mbedTLS was dlopened locally (as
 * libgit2 and plugins load it). */

#define _GNU_SOURCE
#include "test_util.h"
#include <dlfcn.h>
#include <link.h>

#include "dyn_git.h"
#include "weft/repo.h"

int mbedtls_x509_crt_parse_file(void *chain, const char *path);

static int find_x509(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	if (info->dlpi_name && strstr(info->dlpi_name, "libmbedx509.so")) {
		*(const char **)data = info->dlpi_name;
		return 1;
	}
	return 0;
}

static void test_forwards_to_mbedtls(void **state)
{
	(void)state;
	/* Mapping libgit2 maps Debian's mbedTLS beside it, locally. */
	assert_int_equal(weft_git_load(), WEFT_OK);
	const char *lib = NULL;
	dl_iterate_phdr(find_x509, &lib);
	if (!lib)
		skip(); /* a libgit2 built without mbedTLS: nothing to stand in for */
	void *h = dlopen(lib, RTLD_NOW | RTLD_NOLOAD);
	assert_non_null(h);
	int (*real)(void *, const char *);
	*(void **)&real = dlsym(h, "mbedtls_x509_crt_parse_file");
	assert_non_null(real);
	assert_ptr_not_equal(real, mbedtls_x509_crt_parse_file); /* ours is the executable's */
	/* A missing file fails in mbedTLS before the chain is touched; the
	 * stand-in must return mbedTLS's own code, not its fallback. */
	int want = real(NULL, "/nonexistent/ca.pem");
	assert_int_not_equal(want, 0);
	assert_int_equal(mbedtls_x509_crt_parse_file(NULL, "/nonexistent/ca.pem"), want);
	dlclose(h);
}

static void test_repo_outside_any_repository(void **state)
{
	(void)state;
	char *dir = tmpdir_new();
	weft_repo *r = NULL;
	assert_int_equal(weft_repo_open(&r, dir), WEFT_ENOTFOUND);
	assert_non_null(strstr(weft_error_last(), "not inside a git repository"));
	assert_null(r);
	weft_rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forwards_to_mbedtls),
		cmocka_unit_test(test_repo_outside_any_repository),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
