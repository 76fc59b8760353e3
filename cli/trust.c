/*
 * trust.c -- which plugins built inside a pipeline repository may load.
 *
 * A plugin is native code: loading one, even to read its descriptor in a
 * throwaway process, runs its constructors. Plugins on WEFT_PLUGIN_PATH,
 * installed ones and weft's own were chosen by the user; a `.so` under a
 * repository's plugins/NAME/build came with a clone. Those load only once
 * `weft plugin trust` has recorded them, by absolute path and SHA-256 of
 * their content, in DATA/weft/trust (XDG_DATA_HOME, else
 * ~/.local/share), one "HASH PATH" line each: a rebuilt or replaced library
 * is a new one and must be trusted again, as direnv asks again after an
 * .envrc changes.
 */
#define _GNU_SOURCE
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hash.h"
#include "util.h"

static char *trust_file(void)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	if (xdg && *xdg)
		return weft_path_join(xdg, "weft/trust");
	const char *home = getenv("HOME");
	return home && *home ? weft_path_join(home, ".local/share/weft/trust") : NULL;
}

/* The trust file's text ("" when there is none); caller frees. */
static char *read_trust(void)
{
	char *path = trust_file(), *text = NULL;
	size_t len = 0;
	if (!path || weft_read_file(path, &text, &len) != WEFT_OK)
		text = weft_strdup("");
	free(path);
	return text;
}

/* The line "HASH PATH" of the trust file for `abs`, or NULL. */
static const char *find_line(const char *text, const char *abs, size_t *linelen)
{
	size_t al = strlen(abs);
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len == WEFT_HASH_HEX + al && p[WEFT_HASH_HEX - 1] == ' ' && !memcmp(p + WEFT_HASH_HEX, abs, al)) {
			*linelen = len + (nl != NULL);
			return p;
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

int cli_plugin_trusted(const char *so)
{
	char *abs = weft_path_abs(NULL, so), *text = read_trust();
	char sum[WEFT_HASH_HEX];
	size_t ll = 0;
	const char *line = abs && text ? find_line(text, abs, &ll) : NULL;
	int ok = line && weft_hash_file(sum, abs, NULL) == WEFT_OK && !memcmp(line, sum, WEFT_HASH_HEX - 1);
	free(abs);
	free(text);
	return ok;
}

/* Adds (or, with `remove`, drops) the record of each .so at `path`: the
 * file itself, or every .so in a directory. */
static int update(const char *path, int remove, weft_buf *text)
{
	char *abs = weft_path_abs(NULL, path), *pat = abs ? weft_sprintf("%s/*.so", abs) : NULL;
	glob_t g = {0};
	int is_dir = pat && glob(pat, 0, NULL, &g) == 0;
	size_t n = is_dir ? g.gl_pathc : 1;
	int rc = abs ? WEFT_EXIT_OK : cli_fail("out of memory");
	for (size_t i = 0; rc == WEFT_EXIT_OK && i < n; i++) {
		const char *so = is_dir ? g.gl_pathv[i] : abs;
		size_t ll = 0;
		const char *line;
		while ((line = find_line(text->data ? text->data : "", so, &ll))) {
			size_t at = (size_t)(line - text->data);
			memmove(text->data + at, text->data + at + ll, text->len - at - ll + 1);
			text->len -= ll;
		}
		if (remove) {
			printf("untrusted %s\n", so);
			continue;
		}
		char sum[WEFT_HASH_HEX];
		if (weft_hash_file(sum, so, NULL) != WEFT_OK) {
			rc = cli_fail("cannot trust %s: %s", so, weft_error_last());
			break;
		}
		weft_buf_printf(text, "%s %s\n", sum, so);
		printf("trusted %s (sha256 %.12s)\n", so, sum);
	}
	if (is_dir)
		globfree(&g);
	free(pat);
	free(abs);
	return rc;
}

static const char trust_help[] =
	"usage: weft plugin trust PATH...        trust these plugin libraries (a .so, or every .so in a directory)\n"
	"       weft plugin trust --remove PATH...\n"
	"       weft plugin trust --list\n\n"
	"A plugin built inside a pipeline repository (plugins/NAME/build/*.so) came with\n"
	"the clone; weft loads it only once trusted here, by path and content hash: a\n"
	"rebuilt library must be trusted again. Plugins on WEFT_PLUGIN_PATH, installed\n"
	"ones and weft's own need no trust.\n";

int cli_plugin_trust(int argc, char **argv)
{
	int remove = 0, list = 0, first = 2;
	for (; first < argc && argv[first][0] == '-'; first++) {
		if (!strcmp(argv[first], "--remove"))
			remove = 1;
		else if (!strcmp(argv[first], "--list"))
			list = 1;
		else if (cli_is_help(argv[first])) {
			fputs(trust_help, stdout);
			return WEFT_EXIT_OK;
		} else
			return cli_fail("unknown option '%s'; see `weft plugin trust --help`", argv[first]);
	}
	char *text = read_trust();
	if (!text)
		return cli_fail("out of memory");
	if (list) {
		fputs(text, stdout);
		free(text);
		return WEFT_EXIT_OK;
	}
	if (first >= argc) {
		free(text);
		fputs(trust_help, stderr);
		return WEFT_EXIT_USAGE;
	}
	weft_buf b = {0};
	int rc = weft_buf_puts(&b, text) == WEFT_OK ? WEFT_EXIT_OK : cli_fail("out of memory");
	free(text);
	for (int i = first; rc == WEFT_EXIT_OK && i < argc; i++)
		rc = update(argv[i], remove, &b);
	char *path = trust_file(), *dir = path ? weft_path_dirname(path) : NULL;
	if (rc == WEFT_EXIT_OK && (!path || !dir || weft_mkdirs(dir, 0700) != WEFT_OK ||
				   weft_write_file_atomic(path, b.data ? b.data : "", b.len, 1) != WEFT_OK))
		rc = cli_fail("cannot record the trust in %s: %s; set XDG_DATA_HOME or HOME to a writable place",
			      path ? path : "(no XDG_DATA_HOME or HOME)", weft_error_last());
	free(dir);
	free(path);
	weft_buf_free(&b);
	return rc;
}
