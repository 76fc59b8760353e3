/*
 * weft/repo.h -- pipeline repositories: the git facts weft records and the
 * revisions it reads pipelines from, through libgit2 (never the `git`
 * program).
 *
 * Conventions as in weft/weft.h: WEFT_OK or a negative code, the message in
 * weft_error_last(). Commit and blob ids are 40 hex characters + NUL.
 * Paths called `rel` are relative to the repository's work tree, with '/'.
 */
#ifndef WEFT_REPO_H
#define WEFT_REPO_H

#include <stddef.h>
#include <stdint.h>

#include "weft/weft.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weft_repo weft_repo;

/* Opens the repository whose work tree holds `path` (searching upwards).
 * WEFT_ENOTFOUND when there is none; WEFT_EINVALID for a bare repository,
 * which has no work tree to run pipelines from. */
WEFT_EXTERN int weft_repo_open(weft_repo **out, const char *path);
WEFT_EXTERN void weft_repo_free(weft_repo *r);
/* The work tree's absolute path, without a trailing slash (borrowed). */
WEFT_EXTERN const char *weft_repo_workdir(const weft_repo *r);
/* `abs` relative to the work tree, or NULL when it lies outside. Caller frees. */
WEFT_EXTERN char *weft_repo_relpath(const weft_repo *r, const char *abs);

typedef struct weft_repo_head {
	char commit[41]; /* "" when the branch has no commit yet */
	char *branch;    /* short name; NULL when HEAD is detached */
	int detached;
} weft_repo_head;
WEFT_EXTERN int weft_repo_head_get(weft_repo_head *out, weft_repo *r);
WEFT_EXTERN void weft_repo_head_clear(weft_repo_head *h);

/* Resolves a tag, branch, commit id (or prefix) or expression such as
 * HEAD~2 to a commit. */
WEFT_EXTERN int weft_repo_resolve(char commit[41], weft_repo *r, const char *rev);
/* The bytes of file `rel` in `commit`'s tree, straight from the object
 * database. WEFT_ENOTFOUND when the file is not in that tree, WEFT_EINVALID
 * when it is a directory there. `*data` is the caller's to free; `blob`
 * (may be NULL) receives the blob id. */
WEFT_EXTERN int weft_repo_read_at(char **data, size_t *len, char blob[41], weft_repo *r, const char commit[41], const char *rel);
/* The same bytes handed to `sink` in pieces, for files too large to hold:
 * a blob stored whole (loose, or packed without a delta, as git stores
 * every file over core.bigFileThreshold) is streamed from disk; a delta is
 * rebuilt by libgit2 in memory, once. `sink` returns WEFT_OK or an error
 * that ends the read. */
WEFT_EXTERN int weft_repo_stream_at(weft_repo *r, const char commit[41], const char *rel, char blob[41],
				    int (*sink)(void *ctx, const void *data, size_t len), void *ctx);
/* The blob id `rel` has in `commit` ("" if it is not there, or `commit` is
 * "") and the one its work-tree content would get ("" if the file does not
 * exist). */
WEFT_EXTERN int weft_repo_file_blobs(char head_blob[41], char work_blob[41], weft_repo *r, const char commit[41],
			 const char *rel);
/* Whether any tracked file differs from HEAD (index or work tree);
 * untracked files do not count, as for `git describe --dirty`. */
WEFT_EXTERN int weft_repo_is_dirty(int *dirty, weft_repo *r);
/* One line summary, author and time (Unix seconds) of a commit. Caller
 * frees the strings. */
WEFT_EXTERN int weft_repo_commit_info(char **summary, char **author, int64_t *when, weft_repo *r, const char commit[41]);
/* Calls `fn` with `start` and then each first-parent ancestor, newest
 * first, until `fn` returns non-zero or `max` commits were visited. */
WEFT_EXTERN int weft_repo_walk(weft_repo *r, const char start[41], size_t max, int (*fn)(void *ctx, const char commit[41]),
		   void *ctx);

typedef struct weft_repo_file {
	const char *rel;
	const char *content;
} weft_repo_file;
/* Creates (or reuses) the repository at `dir`, writes `files` (refusing to
 * overwrite any that exist), and commits them with `message` on top of
 * HEAD. The author is git's configured user, else "weft". */
WEFT_EXTERN int weft_repo_init(char commit[41], const char *dir, const weft_repo_file *files, size_t n, const char *message);

#ifdef __cplusplus
}
#endif
#endif
