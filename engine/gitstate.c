/*
 * gitstate.c -- see gitstate.h. The formats are git's own
 * (Documentation/gitformat-index.txt): the index is "DIRC", a version, a
 * count, then sorted entries of stat data, mode, blob id, flags and path,
 * then extensions, of which TREE (the cached tree) says which tree object
 * the whole index equals, or -1 when a change since invalidated it.
 */
#define _GNU_SOURCE
#include "gitstate.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gitstream.h"
#include "sha1.h"
#include "util.h"

/* No file this reads whole (HEAD, a ref, config, packed-refs, a commit)
 * has any business being larger; a larger one is left to libgit2. */
#define SMALL_MAX (4u << 20)

/* What the work tree holds for an entry, from its stat data. */
enum { W_SAME = 0, W_MOVED = 1, W_GONE = 2, W_ODD = 3 };

typedef struct entry {
	uint32_t path; /* offset into gitstate.paths */
	uint32_t mode;
	unsigned char oid[20];
	uint8_t work; /* W_*: same as staged, stat data moved, no file, unreadable */
} entry;

struct gitstate {
	char commit[41];
	char *branch;
	int detached;
	int clean;   /* tree_ok, and every entry W_SAME */
	int tree_ok; /* the index was read whole and is HEAD's tree: entries are kept */
	int filters; /* -1 not yet asked; 1 git might filter a file when it hashes it; 0 not */
	entry *entries;
	size_t n;
	char *paths;
	char *workdir, *gitdir;
};

/* `path` read whole, NUL-terminated, if it is a regular file under
 * SMALL_MAX; NULL otherwise, with no error message set (absence is an
 * answer here, not a failure). */
static char *read_small(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	struct stat sb;
	char *buf = NULL;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && (uint64_t)sb.st_size < SMALL_MAX &&
	    (buf = malloc((size_t)sb.st_size + 1))) {
		size_t got = 0;
		while (got < (size_t)sb.st_size) {
			ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		if (got != (size_t)sb.st_size) {
			free(buf);
			buf = NULL;
		} else {
			buf[got] = '\0';
			if (len)
				*len = got;
		}
	}
	close(fd);
	return buf;
}

static int is_hex40(const char *s)
{
	unsigned char id[20];
	return gitstream_oid_bin(id, s) == 0;
}

/* A config whose every line is one this path understands the effect of:
 * anything that moves the work tree, includes other files, marks the
 * repository bare or turns on a format extension goes to libgit2. */
static int plain_config(const char *gitdir)
{
	char *path = weft_path_join(gitdir, "config");
	char *text = path ? read_small(path, NULL) : NULL;
	free(path);
	if (!text)
		return 0;
	int plain = 1;
	for (char *line = text; plain && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char flat[128];
		size_t k = 0;
		for (char *c = line; *c && k + 1 < sizeof flat; c++)
			if (!isspace((unsigned char)*c))
				flat[k++] = (char)tolower((unsigned char)*c);
		flat[k] = '\0';
		if (strstr(flat, "worktree") || strstr(flat, "[include") || strstr(flat, "[extensions") ||
		    (!strncmp(flat, "bare", 4) && strcmp(flat, "bare=false")))
			plain = 0;
		line = nl ? nl + 1 : line + strlen(line);
	}
	free(text);
	return plain;
}

