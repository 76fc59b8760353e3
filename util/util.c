/*
 * util.c -- byte buffers, paths, atomic file primitives, the did-you-mean
 * rule and clocks. It holds no state (the error slot is in error.c).
 */
#define _GNU_SOURCE
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int weft_buf_reserve(weft_buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return WEFT_OK;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *p = realloc(b->data, cap);
	if (!p)
		return weft_err_set(WEFT_ERROR, "out of memory");
	b->data = p;
	b->cap = cap;
	return WEFT_OK;
}

int weft_buf_put(weft_buf *b, const void *p, size_t n)
{
	if (weft_buf_reserve(b, n) != WEFT_OK)
		return WEFT_ERROR;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return WEFT_OK;
}

int weft_buf_puts(weft_buf *b, const char *s)
{
	return weft_buf_put(b, s, strlen(s));
}

int weft_buf_printf(weft_buf *b, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || weft_buf_reserve(b, (size_t)n) != WEFT_OK) {
		va_end(ap2);
		return WEFT_ERROR;
	}
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	b->len += (size_t)n;
	return WEFT_OK;
}

void weft_buf_free(weft_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *weft_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *weft_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *weft_sprintf(const char *fmt, ...)
{
	va_list ap;
	char *out = NULL;
	va_start(ap, fmt);
	if (vasprintf(&out, fmt, ap) < 0)
		out = NULL;
	va_end(ap);
	return out;
}

char *weft_path_join(const char *a, const char *b)
{
	if (!a || !*a || b[0] == '/')
		return weft_strdup(b);
	size_t la = strlen(a);
	return weft_sprintf("%s%s%s", a, a[la - 1] == '/' ? "" : "/", b);
}

/* Collapses "." and ".." segments without touching the filesystem, so paths
 * to files that do not exist yet normalise too. */
static char *normalise(const char *path)
{
	size_t n = strlen(path);
	char *out = malloc(n + 2);
	if (!out)
		return NULL;
	size_t o = 0;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *seg = p;
		while (*p && *p != '/')
			p++;
		size_t sl = (size_t)(p - seg);
		if (sl == 1 && seg[0] == '.')
			continue;
		if (sl == 2 && seg[0] == '.' && seg[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			continue;
		}
		out[o++] = '/';
		memcpy(out + o, seg, sl);
		o += sl;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

char *weft_path_abs(const char *base, const char *path)
{
	char cwd[PATH_MAX];
	char *joined;
	if (path[0] == '/') {
		joined = weft_strdup(path);
	} else if (base && base[0] == '/') {
		joined = weft_path_join(base, path);
	} else {
		if (!getcwd(cwd, sizeof cwd))
			return NULL;
		char *b = base ? weft_path_join(cwd, base) : weft_strdup(cwd);
		if (!b)
			return NULL;
		joined = weft_path_join(b, path);
		free(b);
	}
	if (!joined)
		return NULL;
	char *n = normalise(joined);
	free(joined);
	return n;
}

char *weft_path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return weft_strdup(".");
	if (slash == path)
		return weft_strdup("/");
	return weft_strndup(path, (size_t)(slash - path));
}

int weft_mkdirs(const char *path, int mode)
{
	/* Usually the parent exists (a cache fan-out dir, a log dir): one
	 * mkdir, not one per component. */
	if (mkdir(path, (mode_t)mode) == 0 || errno == EEXIST)
		return WEFT_OK;
	if (errno != ENOENT)
		return weft_err_set(WEFT_EIO, "cannot create directory %s: %s", path, strerror(errno));
	char tmp[PATH_MAX];
	size_t n = strlen(path);
	if (n >= sizeof tmp)
		return weft_err_set(WEFT_EIO, "path too long: %s", path);
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, (mode_t)mode) != 0 && errno != EEXIST)
			return weft_err_set(WEFT_EIO, "cannot create directory %s: %s", tmp, strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, (mode_t)mode) != 0 && errno != EEXIST)
		return weft_err_set(WEFT_EIO, "cannot create directory %s: %s", tmp, strerror(errno));
	return WEFT_OK;
}

