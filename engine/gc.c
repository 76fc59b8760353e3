/*
 * gc.c -- `weft cache stats` and `weft cache gc --max-size`.
 *
 * Policy: an object's "last used" time is the newest mtime among the action
 * cache entries that reference it (entries are touched on a hit, except in
 * the hour after they were written: cache.c), or its own mtime if none does. Objects referenced by the newest run record of
 * each pipeline are protected, and so are the outputs of every node that a
 * run without a record (a killed run, resumable) finished: its resume takes
 * them from the cache, and gc must not turn finished work into work to do
 * again. Unprotected objects go oldest-used first
 * until the store fits; action cache entries that pointed at a deleted
 * object go with it, so no entry survives that would read as a miss anyway.
 * Materialised trees are derived data and are dropped with their object.
 *
 * Checkpoints (ckpt/<key>/<name>/<step>.json, checkpoint.h): those of a
 * key with no cache entry belong to a node that has not finished -- a
 * killed run's, or a failed one's to be retried -- and are what its
 * resume starts from, so their objects are protected. Those a finished
 * node kept (checkpoints = "last" or "keep") are used as of their
 * manifest's mtime and go like any other object; a manifest whose object
 * went is removed with it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"
#include "context.h"
#include "hash.h"
#include "journal.h"
#include "storelock.h"
#include "cache.h"
#include "util.h"
#include "weft/run.h"
#include "value_jansson.h"

typedef struct obj {
	char hash[65];
	uint64_t size;
	double last_used;
	int protect;
	int deleted;
} obj;

typedef struct objset {
	obj *v;
	size_t n, cap;
} objset;

typedef struct entry {
	char *path; /* a file of the older layout; NULL for an entry in a pack */
	char key[65];
	double mtime;
	json_t *outputs;
} entry;

static int cmp_obj(const void *a, const void *b)
{
	return strcmp(((const obj *)a)->hash, ((const obj *)b)->hash);
}

static obj *find_obj(objset *s, const char *hash)
{
	obj key;
	size_t n = strnlen(hash, 64);
	memcpy(key.hash, hash, n);
	key.hash[n] = '\0';
	return bsearch(&key, s->v, s->n, sizeof *s->v, cmp_obj);
}

static double mtime_of(const struct stat *sb)
{
	return (double)sb->st_mtim.tv_sec + (double)sb->st_mtim.tv_nsec / 1e9;
}

static int scan_objects(objset *s, const char *store_dir)
{
	char *root = weft_path_join(store_dir, "objects");
	DIR *d = root ? opendir(root) : NULL;
	if (!d) {
		free(root);
		return WEFT_OK;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strlen(e->d_name) != 2)
			continue;
		char *sub = weft_path_join(root, e->d_name);
		DIR *sd = sub ? opendir(sub) : NULL;
		struct dirent *f;
		while (sd && (f = readdir(sd))) {
			char hash[65];
			if (strlen(f->d_name) != 62)
				continue;
			memcpy(hash, e->d_name, 2);
			memcpy(hash + 2, f->d_name, 63); /* 62 chars + NUL, length checked */
			if (!weft_hash_is_hex(hash))
				continue;
			char *p = weft_path_join(sub, f->d_name);
			struct stat sb;
			if (p && stat(p, &sb) == 0) {
				if (s->n == s->cap) {
					s->cap = s->cap ? s->cap * 2 : 1024;
					obj *nv = realloc(s->v, s->cap * sizeof *nv);
					if (!nv) {
						free(p);
						break;
					}
					s->v = nv;
				}
				obj *o = &s->v[s->n++];
				memcpy(o->hash, hash, 65);
				o->size = (uint64_t)sb.st_size;
				o->last_used = mtime_of(&sb);
				o->protect = o->deleted = 0;
			}
			free(p);
		}
		if (sd)
			closedir(sd);
		free(sub);
	}
	closedir(d);
	free(root);
	if (s->n)
		qsort(s->v, s->n, sizeof *s->v, cmp_obj);
	return WEFT_OK;
}

/* Calls `fn` on every object hash an output value references, expanding
 * directory trees into their entries. */
