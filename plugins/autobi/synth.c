/*
 * synth.c -- the schema generator (see synth.h). Everything is drawn from
 * one seeded splitmix64 stream, so a (shape, seed, rows) triple always
 * writes the same bytes.
 */
#define _GNU_SOURCE
#include "synth.h"
#include "synth_util.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum kind { K_KEY, K_FK, K_OWNID, K_QTY, K_MEASURE, K_TEXT, K_CAT, K_DATE, K_SMALL, K_LEGACY, K_ADDR, K_PHONE,
	    K_CONST, K_DAY, K_DOW, K_MONTH, K_YEAR, K_COUNTER, K_HOUSE };

typedef struct scol {
	char name[64];
	int kind, ref;          /* ref: the referenced table of an FK */
	double nulls, dangling; /* shares of missing and of dangling values */
	double skew;            /* FK values: index = N * u^skew */
	int link, part;         /* FK drawn from a pair of link table `link` (-1: none) */
	int role;               /* FK named by a role (sold_by): few of the people are referenced */
} scol;

enum { MAXCOLS = 40 };

typedef struct stab {
	char name[64], word[32], prefix[16];
	int rows, fact, depth, keystyle;
	long *ikeys; /* integer keys, or NULL for string codes */
	char code[8];
	scol cols[MAXCOLS];
	int ncols;
	int *px, *py; /* a link table's rows: indices into its two parents */
	int cur_link; /* the link row the current row's pair FKs use */
} stab;

typedef struct schema {
	stab *t;
	int n, style;
	int datedim; /* the date dimension, or -1 */
	abi_rng r;
} schema;

/* Day numbers (days after 2015-01-01) of the date dimension's first row:
 * the schema's date attributes fall inside its run of days, as real
 * order dates fall inside a real date dimension. */
enum { DATE_FIRST = 1461, DATE_ROWS = 1500 };

static void day_text(char *out, size_t n, int day)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = 2015;
	for (;;) {
		int len = (y % 4 == 0) ? 366 : 365;
		if (day < len)
			break;
		day -= len;
		y++;
	}
	int m = 0;
	for (;; m++) {
		int len = mdays[m] + (m == 1 && y % 4 == 0);
		if (day < len)
			break;
		day -= len;
	}
	snprintf(out, n, "%04d-%02d-%02d", y, m + 1, day + 1);
}

static const char *const dim_words[] = {
	"customer", "product", "store", "supplier", "employee", "region", "country", "city", "category",
	"brand", "promotion", "channel", "warehouse", "carrier", "department", "currency", "account", "vendor",
	"campaign", "device", "plan", "agent", "branch", "segment", "territory", "manufacturer", "shipper",
	"location", "season", "program", "course", "patient", "doctor", "clinic", "airport", "airline",
	"route", "model", "color", "material", "invoice", "ledger", "policy", "contract", "project", "team",
	"vehicle", "driver", "hotel", "room", "guest", "flight", "ticket", "event", "venue", "artist",
	"album", "genre", "author", "publisher", "library", "student", "teacher", "school", "exam", "grade",
	"sensor", "machine", "factory", "batch", "recipe", "ingredient", "farm", "crop", "weather", "station",
	"network", "server", "license", "feature", "release", "sprint", "ward", "nurse", "pharmacy", "drug",
	"insurer", "bank", "loan", "card", "merchant", "terminal", "coupon", "survey", "question", "answer",
};
static const char *const synonyms[] = {"client", "item", "shop", "partner", "staff", "area", "nat", "town",
				       "group", "label", "deal", "medium", "depot", "transport", "unit", "money",
				       "acct", "seller", "promo", "gadget", "tier", "rep", "office", "bucket"};
static const char *const fact_words[] = {"sales", "orders", "shipments", "returns", "inventory", "visits",
					 "payments", "claims", "bookings", "clicks", "transactions", "enrollments"};

#define COUNT(a) ((int)(sizeof a / sizeof *a))

static void cap_first(char *s)
{
	s[0] = (char)toupper((unsigned char)s[0]);
}

static void camel(char *out, size_t n, const char *w)
{
	snprintf(out, n, "%s", w);
	cap_first(out);
}

static scol *add_col(stab *t, int kind, const char *name)
{
	if (t->ncols >= MAXCOLS)
		return NULL;
	scol *c = &t->cols[t->ncols++];
	memset(c, 0, sizeof *c);
	c->kind = kind;
	c->ref = c->link = -1;
	snprintf(c->name, sizeof c->name, "%s", name);
	return c;
}

