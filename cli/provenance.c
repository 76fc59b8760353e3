/*
 * provenance.c -- the pipeline's repository as the DSL's source: at a
 * revision (`weft run --rev`) it serves the script, its modules and the
 * files it imports straight from that commit's tree; in the work tree it
 * lets the DSL read the files itself. Either way it notes every file of
 * the repository the pipeline read, with its blob id, for the run record.
 *
 * Files outside the repository (the stdlib, absolute data paths) are always
 * read from the filesystem and are not part of the provenance.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "hash.h"
#include "util.h"
#include "weft/repo.h"

typedef struct read_file {
	char *rel;
	char blob[41];      /* what the pipeline read */
	char head_blob[41]; /* the same path at HEAD ("" if absent); work tree only */
	int purpose;
} read_file;

struct cli_gitsrc {
	weft_repo *repo;
	char *rev;        /* as given; NULL: the work tree */
	char commit[41];  /* the revision's commit, or HEAD's */
	weft_repo_head head; /* work tree only: read once, when opened */
	read_file *files;
	size_t n, cap;
};

int cli_gitsrc_open(cli_gitsrc **out, const char *pipeline_abs, const char *rev)
{
	*out = NULL;
	char *dir = weft_path_dirname(pipeline_abs);
	weft_repo *repo = NULL;
	int rc = dir ? weft_repo_open(&repo, dir) : weft_err_set(WEFT_ERROR, "out of memory");
	free(dir);
	if (rc == WEFT_ENOTFOUND && !rev)
		return WEFT_OK; /* no repository: nothing to record */
	if (rc != WEFT_OK)
		return rc;
	cli_gitsrc *g = calloc(1, sizeof *g);
	if (!g) {
		weft_repo_free(repo);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	g->repo = repo;
	if (rev) {
		if (!(g->rev = weft_strdup(rev)))
			rc = weft_err_set(WEFT_ERROR, "out of memory");
		else
			rc = weft_repo_resolve(g->commit, repo, rev);
	} else if ((rc = weft_repo_head_get(&g->head, repo)) == WEFT_OK) {
		memcpy(g->commit, g->head.commit, sizeof g->commit);
	}
	if (rc != WEFT_OK) {
		cli_gitsrc_free(g);
		return rc;
	}
	*out = g;
	return WEFT_OK;
}

void cli_gitsrc_free(cli_gitsrc *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++)
		free(g->files[i].rel);
	free(g->files);
	free(g->rev);
	weft_repo_head_clear(&g->head);
	weft_repo_free(g->repo);
	free(g);
}

const char *cli_gitsrc_commit(const cli_gitsrc *g)
{
	return g ? g->commit : NULL;
}

static void note(cli_gitsrc *g, const char *rel, const char *blob, const char *head_blob, int purpose)
{
	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->files[i].rel, rel))
			return;
	if (g->n == g->cap) {
		size_t ncap = g->cap ? g->cap * 2 : 16;
		read_file *p = realloc(g->files, ncap * sizeof *p);
		if (!p)
			return; /* provenance is best effort; the run itself is unaffected */
		g->files = p;
		g->cap = ncap;
	}
	read_file *f = &g->files[g->n];
	if (!(f->rel = weft_strdup(rel)))
		return;
	snprintf(f->blob, sizeof f->blob, "%s", blob);
	snprintf(f->head_blob, sizeof f->head_blob, "%s", head_blob);
	f->purpose = purpose;
	g->n++;
}

static int source_read(void *ctx, const char *path, int purpose, char **data, size_t *len)
{
	cli_gitsrc *g = ctx;
	char *rel = weft_repo_relpath(g->repo, path);
	if (!rel)
		return WEFT_SOURCE_FILESYSTEM;
	int rc = WEFT_SOURCE_FILESYSTEM;
	if (g->rev && purpose == WEFT_SOURCE_DIR) {
		rc = weft_err_set(WEFT_EINVALID,
				  "weft.dir('%s') cannot read a directory at a revision yet; use weft.file for each "
				  "file, or run without --rev",
				  rel);
	} else if (g->rev) {
		char blob[41];
		rc = weft_repo_read_at(data, len, blob, g->repo, g->commit, rel);
		if (rc == WEFT_OK)
			note(g, rel, blob, "", purpose);
		else if (rc == WEFT_ENOTFOUND)
			weft_err_set(WEFT_ENOTFOUND, "%s does not exist at revision %s (commit %.12s)", rel, g->rev,
				     g->commit);
	} else if (purpose != WEFT_SOURCE_DIR) {
		char head_blob[41], work_blob[41];
		if (weft_repo_file_blobs(head_blob, work_blob, g->repo, g->commit, rel) == WEFT_OK && work_blob[0])
			note(g, rel, work_blob, head_blob, purpose);
	}
	free(rel);
	return rc;
}

