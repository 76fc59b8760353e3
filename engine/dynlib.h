/*
 * dynlib.h -- system libraries bound at first use instead of at start-up.
 *
 * libgit2 and libarchive (with mbedTLS, Kerberos, libssh2, libxml2, ICU and
 * libstdc++ behind them) cost the dynamic loader about 13M instructions
 * when linked into the weft binary: more than a whole one-node run without
 * them. Most weft commands use neither, so repo.c and pkg.c reach them
 * through tables of typed function pointers that are filled the first time
 * a repository or a package is opened (dyn_git.h, dyn_archive.h); libcurl
 * likewise the first time an op asks an LLM (dyn_curl.h).
 *
 * Each table is process-wide, written once under pthread_once and only
 * read afterwards: like the libraries' own global initialisation, it is
 * a property of the process, not engine state.
 */
#ifndef WEFT_DYNLIB_H
#define WEFT_DYNLIB_H

#include <pthread.h>
#include <stddef.h>

/* dlopens `soname` and resolves `names[0..n)` into `fns`. On failure writes
 * a message naming the library (and the symbol) and what to install into
 * `err` and returns non-zero. The library stays mapped for the process. */
int weft_dynlib_open(void **fns, const char *soname, const char *const *names, size_t n, const char *package,
		     char *err, size_t errlen);

/* One library's load state: a static per library, set up with
 * WEFT_DYNLIB_INIT(soname, package). */
typedef struct weft_dynlib {
	pthread_mutex_t lock;
	int tried, failed;
	const char *soname, *package;
	char error[512];
} weft_dynlib;
#define WEFT_DYNLIB_INIT(soname, package) {PTHREAD_MUTEX_INITIALIZER, 0, 0, (soname), (package), ""}

/* Binds `names[0..n)` into `fns` the first time it is called for `lib`,
 * from any thread; later calls return the first one's outcome. WEFT_OK, or
 * an error saying what to install. */
int weft_dynlib_load(weft_dynlib *lib, void **fns, const char *const *names, size_t n);

#endif
