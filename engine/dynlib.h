/*
 * dynlib.h -- system libraries bound at first use instead of at start-up.
 *
 * libgit2 and libarchive (with mbedTLS, Kerberos, libssh2, libxml2, ICU and
 * libstdc++ behind them) cost the dynamic loader about 13M instructions
 * when linked into the weft binary: more than a whole one-node run without
 * them. Most weft commands use neither, so repo.c and pkg.c reach them
 * through tables of typed function pointers that are filled the first time
 * a repository or a package is opened (dyn_git.h, dyn_archive.h).
 *
 * Each table is process-wide, written once under pthread_once and only
 * read afterwards: like the libraries' own global initialisation, it is
 * a property of the process, not engine state.
 */
#ifndef WEFT_DYNLIB_H
#define WEFT_DYNLIB_H

#include <stddef.h>

/* dlopens `soname` and resolves `names[0..n)` into `fns`. On failure writes
 * a message naming the library (and the symbol) and what to install into
 * `err` and returns non-zero. The library stays mapped for the process. */
int weft_dynlib_open(void **fns, const char *soname, const char *const *names, size_t n, const char *package,
		     char *err, size_t errlen);

#endif
