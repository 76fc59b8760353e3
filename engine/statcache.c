/*
 * statcache.c -- open-addressing table from path to stat identity and hash,
 * persisted as text lines "hash size mtime_ns ctime_ns ino dev path".
 * A line that does not parse is dropped: the cache only ever saves work, so
 * losing an entry costs one re-hash and nothing else. The file is read at
 * the first use, not at open: a run whose files are all known by their
 * cache keys (a no-op rerun) never reads a store's cache of every file.
 */
#define _GNU_SOURCE
#include "statcache.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "util.h"

typedef struct entry {
	char *path; /* NULL = empty slot */
	uint64_t h; /* fnv1a(path), so that growing hashes no path again */
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;
	char hash[65];
} entry;

struct weft_statcache {
	char *file;
	char *skip; /* lines under this prefix are dropped when read */
	entry *slots;
	size_t cap, used;
	int dirty, loaded; /* loaded: atomic, read before taking the lock */
	/* Lookups share it (the lookahead of sched_prefetch.c verifies on two
	 * threads); loading and every change hold it alone. */
	pthread_rwlock_t mu;
	pthread_t loader; /* weft_statcache_preload's thread, joined at free */
	int has_loader;
};

static uint64_t fnv1a(const char *s)
{
	return weft_fnv1a(s, strlen(s)); /* the same values: the file holds none */
}

static entry *find_slot(entry *slots, size_t cap, const char *path, uint64_t h)
{
	size_t i = h & (cap - 1);
	while (slots[i].path && (slots[i].h != h || strcmp(slots[i].path, path)))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

/* Doubles the table until it holds `want` entries at most half full. */
static int grow_to(weft_statcache *sc, size_t want)
{
	size_t ncap = sc->cap ? sc->cap : 32; /* a run that hashes a file or two clears 4 KiB, not 128 */
	while (ncap < 2 * want + 2 || ncap <= sc->cap)
		ncap *= 2;
	entry *ns = calloc(ncap, sizeof *ns);
	if (!ns)
		return weft_err_set(WEFT_ERROR, "out of memory");
	for (size_t i = 0; i < sc->cap; i++)
		if (sc->slots[i].path)
			*find_slot(ns, ncap, sc->slots[i].path, sc->slots[i].h) = sc->slots[i];
	free(sc->slots);
	sc->slots = ns;
	sc->cap = ncap;
	return WEFT_OK;
}

static int grow(weft_statcache *sc)
{
	return grow_to(sc, sc->used + 1);
}

static int64_t ns_of(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* `owned`: path is the cache's now (no copy), else copied. */
static int put(weft_statcache *sc, const char *path, char *owned, uint64_t dev, uint64_t ino, uint64_t size,
	       int64_t mt, int64_t ct, const char *hash)
{
	if ((sc->used + 1) * 2 > sc->cap && grow(sc) != WEFT_OK) {
		free(owned);
		return WEFT_ERROR;
	}
	uint64_t h = fnv1a(path);
	entry *e = find_slot(sc->slots, sc->cap, path, h);
	if (!e->path) {
		if (!(e->path = owned ? owned : weft_strdup(path)))
			return weft_err_set(WEFT_ERROR, "out of memory");
		e->h = h;
		sc->used++;
	} else {
		free(owned);
	}
	e->dev = dev;
	e->ino = ino;
	e->size = size;
	e->mtime_ns = mt;
	e->ctime_ns = ct;
	memcpy(e->hash, hash, 65);
	return WEFT_OK;
}

/* The decimal number at *p (a '-' first when `sign`), then one space. */
static int parse_num(const char **p, const char *end, int sign, uint64_t *out)
{
	const char *q = *p;
	int neg = sign && q < end && *q == '-';
	q += neg;
	uint64_t v = 0;
	const char *digits = q;
	/* overflow by the carry flags: a division per digit (to compare
	 * against the room left) was most of loading a 10,000-line cache */
	for (; q < end && *q >= '0' && *q <= '9' && q - digits < 20; q++)
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(*q - '0'), &v))
			return -1;
	if (q == digits || q >= end || *q != ' ' || (sign && v > (uint64_t)INT64_MAX))
		return -1;
	*out = neg ? (uint64_t)(-(int64_t)v) : v;
	*p = q + 1;
	return 0;
}