static int to_import(void *ctx, const void *data, size_t len)
{
	return weft_import_write(ctx, data, len);
}

/* weft.file at a revision: the blob goes from the object database to the
 * store in pieces (a file of hundreds of MB is never held whole). */
static int source_import(void *ctx, const char *path, weft_engine *eng, weft_value **out)
{
	cli_gitsrc *g = ctx;
	if (!g->rev)
		return source_read(ctx, path, WEFT_SOURCE_FILE, NULL, NULL); /* notes it, reads the disk */
	char *rel = weft_repo_relpath(g->repo, path);
	if (!rel)
		return WEFT_SOURCE_FILESYSTEM;
	weft_import *im = NULL;
	char blob[41];
	int rc = weft_engine_import_open(&im, eng);
	if (rc == WEFT_OK) {
		rc = weft_repo_stream_at(g->repo, g->commit, rel, blob, to_import, im);
		if (rc == WEFT_OK) {
			rc = weft_import_finish(out, im);
			if (rc == WEFT_OK)
				note(g, rel, blob, "", WEFT_SOURCE_FILE);
		} else {
			weft_import_abort(im);
		}
	}
	if (rc == WEFT_ENOTFOUND)
		weft_err_set(WEFT_ENOTFOUND, "%s does not exist at revision %s (commit %.12s)", rel, g->rev, g->commit);
	free(rel);
	return rc;
}

weft_dsl_source cli_gitsrc_source(cli_gitsrc *g)
{
	weft_dsl_source s = {source_read, g, source_import};
	return s;
}

static const char *purpose_name(int p)
{
	return p == WEFT_SOURCE_SCRIPT ? "script" : p == WEFT_SOURCE_MODULE ? "module" : "file";
}

static int by_rel(const void *a, const void *b)
{
	return strcmp(((const read_file *)a)->rel, ((const read_file *)b)->rel);
}

weft_value *cli_gitsrc_provenance(cli_gitsrc *g)
{
	qsort(g->files, g->n, sizeof *g->files, by_rel);
	weft_value *m = weft_value_map();
	weft_value *files = weft_value_map();
	weft_value *dirty_files = weft_value_list();
	if (!m || !files || !dirty_files)
		goto oom;
	int dirty = 0;
	if (!g->rev && weft_repo_is_dirty(&dirty, g->repo) != WEFT_OK)
		dirty = 0;
	weft_value_map_set(m, "repository", weft_value_cstr(weft_repo_workdir(g->repo)));
	weft_value_map_set(m, "commit", g->commit[0] ? weft_value_cstr(g->commit) : weft_value_null());
	if (g->rev) {
		weft_value_map_set(m, "rev", weft_value_cstr(g->rev));
		weft_value_map_set(m, "branch", weft_value_null());
		weft_value_map_set(m, "detached", weft_value_bool(0));
	} else {
		weft_value_map_set(m, "branch", g->head.branch ? weft_value_cstr(g->head.branch) : weft_value_null());
		weft_value_map_set(m, "detached", weft_value_bool(g->head.detached));
	}
	weft_value_map_set(m, "dirty", weft_value_bool(dirty));
	/* The dirty diff of what the pipeline read is a function of each
	 * changed file's blob ids at HEAD and in the work tree, so hashing
	 * those (sorted by path, as the list is) identifies it. */
	weft_buf diff = {0};
	for (size_t i = 0; i < g->n; i++) {
		read_file *f = &g->files[i];
		weft_value *fv = weft_value_map();
		if (!fv)
			goto oom_buf;
		weft_value_map_set(fv, "blob", weft_value_cstr(f->blob));
		weft_value_map_set(fv, "kind", weft_value_cstr(purpose_name(f->purpose)));
		weft_value_map_set(files, f->rel, fv);
		if (!g->rev && strcmp(f->blob, f->head_blob)) {
			weft_value_list_push(dirty_files, weft_value_cstr(f->rel));
			weft_buf_printf(&diff, "%s%c%s%c%s\n", f->rel, 0, f->head_blob[0] ? f->head_blob : "-", 0, f->blob);
		}
	}
	weft_value_map_set(m, "files", files);
	files = NULL;
	if (diff.len) {
		char h64[65];
		weft_value_map_set(m, "dirty_read", dirty_files);
		weft_value_map_set(m, "dirty_diff_hash",
				   weft_hash_bytes(h64, diff.data, diff.len) == WEFT_OK ? weft_value_cstr(h64)
											: weft_value_null());
	} else {
		weft_value_free(dirty_files);
		weft_value_map_set(m, "dirty_read", weft_value_list());
		weft_value_map_set(m, "dirty_diff_hash", weft_value_null());
	}
	weft_buf_free(&diff);
	return m;
oom_buf:
	weft_buf_free(&diff);
oom:
	weft_value_free(m);
	weft_value_free(files);
	weft_value_free(dirty_files);
	return NULL;
}
