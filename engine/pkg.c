/*
 * pkg.c -- plugin packages: `weft plugin pack` and `weft plugin install`.
 *
 * A package is a tar.zst archive holding, at its top level, manifest.yaml,
 * the plugin's .so and optional docs (README.md, docs/). Installation
 * extracts into a staging directory beside the destination, checks the
 * manifest, the checksum and the ABI, and only then renames the staging
 * directory into place, so an installed plugin is never half written.
 *
 * Extraction never trusts the archive: absolute names, `..` components,
 * links that leave the tree, hard links, and device, FIFO or socket entries
 * are refused, and files are created with O_EXCL | O_NOFOLLOW.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "weft/sys/pkg.h"
#include "dyn_archive.h"
#include "context.h"
#include "hash.h"
#include "util.h"

/* A package larger than this unpacked is refused (decompression bombs). */
#define PKG_MAX_BYTES (1ull << 30)
/* A plugin is a library, a manifest and its docs: thousands of entries or
 * a manifest of megabytes is an attack on the installer, not a plugin. */
#define PKG_MAX_ENTRIES 10000u
#define PKG_MAX_MANIFEST (1u << 20)

/* ------------------------------------------------------------ manifest */

/* `prefix` then `val` as a quoted scalar and a newline: a JSON string is a
 * valid YAML double-quoted scalar. */
static void yaml_line(weft_buf *b, const char *prefix, const char *val)
{
	weft_value *v = weft_value_cstr(val ? val : "");
	char *j = v ? weft_value_to_json(v, 0) : NULL;
	weft_buf_printf(b, "%s%s\n", prefix, j ? j : "\"\"");
	free(j);
	weft_value_free(v);
}

static void yaml_str(weft_buf *b, const char *key, const char *val)
{
	char *prefix = weft_sprintf("%s: ", key);
	yaml_line(b, prefix ? prefix : "? ", val);
	free(prefix);
}

static int valid_name(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return 0;
	for (const char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
		      *c == '-'))
			return 0;
	return 1;
}

char *weft_pkg_manifest(const weft_plugin_info *p, const char *lib_name, const char *sha256, const char *const *docs,
			size_t n_docs)
{
	weft_buf b = {0};
	weft_buf_puts(&b, "# weft plugin package manifest\nformat: 1\n");
	yaml_str(&b, "name", p->name);
	yaml_str(&b, "version", p->version);
	weft_buf_printf(&b, "abi: \"%u.%u\"\n", p->abi_major, p->abi_minor);
	yaml_str(&b, "license", p->license);
	yaml_str(&b, "description", p->description);
	yaml_str(&b, "library", lib_name);
	weft_buf_printf(&b, "sha256: \"%s\"\n", sha256);
	weft_buf_puts(&b, "ops:\n");
	for (size_t i = 0; i < p->desc->n_ops; i++) {
		char *full = weft_sprintf("%s.%s", p->name, p->desc->ops[i]->name);
		weft_buf_puts(&b, "  - ");
		yaml_str(&b, "name", full);
		yaml_str(&b, "    version", p->desc->ops[i]->version);
		free(full);
	}
	weft_buf_puts(&b, n_docs ? "docs:\n" : "docs: []\n");
	for (size_t i = 0; i < n_docs; i++)
		yaml_line(&b, "  - ", docs[i]);
	return b.data;
}

/* ------------------------------------------------------------ pack */

static int add_file(struct archive *a, const char *src, const char *name, int mode)
{
	char *data = NULL;
	size_t len = 0;
	if (weft_read_file(src, &data, &len) != WEFT_OK)
		return WEFT_EIO;
	struct archive_entry *e = la()->archive_entry_new();
	if (!e) {
		free(data);
		return weft_err_set(WEFT_ERROR, "out of memory");
	}
	la()->archive_entry_set_pathname(e, name);
	la()->archive_entry_set_filetype(e, AE_IFREG);
	la()->archive_entry_set_perm(e, mode);
	la()->archive_entry_set_size(e, (la_int64_t)len);
	/* Fixed owner and time: the same inputs give the same archive bytes. */
	la()->archive_entry_set_mtime(e, 0, 0);
	la()->archive_entry_set_uname(e, "weft");
	la()->archive_entry_set_gname(e, "weft");
	int rc = WEFT_OK;
	if (la()->archive_write_header(a, e) != ARCHIVE_OK ||
	    (len && la()->archive_write_data(a, data, len) != (la_ssize_t)len))
		rc = weft_err_set(WEFT_EIO, "cannot add %s to the package: %s; check that it is readable",
				  name, la()->archive_error_string(a));
	la()->archive_entry_free(e);
	free(data);
	return rc;
}

