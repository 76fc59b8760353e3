/*
 * spawn.c -- starts `/bin/sh -c CMD` so that its whole process tree dies
 * with the process that started it.
 *
 * A plain child outlives a weft that is killed with kill -9, and so do its
 * own children (a pipeline's cat and cksum): on resume they went on writing
 * into the node's work directory. Linux has no "kill my process group when
 * my parent dies", so a watcher process does it: it leads a new process
 * group, asks the kernel for SIGHUP when the thread that forked it dies
 * (PR_SET_PDEATHSIG), and answers that signal by killing its whole group.
 * The shell is then forked into the watcher's group, still as a child of
 * this process (so $PPID and waitpid are what they were). The watcher lives
 * until the caller kills the group; while it lives, the group id cannot be
 * reused, so killing the group never hits a stranger.
 *
 * Between fork and exec only async-signal-safe calls are made: weft has
 * threads, and everything the children need is prepared before the fork.
 */
#define _GNU_SOURCE
#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void kill_group(int sig)
{
	(void)sig;
	kill(0, SIGKILL); /* the guard's own group: the shell and all it started */
	_exit(128 + SIGKILL);
}

static void write_err(const char *a, const char *b)
{
	(void)!write(2, a, strlen(a));
	(void)!write(2, b, strlen(b));
	(void)!write(2, "\n", 1);
}

/* In the shell's process: descriptors, directory, signals, exec. */
static void __attribute__((noreturn)) exec_shell(const core_spawn *s)
{
	int in = open("/dev/null", O_RDONLY);
	int out = s->stdout_path ? open(s->stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0644)
				 : open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	int err = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(126);
	if (chdir(s->workdir) != 0) {
		write_err("weft: cannot enter the work directory ", s->workdir);
		_exit(126);
	}
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &dfl, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	char *argv[] = {"/bin/sh", "-c", (char *)s->cmd, NULL};
	execve("/bin/sh", argv, s->envp);
	write_err("weft: cannot start /bin/sh: ", strerror(errno));
	_exit(127);
}

/* In the watcher: lead the group, die with the parent, taking the group. */
static void __attribute__((noreturn)) watch(int ready, pid_t parent)
{
	setpgid(0, 0);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = kill_group;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	/* A cancel (SIGTERM to the group) and Ctrl-C are the shell's to answer. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGHUP) != 0 || getppid() != parent)
		kill_group(SIGHUP); /* the parent is already gone */
	(void)!write(ready, "r", 1);
	close(ready);
	for (;;)
		pause();
}

int core_spawn_guarded(core_proc *out, const core_spawn *s)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	pid_t parent = getpid();
	pid_t w = fork();
	if (w == 0) {
		close(fds[0]);
		watch(fds[1], parent);
	}
	close(fds[1]);
	if (w < 0) {
		close(fds[0]);
		return -1;
	}
	setpgid(w, w); /* from here too, so the group exists before the shell joins */
	char c;
	ssize_t r;
	while ((r = read(fds[0], &c, 1)) < 0 && errno == EINTR)
		;
	close(fds[0]);
	if (r != 1) { /* the watcher died before it was ready */
		waitpid(w, NULL, 0);
		errno = ECHILD;
		return -1;
	}
	pid_t sh = fork();
	if (sh == 0) {
		setpgid(0, w);
		exec_shell(s);
	}
	if (sh < 0) {
		int e = errno;
		kill(w, SIGKILL);
		waitpid(w, NULL, 0);
		errno = e;
		return -1;
	}
	setpgid(sh, w);
	out->shell = sh;
	out->group = w;
	return 0;
}
