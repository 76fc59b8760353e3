/*
 * gitstream.c -- see gitstream.h. The formats are git's: a loose object is
 * one zlib stream of "<type> <size>\0<bytes>" at objects/<2>/<38>; a pack
 * index (version 2) maps sorted ids to offsets in its pack, where an entry
 * is a type-and-size header followed by a zlib stream.
 */
#define _GNU_SOURCE
#include "gitstream.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "util.h"

#define CHUNK 65536

typedef struct inflater {
	int fd;
	const char *what; /* the file, for messages */
	off_t at;         /* next byte of input to read */
	off_t end;        /* no input past this (the pack's trailer) */
	uLong crc;        /* CRC-32 of the input consumed, for packs */
	int want_crc;
} inflater;

/* Inflates the zlib stream at in->at, handing out pieces to `out`, until
 * its end; `*got` counts the bytes out. Errors name the file. */
static int inflate_all(inflater *in, int (*out)(void *ctx, const unsigned char *data, size_t len), void *ctx,
		       uint64_t *got)
{
	unsigned char *ibuf = malloc(CHUNK), *obuf = malloc(CHUNK);
	z_stream z;
	memset(&z, 0, sizeof z);
	int rc = WEFT_OK;
	if (!ibuf || !obuf || inflateInit(&z) != Z_OK) {
		free(ibuf);
		free(obuf);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	*got = 0;
	int zr = Z_OK;
	while (rc == WEFT_OK && zr != Z_STREAM_END) {
		if (z.avail_in == 0) {
			size_t want = CHUNK;
			if (in->end > 0 && in->end - in->at < (off_t)want)
				want = (size_t)(in->end - in->at);
			ssize_t r = want ? pread(in->fd, ibuf, want, in->at) : 0;
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				rc = weft_err_set(WEFT_EIO, "git object in %s is truncated or unreadable%s%s; check the "
							    "repository with `git fsck`",
						  in->what, r < 0 ? ": " : "", r < 0 ? strerror(errno) : "");
				break;
			}
			z.next_in = ibuf;
			z.avail_in = (uInt)r;
		}
		z.next_out = obuf;
		z.avail_out = CHUNK;
		const unsigned char *before = z.next_in;
		zr = inflate(&z, Z_NO_FLUSH);
		size_t used = (size_t)(z.next_in - before);
		if (in->want_crc)
			in->crc = crc32(in->crc, before, (uInt)used);
		in->at += (off_t)used;
		if (zr != Z_OK && zr != Z_STREAM_END) {
			rc = weft_err_set(WEFT_EIO, "git object in %s is damaged (zlib: %s); check the repository with "
						    "`git fsck`",
					  in->what, z.msg ? z.msg : "bad data");
			break;
		}
		size_t n = CHUNK - z.avail_out;
		*got += n;
		if (n)
			rc = out(ctx, obuf, n);
	}
	inflateEnd(&z);
	free(ibuf);
	free(obuf);
	return rc;
}

/* --- what the bytes go through on their way to the caller's sink ------- */

typedef struct pass {
	gitstream_sink sink;
	void *ctx;
	uint64_t expect, sent;
	const char *what;
	const char *type; /* "blob", "commit": what a loose header must say */
	/* loose objects: the "<type> <size>\0" header comes first */
	int in_header;
	char head[64];
	size_t head_len;
} pass;

static int pass_body(pass *p, const unsigned char *data, size_t len)
{
	if (p->sent + len > p->expect)
		return weft_err_set(WEFT_EIO, "git object in %s holds more bytes than its header says; check the "
					      "repository with `git fsck`",
				    p->what);
	p->sent += len;
	return len ? p->sink(p->ctx, data, len) : WEFT_OK;
}

static int pass_out(void *ctx, const unsigned char *data, size_t len)
{
	pass *p = ctx;
	if (!p->in_header)
		return pass_body(p, data, len);
	const unsigned char *nul = memchr(data, '\0', len);
	size_t take = nul ? (size_t)(nul - data) + 1 : len;
	if (p->head_len + take > sizeof p->head)
		return WEFT_ENOTFOUND; /* not an object header weft knows */
	memcpy(p->head + p->head_len, data, take);
	p->head_len += take;
	if (!nul)
		return WEFT_OK;
	char *end = NULL;
	size_t tl = strlen(p->type);
	if (strncmp(p->head, p->type, tl) || p->head[tl] != ' ' ||
	    (errno = 0, p->expect = strtoull(p->head + tl + 1, &end, 10), errno) || end == p->head + tl + 1 ||
	    *end != '\0')
		return WEFT_ENOTFOUND;
	p->in_header = 0;
	return pass_body(p, data + take, len - take);
}