/* The key column's name under the schema's naming style. */
static void key_name(char *out, size_t n, const schema *s, const stab *t)
{
	char cw[40];
	camel(cw, sizeof cw, t->word);
	switch (s->style) {
	case 0: snprintf(out, n, "id"); break;
	case 1: snprintf(out, n, "%s_id", t->word); break;
	case 2: snprintf(out, n, "%sID", cw); break;
	case 3: snprintf(out, n, "%s_%.4skey", t->prefix, t->word); break;
	case 4: snprintf(out, n, "%s_key", t->word); break;
	default: snprintf(out, n, "%s_code", t->word); break;
	}
}

static int is_person(const char *w)
{
	static const char *const people[] = {"employee", "agent", "driver", "nurse", "doctor", "teacher"};
	for (int i = 0; i < COUNT(people); i++)
		if (strcmp(w, people[i]) == 0)
			return 1;
	return 0;
}

/* A name that says the person's role, not the table (SupportRepId,
 * sold_by, approver_id), under the schema's style. */
static void role_name(char *out, size_t n, schema *s, const stab *from, const char *const *roles, int nroles)
{
	const char *r = roles[abi_rng_range(&s->r, 0, nroles - 1)];
	char cw[40];
	camel(cw, sizeof cw, r);
	for (char *p = cw; *p; p++)
		if (*p == '_' && p[1]) {
			memmove(p, p + 1, strlen(p));
			*p = (char)toupper((unsigned char)*p);
		}
	switch (s->style) {
	case 2: snprintf(out, n, "%s%s", cw, abi_rng_unif(&s->r) < 0.5 ? "Id" : ""); break;
	case 3: snprintf(out, n, "%s_%s_sk", from->prefix, r); break;
	default: snprintf(out, n, "%s%s", r, abi_rng_unif(&s->r) < 0.5 ? "_id" : ""); break;
	}
}

/* Returns 1 when the name is a role (sold_by, manager) rather than the table's. */
static int fk_name(char *out, size_t n, schema *s, const stab *from, const stab *to)
{
	char cw[40];
	camel(cw, sizeof cw, to->word);
	if (from == to) { /* a self-reference: a hierarchy or a manager */
		static const char *const up[] = {"manager", "parent", "reports_to", "boss", "supervisor", "head"};
		role_name(out, n, s, from, up, COUNT(up));
		return 1;
	}
	if (is_person(to->word) && abi_rng_unif(&s->r) < 0.3) {
		static const char *const roles[] = {"sales_rep", "sold_by", "handled_by", "approver", "owner",
						    "support_rep", "assignee", "created_by"};
		role_name(out, n, s, from, roles, COUNT(roles));
		return 1;
	}
	if (abi_rng_unif(&s->r) < 0.12) { /* a name that says nothing about the target */
		const char *syn = synonyms[abi_rng_range(&s->r, 0, COUNT(synonyms) - 1)];
		if (abi_rng_unif(&s->r) < 0.5)
			snprintf(out, n, "%s_ref", syn);
		else
			snprintf(out, n, "%s%d", syn, abi_rng_range(&s->r, 1, 9));
		return 0;
	}
	/* Now and then the referencing name abbreviates the target (cust_id ->
	 * customer.customer_id, ship_addr_sk): similar names, not equal ones. */
	char w[40];
	snprintf(w, sizeof w, "%s", to->word);
	if (strlen(w) > 5 && abi_rng_unif(&s->r) < 0.15)
		w[abi_rng_range(&s->r, 3, 4)] = '\0';
	camel(cw, sizeof cw, w);
	switch (s->style) {
	case 0:
	case 1: snprintf(out, n, "%s_id", w); break;
	case 2: snprintf(out, n, "%sID", cw); break;
	case 3: snprintf(out, n, "%s_%.4skey", from->prefix, w); break;
	case 4: snprintf(out, n, "%s_key", w); break;
	default: snprintf(out, n, "%s_code", w); break;
	}
	return 0;
}

static int unique_name(const stab *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (strcasecmp(t->cols[i].name, name) == 0)
			return 0;
	return 1;
}

static void table_name(char *out, size_t n, schema *s, const char *word, int fact)
{
	char cw[40];
	camel(cw, sizeof cw, word);
	int v = abi_rng_range(&s->r, 0, 3);
	if (v == 0 || s->style == 3)
		snprintf(out, n, "%s", word);
	else if (v == 1)
		snprintf(out, n, fact ? "fact_%s" : "dim_%s", word);
	else if (v == 2)
		snprintf(out, n, fact ? "Fact%s" : "Dim%s", cw);
	else
		snprintf(out, n, fact ? "%s" : "%ss", word);
}

