/*
 * nodestate.c -- see nodestate.h. Each row lists where a state may go and
 * on which event; the scheduler may make no other move.
 */
#include "nodestate.h"

#include "weft/weft.h"

#define TO(s) (1u << (s))

static const unsigned allowed[NS_COUNT] = {
	/* deps done; upstream without result, a failed bind, or the run ended
	 * after a failure (fail-fast); a dynamic node's result is cached */
	[NS_PENDING] = TO(NS_READY) | TO(NS_SKIPPED) | TO(NS_FAILED),
	/* cache hit (this run's journal: resumed); miss; plan; key or input
	 * error; upstream without result; a dynamic node's callback returned
	 * a value, or nodes to wait for; interrupted before it was keyed */
	[NS_READY] = TO(NS_CACHED) | TO(NS_RESUMED) | TO(NS_RUNNABLE) | TO(NS_WOULD_RUN) | TO(NS_FAILED) |
		     TO(NS_SKIPPED) | TO(NS_DONE) | TO(NS_DYN_WAIT) | TO(NS_PENDING),
	/* resources taken; cannot start; the run ends (interrupt: pending,
	 * fail-fast: skipped) */
	[NS_RUNNABLE] = TO(NS_RUNNING) | TO(NS_FAILED) | TO(NS_PENDING) | TO(NS_SKIPPED) | TO(NS_DUP_WAIT),
	/* op succeeded; failed for good; failed with attempts left; cancelled
	 * by an interrupt (runs again on resume) */
	[NS_RUNNING] = TO(NS_DONE) | TO(NS_FAILED) | TO(NS_RETRY_WAIT) | TO(NS_PENDING),
	/* retry time reached; the run ends first */
	[NS_RETRY_WAIT] = TO(NS_RUNNABLE) | TO(NS_PENDING) | TO(NS_SKIPPED),
	/* the nodes it added finished; one failed or gave no result; the run
	 * ends first */
	[NS_DYN_WAIT] = TO(NS_EXPANDED) | TO(NS_FAILED) | TO(NS_SKIPPED) | TO(NS_PENDING),
	/* the other process finished: its result is in the cache, or it is
	 * not (it failed) and the node runs here after all; the run ends first */
	[NS_DUP_WAIT] = TO(NS_CACHED) | TO(NS_RUNNABLE) | TO(NS_PENDING) | TO(NS_SKIPPED),
};

int ns_allowed(node_state from, node_state to)
{
	return from < NS_COUNT && to < NS_COUNT && (allowed[from] & TO(to));
}

int ns_terminal(node_state s)
{
	return s >= NS_DONE && s < NS_COUNT;
}

int ns_has_result(node_state s)
{
	return s == NS_DONE || s == NS_CACHED || s == NS_RESUMED || s == NS_EXPANDED;
}

const char *ns_name(node_state s)
{
	static const char *const names[NS_COUNT] = {
		[NS_PENDING] = "pending",       [NS_READY] = "ready",     [NS_RUNNABLE] = "runnable",
		[NS_RUNNING] = "running",       [NS_RETRY_WAIT] = "retry-wait", [NS_DYN_WAIT] = "waiting",
		[NS_DUP_WAIT] = "waiting-for-other-run",
		[NS_DONE] = "done",             [NS_CACHED] = "cached",   [NS_RESUMED] = "resumed",
		[NS_FAILED] = "failed",         [NS_SKIPPED] = "skipped", [NS_EXPANDED] = "expanded",
		[NS_WOULD_RUN] = "would-run",
	};
	return s < NS_COUNT ? names[s] : "unknown";
}

int ns_public(node_state s)
{
	switch (s) {
	case NS_RUNNING:
		return WEFT_NODE_RUNNING;
	case NS_DONE:
		return WEFT_NODE_DONE;
	case NS_CACHED:
		return WEFT_NODE_CACHED;
	case NS_RESUMED:
		return WEFT_NODE_RESUMED;
	case NS_FAILED:
		return WEFT_NODE_FAILED;
	case NS_SKIPPED:
		return WEFT_NODE_SKIPPED;
	case NS_EXPANDED:
		return WEFT_NODE_EXPANDED;
	case NS_WOULD_RUN:
		return WEFT_NODE_WOULD_RUN;
	default:
		return WEFT_NODE_PENDING;
	}
}
