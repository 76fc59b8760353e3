/*
 * profile.c -- column statistics, value hashes, composite keys, and the
 * profile's binary form.
 *
 * Values are compared by 64-bit hashes of their normalised form: in an
 * integer column "007", "7" and "7.0" are the same value (spreadsheet and
 * pandas exports disagree on these), elsewhere the trimmed text is. Hash 0
 * is reserved for "missing".
 */
#define _GNU_SOURCE
#include "profile.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binio.h"
#include "fileio.h"
#include "hset.h"

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x ? x : 1;
}

static uint64_t hash_text(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return mix64(h);
}

static uint64_t hash_int(long long v)
{
	return mix64((uint64_t)v ^ 0x9e3779b97f4a7c15ULL);
}

uint64_t abi_pair_hash(uint64_t a, uint64_t b)
{
	return mix64(a * 0x9e3779b97f4a7c15ULL + mix64(b));
}

const char *abi_type_name(abi_type t)
{
	switch (t) {
	case ABI_T_INT: return "int";
	case ABI_T_FLOAT: return "float";
	case ABI_T_DATE: return "date";
	case ABI_T_STRING: return "string";
	default: return "empty";
	}
}

/* An integer, also written as an integral decimal ("12.0"): the digits are
 * read here rather than by strtoll, which with its locale and errno was a
 * tenth of profiling a lake. Out of range is no integer, as with ERANGE. */