int weft_pkg_write(const char *out_path, const char *manifest, const char *lib_path, const char *lib_name,
		   const char *const *doc_src, const char *const *doc_names, size_t n_docs)
{
	if (weft_archive_load() != WEFT_OK)
		return WEFT_EINVALID;
	char *tmp = weft_sprintf("%s.weft-tmp.%d", out_path, (int)getpid());
	if (!tmp)
		return weft_err_set(WEFT_ERROR, "out of memory");
	struct archive *a = la()->archive_write_new();
	int rc = WEFT_OK;
	if (!a || la()->archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    la()->archive_write_add_filter_zstd(a) != ARCHIVE_OK || la()->archive_write_open_filename(a, tmp) != ARCHIVE_OK) {
		rc = weft_err_set(WEFT_EIO, "cannot create %s: %s; check that its directory is writable", out_path,
				  a ? la()->archive_error_string(a) : "out of memory");
		goto done;
	}
	struct archive_entry *e = la()->archive_entry_new();
	size_t mlen = strlen(manifest);
	la()->archive_entry_set_pathname(e, "manifest.yaml");
	la()->archive_entry_set_filetype(e, AE_IFREG);
	la()->archive_entry_set_perm(e, 0644);
	la()->archive_entry_set_size(e, (la_int64_t)mlen);
	la()->archive_entry_set_mtime(e, 0, 0);
	la()->archive_entry_set_uname(e, "weft");
	la()->archive_entry_set_gname(e, "weft");
	if (la()->archive_write_header(a, e) != ARCHIVE_OK || la()->archive_write_data(a, manifest, mlen) != (la_ssize_t)mlen)
		rc = weft_err_set(WEFT_EIO, "cannot write the manifest: %s; check the disk has space",
				  la()->archive_error_string(a));
	la()->archive_entry_free(e);
	if (rc == WEFT_OK)
		rc = add_file(a, lib_path, lib_name, 0755);
	for (size_t i = 0; rc == WEFT_OK && i < n_docs; i++)
		rc = add_file(a, doc_src[i], doc_names[i], 0644);
	if (la()->archive_write_close(a) != ARCHIVE_OK && rc == WEFT_OK)
		rc = weft_err_set(WEFT_EIO, "cannot finish %s: %s; check the disk has space",
				  out_path, la()->archive_error_string(a));
done:
	if (a)
		la()->archive_write_free(a);
	if (rc == WEFT_OK && rename(tmp, out_path) != 0)
		rc = weft_err_set(WEFT_EIO, "cannot rename %s to %s: %s; check that the directory is writable",
				  tmp, out_path, strerror(errno));
	if (rc != WEFT_OK)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* ------------------------------------------------------------ install */

/* Lexically normalises a relative path; NULL if it is absolute, empty, or
 * climbs out of its root at any point. */
static char *safe_relpath(const char *p)
{
	if (!p || !*p || p[0] == '/')
		return NULL;
	char *out = malloc(strlen(p) + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	const char *s = p;
	while (*s) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			free(out);
			return NULL;
		}
		if (n && !(n == 1 && s[0] == '.')) {
			if (o)
				out[o++] = '/';
			memcpy(out + o, s, n);
			o += n;
		}
		s += n;
		if (*s == '/')
			s++;
	}
	out[o] = '\0';
	if (!o) {
		free(out);
		return NULL;
	}
	return out;
}

/* True when a symlink at `entry` (relative) pointing at `target` stays
 * inside the tree. */
static int link_stays_inside(const char *entry, const char *target)
{
	if (!target || !*target || target[0] == '/')
		return 0;
	const char *slash = strrchr(entry, '/');
	char *joined = slash ? weft_sprintf("%.*s/%s", (int)(slash - entry), entry, target) : weft_strdup(target);
	char *norm = safe_relpath(joined);
	free(joined);
	int ok = norm != NULL;
	free(norm);
	return ok;
}

