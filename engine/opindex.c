/*
 * opindex.c -- see opindex.h.
 *
 * Blob layout (all integers little-endian; a string is a u32 length, or
 * 0xffffffff for NULL, then its bytes):
 *
 *   u32 abi_major, abi_minor; str name, version, license, description;
 *   u32 n_ops; per op: str name, version, doc; u32 flags, cpus; u64 mem;
 *     u32 n_params; per param: str name; u32 type; str default, doc;
 *     u32 n_inputs; str each; u32 n_outputs; str each
 *
 * Index file: "weft-opindex-1\n", u32 ABI major, u32 ABI minor, u32 count,
 * then per entry: str path; u64 dev, ino, size, mtime_ns, ctime_ns;
 * u32 blob length; blob. A host of another ABI ignores the whole file.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "opindex.h"

#define IX_MAGIC "weft-opindex-1\n"
#define IX_MAX_FILE (64u << 20)
#define IX_MAX_ENTRIES 1024u
#define BLOB_MAX (16u << 20)
#define MAX_OPS 4096u
#define MAX_LIST 4096u
#define MAX_STR (1u << 20)
#define DESCRIBE_TIMEOUT_MS 30000


/* ------------------------------------------------------------ writing */

static int put_u32(weft_buf *b, uint32_t v)
{
	unsigned char p[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 24)};
	return weft_buf_put(b, p, 4);
}

static int put_u64(weft_buf *b, uint64_t v)
{
	int rc = put_u32(b, (uint32_t)v);
	return rc == WEFT_OK ? put_u32(b, (uint32_t)(v >> 32)) : rc;
}

static int put_str(weft_buf *b, const char *s)
{
	if (!s)
		return put_u32(b, UINT32_MAX);
	size_t n = strlen(s);
	if (n > MAX_STR)
		return weft_err_set(WEFT_EINVALID, "a descriptor string of %zu bytes is over the %u-byte limit", n,
				    MAX_STR);
	int rc = put_u32(b, (uint32_t)n);
	return rc == WEFT_OK ? weft_buf_put(b, s, n) : rc;
}

static int put_strs(weft_buf *b, const char *const *v, size_t n)
{
	if (n > MAX_LIST)
		return weft_err_set(WEFT_EINVALID, "a list of %zu names is over the %u limit", n, MAX_LIST);
	int rc = put_u32(b, (uint32_t)n);
	for (size_t i = 0; rc == WEFT_OK && i < n; i++)
		rc = put_str(b, v[i]);
	return rc;
}

static int encode_op(weft_buf *b, const weft_op_desc *op, size_t i, const char *pname, const char *path)
{
	if (!op || !DESC_HAS(op, run) || !op->name || !op->version || !op->run)
		return weft_err_set(WEFT_EINVALID, "plugin %s (%s): op #%zu has an incomplete descriptor (no name, "
						   "version or run function); fix the plugin or remove it from the "
						   "plugin path", pname, path, i);
	int rc = put_str(b, op->name);
	if (rc == WEFT_OK)
		rc = put_str(b, op->version);
	if (rc == WEFT_OK)
		rc = put_str(b, op->doc);
	if (rc == WEFT_OK)
		rc = put_u32(b, op->flags);
	if (rc == WEFT_OK)
		rc = put_u32(b, op->cpus);
	if (rc == WEFT_OK)
		rc = put_u64(b, op->mem_bytes);
	size_t np = op->params ? op->n_params : 0;
	if (rc == WEFT_OK && np > MAX_LIST)
		rc = weft_err_set(WEFT_EINVALID, "plugin %s (%s): op %s declares %zu params (limit %u); take fewer "
						 "parameters, or one map parameter", pname, path,
				  op->name, np, MAX_LIST);
	if (rc == WEFT_OK)
		rc = put_u32(b, (uint32_t)np);
	for (size_t p = 0; rc == WEFT_OK && p < np; p++) {
		const weft_param_spec *s = &op->params[p];
		if (!s->name)
			return weft_err_set(WEFT_EINVALID, "plugin %s (%s): op %s: param #%zu has no name; fix the "
							   "op's parameter table", pname, path,
					    op->name, p);
		rc = put_str(b, s->name);
		if (rc == WEFT_OK)
			rc = put_u32(b, (uint32_t)s->type);
		if (rc == WEFT_OK)
			rc = put_str(b, s->default_json);
		if (rc == WEFT_OK)
			rc = put_str(b, s->doc);
	}
	if (rc == WEFT_OK)
		rc = put_strs(b, op->inputs, op->inputs ? op->n_inputs : 0);
	if (rc == WEFT_OK)
		rc = put_strs(b, op->outputs, op->outputs ? op->n_outputs : 0);
	return rc;
}