static int parse_int(const char *s, long long *out)
{
	const char *p = s;
	int neg = *p == '-';
	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return 0;
	unsigned long long v = 0, limit = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (limit - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	if (*p == '.') {
		p++;
		while (*p == '0')
			p++;
	}
	if (*p)
		return 0;
	*out = neg ? (v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v) : (long long)v;
	return 1;
}

static int parse_float(const char *s, double *out)
{
	/* A finite number starts with a digit, a sign or a point (strtod's
	 * other forms, inf and nan, are refused below anyway): text columns
	 * skip strtod, which was most of profiling them. */
	if (!isdigit((unsigned char)*s) && *s != '-' && *s != '+' && *s != '.')
		return 0;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (*end || errno || !isfinite(v))
		return 0;
	*out = v;
	return 1;
}

static int digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* 2024-01-31, 2024/01/31, 31/01/2024, 01-31-2024, optionally with a time. */
static int is_date(const char *s)
{
	size_t n = strlen(s);
	if (n < 10)
		return 0;
	int ymd = digits(s, 4) && (s[4] == '-' || s[4] == '/') && digits(s + 5, 2) && s[7] == s[4] && digits(s + 8, 2);
	int dmy = digits(s, 2) && (s[2] == '-' || s[2] == '/' || s[2] == '.') && digits(s + 3, 2) && s[5] == s[2] &&
		  digits(s + 6, 4);
	return (ymd || dmy) && (n == 10 || s[10] == ' ' || s[10] == 'T');
}

static void insertion_sort(uint64_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint64_t x = v[i];
		size_t j = i;
		while (j && v[j - 1] > x) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

/* LSD radix sort on bytes, skipping passes where every key has the same
 * byte: the fallback for a bucket that hashes did not spread. */
static int radix_sort(uint64_t *v, size_t n)
{
	if (n < 64) {
		insertion_sort(v, n);
		return 0;
	}
	uint64_t *tmp = malloc(n * sizeof *tmp);
	if (!tmp)
		return -1;
	uint64_t *src = v, *dst = tmp;
	for (int shift = 0; shift < 64; shift += 8) {
		size_t count[256] = {0};
		for (size_t i = 0; i < n; i++)
			count[(src[i] >> shift) & 0xff]++;
		if (count[(src[0] >> shift) & 0xff] == n)
			continue;
		size_t sum = 0;
		for (size_t d = 0; d < 256; d++) {
			size_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & 0xff]++] = src[i];
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof *v);
	free(tmp);
	return 0;
}

/* Sorts hashes: they are uniform, so one pass on their top bits into about
 * n/4 buckets leaves a few keys per bucket, finished by insertion. Eight
 * radix passes over every column's rows were the largest single cost of
 * profiling. A bucket that gets many keys (hashes of adversarial values,
 * or repeats: sort_unique's input is rows, not distinct values) is radix
 * sorted, so no input makes it quadratic. */
static int hash_sort(uint64_t *v, size_t n)
{
	if (n < 256)
		return radix_sort(v, n);
	unsigned bits = 6;
	while (bits < 22 && ((size_t)1 << bits) < n / 4)
		bits++;
	size_t nb = (size_t)1 << bits;
	size_t *at = calloc(nb + 1, sizeof *at);
	uint64_t *tmp = malloc(n * sizeof *tmp);
	if (!at || !tmp) {
		free(at);
		free(tmp);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		at[(v[i] >> (64 - bits)) + 1]++;
	for (size_t b = 0; b < nb; b++)
		at[b + 1] += at[b];
	for (size_t i = 0; i < n; i++) /* at[b] ends as bucket b's end */
		tmp[at[v[i] >> (64 - bits)]++] = v[i];
	int rc = 0;
	for (size_t b = 0, lo = 0; b < nb && rc == 0; lo = at[b++]) {
		size_t len = at[b] - lo;
		if (len <= 32)
			insertion_sort(tmp + lo, len);
		else
			rc = radix_sort(tmp + lo, len);
	}
	memcpy(v, tmp, n * sizeof *v);
	free(at);
	free(tmp);
	return rc;
}

/* At most this many distinct values are gathered through a set. */
enum { FEW = 2048 };

/* The distinct values of v[0..m) when there are at most FEW of them,
 * gathered through a small set into v (unsorted): most columns (codes,
 * flags, dates, quantities) hold few values, and sorting every row to
 * find them was most of profiling. SIZE_MAX when there are more (v is
 * then unchanged) or no memory. */
static size_t few_distinct(uint64_t *v, size_t m)
{
	abi_hset set = {0};
	if (abi_hset_reset(&set, FEW) != 0)
		return SIZE_MAX;
	size_t u = 0;
	for (size_t i = 0; i < m && u <= FEW; i++)
		u += (size_t)abi_hset_add(&set, v[i]);
	if (u <= FEW) { /* the set's slots, in order: sorted afterwards */
		u = 0;
		for (size_t j = 0; j <= set.mask; j++)
			if (set.slot[j])
				v[u++] = set.slot[j];
	}
	abi_hset_free(&set);
	return u <= FEW ? u : SIZE_MAX;
}

size_t abi_sort_unique(uint64_t *v, size_t n)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i])
			v[m++] = v[i];
	size_t few = m >= 256 ? few_distinct(v, m) : SIZE_MAX;
	if (few != SIZE_MAX)
		return hash_sort(v, few) != 0 ? SIZE_MAX : few;
	if (hash_sort(v, m) != 0)
		return SIZE_MAX;
	size_t u = 0;
	for (size_t i = 0; i < m; i++)
		if (!u || v[u - 1] != v[i])
			v[u++] = v[i];
	return u;
}

