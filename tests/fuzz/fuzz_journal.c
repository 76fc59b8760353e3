/* libFuzzer target: reading a run's journal (JSON lines, a torn last line
 * after a crash), as `weft resume` and the run reader do. The input is
 * written to a file first, then read back record by record and parsed. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "journal.h"

static int each(const char *rec, size_t len, void *payload)
{
	(void)payload;
	json_t *j = json_loadb(rec, len, 0, NULL);
	json_decref(j);
	return WEFT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof path, "/tmp/fuzz_journal.%d", (int)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	(void)weft_journal_read(path, each, NULL);
	return 0;
}
