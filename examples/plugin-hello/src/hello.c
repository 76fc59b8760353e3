/*
 * hello.c -- the example third-party plugin. Two ops:
 *   hello.greet     params -> a string (a pure value op)
 *   hello.wordfreq  a text file -> the k most frequent words as a JSON
 *                   artifact, plus the top word as a value
 * It includes nothing but <weft/plugin.h> and libc.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <weft/plugin.h>

#ifndef PLUGIN_VERSION
#define PLUGIN_VERSION "1.0.0"
#endif

/* ---- hello.greet */

static int run_greet(weft_op_ctx *ctx, const weft_host_api *api)
{
	const char *who = api->value_string(api->param(ctx, "who"), NULL);
	const char *greeting = api->value_string(api->param(ctx, "greeting"), NULL);
	int64_t times = api->value_int(api->param(ctx, "times"));
	if (times < 1 || times > 100)
		return api->fail(ctx, "parameter 'times' must be between 1 and 100, got %lld", (long long)times);
	size_t cap = (strlen(who) + strlen(greeting) + 4) * (size_t)times + 1;
	char *s = api->alloc(cap);
	if (!s)
		return api->fail(ctx, "out of memory");
	size_t len = 0;
	for (int64_t i = 0; i < times; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s%s, %s!", i ? " " : "", greeting, who);
	int rc = api->set_output(ctx, "out", api->value_new_string(s, len));
	api->free(s);
	return rc;
}

static const weft_param_spec greet_params[] = {
	{"who", WEFT_T_STRING, NULL, "who to greet"},
	{"greeting", WEFT_T_STRING, "\"Hello\"", "the greeting word"},
	{"times", WEFT_T_INT, "1", "how many times to repeat it (1-100)"},
};
static const char *const out_only[] = {"out"};

static const weft_op_desc op_greet = {
	.struct_size = sizeof(weft_op_desc),
	.name = "greet",
	.version = "1",
	.doc = "Greets `who`: \"Hello, Ada!\".",
	.params = greet_params,
	.n_params = 3,
	.outputs = out_only,
	.n_outputs = 1,
	.flags = WEFT_OP_DETERMINISTIC,
	.cpus = 1,
	.run = run_greet,
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
	int64_t k = api->value_int(api->param(ctx, "k"));
	if (k < 1)
		return api->fail(ctx, "parameter 'k' must be at least 1");
	const char *path;
	if (api->artifact_path(&path, ctx, api->input(ctx, "text")) != WEFT_OK)
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
		snprintf(out_path, sizeof out_path, "%s/wordfreq.json", api->workdir(ctx));
		FILE *out = fopen(out_path, "w");
		if (!out) {
			rc = api->fail(ctx, "cannot write %s", out_path);
		} else {
			fputs("[", out);
			for (size_t i = 0; i < n && (int64_t)i < k; i++)
				fprintf(out, "%s{\"word\": \"%s\", \"count\": %ld}", i ? ", " : "", words[i].w, words[i].n);
			fputs("]\n", out);
			if (fclose(out) != 0)
				rc = api->fail(ctx, "cannot write %s", out_path);
		}
		weft_value *art = NULL;
		if (rc == WEFT_OK && api->artifact_import(&art, ctx, out_path) != WEFT_OK)
			rc = api->fail(ctx, "cannot store the result: %s", api->error_last());
		if (rc == WEFT_OK)
			rc = api->set_output(ctx, "out", art);
		if (rc == WEFT_OK)
			rc = api->set_output(ctx, "top", n ? api->value_new_string(words[0].w, strlen(words[0].w))
							   : api->value_new_null());
	}
	for (size_t i = 0; i < n; i++)
		free(words[i].w);
	free(words);
	return rc;
}

static const weft_param_spec wordfreq_params[] = {
	{"k", WEFT_T_INT, "10", "how many of the most frequent words to keep"},
};
static const char *const wordfreq_inputs[] = {"text"};
static const char *const wordfreq_outputs[] = {"out", "top"};

static const weft_op_desc op_wordfreq = {
	.struct_size = sizeof(weft_op_desc),
	.name = "wordfreq",
	.version = "1",
	.doc = "Counts words (case-folded) in the file `text`; writes the `k` most frequent as JSON (`out`) and "
	       "returns the most frequent word (`top`).",
	.params = wordfreq_params,
	.n_params = 1,
	.inputs = wordfreq_inputs,
	.n_inputs = 1,
	.outputs = wordfreq_outputs,
	.n_outputs = 2,
	/* ISOLATED: it reads arbitrary user files, so even where this plugin is
	 * trusted (workers.isolate: none) it runs in a worker process. */
	.flags = WEFT_OP_DETERMINISTIC | WEFT_OP_ISOLATED,
	.cpus = 1,
	.run = run_wordfreq,
};

static const weft_op_desc *const ops[] = {&op_greet, &op_wordfreq};

static const weft_plugin_desc plugin = {
	.struct_size = sizeof(weft_plugin_desc),
	.abi_major = WEFT_ABI_MAJOR,
	.abi_minor = WEFT_ABI_MINOR,
	.name = "hello",
	.version = PLUGIN_VERSION,
	.license = "MIT",
	.description = "The example third-party plugin: greetings and word frequencies.",
	.ops = ops,
	.n_ops = 2,
};

WEFT_PLUGIN_EXPORT const weft_plugin_desc *weft_plugin_entry(const weft_host_api *api)
{
	/* A plugin that needs host functions newer than ABI 1.0 would check
	 * api->abi_minor / api->struct_size here and return NULL if absent. */
	(void)api;
	return &plugin;
}
