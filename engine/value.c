/*
 * value.c -- the typed value tree nodes exchange, and its canonical encoding.
 *
 * Invariants:
 *   - Map keys are unique and kept sorted by byte order, so iteration order
 *     and the canonical encoding never depend on insertion order.
 *   - The canonical encoding is a tagged, length-prefixed byte string; its
 *     SHA-256 is the value's hash. It is stable across runs and machines:
 *     integers and lengths are big-endian, floats are IEEE-754 bits with -0
 *     folded to +0 and every NaN folded to one pattern.
 *   - Refs exist only inside graph templates and are never hashed.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "util.h"
#include "value_internal.h"

_Static_assert(sizeof(void *) != 8 || sizeof(struct weft_value) == 40, "a value is 40 bytes, a 48-byte block");

/* malloc and a zeroed struct, not calloc: calloc clears the block through
 * a memset call, which was 70 instructions a value, twice the malloc. */
static weft_value *alloc_value(weft_type t)
{
	weft_value *v = malloc(sizeof *v);
	if (v)
		*v = (weft_value){.type = t};
	return v;
}

weft_value *weft_value_null(void)
{
	return alloc_value(WEFT_T_NULL);
}

weft_value *weft_value_bool(int b)
{
	weft_value *v = alloc_value(WEFT_T_BOOL);
	if (v)
		v->u.b = b ? 1 : 0;
	return v;
}

weft_value *weft_value_int(int64_t i)
{
	weft_value *v = alloc_value(WEFT_T_INT);
	if (v)
		v->u.i = i;
	return v;
}

weft_value *weft_value_float(double d)
{
	weft_value *v = alloc_value(WEFT_T_FLOAT);
	if (v)
		v->u.f = d;
	return v;
}

weft_value *weft_value_string(const char *s, size_t len)
{
	if (!s)
		len = 0;
	if (len > SIZE_MAX - sizeof(weft_value) - 1)
		return NULL;
	/* The bytes follow the value in its block: one allocation, not two. */
	weft_value *v = malloc(sizeof *v + len + 1);
	if (!v)
		return NULL;
	*v = (weft_value){.type = WEFT_T_STRING};
	v->u.s.ptr = (char *)(v + 1);
	if (len)
		memcpy(v->u.s.ptr, s, len);
	v->u.s.ptr[len] = '\0';
	v->u.s.len = len;
	return v;
}

weft_value *weft_value_cstr(const char *s)
{
	return weft_value_string(s, s ? strlen(s) : 0);
}

weft_value *weft_value_list(void)
{
	return alloc_value(WEFT_T_LIST);
}

weft_value *weft_value_map(void)
{
	return alloc_value(WEFT_T_MAP);
}

weft_value *weft_value_artifact(const char *hash, int is_dir, uint64_t size)
{
	if (!weft_hash_is_hex(hash))
		return NULL;
	weft_value *v = malloc(sizeof *v + 65);
	if (!v)
		return NULL;
	*v = (weft_value){.type = WEFT_T_ARTIFACT};
	v->u.a.hash = (char *)(v + 1);
	memcpy(v->u.a.hash, hash, 65);
	v->u.a.is_dir = is_dir ? 1 : 0;
	v->u.a.size = size;
	return v;
}

weft_value *weft_value_ref(uint32_t node_id, const char *output)
{
	weft_value *v = alloc_value(WEFT_T_REF);
	if (!v)
		return NULL;
	v->u.r.node = node_id;
	if (output && !(v->u.r.output = weft_strdup(output))) {
		free(v);
		return NULL;
	}
	return v;
}

weft_value *weft_value_ref_name(const char *name, const char *file, int line)
{
	weft_value *v = alloc_value(WEFT_T_REF);
	if (!v)
		return NULL;
	v->u.r.node = UINT32_MAX;
	v->u.r.name = weft_strdup(name);
	v->u.r.file = file ? weft_strdup(file) : NULL;
	v->u.r.line = line;
	if (!v->u.r.name) {
		weft_value_free(v);
		return NULL;
	}
	return v;
}

weft_value *weft_value_ref_name_output(const char *name, const char *output, const char *file, int line)
{
	weft_value *v = weft_value_ref_name(name, file, line);
	/* an output set before binding is an explicit one (graph.c) */
	if (v && output && !(v->u.r.output = weft_strdup(output))) {
		weft_value_free(v);
		return NULL;
	}
	return v;
}

