/*
 * labelmodel.c -- majority vote, Dawid-Skene EM and the triplet method
 * (MeTaL's matrix completion is in metal.c).
 *
 * Everything runs over the sparse votes: one pass is O(votes x classes),
 * so 100,000 rows x 100 LFs at 30% coverage is 3 million votes a pass.
 * Abstains cost nothing per row: their log-probabilities are summed once
 * per class and votes add the difference.
 */
#include "labelmodel.h"
#include "metal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int aws_lm_parse(const char *name)
{
	if (!strcmp(name, "majority"))
		return AWS_LM_MAJORITY;
	if (!strcmp(name, "dawid_skene"))
		return AWS_LM_DAWID_SKENE;
	if (!strcmp(name, "triplet"))
		return AWS_LM_TRIPLET;
	if (!strcmp(name, "metal"))
		return AWS_LM_METAL;
	return -1;
}

void aws_lm_result_free(aws_lm_result *r)
{
	free(r->proba);
	free(r->accuracy);
	free(r->balance);
	memset(r, 0, sizeof *r);
}

/* Majority vote, ties split evenly; rows without votes are uniform.
 * k <= 256 (aws_label_model checks), so the counts fit on the stack. */
static void majority(double *P, const aws_lmat *L)
{
	size_t k = L->k;
	double cnt[256];
	for (size_t i = 0; i < L->n; i++) {
		double *p = P + i * k;
		if (L->row[i] == L->row[i + 1]) {
			for (size_t c = 0; c < k; c++)
				p[c] = 1.0 / (double)k;
			continue;
		}
		memset(cnt, 0, k * sizeof *cnt);
		for (size_t q = L->row[i]; q < L->row[i + 1]; q++)
			cnt[L->val[q]] += 1;
		double mx = 0, ties = 0;
		for (size_t c = 0; c < k; c++)
			mx = cnt[c] > mx ? cnt[c] : mx;
		for (size_t c = 0; c < k; c++)
			ties += cnt[c] == mx;
		for (size_t c = 0; c < k; c++)
			p[c] = cnt[c] == mx ? 1.0 / ties : 0;
	}
}

/* The share of each LF's votes that agree with the argmax of P. */
static int empirical_accuracy(double *acc, const aws_lmat *L, const double *P)
{
	double *hit = calloc(L->m ? L->m : 1, sizeof *hit), *tot = calloc(L->m ? L->m : 1, sizeof *tot);
	if (!hit || !tot) {
		free(hit), free(tot);
		return -1;
	}
	for (size_t i = 0; i < L->n; i++)
		for (size_t q = L->row[i]; q < L->row[i + 1]; q++) {
			tot[L->lf[q]] += 1;
			hit[L->lf[q]] += P[i * L->k + L->val[q]];
		}
	for (size_t j = 0; j < L->m; j++)
		acc[j] = tot[j] > 0 ? hit[j] / tot[j] : 1.0 / (double)L->k;
	free(hit);
	free(tot);
	return 0;
}

/* Naive Bayes with symmetric noise: P(vote l | y) = acc if l == y, else
 * (1 - acc) / (k - 1). The class balance is re-estimated as the mean
 * posterior until it settles. */
static int posterior_symmetric(double *P, double *bal, const aws_lmat *L, const double *acc)
{
	size_t k = L->k, m = L->m;
	double *lr = malloc((m ? m : 1) * sizeof *lr), nb[256];
	if (!lr)
		return -1;
	/* A vote for l adds log(acc) to class l and log((1 - acc)/(k - 1)) to
	 * every other class; only the difference matters after normalising. */
	for (size_t j = 0; j < m; j++) {
		double a = acc[j] < 1e-4 ? 1e-4 : acc[j] > 1 - 1e-4 ? 1 - 1e-4 : acc[j];
		lr[j] = log(a) - log((1 - a) / (double)(k - 1));
	}
	for (int it = 0; it < 50; it++) {
		memset(nb, 0, k * sizeof *nb);
		for (size_t i = 0; i < L->n; i++) {
			double *p = P + i * k;
			for (size_t c = 0; c < k; c++)
				p[c] = log(bal[c] > 1e-9 ? bal[c] : 1e-9);
			for (size_t q = L->row[i]; q < L->row[i + 1]; q++)
				p[L->val[q]] += lr[L->lf[q]];
			aws_lm_normalise_log(p, k);
			for (size_t c = 0; c < k; c++)
				nb[c] += p[c];
		}
		double delta = 0;
		for (size_t c = 0; c < k; c++) {
			nb[c] /= (double)L->n;
			delta += fabs(nb[c] - bal[c]);
			bal[c] = nb[c];
		}
		if (delta < 1e-7)
			break;
	}
	free(lr);
	return 0;
}

