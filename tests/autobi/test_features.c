/* Unit tests of name handling, containment and candidate features. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <unistd.h>

#include "candidates.h"
#include "csv.h"
#include "names.h"
#include "profile.h"
#include "steps.h"
#include "synth.h"

static void test_tokens(void **state)
{
	(void)state;
	abi_name n;
	abi_name_split(&n, "CustomerID", NULL, 0);
	assert_int_equal(n.n, 2);
	assert_string_equal(n.tok[0], "customer");
	assert_string_equal(n.tok[1], "id");
	abi_name_split(&n, "l_orderkey", "l_", 0);
	assert_int_equal(n.n, 2);
	assert_string_equal(n.tok[0], "order");
	assert_string_equal(n.tok[1], "key");
	abi_name_split(&n, "Categories", NULL, 1); /* table names are singularised */
	assert_string_equal(n.tok[0], "category");
	abi_name_split(&n, "id", NULL, 0);
	assert_true(abi_name_is_keyish(&n));
	const char *cols[] = {"ps_partkey", "ps_suppkey", "ps_availqty", "ps_comment"};
	char prefix[8];
	abi_name_common_prefix(prefix, sizeof prefix, cols, 4);
	assert_string_equal(prefix, "ps_");
	const char *mixed[] = {"id", "name", "c_x", "price"};
	abi_name_common_prefix(prefix, sizeof prefix, mixed, 4);
	assert_string_equal(prefix, "");
}

static void test_refers_and_similarity(void **state)
{
	(void)state;
	abi_name col, table, other;
	abi_name_split(&col, "cust_id", NULL, 0);
	abi_name_split(&table, "customers", NULL, 1);
	abi_name_split(&other, "suppliers", NULL, 1);
	assert_true(abi_name_refers(&col, &table) == 1.0);
	assert_true(abi_name_refers(&col, &other) == 0.0);
	abi_name a, b;
	abi_name_split(&a, "o_custkey", "o_", 0);
	abi_name_split(&b, "c_custkey", "c_", 0);
	assert_true(abi_name_equal(&a, &b));
	assert_true(abi_name_similarity(&a, &b) == 1.0);
	abi_name_split(&a, "region_name", NULL, 0);
	abi_name_split(&b, "region_code", NULL, 0);
	assert_true(abi_name_similarity(&a, &b) > 0.4 && abi_name_similarity(&a, &b) < 1.0);
}

static void test_containment(void **state)
{
	(void)state;
	uint64_t x[] = {1, 3, 5, 7}, y[] = {1, 2, 3, 4, 5, 6};
	assert_true(abi_containment(x, 4, y, 6) == 0.75);
	assert_true(abi_containment_sample(x, 4, y, 6, 2) == 1.0); /* the sample is the smallest two */
	uint64_t v[] = {9, 0, 3, 9, 1, 3};
	assert_int_equal(abi_sort_unique(v, 6), 3); /* zeros (missing) dropped */
	assert_true(v[0] == 1 && v[1] == 3 && v[2] == 9);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* abi_sort_unique against qsort: uniform hashes (the bucket pass), many
 * repeats, all keys in one bucket (same top bits: the radix fallback),
 * and sizes around the thresholds. */
static void test_sort_unique_large(void **state)
{
	(void)state;
	const size_t sizes[] = {63, 64, 255, 256, 257, 1000, 40000};
	uint64_t s = 99;
	for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
		for (int kind = 0; kind < 3; kind++) {
			size_t n = sizes[si];
			uint64_t *v = malloc(n * sizeof *v), *w = malloc(n * sizeof *w);
			assert_true(v && w);
			for (size_t i = 0; i < n; i++) {
				s = s * 6364136223846793005ULL + 1442695040888963407ULL;
				uint64_t h = s ^ (s >> 29);
				v[i] = kind == 0 ? h : kind == 1 ? 1 + h % 17 : (0xabcULL << 52) | (h >> 12);
				if (i % 50 == 7)
					v[i] = 0; /* missing */
			}
			memcpy(w, v, n * sizeof *v);
			qsort(w, n, sizeof *w, cmp_u64);
			size_t u = 0;
			for (size_t i = 0; i < n; i++)
				if (w[i] && (!u || w[u - 1] != w[i]))
					w[u++] = w[i];
			assert_int_equal(abi_sort_unique(v, n), u);
			assert_memory_equal(v, w, u * sizeof *v);
			free(v);
			free(w);
		}
}

static void profile_text(abi_profile *p, const char *name, const char *text)
{
	wcsv t;
	char err[256];
	assert_int_equal(wcsv_parse(&t, text, strlen(text), name, err, sizeof err), 0);
	assert_int_equal(abi_profile_build(p, &t, name, 12, err, sizeof err), 0);
	wcsv_free(&t);
}

static const abi_cand *find(const abi_cands *c, uint32_t from, uint32_t fc, uint32_t to, uint32_t tc)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].from == from && c->v[i].fc[0] == fc && c->v[i].to == to && c->v[i].tc[0] == tc &&
		    c->v[i].ncols == 1)
			return &c->v[i];
	return NULL;
}

