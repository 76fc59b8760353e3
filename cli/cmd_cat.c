/*
 * cmd_cat.c -- weft cat and weft export: a node's output, out of the store.
 *
 *   weft cat [RUN] NODE[.OUTPUT]          to stdout
 *   weft export [RUN] NODE[.OUTPUT] DEST  to a file or directory
 *
 * The output is read from the run's record (the newest run by default), so
 * it is what that run produced, even after later runs changed the
 * pipeline. A file is its bytes; a directory is copied whole; a list of
 * files is their bytes in order (cat) or DEST/1, DEST/2, ... (export); any
 * other value is its JSON.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"
#include "weft/run.h"

static const char cat_help[] =
	"usage: weft cat [RUN_ID] NODE[.OUTPUT] [--output OUTPUT] [--store DIR]\n"
	"\n"
	"Prints a node's output as the run recorded it (default: the newest run;\n"
	"the node's primary output). A file prints its bytes, a list of files their\n"
	"bytes in order, any other value its JSON. `weft export` writes it to a path.\n"
	"Node names may hold dots: NODE.OUTPUT is a node of that whole name when\n"
	"there is one, else OUTPUT after the last dot; --output OUTPUT names the\n"
	"output apart, and NODE is then taken whole.\n";

static const char export_help[] =
	"usage: weft export [RUN_ID] NODE[.OUTPUT] DEST [--output OUTPUT] [--store DIR]\n"
	"\n"
	"Copies a node's output out of the store: a file to DEST, a directory to\n"
	"DEST/, a list of files to DEST/1, DEST/2, ...; any other value is written\n"
	"to DEST as JSON. DEST is relative to the current directory. An existing\n"
	"file is replaced; an existing directory is refused.\n";

/* The node of the run named `name`, or NULL. */
static const weft_run_node *node_named(const weft_run *r, const char *name)
{
	for (size_t i = 0; i < weft_run_node_count(r); i++) {
		const weft_run_node *n = weft_run_node_at(r, i);
		if (n->name && !strcmp(n->name, name))
			return n;
	}
	return NULL;
}

/* The value NODE[.OUTPUT] names in the run's record; NULL with an error.
 * Node names may hold dots: the whole spec is a node's name when one has
 * it, else OUTPUT is after the last dot. `output` (--output) names it
 * apart, and then the spec is the node's whole name. */
static const weft_value *find_output(const weft_run *r, const char *spec, const char *output, const char *run_id)
{
	char node[512];
	snprintf(node, sizeof node, "%s", spec);
	const char *out = output;
	const weft_run_node *nd = node_named(r, node);
	char *dot = !nd && !output ? strrchr(node, '.') : NULL;
	if (dot) {
		*dot = '\0';
		out = spec + (dot - node) + 1;
		nd = node_named(r, node);
		if (!nd) { /* report the name as given */
			snprintf(node, sizeof node, "%s", spec);
			out = NULL;
		}
	}
	weft_suggester sg;
	weft_suggest_init(&sg, node);
	for (size_t i = 0; !nd && i < weft_run_node_count(r); i++) {
		const weft_run_node *n = weft_run_node_at(r, i);
		if (n->name)
			weft_suggest_add(&sg, n->name);
	}
	if (!nd) {
		const char *best = weft_suggest_best(&sg);
		weft_err_set(WEFT_ENOTFOUND, "run %s has no node '%s'%s%s%s", run_id, node, best ? " (did you mean '" : "",
			     best ? best : "", best ? "'?)" : "; `weft show` lists its nodes");
		return NULL;
	}
	if (!nd->outputs || weft_value_type(nd->outputs) != WEFT_T_MAP || !weft_value_len(nd->outputs)) {
		weft_err_set(WEFT_ENOTFOUND, "node '%s' has no outputs in run %s (status %s)", node, run_id,
			     nd->status ? nd->status : "?");
		return NULL;
	}
	const char *key = out ? out : weft_value_map_get(nd->outputs, "out") ? "out" : NULL;
	if (!key && weft_value_len(nd->outputs) == 1)
		key = weft_value_map_key_at(nd->outputs, 0);
	const weft_value *v = key ? weft_value_map_get(nd->outputs, key) : NULL;
	if (!v) {
		weft_buf names = {0};
		for (size_t i = 0; i < weft_value_len(nd->outputs); i++)
			weft_buf_printf(&names, "%s%s", i ? ", " : "", weft_value_map_key_at(nd->outputs, i));
		weft_err_set(WEFT_ENOTFOUND, "node '%s' has no output '%s'; its outputs: %s (write NODE.OUTPUT, or --output OUTPUT)", node,
			     key ? key : "out", names.data ? names.data : "none");
		weft_buf_free(&names);
	}
	return v;
}

static int all_files(const weft_value *v)
{
	if (weft_value_type(v) != WEFT_T_LIST || !weft_value_len(v))
		return 0;
	for (size_t i = 0; i < weft_value_len(v); i++) {
		const weft_value *e = weft_value_list_at(v, i);
		if (weft_value_type(e) != WEFT_T_ARTIFACT || weft_value_artifact_is_dir(e))
			return 0;
	}
	return 1;
}

static int cat_file(weft_engine *eng, const weft_value *art)
{
	char *data = NULL;
	size_t len = 0;
	int rc = weft_engine_read_artifact(&data, &len, eng, art);
	if (rc == WEFT_OK && fwrite(data, 1, len, stdout) != len)
		rc = weft_err_set(WEFT_EIO, "cannot write to stdout");
	free(data);
	return rc;
}

