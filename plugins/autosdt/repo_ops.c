/*
 * repo_ops.c -- the stages that read repositories: search (which
 * repositories, at which commit) and crawl (their Python files and
 * notebooks, and a checkout of the tree for the later stages).
 *
 * search is the one stage that is not cached: it asks each repository for
 * its current commit, every run. Everything after it is keyed by that
 * commit, so a new commit in one repository reruns that repository's
 * chain and nothing else.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gitread.h"
#include "jsonio.h"
#include "notebook.h"
#include "ops.h"
#include "stage.h"

/* ------------------------------------------------------------ search */

static const char SEARCH_SYSTEM[] =
	"You select research code repositories from which data-driven scientific discovery tasks can be built: "
	"code that loads a dataset, analyses it (statistics, machine learning, simulation, domain analysis) and "
	"produces numbers or figures. You are given a repository's README. Answer with JSON: relevant (true when "
	"the repository holds such code, in any scientific discipline), discipline (the field, one or two words, "
	"or \"none\"), and reasoning (one sentence).";

/* The repository's name: the last path component, without .git. */
static void repo_name(char *out, size_t len, const char *where)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s", where);
	size_t n = strlen(tmp);
	while (n > 1 && tmp[n - 1] == '/')
		tmp[--n] = '\0';
	if (n > 4 && strcmp(tmp + n - 4, ".git") == 0)
		tmp[n - 4] = '\0';
	n = strlen(tmp);
	while (n > 1 && tmp[n - 1] == '/')
		tmp[--n] = '\0';
	const char *b = strrchr(tmp, '/');
	b = b ? b + 1 : tmp;
	size_t k = 0;
	for (; *b && k + 1 < len; b++)
		out[k++] = isalnum((unsigned char)*b) || *b == '-' || *b == '_' || *b == '.' ? *b : '_';
	out[k] = '\0';
	if (!k)
		snprintf(out, len, "repo");
}

