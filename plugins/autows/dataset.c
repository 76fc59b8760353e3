/*
 * dataset.c -- reading, splitting and storing datasets (see dataset.h).
 * Every malformed input is refused with the file, the line or row, and
 * what to change: NaN or text in a feature, row counts that differ, a
 * class that no labeled row shows, fewer labels than classes.
 */
#define _GNU_SOURCE
#include "dataset.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csv.h"
#include "npy.h"
#include "rng.h"

void aws_data_free(aws_data *D)
{
	for (size_t c = 0; D->classes && c < D->k; c++)
		free(D->classes[c]);
	for (size_t f = 0; D->features && f < D->d; f++)
		free(D->features[f]);
	free(D->classes);
	free(D->features);
	free(D->units);
	free(D->X);
	free(D->y);
	free(D->split);
	memset(D, 0, sizeof *D);
}

static int alloc_data(aws_data *D, size_t n, size_t d)
{
	D->n = n, D->d = d;
	D->X = malloc((n * d != 0 ? n * d : 1) * sizeof *D->X);
	D->y = malloc((n ? n : 1) * sizeof *D->y);
	D->split = calloc(n ? n : 1, sizeof *D->split);
	D->features = calloc(d ? d : 1, sizeof *D->features);
	return D->X && D->y && D->split && D->features ? 0 : -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Class names: the distinct label texts, sorted, numeric ones by value. */
static int collect_classes(aws_data *D, const wcsv *t, size_t lc)
{
	char **names = NULL;
	size_t k = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		const char *v = wcsv_cell(t, r, lc);
		if (!v)
			continue;
		size_t c = 0;
		while (c < k && strcmp(names[c], v))
			c++;
		if (c < k)
			continue;
		char **nn = realloc(names, (k + 1) * sizeof *nn);
		if (!nn)
			goto oom;
		names = nn;
		if (!(names[k] = strdup(v)))
			goto oom;
		k++;
	}
	if (k) /* qsort must not be handed NULL, even for no elements */
		qsort(names, k, sizeof *names, cmp_str);
	D->classes = names;
	D->k = k;
	return 0;
oom:
	for (size_t c = 0; c < k; c++)
		free(names[c]);
	free(names);
	return -1;
}

/* The split a CSV cell gives: labeled, unlabeled or test (or 1, 0, 2). */
static int split_of(const char *v)
{
	if (!v)
		return -1;
	if (!strcasecmp(v, "labeled") || !strcasecmp(v, "labelled") || !strcmp(v, "1"))
		return AWS_LABELED;
	if (!strcasecmp(v, "unlabeled") || !strcasecmp(v, "unlabelled") || !strcmp(v, "0"))
		return AWS_UNLABELED;
	if (!strcasecmp(v, "test") || !strcmp(v, "2"))
		return AWS_TEST;
	return -1;
}

int aws_data_read_csv(aws_data *out, const char *path, const char *name, const char *label, char *err,
		      size_t errlen)
{
	return aws_data_read_csv_split(out, path, name, label, NULL, err, errlen);
}

