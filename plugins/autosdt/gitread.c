/*
 * gitread.c -- see gitread.h. Trees are walked from the commit object, so
 * a repository with a dirty work tree, a detached HEAD or no work tree at
 * all (bare) reads the same. Paths come from git and are checked before
 * anything is written: no absolute path, no "..", no ".git".
 */
#define _GNU_SOURCE
#include "gitread.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>


/* libgit2 is bound at first use, as the engine binds it (engine/dynlib.h):
 * linking it would map it, and mbedTLS, libssh2 and the rest behind it,
 * into every weft process that loads this plugin -- `weft plan` of any
 * pipeline -- and cost each of them the loader's time. The table is
 * process-wide, like the library's own state, and written once. */
#define SDT_GIT_FUNCTIONS \
	X(git_blob_free) \
	X(git_blob_lookup) \
	X(git_blob_rawcontent) \
	X(git_blob_rawsize) \
	X(git_commit_free) \
	X(git_commit_lookup) \
	X(git_commit_tree) \
	X(git_error_last) \
	X(git_libgit2_init) \
	X(git_object_free) \
	X(git_object_id) \
	X(git_object_peel) \
	X(git_oid_fromstr) \
	X(git_oid_tostr) \
	X(git_repository_free) \
	X(git_repository_open_ext) \
	X(git_revparse_single) \
	X(git_tree_entry_byindex) \
	X(git_tree_entry_filemode) \
	X(git_tree_entry_id) \
	X(git_tree_entry_name) \
	X(git_tree_entry_type) \
	X(git_tree_entrycount) \
	X(git_tree_free) \
	X(git_tree_walk)

static struct {
#define X(f) __typeof__(f) *f;
	SDT_GIT_FUNCTIONS
#undef X
} sdt_git;
static pthread_once_t sdt_git_once = PTHREAD_ONCE_INIT;
static char sdt_git_error[512];

