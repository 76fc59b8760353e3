/* libFuzzer target: JSON values (params files, worker frames, records). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "weft/weft.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	weft_value *v = NULL;
	char err[256];
	if (weft_value_from_json(&v, (const char *)data, size, err, sizeof err) == WEFT_OK) {
		char *back = weft_value_to_json(v, 0);
		free(back);
		weft_value_free(v);
	}
	return 0;
}
