/*
 * cmd_init.c -- weft init: a new pipeline repository, made with libgit2:
 * weft.yaml, a starter pipeline, a .gitignore that keeps the store out of
 * git, and a first commit.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"
#include "weft/repo.h"

static const char init_help[] =
	"usage: weft init [DIR]\n"
	"\n"
	"Makes DIR (default: here) a pipeline repository: `git init` (through\n"
	"libgit2; an existing repository is reused), then weft.yaml,\n"
	"pipelines/hello.lua and a .gitignore that keeps .weft/ out, committed as\n"
	"one commit. Existing files are never overwritten.\n";

static const char weft_yaml[] =
	"# weft settings for this repository (docs/workers.md, docs/repos.md).\n"
	"# Resource pools nodes can ask for; GPUs and NPUs are also detected from\n"
	"# CUDA_VISIBLE_DEVICES, nvidia-smi and ASCEND_RT_VISIBLE_DEVICES.\n"
	"resources:\n"
	"  # cpus: 16\n"
	"  # mem: 64G\n"
	"  # gpu: 2\n"
	"workers:\n"
	"  isolate: plugins   # plugins | all | none\n"
	"  grace: 10s\n";

static const char hello_lua[] =
	"-- A starter pipeline. Run it with `weft run pipelines/hello.lua`; commit\n"
	"-- your changes, and `weft log` shows which commit produced each run.\n"
	"local who = weft.param(\"who\", \"world\", \"who to greet\")\n"
	"\n"
	"local greeting = ops.core.shell {\n"
	"  name = \"greet\",\n"
	"  who = who,\n"
	"  cmd = 'printf \"Hello, %s!\" \"$who\"',\n"
	"  capture_stdout = true,\n"
	"}\n"
	"\n"
	"local shout = ops.core.shell {\n"
	"  name = \"shout\",\n"
	"  text = greeting.stdout,\n"
	"  cmd = 'printf \"%s\" \"$text\" | tr a-z A-Z',\n"
	"  capture_stdout = true,\n"
	"}\n"
	"\n"
	"return shout.stdout\n";

static const char gitignore[] = "# weft's cache and run records\n.weft/\n";

int cmd_init(int argc, char **argv)
{
	const char *dir = ".";
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			fputs(init_help, stdout);
			return WEFT_EXIT_OK;
		}
		if (argv[i][0] == '-' || i > 1) {
			fputs(init_help, stderr);
			return WEFT_EXIT_USAGE;
		}
		dir = argv[i];
	}
	const weft_repo_file files[] = {
		{"weft.yaml", weft_yaml},
		{"pipelines/hello.lua", hello_lua},
		{".gitignore", gitignore},
	};
	char commit[41];
	if (weft_repo_init(commit, dir, files, sizeof files / sizeof *files, "weft init: a new pipeline repository") !=
	    WEFT_OK)
		return cli_fail("%s", weft_error_last());
	printf("initialised a pipeline repository in %s (commit %.12s)\n"
	       "next: cd %s && weft run pipelines/hello.lua\n",
	       dir, commit, dir);
	return WEFT_EXIT_OK;
}