int weft_read_file(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return weft_err_set(errno == ENOENT ? WEFT_ENOTFOUND : WEFT_EIO, "cannot open %s: %s", path,
				    strerror(errno));
	weft_buf b = {0};
	/* A file's whole size at once, read in place: growing by doublings
	 * through a stack chunk copied a 2 MB stat cache at every doubling and
	 * once more from the chunk. A file that grows, or one with no size (a
	 * pipe), reads on in 64 KiB steps. */
	struct stat st;
	int sized = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
		    (uint64_t)st.st_size < ((uint64_t)1 << 40);
	size_t want = sized ? (size_t)st.st_size + 1 : 65536;
	for (;;) {
		/* room for `want` more bytes and the terminating NUL */
		if (b.cap - b.len < 2 && weft_buf_reserve(&b, want) != WEFT_OK) {
			close(fd);
			weft_buf_free(&b);
			return WEFT_ERROR;
		}
		want = 65536;
		ssize_t r = read(fd, b.data + b.len, b.cap - b.len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			weft_buf_free(&b);
			return weft_err_set(WEFT_EIO, "cannot read %s: %s", path, strerror(e));
		}
		if (r == 0)
			break;
		b.len += (size_t)r;
	}
	close(fd);
	if (!b.data && weft_buf_reserve(&b, 0) != WEFT_OK)
		return WEFT_ERROR;
	b.data[b.len] = '\0';
	*out = b.data;
	if (len)
		*len = b.len;
	return WEFT_OK;
}

int weft_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static void sync_dir_of(const char *path)
{
	char *dir = weft_path_dirname(path);
	if (!dir)
		return;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

/* Temp names carry pid and a counter-free random suffix from mkstemp so
 * concurrent writers of the same target never share a temp file. */
static int open_temp_beside(const char *path, char **tmp_out)
{
	char *tmp = weft_sprintf("%s.tmp.XXXXXX", path);
	if (!tmp)
		return weft_err_set(WEFT_ERROR, "out of memory");
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		return weft_err_set(WEFT_EIO, "cannot create temp file for %s: %s", path, strerror(e));
	}
	*tmp_out = tmp;
	return fd;
}

