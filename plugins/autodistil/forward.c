/*
 * forward.c -- the sliced encoder's forward pass and the distillation
 * loss (forward.h). Row-major float32 throughout: a weight W[out][in] of
 * the supernet is read as its top-left [o][i] block with the full row
 * stride, which is exactly DynaBERT's slicing.
 */
#include "forward.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensors.h"

#define NEG (-1e4f)
#define LN_EPS 1e-5f
#define MAX_WEIGHTS ((size_t)2 << 30)

typedef struct layer {
	const float *q_w, *q_b, *k_w, *k_b, *v_w, *v_b, *o_w, *o_b, *ln1_w, *ln1_b, *f1_w, *f1_b, *f2_w, *f2_b,
		*ln2_w, *ln2_b;
} layer;

struct ad_model {
	ad_tensors *t;
	ad_config c;
	const float *tok, *pos, *eln_w, *eln_b;
	layer l[AD_MAX_LAYERS];
};

void ad_model_free(ad_model *m)
{
	if (!m)
		return;
	ad_tensors_free(m->t);
	free(m);
}

const ad_config *ad_model_config(const ad_model *m)
{
	return &m->c;
}

static const float *want(ad_model *m, const char *name, int64_t d0, int64_t d1, char *err, size_t errlen)
{
	int64_t dims[2] = {0, 0};
	int nd = d1 ? 2 : 1;
	const float *p = ad_tensors_get(m->t, name, nd, dims, err, errlen);
	if (p && (dims[0] != d0 || (nd == 2 && dims[1] != d1))) {
		snprintf(err, errlen, "weights: tensor %s is [%lld, %lld], the config wants [%lld, %lld]", name,
			 (long long)dims[0], (long long)(nd == 2 ? dims[1] : 0), (long long)d0, (long long)d1);
		return NULL;
	}
	return p;
}

ad_model *ad_model_open(const char *path, char *err, size_t errlen)
{
	ad_model *m = calloc(1, sizeof *m);
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->t = ad_tensors_open(path, MAX_WEIGHTS, err, errlen);
	if (!m->t)
		goto fail;
	const char *cfg = json_string_value(json_object_get(ad_tensors_meta(m->t), "config"));
	json_t *cj = cfg ? json_loads(cfg, 0, NULL) : NULL;
	int bad = ad_config_from_json(cj, &m->c, err, errlen);
	json_decref(cj);
	if (!cfg || bad) {
		if (!cfg)
			snprintf(err, errlen, "%s: no config in the safetensors metadata; not weights of autodistil", path);
		goto fail;
	}
	const ad_config *c = &m->c;
	int64_t H = c->hidden, D = (int64_t)c->heads * c->head_size, F = c->ffn;
	if (!(m->tok = want(m, "emb_tok", c->vocab, H, err, errlen)) ||
	    !(m->pos = want(m, "emb_pos", c->seq_len, H, err, errlen)) ||
	    !(m->eln_w = want(m, "emb_ln_w", H, 0, err, errlen)) || !(m->eln_b = want(m, "emb_ln_b", H, 0, err, errlen)))
		goto fail;
	for (int i = 0; i < c->layers; i++) {
		layer *L = &m->l[i];
		struct {
			const float **dst;
			const char *n;
			int64_t d0, d1;
		} spec[] = {
			{&L->q_w, "q_w", D, H},	   {&L->q_b, "q_b", D, 0},     {&L->k_w, "k_w", D, H},
			{&L->k_b, "k_b", D, 0},	   {&L->v_w, "v_w", D, H},     {&L->v_b, "v_b", D, 0},
			{&L->o_w, "o_w", H, D},	   {&L->o_b, "o_b", H, 0},     {&L->ln1_w, "ln1_w", H, 0},
			{&L->ln1_b, "ln1_b", H, 0}, {&L->f1_w, "f1_w", F, H},   {&L->f1_b, "f1_b", F, 0},
			{&L->f2_w, "f2_w", H, F},  {&L->f2_b, "f2_b", H, 0},   {&L->ln2_w, "ln2_w", H, 0},
			{&L->ln2_b, "ln2_b", H, 0},
		};
		for (size_t s = 0; s < sizeof spec / sizeof spec[0]; s++) {
			char name[32];
			snprintf(name, sizeof name, "l%d_%s", i, spec[s].n);
			if (!(*spec[s].dst = want(m, name, spec[s].d0, spec[s].d1, err, errlen)))
				goto fail;
		}
	}
	return m;
fail:
	ad_model_free(m);
	return NULL;
}

