/*
 * plugin_internal.h -- the engine's record of a loaded plugin, and the
 * loader's entry points (plugin.c).
 */
#ifndef WEFT_PLUGIN_INTERNAL_H
#define WEFT_PLUGIN_INTERNAL_H

#include "arena.h"
#include "weft/weft.h"

typedef struct plugin_rec {
	char *path;
	void *dl;                     /* NULL until an op of it runs here */
	const weft_plugin_desc *desc; /* the host's copy, in `arena` */
	weft_arena arena;
	int trusted;
	char code_hash[65]; /* SHA-256 of the .so, once an op's key asked ("" before) */
} plugin_rec;

void weft_host_api_init(weft_host_api *api);
/* The SHA-256 of the .so holding `op` (hashed once per engine), for its
 * ops' keys; "" for an op of no file. */
int weft_plugin_code_hash(weft_engine *eng, const weft_op_info *op, const char **hex);
/* Maps the code of `op`'s plugin into this process (once); ops of plugins
 * registered from the op index have no `run` until then. Loop thread. */
int weft_plugin_activate(weft_engine *eng, const weft_op_info *op);

/* Loads every plugin in `dir` (through the op index when it has one). */
int weft_engine_load_dir(weft_engine *eng, const char *dir);

#endif
