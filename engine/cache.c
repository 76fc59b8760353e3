/*
 * cache.c -- action cache entries as JSON files, one per key.
 * A damaged entry (truncated, unparsable, wrong key) reads as a miss and is
 * removed, so the node simply recomputes.
 */
#include "cache.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "util.h"

json_t *weft_value_to_jansson(const weft_value *v);
weft_value *weft_value_from_jansson(const json_t *j);

static char *entry_path(const char *root, const char *key)
{
	return weft_sprintf("%s/ac/%.2s/%s", root, key, key + 2);
}

int weft_cache_get(weft_value **outputs, const char *root, const char *key)
{
	char *path = entry_path(root, key), *text = NULL;
	size_t len;
	if (!path)
		return weft_err_set(WEFT_ERROR, "out of memory");
	int rc = weft_read_file(path, &text, &len);
	if (rc != WEFT_OK) {
		free(path);
		return WEFT_ENOTFOUND;
	}
	json_error_t je;
	json_t *j = json_loadb(text, len, 0, &je);
	free(text);
	const char *k = j ? json_string_value(json_object_get(j, "key")) : NULL;
	json_t *out = j ? json_object_get(j, "outputs") : NULL;
	if (!k || strcmp(k, key) || !json_is_object(out) || !(*outputs = weft_value_from_jansson(out))) {
		json_decref(j);
		(void)unlink(path);
		free(path);
		return WEFT_ENOTFOUND;
	}
	json_decref(j);
	/* Last-used time for gc; failure only makes gc less precise. */
	(void)utimensat(AT_FDCWD, path, NULL, 0);
	free(path);
	return WEFT_OK;
}

int weft_cache_put(const char *root, const char *key, const weft_value *outputs, const weft_cache_meta *meta)
{
	char *path = entry_path(root, key);
	char *dir = path ? weft_path_dirname(path) : NULL;
	json_t *out = weft_value_to_jansson(outputs);
	int rc = WEFT_OK;
	if (!path || !dir || !out) {
		rc = weft_err_set(WEFT_ERROR, "out of memory");
		json_decref(out);
		goto cleanup;
	}
	json_t *j = json_pack("{s:s,s:s,s:s,s:f,s:f,s:o}", "key", key, "op", meta->op, "node", meta->node,
			      "elapsed", meta->elapsed, "created", weft_now(), "outputs", out);
	char *text = j ? json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
	json_decref(j);
	if (!text) {
		rc = weft_err_set(WEFT_ERROR, "cannot encode cache entry");
		goto cleanup;
	}
	rc = weft_mkdirs(dir, 0755);
	if (rc == WEFT_OK)
		rc = weft_write_file_atomic(path, text, strlen(text), 0);
	free(text);
cleanup:
	free(dir);
	free(path);
	return rc;
}

void weft_cache_drop(const char *root, const char *key)
{
	char *path = entry_path(root, key);
	if (path)
		(void)unlink(path);
	free(path);
}
