/*
 * candidates.c -- candidate generation and feature extraction.
 *
 * The pair search is what makes many tables cost: every column of every
 * table against every key of every other. Each pair is first tested on a
 * sample (the 64 smallest distinct hashes of x, a uniform sample since the
 * hashes are uniform); only survivors pay for the exact sorted merge. The
 * sample test is made for all columns at once, by one pass over the key's
 * values through an index of the samples (sampleix.h): a column none of
 * whose sample the key holds is never looked at.
 */
#define _GNU_SOURCE
#include "candidates.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "hset.h"
#include "names.h"
#include "parallel.h"
#include "sampleix.h"

const char *const abi_feature_names[ABI_NFEATURES] = {
	"containment", "containment_full", "reverse_containment", "to_unique", "from_unique",
	"distinct_ratio", "name_similarity", "name_equal", "name_refers", "refers_margin",
	"to_named_own_key", "from_keyish", "to_keyish", "both_int", "both_string",
	"range_overlap", "to_first_column", "from_position", "row_ratio", "to_dense",
	"from_own_key", "composite", "length_similarity", "from_nulls", "from_purity",
	"containment_x_refers", "self_reference", "self_unnamed", "role_name", "value_evidence", "both_date", "to_alternate_key", "unnamed_by_chance", "sibling_named_better", "role_to_people",
};

/* SAMPLE: distinct hashes (or rows) in the first, cheap containment test.
 * ROW_SAMPLE rows measure the orphan share; ROW_MIN of them must join for a
 * column whose distinct values mostly do not (orphans) to stay a candidate. */
enum { SAMPLE = 64, ROW_SAMPLE = 256 };
/* A column of at most this many values whose name reads as no key is a
 * measure or a code when it fits a dense 1..N key by chance (by_chance):
 * 256 covers lap numbers (1..78), cart positions and quantities, which 64
 * left to the classifier. */
#define FEW_VALUES 256
#define ROW_MIN 0.9

int abi_cand_same_from(const abi_cand *a, const abi_cand *b)
{
	return a->from == b->from && a->ncols == b->ncols && a->fc[0] == b->fc[0] &&
	       (a->ncols < 2 || a->fc[1] == b->fc[1]);
}

static int by_from(const void *pa, const void *pb, void *arg)
{
	const abi_cand *v = arg, *a = &v[*(const uint32_t *)pa], *b = &v[*(const uint32_t *)pb];
	uint32_t ka[4] = {a->from, a->ncols, a->fc[0], a->ncols > 1 ? a->fc[1] : 0};
	uint32_t kb[4] = {b->from, b->ncols, b->fc[0], b->ncols > 1 ? b->fc[1] : 0};
	for (int i = 0; i < 4; i++)
		if (ka[i] != kb[i])
			return ka[i] < kb[i] ? -1 : 1;
	return *(const uint32_t *)pa < *(const uint32_t *)pb ? -1 : 1;
}

int abi_cand_groups(const abi_cands *c, uint32_t *group)
{
	uint32_t *ix = malloc((c->n ? c->n : 1) * sizeof *ix);
	if (!ix)
		return -1;
	for (size_t i = 0; i < c->n; i++)
		ix[i] = (uint32_t)i;
	qsort_r(ix, c->n, sizeof *ix, by_from, c->v);
	/* each run is sorted by index, so its head is its first candidate */
	for (size_t lo = 0, hi; lo < c->n; lo = hi) {
		for (hi = lo; hi < c->n && abi_cand_same_from(&c->v[ix[hi]], &c->v[ix[lo]]); hi++)
			group[ix[hi]] = ix[lo];
	}
	free(ix);
	return 0;
}

int abi_cands_push(abi_cands *c, const abi_cand *v)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		abi_cand *nv = realloc(c->v, cap * sizeof *nv);
		if (!nv)
			return -1;
		c->v = nv;
		c->cap = cap;
	}
	c->v[c->n++] = *v;
	return 0;
}

void abi_cands_free(abi_cands *c)
{
	free(c->v);
	memset(c, 0, sizeof *c);
}

typedef struct best_refs {
	int done;
	uint32_t t1;          /* the table this column names best */
	double r1, r2;        /* its refers() and the second best, own table excluded */
} best_refs;

/* Names of every table and column, tokenised once. */
typedef struct names {
	abi_name *table;   /* per table */
	abi_name **col;    /* per table, per column */
	best_refs **best;  /* per table, per column: filled on first use */
	uint8_t **word;    /* per table, per column: NAME_KEYISH | NAME_ROLE */
	/* per first letter of a table's words: the tables (ascending) with a
	 * word starting so. A column names a table only through a word that
	 * shares its first letter with one of the table's (equal, a prefix,
	 * or an abbreviation starting it), so the others need no look. */
	uint32_t *by_letter[256];
	size_t n_letter[256];
	const abi_profile *profs; /* the tables, for peer columns */
} names;

enum { NAME_KEYISH = 1, NAME_ROLE = 2 };

static void names_free(names *nm, size_t n)
{
	for (int c = 0; c < 256; c++)
		free(nm->by_letter[c]);
	for (size_t t = 0; nm->col && t < n; t++)
		free(nm->col[t]);
	for (size_t t = 0; nm->best && t < n; t++)
		free(nm->best[t]);
	for (size_t t = 0; nm->word && t < n; t++)
		free(nm->word[t]);
	free(nm->col);
	free(nm->best);
	free(nm->word);
	free(nm->table);
}

