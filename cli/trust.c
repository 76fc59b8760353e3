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
 * .envrc changes. This file reads and checks the records; `weft plugin
 * trust` (cmd_plugin.c) writes them.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hash.h"
#include "util.h"

char *cli_trust_file(void)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	if (xdg && *xdg)
		return weft_path_join(xdg, "weft/trust");
	const char *home = getenv("HOME");
	return home && *home ? weft_path_join(home, ".local/share/weft/trust") : NULL;
}

/* The trust file's text ("" when there is none); caller frees. */
char *cli_trust_read(void)
{
	char *path = cli_trust_file(), *text = NULL;
	size_t len = 0;
	if (!path || weft_read_file(path, &text, &len) != WEFT_OK)
		text = weft_strdup("");
	free(path);
	return text;
}

const char *cli_trust_line(const char *text, const char *abs, size_t *linelen)
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

int cli_plugin_trusted(const char *trust, const char *so)
{
	char *abs = weft_path_abs(NULL, so);
	char sum[WEFT_HASH_HEX];
	size_t ll = 0;
	/* Hashed only when the path is recorded at all. */
	const char *line = abs && trust ? cli_trust_line(trust, abs, &ll) : NULL;
	int ok = line && weft_hash_file(sum, abs, NULL) == WEFT_OK && !memcmp(line, sum, WEFT_HASH_HEX - 1);
	free(abs);
	return ok;
}
