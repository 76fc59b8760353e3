/*
 * config.c -- the repository's weft.yaml as the run commands use it: the
 * resource pools and the worker policy. Keys this file does not know at
 * the top level are left to the commands that own them; inside `workers`
 * an unknown key is an error, since a misspelt policy would silently run
 * third-party code in-process.
 *
 *   resources: {cpus: 16, mem: 64G, gpu: 8, npu: 0, license: 2}
 *   workers:   {isolate: plugins | all | none, grace: 10s}
 *   limits:    {script_seconds: 30}   (cli_script_seconds)
 *   llm:       {url: http://127.0.0.1:8080/v1, model: qwen2.5, api_key_env: OPENAI_API_KEY,
 *               temperature: 0, max_tokens: 1024, timeout: 60, retries: 2}
 *   executor:  local | slurm   (where nodes run; --executor wins)
 *   profiles:  {NAME: {any of these}}   (--profile NAME, WEFT_PROFILE)
 *   slurm:     {partition: gpu, account: lab, time: 4h, queue_size: 100, ...}
 *              (weft_slurm_config_check; docs/cluster.md)
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

static int load_workers(cli_config *c, const weft_value *w, const char *file)
{
	if (!w || weft_value_type(w) == WEFT_T_NULL)
		return WEFT_OK;
	if (weft_value_type(w) != WEFT_T_MAP)
		return weft_err_set(WEFT_EINVALID, "%s: `workers` must be a map, for example `workers: {isolate: all}`",
				    file);
	for (size_t i = 0; i < weft_value_len(w); i++) {
		const char *k = weft_value_map_key_at(w, i);
		const weft_value *v = weft_value_map_value_at(w, i);
		const char *s = weft_value_type(v) == WEFT_T_STRING ? weft_value_get_string(v, NULL) : NULL;
		if (!strcmp(k, "isolate")) {
			if (s && !strcmp(s, "plugins"))
				c->isolation = WEFT_ISOLATE_PLUGINS;
			else if (s && !strcmp(s, "all"))
				c->isolation = WEFT_ISOLATE_ALL;
			else if (s && !strcmp(s, "none"))
				c->isolation = WEFT_ISOLATE_NONE;
			else
				return weft_err_set(WEFT_EINVALID,
						    "%s: workers.isolate must be `plugins` (third-party plugins and device "
						    "nodes run in workers), `all` or `none`",
						    file);
		} else if (!strcmp(k, "grace")) {
			double g = 0;
			int rc = weft_value_type(v) == WEFT_T_INT     ? (g = (double)weft_value_get_int(v), WEFT_OK)
				 : weft_value_type(v) == WEFT_T_FLOAT ? (g = weft_value_get_float(v), WEFT_OK)
								       : weft_parse_duration(&g, s ? s : "?");
			if (rc != WEFT_OK || !(g > 0))
				return weft_err_set(WEFT_EINVALID, "%s: workers.grace must be a duration > 0 such as 10s",
						    file);
			c->grace = g;
		} else {
			return weft_err_set(WEFT_EINVALID, "%s: unknown key workers.%s (known: isolate, grace)", file, k);
		}
	}
	return WEFT_OK;
}

/* A key weft does not read is an error, not a setting silently ignored
 * (`jobs: 8` does nothing: -j or `resources: {cpus: 8}` do). */
static int known_keys(const weft_value *cfg, const char *file)
{
	static const char *const keys[] = {"resources", "workers", "limits", "llm", "executor", "slurm", "profiles", NULL};
	for (size_t i = 0; i < weft_value_len(cfg); i++) {
		const char *k = weft_value_map_key_at(cfg, i);
		int ok = 0;
		weft_suggester sg;
		weft_suggest_init(&sg, k);
		for (size_t j = 0; keys[j]; j++) {
			ok |= !strcmp(k, keys[j]);
			weft_suggest_add(&sg, keys[j]);
		}
		if (ok)
			continue;
		const char *best = weft_suggest_best(&sg);
		const char *hint = !strcmp(k, "jobs") || !strcmp(k, "cpus") ? "; the number of CPU slots is `resources: {cpus: N}` or -j N"
				   : !strcmp(k, "params") ? "; parameters come from `-p NAME=VALUE` or `--params FILE`"
							  : "";
		return weft_err_set(WEFT_EINVALID, "%s: unknown setting '%s'%s%s%s%s (known: resources, workers, limits, llm, "
						   "executor, slurm, profiles)",
				    file, k, best ? " (did you mean '" : "", best ? best : "", best ? "'?)" : "", hint);
	}
	return WEFT_OK;
}

