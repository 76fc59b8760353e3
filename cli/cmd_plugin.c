/*
 * cmd_plugin.c -- `weft plugins` (list, info) and `weft plugin` (new, pack,
 * install): the plugin author's and the plugin user's commands.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "hash.h"
#include "weft/sys/pkg.h"
#include "util.h"

static const char plugins_help[] =
	"usage: weft plugins [--store DIR]\n"
	"       weft plugins info NAME\n"
	"\n"
	"Lists the loaded plugins with their version, ABI, op count and file, or\n"
	"shows one plugin's description and the docs of each of its ops.\n"
	"Plugins are searched, in order, in: the built-in directory, $WEFT_PLUGIN_PATH,\n"
	"<repo>/plugins/*/build, and each directory under $XDG_DATA_HOME/weft/plugins\n"
	"(default ~/.local/share/weft/plugins), where `weft plugin install` puts them.\n";

static const char plugin_help[] =
	"usage: weft plugin new NAME [--dir DIR]\n"
	"       weft plugin pack DIR [-o FILE]\n"
	"       weft plugin install FILE [--dir PLUGINS_DIR]\n"
	"       weft plugin uninstall NAME [--dir PLUGINS_DIR]\n"
	"       weft plugin list | info NAME   (same as `weft plugins`)\n"
	"       weft plugin trust [--remove | --list] PATH...\n"
	"\n"
	"trust    lets a plugin built inside a pipeline repository (plugins/NAME/build)\n"
	"         load: recorded by path and content hash, so a rebuild asks again.\n"
	"new      scaffolds a plugin project in DIR (default ./NAME): CMakeLists.txt,\n"
	"         one example op, a cmocka test using weft/testing.h, a README.\n"
	"pack     packs the plugin built in DIR (DIR/*.so or DIR/build/*.so) with a\n"
	"         manifest (name, version, ABI, ops, sha256) and its README.md and\n"
	"         docs/*.md into NAME-VERSION.tar.zst (or FILE).\n"
	"install  verifies a package (safe paths, manifest, checksum, ABI) and\n"
	"         installs it into PLUGINS_DIR/NAME (default\n"
	"         $XDG_DATA_HOME/weft/plugins), replacing an older version in one\n"
	"         rename.\n"
	"uninstall removes a plugin `install` put there (it has its manifest), in\n"
	"         one rename; cached results of its ops stay until `weft cache gc`.\n";

static int list_plugins(const char *only)
{
	weft_engine *eng;
	char *store = cli_store_dir(NULL, ".");
	int rc = cli_engine(&eng, store, ".");
	free(store);
	if (rc)
		return rc;
	int found = 0;
	if (!only)
		printf("%-14s %-9s %-5s %4s  %s\n", "PLUGIN", "VERSION", "ABI", "OPS", "FILE");
	for (size_t i = 0; i < weft_engine_plugin_count(eng); i++) {
		weft_plugin_info p;
		if (weft_engine_plugin_at(&p, eng, i) != WEFT_OK)
			continue;
		if (!only) {
			printf("%-14s %-9s %u.%-3u %4zu  %s\n", p.name, p.version, p.abi_major, p.abi_minor, p.n_ops,
			       p.path);
			continue;
		}
		if (strcmp(only, p.name))
			continue;
		found = 1;
		printf("%s %s  (ABI %u.%u, license %s)\n  %s\n  file: %s\n\n", p.name, p.version, p.abi_major,
		       p.abi_minor, p.license[0] ? p.license : "unknown", p.description, p.path);
		for (size_t k = 0; k < weft_engine_op_count(eng); k++) {
			const weft_op_info *op = weft_engine_op_at(eng, k);
			if (!strcmp(op->plugin, p.name))
				cli_print_op(op);
		}
	}
	weft_engine_free(eng);
	if (only && !found)
		return cli_fail("no plugin named '%s' is loaded; `weft plugins` lists them", only);
	return WEFT_EXIT_OK;
}

