/* libFuzzer target: the binary value form of action-cache entries; what
 * decodes must encode back to the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "value_bin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	weft_value *v = NULL;
	size_t used = 0;
	if (weft_value_bin_get(&v, data, size, &used) != WEFT_OK)
		return 0;
	weft_buf b = {0};
	if (weft_value_bin_put(&b, v) == WEFT_OK && used <= size && (b.len != used || memcmp(b.data, data, used)))
		abort(); /* a value that does not round-trip */
	weft_buf_free(&b);
	weft_value_free(v);
	return 0;
}