/* One line "hash size mtime_ns ctime_ns ino dev path" (no newline), by
 * hand: sscanf was nine tenths of opening a store's cache of 50,000 files. */
static int parse_line(weft_statcache *sc, const char *line, size_t n, const char *skip, size_t skip_len)
{
	const char *p = line, *end = line + n;
	char hash[65];
	uint64_t v[5];
	if (n < 65 || line[64] != ' ')
		return 0;
	memcpy(hash, line, 64);
	hash[64] = '\0';
	if (!weft_hash_is_hex(hash))
		return 0;
	p += 65;
	for (int i = 0; i < 5; i++)
		if (parse_num(&p, end, i == 1 || i == 2, &v[i]) != 0)
			return 0;
	if (p >= end || *p != '/' || memchr(p, '\0', (size_t)(end - p)))
		return 0;
	if (skip && (size_t)(end - p) > skip_len && !memcmp(p, skip, skip_len)) {
		sc->dirty = 1; /* a work file, gone with its run: dropped at the next save */
		return 0;
	}
	char *path = weft_strndup(p, (size_t)(end - p));
	if (!path)
		return -1;
	return put(sc, path, path, v[4], v[3], v[0], (int64_t)v[1], (int64_t)v[2], hash) == WEFT_OK ? 0 : -1;
}

int weft_statcache_open(weft_statcache **out, const char *file)
{
	return weft_statcache_open_skipping(out, file, NULL);
}

