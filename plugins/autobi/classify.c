/*
 * classify.c -- logistic regression: training (Newton-Raphson on the
 * penalised log-likelihood, a dense (features + 1)-square solve per step) and the weights
 * file.
 */
#define _GNU_SOURCE
#include "classify.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { D = ABI_NFEATURES + 1 }; /* weights and bias */

static double sigmoid(double z)
{
	return z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
}

/* The floor under a feature's scale, and the clip on its standardised
 * value: no single feature moves a candidate by more than Z_CLIP times its
 * weight, whatever the input holds. */
#define SCALE_FLOOR 0.2
#define Z_CLIP 4.0

static double standard(const abi_lr *m, int f, double x)
{
	double z = (x - m->mean[f]) / m->scale[f];
	return z < -Z_CLIP ? -Z_CLIP : z > Z_CLIP ? Z_CLIP : z;
}

double abi_lr_predict(const abi_lr *m, const double *x)
{
	double z = m->bias;
	for (int f = 0; f < ABI_NFEATURES; f++)
		z += m->w[f] * standard(m, f, x[f]);
	return sigmoid(z);
}

/* Solves A x = b in place by Gaussian elimination with partial pivoting. */
static int solve(double A[D][D], double *b)
{
	for (int c = 0; c < D; c++) {
		int piv = c;
		for (int r = c + 1; r < D; r++)
			if (fabs(A[r][c]) > fabs(A[piv][c]))
				piv = r;
		if (fabs(A[piv][c]) < 1e-12)
			return -1;
		if (piv != c) {
			for (int k = 0; k < D; k++) {
				double t = A[c][k];
				A[c][k] = A[piv][k];
				A[piv][k] = t;
			}
			double t = b[c];
			b[c] = b[piv];
			b[piv] = t;
		}
		for (int r = c + 1; r < D; r++) {
			double f = A[r][c] / A[c][c];
			for (int k = c; k < D; k++)
				A[r][k] -= f * A[c][k];
			b[r] -= f * b[c];
		}
	}
	for (int c = D - 1; c >= 0; c--) {
		for (int k = c + 1; k < D; k++)
			b[c] -= A[c][k] * b[k];
		b[c] /= A[c][c];
	}
	return 0;
}

int abi_lr_train(abi_lr *m, const double *X, const int *y, size_t n, double l2, int iters, char *err,
		 size_t errlen)
{
	memset(m, 0, sizeof *m);
	size_t pos = 0;
	for (size_t i = 0; i < n; i++)
		pos += y[i] != 0;
	if (!pos || pos == n) {
		snprintf(err, errlen, "training needs both joins and non-joins; got %zu of %zu rows labelled as joins",
			 pos, n);
		return -1;
	}
	for (int f = 0; f < ABI_NFEATURES; f++) {
		double s = 0, ss = 0;
		for (size_t i = 0; i < n; i++)
			s += X[i * ABI_NFEATURES + f];
		m->mean[f] = s / (double)n;
		for (size_t i = 0; i < n; i++) {
			double d = X[i * ABI_NFEATURES + f] - m->mean[f];
			ss += d * d;
		}
		double sd = sqrt(ss / (double)n);
		/* Features live in about 0..1. A rare one (mostly-NULL columns,
		 * composite joins) has a tiny spread, and dividing by it would turn
		 * one unusual value into a dozen logits: the scale is floored so
		 * that evidence comes from the weight, not from the scaling. */
		m->scale[f] = sd > SCALE_FLOOR ? sd : SCALE_FLOOR;
	}
	double beta[D] = {0};
	double z[D];
	for (int it = 0; it < iters; it++) {
		double H[D][D] = {{0}}, g[D] = {0};
		for (size_t i = 0; i < n; i++) {
			for (int f = 0; f < ABI_NFEATURES; f++)
				z[f] = standard(m, f, X[i * ABI_NFEATURES + f]);
			z[D - 1] = 1.0;
			double s = 0;
			for (int f = 0; f < D; f++)
				s += beta[f] * z[f];
			double p = sigmoid(s), w = p * (1 - p), r = p - (y[i] != 0);
			for (int a = 0; a < D; a++) {
				g[a] += r * z[a];
				for (int b = 0; b <= a; b++)
					H[a][b] += w * z[a] * z[b];
			}
		}
		for (int a = 0; a < D; a++)
			for (int b = a + 1; b < D; b++)
				H[a][b] = H[b][a];
		for (int a = 0; a < D - 1; a++) { /* the bias is not penalised */
			H[a][a] += l2;
			g[a] += l2 * beta[a];
		}
		if (solve(H, g) != 0) {
			snprintf(err, errlen, "the training system is singular; add more varied schemas");
			return -1;
		}
		double step = 0;
		for (int a = 0; a < D; a++) {
			beta[a] -= g[a];
			step += fabs(g[a]);
		}
		if (step < 1e-8)
			break;
	}
	for (int f = 0; f < ABI_NFEATURES; f++)
		m->w[f] = beta[f];
	m->bias = beta[D - 1];
	double loss = 0;
	for (size_t i = 0; i < n; i++) {
		double p = abi_lr_predict(m, X + i * ABI_NFEATURES);
		p = p < 1e-12 ? 1e-12 : p > 1 - 1e-12 ? 1 - 1e-12 : p;
		loss -= y[i] ? log(p) : log(1 - p);
	}
	m->trained_rows = n;
	m->trained_positive = pos;
	m->train_log_loss = loss / (double)n;
	return 0;
}

