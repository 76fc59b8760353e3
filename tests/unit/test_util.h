/* Shared helpers for the cmocka unit tests. */
#ifndef WEFT_TEST_UTIL_H
#define WEFT_TEST_UTIL_H
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "weft/weft.h"

static inline char *tmpdir_new(void)
{
	char tmpl[] = "/tmp/weft-unit.XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return weft_strdup(d);
}

static inline void write_text(const char *path, const char *text)
{
	assert_int_equal(weft_write_file_atomic(path, text, strlen(text), 0), WEFT_OK);
}
#endif