typedef struct pending_link {
	char *path, *target;
} pending_link;

static int make_parent_dirs(const char *root, const char *rel)
{
	char *full = weft_path_join(root, rel);
	char *dir = full ? weft_path_dirname(full) : NULL;
	int rc = dir ? weft_mkdirs(dir, 0755) : weft_err_set(WEFT_ERROR, "out of memory");
	free(full);
	free(dir);
	return rc;
}

static int extract_file(struct archive *a, const char *root, const char *rel, int mode, uint64_t *total,
			const char *archive_path)
{
	if (make_parent_dirs(root, rel) != WEFT_OK)
		return WEFT_EIO;
	char *full = weft_path_join(root, rel);
	int fd = full ? open(full, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 0755) : -1;
	if (fd < 0) {
		int rc = weft_err_set(WEFT_EIO, "%s: cannot extract '%s': %s; check that the plugin directory is "
						"writable and has space", archive_path, rel,
				      errno == EEXIST ? "the archive holds it twice" : strerror(errno));
		free(full);
		return rc;
	}
	int rc = WEFT_OK;
	const void *buf;
	size_t size;
	la_int64_t off;
	for (;;) {
		int r = la()->archive_read_data_block(a, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK) {
			rc = weft_err_set(WEFT_EINVALID, "%s is corrupt (while reading '%s': %s); download or pack "
							 "it again", archive_path, rel,
					  la()->archive_error_string(a));
			break;
		}
		*total += size;
		if (*total > PKG_MAX_BYTES) {
			rc = weft_err_set(WEFT_EINVALID, "%s unpacks to more than %llu bytes; refusing it (a plugin "
							 "package holds a library, its manifest and docs)", archive_path,
					  (unsigned long long)PKG_MAX_BYTES);
			break;
		}
		if (pwrite(fd, buf, size, (off_t)off) != (ssize_t)size) {
			rc = weft_err_set(WEFT_EIO, "cannot write %s: %s; check that the plugin directory is "
						    "writable and has space", full, strerror(errno));
			break;
		}
	}
	if (close(fd) != 0 && rc == WEFT_OK)
		rc = weft_err_set(WEFT_EIO, "cannot write %s: %s; check that the plugin directory is writable and "
					    "has space", full, strerror(errno));
	free(full);
	return rc;
}

