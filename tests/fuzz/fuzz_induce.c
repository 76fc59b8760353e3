/* Wrapper induction and extraction on any HTML: the input, split at NUL
 * bytes into up to four pages of one URL template, is parsed, profiled,
 * induced, extracted and validated without a crash, a leak or a hang. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "extract.h"
#include "induce.h"
#include "site.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	adt_site site;
	memset(&site, 0, sizeof site);
	const char *p = (const char *)data, *end = p + size;
	for (int k = 0; k < 4 && p < end; k++) {
		const char *z = memchr(p, 0, (size_t)(end - p));
		size_t len = z ? (size_t)(z - p) : (size_t)(end - p);
		char url[64];
		snprintf(url, sizeof url, "http://h/list?page=%d", k + 1);
		(void)adt_site_add_html(&site, url, p, len);
		p += len + 1;
	}
	json_t *fields = json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "name", "title", "type", "text", "name", "price",
				   "type", "number", "name", "link", "type", "url");
	char err[256];
	json_t *prog = adt_induce(&site, fields, NULL, err, sizeof err);
	if (prog) {
		json_t *stats = NULL;
		json_t *recs = adt_extract(&site, prog, &stats, err, sizeof err);
		if (recs) {
			json_t *v = adt_validate(recs, prog, 0.9, 0.9);
			json_decref(v);
		}
		json_decref(recs);
		json_decref(stats);
	}
	json_decref(prog);
	json_decref(fields);
	adt_site_free(&site);
	return 0;
}
