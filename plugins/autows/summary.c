/*
 * summary.c -- see summary.h.
 */
#define _GNU_SOURCE
#include "summary.h"
#include "pipeline.h"
#include "textout.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static double num(const json_t *o, const char *a, const char *k)
{
	const json_t *v = json_object_get(a ? json_object_get(o, a) : o, k);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

typedef struct lfrow {
	const json_t *eval, *def;
	double acc;
} lfrow;

static int by_accuracy(const void *a, const void *b)
{
	double x = ((const lfrow *)a)->acc, y = ((const lfrow *)b)->acc;
	return (x < y) - (x > y); /* best first */
}

char *aws_summary_markdown(const char *const *names, const json_t *const *reports, size_t n, const json_t *lfs)
{
	for (size_t i = 0; i < n; i++) {
		const char *f = json_string_value(json_object_get(reports[i], "format"));
		if (!f || strcmp(f, "autows-report/1"))
			return NULL;
	}
	wtext b = {0};
	size_t helped = 0;
	/* the label model AutoWS answers with: chosen by the CV on the labels */
	double *cv = calloc(n ? 2 * n : 1, sizeof *cv);
	if (!cv)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const json_t *cb = json_object_get(reports[i], "cv_brier");
		cv[i] = json_is_number(cb) ? json_number_value(cb) : -1;
		cv[n + i] = num(reports[i], NULL, "cv_accuracy");
		helped += json_is_true(json_object_get(reports[i], "autows_helped"));
	}
	size_t best = aws_pick_label_model(cv, cv + n, n);
	free(cv);
	const json_t *defs = json_object_get(lfs, "lfs");
	wtext_printf(&b, "# AutoWS: %zu labelling function%s, %zu label model%s\n\n", json_array_size(defs),
	    json_array_size(defs) == 1 ? "" : "s", n, n == 1 ? "" : "s");
	if (n) {
		double base = num(reports[best], "supervised_baseline", "accuracy");
		double gain = num(reports[best], "autows", "accuracy") - base;
		wtext_printf(&b, "**%s.** AutoWS's answer (label model %s, chosen by cross-validation on the labels) reaches "
			"test accuracy %.4f against %.4f for logistic regression trained on the labeled rows alone (%+.4f). "
			"Weak supervision helped with %zu of %zu label models.\n\n",
		    gain > 0 ? "Weak supervision helped" : "Weak supervision did not help", names[best],
		    num(reports[best], "autows", "accuracy"), base, gain, helped, n);
		wtext_printf(&b, "Against the semi-supervised baselines on the same labels and unlabeled rows: label spreading "
			"%.4f, self-training %.4f; AutoWS %s all three baselines.\n\n",
		    num(reports[best], "label_spreading", "accuracy"), num(reports[best], "self_training", "accuracy"),
		    json_is_true(json_object_get(reports[best], "beats_all_baselines")) ? "beats" : "does not beat");
	}
	wtext_printf(&b, "## Label models (test set)\n\n| label model | CV Brier (labels) | CV accuracy (labels) | end model | label model accuracy | end model accuracy | end model macro-F1 "
		"| supervised baseline accuracy | gain | test coverage |\n|---|---:|---:|---|---:|---:|---:|---:|---:|---:|\n");
	for (size_t i = 0; i < n; i++) {
		const json_t *r = reports[i];
		const json_t *cb = json_object_get(r, "cv_brier");
		char brier[32] = "-"; /* a kind asked by name has no CV */
		if (json_is_number(cb))
			snprintf(brier, sizeof brier, "%.4f", json_number_value(cb));
		/* the heaviest member of auto's weighted mean, and how many more */
		const json_t *em = json_object_get(r, "end_model");
		char end[96];
		size_t more = json_array_size(json_object_get(em, "mean_with"));
		const char *kind = json_string_value(json_object_get(em, "kind")) ?: "?";
		if (more)
			snprintf(end, sizeof end, "%s (weight %.2f) + %zu more", kind, num(em, NULL, "weight"), more);
		else
			snprintf(end, sizeof end, "%s", kind);
		wtext_printf(&b, "| %s%s | %s | %.4f | %s | %.4f | %.4f | %.4f | %.4f | %+.4f | %.3f |\n", names[i],
		    i == best ? " (chosen)" : "", brier, num(r, NULL, "cv_accuracy"), end,
		    num(r, "label_model", "accuracy"), num(r, "autows", "accuracy"), num(r, "autows", "macro_f1"),
		    num(r, "supervised_baseline", "accuracy"), num(r, NULL, "accuracy_gain"), num(r, NULL, "test_coverage"));
	}
	/* the LFs, best first by test accuracy (the best model's report has
	 * the same LFs as every other) */
	const json_t *evals = n ? json_object_get(reports[best], "lfs") : NULL;
	size_t nl = json_array_size(evals);
	lfrow *rows = nl ? calloc(nl, sizeof *rows) : NULL;
	if (nl && !rows) {
		free(wtext_take(&b));
		return NULL;
	}
	for (size_t i = 0; i < nl; i++) {
		rows[i].eval = json_array_get(evals, i);
		rows[i].acc = num(rows[i].eval, NULL, "accuracy");
		json_int_t id = json_integer_value(json_object_get(rows[i].eval, "lf"));
		for (size_t k = 0; k < json_array_size(defs); k++)
			if (json_integer_value(json_object_get(json_array_get(defs, k), "id")) == id)
				rows[i].def = json_array_get(defs, k);
	}
	if (nl)
		qsort(rows, nl, sizeof *rows, by_accuracy);
	wtext_printf(&b, "\n## Labelling functions, best first (test set)\n\n| LF | family | votes for | features | coverage | "
		"conflict | accuracy |\n|---:|---|---|---|---:|---:|---:|\n");
	for (size_t i = 0; i < nl; i++) {
		const json_t *d = rows[i].def, *feats = json_object_get(d, "features");
		wtext_printf(&b, "| %lld | %s | %s | ", (long long)json_integer_value(json_object_get(rows[i].eval, "lf")),
		    json_string_value(json_object_get(d, "family")) ?: "?", json_string_value(json_object_get(d, "class")) ?: "?");
		for (size_t k = 0; k < json_array_size(feats); k++)
			wtext_printf(&b, "%s%s", k ? ", " : "", json_string_value(json_array_get(feats, k)) ?: "?");
		wtext_printf(&b, " | %.3f | %.3f | %.3f |\n", num(rows[i].eval, NULL, "coverage"), num(rows[i].eval, NULL, "conflict"),
		    rows[i].acc);
	}
	free(rows);
	wtext_printf(&b, "\nEach label model's files are under its own directory (probs.csv, model.json, report.json); the LFs "
		"are lfs.json, their votes labels.npy.\n");
	return wtext_take(&b);
}
