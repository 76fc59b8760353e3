/*
 * labelmat.c -- building the sparse label matrix.
 */
#include "labelmat.h"

#include <stdlib.h>
#include <string.h>

int aws_lmat_from_dense(aws_lmat *L, const int *dense, size_t n, size_t m, size_t k)
{
	memset(L, 0, sizeof *L);
	size_t nnz = 0;
	for (size_t i = 0; i < n * m; i++) {
		if (dense[i] >= (int)k || dense[i] < -1)
			return -1;
		nnz += dense[i] >= 0;
	}
	L->row = malloc((n + 1) * sizeof *L->row);
	L->lf = malloc((nnz ? nnz : 1) * sizeof *L->lf);
	L->val = malloc((nnz ? nnz : 1) * sizeof *L->val);
	if (!L->row || !L->lf || !L->val) {
		aws_lmat_free(L);
		return -1;
	}
	L->n = n, L->m = m, L->k = k, L->nnz = nnz;
	size_t p = 0;
	for (size_t i = 0; i < n; i++) {
		L->row[i] = p;
		for (size_t j = 0; j < m; j++)
			if (dense[i * m + j] >= 0) {
				L->lf[p] = (uint32_t)j;
				L->val[p++] = (uint16_t)dense[i * m + j];
			}
	}
	L->row[n] = p;
	return 0;
}

void aws_lmat_free(aws_lmat *L)
{
	free(L->row);
	free(L->lf);
	free(L->val);
	memset(L, 0, sizeof *L);
}