static void assign_prefixes(schema *s)
{
	for (int i = 0; i < s->n; i++) {
		stab *t = &s->t[i];
		for (int len = 1; len <= 3; len++) {
			snprintf(t->prefix, sizeof t->prefix, "%.*s", len, t->word);
			int clash = 0;
			for (int j = 0; j < i; j++)
				clash |= strcmp(s->t[j].prefix, t->prefix) == 0;
			if (!clash)
				break;
			if (len == 3)
				snprintf(t->prefix, sizeof t->prefix, "%c%d", t->word[0], i % 1000);
		}
	}
}

static int make_keys(schema *s, stab *t)
{
	t->keystyle = s->style == 5 ? 2 : abi_rng_range(&s->r, 0, 9) < 5 ? 0 : abi_rng_range(&s->r, 1, 3);
	if (t->keystyle == 2) {
		snprintf(t->code, sizeof t->code, "%c%c", toupper((unsigned char)t->word[0]),
			 toupper((unsigned char)t->word[1]));
		return 0;
	}
	if (!(t->ikeys = malloc((size_t)t->rows * sizeof *t->ikeys)))
		return -1;
	long base = t->keystyle == 3 ? abi_rng_range(&s->r, 100, 5000) : 1, k = base;
	for (int i = 0; i < t->rows; i++) {
		t->ikeys[i] = k;
		k += t->keystyle == 1 ? abi_rng_range(&s->r, 1, 60) : 1;
	}
	return 0;
}

static void key_text(char *out, size_t n, const stab *t, long i)
{
	if (t->ikeys)
		snprintf(out, n, "%ld", i < t->rows ? t->ikeys[i] : t->ikeys[t->rows - 1] + 1000 + i);
	else
		snprintf(out, n, "%s%05ld", t->code, i + 1);
}

/* ---- structure */

static void add_fk(schema *s, stab *from, int to)
{
	char nm[64];
	int role = fk_name(nm, sizeof nm, s, from, &s->t[to]);
	if (!unique_name(from, nm))
		snprintf(nm + strlen(nm), sizeof nm - strlen(nm), "_%d", from->ncols);
	scol *c = add_col(from, K_FK, nm);
	if (!c)
		return;
	c->ref = to;
	c->role = role;
	c->skew = 1.0 + 2.0 * abi_rng_unif(&s->r);
	double u = abi_rng_unif(&s->r);
	/* Optional references are mostly NULL (a closing date, a promotion). */
	c->nulls = u < 0.06 ? 0.5 + 0.35 * abi_rng_unif(&s->r) : u < 0.2 ? 0.05 * abi_rng_unif(&s->r) : 0;
	/* Real extracts have orphans: 0.2-2.5% of rows point at no parent. */
	c->dangling = abi_rng_unif(&s->r) < 0.15 ? 0.002 + 0.023 * abi_rng_unif(&s->r) : 0;
	if (from == &s->t[to])
		c->nulls = 0.05 + 0.3 * abi_rng_unif(&s->r); /* the top of a hierarchy has no parent */
}

/* The date dimension: a surrogate key (a dense run from a Julian-like day
 * number, or yyyymmdd), the full date beside it, and small calendar
 * numbers that fit inside other small dense keys. Facts reference it once
 * or twice (role-playing dates: ordered, shipped), and keep plain date
 * attributes that fall inside its days but join nothing. */
static int add_date_dim(schema *s, int at)
{
	stab *t = &s->t[at];
	t->rows = DATE_ROWS;
	char nm[64];
	int yyyymmdd = abi_rng_unif(&s->r) < 0.4;
	key_name(nm, sizeof nm, s, t);
	if (s->style == 0 || s->style == 5)
		snprintf(nm, sizeof nm, "%s", yyyymmdd ? "date_key" : "date_sk");
	add_col(t, K_KEY, nm);
	if (!(t->ikeys = malloc((size_t)t->rows * sizeof *t->ikeys)))
		return -1;
	for (int i = 0; i < t->rows; i++) {
		if (yyyymmdd) {
			char d[16];
			day_text(d, sizeof d, DATE_FIRST + i);
			t->ikeys[i] = atol(d) * 10000 + atol(d + 5) * 100 + atol(d + 8);
		} else
			t->ikeys[i] = 2457024 + i;
	}
	static const char *const cal[][2] = {{"full_date", "D"}, {"day_of_week", "w"}, {"month", "m"}, {"year", "y"}};
	for (int i = 0; i < 4; i++) {
		if (s->style == 2)
			camel(nm, sizeof nm, cal[i][0]);
		else if (s->style == 3)
			snprintf(nm, sizeof nm, "%s_%s", t->prefix, cal[i][0]);
		else
			snprintf(nm, sizeof nm, "%s", cal[i][0]);
		add_col(t, cal[i][1][0] == 'D' ? K_DAY : cal[i][1][0] == 'w' ? K_DOW : cal[i][1][0] == 'm' ? K_MONTH : K_YEAR,
			nm);
	}
	return 0;
}