int aws_data_read_csv_split(aws_data *out, const char *path, const char *name, const char *label,
			    const char *split_col, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	wcsv t;
	if (wcsv_read(&t, path, name, err, errlen) != 0)
		return -1;
	size_t lc = t.ncols, sc = t.ncols;
	for (size_t c = 0; c < t.ncols; c++) {
		if (strcmp(t.names[c], label) == 0)
			lc = c;
		else if (split_col && *split_col && strcmp(t.names[c], split_col) == 0)
			sc = c;
	}
	int rc = -1;
	if (lc == t.ncols) {
		snprintf(err, errlen, "%s: no column named '%s'; name the label column with the label parameter", name,
			 label);
		goto done;
	}
	if (split_col && *split_col && sc == t.ncols) {
		snprintf(err, errlen, "%s: no column named '%s' to take the split from; add it (labeled, unlabeled or "
				      "test per row) or leave split empty for a random split",
			 name, split_col);
		goto done;
	}
	size_t nfeat = t.ncols - 1 - (sc < t.ncols);
	if (nfeat < 1) {
		snprintf(err, errlen, "%s: no feature columns besides '%s'", name, label);
		goto done;
	}
	if (alloc_data(out, t.nrows, nfeat) != 0 || collect_classes(out, &t, lc) != 0)
		goto oom;
	for (size_t c = 0, f = 0; c < t.ncols; c++)
		if (c != lc && c != sc && !(out->features[f++] = strdup(t.names[c])))
			goto oom;
	for (size_t r = 0; r < t.nrows; r++) {
		if (sc < t.ncols) {
			const char *v = wcsv_cell(&t, r, sc);
			int sp = split_of(v);
			if (sp < 0) {
				snprintf(err, errlen, "%s:%zu: split '%s' is '%s'; write labeled, unlabeled or test", name,
					 r + 2, split_col, v ? v : "");
				goto done;
			}
			out->split[r] = sp;
		}
		for (size_t c = 0, f = 0; c < t.ncols; c++) {
			if (c == lc || c == sc)
				continue;
			const char *v = wcsv_cell(&t, r, c);
			char *end = NULL;
			double x = v ? strtod(v, &end) : NAN;
			/* The header is line 1; multi-line quoted cells are rare in
			 * numeric data, so row r + 2 is the line. */
			if (!v || *end || !isfinite(x)) {
				snprintf(err, errlen,
					 "%s:%zu: feature '%s' is %s%s%s; features must be finite numbers (impute or drop "
					 "the row)",
					 name, r + 2, t.names[c], v ? "'" : "missing", v ? v : "", v ? "'" : "");
				goto done;
			}
			out->X[r * out->d + f++] = x;
		}
		const char *lv = wcsv_cell(&t, r, lc);
		out->y[r] = -1;
		for (size_t k = 0; lv && k < out->k; k++)
			if (strcmp(out->classes[k], lv) == 0)
				out->y[r] = (int32_t)k;
	}
	rc = 0;
	goto done;
oom:
	snprintf(err, errlen, "%s: out of memory", name);
done:
	wcsv_free(&t);
	if (rc != 0)
		aws_data_free(out);
	return rc;
}

int aws_data_read_npy(aws_data *out, const char *xpath, const char *ypath, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	wnpy X, Y;
	if (wnpy_read(&X, xpath, "X.npy", err, errlen) != 0)
		return -1;
	if (wnpy_read(&Y, ypath, "y.npy", err, errlen) != 0) {
		wnpy_free(&X);
		return -1;
	}
	int rc = -1;
	if (Y.rows != X.rows || Y.cols != 1) {
		snprintf(err, errlen, "X.npy has %zu rows but y.npy has %zu%s; they must describe the same rows", X.rows,
			 Y.rows, Y.cols != 1 ? " and more than one column" : "");
		goto done;
	}
	if (alloc_data(out, X.rows, X.cols) != 0)
		goto oom;
	int32_t maxy = -1;
	for (size_t i = 0; i < X.rows * X.cols; i++) {
		if (!isfinite(X.data[i])) {
			snprintf(err, errlen, "X.npy: row %zu, column %zu is not finite (NaN or inf); impute or drop it",
				 i / X.cols, i % X.cols);
			goto done;
		}
		out->X[i] = X.data[i];
	}
	for (size_t i = 0; i < Y.rows; i++) {
		double v = Y.data[i];
		if (isnan(v) || (v >= 0 && v != floor(v)) || v > 255) {
			snprintf(err, errlen, "y.npy: row %zu is %g; labels are class numbers 0..255, negative for unknown", i,
				 v);
			goto done;
		}
		out->y[i] = v < 0 ? -1 : (int32_t)v;
		maxy = out->y[i] > maxy ? out->y[i] : maxy;
	}
	/* The classes are the values present, in order, named by their
	 * value: labels 1..10, or with gaps, are as good as 0..k-1. */
	int32_t map[256];
	for (int v = 0; v < 256; v++)
		map[v] = -1;
	for (size_t i = 0; i < Y.rows; i++)
		if (out->y[i] >= 0)
			map[out->y[i]] = 0;
	out->k = 0;
	for (int v = 0; v <= maxy; v++)
		if (map[v] == 0)
			map[v] = (int32_t)out->k++;
	if (!(out->classes = calloc(out->k ? out->k : 1, sizeof *out->classes)))
		goto oom;
	for (int v = 0; v <= maxy; v++)
		if (map[v] >= 0 && asprintf(&out->classes[map[v]], "%d", v) < 0)
			goto oom;
	for (size_t i = 0; i < Y.rows; i++)
		if (out->y[i] >= 0)
			out->y[i] = map[out->y[i]];
	for (size_t f = 0; f < out->d; f++)
		if (asprintf(&out->features[f], "x%zu", f) < 0)
			goto oom;
	rc = 0;
	goto done;
oom:
	snprintf(err, errlen, "out of memory");
done:
	wnpy_free(&X);
	wnpy_free(&Y);
	if (rc != 0)
		aws_data_free(out);
	return rc;
}

