/* libFuzzer target: AutoWS's .npy reader (header dict, dtype, shape,
 * data size). It reads a path, so each input is written to a file first. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof path, "/tmp/fuzz_npy.%d", (int)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	wnpy a;
	char err[256];
	if (wnpy_read(&a, path, "fuzz.npy", err, sizeof err) == 0)
		wnpy_free(&a);
	return 0;
}
