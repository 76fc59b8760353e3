/*
 * slurm_conf.c -- the Slurm settings, a node's sbatch command line, and
 * what Slurm's commands print. Pure functions: tests/unit/test_slurm.c
 * checks them against hand-written command lines and real outputs.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "slurm.h"
#include "util.h"

/* ------------------------------------------------------------ argv */

int slurm_argv_add(slurm_argv *a, const char *s)
{
	if (a->n + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		char **v = realloc(a->v, cap * sizeof *v);
		if (!v)
			return weft_err_set(WEFT_ERROR, "out of memory");
		a->v = v;
		a->cap = cap;
	}
	if (!(a->v[a->n] = weft_strdup(s)))
		return weft_err_set(WEFT_ERROR, "out of memory");
	a->v[++a->n] = NULL;
	return WEFT_OK;
}

int slurm_argv_addf(slurm_argv *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return weft_err_set(WEFT_ERROR, "out of memory");
	int rc = slurm_argv_add(a, s);
	free(s);
	return rc;
}

void slurm_argv_free(slurm_argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof *a);
}

/* ------------------------------------------------------------ time */

static int all_digits(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* "A", "A:B" or "A:B:C" of digits into up to three numbers. */
static int colon_parts(const char *s, long out[3], int *count)
{
	*count = 0;
	while (*count < 3) {
		const char *e = strchr(s, ':');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (!all_digits(s, n) || n > 9)
			return -1;
		out[(*count)++] = strtol(s, NULL, 10);
		if (!e)
			return 0;
		s = e + 1;
	}
	return -1;
}

int slurm_parse_time_str(double *out, const char *s)
{
	if (!s || !*s)
		return weft_err_set(WEFT_EINVALID, "empty time limit");
	if (!strcasecmp(s, "infinite") || !strcasecmp(s, "unlimited")) {
		*out = -1;
		return WEFT_OK;
	}
	/* weft's durations carry a unit: "90s", "5m", "2h", "1h30m". */
	if (strpbrk(s, "hmsdHMSD"))
		return weft_parse_duration(out, s) == WEFT_OK && *out > 0
			       ? WEFT_OK
			       : weft_err_set(WEFT_EINVALID, "'%s' is not a time limit", s);
	long days = 0, p[3];
	int count = 0;
	const char *rest = s;
	const char *dash = strchr(s, '-');
	if (dash) {
		if (!all_digits(s, (size_t)(dash - s)) || dash - s > 5)
			return weft_err_set(WEFT_EINVALID, "'%s' is not a time limit", s);
		days = strtol(s, NULL, 10);
		rest = dash + 1;
	}
	if (colon_parts(rest, p, &count) != 0)
		return weft_err_set(WEFT_EINVALID, "'%s' is not a time limit (Slurm's forms: minutes, MM:SS, HH:MM:SS, "
						   "D-HH, D-HH:MM, D-HH:MM:SS; or weft's: 90m, 2h)", s);
	double secs;
	if (dash) /* D-HH, D-HH:MM, D-HH:MM:SS */
		secs = (double)days * 86400 + (double)p[0] * 3600 + (count > 1 ? (double)p[1] * 60 : 0) +
		       (count > 2 ? (double)p[2] : 0);
	else if (count == 1) /* minutes */
		secs = (double)p[0] * 60;
	else if (count == 2) /* MM:SS */
		secs = (double)p[0] * 60 + (double)p[1];
	else
		secs = (double)p[0] * 3600 + (double)p[1] * 60 + (double)p[2];
	if (!(secs > 0))
		return weft_err_set(WEFT_EINVALID, "'%s' is not a time limit: it must be above zero", s);
	*out = secs;
	return WEFT_OK;
}

int slurm_parse_time(double *out, const weft_value *v)
{
	weft_type t = weft_value_type(v);
	if (t == WEFT_T_INT || t == WEFT_T_FLOAT) {
		double x = weft_value_get_float(v);
		if (!(x > 0) || x > 1e9)
			return weft_err_set(WEFT_EINVALID, "a time limit in seconds must be above zero");
		*out = x;
		return WEFT_OK;
	}
	if (t != WEFT_T_STRING)
		return weft_err_set(WEFT_EINVALID, "a time limit is seconds or a string such as \"2h\" or \"2:00:00\"");
	return slurm_parse_time_str(out, weft_value_get_string(v, NULL));
}

void slurm_format_time(char out[32], double seconds)
{
	long long m = (long long)ceil(seconds / 60.0);
	if (m < 1)
		m = 1;
	snprintf(out, 32, "%lld-%02lld:%02lld:00", m / 1440, m / 60 % 24, m % 60);
}

/* ------------------------------------------------------------ settings */

static int dur(double *out, const weft_value *v)
{
	weft_type t = weft_value_type(v);
	if (t == WEFT_T_INT || t == WEFT_T_FLOAT)
		*out = weft_value_get_float(v);
	else if (t != WEFT_T_STRING || weft_parse_duration(out, weft_value_get_string(v, NULL)) != WEFT_OK)
		return -1;
	return *out >= 0 && *out < 1e9 ? 0 : -1;
}

static int str_list(char ***out, size_t *n, const weft_value *v)
{
	if (weft_value_type(v) != WEFT_T_LIST)
		return -1;
	size_t len = weft_value_len(v);
	*out = calloc(len ? len : 1, sizeof **out);
	if (!*out)
		return -1;
	for (size_t i = 0; i < len; i++) {
		const weft_value *e = weft_value_list_at(v, i);
		if (weft_value_type(e) != WEFT_T_STRING || !((*out)[i] = weft_strdup(weft_value_get_string(e, NULL))))
			return -1;
		*n = i + 1;
	}
	return 0;
}

static const char *const setting_keys[] = {
	"partition", "account", "qos",	       "time",	       "flags",	      "gpu_flag",    "npu_gres",
	"gres_pools", "queue_size", "submit_rate", "poll", "poll_max", "exit_grace", "signal_before",
	"status",    "check_store", "weft",	       NULL,
};

static int unknown_key(const char *where, const char *what, const char *k, const char *const *keys)
{
	weft_suggester sg;
	weft_suggest_init(&sg, k);
	weft_buf known = {0};
	for (size_t i = 0; keys[i]; i++) {
		weft_suggest_add(&sg, keys[i]);
		weft_buf_printf(&known, "%s%s", i ? ", " : "", keys[i]);
	}
	const char *best = weft_suggest_best(&sg);
	int rc = weft_err_set(WEFT_EINVALID, "%s: unknown key %s.%s%s%s%s (known: %s)", where, what, k,
			      best ? " (did you mean '" : "", best ? best : "", best ? "'?)" : "",
			      known.data ? known.data : "");
	weft_buf_free(&known);
	return rc;
}

static int set_str(char **dst, const weft_value *v)
{
	if (weft_value_type(v) != WEFT_T_STRING || !*weft_value_get_string(v, NULL))
		return -1;
	free(*dst);
	*dst = weft_strdup(weft_value_get_string(v, NULL));
	return *dst ? 0 : -1;
}

static int one_setting(slurm_settings *s, const char *k, const weft_value *v, const char *where)
{
	const char *str = weft_value_type(v) == WEFT_T_STRING ? weft_value_get_string(v, NULL) : NULL;
	double d = 0;
	if (!strcmp(k, "partition") || !strcmp(k, "account") || !strcmp(k, "qos") || !strcmp(k, "npu_gres") ||
	    !strcmp(k, "weft")) {
		char **dst = !strcmp(k, "partition") ? &s->partition
			     : !strcmp(k, "account") ? &s->account
			     : !strcmp(k, "qos")     ? &s->qos
			     : !strcmp(k, "weft")    ? &s->weft
						     : &s->npu_gres;
		if (set_str(dst, v) != 0)
			return weft_err_set(WEFT_EINVALID, "%s: slurm.%s must be a non-empty string", where, k);
	} else if (!strcmp(k, "time")) {
		if (slurm_parse_time(&s->time, v) != WEFT_OK)
			return weft_err_set(WEFT_EINVALID, "%s: slurm.time: %s", where, weft_error_last());
		if (s->time < 0)
			s->time = 0;
	} else if (!strcmp(k, "flags") || !strcmp(k, "gres_pools")) {
		char ***dst = !strcmp(k, "flags") ? &s->flags : &s->gres_pools;
		size_t *n = !strcmp(k, "flags") ? &s->n_flags : &s->n_gres_pools;
		if (str_list(dst, n, v) != 0)
			return weft_err_set(WEFT_EINVALID, "%s: slurm.%s must be a list of strings, for example %s",
					    where, k,
					    !strcmp(k, "flags") ? "[\"--constraint=a100\", \"--exclusive\"]"
								: "[\"localdisk\"]");
	} else if (!strcmp(k, "gpu_flag")) {
		if (!str || (strcmp(str, "gres") && strcmp(str, "gpus")))
			return weft_err_set(WEFT_EINVALID,
					    "%s: slurm.gpu_flag must be `gres` (--gres=gpu:N) or `gpus` (--gpus=N): "
					    "sites accept one or the other",
					    where);
		s->gpu_gpus = !strcmp(str, "gpus");
	} else if (!strcmp(k, "queue_size")) {
		int64_t q = weft_value_type(v) == WEFT_T_INT ? weft_value_get_int(v) : 0;
		if (q < 1 || q > 100000)
			return weft_err_set(WEFT_EINVALID, "%s: slurm.queue_size must be a whole number from 1 to 100000",
					    where);
		s->queue_size = (uint32_t)q;
	} else if (!strcmp(k, "submit_rate")) {
		weft_type t = weft_value_type(v);
		d = t == WEFT_T_INT || t == WEFT_T_FLOAT ? weft_value_get_float(v) : 0;
		if (!(d > 0) || d > 1000)
			return weft_err_set(WEFT_EINVALID, "%s: slurm.submit_rate must be sbatch calls per second, "
							   "above 0 and at most 1000", where);
		s->submit_rate = d;
	} else if (!strcmp(k, "poll") || !strcmp(k, "poll_max") || !strcmp(k, "exit_grace") ||
		   !strcmp(k, "signal_before")) {
		if (dur(&d, v) != 0 || (!strcmp(k, "poll") && d < 0.05))
			return weft_err_set(WEFT_EINVALID, "%s: slurm.%s must be a duration such as 5s%s", where, k,
					    !strcmp(k, "poll") ? " (at least 0.05s)" : "");
		*(!strcmp(k, "poll")	   ? &s->poll
		  : !strcmp(k, "poll_max") ? &s->poll_max
		  : !strcmp(k, "exit_grace") ? &s->exit_grace
					   : &s->signal_before) = d;
	} else if (!strcmp(k, "status")) {
		if (str && !strcmp(str, "auto"))
			s->status = SLURM_STATUS_AUTO;
		else if (str && !strcmp(str, "squeue"))
			s->status = SLURM_STATUS_SQUEUE;
		else if (str && !strcmp(str, "sacct"))
			s->status = SLURM_STATUS_SACCT;
		else
			return weft_err_set(WEFT_EINVALID, "%s: slurm.status must be auto (sacct when accounting "
							   "exists, else squeue), squeue or sacct", where);
	} else if (!strcmp(k, "check_store")) {
		if (weft_value_type(v) != WEFT_T_BOOL)
			return weft_err_set(WEFT_EINVALID, "%s: slurm.check_store must be true or false", where);
		s->check_store = weft_value_get_bool(v);
	} else {
		return unknown_key(where, "slurm", k, setting_keys);
	}
	return WEFT_OK;
}

int slurm_settings_parse(slurm_settings *s, const weft_value *map, const char *where)
{
	memset(s, 0, sizeof *s);
	s->queue_size = 100;
	s->submit_rate = 10;
	s->poll = 5;
	s->poll_max = 60;
	s->exit_grace = 30;
	s->signal_before = 120;
	s->check_store = 1;
	int rc = (s->npu_gres = weft_strdup("npu")) ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
	if (rc == WEFT_OK && map && weft_value_type(map) != WEFT_T_NULL && weft_value_type(map) != WEFT_T_MAP)
		rc = weft_err_set(WEFT_EINVALID, "%s: `slurm` must be a map, for example `slurm: {partition: gpu}`",
				  where);
	for (size_t i = 0; rc == WEFT_OK && map && weft_value_type(map) == WEFT_T_MAP && i < weft_value_len(map); i++)
		rc = one_setting(s, weft_value_map_key_at(map, i), weft_value_map_value_at(map, i), where);
	if (rc == WEFT_OK && s->poll_max < s->poll)
		s->poll_max = s->poll;
	if (rc != WEFT_OK)
		slurm_settings_free(s);
	return rc;
}

void slurm_settings_free(slurm_settings *s)
{
	free(s->partition);
	free(s->account);
	free(s->qos);
	free(s->npu_gres);
	free(s->weft);
	for (size_t i = 0; i < s->n_flags; i++)
		free(s->flags[i]);
	free(s->flags);
	for (size_t i = 0; i < s->n_gres_pools; i++)
		free(s->gres_pools[i]);
	free(s->gres_pools);
	memset(s, 0, sizeof *s);
}

static const char *const node_keys[] = {"partition", "time", "account", "qos", "flags", NULL};

int slurm_node_check(const weft_value *map, const char *where)
{
	if (weft_value_type(map) != WEFT_T_MAP)
		return weft_err_set(WEFT_EINVALID, "%s: slurm must be a table, for example slurm = { partition = "
						   "\"gpu\", time = \"2h\" }", where);
	for (size_t i = 0; i < weft_value_len(map); i++) {
		const char *k = weft_value_map_key_at(map, i);
		const weft_value *v = weft_value_map_value_at(map, i);
		double t;
		if (!strcmp(k, "time")) {
			if (slurm_parse_time(&t, v) != WEFT_OK)
				return weft_err_set(WEFT_EINVALID, "%s: slurm.time: %s", where, weft_error_last());
		} else if (!strcmp(k, "flags")) {
			int ok = weft_value_type(v) == WEFT_T_LIST;
			for (size_t j = 0; ok && j < weft_value_len(v); j++)
				ok = weft_value_type(weft_value_list_at(v, j)) == WEFT_T_STRING;
			if (!ok)
				return weft_err_set(WEFT_EINVALID, "%s: slurm.flags must be a list of strings, for "
								   "example { \"--constraint=a100\" }", where);
		} else if (!strcmp(k, "partition") || !strcmp(k, "account") || !strcmp(k, "qos")) {
			if (weft_value_type(v) != WEFT_T_STRING || !*weft_value_get_string(v, NULL))
				return weft_err_set(WEFT_EINVALID, "%s: slurm.%s must be a non-empty string", where, k);
		} else {
			return unknown_key(where, "slurm", k, node_keys);
		}
	}
	return WEFT_OK;
}

/* ------------------------------------------------------------ sbatch */

static const char *node_str(const slurm_request *r, const char *key, const char *dflt)
{
	const weft_value *v = r->node ? weft_value_map_get(r->node, key) : NULL;
	return v && weft_value_type(v) == WEFT_T_STRING ? weft_value_get_string(v, NULL) : dflt;
}

static int is_gres_pool(const slurm_settings *s, const char *name)
{
	for (size_t i = 0; i < s->n_gres_pools; i++)
		if (!strcmp(s->gres_pools[i], name))
			return 1;
	return 0;
}

/* The limit Slurm enforces: the node's slurm.time, else its weft timeout
 * with two minutes' margin (weft cancels it first, with a clear message),
 * else the settings' default; 0: the partition's. */
static double effective_limit(const slurm_settings *s, const slurm_request *r)
{
	const weft_value *v = r->node ? weft_value_map_get(r->node, "time") : NULL;
	double t = 0;
	if (v && slurm_parse_time(&t, v) == WEFT_OK && t > 0)
		return t;
	if (r->time > 0)
		return r->time + 120;
	return s->time;
}

int slurm_sbatch_argv(slurm_argv *a, const slurm_settings *s, const slurm_request *r, const char *job_name,
		      const char *out_file, const char *script, double *limit)
{
	memset(a, 0, sizeof *a);
	int rc = slurm_argv_add(a, "sbatch");
	if (rc == WEFT_OK)
		rc = slurm_argv_add(a, "--parsable");
	if (rc == WEFT_OK)
		rc = slurm_argv_addf(a, "--job-name=%s", job_name);
	if (rc == WEFT_OK)
		rc = slurm_argv_addf(a, "--output=%s", out_file);
	const char *part = node_str(r, "partition", s->partition);
	const char *acct = node_str(r, "account", s->account);
	const char *qos = node_str(r, "qos", s->qos);
	if (rc == WEFT_OK && part)
		rc = slurm_argv_addf(a, "--partition=%s", part);
	if (rc == WEFT_OK && acct)
		rc = slurm_argv_addf(a, "--account=%s", acct);
	if (rc == WEFT_OK && qos)
		rc = slurm_argv_addf(a, "--qos=%s", qos);
	if (rc == WEFT_OK)
		rc = slurm_argv_addf(a, "--cpus-per-task=%llu", (unsigned long long)(r->cpus ? r->cpus : 1));
	if (rc == WEFT_OK && r->mem)
		rc = slurm_argv_addf(a, "--mem=%lluM", (unsigned long long)((r->mem + 1048575) / 1048576));
	double t = effective_limit(s, r);
	*limit = t;
	if (rc == WEFT_OK && t > 0) {
		char buf[32];
		slurm_format_time(buf, t);
		rc = slurm_argv_addf(a, "--time=%s", buf);
		/* A long job is told before its limit, so that its op can save a
		 * checkpoint and stop: the wrapper passes USR2 on as a cancel. */
		if (rc == WEFT_OK && s->signal_before > 0 && t >= 2 * s->signal_before)
			rc = slurm_argv_addf(a, "--signal=B:USR2@%.0f", s->signal_before);
	}
	weft_buf gres = {0}, lic = {0};
	for (size_t i = 0; rc == WEFT_OK && i < r->n_pools; i++) {
		const char *p = r->pools[i];
		unsigned long long n = (unsigned long long)r->amounts[i];
		if (!n)
			continue;
		if (!strcmp(p, "gpu") && s->gpu_gpus)
			rc = slurm_argv_addf(a, "--gpus=%llu", n);
		else if (!strcmp(p, "gpu") || !strcmp(p, "npu") || is_gres_pool(s, p))
			rc = weft_buf_printf(&gres, "%s%s:%llu", gres.len ? "," : "", !strcmp(p, "npu") ? s->npu_gres : p,
					     n);
		else
			rc = weft_buf_printf(&lic, "%s%s:%llu", lic.len ? "," : "", p, n);
	}
	if (rc == WEFT_OK && gres.len)
		rc = slurm_argv_addf(a, "--gres=%s", gres.data);
	if (rc == WEFT_OK && lic.len)
		rc = slurm_argv_addf(a, "--licenses=%s", lic.data);
	weft_buf_free(&gres);
	weft_buf_free(&lic);
	for (size_t i = 0; rc == WEFT_OK && i < s->n_flags; i++)
		rc = slurm_argv_add(a, s->flags[i]);
	const weft_value *nf = r->node ? weft_value_map_get(r->node, "flags") : NULL;
	for (size_t i = 0; rc == WEFT_OK && nf && i < weft_value_len(nf); i++)
		rc = slurm_argv_add(a, weft_value_get_string(weft_value_list_at(nf, i), NULL));
	if (rc == WEFT_OK)
		rc = slurm_argv_add(a, script);
	if (rc != WEFT_OK)
		slurm_argv_free(a);
	return rc;
}

/* ------------------------------------------------------------ states */

static const struct {
	const char *code, *name;
	slurm_state st;
} states[] = {
	{"PD", "PENDING", SJ_PENDING},	     {"R", "RUNNING", SJ_RUNNING},	  {"CG", "COMPLETING", SJ_COMPLETING},
	{"CF", "CONFIGURING", SJ_PENDING},   {"RQ", "REQUEUED", SJ_PENDING},	  {"RH", "REQUEUE_HOLD", SJ_PENDING},
	{"RF", "REQUEUE_FED", SJ_PENDING},   {"RS", "RESIZING", SJ_RUNNING},	  {"RD", "RESV_DEL_HOLD", SJ_PENDING},
	{"SE", "SPECIAL_EXIT", SJ_PENDING},  {"SI", "SIGNALING", SJ_RUNNING},	  {"SO", "STAGE_OUT", SJ_COMPLETING},
	{"S", "SUSPENDED", SJ_SUSPENDED},    {"ST", "STOPPED", SJ_SUSPENDED},	  {"CD", "COMPLETED", SJ_COMPLETED},
	{"F", "FAILED", SJ_FAILED},	     {"TO", "TIMEOUT", SJ_TIMEOUT},	  {"CA", "CANCELLED", SJ_CANCELLED},
	{"NF", "NODE_FAIL", SJ_NODE_FAIL},   {"PR", "PREEMPTED", SJ_PREEMPTED},	  {"OOM", "OUT_OF_MEMORY", SJ_OUT_OF_MEMORY},
	{"BF", "BOOT_FAIL", SJ_BOOT_FAIL},   {"DL", "DEADLINE", SJ_DEADLINE},	  {"RV", "REVOKED", SJ_CANCELLED},
};

slurm_state slurm_state_parse(const char *s)
{
	if (!s)
		return SJ_UNKNOWN;
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
		if (!strcmp(s, states[i].code) || !strcmp(s, states[i].name))
			return states[i].st;
	return SJ_UNKNOWN;
}

int slurm_state_ended(slurm_state s)
{
	return s >= SJ_COMPLETED;
}

const char *slurm_state_name(slurm_state s)
{
	if (s == SJ_GONE)
		return "GONE";
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
		if (states[i].st == s)
			return states[i].name;
	return "UNKNOWN";
}

const char *slurm_state_story(slurm_state s)
{
	switch (s) {
	case SJ_TIMEOUT:
		return "Slurm killed it at its time limit (TIMEOUT); raise slurm.time or the node's timeout";
	case SJ_CANCELLED:
		return "it was cancelled outside weft (CANCELLED: scancel, an administrator, or a reservation)";
	case SJ_NODE_FAIL:
		return "its compute node failed (NODE_FAIL)";
	case SJ_PREEMPTED:
		return "a job of higher priority preempted it (PREEMPTED)";
	case SJ_OUT_OF_MEMORY:
		return "it ran out of memory (OUT_OF_MEMORY); raise the node's mem";
	case SJ_BOOT_FAIL:
		return "its compute node failed to boot (BOOT_FAIL)";
	case SJ_DEADLINE:
		return "it missed its deadline (DEADLINE)";
	case SJ_FAILED:
		return "its batch script died (FAILED): killed, or its node lost";
	case SJ_COMPLETED:
		return "it completed but wrote no exit file: the store may not be shared with the compute node";
	default:
		return "it left the queue without writing an exit file";
	}
}

void slurm_parse_status(const char *text, void (*fn)(void *arg, const char *id, slurm_state st), void *arg)
{
	const char *p = text ? text : "";
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char line[256];
		if (n < sizeof line) {
			memcpy(line, p, n);
			line[n] = '\0';
			char *save = NULL;
			char *id = strtok_r(line, " \t|", &save);
			char *st = id ? strtok_r(NULL, " \t|", &save) : NULL;
			/* Steps (123.batch) are not jobs; arrays are not used. */
			if (id && st && all_digits(id, strlen(id)))
				fn(arg, id, slurm_state_parse(st));
		}
		p += n + (e != NULL);
	}
}