static void sdt_git_bind(void)
{
	void *h = dlopen(SDT_LIBGIT2_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(sdt_git_error, sizeof sdt_git_error, "cannot load %s (%s); install libgit2 (Debian: libgit2-1.5)",
			 SDT_LIBGIT2_SONAME, dlerror());
		return;
	}
#define X(f)                                                                                                    \
	if (!sdt_git_error[0] && !(*(void **)&sdt_git.f = dlsym(h, #f)))                                        \
		snprintf(sdt_git_error, sizeof sdt_git_error, "%s has no %s; install libgit2 1.1 or later",     \
			 SDT_LIBGIT2_SONAME, #f);
	SDT_GIT_FUNCTIONS
#undef X
	/* One reference for the life of the process: libgit2's global set-up
	 * (which parses the system CA bundle) then runs once, not once per
	 * repository that search or crawl opens and closes. */
	if (!sdt_git_error[0] && sdt_git.git_libgit2_init() < 0)
		snprintf(sdt_git_error, sizeof sdt_git_error, "cannot initialise libgit2");
}

/* From here on, every git_* call goes through the table. */
#define X(f) /* nothing */
#define git_blob_free (sdt_git.git_blob_free)
#define git_blob_lookup (sdt_git.git_blob_lookup)
#define git_blob_rawcontent (sdt_git.git_blob_rawcontent)
#define git_blob_rawsize (sdt_git.git_blob_rawsize)
#define git_commit_free (sdt_git.git_commit_free)
#define git_commit_lookup (sdt_git.git_commit_lookup)
#define git_commit_tree (sdt_git.git_commit_tree)
#define git_error_last (sdt_git.git_error_last)
#define git_libgit2_init (sdt_git.git_libgit2_init)
#define git_object_free (sdt_git.git_object_free)
#define git_object_id (sdt_git.git_object_id)
#define git_object_peel (sdt_git.git_object_peel)
#define git_oid_fromstr (sdt_git.git_oid_fromstr)
#define git_oid_tostr (sdt_git.git_oid_tostr)
#define git_repository_free (sdt_git.git_repository_free)
#define git_repository_open_ext (sdt_git.git_repository_open_ext)
#define git_revparse_single (sdt_git.git_revparse_single)
#define git_tree_entry_byindex (sdt_git.git_tree_entry_byindex)
#define git_tree_entry_filemode (sdt_git.git_tree_entry_filemode)
#define git_tree_entry_id (sdt_git.git_tree_entry_id)
#define git_tree_entry_name (sdt_git.git_tree_entry_name)
#define git_tree_entry_type (sdt_git.git_tree_entry_type)
#define git_tree_entrycount (sdt_git.git_tree_entrycount)
#define git_tree_free (sdt_git.git_tree_free)
#define git_tree_walk (sdt_git.git_tree_walk)
#undef X

struct sdt_repo {
	git_repository *repo;
};

static void git_err(char *err, size_t errlen, const char *what)
{
	const git_error *e = git_error_last();
	snprintf(err, errlen, "%s: %s", what, e && e->message ? e->message : "unknown libgit2 error");
}

int sdt_repo_open(sdt_repo **out, const char *where, char *err, size_t errlen)
{
	*out = NULL;
	pthread_once(&sdt_git_once, sdt_git_bind);
	if (sdt_git_error[0]) {
		snprintf(err, errlen, "%s", sdt_git_error);
		return -1;
	}
	const char *path = where;
	if (strncmp(path, "file://", 7) == 0)
		path += 7;
	else if (strstr(path, "://")) {
		snprintf(err, errlen, "%s: only local repositories and file:// URLs are read (nothing is downloaded); "
			 "clone it first and give its path", where);
		return -1;
	}
	sdt_repo *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (git_repository_open_ext(&r->repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		char what[600];
		snprintf(what, sizeof what, "%s is not a git repository", where);
		git_err(err, errlen, what);
		free(r);
		return -1;
	}
	*out = r;
	return 0;
}

void sdt_repo_free(sdt_repo *r)
{
	if (!r)
		return;
	git_repository_free(r->repo);
	free(r);
}

int sdt_repo_resolve(sdt_repo *r, const char *rev, char oid[41], char *err, size_t errlen)
{
	git_object *obj = NULL, *commit = NULL;
	const char *spec = rev && *rev ? rev : "HEAD";
	if (git_revparse_single(&obj, r->repo, spec) < 0) {
		char what[300];
		snprintf(what, sizeof what, "revision '%s' not found", spec);
		git_err(err, errlen, what);
		return -1;
	}
	int rc = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT);
	git_object_free(obj);
	if (rc < 0) {
		char what[300];
		snprintf(what, sizeof what, "revision '%s' is not a commit", spec);
		git_err(err, errlen, what);
		return -1;
	}
	git_oid_tostr(oid, 41, git_object_id(commit));
	git_object_free(commit);
	return 0;
}

static int commit_tree(git_tree **tree, sdt_repo *r, const char *oid, char *err, size_t errlen)
{
	git_oid id;
	git_commit *c = NULL;
	if (git_oid_fromstr(&id, oid) < 0 || git_commit_lookup(&c, r->repo, &id) < 0) {
		git_err(err, errlen, "commit not found");
		return -1;
	}
	int rc = git_commit_tree(tree, c);
	git_commit_free(c);
	if (rc < 0) {
		git_err(err, errlen, "cannot read the commit's tree");
		return -1;
	}
	return 0;
}

struct walk {
	sdt_repo *r;
	size_t max_blob;
	sdt_blob_fn fn;
	void *arg;
	int user_rc;
	char *err;
	size_t errlen;
};

static int walk_cb(const char *root, const git_tree_entry *e, void *payload)
{
	struct walk *w = payload;
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB || git_tree_entry_filemode(e) == GIT_FILEMODE_LINK)
		return 0;
	char path[4096];
	if ((size_t)snprintf(path, sizeof path, "%s%s", root, git_tree_entry_name(e)) >= sizeof path)
		return 0; /* a path longer than any file system takes */
	git_blob *b = NULL;
	if (git_blob_lookup(&b, w->r->repo, git_tree_entry_id(e)) < 0) {
		git_err(w->err, w->errlen, path);
		w->user_rc = -1;
		return -1;
	}
	size_t size = (size_t)git_blob_rawsize(b);
	int rc = w->fn(w->arg, path, size <= w->max_blob ? git_blob_rawcontent(b) : NULL, size);
	git_blob_free(b);
	if (rc) {
		w->user_rc = rc;
		return -1;
	}
	return 0;
}

int sdt_repo_walk(sdt_repo *r, const char *oid, size_t max_blob, sdt_blob_fn fn, void *arg, char *err, size_t errlen)
{
	git_tree *tree = NULL;
	if (commit_tree(&tree, r, oid, err, errlen) < 0)
		return -1;
	struct walk w = {r, max_blob, fn, arg, 0, err, errlen};
	int rc = git_tree_walk(tree, GIT_TREEWALK_PRE, walk_cb, &w);
	git_tree_free(tree);
	if (w.user_rc)
		return w.user_rc;
	if (rc < 0) {
		git_err(err, errlen, "cannot walk the tree");
		return -1;
	}
	return 0;
}

char *sdt_repo_readme(sdt_repo *r, const char *oid, size_t max)
{
	git_tree *tree = NULL;
	char err[256];
	if (commit_tree(&tree, r, oid, err, sizeof err) < 0)
		return NULL;
	char *out = NULL;
	size_t n = git_tree_entrycount(tree);
	for (size_t i = 0; i < n && !out; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		if (git_tree_entry_type(e) != GIT_OBJECT_BLOB || strncasecmp(git_tree_entry_name(e), "readme", 6) != 0)
			continue;
		git_blob *b = NULL;
		if (git_blob_lookup(&b, r->repo, git_tree_entry_id(e)) < 0)
			continue;
		size_t size = (size_t)git_blob_rawsize(b);
		if (size > max)
			size = max;
		out = malloc(size + 1);
		if (out) {
			memcpy(out, git_blob_rawcontent(b), size);
			out[size] = '\0';
		}
		git_blob_free(b);
	}
	git_tree_free(tree);
	return out;
}

/* A repository path is written only when every component is a plain name. */
static int safe_path(const char *p)
{
	if (!*p || *p == '/')
		return 0;
	const char *s = p;
	while (*s) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.') ||
		    (n == 4 && strncasecmp(s, ".git", 4) == 0))
			return 0;
		s += n + (e ? 1 : 0);
	}
	return 1;
}

static int mkdirs_for(char *path)
{
	for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		int rc = mkdir(path, 0755);
		*s = '/';
		if (rc < 0 && errno != EEXIST)
			return -1;
	}
	return 0;
}

