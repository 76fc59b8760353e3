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
#include <unistd.h>

#include "util.h"

/* More than any -j keeps busy at once; past it, directories are removed. */
#define KEEP_MAX 256

struct weft_workdirs {
	pthread_mutex_t lock;
	char *kept[KEEP_MAX];
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
	for (size_t i = 0; i < w->n; i++)
		free(w->kept[i]);
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
static char *take_kept(weft_workdirs *w, const char *parent)
{
	char *got = NULL;
	pthread_mutex_lock(&w->lock);
	while (w->n && !got) {
		char *p = w->kept[--w->n];
		if (directly_under(p, parent))
			got = p;
		else
			free(p);
	}
	pthread_mutex_unlock(&w->lock);
	return got;
}

char *weft_workdir_take(weft_workdirs *w, const char *parent, uint32_t id)
{
	char *kept = w ? take_kept(w, parent) : NULL;
	/* Still there (nothing outside weft removed it)? Else make a new one. */
	if (kept && access(kept, F_OK) == 0)
		return kept;
	free(kept);
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
	return dir;
}

/* 1 if `path` is a directory holding nothing but "." and "..". */
static int is_empty_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
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
	close(fd);
	return empty && any;
}

void weft_workdir_give(weft_workdirs *w, char *path)
{
	if (!path)
		return;
	if (w && is_empty_dir(path)) {
		pthread_mutex_lock(&w->lock);
		int kept = w->n < KEEP_MAX;
		if (kept)
			w->kept[w->n++] = path;
		pthread_mutex_unlock(&w->lock);
		if (kept)
			return;
	}
	/* Usually empty by now: one rmdir, where walking it took ten calls. */
	if (rmdir(path) != 0)
		weft_rm_rf(path);
	free(path);
}
