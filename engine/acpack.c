/*
 * acpack.c -- action-cache packs (acpack.h): records, indexes, the readers'
 * view of every pack in the store, recovery of a dead writer's pack, merging.
 *
 * Layout (integers big-endian):
 *   pack:  "WACPACK1", then records:
 *          u32 length (bit 31: the key is dropped; length 0 then)
 *          32-byte key  `length` bytes of entry (cache.c's encoding)
 *          u64 weft_check64 of the record's bytes before it
 *   index: "WACIDX01"  u64 n  u64 bytes of the pack it covers
 *          n x (32-byte key, u64 offset of the entry, u32 length, u32 flags),
 *          sorted by key, one per key (the pack's newest record of it)
 *          u64 weft_check64 of (the 24 bytes before the entries, then u64
 *          weft_check64 of the entries)
 * An index is derived data: a damaged or missing one is rebuilt from its
 * pack, so neither file is fsynced when a run writes it. A merge fsyncs
 * its output before it removes what it merged.
 */
#define _GNU_SOURCE
#include "acpack.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define PACK_MAGIC "WACPACK1"
#define IDX_MAGIC "WACIDX01"
#define PACK_HEAD 8
#define REC_HEAD 36 /* length + key */
#define REC_TAIL 8
#define REC_DROP 0x80000000u
#define REC_MAX (64u << 20)
#define IDX_HEAD 24
#define IDX_ENT 48
#define MAX_OPEN_PACKS 256
/* Packs up to this size are mapped for their hits; larger ones are read a
 * record at a time. A mapped page a hit touched counts in the run's RSS:
 * 100,000 noop nodes' 15 MB pack was over the 2 KiB a node the engine
 * allows itself, while a pread a hit was half of the kernel's time in a
 * 10,000-node shell no-op. */
#define MAP_PACK_MAX ((size_t)8 << 20)

enum { W_OWN = 1, W_LIVE = 2, W_SEEN = 3 };

typedef struct slot {
	unsigned char key[32];
	uint64_t off;
	uint32_t len;
	uint8_t where, drop;
} slot;

/* Keys in the order added, and an open-addressing index of them (0 empty,
 * else position + 1; a SHA-256 key's first 8 bytes are its hash). 52
 * bytes a key at most: a 100,000-node run adds them all. */
typedef struct keytab {
	slot *v;
	size_t n, cap;
	uint32_t *ix;
	size_t icap;
} keytab;

/* An indexed pack. Its index is mapped; its records are read with pread:
 * mapped, every hit's page would count in the run's memory. */
typedef struct pack {
	char *name; /* without .pack / .idx */
	unsigned char *idx;
	size_t idx_len, data_len; /* data_len: what the index covers */
	int fd;
	uint64_t n;
	/* A small pack's records, mapped at its first hit (MAP_PACK_MAX):
	 * a hit is then no system call. map_tried: mapped or refused. */
	unsigned char *map;
	int map_tried;
} pack;

typedef struct live {
	char *name;
	int fd;
	uint64_t off; /* read up to here */
} live;

struct weft_acpack {
	char *ac, *dir; /* <store>/ac, <store>/ac/packs */
	int listed, loose;
	pack *packs; /* newest first */
	size_t np;
	live *lives;
	size_t nl;
	weft_buf over; /* the entries read from packs being written */
	keytab tab;    /* this handle's records and those read from live packs */
	int fd;        /* this handle's pack, or -1 */
	char *own;
	uint64_t own_off;
	weft_buf rec, scratch;
};

static void set_be32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (24 - 8 * i));
}

