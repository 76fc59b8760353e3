/*
 * profile.h -- what varies across the records of one template, and what
 * names it. Records are DOM subtrees made from one template: the rows of a
 * table, the cards of a grid, or whole pages of one URL template. Every
 * element path below the record root is a raw column; the analysis turns
 * them into slots:
 *  - a column whose text is the same in every record and reads like a
 *    label ("Authors", "Home score:") labels the column after it (its next
 *    sibling: dt/dd, th/td, span/span) or, failing that, its parent's text
 *    after the label;
 *  - a column whose leading text is the same everywhere ("Symbol: ACME")
 *    is labelled by that lead;
 *  - a header row beside the records (thead, or a sibling row of labels)
 *    labels the columns under it;
 *  - any other varying column is a slot named by its class (when that
 *    reads as words) or by nothing, for the type and heading heuristics.
 */
#ifndef AUTODATA_PROFILE_H
#define AUTODATA_PROFILE_H

#include <stddef.h>

#include "html.h"

enum { ADT_BY_NONE, ADT_BY_CLASS, ADT_BY_HEADER, ADT_BY_LEAD, ADT_BY_LABEL };

typedef struct {
	char *path;  /* relative XPath of the value node ("td[2]", "dl[1]/dd[3]") */
	char *label; /* what names it, or NULL */
	char *strip; /* leading text that is the label, removed from values */
	int by;      /* ADT_BY_* */
	int heading; /* 2: an h1-h3, 1: the record's first link, 0: neither */
	/* per record (NULL: absent) */
	char **text;
	char **href;
	char **links; /* the texts of its links, joined by '\x1f' */
	/* derived */
	double present, num, date, url, links_avg, len_avg;
} adt_slot;

typedef struct {
	adt_slot *v;
	size_t n;
	size_t nrec;
} adt_slots;

/* Profiles `n` records: roots[i] under a page at urls[i]; a subtree under
 * `skip[i]` (when given) is left out (the list inside a page when the page
 * is profiled for its context). `header`, when not NULL, is a row whose
 * element children label the records' children by position. 0, or -1 when
 * out of memory. */
int adt_profile(adt_slots *out, xmlNodePtr *roots, const char *const *urls, xmlNodePtr *skip, size_t n,
	       xmlNodePtr header);
void adt_slots_free(adt_slots *s);
/* The value of slot `s` in record `i` with its label stripped (malloc'd),
 * or NULL. */
char *adt_slot_value(const adt_slot *s, size_t i);
/* The same for a node found by XPath in extraction: its text without
 * `strip`. */
char *adt_strip_label(const char *text, const char *strip);

#endif
