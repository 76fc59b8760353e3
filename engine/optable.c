/*
 * optable.c -- the engine's ops by full name. eng->ops grows as plugins
 * register (plugin.c); an open-addressing index over the names makes the
 * lookup for every node a script adds one hash and a compare or two.
 */
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "optable.h"
#include "util.h"

size_t weft_engine_op_count(const weft_engine *eng)
{
	return eng->n_ops;
}

const weft_op_info *weft_engine_op_at(const weft_engine *eng, size_t i)
{
	return i < eng->n_ops ? &eng->ops[i] : NULL;
}

static uint64_t name_hash(const char *s)
{
	return weft_fnv1a(s, strlen(s));
}

static void slot_put(uint32_t *slot, size_t cap, const weft_engine *eng, size_t i)
{
	size_t j = name_hash(eng->ops[i].full_name) & (cap - 1);
	while (slot[j] != UINT32_MAX)
		j = (j + 1) & (cap - 1);
	slot[j] = (uint32_t)i;
}

int weft_engine_op_index(weft_engine *eng)
{
	/* The common case, the one op just registered, is put into the
	 * current table; the table is built anew only when it would be more
	 * than half full (rebuilding it per op hashed every name again, n^2
	 * over the 80-odd ops of a start). */
	size_t last = eng->n_ops - 1;
	if (eng->n_ops && eng->op_slot_cap >= eng->n_ops * 2 && eng->op_slots_n == last) {
		slot_put(eng->op_slots, eng->op_slot_cap, eng, last);
		eng->op_slots_n = eng->n_ops;
		return WEFT_OK;
	}
	size_t cap = 16;
	while (cap < eng->n_ops * 2)
		cap *= 2;
	cap *= 2; /* room to add as many again before the next rebuild */
	uint32_t *slot = malloc(cap * sizeof *slot);
	if (!slot)
		return weft_err_set(WEFT_ERROR, "out of memory");
	for (size_t i = 0; i < cap; i++)
		slot[i] = UINT32_MAX;
	for (size_t i = 0; i < eng->n_ops; i++)
		slot_put(slot, cap, eng, i);
	free(eng->op_slots);
	eng->op_slots = slot;
	eng->op_slot_cap = cap;
	eng->op_slots_n = eng->n_ops;
	return WEFT_OK;
}

/* Called for every node a script adds: a hash lookup, not a scan. */
const weft_op_info *weft_engine_op_find(const weft_engine *eng, const char *full_name)
{
	if (!eng->op_slot_cap)
		return NULL;
	size_t j = name_hash(full_name) & (eng->op_slot_cap - 1);
	for (uint32_t i; (i = eng->op_slots[j]) != UINT32_MAX; j = (j + 1) & (eng->op_slot_cap - 1))
		if (!strcmp(eng->ops[i].full_name, full_name))
			return &eng->ops[i];
	return NULL;
}

const weft_value *weft_engine_op_default(weft_engine *eng, const weft_op_info *op, size_t p)
{
	size_t i = (size_t)(op - eng->ops);
	if (op < eng->ops || i >= eng->n_ops || p >= op->desc->n_params || !op->desc->params[p].default_json)
		return NULL;
	if (i >= eng->n_op_defaults) {
		weft_value ***d = realloc(eng->op_defaults, eng->n_ops * sizeof *d);
		if (!d)
			return NULL;
		memset(d + eng->n_op_defaults, 0, (eng->n_ops - eng->n_op_defaults) * sizeof *d);
		eng->op_defaults = d;
		eng->n_op_defaults = eng->n_ops;
	}
	if (!eng->op_defaults[i] &&
	    !(eng->op_defaults[i] = calloc(op->desc->n_params ? op->desc->n_params : 1, sizeof **eng->op_defaults)))
		return NULL;
	weft_value **v = &eng->op_defaults[i][p];
	if (!*v) {
		const char *js = op->desc->params[p].default_json;
		if (weft_value_from_json(v, js, strlen(js), NULL, 0) != WEFT_OK)
			*v = NULL;
	}
	return *v;
}

void weft_engine_op_defaults_free(weft_engine *eng)
{
	for (size_t i = 0; i < eng->n_op_defaults; i++) {
		for (size_t p = 0; eng->op_defaults[i] && p < eng->ops[i].desc->n_params; p++)
			weft_value_free(eng->op_defaults[i][p]);
		free(eng->op_defaults[i]);
	}
	free(eng->op_defaults);
	eng->op_defaults = NULL;
	eng->n_op_defaults = 0;
}

int weft_op_declares_input(const weft_op_desc *d, const char *k, int *optional)
{
	if (!k)
		return 0;
	size_t kl = strlen(k);
	for (size_t i = 0; i < d->n_inputs; i++) {
		size_t n = strlen(d->inputs[i]);
		int opt = n && d->inputs[i][n - 1] == '?';
		if (n - (size_t)opt == kl && !strncmp(d->inputs[i], k, kl)) {
			if (optional)
				*optional = opt;
			return 1;
		}
	}
	return 0;
}

int weft_op_declares_param(const weft_op_desc *d, const char *k)
{
	for (size_t i = 0; k && i < d->n_params; i++)
		if (!strcmp(d->params[i].name, k))
			return 1;
	return 0;
}
