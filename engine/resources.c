/*
 * resources.c -- resource pools: declaration (weft.yaml, detection) and the
 * run-time bookkeeping behind "never oversubscribe a pool".
 *
 * Device ids are strings because CUDA_VISIBLE_DEVICES may hold UUIDs
 * (GPU-...) as well as indices; a node receives the ids verbatim.
 */
#define _GNU_SOURCE
#include "resources.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

typedef struct res_pool {
	char *name, *source, *env;
	uint64_t cap, used;
	int device;
	char **ids;
	uint32_t *holder;
	double *busy, *since;
} res_pool;

struct weft_resources {
	res_pool *pools;
	size_t n;
	/* `nvidia-smi -L` is still to be asked: detect leaves it until the gpu
	 * pool is first looked at. It takes a fork and an exec at least (tens
	 * of milliseconds to seconds where the driver is loaded), and most
	 * runs never ask for a GPU. */
	int gpu_pending;
};

static int detect_nvidia_smi(weft_resources *r);

/* Asks nvidia-smi now if detect left it for later. The pools are logically
 * const for their readers: this only fills in what detect deferred, on an
 * object that was allocated non-const (weft_resources_new). */
static void settle_gpu(const weft_resources *cr, const char *name)
{
	if (!cr->gpu_pending || (name && strcmp(name, "gpu")))
		return;
	weft_resources *r = (weft_resources *)cr;
	r->gpu_pending = 0;
	if (!weft_resources_has(r, "gpu"))
		(void)detect_nvidia_smi(r);
}

int weft_resources_new(weft_resources **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
}

static void pool_clear(res_pool *p)
{
	for (uint64_t i = 0; p->device && i < p->cap; i++)
		free(p->ids[i]);
	free(p->ids);
	free(p->holder);
	free(p->busy);
	free(p->since);
	free(p->source);
	free(p->env);
	p->ids = NULL;
	p->holder = NULL;
	p->busy = p->since = NULL;
	p->source = p->env = NULL;
	p->cap = p->used = 0;
	p->device = 0;
}

void weft_resources_free(weft_resources *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		pool_clear(&r->pools[i]);
		free(r->pools[i].name);
	}
	free(r->pools);
	free(r);
}

static int valid_pool_name(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return 0;
	return 1;
}

/* The pool named `name`, created empty if new; NULL when out of memory. */
static res_pool *pool_slot(weft_resources *r, const char *name)
{
	int i = res_pool_find(r, name);
	if (i >= 0) {
		pool_clear(&r->pools[i]);
		return &r->pools[i];
	}
	if (r->n >= RES_MAX_POOLS) {
		weft_err_set(WEFT_EINVALID, "too many resource pools (at most %d); declare fewer in weft.yaml",
			     RES_MAX_POOLS);
		return NULL;
	}
	res_pool *np = realloc(r->pools, (r->n + 1) * sizeof *np);
	if (!np) {
		weft_err_set(WEFT_ERROR, "out of memory");
		return NULL;
	}
	r->pools = np;
	res_pool *p = &r->pools[r->n];
	memset(p, 0, sizeof *p);
	if (!(p->name = weft_strdup(name))) {
		weft_err_set(WEFT_ERROR, "out of memory");
		return NULL;
	}
	r->n++;
	return p;
}

int weft_resources_set(weft_resources *r, const char *name, uint64_t capacity, const char *source)
{
	if (!valid_pool_name(name))
		return weft_err_set(WEFT_EINVALID, "invalid resource name '%s': use letters, digits, _ and -",
				    name ? name : "");
	res_pool *p = pool_slot(r, name);
	if (!p)
		return WEFT_ERROR;
	p->cap = capacity;
	p->source = weft_strdup(source ? source : "declared");
	return p->source ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
}

static char *env_name_for(const char *pool)
{
	if (!strcmp(pool, "gpu"))
		return weft_strdup("CUDA_VISIBLE_DEVICES");
	if (!strcmp(pool, "npu"))
		return weft_strdup("ASCEND_RT_VISIBLE_DEVICES");
	char *e = weft_sprintf("WEFT_%s_IDS", pool);
	for (char *c = e; c && *c; c++)
		*c = *c == '-' ? '_' : (char)toupper((unsigned char)*c);
	return e;
}

