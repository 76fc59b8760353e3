/*
 * binio.h -- the pieces of Auto-BI's binary artifacts (profiles, the
 * schema graph): values written as they are in memory, strings as a u32
 * length and bytes, and a bounded reader that never reads past its buffer.
 */
#ifndef ABI_BINIO_H
#define ABI_BINIO_H

#include <stddef.h>
#include <stdio.h>

/* 0, or -1 when the write failed. */
int abi_put(FILE *f, const void *v, size_t n);
int abi_put_str(FILE *f, const char *s);

typedef struct abi_reader {
	const unsigned char *d;
	size_t len, pos;
} abi_reader;

/* The next n bytes into v: 0, or -1 when fewer are left. */
int abi_get(abi_reader *r, void *v, size_t n);
/* Bytes left to read. */
size_t abi_left(const abi_reader *r);

#endif