int weft_rename_noreplace(int fromdir, const char *from, int todir, const char *to)
{
	if (renameat2(fromdir, from, todir, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return -1;
	if (linkat(fromdir, from, todir, to, 0) != 0)
		return -1;
	(void)unlinkat(fromdir, from, 0);
	return 0;
}

int weft_atomic_open(const char *path, char **tmp)
{
	return open_temp_beside(path, tmp);
}

int weft_atomic_commit(int fd, const char *tmp, const char *path, int sync)
{
	if (sync && fsync(fd) != 0) {
		int rc = weft_err_set(WEFT_EIO, "cannot write %s: %s", path, strerror(errno));
		weft_atomic_abort(fd, tmp);
		return rc;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		int rc = weft_err_set(WEFT_EIO, "cannot replace %s: %s", path, strerror(errno));
		(void)unlink(tmp);
		return rc;
	}
	if (sync)
		sync_dir_of(path);
	return WEFT_OK;
}

void weft_atomic_abort(int fd, const char *tmp)
{
	if (fd >= 0)
		close(fd);
	(void)unlink(tmp);
}

int weft_write_file_atomic(const char *path, const void *data, size_t len, int sync)
{
	char *tmp = NULL;
	int fd = open_temp_beside(path, &tmp);
	if (fd < 0)
		return fd;
	int rc = WEFT_OK;
	if (weft_write_all(fd, data, len) != 0 || (sync && fsync(fd) != 0)) {
		rc = weft_err_set(WEFT_EIO, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		unlink(tmp);
		goto cleanup;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		rc = weft_err_set(WEFT_EIO, "cannot replace %s: %s", path, strerror(errno));
		unlink(tmp);
		goto cleanup;
	}
	if (sync)
		sync_dir_of(path);
cleanup:
	free(tmp);
	return rc;
}

int weft_copy_fd(int in, int out, int (*each)(void *arg, const void *data, size_t len), void *arg,
		 uint64_t *copied)
{
	char chunk[65536]; /* on the stack: a heap buffer cost a mapping per file */
	uint64_t total = 0;
	int rc = 0;
	for (;;) {
		ssize_t r = read(in, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (r > 0 && weft_write_all(out, chunk, (size_t)r) != 0)) {
			rc = -1;
			break;
		}
		if (r > 0 && each && each(arg, chunk, (size_t)r) != 0) {
			errno = EIO;
			rc = -1;
			break;
		}
		if (r == 0)
			break;
		total += (uint64_t)r;
	}
	if (copied)
		*copied = total;
	return rc;
}

int weft_copy_file_atomic(const char *src, const char *dst, int mode)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return weft_err_set(WEFT_EIO, "cannot open %s: %s", src, strerror(errno));
	char *tmp = NULL;
	int out = open_temp_beside(dst, &tmp);
	if (out < 0) {
		close(in);
		return out;
	}
	int rc = WEFT_OK;
	if (weft_copy_fd(in, out, NULL, NULL, NULL) != 0)
		rc = weft_err_set(WEFT_EIO, "cannot copy %s to %s: %s", src, dst, strerror(errno));
	close(in);
	if (fchmod(out, (mode_t)mode) != 0 && rc == WEFT_OK)
		rc = weft_err_set(WEFT_EIO, "cannot chmod %s: %s", tmp, strerror(errno));
	if (close(out) != 0 && rc == WEFT_OK)
		rc = weft_err_set(WEFT_EIO, "cannot write %s: %s", dst, strerror(errno));
	if (rc == WEFT_OK && rename(tmp, dst) != 0)
		rc = weft_err_set(WEFT_EIO, "cannot rename to %s: %s", dst, strerror(errno));
	if (rc != WEFT_OK)
		unlink(tmp);
	free(tmp);
	return rc;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int weft_dir_list(const char *dir, int (*keep)(const char *name), char ***names, size_t *n)
{
	*names = NULL;
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? WEFT_OK : weft_err_set(WEFT_EIO, "cannot read %s: %s", dir, strerror(errno));
	struct dirent *e;
	size_t cap = 0;
	int rc = WEFT_OK;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || (keep && !keep(e->d_name)))
			continue;
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			char **v = realloc(*names, nc * sizeof *v);
			if (!v) {
				rc = weft_err_set(WEFT_ERROR, "out of memory");
				break;
			}
			*names = v;
			cap = nc;
		}
		if (!((*names)[*n] = weft_strdup(e->d_name))) {
			rc = weft_err_set(WEFT_ERROR, "out of memory");
			break;
		}
		(*n)++;
	}
	closedir(d);
	if (*n > 1)
		qsort(*names, *n, sizeof **names, cmp_name);
	return rc;
}

void weft_dir_list_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int weft_rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? WEFT_OK : weft_err_set(WEFT_EIO, "cannot stat %s", path);
	if (S_ISDIR(st.st_mode)) {
		/* Store trees are read-only; make them writable so entries can go. */
		(void)chmod(path, 0755);
		DIR *d = opendir(path);
		if (!d)
			return weft_err_set(WEFT_EIO, "cannot open %s: %s", path, strerror(errno));
		struct dirent *e;
		int rc = WEFT_OK;
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char *child = weft_path_join(path, e->d_name);
			if (!child || weft_rm_rf(child) != WEFT_OK)
				rc = WEFT_EIO;
			free(child);
		}
		closedir(d);
		if (rmdir(path) != 0)
			rc = weft_err_set(WEFT_EIO, "cannot remove %s: %s", path, strerror(errno));
		return rc;
	}
	if (unlink(path) != 0)
		return weft_err_set(WEFT_EIO, "cannot remove %s: %s", path, strerror(errno));
	return WEFT_OK;
}

size_t weft_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return (size_t)-1;
	size_t row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t sub = prev + (a[i - 1] != b[j - 1]);
			size_t del = row[j] + 1, ins = row[j - 1] + 1;
			row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
			prev = cur;
		}
	}
	return row[lb];
}

