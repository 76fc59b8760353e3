/*
 * store.c -- objects/<aa>/<rest-of-hash>, trees materialised via hard links.
 *
 * Invariant: a path under objects/ always holds bytes whose SHA-256 is its
 * name, or is about to be removed by verification. Writers never modify an
 * object in place; they hash first, then copy to a temp name and rename.
 */
#define _GNU_SOURCE
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "util.h"

/* An object weft_store_has_object just found, with its stat and when. */
#define SEEN_MAX 8
#define SEEN_TTL 0.05 /* seconds */
typedef struct seen_stat {
	char hash[65];
	double at;
	struct stat sb;
} seen_stat;

struct weft_store {
	char *root;
	char *objects;
	size_t objects_len;
	int objects_fd; /* objects/, for stat: a cached node's output check walked the whole path */
	uint64_t fanout_made[4]; /* which objects/<aa>/ directories exist (ensure_fanout) */
	char *trees;
	weft_statcache *sc;
	/* A node's inputs are checked for presence when it is launched and
	 * verified when its op asks for their paths, microseconds later on
	 * the same thread for a split op: the second stat of each input
	 * was one of a cold shell node's ~40 system calls. verify_object
	 * takes a stat from here once, if it is younger than SEEN_TTL. */
	pthread_mutex_t seen_mu;
	seen_stat seen[SEEN_MAX];
	unsigned seen_next;
};

