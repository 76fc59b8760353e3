/*
 * dyn_archive.h -- the libarchive functions weft calls, bound at first use
 * (dynlib.h). pkg.c calls la()->archive_...(...) after weft_archive_load().
 */
#ifndef WEFT_DYN_ARCHIVE_H
#define WEFT_DYN_ARCHIVE_H

#include <archive.h>
#include <archive_entry.h>

#define WEFT_ARCHIVE_FUNCS(X) \
	X(archive_entry_filetype) \
	X(archive_entry_free) \
	X(archive_entry_hardlink) \
	X(archive_entry_new) \
	X(archive_entry_pathname) \
	X(archive_entry_perm) \
	X(archive_entry_set_filetype) \
	X(archive_entry_set_gname) \
	X(archive_entry_set_mtime) \
	X(archive_entry_set_pathname) \
	X(archive_entry_set_perm) \
	X(archive_entry_set_size) \
	X(archive_entry_set_uname) \
	X(archive_entry_symlink) \
	X(archive_error_string) \
	X(archive_read_data_block) \
	X(archive_read_free) \
	X(archive_read_new) \
	X(archive_read_next_header) \
	X(archive_read_open_filename) \
	X(archive_read_support_filter_all) \
	X(archive_read_support_format_tar) \
	X(archive_write_add_filter_zstd) \
	X(archive_write_close) \
	X(archive_write_data) \
	X(archive_write_free) \
	X(archive_write_header) \
	X(archive_write_new) \
	X(archive_write_open_filename) \
	X(archive_write_set_format_pax_restricted)

typedef struct weft_archive_api {
#define X(f) __typeof__(&f) f;
	WEFT_ARCHIVE_FUNCS(X)
#undef X
} weft_archive_api;

/* Maps libarchive once per process; WEFT_OK, or an error saying what to
 * install. Call before la(). */
int weft_archive_load(void);
/* The bound table; valid after weft_archive_load() succeeded. */
const weft_archive_api *la(void);

#endif
