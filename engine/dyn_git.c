/* dyn_git.c -- see dyn_git.h and dynlib.h. */
#include "dyn_git.h"

#include "dynlib.h"
#include "util.h"

#ifndef WEFT_LIBGIT2_SONAME
#error "WEFT_LIBGIT2_SONAME must name the library's soname (CMakeLists.txt reads it at configure time)"
#endif

static const char *const names[] = {
#define X(f) #f,
	WEFT_GIT_FUNCS(X)
#undef X
};

#define N_FUNCS (sizeof names / sizeof *names)

/* Written once by weft_dynlib_load, read-only afterwards (dynlib.h says
 * why it is process-wide). */
static union {
	weft_git_api api;
	void *slot[N_FUNCS];
} table;
_Static_assert(sizeof(weft_git_api) == N_FUNCS * sizeof(void *), "one pointer per function");
static weft_dynlib lib = WEFT_DYNLIB_INIT(WEFT_LIBGIT2_SONAME, "libgit2-1.5");

int weft_git_load(void)
{
	return weft_dynlib_load(&lib, table.slot, names, N_FUNCS);
}

const weft_git_api *lg(void)
{
	return &table.api;
}
