/*
 * lexicon.c -- see lexicon.h.
 */
#define _XOPEN_SOURCE 700
#include "lexicon.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Each group: words that name the same thing on data pages; phrases are
 * space-separated. The first is the group's name. */
static const char *const groups[][14] = {
	{"title", "name", "headline", "heading", "subject", NULL},
	{"author", "authors", "by", "written by", "writer", "writers", "creator", "creators", "contributor",
	 "contributors", "byline", NULL},
	{"abstract", "summary", "synopsis", "description", "overview", "blurb", "teaser", NULL},
	{"pdf", "full text", "fulltext", "download", "document", NULL},
	{"url", "link", "href", "website", "homepage", "web", NULL},
	{"date", "day", "when", "time", "timestamp", "session", "played", "published", "posted", "dated", NULL},
	{"open", "opening", "first", NULL},
	{"high", "max", "maximum", "top", "peak", "day high", NULL},
	{"low", "min", "minimum", "bottom", "day low", NULL},
	{"close", "closing", "last", "settle", "settlement", NULL},
	{"volume", "vol", "shares traded", "traded", "turnover", "quantity", NULL},
	{"symbol", "ticker", "code", "instrument", "security", NULL},
	{"home", "hosts", "host", "home team", "home side", "local", NULL},
	{"away", "visitors", "visitor", "guests", "guest", "away team", "away side", "road", NULL},
	{"score", "scores", "points", "pts", "goals", "result", "final", "runs", NULL},
	{"venue", "ground", "stadium", "arena", "location", "place", "field", "site", NULL},
	{"price", "cost", "amount", "fee", NULL},
	{"year", "yr", NULL},
	{"company", "organisation", "organization", "firm", "employer", NULL},
	{"email", "e-mail", "mail", NULL},
	{"phone", "telephone", "tel", NULL},
	{"address", "street", NULL},
	{"city", "town", NULL},
	{"country", "nation", NULL},
	{"rating", "stars", "grade", NULL},
	{"team", "club", "side", NULL},
	{"player", "athlete", NULL},
	{"category", "type", "kind", "genre", "section", NULL},
	{"count", "number", "total", "n", NULL},
};
#define N_GROUPS (sizeof groups / sizeof *groups)

const char *adt_type_name(adt_type t)
{
	static const char *const n[] = {"text", "number", "date", "url", "list"};
	return (unsigned)t < 5 ? n[t] : "text";
}

int adt_type_parse(const char *s)
{
	for (int t = 0; t < 5; t++)
		if (!strcmp(s, adt_type_name((adt_type)t)))
			return t;
	return -1;
}

/* Splits `s` into lowercase words (letters and digits; camelCase and
 * snake_case split). At most `max`, each up to 31 bytes. */
static size_t words(const char *s, char w[][32], size_t max)
{
	size_t n = 0, k = 0;
	for (const char *p = s;; p++) {
		int c = (unsigned char)*p;
		int boundary = !isalnum(c) || (k && isupper(c) && islower((unsigned char)p[-1]));
		if (boundary && k) {
			w[n][k] = 0;
			if (++n == max)
				return n;
			k = 0;
		}
		if (!c)
			break;
		if (isalnum(c) && k < 31)
			w[n][k++] = (char)tolower(c);
	}
	return n;
}

/* The group of word `w` (plural -s folded), or -1. */
static int group_of(const char *w)
{
	char stem[32];
	snprintf(stem, sizeof stem, "%s", w);
	size_t n = strlen(stem);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t g = 0; g < N_GROUPS; g++)
			for (size_t i = 0; groups[g][i]; i++)
				if (!strcmp(groups[g][i], stem))
					return (int)g;
		if (n > 3 && stem[n - 1] == 's')
			stem[--n] = 0;
		else
			break;
	}
	return -1;
}