static void test_candidates(void **state)
{
	(void)state;
	abi_profile p[2];
	profile_text(&p[0], "customers", "id,name\n1,a\n2,b\n3,c\n4,d\n");
	/* customer_id references customers.id; qty's values also sit inside
	 * customers.id, but by chance (a few values inside a dense 1..4) and
	 * its name does not say so; price is a float. */
	profile_text(&p[1], "orders",
		     "order_id,customer_id,qty,price\n10,1,1,1.5\n11,1,2,2.5\n12,2,1,3.5\n13,3,2,4.5\n14,,1,5.5\n");
	abi_cands c = {0};
	abi_cand_opts o = ABI_CAND_OPTS_INIT;
	assert_int_equal(abi_candidates(&c, p, 2, &o), 0);
	const abi_cand *fk = find(&c, 1, 1, 0, 0);
	assert_non_null(fk);
	assert_true(fk->x[ABI_F_CONTAIN] == 1.0);
	assert_true(fk->x[ABI_F_REV_CONTAIN] == 0.75); /* 3 of 4 customers ordered */
	assert_true(fk->x[ABI_F_Y_UNIQUE] == 1.0);
	assert_true(fk->x[ABI_F_X_UNIQUE] == 0.75);  /* 3 distinct of 4 present */
	assert_true(fk->x[ABI_F_NAME_REFERS] == 1.0); /* customer_id -> customers */
	assert_true(fk->x[ABI_F_Y_FIRST] == 1.0);
	assert_true(fk->x[ABI_F_Y_DENSE] == 1.0);
	assert_true(fk->x[ABI_F_X_NULLS] == 0.2);
	assert_null(find(&c, 1, 2, 0, 0)); /* qty: by chance, no candidate */
	assert_null(find(&c, 1, 3, 0, 0));  /* a float column is never a foreign key */
	assert_null(find(&c, 0, 0, 1, 0)); /* customers.id is not inside order_id (10..14) */
	abi_cands_free(&c);
	abi_profile_free(&p[0]);
	abi_profile_free(&p[1]);
}

static void test_composite_candidate(void **state)
{
	(void)state;
	abi_profile p[2];
	profile_text(&p[0], "partsupp", "ps_partkey,ps_suppkey,ps_cost\n1,1,5.5\n1,2,6.5\n2,1,7.5\n2,3,8.5\n3,2,9.5\n");
	profile_text(&p[1], "lineitem", "l_partkey,l_suppkey,l_qty\n1,1,3\n1,2,4\n2,3,5\n1,1,6\n3,2,7\n2,1,8\n");
	abi_cands c = {0};
	abi_cand_opts o = ABI_CAND_OPTS_INIT;
	assert_int_equal(abi_candidates(&c, p, 2, &o), 0);
	int found = 0;
	for (size_t i = 0; i < c.n; i++)
		if (c.v[i].ncols == 2 && c.v[i].from == 1 && c.v[i].to == 0 && c.v[i].fc[0] == 0 && c.v[i].fc[1] == 1) {
			found = 1;
			assert_true(c.v[i].x[ABI_F_CONTAIN] == 1.0);
			assert_true(c.v[i].x[ABI_F_COMPOSITE] == 1.0);
			assert_true(c.v[i].x[ABI_F_NAME_EQUAL] == 1.0); /* prefixes stripped */
			/* every feature defined: the sibling mark was once averaged
			 * with an uninitialised value, so composite candidates had
			 * a different feature (and p) from run to run */
			assert_true(c.v[i].x[ABI_F_SIBLING_NAMED] == 0.0);
			for (int f = 0; f < ABI_NFEATURES; f++)
				assert_true(isfinite(c.v[i].x[f]) && fabs(c.v[i].x[f]) <= 2.0);
		}
	assert_true(found);
	abi_cands_free(&c);
	abi_profile_free(&p[0]);
	abi_profile_free(&p[1]);
}