/* A hex digit's value + 1; 0 for anything else. */
static const unsigned char HEX1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
	['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

/* A key as 32 bytes; 0 unless it is exactly 64 lowercase hex digits. What
 * is written must pass this. */
static int unhex(unsigned char raw[32], const char *key)
{
	const unsigned char *k = (const unsigned char *)key;
	for (int i = 0; i < 32; i++) {
		unsigned hi = HEX1[k[2 * i]], lo = hi ? HEX1[k[2 * i + 1]] : 0;
		if (!lo) /* also stops at the NUL of a short key */
			return 0;
		raw[i] = (unsigned char)((hi - 1) << 4 | (lo - 1));
	}
	return k[64] == '\0';
}

/* The same for a lookup, without judging each digit: every lookup unpacks
 * its key (a branch per digit was 500 instructions a key), and a key that
 * is no hex can match no entry anyway, since the entry found must hold
 * the same 64 characters (cache.c checks). Only the length is checked.
 * Eight digits a step: a digit's value is its low nibble, plus 9 for a
 * letter (bit 6 set); pairs are then packed into bytes within the word. */
static int unhex_lookup(unsigned char raw[32], const char *key)
{
	if (strnlen(key, 65) != 64)
		return 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	for (int i = 0; i < 8; i++) {
		uint64_t w;
		memcpy(&w, key + 8 * i, 8);
		uint64_t v = (w & 0x0f0f0f0f0f0f0f0full) + ((w >> 6) & 0x0101010101010101ull) * 9;
		/* Byte pairs (first digit in the low byte) -> one byte each. */
		v = ((v & 0x000f000f000f000full) << 4) | ((v >> 8) & 0x000f000f000f000full);
		v = (v | (v >> 8)) & 0x0000ffff0000ffffull;
		v = (v | (v >> 16)) & 0xffffffffull;
		uint32_t out = (uint32_t)v;
		memcpy(raw + 4 * i, &out, 4);
	}
#else
	const unsigned char *k = (const unsigned char *)key;
	for (int i = 0; i < 32; i++)
		raw[i] = (unsigned char)((HEX1[k[2 * i]] - 1u) << 4 | ((HEX1[k[2 * i + 1]] - 1u) & 15u));
#endif
	return 1;
}

static void tohex(char out[65], const unsigned char raw[32])
{
	static const char d[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = d[raw[i] >> 4];
		out[2 * i + 1] = d[raw[i] & 15];
	}
	out[64] = '\0';
}

static size_t kt_home(size_t cap, const unsigned char *k)
{
	uint64_t h;
	memcpy(&h, k, sizeof h);
	return (size_t)h & (cap - 1);
}

static slot *kt_find(const keytab *t, const unsigned char *k)
{
	if (!t->icap)
		return NULL;
	for (size_t i = kt_home(t->icap, k);; i = (i + 1) & (t->icap - 1)) {
		if (!t->ix[i])
			return NULL;
		slot *s = &t->v[t->ix[i] - 1];
		if (!memcmp(s->key, k, 32))
			return s;
	}
}

/* The slot of `k`, new (zeroed) or the one it had; NULL when out of
 * memory. Valid until the next add. */
static slot *kt_add(keytab *t, const unsigned char *k)
{
	slot *s = kt_find(t, k);
	if (s)
		return s;
	if (t->n >= UINT32_MAX - 1)
		return NULL;
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 256;
		slot *nv = realloc(t->v, nc * sizeof *nv);
		if (!nv)
			return NULL;
		t->v = nv;
		t->cap = nc;
	}
	if ((t->n + 1) * 2 > t->icap) {
		size_t nc = t->icap ? t->icap * 2 : 512;
		uint32_t *nx = calloc(nc, sizeof *nx);
		if (!nx)
			return NULL;
		for (size_t i = 0; i < t->n; i++) {
			size_t j = kt_home(nc, t->v[i].key);
			while (nx[j])
				j = (j + 1) & (nc - 1);
			nx[j] = (uint32_t)(i + 1);
		}
		free(t->ix);
		t->ix = nx;
		t->icap = nc;
	}
	size_t i = kt_home(t->icap, k);
	while (t->ix[i])
		i = (i + 1) & (t->icap - 1);
	s = &t->v[t->n];
	memset(s, 0, sizeof *s);
	memcpy(s->key, k, 32);
	t->ix[i] = (uint32_t)++t->n;
	return s;
}

static void kt_free(keytab *t)
{
	free(t->v);
	free(t->ix);
}

/* ------------------------------------------------------------- records */

typedef int (*rec_fn)(const unsigned char *key, uint64_t off, uint32_t len, int drop, void *arg);

/* Calls `fn` on each valid record of d[off..size) until one is torn or
 * damaged (or `fn` says stop); returns where the valid ones end. */
static size_t rec_scan(const unsigned char *d, size_t size, size_t off, rec_fn fn, void *arg)
{
	while (off <= size && size - off >= REC_HEAD + REC_TAIL) {
		uint32_t h = weft_be32(d + off), len = h & ~REC_DROP;
		if (len > REC_MAX || size - off - REC_HEAD - REC_TAIL < len ||
		    weft_check64(d + off, REC_HEAD + len) != weft_be64(d + off + REC_HEAD + len))
			break;
		if (fn && fn(d + off + 4, off + REC_HEAD, len, (h & REC_DROP) != 0, arg))
			break;
		off += REC_HEAD + len + REC_TAIL;
	}
	return off;
}

/* ------------------------------------------------------------- indexes */

_Static_assert(sizeof(slot) == IDX_ENT, "an index entry is written over its slot");

static int cmp_slot(const void *a, const void *b)
{
	const slot *x = a, *y = b;
	int c = memcmp(x->key, y->key, 32);
	/* A key's later record first: it is the one kept. */
	return c ? c : x->off < y->off ? 1 : x->off > y->off ? -1 : 0;
}

typedef struct ilist {
	slot *v;
	size_t n, cap;
} ilist;

static int ilist_add(const unsigned char *key, uint64_t off, uint32_t len, int drop, void *arg)
{
	ilist *l = arg;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 1024;
		slot *nv = realloc(l->v, nc * sizeof *nv);
		if (!nv)
			return 1;
		l->v = nv;
		l->cap = nc;
	}
	slot *e = &l->v[l->n++];
	memset(e, 0, sizeof *e);
	memcpy(e->key, key, 32);
	e->off = off;
	e->len = len;
	e->drop = (uint8_t)drop;
	return 0;
}

/* The index's checksum: of its head and of its entries' own checksum, so
 * the entries need not sit beside the head in memory. */
static uint64_t idx_check(const unsigned char head[IDX_HEAD], const unsigned char *ents, size_t n)
{
	unsigned char b[IDX_HEAD + 8];
	memcpy(b, head, IDX_HEAD);
	weft_set_be64(b + IDX_HEAD, weft_check64(ents, n * IDX_ENT));
	return weft_check64(b, sizeof b);
}