/* ------------------------------------------------------------ sinfo */

/* How many of GRES `name` a node group has ("gpu:2", "gpu:a100:4(S:0-1)",
 * "gpu:2,npu:4"). */
static uint64_t gres_count(const char *gres, const char *name)
{
	uint64_t total = 0;
	size_t nl = strlen(name);
	const char *p = gres;
	while (p && *p) {
		/* one item: up to a comma outside parentheses */
		const char *q = p;
		int depth = 0;
		while (*q && (depth || *q != ',')) {
			depth += *q == '(' ? 1 : *q == ')' ? -1 : 0;
			q++;
		}
		if (!strncmp(p, name, nl) && p[nl] == ':') {
			/* the count is the last ':' field before any '(' */
			const char *end = p;
			while (end < q && *end != '(')
				end++;
			const char *c = end;
			while (c > p && c[-1] != ':')
				c--;
			if (all_digits(c, (size_t)(end - c)))
				total += strtoull(c, NULL, 10);
		}
		p = *q ? q + 1 : q;
	}
	return total;
}

int slurm_parse_sinfo(const char *text, slurm_part **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	size_t cap = 0;
	const char *p = text ? text : "";
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char line[1024];
		if (len && len < sizeof line) {
			memcpy(line, p, len);
			line[len] = '\0';
			char *f[6] = {0};
			char *s = line;
			int k = 0;
			for (; k < 6 && s; k++) {
				f[k] = s;
				s = strchr(s, '|');
				if (s)
					*s++ = '\0';
			}
			if (k == 6 && *f[0]) {
				if (*n == cap) {
					cap = cap ? cap * 2 : 8;
					slurm_part *g = realloc(*out, cap * sizeof *g);
					if (!g)
						return weft_err_set(WEFT_ERROR, "out of memory");
					*out = g;
				}
				slurm_part *pt = &(*out)[(*n)++];
				memset(pt, 0, sizeof *pt);
				size_t nl = strlen(f[0]);
				pt->is_default = nl && f[0][nl - 1] == '*';
				if (pt->is_default)
					f[0][nl - 1] = '\0';
				snprintf(pt->name, sizeof pt->name, "%s", f[0]);
				pt->cpus = strtoull(f[1], NULL, 10);
				pt->mem_mb = strtoull(f[2], NULL, 10);
				snprintf(pt->gres, sizeof pt->gres, "%s", f[3]);
				pt->gpus = gres_count(f[3], "gpu");
				if (slurm_parse_time_str(&pt->limit, f[4]) != WEFT_OK)
					pt->limit = -1;
				pt->up = !strcmp(f[5], "up");
			}
		}
		p += len + (e != NULL);
	}
	return WEFT_OK;
}