int cmd_plugins(int argc, char **argv)
{
	if (argc > 1 && cli_is_help(argv[1]))
		return fputs(plugins_help, stdout), WEFT_EXIT_OK;
	if (argc == 1 || !strcmp(argv[1], "list"))
		return list_plugins(NULL);
	if (!strcmp(argv[1], "info")) {
		if (argc != 3)
			return cli_fail("usage: weft plugins info NAME (`weft plugins` lists the names)");
		return list_plugins(argv[2]);
	}
	fputs(plugins_help, stderr);
	return WEFT_EXIT_USAGE;
}

/* The one .so in DIR or DIR/build. */
static char *find_library(const char *dir)
{
	const char *pats[] = {"%s/*.so", "%s/build/*.so"};
	for (int i = 0; i < 2; i++) {
		char *pat = weft_sprintf(pats[i], dir);
		glob_t g;
		int r = pat ? glob(pat, 0, NULL, &g) : GLOB_NOSPACE;
		free(pat);
		if (r != 0)
			continue;
		char *found = NULL;
		if (g.gl_pathc == 1)
			found = weft_strdup(g.gl_pathv[0]);
		else
			cli_fail("%s holds %zu plugin libraries; pack one directory per plugin", dir, g.gl_pathc);
		globfree(&g);
		if (found || i == 1)
			return found;
		return NULL;
	}
	cli_fail("no plugin library (*.so) in %s or %s/build; build the plugin first", dir, dir);
	return NULL;
}

static int pack(const char *dir, const char *out)
{
	char *lib = find_library(dir);
	if (!lib)
		return WEFT_EXIT_USAGE;
	/* Load it exactly as `weft run` would, in a throwaway store. */
	char tmpl[] = "/tmp/weft-pack-XXXXXX";
	if (!mkdtemp(tmpl)) {
		free(lib);
		return cli_fail("cannot create a temporary directory; check that $TMPDIR (or /tmp) is writable");
	}
	weft_engine_options eo = WEFT_ENGINE_OPTIONS_INIT;
	eo.store_dir = tmpl;
	eo.load_builtin_plugins = 0;
	weft_engine *eng = NULL;
	int rc = weft_engine_new(&eng, &eo);
	if (rc == WEFT_OK)
		rc = weft_engine_load_plugin(eng, lib);
	weft_plugin_info p;
	if (rc == WEFT_OK)
		rc = weft_engine_plugin_at(&p, eng, 0);
	char sum[WEFT_HASH_HEX];
	if (rc == WEFT_OK)
		rc = weft_hash_file(sum, lib, NULL);
	int ec = WEFT_EXIT_OK;
	if (rc != WEFT_OK) {
		ec = cli_fail("cannot pack %s: %s", lib, weft_error_last());
		goto done;
	}
	/* Docs: README.md and the .md files in docs/, when present. */
	char *srcs[64], *names[64];
	size_t n = 0;
	char *readme = weft_path_join(dir, "README.md");
	if (readme && access(readme, R_OK) == 0) {
		srcs[n] = readme;
		names[n++] = weft_strdup("README.md");
	} else {
		free(readme);
	}
	char *pat = weft_sprintf("%s/docs/*.md", dir);
	glob_t g;
	if (pat && glob(pat, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc && n < 64; i++) {
			srcs[n] = weft_strdup(g.gl_pathv[i]);
			const char *base = strrchr(g.gl_pathv[i], '/');
			names[n++] = weft_sprintf("docs/%s", base ? base + 1 : g.gl_pathv[i]);
		}
		globfree(&g);
	}
	free(pat);
	const char *libname = strrchr(lib, '/') ? strrchr(lib, '/') + 1 : lib;
	char *manifest = weft_pkg_manifest(&p, libname, sum, (const char *const *)names, n);
	char *outfile = out ? weft_strdup(out) : weft_sprintf("%s-%s.tar.zst", p.name, p.version);
	if (!manifest || !outfile ||
	    weft_pkg_write(outfile, manifest, lib, libname, (const char *const *)srcs, (const char *const *)names, n) !=
		    WEFT_OK)
		ec = cli_fail("%s", weft_error_last());
	else
		printf("packed %s %s (%zu op%s, ABI %u.%u) into %s\n", p.name, p.version, p.n_ops,
		       p.n_ops == 1 ? "" : "s", p.abi_major, p.abi_minor, outfile);
	for (size_t i = 0; i < n; i++) {
		free(srcs[i]);
		free(names[i]);
	}
	free(manifest);
	free(outfile);
done:
	weft_engine_free(eng);
	(void)weft_rm_rf(tmpl);
	free(lib);
	return ec;
}