int aws_data_read_split_npy(aws_data *D, const char *path, char *err, size_t errlen)
{
	wnpy S;
	if (wnpy_read(&S, path, path, err, errlen) != 0)
		return -1;
	int rc = 0;
	if (S.rows != D->n || S.cols != 1) {
		snprintf(err, errlen, "%s has %zu rows but the data %zu; one split value (0, 1 or 2) per row", path,
			 S.rows, D->n);
		rc = -1;
	}
	for (size_t i = 0; rc == 0 && i < D->n; i++) {
		double v = S.data[i];
		if (v != 0 && v != 1 && v != 2) {
			snprintf(err, errlen, "%s: row %zu is %g; write 0 (unlabeled), 1 (labeled) or 2 (test)", path, i, v);
			rc = -1;
		} else {
			D->split[i] = (int32_t)v;
		}
	}
	wnpy_free(&S);
	return rc;
}

/* "class 'x' (3 rows), ..." for messages about what was found. */
static void list_classes(const aws_data *D, const size_t *count, char *out, size_t outlen)
{
	size_t at = 0;
	out[0] = '\0';
	for (size_t c = 0; c < D->k && at + 1 < outlen; c++) {
		int w = snprintf(out + at, outlen - at, "%s'%s' (%zu)", c ? ", " : "", D->classes[c], count[c]);
		if (w < 0)
			break;
		at += (size_t)w;
	}
}

static int check_labeled(const aws_data *D, size_t nlab, char *err, size_t errlen)
{
	size_t *seen = calloc(D->k, sizeof *seen);
	if (!seen) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < D->n; i++)
		if (D->split[i] == AWS_LABELED && D->y[i] >= 0)
			seen[D->y[i]]++;
	int rc = 0;
	for (size_t c = 0; c < D->k && rc == 0; c++)
		if (!seen[c]) {
			char found[512];
			list_classes(D, seen, found, sizeof found);
			snprintf(err, errlen,
				 "class '%s' has no row among the %zu labeled ones (labeled rows per class: %s); every "
				 "class needs at least one labeled row",
				 D->classes[c], nlab, found);
			rc = -1;
		}
	free(seen);
	return rc;
}

int aws_data_split_given(aws_data *D, char *err, size_t errlen)
{
	size_t nlab = 0, ntest = 0;
	for (size_t i = 0; i < D->n; i++) {
		if ((D->split[i] == AWS_LABELED || D->split[i] == AWS_TEST) && D->y[i] < 0) {
			snprintf(err, errlen, "row %zu is %s but has no label; give it one or make it unlabeled", i + 1,
				 D->split[i] == AWS_TEST ? "a test row" : "labeled");
			return -1;
		}
		nlab += D->split[i] == AWS_LABELED;
		ntest += D->split[i] == AWS_TEST;
	}
	if (D->k < 2 || nlab < D->k) {
		snprintf(err, errlen, "the given split has %zu labeled rows for %zu classes; each class needs one", nlab,
			 D->k);
		return -1;
	}
	(void)ntest;
	return check_labeled(D, nlab, err, errlen);
}

