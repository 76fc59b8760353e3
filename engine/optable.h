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

/* Whether op `d` declares parameter `k`; input `k` (an optional input is
 * written "k?" in the descriptor, and *optional says so when not NULL). */
int weft_op_declares_param(const weft_op_desc *d, const char *k);
int weft_op_declares_input(const weft_op_desc *d, const char *k, int *optional);

#endif