int weft_opindex_check_abi(const weft_plugin_desc *d, const char *path)
{
	if (!d || !DESC_HAS(d, n_ops) || !d->name)
		return weft_err_set(WEFT_EINVALID, "plugin %s returned no usable descriptor; rebuild it or remove it",
				    path);
	if (d->abi_major != WEFT_ABI_MAJOR)
		return weft_err_set(WEFT_EINVALID,
				    "plugin %s (%s) was built for weft ABI %u.%u but this weft has ABI %u.%u; "
				    "rebuild the plugin against this weft's weft/plugin.h",
				    d->name, path, d->abi_major, d->abi_minor, WEFT_ABI_MAJOR, WEFT_ABI_MINOR);
	if (d->abi_minor > WEFT_ABI_MINOR)
		return weft_err_set(WEFT_EINVALID,
				    "plugin %s (%s) was built for weft ABI %u.%u but this weft has ABI %u.%u; "
				    "upgrade weft "
				    "to run it",
				    d->name, path, d->abi_major, d->abi_minor, WEFT_ABI_MAJOR, WEFT_ABI_MINOR);
	return WEFT_OK;
}

int weft_opindex_encode(weft_buf *b, const weft_plugin_desc *d, const char *path)
{
	int rc = weft_opindex_check_abi(d, path);
	if (rc != WEFT_OK)
		return rc;
	size_t n_ops = d->ops ? d->n_ops : 0;
	if (n_ops > MAX_OPS)
		return weft_err_set(WEFT_EINVALID, "plugin %s (%s) declares %zu ops (limit %u); split it into "
						   "several plugins", d->name, path, n_ops,
				    MAX_OPS);
	rc = put_u32(b, d->abi_major);
	if (rc == WEFT_OK)
		rc = put_u32(b, d->abi_minor);
	const char *strs[] = {d->name, d->version, d->license, d->description};
	for (size_t i = 0; rc == WEFT_OK && i < 4; i++)
		rc = put_str(b, strs[i]);
	if (rc == WEFT_OK)
		rc = put_u32(b, (uint32_t)n_ops);
	for (size_t i = 0; rc == WEFT_OK && i < n_ops; i++)
		rc = encode_op(b, d->ops[i], i, d->name, path);
	return rc;
}

/* ------------------------------------------------------------ reading */

typedef struct reader {
	const unsigned char *p, *end;
	int bad;
} reader;

static uint32_t get_u32(reader *r)
{
	if (r->bad || r->end - r->p < 4) {
		r->bad = 1;
		return 0;
	}
	uint32_t v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 | (uint32_t)r->p[3] << 24;
	r->p += 4;
	return v;
}

static uint64_t get_u64(reader *r)
{
	uint64_t lo = get_u32(r);
	return lo | (uint64_t)get_u32(r) << 32;
}

/* Points at a string inside the input (not NUL-terminated). */
static int get_span(reader *r, const char **s, uint32_t *n)
{
	*n = get_u32(r);
	*s = NULL;
	if (r->bad || *n == UINT32_MAX)
		return 0;
	if (*n > MAX_STR || (size_t)(r->end - r->p) < *n) {
		r->bad = 1;
		return 0;
	}
	*s = (const char *)r->p;
	r->p += *n;
	return 1;
}

static const char *get_str(reader *r, weft_arena *a)
{
	const char *s;
	uint32_t n;
	if (!get_span(r, &s, &n))
		return NULL;
	if (memchr(s, '\0', n)) {
		r->bad = 1;
		return NULL;
	}
	char *c = weft_arena_strndup(a, s, n);
	if (!c)
		r->bad = 1;
	return c;
}

static uint32_t get_count(reader *r, uint32_t max)
{
	uint32_t n = get_u32(r);
	if (n > max || (size_t)(r->end - r->p) / 4 < n) /* each item takes 4 bytes at least */
		r->bad = 1;
	return r->bad ? 0 : n;
}

static const char *const *get_strs(reader *r, weft_arena *a, size_t *count)
{
	uint32_t n = get_count(r, MAX_LIST);
	*count = n;
	if (!n)
		return NULL;
	const char **v = weft_arena_alloc(a, n * sizeof *v);
	if (!v) {
		r->bad = 1;
		return NULL;
	}
	for (uint32_t i = 0; i < n && !r->bad; i++)
		if (!(v[i] = get_str(r, a)))
			r->bad = 1; /* names are never NULL */
	return v;
}

