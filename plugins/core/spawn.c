/*
 * spawn.c -- starts `/bin/sh -c CMD` so that its whole process tree dies
 * with the process that started it.
 *
 * A plain child outlives a weft that is killed with kill -9, and so do its
 * own children (a pipeline's cat and cksum): on resume they went on writing
 * into the node's work directory. Each command therefore runs in a process
 * group of its own, and one watcher process per weft process (or worker)
 * kills those groups when that process dies. The list of groups is a table
 * in memory shared with the watcher (MAP_SHARED, made before the fork): a
 * command takes a slot with one compare-and-swap and gives it back with one
 * store. The watcher only blocks on a pipe whose only writer is this
 * process and that nobody writes: when this process dies, however it dies,
 * the kernel closes the pipe, the watcher reads end-of-file, kills every
 * group still in the table and exits.
 *
 * The table replaced records written to that pipe: two writes per command,
 * each waking the watcher on another CPU. perf put those pipe writes at a
 * tenth of weft's own CPU time in a cold run of small shell nodes at -j1;
 * the run's wall time did not measurably change (A/B 1.01 and 0.99 over
 * 2,000 nodes at -j2), but the watcher no longer runs once per command.
 *
 * The watcher is forked from a process with threads: between fork and its
 * exit it makes only async-signal-safe calls and uses no heap.
 */
#define _GNU_SOURCE
#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define WATCH_SLOTS 4096

/* Process-wide, like the process it watches: written once, under `once`.
 * `groups` is the shared table (NULL when there is no watcher); `hint` is
 * where the next free slot probably is. */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pid_t *groups;
static unsigned hint;

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

static void __attribute__((noreturn)) watcher(int rd, pid_t *table)
{
	setpgid(0, 0); /* out of weft's group: Ctrl-C at a terminal is weft's to handle */
	struct sigaction ign;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaction(sigs[i], &ign, NULL);
	close_all_but(rd);
	/* Nothing is written to the pipe: the read ends at EOF, when the
	 * process is gone (or on an error, after which nothing could tell). */
	for (;;) {
		char c;
		ssize_t r = read(rd, &c, 1);
		if (r <= 0 && !(r < 0 && errno == EINTR))
			break;
	}
	for (int i = 0; i < WATCH_SLOTS; i++) {
		pid_t g = __atomic_load_n(&table[i], __ATOMIC_ACQUIRE);
		if (g > 0)
			kill(-g, SIGKILL);
	}
	_exit(0);
}

static void start_watcher(void)
{
	pid_t *table = mmap(NULL, WATCH_SLOTS * sizeof *table, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (table == MAP_FAILED)
		return;
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0) {
		munmap(table, WATCH_SLOTS * sizeof *table);
		return;
	}
	pid_t w = fork();
	if (w == 0)
		watcher(p[0], table);
	close(p[0]);
	if (w < 0) {
		close(p[1]);
		munmap(table, WATCH_SLOTS * sizeof *table);
		return;
	}
	/* p[1] stays open, unused, for the process's life: its closing is
	 * the message. */
	groups = table;
}

/* Lists group `g` in a free slot; -1 when there is no watcher or the
 * table is full (the command then runs unguarded, as without a watcher). */
