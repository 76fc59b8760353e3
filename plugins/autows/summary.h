/*
 * summary.h -- an AutoWS run as a page a person reads: each label
 * model's end model against the supervised baseline trained on the same
 * labels (the question AutoWS-Bench-101 asks), whether weak supervision
 * helped, and the labelling functions, best first.
 */
#ifndef AUTOWS_SUMMARY_H
#define AUTOWS_SUMMARY_H

#include <jansson.h>
#include <stddef.h>

/* Markdown (caller frees) from `n` autows-report/1 documents, reports[i]
 * for label model names[i], and the LFs (generate_lfs's JSON; may be
 * NULL). NULL when a report is not one or memory is short. */
char *aws_summary_markdown(const char *const *names, const json_t *const *reports, size_t n, const json_t *lfs);

#endif