int ad_check(const ad_model *m, const ad_arch *a, const int32_t *ids, int64_t n, int T, char *err, size_t errlen)
{
	const ad_config *c = &m->c;
	if (a->depth < 1 || a->depth > AD_MAX_LAYERS || a->heads < 1 || a->heads > c->heads || a->hidden < 1 ||
	    a->hidden > c->hidden || a->ffn < 1 || a->ffn > c->ffn) {
		snprintf(err, errlen, "the student (%d layers, %d heads, hidden %d, ffn %d) does not fit the weights "
				      "(%d, %d, %d, %d)",
			 a->depth, a->heads, a->hidden, a->ffn, c->layers, c->heads, c->hidden, c->ffn);
		return -1;
	}
	for (int i = 0; i < a->depth; i++)
		if (a->kept[i] < 0 || a->kept[i] >= c->layers) {
			snprintf(err, errlen, "the student keeps layer %d of %d", a->kept[i], c->layers);
			return -1;
		}
	if (T < 1 || T > c->seq_len) {
		snprintf(err, errlen, "sequences of %d tokens; the model takes 1 to %d", T, c->seq_len);
		return -1;
	}
	for (int64_t i = 0; i < n * T; i++)
		if (ids[i] < 0 || ids[i] >= c->vocab) {
			snprintf(err, errlen, "token id %d at sequence %lld is outside the vocabulary of %d", ids[i],
				 (long long)(i / T), c->vocab);
			return -1;
		}
	return 0;
}

/* ---------------------------------------------------------------- kernels */

/* y[t][o] = b[o] + sum_i x[t][i] W[o][i], over the top-left out x in
 * block of W (row stride ldw). */
static void linear(const float *x, int T, int in, const float *W, int ldw, const float *b, int out, float *y)
{
	for (int t = 0; t < T; t++) {
		const float *xt = x + (size_t)t * in;
		float *yt = y + (size_t)t * out;
		for (int o = 0; o < out; o++) {
			const float *w = W + (size_t)o * ldw;
			float s = 0;
#pragma omp simd reduction(+ : s)
			for (int i = 0; i < in; i++)
				s += xt[i] * w[i];
			yt[o] = s + b[o];
		}
	}
}

static void layer_norm(float *x, int T, int h, const float *g, const float *b)
{
	for (int t = 0; t < T; t++) {
		float *r = x + (size_t)t * h;
		double mean = 0, var = 0;
		for (int i = 0; i < h; i++)
			mean += r[i];
		mean /= h;
		for (int i = 0; i < h; i++)
			var += (r[i] - mean) * (r[i] - mean);
		var /= h;
		float inv = (float)(1.0 / sqrt(var + LN_EPS));
		for (int i = 0; i < h; i++)
			r[i] = (float)(r[i] - mean) * inv * g[i] + b[i];
	}
}

/* row[j] = scale * <xi, y_j> + (j padded ? -1e4 : 0) over the head slice
 * [off, off + d) of y's rows (stride D); returns the row's maximum. */
static float score_row(const float *xi, const float *y, int T, int D, int off, int d, float scale,
		       const unsigned char *real, float *row)
{
	float mx = -INFINITY;
	for (int j = 0; j < T; j++) {
		const float *yj = y + (size_t)j * D + off;
		float s = 0;
#pragma omp simd reduction(+ : s)
		for (int c = 0; c < d; c++)
			s += xi[c] * yj[c];
		row[j] = s * scale + (real[j] ? 0.0f : NEG);
		if (row[j] > mx)
			mx = row[j];
	}
	return mx;
}

/* log-softmax over j of the scores of x's rows against y's, for one
 * relation head: out[i][j], T x T. */
static void log_scores(const float *x, const float *y, int T, int D, int off, int d, const unsigned char *real,
		       float *out)
{
	float scale = 1.0f / sqrtf((float)d);
	for (int i = 0; i < T; i++) {
		float *row = out + (size_t)i * T;
		float mx = score_row(x + (size_t)i * D + off, y, T, D, off, d, scale, real, row);
		double z = 0;
		for (int j = 0; j < T; j++)
			z += exp((double)(row[j] - mx));
		float lse = mx + (float)log(z);
		for (int j = 0; j < T; j++)
			row[j] -= lse;
	}
}

