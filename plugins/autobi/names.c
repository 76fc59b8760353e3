/*
 * names.c -- tokenising and comparing column and table names.
 *
 * Abbreviations are matched by prefix (cust ~ customer, supp ~ supplier)
 * only from three letters up, so "id" never matches "idea".
 */
#include "names.h"

#include <ctype.h>
#include <string.h>

static const char *const key_words[] = {"id", "key", "code", "no", "num", "nr", "nbr", "number", "sk", "ref", "pk", "fk", "uuid"};

/* 1 when t is one of the n words of list. */
static int in_list(const char *t, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t, list[i]) == 0)
			return 1;
	return 0;
}

#define IN_LIST(t, list) in_list((t), (list), sizeof(list) / sizeof *(list))

static int is_key_word(const char *t)
{
	return IN_LIST(t, key_words);
}

/* Token i of n is a key word: read from the mask abi_name_split fills,
 * since names are compared millions of times on a large lake and the
 * word list by strcmp was a fifth of the candidate search. */
static int key_at(const abi_name *n, int i)
{
	return (int)(n->keyw >> i) & 1;
}

static void push(abi_name *out, const char *s, size_t n)
{
	if (n == 0 || out->n >= ABI_MAX_TOKENS)
		return;
	if (n >= ABI_TOKEN_LEN)
		n = ABI_TOKEN_LEN - 1;
	memcpy(out->tok[out->n], s, n);
	out->tok[out->n][n] = '\0';
	out->n++;
}

/* Splits a fused key suffix: "orderkey" -> order key, "custid" -> cust id. */
static void push_word(abi_name *out, const char *w, size_t n)
{
	static const char *const fused[] = {"key", "id", "code", "number", "num", "nr", "sk", "ref", "uuid"};
	for (size_t i = 0; i < sizeof fused / sizeof *fused; i++) {
		size_t fl = strlen(fused[i]);
		if (n >= fl + 3 && memcmp(w + n - fl, fused[i], fl) == 0) {
			push(out, w, n - fl);
			push(out, fused[i], fl);
			return;
		}
	}
	push(out, w, n);
}

static void singularise(char *t)
{
	/* English irregular plurals seen in table names (Application.People,
	 * Children, Criteria); the rules below cover the regular ones. */
	static const char *const irregular[][2] = {{"people", "person"}, {"children", "child"}, {"men", "man"},
						   {"women", "woman"}, {"criteria", "criterion"}, {"indices", "index"},
						   {"analyses", "analysis"}, {"statuses", "status"}, {"mice", "mouse"}};
	for (size_t i = 0; i < sizeof irregular / sizeof *irregular; i++)
		if (strcmp(t, irregular[i][0]) == 0) {
			strcpy(t, irregular[i][1]);
			return;
		}
	size_t n = strlen(t);
	if (n > 4 && strcmp(t + n - 3, "ies") == 0)
		strcpy(t + n - 3, "y");
	else if (n > 4 && (strcmp(t + n - 4, "sses") == 0 || strcmp(t + n - 4, "ches") == 0 ||
			   strcmp(t + n - 4, "shes") == 0 || strcmp(t + n - 3, "xes") == 0))
		t[n - 2] = '\0';
	else if (n > 3 && t[n - 1] == 's' && t[n - 2] != 's' && t[n - 2] != 'u' && t[n - 2] != 'i')
		t[n - 1] = '\0';
}

static void mark_key_words(abi_name *n)
{
	n->keyw = 0;
	for (int i = 0; i < n->n; i++)
		n->keyw |= (unsigned)is_key_word(n->tok[i]) << i;
}