/* Extracts `archive_path` into the empty directory `root`. */
static int extract(const char *archive_path, const char *root)
{
	if (weft_archive_load() != WEFT_OK)
		return WEFT_EINVALID;
	struct archive *a = la()->archive_read_new();
	if (!a)
		return weft_err_set(WEFT_ERROR, "out of memory");
	la()->archive_read_support_filter_all(a);
	la()->archive_read_support_format_tar(a);
	int rc = WEFT_OK;
	pending_link *links = NULL;
	size_t n_links = 0;
	uint64_t total = 0;
	size_t entries = 0;
	if (la()->archive_read_open_filename(a, archive_path, 64 * 1024) != ARCHIVE_OK) {
		rc = weft_err_set(WEFT_EINVALID, "%s is corrupt or not a weft package (tar.zst): %s; make one with "
						 "`weft plugin pack`", archive_path,
				  la()->archive_error_string(a));
		goto done;
	}
	for (;;) {
		struct archive_entry *e;
		int r = la()->archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			rc = weft_err_set(WEFT_EINVALID, "%s is corrupt: %s; download or pack it again",
					  archive_path, la()->archive_error_string(a));
			break;
		}
		if (++entries > PKG_MAX_ENTRIES) {
			rc = weft_err_set(WEFT_EINVALID, "%s has more than %u entries; a plugin package holds a "
							 "library, "
							 "its manifest and docs",
					  archive_path, PKG_MAX_ENTRIES);
			break;
		}
		const char *name = la()->archive_entry_pathname(e);
		char *rel = safe_relpath(name);
		if (!rel) {
			rc = weft_err_set(WEFT_EINVALID,
					  "%s: refusing entry '%s': %s; a package holds only paths inside itself",
					  archive_path, name ? name : "",
					  name && name[0] == '/' ? "it is an absolute path" : "it climbs out with "
											      "'..'");
			break;
		}
		if (la()->archive_entry_hardlink(e)) {
			rc = weft_err_set(WEFT_EINVALID, "%s: refusing entry '%s': hard links are not allowed",
					  archive_path, name);
			free(rel);
			break;
		}
		mode_t type = la()->archive_entry_filetype(e);
		if (type == AE_IFDIR) {
			char *full = weft_path_join(root, rel);
			rc = full ? weft_mkdirs(full, 0755) : weft_err_set(WEFT_ERROR, "out of memory");
			free(full);
		} else if (type == AE_IFREG) {
			rc = extract_file(a, root, rel, (int)la()->archive_entry_perm(e), &total, archive_path);
		} else if (type == AE_IFLNK) {
			const char *target = la()->archive_entry_symlink(e);
			if (!link_stays_inside(rel, target)) {
				rc = weft_err_set(WEFT_EINVALID,
						  "%s: refusing entry '%s': it is a symlink to '%s', outside the "
						  "package",
						  archive_path, name, target ? target : "");
			} else {
				/* Links are made last, so no later entry can be written through one. */
				pending_link *nl = realloc(links, (n_links + 1) * sizeof *nl);
				if (!nl) {
					rc = weft_err_set(WEFT_ERROR, "out of memory");
				} else {
					links = nl;
					links[n_links].path = weft_strdup(rel);
					links[n_links].target = weft_strdup(target);
					n_links++;
				}
			}
		} else {
			rc = weft_err_set(WEFT_EINVALID,
					  "%s: refusing entry '%s': it is a device, FIFO or socket; a package holds "
					  "only "
					  "files and directories",
					  archive_path, name);
		}
		free(rel);
		if (rc != WEFT_OK)
			break;
	}
	for (size_t i = 0; i < n_links; i++) {
		if (rc == WEFT_OK) {
			char *full = weft_path_join(root, links[i].path);
			if (!full || make_parent_dirs(root, links[i].path) != WEFT_OK ||
			    symlink(links[i].target, full) != 0)
				rc = weft_err_set(WEFT_EIO, "%s: cannot create link '%s': %s; check that the plugin "
							    "directory is writable", archive_path, links[i].path,
						  strerror(errno));
			free(full);
		}
		free(links[i].path);
		free(links[i].target);
	}
done:
	free(links);
	la()->archive_read_free(a);
	return rc;
}

static const char *mstr(const weft_value *m, const char *key)
{
	return weft_value_get_string(weft_value_map_get(m, key), NULL);
}

