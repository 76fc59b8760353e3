/*
 * metrics.c -- see metrics.h.
 */
#include "metrics.h"

#include <stdlib.h>
#include <string.h>

void aws_score(aws_scores *s, const double *P, size_t k, const int32_t *y, const size_t *rows, size_t nr)
{
	memset(s, 0, sizeof *s);
	double *tp = calloc(k, sizeof *tp), *pred = calloc(k, sizeof *pred), *gold = calloc(k, sizeof *gold);
	if (!tp || !pred || !gold) {
		free(tp), free(pred), free(gold);
		return;
	}
	size_t hit = 0, n = 0;
	for (size_t q = 0; q < nr; q++) {
		size_t i = rows[q];
		if (y[i] < 0)
			continue;
		size_t best = 0;
		for (size_t c = 1; c < k; c++)
			if (P[i * k + c] > P[i * k + best])
				best = c;
		n++;
		pred[best] += 1;
		gold[y[i]] += 1;
		if ((int32_t)best == y[i])
			hit++, tp[best] += 1;
	}
	double f1 = 0;
	for (size_t c = 0; c < k; c++) {
		double d = pred[c] + gold[c];
		f1 += d > 0 ? 2 * tp[c] / d : 0;
	}
	s->rows = n;
	s->accuracy = n ? (double)hit / (double)n : 0;
	s->macro_f1 = k ? f1 / (double)k : 0;
	free(tp), free(pred), free(gold);
}

int aws_lf_stats(aws_lfstat *out, const aws_lmat *L, const int32_t *y)
{
	size_t m = L->m;
	double *cov = calloc(m, sizeof *cov), *ovl = calloc(m, sizeof *ovl), *con = calloc(m, sizeof *con);
	double *hit = calloc(m, sizeof *hit), *gv = calloc(m, sizeof *gv);
	if (!cov || !ovl || !con || !hit || !gv) {
		free(cov), free(ovl), free(con), free(hit), free(gv);
		return -1;
	}
	for (size_t i = 0; i < L->n; i++) {
		size_t a = L->row[i], b = L->row[i + 1];
		for (size_t q = a; q < b; q++) {
			size_t j = L->lf[q];
			cov[j] += 1;
			if (b - a > 1)
				ovl[j] += 1;
			for (size_t r = a; r < b; r++)
				if (L->val[r] != L->val[q]) {
					con[j] += 1;
					break;
				}
			if (y[i] >= 0) {
				gv[j] += 1;
				hit[j] += L->val[q] == y[i];
			}
		}
	}
	for (size_t j = 0; j < m; j++) {
		double n = L->n ? (double)L->n : 1;
		out[j] = (aws_lfstat){cov[j] / n, ovl[j] / n, con[j] / n, gv[j] > 0 ? hit[j] / gv[j] : 0, (size_t)gv[j]};
	}
	free(cov), free(ovl), free(con), free(hit), free(gv);
	return 0;
}