static int by_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static double nonnull(const abi_profile *p, const abi_column *c)
{
	return (double)(p->nrows - c->nnull);
}

static double uniq(const abi_profile *p, const abi_column *c)
{
	double nn = nonnull(p, c);
	return nn > 0 ? (double)c->ndistinct / nn : 0.0;
}

/* A column this unique is a key, not a peer (min_key_unique's default). */
#define PEER_MAX_UNIQUE 0.98

/* Whether table t holds a peer of column xn: a column of the same name
 * (other than `skip`) whose values repeat, as a reference's do. Then xn's
 * words name t only because both point at a third table:
 * movie_info.movie_id and movie_companies.movie_id both reference title,
 * and movie_id names movie_companies by its modifier word alone. */
static int has_peer(const names *nm, uint32_t t, const abi_name *xn, long skip)
{
	const abi_profile *T = &nm->profs[t];
	for (size_t c = 0; c < T->ncols; c++)
		if ((long)c != skip && abi_name_equal(&nm->col[t][c], xn) && uniq(T, &T->cols[c]) < PEER_MAX_UNIQUE)
			return 1;
	return 0;
}

/* Whether the column's last word that is no key word (type in
 * PostTypeId) is one of the table's words. */
static int head_in(const abi_name *col, const abi_name *table)
{
	int h = col->n - 1;
	while (h >= 0 && ((col->keyw >> h) & 1))
		h--;
	if (h < 0)
		return 1;
	abi_name one;
	abi_name_split(&one, col->tok[h], "", 1);
	for (int i = 0; i < table->n; i++)
		if (one.n == 1 && !strcmp(one.tok[0], table->tok[i]))
			return 1;
	return 0;
}

/* Whether word `w` is the whole name of a table other than t (posts). */
static int names_a_table(const names *nm, const char *w, uint32_t t)
{
	unsigned char c = (unsigned char)w[0];
	abi_name one;
	abi_name_split(&one, w, "", 1); /* singular, as table names are */
	for (size_t i = 0; i < nm->n_letter[c]; i++) {
		const abi_name *u = &nm->table[nm->by_letter[c][i]];
		if (nm->by_letter[c][i] != t && u->n == 1 && one.n == 1 && !strcmp(u->tok[0], one.tok[0]))
			return 1;
	}
	return 0;
}

/* How much column xc of table a names table t (abi_name_refers), 0 when t
 * holds a peer of it, or when the column's name modifies t's head word by
 * the name of another table where t has a modifier of its own:
 * Posts.PostTypeId names a post type, not VoteTypes (whose 1..15 key held
 * its 1..8 by chance; p 0.6 as a join). A modifier that names no table
 * (ws_bill_addr_sk -> customer_address) is a role, and stays. y is the
 * column of t the pair would join (-1: any). */
static double refers_to(const names *nm, uint32_t a, uint32_t xc, uint32_t t, long y)
{
	const abi_name *xn = &nm->col[a][xc];
	double r = abi_name_refers(xn, &nm->table[t]);
	if (r > 0 && t != a && has_peer(nm, t, xn, y))
		return 0.0;
	if (r > 0 && t == a && !head_in(xn, &nm->table[t]))
		return 0.0; /* Posts.PostTypeId names a post type, not its own table */
	int idx[ABI_MAX_TOKENS], n = r > 0 ? abi_name_rival_modifiers(xn, &nm->table[t], idx) : 0;
	for (int i = 0; i < n; i++)
		if (names_a_table(nm, xn->tok[idx[i]], t))
			return 0.0;
	return r;
}

/* How well column (a, xc) names any table other than a and b: the best
 * over all tables is kept per column, so a schema of T tables costs T
 * comparisons per column instead of T per candidate, and only the tables
 * sharing a first letter with one of the column's words are compared (the
 * rest refer 0; on 1,000 tables comparing them all was a tenth of the
 * search). Tables are visited in ascending order, as over all of them. */
static double best_other_refers(const names *nm, size_t ntables, uint32_t a, uint32_t xc, uint32_t b)
{
	best_refs *br = &nm->best[a][xc];
	if (!br->done) {
		br->done = 1;
		br->t1 = a;
		const abi_name *cn = &nm->col[a][xc];
		size_t total = 0;
		unsigned char seen[ABI_MAX_TOKENS];
		int nseen = 0;
		for (int j = 0; j < cn->n; j++) {
			unsigned char c = (unsigned char)cn->tok[j][0];
			int dup = (cn->keyw >> j) & 1;
			for (int q = 0; q < nseen && !dup; q++)
				dup = seen[q] == c;
			if (!dup) {
				seen[nseen++] = c;
				total += nm->n_letter[c];
			}
		}
		uint32_t *cand = total ? malloc(total * sizeof *cand) : NULL;
		size_t nc = 0;
		for (int q = 0; cand && q < nseen; q++) {
			if (!nm->n_letter[seen[q]])
				continue; /* no table has a word starting so (and no list) */
			memcpy(cand + nc, nm->by_letter[seen[q]], nm->n_letter[seen[q]] * sizeof *cand);
			nc += nm->n_letter[seen[q]];
		}
		if (total && !cand) { /* no memory for the shortlist: every table */
			nc = ntables;
		} else if (nc > 1 && nseen > 1) {
			qsort(cand, nc, sizeof *cand, by_u32);
		}
		for (size_t i = 0; i < nc; i++) {
			size_t t = cand ? cand[i] : i;
			if (t == a || (i && cand && cand[i - 1] == cand[i]))
				continue;
			double r = refers_to(nm, a, xc, (uint32_t)t, -1);
			if (r > br->r1) {
				br->r2 = br->r1;
				br->r1 = r;
				br->t1 = (uint32_t)t;
			} else if (r > br->r2)
				br->r2 = r;
		}
		free(cand);
	}
	return br->t1 == b ? br->r2 : br->r1;
}

