/* value_bin.c -- see value_bin.h. Integers are big-endian, as in the
 * canonical encoding; 'A'/'R' artifacts carry 64 hex digits then 8 bytes of
 * size. */
#include "value_bin.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "value_internal.h"

#define BIN_MAX_DEPTH 200

static int put_str(weft_buf *b, char tag, const char *s, size_t n)
{
	int rc = tag ? weft_buf_put(b, &tag, 1) : WEFT_OK;
	if (rc == WEFT_OK)
		rc = weft_buf_put_be64(b, n);
	return rc == WEFT_OK ? weft_buf_put(b, s, n) : rc;
}

int weft_value_bin_put(weft_buf *b, const weft_value *v)
{
	char tag;
	uint64_t bits;
	int rc;
	switch ((int)v->type) {
	case WEFT_T_NULL:
		return weft_buf_put(b, "N", 1);
	case WEFT_T_BOOL:
		return weft_buf_put(b, v->u.b ? "T" : "F", 1);
	case WEFT_T_INT:
		rc = weft_buf_put(b, "I", 1);
		return rc == WEFT_OK ? weft_buf_put_be64(b, (uint64_t)v->u.i) : rc;
	case WEFT_T_FLOAT:
		memcpy(&bits, &v->u.f, sizeof bits);
		rc = weft_buf_put(b, "D", 1);
		return rc == WEFT_OK ? weft_buf_put_be64(b, bits) : rc;
	case WEFT_T_STRING:
		return put_str(b, 'S', v->u.s.ptr, v->u.s.len);
	case WEFT_T_ARTIFACT:
		tag = v->u.a.is_dir ? 'R' : 'A';
		rc = weft_buf_put(b, &tag, 1);
		if (rc == WEFT_OK)
			rc = weft_buf_put(b, v->u.a.hash, 64);
		return rc == WEFT_OK ? weft_buf_put_be64(b, v->u.a.size) : rc;
	case WEFT_T_LIST:
		rc = weft_buf_put(b, "L", 1);
		if (rc == WEFT_OK)
			rc = weft_buf_put_be64(b, v->u.l.len);
		for (size_t i = 0; rc == WEFT_OK && i < v->u.l.len; i++)
			rc = weft_value_bin_put(b, v->u.l.items[i]);
		return rc;
	case WEFT_T_MAP:
		rc = weft_buf_put(b, "M", 1);
		if (rc == WEFT_OK)
			rc = weft_buf_put_be64(b, v->u.m.len);
		for (size_t i = 0; rc == WEFT_OK && i < v->u.m.len; i++) {
			rc = put_str(b, 0, v->u.m.keys[i], strlen(v->u.m.keys[i]));
			if (rc == WEFT_OK)
				rc = weft_value_bin_put(b, v->u.m.vals[i]);
		}
		return rc;
	default:
		return weft_err_set(WEFT_EINVALID, "a node reference cannot be stored");
	}
}

typedef struct rd {
	const unsigned char *p, *end;
} rd;

static int get_u64(rd *r, uint64_t *v)
{
	if (r->end - r->p < 8)
		return 0;
	*v = weft_be64(r->p);
	r->p += 8;
	return 1;
}

static int get_span(rd *r, const char **s, size_t *n)
{
	uint64_t len;
	if (!get_u64(r, &len) || len > (uint64_t)(r->end - r->p))
		return 0;
	*s = (const char *)r->p;
	*n = (size_t)len;
	r->p += len;
	return 1;
}

/* Byte order of two keys, as the map keeps them (strcmp on C strings). */
static int key_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	return c ? c : (an > bn) - (an < bn);
}

static weft_value *get(rd *r, int depth)
{
	if (r->p >= r->end || depth > BIN_MAX_DEPTH)
		return NULL;
	char tag = (char)*r->p++;
	uint64_t u, count;
	const char *s;
	size_t n;
	switch (tag) {
	case 'N':
		return weft_value_null();
	case 'T':
	case 'F':
		return weft_value_bool(tag == 'T');
	case 'I':
		return get_u64(r, &u) ? weft_value_int((int64_t)u) : NULL;
	case 'D': {
		double d;
		if (!get_u64(r, &u))
			return NULL;
		memcpy(&d, &u, sizeof d);
		return weft_value_float(d);
	}
	case 'S':
		return get_span(r, &s, &n) ? weft_value_string(s, n) : NULL;
	case 'A':
	case 'R': {
		if (r->end - r->p < 64 || !weft_hash_hex64_at(r->p))
			return NULL;
		char hash[65];
		memcpy(hash, r->p, 64);
		hash[64] = '\0';
		r->p += 64;
		return get_u64(r, &u) ? weft_value_artifact(hash, tag == 'R', u) : NULL;
	}
	case 'L':
	case 'M': {
		/* Every item takes a byte at least: a count beyond the bytes
		 * left is damage, not a reason to allocate. */
		if (!get_u64(r, &count) || count > (uint64_t)(r->end - r->p))
			return NULL;
		weft_value *c = tag == 'L' ? weft_value_list() : weft_value_map();
		const char *prev = NULL;
		size_t prev_n = 0;
		for (uint64_t i = 0; c && i < count; i++) {
			char *key = NULL;
			if (tag == 'M') {
				/* Keys come sorted and unique, as they are written:
				 * anything else is damage, not another order. */
				if (!get_span(r, &s, &n) || memchr(s, '\0', n) ||
				    (prev && key_cmp(prev, prev_n, s, n) >= 0) || !(key = weft_strndup(s, n))) {
					weft_value_free(c);
					return NULL;
				}
				prev = s;
				prev_n = n;
			}
			weft_value *item = get(r, depth + 1);
			/* The map takes the key as it is (it frees it on failure). */
			int rc = tag == 'M' ? weft_value_map_set_owned(c, key, item)
			       : !item	    ? WEFT_ERROR
					    : weft_value_list_push(c, item);
			if (rc != WEFT_OK) {
				weft_value_free(c);
				return NULL;
			}
		}
		return c;
	}
	default:
		return NULL;
	}
}

int weft_value_bin_get(weft_value **out, const void *data, size_t len, size_t *used)
{
	rd r = {data, (const unsigned char *)data + len};
	weft_value *v = get(&r, 0);
	if (!v)
		return weft_err_set(WEFT_EINVALID, "damaged binary value");
	*out = v;
	if (used)
		*used = (size_t)(r.p - (const unsigned char *)data);
	return WEFT_OK;
}
