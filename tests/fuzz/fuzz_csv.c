/* libFuzzer target: the plugins' CSV reader (quoting, delimiters, BOM). */
#include <stddef.h>
#include <stdint.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wcsv t;
	char err[256];
	if (wcsv_parse(&t, (const char *)data, size, "fuzz.csv", err, sizeof err) == 0)
		wcsv_free(&t);
	return 0;
}