static void test_abbreviations_roles_decorations(void **state)
{
	(void)state;
	abi_name col, t;
	/* TPC-DS: ss_cdemo_sk abbreviates customer_demographics word by word */
	abi_name_split(&col, "ss_cdemo_sk", "ss_", 0);
	abi_name_split(&t, "customer_demographics", NULL, 1);
	assert_true(abi_name_refers(&col, &t) == 1.0);
	abi_name_split(&col, "ss_hdemo_sk", "ss_", 0);
	assert_true(abi_name_refers(&col, &t) == 0.0); /* h is not c */
	abi_name_split(&t, "household_demographics", NULL, 1);
	assert_true(abi_name_refers(&col, &t) == 1.0);
	abi_name_split(&t, "customer", NULL, 1);
	abi_name_split(&col, "cdemo", NULL, 0);
	assert_true(abi_name_refers(&col, &t) == 0.0); /* one word is no abbreviation */
	/* the head word counts twice: addr names customer_address by 2/3,
	 * film_id names film_category by 1/3 and film by 1 */
	abi_name_split(&col, "ss_addr_sk", "ss_", 0);
	abi_name_split(&t, "customer_address", NULL, 1);
	assert_true(fabs(abi_name_refers(&col, &t) - 2.0 / 3.0) < 1e-12);
	abi_name_split(&col, "film_id", NULL, 0);
	abi_name_split(&t, "film_category", NULL, 1);
	assert_true(fabs(abi_name_refers(&col, &t) - 1.0 / 3.0) < 1e-12);
	/* decorations are not what a table holds */
	abi_name_split(&t, "date_dim", NULL, 1);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.tok[0], "date");
	abi_name_split(&t, "DimCustomer", NULL, 1);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.tok[0], "customer");
	abi_name_split(&t, "dim", NULL, 1); /* a table called only that keeps its name */
	assert_int_equal(t.n, 1);
	/* roles, and tables of people */
	abi_name_split(&col, "SupportRepId", NULL, 0);
	assert_true(abi_name_has_role(&col));
	abi_name_split(&col, "ReportsTo", NULL, 0);
	assert_true(abi_name_has_role(&col));
	abi_name_split(&col, "soldBy", NULL, 0);
	assert_true(abi_name_has_role(&col));
	abi_name_split(&col, "customer_id", NULL, 0);
	assert_false(abi_name_has_role(&col));
	abi_name_split(&col, "LeadTimeDays", NULL, 0); /* a role word, but a measure */
	assert_false(abi_name_has_role(&col));
	abi_name_split(&t, "Application.People", NULL, 1); /* schema-qualified, irregular plural */
	assert_string_equal(t.tok[t.n - 1], "person");
	abi_name_split(&col, "SalespersonPersonID", NULL, 0);
	assert_true(abi_name_refers(&col, &t) > 0.6);
	abi_name_split(&t, "Employees", NULL, 1);
	assert_true(abi_name_is_people(&t));
	abi_name_split(&t, "Invoice", NULL, 1);
	assert_false(abi_name_is_people(&t));
	/* number and nr are key words, fused or not */
	abi_name_split(&col, "kundennr", NULL, 0);
	assert_true(abi_name_is_keyish(&col));
	abi_name_split(&col, "number", NULL, 0);
	assert_true(abi_name_is_keyish(&col));
}

/* A table of `n` rows: id 1..n, then `extra` columns given per row by fn. */
static char *rows_text(const char *header, int n, void (*row)(FILE *, int))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	fprintf(f, "%s\n", header);
	for (int i = 0; i < n; i++)
		row(f, i);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* Table `name` of n rows written by `row`, profiled into p. */
