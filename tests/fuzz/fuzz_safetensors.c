/* libFuzzer target: autodistil's safetensors reader (the 8-byte header
 * length, the JSON header, each tensor's dtype, shape and byte range) and
 * a read of every float32 tensor it accepts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	char err[256];
	ad_tensors *t = ad_tensors_parse(buf, size, "fuzz.safetensors", err, sizeof err);
	if (!t)
		return 0;
	static const char *names[] = {"a", "emb_tok", "l0_q_w"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		for (int nd = 1; nd <= 2; nd++) {
			int64_t dims[2] = {0, 0};
			const float *p = ad_tensors_get(t, names[i], nd, dims, err, sizeof err);
			volatile float sink = 0;
			for (int64_t k = 0; p && k < dims[0] * (nd == 2 ? dims[1] : 1); k++)
				sink += p[k];
			(void)sink;
		}
	ad_tensors_free(t);
	return 0;
}
