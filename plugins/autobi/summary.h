/*
 * summary.h -- the BI model as a page a person reads: the tables with
 * their roles, the joins with their columns, cardinality and confidence,
 * and what deserves a second look (joins the classifier was unsure of,
 * tables that join nothing).
 */
#ifndef AUTOBI_SUMMARY_H
#define AUTOBI_SUMMARY_H

#include <jansson.h>

/* A join below this confidence is listed for checking: the classifier
 * calls it a join, but not by much. */
#define ABI_SUMMARY_UNSURE 0.8

/* Markdown for an autobi-bi-model/1 document (caller frees), or NULL
 * when it is not one or memory is short. */
char *abi_summary_markdown(const json_t *model);

#endif
