/* jsonw.c -- see jsonw.h. */
#define _GNU_SOURCE /* sync_file_range */
#include "jsonw.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "value_internal.h"

#define JW_FLUSH_AT (256u << 10)

void weft_jw_init(weft_jw *w, int fd, int pretty)
{
	memset(w, 0, sizeof *w);
	w->fd = fd;
	w->pretty = pretty;
	w->first[0] = 1;
	/* A writer to a file fills its buffer to JW_FLUSH_AT: the room is
	 * taken at once, not by doublings that each copy what is there (a
	 * failure here is left to the first write, which will meet it). */
	if (fd >= 0)
		(void)weft_buf_reserve(&w->buf, JW_FLUSH_AT + 4096);
}

void weft_jw_init_at(weft_jw *w, int pretty, int depth, int members)
{
	weft_jw_init(w, -1, pretty);
	if (depth < 0 || depth >= WEFT_JW_DEPTH) {
		w->failed = 1;
		return;
	}
	w->depth = w->base = depth;
	w->first[depth] = members == 0;
}

static void put(weft_jw *w, const char *p, size_t n)
{
	/* The common case, room in the buffer, without a call. */
	if (w->buf.cap - w->buf.len > n) {
		memcpy(w->buf.data + w->buf.len, p, n);
		w->buf.len += n;
		w->buf.data[w->buf.len] = '\0'; /* weft_buf keeps its text terminated */
		return;
	}
	if (!w->failed && weft_buf_put(&w->buf, p, n) != WEFT_OK)
		w->failed = 1;
}

static void flush(weft_jw *w)
{
	if (!w->failed && w->buf.len && weft_write_all(w->fd, w->buf.data, w->buf.len) != 0)
		w->failed = 2;
	/* Only a hint: an error here leaves the work to the caller's fsync. */
	if (!w->failed && w->write_behind && w->buf.len)
		(void)sync_file_range(w->fd, (off_t)w->flushed, (off_t)w->buf.len, SYNC_FILE_RANGE_WRITE);
	w->flushed += w->buf.len;
	w->buf.len = 0;
}

/* Whether the members of a container at `depth` go on lines of their own. */
static int pretty_at(const weft_jw *w, int depth)
{
	return w->pretty && (!w->flat_from || depth < w->flat_from);
}

static void newline(weft_jw *w)
{
	char pad[1 + WEFT_JW_DEPTH];
	pad[0] = '\n';
	if (w->depth <= 16) /* as in before() */
		memcpy(pad + 1, "                ", 16);
	else
		memset(pad + 1, ' ', (size_t)w->depth);
	put(w, pad, 1 + (size_t)w->depth);
}

/* Room for n more bytes, so that the writers below store without a check
 * per byte; 0 when the buffer cannot grow (w->failed is then set). */
static int room(weft_jw *w, size_t n)
{
	if (w->buf.cap - w->buf.len > n)
		return 1;
	if (w->failed || weft_buf_reserve(&w->buf, n + 1) != WEFT_OK) {
		w->failed = w->failed ? w->failed : 1;
		return 0;
	}
	return 1;
}

/* Separator and indentation before a value or a key. */
static void before(weft_jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->depth > 0 && room(w, 2 + 16 + (size_t)w->depth)) {
		char *o = w->buf.data + w->buf.len;
		if (!w->first[w->depth])
			*o++ = ',';
		if (pretty_at(w, w->depth)) {
			*o++ = '\n';
			/* A record is 2 to 4 levels deep: 16 spaces in two stores,
			 * not a memset call per line. */
			if (w->depth <= 16)
				memcpy(o, "                ", 16);
			else
				memset(o, ' ', (size_t)w->depth);
			o += w->depth;
		}
		*o = '\0';
		w->buf.len = (size_t)(o - w->buf.data);
	}
	w->first[w->depth] = 0;
	if (w->fd >= 0 && w->buf.len >= JW_FLUSH_AT)
		flush(w);
}

static void open_(weft_jw *w, char c)
{
	before(w);
	put(w, &c, 1);
	if (w->depth + 1 >= WEFT_JW_DEPTH) {
		w->failed = 1;
		return;
	}
	w->first[++w->depth] = 1;
}

void weft_jw_obj(weft_jw *w)
{
	open_(w, '{');
}

void weft_jw_arr(weft_jw *w)
{
	open_(w, '[');
}

void weft_jw_end(weft_jw *w, char close)
{
	if (w->depth <= w->base) {
		w->failed = 1;
		return;
	}
	int lines = !w->first[w->depth] && pretty_at(w, w->depth);
	w->depth--;
	if (lines)
		newline(w);
	put(w, &close, 1);
}

/* Bytes a JSON string must escape: controls, '"' and '\\'. */
static int needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

void weft_jw_strn(weft_jw *w, const char *s, size_t n)
{
	before(w);
	/* The common case, nothing to escape: one copy into reserved room.
	 * The scan looks at 8 bytes a step (a byte below 0x20, '"' or '\\'
	 * in a word, by the usual has-zero-byte trick). */
	size_t i = 0;
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	for (; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, s + i, 8);
		uint64_t lo = (x - ones * 0x20) & ~x;
		uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
		if ((lo | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs)
			break;
	}
	while (i < n && !needs_escape((unsigned char)s[i]))
		i++;
	if (i == n && room(w, n + 2)) {
		char *o = w->buf.data + w->buf.len;
		*o++ = '"';
		memcpy(o, s, n);
		o += n;
		*o++ = '"';
		*o = '\0';
		w->buf.len = (size_t)(o - w->buf.data);
		return;
	}
	put(w, "\"", 1);
	size_t run = 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!needs_escape(c))
			continue;
		put(w, s + run, i - run);
		run = i + 1;
		char esc[8];
		switch (c) {
		case '"':
			put(w, "\\\"", 2);
			break;
		case '\\':
			put(w, "\\\\", 2);
			break;
		case '\n':
			put(w, "\\n", 2);
			break;
		case '\t':
			put(w, "\\t", 2);
			break;
		case '\r':
			put(w, "\\r", 2);
			break;
		default:
			snprintf(esc, sizeof esc, "\\u%04x", c);
			put(w, esc, 6);
		}
	}
	put(w, s + run, n - run);
	put(w, "\"", 1);
}