static void add_date_fks(schema *s, stab *f)
{
	static const char *const roles[] = {"order", "ship", "due", "sold", "paid"};
	int n = abi_rng_range(&s->r, 1, 2), first = abi_rng_range(&s->r, 0, 4);
	const stab *d = &s->t[s->datedim];
	for (int i = 0; i < n; i++) {
		const char *r = roles[(first + i) % 5];
		char nm[64], cw[40];
		camel(cw, sizeof cw, r);
		if (s->style == 2)
			snprintf(nm, sizeof nm, "%sDateKey", cw);
		else if (s->style == 3)
			snprintf(nm, sizeof nm, "%s_%s_date_sk", f->prefix, r);
		else
			snprintf(nm, sizeof nm, "%s_date_%s", r, d->cols[0].name[strlen(d->cols[0].name) - 1] == 'k' ? "sk" : "key");
		if (!unique_name(f, nm))
			continue;
		scol *c = add_col(f, K_FK, nm);
		if (!c)
			return;
		c->ref = s->datedim;
		c->skew = 1.0;
		c->nulls = i ? 0.05 : 0;
	}
}

static void add_attributes(schema *s, stab *t)
{
	static const char *const dim_attrs[][2] = {{"name", "t"}, {"description", "t"}, {"category", "c"},
						   {"size", "s"},    {"created", "d"},     {"price", "m"},
						   {"rank", "s"},    {"status", "c"},      {"address", "a"},
						   {"phone", "p"},   {"street_number", "h"}, {"market", "s"}};
	static const char *const fact_attrs[][2] = {{"quantity", "q"}, {"amount", "m"},    {"discount", "m"},
						    {"order_date", "d"}, {"status", "c"},   {"line_no", "s"},
						    {"score", "s"},    {"note", "t"},      {"revision", "k"},
						    {"weekday", "w"},  {"lead_days", "s"}, {"ship_date", "d"},
						    {"ticket_number", "n"}, {"order_number", "n"}};
	int nattr = t->fact ? abi_rng_range(&s->r, 3, 7) : abi_rng_range(&s->r, 2, 6);
	for (int i = 0; i < nattr; i++) {
		const char *const *a = t->fact ? fact_attrs[abi_rng_range(&s->r, 0, COUNT(fact_attrs) - 1)]
					       : dim_attrs[abi_rng_range(&s->r, 0, COUNT(dim_attrs) - 1)];
		char nm[64];
		if (s->style == 2)
			camel(nm, sizeof nm, a[0]);
		else if (s->style == 3)
			snprintf(nm, sizeof nm, "%s_%s", t->prefix, a[0]);
		else
			snprintf(nm, sizeof nm, "%s", a[0]);
		if (!unique_name(t, nm))
			continue;
		int kind = a[1][0] == 't' ? K_TEXT : a[1][0] == 'c' ? K_CAT : a[1][0] == 'd' ? K_DATE
		       : a[1][0] == 'q' ? K_QTY : a[1][0] == 's' ? K_SMALL : a[1][0] == 'a' ? K_ADDR
		       : a[1][0] == 'p' ? K_PHONE : a[1][0] == 'k' ? K_CONST : a[1][0] == 'w' ? K_DOW
		       : a[1][0] == 'n' ? K_COUNTER : a[1][0] == 'h' ? K_HOUSE : K_MEASURE;
		scol *c = add_col(t, kind, nm);
		double u = abi_rng_unif(&s->r);
		if (c && kind == K_COUNTER)
			c->skew = abi_rng_range(&s->r, 0, 3); /* lines per ticket - 1 */
		if (c) /* some attributes are mostly empty (a fax number, a note) */
			c->nulls = u < 0.08 ? 0.6 + 0.35 * abi_rng_unif(&s->r) : u < 0.3 ? 0.1 * abi_rng_unif(&s->r) : 0;
	}
	/* A column named like a join that is not one: values outside any key. */
	if (abi_rng_unif(&s->r) < 0.3) {
		char nm[64];
		snprintf(nm, sizeof nm, "legacy_%s_id", dim_words[abi_rng_range(&s->r, 0, COUNT(dim_words) - 1)]);
		if (unique_name(t, nm))
			add_col(t, K_LEGACY, nm);
	}
}