static int loose(const char *objdir, const char *oid, const char *type, gitstream_sink sink, void *ctx,
		 uint64_t *size)
{
	char *path = weft_sprintf("%s/%.2s/%s", objdir, oid, oid + 2);
	if (!path)
		return weft_err_set(WEFT_ERROR, "out of memory");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(path);
		return WEFT_ENOTFOUND;
	}
	inflater in = {fd, path, 0, 0, 0, 0};
	pass p = {sink, ctx, 0, 0, path, type, 1, {0}, 0};
	uint64_t got = 0;
	int rc = inflate_all(&in, pass_out, &p, &got);
	if (rc == WEFT_ENOTFOUND && p.sent)
		rc = weft_err_set(WEFT_EIO, "git object %s is damaged", path);
	else if (rc == WEFT_OK && (p.in_header || p.sent != p.expect))
		rc = weft_err_set(WEFT_EIO, "git object %s is truncated (%llu of %llu bytes); check the repository "
					    "with `git fsck`",
				  path, (unsigned long long)p.sent, (unsigned long long)p.expect);
	if (rc == WEFT_OK)
		*size = p.expect;
	close(fd);
	free(path);
	return rc;
}

/* --- packs --------------------------------------------------------------- */

int gitstream_oid_bin(unsigned char out[20], const char *hex)
{
	for (int i = 0; i < 20; i++) {
		unsigned v = 0;
		for (int k = 0; k < 2; k++) {
			char c = hex[2 * i + k];
			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned)(c - 'a' + 10);
			else
				return -1;
		}
		out[i] = (unsigned char)v;
	}
	return 0;
}

/* Looks `id` up in a version-2 pack index: its entry's offset and CRC-32.
 * Returns 1 found, 0 not there or not an index this reads, -1 damaged. */
