/*
 * select.c -- see select.h. A candidate meets the request when each stated
 * limit holds; among those, a model of the family the user named comes
 * first, then the highest prior. Nothing meeting it: every limit is
 * relaxed by 1.2x once (AutoMMLab's relaxation), and the result says so.
 * Still nothing: the request is refused with the nearest miss.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arch.h"
#include "select.h"

#define RELAX 1.2

int select_limits(const json_t *model, limits *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	const json_t *p = json_object_get(model, "parameters"), *f = json_object_get(model, "flops"),
		     *s = json_object_get(model, "speed");
	double pv = json_number_value(json_object_get(p, "value"));
	const char *pu = json_string_value(json_object_get(p, "unit"));
	/* A value with unit "none" is a plain count ("fewer than 500 parameters"). */
	if (pv > 0 && pu) {
		double m = !strcmp(pu, "K") ? 1e3 : !strcmp(pu, "M") ? 1e6 : !strcmp(pu, "B") ? 1e9 : !strcmp(pu, "none") ? 1 : -1;
		if (m < 0) {
			snprintf(err, errlen, "parameters unit '%s' is not K, M or B", pu);
			return -1;
		}
		out->params = pv * m;
	}
	double fv = json_number_value(json_object_get(f, "value"));
	const char *fu = json_string_value(json_object_get(f, "unit"));
	if (fv > 0 && fu) {
		static const struct {
			const char *u;
			double m;
		} fm[] = {{"none", 1}, {"FLOPs", 1}, {"MFLOPs", 1e6}, {"GFLOPs", 1e9}, {"TFLOPs", 1e12}, {"PFLOPs", 1e15}, {"EFLOPs", 1e18}};
		double m = -1;
		for (size_t i = 0; i < sizeof fm / sizeof *fm; i++)
			if (!strcmp(fu, fm[i].u))
				m = fm[i].m;
		if (m < 0) {
			snprintf(err, errlen, "flops unit '%s' is not one of FLOPs, MFLOPs, GFLOPs, TFLOPs", fu);
			return -1;
		}
		out->flops = fv * m;
	}
	double sv = json_number_value(json_object_get(s, "value"));
	const char *su = json_string_value(json_object_get(s, "unit"));
	if (sv > 0 && su && strcmp(su, "none")) {
		if (!strcmp(su, "fps"))
			out->latency_ms = 1000.0 / sv;
		else if (!strcmp(su, "ms"))
			out->latency_ms = sv;
		else if (!strcmp(su, "s"))
			out->latency_ms = sv * 1000.0;
		else if (!strcmp(su, "min"))
			out->latency_ms = sv * 60000.0;
		else if (!strcmp(su, "h"))
			out->latency_ms = sv * 3600000.0;
		else {
			snprintf(err, errlen, "speed unit '%s' is not fps, ms, s, min or h", su);
			return -1;
		}
	}
	return 0;
}

/* How far over its limits a model is: the largest ratio, <= 1 when it meets them. */
static double over(const limits *l, double params, double flops, double lat)
{
	double r = 0;
	if (l->params > 0)
		r = fmax(r, params / l->params);
	if (l->flops > 0)
		r = fmax(r, flops / l->flops);
	if (l->latency_ms > 0)
		r = fmax(r, lat / l->latency_ms);
	return r;
}

