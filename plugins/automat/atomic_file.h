/*
 * atomic_file.h -- write to PATH.tmp.PID, then rename over PATH, so a
 * reader (or a killed run) never sees half a file.
 */
#ifndef AUTOMAT_ATOMIC_FILE_H
#define AUTOMAT_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

typedef struct am_afile {
	FILE *f;
	char *path, *tmp;
} am_afile;

int am_afile_open(am_afile *af, const char *path, char *err, size_t errlen);
/* Flushes, closes (unless the caller closed f and set it NULL, as a
 * library that writes by name must) and renames; on any error removes the
 * temporary. */
int am_afile_commit(am_afile *af, char *err, size_t errlen);
/* Closes and removes the temporary. */
void am_afile_abort(am_afile *af);

#endif
