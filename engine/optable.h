/*
 * optable.h -- the engine's ops by full name ("plugin.op"): filled as
 * plugins register, looked up for every node a script adds (optable.c).
 */
#ifndef WEFT_OPTABLE_H
#define WEFT_OPTABLE_H

#include "weft/weft.h"

/* Rebuilds the name index of eng->ops; after every registration. */
int weft_engine_op_index(weft_engine *eng);

#endif
