/*
 * arch.c -- resolving AutoDistil's multipliers to a student, and counting
 * its parameters and FLOPs (arch.h says how).
 */
#include "arch.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int get_int(const json_t *j, const char *k, int lo, int hi, int *out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(j, k);
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		snprintf(err, errlen, "config: %s must be a whole number in [%d, %d]", k, lo, hi);
		return -1;
	}
	*out = (int)json_integer_value(v);
	return 0;
}

int ad_config_from_json(const json_t *j, ad_config *c, char *err, size_t errlen)
{
	if (!json_is_object(j)) {
		snprintf(err, errlen, "config: want an object with vocab, seq_len, layers, hidden, heads, head_size, ffn");
		return -1;
	}
	memset(c, 0, sizeof *c);
	if (get_int(j, "vocab", 6, 1 << 22, &c->vocab, err, errlen) ||
	    get_int(j, "seq_len", 1, 4096, &c->seq_len, err, errlen) ||
	    get_int(j, "layers", 1, AD_MAX_LAYERS, &c->layers, err, errlen) ||
	    get_int(j, "hidden", 1, 1 << 14, &c->hidden, err, errlen) ||
	    get_int(j, "heads", 1, 1024, &c->heads, err, errlen) ||
	    get_int(j, "head_size", 1, 1024, &c->head_size, err, errlen) ||
	    get_int(j, "ffn", 1, 1 << 16, &c->ffn, err, errlen))
		return -1;
	return 0;
}

json_t *ad_config_to_json(const ad_config *c)
{
	return json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:i}", "vocab", c->vocab, "seq_len", c->seq_len, "layers",
			 c->layers, "hidden", c->hidden, "heads", c->heads, "head_size", c->head_size, "ffn", c->ffn);
}

static int get_mult(const json_t *j, const char *k, double hi, double *out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(j, k);
	double x = json_number_value(v);
	if (!json_is_number(v) || !(x > 0) || x > hi) {
		snprintf(err, errlen, "student: %s must be a number in (0, %g]", k, hi);
		return -1;
	}
	*out = x;
	return 0;
}

int ad_mult_from_json(const json_t *j, ad_mult *m, char *err, size_t errlen)
{
	if (!json_is_object(j)) {
		snprintf(err, errlen, "student: want an object of multipliers {depth, heads, hidden, ratio}");
		return -1;
	}
	return get_mult(j, "depth", 1, &m->depth, err, errlen) || get_mult(j, "heads", 1, &m->heads, err, errlen) ||
			       get_mult(j, "hidden", 1, &m->hidden, err, errlen) ||
			       get_mult(j, "ratio", 16, &m->ratio, err, errlen)
		       ? -1
		       : 0;
}

static int clampi(double x, int lo, int hi)
{
	if (!(x >= lo))
		return lo;
	return x > hi ? hi : (int)x;
}

/* The small epsilon keeps 10/12 * 6, which is 4.999... in binary, at 5. */
#define EPS 1e-9

void ad_resolve(const ad_config *c, const ad_mult *m, ad_arch *a)
{
	memset(a, 0, sizeof *a);
	a->depth = clampi(floor(m->depth * c->layers + 0.5 + EPS), 1, c->layers);
	for (int i = 0; i < a->depth; i++)
		a->kept[i] = clampi(floor(i / m->depth + EPS), 0, c->layers - 1);
	a->heads = clampi(floor(m->heads * c->heads + 0.5 + EPS), 1, c->heads);
	a->hidden = clampi(floor(m->hidden * c->hidden + EPS), 1, c->hidden);
	a->ffn = clampi(floor(m->hidden * c->hidden * m->ratio + EPS), 1, c->ffn);
}

ad_arch ad_full(const ad_config *c)
{
	ad_arch a;
	memset(&a, 0, sizeof a);
	a.depth = c->layers;
	for (int i = 0; i < c->layers; i++)
		a.kept[i] = i;
	a.heads = c->heads;
	a.hidden = c->hidden;
	a.ffn = c->ffn;
	return a;
}

static uint64_t layer_params(const ad_config *c, const ad_arch *a)
{
	uint64_t h = (uint64_t)a->hidden, D = (uint64_t)a->heads * (uint64_t)c->head_size, f = (uint64_t)a->ffn;
	return 3 * (h * D + D) + (D * h + h) + 2 * h + (h * f + f) + (f * h + h) + 2 * h;
}

uint64_t ad_params_body(const ad_config *c, const ad_arch *a)
{
	return 2 * (uint64_t)a->hidden + (uint64_t)a->depth * layer_params(c, a);
}

uint64_t ad_params(const ad_config *c, const ad_arch *a)
{
	uint64_t h = (uint64_t)a->hidden;
	return ((uint64_t)c->vocab + (uint64_t)c->seq_len) * h + ad_params_body(c, a);
}

uint64_t ad_flops(const ad_config *c, const ad_arch *a)
{
	uint64_t T = (uint64_t)c->seq_len, h = (uint64_t)a->hidden, f = (uint64_t)a->ffn;
	uint64_t D = (uint64_t)a->heads * (uint64_t)c->head_size;
	uint64_t per = 3 * 2 * T * h * D + 2 * 2 * T * T * D + 2 * T * D * h + 2 * 2 * T * h * f;
	return (uint64_t)a->depth * per;
}

json_t *ad_arch_to_json(const ad_arch *a)
{
	json_t *kept = json_array();
	for (int i = 0; i < a->depth; i++)
		json_array_append_new(kept, json_integer(a->kept[i]));
	return json_pack("{s:o,s:i,s:i,s:i}", "kept", kept, "heads", a->heads, "hidden", a->hidden, "ffn", a->ffn);
}

void ad_arch_name(const ad_arch *a, char *buf, size_t len)
{
	snprintf(buf, len, "%dL-%dA-%dH-%dF", a->depth, a->heads, a->hidden, a->ffn);
}

int ad_arch_equal(const ad_arch *x, const ad_arch *y)
{
	if (x->depth != y->depth || x->heads != y->heads || x->hidden != y->hidden || x->ffn != y->ffn)
		return 0;
	return memcmp(x->kept, y->kept, sizeof x->kept[0] * (size_t)x->depth) == 0;
}