/* Checks the staged package; fills name and library path on success. */
static int verify_staged(weft_value **manifest_out, const char *stage, const char *archive_path)
{
	char *mpath = weft_path_join(stage, "manifest.yaml");
	char *text = NULL;
	size_t len = 0;
	if (!mpath || weft_read_file(mpath, &text, &len) != WEFT_OK) {
		free(mpath);
		return weft_err_set(WEFT_EINVALID, "%s has no manifest.yaml at its top level: it is not a weft "
						   "package; make one with `weft plugin pack`",
				    archive_path);
	}
	if (len > PKG_MAX_MANIFEST) {
		free(text);
		free(mpath);
		return weft_err_set(WEFT_EINVALID, "%s: manifest.yaml is %zu bytes, over the %u KiB limit; pack it "
						   "again with `weft plugin pack`", archive_path,
				    len, PKG_MAX_MANIFEST >> 10);
	}
	weft_value *m = NULL;
	char *label = weft_sprintf("%s: manifest.yaml", archive_path);
	int rc = weft_value_from_yaml(&m, text, len, label ? label : "manifest.yaml");
	free(label);
	free(text);
	free(mpath);
	if (rc != WEFT_OK)
		return rc;
	const char *name = mstr(m, "name"), *abi = mstr(m, "abi"), *lib = mstr(m, "library"),
		   *sum = mstr(m, "sha256");
	if (weft_value_type(m) != WEFT_T_MAP || !name || !abi || !lib || !sum) {
		rc = weft_err_set(WEFT_EINVALID, "%s: manifest.yaml must set name, abi, library and sha256; pack it "
						 "again with `weft plugin pack`",
				  archive_path);
		goto fail;
	}
	if (!valid_name(name)) {
		rc = weft_err_set(WEFT_EINVALID, "%s: plugin name '%s' must be letters, digits, '_' or '-'; rename "
						 "the plugin and pack it again",
				  archive_path, name);
		goto fail;
	}
	unsigned maj = 0, min = 0;
	if (sscanf(abi, "%u.%u", &maj, &min) != 2 || maj != WEFT_ABI_MAJOR || min > WEFT_ABI_MINOR) {
		rc = weft_err_set(WEFT_EINVALID,
				  "%s: plugin %s was built for weft ABI %s but this weft has ABI %d.%d; %s", archive_path,
				  name, abi, WEFT_ABI_MAJOR, WEFT_ABI_MINOR,
				  maj != WEFT_ABI_MAJOR ? "rebuild it against this weft's SDK" : "upgrade weft");
		goto fail;
	}
	char *rel = safe_relpath(lib);
	char *full = rel ? weft_path_join(stage, rel) : NULL;
	free(rel);
	struct stat sb;
	if (!full || lstat(full, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		rc = weft_err_set(WEFT_EINVALID, "%s: the manifest names library '%s' but the package has no such "
						 "file; pack it again with `weft plugin pack`",
				  archive_path, lib);
		free(full);
		goto fail;
	}
	char got[WEFT_HASH_HEX];
	rc = weft_hash_file(got, full, NULL);
	free(full);
	if (rc != WEFT_OK)
		goto fail;
	if (strcmp(got, sum)) {
		rc = weft_err_set(WEFT_EINVALID,
				  "%s: checksum mismatch for %s: the manifest says sha256 %s but the file has %s; the "
				  "package is corrupt or was tampered with",
				  archive_path, lib, sum, got);
		goto fail;
	}
	*manifest_out = m;
	return WEFT_OK;
fail:
	weft_value_free(m);
	return rc;
}

int weft_pkg_install(char **installed_dir, weft_value **manifest, const char *archive_path, const char *dest_root)
{
	*installed_dir = NULL;
	*manifest = NULL;
	if (weft_mkdirs(dest_root, 0755) != WEFT_OK)
		return weft_err_wrap(WEFT_EIO, "cannot create the plugin directory %s", dest_root);
	/* Staging beside the destination: same filesystem, so the final step is
	 * one rename. A dot name keeps it off the plugin search path. */
	char *stage = weft_sprintf("%s/.install-XXXXXX", dest_root);
	if (!stage || !mkdtemp(stage)) {
		int rc = weft_err_set(WEFT_EIO, "cannot create a staging directory in %s: %s; check that it is "
						"writable", dest_root,
				      strerror(errno));
		free(stage);
		return rc;
	}
	weft_value *m = NULL;
	char *final = NULL, *old = NULL;
	int rc = extract(archive_path, stage);
	if (rc == WEFT_OK && chmod(stage, 0755) != 0) /* mkdtemp made it 0700 */
		rc = weft_err_set(WEFT_EIO, "cannot set permissions on %s: %s; check that you own the plugin "
					    "directory", stage, strerror(errno));
	if (rc == WEFT_OK)
		rc = verify_staged(&m, stage, archive_path);
	if (rc == WEFT_OK) {
		final = weft_path_join(dest_root, mstr(m, "name"));
		old = weft_sprintf("%s/.old-%s-%d", dest_root, mstr(m, "name"), (int)getpid());
		if (!final || !old)
			rc = weft_err_set(WEFT_ERROR, "out of memory");
	}
	if (rc == WEFT_OK) {
		struct stat sb;
		int replacing = lstat(final, &sb) == 0;
		if (replacing && rename(final, old) != 0) {
			rc = weft_err_set(WEFT_EIO, "cannot move the installed %s aside: %s; check that the plugin "
						    "directory is writable", final, strerror(errno));
		} else if (rename(stage, final) != 0) {
			rc = weft_err_set(WEFT_EIO, "cannot install into %s: %s; check that it is writable",
					  final, strerror(errno));
			if (replacing)
				(void)rename(old, final);
		} else if (replacing) {
			(void)weft_rm_rf(old);
		}
	}
	if (rc != WEFT_OK) {
		(void)weft_rm_rf(stage);
		weft_value_free(m);
		free(final);
	} else {
		*installed_dir = final;
		*manifest = m;
	}
	free(stage);
	free(old);
	return rc;
}