void weft_jw_str(weft_jw *w, const char *s)
{
	if (!s) {
		weft_jw_null(w);
		return;
	}
	weft_jw_strn(w, s, strlen(s));
}

void weft_jw_key(weft_jw *w, const char *k)
{
	weft_jw_str(w, k);
	int sp = pretty_at(w, w->depth);
	put(w, sp ? ": " : ":", sp ? 2 : 1);
	w->after_key = 1;
}

void weft_jw_field(weft_jw *w, const char *k)
{
	before(w);
	size_t n = strlen(k);
	if (!room(w, n + 4))
		return;
	char *o = w->buf.data + w->buf.len;
	*o++ = '"';
	memcpy(o, k, n);
	o += n;
	*o++ = '"';
	*o++ = ':';
	if (pretty_at(w, w->depth))
		*o++ = ' ';
	*o = '\0';
	w->buf.len = (size_t)(o - w->buf.data);
	w->after_key = 1;
}

/* The decimal digits of v, as "%lld" writes them; returns their length. */
static int int_text(char b[24], int64_t v)
{
	char d[24];
	int nd = 0, n = 0;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do
		d[nd++] = (char)('0' + u % 10);
	while ((u /= 10));
	if (v < 0)
		b[n++] = '-';
	while (nd)
		b[n++] = d[--nd];
	b[n] = '\0';
	return n;
}

void weft_jw_int(weft_jw *w, int64_t v)
{
	char b[24];
	int n = int_text(b, v);
	before(w);
	put(w, b, (size_t)n);
}

void weft_jw_real(weft_jw *w, double v)
{
	if (!isfinite(v)) {
		/* JSON has no NaN/Inf: strings, as value_json.c records them. */
		weft_jw_str(w, isnan(v) ? "NaN" : (v > 0 ? "Infinity" : "-Infinity"));
		return;
	}
	char b[40];
	int n;
	/* Whole numbers (a cached node's elapsed 0, counts): the digits that
	 * "%.17g" writes, which for |v| < 1e15 are exact, without printf. */
	if (fabs(v) < 1e15 && v == (double)(int64_t)v && !(v == 0 && signbit(v)))
		n = int_text(b, (int64_t)v);
	else
		n = snprintf(b, sizeof b - 2, "%.17g", v);
	/* A real stays a real when read back: 3 -> 3.0. */
	if (!strpbrk(b, ".eE")) {
		b[n++] = '.';
		b[n++] = '0';
	}
	before(w);
	put(w, b, (size_t)n);
}

void weft_jw_bool(weft_jw *w, int v)
{
	before(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void weft_jw_null(weft_jw *w)
{
	before(w);
	put(w, "null", 4);
}

void weft_jw_splice(weft_jw *w, const char *text, size_t len)
{
	if (!len)
		return;
	put(w, text, len);
	w->first[w->depth] = 0;
	if (w->fd >= 0 && w->buf.len >= JW_FLUSH_AT)
		flush(w);
}

void weft_jw_raw(weft_jw *w, const char *json)
{
	before(w);
	put(w, json, strlen(json));
}

void weft_jw_value(weft_jw *w, const weft_value *v)
{
	if (!v) {
		weft_jw_null(w);
		return;
	}
	switch ((int)v->type) {
	case WEFT_T_NULL:
		weft_jw_null(w);
		break;
	case WEFT_T_BOOL:
		weft_jw_bool(w, v->u.b);
		break;
	case WEFT_T_INT:
		weft_jw_int(w, v->u.i);
		break;
	case WEFT_T_FLOAT:
		weft_jw_real(w, v->u.f);
		break;
	case WEFT_T_STRING:
		weft_jw_strn(w, v->u.s.ptr, v->u.s.len);
		break;
	case WEFT_T_ARTIFACT:
		weft_jw_obj(w);
		weft_jw_field(w, "$artifact");
		weft_jw_str(w, v->u.a.hash);
		weft_jw_field(w, "dir");
		weft_jw_bool(w, v->u.a.is_dir);
		weft_jw_field(w, "size");
		weft_jw_int(w, (int64_t)v->u.a.size);
		weft_jw_end(w, '}');
		break;
	case WEFT_T_LIST:
		weft_jw_arr(w);
		for (size_t i = 0; i < v->u.l.len; i++)
			weft_jw_value(w, v->u.l.items[i]);
		weft_jw_end(w, ']');
		break;
	case WEFT_T_MAP:
		weft_jw_obj(w);
		for (size_t i = 0; i < v->u.m.len; i++) {
			weft_jw_key(w, v->u.m.keys[i]);
			weft_jw_value(w, v->u.m.vals[i]);
		}
		weft_jw_end(w, '}');
		break;
	default:
		w->failed = 1; /* refs are never written to records */
	}
}

int weft_jw_finish(weft_jw *w)
{
	if (w->fd >= 0)
		flush(w);
	if (w->failed == 2)
		return weft_err_set(WEFT_EIO, "cannot write: %s; check that the store's disk has space",
				    strerror(errno));
	if (w->failed || w->depth != w->base)
		return weft_err_set(WEFT_ERROR, "cannot encode JSON (out of memory or nesting over %d levels)",
				    WEFT_JW_DEPTH);
	return WEFT_OK;
}