int abi_contains(const uint64_t *y, size_t ny, uint64_t h)
{
	size_t lo = 0, hi = ny;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (y[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ny && y[lo] == h;
}

double abi_containment(const uint64_t *x, size_t nx, const uint64_t *y, size_t ny)
{
	if (!nx)
		return 0.0;
	size_t i = 0, j = 0, hit = 0;
	if (nx * 16 < ny) { /* a small set against a large one: binary search */
		for (i = 0; i < nx; i++)
			hit += (size_t)abi_contains(y, ny, x[i]);
		return (double)hit / nx;
	}
	while (i < nx && j < ny) {
		if (x[i] < y[j])
			i++;
		else if (x[i] > y[j])
			j++;
		else {
			hit++;
			i++;
			j++;
		}
	}
	return (double)hit / nx;
}

double abi_containment_sample(const uint64_t *x, size_t nx, const uint64_t *y, size_t ny, size_t sample)
{
	size_t n = nx < sample ? nx : sample;
	if (!n)
		return 0.0;
	size_t hit = 0;
	for (size_t i = 0; i < n; i++)
		hit += (size_t)abi_contains(y, ny, x[i]);
	return (double)hit / n;
}

static int profile_column(abi_column *c, const wcsv *t, size_t col)
{
	size_t nint = 0, nfloat = 0, ndate = 0, nonnull = 0;
	double len_sum = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		const char *s = wcsv_cell(t, r, col);
		if (!s)
			continue;
		nonnull++;
		len_sum += (double)strlen(s);
		long long iv;
		double fv;
		if (parse_int(s, &iv))
			nint++, nfloat++;
		else if (parse_float(s, &fv))
			nfloat++;
		else if (is_date(s))
			ndate++;
	}
	c->nnull = t->nrows - nonnull;
	c->avg_len = nonnull ? len_sum / (double)nonnull : 0;
	/* A column is of a type when 90% of its values are: exports mix in
	 * "unknown" or "n.a." often enough that purity is itself a feature. */
	if (!nonnull)
		c->type = ABI_T_EMPTY, c->purity = 1;
	else if (nint * 10 >= nonnull * 9)
		c->type = ABI_T_INT, c->purity = (double)nint / nonnull;
	else if (nfloat * 10 >= nonnull * 9)
		c->type = ABI_T_FLOAT, c->purity = (double)nfloat / nonnull;
	else if (ndate * 10 >= nonnull * 9)
		c->type = ABI_T_DATE, c->purity = (double)ndate / nonnull;
	else
		c->type = ABI_T_STRING, c->purity = 1;
	if (!(c->rows = calloc(t->nrows ? t->nrows : 1, sizeof *c->rows)) ||
	    !(c->distinct = malloc((t->nrows ? t->nrows : 1) * sizeof *c->distinct)))
		return -1;
	int first = 1;
	for (size_t r = 0; r < t->nrows; r++) {
		const char *s = wcsv_cell(t, r, col);
		if (!s)
			continue;
		long long iv;
		double fv;
		if (c->type == ABI_T_INT && parse_int(s, &iv)) {
			c->rows[r] = hash_int(iv);
			fv = (double)iv;
		} else {
			c->rows[r] = hash_text(s);
			if (c->type != ABI_T_FLOAT || !parse_float(s, &fv))
				continue;
		}
		if (first || fv < c->min)
			c->min = fv;
		if (first || fv > c->max)
			c->max = fv;
		first = 0;
	}
	memcpy(c->distinct, c->rows, t->nrows * sizeof *c->rows);
	size_t nd = abi_sort_unique(c->distinct, t->nrows);
	if (nd == SIZE_MAX)
		return -1;
	c->ndistinct = nd;
	return 0;
}

static int keyish_type(uint32_t type)
{
	return type == ABI_T_INT || type == ABI_T_STRING || type == ABI_T_DATE;
}

static int push_ckey(abi_profile *p, uint32_t a, uint32_t b, uint64_t *distinct, size_t nd)
{
	abi_ckey *nk = realloc(p->ckeys, (p->nckeys + 1) * sizeof *nk);
	if (!nk)
		return -1;
	p->ckeys = nk;
	p->ckeys[p->nckeys++] = (abi_ckey){a, b, nd, distinct};
	return 0;
}

/* 1 when some value of h[0..n) repeats, found through `seen` (reset here
 * for n values); 0 when all differ, -1 when out of memory. */
static int has_repeat(const uint64_t *h, size_t n, abi_hset *seen)
{
	if (abi_hset_reset(seen, n) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!abi_hset_add(seen, h[i]))
			return 1;
	return 0;
}

/* Minimal two-column keys among complete, non-unique key-like columns. */
static int find_composite_keys(abi_profile *p, size_t max_key_cols)
{
	size_t n = p->nrows;
	if (n < 2)
		return 0;
	uint32_t cand[64];
	size_t nc = 0;
	for (size_t c = 0; c < p->ncols && nc < max_key_cols && nc < 64; c++) {
		abi_column *col = &p->cols[c];
		if (keyish_type(col->type) && col->nnull == 0 && col->ndistinct >= 2 && col->ndistinct < n)
			cand[nc++] = (uint32_t)c;
	}
	if (nc < 2)
		return 0;
	abi_hset seen = {0};
	int rc = 0;
	for (size_t i = 0; i < nc && rc == 0; i++)
		for (size_t j = i + 1; j < nc && rc == 0; j++) {
			abi_column *a = &p->cols[cand[i]], *b = &p->cols[cand[j]];
			if ((double)a->ndistinct * (double)b->ndistinct < (double)n)
				continue;
			uint64_t *h = malloc(n * sizeof *h);
			if (!h) {
				rc = -1;
				break;
			}
			for (size_t r = 0; r < n; r++)
				h[r] = abi_pair_hash(a->rows[r], b->rows[r]);
			/* most pairs repeat early, and need no sort to say so */
			int rep = has_repeat(h, n, &seen);
			size_t nd = rep < 0 ? SIZE_MAX : rep ? 0 : abi_sort_unique(h, n);
			if (nd == SIZE_MAX)
				rc = -1;
			if (nd != n || push_ckey(p, cand[i], cand[j], h, nd) != 0) {
				free(h);
				if (nd == n)
					rc = -1;
			}
		}
	abi_hset_free(&seen);
	return rc;
}

int abi_profile_build(abi_profile *out, const wcsv *t, const char *table, size_t max_key_cols, char *err,
		      size_t errlen)
{
	memset(out, 0, sizeof *out);
	out->nrows = t->nrows;
	out->ncols = t->ncols;
	if (!(out->table = strdup(table)) || !(out->cols = calloc(t->ncols ? t->ncols : 1, sizeof *out->cols)))
		goto oom;
	for (size_t c = 0; c < t->ncols; c++) {
		out->cols[c].pos = (uint32_t)c;
		if (!(out->cols[c].name = strdup(t->names[c])) || profile_column(&out->cols[c], t, c) != 0)
			goto oom;
	}
	if (find_composite_keys(out, max_key_cols) != 0)
		goto oom;
	return 0;
oom:
	snprintf(err, errlen, "%s: out of memory while profiling", table);
	abi_profile_free(out);
	return -1;
}

void abi_profile_free(abi_profile *p)
{
	for (size_t c = 0; p->cols && c < p->ncols; c++) {
		free(p->cols[c].name);
		free(p->cols[c].rows);
		free(p->cols[c].distinct);
	}
	for (size_t k = 0; k < p->nckeys; k++)
		free(p->ckeys[k].distinct);
	free(p->cols);
	free(p->ckeys);
	free(p->table);
	memset(p, 0, sizeof *p);
}

/* ---- binary form
 *
 * "ABIPROF2", the table's name, u64 rows, u64 columns, u64 composite keys;
 * each column: name, u32 pos, u32 type, f64 purity, u64 nulls, u64
 * distinct, f64 min, max, average length, the distinct hashes (sorted),
 * then each row's value as its code: 0 missing, else 1 + the value's place
 * among the distinct hashes, in 1, 2 or 4 bytes as the distinct count
 * needs; each composite key: u32 a, b, u64 count, its sorted pair hashes.
 * Native byte order: a profile is read back by the same build. The rows
 * were each a u64 hash (ABIPROF1, still read): 258 of the 285 MB of the
 * 1,000-table lake's profiles, written and hashed by the profile nodes
 * and read back by the candidate search. */

static const char magic1[8] = {'A', 'B', 'I', 'P', 'R', 'O', 'F', '1'};
static const char magic[8] = {'A', 'B', 'I', 'P', 'R', 'O', 'F', '2'};

/* Bytes per row code for a column of nd distinct values. */
static unsigned code_width(uint64_t nd)
{
	return nd < 255 ? 1 : nd < 65535 ? 2 : 4;
}

/* The rows of c as codes of `w` bytes into out (nrows * w bytes): each
 * row's hash looked up among the distinct ones (a table by the hash's top
 * bits, like hset.h, with the place beside it). -1 when out of memory or
 * a row's hash is not among them (a profile not built by
 * abi_profile_build). */
static int row_codes(const abi_column *c, uint64_t nrows, unsigned w, unsigned char *out)
{
	unsigned bits = 4;
	while (((uint64_t)1 << bits) < 2 * c->ndistinct)
		bits++;
	size_t cap = (size_t)1 << bits, mask = cap - 1;
	uint64_t *key = calloc(cap, sizeof *key);
	uint32_t *place = malloc(cap * sizeof *place);
	int rc = key && place ? 0 : -1;
	for (uint64_t i = 0; rc == 0 && i < c->ndistinct; i++) {
		size_t j = (size_t)(c->distinct[i] >> (64 - bits));
		while (key[j])
			j = (j + 1) & mask;
		key[j] = c->distinct[i];
		place[j] = (uint32_t)i + 1;
	}
	for (uint64_t r = 0; rc == 0 && r < nrows; r++) {
		uint64_t h = c->rows[r];
		uint32_t code = 0;
		if (h) {
			size_t j = (size_t)(h >> (64 - bits));
			while (key[j] && key[j] != h)
				j = (j + 1) & mask;
			if (!key[j]) {
				rc = -1;
				break;
			}
			code = place[j];
		}
		if (w == 1)
			out[r] = (unsigned char)code;
		else if (w == 2) {
			uint16_t v = (uint16_t)code;
			memcpy(out + r * 2, &v, 2);
		} else
			memcpy(out + r * 4, &code, 4);
	}
	free(key);
	free(place);
	return rc;
}

int abi_profile_save(const abi_profile *p, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	uint64_t ncols = p->ncols, nckeys = p->nckeys;
	int bad = abi_put(f, magic, sizeof magic) || abi_put_str(f, p->table) || abi_put(f, &p->nrows, 8) ||
		  abi_put(f, &ncols, 8) || abi_put(f, &nckeys, 8);
	unsigned char *codes = malloc(p->nrows ? p->nrows * 4 : 1);
	int lost = !codes;
	for (size_t c = 0; !bad && !lost && c < p->ncols; c++) {
		const abi_column *col = &p->cols[c];
		unsigned w = code_width(col->ndistinct);
		bad = abi_put_str(f, col->name) || abi_put(f, &col->pos, 4) || abi_put(f, &col->type, 4) ||
		      abi_put(f, &col->purity, 8) || abi_put(f, &col->nnull, 8) || abi_put(f, &col->ndistinct, 8) ||
		      abi_put(f, &col->min, 8) || abi_put(f, &col->max, 8) || abi_put(f, &col->avg_len, 8) ||
		      abi_put(f, col->distinct, col->ndistinct * 8);
		lost = !bad && row_codes(col, p->nrows, w, codes) != 0;
		bad = bad || lost || abi_put(f, codes, p->nrows * w);
	}
	free(codes);
	for (size_t k = 0; !bad && !lost && k < p->nckeys; k++) {
		const abi_ckey *ck = &p->ckeys[k];
		bad = abi_put(f, &ck->a, 4) || abi_put(f, &ck->b, 4) || abi_put(f, &ck->ndistinct, 8) ||
		      abi_put(f, ck->distinct, ck->ndistinct * 8);
	}
	if (fclose(f) != 0)
		bad = 1;
	if (lost)
		snprintf(err, errlen, "cannot write %s: out of memory, or a row's value is not among its column's "
			 "distinct values", path);
	else if (bad)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
	return bad || lost ? -1 : 0;
}

static int get_str(abi_reader *r, char **out)
{
	uint32_t n;
	if (abi_get(r, &n, 4) || n > abi_left(r) || !(*out = strndup((const char *)r->d + r->pos, n)))
		return -1;
	r->pos += n;
	return 0;
}

static int get_array(abi_reader *r, uint64_t **out, uint64_t n)
{
	if (n > abi_left(r) / 8 || !(*out = malloc(n ? n * 8 : 8)))
		return -1;
	return abi_get(r, *out, n * 8);
}

/* A column's rows from their codes (after its distinct hashes): -1 when
 * they run past the file or a code names no distinct value. */
static int get_rows(abi_reader *r, abi_column *c, uint64_t nrows)
{
	unsigned w = code_width(c->ndistinct);
	if (nrows > abi_left(r) / w || !(c->rows = malloc(nrows ? nrows * 8 : 8)))
		return -1;
	const unsigned char *d = r->d + r->pos;
	uint64_t nd = c->ndistinct;
	for (uint64_t i = 0; i < nrows; i++) {
		uint32_t code;
		if (w == 1)
			code = d[i];
		else if (w == 2) {
			uint16_t v;
			memcpy(&v, d + i * 2, 2);
			code = v;
		} else
			memcpy(&code, d + i * 4, 4);
		if (code > nd)
			return -1;
		c->rows[i] = code ? c->distinct[code - 1] : 0;
	}
	r->pos += nrows * w;
	return 0;
}

static int parse_profile(abi_profile *p, abi_reader *r)
{
	char m[8];
	uint64_t ncols, nckeys;
	if (abi_get(r, m, 8) || (memcmp(m, magic, 8) && memcmp(m, magic1, 8)) || get_str(r, &p->table) ||
	    abi_get(r, &p->nrows, 8) || abi_get(r, &ncols, 8) || abi_get(r, &nckeys, 8))
		return -1;
	int v1 = memcmp(m, magic1, 8) == 0;
	if (ncols > r->len || nckeys > r->len || !(p->cols = calloc(ncols ? ncols : 1, sizeof *p->cols)) ||
	    !(p->ckeys = calloc(nckeys ? nckeys : 1, sizeof *p->ckeys)))
		return -1;
	/* Counts grow before each entry is filled, so a failure frees it too. */
	while (p->ncols < ncols) {
		abi_column *c = &p->cols[p->ncols++];
		if (get_str(r, &c->name) || abi_get(r, &c->pos, 4) || abi_get(r, &c->type, 4) || abi_get(r, &c->purity, 8) ||
		    abi_get(r, &c->nnull, 8) || abi_get(r, &c->ndistinct, 8) || abi_get(r, &c->min, 8) || abi_get(r, &c->max, 8) ||
		    abi_get(r, &c->avg_len, 8) ||
		    (v1 ? get_array(r, &c->rows, p->nrows) || get_array(r, &c->distinct, c->ndistinct)
			: get_array(r, &c->distinct, c->ndistinct) || get_rows(r, c, p->nrows)))
			return -1;
	}
	while (p->nckeys < nckeys) {
		abi_ckey *k = &p->ckeys[p->nckeys++];
		if (abi_get(r, &k->a, 4) || abi_get(r, &k->b, 4) || abi_get(r, &k->ndistinct, 8) || k->a >= ncols ||
		    k->b >= ncols || get_array(r, &k->distinct, k->ndistinct))
			return -1;
	}
	return r->pos == r->len ? 0 : -1;
}

int abi_profile_load(abi_profile *out, const char *path, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	char *d;
	size_t n;
	if (wio_read_all(&d, &n, path, path, ABI_PROFILE_MAX_BYTES, err, errlen) != 0)
		return -1;
	abi_reader r = {(unsigned char *)d, n, 0};
	if (parse_profile(out, &r) != 0) {
		free(d);
		abi_profile_free(out);
		snprintf(err, errlen, "%s is not an autobi profile (or is truncated); run autobi.profile on the table again",
			 path);
		return -1;
	}
	free(d);
	return 0;
}