int weft_resources_set_devices(weft_resources *r, const char *name, const char *const *ids, size_t n,
			       const char *source)
{
	if (!valid_pool_name(name))
		return weft_err_set(WEFT_EINVALID, "invalid resource name '%s': use letters, digits, _ and -",
				    name ? name : "");
	for (size_t i = 0; i < n; i++) {
		if (!ids[i] || !*ids[i] || strchr(ids[i], ','))
			return weft_err_set(WEFT_EINVALID, "resource %s: device id '%s' is empty or has a comma; "
							   "list device ids one by one in weft.yaml", name,
					    ids[i] ? ids[i] : "");
		for (size_t j = 0; j < i; j++)
			if (!strcmp(ids[i], ids[j]))
				return weft_err_set(WEFT_EINVALID, "resource %s: device id '%s' is listed twice; "
								   "list each device once in weft.yaml", name,
						    ids[i]);
	}
	res_pool *p = pool_slot(r, name);
	if (!p)
		return WEFT_ERROR;
	p->device = 1;
	p->ids = calloc(n ? n : 1, sizeof *p->ids);
	p->holder = malloc((n ? n : 1) * sizeof *p->holder);
	p->busy = calloc(n ? n : 1, sizeof *p->busy);
	p->since = calloc(n ? n : 1, sizeof *p->since);
	p->source = weft_strdup(source ? source : "declared");
	p->env = env_name_for(name);
	if (!p->ids || !p->holder || !p->busy || !p->since || !p->source || !p->env)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		if (!(p->ids[i] = weft_strdup(ids[i])))
			goto oom;
		p->holder[i] = RES_FREE;
		p->cap = i + 1;
	}
	p->cap = n;
	return WEFT_OK;
oom:
	return weft_err_set(WEFT_ERROR, "out of memory");
}

int weft_resources_has(const weft_resources *r, const char *name)
{
	return res_pool_find(r, name) >= 0;
}

uint64_t weft_resources_capacity(const weft_resources *r, const char *name)
{
	int i = res_pool_find(r, name);
	return i >= 0 ? r->pools[i].cap : 0;
}

int weft_parse_size(uint64_t *out, const char *s)
{
	char *end;
	if (!s || !isdigit((unsigned char)*s))
		return weft_err_set(WEFT_EINVALID, "'%s' is not a size (examples: 512M, 64G, 1.5T)", s ? s : "");
	double v = strtod(s, &end);
	while (*end == ' ')
		end++;
	double mult = 1;
	switch (toupper((unsigned char)*end)) {
	case 'K':
		mult = 1024.0;
		break;
	case 'M':
		mult = 1024.0 * 1024;
		break;
	case 'G':
		mult = 1024.0 * 1024 * 1024;
		break;
	case 'T':
		mult = 1024.0 * 1024 * 1024 * 1024;
		break;
	case 'B':
	case '\0':
		break;
	default:
		return weft_err_set(WEFT_EINVALID, "'%s' is not a size (examples: 512M, 64G, 1.5T)", s);
	}
	if (*end && toupper((unsigned char)*end) != 'B') {
		end++;
		if (!strncasecmp(end, "iB", 2))
			end += 2;
		else if (toupper((unsigned char)*end) == 'B')
			end++;
	} else if (*end) {
		end++;
	}
	if (*end || !isfinite(v * mult) || v * mult >= 1.8e19)
		return weft_err_set(WEFT_EINVALID, "'%s' is not a size (examples: 512M, 64G, 1.5T)", s);
	*out = (uint64_t)llround(v * mult);
	return WEFT_OK;
}

