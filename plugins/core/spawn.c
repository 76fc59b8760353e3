/*
 * spawn.c -- starts `/bin/sh -c CMD` so that its whole process tree dies
 * with the process that started it.
 *
 * A plain child outlives a weft that is killed with kill -9, and so do its
 * own children (a pipeline's cat and cksum): on resume they went on writing
 * into the node's work directory. Each command therefore runs in a process
 * group of its own, and one watcher process per weft process (or worker)
 * keeps the list of those groups. It learns them through a pipe whose only
 * writer is this process: when this process dies, however it dies, the
 * kernel closes the pipe, the watcher reads end-of-file, kills every group
 * still listed and exits. One watcher per process, forked once, keeps the
 * cost per command at one posix_spawn and two small writes.
 *
 * The watcher is forked from a process with threads: between fork and its
 * exit it makes only async-signal-safe calls and uses no heap.
 */
#define _GNU_SOURCE
#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define WATCH_SLOTS 4096

/* Process-wide, like the process it watches: written once, under `once`. */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int watch_fd = -1;

/* Closes every descriptor but `keep` (the watcher must not hold the write
 * end of another process's pipe, or that one would never see EOF). */
static void close_all_but(int keep)
{
#ifdef SYS_close_range
	if (keep > 3 && syscall(SYS_close_range, 3u, (unsigned)keep - 1, 0u) == 0 &&
	    syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u) == 0)
		return;
#endif
	long max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = 3; fd < max; fd++)
		if (fd != keep)
			close(fd);
}

static void __attribute__((noreturn)) watcher(int rd)
{
	static pid_t groups[WATCH_SLOTS]; /* a copy of zeroes in the child: no heap */
	setpgid(0, 0); /* out of weft's group: Ctrl-C at a terminal is weft's to handle */
	struct sigaction ign;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaction(sigs[i], &ign, NULL);
	close_all_but(rd);
	for (;;) {
		int32_t rec;
		ssize_t r = read(rd, &rec, sizeof rec);
		if (r < 0 && errno == EINTR)
			continue;
		if (r != (ssize_t)sizeof rec)
			break; /* EOF: the process that started the commands is gone */
		pid_t g = rec > 0 ? rec : -rec;
		for (int i = 0; i < WATCH_SLOTS; i++) {
			if (rec > 0 && groups[i] == 0) {
				groups[i] = g;
				break;
			}
			if (rec < 0 && groups[i] == g) {
				groups[i] = 0;
				break;
			}
		}
	}
	for (int i = 0; i < WATCH_SLOTS; i++)
		if (groups[i] > 0)
			kill(-groups[i], SIGKILL);
	_exit(0);
}

static void start_watcher(void)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return;
	pid_t w = fork();
	if (w == 0)
		watcher(p[0]);
	close(p[0]);
	if (w < 0) {
		close(p[1]);
		return;
	}
	watch_fd = p[1];
}

/* Tells the watcher about group `g` (g > 0) or that it ended (g < 0). A
 * record of 4 bytes is written whole (PIPE_BUF), whichever thread writes. */
static void watch(pid_t g)
{
	int32_t rec = (int32_t)g;
	if (watch_fd >= 0)
		while (write(watch_fd, &rec, sizeof rec) < 0 && errno == EINTR)
			;
}

int core_spawn_guarded(core_proc *out, const core_spawn *s)
{
	pthread_once(&once, start_watcher);
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	if (posix_spawnattr_init(&attr) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (s->stdout_path)
		posix_spawn_file_actions_addopen(&fa, 1, s->stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	else
		posix_spawn_file_actions_addopen(&fa, 1, s->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, s->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_addchdir_np(&fa, s->workdir);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	char *argv[] = {"/bin/sh", "-c", (char *)s->cmd, NULL};
	pid_t pid;
	int err = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, s->envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (err != 0) {
		errno = err;
		return -1;
	}
	watch(pid);
	out->shell = pid;
	out->group = pid;
	return 0;
}

void core_spawn_release(const core_proc *p)
{
	watch(-p->group);
}
