/* libFuzzer target: the JSON Schema checker LLM answers go through. The
 * input is a schema and a value, as two JSON texts split at the first NUL
 * (or the middle, without one). */
#include <stdint.h>
#include <string.h>

#include "jsonschema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nul = memchr(text, '\0', size);
	size_t a = nul ? (size_t)(nul - text) : size / 2, b = nul ? a + 1 : a;
	weft_value *schema = NULL, *v = NULL;
	char err[256];
	if (weft_value_from_json(&schema, text, a, err, sizeof err) == WEFT_OK &&
	    weft_value_from_json(&v, text + b, size - b, err, sizeof err) == WEFT_OK)
		(void)weft_schema_check(schema, v, err, sizeof err);
	weft_value_free(schema);
	weft_value_free(v);
	return 0;
}