static int load_one(weft_resources *r, const char *key, const weft_value *v, const char *file)
{
	weft_type t = weft_value_type(v);
	char *src = weft_sprintf("%s", file);
	int rc;
	if (!src)
		return weft_err_set(WEFT_ERROR, "out of memory");
	int devices = !strcmp(key, "gpu") || !strcmp(key, "npu");
	if (t == WEFT_T_INT) {
		int64_t n = weft_value_get_int(v);
		if (n < 0 || (devices && n > 4096)) {
			rc = weft_err_set(WEFT_EINVALID, "%s: resources.%s must be a count from 0%s, got %lld",
					  file, key,
					  devices ? " to 4096" : "", (long long)n);
		} else if (devices) {
			char **ids = calloc((size_t)n + 1, sizeof *ids);
			rc = ids ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
			for (int64_t i = 0; rc == WEFT_OK && i < n; i++)
				if (!(ids[i] = weft_sprintf("%lld", (long long)i)))
					rc = weft_err_set(WEFT_ERROR, "out of memory");
			if (rc == WEFT_OK)
				rc = weft_resources_set_devices(r, key, (const char *const *)ids, (size_t)n, src);
			for (int64_t i = 0; ids && i < n; i++)
				free(ids[i]);
			free(ids);
		} else {
			rc = weft_resources_set(r, key, (uint64_t)n, src);
		}
	} else if (t == WEFT_T_STRING && !devices) {
		uint64_t sz;
		rc = weft_parse_size(&sz, weft_value_get_string(v, NULL));
		rc = rc == WEFT_OK ? weft_resources_set(r, key, sz, src)
				   : weft_err_wrap(rc, "%s: resources.%s", file, key);
	} else if (t == WEFT_T_LIST) {
		size_t n = weft_value_len(v);
		char **ids = calloc(n + 1, sizeof *ids);
		rc = ids ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
		for (size_t i = 0; rc == WEFT_OK && i < n; i++) {
			const weft_value *e = weft_value_list_at(v, i);
			if (weft_value_type(e) == WEFT_T_INT)
				ids[i] = weft_sprintf("%lld", (long long)weft_value_get_int(e));
			else if (weft_value_type(e) == WEFT_T_STRING)
				ids[i] = weft_strdup(weft_value_get_string(e, NULL));
			else
				rc = weft_err_set(WEFT_EINVALID, "%s: resources.%s[%zu]: a device id is a number or "
								 "a string",
						  file, key, i + 1);
			if (rc == WEFT_OK && !ids[i])
				rc = weft_err_set(WEFT_ERROR, "out of memory");
		}
		if (rc == WEFT_OK)
			rc = weft_resources_set_devices(r, key, (const char *const *)ids, n, src);
		if (rc != WEFT_OK && !strstr(weft_error_last(), file))
			rc = weft_err_wrap(rc, "%s", file);
		for (size_t i = 0; ids && i < n; i++)
			free(ids[i]);
		free(ids);
	} else {
		rc = weft_err_set(WEFT_EINVALID,
				  "%s: resources.%s must be a count%s or a list of device ids, for example `%s: 2`", file,
				  key, devices ? "" : ", a size (\"64G\")", key);
	}
	free(src);
	return rc;
}

int weft_resources_load(weft_resources *r, const weft_value *map, const char *file)
{
	if (!map || weft_value_type(map) == WEFT_T_NULL)
		return WEFT_OK;
	if (weft_value_type(map) != WEFT_T_MAP)
		return weft_err_set(WEFT_EINVALID, "%s: `resources` must be a map of pool names to sizes, for example "
				    "`resources: {gpu: 2, mem: 64G}`", file);
	for (size_t i = 0; i < weft_value_len(map); i++) {
		const char *key = weft_value_map_key_at(map, i);
		if (!valid_pool_name(key))
			return weft_err_set(WEFT_EINVALID, "%s: invalid resource name '%s': use letters, digits, _ "
							   "and -",
					    file, key);
		int rc = load_one(r, key, weft_value_map_value_at(map, i), file);
		if (rc != WEFT_OK)
			return rc;
	}
	return WEFT_OK;
}

/* Splits a CUDA_VISIBLE_DEVICES-style list. CUDA stops at the first
 * invalid entry (a negative number), so "-1" means no devices at all. */
static int set_from_list(weft_resources *r, const char *pool, const char *list, const char *source)
{
	char *copy = weft_strdup(list);
	const char *ids[4096];
	size_t n = 0;
	if (!copy)
		return weft_err_set(WEFT_ERROR, "out of memory");
	char *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok && n < 4096; tok = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*tok))
			tok++;
		char *e = tok + strlen(tok);
		while (e > tok && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (!*tok || *tok == '-' || !strcmp(tok, "NoDevFiles"))
			break;
		ids[n++] = tok;
	}
	int rc = weft_resources_set_devices(r, pool, ids, n, source);
	free(copy);
	return rc;
}

