/*
 * cache.c -- action cache entries: their fixed-layout binary encoding, kept
 * in packs (acpack.h) or, in stores from before packs, one file per key.
 * A damaged entry (truncated, unparsable, wrong key) reads as a miss and is
 * dropped, so the node simply recomputes.
 */
#include "cache.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "util.h"
#include "value_jansson.h"
#include "value_bin.h"


/* root/ac/<2 hex>/<the other 62>; built by hand because every node's
 * lookup makes one, and snprintf cost ten times the copies. */
static char *entry_path(const char *root, const char *key)
{
	size_t rl = strlen(root), kl = strlen(key);
	if (kl < 2)
		return weft_sprintf("%s/ac/%s", root, key); /* refused later, with the key in the message */
	char *p = malloc(rl + kl + 6);
	if (!p)
		return NULL;
	memcpy(p, root, rl);
	memcpy(p + rl, "/ac/", 4);
	memcpy(p + rl + 4, key, 2);
	p[rl + 6] = '/';
	memcpy(p + rl + 7, key + 2, kl - 1); /* with its NUL */
	return p;
}

/*
 * Entry layout (all integers big-endian):
 *   "WAC3"  64 hex digits of the key  f64 created  f64 elapsed
 *   u64 length + op name  u64 length + node name
 *   the outputs map (value_bin.h)
 *   the per-input hashes (a map, or null): a hit then needs no hashing
 *     of its inputs for the run record (they are the same inputs, by key)
 *   u64 weft_check64 of every byte before it
 * Entries written before this format are still read: "WAC2" (the same
 * with FNV-1a, which was a tenth of a cached node's lookup) and JSON text.
 */
#define AC_MAGIC "WAC3"
#define AC_MAGIC_FNV "WAC2"
/* Seconds after its writing during which a hit does not touch an entry. */
#define AC_TOUCH_AFTER 3600.0

static uint64_t f64_bits(double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof u);
	return u;
}

/* Whether the entry's bytes (checked or not) say it was written in the
 * last AC_TOUCH_AFTER seconds. */
static int written_recently(const char *p, size_t n)
{
	if (n < 4 + 64 + 8 || (memcmp(p, AC_MAGIC, 4) && memcmp(p, AC_MAGIC_FNV, 4)))
		return 0;
	uint64_t bits = weft_be64((const unsigned char *)p + 4 + 64);
	double created, now = weft_now();
	memcpy(&created, &bits, sizeof created);
	return created <= now + 60 && now - created < AC_TOUCH_AFTER;
}

/* Parses an entry in either format; `key` (when non-NULL) must match.
 * `*inputs` (when asked) gets the input hashes, NULL when not recorded.
 * `checked`: the bytes passed a checksum that covers them (a pack
 * record's), so the entry's own is not computed a second time. */
static int parse_entry(weft_value **outputs, weft_value **inputs, double *elapsed, const char *text, size_t len,
		       const char *key, int checked)
{
	if (inputs)
		*inputs = NULL;
	if (elapsed)
		*elapsed = 0;
	const unsigned char *p = (const unsigned char *)text;
	if (len && text[0] == '{') {
		json_t *j = json_loadb(text, len, 0, NULL);
		const char *k = j ? json_string_value(json_object_get(j, "key")) : NULL;
		json_t *out = j ? json_object_get(j, "outputs") : NULL;
		int ok = k && (!key || !strcmp(k, key)) && json_is_object(out) &&
			 (*outputs = weft_value_from_jansson(out)) != NULL;
		json_decref(j);
		return ok ? WEFT_OK : WEFT_EINVALID;
	}
	const size_t head = 4 + 64 + 16;
	if (len < head + 16 + 1 + 8)
		return WEFT_EINVALID;
	int fnv = !memcmp(p, AC_MAGIC_FNV, 4);
	if ((!fnv && memcmp(p, AC_MAGIC, 4)) ||
	    (!checked && (fnv ? weft_fnv1a(p, len - 8) : weft_check64(p, len - 8)) != weft_be64(p + len - 8)) ||
	    (key && memcmp(p + 4, key, 64)))
		return WEFT_EINVALID;
	if (elapsed) {
		uint64_t bits = weft_be64(p + 4 + 64 + 8);
		memcpy(elapsed, &bits, sizeof *elapsed);
		if (!(*elapsed >= 0) || !isfinite(*elapsed))
			*elapsed = 0;
	}
	size_t off = head;
	for (int i = 0; i < 2; i++) { /* op and node names: skipped here */
		if (len - 8 - off < 8)
			return WEFT_EINVALID;
		uint64_t n = weft_be64(p + off);
		if (n > len - 8 - off - 8)
			return WEFT_EINVALID;
		off += 8 + (size_t)n;
	}
	size_t used = 0, used2 = 0;
	weft_value *v = NULL, *in = NULL;
	if (weft_value_bin_get(&v, p + off, len - 8 - off, &used) != WEFT_OK)
		return WEFT_EINVALID;
	if (off + used >= len - 8 ||
	    weft_value_bin_get(&in, p + off + used, len - 8 - off - used, &used2) != WEFT_OK) {
		weft_value_free(v);
		return WEFT_EINVALID;
	}
	weft_type it = weft_value_type(in);
	if (off + used + used2 != len - 8 || weft_value_type(v) != WEFT_T_MAP ||
	    (it != WEFT_T_MAP && it != WEFT_T_NULL)) {
		weft_value_free(v);
		weft_value_free(in);
		return WEFT_EINVALID;
	}
	*outputs = v;
	if (inputs && it == WEFT_T_MAP)
		*inputs = in;
	else
		weft_value_free(in);
	return WEFT_OK;
}