int weft_store_open(weft_store **out, const char *root, weft_statcache *sc)
{
	weft_store *st = calloc(1, sizeof *st);
	if (!st)
		return weft_err_set(WEFT_ERROR, "out of memory");
	/* First, so that every later failure can go through weft_store_free. */
	if (pthread_mutex_init(&st->seen_mu, NULL) != 0) {
		free(st);
		return weft_err_set(WEFT_ERROR, "cannot create the store's lock");
	}
	st->root = weft_strdup(root);
	st->objects = weft_path_join(root, "objects");
	st->trees = weft_path_join(root, "trees");
	st->sc = sc;
	st->objects_fd = -1;
	if (!st->root || !st->objects || !st->trees) {
		weft_store_free(st);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	if (weft_mkdirs(st->objects, 0755) != WEFT_OK || weft_mkdirs(st->trees, 0755) != WEFT_OK) {
		weft_store_free(st);
		return weft_err_wrap(WEFT_EIO, "cannot open store at %s", root);
	}
	st->objects_len = strlen(st->objects);
	/* Only a shortcut: without it, objects are stat'ed by their full path. */
	st->objects_fd = open(st->objects, O_PATH | O_DIRECTORY | O_CLOEXEC);
	*out = st;
	return WEFT_OK;
}

void weft_store_free(weft_store *st)
{
	if (!st)
		return;
	if (st->objects_fd >= 0)
		close(st->objects_fd);
	pthread_mutex_destroy(&st->seen_mu);
	free(st->root);
	free(st->objects);
	free(st->trees);
	free(st);
}

const char *weft_store_root(const weft_store *st)
{
	return st->root;
}

char *weft_store_object_path(const weft_store *st, const char *hash)
{
	size_t hl = strlen(hash);
	if (hl < 2)
		return weft_sprintf("%s/%s", st->objects, hash); /* refused later, with the hash in the message */
	/* By hand: every cached node's output check makes one, and
	 * snprintf cost ten times the copies. */
	char *p = malloc(st->objects_len + hl + 3);
	if (!p)
		return NULL;
	memcpy(p, st->objects, st->objects_len);
	char *o = p + st->objects_len;
	*o++ = '/';
	*o++ = hash[0];
	*o++ = hash[1];
	*o++ = '/';
	memcpy(o, hash + 2, hl - 1); /* with its NUL */
	return p;
}

/* `obj` (from weft_store_object_path) as a name under objects_fd, for the
 * *at calls: the walk of the store's own path is then skipped. */
static const char *obj_rel(const weft_store *st, const char *obj, int *dirfd)
{
	if (st->objects_fd < 0 || strlen(obj) <= st->objects_len + 1) {
		*dirfd = AT_FDCWD;
		return obj;
	}
	*dirfd = st->objects_fd;
	return obj + st->objects_len + 1;
}

int weft_store_has_object(weft_store *st, const char *hash)
{
	char *obj = weft_store_object_path(st, hash);
	int dfd = AT_FDCWD;
	const char *rel = obj ? obj_rel(st, obj, &dfd) : NULL;
	struct stat sb;
	int has = rel && fstatat(dfd, rel, &sb, 0) == 0;
	free(obj);
	if (has && strlen(hash) == 64) {
		pthread_mutex_lock(&st->seen_mu);
		seen_stat *e = &st->seen[st->seen_next++ % SEEN_MAX];
		memcpy(e->hash, hash, 65);
		e->at = weft_now();
		e->sb = sb;
		pthread_mutex_unlock(&st->seen_mu);
	}
	return has;
}

/* The stat weft_store_has_object saw of `hash` less than SEEN_TTL ago,
 * taken (each is used once): 1 and *sb, or 0. */
static int seen_take(weft_store *st, const char *hash, struct stat *sb)
{
	int got = 0;
	pthread_mutex_lock(&st->seen_mu);
	for (int i = 0; i < SEEN_MAX && !got; i++) {
		seen_stat *e = &st->seen[i];
		if (e->hash[0] && !strcmp(e->hash, hash)) {
			got = weft_now() - e->at < SEEN_TTL;
			if (got)
				*sb = e->sb;
			e->hash[0] = '\0';
		}
	}
	pthread_mutex_unlock(&st->seen_mu);
	return got;
}

static int hexdigit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* objects/<first two hex digits>/ exists: made, or found, once per store
 * handle. A mkdir before every new object failed with EEXIST three times
 * in four on a cold shell DAG. Op threads adopt objects at once, hence
 * the atomic bits; gc never removes a fan-out directory. */
static int ensure_fanout(weft_store *st, const char *hash)
{
	int hi = hexdigit(hash[0]), lo = hi < 0 ? -1 : hexdigit(hash[1]);
	unsigned idx = lo < 0 ? 0 : (unsigned)(hi << 4 | lo);
	uint64_t bit = (uint64_t)1 << (idx & 63);
	if (lo >= 0 && (__atomic_load_n(&st->fanout_made[idx >> 6], __ATOMIC_RELAXED) & bit))
		return WEFT_OK;
	char *dir = weft_sprintf("%s/%.2s", st->objects, hash);
	if (!dir)
		return weft_err_set(WEFT_ERROR, "out of memory");
	int rc = weft_mkdirs(dir, 0755);
	free(dir);
	if (rc == WEFT_OK && lo >= 0)
		__atomic_fetch_or(&st->fanout_made[idx >> 6], bit, __ATOMIC_RELAXED);
	return rc;
}

static int hash_chunk(void *h, const void *data, size_t len)
{
	return weft_hasher_update(h, data, len) != WEFT_OK;
}

/* Copies src into the store, hashing what it copies: one read, one write
 * and one hash, where hashing first, copying, and then verifying the
 * object on its first checkout read it three times (on a lake of 1,000
 * tables a tenth of the run was that SHA-256). The object's stat is
 * remembered with its hash, so checking it out does not hash it again;
 * src's too, when it did not change while read. `expect`, when known
 * (the stat cache had src), must be what was copied. */
/* Whether a file read whole (`bytes` of it) kept its size and mtime from
 * the stat before the read (s0) to the one after (s1). */
static int unchanged(const struct stat *s0, const struct stat *s1, uint64_t bytes)
{
	return s1->st_size == s0->st_size && (uint64_t)s1->st_size == bytes &&
	       s1->st_mtim.tv_sec == s0->st_mtim.tv_sec && s1->st_mtim.tv_nsec == s0->st_mtim.tv_nsec;
}

static int stream_in(weft_store *st, const char *src, const char *expect, char hash[65], uint64_t *size)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return weft_err_set(WEFT_EIO, "cannot open %s: %s", src, strerror(errno));
	struct stat s0, s1;
	char *incoming = weft_path_join(st->objects, "incoming"), *tmp = NULL;
	weft_hasher *h = weft_hasher_new();
	int out = -1, rc = WEFT_OK;
	if (!incoming || !h)
		rc = weft_err_set(WEFT_ERROR, "out of memory");
	else if (fstat(in, &s0) != 0)
		rc = weft_err_set(WEFT_EIO, "cannot stat %s: %s", src, strerror(errno));
	else if ((out = weft_atomic_open(incoming, &tmp)) < 0)
		rc = out; /* its message is set */
	uint64_t total = 0;
	if (rc == WEFT_OK && weft_copy_fd(in, out, hash_chunk, h, &total) != 0)
		rc = weft_err_set(WEFT_EIO, "cannot store %s: %s", src, strerror(errno));
	int same = rc == WEFT_OK && fstat(in, &s1) == 0 && unchanged(&s0, &s1, total);
	close(in);
	if (rc == WEFT_OK) { /* final frees the hasher */
		int fin = weft_hasher_final(h, hash);
		h = NULL;
		if (fin != WEFT_OK || fchmod(out, 0444) != 0)
			rc = weft_err_set(WEFT_EIO, "cannot store %s", src);
	}
	if (rc == WEFT_OK && (!same || (expect && strcmp(expect, hash))))
		rc = weft_err_set(WEFT_EIO, "%s changed while it was being stored; run again once nothing writes it",
				  src);
	if (rc == WEFT_OK && close(out) != 0)
		rc = weft_err_set(WEFT_EIO, "cannot write %s: %s", tmp, strerror(errno));
	else if (rc != WEFT_OK && out >= 0)
		close(out);
	out = -1;
	char *obj = rc == WEFT_OK ? weft_store_object_path(st, hash) : NULL;
	struct stat so;
	if (rc == WEFT_OK && !obj)
		rc = weft_err_set(WEFT_ERROR, "out of memory");
	if (rc == WEFT_OK && stat(obj, &so) == 0) {
		unlink(tmp); /* deduplicated; the object there is verified on use */
	} else if (rc == WEFT_OK) {
		if ((rc = ensure_fanout(st, hash)) == WEFT_OK && rename(tmp, obj) != 0)
			rc = weft_err_set(WEFT_EIO, "cannot rename to %s: %s", obj, strerror(errno));
		if (rc == WEFT_OK && st->sc && stat(obj, &so) == 0)
			rc = weft_statcache_remember(st->sc, obj, &so, hash);
	}
	if (rc != WEFT_OK && tmp)
		unlink(tmp);
	/* The source is worth remembering when it outlives the run: not an
	 * output in a node's work directory, removed when the node ends. */
	size_t rl = strlen(st->root);
	int work_file = !strncmp(src, st->root, rl) && src[rl] == '/' &&
			!strncmp(src + rl + 1, WEFT_STORE_TMP "/", sizeof WEFT_STORE_TMP);
	if (rc == WEFT_OK && !expect && st->sc && !work_file)
		rc = weft_statcache_remember(st->sc, src, &s1, hash);
	if (size)
		*size = total;
	weft_hasher_free(h);
	free(obj);
	free(tmp);
	free(incoming);
	return rc;
}

