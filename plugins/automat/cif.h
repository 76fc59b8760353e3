/*
 * cif.h -- reading and writing crystal structures as CIF 1.1.
 *
 * The writer emits P 1 with every atom listed. The reader takes the cell,
 * the atom-site loop (type symbol or label, fractional x/y/z) and the
 * symmetry operations (_symmetry_equiv_pos_as_xyz or
 * _space_group_symop_operation_xyz), which it applies, merging the copies
 * that land on one site. Values with uncertainties ("5.431(2)") are read
 * without them.
 */
#ifndef AUTOMAT_CIF_H
#define AUTOMAT_CIF_H

#include <stddef.h>

#include "structure.h"

/* Writes s to path atomically (a temporary file, then rename). */
int am_cif_write(const char *path, const am_struct *s, char *err, size_t errlen);
/* The largest CIF file read (real ones are a few kB to a few MB). */
#define AM_CIF_MAX_BYTES ((size_t)64 << 20)
/* Reads the first data block of path. Errors name the file and line. */
int am_cif_read(am_struct *s, const char *path, char *err, size_t errlen);
/* The same from a NUL-terminated buffer; `name` is used in errors. */
int am_cif_parse(am_struct *s, const char *text, const char *name, char *err, size_t errlen);

#endif
