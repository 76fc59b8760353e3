/*
 * gitstream.h -- a git blob's bytes, streamed from the object database in
 * pieces, never held whole.
 *
 * libgit2 inflates every object into memory (a 600 MB file at `weft run
 * --rev` cost 1.19 GB with the copy weft made of it). Most large files are
 * stored whole: loose objects, and packed objects that are not deltas (git
 * never deltifies files over core.bigFileThreshold, 512 MiB by default, and
 * writes them straight into a pack). Those are read here with zlib; what
 * this cannot read (a delta, an alternate object store, an old index
 * format) it says so, and the caller reads the blob through libgit2.
 *
 * Integrity without SHA-1: zlib checks the inflated bytes (Adler-32), a
 * packed entry's compressed bytes are checked against the CRC-32 its pack
 * index records, and the length must be the one the header declares, so a
 * damaged or truncated object is an error, never short or wrong bytes.
 */
#ifndef WEFT_GITSTREAM_H
#define WEFT_GITSTREAM_H

#include <stddef.h>
#include <stdint.h>

/* Receives the next piece of the blob; returns WEFT_OK or an error (with
 * the message set) that ends the stream. */
typedef int (*gitstream_sink)(void *ctx, const void *data, size_t len);

/* Streams blob `oid` (40 hex digits) from the object directory `objdir`
 * (.git/objects) to `sink`; `*size` gets its length. Returns WEFT_OK;
 * WEFT_ENOTFOUND, before any byte reached the sink, when this reader cannot
 * serve it (absent here, a delta, not a blob, an unknown format); or
 * another error with the message set (damaged object, the sink failed). */
int gitstream_blob(const char *objdir, const char *oid, gitstream_sink sink, void *ctx, uint64_t *size);

/* The 20 bytes of an object id written as 40 lowercase hex digits; 0, or
 * -1 when `hex` is not that. */
int gitstream_oid_bin(unsigned char out[20], const char *hex);

/* The same for an object of `type` ("commit", "tree" or "blob"). */
int gitstream_object(const char *objdir, const char *oid, const char *type, gitstream_sink sink, void *ctx,
		     uint64_t *size);

#endif
