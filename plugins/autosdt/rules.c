/*
 * rules.c -- see rules.h. The words are AutoSDT's (should_exclude in its
 * scientific_task_verify.py), and so is the matching: a word matches when
 * it occurs anywhere in a lower-cased component of the path, the file's
 * own name included (AutoSDT splits the whole path), so "docs" catches
 * "doc", "test_data" and "plot_test_scores.py" catch "test". The path is
 * the one inside the repository: AutoSDT's also began with the
 * repository's name, which would drop a whole repository called
 * "docutils"; we leave it out and say so in docs/plugins/autosdt.md. That is
 * coarse on purpose: the pre-filter is there to spare the judge calls, and
 * AutoSDT's yields were measured with it.
 */
#define _GNU_SOURCE
#include "rules.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *const DIR_WORDS[] = {"util",    "utils",   "test",    "tests",  "doc",
					"docs",    "setting", "settings", "scripts", "build"};
static const char *const FILE_WORDS[] = {"setup", "__init__", "utils",    "util",
					 "requirements", "config", "settings", "manage"};

static void lower(char *dst, const char *src, size_t n, size_t cap)
{
	if (n >= cap)
		n = cap - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[n] = '\0';
}

int sdt_rules_drop(const char *path, size_t lines, size_t max_lines, char *why, size_t whylen)
{
	if (max_lines && lines > max_lines) {
		snprintf(why, whylen, "%zu lines, over the limit of %zu", lines, max_lines);
		return 1;
	}
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char part[512];
	for (const char *s = path; *s;) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		lower(part, s, n, sizeof part);
		for (size_t i = 0; i < sizeof DIR_WORDS / sizeof *DIR_WORDS; i++)
			if (strstr(part, DIR_WORDS[i])) {
				snprintf(why, whylen, "%s '%s' matches '%s'", e ? "directory" : "file name", part,
					 DIR_WORDS[i]);
				return 1;
			}
		s += n + (e ? 1 : 0);
	}
	lower(part, base, strlen(base), sizeof part);
	for (size_t i = 0; i < sizeof FILE_WORDS / sizeof *FILE_WORDS; i++)
		if (strstr(part, FILE_WORDS[i])) {
			snprintf(why, whylen, "file name '%s' matches '%s'", base, FILE_WORDS[i]);
			return 1;
		}
	return 0;
}
