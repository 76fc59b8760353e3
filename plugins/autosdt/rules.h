/*
 * rules.h -- AutoSDT's rule pre-filter: which crawled files are not worth
 * asking the judge about, by their path and name alone.
 */
#ifndef AUTOSDT_RULES_H
#define AUTOSDT_RULES_H

#include <stddef.h>

/* Whether `path` (repository-relative, '/'-separated) is dropped by the
 * rules; when it is, `why` says which rule and which word matched. A file
 * over `max_lines` lines is dropped too (AutoSDT keeps files under 1000). */
int sdt_rules_drop(const char *path, size_t lines, size_t max_lines, char *why, size_t whylen);

#endif