static int watch(pid_t g)
{
	if (!groups)
		return -1;
	unsigned from = __atomic_load_n(&hint, __ATOMIC_RELAXED);
	for (unsigned k = 0; k < WATCH_SLOTS; k++) {
		unsigned i = (from + k) % WATCH_SLOTS;
		pid_t free_slot = 0;
		if (__atomic_load_n(&groups[i], __ATOMIC_RELAXED) == 0 &&
		    __atomic_compare_exchange_n(&groups[i], &free_slot, g, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
			__atomic_store_n(&hint, (i + 1) % WATCH_SLOTS, __ATOMIC_RELAXED);
			return (int)i;
		}
	}
	return -1;
}

#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__)) && defined(SYS_rt_sigaction) &&           \
	defined(SYS_rt_sigprocmask) && defined(SYS_dup3) && defined(SYS_openat)
/*
 * The spawn itself, as glibc's posix_spawn does it (a child that shares
 * this process's memory, the caller suspended until it calls exec or
 * exits: CLONE_VM | CLONE_VFORK) but with the child's stack in the
 * caller's own frame, as musl does, instead of a fresh mapping. glibc
 * maps a stack per call and unmaps it after; in a process with threads
 * the unmapping is a TLB shootdown across CPUs. perf of the loop thread
 * in a cold 10,000-node shell DAG put the mmap, the munmap and the five
 * getrlimit calls of the file actions at 6% of its time.
 *
 * What the child does is what the posix_spawn attributes below asked
 * for: every signal's disposition back to the default, its own process
 * group, stdin from /dev/null, stdout and stderr, the directory, an empty
 * signal mask, then exec. It runs on borrowed memory with the caller's
 * thread-local storage, so it makes raw system calls only (no
 * sanitizer interceptor, no lock, nothing of the C library's but
 * syscall()) and reports the failing call's errno through `err`.
 */
#define FAST_SPAWN 1

typedef struct spawn_args {
	const core_spawn *s;
	char *const *argv;
	volatile int err;
} spawn_args;

/* The kernel's struct sigaction for SIG_DFL, flags 0 and an empty mask:
 * all zeros, whichever of the layouts (with or without sa_restorer) the
 * architecture uses. */
typedef struct { unsigned long w[4]; } ksigaction;

#define CHILD_ATTR __attribute__((noinline, no_sanitize("address", "undefined")))

static CHILD_ATTR void child_fail(spawn_args *a, long rc)
{
	a->err = rc < 0 ? (int)-rc : EIO;
	syscall(SYS_exit_group, 127);
	for (;;)
		;
}

/* A system call, its errno as a negative result. (syscall() sets errno,
 * which is the suspended caller's: the caller sets its own after.) */
static CHILD_ATTR long raw(long nr, long a, long b, long c, long d)
{
	long r = syscall(nr, a, b, c, d);
	return r < 0 ? -(long)errno : r;
}

/* dup3 refuses equal descriptors; dup2's meaning there is "keep it open
 * across exec". */
static CHILD_ATTR long copy_fd(int from, int to)
{
	if (from == to)
		return raw(SYS_fcntl, to, F_SETFD, 0, 0);
	return raw(SYS_dup3, from, to, 0, 0);
}

/* Opens `path` as descriptor `to` (open, then move it there). */
static CHILD_ATTR long open_as(const char *path, int flags, int to)
{
	long fd = raw(SYS_openat, AT_FDCWD, (long)path, flags, 0644);
	if (fd < 0 || fd == to)
		return fd;
	long r = raw(SYS_dup3, fd, to, 0, 0);
	(void)raw(SYS_close, fd, 0, 0, 0);
	return r;
}

static CHILD_ATTR int spawn_child(void *p)
{
	spawn_args *a = p;
	const core_spawn *s = a->s;
	ksigaction dfl = {{0, 0, 0, 0}};
	/* All signals are blocked (the caller did that), so no handler of
	 * the caller's runs here before its disposition is reset. */
	for (long sig = 1; sig < _NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)raw(SYS_rt_sigaction, sig, (long)&dfl, 0, 8);
	long r = raw(SYS_setpgid, 0, 0, 0, 0);
	if (r < 0)
		child_fail(a, r);
	if ((r = open_as("/dev/null", O_RDONLY, 0)) < 0)
		child_fail(a, r);
	if ((r = s->stdout_path ? open_as(s->stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 1) : copy_fd(s->log_fd, 1)) < 0)
		child_fail(a, r);
	if ((r = copy_fd(s->log_fd, 2)) < 0)
		child_fail(a, r);
	if (s->workdir && (r = raw(SYS_chdir, (long)s->workdir, 0, 0, 0)) < 0)
		child_fail(a, r);
	unsigned long none = 0;
	if ((r = raw(SYS_rt_sigprocmask, SIG_SETMASK, (long)&none, 0, 8)) < 0)
		child_fail(a, r);
	r = raw(SYS_execve, (long)"/bin/sh", (long)a->argv, (long)s->envp, 0);
	child_fail(a, r);
	return 127;
}

/* WEFT_POSIX_SPAWN=1 (read once) takes glibc's way instead: to compare
 * the two, or where something forbids this one. A clone the kernel
 * refuses (a seccomp profile that allows glibc's clone3 but not this
 * clone, an emulator without it) switches to glibc's way by itself, for
 * this command and every later one. */
static pthread_once_t posix_once = PTHREAD_ONCE_INIT;
static int use_posix;

static void read_posix_choice(void)
{
	const char *v = getenv("WEFT_POSIX_SPAWN");
	use_posix = v && *v && strcmp(v, "0") != 0;
}

/* 1 on success with the child's pid in *pid; 0 with errno set, and
 * *refused when the clone itself was not allowed (no child was made). */
static int spawn_fast(pid_t *pid, const core_spawn *s, char *const *argv, int *refused)
{
	/* The child's stack: this frame, which the suspended caller does not
	 * use until the child has called exec or exited. */
	_Alignas(16) char stack[16384];
	spawn_args a = {.s = s, .argv = argv, .err = 0};
	unsigned long all = ~0ul, was = 0;
	if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, &was, 8) != 0)
		return 0;
	pid_t c = clone(spawn_child, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
	int e = errno;
	(void)syscall(SYS_rt_sigprocmask, SIG_SETMASK, &was, NULL, 8);
	if (c < 0) {
		*refused = e == EPERM || e == ENOSYS || e == EINVAL;
		errno = e;
		return 0;
	}
	if (a.err) {
		/* It failed before exec and has exited (127): reap it. */
		e = a.err;
		while (waitpid(c, NULL, 0) < 0 && errno == EINTR)
			;
		errno = e;
		return 0;
	}
	*pid = c;
	return 1;
}
#endif