/* A link table keyed by a pair of dimension keys (TPC-H's partsupp): some
 * fact's two FK columns to those dimensions then also reference the pair. */
static int add_link(schema *s)
{
	int f = 0, cx = -1, cy = -1;
	for (int c = 0; c < s->t[f].ncols; c++) {
		const scol *col = &s->t[f].cols[c];
		if (col->kind != K_FK || s->t[col->ref].rows < 4 || s->t[col->ref].rows > 600)
			continue;
		if (cx < 0)
			cx = c;
		else if (cy < 0)
			cy = c;
	}
	if (cx < 0 || cy < 0)
		return 0;
	int X = s->t[f].cols[cx].ref, Y = s->t[f].cols[cy].ref;
	stab *nt = realloc(s->t, (size_t)(s->n + 1) * sizeof *nt);
	if (!nt)
		return -1;
	s->t = nt;
	int L = s->n++;
	stab *l = &s->t[L];
	memset(l, 0, sizeof *l);
	snprintf(l->word, sizeof l->word, "%.12s_%.12s", s->t[X].word, s->t[Y].word);
	snprintf(l->prefix, sizeof l->prefix, "%c%c%d", s->t[X].word[0], s->t[Y].word[0], L % 100);
	table_name(l->name, sizeof l->name, s, l->word, 0);
	int m = s->t[Y].rows < 4 ? s->t[Y].rows : 4;
	l->rows = s->t[X].rows * m;
	l->px = malloc((size_t)l->rows * sizeof *l->px);
	l->py = malloc((size_t)l->rows * sizeof *l->py);
	if (!l->px || !l->py)
		return -1;
	for (int x = 0; x < s->t[X].rows; x++) {
		int start = abi_rng_range(&s->r, 0, s->t[Y].rows - 1), step = abi_rng_range(&s->r, 1, s->t[Y].rows / m);
		for (int j = 0; j < m; j++) {
			l->px[x * m + j] = x;
			l->py[x * m + j] = (start + j * step) % s->t[Y].rows;
		}
	}
	add_fk(s, l, X);
	add_fk(s, l, Y);
	l->cols[0].part = 0;
	l->cols[1].part = 1;
	l->cols[0].nulls = l->cols[1].nulls = l->cols[0].dangling = l->cols[1].dangling = 0;
	scol *a = &s->t[f].cols[cx], *b = &s->t[f].cols[cy];
	a->link = b->link = L;
	a->part = 0;
	b->part = 1;
	a->nulls = b->nulls = a->dangling = b->dangling = 0;
	return 0;
}

