/*
 * jscalls.h -- the JSON endpoints a page's inline script calls, read from
 * its tokens without running it: fetch(...), XMLHttpRequest's open(method,
 * url) and getJSON(...), with the URL made of string literals and constants
 * (`const KEY = '...'`) joined by `+`, the request headers of the call's
 * options (`headers: {'X-API-Key': KEY}`), and, when the URL ends in a
 * variable that is the enclosing function's parameter, the literal
 * arguments of that function's calls. A small tokenizer (strings,
 * identifiers, numbers, punctuators; comments skipped), at most 20,000
 * tokens per script: a hostile script costs linear time.
 */
#ifndef AUTODATA_JSCALLS_H
#define AUTODATA_JSCALLS_H

#include <jansson.h>

/* [{url, headers: ["Name: value"], values: ["4", ...]}], same-origin as
 * `page_url` only; `url` ends in "{var}" when a variable completes it. */
json_t *adt_script_calls(const char *page_url, const char *src);

#endif