/* Why node group `g` cannot meet `r`, or NULL. */
static char *group_short(const slurm_part *g, const slurm_settings *s, const slurm_request *r, double limit)
{
	if (r->cpus > g->cpus)
		return weft_sprintf("cpus = %llu, but its nodes have %llu CPUs", (unsigned long long)r->cpus,
				    (unsigned long long)g->cpus);
	if (r->mem && g->mem_mb && r->mem > g->mem_mb * 1048576ull)
		return weft_sprintf("mem = %.2f GiB, but its nodes have %.2f GiB", (double)r->mem / 1073741824.0,
				    (double)g->mem_mb / 1024.0);
	for (size_t i = 0; i < r->n_pools; i++) {
		const char *p = r->pools[i];
		int gres = !strcmp(p, "gpu") || !strcmp(p, "npu") || is_gres_pool(s, p);
		const char *name = !strcmp(p, "npu") ? s->npu_gres : p;
		if (gres && r->amounts[i] && gres_count(g->gres, name) < r->amounts[i])
			return weft_sprintf("%s = %llu, but its nodes have %llu (GRES %s)", p,
					    (unsigned long long)r->amounts[i], (unsigned long long)gres_count(g->gres, name),
					    g->gres);
	}
	if (limit > 0 && g->limit > 0 && limit > g->limit) {
		char a[32], b[32];
		slurm_format_time(a, limit);
		slurm_format_time(b, g->limit);
		return weft_sprintf("a time limit of %s, but its limit is %s", a, b);
	}
	return NULL;
}

