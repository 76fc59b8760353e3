/*
 * arch.h -- the teacher's shape, a student resolved from AutoDistil's
 * multipliers, and what a student costs.
 *
 * AutoDistil states its sub-spaces as fractions of the teacher (its
 * configs: layers 9/12..12/12, heads 7/12..10/12, hidden 8/24..11/24,
 * MLP ratio 2.5..4.0, 4 values each), so one configuration scales to any
 * teacher. A student is resolved the way its SuperLM slices the weights
 * (DynaBERT, AutoDistil's modeling_bert.py):
 *
 *   depth  d = floor(m_d * L + 1/2), at least 1; the kept teacher layers
 *          are floor(i / m_d) for i < d (DynaBERT's every-other-layer
 *          pattern: m_d = 3/4 of 6 layers keeps 0 1 2 4 5)
 *   heads  a = floor(m_a * A + 1/2), in [1, A]; each head keeps the
 *          teacher's head size
 *   hidden h = floor(m_h * H), in [1, H]
 *   ffn    f = floor(m_h * H * ratio), in [1, F]
 *
 * At a small teacher several multipliers round to the same student: those
 * compute the same function, which the search's functional cache finds.
 *
 * Counting (per sequence of the teacher's length T, forward):
 *   params  embeddings V*h + T*h + 2h (LayerNorm), then per layer
 *           3(hD + D) + (Dh + h) + 2h + (hf + f) + (fh + h) + 2h, D = a*dh;
 *           no task or MLM head. params_body leaves out the two
 *           embedding tables.
 *   FLOPs   2 per multiply-accumulate of the matrix products: per layer
 *           Q, K, V 3*2ThD, scores and context 2*2TTD, output 2TDh, FFN
 *           2*2Thf. Embedding lookups, LayerNorm, softmax and GELU are
 *           not counted (as fvcore and the AutoTinyBERT/AutoDistil
 *           counters leave them out).
 */
#ifndef AUTODISTIL_ARCH_H
#define AUTODISTIL_ARCH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define AD_MAX_LAYERS 64

typedef struct ad_config {
	int vocab, seq_len, layers, hidden, heads, head_size, ffn;
} ad_config;

typedef struct ad_mult {
	double depth, heads, hidden, ratio;
} ad_mult;

typedef struct ad_arch {
	int depth, heads, hidden, ffn;
	int kept[AD_MAX_LAYERS];
} ad_arch;

/* Reads a config ({"vocab", "seq_len", "layers", "hidden", "heads",
 * "head_size", "ffn"}) and checks its bounds. 0, or -1 with err. */
int ad_config_from_json(const json_t *j, ad_config *c, char *err, size_t errlen);
json_t *ad_config_to_json(const ad_config *c);

/* Reads {"depth", "heads", "hidden", "ratio"} multipliers (numbers in
 * (0, 1], the ratio in (0, 16]). 0, or -1 with err. */
int ad_mult_from_json(const json_t *j, ad_mult *m, char *err, size_t errlen);

void ad_resolve(const ad_config *c, const ad_mult *m, ad_arch *a);
ad_arch ad_full(const ad_config *c);

uint64_t ad_params(const ad_config *c, const ad_arch *a);
uint64_t ad_params_body(const ad_config *c, const ad_arch *a);
uint64_t ad_flops(const ad_config *c, const ad_arch *a);

/* {"kept": [...], "heads", "hidden", "ffn"}: what model.py slices. */
json_t *ad_arch_to_json(const ad_arch *a);
/* A short name, "6L-7A-101H-404F"; buf of at least 48 bytes. */
void ad_arch_name(const ad_arch *a, char *buf, size_t len);
int ad_arch_equal(const ad_arch *x, const ad_arch *y);

#endif
