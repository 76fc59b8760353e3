/*
 * binio.c -- see binio.h.
 */
#include "binio.h"

#include <stdint.h>
#include <string.h>

int abi_put(FILE *f, const void *v, size_t n)
{
	return n == 0 || fwrite(v, 1, n, f) == n ? 0 : -1;
}

int abi_put_str(FILE *f, const char *s)
{
	uint32_t n = (uint32_t)strlen(s);
	return abi_put(f, &n, sizeof n) || abi_put(f, s, n);
}

int abi_get(abi_reader *r, void *v, size_t n)
{
	if (n > r->len - r->pos)
		return -1;
	memcpy(v, r->d + r->pos, n);
	r->pos += n;
	return 0;
}

size_t abi_left(const abi_reader *r)
{
	return r->len - r->pos;
}