static weft_op_desc *decode_op(reader *r, weft_arena *a)
{
	weft_op_desc *op = weft_arena_alloc(a, sizeof *op);
	if (!op) {
		r->bad = 1;
		return NULL;
	}
	op->struct_size = sizeof *op;
	op->name = get_str(r, a);
	op->version = get_str(r, a);
	op->doc = get_str(r, a);
	op->flags = get_u32(r);
	op->cpus = get_u32(r);
	op->mem_bytes = get_u64(r);
	if (!op->name || !op->version)
		r->bad = 1;
	uint32_t np = get_count(r, MAX_LIST);
	weft_param_spec *ps = np ? weft_arena_alloc(a, np * sizeof *ps) : NULL;
	if (np && !ps)
		r->bad = 1;
	for (uint32_t i = 0; i < np && !r->bad; i++) {
		ps[i].name = get_str(r, a);
		ps[i].type = (weft_type)get_u32(r);
		ps[i].default_json = get_str(r, a);
		ps[i].doc = get_str(r, a);
		if (!ps[i].name)
			r->bad = 1;
	}
	op->params = ps;
	op->n_params = np;
	op->inputs = get_strs(r, a, &op->n_inputs);
	op->outputs = get_strs(r, a, &op->n_outputs);
	return r->bad ? NULL : op;
}

int weft_opindex_decode(const weft_plugin_desc **out, weft_arena *a, const void *blob, size_t len, const char *path)
{
	reader r = {blob, (const unsigned char *)blob + len, 0};
	weft_plugin_desc *d = weft_arena_alloc(a, sizeof *d);
	if (!d)
		return weft_err_set(WEFT_ERROR, "out of memory");
	d->struct_size = sizeof *d;
	uint32_t major = get_u32(&r), minor = get_u32(&r);
	d->abi_major = (uint16_t)major;
	d->abi_minor = (uint16_t)minor;
	d->name = get_str(&r, a);
	d->version = get_str(&r, a);
	d->license = get_str(&r, a);
	d->description = get_str(&r, a);
	uint32_t n = get_count(&r, MAX_OPS);
	weft_op_desc **ops = n ? weft_arena_alloc(a, n * sizeof *ops) : NULL;
	if (n && !ops)
		r.bad = 1;
	for (uint32_t i = 0; i < n && !r.bad; i++)
		ops[i] = decode_op(&r, a);
	d->ops = (const weft_op_desc *const *)ops;
	d->n_ops = n;
	if (r.bad || r.p != r.end || !d->name || major > UINT16_MAX || minor > UINT16_MAX)
		return weft_err_set(WEFT_EINVALID, "the recorded descriptor of plugin %s is damaged; it is described "
						   "again from the library", path);
	*out = d;
	return WEFT_OK;
}

/* ------------------------------------------------------------ the index */

typedef struct ix_entry {
	char *path;
	uint64_t dev, ino, size, mtime_ns, ctime_ns;
	weft_buf blob;
} ix_entry;

struct weft_opindex {
	char *path;
	ix_entry *v;
	size_t n, cap;
	int dirty;
};

