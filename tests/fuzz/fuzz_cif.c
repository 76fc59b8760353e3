/* libFuzzer target: AutoMat's CIF parser (loops, quoted values, symmetry
 * operations, uncertainties in parentheses), on NUL-terminated text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cif.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	am_struct s;
	char err[256];
	if (am_cif_parse(&s, text, "fuzz.cif", err, sizeof err) == 0)
		am_struct_free(&s);
	free(text);
	return 0;
}
