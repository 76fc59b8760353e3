/*
 * hash.h -- SHA-256 over bytes, streams and files, printed as 64 hex chars.
 * One algorithm everywhere: node keys, value hashes and object names must
 * agree across machines, so there is no configurability here.
 */
#ifndef WEFT_HASH_H
#define WEFT_HASH_H

#include <stddef.h>
#include <stdint.h>

#define WEFT_HASH_HEX 65 /* 64 hex digits + NUL */

typedef struct weft_hasher weft_hasher;

weft_hasher *weft_hasher_new(void);
int weft_hasher_update(weft_hasher *h, const void *data, size_t len);
/* A copy of h's state: hashing a shared prefix once, then each suffix. */
weft_hasher *weft_hasher_dup(const weft_hasher *h);
/* Writes the hex digest and frees the hasher. */
int weft_hasher_final(weft_hasher *h, char out[WEFT_HASH_HEX]);
void weft_hasher_free(weft_hasher *h);

/* Writes the 32-byte digest `md` as 64 hex digits and a NUL. */
void weft_hash_hex(char out[WEFT_HASH_HEX], const unsigned char md[32]);
int weft_hash_bytes(char out[WEFT_HASH_HEX], const void *data, size_t len);
/* Hashes what is left of the open file `fd`, reading to its end; its
 * length in *size. WEFT_EIO (the reason in weft_error_last) on a read
 * error. */
int weft_hash_fd(char out[WEFT_HASH_HEX], int fd, uint64_t *size);
/* The same, for a file the caller fstat'ed at `known` bytes and fstats
 * again after the hash: a short read that brings the total to `known`
 * ends it without the read that would return 0. Only for such callers. */
int weft_hash_fd_known(char out[WEFT_HASH_HEX], int fd, uint64_t known, uint64_t *size);
/* Hashes a file's content; `*size` receives its length when non-NULL. */
int weft_hash_file(char out[WEFT_HASH_HEX], const char *path, uint64_t *size);
/* Whether the 64 bytes at `p` are lowercase hex digits (no terminator
 * needed: a hash inside a binary record). */
int weft_hash_hex64_at(const void *p);
int weft_hash_is_hex(const char *s);

#endif
