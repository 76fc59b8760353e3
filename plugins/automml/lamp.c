/*
 * lamp.c -- see lamp.h. One departure from val1_ru.py: object names are
 * compared by whether one contains the other after lower-casing and
 * joining words with '_' (its thefuzz partial_ratio >= 95 comes to that
 * for names of a word or two), so no fuzzy-matching library is needed.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lamp.h"
#include "parse.h"

const char *const lamp_field_names[LAMP_N_FIELDS] = {
	"format", "data_object", "model_task", "model_specific", "model_speed",
	"model_flops", "model_params", "model_metric", "deploy_gpu", "deploy_engine"};

static void norm(const char *s, char *out, size_t n)
{
	size_t k = 0;
	for (; s && *s && k + 1 < n; s++)
		out[k++] = *s == ' ' ? '_' : (char)tolower((unsigned char)*s);
	out[k] = '\0';
}

static int same_name(const char *a, const char *b)
{
	char x[128], y[128];
	norm(a, x, sizeof x);
	norm(b, y, sizeof y);
	return strstr(x, y) || strstr(y, x);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int objects_ok(const json_t *p, const json_t *g)
{
	size_t n = json_array_size(p);
	if (n != json_array_size(g) || n > 64)
		return 0;
	const char *a[64], *b[64];
	for (size_t i = 0; i < n; i++) {
		a[i] = json_string_value(json_array_get(p, i));
		b[i] = json_string_value(json_array_get(g, i));
		if (!a[i] || !b[i])
			return 0;
	}
	qsort(a, n, sizeof *a, cmp_str);
	qsort(b, n, sizeof *b, cmp_str);
	for (size_t i = 0; i < n; i++)
		if (!same_name(a[i], b[i]))
			return 0;
	return 1;
}

static int num_eq(const json_t *a, const json_t *b)
{
	return json_is_number(a) && json_is_number(b) && fabs(json_number_value(a) - json_number_value(b)) < 1e-9;
}

static int vu_ok(const json_t *p, const json_t *g)
{
	const char *pu = json_string_value(json_object_get(p, "unit"));
	const char *gu = json_string_value(json_object_get(g, "unit"));
	return pu && gu && !strcmp(pu, gu) && num_eq(json_object_get(p, "value"), json_object_get(g, "value"));
}

typedef struct named {
	char name[64];
	double value;
} named;

static int cmp_named(const void *a, const void *b)
{
	return strcmp(((const named *)a)->name, ((const named *)b)->name);
}

static int metrics_ok(const json_t *p, const json_t *g)
{
	size_t n = json_array_size(p);
	if (n != json_array_size(g) || n > 32)
		return 0;
	named a[32], b[32];
	for (size_t i = 0; i < n; i++) {
		const json_t *x = json_array_get(p, i), *y = json_array_get(g, i);
		if (!json_is_number(json_object_get(x, "value")) || !json_is_number(json_object_get(y, "value")))
			return 0;
		automml_metric_canon(json_string_value(json_object_get(x, "name")), a[i].name, sizeof a[i].name);
		automml_metric_canon(json_string_value(json_object_get(y, "name")), b[i].name, sizeof b[i].name);
		a[i].value = json_number_value(json_object_get(x, "value"));
		b[i].value = json_number_value(json_object_get(y, "value"));
	}
	qsort(a, n, sizeof *a, cmp_named);
	qsort(b, n, sizeof *b, cmp_named);
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i].name, b[i].name) || fabs(a[i].value - b[i].value) > 1e-9)
			return 0;
	return 1;
}

static int str_field_ok(const json_t *p, const json_t *g, const char *k, int fold)
{
	const char *a = json_string_value(json_object_get(p, k)), *b = json_string_value(json_object_get(g, k));
	if (!a || !b)
		return 0;
	if (fold && !strcmp(a, "not specified"))
		a = "none";
	return fold ? !strcasecmp(a, b) : !strcmp(a, b);
}

void lamp_score(const json_t *pred, const json_t *gold, int ok[LAMP_N_FIELDS])
{
	memset(ok, 0, LAMP_N_FIELDS * sizeof *ok);
	const json_t *pd = json_object_get(pred, "data"), *pm = json_object_get(pred, "model");
	const json_t *gd = json_object_get(gold, "data"), *gm = json_object_get(gold, "model");
	if (!json_is_array(json_object_get(pd, "object")) || !json_is_string(json_object_get(pm, "task")))
		return;
	ok[LAMP_FORMAT] = 1;
	ok[LAMP_DATA_OBJECT] = objects_ok(json_object_get(pd, "object"), json_object_get(gd, "object"));
	ok[LAMP_MODEL_TASK] = str_field_ok(pm, gm, "task", 0);
	ok[LAMP_MODEL_SPECIFIC] = str_field_ok(pm, gm, "specific_model", 1);
	ok[LAMP_MODEL_SPEED] = vu_ok(json_object_get(pm, "speed"), json_object_get(gm, "speed"));
	ok[LAMP_MODEL_FLOPS] = vu_ok(json_object_get(pm, "flops"), json_object_get(gm, "flops"));
	ok[LAMP_MODEL_PARAMS] = vu_ok(json_object_get(pm, "parameters"), json_object_get(gm, "parameters"));
	ok[LAMP_MODEL_METRIC] = metrics_ok(json_object_get(pm, "metrics"), json_object_get(gm, "metrics"));
	const json_t *pp = json_object_get(pred, "deploy"), *gp = json_object_get(gold, "deploy");
	ok[LAMP_DEPLOY_GPU] = str_field_ok(pp, gp, "gpu", 0);
	ok[LAMP_DEPLOY_ENGINE] = str_field_ok(pp, gp, "inference engine", 0);
}
