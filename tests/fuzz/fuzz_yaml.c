/* libFuzzer target: YAML (weft.yaml, --params files), aliases included. */
#include <stddef.h>
#include <stdint.h>

#include "weft/weft.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	weft_value *v = NULL;
	if (weft_value_from_yaml(&v, (const char *)data, size, "fuzz.yaml") == WEFT_OK)
		weft_value_free(v);
	return 0;
}