/* A regular file into the store: by its remembered hash when the stat
 * cache knows it and the object is there, else streamed in. */
static int import_file(weft_store *st, const char *path, char hash[65], uint64_t *size)
{
	struct stat sb;
	if (stat(path, &sb) != 0)
		return weft_err_set(WEFT_ENOTFOUND, "cannot stat %s: no such file; check the path (relative paths "
						    "are from the pipeline's directory)", path);
	if (st->sc && weft_statcache_lookup(st->sc, path, &sb, hash)) {
		char *obj = weft_store_object_path(st, hash);
		struct stat so;
		int have = obj && stat(obj, &so) == 0;
		free(obj);
		if (have) {
			if (size)
				*size = (uint64_t)sb.st_size;
			return WEFT_OK;
		}
		char known[65];
		memcpy(known, hash, sizeof known);
		return stream_in(st, path, known, hash, size);
	}
	return stream_in(st, path, NULL, hash, size);
}

int weft_store_put_bytes(weft_store *st, const void *data, size_t len, char hash[65])
{
	if (weft_hash_bytes(hash, data, len) != WEFT_OK)
		return WEFT_ERROR;
	char *obj = weft_store_object_path(st, hash);
	if (!obj)
		return weft_err_set(WEFT_ERROR, "out of memory");
	int rc = WEFT_OK;
	struct stat sb;
	if (stat(obj, &sb) != 0) {
		if ((rc = ensure_fanout(st, hash)) == WEFT_OK)
			rc = weft_write_file_atomic(obj, data, len, 0);
		if (rc == WEFT_OK && chmod(obj, 0444) != 0)
			rc = weft_err_set(WEFT_EIO, "cannot chmod %s: %s; check that you own the store",
					  obj, strerror(errno));
	}
	free(obj);
	return rc;
}

