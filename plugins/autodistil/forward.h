/*
 * forward.h -- the student forward pass and the self-attention
 * distillation loss in C, so that scoring one student of a search is a
 * cheap in-process node instead of a Python process importing torch.
 *
 * It computes what share/autodistil/model.py computes (post-LN encoder,
 * erf GELU, LayerNorm eps 1e-5, padded keys masked with -1e4; MiniLM's
 * attention and value relations of the last layer over relation heads,
 * KL(teacher || student) averaged over relation heads and real query
 * positions). tests/e2e/autodistil.sh checks the two agree.
 */
#ifndef AUTODISTIL_FORWARD_H
#define AUTODISTIL_FORWARD_H

#include <stddef.h>
#include <stdint.h>

#include "arch.h"

typedef struct ad_model ad_model;

/* Opens a weights file of model.py (its config is in the metadata); every
 * tensor's shape is checked against the config. NULL with err. */
ad_model *ad_model_open(const char *path, char *err, size_t errlen);
void ad_model_free(ad_model *m);
const ad_config *ad_model_config(const ad_model *m);

/* Checks that `a` is a student of m (its slices fit the weights) and
 * ids[n*T] are tokens of its vocabulary at T <= seq_len. 0, or -1. */
int ad_check(const ad_model *m, const ad_arch *a, const int32_t *ids, int64_t n, int T, char *err, size_t errlen);

/* The held-out distillation loss of student `a` of `student` against the
 * full `teacher` over n sequences of T tokens. `rel_heads` must divide
 * both models' a*head_size. 0, or -1 with err. */
int ad_distill_loss(const ad_model *teacher, const ad_model *student, const ad_arch *a, const int32_t *ids,
		    int64_t n, int T, int rel_heads, double *loss, char *err, size_t errlen);

/* The probe: per sequence, the final hidden state of [CLS] and the mean
 * over real tokens, 2*hidden numbers each, into out[n * 2 * a->hidden].
 * 0, or -1 with err. */
int ad_probe(const ad_model *m, const ad_arch *a, const int32_t *ids, int64_t n, int T, float *out, char *err,
	     size_t errlen);

#endif
