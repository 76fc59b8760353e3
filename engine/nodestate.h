/*
 * nodestate.h -- the states of a node during a run and the moves between
 * them, as data. sched_move (sched.c) is the one function that changes a
 * node's state: it checks the move against this table, then keeps the
 * counters, the journal and the events in step. docs/architecture.md draws
 * the table.
 *
 *   PENDING    waiting for the nodes it depends on
 *   READY      dependencies done, queued for its key and cache lookup
 *   RUNNABLE   a cache miss, waiting in the run queue for its resources
 *   RUNNING    holds its resources; the executor runs the op
 *   RETRY_WAIT an attempt failed; waits for its retry time
 *   DYN_WAIT   a dynamic node waiting for the nodes it added
 *   DUP_WAIT   another weft process is computing the same key; waits for
 *              its result instead of computing it twice
 *   terminal:  DONE, CACHED, RESUMED, FAILED, SKIPPED, EXPANDED, WOULD_RUN
 *
 * A node left PENDING at the end of an interrupted run is what `weft
 * resume` runs again.
 */
#ifndef WEFT_NODESTATE_H
#define WEFT_NODESTATE_H

typedef enum node_state {
	NS_PENDING = 0,
	NS_READY,
	NS_RUNNABLE,
	NS_RUNNING,
	NS_RETRY_WAIT,
	NS_DYN_WAIT,
	NS_DUP_WAIT,
	NS_DONE,
	NS_CACHED,
	NS_RESUMED,
	NS_FAILED,
	NS_SKIPPED,
	NS_EXPANDED,
	NS_WOULD_RUN,
	NS_COUNT
} node_state;

/* Whether the table allows `from` -> `to`. */
int ns_allowed(node_state from, node_state to);
/* No move leaves these. */
int ns_terminal(node_state s);
/* The node has outputs its users can read. */
int ns_has_result(node_state s);
/* The name in records, events and `weft status`. */
const char *ns_name(node_state s);
/* The public weft_node_status (weft.h), or 101 for WOULD_RUN. */
int ns_public(node_state s);

#endif
