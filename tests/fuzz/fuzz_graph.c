/* libFuzzer target: Auto-BI's schema-graph reader (the binary artifact of
 * autobi.candidates and autobi.predict_joins: counts, names, indices and
 * probabilities). It reads a path, so each input is written to a file
 * first. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cands_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof path, "/tmp/fuzz_graph.%d", (int)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	abi_graph g;
	char err[512];
	if (abi_graph_load(&g, path, "fuzz", err, sizeof err) == 0)
		abi_graph_free(&g);
	return 0;
}