weft_type weft_value_type(const weft_value *v)
{
	return v ? v->type : WEFT_T_NULL;
}

int weft_value_get_bool(const weft_value *v)
{
	return v && v->type == WEFT_T_BOOL ? v->u.b : 0;
}

int64_t weft_value_get_int(const weft_value *v)
{
	if (!v)
		return 0;
	if (v->type == WEFT_T_INT)
		return v->u.i;
	if (v->type == WEFT_T_FLOAT)
		return (int64_t)v->u.f;
	return 0;
}

double weft_value_get_float(const weft_value *v)
{
	if (!v)
		return 0;
	if (v->type == WEFT_T_FLOAT)
		return v->u.f;
	if (v->type == WEFT_T_INT)
		return (double)v->u.i;
	return 0;
}

const char *weft_value_get_string(const weft_value *v, size_t *len)
{
	if (!v || v->type != WEFT_T_STRING) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (len)
		*len = v->u.s.len;
	return v->u.s.ptr;
}

size_t weft_value_len(const weft_value *v)
{
	if (!v)
		return 0;
	if (v->type == WEFT_T_LIST)
		return v->u.l.len;
	if (v->type == WEFT_T_MAP)
		return v->u.m.len;
	if (v->type == WEFT_T_STRING)
		return v->u.s.len;
	return 0;
}

const weft_value *weft_value_list_at(const weft_value *v, size_t i)
{
	if (!v || v->type != WEFT_T_LIST || i >= v->u.l.len)
		return NULL;
	return v->u.l.items[i];
}

/* Binary search; returns the index where `key` is or would be inserted. */
static size_t map_find(const weft_value *m, const char *key, int *found)
{
	size_t lo = 0, hi = m->u.m.len;
	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m->u.m.keys[mid], key);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const weft_value *weft_value_map_get(const weft_value *v, const char *key)
{
	if (!v || v->type != WEFT_T_MAP || !key)
		return NULL;
	int found;
	size_t i = map_find(v, key, &found);
	return found ? v->u.m.vals[i] : NULL;
}

const char *weft_value_map_key_at(const weft_value *v, size_t i)
{
	if (!v || v->type != WEFT_T_MAP || i >= v->u.m.len)
		return NULL;
	return v->u.m.keys[i];
}

const weft_value *weft_value_map_value_at(const weft_value *v, size_t i)
{
	if (!v || v->type != WEFT_T_MAP || i >= v->u.m.len)
		return NULL;
	return v->u.m.vals[i];
}

const char *weft_value_artifact_hash(const weft_value *v)
{
	return v && v->type == WEFT_T_ARTIFACT ? v->u.a.hash : NULL;
}

int weft_value_artifact_is_dir(const weft_value *v)
{
	return v && v->type == WEFT_T_ARTIFACT ? v->u.a.is_dir : 0;
}

uint64_t weft_value_artifact_size(const weft_value *v)
{
	return v && v->type == WEFT_T_ARTIFACT ? v->u.a.size : 0;
}

uint32_t weft_value_ref_node(const weft_value *v)
{
	return v && v->type == WEFT_T_REF ? v->u.r.node : UINT32_MAX;
}

const char *weft_value_ref_output(const weft_value *v)
{
	return v && v->type == WEFT_T_REF ? v->u.r.output : NULL;
}

const char *weft_value_ref_name_get(const weft_value *v)
{
	return v && v->type == WEFT_T_REF ? v->u.r.name : NULL;
}

int weft_value_list_push(weft_value *list, weft_value *item)
{
	if (!item)
		return weft_err_set(WEFT_ERROR, "out of memory");
	if (!list || list->type != WEFT_T_LIST) {
		weft_value_free(item);
		return weft_err_set(WEFT_EINVALID, "list_push on a non-list value; push onto a value made with weft_value_list");
	}
	if (list->u.l.len == list->u.l.cap) {
		size_t cap = list->u.l.cap ? list->u.l.cap * 2 : 4;
		weft_value **p = realloc(list->u.l.items, cap * sizeof *p);
		if (!p) {
			weft_value_free(item);
			return weft_err_set(WEFT_ERROR, "out of memory");
		}
		list->u.l.items = p;
		list->u.l.cap = cap;
	}
	list->u.l.items[list->u.l.len++] = item;
	return WEFT_OK;
}

