/*
 * paths.c -- where things live: the pipeline's repository, its store, the
 * built-in plugins and stdlib (relocatable: next to the binary when
 * installed, in the build tree otherwise), and the plugin search path.
 */
#define _GNU_SOURCE
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

#ifndef WEFT_BUILD_PLUGIN_DIR
#define WEFT_BUILD_PLUGIN_DIR ""
#endif
#ifndef WEFT_SOURCE_STDLIB_DIR
#define WEFT_SOURCE_STDLIB_DIR "stdlib"
#endif

static int exists_in(const char *dir, const char *name)
{
	char *p = weft_path_join(dir, name);
	struct stat sb;
	int ok = p && stat(p, &sb) == 0;
	free(p);
	return ok;
}

static int is_dir(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

char *cli_repo_root(const char *start)
{
	char *cur = weft_path_abs(NULL, start ? start : ".");
	while (cur) {
		if (exists_in(cur, "weft.yaml") || exists_in(cur, ".git") || exists_in(cur, ".weft"))
			return cur;
		if (!strcmp(cur, "/")) {
			free(cur);
			return NULL;
		}
		char *up = weft_path_dirname(cur);
		free(cur);
		cur = up;
	}
	return NULL;
}

char *cli_store_dir(const char *flag, const char *start)
{
	if (flag)
		return weft_path_abs(NULL, flag);
	const char *env = getenv("WEFT_STORE");
	if (env && *env)
		return weft_path_abs(NULL, env);
	char *root = cli_repo_root(start);
	if (!root)
		root = weft_path_abs(NULL, start ? start : ".");
	char *store = root ? weft_path_join(root, ".weft") : NULL;
	free(root);
	return store;
}

/* The directory holding the running binary, or NULL. */
static char *exe_dir(void)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return weft_path_dirname(buf);
}

/* <exe>/../REL when it is a directory (an installed weft), else `fallback`. */
static char *beside_exe(const char *rel, const char *fallback)
{
	char *dir = exe_dir();
	char *cand = dir ? weft_path_join(dir, rel) : NULL;
	free(dir);
	if (cand && is_dir(cand)) {
		char *real = realpath(cand, NULL);
		free(cand);
		return real;
	}
	free(cand);
	return weft_strdup(fallback);
}

char *cli_builtin_plugin_dir(void)
{
	return beside_exe("../lib/weft/plugins", WEFT_BUILD_PLUGIN_DIR);
}

#ifndef WEFT_SOURCE_PYTHON_DIR
#define WEFT_SOURCE_PYTHON_DIR "python"
#endif

char *cli_python_dir(void)
{
	return beside_exe("../share/weft/python", WEFT_SOURCE_PYTHON_DIR);
}

char *cli_stdlib_dir(void)
{
	const char *env = getenv("WEFT_STDLIB");
	if (env && *env)
		return weft_strdup(env);
	return beside_exe("../share/weft/stdlib", WEFT_SOURCE_STDLIB_DIR);
}

#ifndef WEFT_SOURCE_TEMPLATES_DIR
#define WEFT_SOURCE_TEMPLATES_DIR "templates"
#endif

char *cli_templates_dir(void)
{
	return beside_exe("../share/weft/templates", WEFT_SOURCE_TEMPLATES_DIR);
}

char *cli_user_plugin_dir(void)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	if (xdg && *xdg)
		return weft_path_join(xdg, "weft/plugins");
	const char *home = getenv("HOME");
	return home && *home ? weft_path_join(home, ".local/share/weft/plugins") : NULL;
}

static void add_glob(weft_buf *b, const char *pattern)
{
	glob_t g;
	if (glob(pattern, GLOB_ONLYDIR, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++)
		weft_buf_printf(b, ":%s", g.gl_pathv[i]);
	globfree(&g);
}

/* Each repository build directory whose every .so is trusted
 * (trust.c); the others are left out, with a word on stderr. */
static void add_trusted_builds(weft_buf *b, const char *root)
{
	char *pat = weft_sprintf("%s/plugins/*/build/*.so", root);
	glob_t g;
	if (!pat || glob(pat, 0, NULL, &g) != 0) {
		free(pat);
		return;
	}
	free(pat);
	char *trust = cli_trust_read();
	/* glob sorts its paths, so the libraries of one directory are next to
	 * each other: each run of them is one directory, loaded whole, so all
	 * of its libraries must be trusted. Each library is checked once. */
	for (size_t i = 0; i < g.gl_pathc;) {
		char *dir = weft_path_dirname(g.gl_pathv[i]);
		size_t dl = dir ? strlen(dir) : 0;
		int ok = dir != NULL;
		size_t j = i;
		for (; dir && j < g.gl_pathc && !strncmp(g.gl_pathv[j], dir, dl) && g.gl_pathv[j][dl] == '/' &&
		       !strchr(g.gl_pathv[j] + dl + 1, '/');
		     j++) {
			if (!cli_plugin_trusted(trust, g.gl_pathv[j])) {
				ok = 0;
				fprintf(stderr,
					"weft: not loading %s: a plugin built inside the repository runs native code and is "
					"not trusted yet; `weft plugin trust %s` trusts this build\n",
					g.gl_pathv[j], g.gl_pathv[j]);
			}
		}
		if (ok)
			weft_buf_printf(b, ":%s", dir);
		free(dir);
		i = j > i ? j : i + 1;
	}
	free(trust);
	globfree(&g);
}

char *cli_plugin_search_path(const char *start)
{
	weft_buf b = {0};
	char *builtin = cli_builtin_plugin_dir();
	weft_buf_puts(&b, builtin ? builtin : "");
	free(builtin);
	const char *env = getenv("WEFT_PLUGIN_PATH");
	if (env && *env)
		weft_buf_printf(&b, ":%s", env);
	char *root = cli_repo_root(start);
	if (root) {
		/* A plugin developed inside the pipeline's repository, built in
		 * place: only once trusted (trust.c). */
		add_trusted_builds(&b, root);
		free(root);
	}
	char *user = cli_user_plugin_dir();
	if (user) {
		/* Installed plugins: one directory each (see `weft plugin install`). */
		char *pat = weft_sprintf("%s/*", user);
		if (pat)
			add_glob(&b, pat);
		free(pat);
		free(user);
	}
	return b.data ? b.data : weft_strdup("");
}
