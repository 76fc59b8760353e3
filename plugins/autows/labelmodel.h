/*
 * labelmodel.h -- label models: from the votes of noisy labeling functions
 * to a probability per class per row, with each LF's accuracy and the
 * class balance estimated along the way, without gold labels.
 *
 *   majority vote   votes counted; rows with none get the class balance
 *   Dawid-Skene     EM over a full confusion matrix per LF, abstaining
 *                   included as an outcome (Dawid and Skene, 1979)
 *   triplet         FlyingSquid's closed form (Fu et al., ICML 2020):
 *                   under conditionally independent LFs with symmetric
 *                   noise, the agreement of LFs i and j on rows both
 *                   label is mu_i * mu_j, where mu = (k acc - 1)/(k - 1),
 *                   so each mu_i follows from triplets:
 *                   mu_i^2 = M_ij M_ik / M_jk, averaged over (j, k)
 *   metal           Snorkel MeTaL's matrix completion (Ratner et al.,
 *                   AAAI 2019): the co-vote moments between LFs factor
 *                   as mu P mu^T; class-conditional vote tables mu are
 *                   fitted to them (metal.c)
 */
#ifndef AUTOWS_LABELMODEL_H
#define AUTOWS_LABELMODEL_H

#include <stdint.h>

#include "labelmat.h"
#include "lmresult.h"

typedef enum aws_lm_kind { AWS_LM_MAJORITY = 0, AWS_LM_DAWID_SKENE, AWS_LM_TRIPLET, AWS_LM_METAL } aws_lm_kind;

/* Parses "majority", "dawid_skene", "triplet" or "metal"; -1 when unknown. */
int aws_lm_parse(const char *name);

/* Fits the model and labels every row. `known` (n entries, or NULL) gives
 * the rows whose label is known (>= 0): Dawid-Skene keeps them fixed, which
 * anchors its confusion matrices. Returns 0, or -1 with a message. */
int aws_label_model(aws_lm_result *out, const aws_lmat *L, aws_lm_kind kind, int max_iter, const int32_t *known,
		    char *err, size_t errlen);
void aws_lm_result_free(aws_lm_result *r);
/* Replaces out's labels by the majority vote when they agree with it on
 * under half of the covered rows (aws_label_model does this after every
 * model but majority); sets out->fell_back then. -1 on OOM. */
int aws_lm_guard_drift(aws_lm_result *out, const aws_lmat *L);

#endif