/* Copies directory `src` to `dst` (made), files and subdirectories. */
static int copy_tree(const char *src, const char *dst)
{
	if (mkdir(dst, 0755) != 0 && errno != EEXIST)
		return weft_err_set(WEFT_EIO, "cannot make %s: %s", dst, strerror(errno));
	DIR *d = opendir(src);
	if (!d)
		return weft_err_set(WEFT_EIO, "cannot read %s: %s", src, strerror(errno));
	int rc = WEFT_OK;
	struct dirent *e;
	while (rc == WEFT_OK && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *s = weft_path_join(src, e->d_name), *t = weft_path_join(dst, e->d_name);
		struct stat sb;
		if (!s || !t)
			rc = weft_err_set(WEFT_ERROR, "out of memory");
		else if (lstat(s, &sb) != 0)
			rc = weft_err_set(WEFT_EIO, "cannot read %s: %s", s, strerror(errno));
		else if (S_ISDIR(sb.st_mode))
			rc = copy_tree(s, t);
		else if (S_ISREG(sb.st_mode))
			rc = weft_copy_file_atomic(s, t, 0644);
		free(s);
		free(t);
	}
	closedir(d);
	return rc;
}

static int export_artifact(weft_engine *eng, const weft_value *art, const char *dest)
{
	char *path = NULL;
	int rc = weft_engine_artifact_path(&path, eng, art);
	if (rc == WEFT_OK) {
		struct stat sb;
		if (weft_value_artifact_is_dir(art) && stat(dest, &sb) == 0)
			rc = weft_err_set(WEFT_EINVALID, "%s exists; export a directory to a new path", dest);
		else
			rc = weft_value_artifact_is_dir(art) ? copy_tree(path, dest) : weft_copy_file_atomic(path, dest, 0644);
	}
	free(path);
	return rc;
}

/* Splits [RUN] NODE[.OUTPUT] [DEST] into their places. */
static int positionals(int argc, char **argv, const char *help, int want_dest, const char **store, const char **run,
		       const char **spec, const char **dest, const char **output)
{
	const char *pos[4] = {0};
	int n = 0;
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			fputs(help, stdout);
			return -1;
		}
		if (!strcmp(argv[i], "--store") && i + 1 < argc) {
			*store = argv[++i];
		} else if (!strcmp(argv[i], "--output") && i + 1 < argc) {
			*output = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fputs(help, stderr);
			return cli_fail("%s: unknown option '%s'", argv[0], argv[i]);
		} else if (n < 4) {
			pos[n++] = argv[i];
		}
	}
	int base = want_dest ? 2 : 1;
	if (n != base && n != base + 1) {
		fputs(help, stderr);
		return WEFT_EXIT_USAGE;
	}
	*run = n == base + 1 ? pos[0] : NULL;
	*spec = pos[n - base];
	if (want_dest)
		*dest = pos[n - 1];
	return 0;
}

static int cat_or_export(int argc, char **argv, int exporting)
{
	const char *store_flag = NULL, *run = NULL, *spec = NULL, *dest = NULL, *output = NULL;
	int rc = positionals(argc, argv, exporting ? export_help : cat_help, exporting, &store_flag, &run, &spec, &dest,
			     &output);
	if (rc)
		return rc < 0 ? WEFT_EXIT_OK : rc;
	char *store = cli_store_dir(store_flag, "."), *opened = NULL;
	weft_run *r = NULL;
	weft_engine *eng = NULL;
	const weft_value *v = NULL;
	rc = cli_open_run(&r, &opened, store, run);
	const char *id = opened;
	if (rc == WEFT_EXIT_OK && !(v = find_output(r, spec, output, id))) {
		rc = cli_fail("%s", weft_error_last());
	} else if (rc == WEFT_EXIT_OK && (rc = cli_engine(&eng, store, ".")) == WEFT_EXIT_OK) {
		int wrc = WEFT_OK;
		if (weft_value_type(v) == WEFT_T_ARTIFACT && !exporting && weft_value_artifact_is_dir(v)) {
			wrc = weft_err_set(WEFT_EINVALID, "%s is a directory; `weft export %s DEST` copies it out", spec, spec);
		} else if (weft_value_type(v) == WEFT_T_ARTIFACT) {
			wrc = exporting ? export_artifact(eng, v, dest) : cat_file(eng, v);
		} else if (all_files(v)) {
			if (exporting && mkdir(dest, 0755) != 0)
				wrc = weft_err_set(WEFT_EIO, "cannot make directory %s: %s", dest, strerror(errno));
			for (size_t i = 0; wrc == WEFT_OK && i < weft_value_len(v); i++) {
				char *to = exporting ? weft_sprintf("%s/%zu", dest, i + 1) : NULL;
				wrc = exporting ? (to ? export_artifact(eng, weft_value_list_at(v, i), to)
						      : weft_err_set(WEFT_ERROR, "out of memory"))
						: cat_file(eng, weft_value_list_at(v, i));
				free(to);
			}
		} else {
			char *json = weft_value_to_json(v, 1);
			if (!json)
				wrc = weft_err_set(WEFT_ERROR, "out of memory");
			else if (exporting)
				wrc = weft_write_file_atomic(dest, json, strlen(json), 0);
			else
				printf("%s\n", json);
			free(json);
		}
		if (wrc != WEFT_OK)
			rc = cli_fail("%s", weft_error_last());
		else if (exporting)
			fprintf(stderr, "weft: wrote %s of run %s to %s\n", spec, id, dest);
	}
	weft_engine_free(eng);
	weft_run_free(r);
	free(opened);
	free(store);
	return rc;
}

int cmd_cat(int argc, char **argv)
{
	return cat_or_export(argc, argv, 0);
}

int cmd_export(int argc, char **argv)
{
	return cat_or_export(argc, argv, 1);
}
