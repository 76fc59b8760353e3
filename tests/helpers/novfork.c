/*
 * novfork.c -- runs a command under a seccomp filter that refuses, with
 * EPERM, every clone(2) asking for CLONE_VFORK; fork (clone without it)
 * and clone3 (which glibc's posix_spawn and pthread_create use) are
 * allowed. It stands for a sandbox whose profile knows glibc's calls but
 * not core.shell's own spawn, which must then fall back to posix_spawn.
 *
 *   novfork CMD [ARGS...]
 *
 * Exits 77 when the filter cannot be installed (a sandbox that forbids
 * seccomp filters of its processes' own).
 */
#define _GNU_SOURCE /* CLONE_VFORK */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: novfork CMD [ARGS...]\n");
		return 2;
	}
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3),
		/* x86-64's clone takes its flags in the first argument */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_VFORK, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof f / sizeof f[0], .filter = f};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
		fprintf(stderr, "novfork: cannot install the filter: %s\n", strerror(errno));
		return 77;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "novfork: cannot run %s: %s\n", argv[1], strerror(errno));
	return 127;
}
