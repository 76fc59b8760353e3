/*
 * completion.c -- `weft completion bash|zsh`: a completion script for the
 * shell, made from the CLI's own command table, so a new command is
 * completed without touching this file (its options are listed here).
 *
 *   source <(weft completion bash)        # or: cmake --install puts it in
 *                                         # share/bash-completion/completions
 *
 * Commands complete at the first word, options after a command, pipeline
 * scripts (*.lua) where a command takes one, run ids after resume, show,
 * cat, export and status, and `local` / `slurm` after --executor.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* The options each command takes (what its --help lists). */
static const struct {
	const char *cmd, *opts;
	int lua;  /* its first argument is a pipeline script */
	int runs; /* its first argument is a run id */
} per_command[] = {
	{"run", "-p --param --params -j --jobs -k --keep-going --store -q --quiet --force --force= --rev --executor "
		"-n --dry-run --until -v --verbose --profile --help",
	 1, 0},
	{"resume", "-j --jobs -k --keep-going --store -q --quiet --executor -v --verbose --profile --help", 0, 1},
	{"plan", "-p --param --params --store --executor --force= --until --profile --json --help", 1, 0},
	{"graph", "-p --param --params --run --format --store --help", 1, 0},
	{"params", "-p --param --params --json --help", 1, 0},
	{"status", "-n -w --store --json --help", 0, 1},
	{"show", "--json --store --help", 0, 1},
	{"cat", "--store --help", 0, 1},
	{"export", "--store --help", 0, 1},
	{"log", "-n --store --json --help", 0, 0},
	{"diff", "-p --param --params --help", 0, 0},
	{"blame", "--store --help", 0, 1},
	{"cache", "stats gc --keep-runs --max-size --dry-run --store --help", 0, 0},
	{"plugins", "info --help", 0, 0},
	{"plugin", "new pack install uninstall trust --dir -o --help", 0, 0},
	{"ops", "--store --json --lua-stubs --help", 0, 0},
	{"resources", "-j --json --help", 0, 0},
	{"init", "--help", 0, 0},
	{"completion", "bash zsh", 0, 0},
	{"report", "-o --store --help", 0, 1},
};
#define N_PER (sizeof per_command / sizeof per_command[0])

static void commands_word(FILE *f)
{
	for (const cli_command *c = cli_commands(); c->name; c++)
		if (c->summary)
			fprintf(f, "%s ", c->name);
}

static void bash(FILE *f)
{
	fputs("# weft completion for bash: source <(weft completion bash)\n"
	      "_weft_runs() {\n"
	      "  local store=${WEFT_STORE:-}\n"
	      "  if [ -z \"$store\" ]; then\n"
	      "    local d=$PWD\n"
	      "    while [ \"$d\" != / ] && [ ! -e \"$d/weft.yaml\" ] && [ ! -e \"$d/.git\" ] && [ ! -e \"$d/.weft\" ]; do d=$(dirname \"$d\"); done\n"
	      "    [ \"$d\" = / ] && d=$PWD\n"
	      "    store=$d/.weft\n"
	      "  fi\n"
	      "  ls \"$store/runs\" 2>/dev/null\n"
	      "}\n"
	      "_weft() {\n"
	      "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	      "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n",
	      f);
	fputs("    COMPREPLY=($(compgen -W \"", f);
	commands_word(f);
	fputs("--help --version\" -- \"$cur\")); return\n  fi\n"
	      "  case \"$prev\" in\n"
	      "    --executor) COMPREPLY=($(compgen -W \"local slurm\" -- \"$cur\")); return ;;\n"
	      "    --store|--dir|-o) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n"
	      "    --params) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
	      "  esac\n"
	      "  case \"${COMP_WORDS[1]}\" in\n",
	      f);
	for (size_t i = 0; i < N_PER; i++) {
		fprintf(f, "    %s)\n      if [[ \"$cur\" == -* ]]; then COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))\n",
			per_command[i].cmd, per_command[i].opts);
		if (per_command[i].lua)
			fputs("      else COMPREPLY=($(compgen -f -X '!*.lua' -- \"$cur\") $(compgen -d -- \"$cur\"))\n", f);
		else if (per_command[i].runs)
			fputs("      else COMPREPLY=($(compgen -W \"$(_weft_runs)\" -- \"$cur\"))\n", f);
		else
			fprintf(f, "      else COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))\n", per_command[i].opts);
		fputs("      fi ;;\n", f);
	}
	fputs("  esac\n}\ncomplete -o filenames -F _weft weft\n", f);
}

static void zsh(FILE *f)
{
	fputs("#compdef weft\n# weft completion for zsh: weft completion zsh > \"${fpath[1]}/_weft\"\n"
	      "_weft() {\n"
	      "  local -a cmds\n"
	      "  cmds=(\n",
	      f);
	for (const cli_command *c = cli_commands(); c->name; c++)
		if (c->summary) {
			fprintf(f, "    '%s:", c->name);
			for (const char *p = c->summary; *p; p++)
				fputs(*p == '\'' ? "'\\''" : *p == ':' ? "\\:" : (char[2]){*p, 0}, f);
			fputs("'\n", f);
		}
	fputs("  )\n"
	      "  if (( CURRENT == 2 )); then _describe 'weft command' cmds; return; fi\n"
	      "  case ${words[2]} in\n",
	      f);
	for (size_t i = 0; i < N_PER; i++) {
		fprintf(f, "    %s) _arguments '*:arg:->rest'; if [[ $PREFIX == -* ]]; then compadd -- %s; ", per_command[i].cmd,
			per_command[i].opts);
		fputs(per_command[i].lua ? "else _files -g '*.lua'; fi ;;\n" : "else _files; fi ;;\n", f);
	}
	fputs("  esac\n}\n_weft \"$@\"\n", f);
}

static const char completion_help[] = "usage: weft completion bash|zsh\n"
				      "\n"
				      "Prints a completion script for the shell:\n"
				      "  source <(weft completion bash)\n"
				      "  weft completion zsh > \"${fpath[1]}/_weft\"\n"
				      "`cmake --install` installs both.\n";

int cmd_completion(int argc, char **argv)
{
	if (argc != 2 || cli_is_help(argv[1])) {
		fputs(completion_help, argc == 2 ? stdout : stderr);
		return argc == 2 ? WEFT_EXIT_OK : WEFT_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "bash"))
		bash(stdout);
	else if (!strcmp(argv[1], "zsh"))
		zsh(stdout);
	else
		return cli_fail("weft completion knows bash and zsh, not '%s'", argv[1]);
	return WEFT_EXIT_OK;
}