/*
 * A profile (`--profile NAME` or WEFT_PROFILE) is a named set of settings
 * over the top level: `profiles: {cluster: {executor: slurm, slurm: {...}}}`.
 * A map in the profile is merged key by key into the top level's map of
 * the same name; anything else replaces it.
 */
static int apply_profile(weft_value **cfg, const char *file)
{
	const char *name = getenv("WEFT_PROFILE");
	const weft_value *profiles = weft_value_map_get(*cfg, "profiles");
	if (profiles && weft_value_type(profiles) != WEFT_T_MAP)
		return weft_err_set(WEFT_EINVALID, "%s: profiles must be a map of name to settings, for example "
						   "`profiles: {cluster: {executor: slurm}}`", file);
	if (!name || !*name)
		return WEFT_OK;
	const weft_value *p = profiles ? weft_value_map_get(profiles, name) : NULL;
	if (!p || weft_value_type(p) != WEFT_T_MAP) {
		weft_buf names = {0};
		for (size_t i = 0; profiles && i < weft_value_len(profiles); i++)
			weft_buf_printf(&names, "%s%s", i ? ", " : "", weft_value_map_key_at(profiles, i));
		int rc = weft_err_set(WEFT_EINVALID, "%s: no profile '%s' (profiles: %s)", file, name,
				      names.data ? names.data : "none declared");
		weft_buf_free(&names);
		return rc;
	}
	if (weft_value_map_get(p, "profiles"))
		return weft_err_set(WEFT_EINVALID, "%s: profile '%s' may not declare profiles", file, name);
	weft_value *merged = weft_value_copy(*cfg);
	for (size_t i = 0; merged && i < weft_value_len(p); i++) {
		const char *k = weft_value_map_key_at(p, i);
		const weft_value *v = weft_value_map_value_at(p, i);
		const weft_value *top = weft_value_map_get(merged, k);
		weft_value *nv = NULL;
		if (top && weft_value_type(top) == WEFT_T_MAP && weft_value_type(v) == WEFT_T_MAP) {
			nv = weft_value_copy(top);
			for (size_t j = 0; nv && j < weft_value_len(v); j++)
				weft_value_map_set(nv, weft_value_map_key_at(v, j), weft_value_copy(weft_value_map_value_at(v, j)));
		} else {
			nv = weft_value_copy(v);
		}
		if (!nv || weft_value_map_set(merged, k, nv) != WEFT_OK) {
			weft_value_free(merged);
			return weft_err_set(WEFT_ERROR, "out of memory");
		}
	}
	if (!merged)
		return weft_err_set(WEFT_ERROR, "out of memory");
	weft_value_free(*cfg);
	*cfg = merged;
	return WEFT_OK;
}

