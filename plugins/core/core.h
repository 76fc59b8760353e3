/*
 * core.h -- the op descriptors of the core plugin, one file per family.
 * The plugin includes only weft/plugin.h, exactly as a third party would.
 */
#ifndef WEFT_CORE_PLUGIN_H
#define WEFT_CORE_PLUGIN_H

#include <weft/plugin.h>

extern const weft_op_desc core_op_shell;
extern const weft_op_desc core_op_import;
extern const weft_op_desc core_op_export;
extern const weft_op_desc core_op_csv;
extern const weft_op_desc core_op_json;
extern const weft_op_desc core_op_yaml;
extern const weft_op_desc core_op_concat;
extern const weft_op_desc core_op_merge;
extern const weft_op_desc core_op_value;
extern const weft_op_desc core_op_noop;
extern const weft_op_desc core_op_sleep;

/* Reads a whole artifact file into a host-allocated buffer. */
int core_read_artifact(char **data, size_t *len, weft_op_ctx *ctx, const weft_host_api *api,
		       const weft_value *art, const char *what);

#endif
