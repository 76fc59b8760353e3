/*
 * minhash.c -- see minhash.h. The tokens are a light Python lexer's: the
 * point is that renaming a comment or re-indenting does not make a program
 * new, while changing the analysis does. Hash family: h_i(x) = mix(x ^ s_i)
 * with splitmix64 as the mixer, which is what makes 128 independent-enough
 * permutations cheap.
 */
#include "minhash.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* The next token of code[*i..len): its hash, or 0 at the end. */
static uint64_t next_token(const char *c, size_t len, size_t *i)
{
	size_t p = *i;
	for (;;) {
		while (p < len && isspace((unsigned char)c[p]))
			p++;
		if (p < len && c[p] == '#') {
			while (p < len && c[p] != '\n')
				p++;
			continue;
		}
		if (p < len && c[p] == '\\' && p + 1 < len && c[p + 1] == '\n') {
			p += 2;
			continue;
		}
		break;
	}
	if (p >= len) {
		*i = p;
		return 0;
	}
	size_t s = p;
	unsigned char ch = (unsigned char)c[p];
	if (isalpha(ch) || ch == '_' || ch >= 0x80) {
		while (p < len && (isalnum((unsigned char)c[p]) || c[p] == '_' || (unsigned char)c[p] >= 0x80))
			p++;
		/* a string prefix (r"", b'', f"") belongs to the string */
		if (p < len && (c[p] == '"' || c[p] == '\'') && p - s <= 2)
			goto string;
	} else if (isdigit(ch)) {
		while (p < len && (isalnum((unsigned char)c[p]) || c[p] == '.' || c[p] == '_'))
			p++;
	} else if (ch == '"' || ch == '\'') {
	string:;
		char q = c[p];
		int triple = p + 2 < len && c[p + 1] == q && c[p + 2] == q;
		p += triple ? 3 : 1;
		while (p < len) {
			if (c[p] == '\\') {
				p += 2;
				continue;
			}
			if (c[p] == q && (!triple || (p + 2 < len && c[p + 1] == q && c[p + 2] == q))) {
				p += triple ? 3 : 1;
				break;
			}
			if (!triple && c[p] == '\n')
				break;
			p++;
		}
		if (p > len)
			p = len;
	} else {
		p++;
	}
	*i = p;
	uint64_t h = fnv(c + s, p - s);
	return h ? h : 1;
}

void sdt_minhash_code(sdt_minhash *out, const char *code, size_t len, int k)
{
	if (k < 1)
		k = 1;
	if (k > 16)
		k = 16;
	for (int j = 0; j < SDT_MINHASH_PERM; j++)
		out->sig[j] = UINT64_MAX;
	out->n_shingles = 0;
	uint64_t win[16];
	size_t n = 0, i = 0;
	for (;;) {
		uint64_t t = next_token(code, len, &i);
		if (!t)
			break;
		win[n % (size_t)k] = t;
		n++;
		if (n < (size_t)k)
			continue;
		uint64_t sh = 0;
		for (int j = 0; j < k; j++) /* in order: oldest first */
			sh = mix(sh ^ win[(n - (size_t)k + (size_t)j) % (size_t)k]);
		out->n_shingles++;
		for (int j = 0; j < SDT_MINHASH_PERM; j++) {
			uint64_t h = mix(sh ^ (0x5851f42d4c957f2dull * (uint64_t)(j + 1)));
			if (h < out->sig[j])
				out->sig[j] = h;
		}
	}
}

double sdt_minhash_jaccard(const sdt_minhash *a, const sdt_minhash *b)
{
	if (!a->n_shingles || !b->n_shingles)
		return 0.0;
	int same = 0;
	for (int j = 0; j < SDT_MINHASH_PERM; j++)
		same += a->sig[j] == b->sig[j];
	return (double)same / SDT_MINHASH_PERM;
}

struct entry {
	uint64_t key;
	size_t idx;
};

static int cmp_entry(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

int sdt_minhash_dedup(const sdt_minhash *sigs, size_t n, int bands, double threshold, long *dup_of)
{
	for (size_t i = 0; i < n; i++)
		dup_of[i] = -1;
	if (bands < 1 || bands > SDT_MINHASH_PERM)
		bands = 32;
	int rows = SDT_MINHASH_PERM / bands;
	struct entry *e = n ? malloc(n * sizeof *e) : NULL;
	if (n && !e)
		return -1;
	for (int b = 0; b < bands; b++) {
		for (size_t i = 0; i < n; i++) {
			uint64_t h = (uint64_t)b;
			for (int r = 0; r < rows; r++)
				h = mix(h ^ sigs[i].sig[b * rows + r]);
			e[i].key = h;
			e[i].idx = i;
		}
		qsort(e, n, sizeof *e, cmp_entry);
		/* within a bucket, each member is checked against the earlier ones */
		for (size_t s = 0; s < n;) {
			size_t t = s + 1;
			while (t < n && e[t].key == e[s].key)
				t++;
			for (size_t x = s + 1; x < t; x++) {
				size_t i = e[x].idx;
				if (dup_of[i] >= 0 || !sigs[i].n_shingles)
					continue;
				for (size_t y = s; y < x; y++) {
					size_t j = e[y].idx;
					if (sdt_minhash_jaccard(&sigs[i], &sigs[j]) >= threshold) {
						/* point at the first of a chain */
						dup_of[i] = dup_of[j] >= 0 ? dup_of[j] : (long)j;
						break;
					}
				}
			}
			s = t;
		}
	}
	free(e);
	return 0;
}