int aws_data_split(aws_data *D, size_t n_labels, double test_share, uint64_t seed, char *err, size_t errlen)
{
	if (D->k < 2) {
		snprintf(err, errlen, "the labels name %zu class%s; weak supervision needs at least 2", D->k,
			 D->k == 1 ? "" : "es");
		return -1;
	}
	if (n_labels < D->k) {
		snprintf(err, errlen, "%zu labels cannot cover %zu classes; use at least one label per class", n_labels,
			 D->k);
		return -1;
	}
	size_t *gold = malloc((D->n ? D->n : 1) * sizeof *gold), ng = 0;
	size_t *avail = calloc(D->k, sizeof *avail), *quota = calloc(D->k, sizeof *quota);
	if (!gold || !avail || !quota) {
		free(gold), free(avail), free(quota);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < D->n; i++) {
		D->split[i] = AWS_UNLABELED;
		if (D->y[i] >= 0)
			gold[ng++] = i;
	}
	uint64_t s = seed;
	for (size_t i = ng; i > 1; i--) { /* Fisher-Yates */
		size_t j = (size_t)(wrng_splitmix(&s) % i), x = gold[i - 1];
		gold[i - 1] = gold[j];
		gold[j] = x;
	}
	size_t ntest = (size_t)(test_share * (double)ng);
	int rc = 0;
	if (ntest + n_labels > ng) {
		snprintf(err, errlen, "%zu rows have gold labels: too few for %zu labels plus a test share of %.2f", ng,
			 n_labels, test_share);
		rc = -1;
		goto done;
	}
	for (size_t i = 0; i < ntest; i++)
		D->split[gold[i]] = AWS_TEST;
	for (size_t i = ntest; i < ng; i++)
		avail[D->y[gold[i]]]++;
	/* Stratified: each class gets its share of the labels (largest
	 * remainders), and at least one while it has a row, so a rare class
	 * is not left out by chance. */
	size_t rest = ng - ntest, given = 0;
	double *rem = calloc(D->k, sizeof *rem);
	if (!rem) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
		goto done;
	}
	for (size_t c = 0; c < D->k; c++) {
		double want = (double)n_labels * (double)avail[c] / (double)rest;
		quota[c] = (size_t)want;
		if (quota[c] == 0 && avail[c] > 0)
			quota[c] = 1;
		if (quota[c] > avail[c])
			quota[c] = avail[c];
		rem[c] = want - (double)quota[c];
		given += quota[c];
	}
	while (given < n_labels) { /* hand out the rest by largest remainder */
		size_t best = D->k;
		for (size_t c = 0; c < D->k; c++)
			if (quota[c] < avail[c] && (best == D->k || rem[c] > rem[best]))
				best = c;
		if (best == D->k)
			break;
		quota[best]++, rem[best] -= 1, given++;
	}
	while (given > n_labels) { /* too many ones: take from the largest */
		size_t best = 0;
		for (size_t c = 1; c < D->k; c++)
			if (quota[c] > quota[best])
				best = c;
		quota[best]--, given--;
	}
	free(rem);
	for (size_t i = ntest; i < ng; i++) {
		size_t c = (size_t)D->y[gold[i]];
		if (quota[c]) {
			D->split[gold[i]] = AWS_LABELED;
			quota[c]--;
		}
	}
	rc = check_labeled(D, n_labels, err, errlen);
	if (rc != 0) {
		/* name what the data holds: a class whose every row went to test */
		char found[512];
		list_classes(D, avail, found, sizeof found);
		size_t l = strlen(err);
		snprintf(err + l, errlen - l, "; outside the test rows the data has %s", found);
	}
done:
	free(gold), free(avail), free(quota);
	return rc;
}

size_t aws_data_rows(const aws_data *D, int split, size_t **idx)
{
	size_t n = 0;
	*idx = malloc((D->n ? D->n : 1) * sizeof **idx);
	if (!*idx)
		return 0;
	for (size_t i = 0; i < D->n; i++)
		if (D->split[i] == split)
			(*idx)[n++] = i;
	return n;
}

