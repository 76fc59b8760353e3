/*
 * labelmat.h -- the label matrix: what each labeling function (LF) said
 * about each row, stored sparse (CSR) because LFs mostly abstain.
 */
#ifndef AUTOWS_LABELMAT_H
#define AUTOWS_LABELMAT_H

#include <stddef.h>
#include <stdint.h>

typedef struct aws_lmat {
	size_t n, m, k;   /* rows, LFs, classes */
	size_t *row;      /* n + 1 offsets into lf/val */
	uint32_t *lf;     /* LF index of each vote, increasing within a row */
	uint16_t *val;    /* the class voted */
	size_t nnz;
} aws_lmat;

/* Builds a matrix from a dense n x m array where -1 means abstain.
 * Returns 0, or -1 when a vote is outside 0..k-1 or memory runs out. */
int aws_lmat_from_dense(aws_lmat *L, const int *dense, size_t n, size_t m, size_t k);
void aws_lmat_free(aws_lmat *L);

#endif