int abi_lr_save(const abi_lr *m, const char *path, const char *about, char *err, size_t errlen)
{
	json_t *root = json_object(), *feats = json_array();
	if (!root || !feats) {
		json_decref(root);
		json_decref(feats);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_object_set_new(root, "format", json_string("autobi-join-model/1"));
	json_object_set_new(root, "model", json_string("logistic-regression"));
	json_object_set_new(root, "about", json_string(about ? about : ""));
	json_object_set_new(root, "bias", json_real(m->bias));
	json_object_set_new(root, "trained_rows", json_integer((json_int_t)m->trained_rows));
	json_object_set_new(root, "trained_positive", json_integer((json_int_t)m->trained_positive));
	json_object_set_new(root, "train_log_loss", json_real(m->train_log_loss));
	for (int f = 0; f < ABI_NFEATURES; f++)
		json_array_append_new(feats, json_pack("{s:s, s:f, s:f, s:f}", "name", abi_feature_names[f], "mean",
						       m->mean[f], "scale", m->scale[f], "weight", m->w[f]));
	json_object_set_new(root, "features", feats);
	int rc = json_dump_file(root, path, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
	json_decref(root);
	if (rc != 0)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
	return rc ? -1 : 0;
}

int abi_lr_load(abi_lr *m, const char *path, char *err, size_t errlen)
{
	memset(m, 0, sizeof *m);
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	if (!root) {
		snprintf(err, errlen, "%s:%d: not a join model: %s", path, je.line, je.text);
		return -1;
	}
	int rc = -1;
	const char *format = json_string_value(json_object_get(root, "format"));
	json_t *feats = json_object_get(root, "features");
	if (!format || strcmp(format, "autobi-join-model/1") != 0 || !json_is_array(feats)) {
		snprintf(err, errlen, "%s: not an autobi join model (format autobi-join-model/1 expected)", path);
		goto done;
	}
	if (json_array_size(feats) != ABI_NFEATURES) {
		snprintf(err, errlen,
			 "%s: the model has %zu features but this plugin computes %d; retrain it with "
			 "pipelines/autobi-train.lua",
			 path, json_array_size(feats), ABI_NFEATURES);
		goto done;
	}
	for (int f = 0; f < ABI_NFEATURES; f++) {
		json_t *o = json_array_get(feats, (size_t)f);
		const char *name = json_string_value(json_object_get(o, "name"));
		if (!name || strcmp(name, abi_feature_names[f]) != 0) {
			snprintf(err, errlen,
				 "%s: feature %d is '%s' but this plugin computes '%s' there; retrain the model with "
				 "pipelines/autobi-train.lua",
				 path, f + 1, name ? name : "?", abi_feature_names[f]);
			goto done;
		}
		m->mean[f] = json_number_value(json_object_get(o, "mean"));
		m->scale[f] = json_number_value(json_object_get(o, "scale"));
		m->w[f] = json_number_value(json_object_get(o, "weight"));
		if (!(m->scale[f] > 0)) {
			snprintf(err, errlen, "%s: feature '%s' has a scale that is not positive", path, name);
			goto done;
		}
	}
	m->bias = json_number_value(json_object_get(root, "bias"));
	m->trained_rows = (size_t)json_integer_value(json_object_get(root, "trained_rows"));
	m->trained_positive = (size_t)json_integer_value(json_object_get(root, "trained_positive"));
	rc = 0;
done:
	json_decref(root);
	return rc;
}
