/*
 * atomic_file.c -- see atomic_file.h.
 */
#define _GNU_SOURCE
#include "atomic_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int am_afile_open(am_afile *af, const char *path, char *err, size_t errlen)
{
	memset(af, 0, sizeof *af);
	af->path = strdup(path);
	if (!af->path || asprintf(&af->tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) {
		free(af->path);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	af->f = fopen(af->tmp, "wb");
	if (!af->f) {
		snprintf(err, errlen, "cannot write %s: %s", af->tmp, strerror(errno));
		free(af->path), free(af->tmp);
		memset(af, 0, sizeof *af);
		return -1;
	}
	return 0;
}

int am_afile_commit(am_afile *af, char *err, size_t errlen)
{
	int bad = af->f ? ferror(af->f) : 0;
	int rc = 0;
	if ((af->f && fclose(af->f) != 0) || bad || rename(af->tmp, af->path) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", af->path, strerror(errno ? errno : EIO));
		remove(af->tmp);
		rc = -1;
	}
	free(af->path), free(af->tmp);
	memset(af, 0, sizeof *af);
	return rc;
}

void am_afile_abort(am_afile *af)
{
	if (af->f)
		fclose(af->f);
	if (af->tmp)
		remove(af->tmp);
	free(af->path), free(af->tmp);
	memset(af, 0, sizeof *af);
}