static void walk_refs(objset *s, const char *store_dir, json_t *v, void (*fn)(obj *, void *), void *payload,
		      int depth)
{
	if (depth > 64)
		return;
	if (json_is_array(v)) {
		size_t i;
		json_t *it;
		json_array_foreach(v, i, it) walk_refs(s, store_dir, it, fn, payload, depth + 1);
		return;
	}
	if (!json_is_object(v))
		return;
	const char *h = json_string_value(json_object_get(v, "$artifact"));
	if (!h) {
		const char *k;
		json_t *it;
		json_object_foreach(v, k, it) walk_refs(s, store_dir, it, fn, payload, depth + 1);
		return;
	}
	obj *o = weft_hash_is_hex(h) ? find_obj(s, h) : NULL;
	if (o)
		fn(o, payload);
	if (!json_is_true(json_object_get(v, "dir")) || !o)
		return;
	char *path = weft_sprintf("%s/objects/%.2s/%s", store_dir, h, h + 2);
	json_t *tree = path ? json_load_file(path, 0, NULL) : NULL;
	free(path);
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(tree, "entries"), i, e)
	{
		const char *eh = json_string_value(json_object_get(e, "hash"));
		const char *type = json_string_value(json_object_get(e, "type"));
		if (!eh || !type)
			continue;
		json_t *sub = json_pack("{s:s,s:b}", "$artifact", eh, "dir", !strcmp(type, "dir"));
		walk_refs(s, store_dir, sub, fn, payload, depth + 1);
		json_decref(sub);
	}
	json_decref(tree);
}

static void mark_protect(obj *o, void *p)
{
	(void)p;
	o->protect = 1;
}

static void mark_used(obj *o, void *p)
{
	double t = *(double *)p;
	if (t > o->last_used)
		o->last_used = t;
}

static void check_deleted(obj *o, void *p)
{
	if (o->deleted)
		*(int *)p = 1;
}

typedef struct entry_list {
	entry *v;
	size_t n, cap;
} entry_list;

static int entry_push(entry_list *l, char *path, const char *key, double mtime, const weft_value *outs)
{
	json_t *j = weft_value_to_jansson(outs);
	if (j && l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 256;
		entry *nv = realloc(l->v, nc * sizeof *nv);
		if (nv) {
			l->v = nv;
			l->cap = nc;
		}
	}
	if (!j || l->n == l->cap) {
		json_decref(j);
		return 1;
	}
	entry *e = &l->v[l->n++];
	e->path = path;
	snprintf(e->key, sizeof e->key, "%s", key);
	e->mtime = mtime;
	e->outputs = j;
	return 0;
}

static int pack_entry(const char *key, const unsigned char *data, size_t len, void *arg)
{
	weft_value *outs = NULL;
	double when;
	if (weft_cache_decode(&outs, &when, data, len) == WEFT_OK)
		(void)entry_push(arg, NULL, key, when, outs);
	weft_value_free(outs);
	return 0;
}

/* An action-cache entry's key, from its path (ac/<2 hex>/<62 hex>). */
static int entry_key(char key[65], const char *path)
{
	const char *f = strrchr(path, '/');
	if (!f || f - path < 3 || strlen(f + 1) != 62)
		return 0;
	memcpy(key, f - 2, 2);
	memcpy(key + 2, f + 1, 63);
	return 1;
}

/* Every entry: the packs' (newest record of each key) and the older
 * layout's files. */
static int scan_entries(entry **out, size_t *n, const char *store_dir, weft_acpack *packs)
{
	entry_list l = {0};
	(void)weft_acpack_each(packs, pack_entry, &l);
	char *root = weft_path_join(store_dir, "ac");
	DIR *d = root ? opendir(root) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || strlen(e->d_name) != 2)
			continue;
		char *sub = weft_path_join(root, e->d_name);
		DIR *sd = sub ? opendir(sub) : NULL;
		struct dirent *f;
		while (sd && (f = readdir(sd))) {
			if (f->d_name[0] == '.' || strstr(f->d_name, ".tmp."))
				continue;
			char *p = weft_path_join(sub, f->d_name);
			char key[65];
			struct stat sb;
			weft_value *outs = NULL;
			if (p && entry_key(key, p) && stat(p, &sb) == 0 && weft_cache_load_file(&outs, p) == WEFT_OK &&
			    entry_push(&l, p, key, mtime_of(&sb), outs) == 0)
				p = NULL;
			weft_value_free(outs);
			free(p);
		}
		if (sd)
			closedir(sd);
		free(sub);
	}
	if (d)
		closedir(d);
	free(root);
	*out = l.v;
	*n = l.n;
	return WEFT_OK;
}

static void protect_newest_runs(objset *s, const char *store_dir, size_t *runs)
{
	char **ids;
	size_t n;
	*runs = 0;
	if (weft_runs_list(&ids, &n, store_dir) != WEFT_OK)
		return;
	*runs = n;
	json_t *seen = json_object();
	for (size_t i = 0; seen && i < n; i++) {
		weft_run *r;
		if (weft_run_open(&r, store_dir, ids[i]) != WEFT_OK)
			continue;
		const char *pl = weft_run_get_info(r)->pipeline;
		if (*pl && !json_object_get(seen, pl)) {
			json_object_set_new(seen, pl, json_true());
			for (size_t k = 0; k < weft_run_node_count(r); k++) {
				json_t *outs = weft_value_to_jansson(weft_run_node_at(r, k)->outputs);
				walk_refs(s, store_dir, outs, mark_protect, NULL, 0);
				json_decref(outs);
			}
		}
		weft_run_free(r);
	}
	json_decref(seen);
	weft_runs_free(ids, n);
}

