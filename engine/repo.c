/*
 * repo.c -- pipeline repositories through libgit2: provenance facts (HEAD,
 * branch, dirtiness, blob ids), files read from a revision's tree without a
 * checkout, and `weft init`.
 *
 * libgit2 keeps a reference-counted global initialisation; every weft_repo
 * holds one reference (taken in open, dropped in free), so the engine
 * itself keeps no global state. It is taken only once a `.git` is found
 * above the path (git_init below), so a pipeline outside any repository
 * never initialises libgit2 at all.
 */
#define _GNU_SOURCE
#include "weft/repo.h"

#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dyn_git.h"
#include "gitstate.h"
#include "gitstream.h"
#include "util.h"

/*
 * Debian's libgit2 1.5 is built with mbedTLS, and git_libgit2_init parses
 * the whole system CA bundle: about 54M instructions, half of what a
 * one-node `weft run` cost, for certificates weft never uses (it never
 * talks to a git remote). libgit2 has no switch for it, so weft interposes
 * mbedTLS's two loaders: while this thread is inside git_init they load
 * nothing; at every other time, and for every other caller (a plugin's own
 * TLS), they forward to mbedTLS unchanged. If the executable does not
 * export them (an embedder linking libweft differently), libgit2 simply
 * loads the bundle as before.
 */
static _Thread_local int in_git_init;

/* What the stand-ins return when no mbedTLS is loaded to forward to
 * (MBEDTLS_ERR_X509_FILE_IO_ERROR). */
#define WEFT_MBEDTLS_UNAVAILABLE (-0x2900)

typedef int (*crt_load_fn)(void *chain, const char *path);

/* The mbedTLS function `sym`: the next definition in the global scope, or
 * the one in a libmbedx509 that was dlopened locally (by libgit2, by a
 * plugin), found among the loaded objects. */
static int find_mbedx509(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	if (info->dlpi_name && strstr(info->dlpi_name, "libmbedx509.so")) {
		*(const char **)data = info->dlpi_name;
		return 1;
	}
	return 0;
}

static int crt_forward(const char *sym, void *chain, const char *path)
{
	crt_load_fn real;
	*(void **)&real = dlsym(RTLD_NEXT, sym);
	if (!real) {
		const char *lib = NULL;
		dl_iterate_phdr(find_mbedx509, &lib);
		void *h = lib ? dlopen(lib, RTLD_LAZY | RTLD_NOLOAD) : NULL;
		if (h) {
			*(void **)&real = dlsym(h, sym);
			dlclose(h); /* only drops the reference NOLOAD took */
		}
	}
	return real ? real(chain, path) : WEFT_MBEDTLS_UNAVAILABLE;
}

/* Exported (default visibility) so that the dlopened libgit2 finds them
 * first, from an executable that links libweft statically as from
 * libweft.so. */
__attribute__((visibility("default"))) int mbedtls_x509_crt_parse_file(void *chain, const char *path);
__attribute__((visibility("default"))) int mbedtls_x509_crt_parse_path(void *chain, const char *path);

int mbedtls_x509_crt_parse_file(void *chain, const char *path)
{
	return in_git_init ? 0 : crt_forward("mbedtls_x509_crt_parse_file", chain, path);
}

int mbedtls_x509_crt_parse_path(void *chain, const char *path)
{
	return in_git_init ? 0 : crt_forward("mbedtls_x509_crt_parse_path", chain, path);
}

/* Maps libgit2 (dyn_git.h) and takes one reference on its initialisation. */
static int git_init(void)
{
	int rc = weft_git_load();
	if (rc != WEFT_OK)
		return rc;
	in_git_init = 1;
	lg()->git_libgit2_init();
	in_git_init = 0;
	return WEFT_OK;
}

/* Whether `dir` holds a `.git` (directory or file), or is itself a git
 * directory (a bare repository: HEAD and objects/). */
static int looks_like_repo(const char *dir)
{
	static const char *const probes[] = {".git", "HEAD", "objects"};
	struct stat st;
	char *p[3] = {NULL, NULL, NULL};
	int found = 1; /* out of memory: let libgit2 decide */
	for (int i = 0; i < 3; i++)
		if (!(p[i] = weft_path_join(dir, probes[i])))
			goto done;
	found = lstat(p[0], &st) == 0 ||
		(stat(p[1], &st) == 0 && S_ISREG(st.st_mode) && stat(p[2], &st) == 0 && S_ISDIR(st.st_mode));
done:
	for (int i = 0; i < 3; i++)
		free(p[i]);
	return found;
}

