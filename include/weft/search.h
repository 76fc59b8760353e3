/*
 * weft/search.h -- search spaces and the algorithms that propose
 * candidates in them (grid, random, regularized evolution, TPE), apart from
 * the loop that evaluates them (the DSL's weft.search runs each trial as a
 * node).
 *
 * Proposing is a pure function of (space, algorithm, options, seed,
 * history): the same inputs give the same candidates, so a search killed
 * mid-way and resumed proposes exactly the trials it would have, and every
 * trial it already ran is a cache hit.
 *
 * A space is a map from dimension names to one of
 *   {kind = "float", lo, hi, log = bool}   a real in [lo, hi] (log: lo > 0)
 *   {kind = "int",   lo, hi, log = bool}   an integer in [lo, hi]
 *   {kind = "choice", values = [...]}      one of the values
 * A history is a list of {candidate = map, objective = number or null
 * (failed)}; objectives are maximised (negate a loss, or pass
 * `maximize = false` in the options).
 */
#ifndef WEFT_SEARCH_H
#define WEFT_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "weft/weft.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Checks a space; an error names the dimension and what is wrong. */
WEFT_EXTERN int weft_search_space_check(const weft_value *space);

/*
 * Up to `count` new candidates (a list of maps, the caller's) after
 * `history`. Fewer when the algorithm has nothing left (a finished grid).
 * `algorithm`: "grid", "random", "evolution", "tpe" ("llm" is
 * weft_search_propose_llm, below). Options (a map, may
 * be NULL): maximize (true), grid_points (5), population (20) and
 * tournament (5) for evolution, startup (10), gamma (0.25) and
 * ei_samples (24) for TPE.
 */
WEFT_EXTERN int weft_search_propose(weft_value **candidates, const weft_value *space, const char *algorithm,
				    const weft_value *options, uint64_t seed, const weft_value *history, size_t count);

/*
 * The functional hash of a candidate (Unified Functional Hashing, Gillard
 * et al. 2023): the float outputs of its probe, each cut to its sign,
 * exponent and top `bits` mantissa bits (1-52; 24 as in the paper's
 * reference code), hashed in order under `ns` (the probe's identity: the
 * same probe and `bits` share a namespace). 64 hex digits + NUL into out.
 */
WEFT_EXTERN int weft_search_fhash(char out[65], const double *values, size_t n, int bits, const char *ns);

/*
 * The "llm" algorithm, while a run goes on (inside a dynamic node): asks
 * the run's LLM (weft_engine_llm_chat, cached like every answer) for
 * `count` candidates, given the space, the trials so far and
 * options.task (what is tuned, in words) and options.prior (a candidate:
 * the model's default recipe, shown to the LLM), as AutoMMLab's
 * multi-round hyperparameter dialogue does; numbers outside the space are
 * clipped into it. Without an endpoint, or when the LLM fails, the prior
 * is proposed first (once, clipped) and TPE proposes the rest (or fills
 * what the LLM left short). `*by` (static text) says which path ran:
 * "llm", "llm+tpe", "tpe (no LLM endpoint)", "tpe (the LLM failed)", or
 * "recipe+tpe (...)" for a round that opened with the prior.
 */
WEFT_EXTERN int weft_search_propose_llm(weft_value **candidates, const char **by, weft_engine *eng,
					const weft_value *space, const weft_value *options, uint64_t seed,
					const weft_value *history, size_t count);

#ifdef __cplusplus
}
#endif
#endif