int weft_statcache_open_skipping(weft_statcache **out, const char *file, const char *skip)
{
	weft_statcache *sc = calloc(1, sizeof *sc);
	if (!sc || !(sc->file = weft_strdup(file)) || (skip && !(sc->skip = weft_strdup(skip))) ||
	    grow(sc) != WEFT_OK) {
		if (sc) {
			free(sc->file);
			free(sc->skip);
		}
		free(sc);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	if (pthread_rwlock_init(&sc->mu, NULL) != 0) {
		free(sc->slots);
		free(sc->file);
		free(sc->skip);
		free(sc);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	*out = sc;
	return WEFT_OK;
}

static void load_file(weft_statcache *sc);

/* Reads the file, once, before the first lookup or change; the caller
 * holds sc->mu for writing. */
static void load(weft_statcache *sc)
{
	if (__atomic_load_n(&sc->loaded, __ATOMIC_ACQUIRE))
		return;
	load_file(sc);
	__atomic_store_n(&sc->loaded, 1, __ATOMIC_RELEASE);
}

static void load_file(weft_statcache *sc)
{
	char *text = NULL;
	size_t len = 0, skip_len = sc->skip ? strlen(sc->skip) : 0;
	if (weft_read_file(sc->file, &text, &len) != WEFT_OK)
		return;
	size_t lines = 0;
	for (const char *q = text; (q = memchr(q, '\n', len - (size_t)(q - text))); q++)
		lines++;
	if (grow_to(sc, sc->used + lines + 1) == WEFT_OK) {
		for (size_t off = 0; off < len;) {
			const char *nl = memchr(text + off, '\n', len - off);
			size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
			if (parse_line(sc, text + off, n, sc->skip, skip_len) != 0)
				break; /* out of memory: the rest is only not cached */
			off += n + 1;
		}
	}
	free(text);
}

int weft_statcache_save(weft_statcache *sc)
{
	if (!sc || !sc->dirty)
		return WEFT_OK;
	weft_buf b = {0};
	int rc = WEFT_OK;
	pthread_rwlock_wrlock(&sc->mu);
	load(sc);
	for (size_t i = 0; i < sc->cap && rc == WEFT_OK; i++) {
		entry *e = &sc->slots[i];
		if (e->path && e->size != UINT64_MAX) /* forgotten entries are not kept */
			rc = weft_buf_printf(&b, "%s %" PRIu64 " %" PRId64 " %" PRId64 " %" PRIu64 " %" PRIu64 " %s\n",
					     e->hash, e->size, e->mtime_ns, e->ctime_ns, e->ino, e->dev, e->path);
	}
	pthread_rwlock_unlock(&sc->mu);
	if (rc == WEFT_OK)
		rc = weft_write_file_atomic(sc->file, b.data ? b.data : "", b.len, 0);
	weft_buf_free(&b);
	if (rc == WEFT_OK)
		sc->dirty = 0;
	return rc;
}

static void *preload_main(void *arg)
{
	weft_statcache *sc = arg;
	pthread_rwlock_wrlock(&sc->mu);
	load(sc);
	pthread_rwlock_unlock(&sc->mu);
	return NULL;
}

void weft_statcache_preload(weft_statcache *sc)
{
	if (sc && !sc->has_loader && !__atomic_load_n(&sc->loaded, __ATOMIC_ACQUIRE))
		sc->has_loader = pthread_create(&sc->loader, NULL, preload_main, sc) == 0;
}

void weft_statcache_free(weft_statcache *sc)
{
	if (!sc)
		return;
	if (sc->has_loader)
		pthread_join(sc->loader, NULL);
	for (size_t i = 0; i < sc->cap; i++)
		free(sc->slots[i].path);
	free(sc->slots);
	free(sc->file);
	free(sc->skip);
	pthread_rwlock_destroy(&sc->mu);
	free(sc);
}

int weft_statcache_lookup(weft_statcache *sc, const char *path, const struct stat *st, char out[65])
{
	int hit = 0;
	if (!__atomic_load_n(&sc->loaded, __ATOMIC_ACQUIRE)) {
		pthread_rwlock_wrlock(&sc->mu);
		load(sc);
		pthread_rwlock_unlock(&sc->mu);
	}
	pthread_rwlock_rdlock(&sc->mu);
	entry *e = find_slot(sc->slots, sc->cap, path, fnv1a(path));
	if (e->path && e->dev == (uint64_t)st->st_dev && e->ino == (uint64_t)st->st_ino &&
	    e->size == (uint64_t)st->st_size && e->mtime_ns == ns_of(&st->st_mtim) &&
	    e->ctime_ns == ns_of(&st->st_ctim)) {
		memcpy(out, e->hash, 65);
		hit = 1;
	}
	pthread_rwlock_unlock(&sc->mu);
	return hit;
}

int weft_statcache_remember(weft_statcache *sc, const char *path, const struct stat *st, const char *hash)
{
	pthread_rwlock_wrlock(&sc->mu);
	load(sc);
	int rc = put(sc, path, NULL, (uint64_t)st->st_dev, (uint64_t)st->st_ino, (uint64_t)st->st_size,
		     ns_of(&st->st_mtim), ns_of(&st->st_ctim), hash);
	sc->dirty = 1;
	pthread_rwlock_unlock(&sc->mu);
	return rc;
}

void weft_statcache_forget(weft_statcache *sc, const char *path)
{
	pthread_rwlock_wrlock(&sc->mu);
	load(sc);
	entry *e = find_slot(sc->slots, sc->cap, path, fnv1a(path));
	if (e->path) {
		/* Mark stale rather than delete: removal would break probe chains. */
		e->size = UINT64_MAX;
		sc->dirty = 1;
	}
	pthread_rwlock_unlock(&sc->mu);
}

void weft_statcache_prune(weft_statcache *sc)
{
	pthread_rwlock_wrlock(&sc->mu);
	load(sc);
	for (size_t i = 0; i < sc->cap; i++) {
		entry *e = &sc->slots[i];
		struct stat st;
		if (e->path && e->size != UINT64_MAX && stat(e->path, &st) != 0 && errno == ENOENT) {
			e->size = UINT64_MAX;
			sc->dirty = 1;
		}
	}
	pthread_rwlock_unlock(&sc->mu);
}

int weft_statcache_hash_file(weft_statcache *sc, const char *path, char out[65], uint64_t *size)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return weft_err_set(WEFT_ENOTFOUND, "cannot stat %s: no such file; check the path (relative paths "
						    "are from the pipeline's directory)", path);
	if (sc && weft_statcache_lookup(sc, path, &st, out)) {
		if (size)
			*size = (uint64_t)st.st_size;
		return WEFT_OK;
	}
	int rc = weft_hash_file(out, path, size);
	if (rc != WEFT_OK)
		return rc;
	/* Re-stat: if the file changed while we read it, do not remember. */
	struct stat st2;
	if (sc && stat(path, &st2) == 0 && st2.st_mtim.tv_nsec == st.st_mtim.tv_nsec &&
	    st2.st_mtim.tv_sec == st.st_mtim.tv_sec && st2.st_size == st.st_size)
		return weft_statcache_remember(sc, path, &st2, out);
	return WEFT_OK;
}
