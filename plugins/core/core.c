/*
 * core.c -- the core plugin's entry point and its small value ops:
 * value, concat, merge, noop, sleep. The heavier families live in shell.c,
 * files.c and data.c.
 */
#include "core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int core_read_artifact(char **data, size_t *len, weft_op_ctx *ctx, const weft_host_api *api,
		       const weft_value *art, const char *what)
{
	const char *path;
	if (!art || api->value_type(art) != WEFT_T_ARTIFACT)
		return api->fail(ctx, "input '%s' must be a file artifact (use weft.file(...) or a node output)", what);
	if (api->artifact_path(&path, ctx, art) != WEFT_OK)
		return api->fail(ctx, "input '%s': %s", what, api->error_last());
	FILE *f = fopen(path, "rb");
	if (!f)
		return api->fail(ctx, "input '%s': cannot open %s: %s", what, path, strerror(errno));
	size_t cap = 65536, n = 0;
	char *buf = api->alloc(cap);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n - 1 == 0) {
			char *nb = api->alloc(cap * 2);
			if (nb)
				memcpy(nb, buf, n);
			api->free(buf);
			buf = nb;
			cap *= 2;
		}
	}
	int err = ferror(f);
	fclose(f);
	if (!buf || err) {
		api->free(buf);
		return api->fail(ctx, "input '%s': read failed", what);
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return WEFT_OK;
}

/* ---- core.value: a literal, as a node (handy for tests and fan-out) */
int core_run_value(weft_op_ctx *ctx, const weft_host_api *api)
{
	return api->set_output(ctx, "out", api->value_copy(api->param(ctx, "value")));
}

/* ---- core.concat: joins lists (or strings) in input-name order */
int core_run_concat(weft_op_ctx *ctx, const weft_host_api *api)
{
	const weft_value *items = api->input(ctx, "items");
	const weft_value *sep = api->param(ctx, "sep");
	if (api->value_type(items) != WEFT_T_LIST)
		return api->fail(ctx, "input 'items' must be a list, got type %d", api->value_type(items));
	size_t n = api->value_len(items);
	int all_strings = n > 0;
	for (size_t i = 0; i < n; i++)
		all_strings &= api->value_type(api->value_list_at(items, i)) == WEFT_T_STRING;
	if (all_strings) {
		size_t seplen, total = 0;
		const char *s = api->value_string(sep, &seplen);
		for (size_t i = 0; i < n; i++)
			total += api->value_len(api->value_list_at(items, i)) + seplen;
		char *buf = api->alloc(total + 1), *p = buf;
		if (!buf)
			return api->fail(ctx, "out of memory");
		for (size_t i = 0; i < n; i++) {
			size_t l;
			const char *part = api->value_string(api->value_list_at(items, i), &l);
			if (i) {
				memcpy(p, s, seplen);
				p += seplen;
			}
			memcpy(p, part, l);
			p += l;
		}
		weft_value *out = api->value_new_string(buf, (size_t)(p - buf));
		api->free(buf);
		return api->set_output(ctx, "out", out);
	}
	weft_value *out = api->value_new_list();
	for (size_t i = 0; i < n; i++) {
		const weft_value *it = api->value_list_at(items, i);
		if (api->value_type(it) == WEFT_T_LIST) {
			for (size_t k = 0; k < api->value_len(it); k++)
				api->value_list_push(out, api->value_copy(api->value_list_at(it, k)));
		} else {
			api->value_list_push(out, api->value_copy(it));
		}
	}
	return api->set_output(ctx, "out", out);
}

/* ---- core.merge: maps merged in input-name order, later names win */
int core_run_merge(weft_op_ctx *ctx, const weft_host_api *api)
{
	const weft_value *ins = api->inputs(ctx);
	weft_value *out = api->value_new_map();
	for (size_t i = 0; i < api->value_len(ins); i++) {
		const weft_value *m = api->value_map_value_at(ins, i);
		if (api->value_type(m) != WEFT_T_MAP) {
			api->value_free(out);
			return api->fail(ctx, "input '%s' is not a map", api->value_map_key_at(ins, i));
		}
		for (size_t k = 0; k < api->value_len(m); k++)
			api->value_map_set(out, api->value_map_key_at(m, k),
					   api->value_copy(api->value_map_value_at(m, k)));
	}
	return api->set_output(ctx, "out", out);
}

/* ---- core.noop: measures engine overhead; output is the input count */
int core_run_noop(weft_op_ctx *ctx, const weft_host_api *api)
{
	const weft_value *seed = api->param(ctx, "seed");
	int64_t n = (int64_t)api->value_len(api->inputs(ctx)) + api->value_int(seed);
	return api->set_output(ctx, "out", api->value_new_int(n));
}

/* ---- core.sleep: waits, polling cancellation; for tests of interrupts */
int core_run_sleep(weft_op_ctx *ctx, const weft_host_api *api)
{
	double secs = api->value_float(api->param(ctx, "seconds"));
	struct timespec step = {0, 20 * 1000 * 1000};
	for (double t = 0; t < secs; t += 0.02) {
		if (api->cancelled(ctx))
			return WEFT_ECANCELLED;
		nanosleep(&step, NULL);
	}
	return api->set_output(ctx, "out", api->value_copy(api->param(ctx, "value")));
}

WEFT_PLUGIN_EXPORT const weft_plugin_desc *weft_plugin_entry(const weft_host_api *api)
{
	return weft_plugin_accept(api, &core_plugin);
}
