/*
 * arch.c -- see arch.h: shape inference over the layer list, counting as
 * it goes. Bounded: at most 256 layers and 16 saved tensors, and every
 * size is checked before it is multiplied.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"

#define MAX_LAYERS 256
#define MAX_SAVED 16

typedef struct shape {
	int c, h, w;
} shape;

typedef struct saved {
	char name[32];
	shape s;
} saved;

static int resolve_out(const json_t *v, int classes, int keypoints)
{
	if (json_is_integer(v))
		return (int)json_integer_value(v);
	const char *s = json_string_value(v);
	if (!s)
		return -1;
	if (!strcmp(s, "classes"))
		return classes;
	if (!strcmp(s, "classes+4"))
		return classes + 4;
	if (!strcmp(s, "keypoints"))
		return keypoints;
	return -1;
}

static int geti(const json_t *l, const char *k, int dflt)
{
	const json_t *v = json_object_get(l, k);
	return json_is_integer(v) ? (int)json_integer_value(v) : dflt;
}

static int conv_out(int in, int k, int s, int p)
{
	return (in + 2 * p - k) / s + 1;
}

/* A k x k convolution from s to `out` channels; updates s. */
static int conv(shape *s, int out, int k, int stride, int pad, int groups, arch_cost *c)
{
	if (out <= 0 || out > 65536 || k <= 0 || k > 15 || stride <= 0 || stride > 8 || pad < 0 || pad > 8 ||
	    groups <= 0 || s->c % groups || out % groups)
		return -1;
	int ho = conv_out(s->h, k, stride, pad), wo = conv_out(s->w, k, stride, pad);
	if (ho <= 0 || wo <= 0)
		return -1;
	uint64_t per = (uint64_t)(s->c / groups) * (uint64_t)k * (uint64_t)k;
	c->params += per * (uint64_t)out + (uint64_t)out; /* weights and bias */
	c->flops += per * (uint64_t)out * (uint64_t)ho * (uint64_t)wo;
	s->c = out;
	s->h = ho;
	s->w = wo;
	return 0;
}

static void bn(const shape *s, arch_cost *c)
{
	c->params += 2 * (uint64_t)s->c;
}

