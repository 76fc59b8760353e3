/*
 * journal.c -- O_APPEND file, in-memory queue: flushed to the file every
 * loop turn (survives kill -9), fdatasynced per group commit on a timer
 * (survives power loss up to the last sync).
 */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hash.h"
#include "util.h"

struct weft_journal {
	int fd;
	char *path;
	weft_buf queue;
	int unsynced; /* a line that matters written since the last fdatasync */
	int queued;   /* a line that matters is in the queue */
	/* The syncer thread (weft_journal_sync_soon), started at its first
	 * use; mu guards the fields below it. */
	pthread_t syncer;
	int syncer_on;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int want, busy, stop; /* a sync asked for; one under way; the thread is to end */
	int sync_errno;       /* the first failed sync's errno, 0 if none */
};

int weft_journal_open(weft_journal **out, const char *path)
{
	weft_journal *j = calloc(1, sizeof *j);
	if (!j)
		return weft_err_set(WEFT_ERROR, "out of memory");
	j->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (j->fd < 0) {
		int e = errno;
		free(j);
		return weft_err_set(WEFT_EIO, "cannot open journal %s: %s; check that the store is writable and its "
					      "disk has space", path, strerror(e));
	}
	j->path = weft_strdup(path);
	if (pthread_mutex_init(&j->mu, NULL) != 0 || pthread_cond_init(&j->cv, NULL) != 0) {
		close(j->fd);
		free(j->path);
		free(j);
		return weft_err_set(WEFT_ERROR, "cannot create the journal's lock");
	}
	/* A torn record from a killed writer must not glue onto our first one. */
	off_t end = lseek(j->fd, 0, SEEK_END);
	if (end > 0) {
		char last = '\n';
		int rfd = open(path, O_RDONLY | O_CLOEXEC);
		if (rfd >= 0) {
			if (pread(rfd, &last, 1, end - 1) != 1)
				last = '\n';
			close(rfd);
		}
		if (last != '\n')
			weft_buf_puts(&j->queue, "\n");
	}
	*out = j;
	return WEFT_OK;
}

int weft_journal_append(weft_journal *j, const char *json_line)
{
	return weft_journal_append_n(j, json_line, strlen(json_line));
}

int weft_journal_append_n(weft_journal *j, const char *json_line, size_t len)
{
	int rc = weft_journal_append_derivable(j, json_line, len);
	if (rc == WEFT_OK)
		j->queued = 1;
	return rc;
}

int weft_journal_append_derivable(weft_journal *j, const char *json_line, size_t len)
{
	if (len == SIZE_MAX || weft_buf_reserve(&j->queue, len + 1) != WEFT_OK)
		return WEFT_ERROR;
	memcpy(j->queue.data + j->queue.len, json_line, len);
	j->queue.len += len;
	j->queue.data[j->queue.len++] = '\n';
	j->queue.data[j->queue.len] = '\0';
	return WEFT_OK;
}

int weft_journal_pending(const weft_journal *j)
{
	return j->queue.len > 0;
}

int weft_journal_flush(weft_journal *j)
{
	size_t off = 0;
	while (off < j->queue.len) {
		ssize_t w = write(j->fd, j->queue.data + off, j->queue.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return weft_err_set(WEFT_EIO, "cannot write journal %s: %s; check that the store's disk has "
						      "space, then `weft resume` the run", j->path, strerror(errno));
		off += (size_t)w;
	}
	j->queue.len = 0;
	j->unsynced |= j->queued;
	j->queued = 0;
	return WEFT_OK;
}

static int sync_failed(const weft_journal *j, int e)
{
	return weft_err_set(WEFT_EIO, "cannot sync journal %s: %s; check the store's disk, then `weft resume` the run",
			    j->path, strerror(e));
}

static void *syncer_main(void *arg)
{
	weft_journal *j = arg;
	pthread_mutex_lock(&j->mu);
	for (;;) {
		while (!j->want && !j->stop)
			pthread_cond_wait(&j->cv, &j->mu);
		if (!j->want)
			break;
		j->want = 0;
		j->busy = 1;
		pthread_mutex_unlock(&j->mu);
		int e = fdatasync(j->fd) == 0 ? 0 : errno;
		pthread_mutex_lock(&j->mu);
		j->busy = 0;
		if (e && !j->sync_errno)
			j->sync_errno = e;
		pthread_cond_broadcast(&j->cv);
	}
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

/* Waits for the syncer's work in hand; its first failure, if any. */
static int syncer_wait(weft_journal *j)
{
	if (!j->syncer_on)
		return 0;
	pthread_mutex_lock(&j->mu);
	while (j->want || j->busy)
		pthread_cond_wait(&j->cv, &j->mu);
	int e = j->sync_errno;
	pthread_mutex_unlock(&j->mu);
	return e;
}

int weft_journal_sync(weft_journal *j)
{
	int rc = weft_journal_flush(j);
	if (rc != WEFT_OK)
		return rc;
	int e = syncer_wait(j);
	if (e)
		return sync_failed(j, e);
	if (j->unsynced && fdatasync(j->fd) != 0)
		return sync_failed(j, errno);
	j->unsynced = 0;
	return WEFT_OK;
}

int weft_journal_sync_soon(weft_journal *j)
{
	int rc = weft_journal_flush(j);
	if (rc != WEFT_OK || !j->unsynced)
		return rc;
	if (!j->syncer_on) {
		if (pthread_create(&j->syncer, NULL, syncer_main, j) != 0)
			return weft_journal_sync(j); /* no thread: here, as before */
		j->syncer_on = 1;
	}
	pthread_mutex_lock(&j->mu);
	int e = j->sync_errno;
	j->want = 1;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
	if (e)
		return sync_failed(j, e);
	j->unsynced = 0; /* the lines written so far: the syncer's */
	return WEFT_OK;
}

int weft_journal_unsynced(const weft_journal *j)
{
	return j->unsynced || j->queued;
}

void weft_journal_free(weft_journal *j)
{
	if (!j)
		return;
	(void)weft_journal_sync(j);
	if (j->syncer_on) {
		pthread_mutex_lock(&j->mu);
		j->stop = 1;
		pthread_cond_signal(&j->cv);
		pthread_mutex_unlock(&j->mu);
		pthread_join(j->syncer, NULL);
	}
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
	close(j->fd);
	weft_buf_free(&j->queue);
	free(j->path);
	free(j);
}

int weft_journal_read(const char *path, int (*fn)(const char *rec, size_t len, void *payload), void *payload)
{
	char *text = NULL;
	size_t len;
	int rc = weft_read_file(path, &text, &len);
	if (rc != WEFT_OK)
		return rc;
	char *p = text, *end = text + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break; /* torn last record */
		if (nl > p && (rc = fn(p, (size_t)(nl - p), payload)) != WEFT_OK)
			break;
		p = nl + 1;
	}
	free(text);
	return rc;
}

const char *weft_journal_finished_key(const json_t *rec)
{
	const char *ev = json_string_value(json_object_get(rec, "ev"));
	const char *key = json_string_value(json_object_get(rec, "key"));
	const char *st = json_string_value(json_object_get(rec, "status"));
	return ev && key && st && !strcmp(ev, "finish") && strcmp(st, "failed") && weft_hash_is_hex(key) ? key : NULL;
}