struct export {
	const char *dir;
	size_t max_total, n_files, bytes;
	char *err;
	size_t errlen;
};

static int export_cb(void *arg, const char *path, const void *data, size_t size)
{
	struct export *x = arg;
	if (!data || !safe_path(path))
		return 0; /* too large for a task, or a path that would leave the directory */
	if (x->bytes + size > x->max_total) {
		snprintf(x->err, x->errlen, "the checkout is over its limit of %zu bytes at %s; raise max_checkout or "
			 "split the repository", x->max_total, path);
		return -1;
	}
	char full[8192];
	if ((size_t)snprintf(full, sizeof full, "%s/%s", x->dir, path) >= sizeof full)
		return 0;
	if (mkdirs_for(full) < 0) {
		snprintf(x->err, x->errlen, "%s: cannot make its directory: %s", full, strerror(errno));
		return -1;
	}
	int fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		snprintf(x->err, x->errlen, "%s: %s", full, strerror(errno));
		return -1;
	}
	const char *p = data;
	size_t left = size;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(x->err, x->errlen, "%s: cannot write: %s", full, strerror(errno));
			close(fd);
			return -1;
		}
		p += w;
		left -= (size_t)w;
	}
	if (close(fd) < 0) {
		snprintf(x->err, x->errlen, "%s: cannot write: %s", full, strerror(errno));
		return -1;
	}
	x->n_files++;
	x->bytes += size;
	return 0;
}

int sdt_repo_export(sdt_repo *r, const char *oid, const char *dir, size_t max_blob, size_t max_total,
		    size_t *n_files, size_t *bytes, char *err, size_t errlen)
{
	struct export x = {dir, max_total, 0, 0, err, errlen};
	int rc = sdt_repo_walk(r, oid, max_blob, export_cb, &x, err, errlen);
	*n_files = x.n_files;
	*bytes = x.bytes;
	return rc ? -1 : 0;
}