static json_t *str_array(char **v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

int aws_data_save(const aws_data *D, const char *dir, char *err, size_t errlen)
{
	char p[4096];
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(p, sizeof p, "%s/X.npy", dir);
	if (wnpy_write_f8(p, D->X, D->n, D->d, 2, err, errlen) != 0)
		return -1;
	snprintf(p, sizeof p, "%s/y.npy", dir);
	if (wnpy_write_i4(p, D->y, D->n, err, errlen) != 0)
		return -1;
	snprintf(p, sizeof p, "%s/split.npy", dir);
	if (wnpy_write_i4(p, D->split, D->n, err, errlen) != 0)
		return -1;
	snprintf(p, sizeof p, "%s/meta.json", dir);
	json_t *m = json_pack("{s:s, s:o, s:o}", "format", "autows-dataset/1", "classes", str_array(D->classes, D->k),
			      "features", str_array(D->features, D->d));
	if (m && D->units) { /* jansson writes 17 significant digits: the same doubles come back */
		json_t *u = json_array();
		for (size_t j = 0; u && j < D->d; j++)
			if (json_array_append_new(u, json_real(D->units[j])) != 0)
				json_decref(u), u = NULL;
		if (!u || json_object_set_new(m, "units", u) != 0)
			json_decref(m), m = NULL;
	}
	int rc = m ? json_dump_file(m, p, JSON_INDENT(1)) : -1;
	json_decref(m);
	if (rc != 0)
		snprintf(err, errlen, "cannot write %s", p);
	return rc ? -1 : 0;
}

static int read_names(char ***out, size_t *n, const json_t *a)
{
	*n = json_array_size(a);
	if (!(*out = calloc(*n ? *n : 1, sizeof **out)))
		return -1;
	for (size_t i = 0; i < *n; i++) {
		const char *s = json_string_value(json_array_get(a, i));
		if (!s || !((*out)[i] = strdup(s)))
			return -1;
	}
	return 0;
}

int aws_data_load(aws_data *out, const char *dir, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	char p[4096];
	snprintf(p, sizeof p, "%s/meta.json", dir);
	json_error_t je;
	json_t *m = json_load_file(p, 0, &je);
	const char *fmt = m ? json_string_value(json_object_get(m, "format")) : NULL;
	if (!fmt || strcmp(fmt, "autows-dataset/1") != 0) {
		json_decref(m);
		snprintf(err, errlen, "not an autows dataset (meta.json with format autows-dataset/1); make it with "
			 "autows.load");
		return -1;
	}
	wnpy X = {0}, Y = {0}, S = {0};
	char **names = NULL;
	size_t nf = 0;
	int rc = -1;
	snprintf(p, sizeof p, "%s/X.npy", dir);
	if (wnpy_read(&X, p, "X.npy", err, errlen) != 0)
		goto done;
	snprintf(p, sizeof p, "%s/y.npy", dir);
	if (wnpy_read(&Y, p, "y.npy", err, errlen) != 0)
		goto done;
	snprintf(p, sizeof p, "%s/split.npy", dir);
	if (wnpy_read(&S, p, "split.npy", err, errlen) != 0)
		goto done;
	int names_ok = read_names(&names, &nf, json_object_get(m, "features")) == 0;
	if (Y.rows != X.rows || S.rows != X.rows || !names_ok || nf != X.cols || alloc_data(out, X.rows, X.cols) != 0 ||
	    read_names(&out->classes, &out->k, json_object_get(m, "classes")) != 0) {
		snprintf(err, errlen, "the dataset's files disagree on its size; make it again with autows.load");
		goto done;
	}
	free(out->features);
	out->features = names;
	names = NULL;
	const json_t *u = json_object_get(m, "units");
	if (u) {
		if (json_array_size(u) != X.cols || !(out->units = malloc((X.cols ? X.cols : 1) * sizeof *out->units))) {
			snprintf(err, errlen, "meta.json's units are not one per feature; make the dataset again with "
					      "autows.featurize");
			goto done;
		}
		for (size_t j = 0; j < X.cols; j++) {
			const json_t *v = json_array_get(u, j);
			out->units[j] = json_number_value(v);
			if (!json_is_number(v) || !(out->units[j] >= 0) || !isfinite(out->units[j])) {
				snprintf(err, errlen, "meta.json: unit %zu is not a standard deviation; make the dataset "
						      "again with autows.featurize",
					 j);
				goto done;
			}
		}
	}
	memcpy(out->X, X.data, X.rows * X.cols * sizeof *out->X);
	for (size_t i = 0; i < X.rows; i++) {
		out->y[i] = (int32_t)Y.data[i];
		out->split[i] = (int32_t)S.data[i];
		if (out->y[i] >= (int32_t)out->k) {
			snprintf(err, errlen, "y.npy row %zu names class %d of %zu", i, out->y[i], out->k);
			goto done;
		}
	}
	rc = 0;
done:
	json_decref(m);
	wnpy_free(&X);
	wnpy_free(&Y);
	wnpy_free(&S);
	for (size_t i = 0; names && i < nf; i++)
		free(names[i]);
	free(names);
	if (rc != 0)
		aws_data_free(out);
	return rc;
}

double *aws_data_scaled(const aws_data *D, const double *w)
{
	size_t nd = D->n * D->d;
	double *X = malloc((nd ? nd : 1) * sizeof *X);
	for (size_t i = 0; X && i < D->n; i++)
		for (size_t j = 0; j < D->d; j++)
			X[i * D->d + j] = D->X[i * D->d + j] * w[j];
	return X;
}