void abi_name_split(abi_name *out, const char *s, const char *strip, int is_table)
{
	memset(out, 0, sizeof *out);
	if (strip && *strip && strncmp(s, strip, strlen(strip)) == 0 && s[strlen(strip)])
		s += strlen(strip);
	char w[64];
	size_t wn = 0;
	for (const char *p = s;; p++) {
		unsigned char c = (unsigned char)*p;
		int boundary = !c || !isalnum(c);
		/* camelCase: a capital after a lower-case letter starts a word;
		 * "CustomerID" splits before the I, "ID" stays whole. */
		if (!boundary && wn && isupper(c) && p > s && islower((unsigned char)p[-1]))
			boundary = 2;
		if (!boundary && wn && isdigit(c) != isdigit((unsigned char)p[-1]))
			boundary = 2;
		if (boundary) {
			if (wn)
				push_word(out, w, wn);
			wn = 0;
			if (!c)
				break;
			if (boundary == 1)
				continue;
		}
		if (wn < sizeof w - 1)
			w[wn++] = (char)tolower(c);
	}
	if (!is_table) {
		mark_key_words(out);
		return;
	}
	/* Decorations say what kind of table it is, not what it holds:
	 * date_dim, DimCustomer, fact_sales, tbl_orders. */
	static const char *const decor[] = {"dim", "fact", "tbl", "table", "lookup", "lkp"};
	for (int i = 0; i < out->n && out->n > 1; i++)
		if (IN_LIST(out->tok[i], decor)) {
			memmove(out->tok[i], out->tok[i + 1], (size_t)(out->n - i - 1) * sizeof out->tok[0]);
			out->n--;
			i--;
		}
	for (int i = 0; i < out->n; i++)
		singularise(out->tok[i]);
	mark_key_words(out);
}

void abi_name_common_prefix(char *out, size_t outlen, const char *const *cols, size_t n)
{
	out[0] = '\0';
	if (n < 2 || outlen < 8)
		return;
	for (size_t i = 0; i < n; i++) {
		const char *u = strchr(cols[i], '_');
		size_t pl = u ? (size_t)(u - cols[i]) + 1 : 0;
		if (pl < 2 || pl > 4)
			continue;
		size_t same = 0;
		for (size_t j = 0; j < n; j++)
			same += strncmp(cols[j], cols[i], pl) == 0;
		/* TPC-style prefixes are on (nearly) every column of a table. */
		if (same * 5 >= n * 4) {
			memcpy(out, cols[i], pl);
			out[pl] = '\0';
			return;
		}
	}
}

int abi_name_is_keyish(const abi_name *n)
{
	return n->n > 0 && key_at(n, n->n - 1);
}

static int tok_match(const char *a, const char *b)
{
	if (strcmp(a, b) == 0)
		return 1;
	size_t la = strlen(a), lb = strlen(b);
	if (la >= 3 && lb > la && strncmp(a, b, la) == 0)
		return 1;
	if (lb >= 3 && la > lb && strncmp(a, b, lb) == 0)
		return 1;
	return 0;
}

double abi_name_similarity(const abi_name *a, const abi_name *b)
{
	if (abi_name_equal(a, b))
		return 1.0;
	int inter = 0, na = 0, nb = 0;
	for (int i = 0; i < a->n; i++) {
		if (key_at(a, i))
			continue;
		na++;
		for (int j = 0; j < b->n; j++)
			if (!key_at(b, j) && tok_match(a->tok[i], b->tok[j])) {
				inter++;
				break;
			}
	}
	for (int j = 0; j < b->n; j++)
		nb += !key_at(b, j);
	int uni = na + nb - inter;
	return uni > 0 ? (double)inter / uni : 0.0;
}

/* Marks the table words that `t` abbreviates as a run of their prefixes,
 * in order: "cdemo" = c(ustomer) demo(graphic), "hdemo" = h(ousehold)
 * demo(graphic), as TPC-DS names its foreign keys. At least two words,
 * four letters, and the last piece two letters long, so that short tokens
 * do not abbreviate everything. Returns the number of words marked. */
static int abbreviates(const char *t, const abi_name *table, int *covered)
{
	size_t n = strlen(t);
	if (n < 4 || table->n < 2)
		return 0;
	for (int first = 0; first + 1 < table->n; first++) {
		int used[ABI_MAX_TOKENS] = {0}, nused = 0, w = first;
		size_t pos = 0, last = 0;
		while (pos < n && w < table->n) {
			const char *word = table->tok[w];
			size_t k = 0;
			while (pos + k < n && word[k] && word[k] == t[pos + k])
				k++;
			if (k == 0) {
				if (nused == 0)
					break; /* the first piece starts the token */
				w++;       /* a word may be skipped */
				continue;
			}
			/* Prefer the longest piece, unless the next word starts right
			 * after a shorter one (c + demo rather than cu + ...). */
			size_t take = k;
			for (size_t q = 1; q < k && w + 1 < table->n; q++)
				if (table->tok[w + 1][0] == t[pos + q]) {
					take = q;
					break;
				}
			used[w] = 1;
			nused++;
			pos += take;
			last = take;
			w++;
		}
		if (pos == n && nused >= 2 && last >= 2) {
			for (int i = 0; i < table->n; i++)
				covered[i] |= used[i];
			return nused;
		}
	}
	return 0;
}