static uint64_t ts_ns(struct timespec t)
{
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int stat_matches(const ix_entry *e, const struct stat *st)
{
	return e->dev == (uint64_t)st->st_dev && e->ino == (uint64_t)st->st_ino && e->size == (uint64_t)st->st_size &&
	       e->mtime_ns == ts_ns(st->st_mtim) && e->ctime_ns == ts_ns(st->st_ctim);
}

static void entry_free(ix_entry *e)
{
	free(e->path);
	weft_buf_free(&e->blob);
}

static ix_entry *entry_add(weft_opindex *ix)
{
	if (ix->n == ix->cap) {
		size_t ncap = ix->cap ? ix->cap * 2 : 16;
		ix_entry *v = realloc(ix->v, ncap * sizeof *v);
		if (!v)
			return NULL;
		ix->v = v;
		ix->cap = ncap;
	}
	ix_entry *e = &ix->v[ix->n++];
	memset(e, 0, sizeof *e);
	return e;
}

/* Parses the file's entries; stops at the first damaged one. */
static void parse_index(weft_opindex *ix, const char *data, size_t len)
{
	size_t ml = sizeof IX_MAGIC - 1;
	if (len < ml || memcmp(data, IX_MAGIC, ml))
		return;
	reader r = {(const unsigned char *)data + ml, (const unsigned char *)data + len, 0};
	if (get_u32(&r) != WEFT_ABI_MAJOR || get_u32(&r) != WEFT_ABI_MINOR)
		return;
	uint32_t count = get_count(&r, IX_MAX_ENTRIES);
	for (uint32_t i = 0; i < count && !r.bad; i++) {
		const char *p, *blob;
		uint32_t pl, bl;
		if (!get_span(&r, &p, &pl))
			return;
		uint64_t f[5];
		for (int k = 0; k < 5; k++)
			f[k] = get_u64(&r);
		bl = get_u32(&r);
		if (r.bad || bl > BLOB_MAX || (size_t)(r.end - r.p) < bl)
			return;
		blob = (const char *)r.p;
		r.p += bl;
		ix_entry *e = entry_add(ix);
		if (!e)
			return;
		e->path = weft_strndup(p, pl);
		e->dev = f[0], e->ino = f[1], e->size = f[2], e->mtime_ns = f[3], e->ctime_ns = f[4];
		if (!e->path || weft_buf_put(&e->blob, blob, bl) != WEFT_OK) {
			entry_free(e);
			ix->n--;
			return;
		}
	}
}

weft_opindex *weft_opindex_open(const char *path)
{
	weft_opindex *ix = calloc(1, sizeof *ix);
	if (!ix || !(ix->path = weft_strdup(path))) {
		free(ix);
		return NULL;
	}
	struct stat st;
	char *data = NULL;
	size_t len = 0;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size <= IX_MAX_FILE &&
	    weft_read_file(path, &data, &len) == WEFT_OK)
		parse_index(ix, data, len);
	free(data);
	weft_error_clear();
	return ix;
}

const weft_buf *weft_opindex_lookup(const weft_opindex *ix, const char *path, const struct stat *st)
{
	for (size_t i = 0; ix && i < ix->n; i++)
		if (!strcmp(ix->v[i].path, path))
			return stat_matches(&ix->v[i], st) ? &ix->v[i].blob : NULL;
	return NULL;
}

int weft_opindex_put(weft_opindex *ix, const char *path, const struct stat *st, const weft_buf *blob)
{
	if (!ix)
		return WEFT_OK;
	ix_entry *e = NULL;
	for (size_t i = 0; i < ix->n && !e; i++)
		if (!strcmp(ix->v[i].path, path))
			e = &ix->v[i];
	if (e) {
		e->blob.len = 0;
	} else {
		if (ix->n >= IX_MAX_ENTRIES) {
			/* Full: forget the oldest entry, not the newest plugin. */
			entry_free(&ix->v[0]);
			memmove(ix->v, ix->v + 1, (ix->n - 1) * sizeof *ix->v);
			ix->n--;
		}
		if (!(e = entry_add(ix)) || !(e->path = weft_strdup(path))) {
			if (e)
				ix->n--;
			return weft_err_set(WEFT_ERROR, "out of memory");
		}
	}
	e->dev = (uint64_t)st->st_dev;
	e->ino = (uint64_t)st->st_ino;
	e->size = (uint64_t)st->st_size;
	e->mtime_ns = ts_ns(st->st_mtim);
	e->ctime_ns = ts_ns(st->st_ctim);
	ix->dirty = 1;
	return weft_buf_put(&e->blob, blob->data, blob->len);
}

void weft_opindex_save(weft_opindex *ix)
{
	if (!ix || !ix->dirty)
		return;
	weft_buf b = {0};
	int rc = weft_buf_puts(&b, IX_MAGIC);
	if (rc == WEFT_OK)
		rc = put_u32(&b, WEFT_ABI_MAJOR);
	if (rc == WEFT_OK)
		rc = put_u32(&b, WEFT_ABI_MINOR);
	if (rc == WEFT_OK)
		rc = put_u32(&b, (uint32_t)ix->n);
	for (size_t i = 0; rc == WEFT_OK && i < ix->n; i++) {
		const ix_entry *e = &ix->v[i];
		rc = put_str(&b, e->path);
		const uint64_t f[5] = {e->dev, e->ino, e->size, e->mtime_ns, e->ctime_ns};
		for (int k = 0; rc == WEFT_OK && k < 5; k++)
			rc = put_u64(&b, f[k]);
		if (rc == WEFT_OK)
			rc = put_u32(&b, (uint32_t)e->blob.len);
		if (rc == WEFT_OK)
			rc = weft_buf_put(&b, e->blob.data, e->blob.len);
	}
	if (rc == WEFT_OK && weft_write_file_atomic(ix->path, b.data, b.len, 0) == WEFT_OK)
		ix->dirty = 0;
	weft_buf_free(&b);
	weft_error_clear();
}

