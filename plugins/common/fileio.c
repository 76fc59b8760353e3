/*
 * fileio.c -- see fileio.h.
 */
#define _GNU_SOURCE
#include "fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int wio_read_all(char **out, size_t *len, const char *path, const char *what, size_t max, char *err,
		 size_t errlen)
{
	*out = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", what, strerror(errno));
		return -1;
	}
	struct stat sb;
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		fclose(f);
		snprintf(err, errlen, "%s is not a regular file", what);
		return -1;
	}
	if ((unsigned long long)sb.st_size > max) {
		fclose(f);
		snprintf(err, errlen, "%s is %llu bytes, more than the %zu this reader takes; split it or check it is the "
			 "right file", what, (unsigned long long)sb.st_size, max);
		return -1;
	}
	/* The size is a hint: read until EOF, but never past the limit. */
	size_t cap = (size_t)sb.st_size + 1, n = 0;
	char *buf = malloc(cap);
	int rc = buf ? 0 : -1;
	if (!buf)
		snprintf(err, errlen, "%s: out of memory (%zu bytes)", what, cap);
	while (rc == 0) {
		if (n + 1 == cap) {
			size_t ncap = cap * 2 < max + 1 ? cap * 2 : max + 1;
			char *nb = ncap > cap ? realloc(buf, ncap) : NULL;
			if (!nb) {
				snprintf(err, errlen, ncap > cap ? "%s: out of memory" : "%s grew past %zu bytes while read",
					 what, max);
				rc = -1;
				break;
			}
			buf = nb;
			cap = ncap;
		}
		size_t got = fread(buf + n, 1, cap - 1 - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errlen, "%s: read error", what);
		rc = -1;
	}
	fclose(f);
	if (rc != 0) {
		free(buf);
		return -1;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}
