/* Unit tests of name handling, containment and candidate features. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "candidates.h"
#include "csv.h"
#include "names.h"
#include "profile.h"

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
	 * customers.id, but its name does not say so; price is a float. */
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
	const abi_cand *qty = find(&c, 1, 2, 0, 0);
	assert_non_null(qty);
	assert_true(qty->x[ABI_F_NAME_REFERS] == 0.0);
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
		}
	assert_true(found);
	abi_cands_free(&c);
	abi_profile_free(&p[0]);
	abi_profile_free(&p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),     cmocka_unit_test(test_refers_and_similarity),
		cmocka_unit_test(test_containment), cmocka_unit_test(test_candidates),
		cmocka_unit_test(test_composite_candidate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
