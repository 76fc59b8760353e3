/*
 * fetch.c -- see fetch.h.
 */
#include "fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "ratelimit.h"
#include "robots.h"

typedef struct origin_robots {
	char *origin;
	adt_robots *robots;
	struct origin_robots *link;
} origin_robots;

struct adt_fetcher {
	adt_fetch_opts o;
	char *cache_dir;
	char *agent;
	CURL *curl;
	adt_limiter *limiter;
	origin_robots *robots;
	adt_fetch_stats st;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}


/* Sleeps `s` seconds in slices, polling for cancellation; -1 if cancelled. */
static int nap(adt_fetcher *f, double s)
{
	f->st.waited += s > 0 ? s : 0;
	while (s > 0) {
		if (f->o.cancelled && f->o.cancelled(f->o.arg))
			return -1;
		double slice = s < 0.1 ? s : 0.1;
		struct timespec ts = {(time_t)slice, (long)((slice - (time_t)slice) * 1e9)};
		nanosleep(&ts, NULL);
		s -= slice;
	}
	return f->o.cancelled && f->o.cancelled(f->o.arg) ? -1 : 0;
}

int adt_url_origin(const char *url, char *out, size_t cap)
{
	const char *p;
	if (!strncasecmp(url, "http://", 7))
		p = url + 7;
	else if (!strncasecmp(url, "https://", 8))
		p = url + 8;
	else
		return -1;
	size_t n = strcspn(p, "/?#");
	size_t len = (size_t)(p - url) + n;
	if (!n || len >= cap)
		return -1;
	memcpy(out, url, len);
	out[len] = 0;
	return 0;
}

adt_fetcher *adt_fetcher_new(const adt_fetch_opts *o)
{
	adt_fetcher *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->o = *o;
	f->agent = strdup(o->agent ? o->agent : "weft-autodata");
	f->cache_dir = o->cache_dir ? strdup(o->cache_dir) : NULL;
	f->curl = curl_easy_init();
	f->limiter = adt_limiter_new(o->rate > 0 ? o->rate : 4);
	if (!f->agent || (o->cache_dir && !f->cache_dir) || !f->curl || !f->limiter) {
		adt_fetcher_free(f);
		return NULL;
	}
	return f;
}

void adt_fetcher_free(adt_fetcher *f)
{
	if (!f)
		return;
	for (origin_robots *r = f->robots, *n; r; r = n) {
		n = r->link;
		free(r->origin);
		adt_robots_free(r->robots);
		free(r);
	}
	if (f->curl)
		curl_easy_cleanup(f->curl);
	adt_limiter_free(f->limiter);
	free(f->agent);
	free(f->cache_dir);
	free(f);
}

adt_fetch_stats adt_fetcher_stats(const adt_fetcher *f)
{
	return f->st;
}

void adt_response_clear(adt_response *r)
{
	free(r->body);
	free(r->content_type);
	memset(r, 0, sizeof *r);
}

/* ---------------------------------------------------------------- cache */

static void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) || n != 32) {
		memset(out, '0', 64);
		out[64] = 0;
		return;
	}
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* The entry's path stem: DIR/http/KK/KEY, KEY the SHA-256 of the URL and
 * the extra headers. -1 when it does not fit or the directory fails. */
static int entry_stem(const adt_fetcher *f, const char *url, const char *const *headers, char *out, size_t cap)
{
	size_t n = strlen(url) + 2;
	for (size_t i = 0; headers && headers[i]; i++)
		n += strlen(headers[i]) + 1;
	char *k = malloc(n);
	if (!k)
		return -1;
	strcpy(k, url);
	for (size_t i = 0; headers && headers[i]; i++) {
		strcat(k, "\n");
		strcat(k, headers[i]);
	}
	char hex[65];
	sha256_hex(k, strlen(k), hex);
	free(k);
	int w = snprintf(out, cap, "%s/http/%.2s", f->cache_dir, hex);
	if (w < 0 || (size_t)w >= cap)
		return -1;
	char top[4096];
	snprintf(top, sizeof top, "%s/http", f->cache_dir);
	if ((mkdir(top, 0700) && errno != EEXIST) || (mkdir(out, 0700) && errno != EEXIST))
		return -1;
	w = snprintf(out, cap, "%s/http/%.2s/%s", f->cache_dir, hex, hex);
	return w < 0 || (size_t)w >= cap ? -1 : 0;
}

typedef struct {
	char *etag, *last_modified, *content_type;
	double stored;
	char *body;
	size_t len;
} entry;

