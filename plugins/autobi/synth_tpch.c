/*
 * synth_tpch.c -- the TPC-H-shaped schema: the eight tables with the TPC-H
 * keys and column names, sparse order keys, four suppliers per part, and
 * the composite lineitem (l_partkey, l_suppkey) -> partsupp join among the
 * ten true joins.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "synth_util.h"

int abi_synth_tpch(const char *dir, abi_rng *r, int lineitem_rows, char *err, size_t errlen)
{
	double sf = lineitem_rows / 6000000.0 * 1000.0; /* rows per TPC-H table at SF 0.001 scale */
	int nsupp = (int)(10 * sf) > 5 ? (int)(10 * sf) : 5, npart = (int)(200 * sf) > 20 ? (int)(200 * sf) : 20;
	int ncust = (int)(150 * sf) > 15 ? (int)(150 * sf) : 15, nord = (int)(1500 * sf) > 30 ? (int)(1500 * sf) : 30;
	static const char *const regions[] = {"AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"};
	static const char *const segs[] = {"AUTOMOBILE", "BUILDING", "FURNITURE", "HOUSEHOLD", "MACHINERY"};
	char path[4096];
	FILE *f[8] = {0};
	static const char *const names[8] = {"region", "nation", "supplier", "customer", "part", "partsupp", "orders",
					     "lineitem"};
	static const char *const headers[8] = {
		"r_regionkey,r_name,r_comment",
		"n_nationkey,n_name,n_regionkey,n_comment",
		"s_suppkey,s_name,s_address,s_nationkey,s_phone,s_acctbal,s_comment",
		"c_custkey,c_name,c_address,c_nationkey,c_phone,c_acctbal,c_mktsegment,c_comment",
		"p_partkey,p_name,p_mfgr,p_brand,p_type,p_size,p_container,p_retailprice,p_comment",
		"ps_partkey,ps_suppkey,ps_availqty,ps_supplycost,ps_comment",
		"o_orderkey,o_custkey,o_orderstatus,o_totalprice,o_orderdate,o_orderpriority,o_clerk,o_shippriority,"
		"o_comment",
		"l_orderkey,l_partkey,l_suppkey,l_linenumber,l_quantity,l_extendedprice,l_discount,l_tax,"
		"l_returnflag,l_linestatus,l_shipdate,l_commitdate,l_receiptdate,l_shipinstruct,l_shipmode,"
		"l_comment"};
	int rc = -1;
	for (int i = 0; i < 8; i++) {
		snprintf(path, sizeof path, "%s/tables/%s.csv", dir, names[i]);
		if (!(f[i] = fopen(path, "w")) || fprintf(f[i], "%s\n", headers[i]) < 0) {
			snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
			goto done;
		}
	}
	for (int i = 0; i < 5; i++)
		fprintf(f[0], "%d,%s,\"comment %d, regional\"\n", i, regions[i], i);
	for (int i = 0; i < 25; i++)
		fprintf(f[1], "%d,NATION%02d,%d,nation comment %d\n", i, i, i % 5, i);
	for (int i = 1; i <= nsupp; i++)
		fprintf(f[2], "%d,Supplier#%09d,addr %d,%d,%d-555-%04d,%.2f,supplier comment\n", i, i, i,
			abi_rng_range(r, 0, 24), 10 + i % 25, i, -999.99 + 10999.98 * abi_rng_unif(r));
	for (int i = 1; i <= ncust; i++)
		fprintf(f[3], "%d,Customer#%09d,addr %d,%d,%d-555-%04d,%.2f,%s,customer comment\n", i, i, i,
			abi_rng_range(r, 0, 24), 10 + i % 25, i, -999.99 + 10999.98 * abi_rng_unif(r), segs[abi_rng_range(r, 0, 4)]);
	for (int i = 1; i <= npart; i++)
		fprintf(f[4], "%d,part %d,Manufacturer#%d,Brand#%d%d,STANDARD TIN,%d,SM BOX,%.2f,part comment\n", i, i,
			abi_rng_range(r, 1, 5), abi_rng_range(r, 1, 5), abi_rng_range(r, 1, 5), abi_rng_range(r, 1, 50), 900 + i / 10.0 + (i % 1000));
	/* TPC-H's supplier formula, without its large-scale term (which repeats
	 * suppliers of a part when there are few): part p has four suppliers. */
	for (int p = 1; p <= npart; p++)
		for (int j = 0; j < 4; j++)
			fprintf(f[5], "%d,%d,%d,%.2f,ps comment\n", p, (p + j * (nsupp / 4)) % nsupp + 1,
				abi_rng_range(r, 1, 9999), 1 + 999 * abi_rng_unif(r));
	int lines = 0;
	for (int o = 1; o <= nord; o++) {
		/* Sparse order keys: TPC-H uses the first 8 of every 32. */
		long okey = (long)((o - 1) / 8) * 32 + (o - 1) % 8 + 1;
		int cust;
		do
			cust = abi_rng_range(r, 1, ncust);
		while (cust % 3 == 0 && ncust > 3);
		fprintf(f[6], "%ld,%d,%c,%.2f,199%d-%02d-%02d,%d-URGENT,Clerk#%09d,0,order comment\n", okey, cust,
			"OFP"[abi_rng_range(r, 0, 2)], 1000 + 400000 * abi_rng_unif(r), abi_rng_range(r, 2, 8), abi_rng_range(r, 1, 12),
			abi_rng_range(r, 1, 28), abi_rng_range(r, 1, 5), abi_rng_range(r, 1, 1000));
		int nl = abi_rng_range(r, 1, 7);
		for (int l = 1; l <= nl; l++, lines++) {
			int p = abi_rng_range(r, 1, npart), j = abi_rng_range(r, 0, 3);
			int s = (p + j * (nsupp / 4)) % nsupp + 1;
			fprintf(f[7], "%ld,%d,%d,%d,%d,%.2f,0.0%d,0.0%d,%c,%c,1995-%02d-%02d,1995-%02d-%02d,1995-%02d-%02d,"
				"DELIVER IN PERSON,TRUCK,line comment\n",
				okey, p, s, l, abi_rng_range(r, 1, 50), 1000 + 90000 * abi_rng_unif(r), abi_rng_range(r, 0, 9), abi_rng_range(r, 0, 8),
				"RAN"[abi_rng_range(r, 0, 2)], "OF"[abi_rng_range(r, 0, 1)], abi_rng_range(r, 1, 12), abi_rng_range(r, 1, 28),
				abi_rng_range(r, 1, 12), abi_rng_range(r, 1, 28), abi_rng_range(r, 1, 12), abi_rng_range(r, 1, 28));
		}
	}
	rc = 0;
