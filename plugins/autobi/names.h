/*
 * names.h -- what column and table names say about joins.
 *
 * Names are split into lower-case tokens ("CustomerID" -> customer id,
 * "l_orderkey" -> l order key) so that the naming conventions of different
 * warehouses (snake, camel, TPC-style prefixes, fused key suffixes) compare
 * on the same footing.
 */
#ifndef AUTOBI_NAMES_H
#define AUTOBI_NAMES_H

#include <stddef.h>

#define ABI_MAX_TOKENS 8
#define ABI_TOKEN_LEN 24

typedef struct abi_name {
	char tok[ABI_MAX_TOKENS][ABI_TOKEN_LEN];
	int n;
	unsigned keyw; /* bit i: token i is a key word (id, key, code, sk...) */
} abi_name;

/* Tokenises `s`; when `strip` is a non-empty prefix such as "l_", it is
 * dropped first. Table names are also singularised token by token. */
void abi_name_split(abi_name *out, const char *s, const char *strip, int is_table);

/* The short prefix ("l_", "ps_") most of a table's columns share, or "" when
 * there is none; written into out (at least 8 bytes). */
void abi_name_common_prefix(char *out, size_t outlen, const char *const *cols, size_t n);

/* 1 when the last token is a key word (id, key, code, no, num, sk, ...). */
int abi_name_is_keyish(const abi_name *n);

/* Jaccard similarity of the token sets, ignoring key words; 1 for equal names. */
double abi_name_similarity(const abi_name *a, const abi_name *b);

/* How strongly column `col` refers to table `table`: 1 when every table token
 * is matched by a column token (customer_id -> customer, custkey -> customer,
 * ps_suppkey -> supplier), a fraction when some are, 0 when none. A token
 * may also abbreviate several table words as a run of their prefixes
 * (ss_cdemo_sk -> customer_demographics). */
double abi_name_refers(const abi_name *col, const abi_name *table);

/* The column's words that modify the word naming `table`'s head but match
 * none of the table's words, when the table has a modifier of its own that
 * the column does not name (post in PostTypeId against VoteTypes: a post
 * type is no vote type). Role words (parent, manager, ...) and key words are
 * never such words. Their indexes go to idx (up to ABI_MAX_TOKENS); returns
 * how many. */
int abi_name_rival_modifiers(const abi_name *col, const abi_name *table, int *idx);

/* 1 when a token names a person's role (manager, reports, rep, by, parent,
 * owner, ...): such a column refers to a people table, or to its own. */
int abi_name_has_role(const abi_name *n);

/* 1 when a (singularised) table name says it holds people: employee,
 * staff, user, person, agent, ... */
int abi_name_is_people(const abi_name *table);

/* 1 when the names are equal as token sequences. */
int abi_name_equal(const abi_name *a, const abi_name *b);

#endif