/* Sorts v[0..n), keeps each key's newest record and writes the index of a
 * pack whose valid records end at `covered`. The entries are encoded over
 * the slots themselves: a 100,000-entry run needs no second copy. */
static int write_index(const char *path, slot *v, size_t n, uint64_t covered)
{
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_slot);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!m || memcmp(v[m - 1].key, v[i].key, 32))
			v[m++] = v[i];
	unsigned char *ents = (unsigned char *)v;
	for (size_t i = 0; i < m; i++) {
		slot t = v[i];
		unsigned char *e = ents + i * IDX_ENT;
		memcpy(e, t.key, 32);
		weft_set_be64(e + 32, t.off);
		set_be32(e + 40, t.len);
		set_be32(e + 44, t.drop);
	}
	unsigned char head[IDX_HEAD], tail[8];
	memcpy(head, IDX_MAGIC, 8);
	weft_set_be64(head + 8, m);
	weft_set_be64(head + 16, covered);
	static const unsigned char none[1]; /* an empty index: no NULL reaches the checksum */
	weft_set_be64(tail, idx_check(head, m ? ents : none, m));
	char *tmp = NULL;
	int fd = weft_atomic_open(path, &tmp);
	if (fd < 0)
		return fd;
	if (weft_write_all(fd, head, IDX_HEAD) != 0 || (m && weft_write_all(fd, ents, m * IDX_ENT) != 0) ||
	    weft_write_all(fd, tail, 8) != 0) {
		int rc = weft_err_set(WEFT_EIO, "cannot write %s: %s", path, strerror(errno));
		weft_atomic_abort(fd, tmp);
		free(tmp);
		return rc;
	}
	int rc = weft_atomic_commit(fd, tmp, path, 0);
	free(tmp);
	return rc;
}

static const unsigned char *idx_find(const pack *pk, const unsigned char *k)
{
	size_t lo = 0, hi = (size_t)pk->n;
	uint64_t k0 = weft_be64(k); /* keys differ in their first 8 bytes but once in 2^64 */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const unsigned char *e = pk->idx + IDX_HEAD + mid * IDX_ENT;
		uint64_t e0 = weft_be64(e);
		int c = e0 != k0 ? (e0 < k0 ? -1 : 1) : memcmp(e, k, 32);
		if (!c)
			return e;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Whether the record at r (entry of n bytes) checks and is key k's: an
 * offset that is stale (a slot into a pack this handle gave up after a
 * failed write) or wrong (a damaged index) then reads as a miss, never as
 * another key's entry. */
static int rec_ok(const unsigned char *r, uint32_t n, const unsigned char *k)
{
	return memcmp(r + 4, k, 32) == 0 && (weft_be32(r) & ~REC_DROP) == n &&
	       weft_check64(r, REC_HEAD + n) == weft_be64(r + REC_HEAD + n);
}

/* The record of key k's entry at `off` (n bytes) in a pack of `size` bytes
 * whose records start at `m`, or NULL when it lies outside or no longer
 * checks: the bytes handed out are the bytes written. */
static const unsigned char *rec_at(const unsigned char *m, size_t size, uint64_t off, uint32_t n,
				   const unsigned char *k)
{
	if (off < REC_HEAD || off > size || n > size - off || size - off - n < REC_TAIL)
		return NULL;
	const unsigned char *r = m + off - REC_HEAD;
	return rec_ok(r, n, k) ? r : NULL;
}

static void *map_file(int fd, size_t len)
{
	if (!len)
		return NULL;
	void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	return m == MAP_FAILED ? NULL : m;
}

static char *path_of(const weft_acpack *p, const char *name, const char *ext)
{
	return weft_sprintf("%s/%s%s", p->dir, name, ext);
}

/* Maps <name>.idx and the part of <name>.pack it covers; 0 when either is
 * missing, damaged or short. */
static int take_indexed(weft_acpack *p, const char *name)
{
	/* Packs merge at 16; a store where they cannot (no flock) keeps the
	 * newest this many open, not one descriptor per run ever made. */
	if (p->np >= MAX_OPEN_PACKS)
		return 1;
	char *ip = path_of(p, name, ".idx"), *pp = path_of(p, name, ".pack");
	int ifd = ip ? open(ip, O_RDONLY | O_CLOEXEC) : -1, pfd = -1, ok = 0;
	unsigned char *idx = NULL, head[PACK_HEAD];
	struct stat is = {0}, ps;
	size_t covered = 0;
	uint64_t n = 0;
	if (ifd >= 0 && fstat(ifd, &is) == 0 && is.st_size >= IDX_HEAD + 8 &&
	    (idx = map_file(ifd, (size_t)is.st_size)) != NULL) {
		size_t len = (size_t)is.st_size;
		n = weft_be64(idx + 8);
		covered = (size_t)weft_be64(idx + 16);
		ok = !memcmp(idx, IDX_MAGIC, 8) && n <= (len - IDX_HEAD - 8) / IDX_ENT &&
		     len == IDX_HEAD + n * IDX_ENT + 8 && idx_check(idx, idx + IDX_HEAD, n) == weft_be64(idx + len - 8) &&
		     covered >= PACK_HEAD;
	}
	if (ok) {
		ok = 0;
		pfd = pp ? open(pp, O_RDONLY | O_CLOEXEC) : -1;
		if (pfd >= 0 && fstat(pfd, &ps) == 0 && (uint64_t)ps.st_size >= covered &&
		    pread(pfd, head, PACK_HEAD, 0) == PACK_HEAD && !memcmp(head, PACK_MAGIC, PACK_HEAD))
			ok = 1;
	}
	pack *np = ok ? realloc(p->packs, (p->np + 1) * sizeof *np) : NULL;
	char *nm = np ? weft_strdup(name) : NULL;
	if (np)
		p->packs = np;
	if (nm) {
		p->packs[p->np++] = (pack){nm, idx, (size_t)is.st_size, covered, pfd, n, NULL, 0};
	} else {
		if (idx)
			munmap(idx, (size_t)is.st_size);
		if (pfd >= 0)
			close(pfd);
		ok = 0;
	}
	if (ifd >= 0)
		close(ifd);
	free(ip);
	free(pp);
	return ok;
}

/* A pack nobody writes (we hold its lock) and nobody indexed: its writer
 * died. Indexes its valid prefix; 0 when that cannot be written. */
static int index_dead(weft_acpack *p, const char *name, int fd)
{
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_size < PACK_HEAD)
		return 0;
	unsigned char *m = map_file(fd, (size_t)st.st_size);
	if (!m)
		return 0;
	int ok = 0;
	if (!memcmp(m, PACK_MAGIC, PACK_HEAD)) {
		ilist l = {0};
		size_t end = rec_scan(m, (size_t)st.st_size, PACK_HEAD, ilist_add, &l);
		char *ip = path_of(p, name, ".idx");
		ok = ip && write_index(ip, l.v, l.n, end) == WEFT_OK;
		free(ip);
		free(l.v);
	}
	munmap(m, (size_t)st.st_size);
	return ok;
}