struct weft_import {
	weft_store *st;
	int fd;
	char *tmp;
	weft_hasher *h;
	uint64_t size;
};

int weft_store_writer_open(weft_store_writer **out, weft_store *st)
{
	weft_store_writer *w = calloc(1, sizeof *w);
	/* a dot name beside the fan-out directories: gc and verification
	 * skip it, and the rename stays on one filesystem */
	char *base = weft_path_join(st->objects, ".import");
	if (!w || !base || !(w->h = weft_hasher_new())) {
		free(base);
		if (w)
			weft_hasher_free(w->h);
		free(w);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	w->st = st;
	w->fd = weft_atomic_open(base, &w->tmp);
	free(base);
	if (w->fd < 0) {
		int rc = w->fd;
		weft_hasher_free(w->h);
		free(w);
		return rc;
	}
	*out = w;
	return WEFT_OK;
}

int weft_store_writer_write(weft_store_writer *w, const void *data, size_t len)
{
	if (weft_hasher_update(w->h, data, len) != WEFT_OK)
		return WEFT_ERROR;
	if (weft_write_all(w->fd, data, len) != 0)
		return weft_err_set(WEFT_EIO, "cannot write to the store (%s): %s; free some space or run `weft cache "
					      "gc`",
				    w->tmp, strerror(errno));
	w->size += len;
	return WEFT_OK;
}

void weft_store_writer_abort(weft_store_writer *w)
{
	if (!w)
		return;
	weft_atomic_abort(w->fd, w->tmp);
	weft_hasher_free(w->h);
	free(w->tmp);
	free(w);
}

int weft_store_writer_commit(weft_store_writer *w, char hash[65], uint64_t *size)
{
	int rc = weft_hasher_final(w->h, hash);
	w->h = NULL;
	char *obj = rc == WEFT_OK ? weft_store_object_path(w->st, hash) : NULL;
	struct stat sb;
	if (rc != WEFT_OK || !obj) {
		rc = rc != WEFT_OK ? rc : weft_err_set(WEFT_ERROR, "out of memory");
	} else if (stat(obj, &sb) == 0) {
		weft_atomic_abort(w->fd, w->tmp); /* already stored */
		w->fd = -1;
	} else if ((rc = ensure_fanout(w->st, hash)) == WEFT_OK) {
		if (fchmod(w->fd, 0444) != 0) {
			rc = weft_err_set(WEFT_EIO, "cannot chmod %s: %s", w->tmp, strerror(errno));
		} else {
			rc = weft_atomic_commit(w->fd, w->tmp, obj, 0); /* closes; unlinks on failure */
			w->fd = -1;
		}
	}
	if (rc == WEFT_OK)
		*size = w->size;
	if (w->fd >= 0)
		weft_atomic_abort(w->fd, w->tmp);
	free(obj);
	free(w->tmp);
	free(w);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Builds the tree object for `dir`; total file bytes go to `*size`. */
static int import_dir(weft_store *st, const char *dir, char hash[65], uint64_t *size, int depth)
{
	if (depth > 256)
		return weft_err_set(WEFT_EINVALID, "directory nesting too deep at %s; a directory artifact may nest "
						   "256 levels",
				    dir);
	DIR *d = opendir(dir);
	if (!d)
		return weft_err_set(WEFT_EIO, "cannot open directory %s: %s; check its permissions",
				    dir, strerror(errno));
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	int rc = WEFT_OK;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nn = realloc(names, cap * sizeof *nn);
			if (!nn) {
				rc = weft_err_set(WEFT_ERROR, "out of memory");
				break;
			}
			names = nn;
		}
		if (!(names[n] = weft_strdup(e->d_name))) {
			rc = weft_err_set(WEFT_ERROR, "out of memory");
			break;
		}
		n++;
	}
	closedir(d);
	if (rc == WEFT_OK && n)
		qsort(names, n, sizeof *names, cmp_names);
	json_t *entries = json_array();
	*size = 0;
	for (size_t i = 0; rc == WEFT_OK && i < n; i++) {
		char *child = weft_path_join(dir, names[i]);
		struct stat sb;
		char h[65];
		uint64_t sz = 0;
		if (!child || lstat(child, &sb) != 0) {
			rc = weft_err_set(WEFT_EIO, "cannot stat %s; check that it exists and is readable",
					  child ? child : names[i]);
		} else if (S_ISDIR(sb.st_mode)) {
			rc = import_dir(st, child, h, &sz, depth + 1);
			if (rc == WEFT_OK)
				json_array_append_new(entries, json_pack("{s:s,s:s,s:s,s:I}", "name", names[i], "type",
									 "dir", "hash", h, "size", (json_int_t)sz));
		} else if (S_ISREG(sb.st_mode)) {
			rc = import_file(st, child, h, &sz);
			if (rc == WEFT_OK)
				json_array_append_new(entries,
						      json_pack("{s:s,s:s,s:s,s:I,s:b}", "name", names[i], "type", "file",
								"hash", h, "size", (json_int_t)sz, "exec",
								(sb.st_mode & 0111) != 0));
		} else {
			rc = weft_err_set(WEFT_EINVALID,
					  "%s is not a regular file or directory (symlinks and devices cannot be "
					  "stored; copy the target instead)",
					  child);
		}
		*size += sz;
		free(child);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc == WEFT_OK) {
		json_t *tree = json_pack("{s:i,s:o}", "weft_tree", 1, "entries", entries);
		char *text = json_dumps(tree, JSON_SORT_KEYS | JSON_COMPACT);
		json_decref(tree);
		rc = text ? weft_store_put_bytes(st, text, strlen(text), hash)
			  : weft_err_set(WEFT_ERROR, "out of memory");
		free(text);
	} else {
		json_decref(entries);
	}
	return rc;
}

