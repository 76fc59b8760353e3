/* robots.txt: any bytes parse (or are refused) without a crash, a leak or
 * a hang, and every path query answers. The input's first line is the
 * path to ask about. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "robots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t plen = nl ? (size_t)(nl - (const char *)data) : 0;
	char *path = malloc(plen + 2);
	if (!path)
		return 0;
	path[0] = '/';
	memcpy(path + 1, data, plen);
	path[plen + 1] = 0;
	adt_robots *r = adt_robots_parse((const char *)data, size, "weft-autodata/0.1");
	if (r) {
		const char *rule = NULL;
		(void)adt_robots_allowed(r, path, &rule);
		(void)adt_robots_delay(r);
		adt_robots_free(r);
	}
	free(path);
	return 0;
}