done:
	for (int i = 0; i < 8; i++)
		if (f[i] && fclose(f[i]) != 0 && rc == 0) {
			snprintf(err, errlen, "cannot write the tpch tables");
			rc = -1;
		}
	if (rc != 0)
		return -1;
	static const char *const fk[][4] = {
		{"nation", "n_regionkey", "region", "r_regionkey"},   {"supplier", "s_nationkey", "nation", "n_nationkey"},
		{"customer", "c_nationkey", "nation", "n_nationkey"}, {"partsupp", "ps_partkey", "part", "p_partkey"},
		{"partsupp", "ps_suppkey", "supplier", "s_suppkey"}, {"orders", "o_custkey", "customer", "c_custkey"},
		{"lineitem", "l_orderkey", "orders", "o_orderkey"},   {"lineitem", "l_partkey", "part", "p_partkey"},
		{"lineitem", "l_suppkey", "supplier", "s_suppkey"}};
	json_t *joins = json_array(), *facts = json_array();
	json_array_append_new(facts, json_string("lineitem"));
	for (int i = 0; i < 9; i++)
		json_array_append_new(joins, abi_truth_join(fk[i][0], &fk[i][1], 1, fk[i][2], &fk[i][3]));
	const char *lc[] = {"l_partkey", "l_suppkey"}, *pc[] = {"ps_partkey", "ps_suppkey"};
	json_array_append_new(joins, abi_truth_join("lineitem", lc, 2, "partsupp", pc));
	(void)lines;
	return abi_truth_write(dir, "tpch", joins, facts, err, errlen);
}

