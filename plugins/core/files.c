/*
 * files.c -- core.import, core.glob and core.export: files and directories in and out
 * of the store. Both touch the outside world, so neither is cacheable: an
 * import re-reads its path every run (through the store's stat cache, so an
 * unchanged file costs a stat), and an export always writes.
 *
 * Export writes to a temp name beside the destination and renames it into
 * place, so a reader never sees a half-written result.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <ftw.h>
#include <glob.h>

#include "core.h"

int core_run_import(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *path = api->value_string(api->param(ctx, "path"), NULL);
	weft_value *art = NULL;
	if (api->artifact_import(&art, ctx, path) != WEFT_OK)
		return api->fail(ctx, "cannot import %s: %s", path, api->error_last());
	return api->set_output(ctx, "out", art);
}

#define GLOB_MAX_MATCHES 100000

int core_run_glob(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *pattern = api->value_string(api->param(ctx, "pattern"), NULL);
	int dirs = api->value_bool(api->param(ctx, "dirs"));
	int allow_empty = api->value_bool(api->param(ctx, "allow_empty"));
	if (pattern[0] != '/')
		return api->fail(ctx, "core.glob: pattern '%s' is relative; use weft.glob(\"%s\"), which starts from the "
				      "script's directory, or an absolute pattern", pattern, pattern);
	glob_t g;
	/* Sorted (glob's default), so the list and what fans out over it
	 * keep their order from run to run. */
	int r = glob(pattern, GLOB_MARK, NULL, &g);
	if (r != 0 && r != GLOB_NOMATCH) {
		globfree(&g);
		return api->fail(ctx, "core.glob: cannot read the directories of %s", pattern);
	}
	weft_value *out = api->value_new_list(), *files = api->value_new_list(), *names = api->value_new_list();
	int rc = WEFT_OK;
	size_t n = r == GLOB_NOMATCH ? 0 : g.gl_pathc;
	if (n > GLOB_MAX_MATCHES)
		rc = api->fail(ctx, "core.glob: %s matches %zu paths, over %d; narrow the pattern", pattern, n,
			       GLOB_MAX_MATCHES);
	size_t kept = 0;
	for (size_t i = 0; rc == WEFT_OK && i < n; i++) {
		char *path = g.gl_pathv[i];
		size_t len = strlen(path);
		int is_dir = len > 1 && path[len - 1] == '/';
		if (is_dir && !dirs)
			continue;
		if (is_dir)
			path[len - 1] = '\0';
		weft_value *art = NULL;
		if (api->artifact_import(&art, ctx, path) != WEFT_OK) {
			rc = api->fail(ctx, "core.glob: cannot import %s: %s", path, api->error_last());
			break;
		}
		const char *slash = strrchr(path, '/');
		const char *base = slash ? slash + 1 : path;
		weft_value *item = api->value_new_map();
		api->value_map_set(item, "name", api->value_new_string(base, strlen(base)));
		api->value_map_set(item, "path", api->value_new_string(path, strlen(path)));
		api->value_map_set(item, "file", api->value_copy(art));
		api->value_list_push(out, item);
		api->value_list_push(files, art);
		api->value_list_push(names, api->value_new_string(base, strlen(base)));
		kept++;
	}
	globfree(&g);
	if (rc == WEFT_OK && !kept && !allow_empty)
		rc = api->fail(ctx, "core.glob: nothing matches %s; check the pattern, or pass allow_empty = true", pattern);
	if (rc != WEFT_OK) {
		api->value_free(out);
		api->value_free(files);
		api->value_free(names);
		return rc;
	}
	api->set_output(ctx, "files", files);
	api->set_output(ctx, "names", names);
	return api->set_output(ctx, "out", out);
}

static int copy_file(const char *src, const char *dst, mode_t mode)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (out < 0) {
		close(in);
		return -1;
	}
	char buf[65536];
	ssize_t r;
	int rc = 0;
	while ((r = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)r) != r) {
			rc = -1;
			break;
		}
	if (r < 0)
		rc = -1;
	if (fsync(out) != 0)
		rc = -1;
	close(in);
	if (close(out) != 0)
		rc = -1;
	return rc;
}

static int copy_tree(const char *src, const char *dst)
{
	struct stat sb;
	if (lstat(src, &sb) != 0)
		return -1;
	if (S_ISREG(sb.st_mode))
		return copy_file(src, dst, (sb.st_mode & 0111) ? 0755 : 0644);
	if (!S_ISDIR(sb.st_mode))
		return -1;
	if (mkdir(dst, 0755) != 0)
		return -1;
	DIR *d = opendir(src);
	if (!d)
		return -1;
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *s = NULL, *t = NULL;
		if (asprintf(&s, "%s/%s", src, e->d_name) < 0 || asprintf(&t, "%s/%s", dst, e->d_name) < 0)
			rc = -1;
		else
			rc = copy_tree(s, t);
		free(s);
		free(t);
	}
	closedir(d);
	return rc;
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(p);
}

/* mkdir -p of the directory part of `path`, as make-like tools do for outputs. */
static int make_parents(const char *path)
{
	char *p = strdup(path);
	if (!p)
		return -1;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		int bad = mkdir(p, 0755) != 0 && errno != EEXIST;
		*s = '/';
		if (bad) {
			free(p);
			return -1;
		}
	}
	free(p);
	return 0;
}

int core_run_export(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *dest = api->value_string(api->param(ctx, "path"), NULL);
	const weft_value *art = api->input(ctx, "artifact");
	const char *src;
	if (api->value_type(art) != WEFT_T_ARTIFACT)
		return api->fail(ctx, "input 'artifact' must be a file or directory artifact");
	if (api->artifact_path(&src, ctx, art) != WEFT_OK)
		return api->fail(ctx, "%s", api->error_last());
	char *tmp = NULL, *old = NULL;
	if (asprintf(&tmp, "%s.weft-tmp.%d", dest, (int)getpid()) < 0 ||
	    asprintf(&old, "%s.weft-old.%d", dest, (int)getpid()) < 0)
		return api->fail(ctx, "out of memory");
	int rc = WEFT_OK;
	if (make_parents(dest) != 0) {
		rc = api->fail(ctx, "cannot create the directories of %s: %s", dest, strerror(errno));
		goto cleanup;
	}
	nftw(tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	if (copy_tree(src, tmp) != 0) {
		rc = api->fail(ctx, "cannot write %s: %s", tmp, strerror(errno));
		nftw(tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
		goto cleanup;
	}
	struct stat sb;
	int replacing_dir = stat(dest, &sb) == 0 && S_ISDIR(sb.st_mode);
	/* rename() cannot replace a non-empty directory: move it aside first. */
	if (replacing_dir && rename(dest, old) != 0) {
		rc = api->fail(ctx, "cannot move old %s aside: %s", dest, strerror(errno));
		goto cleanup;
	}
	if (rename(tmp, dest) != 0) {
		rc = api->fail(ctx, "cannot rename %s to %s: %s", tmp, dest, strerror(errno));
		if (replacing_dir)
			(void)rename(old, dest);
		goto cleanup;
	}
	if (replacing_dir)
		nftw(old, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	api->log(ctx, WEFT_LOG_INFO, "wrote %s", dest);
	rc = api->set_output(ctx, "out", api->value_new_string(dest, strlen(dest)));
cleanup:
	free(tmp);
	free(old);
	return rc;
}