int cli_script_seconds(double *out, const char *path)
{
	*out = 0;
	const char *env = getenv("WEFT_LUA_MAX_SECONDS");
	if (env && *env) {
		char *end = NULL;
		double v = strtod(env, &end);
		if (!end || *end || !(v > 0))
			return cli_fail("WEFT_LUA_MAX_SECONDS must be a number of seconds > 0, got '%s'", env);
		*out = v;
		return WEFT_EXIT_OK;
	}
	char *root = cli_repo_root(path);
	char *file = root ? weft_path_join(root, "weft.yaml") : NULL;
	free(root);
	weft_value *cfg = NULL;
	char *text = NULL;
	size_t len = 0;
	int rc = WEFT_OK;
	if (file && access(file, F_OK) == 0 && (rc = weft_read_file(file, &text, &len)) == WEFT_OK && len)
		rc = weft_value_from_yaml(&cfg, text, len, file);
	const weft_value *lim = cfg && weft_value_type(cfg) == WEFT_T_MAP ? weft_value_map_get(cfg, "limits") : NULL;
	const weft_value *v = lim && weft_value_type(lim) == WEFT_T_MAP ? weft_value_map_get(lim, "script_seconds") : NULL;
	if (rc == WEFT_OK && v) {
		double secs = weft_value_type(v) == WEFT_T_INT     ? (double)weft_value_get_int(v)
			      : weft_value_type(v) == WEFT_T_FLOAT ? weft_value_get_float(v)
								   : -1;
		if (!(secs > 0))
			rc = weft_err_set(WEFT_EINVALID, "%s: limits.script_seconds must be a number of seconds > 0",
					  file);
		else
			*out = secs;
	}
	weft_value_free(cfg);
	free(text);
	free(file);
	return rc == WEFT_OK ? WEFT_EXIT_OK : cli_fail("%s", weft_error_last());
}

int cli_config_load(cli_config *c, const char *path, int jobs)
{
	memset(c, 0, sizeof *c);
	int rc = weft_resources_new(&c->resources);
	if (rc != WEFT_OK)
		return cli_fail("%s", weft_error_last());
	/* The search starts at `path` itself, so a script path finds the
	 * repository of its directory. */
	char *root = cli_repo_root(path);
	char *file = root ? weft_path_join(root, "weft.yaml") : NULL;
	free(root);
	weft_value *cfg = NULL;
	if (file && access(file, F_OK) == 0) {
		char *text = NULL;
		size_t len = 0;
		rc = weft_read_file(file, &text, &len);
		if (rc == WEFT_OK && len)
			rc = weft_value_from_yaml(&cfg, text, len, file);
		free(text);
		if (rc == WEFT_OK && cfg && weft_value_type(cfg) != WEFT_T_MAP)
			rc = weft_err_set(WEFT_EINVALID, "%s: expected a map of settings at the top level", file);
		if (rc == WEFT_OK && cfg)
			rc = known_keys(cfg, file);
		if (rc == WEFT_OK && cfg)
			rc = apply_profile(&cfg, file);
		if (rc == WEFT_OK && cfg)
			rc = known_keys(cfg, file);
		if (rc == WEFT_OK && cfg)
			rc = weft_resources_load(c->resources, weft_value_map_get(cfg, "resources"), file);
		if (rc == WEFT_OK && cfg)
			rc = load_workers(c, weft_value_map_get(cfg, "workers"), file);
		const weft_value *llm = rc == WEFT_OK && cfg ? weft_value_map_get(cfg, "llm") : NULL;
		if (llm && (rc = weft_llm_config_check(llm, file)) == WEFT_OK && weft_value_type(llm) == WEFT_T_MAP &&
		    !(c->llm = weft_value_copy(llm)))
			rc = weft_err_set(WEFT_ERROR, "out of memory");
		const weft_value *ex = rc == WEFT_OK && cfg ? weft_value_map_get(cfg, "executor") : NULL;
		if (ex && (rc = cli_executor_parse(&c->executor, weft_value_type(ex) == WEFT_T_STRING
								       ? weft_value_get_string(ex, NULL) : "?")) != WEFT_OK)
			rc = weft_err_set(WEFT_EINVALID, "%s: executor: %s", file, weft_error_last());
		const weft_value *sl = rc == WEFT_OK && cfg ? weft_value_map_get(cfg, "slurm") : NULL;
		if (sl && (rc = weft_slurm_config_check(sl, file)) == WEFT_OK && weft_value_type(sl) == WEFT_T_MAP &&
		    !(c->slurm = weft_value_copy(sl)))
			rc = weft_err_set(WEFT_ERROR, "out of memory");
	}
	if (rc == WEFT_OK)
		rc = weft_resources_detect(c->resources);
	if (rc == WEFT_OK && jobs > 0)
		rc = weft_resources_set(c->resources, "cpus", (uint64_t)jobs, "-j");
	weft_value_free(cfg);
	free(file);
	if (rc != WEFT_OK) {
		rc = cli_fail("%s", weft_error_last());
		cli_config_free(c);
		return rc;
	}
	return WEFT_EXIT_OK;
}