typedef struct scratch {
	float *x, *q, *k, *v, *ctx, *tmp, *ff, *att;
} scratch;

static void scratch_free(scratch *s)
{
	free(s->x), free(s->q), free(s->k), free(s->v), free(s->ctx), free(s->tmp), free(s->ff), free(s->att);
}

static int scratch_alloc(scratch *s, const ad_config *c, int T)
{
	size_t H = (size_t)c->hidden, D = (size_t)c->heads * (size_t)c->head_size, F = (size_t)c->ffn;
	size_t tt = (size_t)T;
	memset(s, 0, sizeof *s);
	s->x = malloc(tt * H * sizeof(float));
	s->q = malloc(tt * D * sizeof(float));
	s->k = malloc(tt * D * sizeof(float));
	s->v = malloc(tt * D * sizeof(float));
	s->ctx = malloc(tt * D * sizeof(float));
	s->tmp = malloc(tt * (H > D ? H : D) * sizeof(float));
	s->ff = malloc(tt * F * sizeof(float));
	s->att = malloc(tt * tt * sizeof(float));
	if (!s->x || !s->q || !s->k || !s->v || !s->ctx || !s->tmp || !s->ff || !s->att) {
		scratch_free(s);
		return -1;
	}
	return 0;
}

/* One sequence through student `a`: s->x holds the final hidden states
 * [T][h], s->q/k/v the last layer's projections [T][a*dh]. */
static void forward_one(const ad_model *m, const ad_arch *a, const int32_t *ids, int T, const unsigned char *real,
			scratch *s)
{
	const ad_config *c = &m->c;
	int H = c->hidden, h = a->hidden, dh = c->head_size, D = a->heads * dh, Dfull = c->heads * dh, f = a->ffn;
	for (int t = 0; t < T; t++)
		for (int i = 0; i < h; i++)
			s->x[(size_t)t * h + i] = m->tok[(size_t)ids[t] * H + i] + m->pos[(size_t)t * H + i];
	layer_norm(s->x, T, h, m->eln_w, m->eln_b);
	float scale = 1.0f / sqrtf((float)dh);
	for (int li = 0; li < a->depth; li++) {
		const layer *L = &m->l[a->kept[li]];
		linear(s->x, T, h, L->q_w, H, L->q_b, D, s->q);
		linear(s->x, T, h, L->k_w, H, L->k_b, D, s->k);
		linear(s->x, T, h, L->v_w, H, L->v_b, D, s->v);
		for (int hd = 0; hd < a->heads; hd++) {
			int off = hd * dh;
			for (int i = 0; i < T; i++) {
				float *row = s->att + (size_t)i * T;
				float mx = score_row(s->q + (size_t)i * D + off, s->k, T, D, off, dh, scale, real, row);
				float z = 0;
				for (int j = 0; j < T; j++)
					z += row[j] = expf(row[j] - mx);
				float *out = s->ctx + (size_t)i * D + off;
				for (int e = 0; e < dh; e++)
					out[e] = 0;
				for (int j = 0; j < T; j++) {
					float p = row[j] / z;
					const float *vj = s->v + (size_t)j * D + off;
					for (int e = 0; e < dh; e++)
						out[e] += p * vj[e];
				}
			}
		}
		linear(s->ctx, T, D, L->o_w, Dfull, L->o_b, h, s->tmp);
		for (size_t i = 0; i < (size_t)T * (size_t)h; i++)
			s->x[i] += s->tmp[i];
		layer_norm(s->x, T, h, L->ln1_w, L->ln1_b);
		linear(s->x, T, h, L->f1_w, H, L->f1_b, f, s->ff);
		for (size_t i = 0; i < (size_t)T * (size_t)f; i++)
			s->ff[i] = 0.5f * s->ff[i] * (1.0f + erff(s->ff[i] * (float)M_SQRT1_2));
		linear(s->ff, T, f, L->f2_w, c->ffn, L->f2_b, h, s->tmp);
		for (size_t i = 0; i < (size_t)T * (size_t)h; i++)
			s->x[i] += s->tmp[i];
		layer_norm(s->x, T, h, L->ln2_w, L->ln2_b);
	}
}

