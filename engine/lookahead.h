/*
 * lookahead.h -- cache keys and lookups of nodes made while the script
 * that adds them is still running, for the run that follows.
 *
 * A rerun with nothing to do spends its time in two places one after the
 * other: the script (Lua, on one core) and then, per node, its key and its
 * verified cache hit. A node's key needs only its definition and its deps'
 * outputs, and a dep that is a verified hit has its outputs from the
 * cache, so the keys and lookups can follow the script node by node on a
 * second core. The run then finds those nodes keyed and hit (sched.c's
 * PF_KEYED / PF_HIT, as sched_prefetch.c leaves them) and only moves them.
 *
 * Nothing here decides anything: a node whose deps are not all hits, an op
 * that asks an LLM or runs Python, a damaged entry or a missing object is
 * left to the run's usual path, which then does what it always did.
 */
#ifndef WEFT_LOOKAHEAD_H
#define WEFT_LOOKAHEAD_H

#include "context.h"

struct run_state;
typedef struct weft_lookahead weft_lookahead;

/* Turns the lookahead on or off for the nodes added from now on (the CLI
 * turns it on for `weft run` and `resume` without --force or -j1). */
void weft_lookahead_enable(weft_engine *eng, int on);
/* Node `n` was just added and linked, outside a run (the graph calls it
 * through eng->node_defined, which enabling sets). */
void weft_lookahead_added(weft_engine *eng, node *n);
/* Waits until the thread has looked at every node added so far (tests:
 * the run does not wait, it takes what is there). */
void weft_lookahead_wait(weft_engine *eng);
/* Stops the thread (what it found is kept): before anything may change a
 * node already added (validation binds refs and relinks; it calls this
 * through eng->nodes_changing). */
void weft_lookahead_stop(weft_engine *eng);
/* At a run's start, when its node entries were reset: stops the thread,
 * and the entries it filled become the run's (when the engine has none
 * yet; otherwise they are dropped). */
void weft_lookahead_adopt(weft_engine *eng);
/* Later, under the run's store lock and once its selection is set: keeps
 * the keys and hits the run may use (a forced node's hit becomes a key;
 * nothing is kept below a node that is not kept as a hit), forgets the
 * rest (eng->lookahead_hits counts the hits kept), and ends the
 * lookahead. */
void weft_lookahead_take(struct run_state *rs);
/* Ends it without a run (the engine is freed, or the graph cleared). */
void weft_lookahead_free(weft_engine *eng);

#endif
