/* The script reader: any text yields a list of calls (maybe empty), never
 * a crash, a leak or a hang. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jscalls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *src = malloc(size + 1);
	if (!src)
		return 0;
	memcpy(src, data, size);
	src[size] = 0;
	json_t *calls = adt_script_calls("http://127.0.0.1:8000/a/b.html", src);
	json_decref(calls);
	free(src);
	return 0;
}