static int install(const char *file, const char *dir_flag)
{
	char *dest = dir_flag ? weft_strdup(dir_flag) : cli_user_plugin_dir();
	if (!dest)
		return cli_fail("no plugin directory: set XDG_DATA_HOME or HOME, or pass --dir");
	char *installed = NULL;
	weft_value *m = NULL;
	int ec = WEFT_EXIT_OK;
	char tmpl[] = "/tmp/weft-install-XXXXXX";
	weft_engine *eng = NULL;
	if (weft_pkg_install(&installed, &m, file, dest) != WEFT_OK) {
		ec = cli_fail("cannot install %s: %s", file, weft_error_last());
	} else if (!mkdtemp(tmpl)) {
		weft_rm_rf(installed);
		ec = cli_fail("cannot install %s: cannot create a temporary directory; check that $TMPDIR (or /tmp) is writable", file);
	} else if (cli_engine(&eng, tmpl, ".") != WEFT_EXIT_OK) {
		/* It would stop every later command (a taken name, an op defined
		 * twice): refused now, instead of at every start. */
		weft_rm_rf(installed);
		fprintf(stderr, "weft: %s was not installed\n", file);
		ec = WEFT_EXIT_USAGE;
	} else {
		const char *name = weft_value_get_string(weft_value_map_get(m, "name"), NULL);
		const char *ver = weft_value_get_string(weft_value_map_get(m, "version"), NULL);
		printf("installed %s %s into %s\n", name ? name : "?", ver ? ver : "?", installed);
	}
	weft_engine_free(eng);
	if (tmpl[sizeof tmpl - 2] != 'X')
		weft_rm_rf(tmpl);
	weft_value_free(m);
	free(installed);
	free(dest);
	return ec;
}

static int uninstall(const char *name, const char *dir_flag)
{
	if (!name || !*name || strchr(name, '/') || name[0] == '.')
		return cli_fail("weft plugin uninstall needs a plugin's name (as `weft plugins` lists it), got '%s'",
				name ? name : "");
	char *dir = dir_flag ? weft_strdup(dir_flag) : cli_user_plugin_dir();
	if (!dir)
		return cli_fail("no plugin directory: set XDG_DATA_HOME or HOME, or pass --dir");
	char *path = weft_path_join(dir, name), *manifest = path ? weft_path_join(path, "manifest.yaml") : NULL;
	char *text = NULL, *gone = NULL;
	size_t len = 0;
	int rc = WEFT_EXIT_OK;
	if (!manifest) {
		rc = cli_fail("out of memory");
	} else if (access(path, F_OK) != 0) {
		char **names = NULL;
		size_t n = 0;
		weft_buf b = {0};
		if (weft_dir_list(dir, NULL, &names, &n) == WEFT_OK)
			for (size_t i = 0; i < n; i++)
				weft_buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
		weft_dir_list_free(names, n);
		rc = cli_fail("no plugin '%s' is installed in %s (installed: %s)", name, dir, b.data ? b.data : "none");
		weft_buf_free(&b);
	} else if (weft_read_file(manifest, &text, &len) != WEFT_OK) {
		rc = cli_fail("%s was not installed by `weft plugin install` (it has no manifest.yaml); remove it by hand "
			      "if you mean to", path);
	} else if (!(gone = weft_sprintf("%s/.%s.removed-%d", dir, name, (int)getpid())) || rename(path, gone) != 0) {
		/* One rename: a run starting now sees the plugin whole or not at all. */
		rc = cli_fail("cannot remove %s: %s", path, strerror(errno));
	} else {
		(void)weft_rm_rf(gone);
		weft_value *m = NULL;
		const char *ver = NULL;
		if (weft_value_from_yaml(&m, text, len, manifest) == WEFT_OK)
			ver = weft_value_get_string(weft_value_map_get(m, "version"), NULL);
		printf("removed %s %s from %s\n", name, ver ? ver : "", dir);
		weft_value_free(m);
	}
	free(text);
	free(gone);
	free(manifest);
	free(path);
	free(dir);
	return rc;
}

