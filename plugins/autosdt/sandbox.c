/*
 * sandbox.c -- see sandbox.h.
 *
 * Shape: the op's thread forks a keeper, the keeper leaves the network
 * and PID namespaces (unshare; for a user without CAP_SYS_ADMIN, inside a
 * user namespace of its own) and forks the program, which is PID 1 of
 * its namespace: when it ends, the kernel kills whatever it started.
 * Both carry PR_SET_PDEATHSIG, so a worker killed with -9 takes them down,
 * and both sit in a process group of their own, which the timeout kills.
 * The keeper reports the program's wait status through a pipe.
 *
 * Between fork and exec only async-signal-safe calls are made: the argv,
 * the environment and the interpreter's path are built before the fork,
 * because the worker that runs this has other threads.
 *
 * The size limit is enforced twice: RLIMIT_FSIZE stops any one file at the
 * limit (the write fails with SIGXFSZ, or EFBIG where it is ignored, as
 * Python does), and a poll of the directory every
 * half second stops a program that spreads its bytes over many files.
 */
#define _GNU_SOURCE
#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The interpreter as an absolute path (execve does not search PATH). */
static int find_python(char *out, size_t len, const char *python)
{
	if (strchr(python, '/')) {
		if (access(python, X_OK) != 0)
			return -1;
		snprintf(out, len, "%s", python);
		return 0;
	}
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *e = strchr(path, ':');
		size_t n = e ? (size_t)(e - path) : strlen(path);
		if (n && n + strlen(python) + 2 < len) {
			snprintf(out, len, "%.*s/%s", (int)n, path, python);
			if (access(out, X_OK) == 0)
				return 0;
		}
		path += n + (e ? 1 : 0);
	}
	return -1;
}

/* Bytes under dir, files only, not following links; at most 100,000
 * entries are looked at, which bounds the poll's cost. */
static uint64_t dir_bytes(const char *dir, int depth, size_t *budget, uint64_t *largest)
{
	if (depth > 32)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	uint64_t sum = 0;
	struct dirent *e;
	char p[4096];
	while ((e = readdir(d)) && *budget) {
		(*budget)--;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= sizeof p)
			continue;
		struct stat st;
		if (lstat(p, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			sum += dir_bytes(p, depth + 1, budget, largest);
		} else if (S_ISREG(st.st_mode)) {
			sum += (uint64_t)st.st_blocks * 512 > (uint64_t)st.st_size ? (uint64_t)st.st_size
										 : (uint64_t)st.st_blocks * 512;
			if ((uint64_t)st.st_size > *largest)
				*largest = (uint64_t)st.st_size;
		}
	}
	closedir(d);
	return sum;
}

/* Bytes under dir; *largest (may be NULL) gets the largest file's size. */
static uint64_t usage(const char *dir, uint64_t *largest)
{
	size_t budget = 100000;
	uint64_t big = 0;
	uint64_t sum = dir_bytes(dir, 0, &budget, &big);
	if (largest)
		*largest = big;
	return sum;
}

/* Tells the parent what failed and the errno, then exits; only write(2),
 * no formatting library: this runs between fork and exec. */
static void child_fail(int fd, const char *what, int e)
{
	char num[16];
	size_t n = sizeof num;
	unsigned v = e < 0 ? 0u : (unsigned)e;
	do {
		num[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n);
	if (write(fd, "E", 1) < 0 || write(fd, what, strlen(what)) < 0 || write(fd, "|", 1) < 0 ||
	    write(fd, num + n, sizeof num - n) < 0) {
		/* nothing left to tell */
	}
	_exit(127);
}

/* Writes `text` to a /proc file, between fork and exec. */
static int put_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t n = strlen(text);
	ssize_t w = write(fd, text, n);
	int rc = close(fd);
	return w == (ssize_t)n && rc == 0 ? 0 : -1;
}

/* New network and PID namespaces. As root (CAP_SYS_ADMIN) directly; as
 * anyone else inside a new user namespace that maps only their own user
 * and group, which unprivileged users may make where the kernel allows
 * it (Debian's default). Files keep their owners either way. */
