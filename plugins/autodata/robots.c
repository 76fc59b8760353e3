/*
 * robots.c -- see robots.h. A group is a run of User-agent lines followed
 * by rules; we keep the rules of the most specific group that names our
 * agent, else those of `*`.
 */
#include "robots.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ROBOTS_MAX_BYTES (512u * 1024u)
#define ROBOTS_MAX_RULES 4096u

typedef struct {
	char *pat;
	int allow;
} rule;

struct adt_robots {
	rule *rules;
	size_t n, cap;
	double delay;
};

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

/* How well a User-agent value names `agent`: 2 ours, 1 `*`, 0 not. */
static int agent_match(const char *value, const char *agent)
{
	if (!strcmp(value, "*"))
		return 1;
	size_t n = strlen(value);
	return n && !strncasecmp(agent, value, n) ? 2 : 0;
}

static int push(adt_robots *r, const char *pat, int allow)
{
	if (r->n == ROBOTS_MAX_RULES)
		return 0;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		rule *nr = realloc(r->rules, cap * sizeof *nr);
		if (!nr)
			return -1;
		r->rules = nr;
		r->cap = cap;
	}
	r->rules[r->n].pat = strdup(pat);
	if (!r->rules[r->n].pat)
		return -1;
	r->rules[r->n++].allow = allow;
	return 0;
}

static void clear(adt_robots *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->rules[i].pat);
	r->n = 0;
	r->delay = 0;
}

adt_robots *adt_robots_parse(const char *text, size_t len, const char *agent)
{
	adt_robots *r = calloc(1, sizeof *r);
	if (!r || !text)
		return r;
	if (len > ROBOTS_MAX_BYTES)
		len = ROBOTS_MAX_BYTES;
	char *buf = malloc(len + 1);
	if (!buf) {
		free(r);
		return NULL;
	}
	memcpy(buf, text, len);
	buf[len] = 0;
	/* best: the match level of the group we keep; cur: of the group being
	 * read; in_agents: still reading that group's User-agent lines. */
	int best = 0, cur = 0, in_agents = 0, oom = 0;
	for (char *line = buf, *next; line && !oom; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = 0;
		char *key = trim(line), *val = trim(colon + 1);
		if (!strcasecmp(key, "user-agent")) {
			if (!in_agents)
				cur = 0;
			in_agents = 1;
			int m = agent_match(val, agent);
			if (m > cur)
				cur = m;
			continue;
		}
		in_agents = 0;
		if (cur == 0 || cur < best)
			continue;
		if (cur > best) { /* a more specific group: forget the `*` one */
			clear(r);
			best = cur;
		}
		if (!strcasecmp(key, "disallow") || !strcasecmp(key, "allow")) {
			if (*val) /* an empty Disallow allows everything */
				oom = push(r, val, tolower((unsigned char)key[0]) == 'a') < 0;
		} else if (!strcasecmp(key, "crawl-delay")) {
			char *end;
			double d = strtod(val, &end);
			if (end != val && d >= 0 && d <= 3600)
				r->delay = d;
		}
	}
	free(buf);
	if (oom) {
		adt_robots_free(r);
		return NULL;
	}
	return r;
}

void adt_robots_free(adt_robots *r)
{
	if (!r)
		return;
	clear(r);
	free(r->rules);
	free(r);
}

/* Whether the glob `p`..`pe` (only `*` is special) matches all of `t`:
 * the classic walk with one backtrack point, linear in practice and never
 * exponential, so a hostile pattern cannot hang the crawl. */
static int glob_full(const char *p, const char *pe, const char *t)
{
	const char *star = NULL, *mark = NULL;
	while (*t) {
		if (p < pe && *p == '*') {
			star = ++p;
			mark = t;
		} else if (p < pe && *p == *t) {
			p++;
			t++;
		} else if (star) {
			p = star;
			t = ++mark;
		} else {
			return 0;
		}
	}
	while (p < pe && *p == '*')
		p++;
	return p == pe;
}

/* The pattern's length when it matches `s` (a prefix of it, or all of it
 * with a trailing `$`), else -1. The longest pattern is the most specific. */
static long match_len(const char *pat, const char *s)
{
	size_t plen = strlen(pat);
	int anchored = plen && pat[plen - 1] == '$';
	size_t body = anchored ? plen - 1 : plen;
	if (anchored)
		return glob_full(pat, pat + body, s) ? (long)plen : -1;
	/* a prefix match is a full match of `pat*` */
	char *g = malloc(body + 2);
	if (!g)
		return -1;
	memcpy(g, pat, body);
	g[body] = '*';
	g[body + 1] = 0;
	int ok = glob_full(g, g + body + 1, s);
	free(g);
	return ok ? (long)plen : -1;
}

int adt_robots_allowed(const adt_robots *r, const char *path, const char **rule_out)
{
	long best = -1;
	int allow = 1;
	const char *which = NULL;
	for (size_t i = 0; r && i < r->n; i++) {
		long m = match_len(r->rules[i].pat, path);
		if (m < 0)
			continue;
		if (m > best || (m == best && r->rules[i].allow)) {
			best = m;
			allow = r->rules[i].allow;
			which = r->rules[i].pat;
		}
	}
	if (rule_out)
		*rule_out = allow ? NULL : which;
	return allow;
}

double adt_robots_delay(const adt_robots *r)
{
	return r ? r->delay : 0;
}