static int spawn_posix(pid_t *pid, const core_spawn *s, char *const *argv)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	if (posix_spawn_file_actions_init(&fa) != 0)
		return 0;
	if (posix_spawnattr_init(&attr) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return 0;
	}
	int bad = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (!bad)
		bad = s->stdout_path
			      ? posix_spawn_file_actions_addopen(&fa, 1, s->stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0644)
			      : posix_spawn_file_actions_adddup2(&fa, s->log_fd, 1);
	if (!bad)
		bad = posix_spawn_file_actions_adddup2(&fa, s->log_fd, 2);
	if (!bad && s->workdir)
		bad = posix_spawn_file_actions_addchdir_np(&fa, s->workdir);
	if (bad) {
		posix_spawn_file_actions_destroy(&fa);
		posix_spawnattr_destroy(&attr);
		errno = bad;
		return 0;
	}
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	int err = posix_spawn(pid, "/bin/sh", &fa, &attr, argv, s->envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (err != 0) {
		errno = err;
		return 0;
	}
	return 1;
}

int core_spawn_guarded(core_proc *out, const core_spawn *s)
{
	pthread_once(&once, start_watcher);
	char *argv[] = {"/bin/sh", "-c", (char *)s->cmd, NULL};
	pid_t pid;
#ifdef FAST_SPAWN
	pthread_once(&posix_once, read_posix_choice);
	int refused = 0, ok;
	if (__atomic_load_n(&use_posix, __ATOMIC_RELAXED)) {
		ok = spawn_posix(&pid, s, argv);
	} else if (!(ok = spawn_fast(&pid, s, argv, &refused)) && refused) {
		__atomic_store_n(&use_posix, 1, __ATOMIC_RELAXED);
		ok = spawn_posix(&pid, s, argv);
	}
#else
	int ok = spawn_posix(&pid, s, argv);
#endif
	if (!ok)
		return -1;
	out->shell = pid;
	out->group = pid;
	out->slot = watch(pid);
	return 0;
}

void core_spawn_release(const core_proc *p)
{
	if (p->slot >= 0)
		__atomic_store_n(&groups[p->slot], 0, __ATOMIC_RELEASE);
}