int gitstate_discover(char **workdir, char **gitdir, const char *dir)
{
	*workdir = *gitdir = NULL;
	if (getenv("GIT_DIR") || dir[0] != '/')
		return 0;
	char *real = realpath(dir, NULL);
	if (!real || strcmp(real, dir)) {
		free(real);
		return 0; /* a symbolic link on the way: libgit2 knows which side it means */
	}
	struct stat start, sb;
	int found = 0;
	if (stat(real, &start) != 0)
		goto out;
	for (;;) {
		if (stat(real, &sb) != 0 || sb.st_dev != start.st_dev)
			goto out; /* libgit2 stops at a filesystem boundary */
		char *dotgit = weft_path_join(real, ".git");
		if (!dotgit)
			goto out;
		if (lstat(dotgit, &sb) == 0) {
			if (!S_ISDIR(sb.st_mode) || sb.st_uid != geteuid()) {
				free(dotgit);
				goto out; /* a linked worktree, a submodule, or someone else's */
			}
			static const char *const need[] = {"HEAD", "objects", "refs"};
			int ok = 1;
			for (int i = 0; ok && i < 3; i++) {
				char *p = weft_path_join(dotgit, need[i]);
				ok = p && stat(p, &sb) == 0 && (i == 0 ? S_ISREG(sb.st_mode) : S_ISDIR(sb.st_mode));
				free(p);
			}
			char *common = ok ? weft_path_join(dotgit, "commondir") : NULL;
			ok = ok && common && lstat(common, &sb) != 0 && plain_config(dotgit) &&
			     stat(real, &sb) == 0 && sb.st_uid == geteuid();
			free(common);
			if (ok && (*workdir = weft_strdup(real))) {
				*gitdir = dotgit;
				found = 1;
			} else {
				free(dotgit);
			}
			goto out;
		}
		free(dotgit);
		/* a bare repository here, or the root: libgit2 decides */
		char *head = weft_path_join(real, "HEAD");
		int bare = head && stat(head, &sb) == 0;
		free(head);
		char *slash = strrchr(real, '/');
		if (bare || !slash || !real[1])
			goto out; /* the root was the last to look at */
		slash[slash == real] = '\0'; /* the parent; "/" for the root */
	}
out:
	free(real);
	return found;
}

/* The commit `ref` (e.g. refs/heads/main) points at: a loose ref file, else
 * a line of packed-refs. 0 found, -1 unsure. */
static int resolve_ref(char commit[41], const char *gitdir, const char *ref)
{
	if (strstr(ref, "..") || strstr(ref, "//"))
		return -1;
	char *path = weft_path_join(gitdir, ref);
	size_t len = 0;
	char *text = path ? read_small(path, &len) : NULL;
	free(path);
	int rc = -1;
	if (text) {
		if (len >= 40 && is_hex40(text) && (len == 40 || text[40] == '\n')) {
			memcpy(commit, text, 40);
			commit[40] = '\0';
			rc = 0;
		}
		free(text); /* a symbolic ref: libgit2 follows it */
		return rc;
	}
	path = weft_path_join(gitdir, "packed-refs");
	text = path ? read_small(path, &len) : NULL;
	free(path);
	size_t rl = strlen(ref);
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		size_t ll = nl ? (size_t)(nl - line) : strlen(line);
		if (ll == 41 + rl && line[40] == ' ' && is_hex40(line) && !memcmp(line + 41, ref, rl)) {
			memcpy(commit, line, 40);
			commit[40] = '\0';
			rc = 0;
			break;
		}
		line = nl ? nl + 1 : line + ll;
	}
	free(text);
	return rc;
}

static int to_buf(void *ctx, const void *data, size_t len)
{
	weft_buf *b = ctx;
	if (b->len + len > SMALL_MAX)
		return WEFT_ENOTFOUND;
	return weft_buf_put(b, data, len);
}

/* The tree of `commit`, read with gitstream (loose or whole in a pack).
 * 0 found, -1 unsure. */
static int commit_tree(unsigned char tree[20], const char *gitdir, const char *commit)
{
	char *objdir = weft_path_join(gitdir, "objects");
	weft_buf b = {0};
	uint64_t size = 0;
	int rc = objdir ? gitstream_object(objdir, commit, "commit", to_buf, &b, &size) : WEFT_ERROR;
	free(objdir);
	int ok = rc == WEFT_OK && b.len >= 46 && !memcmp(b.data, "tree ", 5) && b.data[45] == '\n' &&
		 gitstream_oid_bin(tree, b.data + 5) == 0;
	weft_buf_free(&b);
	return ok ? 0 : -1;
}

/* Racily clean (the file may have changed in the same instant the index
 * was written), as git judges it: not provably unchanged. */