static void entry_clear(entry *e)
{
	free(e->etag);
	free(e->last_modified);
	free(e->content_type);
	free(e->body);
	memset(e, 0, sizeof *e);
}

static char *dupj(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? strdup(s) : NULL;
}

/* Reads the entry at `stem`; 0 when it is there and whole (its body matches
 * the SHA-256 its meta records), else -1 and nothing is kept. */
static int entry_read(const char *stem, size_t max_bytes, entry *e)
{
	char path[4200];
	memset(e, 0, sizeof *e);
	snprintf(path, sizeof path, "%s.meta", stem);
	json_t *m = json_load_file(path, 0, NULL);
	if (!m)
		return -1;
	const char *want = json_string_value(json_object_get(m, "sha256"));
	json_int_t len = json_integer_value(json_object_get(m, "len"));
	int ok = want && len >= 0 && (size_t)len <= max_bytes;
	if (ok) {
		snprintf(path, sizeof path, "%s.body", stem);
		FILE *fp = fopen(path, "rb");
		e->body = malloc((size_t)len + 1);
		ok = fp && e->body && fread(e->body, 1, (size_t)len, fp) == (size_t)len && fgetc(fp) == EOF;
		if (fp)
			fclose(fp);
		if (ok) {
			char hex[65];
			e->body[len] = 0;
			e->len = (size_t)len;
			sha256_hex(e->body, e->len, hex);
			ok = !strcmp(hex, want);
		}
	}
	if (ok) {
		e->etag = dupj(m, "etag");
		e->last_modified = dupj(m, "last_modified");
		e->content_type = dupj(m, "content_type");
		e->stored = json_real_value(json_object_get(m, "stored"));
	}
	json_decref(m);
	if (!ok)
		entry_clear(e);
	return ok ? 0 : -1;
}

/* Body first, then the meta that vouches for it: a kill between the two
 * leaves a meta that does not match, which reads as no entry. */
static int entry_write(const char *stem, const char *url, const entry *e, int body_too)
{
	char path[4200];
	char hex[65];
	sha256_hex(e->body, e->len, hex);
	if (body_too) {
		snprintf(path, sizeof path, "%s.body", stem);
		if (adt_write_atomic(path, e->body, e->len))
			return -1;
	}
	json_t *m = json_pack("{s:s, s:s, s:I, s:f}", "url", url, "sha256", hex, "len", (json_int_t)e->len,
			      "stored", e->stored);
	if (!m)
		return -1;
	if (e->etag)
		json_object_set_new(m, "etag", json_string(e->etag));
	if (e->last_modified)
		json_object_set_new(m, "last_modified", json_string(e->last_modified));
	if (e->content_type)
		json_object_set_new(m, "content_type", json_string(e->content_type));
	char *text = json_dumps(m, JSON_SORT_KEYS);
	json_decref(m);
	if (!text)
		return -1;
	snprintf(path, sizeof path, "%s.meta", stem);
	int rc = adt_write_atomic(path, text, strlen(text));
	free(text);
	return rc;
}

/* ------------------------------------------------------------------ HTTP */

typedef struct {
	char *buf;
	size_t len, cap, max;
	int too_big;
	char *etag, *last_modified, *retry_after;
} sink;

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	sink *s = arg;
	size_t add = size * n;
	if (s->len + add > s->max) {
		s->too_big = 1;
		return 0; /* aborts the transfer */
	}
	if (s->len + add + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 16384;
		while (cap < s->len + add + 1)
			cap *= 2;
		char *nb = realloc(s->buf, cap);
		if (!nb)
			return 0;
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, add);
	s->len += add;
	s->buf[s->len] = 0;
	return add;
}

static void header_value(char **slot, const char *line, size_t n, const char *name)
{
	size_t k = strlen(name);
	if (n <= k + 1 || strncasecmp(line, name, k) || line[k] != ':')
		return;
	const char *v = line + k + 1;
	const char *end = line + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	free(*slot);
	*slot = strndup(v, (size_t)(end - v));
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	sink *s = arg;
	size_t len = size * n;
	if (len > 5 && !strncmp(data, "HTTP/", 5)) { /* a new response (redirect): forget the last one's */
		free(s->etag);
		free(s->last_modified);
		free(s->retry_after);
		s->etag = s->last_modified = s->retry_after = NULL;
	}
	header_value(&s->etag, data, len, "ETag");
	header_value(&s->last_modified, data, len, "Last-Modified");
	header_value(&s->retry_after, data, len, "Retry-After");
	return len;
}