static void profile_rows(abi_profile *p, const char *name, const char *header, int n, void (*row)(FILE *, int))
{
	char *text = rows_text(header, n, row);
	profile_text(p, name, text);
	free(text);
}

static void ship_mode_row(FILE *f, int i)
{
	fprintf(f, "%d,mode %d\n", i + 1, i);
}

static void sales_row(FILE *f, int i)
{
	/* 4% orphans, each a different value: 8 of 14 distinct values join
	 * nothing, but 96% of the rows join */
	fprintf(f, "%d,%d,%d\n", i + 1, i % 25 == 3 ? 100 + i : 1 + i % 6, 1 + i % 3);
}

static void employee_row(FILE *f, int i)
{
	fprintf(f, "%d,%s,%d\n", i + 1, i < 2 ? "" : i < 6 ? "1" : "2", 1 + i % 3);
}

static void order_row(FILE *f, int i)
{
	fprintf(f, "%d,%d,%d,%d\n", 100 + i, 1 + i % 10, 1 + (i * 7) % 10, 1 + i % 3);
}

/* Pairs inside a dense key by chance are no candidates; what a name may
 * still support stays for the classifier. */
static void test_chance_pairs(void **state)
{
	(void)state;
	abi_profile p[3];
	char *o = rows_text("order_id,user_id,customer_id,qty", 40, order_row);
	profile_text(&p[0], "customers", "id,name\n1,a\n2,b\n3,c\n4,d\n5,e\n6,f\n7,g\n8,h\n9,i\n10,j\n");
	profile_text(&p[1], "stores",
		     "id,city\n1,a\n2,b\n3,c\n4,d\n5,e\n6,f\n7,g\n8,h\n9,i\n10,j\n11,k\n12,l\n13,m\n14,n\n15,o\n"
		     "16,p\n17,q\n18,r\n19,s\n20,t\n");
	profile_text(&p[2], "orders", o);
	free(o);
	abi_cands c = {0};
	abi_cand_opts opts = ABI_CAND_OPTS_INIT;
	assert_int_equal(abi_candidates(&c, p, 3, &opts), 0);
	assert_non_null(find(&c, 2, 2, 0, 0)); /* customer_id -> customers.id */
	assert_null(find(&c, 2, 2, 1, 0));     /* customer_id names customers, not stores */
	assert_non_null(find(&c, 2, 1, 0, 0)); /* user_id reads as a key and names no table */
	assert_non_null(find(&c, 2, 1, 1, 0)); /* ... so the classifier judges both */
	assert_null(find(&c, 2, 3, 0, 0));     /* qty: 3 values inside 1..10, named nothing */
	assert_null(find(&c, 2, 3, 1, 0));
	abi_cands_free(&c);
	for (int i = 0; i < 3; i++)
		abi_profile_free(&p[i]);
}

static void title_row(FILE *f, int i)
{
	fprintf(f, "%d,title %d\n", i + 1, i);
}

static void company_row(FILE *f, int i)
{
	fprintf(f, "%d,%d,%d\n", i + 1, 1 + i % 60, 1 + i % 7);
}

static void info_row(FILE *f, int i)
{
	fprintf(f, "%d,%d,%d\n", i + 1, 1 + (i * 7) % 60, 1 + i % 100);
}

static void circuit_row(FILE *f, int i)
{
	fprintf(f, "%d,circuit %d\n", i + 1, i);
}

/* movie_id names movie_companies by its modifier word, but that table
 * holds a movie_id of its own (repeating: a reference too): both point at
 * title, so the name is no evidence for movie_companies, and no margin
 * against title. A column of 100 values named as no key (a lap number)
 * inside a dense 1..100 key is no candidate. */
