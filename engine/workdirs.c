/*
 * workdirs.c -- see workdirs.h.
 */
#define _GNU_SOURCE
#include "workdirs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* More than any -j keeps busy at once; past it, directories are removed. */
#define KEEP_MAX 256

typedef struct kept_dir {
	char *path;
	int fd;
} kept_dir;

struct weft_workdirs {
	pthread_mutex_t lock;
	kept_dir kept[KEEP_MAX];
	size_t n;
};

weft_workdirs *weft_workdirs_new(void)
{
	weft_workdirs *w = calloc(1, sizeof *w);
	if (w && pthread_mutex_init(&w->lock, NULL) != 0) {
		free(w);
		return NULL;
	}
	return w;
}

void weft_workdirs_free(weft_workdirs *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++) {
		free(w->kept[i].path);
		if (w->kept[i].fd >= 0)
			close(w->kept[i].fd);
	}
	pthread_mutex_destroy(&w->lock);
	free(w);
}

/* Whether `path` is `parent` + "/" + one name. */
static int directly_under(const char *path, const char *parent)
{
	size_t pl = strlen(parent);
	return !strncmp(path, parent, pl) && path[pl] == '/' && path[pl + 1] && !strchr(path + pl + 1, '/');
}

/* A kept directory under `parent`, or NULL. Kept ones under another parent
 * belong to a run that is over: forgotten (their run removes them). */
static kept_dir take_kept(weft_workdirs *w, const char *parent)
{
	kept_dir got = {NULL, -1};
	pthread_mutex_lock(&w->lock);
	while (w->n && !got.path) {
		kept_dir k = w->kept[--w->n];
		if (directly_under(k.path, parent)) {
			got = k;
		} else {
			free(k.path);
			if (k.fd >= 0)
				close(k.fd);
		}
	}
	pthread_mutex_unlock(&w->lock);
	return got;
}

/* A directory's descriptor as the pool keeps it: read-only (for
 * getdents64), never inherited by commands, never through a link. */
static int open_dir(const char *path)
{
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
}

/* Still there, nothing outside weft having removed it? Asked of the
 * descriptor (a removed directory has no links) rather than of the path,
 * which each of the run's nodes would walk again. */
static int still_there(const kept_dir *k)
{
	struct stat sb;
	if (k->fd >= 0)
		return fstat(k->fd, &sb) == 0 && sb.st_nlink > 0;
	return access(k->path, F_OK) == 0;
}

char *weft_workdir_take(weft_workdirs *w, const char *parent, uint32_t id, int *fd)
{
	*fd = -1;
	kept_dir kept = w ? take_kept(w, parent) : (kept_dir){NULL, -1};
	if (kept.path && still_there(&kept)) {
		*fd = kept.fd;
		return kept.path;
	}
	free(kept.path);
	if (kept.fd >= 0)
		close(kept.fd);
	char *dir = weft_sprintf("%s/n%u.XXXXXX", parent, id);
	if (!dir) {
		errno = ENOMEM;
		return NULL;
	}
	/* The parent is made by the first op that needs it, not tried by
	 * every one (a failed mkdir per node). */
	char *made = mkdtemp(dir);
	if (!made && errno == ENOENT && weft_mkdirs(parent, 0755) == WEFT_OK) {
		memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
		made = mkdtemp(dir);
	}
	if (!made) {
		int e = errno;
		free(dir);
		errno = e;
		return NULL;
	}
	*fd = open_dir(dir);
	return dir;
}

/* 1 if `path` is a directory holding nothing but "." and "..". Read from
 * the start through its descriptor `dfd` when there is one (no path
 * walked, nothing opened). */
static int is_empty_dir(const char *path, int dfd)
{
	int fd = dfd >= 0 ? dfd : open_dir(path);
	if (fd < 0)
		return 0;
	if (fd == dfd && lseek(fd, 0, SEEK_SET) != 0)
		return 0;
	char buf[1024];
	int empty = 1, any = 0;
	ssize_t got;
	while (empty && (got = getdents64(fd, buf, sizeof buf)) > 0) {
		any = 1;
		for (ssize_t at = 0; at < got && empty;) {
			struct dirent64 *e = (struct dirent64 *)(buf + at);
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				empty = 0;
			at += e->d_reclen;
		}
	}
	if (got < 0)
		empty = 0;
	if (fd != dfd)
		close(fd);
	return empty && any;
}

void weft_workdir_give(weft_workdirs *w, char *path, int fd)
{
	if (!path) {
		if (fd >= 0)
			close(fd);
		return;
	}
	if (w && is_empty_dir(path, fd)) {
		pthread_mutex_lock(&w->lock);
		int kept = w->n < KEEP_MAX;
		if (kept)
			w->kept[w->n++] = (kept_dir){path, fd};
		pthread_mutex_unlock(&w->lock);
		if (kept)
			return;
	}
	if (fd >= 0)
		close(fd);
	/* Usually empty by now: one rmdir, where walking it took ten calls. */
	if (rmdir(path) != 0)
		weft_rm_rf(path);
	free(path);
}