/* Rows whose label is known (the labeled rows) get it, one-hot. */
static void clamp(double *P, const aws_lmat *L, const int32_t *known)
{
	for (size_t i = 0; known && i < L->n; i++)
		if (known[i] >= 0)
			for (size_t c = 0; c < L->k; c++)
				P[i * L->k + c] = known[i] == (int32_t)c;
}

static int dawid_skene(aws_lm_result *r, const aws_lmat *L, int max_iter, const int32_t *known)
{
	size_t n = L->n, m = L->m, k = L->k, K1 = k + 1;
	size_t npi = (m ? m : 1) * k * K1;
	double *pi = malloc(npi * sizeof *pi), *lpi = malloc(npi * sizeof *lpi);
	double *base = malloc(k * sizeof *base), *cnt = malloc(k * sizeof *cnt);
	if (!pi || !lpi || !base || !cnt) {
		free(pi), free(lpi), free(base), free(cnt);
		return -1;
	}
	majority(r->proba, L);
	clamp(r->proba, L, known);
	int it;
	for (it = 0; it < max_iter; it++) {
		/* M-step: class balance and confusion matrices, lightly smoothed. */
		memset(pi, 0, m * k * K1 * sizeof *pi);
		memset(cnt, 0, k * sizeof *cnt);
		for (size_t i = 0; i < n; i++) {
			const double *t = r->proba + i * k;
			for (size_t c = 0; c < k; c++)
				cnt[c] += t[c];
			for (size_t q = L->row[i]; q < L->row[i + 1]; q++) {
				double *row = pi + (size_t)L->lf[q] * k * K1;
				for (size_t c = 0; c < k; c++)
					row[c * K1 + L->val[q]] += t[c];
			}
		}
		for (size_t c = 0; c < k; c++)
			r->balance[c] = (cnt[c] + 1) / ((double)n + (double)k);
		memset(base, 0, k * sizeof *base);
		for (size_t j = 0; j < m; j++)
			for (size_t c = 0; c < k; c++) {
				double *o = pi + (j * k + c) * K1, voted = 0;
				for (size_t l = 0; l < k; l++)
					voted += o[l];
				o[k] = cnt[c] - voted > 0 ? cnt[c] - voted : 0;
				for (size_t l = 0; l < K1; l++) {
					o[l] = (o[l] + 0.01) / (cnt[c] + 0.01 * (double)K1);
					lpi[(j * k + c) * K1 + l] = log(o[l]);
				}
				base[c] += lpi[(j * k + c) * K1 + k];
			}
		/* E-step. */
		double change = 0;
		double t[256];
		for (size_t i = 0; i < n; i++) {
			for (size_t c = 0; c < k; c++)
				t[c] = log(r->balance[c]) + base[c];
			for (size_t q = L->row[i]; q < L->row[i + 1]; q++) {
				const double *lj = lpi + (size_t)L->lf[q] * k * K1;
				for (size_t c = 0; c < k; c++)
					t[c] += lj[c * K1 + L->val[q]] - lj[c * K1 + k];
			}
			aws_lm_normalise_log(t, k);
			if (known && known[i] >= 0) /* a known label stays known */
				for (size_t c = 0; c < k; c++)
					t[c] = known[i] == (int32_t)c;
			double *p = r->proba + i * k;
			for (size_t c = 0; c < k; c++) {
				double d = fabs(t[c] - p[c]);
				change = d > change ? d : change;
				p[c] = t[c];
			}
		}
		if (change < 1e-5) {
			it++;
			break;
		}
	}
	r->iterations = it;
	for (size_t j = 0; j < m; j++) {
		double num = 0, den = 0;
		for (size_t c = 0; c < k; c++) {
			const double *o = pi + (j * k + c) * K1;
			num += r->balance[c] * o[c];
			den += r->balance[c] * (1 - o[k]);
		}
		r->accuracy[j] = den > 0 ? num / den : 1.0 / (double)k;
	}
	free(pi), free(lpi), free(base), free(cnt);
	return 0;
}

