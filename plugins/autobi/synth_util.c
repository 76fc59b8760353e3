/*
 * synth_util.c -- the generator's random stream and truth file.
 */
#define _GNU_SOURCE
#include "synth_util.h"

#include <stdio.h>

uint64_t abi_rng_next(abi_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double abi_rng_unif(abi_rng *r)
{
	return (double)(abi_rng_next(r) >> 11) / 9007199254740992.0;
}

int abi_rng_range(abi_rng *r, int lo, int hi)
{
	return lo + (int)(abi_rng_unif(r) * (hi - lo + 1));
}

json_t *abi_truth_join(const char *from, const char *const *fc, int nf, const char *to, const char *const *tc)
{
	json_t *a = json_array(), *b = json_array();
	for (int i = 0; i < nf; i++) {
		json_array_append_new(a, json_string(fc[i]));
		json_array_append_new(b, json_string(tc[i]));
	}
	return json_pack("{s:s, s:o, s:s, s:o}", "from", from, "from_columns", a, "to", to, "to_columns", b);
}

int abi_truth_write(const char *dir, const char *shape, json_t *joins, json_t *facts, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/truth.json", dir);
	json_t *root = json_pack("{s:s, s:s, s:o, s:o}", "format", "autobi-truth/1", "shape", shape, "facts", facts,
				 "joins", joins);
	int rc = root ? json_dump_file(root, path, JSON_INDENT(1)) : -1;
	json_decref(root);
	if (rc != 0)
		snprintf(err, errlen, "cannot write %s", path);
	return rc ? -1 : 0;
}

