/*
 * childwatch.h -- the children of split ops (core.shell) and their output
 * pipes, watched through one epoll set that the run's loop polls.
 *
 * A libuv poll handle per child cost five epoll_ctl calls and an ioctl per
 * node (libuv checks, re-adds and sets each descriptor non-blocking); here
 * a child costs one epoll_ctl per descriptor, and none to stop watching
 * one that has fired, since each is watched one-shot.
 */
#ifndef WEFT_CHILDWATCH_H
#define WEFT_CHILDWATCH_H

#include <uv.h>

typedef struct weft_childwatch weft_childwatch;
typedef struct weft_child weft_child;

/* Called on the loop thread with the `who` given to weft_childwatch_add.
 * output: out_fd is readable; returns 1 to go on watching it, 0 when it
 * has ended. exited: the pidfd is readable (the child has exited); it
 * must call weft_childwatch_forget. Within one wake-up every output call
 * comes before any exited call, so a child's last output is read first. */
typedef struct weft_childwatch_cbs {
	int (*output)(void *who);
	void (*exited)(void *who);
} weft_childwatch_cbs;

/* NULL on failure (no epoll set or no handle: the caller waits for its
 * children another way). */
weft_childwatch *weft_childwatch_new(uv_loop_t *loop, const weft_childwatch_cbs *cbs);

/* Watches `pidfd`, which it takes (closed by forget, or here on failure),
 * and `out_fd` (-1: none), which stays the caller's. NULL on failure. */
weft_child *weft_childwatch_add(weft_childwatch *cw, int pidfd, int out_fd, void *who);

/* Stops watching the child and closes its pidfd; out_fd is out of the set
 * when this returns, so the caller may close it. Safe inside a callback. */
void weft_childwatch_forget(weft_childwatch *cw, weft_child *c);

/* Closes the loop handle and frees the watch, at once when it watches
 * nothing, else as soon as its last child is forgotten. */
void weft_childwatch_close(weft_childwatch *cw);

#endif