static int add_finished(const char *rec, size_t len, void *payload)
{
	json_t *j = json_loadb(rec, len, 0, NULL);
	const char *key = weft_journal_finished_key(j);
	if (key)
		json_object_set_new(payload, key, json_true());
	json_decref(j);
	return 0;
}

/* The keys of the nodes that runs without a record finished. */
static json_t *resumable_keys(const char *store_dir)
{
	json_t *keys = json_object();
	char **ids;
	size_t n;
	if (!keys || weft_runs_list(&ids, &n, store_dir) != WEFT_OK)
		return keys;
	for (size_t i = 0; i < n; i++) {
		if (weft_run_has_record(store_dir, ids[i]))
			continue;
		char *jr = weft_sprintf("%s/runs/%s/journal", store_dir, ids[i]);
		if (jr && access(jr, F_OK) == 0)
			(void)weft_journal_read(jr, add_finished, keys);
		free(jr);
	}
	weft_runs_free(ids, n);
	return keys;
}


typedef struct ckpt_ref {
	char *path; /* the manifest */
	json_t *ref; /* {"$artifact": hash, "dir": b} */
	double mtime;
	int live;    /* its node has not finished: protect */
} ckpt_ref;

static int cache_has(weft_acpack *packs, const char *store_dir, const char *key)
{
	const unsigned char *d;
	size_t len;
	int own;
	if (weft_acpack_get(packs, key, &d, &len, &own) == WEFT_OK)
		return 1;
	char *p = weft_sprintf("%s/ac/%.2s/%s", store_dir, key, key + 2);
	int has = p && access(p, F_OK) == 0;
	free(p);
	return has;
}

typedef struct ckpt_scan {
	const char *store_dir;
	weft_acpack *packs;
	ckpt_ref *v;
	size_t n, cap;
} ckpt_scan;

static void add_ckpt(const weft_ckpt_ref *r, void *arg)
{
	ckpt_scan *cs = arg;
	if (cs->n == cs->cap) {
		size_t nc = cs->cap ? cs->cap * 2 : 64;
		ckpt_ref *nv = realloc(cs->v, nc * sizeof *nv);
		if (!nv)
			return;
		cs->v = nv;
		cs->cap = nc;
	}
	char *path = weft_strdup(r->manifest);
	json_t *ref = json_pack("{s:s,s:b}", "$artifact", r->object, "dir", r->dir);
	if (!path || !ref) {
		free(path);
		json_decref(ref);
		return;
	}
	cs->v[cs->n++] = (ckpt_ref){path, ref, r->mtime, !cache_has(cs->packs, cs->store_dir, r->key)};
}

/* Every checkpoint manifest in the store. */
static void scan_ckpts(ckpt_ref **out, size_t *n, const char *store_dir, weft_acpack *packs)
{
	ckpt_scan cs = {store_dir, packs, NULL, 0, 0};
	(void)weft_ckpt_each(store_dir, add_ckpt, &cs);
	*out = cs.v;
	*n = cs.n;
}

static void free_ckpts(ckpt_ref *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].path);
		json_decref(c[i].ref);
	}
	free(c);
}

static void add_size(obj *o, void *p)
{
	*(uint64_t *)p += o->size;
}

static int cmp_last_used(const void *a, const void *b)
{
	const obj *x = *(const obj *const *)a, *y = *(const obj *const *)b;
	return x->last_used < y->last_used ? -1 : x->last_used > y->last_used;
}

int weft_cache_stats_get(weft_cache_stats *out, const char *store_dir)
{
	objset s = {0};
	entry *es;
	size_t ne;
	memset(out, 0, sizeof *out);
	weft_acpack *packs;
	if (weft_acpack_open(&packs, store_dir) != WEFT_OK)
		return WEFT_ERROR;
	scan_objects(&s, store_dir);
	scan_entries(&es, &ne, store_dir, packs);
	for (size_t i = 0; i < s.n; i++)
		out->object_bytes += s.v[i].size;
	out->objects = s.n;
	out->entries = ne;
	ckpt_ref *cs;
	size_t nc;
	scan_ckpts(&cs, &nc, store_dir, packs);
	out->checkpoints = nc;
	if (nc)
		qsort(s.v, s.n, sizeof *s.v, cmp_obj); /* walk_refs looks objects up */
	for (size_t i = 0; i < nc; i++)
		walk_refs(&s, store_dir, cs[i].ref, add_size, &out->checkpoint_bytes, 0);
	free_ckpts(cs, nc);
	char **ids;
	size_t nr;
	if (weft_runs_list(&ids, &nr, store_dir) == WEFT_OK) {
		out->runs = nr;
		weft_runs_free(ids, nr);
	}
	for (size_t i = 0; i < ne; i++) {
		free(es[i].path);
		json_decref(es[i].outputs);
	}
	free(es);
	free(s.v);
	(void)weft_acpack_close(packs);
	return WEFT_OK;
}

