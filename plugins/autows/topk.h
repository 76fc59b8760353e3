/*
 * topk.h -- keeping the k nearest while scanning: both k-NN graphs
 * (semisup.c) and k-NN labelling functions (lfs.c) need it.
 */
#ifndef AUTOWS_TOPK_H
#define AUTOWS_TOPK_H

#include <stddef.h>

/* Offers candidate `id` at squared distance s to the k best so far (dist
 * ascending, ids beside them, *have of them). Equal distances keep the
 * earlier candidate first, so the result does not depend on ties. */
static inline void aws_topk_offer(double *dist, size_t *ids, size_t *have, size_t k, double s, size_t id)
{
	if (*have == k && s >= dist[k - 1])
		return;
	size_t at = *have < k ? (*have)++ : k - 1;
	while (at > 0 && dist[at - 1] > s) {
		dist[at] = dist[at - 1];
		ids[at] = ids[at - 1];
		at--;
	}
	dist[at] = s;
	ids[at] = id;
}

#endif