int weft_cache_load_file(weft_value **outputs, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	int rc = weft_read_file(path, &text, &len);
	if (rc == WEFT_OK)
		rc = parse_entry(outputs, NULL, NULL, text, len, NULL, 0);
	free(text);
	return rc;
}

int weft_cache_get(weft_value **outputs, weft_value **inputs, const char *root, const char *key)
{
	return weft_cache_get_ex(outputs, inputs, NULL, root, key);
}

int weft_cache_get_ex(weft_value **outputs, weft_value **inputs, double *elapsed, const char *root, const char *key)
{
	char *path = entry_path(root, key), *text = NULL;
	size_t len;
	if (!path)
		return weft_err_set(WEFT_ERROR, "out of memory");
	/* Most entries are a few hundred bytes: one read into a buffer here,
	 * where reading to the end took a second read (and its system call)
	 * per cached node. A read that filled the buffer, or an entry that
	 * does not parse from it, is read again whole before it is judged. */
	char small[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(path);
		return WEFT_ENOTFOUND;
	}
	ssize_t got = read(fd, small, sizeof small);
	/* Last-used time for gc, on the open file (utimensat on the path
	 * walked it again). An entry written less than AC_TOUCH_AFTER ago is
	 * left as it is: its mtime is then at most that much older than its
	 * last use, and a rerun soon after the run that wrote it (an edit-run
	 * loop) costs one system call less per node. A failure only makes gc
	 * less precise. Done before the entry is judged: a damaged one is
	 * removed below anyway. */
	if (!(got > 0 && written_recently(small, (size_t)got)))
		(void)futimens(fd, NULL);
	close(fd);
	int rc = got > 0 && (size_t)got < sizeof small
			 ? parse_entry(outputs, inputs, elapsed, small, (size_t)got, key, 0)
			 : WEFT_EINVALID;
	if (rc != WEFT_OK) {
		if (weft_read_file(path, &text, &len) != WEFT_OK) {
			free(path);
			return WEFT_ENOTFOUND;
		}
		rc = parse_entry(outputs, inputs, elapsed, text, len, key, 0);
		free(text);
	}
	if (rc != WEFT_OK) {
		(void)unlink(path);
		free(path);
		return WEFT_ENOTFOUND;
	}
	free(path);
	return WEFT_OK;
}

/* An entry's bytes (the layout above). */
static int encode_entry(weft_buf *b, const char *key, const weft_value *outputs, const weft_value *inputs,
			const weft_cache_meta *meta)
{
	int rc = strlen(key) == 64 ? WEFT_OK : weft_err_set(WEFT_EINVALID, "cache key '%s' is not 64 hex digits", key);
	if (rc == WEFT_OK)
		rc = weft_buf_put(b, AC_MAGIC, 4);
	if (rc == WEFT_OK)
		rc = weft_buf_put(b, key, 64);
	if (rc == WEFT_OK)
		rc = weft_buf_put_be64(b, f64_bits(weft_now()));
	if (rc == WEFT_OK)
		rc = weft_buf_put_be64(b, f64_bits(meta->elapsed));
	const char *names[2] = {meta->op ? meta->op : "", meta->node ? meta->node : ""};
	for (int i = 0; i < 2 && rc == WEFT_OK; i++) {
		rc = weft_buf_put_be64(b, strlen(names[i]));
		if (rc == WEFT_OK)
			rc = weft_buf_put(b, names[i], strlen(names[i]));
	}
	if (rc == WEFT_OK)
		rc = weft_value_bin_put(b, outputs);
	if (rc == WEFT_OK)
		rc = inputs ? weft_value_bin_put(b, inputs) : weft_buf_put(b, "N", 1);
	if (rc == WEFT_OK)
		rc = weft_buf_put_be64(b, weft_check64(b->data, b->len));
	return rc;
}