int ad_distill_loss(const ad_model *teacher, const ad_model *student, const ad_arch *a, const int32_t *ids,
		    int64_t n, int T, int rel_heads, double *loss, char *err, size_t errlen)
{
	ad_arch full = ad_full(&teacher->c);
	int Dt = teacher->c.heads * teacher->c.head_size, Ds = a->heads * student->c.head_size;
	if (rel_heads < 1 || Dt % rel_heads || Ds % rel_heads) {
		snprintf(err, errlen, "%d relation heads do not divide the teacher's %d or the student's %d attention "
				      "dimensions",
			 rel_heads, Dt, Ds);
		return -1;
	}
	if (ad_check(teacher, &full, ids, n, T, err, errlen) || ad_check(student, a, ids, n, T, err, errlen))
		return -1;
	scratch st, ss;
	float *lt = malloc((size_t)T * T * sizeof(float) * 2), *ls = malloc((size_t)T * T * sizeof(float) * 2);
	unsigned char *real = malloc((size_t)T);
	int ok = lt && ls && real;
	if (ok && scratch_alloc(&st, &teacher->c, T) != 0)
		ok = 0;
	else if (ok && scratch_alloc(&ss, &student->c, T) != 0) {
		scratch_free(&st);
		ok = 0;
	}
	if (!ok) {
		free(lt), free(ls), free(real);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	double tot = 0, count = 0;
	int dt = Dt / rel_heads, ds = Ds / rel_heads;
	for (int64_t sq = 0; sq < n; sq++) {
		const int32_t *x = ids + sq * T;
		int nreal = 0;
		for (int t = 0; t < T; t++)
			nreal += real[t] = x[t] != 0;
		if (!nreal)
			continue;
		forward_one(teacher, &full, x, T, real, &st);
		forward_one(student, a, x, T, real, &ss);
		for (int r = 0; r < rel_heads; r++) {
			/* the attention distribution (q, k), then the value relation (v, v) */
			for (int kind = 0; kind < 2; kind++) {
				const float *tx = kind ? st.v : st.q, *ty = kind ? st.v : st.k;
				const float *sx = kind ? ss.v : ss.q, *sy = kind ? ss.v : ss.k;
				log_scores(tx, ty, T, Dt, r * dt, dt, real, lt);
				log_scores(sx, sy, T, Ds, r * ds, ds, real, ls);
				for (int i = 0; i < T; i++) {
					if (!real[i])
						continue;
					double kl = 0;
					for (int j = 0; j < T; j++) {
						float p = expf(lt[(size_t)i * T + j]);
						kl += (double)p * (lt[(size_t)i * T + j] - ls[(size_t)i * T + j]);
					}
					tot += kl;
				}
			}
		}
		count += (double)nreal * rel_heads;
	}
	scratch_free(&st);
	scratch_free(&ss);
	free(lt), free(ls), free(real);
	if (count == 0) {
		snprintf(err, errlen, "the held-out set has no real tokens");
		return -1;
	}
	*loss = tot / count;
	return 0;
}

int ad_probe(const ad_model *m, const ad_arch *a, const int32_t *ids, int64_t n, int T, float *out, char *err,
	     size_t errlen)
{
	if (ad_check(m, a, ids, n, T, err, errlen))
		return -1;
	scratch s;
	unsigned char *real = malloc((size_t)T);
	if (!real || scratch_alloc(&s, &m->c, T) != 0) {
		free(real);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int h = a->hidden;
	for (int64_t sq = 0; sq < n; sq++) {
		const int32_t *x = ids + sq * T;
		int nreal = 0;
		for (int t = 0; t < T; t++)
			nreal += real[t] = x[t] != 0;
		forward_one(m, a, x, T, real, &s);
		float *o = out + (size_t)sq * 2 * (size_t)h;
		for (int i = 0; i < h; i++) {
			double mean = 0;
			for (int t = 0; t < T; t++)
				if (real[t])
					mean += s.x[(size_t)t * h + i];
			o[i] = s.x[i];
			o[h + i] = nreal ? (float)(mean / nreal) : 0.0f;
		}
	}
	scratch_free(&s);
	free(real);
	return 0;
}