void weft_suggest_init(weft_suggester *s, const char *word)
{
	s->word = word ? word : "";
	s->best = s->prefix = NULL;
	s->bestd = (size_t)-1;
}

void weft_suggest_add(weft_suggester *s, const char *cand)
{
	if (!cand)
		return;
	size_t d = weft_edit_distance(s->word, cand);
	if (d < s->bestd) {
		s->bestd = d;
		s->best = cand;
	}
	size_t wl = strlen(s->word);
	if (!s->prefix && wl >= 3 && !strncmp(cand, s->word, wl))
		s->prefix = cand;
}

const char *weft_suggest_best(const weft_suggester *s)
{
	size_t wl = strlen(s->word);
	if (s->best && s->bestd <= wl / 2 + (wl >= 4))
		return s->best;
	return s->prefix;
}

const char *weft_suggest(const char *word, const char *const *cands, size_t n)
{
	weft_suggester s;
	weft_suggest_init(&s, word);
	for (size_t i = 0; i < n; i++)
		weft_suggest_add(&s, cands[i]);
	return weft_suggest_best(&s);
}

double weft_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double weft_mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

uint64_t weft_fnv1a(const void *p, size_t n)
{
	const unsigned char *c = p;
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t le64(const unsigned char *c)
{
	/* Compilers make this one load on a little-endian machine. */
	return (uint64_t)c[0] | (uint64_t)c[1] << 8 | (uint64_t)c[2] << 16 | (uint64_t)c[3] << 24 |
	       (uint64_t)c[4] << 32 | (uint64_t)c[5] << 40 | (uint64_t)c[6] << 48 | (uint64_t)c[7] << 56;
}

uint64_t weft_check64(const void *p, size_t n)
{
	const unsigned char *c = p;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)n;
	size_t i = 0;
	/* Each step is a bijection of h for a given word (xor, a multiply by an
	 * odd constant, an xor-shift), so two inputs that differ in one word
	 * never meet again. */
	for (; i + 8 <= n; i += 8) {
		h = (h ^ le64(c + i)) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	unsigned char tail[8] = {0};
	memcpy(tail, c + i, n - i);
	h = (h ^ le64(tail)) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

int weft_parse_duration(double *out, const char *s)
{
	/* "90", "90s", "1.5m", "2h", "1h30m": the forms schedulers accept. */
	const char *p = s;
	double total = 0;
	int parts = 0;
	while (p && *p) {
		char *end;
		if (!(*p >= '0' && *p <= '9') && *p != '.')
			break;
		double v = strtod(p, &end);
		if (end == p)
			break;
		double unit = 1;
		if (*end == 'h')
			unit = 3600;
		else if (*end == 'm' && end[1] != 's')
			unit = 60;
		else if (*end == 'm')
			unit = 0.001, end++;
		else if (*end == 's' || *end == '\0')
			unit = 1;
		else
			break;
		if (*end)
			end++;
		total += v * unit;
		parts++;
		p = end;
	}
	if (!s || !parts || *p || !(total >= 0) || total > 1e9)
		return weft_err_set(WEFT_EINVALID, "'%s' is not a duration (examples: 30, 90s, 5m, 1h30m)", s ? s : "");
	*out = total;
	return WEFT_OK;
}

/* "file:line" into buf, truncating the file name: what snprintf would
 * write, without its cost on every node (most never report an error). */
void weft_file_line(char *buf, size_t cap, const char *file, int line)
{
	char digits[16];
	size_t nd = 0;
	unsigned u = line < 0 ? 0u : (unsigned)line; /* lines start at 1; 0 means unknown */
	do
		digits[nd++] = (char)('0' + u % 10);
	while ((u /= 10) && nd < sizeof digits);
	size_t fl = strlen(file);
	if (fl + 1 + nd >= cap)
		fl = cap > nd + 2 ? cap - 2 - nd : 0;
	if (cap < nd + 2) {
		if (cap)
			buf[0] = '\0';
		return;
	}
	memcpy(buf, file, fl);
	buf[fl++] = ':';
	while (nd)
		buf[fl++] = digits[--nd];
	buf[fl] = '\0';
}
