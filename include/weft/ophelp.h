/*
 * weft/ophelp.h -- the plugin authoring kit: descriptors whose counts the
 * compiler computes, and typed parameter, input and output helpers over
 * the host API. Header-only (static inline), built on weft/plugin.h
 * alone, so a plugin links nothing more; the in-tree plugins use exactly
 * this header.
 *
 * A descriptor:
 *
 *   static const weft_param_spec blur_params[] = {
 *       {"sigma", WEFT_T_FLOAT, "1.5", "Gaussian sigma, pixels"},
 *   };
 *   const weft_op_desc my_op_blur = {
 *       WEFT_OP_DESC("blur", "1", run_blur, WEFT_OP_DETERMINISTIC, "Blurs an image."),
 *       WEFT_OP_PARAMS(blur_params),
 *       WEFT_OP_INPUTS(WEFT_NAMES("image")),
 *       WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
 *   };
 *
 * Every count comes from its array, and WEFT_LEN refuses a pointer at
 * compile time, so a table and its count cannot disagree.
 *
 * Reading a parameter the op did not declare is a bug in the op, not a
 * 0: the engine fails the node with the name and the declared ones, so a
 * misspelt name is found on its first run.
 *
 * Ownership follows weft/plugin.h: values read are borrowed until the op
 * returns; the output setters pass what they make to the engine.
 */
#ifndef WEFT_OPHELP_H
#define WEFT_OPHELP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "weft/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --------------------------------------------------------- descriptors */

#if defined(__GNUC__) && !defined(__cplusplus)
/* 0 for an array; a compile error (negative bit-field) for a pointer. */
#define WEFT_ASSERT_ARRAY_(a)                                                                                 \
	(0 * sizeof(struct {                                                                                   \
		int weft_not_an_array : __builtin_types_compatible_p(__typeof__(a), __typeof__(&(a)[0])) ? -1 : 1; \
	}))
#else
#define WEFT_ASSERT_ARRAY_(a) 0
#endif
/* The number of elements of array `a` (never of a pointer). */
#define WEFT_LEN(a) (sizeof(a) / sizeof((a)[0]) + WEFT_ASSERT_ARRAY_(a))

/* The type of an op's run function, for declaring several at once:
 *   weft_op_run_fn my_run_blur, my_run_sharpen;  */
typedef int weft_op_run_fn(weft_op_ctx *ctx, const weft_host_api *api);
/* The halves of a split op (weft_op_desc.start and finish, ABI 1.9). */
typedef int weft_op_start_fn(weft_op_ctx *ctx, const weft_host_api *api, weft_op_proc *proc);
typedef int weft_op_finish_fn(weft_op_ctx *ctx, const weft_host_api *api, weft_op_proc *proc, unsigned flags);
typedef int weft_op_pump_fn(weft_op_ctx *ctx, const weft_host_api *api, weft_op_proc *proc);

/* An array of names in place: WEFT_NAMES("image", "mask"). */
#define WEFT_NAMES(...) ((const char *const[]){__VA_ARGS__})

/* The fields every op has, with 1 CPU slot. WEFT_OP_DESC_CPUS asks for
 * more (setting .cpus after WEFT_OP_DESC would initialise it twice, which
 * -Wextra warns of); .mem_bytes may follow either. */
#define WEFT_OP_DESC_CPUS(name_, version_, run_, flags_, doc_, cpus_)                                           \
	.struct_size = sizeof(weft_op_desc), .name = (name_), .version = (version_), .doc = (doc_),             \
	.flags = (flags_), .cpus = (cpus_), .run = (run_)
#define WEFT_OP_DESC(name_, version_, run_, flags_, doc_) WEFT_OP_DESC_CPUS(name_, version_, run_, flags_, doc_, 1)
#define WEFT_OP_SPLIT(start_, finish_) .start = (start_), .finish = (finish_)
#define WEFT_OP_PUMP(pump_) .pump = (pump_) /* ABI 1.10: with proc->out_fd */
#define WEFT_OP_PARAMS(arr) .params = (arr), .n_params = WEFT_LEN(arr)
#define WEFT_OP_INPUTS(arr) .inputs = (arr), .n_inputs = WEFT_LEN(arr)
#define WEFT_OP_OUTPUTS(arr) .outputs = (arr), .n_outputs = WEFT_LEN(arr)

/* A plugin descriptor over an array of op descriptor pointers. */
#define WEFT_PLUGIN_DESC(name_, version_, license_, description_, ops_)                                         \
	{                                                                                                      \
		.struct_size = sizeof(weft_plugin_desc), .abi_major = WEFT_ABI_MAJOR, .abi_minor = WEFT_ABI_MINOR, \
		.name = (name_), .version = (version_), .license = (license_), .description = (description_),  \
		.ops = (ops_), .n_ops = WEFT_LEN(ops_)                                                          \
	}

