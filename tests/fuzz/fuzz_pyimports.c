/* libFuzzer target: the Python import scanner (util/pyimports.c), which
 * reads every script a Python op names. Checks what it promises: it never
 * fails on odd input, returns at most `max` names, and each is a plain
 * identifier. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pyimports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char **names = NULL;
	int n = weft_py_imports((const char *)data, size, &names, 16);
	if (n < 0 || n > 16)
		abort();
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		if (!len || len > 255 || isdigit((unsigned char)names[i][0]))
			abort();
		for (size_t k = 0; k < len; k++)
			if (!isalnum((unsigned char)names[i][k]) && names[i][k] != '_')
				abort();
		free(names[i]);
	}
	free(names);
	return 0;
}
