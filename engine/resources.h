/*
 * resources.h -- resource pools as the scheduler uses them during a run.
 *
 * A pool is either counted (cpus, mem, any named resource: only the amount
 * in use matters) or a device pool (gpu, npu, or a named list of ids: each
 * unit is a specific device that is handed to exactly one node at a time).
 * The public half (declaring pools, weft.yaml, detection) is in weft/weft.h.
 *
 * Invariant: for every pool, used <= capacity, and a device's holder is
 * either free or the one node that took it. res_take either takes every
 * ask of a node or nothing.
 */
#ifndef WEFT_RESOURCES_H
#define WEFT_RESOURCES_H

#include <stddef.h>
#include <stdint.h>

#include "weft/weft.h"

#define RES_FREE UINT32_MAX
/* Pools a run can track: blocked sets are bit masks. */
#define RES_MAX_POOLS 64

typedef struct res_ask {
	uint16_t pool;
	uint64_t amount;
} res_ask;

/* A copy of `src` for one run, with nothing in use. */
int res_clone(weft_resources **out, const weft_resources *src);
size_t res_pool_count(const weft_resources *r);
/* Index of pool `name`, or -1. */
int res_pool_find(const weft_resources *r, const char *name);
const char *res_pool_name(const weft_resources *r, size_t pool);
/* Where the capacity came from ("weft.yaml", "CUDA_VISIBLE_DEVICES", ...). */
const char *res_pool_source(const weft_resources *r, size_t pool);
uint64_t res_pool_capacity(const weft_resources *r, size_t pool);
uint64_t res_pool_used(const weft_resources *r, size_t pool);
/* Non-zero for device pools (specific ids are handed out). */
int res_pool_is_device(const weft_resources *r, size_t pool);
/* The environment variable that names a device pool's ids to an op
 * (CUDA_VISIBLE_DEVICES for gpu, ASCEND_RT_VISIBLE_DEVICES for npu,
 * WEFT_<NAME>_IDS otherwise); NULL for counted pools. */
const char *res_pool_env(const weft_resources *r, size_t pool);
size_t res_device_count(const weft_resources *r, size_t pool);
const char *res_device_id(const weft_resources *r, size_t pool, size_t dev);
/* RES_FREE or the node id holding the device. */
uint32_t res_device_holder(const weft_resources *r, size_t pool, size_t dev);
/* Seconds the device has been held so far, counting a current holder up
 * to `now`. */
double res_device_busy(const weft_resources *r, size_t pool, size_t dev, double now);

/* Non-zero if every ask fits now. Pools that are short get their bit set
 * in `*short_mask` (may be NULL). */
int res_fits(const weft_resources *r, const res_ask *asks, size_t n, uint64_t *short_mask);
/* Takes every ask for `holder` (devices: the lowest free ids). Fails,
 * taking nothing, if they do not all fit. */
int res_take(weft_resources *r, const res_ask *asks, size_t n, uint32_t holder, double now);
/* Gives back what `holder` took with the same asks. */
void res_give(weft_resources *r, const res_ask *asks, size_t n, uint32_t holder, double now);
/* The ids `holder` holds in device pool `pool`, comma-separated (the form
 * CUDA_VISIBLE_DEVICES takes); "" when none. Caller frees. */
char *res_ids_of(const weft_resources *r, size_t pool, uint32_t holder);

#endif