static void test_peer_columns_and_few_values(void **state)
{
	(void)state;
	abi_profile p[4];
	profile_rows(&p[0], "title", "id,title", 60, title_row);
	profile_rows(&p[1], "movie_companies", "id,movie_id,company", 90, company_row);
	profile_rows(&p[2], "movie_info", "id,movie_id,lap", 300, info_row);
	profile_rows(&p[3], "circuits", "id,name", 100, circuit_row);
	abi_cands c = {0};
	abi_cand_opts opts = ABI_CAND_OPTS_INIT;
	assert_int_equal(abi_candidates(&c, p, 4, &opts), 0);
	const abi_cand *peer = find(&c, 2, 1, 1, 0), *real = find(&c, 2, 1, 0, 0);
	assert_non_null(peer);
	assert_non_null(real);
	assert_true(peer->x[ABI_F_NAME_REFERS] == 0);
	assert_true(peer->x[ABI_F_CONTAIN_NAME] == 0);
	assert_true(real->x[ABI_F_REFERS_MARGIN] == 0);
	assert_null(find(&c, 2, 2, 3, 0)); /* lap: 100 values inside 1..100, named nothing */
	abi_cands_free(&c);
	for (int i = 0; i < 4; i++)
		abi_profile_free(&p[i]);
}

static void post_row(FILE *f, int i)
{
	fprintf(f, "%d,%d\n", i + 1, 1 + i % 8);
}

static void vote_type_row(FILE *f, int i)
{
	fprintf(f, "%d,type %d\n", i + 1, i);
}

static void vote_row(FILE *f, int i)
{
	fprintf(f, "%d,%d,%d\n", i + 1, 1 + (i * 7) % 200, 1 + i % 15);
}

/* Stack Exchange's Posts.PostTypeId (1..8, and no PostTypes table) fits
 * inside VoteTypes' 1..15 and Posts' own ids by chance. Its name names a
 * post type: not a vote type (a rival modifier that names a table, where
 * VoteTypes has a modifier of its own), and not a post (its own table,
 * named by a modifier, its head word type left unexplained). Both pairs
 * were named 0.67 and 1.0, and PostTypeId -> VoteTypes was joined. */
static void test_rival_modifiers_name_no_table(void **state)
{
	(void)state;
	abi_profile p[3];
	profile_rows(&p[0], "Posts", "Id,PostTypeId", 200, post_row);
	profile_rows(&p[1], "VoteTypes", "Id,Name", 15, vote_type_row);
	profile_rows(&p[2], "Votes", "Id,PostId,VoteTypeId", 300, vote_row);
	abi_cands c = {0};
	abi_cand_opts opts = ABI_CAND_OPTS_INIT;
	assert_int_equal(abi_candidates(&c, p, 3, &opts), 0);
	const abi_cand *to_votetypes = find(&c, 0, 1, 1, 0), *to_posts = find(&c, 0, 1, 0, 0);
	if (to_votetypes)
		assert_true(to_votetypes->x[ABI_F_NAME_REFERS] == 0);
	if (to_posts)
		assert_true(to_posts->x[ABI_F_NAME_REFERS] == 0);
	const abi_cand *vt = find(&c, 2, 2, 1, 0), *post = find(&c, 2, 1, 0, 0);
	assert_non_null(vt);
	assert_non_null(post);
	assert_true(vt->x[ABI_F_NAME_REFERS] > 0.9);
	assert_true(post->x[ABI_F_NAME_REFERS] > 0.9);
	abi_cands_free(&c);
	for (int i = 0; i < 3; i++)
		abi_profile_free(&p[i]);
}

static void test_orphans_and_self_references(void **state)
{
	(void)state;
	abi_profile p[3];
	profile_rows(&p[0], "ship_mode", "ship_mode_id,name", 6, ship_mode_row);
	profile_rows(&p[1], "sales", "id,ship_mode_id,floor", 200, sales_row);
	profile_rows(&p[2], "employees", "employee_id,manager_id,floor", 10, employee_row);
	abi_cands c = {0};
	abi_cand_opts o = ABI_CAND_OPTS_INIT;
	assert_int_equal(abi_candidates(&c, p, 3, &o), 0);
	const abi_cand *fk = find(&c, 1, 1, 0, 0);
	assert_non_null(fk); /* kept although only 6 of 14 distinct values join */
	assert_true(fk->x[ABI_F_CONTAIN] < 0.5);
	/* the orphan share of rows is 4%: -log10(0.04) / 3 = 0.466 */
	assert_true(fabs(fk->x[ABI_F_CONTAIN_FULL] - 0.466) < 0.01);
	const abi_cand *mgr = find(&c, 2, 1, 2, 0);
	assert_non_null(mgr); /* employees.manager_id -> employees.employee_id */
	assert_true(mgr->x[ABI_F_SELF] == 1.0 && mgr->x[ABI_F_SELF_PLAIN] == 0.0);
	assert_true(mgr->x[ABI_F_ROLE] == 1.0);
	/* floor 1..3 sits inside 1..10 too, but by chance, and says nothing */
	assert_null(find(&c, 2, 2, 2, 0));
	assert_null(find(&c, 2, 0, 2, 0)); /* a column never references itself */
	/* a dense 1..6 key is no evidence by value, and floor's name says
	 * nothing: no candidate either */
	assert_null(find(&c, 1, 2, 0, 0));
	abi_cands_free(&c);
	for (int i = 0; i < 3; i++)
		abi_profile_free(&p[i]);
}