void weft_opindex_free(weft_opindex *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->n; i++)
		entry_free(&ix->v[i]);
	free(ix->v);
	free(ix->path);
	free(ix);
}

/* ------------------------------------------------------------ describing */

/* The child: load, describe, report 'D' + blob or 'E' + message. */
static void __attribute__((noreturn)) describe_child(int fd, const char *path, const weft_host_api *api)
{
	/* Die of a crash the ordinary way, whatever handlers the parent set
	 * (a test harness's, say): the parent reads the signal. */
	const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
	for (size_t i = 0; i < sizeof fatal / sizeof *fatal; i++)
		signal(fatal[i], SIG_DFL);
	weft_buf b = {0};
	char tag = 'E';
	void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		weft_err_set(WEFT_EINVALID, "cannot load plugin %s: %s; rebuild it against this weft, or remove it "
					    "from the plugin path", path, dlerror());
	} else {
		weft_plugin_entry_fn entry;
		*(void **)&entry = dlsym(dl, WEFT_PLUGIN_ENTRY_SYMBOL);
		if (!entry)
			weft_err_set(WEFT_EINVALID, "%s is not a weft plugin: it does not export %s(); remove it "
						    "from the plugin directory", path,
				     WEFT_PLUGIN_ENTRY_SYMBOL);
		else if (weft_opindex_encode(&b, entry(api), path) == WEFT_OK)
			tag = 'D';
	}
	const char *msg = weft_error_last();
	if (weft_write_all(fd, &tag, 1) != 0 ||
	    weft_write_all(fd, tag == 'D' ? b.data : msg, tag == 'D' ? b.len : strlen(msg)) != 0)
		_exit(3);
	_exit(0);
}

int weft_opindex_describe(weft_buf *blob, const char *path, const weft_host_api *api)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0)
		return weft_err_set(WEFT_EIO, "cannot describe plugin %s: pipe: %s (too many open files? raise "
					      "`ulimit -n`)", path, strerror(errno));
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return weft_err_set(WEFT_EIO, "cannot describe plugin %s: fork: %s (out of processes or memory; "
					      "close some and retry)", path, strerror(errno));
	}
	if (pid == 0) {
		close(fds[0]);
		describe_child(fds[1], path, api);
	}
	close(fds[1]);
	weft_buf got = {0};
	int rc = WEFT_OK, timed_out = 0;
	double deadline = weft_mono() * 1e3 + DESCRIBE_TIMEOUT_MS;
	char chunk[16384];
	for (;;) {
		double left = deadline - weft_mono() * 1e3;
		struct pollfd pfd = {fds[0], POLLIN, 0};
		int pr = left > 0 ? poll(&pfd, 1, (int)left) : 0;
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0) {
			timed_out = 1;
			kill(pid, SIGKILL);
			break;
		}
		ssize_t r = pr > 0 ? read(fds[0], chunk, sizeof chunk) : -1;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (got.len + (size_t)r > BLOB_MAX + 1) {
			kill(pid, SIGKILL);
			rc = weft_err_set(WEFT_EINVALID, "plugin %s: its descriptor is over %u bytes; shorten its "
							 "docs or split it", path, BLOB_MAX);
			break;
		}
		if (weft_buf_put(&got, chunk, (size_t)r) != WEFT_OK) {
			kill(pid, SIGKILL);
			rc = WEFT_ERROR;
			break;
		}
	}
	close(fds[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc == WEFT_OK) {
		if (timed_out)
			rc = weft_err_set(WEFT_EINVALID,
					  "plugin %s did not describe itself within %d s; remove it from the plugin "
					  "path "
					  "or fix its entry point",
					  path, DESCRIBE_TIMEOUT_MS / 1000);
		else if (WIFSIGNALED(status))
			rc = weft_err_set(WEFT_EINVALID,
					  "plugin %s crashed (signal %d, %s) while describing itself; its descriptor "
					  "is "
					  "malformed: rebuild it against this weft's weft/plugin.h or remove it",
					  path, WTERMSIG(status), strsignal(WTERMSIG(status)));
		else if (!got.len || (got.data[0] != 'D' && got.data[0] != 'E'))
			rc = weft_err_set(WEFT_EINVALID, "plugin %s exited while describing itself (status %d); "
							 "remove it "
						   "from the plugin path or fix its entry point",
					  path, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		else if (got.data[0] == 'E')
			rc = weft_err_set(WEFT_EINVALID, "%.*s", (int)(got.len - 1), got.data + 1);
		else
			rc = weft_buf_put(blob, got.data + 1, got.len - 1);
	}
	weft_buf_free(&got);
	return rc;
}
