/*
 * childwatch.c -- see childwatch.h.
 *
 * Both descriptors of a child are added one-shot: once an event has fired
 * for one, the set reports nothing more for it until it is armed again.
 * That is what makes closing them safe without an EPOLL_CTL_DEL: a
 * descriptor leaves an epoll set only when its last copy is closed, and a
 * child spawned on another thread holds copies until its exec, so a
 * closed pidfd that was still armed could fire for a freed child. Only a
 * descriptor still armed when its child is forgotten is deleted first.
 *
 * A child forgotten during a wake-up is freed at its end: events already
 * fetched in the same batch may still point at it (they are skipped).
 */
#define _GNU_SOURCE
#include "childwatch.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#define BATCH 64

struct weft_child {
	void *who;
	int pidfd, out_fd;
	int pid_armed, out_armed;
	int dead;
	weft_child *next_dead;
};

struct weft_childwatch {
	uv_poll_t poll;
	int ep;
	size_t n;        /* children watched */
	int dispatching; /* inside poll_cb: forgotten children wait on `dead` */
	int closing;
	weft_child *dead;
	weft_childwatch_cbs cbs;
};

/* The low bit of an event's pointer says which descriptor fired. */
#define OUT_TAG ((uintptr_t)1)

static void closed_cb(uv_handle_t *h)
{
	weft_childwatch *cw = h->data;
	close(cw->ep);
	free(cw);
}

static void really_close(weft_childwatch *cw)
{
	uv_close((uv_handle_t *)&cw->poll, closed_cb);
}

static void free_dead(weft_childwatch *cw)
{
	while (cw->dead) {
		weft_child *c = cw->dead;
		cw->dead = c->next_dead;
		free(c);
	}
}

static void poll_cb(uv_poll_t *h, int status, int events)
{
	(void)status;
	(void)events;
	weft_childwatch *cw = h->data;
	struct epoll_event ev[BATCH];
	int k = epoll_wait(cw->ep, ev, BATCH, 0);
	if (k <= 0)
		return;
	cw->dispatching = 1;
	for (int i = 0; i < k; i++) {
		uintptr_t p = (uintptr_t)ev[i].data.ptr;
		weft_child *c = (weft_child *)(p & ~OUT_TAG);
		if (!(p & OUT_TAG) || c->dead)
			continue;
		c->out_armed = 0;
		if (cw->cbs.output(c->who) && !c->dead) {
			struct epoll_event e = {.events = EPOLLIN | EPOLLONESHOT, .data.ptr = (void *)p};
			c->out_armed = epoll_ctl(cw->ep, EPOLL_CTL_MOD, c->out_fd, &e) == 0;
		}
	}
	for (int i = 0; i < k; i++) {
		uintptr_t p = (uintptr_t)ev[i].data.ptr;
		weft_child *c = (weft_child *)p;
		if ((p & OUT_TAG) || c->dead)
			continue;
		c->pid_armed = 0;
		cw->cbs.exited(c->who);
	}
	cw->dispatching = 0;
	free_dead(cw);
	if (cw->closing && cw->n == 0)
		really_close(cw);
}

weft_childwatch *weft_childwatch_new(uv_loop_t *loop, const weft_childwatch_cbs *cbs)
{
	weft_childwatch *cw = calloc(1, sizeof *cw);
	if (!cw)
		return NULL;
	cw->cbs = *cbs;
	cw->ep = epoll_create1(EPOLL_CLOEXEC);
	if (cw->ep < 0) {
		free(cw);
		return NULL;
	}
	if (uv_poll_init(loop, &cw->poll, cw->ep) != 0) {
		close(cw->ep);
		free(cw);
		return NULL;
	}
	cw->poll.data = cw;
	if (uv_poll_start(&cw->poll, UV_READABLE, poll_cb) != 0) {
		really_close(cw);
		return NULL;
	}
	/* Only a watched child keeps the loop running. */
	uv_unref((uv_handle_t *)&cw->poll);
	return cw;
}

weft_child *weft_childwatch_add(weft_childwatch *cw, int pidfd, int out_fd, void *who)
{
	weft_child *c = calloc(1, sizeof *c);
	if (!c) {
		close(pidfd);
		return NULL;
	}
	c->who = who;
	c->pidfd = pidfd;
	c->out_fd = out_fd;
	struct epoll_event e = {.events = EPOLLIN | EPOLLONESHOT, .data.ptr = c};
	if (epoll_ctl(cw->ep, EPOLL_CTL_ADD, pidfd, &e) != 0) {
		close(pidfd);
		free(c);
		return NULL;
	}
	c->pid_armed = 1;
	if (out_fd >= 0) {
		struct epoll_event o = {.events = EPOLLIN | EPOLLONESHOT, .data.ptr = (void *)((uintptr_t)c | OUT_TAG)};
		if (epoll_ctl(cw->ep, EPOLL_CTL_ADD, out_fd, &o) != 0) {
			(void)epoll_ctl(cw->ep, EPOLL_CTL_DEL, pidfd, NULL);
			close(pidfd);
			free(c);
			return NULL;
		}
		c->out_armed = 1;
	}
	if (cw->n++ == 0)
		uv_ref((uv_handle_t *)&cw->poll);
	return c;
}

void weft_childwatch_forget(weft_childwatch *cw, weft_child *c)
{
	if (!c || c->dead)
		return;
	if (c->out_armed)
		(void)epoll_ctl(cw->ep, EPOLL_CTL_DEL, c->out_fd, NULL);
	if (c->pid_armed)
		(void)epoll_ctl(cw->ep, EPOLL_CTL_DEL, c->pidfd, NULL);
	close(c->pidfd);
	c->dead = 1;
	if (cw->dispatching) {
		c->next_dead = cw->dead;
		cw->dead = c;
	} else {
		free(c);
	}
	if (--cw->n == 0) {
		uv_unref((uv_handle_t *)&cw->poll);
		if (cw->closing && !cw->dispatching)
			really_close(cw);
	}
}

void weft_childwatch_close(weft_childwatch *cw)
{
	if (!cw || cw->closing)
		return;
	cw->closing = 1;
	if (cw->n == 0 && !cw->dispatching)
		really_close(cw);
}