static void test_constant_column_makes_no_composite(void **state)
{
	(void)state;
	abi_profile p[2];
	/* (part, supp) is a two-column key; qty is always 1, which is also a
	 * part number, and (qty, supp) pairs all exist in the key */
	profile_text(&p[0], "partsupp", "part,supp,cost\n1,1,5.5\n1,2,6.5\n1,3,7.5\n2,1,8.5\n2,2,9.5\n3,3,1.5\n");
	profile_text(&p[1], "lines", "part,supp,qty\n1,1,1\n1,2,1\n2,1,1\n3,3,1\n1,3,1\n2,2,1\n");
	abi_cands c = {0};
	abi_cand_opts o = ABI_CAND_OPTS_INIT;
	assert_int_equal(abi_candidates(&c, p, 2, &o), 0);
	int real = 0;
	for (size_t i = 0; i < c.n; i++)
		if (c.v[i].ncols == 2) {
			assert_true(c.v[i].fc[0] != 2 && c.v[i].fc[1] != 2);
			real += c.v[i].fc[0] == 0 && c.v[i].fc[1] == 1;
		}
	assert_true(real >= 1); /* the real pair is found */
	abi_cands_free(&c);
	abi_profile_free(&p[0]);
	abi_profile_free(&p[1]);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

/* The pair search on several threads finds exactly the candidates, in
 * the same order, that one thread finds: a generated lake of 60 tables. */
static void test_threads_same_candidates(void **state)
{
	(void)state;
	char dir[] = "/tmp/autobi-threads-XXXXXX", tdir[600], err[512];
	assert_non_null(mkdtemp(dir));
	abi_synth_opts so = {"wide", 3, 800, 60};
	assert_int_equal(abi_synth(dir, &so, err, sizeof err), 0);
	snprintf(tdir, sizeof tdir, "%s/tables", dir);
	abi_profile *profs;
	size_t n;
	double tp, tq;
	assert_int_equal(abi_profile_dir(&profs, &n, tdir, &tp, &tq, err, sizeof err), 0);
	assert_true(n >= 60);
	abi_cand_opts o = ABI_CAND_OPTS_INIT;
	abi_cands one = {0}, many = {0};
	assert_int_equal(abi_candidates(&one, profs, n, &o), 0);
	o.threads = 3;
	assert_int_equal(abi_candidates(&many, profs, n, &o), 0);
	assert_true(one.n > 100);
	assert_int_equal(many.n, one.n);
	assert_memory_equal(many.v, one.v, one.n * sizeof *one.v);
	abi_cands_free(&one);
	abi_cands_free(&many);
	for (size_t i = 0; i < n; i++)
		abi_profile_free(&profs[i]);
	free(profs);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),     cmocka_unit_test(test_refers_and_similarity),
		cmocka_unit_test(test_containment),
		cmocka_unit_test(test_sort_unique_large),
		cmocka_unit_test(test_threads_same_candidates), cmocka_unit_test(test_candidates),
		cmocka_unit_test(test_composite_candidate), cmocka_unit_test(test_abbreviations_roles_decorations),
		cmocka_unit_test(test_orphans_and_self_references),
		cmocka_unit_test(test_chance_pairs),
		cmocka_unit_test(test_peer_columns_and_few_values), cmocka_unit_test(test_rival_modifiers_name_no_table), cmocka_unit_test(test_constant_column_makes_no_composite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
