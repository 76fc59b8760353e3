/* dyn_archive.c -- see dyn_archive.h and dynlib.h. */
#include "dyn_archive.h"

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

/* Written once by weft_dynlib_load, read-only afterwards (dynlib.h says
 * why it is process-wide). */
static union {
	weft_archive_api api;
	void *slot[N_FUNCS];
} table;
_Static_assert(sizeof(weft_archive_api) == N_FUNCS * sizeof(void *), "one pointer per function");
static weft_dynlib lib = WEFT_DYNLIB_INIT(WEFT_LIBARCHIVE_SONAME, "libarchive13");

int weft_archive_load(void)
{
	return weft_dynlib_load(&lib, table.slot, names, N_FUNCS);
}

const weft_archive_api *la(void)
{
	return &table.api;
}