static int build_generic(schema *s, int nfacts, int ndims, double sub_prob, int fact_rows)
{
	s->datedim = -1;
	int with_date = abi_rng_unif(&s->r) < 0.4;
	s->n = nfacts + ndims + with_date;
	if (!(s->t = calloc((size_t)s->n, sizeof *s->t)))
		return -1;
	int *order = malloc((size_t)COUNT(dim_words) * sizeof *order);
	if (!order)
		return -1;
	for (int i = 0; i < COUNT(dim_words); i++)
		order[i] = i;
	for (int i = COUNT(dim_words) - 1; i > 0; i--) {
		int j = abi_rng_range(&s->r, 0, i), x = order[i];
		order[i] = order[j];
		order[j] = x;
	}
	int max_dim = fact_rows / 2 < 2000 ? fact_rows / 2 : 2000;
	if (max_dim < 30)
		max_dim = 30;
	for (int d = 0; d < ndims; d++) {
		stab *t = &s->t[nfacts + d];
		const char *w = dim_words[order[d % COUNT(dim_words)]];
		if (d < COUNT(dim_words))
			snprintf(t->word, sizeof t->word, "%s", w);
		else
			snprintf(t->word, sizeof t->word, "%s%c", w, 'a' + d / COUNT(dim_words));
		t->rows = (int)exp(log(10.0) + abi_rng_unif(&s->r) * (log((double)max_dim) - log(10.0)));
	}
	int fo = abi_rng_range(&s->r, 0, COUNT(fact_words) - 1);
	for (int f = 0; f < nfacts; f++) {
		stab *t = &s->t[f];
		const char *w = fact_words[(fo + f) % COUNT(fact_words)];
		if (f < COUNT(fact_words))
			snprintf(t->word, sizeof t->word, "%s", w);
		else
			snprintf(t->word, sizeof t->word, "%s%d", w, f / COUNT(fact_words));
		t->fact = 1;
		t->rows = fact_rows / 2 + abi_rng_range(&s->r, 0, fact_rows / 2);
	}
	free(order);
	if (with_date) { /* named before the prefixes are handed out */
		s->datedim = nfacts + ndims;
		snprintf(s->t[s->datedim].word, sizeof s->t[s->datedim].word, "date");
	}
	assign_prefixes(s);
	for (int i = 0; i < s->n; i++) {
		stab *t = &s->t[i];
		table_name(t->name, sizeof t->name, s, t->word, t->fact);
		if (t->fact && abi_rng_unif(&s->r) < 0.6) {
			char nm[64];
			snprintf(nm, sizeof nm, s->style == 3 ? "%s_%.4skey" : s->style == 2 ? "%sID" : "%s_id",
				 s->style == 3 ? t->prefix : t->word, t->word);
			add_col(t, K_OWNID, nm);
		}
		if (i == s->datedim) {
			if (add_date_dim(s, i) != 0)
				return -1;
		} else if (!t->fact) {
			char nm[64];
			key_name(nm, sizeof nm, s, t);
			add_col(t, K_KEY, nm);
			if (make_keys(s, t) != 0)
				return -1;
		}
	}
	if (with_date)
		for (int f = 0; f < nfacts; f++)
			add_date_fks(s, &s->t[f]);
	/* Snowflake arms: a dimension may hang below an earlier one, whose
	 * rows it then outnumbers no more. */
	int *top = calloc((size_t)s->n, sizeof *top);
	if (!top)
		return -1;
	for (int d = 0; d < ndims; d++) {
		stab *t = &s->t[nfacts + d];
		int parent = -1;
		if (d > 0 && abi_rng_unif(&s->r) < sub_prob) {
			int cand = nfacts + abi_rng_range(&s->r, 0, d - 1);
			if (s->t[cand].depth < 2)
				parent = cand;
		}
		if (parent < 0) {
			top[nfacts + d] = 1;
			continue;
		}
		t->depth = s->t[parent].depth + 1;
		add_fk(s, &s->t[parent], nfacts + d);
	}
	int ntop = 0;
	for (int i = 0; i < s->n; i++)
		ntop += top[i];
	/* Every top dimension belongs to some fact; facts share a few. */
	for (int i = nfacts; i < s->n; i++) {
		if (!top[i])
			continue;
		int f = abi_rng_range(&s->r, 0, nfacts - 1);
		add_fk(s, &s->t[f], i);
		for (int g = 0; g < nfacts; g++)
			if (g != f && abi_rng_unif(&s->r) < (ntop > 8 ? 0.15 : 0.35))
				add_fk(s, &s->t[g], i);
	}
	free(top);
	/* Hierarchies inside one table: a manager, a parent category. */
	for (int d = nfacts; d < nfacts + ndims; d++)
		if (s->t[d].rows >= 6 && s->t[d].ikeys && abi_rng_unif(&s->r) < (is_person(s->t[d].word) ? 0.6 : 0.1))
			add_fk(s, &s->t[d], d);
	if (abi_rng_unif(&s->r) < 0.35 && add_link(s) != 0)
		return -1;
	for (int i = 0; i < s->n; i++)
		add_attributes(s, &s->t[i]);
	/* Real tables put their foreign keys anywhere (Chinook's SupportRepId
	 * is a customer's last column): half the tables mix them among the
	 * attributes. The first column stays (a key, which the truth names),
	 * and so do a link table's two key parts. */
	for (int i = 0; i < s->n; i++) {
		stab *t = &s->t[i];
		if (t->px || abi_rng_unif(&s->r) < 0.5)
			continue;
		for (int c = t->ncols - 1; c > 1; c--) {
			int j = abi_rng_range(&s->r, 1, c);
			scol x = t->cols[c];
			t->cols[c] = t->cols[j];
			t->cols[j] = x;
		}
	}
	return 0;
}

/* ---- writing */

static int write_cell(FILE *f, const char *v)
{
	if (!strpbrk(v, ",\"\n\r"))
		return fputs(v, f) < 0 ? -1 : 0;
	if (fputc('"', f) == EOF)
		return -1;
	for (; *v; v++)
		if ((*v == '"' && fputc('"', f) == EOF) || fputc(*v, f) == EOF)
			return -1;
	return fputc('"', f) == EOF ? -1 : 0;
}