adt_type adt_type_guess(const char *field)
{
	char w[8][32];
	size_t n = words(field, w, 8);
	for (size_t i = 0; i < n; i++) {
		int g = group_of(w[i]);
		const char *name = g >= 0 ? groups[g][0] : w[i];
		if (!strcmp(name, "pdf") || !strcmp(name, "url") || !strcmp(w[i], "image"))
			return ADT_URL;
		if (!strcmp(name, "date") || !strcmp(name, "year") || !strcmp(w[i], "birthday"))
			return !strcmp(name, "year") ? ADT_NUMBER : ADT_DATE;
		if (!strcmp(name, "open") || !strcmp(name, "high") || !strcmp(name, "low") || !strcmp(name, "close") ||
		    !strcmp(name, "volume") || !strcmp(name, "score") || !strcmp(name, "price") ||
		    !strcmp(name, "count") || !strcmp(name, "rating") || !strcmp(w[i], "attendance") ||
		    !strcmp(w[i], "age") || !strcmp(w[i], "pages"))
			return ADT_NUMBER;
		if (!strcmp(name, "author") || !strcmp(w[i], "tags") || !strcmp(w[i], "keywords"))
			return ADT_LIST;
	}
	return ADT_TEXT;
}

/* The word without its inflection: plural -s/-es, -est, -er, -ing, -ed
 * ("goals" "goal", "lowest" "low", "opening" "open"), for words of five
 * letters or more so that "bus" or "red" stay whole. */
static size_t stem_len(const char *w)
{
	size_t n = strlen(w);
	static const char *const sfx[] = {"ing", "est", "es", "er", "ed", "s"};
	if (n < 5)
		return n > 3 && w[n - 1] == 's' && w[n - 2] != 's' ? n - 1 : n;
	for (size_t i = 0; i < sizeof sfx / sizeof *sfx; i++) {
		size_t k = strlen(sfx[i]);
		if (n - k >= 3 && !strcmp(w + n - k, sfx[i]))
			return n - k;
	}
	return n;
}

static int same_stem(const char *a, const char *b)
{
	if (!strcmp(a, b))
		return 1;
	size_t na = stem_len(a), nb = stem_len(b);
	return na == nb && !strncmp(a, b, na);
}

/* Whether phrase `ph` (space-separated words) occurs in lw[0..n) at some
 * position; marks its words in `used`. */
static int find_phrase(const char *ph, char lw[][32], size_t n, int *used)
{
	char pw[6][32];
	size_t m = words(ph, pw, 6);
	for (size_t i = 0; m && i + m <= n; i++) {
		size_t k = 0;
		for (; k < m; k++) {
			const char *a = lw[i + k], *b = pw[k];
			size_t la = strlen(a), lb = strlen(b);
			(void)la;
			(void)lb;
			if (!same_stem(a, b))
				break;
		}
		if (k == m) {
			for (k = 0; k < m; k++)
				used[i + k] = 1;
			return 1;
		}
	}
	return 0;
}

/* Matches one field word against the label's words: itself, or any word
 * or phrase of its group. */
static int match_word(const char *fw, char lw[][32], size_t n, int *used)
{
	int g = group_of(fw);
	/* the group's phrases first, so "day high" takes both its words */
	for (size_t i = 0; g >= 0 && groups[g][i]; i++)
		if (strchr(groups[g][i], ' ') && find_phrase(groups[g][i], lw, n, used))
			return 1;
	if (find_phrase(fw, lw, n, used))
		return 1;
	for (size_t i = 0; g >= 0 && groups[g][i]; i++)
		if (!strchr(groups[g][i], ' ') && find_phrase(groups[g][i], lw, n, used))
			return 1;
	return 0;
}