/* Counts the GPUs `nvidia-smi -L` lists ("GPU 0: NVIDIA H100 ... (UUID: ...)"). */
static int detect_nvidia_smi(weft_resources *r)
{
	FILE *f = popen("nvidia-smi -L 2>/dev/null", "r");
	if (!f)
		return WEFT_OK;
	char line[512];
	weft_buf ids = {0};
	size_t n = 0;
	while (fgets(line, sizeof line, f)) {
		unsigned idx;
		if (sscanf(line, "GPU %u:", &idx) == 1) {
			weft_buf_printf(&ids, "%s%u", n ? "," : "", idx);
			n++;
		}
	}
	int status = pclose(f);
	int rc = WEFT_OK;
	if (n && status == 0)
		rc = set_from_list(r, "gpu", ids.data, "nvidia-smi -L");
	weft_buf_free(&ids);
	return rc;
}

int weft_resources_detect(weft_resources *r)
{
	int rc = WEFT_OK;
	const char *cuda = getenv("CUDA_VISIBLE_DEVICES");
	const char *ascend = getenv("ASCEND_RT_VISIBLE_DEVICES");
	if (!weft_resources_has(r, "gpu") && cuda)
		rc = set_from_list(r, "gpu", cuda, "CUDA_VISIBLE_DEVICES");
	else if (!weft_resources_has(r, "gpu"))
		r->gpu_pending = 1;
	if (rc == WEFT_OK && !weft_resources_has(r, "npu") && ascend)
		rc = set_from_list(r, "npu", ascend, "ASCEND_RT_VISIBLE_DEVICES");
	if (rc == WEFT_OK && !weft_resources_has(r, "cpus")) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		rc = weft_resources_set(r, "cpus", n > 0 ? (uint64_t)n : 1, "online cores");
	}
	if (rc == WEFT_OK && !weft_resources_has(r, "mem")) {
		long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
		rc = weft_resources_set(r, "mem", pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz : UINT64_MAX / 2,
					"physical memory");
	}
	return rc;
}

char *weft_resources_describe(const weft_resources *r)
{
	settle_gpu(r, NULL);
	weft_buf b = {0};
	for (size_t i = 0; i < r->n; i++) {
		const res_pool *p = &r->pools[i];
		if (p->device) {
			weft_buf_printf(&b, "%-8s %llu device%s", p->name, (unsigned long long)p->cap,
					p->cap == 1 ? "" : "s");
			for (uint64_t d = 0; d < p->cap; d++)
				weft_buf_printf(&b, "%s%s", d ? "," : ": ", p->ids[d]);
			weft_buf_printf(&b, "  (%s; exported as %s)\n", p->source, p->env);
		} else if (!strcmp(p->name, "mem")) {
			weft_buf_printf(&b, "%-8s %.1f GiB  (%s)\n", p->name, (double)p->cap / (1024.0 * 1024 * 1024),
					p->source);
		} else {
			weft_buf_printf(&b, "%-8s %llu  (%s)\n", p->name, (unsigned long long)p->cap, p->source);
		}
	}
	return b.data ? b.data : weft_strdup("");
}

static weft_value *str(const char *s)
{
	return s ? weft_value_string(s, strlen(s)) : weft_value_null();
}

weft_value *weft_resources_value(const weft_resources *r)
{
	settle_gpu(r, NULL);
	weft_value *list = weft_value_list();
	for (size_t i = 0; list && i < r->n; i++) {
		const res_pool *p = &r->pools[i];
		weft_value *e = weft_value_map(), *ids = p->device ? weft_value_list() : weft_value_null();
		for (uint64_t d = 0; p->device && ids && d < p->cap; d++)
			weft_value_list_push(ids, str(p->ids[d]));
		weft_value_map_set(e, "name", str(p->name));
		weft_value_map_set(e, "capacity", weft_value_int((int64_t)p->cap));
		weft_value_map_set(e, "source", str(p->source));
		weft_value_map_set(e, "devices", ids);
		weft_value_map_set(e, "env", str(p->device ? p->env : NULL));
		weft_value_list_push(list, e);
	}
	return list;
}

/* ------------------------------------------------------------ run time */

