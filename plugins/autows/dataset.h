/*
 * dataset.h -- a weak-supervision dataset: a feature matrix, gold labels
 * where known, and the split AutoWS-Bench uses: a few labeled rows, an
 * unlabeled pool, and a held-out test set scored against gold labels.
 *
 * On disk (the artifact between ops) it is a directory of plain files
 * numpy reads: X.npy (n x d float64), y.npy (n int32, -1 = unknown),
 * split.npy (n int32: 0 unlabeled, 1 labeled, 2 test) and meta.json
 * (class names, feature names).
 */
#ifndef AUTOWS_DATASET_H
#define AUTOWS_DATASET_H

#include <stddef.h>
#include <stdint.h>

enum { AWS_UNLABELED = 0, AWS_LABELED = 1, AWS_TEST = 2 };

typedef struct aws_data {
	size_t n, d, k;
	double *X;       /* n x d, row-major */
	int32_t *y;      /* gold class or -1 */
	int32_t *split;  /* AWS_* */
	char **classes;  /* k names */
	char **features; /* d names */
	/* d standard deviations of the features before autows.featurize
	 * standardised them (the features' own units), or NULL: not
	 * standardised, or PCA components */
	double *units;
} aws_data;

/* A CSV with a header: numeric feature columns and one label column
 * (`label`), whose empty cells are unknown labels. Class names are the
 * distinct label texts, sorted. */
int aws_data_read_csv(aws_data *out, const char *path, const char *name, const char *label, char *err,
		      size_t errlen);
/* The same, with the split read from column `split_col` (labeled,
 * unlabeled or test per row; not a feature); NULL or "": none. */
int aws_data_read_csv_split(aws_data *out, const char *path, const char *name, const char *label,
			    const char *split_col, char *err, size_t errlen);
/* X.npy (n x d) and y.npy (n; negative = unknown). The classes are the
 * label values present (1..10, or with gaps, are fine), named by value. */
int aws_data_read_npy(aws_data *out, const char *xpath, const char *ypath, char *err, size_t errlen);

/* Chooses `n_labels` labeled rows and a `test_share` of rows for the test
 * set among the rows with gold labels, by a seeded shuffle; the labeled
 * rows are drawn stratified (each class its share, at least one); the
 * rest are unlabeled. Fails when a class has no labeled row or
 * n_labels < k, naming the classes found. */
int aws_data_split(aws_data *D, size_t n_labels, double test_share, uint64_t seed, char *err, size_t errlen);
/* Reads a split for D's rows from an .npy of 0 (unlabeled), 1 (labeled),
 * 2 (test) per row. */
int aws_data_read_split_npy(aws_data *D, const char *path, char *err, size_t errlen);
/* Checks a split that came with the data (D->split already set). */
int aws_data_split_given(aws_data *D, char *err, size_t errlen);

int aws_data_save(const aws_data *D, const char *dir, char *err, size_t errlen);
int aws_data_load(aws_data *out, const char *dir, char *err, size_t errlen);
void aws_data_free(aws_data *D);

/* Rows of the given split, as indices; returns the count (0 on OOM too). */
size_t aws_data_rows(const aws_data *D, int split, size_t **idx);
/* D's features with column j multiplied by w[j] (n x d, malloc'd): a
 * graph's metric (lf_graph's weights, units_graph's units); NULL when out
 * of memory. */
double *aws_data_scaled(const aws_data *D, const double *w);

#endif
