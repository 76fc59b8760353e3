/*
 * fsutil.c -- see fsutil.h.
 */
#include "fsutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

void adt_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int adt_write_atomic(const char *path, const void *data, size_t len)
{
	char tmp[4300];
	/* the pid keeps two processes writing one entry apart */
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	FILE *fp = fopen(tmp, "wb");
	if (!fp)
		return -1;
	int ok = fwrite(data, 1, len, fp) == len;
	ok = (fflush(fp) == 0) && ok;
	ok = (fclose(fp) == 0) && ok;
	if (!ok || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}
