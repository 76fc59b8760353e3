/*
 * llmrules.h -- the engineer's LLM path. The model sees the wanted fields
 * and, for the URL templates with the most pages, a skeleton of one page
 * each (the elements that hold text or links, with their XPath below
 * <body>, their text cut short and their link), never a whole page, and
 * never the same page twice in one turn. It answers with a program in the
 * format induction writes. The program is then run over the whole crawl
 * and validated; the engineer keeps it only when it passes and extracts at
 * least nine tenths of the records induction does, and otherwise keeps
 * induction's, saying why.
 */
#ifndef AUTODATA_LLMRULES_H
#define AUTODATA_LLMRULES_H

#include <jansson.h>

#include "site.h"

/* The chat request {messages, schema, temperature} for the site. */
json_t *adt_llm_request(const adt_site *site, json_t *fields);
/* Completes the model's answer into a program (fields and identity from
 * `induced`, the engineer's own program); NULL with `why` when the answer
 * is no program. */
json_t *adt_llm_program(json_t *answer, json_t *induced, char *why, size_t whylen);
/* Chooses between the model's program and induction's: runs both over the
 * site and validates them. Returns the chosen one (a new reference) and
 * sets *by to "llm" or "induction" and `why` to the reason. */
json_t *adt_llm_choose(const adt_site *site, json_t *llm, json_t *induced, const char **by, char *why,
		       size_t whylen);

#endif