static void cell_value(char *out, size_t n, schema *s, const stab *t, const scol *c, int row)
{
	static const char *const cats[] = {"red", "green", "blue", "gold", "silver", "basic", "premium"};
	if (c->nulls > 0 && abi_rng_unif(&s->r) < c->nulls) {
		out[0] = '\0';
		return;
	}
	switch (c->kind) {
	case K_KEY: key_text(out, n, t, row); break;
	case K_OWNID: snprintf(out, n, "%d", row + 1); break;
	case K_FK: {
		const stab *to = &s->t[c->ref];
		if (t->px) { /* a link table: its pair columns list the pairs */
			key_text(out, n, to, c->part ? t->py[row] : t->px[row]);
			break;
		}
		if (c->link >= 0) {
			const stab *l = &s->t[c->link];
			key_text(out, n, to, c->part ? l->py[t->cur_link] : l->px[t->cur_link]);
			break;
		}
		if (c->dangling > 0 && abi_rng_unif(&s->r) < c->dangling) {
			key_text(out, n, to, to->rows + abi_rng_range(&s->r, 0, 100000));
			break;
		}
		/* In a hierarchy few rows are parents: a manager has reports. */
		double share = to == t || c->role ? 0.1 + 0.2 * (c->skew - 1.0) / 2.0 : 1.0;
		long idx = (long)(to->rows * share * pow(abi_rng_unif(&s->r), c->skew));
		key_text(out, n, to, idx < to->rows ? idx : to->rows - 1);
		break;
	}
	case K_ADDR: snprintf(out, n, "addr %d", row + 1); break;
	case K_PHONE: snprintf(out, n, "555-%05d", row + 1); break;
	case K_QTY: snprintf(out, n, "%d", abi_rng_range(&s->r, 1, 50)); break;
	case K_SMALL: snprintf(out, n, "%d", abi_rng_range(&s->r, 0, 20)); break;
	case K_MEASURE: snprintf(out, n, "%.2f", 1000 * abi_rng_unif(&s->r) * abi_rng_unif(&s->r)); break;
	case K_TEXT:
		if (abi_rng_unif(&s->r) < 0.1)
			snprintf(out, n, "%s %d, \"special\"", t->word, row);
		else
			snprintf(out, n, "%s %d", t->word, abi_rng_range(&s->r, 1, 100000));
		break;
	case K_CAT: snprintf(out, n, "%s", cats[abi_rng_range(&s->r, 0, COUNT(cats) - 1)]); break;
	case K_DATE:
		if (s->datedim >= 0) /* inside the date dimension's days */
			day_text(out, n, DATE_FIRST + abi_rng_range(&s->r, 0, DATE_ROWS - 1));
		else
			snprintf(out, n, "20%02d-%02d-%02d", abi_rng_range(&s->r, 15, 25), abi_rng_range(&s->r, 1, 12),
				 abi_rng_range(&s->r, 1, 28));
		break;
	case K_CONST: snprintf(out, n, "1"); break;
	/* Numbers that run 1..N like a surrogate key but join nothing: a
	 * ticket shared by a few lines, a house number. */
	case K_COUNTER: snprintf(out, n, "%d", 1 + row / (1 + (int)(c->skew))); break;
	case K_HOUSE: snprintf(out, n, "%d", abi_rng_range(&s->r, 1, 999)); break;
	case K_DAY: day_text(out, n, DATE_FIRST + row); break;
	case K_DOW: /* the date dimension's own, or a fact's weekday: 1..7 */
		snprintf(out, n, "%d", s->datedim >= 0 && t == &s->t[s->datedim] ? 1 + (DATE_FIRST + row + 3) % 7
										 : abi_rng_range(&s->r, 1, 7));
		break;
	case K_MONTH: {
		char d[16];
		day_text(d, sizeof d, DATE_FIRST + row);
		snprintf(out, n, "%d", atoi(d + 5));
		break;
	}
	case K_YEAR: {
		char d[16];
		day_text(d, sizeof d, DATE_FIRST + row);
		snprintf(out, n, "%.4s", d);
		break;
	}
	default: snprintf(out, n, "%d", 5000000 + abi_rng_range(&s->r, 0, 1000000)); break;
	}
}

