/* dyn_curl.c -- see dyn_curl.h and dynlib.h. */
#include "dyn_curl.h"

#include "dynlib.h"
#include "util.h"

#ifndef WEFT_LIBCURL_SONAME
#error "WEFT_LIBCURL_SONAME must name the library's soname (CMakeLists.txt reads it at configure time)"
#endif

static const char *const names[] = {
#define X(f) #f,
	WEFT_CURL_FUNCS(X)
#undef X
};

#define N_FUNCS (sizeof names / sizeof *names)

/* Written once by weft_dynlib_load, read-only afterwards (dynlib.h says
 * why it is process-wide). */
static union {
	weft_curl_api api;
	void *slot[N_FUNCS];
} table;
_Static_assert(sizeof(weft_curl_api) == N_FUNCS * sizeof(void *), "one pointer per function");
static weft_dynlib lib = WEFT_DYNLIB_INIT(WEFT_LIBCURL_SONAME, "libcurl4");
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static int initialised;

int weft_curl_load(void)
{
	int rc = weft_dynlib_load(&lib, table.slot, names, N_FUNCS);
	if (rc != WEFT_OK)
		return rc;
	/* Once for the process, never cleaned up: curl_global_cleanup while
	 * another thread uses libcurl is undefined. */
	pthread_mutex_lock(&init_lock);
	if (!initialised && table.api.curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
		initialised = 1;
	int ok = initialised;
	pthread_mutex_unlock(&init_lock);
	return ok ? WEFT_OK : weft_err_set(WEFT_ERROR, "libcurl could not initialise; reinstall libcurl4");
}

const weft_curl_api *lc(void)
{
	return &table.api;
}