/* Pairwise agreement on co-labelled rows, as mu_i * mu_j estimates. */
static int triplet(aws_lm_result *r, const aws_lmat *L)
{
	size_t m = L->m, k = L->k;
	size_t mm = m ? m * m : 1;
	/* integer counts, one upper-triangle row at a time: this pass over
	 * every pair of votes on every row is most of the model's time */
	uint32_t *agree = calloc(mm, sizeof *agree), *co = calloc(mm, sizeof *co);
	double *M = malloc(mm * sizeof *M);
	if (!agree || !co || !M) {
		free(agree), free(co), free(M);
		return -1;
	}
	for (size_t i = 0; i < L->n; i++) {
		const uint32_t *lf = L->lf + L->row[i];
		const uint16_t *val = L->val + L->row[i];
		size_t nv = L->row[i + 1] - L->row[i];
		for (size_t a = 0; a < nv; a++) {
			uint32_t *cor = co + (size_t)lf[a] * m, *agr = agree + (size_t)lf[a] * m;
			uint16_t va = val[a];
			for (size_t b = a + 1; b < nv; b++) {
				cor[lf[b]]++;
				agr[lf[b]] += val[b] == va;
			}
		}
	}
	for (size_t x = 0; x < m; x++)
		for (size_t y = x + 1; y < m; y++) {
			double c = co[x * m + y];
			double v = c >= 20 ? ((double)k * (double)agree[x * m + y] / c - 1) / (double)(k - 1) : NAN;
			M[x * m + y] = M[y * m + x] = v;
		}
	/* LFs without a triplet fall back on agreement with the majority. */
	majority(r->proba, L);
	if (empirical_accuracy(r->accuracy, L, r->proba) != 0) {
		free(agree), free(co), free(M);
		return -1;
	}
	for (size_t i = 0; i < m; i++) {
		double sum = 0;
		size_t used = 0;
		for (size_t j = 0; j < m; j++)
			for (size_t q = j + 1; q < m; q++) {
				if (j == i || q == i)
					continue;
				double mij = M[i * m + j], miq = M[i * m + q], mjq = M[j * m + q];
				if (isnan(mij) || isnan(miq) || isnan(mjq) || fabs(mjq) < 0.05)
					continue;
				sum += sqrt(fabs(mij * miq / mjq));
				used++;
			}
		if (used) {
			double mu = sum / (double)used;
			mu = mu > 1 ? 1 : mu;
			r->accuracy[i] = (mu * (double)(k - 1) + 1) / (double)k;
		}
	}
	free(agree), free(co), free(M);
	for (size_t c = 0; c < k; c++)
		r->balance[c] = 1.0 / (double)k;
	return posterior_symmetric(r->proba, r->balance, L, r->accuracy);
}

/* EM and the triplet solution can drift to a labelling that has little to
 * do with what the LFs say (Dawid-Skene once fell to 0.20 accuracy on a
 * 6-class set, permuting the classes). When the model's labels agree with
 * the majority vote on under half of the covered rows, the majority vote
 * is used instead, and `fell_back` says so. */
int aws_lm_guard_drift(aws_lm_result *out, const aws_lmat *L)
{
	size_t k = L->k, covered = 0, agree = 0;
	double *mv = malloc((L->n ? L->n : 1) * k * sizeof *mv);
	if (!mv)
		return -1;
	majority(mv, L);
	for (size_t i = 0; i < L->n; i++) {
		if (L->row[i] == L->row[i + 1])
			continue;
		size_t a = 0, b = 0;
		for (size_t c = 1; c < k; c++) {
			if (out->proba[i * k + c] > out->proba[i * k + a])
				a = c;
			if (mv[i * k + c] > mv[i * k + b])
				b = c;
		}
		covered++;
		agree += a == b;
	}
	int rc = 0;
	if (covered && 2 * agree < covered) {
		memcpy(out->proba, mv, L->n * k * sizeof *mv);
		rc = empirical_accuracy(out->accuracy, L, out->proba);
		out->fell_back = 1;
	}
	free(mv);
	return rc;
}

int aws_label_model(aws_lm_result *out, const aws_lmat *L, aws_lm_kind kind, int max_iter, const int32_t *known,
		    char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (L->k < 2 || L->k > 256) {
		snprintf(err, errlen, "a label model needs 2 to 256 classes, got %zu", L->k);
		return -1;
	}
	out->proba = malloc((L->n ? L->n : 1) * L->k * sizeof *out->proba);
	out->accuracy = malloc((L->m ? L->m : 1) * sizeof *out->accuracy);
	out->balance = malloc(L->k * sizeof *out->balance);
	int rc = -1;
	if (out->proba && out->accuracy && out->balance) {
		if (kind == AWS_LM_MAJORITY) {
			majority(out->proba, L);
			rc = empirical_accuracy(out->accuracy, L, out->proba);
			for (size_t c = 0; c < L->k; c++)
				out->balance[c] = 0;
			for (size_t i = 0; i < L->n; i++)
				for (size_t c = 0; c < L->k; c++)
					out->balance[c] += out->proba[i * L->k + c] / (double)L->n;
		} else if (kind == AWS_LM_DAWID_SKENE) {
			rc = dawid_skene(out, L, max_iter > 0 ? max_iter : 100, known);
		} else if (kind == AWS_LM_METAL) {
			rc = aws_metal(out, L, known);
		} else {
			rc = triplet(out, L);
		}
	}
	if (rc == 0 && kind != AWS_LM_MAJORITY)
		rc = aws_lm_guard_drift(out, L);
	if (rc != 0) {
		snprintf(err, errlen, "out of memory in the label model");
		aws_lm_result_free(out);
	}
	return rc;
}