int weft_store_adopt(weft_value **out, weft_store *st, const char *path)
{
	return weft_store_adopt_at(out, st, AT_FDCWD, path, path);
}

/* Moves the file `name` of dirfd (open as fd, stat s0) to the object
 * rel of dfd: read-only first, as every object is, then the name moves,
 * so the bytes are never copied. An object already there is kept (*have;
 * it is verified on use) and the file keeps its mode. The rename refuses
 * to replace, which answers "already there?" in the same call: a stat
 * first was a twentieth of a cold shell DAG's loop. A rename that cannot
 * be done at all (another file system) leaves both at 0: the caller
 * copies. */
static int move_in(weft_store *st, const char *hash, int fd, const struct stat *s0, int dirfd, const char *name,
		   int dfd, const char *rel, int *moved, int *have)
{
	if (fchmod(fd, 0444) != 0)
		return WEFT_OK;
	int r = weft_rename_noreplace(dirfd, name, dfd, rel);
	if (r != 0 && errno == ENOENT) {
		/* The object's objects/<aa>/ is made on the first miss only. */
		int rc = ensure_fanout(st, hash);
		if (rc != WEFT_OK)
			return rc;
		r = weft_rename_noreplace(dirfd, name, dfd, rel);
	}
	if (r == 0) {
		*moved = 1;
		return WEFT_OK;
	}
	*have = errno == EEXIST;
	(void)fchmod(fd, s0->st_mode & 07777);
	return WEFT_OK;
}

int weft_store_adopt_at(weft_value **out, weft_store *st, int dirfd, const char *name, const char *path)
{
	struct stat s0, s1;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &s0) != 0 || !S_ISREG(s0.st_mode) || s0.st_nlink != 1) {
		/* Not a file of its own (a directory, a link, a file with other
		 * names): stored as a copy, as weft_store_import does. */
		if (fd >= 0)
			close(fd);
		return weft_store_import(out, st, path);
	}
	char hash[65];
	uint64_t size = 0;
	int rc = weft_hash_fd_known(hash, fd, (uint64_t)s0.st_size, &size);
	if (rc == WEFT_EIO) {
		char why[256]; /* the message is rewritten in its own buffer */
		snprintf(why, sizeof why, "%s", weft_error_last());
		rc = weft_err_set(WEFT_EIO, "cannot read %s: %s", path, why);
	}
	if (rc == WEFT_OK && (fstat(fd, &s1) != 0 || !unchanged(&s0, &s1, size)))
		rc = weft_err_set(WEFT_EIO, "%s changed while it was being stored; run again once nothing writes it",
				  path);
	char *obj = rc == WEFT_OK ? weft_store_object_path(st, hash) : NULL;
	if (rc == WEFT_OK && !obj)
		rc = weft_err_set(WEFT_ERROR, "out of memory");
	int dfd = AT_FDCWD;
	const char *rel = obj ? obj_rel(st, obj, &dfd) : NULL;
	int moved = 0, have = 0;
	if (rc == WEFT_OK)
		rc = move_in(st, hash, fd, &s0, dirfd, name, dfd, rel, &moved, &have);
	if (rc == WEFT_OK && moved) {
		struct stat so;
		if (st->sc && fstat(fd, &so) == 0)
			rc = weft_statcache_remember(st->sc, obj, &so, hash);
	}
	close(fd);
	free(obj);
	if (rc == WEFT_OK && !moved && !have)
		return weft_store_import(out, st, path); /* not movable: copied */
	if (rc != WEFT_OK)
		return rc;
	*out = weft_value_artifact(hash, 0, size);
	return *out ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
}