/* "mobilenet" names mobilenet-t; "u-net" the U-Nets; "hrnet" no zoo model. */
static int names_family(const char *specific, const char *name, const char *family)
{
	if (!specific || !*specific || !strcasecmp(specific, "none"))
		return 0;
	char want[64];
	size_t k = 0;
	for (const char *p = specific; *p && k + 1 < sizeof want; p++)
		if (*p != '-' && *p != ' ' && *p != '_')
			want[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	want[k] = '\0';
	const char *hay[2] = {name, family};
	for (int i = 0; i < 2; i++) {
		char h[64];
		size_t n = 0;
		for (const char *p = hay[i]; p && *p && n + 1 < sizeof h; p++)
			if (*p != '-' && *p != ' ' && *p != '_')
				h[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		h[n] = '\0';
		if (k >= 3 && strstr(h, want))
			return 1;
	}
	return 0;
}

json_t *select_model(const json_t *candidates, const limits *lim, const char *specific, int c, int h, int w,
		     int classes, int keypoints, char *err, size_t errlen)
{
	size_t n = json_array_size(candidates);
	if (!n) {
		snprintf(err, errlen, "the zoo has no model for this task");
		return NULL;
	}
	json_t *table = json_array();
	double ratio[256];
	if (n > 256)
		n = 256;
	for (size_t i = 0; i < n; i++) {
		const json_t *m = json_array_get(candidates, i);
		const char *name = json_string_value(json_object_get(m, "name"));
		arch_cost cost;
		char aerr[256];
		if (!name || arch_count(json_object_get(m, "layers"), c, h, w, classes, keypoints, &cost, aerr,
					sizeof aerr) != 0) {
			snprintf(err, errlen, "zoo model %s: %s", name ? name : "#?", name ? aerr : "no name");
			json_decref(table);
			return NULL;
		}
		double lat = json_number_value(json_object_get(m, "latency_ms"));
		ratio[i] = over(lim, (double)cost.params, (double)cost.flops, lat);
		json_array_append_new(
			table, json_pack("{s:s,s:s,s:f,s:I,s:I,s:f,s:b,s:b}", "name", name, "family",
					 json_string_value(json_object_get(m, "family")) ? json_string_value(json_object_get(m, "family")) : "",
					 "prior", json_number_value(json_object_get(m, "prior")), "params",
					 (json_int_t)cost.params, "flops", (json_int_t)cost.flops, "latency_ms", lat, "meets",
					 ratio[i] <= 1.0, "named", names_family(specific, name, json_string_value(json_object_get(m, "family")))));
	}
	int relaxed = 0;
	long best = -1;
	for (int pass = 0; pass < 2 && best < 0; pass++) {
		double cap = pass ? RELAX : 1.0;
		for (size_t i = 0; i < n; i++) {
			if (ratio[i] > cap)
				continue;
			const json_t *t = json_array_get(table, i), *b = best >= 0 ? json_array_get(table, (size_t)best) : NULL;
			int named = json_is_true(json_object_get(t, "named"));
			int bnamed = b && json_is_true(json_object_get(b, "named"));
			if (!b || named > bnamed ||
			    (named == bnamed && json_number_value(json_object_get(t, "prior")) >
						       json_number_value(json_object_get(b, "prior"))))
				best = (long)i;
		}
		relaxed = pass && best >= 0;
	}
	if (best < 0) {
		size_t near = 0;
		for (size_t i = 1; i < n; i++)
			if (ratio[i] < ratio[near])
				near = i;
		const json_t *t = json_array_get(table, near);
		snprintf(err, errlen,
			 "no model in the zoo meets the request, even with every limit relaxed by %.1fx: the nearest, %s "
			 "(%lld params, %.3g MFLOPs, %.3g ms), is %.1fx over the limits (params %.0f, FLOPs %.0f, "
			 "latency %.3g ms; 0 = none); ask for less, or add a smaller model to the zoo",
			 RELAX, json_string_value(json_object_get(t, "name")),
			 (long long)json_integer_value(json_object_get(t, "params")),
			 (double)json_integer_value(json_object_get(t, "flops")) / 1e6,
			 json_number_value(json_object_get(t, "latency_ms")), ratio[near], lim->params, lim->flops,
			 lim->latency_ms);
		json_decref(table);
		return NULL;
	}
	const json_t *chosen = json_array_get(candidates, (size_t)best), *row = json_array_get(table, (size_t)best);
	char why[512];
	int named = json_is_true(json_object_get(row, "named"));
	snprintf(why, sizeof why, "%s%s: %s the stated limits%s, highest prior (%.2f) among those that do%s",
		 json_string_value(json_object_get(row, "name")), named ? " (the family the request named)" : "",
		 relaxed ? "meets, relaxed by 1.2x," : "meets", relaxed ? " (no model met them as stated)" : "",
		 json_number_value(json_object_get(row, "prior")),
		 specific && strcasecmp(specific, "none") && !named ? "; the model the request named is not in the zoo" : "");
	json_t *out = json_pack("{s:O,s:b,s:o,s:s,s:I,s:I,s:f}", "chosen", chosen, "relaxed", relaxed, "table", table,
				"why", why, "params", json_integer_value(json_object_get(row, "params")), "flops",
				json_integer_value(json_object_get(row, "flops")), "latency_ms",
				json_number_value(json_object_get(row, "latency_ms")));
	return out;
}