/* Whether `path` or a folder above it looks like a repository, or GIT_DIR
 * names one: the cheap test before libgit2's exact discovery. */
static int maybe_in_repo(const char *path)
{
	if (getenv("GIT_DIR"))
		return 1;
	char *dir = weft_path_abs(NULL, path);
	if (!dir)
		return 1;
	int found = 0;
	for (;;) {
		if ((found = looks_like_repo(dir)))
			break;
		char *slash = strrchr(dir, '/');
		if (!slash)
			break;
		if (slash == dir) {
			found = dir[1] && looks_like_repo("/");
			break;
		}
		*slash = '\0';
	}
	free(dir);
	return found;
}

struct weft_repo {
	git_repository *git; /* NULL until a question needs libgit2 (need_git) */
	char *workdir;
	char *gitdir;    /* found without libgit2: gitstate may answer first */
	gitstate *state; /* read on the first provenance question */
	int state_read;
};

static const char *git_msg(void)
{
	const git_error *e = lg()->git_error_last();
	return e && e->message ? e->message : "unknown libgit2 error";
}

/* libgit2's handle on a repository gitstate found, opened on first need. */
static int need_git(weft_repo *r)
{
	if (r->git)
		return WEFT_OK;
	int rc = git_init();
	if (rc != WEFT_OK)
		return rc;
	if (lg()->git_repository_open_ext(&r->git, r->workdir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		rc = weft_err_set(WEFT_EIO, "cannot open the git repository at %s: %s; check that it is a readable "
					    "git repository (`git status` there)", r->workdir, git_msg());
		r->git = NULL;
		lg()->git_libgit2_shutdown();
	}
	return rc;
}

/* HEAD and the index as gitstate reads them, once; NULL when it cannot. */
static gitstate *state_of(weft_repo *r)
{
	if (!r->state_read && r->gitdir) {
		r->state_read = 1;
		r->state = gitstate_read(r->workdir, r->gitdir);
	}
	return r->state;
}

int weft_repo_open(weft_repo **out, const char *path)
{
	if (!maybe_in_repo(path))
		return weft_err_set(WEFT_ENOTFOUND, "%s is not inside a git repository; create one with `weft init`",
				    path);
	/* An ordinary repository is opened without libgit2; it is loaded only
	 * for what gitstate cannot answer. */
	char *wd = NULL, *gd = NULL;
	if (gitstate_discover(&wd, &gd, path)) {
		weft_repo *r = calloc(1, sizeof *r);
		if (!r) {
			free(wd);
			free(gd);
			return weft_err_set(WEFT_ERROR, "out of memory");
		}
		r->workdir = wd;
		r->gitdir = gd;
		*out = r;
		return WEFT_OK;
	}
	int rc = git_init();
	if (rc != WEFT_OK)
		return rc;
	git_repository *g = NULL;
	rc = lg()->git_repository_open_ext(&g, path, 0, NULL);
	if (rc == GIT_ENOTFOUND) {
		lg()->git_libgit2_shutdown();
		return weft_err_set(WEFT_ENOTFOUND, "%s is not inside a git repository; create one with `weft init`",
				    path);
	}
	if (rc < 0) {
		int e = weft_err_set(WEFT_EIO, "cannot open the git repository at %s: %s; check that it is a "
					       "readable git repository (`git status` there)", path, git_msg());
		lg()->git_libgit2_shutdown();
		return e;
	}
	if (lg()->git_repository_is_bare(g)) {
		int e = weft_err_set(WEFT_EINVALID,
				     "%s is a bare git repository: it has no work tree to run pipelines from; clone it "
				     "(git clone %s work) and run there",
				     lg()->git_repository_path(g), lg()->git_repository_path(g));
		lg()->git_repository_free(g);
		lg()->git_libgit2_shutdown();
		return e;
	}
	weft_repo *r = calloc(1, sizeof *r);
	const char *gwd = lg()->git_repository_workdir(g);
	if (!r || !(r->workdir = weft_strdup(gwd))) {
		free(r);
		lg()->git_repository_free(g);
		lg()->git_libgit2_shutdown();
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	size_t n = strlen(r->workdir);
	while (n > 1 && r->workdir[n - 1] == '/')
		r->workdir[--n] = '\0';
	r->git = g;
	*out = r;
	return WEFT_OK;
}

void weft_repo_free(weft_repo *r)
{
	if (!r)
		return;
	if (r->git) {
		lg()->git_repository_free(r->git);
		lg()->git_libgit2_shutdown();
	}
	gitstate_free(r->state);
	free(r->workdir);
	free(r->gitdir);
	free(r);
}

const char *weft_repo_workdir(const weft_repo *r)
{
	return r->workdir;
}

char *weft_repo_relpath(const weft_repo *r, const char *abs)
{
	size_t n = strlen(r->workdir);
	if (strncmp(abs, r->workdir, n) || abs[n] != '/')
		return NULL;
	return weft_strdup(abs + n + 1);
}

int weft_repo_head_get(weft_repo_head *out, weft_repo *r)
{
	memset(out, 0, sizeof *out);
	gitstate *s = state_of(r);
	if (s) {
		memcpy(out->commit, gitstate_commit(s), sizeof out->commit);
		out->detached = gitstate_detached(s);
		if (gitstate_branch(s) && !(out->branch = weft_strdup(gitstate_branch(s))))
			return weft_err_set(WEFT_ERROR, "out of memory");
		return WEFT_OK;
	}
	int rc = need_git(r);
	if (rc != WEFT_OK)
		return rc;
	out->detached = lg()->git_repository_head_detached(r->git) == 1;
	git_reference *head = NULL;
	rc = lg()->git_repository_head(&head, r->git);
	if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND) {
		/* A new repository: HEAD names a branch that has no commit. */
		git_reference *sym = NULL;
		if (lg()->git_reference_lookup(&sym, r->git, "HEAD") == 0) {
			const char *t = lg()->git_reference_symbolic_target(sym);
			if (t && !strncmp(t, "refs/heads/", 11))
				out->branch = weft_strdup(t + 11);
			lg()->git_reference_free(sym);
		}
		return WEFT_OK;
	}
	if (rc < 0)
		return weft_err_set(WEFT_EIO, "cannot read HEAD of %s: %s; check the repository with `git status`",
				    r->workdir, git_msg());
	git_object *c = NULL;
	rc = lg()->git_reference_peel(&c, head, GIT_OBJECT_COMMIT);
	if (rc == 0) {
		lg()->git_oid_tostr(out->commit, sizeof out->commit, lg()->git_object_id(c));
		if (!out->detached && lg()->git_reference_is_branch(head))
			out->branch = weft_strdup(lg()->git_reference_shorthand(head));
	}
	lg()->git_object_free(c);
	lg()->git_reference_free(head);
	return rc == 0 ? WEFT_OK : weft_err_set(WEFT_EIO, "HEAD of %s is not a commit: %s; check out a branch or "
							  "commit", r->workdir, git_msg());
}

void weft_repo_head_clear(weft_repo_head *h)
{
	free(h->branch);
	h->branch = NULL;
}

int weft_repo_resolve(char commit[41], weft_repo *r, const char *rev)
{
	git_object *o = NULL, *c = NULL;
	int rc = need_git(r);
	if (rc != WEFT_OK)
		return rc;
	if (!rev || !*rev || lg()->git_revparse_single(&o, r->git, rev) < 0)
		return weft_err_set(WEFT_ENOTFOUND,
				    "unknown revision '%s' in %s: not a branch, tag or commit (list them with "
				    "`git log --oneline --decorate`)",
				    rev ? rev : "", r->workdir);
	rc = lg()->git_object_peel(&c, o, GIT_OBJECT_COMMIT);
	lg()->git_object_free(o);
	if (rc < 0)
		return weft_err_set(WEFT_EINVALID, "revision '%s' does not name a commit: %s; see `git log` for "
						   "commits, `git branch -a` and `git tag` for names", rev, git_msg());
	lg()->git_oid_tostr(commit, 41, lg()->git_object_id(c));
	lg()->git_object_free(c);
	return WEFT_OK;
}

static int tree_of(git_tree **tree, weft_repo *r, const char commit[41])
{
	git_oid oid;
	git_commit *c = NULL;
	int rc = need_git(r);
	if (rc != WEFT_OK)
		return rc;
	if (lg()->git_oid_fromstr(&oid, commit) < 0 || lg()->git_commit_lookup(&c, r->git, &oid) < 0)
		return weft_err_set(WEFT_ENOTFOUND, "commit %s is not in %s; fetch it (git fetch) or give another",
				    commit, r->workdir);
	rc = lg()->git_commit_tree(tree, c);
	lg()->git_commit_free(c);
	return rc < 0 ? weft_err_set(WEFT_EIO, "cannot read the tree of %s: %s; check the repository with `git fsck`",
				     commit, git_msg()) : WEFT_OK;
}

/* The blob `rel` names in `commit`: its id, or an error saying why not. */
static int blob_at(git_oid *id, weft_repo *r, const char commit[41], const char *rel)
{
	git_tree *tree = NULL;
	int rc = tree_of(&tree, r, commit);
	if (rc != WEFT_OK)
		return rc;
	git_tree_entry *e = NULL;
	if (lg()->git_tree_entry_bypath(&e, tree, rel) < 0) {
		lg()->git_tree_free(tree);
		return weft_err_set(WEFT_ENOTFOUND, "%s does not exist at commit %.12s; give a commit that has it, "
						    "or commit it", rel, commit);
	}
	git_object_t type = lg()->git_tree_entry_type(e);
	if (type != GIT_OBJECT_BLOB)
		rc = weft_err_set(WEFT_EINVALID, "%s is a %s at commit %.12s, not a file; name a file", rel,
				  type == GIT_OBJECT_TREE ? "directory" : "submodule", commit);
	else
		*id = *lg()->git_tree_entry_id(e);
	lg()->git_tree_entry_free(e);
	lg()->git_tree_free(tree);
	return rc;
}

/* Hands libgit2's copy of the blob to `sink`, in pieces (a delta, or an
 * object store gitstream cannot read). */
static int blob_whole(weft_repo *r, const git_oid *id, const char *rel, const char commit[41],
		      int (*sink)(void *ctx, const void *data, size_t len), void *ctx)
{
	git_blob *b = NULL;
	if (lg()->git_blob_lookup(&b, r->git, id) < 0)
		return weft_err_set(WEFT_EIO, "cannot read %s at commit %.12s: %s; check the repository with `git fsck`",
				    rel, commit, git_msg());
	const char *p = lg()->git_blob_rawcontent(b);
	size_t n = (size_t)lg()->git_blob_rawsize(b);
	int rc = WEFT_OK;
	for (size_t at = 0; rc == WEFT_OK && at < n; at += 1 << 20)
		rc = sink(ctx, p + at, n - at < (1u << 20) ? n - at : 1u << 20);
	lg()->git_blob_free(b);
	return rc;
}

int weft_repo_stream_at(weft_repo *r, const char commit[41], const char *rel, char blob[41],
			int (*sink)(void *ctx, const void *data, size_t len), void *ctx)
{
	git_oid id;
	int rc = blob_at(&id, r, commit, rel);
	if (rc != WEFT_OK)
		return rc;
	char hex[41];
	lg()->git_oid_tostr(hex, sizeof hex, &id);
	char *objdir = weft_path_join(lg()->git_repository_commondir(r->git), "objects");
	uint64_t size = 0;
	rc = objdir ? gitstream_blob(objdir, hex, sink, ctx, &size) : weft_err_set(WEFT_ERROR, "out of memory");
	free(objdir);
	if (rc == WEFT_ENOTFOUND)
		rc = blob_whole(r, &id, rel, commit, sink, ctx);
	if (rc == WEFT_OK && blob)
		memcpy(blob, hex, sizeof hex);
	return rc;
}

static int to_memory(void *ctx, const void *data, size_t len)
{
	return weft_buf_put(ctx, data, len);
}

int weft_repo_read_at(char **data, size_t *len, char blob[41], weft_repo *r, const char commit[41], const char *rel)
{
	weft_buf m = {0};
	int rc = weft_repo_stream_at(r, commit, rel, blob, to_memory, &m);
	if (rc == WEFT_OK && !m.data)
		rc = weft_buf_put(&m, "", 0); /* an empty file: still a string */
	if (rc != WEFT_OK) {
		weft_buf_free(&m);
		return rc;
	}
	*data = m.data;
	*len = m.len;
	return WEFT_OK;
}

int weft_repo_file_blobs(char head_blob[41], char work_blob[41], weft_repo *r, const char commit[41],
			 const char *rel)
{
	head_blob[0] = work_blob[0] = '\0';
	gitstate *s = state_of(r);
	if (s && !strcmp(commit, gitstate_commit(s)) && gitstate_blobs(s, rel, head_blob, work_blob))
		return WEFT_OK; /* the index is HEAD's tree: its ids, and the file's own bytes where they moved */
	if (need_git(r) != WEFT_OK)
		return WEFT_OK; /* provenance is best effort: no ids */
	if (commit[0]) {
		git_tree *tree = NULL;
		git_tree_entry *e = NULL;
		if (tree_of(&tree, r, commit) == WEFT_OK && lg()->git_tree_entry_bypath(&e, tree, rel) == 0 &&
		    lg()->git_tree_entry_type(e) == GIT_OBJECT_BLOB)
			lg()->git_oid_tostr(head_blob, 41, lg()->git_tree_entry_id(e));
		lg()->git_tree_entry_free(e);
		lg()->git_tree_free(tree);
	}
	char *abs = weft_path_join(r->workdir, rel);
	struct stat sb;
	git_oid oid;
	/* hashfile applies the repository's filters (line endings), so the id
	 * matches what `git add` would store. */
	if (abs && stat(abs, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    lg()->git_repository_hashfile(&oid, r->git, abs, GIT_OBJECT_BLOB, NULL) == 0)
		lg()->git_oid_tostr(work_blob, 41, &oid);
	free(abs);
	return WEFT_OK;
}

int weft_repo_is_dirty(int *dirty, weft_repo *r)
{
	gitstate *s = state_of(r);
	int d = s ? gitstate_dirty(s) : -1;
	if (d >= 0) {
		*dirty = d;
		return WEFT_OK;
	}
	int rc = need_git(r);
	if (rc != WEFT_OK)
		return rc;
	git_status_options o;
	lg()->git_status_options_init(&o, GIT_STATUS_OPTIONS_VERSION);
	o.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	o.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	git_status_list *list = NULL;
	if (lg()->git_status_list_new(&list, r->git, &o) < 0)
		return weft_err_set(WEFT_EIO, "cannot read the status of %s: %s; check the repository with `git "
					      "status`", r->workdir, git_msg());
	*dirty = lg()->git_status_list_entrycount(list) > 0;
	lg()->git_status_list_free(list);
	return WEFT_OK;
}

int weft_repo_commit_info(char **summary, char **author, int64_t *when, weft_repo *r, const char commit[41])
{
	git_oid oid;
	git_commit *c = NULL;
	if (need_git(r) != WEFT_OK)
		return WEFT_EIO;
	if (lg()->git_oid_fromstr(&oid, commit) < 0 || lg()->git_commit_lookup(&c, r->git, &oid) < 0)
		return weft_err_set(WEFT_ENOTFOUND, "commit %s is not in %s; fetch it (git fetch) or give another",
				    commit, r->workdir);
	const git_signature *a = lg()->git_commit_author(c);
	*summary = weft_strdup(lg()->git_commit_summary(c) ? lg()->git_commit_summary(c) : "");
	*author = weft_sprintf("%s <%s>", a && a->name ? a->name : "?", a && a->email ? a->email : "?");
	*when = (int64_t)lg()->git_commit_time(c);
	lg()->git_commit_free(c);
	return *summary && *author ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
}

int weft_repo_walk(weft_repo *r, const char start[41], size_t max, int (*fn)(void *ctx, const char commit[41]),
		   void *ctx)
{
	git_oid oid;
	int rc = need_git(r);
	if (rc != WEFT_OK)
		return rc;
	if (lg()->git_oid_fromstr(&oid, start) < 0)
		return weft_err_set(WEFT_EINVALID, "'%s' is not a commit id; give the 40 hex digits that `git log` "
						   "shows", start);
	git_revwalk *w = NULL;
	if (lg()->git_revwalk_new(&w, r->git) < 0 || lg()->git_revwalk_push(w, &oid) < 0) {
		lg()->git_revwalk_free(w);
		return weft_err_set(WEFT_EIO, "cannot walk the history of %s: %s; check the repository with `git "
					      "fsck`", r->workdir, git_msg());
	}
	lg()->git_revwalk_simplify_first_parent(w);
	size_t seen = 0;
	while (seen < max && lg()->git_revwalk_next(&oid, w) == 0) {
		char hex[41];
		lg()->git_oid_tostr(hex, sizeof hex, &oid);
		seen++;
		if (fn(ctx, hex))
			break;
	}
	lg()->git_revwalk_free(w);
	return rc;
}

/* Writes `files` under `dir`, refusing to replace anything. */
static int write_new_files(const char *dir, const weft_repo_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *p = weft_path_join(dir, files[i].rel);
		struct stat sb;
		if (!p)
			return weft_err_set(WEFT_ERROR, "out of memory");
		if (lstat(p, &sb) == 0) {
			int rc = weft_err_set(WEFT_EINVALID, "%s already exists; weft init does not overwrite files: "
							     "move it aside or init in another directory", p);
			free(p);
			return rc;
		}
		free(p);
	}
	for (size_t i = 0; i < n; i++) {
		char *p = weft_path_join(dir, files[i].rel);
		char *parent = p ? weft_path_dirname(p) : NULL;
		int rc = parent ? weft_mkdirs(parent, 0755) : weft_err_set(WEFT_ERROR, "out of memory");
		if (rc == WEFT_OK)
			rc = weft_write_file_atomic(p, files[i].content, strlen(files[i].content), 1);
		free(parent);
		free(p);
		if (rc != WEFT_OK)
			return rc;
	}
	return WEFT_OK;
}

static int commit_files(char commit[41], git_repository *g, const weft_repo_file *files, size_t n, const char *msg)
{
	git_index *idx = NULL;
	git_oid tree_id, commit_id, parent_id;
	git_tree *tree = NULL;
	git_commit *parent = NULL;
	git_signature *sig = NULL;
	int rc = WEFT_OK;
	if (lg()->git_repository_index(&idx, g) < 0)
		goto giterr;
	for (size_t i = 0; i < n; i++)
		if (lg()->git_index_add_bypath(idx, files[i].rel) < 0)
			goto giterr;
	if (lg()->git_index_write(idx) < 0 || lg()->git_index_write_tree(&tree_id, idx) < 0 ||
	    lg()->git_tree_lookup(&tree, g, &tree_id) < 0)
		goto giterr;
	if (lg()->git_signature_default(&sig, g) < 0 && lg()->git_signature_now(&sig, "weft", "weft@localhost") < 0)
		goto giterr;
	if (lg()->git_reference_name_to_id(&parent_id, g, "HEAD") == 0 && lg()->git_commit_lookup(&parent, g, &parent_id) < 0)
		goto giterr;
	const git_commit *parents[1] = {parent};
	if (lg()->git_commit_create(&commit_id, g, "HEAD", sig, sig, NULL, msg, tree, parent ? 1 : 0, parents) < 0)
		goto giterr;
	lg()->git_oid_tostr(commit, 41, &commit_id);
	goto cleanup;
giterr:
	rc = weft_err_set(WEFT_EIO, "cannot commit in %s: %s; set git's user.name and user.email, or commit by hand",
			  lg()->git_repository_workdir(g), git_msg());
cleanup:
	lg()->git_signature_free(sig);
	lg()->git_commit_free(parent);
	lg()->git_tree_free(tree);
	lg()->git_index_free(idx);
	return rc;
}

int weft_repo_init(char commit[41], const char *dir, const weft_repo_file *files, size_t n, const char *message)
{
	int rc = weft_mkdirs(dir, 0755);
	if (rc != WEFT_OK)
		return rc;
	if ((rc = git_init()) != WEFT_OK)
		return rc;
	git_repository *g = NULL;
	if (lg()->git_repository_open_ext(&g, dir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) == 0) {
		if (lg()->git_repository_is_bare(g))
			rc = weft_err_set(WEFT_EINVALID, "%s is a bare git repository; weft init needs a work tree: "
							 "clone it and init there", dir);
	} else if (lg()->git_repository_init(&g, dir, 0) < 0) {
		rc = weft_err_set(WEFT_EIO, "cannot create a git repository in %s: %s; check that the directory is "
					    "writable", dir, git_msg());
	}
	if (rc == WEFT_OK)
		rc = write_new_files(dir, files, n);
	if (rc == WEFT_OK)
		rc = commit_files(commit, g, files, n, message);
	lg()->git_repository_free(g);
	lg()->git_libgit2_shutdown();
	return rc;
}