double abi_name_refers(const abi_name *col, const abi_name *table)
{
	if (table->n == 0)
		return 0.0;
	int covered[ABI_MAX_TOKENS] = {0};
	for (int i = 0; i < table->n; i++)
		for (int j = 0; j < col->n && !covered[i]; j++)
			covered[i] = !key_at(col, j) && tok_match(col->tok[j], table->tok[i]);
	for (int j = 0; j < col->n; j++)
		if (!key_at(col, j))
			abbreviates(col->tok[j], table, covered);
	/* The last word is the head of an English compound (customer_address
	 * is an address, film_category a category), so it counts twice: addr
	 * names customer_address by 2/3, film_id names film_category by 1/3. */
	int hit = 0;
	for (int i = 0; i < table->n; i++)
		hit += covered[i] * (i == table->n - 1 ? 2 : 1);
	return (double)hit / (table->n + 1);
}

static int is_role_word(const char *t);

int abi_name_rival_modifiers(const abi_name *col, const abi_name *table, int *idx)
{
	if (table->n < 2)
		return 0;
	/* the column's word naming the table's head, and whether every one of
	 * the table's modifiers is named by some column word */
	int head_at = -1, mods_named = 1;
	for (int j = 0; j < col->n && head_at < 0; j++)
		if (!key_at(col, j) && tok_match(col->tok[j], table->tok[table->n - 1]))
			head_at = j;
	for (int i = 0; i < table->n - 1 && mods_named; i++) {
		int named = 0;
		for (int j = 0; j < col->n && !named; j++)
			named = !key_at(col, j) && tok_match(col->tok[j], table->tok[i]);
		mods_named = named;
	}
	if (head_at <= 0 || mods_named)
		return 0;
	int n = 0;
	for (int j = 0; j < head_at; j++) {
		int matched = key_at(col, j) || is_role_word(col->tok[j]);
		for (int i = 0; i < table->n && !matched; i++)
			matched = tok_match(col->tok[j], table->tok[i]);
		if (!matched)
			idx[n++] = j;
	}
	return n;
}

int abi_name_is_people(const abi_name *table)
{
	static const char *const people[] = {"employee", "emp",   "staff",    "user",        "person",   "people",
					     "agent",    "worker", "member",  "salesperson", "rep",      "driver",
					     "nurse",    "doctor", "teacher", "clerk",       "operator", "personnel"};
	for (int i = 0; i < table->n; i++)
		if (IN_LIST(table->tok[i], people))
			return 1;
	return 0;
}

/* Words that name a person's role towards a row: the column then
 * refers to a people table whatever that table is called (SupportRepId
 * -> Employee, soldBy -> staff, ReportsTo and manager_id -> the same
 * table). */
static int is_role_word(const char *t)
{
	static const char *const roles[] = {"manager", "mgr",      "boss",     "supervisor", "reports", "report",
					    "parent",  "head",     "lead",     "leader",     "owner",   "rep",
					    "by",      "assignee", "approver", "reviewer",   "mentor",  "superior",
					    "agent",   "handler",  "seller",   "buyer",      "sponsor", "referrer"};
	return IN_LIST(t, roles);
}

int abi_name_has_role(const abi_name *n)
{
	/* The role must end the name (soldBy, manager_id, SupportRepId, ReportsTo):
	 * only key words or "to" may follow it, so LeadTimeDays and
	 * head_count are measures, not roles. */
	for (int i = 0; i < n->n; i++) {
		if (!is_role_word(n->tok[i]))
			continue;
		int tail = 1;
		for (int j = i + 1; j < n->n && tail; j++)
			tail = key_at(n, j) || strcmp(n->tok[j], "to") == 0;
		if (tail)
			return 1;
	}
	return 0;
}

int abi_name_equal(const abi_name *a, const abi_name *b)
{
	if (a->n != b->n)
		return 0;
	for (int i = 0; i < a->n; i++)
		if (strcmp(a->tok[i], b->tok[i]) != 0)
			return 0;
	return 1;
}