void cli_config_free(cli_config *c)
{
	weft_resources_free(c->resources);
	c->resources = NULL;
	weft_value_free(c->llm);
	c->llm = NULL;
	weft_value_free(c->slurm);
	c->slurm = NULL;
}

int cli_executor_parse(int *out, const char *name)
{
	if (!strcmp(name, "local"))
		*out = WEFT_EXECUTOR_LOCAL;
	else if (!strcmp(name, "slurm"))
		*out = WEFT_EXECUTOR_SLURM;
	else
		return weft_err_set(WEFT_EINVALID, "'%s' is not an executor: use local (this machine) or slurm (batch "
						   "jobs on the cluster of weft.yaml's `slurm:`)", name);
	return WEFT_OK;
}

static const char resources_help[] =
	"usage: weft resources [DIR] [-j N] [--json]\n"
	"\n"
	"Shows the resource pools a run in DIR (default: here) schedules against:\n"
	"those weft.yaml declares under `resources:`, then what is detected (gpu\n"
	"from CUDA_VISIBLE_DEVICES or `nvidia-smi -L`, npu from\n"
	"ASCEND_RT_VISIBLE_DEVICES, cpus from the online cores, mem from the\n"
	"physical memory). -j N sets the cpus pool, as for `weft run`.\n";

static const char *isolation_name(int isolation)
{
	return isolation == WEFT_ISOLATE_ALL ? "all" : isolation == WEFT_ISOLATE_NONE ? "none" : "plugins";
}

int cmd_resources(int argc, char **argv)
{
	const char *dir = ".";
	int jobs = 0, json = 0;
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			fputs(resources_help, stdout);
			return WEFT_EXIT_OK;
		} else if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "-j") && i + 1 < argc) {
			jobs = atoi(argv[++i]);
			if (jobs < 1 || jobs > 4096)
				return cli_fail("-j expects a number from 1 to 4096, got '%s'", argv[i]);
		} else if (argv[i][0] == '-') {
			fputs(resources_help, stderr);
			return WEFT_EXIT_USAGE;
		} else {
			dir = argv[i];
		}
	}
	cli_config c;
	int rc = cli_config_load(&c, dir, jobs);
	if (rc != WEFT_EXIT_OK)
		return rc;
	if (json) {
		weft_value *v = weft_value_map();
		weft_value_map_set(v, "pools", weft_resources_value(c.resources));
		weft_value_map_set(v, "isolate", cli_json_str(isolation_name(c.isolation)));
		weft_value_map_set(v, "grace", weft_value_float(c.grace > 0 ? c.grace : 10.0));
		weft_value_map_set(v, "llm", c.llm ? weft_value_copy(c.llm) : weft_value_null());
		cli_print_json(v, "{}");
		cli_config_free(&c);
		return WEFT_EXIT_OK;
	}
	char *text = weft_resources_describe(c.resources);
	fputs(text ? text : "", stdout);
	free(text);
	printf("workers  isolate %s, grace %gs\n", isolation_name(c.isolation),
	       c.grace > 0 ? c.grace : 10.0);
	const char *url = weft_value_get_string(weft_value_map_get(c.llm, "url"), NULL);
	const char *model = weft_value_get_string(weft_value_map_get(c.llm, "model"), NULL);
	if (url)
		printf("llm      %s at %s\n", model ? model : "default", url);
	else
		printf("llm      none (ops use their rules; set `llm: {url, model}` in weft.yaml)\n");
	cli_config_free(&c);
	return WEFT_EXIT_OK;
}
