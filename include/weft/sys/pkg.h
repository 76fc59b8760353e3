/*
 * weft/sys/pkg.h -- plugin packages (tar.zst with manifest.yaml): the
 * hooks behind `weft plugin pack` and `weft plugin install`.
 *
 * include/weft/sys/ holds what a front-end such as the weft CLI needs
 * beyond the embedding API; it is installed, but it is not the stable
 * surface that weft/weft.h is.
 */
#ifndef WEFT_SYS_PKG_H
#define WEFT_SYS_PKG_H

#include "weft/weft.h"

/* The manifest.yaml text for plugin `p` whose library is `lib_name` with
 * content hash `sha256`; `docs` are the archive names of the doc files.
 * Caller frees. */
WEFT_EXTERN char *weft_pkg_manifest(const weft_plugin_info *p, const char *lib_name, const char *sha256, const char *const *docs,
			size_t n_docs);

/* Writes the package to `out_path` atomically (temp file, rename). */
WEFT_EXTERN int weft_pkg_write(const char *out_path, const char *manifest, const char *lib_path, const char *lib_name,
		   const char *const *doc_src, const char *const *doc_names, size_t n_docs);

/* Installs the package into dest_root/NAME, replacing an older install in
 * one rename. Refuses unsafe entries, a bad manifest, a checksum mismatch
 * and an ABI mismatch; on failure nothing under dest_root changes. On
 * success sets the installed directory and the parsed manifest (caller
 * frees both). */
WEFT_EXTERN int weft_pkg_install(char **installed_dir, weft_value **manifest, const char *archive_path, const char *dest_root);

#endif
