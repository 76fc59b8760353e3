/*
 * robots.h -- robots.txt (RFC 9309): the group for our user agent (or `*`),
 * Allow/Disallow with `*` and `$`, the longest match winning and Allow
 * winning a tie, and Crawl-delay. Bounded: only the first 512 KiB are read,
 * as the RFC allows, and at most 4096 rules are kept.
 */
#ifndef AUTODATA_ROBOTS_H
#define AUTODATA_ROBOTS_H

#include <stddef.h>

typedef struct adt_robots adt_robots;

/* Parses `len` bytes of robots.txt for `agent` (a product token such as
 * "weft-autodata", matched case-insensitively as a prefix). NULL text is
 * "no robots.txt": everything is allowed. NULL only when out of memory. */
adt_robots *adt_robots_parse(const char *text, size_t len, const char *agent);
void adt_robots_free(adt_robots *r);
/* 1 when `path` (path and query, starting with '/') may be fetched; when
 * not, *rule (if non-NULL) points at the Disallow pattern that matched. */
int adt_robots_allowed(const adt_robots *r, const char *path, const char **rule);
/* The group's Crawl-delay in seconds, or 0. */
double adt_robots_delay(const adt_robots *r);

#endif
