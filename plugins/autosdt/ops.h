/*
 * ops.h -- the op bodies of the autosdt plugin, one per stage; plugin.c
 * holds their descriptors.
 */
#ifndef AUTOSDT_OPS_H
#define AUTOSDT_OPS_H

#include <weft/plugin.h>

int sdt_run_search(weft_op_ctx *ctx, const weft_host_api *api);
int sdt_run_crawl(weft_op_ctx *ctx, const weft_host_api *api);
int sdt_run_prefilter(weft_op_ctx *ctx, const weft_host_api *api);
int sdt_run_judge(weft_op_ctx *ctx, const weft_host_api *api);
int sdt_run_locate(weft_op_ctx *ctx, const weft_host_api *api);
int sdt_run_envcheck(weft_op_ctx *ctx, const weft_host_api *api);
int sdt_run_adapt(weft_op_ctx *ctx, const weft_host_api *api);
int sdt_run_verify(weft_op_ctx *ctx, const weft_host_api *api);
int sdt_run_fix(weft_op_ctx *ctx, const weft_host_api *api);
int sdt_run_instruct(weft_op_ctx *ctx, const weft_host_api *api);
int sdt_run_dataset(weft_op_ctx *ctx, const weft_host_api *api);

#endif
