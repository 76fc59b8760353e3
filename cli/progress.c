/*
 * progress.c -- renders run events. On a terminal: one live status line,
 * redrawn at most ten times a second, with failures printed above it. Not a
 * terminal: one plain line per finished node, so logs read top to bottom.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

void cli_progress_init(cli_progress *p, int quiet)
{
	memset(p, 0, sizeof *p);
	p->tty = isatty(STDERR_FILENO);
	p->quiet = quiet;
	p->t0 = weft_now();
}

static void clear_line(cli_progress *p)
{
	if (p->tty && p->last_len) {
		fputs("\r\033[K", stderr);
		p->last_len = 0;
	}
}

static void draw(cli_progress *p, const weft_event *ev)
{
	double el = weft_now() - p->t0;
	char eta[32] = "";
	if (ev->done > 0 && ev->total > ev->done) {
		double rem = el / (double)ev->done * (double)(ev->total - ev->done);
		snprintf(eta, sizeof eta, "  ETA %.0fs", rem);
	}
	char prog[96] = "";
	if (ev->progress_node)
		snprintf(prog, sizeof prog, "  %s %.0f%%%s%.40s", ev->progress_node, ev->progress * 100,
			 ev->progress_msg && *ev->progress_msg ? " " : "", ev->progress_msg ? ev->progress_msg : "");
	else if (ev->running_names && *ev->running_names)
		snprintf(prog, sizeof prog, "  (%.80s)", ev->running_names); /* what it is waiting for */
	char line[384];
	int n = snprintf(line, sizeof line, "[%zu/%zu] running %zu, cached %zu, failed %zu  %.1fs%s%s", ev->done,
			 ev->total, ev->running, ev->cached, ev->failed, el, eta, prog);
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	p->last_len = n > 0 ? (size_t)n : 0;
	p->last_draw = weft_now();
}

/* Appends `v` in decimal at *p. */
static char *put_uint(char *p, unsigned long long v)
{
	char tmp[24];
	int n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < (int)sizeof tmp);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* "[done/total] done     NODE (1.23s)": the line of every node that ran,
 * the same as fprintf's "%-8s" and "%.2f" would make. Built by hand: on a
 * cold shell DAG, where the scheduling thread's CPU is the engine's share of
 * the run, fprintf's formatting of this line (the float above all) was 3%
 * of that thread's samples. A node name too long for the buffer, or an
 * elapsed time out of range, takes fprintf. */
static void done_line(const weft_event *ev, const char *st)
{
	char line[512];
	size_t nl = strlen(ev->node), sl = strlen(st);
	double el = ev->elapsed;
	if (nl > 256 || sl > 32 || !(el >= 0 && el < 1e12)) {
		fprintf(stderr, "[%zu/%zu] %-8s %s (%.2fs)\n", ev->done, ev->total, st, ev->node, el);
		return;
	}
	unsigned long long cs = (unsigned long long)(el * 100 + 0.5);
	char *p = line;
	*p++ = '[';
	p = put_uint(p, ev->done);
	*p++ = '/';
	p = put_uint(p, ev->total);
	*p++ = ']';
	*p++ = ' ';
	memcpy(p, st, sl);
	p += sl;
	for (size_t i = sl; i < 8; i++)
		*p++ = ' ';
	*p++ = ' ';
	memcpy(p, ev->node, nl);
	p += nl;
	*p++ = ' ';
	*p++ = '(';
	p = put_uint(p, cs / 100);
	*p++ = '.';
	*p++ = (char)('0' + cs / 10 % 10);
	*p++ = (char)('0' + cs % 10);
	*p++ = 's';
	*p++ = ')';
	*p++ = '\n';
	(void)fwrite(line, 1, (size_t)(p - line), stderr);
}

void cli_progress_event(const weft_event *ev, void *payload)
{
	cli_progress *p = payload;
	if (p->quiet) {
		if (ev->kind == WEFT_EV_FINISH && ev->status == WEFT_NODE_FAILED)
			fprintf(stderr, "weft: node '%s' failed: %s\n", ev->node, ev->message ? ev->message : "");
		else if (ev->kind == WEFT_EV_LOG && !ev->node) /* run-level notices, such as an interrupt */
			fprintf(stderr, "weft: %s\n", ev->message);
		return;
	}
	if (ev->kind == WEFT_EV_LOG) {
		clear_line(p);
		fprintf(stderr, "weft: %s\n", ev->message);
		return;
	}
	if (ev->kind == WEFT_EV_FINISH && ev->status == WEFT_NODE_FAILED) {
		clear_line(p);
		fprintf(stderr, "FAILED %s: %s\n", ev->node, ev->message ? ev->message : "");
	} else if (ev->kind == WEFT_EV_FINISH && !p->tty) {
		const char *st = weft_node_status_name(ev->status);
		if (ev->status == WEFT_NODE_DONE)
			done_line(ev, st);
		else if (ev->message && ev->status == WEFT_NODE_PENDING)
			fprintf(stderr, "[%zu/%zu] %-8s %s (%s)\n", ev->done, ev->total, "stopped", ev->node, ev->message);
		else
			fprintf(stderr, "[%zu/%zu] %-8s %s\n", ev->done, ev->total, st, ev->node);
	}
	if (p->tty && (ev->kind == WEFT_EV_PROGRESS || weft_now() - p->last_draw > 0.1))
		draw(p, ev);
}

void cli_progress_end(cli_progress *p)
{
	clear_line(p);
}