static int racy(const unsigned char *e, const struct stat *index_st)
{
	uint32_t s = weft_be32(e + 8), ns = weft_be32(e + 12);
	uint32_t is = (uint32_t)index_st->st_mtim.tv_sec, ins = (uint32_t)index_st->st_mtim.tv_nsec;
	return s > is || (s == is && ns >= ins);
}

/* Whether the work tree file's stat data is exactly what the index
 * recorded when the file was staged. */
static int stat_matches(const unsigned char *e, const struct stat *st)
{
	uint32_t mode = weft_be32(e + 24);
	int type_ok = (mode & 0170000) == 0100000 ? S_ISREG(st->st_mode) && !(st->st_mode & 0100) == !(mode & 0100)
		    : (mode & 0170000) == 0120000 ? S_ISLNK(st->st_mode)
						   : 0;
	return type_ok && weft_be32(e + 0) == (uint32_t)st->st_ctim.tv_sec &&
	       weft_be32(e + 4) == (uint32_t)st->st_ctim.tv_nsec && weft_be32(e + 8) == (uint32_t)st->st_mtim.tv_sec &&
	       weft_be32(e + 12) == (uint32_t)st->st_mtim.tv_nsec && weft_be32(e + 16) == (uint32_t)st->st_dev &&
	       weft_be32(e + 20) == (uint32_t)st->st_ino && weft_be32(e + 28) == (uint32_t)st->st_uid &&
	       weft_be32(e + 32) == (uint32_t)st->st_gid && weft_be32(e + 36) == (uint32_t)st->st_size;
}

/* The blob id of the file at `path` as it is (no filter applied), whose
 * lstat is `st`: a link's target, or a regular file's bytes. -1 when it
 * cannot be read whole, is over 256 MB or changed size meanwhile. */
static int blob_id(unsigned char md[20], const char *path, const struct stat *st)
{
	if ((uint64_t)st->st_size > (256u << 20))
		return -1;
	weft_sha1 c;
	weft_sha1_init(&c);
	char head[32];
	int hl = snprintf(head, sizeof head, "blob %llu", (unsigned long long)st->st_size);
	weft_sha1_update(&c, head, (size_t)hl + 1);
	uint64_t got = 0;
	if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX];
		ssize_t r = readlink(path, target, sizeof target);
		if (r < 0 || (uint64_t)r != (uint64_t)st->st_size)
			return -1;
		weft_sha1_update(&c, target, (size_t)r);
		got = (uint64_t)r;
	} else {
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			return -1;
		char buf[65536];
		ssize_t r;
		while ((r = read(fd, buf, sizeof buf)) > 0) {
			weft_sha1_update(&c, buf, (size_t)r);
			got += (uint64_t)r;
		}
		close(fd);
		if (r < 0)
			return -1;
	}
	weft_sha1_final(&c, md);
	return got == (uint64_t)st->st_size ? 0 : -1;
}

/* Whether the file's bytes are the blob `oid`: git's own check of a racily
 * clean entry. Filters (line endings) are not applied, so a filtered file
 * that differs from its blob is unsure, never wrongly clean. */
static int content_matches(const char *path, const struct stat *st, const unsigned char oid[20])
{
	unsigned char md[20];
	return blob_id(md, path, st) == 0 && !memcmp(md, oid, 20);
}

/* The cached tree's root: 0 with its id when valid, -1 otherwise. */
static int tree_root(unsigned char oid[20], const unsigned char *p, size_t len)
{
	/* "" NUL, entry count (ASCII, -1 invalid), SP, subtree count, LF, id */
	if (len < 1 || p[0] != '\0')
		return -1;
	size_t i = 1;
	if (i < len && p[i] == '-')
		return -1;
	while (i < len && p[i] >= '0' && p[i] <= '9')
		i++;
	if (i == 1 || i >= len || p[i++] != ' ')
		return -1;
	size_t j = i;
	while (i < len && p[i] >= '0' && p[i] <= '9')
		i++;
	if (i == j || i >= len || p[i++] != '\n' || len - i < 20)
		return -1;
	memcpy(oid, p + i, 20);
	return 0;
}