int weft_store_import(weft_value **out, weft_store *st, const char *path)
{
	struct stat sb;
	if (stat(path, &sb) != 0)
		return weft_err_set(WEFT_ENOTFOUND, "%s does not exist; check the path (relative paths are from the "
						    "pipeline's directory)", path);
	char hash[65];
	uint64_t size = 0;
	int rc, is_dir = S_ISDIR(sb.st_mode);
	if (is_dir)
		rc = import_dir(st, path, hash, &size, 0);
	else if (S_ISREG(sb.st_mode))
		rc = import_file(st, path, hash, &size);
	else
		rc = weft_err_set(WEFT_EINVALID, "%s is neither a regular file nor a directory (a device, FIFO or "
						 "socket cannot be stored); copy its content into a file", path);
	if (rc != WEFT_OK)
		return rc;
	*out = weft_value_artifact(hash, is_dir, size);
	return *out ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
}

/* Checks one object's bytes against its name, trusting the stat cache when
 * the object has not changed since it was last verified. */
static int verify_object(weft_store *st, const char *hash)
{
	char *obj = weft_store_object_path(st, hash);
	if (!obj)
		return weft_err_set(WEFT_ERROR, "out of memory");
	struct stat sb;
	char got[65];
	int rc = WEFT_OK;
	int dfd;
	const char *rel = obj_rel(st, obj, &dfd);
	if (!seen_take(st, hash, &sb) && fstatat(dfd, rel, &sb, 0) != 0) {
		rc = weft_err_set(WEFT_ENOTFOUND, "object %.12s is missing from the store (removed by gc or by "
						  "hand); rerun the nodes that made it (`weft run --force`)", hash);
		goto cleanup;
	}
	if (weft_statcache_lookup(st->sc, obj, &sb, got) && !strcmp(got, hash))
		goto cleanup;
	if (weft_hash_file(got, obj, NULL) != WEFT_OK || strcmp(got, hash)) {
		/* Never hand out corrupt bytes: drop the object so it is rebuilt. */
		(void)chmod(obj, 0644);
		(void)unlink(obj);
		weft_statcache_forget(st->sc, obj);
		rc = weft_err_set(WEFT_ENOTFOUND, "object %.12s was corrupt (content hash %.12s); removed it",
				  hash, got);
		goto cleanup;
	}
	rc = weft_statcache_remember(st->sc, obj, &sb, hash);
cleanup:
	free(obj);
	return rc;
}

static int load_tree(weft_store *st, const char *hash, json_t **out)
{
	char *obj = weft_store_object_path(st, hash), *text = NULL;
	size_t len;
	if (!obj)
		return weft_err_set(WEFT_ERROR, "out of memory");
	int rc = weft_read_file(obj, &text, &len);
	free(obj);
	if (rc != WEFT_OK)
		return WEFT_ENOTFOUND;
	json_error_t je;
	*out = json_loadb(text, len, 0, &je);
	free(text);
	if (!*out || !json_is_array(json_object_get(*out, "entries"))) {
		json_decref(*out);
		return weft_err_set(WEFT_ENOTFOUND, "tree object %.12s is malformed", hash);
	}
	return WEFT_OK;
}

static int valid_entry_name(const char *name)
{
	return name && *name && strcmp(name, ".") && strcmp(name, "..") && !strchr(name, '/');
}

