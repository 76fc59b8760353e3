/* libFuzzer target: the worker protocol's frame decoder, fed the input in
 * two pieces (a pipe delivers frames in arbitrary chunks). */
#include <stdint.h>
#include <stdlib.h>

#include "frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	weft_frame_buf fb = {0};
	size_t cut = size ? data[0] % (size + 1) : 0;
	const uint8_t *parts[2] = {data, data + cut};
	size_t lens[2] = {cut, size - cut};
	for (int p = 0; p < 2; p++) {
		if (weft_frame_feed(&fb, (const char *)parts[p], lens[p]) != 0)
			break;
		char *frame;
		size_t len;
		int rc;
		while ((rc = weft_frame_next(&fb, &frame, &len)) == 1)
			free(frame);
		if (rc < 0)
			break;
	}
	weft_frame_buf_free(&fb);
	return 0;
}