int weft_cache_put(const char *root, const char *key, const weft_value *outputs, const weft_value *inputs,
		   const weft_cache_meta *meta)
{
	char *path = entry_path(root, key);
	char *dir = path ? weft_path_dirname(path) : NULL;
	weft_buf b = {0};
	int rc = path && dir ? WEFT_OK : weft_err_set(WEFT_ERROR, "out of memory");
	if (rc == WEFT_OK)
		rc = encode_entry(&b, key, outputs, inputs, meta);
	if (rc == WEFT_OK) {
		/* The fan-out directory is made only when the temp file cannot
		 * be: a mkdir per entry was a tenth of a cold node's calls. */
		char *tmp = NULL;
		int fd = weft_atomic_open(path, &tmp);
		if (fd < 0 && weft_mkdirs(dir, 0755) == WEFT_OK)
			fd = weft_atomic_open(path, &tmp);
		if (fd < 0) {
			rc = fd;
		} else if (weft_write_all(fd, b.data, b.len) != 0) {
			rc = weft_err_set(WEFT_EIO, "cannot write %s: %s", path, strerror(errno));
			weft_atomic_abort(fd, tmp);
		} else {
			rc = weft_atomic_commit(fd, tmp, path, 0);
		}
		free(tmp);
	}
	weft_buf_free(&b);
	free(dir);
	free(path);
	return rc;
}

int weft_cache_get_in(weft_value **outputs, weft_value **inputs, double *elapsed, weft_acpack *packs,
		      const char *root, const char *key, int touch)
{
	const unsigned char *d;
	size_t n;
	int own;
	if (weft_acpack_get(packs, key, &d, &n, &own) != WEFT_OK)
		return weft_acpack_has_loose(packs) ? weft_cache_get_ex(outputs, inputs, elapsed, root, key)
						    : WEFT_ENOTFOUND;
	if (parse_entry(outputs, inputs, elapsed, (const char *)d, n, key, 1) != WEFT_OK) {
		(void)weft_acpack_drop(packs, key);
		return WEFT_ENOTFOUND;
	}
	if (touch)
		weft_cache_touch_in(packs, key, d, n, own);
	return WEFT_OK;
}

int weft_cache_needs_touch(const void *data, size_t n)
{
	return !written_recently(data, n);
}

void weft_cache_touch_in(weft_acpack *packs, const char *key, const void *data, size_t n, int own)
{
	/* Last use, for gc: an entry from an older run, written more than
	 * AC_TOUCH_AFTER ago, is appended again with the time of this hit
	 * (packs never change in place). A failure only makes gc less
	 * precise. */
	if (own || written_recently((const char *)data, n))
		return;
	weft_buf b = {0};
	if (weft_buf_put(&b, data, n) == WEFT_OK) {
		unsigned char *p = (unsigned char *)b.data;
		weft_set_be64(p + 4 + 64, f64_bits(weft_now()));
		weft_set_be64(p + n - 8, weft_check64(p, n - 8));
		(void)weft_acpack_put(packs, key, p, n);
	}
	weft_buf_free(&b);
}

int weft_cache_fetch_in(weft_buf *into, size_t *off, size_t *len, int *own, weft_acpack *packs, const char *key)
{
	if (weft_acpack_has_loose(packs))
		return WEFT_EINVALID;
	const unsigned char *d;
	size_t n;
	if (weft_acpack_get(packs, key, &d, &n, own) != WEFT_OK)
		return WEFT_ENOTFOUND;
	*off = into->len;
	*len = n;
	return weft_buf_put(into, d, n);
}

int weft_cache_parse(weft_value **outputs, weft_value **inputs, double *elapsed, const void *data, size_t len,
		     const char *key)
{
	return parse_entry(outputs, inputs, elapsed, data, len, key, 1);
}

int weft_cache_put_in(weft_acpack *packs, const char *key, const weft_value *outputs, const weft_value *inputs,
		      const weft_cache_meta *meta)
{
	weft_buf b = {0};
	int rc = encode_entry(&b, key, outputs, inputs, meta);
	if (rc == WEFT_OK)
		rc = weft_acpack_put(packs, key, b.data, b.len);
	weft_buf_free(&b);
	return rc;
}

void weft_cache_drop_in(weft_acpack *packs, const char *root, const char *key)
{
	(void)weft_acpack_drop(packs, key);
	if (weft_acpack_has_loose(packs))
		weft_cache_drop(root, key);
}

int weft_cache_decode(weft_value **outputs, double *when, const void *data, size_t len)
{
	*when = 0;
	int rc = parse_entry(outputs, NULL, NULL, data, len, NULL, 1);
	if (rc == WEFT_OK && len >= 4 + 64 + 8 && !memcmp(data, AC_MAGIC, 4)) {
		uint64_t bits = weft_be64((const unsigned char *)data + 4 + 64);
		memcpy(when, &bits, sizeof *when);
		if (!isfinite(*when))
			*when = 0;
	}
	return rc;
}

void weft_cache_drop(const char *root, const char *key)
{
	char *path = entry_path(root, key);
	if (path)
		(void)unlink(path);
	free(path);
}
