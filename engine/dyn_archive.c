/* dyn_archive.c -- see dyn_archive.h and dynlib.h. */
#include "dyn_archive.h"

#include <pthread.h>

#include "dynlib.h"
#include "util.h"

#ifndef WEFT_LIBARCHIVE_SONAME
#error "WEFT_LIBARCHIVE_SONAME must name the library's soname (CMakeLists.txt reads it at configure time)"
#endif

static const char *const names[] = {
#define X(f) #f,
	WEFT_ARCHIVE_FUNCS(X)
#undef X
};

#define N_FUNCS (sizeof names / sizeof *names)

/* Written once under `once`, read-only afterwards (dynlib.h says why). */
static union {
	weft_archive_api api;
	void *slot[N_FUNCS];
} table;
_Static_assert(sizeof(weft_archive_api) == N_FUNCS * sizeof(void *), "one pointer per function");
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_failed;
static char load_error[512];

static void load(void)
{
	load_failed = weft_dynlib_open(table.slot, WEFT_LIBARCHIVE_SONAME, names, N_FUNCS, "libarchive13", load_error,
				       sizeof load_error) != 0;
}

int weft_archive_load(void)
{
	pthread_once(&once, load);
	return load_failed ? weft_err_set(WEFT_EINVALID, "%s", load_error) : WEFT_OK;
}

const weft_archive_api *la(void)
{
	return &table.api;
}