static int readme_hits(const char *readme, json_t *keywords, char *hit, size_t hitlen)
{
	size_t i;
	json_t *k;
	json_array_foreach (keywords, i, k) {
		const char *w = json_string_value(k);
		if (w && *w && strcasestr(readme, w)) {
			snprintf(hit, hitlen, "%s", w);
			return 1;
		}
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends CORPUS/NAME for each subdirectory holding a git repository
 * (NAME/.git, or a bare NAME with HEAD and objects/), sorted by name. */
static int list_corpus(json_t *repos, const char *corpus, json_t *only, char *err, size_t errlen)
{
	DIR *d = opendir(corpus);
	if (!d) {
		snprintf(err, errlen, "corpus %s: %s", corpus, strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char p[4096], q[4096];
		struct stat st;
		snprintf(p, sizeof p, "%s/%s/.git", corpus, e->d_name);
		snprintf(q, sizeof q, "%s/%s/objects", corpus, e->d_name);
		if (stat(p, &st) != 0 && stat(q, &st) != 0)
			continue;
		if (json_array_size(only)) {
			int hit = 0;
			size_t i;
			json_t *o;
			json_array_foreach (only, i, o)
				hit |= json_is_string(o) && !strcmp(json_string_value(o), e->d_name);
			if (!hit)
				continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **t = realloc(names, cap * sizeof *t);
			if (!t)
				break;
			names = t;
		}
		names[n] = strdup(e->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		char p[4096];
		snprintf(p, sizeof p, "%s/%s", corpus, names[i]);
		json_array_append_new(repos, json_string(p));
		free(names[i]);
	}
	free(names);
	return 0;
}

int sdt_run_search(weft_op_ctx *ctx, const weft_host_api *api)
{
	json_t *repos = wop_value_to_json(api, api->param(ctx, "repos"));
	const char *corpus = weft_op_param_string(ctx, api, "corpus");
	if (json_is_array(repos) && corpus && *corpus) {
		char err[1024];
		json_t *only = wop_value_to_json(api, api->param(ctx, "only"));
		int rc = list_corpus(repos, corpus, only, err, sizeof err);
		json_decref(only);
		if (rc != 0) {
			int frc = api->fail(ctx, "autosdt.search: %s; give an existing directory", err);
			json_decref(repos);
			return frc;
		}
	}
	if (json_is_array(repos) && json_array_size(repos) == 0) {
		int frc = api->fail(ctx, "autosdt.search: no repositories (repos is empty and the corpus holds none)");
		json_decref(repos);
		return frc;
	}
	json_t *keywords = wop_value_to_json(api, api->param(ctx, "keywords"));
	const char *rev = weft_op_param_string(ctx, api, "rev");
	int filter = weft_op_param_bool(ctx, api, "readme_filter");
	int use_llm = weft_op_param_bool(ctx, api, "use_llm");
	if (!json_is_array(repos) || !json_is_array(keywords)) {
		int frc = api->fail(ctx, "autosdt.search: repos and keywords must be lists of strings");
		json_decref(repos);
		json_decref(keywords);
		return frc;
	}
	json_t *kept = json_array(), *all = json_array();
	int llm_off = !use_llm, n_llm = 0, n_kw = 0, rc = WEFT_OK;
	char llm_why[512] = "";
	size_t i;
	json_t *item;
	json_t *names = json_object();
	json_array_foreach (repos, i, item) {
		const char *where = json_string_value(item);
		char err[1024], oid[41], name[256];
		if (!where || !*where) {
			rc = api->fail(ctx, "autosdt.search: repos[%zu] is not a path or file:// URL", i + 1);
			break;
		}
		sdt_repo *r = NULL;
		if (sdt_repo_open(&r, where, err, sizeof err) != 0 ||
		    sdt_repo_resolve(r, rev, oid, err, sizeof err) != 0) {
			sdt_repo_free(r);
			rc = api->fail(ctx, "autosdt.search: %s (repos[%zu]); fix the path or drop it", err, i + 1);
			break;
		}
		repo_name(name, sizeof name, where);
		/* two repositories called the same get distinct names */
		char uniq[300];
		snprintf(uniq, sizeof uniq, "%s", name);
		for (int k = 2; json_object_get(names, uniq); k++)
			snprintf(uniq, sizeof uniq, "%s-%d", name, k);
		json_object_set_new(names, uniq, json_true());
		char *readme = sdt_repo_readme(r, oid, 64 * 1024);
		sdt_repo_free(r);
		int keep = 1;
		const char *by = "none";
		char why[600] = "the README filter is off";
		const char *discipline = "";
		json_t *ans = NULL;
		if (filter && !readme) {
			snprintf(why, sizeof why, "no README: kept, the judge decides file by file");
		} else if (filter) {
			if (!llm_off) {
				char user[70000];
				snprintf(user, sizeof user, "Repository: %s\n\nREADME:\n%s", uniq, readme);
				json_t *schema = json_pack("{s:s,s:{s:{s:s},s:{s:s},s:{s:s}},s:[s,s,s]}", "type", "object",
							   "properties", "relevant", "type", "boolean", "discipline",
							   "type", "string", "reasoning", "type", "string", "required",
							   "relevant", "discipline", "reasoning");
				int none = 0;
				ans = sdt_llm_json(ctx, api, SEARCH_SYSTEM, user, schema, 0.0, llm_why, sizeof llm_why,
						   &none);
				json_decref(schema);
				if (none)
					llm_off = 1;
				if (ans && !json_is_boolean(json_object_get(ans, "relevant"))) {
					json_decref(ans);
					ans = NULL;
					snprintf(llm_why, sizeof llm_why, "the LLM's answer has no boolean 'relevant'");
				}
			}
			if (ans) {
				keep = json_is_true(json_object_get(ans, "relevant"));
				by = "llm";
				n_llm++;
				discipline = json_string_value(json_object_get(ans, "discipline"));
				snprintf(why, sizeof why, "%s",
					 json_string_value(json_object_get(ans, "reasoning"))
						 ? json_string_value(json_object_get(ans, "reasoning"))
						 : "");
			} else {
				char hit[256];
				by = "keywords";
				n_kw++;
				keep = readme_hits(readme, keywords, hit, sizeof hit);
				if (keep)
					snprintf(why, sizeof why, "README mentions '%s'", hit);
				else
					snprintf(why, sizeof why, "README mentions none of the %zu keywords",
						 json_array_size(keywords));
			}
		}
		json_t *rec = json_pack("{s:s,s:s,s:s,s:b,s:s,s:s,s:s}", "name", uniq, "url", where, "commit", oid,
					"kept", keep, "by", by, "why", why, "discipline", discipline ? discipline : "");
		json_decref(ans);
		free(readme);
		if (!rec) {
			rc = api->fail(ctx, "autosdt.search: out of memory");
			break;
		}
		json_array_append(all, rec);
		if (keep)
			json_array_append(kept, rec);
		json_decref(rec);
	}
	json_decref(names);
	json_decref(repos);
	json_decref(keywords);
	if (rc != WEFT_OK) {
		json_decref(kept);
		json_decref(all);
		return rc;
	}
	/* every kept record says whether later stages may ask the LLM: the
	 * pipeline then builds self-debug rounds only when they can run */
	size_t j;
	json_array_foreach (kept, j, item)
		json_object_set_new(item, "llm", json_boolean(!llm_off));
	api->log(ctx, WEFT_LOG_INFO, "search: %zu of %zu repositories kept (%d by the LLM, %d by keywords)%s%s",
		 json_array_size(kept), json_array_size(all), n_llm, n_kw, llm_why[0] ? "; LLM: " : "", llm_why);
	/* the report says whether the model was asked, and the last reason it
	 * was not (no endpoint, or a failure after its retries) */
	json_t *report = json_pack("{s:o,s:s,s:i,s:i}", "repositories", all, "llm",
				   llm_why[0] ? llm_why : (use_llm ? "used" : "off (use_llm = false)"), "llm_answers", n_llm,
				   "keyword_decisions", n_kw);
	if (sdt_output_value(ctx, api, "out", kept) != WEFT_OK)
		return WEFT_ERROR;
	return sdt_output_value(ctx, api, "report", report);
}

/* ------------------------------------------------------------ crawl */

struct crawl {
	weft_op_ctx *ctx;
	const weft_host_api *api;
	json_t *files;
	const char *name, *url, *commit;
	size_t n_py, n_nb, n_bad_nb, n_large;
};

static size_t count_lines(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k + (n && s[n - 1] != '\n');
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

/* Files are kept as UTF-8 text; anything else is not Python source. */
static int crawl_cb(void *arg, const char *path, const void *data, size_t size)
{
	struct crawl *c = arg;
	int py = ends_with(path, ".py"), nb = ends_with(path, ".ipynb");
	if (!py && !nb)
		return 0;
	if (!data) {
		c->n_large++;
		return 0;
	}
	char *code = NULL;
	size_t cells = 0;
	if (nb) {
		char err[256];
		code = sdt_notebook_code(data, size, &cells, err, sizeof err);
		if (!code) {
			c->n_bad_nb++;
			c->api->log(c->ctx, WEFT_LOG_WARN, "%s: %s: skipped", path, err);
			return 0;
		}
		c->n_nb++;
	} else {
		code = malloc(size + 1);
		if (!code)
			return -1;
		memcpy(code, data, size);
		code[size] = '\0';
		if (strlen(code) != size) { /* a NUL: not text */
			free(code);
			return 0;
		}
		c->n_py++;
	}
	json_t *s = json_string(code);
	if (!s) { /* not UTF-8 */
		c->api->log(c->ctx, WEFT_LOG_WARN, "%s: not UTF-8 text: skipped", path);
		free(code);
		return 0;
	}
	json_t *rec = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:o}", "repo", c->name, "url", c->url, "commit",
				c->commit, "path", path, "kind", nb ? "ipynb" : "py", "lines",
				(json_int_t)count_lines(code, strlen(code)), "cells", (json_int_t)cells, "code", s);
	free(code);
	if (!rec)
		return -1;
	json_array_append_new(c->files, rec);
	return 0;
}

int sdt_run_crawl(weft_op_ctx *ctx, const weft_host_api *api)
{
	json_t *repo = wop_value_to_json(api, api->input(ctx, "repo"));
	const char *name = json_string_value(json_object_get(repo, "name"));
	const char *url = json_string_value(json_object_get(repo, "url"));
	const char *commit = json_string_value(json_object_get(repo, "commit"));
	if (!name || !url || !commit) {
		int frc = api->fail(ctx, "autosdt.crawl: repo must be a record of autosdt.search (name, url, commit)");
		json_decref(repo);
		return frc;
	}
	uint64_t max_checkout = (uint64_t)weft_op_param_int(ctx, api, "max_checkout");
	uint64_t max_blob = (uint64_t)weft_op_param_int(ctx, api, "max_file");
	char err[1024], dir[4096];
	sdt_repo *r = NULL;
	if (sdt_repo_open(&r, url, err, sizeof err) != 0) {
		int frc = api->fail(ctx, "autosdt.crawl %s: %s", name, err);
		json_decref(repo);
		return frc;
	}
	struct crawl c = {ctx, api, json_array(), name, url, commit, 0, 0, 0, 0};
	int rc = sdt_repo_walk(r, commit, 16u << 20, crawl_cb, &c, err, sizeof err);
	size_t n_files = 0, bytes = 0;
	if (rc == 0) {
		if (!weft_op_workfile(ctx, api, "tree", dir, sizeof dir) || (mkdir(dir, 0755) != 0 && errno != EEXIST))
			rc = -1, snprintf(err, sizeof err, "cannot make the checkout directory");
		else
			rc = sdt_repo_export(r, commit, dir, max_blob, max_checkout, &n_files, &bytes, err, sizeof err);
	}
	sdt_repo_free(r);
	if (rc != 0) {
		int frc = api->fail(ctx, "autosdt.crawl %s at %.12s: %s", name, commit, err);
		json_decref(c.files);
		json_decref(repo);
		return frc;
	}
	api->log(ctx, WEFT_LOG_INFO, "crawl %s: %zu .py, %zu notebooks (%zu unreadable, %zu over 16 MiB); checkout %zu "
		 "files, %zu bytes", name, c.n_py, c.n_nb, c.n_bad_nb, c.n_large, n_files, bytes);
	json_t *stats = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I}", "repo", name, "files", (json_int_t)(c.n_py + c.n_nb),
				  "py", (json_int_t)c.n_py, "ipynb", (json_int_t)c.n_nb, "unreadable",
				  (json_int_t)c.n_bad_nb, "checkout_bytes", (json_int_t)bytes);
	json_decref(repo);
	if (sdt_output_jsonl(ctx, api, "out", "files.jsonl", c.files) != WEFT_OK)
		return WEFT_ERROR;
	if (weft_op_set_file(ctx, api, "tree", dir) != WEFT_OK)
		return api->fail(ctx, "autosdt.crawl: cannot store the checkout");
	return sdt_output_value(ctx, api, "stats", stats);
}