static int write_table(const char *dir, schema *s, stab *t, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/tables/%s.csv", dir, t->name);
	FILE *f = fopen(path, "w");
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	int bad = 0;
	for (int c = 0; c < t->ncols && !bad; c++)
		bad = (c && fputc(',', f) == EOF) || write_cell(f, t->cols[c].name);
	bad = bad || fputc('\n', f) == EOF;
	char v[128];
	int link = -1;
	for (int c = 0; c < t->ncols; c++)
		if (t->cols[c].link >= 0)
			link = t->cols[c].link;
	for (int r = 0; r < t->rows && !bad; r++) {
		if (link >= 0)
			t->cur_link = (int)(s->t[link].rows * pow(abi_rng_unif(&s->r), 1.5)) % s->t[link].rows;
		for (int c = 0; c < t->ncols && !bad; c++) {
			cell_value(v, sizeof v, s, t, &t->cols[c], r);
			bad = (c && fputc(',', f) == EOF) || write_cell(f, v);
		}
		bad = bad || fputc('\n', f) == EOF;
	}
	if (fclose(f) != 0 || bad) {
		snprintf(err, errlen, "cannot write %s", path);
		return -1;
	}
	return 0;
}

static int write_generic(const char *dir, schema *s, const char *shape, char *err, size_t errlen)
{
	json_t *joins = json_array(), *facts = json_array();
	for (int i = 0; i < s->n; i++) {
		stab *t = &s->t[i];
		if (write_table(dir, s, t, err, errlen) != 0) {
			json_decref(joins);
			json_decref(facts);
			return -1;
		}
		if (t->fact)
			json_array_append_new(facts, json_string(t->name));
		for (int c = 0; c < t->ncols; c++)
			if (t->cols[c].kind == K_FK) {
				const stab *to = &s->t[t->cols[c].ref];
				const char *fc = t->cols[c].name, *tc = to->cols[0].name;
				json_array_append_new(joins, abi_truth_join(t->name, &fc, 1, to->name, &tc));
			}
		/* The pair of columns drawn from a link table is a composite join. */
		const char *fc2[2] = {0}, *tc2[2] = {0};
		int link = -1;
		for (int c = 0; c < t->ncols; c++)
			if (t->cols[c].link >= 0) {
				link = t->cols[c].link;
				fc2[t->cols[c].part] = t->cols[c].name;
				tc2[t->cols[c].part] = s->t[link].cols[t->cols[c].part].name;
			}
		if (link >= 0 && fc2[0] && fc2[1])
			json_array_append_new(joins, abi_truth_join(t->name, fc2, 2, s->t[link].name, tc2));
	}
	return abi_truth_write(dir, shape, joins, facts, err, errlen);
}

static int make_dirs(const char *dir, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/tables", dir);
	if ((mkdir(dir, 0777) != 0 && errno != EEXIST) || (mkdir(path, 0777) != 0 && errno != EEXIST)) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int abi_synth(const char *dir, const abi_synth_opts *o, char *err, size_t errlen)
{
	if (make_dirs(dir, err, errlen) != 0)
		return -1;
	schema s = {0};
	s.r.s = o->seed * 0x2545F4914F6CDD1DULL + 17;
	int rows = o->fact_rows > 10 ? o->fact_rows : 10;
	if (strcmp(o->shape, "tpch") == 0)
		return abi_synth_tpch(dir, &s.r, rows, err, errlen);
	s.style = abi_rng_range(&s.r, 0, 5);
	int rc;
	if (strcmp(o->shape, "star") == 0)
		rc = build_generic(&s, 1, abi_rng_range(&s.r, 3, 8), 0.0, rows);
	else if (strcmp(o->shape, "snowflake") == 0)
		rc = build_generic(&s, 1, abi_rng_range(&s.r, 5, 10), 0.45, rows);
	else if (strcmp(o->shape, "constellation") == 0)
		rc = build_generic(&s, abi_rng_range(&s.r, 2, 3), abi_rng_range(&s.r, 5, 10), 0.25, rows);
	else if (strcmp(o->shape, "wide") == 0) {
		int n = o->tables > 4 ? o->tables : 4;
		rc = build_generic(&s, n / 10 > 1 ? n / 10 : 1, n - (n / 10 > 1 ? n / 10 : 1), 0.3, rows);
	} else {
		snprintf(err, errlen, "unknown shape '%s'; use star, snowflake, constellation, tpch or wide", o->shape);
		return -1;
	}
	if (rc != 0)
		snprintf(err, errlen, "out of memory while generating the schema");
	else
		rc = write_generic(dir, &s, o->shape, err, errlen);
	for (int i = 0; i < s.n; i++) {
		free(s.t[i].ikeys);
		free(s.t[i].px);
		free(s.t[i].py);
	}
	free(s.t);
	return rc;
}
