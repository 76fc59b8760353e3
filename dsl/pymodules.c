/*
 * pymodules.c -- a Python op's script brings its own modules along.
 *
 * `ops.py.run { script = weft.file("train.py") }` names one file, but the
 * script may `import model` from model.py beside it. When the node is
 * made, the script's import statements are read (util/pyimports.c) and
 * each module that exists in the script's own directory -- model.py, or
 * a package model/ -- is imported as an artifact into the node's
 * `modules` map, recursively through the modules' own imports. Their
 * content is then in the node's key like any param, and the op runs them
 * from the store, not from the working tree, so what ran is what was
 * hashed. Imports of installed packages (torch, numpy) are not files
 * beside the script and are left alone.
 */
#include <stdlib.h>
#include <string.h>

#include "dsl_internal.h"
#include "pyimports.h"
#include "util.h"

#define PY_MAX_MODULES 256

void dsl_py_note_origin(weft_dsl *d, const weft_value *art, const char *abs)
{
	if (!d->py_origins && !(d->py_origins = weft_value_map()))
		return;
	weft_value *p = weft_value_string(abs, strlen(abs));
	if (p)
		(void)weft_value_map_set(d->py_origins, weft_value_artifact_hash(art), p);
}

static int declares(const weft_op_desc *desc, const char *name)
{
	for (size_t i = 0; i < desc->n_params; i++)
		if (!strcmp(desc->params[i].name, name))
			return 1;
	return 0;
}

/* Scans `text` (the source of `rel`) and queues the local modules it
 * imports that `mods` does not hold yet. */
static int scan(weft_dsl *d, const char *dir, const char *text, size_t len, weft_value *mods, char ***queue,
		size_t *nq)
{
	char **names = NULL;
	int n = weft_py_imports(text, len, &names, PY_MAX_MODULES);
	if (n < 0)
		return weft_err_set(WEFT_ERROR, "out of memory");
	int rc = WEFT_OK;
	for (int i = 0; i < n; i++) {
		char *file = weft_sprintf("%s.py", names[i]);
		if (rc != WEFT_OK || !file || weft_value_map_get(mods, file) || weft_value_map_get(mods, names[i]) ||
		    weft_value_len(mods) >= PY_MAX_MODULES) {
			free(file);
			continue;
		}
		char *abs = weft_path_join(dir, file);
		weft_value *art = NULL;
		char *src = NULL;
		size_t slen = 0;
		if (abs && dsl_read_source(d, abs, WEFT_SOURCE_FILE, &src, &slen) == WEFT_OK &&
		    dsl_import_path(d, abs, 0, &art) == WEFT_OK) {
			rc = weft_value_map_set(mods, file, art);
			char **q = rc == WEFT_OK ? realloc(*queue, (*nq + 1) * sizeof *q) : NULL;
			if (q) {
				*queue = q;
				(*queue)[(*nq)++] = weft_strdup(file);
			}
		} else if (abs) {
			/* A package: its whole directory, if one is there. */
			char *pkg = weft_path_join(dir, names[i]);
			char *init = pkg ? weft_path_join(pkg, "__init__.py") : NULL;
			char *isrc = NULL;
			size_t ilen = 0;
			if (init && dsl_read_source(d, init, WEFT_SOURCE_FILE, &isrc, &ilen) == WEFT_OK &&
			    dsl_import_path(d, pkg, 1, &art) == WEFT_OK)
				rc = weft_value_map_set(mods, names[i], art);
			free(isrc);
			free(init);
			free(pkg);
		}
		free(src);
		free(abs);
		free(file);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int dsl_py_fill_modules(weft_dsl *d, const char *opname, weft_value *args)
{
	const weft_op_info *op = weft_engine_op_find(d->eng, opname);
	if (!op || !(op->desc->flags & WEFT_OP_PYTHON) || !declares(op->desc, "modules") ||
	    weft_value_map_get(args, "modules") || !d->py_origins)
		return WEFT_OK;
	const weft_value *script = weft_value_map_get(args, "script");
	if (!script || weft_value_type(script) != WEFT_T_ARTIFACT)
		return WEFT_OK;
	const weft_value *origin = weft_value_map_get(d->py_origins, weft_value_artifact_hash(script));
	if (!origin)
		return WEFT_OK; /* made by another node: it has no files beside it */
	const char *abs = weft_value_get_string(origin, NULL);
	char *dir = weft_path_dirname(abs);
	const char *base = strrchr(abs, '/') ? strrchr(abs, '/') + 1 : abs;
	weft_value *mods = weft_value_map();
	int rc = dir && mods ? weft_value_map_set(mods, base, weft_value_copy(script))
			     : weft_err_set(WEFT_ERROR, "out of memory");
	char **queue = NULL;
	size_t nq = 0;
	if (rc == WEFT_OK && (queue = malloc(sizeof *queue)) && (queue[0] = weft_strdup(base)))
		nq = 1;
	for (size_t i = 0; rc == WEFT_OK && i < nq; i++) {
		char *p = weft_path_join(dir, queue[i]);
		char *src = NULL;
		size_t len = 0;
		if (p && dsl_read_source(d, p, WEFT_SOURCE_FILE, &src, &len) == WEFT_OK)
			rc = scan(d, dir, src, len, mods, &queue, &nq);
		free(src);
		free(p);
	}
	for (size_t i = 0; i < nq; i++)
		free(queue[i]);
	free(queue);
	free(dir);
	if (rc == WEFT_OK)
		rc = weft_value_map_set(args, "modules", mods);
	else
		weft_value_free(mods);
	return rc;
}
