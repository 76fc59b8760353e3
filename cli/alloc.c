/*
 * alloc.c -- the executable's allocator settings (see cli.h).
 *
 * With mimalloc (WEFT_MIMALLOC), an op's image-sized arrays (AutoMat's 128
 * MiB rasters, Auto-BI's profiles) are huge blocks that mimalloc would map
 * from the OS and unmap on free, so that the next op's arrays fault in
 * fresh zeroed pages again: a million page faults and a third of the wall
 * time of a 4096 x 4096 AutoMat run. An arena reserved up front serves
 * them instead, and mimalloc keeps a freed block's pages for its decommit
 * delay, long enough for the next op of the run to take them. The arena
 * is mapped but not touched: it costs memory only as it is used.
 */
#include <unistd.h>

#include "cli.h"

#ifdef WEFT_MIMALLOC
#include <mimalloc.h>
#include <stdbool.h>
#include <stdlib.h>
#endif

void cli_alloc_setup(void)
{
#ifdef WEFT_MIMALLOC
	if (getenv("MIMALLOC_RESERVE_OS_MEMORY"))
		return; /* the user's own setting, which mimalloc has applied */
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	unsigned long long ram = pages > 0 && page > 0 ? (unsigned long long)pages * (unsigned long long)page : 0;
	/* A quarter of the machine's memory, 1 to 16 GiB, mapped as
	 * MIMALLOC_RESERVE_OS_MEMORY maps it (committed: pages a freed block
	 * leaves are then kept for reuse rather than given back at once). It
	 * costs memory only where touched. */
	const unsigned long long gib = 1ull << 30;
	unsigned long long size = ram / 4 < gib ? gib : ram / 4 > 16 * gib ? 16 * gib : ram / 4;
	(void)mi_reserve_os_memory((size_t)size, true, false); /* a failure only costs speed */
#endif
}
