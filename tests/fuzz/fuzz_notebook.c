/* The notebook reader: any bytes yield a program or an error, never a
 * crash, a leak or a hang. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "notebook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cells = 0;
	char err[256];
	char *code = sdt_notebook_code((const char *)data, size, &cells, err, sizeof err);
	free(code);
	return 0;
}
