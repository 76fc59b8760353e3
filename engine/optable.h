/*
 * optable.h -- the engine's ops by full name ("plugin.op"): filled as
 * plugins register, looked up for every node a script adds (optable.c).
 */
#ifndef WEFT_OPTABLE_H
#define WEFT_OPTABLE_H

#include "weft/weft.h"

/* Brings the name index of eng->ops up to date; after every registration
 * (the op just appended is added; any other change rebuilds it). */
int weft_engine_op_index(weft_engine *eng);

/* Parameter p's default of op (one of eng->ops), parsed from its JSON once
 * per engine and kept: a script adds thousands of nodes of one op, and
 * parsing every default of every node was a twentieth of a 10,000-node
 * no-op run. Borrowed; NULL when the op has no default there, the JSON is
 * bad, or memory ran out (the caller parses it then, and says which). */
const weft_value *weft_engine_op_default(weft_engine *eng, const weft_op_info *op, size_t p);

/* Frees the parsed defaults (engine.c, when the engine goes). */
void weft_engine_op_defaults_free(weft_engine *eng);

/* Whether op `d` declares parameter `k`; input `k` (an optional input is
 * written "k?" in the descriptor, and *optional says so when not NULL). */
int weft_op_declares_param(const weft_op_desc *d, const char *k);
int weft_op_declares_input(const weft_op_desc *d, const char *k, int *optional);

#endif