static int keep_live(const char *key, void *dead)
{
	return json_object_get(dead, key) == NULL;
}

int weft_cache_gc(weft_gc_result *out, const char *store_dir, uint64_t max_bytes, int dry_run)
{
	objset s = {0};
	entry *es = NULL;
	size_t ne = 0, runs = 0;
	memset(out, 0, sizeof *out);
	/* Never while a run may read or has just written objects it has not
	 * yet recorded (storelock.h). A dry run deletes nothing. */
	int lock = -1;
	if (!dry_run && weft_store_lock(&lock, store_dir, 1, 0) != WEFT_OK)
		return WEFT_EIO;
	weft_acpack *packs;
	if (weft_acpack_open(&packs, store_dir) != WEFT_OK) {
		weft_store_unlock(lock);
		return WEFT_ERROR;
	}
	json_t *dead_keys = dry_run ? NULL : json_object();
	scan_objects(&s, store_dir);
	scan_entries(&es, &ne, store_dir, packs);
	protect_newest_runs(&s, store_dir, &runs);
	json_t *live = resumable_keys(store_dir);
	for (size_t i = 0; i < ne; i++) {
		if (live && json_object_get(live, es[i].key))
			walk_refs(&s, store_dir, es[i].outputs, mark_protect, NULL, 0);
		walk_refs(&s, store_dir, es[i].outputs, mark_used, &es[i].mtime, 0);
	}
	json_decref(live);
	ckpt_ref *cs;
	size_t nc;
	scan_ckpts(&cs, &nc, store_dir, packs);
	for (size_t i = 0; i < nc; i++)
		walk_refs(&s, store_dir, cs[i].ref, cs[i].live ? mark_protect : mark_used, &cs[i].mtime, 0);
	uint64_t total = 0;
	for (size_t i = 0; i < s.n; i++)
		total += s.v[i].size;
	out->bytes_before = total;
	obj **order = s.n ? malloc(s.n * sizeof *order) : NULL;
	size_t no = 0;
	for (size_t i = 0; order && i < s.n; i++)
		if (!s.v[i].protect)
			order[no++] = &s.v[i];
		else
			out->objects_protected++;
	if (no)
		qsort(order, no, sizeof *order, cmp_last_used);
	for (size_t i = 0; i < no && total > max_bytes; i++) {
		obj *o = order[i];
		char *p = weft_sprintf("%s/objects/%.2s/%s", store_dir, o->hash, o->hash + 2);
		char *t = weft_sprintf("%s/trees/%s", store_dir, o->hash);
		if (p && (dry_run || unlink(p) == 0)) {
			o->deleted = 1;
			total -= o->size;
			out->objects_removed++;
			out->bytes_removed += o->size;
			if (!dry_run && t)
				weft_rm_rf(t);
		}
		free(p);
		free(t);
	}
	for (size_t i = 0; i < ne; i++) {
		int dead = 0;
		walk_refs(&s, store_dir, es[i].outputs, check_deleted, &dead, 0);
		if (dead) {
			if (!dry_run && es[i].path)
				(void)unlink(es[i].path);
			else if (dead_keys && !es[i].path)
				json_object_set_new(dead_keys, es[i].key, json_true());
			out->entries_removed++;
		}
		free(es[i].path);
		json_decref(es[i].outputs);
	}
	for (size_t i = 0; i < nc; i++) {
		int dead = 0;
		walk_refs(&s, store_dir, cs[i].ref, check_deleted, &dead, 0);
		if (dead) {
			if (!dry_run)
				(void)unlink(cs[i].path);
			out->checkpoints_removed++;
		}
	}
	free_ckpts(cs, nc);
	/* Packs change only whole: rewritten without the dropped entries. */
	int rc = WEFT_OK;
	if (dead_keys && json_object_size(dead_keys))
		rc = weft_acpack_rewrite(packs, keep_live, dead_keys);
	json_decref(dead_keys);
	(void)weft_acpack_close(packs);
	out->bytes_after = total;
	free(order);
	free(es);
	free(s.v);
	weft_store_unlock(lock);
	return rc;
}