double adt_name_score(const char *field, const char *label, const char *const *others, size_t n_others)
{
	char fw[8][32], lw[16][32];
	size_t nf = words(field, fw, 8), nl = words(label, lw, 16);
	if (!nf || !nl)
		return 0;
	int used[16] = {0};
	/* a one-letter key ("o", "h", "v") abbreviates a word of the group */
	if (nl == 1 && strlen(lw[0]) == 1) {
		if (nf != 1)
			return 0;
		int g = group_of(fw[0]);
		if (fw[0][0] == lw[0][0])
			return 0.45;
		for (size_t i = 0; g >= 0 && groups[g][i]; i++)
			if (groups[g][i][0] == lw[0][0] && !strchr(groups[g][i], ' '))
				return 0.4;
		return 0;
	}
	size_t hit = 0;
	for (size_t i = 0; i < nf; i++)
		hit += (size_t)match_word(fw[i], lw, nl, used);
	if (!hit)
		return 0;
	double score = (double)hit / (double)nf;
	/* label words left over: another wanted field's word costs much,
	 * anything else a little */
	for (size_t j = 0; j < nl; j++) {
		if (used[j])
			continue;
		int other = 0;
		for (size_t o = 0; o < n_others && !other; o++) {
			char ow[8][32];
			size_t no = words(others[o], ow, 8);
			for (size_t k = 0; k < no && !other; k++) {
				int u2[16] = {0};
				char one[1][32];
				memcpy(one[0], lw[j], 32);
				other = match_word(ow[k], one, 1, u2);
			}
		}
		score -= other ? 0.4 : 0.08;
	}
	return score < 0 ? 0 : score > 1 ? 1 : score;
}

/* A number with optional sign, currency, thousands separators, %. */
static int parse_number(const char *v, double *out)
{
	char buf[64];
	size_t k = 0;
	int digits = 0;
	for (const char *p = v; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (isdigit(c) || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			if (k + 1 >= sizeof buf)
				return 0;
			digits += isdigit(c) != 0;
			buf[k++] = (char)c;
		} else if (c == ',' || c == ' ' || c == '$' || c == '%' || c == '\'' || c >= 0x80) {
			continue; /* separators, currency (UTF-8 € £ ¥ bytes) */
		} else {
			return 0;
		}
	}
	buf[k] = 0;
	if (!digits)
		return 0;
	char *end;
	double d = strtod(buf, &end);
	if (*end)
		return 0;
	*out = d;
	return 1;
}

static int parse_date(const char *v, struct tm *tm)
{
	static const char *const fmts[] = {"%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%m/%d/%Y", "%b %d, %Y", "%B %d, %Y",
					   "%d %b %Y",  "%d %B %Y",  "%a, %d %b %Y", "%Y-%m-%dT%H:%M:%S", "%d.%m.%Y"};
	for (size_t i = 0; i < sizeof fmts / sizeof *fmts; i++) {
		memset(tm, 0, sizeof *tm);
		const char *end = strptime(v, fmts[i], tm);
		/* a date, or a date and a time ("2024-03-01 12:30", "...T12:30Z");
		 * a date followed by anything else is text */
		int time_after = end && (*end == 'T' || *end == ' ') && isdigit((unsigned char)end[1]) &&
				 (end[2] == ':' || (isdigit((unsigned char)end[2]) && end[3] == ':'));
		if (end && (!*end || time_after) && tm->tm_year > 0)
			return 1;
	}
	return 0;
}

int adt_value_is(adt_type t, const char *v)
{
	double d;
	struct tm tm;
	if (!v || !*v)
		return 0;
	switch (t) {
	case ADT_NUMBER:
		return parse_number(v, &d);
	case ADT_DATE:
		return parse_date(v, &tm);
	case ADT_URL:
		return !strncmp(v, "http://", 7) || !strncmp(v, "https://", 8);
	default:
		return 1;
	}
}

int adt_value_norm(adt_type t, const char *v, char *out, size_t cap)
{
	double d;
	struct tm tm;
	if (t == ADT_NUMBER) {
		if (!parse_number(v, &d))
			return -1;
		snprintf(out, cap, "%.10g", d);
		return 0;
	}
	if (t == ADT_DATE) {
		if (!parse_date(v, &tm))
			return -1;
		snprintf(out, cap, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		return 0;
	}
	snprintf(out, cap, "%s", v);
	return 0;
}