int arch_count(const json_t *layers, int c, int h, int w, int classes, int keypoints, arch_cost *out, char *err,
	       size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (!json_is_array(layers) || json_array_size(layers) == 0 || json_array_size(layers) > MAX_LAYERS) {
		snprintf(err, errlen, "layers must be a list of 1 to %d layers", MAX_LAYERS);
		return -1;
	}
	if (c <= 0 || h <= 0 || w <= 0 || c > 4096 || h > 8192 || w > 8192) {
		snprintf(err, errlen, "input %dx%dx%d is not a sensible image size", c, h, w);
		return -1;
	}
	shape s = {c, h, w};
	saved sv[MAX_SAVED];
	int nsv = 0;
	size_t i;
	const json_t *l;
	json_array_foreach(layers, i, l)
	{
		const char *op = json_string_value(json_object_get(l, "op"));
		int rc = 0;
		if (!op) {
			rc = -1;
		} else if (!strcmp(op, "conv")) {
			int o = resolve_out(json_object_get(l, "out"), classes, keypoints);
			const json_t *g = json_object_get(l, "groups");
			int groups = json_is_string(g) && !strcmp(json_string_value(g), "in") ? s.c : geti(l, "groups", 1);
			int k = geti(l, "k", 3);
			rc = conv(&s, o, k, geti(l, "stride", 1), geti(l, "pad", k / 2), groups, out);
		} else if (!strcmp(op, "bn")) {
			bn(&s, out);
		} else if (!strcmp(op, "relu") || !strcmp(op, "relu6") || !strcmp(op, "sigmoid")) {
			/* free */
		} else if (!strcmp(op, "maxpool") || !strcmp(op, "avgpool")) {
			int k = geti(l, "k", 2), st = geti(l, "stride", k);
			if (k <= 0 || st <= 0 || s.h < k || s.w < k)
				rc = -1;
			else
				s.h = (s.h - k) / st + 1, s.w = (s.w - k) / st + 1;
		} else if (!strcmp(op, "gap")) {
			s.h = s.w = 1;
		} else if (!strcmp(op, "flatten")) {
			uint64_t n = (uint64_t)s.c * (uint64_t)s.h * (uint64_t)s.w;
			if (n > (1u << 24))
				rc = -1;
			else
				s.c = (int)n, s.h = s.w = 1;
		} else if (!strcmp(op, "linear")) {
			int o = resolve_out(json_object_get(l, "out"), classes, keypoints);
			if (s.h != 1 || s.w != 1 || o <= 0 || o > 65536) {
				rc = -1;
			} else {
				out->params += (uint64_t)s.c * (uint64_t)o + (uint64_t)o;
				out->flops += (uint64_t)s.c * (uint64_t)o;
				s.c = o;
			}
		} else if (!strcmp(op, "ir")) {
			/* MobileNetV2's inverted residual: 1x1 expand, 3x3
			 * depthwise, 1x1 project, each with batch norm (no conv
			 * bias: the norm's shift stands in for it). */
			int o = geti(l, "out", -1), e = geti(l, "expand", 4), st = geti(l, "stride", 1);
			int mid = s.c * e;
			if (o <= 0 || e <= 0 || e > 16 || (st != 1 && st != 2)) {
				rc = -1;
			} else {
				uint64_t hw = (uint64_t)s.h * (uint64_t)s.w;
				out->params += (uint64_t)s.c * (uint64_t)mid + 2 * (uint64_t)mid;
				out->flops += (uint64_t)s.c * (uint64_t)mid * hw;
				int ho = conv_out(s.h, 3, st, 1), wo = conv_out(s.w, 3, st, 1);
				uint64_t hwo = (uint64_t)ho * (uint64_t)wo;
				out->params += 9 * (uint64_t)mid + 2 * (uint64_t)mid;
				out->flops += 9 * (uint64_t)mid * hwo;
				out->params += (uint64_t)mid * (uint64_t)o + 2 * (uint64_t)o;
				out->flops += (uint64_t)mid * (uint64_t)o * hwo;
				s.c = o;
				s.h = ho;
				s.w = wo;
			}
		} else if (!strcmp(op, "up")) {
			if (s.h > 4096 || s.w > 4096)
				rc = -1;
			else
				s.h *= 2, s.w *= 2;
		} else if (!strcmp(op, "save")) {
			const char *n = json_string_value(json_object_get(l, "name"));
			if (!n || nsv == MAX_SAVED || strlen(n) >= sizeof sv[0].name) {
				rc = -1;
			} else {
				snprintf(sv[nsv].name, sizeof sv[nsv].name, "%s", n);
				sv[nsv++].s = s;
			}
		} else if (!strcmp(op, "concat")) {
			const char *n = json_string_value(json_object_get(l, "with"));
			int found = 0;
			for (int k = 0; n && k < nsv && !found; k++)
				if (!strcmp(sv[k].name, n)) {
					found = 1;
					if (sv[k].s.h != s.h || sv[k].s.w != s.w)
						rc = -1;
					else
						s.c += sv[k].s.c;
				}
			if (!found)
				rc = -1;
		} else {
			rc = -1;
		}
		if (rc != 0) {
			char *txt = json_dumps(l, JSON_COMPACT);
			snprintf(err, errlen, "layer %zu %s does not fit a %dx%dx%d input (or is not a layer this zoo knows)",
				 i + 1, txt ? txt : "?", s.c, s.h, s.w);
			free(txt);
			return -1;
		}
	}
	out->out_c = s.c;
	out->out_h = s.h;
	out->out_w = s.w;
	return 0;
}