static int verify_tree(weft_store *st, const char *hash, int depth)
{
	if (depth > 256)
		return weft_err_set(WEFT_EINVALID, "tree %.12s nests too deep", hash);
	int rc = verify_object(st, hash);
	if (rc != WEFT_OK)
		return rc;
	json_t *tree;
	if ((rc = load_tree(st, hash, &tree)) != WEFT_OK)
		return rc;
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(tree, "entries"), i, e)
	{
		const char *h = json_string_value(json_object_get(e, "hash"));
		const char *type = json_string_value(json_object_get(e, "type"));
		if (!weft_hash_is_hex(h) || !type || !valid_entry_name(json_string_value(json_object_get(e, "name")))) {
			rc = weft_err_set(WEFT_ENOTFOUND, "tree %.12s has a malformed entry", hash);
			break;
		}
		rc = !strcmp(type, "dir") ? verify_tree(st, h, depth + 1) : verify_object(st, h);
		if (rc != WEFT_OK)
			break;
	}
	json_decref(tree);
	return rc;
}

int weft_store_verify(weft_store *st, const weft_value *artifact)
{
	const char *hash = weft_value_artifact_hash(artifact);
	if (!hash)
		return weft_err_set(WEFT_EINVALID, "not an artifact");
	return weft_value_artifact_is_dir(artifact) ? verify_tree(st, hash, 0) : verify_object(st, hash);
}

/* Materialises tree `hash` at `dest` (which must not exist). */
static int materialise(weft_store *st, const char *hash, const char *dest, int depth)
{
	json_t *tree;
	int rc = load_tree(st, hash, &tree);
	if (rc != WEFT_OK)
		return rc;
	if (mkdir(dest, 0755) != 0) {
		json_decref(tree);
		return weft_err_set(WEFT_EIO, "cannot create %s: %s; check that the store is writable and its disk "
					      "has space", dest, strerror(errno));
	}
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(tree, "entries"), i, e)
	{
		const char *name = json_string_value(json_object_get(e, "name"));
		const char *h = json_string_value(json_object_get(e, "hash"));
		const char *type = json_string_value(json_object_get(e, "type"));
		if (!valid_entry_name(name) || !weft_hash_is_hex(h) || !type) {
			rc = weft_err_set(WEFT_EINVALID, "tree %.12s has a malformed entry", hash);
			break;
		}
		char *child = weft_path_join(dest, name);
		if (!child) {
			rc = weft_err_set(WEFT_ERROR, "out of memory");
			break;
		}
		if (!strcmp(type, "dir")) {
			rc = materialise(st, h, child, depth + 1);
		} else {
			char *obj = weft_store_object_path(st, h);
			int exec = json_is_true(json_object_get(e, "exec"));
			/* Executables need their own inode for mode bits; others share. */
			if (!obj)
				rc = weft_err_set(WEFT_ERROR, "out of memory");
			else if (exec || link(obj, child) != 0)
				rc = weft_copy_file_atomic(obj, child, exec ? 0555 : 0444);
			free(obj);
		}
		free(child);
		if (rc != WEFT_OK)
			break;
	}
	json_decref(tree);
	if (rc == WEFT_OK)
		(void)chmod(dest, 0555);
	return rc;
}

int weft_store_checkout(char **out_path, weft_store *st, const weft_value *artifact)
{
	const char *hash = weft_value_artifact_hash(artifact);
	if (!hash)
		return weft_err_set(WEFT_EINVALID, "not an artifact");
	int rc = weft_store_verify(st, artifact);
	if (rc != WEFT_OK)
		return rc;
	if (!weft_value_artifact_is_dir(artifact)) {
		*out_path = weft_store_object_path(st, hash);
		return *out_path ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
	}
	char *dest = weft_path_join(st->trees, hash);
	if (!dest)
		return weft_err_set(WEFT_ERROR, "out of memory");
	struct stat sb;
	if (stat(dest, &sb) == 0) {
		*out_path = dest;
		return WEFT_OK;
	}
	/* Build beside the final name, then rename: concurrent checkouts of the
	 * same tree race harmlessly, the loser's copy is removed. */
	char *tmp = weft_sprintf("%s.tmp.%d.%p", dest, (int)getpid(), (void *)&sb);
	if (!tmp) {
		free(dest);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	rc = materialise(st, hash, tmp, 0);
	if (rc == WEFT_OK && rename(tmp, dest) != 0 && stat(dest, &sb) != 0)
		rc = weft_err_set(WEFT_EIO, "cannot rename %s: %s; check that the store is writable",
				  tmp, strerror(errno));
	weft_rm_rf(tmp);
	free(tmp);
	if (rc != WEFT_OK) {
		free(dest);
		return rc;
	}
	*out_path = dest;
	return WEFT_OK;
}