static int idx_find(const char *idx_path, const unsigned char id[20], uint64_t *off, uint32_t *crc)
{
	int fd = open(idx_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat sb;
	if (fstat(fd, &sb) != 0 || sb.st_size < 8 + 1024 + 40) {
		close(fd);
		return 0;
	}
	size_t len = (size_t)sb.st_size;
	const unsigned char *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return 0;
	int found = 0;
	if (memcmp(m, "\377tOc", 4) || weft_be32(m + 4) != 2)
		goto done; /* version 1: old enough to leave to libgit2 */
	const unsigned char *fan = m + 8;
	uint64_t n = weft_be32(fan + 255 * 4);
	uint64_t fixed = 8 + 1024 + n * 28 + 40;
	if (fixed > len || (len - fixed) % 8) {
		found = -1;
		goto done;
	}
	uint64_t n_large = (len - fixed) / 8;
	uint32_t lo = id[0] ? weft_be32(fan + (id[0] - 1) * 4) : 0, hi = weft_be32(fan + id[0] * 4);
	if (lo > hi || hi > n) {
		found = -1;
		goto done;
	}
	const unsigned char *ids = m + 8 + 1024;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = memcmp(ids + (uint64_t)mid * 20, id, 20);
		if (c == 0) {
			const unsigned char *crcs = ids + n * 20, *offs = crcs + n * 4, *large = offs + n * 4;
			uint32_t o = weft_be32(offs + (uint64_t)mid * 4);
			*crc = weft_be32(crcs + (uint64_t)mid * 4);
			if (o & 0x80000000u) {
				uint64_t k = o & 0x7fffffffu;
				if (k >= n_large) {
					found = -1;
					goto done;
				}
				*off = (uint64_t)weft_be32(large + k * 8) << 32 | weft_be32(large + k * 8 + 4);
			} else {
				*off = o;
			}
			found = 1;
			goto done;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
done:
	munmap((void *)m, len);
	return found;
}

/* Pack entry types (pack-format.txt); a delta is 6 or 7. */
static int pack_type(const char *type)
{
	return !strcmp(type, "commit") ? 1 : !strcmp(type, "tree") ? 2 : !strcmp(type, "blob") ? 3 : -1;
}

static int packed_at(const char *pack_path, uint64_t off, uint32_t want_crc, const char *type_name,
		     gitstream_sink sink, void *ctx, uint64_t *size)
{
	int fd = open(pack_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return WEFT_ENOTFOUND;
	struct stat sb;
	unsigned char h[16];
	int rc = WEFT_ENOTFOUND;
	if (fstat(fd, &sb) != 0 || sb.st_size < 32 || off < 12 || off >= (uint64_t)sb.st_size - 20 ||
	    pread(fd, h, sizeof h, (off_t)off) < 2)
		goto done;
	/* type in bits 4-6 of the first byte, the size in 4 + 7k bits */
	int type = (h[0] >> 4) & 7;
	uint64_t sz = h[0] & 15;
	size_t i = 0;
	int shift = 4;
	while (h[i] & 0x80) {
		if (++i >= sizeof h || shift > 57)
			goto done;
		sz |= (uint64_t)(h[i] & 0x7f) << shift;
		shift += 7;
	}
	if (type != pack_type(type_name))
		goto done; /* a delta (libgit2 rebuilds it), or another type */
	inflater in = {fd, pack_path, (off_t)(off + i + 1), sb.st_size - 20, crc32(0L, h, (uInt)(i + 1)), 1};
	pass p = {sink, ctx, sz, 0, pack_path, type_name, 0, {0}, 0};
	uint64_t got = 0;
	rc = inflate_all(&in, pass_out, &p, &got);
	if (rc == WEFT_OK && p.sent != sz)
		rc = weft_err_set(WEFT_EIO, "a %s in %s is truncated (%llu of %llu bytes); check the repository "
					    "with `git fsck`",
				  type_name, pack_path, (unsigned long long)p.sent, (unsigned long long)sz);
	if (rc == WEFT_OK && (uint32_t)in.crc != want_crc)
		rc = weft_err_set(WEFT_EIO, "a %s in %s does not match its pack index's checksum; check the "
					    "repository with `git fsck`",
				  type_name, pack_path);
	if (rc == WEFT_OK)
		*size = sz;
done:
	close(fd);
	return rc;
}

static int packed(const char *objdir, const char *oid, const char *type, gitstream_sink sink, void *ctx,
		  uint64_t *size)
{
	unsigned char id[20];
	if (gitstream_oid_bin(id, oid) != 0)
		return WEFT_ENOTFOUND;
	char *dir = weft_sprintf("%s/pack", objdir);
	DIR *d = dir ? opendir(dir) : NULL;
	int rc = WEFT_ENOTFOUND;
	struct dirent *e;
	while (d && rc == WEFT_ENOTFOUND && (e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".idx"))
			continue;
		char *idx = weft_sprintf("%s/%s", dir, e->d_name);
		char *pack = weft_sprintf("%s/%.*s.pack", dir, (int)(l - 4), e->d_name);
		uint64_t off = 0;
		uint32_t crc = 0;
		int f = idx && pack ? idx_find(idx, id, &off, &crc) : 0;
		if (f < 0)
			rc = weft_err_set(WEFT_EIO, "pack index %s is damaged; check the repository with `git fsck`", idx);
		else if (f > 0)
			rc = packed_at(pack, off, crc, type, sink, ctx, size);
		free(idx);
		free(pack);
	}
	if (d)
		closedir(d);
	free(dir);
	return rc;
}

int gitstream_object(const char *objdir, const char *oid, const char *type, gitstream_sink sink, void *ctx,
		     uint64_t *size)
{
	if (!oid || strlen(oid) != 40 || pack_type(type) < 0)
		return WEFT_ENOTFOUND;
	int rc = loose(objdir, oid, type, sink, ctx, size);
	return rc == WEFT_ENOTFOUND ? packed(objdir, oid, type, sink, ctx, size) : rc;
}

int gitstream_blob(const char *objdir, const char *oid, gitstream_sink sink, void *ctx, uint64_t *size)
{
	return gitstream_object(objdir, oid, "blob", sink, ctx, size);
}
