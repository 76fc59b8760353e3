/*
 * weft/testing.h -- run one op of a plugin in-process, for plugin unit tests.
 *
 *   weft_test *t;
 *   assert_int_equal(weft_test_open(&t, "build/hello.so"), WEFT_OK);
 *   assert_int_equal(weft_test_run(t, "hello.greet", "{\"name\": \"Ada\"}", NULL), WEFT_OK);
 *   assert_string_equal(weft_test_output_json(t, "out"), "\"Hello, Ada!\"");
 *   weft_test_close(t);
 *
 * Link with `pkg-config --libs weft-test` or the CMake target weft::test.
 * Each handle owns a private store in a fresh temporary directory, removed by
 * weft_test_close. Every run executes the op (the cache is bypassed), through
 * the same parameter validation, artifact store and host API a pipeline run
 * uses. Handles are not thread-safe; use one per thread.
 */
#ifndef WEFT_TESTING_H
#define WEFT_TESTING_H

#include <stddef.h>

#include "weft/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weft_test weft_test; /* opaque */

/* Loads the plugin at `plugin_so` (refusing it as `weft` would: ABI,
 * descriptor, duplicate ops). On failure *out is NULL and
 * weft_test_last_error() says why. */
int weft_test_open(weft_test **out, const char *plugin_so);
void weft_test_close(weft_test *t);

/* Runs `op` ("plugin.op") once. `params_json` and `inputs_json` are JSON
 * objects or NULL for {}. In inputs, {"$file": "path"} is imported as a file
 * artifact and {"$dir": "path"} as a directory artifact. Returns WEFT_OK if
 * the op succeeded; otherwise weft_test_error() has the message the op or
 * the validation gave. */
int weft_test_run(weft_test *t, const char *op, const char *params_json, const char *inputs_json);

/* After a successful run: output `name` as compact JSON with sorted keys
 * (artifacts appear as {"$artifact": HASH, ...}); NULL if there is no such
 * output. Borrowed until the next run. */
const char *weft_test_output_json(weft_test *t, const char *name);
/* All outputs as one JSON object. Borrowed until the next run. */
const char *weft_test_outputs_json(weft_test *t);
/* The bytes of artifact output `name` (a file artifact). *data is
 * NUL-terminated for convenience and freed with free(). */
int weft_test_output_bytes(weft_test *t, const char *name, char **data, size_t *len);

/* What went wrong in the last failed call on `t`. */
const char *weft_test_error(const weft_test *t);
/* What went wrong in the last failed weft_test_open on this thread. */
const char *weft_test_last_error(void);

#ifdef __cplusplus
}
#endif
#endif
