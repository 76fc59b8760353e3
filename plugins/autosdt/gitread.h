/*
 * gitread.h -- a source repository, read through libgit2 at one commit:
 * its README, its files one by one, and a checkout of them into a
 * directory. No git program runs, and nothing touches the repository's own
 * work tree or index, so a user's uncommitted edits never reach a task.
 */
#ifndef AUTOSDT_GITREAD_H
#define AUTOSDT_GITREAD_H

#include <stddef.h>

typedef struct sdt_repo sdt_repo;

/* Opens `where`: a repository path (its work tree or .git, or a bare one)
 * or a file:// URL of one. 0, or -1 with err set. The caller frees it. */
int sdt_repo_open(sdt_repo **out, const char *where, char *err, size_t errlen);
void sdt_repo_free(sdt_repo *r);

/* Resolves `rev` (NULL or "": HEAD) to a commit; writes its 40-hex id to
 * `oid` (41 bytes). 0, or -1 with err set. */
int sdt_repo_resolve(sdt_repo *r, const char *rev, char oid[41], char *err, size_t errlen);

/* Calls `fn` for each blob of the commit `oid`, in tree order, with its
 * repository-relative path, content and size. A blob over `max_blob` bytes
 * is passed with data NULL and its size. `fn` returns non-zero to stop.
 * 0, -1 with err set, or what `fn` returned. */
typedef int (*sdt_blob_fn)(void *arg, const char *path, const void *data, size_t size);
int sdt_repo_walk(sdt_repo *r, const char *oid, size_t max_blob, sdt_blob_fn fn, void *arg, char *err, size_t errlen);

/* The first README* at the root of commit `oid` (malloc'd, NUL-terminated,
 * at most `max` bytes), or NULL when there is none. */
char *sdt_repo_readme(sdt_repo *r, const char *oid, size_t max);

/* Writes every blob of commit `oid` up to `max_blob` bytes under `dir`
 * (which exists), refusing paths that would leave it; the total is capped
 * at `max_total` bytes. Symbolic links and submodules are skipped. 0, or
 * -1 with err set. `*n_files` and `*bytes` say what was written. */
int sdt_repo_export(sdt_repo *r, const char *oid, const char *dir, size_t max_blob, size_t max_total,
		    size_t *n_files, size_t *bytes, char *err, size_t errlen);

#endif
