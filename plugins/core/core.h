/*
 * core.h -- the op descriptors of the core plugin, one file per family.
 * The plugin includes only weft/plugin.h, exactly as a third party would.
 */
#ifndef WEFT_CORE_PLUGIN_H
#define WEFT_CORE_PLUGIN_H

#include <weft/ophelp.h>


/* spawn.c: `/bin/sh -c cmd` in `workdir`, stdin from /dev/null, stdout to
 * `stdout_path` (NULL: `log_fd`), stderr to `log_fd`, in a process group of its
 * own that this process's watcher kills if this process dies. The caller
 * waits for `shell`, kills what is left of the group (before reaping the
 * shell, so the group id cannot be reused), reaps it, then calls
 * core_spawn_release. Returns 0, or -1 with errno. Everything is borrowed
 * until it returns. */
#include <sys/types.h>
typedef struct core_spawn {
	const char *cmd;
	char *const *envp;
	const char *workdir;
	const char *stdout_path; /* NULL: stdout goes to log_fd too */
	int log_fd;              /* the command's stderr: the pipe its log is copied from */
} core_spawn;
typedef struct core_proc {
	pid_t shell; /* the command's shell: a child of this process */
	pid_t group; /* its process group (the shell leads it) */
	int slot;    /* its slot in the watcher's table, -1 if unguarded */
} core_proc;
int core_spawn_guarded(core_proc *out, const core_spawn *s);
/* The command and its group are gone: the watcher forgets the group. */
void core_spawn_release(const core_proc *p);

/* Reads a whole artifact file into a host-allocated buffer. */
int core_read_artifact(char **data, size_t *len, weft_op_ctx *ctx, const weft_host_api *api,
		       const weft_value *art, const char *what);

/* The ops' run functions, by file (ops.c declares the ops). */
weft_op_run_fn core_run_value, core_run_concat, core_run_merge, core_run_noop, core_run_sleep; /* core.c */
weft_op_run_fn core_run_csv, core_run_json, core_run_yaml; /* data.c */
weft_op_run_fn core_run_import, core_run_glob, core_run_export; /* files.c */
weft_op_run_fn core_run_shell; /* shell.c */
weft_op_start_fn core_start_shell;
weft_op_finish_fn core_finish_shell;
weft_op_pump_fn core_pump_shell;

extern const weft_plugin_desc core_plugin; /* ops.c */

#endif