typedef struct live_arg {
	weft_acpack *p;
	const unsigned char *base;
} live_arg;

static int live_add(const unsigned char *key, uint64_t off, uint32_t len, int drop, void *arg)
{
	live_arg *a = arg;
	size_t at = a->p->over.len;
	if (weft_buf_put(&a->p->over, a->base + off, len) != WEFT_OK)
		return 1;
	slot *s = kt_add(&a->p->tab, key);
	if (!s)
		return 1;
	s->where = W_LIVE;
	s->off = at;
	s->len = len;
	s->drop = (uint8_t)drop;
	return 0;
}

/* Reads what a live pack's writer has appended since the last look. */
static void read_live(weft_acpack *p, live *l)
{
	struct stat st;
	if (fstat(l->fd, &st) != 0 || (uint64_t)st.st_size <= l->off)
		return;
	size_t n = (size_t)((uint64_t)st.st_size - l->off);
	unsigned char *b = malloc(n);
	ssize_t got = b ? pread(l->fd, b, n, (off_t)l->off) : -1;
	if (got > 0) {
		size_t start = 0;
		if (l->off == 0) {
			if ((size_t)got < PACK_HEAD || memcmp(b, PACK_MAGIC, PACK_HEAD)) {
				free(b);
				return;
			}
			start = PACK_HEAD;
		}
		live_arg a = {p, b};
		l->off += rec_scan(b, (size_t)got, start, live_add, &a);
	}
	free(b);
}

static int known(const weft_acpack *p, const char *name)
{
	if (p->own && !strcmp(p->own, name))
		return 1;
	for (size_t i = 0; i < p->np; i++)
		if (!strcmp(p->packs[i].name, name))
			return 1;
	for (size_t i = 0; i < p->nl; i++)
		if (!strcmp(p->lives[i].name, name))
			return 1;
	return 0;
}

static void add_pack(weft_acpack *p, const char *name)
{
	if (known(p, name) || take_indexed(p, name))
		return;
	char *pp = path_of(p, name, ".pack");
	int fd = pp ? open(pp, O_RDONLY | O_CLOEXEC) : -1;
	free(pp);
	if (fd < 0)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		int ok = index_dead(p, name, fd);
		close(fd); /* the lock goes with it */
		if (ok && take_indexed(p, name))
			return;
		/* A store we cannot write (weft plan on a read-only one): read
		 * the pack as it is. */
		pp = path_of(p, name, ".pack");
		fd = pp ? open(pp, O_RDONLY | O_CLOEXEC) : -1;
		free(pp);
		if (fd < 0)
			return;
	}
	live *nl = p->nl < MAX_OPEN_PACKS ? realloc(p->lives, (p->nl + 1) * sizeof *nl) : NULL;
	char *nm = nl ? weft_strdup(name) : NULL;
	if (nl)
		p->lives = nl;
	if (!nm) {
		close(fd);
		return;
	}
	p->lives[p->nl] = (live){nm, fd, 0};
	read_live(p, &p->lives[p->nl++]);
}

static int pack_name(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && name[0] != '.' && !strcmp(name + n - 5, ".pack");
}

static int has_loose(const char *ac)
{
	DIR *d = opendir(ac);
	struct dirent *e;
	int found = 0;
	while (d && !found && (e = readdir(d)))
		found = strlen(e->d_name) == 2 && isxdigit((unsigned char)e->d_name[0]) &&
			isxdigit((unsigned char)e->d_name[1]);
	if (d)
		closedir(d);
	return found;
}

