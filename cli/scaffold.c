/*
 * scaffold.c -- `weft plugin new NAME`: copies the plugin template tree,
 * replacing @NAME@ in file names and contents and dropping the .in suffix.
 * The result builds, tests and loads unchanged against the installed SDK.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "util.h"

static char *replace_all(const char *s, const char *pat, const char *with)
{
	weft_buf b = {0};
	size_t pl = strlen(pat);
	for (const char *p = s;;) {
		const char *hit = strstr(p, pat);
		if (!hit) {
			weft_buf_puts(&b, p);
			break;
		}
		weft_buf_put(&b, p, (size_t)(hit - p));
		weft_buf_puts(&b, with);
		p = hit + pl;
	}
	return b.data ? b.data : weft_strdup("");
}

static int copy_tree(const char *src, const char *dst, const char *name)
{
	DIR *d = opendir(src);
	if (!d)
		return weft_err_set(WEFT_EIO, "cannot read templates in %s: %s", src, strerror(errno));
	if (weft_mkdirs(dst, 0755) != WEFT_OK) {
		closedir(d);
		return WEFT_EIO;
	}
	int rc = WEFT_OK;
	struct dirent *e;
	while (rc == WEFT_OK && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *from = weft_path_join(src, e->d_name);
		char *base = replace_all(e->d_name, "@NAME@", name);
		size_t bl = base ? strlen(base) : 0;
		if (base && bl > 3 && !strcmp(base + bl - 3, ".in"))
			base[bl - 3] = '\0';
		if (base && !strcmp(base, "gitignore")) {
			free(base);
			base = weft_strdup(".gitignore");
		}
		char *to = base ? weft_path_join(dst, base) : NULL;
		struct stat sb;
		if (!from || !to || stat(from, &sb) != 0) {
			rc = weft_err_set(WEFT_ERROR, "cannot read template %s", from ? from : "?");
		} else if (S_ISDIR(sb.st_mode)) {
			rc = copy_tree(from, to, name);
		} else {
			char *text = NULL;
			size_t len = 0;
			rc = weft_read_file(from, &text, &len);
			char *out = rc == WEFT_OK ? replace_all(text, "@NAME@", name) : NULL;
			if (rc == WEFT_OK)
				rc = out ? weft_write_file_atomic(to, out, strlen(out), 0) : WEFT_ERROR;
			free(text);
			free(out);
		}
		free(from);
		free(base);
		free(to);
	}
	closedir(d);
	return rc;
}

int cli_scaffold_plugin(const char *name, const char *dir)
{
	/* The name becomes a C identifier and a file name: keep it simple. */
	int ok = name[0] && ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_') && strlen(name) <= 48;
	for (const char *c = name; ok && *c; c++)
		ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_';
	if (!ok)
		return cli_fail("plugin name '%s' must be lower-case letters, digits and '_', starting with a letter",
				name);
	struct stat sb;
	if (stat(dir, &sb) == 0)
		return cli_fail("%s already exists; choose another directory with --dir or remove it", dir);
	char *templates = cli_templates_dir();
	char *src = templates ? weft_path_join(templates, "plugin") : NULL;
	int rc = src ? copy_tree(src, dir, name) : WEFT_ERROR;
	free(templates);
	free(src);
	if (rc != WEFT_OK) {
		(void)weft_rm_rf(dir);
		return cli_fail("%s", weft_error_last());
	}
	printf("created plugin %s in %s\n"
	       "next:\n"
	       "  cmake -S %s -B %s/build && cmake --build %s/build && ctest --test-dir %s/build\n"
	       "  WEFT_PLUGIN_PATH=%s/build weft ops %s.upper\n",
	       name, dir, dir, dir, dir, dir, dir, name);
	return WEFT_EXIT_OK;
}