/*
 * The id of the tree that entries [lo, hi) of the index make, their paths
 * taken from byte `skip` on (the directory's prefix): what `git write-tree`
 * computes. The index sorts paths bytewise, which is the order git wants
 * inside a tree (a directory sorts as its name plus '/'), so each
 * directory's entries are one run and a tree is written in one pass.
 * Needed when the index has no valid TREE extension, as after a `git stash
 * pop`, which leaves every later run on libgit2's much slower path until
 * the next commit. Depth is bounded by the path length limit. 0, or -1
 * when out of memory.
 */
static int tree_of(unsigned char out[20], const entry *e, const char *paths, size_t lo, size_t hi, size_t skip)
{
	weft_buf b = {0};
	int rc = 0;
	for (size_t k = lo; k < hi && rc == 0;) {
		const char *name = paths + e[k].path + skip;
		const char *slash = strchr(name, '/');
		char mode[16];
		unsigned char oid[20];
		size_t nl;
		if (!slash) {
			nl = strlen(name);
			snprintf(mode, sizeof mode, "%o", (unsigned)e[k].mode);
			memcpy(oid, e[k].oid, 20);
			k++;
		} else {
			nl = (size_t)(slash - name);
			size_t m = k + 1;
			while (m < hi && !strncmp(paths + e[m].path + skip, name, nl + 1))
				m++;
			snprintf(mode, sizeof mode, "40000");
			rc = tree_of(oid, e, paths, k, m, skip + nl + 1);
			k = m;
		}
		if (rc == 0 && (weft_buf_printf(&b, "%s ", mode) != WEFT_OK || weft_buf_put(&b, name, nl) != WEFT_OK ||
				weft_buf_put(&b, "", 1) != WEFT_OK || weft_buf_put(&b, oid, 20) != WEFT_OK))
			rc = -1;
	}
	if (rc == 0) {
		char head[32];
		int hl = snprintf(head, sizeof head, "tree %zu", b.len);
		weft_sha1 c;
		weft_sha1_init(&c);
		weft_sha1_update(&c, head, (size_t)hl + 1);
		if (b.len)
			weft_sha1_update(&c, b.data, b.len);
		weft_sha1_final(&c, out);
	}
	weft_buf_free(&b);
	return rc;
}

/* Reads the index and stats every tracked file; sets s->clean when every
 * check holds. */