static void sink_clear(sink *s)
{
	free(s->buf);
	free(s->etag);
	free(s->last_modified);
	free(s->retry_after);
	memset(s, 0, sizeof *s);
}

/* Retry-After: delta-seconds or an HTTP date; seconds from now, or -1. */
static double retry_after(const char *v)
{
	if (!v)
		return -1;
	char *end;
	double d = strtod(v, &end);
	if (end != v && *end == 0)
		return d < 0 ? 0 : d;
	time_t t = curl_getdate(v, NULL);
	return t < 0 ? -1 : difftime(t, time(NULL));
}

/* One request (after the politeness wait). 0 with the status, or -1 with
 * a curl error (network, timeout, too big). */
static int request(adt_fetcher *f, const char *url, const char *const *headers, const entry *cond, sink *s,
		   long *status, char **ctype, char *err, size_t errlen)
{
	CURL *c = f->curl;
	curl_easy_reset(c);
	struct curl_slist *hl = NULL, *tmp;
	char line[1024];
	for (size_t i = 0; headers && headers[i]; i++) {
		if (!(tmp = curl_slist_append(hl, headers[i])))
			goto oom;
		hl = tmp;
	}
	if (cond && cond->etag) {
		snprintf(line, sizeof line, "If-None-Match: %s", cond->etag);
		if (!(tmp = curl_slist_append(hl, line)))
			goto oom;
		hl = tmp;
	}
	if (cond && cond->last_modified) {
		snprintf(line, sizeof line, "If-Modified-Since: %s", cond->last_modified);
		if (!(tmp = curl_slist_append(hl, line)))
			goto oom;
		hl = tmp;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, f->agent);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(f->o.timeout > 0 ? f->o.timeout * 1000 : 30000));
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, s);
	f->st.requests++;
	CURLcode rc = curl_easy_perform(c);
	curl_slist_free_all(hl);
	if (rc != CURLE_OK) {
		if (s->too_big)
			adt_seterr(err, errlen, "%s: the body is larger than %zu bytes", url, s->max);
		else
			adt_seterr(err, errlen, "%s: %s", url, curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	char *ct = NULL;
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
	*ctype = ct ? strdup(ct) : NULL;
	f->st.bytes += (long)s->len;
	return 0;
oom:
	curl_slist_free_all(hl);
	adt_seterr(err, errlen, "out of memory");
	return -1;
}

/* The GET itself with retries, no robots check. */
static int get(adt_fetcher *f, const char *url, const char *const *headers, adt_response *out, char *err,
	       size_t errlen)
{
	char origin[512];
	memset(out, 0, sizeof *out);
	if (adt_url_origin(url, origin, sizeof origin)) {
		adt_seterr(err, errlen, "%s: not an http(s) URL", url);
		return -1;
	}
	char stem[4096];
	int have_stem = f->cache_dir && !entry_stem(f, url, headers, stem, sizeof stem);
	entry e = {0};
	int have = have_stem && !entry_read(stem, f->o.max_bytes, &e);
	if (have && now_s() - e.stored < f->o.max_age) {
		f->st.cache_hits++;
		out->status = 200;
		out->body = e.body;
		out->len = e.len;
		out->content_type = e.content_type;
		out->cached = 1;
		e.body = e.content_type = NULL;
		entry_clear(&e);
		return 0;
	}
	int max_retries = f->o.max_retries >= 0 ? f->o.max_retries : 0;
	for (int attempt = 0;; attempt++) {
		double wait = adt_limiter_reserve(f->limiter, origin, now_s());
		if (wait < 0 || nap(f, wait)) {
			adt_seterr(err, errlen, wait < 0 ? "out of memory" : "%s: cancelled", url);
			entry_clear(&e);
			return -1;
		}
		sink s = {.max = f->o.max_bytes};
		long status = 0;
		char *ctype = NULL;
		out->attempts = attempt + 1;
		int rc = request(f, url, headers, have ? &e : NULL, &s, &status, &ctype, err, errlen);
		double backoff = 0.25 * (double)(1L << (attempt < 8 ? attempt : 8));
		if (rc == 0 && status == 304 && have) {
			f->st.not_modified++;
			e.stored = now_s();
			entry_write(stem, url, &e, 0); /* a failed refresh only costs a revalidation */
			out->status = 200;
			out->body = e.body;
			out->len = e.len;
			out->content_type = e.content_type ? e.content_type : ctype;
			if (e.content_type)
				free(ctype);
			out->cached = 2;
			e.body = e.content_type = NULL;
			entry_clear(&e);
			sink_clear(&s);
			return 0;
		}
		int transient = rc != 0 ? !s.too_big : (status == 429 || status == 503 || status == 502 || status == 504 ||
							 status == 500);
		if (rc == 0 && (status == 429 || status == 503)) {
			f->st.throttled++;
			double ra = retry_after(s.retry_after);
			if (ra >= 0)
				backoff = ra;
		}
		if (!transient || attempt >= max_retries) {
			if (rc == 0) {
				out->status = status;
				out->body = s.buf ? s.buf : strdup("");
				out->len = s.len;
				out->content_type = ctype;
				s.buf = NULL;
				if (status == 200) {
					f->st.fetched++;
					if (have_stem) {
						entry ne = {.etag = s.etag, .last_modified = s.last_modified,
							    .content_type = ctype, .stored = now_s(),
							    .body = out->body, .len = out->len};
						entry_write(stem, url, &ne, 1);
					}
				}
			} else {
				free(ctype);
			}
			sink_clear(&s);
			entry_clear(&e);
			if (rc == 0 && !out->body) {
				adt_seterr(err, errlen, "out of memory");
				return -1;
			}
			if (rc != 0 && attempt >= max_retries && transient)
				adt_seterr(err + strlen(err), errlen - strlen(err), " (after %d attempts)", attempt + 1);
			return rc;
		}
		free(ctype);
		sink_clear(&s);
		if (backoff > f->o.max_wait) {
			adt_seterr(err, errlen, "%s: the server asks us to wait %.0f s, longer than max_wait %.0f s", url,
			       backoff, f->o.max_wait);
			entry_clear(&e);
			return -1;
		}
		f->st.retries++;
		if (adt_limiter_block(f->limiter, origin, now_s() + backoff)) {
			adt_seterr(err, errlen, "out of memory");
			entry_clear(&e);
			return -1;
		}
	}
}

static adt_robots *robots_for(adt_fetcher *f, const char *origin, char *err, size_t errlen)
{
	for (origin_robots *r = f->robots; r; r = r->link)
		if (!strcmp(r->origin, origin))
			return r->robots;
	char url[600];
	snprintf(url, sizeof url, "%s/robots.txt", origin);
	adt_response resp;
	adt_robots *rb;
	if (get(f, url, NULL, &resp, err, errlen))
		return NULL; /* unreachable: RFC 9309 says assume complete disallow */
	if (resp.status >= 400 && resp.status < 500)
		rb = adt_robots_parse(NULL, 0, f->agent); /* none: all allowed */
	else if (resp.status >= 500) {
		adt_seterr(err, errlen, "%s answered %ld; a crawler must then assume it may fetch nothing", url,
		       resp.status);
		adt_response_clear(&resp);
		return NULL;
	} else
		rb = adt_robots_parse(resp.body, resp.len, f->agent);
	adt_response_clear(&resp);
	origin_robots *r = calloc(1, sizeof *r);
	if (!rb || !r || !(r->origin = strdup(origin))) {
		adt_robots_free(rb);
		free(r);
		adt_seterr(err, errlen, "out of memory");
		return NULL;
	}
	r->robots = rb;
	r->link = f->robots;
	f->robots = r;
	if (adt_robots_delay(rb) > 0)
		adt_limiter_set_interval(f->limiter, origin, adt_robots_delay(rb));
	return rb;
}

int adt_fetch(adt_fetcher *f, const char *url, const char *const *headers, adt_response *out, char *err,
	     size_t errlen)
{
	char origin[512];
	memset(out, 0, sizeof *out);
	if (adt_url_origin(url, origin, sizeof origin)) {
		adt_seterr(err, errlen, "%s: not an http(s) URL", url);
		return -1;
	}
	if (f->o.robots) {
		adt_robots *rb = robots_for(f, origin, err, errlen);
		if (!rb)
			return -1;
		const char *path = url + strlen(origin);
		const char *rule = NULL;
		if (!adt_robots_allowed(rb, *path ? path : "/", &rule)) {
			adt_seterr(err, errlen, "%s/robots.txt disallows %s for %s (rule 'Disallow: %s')", origin,
			       *path ? path : "/", f->agent, rule ? rule : "?");
			return -2;
		}
	}
	return get(f, url, headers, out, err, errlen);
}
