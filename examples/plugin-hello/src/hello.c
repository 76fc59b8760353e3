/*
 * hello.c -- the example third-party plugin. Two ops:
 *   hello.greet     params -> a string (a pure value op)
 *   hello.wordfreq  a text file -> the k most frequent words as a JSON
 *                   artifact, plus the top word as a value
 * It includes nothing but the SDK's <weft/ophelp.h> (the authoring kit
 * over <weft/plugin.h>) and libc.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <weft/ophelp.h>

#ifndef PLUGIN_VERSION
#define PLUGIN_VERSION "1.0.0"
#endif

/* ---- hello.greet */

static int run_greet(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *who = weft_op_param_string(ctx, api, "who");
	const char *greeting = weft_op_param_string(ctx, api, "greeting");
	int64_t times = weft_op_param_int(ctx, api, "times");
	if (times < 1 || times > 100)
		return api->fail(ctx, "parameter 'times' must be between 1 and 100, got %lld", (long long)times);
	size_t cap = (strlen(who) + strlen(greeting) + 4) * (size_t)times + 1;
	char *s = api->alloc(cap);
	if (!s)
		return api->fail(ctx, "out of memory");
	size_t len = 0;
	for (int64_t i = 0; i < times; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s%s, %s!", i ? " " : "", greeting, who);
	int rc = weft_op_set_value(ctx, api, "out", api->value_new_string(s, len));
	api->free(s);
	return rc;
}

static const weft_param_spec greet_params[] = {
	{"who", WEFT_T_STRING, NULL, "who to greet"},
	{"greeting", WEFT_T_STRING, "\"Hello\"", "the greeting word"},
	{"times", WEFT_T_INT, "1", "how many times to repeat it (1-100)"},
};

/* Every count comes from its array (WEFT_OP_PARAMS and friends). */
static const weft_op_desc op_greet = {
	WEFT_OP_DESC("greet", "1", run_greet, WEFT_OP_DETERMINISTIC, "Greets `who`: \"Hello, Ada!\"."),
	WEFT_OP_PARAMS(greet_params),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out")),
};

/* ---- hello.wordfreq */

typedef struct word {
	char *w;
	long n;
} word;

static int by_count(const void *a, const void *b)
{
	const word *x = a, *y = b;
	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->w, y->w); /* ties in word order: deterministic output */
}

static int run_wordfreq(weft_op_ctx *ctx, const weft_host_api *api)
{
	int64_t k = weft_op_param_int(ctx, api, "k");
	if (k < 1)
		return api->fail(ctx, "parameter 'k' must be at least 1");
	const char *path = weft_op_input_path(ctx, api, "text");
	if (!path)
		return api->fail(ctx, "input 'text' must be a file artifact: %s", api->error_last());
	FILE *in = fopen(path, "rb");
	if (!in)
		return api->fail(ctx, "cannot open input 'text'");
	word *words = NULL;
	size_t n = 0, cap = 0;
	char buf[256];
	size_t bl = 0;
	int c, rc = WEFT_OK;
	do {
		c = fgetc(in);
		if (c != EOF && (isalnum(c) || c == '\'')) {
			if (bl + 1 < sizeof buf)
				buf[bl++] = (char)tolower(c);
			continue;
		}
		if (!bl)
			continue;
		buf[bl] = '\0';
		bl = 0;
		size_t i = 0;
		while (i < n && strcmp(words[i].w, buf))
			i++;
		if (i == n) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				word *nw = realloc(words, cap * sizeof *nw);
				if (!nw) {
					rc = api->fail(ctx, "out of memory");
					break;
				}
				words = nw;
			}
			words[n].w = strdup(buf);
			words[n++].n = 0;
		}
		words[i].n++;
	} while (c != EOF);
	fclose(in);
	if (rc == WEFT_OK) {
		qsort(words, n, sizeof *words, by_count);
		char out_path[4096];
		FILE *out = NULL;
		if (!weft_op_workfile(ctx, api, "wordfreq.json", out_path, sizeof out_path))
			rc = WEFT_ERROR;
		else if (!(out = fopen(out_path, "w"))) {
			rc = api->fail(ctx, "cannot write %s", out_path);
		} else {
			fputs("[", out);
			for (size_t i = 0; i < n && (int64_t)i < k; i++)
				fprintf(out, "%s{\"word\": \"%s\", \"count\": %ld}", i ? ", " : "", words[i].w, words[i].n);
			fputs("]\n", out);
			if (fclose(out) != 0)
				rc = api->fail(ctx, "cannot write %s", out_path);
		}
		if (rc == WEFT_OK)
			rc = weft_op_set_file(ctx, api, "out", out_path);
		if (rc == WEFT_OK)
			rc = weft_op_set_string(ctx, api, "top", n ? words[0].w : NULL);
	}
	for (size_t i = 0; i < n; i++)
		free(words[i].w);
	free(words);
	return rc;
}

static const weft_param_spec wordfreq_params[] = {
	{"k", WEFT_T_INT, "10", "how many of the most frequent words to keep"},
};
static const weft_op_desc op_wordfreq = {
	/* ISOLATED: it reads arbitrary user files, so even where this plugin is
	 * trusted (workers.isolate: none) it runs in a worker process. */
	WEFT_OP_DESC("wordfreq", "1", run_wordfreq, WEFT_OP_DETERMINISTIC | WEFT_OP_ISOLATED,
		     "Counts words (case-folded) in the file `text`; writes the `k` most frequent as JSON (`out`) and "
		     "returns the most frequent word (`top`)."),
	WEFT_OP_PARAMS(wordfreq_params),
	WEFT_OP_INPUTS(WEFT_NAMES("text")),
	WEFT_OP_OUTPUTS(WEFT_NAMES("out", "top")),
};

static const weft_op_desc *const ops[] = {&op_greet, &op_wordfreq};

static const weft_plugin_desc plugin = WEFT_PLUGIN_DESC(
	"hello", PLUGIN_VERSION, "MIT", "The example third-party plugin: greetings and word frequencies.", ops);

WEFT_PLUGIN_EXPORT const weft_plugin_desc *weft_plugin_entry(const weft_host_api *api)
{
	/* NULL (refused, with both versions named) on a host of another ABI
	 * major or an older minor than this plugin was built with. */
	return weft_plugin_accept(api, &plugin);
}
