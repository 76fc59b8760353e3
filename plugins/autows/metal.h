/*
 * metal.h -- Snorkel MeTaL's matrix-completion label model (metal.c).
 */
#ifndef AUTOWS_METAL_H
#define AUTOWS_METAL_H

#include <stdint.h>

#include "labelmat.h"
#include "lmresult.h"

/* Fits the class-conditional vote tables and fills r->proba, r->accuracy
 * and r->balance (allocated by the caller: n x k, m, k). `known` (or NULL)
 * gives the rows whose label is known: they set the class balance and keep
 * their label. Needs k <= 256. Returns 0, or -1 when memory runs out. */
int aws_metal(aws_lm_result *r, const aws_lmat *L, const int32_t *known);

#endif