char *slurm_request_fits(const slurm_part *parts, size_t n, const slurm_settings *s, const slurm_request *r)
{
	const char *want = node_str(r, "partition", s->partition);
	const char *dflt = NULL;
	for (size_t i = 0; i < n; i++)
		if (parts[i].is_default)
			dflt = parts[i].name;
	const char *name = want ? want : dflt ? dflt : n == 1 ? parts[0].name : NULL;
	weft_buf names = {0};
	for (size_t i = 0; i < n; i++)
		if (!i || strcmp(parts[i].name, parts[i - 1].name))
			weft_buf_printf(&names, "%s%s", names.len ? ", " : "", parts[i].name);
	if (!name) {
		char *m = weft_sprintf("the cluster has no default partition; set slurm.partition in weft.yaml or the "
				       "node's slurm = { partition = ... } (partitions: %s)",
				       names.data ? names.data : "none");
		weft_buf_free(&names);
		return m;
	}
	double limit = effective_limit(s, r);
	char *why = NULL;
	int found = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(parts[i].name, name))
			continue;
		found = 1;
		char *w = group_short(&parts[i], s, r, limit);
		if (!w) {
			free(why);
			weft_buf_free(&names);
			return NULL;
		}
		free(why);
		why = w;
	}
	char *m = found ? weft_sprintf("no node of partition '%s' can run it: it asks for %s", name, why)
			: weft_sprintf("unknown partition '%s' (sinfo lists: %s)", name, names.data ? names.data : "none");
	free(why);
	weft_buf_free(&names);
	return m;
}

int weft_slurm_config_check(const weft_value *config, const char *where)
{
	slurm_settings s;
	int rc = slurm_settings_parse(&s, config, where ? where : "slurm");
	if (rc == WEFT_OK)
		slurm_settings_free(&s);
	return rc;
}