static void read_index(gitstate *s, const char *workdir, const char *gitdir, const unsigned char tree[20])
{
	char *path = weft_path_join(gitdir, "index");
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	free(path);
	struct stat ist;
	if (fd < 0 || fstat(fd, &ist) != 0 || ist.st_size < 12 + 20 || (uint64_t)ist.st_size > (1ull << 31)) {
		if (fd >= 0)
			close(fd);
		return;
	}
	size_t len = (size_t)ist.st_size;
	const unsigned char *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return;
	uint32_t version = weft_be32(m + 4), n = weft_be32(m + 8);
	size_t end = len - 20, at = 12, wl = strlen(workdir);
	int ok = !memcmp(m, "DIRC", 4) && (version == 2 || version == 3) && n <= (end - 12) / 62;
	weft_buf paths = {0};
	char full[PATH_MAX];
	size_t moved = 0;
	if (ok && n && !(s->entries = malloc(n * sizeof *s->entries)))
		ok = 0;
	for (uint32_t k = 0; ok && k < n; k++) {
		const unsigned char *e = m + at;
		if (end - at < 62) {
			ok = 0;
			break;
		}
		uint16_t flags = (uint16_t)(e[60] << 8 | e[61]);
		size_t name_at = 62;
		if (flags & 0x4000) { /* extended: skip-worktree, intent-to-add */
			if (version < 3 || end - at < 64 || (e[62] | e[63]))
				ok = 0;
			name_at = 64;
		}
		/* assume-valid or a conflict stage: git's answer is not the stat data's */
		if (!ok || (flags & 0x8000) || (flags & 0x3000)) {
			ok = 0;
			break;
		}
		const unsigned char *name = e + name_at;
		const unsigned char *nul = memchr(name, '\0', end - at - name_at);
		if (!nul) {
			ok = 0;
			break;
		}
		size_t nl = (size_t)(nul - name);
		size_t elen = (name_at + nl + 8) & ~(size_t)7;
		if (nl == 0 || elen > end - at || wl + 1 + nl >= sizeof full) {
			ok = 0;
			break;
		}
		uint32_t mode = weft_be32(e + 24);
		uint8_t work = W_SAME;
		if ((mode & 0170000) != 0160000) { /* submodules are left out, as status is asked to */
			memcpy(full, workdir, wl);
			full[wl] = '/';
			memcpy(full + wl + 1, name, nl + 1);
			struct stat st;
			/* A change is noted, not judged: whether it is one is
			 * asked only when a caller needs it (gitstate_dirty). */
			if (lstat(full, &st) != 0)
				work = errno == ENOENT || errno == ENOTDIR ? W_GONE : W_ODD;
			else if (!stat_matches(e, &st) || (racy(e, &ist) && !content_matches(full, &st, e + 40)))
				work = W_MOVED;
			moved += work != W_SAME;
		}
		s->entries[s->n].path = (uint32_t)paths.len;
		s->entries[s->n].mode = mode;
		s->entries[s->n].work = work;
		memcpy(s->entries[s->n].oid, e + 40, 20);
		if (paths.len > UINT32_MAX - nl - 1 || weft_buf_put(&paths, name, nl + 1) != WEFT_OK) {
			ok = 0;
			break;
		}
		s->n++;
		at += elen;
	}
	int have_tree = 0;
	while (ok && at < end) {
		if (end - at < 8) {
			ok = 0;
			break;
		}
		const unsigned char *x = m + at;
		uint32_t xl = weft_be32(x + 4);
		if (xl > end - at - 8) {
			ok = 0;
			break;
		}
		if (!memcmp(x, "TREE", 4)) {
			/* A valid cached root decides; an invalidated one is
			 * computed below. */
			unsigned char root[20];
			if (tree_root(root, x + 8, xl) == 0) {
				have_tree = !memcmp(root, tree, 20);
				ok = have_tree;
			}
		} else if (x[0] < 'A' || x[0] > 'Z') {
			ok = 0; /* a required extension (split or sparse index): libgit2's job */
		}
		at += 8 + xl;
	}
	munmap((void *)m, len);
	if (ok && !have_tree) {
		unsigned char root[20];
		have_tree = paths.data && tree_of(root, s->entries, paths.data, 0, s->n, 0) == 0 &&
			    !memcmp(root, tree, 20);
	}
	if (ok && have_tree) {
		s->paths = paths.data ? paths.data : weft_strdup("");
		s->tree_ok = s->paths != NULL;
		s->clean = s->tree_ok && moved == 0;
	} else {
		weft_buf_free(&paths);
		free(s->entries);
		s->entries = NULL;
		s->n = 0;
	}
}

gitstate *gitstate_read(const char *workdir, const char *gitdir)
{
	gitstate *s = calloc(1, sizeof *s);
	char *head_path = weft_path_join(gitdir, "HEAD");
	size_t len = 0;
	char *head = head_path ? read_small(head_path, &len) : NULL;
	free(head_path);
	int ok = s && head;
	if (ok && len >= 40 && is_hex40(head) && (len == 40 || head[40] == '\n')) {
		memcpy(s->commit, head, 40);
		s->detached = 1;
	} else if (ok && !strncmp(head, "ref: refs/heads/", 16)) {
		char *ref = head + 5;
		ref[strcspn(ref, "\n")] = '\0';
		ok = resolve_ref(s->commit, gitdir, ref) == 0 && (s->branch = weft_strdup(ref + 11));
	} else {
		ok = 0;
	}
	free(head);
	unsigned char tree[20];
	if (ok && commit_tree(tree, gitdir, s->commit) != 0)
		ok = 0; /* not readable here, or HEAD is not a commit */
	if (!ok) {
		gitstate_free(s);
		return NULL;
	}
	s->filters = -1;
	if (!(s->workdir = weft_strdup(workdir)) || !(s->gitdir = weft_strdup(gitdir))) {
		gitstate_free(s);
		return NULL;
	}
	read_index(s, workdir, gitdir, tree);
	return s;
}