/* Every pack in the directory not seen yet, newest first (names begin
 * with their creation time in hex). */
static void list_packs(weft_acpack *p)
{
	if (!p->listed)
		p->loose = has_loose(p->ac);
	p->listed = 1;
	char **names;
	size_t n;
	if (weft_dir_list(p->dir, pack_name, &names, &n) != WEFT_OK)
		return;
	for (size_t i = n; i-- > 0;) {
		names[i][strlen(names[i]) - 5] = '\0';
		add_pack(p, names[i]);
	}
	weft_dir_list_free(names, n);
}

/* -------------------------------------------------------------- handle */

int weft_acpack_open(weft_acpack **out, const char *store_dir)
{
	weft_acpack *p = calloc(1, sizeof *p);
	if (p) {
		p->fd = -1;
		p->ac = weft_path_join(store_dir, "ac");
		p->dir = weft_path_join(store_dir, "ac/packs");
	}
	if (!p || !p->ac || !p->dir) {
		if (p) {
			free(p->ac);
			free(p->dir);
		}
		free(p);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	*out = p;
	return WEFT_OK;
}

int weft_acpack_has_loose(weft_acpack *p)
{
	if (!p->listed)
		list_packs(p);
	return p->loose;
}

void weft_acpack_refresh(weft_acpack *p)
{
	for (size_t i = 0; p->listed && i < p->nl; i++)
		read_live(p, &p->lives[i]);
	list_packs(p);
}

/* Reads key k's record whose entry is `n` bytes at `off` of `fd` into the
 * scratch buffer; its entry, or NULL when it does not check. */
static const unsigned char *read_record(weft_acpack *p, int fd, uint64_t off, uint32_t n, const unsigned char *k)
{
	size_t len = REC_HEAD + (size_t)n + REC_TAIL;
	p->scratch.len = 0;
	if (weft_buf_reserve(&p->scratch, len) != WEFT_OK ||
	    pread(fd, p->scratch.data, len, (off_t)(off - REC_HEAD)) != (ssize_t)len)
		return NULL;
	const unsigned char *r = (const unsigned char *)p->scratch.data;
	return rec_ok(r, n, k) ? r + REC_HEAD : NULL;
}

/* The bytes of a slot of this handle's table (checked when read). */
static const unsigned char *slot_bytes(weft_acpack *p, const slot *s)
{
	if (s->where == W_LIVE)
		return (const unsigned char *)p->over.data + s->off;
	return s->off >= REC_HEAD && p->fd >= 0 ? read_record(p, p->fd, s->off, s->len, s->key) : NULL;
}

/* An indexed entry's bytes, read and checked; NULL when damaged. */
static const unsigned char *pack_bytes(weft_acpack *p, const pack *pk, uint64_t off, uint32_t n,
				      const unsigned char *k)
{
	if (off < REC_HEAD || off > pk->data_len || n > pk->data_len - off || pk->data_len - off - n < REC_TAIL)
		return NULL;
	return read_record(p, pk->fd, off, n, k);
}

/* The same for a lookup's hit: from the mapped pack when it is small
 * (rec_at bounds the offset as pack_bytes does). */
static const unsigned char *pack_hit(weft_acpack *p, pack *pk, uint64_t off, uint32_t n, const unsigned char *k)
{
	if (!pk->map_tried) {
		pk->map_tried = 1;
		if (pk->data_len <= MAP_PACK_MAX)
			pk->map = map_file(pk->fd, pk->data_len); /* NULL: read instead */
	}
	if (!pk->map)
		return pack_bytes(p, pk, off, n, k);
	const unsigned char *r = rec_at(pk->map, pk->data_len, off, n, k);
	return r ? r + REC_HEAD : NULL;
}

int weft_acpack_get(weft_acpack *p, const char *key, const unsigned char **data, size_t *len, int *own)
{
	unsigned char k[32];
	if (!unhex_lookup(k, key))
		return WEFT_ENOTFOUND;
	if (!p->listed)
		list_packs(p);
	const slot *s = kt_find(&p->tab, k);
	if (s) {
		if (s->drop || !(*data = slot_bytes(p, s)))
			return WEFT_ENOTFOUND;
		*len = s->len;
		*own = s->where == W_OWN;
		return WEFT_OK;
	}
	for (size_t i = 0; i < p->np; i++) {
		pack *pk = &p->packs[i];
		const unsigned char *e = idx_find(pk, k);
		if (!e)
			continue;
		uint64_t off = weft_be64(e + 32);
		uint32_t n = weft_be32(e + 40);
		if (weft_be32(e + 44) || !(*data = pack_hit(p, pk, off, n, k)))
			return WEFT_ENOTFOUND;
		*len = n;
		*own = 0;
		return WEFT_OK;
	}
	return WEFT_ENOTFOUND;
}

/* Creates this handle's pack: under a temp name until it is locked and
 * has its header, so no reader ever takes it for a dead writer's. */
static int own_open(weft_acpack *p)
{
	if (p->fd >= 0)
		return WEFT_OK;
	if (weft_mkdirs(p->dir, 0755) != WEFT_OK)
		return WEFT_EIO;
	int rc = WEFT_OK;
	for (int attempt = 0; p->fd < 0 && rc == WEFT_OK; attempt++) {
		char name[64];
		snprintf(name, sizeof name, "%016llx-%d-%x", (unsigned long long)(weft_now() * 1e6), (int)getpid(),
			 attempt);
		char *path = path_of(p, name, ".pack"), *tmp = NULL;
		int fd = path ? weft_atomic_open(path, &tmp) : weft_err_set(WEFT_ERROR, "out of memory");
		rc = fd < 0 ? fd : WEFT_OK;
		int taken = 0;
		/* A file system without flock (some NFS set-ups) makes every
		 * reader's lock fail too, so they read unindexed packs as live
		 * ones: slower, never wrong. */
		if (rc == WEFT_OK &&
		    ((flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) ||
		     weft_write_all(fd, PACK_MAGIC, PACK_HEAD) != 0 || fcntl(fd, F_SETFL, O_APPEND) != 0 ||
		     (weft_rename_noreplace(AT_FDCWD, tmp, AT_FDCWD, path) != 0 && !(taken = errno == EEXIST && attempt < 100)))) {
			rc = weft_err_set(WEFT_EIO, "cannot create %s: %s", path, strerror(errno));
		}
		if (fd >= 0 && (rc != WEFT_OK || taken))
			weft_atomic_abort(fd, tmp);
		else if (rc == WEFT_OK && !(p->own = weft_strdup(name))) {
			rc = weft_err_set(WEFT_ERROR, "out of memory");
			close(fd);
			(void)unlink(path);
		} else if (rc == WEFT_OK) {
			p->fd = fd;
			p->own_off = PACK_HEAD;
		}
		free(tmp);
		free(path);
	}
	return rc;
}

static int append(weft_acpack *p, const unsigned char *k, const void *data, uint32_t len, int drop)
{
	if (len > REC_MAX)
		return weft_err_set(WEFT_EINVALID, "cache entry of %u bytes is over the %u a pack takes", len, REC_MAX);
	int rc = own_open(p);
	if (rc != WEFT_OK)
		return rc;
	p->rec.len = 0;
	if (weft_buf_reserve(&p->rec, REC_HEAD + len + REC_TAIL) != WEFT_OK)
		return weft_err_set(WEFT_ERROR, "out of memory");
	unsigned char *r = (unsigned char *)p->rec.data;
	set_be32(r, len | (drop ? REC_DROP : 0));
	memcpy(r + 4, k, 32);
	if (len)
		memcpy(r + REC_HEAD, data, len);
	weft_set_be64(r + REC_HEAD + len, weft_check64(r, REC_HEAD + len));
	slot *s = kt_add(&p->tab, k);
	if (!s)
		return weft_err_set(WEFT_ERROR, "out of memory");
	if (weft_write_all(p->fd, r, REC_HEAD + len + REC_TAIL) != 0) {
		rc = weft_err_set(WEFT_EIO, "cannot append to %s/%s.pack: %s", p->dir, p->own, strerror(errno));
		/* The next record must start where this one did. */
		if (ftruncate(p->fd, (off_t)p->own_off) != 0) {
			/* Given up: its records stay for the next reader to
			 * index (a dead writer's pack); this handle stops
			 * pointing into it, so the next pack's index never
			 * carries offsets into this one. */
			close(p->fd);
			p->fd = -1;
			free(p->own);
			p->own = NULL;
			for (size_t i = 0; i < p->tab.n; i++)
				if (p->tab.v[i].where == W_OWN)
					p->tab.v[i].drop = 1, p->tab.v[i].where = W_SEEN;
		}
		if (s->where == 0) /* new: nothing to point at */
			s->drop = 1, s->where = W_SEEN;
		return rc;
	}
	s->where = W_OWN;
	s->off = p->own_off + REC_HEAD;
	s->len = len;
	s->drop = (uint8_t)drop;
	p->own_off += REC_HEAD + len + REC_TAIL;
	return WEFT_OK;
}

int weft_acpack_put(weft_acpack *p, const char *key, const void *data, size_t len)
{
	unsigned char k[32];
	if (!unhex(k, key))
		return weft_err_set(WEFT_EINVALID, "cache key '%s' is not 64 hex digits", key);
	if (!p->listed)
		list_packs(p);
	return append(p, k, data, len > REC_MAX ? REC_MAX + 1 : (uint32_t)len, 0);
}

int weft_acpack_drop(weft_acpack *p, const char *key)
{
	unsigned char k[32];
	if (!unhex(k, key))
		return WEFT_OK;
	if (!p->listed)
		list_packs(p);
	return append(p, k, NULL, 0, 1);
}

/* --------------------------------------------------------- each, merge */

typedef int (*newest_fn)(const pack *pk, const unsigned char *key, uint64_t off, uint32_t n, void *arg);

/* Calls `fn` with each key's newest record in p's indexed packs (walked
 * newest first), leaving out the keys already in `seen` (and adding the
 * rest) and drops; gives back the first nonzero return of `fn` (1: stop,
 * or an error). */
static int walk_newest(const weft_acpack *p, keytab *seen, newest_fn fn, void *arg)
{
	for (size_t i = 0; i < p->np; i++) {
		const pack *pk = &p->packs[i];
		for (uint64_t j = 0; j < pk->n; j++) {
			const unsigned char *e = pk->idx + IDX_HEAD + j * IDX_ENT;
			if (kt_find(seen, e)) /* a newer record of the key came first */
				continue;
			if (!kt_add(seen, e))
				return weft_err_set(WEFT_ERROR, "out of memory");
			int r = weft_be32(e + 44) ? 0 : fn(pk, e, weft_be64(e + 32), weft_be32(e + 40), arg);
			if (r)
				return r;
		}
	}
	return 0;
}

typedef struct each_arg {
	weft_acpack *p;
	int (*fn)(const char *key, const unsigned char *data, size_t len, void *arg);
	void *arg;
} each_arg;

static int each_one(const pack *pk, const unsigned char *key, uint64_t off, uint32_t n, void *arg)
{
	each_arg *a = arg;
	const unsigned char *d = pack_bytes(a->p, pk, off, n, key);
	char hex[65];
	tohex(hex, key);
	return d && a->fn(hex, d, n, a->arg) ? 1 : 0;
}

int weft_acpack_each(weft_acpack *p, int (*fn)(const char *key, const unsigned char *data, size_t len, void *arg),
		     void *arg)
{
	if (!p->listed)
		list_packs(p);
	keytab seen = {0};
	int rc = WEFT_OK, stop = 0;
	char hex[65];
	for (size_t i = 0; !stop && rc == WEFT_OK && i < p->tab.n; i++) {
		const slot *s = &p->tab.v[i];
		if (!kt_add(&seen, s->key)) {
			rc = weft_err_set(WEFT_ERROR, "out of memory");
			break;
		}
		const unsigned char *d = s->drop ? NULL : slot_bytes(p, s);
		tohex(hex, s->key);
		if (d)
			stop = fn(hex, d, s->len, arg);
	}
	if (!stop && rc == WEFT_OK) {
		each_arg a = {p, fn, arg};
		int r = walk_newest(p, &seen, each_one, &a);
		rc = r < 0 ? r : WEFT_OK;
	}
	kt_free(&seen);
	return rc;
}

/* Writes the live entries of `from`'s indexed packs that `keep` accepts into
 * one new pack, then removes those packs. */
typedef struct merge_arg {
	int (*keep)(const char *key, void *arg);
	void *arg;
	const pack *cur; /* the pack mapped at m */
	unsigned char *m;
	weft_buf b;   /* records not yet written */
	uint64_t at;  /* bytes written before b */
	ilist l;      /* the new pack's index */
	int fd;
	const char *tmp;
} merge_arg;

static int merge_one(const pack *pk, const unsigned char *key, uint64_t off, uint32_t n, void *arg)
{
	merge_arg *a = arg;
	if (a->cur != pk) {
		if (a->m)
			munmap(a->m, a->cur->data_len);
		a->cur = pk;
		if (!(a->m = map_file(pk->fd, pk->data_len)))
			return weft_err_set(WEFT_EIO, "cannot map pack %s: %s", pk->name, strerror(errno));
	}
	const unsigned char *r = rec_at(a->m, pk->data_len, off, n, key);
	char hex[65];
	tohex(hex, key);
	if (!r || (a->keep && !a->keep(hex, a->arg)))
		return 0; /* damaged since it was indexed, or left out */
	/* The record as it was: its checksum still holds. */
	uint64_t pos = a->at + a->b.len;
	if (weft_buf_put(&a->b, r, REC_HEAD + n + REC_TAIL) != WEFT_OK || ilist_add(key, pos + REC_HEAD, n, 0, &a->l))
		return weft_err_set(WEFT_ERROR, "out of memory");
	if (a->b.len >= (1u << 20)) {
		if (weft_write_all(a->fd, a->b.data, a->b.len) != 0)
			return weft_err_set(WEFT_EIO, "cannot write %s: %s", a->tmp, strerror(errno));
		a->at += a->b.len;
		a->b.len = 0;
	}
	return 0;
}

/* Writes the live entries of `from`'s indexed packs that `keep` accepts into
 * one new pack, then removes those packs. */
static int merge(weft_acpack *from, int (*keep)(const char *key, void *arg), void *arg)
{
	char name[64];
	snprintf(name, sizeof name, "%016llx-%d-m", (unsigned long long)(weft_now() * 1e6), (int)getpid());
	char *pp = path_of(from, name, ".pack"), *ip = path_of(from, name, ".idx"), *tmp = NULL;
	if (!pp || !ip) {
		free(pp);
		free(ip);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	int fd = weft_atomic_open(pp, &tmp), rc = fd < 0 ? fd : WEFT_OK;
	if (rc == WEFT_OK && flock(fd, LOCK_EX | LOCK_NB) != 0)
		rc = weft_err_set(WEFT_EIO, "cannot lock %s: %s", tmp, strerror(errno));
	keytab seen = {0};
	merge_arg a = {keep, arg, NULL, NULL, {0}, 0, {0}, fd, tmp};
	if (rc == WEFT_OK)
		rc = weft_buf_put(&a.b, PACK_MAGIC, PACK_HEAD);
	if (rc == WEFT_OK)
		rc = walk_newest(from, &seen, merge_one, &a);
	if (a.m)
		munmap(a.m, a.cur->data_len);
	if (rc == WEFT_OK && ((a.b.len && weft_write_all(fd, a.b.data, a.b.len) != 0) || fsync(fd) != 0))
		rc = weft_err_set(WEFT_EIO, "cannot write %s: %s", tmp, strerror(errno));
	a.at += a.b.len;
	/* The index first: a pack that has one is never taken for a dead
	 * writer's, and one without its pack is skipped. */
	if (rc == WEFT_OK)
		rc = write_index(ip, a.l.v, a.l.n, a.at);
	if (rc == WEFT_OK && rename(tmp, pp) != 0) {
		rc = weft_err_set(WEFT_EIO, "cannot rename %s: %s", tmp, strerror(errno));
		(void)unlink(ip);
	}
	if (fd >= 0 && rc != WEFT_OK)
		weft_atomic_abort(fd, tmp);
	else if (fd >= 0)
		close(fd);
	for (size_t i = 0; rc == WEFT_OK && i < from->np; i++) {
		char *x = path_of(from, from->packs[i].name, ".pack"), *c = path_of(from, from->packs[i].name, ".idx");
		if (x)
			(void)unlink(x); /* the pack first: an index alone is skipped */
		if (c)
			(void)unlink(c);
		free(x);
		free(c);
	}
	kt_free(&seen);
	free(a.l.v);
	weft_buf_free(&a.b);
	free(tmp);
	free(pp);
	free(ip);
	return rc;
}

static void free_handle(weft_acpack *p)
{
	for (size_t i = 0; i < p->np; i++) {
		munmap(p->packs[i].idx, p->packs[i].idx_len);
		if (p->packs[i].map)
			munmap(p->packs[i].map, p->packs[i].data_len);
		close(p->packs[i].fd);
		free(p->packs[i].name);
	}
	for (size_t i = 0; i < p->nl; i++) {
		close(p->lives[i].fd);
		free(p->lives[i].name);
	}
	if (p->fd >= 0)
		close(p->fd);
	free(p->packs);
	free(p->lives);
	kt_free(&p->tab);
	weft_buf_free(&p->over);
	weft_buf_free(&p->rec);
	weft_buf_free(&p->scratch);
	free(p->own);
	free(p->ac);
	free(p->dir);
	free(p);
}

/* Merges under <store>/ac/packs/merge.lock; someone else merging is not an
 * error (their merge does the same). */
static int merge_locked(const char *dir, const char *store_dir, int (*keep)(const char *key, void *arg), void *arg,
			size_t at_least)
{
	char *lp = weft_path_join(dir, "merge.lock");
	int lfd = lp ? open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0644) : -1;
	free(lp);
	if (lfd < 0)
		return weft_err_set(WEFT_EIO, "cannot open %s/merge.lock: %s", dir, strerror(errno));
	int rc = WEFT_OK;
	if (flock(lfd, LOCK_EX | LOCK_NB) == 0) {
		weft_acpack *q;
		rc = weft_acpack_open(&q, store_dir);
		if (rc == WEFT_OK) {
			list_packs(q);
			if (q->np >= at_least)
				rc = merge(q, keep, arg);
			free_handle(q);
		}
	}
	close(lfd);
	return rc;
}

int weft_acpack_rewrite(weft_acpack *p, int (*keep)(const char *key, void *arg), void *arg)
{
	/* Temp files of writers that died; under gc's exclusive lock no
	 * writer is alive. */
	char **names;
	size_t n;
	if (weft_dir_list(p->dir, NULL, &names, &n) == WEFT_OK) {
		for (size_t i = 0; i < n; i++)
			if (strstr(names[i], ".tmp.")) {
				char *t = weft_path_join(p->dir, names[i]);
				if (t)
					(void)unlink(t);
				free(t);
			}
		weft_dir_list_free(names, n);
	}
	char *store = weft_path_dirname(p->ac);
	int rc = store ? merge_locked(p->dir, store, keep, arg, 1) : weft_err_set(WEFT_ERROR, "out of memory");
	free(store);
	return rc;
}

int weft_acpack_close(weft_acpack *p)
{
	if (!p)
		return WEFT_OK;
	int rc = WEFT_OK;
	if (p->fd >= 0) {
		/* This handle's records, moved to the front of its table (which
		 * is not used again) and indexed there. */
		size_t m = 0;
		for (size_t i = 0; i < p->tab.n; i++)
			if (p->tab.v[i].where == W_OWN)
				p->tab.v[m++] = p->tab.v[i];
		char *ip = path_of(p, p->own, ".idx");
		rc = ip ? write_index(ip, p->tab.v, m, p->own_off) : weft_err_set(WEFT_ERROR, "out of memory");
		free(ip);
		close(p->fd); /* unlocks it */
		p->fd = -1;
		/* Only a run that added a pack merges: a no-op run writes nothing. */
		char **names;
		size_t n;
		if (rc == WEFT_OK && weft_dir_list(p->dir, pack_name, &names, &n) == WEFT_OK) {
			weft_dir_list_free(names, n);
			char *store = n >= WEFT_ACPACK_MERGE_AT ? weft_path_dirname(p->ac) : NULL;
			if (store)
				(void)merge_locked(p->dir, store, NULL, NULL, 2);
			free(store);
		}
	}
	free_handle(p);
	return rc;
}