/* Fills nm->by_letter from the tokenised table names. */
static int letter_index(names *nm, size_t n)
{
	for (size_t t = 0; t < n; t++) {
		const abi_name *tn = &nm->table[t];
		for (int i = 0; i < tn->n; i++) {
			unsigned char c = (unsigned char)tn->tok[i][0];
			size_t k = nm->n_letter[c];
			if (k && nm->by_letter[c][k - 1] == (uint32_t)t)
				continue; /* this table is listed under c already */
			if ((k & (k - 1)) == 0) { /* 0, 1, 2, 4, ...: grow */
				uint32_t *nl = realloc(nm->by_letter[c], (k ? 2 * k : 1) * sizeof *nl);
				if (!nl)
					return -1;
				nm->by_letter[c] = nl;
			}
			nm->by_letter[c][nm->n_letter[c]++] = (uint32_t)t;
		}
	}
	return 0;
}

static int names_build(names *nm, const abi_profile *profs, size_t n)
{
	nm->table = calloc(n ? n : 1, sizeof *nm->table);
	nm->col = calloc(n ? n : 1, sizeof *nm->col);
	nm->best = calloc(n ? n : 1, sizeof *nm->best);
	nm->word = calloc(n ? n : 1, sizeof *nm->word);
	nm->profs = profs;
	if (!nm->table || !nm->col || !nm->best || !nm->word)
		return -1;
	for (size_t t = 0; t < n; t++) {
		const abi_profile *p = &profs[t];
		abi_name_split(&nm->table[t], p->table, NULL, 1);
		const char **cols = malloc((p->ncols ? p->ncols : 1) * sizeof *cols);
		if (!cols || !(nm->col[t] = calloc(p->ncols ? p->ncols : 1, sizeof **nm->col)) ||
		    !(nm->best[t] = calloc(p->ncols ? p->ncols : 1, sizeof **nm->best)) ||
		    !(nm->word[t] = calloc(p->ncols ? p->ncols : 1, sizeof **nm->word))) {
			free(cols);
			return -1;
		}
		for (size_t c = 0; c < p->ncols; c++)
			cols[c] = p->cols[c].name;
		char prefix[8];
		abi_name_common_prefix(prefix, sizeof prefix, cols, p->ncols);
		free(cols);
		for (size_t c = 0; c < p->ncols; c++) {
			abi_name_split(&nm->col[t][c], p->cols[c].name, prefix, 0);
			nm->word[t][c] = (uint8_t)((abi_name_is_keyish(&nm->col[t][c]) ? NAME_KEYISH : 0) |
						   (abi_name_has_role(&nm->col[t][c]) ? NAME_ROLE : 0));
		}
	}
	return letter_index(nm, n);
}

static int key_type(uint32_t t)
{
	return t == ABI_T_INT || t == ABI_T_STRING || t == ABI_T_DATE;
}

/* Every column is indexed: a composite key's part may be of any type. */
static int any_type(uint32_t t)
{
	(void)t;
	return 1;
}

static double range_overlap(const abi_column *x, const abi_column *y)
{
	if (x->type != ABI_T_INT)
		return 1.0;
	double lo = x->min > y->min ? x->min : y->min, hi = x->max < y->max ? x->max : y->max;
	if (hi < lo)
		return 0.0;
	double w = x->max - x->min;
	return w > 0 ? (hi - lo) / w : 1.0;
}

