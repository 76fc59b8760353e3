/*
 * gitstate.h -- a work tree's provenance facts read from .git's own files,
 * without libgit2: HEAD's commit and branch, and, when it can be told for
 * certain, that the tracked files are clean (the index matches HEAD and the
 * work tree), with each tracked file's blob id.
 *
 * Why: loading libgit2 (with mbedTLS, libssh2 and their relocations) and
 * its status walk cost a no-op `weft run` inside a repository about 20M
 * instructions, more than the rest of a 1,000-node rerun's scheduling.
 * Most runs happen in a clean checkout, where git's own bookkeeping
 * answers the question: the index's cached tree names the tree it matches,
 * and its stat data says which files are unchanged since they were staged.
 *
 * Modified files are answered too while the index is HEAD's tree: their
 * bytes are hashed as git hashes them, unless git might filter them.
 *
 * Anything this does not read with certainty (a linked worktree, a split
 * or sparse index, a staged change, a possible filter, a mode change, a
 * delta-compressed commit, an unusual config) makes it answer "unsure",
 * and the caller asks libgit2, so the facts recorded never depend on which
 * path ran.
 */
#ifndef WEFT_GITSTATE_H
#define WEFT_GITSTATE_H

typedef struct gitstate gitstate;

/* Finds the repository whose work tree holds the absolute directory `dir`,
 * as libgit2 would, when it is an ordinary one (a `.git` directory owned
 * by this user, on the same filesystem, reached without symbolic links,
 * with a plain config): its work tree into *workdir (malloc'd, no trailing
 * slash) and its git directory into *gitdir. Returns 1 found, 0 unsure. */
int gitstate_discover(char **workdir, char **gitdir, const char *dir);

/* Reads HEAD and its commit; then the index and the stat data of every
 * tracked file, to tell whether they are clean. NULL when HEAD is unsure
 * (or out of memory). */
gitstate *gitstate_read(const char *workdir, const char *gitdir);
void gitstate_free(gitstate *s);

/* HEAD's commit (40 hex digits), its branch (NULL when detached), and
 * whether HEAD is detached. */
const char *gitstate_commit(const gitstate *s);
const char *gitstate_branch(const gitstate *s);
int gitstate_detached(const gitstate *s);

/* 1 when every tracked file is known clean: the index is HEAD's tree and no
 * tracked file changed since it was staged; 0 when that is not known. */
int gitstate_clean(const gitstate *s);

/* Whether `git status` (tracked files, index and work tree) would list
 * anything: 1 yes, 0 no, -1 not known for certain (then ask libgit2).
 * Answered when the index is HEAD's tree: a tracked file deleted, or one
 * whose stat data moved and whose bytes, hashed as git would hash them,
 * differ from its blob (1 at the first), and 0 when every moved file
 * hashes to its blob. Whatever git might filter (an attributes file, a
 * line-ending setting in any config it reads), a type or mode change,
 * or a staged change is -1. */
int gitstate_dirty(gitstate *s);

/* The blob ids of regular file `rel` at HEAD and in the work tree (its
 * bytes hashed when they changed, under the same conditions as
 * gitstate_dirty; an untracked file has no HEAD id, ""). 1 with both
 * filled; 0 when not known for certain. */
int gitstate_blobs(gitstate *s, const char *rel, char head[41], char work[41]);

#endif