void gitstate_free(gitstate *s)
{
	if (!s)
		return;
	free(s->branch);
	free(s->entries);
	free(s->paths);
	free(s->workdir);
	free(s->gitdir);
	free(s);
}

const char *gitstate_commit(const gitstate *s)
{
	return s->commit;
}

const char *gitstate_branch(const gitstate *s)
{
	return s->branch;
}

int gitstate_detached(const gitstate *s)
{
	return s->detached;
}

int gitstate_clean(const gitstate *s)
{
	return s->clean;
}

static const entry *find(const gitstate *s, const char *rel)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->paths + s->entries[mid].path, rel);
		if (c == 0)
			return &s->entries[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void to_hex(char out[41], const unsigned char oid[20])
{
	for (int i = 0; i < 20; i++)
		snprintf(out + 2 * i, 3, "%02x", oid[i]);
}

/* Whether `text` (a config file) sets anything that can make git filter
 * a file it hashes, or brings in other files that might. */
static int config_filters(const char *text)
{
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char flat[256];
		size_t k = 0;
		for (size_t i = 0; i < len && k + 1 < sizeof flat; i++)
			if (!isspace((unsigned char)line[i]))
				flat[k++] = (char)tolower((unsigned char)line[i]);
		flat[k] = '\0';
		if (strstr(flat, "autocrlf") || strstr(flat, "eol") || strstr(flat, "attributesfile") ||
		    strstr(flat, "[include") || strstr(flat, "[filter") || k + 1 >= sizeof flat)
			return 1;
		line = nl ? nl + 1 : line + len;
	}
	return 0;
}

/* 1 when the file at `path` exists (or cannot be told not to), 0 when it
 * does not. */
static int exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 || errno != ENOENT;
}

/* 1 when a config file at `path` exists and may ask for a filter. */
static int config_file_filters(const char *path)
{
	if (!path || !exists(path))
		return 0;
	char *text = read_small(path, NULL);
	int f = !text || config_filters(text);
	free(text);
	return f;
}

/* $XDG_CONFIG_HOME/git/<name>, else ~/.config/git/<name>: where git
 * reads the user's attributes and config. NULL without either variable. */
static char *xdg_git(const char *name)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *dir = xdg && *xdg ? weft_path_join(xdg, "git") : home ? weft_path_join(home, ".config/git") : NULL;
	char *p = dir ? weft_path_join(dir, name) : NULL;
	free(dir);
	return p;
}

/* Whether git might apply a filter (line endings, ident, a filter
 * driver) to some file of this work tree when it hashes it: an
 * attributes file it reads (tracked anywhere, or at the top, in
 * .git/info, or the user's), or a setting in the repository's, the
 * user's or the system's config. The answer is kept. Attributes files
 * below the top that are not tracked are checked per file (filters_for). */
static int filters_possible(gitstate *s)
{
	if (s->filters >= 0)
		return s->filters;
	int f = getenv("GIT_CONFIG_GLOBAL") || getenv("GIT_CONFIG_SYSTEM") || getenv("GIT_CONFIG_PARAMETERS") ||
		getenv("GIT_CONFIG_COUNT") || getenv("GIT_ATTR_SOURCE");
	for (size_t i = 0; !f && i < s->n; i++) {
		const char *p = s->paths + s->entries[i].path, *slash = strrchr(p, '/');
		f = !strcmp(slash ? slash + 1 : p, ".gitattributes");
	}
	const char *home = getenv("HOME");
	char *attrs[3] = {weft_path_join(s->workdir, ".gitattributes"), weft_path_join(s->gitdir, "info/attributes"),
			  xdg_git("attributes")};
	char *configs[4] = {weft_path_join(s->gitdir, "config"), home ? weft_path_join(home, ".gitconfig") : NULL,
			    xdg_git("config"), weft_strdup("/etc/gitconfig")};
	for (int i = 0; i < 3; i++)
		f = f || !attrs[i] || exists(attrs[i]); /* NULL: not known where to look */
	for (int i = 0; i < 4; i++)
		f = f || ((i == 0 || i == 3) && !configs[i]) || config_file_filters(configs[i]);
	for (int i = 0; i < 3; i++)
		free(attrs[i]);
	for (int i = 0; i < 4; i++)
		free(configs[i]);
	s->filters = f;
	return f;
}