static double clip(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Orphan-tolerant containment: -log10 of the orphan share, over 3 and
 * clipped, so 1% dangling references (real extracts have them) lower the
 * feature smoothly instead of dropping it from 1 to 0. */
static double contain_log(double c)
{
	double orphans = 1.0 - c;
	return clip(-log10(orphans > 1e-3 ? orphans : 1e-3) / 3.0, 0, 1);
}

/* How unlikely it is that x's values fall inside y's by chance, as bits
 * over 32, clipped to 0..1. An integer value drawn from y's range hits y
 * with probability |y| / range(y): never informative for a dense 1..N key
 * (day of week, line numbers and quantities fit inside small dense keys),
 * strong for a sparse one. A text value is a few bits per character, so
 * two-letter flags carry little and codes carry much. A date inside a
 * date dimension's run of days is no evidence at all. */
static double value_evidence(const abi_column *x, const abi_column *y, double containment)
{
	double d = (double)x->ndistinct * containment, bits = 0;
	if (y->type == ABI_T_INT) {
		double range = y->max - y->min + 1;
		if (range > (double)y->ndistinct && y->ndistinct > 0)
			bits = d * log2(range / (double)y->ndistinct);
	} else if (y->type == ABI_T_STRING) {
		double len = x->avg_len < 8 ? x->avg_len : 8;
		bits = d * len * 1.5;
	}
	return clip(bits / 32.0, 0, 1);
}

/* Whether a pair is no candidate at all: its values would sit inside y
 * by chance even if every one joined (under 8 bits of value evidence:
 * integers inside a dense 1..N key), no name ties the column to y (it does
 * not name y's table, is neither equal nor alike to y's name, names no
 * role), and either it is a column of a few values (FEW_VALUES) whose name
 * reads as no key (a month, a quarter, a quantity, a lap, a flag; user_id
 * reads as a key) or
 * its name clearly names another table (customer_id inside a store's
 * 1..N). On 1,000 tables most pairs were such, and the classifier gave
 * them low odds one by one. */
static int by_chance(const names *nm, size_t ntables, uint32_t a, uint32_t xc, uint32_t b, uint32_t yc,
		     const abi_column *x, const abi_column *y)
{
	/* the column's own words and values first: most pairs end there,
	 * before any name is compared with another */
	uint8_t w = nm->word[a][xc];
	if ((w & NAME_ROLE) || value_evidence(x, y, 1.0) >= 0.25)
		return 0;
	int few = x->ndistinct <= FEW_VALUES && !(w & NAME_KEYISH);
	if (!few && best_other_refers(nm, ntables, a, xc, b) < 0.5)
		return 0;
	const abi_name *xn = &nm->col[a][xc], *yn = &nm->col[b][yc];
	return refers_to(nm, a, xc, b, yc) < 0.3 && !abi_name_equal(xn, yn) && abi_name_similarity(xn, yn) < 0.3;
}

/* Features of one column pair; composite joins average two of these.
 * `joined` is the share of x that joins (of its rows, where that is
 * measured), for the orphan-tolerant containment feature. */
static void pair_features(double *f, const names *nm, const abi_profile *profs, size_t ntables, uint32_t a,
			  uint32_t xc, uint32_t b, uint32_t yc, double containment, double joined)
{
	const abi_profile *A = &profs[a], *B = &profs[b];
	const abi_column *x = &A->cols[xc], *y = &B->cols[yc];
	const abi_name *xn = &nm->col[a][xc], *yn = &nm->col[b][yc];
	double refers = refers_to(nm, a, xc, b, yc);
	double best_other = best_other_refers(nm, ntables, a, xc, b);
	double nx = (double)x->ndistinct, ny = (double)y->ndistinct;
	f[ABI_F_CONTAIN] = containment;
	f[ABI_F_CONTAIN_FULL] = contain_log(joined);
	f[ABI_F_REV_CONTAIN] = ny > 0 ? clip(containment * nx / ny, 0, 1) : 0;
	f[ABI_F_Y_UNIQUE] = uniq(B, y);
	f[ABI_F_X_UNIQUE] = uniq(A, x);
	f[ABI_F_DISTINCT_RATIO] = clip(log1p(nx) / log1p(ny > 0 ? ny : 1), 0, 2);
	/* Similar and equal are kept apart (similar means: not equal), so the
	 * classifier does not learn one as a correction of the other. */
	f[ABI_F_NAME_EQUAL] = abi_name_equal(xn, yn);
	f[ABI_F_NAME_SIM] = f[ABI_F_NAME_EQUAL] ? 0 : abi_name_similarity(xn, yn);
	f[ABI_F_NAME_REFERS] = refers;
	f[ABI_F_REFERS_MARGIN] = refers - best_other;
	f[ABI_F_Y_OWN] = abi_name_refers(yn, &nm->table[b]) > 0.5 || (yn->n == 1 && abi_name_is_keyish(yn));
	f[ABI_F_X_KEYISH] = abi_name_is_keyish(xn);
	f[ABI_F_Y_KEYISH] = abi_name_is_keyish(yn);
	f[ABI_F_BOTH_INT] = x->type == ABI_T_INT;
	f[ABI_F_BOTH_STRING] = x->type == ABI_T_STRING;
	f[ABI_F_RANGE_OVERLAP] = range_overlap(x, y);
	f[ABI_F_Y_FIRST] = y->pos == 0;
	f[ABI_F_X_POS] = A->ncols > 1 ? (double)x->pos / (double)(A->ncols - 1) : 0;
	f[ABI_F_ROW_RATIO] =
		clip(log10(((double)A->nrows + 1) / ((double)B->nrows + 1)) / 3.0, -1, 1);
	f[ABI_F_Y_DENSE] = y->type == ABI_T_INT && y->max - y->min + 1 == ny;
	f[ABI_F_X_OWN_KEY] = x->pos == 0 && x->nnull == 0 && uniq(A, x) >= 0.999;
	f[ABI_F_COMPOSITE] = 0;
	double lx = x->avg_len, ly = y->avg_len;
	f[ABI_F_LEN_SIM] = lx > 0 && ly > 0 ? (lx < ly ? lx / ly : ly / lx) : 0;
	f[ABI_F_X_NULLS] = A->nrows ? (double)x->nnull / (double)A->nrows : 0;
	f[ABI_F_X_PURITY] = x->purity;
	f[ABI_F_CONTAIN_NAME] = containment * refers;
	/* A self-reference is a hierarchy only when the name says so (a role
	 * such as manager, parent or reports_to); without that it is a number
	 * inside its own table's key range, which is common. The table's own
	 * name is no such sign: post_type_id in posts names a post type. */
	int role = abi_name_has_role(xn);
	f[ABI_F_SELF] = a == b && role;
	f[ABI_F_SELF_PLAIN] = a == b && !f[ABI_F_SELF];
	f[ABI_F_ROLE] = role;
	f[ABI_F_ROLE_TO_PEOPLE] = role && a != b && abi_name_is_people(&nm->table[b]);
	f[ABI_F_VALUE_EVIDENCE] = value_evidence(x, y, containment);
	f[ABI_F_BOTH_DATE] = x->type == ABI_T_DATE;
	/* Nothing in the names, and values that would fit by chance: a birth
	 * month inside a 12-row dimension's 1..12 key. */
	int unnamed = refers < 0.3 && !f[ABI_F_NAME_EQUAL] && f[ABI_F_NAME_SIM] < 0.3 && !role;
	f[ABI_F_UNNAMED_CHANCE] = unnamed ? 1.0 - f[ABI_F_VALUE_EVIDENCE] : 0;
	f[ABI_F_TO_ALT_KEY] = y->pos != 0 && B->ncols > 0 && B->cols[0].nnull == 0 && uniq(B, &B->cols[0]) >= 0.999;
}

/* The distinct values of the key being tried, as a set (hset.h): every
 * column is tested against one key at a time, and binary search over the
 * key's sorted values was a tenth of the search on 1,000 tables (row
 * samples, and the exact containment of 265,000 pairs). One per thread,
 * refilled for each key. */
typedef struct keyvals {
	abi_hset set;
	const abi_column *of; /* the key it holds, or NULL */
} keyvals;

static int keyvals_fill(keyvals *k, const abi_column *y)
{
	if (k->of == y)
		return 0;
	if (abi_hset_reset(&k->set, y->ndistinct) != 0)
		return -1;
	for (size_t i = 0; i < y->ndistinct; i++)
		abi_hset_add(&k->set, y->distinct[i]);
	k->of = y;
	return 0;
}

static int keyvals_has(const keyvals *k, uint64_t h)
{
	return abi_hset_has(&k->set, h);
}

/* |x ∩ y| / |x| over distinct values, y in the set: the same count as the
 * sorted merge (abi_containment). */
static double set_containment(const abi_column *x, const keyvals *y)
{
	if (!x->ndistinct)
		return 0.0;
	size_t hit = 0;
	for (size_t i = 0; i < x->ndistinct; i++)
		hit += (size_t)keyvals_has(y, x->distinct[i]);
	return (double)hit / (double)x->ndistinct;
}

/* Share of x's non-missing rows whose value is a key of y, on up to
 * `sample` rows taken at an even stride. Orphans are a share of rows: 2%
 * dangling references into a 6-row dimension are 80 distinct values
 * against 6, which containment over distinct values reads as 0.07.
 * With need > 0 it stops, returning 0, once the rows left cannot bring the
 * share to `need`: most pairs tested against 90% are no join and stop
 * within a few rows (on 1,000 tables there were 768,000 such tests). */
static double row_share(const abi_profile *A, const abi_column *x, const keyvals *y, size_t sample, double need)
{
	if (x->nnull >= A->nrows)
		return 0.0;
	/* The stride spans the whole table: extracts are often sorted, and the
	 * first rows alone would say nothing about the last. */
	size_t stride = (A->nrows + sample - 1) / sample, seen = 0, hit = 0;
	for (size_t r = 0; r < A->nrows && seen < sample; r += stride) {
		if (!x->rows[r])
			continue;
		seen++;
		hit += (size_t)keyvals_has(y, x->rows[r]);
		/* at best every row still to come joins */
		size_t left = (A->nrows - 1 - r) / stride, cap = sample - seen;
		double rem = (double)(left < cap ? left : cap);
		if (need > 0 && ((double)hit + rem) < need * ((double)seen + rem))
			return 0.0;
	}
	return seen ? (double)hit / (double)seen : 0.0;
}

static double row_containment(const abi_profile *A, const abi_column *x, const keyvals *y, size_t sample)
{
	return row_share(A, x, y, sample, 0);
}

static int rows_join_at_least(const abi_profile *A, const abi_column *x, const keyvals *y, size_t sample,
			      double need)
{
	return row_share(A, x, y, sample, need) >= need;
}

static int single_candidates(abi_cands *out, const names *nm, const abi_profile *profs, size_t n,
			     const abi_cand_opts *o, abi_sampleix *ix, keyvals *ks, uint32_t b0, uint32_t b1)
{
	for (uint32_t b = b0; b < b1; b++) {
		const abi_profile *B = &profs[b];
		for (uint32_t yc = 0; yc < B->ncols; yc++) {
			const abi_column *y = &B->cols[yc];
			if (!key_type(y->type) || y->ndistinct < 2 || uniq(B, y) < o->min_key_unique)
				continue;
			const uint32_t *ids, *hits;
			size_t nhit = abi_sampleix_hits(ix, y->distinct, y->ndistinct, &ids, &hits);
			/* in (table, column) order, as the pairs were once tried */
			for (size_t k = 0; k < nhit; k++) {
				uint32_t a, xc;
				abi_sampleix_column(ix, ids[k], &a, &xc);
				const abi_profile *A = &profs[a];
				const abi_column *x = &A->cols[xc];
				if (x->type != y->type || !x->ndistinct || (a == b && xc == yc))
					continue;
				/* A self-reference (manager_id -> id) is a candidate
				 * only from a non-key column: two keys of one table
				 * contain each other trivially. */
				if (a == b && uniq(A, x) >= o->min_key_unique)
					continue;
				if (x->type == ABI_T_INT && (x->min > y->max || x->max < y->min))
					continue;
				if (by_chance(nm, n, a, xc, b, yc, x, y))
					continue;
				double est = (double)hits[k] / (double)(x->ndistinct < SAMPLE ? x->ndistinct : SAMPLE);
				/* Distinct values first; a column that fails there
				 * may still be a dirty key whose rows mostly join.
				 * Only a repeated column can (orphans are rare
				 * values), and some of the sample must join. */
				int sparse = est < o->min_containment - 0.2;
				if (sparse && uniq(A, x) > 0.5)
					continue;
				if (keyvals_fill(ks, y) != 0) /* out of memory: no candidate silently lost */
					return -1;
				if (sparse && !rows_join_at_least(A, x, ks, SAMPLE, ROW_MIN))
					continue;
				double c = set_containment(x, ks);
				/* When every distinct value joins, so does every row. */
				double rc = c >= 0.999 ? c : row_containment(A, x, ks, ROW_SAMPLE);
				if (c < o->min_containment && rc < ROW_MIN)
					continue;
				abi_cand cd = {.from = a, .to = b, .fc = {xc, 0}, .tc = {yc, 0}, .ncols = 1};
				pair_features(cd.x, nm, profs, n, a, xc, b, yc, c, rc > c ? rc : c);
				if (abi_cands_push(out, &cd) != 0)
					return -1;
			}
		}
	}
	return 0;
}

/* The columns (ids, ascending) of y's type whose sample sits inside key
 * part y, at least min_c of it: *out (malloc'd) and its length. */
static int part_matches(uint32_t **out, size_t *nout, abi_sampleix *ix, const abi_profile *profs,
			const abi_column *y, double min_c)
{
	const uint32_t *ids, *hits;
	size_t nhit = abi_sampleix_hits(ix, y->distinct, y->ndistinct, &ids, &hits);
	*nout = 0;
	if (!(*out = malloc((nhit ? nhit : 1) * sizeof **out)))
		return -1;
	for (size_t k = 0; k < nhit; k++) {
		uint32_t a, xc;
		abi_sampleix_column(ix, ids[k], &a, &xc);
		const abi_column *x = &profs[a].cols[xc];
		if (x->type == y->type && x->ndistinct &&
		    (double)hits[k] / (double)(x->ndistinct < SAMPLE ? x->ndistinct : SAMPLE) >= min_c)
			(*out)[(*nout)++] = ids[k];
	}
	return 0;
}

/* From `ids` (ascending) at *at on: the columns of table a, at most 16 of
 * them (the first, in column order), into m; *at moves past table a. */
static size_t of_table(uint32_t *m, const uint32_t *ids, size_t n, size_t *at, abi_sampleix *ix, uint32_t a)
{
	size_t k = 0;
	for (; *at < n; (*at)++) {
		uint32_t t, c;
		abi_sampleix_column(ix, ids[*at], &t, &c);
		if (t > a)
			break;
		if (t == a && k < 16)
			m[k++] = c;
	}
	return k;
}

/* Whether at least `share` of ROW_SAMPLE rows, at an even stride, hold a
 * value pair inside composite key ck: hashing and sorting every row's pair
 * was a third of the candidate search on 1,000 tables (31,000 pairs of
 * columns whose parts each pass the sample test, 116 million rows), and
 * nearly all of them are no join. A real composite reference has most of
 * its rows inside the key; the distinct-value containment that decides
 * follows for those that pass. */
static int pair_rows_may_join(const abi_profile *A, const abi_column *x1, const abi_column *x2, const abi_ckey *ck,
			      double share)
{
	size_t stride = (A->nrows + ROW_SAMPLE - 1) / ROW_SAMPLE, seen = 0, hit = 0;
	for (size_t r = 0; r < A->nrows; r += stride) {
		if (!x1->rows[r] || !x2->rows[r])
			continue;
		seen++;
		hit += abi_contains(ck->distinct, ck->ndistinct, abi_pair_hash(x1->rows[r], x2->rows[r]));
	}
	return seen && (double)hit >= share * (double)seen;
}

/* The pairs (m1[i], m2[j]) of table a's columns whose value pairs sit
 * inside composite key ck of table b. */
static int composite_pairs(abi_cands *out, const names *nm, const abi_profile *profs, size_t n,
			   const abi_cand_opts *o, uint32_t a, uint32_t b, const abi_ckey *ck, const uint32_t *m1,
			   size_t n1, const uint32_t *m2, size_t n2)
{
	const abi_profile *A = &profs[a];
	for (size_t i = 0; i < n1; i++)
		for (size_t j = 0; j < n2; j++) {
			const abi_column *x1 = &A->cols[m1[i]], *x2 = &A->cols[m2[j]];
			/* A constant column (a quantity that is always 1) adds
			 * nothing to a pair's key. */
			if (m1[i] == m2[j] || x1->ndistinct < 2 || x2->ndistinct < 2 ||
			    !pair_rows_may_join(A, x1, x2, ck, o->min_containment - 0.25))
				continue;
			uint64_t *h = malloc((A->nrows ? A->nrows : 1) * sizeof *h);
			if (!h)
				return -1;
			for (size_t r = 0; r < A->nrows; r++)
				h[r] = x1->rows[r] && x2->rows[r] ? abi_pair_hash(x1->rows[r], x2->rows[r]) : 0;
			size_t nd = abi_sort_unique(h, A->nrows);
			double c = nd == SIZE_MAX ? 0 : abi_containment(h, nd, ck->distinct, ck->ndistinct);
			free(h);
			if (nd == SIZE_MAX)
				return -1;
			if (c < o->min_containment)
				continue;
			abi_cand cd = {.from = a, .to = b, .fc = {m1[i], m2[j]}, .tc = {ck->a, ck->b}, .ncols = 2};
			double f2[ABI_NFEATURES] = {0}; /* pair_features leaves the sibling mark unset */
			pair_features(cd.x, nm, profs, n, a, m1[i], b, ck->a, c, c);
			pair_features(f2, nm, profs, n, a, m2[j], b, ck->b, c, c);
			for (int f = 0; f < ABI_NFEATURES; f++)
				cd.x[f] = (cd.x[f] + f2[f]) / 2;
			cd.x[ABI_F_CONTAIN] = c;
			cd.x[ABI_F_Y_UNIQUE] = 1;
			cd.x[ABI_F_REV_CONTAIN] = ck->ndistinct ? clip(c * (double)nd / (double)ck->ndistinct, 0, 1) : 0;
			cd.x[ABI_F_X_UNIQUE] = A->nrows ? (double)nd / (double)A->nrows : 0;
			cd.x[ABI_F_NAME_REFERS] = f2[ABI_F_NAME_REFERS] > cd.x[ABI_F_NAME_REFERS] ? f2[ABI_F_NAME_REFERS]
												  : cd.x[ABI_F_NAME_REFERS];
			cd.x[ABI_F_COMPOSITE] = 1;
			if (abi_cands_push(out, &cd) != 0)
				return -1;
		}
	return 0;
}

static int composite_candidates(abi_cands *out, const names *nm, const abi_profile *profs, size_t n,
				const abi_cand_opts *o, abi_sampleix *ix)
{
	for (uint32_t b = 0; b < n; b++) {
		const abi_profile *B = &profs[b];
		for (size_t k = 0; k < B->nckeys; k++) {
			const abi_ckey *ck = &B->ckeys[k];
			uint32_t *l1 = NULL, *l2 = NULL;
			size_t n1all = 0, n2all = 0, at1 = 0, at2 = 0;
			if (part_matches(&l1, &n1all, ix, profs, &B->cols[ck->a], o->min_containment) != 0 ||
			    part_matches(&l2, &n2all, ix, profs, &B->cols[ck->b], o->min_containment) != 0) {
				free(l1);
				free(l2);
				return -1;
			}
			int rc = 0;
			/* Only the tables with a column inside the first part can
			 * have a pair inside the key. */
			while (rc == 0 && at1 < n1all) {
				uint32_t a, c0;
				abi_sampleix_column(ix, l1[at1], &a, &c0);
				uint32_t m1[16], m2[16];
				size_t n1 = of_table(m1, l1, n1all, &at1, ix, a);
				size_t n2 = of_table(m2, l2, n2all, &at2, ix, a);
				if (a == b)
					continue;
				rc = composite_pairs(out, nm, profs, n, o, a, b, ck, m1, n1, m2, n2);
			}
			free(l1);
			free(l2);
			if (rc != 0)
				return -1;
		}
	}
	return 0;
}

/* Marks candidates A.x -> B whose table A has another column that names B
 * clearly better: ss_ticket_number -> time_dim beside ss_sold_time_sk.
 * Role-playing references (order_date_sk and ship_date_sk) name B equally
 * and mark nothing. Candidates are grouped by (A, B) first, so the pass is
 * quadratic only inside a group. */
static int by_pair(const void *pa, const void *pb, void *arg)
{
	const abi_cand *v = arg, *a = &v[*(const size_t *)pa], *b = &v[*(const size_t *)pb];
	if (a->from != b->from)
		return a->from < b->from ? -1 : 1;
	if (a->to != b->to)
		return a->to < b->to ? -1 : 1;
	return *(const size_t *)pa < *(const size_t *)pb ? -1 : 1;
}

static int mark_better_sibling(abi_cands *c, size_t first)
{
	size_t n = c->n - first;
	size_t *ix = malloc((n ? n : 1) * sizeof *ix);
	if (!ix)
		return -1;
	for (size_t i = 0; i < n; i++)
		ix[i] = first + i;
	qsort_r(ix, n, sizeof *ix, by_pair, c->v);
	for (size_t lo = 0, hi; lo < n; lo = hi) {
		const abi_cand *g = &c->v[ix[lo]];
		for (hi = lo + 1; hi < n && c->v[ix[hi]].from == g->from && c->v[ix[hi]].to == g->to; hi++)
			;
		for (size_t i = lo; i < hi; i++) {
			abi_cand *a = &c->v[ix[i]];
			for (size_t j = lo; j < hi && !a->x[ABI_F_SIBLING_NAMED]; j++) {
				const abi_cand *b = &c->v[ix[j]];
				/* Self-references are no siblings: naming the own
				 * table (post_type_id in posts) says nothing about
				 * which column references it. */
				if (j != i && a->from != a->to && b->fc[0] != a->fc[0] && b->ncols == 1 &&
				    b->x[ABI_F_NAME_REFERS] >= a->x[ABI_F_NAME_REFERS] + 0.3)
					a->x[ABI_F_SIBLING_NAMED] = 1;
			}
		}
	}
	free(ix);
	return 0;
}

/* ---- the single-column search over threads
 *
 * Keys are taken in chunks of CHUNK tables from a shared counter, and each
 * chunk's candidates are kept apart and joined in chunk order, so the
 * result (and its order, which later ties follow) is the same for any
 * number of threads. Each thread has its own sample-index counters and
 * its own memo of which table a column names best; the tokenised names
 * and the profiles are shared and only read. */

enum { CHUNK = 8 };

typedef struct search {
	const names *nm;
	const abi_profile *profs;
	size_t n;
	const abi_cand_opts *o;
	const abi_sampleix *ix;
	abi_cands *chunk; /* per chunk */
	size_t nchunks;
	atomic_size_t next;
	atomic_int failed;
} search;

static void *search_thread(void *arg)
{
	search *s = arg;
	names mine = *s->nm;
	keyvals ks = {0};
	abi_sampleix *ix = abi_sampleix_view(s->ix);
	mine.best = calloc(s->n ? s->n : 1, sizeof *mine.best);
	int ok = ix && mine.best;
	for (size_t t = 0; ok && t < s->n; t++)
		ok = (mine.best[t] = calloc(s->profs[t].ncols ? s->profs[t].ncols : 1, sizeof **mine.best)) != NULL;
	for (size_t c; ok && !atomic_load(&s->failed) && (c = atomic_fetch_add(&s->next, 1)) < s->nchunks;) {
		uint32_t b0 = (uint32_t)(c * CHUNK), b1 = (uint32_t)((c + 1) * CHUNK < s->n ? (c + 1) * CHUNK : s->n);
		ok = single_candidates(&s->chunk[c], &mine, s->profs, s->n, s->o, ix, &ks, b0, b1) == 0;
	}
	if (!ok)
		atomic_store(&s->failed, 1);
	for (size_t t = 0; mine.best && t < s->n; t++)
		free(mine.best[t]);
	free(mine.best);
	abi_hset_free(&ks.set);
	abi_sampleix_free(ix);
	return NULL;
}

static int single_parallel(abi_cands *out, const names *nm, const abi_profile *profs, size_t n,
			   const abi_cand_opts *o, abi_sampleix *ix)
{
	unsigned threads = o->threads > 1 ? o->threads : 1;
	if (threads == 1 || n <= CHUNK) {
		keyvals ks = {0};
		int rc = single_candidates(out, nm, profs, n, o, ix, &ks, 0, (uint32_t)n);
		abi_hset_free(&ks.set);
		return rc;
	}
	search s = {.nm = nm, .profs = profs, .n = n, .o = o, .ix = ix, .nchunks = (n + CHUNK - 1) / CHUNK};
	atomic_init(&s.next, 0);
	atomic_init(&s.failed, 0);
	if (threads > s.nchunks)
		threads = (unsigned)s.nchunks;
	if (!(s.chunk = calloc(s.nchunks, sizeof *s.chunk)))
		return -1;
	abi_parallel(threads, search_thread, &s);
	int rc = atomic_load(&s.failed) ? -1 : 0;
	for (size_t c = 0; c < s.nchunks; c++) {
		for (size_t i = 0; rc == 0 && i < s.chunk[c].n; i++)
			if (abi_cands_push(out, &s.chunk[c].v[i]) != 0)
				rc = -1;
		abi_cands_free(&s.chunk[c]);
	}
	free(s.chunk);
	return rc;
}

int abi_candidates(abi_cands *out, const abi_profile *profs, size_t n, const abi_cand_opts *opts)
{
	names nm = {0};
	size_t first = out->n;
	int rc = names_build(&nm, profs, n);
	abi_sampleix *ix = rc == 0 ? abi_sampleix_build(profs, n, SAMPLE, any_type) : NULL;
	if (!ix)
		rc = -1;
	if (rc == 0)
		rc = single_parallel(out, &nm, profs, n, opts, ix);
	if (rc == 0)
		rc = mark_better_sibling(out, first);
	if (rc == 0 && opts->composite)
		rc = composite_candidates(out, &nm, profs, n, opts, ix);
	abi_sampleix_free(ix);
	names_free(&nm, n);
	return rc;
}