/* The one insertion of map_set and map_set_owned: `kd` is the key to keep,
 * already the map's (owned) or to be copied (not owned). */
static int map_insert(weft_value *map, const char *key, char *kd, weft_value *item)
{
	if (!item) {
		free(kd);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	if (!map || map->type != WEFT_T_MAP || !key) {
		free(kd);
		weft_value_free(item);
		return weft_err_set(WEFT_EINVALID, "map_set on a non-map value; set keys on a value made with weft_value_map");
	}
	int found = 0;
	size_t i = map->u.m.len;
	/* Keys often come in order (a decoded or moved map): append without
	 * a search when the key sorts after the last one. */
	if (i == 0 || strcmp(map->u.m.keys[i - 1], key) >= 0)
		i = map_find(map, key, &found);
	if (found) {
		free(kd);
		weft_value_free(map->u.m.vals[i]);
		map->u.m.vals[i] = item;
		return WEFT_OK;
	}
	if (map->u.m.len == map->u.m.cap) {
		/* Values and keys share one block (values first, keys after
		 * them): a map costs one allocation, not two. */
		size_t cap = map->u.m.cap ? map->u.m.cap * 2 : 4;
		void **block = malloc(2 * cap * sizeof *block);
		if (!block) {
			free(kd);
			weft_value_free(item);
			return weft_err_set(WEFT_ERROR, "out of memory");
		}
		weft_value **vv = (weft_value **)block;
		char **k = (char **)(block + cap);
		if (map->u.m.len) {
			memcpy(vv, map->u.m.vals, map->u.m.len * sizeof *vv);
			memcpy(k, map->u.m.keys, map->u.m.len * sizeof *k);
		}
		free(map->u.m.vals);
		map->u.m.vals = vv;
		map->u.m.keys = k;
		map->u.m.cap = cap;
	}
	if (!kd && !(kd = weft_strdup(key))) {
		weft_value_free(item);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	size_t tail = map->u.m.len - i;
	memmove(map->u.m.keys + i + 1, map->u.m.keys + i, tail * sizeof(char *));
	memmove(map->u.m.vals + i + 1, map->u.m.vals + i, tail * sizeof(weft_value *));
	map->u.m.keys[i] = kd;
	map->u.m.vals[i] = item;
	map->u.m.len++;
	return WEFT_OK;
}

int weft_value_map_set(weft_value *map, const char *key, weft_value *item)
{
	return map_insert(map, key, NULL, item);
}

int weft_value_map_set_owned(weft_value *map, char *key, weft_value *item)
{
	return map_insert(map, key, key, item);
}

weft_value *weft_value_map_take_at(weft_value *map, size_t i, char **key)
{
	*key = NULL;
	if (!map || map->type != WEFT_T_MAP || i >= map->u.m.len)
		return NULL;
	weft_value *v = map->u.m.vals[i];
	*key = map->u.m.keys[i];
	map->u.m.vals[i] = NULL;
	map->u.m.keys[i] = NULL;
	return v;
}

weft_value *weft_value_copy(const weft_value *v)
{
	if (!v)
		return NULL;
	switch (v->type) {
	case WEFT_T_NULL:
		return weft_value_null();
	case WEFT_T_BOOL:
		return weft_value_bool(v->u.b);
	case WEFT_T_INT:
		return weft_value_int(v->u.i);
	case WEFT_T_FLOAT:
		return weft_value_float(v->u.f);
	case WEFT_T_STRING:
		return weft_value_string(v->u.s.ptr, v->u.s.len);
	case WEFT_T_ARTIFACT:
		return weft_value_artifact(v->u.a.hash, v->u.a.is_dir, v->u.a.size);
	case WEFT_T_LIST: {
		weft_value *l = weft_value_list();
		for (size_t i = 0; l && i < v->u.l.len; i++)
			if (weft_value_list_push(l, weft_value_copy(v->u.l.items[i])) != WEFT_OK) {
				weft_value_free(l);
				return NULL;
			}
		return l;
	}
	case WEFT_T_MAP: {
		weft_value *m = weft_value_map();
		for (size_t i = 0; m && i < v->u.m.len; i++)
			if (weft_value_map_set(m, v->u.m.keys[i], weft_value_copy(v->u.m.vals[i])) != WEFT_OK) {
				weft_value_free(m);
				return NULL;
			}
		return m;
	}
	default:
		if (v->type == WEFT_T_REF) {
			weft_value *r = v->u.r.name ? weft_value_ref_name(v->u.r.name, v->u.r.file, v->u.r.line)
						    : weft_value_ref(v->u.r.node, v->u.r.output);
			if (r && v->u.r.name) {
				r->u.r.node = v->u.r.node;
				if (v->u.r.output && !(r->u.r.output = weft_strdup(v->u.r.output))) {
					weft_value_free(r);
					return NULL;
				}
			}
			return r;
		}
		return NULL;
	}
}

void weft_value_free(weft_value *v)
{
	if (!v)
		return;
	switch ((int)v->type) {
	case WEFT_T_LIST:
		for (size_t i = 0; i < v->u.l.len; i++)
			weft_value_free(v->u.l.items[i]);
		free(v->u.l.items);
		break;
	case WEFT_T_MAP:
		for (size_t i = 0; i < v->u.m.len; i++) {
			free(v->u.m.keys[i]);
			weft_value_free(v->u.m.vals[i]);
		}
		free(v->u.m.vals); /* the block that also holds the keys */
		break;
	case WEFT_T_REF:
		free(v->u.r.output);
		free(v->u.r.name);
		free(v->u.r.file);
		break;
	default:
		break;
	}
	free(v);
}

int weft_value_equal(const weft_value *a, const weft_value *b)
{
	if (!a || !b)
		return a == b;
	if (a->type != b->type)
		return 0;
	switch ((int)a->type) {
	case WEFT_T_NULL:
		return 1;
	case WEFT_T_BOOL:
		return a->u.b == b->u.b;
	case WEFT_T_INT:
		return a->u.i == b->u.i;
	case WEFT_T_FLOAT:
		return a->u.f == b->u.f || (isnan(a->u.f) && isnan(b->u.f));
	case WEFT_T_STRING:
		return a->u.s.len == b->u.s.len && !memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len);
	case WEFT_T_ARTIFACT:
		return !strcmp(a->u.a.hash, b->u.a.hash) && a->u.a.is_dir == b->u.a.is_dir;
	case WEFT_T_LIST:
		if (a->u.l.len != b->u.l.len)
			return 0;
		for (size_t i = 0; i < a->u.l.len; i++)
			if (!weft_value_equal(a->u.l.items[i], b->u.l.items[i]))
				return 0;
		return 1;
	case WEFT_T_MAP:
		if (a->u.m.len != b->u.m.len)
			return 0;
		for (size_t i = 0; i < a->u.m.len; i++)
			if (strcmp(a->u.m.keys[i], b->u.m.keys[i]) ||
			    !weft_value_equal(a->u.m.vals[i], b->u.m.vals[i]))
				return 0;
		return 1;
	case WEFT_T_REF:
		return a->u.r.node == b->u.r.node &&
		       !strcmp(a->u.r.output ? a->u.r.output : "", b->u.r.output ? b->u.r.output : "");
	default:
		return 0;
	}
}

/* ------------------------------------------------------- canonical form */

/* The encoding is gathered in a small buffer and handed to the hasher in
 * pieces of up to its size: a node's key is a dozen fields of a few bytes,
 * and a hasher call per field cost more than the copies. */
typedef struct enc {
	weft_hasher *h;
	int rc;
	size_t n;
	unsigned char buf[256];
} enc;

static void enc_flush(enc *e)
{
	if (e->n && weft_hasher_update(e->h, e->buf, e->n) != WEFT_OK)
		e->rc = WEFT_ERROR;
	e->n = 0;
}

static void put(enc *e, const void *p, size_t n)
{
	if (e->n + n > sizeof e->buf) {
		enc_flush(e);
		if (n > sizeof e->buf) {
			if (weft_hasher_update(e->h, p, n) != WEFT_OK)
				e->rc = WEFT_ERROR;
			return;
		}
	}
	memcpy(e->buf + e->n, p, n);
	e->n += n;
}

static void put_u64(enc *e, uint64_t x)
{
	unsigned char b[8];
	for (int i = 7; i >= 0; i--) {
		b[i] = (unsigned char)(x & 0xff);
		x >>= 8;
	}
	put(e, b, 8);
}

static void put_tag(enc *e, char tag)
{
	put(e, &tag, 1);
}

static void put_bytes(enc *e, const char *s, size_t n)
{
	put_u64(e, n);
	put(e, s, n);
}

static int encode(enc *e, const weft_value *v)
{
	uint64_t bits;
	double d;
	switch ((int)v->type) {
	case WEFT_T_NULL:
		put_tag(e, 'N');
		return WEFT_OK;
	case WEFT_T_BOOL:
		put_tag(e, v->u.b ? 'T' : 'F');
		return WEFT_OK;
	case WEFT_T_INT:
		put_tag(e, 'I');
		put_u64(e, (uint64_t)v->u.i);
		return WEFT_OK;
	case WEFT_T_FLOAT:
		d = v->u.f;
		if (d == 0)
			d = 0.0; /* folds -0 */
		if (isnan(d))
			bits = 0x7ff8000000000000ull;
		else
			memcpy(&bits, &d, sizeof bits);
		put_tag(e, 'D');
		put_u64(e, bits);
		return WEFT_OK;
	case WEFT_T_STRING:
		put_tag(e, 'S');
		put_bytes(e, v->u.s.ptr, v->u.s.len);
		return WEFT_OK;
	case WEFT_T_ARTIFACT:
		put_tag(e, v->u.a.is_dir ? 'R' : 'A');
		put(e, v->u.a.hash, 64);
		return WEFT_OK;
	case WEFT_T_LIST:
		put_tag(e, 'L');
		put_u64(e, v->u.l.len);
		for (size_t i = 0; i < v->u.l.len; i++)
			if (encode(e, v->u.l.items[i]) != WEFT_OK)
				return WEFT_ERROR;
		return WEFT_OK;
	case WEFT_T_MAP:
		put_tag(e, 'M');
		put_u64(e, v->u.m.len);
		for (size_t i = 0; i < v->u.m.len; i++) {
			put_bytes(e, v->u.m.keys[i], strlen(v->u.m.keys[i]));
			if (encode(e, v->u.m.vals[i]) != WEFT_OK)
				return WEFT_ERROR;
		}
		return WEFT_OK;
	default:
		return weft_err_set(WEFT_EINVALID, "cannot hash an unresolved node reference");
	}
}

int weft_value_encode(weft_hasher *h, const weft_value *v)
{
	enc e = {.h = h, .rc = WEFT_OK, .n = 0};
	int rc = encode(&e, v);
	enc_flush(&e);
	if (rc == WEFT_OK && e.rc != WEFT_OK)
		rc = weft_err_set(WEFT_ERROR, "cannot hash a value");
	return rc;
}

int weft_value_hash(char out[65], const weft_value *v)
{
	weft_hasher *h = weft_hasher_new();
	if (!h)
		return weft_err_set(WEFT_ERROR, "cannot create hasher");
	if (weft_value_encode(h, v) != WEFT_OK) {
		weft_hasher_free(h);
		return WEFT_EINVALID;
	}
	return weft_hasher_final(h, out);
}

int weft_value_has_refs(const weft_value *v)
{
	if (!v)
		return 0;
	if (v->type == WEFT_T_REF)
		return 1;
	if (v->type == WEFT_T_LIST) {
		for (size_t i = 0; i < v->u.l.len; i++)
			if (weft_value_has_refs(v->u.l.items[i]))
				return 1;
	} else if (v->type == WEFT_T_MAP) {
		for (size_t i = 0; i < v->u.m.len; i++)
			if (weft_value_has_refs(v->u.m.vals[i]))
				return 1;
	}
	return 0;
}

const char *weft_type_name(weft_type t)
{
	switch ((int)t) {
	case WEFT_T_NULL:
		return "null";
	case WEFT_T_BOOL:
		return "bool";
	case WEFT_T_INT:
		return "int";
	case WEFT_T_FLOAT:
		return "float";
	case WEFT_T_STRING:
		return "string";
	case WEFT_T_LIST:
		return "list";
	case WEFT_T_MAP:
		return "map";
	case WEFT_T_ARTIFACT:
		return "artifact";
	case WEFT_T_PATH_OUT:
		return "output path (string)";
	case WEFT_T_ANY:
		return "any";
	case WEFT_T_REF:
		return "ref";
	default:
		return "unknown";
	}
}