/* filters_possible, and an attributes file in any folder between the
 * top and the file `rel` (one that is not tracked applies too). */
static int filters_for(gitstate *s, const char *rel)
{
	if (filters_possible(s))
		return 1;
	char path[PATH_MAX];
	size_t wl = strlen(s->workdir);
	for (const char *slash = strchr(rel, '/'); slash; slash = strchr(slash + 1, '/')) {
		size_t dl = (size_t)(slash - rel);
		if (wl + 1 + dl + sizeof "/.gitattributes" > sizeof path)
			return 1;
		memcpy(path, s->workdir, wl);
		path[wl] = '/';
		memcpy(path + wl + 1, rel, dl);
		memcpy(path + wl + 1 + dl, "/.gitattributes", sizeof "/.gitattributes");
		if (exists(path))
			return 1;
	}
	return 0;
}

/* The work tree's blob id for tracked entry e whose stat data moved:
 * 0 with it in md, -1 when git's answer cannot be told for certain (the
 * file's type or mode changed, a filter might apply, it cannot be read). */
static int work_blob(gitstate *s, const entry *e, unsigned char md[20])
{
	const char *rel = s->paths + e->path;
	char *full = weft_path_join(s->workdir, rel);
	struct stat st;
	int rc = -1;
	if (full && lstat(full, &st) == 0) {
		uint32_t type = e->mode & 0170000;
		if (type == 0120000 && S_ISLNK(st.st_mode))
			rc = blob_id(md, full, &st); /* a link's target is never filtered */
		else if (type == 0100000 && S_ISREG(st.st_mode) && !(st.st_mode & 0100) == !(e->mode & 0100) &&
			 !filters_for(s, rel))
			rc = blob_id(md, full, &st);
	}
	free(full);
	return rc;
}

int gitstate_dirty(gitstate *s)
{
	if (s->clean)
		return 0;
	if (!s->tree_ok)
		return -1;
	/* One change proves it dirty; clean needs every moved entry checked. */
	int unsure = 0;
	for (size_t i = 0; i < s->n; i++) {
		const entry *e = &s->entries[i];
		unsigned char md[20];
		if (e->work == W_SAME)
			continue;
		if (e->work == W_GONE)
			return 1; /* a tracked file was deleted */
		if (e->work == W_ODD || work_blob(s, e, md) != 0)
			unsure = 1;
		else if (memcmp(md, e->oid, 20))
			return 1;
	}
	return unsure ? -1 : 0;
}

/* An untracked regular file's blob id (a pipeline not yet committed). */
static int untracked_blob(gitstate *s, const char *rel, unsigned char md[20])
{
	char *full = weft_path_join(s->workdir, rel);
	struct stat st;
	int rc = full && lstat(full, &st) == 0 && S_ISREG(st.st_mode) && !filters_for(s, rel) ? blob_id(md, full, &st)
												: -1;
	free(full);
	return rc;
}

int gitstate_blobs(gitstate *s, const char *rel, char head[41], char work[41])
{
	if (!s->tree_ok)
		return 0;
	const entry *e = find(s, rel);
	unsigned char md[20];
	if (!e) { /* not in the index, so not in HEAD's tree either */
		if (untracked_blob(s, rel, md) != 0)
			return 0;
		head[0] = '\0';
		to_hex(work, md);
		return 1;
	}
	if ((e->mode & 0170000) != 0100000)
		return 0; /* a link (what reads it reads the target): libgit2's */
	if (e->work == W_SAME)
		memcpy(md, e->oid, 20);
	else if (e->work != W_MOVED || work_blob(s, e, md) != 0)
		return 0;
	to_hex(head, e->oid);
	to_hex(work, md);
	return 1;
}
