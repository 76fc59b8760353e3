/*
 * statcache.c -- open-addressing table from path to stat identity and hash,
 * persisted as text lines "hash size mtime_ns ctime_ns ino dev path".
 * A line that does not parse is dropped: the cache only ever saves work, so
 * losing an entry costs one re-hash and nothing else.
 */
#define _GNU_SOURCE
#include "statcache.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "util.h"

typedef struct entry {
	char *path; /* NULL = empty slot */
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;
	char hash[65];
} entry;

struct weft_statcache {
	char *file;
	entry *slots;
	size_t cap, used;
	int dirty;
	pthread_mutex_t mu;
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static entry *find_slot(entry *slots, size_t cap, const char *path)
{
	size_t i = fnv1a(path) & (cap - 1);
	while (slots[i].path && strcmp(slots[i].path, path))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int grow(weft_statcache *sc)
{
	size_t ncap = sc->cap ? sc->cap * 2 : 1024;
	entry *ns = calloc(ncap, sizeof *ns);
	if (!ns)
		return weft_err_set(WEFT_ERROR, "out of memory");
	for (size_t i = 0; i < sc->cap; i++)
		if (sc->slots[i].path)
			*find_slot(ns, ncap, sc->slots[i].path) = sc->slots[i];
	free(sc->slots);
	sc->slots = ns;
	sc->cap = ncap;
	return WEFT_OK;
}

static int64_t ns_of(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static int put(weft_statcache *sc, const char *path, uint64_t dev, uint64_t ino, uint64_t size, int64_t mt,
	       int64_t ct, const char *hash)
{
	if ((sc->used + 1) * 2 > sc->cap && grow(sc) != WEFT_OK)
		return WEFT_ERROR;
	entry *e = find_slot(sc->slots, sc->cap, path);
	if (!e->path) {
		if (!(e->path = weft_strdup(path)))
			return weft_err_set(WEFT_ERROR, "out of memory");
		sc->used++;
	}
	e->dev = dev;
	e->ino = ino;
	e->size = size;
	e->mtime_ns = mt;
	e->ctime_ns = ct;
	memcpy(e->hash, hash, 65);
	return WEFT_OK;
}

int weft_statcache_open(weft_statcache **out, const char *file)
{
	weft_statcache *sc = calloc(1, sizeof *sc);
	if (!sc || !(sc->file = weft_strdup(file)) || grow(sc) != WEFT_OK) {
		if (sc)
			free(sc->file);
		free(sc);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	pthread_mutex_init(&sc->mu, NULL);
	FILE *f = fopen(file, "r");
	if (f) {
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;
		while ((n = getline(&line, &cap, f)) > 0) {
			char hash[65];
			uint64_t size, ino, dev;
			int64_t mt, ct;
			int off = 0;
			if (line[n - 1] == '\n')
				line[n - 1] = '\0';
			if (sscanf(line, "%64s %" SCNu64 " %" SCNd64 " %" SCNd64 " %" SCNu64 " %" SCNu64 " %n", hash,
				   &size, &mt, &ct, &ino, &dev, &off) != 6 ||
			    off <= 0 || !weft_hash_is_hex(hash) || line[off] != '/')
				continue;
			if (put(sc, line + off, dev, ino, size, mt, ct, hash) != WEFT_OK)
				break;
		}
		free(line);
		fclose(f);
	}
	*out = sc;
	return WEFT_OK;
}

int weft_statcache_save(weft_statcache *sc)
{
	if (!sc || !sc->dirty)
		return WEFT_OK;
	weft_buf b = {0};
	int rc = WEFT_OK;
	pthread_mutex_lock(&sc->mu);
	for (size_t i = 0; i < sc->cap && rc == WEFT_OK; i++) {
		entry *e = &sc->slots[i];
		if (e->path && e->size != UINT64_MAX) /* forgotten entries are not kept */
			rc = weft_buf_printf(&b, "%s %" PRIu64 " %" PRId64 " %" PRId64 " %" PRIu64 " %" PRIu64 " %s\n",
					     e->hash, e->size, e->mtime_ns, e->ctime_ns, e->ino, e->dev, e->path);
	}
	pthread_mutex_unlock(&sc->mu);
	if (rc == WEFT_OK)
		rc = weft_write_file_atomic(sc->file, b.data ? b.data : "", b.len, 0);
	weft_buf_free(&b);
	if (rc == WEFT_OK)
		sc->dirty = 0;
	return rc;
}

void weft_statcache_free(weft_statcache *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->cap; i++)
		free(sc->slots[i].path);
	free(sc->slots);
	free(sc->file);
	pthread_mutex_destroy(&sc->mu);
	free(sc);
}

int weft_statcache_lookup(weft_statcache *sc, const char *path, const struct stat *st, char out[65])
{
	int hit = 0;
	pthread_mutex_lock(&sc->mu);
	entry *e = find_slot(sc->slots, sc->cap, path);
	if (e->path && e->dev == (uint64_t)st->st_dev && e->ino == (uint64_t)st->st_ino &&
	    e->size == (uint64_t)st->st_size && e->mtime_ns == ns_of(&st->st_mtim) &&
	    e->ctime_ns == ns_of(&st->st_ctim)) {
		memcpy(out, e->hash, 65);
		hit = 1;
	}
	pthread_mutex_unlock(&sc->mu);
	return hit;
}

int weft_statcache_remember(weft_statcache *sc, const char *path, const struct stat *st, const char *hash)
{
	pthread_mutex_lock(&sc->mu);
	int rc = put(sc, path, (uint64_t)st->st_dev, (uint64_t)st->st_ino, (uint64_t)st->st_size,
		     ns_of(&st->st_mtim), ns_of(&st->st_ctim), hash);
	sc->dirty = 1;
	pthread_mutex_unlock(&sc->mu);
	return rc;
}

void weft_statcache_forget(weft_statcache *sc, const char *path)
{
	pthread_mutex_lock(&sc->mu);
	entry *e = find_slot(sc->slots, sc->cap, path);
	if (e->path) {
		/* Mark stale rather than delete: removal would break probe chains. */
		e->size = UINT64_MAX;
		sc->dirty = 1;
	}
	pthread_mutex_unlock(&sc->mu);
}

void weft_statcache_prune(weft_statcache *sc)
{
	pthread_mutex_lock(&sc->mu);
	for (size_t i = 0; i < sc->cap; i++) {
		entry *e = &sc->slots[i];
		struct stat st;
		if (e->path && e->size != UINT64_MAX && stat(e->path, &st) != 0 && errno == ENOENT) {
			e->size = UINT64_MAX;
			sc->dirty = 1;
		}
	}
	pthread_mutex_unlock(&sc->mu);
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