int res_clone(weft_resources **out, const weft_resources *src)
{
	weft_resources *r;
	int rc = weft_resources_new(&r);
	for (size_t i = 0; rc == WEFT_OK && src && i < src->n; i++) {
		const res_pool *p = &src->pools[i];
		rc = p->device ? weft_resources_set_devices(r, p->name, (const char *const *)p->ids, p->cap, p->source)
			       : weft_resources_set(r, p->name, p->cap, p->source);
	}
	if (rc != WEFT_OK) {
		weft_resources_free(r);
		return rc;
	}
	r->gpu_pending = src && src->gpu_pending;
	*out = r;
	return WEFT_OK;
}

size_t res_pool_count(const weft_resources *r)
{
	return r->n;
}

int res_pool_find(const weft_resources *r, const char *name)
{
	settle_gpu(r, name);
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->pools[i].name, name))
			return (int)i;
	return -1;
}

const char *res_pool_name(const weft_resources *r, size_t pool)
{
	return r->pools[pool].name;
}

const char *res_pool_source(const weft_resources *r, size_t pool)
{
	return r->pools[pool].source;
}

uint64_t res_pool_capacity(const weft_resources *r, size_t pool)
{
	return r->pools[pool].cap;
}

uint64_t res_pool_used(const weft_resources *r, size_t pool)
{
	return r->pools[pool].used;
}

int res_pool_is_device(const weft_resources *r, size_t pool)
{
	return r->pools[pool].device;
}

const char *res_pool_env(const weft_resources *r, size_t pool)
{
	return r->pools[pool].env;
}

size_t res_device_count(const weft_resources *r, size_t pool)
{
	return r->pools[pool].device ? (size_t)r->pools[pool].cap : 0;
}

const char *res_device_id(const weft_resources *r, size_t pool, size_t dev)
{
	return r->pools[pool].ids[dev];
}

uint32_t res_device_holder(const weft_resources *r, size_t pool, size_t dev)
{
	return r->pools[pool].holder[dev];
}

double res_device_busy(const weft_resources *r, size_t pool, size_t dev, double now)
{
	const res_pool *p = &r->pools[pool];
	return p->busy[dev] + (p->holder[dev] != RES_FREE ? now - p->since[dev] : 0);
}

int res_fits(const weft_resources *r, const res_ask *asks, size_t n, uint64_t *short_mask)
{
	int fits = 1;
	for (size_t i = 0; i < n; i++) {
		const res_pool *p = &r->pools[asks[i].pool];
		if (p->used + asks[i].amount > p->cap) {
			fits = 0;
			if (short_mask)
				*short_mask |= (uint64_t)1 << asks[i].pool;
		}
	}
	return fits;
}

int res_take(weft_resources *r, const res_ask *asks, size_t n, uint32_t holder, double now)
{
	if (!res_fits(r, asks, n, NULL))
		return weft_err_set(WEFT_EINVALID, "the requested resources are not free");
	for (size_t i = 0; i < n; i++) {
		res_pool *p = &r->pools[asks[i].pool];
		p->used += asks[i].amount;
		uint64_t want = p->device ? asks[i].amount : 0;
		for (uint64_t d = 0; want && d < p->cap; d++)
			if (p->holder[d] == RES_FREE) {
				p->holder[d] = holder;
				p->since[d] = now;
				want--;
			}
	}
	return WEFT_OK;
}

void res_give(weft_resources *r, const res_ask *asks, size_t n, uint32_t holder, double now)
{
	for (size_t i = 0; i < n; i++) {
		res_pool *p = &r->pools[asks[i].pool];
		p->used -= asks[i].amount <= p->used ? asks[i].amount : p->used;
		for (uint64_t d = 0; p->device && d < p->cap; d++)
			if (p->holder[d] == holder) {
				p->holder[d] = RES_FREE;
				p->busy[d] += now - p->since[d];
			}
	}
}

char *res_ids_of(const weft_resources *r, size_t pool, uint32_t holder)
{
	const res_pool *p = &r->pools[pool];
	weft_buf b = {0};
	for (uint64_t d = 0; p->device && d < p->cap; d++)
		if (p->holder[d] == holder)
			weft_buf_printf(&b, "%s%s", b.len ? "," : "", p->ids[d]);
	return b.data ? b.data : weft_strdup("");
}
