/* libFuzzer target: plugin descriptor blobs of the op index. */
#include <stddef.h>
#include <stdint.h>

#include "opindex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	weft_arena a = {0};
	const weft_plugin_desc *d = NULL;
	if (weft_opindex_decode(&d, &a, data, size, "fuzz.so") == WEFT_OK)
		(void)weft_opindex_check_abi(d, "fuzz.so");
	weft_arena_free(&a);
	return 0;
}