/* Picks `--dir X` / `-o X` out of argv; returns the positional argument. */
static int split_args(int argc, char **argv, const char *flag, const char *short_flag, const char **value,
		      const char **pos)
{
	*value = NULL;
	*pos = NULL;
	for (int i = 2; i < argc; i++) {
		if ((flag && !strcmp(argv[i], flag)) || (short_flag && !strcmp(argv[i], short_flag))) {
			if (i + 1 >= argc)
				return cli_fail("%s needs a value; see `weft plugin --help`", argv[i]);
			*value = argv[++i];
		} else if (argv[i][0] == '-') {
			return cli_fail("unknown option '%s'; see `weft plugin --help`", argv[i]);
		} else if (!*pos) {
			*pos = argv[i];
		} else {
			return cli_fail("unexpected argument '%s'; see `weft plugin --help`", argv[i]);
		}
	}
	if (!*pos)
		return cli_fail("weft plugin %s needs an argument; see `weft plugin --help`", argv[1]);
	return 0;
}

/* ------------------------------------------------------------ trust */

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
		while ((line = cli_trust_line(text->data ? text->data : "", so, &ll))) {
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

static int plugin_trust(int argc, char **argv)
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
	char *text = cli_trust_read();
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
	char *path = cli_trust_file(), *dir = path ? weft_path_dirname(path) : NULL;
	if (rc == WEFT_EXIT_OK && (!path || !dir || weft_mkdirs(dir, 0700) != WEFT_OK ||
				   weft_write_file_atomic(path, b.data ? b.data : "", b.len, 1) != WEFT_OK))
		rc = cli_fail("cannot record the trust in %s: %s; set XDG_DATA_HOME or HOME to a writable place",
			      path ? path : "(no XDG_DATA_HOME or HOME)", weft_error_last());
	free(dir);
	free(path);
	weft_buf_free(&b);
	return rc;
}

int cmd_plugin(int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		fputs(plugin_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? WEFT_EXIT_USAGE : WEFT_EXIT_OK;
	}
	const char *sub = argv[1], *val, *pos;
	if (!strcmp(sub, "list") || !strcmp(sub, "info"))
		return cmd_plugins(argc, argv);
	if (!strcmp(sub, "new")) {
		if (split_args(argc, argv, "--dir", NULL, &val, &pos))
			return WEFT_EXIT_USAGE;
		return cli_scaffold_plugin(pos, val ? val : pos);
	}
	if (!strcmp(sub, "pack")) {
		if (split_args(argc, argv, "--output", "-o", &val, &pos))
			return WEFT_EXIT_USAGE;
		return pack(pos, val);
	}
	if (!strcmp(sub, "trust"))
		return plugin_trust(argc, argv);
	if (!strcmp(sub, "install")) {
		if (split_args(argc, argv, "--dir", NULL, &val, &pos))
			return WEFT_EXIT_USAGE;
		return install(pos, val);
	}
	if (!strcmp(sub, "uninstall")) {
		if (split_args(argc, argv, "--dir", NULL, &val, &pos))
			return WEFT_EXIT_USAGE;
		return uninstall(pos, val);
	}
	fputs(plugin_help, stderr);
	return cli_fail("unknown subcommand 'plugin %s'; see `weft plugin --help`", sub);
}
