/*
 * arch.h -- the model zoo's architectures as data, and their cost.
 *
 * An architecture is a JSON list of layers that both sides read: this
 * counter (parameters and FLOPs, in C, so that model selection needs no
 * Python) and share/automml/arch.py, which builds the PyTorch module. The
 * e2e test checks that torch counts the same parameters.
 *
 *   {"op": "conv", "out": 16, "k": 3, "stride": 1, "pad": 1, "groups": 1}
 *   {"op": "bn"} {"op": "relu"} {"op": "maxpool", "k": 2} {"op": "gap"}
 *   {"op": "flatten"} {"op": "linear", "out": 64}
 *   {"op": "ir", "out": 24, "expand": 4, "stride": 2}   MobileNetV2 block
 *   {"op": "up"}                  2x nearest upsampling
 *   {"op": "save", "name": "e1"}  {"op": "concat", "with": "e1"}
 * "out" may be "classes", "classes+4" (a CenterNet head: heatmaps, size,
 * offset) or "keypoints", resolved from the data.
 *
 * FLOPs are multiply-accumulates of conv and linear layers, the way
 * fvcore and mmcv's get_flops count them; normalisation, activations,
 * pooling and upsampling are not counted. Parameters are every trainable
 * weight, batch-norm scale and shift included.
 */
#ifndef AUTOMML_ARCH_H
#define AUTOMML_ARCH_H

#include <jansson.h>
#include <stdint.h>

typedef struct arch_cost {
	uint64_t params;
	uint64_t flops; /* multiply-accumulates */
	int out_c, out_h, out_w; /* the output tensor */
} arch_cost;

/* Counts `layers` on a c x h x w input with `classes` classes and
 * `keypoints` keypoints. 0, or -1 with the layer and the reason in err. */
int arch_count(const json_t *layers, int c, int h, int w, int classes, int keypoints, arch_cost *out, char *err,
	       size_t errlen);

#endif