/* For the entry point: `desc` when the host speaks this ABI major and at
 * least the minor the plugin was built with, else NULL (the engine then
 * says which versions met). */
static inline const weft_plugin_desc *weft_plugin_accept(const weft_host_api *api, const weft_plugin_desc *desc)
{
	if (!api || api->abi_major != WEFT_ABI_MAJOR || api->abi_minor < desc->abi_minor)
		return NULL;
	return desc;
}

/* ---------------------------------------------------------- parameters */

static inline int64_t weft_op_param_int(weft_op_ctx *ctx, const weft_host_api *api, const char *name)
{
	return api->value_int(api->param(ctx, name));
}

static inline double weft_op_param_float(weft_op_ctx *ctx, const weft_host_api *api, const char *name)
{
	return api->value_float(api->param(ctx, name));
}

static inline int weft_op_param_bool(weft_op_ctx *ctx, const weft_host_api *api, const char *name)
{
	return api->value_bool(api->param(ctx, name));
}

/* The string, or NULL when the parameter is not a string (null). */
static inline const char *weft_op_param_string(weft_op_ctx *ctx, const weft_host_api *api, const char *name)
{
	return api->value_string(api->param(ctx, name), NULL);
}

/* -------------------------------------------------------------- inputs */

/* The read-only content path of artifact value `v`, or NULL when `v` is
 * not an artifact (or NULL). */
static inline const char *weft_op_path_of(weft_op_ctx *ctx, const weft_host_api *api, const weft_value *v)
{
	const char *p = NULL;
	if (!v || api->artifact_path(&p, ctx, v) != WEFT_OK)
		return NULL;
	return p;
}

/* The content path of input `name`, or NULL when it is not a file. */
static inline const char *weft_op_input_path(weft_op_ctx *ctx, const weft_host_api *api, const char *name)
{
	return weft_op_path_of(ctx, api, api->input(ctx, name));
}

/* ------------------------------------------------------------- outputs */

/* WORKDIR/file into buf; NULL (after api->fail) when it does not fit. */
static inline const char *weft_op_workfile(weft_op_ctx *ctx, const weft_host_api *api, const char *file, char *buf,
					   size_t len)
{
	int n = snprintf(buf, len, "%s/%s", api->workdir(ctx), file);
	if (n < 0 || (size_t)n >= len) {
		api->fail(ctx, "work file path too long for %s", file);
		return NULL;
	}
	return buf;
}

/* Imports the file or directory at `path` and sets it as output `name`. */
static inline int weft_op_set_file(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *path)
{
	weft_value *art = NULL;
	if (api->artifact_import(&art, ctx, path) != WEFT_OK)
		return api->fail(ctx, "cannot store %s: %s", path, api->error_last());
	return api->set_output(ctx, name, art);
}

/* As weft_op_set_file, for a file the op has finished with (written in
 * its workdir to be an output): on a host of ABI 1.8 or later it is moved
 * into the store, not copied, and `path` is gone afterwards. */
static inline int weft_op_give_file(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *path)
{
	weft_value *art = NULL;
	int adopt = api->struct_size >= offsetof(weft_host_api, artifact_adopt) + sizeof(void *);
	if ((adopt ? api->artifact_adopt(&art, ctx, path) : api->artifact_import(&art, ctx, path)) != WEFT_OK)
		return api->fail(ctx, "cannot store %s: %s", path, api->error_last());
	return api->set_output(ctx, name, art);
}

/* Sets output `name` to `v` (taken), failing the op when `v` is NULL. */
static inline int weft_op_set_value(weft_op_ctx *ctx, const weft_host_api *api, const char *name, weft_value *v)
{
	if (!v)
		return api->fail(ctx, "out of memory setting output '%s'", name);
	return api->set_output(ctx, name, v);
}

static inline int weft_op_set_int(weft_op_ctx *ctx, const weft_host_api *api, const char *name, int64_t v)
{
	return weft_op_set_value(ctx, api, name, api->value_new_int(v));
}

static inline int weft_op_set_float(weft_op_ctx *ctx, const weft_host_api *api, const char *name, double v)
{
	return weft_op_set_value(ctx, api, name, api->value_new_float(v));
}

static inline int weft_op_set_bool(weft_op_ctx *ctx, const weft_host_api *api, const char *name, int v)
{
	return weft_op_set_value(ctx, api, name, api->value_new_bool(v));
}

/* NULL `s` sets null. */
static inline int weft_op_set_string(weft_op_ctx *ctx, const weft_host_api *api, const char *name, const char *s)
{
	size_t n = 0;
	while (s && s[n])
		n++;
	return weft_op_set_value(ctx, api, name, s ? api->value_new_string(s, n) : api->value_new_null());
}

#ifdef __cplusplus
}
#endif
#endif
