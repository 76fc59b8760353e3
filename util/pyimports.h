/*
 * pyimports.h -- the modules a Python source file imports, read from its
 * import statements without running it. weft uses the names to find the
 * script's own modules beside it, whose content then enters the node's
 * key (a change to a helper module reruns the op that imports it).
 */
#ifndef WEFT_PYIMPORTS_H
#define WEFT_PYIMPORTS_H

#include <stddef.h>

/* The top-level names `src` imports: "a" for `import a.b`, `from a.b
 * import c` and `import a as x`; for relative imports (`from . import m`,
 * `from .m import f`) the sibling module names, "m". Each name once, in
 * order of appearance; at most `max` of them. Statements inside functions
 * and try blocks count (a superset is safe: only names with a file beside
 * the script are used). Never fails on odd input; returns the count, or
 * -1 when out of memory. The caller frees each name and the array. */
int weft_py_imports(const char *src, size_t len, char ***names, size_t max);

#endif