static void isolate(int fd, const char *uid_map, const char *gid_map)
{
	if (unshare(CLONE_NEWNET | CLONE_NEWPID) == 0)
		return;
	if (errno != EPERM)
		child_fail(fd, "cannot isolate the task (unshare of the network and PID namespaces)", errno);
	/* A process that changed its user (su, a setuid launcher) is not
	 * dumpable, and then its /proc files, uid_map included, are root's. */
	prctl(PR_SET_DUMPABLE, 1);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWPID) != 0)
		child_fail(fd, "cannot isolate the task (unshare of the user, network and PID namespaces)", errno);
	if (put_file("/proc/self/setgroups", "deny") != 0 || put_file("/proc/self/uid_map", uid_map) != 0 ||
	    put_file("/proc/self/gid_map", gid_map) != 0)
		child_fail(fd, "cannot isolate the task (mapping the user into its namespace)", errno);
}

int sdt_sandbox_run(const sdt_run_opts *o, sdt_run_result *res, char *err, size_t errlen)
{
	memset(res, 0, sizeof *res);
	char python[4096];
	if (find_python(python, sizeof python, o->python) != 0) {
		snprintf(err, errlen, "interpreter '%s' not found or not executable; set the python param or "
			 "$WEFT_PYTHON", o->python);
		return -1;
	}
	size_t nargs = 0;
	while (o->argv && o->argv[nargs])
		nargs++;
	size_t nenv = 0;
	while (o->env && o->env[nenv])
		nenv++;
	const char **argv = calloc(nargs + 2, sizeof *argv);
	const char **envp = calloc(nenv + 16, sizeof *envp);
	if (!argv || !envp) {
		free(argv);
		free(envp);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	argv[0] = python;
	for (size_t i = 0; i < nargs; i++)
		argv[i + 1] = o->argv[i];
	/* A small, fixed environment: what the host had (proxies, tokens,
	 * HOME) is not the task's. */
	char home[4200];
	snprintf(home, sizeof home, "HOME=%s", o->dir);
	size_t k = 0;
	envp[k++] = "PATH=/usr/local/bin:/usr/bin:/bin";
	envp[k++] = home;
	envp[k++] = "LANG=C.UTF-8";
	envp[k++] = "LC_ALL=C.UTF-8";
	envp[k++] = "MPLBACKEND=Agg";
	envp[k++] = "PYTHONHASHSEED=0";
	envp[k++] = "PYTHONDONTWRITEBYTECODE=1";
	envp[k++] = "PYTHONNOUSERSITE=1";
	envp[k++] = "PYTHONUNBUFFERED=1";
	for (size_t i = 0; i < nenv; i++)
		envp[k++] = o->env[i];
	envp[k] = NULL;

	int logfd = open(o->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (logfd < 0) {
		snprintf(err, errlen, "%s: %s", o->log_path, strerror(errno));
		free(argv);
		free(envp);
		return -1;
	}
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		close(logfd);
		free(argv);
		free(envp);
		return -1;
	}
	char uid_map[64], gid_map[64];
	snprintf(uid_map, sizeof uid_map, "%u %u 1\n", (unsigned)getuid(), (unsigned)getuid());
	snprintf(gid_map, sizeof gid_map, "%u %u 1\n", (unsigned)getgid(), (unsigned)getgid());
	uint64_t before = usage(o->dir, NULL);
	double t0 = now();
	pid_t keeper = fork();
	if (keeper < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(logfd);
		close(pfd[0]);
		close(pfd[1]);
		free(argv);
		free(envp);
		return -1;
	}
	if (keeper == 0) {
		close(pfd[0]);
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (o->isolate)
			isolate(pfd[1], uid_map, gid_map);
		pid_t prog = fork();
		if (prog < 0)
			child_fail(pfd[1], "fork", errno);
		if (prog == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			int nul = open("/dev/null", O_RDONLY);
			if (nul < 0 || dup2(nul, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0)
				child_fail(pfd[1], "redirect", errno);
			if (chdir(o->dir) != 0)
				child_fail(pfd[1], "chdir", errno);
			struct rlimit core = {0, 0};
			setrlimit(RLIMIT_CORE, &core);
			if (o->max_output) {
				struct rlimit fs = {(rlim_t)o->max_output, (rlim_t)o->max_output};
				setrlimit(RLIMIT_FSIZE, &fs);
			}
			signal(SIGPIPE, SIG_DFL);
			execve(python, (char *const *)argv, (char *const *)envp);
			child_fail(pfd[1], "exec", errno);
		}
		int st = 0;
		while (waitpid(prog, &st, 0) < 0 && errno == EINTR)
			;
		char msg[32];
		int n = snprintf(msg, sizeof msg, "S%d", st);
		if (write(pfd[1], msg, (size_t)n) < 0)
			_exit(126);
		_exit(0);
	}
	close(pfd[1]);
	close(logfd);
	setpgid(keeper, keeper); /* also here: no race with the kill below */
	double last_poll = t0;
	int status = 0, done = 0, killed = 0;
	while (!done) {
		pid_t w = waitpid(keeper, &status, WNOHANG);
		if (w == keeper) {
			done = 1;
			break;
		}
		if (w < 0 && errno != EINTR) {
			done = 1;
			break;
		}
		double t = now();
		if (!killed && o->timeout_s > 0 && t - t0 > o->timeout_s) {
			res->timed_out = 1;
			killed = 1;
		}
		if (!killed && o->cancelled && o->cancelled(o->cancel_arg)) {
			res->cancelled = 1;
			killed = 1;
		}
		if (!killed && o->max_output && t - last_poll > 0.5) {
			last_poll = t;
			uint64_t u = usage(o->dir, NULL);
			if (u > before && u - before > o->max_output) {
				res->over_size = 1;
				killed = 1;
			}
		}
		if (killed == 1) {
			kill(-keeper, SIGKILL);
			killed = 2;
		}
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	res->seconds = now() - t0;
	char msg[300] = "";
	ssize_t n = read(pfd[0], msg, sizeof msg - 1);
	close(pfd[0]);
	free(argv);
	free(envp);
	msg[n > 0 ? n : 0] = '\0';
	uint64_t largest = 0;
	uint64_t after = usage(o->dir, &largest);
	res->written = after > before ? after - before : 0;
	/* Python ignores SIGXFSZ: its write fails with EFBIG and the program
	 * exits with a traceback instead. A file at the limit tells. */
	if (o->max_output && largest >= o->max_output)
		res->over_size = 1;
	if (msg[0] == 'E') {
		char *bar = strrchr(msg, '|');
		int e = bar ? atoi(bar + 1) : 0;
		if (bar)
			*bar = '\0';
		snprintf(err, errlen, "%s: %s%s", msg + 1, strerror(e),
			 strstr(msg, "isolate") ? "; verification needs root, or user namespaces for unprivileged users "
						  "(sysctl user.max_user_namespaces > 0, and on Debian "
						  "kernel.unprivileged_userns_clone = 1), or the verify node's sandbox = false "
						  "to run tasks with the network (not recommended)"
						: "");
		return -1;
	}
	if (msg[0] == 'S') {
		int st = atoi(msg + 1);
		if (WIFEXITED(st)) {
			res->exited = 1;
			res->code = WEXITSTATUS(st);
		} else if (WIFSIGNALED(st)) {
			res->signal = WTERMSIG(st);
			if (res->signal == SIGXFSZ)
				res->over_size = 1;
		}
	} else if (WIFSIGNALED(status)) {
		res->signal = WTERMSIG(status); /* the keeper itself was killed: the timeout */
	}
	if (o->max_output && res->written > o->max_output)
		res->over_size = 1;
	return 0;
}

const char *sdt_run_describe(const sdt_run_result *r, double timeout_s, uint64_t max_output, char *buf, size_t len)
{
	if (r->cancelled)
		snprintf(buf, len, "cancelled after %.1f s", r->seconds);
	else if (r->timed_out)
		snprintf(buf, len, "killed at the %.0f s timeout", timeout_s);
	else if (r->over_size)
		snprintf(buf, len, "stopped at the output limit of %llu bytes (%llu written)",
			 (unsigned long long)max_output, (unsigned long long)r->written);
	else if (r->exited)
		snprintf(buf, len, "exit %d in %.1f s", r->code, r->seconds);
	else
		snprintf(buf, len, "killed by signal %d (%s) after %.1f s", r->signal, strsignal(r->signal), r->seconds);
	return buf;
}
